//! Running one operation for one task: poll it against the shared core
//! under the lock, wait for the wake-up that can change its answer, and
//! give up its place if the task drops it.
//!
//! The operation runs in the caller's task, not in the runner: the runner
//! only moves bytes. So an operation can borrow the caller's data (a
//! buffer to read into, a host name) with no copy, except a payload being
//! written, which the runner needs: it is copied into the state (1,460
//! bytes at most) when the module's prompt asks for it.

use core::future::poll_fn;
use core::task::Poll;

use super::state::{Engine, Shared, Slot, RUNNER};
use crate::error::Error;
use crate::modem::ops::Op;

/// Poll `op` once for `slot` (the lock is held by the caller).
pub(crate) fn poll_once<'a, O: Op<'a>>(
    s: &mut Shared<'a>,
    slot: Slot,
    op: &mut O,
    now: u64,
) -> Poll<Result<O::Output, Error>> {
    if let Some(client) = s.core.transparent() {
        if slot != RUNNER && slot.client() != Some(client) {
            // The port carries another connection's bytes: wait until it
            // leaves transparent mode.
            s.wait_transparent(slot);
            return Poll::Pending;
        }
    }
    let may_start = s.may_start(slot);
    s.core.hold_starts(!may_start);
    let before = s.core.in_flight_token();
    let result = op.poll(&mut s.core, now);
    s.core.hold_starts(false);
    s.polled(slot, before, result.is_pending(), op.payload());
    s.settle(slot == RUNNER, now);
    result
}

/// Gives `slot` up when the operation ends or its future is dropped.
struct Release<'e, 'a> {
    engine: &'e dyn Engine<'a>,
    slot: Slot,
}

impl Drop for Release<'_, '_> {
    fn drop(&mut self) {
        let slot = self.slot;
        self.engine.with(&mut |s, now| {
            s.released(slot, now);
            s.settle(false, now);
        });
    }
}

/// Run `op` to completion for `slot`, in the calling task.
pub(crate) async fn run<'a, O: Op<'a>>(
    engine: &dyn Engine<'a>,
    slot: Slot,
    op: &mut O,
) -> Result<O::Output, Error> {
    let _release = Release { engine, slot };
    poll_fn(|cx| {
        let mut out = Poll::Pending;
        engine.with(&mut |s, now| {
            s.register(slot, cx.waker());
            out = poll_once(s, slot, op, now);
        });
        out
    })
    .await
}
