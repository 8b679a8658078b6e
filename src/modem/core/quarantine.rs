//! The quarantine's state: why the engine stopped trusting the module's
//! output, what ends the quarantine, what the resync must do, and what a
//! frame that comes in quarantine still tells.

use crate::command::ssl_socket::{AccessMode, SocketState};
use crate::digest::{Expect, Frame, Framer};
use crate::error::Error;
use crate::types::{ClientId, PdpContextId, SslContextId};

/// Longest echo line the quarantine waits for.
pub(crate) const ECHO_MAX: usize = 48;

/// Why the engine stopped trusting the module's output (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum Doubt {
    /// The bytes after a payload were not its line end: its length was wrong.
    Trailer,
    /// A payload announcement with an impossible socket or length, or a
    /// line that names `"recv"` without being an announcement.
    Malformed,
    /// A line longer than the line buffer: part of it was dropped.
    Overlong,
    /// A line holding bytes the module never prints (binary read as text).
    Binary,
    /// An echoed command line while echo is off: the module rebooted and
    /// its `RDY` was lost.
    Echo,
    /// A result code, or a `+QSSLRECV` answer, that no command owns.
    Stray,
    /// `RDY` inside a payload's span: a reboot the count swallowed, or data.
    RdyInPayload,
    /// `NO CARRIER` cut a transparent write: the module may have taken the
    /// rest as command text.
    NoCarrier,
    /// A `> ` prompt for a send that had already given up.
    LatePrompt,
}

/// The resync's bookkeeping in the core.
#[derive(Debug, Default)]
pub(crate) struct ResyncState {
    /// A resync must run before the next command.
    pub needed: bool,
    /// Frames are dropped until the module echoes [`echo`](Self::echo).
    pub quarantine: bool,
    /// The echo line that ends the quarantine (empty: none written yet).
    pub echo: heapless::Vec<u8, ECHO_MAX>,
    /// The command in flight when the doubt arose, and what it reports.
    pub failed: Option<(u32, Error)>,
    /// Direct-push sockets whose data may have been dropped (bit = client).
    pub suspects: u16,
    /// A send may be waiting at its prompt: cancel it (ESC) first.
    pub late_prompt: bool,
    /// A `CONNECT` may have been dropped (a command that answers it was in
    /// flight, one came with nothing in flight, or a `CONNECT` line came in
    /// the quarantine, perhaps a given-up switch's): the module may be in
    /// transparent mode, where the resync's lines would reach the peer.
    /// Leave it first (`+++` with its guard times).
    pub maybe_transparent: bool,
    /// Resyncs so far.
    pub count: u32,
    /// Result codes that may come with no command in flight and are not
    /// stray: the `OK` of a `+++` written in command mode by `Init`.
    pub unowned: u8,
    /// Echo is off (init or a resync turned it off): an echoed line then
    /// means the module rebooted (echo is on after a boot) without the
    /// engine seeing its `RDY`.
    pub echo_off: bool,
    /// Lines that look like result codes, seen in the quarantine: the
    /// resync's `ATE1` was probably answered once one more came (nothing
    /// is trusted on it: a wrong guess only costs a probe).
    pub results_seen: u32,
}

/// What the module reported of one socket at the resync.
pub(crate) type ModuleSocket = (
    ClientId,
    SocketState,
    AccessMode,
    SslContextId,
    PdpContextId,
);

/// A frame that came in quarantine: dropped, but a push it names is
/// remembered, and the expected echo ends the quarantine.
pub(crate) fn quarantined(resync: &mut ResyncState, framer: &mut Framer, frame: &Frame<'_>) {
    match *frame {
        Frame::Echo(line) if !resync.echo.is_empty() && line == &resync.echo[..] => {
            debug!("resync: echo seen, the stream is trusted again");
            resync.quarantine = false;
            framer.set_quarantine(false);
            // The probe's answer follows.
            framer.set_expect(Expect::Response);
        }
        Frame::Line(line) => {
            resync.suspects |= crate::urc::push_named(line);
            if line.starts_with(b"CONNECT") {
                // Perhaps the late answer of a transparent switch whose
                // command was given up (or text in a peer's payload): the
                // module may be transparent, where the resync's lines would
                // reach the peer. Escaping first costs only time.
                resync.maybe_transparent = true;
            }
            if matches!(line, b"OK" | b"ERROR") || line.starts_with(b"+CME ERROR") {
                resync.results_seen = resync.results_seen.wrapping_add(1);
            }
        }
        _ => {}
    }
}
