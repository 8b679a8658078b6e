//! What each socket sends, and the check of what comes back.
//!
//! A socket's life is cut into segments: one connection each, from its open
//! to its close. A segment sends a deterministic pattern (each byte a
//! function of the segment's seed and the byte's offset), the echo server
//! sends it back, and every byte received is compared with the byte expected
//! at its offset: a byte that differs is reordered or corrupted, a byte past
//! what was sent is duplicated, and what never came back is lost.

/// The byte at `offset` of the stream with `seed`.
pub fn pattern_byte(seed: u64, offset: u64) -> u8 {
    let word = mix(seed ^ (offset >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    (word >> ((offset & 7) * 8)) as u8
}

/// Fill `buf` with the stream of `seed` from `offset` on.
pub fn fill(seed: u64, offset: u64, buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = pattern_byte(seed, offset + i as u64);
    }
}

/// splitmix64's finaliser: every input bit moves every output bit.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A small deterministic random number generator (the soak's schedule).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix(self.0)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// `true` once in `n` times.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
}

/// One connection's stream, checked as it comes back.
#[derive(Debug, Clone, Copy, Default)]
pub struct Segment {
    pub seed: u64,
    /// Bytes the module accepted.
    pub sent: u64,
    /// Bytes read back.
    pub received: u64,
    /// Bytes read back that differ from the pattern at their offset.
    pub mismatched: u64,
    /// Bytes read back past what was sent.
    pub extra: u64,
}

impl Segment {
    pub fn new(seed: u64) -> Segment {
        Segment {
            seed,
            ..Segment::default()
        }
    }

    /// The next `len` bytes to send.
    pub fn next_chunk(&self, len: usize) -> Vec<u8> {
        let mut chunk = vec![0u8; len];
        fill(self.seed, self.sent, &mut chunk);
        chunk
    }

    /// `data` was read back.
    pub fn check(&mut self, data: &[u8]) {
        for &b in data {
            if self.received >= self.sent {
                self.extra += 1;
            } else if b != pattern_byte(self.seed, self.received) {
                self.mismatched += 1;
            }
            self.received += 1;
        }
    }

    /// Bytes sent and not (yet) read back.
    pub fn outstanding(&self) -> u64 {
        self.sent.saturating_sub(self.received)
    }
}

/// What became of the segments of one socket (or of several, summed).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub segments: u64,
    pub sent: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

impl Tally {
    /// Account for a finished segment.
    pub fn add(&mut self, seg: &Segment) {
        self.segments += 1;
        self.sent += seg.sent;
        self.received += seg.received;
        self.lost += seg.outstanding();
        self.duplicated += seg.extra;
        self.reordered += seg.mismatched;
    }

    pub fn merge(&mut self, other: &Tally) {
        self.segments += other.segments;
        self.sent += other.sent;
        self.received += other.received;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.reordered += other.reordered;
    }

    pub fn damage(&self) -> u64 {
        self.lost + self.duplicated + self.reordered
    }
}

#[test]
fn a_stream_catches_loss_duplication_and_reordering() {
    let mut seg = Segment::new(7);
    let chunk = seg.next_chunk(100);
    seg.sent = 100;
    // Two bytes swapped, one repeated at the end, one missing.
    let mut back = chunk.clone();
    back.swap(10, 11);
    seg.check(&back[..99]);
    assert_eq!(seg.mismatched, if chunk[10] == chunk[11] { 0 } else { 2 });
    assert_eq!(seg.outstanding(), 1);
    seg.check(&chunk[99..]);
    seg.check(&chunk[99..]);
    assert_eq!(seg.extra, 1);
    // Streams of different seeds differ.
    assert_ne!(
        Segment::new(8).next_chunk(32),
        Segment::new(7).next_chunk(32)
    );
}
