//! What made an open fail, and how a person reads it.

use core::fmt;

use crate::command::device::DateTime;
use crate::command::ssl_config::SslVersion;

/// What made an open fail, as far as a module lets anyone find out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Cause {
    /// The PDP context is not active: `AT+QIACT` it first.
    PdpInactive,
    /// The host name did not resolve (the open answered 565): check the
    /// name, and the context's DNS servers (`AT+QIDNSCFG`).
    HostNotResolved,
    /// Authentication is on, but the CA certificate file is not configured
    /// or not on the module: upload it (`AT+QFUPL`).
    CaCertMissing,
    /// A configured client certificate or key file is not on the module.
    ClientFileMissing,
    /// Nothing answers on that port (a plain TCP connection fails too):
    /// wrong host or port, a firewall, or the server is down.
    PortClosed,
    /// The server's certificate is not valid at the module's clock: set
    /// the clock (`AT+CCLK`), or the certificate really expired.
    CertificateDates {
        /// The module clock when it was asked.
        clock: Option<DateTime>,
    },
    /// The server's certificate does not lead to the configured CA or is
    /// not for the host name (a module cannot tell the two apart): check
    /// that the uploaded CA issued it and that it names the host.
    CertificateNotTrusted,
    /// The server sends an incomplete chain (its intermediates do not
    /// verify): fix the server, or trust the intermediate.
    ChainIncomplete,
    /// A signature in the server's chain does not verify.
    BadSignature,
    /// No cipher suite in common: the server needs another one. `key`
    /// says which kind, when a probe found out.
    NoSharedCipher {
        /// The kind of key the server's certificate has.
        key: Option<ServerKey>,
    },
    /// The server refuses the configured protocol version; `works` is the
    /// newest one it accepted (older, and weaker).
    VersionRefused {
        /// A version the server accepts.
        works: Option<SslVersion>,
    },
    /// The server needs SNI (it is off): turn it on.
    SniRequired,
    /// The server refuses the handshake when SNI is sent (rare; servers
    /// reached by address).
    SniRefused,
    /// The port answers, but every handshake is refused, however relaxed:
    /// the server most likely wants a client certificate (`seclevel` 2 with
    /// `clientcert` / `clientkey`), or does not speak TLS on that port.
    ClientCertificateRequired,
    /// The open works now: the failure was transient (the network, the
    /// server's load).
    Transient,
    /// Nothing the probes tried explains it.
    Unknown,
}

/// The kind of key a server's certificate has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ServerKey {
    /// RSA: `0XC02F` (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) reaches it.
    Rsa,
    /// ECDSA: `0XC023` (TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256) reaches it.
    Ecdsa,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PdpInactive => {
                f.write_str("the PDP context is not active: activate it (AT+QIACT)")
            }
            Self::HostNotResolved => {
                f.write_str("the host name did not resolve: check it and the DNS servers")
            }
            Self::CaCertMissing => f.write_str(
                "authentication is on but the CA certificate is not on the module: upload it",
            ),
            Self::ClientFileMissing => {
                f.write_str("a configured client certificate or key is not on the module")
            }
            Self::PortClosed => f.write_str(
                "nothing answers on that port: check the host and port (the server may be down)",
            ),
            Self::CertificateDates { clock: Some(c) } => write!(
                f,
                "the server's certificate is not valid at the module's clock \
                 {:04}-{:02}-{:02} {:02}:{:02}: set the clock (AT+CCLK)",
                c.year(),
                c.month(),
                c.day(),
                c.hour(),
                c.minute()
            ),
            Self::CertificateDates { clock: None } => f.write_str(
                "the server's certificate is not valid at the module's clock: set the clock",
            ),
            Self::CertificateNotTrusted => f.write_str(
                "the server's certificate is not issued by the configured CA, or not for this \
                 host name",
            ),
            Self::ChainIncomplete => f.write_str("the server's certificate chain does not verify"),
            Self::BadSignature => {
                f.write_str("a signature in the server's certificate chain does not verify")
            }
            Self::NoSharedCipher {
                key: Some(ServerKey::Ecdsa),
            } => f.write_str("no shared cipher suite: the server needs ECDSA (e.g. 0XC023)"),
            Self::NoSharedCipher {
                key: Some(ServerKey::Rsa),
            } => f.write_str("no shared cipher suite: the server needs RSA (e.g. 0XC02F)"),
            Self::NoSharedCipher { key: None } => {
                f.write_str("no shared cipher suite: offer all (0XFFFF)")
            }
            Self::VersionRefused { works: Some(v) } => write!(
                f,
                "the server refuses the configured protocol version; it accepts {v:?} (weaker)"
            ),
            Self::VersionRefused { works: None } => {
                f.write_str("the server refuses the configured protocol version")
            }
            Self::SniRequired => f.write_str("the server needs SNI: turn it on"),
            Self::SniRefused => f.write_str("the server refuses the handshake when SNI is sent"),
            Self::ClientCertificateRequired => f.write_str(
                "the port answers but every handshake is refused: the server most likely wants \
                 a client certificate (or does not speak TLS there)",
            ),
            Self::Transient => f.write_str("the open works now: the failure was transient"),
            Self::Unknown => f.write_str("no probe explains the failure"),
        }
    }
}
