//! The engine's core: buffers, framing and bookkeeping, with no I/O.
//!
//! The three faces (nb, blocking, async) all do the same thing around it:
//! ask an operation to [`poll`](super::ops::Op::poll) the core, write what
//! `Core::tx_bytes` says, read into what `Core::rx_space` says, and
//! repeat. Everything else — which frame belongs to which command, where a
//! payload goes, what a URC changes — happens here, once.
//!
//! Receive path: bytes from the port land in the line buffer (`LINE` bytes)
//! and are cut into frames. When a payload is being framed and the line
//! buffer is empty, `Core::rx_space` hands out the destination socket's
//! ring instead, so payload bytes go from the port straight into the ring
//! they belong to: a 1500-byte frame is never held twice.

mod escape_guard;
mod exchange;
mod flight;
mod pump;
mod quarantine;
mod raw;
mod resync;
mod sharing;
mod socket;
mod turns;
mod urc;

use crate::command::MAX_COMMAND_LEN;
use crate::digest::Framer;
use crate::state::SessionState;
use crate::types::{ClientId, NegotiateTime, SslContextId};
pub use escape_guard::GUARD_TIME_MS;
pub(crate) use escape_guard::{guard_with_margin, silence_threshold, PlusRun};
pub use flight::Event;
pub(crate) use flight::{Fed, Kind};
use flight::{InFlight, Tx, ORPHAN_GRACE_MS};
pub(crate) use quarantine::ModuleSocket;
use quarantine::ResyncState;
pub(crate) use socket::SocketData;
use turns::Sharing;
use urc::push_event;
pub(crate) use urc::DnsAnswers;

/// The shared core of the engine.
pub struct Core<'r, const LINE: usize> {
    line: [u8; LINE],
    line_len: usize,
    framer: Framer,
    /// Where the payload being framed goes: a socket's ring, or nowhere.
    sink: Option<ClientId>,
    /// The last [`rx_space`](Self::rx_space) was this socket's ring.
    rx_in_ring: Option<ClientId>,

    tx: [u8; MAX_COMMAND_LEN],
    tx_state: Tx,
    last_tx_ms: u64,
    /// What the faces saw of the receive line (when it was quiet).
    seen: flight::Seen,
    /// Bytes received so far (lets an operation tell whether a round of I/O
    /// brought anything).
    rx_total: u64,

    pub(crate) state: SessionState,
    pub(crate) socks: [SocketData<'r>; 12],
    in_flight: Option<InFlight>,
    next_token: u32,
    /// The command a reboot ended.
    reset_token: Option<u32>,
    /// The socket of the last `AT+QSSLRECV` written: a `+QSSLRECV` answer
    /// that comes with no read to own it is that read's.
    last_read: Option<ClientId>,
    events: heapless::Deque<Event, 8>,
    negotiate_s: [u16; 6],
    /// Per SSL context (bit = context): `closetimemode` is milliseconds.
    close_in_ms: u8,
    /// Per SSL context (bit = context): `dtls` is on.
    dtls: u8,

    /// Transparent mode: bytes held back while they may be the start of
    /// `NO CARRIER` (or of the `OK` after an escape).
    held: heapless::Vec<u8, 16>,
    /// An escape was sent: watch for its `OK` (until it comes, the
    /// connection drops or a new one starts, or transparent data written
    /// right after the `+++` cancels the escape).
    pub(crate) watch_ok: bool,
    /// No transparent byte has been written since the escape's `+++`.
    pub(crate) escape_fresh: bool,
    /// `OK` after the escape was seen.
    pub(crate) escaped: bool,
    /// Quarantine and resync after a framing doubt (see [`resync`]).
    pub(crate) resync: ResyncState,
    /// A transparent write that `NO CARRIER` cut short: its token and the
    /// bytes written before.
    raw_cut: Option<(u32, usize)>,
    /// The `+++` guard time the module was set up with (see
    /// [`PlusRun`]): user data never forms an escape.
    pub(crate) guard_ms: u32,
    /// The run of `+` in the transparent bytes written so far.
    pub(crate) plus_run: PlusRun,
    /// An operation waits for every byte written to have left the port:
    /// the face flushes it (see [`drained`](Self::drained)).
    flush_wanted: bool,
    /// The port was flushed after the last byte written.
    tx_flushed: bool,
    /// What a face serving several tasks at once needs (see [`sharing`]).
    sharing: Sharing<'r>,
    /// The answer to the last host name lookup, as it comes.
    pub(crate) dns: DnsAnswers,
}

impl<'r, const LINE: usize> Default for Core<'r, LINE> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'r, const LINE: usize> Core<'r, LINE> {
    /// A core with empty buffers, every socket Initial.
    pub fn new() -> Self {
        Self {
            line: [0; LINE],
            line_len: 0,
            framer: Framer::new(LINE),
            sink: None,
            rx_in_ring: None,
            tx: [0; MAX_COMMAND_LEN],
            tx_state: Tx::Idle,
            last_tx_ms: 0,
            seen: flight::Seen::default(),
            rx_total: 0,
            state: SessionState::new(),
            socks: Default::default(),
            in_flight: None,
            next_token: 1,
            reset_token: None,
            last_read: None,
            events: heapless::Deque::new(),
            negotiate_s: [NegotiateTime::MAX.get(); 6],
            close_in_ms: 0,
            dtls: 0,
            held: heapless::Vec::new(),
            watch_ok: false,
            escape_fresh: false,
            escaped: false,
            resync: ResyncState::default(),
            raw_cut: None,
            guard_ms: GUARD_TIME_MS,
            plus_run: PlusRun::default(),
            flush_wanted: false,
            tx_flushed: true,
            sharing: Sharing::default(),
            dns: DnsAnswers::default(),
        }
    }

    // ----- the faces' side: bytes in and out -------------------------------

    /// The next bytes to write to the port (empty: nothing to write).
    /// `payload` is the current operation's token and payload: payload bytes
    /// owed by another (abandoned) operation are written as zeros, so the
    /// module leaves its data phase; that socket then reports
    /// [`Error::Closed`].
    pub(crate) fn tx_bytes<'a>(&'a self, payload: Option<(u32, &'a [u8])>) -> &'a [u8] {
        const ZEROS: [u8; 64] = [0; 64];
        match self.tx_state {
            Tx::Idle => &[],
            Tx::Line { pos, len } => &self.tx[pos..len],
            Tx::Payload { token, pos, len } => match payload {
                Some((owner, data)) if owner == token => data.get(pos..len).unwrap_or_default(),
                _ => &ZEROS[..(len - pos).min(ZEROS.len())],
            },
        }
    }

    /// `n` bytes of [`tx_bytes`](Self::tx_bytes) were written at `now`.
    pub(crate) fn tx_done(&mut self, n: usize, now: u64) {
        if n > 0 {
            self.last_tx_ms = now;
            self.tx_flushed = false;
        }
        let was_pending = self.tx_pending();
        self.tx_state = match self.tx_state {
            Tx::Line { pos, len } if pos + n < len => Tx::Line { pos: pos + n, len },
            Tx::Payload { token, pos, len } if pos + n < len => Tx::Payload {
                token,
                pos: pos + n,
                len,
            },
            _ => Tx::Idle,
        };
        if was_pending && !self.tx_pending() {
            // The module has every byte now: its answer time starts.
            if let Some(f) = self.in_flight.as_mut() {
                f.deadline = now.saturating_add(u64::from(f.answer_ms));
            }
        }
    }

    /// `true` while bytes are still to be written.
    pub(crate) fn tx_pending(&self) -> bool {
        self.tx_state != Tx::Idle
    }

    /// `true` once every byte written has left the port: the port buffers
    /// what it is given (a UART's FIFO, a DMA ring), and silence on the
    /// line (the `+++` guard time, DTR) counts from the last byte on the
    /// wire, not from the last one handed over. Until then it asks the
    /// face to flush the port (`embedded_io::Write::flush`), after which
    /// the time of the last byte written is the flush's.
    pub(crate) fn drained(&mut self) -> bool {
        if self.tx_pending() {
            return false;
        }
        if !self.tx_flushed {
            self.flush_wanted = true;
        }
        self.tx_flushed
    }

    /// The face should flush the port now (see [`drained`](Self::drained)).
    pub(crate) fn take_flush_request(&mut self) -> bool {
        core::mem::take(&mut self.flush_wanted)
    }

    /// The face flushed the port at `now`.
    pub(crate) fn flushed(&mut self, now: u64) {
        self.tx_flushed = true;
        self.last_tx_ms = self.last_tx_ms.max(now);
    }

    /// Where the next port read should go: the line buffer, or, in the middle
    /// of a payload with nothing else buffered, the payload's ring.
    pub(crate) fn rx_space(&mut self) -> &mut [u8] {
        self.rx_in_ring = None;
        let remaining = self.framer.payload_remaining();
        if remaining > 0 && self.line_len == 0 {
            let open = |c: &ClientId| {
                !self.state.socket(*c).is_broken() && !self.socks[c.index()].has_gap()
            };
            if let Some(client) = self.sink.filter(open) {
                if !self.socks[client.index()].spare().is_empty() {
                    self.rx_in_ring = Some(client);
                    let spare = self.socks[client.index()].spare();
                    let n = spare.len().min(remaining);
                    return &mut spare[..n];
                }
            }
        }
        &mut self.line[self.line_len..]
    }

    /// `n` bytes were read into the last [`rx_space`](Self::rx_space) at `now`.
    pub(crate) fn rx_done(&mut self, n: usize, now: u64) {
        if n > 0 {
            self.seen.last_rx_ms = now;
            self.rx_total = self.rx_total.wrapping_add(n as u64);
        } else {
            // A read with nothing (a port whose `read_ready` cannot tell):
            // the line is quiet as surely as when it says so.
            self.seen.idle_ms = now;
        }
        match self.rx_in_ring.take() {
            Some(client) => {
                self.socks[client.index()].commit_unchecked(n);
                self.framer.skip_payload(n);
            }
            None => self.line_len = (self.line_len + n).min(LINE),
        }
    }

    /// The port had nothing to read at `now`.
    pub(crate) fn rx_idle(&mut self, now: u64) {
        self.seen.idle_ms = now;
    }

    /// The port had bytes at `now` and [`rx_space`](Self::rx_space) no room
    /// for them (a receive buffer its user does not empty, frames waiting
    /// for another operation): they wait for the engine, not for a face to
    /// look (see `flight::late`).
    pub(crate) fn rx_blocked(&mut self, now: u64) {
        self.seen.blocked_ms = now;
    }

    /// How long the line was seen quiet: from the last byte received to
    /// the last time the port had nothing more (time the engine spent
    /// elsewhere, bytes waiting unread in the port, does not count).
    pub(crate) fn seen_quiet_ms(&self) -> u64 {
        self.seen.idle_ms.saturating_sub(self.seen.last_rx_ms)
    }

    /// An answer due by `deadline` is late (see `flight::late`: only
    /// silence the faces saw counts, never time with the answer waiting
    /// unread in the port; a module that never stops talking is late
    /// `MAX_EXTENSION_MS` after the deadline all the same).
    pub(crate) fn answer_overdue(&self, now: u64, deadline: u64, answer_ms: u64) -> bool {
        flight::late(now, deadline, answer_ms, self.seen)
    }

    /// The faces saw the port with nothing to read at or after `deadline`,
    /// `answer_ms` after the last byte received: an answer due by then did
    /// not come (it is not waiting behind other bytes either).
    pub(crate) fn answer_quiet(&self, deadline: u64, answer_ms: u64) -> bool {
        self.seen.quiet(deadline, answer_ms)
    }

    /// When to look again at an answer due by `deadline` that is not late
    /// yet (see [`answer_overdue`](Self::answer_overdue)): once the line can
    /// have been quiet long enough, or a moment later for the port to be
    /// seen idle.
    pub(crate) fn answer_recheck_at(&self, now: u64, deadline: u64, answer_ms: u64) -> u64 {
        deadline
            .max(self.seen.last_rx_ms.saturating_add(answer_ms))
            .max(now.saturating_add(1))
    }

    /// `client` holds pushed bytes whose check waits for the module's next
    /// output (see [`Frame::PayloadEnd`]): nothing is being read for them.
    pub(crate) fn push_check_waits(&self, client: ClientId) -> bool {
        self.sink == Some(client)
            && self.socks[client.index()].unverified() > 0
            && self.framer.checking_trailer()
    }

    /// Time of the last byte received.
    pub(crate) fn last_rx_ms(&self) -> u64 {
        self.seen.last_rx_ms
    }

    /// Bytes received so far.
    pub(crate) fn rx_total(&self) -> u64 {
        self.rx_total
    }

    /// Time of the last byte written, or of the `CONNECT` that made the port
    /// transparent if later (the guard time before `+++` starts there).
    pub(crate) fn last_tx_ms(&self) -> u64 {
        self.last_tx_ms
    }

    /// Seconds of TLS negotiation allowed on `ctx` (for open timeouts).
    pub(crate) fn negotiate_time(&self, ctx: SslContextId) -> u16 {
        self.negotiate_s[ctx.index()]
    }

    /// Record `ctx`'s `negotiatetime`.
    pub(crate) fn set_negotiate_time(&mut self, ctx: SslContextId, seconds: NegotiateTime) {
        self.negotiate_s[ctx.index()] = seconds.get();
    }

    /// Record `ctx`'s `closetimemode` (`true`: milliseconds) and `dtls`
    /// (`None`: left as they were).
    pub(crate) fn set_context_modes(
        &mut self,
        ctx: SslContextId,
        close_in_ms: Option<bool>,
        dtls: Option<bool>,
    ) {
        let bit = 1u8 << ctx.index();
        for (mask, value) in [(&mut self.close_in_ms, close_in_ms), (&mut self.dtls, dtls)] {
            match value {
                Some(true) => *mask |= bit,
                Some(false) => *mask &= !bit,
                None => {}
            }
        }
    }

    /// `AT+QSSLCLOSE`'s timeout on `ctx` counts milliseconds.
    pub(crate) fn close_in_ms(&self, ctx: SslContextId) -> bool {
        self.close_in_ms & (1 << ctx.index()) != 0
    }

    /// The oldest event not yet taken.
    pub(crate) fn take_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn event(&mut self, event: Event) {
        push_event(&mut self.events, event);
    }

    /// Attach `ring` to `client` (on open).
    pub(crate) fn attach(&mut self, client: ClientId, ctx: SslContextId, ring: &'r mut [u8]) {
        debug!(
            "socket {}: opening, {} bytes to receive into",
            client.get(),
            ring.len()
        );
        self.socks[client.index()] = SocketData::new(ring, self.dtls & (1 << ctx.index()) != 0);
    }

    /// Detach `client`'s ring (on close); unread bytes are dropped.
    pub(crate) fn detach(&mut self, client: ClientId) {
        debug!("socket {}: closed", client.get());
        self.release(client);
        self.socks[client.index()] = SocketData::default();
        if self.sink == Some(client) {
            self.sink = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_waiting_unread_in_the_port_is_not_late() {
        let mut core: Core<'_, 64> = Core::new();
        core.rx_space()[0] = b'x';
        core.rx_done(1, 100);
        // Due at 1,000 with 500 ms of answer time: the clock alone is not
        // silence, the port must have been seen with nothing to read.
        assert!(!core.answer_overdue(5_000, 1_000, 500));
        assert_eq!(core.answer_recheck_at(5_000, 1_000, 500), 5_001);
        core.rx_idle(900);
        assert!(
            !core.answer_overdue(5_000, 1_000, 500),
            "seen idle before the deadline"
        );
        core.rx_idle(5_000);
        assert!(core.answer_overdue(5_000, 1_000, 500));
        assert!(
            !core.answer_overdue(999, 1_000, 500),
            "not before the deadline"
        );
        // A module that never stops talking is late a minute on: once the
        // port is found with nothing more to read that late. A minute in
        // which no face read it proves nothing (the answer may be there).
        core.rx_space()[0] = b'y';
        core.rx_done(1, 60_990);
        core.rx_idle(60_999);
        assert!(!core.answer_overdue(60_999, 1_000, 500));
        core.rx_space()[0] = b'y';
        core.rx_done(1, 61_000);
        assert!(
            !core.answer_overdue(61_000, 1_000, 500),
            "not found empty since"
        );
        core.rx_idle(61_000);
        assert!(core.answer_overdue(61_000, 1_000, 500));
    }

    #[test]
    fn a_closed_socket_drops_its_bytes_and_is_no_longer_where_a_payload_goes() {
        let (three, four) = (ClientId::new(3).unwrap(), ClientId::new(4).unwrap());
        let ctx = SslContextId::new(0).unwrap();
        let mut buf = [0u8; 8];
        let mut core: Core<'_, 64> = Core::new();
        core.attach(three, ctx, &mut buf);
        core.socks[three.index()].store(b"unread");
        core.sink = Some(four);
        core.detach(three);
        assert_eq!(core.sink, Some(four), "another socket's payload");
        assert_eq!(core.socks[three.index()].stored(), 0);
        core.sink = Some(three);
        core.detach(three);
        assert_eq!(core.sink, None);
    }

    #[cfg(any(feature = "async", feature = "nal"))]
    #[test]
    fn a_closed_sockets_buffer_is_kept_to_be_lent_again() {
        let three = ClientId::new(3).unwrap();
        let mut buf = [0u8; 8];
        let mut core: Core<'_, 64> = Core::new();
        core.attach(three, SslContextId::new(0).unwrap(), &mut buf);
        core.detach(three);
        assert_eq!(core.take_released(three).map(|b| b.len()), Some(8));
        assert_eq!(core.socks[three.index()].capacity(), 0);
    }
}
