//! The engine's inbox: host bytes (with their arrival time) and events from
//! the network workers, the handle and the DTR line.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::event::Event;

#[derive(Default)]
struct InboxState {
    events: VecDeque<Event>,
    input: VecDeque<(Instant, Vec<u8>)>,
    closed: bool,
}

/// What one wait returned.
pub(crate) struct Batch {
    pub events: Vec<Event>,
    pub input: Vec<(Instant, Vec<u8>)>,
    pub closed: bool,
}

/// A mutex-and-condvar mailbox the engine thread sleeps on.
#[derive(Default)]
pub(crate) struct Inbox {
    state: Mutex<InboxState>,
    cond: Condvar,
}

impl Inbox {
    /// Bytes from the host, arrived at `at`.
    pub fn push_input(&self, at: Instant, bytes: &[u8]) {
        if let Ok(mut s) = self.state.lock() {
            s.input.push_back((at, bytes.to_vec()));
        }
        self.cond.notify_all();
    }

    /// An event for the engine.
    pub fn push_event(&self, event: Event) {
        if let Ok(mut s) = self.state.lock() {
            s.events.push_back(event);
        }
        self.cond.notify_all();
    }

    /// Asks the engine to stop.
    pub fn close(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.closed = true;
        }
        self.cond.notify_all();
    }

    /// Waits until there is something to do or `deadline` passes; takes
    /// everything queued.
    pub fn wait(&self, deadline: Option<Instant>, block: bool) -> Batch {
        let Ok(mut s) = self.state.lock() else {
            return Batch {
                events: Vec::new(),
                input: Vec::new(),
                closed: true,
            };
        };
        while block && !s.closed && s.events.is_empty() && s.input.is_empty() {
            let now = Instant::now();
            s = match deadline {
                Some(d) if d <= now => break,
                Some(d) => match self.cond.wait_timeout(s, d - now) {
                    Ok((g, _)) => g,
                    Err(poisoned) => poisoned.into_inner().0,
                },
                None => match self.cond.wait(s) {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                },
            };
        }
        Batch {
            events: s.events.drain(..).collect(),
            input: s.input.drain(..).collect(),
            closed: s.closed,
        }
    }
}
