//! Building a rustls client configuration from an SSL context
//! (`AT+QSSLCFG` settings and the files they name).
//!
//! Mapping (rustls has no SSL 3.0, TLS 1.0/1.1, CBC, RC4, 3DES, static-DH,
//! PSK or DTLS):
//! - `sslversion` 3 → TLS 1.2; 4 ("all") → TLS 1.2, plus TLS 1.3 only with
//!   [`crate::SimConfig::allow_tls13`]; 0/1/2 → the open fails with 566, as
//!   on a module whose server refuses that version.
//! - `ciphersuite` `0XFFFF` → every TLS 1.2 suite of rustls' ring provider
//!   (ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA or RSA); `0XC02F` →
//!   TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 alone (needs an RSA server key);
//!   any other code of the module's list → 566.
//! - `dtls` 1 or a non-empty `psk` → 555 (operation not supported).

use std::sync::Arc;

use rustls::client::{ClientSessionStore, Resumption, WebPkiServerVerifier};
use rustls::crypto::ring;
use rustls::{ClientConfig, RootCertStore, SupportedCipherSuite};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::failure::FailReason;
use super::verifier::ModuleVerifier;
use crate::at::{ALL_CIPHER_SUITES, MODULE_CIPHER_SUITES};
use crate::clock::SharedClock;

/// The SSL context as an open uses it: settings plus file contents. The
/// engine keeps the configuration built from it per SSL context and builds a
/// new one only when this changes: rustls resumes a session only with the
/// configuration (verifier) that made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TlsSettings {
    pub ssl_version: u8,
    pub cipher_suite: u16,
    pub sec_level: u8,
    /// Contents of the `cacert` / `cacertex` files that exist.
    pub ca_files: Vec<Vec<u8>>,
    pub client_cert: Option<Vec<u8>>,
    pub client_key: Option<Vec<u8>>,
    pub ignore_local_time: bool,
    pub ignore_chain: bool,
    pub ignore_signature: bool,
    pub sni: bool,
    pub alpn: String,
    pub session_cache: bool,
    pub dtls: bool,
    pub psk: bool,
    pub allow_tls13: bool,
}

/// A built configuration and the settings it was built from.
pub(crate) type TlsCacheEntry = (TlsSettings, Result<Arc<ClientConfig>, FailReason>);

/// The codes of [`MODULE_CIPHER_SUITES`] that the simulator can negotiate
/// on their own (rustls has only `0XC02F` of them); `0XFFFF` always works.
pub fn supported_cipher_suites() -> Vec<u16> {
    let provider = ring::default_provider();
    MODULE_CIPHER_SUITES
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| {
            provider
                .cipher_suites
                .iter()
                .any(|s| u16::from(s.suite()) == *code)
        })
        .collect()
}

/// Parses certificates from PEM (or a single DER certificate).
fn parse_certs(data: &[u8]) -> Vec<CertificateDer<'static>> {
    let pem: Vec<_> = CertificateDer::pem_slice_iter(data)
        .filter_map(Result::ok)
        .collect();
    if pem.is_empty() && data.first() == Some(&0x30) {
        vec![CertificateDer::from(data.to_vec())]
    } else {
        pem
    }
}

/// Builds the configuration; the error is why the open fails (after the
/// TCP connect, as on a module).
pub(crate) fn build(
    s: &TlsSettings,
    store: &Arc<dyn ClientSessionStore>,
    clock: &SharedClock,
) -> Result<Arc<ClientConfig>, FailReason> {
    if s.dtls || s.psk {
        return Err(FailReason::NotSupported(
            "DTLS and PSK are not supported by the simulator".into(),
        ));
    }
    let tls13 = match s.ssl_version {
        3 => false,
        4 => s.allow_tls13 && s.cipher_suite == ALL_CIPHER_SUITES,
        v => {
            return Err(FailReason::Configuration(format!(
                "sslversion {v} is not supported by the simulator's TLS library"
            )))
        }
    };
    let mut provider = ring::default_provider();
    let suites: Vec<SupportedCipherSuite> = provider
        .cipher_suites
        .iter()
        .copied()
        .filter(|suite| match suite {
            SupportedCipherSuite::Tls12(_) => {
                s.cipher_suite == ALL_CIPHER_SUITES || u16::from(suite.suite()) == s.cipher_suite
            }
            SupportedCipherSuite::Tls13(_) => tls13,
        })
        .collect();
    if suites.is_empty() {
        return Err(FailReason::Configuration(format!(
            "ciphersuite 0X{:04X} is not supported by the simulator's TLS library",
            s.cipher_suite
        )));
    }
    provider.cipher_suites = suites;
    let provider = Arc::new(provider);

    let inner = if s.sec_level == 0 {
        None
    } else {
        let mut roots = RootCertStore::empty();
        for file in &s.ca_files {
            for cert in parse_certs(file) {
                let _ = roots.add(cert);
            }
        }
        if roots.is_empty() {
            return Err(FailReason::Configuration(
                "no CA certificate: the cacert file is missing or holds none".into(),
            ));
        }
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| FailReason::Configuration(format!("CA certificates: {e}")))?;
        Some(verifier)
    };
    let verifier = ModuleVerifier {
        inner,
        provider: provider.clone(),
        clock: clock.clone(),
        ignore_dates: s.ignore_local_time,
        ignore_chain: s.ignore_chain,
        ignore_signature: s.ignore_signature,
    };

    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls13 {
        &[&rustls::version::TLS12, &rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS12]
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| FailReason::Configuration(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let client_auth = match (s.sec_level, &s.client_cert, &s.client_key) {
        (2, Some(cert), Some(key)) => {
            let certs = parse_certs(cert);
            let key = PrivateKeyDer::from_pem_slice(key).ok();
            match key {
                Some(key) if !certs.is_empty() => Some((certs, key)),
                _ => None,
            }
        }
        _ => None,
    };
    let mut config = match client_auth {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .map_err(|e| FailReason::Configuration(format!("client certificate: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = s.sni;
    if !s.alpn.is_empty() {
        config.alpn_protocols = vec![s.alpn.as_bytes().to_vec()];
    }
    config.resumption = if s.session_cache {
        Resumption::store(store.clone())
    } else {
        Resumption::disabled()
    };
    Ok(Arc::new(config))
}

/// A fresh resumption store for one SSL context.
pub(crate) fn new_session_store() -> Arc<dyn ClientSessionStore> {
    Arc::new(rustls::client::ClientSessionMemoryCache::new(32))
}
