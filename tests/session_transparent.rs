//! Transparent mode end to end: raw bytes both ways, leaving with `+++`
//! (guard times) or DTR, coming back with `ATO` / `AT+QISWTMD`, and
//! `NO CARRIER` when the peer closes.

mod common;

use std::time::Duration;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_ssl::command::device::DtrFunction;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::Error;

fn read_exact_raw(m: &mut SimModem, sock: &quectel_ssl::SocketHandle, len: usize) -> Vec<u8> {
    let mut t = m.transparent(sock).expect("transparent");
    let mut back = vec![0u8; len];
    t.read_exact(&mut back).expect("raw read");
    back
}

#[test]
fn transparent_mode_carries_raw_bytes_and_escapes_with_guard_times() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(4, rig.server_port(), AccessMode::Transparent),
            buffer(4096),
        )
        .expect("open");
    // Every byte value, and `+++` inside data (no guard times: it is data).
    let mut data = pattern(5000, 9);
    data.extend_from_slice(b"+++ not an escape +++");
    m.transparent(&sock).unwrap().write_all(&data).unwrap();
    assert_eq!(read_exact_raw(&mut m, &sock, data.len()), data);
    // While transparent, no AT command can be sent.
    assert_eq!(m.last_error(), Err(Error::TransparentMode));
    assert!(rig.sim.in_transparent_mode());

    m.transparent(&sock).unwrap().escape().expect("+++");
    assert!(!rig.sim.in_transparent_mode());
    // The connection stays up in buffer mode: echo what is sent now.
    let more = pattern(700, 2);
    m.socket(&sock).write_all(&more).unwrap();
    let mut back = vec![0u8; more.len()];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(back, more);

    // ATO returns to the connection that left last.
    m.resume(&sock).expect("ATO");
    assert!(rig.sim.in_transparent_mode());
    m.transparent(&sock).unwrap().write_all(b"again").unwrap();
    assert_eq!(read_exact_raw(&mut m, &sock, 5), b"again");
    m.transparent(&sock).unwrap().escape().unwrap();
    m.close(&sock).unwrap();
}

#[test]
fn data_arriving_during_the_escape_is_kept() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(5, rig.server_port(), AccessMode::Transparent),
            buffer(8192),
        )
        .unwrap();
    // The server talks right before the escape: its bytes come in raw
    // before the module's OK and must not be lost.
    let data = pattern(3000, 4);
    m.transparent(&sock).unwrap().write_all(&data).unwrap();
    m.transparent(&sock).unwrap().escape().unwrap();
    let mut back = vec![0u8; data.len()];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(back, data);
}

#[test]
fn dtr_leaves_transparent_mode_after_at_d1() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    m.set_dtr_function(DtrFunction::CommandMode).unwrap();
    let mut dtr = rig.sim.dtr_pin();
    let sock = m
        .open(
            open_cmd(6, rig.server_port(), AccessMode::Transparent),
            buffer(4096),
        )
        .unwrap();
    m.transparent(&sock).unwrap().write_all(b"ping").unwrap();
    assert_eq!(read_exact_raw(&mut m, &sock, 4), b"ping");
    m.transparent(&sock)
        .unwrap()
        .escape_with_dtr(&mut dtr)
        .expect("DTR");
    assert!(!rig.sim.in_transparent_mode());
    // Back with AT+QISWTMD (ATO would do too).
    m.switch_mode(&sock, AccessMode::Buffer).unwrap();
    m.resume(&sock).unwrap();
    assert!(rig.sim.in_transparent_mode());
}

#[test]
fn a_peer_close_in_transparent_mode_is_the_end_of_the_stream() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(8, rig.server_port(), AccessMode::Transparent),
            buffer(4096),
        )
        .unwrap();
    m.transparent(&sock)
        .unwrap()
        .write_all(b"last words")
        .unwrap();
    assert_eq!(read_exact_raw(&mut m, &sock, 10), b"last words");
    assert!(rig
        .server
        .wait_for(Duration::from_secs(5), |c| !c.is_empty()));
    rig.server.close_all();
    let mut buf = [0u8; 16];
    let n = m.transparent(&sock).unwrap().read(&mut buf).unwrap();
    assert_eq!(n, 0, "NO CARRIER ends the stream");
    // The port is back in command mode; the socket must be closed.
    assert_eq!(m.write(&sock, b"x"), Err(Error::Closed));
    m.close(&sock).unwrap();
    assert!(m.last_error().is_ok());
}

#[test]
fn only_one_transparent_session_and_nothing_written_for_the_second() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let port = rig.server_port();
    let _first = m
        .open(open_cmd(0, port, AccessMode::Transparent), buffer(256))
        .unwrap();
    rig.sim.clear_transcript();
    assert_eq!(
        m.open(open_cmd(1, port, AccessMode::Transparent), buffer(256)),
        Err(Error::TransparentMode)
    );
    assert_eq!(
        m.open(open_cmd(1, port, AccessMode::Buffer), buffer(256)),
        Err(Error::TransparentMode)
    );
    assert!(
        rig.sim.transcript().entries.is_empty(),
        "nothing reached the wire"
    );
}

/// The module's guard time before `+++` runs from its `CONNECT`, not from
/// the command line that asked for it: a connection that takes longer than
/// the guard time to open must still be left with a real escape, and the
/// peer must never get `+++` as data.
#[test]
fn an_escape_right_after_connect_keeps_the_guard_time() {
    let config = sim_config().dns_delay(Duration::from_millis(u64::from(GUARD_MS) * 2));
    let mut rig = Rig::with(
        quectel_sim::testing::EchoServerOptions::default().rsa(),
        config,
    );
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(6, rig.server_port(), AccessMode::Transparent),
            buffer(256),
        )
        .expect("open");
    m.transparent(&sock)
        .unwrap()
        .escape()
        .expect("+++ answered OK");
    assert!(!rig.sim.in_transparent_mode());
    // Back through AT+QISWTMD is the same: leave at once.
    m.switch_mode(&sock, AccessMode::DirectPush).unwrap();
    m.resume(&sock).unwrap();
    m.transparent(&sock).unwrap().escape().expect("second +++");
    let received: usize = rig.server.connections().iter().map(|c| c.received).sum();
    assert_eq!(received, 0, "the server got +++ as data");
    m.close(&sock).unwrap();
}
