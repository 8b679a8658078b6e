//! Transparent access mode: raw bridging, the `+++` escape with and without
//! guard times, ATO / AT+QISWTMD re-entry, DTR, NO CARRIER, held URCs.

mod common;

use std::time::Duration;

use common::{config, echo, wait_peer, Wire};
use embedded_hal::digital::OutputPin;
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{Fault, SimConfig};

const GUARD: Duration = Duration::from_millis(150);

fn connected(cfg: SimConfig) -> (Wire, EchoServer, TestPki) {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(cfg);
    w.activate_pdp();
    w.trust(1, &pki);
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},2", server.port()),
        b"\r\nCONNECT\r\n",
    );
    wait_peer(&w, &server, 0);
    (w, server, pki)
}

/// Waits out a guard time of silence (the escape rule itself needs it).
fn silence(guard: Duration) {
    std::thread::sleep(guard + guard / 2);
}

#[test]
fn every_byte_value_is_bridged_both_ways() {
    let (mut w, _server, _pki) = connected(config().guard_time(GUARD));
    let all: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    w.send(&all);
    assert_eq!(w.take(all.len()), all);
    assert!(w.handle.in_transparent_mode());
}

#[test]
fn plus_signs_without_guard_times_are_data() {
    let (mut w, server, _pki) = connected(config().guard_time(GUARD));
    w.send(b"a+++b");
    w.send(b"+++");
    w.expect(b"a+++b+++");
    silence(GUARD);
    w.send(b"+++x");
    w.expect(b"+++x");
    silence(GUARD);
    w.send(b"++");
    silence(GUARD);
    w.expect(b"++");
    assert!(w.handle.in_transparent_mode());
    assert_eq!(server.connections()[0].received, 14);
}

#[test]
fn escape_with_the_real_one_second_guard_time() {
    let (mut w, server, _pki) = connected(config());
    assert_eq!(w.handle.config().guard_time_value(), Duration::from_secs(1));
    w.send(b"data");
    w.expect(b"data");
    silence(Duration::from_secs(1));
    w.send(b"+++");
    w.expect(b"\r\nOK\r\n");
    assert!(!w.handle.in_transparent_mode());
    w.cmd("AT", b"\r\nOK\r\n");
    assert_eq!(server.connections()[0].received, 4);
}

#[test]
fn after_escape_data_is_buffered_and_ato_returns() {
    let (mut w, server, _pki) = connected(config().guard_time(GUARD));
    silence(GUARD);
    w.send(b"+++");
    w.expect(b"\r\nOK\r\n");
    server.send(b"while away");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    w.send(b"AT+QSSLSTATE=0\r");
    let state = w.until(b"\r\n\r\nOK\r\n");
    assert!(
        String::from_utf8_lossy(&state).contains(",2,1,0,2,\"uart1\",1"),
        "{state:?}"
    );
    w.cmd("ATO", b"\r\nCONNECT\r\nwhile away");
    w.send(b"back");
    w.expect(b"back");
    silence(GUARD);
    w.send(b"+++");
    w.expect(b"\r\nOK\r\n");
    w.cmd("AT+QISWTMD=0,2", b"\r\nCONNECT\r\n");
    w.send(b"again");
    w.expect(b"again");
}

#[test]
fn ato_without_a_previous_connection_is_no_carrier() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("ATO", b"\r\nNO CARRIER\r\n");
}

#[test]
fn peer_close_is_no_carrier_and_the_socket_is_closing() {
    let (mut w, server, _pki) = connected(config().guard_time(GUARD));
    w.send(b"x");
    w.expect(b"x");
    server.close_all();
    w.expect(b"\r\nNO CARRIER\r\n");
    assert_eq!(
        w.handle.socket(0).unwrap().state,
        quectel_sim::SocketState::Closing
    );
    w.cmd("ATO", b"\r\nNO CARRIER\r\n");
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
}

#[test]
fn dtr_on_to_off_leaves_after_at_d1() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config().guard_time(GUARD));
    w.activate_pdp();
    w.trust(1, &pki);
    w.cmd("AT&D1", b"\r\nOK\r\n");
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},2", server.port()),
        b"\r\nCONNECT\r\n",
    );
    w.send(b"abc");
    w.expect(b"abc");
    let mut dtr = w.port.dtr();
    dtr.set_high().unwrap();
    w.expect(b"\r\nOK\r\n");
    assert!(!w.handle.in_transparent_mode());
    dtr.set_low().unwrap();
    w.cmd("ATO", b"\r\nCONNECT\r\n");
}

#[test]
fn dtr_is_ignored_after_at_d0() {
    let (mut w, _server, _pki) = connected(config().guard_time(GUARD));
    let mut dtr = w.handle.dtr_pin();
    dtr.set_high().unwrap();
    w.send(b"still here");
    w.expect(b"still here");
    assert!(w.handle.in_transparent_mode());
}

#[test]
fn urcs_are_held_until_transparent_mode_ends() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config().guard_time(GUARD));
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 5, "echo.test", server.port(), 0);
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},2", server.port()),
        b"\r\nCONNECT\r\n",
    );
    w.handle.inject(Fault::PeerClose { client: 5 });
    w.send(b"ping");
    w.expect(b"ping");
    silence(GUARD);
    w.send(b"+++");
    w.expect(b"\r\nOK\r\n\r\n+QSSLURC: \"closed\",5\r\n");
}

#[test]
fn failed_transparent_open_answers_error() {
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    let port = common::closed_port();
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"127.0.0.1\",{port},2"),
        b"\r\nERROR\r\n",
    );
    w.expect_error_code(566, "socket connection failed");
}
