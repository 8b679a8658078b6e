//! The session engine: owns the port, tracks every socket, and gives
//! sockets that behave like sockets.
//!
//! One core, three faces. Every operation is written once, as a resumable
//! [`Op`] over the engine's core (buffers, framing and bookkeeping, no
//! I/O: private to the crate); then
//!
//! - [`Modem::run`] and the named methods (`open`, `read`, ...) block until
//!   it is done (bare metal, no executor, no interrupts: the port is polled
//!   with `ReadReady`, idle time is spent in the timer's `DelayNs`);
//! - [`Modem::poll_op`] advances it as far as the bytes at hand allow and
//!   answers `nb::Error::WouldBlock` otherwise, for super-loops;
//! - `asynch::Modem` (feature `async`) awaits it on an `embedded-io-async`
//!   port.
//!
//! Time comes from a [`Timer`]: a millisecond [`Clock`] plus
//! `embedded_hal::delay::DelayNs`. Timeouts are the vendor's: 300 ms for most
//! commands, 150 s plus the context's `negotiatetime` for an open, the close
//! timeout for a close, 150 s for `AT+QIACT`, 40 s for `AT+QIDEACT`. They
//! count the module's silence as the engine saw it: bytes still arriving
//! (a slow line, URCs and pushes queued in front) hold a deadline off, up
//! to a minute of them, and time nobody polled is no silence (the answer
//! may wait unread); a 1,500-byte answer at 9,600 baud is no 300 ms timeout.
//!
//! URCs are handled whatever operation runs: data pushed for socket 7 while a
//! command for socket 2 is in flight lands in socket 7's receive buffer.
//! Received bytes wait in a buffer the caller lends at open time; the port's
//! bytes go straight into it during a payload, so the engine's own line
//! buffer stays small (`LINE`, 256 bytes by default).

mod core;
#[cfg(feature = "nal")]
#[cfg_attr(docsrs, doc(cfg(feature = "nal")))]
pub mod nal;
pub mod operations;
pub mod ops;
mod ring;
#[cfg(all(feature = "std", feature = "async"))]
mod std_sleep;
mod timer;

use ::core::task::Poll;

use embedded_io::{ErrorType, Read, ReadReady, Write};

pub(crate) use self::core::Core;
pub use self::core::Event;
use crate::error::Error;
use crate::state::SessionState;
operations::operation_imports!();
use ops::Op;
#[cfg(feature = "std")]
pub use timer::StdTimer;
pub use timer::{Clock, CountingTimer, Timer};

/// Knobs of the engine; [`Config::default`] suits a real module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// Idle wait between looks at the port (blocking face), in µs.
    pub poll_interval_us: u32,
    /// Pause before a send refused with `SEND FAIL` is tried again, in ms.
    pub send_retry_ms: u32,
    /// How long a write keeps retrying after `SEND FAIL`, in ms.
    pub send_timeout_ms: u32,
    /// The `+++` guard time, in ms (a module needs 1000).
    pub guard_ms: u32,
    /// Most bytes handed to the port per write, so reads go on between
    /// pieces of a long payload.
    pub write_chunk: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            poll_interval_us: 100,
            send_retry_ms: 100,
            send_timeout_ms: 30_000,
            guard_ms: ops::GUARD_TIME_MS,
            write_chunk: 256,
        }
    }
}

/// The default line buffer size of [`Modem`]: every line the target
/// modules send fits. The longest is the answer to a `psk` query with a
/// 255-byte identity and a 255-byte key (533 bytes); the test form of
/// `AT+QSSLCFG` lists the 31 cipher suites on one line (about 290 bytes
/// with the spaces some EG25-G builds print). A longer line is never lost
/// silently: the command in flight fails with [`Error::Overflow`] and the
/// engine resynchronises. A smaller `LINE` saves RAM where such answers are
/// never asked for. Payloads never pass through it when a socket's buffer
/// has room.
pub const DEFAULT_LINE_LEN: usize = 544;

/// The session engine over a blocking `embedded-io` port.
///
/// `'r` is the lifetime of the receive buffers lent to open sockets; `LINE`
/// is the line buffer size (see [`DEFAULT_LINE_LEN`]).
///
/// # Example
///
/// Bring the module up and talk TLS through one socket. On a board, `uart`
/// is the UART (`embedded_io` `Read + Write + ReadReady`), `timer` a
/// [`Timer`] and `rx` a `static` buffer; here they are the simulator's
/// port, `StdTimer` (feature `std`) and a local array, and the server is
/// the simulator's echo server, its CA already in the module's
/// `UFS:cacert.pem`.
///
/// ```
/// # use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
/// # let pki = TestPki::new();
/// # let options = EchoServerOptions::default().rsa().name("example.com");
/// # let server = EchoServer::start(&pki, options).expect("echo server");
/// # let local = std::net::Ipv4Addr::LOCALHOST;
/// # let config = quectel_sim::SimConfig::fast().dns("example.com", local.into())
/// #     .route((local, 443).into(), (local, server.port()).into());
/// # let (sim, uart) = quectel_sim::Simulator::start(config);
/// # sim.put_file("UFS:cacert.pem", pki.ca_pem().as_bytes()).expect("CA");
/// # let timer = quectel_ssl::modem::StdTimer::new();
/// use embedded_io::{Read, Write};
/// use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
/// use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
/// use quectel_ssl::*;
///
/// let mut rx = [0u8; 1024]; // received bytes wait here until read
/// let mut modem: Modem<'_, _, _> = Modem::new(uart, timer);
/// modem.init()?;
/// let pdp = PdpContextId::new(1)?;
/// modem.configure_pdp(ConfigurePdpContext {
///     context: pdp,
///     pdp_type: PdpType::Ipv4,
///     apn: Apn::new("internet")?,
///     username: UserName::new("")?,
///     password: Password::new("")?,
///     auth: AuthMethod::None,
/// })?;
/// modem.activate_pdp(pdp)?;
/// let ssl = SslContextId::new(1)?;
/// modem.configure_ssl(ssl, &SslConfig::with_ca(FileName::new("UFS:cacert.pem")?))?;
///
/// let host = HostName::new("example.com")?;
/// let open = OpenSslSocket::new(pdp, ssl, ClientId::new(0)?, host, 443, AccessMode::Buffer)?;
/// let sock = modem.open(open, &mut rx)?; // TCP connection and TLS handshake
/// modem.socket(&sock).write_all(b"ping")?;
/// let mut echo = [0u8; 4];
/// let mut got = 0;
/// while got < echo.len() {
///     got += modem.socket(&sock).read(&mut echo[got..])?;
/// }
/// assert_eq!(&echo, b"ping");
/// modem.close(&sock)?;
/// # Ok::<(), Error>(())
/// ```
pub struct Modem<'r, P, T, const LINE: usize = DEFAULT_LINE_LEN> {
    port: P,
    timer: T,
    core: Core<'r, LINE>,
    config: Config,
    /// The resync in progress, run before anything else (see
    /// [`ops::Resync`]).
    resync: Option<ops::Resync>,
}

fn io<E: embedded_io::Error>(e: E) -> Error {
    Error::Io(e.kind())
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

    /// The timer, mutably (to read the engine's clock).
    pub fn timer_mut(&mut self) -> &mut T {
        &mut self.timer
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

impl<'r, P, T, const LINE: usize> Modem<'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Clock,
{
    /// Advance `op` with the bytes at hand: `WouldBlock` if it needs more.
    /// Poll the same operation again until it is done (the nb face).
    ///
    /// Reads never block (the port's `ReadReady` is asked first); a write
    /// takes as long as the port needs to accept its bytes.
    ///
    /// # Example
    ///
    /// A super-loop brings the module up without blocking in the driver:
    /// one [`ops::Init`], polled until it is done, while the loop does its
    /// other work. Every operation of [`ops`] is polled the same way (a
    /// read is `ops::Receive::new(handle, &mut buf)`); the port and timer are
    /// as in the [`Modem`] example.
    ///
    /// ```
    /// # let (_sim, uart) = quectel_sim::Simulator::start(quectel_sim::SimConfig::fast());
    /// # let timer = quectel_ssl::modem::StdTimer::new();
    /// use quectel_ssl::modem::ops;
    /// use quectel_ssl::Modem;
    ///
    /// let mut modem: Modem<'_, _, _> = Modem::new(uart, timer);
    /// let mut init = ops::Init::new(); // one operation until it is done
    /// let report = loop {
    ///     match modem.poll_op(&mut init) {
    ///         Ok(report) => break report,
    ///         Err(nb::Error::WouldBlock) => { /* the loop's other work */ }
    ///         Err(nb::Error::Other(e)) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(report.swept_sockets, 0, "a fresh module has no socket open");
    /// # Ok::<(), quectel_ssl::Error>(())
    /// ```
    pub fn poll_op<O: Op<'r>>(&mut self, op: &mut O) -> nb::Result<O::Output, Error> {
        match self.step(op) {
            Ok(Some(output)) => Ok(output),
            Ok(None) => Err(nb::Error::WouldBlock),
            Err(e) => Err(nb::Error::Other(e)),
        }
    }

    /// Move bytes and poll `op` until it is done or nothing moves.
    fn step<O: Op<'r>>(&mut self, op: &mut O) -> Result<Option<O::Output>, Error> {
        loop {
            let now = self.timer.now_ms();
            if let Some(resync) = ops::Resync::due(&mut self.resync, &self.core) {
                if let Poll::Ready(result) = resync.poll(&mut self.core, now) {
                    self.resync = None;
                    result?;
                }
            }
            if let Poll::Ready(result) = op.poll(&mut self.core, now) {
                return result.map(Some);
            }
            if !self.move_bytes(op.payload())? {
                return Ok(None);
            }
        }
    }

    /// One round of I/O: write what the core has to send (`payload` is the
    /// current operation's), read what the port has. Returns whether any
    /// byte moved. Not generic over the operation, so there is one copy of
    /// it in flash, not one per operation.
    fn move_bytes(&mut self, payload: Option<(u32, &[u8])>) -> Result<bool, Error> {
        let mut moved = false;
        let tx = self.core.tx_bytes(payload);
        if !tx.is_empty() {
            let piece = &tx[..tx.len().min(self.config.write_chunk.max(1))];
            let n = self.port.write(piece).map_err(io)?;
            self.core.tx_done(n, self.timer.now_ms());
            moved = n > 0;
        } else if self.core.take_flush_request() {
            self.port.flush().map_err(io)?;
            self.core.flushed(self.timer.now_ms());
            moved = true;
        }
        if self.port.read_ready().map_err(io)? {
            let space = self.core.rx_space();
            if space.is_empty() {
                self.core.rx_blocked(self.timer.now_ms());
            } else {
                let n = self.port.read(space).map_err(io)?;
                self.core.rx_done(n, self.timer.now_ms());
                moved |= n > 0;
            }
        } else {
            self.core.rx_idle(self.timer.now_ms());
        }
        Ok(moved)
    }
}

/// One blocking method per entry of the operations list.
macro_rules! blocking_face {
    ($names:ident; $( $(#[$doc:meta])* $name:ident $([$($gen:tt)*])? ($($arg:ident: $ty:ty),*) -> $ret:ty
        = |$config:ident| $op:expr $(=> $map:expr)?; )*) => {
        $(
            $(#[$doc])*
            pub fn $name $(<$($gen)*>)? (&mut self, $($arg: $ty),*) -> Result<$ret, Error> {
                let $config = self.config;
                let mut op = $op;
                self.run(&mut op) $(.map($map))?
            }
        )*

        /// The operations this face has, by name (the list's, see
        /// [`operations`]).
        pub const $names: &'static [&'static str] = &[$(stringify!($name)),*];
    };
}

impl<'r, P, T, const LINE: usize> Modem<'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    /// Uploads go in one piece (no ACK mode).
    const UPLOAD_ACK: AckMode = AckMode::Off;

    /// Run `op` to completion (the blocking face).
    pub fn run<O: Op<'r>>(&mut self, op: &mut O) -> Result<O::Output, Error> {
        loop {
            if let Some(output) = self.step(op)? {
                return Ok(output);
            }
            self.timer.delay_us(self.config.poll_interval_us);
        }
    }

    crate::modem::operations::module_operations!(blocking_face);

    crate::modem::operations::socket_operations!(blocking_face);

    /// Return to transparent mode on `handle` (`ATO` / `AT+QISWTMD=<id>,2`).
    pub fn resume(
        &mut self,
        handle: &SocketHandle,
    ) -> Result<Transparent<'_, 'r, P, T, LINE>, Error> {
        self.run(&mut ops::Resume::new(*handle))?;
        self.transparent(handle)
    }

    /// The transparent connection on `handle`, while the port carries it.
    pub fn transparent(
        &mut self,
        handle: &SocketHandle,
    ) -> Result<Transparent<'_, 'r, P, T, LINE>, Error> {
        self.core.state.check_handle(handle)?;
        if self.core.transparent() != Some(handle.client()) {
            return Err(Error::NotConnected);
        }
        Ok(Transparent {
            modem: self,
            handle: *handle,
        })
    }

    /// The socket as an `embedded_io` reader and writer.
    pub fn socket(&mut self, handle: &SocketHandle) -> SocketIo<'_, 'r, P, T, LINE> {
        SocketIo {
            modem: self,
            handle: *handle,
        }
    }
}

/// A socket as `embedded_io::Read` + `Write`, borrowing the engine.
///
/// `write` sends at most 1460 bytes per call and never counts bytes the
/// module refused; `read` blocks until data arrives and returns 0 at the end
/// of the stream.
pub struct SocketIo<'m, 'r, P, T, const LINE: usize> {
    modem: &'m mut Modem<'r, P, T, LINE>,
    handle: SocketHandle,
}

impl<P, T, const LINE: usize> ErrorType for SocketIo<'_, '_, P, T, LINE> {
    type Error = Error;
}

impl<'r, P, T, const LINE: usize> Read for SocketIo<'_, 'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.modem.read(&self.handle, buf)
    }
}

impl<'r, P, T, const LINE: usize> Write for SocketIo<'_, 'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.modem.write(&self.handle, buf)
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// The port in transparent mode: bytes go to and come from the peer as they
/// are. It owns the engine until it leaves ([`escape`](Self::escape),
/// [`escape_with_dtr`](Self::escape_with_dtr)); no AT command can be sent
/// meanwhile.
pub struct Transparent<'m, 'r, P, T, const LINE: usize> {
    modem: &'m mut Modem<'r, P, T, LINE>,
    handle: SocketHandle,
}

impl<'r, P, T, const LINE: usize> Transparent<'_, 'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    /// Leave transparent mode with `+++` and its guard times. The connection
    /// stays open in buffer mode: read what arrived meanwhile with
    /// [`Modem::read`], come back with [`Modem::resume`].
    pub fn escape(self) -> Result<(), Error> {
        let guard = self.modem.config.guard_ms;
        self.modem.run(&mut ops::Escape::with_guard(guard))
    }

    /// Leave transparent mode by toggling DTR (needs `AT&D1`, see
    /// [`Modem::set_dtr_function`]).
    pub fn escape_with_dtr<D: embedded_hal::digital::OutputPin>(
        self,
        dtr: &mut D,
    ) -> Result<(), Error> {
        self.modem.run(&mut ops::DtrEscape::new(dtr))
    }

    /// The socket carried.
    pub fn handle(&self) -> SocketHandle {
        self.handle
    }
}

impl<P, T, const LINE: usize> ErrorType for Transparent<'_, '_, P, T, LINE> {
    type Error = Error;
}

impl<'r, P, T, const LINE: usize> Read for Transparent<'_, 'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    /// Bytes from the peer; 0 once the connection dropped (`NO CARRIER`).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.modem.run(&mut ops::RawRead::new(self.handle, buf))
    }
}

impl<'r, P, T, const LINE: usize> Write for Transparent<'_, 'r, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.modem.run(&mut ops::RawWrite::new(self.handle, buf))
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
