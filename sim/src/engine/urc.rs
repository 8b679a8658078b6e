//! Holding URCs until the port may carry them, and writing them.
//!
//! A URC is written only between whole units of output: never inside a
//! line, a payload or a command line the host is typing, never in
//! transparent mode (held until it is left), never during the `> ` payload
//! or a file upload. It may come between a command's echo and its response.

use super::pending::Pending;
use super::{Module, PortMode};
use crate::at::AccessMode;

/// Most payload bytes in one direct-push URC.
pub(crate) const PUSH_CHUNK: usize = 1500;

impl Module {
    /// Queues a URC line.
    pub(crate) fn queue_urc(&mut self, text: String) {
        self.pending.push_back(Pending::Line(text));
    }

    /// Queues a direct push of socket `client`'s data (once).
    pub(crate) fn queue_push(&mut self, client: u8) {
        if !self.pending.contains(&Pending::Push(client)) {
            self.pending.push_back(Pending::Push(client));
        }
    }

    fn can_emit_urc(&self) -> bool {
        match self.mode {
            PortMode::Command => self.line_buf.is_empty(),
            PortMode::Busy { .. } | PortMode::WaitConnect { .. } | PortMode::Lingering { .. } => {
                true
            }
            _ => false,
        }
    }

    /// Writes every held URC if the port allows it now.
    pub(crate) fn flush_urcs(&mut self) {
        while self.can_emit_urc() {
            let Some(item) = self.pending.pop_front() else {
                return;
            };
            match item {
                Pending::Line(text) => self.write(format!("\r\n{text}\r\n").as_bytes()),
                Pending::Push(client) => self.write_pushes(client),
            }
        }
    }

    fn write_pushes(&mut self, client: u8) {
        let Some(socket) = self.sockets.get(usize::from(client)) else {
            return;
        };
        if socket.mode != AccessMode::DirectPush {
            return;
        }
        let Some(buffers) = socket.conn.as_ref().map(|c| c.buffers.clone()) else {
            return;
        };
        loop {
            let data = buffers.take(PUSH_CHUNK);
            if data.is_empty() {
                return;
            }
            let mut out =
                format!("\r\n+QSSLURC: \"recv\",{client},{}\r\n", data.len()).into_bytes();
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\r\n");
            self.write(&out);
        }
    }
}
