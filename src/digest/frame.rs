//! The framer: cuts the module's byte stream into frames, one per call.
//!
//! It holds no buffer: the caller passes the unconsumed bytes and is told how
//! many of them the returned frame used. Payloads announced by a length
//! (`+QSSLRECV: <n>` and the direct-push `+QSSLURC: "recv",<id>,<n>`) are
//! counted, never searched for a terminator, so they may hold any byte. A
//! caller may also move payload bytes itself, straight from the port to their
//! destination, and report them with [`Framer::skip_payload`]: that is how the
//! session engine keeps its line buffer small.
//!
//! # No panics from the wire
//! Every byte sequence is accepted: all indexing is bounds-checked, lengths
//! from the wire are range-checked before they are trusted, and a line longer
//! than the caller's buffer is discarded up to its end (with a
//! [`Frame::Discarded`]) instead of growing anything. Every frame but
//! [`Frame::Pending`] makes progress: it uses at least one byte, or, for a
//! [`Frame::PayloadEnd`] (one per payload), it ends the check of the bytes
//! after a payload. A caller reads frames until `(Pending, 0)`, then waits
//! for more input, and never stalls with a full buffer. The
//! proof is the `digest_stream` fuzz target (`fuzz/`): arbitrary streams fed
//! through a 256-byte buffer in two chunkings, which must give the same
//! frames, with every payload exactly as long as announced; and
//! `urc_parse`, which checks that the framer and [`crate::Urc::parse`] agree
//! on which lines announce a push. `tests/wire_properties.rs` runs the same
//! checks as bounded property tests on stable.

use crate::types::{ClientId, ReadLength};
use crate::wire::{cme_error, parse_u16, trim, Fields};

/// What the host has in flight: tells the framer how to read what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Expect {
    /// No command in flight: a line that is neither a result code nor a known
    /// URC is an unknown URC.
    Idle,
    /// A command is in flight: lines that are not result codes or known URCs
    /// belong to its response.
    Response,
    /// Like `Response`; a `CONNECT` then puts the port in transparent mode
    /// (every later byte is [`Frame::Raw`] until [`Framer::leave_raw`]).
    Transparent,
    /// `AT+QFUPL`: `CONNECT` starts the upload and is not final; in ack mode
    /// each `A` the module sends is a [`Frame::UploadAck`].
    Upload {
        /// The upload uses ACK mode.
        ack: bool,
    },
}

/// Where a length-framed payload comes from.
///
/// Exhaustive: the manual's two length-framed payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PayloadSource {
    /// The answer to `AT+QSSLRECV`.
    Read,
    /// A direct-push `+QSSLURC: "recv",<id>,<len>` for this socket.
    Push(ClientId),
}

/// A final (or, for `AT+QFUPL`, intermediate) result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FinalResult<'a> {
    /// `OK`
    Ok,
    /// `ERROR`
    Error,
    /// `+CME ERROR: <arg>` (the argument, trimmed: a number or a text)
    CmeError(&'a [u8]),
    /// `+CMS ERROR: <arg>`
    CmsError(&'a [u8]),
    /// `SEND OK`
    SendOk,
    /// `SEND FAIL`
    SendFail,
    /// `CONNECT` (possibly with a rate after it)
    Connect,
    /// `NO CARRIER`
    NoCarrier,
}

impl FinalResult<'_> {
    /// The error this result stands for, or `None` for a success
    /// (`OK`, `SEND OK`, `CONNECT`).
    pub fn error(&self) -> Option<crate::error::Error> {
        use crate::error::Error;
        match self {
            Self::Ok | Self::SendOk | Self::Connect => None,
            Self::Error => Some(Error::Rejected),
            Self::SendFail => Some(Error::SendFailed),
            Self::NoCarrier => Some(Error::NoCarrier),
            Self::CmeError(arg) => Some(match parse_u16(arg) {
                Some(code) => Error::from_cme_code(code),
                None => Error::Cme(cme_error(arg)),
            }),
            Self::CmsError(arg) => Some(Error::Cms(parse_u16(arg).unwrap_or(0))),
        }
    }
}

/// One unit of the module's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Frame<'a> {
    /// Nothing complete yet. The bytes consumed with it, if any, were line
    /// separators and may be dropped.
    Pending,
    /// An echoed command line (`AT...`, echo on).
    Echo(&'a [u8]),
    /// An information line of the response in flight.
    Line(&'a [u8]),
    /// An unsolicited result code (a whole line, without CR LF).
    Urc(&'a [u8]),
    /// A result code.
    Final(FinalResult<'a>),
    /// The `>` data prompt (with its trailing space, if it came).
    Prompt,
    /// One `A` acknowledgement of an `AT+QFUPL` in ACK mode.
    UploadAck,
    /// A length-framed payload starts: `len` payload bytes follow, delivered
    /// as [`Frame::Payload`] (or moved by the caller, see
    /// [`Framer::skip_payload`]). `header` is the announcing line.
    PayloadStart {
        /// Which answer or URC announced it.
        source: PayloadSource,
        /// Payload length in bytes (1..=1500).
        len: u16,
        /// The announcing line, without CR LF.
        header: &'a [u8],
    },
    /// Payload bytes; `remaining` more follow.
    Payload {
        /// Bytes of the payload, in order.
        data: &'a [u8],
        /// Payload bytes still to come after these.
        remaining: u16,
    },
    /// Transparent-mode bytes from the peer.
    Raw(&'a [u8]),
    /// A line that announces a payload but is malformed (socket id or length
    /// out of range): its bytes are not trusted as a length. The stream
    /// resynchronises at the next line.
    Malformed(&'a [u8]),
    /// Bytes dropped to resynchronise: part of a line longer than the buffer.
    Discarded,
    /// The bytes after a payload were checked: CR LF CR LF, exactly. A
    /// payload ends with its own CR LF, and every output of the module
    /// starts with CR LF: the blank line before a `+QSSLRECV` answer's
    /// `OK`, the next URC or answer after a push. If anything else comes,
    /// `intact` is `false`: the announced length was wrong (a corrupted or
    /// dropped digit on the line), so the payload holds bytes that were not
    /// data, or misses some.
    ///
    /// This catches a length one to four bytes too long, which nothing else
    /// would (the payload would swallow its line end, and a push two too
    /// long would pass a check of one CR LF when the next output's followed
    /// it), and any length too short unless the data itself ends in CR LF
    /// where the line end should be (the protocol's limit). A length much
    /// too long swallows what follows; the check then fails, or the
    /// command times out.
    ///
    /// A push's check completes only with the module's next output: the
    /// session engine holds its bytes until then, and provokes an answer if
    /// the line stays quiet. With echo on, a command's echo may follow a
    /// push with no line end before it and fail the check: the session
    /// engine turns echo off before it opens anything.
    PayloadEnd {
        /// Which answer or URC the payload came with.
        source: PayloadSource,
        /// The payload was followed by what it must be.
        intact: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Lines,
    Payload {
        remaining: u16,
        source: PayloadSource,
    },
    /// After a payload: `matched` bytes of its trailer seen.
    Trailer {
        source: PayloadSource,
        matched: u8,
    },
    DiscardLine,
    Raw,
}

/// The stream framer. Cheap to copy: the `atat` adapter looks ahead with a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framer {
    state: State,
    expect: Expect,
    uploading: Option<bool>,
    max_line: usize,
    /// Nothing is trusted: every line is a [`Frame::Line`] (no result code,
    /// no payload announcement, no prompt), echoes excepted.
    quarantine: bool,
}

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

impl Framer {
    /// A framer for a buffer of `max_line` bytes: a line that does not fit is
    /// discarded rather than waited for.
    pub const fn new(max_line: usize) -> Self {
        Self {
            state: State::Lines,
            expect: Expect::Idle,
            uploading: None,
            max_line,
            quarantine: false,
        }
    }

    /// Quarantine: after a framing doubt nothing in the stream is trusted
    /// until the caller has found its footing again. Every line comes as a
    /// [`Frame::Line`] (result codes, prompts and payload announcements
    /// included: no length is counted, no state changes); an echoed command
    /// line still comes as [`Frame::Echo`], which is how the caller
    /// recognises the one line it is waiting for. Entering it forgets any
    /// payload being counted.
    pub fn set_quarantine(&mut self, on: bool) {
        if on {
            self.state = State::Lines;
            self.expect = Expect::Idle;
            self.uploading = None;
        }
        self.quarantine = on;
    }

    /// `true` in quarantine (see [`set_quarantine`](Self::set_quarantine)).
    pub fn in_quarantine(&self) -> bool {
        self.quarantine
    }

    /// Tell the framer what was just sent. Reset to [`Expect::Idle`] by the
    /// framer itself when the final result code arrives.
    pub fn set_expect(&mut self, expect: Expect) {
        self.expect = expect;
        self.uploading = None;
    }

    /// What the framer expects now.
    pub fn expecting(&self) -> Expect {
        self.expect
    }

    /// `true` while a command is in flight.
    pub fn in_flight(&self) -> bool {
        self.expect != Expect::Idle
    }

    /// `true` in transparent mode (every byte is [`Frame::Raw`]).
    pub fn is_raw(&self) -> bool {
        self.state == State::Raw
    }

    /// Leave transparent mode: the host saw `OK` after `+++` or DTR, or
    /// `NO CARRIER`, and goes back to command mode.
    pub fn leave_raw(&mut self) {
        if self.state == State::Raw {
            self.state = State::Lines;
        }
    }

    /// Enter transparent mode without a `CONNECT` (used by a caller that reads
    /// `CONNECT` itself).
    pub fn enter_raw(&mut self) {
        self.state = State::Raw;
        self.expect = Expect::Idle;
    }

    /// A payload is complete and the bytes after it are not checked yet: the
    /// next frame is a [`Frame::PayloadEnd`] (or `Pending`).
    pub fn checking_trailer(&self) -> bool {
        matches!(self.state, State::Trailer { .. })
    }

    /// Payload bytes still expected after the last [`Frame::PayloadStart`].
    pub fn payload_remaining(&self) -> usize {
        match self.state {
            State::Payload { remaining, .. } => usize::from(remaining),
            _ => 0,
        }
    }

    /// Count `n` payload bytes the caller moved itself (at most
    /// [`payload_remaining`](Self::payload_remaining)); returns how many were
    /// counted.
    pub fn skip_payload(&mut self, n: usize) -> usize {
        let State::Payload { remaining, source } = self.state else {
            return 0;
        };
        let n = n.min(usize::from(remaining));
        // n <= remaining <= u16::MAX
        let left = remaining - n as u16;
        self.state = if left == 0 {
            State::Trailer { source, matched: 0 }
        } else {
            State::Payload {
                remaining: left,
                source,
            }
        };
        n
    }

    /// Give up the payload being counted (the command it belonged to timed
    /// out: its length was wrong); returns how many bytes were still owed.
    pub fn abort_payload(&mut self) -> usize {
        let owed = self.payload_remaining();
        if owed > 0 {
            self.state = State::Lines;
        }
        owed
    }

    /// Forget everything (after a module reboot, or to resynchronise);
    /// quarantine stays as it is.
    pub fn reset(&mut self) {
        *self = Self {
            quarantine: self.quarantine,
            ..Self::new(self.max_line)
        };
    }

    /// Cut the next frame from `buf`; returns it and the bytes it used.
    pub fn next<'a>(&mut self, buf: &'a [u8]) -> (Frame<'a>, usize) {
        match self.state {
            State::Raw => {
                if buf.is_empty() {
                    (Frame::Pending, 0)
                } else {
                    (Frame::Raw(buf), buf.len())
                }
            }
            State::Trailer { source, matched } => self.trailer(buf, source, matched),
            State::Payload { remaining, .. } => {
                let n = buf.len().min(usize::from(remaining));
                if n == 0 {
                    return (Frame::Pending, 0);
                }
                self.skip_payload(n);
                let remaining = self.payload_remaining() as u16;
                (
                    Frame::Payload {
                        data: &buf[..n],
                        remaining,
                    },
                    n,
                )
            }
            State::DiscardLine => match buf.iter().position(|&b| b == b'\r' || b == b'\n') {
                // The discarded line ended with the bytes before: go on with
                // the next frame rather than report a frame that used nothing
                // (a caller reads that as "wait for more bytes", and with a
                // full buffer none ever come).
                Some(0) => {
                    self.state = State::Lines;
                    self.next_line(buf, false)
                }
                Some(end) => {
                    self.state = State::Lines;
                    (Frame::Discarded, end)
                }
                None if buf.is_empty() => (Frame::Pending, 0),
                None => (Frame::Discarded, buf.len()),
            },
            State::Lines => self.next_line(buf, false),
        }
    }

    /// Like [`next`](Self::next), for the last bytes of a finished input: a
    /// last line without CR LF counts as complete. Used to read a response
    /// body that atat handed over without its line end.
    pub fn next_at_end<'a>(&mut self, buf: &'a [u8]) -> (Frame<'a>, usize) {
        if self.state == State::DiscardLine && matches!(buf.first(), Some(b'\r' | b'\n')) {
            self.state = State::Lines;
        }
        match self.state {
            State::Lines => self.next_line(buf, true),
            _ => self.next(buf),
        }
    }

    /// Check the bytes after a payload (see [`Frame::PayloadEnd`]).
    fn trailer<'a>(
        &mut self,
        buf: &'a [u8],
        source: PayloadSource,
        matched: u8,
    ) -> (Frame<'a>, usize) {
        // Both end the same way: the payload's own line end, then the
        // CR LF that starts whatever the module says next (the blank line
        // before a read's `OK`; the next URC or answer after a push).
        let want: &[u8] = b"\r\n\r\n";
        let mut seen = usize::from(matched);
        let mut used = 0;
        for &b in buf {
            if seen == want.len() {
                break;
            }
            if want.get(seen) != Some(&b) {
                self.state = State::Lines;
                let frame = Frame::PayloadEnd {
                    source,
                    intact: false,
                };
                return (frame, used);
            }
            seen += 1;
            used += 1;
        }
        if seen < want.len() {
            // seen < 4
            self.state = State::Trailer {
                source,
                matched: seen as u8,
            };
            return (Frame::Pending, used);
        }
        self.state = State::Lines;
        let frame = Frame::PayloadEnd {
            source,
            intact: true,
        };
        (frame, used)
    }

    fn next_line<'a>(&mut self, buf: &'a [u8], at_end: bool) -> (Frame<'a>, usize) {
        let skip = buf
            .iter()
            .position(|&b| !matches!(b, b'\r' | b'\n' | b' '))
            .unwrap_or(buf.len());
        let rest = &buf[skip..];
        let Some(&first) = rest.first() else {
            return (Frame::Pending, skip);
        };
        if first == b'>' && !self.quarantine {
            let used = if rest.get(1) == Some(&b' ') { 2 } else { 1 };
            return (Frame::Prompt, skip + used);
        }
        if first == b'A' && self.uploading == Some(true) && !self.quarantine {
            return (Frame::UploadAck, skip + 1);
        }
        let Some(end) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
            if at_end {
                return (self.classify(rest), buf.len());
            }
            if rest.len() >= self.max_line {
                self.state = State::DiscardLine;
                return (Frame::Discarded, buf.len());
            }
            return (Frame::Pending, skip);
        };
        let line = &rest[..end];
        if is_echo(line) && rest[end] == b'\r' {
            return (Frame::Echo(line), skip + end + 1);
        }
        // A line ends with CR LF; a lone CR or LF is accepted too, but a CR at
        // the very end of the buffer waits for its LF so that the LF is not
        // taken for the first byte of a payload.
        let used = match rest.get(end..end + 2) {
            Some(b"\r\n") => end + 2,
            Some(_) => end + 1,
            None if rest[end] == b'\r' => {
                if at_end || rest.len() >= self.max_line {
                    return (self.classify(line), skip + end + 1);
                }
                return (Frame::Pending, skip);
            }
            None => end + 1,
        };
        (self.classify(line), skip + used)
    }

    fn classify<'a>(&mut self, line: &'a [u8]) -> Frame<'a> {
        if self.quarantine {
            return Frame::Line(line);
        }
        let frame = match line {
            b"OK" => Frame::Final(FinalResult::Ok),
            b"ERROR" => Frame::Final(FinalResult::Error),
            b"SEND OK" => Frame::Final(FinalResult::SendOk),
            b"SEND FAIL" => Frame::Final(FinalResult::SendFail),
            b"NO CARRIER" if self.in_flight() => Frame::Final(FinalResult::NoCarrier),
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
                } else if self.in_flight() {
                    Frame::Line(line)
                } else {
                    Frame::Urc(line)
                }
            }
        };
        match frame {
            Frame::Final(result) => self.after_final(result),
            Frame::PayloadStart { len, source, .. } => {
                self.state = State::Payload {
                    remaining: len,
                    source,
                }
            }
            _ => {}
        }
        frame
    }

    fn after_final(&mut self, result: FinalResult<'_>) {
        match (self.expect, result) {
            (Expect::Upload { ack }, FinalResult::Connect) if self.uploading.is_none() => {
                self.uploading = Some(ack);
            }
            (Expect::Transparent, FinalResult::Connect) => {
                self.state = State::Raw;
                self.expect = Expect::Idle;
            }
            _ => {
                self.expect = Expect::Idle;
                self.uploading = None;
            }
        }
    }
}

fn is_echo(line: &[u8]) -> bool {
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
