//! Test-form answers (`AT+...=?`): the ranges and lists a module says its
//! parameters take.

use crate::wire::{self, Fields};

/// One parameter of a test-form answer (`AT+...=?`).
///
/// Exhaustive: a range or a list, as V.250 writes them, and any other form
/// kept in [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TestParameter {
    /// `(min-max)`
    Range {
        /// Lower bound.
        min: u32,
        /// Upper bound.
        max: u32,
    },
    /// `(a,b,c)`: a list of values (decimal or `0X` hex).
    List(heapless::Vec<u32, 32>),
    /// Anything else (e.g. `"ADDRESS"`), kept as the module wrote it.
    Other(heapless::String<32>),
}

impl TestParameter {
    /// Parse one field of a test answer, leniently: unknown forms are kept.
    /// The brackets around optional parameters (`(0-11)[,(1-1460)]`) are
    /// not part of a field.
    pub(crate) fn parse(field: &[u8]) -> Self {
        let field = trim_brackets(field);
        if let [b'(', inner @ .., b')'] = field {
            let inner = wire::trim(inner);
            if let Some(dash) = inner.iter().position(|&b| b == b'-') {
                let (min, max) = (&inner[..dash], &inner[dash + 1..]);
                if let (Some(min), Some(max)) = (
                    wire::parse_u32(wire::trim(min)),
                    wire::parse_u32(wire::trim(max)),
                ) {
                    return Self::Range { min, max };
                }
            }
            let mut list = heapless::Vec::new();
            let all = inner.split(|&b| b == b',').all(|v| {
                let v = wire::trim(v);
                let value = if v.starts_with(b"0X") || v.starts_with(b"0x") {
                    wire::parse_hex_u16(v).map(u32::from)
                } else {
                    wire::parse_u32(v)
                };
                value.is_some_and(|value| list.push(value).is_ok())
            });
            if all {
                return Self::List(list);
            }
        }
        Self::Other(wire::lossy(field))
    }
}

/// The index of the first parameter written inside `[...]` in the fields
/// of a test answer, outside parentheses and quotes.
fn first_optional(fields: &[u8]) -> Option<usize> {
    let (mut index, mut depth, mut quoted, mut content) = (0usize, 0u32, false, false);
    for &b in fields {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                index += 1;
                content = false;
                continue;
            }
            b'[' if depth == 0 => return Some(index + usize::from(content)),
            b' ' => continue,
            _ => {}
        }
        content = true;
    }
    None
}

/// `field` without the `[` and `]` that mark optional parameters around it.
fn trim_brackets(mut field: &[u8]) -> &[u8] {
    loop {
        field = wire::trim(field);
        match field {
            [b'[' | b']', rest @ ..] => field = rest,
            [rest @ .., b'[' | b']'] => field = rest,
            _ => return field,
        }
    }
}

/// The answer of a test form: the ranges the module accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParameterRanges {
    /// One entry per parameter, in order (empty if the module printed none).
    pub parameters: heapless::Vec<TestParameter, 8>,
    /// The index of the first optional parameter (written in brackets:
    /// `+QSSLSEND: (0-11)[,(1-1460)]` gives 1), if any.
    pub optional_from: Option<usize>,
}

impl atat::AtatResp for ParameterRanges {}

impl ParameterRanges {
    /// Read the fields after `prefix` (`+QSSLSEND:` ...); extra ones are dropped.
    pub(crate) fn from_line(line: &[u8], prefix: &[u8]) -> Option<Self> {
        let mut fields = Fields::test_form(line, prefix)?;
        let mut parameters = heapless::Vec::new();
        while let Ok(field) = fields.raw() {
            if parameters.push(TestParameter::parse(field)).is_err() {
                break;
            }
        }
        let optional_from = line.get(prefix.len()..).and_then(first_optional);
        Some(Self {
            parameters,
            optional_from,
        })
    }
}
