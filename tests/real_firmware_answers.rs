//! Answers real module firmware prints that the engine must not lose: lines
//! longer than 256 bytes, test forms with optional parameters in brackets,
//! lines that are both a URC and a command's answer, and a stray line in
//! the middle of a read's answer. Against a scripted module, on raw bytes.

mod common;

use common::script::*;
use quectel_ssl::command::device::{Functionality, GetFunctionality, GetSimStatus};
use quectel_ssl::command::ssl_config::TestSslConfig;
use quectel_ssl::command::ssl_socket::{AccessMode, TestCommand, Testable};
use quectel_ssl::command::TestParameter;
use quectel_ssl::modem::Event;
use quectel_ssl::*;

/// The 31 codes of the module, as some EG25-G builds list them in the
/// test form: on one line, with a space after each comma.
fn suites_line() -> String {
    let codes = [
        "0X0035", "0X002F", "0X0005", "0X0004", "0X000A", "0X003D", "0XC002", "0XC003", "0XC004",
        "0XC005", "0XC007", "0XC008", "0XC009", "0XC00A", "0XC011", "0XC012", "0XC013", "0XC014",
        "0XC00C", "0XC00D", "0XC00E", "0XC00F", "0XC023", "0XC024", "0XC025", "0XC026", "0XC027",
        "0XC028", "0XC029", "0XC02A", "0XC02F",
    ];
    format!(
        "+QSSLCFG: \"ciphersuite\",(0-5), ({}, 0XFFFF)",
        codes.join(", ")
    )
}

#[test]
fn a_test_form_line_past_256_bytes_is_read_whole() {
    let line = suites_line();
    assert!(line.len() > 256, "{}", line.len());
    let answer = format!(
        "\r\n+QSSLCFG: \"sslversion\",(0-5),(0-4)\r\n\r\n{line}\r\n\r\n+QSSLCFG: \"sni\",(0-5),(0,1)\r\n\r\nOK\r\n"
    );
    let mut m = modem([cmd("AT+QSSLCFG=?"), reply(answer.as_bytes())]);
    let caps = m.command(TestSslConfig).unwrap();
    // Nothing dropped: the setting after the long line is there too.
    assert_eq!(caps.known_count(), 3);
    assert!(caps.supports("ciphersuite") && caps.supports("sni"));
    assert_done(m);
}

#[test]
fn the_longest_answer_fits_the_default_line_buffer() {
    // A `psk` query with a 255-byte identity and a 255-byte key.
    let long = "k".repeat(255);
    let line = format!("+QSSLCFG: \"psk\",5,\"{long}\",\"{long}\"");
    assert_eq!(line.len(), 533);
    assert!(line.len() <= modem::DEFAULT_LINE_LEN);
    let answer = format!("\r\n{line}\r\n\r\nOK\r\n");
    let mut m = modem([cmd("AT+QSSLCFG=\"psk\",5"), reply(answer.as_bytes())]);
    let got = m
        .command(command::ssl_config::GetSslConfig::<
            command::ssl_config::Psk<'_>,
        >::new(SslContextId::new(5).unwrap()))
        .unwrap();
    assert_eq!(got.value.identity.len(), 255);
    assert_eq!(got.value.key.len(), 255);
    assert_done(m);
}

#[test]
fn optional_parameters_in_brackets_parse_to_their_ranges() {
    let mut m = modem([
        cmd("AT+QSSLSEND=?"),
        reply(b"\r\n+QSSLSEND: (0-11)[,(1-1460)]\r\n\r\nOK\r\n"),
    ]);
    let ranges = m.command(TestCommand(Testable::SslSend)).unwrap();
    assert_eq!(
        ranges.parameters.as_slice(),
        [
            TestParameter::Range { min: 0, max: 11 },
            TestParameter::Range { min: 1, max: 1460 }
        ]
    );
    assert_eq!(ranges.optional_from, Some(1));
    assert_done(m);
}

#[test]
fn a_line_that_is_also_a_urc_answers_the_command_that_asks_for_it() {
    let mut m = modem([
        // At boot, on its own: a URC.
        reply(b"\r\n+CPIN: READY\r\n\r\n+CFUN: 1\r\n"),
        cmd("AT+CPIN?"),
        reply(b"\r\n+CPIN: READY\r\n\r\nOK\r\n"),
        cmd("AT+CFUN?"),
        reply(b"\r\n+CFUN: 1\r\n\r\nOK\r\n"),
    ]);
    m.poll().unwrap();
    assert!(m.command(GetSimStatus).unwrap().is_ready());
    assert_eq!(m.command(GetFunctionality).unwrap(), Functionality(1));
    assert_done(m);
}

#[test]
fn a_stray_line_in_a_read_answer_keeps_the_payload() {
    // Part of a URC the module cut, between the payload and `OK`: not the
    // read's, read as an unknown URC; the data is delivered, the socket
    // goes on.
    let mut rx = [0u8; 64];
    let mut steps = opened(1);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",1\r\n"));
    steps.extend([
        cmd("AT+QSSLRECV=1,64"),
        reply(b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\n+QIN\r\n\r\nOK\r\n"),
        cmd("AT+QSSLRECV=1,64"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
    while let Some(event) = m.take_event() {
        assert!(
            matches!(event, Event::Opened { .. } | Event::DataReady { .. }),
            "{event:?}"
        );
    }
    // The next read goes on as usual, and finds the module empty.
    assert_done_after_read(m, sock);
}

fn assert_done_after_read(mut m: TestModem<'_>, sock: SocketHandle) {
    let mut buf = [0u8; 16];
    let mut op = modem::ops::Receive::new(sock, &mut buf);
    for _ in 0..20 {
        let _ = m.poll_op(&mut op);
    }
    assert_done(m);
}

#[test]
fn a_cut_line_of_our_own_in_a_read_answer_keeps_the_payload_and_resyncs() {
    // A cut `+QSSLURC:` line could be a close, or a push, of another
    // socket: the engine asks the module. The read's payload, framed and
    // checked before it, is delivered all the same.
    let mut rx = [0u8; 64];
    let mut steps = opened(2);
    steps.push(reply(b"\r\n+QSSLURC: \"recv\",2\r\n"));
    steps.extend([
        cmd("AT+QSSLRECV=2,64"),
        reply(b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\n+QSSLU\r\n\r\nOK\r\n"),
    ]);
    steps.extend(resync(&[state_line(2, 0)], &[]));
    steps.extend([
        cmd("AT+QSSLRECV=2,64"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut m = modem(steps);
    let sock = m.open(open_cmd(2, AccessMode::Buffer), &mut rx).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(m.read(&sock, &mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
    assert_done_after_read(m, sock);
}

/// The `AT+QSSLCFG` writes of the secure defaults with `cacert`, then
/// `closetimemode` `mode`, each answered `OK`.
fn configured_with_close_mode(mode: u8) -> Vec<Step> {
    let lines = [
        "\"sslversion\",0,3".to_string(),
        "\"ciphersuite\",0,0XFFFF".into(),
        "\"seclevel\",0,1".into(),
        "\"ignorelocaltime\",0,0".into(),
        "\"sni\",0,1".into(),
        "\"negotiatetime\",0,120".into(),
        "\"ignoremulticertchainverify\",0,0".into(),
        "\"ignoreinvalidcertsign\",0,0".into(),
        "\"dtls\",0,0".into(),
        "\"cacert\",0,\"RAM:ca.pem\"".into(),
        "\"renegotiation\",0,0".into(),
        format!("\"closetimemode\",0,{mode}"),
    ];
    lines
        .iter()
        .flat_map(|l| [cmd(&format!("AT+QSSLCFG={l}")), ok()])
        .collect()
}

#[test]
fn the_engine_waits_for_a_close_in_the_unit_closetimemode_sets() {
    use quectel_ssl::command::ssl_config::CloseTimeMode;
    use quectel_ssl::modem::ops::{Close, SslConfig};
    use quectel_ssl::modem::Clock;
    // The module never answers the close: the engine gives up after the
    // linger plus a second, counted in the context's unit.
    for (mode, unit, code) in [
        (CloseTimeMode::Milliseconds, 1u64, 1u8),
        (CloseTimeMode::Seconds, 1000, 0),
    ] {
        let mut rx = [0u8; 64];
        let mut steps = configured_with_close_mode(code);
        steps.extend(opened(0));
        steps.push(cmd("AT+QSSLCLOSE=0,800"));
        let mut m = modem(steps);
        let config = SslConfig {
            close_time_mode: Some(mode),
            ..SslConfig::with_ca(FileName::new("RAM:ca.pem").unwrap())
        };
        m.configure_ssl(SslContextId::new(0).unwrap(), &config)
            .unwrap();
        let sock = m.open(open_cmd(0, AccessMode::Buffer), &mut rx).unwrap();
        let (port, _timer) = {
            let started = m.timer_mut().now_ms();
            assert_eq!(m.run(&mut Close::new(sock, Some(800))), Err(Error::Timeout));
            let waited = m.timer_mut().now_ms() - started;
            let want = 800 * unit + 1000;
            assert!(
                waited >= want && waited < want + 1000,
                "{mode:?}: waited {waited} ms"
            );
            m.release()
        };
        assert!(port.remaining().is_empty());
    }
}
