//! The modes where host bytes are data, not commands: the `> ` payload of a
//! send, the body of a file upload, and transparent mode with its `+++`
//! escape.

use std::time::Instant;

use super::reply::Reply;
use super::state::SocketState;
use super::{Module, Next, PortMode};
use crate::error_code::{CmeError, QiError};
use crate::filesystem::upload_checksum;

/// Ctrl+Z: ends a variable-length send.
const CTRL_Z: u8 = 0x1A;
/// ESC: cancels a variable-length send.
const ESC: u8 = 0x1B;
/// Most bytes in one send.
pub(crate) const MAX_SEND: usize = 1460;
/// Bytes between two `A` acknowledgements of an upload in ACK mode.
const ACK_BLOCK: usize = 1024;

impl Module {
    pub(crate) fn prompt_byte(&mut self, b: u8) {
        let PortMode::Prompt(p) = &mut self.mode else {
            return;
        };
        let done = match p.fixed {
            Some(len) => {
                p.data.push(b);
                p.data.len() >= len
            }
            None => match b {
                CTRL_Z | ESC => true,
                _ if p.data.len() >= MAX_SEND => {
                    p.overflow = true;
                    false
                }
                _ => {
                    p.data.push(b);
                    false
                }
            },
        };
        if !done {
            return;
        }
        let PortMode::Prompt(p) = std::mem::replace(&mut self.mode, PortMode::Command) else {
            return;
        };
        let reply = if p.fixed.is_none() && b == ESC {
            self.line.recorder.note("send cancelled with ESC");
            self.fail(QiError::SendCancelled)
        } else if p.overflow || p.data.is_empty() {
            self.fail(QiError::InvalidParameter)
        } else {
            self.finish_send(p.client, p.data)
        };
        self.respond(reply, Next::Command);
    }

    pub(crate) fn upload_byte(&mut self, b: u8) {
        let PortMode::Upload(u) = &mut self.mode else {
            return;
        };
        u.data.push(b);
        u.deadline = Instant::now() + u.timeout;
        let received = u.data.len();
        if received < u.size {
            if u.ack && received % ACK_BLOCK == 0 {
                self.write(b"A");
            }
            return;
        }
        let PortMode::Upload(u) = std::mem::replace(&mut self.mode, PortMode::Command) else {
            return;
        };
        let checksum = upload_checksum(&u.data);
        let size = u.data.len();
        let reply = match self.files.write(u.path, u.data) {
            Ok(()) => Reply::line(format!("+QFUPL: {size},{checksum:x}")),
            Err(e) => self.cme(e),
        };
        self.respond(reply, Next::Command);
    }

    /// No upload byte for `<timeout>`: the intermediate result, then 421.
    pub(crate) fn upload_timeout(&mut self) {
        let PortMode::Upload(u) = std::mem::replace(&mut self.mode, PortMode::Command) else {
            return;
        };
        self.line.recorder.note("upload timed out");
        let checksum = upload_checksum(&u.data);
        let reply = Reply::result(&format!("+QFUPL: {},{checksum:x}", u.data.len()))
            .then(self.cme(CmeError::Timeout));
        self.respond(reply, Next::Command);
    }

    /// Whether transparent mode can take more bytes from the host (the send
    /// buffer has room; a full one holds the host back, like CTS).
    pub(crate) fn transparent_can_take(&self, client: u8) -> bool {
        let socket = &self.sockets[usize::from(client)];
        match (&socket.conn, socket.state) {
            (Some(conn), SocketState::Connected) => conn.buffers.send_free() > 0,
            _ => true,
        }
    }

    /// Sends the bytes collected in transparent mode.
    pub(crate) fn flush_transparent_tx(&mut self) {
        let PortMode::Transparent(t) = &mut self.mode else {
            return;
        };
        if t.tx.is_empty() {
            return;
        }
        let data = std::mem::take(&mut t.tx);
        let socket = &self.sockets[usize::from(t.client)];
        if socket.state == SocketState::Connected {
            if let Some(conn) = &socket.conn {
                conn.buffers.force_reserve_send(data.len());
                conn.send(data);
            }
        }
    }

    /// Writes the socket's received data raw (transparent mode).
    pub(crate) fn pump_transparent(&mut self) {
        let PortMode::Transparent(t) = &self.mode else {
            return;
        };
        let Some(buffers) = self.sockets[usize::from(t.client)]
            .conn
            .as_ref()
            .map(|c| c.buffers.clone())
        else {
            return;
        };
        loop {
            let data = buffers.take(usize::MAX);
            if data.is_empty() {
                return;
            }
            self.write(&data);
        }
    }

    pub(crate) fn transparent_timers(&mut self, now: Instant) {
        let guard = self.config.guard_time;
        let PortMode::Transparent(t) = &mut self.mode else {
            return;
        };
        let Some(deadline) = t.deadline(guard) else {
            return;
        };
        if now < deadline {
            return;
        }
        if t.plus < 3 {
            t.release_plus();
            return;
        }
        let early_byte = self.input.front().is_some_and(|(at, _)| *at < deadline);
        if early_byte {
            return;
        }
        t.plus = 0;
        self.line.recorder.note("+++ escape");
        self.leave_transparent();
    }

    /// Leaves transparent mode (`+++` or DTR): `OK`, command mode; the
    /// connection stays open and buffers what arrives.
    pub(crate) fn leave_transparent(&mut self) {
        if let PortMode::Transparent(t) = &mut self.mode {
            t.release_plus();
        }
        self.flush_transparent_tx();
        let PortMode::Transparent(t) = std::mem::replace(&mut self.mode, PortMode::Command) else {
            return;
        };
        self.last_transparent = Some(t.client);
        self.write(b"\r\nOK\r\n");
        let buffered = self.sockets[usize::from(t.client)]
            .conn
            .as_ref()
            .map_or(0, |c| c.buffers.recv_len());
        self.recv_noticed[usize::from(t.client)] = false;
        if buffered > 0 {
            self.notice_recv(t.client);
        }
    }
}
