//! Moving data: one send, a write that treats `SEND FAIL` as back-pressure,
//! and reads from the module's buffer or the pushed data.

use core::task::Poll;

use super::socket::refused;
use super::{settle, Exchange, Op};
use crate::command::decode::Fields;
use crate::command::device::At;
use crate::command::ssl_socket::{AccessMode, SendSslData, SslPayload};
use crate::command::{AtCommand, Encoder};
use crate::error::{Error, SslErrorCode};
use crate::modem::core::{Core, Kind};
use crate::state::{CloseCause, SocketHandle};
use crate::types::{ClientId, ReadLength, SendLength};

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
/// gives [`Error::SendFailed`]: nothing was sent, try again later.
pub struct Send<'d> {
    handle: SocketHandle,
    data: &'d [u8],
    phase: SendPhase<'d>,
}

enum SendPhase<'d> {
    Start,
    Prompt(Exchange<SendSslData>),
    Data(Exchange<SslPayload<'d>>),
}

impl<'d> Send<'d> {
    /// Send `data` (1..=1460 bytes) on `handle`.
    pub fn new(handle: SocketHandle, data: &'d [u8]) -> Self {
        Self {
            handle,
            data,
            phase: SendPhase::Start,
        }
    }
}

impl<'r, 'd> Op<'r> for Send<'d> {
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
                    let checked = core.state.check_send(&self.handle).and_then(|()| {
                        SendLength::new(u16::try_from(self.data.len()).unwrap_or(u16::MAX))
                    });
                    let length = match checked {
                        Ok(_) if core.socks[client.index()].broken => {
                            return Poll::Ready(Err(core.socks[client.index()].broken_error()))
                        }
                        Ok(length) => length,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    self.phase = SendPhase::Prompt(Exchange::with(
                        SendSslData::fixed(client, length),
                        Kind::Send(client, length.get()),
                        None,
                    ));
                }
                SendPhase::Prompt(exchange) => match settle!(exchange.poll(core, now)) {
                    Ok(_) => {
                        let Some(token) = exchange.token() else {
                            return Poll::Ready(Err(Error::Busy));
                        };
                        let payload = match SslPayload::fixed(self.data) {
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
                    return match settle!(exchange.poll(core, now)) {
                        Ok(_) => Poll::Ready(Ok(self.data.len())),
                        Err(Error::Rejected) => Poll::Ready(Err(refused(core, client))),
                        Err(e) => Poll::Ready(Err(e)),
                    }
                }
            }
        }
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        match &self.phase {
            SendPhase::Data(exchange) => exchange.token().map(|t| (t, self.data)),
            _ => None,
        }
    }
}

/// `AT+QSSLRECV` into the socket's receive buffer: the core routes the
/// payload, so the answer itself carries nothing.
struct RecvToRing {
    client: ClientId,
    length: ReadLength,
}

impl AtCommand for RecvToRing {
    type Response = ();
    /// The `+QSSLRECV:` header came.
    type Partial = bool;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLRECV=")
            .uint(self.client.get().into())
            .comma()
            .uint(self.length.get().into());
    }
    /// Only `+QSSLRECV: 0` may come as a line: anything else inside this
    /// answer (`+QSSLRECV: ` with its length lost included) means its
    /// payload length was wrong (a corrupted line).
    fn line(&self, header: &mut bool, line: &[u8]) -> Result<(), Error> {
        let empty = Fields::after(line, b"+QSSLRECV:").is_some_and(|mut f| f.u16() == Ok(0));
        if empty {
            *header = true;
            Ok(())
        } else {
            Err(Error::UnexpectedResponse)
        }
    }
    fn payload(&self, header: &mut bool, _: &[u8]) -> Result<(), Error> {
        *header = true;
        Ok(())
    }
    /// An `OK` with no `+QSSLRECV:` before it answers something else (a
    /// stray result code): this read's answer is still to come.
    fn finish(&self, header: bool) -> Result<(), Error> {
        if header {
            Ok(())
        } else {
            Err(Error::Desynchronized)
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
pub struct Read<'b> {
    handle: SocketHandle,
    buf: &'b mut [u8],
    recv: Option<(Exchange<RecvToRing>, usize)>,
    /// `AT`, written to make the module say something after a push whose
    /// check waits for its next output.
    check: Option<Exchange<At>>,
}

impl<'b> Read<'b> {
    /// Read from `handle` into `buf`.
    pub fn new(handle: SocketHandle, buf: &'b mut [u8]) -> Self {
        Self {
            handle,
            buf,
            recv: None,
            check: None,
        }
    }
}

impl<'r> Op<'r> for Read<'_> {
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
                let _ = settle!(exchange.poll(core, now));
                self.check = None;
                continue;
            }
            if let Some((exchange, before)) = &mut self.recv {
                let before = *before;
                let result = settle!(exchange.poll(core, now));
                self.recv = None;
                match result {
                    Ok(_) => {
                        // Only `+QSSLRECV: 0` says the module is empty: data
                        // can land between a short read and its notice being
                        // re-armed, so a short read is read after (as the
                        // note's chapter 3 does).
                        let got = core.socks[client.index()].ring.len().saturating_sub(before);
                        if got == 0 {
                            core.socks[client.index()].pending = false;
                        }
                    }
                    Err(Error::Rejected) => {
                        core.socks[client.index()].pending = false;
                        return Poll::Ready(Err(refused(core, client)));
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
                        let data = &mut core.socks[client.index()];
                        data.ring.truncate(before);
                        data.broken = true;
                        return Poll::Ready(Err(e));
                    }
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            // A read of this socket left in flight by a dropped operation:
            // take it over rather than wait for its deadline.
            if let Some(token) = core.read_in_flight(client) {
                let before = core.socks[client.index()].ring.len();
                let cmd = RecvToRing {
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
            if data.available() > 0 {
                return Poll::Ready(Ok(data.pop(self.buf)));
            }
            if data.broken {
                return Poll::Ready(Err(data.broken_error()));
            }
            if let Some(lost) = data.take_loss() {
                return Poll::Ready(Err(Error::PushOverflow(lost)));
            }
            if check_waits {
                if quiet_ms < PUSH_CHECK_QUIET_MS {
                    return Poll::Pending;
                }
                // The last push is checked by the CR LF the module's next
                // output starts with: make it say something.
                self.check = Some(Exchange::new(At));
                continue;
            }
            if data.pending && socket.mode == AccessMode::Buffer {
                let room = data.ring.free().min(ReadLength::MAX_BYTES);
                let Ok(length) = ReadLength::new(room as u16) else {
                    return Poll::Ready(Err(Error::Overflow));
                };
                let before = data.ring.len();
                self.recv = Some((
                    Exchange::with(RecvToRing { client, length }, Kind::Read(client), None),
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

/// Write up to 1460 bytes (one fixed-length send); `SEND FAIL` is
/// back-pressure: the send is retried every `retry_ms` (the operation stays
/// pending, the nb face says `WouldBlock`) until `timeout_ms` has passed,
/// then [`Error::SendFailed`]. Done with the number of bytes the module took:
/// never more than it accepted.
pub struct Write<'d> {
    send: Send<'d>,
    retry_ms: u32,
    timeout_ms: u32,
    first_try: Option<u64>,
    retry_at: Option<u64>,
}

impl<'d> Write<'d> {
    /// Write the first 1460 bytes at most of `data` (none if it is empty).
    pub fn new(handle: SocketHandle, data: &'d [u8], retry_ms: u32, timeout_ms: u32) -> Self {
        let data = &data[..data.len().min(SendLength::MAX_BYTES)];
        Self {
            send: Send::new(handle, data),
            retry_ms,
            timeout_ms,
            first_try: None,
            retry_at: None,
        }
    }
}

impl<'r> Op<'r> for Write<'_> {
    type Output = usize;

    fn poll<const L: usize>(
        &mut self,
        core: &mut Core<'r, L>,
        now: u64,
    ) -> Poll<Result<usize, Error>> {
        if self.send.data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let first = *self.first_try.get_or_insert(now);
        if let Some(at) = self.retry_at {
            core.poll_idle(now);
            if now < at {
                return Poll::Pending;
            }
            self.retry_at = None;
        }
        match settle!(self.send.poll(core, now)) {
            Err(Error::SendFailed) if now.saturating_sub(first) < u64::from(self.timeout_ms) => {
                debug!("SEND FAIL: retrying in {} ms", self.retry_ms);
                self.send = Send::new(self.send.handle, self.send.data);
                self.retry_at = Some(now.saturating_add(u64::from(self.retry_ms)));
                Poll::Pending
            }
            result => Poll::Ready(result),
        }
    }

    fn payload(&self) -> Option<(u32, &[u8])> {
        self.send.payload()
    }
}
