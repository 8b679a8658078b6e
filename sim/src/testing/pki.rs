//! [`TestPki`]: a certificate authority made at run time, and the server and
//! client certificates it signs.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;

/// A fixed 2048-bit RSA key, only for test servers that must have an RSA
/// key (suite `0XC02F`): ring, which rcgen uses here, cannot generate RSA
/// keys. Never use it for anything else.
const RSA_TEST_KEY: &str = include_str!("rsa-test-key.pem");

/// Key type of a server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyKind {
    /// ECDSA P-256 (generated; the default).
    #[default]
    Ecdsa,
    /// ECDSA P-384 (generated).
    EcdsaP384,
    /// RSA 2048 (the fixed test key).
    Rsa,
}

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertAndKey {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
}

/// A test CA. Every instance is a different CA (so a second one is a
/// "wrong CA" for the first one's servers).
pub struct TestPki {
    ca_key: KeyPair,
    ca_params: CertificateParams,
    ca_pem: String,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Validity window of a certificate, in Unix seconds.
///
/// [`Validity::current`] and [`Validity::expired`] are relative to the
/// host's clock: use them with a module clock that starts from the host's
/// (the default [`crate::clock::ClockStart::Host`]). A test that pins the
/// module clock (`AT+CCLK`) pins its certificates too, with
/// [`Validity::between`], so that its outcome does not depend on the day it
/// runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// notBefore.
    pub not_before: i64,
    /// notAfter.
    pub not_after: i64,
}

impl Validity {
    /// From a day ago to a year from now.
    pub fn current() -> Validity {
        let now = unix_now();
        Validity {
            not_before: now - 86_400,
            not_after: now + 365 * 86_400,
        }
    }

    /// Expired yesterday (valid the ten days before).
    pub fn expired() -> Validity {
        let now = unix_now();
        Validity {
            not_before: now - 11 * 86_400,
            not_after: now - 86_400,
        }
    }

    /// A fixed window.
    pub fn between(not_before: i64, not_after: i64) -> Validity {
        Validity {
            not_before,
            not_after,
        }
    }
}

impl Default for TestPki {
    fn default() -> TestPki {
        TestPki::new()
    }
}

impl TestPki {
    /// A new CA (ECDSA P-256, valid from 1950 to 9999: whatever date the
    /// host or the module clock shows, only the server certificates' own
    /// dates decide a validity check).
    pub fn new() -> TestPki {
        let ca_key = KeyPair::generate().expect("ring generates P-256 keys");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names is valid");
        let mut dn = DistinguishedName::new();
        // A name of its own: a second CA of the same name would make a
        // verifier take it for the issuer and report a bad signature
        // instead of an unknown CA.
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        dn.push(
            DnType::CommonName,
            format!(
                "quectel-sim test CA {}-{}-{}",
                unix_now(),
                std::process::id(),
                SERIAL.fetch_add(1, Ordering::Relaxed)
            ),
        );
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = rcgen::date_time_ymd(1950, 1, 1);
        params.not_after = rcgen::date_time_ymd(9999, 12, 31);
        let cert = params.self_signed(&ca_key).expect("CA self-signs");
        TestPki {
            ca_pem: cert.pem(),
            ca_key,
            ca_params: params,
        }
    }

    /// The CA certificate, PEM (what a test uploads as `RAM:cacert.pem`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    fn issue(
        &self,
        names: &[&str],
        validity: Validity,
        key: KeyKind,
        usage: ExtendedKeyUsagePurpose,
    ) -> CertAndKey {
        let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
        issue_by(&issuer, names, validity, key, usage)
    }

    /// A server certificate issued by an intermediate CA that this CA
    /// signed: `cert_pem` holds the server's certificate, then the
    /// intermediate's (the chain a server sends).
    pub fn server_cert_via_intermediate(
        &self,
        names: &[&str],
        validity: Validity,
        key: KeyKind,
    ) -> CertAndKey {
        let inter_key = KeyPair::generate().expect("ring generates P-256 keys");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names is valid");
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "quectel-sim test intermediate CA");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.use_authority_key_identifier_extension = true;
        params.not_before = rcgen::date_time_ymd(1950, 1, 1);
        params.not_after = rcgen::date_time_ymd(9999, 12, 31);
        let root = Issuer::from_params(&self.ca_params, &self.ca_key);
        let inter = params.signed_by(&inter_key, &root).expect("CA signs");
        let issuer = Issuer::from_params(&params, &inter_key);
        let mut leaf = issue_by(
            &issuer,
            names,
            validity,
            key,
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        leaf.cert_pem.push_str(&inter.pem());
        leaf
    }
}

/// A certificate for `names` signed by `issuer`.
fn issue_by(
    issuer: &Issuer<'_, &KeyPair>,
    names: &[&str],
    validity: Validity,
    key: KeyKind,
    usage: ExtendedKeyUsagePurpose,
) -> CertAndKey {
    {
        let key_pair = match key {
            KeyKind::Ecdsa => KeyPair::generate().expect("ring generates P-256 keys"),
            KeyKind::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
                .expect("ring generates P-384 keys"),
            KeyKind::Rsa => KeyPair::from_pem(RSA_TEST_KEY).expect("the test RSA key parses"),
        };
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names is valid");
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("quectel-sim"),
        );
        params.distinguished_name = dn;
        params.subject_alt_names = names
            .iter()
            .filter_map(|n| match n.parse::<IpAddr>() {
                Ok(ip) => Some(SanType::IpAddress(ip)),
                Err(_) => n.to_string().try_into().ok().map(SanType::DnsName),
            })
            .collect();
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        params.not_before = at(validity.not_before);
        params.not_after = at(validity.not_after);
        let cert = params.signed_by(&key_pair, issuer).expect("CA signs");
        CertAndKey {
            cert_pem: cert.pem(),
            key_pem: key_pair.serialize_pem(),
        }
    }
}

impl TestPki {
    /// A server certificate for `names` (host names or IP addresses),
    /// currently valid.
    pub fn server_cert(&self, names: &[&str]) -> CertAndKey {
        self.server_cert_with(names, Validity::current(), KeyKind::Ecdsa)
    }

    /// A server certificate with a chosen validity and key type.
    pub fn server_cert_with(&self, names: &[&str], validity: Validity, key: KeyKind) -> CertAndKey {
        self.issue(names, validity, key, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate for `name`, currently valid.
    pub fn client_cert(&self, name: &str) -> CertAndKey {
        self.issue(
            &[name],
            Validity::current(),
            KeyKind::Ecdsa,
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }
}
