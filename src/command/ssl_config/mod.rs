//! `AT+QSSLCFG` — configure an SSL context (note §2.2.1).
//!
//! One set command and one query command, generic over the 19 settings
//! (each a typed value, an [`SslSetting`]); plus the `cacertex` list of all
//! contexts and the test form. A setting value is what the set form writes
//! (`SetSslConfig::new(ctx, Sni(true))`); its [`SslSetting::Value`] is what
//! the query form answers (`GetSslConfig::<Sni>::new(ctx)` answers a
//! `bool`).

mod settings;
pub(crate) mod types;

use core::marker::PhantomData;

use super::{answers_ok, atat_command, AtCommand};
use crate::error::Error;
use crate::types::SslContextId;
use crate::wire::Encoder;
use crate::wire::{trim, Fields};
pub use settings::{
    Alpn, CaCert, CaCertEx, ClientCert, ClientKey, Dtls, FilePath, IgnoreInvalidCertSign,
    IgnoreLocalTime, IgnoreMultiCertChainVerify, Psk, PskValue, Renegotiation, SessionCache, Sni,
    SslSetting, SETTING_NAMES,
};
pub use types::{CipherSuite, CloseTimeMode, DtlsVersion, SecLevel, SslVersion};

mod tests;

const PREFIX: &[u8] = b"+QSSLCFG:";

/// `AT+QSSLCFG="<name>",<SSL_ctxID>,<value>` — set one setting of an SSL
/// context. Takes effect for connections opened afterwards; not saved across
/// reboots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetSslConfig<S> {
    /// The context to configure.
    pub context: SslContextId,
    /// The setting and its value.
    pub setting: S,
}

impl<S: SslSetting> SetSslConfig<S> {
    /// Set `setting` on `context`.
    pub const fn new(context: SslContextId, setting: S) -> Self {
        Self { context, setting }
    }
}

impl<S: SslSetting> AtCommand for SetSslConfig<S> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLCFG=")
            .quoted(S::NAME)
            .comma()
            .uint(self.context.get().into())
            .comma();
        self.setting.encode_value(e);
    }
}
atat_command!([S: SslSetting] SetSslConfig<S>);

/// `AT+QSSLCFG="<name>",<SSL_ctxID>` — read one setting of an SSL context.
///
/// Answers `+QSSLCFG: "<name>",<SSL_ctxID>,<value>`, read as
/// [`SslConfigValue<S::Value>`](SslConfigValue).
pub struct GetSslConfig<S> {
    /// The context to read.
    pub context: SslContextId,
    setting: PhantomData<fn() -> S>,
}

impl<S: SslSetting> GetSslConfig<S> {
    /// Read setting `S` of `context`, e.g. `GetSslConfig::<SslVersion>::new(ctx)`.
    pub const fn new(context: SslContextId) -> Self {
        Self {
            context,
            setting: PhantomData,
        }
    }
}

impl<S> Clone for GetSslConfig<S> {
    fn clone(&self) -> Self {
        Self {
            context: self.context,
            setting: PhantomData,
        }
    }
}

impl<S> core::fmt::Debug for GetSslConfig<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GetSslConfig")
            .field("context", &self.context)
            .finish()
    }
}

/// A setting's value as a query answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SslConfigValue<V> {
    /// The context the value belongs to.
    pub context: SslContextId,
    /// The value.
    pub value: V,
}

impl<V> atat::AtatResp for SslConfigValue<V> {}

/// Read a `+QSSLCFG: "<name>",<ctx>,<value...>` line for setting `S`.
fn config_line<S: SslSetting>(line: &[u8]) -> Option<Result<SslConfigValue<S::Value>, Error>> {
    let mut fields = Fields::after(line, PREFIX)?;
    let name = fields.string().ok()?;
    let known = name == S::NAME.as_bytes() || S::ALIASES.iter().any(|a| a.as_bytes() == name);
    if !known {
        return None;
    }
    Some((|| {
        let context = SslContextId::new(fields.u8()?).map_err(|_| Error::UnexpectedResponse)?;
        let value = S::decode_value(&mut fields)?;
        Ok(SslConfigValue { context, value })
    })())
}

impl<S: SslSetting> AtCommand for GetSslConfig<S> {
    type Response = SslConfigValue<S::Value>;
    type Partial = Option<SslConfigValue<S::Value>>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLCFG=")
            .quoted(S::NAME)
            .comma()
            .uint(self.context.get().into());
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        if let Some(value) = config_line::<S>(line) {
            let value = value?;
            if value.context == self.context && partial.is_none() {
                *partial = Some(value);
            }
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([S: SslSetting] GetSslConfig<S>);

/// `AT+QSSLCFG="cacertex"` — list the `cacertex` path of every context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListCaCertEx;

impl AtCommand for ListCaCertEx {
    type Response = heapless::Vec<SslConfigValue<FilePath>, 6>;
    type Partial = Self::Response;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLCFG=").quoted(CaCertEx::NAME);
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        if let Some(value) = config_line::<CaCertEx<'_>>(line) {
            partial
                .push(value?)
                .map_err(|_| Error::UnexpectedResponse)?;
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        Ok(partial)
    }
}
atat_command!([] ListCaCertEx);

/// `AT+QSSLCFG=?` — which settings this firmware knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TestSslConfig;

/// What `AT+QSSLCFG=?` answered, read leniently: firmware builds differ in
/// extra settings and stray spaces, so only the setting names are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SslConfigCapabilities {
    known: u32,
    /// Settings listed that this crate does not know.
    pub unknown_settings: u8,
}

impl SslConfigCapabilities {
    /// `true` if the module listed the setting `name` (e.g. `"alpn"`).
    pub fn supports(&self, name: &str) -> bool {
        SETTING_NAMES
            .iter()
            .position(|&n| n == name)
            .is_some_and(|i| self.known & (1 << i) != 0)
    }

    /// How many of the 19 settings the module listed.
    pub fn known_count(&self) -> u32 {
        self.known.count_ones()
    }
}

impl atat::AtatResp for SslConfigCapabilities {}

impl AtCommand for TestSslConfig {
    type Response = SslConfigCapabilities;
    type Partial = SslConfigCapabilities;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLCFG=?");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        let Some(mut fields) = Fields::after(line, PREFIX) else {
            return Ok(());
        };
        let Ok(name) = fields.string() else {
            return Ok(());
        };
        let name = trim(name);
        match SETTING_NAMES.iter().position(|n| n.as_bytes() == name) {
            Some(i) => partial.known |= 1 << i,
            None => partial.unknown_settings = partial.unknown_settings.saturating_add(1),
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        Ok(partial)
    }
}
atat_command!([] TestSslConfig);
