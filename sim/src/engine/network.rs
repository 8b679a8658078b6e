//! What the engine does when a socket's network side reports, and the
//! network-side faults (peer close, PDP loss).

use super::state::SocketState;
use super::{Module, Next, PortMode};
use crate::at::AccessMode;
use crate::error_code::QiError;
use crate::net::{CloseCause, Connection, NetEvent, OpenFailure};

impl Module {
    /// Starts the workers of the opens answered so far, and releases the
    /// URCs that had to wait for the response.
    pub(crate) fn after_reply(&mut self) {
        for request in std::mem::take(&mut self.pending_opens) {
            let index = usize::from(request.client);
            let socket = &self.sockets[index];
            if socket.state == SocketState::Opening && socket.generation == request.generation {
                let conn = Connection::open(request, self.inbox.clone());
                self.sockets[index].conn = Some(conn);
            }
        }
        for text in std::mem::take(&mut self.deferred) {
            self.queue_urc(text);
        }
    }

    pub(crate) fn on_net(&mut self, client: u8, generation: u64, event: NetEvent) {
        let index = usize::from(client);
        if self.sockets[index].generation != generation
            || self.sockets[index].state == SocketState::Initial
        {
            return;
        }
        if matches!(self.mode, PortMode::Lingering { client: c, .. } if c == client) {
            return self.on_net_lingering(client, event);
        }
        match event {
            NetEvent::Resolved => self.sockets[index].resolving = false,
            NetEvent::Opened { local_port, info } => {
                if self.sockets[index].state != SocketState::Opening {
                    return;
                }
                self.line.recorder.note(&format!(
                    "socket {client} connected: {} {}{}{}",
                    info.protocol,
                    info.cipher_suite,
                    if info.resumed { " (resumed)" } else { "" },
                    if info.relaxed.is_empty() {
                        String::new()
                    } else {
                        format!(", certificate errors let pass: {}", info.relaxed.join(", "))
                    }
                ));
                let socket = &mut self.sockets[index];
                socket.state = SocketState::Connected;
                socket.local_port = local_port;
                socket.handshake = Some(info);
                self.last_error = QiError::Success;
                if matches!(self.mode, PortMode::WaitConnect { client: c } if c == client) {
                    self.write(b"\r\nCONNECT\r\n");
                    self.enter(Next::Transparent { client });
                } else {
                    self.queue_urc(format!("+QSSLOPEN: {client},0"));
                }
            }
            NetEvent::OpenFailed(reason) => {
                let code = reason.code();
                self.line.recorder.note(&format!(
                    "socket {client} open failed: {}: {reason}",
                    code.code()
                ));
                self.open_failures.push(OpenFailure {
                    client,
                    code,
                    reason,
                });
                self.open_failed(client, code);
            }
            NetEvent::Data => self.on_data(client),
            NetEvent::SendDrained | NetEvent::CloseSent => {}
            NetEvent::Closed(cause) => self.on_closed(client, cause),
        }
    }

    /// A socket being closed by `AT+QSSLCLOSE` reports: what arrives is
    /// dropped; the close is over when the peer has closed (TLS), or when
    /// the close_notify is out (DTLS, which has no FIN).
    fn on_net_lingering(&mut self, client: u8, event: NetEvent) {
        let socket = &self.sockets[usize::from(client)];
        match event {
            NetEvent::Data => {
                if let Some(conn) = socket.conn.as_ref() {
                    while !conn.buffers.take(usize::MAX).is_empty() {}
                }
            }
            NetEvent::CloseSent if socket.datagram => self.linger_done(client, true),
            NetEvent::Closed(cause) => self.linger_done(client, cause == CloseCause::Peer),
            _ => {}
        }
    }

    fn open_failed(&mut self, client: u8, code: QiError) {
        let index = usize::from(client);
        if let Some(conn) = self.sockets[index].conn.take() {
            conn.abort();
            self.reaper.push(conn);
        }
        self.sockets[index] = Default::default();
        self.last_error = code;
        if matches!(self.mode, PortMode::WaitConnect { client: c } if c == client) {
            self.write(b"\r\nERROR\r\n");
            self.enter(Next::Command);
        } else {
            self.queue_urc(format!("+QSSLOPEN: {client},{}", code.code()));
        }
    }

    fn on_data(&mut self, client: u8) {
        if matches!(&self.mode, PortMode::Transparent(t) if t.client == client) {
            self.pump_transparent();
            return;
        }
        let socket = &self.sockets[usize::from(client)];
        let buffered = socket.conn.as_ref().map_or(0, |c| c.buffers.recv_len());
        if buffered == 0 {
            return;
        }
        match socket.mode {
            AccessMode::DirectPush => self.queue_push(client),
            AccessMode::Buffer | AccessMode::Transparent => self.notice_recv(client),
        }
    }

    /// Buffer mode's `+QSSLURC: "recv",<id>`: once when data arrives into
    /// an empty buffer, not again until a read has emptied it.
    pub(crate) fn notice_recv(&mut self, client: u8) {
        let noticed = &mut self.recv_noticed[usize::from(client)];
        if !*noticed {
            *noticed = true;
            self.queue_urc(format!("+QSSLURC: \"recv\",{client}"));
        }
    }

    /// The connection of `client` is gone.
    pub(crate) fn on_closed(&mut self, client: u8, cause: CloseCause) {
        let index = usize::from(client);
        if self.sockets[index].state != SocketState::Connected {
            return;
        }
        self.line
            .recorder
            .note(&format!("socket {client} closed: {cause:?}"));
        let socket = &mut self.sockets[index];
        socket.state = SocketState::Closing;
        socket.close_cause = Some(cause);
        if let Some(conn) = &socket.conn {
            conn.abort();
        }
        if matches!(&self.mode, PortMode::Transparent(t) if t.client == client) {
            self.pump_transparent();
            self.mode = PortMode::Command;
            self.write(b"\r\nNO CARRIER\r\n");
            return;
        }
        if socket.mode == AccessMode::DirectPush {
            self.queue_push(client);
        }
        self.queue_urc(format!("+QSSLURC: \"closed\",{client}"));
    }

    /// Fault: the peer of `client` closes.
    pub(crate) fn fault_peer_close(&mut self, client: u8) {
        if usize::from(client) < self.sockets.len() {
            self.on_closed(client, CloseCause::Peer);
        }
    }

    /// The network deactivates PDP context `ctx`.
    pub(crate) fn network_deactivates(&mut self, ctx: u8) {
        let Some(pdp) = self.pdp.get_mut(usize::from(ctx).wrapping_sub(1)) else {
            return;
        };
        pdp.active = false;
        self.queue_urc(format!("+QIURC: \"pdpdeact\",{ctx}"));
        for client in 0..12u8 {
            let socket = &self.sockets[usize::from(client)];
            if socket.pdp != ctx {
                continue;
            }
            match socket.state {
                SocketState::Opening => self.open_failed(client, QiError::PdpBrokenDown),
                SocketState::Connected => self.on_closed(client, CloseCause::PdpLost),
                _ => {}
            }
        }
    }
}
