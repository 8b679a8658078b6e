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

mod lines;
mod types;

pub use types::{Expect, FinalResult, Frame, PayloadSource};

use lines::{is_echo, recognise};

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

    /// Quarantine (see [`set_quarantine`](Self::set_quarantine)) from the
    /// end of the payload being counted, if any: its length came from an
    /// announcement read while the stream was trusted, so its bytes and
    /// the check of its line end come as usual ([`Frame::Payload`],
    /// [`Frame::PayloadEnd`]); every line after it is quarantined.
    pub fn set_quarantine_after_payload(&mut self) {
        let state = self.state;
        self.set_quarantine(true);
        if matches!(state, State::Payload { .. } | State::Trailer { .. }) {
            self.state = state;
        }
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
        let frame = recognise(line, self.in_flight());
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
