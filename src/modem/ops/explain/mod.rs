//! Why did an open fail? Found the way an engineer finds it on a module
//! that only ever says `566`: the note's §4 checklist first, then whether
//! the server's port answers a plain TCP connection, then the open tried
//! again on a spare SSL context with one check relaxed at a time, each
//! probe connection closed at once, before any data.

mod cause;

use core::fmt;
use core::task::{ready, Poll};

pub use cause::{Cause, ServerKey};

use super::config::{Configure, SslConfig};
use super::diagnose::{Diagnose, Diagnosis, Finding};
use super::op::{Exchange, Op, Sealed};
use super::socket::{Close, Open};
use crate::command::device::{DateTime, GetClock};
use crate::command::pdp::{CloseTcpSocket, OpenTcpSocket};
use crate::command::ssl_config::{CipherSuite, SecLevel, SslVersion};
use crate::command::ssl_socket::{AccessMode, OpenSslSocket};
use crate::error::{Error, SslErrorCode};
use crate::modem::core::{Core, Event};
use crate::types::SslContextId;

/// How long the TCP probe's `+QIOPEN` may take (the module's connect).
const TCP_PROBE_MS: u64 = 75_000;

/// What [`ExplainOpenFailure`] found: the cause, and the checklist it began
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The cause found.
    pub cause: Cause,
    /// The note's §4 checklist for the open's contexts.
    pub diagnosis: Diagnosis,
    /// How many probe opens were made (each closed at once).
    pub probes: u8,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "why the open failed: {}", self.cause)?;
        write!(f, "({} probe connections, none carried data)", self.probes)
    }
}

/// One probe: the user's configuration with one check relaxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// The configuration as it is: does it work now?
    AsIs,
    NoAuthentication,
    Dates,
    Chain,
    Signature,
    AllSuites,
    Suite(CipherSuite),
    Version(SslVersion),
    Sni,
    /// Everything relaxed at once: does any handshake work?
    Everything,
}

impl Probe {
    fn apply<'a>(self, base: &SslConfig<'a>) -> SslConfig<'a> {
        let mut c = *base;
        match self {
            Self::AsIs => {}
            Self::NoAuthentication => c.security = SecLevel::NoAuthentication,
            Self::Dates => c.check_validity = false,
            Self::Chain => c.verify_chain = false,
            Self::Signature => c.verify_signature = false,
            Self::AllSuites => c.cipher = CipherSuite::All,
            Self::Suite(suite) => c.cipher = suite,
            Self::Version(v) => c.version = v,
            Self::Sni => c.sni = !c.sni,
            Self::Everything => {
                c.security = SecLevel::NoAuthentication;
                c.cipher = CipherSuite::All;
                c.version = SslVersion::All;
                c.sni = true;
            }
        }
        c
    }
}

// The checklist's phase holds the whole report (the others are small):
// without `alloc` it cannot be boxed, and an explanation is one rare
// operation on the stack, not a value kept around.
#[allow(clippy::large_enum_variant)]
enum Phase<'a, 'r> {
    Checklist(Diagnose),
    Clock(Exchange<GetClock>),
    TcpOpen(Exchange<OpenTcpSocket<'a>>),
    TcpWait(u64),
    TcpClose(Exchange<CloseTcpSocket>, bool),
    Configure(Configure<'a>, Probe),
    Open(Open<'a, 'r>, Probe),
    Close(Close, Probe, bool),
    Restore(Configure<'a>, Cause),
}

/// Find out why `open` failed with `error`. Its SSL context was configured
/// with `config`; `spare` is a context the probes may use (its settings
/// are overwritten, and left as `config` at the end).
///
/// The steps: the note's §4 checklist ([`Diagnose`]); for a `566`, a plain
/// TCP connection to the server's port (`AT+QIOPEN`, closed at once); then
/// opens on `spare` with the configuration as it is, then with one check
/// relaxed at a time (authentication, and then validity dates, chain,
/// signature; all cipher suites, then one RSA and one ECDSA suite; the
/// version range; SNI), and everything relaxed at once. Each probe
/// connection is closed as soon as it is up, before anything is read or
/// written: no user data ever crosses a probe, and no probe's relaxed
/// setting is left behind (the spare context ends with `config`).
pub struct ExplainOpenFailure<'a, 'r> {
    open: OpenSslSocket<'a>,
    config: SslConfig<'a>,
    spare: SslContextId,
    error: Error,
    phase: Option<Phase<'a, 'r>>,
    diagnosis: Option<Diagnosis>,
    clock: Option<DateTime>,
    probes: u8,
    /// What the probes found so far (the relaxations that worked).
    worked: heapless::Vec<Probe, 12>,
}

impl<'a> ExplainOpenFailure<'a, '_> {
    /// Explain why `open` (its context configured with `config`) failed with
    /// `error`, probing on `spare`.
    pub fn new(
        open: OpenSslSocket<'a>,
        config: &SslConfig<'a>,
        spare: SslContextId,
        error: Error,
    ) -> Self {
        Self {
            open,
            config: *config,
            spare,
            error,
            phase: Some(Phase::Checklist(Diagnose::new(
                open.pdp_context,
                open.ssl_context,
            ))),
            diagnosis: None,
            clock: None,
            probes: 0,
            worked: heapless::Vec::new(),
        }
    }

    /// The probe after `done` (that `ok` or not): `None` when the cause is
    /// known (then it is returned).
    fn next(&mut self, done: Probe, ok: bool) -> Result<Probe, Cause> {
        if ok {
            let _ = self.worked.push(done);
        }
        let authenticating = self.config.security != SecLevel::NoAuthentication;
        let single_suite = self.config.cipher != CipherSuite::All;
        match (done, ok) {
            (Probe::AsIs, true) => Err(Cause::Transient),
            (Probe::AsIs, false) if authenticating => Ok(Probe::NoAuthentication),
            (Probe::AsIs, false) | (Probe::NoAuthentication, false) => self.after_certificates(),
            (Probe::NoAuthentication, true) => Ok(Probe::Dates),
            (Probe::Dates, true) => Err(Cause::CertificateDates { clock: self.clock }),
            (Probe::Dates, false) => Ok(Probe::Chain),
            (Probe::Chain, true) => Err(Cause::ChainIncomplete),
            (Probe::Chain, false) => Ok(Probe::Signature),
            (Probe::Signature, true) => Err(Cause::BadSignature),
            (Probe::Signature, false) => Err(Cause::CertificateNotTrusted),
            (Probe::AllSuites, true) => Ok(Probe::Suite(CipherSuite::EcdheEcdsaAes128CbcSha256)),
            (Probe::AllSuites, false) if single_suite => self.after_suites(),
            (Probe::Suite(CipherSuite::EcdheEcdsaAes128CbcSha256), true) => {
                Err(Cause::NoSharedCipher {
                    key: Some(ServerKey::Ecdsa),
                })
            }
            (Probe::Suite(CipherSuite::EcdheEcdsaAes128CbcSha256), false) => {
                Ok(Probe::Suite(CipherSuite::EcdheRsaAes128GcmSha256))
            }
            (Probe::Suite(_), ok) => Err(Cause::NoSharedCipher {
                key: ok.then_some(ServerKey::Rsa),
            }),
            (Probe::AllSuites, false) => self.after_suites(),
            (Probe::Version(v), true) => Err(Cause::VersionRefused { works: Some(v) }),
            (Probe::Version(v), false) => match older(v) {
                Some(older) => Ok(Probe::Version(older)),
                None => Ok(Probe::Sni),
            },
            (Probe::Sni, true) if self.config.sni => Err(Cause::SniRefused),
            (Probe::Sni, true) => Err(Cause::SniRequired),
            (Probe::Sni, false) => Ok(Probe::Everything),
            (Probe::Everything, true) => Err(Cause::Unknown),
            (Probe::Everything, false) => Err(if self.config.client_auth.is_none() {
                Cause::ClientCertificateRequired
            } else {
                Cause::Unknown
            }),
        }
    }

    /// The certificate checks are not the cause: the suites next.
    fn after_certificates(&self) -> Result<Probe, Cause> {
        if self.config.cipher != CipherSuite::All {
            Ok(Probe::AllSuites)
        } else {
            self.after_suites()
        }
    }

    /// Nor the suites: the version next, newest first.
    fn after_suites(&self) -> Result<Probe, Cause> {
        match self.config.version {
            SslVersion::Tls12 => Ok(Probe::Version(SslVersion::Tls11)),
            _ => Ok(Probe::Sni),
        }
    }

    /// A cause the checklist alone gives, or the open's own code.
    fn cause_in_checklist(&self, diagnosis: &Diagnosis) -> Option<Cause> {
        if self.error == Error::Ssl(SslErrorCode::DnsParseFailed) {
            return Some(Cause::HostNotResolved);
        }
        let findings = diagnosis.findings();
        [
            (Finding::PdpInactive, Cause::PdpInactive),
            (Finding::NoCaCert, Cause::CaCertMissing),
            (Finding::CaCertMissing, Cause::CaCertMissing),
            (Finding::ClientFileMissing, Cause::ClientFileMissing),
        ]
        .into_iter()
        .find(|(finding, _)| findings.contains(finding))
        .map(|(_, cause)| cause)
    }

    fn probe_open(&self) -> Result<OpenSslSocket<'a>, Error> {
        OpenSslSocket::new(
            self.open.pdp_context,
            self.spare,
            self.open.client,
            self.open.host,
            self.open.port(),
            AccessMode::Buffer,
        )
    }

    fn done<'r>(&mut self, cause: Cause) -> Phase<'a, 'r> {
        // The spare context is left with the user's own settings.
        Phase::Restore(Configure::new(self.spare, &self.config), cause)
    }
}

/// The next older version to try.
fn older(v: SslVersion) -> Option<SslVersion> {
    match v {
        SslVersion::Tls11 => Some(SslVersion::Tls10),
        SslVersion::Tls10 => Some(SslVersion::Ssl30),
        _ => None,
    }
}

impl Sealed for ExplainOpenFailure<'_, '_> {}

impl<'a, 'r> Op<'r> for ExplainOpenFailure<'a, 'r> {
    type Output = Explanation;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Explanation, Error>> {
        loop {
            let Some(phase) = self.phase.as_mut() else {
                return Poll::Ready(Err(Error::Busy));
            };
            let next = match phase {
                Phase::Checklist(op) => {
                    let diagnosis = ready!(op.poll(core, now))?;
                    let cause = self.cause_in_checklist(&diagnosis);
                    self.diagnosis = Some(diagnosis);
                    match cause {
                        Some(cause) => self.done(cause),
                        None => Phase::Clock(Exchange::new(GetClock)),
                    }
                }
                Phase::Clock(exchange) => {
                    self.clock = ready!(exchange.poll(core, now)).ok();
                    Phase::TcpOpen(Exchange::new(OpenTcpSocket {
                        context: self.open.pdp_context,
                        id: self.open.client,
                        host: self.open.host,
                        port: self.open.port(),
                    }))
                }
                Phase::TcpOpen(exchange) => match ready!(exchange.poll(core, now)) {
                    Ok(_) => Phase::TcpWait(now.saturating_add(TCP_PROBE_MS)),
                    // The module has no plain TCP (or refused): go on with TLS.
                    Err(_) => {
                        Phase::Configure(Configure::new(self.spare, &self.config), Probe::AsIs)
                    }
                },
                Phase::TcpWait(deadline) => {
                    let deadline = *deadline;
                    core.poll_idle(now);
                    let mut answered = None;
                    while let Some(event) = core.take_event() {
                        if let Event::TcpOpened { id, result } = event {
                            if id == self.open.client {
                                answered = Some(result == SslErrorCode::Success);
                            }
                        }
                    }
                    match answered {
                        Some(open) => Phase::TcpClose(
                            Exchange::new(CloseTcpSocket {
                                id: self.open.client,
                            }),
                            open,
                        ),
                        None if now >= deadline => Phase::TcpClose(
                            Exchange::new(CloseTcpSocket {
                                id: self.open.client,
                            }),
                            false,
                        ),
                        None => return Poll::Pending,
                    }
                }
                Phase::TcpClose(exchange, reachable) => {
                    let reachable = *reachable;
                    let _ = ready!(exchange.poll(core, now));
                    if reachable {
                        Phase::Configure(Configure::new(self.spare, &self.config), Probe::AsIs)
                    } else {
                        self.done(Cause::PortClosed)
                    }
                }
                Phase::Configure(op, probe) => {
                    let probe = *probe;
                    ready!(op.poll(core, now))?;
                    self.probes = self.probes.saturating_add(1);
                    Phase::Open(Open::probe(self.probe_open()?), probe)
                }
                Phase::Open(op, probe) => {
                    let probe = *probe;
                    match ready!(op.poll(core, now)) {
                        // Up: closed at once, before any data.
                        Ok(handle) => Phase::Close(Close::new(handle, Some(0)), probe, true),
                        Err(Error::ModuleReset) => return Poll::Ready(Err(Error::ModuleReset)),
                        Err(_) => match self.next(probe, false) {
                            Ok(next) => self.configure(next),
                            Err(cause) => self.done(cause),
                        },
                    }
                }
                Phase::Close(op, probe, ok) => {
                    let (probe, ok) = (*probe, *ok);
                    ready!(op.poll(core, now))?;
                    match self.next(probe, ok) {
                        Ok(next) => self.configure(next),
                        Err(cause) => self.done(cause),
                    }
                }
                Phase::Restore(op, cause) => {
                    let cause = *cause;
                    ready!(op.poll(core, now))?;
                    self.phase = None;
                    return Poll::Ready(Ok(Explanation {
                        cause,
                        diagnosis: self.diagnosis.take().ok_or(Error::Busy)?,
                        probes: self.probes,
                    }));
                }
            };
            self.phase = Some(next);
        }
    }
}

impl<'a> ExplainOpenFailure<'a, '_> {
    fn configure<'r>(&self, probe: Probe) -> Phase<'a, 'r> {
        Phase::Configure(
            Configure::new(self.spare, &probe.apply(&self.config)),
            probe,
        )
    }
}
