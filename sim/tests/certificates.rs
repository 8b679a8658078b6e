//! The server certificate check and the client certificate, as the SSL
//! context configures them: trust anchors (`cacert`, `cacertex`), dates at
//! the module clock (`AT+CCLK`, `ignorelocaltime`), host names, and the two
//! relaxations `ignoreinvalidcertsign` and `ignoremulticertchainverify`,
//! each skipping only the check it names; `seclevel` 2's client
//! certificate, which the server verifies. Every date here is pinned: the
//! module clock by `AT+CCLK`, the certificates by fixed windows.

mod common;

use common::{config, echo, wire_trusting, Wire};
use quectel_sim::clock::ClockValue;
use quectel_sim::testing::{
    EchoServerOptions, KeyKind, TestPki, TlsServer, TlsServerOptions, Validity,
};
use quectel_sim::FailReason;

/// 2030-06-15 12:00 UTC, the module clock of the date tests.
const PINNED_CCLK: &str = "AT+CCLK=\"30/06/15,12:00:00+00\"";

fn unix(y: i32, m: u8, d: u8) -> i64 {
    let text = format!("{:02}/{m:02}/{d:02},12:00:00+00", y % 100);
    ClockValue::parse(&text).unwrap().to_unix()
}

fn server(pki: &TestPki, options: TlsServerOptions) -> TlsServer {
    TlsServer::start(pki, options).expect("the server starts")
}

/// Only `echo.test` in the certificate (not `127.0.0.1`).
fn named(options: TlsServerOptions) -> TlsServerOptions {
    TlsServerOptions {
        names: vec!["echo.test".into()],
        ..options
    }
}

fn open(w: &mut Wire, port: u16, address: &str) -> u16 {
    let code = w.open_code(1, 0, address, port);
    if code == 0 {
        w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    }
    code
}

#[test]
fn a_wrong_ca_is_an_unknown_issuer() {
    // The rustls server: an implementation independent of the module's.
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_trusting(config(), 1, &TestPki::new());
    assert_eq!(open(&mut w, server.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::UnknownIssuer);
    w.expect_error_code(566, "socket connection failed");
    w.set(1, "seclevel", "0");
    assert_eq!(open(&mut w, server.port(), "echo.test"), 0);
}

#[test]
fn cacertex_adds_a_trust_anchor() {
    let pki = TestPki::new();
    let server = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &TestPki::new());
    assert_eq!(open(&mut w, server.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::UnknownIssuer);
    w.upload("RAM:extra.pem", pki.ca_pem().as_bytes());
    w.set(1, "cacertex", "\"RAM:extra.pem\"");
    assert_eq!(open(&mut w, server.port(), "echo.test"), 0);
    w.set(1, "cacertex", "\"\"");
    assert_eq!(open(&mut w, server.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::UnknownIssuer);
}

#[test]
fn dates_are_checked_at_the_module_clock() {
    let pki = TestPki::new();
    let expired = server(
        &pki,
        TlsServerOptions::default().validity(Validity::between(unix(2030, 1, 1), unix(2030, 6, 1))),
    );
    let early = server(
        &pki,
        TlsServerOptions::default().validity(Validity::between(unix(2030, 7, 1), unix(2031, 1, 1))),
    );
    let valid = server(
        &pki,
        TlsServerOptions::default().validity(Validity::between(unix(2030, 6, 1), unix(2030, 7, 1))),
    );
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "ignorelocaltime", "0");
    w.cmd(PINNED_CCLK, b"\r\nOK\r\n");
    let pinned = unix(2030, 6, 15);
    assert_eq!(open(&mut w, expired.port(), "echo.test"), 566);
    match w.last_failure() {
        FailReason::CertificateExpired {
            not_after,
            module_clock,
        } => {
            assert_eq!(not_after, unix(2030, 6, 1));
            assert!((module_clock - pinned).abs() < 600, "{module_clock}");
        }
        other => panic!("refused for another reason: {other:?}"),
    }
    assert_eq!(open(&mut w, early.port(), "echo.test"), 566);
    match w.last_failure() {
        FailReason::CertificateNotYetValid {
            not_before,
            module_clock,
        } => {
            assert_eq!(not_before, unix(2030, 7, 1));
            assert!((module_clock - pinned).abs() < 600, "{module_clock}");
        }
        other => panic!("refused for another reason: {other:?}"),
    }
    assert_eq!(open(&mut w, valid.port(), "echo.test"), 0);
    assert!(w.handle.transcript().to_string().contains(
        "certificate expired: notAfter 2030-06-01 12:00:00 UTC, module clock 2030-06-15"
    ));
}

#[test]
fn validity_follows_at_cclk() {
    let pki = TestPki::new();
    let june_2020 = Validity::between(1_590_969_600, 1_593_561_600);
    let server = server(&pki, TlsServerOptions::default().validity(june_2020));
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "ignorelocaltime", "0");
    w.cmd("AT+CCLK=\"20/07/10,12:00:00+08\"", b"\r\nOK\r\n");
    assert_eq!(open(&mut w, server.port(), "echo.test"), 566);
    assert!(w.last_failure().is_date(), "{:?}", w.last_failure());
    w.cmd("AT+CCLK=\"20/06/10,12:00:00+08\"", b"\r\nOK\r\n");
    assert_eq!(open(&mut w, server.port(), "echo.test"), 0);
}

#[test]
fn ignorelocaltime_relaxes_the_dates_and_nothing_else() {
    let pki = TestPki::new();
    let window = Validity::between(unix(2030, 1, 1), unix(2030, 6, 1));
    let expired = server(&pki, named(TlsServerOptions::default().validity(window)));
    let mut w = wire_trusting(config(), 1, &pki);
    w.cmd(PINNED_CCLK, b"\r\nOK\r\n");
    w.set(1, "ignorelocaltime", "1");
    let code = open(&mut w, expired.port(), "echo.test");
    assert_eq!(code, 0, "{:?}", w.handle.last_open_failure());
    // A name the certificate does not carry still fails.
    assert_eq!(open(&mut w, expired.port(), "127.0.0.1"), 566);
    assert_eq!(w.last_failure(), FailReason::NameMismatch);
    // And so does a CA the context does not trust.
    let mut stranger = wire_trusting(config(), 1, &TestPki::new());
    stranger.set(1, "ignorelocaltime", "1");
    assert_eq!(open(&mut stranger, expired.port(), "echo.test"), 566);
    assert_eq!(stranger.last_failure(), FailReason::UnknownIssuer);
}

#[test]
fn the_host_name_or_address_must_match() {
    let pki = TestPki::new();
    let server = server(&pki, named(TlsServerOptions::default()));
    let mut w = wire_trusting(config(), 1, &pki);
    assert_eq!(open(&mut w, server.port(), "127.0.0.1"), 566);
    assert_eq!(w.last_failure(), FailReason::NameMismatch);
    assert_eq!(open(&mut w, server.port(), "echo.test"), 0);
}

#[test]
fn ignoreinvalidcertsign_skips_only_the_signature_check() {
    let pki = TestPki::new();
    let forged = server(
        &pki,
        named(
            TlsServerOptions::default()
                .key(KeyKind::Rsa)
                .bad_signature(),
        ),
    );
    let mut w = wire_trusting(config(), 1, &pki);
    assert_eq!(open(&mut w, forged.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::BadSignature);
    w.set(1, "ignoreinvalidcertsign", "1");
    assert_eq!(w.open_code(1, 0, "echo.test", forged.port()), 0);
    assert_eq!(
        w.handshake(0).relaxed,
        vec!["certificate signature failure".to_string()]
    );
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    assert_eq!(open(&mut w, forged.port(), "127.0.0.1"), 566);
    assert_eq!(w.last_failure(), FailReason::NameMismatch);
}

#[test]
fn ignoremulticertchainverify_skips_only_the_chain_check() {
    let pki = TestPki::new();
    let chained = server(&pki, named(TlsServerOptions::default().via_intermediate()));
    let lone = server(&pki, named(TlsServerOptions::default()));
    // The right CA: the chain through the intermediate verifies.
    let mut trusting = wire_trusting(config(), 1, &pki);
    assert_eq!(open(&mut trusting, chained.port(), "echo.test"), 0);
    // Another CA: the chain's top is unknown.
    let mut w = wire_trusting(config(), 1, &TestPki::new());
    assert_eq!(open(&mut w, chained.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::UnknownIssuer);
    w.set(1, "ignoremulticertchainverify", "1");
    assert_eq!(w.open_code(1, 0, "echo.test", chained.port()), 0);
    assert_eq!(
        w.handshake(0).relaxed,
        vec!["unable to get local issuer certificate".to_string()]
    );
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    // The name is still checked.
    assert_eq!(open(&mut w, chained.port(), "127.0.0.1"), 566);
    assert_eq!(w.last_failure(), FailReason::NameMismatch);
    // A lone certificate from an unknown CA is no multi-level chain.
    assert_eq!(open(&mut w, lone.port(), "echo.test"), 566);
    assert_eq!(w.last_failure(), FailReason::UnknownIssuer);
}

#[test]
fn seclevel_2_presents_the_client_certificate_the_server_verifies() {
    let pki = TestPki::new();
    let strict = server(&pki, TlsServerOptions::default().require_client_cert());
    let mut w = wire_trusting(config(), 1, &pki);
    let client = pki.client_cert("device-1");
    w.upload("RAM:client.pem", client.cert_pem.as_bytes());
    w.upload("RAM:client.key", client.key_pem.as_bytes());
    w.set(1, "clientcert", "\"RAM:client.pem\"");
    w.set(1, "clientkey", "\"RAM:client.key\"");
    // seclevel 1: the certificate stays home and the server refuses.
    assert_eq!(open(&mut w, strict.port(), "echo.test"), 566);
    assert!(
        matches!(w.last_failure(), FailReason::PeerAlert(_)),
        "{:?}",
        w.last_failure()
    );
    assert!(strict.wait_for(common::WAIT, |_, f| f
        .iter()
        .any(|f| f.error.contains("peer did not return a certificate"))));
    w.set(1, "seclevel", "2");
    assert_eq!(open(&mut w, strict.port(), "echo.test"), 0);
    assert!(strict.wait_for(common::WAIT, |c, _| !c.is_empty()));
    assert_eq!(
        strict.connections()[0].client_cert.as_deref(),
        Some("device-1")
    );
}

#[test]
fn seclevel_2_without_a_usable_key_fails_the_open() {
    let pki = TestPki::new();
    let lenient = server(&pki, TlsServerOptions::default());
    let mut w = wire_trusting(config(), 1, &pki);
    let client = pki.client_cert("device-1");
    let other = pki.client_cert("device-2");
    w.upload("RAM:client.pem", client.cert_pem.as_bytes());
    w.set(1, "seclevel", "2");
    w.set(1, "clientcert", "\"RAM:client.pem\"");
    let configuration = |w: &Wire, what: &str| match w.last_failure() {
        FailReason::Configuration(why) => assert!(why.contains(what), "{why}"),
        other => panic!("{other:?}"),
    };
    // No key configured, a key file that does not exist, one that does
    // not parse, one of another certificate: each fails the open, even
    // against a server that would not ask for a certificate.
    assert_eq!(open(&mut w, lenient.port(), "echo.test"), 566);
    configuration(&w, "no clientkey");
    w.set(1, "clientkey", "\"RAM:client.key\"");
    assert_eq!(open(&mut w, lenient.port(), "echo.test"), 566);
    configuration(&w, "does not exist");
    w.upload(
        "RAM:client.key",
        b"-----BEGIN PRIVATE KEY-----\nnot a key\n",
    );
    assert_eq!(open(&mut w, lenient.port(), "echo.test"), 566);
    configuration(&w, "does not parse");
    w.cmd("AT+QFDEL=\"RAM:client.key\"", b"\r\nOK\r\n");
    w.upload("RAM:client.key", other.key_pem.as_bytes());
    assert_eq!(open(&mut w, lenient.port(), "echo.test"), 566);
    configuration(&w, "is not the key");
    assert!(lenient.connections().is_empty());
    assert!(lenient
        .failures()
        .iter()
        .all(|f| f.offered_suites.is_empty()));
    w.cmd("AT+QFDEL=\"RAM:client.key\"", b"\r\nOK\r\n");
    w.upload("RAM:client.key", client.key_pem.as_bytes());
    assert_eq!(open(&mut w, lenient.port(), "echo.test"), 0);
}
