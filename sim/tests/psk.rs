//! `psk`: a real pre-shared-key handshake, identity and key as configured
//! (the key in hexadecimal), against an OpenSSL PSK server.

mod common;

use common::{config, Wire};
use quectel_sim::testing::{TestPki, TlsServer, TlsServerOptions};
use quectel_sim::FailReason;

const IDENTITY: &str = "device-42";
const KEY: [u8; 16] = [
    0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09,
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn psk_server() -> TlsServer {
    let pki = TestPki::new();
    TlsServer::start(&pki, TlsServerOptions::default().psk(IDENTITY, &KEY)).unwrap()
}

fn wire() -> Wire {
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w
}

#[test]
fn psk_handshake_with_the_configured_identity_and_key() {
    let server = psk_server();
    let mut w = wire();
    w.cmd(
        &format!("AT+QSSLCFG=\"psk\",2,\"{IDENTITY}\",\"{}\"", hex(&KEY)),
        b"\r\nOK\r\n",
    );
    assert_eq!(w.open_code(2, 0, "echo.test", server.port()), 0);
    assert!(server.wait_for(common::WAIT, |c, _| !c.is_empty()));
    let seen = &server.connections()[0];
    assert_eq!(seen.psk_identity.as_deref(), Some(IDENTITY));
    assert!(seen.cipher_suite.contains("_PSK_"), "{}", seen.cipher_suite);
    assert_eq!(w.handshake(0).cipher_code, seen.cipher_code);
    // Keyed both ways: data goes through and comes back.
    w.send_data(0, b"over PSK");
    assert_eq!(w.read_data(0, 8), b"over PSK");
    assert!(server.wait_for(common::WAIT, |c, _| c[0].received == b"over PSK"));
}

#[test]
fn a_wrong_key_fails_the_handshake() {
    let server = psk_server();
    let mut w = wire();
    let mut wrong = KEY;
    wrong[0] ^= 0xff;
    w.cmd(
        &format!("AT+QSSLCFG=\"psk\",2,\"{IDENTITY}\",\"{}\"", hex(&wrong)),
        b"\r\nOK\r\n",
    );
    assert_eq!(w.open_code(2, 0, "echo.test", server.port()), 566);
    assert!(
        matches!(w.last_failure(), FailReason::PeerAlert(_)),
        "{:?}",
        w.last_failure()
    );
    assert!(server.wait_for(common::WAIT, |_, f| !f.is_empty()));
    let failure = &server.failures()[0];
    assert_eq!(failure.psk_identity.as_deref(), Some(IDENTITY));
    assert!(server.connections().is_empty());
}

#[test]
fn an_unknown_identity_fails_the_handshake() {
    let server = psk_server();
    let mut w = wire();
    w.cmd(
        &format!("AT+QSSLCFG=\"psk\",2,\"stranger\",\"{}\"", hex(&KEY)),
        b"\r\nOK\r\n",
    );
    assert_eq!(w.open_code(2, 0, "echo.test", server.port()), 566);
    assert!(server.wait_for(common::WAIT, |_, f| !f.is_empty()));
    assert!(server.connections().is_empty());
}

#[test]
fn without_a_psk_the_psk_server_is_not_reached() {
    let server = psk_server();
    let mut w = wire();
    assert_eq!(w.open_code(2, 0, "echo.test", server.port()), 566);
    assert_eq!(w.last_failure(), FailReason::NoSharedCipher);
}

#[test]
fn a_key_that_is_not_hexadecimal_fails_the_open() {
    let server = psk_server();
    let mut w = wire();
    w.cmd(
        &format!("AT+QSSLCFG=\"psk\",2,\"{IDENTITY}\",\"not hex\""),
        b"\r\nOK\r\n",
    );
    assert_eq!(w.open_code(2, 0, "echo.test", server.port()), 566);
    assert!(
        matches!(w.last_failure(), FailReason::Configuration(ref why) if why.contains("hexadecimal")),
        "{:?}",
        w.last_failure()
    );
}
