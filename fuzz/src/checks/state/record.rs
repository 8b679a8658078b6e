//! What the check itself remembers of a run, beside the state machine: the
//! handles issued (with whether their socket has been Initial since, or the
//! module rebooted) and which PDP contexts were reported active.

use quectel_ssl::SocketHandle;

/// Handles kept and checked after each step (the oldest are dropped).
const KEPT_HANDLES: usize = 64;

/// A handle issued during the run, with what the check knows of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Issued {
    pub(super) handle: SocketHandle,
    /// Its socket has been Initial since it was issued: it is stale forever.
    pub(super) stale: bool,
    /// The module rebooted since it was issued.
    pub(super) reset: bool,
}

/// What the check itself records while the events go by.
pub(super) struct Record {
    pub(super) issued: Vec<Issued>,
    /// Bit `i`: PDP context `i + 1` was reported active and not lost since.
    pub(super) pdp_active: u16,
}

impl Record {
    pub(super) fn issue(&mut self, handle: SocketHandle) {
        if self.issued.len() == KEPT_HANDLES {
            self.issued.remove(0);
        }
        self.issued.push(Issued {
            handle,
            stale: false,
            reset: false,
        });
    }
}
