//! A connected socket's two threads: the reader (network → TLS → receive
//! buffer) and the writer (send buffer → TLS → network). They share one
//! OpenSSL connection over a [`MemIo`] behind a mutex that is never held
//! across a blocking socket call. A renegotiation the server starts is
//! carried out by the reader inside `SSL_read`; a write that meets it
//! waits until the reader has fed the server's answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use openssl::ssl::{ErrorCode, SslStream};

use super::mem_io::MemIo;
use super::transport::{is_timeout, Transport};
use super::{CloseCause, NetEvent, Notifier, SocketBuffers, WriterCommand};

/// Socket read timeout: how often a blocked reader looks at the cancel flag.
const READ_SLICE: Duration = Duration::from_millis(100);
/// Largest chunk moved at once between TLS and the receive buffer.
const CHUNK: usize = 16 * 1024;

/// The OpenSSL connection the reader and writer share.
pub(crate) struct SharedTls {
    pub stream: Mutex<SslStream<MemIo>>,
    /// Notified whenever the reader has fed the connection new bytes.
    pub progress: Condvar,
}

/// What both threads of a connected socket hold.
pub(crate) struct StreamThreads {
    pub buffers: Arc<SocketBuffers>,
    pub cancel: Arc<AtomicBool>,
    pub notifier: Notifier,
    /// The writer's command queue (the reader asks it to flush).
    pub flush: Sender<WriterCommand>,
}

enum Drain {
    /// Everything fed was read; read more from the network.
    NeedMore,
    /// The receive buffer is full: wait for the host.
    Blocked,
    /// The connection ended.
    Closed(CloseCause),
}

impl StreamThreads {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn closed(&self, cause: CloseCause) {
        if !self.cancelled() {
            self.notifier.send(NetEvent::Closed(cause));
        }
    }

    /// The writer of this connection.
    pub fn writer(&self, tls: Arc<SharedTls>, transport: Transport) -> Writer {
        Writer {
            tls,
            transport,
            buffers: self.buffers.clone(),
            cancel: self.cancel.clone(),
            notifier: self.notifier.clone(),
        }
    }

    /// Moves plaintext from OpenSSL into the receive buffer while it has
    /// room (for DTLS one datagram per read).
    fn drain(&self, stream: &mut SslStream<MemIo>) -> Drain {
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let free = self.buffers.recv_free().min(CHUNK);
            if free == 0 {
                return Drain::Blocked;
            }
            let room = if self.buffers.is_datagram() {
                CHUNK
            } else {
                free
            };
            match stream.ssl_read(&mut chunk[..room]) {
                Ok(0) => return Drain::Closed(CloseCause::Peer),
                Ok(n) => {
                    self.buffers.push_received(&chunk[..n]);
                    self.notifier.send(NetEvent::Data);
                }
                Err(e) if e.code() == ErrorCode::WANT_READ => return Drain::NeedMore,
                // close_notify, or the end of the stream without it.
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    return Drain::Closed(CloseCause::Peer)
                }
                Err(e) if e.code() == ErrorCode::SYSCALL && e.io_error().is_none() => {
                    return Drain::Closed(CloseCause::Peer)
                }
                Err(_) => return Drain::Closed(CloseCause::ReadFailed),
            }
        }
    }

    /// The reader: until the connection ends or the socket is freed.
    pub fn read_loop(&self, tls: &SharedTls, transport: Transport) {
        transport.set_read_timeout(READ_SLICE);
        loop {
            if self.cancelled() {
                return;
            }
            let outcome = {
                let Ok(mut stream) = tls.stream.lock() else {
                    return;
                };
                let outcome = self.drain(&mut stream);
                if stream.get_ref().has_outgoing() {
                    let _ = self.flush.send(WriterCommand::Flush);
                }
                outcome
            };
            tls.progress.notify_all();
            match outcome {
                Drain::Closed(cause) => return self.closed(cause),
                Drain::Blocked => {
                    if !self.buffers.wait_recv_space(READ_SLICE) {
                        return;
                    }
                    continue;
                }
                Drain::NeedMore => {}
            }
            let received = transport.recv();
            let Ok(mut stream) = tls.stream.lock() else {
                return;
            };
            match received {
                Ok(Some(bytes)) => stream.get_mut().feed(&bytes),
                Ok(None) => stream.get_mut().set_eof(),
                Err(e) if is_timeout(&e) => {}
                Err(_) => {
                    drop(stream);
                    return self.closed(CloseCause::ReadFailed);
                }
            }
        }
    }
}

/// The writer thread of a connected socket.
pub(crate) struct Writer {
    tls: Arc<SharedTls>,
    transport: Transport,
    buffers: Arc<SocketBuffers>,
    cancel: Arc<AtomicBool>,
    notifier: Notifier,
}

impl Writer {
    /// Encrypts `plaintext` (and a close_notify when `close`), and takes
    /// the records OpenSSL wrote; `None` when the connection failed.
    fn collect(&self, plaintext: &[u8], close: bool) -> Option<Vec<Vec<u8>>> {
        let mut rest = plaintext;
        loop {
            let mut stream = self.tls.stream.lock().ok()?;
            let mut renegotiating = false;
            while !rest.is_empty() {
                match stream.ssl_write(rest) {
                    Ok(n) => rest = &rest[n..],
                    Err(e) if e.code() == ErrorCode::WANT_READ => {
                        renegotiating = true;
                        break;
                    }
                    Err(_) => return None,
                }
            }
            if !renegotiating {
                if close {
                    let _ = stream.shutdown();
                }
                return Some(stream.get_mut().take_outgoing());
            }
            // A renegotiation is under way: send what it wrote, and wait
            // until the reader has fed the server's answer.
            if self.cancel.load(Ordering::SeqCst) {
                return None;
            }
            let out = stream.get_mut().take_outgoing();
            if out.is_empty() {
                let _ = self
                    .tls
                    .progress
                    .wait_timeout(stream, Duration::from_millis(100));
            } else {
                drop(stream);
                self.transport.send(&out).ok()?;
            }
        }
    }

    /// Runs the writer's commands until a close or a failure.
    pub fn run(self, commands: Receiver<WriterCommand>) {
        for command in commands {
            let (plaintext, close, linger) = match command {
                WriterCommand::Data(data) => (data, false, false),
                WriterCommand::Flush => (Vec::new(), false, false),
                WriterCommand::Close => (Vec::new(), true, false),
                WriterCommand::Linger => (Vec::new(), true, true),
            };
            let written = match self.collect(&plaintext, close) {
                Some(records) => self.transport.send(&records).is_ok(),
                None => false,
            };
            if !plaintext.is_empty() {
                self.buffers.send_done(plaintext.len());
                self.notifier.send(NetEvent::SendDrained);
            }
            if linger {
                // Everything queued is out, then close_notify and FIN: the
                // reader waits for the peer's close.
                self.transport.shutdown_write();
                self.notifier.send(NetEvent::CloseSent);
                return;
            }
            if close {
                self.transport.shutdown();
                return;
            }
            if !written {
                if !self.cancel.load(Ordering::SeqCst) {
                    self.notifier
                        .send(NetEvent::Closed(CloseCause::WriteFailed));
                }
                self.transport.shutdown();
                return;
            }
        }
    }
}
