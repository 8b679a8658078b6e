//! What a connection's threads tell the engine ([`NetEvent`]), and what
//! they report with it: the handshake's outcome, why a connection closed.

use super::failure::FailReason;

/// What a finished TLS handshake negotiated (see
/// [`crate::SimHandle::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// Whether the session was resumed from the SSL context's cache.
    pub resumed: bool,
    /// OpenSSL's name of the version: `SSLv3`, `TLSv1`, `TLSv1.1`,
    /// `TLSv1.2`, `TLSv1.3`, `DTLSv1`, `DTLSv1.2`.
    pub protocol: String,
    /// The IANA code of the negotiated suite.
    pub cipher_code: u16,
    /// The IANA name of the negotiated suite.
    pub cipher_suite: String,
    /// The ALPN protocol the server chose.
    pub alpn: Option<Vec<u8>>,
    /// The certificate errors the context's `ignore...` settings let pass
    /// (OpenSSL's text), in the order met.
    pub relaxed: Vec<String>,
}

/// Why a connected socket went to Closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCause {
    /// The peer closed the connection (FIN or TLS close_notify).
    Peer,
    /// Reading from the connection failed (reset, TLS error): a later
    /// `AT+QSSLRECV` on an empty buffer answers `ERROR` (559).
    ReadFailed,
    /// Writing to the connection failed: a later send answers `ERROR` (558).
    WriteFailed,
    /// The PDP context was lost: a later send answers `ERROR` (570).
    PdpLost,
}

/// What a worker tells the engine.
#[derive(Debug)]
pub(crate) enum NetEvent {
    /// The host name was resolved (the context's DNS is free again).
    Resolved,
    /// TCP and TLS are up.
    Opened {
        local_port: u16,
        info: HandshakeInfo,
    },
    /// The open failed, for this reason.
    OpenFailed(FailReason),
    /// Data was added to the receive buffer.
    Data,
    /// Part of the send buffer went out on the network.
    SendDrained,
    /// A lingering close sent everything and its close_notify.
    CloseSent,
    /// The connection is gone.
    Closed(CloseCause),
}
