//! The runner: the one task that owns the port.
//!
//! It reads whenever bytes come, hands them to the core, and lets the core
//! frame them at once: URCs and pushed data are handled the moment they
//! arrive, whoever waits. It writes what the core has to send (the command
//! of whichever task is being served, one at a time, in order), flushes the
//! port when a guard time needs it, and runs the resync before anything
//! else once the core asks for it. It also closes the sockets whose objects
//! were dropped.
//!
//! Between two rounds it waits for whichever comes first: bytes on the
//! port, a task giving it work, or the earliest deadline (a command's, or a
//! time a task waits for). There is no polling tick.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{Read, Write};

use super::state::{Shared, State, RUNNER};
use super::turn::poll_once;
use crate::modem::ops;
use crate::modem::Clock;
use crate::types::ClientId;

/// Bytes read from the port per read, at most.
const RX_CHUNK: usize = 256;
/// Bytes written to the port per write, at most.
const TX_CHUNK: usize = 512;
/// Pause after a port error before the runner tries again.
const IO_ERROR_PAUSE_MS: u32 = 10;

/// Bytes read from the port that the core has not taken yet.
struct RxBuf {
    data: [u8; RX_CHUNK],
    start: usize,
    end: usize,
}

impl RxBuf {
    fn pending(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }
}

/// What the runner does next.
enum Step {
    /// Write the first `n` bytes of its write buffer.
    Write(usize),
    /// Flush the port.
    Flush,
    /// Wait for bytes (up to `read` of them; 0: no room), work, or `until`.
    Wait { read: usize, until: Option<u64> },
}

/// What ended a wait.
enum Woke<E> {
    Read(Result<usize, E>),
    Work,
    Time,
}

/// The runner's own operations: the resync, and closes of dropped sockets.
#[derive(Default)]
struct Chores {
    resync: Option<ops::Resync>,
    close: Option<(ClientId, ops::Close)>,
}

/// Owns the port; run it in a task of its own (see [`new`](super::new)).
pub struct Runner<'a, P, T> {
    state: &'a State<'a, T>,
    port: P,
    timer: T,
    rx: RxBuf,
    tx: [u8; TX_CHUNK],
    chores: Chores,
}

impl<'a, P, T> Runner<'a, P, T> {
    pub(crate) fn new(state: &'a State<'a, T>, port: P, timer: T) -> Self {
        Self {
            state,
            port,
            timer,
            rx: RxBuf {
                data: [0; RX_CHUNK],
                start: 0,
                end: 0,
            },
            tx: [0; TX_CHUNK],
            chores: Chores::default(),
        }
    }
}

/// Hand what was read to the core, as far as it has room; `true` if any
/// byte went in.
fn feed(s: &mut Shared<'_>, rx: &mut RxBuf, now: u64) -> bool {
    let mut fed = false;
    while rx.start < rx.end {
        let space = s.core.rx_space();
        if space.is_empty() {
            // The command in flight must frame what is there first.
            s.core.poll_idle(now);
            if s.core.rx_space().is_empty() {
                s.core.rx_blocked(now);
                break;
            }
            continue;
        }
        let n = space.len().min(rx.end - rx.start);
        space[..n].copy_from_slice(&rx.data[rx.start..rx.start + n]);
        s.core.rx_done(n, now);
        rx.start += n;
        fed = true;
        s.core.poll_idle(now);
    }
    if rx.start == rx.end {
        rx.start = 0;
        rx.end = 0;
    }
    fed
}

/// The runner's own operations, polled as any task's are.
fn chores(s: &mut Shared<'_>, chores: &mut Chores, now: u64) {
    if let Some(resync) = ops::Resync::due(&mut chores.resync, &s.core) {
        if let Poll::Ready(result) = poll_once(s, RUNNER, resync, now) {
            chores.resync = None;
            if let Err(_e) = result {
                warn!("resync failed: {:?}; it runs again", _e);
            }
        }
    }
    loop {
        if chores.close.is_none() {
            let queued = s.sockets.close_queued;
            let Some(client) = ClientId::all().find(|c| queued & (1 << c.index()) != 0) else {
                return;
            };
            s.sockets.close_queued &= !(1 << client.index());
            s.sockets.closing |= 1 << client.index();
            match s.sockets.handles[client.index()] {
                Some(handle) => chores.close = Some((client, ops::Close::new(handle, None))),
                None => {
                    s.sockets.taken &= !(1 << client.index());
                    continue;
                }
            }
        }
        let Some((client, close)) = chores.close.as_mut() else {
            return;
        };
        let client = *client;
        match poll_once(s, RUNNER, close, now) {
            Poll::Pending => return,
            Poll::Ready(_result) => {
                debug!(
                    "socket {} dropped: closed ({:?})",
                    client.get(),
                    _result.is_ok()
                );
                chores.close = None;
                s.released(RUNNER, now);
                // Its buffer is not lent again (unless it is the pool's).
                let _ = s.free_client(client);
            }
        }
    }
}

impl<'a, P, T> Runner<'a, P, T>
where
    P: Read + Write,
    T: Clock + DelayNs,
{
    /// Run the modem: never returns. Spawn it in a task of its own before
    /// using [`Control`](super::Control) or [`Stack`](super::Stack).
    pub async fn run(&mut self) -> ! {
        loop {
            let step = self.plan();
            match step {
                Step::Write(n) => {
                    let result = self.port.write(&self.tx[..n]).await;
                    let now = self.timer.now_ms();
                    match result {
                        Ok(written) => self.with(|s| {
                            s.core.tx_done(written, now);
                            s.written();
                            s.settle(true, now);
                        }),
                        Err(_e) => self.io_error().await,
                    }
                    // Bytes that came meanwhile, without waiting.
                    self.read_ready().await;
                }
                Step::Flush => {
                    let result = self.port.flush().await;
                    let now = self.timer.now_ms();
                    if result.is_err() {
                        self.io_error().await;
                    }
                    self.with(|s| {
                        s.core.flushed(now);
                        s.flushed();
                    });
                }
                Step::Wait { read, until } => self.wait(read, until).await,
            }
        }
    }

    fn with(&self, f: impl FnOnce(&mut Shared<'a>)) {
        let mut f = Some(f);
        super::state::Engine::with(self.state, &mut |s, _| {
            if let Some(f) = f.take() {
                f(s);
            }
        });
    }

    /// One round under the lock: take in what was read, run the chores,
    /// wake whoever is due, and choose the next step.
    fn plan(&mut self) -> Step {
        let now = self.timer.now_ms();
        let (rx, tx, chores_) = (&mut self.rx, &mut self.tx, &mut self.chores);
        let mut step = None;
        super::state::Engine::with(self.state, &mut |s, _| {
            if feed(s, rx, now) {
                s.wake_owner();
            }
            // The chores say again what time they wait for.
            s.runner_wake = None;
            chores(s, chores_, now);
            s.core.poll_idle(now);
            s.wake_due(now);
            s.settle(true, now);
            let bytes = s.core.tx_bytes(s.payload.get());
            if !bytes.is_empty() {
                let n = bytes.len().min(s.config.write_chunk.clamp(1, TX_CHUNK));
                tx[..n].copy_from_slice(&bytes[..n]);
                step = Some(Step::Write(n));
                return;
            }
            if s.core.take_flush_request() {
                step = Some(Step::Flush);
                return;
            }
            let room = if rx.pending().is_empty() {
                s.core.rx_space().len().min(RX_CHUNK)
            } else {
                0
            };
            s.runner_starved = room == 0;
            let own = s.runner_wake.filter(|&t| t > now);
            let until = match (s.next_time(now), own) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            s.runner_until = until;
            step = Some(Step::Wait { read: room, until });
        });
        step.unwrap_or(Step::Wait {
            read: 0,
            until: None,
        })
    }

    /// Read what the port has now, if the core has room, without waiting.
    async fn read_ready(&mut self) {
        if !self.rx.pending().is_empty() {
            return;
        }
        let mut room = 0;
        self.with(|s| room = s.core.rx_space().len().min(RX_CHUNK));
        if room == 0 {
            return;
        }
        let got = {
            let mut read = pin!(self.port.read(&mut self.rx.data[..room]));
            poll_fn(|cx| match read.as_mut().poll(cx) {
                Poll::Ready(result) => Poll::Ready(Some(result)),
                Poll::Pending => Poll::Ready(None),
            })
            .await
        };
        match got {
            Some(Ok(n)) => self.rx.end = n,
            Some(Err(_)) => self.io_error().await,
            // The port had nothing: silence the deadlines may count.
            None => {
                let now = self.timer.now_ms();
                self.with(|s| s.core.rx_idle(now));
            }
        }
    }

    /// Wait for bytes, work or the time `until`.
    async fn wait(&mut self, read: usize, until: Option<u64>) {
        let now = self.timer.now_ms();
        let state = self.state;
        let woke = {
            let Self {
                port, timer, rx, ..
            } = &mut *self;
            let mut reading = pin!(async {
                if read == 0 {
                    core::future::pending::<()>().await;
                }
                port.read(&mut rx.data[..read]).await
            });
            let mut sleeping = pin!(async {
                match until {
                    Some(t) => {
                        let ms = t.saturating_sub(now).min(u64::from(u32::MAX / 1000));
                        timer.delay_ms(ms as u32).await
                    }
                    None => core::future::pending().await,
                }
            });
            poll_fn(|cx| {
                let mut work = false;
                super::state::Engine::with(state, &mut |s, _| {
                    work = s.take_work();
                    if !work {
                        s.register(RUNNER, cx.waker());
                    }
                });
                if work {
                    return Poll::Ready(Woke::Work);
                }
                if let Poll::Ready(result) = reading.as_mut().poll(cx) {
                    return Poll::Ready(Woke::Read(result));
                }
                if sleeping.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Woke::Time);
                }
                Poll::Pending
            })
            .await
        };
        match woke {
            Woke::Read(Ok(n)) => {
                self.rx.start = 0;
                self.rx.end = n;
            }
            Woke::Read(Err(_)) => self.io_error().await,
            // The read was polled just before the timer and had nothing: the
            // line was quiet until now (a deadline counts only such silence,
            // never time with bytes waiting unread).
            Woke::Time if read > 0 => {
                let now = self.timer.now_ms();
                self.with(|s| s.core.rx_idle(now));
            }
            Woke::Work | Woke::Time => {}
        }
    }

    async fn io_error(&mut self) {
        warn!("port error: trying again");
        self.timer.delay_ms(IO_ERROR_PAUSE_MS).await;
    }
}
