//! The user's side of the `engine` target: each operation polled through
//! the nb face, its outcome checked against the ledger; and the end of a
//! run, where every connection is read out.

use quectel_ssl::command::device::At;
use quectel_ssl::command::ssl_socket::{
    AccessMode, GetLastError, GetSslState, ListSslStates, OpenSslSocket,
};
use quectel_ssl::modem::ops;
use quectel_ssl::{ClientId, Error, HostName, PdpContextId, SslContextId};

use super::input::{self, Source};
use super::module::GUARD_MS;
use super::{Harness, Live};

/// What every answer of the module names as the peer's address: forged
/// answers inside payloads name another.
const ADDRESS: &str = "1.2.3.4";

impl Harness<'_> {
    /// A connection the user holds (stale ones included), by an input byte.
    fn pick(&self, byte: u8) -> Option<Live> {
        self.live
            .get(usize::from(byte) % self.live.len().max(1))
            .copied()
    }

    fn tainted_state(&self) -> bool {
        self.modem.port().module.ledger.state_tainted
    }

    pub(super) fn init(&mut self) {
        self.need_init = false;
        let mut init = ops::Init::with_guard(GUARD_MS as u32);
        self.run(&mut init, 200);
    }

    pub(super) fn open(&mut self, src: &mut Source<'_>, polls: u32) {
        let (c, m, size) = (src.byte(), src.byte(), src.byte());
        let client = ClientId::new(if c & 0x80 != 0 { c % 12 } else { c % 4 }).unwrap();
        let mode = [
            AccessMode::Buffer,
            AccessMode::DirectPush,
            AccessMode::Transparent,
        ][usize::from(m) % 3];
        let Some(ring) = self.rings.pop() else {
            return;
        };
        let len = match size % 4 {
            0 => 1 + usize::from(size >> 2) % 64,
            1 => 64 + usize::from(size),
            _ => ring.len(),
        };
        let (ring, _) = ring.split_at_mut(len);
        let cmd = OpenSslSocket::new(
            PdpContextId::new(1).unwrap(),
            SslContextId::new(0).unwrap(),
            client,
            HostName::new("example.com").unwrap(),
            443,
            mode,
        )
        .unwrap();
        if let Some(Ok(handle)) = self.run(&mut ops::Open::new(cmd, ring), polls) {
            let module = &self.modem.port().module;
            let gen = module.socks[client.index()].gen;
            assert!(
                gen.is_some() || module.ledger.state_tainted,
                "socket {}: the open succeeded, but the module never opened it",
                client.get()
            );
            trace!("  socket {} open (gen {gen:?})", client.get());
            self.live.push(Live { handle, gen });
        }
    }

    pub(super) fn read(&mut self, src: &mut Source<'_>, polls: u32) {
        let (pick, len) = (src.byte(), src.byte());
        let Some(live) = self.pick(pick) else { return };
        let mut buf = vec![0; 1 + usize::from(len) * 6];
        let result = self.run(&mut ops::Receive::new(live.handle, &mut buf), polls);
        self.settle_read(live, result, &buf, true);
    }

    pub(super) fn raw_read(&mut self, src: &mut Source<'_>, polls: u32) {
        let (pick, len) = (src.byte(), src.byte());
        let Some(live) = self.pick(pick) else { return };
        let mut buf = vec![0; 1 + usize::from(len) * 6];
        let result = self.run(&mut ops::RawRead::new(live.handle, &mut buf), polls);
        // `Ok(0)` from a raw read is no end of stream: the port left
        // transparent mode (escape or drop).
        self.settle_read(live, result, &buf, false);
    }

    /// A read's outcome, in the ledger.
    fn settle_read(
        &mut self,
        live: Live,
        result: Option<Result<usize, Error>>,
        buf: &[u8],
        eof: bool,
    ) {
        trace!(
            "  read on socket {} (gen {:?}): {result:?}",
            live.handle.client().get(),
            live.gen
        );
        let Some(gen) = live.gen else { return };
        let client = live.handle.client().index();
        let module = &mut self.modem.port_mut().module;
        let held = match module.socks[client].gen {
            Some(g) if g == gen => module.socks[client].held.len(),
            _ => 0,
        };
        match result {
            Some(Ok(0)) if eof && !buf.is_empty() => module.ledger.ended(gen, held),
            Some(Ok(n)) => module.ledger.delivered(gen, &buf[..n]),
            Some(Err(e)) => module.ledger.failed(gen, &e),
            None => {}
        }
    }

    pub(super) fn write(&mut self, src: &mut Source<'_>, polls: u32, single: bool) {
        let (pick, sel) = (src.byte(), src.byte());
        let Some(live) = self.pick(pick) else { return };
        let len = input::payload_len(src, sel).min(1460);
        let data = input::user_data(src, len);
        let result = if single {
            self.run(&mut ops::SendOnce::new(live.handle, &data), polls)
        } else {
            self.run(&mut ops::Transmit::new(live.handle, &data, 20, 200), polls)
        };
        if let (Some(Ok(n)), Some(gen)) = (result, live.gen) {
            assert!(
                n <= data.len(),
                "a write reports {n} of {} bytes",
                data.len()
            );
            self.module().ledger.acked(gen, &data[..n]);
        }
    }

    pub(super) fn close(&mut self, src: &mut Source<'_>, polls: u32) {
        let Some(live) = self.pick(src.byte()) else {
            return;
        };
        let result = self.run(&mut ops::Close::new(live.handle, None), polls);
        if let (Some(Ok(())), Some(gen)) = (result, live.gen) {
            self.module().ledger.gens[gen].closed = true;
        }
    }

    pub(super) fn command(&mut self, src: &mut Source<'_>, polls: u32) {
        let (which, c) = (src.byte(), ClientId::new(src.byte() % 12).unwrap());
        let forged = |address: &str| address != ADDRESS;
        match which % 4 {
            0 => {
                self.run(&mut ops::Command::new(At), polls);
            }
            1 => {
                if let Some(Ok(last)) = self.run(&mut ops::Command::new(GetLastError), polls) {
                    assert!(
                        last.code.is_success() || self.tainted_state(),
                        "AT+QIGETERROR answered {last:?}, which the module never sent"
                    );
                }
            }
            2 => {
                if let Some(Ok(list)) = self.run(&mut ops::Command::new(ListSslStates), polls) {
                    assert!(
                        !list.iter().any(|s| forged(&s.remote_address)) || self.tainted_state(),
                        "AT+QSSLSTATE answered a line the module never sent: {list:?}"
                    );
                }
            }
            _ => {
                let cmd = ops::Command::new(GetSslState { client: c });
                if let Some(Ok(status)) = self.run(&mut { cmd }, polls) {
                    assert!(
                        !status.0.iter().any(|s| forged(&s.remote_address)) || self.tainted_state(),
                        "AT+QSSLSTATE={} answered a line the module never sent",
                        c.get()
                    );
                }
            }
        }
    }

    pub(super) fn raw_write(&mut self, src: &mut Source<'_>, polls: u32) {
        let (pick, sel) = (src.byte(), src.byte());
        let Some(live) = self.pick(pick) else { return };
        let len = input::payload_len(src, sel);
        let mut data = input::user_data(src, len);
        // Runs of `+`, the escape's bytes, at the start and inside.
        if sel & 0x40 != 0 {
            let at = src.below(data.len() + 1);
            data.splice(at..at, *b"+++");
        }
        if sel & 0x20 != 0 {
            data.splice(0..0, *b"+++");
        }
        self.module().user_writing = true;
        self.run(&mut ops::RawWrite::new(live.handle, &data), polls);
        self.module().user_writing = false;
    }

    /// An escape is polled to its end (it ends on its own, a guard time
    /// and its answer time after the `+++`): one dropped after its `+++`
    /// went out leaves the module's mode unknown to the engine, which
    /// cannot tell an escape that happened from one the next bytes
    /// cancelled.
    pub(super) fn escape(&mut self) {
        self.run(&mut ops::Escape::with_guard(GUARD_MS as u32), 200);
    }

    pub(super) fn resume(&mut self, src: &mut Source<'_>, polls: u32) {
        let Some(live) = self.pick(src.byte()) else {
            return;
        };
        self.run(&mut ops::Resume::new(live.handle), polls);
    }

    pub(super) fn activate_pdp(&mut self, polls: u32) {
        let pdp = PdpContextId::new(1).unwrap();
        self.run(&mut ops::ActivatePdp::new(pdp), polls);
    }

    /// The end of a run: the line is clean again, the module answers at
    /// once; every connection the user holds is read out. One that falls
    /// short of what the module framed for it must have reported an error.
    pub(super) fn finish(&mut self) {
        let now = self.now();
        let module = self.module();
        module.fault = None;
        module.latency = 0;
        module.flush(now);
        // The line and the port at full speed: what the engine still has
        // to write (a resync's escape and probe) goes out whole.
        self.modem.port_mut().rate = 0;
        self.modem.port_mut().accept = 0;
        if self.need_init {
            self.init();
        }
        // Out of transparent mode, what arrived there read first.
        if let quectel_ssl::state::PortMode::Transparent(c) = self.modem.state().port() {
            if let Some(live) = self.live.iter().rev().find(|l| l.handle.client() == c) {
                let live = *live;
                for _ in 0..64 {
                    let mut buf = [0u8; 256];
                    let result = self.run(&mut ops::RawRead::new(live.handle, &mut buf), 8);
                    let more = matches!(result, Some(Ok(n)) if n > 0);
                    self.settle_read(live, result, &buf, false);
                    if !more {
                        break;
                    }
                }
            }
            self.escape();
        }
        // Long enough for any command left in flight by a dropped
        // operation to be answered or given up (a transparent open waits
        // up to 150 s plus a negotiation time of up to 300 s).
        // Each wait ends once the engine has nothing more to move: what
        // it writes a few bytes a call (a resync's escape and probe) goes
        // out whole, its answers are read. Twice in a row: `Idle` is done
        // when a poll brought nothing new, and the poll that gave a
        // command up (its deadline passed with the port's bytes waiting
        // for it) frees room only for the next one to read into.
        for _ in 0..10 {
            self.advance(60_000);
            let mut still = 0;
            for _ in 0..1_000 {
                let moved = self.modem.port().moved;
                self.run(&mut ops::Idle::default(), 50);
                self.check();
                still = if self.modem.port().moved == moved {
                    still + 1
                } else {
                    0
                };
                if still == 2 {
                    break;
                }
                self.advance(1);
            }
        }
        self.check_port_mode();
        let live: Vec<Live> = self.live.clone();
        for l in live {
            self.read_out(l);
        }
        self.check();
    }

    /// Read connection `l` until it ends, fails, or nothing more comes.
    fn read_out(&mut self, l: Live) {
        let Some(gen) = l.gen else { return };
        let client = l.handle.client().index();
        let held = |module: &super::Module| match module.socks[client].gen {
            Some(g) if g == gen => module.socks[client].held.len(),
            _ => 0,
        };
        // As many reads as it takes (a small receive buffer reads a few
        // bytes at a time), while each brings something.
        let owed = {
            let module = &self.modem.port().module;
            let g = &module.ledger.gens[gen];
            g.framed.len().saturating_sub(g.cursor) + held(module)
        };
        for _ in 0..owed + 16 {
            if self.need_init {
                self.init();
            }
            let mut buf = [0u8; 1500];
            let result = self.run(&mut ops::Receive::new(l.handle, &mut buf), 120);
            let more = matches!(result, Some(Ok(n)) if n > 0);
            self.settle_read(l, result, &buf, true);
            let module = &self.modem.port().module;
            let g = &module.ledger.gens[gen];
            if !more || (g.cursor >= g.framed.len() && held(module) == 0) {
                break;
            }
        }
        let module = &self.modem.port().module;
        let held = held(module);
        let ledger = &module.ledger;
        let g = &ledger.gens[gen];
        if !ledger.data_tainted && !g.failed && !g.closed {
            assert!(
                g.cursor == g.framed.len() && held == 0,
                "socket {}: read {} of {} framed bytes ({} more in the module), and no error \
                 said why (a silent loss)",
                g.client,
                g.cursor,
                g.framed.len(),
                held
            );
        }
    }
}
