//! The session cache of one SSL context (`session_cache` 1): the TLS
//! sessions of its connections, by server, offered again on the next
//! handshake to the same server. The engine releases it when the
//! context's last connection closes, as the note says the module releases
//! the context.

use std::collections::HashMap;
use std::sync::Mutex;

use openssl::ssl::{SslRef, SslSession};

/// Sessions by server (address as given to `AT+QSSLOPEN`, port).
#[derive(Default)]
pub(crate) struct SessionStore {
    sessions: Mutex<HashMap<(String, u16), SslSession>>,
}

impl SessionStore {
    /// Keeps the session `ssl` negotiated with `server`.
    pub fn remember(&self, server: (&str, u16), ssl: &SslRef) {
        let Some(session) = ssl.session() else {
            return;
        };
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert((server.0.to_string(), server.1), session.to_owned());
        }
    }

    /// Offers the session kept for `server`, if any, to the next handshake.
    ///
    /// Every `SslRef` given here and to [`SessionStore::remember`] comes
    /// from the one `SslContext` this store belongs to (the engine keeps a
    /// store per built client context and drops both together), which is
    /// what `SSL_set_session` requires.
    #[allow(unsafe_code)]
    pub fn offer(&self, server: (&str, u16), ssl: &mut SslRef) {
        let Ok(sessions) = self.sessions.lock() else {
            return;
        };
        if let Some(session) = sessions.get(&(server.0.to_string(), server.1)) {
            // SAFETY: the session was negotiated by a connection of the same
            // SslContext as `ssl` (see above).
            let _ = unsafe { ssl.set_session(session) };
        }
    }

    /// Forgets every session (the context's last connection closed).
    pub fn release(&self) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.clear();
        }
    }

    /// How many sessions are kept.
    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }
}
