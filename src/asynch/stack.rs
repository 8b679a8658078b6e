//! Opening connections: the [`Stack`] hands out [`TlsSocket`]s, each on a
//! free socket id of the module's twelve.

use core::future::poll_fn;
use core::task::Poll;

use super::socket::TlsSocket;
use super::state::{Engine, Slot};
use super::turn::run;
use crate::command::ssl_socket::{AccessMode, OpenSslSocket};
use crate::error::Error;
use crate::modem::ops;
use crate::types::{ClientId, HostName, PdpContextId, SslContextId};

/// How [`Stack::connect`] opens a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConnectOptions {
    /// The PDP context (activate it first, with [`Control`](super::Control)).
    pub pdp: PdpContextId,
    /// The SSL context (configure it first).
    pub ssl: SslContextId,
    /// Buffer or direct-push mode (or transparent: then the port carries
    /// this connection alone, see [`TlsSocket::resume`]).
    pub mode: AccessMode,
}

impl Default for ConnectOptions {
    /// PDP context 1, SSL context 0, buffer mode.
    fn default() -> Self {
        Self {
            pdp: PdpContextId::MIN,
            ssl: SslContextId::MIN,
            mode: AccessMode::Buffer,
        }
    }
}

/// Opens connections; copy it into every task that needs one.
#[derive(Clone, Copy)]
pub struct Stack<'a> {
    pub(crate) engine: &'a dyn Engine<'a>,
    options: ConnectOptions,
}

/// Gives a socket id back if its open never finished (the future was
/// dropped): a connection the module may have made is closed.
struct Claim<'e, 'a> {
    engine: &'e dyn Engine<'a>,
    client: ClientId,
    done: bool,
}

impl Drop for Claim<'_, '_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let client = self.client;
        self.engine.with(&mut |s, _| {
            let bit = 1 << client.index();
            match s.core.state.handle(client) {
                Some(handle) => {
                    s.sockets.handles[client.index()] = Some(handle);
                    s.sockets.close_queued |= bit;
                    s.wake_runner();
                }
                None => s.sockets.taken &= !bit,
            }
        });
    }
}

impl<'a> Stack<'a> {
    pub(crate) fn new(engine: &'a dyn Engine<'a>) -> Self {
        Self {
            engine,
            options: ConnectOptions::default(),
        }
    }

    /// How [`connect`](Self::connect) opens connections.
    pub fn options(&self) -> ConnectOptions {
        self.options
    }

    /// The same stack, opening connections with `options`.
    pub fn with_options(self, options: ConnectOptions) -> Self {
        Self { options, ..self }
    }

    /// Connect to `host:port` over TLS on a free socket: the module does
    /// the TCP connection and the handshake, checking the server's
    /// certificate against `host` (and sending it as SNI) as the SSL
    /// context says. Received bytes wait in `rx_buffer` until read (see
    /// [`ops::Open::new`] for its least size per mode). With all twelve
    /// sockets taken it waits while one is being closed, else fails with
    /// [`Error::SocketInUse`].
    pub async fn connect(
        &self,
        host: &str,
        port: u16,
        rx_buffer: &'a mut [u8],
    ) -> Result<TlsSocket<'a>, Error> {
        let host = HostName::new(host)?;
        let mut claim = self.claim().await?;
        let o = self.options;
        let cmd = OpenSslSocket::new(o.pdp, o.ssl, claim.client, host, port, o.mode)?;
        let result = self.open_claimed(&mut claim, cmd, rx_buffer).await;
        result
    }

    /// [`connect`](Self::connect) with a buffer of the pool (it goes back
    /// there when the connection is closed or dropped).
    #[cfg(feature = "nal")]
    pub(crate) async fn connect_pooled(
        &self,
        host: &str,
        port: u16,
        rx_buffer: &'a mut [u8],
    ) -> Result<TlsSocket<'a>, Error> {
        let mut rx_buffer = Some(rx_buffer);
        let host = match HostName::new(host) {
            Ok(host) => host,
            Err(e) => {
                self.engine.with(&mut |s, _| {
                    if let Some(buffer) = rx_buffer.take() {
                        s.nal.lend(buffer);
                    }
                });
                return Err(e);
            }
        };
        let claim = self.claim().await;
        let Some(rx_buffer) = rx_buffer.take() else {
            return Err(Error::Busy);
        };
        let mut claim = match claim {
            Ok(claim) => claim,
            Err(e) => {
                let mut buffer = Some(rx_buffer);
                self.engine.with(&mut |s, _| {
                    if let Some(buffer) = buffer.take() {
                        s.nal.lend(buffer);
                    }
                });
                return Err(e);
            }
        };
        let client = claim.client;
        self.engine
            .with(&mut |s, _| s.nal.pooled |= 1 << client.index());
        let o = self.options;
        let cmd = OpenSslSocket::new(o.pdp, o.ssl, client, host, port, o.mode)?;
        self.open_claimed(&mut claim, cmd, rx_buffer).await
    }

    /// Open with a full `AT+QSSLOPEN` command; its socket id must be free.
    pub async fn open(
        &self,
        cmd: OpenSslSocket<'_>,
        rx_buffer: &'a mut [u8],
    ) -> Result<TlsSocket<'a>, Error> {
        let client = cmd.client;
        let mut taken = false;
        self.engine.with(&mut |s, _| {
            let bit = 1 << client.index();
            taken = s.sockets.taken & bit != 0;
            if !taken {
                s.sockets.taken |= bit;
            }
        });
        if taken {
            return Err(Error::SocketInUse);
        }
        let mut claim = Claim {
            engine: self.engine,
            client,
            done: false,
        };
        self.open_claimed(&mut claim, cmd, rx_buffer).await
    }

    /// Take a free socket id: waits while one is being closed;
    /// [`Error::SocketInUse`] if all twelve are open.
    async fn claim(&self) -> Result<Claim<'a, 'a>, Error> {
        let client = poll_fn(|cx| {
            let mut found = Poll::Ready(Err(Error::SocketInUse));
            self.engine.with(&mut |s, _| {
                let free = ClientId::all().find(|c| {
                    s.sockets.taken & (1 << c.index()) == 0 && s.core.state.handle(*c).is_none()
                });
                found = match free {
                    Some(c) => {
                        s.sockets.taken |= 1 << c.index();
                        Poll::Ready(Ok(c))
                    }
                    None if s.closes_pending() => {
                        s.register_freed(cx.waker());
                        Poll::Pending
                    }
                    None => Poll::Ready(Err(Error::SocketInUse)),
                };
            });
            found
        })
        .await?;
        Ok(Claim {
            engine: self.engine,
            client,
            done: false,
        })
    }

    async fn open_claimed(
        &self,
        claim: &mut Claim<'_, 'a>,
        cmd: OpenSslSocket<'_>,
        rx_buffer: &'a mut [u8],
    ) -> Result<TlsSocket<'a>, Error> {
        let client = claim.client;
        // The module looks one name up at a time: opens by name wait for
        // each other (an address needs no lookup).
        let by_name = cmd.host.as_str().parse::<core::net::IpAddr>().is_err();
        let _lookup = match by_name {
            true => Some(self.engine.lookup_lock().lock().await),
            false => None,
        };
        let mut op = ops::Open::new(cmd, rx_buffer);
        let result = run(self.engine, Slot::tx(client), &mut op).await;
        claim.done = true;
        match result {
            Ok(handle) => {
                self.engine.with(&mut |s, _| {
                    s.sockets.handles[client.index()] = Some(handle);
                    s.sockets.parts[client.index()] = 1;
                });
                Ok(TlsSocket::opened(self.engine, handle))
            }
            Err(e) => {
                self.engine.with(&mut |s, _| {
                    let _ = s.free_client(client);
                });
                Err(e)
            }
        }
    }
}
