//! What an operation is ([`Op`]: resumable, polled with the engine core)
//! and the exchange of one command and its answer that operations are
//! built from.

use core::task::{ready, Poll};

use crate::command::{AtCommand, ResponseReader};
use crate::error::Error;
use crate::modem::core::{Core, Kind};

/// A resumable operation of the engine: one of [`ops`](super)' types,
/// handed to a face to run ([`Modem::run`](crate::Modem::run),
/// [`Modem::poll_op`](crate::Modem::poll_op), `asynch::Modem::run`).
///
/// Sealed: only this crate's operations implement it, so it can gain
/// methods without breaking anyone. Its methods are the engine's (they take
/// the engine's core, which is not public); a caller names the trait only
/// in a bound, to read [`Output`](Self::Output).
pub trait Op<'r>: Sealed {
    /// What it yields when it is done.
    type Output;

    /// Advance as far as the bytes received so far allow.
    #[doc(hidden)]
    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Self::Output, Error>>;

    /// The payload this operation writes after a prompt or `CONNECT`, with
    /// the token of its command (`None` if it has none).
    #[doc(hidden)]
    fn payload(&self) -> Option<(u32, &[u8])> {
        None
    }
}

/// The supertrait that seals [`Op`]: public in name, but in a module no
/// one outside the crate can reach, so no other crate can implement it.
pub trait Sealed {}

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
                let token = ready!(core.start_with_timeout(&self.cmd, self.kind, answer_ms, now))?;
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
