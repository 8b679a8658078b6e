//! What a resync makes good: after a framing doubt the quarantine may have
//! dropped a close, a lost PDP context or a reboot, and the engine learns
//! them again from the module's `AT+QSSLSTATE` and `AT+QIACT?`. Against a
//! scripted module, each branch of that comparison: the exact outcome.

mod common;

use common::script::*;
use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::modem::Event;
use quectel_ssl::state::CloseCause;
use quectel_ssl::*;

/// `+QSSLSTATE` of socket `client` in state `state` (2 connected, 4
/// closing), buffer mode.
fn state_in(client: u8, state: u8) -> String {
    format!("+QSSLSTATE: {client},\"SSLClient\",\"1.2.3.4\",443,5000,{state},1,0,0,\"uart1\",0")
}

/// The module says a stray `OK` (a doubt), then answers the resync with
/// `states` and `pdp`; the next command (`AT+QIGETERROR`) runs it.
fn doubt_then_resync(m: &mut TestModem<'_>, states: &[String], pdp: &[&str]) {
    m.port_mut().push([reply(b"\r\nOK\r\n")]);
    m.poll().unwrap();
    m.port_mut().push(resync(states, pdp));
    m.port_mut().push(last_error_steps());
    assert!(m.last_error().unwrap().code.is_success());
}

/// The events since the last call, but the opens'.
fn events(m: &mut TestModem<'_>) -> Vec<Event> {
    core::iter::from_fn(|| m.take_event())
        .filter(|e| !matches!(e, Event::Opened { .. }))
        .collect()
}

const PDP1: &str = "+QIACT: 1,1,1,\"10.0.0.2\"";
const PDP2: &str = "+QIACT: 2,1,1,\"10.0.0.3\"";

/// A modem that activates PDP `contexts`, then plays `then` (the opens).
fn with_contexts<'r>(contexts: &[u8], then: Vec<Step>) -> TestModem<'r> {
    let activations = contexts
        .iter()
        .flat_map(|c| [cmd(&format!("AT+QIACT={c}")), ok()]);
    let mut m = modem(activations.chain(then));
    for &c in contexts {
        m.activate_pdp(PdpContextId::new(c).unwrap()).unwrap();
    }
    m
}

#[test]
fn a_socket_the_module_no_longer_lists_fails_and_the_others_go_on() {
    let (mut rx1, mut rx2) = ([0u8; 64], [0u8; 64]);
    let mut m = with_contexts(&[1], [opened(1), opened(2)].concat());
    let s1 = m.open(open_cmd(1, AccessMode::Buffer), &mut rx1).unwrap();
    let s2 = m.open(open_cmd(2, AccessMode::Buffer), &mut rx2).unwrap();
    doubt_then_resync(&mut m, &[state_line(2, 0)], &[PDP1]);
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&s1, &mut buf), Err(Error::Desynchronized));
    assert_eq!(m.state().socket(s2.client()).state, SocketState::Connected);
    // Socket 2's notices may have been dropped: the module is asked.
    m.port_mut().push([
        cmd("AT+QSSLRECV=2,64"),
        reply(b"\r\n+QSSLRECV: 2\r\nhi\r\n\r\nOK\r\n"),
    ]);
    assert_eq!(m.read(&s2, &mut buf), Ok(2));
    assert_eq!(&buf[..2], b"hi");
    assert_done(m);
}

#[test]
fn every_socket_gone_with_the_context_still_up_is_no_reboot() {
    let mut rx = [0u8; 64];
    let mut m = with_contexts(&[1], opened(1));
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    doubt_then_resync(&mut m, &[], &[PDP1]);
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert!(!events(&mut m).contains(&Event::Rebooted));
    assert_done(m);
}

#[test]
fn every_socket_gone_with_no_context_known_active_is_no_reboot() {
    // Nothing says the context was up (the engine never activated it):
    // no context lost proves nothing.
    let mut rx = [0u8; 64];
    let mut m = modem(opened(1));
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    doubt_then_resync(&mut m, &[], &[]);
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert!(!events(&mut m).contains(&Event::Rebooted));
    assert_done(m);
}

#[test]
fn every_socket_and_context_gone_is_a_reboot_only_when_all_contexts_went() {
    // Two contexts were up; one is still: the sockets closed, the module
    // did not reboot. Only the lost one is reported.
    let mut rx = [0u8; 64];
    let mut m = with_contexts(&[1, 2], opened(1));
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    doubt_then_resync(&mut m, &[], &[PDP2]);
    let two = PdpContextId::new(2).unwrap();
    let one = PdpContextId::new(1).unwrap();
    assert_eq!(
        events(&mut m),
        [Event::PdpDeactivated { context: one }],
        "context 2 is still up"
    );
    assert!(m.state().pdp_active(two));
    assert!(!m.state().pdp_active(one));
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&sock, &mut buf), Err(Error::Desynchronized));
    assert_done(m);
}

#[test]
fn contexts_the_module_still_lists_stay_active() {
    let mut rx = [0u8; 64];
    let mut m = with_contexts(&[1, 2], opened(1));
    let _sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    doubt_then_resync(&mut m, &[state_line(1, 0)], &[PDP1, PDP2]);
    assert_eq!(events(&mut m), []);
    for context in [1, 2] {
        assert!(m.state().pdp_active(PdpContextId::new(context).unwrap()));
    }
    assert_done(m);
}

#[test]
fn a_close_the_quarantine_dropped_is_reported_once() {
    // Socket 1 closing in the module, its `closed` notice dropped: the
    // engine learns it and reports it. Socket 2's notice was seen before
    // the doubt: not reported again.
    let (mut rx1, mut rx2) = ([0u8; 64], [0u8; 64]);
    let mut steps = opened(1);
    steps.extend(opened(2));
    steps.push(reply(b"\r\n+QSSLURC: \"closed\",2\r\n"));
    let mut m = modem(steps);
    let s1 = m.open(open_cmd(1, AccessMode::Buffer), &mut rx1).unwrap();
    let s2 = m.open(open_cmd(2, AccessMode::Buffer), &mut rx2).unwrap();
    m.poll().unwrap();
    assert_eq!(
        events(&mut m),
        [Event::Closed {
            client: s2.client()
        }]
    );
    doubt_then_resync(&mut m, &[state_in(1, 4), state_in(2, 4)], &[]);
    assert_eq!(
        events(&mut m),
        [Event::Closed {
            client: s1.client()
        }]
    );
    // What the module still holds for socket 1 is read before the close.
    m.port_mut().push([
        cmd("AT+QSSLRECV=1,64"),
        reply(b"\r\n+QSSLRECV: 3\r\nend\r\n\r\nOK\r\n"),
        cmd("AT+QSSLRECV=1,64"),
        reply(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n"),
    ]);
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&s1, &mut buf), Ok(3));
    assert_eq!(m.read(&s1, &mut buf), Ok(0), "the end of its stream");
    assert_done(m);
}

#[test]
fn a_lost_context_with_a_socket_still_listed_is_no_reboot() {
    let mut rx = [0u8; 64];
    let mut m = with_contexts(&[1], opened(1));
    let sock = m.open(open_cmd(1, AccessMode::Buffer), &mut rx).unwrap();
    doubt_then_resync(&mut m, &[state_line(1, 0)], &[]);
    let one = PdpContextId::new(1).unwrap();
    assert_eq!(events(&mut m), [Event::PdpDeactivated { context: one }]);
    let socket = m.state().socket(sock.client());
    assert_eq!(socket.state, SocketState::Closing);
    assert_eq!(socket.cause, Some(CloseCause::PdpLost));
    assert_done(m);
}

#[test]
fn a_direct_push_socket_is_not_read_with_commands_after_a_resync() {
    // Its data comes as pushes: the resync does not make the engine ask
    // the module for it (nothing is written for the read below).
    let mut rx = [0u8; 1500];
    let mut m = modem(opened_in(4, AccessMode::DirectPush));
    let sock = m
        .open(open_cmd(4, AccessMode::DirectPush), &mut rx)
        .unwrap();
    doubt_then_resync(&mut m, &[state_line(4, 1)], &[]);
    m.port_mut().push([reply(
        b"\r\n+QSSLURC: \"recv\",4,3\r\nxyz\r\n\r\n+QIND: SMS DONE\r\n",
    )]);
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&sock, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"xyz");
    assert_done(m);
}

#[test]
fn a_direct_push_socket_closed_by_a_lost_context_reports_the_loss() {
    let mut rx = [0u8; 1500];
    let mut m = with_contexts(&[1], opened_in(4, AccessMode::DirectPush));
    let sock = m
        .open(open_cmd(4, AccessMode::DirectPush), &mut rx)
        .unwrap();
    doubt_then_resync(&mut m, &[state_line(4, 1)], &[]);
    let mut buf = [0u8; 8];
    assert_eq!(
        m.read(&sock, &mut buf),
        Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown))
    );
    assert_done(m);
}
