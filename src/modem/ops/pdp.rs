//! PDP context activation and deactivation, kept in the engine's state;
//! host name lookups.

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use crate::command::pdp::{ActivatePdpContext, DeactivatePdpContext, LookUpHost};
use crate::error::{Error, SslErrorCode};
use crate::modem::core::{Core, DnsAnswers};
use crate::types::{HostName, PdpContextId};

/// `AT+QIACT=<ctx>` (up to 150 s); the engine records the context active.
pub struct ActivatePdp(Exchange<ActivatePdpContext>);

impl ActivatePdp {
    /// Activate `context`.
    pub fn new(context: PdpContextId) -> Self {
        Self(Exchange::new(ActivatePdpContext { context }))
    }
}

impl Sealed for ActivatePdp {}

impl<'r> Op<'r> for ActivatePdp {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        ready!(self.0.poll(core, now))?;
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

impl Sealed for DeactivatePdp {}

impl<'r> Op<'r> for DeactivatePdp {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        ready!(self.0.poll(core, now))?;
        core.state.pdp_deactivated(self.0.cmd.context);
        Poll::Ready(Ok(()))
    }
}

/// How long the module may take to answer a lookup (the vendor's maximum).
const LOOKUP_MS: u64 = 60_000;

/// The addresses a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Resolved {
    /// The addresses, in the module's order (the first four).
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub addrs: heapless::Vec<core::net::IpAddr, 4>,
    /// How long they may be kept, in seconds.
    pub ttl_s: u32,
}

/// `AT+QIDNSGIP`, then its `+QIURC: "dnsgip"` URCs: the module looks a
/// host name up with the DNS servers of a PDP context. Done with the
/// addresses; a name that does not resolve is the module's code
/// ([`Error::Ssl`], 565 `DnsParseFailed` and friends); no answer within
/// 60 s is [`Error::Timeout`].
pub struct Resolve<'a> {
    exchange: Exchange<LookUpHost<'a>>,
    deadline: Option<u64>,
}

impl<'a> Resolve<'a> {
    /// Look `host` up over `context`.
    pub fn new(context: PdpContextId, host: HostName<'a>) -> Self {
        Self {
            exchange: Exchange::new(LookUpHost { context, host }),
            deadline: None,
        }
    }
}

impl Sealed for Resolve<'_> {}

impl<'r> Op<'r> for Resolve<'_> {
    type Output = Resolved;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Resolved, Error>> {
        let Some(deadline) = self.deadline else {
            if self.exchange.token().is_none() {
                // Only what answers this lookup counts.
                core.dns = DnsAnswers::default();
            }
            ready!(self.exchange.poll(core, now))?;
            self.deadline = Some(now.saturating_add(LOOKUP_MS));
            return self.poll(core, now);
        };
        core.poll_idle(now);
        let dns = &core.dns;
        match dns.result {
            Some((0, count, ttl)) if dns.addrs.len() + usize::from(dns.extra) >= count.into() => {
                let addrs = dns
                    .addrs
                    .iter()
                    .filter_map(|text| crate::command::pdp::parse_address(text))
                    .collect();
                Poll::Ready(Ok(Resolved { addrs, ttl_s: ttl }))
            }
            Some((error, ..)) if error != 0 => {
                Poll::Ready(Err(Error::Ssl(SslErrorCode::from(error))))
            }
            _ if now >= deadline => Poll::Ready(Err(Error::Timeout)),
            _ => {
                core.wake_at(deadline);
                Poll::Pending
            }
        }
    }
}
