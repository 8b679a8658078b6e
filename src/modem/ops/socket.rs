//! Socket operations: open, close, switch access mode.

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use crate::command::ssl_socket::{
    AccessMode, CloseSslSocket, GetLastError, OpenSslSocket, SwitchAccessMode,
};
use crate::error::{Error, SslErrorCode};
use crate::modem::core::{Core, Kind};
use crate::state::{CloseCause, SocketHandle};
use crate::types::ClientId;

/// The network part of an open's maximum time (150 s, plus the context's
/// `negotiatetime`).
const OPEN_NETWORK_MS: u32 = 150_000;

/// The error for an `ERROR` answer on `client`: its state says why.
pub(super) fn refused<const L: usize>(core: &Core<'_, L>, client: ClientId) -> Error {
    let socket = core.state.socket(client);
    match socket.cause {
        Some(CloseCause::PdpLost) => Error::Ssl(SslErrorCode::PdpContextBrokenDown),
        Some(CloseCause::Peer) => Error::Closed,
        None => Error::Rejected,
    }
}

/// Open a socket; done when the connection is up, or refused.
///
/// Buffer and direct-push modes wait for the `+QSSLOPEN` URC, transparent
/// mode for `CONNECT`, up to 150 s plus the context's `negotiatetime`. A
/// refused open reports the module's code ([`Error::Ssl`], from the URC or
/// `AT+QIGETERROR`); an open that fails or times out is closed with
/// `AT+QSSLCLOSE`, as the note says.
pub struct Open<'a, 'r> {
    cmd: OpenSslSocket<'a>,
    ring: Option<&'r mut [u8]>,
    phase: OpenPhase<'a>,
    /// An open that is closed at once, before any data (a diagnosis's
    /// probe): it needs no receive buffer.
    probe: bool,
}

enum OpenPhase<'a> {
    Start,
    Answer(Exchange<OpenSslSocket<'a>>, SocketHandle),
    WaitUrc(SocketHandle, u64),
    LastError(Exchange<GetLastError>),
    Cleanup(Exchange<CloseSslSocket>, Error),
}

impl<'a, 'r> Open<'a, 'r> {
    /// Open with `cmd`. Received bytes wait in `rx_buffer` until read; it
    /// must hold at least
    /// [`AccessMode::min_receive_buffer`](crate::command::ssl_socket::AccessMode::min_receive_buffer)
    /// bytes (1500 for direct push, 64 for transparent mode, 1 for buffer
    /// mode, which reads in pieces of its size), or the open fails with
    /// [`ParamError::BufferTooSmall`](crate::error::ParamError::BufferTooSmall)
    /// before anything is written.
    pub fn new(cmd: OpenSslSocket<'a>, rx_buffer: &'r mut [u8]) -> Self {
        Self {
            cmd,
            ring: Some(rx_buffer),
            phase: OpenPhase::Start,
            probe: false,
        }
    }

    /// An open to be closed at once, before any data is read or written
    /// (see [`ExplainOpenFailure`](super::ExplainOpenFailure)): no receive
    /// buffer.
    pub(crate) fn probe(cmd: OpenSslSocket<'a>) -> Self {
        Self {
            cmd,
            ring: Some(&mut []),
            phase: OpenPhase::Start,
            probe: true,
        }
    }

    fn fail<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        error: Error,
    ) -> Poll<Result<SocketHandle, Error>> {
        core.state.closed(self.cmd.client);
        core.detach(self.cmd.client);
        Poll::Ready(Err(error))
    }
}

impl Sealed for Open<'_, '_> {}

impl<'r> Op<'r> for Open<'_, 'r> {
    type Output = SocketHandle;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<SocketHandle, Error>> {
        let client = self.cmd.client;
        let full_ms = OPEN_NETWORK_MS
            + u32::from(core.negotiate_time(self.cmd.ssl_context)).saturating_mul(1000);
        loop {
            match &mut self.phase {
                OpenPhase::Start => {
                    let min = self.cmd.mode.min_receive_buffer();
                    if !self.probe && self.ring.as_ref().is_some_and(|ring| ring.len() < min) {
                        return Poll::Ready(Err(Error::param(
                            "receive buffer",
                            crate::error::ParamError::BufferTooSmall(min),
                        )));
                    }
                    // Not during a resync either: it would find the socket
                    // Opening here and missing in the module, and close it.
                    if core.busy() || core.resync_needed() {
                        core.poll_idle(now);
                        return Poll::Pending;
                    }
                    let handle = match core.state.begin_open(
                        client,
                        self.cmd.pdp_context,
                        self.cmd.ssl_context,
                        self.cmd.mode,
                    ) {
                        Ok(handle) => handle,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    if let Some(ring) = self.ring.take() {
                        core.attach(client, self.cmd.ssl_context, ring);
                    }
                    // Transparent mode answers after the handshake, the
                    // others at once.
                    let (kind, answer_ms) = if self.cmd.mode == AccessMode::Transparent {
                        (Kind::Transparent(client), full_ms)
                    } else {
                        (Kind::Plain, OPEN_NETWORK_MS)
                    };
                    self.phase =
                        OpenPhase::Answer(Exchange::with(self.cmd, kind, Some(answer_ms)), handle);
                }
                OpenPhase::Answer(exchange, handle) => {
                    let handle = *handle;
                    match ready!(exchange.poll(core, now)) {
                        // Transparent: the core put the port in transparent mode.
                        Ok(_) if self.cmd.mode == AccessMode::Transparent => {
                            return Poll::Ready(Ok(handle))
                        }
                        Ok(_) => {
                            self.phase =
                                OpenPhase::WaitUrc(handle, now.saturating_add(u64::from(full_ms)))
                        }
                        Err(Error::Rejected) => {
                            self.phase = OpenPhase::LastError(Exchange::new(GetLastError))
                        }
                        Err(Error::ModuleReset) => return Poll::Ready(Err(Error::ModuleReset)),
                        Err(e) => {
                            self.phase = OpenPhase::Cleanup(
                                Exchange::new(CloseSslSocket::new(client, None)),
                                e,
                            )
                        }
                    }
                }
                OpenPhase::WaitUrc(handle, deadline) => {
                    let (handle, deadline) = (*handle, *deadline);
                    core.poll_idle(now);
                    if core.state.check_handle(&handle) == Err(Error::ModuleReset) {
                        return Poll::Ready(Err(Error::ModuleReset));
                    }
                    let error = match core.state.socket(client).last_open() {
                        Some(SslErrorCode::Success) => return Poll::Ready(Ok(handle)),
                        Some(code) => Error::Ssl(code),
                        None if now >= deadline => Error::Timeout,
                        None => {
                            core.wake_at(deadline);
                            return Poll::Pending;
                        }
                    };
                    self.phase =
                        OpenPhase::Cleanup(Exchange::new(CloseSslSocket::new(client, None)), error);
                }
                OpenPhase::LastError(exchange) => {
                    let error = match ready!(exchange.poll(core, now)) {
                        Ok(last) if !last.code.is_success() => Error::Ssl(last.code),
                        _ => Error::Rejected,
                    };
                    return self.fail(core, error);
                }
                OpenPhase::Cleanup(exchange, error) => {
                    let error = error.clone();
                    // The close's own result does not change the answer.
                    let _ = ready!(exchange.poll(core, now));
                    return self.fail(core, error);
                }
            }
        }
    }
}

/// Close a socket with `AT+QSSLCLOSE` (also one the peer closed). Closing a
/// handle whose socket is already gone does nothing.
///
/// The module lingers up to `timeout` for unsent data to go out: seconds,
/// or milliseconds when the socket's SSL context has `closetimemode` 1
/// (set with [`SslConfig::close_time_mode`](super::SslConfig)); the engine
/// waits as long, plus a second.
pub struct Close {
    handle: SocketHandle,
    timeout: Option<u16>,
    exchange: Option<Exchange<CloseSslSocket>>,
}

impl Close {
    /// Close `handle`, waiting at most `timeout` (module default: 10, in
    /// the context's `closetimemode` unit).
    pub fn new(handle: SocketHandle, timeout: Option<u16>) -> Self {
        Self {
            handle,
            timeout,
            exchange: None,
        }
    }
}

impl Sealed for Close {}

impl<'r> Op<'r> for Close {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        let client = self.handle.client();
        if self.exchange.is_none() {
            let ctx = match core.state.check_handle(&self.handle) {
                Ok(socket) => socket.ssl,
                Err(Error::StaleHandle | Error::ModuleReset) => return Poll::Ready(Ok(())),
                Err(e) => return Poll::Ready(Err(e)),
            };
            let linger = u32::from(self.timeout.unwrap_or(10));
            let linger_ms = if core.close_in_ms(ctx) {
                linger
            } else {
                linger.saturating_mul(1000)
            };
            let cmd = CloseSslSocket::new(client, self.timeout);
            self.exchange = Some(Exchange::with(
                cmd,
                Kind::Plain,
                Some(linger_ms.saturating_add(1000)),
            ));
        }
        let Some(exchange) = self.exchange.as_mut() else {
            return Poll::Ready(Err(Error::Busy));
        };
        ready!(exchange.poll(core, now))?;
        core.state.closed(client);
        core.detach(client);
        Poll::Ready(Ok(()))
    }
}

/// Switch a connection between buffer and direct-push access mode with
/// `AT+QISWTMD` (for transparent mode use [`Resume`](super::Resume)).
pub struct SwitchMode {
    handle: SocketHandle,
    exchange: Option<Exchange<SwitchAccessMode>>,
    mode: AccessMode,
}

impl SwitchMode {
    /// Switch `handle` to `mode` (buffer or direct push).
    pub fn new(handle: SocketHandle, mode: AccessMode) -> Self {
        Self {
            handle,
            exchange: None,
            mode,
        }
    }
}

impl Sealed for SwitchMode {}

impl<'r> Op<'r> for SwitchMode {
    type Output = ();

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<(), Error>> {
        let client = self.handle.client();
        if self.exchange.is_none() {
            if self.mode == AccessMode::Transparent {
                return Poll::Ready(Err(Error::param(
                    "access_mode",
                    crate::error::ParamError::OutOfRange,
                )));
            }
            if let Err(e) = core.state.check_send(&self.handle) {
                return Poll::Ready(Err(e));
            }
            self.exchange = Some(Exchange::new(SwitchAccessMode {
                client,
                mode: self.mode,
            }));
        }
        let Some(exchange) = self.exchange.as_mut() else {
            return Poll::Ready(Err(Error::Busy));
        };
        ready!(exchange.poll(core, now))?;
        core.state.mode_switched(client, self.mode);
        Poll::Ready(Ok(()))
    }
}
