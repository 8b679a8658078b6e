//! Defects the `engine` fuzz target (`fuzz/src/checks/engine.rs`) found in
//! transparent mode and around it (escapes, resumes, a `CONNECT` a doubt
//! dropped, held bytes, silence), each as the scripted exchange it reduced
//! to: the exact bytes, and the outcome the engine owes. The receive path's
//! are in `tests/fuzz_findings.rs`.

mod common;

use common::clock::SharedClock;
use common::script::*;
use embedded_io::{Read, Write};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops;
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

#[test]
fn a_connect_lost_to_a_framing_doubt_is_escaped_before_the_resync() {
    // A push one byte shorter than announced arrives just before the
    // `CONNECT` of a transparent open: the doubt quarantines the stream,
    // and the `CONNECT` with it. The module is in transparent mode: the
    // resync's lines would go to the peer and never be echoed. The engine
    // leaves transparent mode first (guard time, `+++`, guard time).
    let (mut rx1, mut rx3) = ([0u8; 1500], [0u8; 64]);
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend([
        cmd("AT+QSSLOPEN=1,0,3,\"example.com\",443,2"),
        reply(b"\r\n+QSSLURC: \"recv\",1,4\r\nhello\r\n\r\nCONNECT\r\n"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ]);
    steps.extend(resync(
        &[state_line(1, 1), state_line(3, 2)],
        &["+QIACT: 1,1,1,\"10.0.0.2\""],
    ));
    // The open failed: its socket is closed, as after any failed open.
    steps.extend([cmd("AT+QSSLCLOSE=3"), ok()]);
    let mut m = modem(steps);
    let s1 = m
        .open(open_cmd(1, AccessMode::DirectPush), &mut rx1)
        .unwrap();
    assert_eq!(
        m.open(open_cmd(3, AccessMode::Transparent), &mut rx3),
        Err(Error::Desynchronized)
    );
    assert_eq!(m.state().port(), PortMode::Command);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_desynchronised_socket_cannot_be_resumed_in_transparent_mode() {
    // A read's payload one byte shorter than announced: socket 1 lost data
    // and says so. Resumed in transparent mode it would go on delivering
    // the bytes after the gap; it refuses instead, as a send does.
    let mut rx = [0u8; 256];
    let mut steps = opened(1);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",1\r\n"),
        cmd("AT+QSSLRECV=1,256"),
        reply(b"\r\n+QSSLRECV: 4\r\nhello\r\n\r\nOK\r\n"),
    ]);
    steps.extend(resync(&[state_line(1, 0)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.resume(&sock).err(), Some(Error::Desynchronized));
    assert_eq!(m.state().port(), PortMode::Command);
    assert_done(m);
}

#[test]
fn an_ok_does_not_answer_a_transparent_open() {
    // A late `OK` (a command given up on answered after all) comes just
    // before the `CONNECT` of a transparent open. A transparent open is
    // answered `CONNECT` or an error, never `OK`: the `OK` is a stray
    // result code, the open fails, and the engine leaves the transparent
    // mode the `CONNECT` started before it resynchronises.
    let mut rx = [0u8; 64];
    let mut steps = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nOK\r\n\r\nCONNECT\r\n"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ];
    steps.extend(resync(&[state_line(0, 2)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend([cmd("AT+QSSLCLOSE=0"), ok()]);
    let mut m = modem(steps);
    assert_eq!(
        m.open(open_cmd(0, AccessMode::Transparent), &mut rx),
        Err(Error::Desynchronized)
    );
    assert_eq!(m.state().port(), PortMode::Command);
    assert_done(m);
}

#[test]
fn a_loss_in_transparent_mode_is_reported_by_raw_reads_too() {
    // The escape of the first test drops 36 bytes; the user goes back to
    // transparent mode and reads there: the loss is reported after the
    // bytes kept, before any byte from after it (the 3 that arrive before
    // it is reported are part of it).
    let mut rx = [0u8; 64];
    let sent: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).collect();
    let mut m = modem([
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        reply(&sent),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
        cmd("ATO"),
        reply(b"\r\nCONNECT\r\nxyz"),
    ]);
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    m.transparent(&sock).unwrap().escape().unwrap();
    let mut t = m.resume(&sock).unwrap();
    let mut buf = [0u8; 128];
    assert_eq!(t.read(&mut buf), Ok(64));
    assert_eq!(&buf[..64], &sent[..64]);
    assert_eq!(t.read(&mut buf), Err(Error::PushOverflow(39)));
    m.port_mut().push([reply(b"end")]);
    assert_eq!(m.transparent(&sock).unwrap().read(&mut buf), Ok(3));
    assert_eq!(&buf[..3], b"end");
    assert_done(m);
}

#[test]
fn an_escape_cancelled_by_data_does_not_watch_for_its_ok() {
    // An nb caller polls an escape until `+++` is written, then drops it
    // and writes data at once: the module, seeing bytes within its guard
    // time, cancels the escape and answers nothing. Long after, the
    // peer's data holds `\r\nOK\r\n`: it is data, not the answer of an
    // escape that never happened.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"+++"),
        data(b"xyz"),
    ];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    {
        // The escape, polled until its `+++` is out, then given up.
        let mut escape = ops::Escape::new();
        clock.advance(1_100);
        // (The port is flushed first, and the guard time counted from
        // there: a poll, a second, another poll.)
        for _ in 0..4 {
            assert!(matches!(m.poll_op(&mut escape), Err(nb::Error::WouldBlock)));
            if m.port().all_written.ends_with(b"+++") {
                break;
            }
            clock.advance(1_100);
        }
        assert!(m.port().all_written.ends_with(b"+++"));
    }
    assert_eq!(m.transparent(&sock).unwrap().write(b"xyz"), Ok(3));
    clock.advance(60_000);
    m.port_mut().push([reply(b"data\r\nOK\r\nmore")]);
    let mut got = Vec::new();
    while got.len() < 14 {
        let mut buf = [0u8; 64];
        let n = m.transparent(&sock).unwrap().read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended after {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"data\r\nOK\r\nmore");
    assert_eq!(m.state().port(), PortMode::Transparent(sock.client()));
    let (port, _) = m.release();
    assert!(port.done(), "script not played to the end");
}

#[test]
fn the_resync_escape_keeps_the_guard_time_after_an_unseen_connect() {
    // The `CONNECT` of a transparent open comes 100 ms after the command,
    // behind a push whose socket id is corrupted: the doubt drops it
    // unseen. The module counts the silence before `+++` from its
    // `CONNECT`: the resync's `+++` waits a guard time after the last byte
    // received too, not only after the command line.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [cmd("AT+QSSLOPEN=1,0,3,\"example.com\",443,2")];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let mut open = ops::Open::new(open_cmd(3, AccessMode::Transparent), &mut rx);
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    clock.advance(100);
    m.port_mut().push([
        reply(b"\r\n+QSSLURC: \"recv\",84,6\r\nabcdef\r\n\r\nCONNECT\r\n"),
        data(b"+++"),
    ]);
    // The open failed; it waits for the resync to close its socket.
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    // A guard time after the command line, not yet after the `CONNECT`.
    clock.advance(1_000);
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    assert!(!m.port().all_written.ends_with(b"+++"));
    // A guard time after the `CONNECT` too.
    clock.advance(200);
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    assert!(m.port().all_written.ends_with(b"+++"));
}

#[test]
fn a_connect_read_while_a_command_waits_to_start_stops_it() {
    // A transparent open, dropped by its nb caller once its command is
    // out; the module's `CONNECT` comes after. A command asked meanwhile
    // waits for the open's deadline, then drains its answer: that
    // `CONNECT` makes the port transparent, and the command must not be
    // written (it would reach the peer).
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2")];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    {
        let mut open = ops::Open::new(open_cmd(0, AccessMode::Transparent), &mut rx);
        assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    }
    m.port_mut().push([reply(b"\r\nCONNECT\r\npeer")]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(m.poll_op(&mut at), Err(nb::Error::WouldBlock)));
    clock.advance(500_000);
    let outcome = (0..10)
        .map(|_| m.poll_op(&mut at))
        .find(|r| !matches!(r, Err(nb::Error::WouldBlock)));
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::TransparentMode))));
    assert_eq!(
        m.state().port(),
        PortMode::Transparent(ClientId::new(0).unwrap())
    );
}

#[test]
fn held_transparent_bytes_wait_for_the_port_not_only_the_clock() {
    // `NO CARRIER` split across two reads: `\r\nNO` is held back while it
    // may be its start. The user then does something else for 600 ms;
    // the rest is in the port, unread. Held bytes are released as data
    // only once the port was seen quiet, not because the clock moved: the
    // next read sees the whole `NO CARRIER`, and the stream ends.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\ndata\r\nNO"),
    ];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(m.transparent(&sock).unwrap().read(&mut buf), Ok(4));
    assert_eq!(&buf[..4], b"data");
    m.port_mut().push([reply(b" CARRIER\r\n")]);
    clock.advance(600);
    let mut read = ops::RawRead::new(sock, &mut buf);
    let outcome = (0..10)
        .map(|_| m.poll_op(&mut read))
        .find(|r| !matches!(r, Err(nb::Error::WouldBlock)));
    assert_eq!(outcome, Some(Ok(0)));
    assert_eq!(m.state().port(), PortMode::Command);
}

#[test]
fn a_transparent_session_whose_connect_was_dropped_lost_data() {
    // `ATO` answered by a stray `OK`, then its `CONNECT` and the peer's
    // bytes: the stray code fails the resume, and the quarantine drops the
    // `CONNECT` and the bytes after it. The resync leaves transparent
    // mode; the socket is still open in the module, but the bytes the
    // quarantine dropped are gone: it reports that, and is not resumed.
    let mut rx = [0u8; 64];
    let mut steps = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
        cmd("ATO"),
        reply(b"\r\nOK\r\n\r\nCONNECT\r\npeer bytes"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ];
    steps.extend(resync(&[state_line(0, 2)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    m.transparent(&sock).unwrap().escape().unwrap();
    assert_eq!(m.resume(&sock).err(), Some(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.resume(&sock).err(), Some(Error::Desynchronized));
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn the_resync_escape_is_tried_again_when_the_probe_is_not_echoed() {
    // A doubt while a transparent open is in flight, and its `CONNECT`
    // not there yet (the handshake is slow): the resync's first `+++`
    // reaches a module still in command mode, then the `CONNECT` comes and
    // the probe goes to the peer. The next attempt escapes again.
    let mut rx = [0u8; 64];
    let mut steps = vec![
        cmd("AT+QSSLOPEN=1,0,3,\"example.com\",443,2"),
        reply(b"\r\n+QSSLURC: \"recv\",84,6\r\nabcdef\r\n"),
        data(b"+++"),
        data(b"\rATE1\r"),
        reply(b"\r\nCONNECT\r\n"),
        Step::LostProbe,
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ];
    steps.extend(resync(&[state_line(3, 2)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend([cmd("AT+QSSLCLOSE=3"), ok()]);
    let mut m = modem(steps);
    assert_eq!(
        m.open(open_cmd(3, AccessMode::Transparent), &mut rx),
        Err(Error::Desynchronized)
    );
    assert_eq!(m.state().port(), PortMode::Command);
    assert_done(m);
}

#[test]
fn an_answer_waiting_unread_in_the_port_is_not_silence() {
    // `ATO` times out (a slow module); its `CONNECT` then waits in the
    // port while the caller does something else for a second. The
    // orphan's grace counts the module's silence: bytes waiting unread
    // are not silence. The next command first drains the `CONNECT`, and
    // is refused (the port is transparent) instead of reaching the peer.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
        cmd("ATO"),
    ];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    m.transparent(&sock).unwrap().escape().unwrap();
    assert_eq!(m.resume(&sock).err(), Some(Error::Timeout));
    m.port_mut().push([reply(b"\r\nCONNECT\r\n")]);
    clock.advance(1_000);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    let outcome = (0..10)
        .map(|_| m.poll_op(&mut at))
        .find(|r| !matches!(r, Err(nb::Error::WouldBlock)));
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::TransparentMode))));
}

#[test]
fn a_resume_asked_while_a_resync_is_due_sees_what_it_finds() {
    // A push for socket 1 whose length was lost: its data is gone, socket 1
    // will fail once the resync has run. A resume asked meanwhile must
    // wait for it, and then refuse the socket, not switch it to
    // transparent mode and deliver the bytes after the gap.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1,\r\nabcdef\r\n"));
    steps.extend(resync(&[state_line(1, 1)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(1, AccessMode::DirectPush), &mut rx)
        .unwrap();
    assert_eq!(m.resume(&sock).err(), Some(Error::Desynchronized));
    assert_eq!(m.state().port(), PortMode::Command);
    assert_done(m);
}

#[test]
fn idle_returns_only_with_every_byte_written() {
    // The resync's `+++`, written two bytes at a time: an nb caller's
    // `Idle` used to be done once a round brought nothing in, between the
    // two writes; the caller's next poll could come a guard time later,
    // and the module would not take the split `+++` for an escape.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = [cmd("AT+QSSLOPEN=1,0,3,\"example.com\",443,2")];
    let config = Config {
        write_chunk: 2,
        ..Config::default()
    };
    let mut m: Modem<'_, _, _> = Modem::with_config(ScriptPort::new(steps), clock.clone(), config);
    let mut open = ops::Open::new(open_cmd(3, AccessMode::Transparent), &mut rx);
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    m.port_mut().push([
        reply(b"\r\n+QSSLURC: \"recv\",84,6\r\nabcdef\r\n\r\nCONNECT\r\n"),
        data(b"+++"),
    ]);
    assert!(matches!(m.poll_op(&mut open), Err(nb::Error::WouldBlock)));
    clock.advance(1_200);
    let mut idle = ops::Idle::default();
    while m.poll_op(&mut idle).is_err() {}
    assert!(m.port().all_written.ends_with(b"+++"));
}

#[test]
fn a_resume_needs_a_receive_buffer_fit_for_transparent_mode() {
    // A buffer-mode socket opened with an 8-byte receive buffer (fine for
    // buffer mode) resumed in transparent mode: the engine holds back up to
    // 13 bytes that may start `NO CARRIER` and needs room beyond them, so
    // with 8 it would never see the connection end. The resume refuses
    // before writing, as an open in transparent mode does.
    let mut rx = [0u8; 8];
    let mut m = modem(opened(0));
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(
        m.resume(&sock).err(),
        Some(Error::InvalidParameter {
            param: "receive buffer",
            reason: ParamError::BufferTooSmall(64),
        })
    );
    assert_done(m);
}

#[test]
fn a_switch_answered_after_its_grace_lost_the_bytes_after_its_connect() {
    // `AT+QISWTMD=1,2` on a direct-push socket times out, and its grace as
    // an orphan ends with nothing come. Then its `CONNECT` comes after all,
    // the peer's bytes after it: with nothing in flight it is stray, and
    // the quarantine drops it and the bytes. The resync escapes, and the
    // module lists socket 1 in transparent mode, a switch the engine never
    // saw: the bytes after its `CONNECT` are lost, and the socket says so.
    let mut rx = [0u8; 1500];
    let clock = SharedClock::default();
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.push(cmd("AT+QISWTMD=1,2"));
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m
        .open(open_cmd(1, AccessMode::DirectPush), &mut rx)
        .unwrap();
    assert_eq!(m.resume(&sock).err(), Some(Error::Timeout));
    for _ in 0..40 {
        clock.advance(100);
        m.run(&mut ops::Idle::default()).unwrap();
    }
    let mut steps = vec![
        reply(b"\r\nCONNECT\r\n\r\n+QIGE\r\n+QSSLOPEN"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
    ];
    steps.extend(resync(&[state_line(1, 2)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend(last_error_steps());
    m.port_mut().push(steps);
    m.run(&mut ops::Idle::default()).unwrap();
    assert!(m.last_error().unwrap().code.is_success());
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_eq!(m.state().port(), PortMode::Command);
    let (port, _) = m.release();
    assert!(port.done(), "script not played: {:?}", port.remaining());
}

#[test]
fn a_resume_asked_while_a_command_is_in_flight_chooses_ato_only_when_it_goes() {
    // Socket 2 left transparent mode (`ATO` would return to it). `AT` is
    // in flight when a resume of socket 2 is asked; `AT` is then answered
    // by a `CONNECT` (a connection given up long ago came through): a
    // doubt, and the resync escapes that connection, to which the
    // module's `ATO` would now return. The resume, chosen only once
    // nothing is in flight, names its socket.
    let mut rx2 = [0u8; 64];
    let clock = SharedClock::default();
    let steps = vec![
        cmd("AT+QSSLOPEN=1,0,2,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
        cmd("AT"),
    ];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let s2 = m
        .open(open_cmd(2, AccessMode::Transparent), &mut rx2)
        .unwrap();
    m.transparent(&s2).unwrap().escape().unwrap();
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(m.poll_op(&mut at), Err(nb::Error::WouldBlock)));
    let mut resume = ops::Resume::new(s2);
    assert!(matches!(m.poll_op(&mut resume), Err(nb::Error::WouldBlock)));
    let mut steps = vec![reply(b"\r\nCONNECT\r\n"), data(b"+++"), ok()];
    steps.extend(resync(
        &[state_line(0, 2), state_line(2, 2)],
        &["+QIACT: 1,1,1,\"10.0.0.2\""],
    ));
    steps.extend([cmd("AT+QISWTMD=2,2"), reply(b"\r\nCONNECT\r\n")]);
    m.port_mut().push(steps);
    let outcome = (0..5_000).find_map(|_| match m.poll_op(&mut resume) {
        Err(nb::Error::WouldBlock) => {
            clock.advance(10);
            None
        }
        other => Some(other),
    });
    assert_eq!(outcome, Some(Ok(())));
    assert_eq!(m.state().port(), PortMode::Transparent(s2.client()));
    let (port, _) = m.release();
    assert!(port.done(), "script not played: {:?}", port.remaining());
}

#[test]
fn an_escape_timed_out_behind_a_peer_that_never_stops_still_waits_for_its_ok() {
    // The escape's `+++` goes out with its guard times; the module takes
    // it, but its `OK` is behind the peer's bytes, which keep coming for a
    // minute and more: the escape times out. The engine must not believe
    // the port transparent and let the user's bytes reach a module in
    // command mode: it keeps watching for the `OK`, and a write waits for
    // it; when it comes, the port is in command mode and the write fails.
    let mut rx = [0u8; 64];
    let clock = SharedClock::default();
    let steps = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"+++"),
    ];
    let mut m: Modem<'_, _, _> = Modem::new(ScriptPort::new(steps), clock.clone());
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    let mut escape = ops::Escape::new();
    let mut outcome = None;
    for _ in 0..10_000 {
        m.port_mut().push([reply(b"peer data ")]);
        match m.poll_op(&mut escape) {
            Err(nb::Error::WouldBlock) => clock.advance(10),
            other => {
                outcome = Some(other);
                break;
            }
        }
    }
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::Timeout))));
    let mut write = ops::RawWrite::new(sock, b"hello");
    for _ in 0..500 {
        m.port_mut().push([reply(b"peer data ")]);
        assert!(matches!(m.poll_op(&mut write), Err(nb::Error::WouldBlock)));
        clock.advance(10);
    }
    m.port_mut().push([reply(b"\r\nOK\r\n")]);
    assert_eq!(
        m.poll_op(&mut write),
        Err(nb::Error::Other(Error::NotConnected))
    );
    assert_eq!(m.state().port(), PortMode::Command);
    assert!(
        m.port().done(),
        "script not played: {:?}",
        m.port().remaining()
    );
}

#[test]
fn a_stale_open_notice_does_not_open_a_transparent_socket() {
    // An earlier open of socket 1 (buffer mode) was given up; its late
    // `+QSSLOPEN: 1,0` comes while a transparent open of socket 1 waits
    // for its `CONNECT`. A transparent open is never answered that way:
    // the notice is stale. Taken as the result, it made the port
    // transparent while the framer still read lines; the `CONNECT` after
    // it was then the answer of nothing, and the peer's bytes after it
    // were read as lines.
    let mut rx = [0u8; 256];
    let mut m = modem([cmd("AT+QSSLOPEN=1,0,1,\"example.com\",443,2")]);
    let mut open = ops::Open::new(open_cmd(1, AccessMode::Transparent), &mut rx);
    assert!(poll_n(&mut m, &mut open, 3).is_none());
    m.port_mut().push([reply(b"\r\n+QSSLOPEN: 1,0\r\n")]);
    assert!(poll_n(&mut m, &mut open, 3).is_none(), "not its answer");
    assert_eq!(m.state().port(), PortMode::Command);
    m.port_mut().push([reply(b"\r\nCONNECT\r\nhello")]);
    let sock = match poll_n(&mut m, &mut open, 20) {
        Some(Ok(sock)) => sock,
        other => panic!("{other:?}"),
    };
    drop(open);
    assert_eq!(m.state().port(), PortMode::Transparent(sock.client()));
    let mut buf = [0u8; 16];
    let got = {
        let mut read = ops::RawRead::new(sock, &mut buf);
        (0..50).find_map(|_| m.poll_op(&mut read).ok())
    };
    assert_eq!(got, Some(5));
    assert_eq!(&buf[..5], b"hello");
    assert_done(m);
}

/// `op` polled up to `n` times: its outcome, or `None` if still waiting.
fn poll_n<'r, O: ops::Op<'r>>(
    m: &mut TestModem<'r>,
    op: &mut O,
    n: usize,
) -> Option<Result<O::Output, nb::Error<Error>>> {
    (0..n).find_map(|_| match m.poll_op(op) {
        Err(nb::Error::WouldBlock) => None,
        other => Some(other),
    })
}
