//! One HTTPS request through the module: the whole session, written once
//! for the example and for its test (`tests/serial_example.rs`).

use std::time::{Duration, Instant};

use embedded_io::{Read, ReadReady, Write};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::{self, SslConfig};
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;

/// What to ask, and where.
pub struct Request<'a> {
    /// The network's APN.
    pub apn: &'a str,
    /// APN user name and password (empty: no authentication).
    pub user: &'a str,
    /// See `user`.
    pub password: &'a str,
    /// Server name (sent as SNI and `Host:`, checked against its certificate).
    pub host: &'a str,
    /// Server port.
    pub port: u16,
    /// Path of the `GET`.
    pub path: &'a str,
    /// The CA certificate (PEM) that the server's chain ends at.
    pub ca_pem: &'a [u8],
    /// Stop reading once the server has been silent this long (a server
    /// that honours `Connection: close` ends the stream sooner).
    pub idle: Duration,
}

impl Request<'_> {
    /// The bytes of the `GET`.
    pub fn http(&self) -> Vec<u8> {
        format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: quectel-ssl-serial-example\r\n\r\n",
            self.path, self.host
        )
        .into_bytes()
    }
}

/// The CA's name on the module (RAM drive: gone after a reboot).
const CA_FILE: &str = "RAM:https-ca.pem";
/// Most reply bytes kept.
const MAX_REPLY: usize = 64 * 1024;

/// A check of one of the request's values: no I/O, nothing printed.
fn valid<T>(what: &str, result: Result<T, Error>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

/// One step of the session on standard error: what it does and waits for,
/// printed before it starts, then how it ended.
fn step<T>(what: &str, run: impl FnOnce() -> Result<T, Error>) -> Result<T, String> {
    eprint!("{what} ... ");
    match run() {
        Ok(value) => {
            eprintln!("ok");
            Ok(value)
        }
        Err(e) => {
            eprintln!("failed");
            Err(format!("{what}: {e}"))
        }
    }
}

/// Send `request` through the module on `port` and return the reply bytes.
/// Progress goes to standard error, one line per step, printed when the
/// step starts: a long wait says what it waits for.
pub fn https_get<P>(port: P, request: &Request<'_>) -> Result<Vec<u8>, String>
where
    P: Read + Write + ReadReady,
{
    let mut m: Modem<'static, P, StdTimer> = Modem::new(port, StdTimer::new());
    let report = step(
        "init: echo off, numeric errors, old sockets closed \
         (waits for the module to answer AT: a module still booting answers after its RDY)",
        || m.init(),
    )?;
    let pdp = valid("PDP context id", PdpContextId::new(1))?;
    let was_active = report.active_pdp & 1 != 0;
    if !was_active {
        let auth = if request.user.is_empty() {
            AuthMethod::None
        } else {
            AuthMethod::PapOrChap
        };
        let config = ConfigurePdpContext {
            context: pdp,
            pdp_type: PdpType::Ipv4,
            apn: valid("APN", Apn::new(request.apn))?,
            username: valid("user name", UserName::new(request.user))?,
            password: valid("password", Password::new(request.password))?,
            auth,
        };
        step("AT+QICSGP: PDP context 1", || m.configure_pdp(config))?;
        step(
            "AT+QIACT: activate PDP context 1 (waits for the network, at most 150 s)",
            || m.activate_pdp(pdp),
        )?;
    }

    let ca = valid("CA file name", FileName::new(CA_FILE))?;
    step("AT+QFUPL: upload the CA", || m.upload(ca, request.ca_pem))?;
    let ssl = valid("SSL context id", SslContextId::new(1))?;
    let ssl_config = SslConfig::with_ca(ca);
    step("AT+QSSLCFG: TLS 1.2, server authentication, SNI", || {
        m.configure_ssl(ssl, &ssl_config)
    })?;

    let host = valid("host name", HostName::new(request.host))?;
    let client = valid("client id", ClientId::new(0))?;
    let open = OpenSslSocket::new(pdp, ssl, client, host, request.port, AccessMode::Buffer);
    let open = valid("AT+QSSLOPEN", open)?;
    let rx: &'static mut [u8] = Box::leak(vec![0u8; 8192].into_boxed_slice());
    let connect = format!(
        "AT+QSSLOPEN: connect to {}:{} (waits for TCP and the TLS handshake, \
         at most 150 s + the 120 s negotiate time)",
        request.host, request.port
    );
    eprint!("{connect} ... ");
    let sock = match m.open(open, rx) {
        Ok(sock) => {
            eprintln!("ok");
            sock
        }
        Err(e) => {
            eprintln!("failed: {e}");
            // The module says 566 for every TLS problem: find the cause.
            let spare = valid("SSL context id", SslContextId::new(5))?;
            let explained = step(
                "why? (the note's checklist, a TCP probe, then the open again on SSL \
                 context 5 with one check relaxed at a time; no data crosses a probe)",
                || m.explain_open_failure(open, &ssl_config, spare, e.clone()),
            )?;
            eprintln!("{explained}");
            return Err(format!("AT+QSSLOPEN: {e}: {}", explained.cause));
        }
    };
    step("send the request", || {
        m.socket(&sock).write_all(&request.http())
    })?;
    let read = format!(
        "read the reply (until the server closes or has been silent for {} s)",
        request.idle.as_secs()
    );
    let reply = step(&read, || read_reply(&mut m, sock, request.idle))?;
    step("AT+QSSLCLOSE", || m.close(&sock))?;
    step("AT+QFDEL: delete the CA", || m.delete_file(ca))?;
    if !was_active {
        step("AT+QIDEACT: deactivate PDP context 1", || {
            m.deactivate_pdp(pdp)
        })?;
    }
    Ok(reply)
}

/// Read until the server closes, `MAX_REPLY` bytes, or `idle` of silence.
/// The nb face lets the silence be timed: each read operation is polled
/// until it is done, as `poll_op` wants.
fn read_reply<P>(
    m: &mut Modem<'static, P, StdTimer>,
    sock: SocketHandle,
    idle: Duration,
) -> Result<Vec<u8>, Error>
where
    P: Read + Write + ReadReady,
{
    let mut reply = Vec::new();
    let mut chunk = [0u8; 1024];
    let mut last = Instant::now();
    while reply.len() < MAX_REPLY {
        let mut read = ops::Receive::new(sock, &mut chunk);
        let n = loop {
            match m.poll_op(&mut read) {
                Ok(n) => break n,
                Err(nb::Error::WouldBlock) if last.elapsed() < idle => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(nb::Error::WouldBlock) => return Ok(reply),
                Err(nb::Error::Other(e)) => return Err(e),
            }
        };
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&chunk[..n]);
        last = Instant::now();
    }
    Ok(reply)
}
