//! The two operations every face has whatever the command: any typed
//! command with its typed answer ([`Command`]), and handling what the
//! module sends on its own ([`Idle`]).

use core::task::Poll;

use super::op::{Exchange, Op, Sealed};
use crate::command::AtCommand;
use crate::error::Error;
use crate::modem::core::Core;

/// Any typed command, answered by its typed response.
///
/// For commands that change what the engine tracks (opening, closing, PDP
/// activation, access modes) use the dedicated operations instead, so the
/// engine's state follows.
pub struct Command<C: AtCommand> {
    exchange: Exchange<C>,
}

impl<C: AtCommand> Command<C> {
    /// Send `cmd` and read its answer.
    pub fn new(cmd: C) -> Self {
        Self {
            exchange: Exchange::new(cmd),
        }
    }
}

impl<C: AtCommand> Sealed for Command<C> {}

impl<'r, C: AtCommand> Op<'r> for Command<C> {
    type Output = C::Response;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<C::Response, Error>> {
        self.exchange.poll(core, now)
    }
}

/// Handle what the module sent on its own (URCs, pushed data); done once a
/// round of I/O brings nothing more, and no `+++` is half written (a
/// resync's escape split across two calls a guard time apart would be no
/// escape).
#[derive(Debug, Default)]
pub struct Idle {
    seen: Option<u64>,
}

impl Sealed for Idle {}

impl<'r> Op<'r> for Idle {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        core.poll_idle(now);
        let total = core.rx_total();
        if self.seen.replace(total) == Some(total) && !core.escape_pending() {
            return Poll::Ready(Ok(()));
        }
        Poll::Pending
    }
}
