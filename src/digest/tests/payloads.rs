//! Length-framed payloads: a `+QSSLRECV` answer and a direct push are
//! taken by their announced length whatever they hold; a length out of
//! range is not trusted, a cut-short payload yields nothing false, and a
//! wrong length is caught by the bytes after the payload.

use super::*;
use crate::command::{parse_body, ssl_socket};
use crate::urc::Urc;

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
