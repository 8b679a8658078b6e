//! Soak: 12 sockets over four SSL contexts and two PDP contexts, all three
//! access modes, moving payload through the simulator to a TLS echo server
//! while faults are injected on a deterministic schedule.
//!
//! Sockets 0, 3, 6, 9 are in buffer mode, 1, 4, 7, 10 in direct push, 2, 5,
//! 8, 11 in transparent mode; socket `i` uses SSL context `i % 4` and PDP
//! context `1 + i / 6`. Each round writes a random amount to every buffer and
//! push socket and reads it all back, then gives one transparent socket a
//! turn (the port carries one connection at a time): resume it (`ATO` or
//! `AT+QISWTMD`), write and read back in a few steps, leave with `+++` (a
//! guard time of 20 ms on both sides). Every few rounds a fault is injected,
//! each kind in turn (see `soak/faults.rs`); the connections it ends report
//! a typed error, are closed and opened again (the module set up again after
//! a reboot, a PDP context activated again after its loss). Now and then a
//! healthy connection is closed and reopened too. The simulator's
//! `read_ready` answers at once, as a UART's does.
//!
//! Every byte read back is checked against the byte expected at its offset
//! of its connection's pattern (`soak/stream.rs`). The rules: on every
//! connection no fault ended, nothing lost, duplicated or reordered; every
//! connection a fatal fault hit reported a typed error; no error without a
//! fault. A table of what moved and what went wrong is printed at the end
//! (`cargo test --release --test soak -- --nocapture` to see it).
//!
//! Volume: `SOAK_MB` megabytes (10^6 bytes) of payload, written and read
//! back, counted both ways; 50 by default in a release build, 4 in a debug
//! build (`cargo test --workspace` stays quick). `SOAK_SEED` changes the
//! schedule.

mod common;
#[path = "soak/faults.rs"]
mod faults;
#[path = "soak/report.rs"]
mod report;
#[path = "soak/schedule.rs"]
mod schedule;
#[path = "soak/stream.rs"]
mod stream;
#[path = "soak/traffic.rs"]
mod traffic;

use std::time::{Duration, Instant};

use common::sim::{buffer, client, pdp, ssl, SimModem, CA_FILE, HOST};
use embedded_io::Write as _;
use faults::{Planned, KINDS};
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{SimConfig, SimHandle, Simulator};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::{self, Op, SslConfig};
use quectel_ssl::modem::{Event, StdTimer};
use quectel_ssl::state::PortMode;
use quectel_ssl::*;
use report::report;
use stream::{Rng, Segment, Tally};

/// The `+++` guard time on both sides (a module needs 1 s).
const GUARD_MS: u64 = 20;
/// Each socket's receive buffer.
const RING: usize = 64 * 1024;
/// Most bytes written to a buffer or push socket per round.
const CHUNK: u64 = 24 * 1024;
/// A transparent turn: at most this many steps of write then read back, of
/// at most `STEP` bytes each (more in flight at once meets the simulator's
/// 16 KiB receive buffer, and its reader then waits in 100 ms slices).
const TURN_STEPS: u64 = 10;
const STEP: u64 = 12 * 1024;
/// A fault every this many rounds, after the first ones (every round in a
/// debug build, so that its few rounds meet every kind).
const FAULT_EVERY: u64 = 3;
const WARM_UP: u64 = 2;
/// How long an echo may take to come back.
const ECHO_DEADLINE: Duration = Duration::from_secs(30);
const TRANSPARENT_SOCKETS: [usize; 4] = [2, 5, 8, 11];

/// One socket of the soak.
struct Sock {
    id: u8,
    mode: AccessMode,
    ssl: u8,
    pdp: u8,
    handle: Option<SocketHandle>,
    seg: Segment,
    /// A fatal fault hit this connection: it must report a typed error.
    hit: bool,
    /// This connection reported a typed error.
    erred: bool,
    clean: Tally,
    faulted: Tally,
    faults: u64,
    errors: u64,
    /// Errors on a connection no fault hit.
    unexplained: u64,
    /// Connections a fatal fault hit that reported no error.
    silent: u64,
}

struct Soak {
    m: SimModem,
    sim: SimHandle,
    port: u16,
    ca: Vec<u8>,
    socks: Vec<Sock>,
    rng: Rng,
    next_seed: u64,
    round: u64,
    turn: usize,
    /// A fault to inject right before the next send on its socket.
    before_send: Option<Planned>,
    /// Close the transparent socket's peer during the next turn.
    close_in_turn: bool,
    need_init: bool,
    /// Faults scheduled so far (each kind in turn).
    faults_planned: u64,
    /// Handles whose close failed: tried again before the next round.
    unclosed: Vec<SocketHandle>,
    /// Time spent repairing, injecting, writing, reading, in transparent turns.
    phase: [Duration; 5],
    by_kind: [u64; KINDS.len()],
    notes: Vec<String>,
    reinits: u64,
    /// Closes that failed with no reboot to explain them: answers out of
    /// step with their commands (what a port left unsynchronised after
    /// `NO CARRIER` causes).
    failed_closes: u64,
}

fn target_bytes() -> u64 {
    let default_mb = if cfg!(debug_assertions) { 4 } else { 50 };
    let mb = std::env::var("SOAK_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(default_mb);
    mb * 1_000_000
}

/// Poll `op` until it is done or `deadline` passes (`None`).
fn poll_until<O: Op<'static>>(
    m: &mut SimModem,
    op: &mut O,
    deadline: Instant,
) -> Option<Result<O::Output, Error>> {
    loop {
        match m.poll_op(op) {
            Ok(v) => return Some(Ok(v)),
            Err(nb::Error::Other(e)) => return Some(Err(e)),
            Err(nb::Error::WouldBlock) if Instant::now() >= deadline => return None,
            // Idle as the blocking face does between looks at the port.
            Err(nb::Error::WouldBlock) => std::thread::sleep(Duration::from_micros(100)),
        }
    }
}

impl Soak {
    fn new(seed: u64) -> (Soak, EchoServer) {
        let pki = TestPki::new();
        let server = EchoServer::start(&pki, EchoServerOptions::default().rsa().name(HOST))
            .expect("echo server");
        // `read_ready` answers at once, as a UART's does: the simulator's
        // default wait of 1 ms per look would let the engine write only 256
        // bytes (one piece) per millisecond.
        let config = SimConfig::fast()
            .guard_time(Duration::from_millis(GUARD_MS))
            .read_ready_wait(Duration::ZERO)
            .dns(HOST, "127.0.0.1".parse().unwrap());
        let (sim, port) = Simulator::start(config);
        let engine = Config {
            guard_ms: GUARD_MS as u32,
            send_retry_ms: 10,
            ..Config::default()
        };
        let m = Modem::with_config(port, StdTimer::new(), engine);
        let socks = (0..12u8)
            .map(|id| Sock {
                id,
                mode: AccessMode::ALL[usize::from(id % 3)],
                ssl: id % 4,
                pdp: 1 + id / 6,
                handle: None,
                seg: Segment::default(),
                hit: false,
                erred: false,
                clean: Tally::default(),
                faulted: Tally::default(),
                faults: 0,
                errors: 0,
                unexplained: 0,
                silent: 0,
            })
            .collect();
        let soak = Soak {
            m,
            sim,
            port: server.port(),
            ca: pki.ca_pem().as_bytes().to_vec(),
            socks,
            rng: Rng::new(seed),
            next_seed: seed.wrapping_mul(1_000_003),
            round: 0,
            turn: 0,
            before_send: None,
            close_in_turn: false,
            need_init: true,
            faults_planned: 0,
            unclosed: Vec::new(),
            phase: [Duration::ZERO; 5],
            by_kind: [0; KINDS.len()],
            notes: Vec::new(),
            reinits: 0,
            failed_closes: 0,
        };
        (soak, server)
    }

    /// Progress, on stderr (`--nocapture` shows it).
    fn log(&self, text: String) {
        eprintln!("soak: round {}: {text}", self.round);
    }

    /// Something that went wrong, kept for the report.
    fn note(&mut self, text: String) {
        let text = format!("round {}: {text}", self.round);
        eprintln!("soak: {text}");
        if self.notes.len() < 40 {
            self.notes.push(text);
        }
    }

    fn moved(&self) -> u64 {
        self.socks
            .iter()
            .map(|s| s.clean.sent + s.clean.received + s.faulted.sent + s.faulted.received)
            .sum::<u64>()
            + self
                .socks
                .iter()
                .map(|s| s.seg.sent + s.seg.received)
                .sum::<u64>()
    }

    // ----- setting up ------------------------------------------------------

    /// Init, both PDP contexts, the CA, four SSL contexts.
    fn init(&mut self) {
        self.m.init().expect("init");
        self.reinits += 1;
        for ctx in [1, 2] {
            self.m
                .configure_pdp(ConfigurePdpContext {
                    context: pdp(ctx),
                    pdp_type: PdpType::Ipv4,
                    apn: Apn::new("internet").unwrap(),
                    username: UserName::new("").unwrap(),
                    password: Password::new("").unwrap(),
                    auth: AuthMethod::None,
                })
                .expect("QICSGP");
        }
        let ca = FileName::new(CA_FILE).unwrap();
        self.m.upload(ca, &self.ca).expect("CA upload");
        for ctx in 0..4 {
            let config = SslConfig {
                session_cache: Some(ctx % 2 == 1),
                negotiate_time: NegotiateTime::new(60 + 60 * u16::from(ctx)).unwrap(),
                ..SslConfig::with_ca(ca)
            };
            self.m.configure_ssl(ssl(ctx), &config).expect("QSSLCFG");
        }
        self.need_init = false;
    }

    fn open(&mut self, i: usize) {
        let s = &self.socks[i];
        let cmd = OpenSslSocket::new(
            pdp(s.pdp),
            ssl(s.ssl),
            client(s.id),
            HostName::new(HOST).unwrap(),
            self.port,
            s.mode,
        )
        .unwrap();
        match self.m.open(cmd, buffer(RING)) {
            Ok(h) => {
                self.next_seed = self.next_seed.wrapping_add(1);
                let s = &mut self.socks[i];
                s.handle = Some(h);
                s.seg = Segment::new(stream::mix(self.next_seed));
                s.hit = false;
                s.erred = false;
                if s.mode == AccessMode::Transparent {
                    // The port carries it now: park it until its turn.
                    if let Err(e) = self.m.transparent(&h).and_then(|t| t.escape()) {
                        self.error(i, e, "escape after open");
                    }
                }
            }
            Err(e) => {
                self.socks[i].unexplained += 1;
                self.note(format!("socket {i}: open failed: {e:?}"));
            }
        }
    }

    /// Everything the last faults broke, set up again.
    fn repair(&mut self) {
        if self.need_init {
            self.unclosed.clear();
            self.init();
        }
        for h in std::mem::take(&mut self.unclosed) {
            if let Err(e) = self.m.close(&h) {
                self.note(format!("socket {}: close failed again: {e:?}", h.client()));
                self.unclosed.push(h);
            }
        }
        for ctx in [1, 2] {
            if !self.m.state().pdp_active(pdp(ctx)) {
                self.m.activate_pdp(pdp(ctx)).expect("QIACT");
            }
        }
        for i in 0..12 {
            if self.socks[i].handle.is_none() {
                self.open(i);
            }
        }
    }

    // ----- accounting --------------------------------------------------------

    /// Socket `i` reported `e`: its connection ends.
    fn error(&mut self, i: usize, e: Error, during: &str) {
        let s = &mut self.socks[i];
        s.errors += 1;
        s.erred = true;
        if !s.hit {
            s.unexplained += 1;
            self.note(format!("socket {i}: {during}: {e:?} with no fault"));
        }
        if e == Error::ModuleReset {
            self.need_init = true;
        }
        self.end(i);
    }

    /// The connection of socket `i` ends: account for it and close it.
    fn end(&mut self, i: usize) {
        let s = &mut self.socks[i];
        let Some(h) = s.handle.take() else {
            return;
        };
        if s.hit && !s.erred {
            s.silent += 1;
        }
        if s.hit || s.erred {
            s.faulted.add(&s.seg);
        } else {
            s.clean.add(&s.seg);
        }
        s.seg = Segment::default();
        if !self.need_init {
            if let Err(e) = self.m.close(&h) {
                self.failed_closes += 1;
                self.note(format!("socket {i}: close failed: {e:?}"));
                self.unclosed.push(h);
            }
        }
    }

    fn hit(&mut self, i: usize, planned: Planned) {
        let s = &mut self.socks[i];
        s.faults += 1;
        if planned.fatal() && s.handle.is_some() {
            s.hit = true;
        }
    }

    fn run_round(&mut self) {
        let t0 = Instant::now();
        self.repair();
        self.sim.clear_transcript();
        let t1 = Instant::now();
        self.schedule();
        let t2 = Instant::now();
        let data: Vec<usize> = (0..12)
            .filter(|&i| self.socks[i].mode != AccessMode::Transparent)
            .collect();
        for &i in &data {
            let len = self.rng.range(1, CHUNK) as usize;
            self.write(i, len);
        }
        let t3 = Instant::now();
        for &i in &data {
            self.read_back(i);
        }
        let t4 = Instant::now();
        self.transparent_turn();
        let t5 = Instant::now();
        for (k, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]
            .into_iter()
            .enumerate()
        {
            self.phase[k] += b - a;
        }
        for i in 0..12 {
            self.probe(i);
        }
        // Now and then a healthy connection is closed and opened again.
        for i in 0..12 {
            if self.socks[i].handle.is_some() && self.rng.one_in(40) {
                self.end(i);
            }
        }
        self.round += 1;
    }

    fn finish(&mut self) {
        for i in 0..12 {
            self.probe(i);
            self.end(i);
        }
    }
}

#[test]
fn soak() {
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_2026);
    let target = target_bytes();
    let (mut soak, _server) = Soak::new(seed);
    let start = Instant::now();
    let mut idle_rounds = 0;
    while soak.moved() < target {
        let before = soak.moved();
        soak.run_round();
        idle_rounds = if soak.moved() == before {
            idle_rounds + 1
        } else {
            0
        };
        assert!(
            idle_rounds < 20,
            "nothing moved for 20 rounds\n{}",
            report(&soak, start.elapsed(), seed)
        );
    }
    soak.finish();
    let elapsed = start.elapsed();
    let table = report(&soak, elapsed, seed);
    println!("{table}");
    let mut broken = Vec::new();
    for s in &soak.socks {
        if s.clean.damage() > 0 {
            broken.push(format!(
                "socket {}: damage on connections no fault hit",
                s.id
            ));
        }
        if s.silent > 0 {
            broken.push(format!(
                "socket {}: {} hit connections reported no error",
                s.id, s.silent
            ));
        }
        if s.unexplained > 0 {
            broken.push(format!(
                "socket {}: {} errors with no fault",
                s.id, s.unexplained
            ));
        }
    }
    if soak.failed_closes > 0 {
        broken.push(format!(
            "{} closes failed (answers out of step with commands?)",
            soak.failed_closes
        ));
    }
    assert!(broken.is_empty(), "{}\n{table}", broken.join("\n"));
}
