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
    /// Cheap enough for every payload: only every fifth byte is looked at
    /// (any five-byte run has one byte there), and only one in the
    /// pattern's five bytes is looked at further.
    pub(crate) fn holds_rdy(&self, start: usize) -> bool {
        const PATTERN: &[u8; 5] = b"\nRDY\r";
        let (a, b) = self.slices_from(start);
        let len = a.len() + b.len();
        let at = |i: usize| if i < a.len() { a[i] } else { b[i - a.len()] };
        let mut i = PATTERN.len() - 1;
        while i < len {
            let byte = at(i);
            if let Some(k) = PATTERN.iter().position(|&p| p == byte) {
                // The pattern would start at i - k.
                if let Some(s) = i.checked_sub(k) {
                    if s + PATTERN.len() <= len
                        && (0..PATTERN.len()).all(|j| at(s + j) == PATTERN[j])
                    {
                        return true;
                    }
                }
            }
            i += PATTERN.len();
        }
        false
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
}
