//! Moving data: one send ([`SendOnce`]), a send that treats `SEND FAIL` as
//! back-pressure ([`Transmit`], what a socket's `write` runs), and reads
//! from the module's buffer or the pushed data ([`Receive`]).
//!
//! Not `Read` / `Write` / `Send`: those would shadow `embedded_io`'s
//! traits and the `Send` marker in a glob import.

use core::task::{ready, Poll};

use super::op::{Exchange, Op, Sealed};
use super::socket::refused;
use crate::command::device::At;
use crate::command::ssl_socket::{AccessMode, ReadToBuffer, SendSslData, SslPayload};
use crate::error::{Error, SslErrorCode};
use crate::modem::core::{Core, Kind};
use crate::state::{CloseCause, SocketHandle};
use crate::types::{ReadLength, SendLength};

/// How long a read waits for the module's next output, which completes the
/// check of the last push (see [`Frame::PayloadEnd`](crate::Frame::PayloadEnd)),
/// before it provokes one with `AT`: pushed bytes are never handed over
/// before their check.
const PUSH_CHECK_QUIET_MS: u64 = 5;

/// How long the module may take to answer a send once it has the data: the
/// vendor says 300 ms; the margin covers a busy module.
const SEND_ANSWER_MS: u32 = 5_000;

/// Send one piece of 1..=1460 bytes with a fixed-length `AT+QSSLSEND`.
///
/// Done with the number of bytes the module took (`SEND OK`); `SEND FAIL`
/// gives [`Error::SendFailed`]: nothing was sent, try again later (or use
/// [`Transmit`], which does).
pub struct SendOnce<'d> {
    handle: SocketHandle,
    data: &'d [u8],
    phase: SendPhase<'d>,
    /// The variable-length form (`AT+QSSLSEND=<id>`, ended by Ctrl+Z), and
    /// whether the Ctrl+Z is on its way.
    text: Option<bool>,
}

enum SendPhase<'d> {
    Start,
    Prompt(Exchange<SendSslData>),
    Data(Exchange<SslPayload<'d>>),
}

/// Ends a variable-length send.
const CTRL_Z: &[u8] = &[SslPayload::CTRL_Z];

impl<'d> SendOnce<'d> {
    /// Send `data` (1..=1460 bytes) on `handle`.
    pub fn new(handle: SocketHandle, data: &'d [u8]) -> Self {
        Self {
            handle,
            data,
            phase: SendPhase::Start,
            text: None,
        }
    }

    /// Send `text` with the note's variable-length form: `AT+QSSLSEND=<id>`,
    /// the text at the prompt, then Ctrl+Z. At most 1460 bytes, none of
    /// them 0x1A (Ctrl+Z) or 0x1B (ESC): refused before anything is written
    /// ([`ParamError::NeedsFixedLength`](crate::ParamError::NeedsFixedLength));
    /// binary data takes [`SendOnce::new`].
    pub fn text(handle: SocketHandle, text: &'d [u8]) -> Self {
        Self {
            text: Some(false),
            ..Self::new(handle, text)
        }
    }
}

impl Sealed for SendOnce<'_> {}

impl<'r, 'd> Op<'r> for SendOnce<'d> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        let client = self.handle.client();
        loop {
            match &mut self.phase {
                SendPhase::Start => {
                    if self.text.is_some() {
                        if let Err(e) = SslPayload::variable(self.data) {
                            return Poll::Ready(Err(e));
                        }
                    }
                    let checked = core.state.check_send(&self.handle).and_then(|()| {
                        SendLength::new(u16::try_from(self.data.len()).unwrap_or(u16::MAX))
                    });
                    let length = match checked {
                        Ok(_) if core.state.socket(client).is_broken() => {
                            return Poll::Ready(Err(core.state.socket(client).broken_error()))
                        }
                        Ok(length) => length,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    let cmd = if self.text.is_some() {
                        SendSslData::variable(client)
                    } else {
                        SendSslData::fixed(client, length)
                    };
                    self.phase = SendPhase::Prompt(Exchange::with(
                        cmd,
                        Kind::Send(client, length.get()),
                        None,
                    ));
                }
                SendPhase::Prompt(exchange) => match ready!(exchange.poll(core, now)) {
                    Ok(_) => {
                        let Some(token) = exchange.token() else {
                            return Poll::Ready(Err(Error::Busy));
                        };
                        let payload = match self.text {
                            Some(_) => SslPayload::variable(self.data),
                            None => SslPayload::fixed(self.data),
                        };
                        let payload = match payload {
                            Ok(payload) => payload,
                            Err(e) => return Poll::Ready(Err(e)),
                        };
                        core.start_payload(token, self.data.len(), SEND_ANSWER_MS, now);
                        self.phase = SendPhase::Data(exchange.continue_with(payload));
                    }
                    Err(Error::Rejected) => return Poll::Ready(Err(refused(core, client))),
                    Err(e) => return Poll::Ready(Err(e)),
                },
                SendPhase::Data(exchange) => {
                    if self.text == Some(false) && !core.tx_pending() {
                        // The text is out: Ctrl+Z sends it.
                        if let Some(token) = exchange.token() {
                            core.start_payload(token, CTRL_Z.len(), SEND_ANSWER_MS, now);
                        }
                        self.text = Some(true);
                    }
                    return match ready!(exchange.poll(core, now)) {
                        Ok(_) => Poll::Ready(Ok(self.data.len())),
                        Err(Error::Rejected) => Poll::Ready(Err(refused(core, client))),
                        Err(e) => Poll::Ready(Err(e)),
                    };
                }
            }
        }
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        match &self.phase {
            SendPhase::Data(exchange) if self.text == Some(true) => {
                exchange.token().map(|t| (t, CTRL_Z))
            }
            SendPhase::Data(exchange) => exchange.token().map(|t| (t, self.data)),
            _ => None,
        }
    }
}

/// Read received bytes into the caller's buffer; done with at least one
/// byte, or 0 at the end of the stream (the peer closed and everything was
/// read).
///
/// Buffer mode reads the module's buffer with `AT+QSSLRECV` when a
/// `"recv"` notice said data is there (and keeps reading until the module
/// is empty); direct push takes what the URCs delivered. Pushed data that did
/// not fit the receive buffer is reported once as [`Error::PushOverflow`],
/// after the bytes before it.
pub struct Receive<'b> {
    handle: SocketHandle,
    buf: &'b mut [u8],
    /// One whole datagram per read (a DTLS socket).
    datagram: bool,
    recv: Option<(Exchange<ReadToBuffer>, usize)>,
    /// `AT`, written to make the module say something after a push whose
    /// check waits for its next output.
    check: Option<Exchange<At>>,
}

impl<'b> Receive<'b> {
    /// Read from `handle` into `buf`.
    pub fn new(handle: SocketHandle, buf: &'b mut [u8]) -> Self {
        Self {
            handle,
            buf,
            datagram: false,
            recv: None,
            check: None,
        }
    }

    /// Read one datagram of a DTLS socket into `buf`: done with its length
    /// (what does not fit `buf` is dropped, as a UDP socket's receive does),
    /// or 0 at the end. Boundaries are those the module delivered: one
    /// `+QSSLRECV` payload or one push is one datagram.
    pub fn datagram(handle: SocketHandle, buf: &'b mut [u8]) -> Self {
        Self {
            datagram: true,
            ..Self::new(handle, buf)
        }
    }
}

impl Sealed for Receive<'_> {}

impl<'r> Op<'r> for Receive<'_> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        let client = self.handle.client();
        loop {
            if let Some(exchange) = &mut self.check {
                // Its answer (or anything else the module says first)
                // completed the check; what it answered does not matter.
                let _ = ready!(exchange.poll(core, now));
                self.check = None;
                continue;
            }
            if let Some((exchange, before)) = &mut self.recv {
                let before = *before;
                let result = ready!(exchange.poll(core, now));
                self.recv = None;
                match result {
                    Ok(_) => {
                        // Only `+QSSLRECV: 0` says the module is empty: data
                        // can land between a short read and its notice being
                        // re-armed, so a short read is read after (as the
                        // note's chapter 3 does).
                        let got = core.socks[client.index()].stored().saturating_sub(before);
                        if got == 0 {
                            core.state.set_module_may_hold_data(client, false);
                        }
                    }
                    Err(Error::Rejected) => {
                        core.state.set_module_may_hold_data(client, false);
                        return Poll::Ready(Err(refused(core, client)));
                    }
                    Err(Error::Desynchronized | Error::Overflow)
                        if !core.state.socket(client).is_broken() =>
                    {
                        // The answer's end was lost after its payload came
                        // and passed its check: keep the data, and read
                        // again (the module may hold more).
                        core.state.set_module_may_hold_data(client, true);
                        let got = core.socks[client.index()].stored().saturating_sub(before);
                        if got > 0 {
                            continue;
                        }
                    }
                    Err(
                        e @ (Error::UnexpectedResponse
                        | Error::Overflow
                        | Error::Timeout
                        | Error::Desynchronized),
                    ) => {
                        // The answer was framed wrongly (a corrupted length)
                        // or cut short: what this read stored can't be
                        // trusted, nor what follows on this socket.
                        core.socks[client.index()].drop_read(before);
                        core.state.stream_broken(client, false);
                        return Poll::Ready(Err(e));
                    }
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            // A read of this socket left in flight by a dropped operation:
            // take it over rather than wait for its deadline.
            if let Some(token) = core.read_in_flight(client) {
                let before = core.socks[client.index()].stored();
                let cmd = ReadToBuffer {
                    client,
                    length: ReadLength::MAX,
                };
                self.recv = Some((Exchange::adopt(cmd, Kind::Read(client), token), before));
                continue;
            }
            core.poll_idle(now);
            let socket = match core.state.check_read(&self.handle) {
                Ok(socket) => *socket,
                Err(e) => return Poll::Ready(Err(e)),
            };
            let quiet_ms = now.saturating_sub(core.last_rx_ms());
            let check_waits = core.push_check_waits(client);
            let data = &mut core.socks[client.index()];
            if self.buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if self.datagram {
                if let Some((n, _)) = data.pop_datagram(self.buf) {
                    return Poll::Ready(Ok(n));
                }
            } else if data.available() > 0 {
                return Poll::Ready(Ok(data.pop_stream(self.buf)));
            }
            if socket.is_broken() {
                return Poll::Ready(Err(socket.broken_error()));
            }
            if let Some(lost) = data.take_loss() {
                return Poll::Ready(Err(Error::PushOverflow(lost)));
            }
            if check_waits {
                if quiet_ms < PUSH_CHECK_QUIET_MS {
                    core.wake_at(now.saturating_add(PUSH_CHECK_QUIET_MS - quiet_ms));
                    return Poll::Pending;
                }
                // The last push is checked by the CR LF the module's next
                // output starts with: make it say something.
                self.check = Some(Exchange::new(At));
                continue;
            }
            if socket.module_may_hold_data() && socket.mode == AccessMode::Buffer {
                if core.busy() {
                    // Another command first (a read given up, whose late
                    // answer still fills this buffer): this one is sized
                    // by the room left after it.
                    return Poll::Pending;
                }
                let data = &core.socks[client.index()];
                let room = data.free().min(ReadLength::MAX_BYTES);
                let Ok(length) = ReadLength::new(room as u16) else {
                    return Poll::Ready(Err(Error::Overflow));
                };
                let before = data.stored();
                self.recv = Some((
                    Exchange::with(ReadToBuffer { client, length }, Kind::Read(client), None),
                    before,
                ));
                continue;
            }
            return match socket.cause {
                Some(CloseCause::Peer) => Poll::Ready(Ok(0)),
                Some(CloseCause::PdpLost) => {
                    Poll::Ready(Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown)))
                }
                None => Poll::Pending,
            };
        }
    }
}

/// Transmit up to 1460 bytes (one fixed-length send, what a socket's
/// `write` runs); `SEND FAIL` is back-pressure: the send is retried every
/// `retry_ms` (the operation stays pending, the nb face says `WouldBlock`)
/// until `timeout_ms` has passed, then [`Error::SendFailed`]. Done with the
/// number of bytes the module took: never more than it accepted.
pub struct Transmit<'d> {
    send: SendOnce<'d>,
    /// Why the write is refused before anything is sent (a datagram that
    /// does not fit one send).
    refused: Option<Error>,
    retry_ms: u32,
    timeout_ms: u32,
    first_try: Option<u64>,
    retry_at: Option<u64>,
}

impl<'d> Transmit<'d> {
    /// Write the first 1460 bytes at most of `data` (none if it is empty).
    pub fn new(handle: SocketHandle, data: &'d [u8], retry_ms: u32, timeout_ms: u32) -> Self {
        let data = &data[..data.len().min(SendLength::MAX_BYTES)];
        Self {
            send: SendOnce::new(handle, data),
            refused: None,
            retry_ms,
            timeout_ms,
            first_try: None,
            retry_at: None,
        }
    }

    /// Write all of `data` as one datagram (a DTLS socket): 1..=1460 bytes,
    /// else [`Error::InvalidParameter`] before anything is written.
    pub fn datagram(handle: SocketHandle, data: &'d [u8], retry_ms: u32, timeout_ms: u32) -> Self {
        let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
        let refused = SendLength::new(len).err();
        Self {
            refused,
            ..Self::new(handle, data, retry_ms, timeout_ms)
        }
    }
}

impl Sealed for Transmit<'_> {}

impl<'r> Op<'r> for Transmit<'_> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        if let Some(e) = self.refused.take() {
            return Poll::Ready(Err(e));
        }
        if self.send.data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let first = *self.first_try.get_or_insert(now);
        if let Some(at) = self.retry_at {
            core.poll_idle(now);
            if now < at {
                core.wake_at(at);
                return Poll::Pending;
            }
            self.retry_at = None;
        }
        match ready!(self.send.poll(core, now)) {
            Err(Error::SendFailed) if now.saturating_sub(first) < u64::from(self.timeout_ms) => {
                debug!("SEND FAIL: retrying in {} ms", self.retry_ms);
                self.send = SendOnce::new(self.send.handle, self.send.data);
                let at = now.saturating_add(u64::from(self.retry_ms));
                self.retry_at = Some(at);
                core.wake_at(at);
                Poll::Pending
            }
            result => Poll::Ready(result),
        }
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        self.send.payload()
    }
}
