//! What the OpenSSL test servers saw of each client ([`TlsConnection`],
//! [`FailedHandshake`]), and the registry their threads share with the
//! test: the lists, and the controls the test sends to open connections.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use openssl::nid::Nid;
use openssl::ssl::{NameType, SslRef};

use super::server_options::{hello_of, suite_code};

/// What an OpenSSL test server saw of one connection whose handshake
/// completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConnection {
    /// The module's address (its port is `+QSSLSTATE`'s local port).
    pub peer: SocketAddr,
    /// The version negotiated, OpenSSL's name (`SSLv3`, `TLSv1`,
    /// `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, `DTLSv1`, `DTLSv1.2`).
    pub protocol: String,
    /// The suite negotiated, IANA code.
    pub cipher_code: u16,
    /// The suite negotiated, IANA name.
    pub cipher_suite: String,
    /// The suites the client offered (the latest ClientHello's, without
    /// signalling values).
    pub offered_suites: Vec<u16>,
    /// SNI sent by the client.
    pub sni: Option<String>,
    /// The common name of the client certificate, if one was presented
    /// (and verified).
    pub client_cert: Option<String>,
    /// The PSK identity the client gave.
    pub psk_identity: Option<String>,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// ClientHellos on this connection: 1, plus one per renegotiation the
    /// client started.
    pub hellos: usize,
    /// Renegotiations the server asked for that completed.
    pub renegotiations: usize,
    /// Whether the client refused a renegotiation (`no_renegotiation`).
    pub renegotiation_refused: bool,
    /// Plaintext received (and echoed), in order.
    pub received: Vec<u8>,
    /// DTLS: each datagram received, boundaries kept.
    pub datagrams: Vec<Vec<u8>>,
    /// Whether the connection is still open.
    pub open: bool,
    /// Whether the client ended it with close_notify.
    pub close_notify: bool,
    /// How the connection ended, when an error ended it.
    pub error: Option<String>,
}

impl TlsConnection {
    /// The record of a connection that just finished its handshake.
    pub(crate) fn new(peer: SocketAddr, ssl: &SslRef) -> TlsConnection {
        let hello = hello_of(ssl);
        TlsConnection {
            peer,
            protocol: ssl.version_str().to_string(),
            cipher_code: suite_code(ssl),
            cipher_suite: ssl
                .current_cipher()
                .map(|c| c.standard_name().unwrap_or(c.name()).to_string())
                .unwrap_or_default(),
            offered_suites: hello.offered,
            sni: ssl.servername(NameType::HOST_NAME).map(str::to_string),
            client_cert: ssl.peer_certificate().and_then(|c| {
                c.subject_name()
                    .entries_by_nid(Nid::COMMONNAME)
                    .next()
                    .and_then(|e| e.data().to_string().ok())
            }),
            psk_identity: psk_identity(ssl),
            resumed: ssl.session_reused(),
            hellos: hello.count,
            renegotiations: 0,
            renegotiation_refused: false,
            received: Vec::new(),
            datagrams: Vec::new(),
            open: true,
            close_notify: false,
            error: None,
        }
    }
}

/// The PSK identity a client gave on `ssl`.
pub(crate) fn psk_identity(ssl: &SslRef) -> Option<String> {
    ssl.psk_identity()
        .map(|i| String::from_utf8_lossy(i).into_owned())
}

/// A handshake an OpenSSL test server saw fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedHandshake {
    /// The client's address.
    pub peer: SocketAddr,
    /// OpenSSL's reason, as the server saw it.
    pub error: String,
    /// The suites the client offered, if its ClientHello arrived.
    pub offered_suites: Vec<u16>,
    /// The PSK identity the client gave, if any.
    pub psk_identity: Option<String>,
}

/// Something the test asks of every open connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Control {
    /// Send this (for DTLS: as one datagram).
    Send(Vec<u8>),
    /// Ask the client to renegotiate (TLS 1.2 and below).
    Renegotiate,
    /// close_notify, then close.
    Close,
}

/// What a server's threads share with the test.
#[derive(Default)]
pub(crate) struct Registry {
    pub stop: AtomicBool,
    connections: Mutex<Vec<TlsConnection>>,
    failures: Mutex<Vec<FailedHandshake>>,
    controls: Mutex<Vec<VecDeque<Control>>>,
    changed: Condvar,
    /// Handshakes under way: accepted, neither registered nor failed yet.
    handshaking: AtomicUsize,
}

/// How long [`Registry::control_all`] waits for handshakes under way.
const SETTLE_TIME: Duration = Duration::from_secs(10);

impl Registry {
    /// Adds a connection; its index.
    pub fn register(&self, connection: TlsConnection) -> usize {
        let index = match (self.connections.lock(), self.controls.lock()) {
            (Ok(mut c), Ok(mut q)) => {
                c.push(connection);
                q.push(VecDeque::new());
                c.len() - 1
            }
            _ => 0,
        };
        self.changed.notify_all();
        index
    }

    /// Changes what is known of connection `index`.
    pub fn update(&self, index: usize, f: impl FnOnce(&mut TlsConnection)) {
        if let Ok(mut c) = self.connections.lock() {
            if let Some(conn) = c.get_mut(index) {
                f(conn);
            }
        }
        self.changed.notify_all();
    }

    /// Records a failed handshake.
    pub fn failed(&self, failure: FailedHandshake) {
        if let Ok(mut f) = self.failures.lock() {
            f.push(failure);
        }
        // Wake waiters on the connection list too.
        if let Ok(_c) = self.connections.lock() {
            self.changed.notify_all();
        }
    }

    /// The next control for connection `index`.
    pub fn take_control(&self, index: usize) -> Option<Control> {
        self.controls.lock().ok()?.get_mut(index)?.pop_front()
    }

    /// A handshake begins (call before the first byte is answered).
    pub fn handshake_started(&self) {
        self.handshaking.fetch_add(1, Ordering::SeqCst);
    }

    /// A handshake has ended: registered, failed or given up.
    pub fn handshake_ended(&self) {
        self.handshaking.fetch_sub(1, Ordering::SeqCst);
        if let Ok(_c) = self.connections.lock() {
            self.changed.notify_all();
        }
    }

    /// Queues `control` for every connection, once the handshakes under way
    /// have ended (at most [`SETTLE_TIME`]): the client may see its
    /// handshake done before the server's thread has registered it, and a
    /// test that opened a connection and then closes "every" connection
    /// means that one too.
    pub fn control_all(&self, control: Control) {
        self.wait_for(SETTLE_TIME, |_, _| {
            self.handshaking.load(Ordering::SeqCst) == 0
        });
        if let Ok(mut controls) = self.controls.lock() {
            for queue in controls.iter_mut() {
                queue.push_back(control.clone());
            }
        }
    }

    /// Every completed handshake, in order.
    pub fn connections(&self) -> Vec<TlsConnection> {
        self.connections
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Every failed handshake, in order.
    pub fn failures(&self) -> Vec<FailedHandshake> {
        self.failures.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Waits until `f` holds for the lists, at most `timeout`.
    pub fn wait_for(
        &self,
        timeout: Duration,
        f: impl Fn(&[TlsConnection], &[FailedHandshake]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut c) = self.connections.lock() else {
            return false;
        };
        loop {
            let failures = self.failures();
            if f(&c, &failures) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            // A failure is pushed, then notified under this lock: it cannot
            // slip in between the look above and this wait.
            c = match self.changed.wait_timeout(c, deadline - now) {
                Ok((g, _)) => g,
                Err(_) => return false,
            };
        }
    }
}
