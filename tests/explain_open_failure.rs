//! Every failed open says why. Each test makes an open fail for one reason
//! against a real OpenSSL server (or a closed port), asks
//! `explain_open_failure`, and checks the cause against what really
//! happened (the simulator's record of the handshake). Every test also
//! checks that no probe carried data and that the spare SSL context was
//! left with the user's own settings.

mod common;

use common::sim::*;
use quectel_sim::at::{SslSetting, SslSettingName};
use quectel_sim::clock::ClockValue;
use quectel_sim::testing::{KeyKind, Protocol, TestPki, TlsServer, TlsServerOptions, Validity};
use quectel_sim::{FailReason, SimHandle, Simulator};
use quectel_ssl::command::device::DateTime;
use quectel_ssl::command::ssl_config::{CipherSuite, SslVersion};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::{Cause, ServerKey, SslConfig};
use quectel_ssl::modem::StdTimer;
use quectel_ssl::{Error, FileName, Modem, SslErrorCode};

/// The SSL context the explanation may use.
const SPARE: u8 = 5;

struct Case {
    sim: SimHandle,
    m: SimModem,
    config: SslConfig<'static>,
}

/// A driver set up with `config` on context 0 and `ca` uploaded.
fn case(ca: &str, config: SslConfig<'static>) -> Case {
    let (sim, port) = Simulator::start(sim_config());
    let mut m = Modem::with_config(port, StdTimer::new(), engine_config());
    set_up(&mut m, ca.as_bytes());
    m.configure_ssl(ssl(0), &config).unwrap();
    Case { sim, m, config }
}

fn secure() -> SslConfig<'static> {
    SslConfig::with_ca(FileName::new(CA_FILE).unwrap())
}

/// Open to `port`: it must fail with 566; then explain it.
fn explain(c: &mut Case, port: u16) -> Cause {
    let open = open_cmd(0, port, AccessMode::Buffer);
    let err = c.m.open(open, buffer(256)).unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::SocketConnectFailed));
    let explanation =
        c.m.explain_open_failure(open, &c.config, ssl(SPARE), err)
            .unwrap();
    println!("{explanation}");
    // The spare context ends with the user's settings, none relaxed.
    let level = c.sim.ssl_setting(SPARE, SslSettingName::SecLevel);
    assert_eq!(level, Some(SslSetting::SecLevel(c.config.security.code())));
    let dates = c.sim.ssl_setting(SPARE, SslSettingName::IgnoreLocalTime);
    assert_eq!(
        dates,
        Some(SslSetting::IgnoreLocalTime(!c.config.check_validity))
    );
    let suite = c.sim.ssl_setting(SPARE, SslSettingName::CipherSuite);
    assert_eq!(suite, Some(SslSetting::CipherSuite(c.config.cipher.code())));
    explanation.cause
}

/// No probe connection carried a byte.
fn no_data(server: &TlsServer) {
    for c in server.connections() {
        assert!(c.received.is_empty(), "a probe carried data");
    }
}

fn unix(y: u16, m: u8, d: u8) -> i64 {
    let text = format!("{:02}/{m:02}/{d:02},12:00:00+00", y % 100);
    ClockValue::parse(&text).unwrap().to_unix()
}

#[test]
fn an_unknown_ca_is_explained() {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default()).unwrap();
    let stranger = TestPki::new();
    let mut c = case(stranger.ca_pem(), secure());
    assert_eq!(explain(&mut c, server.port()), Cause::CertificateNotTrusted);
    let truth = c.sim.open_failures();
    assert!(
        matches!(truth[0].reason, FailReason::UnknownIssuer),
        "{truth:?}"
    );
    no_data(&server);
}

#[test]
fn a_certificate_for_another_name_is_explained() {
    let pki = TestPki::new();
    let options = TlsServerOptions {
        names: vec!["other.test".into()],
        ..TlsServerOptions::default()
    };
    let server = TlsServer::start(&pki, options).unwrap();
    let mut c = case(pki.ca_pem(), secure());
    assert_eq!(explain(&mut c, server.port()), Cause::CertificateNotTrusted);
    let truth = c.sim.open_failures();
    assert!(
        matches!(truth[0].reason, FailReason::NameMismatch),
        "{truth:?}"
    );
    no_data(&server);
}

fn dates_case(window: Validity) -> (Cause, Vec<quectel_sim::OpenFailure>) {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().validity(window)).unwrap();
    let mut c = case(pki.ca_pem(), secure());
    c.m.set_clock(DateTime::new(2026, 11, 23, 12, 0, 0, 0).unwrap())
        .unwrap();
    let cause = explain(&mut c, server.port());
    no_data(&server);
    (cause, c.sim.open_failures())
}

#[test]
fn an_expired_certificate_is_explained_with_the_module_clock() {
    let (cause, truth) = dates_case(Validity::between(unix(2026, 1, 1), unix(2026, 6, 1)));
    let Cause::CertificateDates { clock: Some(clock) } = cause else {
        panic!("{cause:?}")
    };
    assert_eq!((clock.year(), clock.month(), clock.day()), (2026, 11, 23));
    assert!(cause.to_string().contains("2026-11-23"), "{cause}");
    assert!(
        matches!(truth[0].reason, FailReason::CertificateExpired { .. }),
        "{truth:?}"
    );
}

#[test]
fn a_not_yet_valid_certificate_is_explained_with_the_module_clock() {
    let (cause, truth) = dates_case(Validity::between(unix(2027, 1, 1), unix(2028, 1, 1)));
    assert!(
        matches!(cause, Cause::CertificateDates { clock: Some(_) }),
        "{cause:?}"
    );
    assert!(
        matches!(truth[0].reason, FailReason::CertificateNotYetValid { .. }),
        "{truth:?}"
    );
}

#[test]
fn no_shared_cipher_is_explained_with_the_key_the_server_needs() {
    let pki = TestPki::new();
    let server = TlsServer::start(
        &pki,
        TlsServerOptions::default()
            .as_deployed()
            .key(KeyKind::Ecdsa),
    )
    .unwrap();
    let rsa_only = SslConfig {
        cipher: CipherSuite::EcdheRsaAes128GcmSha256,
        ..secure()
    };
    let mut c = case(pki.ca_pem(), rsa_only);
    assert_eq!(
        explain(&mut c, server.port()),
        Cause::NoSharedCipher {
            key: Some(ServerKey::Ecdsa)
        }
    );
    let truth = c.sim.open_failures();
    assert!(
        matches!(truth[0].reason, FailReason::NoSharedCipher),
        "{truth:?}"
    );
    no_data(&server);
}

#[test]
fn a_version_the_server_refuses_is_explained() {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().only(Protocol::Tls10)).unwrap();
    let mut c = case(pki.ca_pem(), secure());
    assert_eq!(
        explain(&mut c, server.port()),
        Cause::VersionRefused {
            works: Some(SslVersion::Tls10)
        }
    );
    let truth = c.sim.open_failures();
    assert!(
        matches!(truth[0].reason, FailReason::ProtocolVersionRefused),
        "{truth:?}"
    );
    no_data(&server);
}

#[test]
fn a_missing_client_certificate_is_explained() {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().require_client_cert()).unwrap();
    let mut c = case(pki.ca_pem(), secure());
    assert_eq!(
        explain(&mut c, server.port()),
        Cause::ClientCertificateRequired
    );
    assert!(
        !server.failures().is_empty(),
        "the server refused handshakes"
    );
    no_data(&server);
}

#[test]
fn a_closed_port_is_explained() {
    let pki = TestPki::new();
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = case(pki.ca_pem(), secure());
    assert_eq!(explain(&mut c, port), Cause::PortClosed);
    let truth = c.sim.open_failures();
    assert!(
        matches!(truth[0].reason, FailReason::ConnectRefused),
        "{truth:?}"
    );
}
