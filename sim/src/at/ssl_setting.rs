//! The 19 settings of `AT+QSSLCFG` and their values.

use super::outcome::{CommandGroup, ParseError};
use super::params::Params;

/// The cipher suites the module accepts in `AT+QSSLCFG="ciphersuite"`
/// (IANA code, name), in the note's order; `0XFFFF` means all of them.
pub const MODULE_CIPHER_SUITES: [(u16, &str); 31] = [
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    (0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"),
    (0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
    (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"),
    (0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"),
    (0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"),
    (0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    (0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    (0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"),
    (0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"),
    (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    (0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"),
    (0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"),
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
];

/// `0XFFFF`: every cipher suite.
pub const ALL_CIPHER_SUITES: u16 = 0xFFFF;

/// Longest path string accepted in `cacert`/`clientcert`/... settings.
const MAX_PATH: usize = 100;
/// Longest PSK identity / key and ALPN name.
const MAX_PSK: usize = 255;

/// Which `AT+QSSLCFG` setting (the quoted first parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslSettingName {
    /// `"sslversion"`.
    SslVersion,
    /// `"ciphersuite"`.
    CipherSuite,
    /// `"cacert"`.
    CaCert,
    /// `"cacertex"`.
    CaCertEx,
    /// `"clientcert"`.
    ClientCert,
    /// `"clientkey"`.
    ClientKey,
    /// `"seclevel"`.
    SecLevel,
    /// `"ignorelocaltime"`.
    IgnoreLocalTime,
    /// `"negotiatetime"`.
    NegotiateTime,
    /// `"sni"`.
    Sni,
    /// `"closetimemode"`.
    CloseTimeMode,
    /// `"ignoremulticertchainverify"`.
    IgnoreMultiCertChainVerify,
    /// `"ignoreinvalidcertsign"`.
    IgnoreInvalidCertSign,
    /// `"psk"`.
    Psk,
    /// `"dtls"`.
    Dtls,
    /// `"dtlsversion"`.
    DtlsVersion,
    /// `"session_cache"`.
    SessionCache,
    /// `"alpn"`.
    Alpn,
    /// `"renegotiation"`.
    Renegotiation,
}

impl SslSettingName {
    /// All 19 settings in the order `AT+QSSLCFG=?` lists them.
    pub const ALL: [SslSettingName; 19] = [
        SslSettingName::SslVersion,
        SslSettingName::CipherSuite,
        SslSettingName::CaCert,
        SslSettingName::CaCertEx,
        SslSettingName::ClientCert,
        SslSettingName::ClientKey,
        SslSettingName::SecLevel,
        SslSettingName::IgnoreLocalTime,
        SslSettingName::NegotiateTime,
        SslSettingName::Sni,
        SslSettingName::CloseTimeMode,
        SslSettingName::IgnoreMultiCertChainVerify,
        SslSettingName::IgnoreInvalidCertSign,
        SslSettingName::Psk,
        SslSettingName::Dtls,
        SslSettingName::DtlsVersion,
        SslSettingName::SessionCache,
        SslSettingName::Alpn,
        SslSettingName::Renegotiation,
    ];

    /// The name as written on the wire (without quotes).
    pub fn wire(self) -> &'static str {
        match self {
            SslSettingName::SslVersion => "sslversion",
            SslSettingName::CipherSuite => "ciphersuite",
            SslSettingName::CaCert => "cacert",
            SslSettingName::CaCertEx => "cacertex",
            SslSettingName::ClientCert => "clientcert",
            SslSettingName::ClientKey => "clientkey",
            SslSettingName::SecLevel => "seclevel",
            SslSettingName::IgnoreLocalTime => "ignorelocaltime",
            SslSettingName::NegotiateTime => "negotiatetime",
            SslSettingName::Sni => "sni",
            SslSettingName::CloseTimeMode => "closetimemode",
            SslSettingName::IgnoreMultiCertChainVerify => "ignoremulticertchainverify",
            SslSettingName::IgnoreInvalidCertSign => "ignoreinvalidcertsign",
            SslSettingName::Psk => "psk",
            SslSettingName::Dtls => "dtls",
            SslSettingName::DtlsVersion => "dtlsversion",
            SslSettingName::SessionCache => "session_cache",
            SslSettingName::Alpn => "alpn",
            SslSettingName::Renegotiation => "renegotiation",
        }
    }

    /// The setting for a wire name (case-insensitive).
    pub fn from_wire(name: &str) -> Option<SslSettingName> {
        SslSettingName::ALL
            .into_iter()
            .find(|n| n.wire().eq_ignore_ascii_case(name))
    }

    /// The value part of this setting's `AT+QSSLCFG=?` line.
    pub fn test_ranges(self) -> String {
        match self {
            SslSettingName::SslVersion => "(0-4)".to_string(),
            SslSettingName::CipherSuite => {
                let codes: Vec<String> = MODULE_CIPHER_SUITES
                    .iter()
                    .map(|(code, _)| format!("0X{code:04X}"))
                    .chain(std::iter::once("0XFFFF".to_string()))
                    .collect();
                format!("({})", codes.join(","))
            }
            SslSettingName::CaCert | SslSettingName::CaCertEx => "<cacertpath>".to_string(),
            SslSettingName::ClientCert => "<client_cert_path>".to_string(),
            SslSettingName::ClientKey => "<client_key_path>".to_string(),
            SslSettingName::SecLevel => "(0-2)".to_string(),
            SslSettingName::NegotiateTime => "(10-300)".to_string(),
            SslSettingName::Psk => "<identity>,<key>".to_string(),
            SslSettingName::Alpn => "<ALPN_name>".to_string(),
            _ => "(0,1)".to_string(),
        }
    }
}

/// One `AT+QSSLCFG` setting with its value. Each variant's doc gives the
/// wire range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SslSetting {
    /// `"sslversion"`: 0 SSL3.0, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 4 all.
    SslVersion(u8),
    /// `"ciphersuite"`: a code of [`MODULE_CIPHER_SUITES`] or `0XFFFF`.
    CipherSuite(u16),
    /// `"cacert"`: path of the trusted CA certificate.
    CaCert(String),
    /// `"cacertex"`: path of the trusted CA certificate (extended).
    CaCertEx(String),
    /// `"clientcert"`: path of the client certificate.
    ClientCert(String),
    /// `"clientkey"`: path of the client private key.
    ClientKey(String),
    /// `"seclevel"`: 0 none, 1 server, 2 server and client authentication.
    SecLevel(u8),
    /// `"ignorelocaltime"`: 1 ignores certificate validity dates.
    IgnoreLocalTime(bool),
    /// `"negotiatetime"`: handshake timeout, 10..=300 s.
    NegotiateTime(u16),
    /// `"sni"`: send Server Name Indication.
    Sni(bool),
    /// `"closetimemode"`: 1 makes `AT+QSSLCLOSE`'s timeout milliseconds.
    CloseTimeMode(bool),
    /// `"ignoremulticertchainverify"`.
    IgnoreMultiCertChainVerify(bool),
    /// `"ignoreinvalidcertsign"`.
    IgnoreInvalidCertSign(bool),
    /// `"psk"`: identity and key, 0..=255 characters each.
    Psk {
        /// `<identity>`.
        identity: String,
        /// `<key>`.
        key: String,
    },
    /// `"dtls"`: use DTLS.
    Dtls(bool),
    /// `"dtlsversion"`: 0 DTLS1.0, 1 DTLS1.2.
    DtlsVersion(u8),
    /// `"session_cache"`: session resumption.
    SessionCache(bool),
    /// `"alpn"`: ALPN protocol name (`""`: no ALPN extension).
    Alpn(String),
    /// `"renegotiation"`.
    Renegotiation(bool),
}

impl SslSetting {
    /// Which setting this is.
    pub fn name(&self) -> SslSettingName {
        match self {
            SslSetting::SslVersion(_) => SslSettingName::SslVersion,
            SslSetting::CipherSuite(_) => SslSettingName::CipherSuite,
            SslSetting::CaCert(_) => SslSettingName::CaCert,
            SslSetting::CaCertEx(_) => SslSettingName::CaCertEx,
            SslSetting::ClientCert(_) => SslSettingName::ClientCert,
            SslSetting::ClientKey(_) => SslSettingName::ClientKey,
            SslSetting::SecLevel(_) => SslSettingName::SecLevel,
            SslSetting::IgnoreLocalTime(_) => SslSettingName::IgnoreLocalTime,
            SslSetting::NegotiateTime(_) => SslSettingName::NegotiateTime,
            SslSetting::Sni(_) => SslSettingName::Sni,
            SslSetting::CloseTimeMode(_) => SslSettingName::CloseTimeMode,
            SslSetting::IgnoreMultiCertChainVerify(_) => SslSettingName::IgnoreMultiCertChainVerify,
            SslSetting::IgnoreInvalidCertSign(_) => SslSettingName::IgnoreInvalidCertSign,
            SslSetting::Psk { .. } => SslSettingName::Psk,
            SslSetting::Dtls(_) => SslSettingName::Dtls,
            SslSetting::DtlsVersion(_) => SslSettingName::DtlsVersion,
            SslSetting::SessionCache(_) => SslSettingName::SessionCache,
            SslSetting::Alpn(_) => SslSettingName::Alpn,
            SslSetting::Renegotiation(_) => SslSettingName::Renegotiation,
        }
    }

    /// Parses the value parameters (from index 2 on) of a set command.
    pub(crate) fn parse(name: SslSettingName, p: &Params<'_>) -> Result<SslSetting, ParseError> {
        let group = CommandGroup::Ssl;
        let expected = if name == SslSettingName::Psk { 4 } else { 3 };
        p.expect_count(expected, expected)?;
        Ok(match name {
            SslSettingName::SslVersion => SslSetting::SslVersion(p.small(2, 0, 4)?),
            SslSettingName::CipherSuite => {
                let code = p.hex(2)?;
                let known = code == ALL_CIPHER_SUITES
                    || MODULE_CIPHER_SUITES.iter().any(|(c, _)| *c == code);
                if !known {
                    return Err(ParseError::OutOfRange(group));
                }
                SslSetting::CipherSuite(code)
            }
            SslSettingName::CaCert => SslSetting::CaCert(p.string(2, MAX_PATH)?),
            SslSettingName::CaCertEx => SslSetting::CaCertEx(p.string(2, MAX_PATH)?),
            SslSettingName::ClientCert => SslSetting::ClientCert(p.string(2, MAX_PATH)?),
            SslSettingName::ClientKey => SslSetting::ClientKey(p.string(2, MAX_PATH)?),
            SslSettingName::SecLevel => SslSetting::SecLevel(p.small(2, 0, 2)?),
            SslSettingName::IgnoreLocalTime => SslSetting::IgnoreLocalTime(p.flag(2)?),
            SslSettingName::NegotiateTime => SslSetting::NegotiateTime(p.int(2, 10, 300)? as u16),
            SslSettingName::Sni => SslSetting::Sni(p.flag(2)?),
            SslSettingName::CloseTimeMode => SslSetting::CloseTimeMode(p.flag(2)?),
            SslSettingName::IgnoreMultiCertChainVerify => {
                SslSetting::IgnoreMultiCertChainVerify(p.flag(2)?)
            }
            SslSettingName::IgnoreInvalidCertSign => SslSetting::IgnoreInvalidCertSign(p.flag(2)?),
            SslSettingName::Psk => SslSetting::Psk {
                identity: p.string(2, MAX_PSK)?,
                key: p.string(3, MAX_PSK)?,
            },
            SslSettingName::Dtls => SslSetting::Dtls(p.flag(2)?),
            SslSettingName::DtlsVersion => SslSetting::DtlsVersion(p.small(2, 0, 1)?),
            SslSettingName::SessionCache => SslSetting::SessionCache(p.flag(2)?),
            SslSettingName::Alpn => SslSetting::Alpn(p.string(2, MAX_PSK)?),
            SslSettingName::Renegotiation => SslSetting::Renegotiation(p.flag(2)?),
        })
    }

    /// The value as a query prints it after `+QSSLCFG: "<name>",<ctx>,`
    /// (`1`, `0X0035`, `"RAM:cacert.pem"`, `"id","key"`).
    pub fn wire_value(&self) -> String {
        let flag = |b: &bool| u8::from(*b).to_string();
        match self {
            SslSetting::SslVersion(v) | SslSetting::SecLevel(v) | SslSetting::DtlsVersion(v) => {
                v.to_string()
            }
            SslSetting::CipherSuite(code) => format!("0X{code:04X}"),
            SslSetting::CaCert(s)
            | SslSetting::CaCertEx(s)
            | SslSetting::ClientCert(s)
            | SslSetting::ClientKey(s)
            | SslSetting::Alpn(s) => format!("\"{s}\""),
            SslSetting::NegotiateTime(t) => t.to_string(),
            SslSetting::Psk { identity, key } => format!("\"{identity}\",\"{key}\""),
            SslSetting::IgnoreLocalTime(b)
            | SslSetting::Sni(b)
            | SslSetting::CloseTimeMode(b)
            | SslSetting::IgnoreMultiCertChainVerify(b)
            | SslSetting::IgnoreInvalidCertSign(b)
            | SslSetting::Dtls(b)
            | SslSetting::SessionCache(b)
            | SslSetting::Renegotiation(b) => flag(b),
        }
    }
}
