//! The size report's baseline: the `session` firmware with every driver call
//! removed. It sets up the same clock, UART, semihosting and fault handlers
//! and uses the port through the same traits (one `AT` and its answer), so
//! the difference in size to `session` is the driver and the session that
//! drives it.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_hal::delay::DelayNs;
use embedded_io::{Read, ReadReady, Write};
use quectel_ssl_qemu::clock::SysTickTimer;
use quectel_ssl_qemu::host::{self, Count};
use quectel_ssl_qemu::uart::Uart;
use quectel_ssl_qemu::{println, CORE_HZ};

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        host::exit(false)
    };
    let mut timer = SysTickTimer::start(core.SYST, CORE_HZ);
    let mut uart = Uart::take();
    let Ok(()) = uart.write_all(b"AT\r");
    let mut answer = [0u8; 64];
    let mut got = 0;
    for _ in 0..500 {
        if uart.read_ready() == Ok(true) {
            got += uart.read(&mut answer[got..]).unwrap_or(0);
        }
        if got == answer.len() {
            break;
        }
        timer.delay_ms(1);
    }
    println!("baseline: {} back", Count(got, "byte"));
    host::exit(true)
}
