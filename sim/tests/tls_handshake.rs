//! The handshake against the rustls echo server, a TLS implementation
//! independent of the module's (OpenSSL): what they share, SNI, ALPN, the
//! TLS 1.3 opt-in, timeouts, and the failures that keep their reason.
//! The certificate checks are in `certificates.rs`, every version and
//! suite in `versions_and_suites.rs`.

mod common;

use std::time::Duration;

use common::{config, echo, wait_peer, wire_trusting, Wire};
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki, Validity};
use quectel_sim::FailReason;

/// Opens socket 0 to `server` as `address`, and closes it again once the
/// server has seen it; returns the `+QSSLOPEN` code.
fn open_result(w: &mut Wire, server: &EchoServer, address: &str) -> u16 {
    let code = w.open_code(1, 0, address, server.port());
    if code == 0 {
        wait_peer(w, server, 0);
        w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    }
    code
}

fn server(pki: &TestPki, options: EchoServerOptions) -> EchoServer {
    EchoServer::start(pki, options).unwrap()
}

#[test]
fn the_one_suite_rustls_shares_with_the_module() {
    // rustls has only AEAD suites; of the module's, only 0XC02F (RSA).
    let pki = TestPki::new();
    let rsa = server(&pki, EchoServerOptions::default().rsa().tls12_only());
    let ecdsa = server(&pki, EchoServerOptions::default().tls12_only());
    let mut w = wire_trusting(config(), 1, &pki);
    assert_eq!(open_result(&mut w, &rsa, "echo.test"), 0);
    let seen = &rsa.connections()[0];
    assert_eq!(
        (seen.protocol.as_str(), seen.cipher_code),
        ("TLSv1.2", 0xC02F)
    );
    assert_eq!(seen.cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(open_result(&mut w, &ecdsa, "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::NoSharedCipher);
    assert_eq!(ecdsa.failed_handshakes(), 1);
}

#[test]
fn an_expired_certificate_fails_at_the_module_clock() {
    // Validity::expired() is relative to the host clock, and so is the
    // module clock (it starts from the host's): the pair holds on any date.
    let (pki, server) = echo(EchoServerOptions::default().validity(Validity::expired()));
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "ignorelocaltime", "0");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    assert!(
        matches!(w.last_failure(), FailReason::CertificateExpired { .. }),
        "{:?}",
        w.last_failure()
    );
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("certificate expired"));
    w.set(1, "ignorelocaltime", "1");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
}

#[test]
fn sni_off_fails_where_the_server_needs_it() {
    let (pki, server) = echo(EchoServerOptions::default().require_sni());
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "sni", "0");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    assert!(
        matches!(w.last_failure(), FailReason::PeerAlert(_)),
        "{:?}",
        w.last_failure()
    );
    assert_eq!(server.failed_handshakes(), 1);
    w.set(1, "sni", "1");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert_eq!(server.connections()[0].sni.as_deref(), Some("echo.test"));
}

#[test]
fn real_firmware_defaults_have_sni_off() {
    let (pki, server) = echo(EchoServerOptions::default().require_sni());
    let cfg = config().defaults_profile(quectel_sim::DefaultsProfile::RealFirmware);
    let mut w = wire_trusting(cfg, 1, &pki);
    w.cmd(
        "AT+QSSLCFG=\"sni\",1",
        b"\r\n+QSSLCFG: \"sni\",1,0\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QSSLCFG=\"ignorelocaltime\",1",
        b"\r\n+QSSLCFG: \"ignorelocaltime\",1,1\r\n\r\nOK\r\n",
    );
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
}

#[test]
fn no_sni_for_an_ip_address() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    assert_eq!(open_result(&mut w, &server, "127.0.0.1"), 0);
    assert_eq!(server.connections()[0].sni, None);
}

#[test]
fn tls13_only_when_allowed() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    let (pki13, server13) = echo(EchoServerOptions::default());
    let mut w13 = wire_trusting(config().allow_tls13(true), 1, &pki13);
    assert_eq!(open_result(&mut w13, &server13, "echo.test"), 0);
    assert_eq!(server.connections()[0].protocol, "TLSv1.2");
    assert_eq!(server13.connections()[0].protocol, "TLSv1.3");
}

#[test]
fn alpn_is_offered() {
    let (pki, server) = echo(EchoServerOptions::default().alpn(&["h2", "http/1.1"]));
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "alpn", "\"http/1.1\"");
    assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
    assert_eq!(w.handshake(0).alpn.as_deref(), Some(&b"http/1.1"[..]));
    wait_peer(&w, &server, 0);
    assert_eq!(
        server.connections()[0].alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
}

#[test]
fn stalled_handshake_times_out_with_569() {
    let (pki, server) = echo(EchoServerOptions::default().stall_handshake());
    let cfg = config().negotiate_time_unit(Duration::from_millis(10));
    let mut w = wire_trusting(cfg, 1, &pki);
    w.set(1, "negotiatetime", "10");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 569);
    assert_eq!(w.last_failure(), FailReason::HandshakeTimeout);
    w.expect_error_code(569, "operation timeout");
}

#[test]
fn a_missing_ca_file_fails_with_566() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.set(1, "seclevel", "1");
    w.set(1, "cacert", "\"RAM:none.pem\"");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    assert!(
        matches!(w.last_failure(), FailReason::Configuration(ref why) if why.contains("no CA certificate")),
        "{:?}",
        w.last_failure()
    );
}

#[test]
fn a_refused_connection_is_named() {
    let mut w = wire_trusting(config(), 1, &TestPki::new());
    assert_eq!(w.open_code(1, 0, "echo.test", common::closed_port()), 566);
    assert_eq!(w.last_failure(), FailReason::ConnectRefused);
}
