//! The module on the other end of the port: it reads the engine's command
//! lines and answers them as an EC2x does (echo, `> ` prompt, payloads,
//! `CONNECT`, the `+++` escape with its guard times), sends what the input
//! asks for on its own (pushes, data notices, closes, PDP loss, reboots),
//! and records in the [`Ledger`] the truth the engine is checked against.
//!
//! Outputs pass through the armed [`Fault`] first, then wait in a queue in
//! order, each for its time (answers come after the module's latency).

use std::collections::VecDeque;

use super::ledger::Ledger;
use super::output::{apply, Class, Fault, Output};

/// The module's `+++` guard time here (the engine is configured alike).
pub(crate) const GUARD_MS: u64 = 100;

/// A socket's state, as `AT+QSSLSTATE` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum St {
    Initial = 0,
    Opening = 1,
    Connected = 2,
    Closing = 4,
}

#[derive(Debug)]
pub(crate) struct Sock {
    pub st: St,
    /// Access mode: 0 buffer, 1 direct push, 2 transparent.
    pub mode: u8,
    /// Its connection in the ledger.
    pub gen: Option<usize>,
    /// Buffer mode: data waiting in the module.
    pub held: VecDeque<u8>,
}

/// A send's data phase: after the prompt, `owed` bytes are taken as data.
#[derive(Debug)]
pub(super) struct Prompt {
    pub client: u8,
    pub owed: usize,
    pub data: Vec<u8>,
}

/// The escape watch in transparent mode: a `+` after a guard time of
/// silence starts a candidate; two more `+` within a guard time complete
/// it; a guard time of silence after them makes it an escape.
#[derive(Debug, Default)]
pub(super) struct Plus {
    run: u8,
    first: u64,
    third: u64,
    /// Every `+` of the run came while a `RawWrite` was being polled: it is
    /// the user's data.
    by_user: bool,
}

pub(crate) struct Module {
    pub echo: bool,
    pub socks: [Sock; 12],
    pub pdp: bool,
    line: Vec<u8>,
    pub(super) prompt: Option<Prompt>,
    pub transparent: Option<u8>,
    pub(super) last_transparent: Option<u8>,
    pub(super) plus: Plus,
    /// Time of the last byte the engine wrote (or of `CONNECT`, if later).
    pub(super) quiet_since: u64,
    /// Outputs not yet on the line, each with its time.
    queue: VecDeque<(u64, Vec<u8>)>,
    /// Bytes on the line for the engine to read.
    pub ready: VecDeque<u8>,
    /// How long the module takes to answer, in ms.
    pub latency: u64,
    pub fault: Option<Fault>,
    pub ledger: Ledger,
    /// Outputs to send just before the next answer.
    deferred: Vec<Output>,
    /// A `RawWrite` is being polled: bytes written now are the user's data
    /// (the engine's own `+++`, from `Escape`, `Init` or a resync, comes
    /// during other operations).
    pub user_writing: bool,
    /// The result of the next open (0: success).
    pub open_code: u16,
    /// The next send is refused (`SEND FAIL`).
    pub send_fail: bool,
    /// The engine wrote a command line longer than any it should.
    pub longest_line: usize,
}

impl Module {
    pub fn new(echo: bool) -> Self {
        Self {
            echo,
            socks: std::array::from_fn(|_| Sock {
                st: St::Initial,
                mode: 0,
                gen: None,
                held: VecDeque::new(),
            }),
            pdp: true,
            line: Vec::new(),
            prompt: None,
            transparent: None,
            last_transparent: None,
            plus: Plus::default(),
            quiet_since: 0,
            queue: VecDeque::new(),
            ready: VecDeque::new(),
            latency: 0,
            fault: None,
            ledger: Ledger::default(),
            deferred: Vec::new(),
            user_writing: false,
            open_code: 0,
            send_fail: false,
            longest_line: 0,
        }
    }

    // ----- the line ---------------------------------------------------------

    /// Put `out` on the line at `due` (after what is queued), through the
    /// armed fault.
    pub fn emit(&mut self, mut out: Output, due: u64) {
        if let Some((gen, data)) = out.framed() {
            self.ledger.gens[gen].framed.extend_from_slice(data);
        }
        if let Some(fault) = self.fault.filter(|_| self.transparent.is_none()) {
            if let Some((class, insert)) = apply(fault, &mut out) {
                trace!("  fault {fault:?}: {class:?}, inserted {insert:?}");
                self.fault = None;
                match class {
                    Class::Detectable => {}
                    Class::AnswersOnly | Class::Undetectable => {
                        self.ledger.state_tainted = true;
                        self.ledger.data_tainted = true;
                    }
                }
                if let Some(line) = insert {
                    self.queue.push_back((due, line));
                }
            }
        }
        let due = self.queue.back().map_or(due, |&(last, _)| due.max(last));
        trace!("  module @{due}: {:?}", String::from_utf8_lossy(&out.bytes));
        self.queue.push_back((due, out.bytes));
    }

    /// An answer: what waits for the next answer goes first.
    pub(super) fn answer(&mut self, outs: Vec<Output>, now: u64) {
        let due = now + self.latency;
        for out in std::mem::take(&mut self.deferred) {
            self.emit(out, due);
        }
        for out in outs {
            self.emit(out, due);
        }
    }

    /// Send `out` just before the next answer.
    pub(super) fn defer(&mut self, out: Output) {
        self.deferred.push(out);
    }

    /// Send what waits for the next answer now.
    pub fn flush(&mut self, now: u64) {
        for out in std::mem::take(&mut self.deferred) {
            self.emit(out, now);
        }
    }

    /// A reboot: what was about to go out goes, then the module is as
    /// after power-on.
    pub(super) fn reset(&mut self) {
        for out in std::mem::take(&mut self.deferred) {
            let now = self.queue.back().map_or(0, |&(due, _)| due);
            self.emit(out, now);
        }
        for sock in &mut self.socks {
            sock.st = St::Initial;
            sock.mode = 0;
            sock.gen = None;
            sock.held.clear();
        }
        self.pdp = false;
        self.echo = true;
        self.line.clear();
        self.prompt = None;
        self.last_transparent = None;
        self.plus = Plus::default();
    }

    /// Time passed: outputs due go on the line; an escape completes.
    pub fn tick(&mut self, now: u64) {
        if self.plus.run == 3 && now.saturating_sub(self.plus.third) >= GUARD_MS {
            assert!(
                !self.plus.by_user,
                "the engine's transparent data formed a +++ escape (user data became commands)"
            );
            self.transparent = None;
            // Read by an engine in transparent mode: as raw as data.
            let at = self.plus.third + GUARD_MS;
            self.emit(Output::raw(b"\r\nOK\r\n", None), at);
            self.plus = Plus::default();
        }
        while self.queue.front().is_some_and(|&(due, _)| due <= now) {
            if let Some((_, bytes)) = self.queue.pop_front() {
                self.ready.extend(bytes);
            }
        }
    }

    /// Nothing is queued or on the line.
    pub fn drained(&self) -> bool {
        self.queue.is_empty() && self.ready.is_empty()
    }

    /// Bytes queued or on the line.
    pub fn backlog(&self) -> usize {
        self.ready.len() + self.queue.iter().map(|(_, b)| b.len()).sum::<usize>()
    }

    // ----- what the engine writes -------------------------------------------

    /// The engine wrote `bytes` at `now`.
    pub fn receive(&mut self, bytes: &[u8], now: u64) {
        for &b in bytes {
            if let Some(client) = self.transparent {
                self.raw_byte(client, b, now);
                continue;
            }
            self.quiet_since = now;
            if let Some(p) = &mut self.prompt {
                if p.data.is_empty() && b == 0x1b {
                    // ESC right after the prompt: the send is cancelled.
                    self.prompt = None;
                    continue;
                }
                p.data.push(b);
                if p.data.len() == p.owed {
                    self.sent(now);
                }
                continue;
            }
            if b == b'\r' {
                let line = std::mem::take(&mut self.line);
                self.command(&line, now);
            } else if self.line.len() < 2048 {
                self.line.push(b);
            }
        }
    }

    /// The data phase of a send is complete.
    fn sent(&mut self, now: u64) {
        let Some(p) = self.prompt.take() else { return };
        let sock = &self.socks[usize::from(p.client)];
        let refused = std::mem::take(&mut self.send_fail);
        let answer: &[u8] = if sock.st != St::Connected || refused {
            b"\r\nSEND FAIL\r\n"
        } else {
            if let Some(gen) = sock.gen {
                self.ledger.gens[gen].accepted.push(p.data);
            }
            b"\r\nSEND OK\r\n"
        };
        self.answer(vec![Output::text(answer)], now);
    }

    /// One byte in transparent mode: the peer's, unless it is part of an
    /// escape.
    fn raw_byte(&mut self, _client: u8, b: u8, now: u64) {
        let quiet = now.saturating_sub(self.quiet_since) >= GUARD_MS;
        self.quiet_since = now;
        let plus = &mut self.plus;
        plus.run = match (b, plus.run) {
            (b'+', 0) if quiet => {
                plus.first = now;
                plus.by_user = self.user_writing;
                1
            }
            (b'+', 1 | 2) if now.saturating_sub(plus.first) < GUARD_MS => plus.run + 1,
            _ => 0,
        };
        plus.by_user &= self.user_writing;
        if plus.run == 3 {
            plus.third = now;
        }
        trace!("  module: raw {b:#04x} at {now}: + run {}", plus.run);
    }
}
