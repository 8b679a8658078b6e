//! The faults the soak injects, on a deterministic schedule.
//!
//! Two kinds. A *recoverable* fault (a `SEND FAIL` burst, URCs in the middle
//! of a response or in a burst) must cost nothing: no error, no byte lost,
//! duplicated or reordered. A *fatal* fault (peer close, PDP loss, reboot,
//! a stalled command, a corrupted command line, a length or result code
//! corrupted on the way to the host) ends the connections it hits, and each
//! of them must report a typed error; they are then closed and reopened.
//!
//! Line corruption is injected only where the driver can tell: a flipped bit
//! in a command's name (the module refuses the line), a dropped digit of a
//! `+QSSLRECV` or push length (the check after the payload fails), a
//! flipped bit in `SEND OK` (no result code ever ends the send). A third
//! kind *exposes* a connection: one byte dropped at a random place of a
//! read's answer or a push, as a UART overrun drops it. Some places matter
//! (the data, its length, its line end), some do not (a CR before an LF);
//! the connection must then either go on intact or report a typed error,
//! never deliver a wrong byte. A corrupted payload byte can't be detected on
//! a serial link without a checksum, and is not injected; nor is a drop in
//! transparent mode (no framing there to tell), or in a send's prompt (the
//! module would wait for payload the engine no longer sends: what a module
//! does then is not documented).

use quectel_sim::{Fault, Urc};

/// One entry of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    /// The next sends on `client` answer `SEND FAIL` `count` times.
    SendFailBurst { client: u8, count: u32 },
    /// A URC between the echo and the answer of the next command on `client`.
    UrcMidResponse { client: u8 },
    /// `+QSSLURC: "recv"` notices for `client`, back to back.
    RecvNoticeBurst { client: u8 },
    /// The peer of `client` closes (a socket in command mode).
    PeerClose { client: u8 },
    /// The peer of the transparent socket closes during its turn.
    PeerCloseTransparent,
    /// The network drops PDP context `ctx`.
    PdpLoss { ctx: u8 },
    /// The module reboots.
    Reboot,
    /// The next command line (a send on `client`) is swallowed.
    Stall { client: u8 },
    /// A bit of the next command line's name (a send on `client`) flips.
    CorruptCommand { client: u8 },
    /// A digit of the next `+QSSLRECV` length (a read on buffer-mode
    /// `client`) is dropped.
    CorruptLength { client: u8 },
    /// A bit of the next `SEND OK` (a send on `client`) flips.
    CorruptResult { client: u8 },
    /// A digit of the next push's length (an echo on direct-push `client`)
    /// is dropped.
    CorruptPushLength { client: u8 },
    /// One byte at a random place of the next `+QSSLRECV` answer (buffer
    /// mode) or of the next send's `SEND OK` and push (direct push) of
    /// `client` is dropped.
    LineDrop { client: u8 },
}

/// Kinds, for the table (in this order).
pub const KINDS: [&str; 13] = [
    "SEND FAIL burst",
    "URC mid-response",
    "recv notice burst",
    "peer close",
    "peer close (transparent)",
    "PDP loss",
    "module reboot",
    "stalled command",
    "corrupted command line",
    "corrupted length",
    "corrupted result code",
    "corrupted push length",
    "byte dropped (overrun)",
];

impl Planned {
    pub fn kind(self) -> usize {
        match self {
            Planned::SendFailBurst { .. } => 0,
            Planned::UrcMidResponse { .. } => 1,
            Planned::RecvNoticeBurst { .. } => 2,
            Planned::PeerClose { .. } => 3,
            Planned::PeerCloseTransparent => 4,
            Planned::PdpLoss { .. } => 5,
            Planned::Reboot => 6,
            Planned::Stall { .. } => 7,
            Planned::CorruptCommand { .. } => 8,
            Planned::CorruptLength { .. } => 9,
            Planned::CorruptResult { .. } => 10,
            Planned::CorruptPushLength { .. } => 11,
            Planned::LineDrop { .. } => 12,
        }
    }

    /// `true` if the sockets it hits must report a typed error.
    pub fn fatal(self) -> bool {
        !matches!(
            self,
            Planned::SendFailBurst { .. }
                | Planned::UrcMidResponse { .. }
                | Planned::RecvNoticeBurst { .. }
                | Planned::LineDrop { .. }
        )
    }

    /// The simulator's fault, for the kinds injected as one.
    pub fn fault(self) -> Option<Fault> {
        Some(match self {
            Planned::SendFailBurst { count, .. } => Fault::SendFail { count },
            Planned::UrcMidResponse { client } => Fault::UrcMidResponse {
                urc: Urc::Line(format!("+QIND: \"csq\",2{client},99")),
                after: 0,
            },
            Planned::RecvNoticeBurst { client } => Fault::UrcBurst {
                urc: Urc::Recv { client },
                count: 8,
            },
            Planned::PeerClose { client } => Fault::PeerClose { client },
            Planned::PdpLoss { ctx } => Fault::PdpDeactivate { ctx },
            Planned::Reboot => Fault::Reboot,
            Planned::Stall { .. } => Fault::Stall { count: 1 },
            // `AT+QSSLSEND=...`: byte 3 is the `Q` of the name.
            Planned::CorruptCommand { .. } => Fault::CorruptRx { skip: 3, count: 1 },
            // `\r\n+QSSLRECV: 1234\r\n`: byte 14 is the length's second digit.
            Planned::CorruptLength { .. } => Fault::DropTx { skip: 14, count: 1 },
            // `\r\n> ` then `\r\nSEND OK\r\n`: byte 6 is the `S`.
            Planned::CorruptResult { .. } => Fault::CorruptTx { skip: 6, count: 1 },
            // Placed by the schedule, which knows what the module sends next.
            Planned::PeerCloseTransparent
            | Planned::CorruptPushLength { .. }
            | Planned::LineDrop { .. } => return None,
        })
    }
}
