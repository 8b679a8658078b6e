//! Talking to the host through QEMU's semihosting: messages, and the exit
//! status the runner checks. A panic or a fault exits non-zero.

use core::fmt;

use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hio;

/// Print a line on the host's standard output.
pub fn print(args: fmt::Arguments<'_>) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = fmt::Write::write_fmt(&mut Line(&mut out), format_args!("{args}\n"));
    }
}

/// Print a line on the host's standard error.
pub fn eprint(args: fmt::Arguments<'_>) {
    if let Ok(mut out) = hio::hstderr() {
        let _ = fmt::Write::write_fmt(&mut Line(&mut out), format_args!("{args}\n"));
    }
}

struct Line<'a>(&'a mut hio::HostStream);

impl fmt::Write for Line<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_all(s.as_bytes()).map_err(|()| fmt::Error)
    }
}

/// A number and its unit, the unit in the plural unless the number is 1:
/// `Count(1, "byte")` prints `1 byte`, `Count(2, "byte")` `2 bytes`.
pub struct Count(pub usize, pub &'static str);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} {}{s}", self.0, self.1)
    }
}

/// `println!` to the host.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => { $crate::host::print(format_args!($($arg)*)) };
}

/// `eprintln!` to the host.
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => { $crate::host::eprint(format_args!($($arg)*)) };
}

/// End the emulation: QEMU exits with status 0 (`success`) or 1.
pub fn exit(success: bool) -> ! {
    debug::exit(if success { EXIT_SUCCESS } else { EXIT_FAILURE });
    // Only reached without a semihosting host: stop here.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    eprint(format_args!("FAIL: panic: {info}"));
    exit(false)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    eprint(format_args!("FAIL: hard fault at pc {:#010x}", frame.pc()));
    exit(false)
}
