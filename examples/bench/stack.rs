//! The async stack's figures: throughput per access mode (one socket, the
//! same runs as the blocking face's), the aggregate of twelve sockets at
//! once, and how long a pushed byte takes from the port to its task.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use embassy_executor::Executor;
use embedded_io_async::{Read, Write};
use quectel_sim::testing::{EchoConnection, EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{SimConfig, SimPort, Simulator};

use quectel_ssl::asynch::{self, ConnectOptions, Control, Runner, Stack, State};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;

use crate::throughput::{Direction, Run};

/// The simulator's port, noting when each read brought bytes.
#[derive(Clone)]
pub struct TimedPort {
    port: SimPort,
    reads: Arc<Mutex<Vec<(Instant, usize)>>>,
}

impl embedded_io_async::ErrorType for TimedPort {
    type Error = quectel_sim::SimPortError;
}

impl Read for TimedPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.port.read(buf).await?;
        if let Ok(mut reads) = self.reads.lock() {
            reads.push((Instant::now(), n));
        }
        Ok(n)
    }
}

impl Write for TimedPort {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Write::write(&mut self.port, buf).await
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Write::flush(&mut self.port).await
    }
}

#[embassy_executor::task(pool_size = 64)]
async fn runner_task(mut runner: Runner<'static, TimedPort, StdTimer>) {
    runner.run().await
}

#[embassy_executor::task(pool_size = 256)]
async fn job(fut: Pin<Box<dyn Future<Output = ()>>>) {
    fut.await
}

/// Run `main` on the stack over `port` (a fresh executor on this thread).
fn run_stack<F, Fut>(port: TimedPort, main: F)
where
    F: FnOnce(Control<'static>, Stack<'static>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let state: &'static State<'static, StdTimer> = Box::leak(Box::new(State::new()));
    let (runner, control, stack) = asynch::new(state, port, StdTimer::new());
    let done: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
    executor.run_until(
        |spawner| {
            spawner.spawn(runner_task(runner).expect("runner task"));
            let main = Box::pin(async move {
                main(control, stack).await;
                done.store(true, Ordering::SeqCst);
            });
            spawner.spawn(job(main).expect("bench task"));
        },
        || done.load(Ordering::SeqCst),
    );
}

async fn set_up(control: Control<'_>, ca: &[u8]) -> Result<(), Error> {
    control.init().await?;
    let pdp = PdpContextId::new(1)?;
    control
        .configure_pdp(ConfigurePdpContext {
            context: pdp,
            pdp_type: PdpType::Ipv4,
            apn: Apn::new("internet")?,
            username: UserName::new("")?,
            password: Password::new("")?,
            auth: AuthMethod::None,
        })
        .await?;
    control.activate_pdp(pdp).await?;
    let ca_file = FileName::new("RAM:ca.pem")?;
    control.upload(ca_file, ca).await?;
    control
        .configure_ssl(SslContextId::new(0)?, &SslConfig::with_ca(ca_file))
        .await
}

fn buffer(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// A simulator paced at `baud`, an echo server (a sink when sending), and
/// the stack's port.
fn rig(
    baud: u32,
    direction: Direction,
) -> Result<(TestPki, EchoServer, TimedPort, quectel_sim::SimHandle), String> {
    let pki = TestPki::new();
    let options = EchoServerOptions::default().rsa().name("bench.test");
    let options = if direction == Direction::Send {
        options.sink()
    } else {
        options
    };
    let server = EchoServer::start(&pki, options).map_err(|e| e.to_string())?;
    let config = SimConfig::fast()
        .dns("bench.test", "127.0.0.1".parse().map_err(|_| "address")?)
        .baud(Some(baud))
        .transcript(false)
        .recv_buffer(64 * 1024);
    let (sim, port) = Simulator::start(config);
    let port = TimedPort {
        port,
        reads: Arc::new(Mutex::new(Vec::new())),
    };
    Ok((pki, server, port, sim))
}

/// A boxed future of a transfer.
type Task<R> = Pin<Box<dyn Future<Output = R>>>;

/// Await every future of `all`, each polled as it is woken.
async fn join_all<R>(all: Vec<Task<R>>) -> Vec<R> {
    let mut all: Vec<(Task<R>, Option<R>)> = all.into_iter().map(|f| (f, None)).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (fut, out) in all.iter_mut() {
            if out.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => *out = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    all.into_iter().filter_map(|(_, out)| out).collect()
}

async fn pause(us: u32) {
    embedded_hal_async::delay::DelayNs::delay_us(&mut StdTimer::new(), us).await
}

/// `sockets` connections in `mode` move `bytes` in all one way, each a
/// share, at once; the time from the first byte to the last (end to end,
/// as the blocking face's runs).
pub fn measure(
    baud: u32,
    mode: AccessMode,
    direction: Direction,
    bytes: usize,
    sockets: usize,
) -> Result<Run, String> {
    let (pki, server, port, _sim) = rig(baud, direction)?;
    let server = Rc::new(server);
    let share = bytes / sockets;
    type Outcome = Rc<RefCell<Result<Duration, String>>>;
    let outcome: Outcome = Rc::new(RefCell::new(Err("not run".into())));
    let (out, ca, srv) = (
        outcome.clone(),
        pki.ca_pem().as_bytes().to_vec(),
        server.clone(),
    );
    run_stack(port, move |control, stack| async move {
        let result = async {
            set_up(control, &ca).await.map_err(|e| e.to_string())?;
            let stack = stack.with_options(ConnectOptions {
                mode,
                ..ConnectOptions::default()
            });
            let mut conns = Vec::new();
            for _ in 0..sockets {
                let socket = stack
                    .connect("bench.test", srv.port(), buffer(64 * 1024))
                    .await
                    .map_err(|e| e.to_string())?;
                conns.push(socket);
            }
            let payload: Vec<u8> = (0..share).map(|i| (i % 251) as u8).collect();
            let start = Instant::now();
            if direction == Direction::Receive {
                srv.send(&payload);
            }
            let transfers: Vec<Task<Result<(), String>>> = conns
                .into_iter()
                .map(|mut socket| {
                    let payload = payload.clone();
                    let run: Task<Result<(), String>> = Box::pin(async move {
                        if direction == Direction::Send {
                            return socket.write_all(&payload).await.map_err(|e| e.to_string());
                        }
                        let mut got = 0;
                        let mut chunk = vec![0u8; 4096];
                        while got < share {
                            let n = socket.read(&mut chunk).await.map_err(|e| e.to_string())?;
                            if n == 0 {
                                return Err("stream ended early".to_string());
                            }
                            let wrong = chunk[..n]
                                .iter()
                                .zip(got..)
                                .any(|(&b, i)| b != (i % 251) as u8);
                            if wrong {
                                return Err("payload corrupted".into());
                            }
                            got += n;
                        }
                        Ok(())
                    });
                    run
                })
                .collect();
            for result in join_all(transfers).await {
                result?;
            }
            if direction == Direction::Send {
                let all = |c: &[EchoConnection]| {
                    c.len() >= sockets && c.iter().all(|c| c.received >= share)
                };
                while !all(&srv.connections()) {
                    pause(200).await;
                }
            }
            Ok(start.elapsed())
        }
        .await;
        *out.borrow_mut() = result;
    });
    let elapsed = outcome.borrow().clone()?;
    Ok(Run {
        baud,
        turnaround_ms: 0,
        mode,
        direction,
        bytes: share * sockets,
        elapsed,
    })
}

/// Push-to-task latency, host time, over `rounds` pushes of 16 bytes:
/// from the port read that made the bytes readable to the reading task's
/// return (the wake-up), and from the first port read of the push to it
/// (which includes the check of the push's line end: the module's next
/// output, or the `AT` a reader sends after 5 ms of silence).
pub struct Latency {
    pub wake: Vec<Duration>,
    pub arrival: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

impl Latency {
    /// Median and 99th percentile of both, in microseconds.
    pub fn summary(&self) -> [(String, f64); 4] {
        let (mut wake, mut arrival) = (self.wake.clone(), self.arrival.clone());
        wake.sort();
        arrival.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        [
            (
                "latency.push_to_wake.median".into(),
                us(percentile(&wake, 0.5)),
            ),
            (
                "latency.push_to_wake.p99".into(),
                us(percentile(&wake, 0.99)),
            ),
            (
                "latency.push_arrival_to_task.median".into(),
                us(percentile(&arrival, 0.5)),
            ),
            (
                "latency.push_arrival_to_task.p99".into(),
                us(percentile(&arrival, 0.99)),
            ),
        ]
    }
}

pub fn push_latency(baud: u32, rounds: usize) -> Result<Latency, String> {
    let (pki, server, port, _sim) = rig(baud, Direction::Receive)?;
    let reads = port.reads.clone();
    let server = Rc::new(server);
    let outcome: Rc<RefCell<Result<Latency, String>>> =
        Rc::new(RefCell::new(Err("not run".into())));
    let (out, ca, srv) = (
        outcome.clone(),
        pki.ca_pem().as_bytes().to_vec(),
        server.clone(),
    );
    run_stack(port, move |control, stack| async move {
        let result = async {
            set_up(control, &ca).await.map_err(|e| e.to_string())?;
            let stack = stack.with_options(ConnectOptions {
                mode: AccessMode::DirectPush,
                ..ConnectOptions::default()
            });
            let mut socket = stack
                .connect("bench.test", srv.port(), buffer(8192))
                .await
                .map_err(|e| e.to_string())?;
            let mut latency = Latency {
                wake: Vec::new(),
                arrival: Vec::new(),
            };
            let mut chunk = [0u8; 64];
            for round in 0..rounds {
                pause(20_000).await;
                let before = reads.lock().map(|r| r.len()).unwrap_or(0);
                srv.send(&[round as u8; 16]);
                let mut got = 0;
                while got < 16 {
                    got += socket.read(&mut chunk).await.map_err(|e| e.to_string())?;
                }
                let woke = Instant::now();
                let reads = reads.lock().map_err(|_| "lock")?;
                let new = reads.get(before..).unwrap_or_default();
                if let (Some(first), Some(last)) = (new.first(), new.last()) {
                    latency.arrival.push(woke - first.0);
                    latency.wake.push(woke - last.0);
                }
            }
            Ok(latency)
        }
        .await;
        *out.borrow_mut() = result;
    });
    Rc::try_unwrap(outcome)
        .map_err(|_| "still shared".to_string())?
        .into_inner()
}
