//! A typical TLS client on the driver, as small as a real one: bring the
//! module up, open one connection in buffer mode (server authenticated
//! against the CA in the module's UFS), send a request, read the answer
//! (here the echo server's echo of it), close. Errors end the run without
//! formatting them; a real firmware would log them with `defmt`.
//!
//! The size report compares it with `baseline`: the driver's cost for an
//! application that uses only what most do. `cargo run --release --bin
//! client` runs it against the simulator like the `session` test.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_io::Write as _;
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::{Config, Event};
use quectel_ssl::{
    Apn, ClientId, Error, FileName, HostName, Modem, Password, PdpContextId, SslContextId, UserName,
};
use quectel_ssl_qemu::clock::{now_ms, SysTickTimer};
use quectel_ssl_qemu::host::{self, Count};
use quectel_ssl_qemu::session::{Driver, RxBuffer, ECHO_PORT};
use quectel_ssl_qemu::uart::Uart;
use quectel_ssl_qemu::{eprintln, println, CORE_HZ};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n";

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        host::exit(false)
    };
    let timer = SysTickTimer::start(core.SYST, CORE_HZ);
    let uart = Uart::take();
    let (Some(modem), Some(rx)) = (
        cortex_m::singleton!(: Driver = Modem::with_config(uart, timer, Config::default())),
        cortex_m::singleton!(: RxBuffer<2048> = RxBuffer::new()),
    ) else {
        host::exit(false)
    };
    match client(modem, &mut rx.0) {
        Ok(n) => {
            println!("PASS: 1 connection, {} each way", Count(n, "byte"));
            host::exit(true)
        }
        Err(_) => {
            eprintln!("FAIL");
            host::exit(false)
        }
    }
}

fn client(m: &mut Driver, rx: &'static mut [u8]) -> Result<usize, Error> {
    // The module boots when QEMU connects: wait up to 2 s for its RDY.
    let start = now_ms();
    while now_ms() - start < 2000 && m.take_event() != Some(Event::Rebooted) {
        m.poll()?;
    }
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
    let ssl = SslContextId::new(1)?;
    m.configure_ssl(ssl, &SslConfig::with_ca(FileName::new("UFS:cacert.pem")?))?;
    let open = OpenSslSocket::new(
        pdp,
        ssl,
        ClientId::new(0)?,
        HostName::new("echo.test")?,
        ECHO_PORT,
        AccessMode::Buffer,
    )?;
    let sock = m.open(open, rx)?;
    m.socket(&sock).write_all(REQUEST)?;
    let mut answer = [0u8; 128];
    let mut got = 0;
    while got < REQUEST.len() {
        match m.read(&sock, &mut answer[got..])? {
            0 => return Err(Error::Closed),
            n => got += n,
        }
    }
    m.close(&sock)?;
    m.deactivate_pdp(pdp)?;
    if answer[..got] == *REQUEST {
        Ok(got)
    } else {
        Err(Error::UnexpectedResponse)
    }
}
