//! One socket's received bytes: the ring the user lent, what is still
//! unchecked in it, what was lost and not reported yet, and, for a DTLS
//! socket, where each datagram ends.
//!
//! Only bytes live here. What the engine knows *about* a socket (its
//! lifecycle, whether its stream can still be trusted, whether the module
//! may hold data for it, its last open's result) has one home,
//! [`crate::state::Socket`], pure and unit-tested beside the session's
//! lifecycle (which the `state_machine` fuzz target model-checks). Pure and
//! without I/O; its fields are its own, and the
//! core, the operations and the async stack change it through its
//! methods.

use super::super::ring::Ring;

/// Datagrams a DTLS socket keeps the boundaries of, unread: more are
/// dropped (and reported) until one is read.
pub(crate) const DATAGRAMS: usize = 8;

/// Per-socket receive side.
#[derive(Debug, Default)]
pub(crate) struct SocketData<'r> {
    ring: Ring<'r>,
    /// Pushed bytes dropped since the last report.
    dropped: u32,
    /// How many bytes of `ring` came before the first of them: reads stop
    /// there until the loss is reported, so that bytes after it never
    /// reach the user first.
    gap: Option<usize>,
    /// The newest bytes of `ring` belong to a payload whose trailer has not
    /// been checked yet (see [`crate::Frame::PayloadEnd`]): they are held
    /// back from readers until it is, and dropped if the payload was
    /// misframed.
    unverified: usize,
    /// A DTLS socket: each payload is one datagram, and where each ends is
    /// kept (oldest first).
    datagram: bool,
    /// The lengths of the datagrams in `ring`, oldest first (the first one
    /// possibly partly read).
    lengths: heapless::Deque<u16, DATAGRAMS>,
}

impl<'r> SocketData<'r> {
    /// Receive into `ring`; `datagram`: each payload is one datagram.
    pub fn new(ring: &'r mut [u8], datagram: bool) -> Self {
        Self {
            ring: Ring::new(ring),
            datagram,
            ..Self::default()
        }
    }

    /// The lent buffer, given back: the socket keeps none and nothing of
    /// what it held.
    #[cfg(any(feature = "async", feature = "nal"))]
    pub fn take_buffer(&mut self) -> Option<&'r mut [u8]> {
        core::mem::take(self).ring.into_buf()
    }

    /// Where a payload's bytes can be read straight into (unchecked, see
    /// [`commit_unchecked`](Self::commit_unchecked)).
    pub fn spare(&mut self) -> &mut [u8] {
        self.ring.spare()
    }
}

impl SocketData<'_> {
    /// The size of the receive buffer lent to this socket.
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// Bytes stored, checked or not.
    pub fn stored(&self) -> usize {
        self.ring.len()
    }

    /// Room left in the receive buffer.
    pub fn free(&self) -> usize {
        self.ring.free()
    }

    /// A read's answer was framed wrongly or cut short: drop what it stored
    /// (everything past `stored_before`).
    pub fn drop_read(&mut self, stored_before: usize) {
        self.ring.truncate(stored_before);
    }

    /// Bytes dropped since the last report.
    #[cfg(feature = "async")]
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Bytes stored whose check is still to come.
    pub fn unverified(&self) -> usize {
        self.unverified
    }

    /// Bytes checked and stored (the unverified ones follow them).
    pub fn readable(&self) -> usize {
        self.ring.len().saturating_sub(self.unverified)
    }

    /// Bytes a reader may take now: the checked ones, up to a loss not
    /// reported yet.
    pub fn available(&self) -> usize {
        let readable = self.readable();
        self.gap.map_or(readable, |gap| readable.min(gap))
    }

    /// Store what fits of `data`; returns how much. Nothing while a loss is
    /// unreported (bytes stored after the gap would reach the user before
    /// the report of bytes lost after them). The core stores nothing on a
    /// broken stream ([`crate::state::Socket::is_broken`]).
    pub fn store(&mut self, data: &[u8]) -> usize {
        if self.gap.is_some() {
            return 0;
        }
        self.ring.push(data)
    }

    /// A loss is not reported yet.
    pub fn has_gap(&self) -> bool {
        self.gap.is_some()
    }

    /// `n` more bytes of the payload being framed are stored, unchecked.
    pub fn unchecked(&mut self, n: usize) {
        self.unverified += n;
    }

    /// `n` bytes were read into [`spare`](Self::spare): stored, unchecked.
    pub fn commit_unchecked(&mut self, n: usize) {
        self.ring.commit(n);
        self.unverified += n;
    }

    /// The unchecked bytes hold `\r\nRDY\r\n` (see [`Ring::holds_rdy`]).
    pub fn unchecked_hold_rdy(&self) -> bool {
        self.ring.holds_rdy(self.readable())
    }

    /// The sockets whose pushes the unchecked bytes name (bit = client):
    /// what a misframed payload swallowed.
    pub fn unchecked_pushes_named(&self) -> u16 {
        self.ring.pushes_named(self.readable())
    }

    /// `n` bytes did not fit and were dropped, after what `ring` holds.
    pub fn lost(&mut self, n: usize) {
        if n > 0 {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            self.dropped = self.dropped.saturating_add(n);
            self.gap.get_or_insert(self.ring.len());
        }
    }

    /// The bytes dropped, once every byte before them was read: what
    /// [`Error::PushOverflow`] reports.
    pub fn take_loss(&mut self) -> Option<u32> {
        if self.dropped == 0 || self.gap.is_some_and(|gap| gap > 0) {
            return None;
        }
        self.gap = None;
        Some(core::mem::take(&mut self.dropped))
    }

    /// The payload being checked was misframed: drop its bytes.
    pub fn drop_unverified(&mut self) {
        let keep = self.readable();
        self.ring.truncate(keep);
        self.unverified = 0;
        self.gap = self.gap.map(|gap| gap.min(keep));
    }

    /// The payload being checked passed its check: its bytes are readable;
    /// on a DTLS socket they are one datagram (dropped if no room is left
    /// to keep its boundary).
    pub fn verified(&mut self) {
        let len = core::mem::take(&mut self.unverified);
        if !self.datagram || len == 0 {
            return;
        }
        let fits = u16::try_from(len).ok().filter(|_| !self.lengths.is_full());
        match fits {
            Some(len) => {
                // Room was checked above.
                let _ = self.lengths.push_back(len);
            }
            None => {
                let keep = self.ring.len() - len;
                self.ring.truncate(keep);
                self.dropped = self.dropped.saturating_add(len as u32);
            }
        }
    }

    /// Take what is available as a stream into `buf`.
    pub fn pop_stream(&mut self, buf: &mut [u8]) -> usize {
        let n = self.available().min(buf.len());
        let n = self.ring.pop(&mut buf[..n]);
        if let Some(gap) = self.gap.as_mut() {
            *gap -= n;
        }
        self.consume_lengths(n);
        n
    }

    /// Take the oldest datagram into `buf`: its length, of which what does
    /// not fit `buf` is dropped (as a UDP socket's receive does). `None`
    /// when no whole datagram is there.
    pub fn pop_datagram(&mut self, buf: &mut [u8]) -> Option<(usize, usize)> {
        let len = usize::from(*self.lengths.front()?);
        let fits = len.min(buf.len());
        let n = self.ring.pop(&mut buf[..fits]);
        let mut rest = len - n;
        while rest > 0 {
            let mut sink = [0u8; 64];
            let dropped = self.ring.pop(&mut sink[..rest.min(64)]);
            if dropped == 0 {
                break;
            }
            rest -= dropped;
        }
        self.lengths.pop_front();
        Some((n, len))
    }

    /// `n` bytes were read as a stream: the datagrams they span are gone.
    fn consume_lengths(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.lengths.front_mut() else {
                return;
            };
            let take = usize::from(*front).min(n);
            // take <= *front
            *front -= take as u16;
            n -= take;
            if *front == 0 {
                self.lengths.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(buf: &mut [u8]) -> SocketData<'_> {
        SocketData {
            ring: Ring::new(buf),
            ..SocketData::default()
        }
    }

    #[test]
    fn a_loss_is_reported_after_the_bytes_before_it_and_nothing_after_it_is_stored() {
        let mut buf = [0u8; 8];
        let mut s = socket(&mut buf);
        assert_eq!(s.store(b"abcdef"), 6);
        let stored = s.store(b"ghijk");
        assert_eq!(stored, 2);
        s.lost(3);
        // Nothing is stored past the gap until the loss is reported.
        assert_eq!(s.store(b"z"), 0);
        assert_eq!(s.take_loss(), None);
        let mut out = [0u8; 16];
        assert_eq!(s.pop_stream(&mut out), 8);
        assert_eq!(&out[..8], b"abcdefgh");
        assert_eq!(s.take_loss(), Some(3));
        assert_eq!(s.take_loss(), None);
        assert_eq!(s.store(b"z"), 1);
    }

    #[test]
    fn unchecked_bytes_are_held_back_and_dropped_when_misframed() {
        let mut buf = [0u8; 8];
        let mut s = socket(&mut buf);
        s.store(b"ok");
        s.verified();
        let n = s.store(b"bad");
        s.unchecked(n);
        assert_eq!(s.available(), 2);
        assert!(s.unchecked_pushes_named() == 0 && !s.unchecked_hold_rdy());
        s.drop_unverified();
        assert_eq!((s.stored(), s.available(), s.unverified()), (2, 2, 0));
    }

    #[test]
    fn a_misframed_read_drops_what_it_stored() {
        let mut buf = [0u8; 8];
        let mut s = socket(&mut buf);
        s.store(b"abc");
        let before = s.stored();
        s.store(b"xyz");
        s.drop_read(before);
        assert_eq!(s.stored(), 3);
    }

    #[test]
    fn datagrams_keep_their_boundaries() {
        let mut buf = [0u8; 16];
        let mut s = socket(&mut buf);
        s.datagram = true;
        for d in [&b"one"[..], b"three"] {
            s.unverified = s.store(d);
            s.verified();
        }
        let mut out = [0u8; 2];
        // Cut to the caller's buffer, the rest of the datagram dropped.
        assert_eq!(s.pop_datagram(&mut out), Some((2, 3)));
        let mut out = [0u8; 8];
        assert_eq!(s.pop_datagram(&mut out), Some((5, 5)));
        assert_eq!(&out[..5], b"three");
        assert_eq!(s.pop_datagram(&mut out), None);
    }

    #[test]
    fn a_loss_opens_a_gap_until_it_is_reported() {
        let mut buf = [0u8; 4];
        let mut s = socket(&mut buf);
        s.lost(0);
        assert!(!s.has_gap(), "nothing lost");
        s.store(b"ab");
        s.lost(2);
        assert!(s.has_gap());
        let mut out = [0u8; 4];
        s.pop_stream(&mut out);
        assert_eq!(s.take_loss(), Some(2));
        assert!(!s.has_gap());
    }

    #[test]
    fn unchecked_bytes_name_the_pushes_they_swallowed() {
        let mut buf = [0u8; 64];
        let mut s = socket(&mut buf);
        s.store(b"+QSSLURC: \"recv\",9,5 is checked");
        s.verified();
        let n = s.store(b"x+QSSLURC: \"recv\",3,5\r\n");
        s.unchecked(n);
        assert_eq!(
            s.unchecked_pushes_named(),
            1 << 3,
            "only the unchecked bytes"
        );
    }

    #[test]
    fn a_datagram_past_the_boundaries_kept_is_dropped_and_counted() {
        let mut buf = [0u8; 64];
        let mut s = socket(&mut buf);
        s.datagram = true;
        for i in 0..DATAGRAMS {
            s.unverified = s.store(&[b'a' + i as u8; 2]);
            s.verified();
        }
        s.unverified = s.store(b"xyz");
        s.verified();
        assert_eq!(
            s.stored(),
            2 * DATAGRAMS,
            "the ninth datagram's bytes are gone"
        );
        assert_eq!(s.dropped, 3);
        let mut out = [0u8; 8];
        for i in 0..DATAGRAMS {
            assert_eq!(s.pop_datagram(&mut out), Some((2, 2)));
            assert_eq!(out[..2], [b'a' + i as u8; 2]);
        }
        assert_eq!(s.pop_datagram(&mut out), None);
    }

    #[test]
    fn datagrams_read_as_a_stream_are_used_up_by_their_bytes() {
        let mut buf = [0u8; 16];
        let mut s = socket(&mut buf);
        s.datagram = true;
        for d in [&b"one"[..], b"four", b"sixsix"] {
            s.unverified = s.store(d);
            s.verified();
        }
        let mut out = [0u8; 5];
        assert_eq!(s.pop_stream(&mut out), 5, "\"one\" and \"fo\"");
        let mut out = [0u8; 8];
        assert_eq!(s.pop_datagram(&mut out), Some((2, 2)));
        assert_eq!(&out[..2], b"ur");
        assert_eq!(s.pop_datagram(&mut out), Some((6, 6)));
    }

    #[cfg(feature = "async")]
    #[test]
    fn a_socket_gives_its_buffer_back_whole_and_forgets_what_it_held() {
        let mut buf = [0u8; 8];
        let mut s = socket(&mut buf);
        s.store(b"abc");
        s.lost(9);
        assert_eq!(s.dropped(), 9);
        let back = s.take_buffer().map(|b| b.len());
        assert_eq!(back, Some(8));
        assert_eq!((s.capacity(), s.stored(), s.dropped()), (0, 0, 0));
        assert_eq!(s.take_buffer(), None);
    }
}
