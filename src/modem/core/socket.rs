//! One socket's receive side: the ring the user lent, what is still
//! unchecked in it, what the module may still hold, and, for a DTLS socket,
//! where each datagram ends.
//!
//! Pure and without I/O; its fields are the core's, and everything above
//! the core (the operations, the async stack) asks and changes it through
//! its methods.

use super::super::ring::Ring;
use crate::error::{Error, SslErrorCode};

/// Datagrams a DTLS socket keeps the boundaries of, unread: more are
/// dropped (and reported) until one is read.
pub(crate) const DATAGRAMS: usize = 8;

/// Per-socket receive side.
#[derive(Debug, Default)]
pub(crate) struct SocketData<'r> {
    pub(super) ring: Ring<'r>,
    /// The module may hold data for this socket (buffer mode).
    pub(super) pending: bool,
    /// Pushed bytes dropped since the last report.
    pub(super) dropped: u32,
    /// How many bytes of `ring` came before the first of them: reads stop
    /// there until the loss is reported, so that bytes after it never
    /// reach the user first.
    pub(super) gap: Option<usize>,
    /// The result of the last open.
    pub(super) open_result: Option<SslErrorCode>,
    /// The stream can't be trusted any more: a send was abandoned after its
    /// prompt, or received data was framed wrongly (a corrupted length on
    /// the line).
    pub(super) broken: bool,
    /// The newest bytes of `ring` belong to a payload whose trailer has not
    /// been checked yet (see [`crate::Frame::PayloadEnd`]): they are held
    /// back from readers until it is, and dropped if the payload was
    /// misframed.
    pub(super) unverified: usize,
    /// The stream broke because the module's output could not be framed:
    /// it reports [`Error::Desynchronized`] rather than [`Error::Closed`].
    pub(super) desync: bool,
    /// A DTLS socket: each payload is one datagram, and where each ends is
    /// kept (oldest first).
    pub(super) datagram: bool,
    /// The lengths of the datagrams in `ring`, oldest first (the first one
    /// possibly partly read).
    pub(super) lengths: heapless::Deque<u16, DATAGRAMS>,
}

impl SocketData<'_> {
    /// The stream can't be trusted any more (see [`broken_error`](Self::broken_error)).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The result of the last open, once it came.
    pub fn open_result(&self) -> Option<SslErrorCode> {
        self.open_result
    }

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

    /// Buffer mode: the module may hold data for this socket.
    pub fn module_may_hold_data(&self) -> bool {
        self.pending
    }

    /// Buffer mode: whether the module may hold more data for this socket
    /// (a `"recv"` notice, or a read that may have left some).
    pub fn set_module_may_hold_data(&mut self, more: bool) {
        self.pending = more;
    }

    /// A read's answer was framed wrongly or cut short: drop what it stored
    /// (everything past `stored_before`) and trust nothing more on this
    /// socket.
    pub fn read_misframed(&mut self, stored_before: usize) {
        self.ring.truncate(stored_before);
        self.broken = true;
    }

    /// Bytes dropped since the last report.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Bytes stored whose check is still to come.
    pub fn unverified(&self) -> usize {
        self.unverified
    }

    /// The stream broke because the module's output could not be framed.
    pub fn is_desynchronized(&self) -> bool {
        self.desync
    }

    /// What a broken stream reports.
    pub fn broken_error(&self) -> Error {
        if self.desync {
            Error::Desynchronized
        } else {
            Error::Closed
        }
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
    /// the report of bytes lost after them), nor on a broken stream.
    pub fn store(&mut self, data: &[u8]) -> usize {
        if self.gap.is_some() || self.broken {
            return 0;
        }
        self.ring.push(data)
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

    /// The payload being checked was misframed: drop its bytes, and trust
    /// nothing more on this socket.
    pub fn misframed(&mut self) {
        let keep = self.readable();
        self.ring.truncate(keep);
        self.unverified = 0;
        self.broken = true;
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
        s.unverified = s.store(b"bad");
        assert_eq!(s.available(), 2);
        s.misframed();
        assert!(s.is_broken());
        assert_eq!(s.stored(), 2);
        assert_eq!(s.broken_error(), Error::Closed);
    }

    #[test]
    fn a_misframed_read_drops_what_it_stored() {
        let mut buf = [0u8; 8];
        let mut s = socket(&mut buf);
        s.store(b"abc");
        let before = s.stored();
        s.store(b"xyz");
        s.read_misframed(before);
        assert_eq!((s.stored(), s.is_broken()), (3, true));
        s.set_module_may_hold_data(true);
        assert!(s.module_may_hold_data());
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
}
