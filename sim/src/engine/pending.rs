//! A URC held until the port may carry it.

/// A URC waiting for its moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// A whole line, written `\r\n<text>\r\n`.
    Line(String),
    /// Direct-push data of a socket: `+QSSLURC: "recv",<id>,<len>` + data,
    /// taken from its receive buffer when written.
    Push(u8),
}
