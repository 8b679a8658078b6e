//! The ways in: the in-process port (blocking, async, std::io), pacing, the
//! transcript, shutdown, and the PTY and TCP fronts.

mod common;

use std::future::Future;
use std::io::{Read, Write};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use common::{config, Wire, BOOT, WAIT};
use quectel_sim::front::{serve_pty, serve_tcp};
use quectel_sim::{SimConfig, SimPortError, Simulator};

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A minimal executor: polls, parks until woken, gives up after `WAIT`.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let deadline = Instant::now() + WAIT;
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        assert!(Instant::now() < deadline, "future never completed");
        std::thread::park_timeout(WAIT);
    }
}

fn read_exactly(read: &mut impl Read, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    read.read_exact(&mut buf).expect("bytes arrive");
    buf
}

#[test]
fn async_reads_are_woken_by_output() {
    use embedded_io_async::{Read as AsyncRead, Write as AsyncWrite};
    let (_handle, mut port) = Simulator::start(config());
    let mut got = Vec::new();
    while got.len() < BOOT.len() {
        let mut buf = [0u8; 64];
        let n = block_on(AsyncRead::read(&mut port, &mut buf)).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, BOOT);
    block_on(AsyncWrite::write_all(&mut port, b"AT\r")).unwrap();
    let mut reply = [0u8; 9];
    block_on(AsyncRead::read_exact(&mut port, &mut reply)).unwrap();
    assert_eq!(&reply, b"AT\r\r\nOK\r\n");
}

#[test]
fn embedded_io_blocking_traits() {
    use embedded_io::{Read as EmbeddedRead, ReadReady, Write as EmbeddedWrite, WriteReady};
    let (_handle, mut port) = Simulator::start(config());
    let mut boot = vec![0u8; BOOT.len()];
    EmbeddedRead::read_exact(&mut port, &mut boot).unwrap();
    assert_eq!(boot, BOOT);
    assert!(!port.read_ready().unwrap());
    assert!(port.write_ready().unwrap());
    EmbeddedWrite::write_all(&mut port, b"AT\r").unwrap();
    let mut reply = [0u8; 9];
    EmbeddedRead::read_exact(&mut port, &mut reply).unwrap();
    assert_eq!(&reply, b"AT\r\r\nOK\r\n");
}

#[test]
fn paced_line_carries_every_byte() {
    let mut w = Wire::boot_quiet(config().baud(Some(115_200)));
    let mut expected = Vec::new();
    for _ in 0..20 {
        w.send(b"AT\r");
        expected.extend_from_slice(b"\r\nOK\r\n");
    }
    w.expect(&expected);
}

#[test]
fn transcript_shows_both_directions_readably() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QFUPL=\"RAM:b\",3", b"\r\nCONNECT\r\n");
    w.send(&[0x1a, b'\r', 0xff]);
    w.until(b"\r\nOK\r\n");
    let text = w.handle.transcript().to_string();
    assert!(text.contains("host -> ATE0\\r"), "{text}");
    assert!(text.contains("host <- \\r\\nOK\\r\\n"), "{text}");
    assert!(text.contains("host -> <0x1A>\\r<0xFF>"), "{text}");
    assert!(text.contains("------ boot complete"), "{text}");
}

#[test]
fn shutdown_stops_the_simulator_even_with_a_port_held() {
    let (handle, mut port) = Simulator::start(SimConfig::fast());
    let reader = {
        let mut port = port.clone();
        std::thread::spawn(move || {
            let mut sink = [0u8; 256];
            loop {
                if let Err(e) = embedded_io::Read::read(&mut port, &mut sink) {
                    return e;
                }
            }
        })
    };
    handle.shutdown();
    assert_eq!(reader.join().unwrap(), SimPortError::Closed);
    assert!(port.write_all(b"AT\r").is_err());
}

#[test]
fn tcp_front_serves_one_client_and_boots_on_connect() {
    let front = serve_tcp(config(), "127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(front.local_addr()).unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    assert_eq!(read_exactly(&mut client, BOOT.len()), BOOT);
    client.write_all(b"AT\r").unwrap();
    assert_eq!(read_exactly(&mut client, 9), b"AT\r\r\nOK\r\n");
    drop(client);
    let mut again = std::net::TcpStream::connect(front.local_addr()).unwrap();
    again.set_read_timeout(Some(WAIT)).unwrap();
    again.write_all(b"ATE0\r").unwrap();
    assert_eq!(read_exactly(&mut again, 11), b"ATE0\r\r\nOK\r\n");
}

/// Reads from a PTY until `needle` has been seen (bounded by `WAIT`).
fn pty_until(device: &std::fs::File, needle: &[u8]) -> Vec<u8> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    while !got.windows(needle.len()).any(|w| w == needle) {
        assert!(Instant::now() < deadline, "PTY gave only {got:?}");
        let mut fds = [PollFd::new(device, PollFlags::IN)];
        let slice = Timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        };
        if matches!(poll(&mut fds, Some(&slice)), Ok(n) if n > 0) {
            let mut buf = [0u8; 256];
            let n = rustix::io::read(device, &mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
    }
    got
}

#[test]
fn pty_front_serves_the_device_path() {
    let front = serve_pty(config()).unwrap();
    assert!(front.path().starts_with("/dev/pts"));
    let mut device = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(front.path())
        .unwrap();
    assert!(pty_until(&device, b"+QIND: SMS DONE\r\n").ends_with(b"\r\n+QIND: SMS DONE\r\n"));
    device.write_all(b"ATI\r").unwrap();
    assert_eq!(
        pty_until(&device, b"\r\nOK\r\n"),
        b"ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"
    );
}
