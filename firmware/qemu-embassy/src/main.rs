//! The async stack on embassy, on an emulated Cortex-M4 (QEMU's
//! `lm3s6965evb`), its UART wired to the module simulator over TCP (the
//! same runner as `firmware/qemu`).
//!
//! Tasks: the stack's runner (it owns the UART), `main` (brings the module
//! up through the control handle), and two socket tasks that echo payloads
//! of every byte value at the same time, one connection in buffer mode and
//! one in direct-push mode. Time comes from `embassy-time` (a SysTick
//! driver, [`time_driver`]): the firmware passes no timer. Prints
//! `PASS: 2 connections, N bytes each way` and exits 0, or `FAIL: ...` and
//! exits 1.
#![no_std]
#![no_main]

#[macro_use]
mod host;
mod time_driver;
mod uart;

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::channel::Channel;
use embedded_io_async::{Read, Write};
use quectel_ssl::asynch::{self, ConnectOptions, EmbassyState, Runner, Stack};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::Event;
use quectel_ssl::{Apn, Error, FileName, Password, PdpContextId, SslContextId, UserName};
use static_cell::StaticCell;
use uart::Uart;

/// The emulated core's clock (QEMU's LM3S6965 out of reset).
const CORE_HZ: u32 = 12_500_000;
/// The echo server, as the runner routes it.
const ECHO_HOST: &str = "echo.test";
const ECHO_PORT: u16 = 4433;
/// Payload sizes each socket echoes: every 256 consecutive bytes hold
/// every byte value.
const SIZES: [usize; 4] = [1, 256, 1460, 3000];

type Done = Channel<NoopRawMutex, Result<usize, (&'static str, Error)>, 2>;

#[embassy_executor::task]
async fn runner_task(mut runner: Runner<'static, Uart, asynch::EmbassyTimer>) {
    runner.run().await
}

/// Echo every size on one connection; the bytes sent.
async fn echo(
    stack: Stack<'static>,
    mode: AccessMode,
    rx: &'static mut [u8],
) -> Result<usize, (&'static str, Error)> {
    let stack = stack.with_options(ConnectOptions {
        mode,
        ssl: SslContextId::new(1).map_err(|e| ("ssl context", e))?,
        ..ConnectOptions::default()
    });
    let socket = stack
        .connect(ECHO_HOST, ECHO_PORT, rx)
        .await
        .map_err(|e| ("open", e))?;
    // Writer and reader at once: pushed bytes are read while the rest is
    // written (the receive buffer is smaller than the largest echo).
    let (mut reader, mut writer) = socket.split();
    let mut sent = 0;
    let mut data = [0u8; 3000];
    let mut back = [0u8; 3000];
    for (n, size) in SIZES.into_iter().enumerate() {
        for (i, b) in data[..size].iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(31).wrapping_add(n as u8);
        }
        let (wrote, read) = embassy_futures::join::join(
            writer.write_all(&data[..size]),
            reader.read_exact(&mut back[..size]),
        )
        .await;
        wrote.map_err(|e| ("write", e))?;
        read.map_err(|e| match e {
            embedded_io_async::ReadExactError::Other(e) => ("read", e),
            embedded_io_async::ReadExactError::UnexpectedEof => {
                ("read: end of stream", Error::Closed)
            }
        })?;
        if back[..size] != data[..size] {
            return Err(("echo differs", Error::UnexpectedResponse));
        }
        sent += size;
    }
    let socket = reader
        .reunite(writer)
        .map_err(|_| ("reunite", Error::StaleHandle))?;
    socket.close().await.map_err(|e| ("close", e))?;
    Ok(sent)
}

#[embassy_executor::task(pool_size = 2)]
async fn socket_task(
    stack: Stack<'static>,
    mode: AccessMode,
    rx: &'static mut [u8],
    done: &'static Done,
) {
    let result = echo(stack, mode, rx).await;
    done.send(result).await;
}

async fn set_up(control: asynch::Control<'static>) -> Result<(), (&'static str, Error)> {
    // The module boots when QEMU connects: its RDY comes first.
    let booted = embassy_time::with_timeout(embassy_time::Duration::from_secs(2), async {
        while control.next_event().await != Event::Rebooted {}
    });
    let _ = booted.await;
    control.init().await.map_err(|e| ("init", e))?;
    let pdp = PdpContextId::new(1).map_err(|e| ("pdp", e))?;
    let config = ConfigurePdpContext {
        context: pdp,
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("internet").map_err(|e| ("apn", e))?,
        username: UserName::new("").map_err(|e| ("user", e))?,
        password: Password::new("").map_err(|e| ("password", e))?,
        auth: AuthMethod::None,
    };
    control
        .configure_pdp(config)
        .await
        .map_err(|e| ("QICSGP", e))?;
    control.activate_pdp(pdp).await.map_err(|e| ("QIACT", e))?;
    let ca = FileName::new("UFS:cacert.pem").map_err(|e| ("file", e))?;
    let ssl = SslContextId::new(1).map_err(|e| ("ssl", e))?;
    control
        .configure_ssl(ssl, &SslConfig::with_ca(ca))
        .await
        .map_err(|e| ("QSSLCFG", e))
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let Some(core) = cortex_m::Peripherals::take() else {
        host::exit(false)
    };
    time_driver::start(core.SYST, CORE_HZ);
    static STATE: StaticCell<EmbassyState<'static>> = StaticCell::new();
    static RX: StaticCell<[[u8; 2048]; 2]> = StaticCell::new();
    static DONE: StaticCell<Done> = StaticCell::new();
    let state = STATE.init(EmbassyState::new());
    let [rx_a, rx_b] = RX.init([[0; 2048]; 2]);
    let done: &'static Done = DONE.init(Channel::new());
    let (runner, control, stack) = asynch::new_embassy(state, Uart::take());
    let spawned = runner_task(runner).map(|t| spawner.spawn(t));
    if spawned.is_err() {
        host::exit(false)
    }
    if let Err((step, e)) = set_up(control).await {
        eprintln!("FAIL: {step}: {e}");
        host::exit(false)
    }
    println!("module up; two tasks echo on two sockets at once");
    for (mode, rx) in [(AccessMode::Buffer, rx_a), (AccessMode::DirectPush, rx_b)] {
        if socket_task(stack, mode, rx, done)
            .map(|t| spawner.spawn(t))
            .is_err()
        {
            host::exit(false)
        }
    }
    let mut total = 0;
    for _ in 0..2 {
        match done.receive().await {
            Ok(n) => total += n,
            Err((step, e)) => {
                eprintln!("FAIL: {step}: {e}");
                host::exit(false)
            }
        }
    }
    let _ = control.deactivate_pdp(PdpContextId::MIN).await;
    println!(
        "PASS: 2 connections, {} each way",
        host::Count(total, "byte")
    );
    host::exit(true)
}
