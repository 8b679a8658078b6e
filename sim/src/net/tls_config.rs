//! Building the module's TLS client from an SSL context (`AT+QSSLCFG`
//! settings and the files they name): an OpenSSL context per SSL context,
//! and per connection the name, the module clock and the session.
//!
//! Mapping:
//! - `sslversion` 0 / 1 / 2 / 3 → SSL 3.0 / TLS 1.0 / 1.1 / 1.2 alone; 4
//!   ("all") → SSL 3.0 to TLS 1.2, and TLS 1.3 as well only with
//!   [`crate::SimConfig::allow_tls13`] and `ciphersuite` `0XFFFF`.
//! - `dtls` 1 → DTLS over UDP, `dtlsversion` 0 / 1 → DTLS 1.0 / 1.2.
//! - `ciphersuite` → that suite alone, `0XFFFF` → the module's suites this
//!   OpenSSL has (see [`super::suites`]); with a `psk` set, OpenSSL's PSK
//!   suites too. Security level 0, as the module allows all of them.
//! - `seclevel` 0 → no check; 1 → [`super::verifier`]; 2 → also the client
//!   certificate and key, which must exist, parse and match.
//! - `renegotiation` 0 → a server's renegotiation request is refused
//!   (`no_renegotiation` alert); 1 → accepted.
//! - `sni`, `alpn`, `session_cache` as named.

use std::net::IpAddr;
use std::sync::Arc;

use openssl::pkey::{PKey, Private};
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

use super::failure::FailReason;
use super::session::SessionStore;
use super::suites::{cipher_string, load_legacy_provider, SECURITY_LEVEL};
use super::verifier::{install, VerifyLog, VerifyPolicy};
use crate::at::ALL_CIPHER_SUITES;

/// The SSL context as an open uses it: settings plus file contents. The
/// engine keeps the client built from it per SSL context and builds a new
/// one only when this changes (a session is resumed only by the OpenSSL
/// context that made it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TlsSettings {
    pub ssl_version: u8,
    pub cipher_suite: u16,
    pub sec_level: u8,
    /// Contents of the `cacert` / `cacertex` files that exist.
    pub ca_files: Vec<Vec<u8>>,
    /// `clientcert` / `clientkey`: the path, and the contents if the file
    /// exists.
    pub client_cert: (String, Option<Vec<u8>>),
    pub client_key: (String, Option<Vec<u8>>),
    pub ignore_local_time: bool,
    pub ignore_chain: bool,
    pub ignore_signature: bool,
    pub sni: bool,
    pub alpn: String,
    pub session_cache: bool,
    pub dtls: bool,
    pub dtls_version: u8,
    pub psk_identity: String,
    pub psk_key: String,
    pub renegotiation: bool,
    pub allow_tls13: bool,
}

/// A built client, or why an open with these settings fails.
pub(crate) type TlsClient = Result<Arc<ClientContext>, FailReason>;

/// A built client and the settings it was built from.
pub(crate) type TlsCacheEntry = (TlsSettings, TlsClient);

/// The module's TLS client for one SSL context.
pub(crate) struct ClientContext {
    ctx: SslContext,
    /// DTLS over UDP rather than TLS over TCP.
    pub datagram: bool,
    sni: bool,
    verify: Option<VerifyPolicy>,
    session_cache: bool,
    /// The context's session cache.
    pub sessions: SessionStore,
}

/// One connection's OpenSSL object and what its verifier records.
pub(crate) struct Connecting {
    pub ssl: Ssl,
    pub verify: Option<Arc<VerifyLog>>,
}

impl ClientContext {
    /// A connection to `address` (as given to `AT+QSSLOPEN`) and `port`,
    /// checked at the module clock `now` (Unix seconds).
    pub fn connection(&self, address: &str, port: u16, now: i64) -> Result<Connecting, FailReason> {
        let tls = |e: openssl::error::ErrorStack| FailReason::Tls(e.to_string());
        let mut ssl = Ssl::new(&self.ctx).map_err(tls)?;
        if self.datagram {
            // Loopback carries any size; 1460 bytes of data plus the
            // record's overhead must stay one datagram.
            ssl.set_mtu(4096).map_err(tls)?;
        }
        let is_ip = address.parse::<IpAddr>().is_ok();
        if self.sni && !is_ip {
            ssl.set_hostname(address).map_err(tls)?;
        }
        let verify = match self.verify {
            Some(policy) => Some(install(&mut ssl, policy, address, now)?),
            None => None,
        };
        if self.session_cache {
            self.sessions.offer((address, port), &mut ssl);
        }
        Ok(Connecting { ssl, verify })
    }

    /// Whether the context keeps sessions.
    pub fn caches_sessions(&self) -> bool {
        self.session_cache
    }
}

/// The version range of `sslversion` (or `dtlsversion` with DTLS).
fn versions(s: &TlsSettings) -> (SslVersion, SslVersion) {
    if s.dtls {
        return match s.dtls_version {
            0 => (SslVersion::DTLS1, SslVersion::DTLS1),
            _ => (SslVersion::DTLS1_2, SslVersion::DTLS1_2),
        };
    }
    match s.ssl_version {
        0 => (SslVersion::SSL3, SslVersion::SSL3),
        1 => (SslVersion::TLS1, SslVersion::TLS1),
        2 => (SslVersion::TLS1_1, SslVersion::TLS1_1),
        3 => (SslVersion::TLS1_2, SslVersion::TLS1_2),
        _ if s.allow_tls13 && s.cipher_suite == ALL_CIPHER_SUITES => {
            (SslVersion::SSL3, SslVersion::TLS1_3)
        }
        _ => (SslVersion::SSL3, SslVersion::TLS1_2),
    }
}

/// Parses certificates from PEM (or a single DER certificate).
fn parse_certs(data: &[u8]) -> Vec<X509> {
    match X509::stack_from_pem(data) {
        Ok(certs) if !certs.is_empty() => certs,
        _ => X509::from_der(data).map(|c| vec![c]).unwrap_or_default(),
    }
}

/// Parses a private key from PEM or DER.
fn parse_key(data: &[u8]) -> Option<PKey<Private>> {
    PKey::private_key_from_pem(data)
        .or_else(|_| PKey::private_key_from_der(data))
        .ok()
}

/// A PSK key as the `psk` setting gives it: hexadecimal, as OpenSSL's and
/// mbedTLS's tools take it.
fn psk_bytes(key: &str) -> Result<Vec<u8>, FailReason> {
    let bad = || FailReason::Configuration("the psk key is not hexadecimal".into());
    if !key.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..key.len())
        .step_by(2)
        .map(|i| {
            key.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// Builds the client; the error is why an open fails (after the TCP
/// connect, as on a module, or 555 for what the simulator cannot do).
pub(crate) fn build(s: &TlsSettings) -> TlsClient {
    load_legacy_provider();
    let config = |what: &str, e: openssl::error::ErrorStack| {
        FailReason::Configuration(format!("{what}: {e}"))
    };
    let method = if s.dtls {
        SslMethod::dtls_client()
    } else {
        SslMethod::tls_client()
    };
    let mut b = SslContextBuilder::new(method).map_err(|e| config("context", e))?;
    b.set_security_level(SECURITY_LEVEL);
    let (min, max) = versions(s);
    b.set_min_proto_version(Some(min))
        .and_then(|()| b.set_max_proto_version(Some(max)))
        .map_err(|e| config("sslversion", e))?;
    let psk = !s.psk_identity.is_empty() || !s.psk_key.is_empty();
    let ciphers = cipher_string(s.cipher_suite, psk).map_err(FailReason::NotSupported)?;
    b.set_cipher_list(&ciphers)
        .map_err(|e| config("ciphersuite", e))?;
    if !s.renegotiation {
        b.set_options(SslOptions::NO_RENEGOTIATION);
    }
    b.set_mode(SslMode::AUTO_RETRY);
    if s.dtls {
        // The datagram size is set per connection, not asked of the socket.
        b.set_options(SslOptions::NO_QUERY_MTU);
    }
    if psk {
        set_psk(&mut b, s)?;
    }
    let verify = if s.sec_level == 0 {
        b.set_verify(SslVerifyMode::NONE);
        None
    } else {
        trust(&mut b, &s.ca_files)?;
        Some(VerifyPolicy {
            ignore_dates: s.ignore_local_time,
            ignore_chain: s.ignore_chain,
            ignore_signature: s.ignore_signature,
        })
    };
    if s.sec_level == 2 {
        client_auth(&mut b, s)?;
    }
    if !s.alpn.is_empty() {
        let mut wire = vec![s.alpn.len() as u8];
        wire.extend_from_slice(s.alpn.as_bytes());
        b.set_alpn_protos(&wire).map_err(|e| config("alpn", e))?;
    }
    Ok(Arc::new(ClientContext {
        ctx: b.build(),
        datagram: s.dtls,
        sni: s.sni,
        verify,
        session_cache: s.session_cache,
        sessions: SessionStore::default(),
    }))
}

/// The CA certificates of `cacert` and `cacertex` as trust anchors.
fn trust(b: &mut SslContextBuilder, ca_files: &[Vec<u8>]) -> Result<(), FailReason> {
    let mut anchors = 0;
    for cert in ca_files.iter().flat_map(|f| parse_certs(f)) {
        if b.cert_store_mut().add_cert(cert).is_ok() {
            anchors += 1;
        }
    }
    if anchors == 0 {
        return Err(FailReason::Configuration(
            "no CA certificate: the cacert file is missing or holds none".into(),
        ));
    }
    b.set_verify(SslVerifyMode::PEER);
    Ok(())
}

/// `seclevel` 2: the client certificate and key, which must be there.
fn client_auth(b: &mut SslContextBuilder, s: &TlsSettings) -> Result<(), FailReason> {
    let missing = |what: &str, path: &str| {
        FailReason::Configuration(if path.is_empty() {
            format!("seclevel 2 and no {what} configured")
        } else {
            format!("seclevel 2 and the {what} file {path:?} does not exist")
        })
    };
    let (cert_path, cert) = &s.client_cert;
    let (key_path, key) = &s.client_key;
    let cert = cert
        .as_deref()
        .ok_or_else(|| missing("clientcert", cert_path))?;
    let key = key
        .as_deref()
        .ok_or_else(|| missing("clientkey", key_path))?;
    let mut certs = parse_certs(cert).into_iter();
    let leaf = certs.next().ok_or_else(|| {
        FailReason::Configuration(format!(
            "the clientcert file {cert_path:?} holds no certificate"
        ))
    })?;
    let key = parse_key(key).ok_or_else(|| {
        FailReason::Configuration(format!("the clientkey file {key_path:?} does not parse"))
    })?;
    let refused = |e: openssl::error::ErrorStack| {
        FailReason::Configuration(format!("client certificate and key: {e}"))
    };
    let mismatch = |_| {
        FailReason::Configuration(format!(
            "the clientkey {key_path:?} is not the key of the clientcert {cert_path:?}"
        ))
    };
    b.set_certificate(&leaf).map_err(refused)?;
    for extra in certs {
        b.add_extra_chain_cert(extra).map_err(refused)?;
    }
    b.set_private_key(&key).map_err(mismatch)?;
    b.check_private_key().map_err(mismatch)
}

/// `psk`: the identity and key the client answers a PSK server with.
fn set_psk(b: &mut SslContextBuilder, s: &TlsSettings) -> Result<(), FailReason> {
    let key = psk_bytes(&s.psk_key)?;
    let identity = s.psk_identity.clone().into_bytes();
    b.set_psk_client_callback(move |_ssl, _hint, identity_out, key_out| {
        // The identity is written as a C string.
        if identity.len() >= identity_out.len() || key.len() > key_out.len() {
            return Ok(0);
        }
        identity_out[..identity.len()].copy_from_slice(&identity);
        identity_out[identity.len()] = 0;
        key_out[..key.len()].copy_from_slice(&key);
        Ok(key.len())
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_keys_are_hexadecimal() {
        assert_eq!(psk_bytes("0a1B").unwrap(), vec![0x0a, 0x1b]);
        assert!(psk_bytes("abc").is_err());
        assert!(psk_bytes("zz").is_err());
        assert_eq!(psk_bytes("").unwrap(), Vec::<u8>::new());
    }
}
