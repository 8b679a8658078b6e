//! A clock the test moves by hand: for exchanges whose outcome depends on
//! when the caller polls (the nb face), and the port's bytes meanwhile.

/// A clock the test moves; its delays move it too.
#[derive(Debug, Clone, Default)]
pub struct SharedClock(std::rc::Rc<std::cell::Cell<u64>>);

impl SharedClock {
    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl quectel_ssl::modem::Clock for SharedClock {
    fn now_ms(&mut self) -> u64 {
        self.0.get()
    }
}

impl embedded_hal::delay::DelayNs for SharedClock {
    fn delay_ns(&mut self, ns: u32) {
        self.advance(u64::from(ns / 1_000_000).max(1));
    }
}
