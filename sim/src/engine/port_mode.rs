//! What the serial port is doing ([`PortMode`]), where it goes after a
//! response ([`Next`]), and the state of the modes where host bytes are
//! data: the `> ` payload, a file upload, transparent mode's `+++` watch.

use std::time::{Duration, Instant};

use super::reply::Reply;
use crate::filesystem::FilePath;

/// What the serial port is doing.
pub(crate) enum PortMode {
    /// Powering up: bytes from the host are dropped until `RDY`.
    Booting { until: Instant },
    /// Reading command lines.
    Command,
    /// A command was executed; its response goes out at `until`.
    Busy {
        until: Instant,
        reply: Reply,
        then: Next,
    },
    /// After `> `: collecting send data.
    Prompt(Prompt),
    /// After `AT+QFUPL`'s `CONNECT`: collecting file data.
    Upload(Upload),
    /// `AT+QSSLOPEN` in transparent mode, waiting for the handshake.
    WaitConnect { client: u8 },
    /// `AT+QSSLCLOSE` lingering: the socket's data and close_notify are on
    /// their way; `OK` when the peer has closed too, or at `until`.
    Lingering { client: u8, until: Instant },
    /// Transparent mode: bytes go straight to and from the peer.
    Transparent(Transparent),
}

/// Where the port goes once a response is written.
pub(crate) enum Next {
    Command,
    Prompt(Prompt),
    Upload(Upload),
    WaitConnect { client: u8 },
    Transparent { client: u8 },
    Lingering { client: u8, until: Instant },
    Reboot,
}

/// A send waiting for its data after `> `.
pub(crate) struct Prompt {
    pub client: u8,
    pub fixed: Option<usize>,
    pub data: Vec<u8>,
    pub overflow: bool,
}

impl Prompt {
    pub fn new(client: u8, fixed: Option<usize>) -> Prompt {
        Prompt {
            client,
            fixed,
            data: Vec::new(),
            overflow: false,
        }
    }
}

/// A file upload after `CONNECT`.
pub(crate) struct Upload {
    pub path: FilePath,
    pub size: usize,
    pub data: Vec<u8>,
    pub ack: bool,
    pub timeout: Duration,
    pub deadline: Instant,
}

/// Transparent mode on one socket, with the `+++` escape detector.
pub(crate) struct Transparent {
    pub client: u8,
    last_rx: Instant,
    pub plus: usize,
    first_plus: Instant,
    pub tx: Vec<u8>,
}

impl Transparent {
    pub fn new(client: u8, now: Instant) -> Transparent {
        Transparent {
            client,
            last_rx: now,
            plus: 0,
            first_plus: now,
            tx: Vec::new(),
        }
    }

    /// One byte from the host. A `+` after at least a guard time of silence
    /// starts an escape candidate; up to three `+` within the guard time are
    /// held back; anything else makes them data.
    pub fn byte(&mut self, b: u8, at: Instant, guard: Duration) {
        if self.plus > 0 {
            if b == b'+' && self.plus < 3 && at.duration_since(self.first_plus) <= guard {
                self.plus += 1;
                self.last_rx = at;
                return;
            }
            self.release_plus();
        } else if b == b'+' && at.duration_since(self.last_rx) >= guard {
            self.plus = 1;
            self.first_plus = at;
            self.last_rx = at;
            return;
        }
        self.tx.push(b);
        self.last_rx = at;
    }

    /// The held `+` turn out to be data.
    pub fn release_plus(&mut self) {
        self.tx.extend(std::iter::repeat_n(b'+', self.plus));
        self.plus = 0;
    }

    /// When the escape detector needs to look again.
    pub fn deadline(&self, guard: Duration) -> Option<Instant> {
        match self.plus {
            0 => None,
            3 => Some(self.last_rx + guard),
            _ => Some(self.first_plus + guard),
        }
    }
}
