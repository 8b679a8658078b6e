//! What the module's sockets and contexts are doing: pure bookkeeping, no I/O.
//!
//! 12 sockets, each `Initial → Opening → Connected → Closing → Initial`,
//! with its access mode, SSL context and PDP context; which PDP contexts are
//! active; whether the port is in transparent mode. Transitions come from
//! command results and URCs (`+QSSLOPEN`, `"closed"`, `"pdpdeact"`, reboot).
//! The checks here are what lets the engine refuse an illegal operation
//! before a byte is written: a send on a socket that is not connected, an
//! open on a socket in use, a second transparent session, any command while
//! the port is transparent.
//!
//! Each socket's entry ([`Socket`]) is also where the engine keeps what it
//! knows about the connection besides its lifecycle: whether its received
//! stream can still be trusted (and if not, which error reads report),
//! whether the module may hold data for it in buffer mode, and its last
//! open's result. That is the one home of a socket's state, changed only
//! through this module's methods; the engine core keeps only the bytes a
//! socket received (its ring, what is unchecked in it, what was lost).
//!
//! A [`SocketHandle`] carries the generation of its socket: once the socket
//! is closed or the module reboots, old handles fail with
//! [`Error::StaleHandle`] / [`Error::ModuleReset`] instead of touching a
//! socket that now belongs to someone else.

use crate::command::ssl_socket::{AccessMode, SocketState};
use crate::error::{Error, SslErrorCode};
use crate::types::{ClientId, PdpContextId, SslContextId};

/// A reference to one opened socket, valid until it is closed or the module
/// reboots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SocketHandle {
    client: ClientId,
    generation: u16,
    epoch: u16,
}

impl SocketHandle {
    /// The module's socket index.
    pub const fn client(&self) -> ClientId {
        self.client
    }
}

/// Whether the port carries AT commands or one connection's raw bytes.
///
/// Exhaustive: a V.250 port is in command mode or in online data mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PortMode {
    /// AT commands.
    Command,
    /// Transparent mode on this socket.
    Transparent(ClientId),
}

/// The state of every socket and context.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SessionState {
    sockets: [Socket; 12],
    port: PortMode,
    /// The connection that last left transparent mode (for `ATO`).
    last_transparent: Option<ClientId>,
    /// Bit `i` set: PDP context `i + 1` is active.
    pdp_active: u16,
    /// Module boots seen: handles from an earlier boot are dead.
    epoch: u16,
}

impl Default for SessionState {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionState {
    /// Every socket Initial, no context active, port in command mode.
    pub const fn new() -> Self {
        Self {
            sockets: [Socket::INITIAL; 12],
            port: PortMode::Command,
            last_transparent: None,
            pdp_active: 0,
            epoch: 0,
        }
    }

    /// The entry of one socket.
    pub fn socket(&self, client: ClientId) -> &Socket {
        &self.sockets[client.index()]
    }

    /// The port's mode.
    pub fn port(&self) -> PortMode {
        self.port
    }

    /// The connection `ATO` would return to.
    pub fn last_transparent(&self) -> Option<ClientId> {
        self.last_transparent
    }

    /// `true` if PDP context `ctx` is known to be active.
    pub fn pdp_active(&self, ctx: PdpContextId) -> bool {
        self.pdp_active & (1 << ctx.index()) != 0
    }

    /// `true` while some socket that is not Initial uses SSL context `ctx`:
    /// the module releases a context when its last socket closes.
    pub fn ssl_context_in_use(&self, ctx: SslContextId) -> bool {
        self.sockets
            .iter()
            .any(|s| s.state != SocketState::Initial && s.ssl == ctx)
    }

    /// Sockets in a state other than Initial.
    pub fn open_sockets(&self) -> impl Iterator<Item = ClientId> + '_ {
        ClientId::all().filter(|c| self.socket(*c).state != SocketState::Initial)
    }

    /// Refuse any AT command while the port is transparent.
    pub fn check_command(&self) -> Result<(), Error> {
        match self.port {
            PortMode::Command => Ok(()),
            PortMode::Transparent(_) => Err(Error::TransparentMode),
        }
    }

    /// The socket of a handle, if the handle is still current.
    pub fn check_handle(&self, handle: &SocketHandle) -> Result<&Socket, Error> {
        if handle.epoch != self.epoch {
            return Err(Error::ModuleReset);
        }
        let socket = self.socket(handle.client);
        if socket.generation != handle.generation || socket.state == SocketState::Initial {
            return Err(Error::StaleHandle);
        }
        Ok(socket)
    }

    /// Check that `handle` may send with `AT+QSSLSEND` now.
    pub fn check_send(&self, handle: &SocketHandle) -> Result<(), Error> {
        self.check_command()?;
        let socket = self.check_handle(handle)?;
        match (socket.state, socket.cause) {
            (SocketState::Connected, _) if socket.mode != AccessMode::Transparent => Ok(()),
            (SocketState::Connected, _) => Err(Error::TransparentMode),
            (SocketState::Closing, Some(CloseCause::PdpLost)) => {
                Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown))
            }
            (SocketState::Closing, _) => Err(Error::Closed),
            _ => Err(Error::NotConnected),
        }
    }

    /// Check that `handle` may read buffered or pushed data now: a Closing
    /// socket may still hold data.
    pub fn check_read(&self, handle: &SocketHandle) -> Result<&Socket, Error> {
        self.check_command()?;
        let socket = self.check_handle(handle)?;
        match socket.state {
            SocketState::Connected | SocketState::Closing => Ok(socket),
            _ => Err(Error::NotConnected),
        }
    }

    /// Start opening `client`: refused if the socket is in use, the port is
    /// transparent, or a second transparent session is asked for.
    pub fn begin_open(
        &mut self,
        client: ClientId,
        pdp: PdpContextId,
        ssl: SslContextId,
        mode: AccessMode,
    ) -> Result<SocketHandle, Error> {
        self.check_command()?;
        if self.socket(client).state != SocketState::Initial {
            return Err(Error::SocketInUse);
        }
        if mode == AccessMode::Transparent && self.transparent_session().is_some() {
            return Err(Error::TransparentMode);
        }
        let socket = &mut self.sockets[client.index()];
        *socket = Socket {
            state: SocketState::Opening,
            mode,
            ssl,
            pdp,
            generation: socket.generation.wrapping_add(1),
            ..Socket::INITIAL
        };
        Ok(SocketHandle {
            client,
            generation: socket.generation,
            epoch: self.epoch,
        })
    }

    /// The socket in transparent access mode, if any (port transparent or
    /// left with `+++`).
    pub fn transparent_session(&self) -> Option<ClientId> {
        ClientId::all().find(|c| {
            let s = self.socket(*c);
            s.state != SocketState::Initial && s.mode == AccessMode::Transparent
        })
    }

    /// The open's result: `+QSSLOPEN: <id>,<err>`, or `CONNECT` / `ERROR` in
    /// transparent mode. Ignored unless the socket is Opening.
    pub fn open_result(&mut self, client: ClientId, result: SslErrorCode) {
        let socket = &mut self.sockets[client.index()];
        if socket.state != SocketState::Opening {
            return;
        }
        if result.is_success() {
            socket.state = SocketState::Connected;
            socket.last_open = Some(result);
            if socket.mode == AccessMode::Transparent {
                self.port = PortMode::Transparent(client);
            }
        } else {
            let generation = socket.generation;
            self.reset_socket(client, generation);
            self.sockets[client.index()].last_open = Some(result);
        }
    }

    /// `client`'s received stream can't be trusted any more; `desync`:
    /// because the module's output could not be framed (that reason is
    /// kept once given).
    pub(crate) fn stream_broken(&mut self, client: ClientId, desync: bool) {
        self.sockets[client.index()].flags |= if desync { DESYNC } else { BROKEN };
    }

    /// Buffer mode: whether the module may hold received data for
    /// `client` (a `"recv"` notice, a read that may have left some, a
    /// close with data still buffered).
    pub(crate) fn set_module_may_hold_data(&mut self, client: ClientId, more: bool) {
        let flags = &mut self.sockets[client.index()].flags;
        if more {
            *flags |= MODULE_DATA;
        } else {
            *flags &= !MODULE_DATA;
        }
    }

    /// Make `client` Initial with `generation`: it is no longer the port's
    /// connection, nor the one `ATO` returns to.
    fn reset_socket(&mut self, client: ClientId, generation: u16) {
        self.sockets[client.index()] = Socket {
            generation,
            ..Socket::INITIAL
        };
        if self.port == PortMode::Transparent(client) {
            self.port = PortMode::Command;
        }
        if self.last_transparent == Some(client) {
            self.last_transparent = None;
        }
    }

    /// `+QSSLURC: "closed",<id>`: the socket is Closing until closed.
    pub fn peer_closed(&mut self, client: ClientId) {
        let socket = &mut self.sockets[client.index()];
        if matches!(socket.state, SocketState::Opening | SocketState::Connected) {
            socket.state = SocketState::Closing;
            socket.cause.get_or_insert(CloseCause::Peer);
        }
        if self.port == PortMode::Transparent(client) {
            self.port = PortMode::Command;
        }
    }

    /// `AT+QSSLCLOSE` answered `OK` (or the socket was found Initial): the
    /// socket is Initial and its handles are dead.
    pub fn closed(&mut self, client: ClientId) {
        let generation = self.socket(client).generation.wrapping_add(1);
        self.reset_socket(client, generation);
    }

    /// `AT+QIACT=<ctx>` answered `OK`.
    pub fn pdp_activated(&mut self, ctx: PdpContextId) {
        self.pdp_active |= 1 << ctx.index();
    }

    /// `+QIURC: "pdpdeact",<ctx>` (or `AT+QIDEACT` done): the context is
    /// gone and every socket on it is Closing.
    pub fn pdp_deactivated(&mut self, ctx: PdpContextId) {
        self.pdp_active &= !(1 << ctx.index());
        for socket in &mut self.sockets {
            if socket.pdp == ctx
                && matches!(socket.state, SocketState::Opening | SocketState::Connected)
            {
                socket.state = SocketState::Closing;
                socket.cause = Some(CloseCause::PdpLost);
            }
        }
        if let PortMode::Transparent(client) = self.port {
            if self.socket(client).pdp == ctx {
                self.port = PortMode::Command;
            }
        }
    }

    /// `RDY`: every socket and context is gone, every handle dead.
    pub fn rebooted(&mut self) {
        let epoch = self.epoch.wrapping_add(1);
        for socket in &mut self.sockets {
            *socket = Socket {
                generation: socket.generation.wrapping_add(1),
                ..Socket::INITIAL
            };
        }
        *self = Self {
            sockets: self.sockets,
            epoch,
            ..Self::new()
        };
    }

    /// The engine no longer knows which connection `ATO` would return to
    /// (a `CONNECT` or an escape may have gone unseen): a return to
    /// transparent mode names its socket (`AT+QISWTMD=<id>,2`).
    pub(crate) fn forget_last_transparent(&mut self) {
        self.last_transparent = None;
    }

    /// `CONNECT` after `ATO` or `AT+QISWTMD=<id>,2`: the port is transparent.
    ///
    /// Ignored unless the socket is Connected and the port in command mode
    /// (`CONNECT` answers a command, so it can't come while the port carries
    /// another connection). Any other connection still marked transparent
    /// (e.g. one that `NO CARRIER` ended) is parked in buffer mode: the port
    /// carries one connection at a time.
    pub fn entered_transparent(&mut self, client: ClientId) {
        let port_free =
            matches!(self.port, PortMode::Command) || self.port == PortMode::Transparent(client);
        if self.socket(client).state != SocketState::Connected || !port_free {
            return;
        }
        for (i, socket) in self.sockets.iter_mut().enumerate() {
            if i != client.index() && socket.mode == AccessMode::Transparent {
                socket.mode = AccessMode::Buffer;
                socket.flags |= PARKED;
            }
        }
        let socket = &mut self.sockets[client.index()];
        socket.mode = AccessMode::Transparent;
        socket.flags &= !PARKED;
        self.port = PortMode::Transparent(client);
    }

    /// `OK` after `+++` or DTR: back to commands. The connection stays open
    /// in buffer access mode (`AT+QSSLRECV` reads what arrives meanwhile) and
    /// `ATO` returns to it.
    pub fn left_transparent(&mut self) {
        if let PortMode::Transparent(client) = self.port {
            self.last_transparent = Some(client);
            let socket = &mut self.sockets[client.index()];
            socket.mode = AccessMode::Buffer;
            socket.flags |= PARKED;
        }
        self.port = PortMode::Command;
    }

    /// `NO CARRIER` in transparent mode: the connection dropped; back to
    /// commands, the socket is Closing.
    pub fn carrier_lost(&mut self) {
        if let PortMode::Transparent(client) = self.port {
            self.port = PortMode::Command;
            self.peer_closed(client);
        }
    }

    /// `AT+QISWTMD=<id>,<0|1>` answered `OK`. The connection is then no
    /// longer the one `ATO` returns to. A switch to transparent mode is
    /// recorded by [`entered_transparent`](Self::entered_transparent) when its
    /// `CONNECT` comes, not here: it is ignored.
    pub fn mode_switched(&mut self, client: ClientId, mode: AccessMode) {
        let socket = &mut self.sockets[client.index()];
        if socket.state != SocketState::Initial
            && self.port == PortMode::Command
            && mode != AccessMode::Transparent
        {
            socket.mode = mode;
            socket.flags &= !PARKED;
            if self.last_transparent == Some(client) {
                self.last_transparent = None;
            }
        }
    }

    /// A resync found `client` in access mode `reported` (`AT+QSSLSTATE`,
    /// which lists a parked connection as transparent). `false` if the
    /// engine believed otherwise: a switch the quarantine hid (a given-up
    /// `AT+QISWTMD` answered late), whose `CONNECT`, or pushes, were
    /// dropped with the quarantine. The engine's belief follows the module
    /// (a transparent connection parked, the port being in command mode).
    pub(crate) fn mode_reported(&mut self, client: ClientId, reported: AccessMode) -> bool {
        let socket = &mut self.sockets[client.index()];
        if socket.state == SocketState::Initial || self.port != PortMode::Command {
            return true;
        }
        let parked = socket.flags & PARKED != 0;
        let agrees = match reported {
            AccessMode::Transparent => socket.mode == AccessMode::Transparent || parked,
            other => socket.mode == other,
        };
        if reported != AccessMode::Transparent {
            socket.flags &= !PARKED;
        }
        if !agrees {
            if reported == AccessMode::Transparent {
                socket.mode = AccessMode::Buffer;
                socket.flags |= PARKED;
            } else {
                socket.mode = reported;
            }
            if self.last_transparent == Some(client) {
                self.last_transparent = None;
            }
        }
        agrees
    }

    /// A socket the module reports in `AT+QSSLSTATE` (e.g. kept across an
    /// MCU reset): taken over so that it can be closed.
    ///
    /// The module answered a command, so the port is in command mode: a
    /// transparent session the engine still had is taken as left, and a
    /// connection listed in transparent mode is parked (buffer mode), as one
    /// left with `+++` is. A Closing socket keeps its close cause, or gets
    /// [`CloseCause::Peer`]; a socket reported Initial is closed.
    pub fn adopt(
        &mut self,
        client: ClientId,
        state: SocketState,
        mode: AccessMode,
        ssl: SslContextId,
        pdp: PdpContextId,
    ) -> SocketHandle {
        if self.port != PortMode::Command {
            self.left_transparent();
        }
        if state == SocketState::Initial {
            self.closed(client);
        } else {
            let socket = &mut self.sockets[client.index()];
            if socket.state == SocketState::Initial {
                socket.generation = socket.generation.wrapping_add(1);
            }
            socket.state = state;
            socket.mode = match mode {
                AccessMode::Transparent => AccessMode::Buffer,
                other => other,
            };
            if mode == AccessMode::Transparent {
                socket.flags |= PARKED;
            } else {
                socket.flags &= !PARKED;
            }
            socket.ssl = ssl;
            socket.pdp = pdp;
            socket.cause = match state {
                SocketState::Closing => Some(socket.cause.unwrap_or(CloseCause::Peer)),
                _ => None,
            };
        }
        SocketHandle {
            client,
            generation: self.socket(client).generation,
            epoch: self.epoch,
        }
    }

    /// A handle for a socket that is not Initial.
    pub fn handle(&self, client: ClientId) -> Option<SocketHandle> {
        let socket = self.socket(client);
        (socket.state != SocketState::Initial).then_some(SocketHandle {
            client,
            generation: socket.generation,
            epoch: self.epoch,
        })
    }
}

mod socket;
mod tests;

pub use socket::{CloseCause, Socket};
use socket::{BROKEN, DESYNC, MODULE_DATA, PARKED};
