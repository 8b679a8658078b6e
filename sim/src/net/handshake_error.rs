//! From what OpenSSL says about a failed handshake to a [`FailReason`]: the
//! certificate check's own record first, then the alert the server sent,
//! then OpenSSL's reason codes.

use openssl::ssl::{Error, ErrorCode};

use super::failure::FailReason;
use super::mem_io::ALERT_RECORD;
use super::verifier::VerifyLog;

/// `SSL_R_*` reason codes (OpenSSL's `sslerr.h`) the mapping names.
mod reason {
    /// A received alert is reported as this plus its description.
    pub const ALERT_OFFSET: i32 = 1000;
    pub const CERTIFICATE_VERIFY_FAILED: i32 = 134;
    pub const VERSION_TOO_HIGH: i32 = 166;
    pub const NO_CIPHERS_AVAILABLE: i32 = 181;
    pub const NO_PROTOCOLS_AVAILABLE: i32 = 191;
    pub const UNSUPPORTED_PROTOCOL: i32 = 258;
    pub const WRONG_CIPHER_RETURNED: i32 = 261;
    pub const WRONG_SSL_VERSION: i32 = 266;
    pub const WRONG_VERSION_NUMBER: i32 = 267;
    pub const UNEXPECTED_EOF_WHILE_READING: i32 = 294;
    pub const VERSION_TOO_LOW: i32 = 396;
}

/// TLS alert descriptions (RFC 5246, 8446) by number, CamelCase.
const ALERTS: [(u8, &str); 31] = [
    (0, "CloseNotify"),
    (10, "UnexpectedMessage"),
    (20, "BadRecordMac"),
    (21, "DecryptionFailed"),
    (22, "RecordOverflow"),
    (30, "DecompressionFailure"),
    (40, "HandshakeFailure"),
    (41, "NoCertificate"),
    (42, "BadCertificate"),
    (43, "UnsupportedCertificate"),
    (44, "CertificateRevoked"),
    (45, "CertificateExpired"),
    (46, "CertificateUnknown"),
    (47, "IllegalParameter"),
    (48, "UnknownCa"),
    (49, "AccessDenied"),
    (50, "DecodeError"),
    (51, "DecryptError"),
    (60, "ExportRestriction"),
    (70, "ProtocolVersion"),
    (71, "InsufficientSecurity"),
    (80, "InternalError"),
    (86, "InappropriateFallback"),
    (90, "UserCanceled"),
    (100, "NoRenegotiation"),
    (109, "MissingExtension"),
    (110, "UnsupportedExtension"),
    (112, "UnrecognizedName"),
    (115, "UnknownPskIdentity"),
    (116, "CertificateRequired"),
    (120, "NoApplicationProtocol"),
];

/// The CamelCase name of alert `description`.
pub(crate) fn alert_name(description: u8) -> String {
    ALERTS
        .iter()
        .find(|(d, _)| *d == description)
        .map_or_else(|| format!("Unknown({description})"), |(_, n)| n.to_string())
}

/// The reason for a received alert; `refused_hello` when the alert was the
/// server's first record (its whole answer to the ClientHello).
fn from_alert(description: u8, refused_hello: bool) -> FailReason {
    match description {
        70 => FailReason::ProtocolVersionRefused,
        40 | 71 if refused_hello => FailReason::NoSharedCipher,
        d => FailReason::PeerAlert(alert_name(d)),
    }
}

/// Why the handshake failed with `error`. `verify` is the certificate
/// check's record; `first_byte` the first byte the server sent.
pub(crate) fn handshake_failure(
    error: &Error,
    verify: Option<&VerifyLog>,
    first_byte: Option<u8>,
) -> FailReason {
    if let Some(failure) = verify.and_then(VerifyLog::failure) {
        return failure.reason();
    }
    let refused_hello = first_byte == Some(ALERT_RECORD);
    let stack = error.ssl_error().map(|s| s.errors()).unwrap_or_default();
    for e in stack {
        let r = e.reason_code();
        if (reason::ALERT_OFFSET..reason::ALERT_OFFSET + 256).contains(&r) {
            return from_alert((r - reason::ALERT_OFFSET) as u8, refused_hello);
        }
        match r {
            reason::UNSUPPORTED_PROTOCOL
            | reason::WRONG_SSL_VERSION
            | reason::VERSION_TOO_LOW
            | reason::VERSION_TOO_HIGH => return FailReason::ProtocolVersionRefused,
            reason::NO_CIPHERS_AVAILABLE | reason::NO_PROTOCOLS_AVAILABLE => {
                return FailReason::Configuration(format!(
                    "no cipher suite of the context can be used with its protocol versions ({})",
                    e.reason().unwrap_or("no ciphers available")
                ))
            }
            reason::WRONG_CIPHER_RETURNED => {
                return FailReason::PeerIncompatible(
                    "the server chose a cipher suite that was not offered".into(),
                )
            }
            reason::WRONG_VERSION_NUMBER => {
                return FailReason::PeerIncompatible("the server does not speak TLS".into())
            }
            reason::UNEXPECTED_EOF_WHILE_READING => return FailReason::PeerClosed,
            reason::CERTIFICATE_VERIFY_FAILED => {
                return FailReason::Certificate("verification failed".into())
            }
            _ => {}
        }
    }
    if error.code() == ErrorCode::SYSCALL || error.code() == ErrorCode::ZERO_RETURN {
        return FailReason::PeerClosed;
    }
    match stack.first().and_then(|e| e.reason()) {
        Some(text) => FailReason::Tls(text.to_string()),
        None => FailReason::Tls(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_by_name_and_meaning() {
        assert_eq!(alert_name(40), "HandshakeFailure");
        assert_eq!(alert_name(116), "CertificateRequired");
        assert_eq!(alert_name(200), "Unknown(200)");
        assert_eq!(from_alert(40, true), FailReason::NoSharedCipher);
        assert_eq!(
            from_alert(40, false),
            FailReason::PeerAlert("HandshakeFailure".into())
        );
        assert_eq!(from_alert(70, false), FailReason::ProtocolVersionRefused);
    }
}
