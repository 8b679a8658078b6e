//! The async stack on a simulated module, run by embassy's std executor
//! (shared by the MQTT and HTTPS examples): the runner in its own task,
//! the session in another; set-up through the control handle.

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

#[embassy_executor::task]
async fn runner_task(mut runner: Runner<'static, SimPort, StdTimer>) {
    runner.run().await
}

#[embassy_executor::task]
async fn session_task(fut: Pin<Box<dyn Future<Output = ()>>>) {
    fut.await
}

/// Run `main` with the stack on `port` until it is done.
pub fn run<F, Fut>(port: SimPort, main: F)
where
    F: FnOnce(Spawner, Control<'static>, Stack<'static>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let state: &'static State<'static, StdTimer> = Box::leak(Box::new(State::new()));
    let (runner, control, stack) = asynch::new(state, port, StdTimer::new());
    let done: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
    executor.run_until(
        |spawner| {
            spawner.spawn(runner_task(runner).expect("the runner's task"));
            let session = Box::pin(async move {
                main(spawner, control, stack).await;
                done.store(true, Ordering::SeqCst);
            });
            spawner.spawn(session_task(session).expect("the session's task"));
        },
        || done.load(Ordering::SeqCst),
    );
}

/// Init, PDP context 1, the CA uploaded as `RAM:ca.pem`, SSL context 0
/// with the secure defaults; each step said as it starts.
pub async fn set_up(control: Control<'_>, ca_pem: &[u8]) -> Result<(), Error> {
    println!("== init (echo off, sockets left over closed)");
    control.init().await?;
    let pdp = PdpContextId::new(1)?;
    println!("== PDP context 1: configure and activate");
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
    let ca = FileName::new("RAM:ca.pem")?;
    println!(
        "== upload the CA ({} bytes, checksum verified)",
        ca_pem.len()
    );
    control.upload(ca, ca_pem).await?;
    println!("== SSL context 0: TLS 1.2, server authentication, SNI");
    control
        .configure_ssl(SslContextId::new(0)?, &SslConfig::with_ca(ca))
        .await
}
