//! What the module framed for every connection, what the user got back, and
//! what the module really reported: the truth the engine's output is
//! checked against.
//!
//! A connection (one open of a socket, a *generation*) has the bytes the
//! module framed for it, in order, as it meant them (before any corruption
//! on the line). The user's reads must give a prefix of them: nothing
//! wrong, nothing twice, nothing reordered. Where the engine reports
//! [`Error::PushOverflow`]`(n)`, `n` bytes were dropped for want of room,
//! and the reads go on after them.

use quectel_ssl::modem::Event;
use quectel_ssl::Error;

/// One connection.
#[derive(Debug, Default)]
pub(crate) struct Gen {
    /// Its socket id.
    pub client: u8,
    /// Every byte the module framed for it, as meant.
    pub framed: Vec<u8>,
    /// How far the user has read (or skipped, after a `PushOverflow`).
    pub cursor: usize,
    /// The engine reported an error on it (a read, or the open).
    pub failed: bool,
    /// A read ended the stream (`Ok(0)`).
    pub ended: bool,
    /// The user closed it.
    pub closed: bool,
    /// Payloads the module took (answered `SEND OK`), in order.
    pub accepted: Vec<Vec<u8>>,
    /// How many of `accepted` the user's successful writes matched so far.
    pub acked: usize,
}

/// The truth of one run.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub gens: Vec<Gen>,
    /// `+QSSLOPEN` results the module sent, as (socket, code).
    pub opened: Vec<(u8, u16)>,
    /// Sockets the module sent a data notice for.
    pub notified: u16,
    /// Sockets whose last connection the module closed (the peer, the
    /// network, a PDP loss, or an `AT+QSSLCLOSE` whose answer the engine
    /// may not have seen).
    pub closed: u16,
    /// Sockets a close was said for before a later connection of theirs
    /// opened: the engine may report that close after the open (its events
    /// wait in a queue until they are taken).
    pub closed_before: u16,
    /// Sockets the module pushed data for.
    pub pushed: u16,
    /// The module lost its PDP context at some point.
    pub pdp_lost: bool,
    /// The module rebooted at some point.
    pub rebooted: bool,
    /// A corruption happened that the protocol cannot detect (a flipped
    /// payload byte, a length made longer, a truncated output): what the
    /// user reads is no longer checked.
    pub data_tainted: bool,
    /// A corruption that changes what answers mean (a stray result code
    /// taken as a command's answer): events, state and answers are no
    /// longer checked against the module's truth.
    pub state_tainted: bool,
}

impl Ledger {
    /// A new connection of `client`; returns its index.
    pub fn open(&mut self, client: u8) -> usize {
        self.gens.push(Gen {
            client,
            ..Gen::default()
        });
        self.gens.len() - 1
    }

    /// The user read `bytes` from connection `gen`.
    pub fn delivered(&mut self, gen: usize, bytes: &[u8]) {
        let tainted = self.data_tainted;
        let g = &mut self.gens[gen];
        if !tainted {
            let expected = g.framed.get(g.cursor..g.cursor + bytes.len());
            assert!(
                expected == Some(bytes),
                "socket {}: read {:?} at offset {}, but the module framed {:?} there \
                 (wrong, duplicated, reordered or forged bytes)",
                g.client,
                String::from_utf8_lossy(bytes),
                g.cursor,
                g.framed
                    .get(g.cursor..)
                    .map(|rest| String::from_utf8_lossy(&rest[..rest.len().min(bytes.len())]))
            );
            assert!(
                !g.ended || bytes.is_empty(),
                "socket {}: bytes after the end of the stream",
                g.client
            );
        }
        g.cursor += bytes.len();
    }

    /// A read of connection `gen` ended the stream (`Ok(0)`): the module
    /// closed it, and every byte framed for it was read, unless an error
    /// said otherwise.
    pub fn ended(&mut self, gen: usize, held_by_module: usize) {
        let g = &mut self.gens[gen];
        g.ended = true;
        if !self.data_tainted && !g.failed {
            assert!(
                g.cursor == g.framed.len() && held_by_module == 0,
                "socket {}: end of stream after {} of {} framed bytes ({} more in the module) \
                 with no error (a silent loss)",
                g.client,
                g.cursor,
                g.framed.len(),
                held_by_module
            );
        }
        if !self.state_tainted {
            assert!(
                self.closed & (1 << g.client) != 0,
                "socket {}: end of stream, but the module never closed it",
                g.client
            );
        }
    }

    /// The engine reported `error` on connection `gen`.
    pub fn failed(&mut self, gen: usize, error: &Error) {
        let g = &mut self.gens[gen];
        g.failed = true;
        if let Error::PushOverflow(n) = *error {
            // Dropped for want of room: the next bytes read are the ones
            // after them.
            g.cursor += n as usize;
        }
    }

    /// The user's write of `data` on connection `gen` succeeded: the module
    /// must have taken exactly these bytes, after what it took for the
    /// writes before (a failed write may have reached it too).
    pub fn acked(&mut self, gen: usize, data: &[u8]) {
        if self.state_tainted {
            return;
        }
        let g = &mut self.gens[gen];
        let found = g.accepted[g.acked..].iter().position(|p| p == data);
        assert!(
            found.is_some(),
            "socket {}: a write of {} bytes succeeded, but the module took no such payload \
             (it took {:?} since the last acknowledged one)",
            g.client,
            data.len(),
            g.accepted[g.acked..]
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>()
        );
        g.acked += found.map_or(0, |i| i + 1);
    }

    /// An event the engine reported: it must be what the module said,
    /// outside any payload's span.
    pub fn event(&self, event: &Event) {
        if self.state_tainted {
            return;
        }
        let bit = |c: quectel_ssl::ClientId| 1u16 << c.get();
        let legit = match *event {
            Event::Opened { client, result } => {
                self.opened.contains(&(client.get(), result.code()))
            }
            Event::DataReady { client } => self.notified & bit(client) != 0,
            Event::Closed { client } => (self.closed | self.closed_before) & bit(client) != 0,
            // A reboot the quarantine hid loses the context too.
            Event::PdpDeactivated { context } => {
                context.get() == 1 && (self.pdp_lost || self.rebooted)
            }
            // Every socket and context gone at once reads as a reboot.
            Event::Rebooted => self.rebooted || self.pdp_lost,
            Event::PushOverflow { client } => self.pushed & bit(client) != 0,
            // This module opens no plain TCP probe: a `+QIOPEN` was forged.
            Event::TcpOpened { .. } => false,
            // `#[non_exhaustive]`: an event the ledger does not know yet
            // must be taught to it.
            other => panic!("an event the ledger does not know: {other:?}"),
        };
        assert!(
            legit,
            "the engine reported {event:?}, which the module never said (forged from inside \
             a payload?)"
        );
    }
}
