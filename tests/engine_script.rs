//! The engine against a scripted module: the exact bytes it writes, and what
//! it makes of the module's answers.

mod common;

use common::script::*;
use embedded_io::Write;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::{ops, Event};
use quectel_ssl::*;

#[test]
fn init_sweeps_sockets_kept_across_an_mcu_reset() {
    let mut m = modem([
        cmd("AT"),
        reply(b"AT\r\r\nOK\r\n"),
        cmd("ATE0"),
        reply(b"ATE0\r\r\nOK\r\n"),
        cmd("AT+CMEE=1"),
        ok(),
        cmd("AT+QSSLSTATE"),
        reply(b"\r\n+QSSLSTATE: 3,\"SSLClient\",\"1.2.3.4\",443,5000,2,1,0,1,\"uart1\",2\r\n\r\nOK\r\n"),
        cmd("AT+QIACT?"),
        reply(b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n"),
        cmd("AT+QSSLCLOSE=3"),
        ok(),
    ]);
    let report = m.init().unwrap();
    assert_eq!(report.swept_sockets, 1);
    assert_eq!(report.active_pdp, 1);
    assert!(!report.escaped_transparent);
    assert!(m.state().pdp_active(PdpContextId::new(1).unwrap()));
    assert_eq!(m.state().open_sockets().count(), 0);
    assert_done(m);
}

#[test]
fn init_escapes_a_port_left_in_transparent_mode() {
    let mut m = modem([
        cmd("AT"),
        // No answer: the port still carries a connection. The engine waits
        // the guard time, sends +++, waits again, and probes once more.
        data(b"+++"),
        reply(b"\r\nOK\r\n"),
        cmd("AT"),
        ok(),
        cmd("ATE0"),
        ok(),
        cmd("AT+CMEE=1"),
        ok(),
        cmd("AT+QSSLSTATE"),
        ok(),
        cmd("AT+QIACT?"),
        ok(),
    ]);
    let report = m.init().unwrap();
    assert!(report.escaped_transparent);
    assert_done(m);
}

#[test]
fn open_write_read_close_in_buffer_mode() {
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        cmd("AT+QSSLSEND=0,5"),
        reply(b"\r\n> "),
        data(b"hello"),
        reply(b"\r\nSEND OK\r\n"),
        // The echo server answers; the notice leads to a read.
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"hello").unwrap(), 5);
    m.port_mut().push([
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
    m.port_mut().push([cmd("AT+QSSLCLOSE=0"), ok()]);
    m.close(&sock).unwrap();
    assert_eq!(m.write(&sock, b"x"), Err(Error::StaleHandle));
    assert_done(m);
}

#[test]
fn send_fail_is_back_pressure_and_nothing_is_counted_as_sent() {
    let mut rx = [0u8; 64];
    let mut steps = opened(2);
    steps.extend([
        cmd("AT+QSSLSEND=2,3"),
        reply(b"\r\n> "),
        data(b"abc"),
        reply(b"\r\nSEND FAIL\r\n"),
        cmd("AT+QSSLSEND=2,3"),
        reply(b"\r\n> "),
        data(b"abc"),
        reply(b"\r\nSEND OK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"abc").unwrap(), 3);
    assert_done(m);
}

#[test]
fn send_fail_until_the_write_timeout_is_an_error() {
    let mut rx = [0u8; 64];
    let mut steps = opened(2);
    for _ in 0..301 {
        steps.extend([
            cmd("AT+QSSLSEND=2,1"),
            reply(b"\r\n> "),
            data(b"z"),
            reply(b"\r\nSEND FAIL\r\n"),
        ]);
    }
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"z"), Err(Error::SendFailed));
}

#[test]
fn a_failed_open_reports_the_module_code_and_closes_the_socket() {
    let mut rx = [0u8; 64];
    let mut m = modem([
        cmd("AT+QSSLOPEN=1,0,5,\"example.com\",443,0"),
        ok(),
        reply(b"\r\n+QSSLOPEN: 5,566\r\n"),
        cmd("AT+QSSLCLOSE=5"),
        ok(),
    ]);
    let err = m
        .open(open_cmd(5, AccessMode::Buffer), &mut rx)
        .unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::SocketConnectFailed));
    assert_eq!(m.state().open_sockets().count(), 0);
    assert_done(m);
}

#[test]
fn an_open_refused_at_once_asks_for_the_error_code() {
    let mut rx = [0u8; 64];
    let mut m = modem([
        cmd("AT+QSSLOPEN=1,0,5,\"example.com\",443,0"),
        reply(b"\r\nERROR\r\n"),
        cmd("AT+QIGETERROR"),
        reply(b"\r\n+QIGETERROR: 563,socket identity has been used\r\n\r\nOK\r\n"),
    ]);
    let err = m
        .open(open_cmd(5, AccessMode::Buffer), &mut rx)
        .unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::SocketIdentityUsed));
    assert_done(m);
}

#[test]
fn illegal_operations_write_nothing() {
    let mut rx = [0u8; 64];
    let mut rx2 = [0u8; 64];
    let mut m = modem(opened(1));
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    // Open on a socket in use.
    assert_eq!(
        m.open(open_cmd(1, AccessMode::Buffer), &mut rx2),
        Err(Error::SocketInUse)
    );
    // An empty write sends nothing; a bad payload is refused before writing.
    assert_eq!(m.write(&sock, b""), Ok(0));
    let before = m.port().all_written.len();
    // A config that can't work.
    let config = ops::SslConfig::default();
    assert_eq!(
        m.configure_ssl(SslContextId::new(0).unwrap(), &config),
        Err(Error::InvalidParameter {
            param: "cacert",
            reason: ParamError::Empty
        })
    );
    assert_eq!(m.port().all_written.len(), before);
    assert_done(m);
}

#[test]
fn data_for_one_socket_during_a_command_on_another_is_kept() {
    let (mut rx0, mut rx7) = ([0u8; 64], [0u8; 1600]);
    let mut steps = opened(0);
    steps.extend([
        cmd("AT+QSSLOPEN=1,0,7,\"example.com\",443,1"),
        ok(),
        reply(b"\r\n+QSSLOPEN: 7,0\r\n"),
        cmd("AT+QSSLSEND=0,2"),
        // Pushed data for socket 7 arrives between the command and its prompt.
        // (A push ends with its line end; every output starts with one.)
        reply(b"\r\n+QSSLURC: \"recv\",7,6\r\n\r\nOK\r\n\r\n\r\n> "),
        data(b"hi"),
        reply(b"\r\nSEND OK\r\n"),
    ]);
    let mut m = modem(steps);
    let s0 = m.open(open_cmd(0, AccessMode::Buffer), &mut rx0).unwrap();
    let s7 = m
        .open(open_cmd(7, AccessMode::DirectPush), &mut rx7)
        .unwrap();
    assert_eq!(m.write(&s0, b"hi").unwrap(), 2);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s7, &mut buf).unwrap(), 6);
    assert_eq!(&buf[..6], b"\r\nOK\r\n");
    assert_done(m);
}

#[test]
fn push_overflow_is_reported_after_the_bytes_before_it() {
    // Two pushes of 1,000 bytes into a 1,500-byte buffer nobody read.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(3, AccessMode::DirectPush);
    for fill in [b'a', b'b'] {
        let mut push = b"\r\n+QSSLURC: \"recv\",3,1000\r\n".to_vec();
        push.extend([fill; 1000]);
        push.extend(b"\r\n");
        steps.push(reply(&push));
    }
    // The last push is checked once the module says something more.
    steps.extend([cmd("AT"), ok()]);
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx)
        .unwrap();
    // Nobody reads while both arrive.
    m.poll().unwrap();
    let mut buf = [0u8; 1500];
    let mut got = 0;
    while got < 1500 {
        got += m.read(&sock, &mut buf[got..]).unwrap();
    }
    assert!(buf[..1000].iter().all(|&b| b == b'a'));
    assert!(buf[1000..].iter().all(|&b| b == b'b'));
    assert_eq!(m.read(&sock, &mut buf), Err(Error::PushOverflow(500)));
    assert!(matches!(m.take_event(), Some(Event::Opened { .. })));
    assert_done(m);
}

#[test]
fn peer_close_ends_the_stream_after_the_remaining_data() {
    let mut rx = [0u8; 64];
    let mut steps = opened(4);
    steps.push(reply(
        b"\r\n+QSSLURC: \"recv\",4\r\n\r\n+QSSLURC: \"closed\",4\r\n",
    ));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(4, AccessMode::Buffer), &mut rx).unwrap();
    // Only `+QSSLRECV: 0` says the module is empty: a short read is read
    // after, then the stream ends.
    m.port_mut().push([
        cmd("AT+QSSLRECV=4,64"),
        reply(b"\r\n+QSSLRECV: 3\r\nbye\r\n\r\nOK\r\n"),
        cmd("AT+QSSLRECV=4,64"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 3);
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 0);
    assert_eq!(m.write(&sock, b"x"), Err(Error::Closed));
    m.port_mut().push([cmd("AT+QSSLCLOSE=4"), ok()]);
    m.close(&sock).unwrap();
    assert_done(m);
}

#[test]
fn a_reboot_fails_every_handle_and_init_recovers() {
    let mut rx = [0u8; 64];
    let mut m = modem(opened(0));
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().push([reply(
        b"\r\n+QIURC: \"pdpdeact\",1\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n",
    )]);
    m.poll().unwrap();
    assert!(!m.state().pdp_active(PdpContextId::new(1).unwrap()));
    assert_eq!(m.write(&sock, b"x"), Err(Error::ModuleReset));
    let mut buf = [0u8; 4];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::ModuleReset));
    assert!(m.close(&sock).is_ok());
    m.port_mut().push([
        cmd("AT"),
        reply(b"AT\r\r\nOK\r\n"),
        cmd("ATE0"),
        reply(b"ATE0\r\r\nOK\r\n"),
        cmd("AT+CMEE=1"),
        ok(),
        cmd("AT+QSSLSTATE"),
        ok(),
        cmd("AT+QIACT?"),
        ok(),
    ]);
    m.init().unwrap();
    assert_done(m);
}

#[test]
fn a_silent_module_times_out_and_the_next_command_goes_on() {
    let mut m = modem([cmd("AT+QIGETERROR")]);
    assert_eq!(m.last_error(), Err(Error::Timeout));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn nb_face_polls_the_same_operation() {
    let mut rx = [0u8; 64];
    let mut m = modem([cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,0"), ok()]);
    let mut open = ops::Open::new(open_cmd(0, AccessMode::Buffer), &mut rx);
    let mut polls = 0;
    let handle = loop {
        match m.poll_op(&mut open) {
            Ok(h) => break h,
            Err(nb::Error::WouldBlock) => {
                polls += 1;
                if polls == 3 {
                    m.port_mut().push([reply(b"\r\n+QSSLOPEN: 0,0\r\n")]);
                }
                assert!(polls < 100, "open never finished");
            }
            Err(nb::Error::Other(e)) => panic!("{e}"),
        }
    };
    assert_eq!(handle.client(), ClientId::new(0).unwrap());
    assert!(polls >= 3);
}

#[test]
fn a_corrupted_read_length_is_detected_not_delivered() {
    // The module announced 5 bytes but sent 8: the 3 left over are where
    // the line end should be.
    let mut rx = [0u8; 64];
    let mut steps = opened(1);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1\r\n"));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().push([
        cmd("AT+QSSLRECV=1,64"),
        reply(b"\r\n+QSSLRECV: 5\r\nabcdefgh\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    // Nothing of the misframed answer is delivered; the stream is done.
    // The engine resynchronises before anything else.
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_eq!(m.write(&sock, b"x"), Err(Error::Desynchronized));
    // The engine resynchronises before its next command, which then gets
    // its own answer.
    m.port_mut().push(resync(&[state_line(1, 0)], &[]));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn a_read_length_too_long_times_out_and_does_not_swallow_what_follows() {
    // 20 announced, 8 sent: the payload count would swallow the result code
    // and the next answer. The read times out; the count is abandoned.
    let mut rx = [0u8; 64];
    let mut steps = opened(2);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",2\r\n"));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().push([
        cmd("AT+QSSLRECV=2,64"),
        reply(b"\r\n+QSSLRECV: 20\r\nabcdefgh\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Timeout));
    // The count given up, what it swallowed can't be trusted: a resync
    // comes before the next command.
    m.port_mut().push(resync(&[state_line(2, 0)], &[]));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn a_read_left_in_flight_by_a_dropped_nb_operation_is_taken_over() {
    let mut rx = [0u8; 64];
    let mut steps = opened(3);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",3\r\n"));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(3, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().push([cmd("AT+QSSLRECV=3,64")]);
    let mut buf = [0u8; 16];
    // An nb caller polls once (the command goes out), then drops the op.
    assert_eq!(
        m.poll_op(&mut ops::Receive::new(sock, &mut buf)),
        Err(nb::Error::WouldBlock)
    );
    // The answer comes; a new read takes the old command over: no second
    // AT+QSSLRECV is written (the script would refuse it).
    m.port_mut()
        .push([reply(b"\r\n+QSSLRECV: 4\r\nabcd\r\n\r\nOK\r\n")]);
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"abcd");
    assert_done(m);
}

#[test]
fn a_stale_rdy_read_after_the_probe_does_not_shift_the_answers() {
    // `RDY` sat unread in the port (a UART ring filled while the MCU booted)
    // when init wrote its first `AT`. The engine takes it for a reboot, but
    // the module got that `AT` and answers it: the answer must be drained,
    // not paired with the next command (which would put every later answer
    // one command behind).
    let mut m = modem([reply(b"\r\nRDY\r\n"), cmd("AT")]);
    let mut init = ops::Init::new();
    for _ in 0..5 {
        // Without the drain, a second `AT` is written here at once, which
        // the script does not expect.
        assert!(matches!(m.poll_op(&mut init), Err(nb::Error::WouldBlock)));
    }
    m.port_mut().push([
        reply(b"\r\nOK\r\n"),
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
    ]);
    let report = loop {
        match m.poll_op(&mut init) {
            Ok(report) => break report,
            Err(nb::Error::WouldBlock) => {}
            Err(nb::Error::Other(e)) => panic!("{e}"),
        }
    };
    assert_eq!(report.active_pdp, 1);
    assert_done(m);
}

#[test]
fn a_real_reboot_mid_command_costs_a_short_wait_not_a_hang() {
    // The module rebooted after taking the command: no answer comes. The
    // next command goes once the grace for a late answer has run out.
    let mut m = modem([cmd("AT+QIGETERROR"), reply(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n")]);
    assert_eq!(m.last_error(), Err(Error::ModuleReset));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn a_read_length_one_to_four_too_long_is_detected_not_delivered() {
    // The payload swallows part of its own line end: only the bytes after
    // it tell. None of them is delivered as data, and the next command is
    // answered by its own answer.
    for extra in 1..=4 {
        let mut rx = [0u8; 64];
        let mut steps = opened(1);
        steps.push(reply(b"\r\n+QSSLURC: \"recv\",1\r\n"));
        let mut m = modem(steps);
        let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
        let answer = format!("\r\n+QSSLRECV: {}\r\nabcde\r\n\r\nOK\r\n", 5 + extra);
        m.port_mut()
            .push([cmd("AT+QSSLRECV=1,64"), reply(answer.as_bytes())]);
        let mut buf = [0u8; 16];
        assert_eq!(
            m.read(&sock, &mut buf),
            Err(Error::Desynchronized),
            "{extra} too long"
        );
        m.port_mut().push(resync(&[state_line(1, 0)], &[]));
        assert_eq!(
            m.read(&sock, &mut buf),
            Err(Error::Desynchronized),
            "{extra}"
        );
        m.port_mut().push([
            cmd("AT+QIGETERROR"),
            reply(b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n"),
        ]);
        let last = m.last_error().unwrap();
        assert_eq!(last.code.code(), 552, "{extra}");
        assert_done(m);
    }
}

#[test]
fn a_push_length_too_long_drops_the_push_and_breaks_the_stream() {
    // 8 announced, 6 sent: the count swallows the push's own line end, and
    // the next output's CR LF would have passed a check of one CR LF. The
    // bytes are held until the line after them is checked, then dropped.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(3, AccessMode::DirectPush);
    steps.push(reply(
        b"\r\n+QSSLURC: \"recv\",3,3\r\nabc\r\n\r\n+QSSLURC: \"recv\",3,8\r\nabcdef\r\n\r\n+QSSLURC: \"recv\",3,2\r\nxy\r\n",
    ));
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx)
        .unwrap();
    let mut buf = [0u8; 16];
    // The good push before it is delivered; nothing after.
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    // The push seen in the quarantine is not taken (it could be the
    // peer's bytes): the resync runs before the close.
    m.port_mut().push(resync(&[state_line(3, 1)], &[]));
    m.port_mut().push([cmd("AT+QSSLCLOSE=3"), ok()]);
    m.close(&sock).unwrap();
    assert_done(m);
}

#[test]
fn a_push_at_the_end_of_the_output_is_checked_by_an_answer_the_engine_provokes() {
    // Nothing follows the last push: its check needs the CR LF the module's
    // next output starts with. A read waiting for it writes `AT`; the bytes
    // are handed over only once its answer has come.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(5, AccessMode::DirectPush);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",5,6\r\nabcdef\r\n"));
    steps.extend([cmd("AT"), ok()]);
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(5, AccessMode::DirectPush), &mut rx)
        .unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 6);
    assert_eq!(&buf[..6], b"abcdef");
    // A push followed at once by more output needs nothing written.
    m.port_mut().push([reply(
        b"\r\n+QSSLURC: \"recv\",5,2\r\nxy\r\n\r\n+QSSLURC: \"recv\",5,1\r\nz\r\n",
    )]);
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 2);
    assert_eq!(&buf[..2], b"xy");
    assert_done(m);
}

#[test]
fn a_push_cut_short_is_never_released() {
    // The module announced 6 and only 4 came (bytes lost on the line): the
    // count waits for the rest; nothing is handed over meanwhile, however
    // long the line is quiet.
    let mut rx = [0u8; 1500];
    let mut steps = opened_in(6, AccessMode::DirectPush);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",6,6\r\nabcd"));
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(6, AccessMode::DirectPush), &mut rx)
        .unwrap();
    let mut buf = [0u8; 16];
    for _ in 0..50 {
        assert_eq!(
            m.poll_op(&mut ops::Receive::new(sock, &mut buf)),
            Err(nb::Error::WouldBlock)
        );
    }
    assert_done(m);
}

#[test]
fn no_carrier_resynchronises_the_port_before_the_next_command() {
    // The peer closed while transparent bytes were on their way: the module
    // took "hello" as a command line (ERROR) and holds "wor" as the start
    // of the next. The driver ends that line and probes before its next
    // command, so neither ERROR is taken for that command's answer.
    let mut rx = [0u8; 64];
    let mut steps = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"hello\rwor"),
        // The module's answer to the user's "hello", and an `OK` the user's
        // data could as well have asked for: neither answers anything.
        reply(b"\r\nNO CARRIER\r\n\r\nERROR\r\n\r\nOK\r\n"),
    ];
    // The resync's CR ends the "wor" line (answered ERROR, dropped).
    steps.extend(resync(
        &["+QSSLSTATE: 0,\"SSLClient\",\"1.2.3.4\",443,5000,4,1,0,2,\"uart1\",0".into()],
        &[],
    ));
    steps.extend([cmd("AT+QSSLCLOSE=0"), ok()]);
    let mut m = modem(steps);
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    assert_eq!(
        m.transparent(&sock).unwrap().write(b"hello\rwor").unwrap(),
        9
    );
    // The port is back in command mode; the socket must be closed.
    assert_eq!(m.write(&sock, b"x"), Err(Error::Closed));
    m.close(&sock).unwrap();
    assert_done(m);
}

#[test]
fn no_carrier_in_the_middle_of_a_transparent_write_stops_it() {
    // Written 4 bytes at a time; NO CARRIER is read after the first piece.
    // The rest is not written (it would be command text to the module), and
    // only the bytes written are reported.
    let mut rx = [0u8; 64];
    let mut steps = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
        data(b"0123"),
        reply(b"\r\nNO CARRIER\r\n"),
    ];
    steps.extend(resync(&[], &[]));
    steps.extend([cmd("AT+QSSLCLOSE=0"), ok()]);
    let config = Config {
        write_chunk: 4,
        ..Config::default()
    };
    let mut m: TestModem<'_> = Modem::with_config(ScriptPort::new(steps), sim_time(), config);
    let sock = m
        .open(open_cmd(0, AccessMode::Transparent), &mut rx)
        .unwrap();
    let mut t = m.transparent(&sock).unwrap();
    assert_eq!(t.write(b"0123456789abcdef").unwrap(), 4);
    assert!(t.write(b"456789abcdef").is_err());
    m.close(&sock).unwrap();
    assert_done(m);
}

#[test]
fn a_lookup_is_answered_by_its_result_line_and_the_addresses_it_counts() {
    let urc = |text: &str| format!("\r\n+QIURC: \"dnsgip\",{text}\r\n");
    let mut answer = urc("0,5,600");
    for i in 1..=5 {
        answer.push_str(&urc(&format!("\"10.0.0.{i}\"")));
    }
    let mut m = modem([
        cmd("AT+QIDNSGIP=1,\"example.com\""),
        ok(),
        reply(answer.as_bytes()),
        cmd("AT+QIDNSGIP=1,\"example.com\""),
        ok(),
        reply(urc("565").as_bytes()),
    ]);
    let context = PdpContextId::new(1).unwrap();
    let host = || HostName::new("example.com").unwrap();
    let found = m.resolve(context, host()).unwrap();
    let first: Vec<String> = found.addrs.iter().map(|a| a.to_string()).collect();
    assert_eq!(first, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]);
    assert_eq!(found.ttl_s, 600);
    assert_eq!(
        m.resolve(context, host()).map(|r| r.addrs.len()),
        Err(Error::Ssl(SslErrorCode::from(565)))
    );
    assert_done(m);
}

#[test]
fn a_send_cut_by_a_stale_rdy_is_still_cancelled_on_a_doubt_before_its_prompt() {
    // `RDY` was stale: the module got `AT+QSSLSEND` and its prompt may
    // still come. A line no module prints then starts a doubt: the resync
    // writes ESC first, as for any send whose prompt may come, so that
    // the module does not take `ATE1` as the payload.
    let mut rx = [0u8; 64];
    let mut steps = opened(1);
    steps.extend([cmd("AT+QSSLSEND=1,5"), reply(b"\r\nRDY\r\n")]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    assert_eq!(m.write(&sock, b"hello"), Err(Error::ModuleReset));
    let mut after = vec![
        reply(b"\r\n+QSSLURC: \"recv\",84,6\r\n"),
        data(&[0x1B]),
        reply(b"\r\n> \r\nSEND FAIL\r\n"),
    ];
    after.extend(resync(&[], &[]));
    after.extend(last_error_steps());
    m.port_mut().push(after);
    assert!(m.last_error().unwrap().code.is_success());
    assert_done(m);
}

#[test]
fn a_read_cut_by_a_stale_rdy_delivers_nothing_of_its_late_answer() {
    // The module got `AT+QSSLRECV` before the stale `RDY` was read, and
    // answers it: the data is of a socket the reboot closed, for no one.
    // An answer with no read to own it is a doubt: the resync confirms
    // what the module still has.
    let mut rx = [0u8; 64];
    let mut steps = opened(1);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1\r\n"));
    steps.extend([cmd("AT+QSSLRECV=1,64"), reply(b"\r\nRDY\r\n")]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::ModuleReset));
    m.port_mut()
        .push([reply(b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n")]);
    m.port_mut().push(resync(&[], &[]));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
    let events: Vec<Event> = core::iter::from_fn(|| m.take_event()).collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::PushOverflow { .. })),
        "{events:?}"
    );
    assert_eq!(m.read(&sock, &mut buf), Err(Error::ModuleReset));
    assert_done(m);
}
