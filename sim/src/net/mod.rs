//! The module's network side: for each socket a worker that resolves the
//! name, makes a real TCP connection and a real TLS handshake (OpenSSL),
//! or for a DTLS context a UDP flow and a real DTLS handshake, then moves
//! bytes between the connection and the socket's buffers.
//!
//! Map: [`worker`] opens, [`stream`] runs a connected socket's reader and
//! writer over an in-memory transport ([`mem_io`]) and the real socket
//! ([`transport`]); [`tls_config`] builds the client from an SSL context,
//! with [`suites`], [`verifier`] and [`session`]; [`failure`] and
//! [`handshake_error`] say why an open failed.

mod buffers;
mod connect;
mod failure;
mod handshake_error;
mod mem_io;
mod resolve;
pub(crate) use resolve::Resolver;
mod session;
mod stream;
mod suites;
mod tls_config;
mod transport;
mod verifier;
mod worker;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) use buffers::SocketBuffers;
pub use failure::{FailReason, OpenFailure};
pub(crate) use suites::{load_legacy_provider, SECURITY_LEVEL};
pub use suites::{openssl_name, supported_cipher_suites, unsupported_reason};
pub(crate) use tls_config::{build as build_tls_config, TlsCacheEntry, TlsClient, TlsSettings};

use crate::clock::SharedClock;
use transport::Transport;

use crate::engine::event::Event;
use crate::engine::inbox::Inbox;

/// What a finished TLS handshake negotiated (see
/// [`crate::SimHandle::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// Whether the session was resumed from the SSL context's cache.
    pub resumed: bool,
    /// OpenSSL's name of the version: `SSLv3`, `TLSv1`, `TLSv1.1`,
    /// `TLSv1.2`, `TLSv1.3`, `DTLSv1`, `DTLSv1.2`.
    pub protocol: String,
    /// The IANA code of the negotiated suite.
    pub cipher_code: u16,
    /// The IANA name of the negotiated suite.
    pub cipher_suite: String,
    /// The ALPN protocol the server chose.
    pub alpn: Option<Vec<u8>>,
    /// The certificate errors the context's `ignore...` settings let pass
    /// (OpenSSL's text), in the order met.
    pub relaxed: Vec<String>,
}

/// Why a connected socket went to Closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCause {
    /// The peer closed the connection (FIN or TLS close_notify).
    Peer,
    /// Reading from the connection failed (reset, TLS error): a later
    /// `AT+QSSLRECV` on an empty buffer answers `ERROR` (559).
    ReadFailed,
    /// Writing to the connection failed: a later send answers `ERROR` (558).
    WriteFailed,
    /// The PDP context was lost: a later send answers `ERROR` (570).
    PdpLost,
}

/// What a worker tells the engine.
#[derive(Debug)]
pub(crate) enum NetEvent {
    /// The host name was resolved (the context's DNS is free again).
    Resolved,
    /// TCP and TLS are up.
    Opened {
        local_port: u16,
        info: HandshakeInfo,
    },
    /// The open failed, for this reason.
    OpenFailed(FailReason),
    /// Data was added to the receive buffer.
    Data,
    /// Part of the send buffer went out on the network.
    SendDrained,
    /// A lingering close sent everything and its close_notify.
    CloseSent,
    /// The connection is gone.
    Closed(CloseCause),
}

/// Everything a worker needs to open a connection.
pub(crate) struct OpenRequest {
    pub client: u8,
    pub generation: u64,
    pub address: String,
    pub port: u16,
    pub dns_table: HashMap<String, IpAddr>,
    pub host_resolver: bool,
    pub dns_usable: bool,
    pub dns_delay: Duration,
    pub routes: HashMap<SocketAddr, SocketAddr>,
    pub connect_timeout: Duration,
    pub negotiate_timeout: Duration,
    /// DTLS over UDP (datagrams) instead of TLS over TCP.
    pub datagram: bool,
    /// The client, or the reason the open fails after connecting.
    pub tls: TlsClient,
    /// The module clock, for the certificates' validity dates.
    pub clock: SharedClock,
    pub recv_capacity: usize,
    pub send_capacity: usize,
}

/// Commands for the writer thread.
pub(crate) enum WriterCommand {
    /// Encrypt and send these bytes.
    Data(Vec<u8>),
    /// Send whatever TLS records OpenSSL has queued (alerts, handshake
    /// messages of a renegotiation).
    Flush,
    /// Send close_notify and shut the connection down.
    Close,
    /// Send close_notify and FIN after everything queued, and keep reading
    /// until the peer closes too (a lingering `AT+QSSLCLOSE`).
    Linger,
}

/// Sends a worker's events to the engine, tagged with the socket and the
/// open's generation.
#[derive(Clone)]
pub(crate) struct Notifier {
    inbox: Arc<Inbox>,
    client: u8,
    generation: u64,
}

impl Notifier {
    pub fn send(&self, event: NetEvent) {
        self.inbox.push_event(Event::Net {
            client: self.client,
            generation: self.generation,
            event,
        });
    }
}

/// The engine's handle on one socket's network side.
pub(crate) struct Connection {
    pub buffers: Arc<SocketBuffers>,
    writer: Sender<WriterCommand>,
    cancel: Arc<AtomicBool>,
    transport: Arc<Mutex<Option<Transport>>>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Connection {
    /// Starts the worker for `request`.
    pub fn open(request: OpenRequest, inbox: Arc<Inbox>) -> Connection {
        worker::spawn(request, inbox)
    }

    /// Queues bytes for the peer (already counted in the send buffer).
    pub fn send(&self, data: Vec<u8>) {
        let _ = self.writer.send(WriterCommand::Data(data));
    }

    /// Closes gracefully: queued data, then close_notify and FIN.
    pub fn close(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.buffers.cancel();
        let _ = self.writer.send(WriterCommand::Close);
    }

    /// Closes after everything queued, and waits for the peer's close:
    /// [`NetEvent::CloseSent`], then [`NetEvent::Closed`] when the peer has
    /// closed too (TLS).
    pub fn linger(&self) {
        let _ = self.writer.send(WriterCommand::Linger);
    }

    /// Drops the connection at once (no close_notify).
    pub fn abort(&self) {
        self.stop(Transport::shutdown);
    }

    /// Drops the connection with a TCP reset: what was not sent is lost.
    pub fn reset(&self) {
        self.stop(Transport::reset);
    }

    fn stop(&self, how: fn(&Transport)) {
        self.cancel.store(true, Ordering::SeqCst);
        self.buffers.cancel();
        if let Ok(transport) = self.transport.lock() {
            if let Some(t) = transport.as_ref() {
                how(t);
            }
        }
        let _ = self.writer.send(WriterCommand::Close);
    }

    /// Whether every thread of this connection has ended.
    pub fn is_finished(&self) -> bool {
        self.threads
            .lock()
            .map(|t| t.iter().all(|h| h.is_finished()))
            .unwrap_or(true)
    }

    /// Aborts and waits for the threads.
    pub fn join(self) {
        self.abort();
        loop {
            let next = self.threads.lock().ok().and_then(|mut t| t.pop());
            match next {
                Some(handle) => {
                    let _ = handle.join();
                }
                None => break,
            }
        }
    }
}
