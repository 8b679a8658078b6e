//! The module's network side: for each socket a worker that resolves the
//! name, makes a real TCP connection and a real TLS handshake (rustls), then
//! moves bytes between the connection and the socket's buffers.
//!
//! Each connected socket has two threads: the worker (which becomes the
//! reader after the handshake) and a writer. They share the rustls
//! connection behind a mutex that is never held across a blocking socket
//! call, so a peer that stops reading cannot stall the reader.

mod buffers;
mod connect;
mod failure;
mod resolve;
mod tls_config;
mod verifier;
mod worker;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) use buffers::SocketBuffers;
pub use failure::{FailReason, OpenFailure};
pub use tls_config::supported_cipher_suites;
pub(crate) use tls_config::{
    build as build_tls_config, new_session_store, TlsCacheEntry, TlsSettings,
};

use crate::engine::event::Event;
use crate::engine::inbox::Inbox;

/// What a finished TLS handshake negotiated (see
/// [`crate::SimHandle::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// Whether the session was resumed from the SSL context's cache.
    pub resumed: bool,
    /// `TLSv1_2` or `TLSv1_3`.
    pub protocol: String,
    /// The IANA name of the negotiated suite.
    pub cipher_suite: String,
    /// The ALPN protocol the server chose.
    pub alpn: Option<Vec<u8>>,
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
    /// The client configuration, or the code the open fails with after
    /// connecting.
    pub tls: Result<Arc<rustls::ClientConfig>, FailReason>,
    pub recv_capacity: usize,
    pub send_capacity: usize,
}

/// Commands for the writer thread.
pub(crate) enum WriterCommand {
    /// Encrypt and send these bytes.
    Data(Vec<u8>),
    /// Send whatever TLS records rustls has queued (alerts, tickets).
    Flush,
    /// Send close_notify and shut the connection down.
    Close,
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
    stream: Arc<Mutex<Option<TcpStream>>>,
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

    /// Drops the connection at once (no close_notify).
    pub fn abort(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.buffers.cancel();
        if let Ok(stream) = self.stream.lock() {
            if let Some(s) = stream.as_ref() {
                let _ = s.shutdown(std::net::Shutdown::Both);
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
