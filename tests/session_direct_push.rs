//! Direct push mode end to end: pushed data is queued per socket, in order,
//! whatever runs meanwhile.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_ssl::command::ssl_socket::AccessMode;

#[test]
fn direct_push_echoes_every_size_and_byte_value() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(3, rig.server_port(), AccessMode::DirectPush),
            buffer(200_000),
        )
        .expect("open");
    for (i, len) in [1usize, 1459, 1460, 1461, 1500, 100_000]
        .into_iter()
        .enumerate()
    {
        let data = pattern(len, 7 + i as u8);
        let mut io = m.socket(&sock);
        io.write_all(&data).unwrap();
        let mut back = vec![0u8; len];
        io.read_exact(&mut back).unwrap();
        assert_eq!(back, data, "size {len}");
    }
    m.close(&sock).unwrap();
}

#[test]
fn pushed_data_for_one_socket_survives_commands_on_another() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let port = rig.server_port();
    let pushed = m
        .open(open_cmd(7, port, AccessMode::DirectPush), buffer(64 * 1024))
        .unwrap();
    let buffered = m
        .open(open_cmd(2, port, AccessMode::Buffer), buffer(2048))
        .unwrap();
    // Socket 7's echo comes back while socket 2's sends and reads run.
    let data7 = pattern(20_000, 1);
    let mut sent = 0;
    while sent < data7.len() {
        sent += m.write(&pushed, &data7[sent..]).unwrap();
        let data2 = pattern(300, sent as u8);
        m.socket(&buffered).write_all(&data2).unwrap();
        let mut back2 = vec![0u8; 300];
        m.socket(&buffered).read_exact(&mut back2).unwrap();
        assert_eq!(back2, data2);
    }
    let mut back7 = vec![0u8; data7.len()];
    m.socket(&pushed).read_exact(&mut back7).unwrap();
    assert_eq!(back7, data7);
}

#[test]
fn a_socket_switches_between_buffer_and_push() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(1, rig.server_port(), AccessMode::Buffer),
            buffer(4096),
        )
        .unwrap();
    let data = pattern(3000, 3);
    for mode in [
        AccessMode::DirectPush,
        AccessMode::Buffer,
        AccessMode::DirectPush,
    ] {
        m.switch_mode(&sock, mode).unwrap();
        assert_eq!(m.state().socket(client(1)).mode, mode);
        m.socket(&sock).write_all(&data).unwrap();
        let mut back = vec![0u8; data.len()];
        m.socket(&sock).read_exact(&mut back).unwrap();
        assert_eq!(back, data, "after switching to {mode:?}");
        let status = m.socket_state(&sock).unwrap().0.unwrap();
        assert_eq!(status.access_mode, mode);
    }
}
