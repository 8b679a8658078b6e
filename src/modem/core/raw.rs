//! Transparent mode in the core: the port's bytes are the peer's, except
//! `NO CARRIER` (the connection dropped) and, after an escape, the module's
//! `OK`, which are watched for here.

use super::urc::apply_closed;
use super::{Core, Event, Tx};
use crate::types::ClientId;

/// Patterns the core watches for in transparent-mode bytes.
const NO_CARRIER: &[u8] = b"\r\nNO CARRIER\r\n";
const ESCAPED_OK: &[u8] = b"\r\nOK\r\n";

/// How long held-back transparent bytes wait for the rest of a `NO CARRIER`
/// before they are released as data.
pub(super) const RELEASE_HELD_MS: u64 = 100;

impl<'r, const LINE: usize> Core<'r, LINE> {
    /// Bytes in the line buffer while the port is transparent: data for the
    /// connection's ring, except `NO CARRIER` (the connection dropped) or the
    /// `OK` that ends an escape, after which the rest is framed again.
    pub(super) fn pump_raw(&mut self) {
        let Some(client) = self.transparent_client() else {
            self.framer.leave_raw();
            return;
        };
        let mut used = 0;
        // While an escape waits for its `OK`, bytes are taken even with the
        // ring full: the `OK` may be among them (the user cannot read
        // meanwhile); what does not fit is dropped and counted, and reads
        // report it. The same when the line buffer holds the module's
        // `NO CARRIER` behind them: the module is in command mode already,
        // and the engine must not believe the port transparent (a write
        // would reach the module as command text) until the user has read.
        let carrier_ahead = self.raw_room() == 0 && self.carrier_ahead();
        while used < self.line_len && (self.raw_room() > 0 || self.watch_ok || carrier_ahead) {
            let byte = self.line[used];
            used += 1;
            if self.take_raw_byte(client, byte) {
                break;
            }
        }
        self.consume(used);
        if !self.held.is_empty()
            && !self.watch_ok
            && self.line_len == 0
            && self.seen_quiet_ms() >= RELEASE_HELD_MS
        {
            self.release_held(client, self.held.len());
        }
    }

    /// One transparent-mode byte; `true` when the port left transparent mode.
    fn take_raw_byte(&mut self, client: ClientId, byte: u8) -> bool {
        // `held` is always a proper prefix of a watched pattern.
        let _ = self.held.push(byte);
        if self.held.as_slice() == NO_CARRIER {
            self.held.clear();
            if let Tx::Payload { token, pos, .. } = self.tx_state {
                // The rest would reach the module as command text.
                self.raw_cut = Some((token, pos));
                self.tx_state = Tx::Idle;
            }
            self.framer.leave_raw();
            self.watch_ok = false;
            self.state.carrier_lost();
            apply_closed(&mut self.state, client);
            self.event(Event::Closed { client });
            // Transparent bytes the module had not taken are command text
            // to it now: its answers to them (chosen by the user's data)
            // must not be read as answers to the engine's commands.
            self.doubt(super::quarantine::Doubt::NoCarrier);
            return true;
        }
        if self.watch_ok && self.held.as_slice() == ESCAPED_OK {
            self.held.clear();
            self.watch_ok = false;
            self.escaped = true;
            self.framer.leave_raw();
            self.state.left_transparent();
            return true;
        }
        // Release bytes from the front until what is held may still start a
        // pattern.
        let mut release = 0;
        while release < self.held.len() && !self.may_start_pattern(&self.held[release..]) {
            release += 1;
        }
        self.release_held(client, release);
        false
    }

    /// The held bytes and the line buffer hold the whole `NO CARRIER`
    /// (what peer data could also hold, and would end the connection the
    /// same way with room in the ring).
    fn carrier_ahead(&self) -> bool {
        let line = &self.line[..self.line_len];
        let across = (1..=self.held.len().min(NO_CARRIER.len() - 1))
            .any(|k| self.held.ends_with(&NO_CARRIER[..k]) && line.starts_with(&NO_CARRIER[k..]));
        across || line.windows(NO_CARRIER.len()).any(|w| w == NO_CARRIER)
    }

    fn may_start_pattern(&self, held: &[u8]) -> bool {
        NO_CARRIER.starts_with(held) || (self.watch_ok && ESCAPED_OK.starts_with(held))
    }

    fn release_held(&mut self, client: ClientId, n: usize) {
        if n == 0 {
            return;
        }
        // A broken stream stores nothing: what comes is lost.
        let sound = !self.state.socket(client).is_broken();
        let sock = &mut self.socks[client.index()];
        let stored = if sound {
            sock.store(&self.held[..n])
        } else {
            0
        };
        sock.lost(n - stored);
        let rest = self.held.len() - n;
        self.held.copy_within(n.., 0);
        self.held.truncate(rest);
    }

    /// The connection the port carries, if it is transparent.
    fn transparent_client(&self) -> Option<ClientId> {
        match self.state.port() {
            crate::state::PortMode::Transparent(client) => Some(client),
            crate::state::PortMode::Command => None,
        }
    }

    /// Room the transparent connection's ring has: reads in transparent mode
    /// stop when it is full (back-pressure instead of loss).
    pub(crate) fn raw_room(&self) -> usize {
        self.transparent_client()
            .map_or(0, |c| self.socks[c.index()].free())
            .saturating_sub(self.held.len())
    }

    /// Write `bytes` as they are (the `+++` escape), outside any command.
    pub(crate) fn queue_raw(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.tx.len());
        self.tx[..n].copy_from_slice(&bytes[..n]);
        self.tx_state = Tx::Line { pos: 0, len: n };
    }

    /// A `+++` is being written: its three bytes must go out together.
    pub(crate) fn escape_pending(&self) -> bool {
        matches!(self.tx_state, Tx::Line { len: 3, .. }) && &self.tx[..3] == b"+++"
    }

    /// Write `len` bytes of the calling operation's payload raw (transparent
    /// mode); returns the token its [`payload`](super::ops::Op::payload)
    /// must carry.
    pub(crate) fn raw_payload(&mut self, len: usize) -> u32 {
        let token = self.next_token;
        self.next_token = self.next_token.wrapping_add(1).max(1);
        self.tx_state = if len == 0 {
            Tx::Idle
        } else {
            Tx::Payload { token, pos: 0, len }
        };
        token
    }

    /// How many bytes of the transparent write holding `token` were written
    /// before `NO CARRIER` cut it short, if it did.
    pub(crate) fn take_raw_cut(&mut self, token: u32) -> Option<usize> {
        let (cut, written) = self.raw_cut?;
        (cut == token).then(|| {
            self.raw_cut = None;
            written
        })
    }

    /// The connection the port carries, if it is transparent.
    pub(crate) fn transparent(&self) -> Option<ClientId> {
        self.transparent_client()
    }
}
