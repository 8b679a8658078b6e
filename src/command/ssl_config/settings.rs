//! The 19 `AT+QSSLCFG` settings, each a typed value.
//!
//! A setting value is what the set form writes (`SetSslConfig::new(ctx,
//! Sni(true))`); its [`SslSetting::Value`] is what the query form answers
//! (`GetSslConfig::<Sni>::new(ctx)` answers a `bool`).

use super::types::{CipherSuite, CloseTimeMode, DtlsVersion, SecLevel, SslVersion};
use crate::error::Error;
use crate::types::{AlpnName, FileName, NegotiateTime, PskIdentity, PskKey};
use crate::wire::Encoder;
use crate::wire::{owned, parse_hex_u16, Fields};

/// A path read back from the module (≤ 80 bytes).
pub type FilePath = heapless::String<80>;

/// One `AT+QSSLCFG` setting.
pub trait SslSetting {
    /// The setting's name on the AT line, e.g. `"sslversion"`.
    const NAME: &'static str;
    /// Other names firmware prints for it in query answers (the note's
    /// `ignoreinvalidcertsign` answer misprints its name).
    const ALIASES: &'static [&'static str] = &[];
    /// What the query form answers.
    type Value;
    /// Write the value(s) of the set form.
    fn encode_value(&self, e: &mut Encoder<'_>);
    /// Read the value(s) of a query answer.
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self::Value, Error>;
}

/// Names of all settings, in the vendor's order.
pub const SETTING_NAMES: [&str; 19] = [
    "sslversion",
    "ciphersuite",
    "cacert",
    "cacertex",
    "clientcert",
    "clientkey",
    "seclevel",
    "ignorelocaltime",
    "negotiatetime",
    "sni",
    "closetimemode",
    "ignoremulticertchainverify",
    "ignoreinvalidcertsign",
    "psk",
    "dtls",
    "dtlsversion",
    "session_cache",
    "alpn",
    "renegotiation",
];

fn decode_enum<T>(fields: &mut Fields<'_>, from: fn(u8) -> Option<T>) -> Result<T, Error> {
    from(fields.u8()?).ok_or(Error::UnexpectedResponse)
}

impl SslSetting for SslVersion {
    const NAME: &'static str = "sslversion";
    type Value = SslVersion;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.uint(self.code().into());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        decode_enum(fields, Self::from_code)
    }
}

impl SslSetting for CipherSuite {
    const NAME: &'static str = "ciphersuite";
    type Value = CipherSuite;
    /// Unquoted `0X0035`: the quoted form is refused by some firmware.
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.hex4(self.code());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        parse_hex_u16(fields.string()?)
            .and_then(Self::from_code)
            .ok_or(Error::UnexpectedResponse)
    }
}

impl SslSetting for SecLevel {
    const NAME: &'static str = "seclevel";
    type Value = SecLevel;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.uint(self.code().into());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        decode_enum(fields, Self::from_code)
    }
}

impl SslSetting for DtlsVersion {
    const NAME: &'static str = "dtlsversion";
    type Value = DtlsVersion;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.uint(self.code().into());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        decode_enum(fields, Self::from_code)
    }
}

impl SslSetting for CloseTimeMode {
    const NAME: &'static str = "closetimemode";
    type Value = CloseTimeMode;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.uint(self.code().into());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        decode_enum(fields, Self::from_code)
    }
}

impl SslSetting for NegotiateTime {
    const NAME: &'static str = "negotiatetime";
    type Value = NegotiateTime;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.uint(self.get().into());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self, Error> {
        Self::new(fields.u16()?).map_err(|_| Error::UnexpectedResponse)
    }
}

macro_rules! path_setting {
    ($(#[$doc:meta])* $name:ident, $wire:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name<'a>(pub FileName<'a>);

        impl SslSetting for $name<'_> {
            const NAME: &'static str = $wire;
            type Value = FilePath;
            fn encode_value(&self, e: &mut Encoder<'_>) {
                e.quoted(self.0.as_str());
            }
            fn decode_value(fields: &mut Fields<'_>) -> Result<FilePath, Error> {
                owned(fields.string()?)
            }
        }
    };
}

path_setting! {
    /// `"cacert"`: path of the trusted CA certificate, e.g. `RAM:cacert.pem`.
    CaCert, "cacert"
}
path_setting! {
    /// `"cacertex"`: path of the trusted CA certificate (extended form).
    CaCertEx, "cacertex"
}
path_setting! {
    /// `"clientcert"`: path of the client certificate.
    ClientCert, "clientcert"
}
path_setting! {
    /// `"clientkey"`: path of the client private key.
    ClientKey, "clientkey"
}

macro_rules! switch_setting {
    ($(#[$doc:meta])* $name:ident, $wire:literal $(, alias = $alias:literal)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name(pub bool);

        impl SslSetting for $name {
            const NAME: &'static str = $wire;
            $(const ALIASES: &'static [&'static str] = &[$alias];)?
            type Value = bool;
            fn encode_value(&self, e: &mut Encoder<'_>) {
                e.uint(u32::from(self.0));
            }
            fn decode_value(fields: &mut Fields<'_>) -> Result<bool, Error> {
                fields.switch()
            }
        }
    };
}

switch_setting! {
    /// `"ignorelocaltime"`: `true` ignores the certificates' validity dates
    /// (weak: an expired or not-yet-valid certificate is accepted). With
    /// `false`, set the module clock first (`AT+CCLK`).
    IgnoreLocalTime, "ignorelocaltime"
}
switch_setting! {
    /// `"sni"`: send Server Name Indication (needed by most virtual hosts).
    /// `false` only for servers reached by IP address: without it a server
    /// may present its default certificate, for another name.
    Sni, "sni"
}
switch_setting! {
    /// `"ignoremulticertchainverify"`: `true` skips verification of
    /// multi-level certificate chains (weak: intermediates are not checked).
    IgnoreMultiCertChainVerify, "ignoremulticertchainverify"
}
switch_setting! {
    /// `"ignoreinvalidcertsign"`: `true` accepts certificates with an invalid
    /// signature (insecure: anyone can forge such a certificate).
    IgnoreInvalidCertSign, "ignoreinvalidcertsign", alias = "ignoremulticertchainverify"
}
switch_setting! {
    /// `"dtls"`: use DTLS instead of TLS.
    Dtls, "dtls"
}
switch_setting! {
    /// `"session_cache"`: allow TLS session resumption.
    SessionCache, "session_cache"
}
switch_setting! {
    /// `"renegotiation"`: allow TLS renegotiation (weak: renegotiation has a
    /// history of attacks, e.g. CVE-2009-3555 prefix injection and the
    /// triple handshake; leave it off unless the server needs it).
    Renegotiation, "renegotiation"
}

/// `"psk"`: pre-shared key identity and key.
///
/// Only as strong as the key: a short or human-chosen key is guessed offline
/// from one recorded handshake, and a key shared by many devices opens all of
/// them when one leaks. `Debug` prints the key as `<hidden>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Psk<'a> {
    /// `<identity>`
    pub identity: PskIdentity<'a>,
    /// `<key>`
    pub key: PskKey<'a>,
}

/// What `AT+QSSLCFG="psk",<ctx>` answers.
#[derive(Clone, PartialEq, Eq)]
pub struct PskValue {
    /// `<identity>`
    pub identity: heapless::String<255>,
    /// `<key>` (kept out of `Debug` output).
    pub key: heapless::String<255>,
}

impl core::fmt::Debug for PskValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskValue")
            .field("identity", &self.identity)
            .field("key", &"<hidden>")
            .finish()
    }
}

impl SslSetting for Psk<'_> {
    const NAME: &'static str = "psk";
    type Value = PskValue;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.quoted(self.identity.as_str())
            .comma()
            .quoted(self.key.as_str());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<PskValue, Error> {
        Ok(PskValue {
            identity: owned(fields.string()?)?,
            key: owned(fields.string()?)?,
        })
    }
}

/// `"alpn"`: the protocol name offered with ALPN (empty: no ALPN extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Alpn<'a>(pub AlpnName<'a>);

impl SslSetting for Alpn<'_> {
    const NAME: &'static str = "alpn";
    type Value = heapless::String<64>;
    fn encode_value(&self, e: &mut Encoder<'_>) {
        e.quoted(self.0.as_str());
    }
    fn decode_value(fields: &mut Fields<'_>) -> Result<Self::Value, Error> {
        owned(fields.string()?)
    }
}
