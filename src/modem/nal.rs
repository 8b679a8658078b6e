//! `embedded-nal`'s blocking [`TcpClientStack`] on the blocking face
//! (feature `nal`), so clients written against it (`minimq`-style
//! super-loop clients) run over the module's TLS.
//!
//! [`NalModem`] borrows the [`Modem`] with a pool of receive buffers (one
//! per connection; back to the pool at close). `connect` blocks until the
//! TLS handshake is done; `send` until the module took the bytes;
//! `receive` never blocks (`WouldBlock` when nothing has arrived).
//!
//! The module needs the server's *name* (SNI, certificate check): a
//! `SocketAddr` carries none, so `connect` uses the name given for that
//! address with [`NalModem::remember_name`], else the address as text.

use core::net::{IpAddr, SocketAddr};

use embedded_io::{Read, ReadReady, Write};
use embedded_nal::{TcpClientStack, TcpError, TcpErrorKind};

use super::{ops, Modem, Timer};
use crate::command::ssl_socket::{AccessMode, OpenSslSocket};
use crate::error::Error;
use crate::state::SocketHandle;
use crate::types::{ClientId, HostName, PdpContextId, SslContextId};

impl TcpError for Error {
    fn kind(&self) -> TcpErrorKind {
        match self {
            Error::Closed | Error::NoCarrier | Error::NotConnected | Error::StaleHandle => {
                TcpErrorKind::PipeClosed
            }
            _ => TcpErrorKind::Other,
        }
    }
}

/// A connection of a [`NalModem`].
#[derive(Debug)]
pub struct NalSocket {
    client: ClientId,
    handle: Option<SocketHandle>,
}

/// The blocking face as an `embedded-nal` TCP client stack (see the
/// [module docs](self)).
pub struct NalModem<'m, 'r, P, T, const LINE: usize> {
    modem: &'m mut Modem<'r, P, T, LINE>,
    pool: heapless::Vec<&'r mut [u8], 12>,
    taken: u16,
    names: heapless::Vec<(IpAddr, heapless::String<{ HostName::MAX_LEN }>), 4>,
    pdp: PdpContextId,
    ssl: SslContextId,
    mode: AccessMode,
}

impl<'m, 'r, P, T, const LINE: usize> NalModem<'m, 'r, P, T, LINE> {
    /// The stack over `modem`, opening on PDP context `pdp` with SSL
    /// context `ssl` in `mode` (buffer or direct push).
    pub fn new(
        modem: &'m mut Modem<'r, P, T, LINE>,
        pdp: PdpContextId,
        ssl: SslContextId,
        mode: AccessMode,
    ) -> Self {
        Self {
            modem,
            pool: heapless::Vec::new(),
            taken: 0,
            names: heapless::Vec::new(),
            pdp,
            ssl,
            mode,
        }
    }

    /// Lend a receive buffer for a connection (up to twelve).
    pub fn lend_buffer(&mut self, buffer: &'r mut [u8]) {
        let _ = self.pool.push(buffer);
    }

    /// Open connections to `addr` as `name` (SNI, certificate check).
    pub fn remember_name(&mut self, name: &str, addr: IpAddr) {
        let Ok(name) = heapless::String::try_from(name) else {
            return;
        };
        self.names.retain(|(a, _)| *a != addr);
        if self.names.is_full() {
            self.names.remove(0);
        }
        let _ = self.names.push((addr, name));
    }

    /// The modem, for everything else.
    pub fn modem(&mut self) -> &mut Modem<'r, P, T, LINE> {
        self.modem
    }

    fn give_back(&mut self, client: ClientId) {
        self.taken &= !(1 << client.index());
        if let Some(buffer) = self.modem.core.take_released(client) {
            self.lend_buffer(buffer);
        }
    }
}

impl<P, T, const LINE: usize> TcpClientStack for NalModem<'_, '_, P, T, LINE>
where
    P: Read + Write + ReadReady,
    T: Timer,
{
    type TcpSocket = NalSocket;
    type Error = Error;

    fn socket(&mut self) -> Result<NalSocket, Error> {
        let taken = self.taken;
        let state = &self.modem.core.state;
        let client = ClientId::all()
            .find(|c| taken & (1 << c.index()) == 0 && state.handle(*c).is_none())
            .ok_or(Error::SocketInUse)?;
        self.taken |= 1 << client.index();
        Ok(NalSocket {
            client,
            handle: None,
        })
    }

    fn connect(&mut self, socket: &mut NalSocket, remote: SocketAddr) -> nb::Result<(), Error> {
        if socket.handle.is_some() {
            return Ok(());
        }
        let mut text = heapless::String::<{ HostName::MAX_LEN }>::new();
        match self.names.iter().find(|(a, _)| *a == remote.ip()) {
            Some((_, name)) => text = name.clone(),
            // An address is at most 39 bytes: it fits.
            None => {
                let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{}", remote.ip()));
            }
        }
        let host = HostName::new(&text)?;
        let cmd = OpenSslSocket::new(
            self.pdp,
            self.ssl,
            socket.client,
            host,
            remote.port(),
            self.mode,
        )?;
        let buffer = self.pool.pop().ok_or(Error::SocketInUse)?;
        match self.modem.open(cmd, buffer) {
            Ok(handle) => {
                socket.handle = Some(handle);
                Ok(())
            }
            Err(e) => {
                if let Some(buffer) = self.modem.core.take_released(socket.client) {
                    self.lend_buffer(buffer);
                }
                Err(nb::Error::Other(e))
            }
        }
    }

    fn send(&mut self, socket: &mut NalSocket, buffer: &[u8]) -> nb::Result<usize, Error> {
        let handle = socket.handle.ok_or(Error::NotConnected)?;
        Ok(self.modem.write(&handle, buffer)?)
    }

    fn receive(&mut self, socket: &mut NalSocket, buffer: &mut [u8]) -> nb::Result<usize, Error> {
        let handle = socket.handle.ok_or(Error::NotConnected)?;
        self.modem.poll_op(&mut ops::Receive::new(handle, buffer))
    }

    fn close(&mut self, socket: NalSocket) -> Result<(), Error> {
        let result = match socket.handle {
            Some(handle) => self.modem.close(&handle),
            None => Ok(()),
        };
        self.give_back(socket.client);
        result
    }
}
