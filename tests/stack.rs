//! The async stack: a runner task, a control handle and sockets used from
//! many tasks at once, on embassy's std executor against the simulator.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::sim::*;
use common::stack::*;
use embedded_io_async::{Read, Write};
use quectel_ssl::asynch::ConnectOptions;
use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::Error;

/// Write `data` on one task while another reads the echo: every byte back,
/// in order.
async fn echo_split(socket: quectel_ssl::asynch::TlsSocket<'static>, data: Vec<u8>) -> Vec<u8> {
    let (mut reader, mut writer) = socket.split();
    let len = data.len();
    let write = async move {
        writer.write_all(&data).await.expect("write_all");
        writer
    };
    let read = async move {
        let mut back = vec![0u8; len];
        reader.read_exact(&mut back).await.expect("read_exact");
        (reader, back)
    };
    let (writer, (reader, back)) = embassy_futures::join::join(write, read).await;
    let socket = reader.reunite(writer).ok().expect("the same socket");
    socket.close().await.expect("close");
    back
}

#[test]
fn twelve_sockets_echo_at_once_from_their_own_tasks() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    run_stack(port, move |spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let results = Rc::new(RefCell::new(Vec::new()));
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        for n in 0..12u8 {
            let mode = if n % 2 == 0 {
                AccessMode::Buffer
            } else {
                AccessMode::DirectPush
            };
            let stack = stack.with_options(ConnectOptions {
                mode,
                ..ConnectOptions::default()
            });
            let (results, done_tx) = (results.clone(), done_tx.clone());
            spawn(spawner, async move {
                let socket = stack
                    .connect(HOST, server_port, buffer(64 * 1024))
                    .await
                    .expect("connect");
                let data = pattern(20_000 + usize::from(n) * 97, n);
                let back = echo_split(socket, data.clone()).await;
                results.borrow_mut().push((n, mode, back == data));
                done_tx.send(()).unwrap();
            });
        }
        drop(done_tx);
        // Wait (without blocking the executor) until every task is done.
        let mut finished = 0;
        while finished < 12 {
            match done_rx.try_recv() {
                Ok(()) => finished += 1,
                Err(_) => embassy_futures::yield_now().await,
            }
        }
        let results = results.take();
        assert_eq!(results.len(), 12);
        for (n, mode, same) in results {
            assert!(same, "socket {n} ({mode:?}): the echo differs");
        }
        assert!(control.socket_states().await.unwrap().is_empty());
    });
}

#[test]
fn a_dropped_socket_is_closed_by_the_runner_and_its_id_reused() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    let sim = rig.sim.clone();
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let mut socket = stack
            .connect(HOST, server_port, buffer(4096))
            .await
            .unwrap();
        let client = socket.handle().client();
        socket.write_all(b"hello").await.unwrap();
        drop(socket);
        // The module's socket goes away without any call of ours, and the
        // stack knows it.
        while sim.sockets().iter().any(|s| s.client == client.get())
            || control.state().socket(client).state != SocketState::Initial
        {
            embassy_futures::yield_now().await;
        }
        let again = stack
            .connect(HOST, server_port, buffer(4096))
            .await
            .unwrap();
        assert_eq!(again.handle().client(), client, "the id is free again");
        let rx = again.close().await.unwrap();
        assert_eq!(rx.len(), 4096, "close gives the buffer back");
        // ... to be lent again.
        let third = stack.connect(HOST, server_port, rx).await.unwrap();
        third.close().await.unwrap();
    });
}

#[test]
fn a_read_dropped_midway_leaves_the_socket_and_the_others_working() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let mut a = stack
            .connect(HOST, server_port, buffer(8192))
            .await
            .unwrap();
        let mut b = stack
            .connect(HOST, server_port, buffer(8192))
            .await
            .unwrap();
        // A read with nothing to read, given up when b's echo is back.
        let mut buf = [0u8; 16];
        let mut echo = [0u8; 4];
        let give_up = async {
            b.write_all(b"ping").await.unwrap();
            b.read_exact(&mut echo).await.unwrap();
        };
        match embassy_futures::select::select(a.read(&mut buf), give_up).await {
            embassy_futures::select::Either::First(r) => panic!("a read nothing: {r:?}"),
            embassy_futures::select::Either::Second(()) => {}
        }
        assert_eq!(&echo, b"ping");
        a.write_all(b"still here").await.unwrap();
        let mut back = [0u8; 10];
        a.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"still here");
        a.close().await.unwrap();
        b.close().await.unwrap();
        assert!(matches!(
            stack.connect("", server_port, buffer(16)).await,
            Err(Error::InvalidParameter { .. })
        ));
    });
}

#[embassy_executor::task]
async fn embassy_time_runner(
    mut runner: quectel_ssl::asynch::Runner<
        'static,
        quectel_sim::SimPort,
        quectel_ssl::asynch::EmbassyTimer,
    >,
) {
    runner.run().await
}

#[test]
fn the_stack_takes_its_time_from_embassy_time_alone() {
    use quectel_ssl::asynch::{self, EmbassyState};
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    let state: &'static EmbassyState<'static> = Box::leak(Box::new(EmbassyState::new()));
    // No timer passed: embassy-time's driver gives the time and the waits
    // (the runner's sleeps until a deadline, init's probe timeouts).
    let (runner, control, stack) = asynch::new_embassy(state, port);
    let done: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let executor = Box::leak(Box::new(embassy_executor::Executor::new()));
    executor.run_until(
        |spawner| {
            spawner.spawn(embassy_time_runner(runner).unwrap());
            spawn(spawner, async move {
                set_up_stack(control, &ca).await;
                let mut socket = stack
                    .connect(HOST, server_port, buffer(4096))
                    .await
                    .unwrap();
                socket.write_all(b"embassy time").await.unwrap();
                let mut back = [0u8; 12];
                socket.read_exact(&mut back).await.unwrap();
                assert_eq!(&back, b"embassy time");
                socket.close().await.unwrap();
                done.store(true, Ordering::SeqCst);
            });
        },
        || done.load(Ordering::SeqCst),
    );
}
