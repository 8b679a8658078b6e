//! The async face of the engine (feature `async`): the same operations as
//! the blocking [`Modem`](crate::Modem), awaited on an `embedded-io-async`
//! port.
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
//! use quectel_ssl::modem::{ops::SslConfig, Clock};
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

use crate::command::device::{DateTime, DtrFunction, SetClock, SetDtrFunction};
use crate::command::file::{DeleteFile, FileList, ListFiles, Uploaded};
use crate::command::pdp::{ConfigureDns, ConfigurePdpContext, GetPdpContexts, PdpContextState};
use crate::command::ssl_socket::{
    AccessMode, GetLastError, GetSslState, LastError, ListSslStates, OpenSslSocket, SocketStatus,
    SslState,
};
use crate::command::AtCommand;
use crate::error::Error;
use crate::modem::ops::{self, Op};
use crate::modem::{Clock, Config, Core, Event};
use crate::state::{SessionState, SocketHandle};
use crate::types::{FileName, FilePattern, PdpContextId, SslContextId};

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

    /// Give the port and timer back.
    pub fn release(self) -> (P, T) {
        (self.port, self.timer)
    }
}

impl<'r, P, T, const LINE: usize> Modem<'r, P, T, LINE>
where
    P: Read + Write,
    T: Clock + DelayNs,
{
    /// Run `op` to completion.
    pub async fn run<O: Op<'r>>(&mut self, op: &mut O) -> Result<O::Output, Error> {
        loop {
            let now = self.timer.now_ms();
            if self.core.resync_needed() || self.resync.is_some() {
                let resync = self.resync.get_or_insert_with(ops::Resync::new);
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
            let space = self.core.rx_space();
            if space.is_empty() {
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

    /// Send any typed command and read its typed answer.
    pub async fn command<C: AtCommand>(&mut self, cmd: C) -> Result<C::Response, Error> {
        self.run(&mut ops::Command::new(cmd)).await
    }

    /// Bring the module to a known state (see [`ops::Init`]).
    pub async fn init(&mut self) -> Result<ops::InitReport, Error> {
        self.run(&mut ops::Init::with_guard(self.config.guard_ms))
            .await
    }

    /// Handle what the module sent on its own (URCs, pushed data).
    pub async fn poll(&mut self) -> Result<(), Error> {
        self.run(&mut ops::Idle::default()).await
    }

    /// `AT+QICSGP`: configure a PDP context.
    pub async fn configure_pdp(&mut self, config: ConfigurePdpContext<'_>) -> Result<(), Error> {
        self.command(config).await.map(drop)
    }

    /// `AT+QIACT`: activate a PDP context.
    pub async fn activate_pdp(&mut self, context: PdpContextId) -> Result<(), Error> {
        self.run(&mut ops::ActivatePdp::new(context)).await
    }

    /// `AT+QIDEACT`: deactivate a PDP context.
    pub async fn deactivate_pdp(&mut self, context: PdpContextId) -> Result<(), Error> {
        self.run(&mut ops::DeactivatePdp::new(context)).await
    }

    /// `AT+QIACT?`: the active PDP contexts.
    pub async fn pdp_contexts(&mut self) -> Result<heapless::Vec<PdpContextState, 16>, Error> {
        self.command(GetPdpContexts).await
    }

    /// `AT+QIDNSCFG`: set the DNS servers of a PDP context.
    pub async fn configure_dns(&mut self, dns: ConfigureDns) -> Result<(), Error> {
        self.command(dns).await.map(drop)
    }

    /// Configure an SSL context in one call (see [`ops::SslConfig`]).
    pub async fn configure_ssl(
        &mut self,
        context: SslContextId,
        config: &ops::SslConfig<'_>,
    ) -> Result<(), Error> {
        self.run(&mut ops::Configure::new(context, config)).await
    }

    /// Upload `data` as file `name` (replacing it); size and checksum verified.
    pub async fn upload(&mut self, name: FileName<'_>, data: &[u8]) -> Result<Uploaded, Error> {
        self.run(&mut ops::Upload::new(name, data, false, true))
            .await
    }

    /// `AT+QFDEL`: delete a file.
    pub async fn delete_file(&mut self, name: FileName<'_>) -> Result<(), Error> {
        self.command(DeleteFile { name }).await.map(drop)
    }

    /// `AT+QFLST`: list files matching `pattern`.
    pub async fn list_files<'p, const N: usize>(
        &mut self,
        pattern: impl Into<FilePattern<'p>>,
    ) -> Result<FileList<N>, Error> {
        self.command(ListFiles::<N> {
            pattern: pattern.into(),
        })
        .await
    }

    /// `AT+CCLK`: set the module clock.
    pub async fn set_clock(&mut self, time: DateTime) -> Result<(), Error> {
        self.command(SetClock(time)).await.map(drop)
    }

    /// `AT&D`: what DTR does.
    pub async fn set_dtr_function(&mut self, function: DtrFunction) -> Result<(), Error> {
        self.command(SetDtrFunction(function)).await.map(drop)
    }

    /// Open a socket and wait until it is connected.
    pub async fn open(
        &mut self,
        cmd: OpenSslSocket<'_>,
        rx_buffer: &'r mut [u8],
    ) -> Result<SocketHandle, Error> {
        self.run(&mut ops::Open::new(cmd, rx_buffer)).await
    }

    /// Send up to 1460 bytes; `SEND FAIL` is retried.
    pub async fn write(&mut self, handle: &SocketHandle, data: &[u8]) -> Result<usize, Error> {
        let (retry, timeout) = (self.config.send_retry_ms, self.config.send_timeout_ms);
        self.run(&mut ops::Write::new(*handle, data, retry, timeout))
            .await
    }

    /// Read received bytes (at least one, or 0 at the end of the stream).
    pub async fn read(&mut self, handle: &SocketHandle, buf: &mut [u8]) -> Result<usize, Error> {
        self.run(&mut ops::Read::new(*handle, buf)).await
    }

    /// Close a socket.
    pub async fn close(&mut self, handle: &SocketHandle) -> Result<(), Error> {
        self.run(&mut ops::Close::new(*handle, None)).await
    }

    /// Close a socket, waiting at most `timeout` (s, or ms with
    /// `closetimemode` 1).
    pub async fn close_with_timeout(
        &mut self,
        handle: &SocketHandle,
        timeout: u16,
    ) -> Result<(), Error> {
        self.run(&mut ops::Close::new(*handle, Some(timeout))).await
    }

    /// `AT+QSSLSTATE=<id>`.
    pub async fn socket_state(&mut self, handle: &SocketHandle) -> Result<SocketStatus, Error> {
        self.command(GetSslState {
            client: handle.client(),
        })
        .await
    }

    /// `AT+QSSLSTATE`.
    pub async fn socket_states(&mut self) -> Result<heapless::Vec<SslState, 12>, Error> {
        self.command(ListSslStates).await
    }

    /// `AT+QIGETERROR`.
    pub async fn last_error(&mut self) -> Result<LastError, Error> {
        self.command(GetLastError).await
    }

    /// `AT+QISWTMD`: switch to buffer or direct-push mode.
    pub async fn switch_mode(
        &mut self,
        handle: &SocketHandle,
        mode: AccessMode,
    ) -> Result<(), Error> {
        self.run(&mut ops::SwitchMode::new(*handle, mode)).await
    }

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

    /// Transparent mode: bytes from the peer (0 once the connection dropped).
    pub async fn read_raw(
        &mut self,
        handle: &SocketHandle,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        self.run(&mut ops::RawRead::new(*handle, buf)).await
    }

    /// Transparent mode: bytes to the peer.
    pub async fn write_raw(&mut self, handle: &SocketHandle, data: &[u8]) -> Result<usize, Error> {
        self.run(&mut ops::RawWrite::new(*handle, data)).await
    }

    /// Run the note's §4 checklist for an open.
    pub async fn diagnose(
        &mut self,
        pdp: PdpContextId,
        ssl: SslContextId,
    ) -> Result<ops::Diagnosis, Error> {
        self.run(&mut ops::Diagnose::new(pdp, ssl)).await
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
