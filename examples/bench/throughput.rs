//! Throughput through the simulator with its line paced like a UART.

use std::time::{Duration, Instant};

use embedded_io::Write;
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{SimConfig, SimPort, Simulator};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::{self, SslConfig};
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;

use crate::Figure;

/// Which way the payload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// MCU -> module -> server.
    Send,
    /// Server -> module -> MCU.
    Receive,
}

/// Bytes of AT protocol the busiest path needs per chunk of payload, with
/// the chunk size: the least any driver can do for that transfer.
fn protocol_bytes(mode: AccessMode, direction: Direction) -> (usize, usize) {
    match (mode, direction) {
        // AT+QSSLSEND=0,1460\r  \r\n>   <1460>  \r\nSEND OK\r\n  (strictly
        // sequential: each waits for the one before).
        (AccessMode::Buffer | AccessMode::DirectPush, Direction::Send) => {
            (1460, 19 + 4 + 1460 + 11)
        }
        // AT+QSSLRECV=0,1500\r  then \r\n+QSSLRECV: 1500\r\n<1500>\r\n\r\nOK\r\n
        (AccessMode::Buffer, Direction::Receive) => (1500, 19 + 19 + 1500 + 8),
        // \r\n+QSSLURC: "recv",0,1500\r\n<1500>\r\n
        (AccessMode::DirectPush, Direction::Receive) => (1500, 27 + 1500 + 2),
        (AccessMode::Transparent, _) => (1, 1),
    }
}

/// One measured transfer.
pub struct Run {
    pub baud: u32,
    pub turnaround_ms: u64,
    pub mode: AccessMode,
    pub direction: Direction,
    pub bytes: usize,
    pub elapsed: Duration,
}

impl Run {
    pub fn bytes_per_s(&self) -> f64 {
        self.bytes as f64 / self.elapsed.as_secs_f64()
    }
    /// Share of the raw line rate (10 bits per byte).
    pub fn line_share(&self) -> f64 {
        self.bytes_per_s() / (f64::from(self.baud) / 10.0)
    }
    /// Share of what the AT protocol allows at this line rate.
    pub fn protocol_share(&self) -> f64 {
        let (payload, wire) = protocol_bytes(self.mode, self.direction);
        self.line_share() / (payload as f64 / wire as f64)
    }

    pub fn figures(&self) -> Vec<Figure> {
        let name = format!(
            "throughput.{}baud.{}ms.{:?}.{:?}",
            self.baud, self.turnaround_ms, self.mode, self.direction
        )
        .to_lowercase();
        vec![
            Figure::new(&format!("{name}.bytes_per_s"), self.bytes_per_s(), "B/s"),
            Figure::new(
                &format!("{name}.line_share"),
                self.line_share() * 100.0,
                "%",
            ),
            Figure::new(
                &format!("{name}.protocol_share"),
                self.protocol_share() * 100.0,
                "%",
            ),
        ]
    }
}

type Driver = Modem<'static, SimPort, StdTimer>;

fn buffer(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

fn set_up(m: &mut Driver, ca: &[u8]) -> Result<(), Error> {
    m.init()?;
    let pdp = PdpContextId::new(1)?;
    m.configure_pdp(ConfigurePdpContext {
        context: pdp,
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("internet")?,
        username: UserName::new("")?,
        password: Password::new("")?,
        auth: AuthMethod::None,
    })?;
    m.activate_pdp(pdp)?;
    let ca_file = FileName::new("RAM:ca.pem")?;
    m.upload(ca_file, ca)?;
    m.configure_ssl(SslContextId::new(0)?, &SslConfig::with_ca(ca_file))
}

/// Move `bytes` of payload one way and time it, end to end (until the
/// server has it all, or until the MCU has read it all).
pub fn measure(
    baud: u32,
    turnaround_ms: u64,
    mode: AccessMode,
    direction: Direction,
    bytes: usize,
) -> Result<Run, String> {
    let pki = TestPki::new();
    let options = EchoServerOptions::default().rsa().name("bench.test");
    let options = if direction == Direction::Send {
        options.sink()
    } else {
        options
    };
    let server = EchoServer::start(&pki, options).map_err(|e| e.to_string())?;
    let config = SimConfig::fast()
        .dns("bench.test", "127.0.0.1".parse().map_err(|_| "address")?)
        .baud(Some(baud))
        .turnaround(Duration::from_millis(turnaround_ms))
        .transcript(false)
        .recv_buffer(64 * 1024);
    let (_sim, port) = Simulator::start(config);
    let mut m: Driver = Modem::new(port, StdTimer::new());
    let err = |e: Error| e.to_string();
    set_up(&mut m, pki.ca_pem().as_bytes()).map_err(err)?;
    let open = OpenSslSocket::new(
        PdpContextId::new(1).map_err(err)?,
        SslContextId::new(0).map_err(err)?,
        ClientId::new(0).map_err(err)?,
        HostName::new("bench.test").map_err(err)?,
        server.port(),
        mode,
    )
    .map_err(err)?;
    let sock = m.open(open, buffer(64 * 1024)).map_err(err)?;
    let payload: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    let start = Instant::now();
    match direction {
        Direction::Send => {
            if mode == AccessMode::Transparent {
                m.transparent(&sock)
                    .map_err(err)?
                    .write_all(&payload)
                    .map_err(err)?;
            } else {
                m.socket(&sock).write_all(&payload).map_err(err)?;
            }
            let all = |c: &[quectel_sim::testing::EchoConnection]| {
                c.first().is_some_and(|c| c.received >= bytes)
            };
            if !server.wait_for(Duration::from_secs(600), all) {
                return Err("the server did not get everything".into());
            }
        }
        Direction::Receive => {
            server.send(&payload);
            let mut got = 0usize;
            let mut chunk = vec![0u8; 4096];
            while got < bytes {
                let n = if mode == AccessMode::Transparent {
                    m.run(&mut ops::RawRead::new(sock, &mut chunk))
                        .map_err(err)?
                } else {
                    m.read(&sock, &mut chunk).map_err(err)?
                };
                if n == 0 {
                    return Err("stream ended early".into());
                }
                if chunk[..n]
                    .iter()
                    .zip(got..)
                    .any(|(&b, i)| b != (i % 251) as u8)
                {
                    return Err("payload corrupted".into());
                }
                got += n;
            }
        }
    }
    let elapsed = start.elapsed();
    Ok(Run {
        baud,
        turnaround_ms,
        mode,
        direction,
        bytes,
        elapsed,
    })
}
