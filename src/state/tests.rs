//! Every state × event pair, and handles that outlive their socket.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::ssl_socket::AccessMode::{Buffer, DirectPush, Transparent};
use crate::command::ssl_socket::SocketState::{Closing, Connected, Initial, Opening};

mod modes;

fn c(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}
fn pdp(n: u8) -> PdpContextId {
    PdpContextId::new(n).unwrap()
}
fn ssl(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}

/// The states socket 3 can be in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum St {
    Initial,
    OpeningBuffer,
    OpeningTransparent,
    ConnectedBuffer,
    ConnectedPush,
    /// Transparent, the port carrying it.
    ConnectedTransparent,
    /// Left with `+++`: buffer mode, `ATO` returns to it.
    LeftTransparent,
    ClosingPeer,
    ClosingPdp,
}

const STATES: [St; 9] = [
    St::Initial,
    St::OpeningBuffer,
    St::OpeningTransparent,
    St::ConnectedBuffer,
    St::ConnectedPush,
    St::ConnectedTransparent,
    St::LeftTransparent,
    St::ClosingPeer,
    St::ClosingPdp,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ev {
    OpenBuffer,
    OpenTransparent,
    OpenOk,
    OpenFailed,
    PeerClosed,
    Closed,
    PdpLostOwn,
    PdpLostOther,
    Rebooted,
    EnterTransparent,
    LeaveTransparent,
    CarrierLost,
    SwitchToPush,
}

const EVENTS: [Ev; 13] = [
    Ev::OpenBuffer,
    Ev::OpenTransparent,
    Ev::OpenOk,
    Ev::OpenFailed,
    Ev::PeerClosed,
    Ev::Closed,
    Ev::PdpLostOwn,
    Ev::PdpLostOther,
    Ev::Rebooted,
    Ev::EnterTransparent,
    Ev::LeaveTransparent,
    Ev::CarrierLost,
    Ev::SwitchToPush,
];

/// A session with socket 3 in `st` (pdp 1, ssl 2), and its handle.
fn setup(st: St) -> (SessionState, SocketHandle) {
    let mut s = SessionState::new();
    s.pdp_activated(pdp(1));
    let mode = match st {
        St::OpeningTransparent | St::ConnectedTransparent | St::LeftTransparent => Transparent,
        St::ConnectedPush => DirectPush,
        _ => Buffer,
    };
    let h = s.begin_open(c(3), pdp(1), ssl(2), mode).unwrap();
    match st {
        St::Initial => s.closed(c(3)),
        St::OpeningBuffer | St::OpeningTransparent => {}
        St::ClosingPeer => {
            s.open_result(c(3), SslErrorCode::Success);
            s.peer_closed(c(3));
        }
        St::ClosingPdp => {
            s.open_result(c(3), SslErrorCode::Success);
            s.pdp_deactivated(pdp(1));
            s.pdp_activated(pdp(1));
        }
        St::LeftTransparent => {
            s.open_result(c(3), SslErrorCode::Success);
            s.left_transparent();
        }
        _ => s.open_result(c(3), SslErrorCode::Success),
    }
    (s, h)
}

/// What socket 3 and the port look like.
type Snapshot = (SocketState, AccessMode, PortMode, Option<CloseCause>);

fn snapshot(s: &SessionState) -> Snapshot {
    let sock = s.socket(c(3));
    (sock.state, sock.mode, s.port(), sock.cause)
}

fn apply(s: &mut SessionState, ev: Ev) -> Result<(), Error> {
    match ev {
        Ev::OpenBuffer => return s.begin_open(c(3), pdp(1), ssl(2), Buffer).map(drop),
        Ev::OpenTransparent => return s.begin_open(c(3), pdp(1), ssl(2), Transparent).map(drop),
        Ev::OpenOk => s.open_result(c(3), SslErrorCode::Success),
        Ev::OpenFailed => s.open_result(c(3), SslErrorCode::SocketConnectFailed),
        Ev::PeerClosed => s.peer_closed(c(3)),
        Ev::Closed => s.closed(c(3)),
        Ev::PdpLostOwn => s.pdp_deactivated(pdp(1)),
        Ev::PdpLostOther => s.pdp_deactivated(pdp(2)),
        Ev::Rebooted => s.rebooted(),
        Ev::EnterTransparent => s.entered_transparent(c(3)),
        Ev::LeaveTransparent => s.left_transparent(),
        Ev::CarrierLost => s.carrier_lost(),
        Ev::SwitchToPush => s.mode_switched(c(3), DirectPush),
    }
    Ok(())
}

const CMD: PortMode = PortMode::Command;

/// The expected result and snapshot after `ev` in `st`.
fn expected(ev: Ev, before: Snapshot) -> (Result<(), Error>, Snapshot) {
    let (state, mode, port, cause) = before;
    let initial = (Initial, Buffer, CMD, None);
    let trans3 = PortMode::Transparent(c(3));
    let unchanged = (Ok(()), before);
    let transparent_port = port == trans3;
    let active = matches!(state, Opening | Connected);
    match ev {
        Ev::OpenBuffer | Ev::OpenTransparent if transparent_port => {
            (Err(Error::TransparentMode), before)
        }
        Ev::OpenBuffer | Ev::OpenTransparent if state != Initial => {
            (Err(Error::SocketInUse), before)
        }
        Ev::OpenBuffer => (Ok(()), (Opening, Buffer, CMD, None)),
        Ev::OpenTransparent => (Ok(()), (Opening, Transparent, CMD, None)),
        Ev::OpenOk if state == Opening => {
            let port = if mode == Transparent { trans3 } else { CMD };
            (Ok(()), (Connected, mode, port, None))
        }
        Ev::OpenFailed if state == Opening => (Ok(()), initial),
        Ev::PeerClosed if active => (Ok(()), (Closing, mode, CMD, Some(CloseCause::Peer))),
        Ev::CarrierLost if transparent_port => {
            (Ok(()), (Closing, mode, CMD, Some(CloseCause::Peer)))
        }
        Ev::Closed | Ev::Rebooted => (Ok(()), initial),
        Ev::PdpLostOwn if active => (Ok(()), (Closing, mode, CMD, Some(CloseCause::PdpLost))),
        Ev::EnterTransparent if state == Connected => {
            (Ok(()), (Connected, Transparent, trans3, cause))
        }
        Ev::LeaveTransparent if transparent_port => (Ok(()), (state, Buffer, CMD, cause)),
        Ev::SwitchToPush if state != Initial && !transparent_port => {
            (Ok(()), (state, DirectPush, port, cause))
        }
        _ => unchanged,
    }
}

#[test]
fn every_state_times_every_event() {
    let mut pairs = 0;
    for st in STATES {
        for ev in EVENTS {
            let (mut s, _) = setup(st);
            let before = snapshot(&s);
            let (want_result, want_after) = expected(ev, before);
            let result = apply(&mut s, ev);
            assert_eq!(result, want_result, "{st:?} + {ev:?}: result");
            assert_eq!(snapshot(&s), want_after, "{st:?} + {ev:?}: state");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 9 * 13);
}

#[test]
fn every_state_times_every_check() {
    for st in STATES {
        let (s, h) = setup(st);
        let command = if st == St::ConnectedTransparent {
            Err(Error::TransparentMode)
        } else {
            Ok(())
        };
        let (send, read) = match st {
            St::Initial => (Err(Error::StaleHandle), Err(Error::StaleHandle)),
            St::OpeningBuffer | St::OpeningTransparent => {
                (Err(Error::NotConnected), Err(Error::NotConnected))
            }
            St::ConnectedBuffer | St::ConnectedPush | St::LeftTransparent => (Ok(()), Ok(())),
            St::ConnectedTransparent => (Err(Error::TransparentMode), Err(Error::TransparentMode)),
            St::ClosingPeer => (Err(Error::Closed), Ok(())),
            St::ClosingPdp => (Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown)), Ok(())),
        };
        assert_eq!(s.check_command(), command, "{st:?}: command");
        assert_eq!(s.check_send(&h), send, "{st:?}: send");
        assert_eq!(s.check_read(&h).map(drop), read, "{st:?}: read");
    }
}

#[test]
fn handles_die_with_close_and_reboot() {
    let mut s = SessionState::new();
    let h = s.begin_open(c(0), pdp(1), ssl(0), Buffer).unwrap();
    s.open_result(c(0), SslErrorCode::Success);
    assert!(s.check_send(&h).is_ok());
    s.closed(c(0));
    assert_eq!(s.check_send(&h), Err(Error::StaleHandle));
    // The index is reused: the old handle still fails.
    let h2 = s.begin_open(c(0), pdp(1), ssl(0), Buffer).unwrap();
    s.open_result(c(0), SslErrorCode::Success);
    assert_eq!(s.check_send(&h), Err(Error::StaleHandle));
    assert!(s.check_send(&h2).is_ok());
    s.rebooted();
    assert_eq!(s.check_send(&h2), Err(Error::ModuleReset));
    assert_eq!(s.check_read(&h2).map(drop), Err(Error::ModuleReset));
    assert_eq!(s.open_sockets().count(), 0);
    assert!(!s.pdp_active(pdp(1)));
}

#[test]
fn only_one_transparent_session() {
    let mut s = SessionState::new();
    s.begin_open(c(1), pdp(1), ssl(0), Transparent).unwrap();
    assert_eq!(
        s.begin_open(c(2), pdp(1), ssl(0), Transparent),
        Err(Error::TransparentMode)
    );
    s.open_result(c(1), SslErrorCode::Success);
    // The port is transparent: nothing at all may be sent.
    assert_eq!(
        s.begin_open(c(2), pdp(1), ssl(0), Buffer),
        Err(Error::TransparentMode)
    );
    s.left_transparent();
    assert_eq!(s.last_transparent(), Some(c(1)));
    // An explicit switch ends its claim to `ATO`.
    let mut switched = s.clone();
    switched.mode_switched(c(1), DirectPush);
    assert_eq!(switched.last_transparent(), None);
    assert!(s.begin_open(c(2), pdp(1), ssl(0), Buffer).is_ok());
    assert!(s.begin_open(c(3), pdp(1), ssl(0), Transparent).is_ok());
}

#[test]
fn contexts_are_released_with_their_last_socket() {
    let mut s = SessionState::new();
    s.begin_open(c(0), pdp(1), ssl(4), Buffer).unwrap();
    s.begin_open(c(1), pdp(2), ssl(4), DirectPush).unwrap();
    assert!(s.ssl_context_in_use(ssl(4)));
    assert!(!s.ssl_context_in_use(ssl(0)));
    s.closed(c(0));
    assert!(s.ssl_context_in_use(ssl(4)));
    s.closed(c(1));
    assert!(!s.ssl_context_in_use(ssl(4)));
}

#[test]
fn pdp_loss_closes_only_the_sockets_on_it() {
    let mut s = SessionState::new();
    for (client, ctx) in [(0, 1), (1, 1), (2, 2)] {
        s.pdp_activated(pdp(ctx));
        s.begin_open(c(client), pdp(ctx), ssl(0), Buffer).unwrap();
        s.open_result(c(client), SslErrorCode::Success);
    }
    s.pdp_deactivated(pdp(1));
    assert!(!s.pdp_active(pdp(1)));
    assert!(s.pdp_active(pdp(2)));
    assert_eq!(s.socket(c(0)).state, Closing);
    assert_eq!(s.socket(c(1)).cause, Some(CloseCause::PdpLost));
    assert_eq!(s.socket(c(2)).state, Connected);
}

#[test]
fn adopted_sockets_can_be_closed() {
    let mut s = SessionState::new();
    let h = s.adopt(c(7), Connected, DirectPush, ssl(1), pdp(1));
    assert!(s.check_send(&h).is_ok());
    assert_eq!(s.handle(c(7)), Some(h));
    s.closed(c(7));
    assert_eq!(s.handle(c(7)), None);
}

// Found by the `state_machine` fuzz target (fuzz/src/checks/state.rs).

#[test]
fn an_adopted_closing_socket_has_a_close_cause() {
    let mut s = SessionState::new();
    let h = s.adopt(c(2), Closing, Buffer, ssl(0), pdp(1));
    // Without a cause a read would wait forever for data that can't come.
    assert_eq!(s.socket(c(2)).cause, Some(CloseCause::Peer));
    assert_eq!(s.check_send(&h), Err(Error::Closed));
    // One that was Closing for a lost context keeps that cause; a live one
    // has none.
    s.adopt(c(3), Connected, Buffer, ssl(0), pdp(1));
    s.pdp_deactivated(pdp(1));
    s.adopt(c(3), Closing, Buffer, ssl(0), pdp(1));
    assert_eq!(s.socket(c(3)).cause, Some(CloseCause::PdpLost));
    s.adopt(c(3), Connected, Buffer, ssl(0), pdp(1));
    assert_eq!(s.socket(c(3)).cause, None);
}

#[test]
fn an_adopted_initial_socket_is_closed() {
    let mut s = SessionState::new();
    let old = s.adopt(c(4), Connected, Buffer, ssl(0), pdp(1));
    s.entered_transparent(c(4));
    s.left_transparent();
    assert_eq!(s.last_transparent(), Some(c(4)));
    let h = s.adopt(c(4), Initial, Transparent, ssl(3), pdp(2));
    let sock = s.socket(c(4));
    assert_eq!((sock.state, sock.mode, sock.cause), (Initial, Buffer, None));
    assert_eq!(s.last_transparent(), None, "ATO can't return to it");
    assert_eq!(s.check_handle(&h).map(drop), Err(Error::StaleHandle));
    assert_eq!(s.check_handle(&old).map(drop), Err(Error::StaleHandle));
    assert!(!s.ssl_context_in_use(ssl(3)));
}

#[test]
fn adopting_means_the_port_answers_commands() {
    let mut s = SessionState::new();
    s.begin_open(c(0), pdp(1), ssl(0), Transparent).unwrap();
    s.open_result(c(0), SslErrorCode::Success);
    assert_eq!(s.port(), PortMode::Transparent(c(0)));
    // The module listed its sockets: it had left transparent mode. A socket
    // it lists in transparent mode is parked, as after `+++`.
    let h = s.adopt(c(5), Connected, Transparent, ssl(1), pdp(1));
    assert_eq!(s.port(), PortMode::Command);
    assert_eq!(s.last_transparent(), Some(c(0)));
    assert_eq!(s.socket(c(5)).mode, Buffer);
    assert_eq!(s.socket(c(0)).mode, Buffer);
    assert_eq!(s.transparent_session(), None);
    assert!(s.check_send(&h).is_ok());
}

#[test]
fn a_failed_open_is_no_longer_the_ato_target() {
    let mut s = SessionState::new();
    s.adopt(c(6), Connected, Buffer, ssl(0), pdp(1));
    s.entered_transparent(c(6));
    // Listed as opening again (the module's view after a reset), then failed.
    s.adopt(c(6), Opening, Buffer, ssl(0), pdp(1));
    assert_eq!(s.last_transparent(), Some(c(6)));
    s.open_result(c(6), SslErrorCode::MemoryNotEnough);
    assert_eq!(s.socket(c(6)).state, Initial);
    assert_eq!(s.last_transparent(), None);
}

#[test]
fn connect_parks_every_other_transparent_connection() {
    let mut s = SessionState::new();
    s.begin_open(c(1), pdp(1), ssl(0), Transparent).unwrap();
    s.open_result(c(1), SslErrorCode::Success);
    s.carrier_lost();
    // Socket 1 is Closing, still in transparent mode; socket 2 enters it.
    s.adopt(c(2), Connected, Buffer, ssl(0), pdp(1));
    s.adopt(c(3), Connected, Buffer, ssl(0), pdp(1));
    s.entered_transparent(c(2));
    assert_eq!(s.port(), PortMode::Transparent(c(2)));
    assert_eq!(s.socket(c(1)).mode, Buffer);
    assert_eq!(s.transparent_session(), Some(c(2)));
    // A `CONNECT` for another socket while the port is transparent can't be
    // one: ignored.
    let before = s.clone();
    s.entered_transparent(c(3));
    assert_eq!(s, before);
}

#[test]
fn a_switch_to_transparent_waits_for_its_connect() {
    let mut s = SessionState::new();
    let h = s.adopt(c(8), Connected, Buffer, ssl(0), pdp(1));
    s.mode_switched(c(8), Transparent);
    assert_eq!(s.socket(c(8)).mode, Buffer);
    assert_eq!(s.port(), PortMode::Command);
    assert!(s.check_send(&h).is_ok());
}

#[test]
fn a_broken_stream_says_why_and_desynchronized_sticks() {
    let (mut s, _) = setup(St::ConnectedBuffer);
    assert!(!s.socket(c(3)).is_broken());
    s.stream_broken(c(3), false);
    assert_eq!(s.socket(c(3)).broken_error(), Error::Closed);
    s.stream_broken(c(3), true);
    assert_eq!(s.socket(c(3)).broken_error(), Error::Desynchronized);
    s.stream_broken(c(3), false);
    assert_eq!(s.socket(c(3)).broken_error(), Error::Desynchronized);
    // A close forgets it: the next connection starts sound.
    s.closed(c(3));
    s.begin_open(c(3), pdp(1), ssl(2), Buffer).unwrap();
    assert!(!s.socket(c(3)).is_broken());
}

#[test]
fn a_failed_open_keeps_its_result_until_the_next_open() {
    let mut s = SessionState::new();
    s.begin_open(c(4), pdp(1), ssl(0), Buffer).unwrap();
    assert_eq!(s.socket(c(4)).last_open(), None);
    s.open_result(c(4), SslErrorCode::SocketConnectFailed);
    let socket = s.socket(c(4));
    assert_eq!(socket.state, Initial);
    assert_eq!(socket.last_open(), Some(SslErrorCode::SocketConnectFailed));
    s.begin_open(c(4), pdp(1), ssl(0), Buffer).unwrap();
    assert_eq!(s.socket(c(4)).last_open(), None);
    s.open_result(c(4), SslErrorCode::Success);
    assert_eq!(s.socket(c(4)).last_open(), Some(SslErrorCode::Success));
    // A late result for a socket no longer Opening changes nothing.
    s.open_result(c(4), SslErrorCode::SocketConnectFailed);
    assert_eq!(s.socket(c(4)).last_open(), Some(SslErrorCode::Success));
}

#[test]
fn what_the_module_may_hold_is_forgotten_with_the_connection() {
    let (mut s, _) = setup(St::ConnectedBuffer);
    s.set_module_may_hold_data(c(3), true);
    assert!(s.socket(c(3)).module_may_hold_data());
    // A writer is not woken by it.
    #[cfg(feature = "async")]
    assert!(!s.socket(c(3)).for_writer().module_may_hold_data());
    s.rebooted();
    assert!(!s.socket(c(3)).module_may_hold_data());
}
