//! Why an open failed, as the simulator's own TCP stack and TLS library
//! (OpenSSL) saw it. A real module only ever says `566` (or 565, 569): the simulator keeps
//! the real reason in its transcript, its log and
//! [`crate::SimHandle::open_failures`], so that a diagnosis made from the
//! driver's side can be checked against the truth.

use std::fmt;

use crate::clock::ClockValue;
use crate::error_code::QiError;

/// The real reason of one failed `AT+QSSLOPEN`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailReason {
    /// The host name did not resolve.
    Dns,
    /// No socket could be made.
    NoSocket,
    /// The TCP connect was refused, or the address is unreachable.
    ConnectRefused,
    /// The TCP connect did not finish within the connect timeout.
    ConnectTimeout,
    /// The TLS handshake did not finish within `negotiatetime`.
    HandshakeTimeout,
    /// The simulator cannot do what the context asks (reported as 555).
    NotSupported(String),
    /// The SSL context cannot be used as configured (text says why: no CA
    /// file, a key that does not parse, a setting the TLS library refuses).
    Configuration(String),
    /// The server's certificate (or one of its chain) expired before the
    /// module clock's time.
    CertificateExpired {
        /// Its notAfter, Unix seconds.
        not_after: i64,
        /// The module clock at the check, Unix seconds.
        module_clock: i64,
    },
    /// The server's certificate (or one of its chain) is valid only after
    /// the module clock's time.
    CertificateNotYetValid {
        /// Its notBefore, Unix seconds.
        not_before: i64,
        /// The module clock at the check, Unix seconds.
        module_clock: i64,
    },
    /// The chain does not lead to a CA of the context.
    UnknownIssuer,
    /// A signature of the chain does not verify.
    BadSignature,
    /// The certificate is not for the host name the open asked for.
    NameMismatch,
    /// Another problem with the server's certificate.
    Certificate(String),
    /// The server refused the ClientHello outright, with the alert
    /// `handshake_failure` or `insufficient_security` as its first answer:
    /// what servers send when they share no cipher suite with the offer
    /// (or, more rarely, no curve or signature algorithm).
    NoSharedCipher,
    /// No protocol version in common: the server refused the versions
    /// offered (alert `protocol_version`), or chose one the context does
    /// not allow.
    ProtocolVersionRefused,
    /// The server ended the handshake with this TLS alert, named as in
    /// RFC 5246 in CamelCase (`HandshakeFailure` after the ClientHello was
    /// answered, typically a missing client certificate; `BadRecordMac` or
    /// `DecryptError` for a wrong PSK key; `CertificateRequired`, ...).
    PeerAlert(String),
    /// The server closed the connection during the handshake.
    PeerClosed,
    /// The server chose something the context does not allow.
    PeerIncompatible(String),
    /// Any other TLS failure.
    Tls(String),
}

impl FailReason {
    /// The code a module reports for this reason.
    pub fn code(&self) -> QiError {
        match self {
            FailReason::Dns => QiError::DnsFailed,
            FailReason::NoSocket => QiError::CreateSocketFailed,
            FailReason::NotSupported(_) => QiError::NotSupported,
            FailReason::ConnectTimeout | FailReason::HandshakeTimeout => QiError::Timeout,
            _ => QiError::ConnectFailed,
        }
    }

    /// `true` for a certificate validity-date failure.
    pub fn is_date(&self) -> bool {
        matches!(
            self,
            FailReason::CertificateExpired { .. } | FailReason::CertificateNotYetValid { .. }
        )
    }
}

fn date(unix: i64) -> String {
    let c = ClockValue::from_unix(unix, 0);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::Dns => write!(f, "the host name did not resolve"),
            FailReason::NoSocket => write!(f, "no socket could be made"),
            FailReason::ConnectRefused => write!(f, "TCP connect refused or unreachable"),
            FailReason::ConnectTimeout => write!(f, "TCP connect timed out"),
            FailReason::HandshakeTimeout => write!(f, "TLS handshake timed out"),
            FailReason::NotSupported(why) => write!(f, "not supported: {why}"),
            FailReason::Configuration(why) => write!(f, "SSL context unusable: {why}"),
            FailReason::CertificateExpired {
                not_after,
                module_clock,
            } => write!(
                f,
                "certificate expired: notAfter {}, module clock {}",
                date(*not_after),
                date(*module_clock)
            ),
            FailReason::CertificateNotYetValid {
                not_before,
                module_clock,
            } => write!(
                f,
                "certificate not yet valid: notBefore {}, module clock {}",
                date(*not_before),
                date(*module_clock)
            ),
            FailReason::UnknownIssuer => write!(f, "certificate issued by an unknown CA"),
            FailReason::BadSignature => write!(f, "certificate signature does not verify"),
            FailReason::NameMismatch => write!(f, "certificate is not for the host name"),
            FailReason::Certificate(why) => write!(f, "certificate refused: {why}"),
            FailReason::NoSharedCipher => write!(
                f,
                "the server refused the ClientHello (no cipher suite in common)"
            ),
            FailReason::ProtocolVersionRefused => {
                write!(f, "no protocol version in common with the server")
            }
            FailReason::PeerAlert(alert) => write!(f, "the server sent the alert {alert}"),
            FailReason::PeerClosed => write!(f, "the server closed during the handshake"),
            FailReason::PeerIncompatible(why) => write!(f, "the server is incompatible: {why}"),
            FailReason::Tls(why) => write!(f, "TLS error: {why}"),
        }
    }
}

/// One failed open, as [`crate::SimHandle::open_failures`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFailure {
    /// The socket (`<clientID>`).
    pub client: u8,
    /// The code the module reported.
    pub code: QiError,
    /// What really happened.
    pub reason: FailReason,
}
