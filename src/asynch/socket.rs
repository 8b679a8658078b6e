//! A TLS connection of the module as an object of its own: usable from any
//! task while other tasks use the other sockets, split into a reader and a
//! writer that two tasks can use at once.
//!
//! Reads and writes go through the same operations as on the blocking face
//! ([`ops::Receive`], [`ops::Transmit`], and in transparent mode [`ops::RawRead`],
//! [`ops::RawWrite`]), run in the calling task; the runner moves the bytes.
//!
//! # Dropping
//!
//! Dropping a socket (or the last of its two halves) never leaks the
//! module's connection: the runner closes it (`AT+QSSLCLOSE`) as soon as
//! the wire is free, and the socket id is free again once that is done.
//! Bytes not read yet are dropped; the receive buffer is not lent again.
//! [`TlsSocket::close`] closes at once and gives the buffer back.

use embedded_io_async::{ErrorType, Read, ReadReady, Write};

use super::state::{Engine, Payload, Shared, Slot};
use super::turn::run;
use crate::command::ssl_socket::{AccessMode, GetSslState, SocketStatus};
use crate::error::Error;
use crate::modem::ops;
use crate::state::{CloseCause, SocketHandle};
use crate::types::ClientId;

/// An open TLS connection: an `embedded_io_async` reader and writer, usable
/// from any task; [`split`](Self::split) gives a reader and a writer that
/// two tasks can own.
///
/// Dropping it (or the last of its two halves) never leaks the module's
/// connection: the runner closes it (`AT+QSSLCLOSE`) as soon as the wire is
/// free, and the socket id is free again once that is done. Bytes not read
/// yet are dropped, and the receive buffer is not lent again;
/// [`close`](Self::close) closes at once and gives the buffer back.
pub struct TlsSocket<'a> {
    io: SocketIo<'a>,
}

/// The read half of a [`TlsSocket`].
pub struct TlsReader<'a> {
    io: SocketIo<'a>,
}

/// The write half of a [`TlsSocket`].
pub struct TlsWriter<'a> {
    io: SocketIo<'a>,
}

/// What every socket object holds.
struct SocketIo<'a> {
    engine: &'a dyn Engine<'a>,
    handle: SocketHandle,
    /// Dropping it queues nothing (closed, split or reunited).
    done: bool,
}

impl<'a> SocketIo<'a> {
    fn client(&self) -> ClientId {
        self.handle.client()
    }

    fn with<R: Default>(&self, mut f: impl FnMut(&mut Shared<'a>, u64) -> R) -> R {
        let mut out = R::default();
        self.engine.with(&mut |s, now| out = f(s, now));
        out
    }

    /// The port carries this connection's bytes now.
    fn transparent(&self) -> bool {
        let client = self.client();
        self.with(|s, _| s.core.transparent() == Some(client))
    }

    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let slot = Slot::rx(self.client());
        loop {
            if self.transparent() {
                let n = run(self.engine, slot, &mut ops::RawRead::new(self.handle, buf)).await?;
                if n > 0 || buf.is_empty() || self.transparent() {
                    return Ok(n);
                }
                // The port left transparent mode: an escape (read on in
                // buffer mode) or the connection's end (which says 0).
                continue;
            }
            match run(self.engine, slot, &mut ops::Receive::new(self.handle, buf)).await {
                Err(Error::TransparentMode) if self.transparent() => continue,
                result => return result,
            }
        }
    }

    async fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        let slot = Slot::tx(self.client());
        if self.transparent() {
            let piece = &data[..data.len().min(Payload::MAX)];
            return run(
                self.engine,
                slot,
                &mut ops::RawWrite::new(self.handle, piece),
            )
            .await;
        }
        let (retry, timeout) = self.with(|s, _| (s.config.send_retry_ms, s.config.send_timeout_ms));
        let mut op = ops::Transmit::new(self.handle, data, retry, timeout);
        run(self.engine, slot, &mut op).await
    }

    fn read_ready(&mut self) -> Result<bool, Error> {
        let handle = self.handle;
        Ok(self.with(|s, _| {
            let data = &s.core.socks[handle.client().index()];
            let ended = s
                .core
                .state
                .check_handle(&handle)
                .map_or(true, |socket| socket.cause.is_some());
            let broken = s.core.state.socket(handle.client()).is_broken();
            data.available() > 0 || broken || data.dropped() > 0 || ended
        }))
    }

    /// One object for this connection fewer: the last one queues its close.
    fn drop_part(&mut self) {
        if core::mem::replace(&mut self.done, true) {
            return;
        }
        let client = self.client();
        self.engine.with(&mut |s, _| {
            let parts = &mut s.sockets.parts[client.index()];
            *parts = parts.saturating_sub(1);
            if *parts == 0 {
                s.sockets.close_queued |= 1 << client.index();
                s.wake_runner();
            }
        });
    }
}

impl<'a> TlsSocket<'a> {
    pub(crate) fn opened(engine: &'a dyn Engine<'a>, handle: SocketHandle) -> Self {
        Self {
            io: SocketIo {
                engine,
                handle,
                done: false,
            },
        }
    }

    /// The module's socket.
    pub fn handle(&self) -> SocketHandle {
        self.io.handle
    }

    /// Read received bytes: at least one, or 0 at the end of the stream.
    pub async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.io.read(buf).await
    }

    /// Write up to 1,460 bytes; returns how many the module took.
    pub async fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.io.write(data).await
    }

    /// `AT+QSSLCLOSE`: close the connection now and give the receive
    /// buffer back (to lend it to the next connection; one from the
    /// stack's pool goes back to the pool, and an empty slice is
    /// returned). Bytes not read are dropped. On an error the runner closes
    /// it later, as if dropped.
    pub async fn close(mut self) -> Result<&'a mut [u8], Error> {
        let client = self.io.client();
        let mut op = ops::Close::new(self.io.handle, None);
        let result = run(self.io.engine, Slot::tx(client), &mut op).await;
        if result.is_err() {
            return result.map(|()| &mut [][..]);
        }
        self.io.done = true;
        let mut buffer = None;
        self.io
            .engine
            .with(&mut |s, _| buffer = s.free_client(client));
        Ok(buffer.unwrap_or(&mut []))
    }

    /// A reader and a writer that two tasks can use at once. The
    /// connection closes when both are dropped, or
    /// [`reunite`](TlsReader::reunite) them.
    pub fn split(mut self) -> (TlsReader<'a>, TlsWriter<'a>) {
        self.io.done = true;
        let (engine, handle) = (self.io.engine, self.io.handle);
        engine.with(&mut |s, _| s.sockets.parts[handle.client().index()] = 2);
        let half = || SocketIo {
            engine,
            handle,
            done: false,
        };
        (TlsReader { io: half() }, TlsWriter { io: half() })
    }

    /// `AT+QSSLSTATE=<id>`: the module's view of this connection.
    pub async fn status(&mut self) -> Result<SocketStatus, Error> {
        let cmd = GetSslState {
            client: self.io.client(),
        };
        let slot = Slot::tx(self.io.client());
        run(self.io.engine, slot, &mut ops::Command::new(cmd)).await
    }

    /// `AT+QISWTMD`: switch to buffer or direct-push access mode.
    pub async fn switch_mode(&mut self, mode: AccessMode) -> Result<(), Error> {
        let slot = Slot::tx(self.io.client());
        let mut op = ops::SwitchMode::new(self.io.handle, mode);
        run(self.io.engine, slot, &mut op).await
    }

    /// Transparent mode: leave it with `+++` and its guard times (the
    /// connection goes on in buffer mode; the other sockets go on too).
    pub async fn escape(&mut self) -> Result<(), Error> {
        let slot = Slot::tx(self.io.client());
        let guard = self.io.with(|s, _| s.config.guard_ms);
        run(self.io.engine, slot, &mut ops::Escape::with_guard(guard)).await
    }

    /// Transparent mode: leave it by toggling DTR (after `AT&D1`).
    pub async fn escape_with_dtr<D: embedded_hal::digital::OutputPin>(
        &mut self,
        dtr: &mut D,
    ) -> Result<(), Error> {
        let slot = Slot::tx(self.io.client());
        run(self.io.engine, slot, &mut ops::DtrEscape::new(dtr)).await
    }

    /// Return to transparent mode (`ATO` / `AT+QISWTMD=<id>,2`): the port
    /// carries this connection alone until it leaves again.
    pub async fn resume(&mut self) -> Result<(), Error> {
        let slot = Slot::tx(self.io.client());
        run(self.io.engine, slot, &mut ops::Resume::new(self.io.handle)).await
    }

    /// Why the connection ended, if it did on its own.
    pub fn close_cause(&self) -> Option<CloseCause> {
        let handle = self.io.handle;
        self.io.with(|s, _| {
            s.core
                .state
                .check_handle(&handle)
                .ok()
                .and_then(|socket| socket.cause)
        })
    }
}

impl<'a> TlsReader<'a> {
    /// Read received bytes: at least one, or 0 at the end of the stream.
    pub async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.io.read(buf).await
    }

    /// The socket again, from its two halves (`None`: not the same one).
    pub fn reunite(mut self, mut writer: TlsWriter<'a>) -> Result<TlsSocket<'a>, Self> {
        if writer.io.handle != self.io.handle {
            return Err(self);
        }
        let (engine, handle) = (self.io.engine, self.io.handle);
        self.io.done = true;
        writer.io.done = true;
        engine.with(&mut |s, _| s.sockets.parts[handle.client().index()] = 1);
        Ok(TlsSocket::opened(engine, handle))
    }
}

impl TlsWriter<'_> {
    /// Write up to 1,460 bytes; returns how many the module took.
    pub async fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.io.write(data).await
    }
}

impl Drop for TlsSocket<'_> {
    fn drop(&mut self) {
        self.io.drop_part();
    }
}

impl Drop for TlsReader<'_> {
    fn drop(&mut self) {
        self.io.drop_part();
    }
}

impl Drop for TlsWriter<'_> {
    fn drop(&mut self) {
        self.io.drop_part();
    }
}

macro_rules! io_traits {
    (read $ty:ident) => {
        impl ErrorType for $ty<'_> {
            type Error = Error;
        }

        impl Read for $ty<'_> {
            async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
                self.io.read(buf).await
            }
        }

        impl ReadReady for $ty<'_> {
            /// `true` when a read returns at once: bytes are there, or the
            /// end of the stream, or an error.
            fn read_ready(&mut self) -> Result<bool, Error> {
                self.io.read_ready()
            }
        }
    };
    (write $ty:ident) => {
        impl Write for $ty<'_> {
            async fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
                self.io.write(data).await
            }

            /// Every byte written was taken by the module already.
            async fn flush(&mut self) -> Result<(), Error> {
                Ok(())
            }
        }
    };
}

io_traits!(read TlsSocket);
io_traits!(write TlsSocket);
io_traits!(read TlsReader);
impl ErrorType for TlsWriter<'_> {
    type Error = Error;
}
io_traits!(write TlsWriter);
