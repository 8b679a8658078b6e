//! What the framer is told and what it hands back: [`Expect`] (what the
//! host has in flight), [`Frame`] (one unit of the module's output), the
//! [`FinalResult`] codes and where a payload comes from ([`PayloadSource`]).

use crate::types::ClientId;
use crate::wire::{cme_error, parse_u16};

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
    /// (every later byte is [`Frame::Raw`] until [`Framer::leave_raw`](super::Framer::leave_raw)).
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
    /// [`Framer::skip_payload`](super::Framer::skip_payload)). `header` is the announcing line.
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
