//! Time from SysTick: an interrupt every millisecond counts milliseconds,
//! the counter's current value gives the microseconds in between.
//!
//! Delays sleep with `wfi` between interrupts (SysTick's, the UART's), so an
//! idle driver leaves the emulator's host core idle too.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use quectel_ssl::modem::Clock;

/// Milliseconds since [`SysTickTimer::start`], counted by the interrupt.
static MILLIS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since SysTick started (for measuring; the driver's own
/// clock is the [`SysTickTimer`] it owns).
pub fn now_ms() -> u64 {
    u64::from(MILLIS.load(Ordering::Relaxed))
}

/// A [`quectel_ssl::modem::Timer`]: millisecond clock and delays.
pub struct SysTickTimer {
    syst: SYST,
    reload: u32,
    /// Upper 32 bits of the millisecond count (the interrupt's counter
    /// wraps after 49 days).
    epoch: u64,
    last: u32,
}

impl SysTickTimer {
    /// Run SysTick from the core clock (`core_hz`), interrupting every
    /// millisecond.
    pub fn start(mut syst: SYST, core_hz: u32) -> Self {
        let reload = core_hz / 1000 - 1;
        syst.disable_counter();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(reload);
        syst.clear_current();
        MILLIS.store(0, Ordering::Relaxed);
        syst.enable_interrupt();
        syst.enable_counter();
        Self {
            syst,
            reload,
            epoch: 0,
            last: 0,
        }
    }

    /// Microseconds since start.
    pub fn now_us(&mut self) -> u64 {
        let (ms, current) = loop {
            let before = MILLIS.load(Ordering::Relaxed);
            let current = SYST::get_current();
            // SysTick wrapped between the two reads: its interrupt ran at
            // once (thread mode never masks it), so read again.
            if MILLIS.load(Ordering::Relaxed) == before {
                break (before, current);
            }
        };
        // Cycles per microsecond: a 32-bit divide (one instruction here),
        // not a 64-bit one (a library routine of about 1 KiB of flash).
        let per_us = ((self.reload + 1) / 1000).max(1);
        let into_ms = (self.reload - current.min(self.reload)) / per_us;
        self.extend(ms) * 1000 + u64::from(into_ms.min(999))
    }

    fn extend(&mut self, ms: u32) -> u64 {
        if ms < self.last {
            self.epoch += 1 << 32;
        }
        self.last = ms;
        self.epoch + u64::from(ms)
    }

    /// Give SysTick back.
    pub fn free(mut self) -> SYST {
        self.syst.disable_interrupt();
        self.syst.disable_counter();
        self.syst
    }
}

impl Clock for SysTickTimer {
    fn now_ms(&mut self) -> u64 {
        let ms = MILLIS.load(Ordering::Relaxed);
        self.extend(ms)
    }
}

impl embedded_hal::delay::DelayNs for SysTickTimer {
    fn delay_ns(&mut self, ns: u32) {
        let until = self.now_us() + u64::from(ns.div_ceil(1000));
        while self.now_us() < until {
            // Woken by the next millisecond at the latest.
            cortex_m::asm::wfi();
        }
    }
}
