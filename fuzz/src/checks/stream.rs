//! `digest_stream`: chunked streams through the framer (engine face) and
//! the atat digester, each in a chunking of the input's choice and as a
//! whole.
//!
//! Frames are recorded as ranges of the stream, not copies: every frame
//! borrows from the bytes its call was given, and those are a window of the
//! stream (the buffer is the stream's unconsumed, received part, so nothing
//! is copied into a buffer either). Two runs agree when they cut the same
//! frames from the same bytes.

use std::ops::Range;

use atat::{DigestResult, Digester};
use quectel_ssl::digest::{FinalResult, PayloadSource, ResponseItem, ResponseItems};
use quectel_ssl::{Expect, Frame, Framer, QuectelDigester, Urc};

use super::bytes::{has_line_end, within, FRAMER_BUFFER, MAX_PAYLOAD};
use super::urc::check_urc_frame;

mod frames;

pub use frames::{run_framer, Event};

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
/// - byte 1: the framer's chunking, byte 2: the digester's ([`Chunks`]);
///   each face is also run on the whole stream (as much as fits each
///   time), and the two runs must agree.
/// - byte 3: the atat ingress capacity (64, 256, 1024 or 2048 bytes).
#[derive(Debug, Clone, Copy)]
pub struct StreamInput<'a> {
    /// What was sent before the stream.
    pub expect: Expect,
    /// Tell the framer `expect` again after every final result code.
    pub rearm: bool,
    /// Tell the atat digester `expect` before the stream.
    pub tell_digester: bool,
    /// Seeds of the framer's and the digester's chunking.
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

/// The largest of the sizes mixed into every chunking.
const LARGE_CHUNK: usize = 256;

/// Chunk sizes from a seed: 0 = as much as fits; n = xorshift sizes, at
/// even odds in 1..=n (1: one byte) or in 1..=256.
///
/// Every boundary position can be drawn, and runs of small chunks (single
/// bytes for n = 1) occur all along the stream; the large ones keep a
/// chunked run to a few calls per hundred bytes. A chunking of single bytes
/// throughout made one call per byte, each of which re-reads the line or
/// response being waited for: four fifths of the target's time went there.
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
        if self.state & 0x100 != 0 {
            return 1 + (self.state >> 9) as usize % LARGE_CHUNK;
        }
        1 + self.state as usize % self.max
    }
}

/// Where `inner` lies in `stream` (it borrows from it).
pub(crate) fn span(stream: &[u8], inner: &[u8]) -> Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(stream.as_ptr() as usize);
    start..start + inner.len()
}

/// What the atat digester produced: results as ranges of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digested {
    /// `DigestResult::Response(Ok(body))`
    Response(Range<usize>),
    /// `DigestResult::Response(Err(e))`, debug-printed.
    Error(String),
    /// `DigestResult::Urc(frame)`
    Urc(Range<usize>),
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
    // The buffer is `stream[base..read]`.
    let (mut base, mut read) = (0, 0);
    let mut out = Vec::new();
    loop {
        let take = chunks
            .next_size()
            .min(capacity - (read - base))
            .min(stream.len() - read);
        read += take;
        while base < read {
            let buf = &stream[base..read];
            let (result, used) = digester.digest(buf);
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
                    out.push(Digested::Urc(span(stream, frame)));
                }
                DigestResult::Response(Ok(body)) => {
                    assert!(within(buf, body), "response body outside the buffer");
                    check_body_items(body);
                    out.push(Digested::Response(span(stream, body)));
                }
                DigestResult::Response(Err(e)) => out.push(Digested::Error(format!("{e:?}"))),
            }
            if used == 0 {
                break;
            }
            base += used;
        }
        assert!(
            read - base < capacity,
            "digester stalled on a full {capacity}-byte buffer: {:?}",
            String::from_utf8_lossy(&stream[base..read])
        );
        if read == stream.len() {
            return (out, read - base);
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
fn pushed_by_framer<'s>(stream: &'s [u8], events: &[Event]) -> Vec<(u8, &'s [u8])> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Payload(PayloadSource::Push(client), len, bytes)
                if bytes.len() == usize::from(*len) =>
            {
                Some((client.get(), &stream[bytes.clone()]))
            }
            _ => None,
        })
        .collect()
}

fn pushed_by_digester<'s>(stream: &'s [u8], out: &[Digested]) -> Vec<(u8, &'s [u8])> {
    out.iter()
        .filter_map(|d| match d {
            Digested::Urc(frame) => match Urc::parse(&stream[frame.clone()]) {
                Urc::DataPushed { client, data } => Some((client.get(), data)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `digest_stream`: the stream through both faces, each in its chunking
/// and as a whole.
///
/// Invariants: every call uses at most the bytes it was given; a frame
/// (result) other than `Pending` (`None`) uses at least one byte; frames
/// borrow from the bytes they used and hold no line end; payloads are
/// exactly as long as announced (1..=1500) and never interrupted; the
/// buffer never fills up with the framer or digester stalled; the chunked
/// run gives the same frames (results) from the same bytes as the whole
/// one; and with a digest buffer that holds any push, both faces deliver
/// the same pushed data.
///
/// Agreement with one reference is agreement of all chunkings with each
/// other: two chunkings that disagree cannot both agree with the whole
/// run, so comparing each input's chunking with the whole run checks what
/// comparing two chunkings did, at half the cost.
pub fn check_stream(data: &[u8]) {
    let input = StreamInput::decode(data);
    let stream = input.stream;
    let [framer_seed, digester_seed] = input.chunkings;
    let frames = run_framer(&input, 0);
    if framer_seed != 0 {
        assert!(
            frames == run_framer(&input, framer_seed),
            "framer: chunking {framer_seed} disagrees with the whole stream"
        );
    }
    let (digested, left) = run_digester(&input, 0);
    if digester_seed != 0 {
        // The digester reports a response that outgrew its buffer once the
        // buffer is full, which depends on what an earlier chunk let it
        // consume: where the stream stops, two chunkings may be at
        // different points of the same results. One list must begin the
        // other, and they must be equal when the shorter run had nothing
        // left in its buffer.
        let (other, other_left) = run_digester(&input, digester_seed);
        let (short, long, short_left) = if digested.len() <= other.len() {
            (&digested, &other, left)
        } else {
            (&other, &digested, other_left)
        };
        assert!(
            long.starts_with(short) && (short_left > 0 || short.len() == long.len()),
            "digester: chunking {digester_seed} disagrees with the whole stream: \
             {digested:?} vs {other:?}"
        );
    }
    let comparable = matches!(input.expect, Expect::Idle | Expect::Response)
        && input.digest_capacity == 2048
        && !frames.contains(&Event::Discarded)
        && left == 0;
    if comparable {
        assert_eq!(
            pushed_by_framer(stream, &frames),
            pushed_by_digester(stream, &digested),
            "framer and digester deliver different pushed data"
        );
    }
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

/// The framer used by [`run_framer`] (for its module).
fn engine_framer(expect: Expect) -> Framer {
    let mut framer = Framer::new(FRAMER_BUFFER);
    framer.set_expect(expect);
    framer
}
