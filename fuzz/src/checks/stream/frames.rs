//! The framer's side of `digest_stream`: the stream fed as the engine feeds
//! it, every frame checked against the framer's state and recorded as
//! ranges of the stream.

use std::ops::Range;

use quectel_ssl::digest::{FinalResult, PayloadSource};
use quectel_ssl::{Expect, Frame, Framer};

use super::input::{span, Chunks, StreamInput};
use crate::checks::bytes::{has_line_end, within, FRAMER_BUFFER, MAX_PAYLOAD};

/// A frame, owned: the bytes it holds as a range of the stream; payload
/// pieces and raw bytes joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// [`Frame::Echo`]
    Echo(Range<usize>),
    /// [`Frame::Line`]
    Line(Range<usize>),
    /// [`Frame::Urc`]
    Urc(Range<usize>),
    /// [`Frame::Final`]
    Final(Final),
    /// [`Frame::Prompt`]
    Prompt,
    /// [`Frame::UploadAck`]
    UploadAck,
    /// A whole or cut-short payload: its source, announced length and bytes.
    Payload(PayloadSource, u16, Range<usize>),
    /// [`Frame::Raw`] bytes.
    Raw(Range<usize>),
    /// [`Frame::Malformed`]
    Malformed(Range<usize>),
    /// One or more [`Frame::Discarded`] in a row.
    Discarded,
    /// [`Frame::PayloadEnd`]: the bytes after a payload were (not) its
    /// trailer.
    PayloadEnd(PayloadSource, bool),
}

/// A result code, owned (a `+CME ERROR` / `+CMS ERROR` argument as a range
/// of the stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    /// [`FinalResult::Ok`]
    Ok,
    /// [`FinalResult::Error`]
    Error,
    /// [`FinalResult::CmeError`]
    Cme(Range<usize>),
    /// [`FinalResult::CmsError`]
    Cms(Range<usize>),
    /// [`FinalResult::SendOk`]
    SendOk,
    /// [`FinalResult::SendFail`]
    SendFail,
    /// [`FinalResult::Connect`]
    Connect,
    /// [`FinalResult::NoCarrier`]
    NoCarrier,
}

impl Final {
    fn new(stream: &[u8], result: FinalResult<'_>) -> Self {
        match result {
            FinalResult::Ok => Self::Ok,
            FinalResult::Error => Self::Error,
            FinalResult::CmeError(arg) => Self::Cme(span(stream, arg)),
            FinalResult::CmsError(arg) => Self::Cms(span(stream, arg)),
            FinalResult::SendOk => Self::SendOk,
            FinalResult::SendFail => Self::SendFail,
            FinalResult::Connect => Self::Connect,
            FinalResult::NoCarrier => Self::NoCarrier,
            // `#[non_exhaustive]`: a result code this check does not know
            // yet must be taught to it.
            other => panic!("a result code this check does not know: {other:?}"),
        }
    }
}

/// The frames of one run, and what the invariants need to remember.
struct FrameLog<'s> {
    stream: &'s [u8],
    events: Vec<Event>,
    /// A payload is being delivered: its announced length.
    open_payload: Option<u16>,
    /// A payload was delivered whole and its trailer is not checked yet.
    trailer_due: Option<PayloadSource>,
    /// Bytes of that trailer already used by `Pending` frames.
    trailer_used: usize,
}

impl<'s> FrameLog<'s> {
    /// Record `frame`, which used the first `used` bytes of `buf` (a window
    /// of the stream); check it against the framer's state after the call.
    fn record(&mut self, frame: Frame<'s>, buf: &'s [u8], used: usize, framer: &Framer) {
        let consumed = &buf[..used];
        if self.open_payload.is_some() {
            assert!(
                matches!(frame, Frame::Payload { .. } | Frame::Pending),
                "a payload was interrupted by {frame:?}"
            );
        }
        if self.trailer_due.is_some() {
            assert!(
                matches!(frame, Frame::PayloadEnd { .. } | Frame::Pending),
                "a payload's trailer check was skipped for {frame:?}"
            );
        }
        // A payload's line end, then the CR LF the next output starts with.
        let trailer: &[u8] = match self.trailer_due {
            Some(_) => b"\r\n\r\n",
            None => b"",
        };
        let trailer_left = trailer.get(self.trailer_used..).unwrap_or_default();
        let event = match frame {
            Frame::Pending => {
                if self.trailer_due.is_some() {
                    assert!(
                        trailer_left.starts_with(consumed),
                        "the trailer check used bytes that are no trailer: {consumed:?}"
                    );
                    self.trailer_used += used;
                }
                return;
            }
            Frame::Echo(line) => Event::Echo(self.line(line, consumed)),
            Frame::Line(line) => Event::Line(self.line(line, consumed)),
            Frame::Urc(line) => Event::Urc(self.line(line, consumed)),
            Frame::Malformed(line) => Event::Malformed(self.line(line, consumed)),
            Frame::Final(result) => {
                if let FinalResult::CmeError(arg) | FinalResult::CmsError(arg) = result {
                    assert!(within(consumed, arg), "result argument outside its bytes");
                    assert!(!has_line_end(arg), "result argument holds a line end");
                }
                Event::Final(Final::new(self.stream, result))
            }
            Frame::Prompt => Event::Prompt,
            Frame::UploadAck => Event::UploadAck,
            Frame::PayloadStart {
                source,
                len,
                header,
            } => {
                self.line(header, consumed);
                assert!(
                    (1..=MAX_PAYLOAD).contains(&usize::from(len)),
                    "announced payload length {len} out of 1..=1500"
                );
                assert_eq!(
                    framer.payload_remaining(),
                    usize::from(len),
                    "framer does not count the payload it announced"
                );
                self.open_payload = Some(len);
                let end = span(self.stream, consumed).end;
                Event::Payload(source, len, end..end)
            }
            Frame::Payload { data, remaining } => {
                assert_eq!(data.len(), used, "payload bytes are not the bytes used");
                assert!(within(consumed, data), "payload outside its bytes");
                let Some(len) = self.open_payload else {
                    panic!("payload bytes without a payload start");
                };
                let piece = span(self.stream, data);
                let Some(Event::Payload(source, _, bytes)) = self.events.last_mut() else {
                    panic!("payload bytes without a payload start");
                };
                assert_eq!(bytes.end, piece.start, "payload bytes out of order");
                bytes.end = piece.end;
                assert!(
                    bytes.len() <= usize::from(len),
                    "payload longer than announced"
                );
                assert_eq!(
                    usize::from(remaining),
                    usize::from(len) - bytes.len(),
                    "`remaining` disagrees with the bytes delivered"
                );
                assert_eq!(framer.payload_remaining(), usize::from(remaining));
                if remaining == 0 {
                    self.open_payload = None;
                    self.trailer_due = Some(*source);
                }
                return;
            }
            Frame::PayloadEnd { source, intact } => {
                assert_eq!(
                    self.trailer_due.take(),
                    Some(source),
                    "a trailer check without the payload before it"
                );
                assert!(
                    trailer_left.starts_with(consumed),
                    "the trailer check used bytes that are no trailer: {consumed:?}"
                );
                let whole = self.trailer_used + used == trailer.len();
                assert_eq!(intact, whole, "intact must mean the whole trailer came");
                self.trailer_used = 0;
                Event::PayloadEnd(source, intact)
            }
            Frame::Raw(data) => {
                assert_eq!(data.len(), used, "raw bytes are not the bytes used");
                assert!(within(consumed, data), "raw bytes outside their bytes");
                let piece = span(self.stream, data);
                if let Some(Event::Raw(bytes)) = self.events.last_mut() {
                    assert_eq!(bytes.end, piece.start, "raw bytes out of order");
                    bytes.end = piece.end;
                    return;
                }
                Event::Raw(piece)
            }
            Frame::Discarded => {
                if self.events.last() == Some(&Event::Discarded) {
                    return;
                }
                Event::Discarded
            }
            // `Frame` is `#[non_exhaustive]`: a frame this check does not
            // know yet must be taught to it, not skipped.
            other => panic!("a frame this check does not know: {other:?}"),
        };
        self.events.push(event);
    }

    fn line(&self, line: &[u8], consumed: &[u8]) -> Range<usize> {
        assert!(within(consumed, line), "line outside the bytes it used");
        assert!(!has_line_end(line), "line holds a line end: {line:?}");
        span(self.stream, line)
    }
}

/// The framer used by [`run_framer`]: the engine's buffer size, told what
/// was sent.
fn engine_framer(expect: Expect) -> Framer {
    let mut framer = Framer::new(FRAMER_BUFFER);
    framer.set_expect(expect);
    framer
}

/// Feed the stream to a [`Framer`] through a [`FRAMER_BUFFER`]-byte buffer,
/// as the engine does: read what fits, cut frames until `(Pending, 0)`,
/// drop the bytes used, read again. The buffer is the window
/// `stream[base..read]`.
pub fn run_framer(input: &StreamInput<'_>, seed: u8) -> Vec<Event> {
    let stream = input.stream;
    let mut chunks = Chunks::new(seed);
    let mut framer = engine_framer(input.expect);
    let (mut base, mut read) = (0, 0);
    let mut log = FrameLog {
        stream,
        events: Vec::new(),
        open_payload: None,
        trailer_due: None,
        trailer_used: 0,
    };
    loop {
        let take = chunks
            .next_size()
            .min(FRAMER_BUFFER - (read - base))
            .min(stream.len() - read);
        read += take;
        loop {
            let buf = &stream[base..read];
            let (frame, used) = framer.next(buf);
            assert!(
                used <= buf.len(),
                "framer used {used} of {} bytes",
                buf.len()
            );
            if used == 0 {
                match frame {
                    Frame::Pending => break,
                    // It moves the framer out of its trailer check.
                    Frame::PayloadEnd { .. } => {}
                    _ => panic!(
                        "a frame that used no bytes: {frame:?} (an engine waits for more input here)"
                    ),
                }
            }
            let is_final = matches!(frame, Frame::Final(_));
            log.record(frame, buf, used, &framer);
            base += used;
            if is_final && input.rearm && !framer.in_flight() && !framer.is_raw() {
                framer.set_expect(input.expect);
            }
        }
        assert!(
            read - base < FRAMER_BUFFER,
            "framer stalled on a full buffer: {:?}",
            String::from_utf8_lossy(&stream[base..read])
        );
        if read == stream.len() {
            break;
        }
    }
    if let (Some(len), Some(Event::Payload(_, _, bytes))) = (log.open_payload, log.events.last()) {
        assert!(bytes.len() < usize::from(len), "finished payload left open");
    }
    log.events
}
