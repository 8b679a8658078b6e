//! Splitting the parameter list of an AT command (`1,"a,b",0X0035`) into
//! typed values.

use super::outcome::{CommandGroup, ParseError};

/// One comma-separated parameter as written on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Param<'a> {
    /// The text, without quotes when `quoted`.
    pub text: &'a str,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

/// The parameters of one command, with the group used to classify errors.
pub(crate) struct Params<'a> {
    items: Vec<Param<'a>>,
    group: CommandGroup,
}

impl<'a> Params<'a> {
    /// Splits `text` (what follows `=`) at the commas outside quotes. Spaces
    /// around unquoted values are ignored; an unterminated quote, or text
    /// after a closing quote, is a syntax error.
    pub fn split(text: &'a str, group: CommandGroup) -> Result<Params<'a>, ParseError> {
        let mut items = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        loop {
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'"' {
                let start = i + 1;
                let len = bytes[start..]
                    .iter()
                    .position(|&b| b == b'"')
                    .ok_or(ParseError::Syntax(group))?;
                items.push(Param {
                    text: &text[start..start + len],
                    quoted: true,
                });
                i = start + len + 1;
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] != b',' {
                    return Err(ParseError::Syntax(group));
                }
            } else {
                let start = i;
                while i < bytes.len() && bytes[i] != b',' {
                    if bytes[i] == b'"' {
                        return Err(ParseError::Syntax(group));
                    }
                    i += 1;
                }
                items.push(Param {
                    text: text[start..i].trim_end_matches(' '),
                    quoted: false,
                });
            }
            if i >= bytes.len() {
                break;
            }
            i += 1;
        }
        Ok(Params { items, group })
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Fails unless the count is within `min..=max`.
    pub fn expect_count(&self, min: usize, max: usize) -> Result<(), ParseError> {
        if (min..=max).contains(&self.items.len()) {
            Ok(())
        } else {
            Err(ParseError::Syntax(self.group))
        }
    }

    fn get(&self, index: usize) -> Result<Param<'a>, ParseError> {
        self.items
            .get(index)
            .copied()
            .ok_or(ParseError::Syntax(self.group))
    }

    /// Whether parameter `index` is present and not empty.
    pub fn has(&self, index: usize) -> bool {
        self.items
            .get(index)
            .is_some_and(|p| p.quoted || !p.text.is_empty())
    }

    /// An unquoted decimal integer within `min..=max`.
    pub fn int(&self, index: usize, min: u32, max: u32) -> Result<u32, ParseError> {
        let p = self.get(index)?;
        if p.quoted || p.text.is_empty() || !p.text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::Syntax(self.group));
        }
        let value: u64 = p
            .text
            .parse()
            .map_err(|_| ParseError::OutOfRange(self.group))?;
        if value < u64::from(min) || value > u64::from(max) {
            return Err(ParseError::OutOfRange(self.group));
        }
        Ok(value as u32)
    }

    /// An integer that only fits in a `u8` range (convenience).
    pub fn small(&self, index: usize, min: u8, max: u8) -> Result<u8, ParseError> {
        self.int(index, u32::from(min), u32::from(max))
            .map(|v| v as u8)
    }

    /// A 0/1 flag.
    pub fn flag(&self, index: usize) -> Result<bool, ParseError> {
        self.small(index, 0, 1).map(|v| v == 1)
    }

    /// A double-quoted string of at most `max_len` bytes.
    pub fn string(&self, index: usize, max_len: usize) -> Result<String, ParseError> {
        let p = self.get(index)?;
        if !p.quoted {
            return Err(ParseError::Syntax(self.group));
        }
        if p.text.len() > max_len {
            return Err(ParseError::OutOfRange(self.group));
        }
        Ok(p.text.to_string())
    }

    /// An unquoted hexadecimal number written `0X...` or `0x...`.
    pub fn hex(&self, index: usize) -> Result<u16, ParseError> {
        let p = self.get(index)?;
        let digits = p
            .text
            .strip_prefix("0X")
            .or_else(|| p.text.strip_prefix("0x"))
            .filter(|_| !p.quoted)
            .ok_or(ParseError::Syntax(self.group))?;
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParseError::Syntax(self.group));
        }
        u16::from_str_radix(digits, 16).map_err(|_| ParseError::Syntax(self.group))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_and_plain() {
        let p = Params::split(r#"1,"a,b", 7 ,0X0035"#, CommandGroup::Ssl).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(p.int(0, 0, 5).unwrap(), 1);
        assert_eq!(p.string(1, 10).unwrap(), "a,b");
        assert_eq!(p.int(2, 0, 9).unwrap(), 7);
        assert_eq!(p.hex(3).unwrap(), 0x35);
    }

    #[test]
    fn refuses_bad_forms() {
        assert!(Params::split(r#""abc"#, CommandGroup::Ssl).is_err());
        assert!(Params::split(r#""a"b"#, CommandGroup::Ssl).is_err());
        let p = Params::split(r#""0X0035",x,300"#, CommandGroup::Ssl).unwrap();
        assert_eq!(p.hex(0), Err(ParseError::Syntax(CommandGroup::Ssl)));
        assert_eq!(p.int(1, 0, 5), Err(ParseError::Syntax(CommandGroup::Ssl)));
        assert_eq!(
            p.int(2, 0, 5),
            Err(ParseError::OutOfRange(CommandGroup::Ssl))
        );
        assert_eq!(p.string(1, 5), Err(ParseError::Syntax(CommandGroup::Ssl)));
    }

    #[test]
    fn empty_list_has_one_empty_param() {
        let p = Params::split("", CommandGroup::Basic).unwrap();
        assert_eq!(p.len(), 1);
        assert!(!p.has(0));
    }
}
