//! Edges of the framer and of the atat digester that a `cargo mutants` pass
//! over `src/digest` found untested: each test pins one behaviour a mutant
//! changed while every other test still passed.

use atat::{DigestResult, Digester};
use quectel_ssl::digest::{FinalResult, PayloadSource};
use quectel_ssl::{Expect, Frame, Framer, QuectelDigester};

/// What the digester produced, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Response(Vec<u8>),
    Error(String),
    Urc(Vec<u8>),
    Prompt(u8),
}

/// Feed `stream` to `digester` as atat's `Ingress` does, `chunk` bytes at a
/// time, through a buffer of `cap` bytes. A digester that leaves the
/// buffer full and consumes nothing has stalled: that ends the feed with
/// `Out::Error("stalled")`.
fn digest(mut digester: QuectelDigester, stream: &[u8], cap: usize, chunk: usize) -> Vec<Out> {
    let mut buf: Vec<u8> = Vec::new();
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < stream.len() || !buf.is_empty() {
        let take = chunk.min(cap - buf.len()).min(stream.len() - pos);
        if take == 0 && pos < stream.len() {
            out.push(Out::Error("stalled".into()));
            break;
        }
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            let (result, used) = digester.digest(&buf);
            match result {
                DigestResult::None => {}
                DigestResult::Urc(u) => out.push(Out::Urc(u.to_vec())),
                DigestResult::Prompt(p) => out.push(Out::Prompt(p)),
                DigestResult::Response(Ok(r)) => out.push(Out::Response(r.to_vec())),
                DigestResult::Response(Err(e)) => out.push(Out::Error(format!("{e:?}"))),
            }
            if used == 0 {
                break;
            }
            buf.drain(..used);
        }
        if pos == stream.len() {
            break;
        }
    }
    out
}

/// The same results fed whole and a byte at a time.
fn digested(digester: QuectelDigester, stream: &[u8], cap: usize) -> Vec<Out> {
    let whole = digest(digester.clone(), stream, cap, usize::MAX);
    assert_eq!(whole, digest(digester, stream, cap, 1), "bytewise");
    whole
}

fn urc(text: &str) -> Out {
    Out::Urc(text.as_bytes().to_vec())
}

#[test]
fn the_digester_told_of_an_upload_in_ack_mode_reports_each_ack() {
    // `set_expect` reaches the framer: after `CONNECT`, each `A` is an
    // acknowledgement (a prompt for atat), not the start of a line.
    let mut digester = QuectelDigester::new(256);
    digester.set_expect(Expect::Upload { ack: true });
    assert_eq!(
        digested(digester, b"\r\nCONNECT\r\nAA", 256),
        [Out::Response(vec![]), Out::Prompt(b'A'), Out::Prompt(b'A')]
    );
}

#[test]
fn a_prompt_inside_a_reported_response_is_still_delivered() {
    // A URC between two lines makes the digester report the response at its
    // result code and then skip the rest, delivering what is not the
    // response's: a `> ` prompt among it too.
    let stream = b"\r\n+QFLST: \"a\",1\r\n\r\n+QSSLURC: \"closed\",1\r\n\r\n> \r\n+QFLST: \"b\",2\r\n\r\nOK\r\n";
    let out = digested(QuectelDigester::new(256), stream, 256);
    assert!(out.contains(&urc("+QSSLURC: \"closed\",1")), "{out:?}");
    assert!(out.contains(&Out::Prompt(b'>')), "{out:?}");
}

#[test]
fn a_push_skipped_over_is_measured_without_the_line_ends_before_it() {
    // A response too long for a 64-byte buffer is reported and skipped; a
    // push among its skipped lines takes 63 bytes, the CR LF before it
    // included 65. Measured from its own first byte it fits, and is
    // delivered, whatever the chunking.
    let data = [b'x'; 41];
    let mut stream = b"\r\n+QFLST: \"a-long-file-name-that-fills-the-buffer.pem\",12345".to_vec();
    stream.extend_from_slice(b"\r\n\r\n+QSSLURC: \"recv\",1,41\r\n");
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\r\n\r\nOK\r\n");
    let out = digested(QuectelDigester::new(64), &stream, 64);
    let mut push = b"+QSSLURC: \"recv\",1,41\r\n".to_vec();
    push.extend_from_slice(&data);
    assert!(out.contains(&Out::Urc(push)), "{out:?}");
}

#[test]
fn a_push_met_with_its_line_ends_while_skipping_is_measured_from_its_header() {
    // As above, but the CR LF and the push's header reach the skipping
    // digester in one piece: it sets the line ends aside first, so the
    // push (23 + 41 bytes) fits the 64-byte buffer exactly and is
    // delivered; counted with them it would not, and its data would be
    // dropped. Nor does a header with no line end before it stall.
    let data = [b'y'; 41];
    let mut stream = b"\r\n+QFLST: \"a\",1\r\n\r\n+QSSLURC: \"recv\",1,41\r\n".to_vec();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\r\n\r\nOK\r\n\r\n+QSSLURC: \"closed\",1\r\n");
    let mut push = b"+QSSLURC: \"recv\",1,41\r\n".to_vec();
    push.extend_from_slice(&data);
    assert_eq!(
        digested(QuectelDigester::new(64), &stream, 64),
        [
            Out::Error("Capacity".into()),
            Out::Urc(push),
            urc("+QSSLURC: \"closed\",1"),
        ]
    );
}

#[test]
fn line_ends_before_a_line_that_nearly_fills_the_buffer_are_set_aside_while_skipping() {
    // A response too long for the buffer is skipped to its `OK`. Among it,
    // CR LF and a 62-byte line that has not ended yet: the line ends are
    // consumed at once, so the line's own CR LF finds room in the 64
    // bytes; kept, the buffer would stay full and the digester stall
    // (the URC after the `OK` never delivered).
    let name = "n".repeat(50);
    let long = format!("+QFLST: \"{name}\",1");
    assert_eq!(long.len(), 62);
    let stream =
        format!("\r\n+QFLST: \"a\",1\r\n\r\n{long}\r\n\r\nOK\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    assert_eq!(
        digested(QuectelDigester::new(64), stream.as_bytes(), 64),
        [Out::Error("Capacity".into()), urc("+QSSLURC: \"closed\",2")]
    );
}

#[test]
fn a_response_led_by_a_payload_with_a_urc_after_it_is_cut_right() {
    // A read's answer (payload first), a URC inside it: the response is
    // reported at `OK` having consumed exactly its header and payload;
    // the URC comes next, and nothing is read twice or lost.
    let stream = b"\r\n+QSSLRECV: 5\r\nhello\r\n\r\n+QSSLURC: \"closed\",1\r\n\r\nOK\r\n\r\n+QSSLURC: \"closed\",2\r\n";
    assert_eq!(
        digested(QuectelDigester::new(256), stream, 256),
        [
            Out::Response(b"+QSSLRECV: 5\r\nhello".to_vec()),
            urc("+QSSLURC: \"closed\",1"),
            urc("+QSSLURC: \"closed\",2"),
        ]
    );
}

#[test]
fn a_read_payload_holding_urc_text_is_skipped_whole_when_a_urc_follows_it() {
    // As above, with the peer's data spelling a URC: what is skipped after
    // the response is reported is its header and its whole payload, so
    // the text inside the payload never comes out as a URC (a count off
    // by the payload's length would read it as lines).
    let data = b"\r\n+QSSLURC: \"closed\",3\r\n";
    let mut stream = format!("\r\n+QSSLRECV: {}\r\n", data.len()).into_bytes();
    stream.extend_from_slice(data);
    stream.extend_from_slice(b"\r\n\r\n+QSSLURC: \"closed\",1\r\n\r\nOK\r\n");
    let mut body = format!("+QSSLRECV: {}\r\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    assert_eq!(
        digested(QuectelDigester::new(256), &stream, 256),
        [Out::Response(body), urc("+QSSLURC: \"closed\",1")]
    );
}

#[test]
fn a_push_of_no_bytes_is_malformed_not_an_empty_payload() {
    // `+QSSLURC: "recv",<id>,0` is no push a module sends: a length lost
    // its digits. Counted as an empty payload, the line end after it would
    // be checked as its trailer and the engine would trust what follows.
    let mut framer = Framer::new(256);
    let line = b"+QSSLURC: \"recv\",1,0";
    assert_eq!(
        framer.next(b"\r\n+QSSLURC: \"recv\",1,0\r\n"),
        (Frame::Malformed(&line[..]), 24)
    );
    assert_eq!(framer.payload_remaining(), 0);
}

#[test]
fn quarantine_is_reported_as_set() {
    let mut framer = Framer::new(256);
    assert!(!framer.in_quarantine());
    framer.set_quarantine(true);
    assert!(framer.in_quarantine());
    // In quarantine a result code is a plain line.
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Line(b"OK"), 4));
    framer.set_quarantine(false);
    assert!(!framer.in_quarantine());
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Final(FinalResult::Ok), 4));
}

/// Every frame `framer` makes of `bytes`, as text (what a payload frame
/// carries, and how a payload ended).
fn frames_of(framer: &mut Framer, mut bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let (frame, used) = framer.next(bytes);
        match frame {
            Frame::Pending if used == 0 => return out,
            Frame::Pending => {}
            Frame::Payload { data, .. } => {
                out.push(format!("data {}", String::from_utf8_lossy(data)))
            }
            Frame::PayloadEnd { intact, .. } => out.push(format!("end intact={intact}")),
            Frame::Line(line) => out.push(format!("line {}", String::from_utf8_lossy(line))),
            other => out.push(format!("{other:?}")),
        }
        bytes = &bytes[used..];
    }
}

#[test]
fn a_quarantine_after_the_payload_lets_a_trusted_push_end_and_be_checked() {
    // A push announced while the stream was trusted, half read when the
    // resync's probe starts a quarantine: its bytes and its check come as
    // usual, and only what follows is quarantined.
    let mut framer = Framer::new(256);
    let start = frames_of(&mut framer, b"\r\n+QSSLURC: \"recv\",0,5\r\nab");
    assert_eq!(
        start.last().map(String::as_str),
        Some("data ab"),
        "{start:?}"
    );
    framer.set_quarantine_after_payload();
    assert!(framer.in_quarantine());
    assert_eq!(
        frames_of(&mut framer, b"cde\r\n\r\nOK\r\n"),
        ["data cde", "end intact=true", "line OK"]
    );
    // With nothing being counted it is the plain quarantine; and the plain
    // quarantine forgets a payload being counted.
    let mut plain = Framer::new(256);
    plain.set_quarantine_after_payload();
    assert_eq!(frames_of(&mut plain, b"\r\nOK\r\n"), ["line OK"]);
    let mut forgets = Framer::new(256);
    frames_of(&mut forgets, b"\r\n+QSSLURC: \"recv\",0,5\r\nab");
    forgets.set_quarantine(true);
    assert_eq!(
        frames_of(&mut forgets, b"cde\r\n\r\nOK\r\n"),
        ["line cde", "line OK"]
    );
}

#[test]
fn enter_raw_makes_every_byte_raw_until_left() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    framer.enter_raw();
    assert!(framer.is_raw());
    assert!(
        !framer.in_flight(),
        "a CONNECT read elsewhere ended the command"
    );
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Raw(b"OK\r\n"), 4));
    framer.leave_raw();
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Final(FinalResult::Ok), 4));
}

#[test]
fn abort_payload_gives_up_the_bytes_still_owed() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    let (frame, used) = framer.next(b"+QSSLRECV: 10\r\n");
    assert!(matches!(
        frame,
        Frame::PayloadStart {
            source: PayloadSource::Read,
            len: 10,
            ..
        }
    ));
    assert_eq!(used, 15);
    assert_eq!(framer.next(b"abc").1, 3);
    assert_eq!(framer.abort_payload(), 7);
    assert_eq!(framer.payload_remaining(), 0);
    // Lines again: a result code is one.
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Final(FinalResult::Ok), 4));
    // Nothing owed: nothing to give up.
    assert_eq!(framer.abort_payload(), 0);
}

#[test]
fn abort_payload_with_nothing_owed_leaves_the_trailer_check_alone() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    framer.next(b"+QSSLRECV: 2\r\n");
    assert_eq!(framer.next(b"hi").1, 2);
    assert!(framer.checking_trailer());
    assert_eq!(framer.abort_payload(), 0);
    assert!(framer.checking_trailer());
    assert_eq!(
        framer.next(b"\r\n\r\n"),
        (
            Frame::PayloadEnd {
                source: PayloadSource::Read,
                intact: true
            },
            4
        )
    );
}

#[test]
fn reset_forgets_everything_but_quarantine() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    framer.next(b"+QSSLRECV: 10\r\n");
    framer.reset();
    assert_eq!(framer.payload_remaining(), 0);
    assert!(!framer.in_flight());
    // Idle again: an unknown line is a URC, a result code a result code.
    assert_eq!(framer.next(b"hello\r\n"), (Frame::Urc(b"hello"), 7));
    assert_eq!(framer.next(b"OK\r\n"), (Frame::Final(FinalResult::Ok), 4));
    framer.set_quarantine(true);
    framer.reset();
    assert!(framer.in_quarantine());
}

#[test]
fn next_at_end_ends_a_discarded_line_at_its_line_end() {
    // An 8-byte buffer: the 10-byte line is discarded; the body's last
    // line, after the discarded one's line end, counts without its CR LF.
    let mut framer = Framer::new(8);
    framer.set_expect(Expect::Response);
    assert_eq!(framer.next(b"0123456789"), (Frame::Discarded, 10));
    assert_eq!(
        framer.next_at_end(b"\r\nOK"),
        (Frame::Final(FinalResult::Ok), 4)
    );
}

#[test]
fn next_at_end_in_a_payload_keeps_its_bytes_whatever_they_are() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    framer.next(b"+QSSLRECV: 3\r\n");
    assert_eq!(
        framer.next_at_end(b"\r\nx"),
        (
            Frame::Payload {
                data: b"\r\nx",
                remaining: 0
            },
            3
        )
    );
}

#[test]
fn every_frame_uses_exactly_its_bytes_and_line_end() {
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Response);
    // An echo, its CR.
    assert_eq!(framer.next(b"AT+X\r\r\nOK"), (Frame::Echo(b"AT+X"), 5));
    // A lone LF, before more bytes and at the end of the buffer.
    assert_eq!(framer.next(b"line\nX"), (Frame::Line(b"line"), 5));
    assert_eq!(framer.next(b"line\n"), (Frame::Line(b"line"), 5));
    // A lone CR before more bytes: the line is done.
    assert_eq!(framer.next(b"line\rX"), (Frame::Line(b"line"), 5));
    // A CR at the end of the buffer waits for its LF, unless the input is
    // finished.
    assert_eq!(framer.next(b"line\r"), (Frame::Pending, 0));
    assert_eq!(framer.next_at_end(b"line\r"), (Frame::Line(b"line"), 5));
}

#[test]
fn a_payload_after_a_lone_line_end_starts_right_after_it() {
    for header in [&b"+QSSLRECV: 2\n"[..], b"+QSSLRECV: 2\r"] {
        let mut framer = Framer::new(256);
        framer.set_expect(Expect::Response);
        let mut stream = header.to_vec();
        stream.extend_from_slice(b"ab");
        let (frame, used) = framer.next(&stream);
        assert!(matches!(frame, Frame::PayloadStart { len: 2, .. }));
        assert_eq!(used, header.len());
        assert_eq!(
            framer.next(&stream[used..]),
            (
                Frame::Payload {
                    data: b"ab",
                    remaining: 0
                },
                2
            )
        );
    }
}

#[test]
fn connect_is_a_result_code_only_alone_or_with_a_rate() {
    let mut framer = Framer::new(256);
    for line in [&b"CONNECT"[..], b"CONNECT 115200"] {
        framer.set_expect(Expect::Response);
        let mut bytes = line.to_vec();
        bytes.extend_from_slice(b"\r\n");
        assert_eq!(framer.next(&bytes).0, Frame::Final(FinalResult::Connect));
    }
    framer.set_expect(Expect::Response);
    assert_eq!(
        framer.next(b"CONNECTED\r\n"),
        (Frame::Line(b"CONNECTED"), 11)
    );
}

#[test]
fn a_second_connect_ends_an_upload() {
    // `AT+QFUPL`: the first `CONNECT` starts the data phase (not final); a
    // second one is a final result code like any other.
    let mut framer = Framer::new(256);
    framer.set_expect(Expect::Upload { ack: false });
    framer.next(b"CONNECT\r\n");
    assert!(framer.in_flight());
    framer.next(b"CONNECT\r\n");
    assert!(!framer.in_flight());
}
