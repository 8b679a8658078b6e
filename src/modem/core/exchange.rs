//! The operations' side of a command: starting it (one at a time, never
//! while the port is transparent or a resync is due), its payload after a
//! prompt, reading its answer, and what happens to one that is overdue.

use core::task::Poll;

use super::flight::{command_label, Fed, InFlight, Kind, Tx, ORPHAN_GRACE_MS};
use super::Core;
use crate::command::{write_command, AtCommand, ResponseReader};
use crate::digest::{Expect, Frame};
use crate::error::Error;
use crate::types::ClientId;

impl<'r, const LINE: usize> Core<'r, LINE> {
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
    pub(super) fn ready_to_start(&mut self, kind: Kind, now: u64) -> Poll<Result<(), Error>> {
        let ready = self.may_start(kind, now);
        if ready.is_pending() && kind != Kind::Resync {
            self.sharing.wanted = true;
        }
        ready
    }

    pub(super) fn may_start(&mut self, kind: Kind, now: u64) -> Poll<Result<(), Error>> {
        if let Err(e) = self.state.check_command() {
            return Poll::Ready(Err(e));
        }
        if self.sharing.hold && kind != Kind::Resync {
            return Poll::Pending;
        }
        if let Some(f) = self.in_flight {
            if f.orphan_until.is_none() {
                if !self.answer_overdue(now, f.deadline, u64::from(f.answer_ms))
                    || self.sharing.owner_polls
                {
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
    pub(super) fn started(
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
    pub(super) fn read_answer(
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
            Some(f)
                if f.token == token
                    && self.answer_overdue(now, f.deadline, u64::from(f.answer_ms)) =>
            {
                warn!("command {} timed out", token);
                self.orphan(now.saturating_add(ORPHAN_GRACE_MS));
                Poll::Ready(Err(Error::Timeout))
            }
            _ => Poll::Pending,
        }
    }

    /// The answer of the command holding `token` was lost to a framing
    /// doubt: its error, once the payload it owes is written.
    pub(super) fn failed_answer(&mut self, token: u32) -> Option<Poll<Result<(), Error>>> {
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
                if !self.answer_overdue(now, f.deadline, u64::from(f.answer_ms))
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
    pub(super) fn orphan(&mut self, until: u64) {
        if let Some(f) = self.in_flight.as_mut() {
            f.orphan_until = Some(f.orphan_until.map_or(until, |u| u.min(until)));
        }
    }
}

/// The hooks a face serving several callers in turn relies on (`sharing`):
/// what holds a start back, what is remembered of a refusal, and when a
/// command in flight is left to its own operation.
#[cfg(test)]
mod tests {
    use super::*;

    type TestCore = Core<'static, 64>;

    #[test]
    fn a_hold_stops_every_start_but_the_resyncs_and_the_refusal_is_remembered() {
        let mut core = TestCore::new();
        assert_eq!(core.ready_to_start(Kind::Plain, 0), Poll::Ready(Ok(())));
        assert!(!core.sharing.wanted, "a start that may go wants nothing");
        core.sharing.hold = true;
        assert_eq!(core.ready_to_start(Kind::Resync, 0), Poll::Ready(Ok(())));
        assert!(!core.sharing.wanted);
        assert_eq!(core.ready_to_start(Kind::Plain, 0), Poll::Pending);
        assert!(core.sharing.wanted);
    }

    #[test]
    fn a_refused_resync_is_not_a_callers_wish() {
        let mut core = TestCore::new();
        core.tx_state = Tx::Line { pos: 0, len: 3 };
        assert_eq!(core.ready_to_start(Kind::Resync, 0), Poll::Pending);
        assert!(!core.sharing.wanted);
    }

    #[test]
    fn the_core_is_busy_with_a_command_its_bytes_or_a_hold_and_says_so_once_asked() {
        let mut core = TestCore::new();
        assert!(!core.busy());
        assert!(!core.sharing.wanted);
        core.sharing.hold = true;
        assert!(core.busy());
        core.sharing.hold = false;
        assert!(!core.busy());
        assert!(core.sharing.wanted, "a refusal stays wanted until taken");
        core.tx_state = Tx::Line { pos: 0, len: 3 };
        assert!(core.busy());
        core.tx_state = Tx::Idle;
        core.in_flight = Some(in_flight(1_000));
        assert!(core.busy());
    }

    fn in_flight(deadline: u64) -> InFlight {
        InFlight::plain(1, deadline, None)
    }

    /// A core whose command (due at 1,000) is overdue at 2,000: the port
    /// was seen quiet since.
    fn overdue() -> TestCore {
        let mut core = TestCore::new();
        core.in_flight = Some(in_flight(1_000));
        core.rx_idle(2_000);
        assert!(core.answer_overdue(2_000, 1_000, 300));
        core
    }

    #[test]
    fn idling_leaves_an_overdue_command_to_its_operation_when_it_polls_its_own() {
        let mut core = overdue();
        core.sharing.owner_polls = true;
        core.poll_idle(2_000);
        assert_eq!(core.in_flight.map(|f| f.orphan_until), Some(None));
        assert_eq!(core.may_start(Kind::Plain, 2_000), Poll::Pending);
        assert_eq!(core.in_flight.map(|f| f.orphan_until), Some(None));
    }

    #[test]
    fn idling_makes_an_overdue_command_an_orphan_once_its_bytes_are_out() {
        let mut core = overdue();
        core.tx_state = Tx::Line { pos: 0, len: 3 };
        core.poll_idle(2_000);
        assert_eq!(
            core.in_flight.map(|f| f.orphan_until),
            Some(None),
            "still writing"
        );
        core.tx_state = Tx::Idle;
        core.poll_idle(2_000);
        let until = core.in_flight.and_then(|f| f.orphan_until);
        assert_eq!(until, Some(2_000 + ORPHAN_GRACE_MS));
    }
}
