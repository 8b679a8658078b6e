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
//!
//! The input is decoded in `event.rs`, the check's own record is kept in
//! `record.rs`, and the invariants are in `invariants.rs`; this file drives
//! the state machine and checks each call's direct answer.

mod event;
mod invariants;
mod record;

pub use event::{StateEvent, EVENT_BYTES, OPS};

use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::state::SessionState;
use quectel_ssl::Error;

use invariants::{check_after, check_invariants};
use record::Record;

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
