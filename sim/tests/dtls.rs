//! `dtls` and `dtlsversion`: `AT+QSSLOPEN` on a DTLS context opens a UDP
//! flow with a real DTLS 1.0 / 1.2 handshake to an OpenSSL DTLS echo
//! server. Datagrams go both ways in buffer and direct-push access, each
//! send one datagram, each datagram read apart; transparent access is
//! refused (555): a byte stream has no datagram boundaries.

mod common;

use common::{config, wire_trusting, Wire};
use quectel_sim::testing::{DtlsServer, TestPki, TlsServerOptions};

fn dtls_server(pki: &TestPki) -> DtlsServer {
    DtlsServer::start(pki, TlsServerOptions::default()).expect("the DTLS server starts")
}

/// A module trusting `pki`, context 1 set to DTLS `version`.
fn dtls_wire(pki: &TestPki, version: u8) -> Wire {
    let mut w = wire_trusting(config(), 1, pki);
    w.set(1, "dtls", "1");
    w.set(1, "dtlsversion", &version.to_string());
    w
}

/// Reads one `AT+QSSLRECV` answer of socket 0.
fn recv(w: &mut Wire, len: usize) -> Vec<u8> {
    w.send(format!("AT+QSSLRECV=0,{len}\r").as_bytes());
    w.until(b"+QSSLRECV: ");
    let line = w.until(b"\r\n");
    let n: usize = String::from_utf8_lossy(&line[..line.len() - 2])
        .parse()
        .unwrap();
    if n == 0 {
        w.expect(b"\r\nOK\r\n");
        return Vec::new();
    }
    let data = w.take(n);
    w.expect(b"\r\n\r\nOK\r\n");
    data
}

/// The next datagram of socket 0: reads, and when the buffer is empty
/// waits for the next `"recv"` notice.
fn next_datagram(w: &mut Wire) -> Vec<u8> {
    next_read(w, 1500)
}

/// The next read of at most `len` bytes that brings any: a `"recv"` notice
/// seen before may be an earlier one, so an empty read waits for the next.
fn next_read(w: &mut Wire, len: usize) -> Vec<u8> {
    loop {
        let data = recv(w, len);
        if !data.is_empty() {
            return data;
        }
        w.until(b"+QSSLURC: \"recv\",0\r\n");
    }
}

#[test]
fn each_dtlsversion_is_the_version_negotiated_over_udp() {
    let pki = TestPki::new();
    let server = dtls_server(&pki);
    for (version, name) in [(0u8, "DTLSv1"), (1, "DTLSv1.2")] {
        let mut w = dtls_wire(&pki, version);
        assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
        assert_eq!(w.handshake(0).protocol, name);
        let local = w.handle.socket(0).unwrap().local_port;
        assert!(server.wait_for(common::WAIT, |c, _| c
            .iter()
            .any(|c| c.peer.port() == local && c.protocol == name)));
        w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    }
}

#[test]
fn buffer_access_keeps_datagram_boundaries_both_ways() {
    let pki = TestPki::new();
    let server = dtls_server(&pki);
    let mut w = dtls_wire(&pki, 1);
    assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
    // Two sends: two datagrams at the server, echoed as two.
    w.send_data(0, b"first datagram");
    w.send_data(0, b"second");
    assert!(server.wait_for(common::WAIT, |c, _| c
        .first()
        .is_some_and(|c| c.datagrams.len() == 2)));
    assert_eq!(
        server.connections()[0].datagrams,
        vec![b"first datagram".to_vec(), b"second".to_vec()]
    );
    // Each read takes one datagram, never two joined.
    assert_eq!(next_datagram(&mut w), b"first datagram");
    assert_eq!(next_datagram(&mut w), b"second");
    assert_eq!(recv(&mut w, 1500), b"");
    // The largest send is one datagram too, and so is its echo.
    let full: Vec<u8> = (0..1460u32).map(|i| (i % 251) as u8).collect();
    w.send_data(0, &full);
    assert_eq!(next_datagram(&mut w), full);
    assert_eq!(server.connections()[0].datagrams.len(), 3);
    assert_eq!(server.connections()[0].datagrams[2], full);
    // A read shorter than the datagram takes its start; the rest of that
    // datagram comes next, never joined to the following one.
    server.send(b"0123456789");
    server.send(b"abc");
    assert_eq!(next_read(&mut w, 4), b"0123");
    assert_eq!(next_datagram(&mut w), b"456789");
    assert_eq!(next_datagram(&mut w), b"abc");
    w.close(0);
    assert!(server.wait_for(common::WAIT, |c, _| c[0].close_notify));
}

#[test]
fn direct_push_gives_one_urc_per_datagram() {
    let pki = TestPki::new();
    let server = dtls_server(&pki);
    let mut w = dtls_wire(&pki, 0);
    assert_eq!(w.open_code_mode(1, 0, "echo.test", server.port(), 1), 0);
    w.send_data(0, b"ping");
    w.expect(b"\r\n+QSSLURC: \"recv\",0,4\r\nping\r\n");
    server.send(b"one");
    w.expect(b"\r\n+QSSLURC: \"recv\",0,3\r\none\r\n");
    server.send(b"two!");
    w.expect(b"\r\n+QSSLURC: \"recv\",0,4\r\ntwo!\r\n");
    assert_eq!(server.connections()[0].datagrams, vec![b"ping".to_vec()]);
}

#[test]
fn transparent_access_is_refused_for_dtls() {
    let pki = TestPki::new();
    let server = dtls_server(&pki);
    let mut w = dtls_wire(&pki, 1);
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},2", server.port()),
        b"\r\nERROR\r\n",
    );
    w.expect_error_code(555, "operation not supported");
    assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
    w.cmd("AT+QISWTMD=0,2", b"\r\nERROR\r\n");
    w.expect_error_code(555, "operation not supported");
    // Buffer to push and back is allowed.
    w.cmd("AT+QISWTMD=0,1", b"\r\nOK\r\n");
    w.cmd("AT+QISWTMD=0,0", b"\r\nOK\r\n");
}

#[test]
fn no_dtls_server_is_a_refused_connection() {
    let pki = TestPki::new();
    let mut w = dtls_wire(&pki, 1);
    let port = common::closed_udp_port();
    assert_eq!(w.open_code(1, 0, "echo.test", port), 566);
    assert_eq!(w.last_failure(), quectel_sim::FailReason::ConnectRefused);
}
