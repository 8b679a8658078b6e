//! Typed AT commands, one folder per group of the vendor's manuals.
//!
//! Every command is a plain struct built from checked values (see
//! [`crate::types`]); building it is where bad input is refused. It then
//! implements [`AtCommand`] (its line, its timeout, how its answer is read, line
//! by line) and, through it, [`atat::AtatCmd`], so it works with atat's own
//! clients as well as with this crate's engine.
//!
//! The commands are written by hand rather than derived: the wire form stays
//! visible (`Encoder` calls read like the manual), the checks happen before
//! `AtatCmd::write` (which cannot fail), and no serde code lands in flash.

pub mod device;
pub mod file;
pub mod pdp;
pub mod reader;
pub mod ssl_config;
pub mod ssl_socket;

use crate::digest::{Expect, ResponseItem, ResponseItems};
use crate::error::Error;
use crate::wire::{self, Encoder, Fields};
pub use reader::ResponseReader;

/// Longest command line any command of this crate writes, CR included
/// (`AT+QSSLCFG="psk"` with a 255-byte identity and a 255-byte key).
pub const MAX_COMMAND_LEN: usize = 540;

/// A command: its line, its maximum response time, and how its answer is read.
pub trait AtCommand {
    /// The typed answer.
    type Response;
    /// What is built from the information lines while they arrive.
    type Partial: Default;

    /// The vendor's maximum response time, in milliseconds, when it does not
    /// depend on the command's values.
    const MAX_TIMEOUT_MS: u32 = 300;

    /// `true` for the data phase of a command (bytes after `> ` or
    /// `CONNECT`): written without a CR, and the framer keeps expecting what
    /// the command that opened the phase set up.
    const DATA_PHASE: bool = false;

    /// `true` if the answer ends at a `> ` prompt (or an upload `A`) rather
    /// than at a result code.
    const ENDS_AT_PROMPT: bool = false;

    /// Maximum response time for this command, in milliseconds.
    fn timeout_ms(&self) -> u32 {
        Self::MAX_TIMEOUT_MS
    }

    /// What the framer must expect once the line is sent.
    fn expectation(&self) -> Expect {
        Expect::Response
    }

    /// Write the command line, without its final CR.
    fn encode(&self, e: &mut Encoder<'_>);

    /// Take one information line of the answer. Lines that are not part of
    /// this command's answer are ignored.
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error>;

    /// Whether a line that arrives while this command is in flight belongs
    /// to its answer (the default: every line does). A line it declines is
    /// read as a URC instead: a stray line the module printed in the
    /// middle of the answer (part of a URC it cut) then costs nothing.
    fn owns_line(&self, _line: &[u8]) -> bool {
        true
    }

    /// Whether a line the module also prints on its own (`+CPIN: READY`,
    /// `+CFUN: 1` at boot) is this command's answer: `true` for the lines
    /// it queries. Claimed while it is in flight, such a line reaches
    /// [`line`](Self::line); otherwise it stays a URC. The session engine
    /// honours this; atat's own client, whose digester cannot know what is
    /// in flight, frames such lines as URCs.
    fn claims_urc(&self, _line: &[u8]) -> bool {
        false
    }

    /// Take a `+QSSLRECV` payload (only `AT+QSSLRECV` has one).
    fn payload(&self, _partial: &mut Self::Partial, _data: &[u8]) -> Result<(), Error> {
        Err(Error::UnexpectedResponse)
    }

    /// Build the answer once the success result code has arrived.
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error>;
}

/// Write `cmd` and its CR (none for a data phase) into `buf`; the length, or
/// 0 if `buf` is too small (then nothing usable was written: see
/// [`MAX_COMMAND_LEN`]).
pub fn write_command<C: AtCommand + ?Sized>(cmd: &C, buf: &mut [u8]) -> usize {
    let mut e = Encoder::new(buf);
    cmd.encode(&mut e);
    if !C::DATA_PHASE {
        e.bytes(b"\r");
    }
    e.finish().unwrap_or(0)
}

/// Read a whole response body (as atat hands it over) with `cmd`'s rules.
pub fn parse_body<C: AtCommand + ?Sized>(cmd: &C, body: &[u8]) -> Result<C::Response, Error> {
    let mut partial = C::Partial::default();
    for item in ResponseItems::new(body) {
        match item {
            ResponseItem::Line(line) => cmd.line(&mut partial, line)?,
            ResponseItem::Payload { data, .. } => cmd.payload(&mut partial, data)?,
        }
    }
    cmd.finish(partial)
}

/// `AtatCmd::parse` for every command of this crate.
fn parse_atat<C: AtCommand + ?Sized>(
    cmd: &C,
    resp: Result<&[u8], atat::InternalError<'_>>,
) -> Result<C::Response, atat::Error> {
    let body = resp.map_err(atat::Error::from)?;
    parse_body(cmd, body).map_err(|e| match e {
        Error::Overflow => atat::Error::Capacity,
        Error::Timeout => atat::Error::Timeout,
        _ => atat::Error::Parse,
    })
}

/// Implement [`atat::AtatCmd`] through [`AtCommand`].
macro_rules! atat_command {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> atat::AtatCmd for $ty {
            type Response = <Self as $crate::command::AtCommand>::Response;
            const MAX_TIMEOUT_MS: u32 = <Self as $crate::command::AtCommand>::MAX_TIMEOUT_MS;

            fn write(&self, buf: &mut [u8]) -> usize {
                $crate::command::write_command(self, buf)
            }

            fn parse(
                &self,
                resp: Result<&[u8], atat::InternalError<'_>>,
            ) -> Result<Self::Response, atat::Error> {
                $crate::command::parse_atat(self, resp)
            }
        }
    };
}
pub(crate) use atat_command;

/// The `AtCommand` items of a command that answers only `OK`.
macro_rules! answers_ok {
    () => {
        type Response = $crate::command::NoResponse;
        type Partial = ();
        fn line(&self, _: &mut (), _: &[u8]) -> Result<(), $crate::Error> {
            Ok(())
        }
        fn finish(&self, _: ()) -> Result<$crate::command::NoResponse, $crate::Error> {
            Ok($crate::command::NoResponse)
        }
    };
}
pub(crate) use answers_ok;

/// Keep the one line starting with `prefix`, parsed by `parse`.
pub(crate) fn single_line<T>(
    slot: &mut Option<T>,
    line: &[u8],
    prefix: &[u8],
    parse: impl FnOnce(Fields<'_>) -> Result<T, Error>,
) -> Result<(), Error> {
    if let Some(fields) = Fields::after(line, prefix) {
        if slot.is_none() {
            *slot = Some(parse(fields)?);
        }
    }
    Ok(())
}

/// The answer of a command that answers only `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoResponse;

impl atat::AtatResp for NoResponse {}

/// One parameter of a test-form answer (`AT+...=?`).
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
        let mut fields = Fields::after(line, prefix)?;
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

/// Test helpers: a command's exact bytes, and its answer read both ways.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::digest::{Framer, QuectelDigester};
    use atat::{AtatCmd, DigestResult, Digester};

    /// The exact line `cmd` writes.
    pub fn bytes<C: AtCommand>(cmd: &C) -> String {
        let mut buf = [0u8; MAX_COMMAND_LEN];
        let n = write_command(cmd, &mut buf);
        assert!(n > 0, "command did not fit");
        String::from_utf8(buf[..n].to_vec()).expect("ASCII command")
    }

    /// Read the module's `raw` answer as the engine does (framer and
    /// [`ResponseReader`]) and as atat does (digester and `AtatCmd::parse`):
    /// both must agree on success or failure, and on the value.
    pub fn answer<C>(cmd: &C, raw: &[u8]) -> Result<<C as AtCommand>::Response, Error>
    where
        C: AtCommand + AtatCmd<Response = <C as AtCommand>::Response>,
        <C as AtCommand>::Response: core::fmt::Debug + PartialEq,
    {
        let mut framer = Framer::new(1024);
        framer.set_expect(cmd.expectation());
        let mut reader = ResponseReader::new();
        let mut rest = raw;
        let engine = loop {
            let (frame, used) = framer.next(rest);
            if let Some(result) = reader.feed(cmd, &frame) {
                break result;
            }
            assert!(
                used > 0,
                "answer incomplete: {:?}",
                String::from_utf8_lossy(raw)
            );
            rest = &rest[used..];
        };

        let mut digester = QuectelDigester::new(2048);
        let mut rest = raw;
        let via_atat = loop {
            let (result, used) = digester.digest(rest);
            match result {
                DigestResult::Response(resp) => break AtatCmd::parse(cmd, resp),
                DigestResult::Prompt(_) => break AtatCmd::parse(cmd, Ok(&[])),
                _ => {}
            }
            assert!(used > 0, "atat: answer incomplete");
            rest = &rest[used..];
        };
        match (&engine, &via_atat) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "engine and atat paths disagree"),
            (Err(_), Err(_)) => {}
            _ => panic!("engine {engine:?} vs atat {via_atat:?}"),
        }
        engine
    }
}
