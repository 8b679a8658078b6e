//! Behaviours of the engine core (`src/modem/core/`) that only a scripted
//! exchange shows exactly: what is written when an operation is given up
//! half-way, when an answer's deadline starts, where received bytes go.
//! Each pins a line a mutation run (`cargo mutants`) found untested.

mod common;

use common::clock::SharedClock;
use common::script::*;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops;
use quectel_ssl::*;

type ClockedModem<'r> = Modem<'r, ScriptPort, SharedClock>;

/// A modem whose clock the test moves.
fn clocked<'r>(steps: Vec<Step>) -> (ClockedModem<'r>, SharedClock) {
    let clock = SharedClock::default();
    (Modem::new(ScriptPort::new(steps), clock.clone()), clock)
}

/// Poll `op` until it is done (at most `polls` times, `step_ms` apart).
fn drive<'r, O: ops::Op<'r>>(
    m: &mut ClockedModem<'r>,
    clock: &SharedClock,
    op: &mut O,
    polls: usize,
    step_ms: u64,
) -> Option<Result<O::Output, Error>> {
    (0..polls).find_map(|_| match m.poll_op(op) {
        Err(nb::Error::WouldBlock) => {
            clock.advance(step_ms);
            None
        }
        Err(nb::Error::Other(e)) => Some(Err(e)),
        Ok(v) => Some(Ok(v)),
    })
}

#[test]
fn a_given_up_sends_payload_is_finished_with_zeros_not_the_next_sends_bytes() {
    // The port fills up after four payload bytes of a send to socket 0,
    // and the send is given up; then another after its prompt with no
    // payload byte written. The module, at its prompt, waits for the
    // announced bytes: the engine completes each with zeros (exactly as
    // many as owed) before the next send's command, whose own bytes go
    // only where they belong.
    let (mut rx0, mut rx1) = ([0u8; 64], [0u8; 64]);
    let mut steps = opened(0);
    steps.extend(opened(1));
    steps.extend([
        cmd("AT+QSSLSEND=0,10"),
        reply(b"\r\n> "),
        data(b"0123"),
        data(&[0; 6]),
        reply(b"\r\nSEND OK\r\n"),
        cmd("AT+QSSLSEND=1,5"),
        reply(b"\r\n> "),
        data(&[0; 5]),
        reply(b"\r\nSEND OK\r\n"),
        cmd("AT+QSSLSEND=1,10"),
        reply(b"\r\n> "),
        data(b"abcdefghij"),
        reply(b"\r\nSEND OK\r\n"),
    ]);
    let (mut m, clock) = clocked(steps);
    let s0 = m.open(open_cmd(0, AccessMode::Buffer), &mut rx0).unwrap();
    let s1 = m.open(open_cmd(1, AccessMode::Buffer), &mut rx1).unwrap();

    m.port_mut().accept = Some("AT+QSSLSEND=0,10\r".len() + 4);
    let mut first = ops::SendOnce::new(s0, b"0123456789");
    assert_eq!(drive(&mut m, &clock, &mut first, 3, 1), None);
    drop(first);
    m.port_mut().accept = Some(6 + "AT+QSSLSEND=1,5\r".len());
    let mut second = ops::SendOnce::new(s1, b"vwxyz");
    assert_eq!(drive(&mut m, &clock, &mut second, 100, 100), None);
    drop(second);

    m.port_mut().accept = None;
    let mut third = ops::SendOnce::new(s1, b"abcdefghij");
    let sent = drive(&mut m, &clock, &mut third, 200, 100);
    assert_eq!(sent, Some(Ok(10)), "left: {:?}", m.port().remaining());
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_send_given_up_mid_payload_owes_its_bytes_before_a_doubts_resync() {
    // The port fills up after four payload bytes and the send is given
    // up; a line no module prints waits in the port. The module at its
    // prompt waits for six more bytes: they go out first (zeros), then the
    // resync's ESC and lines (written earlier they would be taken as
    // payload, sent to the peer).
    let mut rx = [0u8; 64];
    let mut steps = opened(0);
    steps.extend([
        cmd("AT+QSSLSEND=0,10"),
        reply(b"\r\n> "),
        data(b"0123"),
        reply(b"\r\n\x01\x02\r\n"),
    ]);
    let (mut m, clock) = clocked(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    m.port_mut().accept = Some("AT+QSSLSEND=0,10\r".len() + 4);
    let mut send = ops::SendOnce::new(sock, b"0123456789");
    assert_eq!(drive(&mut m, &clock, &mut send, 3, 1), None);
    drop(send);
    let mut after = vec![data(&[0; 6]), reply(b"\r\nSEND OK\r\n"), data(&[0x1B])];
    after.extend(resync(&[state_line(0, 0)], &[]));
    after.extend(last_error_steps());
    m.port_mut().push(after);
    m.port_mut().accept = None;
    let mut last_error = ops::Command::new(quectel_ssl::command::ssl_socket::GetLastError);
    let answer = drive(&mut m, &clock, &mut last_error, 1000, 10);
    assert!(matches!(answer, Some(Ok(_))), "{answer:?}");
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn an_answers_deadline_starts_when_its_last_byte_is_written() {
    // `AT` goes out a byte a second (the port is full in between); its
    // `OK` comes 250 ms after the last byte: within the 300 ms the module
    // has from the moment it has the whole command, so it is the answer,
    // not a timeout.
    let (mut m, clock) = clocked(vec![cmd("AT")]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    for i in 0..3 {
        if i > 0 {
            clock.advance(1_000);
        }
        m.port_mut().accept = Some(1);
        assert_eq!(drive(&mut m, &clock, &mut at, 1, 0), None);
    }
    assert_eq!(m.port().all_written, b"AT\r");
    m.port_mut().accept = None;
    assert_eq!(drive(&mut m, &clock, &mut at, 25, 10), None);
    m.port_mut().push([ok()]);
    assert_eq!(
        drive(&mut m, &clock, &mut at, 1, 10),
        Some(Ok(quectel_ssl::command::NoResponse))
    );
}

/// Socket 0 opened in transparent mode (`CONNECT`), then `steps`.
fn transparent_session(steps: Vec<Step>) -> Vec<Step> {
    let mut all = vec![
        cmd("AT+QSSLOPEN=1,0,0,\"example.com\",443,2"),
        reply(b"\r\nCONNECT\r\n"),
    ];
    all.extend(steps);
    all
}

#[test]
fn the_escape_keeps_the_guard_time_and_a_margin_before_its_plus_signs() {
    // The module takes `+++` as an escape only after a guard time (1 s)
    // of silence; the engine keeps more, so that a clock that rounds, or
    // a module whose clock runs a little fast, never sees it short.
    let silence = silence_before_the_escape(0);
    assert!(
        (1_050..1_100).contains(&silence),
        "`+++` after {silence} ms of silence (guard time 1000 ms and 5 %)"
    );
}

/// Socket 0 transparent, `abc` written, the user back after `pause_ms`
/// with an escape: how long after that the `+++` went out (the escape
/// must then end with the module's `OK`).
fn silence_before_the_escape(pause_ms: u64) -> u64 {
    let mut rx = [0u8; 64];
    let steps = transparent_session(vec![data(b"abc"), data(b"+++"), ok()]);
    let (mut m, clock) = clocked(steps);
    let sock = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(0, AccessMode::Transparent), &mut rx),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    let mut write = ops::RawWrite::new(sock, b"abc");
    assert_eq!(drive(&mut m, &clock, &mut write, 5, 0), Some(Ok(3)));
    clock.advance(pause_ms);
    let back_at = clock_now(&clock);
    let mut escape = ops::Escape::new();
    let mut plus_at = None;
    let mut done = None;
    for _ in 0..5_000 {
        let result = m.poll_op(&mut escape);
        if plus_at.is_none() && m.port().all_written.ends_with(b"+++") {
            plus_at = Some(clock_now(&clock));
        }
        if !matches!(result, Err(nb::Error::WouldBlock)) {
            done = Some(result);
            break;
        }
        clock.advance(1);
    }
    assert_eq!(done, Some(Ok(())));
    plus_at.expect("no escape") - back_at
}

#[test]
fn an_escape_the_module_did_not_take_leaves_the_port_to_the_users_bytes() {
    // No `OK` comes after the `+++` and the line stays quiet: the module
    // did not take the escape, it is still transparent. The escape times
    // out, and the user's next bytes go to the peer (they are not held
    // for an `OK` that will not come).
    let mut rx = [0u8; 64];
    let steps = transparent_session(vec![data(b"+++"), data(b"more")]);
    let (mut m, clock) = clocked(steps);
    let mut open = ops::Open::new(open_cmd(0, AccessMode::Transparent), &mut rx);
    let sock = drive(&mut m, &clock, &mut open, 5, 0).unwrap().unwrap();
    let escaped = drive(&mut m, &clock, &mut ops::Escape::new(), 5_000, 1);
    assert_eq!(escaped, Some(Err(Error::Timeout)));
    assert!(matches!(
        m.state().port(),
        quectel_ssl::state::PortMode::Transparent(_)
    ));
    let mut write = ops::RawWrite::new(sock, b"more");
    assert_eq!(drive(&mut m, &clock, &mut write, 5_000, 1), Some(Ok(4)));
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

fn clock_now(clock: &SharedClock) -> u64 {
    use quectel_ssl::modem::Clock;
    clock.clone().now_ms()
}

#[test]
fn a_plus_after_nine_tenths_of_the_guard_time_is_taken_as_after_a_silence() {
    // 950 ms after the last byte (a module whose clock runs 5 % fast has
    // seen its guard time), the user writes `+++b`: the third `+` waits
    // until the guard time after the first has passed, so those three can
    // never be an escape.
    let mut rx = [0u8; 64];
    let steps = transparent_session(vec![data(b"a+++b")]);
    let (mut m, clock) = clocked(steps);
    let sock = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(0, AccessMode::Transparent), &mut rx),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        drive(&mut m, &clock, &mut ops::RawWrite::new(sock, b"a"), 5, 0),
        Some(Ok(1))
    );
    clock.advance(950);
    let mut write = ops::RawWrite::new(sock, b"+++b");
    assert!(!matches!(m.poll_op(&mut write), Ok(4)));
    assert!(m.port().all_written.ends_with(b"\ra++"));
    assert!(drive(&mut m, &clock, &mut write, 2_000, 1).is_some());
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_given_up_commands_answer_is_waited_for_only_while_the_line_is_quiet_a_moment() {
    // `AT` gets no answer and times out; it is then an orphan whose
    // answer could still come. After half a second of seen silence it is
    // given up for good and the next command goes (not after a minute).
    let steps = vec![cmd("AT"), cmd("AT"), ok()];
    let (mut m, clock) = clocked(steps);
    let mut first = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(
        drive(&mut m, &clock, &mut first, 1_000, 10),
        Some(Err(Error::Timeout))
    );
    let gave_up = clock_now(&clock);
    let mut second = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(
        drive(&mut m, &clock, &mut second, 10_000, 10),
        Some(Ok(quectel_ssl::command::NoResponse))
    );
    let waited = clock_now(&clock) - gave_up;
    assert!(
        (500..2_000).contains(&waited),
        "the next command went {waited} ms after the timeout"
    );
}

#[test]
fn a_push_waiting_for_its_check_provokes_an_answer_only_for_its_own_reader() {
    // Socket 1's push ends the module's output: its check (the CR LF the
    // next output starts with) waits. A read on socket 0, which has
    // nothing, must not make the module talk; socket 1's read does
    // (`AT`), and gets the bytes once they are checked.
    let (mut rx0, mut rx1) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = opened_in(0, AccessMode::DirectPush);
    steps.extend(opened_in(1, AccessMode::DirectPush));
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1,5\r\nhello\r\n"));
    steps.extend([cmd("AT"), ok()]);
    let (mut m, clock) = clocked(steps);
    let s0 = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(0, AccessMode::DirectPush), &mut rx0),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    let s1 = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(1, AccessMode::DirectPush), &mut rx1),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    let mut buf = [0u8; 16];
    let before = m.port().all_written.len();
    assert_eq!(
        drive(
            &mut m,
            &clock,
            &mut ops::Receive::new(s0, &mut buf),
            100,
            10
        ),
        None
    );
    assert_eq!(m.port().all_written.len(), before, "socket 0's read wrote");
    let got = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(s1, &mut buf),
        100,
        10,
    );
    assert_eq!(got, Some(Ok(5)));
    assert_eq!(&buf[..5], b"hello");
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn events_are_reported_in_order() {
    // A peer close and a PDP loss, as the module reports them.
    let mut rx = [0u8; 64];
    let mut steps = opened(3);
    steps.push(reply(
        b"\r\n+QSSLURC: \"closed\",3\r\n\r\n+QIURC: \"pdpdeact\",1\r\n",
    ));
    let mut m = modem(steps);
    let sock = m.open(open_cmd(3, AccessMode::Buffer), &mut rx).unwrap();
    m.poll().unwrap();
    assert_eq!(
        m.take_event(),
        Some(quectel_ssl::modem::Event::Opened {
            client: sock.client(),
            result: SslErrorCode::Success
        })
    );
    assert_eq!(
        m.take_event(),
        Some(quectel_ssl::modem::Event::Closed {
            client: sock.client()
        })
    );
    assert!(matches!(
        m.take_event(),
        Some(quectel_ssl::modem::Event::PdpDeactivated { .. })
    ));
    assert_eq!(m.take_event(), None);
}

#[test]
fn a_resync_reports_the_close_the_quarantine_hid() {
    // A stray `OK` starts a quarantine; meanwhile (its notice dropped)
    // the peer closed socket 3. The resync learns it from the module and
    // reports it as an event.
    let mut rx = [0u8; 64];
    let mut steps = opened(3);
    steps.push(reply(b"\r\nOK\r\n"));
    steps.extend(resync(
        &["+QSSLSTATE: 3,\"SSLClient\",\"1.2.3.4\",443,5000,4,1,0,0,\"uart1\",0".to_string()],
        &[],
    ));
    steps.extend([cmd("AT"), ok()]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(3, AccessMode::Buffer), &mut rx).unwrap();
    m.command(quectel_ssl::command::device::At).unwrap();
    let events: Vec<_> = std::iter::from_fn(|| m.take_event()).collect();
    assert_eq!(
        events[1..],
        [quectel_ssl::modem::Event::Closed {
            client: sock.client()
        }]
    );
    assert_done(m);
}

// ----- what a context's configuration changes ------------------------------

use quectel_ssl::command::ssl_config::{CloseTimeMode, DtlsVersion, SecLevel};
use quectel_ssl::command::ssl_socket::OpenSslSocket;

/// Every `AT+QSSLCFG` write answered `OK`.
fn configured() -> Step {
    Step::AllOk(b"AT+QSSLCFG=".to_vec())
}

/// A configuration that needs no files.
fn no_files() -> ops::SslConfig<'static> {
    ops::SslConfig {
        security: SecLevel::NoAuthentication,
        ..ops::SslConfig::default()
    }
}

/// Open `client` on SSL context `ctx`.
fn open_on(ctx: u8, client: u8, mode: AccessMode) -> OpenSslSocket<'static> {
    OpenSslSocket::new(
        PdpContextId::new(1).unwrap(),
        SslContextId::new(ctx).unwrap(),
        ClientId::new(client).unwrap(),
        HostName::new("example.com").unwrap(),
        443,
        mode,
    )
    .unwrap()
}

fn ctx(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}

#[test]
fn an_open_waits_for_its_result_as_long_as_the_contexts_negotiate_time_allows() {
    // `negotiatetime` 20 s on context 1: the result of an open there may
    // take the network's 150 s plus those 20 s, no more; on context 2
    // (never configured: the module's longest, 300 s) it may take 450 s.
    let (mut rx1, mut rx2) = ([0u8; 64], [0u8; 64]);
    let steps = vec![
        configured(),
        cmd("AT+QSSLOPEN=1,1,4,\"example.com\",443,0"),
        ok(),
        cmd("AT+QSSLCLOSE=4"),
        ok(),
        cmd("AT+QSSLOPEN=1,2,4,\"example.com\",443,0"),
        ok(),
        cmd("AT+QSSLCLOSE=4"),
        ok(),
    ];
    let (mut m, clock) = clocked(steps);
    let config = ops::SslConfig {
        negotiate_time: NegotiateTime::new(20).unwrap(),
        ..no_files()
    };
    m.configure_ssl(ctx(1), &config).unwrap();
    for (context, allowed_s, rx) in [(1, 170, &mut rx1), (2, 450, &mut rx2)] {
        let start = clock_now(&clock);
        let opened = m.open(open_on(context, 4, AccessMode::Buffer), rx);
        assert_eq!(opened.err(), Some(Error::Timeout));
        let waited_s = (clock_now(&clock) - start) / 1_000;
        assert_eq!(waited_s, allowed_s, "context {context}");
    }
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_close_waits_as_long_as_its_linger_in_the_contexts_time_unit() {
    // `closetimemode` 1 on context 1: `AT+QSSLCLOSE=<id>,10` lingers
    // 10 ms; on context 0 (seconds, the default) 10 s. Then context 1
    // set back to seconds. Each close's answer is waited for that long
    // plus a second.
    let (mut rx0, mut rx1, mut rx2) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    let mut steps = vec![configured()];
    steps.extend(opened(0));
    steps.extend([
        cmd("AT+QSSLOPEN=1,1,1,\"example.com\",443,0"),
        ok(),
        reply(b"\r\n+QSSLOPEN: 1,0\r\n"),
        cmd("AT+QSSLCLOSE=1,10"),
        cmd("AT+QSSLCLOSE=0,10"),
        configured(),
        cmd("AT+QSSLOPEN=1,1,2,\"example.com\",443,0"),
        ok(),
        reply(b"\r\n+QSSLOPEN: 2,0\r\n"),
        cmd("AT+QSSLCLOSE=2,10"),
    ]);
    let (mut m, clock) = clocked(steps);
    let in_ms = ops::SslConfig {
        close_time_mode: Some(CloseTimeMode::Milliseconds),
        ..no_files()
    };
    m.configure_ssl(ctx(1), &in_ms).unwrap();
    let s0 = m.open(open_cmd(0, AccessMode::Buffer), &mut rx0).unwrap();
    let s1 = m.open(open_on(1, 1, AccessMode::Buffer), &mut rx1).unwrap();
    let waited = |m: &mut ClockedModem<'_>, sock| {
        let start = clock_now(&clock);
        assert_eq!(m.close_with_timeout(&sock, 10).err(), Some(Error::Timeout));
        clock_now(&clock) - start
    };
    let ms = waited(&mut m, s1);
    assert!((1_010..2_000).contains(&ms), "milliseconds: waited {ms} ms");
    let s = waited(&mut m, s0);
    assert!((11_000..12_000).contains(&s), "seconds: waited {s} ms");
    let in_s = ops::SslConfig {
        close_time_mode: Some(CloseTimeMode::Seconds),
        ..no_files()
    };
    m.configure_ssl(ctx(1), &in_s).unwrap();
    let s2 = m.open(open_on(1, 2, AccessMode::Buffer), &mut rx2).unwrap();
    let s = waited(&mut m, s2);
    assert!(
        (11_000..12_000).contains(&s),
        "back to seconds: waited {s} ms"
    );
}

#[test]
fn a_dtls_context_keeps_datagrams_apart() {
    // Two datagrams pushed on a DTLS context are read one by one; the same
    // bytes on a TLS context are a stream.
    let (mut rx0, mut rx1) = ([0u8; 1500], [0u8; 1500]);
    let mut steps = vec![configured()];
    for (context, client) in [(2, 0), (3, 1)] {
        steps.extend([
            cmd(&format!(
                "AT+QSSLOPEN=1,{context},{client},\"example.com\",443,1"
            )),
            ok(),
            reply(format!("\r\n+QSSLOPEN: {client},0\r\n").as_bytes()),
        ]);
    }
    steps.push(reply(
        b"\r\n+QSSLURC: \"recv\",0,3\r\nabc\r\n\r\n+QSSLURC: \"recv\",0,4\r\ndefg\r\n\
          \r\n+QSSLURC: \"recv\",1,3\r\nabc\r\n\r\n+QSSLURC: \"recv\",1,4\r\ndefg\r\n",
    ));
    steps.extend([cmd("AT"), ok()]);
    let (mut m, clock) = clocked(steps);
    let dtls = ops::SslConfig {
        dtls: Some(DtlsVersion::Dtls12),
        ..no_files()
    };
    m.configure_ssl(ctx(2), &dtls).unwrap();
    let s0 = m
        .open(open_on(2, 0, AccessMode::DirectPush), &mut rx0)
        .unwrap();
    let s1 = m
        .open(open_on(3, 1, AccessMode::DirectPush), &mut rx1)
        .unwrap();
    let mut buf = [0u8; 16];
    for datagram in [&b"abc"[..], b"defg"] {
        let mut read = ops::Receive::datagram(s0, &mut buf);
        let got = drive(&mut m, &clock, &mut read, 20, 10);
        assert_eq!(got, Some(Ok(datagram.len())));
        assert_eq!(&buf[..datagram.len()], datagram);
    }
    // No boundaries on the TLS socket: no datagram to take, only bytes.
    let mut datagram = ops::Receive::datagram(s1, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut datagram, 20, 10), None);
    drop(datagram);
    assert_eq!(m.read(&s1, &mut buf), Ok(7));
    assert_eq!(&buf[..7], b"abcdefg");
}

// ----- the port: when bytes left it, where received bytes go ---------------

#[test]
fn the_escapes_guard_time_counts_from_when_the_port_was_flushed() {
    // The port buffers what it is handed: bytes written at 0 may still be
    // on the wire much later. The escape flushes the port first; the guard
    // time counts from there (the user came back after 2 s).
    let silence = silence_before_the_escape(2_000);
    assert!(
        (1_050..1_100).contains(&silence),
        "`+++` {silence} ms after the flush"
    );
}

/// Direct-push socket 0 with a 1500-byte receive buffer, its reads handed
/// over 50 bytes at a time, then `steps`.
fn pushed_in_pieces<'r>(
    rx: &'r mut [u8; 1500],
    steps: Vec<Step>,
) -> (ClockedModem<'r>, SharedClock, SocketHandle) {
    let mut all = opened_in(0, AccessMode::DirectPush);
    all.extend(steps);
    let (mut m, clock) = clocked(all);
    m.port_mut().read_chunk = Some(50);
    let sock = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(0, AccessMode::DirectPush), rx),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    (m, clock, sock)
}

#[test]
fn a_push_into_a_full_receive_buffer_is_reported_lost_and_nothing_waits_for_it() {
    // 1500 bytes fill the buffer; 100 more come, read a piece at a time,
    // with no room: they are dropped (the buffer keeps the first 1500) and
    // reported after them. The last push ends the output, its check still
    // waiting: with none of its bytes kept, no read makes the module talk.
    let first: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let mut reply_bytes = push_frame(0, &first);
    reply_bytes.extend(push_frame(0, &[7; 100]));
    let mut rx = [0u8; 1500];
    let (mut m, clock, sock) =
        pushed_in_pieces(&mut rx, vec![reply(&reply_bytes), cmd("AT"), ok()]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 1).is_some());
    // Nothing read yet: the port is still drained, a command answered.
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(
        drive(&mut m, &clock, &mut at, 100, 10),
        Some(Ok(_))
    ));
    let mut got = Vec::new();
    let mut buf = [0u8; 600];
    while got.len() < 1500 {
        let n = drive(
            &mut m,
            &clock,
            &mut ops::Receive::new(sock, &mut buf),
            200,
            1,
        );
        let n = n.expect("a read stalled").unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, first);
    let lost = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(sock, &mut buf),
        200,
        1,
    );
    assert_eq!(lost, Some(Err(Error::PushOverflow(100))));
    let before = m.port().all_written.len();
    let more = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(sock, &mut buf),
        50,
        10,
    );
    assert_eq!(more, None);
    assert_eq!(m.port().all_written.len(), before, "the read wrote");
}

#[test]
fn a_push_dropped_whole_is_not_checked_by_making_the_module_talk() {
    // The module's last output is a push of 100 bytes for a full buffer:
    // all dropped, its line end still to be checked. With none of its
    // bytes kept there is nothing to check: once the loss is reported, a
    // read waits for data and writes nothing (no `AT` to provoke output).
    let first: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let mut pushes = push_frame(0, &first);
    pushes.extend(push_frame(0, &[7; 100]));
    let mut rx = [0u8; 1500];
    let (mut m, clock, sock) = pushed_in_pieces(&mut rx, vec![reply(&pushes)]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 1).is_some());
    let mut buf = [0u8; 1500];
    let mut read = |m: &mut ClockedModem<'_>, polls| {
        drive(m, &clock, &mut ops::Receive::new(sock, &mut buf), polls, 10)
    };
    assert_eq!(read(&mut m, 10), Some(Ok(1500)));
    assert_eq!(read(&mut m, 10), Some(Err(Error::PushOverflow(100))));
    assert_eq!(read(&mut m, 100), None);
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_push_whose_header_ends_a_read_finds_the_full_buffer_and_is_dropped_not_waited_on() {
    // Read 5 bytes at a time, the second push's header ends exactly at a
    // read's end: its payload starts a read of its own, with the buffer
    // full and no loss yet. It is dropped and reported like any other
    // (the engine does not stop reading the port for it: the answers
    // behind it would wait for the user).
    let first: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let mut pushes = push_frame(0, &first);
    let second = push_frame(0, &[7; 100]);
    let up_to_its_payload = pushes.len() + second.len() - 100 - 2;
    assert_eq!(up_to_its_payload % 5, 0);
    pushes.extend(second);
    let mut rx = [0u8; 1500];
    let (mut m, clock, sock) = pushed_in_pieces(&mut rx, vec![]);
    m.port_mut().read_chunk = Some(5);
    m.port_mut().push([reply(&pushes), cmd("AT"), ok()]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(
        drive(&mut m, &clock, &mut at, 100, 10),
        Some(Ok(_))
    ));
    let mut buf = [0u8; 1500];
    let mut read =
        |m: &mut ClockedModem<'_>| drive(m, &clock, &mut ops::Receive::new(sock, &mut buf), 10, 10);
    assert_eq!(read(&mut m), Some(Ok(1500)));
    assert_eq!(read(&mut m), Some(Err(Error::PushOverflow(100))));
}

#[test]
fn a_broken_stream_keeps_no_push_that_comes_after_the_break() {
    // A push to socket 0 whose length was wrong (its trailer does not
    // follow) breaks the socket's stream; after the resync, a push that
    // comes for it, read a piece at a time, is not handed over: the socket
    // reports the break.
    let mut rx = [0u8; 1500];
    let mut steps = vec![reply(b"\r\n+QSSLURC: \"recv\",0,5\r\nhelloXX\r\n")];
    steps.extend(resync(&[state_line(0, 1)], &["+QIACT: 1,1,1,\"10.0.0.2\""]));
    steps.extend([cmd("AT"), ok()]);
    let (mut m, clock, sock) = pushed_in_pieces(&mut rx, steps);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 1).is_some());
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(
        drive(&mut m, &clock, &mut at, 500, 10),
        Some(Ok(_))
    ));
    m.port_mut()
        .push([reply(&push_frame(0, &[b'x'; 200])), cmd("AT"), ok()]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 10).is_some());
    let mut buf = [0u8; 600];
    let read = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(sock, &mut buf),
        200,
        10,
    );
    assert_eq!(read, Some(Err(Error::Desynchronized)));
}

#[test]
fn a_read_takes_over_the_read_a_dropped_operation_left_in_flight() {
    // An nb caller polls a read once (its `AT+QSSLRECV` goes out), drops
    // it and makes a new read of the same socket: the new read owns the
    // command in flight and gets its answer at once, without waiting out
    // the first one's answer time (no time passes here).
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
    ]);
    let (mut m, clock) = clocked(steps);
    let mut open = ops::Open::new(open_cmd(0, AccessMode::Buffer), &mut rx);
    let sock = drive(&mut m, &clock, &mut open, 5, 0).unwrap().unwrap();
    let mut buf = [0u8; 256];
    let mut first = ops::Receive::new(sock, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut first, 1, 0), None);
    drop(first);
    assert!(m.port().all_written.ends_with(b"AT+QSSLRECV=0,256\r"));
    m.port_mut()
        .push([reply(b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n")]);
    let mut second = ops::Receive::new(sock, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut second, 10, 0), Some(Ok(3)));
    assert_eq!(&buf[..3], b"abc");
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_read_that_timed_out_keeps_none_of_its_late_answer() {
    // A read's answer does not come in time: the read fails and the
    // socket's stream is broken there. The answer then comes after all,
    // a piece at a time: its bytes are not handed over later.
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
    ]);
    let (mut m, clock) = clocked(steps);
    m.port_mut().read_chunk = Some(50);
    let sock = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(0, AccessMode::Buffer), &mut rx),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    let mut buf = [0u8; 256];
    let read = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(sock, &mut buf),
        1_000,
        10,
    );
    assert_eq!(read, Some(Err(Error::Timeout)));
    let mut late = b"\r\n+QSSLRECV: 200\r\n".to_vec();
    late.extend([b'y'; 200]);
    late.extend(b"\r\n\r\nOK\r\n");
    m.port_mut().push([reply(&late)]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 10).is_some());
    let read = drive(
        &mut m,
        &clock,
        &mut ops::Receive::new(sock, &mut buf),
        100,
        10,
    );
    assert_eq!(read, Some(Err(Error::Closed)));
}

// ----- which lines an answer takes -----------------------------------------

#[test]
fn a_command_takes_the_urc_shaped_line_that_answers_it() {
    // `+CPIN:` is also what the module prints on its own at boot: while
    // `AT+CPIN?` is in flight it is the answer.
    let steps = vec![cmd("AT+CPIN?"), reply(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")];
    let mut m = modem(steps);
    let status = m.command(quectel_ssl::command::device::GetSimStatus);
    assert!(status.unwrap().is_ready());
    assert_done(m);
}

#[test]
fn a_stray_line_inside_a_reads_answer_is_not_the_reads() {
    // The module printed a line of a URC it cut in the middle of a read's
    // answer: the read's correctly framed payload is delivered all the
    // same.
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\n+QIU\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
    assert_done(m);
}

// ----- whose answer, and when it is late -------------------------------------

#[test]
fn an_answer_still_arriving_is_not_late() {
    // The line was quiet for a second before `AT+QIGETERROR`; its answer
    // then comes a byte every 10 ms, taking longer than the 300 ms the
    // module has: bytes arriving hold the deadline off.
    let answer = b"\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n";
    let (mut m, clock) = clocked(vec![cmd("AT+QIGETERROR")]);
    clock.advance(1_000);
    // The port seen empty: a second of silence, before the command.
    m.port_mut().accept = Some(0);
    let mut last = ops::Command::new(quectel_ssl::command::ssl_socket::GetLastError);
    assert_eq!(drive(&mut m, &clock, &mut last, 1, 0), None);
    m.port_mut().accept = None;
    let mut got = None;
    for piece in answer.chunks(2) {
        assert_eq!(got, None);
        m.port_mut().push([reply(piece)]);
        got = drive(&mut m, &clock, &mut last, 1, 20);
    }
    assert!(got.expect("no answer").unwrap().code.is_success());
    assert!(
        clock_now(&clock) > 1_300,
        "the answer took less than its deadline"
    );
}

#[test]
fn an_operation_polled_again_after_another_took_the_port_gets_no_answer() {
    // `AT` is written and dropped by its caller (no answer yet); it is
    // given up, and `AT+CFUN?` goes. The first operation, polled again,
    // must not take the second one's answer.
    let steps = vec![cmd("AT"), cmd("AT+CFUN?")];
    let (mut m, clock) = clocked(steps);
    let mut first = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(drive(&mut m, &clock, &mut first, 1, 0), None);
    let mut second = ops::Command::new(quectel_ssl::command::device::GetFunctionality);
    for _ in 0..300 {
        assert_eq!(drive(&mut m, &clock, &mut second, 1, 10), None);
        if m.port().done() {
            break;
        }
    }
    assert!(
        m.port().done(),
        "AT+CFUN? not written: {:?}",
        m.port().remaining()
    );
    m.port_mut().push([reply(b"\r\n+CFUN: 1\r\n\r\nOK\r\n")]);
    assert_eq!(
        drive(&mut m, &clock, &mut first, 1, 0),
        Some(Err(Error::Busy))
    );
    let functionality = drive(&mut m, &clock, &mut second, 5, 10);
    assert_eq!(functionality.unwrap().unwrap().0, 1);
}

#[test]
fn idling_while_a_command_waits_for_its_answer_leaves_the_answer_to_it() {
    // `AT+CFUN?` is in flight; its answer has come but its operation has
    // not looked yet. Another poll (`Idle`) meanwhile must leave the
    // answer to it.
    let steps = vec![cmd("AT+CFUN?")];
    let (mut m, clock) = clocked(steps);
    let mut cfun = ops::Command::new(quectel_ssl::command::device::GetFunctionality);
    assert_eq!(drive(&mut m, &clock, &mut cfun, 1, 0), None);
    m.port_mut().push([reply(b"\r\n+CFUN: 4\r\n\r\nOK\r\n")]);
    let _ = drive(&mut m, &clock, &mut ops::Idle::default(), 3, 10);
    let functionality = drive(&mut m, &clock, &mut cfun, 5, 10);
    assert_eq!(functionality.unwrap().unwrap().0, 4);
}

// ----- what starts a doubt ---------------------------------------------------

/// `AT` after a doubt: the resync runs first (no socket, no context).
fn at_after_a_resync() -> Vec<Step> {
    let mut steps = resync(&[], &[]);
    steps.extend([cmd("AT"), ok()]);
    steps
}

#[test]
fn a_line_of_bytes_the_module_never_prints_is_a_doubt() {
    // Binary bytes read as a line (a payload misframed): a resync comes
    // before the next command. A printable line nobody owns is not one.
    let mut steps = vec![reply(b"\r\nhello there\r\n"), cmd("AT"), ok()];
    steps.push(reply(b"\r\nab\x01\x02cd\r\n"));
    steps.extend(at_after_a_resync());
    let mut m = modem(steps);
    m.poll().unwrap();
    m.command(quectel_ssl::command::device::At).unwrap();
    m.poll().unwrap();
    m.command(quectel_ssl::command::device::At).unwrap();
    assert_done(m);
}

#[test]
fn a_late_answers_lines_are_drained_without_a_doubt() {
    // `AT+CFUN?` times out; its answer comes late, with its `+CFUN:` line:
    // the orphan drains it, and the next command needs no resync.
    let steps = vec![cmd("AT+CFUN?")];
    let (mut m, clock) = clocked(steps);
    let mut cfun = ops::Command::new(quectel_ssl::command::device::GetFunctionality);
    let late = drive(&mut m, &clock, &mut cfun, 1_000, 10);
    assert_eq!(late.map(|r| r.map(|f| f.0)), Some(Err(Error::Timeout)));
    // (With an odd extra line, as some firmware prints.)
    m.port_mut().push([
        reply(b"\r\n+CFUN: 1\r\n\r\nfull functionality\r\n\r\nOK\r\n"),
        cmd("AT"),
        ok(),
    ]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(
        drive(&mut m, &clock, &mut at, 100, 10),
        Some(Ok(_))
    ));
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_result_code_that_cannot_answer_the_command_is_a_doubt() {
    // `SEND OK` answers only a send; an `OK` before a read's `+QSSLRECV:`
    // answers something else. Either is stray: the command fails and a
    // resync runs before the next one.
    let mut steps = vec![cmd("AT"), reply(b"\r\nSEND OK\r\n")];
    steps.extend(at_after_a_resync());
    let mut m = modem(steps);
    let at = m.command(quectel_ssl::command::device::At);
    assert_eq!(at.err(), Some(Error::Desynchronized));
    m.command(quectel_ssl::command::device::At).unwrap();
    assert_done(m);

    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\nOK\r\n\r\n+QSSLRECV: 5\r\nhello\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
}

#[test]
fn a_peer_close_makes_a_read_ask_the_module_for_what_it_still_holds() {
    // Buffer mode: the peer's last bytes and its close came, but no `"recv"`
    // notice for them (a module may fold it into the close). The reads ask
    // the module until it says nothing is left.
    let mut rx = [0u8; 256];
    let mut steps = opened(0);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"closed\",0\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n"),
        cmd("AT+QSSLRECV=0,256"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(m.read(&sock, &mut buf), Ok(0));
    assert_done(m);
}

#[test]
fn datagrams_read_in_part_keep_the_next_ones_whole() {
    // Three datagrams on a DTLS socket: the first read as a stream, two of
    // its three bytes (the third is then a datagram of its own); the second
    // (100 bytes) read into a buffer of two (cut, the rest dropped, as UDP
    // does); the third comes whole.
    let mut rx = [0u8; 1500];
    let mut steps = vec![configured()];
    steps.extend([
        cmd("AT+QSSLOPEN=1,2,0,\"example.com\",443,1"),
        ok(),
        reply(b"\r\n+QSSLOPEN: 0,0\r\n"),
    ]);
    let mut pushes = push_frame(0, b"abc");
    let long: Vec<u8> = (0..100u8).map(|i| b'd' + i % 20).collect();
    pushes.extend(push_frame(0, &long));
    pushes.extend(push_frame(0, b"hi"));
    steps.push(reply(&pushes));
    steps.extend([cmd("AT"), ok()]);
    let (mut m, clock) = clocked(steps);
    let dtls = ops::SslConfig {
        dtls: Some(DtlsVersion::Dtls12),
        ..no_files()
    };
    m.configure_ssl(ctx(2), &dtls).unwrap();
    let sock = m
        .open(open_on(2, 0, AccessMode::DirectPush), &mut rx)
        .unwrap();
    let mut two = [0u8; 2];
    assert_eq!(m.read(&sock, &mut two), Ok(2));
    assert_eq!(&two, b"ab");
    let datagram = |m: &mut ClockedModem<'_>, buf: &mut [u8]| {
        let mut read = ops::Receive::datagram(sock, buf);
        drive(m, &clock, &mut read, 20, 10)
    };
    let mut buf = [0u8; 16];
    assert_eq!(datagram(&mut m, &mut buf), Some(Ok(1)));
    assert_eq!(buf[0], b'c');
    assert_eq!(datagram(&mut m, &mut two), Some(Ok(2)));
    assert_eq!(two, long[..2]);
    assert_eq!(datagram(&mut m, &mut buf), Some(Ok(2)));
    assert_eq!(&buf[..2], b"hi");
}

// ----- transparent mode: back-pressure, and bytes held for `NO CARRIER` ----

/// Socket 0 open in transparent mode with a 64-byte receive buffer.
fn transparent_open<'r>(
    rx: &'r mut [u8; 64],
    steps: Vec<Step>,
) -> (ClockedModem<'r>, SharedClock, SocketHandle) {
    let (mut m, clock) = clocked(transparent_session(steps));
    let mut open = ops::Open::new(open_cmd(0, AccessMode::Transparent), rx);
    let sock = drive(&mut m, &clock, &mut open, 5, 0).unwrap().unwrap();
    (m, clock, sock)
}

#[test]
fn bytes_that_may_start_no_carrier_are_held_until_the_line_is_quiet() {
    // The peer's bytes end with `\r\nNO`: perhaps the start of the module's
    // `NO CARRIER`. They are held back, and handed over as data once the
    // line has been quiet a moment (100 ms) with nothing more.
    let mut rx = [0u8; 64];
    let (mut m, clock, sock) = transparent_open(&mut rx, vec![reply(b"ab\r\nNO")]);
    let mut buf = [0u8; 16];
    let first = drive(&mut m, &clock, &mut ops::RawRead::new(sock, &mut buf), 5, 1);
    assert_eq!(first, Some(Ok(2)));
    assert_eq!(&buf[..2], b"ab");
    let start = clock_now(&clock);
    let held = drive(
        &mut m,
        &clock,
        &mut ops::RawRead::new(sock, &mut buf),
        500,
        1,
    );
    assert_eq!(held, Some(Ok(4)));
    assert_eq!(&buf[..4], b"\r\nNO");
    let waited = clock_now(&clock) - start;
    assert!((100..200).contains(&waited), "held {waited} ms");
}

/// `data` comes from the peer of a transparent socket with a 64-byte
/// buffer, none of it read until the port has been polled: then every
/// byte is read, in order (what did not fit waited in the port).
fn all_read_in_order_through_a_full_buffer(data: &[u8]) {
    let mut rx = [0u8; 64];
    let (mut m, clock, sock) = transparent_open(&mut rx, vec![reply(data)]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 20, 10).is_some());
    let mut got = Vec::new();
    let mut buf = [0u8; 40];
    while got.len() < data.len() {
        let n = drive(
            &mut m,
            &clock,
            &mut ops::RawRead::new(sock, &mut buf),
            300,
            1,
        );
        got.extend_from_slice(&buf[..n.expect("a read stalled").unwrap()]);
    }
    assert_eq!(got, data);
}

#[test]
fn a_full_receive_buffer_in_transparent_mode_holds_the_peer_back_losing_nothing() {
    // 100 bytes for a 64-byte buffer the user does not read yet: the rest
    // waits in the port (back-pressure), and every byte is read in order.
    let data: Vec<u8> = (0..100u8).map(|i| b'A' + i % 26).collect();
    all_read_in_order_through_a_full_buffer(&data);
}

#[test]
fn a_full_receive_buffer_holds_the_peer_back_with_a_cr_held_at_its_edge() {
    // The buffer fills with a CR last held back (it may start `NO
    // CARRIER`); what follows is no `NO CARRIER`, and waits in the port
    // like the rest: nothing is dropped, every byte read in order.
    let mut data = vec![b'x'; 63];
    data.extend_from_slice(b"\r\nNOT CARRIER, just data");
    all_read_in_order_through_a_full_buffer(&data);
}

#[test]
fn a_dropped_commands_answer_behind_more_than_the_line_holds_is_given_up_a_minute_on() {
    // `AT` is written and its operation dropped; the module then sends
    // more URCs than the line buffer holds before the `OK`. The frames
    // wait for the command's own operation, which never comes back: the
    // port is never found empty, the engine has no room to read into.
    // That is a module that talks on, not a caller away: a minute past
    // the deadline the command is given up and its answer drained, and
    // the next command goes out.
    let (mut m, clock) = clocked(vec![cmd("AT")]);
    let mut dropped = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(drive(&mut m, &clock, &mut dropped, 1, 0), None);
    drop(dropped);
    let mut chatter = b"\r\n+QIND: SMS DONE\r\n".repeat(50);
    chatter.extend_from_slice(b"\r\nOK\r\n");
    m.port_mut().push([reply(&chatter), cmd("AT"), ok()]);
    let mut next = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(drive(&mut m, &clock, &mut next, 60, 1_000), None);
    assert_eq!(
        drive(&mut m, &clock, &mut next, 5, 1_000),
        Some(Ok(quectel_ssl::command::NoResponse))
    );
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_read_waiting_behind_a_given_up_read_is_sized_after_its_answer() {
    // A 1-byte receive buffer. A read is dropped with its command written;
    // the next read finds it overdue (the module is slow) and gives it
    // up. Its answer then comes and fills the buffer: the new read must
    // not have asked the module for the byte that no longer fits (it
    // would come with no room, reported as an overflow the module never
    // caused). It returns the byte; the next read asks again.
    let mut rx = [0u8; 1];
    let mut steps = opened(2);
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2\r\n"),
        cmd("AT+QSSLRECV=2,1"),
    ]);
    let (mut m, clock) = clocked(steps);
    let sock = drive(
        &mut m,
        &clock,
        &mut ops::Open::new(open_cmd(2, AccessMode::Buffer), &mut rx),
        5,
        0,
    )
    .unwrap()
    .unwrap();
    let mut buf = [0u8; 1];
    let mut given_up = ops::Receive::new(sock, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut given_up, 2, 10), None);
    drop(given_up);
    // Past its deadline in silence: the next poll gives it up (an orphan
    // now: its answer, should it come, is drained, not waited for).
    clock.advance(1_000);
    assert_eq!(
        drive(&mut m, &clock, &mut ops::Idle::default(), 5, 0),
        Some(Ok(()))
    );
    let mut buf = [0u8; 1];
    let mut next = ops::Receive::new(sock, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut next, 3, 10), None);
    m.port_mut()
        .push([reply(b"\r\n+QSSLRECV: 1\r\nx\r\n\r\nOK\r\n")]);
    assert_eq!(drive(&mut m, &clock, &mut next, 20, 10), Some(Ok(1)));
    drop(next);
    assert_eq!(&buf, b"x");
    let reads = m
        .port()
        .all_written
        .windows(11)
        .filter(|w| w == b"AT+QSSLRECV")
        .count();
    assert_eq!(
        reads,
        1,
        "{:?}",
        String::from_utf8_lossy(&m.port().all_written)
    );
    m.port_mut().push([
        cmd("AT+QSSLRECV=2,1"),
        reply(b"\r\n+QSSLRECV: 1\r\ny\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 1];
    let mut last = ops::Receive::new(sock, &mut buf);
    assert_eq!(drive(&mut m, &clock, &mut last, 20, 10), Some(Ok(1)));
    drop(last);
    assert_eq!(&buf, b"y");
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_port_that_cannot_tell_whether_it_has_bytes_still_shows_silence() {
    // Some HALs answer `read_ready` with yes whatever they hold, and their
    // read then hands over nothing: that read is the silence a deadline
    // counts. The module never answers `AT`: it times out as on any port.
    let (mut m, clock) = clocked(vec![cmd("AT")]);
    m.port_mut().always_ready = true;
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(
        drive(&mut m, &clock, &mut at, 100, 10),
        Some(Err(Error::Timeout))
    );
}

#[test]
fn a_push_before_a_reads_answer_is_not_the_reads() {
    // Socket 3's push arrives between a read of socket 2 and its answer:
    // its announcement, bytes and check belong to socket 3, none of them
    // is the read's (its header, its data, its end).
    let (mut rx2, mut rx3) = ([0u8; 256], [0u8; 1500]);
    let mut steps = opened(2);
    steps.extend(opened_in(3, AccessMode::DirectPush));
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2\r\n"),
        cmd("AT+QSSLRECV=2,256"),
        reply(b"\r\n+QSSLURC: \"recv\",3,3\r\nxyz\r\n\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n"),
        reply(b"\r\n+QIND: SMS DONE\r\n"),
    ]);
    let mut m = modem(steps);
    let s2 = m.open(open_cmd(2, AccessMode::Buffer), &mut rx2).unwrap();
    let s3 = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx3)
        .unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s2, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(m.read(&s3, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"xyz");
    assert_done(m);
}

#[test]
fn bytes_pushed_after_an_unreported_loss_are_lost_with_it_even_read_in_pieces() {
    // 1600 bytes come for a 1500-byte buffer (in pushes of 1500 and 100):
    // the 100 are dropped. The user reads 600, making room; a push of 300
    // then comes, its bytes read a piece at a time while its payload is
    // open. Nothing is kept past a loss not yet reported: the 300 are lost
    // too, the report counts them, and nothing of them follows it.
    let first: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    let mut pushes = push_frame(0, &first);
    pushes.extend(push_frame(0, &[7; 100]));
    let mut rx = [0u8; 1500];
    let (mut m, clock, sock) = pushed_in_pieces(&mut rx, vec![reply(&pushes), cmd("AT"), ok()]);
    // The port drained (a command answered) before the user reads, and
    // again after the third push.
    let drain = |m: &mut ClockedModem<'_>| {
        assert!(drive(m, &clock, &mut ops::Idle::default(), 100, 1).is_some());
        let mut at = ops::Command::new(quectel_ssl::command::device::At);
        assert!(matches!(drive(m, &clock, &mut at, 100, 10), Some(Ok(_))));
    };
    let read = |m: &mut ClockedModem<'_>, buf: &mut [u8]| {
        drive(m, &clock, &mut ops::Receive::new(sock, buf), 200, 1)
    };
    drain(&mut m);
    let mut buf = [0u8; 600];
    assert_eq!(read(&mut m, &mut buf), Some(Ok(600)));
    m.port_mut()
        .push([reply(&push_frame(0, &[b'y'; 300])), cmd("AT"), ok()]);
    drain(&mut m);
    let mut got = buf.to_vec();
    while got.len() < 1500 {
        let n = read(&mut m, &mut buf).expect("a read stalled").unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, first);
    assert_eq!(read(&mut m, &mut buf), Some(Err(Error::PushOverflow(400))));
    assert_eq!(read(&mut m, &mut buf), None, "nothing after the loss");
}

#[test]
fn a_push_before_a_reads_answer_does_not_make_a_stray_ok_the_reads() {
    // Socket 3's push arrives after a read of socket 2 is written, then an
    // `OK` with no `+QSSLRECV:` before it: the push is not the read's
    // header, so the `OK` answers nothing (a stray result code, a doubt).
    // The read fails; socket 3 keeps its checked push.
    let (mut rx2, mut rx3) = ([0u8; 256], [0u8; 1500]);
    let mut steps = opened(2);
    steps.extend(opened_in(3, AccessMode::DirectPush));
    steps.extend([
        reply(b"\r\n+QSSLURC: \"recv\",2\r\n"),
        cmd("AT+QSSLRECV=2,256"),
        reply(&[push_frame(3, b"xyz"), b"\r\nOK\r\n".to_vec()].concat()),
    ]);
    steps.extend(resync(&[state_line(2, 0), state_line(3, 1)], &[]));
    steps.extend(last_error_steps());
    let mut m = modem(steps);
    let s2 = m.open(open_cmd(2, AccessMode::Buffer), &mut rx2).unwrap();
    let s3 = m
        .open(open_cmd(3, AccessMode::DirectPush), &mut rx3)
        .unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&s2, &mut buf), Err(Error::Desynchronized));
    assert!(m.last_error().unwrap().code.is_success());
    assert_eq!(m.read(&s3, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"xyz");
    assert_done(m);
}

#[test]
fn after_a_given_up_commands_grace_the_framer_expects_no_answer() {
    // `AT` is never answered: it times out, and its grace for a late
    // answer runs out with the line quiet. A `NO CARRIER` then is a
    // notice, not a result code answering nothing (which would be a
    // doubt, and cost a resync before the next command).
    let (mut m, clock) = clocked(vec![cmd("AT")]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert_eq!(
        drive(&mut m, &clock, &mut at, 1_000, 10),
        Some(Err(Error::Timeout))
    );
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 10).is_some());
    clock.advance(2_000);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 10).is_some());
    m.port_mut().push([reply(b"\r\nNO CARRIER\r\n")]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 10, 10).is_some());
    m.port_mut().push([cmd("AT"), ok()]);
    let mut at = ops::Command::new(quectel_ssl::command::device::At);
    assert!(matches!(
        drive(&mut m, &clock, &mut at, 100, 10),
        Some(Ok(_))
    ));
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}

#[test]
fn a_reboot_ends_a_resync_half_done_and_nothing_of_it_reaches_a_later_session() {
    // A doubt; the resync's probe is echoed (the stream is trusted again)
    // but its `ATE0` is never answered: the next operation resyncs again,
    // and has written its `ATE1` when the module reboots. The reboot
    // leaves the resync nothing to do: a transparent session opened next
    // must not get the rest of it (its lines, or a `+++` the module would
    // leave the session by, the engine none the wiser).
    let mut steps = vec![reply(b"\r\n\x01\x02\r\n")];
    steps.extend([data(b"\rATE1\r"), ok(), Step::Probe, cmd("ATE0")]);
    let (mut m, clock) = clocked(steps);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 5, 0).is_some());
    let last_error = || ops::Command::new(quectel_ssl::command::ssl_socket::GetLastError);
    let stopped_short = drive(&mut m, &clock, &mut last_error(), 1_000, 10);
    assert_eq!(
        stopped_short.map(|r| r.map(drop)),
        Some(Err(Error::Timeout))
    );
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 10).is_some());
    // Polled until its `ATE1` is out (the given-up `ATE0`'s grace first).
    m.port_mut().push([data(b"\rATE1\r")]);
    let mut second = last_error();
    for _ in 0..200 {
        assert!(matches!(m.poll_op(&mut second), Err(nb::Error::WouldBlock)));
        if m.port().done() {
            break;
        }
        clock.advance(10);
    }
    assert!(m.port().done(), "the second resync's ATE1 is out");
    drop(second);
    m.port_mut().push([reply(b"\r\nRDY\r\n")]);
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 5, 0).is_some());
    m.port_mut().push(transparent_session(vec![]));
    let mut rx = [0u8; 64];
    let mut open = ops::Open::new(open_cmd(0, AccessMode::Transparent), &mut rx);
    let opened = drive(&mut m, &clock, &mut open, 100, 10);
    assert!(matches!(opened, Some(Ok(_))), "{opened:?}");
    assert!(drive(&mut m, &clock, &mut ops::Idle::default(), 100, 100).is_some());
    assert!(matches!(
        m.state().port(),
        quectel_ssl::state::PortMode::Transparent(_)
    ));
    assert!(m.port().done(), "left: {:?}", m.port().remaining());
}
