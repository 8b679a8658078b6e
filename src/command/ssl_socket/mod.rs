//! SSL sockets: `AT+QSSLOPEN`, `AT+QSSLSEND`, `AT+QSSLRECV`, `AT+QSSLCLOSE`,
//! `AT+QSSLSTATE`, `AT+QIGETERROR`, access-mode switching (`AT+QISWTMD`,
//! `ATO`) and the test forms (note §2.2.2–2.2.6).

mod to_buffer;
mod types;

use super::{answers_ok, atat_command, single_line, AtCommand, ListCommand, ParameterRanges};
use crate::digest::Expect;
use crate::error::{Error, ParamError};
use crate::types::{ClientId, HostName, PdpContextId, ReadLength, SendLength, SslContextId};
use crate::wire::Encoder;
use crate::wire::Fields;
pub(crate) use to_buffer::ReadToBuffer;
pub use types::{AccessMode, AtPort, LastError, SocketState, SocketStatus, SslData, SslState};

mod tests;

/// `AT+QSSLOPEN=<PDP_ctxID>,<SSL_ctxID>,<clientID>,"<serveraddr>",<server_port>,<access_mode>`
/// — open an SSL client socket.
///
/// Buffer and direct-push modes answer `OK` at once and report the result
/// later in the URC `+QSSLOPEN: <clientID>,<err>`; transparent mode answers
/// `CONNECT` (the port then carries the connection) or `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenSslSocket<'a> {
    /// PDP context to use (must be active).
    pub pdp_context: PdpContextId,
    /// SSL context whose settings the handshake uses.
    pub ssl_context: SslContextId,
    /// Socket to open.
    pub client: ClientId,
    /// Server host name or IP address.
    pub host: HostName<'a>,
    port: u16,
    /// Access mode of the connection.
    pub mode: AccessMode,
}

impl<'a> OpenSslSocket<'a> {
    /// Longest time the module may take: 150 s of network plus the longest
    /// `negotiatetime` (300 s). The engine uses the context's real setting.
    pub const MAX_TIME_MS: u32 = 150_000 + 300_000;

    /// Open `client` to `host:port`; `port` must be 1..=65535.
    pub fn new(
        pdp_context: PdpContextId,
        ssl_context: SslContextId,
        client: ClientId,
        host: HostName<'a>,
        port: u16,
        mode: AccessMode,
    ) -> Result<Self, Error> {
        if port == 0 {
            return Err(Error::param("server_port", ParamError::OutOfRange));
        }
        Ok(Self {
            pdp_context,
            ssl_context,
            client,
            host,
            port,
            mode,
        })
    }

    /// `<server_port>`
    pub const fn port(&self) -> u16 {
        self.port
    }
}

impl AtCommand for OpenSslSocket<'_> {
    answers_ok!();
    const MAX_TIMEOUT_MS: u32 = Self::MAX_TIME_MS;
    fn expectation(&self) -> Expect {
        if self.mode == AccessMode::Transparent {
            Expect::Transparent
        } else {
            Expect::Response
        }
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLOPEN=")
            .uint(self.pdp_context.get().into())
            .comma()
            .uint(self.ssl_context.get().into())
            .comma()
            .uint(self.client.get().into())
            .comma()
            .quoted(self.host.as_str())
            .comma()
            .uint(self.port.into())
            .comma()
            .uint(self.mode.code().into());
    }
}
atat_command!(['a] OpenSslSocket<'a>);

/// `AT+QSSLSEND=<clientID>[,<sendlen>]` — start a send; the module answers
/// the `> ` prompt, then takes an [`SslPayload`].
///
/// Without a length the payload ends with Ctrl+Z (it can't hold 0x1A or
/// 0x1B); with a length the module takes exactly that many raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendSslData {
    /// Socket to send on.
    pub client: ClientId,
    /// `Some`: fixed-length send of this many bytes.
    pub length: Option<SendLength>,
}

impl SendSslData {
    /// Fixed-length send (binary safe).
    pub const fn fixed(client: ClientId, length: SendLength) -> Self {
        Self {
            client,
            length: Some(length),
        }
    }

    /// Variable-length send, ended by Ctrl+Z.
    pub const fn variable(client: ClientId) -> Self {
        Self {
            client,
            length: None,
        }
    }
}

impl AtCommand for SendSslData {
    answers_ok!();
    const ENDS_AT_PROMPT: bool = true;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLSEND=").uint(self.client.get().into());
        if let Some(length) = self.length {
            e.comma().uint(length.get().into());
        }
    }
}
atat_command!([] SendSslData);

/// The data phase of `AT+QSSLSEND`, written after the `> ` prompt. Answered
/// by `SEND OK` (handed to the stack), `SEND FAIL` ([`Error::SendFailed`]:
/// buffer full, nothing sent) or `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SslPayload<'a> {
    data: &'a [u8],
    end: PayloadEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadEnd {
    /// Fixed length: nothing after the data.
    None,
    /// Variable length: Ctrl+Z sends.
    CtrlZ,
    /// Variable length: ESC cancels.
    Esc,
}

impl<'a> SslPayload<'a> {
    /// Ctrl+Z: ends a variable-length payload and sends it.
    pub const CTRL_Z: u8 = 0x1A;
    /// ESC: cancels a variable-length payload.
    pub const ESC: u8 = 0x1B;

    /// The payload of a fixed-length send: 1..=1460 bytes of any value.
    pub fn fixed(data: &'a [u8]) -> Result<Self, Error> {
        SendLength::new(u16::try_from(data.len()).unwrap_or(u16::MAX))?;
        Ok(Self {
            data,
            end: PayloadEnd::None,
        })
    }

    /// The payload of a variable-length send, ended by Ctrl+Z: at most 1460
    /// bytes, none of them 0x1A or 0x1B.
    pub fn variable(data: &'a [u8]) -> Result<Self, Error> {
        Self::check_variable(data)?;
        Ok(Self {
            data,
            end: PayloadEnd::CtrlZ,
        })
    }

    /// Type `data` at the prompt, then cancel with ESC: nothing is sent.
    pub fn cancelled(data: &'a [u8]) -> Result<Self, Error> {
        Self::check_variable(data)?;
        Ok(Self {
            data,
            end: PayloadEnd::Esc,
        })
    }

    fn check_variable(data: &[u8]) -> Result<(), Error> {
        if data.len() > SendLength::MAX_BYTES {
            return Err(Error::param("data", ParamError::TooLong));
        }
        if data.iter().any(|&b| b == Self::CTRL_Z || b == Self::ESC) {
            return Err(Error::param("data", ParamError::NeedsFixedLength));
        }
        Ok(())
    }

    /// The payload bytes.
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }
}

impl AtCommand for SslPayload<'_> {
    answers_ok!();
    const DATA_PHASE: bool = true;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.bytes(self.data);
        match self.end {
            PayloadEnd::None => {}
            PayloadEnd::CtrlZ => {
                e.bytes(&[Self::CTRL_Z]);
            }
            PayloadEnd::Esc => {
                e.bytes(&[Self::ESC]);
            }
        }
    }
}

atat_command!(['a] SslPayload<'a>);

/// `AT+QSSLRECV=<clientID>,<readlen>` — read buffered data (buffer mode).
///
/// Answers `+QSSLRECV: <n>` and n raw bytes (n = 0 when nothing is
/// buffered). On the atat path the bytes land in [`SslData`]; the session
/// engine moves them straight into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadSslData {
    /// Socket to read.
    pub client: ClientId,
    /// Most bytes wanted.
    pub length: ReadLength,
}

impl ReadSslData {
    /// Read up to `length` bytes from `client`.
    pub const fn new(client: ClientId, length: ReadLength) -> Self {
        Self { client, length }
    }
}

impl AtCommand for ReadSslData {
    type Response = SslData;
    type Partial = Option<SslData>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLRECV=")
            .uint(self.client.get().into())
            .comma()
            .uint(self.length.get().into());
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        // Only `+QSSLRECV: 0` arrives as a line: any other length is framed
        // as a payload.
        single_line(partial, line, b"+QSSLRECV:", |mut f| match f.u16()? {
            0 => Ok(SslData::default()),
            _ => Err(Error::UnexpectedResponse),
        })
    }
    /// Payload bytes, in one piece or several.
    fn payload(&self, partial: &mut Self::Partial, data: &[u8]) -> Result<(), Error> {
        let kept = partial.get_or_insert_with(SslData::default);
        if kept.data.len() + data.len() > usize::from(self.length.get()) {
            return Err(Error::UnexpectedResponse);
        }
        kept.data
            .extend_from_slice(data)
            .map_err(|_| Error::Overflow)
    }
    fn finish(&self, partial: Self::Partial) -> Result<SslData, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] ReadSslData);

/// `AT+QSSLCLOSE=<clientID>[,<close_timeout>]` — close a socket (also one
/// in Closing state after a `"closed"` URC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseSslSocket {
    /// Socket to close.
    pub client: ClientId,
    /// `<close_timeout>`: seconds, or ms with `closetimemode` 1; default 10.
    pub timeout: Option<u16>,
}

impl CloseSslSocket {
    /// Close `client`, waiting at most `timeout` (module default: 10 s).
    pub const fn new(client: ClientId, timeout: Option<u16>) -> Self {
        Self { client, timeout }
    }
}

impl AtCommand for CloseSslSocket {
    answers_ok!();
    const MAX_TIMEOUT_MS: u32 = 10_000;
    /// The close timeout read as seconds (the longer unit), plus 1 s.
    fn timeout_ms(&self) -> u32 {
        u32::from(self.timeout.unwrap_or(10)) * 1000 + 1000
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLCLOSE=").uint(self.client.get().into());
        if let Some(timeout) = self.timeout {
            e.comma().uint(timeout.into());
        }
    }
}
atat_command!([] CloseSslSocket);

/// `AT+QSSLSTATE=<clientID>` — the state of one socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetSslState {
    /// Socket to query.
    pub client: ClientId,
}

impl AtCommand for GetSslState {
    type Response = SocketStatus;
    type Partial = Option<SslState>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLSTATE=").uint(self.client.get().into());
    }
    /// Only this socket's line counts: another socket's state is not this
    /// one's (the module prints none for a socket in Initial state).
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        let mut state = None;
        single_line(&mut state, line, b"+QSSLSTATE:", SslState::parse)?;
        if partial.is_none() {
            *partial = state.filter(|s| s.client == self.client);
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<SocketStatus, Error> {
        Ok(SocketStatus(partial))
    }
}
atat_command!([] GetSslState);

/// `AT+QSSLSTATE` — the state of every socket that is not Initial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListSslStates;

impl AtCommand for ListSslStates {
    type Response = heapless::Vec<SslState, 12>;
    type Partial = Self::Response;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLSTATE");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        if let Some(fields) = Fields::after(line, b"+QSSLSTATE:") {
            let state = SslState::parse(fields)?;
            partial.push(state).map_err(|_| Error::UnexpectedResponse)?;
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        Ok(partial)
    }
}
atat_command!([] ListSslStates);

impl ListCommand for ListSslStates {
    type Item = SslState;
    const PREFIX: &'static [u8] = b"+QSSLSTATE:";
    fn item(fields: Fields<'_>) -> Result<SslState, Error> {
        SslState::parse(fields)
    }
}

/// `AT+QIGETERROR` — the error code of the last SSL/TCP command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetLastError;

impl AtCommand for GetLastError {
    type Response = LastError;
    type Partial = Option<LastError>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIGETERROR");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        single_line(partial, line, b"+QIGETERROR:", LastError::parse)
    }
    fn finish(&self, partial: Self::Partial) -> Result<LastError, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] GetLastError);

/// `AT+QISWTMD=<clientID>,<access_mode>` — switch a connection's access mode.
/// Answers `OK` for buffer / direct push, `CONNECT` for transparent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchAccessMode {
    /// Socket to switch.
    pub client: ClientId,
    /// New access mode.
    pub mode: AccessMode,
}

impl AtCommand for SwitchAccessMode {
    answers_ok!();
    fn expectation(&self) -> Expect {
        if self.mode == AccessMode::Transparent {
            Expect::Transparent
        } else {
            Expect::Response
        }
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QISWTMD=")
            .uint(self.client.get().into())
            .comma()
            .uint(self.mode.code().into());
    }
}
atat_command!([] SwitchAccessMode);

/// `ATO` — return to transparent mode on the connection that last left it.
/// Answers `CONNECT`, or `NO CARRIER` ([`Error::NoCarrier`]) if there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReturnToDataMode;

impl AtCommand for ReturnToDataMode {
    answers_ok!();
    fn expectation(&self) -> Expect {
        Expect::Transparent
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("ATO");
    }
}
atat_command!([] ReturnToDataMode);

/// Commands whose test form (`AT+<cmd>=?`) [`TestCommand`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Testable {
    /// `AT+QSSLOPEN=?`
    SslOpen,
    /// `AT+QSSLSEND=?`
    SslSend,
    /// `AT+QSSLRECV=?`
    SslRecv,
    /// `AT+QSSLCLOSE=?`
    SslClose,
    /// `AT+QSSLSTATE=?` (answers a bare `OK`)
    SslState,
    /// `AT+QIGETERROR=?`
    LastError,
}

impl Testable {
    const fn name(self) -> &'static str {
        match self {
            Self::SslOpen => "+QSSLOPEN",
            Self::SslSend => "+QSSLSEND",
            Self::SslRecv => "+QSSLRECV",
            Self::SslClose => "+QSSLCLOSE",
            Self::SslState => "+QSSLSTATE",
            Self::LastError => "+QIGETERROR",
        }
    }
}

/// `AT+<cmd>=?` — the parameter ranges a command accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCommand(pub Testable);

impl AtCommand for TestCommand {
    type Response = ParameterRanges;
    type Partial = ParameterRanges;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT").text(self.0.name()).text("=?");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        let name = self.0.name().as_bytes();
        if line.starts_with(name) && line.get(name.len()) == Some(&b':') {
            if let Some(ranges) = ParameterRanges::from_line(line, &line[..=name.len()]) {
                *partial = ranges;
            }
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<ParameterRanges, Error> {
        Ok(partial)
    }
}
atat_command!([] TestCommand);
