//! Cutting the line buffer into frames and handing each where it belongs:
//! the command in flight, a socket's receive buffer, or the bookkeeping of a
//! URC.

use super::quarantine::{quarantined, Doubt};
use super::urc::{apply_urc, log_urc, push_event};
use super::{Core, Event, Fed, InFlight, Kind, SocketData, Tx, ORPHAN_GRACE_MS};
use crate::digest::{Expect, FinalResult, Frame, PayloadSource};
use crate::error::SslErrorCode;
use crate::state::SessionState;
use crate::types::ClientId;
use crate::types::NegotiateTime;
use crate::urc::Urc;
use crate::wire::Fields;

impl<'r, const LINE: usize> Core<'r, LINE> {
    /// Cut and handle every complete frame in the line buffer. Frames of the
    /// command in flight go to `on_cmd` (or are dropped for an orphan) until
    /// it says the answer is complete; returns whether it did.
    ///
    /// `on_cmd` is a trait object, not a generic: this loop is the largest
    /// function of the engine, and one copy of it per command type would
    /// cost an MCU's flash several times over.
    pub(super) fn pump(&mut self, now: u64, on_cmd: &mut dyn FnMut(&Frame<'_>) -> Fed) -> bool {
        let mut answer = false;
        while !answer {
            if self.framer.is_raw() {
                self.pump_raw();
                if self.framer.is_raw() {
                    break;
                }
            }
            let (frame, used) = self.framer.next(&self.line[..self.line_len]);
            let waiting = used == 0 && matches!(frame, Frame::Pending);
            if self.resync.quarantine {
                let doubt = match frame {
                    // A push announced before the quarantine (the resync's
                    // probe starts one on a stream still trusted; a doubt
                    // drops the sink) is framed to its end and checked as
                    // usual: its bytes were counted, not read as lines.
                    Frame::Payload { data, .. } if self.sink.is_some() => {
                        store_payload(
                            &self.state,
                            &mut self.socks,
                            &mut self.events,
                            self.sink,
                            data,
                        );
                        None
                    }
                    Frame::PayloadEnd { intact, .. } if self.sink.is_some() => {
                        check_payload(&mut self.socks, self.sink, intact)
                    }
                    _ => {
                        quarantined(&mut self.resync, &mut self.framer, &frame);
                        if !self.resync.quarantine {
                            // Pushes after the echo are read again: a
                            // socket that lost one in the quarantine must
                            // not deliver them as if nothing were missing.
                            self.fail_suspects();
                        }
                        None
                    }
                };
                self.consume(used);
                if let Some(why) = doubt {
                    self.doubt(why);
                }
                if waiting {
                    break;
                }
                continue;
            }
            let owner = self
                .in_flight
                .filter(|f| f.orphan_until.is_none())
                .is_some();
            let mut doubt = None;
            let mut frame = frame;
            // A read's `+QSSLRECV:` that is neither a payload nor the empty
            // answer lost its length on the line: the payload after it
            // would be read as lines. A doubt before the read sees it.
            if let Frame::Line(line) = frame {
                if self.broken_read_header(line) {
                    doubt = Some(Doubt::Malformed);
                    frame = Frame::Pending;
                }
            }
            // A line (or a URC the command may claim, as `+CPIN:` answers
            // `AT+CPIN?`) goes to the command in flight first; what it
            // declines is read as a URC.
            if let (true, Frame::Urc(line) | Frame::Line(line)) = (owner, frame) {
                if printable(line) {
                    let fed = on_cmd(&frame);
                    answer = fed == Fed::Done;
                    frame = match fed {
                        Fed::NotMine => Frame::Urc(line),
                        Fed::Taken | Fed::Done => {
                            mark_answered(&mut self.in_flight);
                            Frame::Pending
                        }
                    };
                }
            }
            match frame {
                Frame::Pending | Frame::Raw(_) => {}
                Frame::Echo(_) => {
                    if self.resync.echo_off {
                        doubt = Some(Doubt::Echo);
                    }
                }
                Frame::Discarded => doubt = Some(Doubt::Overlong),
                Frame::Malformed(line) => {
                    self.resync.suspects |= crate::urc::push_named(line);
                    doubt = Some(Doubt::Malformed);
                }
                Frame::Urc(line) => {
                    let urc = Urc::parse(line);
                    doubt = suspicious(line, &urc);
                    if doubt.is_some() {
                        self.resync.suspects |= crate::urc::push_named(line);
                    } else {
                        log_urc(&urc);
                        apply_urc(&mut self.state, &mut self.events, &mut self.dns, urc);
                        if urc.is_reboot() {
                            self.rebooted(now);
                        }
                    }
                }
                Frame::PayloadStart { source, len, .. } => {
                    if let PayloadSource::Push(client) = source {
                        trace!("URC: socket {}: {} bytes pushed", client.get(), len);
                    }
                    self.sink = match (source, self.in_flight) {
                        (PayloadSource::Push(client), _) => Some(client),
                        (PayloadSource::Read, Some(f)) => match f.kind {
                            Kind::Read(client) => Some(client),
                            _ => None,
                        },
                        (PayloadSource::Read, None) => None,
                    };
                    if source == PayloadSource::Read && self.sink.is_none() {
                        // A `+QSSLRECV` answer with no read to own it: the
                        // last read's, whose place a stray result code
                        // took. That socket's data is lost with it.
                        if let Some(client) = self.last_read {
                            self.desync(client);
                        }
                        doubt = Some(Doubt::Stray);
                    } else if owner && source == PayloadSource::Read {
                        mark_answered(&mut self.in_flight);
                        answer = on_cmd(&frame) == Fed::Done;
                    }
                }
                Frame::Payload { data, .. } => store_payload(
                    &self.state,
                    &mut self.socks,
                    &mut self.events,
                    self.sink,
                    data,
                ),
                Frame::PayloadEnd { source, intact } => {
                    doubt = check_payload(&mut self.socks, self.sink, intact);
                    if doubt.is_none() && owner && source == PayloadSource::Read {
                        answer = on_cmd(&frame) == Fed::Done;
                    }
                }
                Frame::Final(result) if self.in_flight.is_none() => {
                    // A late `CONNECT`: the module is transparent now.
                    let connect = result == FinalResult::Connect;
                    if self.unowned_result_is_stray() {
                        doubt = Some(Doubt::Stray);
                        self.resync.maybe_transparent |= connect;
                    }
                }
                Frame::Final(FinalResult::Connect)
                    if !matches!(self.in_flight.map(|f| f.kind), Some(Kind::Transparent(_)))
                        && !matches!(self.framer.expecting(), Expect::Upload { .. }) =>
                {
                    // `CONNECT` answers only a transparent open, `ATO`, a
                    // switch, or an upload (its data phase): this one is a
                    // given-up one's, late (the module is transparent now),
                    // or text; whether the command in flight is an orphan
                    // or not.
                    self.resync.maybe_transparent = true;
                    doubt = Some(Doubt::Stray);
                }
                Frame::Final(result) if owner && !self.final_fits(result) => {
                    doubt = Some(Doubt::Stray)
                }
                Frame::Line(line) if !printable(line) => {
                    self.resync.suspects |= crate::urc::push_named(line);
                    doubt = Some(Doubt::Binary);
                }
                Frame::Prompt if !owner => doubt = Some(Doubt::LatePrompt),
                Frame::Line(_) | Frame::Final(_) | Frame::Prompt | Frame::UploadAck => {
                    if owner {
                        if matches!(frame, Frame::Prompt) {
                            mark_answered(&mut self.in_flight);
                        }
                        answer = on_cmd(&frame) == Fed::Done;
                    }
                    if let Frame::Final(result) = frame {
                        if let (FinalResult::Connect, Some(f)) = (result, self.in_flight) {
                            if let Kind::Transparent(client) = f.kind {
                                self.state.open_result(client, SslErrorCode::Success);
                                self.state.entered_transparent(client);
                                self.plus_run = Default::default();
                                // No escape of an earlier session is pending.
                                self.watch_ok = false;
                                // The module's guard time before `+++` runs
                                // from its CONNECT, not from our command line.
                                self.last_tx_ms = self.last_tx_ms.max(now);
                            }
                        }
                        if !self.framer.in_flight() {
                            self.in_flight = None;
                        }
                    }
                }
            }
            self.consume(used);
            if let Some(why) = doubt {
                self.doubt(why);
                // What the command in flight gets now is its failure.
                answer = false;
                break;
            }
            if waiting {
                break;
            }
        }
        self.expire_orphan(now);
        answer
    }

    /// `line`, in a read's answer (one whose read gave up included: its
    /// data comes all the same), announces data with an unreadable length.
    fn broken_read_header(&self, line: &[u8]) -> bool {
        let reading = matches!(self.in_flight.map(|f| f.kind), Some(Kind::Read(_)));
        let empty = Fields::after(line, b"+QSSLRECV:").map(|mut f| f.u16() == Ok(0));
        reading && empty == Some(false)
    }

    /// Whether `result` can be the answer of the command in flight: a
    /// success of a read needs its `+QSSLRECV:` first, `SEND OK` /
    /// `SEND FAIL` answer only a send whose prompt came, `OK` never a
    /// command that answers `CONNECT`.
    fn final_fits(&self, result: FinalResult<'_>) -> bool {
        let Some(f) = self.in_flight else {
            return true;
        };
        match (f.kind, result) {
            (Kind::Send(..), FinalResult::SendOk | FinalResult::SendFail) => f.answered,
            (_, FinalResult::SendOk | FinalResult::SendFail) => false,
            (Kind::Read(_), FinalResult::Ok) => f.answered,
            // A transparent open, `ATO` or a switch to transparent mode is
            // answered `CONNECT` or an error, never `OK`.
            (Kind::Transparent(_), FinalResult::Ok) => false,
            _ => true,
        }
    }

    /// Drop an orphan whose answer never came. A payload still being counted
    /// then had a wrong length (a corrupted line): it is abandoned and its
    /// socket's stream marked broken, rather than swallowing what follows.
    pub(super) fn expire_orphan(&mut self, now: u64) {
        if let Some(f) = self.in_flight {
            // Like a deadline, the grace counts silence (seen by the
            // faces, see `flight::late`): an orphan whose answer is
            // still arriving, or waits unread in the port, is drained to
            // its end.
            let expired = f
                .orphan_until
                .is_some_and(|until| self.answer_overdue(now, until, ORPHAN_GRACE_MS));
            if expired && !self.tx_pending() {
                self.in_flight = None;
                if !self.framer.is_raw() {
                    self.framer.set_expect(Expect::Idle);
                }
                if self.framer.payload_remaining() > 0 {
                    // Its announced length was wrong (too long): the count
                    // swallowed what followed.
                    warn!("payload abandoned: its announced length was wrong");
                    self.doubt(Doubt::Trailer);
                }
            }
        }
    }

    pub(super) fn consume(&mut self, used: usize) {
        let used = used.min(self.line_len);
        self.line.copy_within(used..self.line_len, 0);
        self.line_len -= used;
    }

    /// The module rebooted: every socket, context and command is gone.
    ///
    /// The command in flight fails with `ModuleReset`. If any of its bytes
    /// were written it stays in flight as an orphan for a short grace: a
    /// `RDY` can be stale (left unread in the port, or in the MCU's receive
    /// ring, since before the command was written), and then the module got
    /// the command and answers it. That answer is drained rather than paired
    /// with the next command, which would leave every later answer one
    /// command behind. After a real reboot no answer comes, and the next
    /// command waits out the grace.
    pub(super) fn rebooted(&mut self, now: u64) {
        warn!("module rebooted");
        self.reset_token = self.in_flight.map(|f| f.token);
        // A fresh module: no doubt left about the old stream, echo on.
        self.resync = super::ResyncState {
            count: self.resync.count,
            ..Default::default()
        };
        self.framer.set_quarantine(false);
        self.state.rebooted();
        for client in crate::types::ClientId::all() {
            self.release(client);
            self.socks[client.index()] = SocketData::default();
        }
        self.framer.reset();
        self.sink = None;
        let written = !matches!(self.tx_state, Tx::Line { pos: 0, .. });
        self.in_flight = self.in_flight.filter(|_| written).map(|f| InFlight {
            // A send keeps its kind: its prompt may still come, and a
            // doubt before it must cancel it (ESC before the resync's
            // first line). Nothing else of a dead command is acted on.
            kind: match f.kind {
                Kind::Send(..) => f.kind,
                _ => Kind::Plain,
            },
            orphan_until: Some(now.saturating_add(ORPHAN_GRACE_MS)),
            ..f
        });
        if self.in_flight.is_some() {
            self.framer.set_expect(Expect::Response);
        }
        self.tx_state = Tx::Idle;
        self.held.clear();
        self.watch_ok = false;
        self.negotiate_s = [NegotiateTime::MAX.get(); 6];
        self.close_in_ms = 0;
        self.dtls = 0;
        self.event(Event::Rebooted);
    }
}

/// The command in flight got what must come before its success.
fn mark_answered(in_flight: &mut Option<InFlight>) {
    if let Some(f) = in_flight.as_mut() {
        f.answered = true;
    }
}

/// Module text is printable ASCII: a line with any other byte is binary
/// data read as text (a payload whose length was wrong).
fn printable(line: &[u8]) -> bool {
    line.iter().all(|&b| (0x20..=0x7E).contains(&b))
}

/// A URC line that is no URC the module prints: binary read as text, or a
/// line that names a push (`"recv"`) without being a well-formed one (its
/// announcement was corrupted: the data after it would be read as lines).
fn suspicious(line: &[u8], urc: &Urc<'_>) -> Option<Doubt> {
    if !printable(line) {
        return Some(Doubt::Binary);
    }
    // What only the module's own socket URCs say: a line that says it and
    // is no URC the engine knows is one of them, corrupted on the line (a
    // dropped byte); what it announced is lost, or its data would be read
    // as lines.
    const OURS: [&[u8]; 5] = [b"recv", b"closed", b"pdpdeact", b"QSSL", b"QIURC"];
    let ours = OURS.iter().any(|w| line.windows(w.len()).any(|x| x == *w));
    match urc {
        Urc::Unknown(_) if ours => Some(Doubt::Malformed),
        _ => None,
    }
}

/// Bytes of the payload being framed: its socket's (`sink`), unchecked,
/// unless its stream is broken. (Free of `Core`: the frame borrows the
/// core's line buffer.)
fn store_payload(
    state: &SessionState,
    socks: &mut [SocketData<'_>; 12],
    events: &mut heapless::Deque<Event, 8>,
    sink: Option<ClientId>,
    data: &[u8],
) {
    if let Some(client) = sink.filter(|c| !state.socket(*c).is_broken()) {
        let sock = &mut socks[client.index()];
        let stored = sock.store(data);
        sock.unchecked(stored);
        if stored < data.len() {
            sock.lost(data.len() - stored);
            push_event(events, Event::PushOverflow { client });
        }
    }
}

/// The payload being framed for `sink` ended, `intact` or not: its bytes
/// are readable, or the stream is in doubt.
fn check_payload(
    socks: &mut [SocketData<'_>; 12],
    sink: Option<ClientId>,
    intact: bool,
) -> Option<Doubt> {
    let sock = sink.map(|c| &mut socks[c.index()]);
    match sock {
        _ if !intact => Some(Doubt::Trailer),
        Some(sock) if sock.unchecked_hold_rdy() => Some(Doubt::RdyInPayload),
        Some(sock) => {
            sock.verified();
            None
        }
        None => None,
    }
}
