//! The secure default reaches servers whatever their key type: RSA 2048,
//! ECDSA P-256 and ECDSA P-384, each configured as servers on the Internet
//! are (OpenSSL's default suites, its own order of preference). The server
//! sees TLS 1.2, a suite that is neither RC4, 3DES nor MD5, the right kind
//! of suite for its key, and every byte sent. The strict single suites stay
//! explicit choices and fail against the other key type.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::testing::{KeyKind, TestPki, TlsServer, TlsServerOptions};
use quectel_sim::Simulator;
use quectel_ssl::command::ssl_config::CipherSuite;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::{Error, FileName, Modem, SslErrorCode};

/// A deployed-style server with `key`, and a driver set up with the
/// secure defaults (the test's CA).
fn rig(key: KeyKind) -> (TlsServer, SimModem, quectel_sim::SimHandle) {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().as_deployed().key(key))
        .expect("TLS server");
    let (sim, port) = Simulator::start(sim_config());
    let mut m = Modem::with_config(port, StdTimer::new(), engine_config());
    set_up(&mut m, pki.ca_pem().as_bytes());
    (server, m, sim)
}

/// IANA codes of the suites a careful client never wants negotiated.
fn weak(code: u16) -> bool {
    CipherSuite::SUITES
        .iter()
        .any(|s| s.code() == code && s.is_weak())
}

fn reaches(key: KeyKind, ecdsa: bool) {
    let (server, mut m, _sim) = rig(key);
    assert!(!SslConfig::with_ca(FileName::new(CA_FILE).unwrap()).is_weakened());
    let sock = m
        .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(4096))
        .unwrap_or_else(|e| panic!("{key:?}: {e}"));
    let data = pattern(3000, 5);
    m.socket(&sock).write_all(&data).unwrap();
    let mut back = vec![0u8; data.len()];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(back, data);
    m.close(&sock).unwrap();
    let seen = server.connections();
    let c = seen.last().expect("the server saw the connection");
    assert_eq!(c.protocol, "TLSv1.2", "{key:?}");
    assert!(!weak(c.cipher_code), "{key:?}: {}", c.cipher_suite);
    assert_eq!(
        c.cipher_suite.contains("ECDSA"),
        ecdsa,
        "{key:?}: {}",
        c.cipher_suite
    );
    assert!(
        c.cipher_suite.contains("ECDHE"),
        "{key:?}: {}",
        c.cipher_suite
    );
    assert_eq!(c.received, data, "{key:?}");
}

#[test]
fn the_default_reaches_an_rsa_2048_server() {
    reaches(KeyKind::Rsa, false);
}

#[test]
fn the_default_reaches_an_ecdsa_p256_server() {
    reaches(KeyKind::Ecdsa, true);
}

#[test]
fn the_default_reaches_an_ecdsa_p384_server() {
    reaches(KeyKind::EcdsaP384, true);
}

#[test]
fn the_strict_single_suites_reach_only_their_key_type() {
    for (suite, good, bad) in [
        (
            CipherSuite::EcdheRsaAes128GcmSha256,
            KeyKind::Rsa,
            KeyKind::Ecdsa,
        ),
        (
            CipherSuite::EcdheEcdsaAes128CbcSha256,
            KeyKind::Ecdsa,
            KeyKind::Rsa,
        ),
    ] {
        let strict = SslConfig {
            cipher: suite,
            ..SslConfig::with_ca(FileName::new(CA_FILE).unwrap())
        };
        assert!(!strict.is_weakened());
        let (server, mut m, _sim) = rig(good);
        m.configure_ssl(ssl(0), &strict).unwrap();
        let sock = m
            .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
            .unwrap();
        m.close(&sock).unwrap();
        assert_eq!(server.connections()[0].cipher_code, suite.code());

        let (server, mut m, sim) = rig(bad);
        m.configure_ssl(ssl(0), &strict).unwrap();
        let err = m
            .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
            .unwrap_err();
        assert_eq!(err, Error::Ssl(SslErrorCode::SocketConnectFailed));
        let failure = sim.last_open_failure().expect("recorded");
        assert!(
            matches!(failure.reason, quectel_sim::FailReason::NoSharedCipher),
            "{failure:?}"
        );
    }
}
