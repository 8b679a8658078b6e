//! [`TlsServer`]: an OpenSSL TLS echo server on 127.0.0.1 for the tests
//! that need a server rustls cannot be (SSL 3.0, TLS 1.0 / 1.1, CBC, RC4,
//! 3DES and static-RSA suites, PSK, renegotiation), and that must see what
//! the client negotiated: version, suite, the suites offered, SNI, client
//! certificate, PSK identity, resumption, renegotiations.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use openssl::ssl::{ErrorCode, HandshakeError, Ssl, SslContext, SslRef, SslStream};

use super::observed::{psk_identity, Control, FailedHandshake, Registry, TlsConnection};
use super::pki::TestPki;
use super::server_options::{hello_of, server_context, TlsServerOptions};

/// How long a server read waits before it looks at its controls.
const SLICE: Duration = Duration::from_millis(20);
/// Longest handshake the server waits for.
const HANDSHAKE_TIME: Duration = Duration::from_secs(10);
/// `SSL_R_NO_RENEGOTIATION`: the client refused to renegotiate.
const NO_RENEGOTIATION: i32 = 339;

/// An OpenSSL TLS server on 127.0.0.1 (any free port) that echoes every
/// byte. Stops and joins its threads when dropped.
pub struct TlsServer {
    addr: SocketAddr,
    registry: Arc<Registry>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl TlsServer {
    /// Starts a server whose certificates `pki` signs.
    pub fn start(pki: &TestPki, options: TlsServerOptions) -> io::Result<TlsServer> {
        let ctx = server_context(pki, &options, false)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let registry = Arc::new(Registry::default());
        let threads = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (registry, threads) = (registry.clone(), threads.clone());
            std::thread::Builder::new()
                .name("tls-accept".into())
                .spawn(move || accept_loop(listener, ctx, registry, threads))?
        };
        if let Ok(mut t) = threads.lock() {
            t.push(accept);
        }
        Ok(TlsServer {
            addr,
            registry,
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
    pub fn connections(&self) -> Vec<TlsConnection> {
        self.registry.connections()
    }

    /// Every handshake that failed, with the server's reason.
    pub fn failures(&self) -> Vec<FailedHandshake> {
        self.registry.failures()
    }

    /// Waits until `f` holds for the connections and failures, at most
    /// `timeout`.
    pub fn wait_for(
        &self,
        timeout: Duration,
        f: impl Fn(&[TlsConnection], &[FailedHandshake]) -> bool,
    ) -> bool {
        self.registry.wait_for(timeout, f)
    }

    /// Sends `data` on every open connection.
    pub fn send(&self, data: &[u8]) {
        self.registry.control_all(Control::Send(data.to_vec()));
    }

    /// Asks every open connection's client to renegotiate (a HelloRequest;
    /// TLS 1.2 and below).
    pub fn renegotiate(&self) {
        self.registry.control_all(Control::Renegotiate);
    }

    /// Closes every connection (close_notify, then FIN).
    pub fn close_all(&self) {
        self.registry.control_all(Control::Close);
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.registry.stop.store(true, Ordering::SeqCst);
        // Wake the blocked accept.
        let _ = TcpStream::connect(self.addr);
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
    ctx: SslContext,
    registry: Arc<Registry>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
    for stream in listener.incoming() {
        if registry.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let Ok(peer) = stream.peer_addr() else {
            continue;
        };
        let ctx = ctx.clone();
        let registry2 = registry.clone();
        let spawned = std::thread::Builder::new()
            .name("tls-conn".into())
            .spawn(move || serve(stream, peer, &ctx, &registry2));
        if let (Ok(handle), Ok(mut t)) = (spawned, threads.lock()) {
            t.push(handle);
        }
    }
}

/// Runs the server side of a handshake over a socket with read timeouts.
fn handshake(
    ssl: Ssl,
    tcp: TcpStream,
    peer: SocketAddr,
    registry: &Registry,
) -> Option<SslStream<TcpStream>> {
    let deadline = Instant::now() + HANDSHAKE_TIME;
    let mut attempt = ssl.accept(tcp);
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

fn serve(tcp: TcpStream, peer: SocketAddr, ctx: &SslContext, registry: &Registry) {
    let _ = tcp.set_read_timeout(Some(SLICE));
    let Ok(ssl) = Ssl::new(ctx) else { return };
    registry.handshake_started();
    let Some(mut stream) = handshake(ssl, tcp, peer, registry) else {
        registry.handshake_ended();
        return;
    };
    let index = registry.register(TlsConnection::new(peer, stream.ssl()));
    registry.handshake_ended();
    echo_loop(&mut stream, registry, index);
    registry.update(index, |c| c.open = false);
}

/// The Finished message of the latest handshake: it changes when a
/// renegotiation completes.
fn finished(ssl: &SslRef) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = ssl.finished(&mut buf);
    buf[..n.min(buf.len())].to_vec()
}

/// Writes all of `data`, carrying on through a renegotiation.
fn write_all(stream: &mut SslStream<TcpStream>, mut data: &[u8], registry: &Registry) -> bool {
    while !data.is_empty() {
        match stream.ssl_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {
                if registry.stop.load(Ordering::SeqCst) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

fn echo_loop(stream: &mut SslStream<TcpStream>, registry: &Registry, index: usize) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut renegotiating: Option<Vec<u8>> = None;
    loop {
        if registry.stop.load(Ordering::SeqCst) {
            return;
        }
        while let Some(control) = registry.take_control(index) {
            match control {
                Control::Send(data) => {
                    if !write_all(stream, &data, registry) {
                        return;
                    }
                }
                Control::Renegotiate => {
                    renegotiating = Some(finished(stream.ssl()));
                    request_renegotiation(stream.ssl());
                    let _ = stream.do_handshake();
                }
                Control::Close => {
                    let _ = stream.shutdown();
                    let _ = stream.get_ref().shutdown(std::net::Shutdown::Both);
                    return;
                }
            }
        }
        match stream.ssl_read(&mut buf) {
            Ok(n) => {
                let data = buf[..n].to_vec();
                registry.update(index, |c| c.received.extend_from_slice(&data));
                if !write_all(stream, &data, registry) {
                    return;
                }
            }
            Err(e) if e.code() == ErrorCode::WANT_READ => {}
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                registry.update(index, |c| c.close_notify = true);
                let _ = stream.shutdown();
                return;
            }
            Err(e) if e.code() == ErrorCode::SYSCALL && e.io_error().is_none() => return,
            Err(e) => {
                let refused = e.ssl_error().is_some_and(|s| {
                    s.errors()
                        .iter()
                        .any(|e| e.reason_code() == NO_RENEGOTIATION)
                });
                let text = e.to_string();
                registry.update(index, |c| {
                    c.renegotiation_refused |= refused;
                    c.error = Some(text);
                });
                return;
            }
        }
        if let Some(before) = &renegotiating {
            if stream.ssl().is_init_finished() && finished(stream.ssl()) != *before {
                renegotiating = None;
                let hellos = hello_of(stream.ssl()).count;
                registry.update(index, |c| {
                    c.renegotiations += 1;
                    c.hellos = hellos;
                });
            }
        }
    }
}

/// `SSL_renegotiate`: the next handshake step sends a HelloRequest. The
/// `openssl` crate does not wrap it; the library it links has it.
#[allow(unsafe_code)]
fn request_renegotiation(ssl: &SslRef) {
    use foreign_types::ForeignTypeRef;
    extern "C" {
        fn SSL_renegotiate(ssl: *mut openssl_sys::SSL) -> std::os::raw::c_int;
    }
    // SAFETY: `ssl` is a live SSL object, used by this thread only.
    let _ = unsafe { SSL_renegotiate(ssl.as_ptr()) };
}
