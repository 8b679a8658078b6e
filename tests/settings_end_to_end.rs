//! The driver's typed settings beyond the defaults, each with its effect
//! seen by a real OpenSSL server: PSK (the server sees the identity; a
//! wrong key fails), DTLS sockets with datagram semantics in buffer and
//! direct-push access (boundaries kept both ways), renegotiation on and
//! off, and a close that lingers in milliseconds when `closetimemode` says
//! so (the engine's wait follows the unit).

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::testing::{DtlsServer, TestPki, TlsServer, TlsServerOptions};
use quectel_sim::{SimHandle, Simulator};
use quectel_ssl::command::ssl_config::{CloseTimeMode, DtlsVersion, Psk, SecLevel};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::{Error, FileName, Modem, PskIdentity, PskKey, SslErrorCode};

fn driver(pki: &TestPki) -> (SimHandle, SimModem) {
    let (sim, port) = Simulator::start(sim_config());
    let mut m = Modem::with_config(port, StdTimer::new(), engine_config());
    set_up(&mut m, pki.ca_pem().as_bytes());
    (sim, m)
}

fn ca() -> FileName<'static> {
    FileName::new(CA_FILE).unwrap()
}

#[test]
fn psk_reaches_a_psk_server_with_the_configured_identity() {
    let pki = TestPki::new();
    let key = [0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81];
    let server = TlsServer::start(&pki, TlsServerOptions::default().psk("device-7", &key)).unwrap();
    let (_sim, mut m) = driver(&pki);
    // The key as the module takes it: hexadecimal text.
    let psk = SslConfig {
        security: SecLevel::NoAuthentication,
        psk: Some(Psk {
            identity: PskIdentity::new("device-7").unwrap(),
            key: PskKey::new("1a2b3c4d5e6f7081").unwrap(),
        }),
        ..SslConfig::default()
    };
    m.configure_ssl(ssl(0), &psk).unwrap();
    let sock = m
        .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
        .unwrap();
    m.socket(&sock).write_all(b"psk").unwrap();
    let mut back = [0u8; 3];
    m.socket(&sock).read_exact(&mut back).unwrap();
    m.close(&sock).unwrap();
    let seen = &server.connections()[0];
    assert_eq!(seen.psk_identity.as_deref(), Some("device-7"));
    assert_eq!(seen.received, b"psk");

    let wrong = SslConfig {
        psk: Some(Psk {
            identity: PskIdentity::new("device-7").unwrap(),
            key: PskKey::new("00000000000000ff").unwrap(),
        }),
        ..psk
    };
    m.configure_ssl(ssl(0), &wrong).unwrap();
    let err = m
        .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
        .unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::SocketConnectFailed));
}

fn dtls_datagrams(mode: AccessMode) {
    let pki = TestPki::new();
    let server = DtlsServer::start(&pki, TlsServerOptions::default()).unwrap();
    let (_sim, mut m) = driver(&pki);
    let dtls = SslConfig {
        dtls: Some(DtlsVersion::Dtls12),
        ..SslConfig::with_ca(ca())
    };
    assert!(!dtls.is_weakened());
    m.configure_ssl(ssl(0), &dtls).unwrap();
    let sock = m
        .open(open_cmd(0, server.port(), mode), buffer(8192))
        .unwrap();
    let sizes = [1usize, 700, 1460, 33];
    for (i, &len) in sizes.iter().enumerate() {
        m.send_datagram(&sock, &pattern(len, i as u8)).unwrap();
    }
    // The echo server sends each datagram back as it came: read one at a
    // time, boundaries kept.
    for (i, &len) in sizes.iter().enumerate() {
        let mut buf = [0u8; 1500];
        let n = m.recv_datagram(&sock, &mut buf).unwrap();
        assert_eq!(&buf[..n], &pattern(len, i as u8)[..], "datagram {i}");
    }
    // The server saw the same datagrams, boundaries kept.
    let seen = &server.connections()[0];
    let lens: Vec<usize> = seen.datagrams.iter().map(Vec::len).collect();
    assert_eq!(lens, sizes);
    assert_eq!(seen.protocol, "DTLSv1.2");
    // A datagram longer than 1460 bytes is refused before anything is
    // written; one longer than the buffer is cut, as UDP does.
    assert!(matches!(
        m.send_datagram(&sock, &[0u8; 1461]),
        Err(Error::InvalidParameter { .. })
    ));
    m.send_datagram(&sock, &pattern(100, 9)).unwrap();
    let mut small = [0u8; 10];
    assert_eq!(m.recv_datagram(&sock, &mut small).unwrap(), 10);
    assert_eq!(&small, &pattern(100, 9)[..10]);
    m.close(&sock).unwrap();
}

#[test]
fn dtls_sockets_keep_datagram_boundaries_in_buffer_access() {
    dtls_datagrams(AccessMode::Buffer);
}

#[test]
fn dtls_sockets_keep_datagram_boundaries_in_direct_push() {
    dtls_datagrams(AccessMode::DirectPush);
}

fn renegotiation(on: bool) {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default()).unwrap();
    let (_sim, mut m) = driver(&pki);
    let config = SslConfig {
        renegotiation: Some(on),
        ..SslConfig::with_ca(ca())
    };
    assert_eq!(config.is_weakened(), on);
    m.configure_ssl(ssl(0), &config).unwrap();
    let sock = m
        .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
        .unwrap();
    m.socket(&sock).write_all(b"before").unwrap();
    let mut back = [0u8; 6];
    m.socket(&sock).read_exact(&mut back).unwrap();
    server.renegotiate();
    assert!(server.wait_for(std::time::Duration::from_secs(10), |c, _| {
        c[0].renegotiations == 1 || c[0].renegotiation_refused
    }));
    let seen = &server.connections()[0];
    assert_eq!(seen.renegotiation_refused, !on);
    if on {
        // Data flows on across it.
        m.socket(&sock).write_all(b"after").unwrap();
        let mut back = [0u8; 5];
        m.socket(&sock).read_exact(&mut back).unwrap();
        assert_eq!(&back, b"after");
    }
    let _ = m.close(&sock);
}

#[test]
fn renegotiation_on_is_accepted_and_data_flows_across_it() {
    renegotiation(true);
}

#[test]
fn renegotiation_off_refuses_it() {
    renegotiation(false);
}

#[test]
fn the_close_timeout_follows_closetimemode() {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default()).unwrap();
    let (sim, mut m) = driver(&pki);
    for mode in [CloseTimeMode::Milliseconds, CloseTimeMode::Seconds] {
        let config = SslConfig {
            close_time_mode: Some(mode),
            ..SslConfig::with_ca(ca())
        };
        m.configure_ssl(ssl(0), &config).unwrap();
        let sock = m
            .open(open_cmd(0, server.port(), AccessMode::Buffer), buffer(256))
            .unwrap();
        m.socket(&sock).write_all(b"linger").unwrap();
        m.run(&mut quectel_ssl::modem::ops::Close::new(sock, Some(800)))
            .unwrap();
        let written = sim
            .transcript()
            .bytes(quectel_sim::transcript::Direction::ToModule);
        assert!(String::from_utf8_lossy(&written).contains("AT+QSSLCLOSE=0,800\r"));
    }
    // The server got what was sent before each close.
    assert!(server.wait_for(std::time::Duration::from_secs(10), |c, _| {
        c.len() == 2 && c.iter().all(|c| c.received == b"linger")
    }));
}
