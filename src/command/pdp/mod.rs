//! PDP contexts and DNS: `AT+QICSGP`, `AT+QIACT`, `AT+QIDEACT`, `AT+QIDNSCFG`,
//! and the plain TCP probe `AT+QIOPEN` / `AT+QICLOSE`, and
//! `AT+QIDNSGIP` (vendor's TCP/IP application note).

mod dns;
mod types;

use core::fmt::Write as _;
use core::net::IpAddr;

use super::{answers_ok, atat_command, single_line, AtCommand, ListCommand};
use crate::error::Error;
use crate::types::{Apn, ClientId, HostName, Password, PdpContextId, UserName};
use crate::wire::Encoder;
use crate::wire::Fields;
pub use dns::{parse_address, DnsLine, LookUpHost, MAX_ADDRESS_LEN};
pub use types::{AuthMethod, DnsConfig, PdpContextState, PdpType};

mod tests;

/// `AT+QICSGP=<contextID>,<context_type>,"<APN>","<username>","<password>",<authentication>`
/// — configure a PDP context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigurePdpContext<'a> {
    /// The context to configure.
    pub context: PdpContextId,
    /// IP version.
    pub pdp_type: PdpType,
    /// Access point name.
    pub apn: Apn<'a>,
    /// User name (often empty).
    pub username: UserName<'a>,
    /// Password (often empty).
    pub password: Password<'a>,
    /// Authentication method.
    pub auth: AuthMethod,
}

impl AtCommand for ConfigurePdpContext<'_> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QICSGP=")
            .uint(self.context.get().into())
            .comma()
            .uint(self.pdp_type.code().into())
            .comma()
            .quoted(self.apn.as_str())
            .comma()
            .quoted(self.username.as_str())
            .comma()
            .quoted(self.password.as_str())
            .comma()
            .uint(self.auth.code().into());
    }
}
atat_command!(['a] ConfigurePdpContext<'a>);

/// `AT+QIOPEN=<contextID>,<connectID>,"TCP","<host>",<port>,0,0` — open a
/// plain TCP connection in buffer mode. `OK` at once; the result comes as
/// the URC `+QIOPEN: <connectID>,<err>` ([`crate::Urc::TcpOpened`]). The
/// driver uses it only to tell whether a server's port answers at all (see
/// `ops::ExplainOpenFailure`): no data is sent over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenTcpSocket<'a> {
    /// The PDP context.
    pub context: PdpContextId,
    /// `<connectID>` 0..=11.
    pub id: ClientId,
    /// Host name or address.
    pub host: HostName<'a>,
    /// `<remote_port>`.
    pub port: u16,
}

impl AtCommand for OpenTcpSocket<'_> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIOPEN=")
            .uint(self.context.get().into())
            .comma()
            .uint(self.id.get().into())
            .text(",\"TCP\",")
            .quoted(self.host.as_str())
            .comma()
            .uint(self.port.into())
            .text(",0,0");
    }
}
atat_command!(['a] OpenTcpSocket<'a>);

/// `AT+QICLOSE=<connectID>` — close a connection of `AT+QIOPEN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseTcpSocket {
    /// `<connectID>` 0..=11.
    pub id: ClientId,
}

impl AtCommand for CloseTcpSocket {
    answers_ok!();
    const MAX_TIMEOUT_MS: u32 = 10_000;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QICLOSE=").uint(self.id.get().into());
    }
}
atat_command!([] CloseTcpSocket);

/// `AT+QIACT=<contextID>` — activate a PDP context (up to 150 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivatePdpContext {
    /// The context to activate.
    pub context: PdpContextId,
}

impl AtCommand for ActivatePdpContext {
    answers_ok!();
    const MAX_TIMEOUT_MS: u32 = 150_000;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIACT=").uint(self.context.get().into());
    }
}
atat_command!([] ActivatePdpContext);

/// `AT+QIACT?` — the active PDP contexts and their addresses (a bare `OK`
/// when none is active).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetPdpContexts;

impl AtCommand for GetPdpContexts {
    type Response = heapless::Vec<PdpContextState, 16>;
    type Partial = Self::Response;
    const MAX_TIMEOUT_MS: u32 = 150_000;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIACT?");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        if let Some(fields) = Fields::after(line, b"+QIACT:") {
            let state = PdpContextState::parse(fields)?;
            partial.push(state).map_err(|_| Error::UnexpectedResponse)?;
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        Ok(partial)
    }
}
atat_command!([] GetPdpContexts);

impl ListCommand for GetPdpContexts {
    type Item = PdpContextState;
    const PREFIX: &'static [u8] = b"+QIACT:";
    fn item(fields: Fields<'_>) -> Result<PdpContextState, Error> {
        PdpContextState::parse(fields)
    }
}

/// `AT+QIDEACT=<contextID>` — deactivate a PDP context (up to 40 s); its
/// sockets close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeactivatePdpContext {
    /// The context to deactivate.
    pub context: PdpContextId,
}

impl AtCommand for DeactivatePdpContext {
    answers_ok!();
    const MAX_TIMEOUT_MS: u32 = 40_000;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIDEACT=").uint(self.context.get().into());
    }
}
atat_command!([] DeactivatePdpContext);

/// `AT+QIDNSCFG=<contextID>,"<pridnsaddr>"[,"<secdnsaddr>"]` — set the DNS
/// servers of a PDP context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigureDns {
    /// The context.
    pub context: PdpContextId,
    /// Primary DNS server.
    pub primary: IpAddr,
    /// Secondary DNS server.
    pub secondary: Option<IpAddr>,
}

impl AtCommand for ConfigureDns {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIDNSCFG=").uint(self.context.get().into());
        for addr in core::iter::once(self.primary).chain(self.secondary) {
            e.comma().bytes(b"\"");
            // An address prints in at most 39 ASCII bytes; running out of
            // room is recorded by the encoder.
            let _ = write!(e, "{addr}");
            e.bytes(b"\"");
        }
    }
}
atat_command!([] ConfigureDns);

/// `AT+QIDNSCFG=<contextID>` — read the DNS servers of a PDP context
/// (`ERROR` before the context is active).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetDnsConfig {
    /// The context.
    pub context: PdpContextId,
}

impl AtCommand for GetDnsConfig {
    type Response = DnsConfig;
    type Partial = Option<DnsConfig>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIDNSCFG=").uint(self.context.get().into());
    }
    /// Only this context's line counts.
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        let mut dns = None;
        single_line(&mut dns, line, b"+QIDNSCFG:", DnsConfig::parse)?;
        if partial.is_none() {
            *partial = dns.filter(|d| d.context == self.context);
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<DnsConfig, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] GetDnsConfig);
