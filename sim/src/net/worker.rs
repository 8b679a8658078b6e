//! The per-socket threads: open (resolve, connect, handshake), then read;
//! and the writer.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::{ClientConnection, HandshakeKind};
use rustls_pki_types::ServerName;

use super::connect::connect;
use super::failure::FailReason;
use super::resolve::Resolver;
use super::{
    CloseCause, Connection, HandshakeInfo, NetEvent, Notifier, OpenRequest, SocketBuffers,
    WriterCommand,
};
use crate::engine::inbox::Inbox;
use crate::error_code::QiError;

/// Socket read timeout: how often blocked threads look at the cancel flag.
const READ_SLICE: Duration = Duration::from_millis(100);
/// Largest chunk moved at once between TLS and the receive buffer.
const CHUNK: usize = 16 * 1024;

type SharedTls = Arc<Mutex<ClientConnection>>;

/// Spawns the worker of `request`.
pub(crate) fn spawn(request: OpenRequest, inbox: Arc<Inbox>) -> Connection {
    let (tx, rx) = channel();
    let buffers = Arc::new(SocketBuffers::new(
        request.recv_capacity,
        request.send_capacity,
    ));
    let cancel = Arc::new(AtomicBool::new(false));
    let stream = Arc::new(Mutex::new(None));
    let threads = Arc::new(Mutex::new(Vec::new()));
    let notifier = Notifier {
        inbox,
        client: request.client,
        generation: request.generation,
    };
    let worker = Worker {
        buffers: buffers.clone(),
        cancel: cancel.clone(),
        stream: stream.clone(),
        threads: threads.clone(),
        notifier,
        flush: tx.clone(),
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
        stream,
        threads,
    }
}

struct Worker {
    buffers: Arc<SocketBuffers>,
    cancel: Arc<AtomicBool>,
    stream: Arc<Mutex<Option<TcpStream>>>,
    threads: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
    notifier: Notifier,
    flush: Sender<WriterCommand>,
}

enum HandshakeError {
    Cancelled,
    Timeout,
    Failed(FailReason),
}

impl Worker {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn fail(&self, reason: FailReason) {
        if !self.cancelled() {
            self.notifier.send(NetEvent::OpenFailed(reason));
        }
    }

    fn run(self, request: OpenRequest, commands: Receiver<WriterCommand>) {
        let resolver = Resolver {
            table: &request.dns_table,
            host_resolver: request.host_resolver,
            dns_usable: request.dns_usable,
            delay: request.dns_delay,
        };
        let ip = match resolver.resolve(&request.address, &self.cancel) {
            None => return,
            Some(Err(_)) => {
                self.notifier.send(NetEvent::Resolved);
                return self.fail(FailReason::Dns);
            }
            Some(Ok(ip)) => ip,
        };
        self.notifier.send(NetEvent::Resolved);
        let module_side = SocketAddr::new(ip, request.port);
        let target = request
            .routes
            .get(&module_side)
            .copied()
            .unwrap_or(module_side);
        let mut tcp = match connect(target, request.connect_timeout, &self.cancel) {
            None => return,
            Some(Err(code)) => {
                return self.fail(match code {
                    QiError::CreateSocketFailed => FailReason::NoSocket,
                    QiError::Timeout => FailReason::ConnectTimeout,
                    _ => FailReason::ConnectRefused,
                })
            }
            Some(Ok(s)) => s,
        };
        if let (Ok(mut slot), Ok(clone)) = (self.stream.lock(), tcp.try_clone()) {
            *slot = Some(clone);
        }
        if self.cancelled() {
            let _ = tcp.shutdown(std::net::Shutdown::Both);
            return;
        }
        let config = match request.tls.clone() {
            Ok(c) => c,
            Err(reason) => {
                let _ = tcp.shutdown(std::net::Shutdown::Both);
                return self.fail(reason);
            }
        };
        let name = match request.address.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => match ServerName::try_from(request.address.clone()) {
                Ok(n) => n,
                Err(_) => return self.fail(FailReason::Dns),
            },
        };
        let mut tls = match ClientConnection::new(config, name) {
            Ok(tls) => tls,
            Err(e) => return self.fail(FailReason::from_tls(&e)),
        };
        let deadline = Instant::now() + request.negotiate_timeout;
        match self.handshake(&mut tls, &mut tcp, deadline) {
            Ok(()) => {}
            Err(HandshakeError::Cancelled) => return,
            Err(HandshakeError::Timeout) => {
                let _ = tcp.shutdown(std::net::Shutdown::Both);
                return self.fail(FailReason::HandshakeTimeout);
            }
            Err(HandshakeError::Failed(reason)) => {
                let _ = tcp.shutdown(std::net::Shutdown::Both);
                return self.fail(reason);
            }
        }
        let info = HandshakeInfo {
            resumed: tls.handshake_kind() == Some(HandshakeKind::Resumed),
            protocol: tls
                .protocol_version()
                .map(|v| format!("{v:?}"))
                .unwrap_or_default(),
            cipher_suite: tls
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()))
                .unwrap_or_default(),
            alpn: tls.alpn_protocol().map(<[u8]>::to_vec),
        };
        let local_port = tcp.local_addr().map(|a| a.port()).unwrap_or(0);
        let tls = Arc::new(Mutex::new(tls));
        let Ok(write_half) = tcp.try_clone() else {
            return self.fail(FailReason::NoSocket);
        };
        if self.cancelled() {
            return;
        }
        self.notifier.send(NetEvent::Opened { local_port, info });
        let writer = Writer {
            tls: tls.clone(),
            stream: write_half,
            buffers: self.buffers.clone(),
            cancel: self.cancel.clone(),
            notifier: self.notifier.clone(),
        };
        if let Ok(handle) = std::thread::Builder::new()
            .name("sim-socket-writer".into())
            .spawn(move || writer.run(commands))
        {
            if let Ok(mut t) = self.threads.lock() {
                t.push(handle);
            }
        }
        self.read_loop(&tls, tcp);
    }

    fn handshake(
        &self,
        tls: &mut ClientConnection,
        tcp: &mut TcpStream,
        deadline: Instant,
    ) -> Result<(), HandshakeError> {
        let _ = tcp.set_read_timeout(Some(READ_SLICE.min(Duration::from_millis(20))));
        loop {
            while tls.wants_write() {
                if tls.write_tls(tcp).is_err() {
                    return Err(HandshakeError::Failed(FailReason::PeerClosed));
                }
            }
            if !tls.is_handshaking() {
                return Ok(());
            }
            if self.cancelled() {
                return Err(HandshakeError::Cancelled);
            }
            if Instant::now() >= deadline {
                return Err(HandshakeError::Timeout);
            }
            match tls.read_tls(tcp) {
                Ok(0) => return Err(HandshakeError::Failed(FailReason::PeerClosed)),
                Ok(_) => {
                    if let Err(e) = tls.process_new_packets() {
                        let _ = tls.write_tls(tcp);
                        return Err(HandshakeError::Failed(FailReason::from_tls(&e)));
                    }
                }
                Err(e) if is_timeout(&e) => {}
                Err(_) => return Err(HandshakeError::Failed(FailReason::PeerClosed)),
            }
        }
    }

    /// Moves plaintext from rustls into the receive buffer while it has
    /// room; `Ok(true)` when the peer has closed and everything was read.
    fn drain_plaintext(&self, tls: &mut ClientConnection) -> Result<bool, ()> {
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let free = self.buffers.recv_free().min(CHUNK);
            if free == 0 {
                return Ok(false);
            }
            match tls.reader().read(&mut chunk[..free]) {
                Ok(0) => return Ok(true),
                Ok(n) => {
                    self.buffers.push_received(&chunk[..n]);
                    self.notifier.send(NetEvent::Data);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(true),
                Err(_) => return Err(()),
            }
        }
    }

    fn read_loop(&self, tls: &SharedTls, mut tcp: TcpStream) {
        let _ = tcp.set_read_timeout(Some(READ_SLICE));
        let mut pending: Vec<u8> = Vec::new();
        let mut eof = false;
        let mut buf = vec![0u8; CHUNK];
        loop {
            if self.cancelled() {
                return;
            }
            let outcome = {
                let Ok(mut t) = tls.lock() else { return };
                let outcome = self.feed(&mut t, &mut pending, eof);
                if t.wants_write() {
                    self.notifier_flush();
                }
                outcome
            };
            match outcome {
                Feed::Closed(cause) => {
                    if !self.cancelled() {
                        self.notifier.send(NetEvent::Closed(cause));
                    }
                    return;
                }
                Feed::Blocked => {
                    if !self.buffers.wait_recv_space(READ_SLICE) {
                        return;
                    }
                    continue;
                }
                Feed::NeedMore => {}
            }
            if eof {
                if !self.cancelled() {
                    self.notifier.send(NetEvent::Closed(CloseCause::Peer));
                }
                return;
            }
            match tcp.read(&mut buf) {
                Ok(0) => eof = true,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => {}
                Err(_) => {
                    if !self.cancelled() {
                        self.notifier.send(NetEvent::Closed(CloseCause::ReadFailed));
                    }
                    return;
                }
            }
        }
    }

    fn notifier_flush(&self) {
        let _ = self.flush.send(WriterCommand::Flush);
    }

    /// Feeds buffered TLS bytes to rustls and drains the plaintext.
    fn feed(&self, t: &mut ClientConnection, pending: &mut Vec<u8>, eof: bool) -> Feed {
        loop {
            match self.drain_plaintext(t) {
                Ok(true) => return Feed::Closed(CloseCause::Peer),
                Ok(false) => {}
                Err(()) => return Feed::Closed(CloseCause::ReadFailed),
            }
            if self.buffers.recv_free() == 0 {
                return Feed::Blocked;
            }
            if pending.is_empty() {
                if eof {
                    let _ = t.read_tls(&mut &[][..]);
                    if t.process_new_packets().is_err() {
                        return Feed::Closed(CloseCause::ReadFailed);
                    }
                    return match self.drain_plaintext(t) {
                        Ok(_) => Feed::Closed(CloseCause::Peer),
                        Err(()) => Feed::Closed(CloseCause::ReadFailed),
                    };
                }
                return Feed::NeedMore;
            }
            match t.read_tls(&mut pending.as_slice()) {
                Ok(n) => {
                    pending.drain(..n);
                    if t.process_new_packets().is_err() {
                        return Feed::Closed(CloseCause::ReadFailed);
                    }
                }
                Err(_) => return Feed::Blocked,
            }
        }
    }
}

enum Feed {
    /// Everything fed; read more from the network.
    NeedMore,
    /// The receive buffer is full (or rustls is): wait for the host.
    Blocked,
    /// The connection ended.
    Closed(CloseCause),
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

struct Writer {
    tls: SharedTls,
    stream: TcpStream,
    buffers: Arc<SocketBuffers>,
    cancel: Arc<AtomicBool>,
    notifier: Notifier,
}

impl Writer {
    /// Takes the TLS records rustls has queued.
    fn collect(&self, plaintext: &[u8], close: bool) -> Option<Vec<u8>> {
        let mut t = self.tls.lock().ok()?;
        let mut rest = plaintext;
        let mut out = Vec::new();
        if close {
            t.send_close_notify();
        }
        loop {
            if !rest.is_empty() {
                match t.writer().write(rest) {
                    Ok(n) => rest = &rest[n..],
                    Err(_) => return None,
                }
            }
            while t.wants_write() {
                if t.write_tls(&mut out).is_err() {
                    return None;
                }
            }
            if rest.is_empty() {
                return Some(out);
            }
        }
    }

    fn run(mut self, commands: Receiver<WriterCommand>) {
        for command in commands {
            let (plaintext, close) = match command {
                WriterCommand::Data(data) => (data, false),
                WriterCommand::Flush => (Vec::new(), false),
                WriterCommand::Close => (Vec::new(), true),
            };
            let records = self.collect(&plaintext, close);
            let written = match records {
                Some(records) => self.stream.write_all(&records).is_ok(),
                None => false,
            };
            if !plaintext.is_empty() {
                self.buffers.send_done(plaintext.len());
                self.notifier.send(NetEvent::SendDrained);
            }
            if close {
                let _ = self.stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            if !written {
                if !self.cancel.load(Ordering::SeqCst) {
                    self.notifier
                        .send(NetEvent::Closed(CloseCause::WriteFailed));
                }
                let _ = self.stream.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}
