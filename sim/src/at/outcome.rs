//! What the parser says besides a command: the family a command belongs
//! to (it decides how the module reports its errors) and why a line did
//! not parse.

/// The family a command belongs to; it decides how its errors are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandGroup {
    /// V.25ter and 3GPP basics (`ATE`, `AT+CMEE`, `AT+CCLK`, ...): plain `ERROR`.
    Basic,
    /// TCP/IP context commands (`AT+QICSGP`, `AT+QIACT`, ...): `ERROR`, code
    /// via `AT+QIGETERROR`.
    TcpIp,
    /// SSL commands (`AT+QSSL...`): `ERROR`, code via `AT+QIGETERROR`.
    Ssl,
    /// FILE commands (`AT+QFUPL`, `AT+QFDEL`, `AT+QFLST`): `+CME ERROR`.
    File,
}

/// Why a command line did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// The line does not start with `AT`.
    NotAt,
    /// Not a command the simulator knows.
    Unknown,
    /// A known command with malformed parameters.
    Syntax(CommandGroup),
    /// A known command with a value out of range.
    OutOfRange(CommandGroup),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::NotAt => f.write_str("line does not start with AT"),
            ParseError::Unknown => f.write_str("unknown command"),
            ParseError::Syntax(g) => write!(f, "malformed parameters ({g:?} command)"),
            ParseError::OutOfRange(g) => write!(f, "value out of range ({g:?} command)"),
        }
    }
}

impl std::error::Error for ParseError {}
