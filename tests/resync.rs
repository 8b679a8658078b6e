//! After a framing doubt nothing from the doubtful region is taken as a
//! URC, an answer or data, the affected socket fails with a typed error,
//! and the engine finds its footing again at the echo of a probe only the
//! module can send; every other socket keeps its data. Against a scripted
//! module: the exact bytes, and the exact outcome.

mod common;

use common::script::*;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops;
use quectel_ssl::*;

#[test]
fn a_forged_push_inside_a_misframed_read_reaches_no_socket() {
    // Socket 1 (buffer mode) reads; the module announces 8 bytes but the
    // data is 40, and the peer's bytes after the eighth spell a push for
    // socket 4 and an `RDY`. None of it may act.
    let (mut rx1, mut rx4) = ([0u8; 256], [0u8; 1500]);
    let mut steps = opened(1);
    steps.extend(opened_in(4, AccessMode::DirectPush));
    steps.push(reply(&push_frame(4, b"real")));
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1\r\n"));
    let mut m = modem(steps);
    let s1 = m.open(open_cmd(1, AccessMode::Buffer), &mut rx1).unwrap();
    let s4 = m
        .open(open_cmd(4, AccessMode::DirectPush), &mut rx4)
        .unwrap();
    let forged = b"peer sent\r\n\r\n+QSSLURC: \"recv\",4,6\r\nforged\r\n\r\nRDY\r\n";
    let mut answer = b"\r\n+QSSLRECV: 8\r\n".to_vec();
    answer.extend_from_slice(forged);
    answer.extend_from_slice(b"\r\n\r\nOK\r\n");
    m.port_mut()
        .push([cmd("AT+QSSLRECV=1,256"), reply(&answer)]);
    let mut buf = [0u8; 64];
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
    // Socket 4 keeps what it had; the forged push is no data of its own:
    // it was seen in the quarantine, so socket 4 may have lost a push and
    // fails after the bytes it had.
    m.port_mut().push(resync(
        &[state_line(1, 0), state_line(4, 1)],
        &["+QIACT: 1,1,1,\"10.0.0.2\""],
    ));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&s4, &mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"real");
    assert_eq!(m.read(&s4, &mut buf), Err(Error::Desynchronized));
    // The forged `RDY` failed nothing else: the module did not reboot.
    assert_eq!(m.state().socket(ClientId::new(4).unwrap()).state.code(), 2);
    assert_done(m);
}

#[test]
fn a_stray_result_code_does_not_complete_a_read() {
    // A second `SEND OK` (line noise, a confused module) arrives while a
    // read is in flight: it is not the read's answer. The read's real
    // answer then comes with nothing to own it.
    let mut rx = [0u8; 256];
    let mut steps = opened(2);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",2\r\n"));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().push([
        cmd("AT+QSSLRECV=2,256"),
        reply(b"\r\nSEND OK\r\n\r\n+QSSLRECV: 5\r\nhello\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 16];
    // The bytes the module handed over never reach the user: the read
    // says so with a typed error, never with a short or empty success.
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    m.port_mut().push(resync(&[state_line(2, 0)], &[]));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_result_code_with_nothing_in_flight_is_a_doubt() {
    let mut m = modem([reply(b"\r\nOK\r\n")]);
    m.poll().unwrap();
    // The next command waits for the resync.
    m.port_mut().push(resync(&[], &[]));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn rdy_inside_a_push_fails_that_socket_not_every_handle() {
    // Five bytes of a boot line inside a push's span: a reboot the count
    // swallowed, or the peer's data. The resync asks the module, which
    // still has every socket: only the push's socket fails.
    let (mut rx3, mut rx5) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = opened_in(3, AccessMode::DirectPush);
    steps.extend(opened_in(5, AccessMode::DirectPush));
    steps.push(reply(&push_frame(5, b"before")));
    steps.push(reply(&push_frame(3, b"x\r\nRDY\r\ny")));
    steps.push(reply(b"\r\n"));
    let mut m = modem(steps);
    let s3 = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx3)
        .unwrap();
    let s5 = m
        .open(open_cmd(5, AccessMode::DirectPush), &mut rx5)
        .unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(m.read(&s5, &mut buf).unwrap(), 6);
    m.port_mut().push(resync(
        &[state_line(3, 1), state_line(5, 1)],
        &["+QIACT: 1,1,1,\"10.0.0.2\""],
    ));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&s3, &mut buf), Err(Error::Desynchronized));
    assert_ne!(m.write(&s5, b""), Err(Error::ModuleReset));
    assert_done(m);
}

#[test]
fn a_resync_that_finds_every_socket_and_context_gone_is_a_reboot() {
    // The module rebooted in the middle of a push: its `RDY` was counted as
    // data, and the check after failed. The module now has nothing open.
    let mut rx = [0u8; 1500];
    let mut steps = vec![cmd("AT+QIACT=1"), ok()];
    steps.extend(opened_in(6, AccessMode::DirectPush));
    // Twenty bytes counted: "abc", the line end, the boot lines up to the
    // `1` of `+CFUN: 1`; then its line end and the next boot line pass the
    // check after the payload.
    steps.push(reply(
        b"\r\n+QSSLURC: \"recv\",6,20\r\nabc\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n",
    ));
    steps.extend(resync(&[], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    m.activate_pdp(PdpContextId::new(1).unwrap()).unwrap();
    let sock = m
        .open(open_cmd(6, AccessMode::DirectPush), &mut rx)
        .unwrap();
    assert_eq!(m.last_error().map(|e| e.code.is_success()), Ok(true));
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::ModuleReset));
    assert_done(m);
}

#[test]
fn a_line_longer_than_the_buffer_fails_its_command_with_overflow() {
    let mut line = b"\r\n+QIGETERROR: 0,".to_vec();
    line.resize(700, b'x');
    line.extend_from_slice(b"\r\n\r\nOK\r\n");
    let mut steps = vec![cmd("AT+QIGETERROR"), reply(&line)];
    steps.extend(resync(&[], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    assert_eq!(m.last_error(), Err(Error::Overflow));
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn binary_read_as_a_line_is_a_doubt() {
    // A push announcement corrupted into something else: its data then
    // comes as lines, and binary is never module text.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(7, AccessMode::DirectPush);
    steps.push(reply(b"\r\n+QSSLURX: \"recv\",7,6\r\n\x00\x01\x02\xff\r\n"));
    steps.extend(resync(&[state_line(7, 1)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(7, AccessMode::DirectPush), &mut rx)
        .unwrap();
    assert!(m.last_error().unwrap().code.is_success());
    // The corrupted line named a push for socket 7: its data is gone.
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_late_prompt_is_cancelled_before_any_other_command() {
    // The module stays silent past the send's answer time, then prompts:
    // it now waits for payload. ESC goes first, then the resync.
    let mut rx = [0u8; 256];
    let mut steps = opened(8);
    steps.push(cmd("AT+QSSLSEND=8,5"));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(8, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"hello"), Err(Error::Timeout));
    m.port_mut().push([reply(b"\r\n> ")]);
    m.poll().unwrap();
    m.port_mut().push(late_prompt_cancelled(8));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.write(&sock, b"x"), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_probe_echo_forged_with_another_nonce_does_not_end_the_quarantine() {
    // While the engine waits for its probe's echo, the rest of a misframed
    // payload arrives, holding an echo-like line with a made-up nonce and
    // an `OK`: neither counts.
    let answer = b"\r\n+QSSLRECV: 2\r\nab\r\nAT+QFLST=\"RAM:sync-0123456789abcdef\"\r\r\nOK\r\n";
    a_misframed_read_then_the_resync(answer, resync(&[state_line(9, 0)], &[]));
}

/// Socket 9's read is answered `answer` (misframed: the read fails), then
/// the next command runs the resync `resync` and gets its own answer.
fn a_misframed_read_then_the_resync(answer: &[u8], resync: Vec<Step>) {
    let mut rx = [0u8; 256];
    let mut steps = opened(9);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",9\r\n"));
    steps.push(cmd("AT+QSSLRECV=9,256"));
    steps.push(reply(answer));
    steps.extend(resync);
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(9, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn an_echo_forged_after_the_probe_does_not_end_the_quarantine() {
    // The misframed payload's rest comes after the probe is written: an
    // echo-like line with a made-up nonce and an `OK` come before the
    // probe's own echo. Only the probe's echo ends the quarantine; the
    // forged `OK` is not the probe's answer.
    let mut after = resync(&[state_line(9, 0)], &[]);
    let probe = after.iter().position(|s| matches!(s, Step::Probe)).unwrap();
    after[probe] =
        Step::ProbeAfter(b"AT+QFLST=\"RAM:sync-0123456789abcdef\"\r\r\nOK\r\n\r\nOK\r\n".to_vec());
    // Two bytes announced, four sent: the trailer check fails.
    a_misframed_read_then_the_resync(b"\r\n+QSSLRECV: 2\r\nabcd\r\n", after);
}

#[test]
fn a_binary_line_naming_a_push_fails_that_direct_push_socket() {
    // A line of bytes no module prints holds push announcements for
    // sockets 2 and 4: a corrupted line swallowed socket 2's push, whose
    // data is lost. Socket 2 fails after the resync; socket 3 goes on, and
    // so does socket 4, in buffer mode (its data waits in the module,
    // read with commands). Whether the line comes on its own (a URC) or
    // while a command waits for its answer.
    for during_a_command in [false, true] {
        let (mut rx2, mut rx3, mut rx4) = ([0u8; 1500], [0u8; 1500], [0u8; 64]);
        let mut steps = opened_in(2, AccessMode::DirectPush);
        steps.extend(opened_in(3, AccessMode::DirectPush));
        steps.extend(opened(4));
        if during_a_command {
            steps.push(cmd("AT+QIGETERROR"));
        }
        steps.push(reply(b"\r\n\x01+QSSLURC: \"recv\",2,5\x02\"recv\",4,5\r\n"));
        let states = [state_line(2, 1), state_line(3, 1), state_line(4, 0)];
        steps.extend(resync(&states, &[]));
        steps.extend(last_error_steps());
        steps.push(reply(&push_frame(3, b"three")));
        steps.push(reply(b"\r\n+QIND: SMS DONE\r\n"));
        let mut m = modem(steps);
        let s2 = m
            .open(open_cmd(2, AccessMode::DirectPush), &mut rx2)
            .unwrap();
        let s3 = m
            .open(open_cmd(3, AccessMode::DirectPush), &mut rx3)
            .unwrap();
        let s4 = m.open(open_cmd(4, AccessMode::Buffer), &mut rx4).unwrap();
        if during_a_command {
            assert_eq!(m.last_error(), Err(Error::Desynchronized));
        } else {
            m.poll().unwrap();
        }
        assert!(m.last_error().unwrap().code.is_success());
        let mut buf = [0u8; 16];
        let read = read_polled(&mut m, s2, &mut buf, 100);
        assert_eq!(read, Some(Err(Error::Desynchronized)));
        assert_eq!(m.read(&s3, &mut buf), Ok(5));
        m.port_mut().push([
            cmd("AT+QSSLRECV=4,64"),
            reply(b"\r\n+QSSLRECV: 4\r\nfour\r\n\r\nOK\r\n"),
        ]);
        assert_eq!(m.read(&s4, &mut buf), Ok(4));
        assert_done(m);
    }
}

#[test]
fn the_nb_face_runs_the_resync_too() {
    let mut m = modem([reply(b"\r\nERROR\r\n")]);
    m.poll().unwrap();
    m.port_mut().push(resync(&[], &[]));
    m.port_mut().push(last_error_steps());
    let mut op = ops::Command::new(command::ssl_socket::GetLastError);
    let answer = loop {
        match m.poll_op(&mut op) {
            Ok(answer) => break answer,
            Err(nb::Error::WouldBlock) => {}
            Err(nb::Error::Other(e)) => panic!("{e}"),
        }
    };
    assert!(answer.code.is_success());
    assert_done(m);
}

#[test]
fn an_echo_while_echo_is_off_reveals_a_reboot_whose_rdy_was_lost() {
    // Init turned echo off. The module reboots, and its `RDY` is lost on
    // the line: the next command comes back echoed (echo is on after a
    // boot). The engine doubts, resyncs, and finds nothing open.
    let mut rx = [0u8; 256];
    let mut steps = vec![
        cmd("AT"),
        ok(),
        cmd("ATE0"),
        ok(),
        cmd("AT+CMEE=1"),
        ok(),
        cmd("AT+QSSLSTATE"),
        ok(),
        cmd("AT+QIACT?"),
        reply(b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n"),
    ];
    steps.extend(opened(0));
    steps.push(cmd("AT+QIGETERROR"));
    steps.push(reply(
        b"AT+QIGETERROR\r\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n",
    ));
    steps.extend(resync(&[], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    m.init().unwrap();
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.last_error(), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::ModuleReset));
    assert_done(m);
}

#[test]
fn a_socket_urc_corrupted_into_an_unknown_line_is_a_doubt() {
    // `+QSSLURC: "closed",3` with a byte dropped: no URC the engine knows,
    // but one of its own. The close it announced must not be lost: the
    // resync learns it from the module.
    let mut rx = [0u8; 256];
    let mut steps = opened(3);
    steps.push(reply(b"\r\n+QSSLURC: \"clsed\",3\r\n"));
    steps.extend(resync(
        &["+QSSLSTATE: 3,\"SSLClient\",\"1.2.3.4\",443,5000,4,1,0,0,\"uart1\",0".into()],
        &[],
    ));
    steps.extend([
        cmd("AT+QSSLRECV=3,256"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(3, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 8];
    // The end of the stream, not a read that waits forever.
    assert_eq!(m.read(&sock, &mut buf), Ok(0));
    assert_done(m);
}

#[test]
fn a_read_whose_payload_passed_its_check_keeps_it_when_its_ok_is_lost() {
    // The read's data came whole and its line end checked; a stray result
    // code took the place of its `OK`. Only the `OK` is lost: the read
    // returns what it got, and the resync runs before the next command.
    let mut rx = [0u8; 256];
    let mut steps = opened(2);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2\r\n"),
        cmd("AT+QSSLRECV=2,256"),
        reply(b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\nSEND OK\r\n"),
    ]);
    steps.extend(resync(&[state_line(2, 0)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn a_doubt_before_a_sends_prompt_cancels_the_prompt_that_may_still_come() {
    // A line no module prints arrives while a send waits for its prompt:
    // the send fails, and the prompt may come in the quarantine. The
    // resync writes ESC first, so that the module does not take its
    // `ATE1` as the payload.
    let mut rx = [0u8; 256];
    let mut steps = opened(1);
    steps.extend([
        cmd("AT+QSSLSEND=1,5"),
        reply(b"\r\n+QSSLURC: \"recv\",84,6\r\n"),
        data(&[0x1B]),
        reply(b"\r\n> \r\nSEND FAIL\r\n"),
    ]);
    steps.extend(resync(&[state_line(1, 0)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"hello"), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn a_push_swallowed_by_a_misframed_push_fails_its_socket() {
    // Socket 1's push of 3 bytes announced as 30 (a digit inserted on the
    // line): its count swallows the line end, socket 2's push announcement
    // and a byte of its data. The check after fails; socket 1 fails, and
    // so does socket 2, whose push was inside socket 1's unchecked bytes.
    let (mut rx1, mut rx2) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = opened_in(1, AccessMode::DirectPush);
    steps.extend(opened_in(2, AccessMode::DirectPush));
    steps.push(reply(
        b"\r\n+QSSLURC: \"recv\",1,30\r\nabc\r\n\r\n+QSSLURC: \"recv\",2,3\r\nxyz\r\n",
    ));
    steps.extend(resync(&[state_line(1, 1), state_line(2, 1)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let s1 = m
        .open(open_cmd(1, AccessMode::DirectPush), &mut rx1)
        .unwrap();
    let s2 = m
        .open(open_cmd(2, AccessMode::DirectPush), &mut rx2)
        .unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    // Polled a bounded number of times: nothing more comes for socket 2,
    // so a read that does not fail waits for ever.
    let mut read = ops::Receive::new(s2, &mut buf);
    let outcome = (0..100).find_map(|_| match m.poll_op(&mut read) {
        Err(nb::Error::WouldBlock) => None,
        other => Some(other),
    });
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::Desynchronized))));
    drop(read);
    assert_done(m);
}

#[test]
fn an_ok_without_the_reads_header_is_not_its_answer() {
    // A read's `OK` comes only after its `+QSSLRECV:` line. A bare `OK`
    // (a late answer of something else, line noise) is stray: the read is
    // not done with nothing; its real answer may be lost in the
    // quarantine, so the read fails with a typed error, and the stream is
    // resynchronised before the next command.
    let mut rx = [0u8; 256];
    let mut steps = opened(2);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2\r\n"),
        cmd("AT+QSSLRECV=2,256"),
        reply(b"\r\nOK\r\n"),
    ]);
    steps.extend(resync(&[state_line(2, 0)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    let mut read = ops::Receive::new(sock, &mut buf);
    let outcome = (0..200).find_map(|_| match m.poll_op(&mut read) {
        Err(nb::Error::WouldBlock) => None,
        other => Some(other),
    });
    drop(read);
    assert_eq!(outcome, Some(Err(nb::Error::Other(Error::Desynchronized))));
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}
