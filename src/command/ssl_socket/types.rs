//! Values and answers of the SSL socket commands.

use crate::command::ssl_config::types::wire_enum;
use crate::error::{Error, SslErrorCode};
use crate::types::{ClientId, PdpContextId, SslContextId};
use crate::wire::{owned, Fields};

wire_enum! {
    /// `<access_mode>`: how data moves between host and socket.
    AccessMode: "access_mode" {
        /// 0: buffer access: `+QSSLURC: "recv",<id>` notices, read with
        /// `AT+QSSLRECV`.
        Buffer = 0,
        /// 1: direct push: data arrives in `+QSSLURC: "recv",<id>,<len>` URCs.
        DirectPush = 1,
        /// 2: transparent: the port carries the connection's bytes raw.
        Transparent = 2,
    }
}

impl AccessMode {
    /// The smallest receive buffer a socket in this mode works with, in
    /// bytes; [`Modem::open`](crate::Modem::open) refuses a smaller one
    /// before writing anything.
    ///
    /// - Buffer: 1 (each `AT+QSSLRECV` asks for what fits; a small buffer
    ///   only means more reads).
    /// - Direct push: 1500, one whole push (`+QSSLURC: "recv",<id>,<len>`
    ///   carries up to 1500 bytes and cannot be refused: what does not fit
    ///   is lost and reported as [`crate::Error::PushOverflow`]).
    ///   Pushes keep coming while the application does not read: give it
    ///   room for as many as it may leave unread.
    /// - Transparent: 64 (the engine holds back up to 13 bytes that may
    ///   start `NO CARRIER` and needs room beyond them to make progress).
    pub const fn min_receive_buffer(self) -> usize {
        match self {
            Self::Buffer => 1,
            Self::DirectPush => crate::types::ReadLength::MAX_BYTES,
            Self::Transparent => 64,
        }
    }
}

wire_enum! {
    /// `<socket_state>` in an `AT+QSSLSTATE` line.
    SocketState: "socket_state" {
        /// 0: "Initial": no connection.
        Initial = 0,
        /// 1: "Opening": connecting.
        Opening = 1,
        /// 2: "Connected".
        Connected = 2,
        /// 4: "Closing": closed by the peer or the network; must be closed
        /// with `AT+QSSLCLOSE`.
        Closing = 4,
    }
}

/// `<AT_port>`: the port the connection reports on.
///
/// Exhaustive: the manual's three names, any other kept in
/// [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AtPort {
    /// `"usbmodem"`
    UsbModem,
    /// `"usbat"`
    UsbAt,
    /// `"uart1"`
    Uart1,
    /// Any other name, as printed.
    Other(heapless::String<16>),
}

impl AtPort {
    fn parse(name: &[u8]) -> Result<Self, Error> {
        Ok(match name {
            b"usbmodem" => Self::UsbModem,
            b"usbat" => Self::UsbAt,
            b"uart1" => Self::Uart1,
            other => Self::Other(owned(other)?),
        })
    }
}

/// One `+QSSLSTATE:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SslState {
    /// `<clientID>`
    pub client: ClientId,
    /// `<IP_address>` of the server, as printed.
    pub remote_address: heapless::String<64>,
    /// `<remote_port>`
    pub remote_port: u16,
    /// `<local_port>` (0 while opening on some firmware).
    pub local_port: u16,
    /// `<socket_state>`
    pub state: SocketState,
    /// `<PDP_ctxID>`
    pub pdp_context: PdpContextId,
    /// `<serverID>` (reserved).
    pub server_id: u8,
    /// `<access_mode>`
    pub access_mode: AccessMode,
    /// `<AT_port>`
    pub at_port: AtPort,
    /// `<SSL_ctxID>`
    pub ssl_context: SslContextId,
}

impl atat::AtatResp for SslState {}

fn bad<T>(_: T) -> Error {
    Error::UnexpectedResponse
}

impl SslState {
    /// Parse `+QSSLSTATE: 4,"SSLClient","220.180.239.212",8010,65344,2,1,4,0,"usbmodem",1`.
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        let client = ClientId::new(f.u8()?).map_err(bad)?;
        let _service = f.string()?;
        let remote_address = owned(f.string()?)?;
        let remote_port = f.u16()?;
        let local_port = f.u16()?;
        let state = SocketState::from_code(f.u8()?).ok_or(Error::UnexpectedResponse)?;
        let pdp_context = PdpContextId::new(f.u8()?).map_err(bad)?;
        let server_id = f.u8()?;
        let access_mode = AccessMode::from_code(f.u8()?).ok_or(Error::UnexpectedResponse)?;
        let at_port = AtPort::parse(f.string()?)?;
        let ssl_context = SslContextId::new(f.u8()?).map_err(bad)?;
        Ok(Self {
            client,
            remote_address,
            remote_port,
            local_port,
            state,
            pdp_context,
            server_id,
            access_mode,
            at_port,
            ssl_context,
        })
    }
}

/// What `AT+QSSLSTATE=<clientID>` answers: the socket's line, or nothing
/// (a bare `OK`) when the socket is Initial on firmware that omits it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SocketStatus(pub Option<SslState>);

impl atat::AtatResp for SocketStatus {}

/// What `AT+QSSLRECV` answers: up to 1500 bytes (empty: nothing buffered).
///
/// Used on the atat path; the session engine moves the payload straight into
/// the caller's buffer instead.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SslData {
    /// The payload, in order.
    pub data: heapless::Vec<u8, 1500>,
}

impl atat::AtatResp for SslData {}

/// What `AT+QIGETERROR` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LastError {
    /// `<err>`: the code of the last SSL/TCP command (0 = success).
    pub code: SslErrorCode,
    /// The module's description, unquoted lower-case text (cut to 48 bytes).
    pub description: heapless::String<48>,
}

impl atat::AtatResp for LastError {}

impl LastError {
    /// Parse `+QIGETERROR: 572,operation not allowed`.
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        let code = SslErrorCode::from(f.u16()?);
        let text = f.rest();
        let text = match text {
            [b'"', inner @ .., b'"'] => inner,
            other => other,
        };
        let description = crate::wire::lossy(text);
        Ok(Self { code, description })
    }
}
