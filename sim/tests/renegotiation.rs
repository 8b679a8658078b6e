//! `renegotiation`: a renegotiation the server asks for (TLS 1.2
//! HelloRequest) is carried out when the setting is 1, with data flowing
//! before, across and after it, and refused (`no_renegotiation`) when 0.

mod common;

use common::{config, wire_trusting, Wire};
use quectel_sim::testing::{Protocol, TestPki, TlsServer, TlsServerOptions};
use quectel_sim::CloseCause;

fn setup(renegotiation: u8) -> (Wire, TlsServer) {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().only(Protocol::Tls12)).unwrap();
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "renegotiation", &renegotiation.to_string());
    assert_eq!(w.open_code(1, 0, "echo.test", server.port()), 0);
    assert!(server.wait_for(common::WAIT, |c, _| !c.is_empty()));
    (w, server)
}

#[test]
fn a_server_renegotiation_is_accepted_and_data_flows_across_it() {
    let (mut w, server) = setup(1);
    w.send_data(0, b"before");
    assert_eq!(w.read_data(0, 6), b"before");
    server.renegotiate();
    // Server data right behind its HelloRequest, module data meanwhile.
    server.send(b"during");
    w.send_data(0, b"across");
    let got = w.read_data(0, 12);
    assert!(
        got == b"duringacross" || got == b"acrossduring",
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        server.wait_for(common::WAIT, |c, _| c[0].renegotiations == 1),
        "{:?}",
        server.connections()
    );
    let seen = &server.connections()[0];
    assert_eq!(seen.hellos, 2, "the client answered with a new ClientHello");
    assert!(!seen.renegotiation_refused);
    w.send_data(0, b"after");
    assert_eq!(w.read_data(0, 5), b"after");
    assert!(server.wait_for(common::WAIT, |c, _| c[0].received == b"beforeacrossafter"));
    assert!(w.handle.socket(0).unwrap().close_cause.is_none());
}

#[test]
fn renegotiation_off_refuses_it() {
    let (mut w, server) = setup(0);
    w.send_data(0, b"before");
    assert_eq!(w.read_data(0, 6), b"before");
    server.renegotiate();
    assert!(
        server.wait_for(common::WAIT, |c, _| c[0].renegotiation_refused),
        "{:?}",
        server.connections()
    );
    let seen = &server.connections()[0];
    assert_eq!(seen.renegotiations, 0);
    assert_eq!(seen.hellos, 1, "no second ClientHello");
    // The server ends the connection it could not renegotiate.
    w.until(b"+QSSLURC: \"closed\",0\r\n");
    assert_eq!(
        w.handle.socket(0).unwrap().close_cause,
        Some(CloseCause::ReadFailed)
    );
}
