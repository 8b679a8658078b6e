//! What a command is to the engine ([`AtCommand`]: its line, its timeout,
//! how its answer is read) and the pieces most commands share.

use crate::digest::Expect;
use crate::error::Error;
use crate::wire::{Encoder, Fields};

/// Longest command line any command of this crate writes, CR included
/// (`AT+QSSLCFG="psk"` with a 255-byte identity and a 255-byte key).
pub const MAX_COMMAND_LEN: usize = 540;

/// The answer time of a command whose manual gives none (a query answered
/// from the module's memory).
pub const DEFAULT_TIMEOUT_MS: u32 = 300;

/// A command: its line, its maximum response time, and how its answer is read.
pub trait AtCommand {
    /// The typed answer.
    type Response;
    /// What is built from the information lines while they arrive.
    type Partial: Default;

    /// The vendor's maximum response time, in milliseconds, when it does not
    /// depend on the command's values.
    const MAX_TIMEOUT_MS: u32 = DEFAULT_TIMEOUT_MS;

    /// `true` for the data phase of a command (bytes after `> ` or
    /// `CONNECT`): written without a CR, and the framer keeps expecting what
    /// the command that opened the phase set up.
    const DATA_PHASE: bool = false;

    /// `true` if the answer ends at a `> ` prompt (or an upload `A`) rather
    /// than at a result code.
    const ENDS_AT_PROMPT: bool = false;

    /// Maximum response time for this command, in milliseconds.
    fn timeout_ms(&self) -> u32 {
        Self::MAX_TIMEOUT_MS
    }

    /// What the framer must expect once the line is sent.
    fn expectation(&self) -> Expect {
        Expect::Response
    }

    /// Write the command line, without its final CR.
    fn encode(&self, e: &mut Encoder<'_>);

    /// Take one information line of the answer. Lines that are not part of
    /// this command's answer are ignored.
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error>;

    /// Whether a line that arrives while this command is in flight belongs
    /// to its answer (the default: every line does). A line it declines is
    /// read as a URC instead: a stray line the module printed in the
    /// middle of the answer (part of a URC it cut) then costs nothing.
    fn owns_line(&self, _line: &[u8]) -> bool {
        true
    }

    /// Whether a line the module also prints on its own (`+CPIN: READY`,
    /// `+CFUN: 1` at boot) is this command's answer: `true` for the lines
    /// it queries. Claimed while it is in flight, such a line reaches
    /// [`line`](Self::line); otherwise it stays a URC. The session engine
    /// honours this; atat's own client, whose digester cannot know what is
    /// in flight, frames such lines as URCs.
    fn claims_urc(&self, _line: &[u8]) -> bool {
        false
    }

    /// Take a `+QSSLRECV` payload (only `AT+QSSLRECV` has one).
    fn payload(&self, _partial: &mut Self::Partial, _data: &[u8]) -> Result<(), Error> {
        Err(Error::UnexpectedResponse)
    }

    /// Build the answer once the success result code has arrived.
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error>;
}

/// Write `cmd` and its CR (none for a data phase) into `buf`; the length, or
/// 0 if `buf` is too small (then nothing usable was written: see
/// [`MAX_COMMAND_LEN`]).
pub fn write_command<C: AtCommand + ?Sized>(cmd: &C, buf: &mut [u8]) -> usize {
    let mut e = Encoder::new(buf);
    cmd.encode(&mut e);
    if !C::DATA_PHASE {
        e.bytes(b"\r");
    }
    e.finish().unwrap_or(0)
}

/// The `AtCommand` items of a command that answers only `OK`.
macro_rules! answers_ok {
    () => {
        type Response = $crate::command::NoResponse;
        type Partial = ();
        fn line(&self, _: &mut (), _: &[u8]) -> Result<(), $crate::error::Error> {
            Ok(())
        }
        fn finish(&self, _: ()) -> Result<$crate::command::NoResponse, $crate::error::Error> {
            Ok($crate::command::NoResponse)
        }
    };
}
pub(crate) use answers_ok;

/// Keep the one line starting with `prefix`, parsed by `parse`.
pub(crate) fn single_line<T>(
    slot: &mut Option<T>,
    line: &[u8],
    prefix: &[u8],
    parse: impl FnOnce(Fields<'_>) -> Result<T, Error>,
) -> Result<(), Error> {
    if let Some(fields) = Fields::after(line, prefix) {
        if slot.is_none() {
            *slot = Some(parse(fields)?);
        }
    }
    Ok(())
}

/// The answer of a command that answers only `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoResponse;

impl atat::AtatResp for NoResponse {}
