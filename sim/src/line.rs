//! The serial line between host and module: the two byte pipes, optional
//! pacing at a baud rate, injected line faults, and the transcript.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::task::Waker;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::engine::inbox::Inbox;
use crate::transcript::{Direction, Recorder};

/// Bits on the wire per byte (start, 8 data, stop).
const BITS_PER_BYTE: u64 = 10;
/// Longest a pacer lets bytes pile up before handing them over when more
/// are still on the wire: a long burst goes out in chunks of this much line
/// time (a few hundred wake-ups per second, not one per byte), while the
/// last byte of every write reaches the other side the moment its stop bit
/// would, so a short answer waits only its own line time.
const BATCH: Duration = Duration::from_micros(500);

/// What an injected line fault does to the bytes it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineFaultKind {
    /// Flip the lowest bit.
    Corrupt,
    /// Remove the byte.
    Drop,
}

/// A line fault waiting for its bytes.
#[derive(Debug, Clone, Copy)]
struct LineFault {
    kind: LineFaultKind,
    skip: u32,
    count: u32,
}

/// Applies the faults queued for one direction, in order.
#[derive(Debug, Default)]
struct FaultQueue {
    queue: VecDeque<LineFault>,
}

impl FaultQueue {
    fn apply(&mut self, bytes: &[u8]) -> (Vec<u8>, usize) {
        let mut out = Vec::with_capacity(bytes.len());
        let mut hit = 0;
        for &b in bytes {
            let Some(fault) = self.queue.front_mut() else {
                out.push(b);
                continue;
            };
            if fault.skip > 0 {
                fault.skip -= 1;
                out.push(b);
                continue;
            }
            hit += 1;
            match fault.kind {
                LineFaultKind::Corrupt => out.push(b ^ 0x01),
                LineFaultKind::Drop => {}
            }
            fault.count -= 1;
            if fault.count == 0 {
                self.queue.pop_front();
            }
        }
        (out, hit)
    }
}

/// Bytes the host can read, with the waker of a pending async read.
#[derive(Default)]
pub(crate) struct HostSide {
    pub ready: VecDeque<u8>,
    pub waker: Option<Waker>,
    pub closed: bool,
}

/// The module-to-host pipe.
#[derive(Default)]
pub(crate) struct HostPipe {
    pub state: Mutex<HostSide>,
    pub cond: Condvar,
}

impl HostPipe {
    fn push(&self, bytes: &[u8]) {
        if let Ok(mut s) = self.state.lock() {
            s.ready.extend(bytes);
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
        self.cond.notify_all();
    }

    pub fn close(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.closed = true;
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
        self.cond.notify_all();
    }
}

type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

struct PacerState {
    queue: VecDeque<u8>,
    /// Bytes ever queued, counting from the start.
    queued: u64,
    /// Bytes ever handed to the sink.
    released: u64,
    /// For each write still (partly) queued, the count `queued` reached
    /// with its last byte: where the other side may be waiting.
    ends: VecDeque<u64>,
    /// Async flushes: woken once `released` reaches their count.
    flushes: Vec<(u64, Waker)>,
    stop: bool,
}

impl PacerState {
    /// Wake the flushes whose bytes are all on the other side (all of
    /// them once the line stops).
    fn wake_flushes(&mut self) {
        let (released, stop) = (self.released, self.stop);
        self.flushes.retain(|(target, waker)| {
            let done = *target <= released || stop;
            if done {
                waker.wake_by_ref();
            }
            !done
        });
    }
}

/// Releases queued bytes to a sink no faster than the line rate.
struct Pacer {
    shared: Arc<(Mutex<PacerState>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Pacer {
    /// A second handle on the same queue (for waiting on it without
    /// holding the line's lock).
    fn handle(&self) -> Pacer {
        Pacer {
            shared: self.shared.clone(),
            thread: None,
        }
    }

    fn start(baud: u32, sink: Sink) -> Pacer {
        let shared = Arc::new((
            Mutex::new(PacerState {
                queue: VecDeque::new(),
                queued: 0,
                released: 0,
                ends: VecDeque::new(),
                flushes: Vec::new(),
                stop: false,
            }),
            Condvar::new(),
        ));
        let byte_time = Duration::from_nanos(1_000_000_000 * BITS_PER_BYTE / u64::from(baud));
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sim-pacer".into())
            .spawn(move || pace(&worker, byte_time, &sink))
            .ok();
        Pacer { shared, thread }
    }

    fn push(&self, bytes: &[u8]) {
        let (lock, cond) = &*self.shared;
        if let Ok(mut s) = lock.lock() {
            s.queue.extend(bytes);
            s.queued += bytes.len() as u64;
            let end = s.queued;
            s.ends.push_back(end);
        }
        cond.notify_all();
    }

    /// Bytes queued so far: what a flush asked now waits for.
    fn queued(&self) -> u64 {
        let (lock, _) = &*self.shared;
        lock.lock().map_or(0, |s| s.queued)
    }

    /// `true` once `target` bytes are on the other side; until then `waker`
    /// is woken when they are (by the pacer thread: no thread per flush).
    fn poll_released(&self, target: u64, waker: &Waker) -> bool {
        let (lock, _) = &*self.shared;
        let Ok(mut s) = lock.lock() else { return true };
        if s.released >= target || s.stop {
            return true;
        }
        s.flushes.retain(|(_, w)| !w.will_wake(waker));
        s.flushes.push((target, waker.clone()));
        false
    }

    /// Wait until every byte queued so far is on the other side.
    fn wait_drained(&self) {
        let (lock, cond) = &*self.shared;
        let Ok(mut s) = lock.lock() else { return };
        let target = s.queued;
        while s.released < target && !s.stop {
            s = match cond.wait(s) {
                Ok(g) => g,
                Err(_) => return,
            };
        }
    }

    fn stop(&mut self) {
        let (lock, cond) = &*self.shared;
        if let Ok(mut s) = lock.lock() {
            s.stop = true;
            s.wake_flushes();
        }
        cond.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// When the line has been busy since `start` with byte number `base` (the
/// count of released bytes then) as its first, the moment byte count
/// `count` is complete on the wire.
fn complete_at(start: Instant, base: u64, count: u64, byte_time: Duration) -> Instant {
    let bytes = count.saturating_sub(base);
    start + Duration::from_nanos((byte_time.as_nanos() as u64).saturating_mul(bytes))
}

/// The pacer thread: sleeps until bytes arrive, then until the next moment
/// something is due (a write's last byte, or a batch of a long burst), and
/// hands over exactly the bytes whose line time has passed. It never wakes
/// on a fixed tick.
fn pace(shared: &(Mutex<PacerState>, Condvar), byte_time: Duration, sink: &Sink) {
    let (lock, cond) = shared;
    let Ok(mut s) = lock.lock() else { return };
    // The current busy period of the line: when it started and how many
    // bytes had been released before it.
    let mut busy: Option<(Instant, u64)> = None;
    let nanos = byte_time.as_nanos().max(1);
    loop {
        if s.stop {
            return;
        }
        if s.queue.is_empty() {
            busy = None;
            s = match cond.wait(s) {
                Ok(g) => g,
                Err(_) => return,
            };
            continue;
        }
        let now = Instant::now();
        let (start, base) = *busy.get_or_insert((now, s.released));
        let on_wire = (now.duration_since(start).as_nanos() / nanos) as u64 + base;
        let due = on_wire.saturating_sub(s.released).min(s.queue.len() as u64) as usize;
        if due == 0 {
            while s.ends.front().is_some_and(|&end| end <= s.released) {
                s.ends.pop_front();
            }
            let next_byte = complete_at(start, base, s.released + 1, byte_time);
            let write_end = s
                .ends
                .front()
                .map(|&end| complete_at(start, base, end, byte_time));
            let batch = next_byte.max(now + BATCH);
            let wake = write_end.map_or(batch, |end| end.min(batch));
            s = match cond.wait_timeout(s, wake.saturating_duration_since(now)) {
                Ok((g, _)) => g,
                Err(_) => return,
            };
            continue;
        }
        let chunk: Vec<u8> = s.queue.drain(..due).collect();
        s.released += due as u64;
        drop(s);
        sink(&chunk);
        // A flush may be waiting for these.
        cond.notify_all();
        s = match lock.lock() {
            Ok(g) => g,
            Err(_) => return,
        };
        s.wake_flushes();
    }
}

/// Both directions of the line.
pub(crate) struct Line {
    pub recorder: Arc<Recorder>,
    pub host: Arc<HostPipe>,
    inbox: Arc<Inbox>,
    rx_faults: Mutex<FaultQueue>,
    tx_faults: Mutex<FaultQueue>,
    rx_pacer: Mutex<Option<Pacer>>,
    tx_pacer: Mutex<Option<Pacer>>,
}

impl Line {
    pub fn new(recorder: Arc<Recorder>, inbox: Arc<Inbox>, baud: Option<u32>) -> Line {
        let host = Arc::new(HostPipe::default());
        let (rx_pacer, tx_pacer) = match baud {
            Some(baud) => {
                let to_module = inbox.clone();
                let to_host = host.clone();
                (
                    Some(Pacer::start(
                        baud,
                        Box::new(move |b| to_module.push_input(Instant::now(), b)),
                    )),
                    Some(Pacer::start(baud, Box::new(move |b| to_host.push(b)))),
                )
            }
            None => (None, None),
        };
        Line {
            recorder,
            host,
            inbox,
            rx_faults: Mutex::new(FaultQueue::default()),
            tx_faults: Mutex::new(FaultQueue::default()),
            rx_pacer: Mutex::new(rx_pacer),
            tx_pacer: Mutex::new(tx_pacer),
        }
    }

    /// Bytes written by the host.
    pub fn host_wrote(&self, bytes: &[u8]) {
        self.recorder.record(Direction::ToModule, bytes);
        let (bytes, hit) = match self.rx_faults.lock() {
            Ok(mut f) => f.apply(bytes),
            Err(_) => (bytes.to_vec(), 0),
        };
        if hit > 0 {
            self.recorder
                .note(&format!("line fault hit {hit} byte(s) from the host"));
        }
        if bytes.is_empty() {
            return;
        }
        match self.rx_pacer.lock().ok().as_ref().and_then(|p| p.as_ref()) {
            Some(pacer) => pacer.push(&bytes),
            None => self.inbox.push_input(Instant::now(), &bytes),
        }
    }

    /// Where an async flush asked now is done: the count of bytes the host
    /// has written (`None` on an unpaced line, where every byte is there at
    /// once).
    pub fn host_flush_target(&self) -> Option<u64> {
        self.rx_pacer
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(Pacer::queued))
    }

    /// `true` once `target` bytes the host wrote have reached the module;
    /// until then `waker` is woken when they have.
    pub fn poll_host_flushed(&self, target: u64, waker: &Waker) -> bool {
        match self.rx_pacer.lock().ok().as_ref().and_then(|p| p.as_ref()) {
            Some(pacer) => pacer.poll_released(target, waker),
            None => true,
        }
    }

    /// Wait until every byte the host wrote has reached the module: what
    /// `flush` means on a UART (the bytes have left the transmitter).
    pub fn wait_host_drained(&self) {
        let pacer = self
            .rx_pacer
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(Pacer::handle));
        if let Some(pacer) = pacer {
            pacer.wait_drained();
        }
    }

    /// Bytes written by the module.
    pub fn module_wrote(&self, bytes: &[u8]) {
        let (bytes, hit) = match self.tx_faults.lock() {
            Ok(mut f) => f.apply(bytes),
            Err(_) => (bytes.to_vec(), 0),
        };
        if hit > 0 {
            self.recorder
                .note(&format!("line fault hit {hit} byte(s) to the host"));
        }
        self.recorder.record(Direction::ToHost, &bytes);
        if bytes.is_empty() {
            return;
        }
        match self.tx_pacer.lock().ok().as_ref().and_then(|p| p.as_ref()) {
            Some(pacer) => pacer.push(&bytes),
            None => self.host.push(&bytes),
        }
    }

    /// Queues a fault on the bytes from the host (`rx`) or to the host.
    pub fn add_fault(&self, rx: bool, kind: LineFaultKind, skip: u32, count: u32) {
        if count == 0 {
            return;
        }
        let queue = if rx { &self.rx_faults } else { &self.tx_faults };
        if let Ok(mut q) = queue.lock() {
            q.queue.push_back(LineFault { kind, skip, count });
        }
    }

    /// Stops the pacers and wakes every reader.
    pub fn close(&self) {
        for pacer in [&self.rx_pacer, &self.tx_pacer] {
            if let Ok(mut p) = pacer.lock() {
                if let Some(mut p) = p.take() {
                    p.stop();
                }
            }
        }
        self.host.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_skip_then_hit() {
        let mut q = FaultQueue::default();
        q.queue.push_back(LineFault {
            kind: LineFaultKind::Corrupt,
            skip: 1,
            count: 2,
        });
        q.queue.push_back(LineFault {
            kind: LineFaultKind::Drop,
            skip: 0,
            count: 1,
        });
        let (out, hit) = q.apply(b"ABCDEF");
        assert_eq!(out, b"ACBEF".to_vec());
        assert_eq!(hit, 3);
        assert!(q.queue.is_empty());
    }

    #[test]
    fn a_byte_is_complete_one_byte_time_after_the_one_before() {
        let start = Instant::now();
        let byte = Duration::from_micros(87);
        assert_eq!(complete_at(start, 5, 5, byte), start);
        assert_eq!(complete_at(start, 5, 6, byte), start + byte);
        assert_eq!(complete_at(start, 5, 105, byte), start + byte * 100);
        assert_eq!(complete_at(start, 5, 3, byte), start);
    }
}
