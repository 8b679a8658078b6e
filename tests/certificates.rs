//! Certificates and TLS: upload checked by the module's checksum, listing
//! and deletion, the module clock, and an open that fails for each TLS
//! reason, with the diagnosis that explains it.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::clock::ClockValue;
use quectel_sim::testing::{EchoServerOptions, Validity};
use quectel_sim::FailReason;
use quectel_ssl::command::device::{DateTime, GetClock};
use quectel_ssl::command::file::AckMode;
use quectel_ssl::command::ssl_config::SecLevel;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::{self, Finding, SslConfig};
use quectel_ssl::{Error, FileName, FilePattern, ParamError, SslErrorCode};

fn name(n: &str) -> FileName<'_> {
    FileName::new(n).unwrap()
}

#[test]
fn uploads_are_checked_listed_replaced_and_deleted() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let data = pattern(5000, 3);
    let up = m.upload(name("RAM:blob.bin"), &data).unwrap();
    assert_eq!(up.size, 5000);
    assert_eq!(up.checksum, quectel_ssl::command::file::checksum(&data));
    assert_eq!(rig.sim.file("RAM:blob.bin").unwrap(), data);
    // ACK mode: 1024-byte blocks, each acknowledged.
    let odd = pattern(3001, 9);
    m.run(&mut ops::Upload::new(
        name("RAM:acked.bin"),
        &odd,
        AckMode::PerBlock,
        ops::IfExists::Replace,
    ))
    .unwrap();
    assert_eq!(rig.sim.file("RAM:acked.bin").unwrap(), odd);
    // Replacing keeps one file of that name.
    m.upload(name("RAM:blob.bin"), b"short").unwrap();
    assert_eq!(rig.sim.file("RAM:blob.bin").unwrap(), b"short");
    let list = m
        .list_files::<8>(FilePattern::new("RAM:*").unwrap())
        .unwrap();
    assert!(list
        .entries
        .iter()
        .any(|e| e.is("RAM:acked.bin") && e.size == 3001));
    assert!(list
        .entries
        .iter()
        .any(|e| e.is("RAM:blob.bin") && e.size == 5));
    m.delete_file(name("RAM:blob.bin")).unwrap();
    assert!(rig.sim.file("RAM:blob.bin").is_none());
    // A name is never a pattern: `upload` and `delete_file` (and the
    // delete before an upload) act on one file, refused before any byte.
    assert_eq!(
        FileName::new("RAM:*"),
        Err(Error::InvalidParameter {
            param: "filename",
            reason: ParamError::Wildcard
        })
    );
    assert!(rig.sim.file("RAM:acked.bin").is_some());
    // Deleting again: the module's FILE error, typed.
    assert!(matches!(
        m.delete_file(name("RAM:blob.bin")),
        Err(Error::Cme(_))
    ));
}

#[test]
fn the_module_clock_is_set_and_read() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let t = DateTime::new(2026, 11, 23, 12, 0, 0, 4).unwrap();
    m.set_clock(t).unwrap();
    let now = m.command(GetClock).unwrap();
    assert_eq!(
        (now.year(), now.month(), now.day(), now.hour()),
        (2026, 11, 23, 12)
    );
}

fn open_fails_with_566(m: &mut SimModem, port: u16) {
    let err = m
        .open(open_cmd(0, port, AccessMode::Buffer), buffer(256))
        .unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::SocketConnectFailed));
}

/// The day the date tests pin the module clock to (`AT+CCLK`), and the
/// windows of their certificates around it: whatever the host's date, the
/// module's clock and the certificates' dates are the same in every run.
const PINNED: (u16, u8, u8) = (2026, 11, 23);

fn unix(y: u16, m: u8, d: u8) -> i64 {
    let text = format!("{:02}/{m:02}/{d:02},12:00:00+00", y % 100);
    ClockValue::parse(&text).unwrap().to_unix()
}

/// A rig whose server certificate is valid over `window` and whose module
/// clock reads [`PINNED`] at noon UTC.
fn pinned_rig(window: Validity) -> (Rig, SimModem) {
    let mut rig = Rig::with(
        EchoServerOptions::default().rsa().validity(window),
        sim_config(),
    );
    let mut m = rig.ready();
    let (y, mo, d) = PINNED;
    m.set_clock(DateTime::new(y, mo, d, 12, 0, 0, 0).unwrap())
        .unwrap();
    (rig, m)
}

/// The open failed for a validity date, as the simulator's TLS library
/// says, with the module clock at the pinned day.
fn refused_for_date(rig: &Rig, expired: bool) {
    let failure = rig.sim.last_open_failure().expect("a failure is recorded");
    let pinned = unix(PINNED.0, PINNED.1, PINNED.2);
    match failure.reason {
        FailReason::CertificateExpired { module_clock, .. } if expired => {
            assert!((module_clock - pinned).abs() < 600, "{failure:?}")
        }
        FailReason::CertificateNotYetValid { module_clock, .. } if !expired => {
            assert!((module_clock - pinned).abs() < 600, "{failure:?}")
        }
        _ => panic!("refused for another reason: {failure:?}"),
    }
}

/// With `ignorelocaltime` set the same server is reached and echoes.
fn reached_when_dates_are_ignored(rig: &Rig, m: &mut SimModem) {
    let lax = SslConfig {
        check_validity: false,
        ..SslConfig::with_ca(name(CA_FILE))
    };
    assert!(lax.is_weakened());
    m.configure_ssl(ssl(0), &lax).unwrap();
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    m.socket(&sock).write_all(b"late").unwrap();
    let mut back = [0u8; 4];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(&back, b"late");
}

#[test]
fn a_wrong_ca_fails_the_open() {
    let mut rig = Rig::new();
    let mut m = rig.modem();
    let stranger = quectel_sim::testing::TestPki::new();
    set_up(&mut m, stranger.ca_pem().as_bytes());
    open_fails_with_566(&mut m, rig.server_port());
    let failure = rig.sim.last_open_failure().expect("recorded");
    assert_eq!(failure.reason, FailReason::UnknownIssuer, "{failure:?}");
}

#[test]
fn an_expired_certificate_fails_against_the_clock_unless_dates_are_ignored() {
    let (rig, mut m) = pinned_rig(Validity::between(unix(2026, 1, 1), unix(2026, 6, 1)));
    open_fails_with_566(&mut m, rig.server_port());
    refused_for_date(&rig, true);
    reached_when_dates_are_ignored(&rig, &mut m);
}

#[test]
fn a_not_yet_valid_certificate_fails_against_the_clock_unless_dates_are_ignored() {
    let (rig, mut m) = pinned_rig(Validity::between(unix(2027, 1, 1), unix(2028, 1, 1)));
    open_fails_with_566(&mut m, rig.server_port());
    refused_for_date(&rig, false);
    reached_when_dates_are_ignored(&rig, &mut m);
}

#[test]
fn a_certificate_valid_at_the_module_clock_passes_the_date_check() {
    let (rig, mut m) = pinned_rig(Validity::between(unix(2026, 11, 1), unix(2026, 12, 1)));
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    m.close(&sock).unwrap();
    assert!(rig.sim.open_failures().is_empty());
}

#[test]
fn sni_off_fails_where_the_server_needs_it_and_the_diagnosis_says_so() {
    let mut rig = Rig::with(
        EchoServerOptions::default().rsa().require_sni(),
        sim_config(),
    );
    let mut m = rig.ready();
    let no_sni = SslConfig {
        sni: false,
        ..SslConfig::with_ca(name(CA_FILE))
    };
    m.configure_ssl(ssl(0), &no_sni).unwrap();
    open_fails_with_566(&mut m, rig.server_port());
    let diagnosis = m.diagnose(pdp(1), ssl(0)).unwrap();
    assert!(
        diagnosis.findings().contains(&Finding::SniOff),
        "{diagnosis}"
    );
    // The secure default sends SNI.
    m.configure_ssl(ssl(0), &SslConfig::with_ca(name(CA_FILE)))
        .unwrap();
    m.open(
        open_cmd(0, rig.server_port(), AccessMode::Buffer),
        buffer(256),
    )
    .unwrap();
    assert!(rig
        .server
        .connections()
        .iter()
        .any(|c| c.sni.as_deref() == Some(HOST)));
}

#[test]
fn client_certificates_are_presented_when_the_server_asks() {
    let mut rig = Rig::with(
        EchoServerOptions::default().rsa().require_client_cert(),
        sim_config(),
    );
    let mut m = rig.ready();
    // Server authentication only: the server refuses us.
    open_fails_with_566(&mut m, rig.server_port());
    let client = rig.pki.client_cert("device-1");
    m.upload(name("RAM:client.pem"), client.cert_pem.as_bytes())
        .unwrap();
    m.upload(name("RAM:client.key"), client.key_pem.as_bytes())
        .unwrap();
    let mutual = SslConfig {
        security: SecLevel::ServerAndClient,
        client_auth: Some((name("RAM:client.pem"), name("RAM:client.key"))),
        ..SslConfig::with_ca(name(CA_FILE))
    };
    m.configure_ssl(ssl(0), &mutual).unwrap();
    m.open(
        open_cmd(0, rig.server_port(), AccessMode::Buffer),
        buffer(256),
    )
    .unwrap();
    assert!(rig.server.connections().iter().any(|c| c.client_cert));
}

#[test]
fn the_diagnosis_names_what_is_missing() {
    let mut rig = Rig::new();
    let mut m = rig.modem();
    m.init().unwrap();
    let cfg = SslConfig {
        cipher: quectel_ssl::command::ssl_config::CipherSuite::EcdheRsaAes128GcmSha256,
        ..SslConfig::with_ca(name("RAM:nowhere.pem"))
    };
    m.configure_ssl(ssl(2), &cfg).unwrap();
    let diagnosis = m.diagnose(pdp(1), ssl(2)).unwrap();
    let findings = diagnosis.findings();
    assert!(findings.contains(&Finding::PdpInactive), "{diagnosis}");
    assert!(findings.contains(&Finding::NoDns), "{diagnosis}");
    assert!(findings.contains(&Finding::CaCertMissing), "{diagnosis}");
    assert!(findings.contains(&Finding::SingleCipher), "{diagnosis}");
    let printed = diagnosis.to_string();
    assert!(printed.contains("PDP context not active"), "{printed}");
    // With everything in place the problems go away.
    set_up(&mut m, rig.pki.ca_pem().as_bytes());
    let diagnosis = m.diagnose(pdp(1), ssl(0)).unwrap();
    let findings = diagnosis.findings();
    assert!(!findings.contains(&Finding::PdpInactive), "{diagnosis}");
    assert!(!findings.contains(&Finding::CaCertMissing), "{diagnosis}");
    // The default offers every suite.
    assert!(!findings.contains(&Finding::SingleCipher), "{diagnosis}");
}

/// The module clock starts from the host's (as a module that took the
/// network time), and CI's shifted-clock runs really shift it: with
/// `QUECTEL_TEST_HOST_YEAR` set (by `.ci/run`), the host year must be that
/// one, so a run under `faketime` that did not take effect fails here
/// instead of passing for the wrong reason.
#[test]
fn the_module_clock_starts_from_the_hosts() {
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let host_year = ClockValue::from_unix(host, 0).year;
    if let Ok(expected) = std::env::var("QUECTEL_TEST_HOST_YEAR") {
        assert_eq!(
            host_year.to_string(),
            expected,
            "the host clock is not shifted"
        );
    }
    let (sim, _port) = quectel_sim::Simulator::start(sim_config());
    let module = sim.clock().expect("the module clock runs");
    assert!((module.to_unix() - host).abs() < 600, "{module}");
}
