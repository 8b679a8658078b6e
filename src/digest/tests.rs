//! Raw bytes in, frames out: the framer (engine face, 256-byte line buffer)
//! and the atat digester (fed as atat's `Ingress` feeds it), each stream
//! whole, one byte at a time and in random chunks.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::ssl_config::{FilePath, SslConfigValue};
use crate::command::{file, parse_body, ssl_socket};
use crate::types::ClientId;
use crate::urc::Urc;
use atat::{DigestResult, Digester};

/// What the framer produced, owned, with payload pieces joined.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Echo(Vec<u8>),
    Line(Vec<u8>),
    Urc(Vec<u8>),
    Final(String),
    Prompt,
    Ack,
    Data(PayloadSource, Vec<u8>),
    Raw(Vec<u8>),
    Malformed(Vec<u8>),
    Discarded,
    /// A payload's trailer was wrong (its length was).
    Misframed(PayloadSource),
}

/// What the atat digester produced, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Response(Vec<u8>),
    Error(String),
    Urc(Vec<u8>),
    Prompt(u8),
}

/// Deterministic chunk sizes: xorshift, 1..=max.
struct Chunks(u32, usize);

impl Iterator for Chunks {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        Some(1 + self.0 as usize % self.1)
    }
}

/// The chunkings every stream is fed in.
fn chunkings(len: usize) -> Vec<(String, Box<dyn Iterator<Item = usize>>)> {
    let mut all: Vec<(String, Box<dyn Iterator<Item = usize>>)> = vec![
        ("whole".into(), Box::new(core::iter::repeat(len.max(1)))),
        ("bytewise".into(), Box::new(core::iter::repeat(1))),
    ];
    for seed in [1u32, 7, 1234, 99991] {
        all.push((format!("random{seed}"), Box::new(Chunks(seed, 64))));
    }
    all
}

fn record(out: &mut Vec<Ev>, frame: Frame<'_>) {
    let ev = match frame {
        Frame::Pending => return,
        Frame::Echo(l) => Ev::Echo(l.to_vec()),
        Frame::Line(l) => Ev::Line(l.to_vec()),
        Frame::Urc(l) => Ev::Urc(l.to_vec()),
        Frame::Final(r) => Ev::Final(format!("{r:?}")),
        Frame::Prompt => Ev::Prompt,
        Frame::UploadAck => Ev::Ack,
        Frame::PayloadStart { source, .. } => Ev::Data(source, Vec::new()),
        Frame::Payload { data, .. } => {
            if let Some(Ev::Data(_, bytes)) = out.last_mut() {
                bytes.extend_from_slice(data);
                return;
            }
            panic!("payload without a start");
        }
        Frame::Raw(data) => {
            if let Some(Ev::Raw(bytes)) = out.last_mut() {
                bytes.extend_from_slice(data);
                return;
            }
            Ev::Raw(data.to_vec())
        }
        Frame::Malformed(l) => Ev::Malformed(l.to_vec()),
        Frame::PayloadEnd { intact: true, .. } => return,
        Frame::PayloadEnd { source, .. } => Ev::Misframed(source),
        Frame::Discarded => {
            if out.last() == Some(&Ev::Discarded) {
                return;
            }
            Ev::Discarded
        }
    };
    out.push(ev);
}

/// Feed `stream` to a framer with a `cap`-byte buffer, as the engine does.
fn run_framer(
    stream: &[u8],
    chunks: &mut dyn Iterator<Item = usize>,
    cap: usize,
    expect: Expect,
) -> Vec<Ev> {
    let mut framer = Framer::new(cap);
    framer.set_expect(expect);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        let room = cap - buf.len();
        let take = chunks.next().unwrap_or(1).min(room).min(stream.len() - pos);
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            let (frame, used) = framer.next(&buf);
            let waiting = used == 0 && frame == Frame::Pending;
            record(&mut out, frame);
            buf.drain(..used);
            if waiting {
                break;
            }
        }
        assert!(buf.len() < cap, "framer stalled on a full buffer");
        if pos == stream.len() {
            return out;
        }
    }
}

/// Feed `stream` to the atat digester as atat's `Ingress` does.
fn run_digester(stream: &[u8], chunks: &mut dyn Iterator<Item = usize>, cap: usize) -> Vec<Out> {
    let mut digester = QuectelDigester::new(cap);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        let room = cap - buf.len();
        assert!(
            room > 0 || pos == stream.len(),
            "digester left the buffer full"
        );
        let take = chunks.next().unwrap_or(1).min(room).min(stream.len() - pos);
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            let (result, used) = digester.digest(&buf);
            let none = matches!(result, DigestResult::None);
            match result {
                DigestResult::None => {}
                DigestResult::Urc(u) => out.push(Out::Urc(u.to_vec())),
                DigestResult::Prompt(p) => out.push(Out::Prompt(p)),
                DigestResult::Response(Ok(r)) => out.push(Out::Response(r.to_vec())),
                DigestResult::Response(Err(e)) => out.push(Out::Error(format!("{e:?}"))),
            }
            if used == 0 {
                assert!(none, "a result must consume bytes");
                break;
            }
            buf.drain(..used);
        }
        if pos == stream.len() {
            return out;
        }
    }
}

/// Frames of `stream` for every chunking (all must agree).
fn frames(stream: &[u8], expect: Expect) -> Vec<Ev> {
    let mut first: Option<Vec<Ev>> = None;
    for (name, mut chunks) in chunkings(stream.len()) {
        let got = run_framer(stream, &mut *chunks, 256, expect);
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "framer, chunking {name}"),
        }
    }
    first.unwrap_or_default()
}

/// atat digester results of `stream` for every chunking (all must agree).
fn digested(stream: &[u8], cap: usize) -> Vec<Out> {
    let mut first: Option<Vec<Out>> = None;
    for (name, mut chunks) in chunkings(stream.len()) {
        let got = run_digester(stream, &mut *chunks, cap);
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "digester, chunking {name}"),
        }
    }
    first.unwrap_or_default()
}

fn line(s: &str) -> Ev {
    Ev::Line(s.as_bytes().to_vec())
}
fn urc(s: &str) -> Ev {
    Ev::Urc(s.as_bytes().to_vec())
}
fn ok() -> Ev {
    Ev::Final("Ok".into())
}
fn client(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}

/// Payloads that break a terminator-searching digester.
fn hostile_payloads() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = [
        &b"\r\nOK\r\n"[..],
        b"\r\nERROR\r\n",
        b">",
        b"> ",
        b"<html>\r\n<body>a > b</body></html>\r\n",
        b"+QSSLURC: \"closed\",0\r\n",
        b"\r\n+QSSLURC: \"recv\",1,5\r\nabcde",
        b"\r\n+QSSLRECV: 5\r\nabcde\r\n\r\nOK\r\n",
        b"\x00\x00\x00",
        b"\x1a\x1b",
        b"ends in whitespace \t \r\n",
        b"\r\n",
        b"AT+QSSLRECV=1,10\r",
        b"x",
    ]
    .iter()
    .map(|p| p.to_vec())
    .collect();
    all.push((0..=255u8).collect());
    all.push((0..1500u32).map(|i| (i * 31 % 251) as u8).collect());
    all
}

#[test]
fn recv_payload_is_taken_by_length_whatever_it_holds() {
    for payload in hostile_payloads() {
        for echo in [&b""[..], b"AT+QSSLRECV=4,1500\r"] {
            let mut stream = echo.to_vec();
            stream.extend_from_slice(format!("\r\n+QSSLRECV: {}\r\n", payload.len()).as_bytes());
            stream.extend_from_slice(&payload);
            stream.extend_from_slice(b"\r\n\r\nOK\r\n");

            let mut expected = Vec::new();
            if !echo.is_empty() {
                expected.push(Ev::Echo(b"AT+QSSLRECV=4,1500".to_vec()));
            }
            expected.push(Ev::Data(PayloadSource::Read, payload.clone()));
            expected.push(ok());
            assert_eq!(frames(&stream, Expect::Response), expected, "{payload:?}");

            let out = digested(&stream, 2048);
            assert_eq!(out.len(), 1, "{out:?}");
            let Out::Response(body) = &out[0] else {
                panic!("{out:?}")
            };
            let read = ssl_socket::ReadSslData::new(client(4), crate::ReadLength::MAX);
            assert_eq!(
                parse_body(&read, body).unwrap().data.as_slice(),
                &payload[..]
            );
        }
    }
}

#[test]
fn empty_recv_is_a_line() {
    let stream = b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![line("+QSSLRECV: 0"), ok()]
    );
    let out = digested(stream, 256);
    assert_eq!(out, vec![Out::Response(b"+QSSLRECV: 0".to_vec())]);
    let read = ssl_socket::ReadSslData::new(client(0), crate::ReadLength::MAX);
    assert!(parse_body(&read, b"+QSSLRECV: 0").unwrap().data.is_empty());
}

#[test]
fn direct_push_is_taken_by_length_whatever_it_holds() {
    for payload in hostile_payloads() {
        let header = format!("+QSSLURC: \"recv\",3,{}", payload.len());
        let mut stream = format!("\r\n{header}\r\n").into_bytes();
        stream.extend_from_slice(&payload);
        stream.extend_from_slice(b"\r\n");
        for expect in [Expect::Idle, Expect::Response] {
            assert_eq!(
                frames(&stream, expect),
                vec![Ev::Data(PayloadSource::Push(client(3)), payload.clone())]
            );
        }
        let out = digested(&stream, 2048);
        let [Out::Urc(frame)] = &out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(
            Urc::parse(frame),
            Urc::DataPushed {
                client: client(3),
                data: &payload
            }
        );
    }
}

const STATE_1: &str = r#"+QSSLSTATE: 1,"SSLClient","10.0.0.1",443,50001,2,1,0,0,"uart1",0"#;
const STATE_2: &str = r#"+QSSLSTATE: 2,"SSLClient","10.0.0.2",8443,50002,2,1,0,1,"usbat",1"#;

#[test]
fn direct_push_in_the_middle_of_another_response() {
    let payload = b"\r\nOK\r\n+QSSLSTATE: 9,bogus\r\n";
    let mut stream = format!(
        "AT+QSSLSTATE\r\r\n{STATE_1}\r\n\r\n+QSSLURC: \"recv\",1,{}\r\n",
        payload.len()
    )
    .into_bytes();
    stream.extend_from_slice(payload);
    // The push's own line end, then the response goes on (every output
    // starts with CR LF).
    stream.extend_from_slice(format!("\r\n\r\n{STATE_2}\r\n\r\nOK\r\n").as_bytes());

    assert_eq!(
        frames(&stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLSTATE".to_vec()),
            line(STATE_1),
            Ev::Data(PayloadSource::Push(client(1)), payload.to_vec()),
            line(STATE_2),
            ok(),
        ]
    );
    let out = digested(&stream, 1024);
    let [Out::Response(body), Out::Urc(push)] = &out[..] else {
        panic!("{out:?}")
    };
    let states = parse_body(&ssl_socket::ListSslStates, body).unwrap();
    assert_eq!(states.len(), 2);
    assert_eq!(states[1].client, client(2));
    assert_eq!(
        Urc::parse(push),
        Urc::DataPushed {
            client: client(1),
            data: payload
        }
    );
}

#[test]
fn push_between_a_command_and_its_answer() {
    let mut stream = b"AT+QSSLRECV=4,1500\r\r\n+QSSLURC: \"recv\",2,4\r\nOK\r\n\r\n".to_vec();
    stream.extend_from_slice(b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n");
    assert_eq!(
        frames(&stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLRECV=4,1500".to_vec()),
            Ev::Data(PayloadSource::Push(client(2)), b"OK\r\n".to_vec()),
            Ev::Data(PayloadSource::Read, b"abc".to_vec()),
            ok(),
        ]
    );
    let out = digested(&stream, 512);
    assert_eq!(
        out,
        vec![
            Out::Urc(b"+QSSLURC: \"recv\",2,4\r\nOK\r\n".to_vec()),
            Out::Response(b"+QSSLRECV: 3\r\nabc".to_vec()),
        ]
    );
}

#[test]
fn urc_between_a_command_and_its_answer() {
    let stream =
        b"AT+QSSLRECV=4,1500\r\r\n+QSSLURC: \"recv\",4\r\n\r\n+QSSLRECV: 2\r\nhi\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLRECV=4,1500".to_vec()),
            urc("+QSSLURC: \"recv\",4"),
            Ev::Data(PayloadSource::Read, b"hi".to_vec()),
            ok(),
        ]
    );
    assert_eq!(
        digested(stream, 256),
        vec![
            Out::Urc(b"+QSSLURC: \"recv\",4".to_vec()),
            Out::Response(b"+QSSLRECV: 2\r\nhi".to_vec()),
        ]
    );
}

#[test]
fn urc_between_lines_of_a_state_list() {
    let stream = format!("\r\n{STATE_1}\r\n\r\n+QSSLURC: \"closed\",5\r\n{STATE_2}\r\n\r\nOK\r\n");
    assert_eq!(
        frames(stream.as_bytes(), Expect::Response),
        vec![
            line(STATE_1),
            urc("+QSSLURC: \"closed\",5"),
            line(STATE_2),
            ok()
        ]
    );
    let out = digested(stream.as_bytes(), 512);
    let [Out::Response(body), Out::Urc(closed)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(closed, b"+QSSLURC: \"closed\",5");
    let states = parse_body(&ssl_socket::ListSslStates, body).unwrap();
    assert_eq!(states.len(), 2);
}

#[test]
fn urc_between_lines_of_a_file_list() {
    let stream = b"AT+QFLST=\"*\"\r\r\n+QFLST: \"RAM:ca.pem\",1234\r\n+QSSLOPEN: 3,0\r\n+QFLST: \"client.pem\",99\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QFLST=\"*\"".to_vec()),
            line("+QFLST: \"RAM:ca.pem\",1234"),
            urc("+QSSLOPEN: 3,0"),
            line("+QFLST: \"client.pem\",99"),
            ok(),
        ]
    );
    let out = digested(stream, 512);
    let [Out::Response(body), Out::Urc(opened)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(opened, b"+QSSLOPEN: 3,0");
    let list = file::ListFiles::<4> {
        pattern: crate::FilePattern::new("*").unwrap(),
    };
    let files = parse_body(&list, body).unwrap();
    assert_eq!(files.entries.len(), 2);
    assert!(files.entries[1].is("UFS:client.pem"));
    assert_eq!(files.entries[0].size, 1234);
}

#[test]
fn prompt_then_urc_in_one_chunk_and_ok_then_prompt() {
    let stream = b"AT+QSSLSEND=1,5\r\r\n> \r\n+QSSLURC: \"recv\",2\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLSEND=1,5".to_vec()),
            Ev::Prompt,
            urc("+QSSLURC: \"recv\",2"),
        ]
    );
    assert_eq!(
        digested(stream, 256),
        vec![
            Out::Prompt(b'>'),
            Out::Urc(b"+QSSLURC: \"recv\",2".to_vec())
        ]
    );
    let stream = b"\r\nOK\r\n\r\n>";
    assert_eq!(frames(stream, Expect::Response), vec![ok(), Ev::Prompt]);
    assert_eq!(
        digested(stream, 256),
        vec![Out::Response(Vec::new()), Out::Prompt(b'>')]
    );
}

#[test]
fn every_result_code() {
    let cases: &[(&[u8], &str)] = &[
        (b"\r\nSEND OK\r\n", "SendOk"),
        (b"\r\nSEND FAIL\r\n", "SendFail"),
        (b"\r\nCONNECT\r\n", "Connect"),
        (b"\r\nCONNECT 115200\r\n", "Connect"),
        (b"\r\nNO CARRIER\r\n", "NoCarrier"),
        (b"\r\nERROR\r\n", "Error"),
        (b"\r\n+CME ERROR: 421\r\n", "CmeError([52, 50, 49])"),
        (b"\r\n+CME ERROR: SIM not inserted\r\n", "CmeError("),
        (b"\r\n+CMS ERROR: 500\r\n", "CmsError([53, 48, 48])"),
    ];
    for (stream, want) in cases {
        let got = frames(stream, Expect::Response);
        let [Ev::Final(f)] = &got[..] else {
            panic!("{got:?}")
        };
        assert!(f.starts_with(want), "{f} vs {want}");
        assert_eq!(digested(stream, 256).len(), 1);
    }
    assert_eq!(
        FinalResult::CmeError(b"421").error(),
        Some(crate::Error::Cme(crate::CmeError::Code(421)))
    );
    assert_eq!(
        FinalResult::CmeError(b"552").error(),
        Some(crate::Error::Ssl(crate::SslErrorCode::InvalidParameter))
    );
    assert_eq!(
        FinalResult::SendFail.error(),
        Some(crate::Error::SendFailed)
    );
    assert_eq!(
        digested(b"\r\nSEND FAIL\r\n", 64),
        vec![Out::Error(
            "Custom([83, 69, 78, 68, 32, 70, 65, 73, 76])".into()
        )]
    );
    // NO CARRIER with nothing in flight: the connection dropped on its own.
    assert_eq!(
        frames(b"\r\nNO CARRIER\r\n", Expect::Idle),
        vec![urc("NO CARRIER")]
    );
}

#[test]
fn intermediate_result_then_error() {
    let stream = b"\r\n+QFUPL: 1024,3fa\r\n\r\n+CME ERROR: 421\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            line("+QFUPL: 1024,3fa"),
            Ev::Final("CmeError([52, 50, 49])".into())
        ]
    );
    let out = digested(stream, 256);
    let [Out::Error(e)] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(e.starts_with("CmeError"), "{e}");
}

#[test]
fn echo_on_and_off() {
    let answer = "\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n";
    for echo in ["", "AT+QIACT?\r", "at+qiact?\r"] {
        let stream = format!("{echo}{answer}");
        let mut want = Vec::new();
        if !echo.is_empty() {
            want.push(Ev::Echo(echo.trim_end().as_bytes().to_vec()));
        }
        want.extend([line("+QIACT: 1,1,1,\"10.7.157.1\""), ok()]);
        assert_eq!(frames(stream.as_bytes(), Expect::Response), want);
        assert_eq!(
            digested(stream.as_bytes(), 256),
            vec![Out::Response(b"+QIACT: 1,1,1,\"10.7.157.1\"".to_vec())]
        );
    }
    // The reply to ATE0 is itself echoed.
    assert_eq!(
        frames(b"ATE0\r\r\nOK\r\n", Expect::Response),
        vec![Ev::Echo(b"ATE0".to_vec()), ok()]
    );
}

#[test]
fn upload_in_ack_mode() {
    let stream = b"AT+QFUPL=\"RAM:a\",2048,5,1\r\r\nCONNECT\r\nAA\r\n+QFUPL: 2048,0\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Upload { ack: true }),
        vec![
            Ev::Echo(b"AT+QFUPL=\"RAM:a\",2048,5,1".to_vec()),
            Ev::Final("Connect".into()),
            Ev::Ack,
            Ev::Ack,
            line("+QFUPL: 2048,0"),
            ok(),
        ]
    );
}

#[test]
fn transparent_mode_bytes_are_raw() {
    let mut stream = b"\r\nCONNECT\r\n".to_vec();
    let data = b"\r\nOK\r\n+QSSLURC: \"closed\",1\r\n\x00\xff".repeat(20);
    stream.extend_from_slice(&data);
    assert_eq!(
        frames(&stream, Expect::Transparent),
        vec![Ev::Final("Connect".into()), Ev::Raw(data)]
    );
}

#[test]
fn boot_lines_and_unknown_lines_are_urcs() {
    let stream = b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIURC: \"pdpdeact\",1\r\n\r\nSOMETHING NEW\r\n";
    let got = frames(stream, Expect::Idle);
    assert_eq!(got.len(), 7);
    assert!(got.iter().all(|e| matches!(e, Ev::Urc(_))), "{got:?}");
    // While a command is in flight, known URCs are still URCs.
    let got = frames(stream, Expect::Response);
    assert_eq!(
        got[..6].iter().filter(|e| matches!(e, Ev::Urc(_))).count(),
        6
    );
    assert_eq!(got[6], line("SOMETHING NEW"));
}

#[test]
fn a_test_answer_is_not_an_open_urc() {
    let stream = b"\r\n+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0-2)\r\n\r\nOK\r\n";
    let got = frames(stream, Expect::Response);
    assert!(matches!(got[0], Ev::Line(_)), "{got:?}");
    let out = digested(stream, 256);
    let [Out::Response(body)] = &out[..] else {
        panic!("{out:?}")
    };
    let ranges = parse_body(
        &ssl_socket::TestCommand(ssl_socket::Testable::SslOpen),
        body,
    )
    .unwrap();
    assert_eq!(ranges.parameters.len(), 6);
}

#[test]
fn overlong_lines_are_discarded_and_the_stream_resyncs() {
    let mut stream = vec![b'x'; 1000];
    stream.extend_from_slice(b"\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    let got = frames(&stream, Expect::Idle);
    assert_eq!(got, vec![Ev::Discarded, urc("+QSSLURC: \"closed\",2")]);
    let mut stream = vec![b'y'; 700];
    stream.extend_from_slice(b"\r\nOK\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    let out = digested(&stream, 256);
    assert_eq!(
        out.last(),
        Some(&Out::Urc(b"+QSSLURC: \"closed\",2".to_vec()))
    );
}

/// Found by `fuzz/digest_stream` (a 64-byte atat buffer, hand-minimized
/// here to the engine's 256): a line that fills the buffer is discarded;
/// when its CR then came first in the next buffer, the framer answered
/// `Discarded` having used nothing, so both faces waited for bytes that
/// could not come: the buffer was full.
#[test]
fn an_overlong_line_ending_at_a_buffer_boundary_does_not_stall() {
    let mut stream = vec![b'x'; 256];
    stream.push(b'\r');
    stream.extend_from_slice(&[b'y'; 255]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    let ys = String::from_utf8(vec![b'y'; 255]).unwrap();
    assert_eq!(
        frames(&stream, Expect::Response),
        vec![Ev::Discarded, line(&ys), ok()]
    );
    // 262 bytes of answer do not fit atat's 256.
    assert_eq!(digested(&stream, 256), vec![Out::Error("Capacity".into())]);
    let mut stream = vec![b'x'; 64];
    stream.push(b'\r');
    stream.extend_from_slice(&[b'y'; 20]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    assert_eq!(
        digested(&stream, 64),
        vec![Out::Response(ys.as_bytes()[..20].to_vec())]
    );
    let mut framer = Framer::new(4);
    assert_eq!(framer.next(b"xxxx"), (Frame::Discarded, 4));
    assert_eq!(
        framer.next(b"\r\nOK\r\n"),
        (Frame::Final(FinalResult::Ok), 6)
    );
}

/// Found by `fuzz/digest_stream` (chunkings disagreed): the CR LF before a
/// response took two bytes of the atat buffer when they arrived with it, so
/// a response that fits exactly was reported as `Capacity` or delivered,
/// depending on how the bytes were split into reads. The same for a push.
#[test]
fn a_response_that_fits_exactly_fits_whatever_the_chunking() {
    let mut stream = b"\r\n".to_vec();
    stream.extend_from_slice(&[b'z'; 58]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    assert_eq!(digested(&stream, 64), vec![Out::Response(vec![b'z'; 58])]);
    let mut stream = b"\r\n+QSSLURC: \"recv\",1,41\r\n".to_vec();
    stream.extend_from_slice(&[b'p'; 41]);
    let push = stream[2..].to_vec();
    assert_eq!(push.len(), 64);
    assert_eq!(digested(&stream, 64), vec![Out::Urc(push)]);
}

#[test]
fn lengths_beyond_the_module_limit_are_malformed_not_trusted() {
    let stream = b"\r\n+QSSLRECV: 99999\r\nabc\r\n\r\nOK\r\n\r\n+QSSLURC: \"recv\",12,5\r\n\r\n+QSSLURC: \"recv\",1,1501\r\n";
    let got = frames(stream, Expect::Response);
    assert_eq!(got[0], Ev::Malformed(b"+QSSLRECV: 99999".to_vec()));
    assert!(got.contains(&ok()), "{got:?}");
    assert_eq!(
        got.iter().filter(|e| matches!(e, Ev::Malformed(_))).count(),
        3
    );
}

#[test]
fn a_response_larger_than_the_digest_buffer_is_an_error_then_resync() {
    let payload = vec![b'z'; 1500];
    let mut stream = b"\r\n+QSSLRECV: 1500\r\n".to_vec();
    stream.extend_from_slice(&payload);
    stream.extend_from_slice(b"\r\n\r\nOK\r\n\r\n+QSSLURC: \"recv\",1\r\n\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n");
    let out = digested(&stream, 256);
    assert_eq!(
        out,
        vec![
            Out::Error("Capacity".into()),
            Out::Urc(b"+QSSLURC: \"recv\",1".to_vec()),
            Out::Response(b"+QIGETERROR: 0,operate successfully".to_vec()),
        ]
    );
    // The streaming framer needs no room for the payload.
    let got = frames(&stream, Expect::Response);
    assert_eq!(got[0], Ev::Data(PayloadSource::Read, payload));
}

#[test]
fn truncated_frames_yield_nothing_false() {
    let stream = b"\r\n+QSSLRECV: 10\r\nabc";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![Ev::Data(PayloadSource::Read, b"abc".to_vec())]
    );
    assert!(digested(stream, 256).is_empty());
    assert!(digested(b"\r\n+QSSLURC: \"recv\",1,9\r\nab", 256).is_empty());
    assert!(digested(b"\r\n+QSSLSTA", 256).is_empty());
}

/// A length one to four bytes too long makes the payload swallow its own
/// line end; one too short leaves data where the line end should be. The
/// bytes after the payload tell, and the result code still ends the answer.
#[test]
fn a_wrong_recv_length_is_caught_by_the_bytes_after_the_payload() {
    for announced in [6, 7, 8, 9, 4] {
        let mut stream = format!("\r\n+QSSLRECV: {announced}\r\n").into_bytes();
        stream.extend_from_slice(b"abcde\r\n\r\nOK\r\n");
        let got = frames(&stream, Expect::Response);
        assert_eq!(
            got.get(1),
            Some(&Ev::Misframed(PayloadSource::Read)),
            "{announced}: {got:?}"
        );
        assert_eq!(got.last(), Some(&ok()), "{announced}: {got:?}");
        // atat gets an error, not the misframed body.
        let out = digested(&stream, 256);
        assert!(
            matches!(out.as_slice(), [Out::Error(e)] if e.contains("InvalidResponse")),
            "{announced}: {out:?}"
        );
    }
    // The right length passes the check, at every split of the trailer.
    let got = frames(b"\r\n+QSSLRECV: 5\r\nabcde\r\n\r\nOK\r\n", Expect::Response);
    assert_eq!(
        got,
        vec![Ev::Data(PayloadSource::Read, b"abcde".to_vec()), ok()]
    );
}

#[test]
fn a_wrong_push_length_is_caught_by_the_bytes_after_the_payload() {
    // One to four too long, one too short: the check after the push sees
    // something other than its line end and the next output's CR LF.
    for announced in [6, 7, 8, 9, 4] {
        let mut stream = format!("\r\n+QSSLURC: \"recv\",3,{announced}\r\n").into_bytes();
        stream.extend_from_slice(b"abcde\r\n\r\n+QSSLURC: \"closed\",3\r\n");
        let got = frames(&stream, Expect::Idle);
        assert_eq!(
            got.get(1),
            Some(&Ev::Misframed(PayloadSource::Push(client(3)))),
            "{announced}: {got:?}"
        );
        // What follows is still read as what it is.
        assert_eq!(
            got.last(),
            Some(&urc("+QSSLURC: \"closed\",3")),
            "{announced}: {got:?}"
        );
        if announced < 5 {
            // For atat the data left over is a stray line: the start of a
            // response, as any line is when a command may be in flight.
            continue;
        }
        let out = digested(&stream, 256);
        assert_eq!(
            out.last(),
            Some(&Out::Urc(b"+QSSLURC: \"closed\",3".to_vec())),
            "{announced}: {out:?}"
        );
    }
    // Right lengths, back to back, with nothing after the last one yet.
    let stream = b"\r\n+QSSLURC: \"recv\",3,2\r\nab\r\n\r\n+QSSLURC: \"recv\",3,2\r\ncd";
    assert_eq!(
        frames(stream, Expect::Idle),
        vec![
            Ev::Data(PayloadSource::Push(client(3)), b"ab".to_vec()),
            Ev::Data(PayloadSource::Push(client(3)), b"cd".to_vec()),
        ]
    );
}

#[test]
fn garbage_never_panics_and_stays_bounded() {
    let mut seed = Chunks(0xC0FFEE, 255);
    for round in 0..200 {
        let len = 1 + seed.next().unwrap() * 8;
        let stream: Vec<u8> = (0..len)
            .map(|_| {
                let r = seed.next().unwrap();
                // Bias towards the bytes that matter to framing.
                match r % 8 {
                    0 => b'\r',
                    1 => b'\n',
                    2 => b'"',
                    3 => b',',
                    _ => r as u8,
                }
            })
            .collect();
        let mut prefix = b"\r\n+QSSLURC: \"recv\",1,3\r\n".to_vec();
        if round % 2 == 0 {
            prefix.clear();
        }
        prefix.extend_from_slice(&stream);
        let _ = frames(&prefix, Expect::Response);
        let _ = digested(&prefix, 128);
    }
}

#[test]
fn cacertex_list_answers_per_context() {
    let stream = b"\r\n+QSSLCFG: \"cacertex\",0,\"RAM:a.pem\"\r\n+QSSLCFG: \"cacertex\",1,\"\"\r\n\r\nOK\r\n";
    let out = digested(stream, 256);
    let [Out::Response(body)] = &out[..] else {
        panic!("{out:?}")
    };
    let list: heapless::Vec<SslConfigValue<FilePath>, 6> =
        parse_body(&crate::command::ssl_config::ListCaCertEx, body).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].value.as_str(), "RAM:a.pem");
    assert_eq!(list[1].value.as_str(), "");
}
