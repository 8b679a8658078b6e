#![doc = include_str!("../README.md")]
//!
//! ## Module map
//!
//! Bytes flow host → [`SimPort`] → the line (pacing, line faults,
//! [`transcript`]) → the engine (command state machine, URCs, data modes)
//! → per-socket network workers (OpenSSL: TLS over TCP, DTLS over UDP), and
//! back.
//!
//! - [`Simulator`], [`SimHandle`], [`SimPort`], [`DtrPin`]: start, control,
//!   connect.
//! - [`SimConfig`]: every knob. [`Fault`], [`Urc`]: what can be injected.
//! - [`at`]: the command-line parser. [`error_code`]: the codes reported.
//! - [`clock`], [`filesystem`]: the module clock and the RAM/UFS drives.
//! - [`front`]: PTY and TCP serving. [`control`]: the CLI's fault lines.
//! - [`testing`]: run-time PKI, a rustls echo server and OpenSSL TLS and
//!   DTLS servers that report what each client negotiated.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod at;
pub mod clock;
mod config;
pub mod control;
mod engine;
pub mod error_code;
mod fault;
pub mod filesystem;
pub mod front;
mod handle;
mod line;
mod net;
mod port;
mod shared;
mod simulator;
pub mod testing;
pub mod transcript;

pub use config::{DefaultsProfile, SimConfig, DEFAULT_RECV_BUFFER, DEFAULT_SEND_BUFFER};
pub use engine::state::{SocketInfo, SocketState};
pub use fault::{Fault, Urc};
pub use handle::SimHandle;
pub use net::{
    openssl_name, supported_cipher_suites, unsupported_reason, CloseCause, FailReason,
    HandshakeInfo, OpenFailure,
};
pub use port::{DtrPin, SimPort, SimPortError};
pub use simulator::Simulator;
