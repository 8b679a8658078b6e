//! Binary-safe framing of the module's output, as an [`atat::Digester`].
//!
//! # Why not atat's `AtDigester`
//! atat's default digester finds the end of a response by searching for
//! `\r\nOK\r\n`, and treats the rest by pattern. This module's output breaks
//! that, case by case:
//!
//! - **`+QSSLRECV: <n>\r\n<n bytes>\r\n\r\nOK\r\n`**: the payload is raw. If it
//!   holds `\r\nOK\r\n` or `\r\nERROR\r\n`, `AtDigester` ends the response
//!   there, hands the caller a truncated payload, and reads the rest of the
//!   payload as new frames (a false `ERROR`, a false URC).
//! - **Payload ending in whitespace**: `AtDigester` trims every response
//!   (`trim_ascii`), so a payload ending in a space, CR or LF loses bytes.
//! - **Payload holding `>` or `<html>`**: its prompt matcher takes any `>`
//!   followed by whitespace at the end of the buffer as a data prompt, so a
//!   chunk boundary after `>` in a payload yields a false prompt.
//! - **Payload holding `+QSSLURC: "closed",0\r\n`**: depending on how the
//!   bytes are split into reads, a URC parser run on the buffer start sees a
//!   URC that is really payload, and drops a socket that is open.
//! - **Direct push `+QSSLURC: "recv",<id>,<n>\r\n<n bytes>`**: a URC whose data
//!   follows its line and has no terminator at all; `AtDigester` frames a URC
//!   by its line end, so the data becomes garbage or a false response —
//!   possibly in the middle of another command's response.
//! - **NUL and 0x1A in payloads**: harmless to a length count, but
//!   `AtDigester`'s echo skipping and garbage handling consume up to the next
//!   `\r\n`, losing bytes.
//! - **A URC between two lines of a multi-line answer** (`+QSSLSTATE`,
//!   `+QFLST` lists): `AtDigester` returns it inside the response.
//! - Its echo matcher can `panic!` on a parser error (`"NOM ERROR -
//!   opt(echo)"`); a driver for unattended devices can't have that.
//!
//! This crate's digester counts payloads by their announced length, knows
//! which lines are URCs, and can be told what is in flight ([`Expect`]).
//!
//! # Two faces of one framer
//! [`Framer`] is the stream cutter: one frame per call, payloads in pieces, a
//! small line buffer. The session engine uses it directly, so a 1500-byte
//! payload goes from the port to its destination without being buffered
//! whole. [`QuectelDigester`] wraps the same framer in atat's `Digester`
//! contract for use with atat's `Ingress`: one `DigestResult::Response` per
//! command with the information lines (and a `+QSSLRECV` payload) as one
//! slice, every URC as a `DigestResult::Urc` (a direct-push URC as its line,
//! CR LF and its data: see [`Urc::parse`](crate::Urc::parse)). With atat's
//! `Ingress` the buffer must hold a whole response: 1500 payload bytes plus
//! their header.
//!
//! # No panics from the wire
//! Nothing the module sends can make these functions panic, stall or grow
//! without bound: every byte sequence, split into reads in any way, is
//! framed; a result that is not `DigestResult::None` always consumes bytes;
//! a response that cannot fit the buffer is reported and skipped, a push
//! that cannot is dropped, and neither is waited for with a full buffer. The proof is the `digest_stream`
//! fuzz target (`fuzz/`), which feeds arbitrary streams in two chunkings to
//! this digester as atat's `Ingress` does and checks these invariants (and
//! that both chunkings agree); `tests/wire_properties.rs` runs the same
//! checks as bounded property tests on stable.

mod frame;
mod tests;

pub use frame::{Expect, FinalResult, Frame, Framer, PayloadSource};

use atat::{DigestResult, Digester, InternalError};

/// Index of `inner`'s first byte within `outer` (`inner` borrows from `outer`).
fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

/// Line separators at the start of `buf`. A response or a direct push is
/// measured against the buffer from its first byte: the separators before
/// it are consumed first, so whether it fits does not depend on how the
/// bytes were split into reads.
fn separators(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|&&b| matches!(b, b'\r' | b'\n' | b' '))
        .count()
}

/// atat's view of a result code.
fn to_atat<'a>(result: FinalResult<'a>, body: &'a [u8]) -> Result<&'a [u8], InternalError<'a>> {
    use crate::wire::parse_u16;
    match result {
        FinalResult::Ok | FinalResult::SendOk | FinalResult::Connect => Ok(body),
        FinalResult::Error => Err(InternalError::Error),
        FinalResult::SendFail => Err(InternalError::Custom(b"SEND FAIL")),
        FinalResult::NoCarrier => Err(InternalError::ConnectionError(
            atat::ConnectionError::NoCarrier,
        )),
        FinalResult::CmeError(arg) => match parse_u16(arg) {
            Some(code) => Err(InternalError::CmeError(code.into())),
            None => Err(InternalError::Custom(arg)),
        },
        FinalResult::CmsError(arg) => Err(InternalError::CmsError(
            parse_u16(arg).unwrap_or_default().into(),
        )),
    }
}

/// [`atat::Digester`] for Quectel SSL: binary-safe, URC-aware.
///
/// `capacity` must be the size of the ingress buffer that feeds it: a
/// response that cannot complete within it is reported as
/// `InternalError::Capacity` and its remaining bytes are skipped up to its
/// result code (URCs among them are still delivered), so the stream
/// resynchronises instead of stalling on a full buffer.
///
/// A URC that arrives between two lines of a multi-line response is
/// delivered right after that response (atat's contract is one contiguous
/// slice per response, so the response slice still spans it; the parsers of
/// this crate skip it by the same framing rules, see [`ResponseItems`]).
#[derive(Debug, Clone)]
pub struct QuectelDigester {
    framer: Framer,
    capacity: usize,
    /// Skipping the rest of a response that was already reported (or that
    /// overflowed), up to its result code, delivering URCs found in it.
    draining: bool,
}

impl QuectelDigester {
    /// A digester for an ingress buffer of `capacity` bytes.
    pub const fn new(capacity: usize) -> Self {
        Self {
            framer: Framer::new(capacity),
            capacity,
            draining: false,
        }
    }

    /// Tell the digester what was just sent (see [`Expect`]). Without it, it
    /// reads every unknown line as part of a response, as atat expects.
    pub fn set_expect(&mut self, expect: Expect) {
        self.framer.set_expect(expect);
    }

    /// The framer to read the next frame with: in a response unless told
    /// otherwise.
    fn framer(&self) -> Framer {
        let mut framer = self.framer;
        if !framer.in_flight() {
            framer.set_expect(Expect::Response);
        }
        framer
    }

    /// Consume the line separators at the start of `buf` (see [`separators`]).
    fn skip_separators<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        let mut framer = self.framer();
        let (_, used) = framer.next(buf.get(..separators(buf)).unwrap_or_default());
        self.framer = framer;
        (DigestResult::None, used)
    }

    /// A direct-push URC at `header`: delivered once its data is all in `buf`.
    fn push_urc<'a>(
        &mut self,
        buf: &'a [u8],
        mut framer: Framer,
        header: &'a [u8],
        used: usize,
    ) -> (DigestResult<'a>, usize) {
        let end = used + framer.payload_remaining();
        if end <= buf.len() {
            framer.skip_payload(usize::MAX);
            self.framer = framer;
            return (DigestResult::Urc(&buf[offset_in(buf, header)..end]), end);
        }
        if end > self.capacity {
            // It can never be whole in this buffer: drop its data as it
            // comes (counted by the framer), keep the stream framed.
            warn!("direct push of {} bytes exceeds the digest buffer", end);
            self.framer = framer;
            return (DigestResult::None, used);
        }
        (DigestResult::None, 0)
    }

    /// A response starts at the start of `buf`: look for its result code.
    fn response<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        let mut framer = self.framer();
        let mut at = 0;
        let mut body: Option<(usize, usize)> = None;
        let mut urc_inside = false;
        let mut misframed = false;
        loop {
            let (frame, used) = framer.next(&buf[at..]);
            let mut end = at + used;
            match frame {
                Frame::Pending if used == 0 => break,
                Frame::Line(line) => {
                    let start = offset_in(buf, line);
                    body = Some((body.map_or(start, |b| b.0), start + line.len()));
                }
                Frame::PayloadStart { source, header, .. } => {
                    end += framer.payload_remaining();
                    if end > buf.len() {
                        break;
                    }
                    framer.skip_payload(usize::MAX);
                    if source == PayloadSource::Read {
                        let start = offset_in(buf, header);
                        body = Some((body.map_or(start, |b| b.0), end));
                    } else {
                        urc_inside = true;
                    }
                }
                Frame::Urc(_) | Frame::Prompt | Frame::UploadAck | Frame::Malformed(_) => {
                    urc_inside = true;
                }
                Frame::PayloadEnd { source, intact } => {
                    if source == PayloadSource::Read {
                        misframed |= !intact;
                    } else {
                        urc_inside = true;
                    }
                }
                Frame::Final(result) => {
                    let (start, stop) = body.unwrap_or((0, 0));
                    let result = if misframed {
                        // The payload's length was wrong: it is not the data.
                        DigestResult::Response(Err(InternalError::InvalidResponse))
                    } else {
                        DigestResult::Response(to_atat(result, &buf[start..stop]))
                    };
                    if urc_inside {
                        // Report now, consuming only its first item; skip the
                        // rest next, delivering the URCs found among it.
                        let mut framer = self.framer();
                        let (_, first) = framer.next(buf);
                        let consumed = first + framer.skip_payload(usize::MAX);
                        self.framer = framer;
                        self.draining = true;
                        return (result, consumed);
                    }
                    self.framer = framer;
                    return (result, end);
                }
                _ => {}
            }
            at = end;
        }
        if buf.len() >= self.capacity {
            // It can't complete within the buffer: report, then skip it.
            let mut framer = self.framer();
            let (_, first) = framer.next(buf);
            self.framer = framer;
            self.draining = true;
            return (DigestResult::Response(Err(InternalError::Capacity)), first);
        }
        (DigestResult::None, 0)
    }

    /// Skip the rest of a reported response up to its result code; deliver
    /// the URCs in it.
    fn drain<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        let mut framer = self.framer();
        let (frame, used) = framer.next(buf);
        let result = match frame {
            Frame::Pending if used == 0 => {
                // Only an over-long line can stall here; the framer discards
                // those, so this is just "wait for more".
                return (DigestResult::None, 0);
            }
            Frame::PayloadStart { .. } if separators(buf) > 0 => {
                return self.skip_separators(buf);
            }
            Frame::PayloadStart {
                source: PayloadSource::Push(_),
                header,
                ..
            } => return self.push_urc(buf, framer, header, used),
            Frame::Urc(line) | Frame::Malformed(line) => DigestResult::Urc(line),
            Frame::Prompt => DigestResult::Prompt(b'>'),
            Frame::Final(_) => {
                self.draining = false;
                DigestResult::None
            }
            _ => DigestResult::None,
        };
        self.framer = framer;
        (result, used)
    }
}

impl Default for QuectelDigester {
    /// A digester for a 2048-byte ingress buffer.
    fn default() -> Self {
        Self::new(2048)
    }
}

impl Digester for QuectelDigester {
    fn digest<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        if self.framer.checking_trailer() {
            let (frame, used) = self.framer.next(buf);
            if let Frame::PayloadEnd {
                source: PayloadSource::Push(_),
                intact: false,
            } = frame
            {
                // A push is delivered when its data is complete, before this
                // check: it can't be taken back here. The session engine
                // holds pushed bytes until they are checked.
                warn!("a direct push delivered to atat was misframed (a wrong length on the line)");
            }
            if used > 0 || frame == Frame::Pending {
                return (DigestResult::None, used);
            }
            // The check used no bytes (what follows is no trailer): go on.
        }
        if self.draining {
            return self.drain(buf);
        }
        let mut framer = self.framer();
        let (frame, used) = framer.next(buf);
        let result = match frame {
            Frame::Pending if used == 0 => return (DigestResult::None, 0),
            Frame::Line(_) | Frame::PayloadStart { .. } if separators(buf) > 0 => {
                return self.skip_separators(buf);
            }
            Frame::Line(_)
            | Frame::PayloadStart {
                source: PayloadSource::Read,
                ..
            } => return self.response(buf),
            Frame::PayloadStart { header, .. } => return self.push_urc(buf, framer, header, used),
            Frame::Urc(line) | Frame::Malformed(line) => DigestResult::Urc(line),
            Frame::Prompt => DigestResult::Prompt(b'>'),
            Frame::UploadAck => DigestResult::Prompt(b'A'),
            Frame::Final(result) => DigestResult::Response(to_atat(result, &[])),
            _ => DigestResult::None,
        };
        self.framer = framer;
        (result, used)
    }
}

/// The information lines (and `+QSSLRECV` payload) of one response body, as
/// atat hands it to `AtatCmd::parse`; URCs that arrived among the lines are
/// skipped by the same framing rules.
pub struct ResponseItems<'a> {
    framer: Framer,
    rest: &'a [u8],
}

/// One element of a response body.
///
/// Exhaustive: a body holds lines and, for `AT+QSSLRECV`, a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseItem<'a> {
    /// An information line.
    Line(&'a [u8]),
    /// A `+QSSLRECV` payload: its header line and data (fewer bytes than
    /// announced if the body was cut short).
    Payload {
        /// The `+QSSLRECV: <n>` line.
        header: &'a [u8],
        /// The payload.
        data: &'a [u8],
    },
}

impl<'a> ResponseItems<'a> {
    /// Iterate the items of a response body.
    pub fn new(body: &'a [u8]) -> Self {
        Self {
            framer: Framer::new(usize::MAX),
            rest: body,
        }
    }
}

impl<'a> Iterator for ResponseItems<'a> {
    type Item = ResponseItem<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if !self.framer.in_flight() {
                self.framer.set_expect(Expect::Response);
            }
            let (frame, used) = self.framer.next_at_end(self.rest);
            self.rest = self.rest.get(used..).unwrap_or_default();
            match frame {
                Frame::Pending => return None,
                Frame::Line(line) => return Some(ResponseItem::Line(line)),
                Frame::PayloadStart { source, header, .. } => {
                    let n = self.framer.skip_payload(self.rest.len());
                    let (data, rest) = self.rest.split_at(n);
                    self.rest = rest;
                    if source == PayloadSource::Read {
                        return Some(ResponseItem::Payload { header, data });
                    }
                }
                _ => {}
            }
        }
    }
}
