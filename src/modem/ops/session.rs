//! Session-wide operations: bringing the module to a known state, and
//! uploading certificates.

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use crate::command::device::{At, CmeFormat, SetEcho, SetErrorFormat};
use crate::command::file::{
    checksum, AckMode, DeleteFile, FileData, UploadFile, UploadStatus, Uploaded,
};
use crate::command::pdp::GetPdpContexts;
use crate::command::ssl_socket::{CloseSslSocket, ListSslStates};
use crate::command::{Fold, DEFAULT_TIMEOUT_MS};
use crate::error::{CmeError, Error};
use crate::modem::core::Core;
use crate::types::{ClientId, FileName, PdpContextId};

/// `AT+QIACT?`, kept as a bit mask of the active contexts (bit `i`:
/// context `i + 1`).
pub(super) type ActiveContexts = Fold<GetPdpContexts, (), u16>;

pub(super) fn active_contexts() -> ActiveContexts {
    Fold::new(GetPdpContexts, (), |_, mask, ctx| {
        if ctx.active {
            *mask |= 1 << ctx.context.index();
        }
    })
    .with_timeout(DEFAULT_TIMEOUT_MS)
}

/// A socket the module reports open: what taking it over needs.
pub(super) type OpenSocket = crate::modem::core::ModuleSocket;

/// `AT+QSSLSTATE`, keeping of each line only what a sweep needs (not the
/// 64-byte address): `Init` stays small on an MCU's stack. (The module has
/// twelve sockets: a thirteenth line is not kept.)
pub(super) type OpenSockets = Fold<ListSslStates, (), heapless::Vec<OpenSocket, 12>>;

pub(super) fn open_sockets() -> OpenSockets {
    Fold::new(ListSslStates, (), |_, list, s| {
        let _ = list.push((
            s.client,
            s.state,
            s.access_mode,
            s.ssl_context,
            s.pdp_context,
        ));
    })
}

/// What [`Init`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct InitReport {
    /// The port was still in transparent mode (e.g. after an MCU reset) and
    /// was brought back with `+++`.
    pub escaped_transparent: bool,
    /// Sockets the module still had open (kept across an MCU reset), all
    /// closed now.
    pub swept_sockets: u8,
    /// PDP contexts found active (bit `i`: context `i + 1`).
    pub active_pdp: u16,
}

/// Bring the module to a known state: check it answers (leaving a
/// transparent mode left over from before an MCU reset), turn echo off, ask
/// for numeric `+CME ERROR` codes, close every socket the module still has
/// open, and learn which PDP contexts are active. Run it at start and after
/// the module rebooted.
pub struct Init {
    phase: InitPhase,
    report: InitReport,
    states: heapless::Vec<OpenSocket, 12>,
    guard_ms: u32,
}

enum InitPhase {
    Probe(Exchange<At>, u8),
    EscapeBefore(u8),
    EscapeAfter(u8),
    Echo(Exchange<SetEcho>),
    Errors(Exchange<SetErrorFormat>),
    States(Exchange<OpenSockets>),
    Sweep(Exchange<CloseSslSocket>),
    Pdp(Exchange<ActiveContexts>),
}

/// Answer time of the probe `AT`.
const PROBE_MS: u32 = 500;
/// Probes before giving up.
const PROBES: u8 = 3;

impl Init {
    /// Initialise with the module's 1 s `+++` guard time.
    pub fn new() -> Self {
        Self::with_guard(crate::modem::core::GUARD_TIME_MS)
    }

    /// Initialise with another `+++` guard time (for a simulator set up
    /// with a shorter one).
    pub fn with_guard(guard_ms: u32) -> Self {
        Self {
            phase: InitPhase::Probe(Self::probe(), 1),
            report: InitReport::default(),
            states: heapless::Vec::new(),
            guard_ms,
        }
    }

    fn probe() -> Exchange<At> {
        Exchange::with(At, crate::modem::core::Kind::Plain, Some(PROBE_MS))
    }
}

impl Default for Init {
    fn default() -> Self {
        Self::new()
    }
}

impl Sealed for Init {}

impl<'r> Op<'r> for Init {
    type Output = InitReport;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<InitReport, Error>> {
        let guard = crate::modem::core::guard_with_margin(self.guard_ms);
        loop {
            match &mut self.phase {
                InitPhase::Probe(exchange, attempt) => {
                    let attempt = *attempt;
                    match ready!(exchange.poll(core, now)) {
                        // Any answer will do: after a `+++` sent in command
                        // mode the module may refuse the line `+++AT`.
                        Ok(_) | Err(Error::Rejected | Error::Cme(_)) => {
                            self.phase = InitPhase::Echo(Exchange::new(SetEcho(false)));
                        }
                        // The module (re)booted meanwhile: probe again.
                        Err(Error::ModuleReset) if attempt < PROBES * 2 => {
                            self.phase = InitPhase::Probe(Self::probe(), attempt + 1);
                        }
                        Err(Error::Timeout) if attempt < PROBES => {
                            // No answer: maybe the port is still transparent.
                            self.phase = InitPhase::EscapeBefore(attempt);
                        }
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                InitPhase::EscapeBefore(attempt) => {
                    let attempt = *attempt;
                    core.poll_idle(now);
                    if core.busy() || !core.drained() {
                        return Poll::Pending;
                    }
                    if now.saturating_sub(core.last_tx_ms()) < guard {
                        core.wake_at(core.last_tx_ms().saturating_add(guard));
                        return Poll::Pending;
                    }
                    core.queue_raw(b"+++");
                    // Its `OK` (if the port was transparent) answers no command.
                    core.expect_unowned_result();
                    self.phase = InitPhase::EscapeAfter(attempt);
                }
                InitPhase::EscapeAfter(attempt) => {
                    let attempt = *attempt;
                    core.poll_idle(now);
                    if !core.drained() {
                        return Poll::Pending;
                    }
                    if now.saturating_sub(core.last_tx_ms()) < guard {
                        core.wake_at(core.last_tx_ms().saturating_add(guard));
                        return Poll::Pending;
                    }
                    self.report.escaped_transparent = true;
                    self.phase = InitPhase::Probe(Self::probe(), attempt + 1);
                }
                InitPhase::Echo(exchange) => {
                    ready!(exchange.poll(core, now))?;
                    core.echo_set(true);
                    self.phase =
                        InitPhase::Errors(Exchange::new(SetErrorFormat(CmeFormat::Numeric)));
                }
                InitPhase::Errors(exchange) => {
                    ready!(exchange.poll(core, now))?;
                    self.phase = InitPhase::States(Exchange::new(open_sockets()));
                }
                InitPhase::States(exchange) => {
                    self.states = ready!(exchange.poll(core, now))?;
                    self.phase = InitPhase::Pdp(Exchange::new(active_contexts()));
                }
                InitPhase::Pdp(exchange) => {
                    let active = ready!(exchange.poll(core, now))?;
                    for ctx in PdpContextId::all().filter(|c| active & (1 << c.index()) != 0) {
                        core.state.pdp_activated(ctx);
                    }
                    self.report.active_pdp = active;
                    match self.next_sweep(core) {
                        Some(client) => {
                            self.phase =
                                InitPhase::Sweep(Exchange::new(CloseSslSocket::new(client, None)))
                        }
                        None => return Poll::Ready(Ok(self.report)),
                    }
                }
                InitPhase::Sweep(exchange) => {
                    let client = exchange.cmd.client;
                    // A socket that refuses to close is left to the module.
                    let _ = ready!(exchange.poll(core, now));
                    core.state.closed(client);
                    core.detach(client);
                    self.report.swept_sockets += 1;
                    match self.next_sweep(core) {
                        Some(client) => {
                            self.phase =
                                InitPhase::Sweep(Exchange::new(CloseSslSocket::new(client, None)))
                        }
                        None => return Poll::Ready(Ok(self.report)),
                    }
                }
            }
        }
    }
}

impl Init {
    /// The next socket the module reported open, taken over to be closed.
    fn next_sweep<const L: usize>(&mut self, core: &mut Core<'_, L>) -> Option<ClientId> {
        let (client, state, mode, ssl, pdp) = self.states.pop()?;
        core.state.adopt(client, state, mode, ssl, pdp);
        Some(client)
    }
}

/// Upload a file (a certificate, a key) from a byte slice: `AT+QFUPL`, the
/// data (in 1024-byte blocks, each acknowledged, in ACK mode), then the
/// module's size and checksum are checked against the data; a mismatch is
/// [`Error::UnexpectedResponse`]. With [`IfExists::Replace`], an existing
/// file of that name is deleted first.
pub struct Upload<'a, 'd> {
    name: FileName<'a>,
    data: &'d [u8],
    ack: AckMode,
    phase: UploadPhase<'a, 'd>,
    sent: usize,
}

enum UploadPhase<'a, 'd> {
    Delete(Exchange<DeleteFile<'a>>),
    Open(Exchange<UploadFile<'a>>),
    Block(Exchange<FileData<'d>>),
    Start,
}

/// What an [`Upload`] does with a file of the same name already on the
/// module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IfExists {
    /// Delete it first (`AT+QFDEL`; no such file is fine).
    Replace,
    /// Leave it: the module refuses the upload (`+CME ERROR: 407`, file
    /// exists).
    Fail,
}

impl<'a, 'd> Upload<'a, 'd> {
    /// Upload `data` as `name`, block by block as `ack` says; `existing`
    /// says what happens to a file of that name.
    pub fn new(name: FileName<'a>, data: &'d [u8], ack: AckMode, existing: IfExists) -> Self {
        let phase = match existing {
            IfExists::Replace => UploadPhase::Delete(Exchange::new(DeleteFile { name })),
            IfExists::Fail => UploadPhase::Start,
        };
        Self {
            name,
            data,
            ack,
            phase,
            sent: 0,
        }
    }

    fn verify(&self, uploaded: Uploaded) -> Result<Uploaded, Error> {
        let size_ok = usize::try_from(uploaded.size).is_ok_and(|s| s == self.data.len());
        if size_ok && uploaded.checksum == checksum(self.data) {
            Ok(uploaded)
        } else {
            Err(Error::UnexpectedResponse)
        }
    }
}

/// The next block of `data` after `sent` bytes: 1024 bytes in ACK mode,
/// everything otherwise.
fn block(data: &[u8], sent: usize, ack: AckMode) -> &[u8] {
    let end = match ack {
        AckMode::PerBlock => (sent + UploadFile::ACK_BLOCK).min(data.len()),
        AckMode::Off => data.len(),
    };
    data.get(sent..end).unwrap_or_default()
}

/// Time for a block of upload data to be answered (`A` or the result).
const BLOCK_ANSWER_MS: u32 = 10_000;

impl Sealed for Upload<'_, '_> {}

impl<'r, 'a, 'd> Op<'r> for Upload<'a, 'd> {
    type Output = Uploaded;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Uploaded, Error>> {
        loop {
            match &mut self.phase {
                UploadPhase::Delete(exchange) => {
                    match ready!(exchange.poll(core, now)) {
                        // 405: no such file. Anything else is a real error.
                        Ok(_) | Err(Error::Cme(CmeError::Code(405))) | Err(Error::Rejected) => {}
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                    self.phase = UploadPhase::Start;
                }
                UploadPhase::Start => {
                    let size = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
                    let cmd = match UploadFile::new(self.name, size, None, self.ack) {
                        Ok(cmd) => cmd,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    self.phase = UploadPhase::Open(Exchange::new(cmd));
                }
                UploadPhase::Open(exchange) => {
                    ready!(exchange.poll(core, now))?;
                    let Some(token) = exchange.token() else {
                        return Poll::Ready(Err(Error::Busy));
                    };
                    let block = block(self.data, self.sent, self.ack);
                    core.start_payload(token, block.len(), BLOCK_ANSWER_MS, now);
                    self.phase =
                        UploadPhase::Block(exchange.continue_with(FileData { data: block }));
                }
                UploadPhase::Block(exchange) => match ready!(exchange.poll(core, now))? {
                    UploadStatus::Complete(uploaded) => return Poll::Ready(self.verify(uploaded)),
                    UploadStatus::Acknowledged => {
                        self.sent += exchange.cmd.data.len();
                        let Some(token) = exchange.token() else {
                            return Poll::Ready(Err(Error::Busy));
                        };
                        let block = block(self.data, self.sent, self.ack);
                        // After the last block, only the result is awaited.
                        core.start_payload(token, block.len(), BLOCK_ANSWER_MS, now);
                        self.phase =
                            UploadPhase::Block(exchange.continue_with(FileData { data: block }));
                    }
                },
            }
        }
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        match &self.phase {
            UploadPhase::Block(exchange) => exchange.token().map(|t| (t, exchange.cmd.data)),
            _ => None,
        }
    }
}
