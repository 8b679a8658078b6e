//! The note's chapter 3 literally, driven through the engine: its settings
//! (TLS 1.0, `0X0035`), its sequence of commands, the Ctrl+Z
//! variable-length send, the second `AT+QSSLRECV` answering 0, direct
//! push, and the server closing a transparent session with `NO CARRIER`
//! (§3.5.2), against an OpenSSL server that speaks exactly TLS 1.0 with
//! `TLS_RSA_WITH_AES_256_CBC_SHA` and nothing else.

mod common;

use common::sim::*;
use embedded_io::Read;
use quectel_sim::testing::{KeyKind, Protocol, TestPki, TlsServer, TlsServerOptions};
use quectel_sim::transcript::Direction;
use quectel_sim::Simulator;
use quectel_ssl::command::ssl_config::{CipherSuite, SslVersion};
use quectel_ssl::command::ssl_socket::{AccessMode, ReadSslData};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::{FileName, Modem, ReadLength};

#[test]
fn chapter_3_with_the_notes_settings_through_the_engine() {
    let pki = TestPki::new();
    let server = TlsServer::start(
        &pki,
        TlsServerOptions::default()
            .only(Protocol::Tls10)
            .suites(&[0x0035])
            .key(KeyKind::Rsa),
    )
    .unwrap();
    let (sim, port) = Simulator::start(sim_config());
    let mut m: SimModem = Modem::with_config(port, StdTimer::new(), engine_config());
    set_up(&mut m, pki.ca_pem().as_bytes());
    // 3.2: the note's context.
    let note = SslConfig {
        version: SslVersion::Tls10,
        cipher: CipherSuite::RsaAes256CbcSha,
        ..SslConfig::with_ca(FileName::new(CA_FILE).unwrap())
    };
    assert!(note.is_weakened(), "TLS 1.0 is the note's, not a default");
    m.configure_ssl(ssl(0), &note).unwrap();

    // 3.3: buffer access, the Ctrl+Z send, reads until +QSSLRECV: 0.
    let sock = m
        .open(open_cmd(4, server.port(), AccessMode::Buffer), buffer(1500))
        .unwrap();
    let text = b"Test data from SSL";
    assert_eq!(m.send_text(&sock, text).unwrap(), text.len());
    let mut back = [0u8; 18];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(&back, text);
    let empty = m
        .command(ReadSslData::new(client(4), ReadLength::new(1500).unwrap()))
        .unwrap();
    assert!(empty.data.is_empty());
    let seen = &server.connections()[0];
    assert_eq!(
        (seen.protocol.as_str(), seen.cipher_code),
        ("TLSv1", 0x0035)
    );
    m.close(&sock).unwrap();
    let wire = String::from_utf8_lossy(&sim.transcript().bytes(Direction::ToModule)).into_owned();
    assert!(
        wire.contains("AT+QSSLSEND=4\rTest data from SSL\x1a"),
        "{wire}"
    );
    let heard = String::from_utf8_lossy(&sim.transcript().bytes(Direction::ToHost)).into_owned();
    assert!(heard.contains("+QSSLRECV: 0\r\n"), "{heard}");

    // 3.4: direct push.
    let sock = m
        .open(
            open_cmd(4, server.port(), AccessMode::DirectPush),
            buffer(1500),
        )
        .unwrap();
    m.send_text(&sock, text).unwrap();
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(&back, text);
    m.close(&sock).unwrap();

    // 3.5: transparent; the server closes: NO CARRIER, the stream ends.
    let sock = m
        .open(
            open_cmd(4, server.port(), AccessMode::Transparent),
            buffer(1500),
        )
        .unwrap();
    server.close_all();
    let mut rest = [0u8; 16];
    assert_eq!(m.transparent(&sock).unwrap().read(&mut rest).unwrap(), 0);
    let heard = String::from_utf8_lossy(&sim.transcript().bytes(Direction::ToHost)).into_owned();
    assert!(heard.contains("\r\nNO CARRIER\r\n"), "{heard}");
    m.close(&sock).unwrap();
}
