//! Certificates and TLS: upload checked by the module's checksum, listing
//! and deletion, the module clock, and an open that fails for each TLS
//! reason, with the diagnosis that explains it.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::testing::{EchoServerOptions, Validity};
use quectel_ssl::command::device::{DateTime, GetClock};
use quectel_ssl::command::ssl_config::SecLevel;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::{self, Finding, SslConfig};
use quectel_ssl::{Error, FileName, SslErrorCode};

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
        true,
        true,
    ))
    .unwrap();
    assert_eq!(rig.sim.file("RAM:acked.bin").unwrap(), odd);
    // Replacing keeps one file of that name.
    m.upload(name("RAM:blob.bin"), b"short").unwrap();
    assert_eq!(rig.sim.file("RAM:blob.bin").unwrap(), b"short");
    let list = m.list_files::<8>(name("RAM:*")).unwrap();
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

#[test]
fn a_wrong_ca_fails_the_open() {
    let mut rig = Rig::new();
    let mut m = rig.modem();
    let stranger = quectel_sim::testing::TestPki::new();
    set_up(&mut m, stranger.ca_pem().as_bytes());
    open_fails_with_566(&mut m, rig.server_port());
}

#[test]
fn an_expired_certificate_fails_against_the_clock_unless_dates_are_ignored() {
    let mut rig = Rig::with(
        EchoServerOptions::default()
            .rsa()
            .validity(Validity::expired()),
        sim_config(),
    );
    let mut m = rig.ready();
    m.set_clock(DateTime::new(2026, 11, 23, 12, 0, 0, 0).unwrap())
        .unwrap();
    open_fails_with_566(&mut m, rig.server_port());
    // The weaker choice is explicit.
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
    let cfg = SslConfig::with_ca(name("RAM:nowhere.pem"));
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
}
