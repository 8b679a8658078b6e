//! `digest_stream`: chunked streams through the framer (engine face) and
//! the atat digester.

use atat::{DigestResult, Digester};
use quectel_ssl::digest::{FinalResult, PayloadSource, ResponseItem, ResponseItems};
use quectel_ssl::{Expect, Frame, Framer, QuectelDigester, Urc};

use super::{check_urc_frame, has_line_end, within, FRAMER_BUFFER, MAX_PAYLOAD};

/// Header bytes of a `digest_stream` input, before the stream itself.
pub const STREAM_HEADER: usize = 4;

/// What the host has in flight, by the low bits of header byte 0.
const EXPECTS: [Expect; 5] = [
    Expect::Idle,
    Expect::Response,
    Expect::Transparent,
    Expect::Upload { ack: false },
    Expect::Upload { ack: true },
];

/// Capacities of the atat ingress buffer, by header byte 3.
const DIGEST_CAPACITIES: [usize; 4] = [64, 256, 1024, 2048];

/// A `digest_stream` input: 4 header bytes, then the module's bytes.
///
/// - byte 0: `Expect` (low nibble, modulo 5); bit 7: tell the framer the
///   same again after each final result code (an engine sending commands
///   back to back); bit 6: tell the atat digester too.
/// - bytes 1 and 2: the two chunkings the stream is fed in ([`Chunks`]).
/// - byte 3: the atat ingress capacity (64, 256, 1024 or 2048 bytes).
#[derive(Debug, Clone, Copy)]
pub struct StreamInput<'a> {
    /// What was sent before the stream.
    pub expect: Expect,
    /// Tell the framer `expect` again after every final result code.
    pub rearm: bool,
    /// Tell the atat digester `expect` before the stream.
    pub tell_digester: bool,
    /// Seeds of the two chunkings.
    pub chunkings: [u8; 2],
    /// Capacity of the atat ingress buffer.
    pub digest_capacity: usize,
    /// The module's bytes.
    pub stream: &'a [u8],
}

impl<'a> StreamInput<'a> {
    /// Read an input; missing header bytes count as 0.
    pub fn decode(data: &'a [u8]) -> Self {
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        Self {
            expect: EXPECTS[usize::from(byte(0) & 0x0F) % EXPECTS.len()],
            rearm: byte(0) & 0x80 != 0,
            tell_digester: byte(0) & 0x40 != 0,
            chunkings: [byte(1), byte(2)],
            digest_capacity: DIGEST_CAPACITIES[usize::from(byte(3)) % DIGEST_CAPACITIES.len()],
            stream: data.get(STREAM_HEADER..).unwrap_or_default(),
        }
    }
}

/// Chunk sizes from a seed: 0 = as much as fits, 1 = one byte at a time,
/// n = xorshift sizes in 1..=n.
#[derive(Debug, Clone)]
pub struct Chunks {
    state: u32,
    max: usize,
}

impl Chunks {
    /// The chunking of `seed`.
    pub fn new(seed: u8) -> Self {
        Self {
            state: u32::from(seed).wrapping_mul(0x9E37_79B9) | 1,
            max: match seed {
                0 => usize::MAX,
                n => usize::from(n),
            },
        }
    }

    /// The next chunk size.
    pub fn next_size(&mut self) -> usize {
        if self.max == usize::MAX {
            return usize::MAX;
        }
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        1 + self.state as usize % self.max
    }
}

/// A frame, owned; payload pieces and raw bytes joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// [`Frame::Echo`]
    Echo(Vec<u8>),
    /// [`Frame::Line`]
    Line(Vec<u8>),
    /// [`Frame::Urc`]
    Urc(Vec<u8>),
    /// [`Frame::Final`], debug-printed.
    Final(String),
    /// [`Frame::Prompt`]
    Prompt,
    /// [`Frame::UploadAck`]
    UploadAck,
    /// A whole or cut-short payload: its source, announced length and bytes.
    Payload(PayloadSource, u16, Vec<u8>),
    /// [`Frame::Raw`] bytes.
    Raw(Vec<u8>),
    /// [`Frame::Malformed`]
    Malformed(Vec<u8>),
    /// One or more [`Frame::Discarded`] in a row.
    Discarded,
    /// [`Frame::PayloadEnd`]: the bytes after a payload were (not) its
    /// trailer.
    PayloadEnd(PayloadSource, bool),
}

/// The frames of one run, and what the invariants need to remember.
#[derive(Debug, Default)]
struct FrameLog {
    events: Vec<Event>,
    /// A payload is being delivered: its announced length.
    open_payload: Option<u16>,
    /// A payload was delivered whole and its trailer is not checked yet.
    trailer_due: Option<PayloadSource>,
    /// Bytes of that trailer already used by `Pending` frames.
    trailer_used: usize,
}

impl FrameLog {
    /// Record `frame`, which used `used` bytes of `buf`; check it against
    /// the framer's state after the call.
    fn record(&mut self, frame: Frame<'_>, buf: &[u8], used: usize, framer: &Framer) {
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
                Event::Final(format!("{result:?}"))
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
                Event::Payload(source, len, Vec::new())
            }
            Frame::Payload { data, remaining } => {
                assert_eq!(data.len(), used, "payload bytes are not the bytes used");
                assert!(within(consumed, data), "payload outside its bytes");
                let Some(len) = self.open_payload else {
                    panic!("payload bytes without a payload start");
                };
                let Some(Event::Payload(_, _, bytes)) = self.events.last_mut() else {
                    panic!("payload bytes without a payload start");
                };
                bytes.extend_from_slice(data);
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
                    if let Some(Event::Payload(source, _, _)) = self.events.last() {
                        self.trailer_due = Some(*source);
                    }
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
                if let Some(Event::Raw(bytes)) = self.events.last_mut() {
                    bytes.extend_from_slice(data);
                    return;
                }
                Event::Raw(data.to_vec())
            }
            Frame::Discarded => {
                if self.events.last() == Some(&Event::Discarded) {
                    return;
                }
                Event::Discarded
            }
        };
        self.events.push(event);
    }

    fn line(&self, line: &[u8], consumed: &[u8]) -> Vec<u8> {
        assert!(within(consumed, line), "line outside the bytes it used");
        assert!(!has_line_end(line), "line holds a line end: {line:?}");
        line.to_vec()
    }
}

/// Feed the stream to a [`Framer`] through a [`FRAMER_BUFFER`]-byte buffer,
/// as the engine does: read what fits, cut frames until `(Pending, 0)`,
/// drop the bytes used, read again.
pub fn run_framer(input: &StreamInput<'_>, seed: u8) -> Vec<Event> {
    let stream = input.stream;
    let mut chunks = Chunks::new(seed);
    let mut framer = Framer::new(FRAMER_BUFFER);
    framer.set_expect(input.expect);
    let mut buf: Vec<u8> = Vec::with_capacity(FRAMER_BUFFER);
    let mut read = 0;
    let mut log = FrameLog::default();
    loop {
        let take = chunks
            .next_size()
            .min(FRAMER_BUFFER - buf.len())
            .min(stream.len() - read);
        buf.extend_from_slice(&stream[read..read + take]);
        read += take;
        loop {
            let (frame, used) = framer.next(&buf);
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
            log.record(frame, &buf, used, &framer);
            buf.drain(..used);
            if is_final && input.rearm && !framer.in_flight() && !framer.is_raw() {
                framer.set_expect(input.expect);
            }
        }
        assert!(
            buf.len() < FRAMER_BUFFER,
            "framer stalled on a full buffer: {:?}",
            String::from_utf8_lossy(&buf)
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

/// What the atat digester produced, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digested {
    /// `DigestResult::Response(Ok(body))`
    Response(Vec<u8>),
    /// `DigestResult::Response(Err(e))`, debug-printed.
    Error(String),
    /// `DigestResult::Urc(frame)`
    Urc(Vec<u8>),
    /// `DigestResult::Prompt(byte)`
    Prompt(u8),
}

/// Feed the stream to a [`QuectelDigester`] as atat's `Ingress` does: a
/// buffer of `digest_capacity` bytes, `digest` until it consumes nothing.
/// Returns the results and how many bytes were left in the buffer.
pub fn run_digester(input: &StreamInput<'_>, seed: u8) -> (Vec<Digested>, usize) {
    let stream = input.stream;
    let capacity = input.digest_capacity;
    let mut chunks = Chunks::new(seed);
    let mut digester = QuectelDigester::new(capacity);
    if input.tell_digester {
        digester.set_expect(input.expect);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(capacity);
    let mut read = 0;
    let mut out = Vec::new();
    loop {
        let take = chunks
            .next_size()
            .min(capacity - buf.len())
            .min(stream.len() - read);
        buf.extend_from_slice(&stream[read..read + take]);
        read += take;
        while !buf.is_empty() {
            let (result, used) = digester.digest(&buf);
            assert!(
                used <= buf.len(),
                "digester consumed {used} of {} bytes",
                buf.len()
            );
            let none = matches!(result, DigestResult::None);
            assert!(
                none || used > 0,
                "a result that consumed nothing: {result:?}"
            );
            match result {
                DigestResult::None => {}
                DigestResult::Prompt(p) => out.push(Digested::Prompt(p)),
                DigestResult::Urc(frame) => {
                    assert!(
                        within(&buf[..used], frame),
                        "URC outside the bytes consumed"
                    );
                    check_urc_frame(frame);
                    out.push(Digested::Urc(frame.to_vec()));
                }
                DigestResult::Response(Ok(body)) => {
                    assert!(within(&buf, body), "response body outside the buffer");
                    check_body_items(body);
                    out.push(Digested::Response(body.to_vec()));
                }
                DigestResult::Response(Err(e)) => out.push(Digested::Error(format!("{e:?}"))),
            }
            if used == 0 {
                break;
            }
            buf.drain(..used);
        }
        assert!(
            buf.len() < capacity,
            "digester stalled on a full {capacity}-byte buffer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        if read == stream.len() {
            return (out, buf.len());
        }
    }
}

/// The items of a response body as atat hands it to `AtatCmd::parse`.
fn check_body_items(body: &[u8]) {
    for item in ResponseItems::new(body) {
        match item {
            ResponseItem::Line(line) => {
                assert!(within(body, line), "body line outside the body");
                assert!(!has_line_end(line), "body line holds a line end");
            }
            ResponseItem::Payload { header, data } => {
                assert!(within(body, header) && within(body, data));
                assert!(data.len() <= MAX_PAYLOAD, "body payload over 1500 bytes");
            }
        }
    }
}

/// The direct-push payloads that arrived whole, in order.
fn pushed_by_framer(events: &[Event]) -> Vec<(u8, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Payload(PayloadSource::Push(client), len, bytes)
                if bytes.len() == usize::from(*len) =>
            {
                Some((client.get(), bytes.clone()))
            }
            _ => None,
        })
        .collect()
}

fn pushed_by_digester(out: &[Digested]) -> Vec<(u8, Vec<u8>)> {
    out.iter()
        .filter_map(|d| match d {
            Digested::Urc(frame) => match Urc::parse(frame) {
                Urc::DataPushed { client, data } => Some((client.get(), data.to_vec())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `digest_stream`: the stream through both faces, each in two chunkings.
///
/// Invariants: every call uses at most the bytes it was given; a frame
/// (result) other than `Pending` (`None`) uses at least one byte; frames
/// borrow from the bytes they used and hold no line end; payloads are
/// exactly as long as announced (1..=1500) and never interrupted; the
/// buffer never fills up with the framer or digester stalled; both
/// chunkings give the same frames and results; and with a digest buffer
/// that holds any push, both faces deliver the same pushed data.
pub fn check_stream(data: &[u8]) {
    let input = StreamInput::decode(data);
    let [a, b] = input.chunkings;
    let frames = run_framer(&input, a);
    assert_eq!(
        frames,
        run_framer(&input, b),
        "framer: chunkings {a} and {b} disagree"
    );
    // The digester reports a response that outgrew its buffer once the
    // buffer is full, which depends on what an earlier chunk let it consume:
    // where the stream stops, two chunkings may be at different points of
    // the same results. One list must begin the other, and they must be
    // equal when the shorter run had nothing left in its buffer.
    let (digested, left) = run_digester(&input, a);
    let (other, other_left) = run_digester(&input, b);
    let (short, long, short_left) = if digested.len() <= other.len() {
        (&digested, &other, left)
    } else {
        (&other, &digested, other_left)
    };
    assert!(
        long.starts_with(short) && (short_left > 0 || short.len() == long.len()),
        "digester: chunkings {a} and {b} disagree: {digested:?} vs {other:?}"
    );
    let comparable = matches!(input.expect, Expect::Idle | Expect::Response)
        && input.digest_capacity == 2048
        && !frames.contains(&Event::Discarded)
        && left == 0;
    if comparable {
        assert_eq!(
            pushed_by_framer(&frames),
            pushed_by_digester(&digested),
            "framer and digester deliver different pushed data"
        );
    }
}
