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
//! each kind in turn (see `soak/faults.rs`). Socket 9 reads through 512
//! bytes of buffer, socket 10 pushes into 16 KiB it does not read while the
//! echo arrives: in the larger rounds that buffer fills, and must say so.
//!
//! Every byte read back is checked against the byte expected at its offset
//! of its connection's pattern (`soak/stream.rs`). The rules, on **every**
//! connection, faulted or not: what was read back is exactly a prefix of
//! what was sent (nothing wrong, duplicated or reordered); a connection that
//! fell short reported a typed error; a connection a fatal fault hit
//! reported one; a connection no fault hit or exposed reported none and
//! fell short of nothing. A read that makes no progress for a few seconds
//! fails the soak at once, naming the socket and the offset. A table of
//! what moved and what went wrong is printed at the end
//! (`cargo test --release --test soak -- --nocapture` to see it).
//!
//! Three runs: unpaced (`SOAK_MB` megabytes moved, 50 by default in a
//! release build, 4 in a debug build), and paced like a UART at 115,200 and
//! 38,400 baud (`SOAK_PACED_KB` kilobytes, 400 / 120 in release, 120 / 60 in
//! debug), where line time, not the engine, sets the pace. `SOAK_SEED`
//! changes the schedule.

#[path = "soak/accounting.rs"]
mod accounting;
mod common;
#[path = "soak/faults.rs"]
mod faults;
#[path = "soak/report.rs"]
mod report;
#[path = "soak/schedule.rs"]
mod schedule;
#[path = "soak/setup.rs"]
mod setup;
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
use setup::{poll_until, Soak, Sock};
use stream::{Rng, Segment, Tally};

/// The `+++` guard time on both sides (a module needs 1 s).
const GUARD_MS: u64 = 20;
/// Each socket's receive buffer, but for the two below.
const RING: usize = 64 * 1024;
/// Socket 9 (buffer mode) reads through a buffer smaller than one
/// `AT+QSSLRECV` answer.
const SMALL_READ_RING: usize = 512;
/// Socket 10 (direct push) has room for less than the larger rounds' echo.
const FILLING_RING: usize = 16 * 1024;
/// A transparent turn: at most this many steps of write then read back.
const TURN_STEPS: u64 = 10;
/// A fault every this many rounds, after the first ones (every round in a
/// debug build, so that its few rounds meet every kind).
const FAULT_EVERY: u64 = 3;
const WARM_UP: u64 = 2;
const TRANSPARENT_SOCKETS: [usize; 4] = [2, 5, 8, 11];

/// One run of the soak: the line's pace and how much moves.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The simulator's line pace (`None`: as fast as the host goes).
    pub baud: Option<u32>,
    /// Bytes to move, sent and received.
    pub target: u64,
    /// Most bytes written to a buffer or push socket per round.
    pub chunk: u64,
    /// Most bytes per step of a transparent turn (more in flight at once
    /// meets the simulator's 16 KiB receive buffer, and its reader then
    /// waits in 100 ms slices).
    pub step: u64,
    /// The order the fault kinds come in (indices into [`KINDS`]).
    pub fault_order: &'static [u64],
}

/// Every kind, in `KINDS` order.
const ALL_FAULTS: [u64; 13] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/// The line's own faults first: corrupted lengths and results, dropped
/// bytes, then the rest.
const LINE_FAULTS_FIRST: [u64; 13] = [9, 11, 12, 10, 12, 3, 5, 6, 0, 1, 2, 7, 8];

impl Profile {
    fn env(name: &str, default: u64) -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// Unpaced: the engine and the host set the pace.
    fn unpaced() -> Profile {
        let mb = Profile::env("SOAK_MB", if cfg!(debug_assertions) { 4 } else { 50 });
        Profile {
            baud: None,
            target: mb * 1_000_000,
            chunk: 24 * 1024,
            step: 12 * 1024,
            fault_order: &ALL_FAULTS,
        }
    }

    /// Paced like a UART at `baud`: rounds small enough to cross the line
    /// in about a second.
    fn paced(baud: u32, release_kb: u64, debug_kb: u64) -> Profile {
        let default = if cfg!(debug_assertions) {
            debug_kb
        } else {
            release_kb
        };
        let kb = Profile::env("SOAK_PACED_KB", default);
        let line = u64::from(baud) / 10;
        Profile {
            baud: Some(baud),
            target: kb * 1000,
            chunk: (line / 8).max(64),
            step: (line / 2).max(64),
            fault_order: &LINE_FAULTS_FIRST,
        }
    }

    /// How long a read may see no progress before the soak calls it a
    /// stall: a few seconds, plus the line time of a whole round's echo
    /// (which may be queued ahead of this socket's data).
    pub fn stall(&self) -> Duration {
        let round = self.chunk * 12 + self.step;
        let line = self.baud.map_or(Duration::ZERO, |b| {
            Duration::from_millis(round * 10_000 / u64::from(b))
        });
        Duration::from_secs(5) + line * 2
    }
}

fn run(profile: Profile) {
    let seed = Profile::env("SOAK_SEED", 0x5eed_2026);
    let (mut soak, _server) = Soak::new(seed, profile);
    let start = Instant::now();
    let mut idle_rounds = 0;
    while soak.moved() < profile.target {
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
    let table = report(&soak, start.elapsed(), seed);
    println!("{table}");
    let broken = soak.verdict();
    assert!(broken.is_empty(), "{}\n{table}", broken.join("\n"));
}

#[test]
fn soak() {
    run(Profile::unpaced());
}

#[test]
fn soak_paced_at_115200_baud() {
    run(Profile::paced(115_200, 400, 120));
}

#[test]
fn soak_paced_at_38400_baud() {
    run(Profile::paced(38_400, 120, 60));
}
