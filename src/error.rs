//! The crate's one error type, and the module's SSL error codes.

use core::fmt;

/// Everything that can go wrong, from a bad argument to a silent module.
///
/// Errors about the caller's input (`InvalidParameter`) are raised before a
/// single byte is written to the port. Errors reported by the module keep the
/// module's own code (`Ssl`, `Cme`), unknown codes included.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// A parameter is out of range, too long, or holds a byte that would break
    /// the AT line; nothing was written to the port.
    InvalidParameter {
        /// Which parameter (the name used in the vendor's manual).
        param: &'static str,
        /// What is wrong with it.
        reason: ParamError,
    },
    /// The module answered a bare `ERROR` (`AT+QIGETERROR` may tell more).
    Rejected,
    /// The module answered `+CME ERROR: <code or text>`.
    Cme(CmeError),
    /// The module reported an SSL/TCP error code (from a `+QSSLOPEN` URC,
    /// `AT+QIGETERROR`, or a `+CME ERROR` in the 550..=574 range).
    Ssl(SslErrorCode),
    /// `SEND FAIL`: the module's send buffer is full; nothing was sent, try
    /// again later.
    SendFailed,
    /// `NO CARRIER`: the connection dropped, or `ATO` had nothing to resume.
    NoCarrier,
    /// `+CMS ERROR: <code>` (not used by the SSL commands, framed for
    /// completeness).
    Cms(u16),
    /// No complete answer within the command's maximum response time.
    Timeout,
    /// The module's answer did not have the form the command expects.
    UnexpectedResponse,
    /// A line or frame from the module is larger than the buffer given for it.
    Overflow,
    /// The serial port reported an error.
    Io(embedded_io::ErrorKind),
    /// Open refused locally: the socket is not Initial (close it first).
    SocketInUse,
    /// Refused locally: the socket is not connected.
    NotConnected,
    /// Refused locally: the port is in transparent mode (no AT command can be
    /// sent), or a transparent session already exists.
    TransparentMode,
    /// The peer or the network closed the connection (`+QSSLURC: "closed"`,
    /// `NO CARRIER`); close the socket.
    Closed,
    /// The handle's socket was closed since; the index may belong to a new
    /// connection now.
    StaleHandle,
    /// The module rebooted (`RDY`): every socket and context is gone.
    ModuleReset,
    /// Direct-push data arrived while the socket's receive buffer was full:
    /// this many bytes were dropped. Reported once, then reading goes on.
    PushOverflow(u32),
    /// Another operation is in flight on the port; poll it to completion
    /// first.
    Busy,
    /// The module's output could not be framed where this socket's data or
    /// this command's answer was (a length or a line corrupted on the
    /// serial line, a stray answer, `RDY` inside a payload): bytes of the
    /// stream may be missing, so the socket is done (close it), or the
    /// command's outcome is unknown. The engine found its footing again
    /// before the next command; other sockets go on.
    Desynchronized,
}

/// Why a parameter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParamError {
    /// A number outside the range the module accepts.
    OutOfRange,
    /// A string longer than the module accepts.
    TooLong,
    /// A string that must not be empty is empty.
    Empty,
    /// A string holds this byte, which can't be sent inside a quoted AT
    /// parameter (`"`, CR, LF, NUL, 0x1A, 0x1B, other control bytes, or a
    /// non-ASCII byte).
    ForbiddenByte(u8),
    /// Payload for a variable-length send holds 0x1A or 0x1B, which would end
    /// or cancel the send: use a fixed-length send for binary data.
    NeedsFixedLength,
    /// A file name holds `*` or `?`: it would be a pattern matching other
    /// files (`AT+QFDEL="*"` deletes them all). Patterns are
    /// [`FilePattern`](crate::FilePattern)s, taken only by a listing.
    Wildcard,
    /// A receive buffer smaller than the socket's access mode needs (this
    /// many bytes, see
    /// [`AccessMode::min_receive_buffer`](crate::command::ssl_socket::AccessMode::min_receive_buffer)).
    BufferTooSmall(usize),
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub(crate) const fn param(param: &'static str, reason: ParamError) -> Self {
        Self::InvalidParameter { param, reason }
    }

    /// The error for a `+CME ERROR: <n>` answer: SSL codes become [`Error::Ssl`].
    pub(crate) fn from_cme_code(code: u16) -> Self {
        if (550..=574).contains(&code) {
            Self::Ssl(SslErrorCode::from(code))
        } else {
            Self::Cme(CmeError::Code(code))
        }
    }

    /// The SSL error code, if this error carries one.
    pub fn ssl_code(&self) -> Option<SslErrorCode> {
        match self {
            Self::Ssl(code) => Some(*code),
            _ => None,
        }
    }
}

/// `+CME ERROR:` payload: a number, or a text with `AT+CMEE=2` on some errors.
///
/// Exhaustive: 3GPP TS 27.007 gives the error these two forms only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CmeError {
    /// Numeric code, e.g. 421 (FILE: time out), 407 (FILE: file exists).
    Code(u16),
    /// Verbose text, cut to 32 bytes.
    Text(heapless::String<32>),
}

macro_rules! ssl_error_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $text:literal; )*) => {
        /// The module's SSL/TCP error codes (`+QSSLOPEN: <id>,<err>`,
        /// `AT+QIGETERROR`), with the meanings of the vendor's table.
        ///
        /// Exhaustive: the vendor's table is fixed, and a code outside it
        /// is kept in [`Other`](Self::Other).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum SslErrorCode {
            $( $(#[$doc])* $name, )*
            /// A code this crate does not know, kept as reported.
            Other(u16),
        }

        impl SslErrorCode {
            /// The numeric code as the module prints it.
            pub const fn code(self) -> u16 {
                match self {
                    $( Self::$name => $code, )*
                    Self::Other(code) => code,
                }
            }

            /// The vendor's description (lower case, as `AT+QIGETERROR` prints it).
            pub const fn description(self) -> &'static str {
                match self {
                    $( Self::$name => $text, )*
                    Self::Other(_) => "unknown error code",
                }
            }
        }

        impl From<u16> for SslErrorCode {
            fn from(code: u16) -> Self {
                match code {
                    $( $code => Self::$name, )*
                    other => Self::Other(other),
                }
            }
        }
    };
}

ssl_error_codes! {
    /// 0: operation successful.
    Success = 0, "operate successfully";
    /// 550: unknown error.
    Unknown = 550, "unknown error";
    /// 551: operation blocked.
    OperationBlocked = 551, "operation blocked";
    /// 552: invalid parameter.
    InvalidParameter = 552, "invalid parameters";
    /// 553: memory not enough.
    MemoryNotEnough = 553, "memory not enough";
    /// 554: create socket failed.
    CreateSocketFailed = 554, "create socket failed";
    /// 555: operation not supported.
    OperationNotSupported = 555, "operation not supported";
    /// 556: socket bind failed.
    SocketBindFailed = 556, "socket bind failed";
    /// 557: socket listen failed.
    SocketListenFailed = 557, "socket listen failed";
    /// 558: socket write failed.
    SocketWriteFailed = 558, "socket write failed";
    /// 559: socket read failed.
    SocketReadFailed = 559, "socket read failed";
    /// 560: socket accept failed.
    SocketAcceptFailed = 560, "socket accept failed";
    /// 561: open PDP context failed.
    OpenPdpContextFailed = 561, "open pdp context failed";
    /// 562: close PDP context failed.
    ClosePdpContextFailed = 562, "close pdp context failed";
    /// 563: socket identity has been used.
    SocketIdentityUsed = 563, "socket identity has been used";
    /// 564: DNS busy.
    DnsBusy = 564, "dns busy";
    /// 565: DNS parse failed.
    DnsParseFailed = 565, "dns parse failed";
    /// 566: socket connection failed (also any TLS or certificate failure).
    SocketConnectFailed = 566, "socket connect failed";
    /// 567: socket has been closed.
    SocketClosed = 567, "socket has been closed";
    /// 568: operation busy.
    OperationBusy = 568, "operation busy";
    /// 569: operation timeout.
    OperationTimeout = 569, "operation timeout";
    /// 570: PDP context broken down.
    PdpContextBrokenDown = 570, "pdp context broken down";
    /// 571: cancel send.
    SendCancelled = 571, "cancel send";
    /// 572: operation not allowed.
    OperationNotAllowed = 572, "operation not allowed";
    /// 573: APN not configured.
    ApnNotConfigured = 573, "apn not configured";
    /// 574: port busy.
    PortBusy = 574, "port busy";
}

impl SslErrorCode {
    /// `true` for code 0.
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Success)
    }
}

impl fmt::Display for SslErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.description(), self.code())
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange => f.write_str("out of range"),
            Self::TooLong => f.write_str("too long"),
            Self::Empty => f.write_str("empty"),
            Self::ForbiddenByte(b) => write!(f, "holds forbidden byte 0x{b:02X}"),
            Self::NeedsFixedLength => f.write_str("holds 0x1A or 0x1B: use a fixed-length send"),
            Self::Wildcard => f.write_str("holds a wildcard: a file name names one file"),
            Self::BufferTooSmall(min) => write!(f, "smaller than the {min} bytes the mode needs"),
        }
    }
}

impl fmt::Display for CmeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidParameter { param, reason } => {
                write!(f, "invalid parameter <{param}>: {reason}")
            }
            Self::Rejected => f.write_str("module answered ERROR"),
            Self::Cme(e) => write!(f, "module answered +CME ERROR: {e}"),
            Self::Ssl(code) => write!(f, "module reported SSL error {code}"),
            Self::SendFailed => f.write_str("SEND FAIL: module send buffer full"),
            Self::NoCarrier => f.write_str("NO CARRIER: connection dropped"),
            Self::Cms(code) => write!(f, "module answered +CMS ERROR: {code}"),
            Self::Timeout => f.write_str("no answer from the module in time"),
            Self::UnexpectedResponse => f.write_str("unexpected answer from the module"),
            Self::Overflow => f.write_str("answer larger than the buffer given for it"),
            Self::Io(kind) => write!(f, "serial port error: {kind:?}"),
            Self::SocketInUse => f.write_str("socket in use: close it first"),
            Self::NotConnected => f.write_str("socket not connected"),
            Self::TransparentMode => {
                f.write_str("port is in transparent mode, or a transparent session exists")
            }
            Self::Closed => f.write_str("connection closed by the peer or the network"),
            Self::StaleHandle => f.write_str("socket handle no longer valid (socket closed)"),
            Self::ModuleReset => f.write_str("module rebooted: every socket and context is gone"),
            Self::PushOverflow(n) => {
                write!(f, "receive buffer full: {n} pushed bytes dropped")
            }
            Self::Busy => f.write_str("another operation is in flight"),
            Self::Desynchronized => {
                f.write_str("the module's output could not be framed: stream or answer lost")
            }
        }
    }
}

impl core::error::Error for Error {}

impl embedded_io::Error for Error {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind;
        match self {
            Self::InvalidParameter { .. } => ErrorKind::InvalidInput,
            Self::Timeout => ErrorKind::TimedOut,
            Self::NoCarrier => ErrorKind::ConnectionReset,
            Self::SendFailed => ErrorKind::WriteZero,
            Self::Ssl(code) => match code {
                SslErrorCode::SocketConnectFailed => ErrorKind::ConnectionRefused,
                SslErrorCode::SocketClosed | SslErrorCode::PdpContextBrokenDown => {
                    ErrorKind::ConnectionReset
                }
                SslErrorCode::OperationTimeout => ErrorKind::TimedOut,
                SslErrorCode::InvalidParameter => ErrorKind::InvalidInput,
                SslErrorCode::SocketIdentityUsed | SslErrorCode::PortBusy => ErrorKind::AddrInUse,
                SslErrorCode::MemoryNotEnough => ErrorKind::OutOfMemory,
                SslErrorCode::OperationNotSupported => ErrorKind::Unsupported,
                SslErrorCode::OperationNotAllowed => ErrorKind::PermissionDenied,
                _ => ErrorKind::Other,
            },
            Self::UnexpectedResponse | Self::Desynchronized => ErrorKind::InvalidData,
            Self::Overflow => ErrorKind::OutOfMemory,
            Self::Io(kind) => *kind,
            Self::SocketInUse => ErrorKind::AddrInUse,
            Self::NotConnected | Self::StaleHandle => ErrorKind::NotConnected,
            Self::TransparentMode | Self::Busy => ErrorKind::Other,
            Self::Closed | Self::ModuleReset => ErrorKind::ConnectionReset,
            Self::PushOverflow(_) => ErrorKind::OutOfMemory,
            Self::Rejected | Self::Cme(_) | Self::Cms(_) => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_code_round_trips() {
        let mut known = 0;
        for code in core::iter::once(0).chain(550..=574) {
            let typed = SslErrorCode::from(code);
            assert!(!matches!(typed, SslErrorCode::Other(_)), "{code} unknown");
            assert_eq!(typed.code(), code);
            known += 1;
        }
        assert_eq!(known, 26);
        assert_eq!(
            SslErrorCode::from(566).description(),
            "socket connect failed"
        );
    }

    #[test]
    fn unknown_codes_are_kept() {
        assert_eq!(SslErrorCode::from(999), SslErrorCode::Other(999));
        assert_eq!(SslErrorCode::from(999).code(), 999);
        assert_eq!(SslErrorCode::from(549).code(), 549);
    }

    #[test]
    fn cme_codes_in_the_ssl_range_become_ssl_errors() {
        assert_eq!(
            Error::from_cme_code(552),
            Error::Ssl(SslErrorCode::InvalidParameter)
        );
        assert_eq!(Error::from_cme_code(421), Error::Cme(CmeError::Code(421)));
    }

    #[test]
    fn errors_map_to_io_kinds_and_display() {
        use embedded_io::{Error as _, ErrorKind};
        assert_eq!(Error::Timeout.kind(), ErrorKind::TimedOut);
        assert_eq!(
            Error::Ssl(SslErrorCode::SocketConnectFailed).kind(),
            ErrorKind::ConnectionRefused
        );
        assert_eq!(
            Error::param("clientID", ParamError::OutOfRange).kind(),
            ErrorKind::InvalidInput
        );
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            Error::Ssl(SslErrorCode::from(566)).to_string(),
            "module reported SSL error socket connect failed (566)"
        );
        assert_eq!(
            Error::param("sendlen", ParamError::OutOfRange).to_string(),
            "invalid parameter <sendlen>: out of range"
        );
    }
}
