//! `AT+QSSLCLOSE=<id>[,<close_timeout>]` and `closetimemode`: the close
//! lingers (seconds, or milliseconds with `closetimemode` 1) while the data
//! still in the send buffer goes out, answers `OK` once the peer has closed
//! too, and resets the connection when the time runs out or is 0.

mod common;

use std::time::Duration;

use common::{config, echo, Wire};
use quectel_sim::testing::{EchoServer, EchoServerOptions};

/// Bytes sent before each close: more than the kernel buffers between
/// the module and a server that does not read can hold (a few tens of
/// KiB on loopback), so that part of them is surely still in the module's
/// send buffer when the close starts, however fast the machine.
const VOLUME: usize = 256 * 1024;

/// A module with socket 0 connected to a sink server that has stopped
/// reading, and [`VOLUME`] bytes accepted by sends (the module's send
/// buffer is made large enough for all of them).
fn stuck_socket(closetimemode: u8) -> (Wire, EchoServer, usize) {
    let (pki, server) = echo(EchoServerOptions::default().sink());
    let mut w = Wire::boot_quiet(config().send_buffer(2 * VOLUME));
    w.activate_pdp();
    w.trust(1, &pki);
    w.set(1, "closetimemode", &closetimemode.to_string());
    w.open(1, 0, "echo.test", server.port(), 0);
    common::wait_peer(&w, &server, 0);
    server.pause();
    let block = vec![b'x'; 1460];
    let mut accepted = 0;
    while accepted < VOLUME {
        w.send_data(0, &block);
        accepted += block.len();
    }
    (w, server, accepted)
}

#[test]
fn the_close_lingers_in_seconds_until_pending_data_is_out() {
    let (mut w, server, accepted) = stuck_socket(0);
    w.send(b"AT+QSSLCLOSE=0,30\r");
    // 30 s: no answer while the data cannot leave.
    w.expect_silence(Duration::from_millis(300));
    assert!(server.connections()[0].received < accepted);
    server.resume();
    w.expect(b"\r\nOK\r\n");
    // OK came after the peer's close, so it has everything and the
    // close_notify behind it.
    let seen = &server.connections()[0];
    assert_eq!(seen.received, accepted);
    assert!(seen.close_notify);
    assert!(w.handle.socket(0).is_none_or(|s| s.local_port == 0));
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("socket 0 closed by both sides"));
}

#[test]
fn in_milliseconds_the_linger_runs_out_and_resets() {
    let (mut w, server, accepted) = stuck_socket(1);
    // 100 ms with closetimemode 1: the server never reads meanwhile.
    w.cmd("AT+QSSLCLOSE=0,100", b"\r\nOK\r\n");
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("socket 0 close timed out: connection reset"));
    server.resume();
    assert!(server.wait_for(common::WAIT, |c| !c[0].open));
    let seen = &server.connections()[0];
    assert!(seen.received < accepted, "{} of {accepted}", seen.received);
    assert!(!seen.close_notify);
}

#[test]
fn a_zero_timeout_resets_at_once() {
    let (mut w, server, accepted) = stuck_socket(0);
    w.cmd("AT+QSSLCLOSE=0,0", b"\r\nOK\r\n");
    server.resume();
    assert!(server.wait_for(common::WAIT, |c| !c[0].open));
    let seen = &server.connections()[0];
    assert!(seen.received < accepted, "{} of {accepted}", seen.received);
    assert!(!seen.close_notify);
}

#[test]
fn a_close_with_nothing_pending_ends_with_both_close_notifies() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 0, "echo.test", server.port(), 0);
    w.send_data(0, b"bye");
    assert_eq!(w.read_data(0, 3), b"bye");
    w.close(0);
    assert!(server.wait_for(common::WAIT, |c| !c[0].open));
    assert!(server.connections()[0].close_notify);
    w.cmd("AT+QSSLSTATE", b"\r\nOK\r\n");
}
