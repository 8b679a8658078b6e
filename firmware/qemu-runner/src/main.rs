//! The host side of the QEMU firmware test; cargo's runner for
//! `../qemu` (`cargo run --release` there hands it the firmware ELF).
//!
//! It starts a TLS echo server whose CA is made now, puts that CA in the
//! simulated module's UFS drive, serves the simulator on a local TCP port,
//! and starts QEMU with the board's UART connected to it. The firmware's
//! semihosting output is shown as it comes; the run passes when QEMU exits
//! with status 0 and the echo server saw the connections and every
//! byte the firmware says it made and sent. QEMU is killed on every way out: on a
//! timeout, when this process ends, and (`PR_SET_PDEATHSIG`) when it is
//! killed.
//!
//! ```text
//! qemu-runner FIRMWARE.elf
//! ```
//! `QEMU` overrides the emulator (`qemu-system-arm`); the simulator's line
//! transcript is written beside the ELF (`<elf>.sim.log`).

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quectel_sim::front::serve_tcp;
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::SimConfig;

/// The echo server's port as the firmware knows it (`session::ECHO_PORT`).
const FIRMWARE_ECHO_PORT: u16 = 4433;
/// The name the firmware connects to.
const ECHO_NAME: &str = "echo.test";
/// Longest a session may take (it takes a few seconds).
const TIMEOUT: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    let Some(elf) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: qemu-runner FIRMWARE.elf");
        return ExitCode::from(2);
    };
    match run(&elf) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qemu-runner: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(elf: &Path) -> Result<(), String> {
    let pki = TestPki::new();
    let options = EchoServerOptions::default().rsa().name(ECHO_NAME);
    let server = EchoServer::start(&pki, options).map_err(|e| format!("echo server: {e}"))?;
    let localhost = std::net::IpAddr::V4(Ipv4Addr::LOCALHOST);
    let log = elf.with_extension("sim.log");
    let config = SimConfig::fast()
        .dns(ECHO_NAME, localhost)
        .route(
            SocketAddr::new(localhost, FIRMWARE_ECHO_PORT),
            server.addr(),
        )
        .log_file(Some(log.clone()));
    let front = serve_tcp(config, (localhost, 0)).map_err(|e| format!("simulator: {e}"))?;
    front
        .handle()
        .put_file("UFS:cacert.pem", pki.ca_pem().as_bytes())
        .map_err(|e| format!("CA into the simulator: {e:?}"))?;
    println!(
        "qemu-runner: simulator on {}, TLS echo server on {} ({ECHO_NAME}:{FIRMWARE_ECHO_PORT} for the firmware), transcript in {}",
        front.local_addr(),
        server.addr(),
        log.display()
    );

    let started = Instant::now();
    let mut qemu = Qemu::spawn(elf, front.local_addr())?;
    let lines = qemu.lines();
    let status = qemu.wait(TIMEOUT)?;
    let elapsed = started.elapsed();
    // QEMU is gone: its output ends, and so does the reader thread.
    let output: Vec<String> = lines.iter().collect();
    if !status.success() {
        return Err(format!(
            "QEMU exited with {status} after {:.1} s (transcript: {})",
            elapsed.as_secs_f64(),
            log.display()
        ));
    }
    let (opened, claimed) = output
        .iter()
        .find_map(|l| passed(l))
        .ok_or("the firmware exited 0 without its PASS line")?;
    let connections = server.connections();
    let received: usize = connections.iter().map(|c| c.received).sum();
    if opened == 0 || connections.len() != opened || received != claimed {
        return Err(format!(
            "the firmware reports {} on {}; the echo server saw {received} on {}",
            count(claimed, "byte"),
            count(opened, "connection"),
            connections.len()
        ));
    }
    println!(
        "qemu-runner: PASS in {:.2} s (QEMU start to exit); echo server: {}, {}, {}",
        elapsed.as_secs_f64(),
        count(connections.len(), "connection"),
        count(received, "byte"),
        connections.first().map_or("", |c| c.cipher_suite.as_str()),
    );
    Ok(())
}

/// `n` and `unit`, the unit in the plural unless `n` is 1.
fn count(n: usize, unit: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{s}")
}

/// The connection and byte counts of the firmware's
/// `PASS: C connections, N bytes each way` line (`1 connection`, `1 byte`
/// in the singular).
fn passed(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("PASS: ")?;
    let (connections, rest) = rest.split_once(" connection")?;
    let rest = rest.strip_prefix("s").unwrap_or(rest).strip_prefix(", ")?;
    let (bytes, rest) = rest.split_once(" byte")?;
    let rest = rest.strip_prefix("s").unwrap_or(rest);
    rest.starts_with(" each way")
        .then_some((connections.parse().ok()?, bytes.parse().ok()?))
}

/// QEMU, killed when dropped.
struct Qemu {
    child: Child,
    lines: Option<mpsc::Receiver<String>>,
}

impl Qemu {
    fn spawn(elf: &Path, serial: SocketAddr) -> Result<Self, String> {
        let program = std::env::var_os("QEMU").unwrap_or_else(|| "qemu-system-arm".into());
        let mut cmd = Command::new(&program);
        cmd.args(["-machine", "lm3s6965evb", "-cpu", "cortex-m4"])
            .args(["-nographic", "-monitor", "none"])
            .args(["-semihosting-config", "enable=on,target=native"])
            .arg("-serial")
            // Without nodelay every AT line waits ~40 ms (Nagle + delayed ACK).
            .arg(format!("tcp:{serial},nodelay=on"))
            .arg("-kernel")
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let parent = rustix::process::getpid();
        // SAFETY: the closure only makes two system calls (prctl, getppid),
        // which are async-signal-safe, and allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                rustix::process::set_parent_process_death_signal(Some(
                    rustix::process::Signal::KILL,
                ))?;
                // The runner died before the prctl: do not run orphaned.
                if rustix::process::getppid() != Some(parent) {
                    return Err(std::io::Error::other("runner gone"));
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start {}: {e} (Debian: apt-get install qemu-system-arm)",
                program.to_string_lossy()
            )
        })?;
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    println!("  firmware: {line}");
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Self {
            child,
            lines: Some(rx),
        })
    }

    /// The firmware's standard output lines, as they come.
    fn lines(&mut self) -> mpsc::Receiver<String> {
        self.lines.take().unwrap_or_else(|| mpsc::channel().1)
    }

    /// Wait for QEMU's exit status; past `timeout` it is killed.
    fn wait(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    return Err(format!("QEMU still running after {timeout:?}: killed"));
                }
                Err(e) => return Err(format!("waiting for QEMU: {e}")),
            }
        }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
