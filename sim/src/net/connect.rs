//! A TCP connect that honours a timeout and can be cancelled.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use socket2::{Domain, Protocol, Socket, Type};

use crate::error_code::QiError;

/// The kernel send buffer of a module-side socket. Small, like a module's
/// TCP window, so that a peer that stops reading fills the module's own send
/// buffer after a few kilobytes instead of megabytes.
const KERNEL_SEND_BUFFER: usize = 4096;

/// How often a pending connect checks for cancellation.
const POLL_SLICE: Duration = Duration::from_millis(50);

/// Connects to `target`: 554 when no socket can be made, 566 when refused or
/// unreachable, 569 on timeout; `None` when cancelled.
pub(crate) fn connect(
    target: SocketAddr,
    timeout: Duration,
    cancel: &AtomicBool,
) -> Option<Result<TcpStream, QiError>> {
    let socket = match Socket::new(
        Domain::for_address(target),
        Type::STREAM,
        Some(Protocol::TCP),
    ) {
        Ok(s) => s,
        Err(_) => return Some(Err(QiError::CreateSocketFailed)),
    };
    let _ = socket.set_send_buffer_size(KERNEL_SEND_BUFFER);
    let _ = socket.set_tcp_nodelay(true);
    if socket.set_nonblocking(true).is_err() {
        return Some(Err(QiError::CreateSocketFailed));
    }
    match socket.connect(&target.into()) {
        Ok(()) => {}
        Err(e)
            if e.raw_os_error() == Some(libc_einprogress())
                || e.kind() == io::ErrorKind::WouldBlock =>
        {
            let deadline = Instant::now() + timeout;
            loop {
                if cancel.load(Ordering::SeqCst) {
                    return None;
                }
                let now = Instant::now();
                if now >= deadline {
                    return Some(Err(QiError::Timeout));
                }
                let slice = POLL_SLICE.min(deadline - now);
                let spec = Timespec {
                    tv_sec: slice.as_secs() as _,
                    tv_nsec: slice.subsec_nanos() as _,
                };
                let mut fds = [PollFd::new(&socket, PollFlags::OUT)];
                match poll(&mut fds, Some(&spec)) {
                    Ok(0) => continue,
                    Ok(_) => break,
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(_) => return Some(Err(QiError::ConnectFailed)),
                }
            }
            match socket.take_error() {
                Ok(None) => {}
                _ => return Some(Err(QiError::ConnectFailed)),
            }
        }
        Err(_) => return Some(Err(QiError::ConnectFailed)),
    }
    if socket.set_nonblocking(false).is_err() {
        return Some(Err(QiError::ConnectFailed));
    }
    Some(Ok(socket.into()))
}

/// `EINPROGRESS` on Linux.
fn libc_einprogress() -> i32 {
    rustix::io::Errno::INPROGRESS.raw_os_error()
}
