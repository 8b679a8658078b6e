//! The application note's chapter 3, literally: its settings (TLS 1.0,
//! TLS_RSA_WITH_AES_256_CBC_SHA), its commands, byte for byte from the
//! module's side, against a TLS echo server that speaks exactly that and
//! nothing else, reached through the note's own address (220.180.239.212,
//! routed to 127.0.0.1): the Ctrl+Z send, the second `AT+QSSLRECV`
//! answering `+QSSLRECV: 0`, and the server closing a transparent session
//! (`NO CARRIER`, §3.5.2).

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{config, Wire};
use quectel_sim::testing::{KeyKind, Protocol, TestPki, TlsServer, TlsServerOptions};

const NOTE_IP: &str = "220.180.239.212";
const DATA: &[u8] = b"Test data from SSL";

fn note_wire(server: SocketAddr, guard: Duration) -> Wire {
    let cfg = config()
        .at_port("usbmodem")
        .guard_time(guard)
        .route(format!("{NOTE_IP}:8010").parse().unwrap(), server)
        .route(format!("{NOTE_IP}:8011").parse().unwrap(), server);
    Wire::boot_quiet(cfg)
}

fn local_port_of(w: &Wire, client: u8) -> u16 {
    w.handle.socket(client).expect("socket exists").local_port
}

#[test]
fn chapter_3_exchanges_byte_exact() {
    let pki = TestPki::new();
    let options = TlsServerOptions::default()
        .name(NOTE_IP)
        .key(KeyKind::Rsa)
        .only(Protocol::Tls10)
        .suites(&[0x0035]);
    let server = TlsServer::start(&pki, options).unwrap();
    let guard = Duration::from_millis(200);
    let mut w = note_wire(server.addr(), guard);

    // 3.1 PDP context.
    w.cmd("AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", b"\r\nOK\r\n");
    w.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    w.cmd(
        "AT+QIACT?",
        b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n",
    );

    // 3.2 SSL context, with the CA uploaded first.
    w.upload("RAM:cacert.pem", pki.ca_pem().as_bytes());
    w.cmd("AT+QSSLCFG=\"sslversion\",1,1", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"ciphersuite\",1,0X0035", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"seclevel\",1,1", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"cacert\",1,\"RAM:cacert.pem\"", b"\r\nOK\r\n");

    // 3.3 buffer access mode.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8010,0",
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 4,0\r\n");
    let local = local_port_of(&w, 4);
    assert!(server.wait_for(Duration::from_secs(5), |c, _| c
        .iter()
        .any(|c| c.peer.port() == local)));
    let seen = server.connections()[0].clone();
    assert_eq!(seen.protocol, "TLSv1");
    assert_eq!(seen.cipher_suite, "TLS_RSA_WITH_AES_256_CBC_SHA");
    assert_eq!(seen.offered_suites, vec![0x0035]);
    w.cmd(
        "AT+QSSLSTATE",
        format!("\r\n+QSSLSTATE: 4,\"SSLClient\",\"220.180.239.212\",8010,{local},2,1,4,0,\"usbmodem\",1\r\n\r\nOK\r\n")
            .as_bytes(),
    );
    w.cmd("AT+QSSLSEND=4", b"\r\n> ");
    w.send(DATA);
    w.send(b"\x1a");
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",4\r\n");
    w.cmd(
        "AT+QSSLRECV=4,1500",
        b"\r\n+QSSLRECV: 18\r\nTest data from SSL\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLRECV=4,1500", b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
    w.cmd("AT+QSSLSEND=4,18", b"\r\n> ");
    w.send(DATA);
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",4\r\n");
    w.cmd(
        "AT+QSSLRECV=4,1500",
        b"\r\n+QSSLRECV: 18\r\nTest data from SSL\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLRECV=4,1500", b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
    w.cmd("AT+QSSLCLOSE=4", b"\r\nOK\r\n");

    // 3.4 direct push mode.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,1",
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 4,0\r\n");
    let local = local_port_of(&w, 4);
    w.cmd(
        "AT+QSSLSTATE",
        format!("\r\n+QSSLSTATE: 4,\"SSLClient\",\"220.180.239.212\",8011,{local},2,1,4,1,\"usbmodem\",1\r\n\r\nOK\r\n")
            .as_bytes(),
    );
    w.cmd("AT+QSSLSEND=4", b"\r\n> ");
    w.send(DATA);
    w.send(b"\x1a");
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",4,18\r\nTest data from SSL\r\n");
    w.cmd("AT+QSSLSEND=4,18", b"\r\n> ");
    w.send(DATA);
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",4,18\r\nTest data from SSL\r\n");
    w.cmd("AT+QSSLCLOSE=4", b"\r\nOK\r\n");

    // 3.5.1 transparent mode, sending; +++ leaves it.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,2",
        b"\r\nCONNECT\r\n",
    );
    w.send(DATA);
    w.expect(DATA);
    std::thread::sleep(guard * 2);
    w.send(b"+++");
    w.expect(b"\r\nOK\r\n");
    w.cmd("AT+QSSLCLOSE=4", b"\r\nOK\r\n");

    // 3.5.2 transparent mode, receiving; the server closes: NO CARRIER.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,2",
        b"\r\nCONNECT\r\n",
    );
    let local = local_port_of(&w, 4);
    assert!(
        server.wait_for(Duration::from_secs(5), |c, _| c.iter().any(|c| c
            .peer
            .port()
            == local
            && c.open))
    );
    server.send(DATA);
    w.expect(DATA);
    server.close_all();
    w.expect(b"\r\nNO CARRIER\r\n");
    w.cmd("AT+QSSLCLOSE=4", b"\r\nOK\r\n");

    // Every session was the note's TLS 1.0 with 0X0035.
    let sessions = server.connections();
    assert_eq!(sessions.len(), 4);
    assert!(sessions
        .iter()
        .all(|c| c.protocol == "TLSv1" && c.cipher_code == 0x0035));
    assert_eq!(
        sessions[0].received,
        [DATA, DATA].concat(),
        "the Ctrl+Z send carried the data without its terminator"
    );

    // 3.1.3 deactivate.
    w.cmd("AT+QIDEACT=1", b"\r\nOK\r\n");
    w.cmd("AT+QIACT?", b"\r\nOK\r\n");
}
