//! `session_cache`: with 1 a second handshake to the same server resumes
//! the first one's session, as the server sees it; the SSL context's cache
//! is released when its last connection closes (the note: "If all the SSL
//! connections based on the same SSL context are closed, the module will
//! release the SSL context").

mod common;

use common::{config, wire_trusting, Wire};
use quectel_sim::testing::{Protocol, TestPki, TlsServer, TlsServerOptions};

fn setup(cache: u8) -> (Wire, TlsServer) {
    let pki = TestPki::new();
    let server = TlsServer::start(&pki, TlsServerOptions::default().only(Protocol::Tls12)).unwrap();
    let mut w = wire_trusting(config(), 1, &pki);
    w.set(1, "session_cache", &cache.to_string());
    (w, server)
}

/// Opens `client` and returns whether the server saw it resumed.
fn open(w: &mut Wire, server: &TlsServer, client: u8) -> bool {
    let before = server.connections().len();
    assert_eq!(w.open_code(1, client, "echo.test", server.port()), 0);
    assert!(server.wait_for(common::WAIT, |c, _| c.len() > before));
    let resumed = server.connections()[before].resumed;
    assert_eq!(w.handshake(client).resumed, resumed);
    resumed
}

#[test]
fn a_cached_session_is_resumed_while_the_context_is_in_use() {
    let (mut w, server) = setup(1);
    assert!(
        !open(&mut w, &server, 0),
        "the first handshake is a full one"
    );
    assert!(open(&mut w, &server, 1), "the second resumes");
    w.cmd("AT+QSSLCLOSE=1", b"\r\nOK\r\n");
    // Socket 0 still holds the context: its cache lives on.
    assert!(open(&mut w, &server, 2));
    w.cmd("AT+QSSLCLOSE=2", b"\r\nOK\r\n");
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    assert!(w
        .handle
        .transcript()
        .to_string()
        .contains("SSL context 1 released"));
    // The last connection closed: the context and its cache are gone.
    assert!(!open(&mut w, &server, 3), "a full handshake again");
}

#[test]
fn without_the_cache_every_handshake_is_full() {
    let (mut w, server) = setup(0);
    assert!(!open(&mut w, &server, 0));
    assert!(!open(&mut w, &server, 1));
}
