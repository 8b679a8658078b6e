//! Raw-bytes test harness: write bytes to the simulator, expect exact bytes
//! back, every wait bounded.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::transcript::render_bytes;
use quectel_sim::{SimConfig, SimHandle, SimPort, Simulator};

/// Longest wait for any expected bytes.
pub const WAIT: Duration = Duration::from_secs(10);

/// The boot output.
pub const BOOT: &[u8] =
    b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n";

/// A simulator and the bytes received from it but not yet consumed.
pub struct Wire {
    pub handle: SimHandle,
    pub port: SimPort,
    pending: Vec<u8>,
}

impl Wire {
    /// Starts a simulator and waits for its boot output.
    pub fn boot(config: SimConfig) -> Wire {
        let (handle, port) = Simulator::start(config);
        let mut wire = Wire {
            handle,
            port,
            pending: Vec::new(),
        };
        wire.expect(BOOT);
        wire
    }

    /// Boots and turns echo off.
    pub fn boot_quiet(config: SimConfig) -> Wire {
        let mut wire = Wire::boot(config);
        wire.send(b"ATE0\r");
        wire.expect(b"ATE0\r\r\nOK\r\n");
        wire
    }

    pub fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.port.write_all(bytes).expect("simulator alive");
    }

    fn fill(&mut self, deadline: Instant) -> bool {
        let mut buf = [0u8; 4096];
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        match self.port.read_timeout(&mut buf, deadline - now) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.pending.extend_from_slice(&buf[..n]);
                true
            }
        }
    }

    /// Takes exactly `n` bytes.
    pub fn take(&mut self, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + WAIT;
        while self.pending.len() < n {
            if !self.fill(deadline) {
                panic!(
                    "timed out waiting for {n} bytes, have {:?}\ntranscript:\n{}",
                    render_bytes(&self.pending),
                    self.handle.transcript()
                );
            }
        }
        self.pending.drain(..n).collect()
    }

    /// Asserts that the next bytes are exactly `expected`.
    pub fn expect(&mut self, expected: &[u8]) {
        let got = self.take_or_partial(expected.len());
        assert!(
            got == expected,
            "expected {:?}\n     got {:?}\ntranscript:\n{}",
            render_bytes(expected),
            render_bytes(&got),
            self.handle.transcript()
        );
    }

    /// Like [`Wire::expect`], after skipping buffer-mode data notices
    /// (`+QSSLURC: "recv",<id>`), which may come at any point.
    pub fn expect_after_notices(&mut self, expected: &[u8]) {
        const NOTICE: &[u8] = b"\r\n+QSSLURC: \"recv\",";
        let deadline = Instant::now() + WAIT;
        loop {
            let n = self.pending.len().min(NOTICE.len());
            if expected.starts_with(NOTICE) || self.pending[..n] != NOTICE[..n] {
                return self.expect(expected);
            }
            let line_end = (self.pending.len() >= NOTICE.len())
                .then(|| self.pending[2..].windows(2).position(|w| w == b"\r\n"))
                .flatten();
            match line_end {
                Some(end) => {
                    self.pending.drain(..end + 4);
                }
                None => {
                    if !self.fill(deadline) {
                        return self.expect(expected);
                    }
                }
            }
        }
    }

    fn take_or_partial(&mut self, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + WAIT;
        while self.pending.len() < n && self.fill(deadline) {}
        let n = n.min(self.pending.len());
        self.pending.drain(..n).collect()
    }

    /// Reads until `needle` has been seen; returns everything up to and
    /// including it.
    pub fn until(&mut self, needle: &[u8]) -> Vec<u8> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(pos) = self.pending.windows(needle.len()).position(|w| w == needle) {
                return self.pending.drain(..pos + needle.len()).collect();
            }
            if !self.fill(deadline) {
                panic!(
                    "timed out waiting for {:?}, have {:?}\ntranscript:\n{}",
                    render_bytes(needle),
                    render_bytes(&self.pending),
                    self.handle.transcript()
                );
            }
        }
    }

    /// Asserts that nothing arrives within `quiet`.
    pub fn expect_silence(&mut self, quiet: Duration) {
        let deadline = Instant::now() + quiet;
        while self.fill(deadline) {}
        assert!(
            self.pending.is_empty(),
            "unexpected bytes {:?}",
            render_bytes(&self.pending)
        );
    }

    /// Sends a command line (no echo expected) and expects `reply`.
    pub fn cmd(&mut self, line: &str, reply: &[u8]) {
        self.send(format!("{line}\r").as_bytes());
        self.expect(reply);
    }

    /// `AT+QIGETERROR` must report `code`.
    pub fn expect_error_code(&mut self, code: u16, text: &str) {
        self.cmd(
            "AT+QIGETERROR",
            format!("\r\n+QIGETERROR: {code},{text}\r\n\r\nOK\r\n").as_bytes(),
        );
    }

    /// Configures and activates PDP context 1.
    pub fn activate_pdp(&mut self) {
        self.cmd("AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", b"\r\nOK\r\n");
        self.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    }

    /// Uploads `data` as `name` through `AT+QFUPL`.
    pub fn upload(&mut self, name: &str, data: &[u8]) {
        self.cmd(
            &format!("AT+QFUPL=\"{name}\",{}", data.len()),
            b"\r\nCONNECT\r\n",
        );
        self.send(data);
        self.until(b"\r\nOK\r\n");
    }

    /// Uploads the CA and points SSL context `ctx` at it with seclevel 1.
    pub fn trust(&mut self, ctx: u8, pki: &TestPki) {
        self.upload("RAM:cacert.pem", pki.ca_pem().as_bytes());
        self.cmd(
            &format!("AT+QSSLCFG=\"cacert\",{ctx},\"RAM:cacert.pem\""),
            b"\r\nOK\r\n",
        );
        self.cmd(&format!("AT+QSSLCFG=\"seclevel\",{ctx},1"), b"\r\nOK\r\n");
    }

    /// Opens socket `client` in buffer/push mode and expects success.
    pub fn open(&mut self, ctx: u8, client: u8, address: &str, port: u16, mode: u8) {
        self.cmd(
            &format!("AT+QSSLOPEN=1,{ctx},{client},\"{address}\",{port},{mode}"),
            b"\r\nOK\r\n",
        );
        self.expect(format!("\r\n+QSSLOPEN: {client},0\r\n").as_bytes());
    }
}

/// A fast test configuration resolving `echo.test` to 127.0.0.1.
pub fn config() -> SimConfig {
    SimConfig::fast()
        .dns("echo.test", "127.0.0.1".parse().unwrap())
        .host_resolver(false)
}

/// A PKI and a rustls echo server with an RSA key: rustls has only GCM and
/// ChaCha20 suites, and the module's one GCM suite (0XC02F) needs RSA, so
/// the module cannot reach a rustls server with an ECDSA key.
pub fn echo(options: EchoServerOptions) -> (TestPki, EchoServer) {
    let pki = TestPki::new();
    let server = EchoServer::start(&pki, options.rsa()).expect("echo server starts");
    (pki, server)
}

/// Waits until `server` has registered socket `client`'s connection (its
/// handshake can finish on the module's side first).
pub fn wait_peer(w: &Wire, server: &EchoServer, client: u8) {
    let local = w.handle.socket(client).expect("socket").local_port;
    assert!(
        server.wait_for(WAIT, |c| c.iter().any(|c| c.peer.port() == local)),
        "the server never saw socket {client}"
    );
}

/// A local port where nothing listens.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    drop(listener);
    addr.port()
}

impl Wire {
    /// `AT+QSSLCFG="<name>",<ctx>,<value>` answered `OK`.
    pub fn set(&mut self, ctx: u8, name: &str, value: &str) {
        self.cmd(
            &format!("AT+QSSLCFG=\"{name}\",{ctx},{value}"),
            b"\r\nOK\r\n",
        );
    }

    /// Opens socket `client` on SSL context `ctx` in buffer mode; returns
    /// the `+QSSLOPEN` code.
    pub fn open_code(&mut self, ctx: u8, client: u8, address: &str, port: u16) -> u16 {
        self.open_code_mode(ctx, client, address, port, 0)
    }

    /// Like [`Wire::open_code`], in access mode `mode` (0 or 1).
    pub fn open_code_mode(
        &mut self,
        ctx: u8,
        client: u8,
        address: &str,
        port: u16,
        mode: u8,
    ) -> u16 {
        self.cmd(
            &format!("AT+QSSLOPEN=1,{ctx},{client},\"{address}\",{port},{mode}"),
            b"\r\nOK\r\n",
        );
        self.expect(format!("\r\n+QSSLOPEN: {client},").as_bytes());
        let rest = self.until(b"\r\n");
        String::from_utf8_lossy(&rest[..rest.len() - 2])
            .parse()
            .expect("a numeric code")
    }

    /// The real reason of the last failed open.
    pub fn last_failure(&self) -> quectel_sim::FailReason {
        self.handle
            .last_open_failure()
            .expect("a failure is recorded")
            .reason
    }

    /// What socket `client`'s handshake negotiated.
    pub fn handshake(&self, client: u8) -> quectel_sim::HandshakeInfo {
        self.handle
            .socket(client)
            .and_then(|s| s.handshake)
            .expect("socket connected")
    }

    /// Sends `data` on socket `client` (fixed length) and expects `SEND OK`
    /// (data notices may come before the prompt and the result).
    pub fn send_data(&mut self, client: u8, data: &[u8]) {
        self.send(format!("AT+QSSLSEND={client},{}\r", data.len()).as_bytes());
        self.expect_after_notices(b"\r\n> ");
        self.send(data);
        self.expect_after_notices(b"\r\nSEND OK\r\n");
    }

    /// `AT+QSSLCLOSE=<client>` answered `OK` (after any late data notice).
    pub fn close(&mut self, client: u8) {
        self.send(format!("AT+QSSLCLOSE={client}\r").as_bytes());
        self.expect_after_notices(b"\r\nOK\r\n");
    }

    /// Reads socket `client` (buffer mode) until `n` bytes have come.
    pub fn read_data(&mut self, client: u8, n: usize) -> Vec<u8> {
        let mut got = Vec::new();
        let deadline = Instant::now() + WAIT;
        while got.len() < n {
            assert!(Instant::now() < deadline, "only {got:?} arrived");
            self.send(format!("AT+QSSLRECV={client},1500\r").as_bytes());
            self.until(b"+QSSLRECV: ");
            let line = self.until(b"\r\n");
            let len: usize = String::from_utf8_lossy(&line[..line.len() - 2])
                .parse()
                .unwrap();
            if len == 0 {
                self.expect(b"\r\nOK\r\n");
                // Wait for the next notice before asking again.
                self.until(b"+QSSLURC: \"recv\",");
                self.until(b"\r\n");
                continue;
            }
            got.extend(self.take(len));
            self.expect(b"\r\n\r\nOK\r\n");
        }
        got
    }
}

/// The PKI's CA uploaded as `RAM:cacert.pem` and SSL context `ctx` at
/// seclevel 1, on a module with PDP context 1 active.
pub fn wire_trusting(cfg: SimConfig, ctx: u8, pki: &TestPki) -> Wire {
    let mut w = Wire::boot_quiet(cfg);
    w.activate_pdp();
    w.trust(ctx, pki);
    w
}

/// A local UDP port where nothing listens.
pub fn closed_udp_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}
