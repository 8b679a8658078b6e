//! Transparent mode: leaving it (`+++` with guard times, or DTR), coming
//! back (`ATO`, `AT+QISWTMD=<id>,2`), and moving raw bytes meanwhile.
//!
//! While the port is transparent every byte from the module is the peer's,
//! except two the core watches for: `NO CARRIER` (the connection dropped)
//! and, after an escape, the module's `OK`. A peer that sends exactly those
//! bytes at that moment is indistinguishable from the module: that is the
//! protocol's limit, not the driver's. For binary protocols prefer buffer or
//! direct-push mode.

use core::task::{ready, Poll};

use embedded_hal::digital::OutputPin;

use super::op::{Exchange, Op, Sealed};
use crate::command::ssl_socket::{AccessMode, ReturnToDataMode, SwitchAccessMode};
use crate::error::Error;
use crate::modem::core::{guard_with_margin, silence_threshold, Core, Kind};
use crate::state::SocketHandle;

pub use crate::modem::core::GUARD_TIME_MS;

/// How long the module may take to answer `OK` once the escape is complete.
const ESCAPE_ANSWER_MS: u64 = 2_000;

/// Leave transparent mode with `+++`: waits the guard time since the last
/// byte written (or since the `CONNECT`, if later: the module counts from
/// there), sends `+++`, waits the guard time again, and is done when
/// the module answers `OK`. The connection stays open in buffer mode; bytes
/// that arrived meanwhile are kept for [`Receive`](super::Receive), those that
/// did not fit the receive buffer counted and reported by it.
pub struct Escape {
    guard_ms: u32,
    phase: EscapePhase,
}

enum EscapePhase {
    Before,
    After,
    Answer(u64),
}

impl Escape {
    /// Escape with the module's 1 s guard time.
    pub fn new() -> Self {
        Self::with_guard(GUARD_TIME_MS)
    }

    /// Escape with another guard time (a simulator set up with a shorter
    /// one); a real module needs [`GUARD_TIME_MS`].
    pub fn with_guard(guard_ms: u32) -> Self {
        Self {
            guard_ms,
            phase: EscapePhase::Before,
        }
    }
}

impl Default for Escape {
    fn default() -> Self {
        Self::new()
    }
}

/// Wait for the module's `OK` after an escape.
fn await_ok<const L: usize>(
    core: &mut Core<'_, L>,
    now: u64,
    deadline: u64,
) -> Poll<Result<(), Error>> {
    core.poll_idle(now);
    if core.escaped {
        core.escaped = false;
        return Poll::Ready(Ok(()));
    }
    if core.transparent().is_none() {
        // The connection dropped (NO CARRIER) meanwhile: out all the same.
        core.watch_ok = false;
        return Poll::Ready(Ok(()));
    }
    // The `OK` may be waiting behind data still unread: only silence the
    // faces saw makes it late (a timed-out escape whose `OK` came after all
    // would leave the engine transparent with the module in command mode).
    if core.answer_overdue(now, deadline, ESCAPE_ANSWER_MS) {
        if core.answer_quiet(deadline, ESCAPE_ANSWER_MS) {
            // The line went quiet and no `OK` came: the module did not
            // take the escape, it is still transparent.
            core.watch_ok = false;
        }
        // Else the peer never stopped sending: the `OK` may still be
        // behind its bytes. It is still watched for (the port leaves
        // transparent mode when it comes), and nothing is written until
        // it comes or the line goes quiet (see `RawWrite`).
        return Poll::Ready(Err(Error::Timeout));
    }
    core.wake_at(core.answer_recheck_at(now, deadline, ESCAPE_ANSWER_MS));
    Poll::Pending
}

impl Sealed for Escape {}

impl<'r> Op<'r> for Escape {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        let guard = guard_with_margin(self.guard_ms);
        loop {
            match self.phase {
                EscapePhase::Before => {
                    core.poll_idle(now);
                    if core.transparent().is_none() {
                        return Poll::Ready(Ok(()));
                    }
                    if !core.drained() {
                        return Poll::Pending;
                    }
                    if now.saturating_sub(core.last_tx_ms()) < guard {
                        core.wake_at(core.last_tx_ms().saturating_add(guard));
                        return Poll::Pending;
                    }
                    core.escaped = false;
                    core.watch_ok = true;
                    core.escape_fresh = true;
                    core.queue_raw(b"+++");
                    self.phase = EscapePhase::After;
                }
                EscapePhase::After => {
                    core.poll_idle(now);
                    if !core.drained() || now.saturating_sub(core.last_tx_ms()) < guard {
                        if core.escaped {
                            self.phase = EscapePhase::Answer(now);
                            continue;
                        }
                        if core.drained() {
                            core.wake_at(core.last_tx_ms().saturating_add(guard));
                        }
                        return Poll::Pending;
                    }
                    self.phase = EscapePhase::Answer(now.saturating_add(ESCAPE_ANSWER_MS));
                }
                EscapePhase::Answer(deadline) => return await_ok(core, now, deadline),
            }
        }
    }
}

/// Leave transparent mode with DTR (after `AT&D1`): DTR goes OFF (high),
/// then ON (low) again; done when the module answers `OK`.
pub struct DtrEscape<'p, P> {
    pin: &'p mut P,
    phase: DtrPhase,
}

enum DtrPhase {
    Start,
    Off(u64),
    Answer(u64),
}

/// How long DTR stays OFF.
const DTR_PULSE_MS: u64 = 10;

impl<'p, P: OutputPin> DtrEscape<'p, P> {
    /// Toggle `pin`, the module's DTR input (low = ON).
    pub fn new(pin: &'p mut P) -> Self {
        Self {
            pin,
            phase: DtrPhase::Start,
        }
    }
}

impl<P: OutputPin> Sealed for DtrEscape<'_, P> {}

impl<'r, P: OutputPin> Op<'r> for DtrEscape<'_, P> {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        let pin_error = |_| Error::Io(embedded_io::ErrorKind::Other);
        loop {
            match self.phase {
                DtrPhase::Start => {
                    if core.transparent().is_none() {
                        return Poll::Ready(Ok(()));
                    }
                    // Bytes still on their way when DTR drops would reach
                    // the module as command text.
                    if !core.drained() {
                        return Poll::Pending;
                    }
                    core.escaped = false;
                    core.watch_ok = true;
                    self.pin.set_high().map_err(pin_error)?;
                    self.phase = DtrPhase::Off(now.saturating_add(DTR_PULSE_MS));
                }
                DtrPhase::Off(until) => {
                    core.poll_idle(now);
                    if now < until {
                        core.wake_at(until);
                        return Poll::Pending;
                    }
                    self.pin.set_low().map_err(pin_error)?;
                    self.phase = DtrPhase::Answer(now.saturating_add(ESCAPE_ANSWER_MS));
                }
                DtrPhase::Answer(deadline) => return await_ok(core, now, deadline),
            }
        }
    }
}

/// Return to transparent mode on a connection that left it: `ATO` if it is
/// the one that left last, else `AT+QISWTMD=<id>,2`. Done at `CONNECT`.
/// A socket opened in another mode with a receive buffer smaller than
/// transparent mode needs (64 bytes) is refused before anything is
/// written.
pub struct Resume {
    handle: SocketHandle,
    phase: ResumePhase,
}

enum ResumePhase {
    Start,
    Ato(Exchange<ReturnToDataMode>),
    Switch(Exchange<SwitchAccessMode>),
}

impl Resume {
    /// Resume transparent mode on `handle`.
    pub fn new(handle: SocketHandle) -> Self {
        Self {
            handle,
            phase: ResumePhase::Start,
        }
    }
}

impl Sealed for Resume {}

impl<'r> Op<'r> for Resume {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        let client = self.handle.client();
        let kind = Kind::Transparent(client);
        let result = match &mut self.phase {
            ResumePhase::Start => {
                // What a resync due finds (a socket that lost data) decides,
                // and `ATO` is chosen only when it is written at once: a
                // command still in flight may yet end in a doubt whose
                // resync forgets where `ATO` returns to.
                if core.busy() || core.resync_needed() {
                    core.poll_idle(now);
                    return Poll::Pending;
                }
                if let Err(e) = core.state.check_send(&self.handle) {
                    return Poll::Ready(Err(e));
                }
                // A stream that lost data delivers nothing after the gap.
                let socket = core.state.socket(client);
                if socket.is_broken() {
                    return Poll::Ready(Err(socket.broken_error()));
                }
                let data = &core.socks[client.index()];
                // Transparent mode needs the room it needs at open (see
                // `AccessMode::min_receive_buffer`).
                let min = AccessMode::Transparent.min_receive_buffer();
                if data.capacity() < min {
                    return Poll::Ready(Err(Error::param(
                        "receive buffer",
                        crate::error::ParamError::BufferTooSmall(min),
                    )));
                }
                self.phase = if core.state.last_transparent() == Some(client) {
                    ResumePhase::Ato(Exchange::with(ReturnToDataMode, kind, None))
                } else {
                    let switch = SwitchAccessMode {
                        client,
                        mode: AccessMode::Transparent,
                    };
                    ResumePhase::Switch(Exchange::with(switch, kind, None))
                };
                return self.poll(core, now);
            }
            ResumePhase::Ato(exchange) => ready!(exchange.poll(core, now)).map(drop),
            ResumePhase::Switch(exchange) => ready!(exchange.poll(core, now)).map(drop),
        };
        Poll::Ready(result)
    }
}

/// Read transparent-mode bytes; done with at least one byte, or 0 once the
/// connection dropped (`NO CARRIER`) and everything was read. Bytes an
/// escape had to drop (the receive buffer was full when it waited for its
/// `OK`) are reported as [`Error::PushOverflow`] after the bytes before
/// them.
pub struct RawRead<'b> {
    handle: SocketHandle,
    buf: &'b mut [u8],
}

impl<'b> RawRead<'b> {
    /// Read into `buf`.
    pub fn new(handle: SocketHandle, buf: &'b mut [u8]) -> Self {
        Self { handle, buf }
    }
}

impl Sealed for RawRead<'_> {}

impl<'r> Op<'r> for RawRead<'_> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        let client = self.handle.client();
        core.poll_idle(now);
        if let Err(e @ (Error::StaleHandle | Error::ModuleReset)) =
            core.state.check_handle(&self.handle)
        {
            return Poll::Ready(Err(e));
        }
        let socket = *core.state.socket(client);
        let data = &mut core.socks[client.index()];
        if data.available() > 0 || self.buf.is_empty() {
            return Poll::Ready(Ok(data.pop_stream(self.buf)));
        }
        if socket.is_broken() {
            return Poll::Ready(Err(socket.broken_error()));
        }
        if let Some(lost) = data.take_loss() {
            return Poll::Ready(Err(Error::PushOverflow(lost)));
        }
        if core.transparent() != Some(client) {
            return Poll::Ready(Ok(0));
        }
        Poll::Pending
    }
}

/// Write transparent-mode bytes as they are; done when all are written.
///
/// Transparent mode has no acknowledgement: "written" means handed to the
/// port. If `NO CARRIER` arrives meanwhile, the write stops and reports
/// the bytes written before it ([`Error::Closed`] if none); the bytes the
/// module had not taken when the connection dropped are lost with it, as
/// the tail of a TCP stream is when its peer goes away. The next command is
/// preceded by a probe that clears what the module made of them.
///
/// Data that holds `+++` never makes the module leave transparent mode:
/// when a run of `+` starts after a pause of about the guard time, its
/// third `+` waits until a guard time has passed since the first (the
/// module needs all three within one guard time), so such data is delayed,
/// never taken for an escape.
pub struct RawWrite<'d> {
    handle: SocketHandle,
    data: &'d [u8],
    /// Bytes written so far.
    done: usize,
    /// The piece being written: its token, length, and the time of the
    /// last byte written before it.
    piece: Option<(u32, usize, u64)>,
}

impl<'d> RawWrite<'d> {
    /// Write `data` to the peer.
    pub fn new(handle: SocketHandle, data: &'d [u8]) -> Self {
        Self {
            handle,
            data,
            done: 0,
            piece: None,
        }
    }
}

impl Sealed for RawWrite<'_> {}

impl<'r> Op<'r> for RawWrite<'_> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        core.poll_idle(now);
        if let Some((token, len, before)) = self.piece {
            if core.tx_pending() {
                return Poll::Pending;
            }
            if let Some(written) = core.take_raw_cut(token) {
                self.piece = None;
                // `NO CARRIER` came while the bytes went out: the rest was
                // not written (the module would have taken it as command
                // text).
                let total = self.done + written;
                return Poll::Ready(if total == 0 {
                    Err(Error::Closed)
                } else {
                    Ok(total)
                });
            }
            let piece = &self.data[self.done..self.done + len];
            // A `+` that starts the piece may start an escape candidate
            // (after a silence): its time is when it left the port, which
            // only a flush tells; the guard's timing is only as good as
            // that. Any other byte's time changes nothing in the guard
            // (only the first byte of a piece can follow a silence), so a
            // piece that starts otherwise goes on without emptying the
            // line.
            if piece.first() == Some(&b'+') && !core.drained() {
                return Poll::Pending;
            }
            self.piece = None;
            let (sent_at, guard) = (core.last_tx_ms(), core.guard_ms);
            core.plus_run.written(piece, sent_at, before, guard);
            self.done += len;
        }
        if self.done == self.data.len() {
            return Poll::Ready(Ok(self.done));
        }
        if core.transparent() != Some(self.handle.client()) {
            return Poll::Ready(if self.done == 0 {
                Err(Error::NotConnected)
            } else {
                Ok(self.done)
            });
        }
        if core.tx_pending() {
            return Poll::Pending;
        }
        let rest = &self.data[self.done..];
        let before = core.last_tx_ms();
        let first = core::mem::take(&mut core.escape_fresh);
        if first && core.watch_ok && now.saturating_sub(before) < silence_threshold(core.guard_ms) {
            // An escape was given up on right after its `+++` (the last
            // byte written): these bytes cancel it in the module, so no
            // `OK` will come; one in the peer's data is data.
            core.watch_ok = false;
        }
        if core.watch_ok {
            // An escape's `+++` went out with its guard time after it and
            // its `OK` has not come (the escape was given up, or timed out
            // behind a peer that never stopped): the module may be in
            // command mode, where these bytes would run as commands. They
            // wait for the `OK` (the port is then no longer transparent)
            // or for the line to stay quiet past the time it would have
            // come by (the module did not take the escape).
            let due = before
                .saturating_add(guard_with_margin(core.guard_ms))
                .saturating_add(ESCAPE_ANSWER_MS);
            if now < due || !core.answer_quiet(due, ESCAPE_ANSWER_MS) {
                core.wake_at(core.answer_recheck_at(now, due, ESCAPE_ANSWER_MS));
                return Poll::Pending;
            }
            core.watch_ok = false;
        }
        let len = core.plus_run.allowance(rest, now, before, core.guard_ms);
        if len == 0 {
            // A third `+` after a pause: it waits out the guard time.
            core.wake_at(core.plus_run.ready_at(core.guard_ms));
            return Poll::Pending;
        }
        self.piece = Some((core.raw_payload(len), len, before));
        Poll::Pending
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        self.piece
            .map(|(token, len, _)| (token, &self.data[self.done..self.done + len]))
    }
}
