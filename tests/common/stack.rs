//! The async stack on the simulator, run by embassy's std executor: a
//! runner task, and whatever tasks a test spawns.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use embassy_executor::{Executor, Spawner};
use quectel_sim::SimPort;
use quectel_ssl::asynch::{self, Control, Runner, Stack, State};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;

use super::sim::{engine_config, pdp, ssl, CA_FILE};

pub type SimRunner = Runner<'static, SimPort, StdTimer>;

// Pools for every test of a binary: a test's runner never ends.
#[embassy_executor::task(pool_size = 32)]
async fn runner_task(mut runner: SimRunner) {
    runner.run().await
}

/// A test's task: any future.
#[embassy_executor::task(pool_size = 256)]
async fn job(fut: Pin<Box<dyn Future<Output = ()>>>) {
    fut.await
}

/// Spawn `fut` as a task of its own.
pub fn spawn(spawner: Spawner, fut: impl Future<Output = ()> + 'static) {
    spawner.spawn(job(Box::pin(fut)).expect("a free task"));
}

/// The stack on `port`: its runner spawned, its control and stack handed
/// to `main`, which runs as a task; returns when `main` is done.
pub fn run_stack<F, Fut>(port: SimPort, main: F)
where
    F: FnOnce(Spawner, Control<'static>, Stack<'static>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let state: &'static State<'static, StdTimer> = Box::leak(Box::new(State::new()));
    let (runner, control, stack) =
        asynch::new_with_config(state, port, StdTimer::new(), engine_config());
    let done: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
    executor.run_until(
        |spawner| {
            spawner.spawn(runner_task(runner).expect("the runner's task"));
            spawn(spawner, async move {
                main(spawner, control, stack).await;
                done.store(true, Ordering::SeqCst);
            });
        },
        || done.load(Ordering::SeqCst),
    );
}

/// Init, PDP context 1 up, CA uploaded, SSL context 0 configured, through
/// the control handle.
pub async fn set_up_stack(control: Control<'_>, ca: &[u8]) {
    control.init().await.expect("init");
    control
        .configure_pdp(ConfigurePdpContext {
            context: pdp(1),
            pdp_type: PdpType::Ipv4,
            apn: Apn::new("internet").unwrap(),
            username: UserName::new("").unwrap(),
            password: Password::new("").unwrap(),
            auth: AuthMethod::None,
        })
        .await
        .expect("QICSGP");
    control.activate_pdp(pdp(1)).await.expect("QIACT");
    let ca_file = FileName::new(CA_FILE).unwrap();
    control.upload(ca_file, ca).await.expect("CA upload");
    control
        .configure_ssl(ssl(0), &SslConfig::with_ca(ca_file))
        .await
        .expect("QSSLCFG");
}
