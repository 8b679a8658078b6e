//! Finding footing again after a framing doubt, at a point no remote peer
//! can fake.
//!
//! The framer trusts lengths: a payload of `n` bytes is `n` bytes, whatever
//! they hold. When that trust breaks (the bytes after a payload are not its
//! line end, an announcement is impossible, a line is longer than any the
//! module prints or holds bytes it never prints, a result code answers
//! nothing, `RDY` sits inside a payload's span, `NO CARRIER` cut a
//! transparent write), the bytes that follow may be the rest of a payload:
//! bytes a remote peer chose. Read as lines they could pose as a
//! `+QSSLURC: "recv"` for another socket, a `RDY`, an `OK`.
//!
//! So, from the doubt on, the core *quarantines* the stream: every frame is
//! dropped, none is taken as a URC, an answer or data. The command in
//! flight fails ([`Error::Desynchronized`], or [`Error::Overflow`] for an
//! over-long line), and so does the socket whose data was being framed.
//! Before the next command the engine runs its resync (`ops::Resync`):
//! echo on, then a harmless command carrying a nonce the engine chose at
//! that moment. Only the module's echo of that exact line ends the
//! quarantine; a peer, who never sees the serial line, cannot send it. The
//! engine then turns echo off and asks the module for every socket's state
//! and the PDP contexts, so that what the quarantine dropped (a peer close,
//! a lost context, a reboot, a mode switch given up and answered late) is
//! learnt again; a socket switched unseen lost what came after its
//! `CONNECT` and fails with [`Error::Desynchronized`]. Buffer-mode sockets are read
//! again (their data waits in the module); a direct-push socket whose push
//! was seen in the quarantine, or swallowed by the misframed payload, lost
//! data for good and fails with [`Error::Desynchronized`]. Every other
//! socket keeps its data and goes on.

use core::task::Poll;

use super::quarantine::{Doubt, ModuleSocket, ECHO_MAX};
use super::{Core, Kind, Tx};
use crate::command::ssl_socket::{AccessMode, SocketState};
use crate::command::{write_command, AtCommand};
use crate::error::Error;
use crate::types::{ClientId, PdpContextId};

impl<'r, const LINE: usize> Core<'r, LINE> {
    /// Stop trusting the stream: quarantine it, fail the command in flight
    /// and the socket whose data was being framed, and ask for a resync.
    pub(crate) fn doubt(&mut self, why: Doubt) {
        warn!("framing doubt ({:?}): resynchronising", why);
        let error = if why == Doubt::Overlong {
            Error::Overflow
        } else {
            Error::Desynchronized
        };
        let payload_open = self.framer.payload_remaining() > 0 || self.framer.checking_trailer();
        if let Some(f) = self.in_flight.take() {
            if f.orphan_until.is_none() {
                self.resync.failed = Some((f.token, error.clone()));
            }
            match f.kind {
                // A read whose payload came and passed its check keeps it:
                // only its `OK` is lost (the read reports what it got).
                // Before that, the module's answer is lost with its data.
                Kind::Read(client) => {
                    let verified =
                        f.answered && !payload_open && self.socks[client.index()].unverified() == 0;
                    if !verified {
                        self.desync(client);
                    }
                }
                Kind::Send(client, _) => {
                    self.desync(client);
                    // Its prompt may still come: the module would take the
                    // next bytes as the payload.
                    if !matches!(self.tx_state, Tx::Payload { .. }) {
                        self.resync.late_prompt = true;
                    }
                }
                // Its `CONNECT` may come in the quarantine, and be dropped
                // with the peer's bytes after it: that connection lost data.
                Kind::Transparent(client) => {
                    self.resync.maybe_transparent = true;
                    self.desync(client);
                }
                _ => {}
            }
        }
        if payload_open {
            if let Some(client) = self.sink {
                self.desync(client);
            }
        }
        if let Some(client) = self.sink.take() {
            // What the misframed payload swallowed may hold another
            // socket's push: that socket's data is lost.
            let sock = &self.socks[client.index()];
            self.resync.suspects |= sock.unchecked_pushes_named();
            // Its own bytes are in doubt: those kept unchecked, and all
            // of them when its check failed (`Trailer`), even with none
            // kept (a full receive buffer dropped them, and the overflow
            // counted only the announced length, not what followed).
            if sock.unverified() > 0 || why == Doubt::Trailer {
                self.desync(client);
            }
        }
        if why == Doubt::LatePrompt {
            self.resync.late_prompt = true;
        }
        if !matches!(self.tx_state, Tx::Payload { .. }) {
            // A command line cut short is ended by the resync's CR.
            self.tx_state = Tx::Idle;
        }
        self.framer.set_quarantine(true);
        self.resync.quarantine = true;
        self.resync.needed = true;
        self.resync.echo.clear();
    }

    /// Direct-push sockets whose push the quarantine dropped, or the
    /// misframed payload swallowed, lost data for good: they fail, before
    /// any later push of theirs is stored.
    pub(super) fn fail_suspects(&mut self) {
        let suspects = core::mem::take(&mut self.resync.suspects);
        for client in ClientId::all() {
            let socket = self.state.socket(client);
            let pushed =
                socket.state != SocketState::Initial && socket.mode == AccessMode::DirectPush;
            if pushed && suspects & (1 << client.index()) != 0 {
                self.desync(client);
            }
        }
    }

    /// `client`'s stream can't be trusted: drop its unchecked bytes, and
    /// make it report [`Error::Desynchronized`] after the bytes before.
    pub(crate) fn desync(&mut self, client: ClientId) {
        self.socks[client.index()].drop_unverified();
        self.state.stream_broken(client, true);
    }

    /// The engine wrote something (a `+++` in command mode) whose result
    /// code, if any, comes with no command in flight.
    pub(crate) fn expect_unowned_result(&mut self) {
        self.resync.unowned = self.resync.unowned.saturating_add(1);
    }

    /// A result code with no command in flight: expected (see
    /// [`expect_unowned_result`](Self::expect_unowned_result)), or stray.
    pub(super) fn unowned_result_is_stray(&mut self) -> bool {
        match self.resync.unowned.checked_sub(1) {
            Some(left) => {
                self.resync.unowned = left;
                false
            }
            None => true,
        }
    }

    /// `true` while a resync must run before any other command.
    pub(crate) fn resync_needed(&self) -> bool {
        self.resync.needed
    }

    /// The resync writes `cmd` as its probe: only the module's echo of
    /// its line (without the CR) ends the quarantine.
    pub(crate) fn expect_echo<C: AtCommand>(&mut self, cmd: &C) {
        let mut line = [0u8; ECHO_MAX + 1];
        let n = write_command(cmd, &mut line);
        self.resync.echo.clear();
        let _ = self
            .resync
            .echo
            .extend_from_slice(&line[..n.saturating_sub(1)]);
        if !self.resync.quarantine {
            // The stream is trusted up to here: a push being counted (its
            // announcement read before) ends and is checked as usual.
            self.resync.quarantine = true;
            self.framer.set_quarantine_after_payload();
        }
    }

    /// `true` while frames are dropped.
    pub(crate) fn quarantine(&self) -> bool {
        self.resync.quarantine
    }

    /// A number no peer can guess: the engine's token counter, its byte
    /// count, the time and the resyncs so far, mixed.
    pub(crate) fn nonce(&mut self, now: u64) -> u64 {
        self.resync.count = self.resync.count.wrapping_add(1);
        let mut x = now
            ^ self.rx_total.rotate_left(17)
            ^ (u64::from(self.next_token) << 32)
            ^ u64::from(self.resync.count).rotate_left(47);
        // splitmix64's finaliser.
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// Write `cmd`'s line after a CR (which ends whatever line the module
    /// was left with), outside any command: nothing will be read as its
    /// answer (the resync's `ATE1`, whose answer the quarantine drops).
    pub(crate) fn queue_unanswered<C: AtCommand>(&mut self, cmd: &C) {
        self.tx[0] = b'\r';
        let n = write_command(cmd, &mut self.tx[1..]);
        self.tx_state = Tx::Line { pos: 0, len: n + 1 };
    }

    /// The module's echo was turned off (`true`) or on: see
    /// [`Doubt::Echo`].
    pub(crate) fn echo_set(&mut self, off: bool) {
        self.resync.echo_off = off;
    }

    /// Result-code-like lines seen in the quarantine so far.
    pub(crate) fn results_seen(&self) -> u32 {
        self.resync.results_seen
    }

    /// The resync wrote ESC for a prompt that may be pending.
    pub(crate) fn take_late_prompt(&mut self) -> bool {
        core::mem::take(&mut self.resync.late_prompt)
    }

    /// The resync escapes a transparent mode the module may be in.
    pub(crate) fn take_maybe_transparent(&mut self) -> bool {
        core::mem::take(&mut self.resync.maybe_transparent)
    }

    /// The command holding `token` was failed by a doubt: its error, once.
    pub(super) fn take_failed(&mut self, token: u32) -> Option<Error> {
        match &self.resync.failed {
            Some((t, _)) if *t == token => self.resync.failed.take().map(|(_, e)| e),
            _ => None,
        }
    }

    /// The resync is through: the module reported `sockets` and the PDP
    /// contexts in `active_pdp` (bit `i`: context `i + 1`). What the
    /// quarantine may have dropped is made good.
    pub(crate) fn resynced(&mut self, sockets: &[ModuleSocket], active_pdp: u16, now: u64) {
        self.resync.needed = false;
        let open = |c: ClientId| sockets.iter().find(|s| s.0 == c).map(|s| s.1);
        let mode = |c: ClientId| sockets.iter().find(|s| s.0 == c).map(|s| s.2);
        let mine: heapless::Vec<ClientId, 12> = self.state.open_sockets().collect();
        let lost: heapless::Vec<PdpContextId, 16> = PdpContextId::all()
            .filter(|&p| self.state.pdp_active(p) && active_pdp & (1 << p.index()) == 0)
            .collect();
        let active_before = PdpContextId::all()
            .filter(|&p| self.state.pdp_active(p))
            .count();
        let all_gone = !mine.is_empty() && mine.iter().all(|&c| open(c).is_none());
        if all_gone && active_before > 0 && lost.len() == active_before {
            // Every socket and context gone at once: the module rebooted
            // (its `RDY` was dropped, or swallowed by a payload).
            self.rebooted(now);
            return;
        }
        for ctx in lost {
            {
                self.state.pdp_deactivated(ctx);
                self.event(super::Event::PdpDeactivated { context: ctx });
            }
        }
        self.fail_suspects();
        // The quarantine may have hidden a `CONNECT` or an escape: which
        // connection the module's `ATO` returns to is not known any more.
        self.state.forget_last_transparent();
        for client in mine {
            if let Some(reported) = mode(client) {
                if !self.state.mode_reported(client, reported) {
                    // A switch the quarantine hid: what came after its
                    // `CONNECT` (or as pushes) was dropped with it.
                    warn!("resync: socket {} was switched unseen", client.get());
                    self.desync(client);
                }
            }
            let socket = *self.state.socket(client);
            match open(client) {
                None | Some(SocketState::Initial) => {
                    // The module has no such connection any more.
                    self.desync(client);
                    self.state.peer_closed(client);
                }
                Some(SocketState::Closing) if socket.cause.is_none() => {
                    self.state.peer_closed(client);
                    self.state.set_module_may_hold_data(client, true);
                    self.event(super::Event::Closed { client });
                }
                _ => {}
            }
            if socket.mode == AccessMode::Buffer {
                // Its notices may have been dropped (a close by a lost
                // context too: what it received waits in the module).
                // Only a buffer-mode socket's data is read with commands.
                self.state.set_module_may_hold_data(client, true);
            }
        }
        debug!("resync: done");
    }

    /// Wait until a resync may start: no command in flight, nothing left
    /// to write. Drains what arrives meanwhile.
    pub(crate) fn resync_ready(&mut self, now: u64) -> Poll<()> {
        if self.in_flight.is_some() {
            self.poll_idle(now);
        }
        if self.in_flight.is_some() || self.tx_pending() {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Core;

    /// The nonce of a core whose inputs are these.
    fn nonce(now: u64, rx_total: u64, next_token: u32, count: u32) -> u64 {
        let mut core: Core<'_, 64> = Core::new();
        core.rx_total = rx_total;
        core.next_token = next_token;
        core.resync.count = count;
        core.nonce(now)
    }

    // Inputs with both values in most bits: an input mixed in by `|` or
    // `&` instead of `^` hides some of another's bits.
    const NOW: u64 = 0x0123_4567_89AB_CDEF;
    const RX: u64 = 0xF0E1_D2C3_B4A5_9687;
    const TOKEN: u32 = 0x5A5A_A5A5;
    const COUNT: u32 = 0x3C3C_C3C3;

    #[test]
    fn every_bit_of_every_input_changes_about_half_the_nonce() {
        let base = nonce(NOW, RX, TOKEN, COUNT);
        let mut flipped = [0u32; 4];
        for bit in 0..64 {
            let mut changed = [
                nonce(NOW ^ (1 << bit), RX, TOKEN, COUNT),
                nonce(NOW, RX ^ (1 << bit), TOKEN, COUNT),
                0,
                0,
            ];
            if bit < 32 {
                changed[2] = nonce(NOW, RX, TOKEN ^ (1 << bit), COUNT);
                // The count goes up by one before it is mixed in.
                changed[3] = nonce(NOW, RX, TOKEN, ((COUNT + 1) ^ (1 << bit)).wrapping_sub(1));
            }
            for (input, n) in changed.iter().enumerate() {
                if bit >= 32 && input >= 2 {
                    continue;
                }
                let bits = (base ^ n).count_ones();
                assert!(
                    (14..=50).contains(&bits),
                    "input {input}, bit {bit}: {bits} bits"
                );
                flipped[input] += bits;
            }
        }
        // On average half of the 64.
        assert!(
            flipped[0] / 64 >= 28 && flipped[0] / 64 <= 36,
            "{flipped:?}"
        );
    }

    #[test]
    fn a_doubt_ends_a_command_line_cut_short_but_not_a_payload_owed() {
        use super::super::quarantine::Doubt;
        use super::super::Tx;
        // A command line cut short: the resync's CR ends it.
        let mut core: Core<'_, 64> = Core::new();
        core.tx_state = Tx::Line { pos: 2, len: 9 };
        core.doubt(Doubt::Binary);
        assert_eq!(core.tx_state, Tx::Idle);
        // A payload the module is waiting for at its prompt: its bytes are
        // owed whatever follows (else the resync's lines would be taken
        // as payload), and no prompt is to come.
        let mut core: Core<'_, 64> = Core::new();
        let owed = Tx::Payload {
            token: 1,
            pos: 4,
            len: 10,
        };
        core.tx_state = owed;
        core.in_flight = Some(send());
        core.doubt(Doubt::Binary);
        assert_eq!(core.tx_state, owed);
        assert!(!core.resync.late_prompt);
        // A send whose prompt has not come: it may still, and is cancelled.
        let mut core: Core<'_, 64> = Core::new();
        core.in_flight = Some(send());
        core.doubt(Doubt::Binary);
        assert!(core.resync.late_prompt);
    }

    fn send() -> super::super::flight::InFlight {
        super::super::flight::InFlight {
            token: 1,
            kind: super::super::Kind::Send(crate::types::ClientId::new(0).unwrap(), 10),
            answer_ms: 5_000,
            deadline: 0,
            orphan_until: None,
            answered: false,
        }
    }

    #[test]
    fn a_probe_written_on_a_trusted_stream_starts_the_quarantine() {
        // (A resync that stopped short after its probe's echo runs again
        // on a stream trusted since: from its probe on, frames are
        // dropped until the new echo.)
        let mut core: Core<'_, 64> = Core::new();
        assert!(!core.quarantine());
        core.expect_echo(&crate::command::device::At);
        assert!(core.quarantine());
        assert!(core.framer.in_quarantine(), "no payload open: at once");
        assert_eq!(&core.resync.echo[..], b"AT");
    }

    #[test]
    fn a_resync_waits_for_the_command_in_flight_and_the_bytes_still_owed() {
        use core::task::Poll;
        let mut core: Core<'_, 64> = Core::new();
        assert_eq!(core.resync_ready(0), Poll::Ready(()));
        // A payload owed at the module's prompt (a doubt keeps it, see
        // above): written first.
        core.tx_state = super::super::Tx::Payload {
            token: 1,
            pos: 4,
            len: 10,
        };
        assert_eq!(core.resync_ready(0), Poll::Pending);
        core.tx_state = super::super::Tx::Idle;
        // A command in flight, not late yet: waited for.
        core.in_flight = Some(super::super::flight::InFlight {
            deadline: 1_000,
            ..send()
        });
        assert_eq!(core.resync_ready(0), Poll::Pending);
    }

    #[test]
    fn the_mix_is_splitmix64s_finaliser() {
        // Inputs that mix to 0 (the count wraps to 0 as it goes up): the
        // first output of splitmix64 seeded with 0, as published with it.
        assert_eq!(nonce(0, 0, 0, u32::MAX), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn nonces_are_as_often_one_as_zero_bit_by_bit() {
        let ones: u32 = (0..256u64)
            .map(|i| nonce(NOW.wrapping_add(i), RX, TOKEN, COUNT).count_ones())
            .sum();
        // 256 × 64 bits: half are ones, give or take 5 %.
        assert!((7_782..=8_602).contains(&ones), "{ones} of 16,384 bits");
    }
}
