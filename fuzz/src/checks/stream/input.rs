//! A `digest_stream` input and how it is read: the header (what is in
//! flight, the two chunkings, the atat buffer size), the chunk sizes a seed
//! gives, and where a frame lies in the stream. Both faces of the check
//! (`frames.rs` for the framer, `stream.rs` for the digester) build on it.

use std::ops::Range;

use quectel_ssl::Expect;

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
pub(super) fn span(stream: &[u8], inner: &[u8]) -> Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(stream.as_ptr() as usize);
    start..start + inner.len()
}
