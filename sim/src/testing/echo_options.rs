//! [`EchoServerOptions`]: what kind of test server to start, and the
//! rustls server configuration made from it.

use std::io;
use std::sync::Arc;

use rustls::crypto::ring;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::pki::{KeyKind, TestPki, Validity};

/// What kind of test server to start.
#[derive(Debug, Clone)]
pub struct EchoServerOptions {
    /// Names and addresses in the server certificate.
    pub names: Vec<String>,
    /// Validity of the server certificate.
    pub validity: Validity,
    /// Key type of the server certificate.
    pub key: KeyKind,
    /// Refuse a ClientHello without SNI.
    pub require_sni: bool,
    /// Require a client certificate from the CA.
    pub require_client_cert: bool,
    /// ALPN protocols the server offers.
    pub alpn: Vec<Vec<u8>>,
    /// Close (close_notify + FIN) after echoing this many bytes.
    pub close_after: Option<usize>,
    /// Accept TCP but never answer the handshake.
    pub stall_handshake: bool,
    /// Allow TLS 1.3 as well as 1.2 (default true).
    pub tls13: bool,
    /// Count what arrives but send nothing back (a sink, for measuring one
    /// direction).
    pub sink: bool,
}

impl Default for EchoServerOptions {
    fn default() -> EchoServerOptions {
        EchoServerOptions {
            names: vec!["localhost".into(), "echo.test".into(), "127.0.0.1".into()],
            validity: Validity::current(),
            key: KeyKind::Ecdsa,
            require_sni: false,
            require_client_cert: false,
            alpn: Vec::new(),
            close_after: None,
            stall_handshake: false,
            tls13: true,
            sink: false,
        }
    }
}

impl EchoServerOptions {
    /// Adds a name or address to the server certificate.
    pub fn name(mut self, name: &str) -> Self {
        self.names.push(name.to_string());
        self
    }

    /// Sets the server certificate's validity.
    pub fn validity(mut self, validity: Validity) -> Self {
        self.validity = validity;
        self
    }

    /// Uses an RSA server key. The module reaches this server only so:
    /// rustls has only AEAD suites, and the module's one AEAD suite,
    /// 0XC02F, needs an RSA key.
    pub fn rsa(mut self) -> Self {
        self.key = KeyKind::Rsa;
        self
    }

    /// Requires SNI.
    pub fn require_sni(mut self) -> Self {
        self.require_sni = true;
        self
    }

    /// Requires a client certificate.
    pub fn require_client_cert(mut self) -> Self {
        self.require_client_cert = true;
        self
    }

    /// Offers ALPN protocols.
    pub fn alpn(mut self, protocols: &[&str]) -> Self {
        self.alpn = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
        self
    }

    /// Closes each connection after echoing `n` bytes.
    pub fn close_after(mut self, n: usize) -> Self {
        self.close_after = Some(n);
        self
    }

    /// Never answers the handshake.
    pub fn stall_handshake(mut self) -> Self {
        self.stall_handshake = true;
        self
    }

    /// Receives without echoing: a sink.
    pub fn sink(mut self) -> Self {
        self.sink = true;
        self
    }

    /// TLS 1.2 only.
    pub fn tls12_only(mut self) -> Self {
        self.tls13 = false;
        self
    }
}

struct SniCheck {
    key: Arc<CertifiedKey>,
    require_sni: bool,
}

impl std::fmt::Debug for SniCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SniCheck")
            .field("require_sni", &self.require_sni)
            .finish()
    }
}

impl ResolvesServerCert for SniCheck {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if self.require_sni && hello.server_name().is_none() {
            return None;
        }
        Some(self.key.clone())
    }
}

pub(crate) fn server_config(
    pki: &TestPki,
    options: &EchoServerOptions,
) -> io::Result<Arc<ServerConfig>> {
    let names: Vec<&str> = options.names.iter().map(String::as_str).collect();
    let issued = pki.server_cert_with(&names, options.validity, options.key);
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(issued.cert_pem.as_bytes())
            .filter_map(Result::ok)
            .collect();
    let key = PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes()).map_err(io::Error::other)?;
    let provider = Arc::new(ring::default_provider());
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(io::Error::other)?;
    let versions: &[&'static rustls::SupportedProtocolVersion] = if options.tls13 {
        &[&rustls::version::TLS12, &rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS12]
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(io::Error::other)?;
    let builder = if options.require_client_cert {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pki.ca_pem().as_bytes()).filter_map(Result::ok) {
            roots.add(cert).map_err(io::Error::other)?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(io::Error::other)?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder.with_cert_resolver(Arc::new(SniCheck {
        key: Arc::new(CertifiedKey::new(certs, signing)),
        require_sni: options.require_sni,
    }));
    config.alpn_protocols = options.alpn.clone();
    Ok(Arc::new(config))
}
