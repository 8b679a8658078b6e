//! The network traits over the module's TLS: `embedded-nal-async`'s
//! `Dns` and `TcpConnect` on the async stack, `embedded-nal`'s
//! `TcpClientStack` on the blocking face; and the one list of operations
//! every face was made from.

mod common;

use common::sim::*;
use common::stack::*;
use embedded_io_async::{Read, Write};
use embedded_nal_async::{AddrType, Dns, TcpConnect};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::nal::NalModem;
use quectel_ssl::modem::operations::{OPERATIONS, SOCKET_OPERATIONS};
use quectel_ssl::modem::StdTimer;
use quectel_ssl::{asynch, Error, Modem};

#[test]
fn every_face_has_every_operation_of_the_lists() {
    let blocking = Modem::<'static, quectel_sim::SimPort, StdTimer>::OPERATIONS;
    let single = asynch::Modem::<'static, quectel_sim::SimPort, StdTimer>::OPERATIONS;
    let control = asynch::Control::OPERATIONS;
    assert!(OPERATIONS.len() >= 18, "the list: {OPERATIONS:?}");
    assert_eq!(blocking, OPERATIONS);
    assert_eq!(single, OPERATIONS);
    assert_eq!(control, OPERATIONS);
    for name in ["resolve", "upload", "configure_ssl", "diagnose", "command"] {
        assert!(OPERATIONS.contains(&name), "{name} is on every face");
    }
    // One socket's operations, by handle, on both single-owner faces.
    let blocking = Modem::<'static, quectel_sim::SimPort, StdTimer>::SOCKET_OPERATIONS;
    let single = asynch::Modem::<'static, quectel_sim::SimPort, StdTimer>::SOCKET_OPERATIONS;
    assert_eq!(blocking, SOCKET_OPERATIONS);
    assert_eq!(single, SOCKET_OPERATIONS);
    for name in ["open", "write", "read", "close", "read_raw", "write_raw"] {
        assert!(SOCKET_OPERATIONS.contains(&name), "{name} on both");
    }
}

#[test]
fn dns_and_tcp_connect_reach_the_server_by_its_name() {
    // Names outside the simulator's table do not resolve (the host's
    // resolver is not asked: no network here).
    let options = quectel_sim::testing::EchoServerOptions::default().rsa();
    let mut rig = Rig::with(options, sim_config().host_resolver(false));
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        // The module looks the name up (AT+QIDNSGIP).
        let addr = stack.get_host_by_name(HOST, AddrType::IPv4).await.unwrap();
        assert_eq!(addr, std::net::Ipv4Addr::LOCALHOST);
        assert!(matches!(
            stack
                .get_host_by_name("nowhere.invalid", AddrType::Either)
                .await,
            Err(Error::Ssl(_))
        ));
        let mut name = [0u8; 64];
        let n = stack.get_host_by_address(addr, &mut name).await.unwrap();
        assert_eq!(&name[..n], HOST.as_bytes());
        // A connection by address alone: no buffer lent yet.
        let remote = std::net::SocketAddr::new(addr, server_port);
        assert!(matches!(
            TcpConnect::connect(&stack, remote).await.map(drop),
            Err(Error::SocketInUse)
        ));
        stack.lend_buffer(buffer(8192));
        // Opened as HOST (the certificate's name), with the pool's buffer.
        for round in 0..3u8 {
            let mut socket = TcpConnect::connect(&stack, remote).await.unwrap();
            let data = pattern(3000, round);
            socket.write_all(&data).await.unwrap();
            let mut back = vec![0u8; data.len()];
            socket.read_exact(&mut back).await.unwrap();
            assert_eq!(back, data);
            if round == 0 {
                socket.close().await.unwrap();
            } else {
                // Dropped: the runner closes it, the buffer goes back to
                // the pool for the next round.
                drop(socket);
                while control.state().open_sockets().next().is_some() {
                    embassy_futures::yield_now().await;
                }
            }
        }
    });
}

#[test]
fn the_blocking_face_is_an_embedded_nal_client_stack() {
    use embedded_nal::TcpClientStack;
    let mut rig = Rig::new();
    let mut modem = rig.ready();
    let mut nal = NalModem::new(&mut modem, pdp(1), ssl(0), AccessMode::DirectPush);
    nal.lend_buffer(buffer(4096));
    let remote = std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), rig.server.port());
    nal.remember_name(HOST, remote.ip());
    for round in 0..2u8 {
        let mut socket = nal.socket().unwrap();
        nb::block!(nal.connect(&mut socket, remote)).unwrap();
        let data = pattern(2000, round);
        let mut sent = 0;
        while sent < data.len() {
            sent += nb::block!(nal.send(&mut socket, &data[sent..])).unwrap();
        }
        let mut back = vec![0u8; data.len()];
        let mut got = 0;
        let mut would_block = 0;
        while got < back.len() {
            match nal.receive(&mut socket, &mut back[got..]) {
                Ok(n) => got += n,
                Err(nb::Error::WouldBlock) => would_block += 1,
                Err(nb::Error::Other(e)) => panic!("receive: {e:?}"),
            }
        }
        assert_eq!(back, data);
        assert!(
            would_block > 0,
            "receive did not block while the echo travelled"
        );
        // Closed: its buffer serves the next round.
        nal.close(socket).unwrap();
    }
}
