//! [`SimHandle`]: the test's side of a simulator: faults, inspection,
//! transcript, shutdown.

use std::sync::{Arc, MutexGuard};

use crate::at::{SslSetting, SslSettingName};
use crate::clock::ClockValue;
use crate::config::SimConfig;
use crate::engine::event::Event;
use crate::engine::state::SocketInfo;
use crate::engine::{Module, PortMode};
use crate::error_code::{CmeError, QiError};
use crate::fault::Fault;
use crate::filesystem::{Drive, FilePath};
use crate::line::LineFaultKind;
use crate::net::OpenFailure;
use crate::port::DtrPin;
use crate::shared::SimCore;
use crate::transcript::Transcript;

/// Controls and inspects a running simulator. Dropping it (and every
/// [`crate::SimPort`]) stops all the simulator's threads.
#[derive(Clone)]
pub struct SimHandle {
    pub(crate) core: Arc<SimCore>,
}

impl SimHandle {
    fn module(&self) -> Option<MutexGuard<'_, Module>> {
        self.core.module.lock().ok()
    }

    /// The configuration the simulator runs with.
    pub fn config(&self) -> &SimConfig {
        &self.core.config
    }

    /// The per-socket send buffer size in bytes.
    pub fn config_send_buffer(&self) -> usize {
        self.core.config.send_buffer
    }

    /// Injects a fault (see [`Fault`] for what each one does on the wire).
    /// Line faults apply to bytes written after this call returns; the
    /// others reach the module before any byte written after this call.
    pub fn inject(&self, fault: Fault) {
        let line_fault = match fault {
            Fault::CorruptRx { skip, count } => Some((true, LineFaultKind::Corrupt, skip, count)),
            Fault::CorruptTx { skip, count } => Some((false, LineFaultKind::Corrupt, skip, count)),
            Fault::DropRx { skip, count } => Some((true, LineFaultKind::Drop, skip, count)),
            Fault::DropTx { skip, count } => Some((false, LineFaultKind::Drop, skip, count)),
            _ => None,
        };
        match line_fault {
            Some((rx, kind, skip, count)) => {
                self.core
                    .line
                    .recorder
                    .note(&format!("fault injected: {fault:?}"));
                self.core.line.add_fault(rx, kind, skip, count);
            }
            None => self.core.inbox.push_event(Event::Fault(fault)),
        }
    }

    /// Everything on the line so far.
    pub fn transcript(&self) -> Transcript {
        self.core.line.recorder.snapshot()
    }

    /// Forgets the transcript so far.
    pub fn clear_transcript(&self) {
        self.core.line.recorder.clear();
    }

    /// A file's contents (`RAM:cacert.pem`, `UFS:a`, `a`).
    pub fn file(&self, name: &str) -> Option<Vec<u8>> {
        self.module()?.files.read_named(name).map(<[u8]>::to_vec)
    }

    /// Stores a file as if uploaded with `AT+QFUPL` (same checks).
    pub fn put_file(&self, name: &str, data: &[u8]) -> Result<(), CmeError> {
        let path = FilePath::parse(name)?;
        let mut module = self.module().ok_or(CmeError::Other(0))?;
        module.files.write(path, data.to_vec())
    }

    /// Every file with its size, RAM drive first.
    pub fn files(&self) -> Vec<(String, usize)> {
        let Some(module) = self.module() else {
            return Vec::new();
        };
        [Drive::Ram, Drive::Ufs]
            .into_iter()
            .flat_map(|d| module.files.list(d))
            .map(|(p, size)| (p.full(), size))
            .collect()
    }

    /// One socket's state (`None` for an id outside 0..=11).
    pub fn socket(&self, client: u8) -> Option<SocketInfo> {
        let module = self.module()?;
        module
            .sockets
            .get(usize::from(client))
            .map(|s| s.info(client))
    }

    /// Every socket that is not Initial.
    pub fn sockets(&self) -> Vec<SocketInfo> {
        let Some(module) = self.module() else {
            return Vec::new();
        };
        (0..12u8)
            .map(|c| module.sockets[usize::from(c)].info(c))
            .filter(|i| i.state != crate::engine::state::SocketState::Initial)
            .collect()
    }

    /// Every open that failed so far, oldest first, with the real reason
    /// the module's network side saw (a real module only reports the code).
    pub fn open_failures(&self) -> Vec<OpenFailure> {
        self.module()
            .map(|m| m.open_failures.clone())
            .unwrap_or_default()
    }

    /// The real reason of the last failed open, if any.
    pub fn last_open_failure(&self) -> Option<OpenFailure> {
        self.module()?.open_failures.last().cloned()
    }

    /// What `AT+QIGETERROR` would answer now.
    pub fn last_error(&self) -> QiError {
        self.module().map_or(QiError::Success, |m| m.last_error)
    }

    /// One SSL context setting.
    pub fn ssl_setting(&self, ctx: u8, name: SslSettingName) -> Option<SslSetting> {
        let module = self.module()?;
        module.ssl.get(usize::from(ctx)).map(|c| c.get(name))
    }

    /// Whether PDP context `ctx` is active.
    pub fn pdp_active(&self, ctx: u8) -> bool {
        self.module()
            .and_then(|m| {
                m.pdp
                    .get(usize::from(ctx).wrapping_sub(1))
                    .map(|p| p.active)
            })
            .unwrap_or(false)
    }

    /// Whether the port is in transparent mode now.
    pub fn in_transparent_mode(&self) -> bool {
        self.module()
            .is_some_and(|m| matches!(m.mode, PortMode::Transparent(_)))
    }

    /// Whether echo is on now.
    pub fn echo(&self) -> bool {
        self.module().is_some_and(|m| m.echo)
    }

    /// The module clock now (`AT+CCLK?`).
    pub fn clock(&self) -> Option<ClockValue> {
        self.module().map(|m| m.clock.now())
    }

    /// The DTR line (see [`DtrPin`] for levels).
    pub fn dtr_pin(&self) -> DtrPin {
        DtrPin::new(&self.core)
    }

    /// Drives DTR directly: `true` is ON (asserted).
    pub fn set_dtr(&self, on: bool) {
        self.core.inbox.push_event(Event::Dtr(on));
    }

    /// Stops the simulator now, even if ports are still held (their reads
    /// and writes then fail with [`crate::SimPortError::Closed`]). Joins
    /// every thread.
    pub fn shutdown(&self) {
        self.core.stop();
    }
}
