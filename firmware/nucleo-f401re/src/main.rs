//! HTTPS through a Quectel EC2x module from an STM32 Nucleo-F401RE.
//!
//! Powers the module on (PWRKEY), waits for `RDY`, brings up PDP context 1
//! with the APN, uploads the CA in `ca.pem`, configures SSL context 1 with
//! the driver's secure defaults, opens a TLS connection to `HTTPS_HOST`:443,
//! sends a `GET` and logs the reply over RTT (defmt). The driver logs
//! through defmt too (feature `defmt`).
//!
//! Settings, read at build time: `APN` (default `internet`), `HTTPS_HOST`
//! (default `valid-isrgrootx1.letsencrypt.org`, whose chain ends at the ISRG
//! Root X1 in `ca.pem`), `HTTPS_PATH` (default `/`). See the README for the
//! wiring.
#![no_std]
#![no_main]

mod clock;
mod uart;

use core::fmt::Write as _;
use cortex_m_rt::entry;
use defmt::{error, info, warn};
use defmt_rtt as _;
use embedded_hal::delay::DelayNs;

use embedded_io::Write as _;
use panic_probe as _;
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::Event;
use quectel_ssl::{
    Apn, ClientId, Error, FileName, HostName, Modem, Password, PdpContextId, SslContextId, UserName,
};
use stm32f4xx_hal::gpio::{Output, Pin};
use stm32f4xx_hal::pac;
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::Config as ClockConfig;

use clock::SysTickTimer;
use uart::ModemUart;

const APN: &str = match option_env!("APN") {
    Some(apn) => apn,
    None => "internet",
};
const HOST: &str = match option_env!("HTTPS_HOST") {
    Some(host) => host,
    None => "valid-isrgrootx1.letsencrypt.org",
};
const PATH: &str = match option_env!("HTTPS_PATH") {
    Some(path) => path,
    None => "/",
};
/// The CA the server's chain ends at (PEM).
const CA_PEM: &[u8] = include_bytes!("../ca.pem");

type Driver = Modem<'static, ModemUart, SysTickTimer>;

#[entry]
fn main() -> ! {
    match run() {
        Ok(()) => info!("done"),
        Err(e) => error!("failed: {}", e),
    }
    loop {
        cortex_m::asm::wfi();
    }
}

fn run() -> Result<(), Error> {
    let (Some(dp), Some(core)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        return Err(Error::Busy);
    };
    let mut rcc = dp.RCC.freeze(ClockConfig::hsi().sysclk(84.MHz()));
    let mut timer = SysTickTimer::start(core.SYST, rcc.clocks.sysclk().raw());
    let gpioa = dp.GPIOA.split(&mut rcc);
    let gpiob = dp.GPIOB.split(&mut rcc);
    // D4 drives the base of an NPN transistor that pulls PWRKEY low.
    let mut pwrkey = gpiob.pb5.into_push_pull_output();
    // USART1: D8 (PA9) TX to the module's RXD, D2 (PA10) RX from its TXD.
    let uart = ModemUart::new(dp.USART1, gpioa.pa9, gpioa.pa10, &mut rcc);

    power_on(&mut pwrkey, &mut timer);
    let rx: &'static mut [u8; 4096] =
        cortex_m::singleton!(: [u8; 4096] = [0; 4096]).ok_or(Error::Busy)?;
    let modem: &'static mut Driver =
        cortex_m::singleton!(: Driver = Modem::new(uart, timer)).ok_or(Error::Busy)?;
    wait_ready(modem, 15_000)?;
    https_get(modem, rx)
}

/// Pulse PWRKEY low for 600 ms (the EC2x wants at least 500 ms).
fn power_on(pwrkey: &mut Pin<'B', 5, Output>, timer: &mut SysTickTimer) {
    info!("PWRKEY pulse");
    pwrkey.set_high();
    timer.delay_ms(600);
    pwrkey.set_low();
}

/// Wait for `RDY` (a module that was on already sends none: go on after
/// `ms`, `init` checks that it answers).
fn wait_ready(modem: &mut Driver, ms: u64) -> Result<(), Error> {
    let start = clock::now_ms();
    while clock::now_ms() - start < ms {
        modem.poll()?;
        while let Some(event) = modem.take_event() {
            if event == Event::Rebooted {
                info!("module ready");
                return Ok(());
            }
        }
    }
    warn!(
        "no RDY within {} ms: the module may have been on already",
        ms
    );
    Ok(())
}

fn https_get(modem: &mut Driver, rx: &'static mut [u8]) -> Result<(), Error> {
    let report = modem.init()?;
    info!("init: {}", report);
    let pdp = PdpContextId::new(1)?;
    if report.active_pdp & 1 == 0 {
        modem.configure_pdp(ConfigurePdpContext {
            context: pdp,
            pdp_type: PdpType::Ipv4,
            apn: Apn::new(APN)?,
            username: UserName::new("")?,
            password: Password::new("")?,
            auth: AuthMethod::None,
        })?;
        modem.activate_pdp(pdp)?;
    }
    info!("PDP context 1 active");

    let ca = FileName::new("RAM:cacert.pem")?;
    let uploaded = modem.upload(ca, CA_PEM)?;
    info!("CA uploaded: {} bytes", uploaded.size);
    let ssl = SslContextId::new(1)?;
    modem.configure_ssl(ssl, &SslConfig::with_ca(ca))?;

    let open = OpenSslSocket::new(
        pdp,
        ssl,
        ClientId::new(0)?,
        HostName::new(HOST)?,
        443,
        AccessMode::Buffer,
    )?;
    let sock = modem.open(open, rx)?;
    info!("connected to {}", HOST);
    let mut request: heapless::String<512> = heapless::String::new();
    write!(
        request,
        "GET {PATH} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nUser-Agent: quectel-ssl-nucleo\r\n\r\n"
    )
    .map_err(|_| Error::Overflow)?;
    modem.socket(&sock).write_all(request.as_bytes())?;
    let mut chunk = [0u8; 512];
    let mut total = 0;
    loop {
        let n = modem.read(&sock, &mut chunk)?;
        if n == 0 {
            break;
        }
        total += n;
        info!("{=[u8]:a}", chunk[..n]);
    }
    info!("reply: {} bytes, connection closed by the server", total);
    let lost = modem.port().lost();
    if lost > 0 {
        warn!("UART: {} received bytes lost", lost);
    }
    modem.close(&sock)
}
