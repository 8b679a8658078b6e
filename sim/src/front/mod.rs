//! Serving a simulator to programs outside the test process: on a PTY
//! ([`serve_pty`]) or on a TCP listener ([`serve_tcp`], one client at a
//! time, for QEMU's `-serial tcp:`).

mod pty;
mod tcp;

pub use pty::{serve_pty, PtyFront};
pub use tcp::{serve_tcp, TcpFront};

use std::time::Duration;

/// How often the bridge threads check whether they should stop.
const SLICE: Duration = Duration::from_millis(50);
