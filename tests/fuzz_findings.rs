//! Defects the `engine` fuzz target (`fuzz/src/checks/engine.rs`) found,
//! each as the scripted exchange it reduced to: the exact bytes, and the
//! outcome the engine owes.

mod common;

use common::script::*;
use embedded_io::Read;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::state::PortMode;
use quectel_ssl::*;

#[test]
fn an_escape_with_a_full_receive_buffer_completes_and_reports_the_bytes_dropped() {
    // Transparent mode, the user does not read: 100 bytes arrive for a
    // 64-byte buffer (back-pressure holds the rest in the line buffer).
    // The escape's `OK` comes after them. The engine must see it: the port
    // is in command mode now, whatever the engine believed before.
    let mut rx = [0u8; 64];
    let sent: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).collect();
    let mut m = modem([
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        reply(&sent),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ]);
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    m.transparent(&sock).unwrap().escape().unwrap();
    assert_eq!(m.state().port(), PortMode::Command);
    // What fitted comes first, then the loss, with its size.
    let mut buf = [0u8; 128];
    let n = m.socket(&sock).read(&mut buf).unwrap();
    assert_eq!(&buf[..n], &sent[..n]);
    assert_eq!(
        m.read(&sock, &mut buf),
        Err(Error::PushOverflow((sent.len() - n) as u32))
    );
    assert_done(m);
}
