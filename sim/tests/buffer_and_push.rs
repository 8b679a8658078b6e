//! Buffer access mode and direct push mode with data both ways.

mod common;

use std::time::{Duration, Instant};

use common::{config, echo, wait_peer, Wire};
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::transcript::Direction;
use quectel_sim::SocketState;

fn ready(mode: u8) -> (Wire, EchoServer, TestPki) {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 0, "echo.test", server.port(), mode);
    wait_peer(&w, &server, 0);
    (w, server, pki)
}

fn wait_buffered(w: &Wire, client: u8, bytes: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while w.handle.socket(client).unwrap().recv_buffered < bytes {
        assert!(Instant::now() < deadline, "data never arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_byte_value_round_trips_in_a_fixed_length_send() {
    let (mut w, _server, _pki) = ready(0);
    let all: Vec<u8> = (0..=255u8).collect();
    w.cmd("AT+QSSLSEND=0,256", b"\r\n> ");
    w.send(&all);
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    wait_buffered(&w, 0, 256);
    let mut expected = b"\r\n+QSSLRECV: 256\r\n".to_vec();
    expected.extend_from_slice(&all);
    expected.extend_from_slice(b"\r\n\r\nOK\r\n");
    w.cmd("AT+QSSLRECV=0,1500", &expected);
    w.cmd("AT+QSSLRECV=0,1500", b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
}

#[test]
fn payload_that_looks_like_a_response_is_length_framed() {
    let (mut w, _server, _pki) = ready(0);
    let tricky = b"\r\nOK\r\n+QSSLURC: \"closed\",0\r\n";
    w.cmd(&format!("AT+QSSLSEND=0,{}", tricky.len()), b"\r\n> ");
    w.send(tricky);
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    wait_buffered(&w, 0, tricky.len());
    let mut expected = format!("\r\n+QSSLRECV: {}\r\n", tricky.len()).into_bytes();
    expected.extend_from_slice(tricky);
    expected.extend_from_slice(b"\r\n\r\nOK\r\n");
    w.cmd("AT+QSSLRECV=0,1500", &expected);
}

#[test]
fn recv_notice_only_when_data_lands_in_an_empty_buffer() {
    let (mut w, server, _pki) = ready(0);
    server.send(b"first");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    server.send(b"second");
    wait_buffered(&w, 0, 11);
    w.cmd("AT+QSSLRECV=0,3", b"\r\n+QSSLRECV: 3\r\nfir\r\n\r\nOK\r\n");
    w.cmd(
        "AT+QSSLRECV=0,1500",
        b"\r\n+QSSLRECV: 8\r\nstsecond\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLRECV=0,1500", b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
    server.send(b"third");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    let to_host = w.handle.transcript().bytes(Direction::ToHost);
    let notices = to_host
        .windows(16)
        .filter(|win| win == b"+QSSLURC: \"recv\"")
        .count();
    assert_eq!(notices, 2, "one notice per empty-buffer arrival");
}

#[test]
fn variable_length_send_stops_at_ctrl_z_and_is_not_echoed() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot(config());
    w.send(b"AT+QICSGP=1,1,\"apn\"\r");
    w.expect(b"AT+QICSGP=1,1,\"apn\"\r\r\nOK\r\n");
    w.send(b"AT+QIACT=1\r");
    w.expect(b"AT+QIACT=1\r\r\nOK\r\n");
    w.send(format!("AT+QSSLOPEN=1,2,3,\"echo.test\",{},0\r", server.port()).as_bytes());
    w.until(b"\r\n+QSSLOPEN: 3,0\r\n");
    w.send(b"AT+QSSLSEND=3\r");
    w.expect(b"AT+QSSLSEND=3\r\r\n> ");
    w.send(b"hello\x1a");
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",3\r\n");
    wait_buffered(&w, 3, 5);
    w.send(b"AT+QSSLRECV=3,100\r");
    w.expect(b"AT+QSSLRECV=3,100\r\r\n+QSSLRECV: 5\r\nhello\r\n\r\nOK\r\n");
}

#[test]
fn esc_cancels_a_send_with_error_571() {
    let (mut w, server, _pki) = ready(0);
    w.cmd("AT+QSSLSEND=0", b"\r\n> ");
    w.send(b"never sent\x1b");
    w.expect(b"\r\nERROR\r\n");
    w.expect_error_code(571, "cancel send");
    assert_eq!(server.connections()[0].received, 0);
}

#[test]
fn direct_push_splits_data_into_urcs_of_at_most_1500_bytes() {
    let (mut w, server, _pki) = ready(1);
    let data: Vec<u8> = (0..4000u32).map(|i| (i % 251) as u8).collect();
    server.send(&data);
    let mut got = Vec::new();
    while got.len() < data.len() {
        let header = w.until(b"\r\n");
        assert!(
            header.is_empty() || header == b"\r\n",
            "stray bytes {header:?}"
        );
        let line = w.until(b"\r\n");
        let text = String::from_utf8(line[..line.len() - 2].to_vec()).unwrap();
        let len: usize = text
            .strip_prefix("+QSSLURC: \"recv\",0,")
            .unwrap_or_else(|| panic!("not a push: {text}"))
            .parse()
            .unwrap();
        assert!((1..=1500).contains(&len));
        got.extend(w.take(len));
        w.expect(b"\r\n");
    }
    assert_eq!(got, data);
    w.cmd("AT+QSSLRECV=0,10", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
}

#[test]
fn switching_between_buffer_and_push_mode() {
    let (mut w, server, _pki) = ready(0);
    w.cmd("AT+QISWTMD=0,1", b"\r\nOK\r\n");
    server.send(b"pushed");
    w.expect(b"\r\n+QSSLURC: \"recv\",0,6\r\npushed\r\n");
    w.cmd("AT+QISWTMD=0,0", b"\r\nOK\r\n");
    server.send(b"buffered");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    wait_buffered(&w, 0, 8);
    w.cmd(
        "AT+QSSLRECV=0,1500",
        b"\r\n+QSSLRECV: 8\r\nbuffered\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QISWTMD=5,1", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
}

#[test]
fn small_receive_buffer_holds_the_peer_back_without_losing_data() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config().recv_buffer(2048));
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 0, "echo.test", server.port(), 0);
    wait_peer(&w, &server, 0);
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 256) as u8).collect();
    server.send(&data);
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.len() < data.len() {
        assert!(Instant::now() < deadline, "stuck at {} bytes", got.len());
        assert!(w.handle.socket(0).unwrap().recv_buffered <= 2048);
        w.send(b"AT+QSSLRECV=0,1500\r");
        w.expect_after_notices(b"\r\n+QSSLRECV: ");
        let line = w.until(b"\r\n");
        let n: usize = String::from_utf8_lossy(&line[..line.len() - 2])
            .parse()
            .unwrap();
        if n == 0 {
            w.expect(b"\r\nOK\r\n");
            continue;
        }
        got.extend(w.take(n));
        w.expect(b"\r\n\r\nOK\r\n");
    }
    assert_eq!(got, data);
}

#[test]
fn full_send_buffer_answers_send_fail_until_the_peer_reads() {
    let (mut w, server, _pki) = ready(0);
    server.pause();
    let block = vec![b'x'; 1460];
    let mut failed = false;
    for _ in 0..400 {
        w.send(b"AT+QSSLSEND=0,1460\r");
        w.expect_after_notices(b"\r\n> ");
        w.send(&block);
        w.expect_after_notices(b"\r\n");
        let reply = w.take(9);
        if reply == b"SEND OK\r\n" {
            continue;
        }
        assert_eq!(reply, b"SEND FAIL");
        w.expect(b"\r\n");
        failed = true;
        break;
    }
    assert!(failed, "the send buffer never filled");
    let info = w.handle.socket(0).unwrap();
    assert!(info.send_buffered + 1460 > w.handle.config_send_buffer());
    server.resume();
    let deadline = Instant::now() + Duration::from_secs(20);
    while w.handle.socket(0).unwrap().send_buffered > 0 {
        assert!(Instant::now() < deadline, "send buffer never drained");
        std::thread::sleep(Duration::from_millis(5));
    }
    w.send(b"AT+QSSLSEND=0,3\r");
    w.expect_after_notices(b"\r\n> ");
    w.send(b"abc");
    w.expect_after_notices(b"\r\nSEND OK\r\n");
}

#[test]
fn peer_close_keeps_buffered_data_readable() {
    let (pki, server) = echo(EchoServerOptions::default().close_after(5));
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 0, "echo.test", server.port(), 0);
    w.cmd("AT+QSSLSEND=0,10", b"\r\n> ");
    w.send(b"0123456789");
    w.expect(b"\r\nSEND OK\r\n");
    w.expect(b"\r\n+QSSLURC: \"recv\",0\r\n");
    w.expect(b"\r\n+QSSLURC: \"closed\",0\r\n");
    assert_eq!(w.handle.socket(0).unwrap().state, SocketState::Closing);
    w.cmd(
        "AT+QSSLRECV=0,1500",
        b"\r\n+QSSLRECV: 5\r\n01234\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLRECV=0,1500", b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
    w.send(b"AT+QSSLSTATE=0\r");
    let line = w.until(b"\r\n\r\nOK\r\n");
    assert!(
        String::from_utf8_lossy(&line).contains(",4,1,0,0,\"uart1\",1"),
        "{line:?}"
    );
    w.cmd("AT+QSSLSEND=0,1", b"\r\nERROR\r\n");
    w.expect_error_code(567, "socket has been closed");
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    w.cmd("AT+QSSLSTATE", b"\r\nOK\r\n");
}
