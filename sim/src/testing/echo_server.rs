//! [`EchoServer`]: a TLS server on 127.0.0.1 that echoes every byte back,
//! with the knobs the module's failure cases need.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::{HandshakeKind, ServerConfig, ServerConnection};
use socket2::SockRef;

use super::echo_options::{server_config, EchoServerOptions};
use super::pki::TestPki;

/// How often the server threads look at their controls.
const SLICE: Duration = Duration::from_millis(20);
/// Kernel receive buffer of a connection (small, so a paused server soon
/// pushes back on the module).
const KERNEL_RECV_BUFFER: usize = 4096;

/// What the server saw of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoConnection {
    /// The module's address (its port is `+QSSLSTATE`'s local port).
    pub peer: SocketAddr,
    /// SNI sent by the client.
    pub sni: Option<String>,
    /// ALPN protocol agreed.
    pub alpn: Option<Vec<u8>>,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// `TLSv1.2` / `TLSv1.3` (OpenSSL's names, as
    /// [`crate::HandshakeInfo::protocol`]).
    pub protocol: String,
    /// Negotiated suite, IANA code.
    pub cipher_code: u16,
    /// Negotiated suite, IANA name.
    pub cipher_suite: String,
    /// Whether the client presented a certificate.
    pub client_cert: bool,
    /// Bytes received (and echoed).
    pub received: usize,
    /// Whether the connection is still open.
    pub open: bool,
    /// Whether the client ended it with close_notify (a clean TLS close,
    /// rather than a FIN or a reset without one).
    pub close_notify: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Control {
    Send(Vec<u8>),
    Close,
    Reset,
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    paused: AtomicBool,
    read_delay_ms: AtomicUsize,
    failed_handshakes: AtomicUsize,
    connections: Mutex<Vec<EchoConnection>>,
    controls: Mutex<Vec<VecDeque<Control>>>,
    changed: Condvar,
    /// Handshakes under way: neither registered nor failed yet.
    handshaking: AtomicUsize,
}

/// A handshake under way, counted in [`Shared::handshaking`] until dropped.
struct Handshaking<'a>(&'a Shared);

impl<'a> Handshaking<'a> {
    fn start(shared: &'a Shared) -> Self {
        shared.handshaking.fetch_add(1, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for Handshaking<'_> {
    fn drop(&mut self) {
        self.0.handshaking.fetch_sub(1, Ordering::SeqCst);
        if let Ok(_c) = self.0.connections.lock() {
            self.0.changed.notify_all();
        }
    }
}

impl Shared {
    fn update(&self, index: usize, f: impl FnOnce(&mut EchoConnection)) {
        if let Ok(mut c) = self.connections.lock() {
            if let Some(conn) = c.get_mut(index) {
                f(conn);
            }
        }
        self.changed.notify_all();
    }

    fn take_control(&self, index: usize) -> Option<Control> {
        self.controls.lock().ok()?.get_mut(index)?.pop_front()
    }
}

/// A TLS echo server on 127.0.0.1 (any free port). Stops and joins its
/// threads when dropped.
pub struct EchoServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl EchoServer {
    /// Starts a server whose certificate `pki` signs.
    pub fn start(pki: &TestPki, options: EchoServerOptions) -> io::Result<EchoServer> {
        let config = server_config(pki, &options)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let threads = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let shared = shared.clone();
            let threads = threads.clone();
            std::thread::Builder::new()
                .name("echo-accept".into())
                .spawn(move || accept_loop(listener, config, options, shared, threads))?
        };
        if let Ok(mut t) = threads.lock() {
            t.push(accept);
        }
        Ok(EchoServer {
            addr,
            shared,
            threads,
        })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every connection that completed a handshake, in accept order.
    pub fn connections(&self) -> Vec<EchoConnection> {
        self.shared
            .connections
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Handshakes that failed (wrong SNI, missing client certificate, ...).
    pub fn failed_handshakes(&self) -> usize {
        self.shared.failed_handshakes.load(Ordering::SeqCst)
    }

    /// Waits until `f` holds for the connection list, at most `timeout`.
    pub fn wait_for(&self, timeout: Duration, f: impl Fn(&[EchoConnection]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut c) = self.shared.connections.lock() else {
            return false;
        };
        loop {
            if f(&c) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            c = match self.shared.changed.wait_timeout(c, deadline - now) {
                Ok((g, _)) => g,
                Err(_) => return false,
            };
        }
    }

    /// Queues `control` for every connection, once the handshakes under way
    /// have ended (at most 10 s): the client may see its handshake done
    /// before the server's thread has registered it, and a test that opened
    /// a connection and then acts on "every" connection means that one too.
    fn control_all(&self, control: Control) {
        let shared = &self.shared;
        self.wait_for(Duration::from_secs(10), |_| {
            shared.handshaking.load(Ordering::SeqCst) == 0
        });
        if let Ok(mut controls) = self.shared.controls.lock() {
            for queue in controls.iter_mut() {
                queue.push_back(control.clone());
            }
        }
    }

    /// Sends `data` on every open connection (server-initiated data).
    pub fn send(&self, data: &[u8]) {
        self.control_all(Control::Send(data.to_vec()));
    }

    /// Closes every connection (close_notify, then FIN).
    pub fn close_all(&self) {
        self.control_all(Control::Close);
    }

    /// Resets every connection (RST, no close_notify).
    pub fn reset_all(&self) {
        self.control_all(Control::Reset);
    }

    /// Stops reading (the module's sends back up and its send buffer
    /// fills).
    pub fn pause(&self) {
        self.shared.paused.store(true, Ordering::SeqCst);
    }

    /// Reads again.
    pub fn resume(&self) {
        self.shared.paused.store(false, Ordering::SeqCst);
    }

    /// Slow mode: waits `delay` after each read (zero: full speed).
    pub fn slow(&self, delay: Duration) {
        self.shared
            .read_delay_ms
            .store(delay.as_millis() as usize, Ordering::SeqCst);
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        loop {
            let next = self.threads.lock().ok().and_then(|mut t| t.pop());
            match next {
                Some(t) => {
                    let _ = t.join();
                }
                None => break,
            }
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    options: EchoServerOptions,
    shared: Arc<Shared>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let _ = stream.set_nonblocking(false);
                let _ = SockRef::from(&stream).set_recv_buffer_size(KERNEL_RECV_BUFFER);
                let config = config.clone();
                let options = options.clone();
                let shared2 = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("echo-conn".into())
                    .spawn(move || serve(stream, peer, config, &options, &shared2));
                if let (Ok(handle), Ok(mut t)) = (spawned, threads.lock()) {
                    t.push(handle);
                }
            }
            Err(_) => std::thread::sleep(SLICE),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Writes everything rustls has queued; false if the connection is gone.
fn flush(tls: &mut ServerConnection, tcp: &mut TcpStream, shared: &Shared) -> bool {
    while tls.wants_write() {
        match tls.write_tls(tcp) {
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {
                if shared.stop.load(Ordering::SeqCst) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

fn serve(
    mut tcp: TcpStream,
    peer: SocketAddr,
    config: Arc<ServerConfig>,
    options: &EchoServerOptions,
    shared: &Shared,
) {
    let _ = tcp.set_read_timeout(Some(SLICE));
    let _ = tcp.set_write_timeout(Some(SLICE));
    if options.stall_handshake {
        let mut sink = [0u8; 1024];
        while !shared.stop.load(Ordering::SeqCst) {
            match tcp.read(&mut sink) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if is_timeout(&e) => {}
                Err(_) => return,
            }
        }
        return;
    }
    let Ok(mut tls) = ServerConnection::new(config) else {
        return;
    };
    let handshaking = Handshaking::start(shared);
    // `send` hands over everything at once: rustls' default 64 KiB cap on
    // unsent plaintext would cut it short (the write's error was lost).
    tls.set_buffer_limit(None);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tls.is_handshaking() {
        if shared.stop.load(Ordering::SeqCst)
            || Instant::now() > deadline
            || !flush(&mut tls, &mut tcp, shared)
        {
            return;
        }
        if !tls.is_handshaking() {
            break;
        }
        match tls.read_tls(&mut tcp) {
            Ok(0) => {
                shared.failed_handshakes.fetch_add(1, Ordering::SeqCst);
                return;
            }
            Ok(_) => {
                if tls.process_new_packets().is_err() {
                    shared.failed_handshakes.fetch_add(1, Ordering::SeqCst);
                    shared.changed.notify_all();
                    let _ = flush(&mut tls, &mut tcp, shared);
                    return;
                }
            }
            Err(e) if is_timeout(&e) => {}
            Err(_) => {
                shared.failed_handshakes.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
    }
    let index = register(&tls, peer, shared);
    drop(handshaking);
    if !flush(&mut tls, &mut tcp, shared) {
        shared.update(index, |c| c.open = false);
        return;
    }
    echo_loop(&mut tls, &mut tcp, options, shared, index);
    shared.update(index, |c| c.open = false);
}

fn register(tls: &ServerConnection, peer: SocketAddr, shared: &Shared) -> usize {
    let info = EchoConnection {
        peer,
        sni: tls.server_name().map(str::to_string),
        alpn: tls.alpn_protocol().map(<[u8]>::to_vec),
        resumed: tls.handshake_kind() == Some(HandshakeKind::Resumed),
        protocol: match tls.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".into(),
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".into(),
            other => format!("{other:?}"),
        },
        cipher_code: tls
            .negotiated_cipher_suite()
            .map_or(0, |s| u16::from(s.suite())),
        cipher_suite: tls
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default(),
        client_cert: tls.peer_certificates().is_some_and(|c| !c.is_empty()),
        received: 0,
        open: true,
        close_notify: false,
    };
    let index = match (shared.connections.lock(), shared.controls.lock()) {
        (Ok(mut c), Ok(mut q)) => {
            c.push(info);
            q.push(VecDeque::new());
            c.len() - 1
        }
        _ => 0,
    };
    shared.changed.notify_all();
    index
}

fn echo_loop(
    tls: &mut ServerConnection,
    tcp: &mut TcpStream,
    options: &EchoServerOptions,
    shared: &Shared,
    index: usize,
) {
    let mut echoed = 0usize;
    let mut plain = vec![0u8; 16 * 1024];
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        while let Some(control) = shared.take_control(index) {
            match control {
                Control::Send(data) => {
                    let _ = tls.writer().write_all(&data);
                }
                Control::Close => {
                    tls.send_close_notify();
                    let _ = flush(tls, tcp, shared);
                    let _ = tcp.shutdown(std::net::Shutdown::Both);
                    return;
                }
                Control::Reset => {
                    let _ = SockRef::from(&*tcp).set_linger(Some(Duration::ZERO));
                    return;
                }
            }
        }
        if !flush(tls, tcp, shared) {
            return;
        }
        if shared.paused.load(Ordering::SeqCst) {
            std::thread::sleep(SLICE);
            continue;
        }
        let delay = shared.read_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay as u64));
        }
        match tls.read_tls(tcp) {
            Ok(0) => return,
            Ok(_) => {
                if tls.process_new_packets().is_err() {
                    let _ = flush(tls, tcp, shared);
                    return;
                }
            }
            Err(e) if is_timeout(&e) => continue,
            Err(_) => return,
        }
        loop {
            match tls.reader().read(&mut plain) {
                Ok(0) => {
                    shared.update(index, |c| c.close_notify = true);
                    tls.send_close_notify();
                    let _ = flush(tls, tcp, shared);
                    return;
                }
                Ok(n) => {
                    let take = match options.close_after {
                        Some(limit) => n.min(limit.saturating_sub(echoed)),
                        None => n,
                    };
                    if !options.sink {
                        let _ = tls.writer().write_all(&plain[..take]);
                    }
                    echoed += take;
                    shared.update(index, |c| c.received += n);
                    if options.close_after.is_some_and(|limit| echoed >= limit) {
                        tls.send_close_notify();
                        let _ = flush(tls, tcp, shared);
                        let _ = tcp.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => return,
            }
        }
    }
}
