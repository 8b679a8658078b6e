//! The module's server-certificate check, on OpenSSL's verifier: the chain
//! against the context's CA files, the host name or IP address, and the
//! validity dates at the module clock (`X509_VERIFY_PARAM_set_time`), with
//! the relaxations of `ignorelocaltime` (dates only),
//! `ignoremulticertchainverify` (an untrusted top of a chain the server
//! sent intermediates for) and `ignoreinvalidcertsign` (a signature that
//! does not verify). Every other check still runs: a wrong host name fails
//! whatever is ignored.
//!
//! The first error OpenSSL reports and the check does not ignore is kept in
//! a [`VerifyLog`], so that a failed open says which check refused which
//! certificate.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::ssl::{SslRef, SslVerifyMode};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::X509StoreContextRef;

use super::failure::FailReason;

/// `X509_V_ERR_*` codes the check names.
mod code {
    pub const UNABLE_TO_GET_ISSUER_CERT: i32 = 2;
    pub const CERT_SIGNATURE_FAILURE: i32 = 7;
    pub const CERT_NOT_YET_VALID: i32 = 9;
    pub const CERT_HAS_EXPIRED: i32 = 10;
    pub const DEPTH_ZERO_SELF_SIGNED_CERT: i32 = 18;
    pub const SELF_SIGNED_CERT_IN_CHAIN: i32 = 19;
    pub const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i32 = 20;
    pub const UNABLE_TO_VERIFY_LEAF_SIGNATURE: i32 = 21;
    pub const HOSTNAME_MISMATCH: i32 = 62;
    pub const IP_ADDRESS_MISMATCH: i32 = 64;
}

/// What a context relaxes (`seclevel` 1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VerifyPolicy {
    /// `ignorelocaltime` 1.
    pub ignore_dates: bool,
    /// `ignoremulticertchainverify` 1.
    pub ignore_chain: bool,
    /// `ignoreinvalidcertsign` 1.
    pub ignore_signature: bool,
}

/// The first certificate error of one handshake that was not ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertFailure {
    /// `X509_V_ERR_*`.
    pub code: i32,
    /// OpenSSL's text for it.
    pub text: &'static str,
    /// Depth in the chain (0: the server's own certificate).
    pub depth: u32,
    /// The certificate's notBefore and notAfter, Unix seconds.
    pub window: Option<(i64, i64)>,
    /// The module clock the dates were checked against, Unix seconds.
    pub module_clock: i64,
}

impl CertFailure {
    /// The reason an open reports for it.
    pub fn reason(&self) -> FailReason {
        let (not_before, not_after) = self.window.unwrap_or((0, 0));
        match self.code {
            code::CERT_HAS_EXPIRED => FailReason::CertificateExpired {
                not_after,
                module_clock: self.module_clock,
            },
            code::CERT_NOT_YET_VALID => FailReason::CertificateNotYetValid {
                not_before,
                module_clock: self.module_clock,
            },
            code::UNABLE_TO_GET_ISSUER_CERT
            | code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
            | code::UNABLE_TO_VERIFY_LEAF_SIGNATURE
            | code::DEPTH_ZERO_SELF_SIGNED_CERT
            | code::SELF_SIGNED_CERT_IN_CHAIN => FailReason::UnknownIssuer,
            code::CERT_SIGNATURE_FAILURE => FailReason::BadSignature,
            code::HOSTNAME_MISMATCH | code::IP_ADDRESS_MISMATCH => FailReason::NameMismatch,
            _ => FailReason::Certificate(format!(
                "{} (X509_V_ERR {} at depth {})",
                self.text, self.code, self.depth
            )),
        }
    }
}

/// What the verifier saw during one handshake.
#[derive(Debug, Default)]
pub(crate) struct VerifyLog {
    failure: Mutex<Option<CertFailure>>,
    ignored: Mutex<Vec<&'static str>>,
}

impl VerifyLog {
    /// The error that failed the check, if one did.
    pub fn failure(&self) -> Option<CertFailure> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    /// OpenSSL's text of each error the context's relaxations let pass.
    pub fn ignored(&self) -> Vec<&'static str> {
        self.ignored.lock().map(|i| i.clone()).unwrap_or_default()
    }
}

/// Unix seconds of an ASN.1 time.
fn unix_of(time: &Asn1TimeRef) -> Option<i64> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let diff = epoch.diff(time).ok()?;
    Some(i64::from(diff.days) * 86_400 + i64::from(diff.secs))
}

/// Turns on the server check for one connection: the expected name or
/// address, the module clock, and a callback that applies `policy` and
/// records the verdict.
pub(crate) fn install(
    ssl: &mut SslRef,
    policy: VerifyPolicy,
    address: &str,
    module_clock: i64,
) -> Result<Arc<VerifyLog>, FailReason> {
    let param = ssl.param_mut();
    match address.parse::<IpAddr>() {
        Ok(ip) => param.set_ip(ip),
        Err(_) => param.set_host(address),
    }
    .map_err(|e| FailReason::Configuration(format!("server name {address:?}: {e}")))?;
    if policy.ignore_dates {
        // (A time set with `set_time` would win over this flag.)
        param
            .set_flags(X509VerifyFlags::NO_CHECK_TIME)
            .map_err(|e| FailReason::Configuration(e.to_string()))?;
    } else {
        param.set_time(module_clock as _);
    }
    let log = Arc::new(VerifyLog::default());
    let seen = log.clone();
    ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
        if ok {
            return true;
        }
        let error = ctx.error();
        let code = error.as_raw();
        if ignored(policy, code, ctx) {
            if let Ok(mut ignored) = seen.ignored.lock() {
                ignored.push(error.error_string());
            }
            return true;
        }
        if let Ok(mut failure) = seen.failure.lock() {
            if failure.is_none() {
                let window = ctx.current_cert().and_then(|cert| {
                    Some((unix_of(cert.not_before())?, unix_of(cert.not_after())?))
                });
                *failure = Some(CertFailure {
                    code,
                    text: error.error_string(),
                    depth: ctx.error_depth(),
                    window,
                    module_clock,
                });
            }
        }
        false
    });
    Ok(log)
}

/// Whether `policy` lets the verifier error `code` pass.
fn ignored(policy: VerifyPolicy, code: i32, ctx: &X509StoreContextRef) -> bool {
    match code {
        code::CERT_SIGNATURE_FAILURE => policy.ignore_signature,
        code::UNABLE_TO_GET_ISSUER_CERT
        | code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | code::UNABLE_TO_VERIFY_LEAF_SIGNATURE
        | code::SELF_SIGNED_CERT_IN_CHAIN => policy.ignore_chain && sent_intermediates(ctx),
        _ => false,
    }
}

/// Whether the server sent more than its own certificate.
fn sent_intermediates(ctx: &X509StoreContextRef) -> bool {
    let Ok(index) = openssl::x509::X509StoreContext::ssl_idx() else {
        return false;
    };
    ctx.ex_data(index)
        .and_then(|ssl| ssl.peer_cert_chain())
        .is_some_and(|chain| chain.len() > 1)
}
