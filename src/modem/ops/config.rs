//! Configure an SSL context in one call, from a typed [`SslConfig`].

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use crate::command::ssl_config::{
    Alpn, CaCert, CipherSuite, ClientCert, ClientKey, CloseTimeMode, Dtls, DtlsVersion,
    IgnoreInvalidCertSign, IgnoreLocalTime, IgnoreMultiCertChainVerify, Psk, Renegotiation,
    SecLevel, SessionCache, SetSslConfig, Sni, SslSetting, SslVersion,
};
use crate::command::{answers_ok, AtCommand};
use crate::error::{Error, ParamError};
use crate::modem::core::Core;
use crate::types::{AlpnName, FileName, NegotiateTime, SslContextId};
use crate::wire::Encoder;

/// Everything an SSL context needs, in one value. [`SslConfig::default`] is
/// secure; every weaker choice is an explicit field, documented with its
/// risk.
///
/// Every setting that matters for security is written on each
/// [`Configure`], whatever the module's defaults are (they differ between
/// firmware builds: `sni` and `ignorelocaltime` among them).
///
/// # Example
///
/// The secure defaults for a server whose chain ends at an uploaded CA; the
/// same for a server reached by its IP address (no name to send, the
/// certificate still checked); and a lab server's configuration without
/// authentication, which [`is_weakened`](Self::is_weakened) reports. The
/// modem is the one of the [`Modem`](crate::Modem) example.
///
/// ```
/// # let (_sim, uart) = quectel_sim::Simulator::start(quectel_sim::SimConfig::fast());
/// # let mut modem: quectel_ssl::Modem<'_, _, _> =
/// #     quectel_ssl::Modem::new(uart, quectel_ssl::modem::StdTimer::new());
/// # modem.init()?;
/// use quectel_ssl::command::ssl_config::SecLevel;
/// use quectel_ssl::{FileName, SslConfig, SslContextId};
///
/// let ca = FileName::new("UFS:cacert.pem")?;
/// let server = SslConfig::with_ca(ca);
/// assert!(!server.is_weakened());
/// modem.configure_ssl(SslContextId::new(1)?, &server)?;
///
/// let by_address = SslConfig { sni: false, ..SslConfig::with_ca(ca) };
/// assert!(!by_address.is_weakened());
/// modem.configure_ssl(SslContextId::new(2)?, &by_address)?;
///
/// let lab = SslConfig { security: SecLevel::NoAuthentication, ..SslConfig::default() };
/// assert!(lab.is_weakened());
/// // Authentication needs a CA: refused before a byte is written.
/// assert!(SslConfig::default().check().is_err());
/// # Ok::<(), quectel_ssl::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SslConfig<'a> {
    /// Protocol version. Default TLS 1.2. SSL 3.0 is broken (POODLE), TLS
    /// 1.0/1.1 are deprecated (RFC 8996); `All` lets a server, or anyone in
    /// the middle, pick the weakest.
    pub version: SslVersion,
    /// Cipher suite. Default `All` (`0XFFFF`), with TLS 1.2 only.
    ///
    /// The module's setting takes one suite or all 31; it can't say "all
    /// but the weak ones", and no single suite reaches both RSA and ECDSA
    /// servers (`0XC02F`, its only AEAD suite, needs an RSA key; ECDSA
    /// certificates, common today, need an `EcdheEcdsa*` suite). So the
    /// default offers all and lets the server choose, with the version held
    /// to TLS 1.2: no SSL 3.0 / TLS 1.0 / 1.1 fallback, and TLS 1.2's
    /// `Finished` messages authenticate the whole handshake, the suites
    /// offered included, so no one on the path can downgrade the choice.
    /// What remains is the server's own choice: a maintained server does
    /// not negotiate RC4, 3DES or MD5 (they are off in current TLS
    /// libraries), and one with its own order of preference picks an ECDHE
    /// suite; a server that takes the client's order may pick static RSA
    /// (`0X0035`, no forward secrecy), the first of the module's list.
    ///
    /// The strict choices stay explicit: `EcdheRsaAes128GcmSha256`
    /// (`0XC02F`) for an RSA server (AEAD, forward secrecy), or
    /// `EcdheEcdsaAes128CbcSha256` (`0XC023`) for an ECDSA one.
    pub cipher: CipherSuite,
    /// Who is authenticated. Default: the server, against `ca_cert`.
    /// `NoAuthentication` accepts any certificate: anyone on the path can
    /// read and change the traffic.
    pub security: SecLevel,
    /// File of the trusted CA certificate (needed unless `security` is
    /// `NoAuthentication`), e.g. `RAM:cacert.pem`.
    pub ca_cert: Option<FileName<'a>>,
    /// Client certificate and key files, for servers that ask for one
    /// (with `SecLevel::ServerAndClient`).
    pub client_auth: Option<(FileName<'a>, FileName<'a>)>,
    /// Check the certificates' validity dates against the module clock
    /// (set it with `AT+CCLK` first). Default `true`. `false` accepts expired
    /// and not-yet-valid certificates, revoked keys among them.
    pub check_validity: bool,
    /// Send Server Name Indication. Default `true`: most servers need it to
    /// present the right certificate. `false` only for IP-address servers:
    /// without it a server may present its default certificate, for another
    /// name (the handshake fails, or with authentication off you reach
    /// another site).
    pub sni: bool,
    /// TLS handshake timeout. Default 120 s.
    pub negotiate_time: NegotiateTime,
    /// Verify multi-level certificate chains. Default `true`; `false` skips
    /// the intermediates' checks (weak: a certificate issued by something
    /// that is not an authorised CA can pass).
    pub verify_chain: bool,
    /// Reject certificates with an invalid signature. Default `true`;
    /// `false` accepts forged certificates (insecure: as good as no
    /// authentication).
    pub verify_signature: bool,
    /// ALPN protocol to offer (`None`: no ALPN extension).
    pub alpn: Option<AlpnName<'a>>,
    /// TLS session resumption. `None` leaves the module's setting.
    pub session_cache: Option<bool>,
    /// TLS renegotiation. Default off (`Some(false)`): renegotiation has a
    /// history of attacks (prefix injection, CVE-2009-3555; triple
    /// handshake) and few servers need it. `Some(true)` and `None` (the
    /// module's setting, unknown) are weaker.
    pub renegotiation: Option<bool>,
    /// Pre-shared key. `None` leaves the module's setting.
    ///
    /// Only as strong as the key: a short or human-chosen key is guessed
    /// offline from one recorded handshake, a key shared by many devices
    /// opens all of them when one leaks, and PSK without (EC)DHE has no
    /// forward secrecy. The key is never logged; `Debug` prints `<hidden>`.
    pub psk: Option<Psk<'a>>,
    /// Unit of `AT+QSSLCLOSE`'s timeout. `None` leaves the module's setting
    /// (seconds by default). The engine's close waits in the same unit.
    pub close_time_mode: Option<CloseTimeMode>,
    /// DTLS over UDP instead of TLS over TCP, in this version. Default
    /// `None` (TLS; `dtls` is written 0). A DTLS socket carries datagrams:
    /// send them with [`Modem::send_datagram`](crate::Modem::send_datagram)
    /// (one per call, at most 1460 bytes) and read them with
    /// [`Modem::recv_datagram`](crate::Modem::recv_datagram) (one per call,
    /// boundaries kept); buffer and direct-push access only (the module
    /// refuses transparent access: a byte stream has no boundaries). DTLS
    /// 1.0 is deprecated (RFC 8996), as TLS 1.0 is.
    pub dtls: Option<DtlsVersion>,
}

impl Default for SslConfig<'_> {
    fn default() -> Self {
        Self {
            version: SslVersion::Tls12,
            cipher: CipherSuite::All,
            security: SecLevel::Server,
            ca_cert: None,
            client_auth: None,
            check_validity: true,
            sni: true,
            negotiate_time: match NegotiateTime::new(120) {
                Ok(time) => time,
                Err(_) => NegotiateTime::MAX,
            },
            verify_chain: true,
            verify_signature: true,
            alpn: None,
            session_cache: None,
            renegotiation: Some(false),
            psk: None,
            close_time_mode: None,
            dtls: None,
        }
    }
}

impl<'a> SslConfig<'a> {
    /// The secure defaults, trusting the CA in `ca_cert`.
    pub fn with_ca(ca_cert: FileName<'a>) -> Self {
        Self {
            ca_cert: Some(ca_cert),
            ..Self::default()
        }
    }

    /// `true` if any choice is weaker than the defaults: another version
    /// than TLS 1.2, a weak cipher suite on its own (RC4, 3DES, MD5), no
    /// authentication, validity dates, chain or signatures not checked, or
    /// renegotiation not turned off. (`All` is the default: with TLS 1.2
    /// the server chooses, see [`cipher`](Self::cipher). `sni: false` and a
    /// PSK are not counted: they do not weaken the checks of a server
    /// certificate.)
    pub fn is_weakened(&self) -> bool {
        !matches!(self.version, SslVersion::Tls12)
            || (self.cipher.is_weak() && self.cipher != CipherSuite::All)
            || self.dtls == Some(DtlsVersion::Dtls10)
            || self.security == SecLevel::NoAuthentication
            || !self.check_validity
            || !self.verify_chain
            || !self.verify_signature
            || self.renegotiation != Some(false)
    }

    /// Refuse a configuration that can't work: authentication without a CA,
    /// client authentication without a certificate.
    pub fn check(&self) -> Result<(), Error> {
        if self.security != SecLevel::NoAuthentication && self.ca_cert.is_none() {
            return Err(Error::param("cacert", ParamError::Empty));
        }
        if self.security == SecLevel::ServerAndClient && self.client_auth.is_none() {
            return Err(Error::param("clientcert", ParamError::Empty));
        }
        Ok(())
    }

    /// The `i`-th `AT+QSSLCFG` write of this configuration (`None` past the
    /// last): built one at a time so that [`Configure`] stays small.
    fn step(&self, ctx: SslContextId, i: usize) -> Option<Step<'a>> {
        let optional = [
            self.ca_cert
                .map(|ca| Step::CaCert(SetSslConfig::new(ctx, CaCert(ca)))),
            self.client_auth
                .map(|(cert, _)| Step::ClientCert(SetSslConfig::new(ctx, ClientCert(cert)))),
            self.client_auth
                .map(|(_, key)| Step::ClientKey(SetSslConfig::new(ctx, ClientKey(key)))),
            self.alpn
                .map(|alpn| Step::Alpn(SetSslConfig::new(ctx, Alpn(alpn)))),
            self.session_cache
                .map(|on| Step::SessionCache(SetSslConfig::new(ctx, SessionCache(on)))),
            self.renegotiation
                .map(|on| Step::Renegotiation(SetSslConfig::new(ctx, Renegotiation(on)))),
            self.psk.map(|psk| Step::Psk(SetSslConfig::new(ctx, psk))),
            self.close_time_mode
                .map(|mode| Step::CloseTimeMode(SetSslConfig::new(ctx, mode))),
            self.dtls
                .map(|version| Step::DtlsVersion(SetSslConfig::new(ctx, version))),
        ];
        let always = [
            Step::Version(SetSslConfig::new(ctx, self.version)),
            Step::Cipher(SetSslConfig::new(ctx, self.cipher)),
            Step::Security(SetSslConfig::new(ctx, self.security)),
            Step::Validity(SetSslConfig::new(
                ctx,
                IgnoreLocalTime(!self.check_validity),
            )),
            Step::Sni(SetSslConfig::new(ctx, Sni(self.sni))),
            Step::Negotiate(SetSslConfig::new(ctx, self.negotiate_time)),
            Step::Chain(SetSslConfig::new(
                ctx,
                IgnoreMultiCertChainVerify(!self.verify_chain),
            )),
            Step::Signature(SetSslConfig::new(
                ctx,
                IgnoreInvalidCertSign(!self.verify_signature),
            )),
            Step::Dtls(SetSslConfig::new(ctx, Dtls(self.dtls.is_some()))),
        ];
        always
            .into_iter()
            .chain(optional.into_iter().flatten())
            .nth(i)
    }
}

/// One `AT+QSSLCFG` write of a configuration.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Version(SetSslConfig<SslVersion>),
    Cipher(SetSslConfig<CipherSuite>),
    Security(SetSslConfig<SecLevel>),
    CaCert(SetSslConfig<CaCert<'a>>),
    ClientCert(SetSslConfig<ClientCert<'a>>),
    ClientKey(SetSslConfig<ClientKey<'a>>),
    Validity(SetSslConfig<IgnoreLocalTime>),
    Sni(SetSslConfig<Sni>),
    Negotiate(SetSslConfig<NegotiateTime>),
    Chain(SetSslConfig<IgnoreMultiCertChainVerify>),
    Signature(SetSslConfig<IgnoreInvalidCertSign>),
    Alpn(SetSslConfig<Alpn<'a>>),
    SessionCache(SetSslConfig<SessionCache>),
    Renegotiation(SetSslConfig<Renegotiation>),
    Psk(SetSslConfig<Psk<'a>>),
    CloseTimeMode(SetSslConfig<CloseTimeMode>),
    Dtls(SetSslConfig<Dtls>),
    DtlsVersion(SetSslConfig<DtlsVersion>),
}

fn encode_set<S: SslSetting>(cmd: &SetSslConfig<S>, e: &mut Encoder<'_>) {
    cmd.encode(e);
}

impl AtCommand for Step<'_> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        match self {
            Step::Version(c) => encode_set(c, e),
            Step::Cipher(c) => encode_set(c, e),
            Step::Security(c) => encode_set(c, e),
            Step::CaCert(c) => encode_set(c, e),
            Step::ClientCert(c) => encode_set(c, e),
            Step::ClientKey(c) => encode_set(c, e),
            Step::Validity(c) => encode_set(c, e),
            Step::Sni(c) => encode_set(c, e),
            Step::Negotiate(c) => encode_set(c, e),
            Step::Chain(c) => encode_set(c, e),
            Step::Signature(c) => encode_set(c, e),
            Step::Alpn(c) => encode_set(c, e),
            Step::SessionCache(c) => encode_set(c, e),
            Step::Renegotiation(c) => encode_set(c, e),
            Step::Psk(c) => encode_set(c, e),
            Step::CloseTimeMode(c) => encode_set(c, e),
            Step::Dtls(c) => encode_set(c, e),
            Step::DtlsVersion(c) => encode_set(c, e),
        }
    }
}

/// Write an [`SslConfig`] to an SSL context: one `AT+QSSLCFG` per setting,
/// stopping at the first refusal. The engine keeps the context's
/// `negotiatetime` for its open timeouts.
pub struct Configure<'a> {
    context: SslContextId,
    config: SslConfig<'a>,
    next: usize,
    current: Option<Exchange<Step<'a>>>,
    checked: Result<(), Error>,
}

impl<'a> Configure<'a> {
    /// Configure `context` with `config`.
    pub fn new(context: SslContextId, config: &SslConfig<'a>) -> Self {
        Self {
            context,
            config: *config,
            next: 0,
            current: None,
            checked: config.check(),
        }
    }
}

impl Sealed for Configure<'_> {}

impl<'r> Op<'r> for Configure<'_> {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        self.checked.clone()?;
        loop {
            let exchange = match self.current.as_mut() {
                Some(exchange) => exchange,
                None => {
                    let Some(step) = self.config.step(self.context, self.next) else {
                        core.set_negotiate_time(self.context, self.config.negotiate_time);
                        core.set_context_modes(
                            self.context,
                            self.config
                                .close_time_mode
                                .map(|m| m == CloseTimeMode::Milliseconds),
                            Some(self.config.dtls.is_some()),
                        );
                        return Poll::Ready(Ok(()));
                    };
                    self.current.insert(Exchange::new(step))
                }
            };
            ready!(exchange.poll(core, now))?;
            self.current = None;
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every weak opt-in of the README's Security table is reported.
    #[test]
    fn every_weak_choice_is_reported() {
        let ca = FileName::new("RAM:ca.pem").unwrap();
        let secure = SslConfig::with_ca(ca);
        assert!(!secure.is_weakened());
        assert!(!SslConfig::default().is_weakened());
        let weak = [
            SslConfig {
                security: SecLevel::NoAuthentication,
                ..secure
            },
            SslConfig {
                version: SslVersion::Ssl30,
                ..secure
            },
            SslConfig {
                version: SslVersion::Tls10,
                ..secure
            },
            SslConfig {
                version: SslVersion::Tls11,
                ..secure
            },
            SslConfig {
                version: SslVersion::All,
                ..secure
            },
            SslConfig {
                cipher: CipherSuite::RsaRc4128Md5,
                ..secure
            },
            SslConfig {
                cipher: CipherSuite::Rsa3desEdeCbcSha,
                ..secure
            },
            SslConfig {
                cipher: CipherSuite::RsaRc4128Sha,
                ..secure
            },
            // All suites with a version other than TLS 1.2 only.
            SslConfig {
                version: SslVersion::Tls11,
                ..secure
            },
            SslConfig {
                check_validity: false,
                ..secure
            },
            SslConfig {
                verify_chain: false,
                ..secure
            },
            SslConfig {
                verify_signature: false,
                ..secure
            },
            // Was not reported before: renegotiation on, or left to the module.
            SslConfig {
                renegotiation: Some(true),
                ..secure
            },
            SslConfig {
                renegotiation: None,
                ..secure
            },
        ];
        for config in weak {
            assert!(config.is_weakened(), "{config:?}");
        }
        let not_weaker = SslConfig {
            sni: false,
            cipher: CipherSuite::EcdheEcdsaAes128CbcSha256,
            ..secure
        };
        assert!(!not_weaker.is_weakened());
        // The default offers every suite, with TLS 1.2 only.
        assert_eq!(secure.cipher, CipherSuite::All);
        assert_eq!(secure.version, SslVersion::Tls12);
        assert!(!secure.is_weakened());
    }
}
