//! Operations: every thing the engine can do, written once as a resumable
//! state machine over the [`Core`].
//!
//! The blocking face runs an operation to completion, the async face awaits
//! it, and the nb face polls it once per call: the same
//! [`Op::poll`] in all three. An operation owns what it needs between polls
//! (its command, the answer read so far, the caller's data), so the nb face
//! can keep it in a variable of the caller's and poll it again later.

mod config;
mod diagnose;
mod pdp;
mod resync;
mod session;
mod socket;
mod transfer;
mod transparent;

use core::task::Poll;

use super::core::{Core, Kind};
use crate::command::{AtCommand, ResponseReader};
use crate::error::Error;

pub use config::{Configure, SslConfig};
pub use diagnose::{Diagnose, Diagnosis, Finding};
pub use pdp::{ActivatePdp, DeactivatePdp};
pub use resync::Resync;
pub use session::{Init, InitReport, Upload};
pub use socket::{Close, Open, SwitchMode};
pub use transfer::{Read, Send, Write};
pub use transparent::{DtrEscape, Escape, RawRead, RawWrite, Resume, GUARD_TIME_MS};

/// A resumable operation of the engine.
pub trait Op<'r> {
    /// What it yields when it is done.
    type Output;

    /// Advance as far as the bytes received so far allow.
    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Self::Output, Error>>;

    /// The payload this operation writes after a prompt or `CONNECT`, with
    /// the token of its command (`None` if it has none).
    fn payload(&self) -> Option<(u32, &[u8])> {
        None
    }
}

/// `?` for `Poll<Result<T, E>>`: return early on `Pending` or an error.
macro_rules! ready {
    ($e:expr) => {
        match $e {
            core::task::Poll::Ready(Ok(v)) => v,
            core::task::Poll::Ready(Err(e)) => return core::task::Poll::Ready(Err(e)),
            core::task::Poll::Pending => return core::task::Poll::Pending,
        }
    };
}

/// Poll an exchange: `Pending` returns, the result is handed on.
macro_rules! settle {
    ($e:expr) => {
        match $e {
            core::task::Poll::Pending => return core::task::Poll::Pending,
            core::task::Poll::Ready(result) => result,
        }
    };
}
pub(crate) use settle;

/// One command and its answer, in flight or not yet sent.
pub(crate) struct Exchange<C: AtCommand> {
    pub cmd: C,
    reader: ResponseReader<C>,
    token: Option<u32>,
    kind: Kind,
    answer_ms: Option<u32>,
}

impl<C: AtCommand> Exchange<C> {
    pub fn new(cmd: C) -> Self {
        Self::with(cmd, Kind::Plain, None)
    }

    pub fn with(cmd: C, kind: Kind, answer_ms: Option<u32>) -> Self {
        Self {
            cmd,
            reader: ResponseReader::new(),
            token: None,
            kind,
            answer_ms,
        }
    }

    /// An exchange for `cmd` already in flight under `token` (taken over
    /// from an operation that was dropped).
    pub fn adopt(cmd: C, kind: Kind, token: u32) -> Self {
        Self {
            token: Some(token),
            ..Self::with(cmd, kind, None)
        }
    }

    /// The command's token once it is sent.
    pub fn token(&self) -> Option<u32> {
        self.token
    }

    /// Send the command if not yet sent, then read its answer.
    pub fn poll<'r, const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<C::Response, Error>> {
        let token = match self.token {
            Some(token) => token,
            None => {
                let answer_ms = self.answer_ms.unwrap_or_else(|| self.cmd.timeout_ms());
                let token = ready!(core.start_with_timeout(&self.cmd, self.kind, answer_ms, now));
                self.token = Some(token);
                token
            }
        };
        core.poll_response(token, &self.cmd, &mut self.reader, now)
    }

    /// Read the answer of a data phase of the same command (same token).
    pub fn continue_with<D: AtCommand>(&self, data: D) -> Exchange<D> {
        Exchange {
            cmd: data,
            reader: ResponseReader::new(),
            token: self.token,
            kind: self.kind,
            answer_ms: None,
        }
    }
}

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
