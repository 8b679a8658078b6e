//! The QEMU firmware test: the whole SSL session of [`session::run`]
//! through the driver; exits 0 when every step passed, 1 at the first that
//! failed (and on a panic or fault).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use quectel_ssl::modem::Config;
use quectel_ssl::Modem;
use quectel_ssl_qemu::clock::SysTickTimer;
use quectel_ssl_qemu::host::{self, Count};
use quectel_ssl_qemu::session::{self, Driver, RxBuffer};
use quectel_ssl_qemu::uart::Uart;
use quectel_ssl_qemu::{eprintln, println, CORE_HZ};

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        host::exit(false)
    };
    let timer = SysTickTimer::start(core.SYST, CORE_HZ);
    let uart = Uart::take();
    // Static, not on the stack: the size report counts them as RAM.
    let (Some(modem), Some(buffer_rx), Some(push_rx)) = (
        cortex_m::singleton!(: Driver = Modem::with_config(uart, timer, Config::default())),
        cortex_m::singleton!(: RxBuffer<2048> = RxBuffer::new()),
        cortex_m::singleton!(: RxBuffer<8192> = RxBuffer::new()),
    ) else {
        host::exit(false)
    };
    match session::run(modem, &mut buffer_rx.0, &mut push_rx.0) {
        Ok(report) => {
            let rx = modem.port().rx_stats();
            println!(
                "PASS: {}, {} each way, {} ms (UART: peak {} waiting, {}; driver state {})",
                Count(report.connections as usize, "connection"),
                Count(report.bytes_each_way, "byte"),
                report.elapsed_ms,
                Count(rx.peak, "byte"),
                Count(rx.errors as usize, "error"),
                Count(core::mem::size_of::<Driver>(), "byte")
            );
            host::exit(rx.errors == 0)
        }
        Err(failure) => {
            eprintln!("FAIL: {failure}");
            host::exit(false)
        }
    }
}
