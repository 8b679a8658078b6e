//! The board side of the QEMU firmware test: an emulated Cortex-M4 on
//! QEMU's `lm3s6965evb` machine, whose UART0 (an ARM PL011) is wired to the
//! module simulator over TCP.
//!
//! - [`uart`]: the PL011 as an `embedded_io` port, received bytes kept by
//!   its interrupt in a ring so none is lost while the driver writes;
//! - [`clock`]: a millisecond clock and delays from SysTick;
//! - [`host`]: messages and the exit status to the host (semihosting), and
//!   the panic and fault handlers that exit non-zero;
//! - [`session`]: the whole SSL session the test runs through the driver.
//!
//! Three binaries share them: `session` (the test), `client` (a typical
//! client, smaller, for the size report; it runs too) and `baseline` (the
//! same firmware with every driver call removed, for the size report).
#![no_std]

pub mod clock;
pub mod host;
pub mod session;
pub mod uart;

/// The emulated core's clock: QEMU's LM3S6965 runs at 12.5 MHz out of
/// reset (its 200 MHz PLL output divided by the reset `SYSDIV` of 16).
pub const CORE_HZ: u32 = 12_500_000;
