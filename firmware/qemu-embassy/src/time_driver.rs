//! A small `embassy-time` driver on SysTick: a 1 kHz tick (the crate's
//! `tick-hz-1_000`), and a queue of wakers (`embassy-time-queue-utils`)
//! that the tick's interrupt wakes when their time has come.

use core::cell::RefCell;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;

/// Milliseconds since start (wraps after 49 days; fine for a test).
static TICKS: AtomicU32 = AtomicU32::new(0);

struct SysTickDriver {
    queue: Mutex<RefCell<Queue>>,
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    queue: Mutex::new(RefCell::new(Queue::new())),
});

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        u64::from(TICKS.load(Ordering::Relaxed))
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let mut queue = self.queue.borrow(cs).borrow_mut();
            queue.schedule_wake(at, waker);
            // Due already: the next tick wakes it.
        });
    }
}

#[exception]
fn SysTick() {
    let now = u64::from(TICKS.fetch_add(1, Ordering::Relaxed)) + 1;
    critical_section::with(|cs| {
        DRIVER.queue.borrow(cs).borrow_mut().next_expiration(now);
    });
}

/// Start the tick from the core clock (`core_hz`).
pub fn start(mut syst: SYST, core_hz: u32) {
    syst.disable_counter();
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(core_hz / 1000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}
