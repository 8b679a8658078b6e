//! The README's main command: a whole SSL session — the vendor note's
//! chapter 3 — driven by the real driver through the module simulator to a
//! real TLS server, printed as a transcript of the serial line.
//!
//! ```text
//! cargo run --example demo                                   # local echo server
//! cargo run --example demo -- --connect HOST:PORT --ca FILE  # any TLS server
//! cargo run --example demo -- --help
//! ```
//!
//! Each step prints its title before it starts, so a long wait (the
//! module's answer, the TLS handshake, a server's silence) says what it
//! waits for. Exits with status 1 at the first step that fails, 2 if the
//! command line is wrong.

mod args;
#[path = "../common/cli.rs"]
mod cli;
mod show;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use args::{Command, Server, USAGE};
use cli::count;
use embedded_io::Write;
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::transcript::render_bytes;
use quectel_sim::{SimConfig, SimHandle, SimPort, Simulator};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket, ReadSslData};
use quectel_ssl::modem::ops::{self, SslConfig};
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;
use show::Show;

type Driver = Modem<'static, SimPort, StdTimer>;

/// Where the sessions go.
struct Target {
    host: String,
    port: u16,
    ca_pem: Vec<u8>,
    /// A local echo server: data sent must come back.
    echo: bool,
}

/// How long a real server may stay silent before the demo takes its answer
/// as complete.
const QUIET: Duration = Duration::from_secs(3);

impl Target {
    /// The title of an open in `mode`, with what it waits for.
    fn open_title(&self, section: &str, mode: &str) -> String {
        format!(
            "{section} open socket 4 in {mode} mode (waits for the TCP connection to {}:{} \
             and the TLS handshake)",
            self.host, self.port
        )
    }

    /// The title of an exchange of `data`, with what reading it back waits
    /// for.
    fn read_title(&self, what: &str, data: &[u8]) -> String {
        if self.echo {
            format!(
                "{what} (waits for all {} to come back)",
                count(data.len(), "byte")
            )
        } else {
            format!(
                "{what} (waits until the server closes or has been quiet for {} s)",
                QUIET.as_secs()
            )
        }
    }
}

fn buffer(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// Data with every byte value (echo) or a request (any server).
fn payload(target: &Target, round: u8) -> Vec<u8> {
    if target.echo {
        (0..=255u8)
            .chain((0..768u16).map(|i| (i as u8) ^ round))
            .collect()
    } else {
        format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: quectel-ssl-demo\r\n\r\n",
            target.host
        )
        .into_bytes()
    }
}

/// Read what comes back: the whole echo (`expect` bytes), or a server's
/// reply until it closes or stays silent for [`QUIET`]. Uses the nb face so a
/// server that keeps the connection open cannot hang the demo.
fn read_back(
    m: &mut Driver,
    sock: SocketHandle,
    raw: bool,
    target: &Target,
    expect: usize,
) -> Result<Vec<u8>, Error> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    let mut last = Instant::now();
    loop {
        if target.echo && got.len() >= expect {
            return Ok(got);
        }
        if !target.echo && (got.len() > 16 * 1024 || last.elapsed() > QUIET) {
            return Ok(got);
        }
        // One operation polled until it is done (a new one per poll would
        // start over each time).
        let polled = if raw {
            poll_until_idle(m, &mut ops::RawRead::new(sock, &mut chunk), target, &last)
        } else {
            poll_until_idle(m, &mut ops::Receive::new(sock, &mut chunk), target, &last)
        };
        match polled {
            None => return Ok(got),
            Some(Ok(0)) if target.echo => return Err(Error::Closed),
            Some(Ok(0)) => return Ok(got),
            Some(Ok(n)) => {
                got.extend_from_slice(&chunk[..n]);
                last = Instant::now();
            }
            Some(Err(e)) => return Err(e),
        }
    }
}

/// Poll `op` until it is done; `None` when a real server fell silent for
/// [`QUIET`].
fn poll_until_idle<O: ops::Op<'static, Output = usize>>(
    m: &mut Driver,
    op: &mut O,
    target: &Target,
    last: &Instant,
) -> Option<Result<usize, Error>> {
    loop {
        match m.poll_op(op) {
            Ok(n) => return Some(Ok(n)),
            Err(nb::Error::Other(e)) => return Some(Err(e)),
            Err(nb::Error::WouldBlock) if !target.echo && last.elapsed() > QUIET => return None,
            Err(nb::Error::WouldBlock) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
}

fn describe_data(sent: &[u8], back: &[u8], echo: bool) -> String {
    if echo {
        let same = if sent == back {
            "identical"
        } else {
            "DIFFERENT"
        };
        format!(
            "{} sent, {} back, {same}",
            count(sent.len(), "byte"),
            count(back.len(), "byte")
        )
    } else {
        // The first line of the reply, and any line in which the server
        // names the session's protocol or cipher (`openssl s_server -www`
        // prints `New, TLSv1.2, Cipher is ...`).
        let mut lines = back.split(|&b| b == b'\n');
        let first = lines.next().unwrap_or_default();
        let mut text = format!(
            "{} back: {}",
            count(back.len(), "byte"),
            render_bytes(first)
        );
        for line in lines.filter(|l| l.windows(9).any(|w| w == b"Cipher is")) {
            text.push_str(" / ");
            text.push_str(&render_bytes(line));
        }
        text
    }
}

fn open_cmd(target: &Target, client: u8, mode: AccessMode) -> Result<OpenSslSocket<'_>, Error> {
    OpenSslSocket::new(
        PdpContextId::new(1)?,
        SslContextId::new(1)?,
        ClientId::new(client)?,
        HostName::new(&target.host)?,
        target.port,
        mode,
    )
}

fn run(target: &Target, sim: SimHandle, port: SimPort) -> Result<(usize, Duration), String> {
    let mut show = Show::new(sim);
    let mut m: Driver = Modem::new(port, StdTimer::new());
    let ca_file = FileName::new("RAM:cacert.pem").map_err(|e| e.to_string())?;

    show.step(
        "start: echo off, sockets left over swept (waits for the module to answer AT: \
         it answers once it has sent RDY)",
        || m.init(),
        |r| format!("{r:?}"),
    )?;

    // 3.1 Configure and activate a PDP context.
    let pdp = PdpContextId::new(1).map_err(|e| e.to_string())?;
    let apn = Apn::new("internet").map_err(|e| e.to_string())?;
    let blank = UserName::new("").map_err(|e| e.to_string())?;
    let config = ConfigurePdpContext {
        context: pdp,
        pdp_type: PdpType::Ipv4,
        apn,
        username: blank,
        password: Password::new("").map_err(|e| e.to_string())?,
        auth: AuthMethod::None,
    };
    show.step(
        "3.1.1 configure PDP context 1",
        || m.configure_pdp(config),
        |_| "APN set".into(),
    )?;
    show.step(
        "3.1.2 activate PDP context 1 (waits for the network, at most 150 s)",
        || m.activate_pdp(pdp),
        |_| "active".into(),
    )?;
    show.step(
        "3.1.2 query PDP contexts",
        || m.pdp_contexts(),
        |c| {
            c.iter()
                .map(|c| format!("context {} at {}", c.context, c.address))
                .collect::<Vec<_>>()
                .join(", ")
        },
    )?;

    // Certificates' validity dates are checked against the module clock.
    let now = host_time().map_err(|e| e.to_string())?;
    show.step(
        "1.4 set the module clock from the host (AT+CCLK)",
        || m.set_clock(now),
        |_| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                now.year(),
                now.month(),
                now.day(),
                now.hour(),
                now.minute(),
                now.second()
            )
        },
    )?;

    // Upload the CA certificate and configure the SSL context.
    show.step(
        "upload the CA certificate (AT+QFUPL)",
        || m.upload(ca_file, &target.ca_pem),
        |u| {
            format!(
                "{} stored, checksum {:04x} verified",
                count(u.size as usize, "byte"),
                u.checksum
            )
        },
    )?;
    let ssl = SslContextId::new(1).map_err(|e| e.to_string())?;
    let config = SslConfig::with_ca(ca_file);
    show.step(
        "3.2 configure SSL context 1 (secure defaults: TLS 1.2, server authentication, SNI)",
        || m.configure_ssl(ssl, &config),
        |_| format!("TLS 1.2, {}", config.cipher.name()),
    )?;

    let mut moved = 0usize;
    // 3.3 Buffer access mode.
    let mut failed = None;
    let opened = show.step(
        &target.open_title("3.3.1", "buffer access"),
        || {
            let result =
                open_cmd(target, 4, AccessMode::Buffer).and_then(|cmd| m.open(cmd, buffer(4096)));
            failed = result.as_ref().err().cloned();
            result
        },
        |h| format!("socket {} connected", h.client()),
    );
    let sock = match (opened, failed) {
        (Ok(sock), _) => sock,
        (Err(e), Some(error)) => {
            // The module says 566 for every TLS problem: find the cause.
            let spare = SslContextId::new(5).map_err(|e| e.to_string())?;
            let cmd = open_cmd(target, 4, AccessMode::Buffer).map_err(|e| e.to_string())?;
            let explained = show.step(
                "why did the open fail? (the note's checklist, a TCP probe, then the open \
                 again on SSL context 5 with one check relaxed at a time; each probe is \
                 closed before any data)",
                || m.explain_open_failure(cmd, &config, spare, error),
                |x| format!("{} ({} probe opens)", x.cause, x.probes),
            )?;
            return Err(format!("{e}: {}", explained.cause));
        }
        (Err(e), None) => return Err(e),
    };
    show.step(
        "3.3.1 query socket states",
        || m.socket_states(),
        |s| {
            s.iter()
                .map(|s| {
                    format!(
                        "socket {} {:?} {:?} to {}:{}",
                        s.client, s.state, s.access_mode, s.remote_address, s.remote_port
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        },
    )?;
    let data = payload(target, 1);
    let back = show.step(
        &target.read_title("3.3.2-3.3.3 send, then read with AT+QSSLRECV", &data),
        || {
            m.socket(&sock)
                .write_all(&data)
                .and_then(|()| read_back(&mut m, sock, false, target, data.len()))
        },
        |b| describe_data(&data, b, target.echo),
    )?;
    moved += data.len() + back.len();
    if target.echo && back != data {
        return Err("buffer mode: the echo differs".into());
    }
    if target.echo {
        // The note's own variable-length send, ended by Ctrl+Z, and the read
        // after the last one, which the module answers `+QSSLRECV: 0`.
        let text = b"Test data from SSL";
        let back = show.step(
            "3.3.2 send the note's way: AT+QSSLSEND=4, the text, Ctrl+Z; read it back",
            || {
                m.send_text(&sock, text)
                    .and_then(|_| read_back(&mut m, sock, false, target, text.len()))
            },
            |b| describe_data(text, b, true),
        )?;
        if back != text {
            return Err("the Ctrl+Z send: the echo differs".into());
        }
        moved += text.len() + back.len();
        let client = ClientId::new(4).map_err(|e| e.to_string())?;
        let length = ReadLength::new(1500).map_err(|e| e.to_string())?;
        show.step(
            "3.3.3 read again: the module is empty (AT+QSSLRECV=4,1500)",
            || m.command(ReadSslData::new(client, length)),
            |d| format!("+QSSLRECV: {}", d.data.len()),
        )?;
    }
    show.step(
        "3.3.4 close socket 4",
        || m.close(&sock),
        |_| "closed".into(),
    )?;

    // 3.4 Direct push mode.
    let sock = show.step(
        &target.open_title("3.4.1", "direct push"),
        || {
            open_cmd(target, 4, AccessMode::DirectPush)
                .and_then(|cmd| m.open(cmd, buffer(32 * 1024)))
        },
        |h| format!("socket {} connected", h.client()),
    )?;
    let data = payload(target, 2);
    let back = show.step(
        &target.read_title("3.4.2-3.4.3 send, then receive pushed data", &data),
        || {
            m.socket(&sock)
                .write_all(&data)
                .and_then(|()| read_back(&mut m, sock, false, target, data.len()))
        },
        |b| describe_data(&data, b, target.echo),
    )?;
    moved += data.len() + back.len();
    if target.echo && back != data {
        return Err("direct push: the echo differs".into());
    }
    show.step(
        "3.4.4 close socket 4",
        || m.close(&sock),
        |_| "closed".into(),
    )?;

    // 3.5 Transparent access mode.
    let sock = show.step(
        &target.open_title("3.5.1", "transparent access"),
        || {
            open_cmd(target, 4, AccessMode::Transparent)
                .and_then(|cmd| m.open(cmd, buffer(32 * 1024)))
        },
        |_| "CONNECT: the port carries the connection".into(),
    )?;
    let data = payload(target, 3);
    let back = show.step(
        &target.read_title("3.5.1-3.5.2 raw bytes both ways", &data),
        || {
            m.transparent(&sock)
                .and_then(|mut raw| raw.write_all(&data))
                .and_then(|()| read_back(&mut m, sock, true, target, data.len()))
        },
        |b| describe_data(&data, b, target.echo),
    )?;
    moved += data.len() + back.len();
    if target.echo && back != data {
        return Err("transparent mode: the echo differs".into());
    }
    if m.state().port() != quectel_ssl::state::PortMode::Command {
        show.step(
            "leave transparent mode: 1 s silence, +++, 1 s silence",
            || m.transparent(&sock).and_then(|t| t.escape()),
            |_| "OK: command mode".into(),
        )?;
    }
    show.step(
        "3.5.3 close socket 4",
        || m.close(&sock),
        |_| "closed".into(),
    )?;

    show.step(
        "3.1.3 deactivate PDP context 1",
        || m.deactivate_pdp(pdp),
        |_| "deactivated".into(),
    )?;
    Ok((moved, show.elapsed()))
}

/// The host's UTC time as the module clock takes it.
fn host_time() -> Result<quectel_ssl::command::device::DateTime, Error> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    quectel_ssl::command::device::DateTime::new(
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
        0,
    )
}

fn main() -> ExitCode {
    let server = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run(server)) => server,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("demo: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Keep the local server alive for the whole run.
    let mut _server = None;
    let (target, config) = match server {
        None => {
            let pki = TestPki::new();
            let options = EchoServerOptions::default().rsa().name("echo.demo");
            let server = match EchoServer::start(&pki, options) {
                Ok(server) => server,
                Err(e) => {
                    eprintln!("cannot start the echo server: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let target = Target {
                host: "echo.demo".into(),
                port: server.port(),
                ca_pem: pki.ca_pem().as_bytes().to_vec(),
                echo: true,
            };
            println!(
                "local TLS echo server on 127.0.0.1:{} (name echo.demo, RSA key, CA made now)",
                server.port()
            );
            _server = Some(server);
            let config =
                SimConfig::fast().dns("echo.demo", "127.0.0.1".parse().expect("an address"));
            (target, config)
        }
        Some(Server { host, port, ca }) => {
            let ca_pem = match std::fs::read(&ca) {
                Ok(pem) => pem,
                Err(e) => {
                    eprintln!("cannot read {ca}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            println!("server {host}:{port}, CA from {ca}");
            let target = Target {
                host,
                port,
                ca_pem,
                echo: false,
            };
            (target, SimConfig::fast())
        }
    };
    let (sim, port) = Simulator::start(config);
    println!("module simulator started (EC2x dialect, echo on, RDY at boot)");
    match run(&target, sim, port) {
        Ok((moved, elapsed)) => {
            println!(
                "\nsummary: every step passed; {} moved through three access modes in {:.2} s",
                count(moved, "payload byte"),
                elapsed.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("\nsummary: FAILED at {e}");
            ExitCode::FAILURE
        }
    }
}
