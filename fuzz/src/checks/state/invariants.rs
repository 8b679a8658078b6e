//! The invariants of `state_machine`: what each event must have left
//! behind ([`check_after`]) and what must hold after any event
//! ([`check_invariants`]), against the state machine's answers and the
//! check's own [`Record`].

use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::state::{PortMode, SessionState};
use quectel_ssl::{ClientId, Error, PdpContextId, SslContextId};

use super::event::StateEvent;
use super::record::{Issued, Record};

/// What each event must have left behind.
pub(super) fn check_after(
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
pub(super) fn check_invariants(state: &SessionState, record: &Record, trail: &[StateEvent]) {
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
