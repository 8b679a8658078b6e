//! The single-owner async face: the same operations as the blocking
//! [`Modem`](crate::Modem), awaited on an `embedded-io-async` port by the
//! one task that owns it. For many tasks and sockets at once, use the
//! stack ([`new`](super::new)).
//!
//! The port's `read` must be cancel-safe (dropping a pending read loses no
//! byte), as buffered UART drivers are (embassy's `BufferedUart`): the
//! engine races each read against a short timer tick so that timeouts and
//! guard times are kept even when the module says nothing.
//!
//! # Example
//!
//! An HTTPS request from an async task (an embassy task, say): the same
//! steps as the blocking [`Modem`](crate::Modem) example, each awaited, on
//! any `embedded-io-async` UART and a timer that gives the time
//! ([`Clock`]) and async delays (`embedded_hal_async` `DelayNs`). The
//! socket is an `embedded_io_async` reader and writer.
//!
//! ```no_run
//! use embedded_hal_async::delay::DelayNs;
//! use embedded_io_async::{Read, Write};
//! use quectel_ssl::asynch::Modem;
//! use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
//! use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
//! use quectel_ssl::*;
//!
//! async fn https_get<P, T>(uart: P, timer: T, reply: &mut [u8]) -> Result<usize, Error>
//! where
//!     P: Read + Write,
//!     T: Clock + DelayNs,
//! {
//!     let mut rx = [0u8; 2048];
//!     let mut modem: Modem<'_, P, T> = Modem::new(uart, timer);
//!     modem.init().await?;
//!     let pdp = PdpContextId::new(1)?;
//!     modem
//!         .configure_pdp(ConfigurePdpContext {
//!             context: pdp,
//!             pdp_type: PdpType::Ipv4,
//!             apn: Apn::new("internet")?,
//!             username: UserName::new("")?,
//!             password: Password::new("")?,
//!             auth: AuthMethod::None,
//!         })
//!         .await?;
//!     modem.activate_pdp(pdp).await?;
//!     let ssl = SslContextId::new(1)?;
//!     let ca = FileName::new("UFS:cacert.pem")?;
//!     modem.configure_ssl(ssl, &SslConfig::with_ca(ca)).await?;
//!     let host = HostName::new("example.com")?;
//!     let open = OpenSslSocket::new(pdp, ssl, ClientId::new(0)?, host, 443, AccessMode::Buffer)?;
//!     let sock = modem.open(open, &mut rx).await?;
//!     let mut io = modem.socket(&sock);
//!     io.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
//!         .await?;
//!     let n = io.read(reply).await?;
//!     modem.close(&sock).await?;
//!     Ok(n)
//! }
//! ```

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{ErrorType, Read, Write};

use crate::error::Error;
use crate::modem::ops::{self, Op};
use crate::modem::{Clock, Config, Core, Event};
use crate::state::SessionState;
crate::modem::operations::operation_imports!();

/// Longest wait for bytes before the engine looks at its deadlines again.
const TICK_MS: u32 = 10;

/// Wait for whichever of two futures finishes first: `Ok` with `a`'s output
/// if it was `a`, `Err` with `b`'s otherwise.
async fn first<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(out) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        if let Poll::Ready(out) = b.as_mut().poll(cx) {
            return Poll::Ready(Err(out));
        }
        Poll::Pending
    })
    .await
}

fn io<E: embedded_io_async::Error>(e: E) -> Error {
    Error::Io(e.kind())
}

/// The session engine over an async `embedded-io-async` port; `T` gives the
/// time ([`Clock`]) and waits (`embedded_hal_async` `DelayNs`).
pub struct Modem<'r, P, T, const LINE: usize = { crate::modem::DEFAULT_LINE_LEN }> {
    port: P,
    timer: T,
    core: Core<'r, LINE>,
    config: Config,
    /// The resync in progress, run before anything else.
    resync: Option<ops::Resync>,
}

impl<'r, P, T, const LINE: usize> Modem<'r, P, T, LINE> {
    /// An engine on `port`, with `timer` for time.
    pub fn new(port: P, timer: T) -> Self {
        Self::with_config(port, timer, Config::default())
    }

    /// An engine with other knobs.
    pub fn with_config(port: P, timer: T, config: Config) -> Self {
        let mut core = Core::new();
        core.guard_ms = config.guard_ms;
        Self {
            port,
            timer,
            core,
            config,
            resync: None,
        }
    }

    /// What the engine knows of every socket and context.
    pub fn state(&self) -> &SessionState {
        &self.core.state
    }

    /// The oldest event the module reported and nobody took yet.
    pub fn take_event(&mut self) -> Option<Event> {
        self.core.take_event()
    }

    /// The engine's knobs.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The port (to inspect it; bytes written to it directly bypass the
    /// engine and confuse the module's view of the conversation).
    pub fn port(&self) -> &P {
        &self.port
    }

    /// The port, mutably (see [`port`](Self::port)).
    pub fn port_mut(&mut self) -> &mut P {
        &mut self.port
    }

    /// Give the port and timer back.
    pub fn release(self) -> (P, T) {
        (self.port, self.timer)
    }
}

/// One async method per entry of the operations list.
macro_rules! async_face {
    ($names:ident; $( $(#[$doc:meta])* $name:ident $([$($gen:tt)*])? ($($arg:ident: $ty:ty),*) -> $ret:ty
        = |$config:ident| $op:expr $(=> $map:expr)?; )*) => {
        $(
            $(#[$doc])*
            pub async fn $name $(<$($gen)*>)? (&mut self, $($arg: $ty),*) -> Result<$ret, Error> {
                let $config = self.config;
                let mut op = $op;
                self.run(&mut op).await $(.map($map))?
            }
        )*

        /// The operations this face has, by name (the list's, see
        /// [`operations`](crate::modem::operations)).
        pub const $names: &'static [&'static str] = &[$(stringify!($name)),*];
    };
}

impl<'r, P, T, const LINE: usize> Modem<'r, P, T, LINE>
where
    P: Read + Write,
    T: Clock + DelayNs,
{
    /// Uploads go in one piece (no ACK mode).
    const UPLOAD_ACK: AckMode = AckMode::Off;

    /// Run `op` to completion.
    pub async fn run<O: Op<'r>>(&mut self, op: &mut O) -> Result<O::Output, Error> {
        loop {
            let now = self.timer.now_ms();
            if let Some(resync) = ops::Resync::due(&mut self.resync, &self.core) {
                if let Poll::Ready(result) = resync.poll(&mut self.core, now) {
                    self.resync = None;
                    result?;
                }
            }
            if let Poll::Ready(result) = op.poll(&mut self.core, now) {
                return result;
            }
            let tx = self.core.tx_bytes(op.payload());
            if !tx.is_empty() {
                let piece = &tx[..tx.len().min(self.config.write_chunk.max(1))];
                let n = self.port.write(piece).await.map_err(io)?;
                let now = self.timer.now_ms();
                self.core.tx_done(n, now);
                continue;
            }
            if self.core.take_flush_request() {
                self.port.flush().await.map_err(io)?;
                let now = self.timer.now_ms();
                self.core.flushed(now);
                continue;
            }
            let space = self.core.rx_space();
            if space.is_empty() {
                let now = self.timer.now_ms();
                self.core.rx_blocked(now);
                self.timer.delay_ms(TICK_MS).await;
                continue;
            }
            let read = first(self.port.read(space), self.timer.delay_ms(TICK_MS)).await;
            let now = self.timer.now_ms();
            match read {
                Ok(result) => {
                    let n = result.map_err(io)?;
                    self.core.rx_done(n, now);
                }
                // A tick with nothing to read.
                Err(()) => self.core.rx_idle(now),
            }
        }
    }

    crate::modem::operations::module_operations!(async_face);

    crate::modem::operations::socket_operations!(async_face);

    /// Return to transparent mode on `handle`.
    pub async fn resume(&mut self, handle: &SocketHandle) -> Result<(), Error> {
        self.run(&mut ops::Resume::new(*handle)).await
    }

    /// Leave transparent mode with `+++` and its guard times.
    pub async fn escape(&mut self) -> Result<(), Error> {
        let guard = self.config.guard_ms;
        self.run(&mut ops::Escape::with_guard(guard)).await
    }

    /// Leave transparent mode by toggling DTR (after `AT&D1`).
    pub async fn escape_with_dtr<D: embedded_hal::digital::OutputPin>(
        &mut self,
        dtr: &mut D,
    ) -> Result<(), Error> {
        self.run(&mut ops::DtrEscape::new(dtr)).await
    }

    /// The socket as an `embedded-io-async` reader and writer.
    pub fn socket(&mut self, handle: &SocketHandle) -> SocketIo<'_, 'r, P, T, LINE> {
        SocketIo {
            modem: self,
            handle: *handle,
        }
    }
}

/// A socket as `embedded_io_async::Read` + `Write`, borrowing the engine.
pub struct SocketIo<'m, 'r, P, T, const LINE: usize> {
    modem: &'m mut Modem<'r, P, T, LINE>,
    handle: SocketHandle,
}

impl<P, T, const LINE: usize> ErrorType for SocketIo<'_, '_, P, T, LINE> {
    type Error = Error;
}

impl<'r, P, T, const LINE: usize> Read for SocketIo<'_, 'r, P, T, LINE>
where
    P: Read + Write,
    T: Clock + DelayNs,
{
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.modem.read(&self.handle, buf).await
    }
}

impl<'r, P, T, const LINE: usize> Write for SocketIo<'_, 'r, P, T, LINE>
where
    P: Read + Write,
    T: Clock + DelayNs,
{
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.modem.write(&self.handle, buf).await
    }

    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
