//! The real TLS handshake as the SSL context configures it, and every
//! failure reason giving `+QSSLOPEN: <id>,566`.

mod common;

use std::time::Duration;

use common::{config, echo, wait_peer, Wire};
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki, Validity};
use quectel_sim::{FailReason, SimConfig};

fn wire_with_ca(cfg: SimConfig, pki: &TestPki) -> Wire {
    let mut w = Wire::boot_quiet(cfg);
    w.activate_pdp();
    w.trust(1, pki);
    w
}

/// Opens socket 0 to `server` as `address`, and closes it again once the
/// server has seen it; returns the `+QSSLOPEN` code.
fn open_result(w: &mut Wire, server: &EchoServer, address: &str) -> u16 {
    let port = server.port();
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"{address}\",{port},0"),
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 0,");
    let rest = w.until(b"\r\n");
    let code: u16 = String::from_utf8_lossy(&rest[..rest.len() - 2])
        .parse()
        .unwrap();
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
fn wrong_ca_fails_with_566() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let other = TestPki::new();
    let mut w = wire_with_ca(config(), &other);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    w.expect_error_code(566, "socket connection failed");
    w.cmd("AT+QSSLCFG=\"seclevel\",1,0", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
}

#[test]
fn expired_certificate_fails_against_the_module_clock() {
    let pki = TestPki::new();
    let server = server(
        &pki,
        EchoServerOptions::default().validity(Validity::expired()),
    );
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"ignorelocaltime\",1,0", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    let failure = w.handle.last_open_failure().unwrap();
    assert!(
        matches!(failure.reason, FailReason::CertificateExpired { .. }),
        "{failure:?}"
    );
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("certificate expired"));
    w.cmd("AT+QSSLCFG=\"ignorelocaltime\",1,1", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
}

#[test]
fn validity_follows_at_cclk() {
    let pki = TestPki::new();
    let june_2020 = Validity::between(1_590_969_600, 1_593_561_600);
    let server = server(&pki, EchoServerOptions::default().validity(june_2020));
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"ignorelocaltime\",1,0", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    let failure = w.handle.last_open_failure().unwrap();
    assert!(failure.reason.is_date(), "{failure:?}");
    w.cmd("AT+CCLK=\"20/06/10,12:00:00+08\"", b"\r\nOK\r\n");
    w.send(b"AT+CCLK?\r");
    let clock = w.until(b"\r\n\r\nOK\r\n");
    assert!(
        clock.starts_with(b"\r\n+CCLK: \"20/06/10,12:00:"),
        "{clock:?}"
    );
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
}

#[test]
fn sni_off_fails_where_the_server_needs_it() {
    let pki = TestPki::new();
    let server = server(&pki, EchoServerOptions::default().require_sni());
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"sni\",1,0", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    assert_eq!(server.failed_handshakes(), 1);
    w.cmd("AT+QSSLCFG=\"sni\",1,1", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert_eq!(server.connections()[0].sni.as_deref(), Some("echo.test"));
}

#[test]
fn real_firmware_defaults_have_sni_off() {
    let pki = TestPki::new();
    let server = server(&pki, EchoServerOptions::default().require_sni());
    let cfg = config().defaults_profile(quectel_sim::DefaultsProfile::RealFirmware);
    let mut w = wire_with_ca(cfg, &pki);
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
fn host_name_must_match_the_certificate() {
    let pki = TestPki::new();
    let options = EchoServerOptions {
        names: vec!["echo.test".into()],
        ..EchoServerOptions::default()
    };
    let server = server(&pki, options);
    let mut w = wire_with_ca(config(), &pki);
    assert_eq!(open_result(&mut w, &server, "127.0.0.1"), 566);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
}

#[test]
fn client_certificate_is_presented_at_seclevel_2() {
    let pki = TestPki::new();
    let server = server(&pki, EchoServerOptions::default().require_client_cert());
    let mut w = wire_with_ca(config(), &pki);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    let client = pki.client_cert("device-1");
    w.upload("RAM:client.pem", client.cert_pem.as_bytes());
    w.upload("RAM:client.key", client.key_pem.as_bytes());
    w.cmd(
        "AT+QSSLCFG=\"clientcert\",1,\"RAM:client.pem\"",
        b"\r\nOK\r\n",
    );
    w.cmd(
        "AT+QSSLCFG=\"clientkey\",1,\"RAM:client.key\"",
        b"\r\nOK\r\n",
    );
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    w.cmd("AT+QSSLCFG=\"seclevel\",1,2", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert!(server.connections()[0].client_cert);
}

#[test]
fn versions_rustls_lacks_fail_with_566() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_with_ca(config(), &pki);
    for version in 0..=2 {
        w.cmd(
            &format!("AT+QSSLCFG=\"sslversion\",1,{version}"),
            b"\r\nOK\r\n",
        );
        assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
    }
    w.cmd("AT+QSSLCFG=\"sslversion\",1,3", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    w.cmd("AT+QSSLCFG=\"sslversion\",1,4", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert!(server.connections().iter().all(|c| c.protocol == "TLSv1_2"));
}

#[test]
fn tls13_only_when_allowed() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_with_ca(config().allow_tls13(true), &pki);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert_eq!(server.connections()[0].protocol, "TLSv1_3");
}

#[test]
fn cipher_suite_mapping() {
    let pki = TestPki::new();
    let ecdsa = server(&pki, EchoServerOptions::default());
    let rsa = server(&pki, EchoServerOptions::default().rsa());
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"ciphersuite\",1,0X0035", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &rsa, "echo.test"), 566);
    w.cmd("AT+QSSLCFG=\"ciphersuite\",1,0xC02F", b"\r\nOK\r\n");
    w.cmd(
        "AT+QSSLCFG=\"ciphersuite\",1",
        b"\r\n+QSSLCFG: \"ciphersuite\",1,0XC02F\r\n\r\nOK\r\n",
    );
    assert_eq!(open_result(&mut w, &ecdsa, "echo.test"), 566);
    assert_eq!(open_result(&mut w, &rsa, "echo.test"), 0);
    assert_eq!(
        rsa.connections()[0].cipher_suite,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(quectel_sim::supported_cipher_suites(), vec![0xC02F]);
}

#[test]
fn alpn_is_offered() {
    let pki = TestPki::new();
    let server = server(&pki, EchoServerOptions::default().alpn(&["h2", "http/1.1"]));
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"alpn\",1,\"http/1.1\"", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert_eq!(
        server.connections()[0].alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
}

#[test]
fn session_cache_resumes_the_next_handshake() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_with_ca(config(), &pki);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    w.cmd("AT+QSSLCFG=\"session_cache\",1,1", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 0);
    w.open(1, 0, "echo.test", server.port(), 0);
    wait_peer(&w, &server, 0);
    assert!(w.handle.socket(0).unwrap().handshake.unwrap().resumed);
    let resumed: Vec<bool> = server.connections().iter().map(|c| c.resumed).collect();
    assert_eq!(resumed, vec![false, false, false, true]);
}

#[test]
fn stalled_handshake_times_out_with_569() {
    let pki = TestPki::new();
    let server = server(&pki, EchoServerOptions::default().stall_handshake());
    let cfg = config().negotiate_time_unit(Duration::from_millis(10));
    let mut w = wire_with_ca(cfg, &pki);
    w.cmd("AT+QSSLCFG=\"negotiatetime\",1,10", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 569);
    w.expect_error_code(569, "operation timeout");
}

#[test]
fn missing_ca_file_fails_with_566() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.cmd("AT+QSSLCFG=\"seclevel\",1,1", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"cacert\",1,\"RAM:none.pem\"", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 566);
}

#[test]
fn dtls_and_psk_are_not_supported() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = wire_with_ca(config(), &pki);
    w.cmd("AT+QSSLCFG=\"dtls\",1,1", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 555);
    w.cmd("AT+QSSLCFG=\"dtls\",1,0", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"psk\",1,\"id\",\"secret\"", b"\r\nOK\r\n");
    assert_eq!(open_result(&mut w, &server, "echo.test"), 555);
    w.expect_error_code(555, "operation not supported");
}
