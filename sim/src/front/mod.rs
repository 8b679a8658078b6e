//! Serving a simulator to programs outside the test process: on a PTY
//! ([`serve_pty`]) or on a TCP listener ([`serve_tcp`], one client at a
//! time, for QEMU's `-serial tcp:`).

mod pty;
mod slice;
mod tcp;

pub use pty::{serve_pty, PtyFront};
pub use tcp::{serve_tcp, TcpFront};
