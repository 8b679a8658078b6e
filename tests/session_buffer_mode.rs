//! Buffer access mode end to end: the driver, the simulator, real TLS to an
//! echo server. Data both ways, payloads of every byte value and of the sizes
//! around the module's limits.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};

/// Send `data` through an echo connection and read it all back.
fn echo_through(m: &mut SimModem, sock: &quectel_ssl::SocketHandle, data: &[u8]) -> Vec<u8> {
    let mut io = m.socket(sock);
    io.write_all(data).expect("write_all");
    let mut back = vec![0u8; data.len()];
    io.read_exact(&mut back).expect("read_exact");
    back
}

#[test]
fn buffer_mode_echoes_every_size_and_byte_value() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::Buffer),
            buffer(2048),
        )
        .expect("open");
    for (i, len) in [1usize, 1459, 1460, 1461, 1500, 100_000]
        .into_iter()
        .enumerate()
    {
        let data = pattern(len, i as u8);
        assert_eq!(echo_through(&mut m, &sock, &data), data, "size {len}");
    }
    // Size 0 writes nothing and reads nothing.
    assert_eq!(m.write(&sock, &[]).unwrap(), 0);
    let status = m.socket_state(&sock).unwrap().0.expect("state line");
    assert_eq!(status.state, SocketState::Connected);
    assert_eq!(status.access_mode, AccessMode::Buffer);
    m.close(&sock).unwrap();
    assert!(m.socket_states().unwrap().is_empty());
}

#[test]
fn a_sink_server_takes_everything_and_answers_nothing() {
    use quectel_sim::testing::EchoServerOptions;
    use std::time::Duration;
    let mut rig = Rig::with(EchoServerOptions::default().rsa().sink(), sim_config());
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::Buffer),
            buffer(2048),
        )
        .unwrap();
    let data = pattern(50_000, 1);
    m.socket(&sock).write_all(&data).unwrap();
    assert!(rig.server.wait_for(Duration::from_secs(10), |c| c
        .first()
        .is_some_and(|c| c.received == data.len())));
    m.poll().unwrap();
    let info = rig.sim.socket(0).expect("socket 0");
    assert_eq!(info.recv_buffered, 0, "nothing came back");
    let events: Vec<_> = std::iter::from_fn(|| m.take_event()).collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, quectel_ssl::modem::Event::DataReady { .. })),
        "{events:?}"
    );
}

#[test]
fn data_the_server_sends_first_arrives_whole_past_every_buffer() {
    // 200 KiB: more than the module's receive buffer, the socket's ring and
    // a TLS writer's default buffer.
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(1, rig.server_port(), AccessMode::Buffer),
            buffer(4096),
        )
        .unwrap();
    let data = pattern(200 * 1024, 9);
    rig.server.send(&data);
    let mut back = vec![0u8; data.len()];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(back, data);
}
