//! `examples/serial` against the simulator's PTY: the example's port
//! (a real serial device as far as it knows) and its HTTPS session, to the
//! TLS echo server, which sends the request back as the reply and closes.

#[path = "../examples/serial/https.rs"]
mod https;
#[path = "../examples/serial/port.rs"]
mod port;

use std::time::Duration;

use quectel_sim::front::serve_pty;
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::SimConfig;

#[test]
fn https_request_through_the_pty() {
    let pki = TestPki::new();
    let mut request = https::Request {
        apn: "internet",
        user: "",
        password: "",
        host: "echo.test",
        port: 0,
        path: "/index.html",
        ca_pem: pki.ca_pem().as_bytes(),
        // Only a safety net: the server closes after its echo, which ends
        // the reply.
        idle: Duration::from_secs(60),
    };
    let sent = request.http();
    let options = EchoServerOptions::default()
        .rsa()
        .name("echo.test")
        .close_after(sent.len());
    let server = EchoServer::start(&pki, options).unwrap();
    request.port = server.port();
    let config = SimConfig::fast().dns("echo.test", "127.0.0.1".parse().unwrap());
    let front = serve_pty(config).expect("a PTY");
    let serial = port::SerialPort::open(front.path(), 115_200).expect("open the PTY");
    let reply = https::https_get(serial, &request).expect("the session");
    assert_eq!(reply, sent, "the echo server's reply is the request");
    let connections = server.connections();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].sni.as_deref(), Some("echo.test"));
    assert_eq!(connections[0].received, sent.len());
    assert!(
        front.handle().file("RAM:https-ca.pem").is_none(),
        "CA deleted"
    );
}
