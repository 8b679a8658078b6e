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

pub(crate) use super::parts::{Payload, Slot, CONTROL, RUNNER};
pub(crate) use super::shared::Shared;
use crate::modem::{Clock, Config};

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
