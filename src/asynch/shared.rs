//! Everything behind the stack's lock, and who it wakes: after every
//! poll, [`Shared::settle`] compares what each waiter cares about with what
//! it was and wakes exactly those whose answer may have changed: a
//! socket's readers when its bytes or state change, the next in line when
//! the wire frees, the owner of the command in flight when bytes arrive
//! for it, the runner when there is something to write, flush or read
//! room for.

use embassy_sync::waitqueue::{MultiWakerRegistration, WakerRegistration};

use super::parts::{Payload, Slot, Sockets, StackCore, RUNNER, SLOTS};
use crate::modem::{Config, Core, DEFAULT_LINE_LEN};
use crate::state::Socket;
use crate::types::ClientId;

/// What one waiter registered.
#[derive(Default)]
struct Waiter {
    waker: WakerRegistration,
    /// Poll again at this time, whatever happens.
    wake_at: Option<u64>,
    /// The command its operation started, while in flight.
    token: Option<u32>,
}

/// What a socket's waiters care about: a change wakes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct SocketView {
    stored: usize,
    unverified: usize,
    dropped: u32,
    socket: Option<Socket>,
}

impl SocketView {
    fn of(core: &StackCore<'_>, client: ClientId) -> Self {
        let data = &core.socks[client.index()];
        Self {
            stored: data.stored(),
            unverified: data.unverified(),
            dropped: data.dropped(),
            socket: Some(*core.state.socket(client)),
        }
    }

    /// The writer cares only about the connection's state.
    fn writer_part(&self) -> Option<Socket> {
        self.socket.map(|s| s.for_writer())
    }
}

/// Everything behind the lock.
pub(crate) struct Shared<'a> {
    pub core: StackCore<'a>,
    pub config: Config,
    pub payload: Payload,
    pub sockets: Sockets,
    /// The `embedded-nal-async` side: buffer pool, remembered names.
    #[cfg(feature = "nal")]
    pub nal: super::nal_pool::NalState<'a>,
    waiters: [Waiter; SLOTS],
    /// Slots waiting for the wire, in the order they asked.
    queue: heapless::Deque<u8, SLOTS>,
    views: [SocketView; 12],
    /// The wire was free at the last settle, with this head.
    last_free: bool,
    last_head: Option<u8>,
    /// The slot whose operation owns the command in flight.
    owner: Option<(u32, Slot)>,
    /// Slots waiting for a flush of the port.
    flush_waiters: u32,
    /// Slots waiting for the port to leave transparent mode.
    transparent_waiters: u32,
    transparent: Option<ClientId>,
    events: WakerRegistration,
    /// Tasks waiting for a socket id (or a pooled buffer) to be freed.
    freed: MultiWakerRegistration<4>,
    runner: WakerRegistration,
    /// Something for the runner to do: its wait ends.
    work: bool,
    /// The runner sleeps until this time (`None`: until woken).
    pub runner_until: Option<u64>,
    /// The core deadline that passed and whose waiters were woken.
    deadline_woken: Option<u64>,
    /// A time the runner's own operations (the resync, a close) wait for.
    pub runner_wake: Option<u64>,
    /// The runner has bytes, or could read, but the core has no room.
    pub runner_starved: bool,
}

impl<'a> Shared<'a> {
    pub(super) fn new() -> Self {
        let mut core = Core::new();
        core.set_owner_polls(true);
        Self {
            core,
            config: Config::default(),
            payload: Payload {
                token: None,
                slot: RUNNER,
                len: 0,
                data: [0; Payload::MAX],
            },
            sockets: Sockets::default(),
            #[cfg(feature = "nal")]
            nal: Default::default(),
            waiters: Default::default(),
            queue: heapless::Deque::new(),
            views: [SocketView::default(); 12],
            last_free: true,
            last_head: None,
            owner: None,
            flush_waiters: 0,
            transparent_waiters: 0,
            transparent: None,
            events: WakerRegistration::new(),
            freed: MultiWakerRegistration::new(),
            runner: WakerRegistration::new(),
            work: false,
            runner_until: None,
            deadline_woken: None,
            runner_wake: None,
            runner_starved: false,
        }
    }

    /// `client` is closed and free again: its receive buffer back, unless
    /// it goes back to the stack's pool.
    pub fn free_client(&mut self, client: ClientId) -> Option<&'a mut [u8]> {
        let i = client.index();
        self.sockets.taken &= !(1 << i);
        self.sockets.closing &= !(1 << i);
        self.freed.wake();
        self.sockets.handles[i] = None;
        self.sockets.parts[i] = 0;
        let buffer = self.core.take_released(client);
        #[cfg(feature = "nal")]
        if self.nal.pooled & (1 << i) != 0 {
            self.nal.returned(client, buffer);
            return None;
        }
        buffer
    }

    /// Register `waker` as `slot`'s.
    pub fn register(&mut self, slot: Slot, waker: &core::task::Waker) {
        if slot == RUNNER {
            self.runner.register(waker);
        } else {
            self.waiters[usize::from(slot.0)].waker.register(waker);
        }
    }

    /// A socket is being closed: its id (and buffer) will be free soon.
    pub fn closes_pending(&self) -> bool {
        self.sockets.close_queued | self.sockets.closing != 0
    }

    /// Register a task that waits for a socket to be freed.
    pub fn register_freed(&mut self, waker: &core::task::Waker) {
        self.freed.register(waker);
    }

    /// Register the task waiting for a module event.
    pub fn register_event(&mut self, waker: &core::task::Waker) {
        self.events.register(waker);
    }

    /// Wake `slot`.
    pub fn wake(&mut self, slot: Slot) {
        if slot == RUNNER {
            self.wake_runner();
        } else if let Some(w) = self.waiters.get_mut(usize::from(slot.0)) {
            w.waker.wake();
        }
    }

    /// Give the runner something to do.
    pub fn wake_runner(&mut self) {
        self.work = true;
        self.runner.wake();
    }

    /// The runner's wait: `true` (and cleared) if it was woken for work.
    pub fn take_work(&mut self) -> bool {
        core::mem::take(&mut self.work)
    }

    /// Before `slot`'s operation is polled: may it start a command?
    /// (It is first in line, or nobody is in line.)
    pub fn may_start(&self, slot: Slot) -> bool {
        self.queue.front().is_none_or(|&h| h == slot.0)
    }

    /// `slot` waits for the port to leave transparent mode.
    pub fn wait_transparent(&mut self, slot: Slot) {
        self.transparent_waiters |= slot.bit();
    }

    /// After `slot`'s operation was polled: what it started, waits for,
    /// and the payload it writes.
    pub fn polled(
        &mut self,
        slot: Slot,
        token_before: Option<u32>,
        pending: bool,
        payload: Option<(u32, &[u8])>,
    ) {
        let wanted = self.core.take_wanted();
        let token = self.core.in_flight_token();
        if token != token_before && token.is_some() {
            self.set_owner(slot, token);
        }
        let wake_at = self.core.take_wake_at();
        if slot != RUNNER {
            self.waiters[usize::from(slot.0)].wake_at = wake_at.filter(|_| pending);
        } else if let Some(at) = wake_at.filter(|_| pending) {
            self.runner_wake = Some(self.runner_wake.map_or(at, |t| t.min(at)));
        }
        if pending && self.core.flush_requested() {
            self.flush_waiters |= slot.bit();
        }
        let queued = self.queue.iter().position(|&s| s == slot.0);
        match (pending && wanted, queued) {
            (true, None) => {
                // Room for every slot: never full.
                let _ = self.queue.push_back(slot.0);
            }
            (false, Some(i)) => self.dequeue(i),
            _ => {}
        }
        match payload {
            // Every payload fits: sends and upload blocks are shorter,
            // transparent writes are cut to this size.
            Some((token, data))
                if pending && self.payload.token != Some(token) && data.len() <= Payload::MAX =>
            {
                self.payload.data[..data.len()].copy_from_slice(data);
                self.payload.len = data.len();
                self.payload.token = Some(token);
                self.payload.slot = slot;
            }
            _ if !pending && self.payload.slot == slot => self.payload.token = None,
            _ => {}
        }
    }

    /// `slot`'s operation started the command holding `token`.
    pub fn set_owner(&mut self, slot: Slot, token: Option<u32>) {
        self.owner = token.map(|t| (t, slot));
        if slot != RUNNER {
            self.waiters[usize::from(slot.0)].token = token;
        }
    }

    fn dequeue(&mut self, i: usize) {
        // Rotate out the entry at `i`, keeping the order of the rest.
        for _ in 0..i {
            if let Some(s) = self.queue.pop_front() {
                let _ = self.queue.push_back(s);
            }
        }
        self.queue.pop_front();
        for _ in i..self.queue.len() {
            if let Some(s) = self.queue.pop_front() {
                let _ = self.queue.push_back(s);
            }
        }
    }

    /// `slot`'s operation is gone (done or dropped): it waits for nothing,
    /// and a command it left in flight is drained as an orphan's.
    pub fn released(&mut self, slot: Slot, now: u64) {
        if let Some(i) = self.queue.iter().position(|&s| s == slot.0) {
            self.dequeue(i);
        }
        if let Some((token, owner)) = self.owner {
            if owner == slot {
                self.core.abandon(token, now);
                self.owner = None;
            }
        }
        if slot != RUNNER {
            let w = &mut self.waiters[usize::from(slot.0)];
            w.wake_at = None;
            w.token = None;
        }
        if self.payload.slot == slot {
            self.payload.token = None;
        }
        self.flush_waiters &= !slot.bit();
        self.transparent_waiters &= !slot.bit();
    }

    /// The port was flushed: wake who waited for it.
    pub fn flushed(&mut self) {
        let waiters = core::mem::take(&mut self.flush_waiters);
        self.wake_mask(waiters);
    }

    fn wake_mask(&mut self, mask: u32) {
        for i in 0..SLOTS as u8 {
            if mask & (1 << i) != 0 {
                self.wake(Slot(i));
            }
        }
    }

    /// Bytes were written: once the payload is out, its owner goes on (a
    /// transparent write has no answer to wait for).
    pub fn written(&mut self) {
        if !self.core.tx_pending() && self.payload.token.is_some() {
            self.wake(self.payload.slot);
        }
        self.wake_owner();
    }

    /// Bytes came for the command in flight: its owner frames them.
    pub fn wake_owner(&mut self) {
        if let Some((token, slot)) = self.owner {
            if self.core.in_flight_token() == Some(token) {
                self.wake(slot);
            }
        }
    }

    /// The earliest time some waiter (or the core) must be looked at again.
    /// Only times after `now` count: one that has passed was acted on
    /// (see [`wake_due`](Self::wake_due)); sleeping until it would not
    /// sleep at all.
    pub fn next_time(&self, now: u64) -> Option<u64> {
        self.waiters
            .iter()
            .filter_map(|w| w.wake_at)
            .chain(self.core.next_deadline())
            .filter(|&t| t > now)
            .min()
    }

    /// Wake every waiter whose time has come; the owner of the command in
    /// flight and the next in line too, once a core deadline passed.
    pub fn wake_due(&mut self, now: u64) {
        for i in 0..SLOTS - 1 {
            if self.waiters[i].wake_at.is_some_and(|t| t <= now) {
                self.waiters[i].wake_at = None;
                self.waiters[i].waker.wake();
            }
        }
        // Once per deadline: whoever can act on it is woken, the runner
        // does not wake them again while they have not.
        let passed = self.core.next_deadline().filter(|&t| t <= now);
        if passed.is_some() && passed != self.deadline_woken {
            self.wake_owner();
            if let Some(&head) = self.queue.front() {
                self.wake(Slot(head));
            }
        }
        self.deadline_woken = passed;
    }

    /// After anything polled the core: wake whoever may see a change.
    /// `runner`: the runner itself polled (it needs no wake-up for what it
    /// is about to look at).
    pub fn settle(&mut self, runner: bool, now: u64) {
        for client in ClientId::all() {
            let view = SocketView::of(&self.core, client);
            let old = self.views[client.index()];
            if view != old {
                self.views[client.index()] = view;
                self.waiters[usize::from(Slot::rx(client).0)].waker.wake();
                if view.writer_part() != old.writer_part() {
                    self.waiters[usize::from(Slot::tx(client).0)].waker.wake();
                }
            }
        }
        let transparent = self.core.transparent();
        if transparent != self.transparent {
            self.transparent = transparent;
            let waiters = core::mem::take(&mut self.transparent_waiters);
            self.wake_mask(waiters);
        }
        if self.core.has_events() {
            self.events.wake();
        }
        if let Some((token, _)) = self.owner {
            if self.core.in_flight_token() != Some(token) {
                self.owner = None;
            }
        }
        let free = self.core.idle() && !self.core.resync_needed() && transparent.is_none();
        let head = self.queue.front().copied();
        if free && (!self.last_free || head != self.last_head) {
            if let Some(head) = head {
                self.wake(Slot(head));
            }
        }
        self.last_free = free;
        self.last_head = head;
        if !runner {
            let room = self.core.line_len() < DEFAULT_LINE_LEN;
            let due_sooner = match (self.next_time(now), self.runner_until) {
                (Some(t), Some(until)) => t < until,
                (Some(_), None) => true,
                _ => false,
            };
            if self.core.tx_pending()
                || self.core.flush_requested()
                || self.core.resync_needed()
                || self.sockets.close_queued != 0
                || (self.runner_starved && room)
                || due_sooner
            {
                self.wake_runner();
            }
        }
    }
}
