//! A socket's receive ring, in memory the caller lends when opening it.

/// Bytes received for one socket and not yet read, in order.
#[derive(Debug, Default)]
pub struct Ring<'r> {
    buf: &'r mut [u8],
    head: usize,
    len: usize,
}

impl<'r> Ring<'r> {
    /// An empty ring over `buf`.
    pub fn new(buf: &'r mut [u8]) -> Self {
        Self {
            buf,
            head: 0,
            len: 0,
        }
    }

    /// Bytes stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Room left.
    pub fn free(&self) -> usize {
        self.buf.len() - self.len
    }

    /// Total size.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The contiguous free space after the stored bytes (fill it, then
    /// [`commit`](Self::commit)).
    pub fn spare(&mut self) -> &mut [u8] {
        let cap = self.buf.len();
        if self.len == cap {
            return &mut [];
        }
        let tail = (self.head + self.len) % cap;
        let end = if tail >= self.head { cap } else { self.head };
        &mut self.buf[tail..end]
    }

    /// Count `n` bytes written into [`spare`](Self::spare).
    pub fn commit(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    /// Store as much of `data` as fits; returns how much.
    pub fn push(&mut self, mut data: &[u8]) -> usize {
        let mut stored = 0;
        while !data.is_empty() {
            let spare = self.spare();
            let n = spare.len().min(data.len());
            if n == 0 {
                break;
            }
            spare[..n].copy_from_slice(&data[..n]);
            self.commit(n);
            data = &data[n..];
            stored += n;
        }
        stored
    }

    /// Move up to `out.len()` stored bytes into `out`; returns how many.
    pub fn pop(&mut self, out: &mut [u8]) -> usize {
        let cap = self.buf.len();
        let mut moved = 0;
        while moved < out.len() && self.len > 0 {
            let run = (cap - self.head).min(self.len).min(out.len() - moved);
            out[moved..moved + run].copy_from_slice(&self.buf[self.head..self.head + run]);
            self.head = (self.head + run) % cap;
            self.len -= run;
            moved += run;
        }
        if self.len == 0 {
            self.head = 0;
        }
        moved
    }

    /// The stored bytes from the `start`-th oldest on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = u8> + '_ {
        let cap = self.buf.len().max(1);
        (start.min(self.len)..self.len).map(move |i| self.buf[(self.head + i) % cap])
    }

    /// The sockets whose push announcement the stored bytes from the
    /// `start`-th on hold (see [`crate::urc`]).
    pub(crate) fn pushes_named(&self, start: usize) -> u16 {
        crate::urc::pushes_named(self.iter_from(start))
    }

    /// `true` if the stored bytes from the `start`-th on hold `\nRDY\r`, the
    /// heart of the module's boot line: a reboot the count of a payload
    /// swallowed (or, rarely, the peer's data).
    ///
    /// Cheap enough for every payload (see [`holds_boot_line`]); across the
    /// ring's wrap only the few bytes around the seam are looked at again.
    pub(crate) fn holds_rdy(&self, start: usize) -> bool {
        let (a, b) = self.slices_from(start);
        if holds_boot_line(a) || holds_boot_line(b) {
            return true;
        }
        if b.is_empty() {
            return false;
        }
        // A pattern across the seam has at most four bytes on either side.
        let mut seam = [0u8; 8];
        let left = &a[a.len().saturating_sub(4)..];
        let right = &b[..b.len().min(4)];
        seam[..left.len()].copy_from_slice(left);
        seam[left.len()..left.len() + right.len()].copy_from_slice(right);
        holds_boot_line(&seam[..left.len() + right.len()])
    }

    /// The stored bytes from the `start`-th oldest on, as two slices.
    fn slices_from(&self, start: usize) -> (&[u8], &[u8]) {
        let cap = self.buf.len();
        if cap == 0 || start >= self.len {
            return (&[], &[]);
        }
        let first = (self.head + start) % cap;
        let len = self.len - start;
        if first + len <= cap {
            (&self.buf[first..first + len], &[])
        } else {
            (&self.buf[first..], &self.buf[..first + len - cap])
        }
    }

    /// Keep only the `len` oldest bytes (drop what came after them).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// The memory back, if there was any.
    #[cfg(any(feature = "async", feature = "nal"))]
    pub(crate) fn into_buf(self) -> Option<&'r mut [u8]> {
        if self.buf.is_empty() {
            None
        } else {
            Some(self.buf)
        }
    }
}

/// `true` if `bytes` hold `\nRDY\r`. Only every fifth byte is looked at
/// (any five-byte run has one there), four at a time with one branch, and
/// only one that can be part of the pattern is looked at further: under
/// one instruction per byte.
fn holds_boot_line(bytes: &[u8]) -> bool {
    const PATTERN: &[u8; 5] = b"\nRDY\r";
    const STEP: usize = PATTERN.len();
    /// For each byte value: 1 + its place in the pattern, or 0.
    const PLACE: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut k = 0;
        while k < STEP {
            table[PATTERN[k] as usize] = k as u8 + 1;
            k += 1;
        }
        table
    };
    let place = |i: usize| PLACE[usize::from(bytes[i])];
    // Whether the pattern lies around `i`, whose byte is in it.
    let around = |i: usize| {
        let s = i + 1 - usize::from(place(i));
        bytes.get(s..s + STEP) == Some(&PATTERN[..])
    };
    // The looks fall on STEP - 1, 2 * STEP - 1, ...: four to a block.
    let looked = bytes.get(STEP - 1..).unwrap_or(&[]);
    let mut blocks = looked.chunks_exact(4 * STEP);
    let mut i = STEP - 1;
    for block in &mut blocks {
        let any = PLACE[usize::from(block[0])]
            | PLACE[usize::from(block[STEP])]
            | PLACE[usize::from(block[2 * STEP])]
            | PLACE[usize::from(block[3 * STEP])];
        if any != 0 {
            for j in [i, i + STEP, i + 2 * STEP, i + 3 * STEP] {
                if place(j) != 0 && around(j) {
                    return true;
                }
            }
        }
        i += 4 * STEP;
    }
    while i < bytes.len() {
        if place(i) != 0 && around(i) {
            return true;
        }
        i += STEP;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_keeps_order() {
        let mut mem = [0u8; 8];
        let mut ring = Ring::new(&mut mem);
        assert_eq!(ring.push(b"abcdef"), 6);
        let mut out = [0u8; 4];
        assert_eq!(ring.pop(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(ring.push(b"ghijklmn"), 6);
        assert_eq!(ring.free(), 0);
        assert_eq!(ring.push(b"x"), 0);
        let mut out = [0u8; 16];
        assert_eq!(ring.pop(&mut out), 8);
        assert_eq!(&out[..8], b"efghijkl");
        assert_eq!(ring.len(), 0);
    }

    #[test]
    fn truncate_drops_the_newest_bytes() {
        let mut mem = [0u8; 4];
        let mut ring = Ring::new(&mut mem);
        ring.push(b"ab");
        let mut out = [0u8; 1];
        ring.pop(&mut out);
        ring.push(b"cde");
        ring.truncate(2);
        let mut out = [0u8; 4];
        assert_eq!(ring.pop(&mut out), 2);
        assert_eq!(&out[..2], b"bc");
    }

    #[test]
    fn spare_is_contiguous_and_commit_counts() {
        let mut mem = [0u8; 5];
        let mut ring = Ring::new(&mut mem);
        ring.spare()[..3].copy_from_slice(b"123");
        ring.commit(3);
        let mut out = [0u8; 2];
        ring.pop(&mut out);
        assert_eq!(ring.spare().len(), 2);
        ring.push(b"45");
        assert_eq!(ring.spare().len(), 2);
        ring.push(b"67");
        assert_eq!(ring.spare().len(), 0);
        let mut out = [0u8; 5];
        assert_eq!(ring.pop(&mut out), 5);
        assert_eq!(&out, b"34567");
        let mut empty = Ring::new(&mut []);
        assert_eq!(empty.push(b"a"), 0);
        assert!(empty.spare().is_empty());
    }

    #[test]
    fn a_boot_line_is_found_wherever_it_lies() {
        let text = b"\nRDY\r";
        for cap in [5usize, 6, 9, 16] {
            for head in 0..cap {
                for at in 0..=(cap - text.len()) {
                    let mut buf = vec![0u8; cap];
                    let mut ring = Ring::new(&mut buf);
                    // Rotate the ring so that its contents start at `head`.
                    let mut sink = vec![0u8; head];
                    ring.push(&vec![b'x'; head]);
                    ring.pop(&mut sink);
                    let mut data = vec![b'x'; cap];
                    data[at..at + text.len()].copy_from_slice(text);
                    assert_eq!(ring.push(&data), cap);
                    assert!(ring.holds_rdy(0), "cap {cap} head {head} at {at}");
                    assert!(!ring.holds_rdy(at + 1), "after it");
                    data[at + 2] = b'r';
                    let mut buf2 = vec![0u8; cap];
                    let mut other = Ring::new(&mut buf2);
                    other.push(&data);
                    assert!(!other.holds_rdy(0), "a near miss is none");
                }
            }
        }
    }

    #[test]
    fn the_boot_line_scan_sees_every_place_and_no_near_miss() {
        for len in 5..70 {
            for at in 0..=len - 5 {
                let mut data: Vec<u8> = (0..len).map(|i| b"xRDY\rD\n"[i % 7]).collect();
                // No `\nRDY\r` by accident in the filler.
                data.iter_mut().for_each(|b| {
                    if *b == b'\n' {
                        *b = b'z';
                    }
                });
                assert!(!holds_boot_line(&data), "len {len}: filler");
                data[at..at + 5].copy_from_slice(b"\nRDY\r");
                assert!(holds_boot_line(&data), "len {len} at {at}");
                data[at + 3] = b'y';
                assert!(!holds_boot_line(&data), "len {len} at {at}: near miss");
            }
        }
    }
}
