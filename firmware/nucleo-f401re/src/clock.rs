//! Time from SysTick: an interrupt every millisecond counts milliseconds;
//! delays sleep with `wfi` between interrupts.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use quectel_ssl::modem::Clock;

static MILLIS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since [`SysTickTimer::start`] (wraps after 49 days).
pub fn now_ms() -> u64 {
    u64::from(MILLIS.load(Ordering::Relaxed))
}

/// The driver's [`quectel_ssl::modem::Timer`].
pub struct SysTickTimer {
    reload: u32,
    /// Milliseconds of the counter's past wraps.
    epoch: u64,
    last: u32,
}

impl SysTickTimer {
    /// Interrupt every millisecond of the core clock (`core_hz`).
    pub fn start(mut syst: SYST, core_hz: u32) -> Self {
        let reload = core_hz / 1000 - 1;
        syst.disable_counter();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(reload);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Self {
            reload,
            epoch: 0,
            last: 0,
        }
    }

    fn extend(&mut self, ms: u32) -> u64 {
        if ms < self.last {
            self.epoch += 1 << 32;
        }
        self.last = ms;
        self.epoch + u64::from(ms)
    }

    /// Microseconds since start.
    fn now_us(&mut self) -> u64 {
        let (ms, current) = loop {
            let before = MILLIS.load(Ordering::Relaxed);
            let current = SYST::get_current();
            if MILLIS.load(Ordering::Relaxed) == before {
                break (before, current);
            }
        };
        // A 32-bit divide: a 64-bit one would link about 1 KiB of library code.
        let per_us = ((self.reload + 1) / 1000).max(1);
        let into_ms = (self.reload - current.min(self.reload)) / per_us;
        self.extend(ms) * 1000 + u64::from(into_ms.min(999))
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
            cortex_m::asm::wfi();
        }
    }
}
