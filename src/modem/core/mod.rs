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
mod pump;
mod raw;
mod resync;
mod sharing;
mod socket;
mod urc;

use core::task::Poll;

use super::ring::Ring;
use crate::command::{write_command, AtCommand, ResponseReader, MAX_COMMAND_LEN};
use crate::digest::{Expect, Frame, Framer};
use crate::error::{Error, SslErrorCode};
use crate::state::SessionState;
use crate::types::{ClientId, NegotiateTime, PdpContextId, SslContextId};
pub use escape_guard::GUARD_TIME_MS;
pub(crate) use escape_guard::{guard_with_margin, silence_threshold, PlusRun};
pub(crate) use resync::ModuleSocket;
use resync::ResyncState;
use sharing::Sharing;
pub(crate) use socket::SocketData;
use urc::push_event;
pub(crate) use urc::DnsAnswers;

/// Something the module reported on its own, kept for the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// `+QSSLOPEN`: an open finished.
    Opened {
        /// The socket.
        client: ClientId,
        /// The result (`Success` or an error code).
        result: SslErrorCode,
    },
    /// Buffer mode: data is waiting in the module.
    DataReady {
        /// The socket.
        client: ClientId,
    },
    /// The peer or the network closed a connection.
    Closed {
        /// The socket.
        client: ClientId,
    },
    /// A PDP context was lost.
    PdpDeactivated {
        /// The context.
        context: PdpContextId,
    },
    /// `+QIOPEN`: a plain TCP probe connected (`Success`) or failed.
    TcpOpened {
        /// The probe's `<connectID>`.
        id: ClientId,
        /// The result.
        result: SslErrorCode,
    },
    /// The module rebooted.
    Rebooted,
    /// Pushed data was dropped: the socket's receive buffer was full.
    PushOverflow {
        /// The socket.
        client: ClientId,
    },
}

/// What the command in flight made of a frame handed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fed {
    /// Part of its answer; more to come.
    Taken,
    /// The last frame of its answer.
    Done,
    /// Not its own: a URC (or a stray line read as one).
    NotMine,
}

/// What a command in flight is, for what the core does with its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any command: its frames go to its reader.
    Plain,
    /// `AT+QSSLRECV` for this socket: its payload goes to the socket's ring.
    Read(ClientId),
    /// `AT+QSSLSEND=<id>,<len>`: after the prompt, `len` bytes are owed.
    Send(ClientId, u16),
    /// `AT+QSSLOPEN` in transparent mode, `AT+QISWTMD=<id>,2` or `ATO`:
    /// `CONNECT` puts the port in transparent mode for this socket.
    Transparent(ClientId),
    /// A command of the resync (`ops::Resync`): the only kind that may be
    /// written while a resync is due.
    Resync,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    token: u32,
    kind: Kind,
    /// How long the module may take to answer once it has every byte.
    answer_ms: u32,
    /// When the answer is late: set when the last byte has been written.
    deadline: u64,
    /// Its operation gave up (timed out, or was dropped and expired): its
    /// frames are dropped until its result code, or until this time.
    orphan_until: Option<u64>,
    /// What must come before its success: a read's `+QSSLRECV:` line or
    /// payload, a send's prompt. A success without it answers something
    /// else (a stray result code).
    answered: bool,
}

impl InFlight {
    /// The module has been silent for the whole answer time since the
    /// command's last byte went out *and* since the last byte it sent: the
    /// answer is late. Bytes still arriving (the answer itself on a slow
    /// line, or URCs and pushes queued in front of it) hold the deadline
    /// off, so only the module's latency is counted, never line time.
    ///
    /// A module that never stops talking cannot hold a command forever:
    /// past [`MAX_EXTENSION_MS`] after the deadline it is overdue anyway.
    ///
    /// Silence is what the faces saw: the port found with nothing to read
    /// (`rx_idle_ms`) after the deadline, the whole answer time after the
    /// last byte. Time the caller spent elsewhere, with the answer waiting
    /// unread in the port, is no silence.
    fn overdue(&self, now: u64, last_rx_ms: u64, rx_idle_ms: u64) -> bool {
        let quiet = rx_idle_ms >= self.deadline
            && rx_idle_ms.saturating_sub(last_rx_ms) >= u64::from(self.answer_ms);
        now >= self.deadline && (quiet || now >= self.deadline.saturating_add(MAX_EXTENSION_MS))
    }
}

/// Where the next bytes written come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    Idle,
    /// The command line in `tx[pos..len]`.
    Line {
        pos: usize,
        len: usize,
    },
    /// The payload of the operation holding `token`, `pos` of `len` written.
    Payload {
        token: u32,
        pos: usize,
        len: usize,
    },
}

/// What a log shows of a command line: the command and its first
/// parameter, up to the first comma (`AT+QICSGP=1`, `AT+QSSLCFG="psk"`,
/// `AT+QFDEL="RAM:ca.pem"`). Never what follows, where user names,
/// passwords, PSK identities and keys are.
fn command_label(line: &[u8]) -> &str {
    let end = line
        .iter()
        .position(|&b| b == b',' || b == b'\r')
        .unwrap_or(line.len());
    core::str::from_utf8(&line[..end]).unwrap_or("?")
}

/// Grace given to a late answer after its command timed out.
const ORPHAN_GRACE_MS: u64 = 500;

/// How far bytes that keep arriving can hold off a deadline (or an
/// orphan's grace): a minute of line time is 57 kB at 9,600 baud, more than
/// any module queues in front of an answer.
const MAX_EXTENSION_MS: u64 = 60_000;

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
    last_rx_ms: u64,
    /// The last time the port was found with nothing to read.
    rx_idle_ms: u64,
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
            last_rx_ms: 0,
            rx_idle_ms: 0,
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
                let sock = &self.socks[c.index()];
                !sock.broken && sock.gap.is_none()
            };
            if let Some(client) = self.sink.filter(open) {
                if !self.socks[client.index()].ring.spare().is_empty() {
                    self.rx_in_ring = Some(client);
                    let spare = self.socks[client.index()].ring.spare();
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
            self.last_rx_ms = now;
            self.rx_total = self.rx_total.wrapping_add(n as u64);
        }
        match self.rx_in_ring.take() {
            Some(client) => {
                let sock = &mut self.socks[client.index()];
                sock.ring.commit(n);
                sock.unverified += n;
                self.framer.skip_payload(n);
            }
            None => self.line_len = (self.line_len + n).min(LINE),
        }
    }

    /// The port had nothing to read at `now`.
    pub(crate) fn rx_idle(&mut self, now: u64) {
        self.rx_idle_ms = now;
    }

    /// How long the line was seen quiet: from the last byte received to
    /// the last time the port had nothing more (time the engine spent
    /// elsewhere, bytes waiting unread in the port, does not count).
    pub(crate) fn seen_quiet_ms(&self) -> u64 {
        self.rx_idle_ms.saturating_sub(self.last_rx_ms)
    }

    /// `client` holds pushed bytes whose check waits for the module's next
    /// output (see [`Frame::PayloadEnd`]): nothing is being read for them.
    pub(crate) fn push_check_waits(&self, client: ClientId) -> bool {
        self.sink == Some(client)
            && self.socks[client.index()].unverified > 0
            && self.framer.checking_trailer()
    }

    /// Time of the last byte received.
    pub(crate) fn last_rx_ms(&self) -> u64 {
        self.last_rx_ms
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

    // ----- the operations' side: commands -----------------------------------

    /// Send `cmd` with an answer time of `answer_ms`: refused while the port
    /// is transparent; `Pending` while another command is in flight (a live
    /// one is waited for, an expired one is drained). Returns the token that
    /// identifies the command to [`poll_response`](Self::poll_response).
    ///
    /// Only the encoding is generic; the rest is shared by every command
    /// (one copy in flash).
    pub(crate) fn start_with_timeout<C: AtCommand>(
        &mut self,
        cmd: &C,
        kind: Kind,
        answer_ms: u32,
        now: u64,
    ) -> Poll<Result<u32, Error>> {
        match self.ready_to_start(kind, now) {
            Poll::Ready(Ok(())) => {}
            other => return other.map(|r| r.map(|()| 0)),
        }
        let line = if C::DATA_PHASE {
            None
        } else {
            match write_command(cmd, &mut self.tx) {
                0 => return Poll::Ready(Err(Error::Overflow)),
                n => Some((n, cmd.expectation())),
            }
        };
        Poll::Ready(Ok(self.started(line, kind, answer_ms, now)))
    }

    /// `Ready(Ok)` once a new command may be written: nothing in flight, and
    /// no resync due (unless `kind` is the resync's own). A refusal is
    /// remembered for a face that serves callers in turn (see `sharing`).
    fn ready_to_start(&mut self, kind: Kind, now: u64) -> Poll<Result<(), Error>> {
        let ready = self.may_start(kind, now);
        if ready.is_pending() && kind != Kind::Resync {
            self.sharing.wanted = true;
        }
        ready
    }

    fn may_start(&mut self, kind: Kind, now: u64) -> Poll<Result<(), Error>> {
        if let Err(e) = self.state.check_command() {
            return Poll::Ready(Err(e));
        }
        if self.sharing.hold && kind != Kind::Resync {
            return Poll::Pending;
        }
        if let Some(f) = self.in_flight {
            if f.orphan_until.is_none() {
                if !f.overdue(now, self.last_rx_ms, self.rx_idle_ms) || self.sharing.owner_polls {
                    return Poll::Pending;
                }
                self.orphan(now.saturating_add(ORPHAN_GRACE_MS));
            }
            self.pump(now, &mut |_| Fed::NotMine);
            // The orphan's `CONNECT` may have made the port transparent:
            // a command line now would reach the peer.
            if let Err(e) = self.state.check_command() {
                return Poll::Ready(Err(e));
            }
        }
        if self.in_flight.is_some() || self.tx_pending() {
            return Poll::Pending;
        }
        if self.resync.needed && kind != Kind::Resync {
            // The face runs the resync first.
            self.pump(now, &mut |_| Fed::NotMine);
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }

    /// A command was encoded into `tx` (`line`: its length and what it
    /// expects; `None` for a data phase, which writes no line): it is in
    /// flight under the returned token.
    fn started(
        &mut self,
        line: Option<(usize, Expect)>,
        kind: Kind,
        answer_ms: u32,
        now: u64,
    ) -> u32 {
        let token = self.next_token;
        self.next_token = self.next_token.wrapping_add(1).max(1);
        if let Kind::Read(client) = kind {
            self.last_read = Some(client);
        }
        // A result code expected with no command in flight comes before the
        // next command, or not at all.
        self.resync.unowned = 0;
        if let Some((len, expect)) = line {
            self.framer.set_expect(expect);
            self.tx_state = Tx::Line { pos: 0, len };
            debug!(
                "command {}: {} ({} bytes)",
                token,
                command_label(&self.tx[..len]),
                len
            );
        }
        self.in_flight = Some(InFlight {
            token,
            kind,
            answer_ms,
            deadline: now.saturating_add(u64::from(answer_ms)),
            orphan_until: None,
            answered: false,
        });
        token
    }

    /// The operation holding `token` writes its `len` payload bytes now
    /// (after a prompt or `CONNECT`), then waits up to `timeout_ms` for the
    /// answer.
    pub(crate) fn start_payload(&mut self, token: u32, len: usize, timeout_ms: u32, now: u64) {
        trace!("command {}: payload of {} bytes", token, len);
        self.tx_state = if len == 0 {
            Tx::Idle
        } else {
            Tx::Payload { token, pos: 0, len }
        };
        let deadline = now.saturating_add(u64::from(timeout_ms));
        match self.in_flight.as_mut().filter(|f| f.token == token) {
            Some(f) => {
                f.answer_ms = timeout_ms;
                f.deadline = deadline;
            }
            None => {
                self.in_flight = Some(InFlight {
                    token,
                    kind: Kind::Plain,
                    answer_ms: timeout_ms,
                    deadline,
                    orphan_until: None,
                    answered: true,
                })
            }
        }
    }

    /// Read frames until the answer to the command holding `token` is
    /// complete, handling everything else (URCs, pushed data) on the way.
    pub(crate) fn poll_response<C: AtCommand>(
        &mut self,
        token: u32,
        cmd: &C,
        reader: &mut ResponseReader<C>,
        now: u64,
    ) -> Poll<Result<C::Response, Error>> {
        let mut answer = None;
        let polled = self.read_answer(token, now, &mut |frame| {
            let frame = match *frame {
                Frame::Urc(line) if cmd.claims_urc(line) => Frame::Line(line),
                Frame::Urc(_) => return Fed::NotMine,
                Frame::Line(line) if !cmd.owns_line(line) => return Fed::NotMine,
                other => other,
            };
            answer = reader.feed(cmd, &frame);
            if answer.is_some() {
                Fed::Done
            } else {
                Fed::Taken
            }
        });
        let result = match polled {
            Poll::Ready(Ok(())) => answer.map_or(Poll::Pending, Poll::Ready),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        };
        #[cfg(any(feature = "log", feature = "defmt"))]
        if let Poll::Ready(Err(e)) = &result {
            debug!("command {}: failed: {:?}", token, e);
        }
        result
    }

    /// The shared part of [`poll_response`](Self::poll_response): hand the
    /// command's frames to `on_cmd`; `Ready(Ok)` once it took the last one.
    fn read_answer(
        &mut self,
        token: u32,
        now: u64,
        on_cmd: &mut dyn FnMut(&Frame<'_>) -> Fed,
    ) -> Poll<Result<(), Error>> {
        if self.reset_token == Some(token) {
            return Poll::Ready(Err(Error::ModuleReset));
        }
        if let Some(failed) = self.failed_answer(token) {
            return failed;
        }
        match self.in_flight {
            Some(f) if f.token == token && f.orphan_until.is_none() => {}
            _ => return Poll::Ready(Err(Error::Busy)),
        }
        if self.tx_pending() {
            return Poll::Pending;
        }
        if self.pump(now, on_cmd) {
            trace!("command {}: answered", token);
            return Poll::Ready(Ok(()));
        }
        if self.reset_token == Some(token) {
            return Poll::Ready(Err(Error::ModuleReset));
        }
        if let Some(failed) = self.failed_answer(token) {
            return failed;
        }
        match self.in_flight {
            Some(f) if f.token == token && f.overdue(now, self.last_rx_ms, self.rx_idle_ms) => {
                warn!("command {} timed out", token);
                self.orphan(now.saturating_add(ORPHAN_GRACE_MS));
                Poll::Ready(Err(Error::Timeout))
            }
            _ => Poll::Pending,
        }
    }

    /// The answer of the command holding `token` was lost to a framing
    /// doubt: its error, once the payload it owes is written.
    fn failed_answer(&mut self, token: u32) -> Option<Poll<Result<(), Error>>> {
        if !matches!(&self.resync.failed, Some((t, _)) if *t == token) {
            return None;
        }
        if self.tx_pending() {
            return Some(Poll::Pending);
        }
        self.take_failed(token).map(|e| Poll::Ready(Err(e)))
    }

    /// Handle whatever has arrived (URCs, pushed data). While another
    /// operation's command is in flight its frames wait for it, unless it is
    /// overdue: then it becomes an orphan and is drained.
    pub(crate) fn poll_idle(&mut self, now: u64) {
        if let Some(f) = self.in_flight {
            if f.orphan_until.is_none() {
                if !f.overdue(now, self.last_rx_ms, self.rx_idle_ms)
                    || self.tx_pending()
                    || self.sharing.owner_polls
                {
                    return;
                }
                self.orphan(now.saturating_add(ORPHAN_GRACE_MS));
            }
        }
        self.pump(now, &mut |_| Fed::NotMine);
    }

    /// The token of an `AT+QSSLRECV` for `client` in flight whose operation
    /// may have been dropped (an nb caller that made a new read): a new read
    /// of the same socket can take it over, since its payload goes to the
    /// socket's ring whoever waits for it.
    pub(crate) fn read_in_flight(&self, client: ClientId) -> Option<u32> {
        self.in_flight
            .filter(|f| f.orphan_until.is_none() && f.kind == Kind::Read(client))
            .map(|f| f.token)
    }

    /// `true` while a command is in flight (another operation must wait),
    /// or while new commands are held (see `sharing`).
    pub(crate) fn busy(&mut self) -> bool {
        let busy = self.in_flight.is_some() || self.tx_pending() || self.sharing.hold;
        self.sharing.wanted |= busy;
        busy
    }

    /// The command in flight is abandoned: drain its answer until `until`.
    fn orphan(&mut self, until: u64) {
        if let Some(f) = self.in_flight.as_mut() {
            f.orphan_until = Some(f.orphan_until.map_or(until, |u| u.min(until)));
        }
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
        self.socks[client.index()] = SocketData {
            ring: Ring::new(ring),
            datagram: self.dtls & (1 << ctx.index()) != 0,
            ..SocketData::default()
        };
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
