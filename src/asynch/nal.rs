//! `embedded-nal-async` on the stack (feature `nal`): [`TcpConnect`] and
//! [`Dns`], so clients written against those traits (`reqwless`,
//! `rust-mqtt` over a connection they are given) run over the module's
//! TLS unchanged.
//!
//! # Names, not addresses
//!
//! The module does TLS: it needs the server's *name*, to send it as SNI
//! and to check the certificate against it. A `SocketAddr` carries none.
//! So [`TcpConnect::connect`] opens with the name last resolved to that
//! address through this stack's [`Dns`] (as a client like `reqwless` does
//! right before it connects), or one given with
//! [`Stack::remember_name`]; with neither, it opens with the address as
//! text (then the server's certificate must name the address). To give
//! the name yourself, connect by name: [`Stack::connect`].
//!
//! # Buffers
//!
//! A connection opened through [`TcpConnect`] takes its receive buffer
//! from the stack's pool ([`Stack::lend_buffer`]); the buffer goes back to
//! the pool when the connection is closed or dropped. With the pool empty
//! a connect waits while a pooled connection is being closed, else fails
//! with [`Error::SocketInUse`].

use core::future::poll_fn;
use core::net::{IpAddr, SocketAddr};
use core::task::Poll;

use embedded_nal_async::{AddrType, Dns, TcpConnect};

use super::socket::TlsSocket;
use super::stack::Stack;
use super::state::CONTROL;
use super::turn::run;
use crate::error::Error;
use crate::modem::ops;
use crate::types::HostName;

impl<'a> Stack<'a> {
    /// Lend a receive buffer to the pool that [`TcpConnect`] connections
    /// take theirs from (up to twelve).
    pub fn lend_buffer(&self, buffer: &'a mut [u8]) {
        let mut buffer = Some(buffer);
        self.engine.with(&mut |s, _| {
            if let Some(buffer) = buffer.take() {
                s.nal.lend(buffer);
            }
        });
    }

    /// Connect to `addr` as `name` (SNI, certificate check) from now on
    /// (see the [module docs](super) on names).
    pub fn remember_name(&self, name: &str, addr: IpAddr) {
        self.engine.with(&mut |s, _| s.nal.remember(addr, name));
    }

    /// `AT+QIDNSGIP` on the stack's PDP context: the addresses of `host`;
    /// the first is remembered as `host`'s for [`TcpConnect`].
    pub async fn resolve(&self, host: &str) -> Result<ops::Resolved, Error> {
        let name = HostName::new(host)?;
        let _lookup = self.engine.lookup_lock().lock().await;
        let _turn = self.engine.control_lock().lock().await;
        let mut op = ops::Resolve::new(self.options().pdp, name);
        let resolved = run(self.engine, CONTROL, &mut op).await?;
        for addr in resolved.addrs.iter().rev() {
            self.remember_name(host, *addr);
        }
        Ok(resolved)
    }
}

impl<'s> TcpConnect for Stack<'s> {
    type Error = Error;
    type Connection<'a>
        = TlsSocket<'s>
    where
        Self: 'a;

    /// Open a TLS connection to `remote`, named as the [module
    /// docs](super) say, with a buffer from the pool.
    async fn connect<'a>(&'a self, remote: SocketAddr) -> Result<TlsSocket<'s>, Error> {
        let mut name = None;
        self.engine
            .with(&mut |s, _| name = s.nal.name_of(remote.ip()));
        // A buffer of the pool; one comes back when a pooled connection
        // being closed is closed.
        let buffer = poll_fn(|cx| {
            let mut out = Poll::Ready(Err(Error::SocketInUse));
            self.engine.with(&mut |s, _| {
                out = match s.nal.take() {
                    Some(buffer) => Poll::Ready(Ok(buffer)),
                    None if s.closes_pending() => {
                        s.register_freed(cx.waker());
                        Poll::Pending
                    }
                    None => Poll::Ready(Err(Error::SocketInUse)),
                };
            });
            out
        })
        .await?;
        let text: heapless::String<{ HostName::MAX_LEN }> = match name {
            Some(name) => name,
            None => {
                let mut text = heapless::String::new();
                // An address is at most 39 bytes: it fits.
                let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{}", remote.ip()));
                text
            }
        };
        let socket = self.connect_pooled(&text, remote.port(), buffer).await?;
        Ok(socket)
    }
}

impl Dns for Stack<'_> {
    type Error = Error;

    /// Look `host` up with the module (`AT+QIDNSGIP`); the first address
    /// of the kind asked for. An address given as text is returned as is.
    async fn get_host_by_name(&self, host: &str, addr_type: AddrType) -> Result<IpAddr, Error> {
        if let Ok(addr) = host.parse::<IpAddr>() {
            return Ok(addr);
        }
        let resolved = self.resolve(host).await?;
        let found = resolved.addrs.iter().copied().find(|a| match addr_type {
            AddrType::IPv4 => a.is_ipv4(),
            AddrType::IPv6 => a.is_ipv6(),
            AddrType::Either => true,
        });
        let addr = found.ok_or(Error::Ssl(crate::SslErrorCode::DnsParseFailed))?;
        self.remember_name(host, addr);
        Ok(addr)
    }

    /// The name this stack resolved to `addr` (the module has no reverse
    /// lookup); [`Error::Rejected`] if none.
    async fn get_host_by_address(&self, addr: IpAddr, result: &mut [u8]) -> Result<usize, Error> {
        let mut name = None;
        self.engine.with(&mut |s, _| name = s.nal.name_of(addr));
        let name = name.ok_or(Error::Rejected)?;
        let out = result.get_mut(..name.len()).ok_or(Error::Overflow)?;
        out.copy_from_slice(name.as_bytes());
        Ok(name.len())
    }
}
