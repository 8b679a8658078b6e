//! Instructions per byte, counted by callgrind (deterministic: the same
//! binary and input give the same count on any load).
//!
//! The bench runs itself under `valgrind --tool=callgrind` with a worker
//! argument; the worker drives the real engine against an in-memory module
//! that answers from prebuilt bytes, and callgrind counts only inside the
//! `measured_*` functions. The in-memory module costs what a UART driver's
//! buffer copy costs; the rest is the driver.

use std::collections::VecDeque;
use std::process::Command;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::digest::QuectelDigester;
use quectel_ssl::modem::CountingTimer;
use quectel_ssl::*;

use crate::Figure;

/// A delay that returns at once (time only moves when the engine waits).
#[derive(Clone, Copy)]
struct NoWait;

impl embedded_hal::delay::DelayNs for NoWait {
    fn delay_ns(&mut self, _: u32) {}
}

/// What the in-memory module does.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// Answers `AT+QSSLRECV` with `chunk` bytes.
    Recv(usize),
    /// Answers `AT+QSSLSEND` with the prompt, and the data with `SEND OK`.
    Send,
}

/// The in-memory module: answers come from prebuilt buffers.
struct FakeModule {
    role: Role,
    rx: VecDeque<u8>,
    recv_answer: Vec<u8>,
    line: Vec<u8>,
    /// Data bytes still expected after a prompt.
    owed: usize,
}

impl FakeModule {
    fn new(role: Role) -> Self {
        let recv_answer = match role {
            Role::Recv(chunk) => {
                let mut a = format!("\r\n+QSSLRECV: {chunk}\r\n").into_bytes();
                a.extend((0..chunk).map(|i| (i % 251) as u8));
                a.extend_from_slice(b"\r\n\r\nOK\r\n");
                a
            }
            Role::Send => Vec::new(),
        };
        Self {
            role,
            rx: VecDeque::with_capacity(4096),
            recv_answer,
            line: Vec::with_capacity(64),
            owed: 0,
        }
    }

    fn command(&mut self) {
        let line = std::mem::take(&mut self.line);
        if line.starts_with(b"AT+QSSLRECV=") {
            self.rx.extend(self.recv_answer.iter().copied());
        } else if let Some(args) = line.strip_prefix(b"AT+QSSLSEND=0,") {
            let len = std::str::from_utf8(&args[..args.len() - 1])
                .ok()
                .and_then(|s| s.parse().ok());
            self.owed = len.unwrap_or(0);
            self.rx.extend(b"\r\n> ");
        } else if line.starts_with(b"AT+QSSLOPEN=") {
            self.rx.extend(b"\r\nOK\r\n\r\n+QSSLOPEN: 0,0\r\n");
            if let Role::Recv(_) = self.role {
                self.rx.extend(b"\r\n+QSSLURC: \"recv\",0\r\n");
            }
        } else {
            self.rx.extend(b"\r\nOK\r\n");
        }
        self.line = line;
        self.line.clear();
    }
}

impl ErrorType for FakeModule {
    type Error = embedded_io::ErrorKind;
}

impl Read for FakeModule {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.rx.len());
        let (a, b) = self.rx.as_slices();
        let first = n.min(a.len());
        buf[..first].copy_from_slice(&a[..first]);
        buf[first..n].copy_from_slice(&b[..n - first]);
        self.rx.drain(..n);
        Ok(n)
    }
}

impl ReadReady for FakeModule {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.rx.is_empty())
    }
}

impl Write for FakeModule {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if self.owed > 0 {
            let n = buf.len().min(self.owed);
            self.owed -= n;
            if self.owed == 0 {
                self.rx.extend(b"\r\nSEND OK\r\n");
            }
            return Ok(n);
        }
        for &b in buf {
            self.line.push(b);
            if b == b'\r' {
                self.command();
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

type Engine = Modem<'static, FakeModule, CountingTimer<NoWait>>;

fn engine(role: Role, ring: usize) -> (Engine, SocketHandle) {
    let mut m: Engine = Modem::new(FakeModule::new(role), CountingTimer::new(NoWait));
    let open = OpenSslSocket::new(
        PdpContextId::MIN,
        SslContextId::MIN,
        ClientId::MIN,
        HostName::new("h").expect("a host"),
        443,
        AccessMode::Buffer,
    )
    .expect("an open");
    let ring = Box::leak(vec![0u8; ring].into_boxed_slice());
    let sock = m.open(open, ring).expect("open");
    (m, sock)
}

/// Port -> caller's buffer, `chunk` bytes per `AT+QSSLRECV`.
#[inline(never)]
fn measured_receive(m: &mut Engine, sock: &SocketHandle, buf: &mut [u8], total: usize) -> usize {
    let mut got = 0;
    while got < total {
        got += m.read(sock, buf).expect("read");
    }
    got
}

/// Caller's buffer -> port, `data.len()` bytes per `AT+QSSLSEND`.
#[inline(never)]
fn measured_send(m: &mut Engine, sock: &SocketHandle, data: &[u8], total: usize) -> usize {
    let mut sent = 0;
    while sent < total {
        sent += m.write(sock, data).expect("write");
    }
    sent
}

/// Plain responses and URCs, no payload: what both digesters can frame.
fn plain_stream(copies: usize) -> Vec<u8> {
    let one: &[u8] =
        b"\r\n+QSSLSTATE: 1,\"SSLClient\",\"10.0.0.1\",443,50001,2,1,0,0,\"uart1\",0\r\n\r\nOK\r\n\
\r\nOK\r\n\
\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n\
\r\n+QSSLURC: \"recv\",1\r\n\
\r\n+QSSLCFG: \"sslversion\",1,3\r\n\r\nOK\r\n\
\r\n+QSSLOPEN: 2,0\r\n";
    one.repeat(copies)
}

/// Feed `stream` to `digester` as atat's ingress does, 64 bytes at a time;
/// returns how many results came out.
fn ingress<D: atat::Digester>(digester: &mut D, stream: &[u8]) -> usize {
    let mut buf = [0u8; 1024];
    let mut len = 0;
    let mut results = 0;
    for piece in stream.chunks(64) {
        buf[len..len + piece.len()].copy_from_slice(piece);
        len += piece.len();
        loop {
            let (result, used) = digester.digest(&buf[..len]);
            if !matches!(result, atat::DigestResult::None) {
                results += 1;
            }
            if used == 0 {
                break;
            }
            buf.copy_within(used..len, 0);
            len -= used;
        }
    }
    results
}

#[inline(never)]
fn measured_digest_quectel(stream: &[u8]) -> usize {
    ingress(&mut QuectelDigester::new(1024), stream)
}

/// atat's URC matching for the same URCs.
enum AtatUrcs {}

impl atat::digest::Parser for AtatUrcs {
    fn parse(buf: &[u8]) -> Result<(&[u8], usize), atat::digest::ParseError> {
        use atat::digest::parser::urc_helper;
        let (_, found) = atat::nom::branch::alt((
            urc_helper("+QSSLURC"),
            urc_helper("+QSSLOPEN"),
            urc_helper("+QIURC"),
        ))(buf)?;
        Ok(found)
    }
}

#[inline(never)]
fn measured_digest_atat(stream: &[u8]) -> usize {
    ingress(&mut atat::AtDigester::<AtatUrcs>::new(), stream)
}

/// The worker: one measurement, run under callgrind. Prints the payload
/// bytes it moved.
pub fn worker(what: &str, chunk: usize) {
    let moved = match what {
        "recv" => {
            let (mut m, sock) = engine(Role::Recv(chunk), chunk);
            let mut buf = vec![0u8; chunk];
            let total = (chunk * 200).max(64 * 1024);
            measured_receive(&mut m, &sock, &mut buf, total)
        }
        "send" => {
            let (mut m, sock) = engine(Role::Send, 64);
            let data = vec![0x5Au8; chunk];
            let total = (chunk * 200).max(64 * 1024);
            measured_send(&mut m, &sock, &data, total)
        }
        "digest-quectel" => {
            let stream = plain_stream(500);
            let results = measured_digest_quectel(&stream);
            assert!(results > 0);
            stream.len()
        }
        "digest-atat" => {
            let stream = plain_stream(500);
            let results = measured_digest_atat(&stream);
            assert!(results > 0);
            stream.len()
        }
        other => panic!("unknown worker {other}"),
    };
    println!("moved {moved}");
}

/// Run `worker what chunk` under callgrind, counting inside `function`;
/// returns (instructions, bytes).
fn callgrind(what: &str, chunk: usize, function: &str) -> Result<(u64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::env::temp_dir().join(format!("quectel-bench-{what}-{chunk}.callgrind"));
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(format!("--toggle-collect=*{function}*"))
        .arg(&exe)
        .args(["--worker", what, &chunk.to_string()])
        .output()
        .map_err(|e| format!("valgrind: {e}"))?;
    if !run.status.success() {
        return Err(format!(
            "worker failed: {}",
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&run.stdout);
    let moved: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("moved "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or("the worker did not say what it moved")?;
    let profile = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&out);
    let instructions = profile
        .lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .ok_or("no totals in the callgrind output")?;
    Ok((instructions, moved))
}

/// Every CPU figure, or why there is none.
pub fn measure() -> Result<Vec<Figure>, String> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Err("valgrind is not installed (apt-get install valgrind)".into());
    }
    let mut figures = Vec::new();
    for chunk in [16usize, 256, 1500] {
        let (ins, bytes) = callgrind("recv", chunk, "measured_receive")?;
        figures.push(Figure::new(
            &format!("cpu.receive.{chunk}B.instructions_per_byte"),
            ins as f64 / bytes as f64,
            "instr/B",
        ));
        let send_chunk = chunk.min(1460);
        let (ins, bytes) = callgrind("send", send_chunk, "measured_send")?;
        figures.push(Figure::new(
            &format!("cpu.send.{send_chunk}B.instructions_per_byte"),
            ins as f64 / bytes as f64,
            "instr/B",
        ));
    }
    let (ours, bytes) = callgrind("digest-quectel", 0, "measured_digest_quectel")?;
    let (atat, _) = callgrind("digest-atat", 0, "measured_digest_atat")?;
    figures.push(Figure::new(
        "cpu.digest.quectel.instructions_per_byte",
        ours as f64 / bytes as f64,
        "instr/B",
    ));
    figures.push(Figure::new(
        "cpu.digest.atat.instructions_per_byte",
        atat as f64 / bytes as f64,
        "instr/B",
    ));
    figures.push(Figure::new(
        "cpu.digest.atat_over_quectel",
        atat as f64 / ours as f64,
        "x",
    ));
    Ok(figures)
}
