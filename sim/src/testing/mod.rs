//! Test helpers for the simulator's users (the driver's tests, demo and
//! benchmarks): a run-time PKI ([`TestPki`]) and three echo servers on
//! 127.0.0.1:
//!
//! - [`EchoServer`]: rustls, TLS 1.2 / 1.3 — a peer independent of the
//!   simulator's own TLS library, with knobs for flow control (pause,
//!   slow, sink) and failures (expired certificate, stalled handshake).
//! - [`TlsServer`]: OpenSSL, SSL 3.0 to TLS 1.3, every suite of the module
//!   that OpenSSL has, PSK, renegotiation on request; it reports what each
//!   client offered and negotiated ([`TlsConnection`]).
//! - [`DtlsServer`]: OpenSSL DTLS 1.0 / 1.2 over UDP, echoing datagram by
//!   datagram.
//!
//! ```no_run
//! use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
//! use quectel_sim::{SimConfig, Simulator};
//!
//! let pki = TestPki::new();
//! // RSA: of the module's suites, rustls has only 0XC02F, an RSA one.
//! let server = EchoServer::start(&pki, EchoServerOptions::default().rsa()).unwrap();
//! let config = SimConfig::fast().dns("echo.test", "127.0.0.1".parse().unwrap());
//! let (handle, port) = Simulator::start(config);
//! handle.put_file("RAM:cacert.pem", pki.ca_pem().as_bytes()).unwrap();
//! // ... AT+QSSLOPEN=1,1,0,"echo.test",<server.port()>,0 ...
//! # drop((handle, port, server));
//! ```

mod dtls_server;
mod echo_options;
mod echo_server;
mod observed;
mod pki;
mod server_options;
mod tls_server;

pub use dtls_server::DtlsServer;
pub use echo_options::EchoServerOptions;
pub use echo_server::{EchoConnection, EchoServer};
pub use observed::{FailedHandshake, TlsConnection};
pub use pki::{CertAndKey, KeyKind, TestPki, Validity};
pub use server_options::{Protocol, TlsServerOptions};
pub use tls_server::TlsServer;
