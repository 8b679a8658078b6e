//! A socket's worker thread, from `AT+QSSLOPEN` to connected: resolve the
//! name, connect (TCP, or a UDP socket for DTLS), run the handshake, then
//! start the writer and become the reader ([`super::stream`]).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use openssl::ssl::{ErrorCode, SslStream};

use super::connect::connect;
use super::failure::FailReason;
use super::handshake_error::handshake_failure;
use super::mem_io::MemIo;
use super::resolve::Resolver;
use super::stream::{SharedTls, StreamThreads};
use super::tls_config::ClientContext;
use super::transport::{is_timeout, Transport};
use super::verifier::VerifyLog;
use super::{
    Connection, HandshakeInfo, NetEvent, Notifier, OpenRequest, SocketBuffers, WriterCommand,
};
use crate::engine::inbox::Inbox;
use crate::error_code::QiError;

/// How long a handshake read waits before looking at the clock and the
/// cancel flag.
const HANDSHAKE_SLICE: Duration = Duration::from_millis(20);

/// Spawns the worker of `request`.
pub(crate) fn spawn(request: OpenRequest, inbox: Arc<Inbox>) -> Connection {
    let (tx, rx) = channel();
    let buffers = Arc::new(SocketBuffers::new(
        request.recv_capacity,
        request.send_capacity,
        request.datagram,
    ));
    let cancel = Arc::new(AtomicBool::new(false));
    let transport = Arc::new(Mutex::new(None));
    let threads = Arc::new(Mutex::new(Vec::new()));
    let worker = Worker {
        threads: StreamThreads {
            buffers: buffers.clone(),
            cancel: cancel.clone(),
            notifier: Notifier {
                inbox,
                client: request.client,
                generation: request.generation,
            },
            flush: tx.clone(),
        },
        transport: transport.clone(),
        handles: threads.clone(),
    };
    let name = format!("sim-socket-{}", request.client);
    if let Ok(handle) = std::thread::Builder::new()
        .name(name)
        .spawn(move || worker.run(request, rx))
    {
        if let Ok(mut t) = threads.lock() {
            t.push(handle);
        }
    }
    Connection {
        buffers,
        writer: tx,
        cancel,
        transport,
        threads,
    }
}

struct Worker {
    threads: StreamThreads,
    transport: Arc<Mutex<Option<Transport>>>,
    handles: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

enum HandshakeError {
    Cancelled,
    Timeout,
    Failed(FailReason),
}

impl Worker {
    fn cancelled(&self) -> bool {
        self.threads.cancel.load(Ordering::SeqCst)
    }

    fn fail(&self, reason: FailReason) {
        if !self.cancelled() {
            self.threads.notifier.send(NetEvent::OpenFailed(reason));
        }
    }

    /// Resolves and connects; `None` when cancelled or failed (reported).
    fn connect(&self, request: &OpenRequest) -> Option<Transport> {
        let resolver = Resolver {
            table: &request.dns_table,
            host_resolver: request.host_resolver,
            dns_usable: request.dns_usable,
            delay: request.dns_delay,
        };
        let ip = match resolver.resolve(&request.address, &self.threads.cancel) {
            None => return None,
            Some(Err(_)) => {
                self.threads.notifier.send(NetEvent::Resolved);
                self.fail(FailReason::Dns);
                return None;
            }
            Some(Ok(ip)) => ip,
        };
        self.threads.notifier.send(NetEvent::Resolved);
        let module_side = SocketAddr::new(ip, request.port);
        let target = request
            .routes
            .get(&module_side)
            .copied()
            .unwrap_or(module_side);
        let transport = if request.datagram {
            match Transport::udp(target) {
                Ok(t) => t,
                Err(_) => {
                    self.fail(FailReason::NoSocket);
                    return None;
                }
            }
        } else {
            match connect(target, request.connect_timeout, &self.threads.cancel)? {
                Ok(s) => Transport::Tcp(s),
                Err(code) => {
                    self.fail(match code {
                        QiError::CreateSocketFailed => FailReason::NoSocket,
                        QiError::Timeout => FailReason::ConnectTimeout,
                        _ => FailReason::ConnectRefused,
                    });
                    return None;
                }
            }
        };
        if let (Ok(mut slot), Ok(clone)) = (self.transport.lock(), transport.try_clone()) {
            *slot = Some(clone);
        }
        if self.cancelled() {
            transport.shutdown();
            return None;
        }
        Some(transport)
    }

    fn run(self, request: OpenRequest, commands: Receiver<WriterCommand>) {
        let Some(transport) = self.connect(&request) else {
            return;
        };
        let client = match request.tls.clone() {
            Ok(c) => c,
            Err(reason) => {
                transport.shutdown();
                return self.fail(reason);
            }
        };
        let connecting =
            match client.connection(&request.address, request.port, request.clock.now_unix()) {
                Ok(c) => c,
                Err(reason) => {
                    transport.shutdown();
                    return self.fail(reason);
                }
            };
        let io = if client.datagram {
            MemIo::datagrams()
        } else {
            MemIo::stream()
        };
        let mut stream = match SslStream::new(connecting.ssl, io) {
            Ok(s) => s,
            Err(e) => return self.fail(FailReason::Tls(e.to_string())),
        };
        let deadline = Instant::now() + request.negotiate_timeout;
        let verify = connecting.verify.as_deref();
        match self.handshake(&mut stream, &transport, verify, deadline) {
            Ok(()) => {}
            Err(HandshakeError::Cancelled) => return,
            Err(HandshakeError::Timeout) => {
                transport.shutdown();
                return self.fail(FailReason::HandshakeTimeout);
            }
            Err(HandshakeError::Failed(reason)) => {
                transport.shutdown();
                return self.fail(reason);
            }
        }
        if self.cancelled() {
            return;
        }
        let mut info = handshake_info(&stream);
        info.relaxed = verify
            .map(|v| v.ignored().iter().map(|t| t.to_string()).collect())
            .unwrap_or_default();
        remember_session(&client, &request, &stream);
        let local_port = transport.local_port();
        let Ok(write_half) = transport.try_clone() else {
            return self.fail(FailReason::NoSocket);
        };
        let tls = Arc::new(SharedTls {
            stream: Mutex::new(stream),
            progress: Condvar::new(),
        });
        self.threads
            .notifier
            .send(NetEvent::Opened { local_port, info });
        let writer = self.threads.writer(tls.clone(), write_half);
        if let Ok(handle) = std::thread::Builder::new()
            .name("sim-socket-writer".into())
            .spawn(move || writer.run(commands))
        {
            if let Ok(mut t) = self.handles.lock() {
                t.push(handle);
            }
        }
        self.threads.read_loop(&tls, transport);
    }

    /// Runs the handshake over `transport` until it completes, fails, times
    /// out or is cancelled.
    fn handshake(
        &self,
        stream: &mut SslStream<MemIo>,
        transport: &Transport,
        verify: Option<&VerifyLog>,
        deadline: Instant,
    ) -> Result<(), HandshakeError> {
        transport.set_read_timeout(HANDSHAKE_SLICE);
        loop {
            let step = stream.connect();
            let out = stream.get_mut().take_outgoing();
            let sent = transport.send(&out);
            match step {
                Ok(()) => return Ok(()),
                Err(e) if e.code() == ErrorCode::WANT_READ => {}
                Err(e) => {
                    let first = stream.get_ref().first_byte();
                    return Err(HandshakeError::Failed(handshake_failure(&e, verify, first)));
                }
            }
            if let Err(e) = sent {
                return Err(HandshakeError::Failed(io_failure(&e)));
            }
            loop {
                if self.cancelled() {
                    return Err(HandshakeError::Cancelled);
                }
                if Instant::now() >= deadline {
                    return Err(HandshakeError::Timeout);
                }
                match transport.recv() {
                    Ok(Some(bytes)) => {
                        stream.get_mut().feed(&bytes);
                        break;
                    }
                    Ok(None) => {
                        stream.get_mut().set_eof();
                        break;
                    }
                    Err(e) if is_timeout(&e) => {}
                    Err(e) => return Err(HandshakeError::Failed(io_failure(&e))),
                }
            }
        }
    }
}

/// A socket error during the handshake.
fn io_failure(e: &std::io::Error) -> FailReason {
    match e.kind() {
        // A UDP peer with no socket: the ICMP answer to the first datagram.
        std::io::ErrorKind::ConnectionRefused => FailReason::ConnectRefused,
        _ => FailReason::PeerClosed,
    }
}

/// What the finished handshake negotiated.
fn handshake_info(stream: &SslStream<MemIo>) -> HandshakeInfo {
    let ssl = stream.ssl();
    let cipher = ssl.current_cipher();
    HandshakeInfo {
        resumed: ssl.session_reused(),
        protocol: ssl.version_str().to_string(),
        cipher_code: cipher.map_or(0, |c| u16::from_be_bytes(c.protocol_id())),
        cipher_suite: cipher
            .map(|c| c.standard_name().unwrap_or(c.name()).to_string())
            .unwrap_or_default(),
        alpn: ssl.selected_alpn_protocol().map(<[u8]>::to_vec),
        relaxed: Vec::new(),
    }
}

/// Keeps the session for the next handshake, when the context caches.
fn remember_session(client: &ClientContext, request: &OpenRequest, stream: &SslStream<MemIo>) {
    if client.caches_sessions() {
        client
            .sessions
            .remember((&request.address, request.port), stream.ssl());
    }
}
