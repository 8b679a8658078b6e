//! Test helpers for the simulator's users (the driver's tests, demo and
//! benchmarks): a run-time PKI ([`TestPki`]) and a TLS echo server
//! ([`EchoServer`]) on 127.0.0.1.
//!
//! ```no_run
//! use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
//! use quectel_sim::{SimConfig, Simulator};
//!
//! let pki = TestPki::new();
//! let server = EchoServer::start(&pki, EchoServerOptions::default()).unwrap();
//! let config = SimConfig::fast().dns("echo.test", "127.0.0.1".parse().unwrap());
//! let (handle, port) = Simulator::start(config);
//! handle.put_file("RAM:cacert.pem", pki.ca_pem().as_bytes()).unwrap();
//! // ... AT+QSSLOPEN=1,1,0,"echo.test",<server.port()>,0 ...
//! # drop((handle, port, server));
//! ```

mod echo_options;
mod echo_server;
mod pki;

pub use echo_options::EchoServerOptions;
pub use echo_server::{EchoConnection, EchoServer};
pub use pki::{CertAndKey, KeyKind, TestPki, Validity};
