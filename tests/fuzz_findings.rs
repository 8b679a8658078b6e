//! Defects the `engine` fuzz target (`fuzz/src/checks/engine.rs`) found on
//! the receive path (pushes, reads, losses, a resync due), each as the
//! scripted exchange it reduced to: the exact bytes, and the outcome the
//! engine owes. Transparent mode's are in
//! `tests/fuzz_findings_transparent.rs`.

mod common;

use common::clock::SharedClock;
use common::script::*;
use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::modem::ops;
use quectel_ssl::*;

#[test]
fn an_open_while_a_resync_is_due_waits_for_it() {
    // A read's payload one byte shorter than announced: the read fails and
    // a resync is due before the next command. A socket whose open is
    // asked now is not in the module's list yet, and must not be taken for
    // one the module lost: the open waits for the resync, then goes ahead.
    let (mut rx1, mut rx2) = ([0u8; 256], [0u8; 256]);
    let mut steps = opened(1);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",1\r\n"),
        cmd("AT+QSSLRECV=1,256"),
        reply(b"\r\n+QSSLRECV: 4\r\nhello\r\n\r\nOK\r\n"),
    ]);
    // The resync, its `ATE1` unanswered for a while (the engine waits up
    // to a second before it probes anyway): the window in which the open
    // is asked.
    steps.extend([
        data(b"\rATE1\r"),
        Step::Probe,
        cmd("ATE0"),
        reply(b"ATE0\r\r\nOK\r\n"),
        cmd("AT+QSSLSTATE"),
        reply(format!("\r\n{}\r\n\r\nOK\r\n", state_line(1, 0)).as_bytes()),
        cmd("AT+QIACT?"),
        reply(b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n"),
    ]);
    steps.extend(opened(2));
    let mut m = modem(steps);
    let s1 = m.open(open_cmd(1, AccessMode::Buffer), &mut rx1).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
    let s2 = m.open(open_cmd(2, AccessMode::Buffer), &mut rx2).unwrap();
    let socket = m.state().socket(s2.client());
    assert_eq!(socket.state, SocketState::Connected);
    assert_eq!(socket.cause, None);
    assert_done(m);
}

#[test]
fn a_push_whose_socket_id_is_corrupted_fails_every_direct_push_socket() {
    // `+QSSLURC: "recv",84,6`: a push, for a socket the line no longer
    // names. Its 6 bytes are lost to one of the direct-push sockets, and
    // nothing says which: each of them reports the loss rather than one
    // of them going on with a gap in its stream.
    let (mut rx1, mut rx2) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend(opened_in(2, AccessMode::DirectPush));
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",84,6\r\nabcdef\r\n"));
    steps.extend(resync(
        &[state_line(1, 1), state_line(2, 1)],
        &["+QIACT: 1,1,1,\"10.0.0.2\""],
    ));
    let mut m = modem(steps);
    let s1 = open_pushed(&mut m, 1, &mut rx1);
    let s2 = open_pushed(&mut m, 2, &mut rx2);
    for sock in [s1, s2] {
        let mut buf = [0u8; 16];
        let mut read = ops::Receive::new(sock, &mut buf);
        let outcome = (0..100)
            .map(|_| m.poll_op(&mut read))
            .find(|r| !matches!(r, Err(nb::Error::WouldBlock)));
        assert_eq!(
            outcome,
            Some(Err(nb::Error::Other(Error::Desynchronized))),
            "socket {}",
            sock.client().get()
        );
    }
    // Both failed once the probe's echo ended the quarantine; the resync
    // goes on to learn the module's state.
    let mut idle = ops::Idle::default();
    for _ in 0..100 {
        if m.poll_op(&mut idle).is_ok() {
            break;
        }
    }
    assert_done(m);
}

#[test]
fn a_push_overflow_is_reported_where_the_bytes_were_lost() {
    // Two pushes of 1000 bytes for a 1500-byte buffer: 500 bytes of the
    // second are lost. The user reads what was kept; then a third push
    // arrives. The loss must be reported before any byte from after the
    // gap; what arrives before it is reported is part of it (see the next
    // test), so the third push is counted in it, and a fourth comes after.
    let mut rx = [0u8; 1500];
    let a = vec![b'a'; 1000];
    let b = vec![b'b'; 1000];
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend([
        reply(&push_frame(1, &a)),
        reply(&push_frame(1, &b)),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = open_pushed(&mut m, 1, &mut rx);
    // Both pushes are taken in before the user reads.
    m.poll().unwrap();
    let mut got = Vec::new();
    while got.len() < 1500 {
        let mut buf = [0u8; 2000];
        let n = m.read(&sock, &mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got == [&a[..], &b[..500]].concat(), "{} bytes", got.len());
    // The third push, checked by the URC after it, all taken in.
    m.port_mut().push([
        reply(&push_frame(1, b"0123456789")),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    m.poll().unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::PushOverflow(510)));
    m.port_mut().push([
        reply(&push_frame(1, b"end")),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    assert_eq!(m.read(&sock, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"end");
    assert_done(m);
}

#[test]
fn bytes_arriving_while_a_loss_is_unreported_are_part_of_it() {
    // 500 bytes lost; the user reads a little (room for 100), and two more
    // pushes arrive, 50 and 200 bytes: the first would fit, the second
    // only in part. Stored after the gap, the 50 would come after a loss
    // that counts bytes from beyond them. Until the loss is reported,
    // everything that arrives is part of it: then the stream is exact.
    let mut rx = [0u8; 1500];
    let a = vec![b'a'; 1000];
    let b = vec![b'b'; 1000];
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend([
        reply(&push_frame(1, &a)),
        reply(&push_frame(1, &b)),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = open_pushed(&mut m, 1, &mut rx);
    m.poll().unwrap();
    let mut buf = [0u8; 1500];
    assert_eq!(m.read(&sock, &mut buf[..100]), Ok(100));
    m.port_mut().push([
        reply(&push_frame(1, &[b'c'; 50])),
        reply(&push_frame(1, &[b'd'; 200])),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    m.poll().unwrap();
    let mut got = 100;
    while got < 1500 {
        got += m.read(&sock, &mut buf).unwrap();
    }
    assert_eq!(m.read(&sock, &mut buf), Err(Error::PushOverflow(750)));
    m.port_mut().push([
        reply(&push_frame(1, b"end")),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    assert_eq!(m.read(&sock, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"end");
    assert_done(m);
}

#[test]
fn a_read_answer_whose_length_was_lost_fails_the_read() {
    // `+QSSLRECV: 7` with its digit dropped on the line: `+QSSLRECV: `
    // is no payload announcement (the test form's answer reads like it),
    // but inside a read's answer it is no `+QSSLRECV: 0` either: the bytes
    // that followed were the socket's data, here a forged `RDY` (then a CR,
    // which reads as no line at all). The read fails, and the data is no
    // boot line: nothing is taken from it.
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\n+QSSLRECV: \r\n\r\nRDY\r\r\n\r\nOK\r\n"),
    ]);
    steps.extend(resync(&[state_line(0, 0)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    let mut read = ops::Receive::new(sock, &mut buf);
    let outcome = (0..100)
        .map(|_| m.poll_op(&mut read))
        .find(|r| !matches!(r, Err(nb::Error::WouldBlock)));
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::Desynchronized))));
    let mut idle = ops::Idle::default();
    while m.poll_op(&mut idle).is_err() {}
    while let Some(event) = m.take_event() {
        assert_ne!(event, quectel_ssl::modem::Event::Rebooted);
    }
    assert!(m.state().socket(sock.client()).cause.is_none());
    assert_done(m);
}

#[test]
fn a_read_answer_that_comes_after_a_stray_error_fails_its_socket() {
    // A stray `ERROR` answers socket 0's read; the read's real answer, 5
    // bytes, then comes with nothing in flight and is dropped (a doubt).
    // Those bytes were socket 0's: its stream has a gap, and it says so
    // from then on, instead of going on with the next bytes the module
    // hands over.
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\nERROR\r\n\r\n+QSSLRECV: 5\r\nhello\r\n\r\nOK\r\n"),
    ]);
    // The next command is written before the stray answer is read; it
    // fails with the doubt, and the resync comes before the one after.
    steps.push(cmd("AT+QIGETERROR"));
    steps.extend(resync(&[state_line(0, 0)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Rejected));
    assert_eq!(m.last_error().err(), Some(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_late_read_answer_with_its_length_lost_is_a_doubt_too() {
    // As the test before, but the answer comes after the read gave up
    // (a slow module): the orphan's payload is the peer's data all the
    // same, and a forged `RDY` in it reboots nothing.
    let mut rx = [0u8; 256];
    let clock = SharedClock::default();
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
    ]);
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Timeout));
    m.port_mut()
        .push([reply(b"\r\n+QSSLRECV: \r\n\r\nRDY\r\r\n\r\nOK\r\n")]);
    let mut idle = ops::Idle::default();
    while m.poll_op(&mut idle).is_err() {}
    while let Some(event) = m.take_event() {
        assert_ne!(event, quectel_ssl::modem::Event::Rebooted);
    }
    assert_ne!(m.state().socket(sock.client()).state, SocketState::Initial);
}

#[test]
fn a_push_lost_in_the_quarantine_fails_its_socket_when_the_resync_stops_short() {
    // Socket 2's push is misframed (four bytes announced, five sent): the
    // stream is quarantined, and socket 1's push in it is dropped. The
    // resync's probe is echoed, which ends the quarantine, but its `ATE0`
    // is answered too late: the resync stops before it asks the module's
    // state. A push for socket 1 that comes now is read again; it comes
    // after the lost one and must not be delivered as if nothing were
    // missing.
    let (mut rx1, mut rx2) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend(opened_in(2, AccessMode::DirectPush));
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2,4\r\nhello\r\n"),
        reply(&push_frame(1, b"lost")),
        data(b"\rATE1\r"),
        ok(),
        Step::Probe,
        cmd("ATE0"),
    ]);
    let mut m = modem(steps);
    let s1 = open_pushed(&mut m, 1, &mut rx1);
    let s2 = open_pushed(&mut m, 2, &mut rx2);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s2, &mut buf), Err(Error::Desynchronized));
    // The next command runs the resync first: it times out at `ATE0`.
    assert_eq!(m.last_error().err(), Some(Error::Timeout));
    m.port_mut().push([
        reply(b"ATE0\r\r\nOK\r\n"),
        reply(&push_frame(1, b"after")),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
}

#[test]
fn a_read_answer_left_unread_for_a_minute_keeps_its_data() {
    // A read is dropped after its command went out; its answer starts to
    // arrive (the header and two of three bytes), then nobody polls for a
    // minute while the rest waits in the port. A minute of clock is no
    // minute of silence: the rest is read before the command is given up,
    // and the three bytes are the user's, not lost to a doubt.
    let mut rx = [0u8; 256];
    let clock = SharedClock::default();
    let mut steps = opened(3);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",3\r\n"),
        cmd("AT+QSSLRECV=3,256"),
    ]);
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m.open(open_cmd(3, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 3];
    let mut read = ops::Receive::new(sock, &mut buf);
    for _ in 0..4 {
        assert_eq!(m.poll_op(&mut read), Err(nb::Error::WouldBlock));
        clock.advance(10);
    }
    drop(read);
    m.port_mut().push([reply(b"\r\n+QSSLRECV: 3\r\nab")]);
    // One round of I/O takes the header and two bytes in.
    assert_eq!(
        m.poll_op(&mut ops::Idle::default()),
        Err(nb::Error::WouldBlock)
    );
    m.port_mut().push([reply(b"c\r\n\r\nOK\r\n")]);
    clock.advance(61_000);
    let mut buf = [0u8; 3];
    assert_eq!(m.read(&sock, &mut buf), Ok(3));
    assert_eq!(&buf, b"abc");
    assert_eq!(m.state().socket(sock.client()).cause, None);
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_late_prompt_left_unread_for_a_minute_is_still_cancelled_first() {
    // A send times out before its prompt; the prompt comes, and nobody
    // polls for a minute. The next command must not go out before the
    // prompt is read and cancelled: the module would take the command
    // line as the payload (and the engine its `SEND OK` as the answer of
    // a later send).
    let mut rx = [0u8; 256];
    let clock = SharedClock::default();
    let mut steps = opened(8);
    steps.push(cmd("AT+QSSLSEND=8,5"));
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m.open(open_cmd(8, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"hello"), Err(Error::Timeout));
    m.port_mut().push([reply(b"\r\n> ")]);
    clock.advance(61_000);
    m.port_mut().push(late_prompt_cancelled(8));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.write(&sock, b"x"), Err(Error::Desynchronized));
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_push_that_fails_its_check_with_every_byte_dropped_still_fails_its_socket() {
    // Socket 6's receive buffer is full (1500 bytes unread). A push
    // announced as 5 bytes but 37 long arrives (a digit lost on the
    // line): its 5 bytes are dropped for want of room, and its check
    // fails on the rest. The overflow counts 5 bytes; the stream lost
    // 37. Nothing of the socket's kept, so its check could not fail it,
    // and a later push was delivered as if only the 5 were missing.
    let mut rx = [0u8; 1500];
    let full = vec![b'a'; 1500];
    let mut steps = opened_in(6, AccessMode::DirectPush);
    steps.extend([
        reply(&push_frame(6, &full)),
        reply(b"\r\n+QSSLURC: \"recv\",6,5\r\n\r\nNO CARRIER\r\nATE0\r\r\nOK\r\n12345\r\n"),
    ]);
    steps.extend(resync(&[state_line(6, 1)], &[]));
    steps.push(reply(&push_frame(6, b"after")));
    steps.push(reply(b"\r\n+QIND: SMS DONE\r\n"));
    let mut m = modem(steps);
    let sock = open_pushed(&mut m, 6, &mut rx);
    let mut buf = [0u8; 1500];
    assert_eq!(m.read(&sock, &mut buf), Ok(1500));
    // Each read polled a bounded number of times (`None`: still waiting).
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let mut read = ops::Receive::new(sock, &mut buf);
        let outcome = (0..1_000).find_map(|_| match m.poll_op(&mut read) {
            Err(nb::Error::WouldBlock) => None,
            Err(nb::Error::Other(e)) => Some(Err(e)),
            Ok(n) => Some(Ok(n)),
        });
        drop(read);
        let outcome = outcome.map(|r| r.map(|n| buf[..n].to_vec()));
        let end = !matches!(outcome, Some(Err(Error::PushOverflow(5))));
        outcomes.push(outcome);
        if end {
            break;
        }
    }
    assert_eq!(
        outcomes.last(),
        Some(&Some(Err(Error::Desynchronized))),
        "{outcomes:?}"
    );
}

/// Open socket `client` in direct-push mode, receiving into `rx`.
fn open_pushed<'r>(m: &mut TestModem<'r>, client: u8, rx: &'r mut [u8]) -> SocketHandle {
    m.open(open_cmd(client, AccessMode::DirectPush), rx)
        .unwrap()
}

#[test]
fn a_push_being_counted_when_a_resync_on_a_trusted_stream_probes_is_kept() {
    // The first resync stops short (its `ATE0` is never answered) after
    // its probe's echo: the stream is trusted again, and the given-up
    // `ATE0` is long forgotten when socket 3's push starts. The next
    // resync's `ATE1` gets no answer in time, and its probe goes out with
    // three of the push's five bytes read. The rest comes before the
    // probe's echo (then the late `OK` of `ATE1`): the rest is the push's,
    // counted and checked as usual, not dropped with the quarantine that
    // starts at the probe. (Socket 3's buffer is full: the push's bytes
    // are read through the line, not straight into the buffer, and each
    // of the five is counted lost.)
    let (mut rx2, mut rx3) = ([0u8; 1500], [0u8; 1500]);
    let clock = SharedClock::default();
    let mut steps = opened_in(2, AccessMode::DirectPush);
    steps.extend(opened_in(3, AccessMode::DirectPush));
    steps.extend([
        reply(&push_frame(3, &[b'x'; 1500])),
        reply(b"\r\n+QSSLURC: \"recv\",2,4\r\nhello\r\n"),
        data(b"\rATE1\r"),
        ok(),
        Step::Probe,
        cmd("ATE0"),
    ]);
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let s2 = m
        .open(open_cmd(2, AccessMode::DirectPush), &mut rx2)
        .unwrap();
    let s3 = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx3)
        .unwrap();
    let mut buf = [0u8; 1500];
    assert_eq!(m.read(&s2, &mut buf), Err(Error::Desynchronized));
    assert_eq!(m.last_error().err(), Some(Error::Timeout));
    // The next resync: its `ATE1` is met by the push's start; the probe
    // goes out a second later, the push still three bytes in.
    let mut again = vec![
        data(b"\rATE1\r"),
        reply(b"\r\n+QSSLURC: \"recv\",3,5\r\nhel"),
        Step::ProbeAfter(b"lo\r\n\r\nOK\r\n".to_vec()),
    ];
    let rest = resync(&[state_line(2, 1), state_line(3, 1)], &[]);
    let probe = rest.iter().position(|s| matches!(s, Step::Probe)).unwrap();
    again.extend(rest.into_iter().skip(probe + 1));
    again.extend(last_error_steps());
    m.port_mut().push(again);
    clock.advance(5_000);
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&s3, &mut buf), Ok(1500));
    assert_eq!(m.read(&s3, &mut buf), Err(Error::PushOverflow(5)));
}
