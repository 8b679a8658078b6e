//! The pieces the shared part is made of: the slots that wait for the
//! wire (one per socket half, the control handle's and the runner's), the
//! payload being written, and the sockets' bookkeeping.

use crate::modem::{Core, DEFAULT_LINE_LEN};
use crate::state::SocketHandle;
use crate::types::{ClientId, SendLength};

/// The core the async stack runs (the default line buffer).
pub(crate) type StackCore<'a> = Core<'a, DEFAULT_LINE_LEN>;

/// Slots: a socket's reader, its writer, the control handle, the runner.
pub(crate) const SLOTS: usize = 26;
/// The control handle's slot.
pub(crate) const CONTROL: Slot = Slot(24);
/// The runner's slot (closes of dropped sockets).
pub(crate) const RUNNER: Slot = Slot(25);

/// One waiter: a socket's reader or writer, the control handle, the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot(pub u8);

impl Slot {
    /// The reader of `client`.
    pub fn rx(client: ClientId) -> Self {
        Slot(client.get())
    }

    /// The writer of `client` (also its open and close).
    pub fn tx(client: ClientId) -> Self {
        Slot(12 + client.get())
    }

    /// The socket this slot belongs to, if any.
    pub fn client(self) -> Option<ClientId> {
        ClientId::new(self.0 % 12).ok().filter(|_| self.0 < 24)
    }

    pub fn bit(self) -> u32 {
        1 << self.0
    }
}

/// The payload of the send or upload block being written: copied here by
/// the task whose operation owns it, written by the runner.
pub(crate) struct Payload {
    pub token: Option<u32>,
    pub slot: Slot,
    pub len: usize,
    pub data: [u8; SendLength::MAX_BYTES],
}

impl Payload {
    /// The most bytes one payload holds: a send's 1,460 (uploads go in
    /// 1,024-byte blocks, transparent writes in pieces of this size).
    pub const MAX: usize = SendLength::MAX_BYTES;

    /// What `Core::tx_bytes` needs.
    pub fn get(&self) -> Option<(u32, &[u8])> {
        self.token.map(|t| (t, &self.data[..self.len]))
    }
}

/// A socket id taken by the stack, and how it is to be given back.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Sockets {
    /// Bit `i`: client `i` belongs to a socket object (or is closing).
    pub taken: u16,
    /// Bit `i`: its object was dropped: the runner closes it.
    pub close_queued: u16,
    /// Bit `i`: the runner is closing it.
    pub closing: u16,
    /// Objects (a socket, or its two halves) alive per client.
    pub parts: [u8; 12],
    /// The handle of each taken client.
    pub handles: [Option<SocketHandle>; 12],
}
