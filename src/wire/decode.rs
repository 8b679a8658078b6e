//! Reading the fields of one information line, e.g.
//! `+QSSLSTATE: 4,"SSLClient","220.180.239.212",8010,65344,2,1,4,0,"usbmodem",1`.
//!
//! # No panics from the wire
//! Every function here takes bytes from the module and returns `None` or
//! [`Error::UnexpectedResponse`] on anything it does not expect: no panics, no
//! overflowing arithmetic, no unchecked indexing. The same holds for every
//! answer parser built on them. The proof is the `response_parsers` fuzz
//! target (`fuzz/`): every command's parser on arbitrary bodies, read
//! directly, by the engine's framer and `ResponseReader` and by atat's
//! digester, where the two paths must agree and each answer must belong to
//! the command (its context, socket, length); `tests/wire_properties.rs`
//! runs the same checks as bounded property tests on stable.

use crate::error::{CmeError, Error};

/// A decimal number of at most 5 digits that fits a `u16`.
pub fn parse_u16(digits: &[u8]) -> Option<u16> {
    parse_u32(digits).and_then(|v| u16::try_from(v).ok())
}

/// A decimal number that fits a `u32` (no sign, no spaces).
pub fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        } else {
            None
        }
    })
}

/// The argument of a `+CME ERROR:` line (spaces already trimmed): a
/// number, or the verbose text (`AT+CMEE=2`) cut to 32 bytes.
pub(crate) fn cme_error(arg: &[u8]) -> CmeError {
    match parse_u16(arg) {
        Some(code) => CmeError::Code(code),
        None => CmeError::Text(lossy(arg)),
    }
}

/// A hexadecimal number with an optional `0x`/`0X` prefix that fits a `u16`.
pub fn parse_hex_u16(text: &[u8]) -> Option<u16> {
    let digits = match text {
        [b'0', b'x' | b'X', rest @ ..] => rest,
        other => other,
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    digits.iter().try_fold(0u16, |acc, &d| {
        let nibble = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        Some((acc << 4) | u16::from(nibble))
    })
}

/// Trim ASCII spaces and tabs on both ends.
pub fn trim(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// Copy text from the module into an owned string of capacity `N`; longer
/// text is an error. The module answers in printable ASCII: any other byte
/// becomes `?` (as in [`lossy`]), which spares an MCU the UTF-8 validator
/// (some 400 bytes of flash) and never fails a whole list over one name.
pub fn owned<const N: usize>(bytes: &[u8]) -> Result<heapless::String<N>, Error> {
    if bytes.len() > N {
        return Err(Error::UnexpectedResponse);
    }
    Ok(lossy(bytes))
}

/// Text from the module kept for display: printable ASCII as is, other
/// bytes as `?`, cut to `N` bytes.
pub fn lossy<const N: usize>(bytes: &[u8]) -> heapless::String<N> {
    let mut text = heapless::String::new();
    for &b in bytes.iter().take(N) {
        let c = if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '?'
        };
        // At most N one-byte chars into a capacity of N.
        let _ = text.push(c);
    }
    text
}

/// The comma-separated fields of an information line, after its prefix.
///
/// A field may be `"quoted"` (commas inside are kept), `(parenthesised)` (a
/// range or list in a test response) or bare; spaces around fields are
/// ignored, as real firmware sometimes adds them. The `[` `]` that mark
/// optional parameters are skipped only in a test answer
/// ([`Fields::test_form`]): anywhere else a bracket is not a number, so
/// `+QSSLURC: "recv",1,[5` announces no push.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    rest: &'a [u8],
    done: bool,
    optional_marks: bool,
}

impl<'a> Fields<'a> {
    /// The fields of `line` if it starts with `prefix` (e.g. `b"+QIACT:"`).
    pub fn after(line: &'a [u8], prefix: &[u8]) -> Option<Self> {
        let rest = line.strip_prefix(prefix)?;
        let rest = trim(rest);
        Some(Self {
            rest,
            done: rest.is_empty(),
            optional_marks: false,
        })
    }

    /// The fields of a test answer (`+QSSLSEND: (0-11)[,(1-1460)]`) after
    /// `prefix`: as [`Fields::after`], and the `[` `]` around optional
    /// parameters belong to no field.
    pub fn test_form(line: &'a [u8], prefix: &[u8]) -> Option<Self> {
        let mut fields = Self::after(line, prefix)?;
        fields.optional_marks = true;
        Some(fields)
    }

    fn skip_marks(&self, bytes: &'a [u8]) -> &'a [u8] {
        if self.optional_marks {
            trim_brackets(bytes)
        } else {
            trim(bytes)
        }
    }

    /// `true` when every field has been read.
    pub fn is_empty(&self) -> bool {
        self.done
    }

    /// The next field as it stands on the line (quotes kept), trimmed.
    pub fn raw(&mut self) -> Result<&'a [u8], Error> {
        if self.done {
            return Err(Error::UnexpectedResponse);
        }
        let rest = self.skip_marks(self.rest);
        let end = match rest.first() {
            Some(b'"') => rest
                .iter()
                .skip(1)
                .position(|&b| b == b'"')
                .map(|p| p + 2)
                .ok_or(Error::UnexpectedResponse)?,
            Some(b'(') => rest
                .iter()
                .position(|&b| b == b')')
                .map(|p| p + 1)
                .ok_or(Error::UnexpectedResponse)?,
            _ => rest.iter().position(|&b| b == b',').unwrap_or(rest.len()),
        };
        let (field, after) = rest.split_at(end);
        let after = self.skip_marks(after);
        match after {
            [] => self.done = true,
            [b',', tail @ ..] => self.rest = tail,
            _ => return Err(Error::UnexpectedResponse),
        }
        Ok(trim(field))
    }

    /// The next field as text: quotes removed if present.
    pub fn string(&mut self) -> Result<&'a [u8], Error> {
        let field = self.raw()?;
        Ok(match field {
            [b'"', inner @ .., b'"'] => inner,
            other => other,
        })
    }

    /// The next field, which must be quoted; returns what is inside.
    pub fn quoted(&mut self) -> Result<&'a [u8], Error> {
        match self.raw()? {
            [b'"', inner @ .., b'"'] => Ok(inner),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// The next field as a `u8`.
    pub fn u8(&mut self) -> Result<u8, Error> {
        let v = self.u16()?;
        u8::try_from(v).map_err(|_| Error::UnexpectedResponse)
    }

    /// The next field as a `u16`.
    pub fn u16(&mut self) -> Result<u16, Error> {
        parse_u16(self.raw()?).ok_or(Error::UnexpectedResponse)
    }

    /// The next field as a `u32`.
    pub fn u32(&mut self) -> Result<u32, Error> {
        parse_u32(self.raw()?).ok_or(Error::UnexpectedResponse)
    }

    /// The next field as a `0`/`1` switch.
    pub fn switch(&mut self) -> Result<bool, Error> {
        match self.raw()? {
            b"0" => Ok(false),
            b"1" => Ok(true),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Everything left on the line, trimmed (e.g. unquoted text with commas).
    pub fn rest(&mut self) -> &'a [u8] {
        if self.done {
            return &[];
        }
        self.done = true;
        trim(self.rest)
    }
}

/// `bytes` trimmed, without the `[` / `]` that may lead them.
fn trim_brackets(mut bytes: &[u8]) -> &[u8] {
    loop {
        bytes = trim(bytes);
        match bytes {
            [b'[' | b']', rest @ ..] => bytes = rest,
            _ => return bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked() {
        assert_eq!(parse_u16(b"65535"), Some(65535));
        assert_eq!(parse_u16(b"65536"), None);
        assert_eq!(parse_u16(b""), None);
        assert_eq!(parse_u16(b"1a"), None);
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"99999999999"), None);
        assert_eq!(parse_hex_u16(b"0X0035"), Some(0x35));
        assert_eq!(parse_hex_u16(b"0xc02f"), Some(0xC02F));
        assert_eq!(parse_hex_u16(b"FFFF"), Some(0xFFFF));
        assert_eq!(parse_hex_u16(b"0x10000"), None);
        assert_eq!(parse_hex_u16(b"0x"), None);
        assert_eq!(parse_hex_u16(b"0xG1"), None);
    }

    #[test]
    fn fields_of_a_state_line() {
        let line =
            br#"+QSSLSTATE: 4,"SSLClient","220.180.239.212",8010,65344,2,1,4,0,"usbmodem",1"#;
        let mut f = Fields::after(line, b"+QSSLSTATE:").unwrap();
        assert_eq!(f.u8().unwrap(), 4);
        assert_eq!(f.quoted().unwrap(), b"SSLClient");
        assert_eq!(f.string().unwrap(), b"220.180.239.212");
        assert_eq!(f.u16().unwrap(), 8010);
        assert_eq!(f.u16().unwrap(), 65344);
        for expected in [2, 1, 4, 0] {
            assert_eq!(f.u8().unwrap(), expected);
        }
        assert_eq!(f.string().unwrap(), b"usbmodem");
        assert_eq!(f.u8().unwrap(), 1);
        assert!(f.is_empty());
        assert_eq!(f.u8(), Err(Error::UnexpectedResponse));
    }

    #[test]
    fn quotes_and_parentheses_keep_their_commas() {
        let line = br#"+X: "a,b" , (0-5),(0X0035,0X002F) ,7"#;
        let mut f = Fields::after(line, b"+X:").unwrap();
        assert_eq!(f.quoted().unwrap(), b"a,b");
        assert_eq!(f.raw().unwrap(), b"(0-5)");
        assert_eq!(f.raw().unwrap(), b"(0X0035,0X002F)");
        assert_eq!(f.u8().unwrap(), 7);
        assert!(f.is_empty());
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        assert!(Fields::after(b"+Y: 1", b"+X:").is_none());
        let mut f = Fields::after(b"+X: \"open", b"+X:").unwrap();
        assert_eq!(f.raw(), Err(Error::UnexpectedResponse));
        let mut f = Fields::after(b"+X: \"a\"b", b"+X:").unwrap();
        assert_eq!(f.raw(), Err(Error::UnexpectedResponse));
        let mut f = Fields::after(b"+X: (1-2", b"+X:").unwrap();
        assert_eq!(f.raw(), Err(Error::UnexpectedResponse));
        let mut f = Fields::after(b"+X:", b"+X:").unwrap();
        assert!(f.is_empty());
        assert_eq!(f.u8(), Err(Error::UnexpectedResponse));
        let mut f = Fields::after(b"+X: 300", b"+X:").unwrap();
        assert_eq!(f.u8(), Err(Error::UnexpectedResponse));
        let mut f = Fields::after(b"+X: 0,operate successfully, really", b"+X:").unwrap();
        assert_eq!(f.u16().unwrap(), 0);
        assert_eq!(f.rest(), b"operate successfully, really");
        assert_eq!(owned::<4>(b"toolong"), Err(Error::UnexpectedResponse));
        // Bytes outside printable ASCII are shown, not trusted.
        assert_eq!(owned::<4>(b"a\xff\tb").unwrap().as_str(), "a??b");
    }

    #[test]
    fn cme_text_is_kept_and_cut() {
        assert_eq!(cme_error(b"421"), CmeError::Code(421));
        let CmeError::Text(t) = cme_error(b"SIM not inserted") else {
            panic!("text expected")
        };
        assert_eq!(t.as_str(), "SIM not inserted");
        let CmeError::Text(t) = cme_error(&[b'x'; 80]) else {
            panic!("text expected")
        };
        assert_eq!(t.len(), 32);
        let CmeError::Text(t) = cme_error(b"bad\x00\xff") else {
            panic!("text expected")
        };
        assert_eq!(t.as_str(), "bad??");
    }
}
