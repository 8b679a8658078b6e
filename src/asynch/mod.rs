//! The async faces (feature `async`).
//!
//! - **The stack**, the embassy way: [`new`] hands back a [`Runner`] that
//!   owns the port and runs forever in a task of its own, a [`Control`]
//!   handle for everything module-wide, and a [`Stack`] that opens
//!   [`TlsSocket`]s. Every socket is an object of its own, usable from any
//!   task while other tasks use the other eleven, an `embedded_io_async`
//!   reader and writer that [splits](TlsSocket::split) into halves two
//!   tasks can own.
//! - **The single-owner face**, [`Modem`]: one task owns the engine, as
//!   the blocking face does, and awaits each operation.
//!
//! # How the stack works
//!
//! The runner only moves bytes: it reads whenever bytes come and hands
//! them to the engine's core at once, so URCs and pushed data are handled
//! the moment they arrive, whoever waits; it writes what the core has to
//! send, flushes the port before guard times, runs the resync (see
//! [`ops::Resync`](crate::modem::ops::Resync)) before any other command once
//! the core asks for it, and closes sockets whose objects were dropped.
//! It sleeps until bytes come, a task gives it work, or the earliest
//! deadline: there is no polling tick.
//!
//! Each operation (an open, a read, a configuration) runs in the task that
//! asked for it, against the shared core, under a blocking mutex held only
//! while it is polled. Commands go on the wire one at a time, in the order
//! the tasks asked for the wire; a task waiting for a socket's data waits
//! for nothing else. Each socket has a reader's and a writer's waker, the
//! control handle one, the runner one: a change wakes exactly those whose
//! answer it may change.
//!
//! **Transparent mode** takes the port for one connection while it is on:
//! the other sockets' operations and the control handle's wait (their
//! futures stay pending) until it leaves (an escape, or the connection's
//! end); data the module receives for them meanwhile waits in the module
//! (buffer mode) or is pushed once the port is back (direct push).
//!
//! # Example
//!
//! Two tasks, each with its own connection, on one modem: the runner in a
//! third task. With `embassy-executor`, spawn three tasks; here they are
//! joined in one future for brevity.
//!
//! ```no_run
//! use embassy_futures::join::join3;
//! use embedded_io_async::{Read, Write};
//! use quectel_ssl::asynch::{self, State};
//! use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
//! use quectel_ssl::*;
//!
//! async fn echo(stack: Stack<'static>, host: &str, rx: &'static mut [u8]) -> Result<(), Error> {
//!     let mut socket = stack.connect(host, 443, rx).await?;
//!     socket.write_all(b"ping").await?;
//!     let mut reply = [0u8; 4];
//!     socket.read_exact(&mut reply).await.map_err(|_| Error::Closed)?;
//!     socket.close().await?;
//!     Ok(())
//! }
//!
//! async fn app<P, T>(state: &'static State<'static, T>, uart: P, timer: T,
//!                    rx: [&'static mut [u8]; 2]) -> Result<(), Error>
//! where
//!     P: embedded_io_async::Read + embedded_io_async::Write,
//!     T: Clock + embedded_hal_async::delay::DelayNs + Clone,
//! {
//!     let (mut runner, control, stack) = asynch::new(state, uart, timer);
//!     let [rx_a, rx_b] = rx;
//!     let tasks = async {
//!         control.init().await?;
//!         let pdp = PdpContextId::new(1)?;
//!         control.configure_pdp(ConfigurePdpContext {
//!             context: pdp,
//!             pdp_type: PdpType::Ipv4,
//!             apn: Apn::new("internet")?,
//!             username: UserName::new("")?,
//!             password: Password::new("")?,
//!             auth: AuthMethod::None,
//!         }).await?;
//!         control.activate_pdp(pdp).await?;
//!         let ca = FileName::new("UFS:cacert.pem")?;
//!         control.configure_ssl(SslContextId::new(0)?, &SslConfig::with_ca(ca)).await?;
//!         let (a, b) = embassy_futures::join::join(
//!             echo(stack, "a.example.com", rx_a),
//!             echo(stack, "b.example.com", rx_b),
//!         ).await;
//!         a.and(b)
//!     };
//!     match embassy_futures::select::select(runner.run(), tasks).await {
//!         embassy_futures::select::Either::Second(result) => result,
//!     }
//! }
//! ```

mod control;
mod modem;
#[cfg(feature = "nal")]
#[cfg_attr(docsrs, doc(cfg(feature = "nal")))]
pub mod nal;
#[cfg(feature = "nal")]
mod nal_pool;
mod parts;
mod roles;
mod runner;
mod shared;
mod socket;
mod stack;
mod state;
#[cfg(feature = "embassy-time")]
#[cfg_attr(docsrs, doc(cfg(feature = "embassy-time")))]
mod time;
mod turn;

pub use control::Control;
pub use modem::{Modem, SocketIo};
pub use roles::{new, new_with_config};
pub use runner::Runner;
pub use socket::{TlsReader, TlsSocket, TlsWriter};
pub use stack::{ConnectOptions, Stack};
pub use state::State;
#[cfg(feature = "embassy-time")]
pub use time::{new_embassy, EmbassyState, EmbassyTimer};
