//! What the module sends on its own, as the input asks: data from a peer
//! (pushed, held with a notice, or raw on a transparent port), a peer
//! closing, the PDP context lost, a reboot, an unrelated URC. Each is
//! recorded in the ledger as the truth the engine's events are checked
//! against.

use super::module::{Module, St};
use super::output::Output;

impl Module {
    /// Data from the peer of socket `c`. `later`: it goes out just before
    /// the module's next answer (between a command and its answer).
    pub fn peer_data(&mut self, c: u8, data: &[u8], later: bool, now: u64) {
        let sock = &mut self.socks[usize::from(c)];
        if sock.st != St::Connected {
            return;
        }
        let bit = 1u16 << c;
        let out = match (sock.mode, self.transparent) {
            (1, None) => {
                self.ledger.pushed |= bit;
                Output::push(c, data, sock.gen)
            }
            (0, None) => {
                sock.held.extend(data.iter().copied());
                self.ledger.notified |= bit;
                Output::text(format!("\r\n+QSSLURC: \"recv\",{c}\r\n").as_bytes())
            }
            (2, Some(t)) if t == c => {
                let out = Output::raw(data, sock.gen);
                self.emit(out, now);
                return;
            }
            _ => return,
        };
        if later {
            self.defer(out);
        } else {
            self.emit(out, now);
        }
    }

    /// The peer (or the network) closes socket `c`.
    pub fn peer_close(&mut self, c: u8, now: u64) {
        if self.socks[usize::from(c)].st != St::Connected {
            return;
        }
        // What the peer sent before it closed goes out before the close.
        self.flush(now);
        let out = match self.transparent {
            Some(t) if t == c => {
                self.transparent = None;
                // Read by an engine in transparent mode: as raw as data.
                Output::raw(b"\r\nNO CARRIER\r\n", None)
            }
            Some(_) => return,
            None => Output::text(format!("\r\n+QSSLURC: \"closed\",{c}\r\n").as_bytes()),
        };
        self.socks[usize::from(c)].st = St::Closing;
        self.ledger.closed |= 1 << c;
        self.emit(out, now);
    }

    /// The PDP context is lost: every connection on it closes.
    pub fn pdp_lost(&mut self, now: u64) {
        if !self.pdp || self.transparent.is_some() {
            return;
        }
        self.flush(now);
        self.pdp = false;
        self.ledger.pdp_lost = true;
        for (c, sock) in self.socks.iter_mut().enumerate() {
            if sock.st != St::Initial {
                sock.st = St::Closing;
                self.ledger.closed |= 1 << c;
            }
        }
        self.emit(Output::text(b"\r\n+QIURC: \"pdpdeact\",1\r\n"), now);
    }

    /// The module reboots: every connection, context and setting is gone.
    pub fn reboot(&mut self, now: u64) {
        if self.transparent.is_some() {
            // Its `RDY` would be data to an engine in transparent mode.
            return;
        }
        self.reset();
        self.ledger.rebooted = true;
        self.emit(Output::text(b"\r\nRDY\r\n"), now);
    }

    /// A URC the engine has no use for.
    pub fn chatter(&mut self, now: u64) {
        if self.transparent.is_none() {
            self.emit(Output::text(b"\r\n+QIND: SMS DONE\r\n"), now);
        }
    }
}
