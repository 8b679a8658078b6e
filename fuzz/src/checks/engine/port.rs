//! The port between the engine and the module, and the clock: the port
//! hands over the module's bytes as a line of a given rate delivers them,
//! in chunks the input chooses, takes writes (all at once, or a few bytes
//! a call), and counts the calls one poll makes: an engine that loops on
//! the port without returning fails.

use std::cell::Cell;
use std::rc::Rc;

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write};
use quectel_ssl::modem::Clock;

use super::module::Module;

/// Port calls one `poll_op` may make besides four per byte it moves (a
/// poll reads all there is, a byte a call if the port hands them over so):
/// far more than any honest poll needs, far fewer than a loop.
const CALLS_PER_POLL: u64 = 200_000;

/// Most bytes the module may have queued: the module's outputs are bounded
/// by the input, so more means the engine stopped reading.
pub(crate) const MAX_BACKLOG: usize = 1 << 20;

/// The harness's clock: milliseconds that move only when the harness says.
#[derive(Debug, Clone)]
pub(crate) struct FuzzClock(pub Rc<Cell<u64>>);

impl Clock for FuzzClock {
    fn now_ms(&mut self) -> u64 {
        self.0.get()
    }
}

pub(crate) struct Port {
    pub module: Module,
    clock: Rc<Cell<u64>>,
    /// Chunk sizes: xorshift state and the largest (0: as much as asked).
    chunk_state: u32,
    pub chunk_max: usize,
    /// Line rate in bytes per ms (0: no limit), and the bytes that have
    /// arrived and were not read yet.
    pub rate: u64,
    arrived: usize,
    last_tick: u64,
    /// Most bytes a write takes (0: all).
    pub accept: usize,
    /// Port calls since the poll began.
    calls: u64,
    /// Bytes moved either way, ever.
    pub moved: u64,
    /// ... when the poll began.
    moved_before: u64,
}

impl Port {
    pub fn new(module: Module, clock: Rc<Cell<u64>>, chunk_seed: u8) -> Self {
        Self {
            module,
            clock,
            chunk_state: u32::from(chunk_seed).wrapping_mul(0x9E37_79B9) | 1,
            chunk_max: usize::from(chunk_seed % 64),
            rate: 0,
            arrived: 0,
            last_tick: 0,
            accept: 0,
            calls: 0,
            moved: 0,
            moved_before: 0,
        }
    }

    /// Let the module run to `now`; bytes arrive at the line rate.
    pub fn tick(&mut self) {
        let now = self.clock.get();
        self.module.tick(now);
        let elapsed = now.saturating_sub(self.last_tick);
        self.last_tick = now;
        let ready = self.module.ready.len();
        self.arrived = match self.rate {
            0 => ready,
            rate => {
                let more = usize::try_from(elapsed.saturating_mul(rate)).unwrap_or(usize::MAX);
                self.arrived.saturating_add(more).min(ready)
            }
        };
        assert!(
            self.module.backlog() <= MAX_BACKLOG,
            "the engine stopped reading: {} bytes queued",
            self.module.backlog()
        );
    }

    /// A poll begins: its port calls are counted from here.
    pub fn start_poll(&mut self) {
        self.calls = 0;
        self.moved_before = self.moved;
    }

    fn call(&mut self) {
        self.calls += 1;
        let moved = self.moved - self.moved_before;
        assert!(
            self.calls < CALLS_PER_POLL + 4 * moved,
            "one poll made {} port calls moving {moved} bytes: the engine loops",
            self.calls
        );
    }

    fn chunk(&mut self) -> usize {
        if self.chunk_max == 0 {
            return usize::MAX;
        }
        self.chunk_state ^= self.chunk_state << 13;
        self.chunk_state ^= self.chunk_state >> 17;
        self.chunk_state ^= self.chunk_state << 5;
        1 + self.chunk_state as usize % self.chunk_max
    }
}

impl ErrorType for Port {
    type Error = ErrorKind;
}

impl Read for Port {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.call();
        self.tick();
        let n = buf.len().min(self.arrived).min(self.chunk());
        for (dst, src) in buf.iter_mut().zip(self.module.ready.drain(..n)) {
            *dst = src;
        }
        trace!("  <- {:?}", String::from_utf8_lossy(&buf[..n]));
        self.arrived -= n;
        self.moved += n as u64;
        Ok(n)
    }
}

impl ReadReady for Port {
    fn read_ready(&mut self) -> Result<bool, ErrorKind> {
        self.call();
        self.tick();
        Ok(self.arrived > 0)
    }
}

impl Write for Port {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.call();
        self.tick();
        let n = match self.accept {
            0 => buf.len(),
            most => buf.len().min(most),
        };
        trace!("  -> {:?}", String::from_utf8_lossy(&buf[..n]));
        self.module.receive(&buf[..n], self.clock.get());
        self.moved += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}
