//! The module's outputs, and what a noisy line does to them.
//!
//! An output knows where its payload, its announced length and its socket
//! id lie, so that a fault can be classed:
//!
//! - **detectable**: the engine must notice it (a framing doubt, a typed
//!   error) and deliver nothing wrong: one byte dropped from a payload or
//!   from a line end, a length digit dropped where the bytes after the
//!   shortened payload cannot pass for its trailer, a push naming no socket,
//!   a payload's line end flipped, a binary or over-long line, an unknown
//!   URC, a blank line;
//! - **answers only**: a stray result code or prompt, which the protocol
//!   cannot tell from the answer of the command in flight, or an output's
//!   last LF dropped (its CR waits for one: the answer is late). The engine
//!   handles the cases where the displaced answer can be told (a read's
//!   payload, a `CONNECT` with nothing in flight: `tests/fuzz_findings*.rs`),
//!   but not every one (a `CONNECT` another command took for its answer,
//!   buffered data a refused read leaves in the module): after one, only
//!   the first group of checks runs (see `fuzz/README.md`, open findings);
//! - **undetectable**: a flipped payload byte, a length made longer (the
//!   payload swallows what follows, which ends like a payload does), a
//!   socket id changed into another valid one, a truncated output, a
//!   changed word: the protocol has no check that could see them; after
//!   one, likewise.

use std::ops::Range;

/// One output of the module: its bytes, and where its payload lies.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub bytes: Vec<u8>,
    pub payload: Option<Span>,
    /// Transparent-mode data: never corrupted here (a changed byte of it
    /// is a changed byte of data, which nothing can detect).
    pub raw: bool,
    /// The connection its payload (or raw data) is framed for: recorded
    /// in the ledger when it goes on the line.
    pub gen: Option<usize>,
}

/// Where a payload and its announcement lie in an output.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    /// The announcement, without its line end.
    pub header: Range<usize>,
    /// The announced length's digits.
    pub len_digits: Range<usize>,
    /// The socket id's digits (a push).
    pub id_digits: Option<Range<usize>>,
    /// The payload.
    pub data: Range<usize>,
    /// An `AT+QSSLRECV` answer (its `OK` follows the payload).
    pub read: bool,
}

impl Output {
    /// An output without a payload.
    pub fn text(bytes: &[u8]) -> Self {
        Self {
            bytes: bytes.to_vec(),
            payload: None,
            raw: false,
            gen: None,
        }
    }

    /// Transparent-mode bytes for connection `gen`.
    pub fn raw(bytes: &[u8], gen: Option<usize>) -> Self {
        Self {
            raw: true,
            gen,
            ..Self::text(bytes)
        }
    }

    /// The bytes framed for its connection, as meant.
    pub fn framed(&self) -> Option<(usize, &[u8])> {
        let gen = self.gen?;
        match (&self.payload, self.raw) {
            (Some(span), _) => Some((gen, &self.bytes[span.data.clone()])),
            (None, true) => Some((gen, &self.bytes)),
            (None, false) => None,
        }
    }

    /// `+QSSLURC: "recv",<client>,<len>` and its data, for connection
    /// `gen`.
    pub fn push(client: u8, data: &[u8], gen: Option<usize>) -> Self {
        let head = format!("\r\n+QSSLURC: \"recv\",{client},");
        let id_end = head.len() - 1;
        let id = id_end - client.to_string().len()..id_end;
        Self {
            gen,
            ..Self::announced(head, Some(id), data, b"\r\n", false)
        }
    }

    /// `+QSSLRECV: <len>`, its data, and the `OK` after them, for
    /// connection `gen`.
    pub fn recv(data: &[u8], gen: Option<usize>) -> Self {
        Self {
            gen,
            ..Self::announced(
                "\r\n+QSSLRECV: ".to_string(),
                None,
                data,
                b"\r\n\r\nOK\r\n",
                true,
            )
        }
    }

    fn announced(
        head: String,
        id_digits: Option<Range<usize>>,
        data: &[u8],
        tail: &[u8],
        read: bool,
    ) -> Self {
        let mut bytes = head.into_bytes();
        let digits = bytes.len();
        bytes.extend_from_slice(data.len().to_string().as_bytes());
        let header = 2..bytes.len();
        let len_digits = digits..bytes.len();
        bytes.extend_from_slice(b"\r\n");
        let start = bytes.len();
        bytes.extend_from_slice(data);
        let data = start..bytes.len();
        bytes.extend_from_slice(tail);
        Self {
            bytes,
            payload: Some(Span {
                header,
                len_digits,
                id_digits,
                data,
                read,
            }),
            raw: false,
            gen: None,
        }
    }
}

/// A fault of the line, armed by the input: it hits the next output it
/// applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Drop one byte of a payload or of its line end.
    DropData(u16),
    /// Drop one digit of a payload's announced length.
    ShortenLen(u8),
    /// A push names a socket that does not exist (12 and up).
    BadId(u8),
    /// Flip bits of a payload's line end.
    FlipTrailer(u8, u8),
    /// Drop one byte anywhere.
    Drop(u16),
    /// Flip bits of one byte anywhere.
    Flip(u16, u8),
    /// Cut the output short.
    Truncate(u16),
    /// A line that is no answer to anything comes first.
    Insert(u8),
}

impl Fault {
    /// The fault of three input bytes.
    pub fn decode(kind: u8, a: u8, b: u8) -> Self {
        let at = u16::from_le_bytes([a, b]);
        match kind % 10 {
            0 | 1 => Self::DropData(at),
            2 => Self::ShortenLen(a),
            3 => Self::BadId(a),
            4 => Self::FlipTrailer(a, b | 1),
            5 => Self::Drop(at),
            6 => Self::Flip(at, b | 1),
            7 => Self::Truncate(at),
            _ => Self::Insert(a),
        }
    }
}

/// How a fault that hit an output is to be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The engine must detect it (or it is harmless).
    Detectable,
    /// It can change what an answer means.
    AnswersOnly,
    /// The protocol cannot detect it.
    Undetectable,
}

/// Lines a fault may insert, and how each is judged.
const INSERTS: &[(&[u8], Class)] = &[
    (b"\r\nOK\r\n", Class::AnswersOnly),
    (b"\r\nERROR\r\n", Class::AnswersOnly),
    (b"\r\nSEND OK\r\n", Class::AnswersOnly),
    (b"\r\nSEND FAIL\r\n", Class::AnswersOnly),
    (b"\r\n+CME ERROR: 50\r\n", Class::AnswersOnly),
    (b"\r\n> ", Class::AnswersOnly),
    (b"\r\n\x01\x02line noise\x7f\r\n", Class::Detectable),
    (b"\r\n+QIND: \"csq\",20,99\r\n", Class::Detectable),
    (b"\r\n", Class::Detectable),
    (b"", Class::Detectable),
];

/// Apply `fault` to `out`. `None`: it does not apply to this output (it
/// stays armed). Otherwise how it is judged, and a line to send first.
pub(crate) fn apply(fault: Fault, out: &mut Output) -> Option<(Class, Option<Vec<u8>>)> {
    if out.raw || out.bytes.is_empty() {
        return None;
    }
    let len = out.bytes.len();
    let class = match (fault, out.payload.clone()) {
        (Fault::DropData(at), Some(span)) => {
            let i = span.data.start + usize::from(at) % (span.data.len() + 2);
            out.bytes.remove(i);
            Class::Detectable
        }
        (Fault::ShortenLen(k), Some(span)) => {
            let i = span.len_digits.start + usize::from(k) % span.len_digits.len();
            let class = shortened(out, &span, i);
            out.bytes.remove(i);
            class
        }
        (
            Fault::BadId(k),
            Some(Span {
                id_digits: Some(id),
                ..
            }),
        ) => {
            let bad = (12 + u16::from(k) % 88).to_string();
            out.bytes.splice(id, bad.bytes());
            Class::Detectable
        }
        (Fault::FlipTrailer(k, mask), Some(span)) => {
            out.bytes[span.data.end + usize::from(k) % 2] ^= mask;
            Class::Detectable
        }
        (Fault::Drop(at), _) => {
            let i = usize::from(at) % len;
            // The output's last line end (not a payload's own): without its
            // LF the CR waits for one, and the answer completes only with
            // the module's next output, maybe after its command gave up.
            let last = i + 2 >= len && out.payload.as_ref().is_none_or(|s| i >= s.data.end + 2);
            let class = match &out.payload {
                _ if last => Class::AnswersOnly,
                Some(span) if span.len_digits.contains(&i) => shortened(out, span, i),
                Some(span) if span.header.contains(&i) => Class::Undetectable,
                Some(_) => Class::Detectable,
                None if is_separator(out.bytes[i]) => Class::Detectable,
                None => Class::Undetectable,
            };
            out.bytes.remove(i);
            class
        }
        (Fault::Flip(at, mask), _) => {
            let i = usize::from(at) % len;
            out.bytes[i] ^= mask;
            match &out.payload {
                Some(span) if (span.data.end..span.data.end + 2).contains(&i) => Class::Detectable,
                _ => Class::Undetectable,
            }
        }
        (Fault::Truncate(at), _) => {
            out.bytes.truncate(usize::from(at) % len);
            Class::Undetectable
        }
        (Fault::Insert(k), _) => {
            let (line, class) = INSERTS[usize::from(k) % INSERTS.len()];
            let line = if line.is_empty() {
                // An over-long line: longer than the engine's line buffer.
                let mut long = b"\r\n".to_vec();
                long.extend(std::iter::repeat_n(b'x', 300));
                long.extend_from_slice(b"\r\n");
                long
            } else {
                line.to_vec()
            };
            return Some((class, Some(line)));
        }
        _ => return None,
    };
    Some((class, None))
}

fn is_separator(b: u8) -> bool {
    matches!(b, b'\r' | b'\n')
}

/// Dropping length digit `i` of `span` shortens the payload: the engine
/// detects that unless the bytes where the shorter payload ends pass for
/// its line end and the next output's CR LF (`\r\n\r\n`), or the length
/// becomes 0 in a read's answer (`+QSSLRECV: 0` is a whole answer: the
/// data after it reads as lines).
fn shortened(out: &Output, span: &Span, i: usize) -> Class {
    let digits: Vec<u8> = out.bytes[span.len_digits.clone()]
        .iter()
        .enumerate()
        .filter(|&(k, _)| span.len_digits.start + k != i)
        .map(|(_, &d)| d)
        .collect();
    let Some(short) = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    else {
        return Class::Detectable;
    };
    let data = &out.bytes[span.data.clone()];
    if short == 0 {
        return if span.read {
            Class::Undetectable
        } else {
            Class::Detectable
        };
    }
    // What the framer checks after the shorter payload: the rest of the
    // data, the payload's own CR LF, then (at worst) the CR LF the next
    // output starts with.
    let mut after = data[short.min(data.len())..].to_vec();
    after.extend_from_slice(b"\r\n\r\n");
    if after.starts_with(b"\r\n\r\n") {
        Class::Undetectable
    } else {
        Class::Detectable
    }
}
