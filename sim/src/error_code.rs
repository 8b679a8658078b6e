//! The TCP/IP and SSL error codes (`AT+QIGETERROR`, `+QSSLOPEN: <id>,<err>`)
//! and the FILE (`+CME ERROR`) codes the simulator reports.

/// An error code of the module's TCP/IP stack, as `AT+QIGETERROR` and the
/// `+QSSLOPEN: <clientID>,<err>` URC report it (0 or 550–574).
///
/// The text is what `AT+QIGETERROR` prints after the comma: the reference
/// table's meaning in lower case, unquoted (`0` prints `operate successfully`
/// as real modules do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QiError {
    /// 0: operation successful.
    Success,
    /// 550: unknown error.
    Unknown,
    /// 551: operation blocked.
    Blocked,
    /// 552: invalid parameter.
    InvalidParameter,
    /// 553: memory not enough.
    MemoryNotEnough,
    /// 554: create socket failed.
    CreateSocketFailed,
    /// 555: operation not supported.
    NotSupported,
    /// 556: socket bind failed.
    BindFailed,
    /// 557: socket listen failed.
    ListenFailed,
    /// 558: socket write failed.
    WriteFailed,
    /// 559: socket read failed.
    ReadFailed,
    /// 560: socket accept failed.
    AcceptFailed,
    /// 561: open PDP context failed.
    OpenPdpFailed,
    /// 562: close PDP context failed.
    ClosePdpFailed,
    /// 563: socket identity has been used.
    SocketInUse,
    /// 564: DNS busy.
    DnsBusy,
    /// 565: DNS parse failed.
    DnsFailed,
    /// 566: socket connection failed (also every TLS failure).
    ConnectFailed,
    /// 567: socket has been closed.
    SocketClosed,
    /// 568: operation busy.
    Busy,
    /// 569: operation timeout.
    Timeout,
    /// 570: PDP context break down.
    PdpBrokenDown,
    /// 571: cancel send.
    SendCancelled,
    /// 572: operation not allowed.
    NotAllowed,
    /// 573: APN not configured.
    ApnNotConfigured,
    /// 574: port busy.
    PortBusy,
    /// Any other number (only reachable through fault injection).
    Other(u16),
}

impl QiError {
    /// Every named code, in numeric order (0, then 550..=574).
    pub const ALL: [QiError; 26] = [
        QiError::Success,
        QiError::Unknown,
        QiError::Blocked,
        QiError::InvalidParameter,
        QiError::MemoryNotEnough,
        QiError::CreateSocketFailed,
        QiError::NotSupported,
        QiError::BindFailed,
        QiError::ListenFailed,
        QiError::WriteFailed,
        QiError::ReadFailed,
        QiError::AcceptFailed,
        QiError::OpenPdpFailed,
        QiError::ClosePdpFailed,
        QiError::SocketInUse,
        QiError::DnsBusy,
        QiError::DnsFailed,
        QiError::ConnectFailed,
        QiError::SocketClosed,
        QiError::Busy,
        QiError::Timeout,
        QiError::PdpBrokenDown,
        QiError::SendCancelled,
        QiError::NotAllowed,
        QiError::ApnNotConfigured,
        QiError::PortBusy,
    ];

    /// The numeric code.
    pub fn code(self) -> u16 {
        match self {
            QiError::Success => 0,
            QiError::Other(n) => n,
            named => {
                let index = QiError::ALL
                    .iter()
                    .position(|e| *e == named)
                    .unwrap_or_default();
                549 + index as u16
            }
        }
    }

    /// The error for a numeric code (`Other` for numbers outside the table).
    pub fn from_code(code: u16) -> QiError {
        match code {
            0 => QiError::Success,
            550..=574 => QiError::ALL[usize::from(code - 549)],
            n => QiError::Other(n),
        }
    }

    /// The text `AT+QIGETERROR` prints for this code.
    pub fn description(self) -> &'static str {
        match self {
            QiError::Success => "operate successfully",
            QiError::Unknown => "unknown error",
            QiError::Blocked => "operation blocked",
            QiError::InvalidParameter => "invalid parameter",
            QiError::MemoryNotEnough => "memory not enough",
            QiError::CreateSocketFailed => "create socket failed",
            QiError::NotSupported => "operation not supported",
            QiError::BindFailed => "socket bind failed",
            QiError::ListenFailed => "socket listen failed",
            QiError::WriteFailed => "socket write failed",
            QiError::ReadFailed => "socket read failed",
            QiError::AcceptFailed => "socket accept failed",
            QiError::OpenPdpFailed => "open pdp context failed",
            QiError::ClosePdpFailed => "close pdp context failed",
            QiError::SocketInUse => "socket identity has been used",
            QiError::DnsBusy => "dns busy",
            QiError::DnsFailed => "dns parse failed",
            QiError::ConnectFailed => "socket connection failed",
            QiError::SocketClosed => "socket has been closed",
            QiError::Busy => "operation busy",
            QiError::Timeout => "operation timeout",
            QiError::PdpBrokenDown => "pdp context break down",
            QiError::SendCancelled => "cancel send",
            QiError::NotAllowed => "operation not allowed",
            QiError::ApnNotConfigured => "apn not configured",
            QiError::PortBusy => "port busy",
            QiError::Other(_) => "unknown error",
        }
    }
}

/// A `+CME ERROR` code used by the FILE commands (`AT+QFUPL`, `AT+QFDEL`,
/// `AT+QFLST`): the Quectel FILE numbers, plus the 3GPP TS 27.007 general
/// codes that `AT+CMEE=2` prints as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CmeError {
    /// 3: operation not allowed (3GPP; text under `AT+CMEE=2`).
    OperationNotAllowed,
    /// 4: operation not supported (3GPP; text under `AT+CMEE=2`); an unknown
    /// drive prefix.
    OperationNotSupported,
    /// 50: incorrect parameters (3GPP; text under `AT+CMEE=2`).
    IncorrectParameters,
    /// 400: invalid input value (a parameter out of range).
    InvalidInput,
    /// 403: drive full (more files than the drive holds).
    DriveFull,
    /// 405: file not found.
    NotFound,
    /// 406: invalid file name (empty, or longer than 80 bytes).
    InvalidName,
    /// 407: file already exists.
    AlreadyExists,
    /// 420: no space left on the drive.
    NoSpace,
    /// 421: time out (upload not finished in time).
    Timeout,
    /// 423: file too large (larger than the whole drive).
    TooLarge,
    /// Any other number (fault injection).
    Other(u16),
}

impl CmeError {
    /// The numeric code.
    pub fn code(self) -> u16 {
        match self {
            CmeError::OperationNotAllowed => 3,
            CmeError::OperationNotSupported => 4,
            CmeError::IncorrectParameters => 50,
            CmeError::InvalidInput => 400,
            CmeError::DriveFull => 403,
            CmeError::NotFound => 405,
            CmeError::InvalidName => 406,
            CmeError::AlreadyExists => 407,
            CmeError::NoSpace => 420,
            CmeError::Timeout => 421,
            CmeError::TooLarge => 423,
            CmeError::Other(n) => n,
        }
    }

    /// The text printed under `AT+CMEE=2`: `Some` for the 3GPP general
    /// codes, `None` for Quectel's FILE codes, which stay numeric (as real
    /// firmware does: text on some errors, numbers on others).
    pub fn verbose_text(self) -> Option<&'static str> {
        match self.code() {
            3 => Some("operation not allowed"),
            4 => Some("operation not supported"),
            50 => Some("incorrect parameters"),
            100 => Some("unknown"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for e in QiError::ALL {
            assert_eq!(QiError::from_code(e.code()), e);
        }
        assert_eq!(QiError::ConnectFailed.code(), 566);
        assert_eq!(QiError::PortBusy.code(), 574);
        assert_eq!(QiError::Unknown.code(), 550);
        assert_eq!(QiError::from_code(12), QiError::Other(12));
    }

    #[test]
    fn descriptions_are_lower_case() {
        for e in QiError::ALL {
            let text = e.description();
            assert_eq!(text, text.to_lowercase());
        }
        assert_eq!(QiError::NotAllowed.description(), "operation not allowed");
    }
}
