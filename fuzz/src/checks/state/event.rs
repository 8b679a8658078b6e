//! The input of `state_machine`: events of [`EVENT_BYTES`] bytes
//! `[op, a, b]`, each decoded into one [`StateEvent`] (a call of the state
//! machine and its parameters; table in `fuzz/README.md`).

use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::{ClientId, PdpContextId, SslContextId, SslErrorCode};

/// Bytes per event: `[op, a, b]`.
pub const EVENT_BYTES: usize = 3;
/// Number of event kinds (`op % OPS`).
pub const OPS: u8 = 13;

/// One event, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateEvent {
    /// 0: `begin_open(client, pdp, ssl, mode)`.
    BeginOpen(ClientId, PdpContextId, SslContextId, AccessMode),
    /// 1: `open_result(client, code)`.
    OpenResult(ClientId, SslErrorCode),
    /// 2: `peer_closed(client)`.
    PeerClosed(ClientId),
    /// 3: `closed(client)`.
    Closed(ClientId),
    /// 4: `pdp_activated(ctx)`.
    PdpActivated(PdpContextId),
    /// 5: `pdp_deactivated(ctx)`.
    PdpDeactivated(PdpContextId),
    /// 6: `rebooted()`.
    Rebooted,
    /// 7: `entered_transparent(client)`.
    EnteredTransparent(ClientId),
    /// 8: `left_transparent()`.
    LeftTransparent,
    /// 9: `carrier_lost()`.
    CarrierLost,
    /// 10: `mode_switched(client, mode)`.
    ModeSwitched(ClientId, AccessMode),
    /// 11: `adopt(client, state, mode, ssl, pdp)`.
    Adopt(
        ClientId,
        SocketState,
        AccessMode,
        SslContextId,
        PdpContextId,
    ),
    /// 12: `handle(client)`.
    Handle(ClientId),
}

fn client(byte: u8) -> ClientId {
    ClientId::all()
        .nth(usize::from(byte % 12))
        .unwrap_or(ClientId::MIN)
}

fn pdp(byte: u8) -> PdpContextId {
    PdpContextId::all()
        .nth(usize::from(byte % 16))
        .unwrap_or(PdpContextId::MIN)
}

fn ssl(byte: u8) -> SslContextId {
    SslContextId::all()
        .nth(usize::from(byte % 6))
        .unwrap_or(SslContextId::MIN)
}

fn mode(byte: u8) -> AccessMode {
    AccessMode::ALL[usize::from(byte % 3)]
}

fn socket_state(byte: u8) -> SocketState {
    SocketState::ALL[usize::from(byte % 4)]
}

/// Success half of the time, else one of the 25 error codes or a code the
/// crate does not know.
fn code(byte: u8) -> SslErrorCode {
    match byte {
        0..=127 => SslErrorCode::from(0),
        128..=251 => SslErrorCode::from(550 + u16::from(byte % 25)),
        _ => SslErrorCode::from(600 + u16::from(byte)),
    }
}

impl StateEvent {
    /// Decode one `[op, a, b]` event.
    pub fn decode(op: u8, a: u8, b: u8) -> Self {
        match op % OPS {
            0 => Self::BeginOpen(client(a), pdp(b), ssl(b >> 4), mode(a >> 4)),
            1 => Self::OpenResult(client(a), code(b)),
            2 => Self::PeerClosed(client(a)),
            3 => Self::Closed(client(a)),
            4 => Self::PdpActivated(pdp(a)),
            5 => Self::PdpDeactivated(pdp(a)),
            6 => Self::Rebooted,
            7 => Self::EnteredTransparent(client(a)),
            8 => Self::LeftTransparent,
            9 => Self::CarrierLost,
            10 => Self::ModeSwitched(client(a), mode(b)),
            11 => Self::Adopt(
                client(a),
                socket_state(a >> 4),
                mode(b),
                ssl(b / 3),
                pdp(b / 18),
            ),
            _ => Self::Handle(client(a)),
        }
    }
}
