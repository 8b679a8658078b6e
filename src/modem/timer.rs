//! Time for timeouts and guard times, on bare metal or on a host.
//!
//! The engine needs two things: the current time in milliseconds (to check
//! deadlines) and a way to wait (between polls, and for the `+++` guard
//! times). [`Timer`] is both. On a board, implement [`Clock`] over any
//! monotonic counter (SysTick, an RTC, a DWT cycle counter) and pair it with
//! the HAL's `DelayNs`; with no counter at all, [`CountingTimer`] builds the
//! clock from the delays themselves. On a host, `StdTimer` (feature `std`)
//! uses `std::time::Instant`.

/// A monotonic millisecond clock.
pub trait Clock {
    /// Milliseconds since an arbitrary fixed point; never goes backwards.
    fn now_ms(&mut self) -> u64;
}

/// A clock and a way to wait: what the blocking face needs.
pub trait Timer: Clock + embedded_hal::delay::DelayNs {}

impl<T: Clock + embedded_hal::delay::DelayNs> Timer for T {}

/// A [`Clock`] that counts the time spent in its own delays: for boards
/// with a delay but no free-running timer. Time spent outside the delays is
/// not counted, so timeouts only ever run long, never short.
#[derive(Debug, Clone)]
pub struct CountingTimer<D> {
    delay: D,
    elapsed_ns: u64,
}

impl<D> CountingTimer<D> {
    /// Count the delays of `delay`.
    pub const fn new(delay: D) -> Self {
        Self {
            delay,
            elapsed_ns: 0,
        }
    }
}

impl<D> Clock for CountingTimer<D> {
    fn now_ms(&mut self) -> u64 {
        self.elapsed_ns / 1_000_000
    }
}

impl<D: embedded_hal::delay::DelayNs> embedded_hal::delay::DelayNs for CountingTimer<D> {
    fn delay_ns(&mut self, ns: u32) {
        self.delay.delay_ns(ns);
        self.elapsed_ns = self.elapsed_ns.saturating_add(u64::from(ns));
    }
}

/// Host time (`std::time::Instant`) and `std::thread::sleep`.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Debug, Clone, Copy)]
pub struct StdTimer {
    start: std::time::Instant,
}

#[cfg(feature = "std")]
impl StdTimer {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Default for StdTimer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for StdTimer {
    fn now_ms(&mut self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

#[cfg(feature = "std")]
impl embedded_hal::delay::DelayNs for StdTimer {
    fn delay_ns(&mut self, ns: u32) {
        std::thread::sleep(std::time::Duration::from_nanos(u64::from(ns)));
    }
}

#[cfg(all(feature = "std", feature = "async"))]
impl embedded_hal_async::delay::DelayNs for StdTimer {
    /// Never blocks the thread: the task sleeps until a shared timer
    /// thread wakes it.
    async fn delay_ns(&mut self, ns: u32) {
        super::std_sleep::sleep(std::time::Duration::from_nanos(u64::from(ns))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal::delay::DelayNs;

    struct NoDelay;
    impl DelayNs for NoDelay {
        fn delay_ns(&mut self, _: u32) {}
    }

    #[test]
    fn counting_timer_counts_its_delays() {
        let mut t = CountingTimer::new(NoDelay);
        assert_eq!(t.now_ms(), 0);
        t.delay_ms(1500);
        t.delay_us(600);
        assert_eq!(t.now_ms(), 1500);
        t.delay_us(400);
        assert_eq!(t.now_ms(), 1501);
    }
}
