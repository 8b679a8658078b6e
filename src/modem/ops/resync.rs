//! The resync: finding footing again after a framing doubt, at a point no
//! remote peer can fake (see the core's `resync` module for why).
//!
//! 1. If a send may be waiting at its prompt, ESC cancels it. If the
//!    module may have entered transparent mode (a `CONNECT` dropped in the
//!    quarantine), `+++` with its guard times leaves it: the lines below
//!    would otherwise reach the peer.
//! 2. `ATE1`, after a CR that ends whatever line the module was left with;
//!    its answer is not trusted (the quarantine drops it): the probe goes
//!    once a line that looks like a result code has come, or after a
//!    while.
//! 3. [`SyncProbe`]: `AT+QFLST` of a file named by a fresh nonce. The core
//!    drops every frame until the module echoes exactly that line; then its
//!    answer is read as usual. No echo in time: back to 2, a few times.
//! 4. `ATE0`, then `AT+QSSLSTATE` and `AT+QIACT?`: what the quarantine
//!    dropped (a peer close, a lost context, a reboot) is learnt from the
//!    module and the engine's state made to match.
//!
//! The faces run it before any other command once the core asks for it
//! (`Core::resync_needed`); it is not something a user starts.

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use super::session::{active_contexts, open_sockets, ActiveContexts, OpenSocket, OpenSockets};
use crate::command::device::SetEcho;
use crate::command::file::SyncProbe;
use crate::error::Error;
use crate::modem::core::{guard_with_margin, Core, Kind};

/// ESC: ends a send's data phase.
const ESC: &[u8] = &[0x1B];
/// The longest wait for what looks like `ATE1`'s answer before the probe
/// goes anyway.
const SETTLE_MAX_MS: u64 = 1_000;
/// How long the probe's echo and answer may take.
const PROBE_MS: u32 = 1_000;
/// Probes before the resync gives up (the next command tries again).
const ATTEMPTS: u8 = 4;

/// The resync operation (run by the faces, see the module docs).
#[derive(Default)]
pub struct Resync {
    phase: Phase,
    attempts: u8,
    sockets: heapless::Vec<OpenSocket, 12>,
    /// The module may be transparent: every attempt escapes first (a
    /// `CONNECT` may come after the first `+++`, a slow handshake's).
    escape: bool,
}

#[derive(Default)]
enum Phase {
    #[default]
    Start,
    Escape,
    /// `+++` waits for a guard time of silence before it (`false`) or is
    /// written and waits for one after it (`true`).
    Plus(bool),
    /// `ATE1` written at this time, with this many result-like lines seen
    /// before.
    EchoOn(Option<(u64, u32)>),
    Probe(Exchange<SyncProbe>),
    EchoOff(Exchange<SetEcho>),
    States(Exchange<OpenSockets>),
    Pdp(Exchange<ActiveContexts>),
}

impl Resync {
    /// A resync from the start.
    pub fn new() -> Self {
        Self::default()
    }

    /// The resync a face runs before anything else, if one is due: started
    /// when the core asks for one, dropped once it no longer does. Only a
    /// reboot ends a resync half-way (the module starts afresh); kept, its
    /// next step could be a `+++` written into a later transparent session,
    /// which the module would leave with the engine none the wiser (the
    /// user's bytes then run as commands).
    pub(crate) fn due<'s, const L: usize>(
        slot: &'s mut Option<Self>,
        core: &Core<'_, L>,
    ) -> Option<&'s mut Self> {
        if !core.resync_needed() {
            *slot = None;
            return None;
        }
        Some(slot.get_or_insert_with(Self::new))
    }

    /// After the ESC step: `+++` if the module may be transparent, else
    /// straight to `ATE1`.
    fn after_escape<const L: usize>(&mut self, core: &mut Core<'_, L>) -> Phase {
        self.escape |= core.take_maybe_transparent();
        if self.escape {
            Phase::Plus(false)
        } else {
            Phase::EchoOn(None)
        }
    }
}

/// What the resync read so far held the module's `RDY` (the core then
/// needs no resync: the module starts afresh): it stops there, before
/// writing anything more (a probe, `ATE1`, `+++`), which would reach
/// whatever the user opens next.
fn not_rebooted<const L: usize>(core: &Core<'_, L>) -> Result<(), Error> {
    if core.resync_needed() {
        Ok(())
    } else {
        Err(Error::ModuleReset)
    }
}

impl Sealed for Resync {}

impl<'r> Op<'r> for Resync {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        loop {
            match &mut self.phase {
                Phase::Start => {
                    if core.resync_ready(now).is_pending() {
                        return Poll::Pending;
                    }
                    not_rebooted(core)?;
                    debug!("resynchronising the port");
                    if core.take_late_prompt() {
                        core.queue_raw(ESC);
                        self.phase = Phase::Escape;
                    } else {
                        self.phase = self.after_escape(core);
                    }
                }
                Phase::Escape => {
                    core.poll_idle(now);
                    not_rebooted(core)?;
                    if core.tx_pending() {
                        return Poll::Pending;
                    }
                    self.phase = self.after_escape(core);
                }
                Phase::Plus(written) => {
                    core.poll_idle(now);
                    not_rebooted(core)?;
                    let guard = guard_with_margin(core.guard_ms);
                    let since_tx = now.saturating_sub(core.last_tx_ms());
                    // The module counts the silence before `+++` from its
                    // `CONNECT`, which came unseen after our last line: a
                    // guard time of quiet on the receive side too (a peer
                    // that never pauses is waited for 10 guard times).
                    let quiet = now.saturating_sub(core.last_rx_ms()) >= guard
                        || since_tx >= 10 * guard
                        || *written;
                    if core.tx_pending() || since_tx < guard || !quiet {
                        return Poll::Pending;
                    }
                    if *written {
                        self.phase = Phase::EchoOn(None);
                    } else {
                        warn!("resync: the module may be transparent: +++");
                        core.queue_raw(b"+++");
                        self.phase = Phase::Plus(true);
                    }
                }
                Phase::EchoOn(written) => {
                    core.poll_idle(now);
                    not_rebooted(core)?;
                    let Some((at, seen)) = *written else {
                        core.queue_unanswered(&SetEcho(true));
                        core.echo_set(false);
                        *written = Some((now, core.results_seen()));
                        return Poll::Pending;
                    };
                    if core.tx_pending() {
                        return Poll::Pending;
                    }
                    let answered = core.results_seen() != seen;
                    if !answered && now.saturating_sub(at) < SETTLE_MAX_MS {
                        core.wake_at(at.saturating_add(SETTLE_MAX_MS));
                        return Poll::Pending;
                    }
                    let probe = SyncProbe {
                        nonce: core.nonce(now),
                    };
                    core.expect_echo(&probe);
                    self.phase = Phase::Probe(Exchange::with(probe, Kind::Resync, Some(PROBE_MS)));
                }
                Phase::Probe(exchange) => match ready!(exchange.poll(core, now)) {
                    // Whatever it answers: the echo was seen, the stream is
                    // in step.
                    Ok(_) | Err(Error::Rejected | Error::Cme(_)) if !core.quarantine() => {
                        self.phase =
                            Phase::EchoOff(Exchange::with(SetEcho(false), Kind::Resync, None));
                    }
                    Err(Error::ModuleReset) => return Poll::Ready(Err(Error::ModuleReset)),
                    _ => {
                        self.attempts += 1;
                        warn!("resync: no echo of the probe (attempt {})", self.attempts);
                        if self.attempts >= ATTEMPTS {
                            self.phase = Phase::Start;
                            self.attempts = 0;
                            // The next resync escapes again.
                            core.resync.maybe_transparent |= self.escape;
                            return Poll::Ready(Err(Error::Timeout));
                        }
                        // A `CONNECT` seen in the quarantine: escape first.
                        self.escape |= core.take_maybe_transparent();
                        self.phase = if self.escape {
                            Phase::Plus(false)
                        } else {
                            Phase::EchoOn(None)
                        };
                    }
                },
                Phase::EchoOff(exchange) => {
                    ready!(exchange.poll(core, now))?;
                    core.echo_set(true);
                    self.phase = Phase::States(Exchange::with(open_sockets(), Kind::Resync, None));
                }
                Phase::States(exchange) => {
                    self.sockets = ready!(exchange.poll(core, now))?;
                    self.phase = Phase::Pdp(Exchange::with(active_contexts(), Kind::Resync, None));
                }
                Phase::Pdp(exchange) => {
                    let active = ready!(exchange.poll(core, now))?;
                    core.resynced(&self.sockets, active, now);
                    self.phase = Phase::Start;
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}
