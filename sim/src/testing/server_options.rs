//! [`TlsServerOptions`]: what kind of OpenSSL test server to start (TLS or
//! DTLS), and the server context made from it, with the client-hello hook
//! that records what each client offered.

use std::io;
use std::sync::OnceLock;

use openssl::ex_data::Index;
use openssl::pkey::PKey;
use openssl::ssl::{
    ClientHelloResponse, Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions, SslRef,
    SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

use super::pki::{CertAndKey, KeyKind, TestPki, Validity};
use crate::net::{load_legacy_provider, SECURITY_LEVEL};

/// A protocol version a test server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    /// SSL 3.0.
    Ssl3,
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// DTLS 1.0.
    Dtls10,
    /// DTLS 1.2.
    Dtls12,
}

impl Protocol {
    fn openssl(self) -> SslVersion {
        match self {
            Protocol::Ssl3 => SslVersion::SSL3,
            Protocol::Tls10 => SslVersion::TLS1,
            Protocol::Tls11 => SslVersion::TLS1_1,
            Protocol::Tls12 => SslVersion::TLS1_2,
            Protocol::Tls13 => SslVersion::TLS1_3,
            Protocol::Dtls10 => SslVersion::DTLS1,
            Protocol::Dtls12 => SslVersion::DTLS1_2,
        }
    }

    /// OpenSSL's name, as [`crate::HandshakeInfo::protocol`] and
    /// [`super::TlsConnection::protocol`] give it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ssl3 => "SSLv3",
            Protocol::Tls10 => "TLSv1",
            Protocol::Tls11 => "TLSv1.1",
            Protocol::Tls12 => "TLSv1.2",
            Protocol::Tls13 => "TLSv1.3",
            Protocol::Dtls10 => "DTLSv1",
            Protocol::Dtls12 => "DTLSv1.2",
        }
    }
}

/// What kind of OpenSSL test server to start. The default speaks SSL 3.0
/// to TLS 1.2 (DTLS 1.0 to 1.2 for [`super::DtlsServer`]) with every suite
/// this OpenSSL has at security level 0, and holds both an RSA and an
/// ECDSA certificate, so it can negotiate each of the module's suites.
#[derive(Debug, Clone)]
pub struct TlsServerOptions {
    /// Names and addresses in the server certificates.
    pub names: Vec<String>,
    /// Validity of the server certificates.
    pub validity: Validity,
    /// The certificates' key types (one certificate per key type).
    pub keys: Vec<KeyKind>,
    /// Lowest and highest version spoken (TLS ones; a DTLS server maps
    /// them to DTLS 1.0 / 1.2 unless they are DTLS ones already).
    pub versions: (Protocol, Protocol),
    /// The only suites accepted (IANA codes of the module's list); `None`:
    /// every suite this OpenSSL has.
    pub suites: Option<Vec<u16>>,
    /// Require a client certificate from the CA.
    pub require_client_cert: bool,
    /// Accept this PSK identity and key, with PSK suites only.
    pub psk: Option<(String, Vec<u8>)>,
    /// Serve certificates whose signature does not verify.
    pub bad_signature: bool,
    /// Serve certificates issued by an intermediate CA, sending the chain.
    pub intermediate: bool,
    /// Configured like a server on the Internet (see
    /// [`TlsServerOptions::as_deployed`]).
    pub deployed: bool,
}

impl Default for TlsServerOptions {
    fn default() -> TlsServerOptions {
        TlsServerOptions {
            names: vec!["localhost".into(), "echo.test".into(), "127.0.0.1".into()],
            validity: Validity::current(),
            keys: vec![KeyKind::Rsa, KeyKind::Ecdsa],
            versions: (Protocol::Ssl3, Protocol::Tls12),
            suites: None,
            require_client_cert: false,
            psk: None,
            bad_signature: false,
            intermediate: false,
            deployed: false,
        }
    }
}

impl TlsServerOptions {
    /// Adds a name or address to the server certificates.
    pub fn name(mut self, name: &str) -> Self {
        self.names.push(name.to_string());
        self
    }

    /// Sets the certificates' validity.
    pub fn validity(mut self, validity: Validity) -> Self {
        self.validity = validity;
        self
    }

    /// Configured as servers on the Internet are: TLS 1.2 (the module's
    /// newest),
    /// OpenSSL's `DEFAULT` suites at its default security level (no RC4,
    /// 3DES, MD5, export or NULL suites), and the server's own order of
    /// preference, strongest first.
    pub fn as_deployed(mut self) -> Self {
        self.versions = (Protocol::Tls12, Protocol::Tls12);
        self.deployed = true;
        self
    }

    /// One certificate, with this key type.
    pub fn key(mut self, key: KeyKind) -> Self {
        self.keys = vec![key];
        self
    }

    /// Speaks `min` to `max`.
    pub fn versions(mut self, min: Protocol, max: Protocol) -> Self {
        self.versions = (min, max);
        self
    }

    /// Speaks `version` alone.
    pub fn only(self, version: Protocol) -> Self {
        self.versions(version, version)
    }

    /// Accepts these suites only.
    pub fn suites(mut self, codes: &[u16]) -> Self {
        self.suites = Some(codes.to_vec());
        self
    }

    /// Requires a client certificate.
    pub fn require_client_cert(mut self) -> Self {
        self.require_client_cert = true;
        self
    }

    /// A PSK server: this identity and key, PSK suites only.
    pub fn psk(mut self, identity: &str, key: &[u8]) -> Self {
        self.psk = Some((identity.to_string(), key.to_vec()));
        self
    }

    /// Certificates with a signature that does not verify.
    pub fn bad_signature(mut self) -> Self {
        self.bad_signature = true;
        self
    }

    /// Certificates issued by an intermediate CA, chain sent.
    pub fn via_intermediate(mut self) -> Self {
        self.intermediate = true;
        self
    }
}

/// What the client-hello hook saw on one connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hello {
    /// ClientHellos so far (a renegotiation brings another).
    pub count: usize,
    /// The suites of the latest one, signalling values removed.
    pub offered: Vec<u16>,
}

/// Where the hook keeps [`Hello`] on each connection.
pub(crate) fn hello_index() -> Option<Index<Ssl, Hello>> {
    static INDEX: OnceLock<Option<Index<Ssl, Hello>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index::<Hello>().ok())
}

/// What the hook recorded on `ssl`.
pub(crate) fn hello_of(ssl: &SslRef) -> Hello {
    hello_index()
        .and_then(|i| ssl.ex_data(i).cloned())
        .unwrap_or_default()
}

/// Cipher suite codes of a ClientHello, without the signalling values
/// (`TLS_EMPTY_RENEGOTIATION_INFO_SCSV`, `TLS_FALLBACK_SCSV`).
fn suite_codes(raw: &[u8]) -> Vec<u16> {
    raw.chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .filter(|c| *c != 0x00FF && *c != 0x5600)
        .collect()
}

/// The certificate and key of one key type, as the options ask.
fn credentials(pki: &TestPki, options: &TlsServerOptions, key: KeyKind) -> CertAndKey {
    let names: Vec<&str> = options.names.iter().map(String::as_str).collect();
    if options.intermediate {
        pki.server_cert_via_intermediate(&names, options.validity, key)
    } else {
        pki.server_cert_with(&names, options.validity, key)
    }
}

/// The server context for `options`, TLS or DTLS.
pub(crate) fn server_context(
    pki: &TestPki,
    options: &TlsServerOptions,
    dtls: bool,
) -> io::Result<SslContext> {
    load_legacy_provider();
    let err = io::Error::other;
    let method = if dtls {
        SslMethod::dtls_server()
    } else {
        SslMethod::tls_server()
    };
    let mut b = SslContextBuilder::new(method).map_err(err)?;
    b.set_security_level(if options.deployed { 1 } else { SECURITY_LEVEL });
    if options.deployed {
        b.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    }
    let (mut min, mut max) = options.versions;
    if dtls && min < Protocol::Dtls10 {
        (min, max) = (Protocol::Dtls10, Protocol::Dtls12);
    }
    b.set_min_proto_version(Some(min.openssl())).map_err(err)?;
    b.set_max_proto_version(Some(max.openssl())).map_err(err)?;
    let ciphers = match (&options.suites, &options.psk) {
        (_, Some(_)) => "PSK:@SECLEVEL=0".to_string(),
        (Some(codes), None) => {
            let names: Vec<&str> = codes
                .iter()
                .filter_map(|c| crate::net::openssl_name(*c))
                .collect();
            format!("{}:@SECLEVEL=0", names.join(":"))
        }
        (None, None) if options.deployed => "DEFAULT".to_string(),
        (None, None) => "ALL:@SECLEVEL=0".to_string(),
    };
    b.set_cipher_list(&ciphers).map_err(err)?;
    if dtls {
        b.set_options(SslOptions::NO_QUERY_MTU);
    }
    for kind in &options.keys {
        let issued = credentials(pki, options, *kind);
        let mut chain = X509::stack_from_pem(issued.cert_pem.as_bytes()).map_err(err)?;
        if chain.is_empty() {
            return Err(io::Error::other("no certificate issued"));
        }
        let mut leaf = chain.remove(0);
        if options.bad_signature {
            let mut der = leaf.to_der().map_err(err)?;
            if let Some(last) = der.last_mut() {
                *last ^= 0x01;
            }
            leaf = X509::from_der(&der).map_err(err)?;
        }
        b.set_certificate(&leaf).map_err(err)?;
        let key = PKey::private_key_from_pem(issued.key_pem.as_bytes()).map_err(err)?;
        b.set_private_key(&key).map_err(err)?;
        for extra in chain {
            b.add_extra_chain_cert(extra).map_err(err)?;
        }
    }
    b.set_session_id_context(b"quectel-sim test server")
        .map_err(err)?;
    if options.require_client_cert {
        for ca in X509::stack_from_pem(pki.ca_pem().as_bytes()).map_err(err)? {
            b.cert_store_mut().add_cert(ca).map_err(err)?;
        }
        b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    if let Some((identity, key)) = options.psk.clone() {
        b.set_psk_server_callback(move |_ssl, client_identity, out| {
            if client_identity != Some(identity.as_bytes()) || key.len() > out.len() {
                return Ok(0);
            }
            out[..key.len()].copy_from_slice(&key);
            Ok(key.len())
        });
    }
    b.set_client_hello_callback(|ssl, _alert| {
        let offered = ssl
            .client_hello_ciphers()
            .map(suite_codes)
            .unwrap_or_default();
        if let Some(index) = hello_index() {
            match ssl.ex_data_mut(index) {
                Some(hello) => {
                    hello.count += 1;
                    hello.offered = offered;
                }
                None => ssl.set_ex_data(index, Hello { count: 1, offered }),
            }
        }
        Ok(ClientHelloResponse::SUCCESS)
    });
    Ok(b.build())
}

/// The IANA code of the suite negotiated on `ssl`.
pub(crate) fn suite_code(ssl: &SslRef) -> u16 {
    ssl.current_cipher()
        .map_or(0, |c| u16::from_be_bytes(c.protocol_id()))
}
