//! [`DtlsServer`]: an OpenSSL DTLS echo server over UDP on 127.0.0.1. Each
//! datagram the client sends is echoed back as one datagram, and recorded
//! as one ([`super::TlsConnection::datagrams`]), so a test can see that
//! boundaries were kept both ways.
//!
//! One UDP socket serves every client: a receiving thread hands each
//! client's datagrams to that client's connection thread, which runs
//! OpenSSL over a datagram transport of its own.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use openssl::ssl::{ErrorCode, HandshakeError, Ssl, SslContext, SslStream};

use super::observed::{psk_identity, Control, FailedHandshake, Registry, TlsConnection};
use super::pki::TestPki;
use super::server_options::{hello_of, server_context, TlsServerOptions};

/// How long a read waits before it looks at the controls.
const SLICE: Duration = Duration::from_millis(20);
/// Longest handshake the server waits for.
const HANDSHAKE_TIME: Duration = Duration::from_secs(10);

/// One client's datagrams, as OpenSSL reads and writes them.
struct DatagramIo {
    socket: Arc<UdpSocket>,
    peer: SocketAddr,
    incoming: Receiver<Vec<u8>>,
}

impl Read for DatagramIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.incoming.recv_timeout(SLICE) {
            Ok(datagram) => {
                let n = buf.len().min(datagram.len());
                buf[..n].copy_from_slice(&datagram[..n]);
                Ok(n)
            }
            Err(RecvTimeoutError::Timeout) => Err(io::ErrorKind::WouldBlock.into()),
            Err(RecvTimeoutError::Disconnected) => Ok(0),
        }
    }
}

impl Write for DatagramIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send_to(buf, self.peer)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An OpenSSL DTLS server on 127.0.0.1 (any free UDP port) that echoes
/// every datagram. The options' versions map to DTLS 1.0 to 1.2 unless
/// DTLS ones are given. Stops and joins its threads when dropped.
pub struct DtlsServer {
    addr: SocketAddr,
    registry: Arc<Registry>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl DtlsServer {
    /// Starts a server whose certificates `pki` signs.
    pub fn start(pki: &TestPki, options: TlsServerOptions) -> io::Result<DtlsServer> {
        let ctx = server_context(pki, &options, true)?;
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(SLICE))?;
        let addr = socket.local_addr()?;
        let registry = Arc::new(Registry::default());
        let threads = Arc::new(Mutex::new(Vec::new()));
        let receiver = {
            let (registry, threads) = (registry.clone(), threads.clone());
            let socket = Arc::new(socket);
            std::thread::Builder::new()
                .name("dtls-receive".into())
                .spawn(move || receive_loop(socket, ctx, registry, threads))?
        };
        if let Ok(mut t) = threads.lock() {
            t.push(receiver);
        }
        Ok(DtlsServer {
            addr,
            registry,
            threads,
        })
    }

    /// The address to send to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every connection that completed a handshake, in order.
    pub fn connections(&self) -> Vec<TlsConnection> {
        self.registry.connections()
    }

    /// Every handshake that failed.
    pub fn failures(&self) -> Vec<FailedHandshake> {
        self.registry.failures()
    }

    /// Waits until `f` holds, at most `timeout`.
    pub fn wait_for(
        &self,
        timeout: Duration,
        f: impl Fn(&[TlsConnection], &[FailedHandshake]) -> bool,
    ) -> bool {
        self.registry.wait_for(timeout, f)
    }

    /// Sends `datagram` to every client, as one datagram.
    pub fn send(&self, datagram: &[u8]) {
        self.registry.control_all(Control::Send(datagram.to_vec()));
    }

    /// Ends every connection with close_notify.
    pub fn close_all(&self) {
        self.registry.control_all(Control::Close);
    }
}

impl Drop for DtlsServer {
    fn drop(&mut self) {
        self.registry.stop.store(true, Ordering::SeqCst);
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

fn receive_loop(
    socket: Arc<UdpSocket>,
    ctx: SslContext,
    registry: Arc<Registry>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
    let mut clients: HashMap<SocketAddr, Sender<Vec<u8>>> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    while !registry.stop.load(Ordering::SeqCst) {
        let (n, peer) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(_) => continue,
        };
        let datagram = buf[..n].to_vec();
        if let Some(tx) = clients.get(&peer) {
            if tx.send(datagram.clone()).is_ok() {
                continue;
            }
        }
        // A new client (or a new connection from the same port).
        let (tx, rx) = channel();
        let _ = tx.send(datagram);
        clients.insert(peer, tx);
        let io = DatagramIo {
            socket: socket.clone(),
            peer,
            incoming: rx,
        };
        let (ctx, registry2) = (ctx.clone(), registry.clone());
        let spawned = std::thread::Builder::new()
            .name("dtls-conn".into())
            .spawn(move || serve(io, peer, &ctx, &registry2));
        if let (Ok(handle), Ok(mut t)) = (spawned, threads.lock()) {
            t.push(handle);
        }
    }
}

fn handshake(
    ssl: Ssl,
    io: DatagramIo,
    peer: SocketAddr,
    registry: &Registry,
) -> Option<SslStream<DatagramIo>> {
    let deadline = Instant::now() + HANDSHAKE_TIME;
    let mut attempt = ssl.accept(io);
    loop {
        match attempt {
            Ok(stream) => return Some(stream),
            Err(HandshakeError::WouldBlock(mid)) => {
                if registry.stop.load(Ordering::SeqCst) || Instant::now() > deadline {
                    return None;
                }
                attempt = mid.handshake();
            }
            Err(HandshakeError::Failure(mid)) => {
                registry.failed(FailedHandshake {
                    peer,
                    error: mid.error().to_string(),
                    offered_suites: hello_of(mid.ssl()).offered,
                    psk_identity: psk_identity(mid.ssl()),
                });
                return None;
            }
            Err(HandshakeError::SetupFailure(_)) => return None,
        }
    }
}

fn serve(io: DatagramIo, peer: SocketAddr, ctx: &SslContext, registry: &Registry) {
    let Ok(mut ssl) = Ssl::new(ctx) else { return };
    if ssl.set_mtu(4096).is_err() {
        return;
    }
    registry.handshake_started();
    let Some(mut stream) = handshake(ssl, io, peer, registry) else {
        registry.handshake_ended();
        return;
    };
    let index = registry.register(TlsConnection::new(peer, stream.ssl()));
    registry.handshake_ended();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if registry.stop.load(Ordering::SeqCst) {
            break;
        }
        while let Some(control) = registry.take_control(index) {
            match control {
                Control::Send(datagram) => {
                    let _ = stream.ssl_write(&datagram);
                }
                Control::Close => {
                    let _ = stream.shutdown();
                    registry.update(index, |c| c.open = false);
                    return;
                }
                Control::Renegotiate => {}
            }
        }
        match stream.ssl_read(&mut buf) {
            Ok(n) => {
                // Recorded before it is echoed: a client that has the echo
                // can count on the record.
                let datagram = buf[..n].to_vec();
                registry.update(index, |c| {
                    c.received.extend_from_slice(&datagram);
                    c.datagrams.push(datagram.clone());
                });
                let _ = stream.ssl_write(&datagram);
            }
            Err(e) if e.code() == ErrorCode::WANT_READ => {}
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                registry.update(index, |c| c.close_notify = true);
                break;
            }
            Err(e) => {
                let text = e.to_string();
                registry.update(index, |c| c.error = Some(text));
                break;
            }
        }
    }
    registry.update(index, |c| c.open = false);
}
