//! The state machine against a simple model, over random sequences of
//! operations and URCs: after every step both agree on every socket, the
//! port, the PDP contexts, and what each handle may do.

use proptest::prelude::*;
use quectel_ssl::command::ssl_socket::{AccessMode, SocketState};
use quectel_ssl::state::{CloseCause, PortMode, SessionState};
use quectel_ssl::{ClientId, Error, PdpContextId, SocketHandle, SslContextId, SslErrorCode};

#[derive(Debug, Clone)]
enum Op {
    Open(u8, u8, u8),
    OpenResult(u8, bool),
    PeerClosed(u8),
    Closed(u8),
    PdpUp(u8),
    PdpDown(u8),
    Reboot,
    Enter(u8),
    Leave,
    CarrierLost,
    Switch(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    // Few sockets and contexts, so that the sequences collide often.
    let client = 0u8..4;
    let ctx = 1u8..3;
    prop_oneof![
        3 => (client.clone(), 0u8..3, ctx.clone()).prop_map(|(c, m, p)| Op::Open(c, m, p)),
        3 => (client.clone(), any::<bool>()).prop_map(|(c, ok)| Op::OpenResult(c, ok)),
        1 => client.clone().prop_map(Op::PeerClosed),
        2 => client.clone().prop_map(Op::Closed),
        1 => ctx.clone().prop_map(Op::PdpUp),
        1 => ctx.prop_map(Op::PdpDown),
        1 => Just(Op::Reboot),
        1 => client.clone().prop_map(Op::Enter),
        1 => Just(Op::Leave),
        1 => Just(Op::CarrierLost),
        1 => (client, 0u8..2).prop_map(|(c, m)| Op::Switch(c, m)),
    ]
}

fn mode(m: u8) -> AccessMode {
    AccessMode::from_code(m).unwrap()
}

/// One socket of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sock {
    state: SocketState,
    mode: AccessMode,
    pdp: u8,
    cause: Option<CloseCause>,
    /// The id of the handle that owns it (None: no valid handle).
    owner: Option<u32>,
}

const FREE: Sock = Sock {
    state: SocketState::Initial,
    mode: AccessMode::Buffer,
    pdp: 1,
    cause: None,
    owner: None,
};

/// The model: the rules of the module, written out plainly.
#[derive(Debug, Clone)]
struct Model {
    socks: [Sock; 12],
    transparent: Option<u8>,
    last_left: Option<u8>,
    pdp: [bool; 17],
    next_owner: u32,
    boots: u32,
}

impl Model {
    fn new() -> Self {
        Self {
            socks: [FREE; 12],
            transparent: None,
            last_left: None,
            pdp: [false; 17],
            next_owner: 0,
            boots: 0,
        }
    }

    fn live(&self, c: u8) -> bool {
        matches!(
            self.socks[c as usize].state,
            SocketState::Opening | SocketState::Connected
        )
    }

    /// Returns the handle id issued, or the refusal.
    fn open(&mut self, c: u8, m: AccessMode, p: u8) -> Result<u32, Error> {
        if self.transparent.is_some() {
            return Err(Error::TransparentMode);
        }
        if self.socks[c as usize].state != SocketState::Initial {
            return Err(Error::SocketInUse);
        }
        let other_transparent = self
            .socks
            .iter()
            .any(|s| s.state != SocketState::Initial && s.mode == AccessMode::Transparent);
        if m == AccessMode::Transparent && other_transparent {
            return Err(Error::TransparentMode);
        }
        self.next_owner += 1;
        self.socks[c as usize] = Sock {
            state: SocketState::Opening,
            mode: m,
            pdp: p,
            cause: None,
            owner: Some(self.next_owner),
        };
        Ok(self.next_owner)
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Open(..) => unreachable!("opens go through `open`"),
            Op::OpenResult(c, ok) => {
                let s = &mut self.socks[c as usize];
                if s.state == SocketState::Opening {
                    if ok {
                        s.state = SocketState::Connected;
                        if s.mode == AccessMode::Transparent {
                            self.transparent = Some(c);
                        }
                    } else {
                        s.state = SocketState::Initial;
                        s.mode = AccessMode::Buffer;
                        s.cause = None;
                    }
                }
            }
            Op::PeerClosed(c) => self.peer_closed(c),
            Op::Closed(c) => {
                self.socks[c as usize] = FREE;
                if self.transparent == Some(c) {
                    self.transparent = None;
                }
                if self.last_left == Some(c) {
                    self.last_left = None;
                }
            }
            Op::PdpUp(p) => self.pdp[p as usize] = true,
            Op::PdpDown(p) => {
                self.pdp[p as usize] = false;
                for c in 0..12 {
                    if self.live(c) && self.socks[c as usize].pdp == p {
                        let s = &mut self.socks[c as usize];
                        s.state = SocketState::Closing;
                        s.cause = Some(CloseCause::PdpLost);
                    }
                }
                if let Some(t) = self.transparent {
                    if self.socks[t as usize].pdp == p {
                        self.transparent = None;
                    }
                }
            }
            Op::Reboot => {
                *self = Self {
                    boots: self.boots + 1,
                    next_owner: self.next_owner,
                    ..Self::new()
                };
            }
            Op::Enter(c) => {
                // `CONNECT` answers a command: never while the port carries
                // another connection. Any other connection in transparent
                // mode is parked.
                let port_free = self.transparent.is_none() || self.transparent == Some(c);
                if self.socks[c as usize].state == SocketState::Connected && port_free {
                    for s in &mut self.socks {
                        if s.mode == AccessMode::Transparent {
                            s.mode = AccessMode::Buffer;
                        }
                    }
                    self.socks[c as usize].mode = AccessMode::Transparent;
                    self.transparent = Some(c);
                }
            }
            Op::Leave => {
                if let Some(t) = self.transparent.take() {
                    self.last_left = Some(t);
                    self.socks[t as usize].mode = AccessMode::Buffer;
                }
            }
            Op::CarrierLost => {
                if let Some(t) = self.transparent {
                    self.peer_closed(t);
                    self.transparent = None;
                }
            }
            Op::Switch(c, m) => {
                if self.socks[c as usize].state != SocketState::Initial
                    && self.transparent.is_none()
                {
                    self.socks[c as usize].mode = mode(m);
                    if self.last_left == Some(c) {
                        self.last_left = None;
                    }
                }
            }
        }
    }

    fn peer_closed(&mut self, c: u8) {
        if self.live(c) {
            let s = &mut self.socks[c as usize];
            s.state = SocketState::Closing;
            s.cause = Some(CloseCause::Peer);
        }
        if self.transparent == Some(c) {
            self.transparent = None;
        }
    }

    /// What a send on handle `(c, owner, boot)` gets.
    fn send(&self, c: u8, owner: u32, boot: u32) -> Result<(), Error> {
        self.handle(c, owner, boot)?;
        let s = self.socks[c as usize];
        match (s.state, s.cause) {
            (SocketState::Connected, _) if s.mode == AccessMode::Transparent => {
                Err(Error::TransparentMode)
            }
            (SocketState::Connected, _) => Ok(()),
            (SocketState::Closing, Some(CloseCause::PdpLost)) => {
                Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown))
            }
            (SocketState::Closing, _) => Err(Error::Closed),
            _ => Err(Error::NotConnected),
        }
    }

    fn read(&self, c: u8, owner: u32, boot: u32) -> Result<(), Error> {
        self.handle(c, owner, boot)?;
        match self.socks[c as usize].state {
            SocketState::Connected | SocketState::Closing => Ok(()),
            _ => Err(Error::NotConnected),
        }
    }

    fn handle(&self, c: u8, owner: u32, boot: u32) -> Result<(), Error> {
        if self.transparent.is_some() {
            return Err(Error::TransparentMode);
        }
        if boot != self.boots {
            return Err(Error::ModuleReset);
        }
        let s = self.socks[c as usize];
        if s.owner != Some(owner) || s.state == SocketState::Initial {
            return Err(Error::StaleHandle);
        }
        Ok(())
    }
}

fn apply_real(real: &mut SessionState, op: &Op) {
    let c = |n: u8| ClientId::new(n).unwrap();
    let p = |n: u8| PdpContextId::new(n).unwrap();
    match *op {
        Op::Open(..) => unreachable!("opens go through begin_open"),
        Op::OpenResult(n, ok) => {
            let code = if ok { 0 } else { 566 };
            real.open_result(c(n), SslErrorCode::from(code));
        }
        Op::PeerClosed(n) => real.peer_closed(c(n)),
        Op::Closed(n) => real.closed(c(n)),
        Op::PdpUp(n) => real.pdp_activated(p(n)),
        Op::PdpDown(n) => real.pdp_deactivated(p(n)),
        Op::Reboot => real.rebooted(),
        Op::Enter(n) => real.entered_transparent(c(n)),
        Op::Leave => real.left_transparent(),
        Op::CarrierLost => real.carrier_lost(),
        Op::Switch(n, m) => real.mode_switched(c(n), mode(m)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_state_machine_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut real = SessionState::new();
        let mut model = Model::new();
        // Every handle ever issued, with the model's view of it.
        let mut handles: Vec<(SocketHandle, u8, u32, u32)> = Vec::new();
        for op in &ops {
            if let Op::Open(n, m, p) = *op {
                let got = real.begin_open(
                    ClientId::new(n).unwrap(),
                    PdpContextId::new(p).unwrap(),
                    SslContextId::new(0).unwrap(),
                    mode(m),
                );
                let want = model.open(n, mode(m), p);
                match (got, want) {
                    (Ok(h), Ok(owner)) => handles.push((h, n, owner, model.boots)),
                    (Err(a), Err(b)) => prop_assert_eq!(a, b, "open refusal after {:?}", op),
                    (got, want) => prop_assert!(false, "open: real {:?}, model {:?}", got, want),
                }
            } else {
                apply_real(&mut real, op);
                model.apply(op);
            }
            for n in 0..12u8 {
                let r = real.socket(ClientId::new(n).unwrap());
                let m = model.socks[n as usize];
                prop_assert_eq!(r.state, m.state, "socket {} state after {:?}", n, op);
                if m.state != SocketState::Initial {
                    prop_assert_eq!(r.mode, m.mode, "socket {} mode after {:?}", n, op);
                    prop_assert_eq!(r.cause, m.cause, "socket {} cause after {:?}", n, op);
                }
            }
            let port = model.transparent.map_or(PortMode::Command, |t| {
                PortMode::Transparent(ClientId::new(t).unwrap())
            });
            prop_assert_eq!(real.port(), port, "port after {:?}", op);
            prop_assert_eq!(
                real.last_transparent().map(|c| c.get()),
                model.last_left,
                "ATO target after {:?}",
                op
            );
            for ctx in 1..3u8 {
                prop_assert_eq!(real.pdp_active(PdpContextId::new(ctx).unwrap()), model.pdp[ctx as usize]);
            }
            prop_assert_eq!(real.check_command().is_ok(), model.transparent.is_none());
            for &(h, n, owner, boot) in &handles {
                prop_assert_eq!(real.check_send(&h), model.send(n, owner, boot), "send on {:?} after {:?}", h, op);
                prop_assert_eq!(
                    real.check_read(&h).map(drop),
                    model.read(n, owner, boot),
                    "read on {:?} after {:?}",
                    h,
                    op
                );
            }
        }
    }
}
