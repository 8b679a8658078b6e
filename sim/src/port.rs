//! [`SimPort`]: the host's end of the in-process serial line, and
//! [`DtrPin`], its DTR line.

use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Weak};
use std::task::Poll;
use std::time::{Duration, Instant};

use crate::engine::event::Event;
use crate::shared::SimCore;

/// The only way a port operation fails: the simulator was shut down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimPortError {
    /// The simulator has stopped.
    Closed,
}

impl fmt::Display for SimPortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("simulator stopped")
    }
}

impl std::error::Error for SimPortError {}

impl embedded_io::Error for SimPortError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::BrokenPipe
    }
}

impl From<SimPortError> for std::io::Error {
    fn from(_: SimPortError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, "simulator stopped")
    }
}

/// The host's end of the serial line: what a driver reads from and writes
/// to. Blocking `embedded_io` and `std::io` reads wait for at least one
/// byte; async reads register a waker (no polling loop). Writes never block
/// (the line has no flow control; with `baud` pacing, the bytes are
/// delivered to the module at the line rate).
///
/// Clones share the same line: each byte is read by one of them, and only
/// the latest pending async read is woken. The simulator runs until every
/// port and handle is dropped (or [`crate::SimHandle::shutdown`]).
#[derive(Clone)]
pub struct SimPort {
    pub(crate) core: Arc<SimCore>,
}

impl SimPort {
    fn pull(&self, buf: &mut [u8], block: bool) -> Result<usize, SimPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let pipe = &self.core.line.host;
        let Ok(mut s) = pipe.state.lock() else {
            return Err(SimPortError::Closed);
        };
        loop {
            if !s.ready.is_empty() {
                let n = buf.len().min(s.ready.len());
                for (slot, b) in buf.iter_mut().zip(s.ready.drain(..n)) {
                    *slot = b;
                }
                return Ok(n);
            }
            if s.closed {
                return Err(SimPortError::Closed);
            }
            if !block {
                return Ok(0);
            }
            s = pipe.cond.wait(s).map_err(|_| SimPortError::Closed)?;
        }
    }

    fn put(&self, buf: &[u8]) -> Result<usize, SimPortError> {
        if self.core.is_stopped() {
            return Err(SimPortError::Closed);
        }
        self.core.line.host_wrote(buf);
        Ok(buf.len())
    }

    /// Reads what is there, waiting at most `timeout` for the first byte;
    /// `Ok(0)` when nothing came in time.
    pub fn read_timeout(&self, buf: &mut [u8], timeout: Duration) -> Result<usize, SimPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = Instant::now() + timeout;
        let pipe = &self.core.line.host;
        let Ok(mut s) = pipe.state.lock() else {
            return Err(SimPortError::Closed);
        };
        loop {
            if !s.ready.is_empty() {
                let n = buf.len().min(s.ready.len());
                for (slot, b) in buf.iter_mut().zip(s.ready.drain(..n)) {
                    *slot = b;
                }
                return Ok(n);
            }
            if s.closed {
                return Err(SimPortError::Closed);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(0);
            }
            s = pipe
                .cond
                .wait_timeout(s, deadline - now)
                .map_err(|_| SimPortError::Closed)?
                .0;
        }
    }

    /// Bytes readable now without waiting.
    pub fn available(&self) -> usize {
        self.core
            .line
            .host
            .state
            .lock()
            .map(|s| s.ready.len())
            .unwrap_or(0)
    }

    /// The DTR line of this port.
    pub fn dtr(&self) -> DtrPin {
        DtrPin {
            core: Arc::downgrade(&self.core),
        }
    }
}

impl embedded_io::ErrorType for SimPort {
    type Error = SimPortError;
}

impl embedded_io::Read for SimPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimPortError> {
        self.pull(buf, true)
    }
}

impl embedded_io::Write for SimPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, SimPortError> {
        self.put(buf)
    }

    /// Waits until every byte written has reached the module: on a paced
    /// line, until the last one's stop bit (what a UART's flush means).
    fn flush(&mut self) -> Result<(), SimPortError> {
        self.core.line.wait_host_drained();
        Ok(())
    }
}

impl embedded_io::ReadReady for SimPort {
    /// True when a read would not block. When nothing is there, waits up to
    /// [`crate::SimConfig::read_ready_wait`] (1 ms by default) for data
    /// before answering false, so that a driver polling in a loop does not
    /// spin a host core.
    fn read_ready(&mut self) -> Result<bool, SimPortError> {
        let pipe = &self.core.line.host;
        let deadline = Instant::now() + self.core.config.read_ready_wait;
        let Ok(mut s) = pipe.state.lock() else {
            return Err(SimPortError::Closed);
        };
        loop {
            if !s.ready.is_empty() {
                return Ok(true);
            }
            if s.closed {
                return Err(SimPortError::Closed);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            s = pipe
                .cond
                .wait_timeout(s, deadline - now)
                .map_err(|_| SimPortError::Closed)?
                .0;
        }
    }
}

impl embedded_io::WriteReady for SimPort {
    fn write_ready(&mut self) -> Result<bool, SimPortError> {
        if self.core.is_stopped() {
            Err(SimPortError::Closed)
        } else {
            Ok(true)
        }
    }
}

impl embedded_io_async::Read for SimPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        poll_fn(|cx| {
            let pipe = &self.core.line.host;
            let Ok(mut s) = pipe.state.lock() else {
                return Poll::Ready(Err(SimPortError::Closed));
            };
            if !s.ready.is_empty() {
                let n = buf.len().min(s.ready.len());
                for (slot, b) in buf.iter_mut().zip(s.ready.drain(..n)) {
                    *slot = b;
                }
                return Poll::Ready(Ok(n));
            }
            if s.closed {
                return Poll::Ready(Err(SimPortError::Closed));
            }
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl embedded_io_async::Write for SimPort {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, SimPortError> {
        self.put(buf)
    }

    /// Waits until every byte written so far has reached the module; the
    /// line's pacer wakes the task (no thread, no polling).
    async fn flush(&mut self) -> Result<(), SimPortError> {
        let Some(target) = self.core.line.host_flush_target() else {
            return Ok(());
        };
        poll_fn(|cx| {
            if self.core.line.poll_host_flushed(target, cx.waker()) {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

impl std::io::Read for SimPort {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.pull(buf, true)?)
    }
}

impl std::io::Write for SimPort {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(self.put(buf)?)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.core.line.wait_host_drained();
        Ok(())
    }
}

/// The module's DTR input as an `embedded_hal` output pin on the host side.
///
/// Levels are electrical, as on the module's active-low `DTR` pin:
/// `set_low()` asserts DTR (ON, the state after power-up), `set_high()`
/// releases it (OFF). After `AT&D1`, an ON→OFF change (low → high) in
/// transparent mode leaves it like `+++` (the module answers `OK`). The pin
/// does not keep the simulator alive; on a stopped simulator it does
/// nothing.
#[derive(Clone)]
pub struct DtrPin {
    core: Weak<SimCore>,
}

impl DtrPin {
    pub(crate) fn new(core: &Arc<SimCore>) -> DtrPin {
        DtrPin {
            core: Arc::downgrade(core),
        }
    }

    fn set(&self, on: bool) {
        if let Some(core) = self.core.upgrade() {
            core.inbox.push_event(Event::Dtr(on));
        }
    }
}

impl embedded_hal::digital::ErrorType for DtrPin {
    type Error = core::convert::Infallible;
}

impl embedded_hal::digital::OutputPin for DtrPin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.set(true);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.set(false);
        Ok(())
    }
}
