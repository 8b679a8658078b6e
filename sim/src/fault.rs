//! Faults a test (or the CLI) can inject into a running simulator.

/// An unsolicited result code to emit as a fault (only its text goes on the
/// line: the simulator's state does not change).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Urc {
    /// `+QSSLURC: "recv",<client>` (a spurious data notice).
    Recv {
        /// `<clientID>`.
        client: u8,
    },
    /// `+QSSLURC: "closed",<client>`.
    Closed {
        /// `<clientID>`.
        client: u8,
    },
    /// `+QIURC: "pdpdeact",<ctx>`.
    PdpDeact {
        /// `<contextID>`.
        ctx: u8,
    },
    /// Any line, written as `\r\n<text>\r\n`.
    Line(String),
}

impl Urc {
    /// The URC's text (without the framing CRLFs).
    pub fn text(&self) -> String {
        match self {
            Urc::Recv { client } => format!("+QSSLURC: \"recv\",{client}"),
            Urc::Closed { client } => format!("+QSSLURC: \"closed\",{client}"),
            Urc::PdpDeact { ctx } => format!("+QIURC: \"pdpdeact\",{ctx}"),
            Urc::Line(text) => text.clone(),
        }
    }
}

/// A fault to inject with [`crate::SimHandle::inject`]. Each variant says
/// what appears on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The peer of socket `client` closes the connection: buffered data stays
    /// readable, then `+QSSLURC: "closed",<client>` (or `NO CARRIER` in
    /// transparent mode); the socket is Closing.
    PeerClose {
        /// `<clientID>` 0..=11.
        client: u8,
    },
    /// The network deactivates PDP context `ctx`: `+QIURC: "pdpdeact",<ctx>`,
    /// then `+QSSLURC: "closed",<id>` for each of its sockets.
    PdpDeactivate {
        /// `<contextID>` 1..=16.
        ctx: u8,
    },
    /// The module reboots: optional `+QIURC: "pdpdeact"` lines, then after the
    /// boot delay `RDY` and the boot URCs; every context, socket, setting and
    /// RAM file is gone, echo is on again.
    Reboot,
    /// The next `count` commands (other than `AT+QIGETERROR`) are not
    /// executed and answer `ERROR` (`+CME ERROR: <code>` for FILE commands);
    /// `AT+QIGETERROR` then reports `code`.
    ErrorNext {
        /// How many commands.
        count: u32,
        /// The error code.
        code: u16,
    },
    /// The next `count` command lines are echoed but neither executed nor
    /// answered.
    Stall {
        /// How many command lines.
        count: u32,
    },
    /// The next `count` sends take their data and answer `SEND FAIL`.
    SendFail {
        /// How many sends.
        count: u32,
    },
    /// `count` copies of `urc`, back to back, at the next point where a URC
    /// may be written.
    UrcBurst {
        /// The URC.
        urc: Urc,
        /// How many copies.
        count: u32,
    },
    /// `urc` is written inside the next command's response, after `after`
    /// of its lines (0: between the echo and the response). A response with
    /// fewer lines gets it just before its final result.
    UrcMidResponse {
        /// The URC.
        urc: Urc,
        /// Lines of the response before it.
        after: u32,
    },
    /// Bytes from the host: skip `skip` bytes, then flip the lowest bit of
    /// the next `count` bytes.
    CorruptRx {
        /// Bytes let through first.
        skip: u32,
        /// Bytes corrupted.
        count: u32,
    },
    /// Bytes to the host: skip `skip` bytes, then flip the lowest bit of the
    /// next `count` bytes.
    CorruptTx {
        /// Bytes let through first.
        skip: u32,
        /// Bytes corrupted.
        count: u32,
    },
    /// Bytes from the host: skip `skip` bytes, then drop the next `count`.
    DropRx {
        /// Bytes let through first.
        skip: u32,
        /// Bytes dropped.
        count: u32,
    },
    /// Bytes to the host: skip `skip` bytes, then drop the next `count`.
    DropTx {
        /// Bytes let through first.
        skip: u32,
        /// Bytes dropped.
        count: u32,
    },
    /// The "wedged stack": while true every `AT+QSSLOPEN` answers `OK` then
    /// `+QSSLOPEN: <id>,552` (`ERROR` in transparent mode). A reboot clears it.
    Wedged(bool),
}
