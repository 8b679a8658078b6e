//! `digest_stream`: chunked streams through the framer (engine face) and
//! the atat digester, each in a chunking of the input's choice and as a
//! whole.
//!
//! Frames are recorded as ranges of the stream, not copies: every frame
//! borrows from the bytes its call was given, and those are a window of the
//! stream (the buffer is the stream's unconsumed, received part, so nothing
//! is copied into a buffer either). Two runs agree when they cut the same
//! frames from the same bytes.
//!
//! The input and how it is read are in `stream/input.rs`, the framer's
//! side in `stream/frames.rs`; this file holds the digester's side and the
//! check that compares the two.

use std::ops::Range;

use atat::{DigestResult, Digester};
use quectel_ssl::digest::{PayloadSource, ResponseItem, ResponseItems};
use quectel_ssl::{Expect, QuectelDigester, Urc};

use super::bytes::{has_line_end, within, MAX_PAYLOAD};
use super::urc::check_urc_frame;

mod frames;
mod input;

pub use frames::{run_framer, Event};
pub use input::{Chunks, StreamInput, STREAM_HEADER};

use input::span;

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
