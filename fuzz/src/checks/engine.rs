//! `engine`: the whole session engine ([`Modem`] and its operations, polled
//! through [`Modem::poll_op`]) against a simulated module, with the module's
//! side generated from the input and corrupted on the way.
//!
//! The input is a program: each action takes one byte and a few parameter
//! bytes (a finished input reads as zeros). User actions poll an operation
//! (`Open`, `Read`, `Write`, `Send`, `Close`, `Idle`, `Command`, `RawRead`,
//! `RawWrite`, `Escape`, `Resume`, `ActivatePdp`, `Init`) until it is done
//! or its poll budget runs out (then it is dropped, as an nb caller may),
//! time moving between polls. Module actions make the peer send data
//! (hostile: protocol text, `RDY`, forged pushes and answers inside
//! payloads), close, lose the PDP context, reboot; or arm a fault of the
//! line for the next output, set the module's latency, the line rate, the
//! chunking of reads and of writes. See [`module`] and [`output`].
//!
//! Checked, always: nothing panics; every poll returns (a bounded number of
//! port calls); the module's backlog stays bounded (the engine keeps
//! reading); the engine's command lines stay within `MAX_COMMAND_LEN`; the
//! engine's transparent data never forms a `+++` escape.
//!
//! Checked while no fault happened that the protocol cannot detect, or that
//! can pass for an answer (a stray result code; see [`output`]): every byte
//! a read returns is the next byte the module
//! framed for that connection (a prefix of its data: nothing wrong,
//! duplicated, reordered or forged; `PushOverflow(n)` skips the `n` bytes
//! dropped); a stream ends (`Ok(0)`) only after everything framed for it
//! was read; at the end, every connection the user did not close is read
//! out, and one that falls short must have reported an error.
//!
//! And, on the same condition: every event the
//! engine reports is one the module sent outside any payload (no forged
//! `"closed"`, `+QSSLOPEN`, `"pdpdeact"` or `RDY`); a socket closed by the
//! peer or by a PDP loss was closed so by the module; an open succeeds only
//! if the module opened the socket; a write succeeds only if the module
//! took exactly its bytes; `AT+QIGETERROR` and `AT+QSSLSTATE` answers are
//! the module's (never the forged ones inside payloads).

/// Print what happens when [`trace_engine`] is on.
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::checks::engine::TRACE.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!($($arg)*);
        }
    };
}

mod answers;
mod input;
mod ledger;
mod module;
mod output;
mod peer;
mod port;
mod user;

use std::cell::Cell;
use std::rc::Rc;

use quectel_ssl::modem::ops::Op;
use quectel_ssl::modem::Config;
use quectel_ssl::state::{CloseCause, PortMode};
use quectel_ssl::{ClientId, Error, Modem};

use input::Source;
use module::{Module, GUARD_MS};
use output::Fault;
use port::{FuzzClock, Port};

static TRACE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Print every action, every byte written and read, every output and fault
/// (to follow an input that fails).
pub fn trace_engine(on: bool) {
    TRACE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Receive buffers one input may open sockets with.
const RINGS: usize = 10;
/// Size of each (a direct-push socket needs 1500).
const RING_LEN: usize = 1536;

/// A connection the user holds.
#[derive(Debug, Clone, Copy)]
struct Live {
    handle: quectel_ssl::SocketHandle,
    /// Its connection in the ledger (`None`: the module never opened it,
    /// possible only after a fault that changes answers).
    gen: Option<usize>,
}

struct Harness<'r> {
    modem: Modem<'r, Port, FuzzClock>,
    clock: Rc<Cell<u64>>,
    rings: Vec<&'r mut [u8]>,
    live: Vec<Live>,
    /// The module rebooted: `Init` before anything else.
    need_init: bool,
}

/// `engine`: see the module docs.
pub fn check_engine(data: &[u8]) {
    let mut src = Source::new(data);
    let setup = src.byte();
    let clock = Rc::new(Cell::new(0));
    let port = Port::new(Module::new(setup & 1 != 0), clock.clone(), src.byte());
    let config = Config {
        guard_ms: GUARD_MS as u32,
        write_chunk: match src.byte() {
            0..=127 => 256,
            n => usize::from(n % 32) + 1,
        },
        send_retry_ms: 20,
        send_timeout_ms: 200,
        ..Config::default()
    };
    let mut pool = vec![0u8; RINGS * RING_LEN];
    let mut h = Harness {
        modem: Modem::with_config(port, FuzzClock(clock.clone()), config),
        clock,
        rings: pool.chunks_mut(RING_LEN).collect(),
        live: Vec::new(),
        need_init: setup & 2 != 0,
    };
    while !src.is_empty() {
        if h.need_init {
            h.init();
        }
        h.action(&mut src);
        h.check();
    }
    h.finish();
}

impl<'r> Harness<'r> {
    fn module(&mut self) -> &mut Module {
        &mut self.modem.port_mut().module
    }

    fn now(&self) -> u64 {
        self.clock.get()
    }

    /// Let `ms` pass.
    fn advance(&mut self, ms: u64) {
        self.clock.set(self.clock.get() + ms);
        self.modem.port_mut().tick();
    }

    /// Poll `op` up to `polls` times, time moving between polls (1, 2, 4
    /// ... ms, doubling every 8 polls, at most 2 s): its result, or `None`
    /// if it was still pending (it is dropped).
    fn run<O: Op<'r>>(&mut self, op: &mut O, polls: u32) -> Option<Result<O::Output, Error>> {
        for i in 0..polls {
            self.modem.port_mut().start_poll();
            match self.modem.poll_op(op) {
                Ok(v) => {
                    trace!("  done");
                    return Some(Ok(v));
                }
                Err(nb::Error::Other(e)) => {
                    trace!("  failed: {e:?}");
                    if e == Error::ModuleReset {
                        self.need_init = true;
                    }
                    return Some(Err(e));
                }
                Err(nb::Error::WouldBlock) => self.advance((1u64 << (i / 8)).min(2000)),
            }
        }
        None
    }

    /// One action of the input.
    fn action(&mut self, src: &mut Source<'_>) {
        let a = src.byte();
        let polls = 4 + u32::from(a >> 5) * 28;
        trace!("@{} action {} (polls {polls})", self.now(), a % 24);
        match a % 24 {
            0 | 1 => self.open(src, polls),
            2..=4 => self.read(src, polls),
            5 | 6 => self.write(src, polls, a & 0x20 != 0),
            7 => self.close(src, polls),
            8 => {
                self.run(&mut quectel_ssl::modem::ops::Idle::default(), polls);
            }
            9 => self.command(src, polls),
            10 => self.raw_write(src, polls),
            11 => self.raw_read(src, polls),
            12 => self.escape(),
            13 => self.resume(src, polls),
            14 => self.activate_pdp(polls),
            15..=17 => self.peer_data(src),
            18 => {
                let now = self.now();
                let (kind, c) = (src.byte(), src.byte() % 12);
                let module = self.module();
                match kind % 8 {
                    0..=2 => module.peer_close(c, now),
                    3 => module.pdp_lost(now),
                    4 => module.reboot(now),
                    _ => module.chatter(now),
                }
            }
            19 | 20 => {
                let fault = Fault::decode(src.byte(), src.byte(), src.byte());
                self.module().fault = Some(fault);
            }
            21 => self.settings(src),
            _ => {
                let ms = [1, 5, 30, 120, 600, 2500][usize::from(src.byte()) % 6];
                self.advance(ms);
            }
        }
    }

    /// The module's latency and outcomes, the line's rate, the port's
    /// chunking.
    fn settings(&mut self, src: &mut Source<'_>) {
        let (what, v) = (src.byte(), src.byte());
        let port = self.modem.port_mut();
        match what % 5 {
            0 => port.module.latency = [0, 0, 2, 20, 250, 450][usize::from(v) % 6],
            1 => port.rate = [0, 0, 1, 4, 12][usize::from(v) % 5],
            2 => port.accept = [0, 0, 1, 3, 17][usize::from(v) % 5],
            3 => port.module.open_code = [0, 0, 0, 566, 552][usize::from(v) % 5],
            _ => port.module.send_fail = v & 1 != 0,
        }
    }

    /// Data from a peer of one of the module's connected sockets.
    fn peer_data(&mut self, src: &mut Source<'_>) {
        let (pick, sel) = (src.byte(), src.byte());
        let now = self.now();
        let connected: Vec<u8> = (0..12)
            .filter(|&c| self.module().socks[usize::from(c)].st == module::St::Connected)
            .collect();
        let Some(&c) = connected.get(usize::from(pick) % connected.len().max(1)) else {
            return;
        };
        let len = input::payload_len(src, sel);
        let raw = self.module().socks[usize::from(c)].mode == 2;
        let data = if raw {
            input::raw_data(src, len)
        } else {
            input::payload(src, len)
        };
        self.module().peer_data(c, &data, sel & 0x80 != 0, now);
    }

    /// The engine, given time and nothing new to read, knows which mode
    /// the port is in (in the middle of a run it may rightly not know yet:
    /// a resync is due).
    fn check_port_mode(&self) {
        let module = &self.modem.port().module;
        if module.ledger.state_tainted || !module.drained() {
            return;
        }
        let engine = match self.modem.state().port() {
            PortMode::Transparent(c) => Some(c.get()),
            PortMode::Command => None,
        };
        assert!(
            engine == module.transparent,
            "the engine believes the port carries {engine:?}, the module {:?}",
            module.transparent
        );
    }

    /// The checks after every action.
    fn check(&mut self) {
        while let Some(event) = self.modem.take_event() {
            self.module().ledger.event(&event);
            if event == quectel_ssl::modem::Event::Rebooted {
                self.need_init = true;
            }
        }
        let ledger = &self.modem.port().module.ledger;
        if !ledger.state_tainted {
            let module = &self.modem.port().module;
            for c in ClientId::all() {
                let cause = self.modem.state().socket(c).cause;
                // Closed by the module, or never opened there (an open the
                // user gave up on, which a resync then finds missing).
                let gone = ledger.closed & (1 << c.get()) != 0
                    || module.socks[c.index()].st != module::St::Connected;
                assert!(
                    cause != Some(CloseCause::Peer) || gone,
                    "socket {}: the engine says the peer closed it, the module has it connected",
                    c.get()
                );
                assert!(
                    cause != Some(CloseCause::PdpLost) || ledger.pdp_lost || ledger.rebooted,
                    "socket {}: the engine says its PDP context was lost, it never was",
                    c.get()
                );
            }
        }
        let longest = self.modem.port().module.longest_line;
        assert!(
            longest < quectel_ssl::command::MAX_COMMAND_LEN,
            "the engine wrote a command line of {longest} bytes"
        );
    }
}
