//! `SessionState` driven by an arbitrary sequence of events: every
//! transition method, every check and `handle`, with the invariants that
//! must hold after each step whatever came before.
//!
//! The input is read as events of [`EVENT_BYTES`] bytes `[op, a, b]` (a
//! shorter tail is ignored); `op % OPS` picks the event (table in
//! `fuzz/README.md`), `a` and `b` its parameters. The check keeps its own
//! record of what the module reported (which PDP contexts are active, which
//! handles were issued and whether their socket has been Initial since) and
//! compares it with what the state machine answers. It does not restate the
//! state machine's transitions (`tests/state_model.rs` does that against a
//! model); it checks what must hold after any of them:
//!
//! - the port's transparent connection, if any, is Connected, in
//!   transparent mode, and the only socket in transparent mode; at most one
//!   socket that is not Initial is in transparent mode;
//! - an Initial socket holds nothing (buffer mode, no close cause), and a
//!   close cause is set exactly when the socket is Closing;
//! - `ssl_context_in_use`, `open_sockets`, `transparent_session`, `handle`
//!   and `check_command` agree with the sockets and the port;
//! - a handle passes `check_handle` exactly while its socket has not been
//!   Initial since it was issued and the module has not rebooted: a stale
//!   handle fails with `StaleHandle`, one from before a reboot with
//!   `ModuleReset`, forever; `check_send` and `check_read` pass only what
//!   their docs promise;
//! - a refused `begin_open` changes nothing; an accepted one leaves the
//!   socket Opening with what was asked, behind a handle that passes;
//! - after `closed`, `pdp_deactivated` and `rebooted`, nothing of what they
//!   ended is left (no live socket on a lost context, no transparent port on
//!   a closed socket, no `ATO` target that is Initial).

use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::state::{PortMode, SessionState};
use quectel_ssl::{ClientId, Error, PdpContextId, SocketHandle, SslContextId, SslErrorCode};

/// Bytes per event: `[op, a, b]`.
pub const EVENT_BYTES: usize = 3;
/// Number of event kinds (`op % OPS`).
pub const OPS: u8 = 13;
/// Handles kept and checked after each step (the oldest are dropped).
const KEPT_HANDLES: usize = 64;

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

/// A handle issued during the run, with what the check knows of it.
#[derive(Debug, Clone, Copy)]
struct Issued {
    handle: SocketHandle,
    /// Its socket has been Initial since it was issued: it is stale forever.
    stale: bool,
    /// The module rebooted since it was issued.
    reset: bool,
}

/// What the check itself records while the events go by.
struct Record {
    issued: Vec<Issued>,
    /// Bit `i`: PDP context `i + 1` was reported active and not lost since.
    pdp_active: u16,
}

impl Record {
    fn issue(&mut self, handle: SocketHandle) {
        if self.issued.len() == KEPT_HANDLES {
            self.issued.remove(0);
        }
        self.issued.push(Issued {
            handle,
            stale: false,
            reset: false,
        });
    }
}

/// Drive a `SessionState` with the events of `data`, checking every
/// invariant after each one. Panics with a message naming the broken one.
pub fn check_state(data: &[u8]) {
    let mut state = SessionState::new();
    let mut record = Record {
        issued: Vec::new(),
        pdp_active: 0,
    };
    let mut trail: Vec<StateEvent> = Vec::new();
    for event in data.chunks_exact(EVENT_BYTES) {
        let event = StateEvent::decode(event[0], event[1], event[2]);
        trail.push(event);
        let before = state.clone();
        apply(&mut state, &mut record, event, &before, &trail);
        for issued in &mut record.issued {
            if state.socket(issued.handle.client()).state == SocketState::Initial {
                issued.stale = true;
            }
        }
        check_after(&state, &before, event, &trail);
        check_invariants(&state, &record, &trail);
    }
}

fn apply(
    state: &mut SessionState,
    record: &mut Record,
    event: StateEvent,
    before: &SessionState,
    trail: &[StateEvent],
) {
    match event {
        StateEvent::BeginOpen(c, p, s, m) => match state.begin_open(c, p, s, m) {
            Ok(handle) => {
                assert_eq!(
                    before.check_command(),
                    Ok(()),
                    "open accepted on a transparent port: {trail:?}"
                );
                assert_eq!(
                    before.socket(c).state,
                    SocketState::Initial,
                    "open accepted on a socket in use: {trail:?}"
                );
                if m == AccessMode::Transparent {
                    assert_eq!(
                        before.transparent_session(),
                        None,
                        "second transparent session: {trail:?}"
                    );
                }
                let socket = state.socket(c);
                assert_eq!(
                    (
                        socket.state,
                        socket.mode,
                        socket.ssl,
                        socket.pdp,
                        socket.cause
                    ),
                    (SocketState::Opening, m, s, p, None),
                    "socket after an accepted open: {trail:?}"
                );
                assert_eq!(
                    state.check_handle(&handle).copied(),
                    Ok(*socket),
                    "new handle: {trail:?}"
                );
                record.issue(handle);
            }
            Err(e) => {
                assert!(
                    matches!(e, Error::TransparentMode | Error::SocketInUse),
                    "open refused with {e:?}: {trail:?}"
                );
                assert_eq!(state, before, "a refused open changed the state: {trail:?}");
            }
        },
        StateEvent::OpenResult(c, code) => state.open_result(c, code),
        StateEvent::PeerClosed(c) => state.peer_closed(c),
        StateEvent::Closed(c) => state.closed(c),
        StateEvent::PdpActivated(p) => {
            state.pdp_activated(p);
            record.pdp_active |= 1 << p.index();
        }
        StateEvent::PdpDeactivated(p) => {
            state.pdp_deactivated(p);
            record.pdp_active &= !(1 << p.index());
        }
        StateEvent::Rebooted => {
            state.rebooted();
            record.pdp_active = 0;
            for issued in &mut record.issued {
                issued.reset = true;
            }
        }
        StateEvent::EnteredTransparent(c) => state.entered_transparent(c),
        StateEvent::LeftTransparent => state.left_transparent(),
        StateEvent::CarrierLost => state.carrier_lost(),
        StateEvent::ModeSwitched(c, m) => state.mode_switched(c, m),
        StateEvent::Adopt(c, st, m, s, p) => {
            let handle = state.adopt(c, st, m, s, p);
            assert_eq!(handle.client(), c, "adopt's handle: {trail:?}");
            record.issue(handle);
        }
        StateEvent::Handle(c) => match state.handle(c) {
            Some(handle) => {
                assert_eq!(handle.client(), c, "handle's client: {trail:?}");
                record.issue(handle);
            }
            None => assert_eq!(
                state.socket(c).state,
                SocketState::Initial,
                "no handle for a socket in use: {trail:?}"
            ),
        },
    }
}

/// What each event must have left behind.
fn check_after(
    state: &SessionState,
    before: &SessionState,
    event: StateEvent,
    trail: &[StateEvent],
) {
    match event {
        StateEvent::Closed(c) => {
            assert_eq!(
                state.socket(c).state,
                SocketState::Initial,
                "closed socket: {trail:?}"
            );
            assert_ne!(
                state.last_transparent(),
                Some(c),
                "ATO target after close: {trail:?}"
            );
        }
        StateEvent::PdpDeactivated(p) => {
            for c in ClientId::all() {
                let on_lost = state.socket(c).pdp == p;
                assert!(
                    !(live(state, c) && on_lost),
                    "socket {c} alive on a lost context: {trail:?}"
                );
            }
        }
        StateEvent::Rebooted => {
            assert_eq!(
                state.open_sockets().count(),
                0,
                "sockets after a reboot: {trail:?}"
            );
            assert_eq!(
                state.port(),
                PortMode::Command,
                "port after a reboot: {trail:?}"
            );
            assert_eq!(
                state.last_transparent(),
                None,
                "ATO target after a reboot: {trail:?}"
            );
        }
        StateEvent::OpenResult(c, code) if before.socket(c).state == SocketState::Opening => {
            let want = if code.is_success() {
                SocketState::Connected
            } else {
                SocketState::Initial
            };
            assert_eq!(
                state.socket(c).state,
                want,
                "open result {code:?}: {trail:?}"
            );
        }
        StateEvent::PeerClosed(c) => {
            if live(before, c) {
                assert_eq!(
                    state.socket(c).state,
                    SocketState::Closing,
                    "closed by the peer: {trail:?}"
                );
            }
            assert_ne!(
                state.port(),
                PortMode::Transparent(c),
                "port on a closed connection: {trail:?}"
            );
        }
        StateEvent::CarrierLost => {
            if let PortMode::Transparent(c) = before.port() {
                assert_eq!(
                    state.socket(c).state,
                    SocketState::Closing,
                    "NO CARRIER: {trail:?}"
                );
            }
            assert_eq!(
                state.port(),
                PortMode::Command,
                "port after NO CARRIER: {trail:?}"
            );
        }
        StateEvent::LeftTransparent => {
            assert_eq!(
                state.port(),
                PortMode::Command,
                "port after an escape: {trail:?}"
            );
        }
        _ => {}
    }
    // Only a reboot clears every context; only these two events touch them.
    if !matches!(
        event,
        StateEvent::PdpActivated(_) | StateEvent::PdpDeactivated(_) | StateEvent::Rebooted
    ) {
        for p in PdpContextId::all() {
            assert_eq!(
                state.pdp_active(p),
                before.pdp_active(p),
                "context {p} changed by {event:?}: {trail:?}"
            );
        }
    }
}

fn live(state: &SessionState, c: ClientId) -> bool {
    matches!(
        state.socket(c).state,
        SocketState::Opening | SocketState::Connected
    )
}

/// What must hold after any event.
fn check_invariants(state: &SessionState, record: &Record, trail: &[StateEvent]) {
    let in_transparent_mode: Vec<ClientId> = ClientId::all()
        .filter(|c| {
            let s = state.socket(*c);
            s.state != SocketState::Initial && s.mode == AccessMode::Transparent
        })
        .collect();
    assert!(
        in_transparent_mode.len() <= 1,
        "sockets {in_transparent_mode:?} all in transparent mode: {trail:?}"
    );
    assert_eq!(
        state.transparent_session(),
        in_transparent_mode.first().copied(),
        "transparent_session: {trail:?}"
    );
    match state.port() {
        PortMode::Command => assert_eq!(
            state.check_command(),
            Ok(()),
            "command mode refuses commands: {trail:?}"
        ),
        PortMode::Transparent(c) => {
            assert_eq!(
                state.check_command(),
                Err(Error::TransparentMode),
                "transparent port takes commands: {trail:?}"
            );
            let s = state.socket(c);
            assert_eq!(
                (s.state, s.mode),
                (SocketState::Connected, AccessMode::Transparent),
                "the port's transparent connection {c}: {trail:?}"
            );
        }
    }
    if let Some(c) = state.last_transparent() {
        assert_ne!(
            state.socket(c).state,
            SocketState::Initial,
            "ATO target {c} is Initial: {trail:?}"
        );
    }
    let open: Vec<ClientId> = state.open_sockets().collect();
    for c in ClientId::all() {
        let s = state.socket(c);
        let initial = s.state == SocketState::Initial;
        assert_eq!(
            open.contains(&c),
            !initial,
            "open_sockets and socket {c}: {trail:?}"
        );
        if initial {
            assert_eq!(
                (s.mode, s.cause),
                (AccessMode::Buffer, None),
                "Initial socket {c} holds something: {trail:?}"
            );
        }
        assert_eq!(
            s.cause.is_some(),
            s.state == SocketState::Closing,
            "socket {c} {:?} with cause {:?}: {trail:?}",
            s.state,
            s.cause
        );
        match state.handle(c) {
            Some(h) => {
                assert!(!initial, "a handle for Initial socket {c}: {trail:?}");
                assert_eq!(
                    state.check_handle(&h).copied(),
                    Ok(*s),
                    "current handle of {c}: {trail:?}"
                );
            }
            None => assert!(initial, "no handle for socket {c} in use: {trail:?}"),
        }
    }
    for ctx in SslContextId::all() {
        let used = ClientId::all().any(|c| {
            let s = state.socket(c);
            s.state != SocketState::Initial && s.ssl == ctx
        });
        assert_eq!(
            state.ssl_context_in_use(ctx),
            used,
            "SSL context {ctx} in use: {trail:?}"
        );
    }
    for p in PdpContextId::all() {
        assert_eq!(
            state.pdp_active(p),
            record.pdp_active & (1 << p.index()) != 0,
            "PDP context {p} active: {trail:?}"
        );
    }
    for issued in &record.issued {
        check_handle(state, issued, trail);
    }
}

fn check_handle(state: &SessionState, issued: &Issued, trail: &[StateEvent]) {
    let h = &issued.handle;
    let c = h.client();
    let socket = *state.socket(c);
    let handle = state.check_handle(h).copied();
    let want = if issued.reset {
        Err(Error::ModuleReset)
    } else if issued.stale {
        Err(Error::StaleHandle)
    } else {
        Ok(socket)
    };
    assert_eq!(handle, want, "check_handle({h:?}): {trail:?}");
    let command = state.check_command();
    match state.check_send(h) {
        Ok(()) => {
            assert_eq!(handle, Ok(socket), "send on a dead handle {h:?}: {trail:?}");
            assert_eq!(command, Ok(()), "send on a transparent port: {trail:?}");
            assert_eq!(
                socket.state,
                SocketState::Connected,
                "send on {:?} socket: {trail:?}",
                socket.state
            );
            assert_ne!(
                socket.mode,
                AccessMode::Transparent,
                "QSSLSEND in transparent mode: {trail:?}"
            );
        }
        Err(e) => {
            if let Err(first) = command.clone().and(handle.clone().map(drop)) {
                assert_eq!(e, first, "send refusal for {h:?}: {trail:?}");
            }
        }
    }
    match state.check_read(h) {
        Ok(s) => {
            assert_eq!(Ok(*s), handle, "read on a dead handle {h:?}: {trail:?}");
            assert_eq!(command, Ok(()), "read on a transparent port: {trail:?}");
            assert!(
                matches!(s.state, SocketState::Connected | SocketState::Closing),
                "read on {:?} socket: {trail:?}",
                s.state
            );
        }
        Err(e) => {
            if let Err(first) = command.and(handle.clone().map(drop)) {
                assert_eq!(e, first, "read refusal for {h:?}: {trail:?}");
            }
        }
    }
}
