//! PDP context activation and deactivation, kept in the engine's state.

use core::task::Poll;

use super::{settle, Exchange, Op};
use crate::command::pdp::{ActivatePdpContext, DeactivatePdpContext};
use crate::error::Error;
use crate::modem::core::Core;
use crate::types::PdpContextId;

/// `AT+QIACT=<ctx>` (up to 150 s); the engine records the context active.
pub struct ActivatePdp(Exchange<ActivatePdpContext>);

impl ActivatePdp {
    /// Activate `context`.
    pub fn new(context: PdpContextId) -> Self {
        Self(Exchange::new(ActivatePdpContext { context }))
    }
}

impl<'r> Op<'r> for ActivatePdp {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        settle!(self.0.poll(core, now))?;
        core.state.pdp_activated(self.0.cmd.context);
        Poll::Ready(Ok(()))
    }
}

/// `AT+QIDEACT=<ctx>` (up to 40 s); the sockets on it are Closing after.
pub struct DeactivatePdp(Exchange<DeactivatePdpContext>);

impl DeactivatePdp {
    /// Deactivate `context`.
    pub fn new(context: PdpContextId) -> Self {
        Self(Exchange::new(DeactivatePdpContext { context }))
    }
}

impl<'r> Op<'r> for DeactivatePdp {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        settle!(self.0.poll(core, now))?;
        core.state.pdp_deactivated(self.0.cmd.context);
        Poll::Ready(Ok(()))
    }
}
