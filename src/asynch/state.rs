//! What the runner and every task share: the engine's core, who waits for
//! what, and the wakers that tell them.
//!
//! Everything lives in one [`State`] behind an `embassy-sync` blocking
//! mutex (`NoopRawMutex`: the runner and the tasks run on one executor).
//! A lock is held only while an operation is polled or the runner moves
//! bytes between its buffers and the core, never across an `.await`.
//!
//! Who waits is a *slot*: each socket has a read slot and a write slot,
//! [`Control`](super::Control) has one, and the runner one for the closes it
//! performs for dropped sockets. After every poll, [`Shared::settle`]
//! compares what each waiter cares about with what it was and wakes exactly
//! those whose answer may have changed: a socket's readers when its bytes
//! or state change, the next in line when the wire frees, the owner of the
//! command in flight when bytes arrive for it, the runner when there is
//! something to write, flush or read room for.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::blocking_mutex::Mutex;

pub(crate) use super::shared::Shared;
use crate::modem::{Clock, Config, Core, DEFAULT_LINE_LEN};
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

/// The shared state of one modem's async stack: place it in a `static`
/// (`StaticCell`) and hand it to [`new`](super::new). `'a` is how long the
/// receive buffers lent to its sockets live; `T` the timer (see
/// [`new`](super::new)).
pub struct State<'a, T> {
    clock: Mutex<NoopRawMutex, RefCell<Option<T>>>,
    shared: Mutex<NoopRawMutex, RefCell<Shared<'a>>>,
    /// One control operation at a time (they share one slot).
    control: embassy_sync::mutex::Mutex<NoopRawMutex, ()>,
    /// One open by host name at a time: the module looks one name up at
    /// a time (a second lookup meanwhile fails with `DnsBusy`).
    lookup: embassy_sync::mutex::Mutex<NoopRawMutex, ()>,
}

impl<'a, T> State<'a, T> {
    /// A state with no module attached yet.
    pub fn new() -> Self {
        Self {
            clock: Mutex::new(RefCell::new(None)),
            shared: Mutex::new(RefCell::new(Shared::new())),
            control: embassy_sync::mutex::Mutex::new(()),
            lookup: embassy_sync::mutex::Mutex::new(()),
        }
    }

    /// Attach the timer and the engine's knobs (by [`new`](super::new)).
    pub(crate) fn attach(&self, clock: T, config: Config) {
        self.clock.lock(|c| *c.borrow_mut() = Some(clock));
        self.shared.lock(|s| {
            let s = &mut *s.borrow_mut();
            s.config = config;
            s.core.guard_ms = config.guard_ms;
        });
    }
}

impl<T> Default for State<'_, T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The state as the handles see it: the time, and the shared part under
/// its lock. A trait object, so that `Control`, `Stack` and the sockets
/// carry no timer type.
pub(crate) trait Engine<'a> {
    /// Run `f` on the shared part with the current time.
    fn with(&self, f: &mut dyn FnMut(&mut Shared<'a>, u64));

    /// One control operation at a time.
    fn control_lock(&self) -> &embassy_sync::mutex::Mutex<NoopRawMutex, ()>;

    /// One host name lookup (an open by name, a resolve) at a time.
    fn lookup_lock(&self) -> &embassy_sync::mutex::Mutex<NoopRawMutex, ()>;
}

impl<'a, T: Clock> Engine<'a> for State<'a, T> {
    fn with(&self, f: &mut dyn FnMut(&mut Shared<'a>, u64)) {
        let now = self
            .clock
            .lock(|c| c.borrow_mut().as_mut().map_or(0, |t| t.now_ms()));
        self.shared.lock(|s| f(&mut s.borrow_mut(), now));
    }

    fn control_lock(&self) -> &embassy_sync::mutex::Mutex<NoopRawMutex, ()> {
        &self.control
    }

    fn lookup_lock(&self) -> &embassy_sync::mutex::Mutex<NoopRawMutex, ()> {
        &self.lookup
    }
}
