//! What a line of the module's output is, by its text alone: result codes,
//! the URCs the module sends on its own, echoes, and the lines that announce
//! a payload (`+QSSLRECV: <n>`, the direct push `+QSSLURC: "recv",<id>,<n>`),
//! whose length is range-checked here before the framer trusts it. The
//! framer's state (quarantine, what it counts next) is not this file's
//! business.

use super::types::{FinalResult, Frame, PayloadSource};
use crate::types::{ClientId, ReadLength};
use crate::wire::{parse_u16, trim, Fields};

/// Lines the module sends on its own, recognised whatever is in flight.
const URC_PREFIXES: &[&[u8]] = &[
    b"+QSSLURC:",
    b"+QIURC:",
    b"+QIOPEN:",
    b"RDY",
    b"+CFUN:",
    b"+CPIN:",
    b"+QUSIM:",
    b"+QIND:",
    b"POWERED DOWN",
    b"NORMAL POWER DOWN",
];

/// What `line` is by its text, with a command in flight or not: a result
/// code, a payload announcement, a URC or an information line.
pub(super) fn recognise(line: &[u8], in_flight: bool) -> Frame<'_> {
    match line {
        b"OK" => Frame::Final(FinalResult::Ok),
        b"ERROR" => Frame::Final(FinalResult::Error),
        b"SEND OK" => Frame::Final(FinalResult::SendOk),
        b"SEND FAIL" => Frame::Final(FinalResult::SendFail),
        b"NO CARRIER" if in_flight => Frame::Final(FinalResult::NoCarrier),
        [b'C', b'O', b'N', b'N', b'E', b'C', b'T', tail @ ..]
            if tail.is_empty() || tail.first() == Some(&b' ') =>
        {
            Frame::Final(FinalResult::Connect)
        }
        _ => {
            if let Some(arg) = line.strip_prefix(b"+CME ERROR:") {
                Frame::Final(FinalResult::CmeError(trim(arg)))
            } else if let Some(arg) = line.strip_prefix(b"+CMS ERROR:") {
                Frame::Final(FinalResult::CmsError(trim(arg)))
            } else if let Some(arg) = line.strip_prefix(b"+QSSLRECV:") {
                read_header(line, trim(arg))
            } else if line.starts_with(b"+QSSLURC:") {
                push_header(line)
            } else if is_open_urc(line) || URC_PREFIXES.iter().any(|p| line.starts_with(p)) {
                Frame::Urc(line)
            } else if in_flight {
                Frame::Line(line)
            } else {
                Frame::Urc(line)
            }
        }
    }
}

/// An echoed command line: it starts with `AT`, in either case.
pub(super) fn is_echo(line: &[u8]) -> bool {
    matches!(line, [b'A' | b'a', b'T' | b't', ..])
}

/// `+QSSLOPEN: <id>,<err>` (digits only: the test response has parentheses).
fn is_open_urc(line: &[u8]) -> bool {
    line.strip_prefix(b"+QSSLOPEN:")
        .map(|args| {
            let args = trim(args);
            !args.is_empty() && args.iter().all(|&b| b.is_ascii_digit() || b == b',')
        })
        .unwrap_or(false)
}

/// `+QSSLRECV: <n>`: a payload of n bytes follows (n = 0: nothing follows).
fn read_header<'a>(line: &'a [u8], arg: &[u8]) -> Frame<'a> {
    if !arg.first().is_some_and(u8::is_ascii_digit) {
        // The test response `+QSSLRECV: (0-11),(1-1500)`.
        return Frame::Line(line);
    }
    match parse_u16(arg) {
        Some(0) => Frame::Line(line),
        Some(len) if usize::from(len) <= ReadLength::MAX_BYTES => Frame::PayloadStart {
            source: PayloadSource::Read,
            len,
            header: line,
        },
        _ => Frame::Malformed(line),
    }
}

/// `+QSSLURC: "recv",<id>,<len>` announces a direct-push payload; every other
/// `+QSSLURC` is a plain URC line.
fn push_header(line: &[u8]) -> Frame<'_> {
    let Some(mut fields) = Fields::after(line, b"+QSSLURC:") else {
        return Frame::Urc(line);
    };
    if fields.string() != Ok(&b"recv"[..]) {
        return Frame::Urc(line);
    }
    let client = fields.u8();
    if fields.is_empty() {
        return Frame::Urc(line);
    }
    let len = fields.u16();
    match (client.ok().and_then(|c| ClientId::new(c).ok()), len) {
        (Some(client), Ok(len))
            if fields.is_empty() && usize::from(len) <= ReadLength::MAX_BYTES && len > 0 =>
        {
            Frame::PayloadStart {
                source: PayloadSource::Push(client),
                len,
                header: line,
            }
        }
        _ => Frame::Malformed(line),
    }
}
