//! What a face that runs the operations of several tasks at once needs
//! from the core (the async stack, [`crate::asynch`]): none of it changes
//! what the blocking and nb faces see.
//!
//! - **Turns.** While [`hold_starts`](Core::hold_starts) is on, no new
//!   command starts: the operation polled is not the next in line. Every
//!   refused start (held, or another command in flight, or a resync due) is
//!   remembered ([`take_wanted`](Core::take_wanted)), so the face knows who
//!   waits for the wire and can serve them in order.
//! - **Owners report their own timeouts.** With
//!   [`owner_polls`](Core::set_owner_polls), an overdue command is not
//!   orphaned by another operation's poll: its own operation reports
//!   [`Error::Timeout`](crate::Error::Timeout), or the face
//!   [abandons](Core::abandon) it when that operation is dropped.
//! - **Times.** An operation that waits for a time (a retry, a guard time,
//!   a quiet line) says until when ([`wake_at`](Core::wake_at)); the
//!   core's own deadlines are [`next_deadline`](Core::next_deadline). The
//!   face sleeps until the earliest, with no polling tick.
//! - **Buffers back.** A receive buffer detached from a closed socket is
//!   kept ([`take_released`](Core::take_released)) so that it can be lent
//!   again (feature `async`).

// Only the async stack uses this; the other faces leave it off.
#![cfg_attr(not(feature = "async"), allow(dead_code))]

use super::flight::ORPHAN_GRACE_MS;
use super::turns::due;
use super::Core;
use crate::types::ClientId;

impl<'r, const LINE: usize> Core<'r, LINE> {
    /// Refuse (`hold`) or allow new commands.
    pub(crate) fn hold_starts(&mut self, hold: bool) {
        self.sharing.hold = hold;
    }

    /// Whether a start was refused since the last call.
    pub(crate) fn take_wanted(&mut self) -> bool {
        core::mem::take(&mut self.sharing.wanted)
    }

    /// Leave overdue commands to their own operation (see the module docs).
    pub(crate) fn set_owner_polls(&mut self, on: bool) {
        self.sharing.owner_polls = on;
    }

    /// No command in flight, nothing to write: a command may start.
    pub(crate) fn idle(&self) -> bool {
        self.in_flight.is_none() && !self.tx_pending()
    }

    /// The token of the command in flight, unless it is an orphan.
    pub(crate) fn in_flight_token(&self) -> Option<u32> {
        self.in_flight
            .filter(|f| f.orphan_until.is_none())
            .map(|f| f.token)
    }

    /// The operation of the command holding `token` is gone: drain its
    /// answer as an orphan's.
    pub(crate) fn abandon(&mut self, token: u32, now: u64) {
        if self.in_flight_token() == Some(token) {
            debug!("command {}: abandoned by its caller", token);
            self.orphan(now.saturating_add(ORPHAN_GRACE_MS));
        }
    }

    /// An operation that returned `Pending` wants to be polled again at
    /// `at`, whatever the port does.
    pub(crate) fn wake_at(&mut self, at: u64) {
        let earliest = self.sharing.wake_at.map_or(at, |t| t.min(at));
        self.sharing.wake_at = Some(earliest);
    }

    /// The time asked for by [`wake_at`](Self::wake_at) since the last call.
    pub(crate) fn take_wake_at(&mut self) -> Option<u64> {
        self.sharing.wake_at.take()
    }

    /// The earliest time the core's own state changes with no byte moving:
    /// the command in flight becomes overdue, an orphan's grace ends, or
    /// held-back transparent bytes are released.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let command = self
            .in_flight
            .filter(|f| f.orphan_until.is_some() || !self.tx_pending())
            .map(|f| due(&f, self.seen.last_rx_ms));
        let held = (!self.held.is_empty()).then(|| {
            self.seen
                .last_rx_ms
                .saturating_add(super::raw::RELEASE_HELD_MS)
        });
        match (command, held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// An operation waits for the port to be flushed (see
    /// [`drained`](Self::drained)).
    pub(crate) fn flush_requested(&self) -> bool {
        self.flush_wanted
    }

    /// Events wait to be taken.
    pub(crate) fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Bytes in the line buffer not yet framed.
    pub(crate) fn line_len(&self) -> usize {
        self.line_len
    }

    /// Keep `client`'s receive buffer, which is being detached.
    pub(super) fn release(&mut self, client: ClientId) {
        #[cfg(any(feature = "async", feature = "nal"))]
        {
            self.sharing.released[client.index()] = self.socks[client.index()].take_buffer();
        }
        #[cfg(not(any(feature = "async", feature = "nal")))]
        let _ = client;
    }

    /// The receive buffer `client` had before it was closed, if it was
    /// lent since and not taken back yet.
    #[cfg(any(feature = "async", feature = "nal"))]
    pub(crate) fn take_released(&mut self, client: ClientId) -> Option<&'r mut [u8]> {
        self.sharing.released[client.index()].take()
    }
}

/// What the async stack reads of the core between polls: whose command is
/// in flight, when to wake, what waits to be taken.
#[cfg(test)]
mod tests {
    use super::super::flight::{Event, InFlight, Tx};
    use super::*;

    type TestCore = Core<'static, 64>;

    fn in_flight(token: u32, orphan_until: Option<u64>) -> InFlight {
        InFlight::plain(token, 1_000, orphan_until)
    }

    #[test]
    fn a_hold_makes_the_core_busy_and_a_refusal_is_taken_once() {
        let mut core = TestCore::new();
        core.hold_starts(true);
        assert!(core.busy());
        assert!(core.take_wanted());
        assert!(!core.take_wanted(), "taken");
        core.hold_starts(false);
        assert!(!core.busy());
        assert!(!core.take_wanted(), "nothing refused");
    }

    #[test]
    fn with_owner_polls_an_overdue_command_waits_for_its_own_operation() {
        for owner_polls in [false, true] {
            let mut core = TestCore::new();
            core.set_owner_polls(owner_polls);
            core.in_flight = Some(in_flight(7, None));
            core.rx_idle(2_000);
            core.poll_idle(2_000);
            let orphaned = core.in_flight.and_then(|f| f.orphan_until).is_some();
            assert_eq!(orphaned, !owner_polls, "owner polls: {owner_polls}");
        }
    }

    #[test]
    fn a_command_in_flight_has_an_owner_until_it_is_orphaned() {
        let mut core = TestCore::new();
        assert!(core.idle());
        assert_eq!(core.in_flight_token(), None);
        core.in_flight = Some(in_flight(7, None));
        assert!(!core.idle());
        assert_eq!(core.in_flight_token(), Some(7));
        core.in_flight = Some(in_flight(7, Some(2_000)));
        assert_eq!(core.in_flight_token(), None, "an orphan has no owner");
        core.in_flight = None;
        core.tx_state = Tx::Line { pos: 0, len: 3 };
        assert!(!core.idle(), "bytes still to write");
    }

    #[test]
    fn only_the_owner_abandons_its_command_which_drains_for_the_grace() {
        let mut core = TestCore::new();
        core.in_flight = Some(in_flight(7, None));
        core.abandon(8, 500);
        assert_eq!(core.in_flight.map(|f| f.orphan_until), Some(None));
        core.abandon(7, 500);
        assert_eq!(
            core.in_flight.and_then(|f| f.orphan_until),
            Some(500 + ORPHAN_GRACE_MS)
        );
        // An orphan has no owner left to abandon it again.
        core.abandon(7, 9_000);
        assert_eq!(
            core.in_flight.and_then(|f| f.orphan_until),
            Some(500 + ORPHAN_GRACE_MS)
        );
    }

    #[test]
    fn the_earliest_wake_asked_for_is_kept_and_taken_once() {
        let mut core = TestCore::new();
        assert_eq!(core.take_wake_at(), None);
        core.wake_at(300);
        core.wake_at(200);
        core.wake_at(400);
        assert_eq!(core.take_wake_at(), Some(200));
        assert_eq!(core.take_wake_at(), None);
        core.wake_at(900);
        assert_eq!(core.take_wake_at(), Some(900));
    }

    #[test]
    fn the_next_deadline_is_the_commands_once_written_or_the_held_bytes_release() {
        let mut core = TestCore::new();
        assert_eq!(core.next_deadline(), None);
        core.in_flight = Some(in_flight(7, None));
        assert_eq!(core.next_deadline(), Some(1_000));
        // A command still being written is not yet waiting for its answer.
        core.tx_state = Tx::Line { pos: 0, len: 3 };
        assert_eq!(core.next_deadline(), None);
        // An orphan's grace runs whatever is written.
        core.in_flight = Some(in_flight(7, Some(2_000)));
        assert_eq!(core.next_deadline(), Some(2_000));
        core.tx_state = Tx::Idle;
        core.in_flight = None;
        // Transparent bytes held back go out after a quiet line.
        core.rx_space()[0] = b'N';
        core.rx_done(1, 400);
        core.held.push(b'N').unwrap();
        assert_eq!(
            core.next_deadline(),
            Some(400 + super::super::raw::RELEASE_HELD_MS)
        );
        core.in_flight = Some(in_flight(7, None));
        assert_eq!(
            core.next_deadline(),
            Some(400 + super::super::raw::RELEASE_HELD_MS),
            "the earlier of the two"
        );
    }

    #[test]
    fn flush_requests_events_and_unframed_bytes_are_reported() {
        let mut core = TestCore::new();
        assert!(!core.flush_requested());
        core.tx_flushed = false;
        assert!(!core.drained());
        assert!(core.flush_requested());
        assert!(!core.has_events());
        core.events.push_back(Event::Rebooted).unwrap();
        assert!(core.has_events());
        assert_eq!(core.line_len(), 0);
        core.rx_space()[..3].copy_from_slice(b"+QS");
        core.rx_done(3, 10);
        assert_eq!(core.line_len(), 3);
    }
}
