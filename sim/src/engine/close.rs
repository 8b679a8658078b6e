//! `AT+QSSLCLOSE=<clientID>[,<close_timeout>]` and the release of a socket.
//!
//! The close lingers as the note's `<close_timeout>` says (seconds, or
//! milliseconds with `closetimemode` 1; default 10): the data still in the
//! send buffer goes out, then close_notify and FIN, and `OK` comes when the
//! peer has closed too (for DTLS: when the close_notify is sent), or when
//! the time is up, the connection then reset and what was not sent lost.
//! `<close_timeout>` 0 resets at once, as a socket with a zero linger time.
//! When the last socket of an SSL context is released, the context's
//! session cache is released with it.

use std::time::{Duration, Instant};

use super::reply::Reply;
use super::state::{Socket, SocketState};
use super::{Module, Next};
use crate::error_code::QiError;

/// `<close_timeout>` when the command gives none.
const DEFAULT_CLOSE_TIMEOUT: u16 = 10;

impl Module {
    /// `AT+QSSLCLOSE`.
    pub(crate) fn close_ssl(&mut self, client: u8, timeout: Option<u16>) -> (Reply, Next) {
        self.last_error = QiError::Success;
        let index = usize::from(client);
        let socket = &self.sockets[index];
        let connected = socket.state == SocketState::Connected;
        let Some(conn) = socket.conn.as_ref().filter(|_| connected) else {
            self.free_socket(client);
            return (Reply::ok(), Next::Command);
        };
        let timeout = timeout.unwrap_or(DEFAULT_CLOSE_TIMEOUT);
        let unit = if self.ssl[usize::from(socket.ssl_ctx)].close_time_mode {
            Duration::from_millis(1)
        } else {
            Duration::from_secs(1)
        };
        if timeout == 0 {
            self.line
                .recorder
                .note(&format!("socket {client} reset (close timeout 0)"));
            conn.reset();
            self.free_socket(client);
            return (Reply::ok(), Next::Command);
        }
        conn.linger();
        let until = Instant::now() + unit * u32::from(timeout);
        (Reply::none(), Next::Lingering { client, until })
    }

    /// The lingering close of `client` is over: `done` when everything went
    /// out and the peer closed, otherwise the time ran out.
    pub(crate) fn linger_done(&mut self, client: u8, done: bool) {
        let index = usize::from(client);
        if !done {
            self.line.recorder.note(&format!(
                "socket {client} close timed out: connection reset"
            ));
            if let Some(conn) = self.sockets[index].conn.as_ref() {
                conn.reset();
            }
        } else {
            self.line
                .recorder
                .note(&format!("socket {client} closed by both sides"));
        }
        self.free_socket(client);
        self.write(b"\r\nOK\r\n");
        self.enter(Next::Command);
    }

    /// Frees a socket (`AT+QSSLCLOSE`, `AT+QIDEACT`): closes its connection
    /// gracefully and returns it to Initial; the SSL context's session
    /// cache goes when this was its last connection.
    pub(crate) fn free_socket(&mut self, client: u8) {
        let index = usize::from(client);
        let ctx = self.sockets[index].ssl_ctx;
        let in_use = self.sockets[index].state != SocketState::Initial;
        if let Some(conn) = self.sockets[index].conn.take() {
            conn.close();
            self.reaper.push(conn);
        }
        self.pending_opens.retain(|r| r.client != client);
        self.sockets[index] = Socket::default();
        self.recv_noticed[index] = false;
        if self.last_transparent == Some(client) {
            self.last_transparent = None;
        }
        let last = !self
            .sockets
            .iter()
            .any(|s| s.state != SocketState::Initial && s.ssl_ctx == ctx);
        if in_use && last {
            self.release_session_cache(ctx);
        }
    }

    /// The note: "If all the SSL connections based on the same SSL context
    /// are closed, the module will release the SSL context."
    fn release_session_cache(&mut self, ctx: u8) {
        if let Some((_, Ok(client))) = &self.tls_cache[usize::from(ctx)] {
            if client.caches_sessions() && client.sessions.len() > 0 {
                self.line.recorder.note(&format!(
                    "SSL context {ctx} released: its session cache is emptied"
                ));
            }
            client.sessions.release();
        }
    }
}
