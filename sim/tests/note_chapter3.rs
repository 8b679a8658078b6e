//! The application note's chapter 3 exchanges, byte for byte from the
//! module's side, against a local TLS echo server reached through the
//! note's own address (220.180.239.212, routed to 127.0.0.1).
//!
//! One deviation the simulator cannot avoid: the note's context uses TLS 1.0
//! with TLS_RSA_WITH_AES_256_CBC_SHA, which rustls does not implement. That
//! open is shown failing with `+QSSLOPEN: 4,566` (what a module reports when
//! the handshake fails), then the context is set to `sslversion` 4 and
//! `ciphersuite` 0XFFFF and every following exchange is the note's.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{config, echo, Wire};
use quectel_sim::testing::EchoServerOptions;

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
    let (pki, server) = echo(EchoServerOptions::default().name(NOTE_IP));
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

    // The note's TLS 1.0 + 0X0035 cannot be negotiated: 566.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8010,0",
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 4,566\r\n");
    w.expect_error_code(566, "socket connection failed");
    w.cmd("AT+QSSLCFG=\"sslversion\",1,4", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCFG=\"ciphersuite\",1,0XFFFF", b"\r\nOK\r\n");

    // 3.3 buffer access mode.
    w.cmd(
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8010,0",
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 4,0\r\n");
    let local = local_port_of(&w, 4);
    assert!(server.wait_for(Duration::from_secs(5), |c| c
        .iter()
        .any(|c| c.peer.port() == local)));
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
    assert!(server.wait_for(Duration::from_secs(5), |c| c
        .iter()
        .any(|c| c.peer.port() == local && c.open)));
    server.send(DATA);
    w.expect(DATA);
    server.close_all();
    w.expect(b"\r\nNO CARRIER\r\n");
    w.cmd("AT+QSSLCLOSE=4", b"\r\nOK\r\n");

    // 3.1.3 deactivate.
    w.cmd("AT+QIDEACT=1", b"\r\nOK\r\n");
    w.cmd("AT+QIACT?", b"\r\nOK\r\n");
}
