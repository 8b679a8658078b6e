//! `sslversion` and `ciphersuite`: every value is what an OpenSSL server
//! sees negotiated (and offered), and each refusal keeps its reason.

mod common;

use common::{config, wire_trusting, Wire};
use quectel_sim::at::MODULE_CIPHER_SUITES;
use quectel_sim::testing::{Protocol, TestPki, TlsServer, TlsServerOptions};
use quectel_sim::{supported_cipher_suites, FailReason};

fn server(pki: &TestPki, options: TlsServerOptions) -> TlsServer {
    TlsServer::start(pki, options).expect("the server starts")
}

/// Opens socket 0 on context 1, checks the module and the server agree on
/// what was negotiated, closes; the server's record of the connection.
fn negotiated(w: &mut Wire, server: &TlsServer) -> quectel_sim::testing::TlsConnection {
    let before = server.connections().len();
    assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
    assert!(
        server.wait_for(common::WAIT, |c, _| c.len() > before),
        "the server never saw the connection"
    );
    let seen = server.connections()[before].clone();
    let module = w.handshake(0);
    assert_eq!(module.protocol, seen.protocol);
    assert_eq!(module.cipher_code, seen.cipher_code);
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    seen
}

#[test]
fn each_sslversion_negotiates_that_version() {
    let pki = TestPki::new();
    let all = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    for (value, name) in [(0, "SSLv3"), (1, "TLSv1"), (2, "TLSv1.1"), (3, "TLSv1.2")] {
        w.set(1, "sslversion", &value.to_string());
        let seen = negotiated(&mut w, &all);
        assert_eq!(seen.protocol, name, "sslversion {value}");
    }
    w.set(1, "sslversion", "4");
    assert_eq!(negotiated(&mut w, &all).protocol, "TLSv1.2");
}

#[test]
fn sslversion_4_spans_ssl3_to_tls12() {
    let pki = TestPki::new();
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "sslversion", "4");
    for version in [
        Protocol::Ssl3,
        Protocol::Tls10,
        Protocol::Tls11,
        Protocol::Tls12,
    ] {
        let only = server(&pki, TlsServerOptions::default().only(version));
        assert_eq!(negotiated(&mut w, &only).protocol, version.name());
    }
    // TLS 1.3 is past an EC2x: a TLS 1.3-only server is refused.
    let tls13 = server(&pki, TlsServerOptions::default().only(Protocol::Tls13));
    assert_eq!(w.open_code(1, 0, "echo.test", tls13.port()), 566);
    assert_eq!(w.last_failure(), FailReason::ProtocolVersionRefused);
}

#[test]
fn tls13_only_as_the_documented_opt_in() {
    let pki = TestPki::new();
    let modern = server(
        &pki,
        TlsServerOptions::default().versions(Protocol::Tls12, Protocol::Tls13),
    );
    let mut w = wire_trusting(config().allow_tls13(true), 1, &pki);
    assert_eq!(negotiated(&mut w, &modern).protocol, "TLSv1.3");
    // Only with sslversion 4 and ciphersuite 0XFFFF.
    w.set(1, "sslversion", "3");
    assert_eq!(negotiated(&mut w, &modern).protocol, "TLSv1.2");
}

#[test]
fn a_version_the_server_refuses_says_so() {
    let pki = TestPki::new();
    let tls10 = server(&pki, TlsServerOptions::default().only(Protocol::Tls10));
    let tls12 = server(&pki, TlsServerOptions::default().only(Protocol::Tls12));
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "sslversion", "3");
    assert_eq!(w.open_code(1, 0, "echo.test", tls10.port()), 566);
    assert_eq!(w.last_failure(), FailReason::ProtocolVersionRefused);
    w.set(1, "sslversion", "1");
    assert_eq!(w.open_code(1, 0, "echo.test", tls12.port()), 566);
    assert_eq!(w.last_failure(), FailReason::ProtocolVersionRefused);
    assert!(
        tls12.wait_for(common::WAIT, |_, f| f
            .iter()
            .any(|f| f.error.contains("unsupported protocol"))),
        "{:?}",
        tls12.failures()
    );
}

#[test]
fn each_module_suite_is_the_suite_the_server_sees() {
    let pki = TestPki::new();
    let all = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "sslversion", "3");
    for code in supported_cipher_suites() {
        w.set(1, "ciphersuite", &format!("0X{code:04X}"));
        let seen = negotiated(&mut w, &all);
        assert_eq!(seen.cipher_code, code, "{}", seen.cipher_suite);
        assert_eq!(seen.offered_suites, vec![code]);
        let iana = MODULE_CIPHER_SUITES
            .iter()
            .find(|(c, _)| *c == code)
            .unwrap()
            .1;
        assert_eq!(seen.cipher_suite, iana);
    }
}

#[test]
fn all_suites_means_exactly_the_modules() {
    let pki = TestPki::new();
    let all = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "ciphersuite", "0XFFFF");
    let seen = negotiated(&mut w, &all);
    let mut offered = seen.offered_suites.clone();
    offered.sort_unstable();
    let mut expected = supported_cipher_suites();
    expected.sort_unstable();
    assert_eq!(offered, expected, "{:04X?}", seen.offered_suites);
    for foreign in [0xC030u16, 0xC02C, 0xCCA8, 0xCCA9, 0x009D, 0x1301] {
        assert!(!seen.offered_suites.contains(&foreign), "{foreign:04X}");
    }
    // The module's own order, strongest first as the note lists them.
    let note_order: Vec<u16> = MODULE_CIPHER_SUITES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| expected.contains(c))
        .collect();
    assert_eq!(seen.offered_suites, note_order);
}

#[test]
fn static_ecdh_suites_cannot_be_negotiated_here() {
    // OpenSSL removed static ECDH key exchange in 1.1.0: the simulator
    // cannot offer these twelve, and says so instead of pretending.
    let static_ecdh: Vec<u16> = MODULE_CIPHER_SUITES
        .iter()
        .filter(|(_, name)| name.starts_with("TLS_ECDH_"))
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(static_ecdh.len(), 12);
    let pki = TestPki::new();
    let all = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    for code in static_ecdh {
        assert!(!supported_cipher_suites().contains(&code));
        assert!(quectel_sim::unsupported_reason(code)
            .unwrap()
            .contains("static ECDH"));
        w.set(1, "ciphersuite", &format!("0X{code:04X}"));
        assert_eq!(w.open_code(1, 0, "echo.test", all.port()), 555);
        assert!(
            matches!(w.last_failure(), FailReason::NotSupported(ref why) if why.contains("static ECDH")),
            "{:?}",
            w.last_failure()
        );
    }
    // TCP connected (as a module does before its handshake), but no
    // ClientHello ever reached the server.
    assert!(all.connections().is_empty());
    assert!(all.failures().iter().all(|f| f.offered_suites.is_empty()));
}

#[test]
fn no_shared_cipher_is_named() {
    let pki = TestPki::new();
    let ecdhe_ecdsa = server(
        &pki,
        TlsServerOptions::default()
            .key(quectel_sim::testing::KeyKind::Ecdsa)
            .suites(&[0xC009]),
    );
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "ciphersuite", "0X0035");
    assert_eq!(w.open_code(1, 0, "echo.test", ecdhe_ecdsa.port()), 566);
    assert_eq!(w.last_failure(), FailReason::NoSharedCipher);
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("no cipher suite in common"));
    w.set(1, "ciphersuite", "0XC009");
    assert_eq!(negotiated(&mut w, &ecdhe_ecdsa).cipher_code, 0xC009);
}

#[test]
fn a_suite_the_version_cannot_carry_fails_before_the_hello() {
    let pki = TestPki::new();
    let all = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    // AES-GCM exists from TLS 1.2 on.
    w.set(1, "sslversion", "1");
    w.set(1, "ciphersuite", "0XC02F");
    assert_eq!(w.open_code(1, 0, "echo.test", all.port()), 566);
    assert!(
        matches!(w.last_failure(), FailReason::Configuration(ref why) if why.contains("protocol versions")),
        "{:?}",
        w.last_failure()
    );
    assert!(all.connections().is_empty());
    assert!(all.failures().iter().all(|f| f.offered_suites.is_empty()));
}
