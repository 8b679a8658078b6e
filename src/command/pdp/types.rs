//! Values and answers of the PDP context commands.

use crate::command::ssl_config::types::wire_enum;
use crate::error::Error;
use crate::types::PdpContextId;
use crate::wire::{owned, Fields};

wire_enum! {
    /// `<context_type>`: IP version of a PDP context.
    PdpType: "context_type" {
        /// 1: IPv4.
        Ipv4 = 1,
        /// 2: IPv6.
        Ipv6 = 2,
        /// 3: IPv4 and IPv6.
        Ipv4v6 = 3,
    }
}

wire_enum! {
    /// `<authentication>` of a PDP context.
    AuthMethod: "authentication" {
        /// 0: none.
        None = 0,
        /// 1: PAP.
        Pap = 1,
        /// 2: CHAP.
        Chap = 2,
        /// 3: PAP or CHAP.
        PapOrChap = 3,
    }
}

/// One `+QIACT: <contextID>,<context_state>,<context_type>,"<IP_address>"` line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PdpContextState {
    /// `<contextID>`
    pub context: PdpContextId,
    /// `<context_state>`: `true` when activated.
    pub active: bool,
    /// `<context_type>`
    pub pdp_type: PdpType,
    /// `<IP_address>`, as printed (the first one for IPv4v6).
    pub address: heapless::String<64>,
}

impl atat::AtatResp for PdpContextState {}

impl PdpContextState {
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        let context = PdpContextId::new(f.u8()?).map_err(|_| Error::UnexpectedResponse)?;
        let active = f.switch()?;
        let pdp_type = PdpType::from_code(f.u8()?).ok_or(Error::UnexpectedResponse)?;
        let address = if f.is_empty() {
            heapless::String::new()
        } else {
            owned(f.string()?)?
        };
        Ok(Self {
            context,
            active,
            pdp_type,
            address,
        })
    }
}

/// `+QIDNSCFG: <contextID>,"<pridnsaddr>","<secdnsaddr>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DnsConfig {
    /// `<contextID>`
    pub context: PdpContextId,
    /// Primary DNS server, as printed.
    pub primary: heapless::String<46>,
    /// Secondary DNS server, as printed (may be empty or `0.0.0.0`).
    pub secondary: heapless::String<46>,
}

impl atat::AtatResp for DnsConfig {}

impl DnsConfig {
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        let context = PdpContextId::new(f.u8()?).map_err(|_| Error::UnexpectedResponse)?;
        let primary = owned(f.string()?)?;
        let secondary = if f.is_empty() {
            heapless::String::new()
        } else {
            owned(f.string()?)?
        };
        Ok(Self {
            context,
            primary,
            secondary,
        })
    }
}
