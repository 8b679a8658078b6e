//! The async stack in transparent mode (the port is one connection's
//! while it is on: the others wait) and after a framing doubt (the runner
//! resynchronises before any other command; the affected socket fails,
//! every other goes on).

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::sim::*;
use common::stack::*;
use embedded_io_async::{Read, Write};
use quectel_sim::Fault;
use quectel_ssl::asynch::ConnectOptions;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::Error;

#[test]
fn transparent_mode_takes_the_port_and_the_other_sockets_wait_for_it() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    let sim = rig.sim.clone();
    run_stack(port, move |spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let mut other = stack
            .connect(HOST, server_port, buffer(8192))
            .await
            .unwrap();
        let transparent = stack.with_options(ConnectOptions {
            mode: AccessMode::Transparent,
            ..ConnectOptions::default()
        });
        let mut raw = transparent
            .connect(HOST, server_port, buffer(8192))
            .await
            .unwrap();
        assert!(sim.in_transparent_mode());
        let log = Rc::new(RefCell::new(Vec::<&str>::new()));
        // Another task writes on the other socket meanwhile: it waits.
        let (log2, finished) = (log.clone(), Rc::new(RefCell::new(None)));
        let result = finished.clone();
        spawn(spawner, async move {
            other.write_all(b"after").await.unwrap();
            log2.borrow_mut().push("other wrote");
            let mut back = [0u8; 5];
            other.read_exact(&mut back).await.unwrap();
            *result.borrow_mut() = Some(back);
            other.close().await.unwrap();
        });
        let data = pattern(5000, 3);
        raw.write_all(&data).await.unwrap();
        let mut back = vec![0u8; data.len()];
        raw.read_exact(&mut back).await.unwrap();
        assert_eq!(back, data, "transparent echo");
        log.borrow_mut().push("transparent echoed");
        raw.escape().await.unwrap();
        log.borrow_mut().push("escaped");
        while finished.borrow().is_none() {
            embassy_futures::yield_now().await;
        }
        assert_eq!(finished.take().unwrap(), *b"after");
        assert_eq!(
            *log.borrow(),
            ["transparent echoed", "escaped", "other wrote"],
            "the other socket's write waited for the port"
        );
        // The escaped connection goes on in buffer mode, and back.
        raw.write_all(b"buffered").await.unwrap();
        let mut back = [0u8; 8];
        raw.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"buffered");
        raw.resume().await.unwrap();
        raw.write_all(b"raw again").await.unwrap();
        let mut back = [0u8; 9];
        raw.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"raw again");
        raw.escape().await.unwrap();
        raw.close().await.unwrap();
    });
}

#[test]
fn a_framing_doubt_is_resynced_by_the_runner_and_the_other_socket_goes_on() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    let sim = rig.sim.clone();
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let push = stack.with_options(ConnectOptions {
            mode: AccessMode::DirectPush,
            ..ConnectOptions::default()
        });
        let mut victim = push.connect(HOST, server_port, buffer(8192)).await.unwrap();
        let mut other = stack
            .connect(HOST, server_port, buffer(8192))
            .await
            .unwrap();
        // A byte of the echo's push is lost on the line: its length no
        // longer fits its data.
        inject(&sim, Fault::DropTx { skip: 60, count: 1 });
        victim.write_all(&pattern(100, 1)).await.unwrap();
        let mut got = [0u8; 100];
        let mut n = 0;
        let error = loop {
            match victim.read(&mut got[n..]).await {
                Ok(0) => panic!("end of stream instead of an error"),
                Ok(k) => n += k,
                Err(e) => break e,
            }
        };
        assert_eq!(error, Error::Desynchronized);
        assert!(n < 100, "no misframed byte was handed over");
        // The other socket goes on, after the runner's resync.
        let data = pattern(3000, 2);
        other.write_all(&data).await.unwrap();
        let mut back = vec![0u8; data.len()];
        other.read_exact(&mut back).await.unwrap();
        assert_eq!(back, data);
        let transcript = sim.transcript().to_string();
        assert!(transcript.contains("ATE1"), "the resync ran");
        drop(victim);
        other.close().await.unwrap();
    });
}

#[test]
fn a_command_the_module_never_answers_times_out_and_the_stack_goes_on() {
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    let sim = rig.sim.clone();
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        // The next command line is swallowed: no answer, ever.
        inject(&sim, Fault::Stall { count: 1 });
        assert_eq!(control.last_error().await.map(drop), Err(Error::Timeout));
        // The runner waited for the deadline (and did not spin past it:
        // the task that owns the command was polled and said so); the
        // next command and a connection work.
        let mut socket = stack
            .connect(HOST, server_port, buffer(4096))
            .await
            .unwrap();
        socket.write_all(b"after the stall").await.unwrap();
        let mut back = [0u8; 15];
        socket.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"after the stall");
        socket.close().await.unwrap();
    });
}
