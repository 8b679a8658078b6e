//! Writing a command line into a byte buffer, bounds-checked.
//!
//! Values reach the encoder already checked (see [`crate::types`]), so the
//! only thing that can fail here is room in the buffer: an [`Encoder`] that
//! runs out of room remembers it, and the command writes nothing at all.

/// Bounded writer for one AT command line.
pub struct Encoder<'b> {
    buf: &'b mut [u8],
    len: usize,
    overflow: bool,
}

impl<'b> Encoder<'b> {
    /// Start writing at the beginning of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            overflow: false,
        }
    }

    /// Append raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        match self
            .len
            .checked_add(bytes.len())
            .and_then(|end| self.buf.get_mut(self.len..end))
        {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflow = true,
        }
        self
    }

    /// Append an ASCII string as is (no quotes).
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Append a `"quoted"` string. The string must have been checked with
    /// [`crate::types`] rules: it holds no quote or control byte.
    pub fn quoted(&mut self, s: &str) -> &mut Self {
        self.bytes(b"\"").text(s).bytes(b"\"")
    }

    /// Append an unsigned decimal number.
    pub fn uint(&mut self, mut value: u32) -> &mut Self {
        let mut digits = [0u8; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.bytes(&digits[start..])
    }

    /// Append a signed decimal number.
    pub fn int(&mut self, value: i32) -> &mut Self {
        if value < 0 {
            self.bytes(b"-");
        }
        self.uint(value.unsigned_abs())
    }

    /// Append `0X` and four upper-case hex digits, unquoted (cipher suites).
    pub fn hex4(&mut self, value: u16) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let digits = [
            b'0',
            b'X',
            HEX[usize::from(value >> 12)],
            HEX[usize::from((value >> 8) & 0xF)],
            HEX[usize::from((value >> 4) & 0xF)],
            HEX[usize::from(value & 0xF)],
        ];
        self.bytes(&digits)
    }

    /// Append a comma.
    pub fn comma(&mut self) -> &mut Self {
        self.bytes(b",")
    }

    /// Append a number with two digits, zero-padded (clock fields).
    pub fn two_digits(&mut self, value: u8) -> &mut Self {
        let value = value % 100;
        self.bytes(&[b'0' + value / 10, b'0' + value % 10])
    }

    /// Bytes written so far, or `None` if the buffer was too small.
    pub fn finish(&self) -> Option<usize> {
        (!self.overflow).then_some(self.len)
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl core::fmt::Write for Encoder<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.text(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_numbers_strings_and_hex() {
        let mut buf = [0u8; 64];
        let mut e = Encoder::new(&mut buf);
        e.text("AT+X=")
            .uint(0)
            .comma()
            .uint(4_294_967_295)
            .comma()
            .int(-12)
            .comma()
            .quoted("a b")
            .comma()
            .hex4(0xC02F)
            .comma()
            .two_digits(7);
        assert_eq!(e.written(), b"AT+X=0,4294967295,-12,\"a b\",0XC02F,07");
        assert_eq!(e.finish(), Some(37));
    }

    #[test]
    fn running_out_of_room_is_remembered_not_a_panic() {
        let mut buf = [0u8; 4];
        let mut e = Encoder::new(&mut buf);
        e.text("AT+QSSLOPEN").uint(1);
        assert_eq!(e.finish(), None);
        let mut empty: [u8; 0] = [];
        let mut e = Encoder::new(&mut empty);
        e.uint(7);
        assert_eq!(e.finish(), None);
    }
}
