//! What a command in flight is to the core, and what the core reports on
//! its own: the events kept for the application, the kinds of command whose
//! frames it routes, the deadline of an answer, where the next bytes
//! written come from.

use crate::error::SslErrorCode;
use crate::types::{ClientId, PdpContextId};

/// Something the module reported on its own, kept for the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// `+QSSLOPEN`: an open finished.
    Opened {
        /// The socket.
        client: ClientId,
        /// The result (`Success` or an error code).
        result: SslErrorCode,
    },
    /// Buffer mode: data is waiting in the module.
    DataReady {
        /// The socket.
        client: ClientId,
    },
    /// The peer or the network closed a connection.
    Closed {
        /// The socket.
        client: ClientId,
    },
    /// A PDP context was lost.
    PdpDeactivated {
        /// The context.
        context: PdpContextId,
    },
    /// `+QIOPEN`: a plain TCP probe connected (`Success`) or failed.
    TcpOpened {
        /// The probe's `<connectID>`.
        id: ClientId,
        /// The result.
        result: SslErrorCode,
    },
    /// The module rebooted.
    Rebooted,
    /// Pushed data was dropped: the socket's receive buffer was full.
    PushOverflow {
        /// The socket.
        client: ClientId,
    },
}

/// What the command in flight made of a frame handed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fed {
    /// Part of its answer; more to come.
    Taken,
    /// The last frame of its answer.
    Done,
    /// Not its own: a URC (or a stray line read as one).
    NotMine,
}

/// What a command in flight is, for what the core does with its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any command: its frames go to its reader.
    Plain,
    /// `AT+QSSLRECV` for this socket: its payload goes to the socket's ring.
    Read(ClientId),
    /// `AT+QSSLSEND=<id>,<len>`: after the prompt, `len` bytes are owed.
    Send(ClientId, u16),
    /// `AT+QSSLOPEN` in transparent mode, `AT+QISWTMD=<id>,2` or `ATO`:
    /// `CONNECT` puts the port in transparent mode for this socket.
    Transparent(ClientId),
    /// A command of the resync (`ops::Resync`): the only kind that may be
    /// written while a resync is due.
    Resync,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct InFlight {
    pub token: u32,
    pub kind: Kind,
    /// How long the module may take to answer once it has every byte.
    pub answer_ms: u32,
    /// When the answer is late: set when the last byte has been written.
    pub deadline: u64,
    /// Its operation gave up (timed out, or was dropped and expired): its
    /// frames are dropped until its result code, or until this time.
    pub orphan_until: Option<u64>,
    /// What must come before its success: a read's `+QSSLRECV:` line or
    /// payload, a send's prompt. A success without it answers something
    /// else (a stray result code).
    pub answered: bool,
}

#[cfg(test)]
impl InFlight {
    /// A plain command with 300 ms of answer time, for the unit tests.
    pub fn plain(token: u32, deadline: u64, orphan_until: Option<u64>) -> Self {
        Self {
            token,
            kind: Kind::Plain,
            answer_ms: 300,
            deadline,
            orphan_until,
            answered: false,
        }
    }
}

/// Whether an answer due by `deadline` is late at `now`.
///
/// The module has been silent for `quiet_ms` since the command's last byte
/// went out *and* since the last byte it sent (`last_rx_ms`): the answer is
/// late. Bytes still arriving (the answer itself on a slow line, or URCs
/// and pushes queued in front of it) hold the deadline off, so only the
/// module's latency is counted, never line time. Silence is what the faces
/// saw: the port found with nothing to read (`idle_ms`) at or after the
/// deadline, `quiet_ms` after the last byte.
///
/// A module that never stops talking cannot hold a command forever: it is
/// late once the faces have looked at the port [`MAX_EXTENSION_MS`] past
/// the deadline and found it empty (`idle_ms`), or found no room to read
/// what waits there (`blocked_ms`: a receive buffer its user does not
/// empty) with still no answer.
///
/// Time in which no face looked at the port (the caller busy elsewhere, an
/// operation not polled for a minute) counts for neither: the answer may be
/// waiting unread, and is read before the command is given up (a send's
/// late `> ` left unread takes the next command line as its payload, a
/// read's late data would be lost).
pub(super) fn late(now: u64, deadline: u64, quiet_ms: u64, seen: Seen) -> bool {
    let endless = seen.idle_ms.max(seen.blocked_ms) >= deadline.saturating_add(MAX_EXTENSION_MS);
    now >= deadline && (seen.quiet(deadline, quiet_ms) || endless)
}

/// What the faces saw of the receive line.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seen {
    /// The last byte received.
    pub last_rx_ms: u64,
    /// The last time the port was found with nothing to read.
    pub idle_ms: u64,
    /// The last time the engine had no room for what the port holds.
    pub blocked_ms: u64,
}

impl Seen {
    /// The port was found with nothing to read at or after `deadline`,
    /// `quiet_ms` after the last byte received: an answer due by then did
    /// not come (it is not waiting behind other bytes either).
    pub fn quiet(&self, deadline: u64, quiet_ms: u64) -> bool {
        self.idle_ms >= deadline && self.idle_ms.saturating_sub(self.last_rx_ms) >= quiet_ms
    }
}

/// Where the next bytes written come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tx {
    Idle,
    /// The command line in `tx[pos..len]`.
    Line {
        pos: usize,
        len: usize,
    },
    /// The payload of the operation holding `token`, `pos` of `len` written.
    Payload {
        token: u32,
        pos: usize,
        len: usize,
    },
}

/// What a log shows of a command line: the command and its first
/// parameter, up to the first comma (`AT+QICSGP=1`, `AT+QSSLCFG="psk"`,
/// `AT+QFDEL="RAM:ca.pem"`). Never what follows, where user names,
/// passwords, PSK identities and keys are.
pub(super) fn command_label(line: &[u8]) -> &str {
    let end = line
        .iter()
        .position(|&b| b == b',' || b == b'\r')
        .unwrap_or(line.len());
    core::str::from_utf8(&line[..end]).unwrap_or("?")
}

/// Grace given to a late answer after its command timed out.
pub(super) const ORPHAN_GRACE_MS: u64 = 500;

/// How far bytes that keep arriving can hold off a deadline (or an
/// orphan's grace): a minute of line time is 57 kB at 9,600 baud, more than
/// any module queues in front of an answer.
pub(super) const MAX_EXTENSION_MS: u64 = 60_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_label_never_shows_what_follows_the_first_parameter() {
        let apn = b"AT+QICSGP=1,1,\"apn\",\"user\",\"secret\",1\r";
        assert_eq!(command_label(apn), "AT+QICSGP=1");
        assert_eq!(command_label(b"ATE0\r"), "ATE0");
        assert_eq!(command_label(b"AT+QSSLSTATE"), "AT+QSSLSTATE");
        assert_eq!(command_label(b"AT+QFDEL=\"\xff\"\r"), "?");
    }
}
