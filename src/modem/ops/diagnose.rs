//! Why would an open fail? The vendor note's §4 checklist as one operation.

use core::fmt;
use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use crate::command::device::{DateTime, GetClock};
use crate::command::file::ListFiles;
use crate::command::pdp::{DnsConfig, GetDnsConfig, GetPdpContexts, PdpContextState};
use crate::command::ssl_config::{
    CaCert, CipherSuite, ClientCert, ClientKey, FilePath, GetSslConfig, IgnoreLocalTime, SecLevel,
    Sni, SslVersion,
};
use crate::command::{Fold, DEFAULT_TIMEOUT_MS};
use crate::error::Error;
use crate::modem::core::Core;
use crate::types::{FilePattern, PdpContextId, SslContextId};

/// What the module said about everything an open depends on. A query that
/// failed leaves its field `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// The PDP context checked.
    pub pdp_context: PdpContextId,
    /// The SSL context checked.
    pub ssl_context: SslContextId,
    /// Is the PDP context active (`AT+QIACT?`), and its address.
    pub pdp: Option<(bool, heapless::String<64>)>,
    /// DNS servers of the PDP context (`AT+QIDNSCFG=<ctx>`).
    pub dns: Option<DnsConfig>,
    /// `sslversion`
    pub version: Option<SslVersion>,
    /// `ciphersuite`
    pub cipher: Option<CipherSuite>,
    /// `seclevel`
    pub security: Option<SecLevel>,
    /// `cacert`
    pub ca_cert: Option<FilePath>,
    /// `clientcert`
    pub client_cert: Option<FilePath>,
    /// `clientkey`
    pub client_key: Option<FilePath>,
    /// `ignorelocaltime`
    pub ignore_local_time: Option<bool>,
    /// `sni`
    pub sni: Option<bool>,
    /// The module clock (`AT+CCLK?`).
    pub clock: Option<DateTime>,
    /// Whether the `cacert`, `clientcert` and `clientkey` files are on the
    /// module (RAM or UFS), `None` if the listing failed or the path is unset.
    pub files_present: [Option<bool>; 3],
}

/// One thing in a [`Diagnosis`] that can make an open fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Finding {
    /// The PDP context is not active: `AT+QIACT` it first.
    PdpInactive,
    /// No DNS server could be read: host names will not resolve.
    NoDns,
    /// SSL 3.0 / TLS 1.0 / 1.1: many servers refuse them.
    OldVersion,
    /// One specific cipher suite: the server must support exactly it.
    SingleCipher,
    /// Server authentication on, but no CA certificate configured.
    NoCaCert,
    /// The configured CA certificate file is not on the module.
    CaCertMissing,
    /// A client certificate or key file is configured but not on the module.
    ClientFileMissing,
    /// Validity dates are checked, and the module clock is before 2024:
    /// set it with `AT+CCLK`, or every certificate looks not yet valid.
    ClockNotSet,
    /// SNI is off: servers with several names present the wrong certificate.
    SniOff,
}

impl Finding {
    /// A sentence for a person.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::PdpInactive => "PDP context not active: activate it with AT+QIACT",
            Self::NoDns => "no DNS server configured or readable: host names will not resolve",
            Self::OldVersion => "SSL 3.0 / TLS 1.0 / TLS 1.1 selected: most servers refuse them",
            Self::SingleCipher => "a single cipher suite is selected: the server must support it",
            Self::NoCaCert => "server authentication is on but no CA certificate is configured",
            Self::CaCertMissing => "the configured CA certificate is not on the module (AT+QFUPL)",
            Self::ClientFileMissing => {
                "a configured client certificate or key is not on the module"
            }
            Self::ClockNotSet => "module clock not set (AT+CCLK) while validity dates are checked",
            Self::SniOff => "SNI is off: virtual hosts will present the wrong certificate",
        }
    }
}

impl Diagnosis {
    fn new(pdp_context: PdpContextId, ssl_context: SslContextId) -> Self {
        Self {
            pdp_context,
            ssl_context,
            pdp: None,
            dns: None,
            version: None,
            cipher: None,
            security: None,
            ca_cert: None,
            client_cert: None,
            client_key: None,
            ignore_local_time: None,
            sni: None,
            clock: None,
            files_present: [None; 3],
        }
    }

    /// What in this diagnosis can make an open fail.
    pub fn findings(&self) -> heapless::Vec<Finding, 9> {
        let mut found = heapless::Vec::new();
        let mut add = |f| {
            // Each finding is added at most once: 9 fit.
            let _ = found.push(f);
        };
        if !matches!(self.pdp, Some((true, _))) {
            add(Finding::PdpInactive);
        }
        let dns_ok = self
            .dns
            .as_ref()
            .is_some_and(|d| !d.primary.is_empty() && d.primary != "0.0.0.0");
        if !dns_ok {
            add(Finding::NoDns);
        }
        if matches!(
            self.version,
            Some(SslVersion::Ssl30 | SslVersion::Tls10 | SslVersion::Tls11)
        ) {
            add(Finding::OldVersion);
        }
        if self.cipher.is_some_and(|c| c != CipherSuite::All) {
            add(Finding::SingleCipher);
        }
        let authenticates = matches!(
            self.security,
            Some(SecLevel::Server | SecLevel::ServerAndClient)
        );
        match self.ca_cert.as_deref() {
            None | Some("") if authenticates => add(Finding::NoCaCert),
            _ if authenticates && self.files_present[0] == Some(false) => {
                add(Finding::CaCertMissing)
            }
            _ => {}
        }
        if self.files_present[1..].contains(&Some(false)) {
            add(Finding::ClientFileMissing);
        }
        if self.ignore_local_time == Some(false) && self.clock.is_none_or(|c| c.year() < 2024) {
            add(Finding::ClockNotSet);
        }
        if self.sni == Some(false) {
            add(Finding::SniOff);
        }
        found
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn or_unknown<T: fmt::Debug>(v: &Option<T>) -> &dyn fmt::Debug {
            match v {
                Some(v) => v,
                None => &"(query failed)",
            }
        }
        writeln!(
            f,
            "open diagnosis, PDP context {}, SSL context {}",
            self.pdp_context, self.ssl_context
        )?;
        match &self.pdp {
            Some((active, address)) => writeln!(f, "  PDP context active: {active} {address}")?,
            None => writeln!(f, "  PDP context active: (query failed)")?,
        }
        match &self.dns {
            Some(d) => writeln!(f, "  DNS: {} / {}", d.primary, d.secondary)?,
            None => writeln!(f, "  DNS: (query failed: context not active?)")?,
        }
        writeln!(f, "  sslversion: {:?}", or_unknown(&self.version))?;
        writeln!(f, "  ciphersuite: {:?}", or_unknown(&self.cipher))?;
        writeln!(f, "  seclevel: {:?}", or_unknown(&self.security))?;
        writeln!(f, "  cacert: {:?}", or_unknown(&self.ca_cert))?;
        writeln!(f, "  clientcert: {:?}", or_unknown(&self.client_cert))?;
        writeln!(f, "  clientkey: {:?}", or_unknown(&self.client_key))?;
        writeln!(
            f,
            "  ignorelocaltime: {:?}",
            or_unknown(&self.ignore_local_time)
        )?;
        writeln!(f, "  sni: {:?}", or_unknown(&self.sni))?;
        writeln!(f, "  clock: {:?}", or_unknown(&self.clock))?;
        let findings = self.findings();
        if findings.is_empty() {
            writeln!(f, "  no problem found")?;
        }
        for finding in findings {
            writeln!(f, "  problem: {}", finding.describe())?;
        }
        Ok(())
    }
}

/// Run the note's §4 checklist for an open on `pdp` with `ssl`:
/// `AT+QIACT?`, `AT+QIDNSCFG=<pdp>`, the context's version, cipher,
/// seclevel, certificate and SNI settings, the files on the module, and the
/// module clock. Never fails on a refused query: that is a finding too.
pub struct Diagnose {
    report: Option<Diagnosis>,
    step: u8,
    current: Option<Query>,
}

/// `AT+QIACT?`, keeping only one context's line.
type PdpOf = Fold<GetPdpContexts, PdpContextId, Option<PdpContextState>>;

fn pdp_of(pdp: PdpContextId) -> PdpOf {
    Fold::new(GetPdpContexts, pdp, |want, found, ctx| {
        if ctx.context == *want {
            *found = Some(ctx);
        }
    })
    .with_timeout(DEFAULT_TIMEOUT_MS)
}

/// `AT+QFLST="<pattern>"`, keeping only whether each wanted name is there.
type FindFiles = Fold<ListFiles<'static, 0>, [FilePath; 3], [bool; 3]>;

fn find_files(pattern: FilePattern<'static>, wanted: [FilePath; 3]) -> FindFiles {
    Fold::new(ListFiles { pattern }, wanted, |wanted, found, entry| {
        for (found, name) in found.iter_mut().zip(wanted.iter()) {
            *found |= !name.is_empty() && entry.is(name);
        }
    })
}

enum Query {
    Pdp(Exchange<PdpOf>),
    Dns(Exchange<GetDnsConfig>),
    Version(Exchange<GetSslConfig<SslVersion>>),
    Cipher(Exchange<GetSslConfig<CipherSuite>>),
    Security(Exchange<GetSslConfig<SecLevel>>),
    Ca(Exchange<GetSslConfig<CaCert<'static>>>),
    ClientCert(Exchange<GetSslConfig<ClientCert<'static>>>),
    ClientKey(Exchange<GetSslConfig<ClientKey<'static>>>),
    LocalTime(Exchange<GetSslConfig<IgnoreLocalTime>>),
    Sni(Exchange<GetSslConfig<Sni>>),
    Clock(Exchange<GetClock>),
    Files(Exchange<FindFiles>),
}

impl Diagnose {
    /// Check an open on PDP context `pdp` with SSL context `ssl`.
    pub fn new(pdp: PdpContextId, ssl: SslContextId) -> Self {
        Self {
            report: Some(Diagnosis::new(pdp, ssl)),
            step: 0,
            current: None,
        }
    }

    fn query(step: u8, report: &Diagnosis) -> Option<Query> {
        let (pdp, ssl) = (report.pdp_context, report.ssl_context);
        let files = |pattern| {
            let wanted = [&report.ca_cert, &report.client_cert, &report.client_key]
                .map(|p| p.clone().unwrap_or_default());
            FilePattern::new(pattern)
                .ok()
                .map(|pattern| Exchange::new(find_files(pattern, wanted)))
        };
        Some(match step {
            0 => Query::Pdp(Exchange::new(pdp_of(pdp))),
            1 => Query::Dns(Exchange::new(GetDnsConfig { context: pdp })),
            2 => Query::Version(Exchange::new(GetSslConfig::new(ssl))),
            3 => Query::Cipher(Exchange::new(GetSslConfig::new(ssl))),
            4 => Query::Security(Exchange::new(GetSslConfig::new(ssl))),
            5 => Query::Ca(Exchange::new(GetSslConfig::new(ssl))),
            6 => Query::ClientCert(Exchange::new(GetSslConfig::new(ssl))),
            7 => Query::ClientKey(Exchange::new(GetSslConfig::new(ssl))),
            8 => Query::LocalTime(Exchange::new(GetSslConfig::new(ssl))),
            9 => Query::Sni(Exchange::new(GetSslConfig::new(ssl))),
            10 => Query::Clock(Exchange::new(GetClock)),
            11 => Query::Files(files("RAM:*")?),
            12 => Query::Files(files("*")?),
            _ => return None,
        })
    }
}

impl Sealed for Diagnose {}

impl<'r> Op<'r> for Diagnose {
    type Output = Diagnosis;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<Diagnosis, Error>> {
        loop {
            let Some(report) = self.report.as_mut() else {
                return Poll::Ready(Err(Error::Busy));
            };
            if self.current.is_none() {
                match Self::query(self.step, report) {
                    Some(query) => self.current = Some(query),
                    None => {
                        return Poll::Ready(self.report.take().ok_or(Error::Busy));
                    }
                }
            }
            let Some(current) = self.current.as_mut() else {
                continue;
            };
            // Each answer fills its field; a refused query leaves it `None`.
            match current {
                Query::Pdp(q) => {
                    let context = report.pdp_context;
                    report.pdp = ready!(q.poll(core, now)).ok().map(|found| {
                        found
                            .filter(|c| c.context == context)
                            .map_or((false, heapless::String::new()), |c| (c.active, c.address))
                    })
                }
                Query::Dns(q) => report.dns = ready!(q.poll(core, now)).ok(),
                Query::Version(q) => {
                    report.version = ready!(q.poll(core, now)).ok().map(|v| v.value)
                }
                Query::Cipher(q) => report.cipher = ready!(q.poll(core, now)).ok().map(|v| v.value),
                Query::Security(q) => {
                    report.security = ready!(q.poll(core, now)).ok().map(|v| v.value)
                }
                Query::Ca(q) => report.ca_cert = ready!(q.poll(core, now)).ok().map(|v| v.value),
                Query::ClientCert(q) => {
                    report.client_cert = ready!(q.poll(core, now)).ok().map(|v| v.value)
                }
                Query::ClientKey(q) => {
                    report.client_key = ready!(q.poll(core, now)).ok().map(|v| v.value)
                }
                Query::LocalTime(q) => {
                    report.ignore_local_time = ready!(q.poll(core, now)).ok().map(|v| v.value)
                }
                Query::Sni(q) => report.sni = ready!(q.poll(core, now)).ok().map(|v| v.value),
                Query::Clock(q) => report.clock = ready!(q.poll(core, now)).ok(),
                Query::Files(q) => {
                    // Present in either listing counts; a path left unset
                    // stays `None`.
                    if let Ok(found) = ready!(q.poll(core, now)) {
                        for ((present, found), path) in report
                            .files_present
                            .iter_mut()
                            .zip(found)
                            .zip([&report.ca_cert, &report.client_cert, &report.client_key])
                        {
                            if path.as_ref().is_some_and(|p| !p.is_empty()) {
                                *present = Some(present.unwrap_or(false) || found);
                            }
                        }
                    }
                }
            }
            self.current = None;
            self.step += 1;
        }
    }
}
