//! The test: a whole SSL session through the driver, in buffer and in
//! direct-push access mode, with payloads holding every byte value.
//!
//! The runner has the simulator resolve `echo.test` to its TLS echo server
//! (reached as port [`ECHO_PORT`]) and has put the server's CA in the
//! module's UFS drive as `cacert.pem`. Every step prints one line; the first
//! that fails ends the session with a [`Failure`].

use core::fmt;

use embedded_io::Write as _;
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket, SocketState};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::Event;
use quectel_ssl::{
    Apn, ClientId, Error, FileName, FilePattern, HostName, Modem, Password, PdpContextId,
    SocketHandle, SslContextId, UserName,
};

use crate::clock::SysTickTimer;
use crate::host::Count;
use crate::uart::Uart;

/// The driver on this board.
pub type Driver = Modem<'static, Uart, SysTickTimer>;

/// A receive buffer to lend the driver, 8-aligned like the [`Driver`].
///
/// The binaries keep the driver and its buffers in `cortex_m::singleton!`
/// statics (an `Option` each), whose order in RAM follows their symbols'
/// hashes, and those change with the path of the checkout (cargo hashes the
/// path of a dependency outside the firmware's workspace). A bare
/// `[u8; 2048]` slot is 2049 bytes: placed before the driver it left 7
/// bytes of padding, after it 3, and the static RAM figure moved by 4
/// bytes from one checkout to another. With this alignment every slot's
/// size is a multiple of 8 and no order pads.
#[repr(align(8))]
pub struct RxBuffer<const N: usize>(pub [u8; N]);

impl<const N: usize> RxBuffer<N> {
    /// A zeroed buffer.
    pub const fn new() -> Self {
        Self([0; N])
    }
}

impl<const N: usize> Default for RxBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The echo server's port as the firmware sees it (the runner routes it).
pub const ECHO_PORT: u16 = 4433;
/// Payload sizes sent and echoed on each connection: one byte, one of each
/// value, one full send, one byte more than a send takes, and a long run.
pub const SIZES: [usize; 5] = [1, 256, 1460, 1461, 4000];
/// Bytes the module's framing uses, sent as data.
const FRAMING: &[u8] =
    b"\r\nOK\r\n\r\nERROR\r\n+QSSLURC: \"recv\",0,5\r\n> \x1a\x1b+++\r\nSEND OK\r\n";

/// Why the session failed.
#[derive(Debug)]
pub struct Failure {
    /// The step.
    pub step: &'static str,
    /// What went wrong.
    pub problem: Problem,
}

/// What went wrong in a step.
#[derive(Debug)]
pub enum Problem {
    /// The driver returned an error.
    Driver(Error),
    /// An echoed byte differs.
    Mismatch {
        /// Offset in the payload.
        at: usize,
        /// Byte sent.
        sent: u8,
        /// Byte received.
        got: u8,
    },
    /// The connection ended before the whole echo came back.
    Short {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        want: usize,
    },
    /// Something the module reported is not what the step expects.
    Unexpected(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.step)?;
        match &self.problem {
            Problem::Driver(e) => write!(f, "{e}"),
            Problem::Mismatch { at, sent, got } => {
                write!(f, "byte {at} sent {sent:#04x}, echoed {got:#04x}")
            }
            Problem::Short { got, want } => write!(f, "{got} of {} echoed", Count(*want, "byte")),
            Problem::Unexpected(what) => f.write_str(what),
        }
    }
}

/// What the session did.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Payload bytes sent (and as many echoed) over all connections.
    pub bytes_each_way: usize,
    /// Connections opened and closed.
    pub connections: u32,
    /// Milliseconds from the first command to the last.
    pub elapsed_ms: u64,
}

/// Byte `i` of payload `seed`: every 256 consecutive bytes hold every value
/// once (7 is odd), in an order that differs per seed and per block.
pub fn pattern(seed: u8, i: usize) -> u8 {
    (i.wrapping_mul(7) as u8)
        .wrapping_add((i >> 8) as u8)
        .wrapping_add(seed.wrapping_mul(31))
}

fn step<T>(name: &'static str, result: Result<T, Error>) -> Result<T, Failure> {
    match result {
        Ok(value) => {
            crate::println!("ok   {name}");
            Ok(value)
        }
        Err(e) => Err(Failure {
            step: name,
            problem: Problem::Driver(e),
        }),
    }
}

fn check(name: &'static str, ok: bool, what: &'static str) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(Failure {
            step: name,
            problem: Problem::Unexpected(what),
        })
    }
}

fn id<T>(name: &'static str, value: Result<T, Error>) -> Result<T, Failure> {
    value.map_err(|e| Failure {
        step: name,
        problem: Problem::Driver(e),
    })
}

/// Wait up to `ms` for the module's `RDY` (it boots when QEMU connects).
/// `false` if it did not come: `init` then probes a module that is up.
pub fn wait_ready(modem: &mut Driver, ms: u64) -> Result<bool, Failure> {
    let start = crate::clock::now_ms();
    while crate::clock::now_ms().saturating_sub(start) < ms {
        id("wait for RDY", modem.poll())?;
        while let Some(event) = modem.take_event() {
            if event == Event::Rebooted {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Run the session. `buffer_rx` and `push_rx` receive the two connections'
/// data (the push one must hold a whole echo: data is pushed as it comes).
pub fn run(
    modem: &mut Driver,
    buffer_rx: &'static mut [u8],
    push_rx: &'static mut [u8],
) -> Result<Report, Failure> {
    let started = crate::clock::now_ms();
    let ready = wait_ready(modem, 2000)?;
    crate::println!(
        "ok   module ready ({})",
        if ready { "RDY seen" } else { "no RDY" }
    );
    step(
        "init: echo off, numeric errors, sockets swept",
        modem.init(),
    )?;

    let pdp = id("PDP context id", PdpContextId::new(1))?;
    let config = ConfigurePdpContext {
        context: pdp,
        pdp_type: PdpType::Ipv4,
        apn: id("APN", Apn::new("internet"))?,
        username: id("user name", UserName::new(""))?,
        password: id("password", Password::new(""))?,
        auth: AuthMethod::None,
    };
    step(
        "AT+QICSGP: configure PDP context 1",
        modem.configure_pdp(config),
    )?;
    step("AT+QIACT: activate PDP context 1", modem.activate_pdp(pdp))?;

    let ca = id("CA file name", FileName::new("UFS:cacert.pem"))?;
    let listed = step(
        "AT+QFLST: the CA is in UFS",
        modem.list_files::<4>(id("pattern", FilePattern::new("*"))?),
    )?;
    check(
        "AT+QFLST: the CA is in UFS",
        listed
            .entries
            .iter()
            .any(|e| e.name.trim_start_matches("UFS:") == "cacert.pem" && e.size > 0),
        "cacert.pem is not listed",
    )?;

    // Binary upload: every byte value, checksum verified by the driver.
    let blob = id("file name", FileName::new("RAM:bytes.bin"))?;
    let mut all = [0u8; 256];
    for (i, b) in all.iter_mut().enumerate() {
        *b = i as u8;
    }
    let uploaded = step(
        "AT+QFUPL: upload 256 bytes of every value",
        modem.upload(blob, &all),
    )?;
    check(
        "AT+QFUPL: upload 256 bytes of every value",
        uploaded.size == 256,
        "the module stored another size",
    )?;
    step("AT+QFDEL: delete it", modem.delete_file(blob))?;

    let ssl = id("SSL context id", SslContextId::new(1))?;
    step(
        "AT+QSSLCFG: SSL context 1 (TLS 1.2, server authentication, SNI)",
        modem.configure_ssl(ssl, &SslConfig::with_ca(ca)),
    )?;

    let mut moved = 0;
    for (mode, client, rx) in [
        (AccessMode::Buffer, 0, buffer_rx),
        (AccessMode::DirectPush, 1, push_rx),
    ] {
        let name = match mode {
            AccessMode::Buffer => "buffer mode",
            _ => "direct push mode",
        };
        let open = OpenSslSocket::new(
            pdp,
            ssl,
            id("client id", ClientId::new(client))?,
            id("host name", HostName::new("echo.test"))?,
            ECHO_PORT,
            mode,
        );
        let open = id("AT+QSSLOPEN", open)?;
        let sock = step("AT+QSSLOPEN: open (TLS handshake)", modem.open(open, rx))?;
        crate::println!("     socket {} in {name}", sock.client().get());
        let status = step("AT+QSSLSTATE: connected", modem.socket_state(&sock))?;
        check(
            "AT+QSSLSTATE: connected",
            status.0.is_some_and(|s| s.state == SocketState::Connected),
            "the module does not report the socket connected",
        )?;
        for (seed, &size) in SIZES.iter().enumerate() {
            moved += echo(modem, &sock, seed as u8, size)?;
        }
        moved += echo_bytes(modem, &sock, FRAMING)?;
        step("AT+QSSLCLOSE: close", modem.close(&sock))?;
    }
    step(
        "AT+QIDEACT: deactivate PDP context 1",
        modem.deactivate_pdp(pdp),
    )?;
    Ok(Report {
        bytes_each_way: moved,
        connections: 2,
        elapsed_ms: crate::clock::now_ms() - started,
    })
}

/// Send `size` bytes of pattern `seed` and check that the echo is the same.
fn echo(modem: &mut Driver, sock: &SocketHandle, seed: u8, size: usize) -> Result<usize, Failure> {
    const NAME: &str = "AT+QSSLSEND / receive: echo of every byte value";
    let mut piece = [0u8; 1460];
    let mut sent = 0;
    while sent < size {
        let n = (size - sent).min(piece.len());
        for (i, b) in piece[..n].iter_mut().enumerate() {
            *b = pattern(seed, sent + i);
        }
        id(NAME, modem.socket(sock).write_all(&piece[..n]))?;
        sent += n;
    }
    receive(modem, sock, size, |i| pattern(seed, i), NAME)?;
    crate::println!("ok   {} sent, the same {size} echoed", Count(size, "byte"));
    Ok(size)
}

/// Send `data` and check its echo.
fn echo_bytes(modem: &mut Driver, sock: &SocketHandle, data: &[u8]) -> Result<usize, Failure> {
    const NAME: &str = "echo of the module's own framing as data";
    id(NAME, modem.socket(sock).write_all(data))?;
    receive(modem, sock, data.len(), |i| data[i], NAME)?;
    crate::println!(
        "ok   {} of framing (OK, ERROR, URC, >, ^Z, ESC, +++) echoed",
        Count(data.len(), "byte")
    );
    Ok(data.len())
}

fn receive(
    modem: &mut Driver,
    sock: &SocketHandle,
    want: usize,
    expected: impl Fn(usize) -> u8,
    name: &'static str,
) -> Result<(), Failure> {
    let mut got = 0;
    let mut chunk = [0u8; 512];
    while got < want {
        let limit = (want - got).min(chunk.len());
        let n = id(name, modem.read(sock, &mut chunk[..limit]))?;
        if n == 0 {
            return Err(Failure {
                step: name,
                problem: Problem::Short { got, want },
            });
        }
        for (i, &byte) in chunk[..n].iter().enumerate() {
            let sent = expected(got + i);
            if byte != sent {
                return Err(Failure {
                    step: name,
                    problem: Problem::Mismatch {
                        at: got + i,
                        sent,
                        got: byte,
                    },
                });
            }
        }
        got += n;
    }
    Ok(())
}
