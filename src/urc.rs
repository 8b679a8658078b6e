//! Unsolicited result codes: what the module says on its own.
//!
//! # No panics from the wire
//! [`Urc::parse`] reads any bytes: what it does not know is
//! [`Urc::Unknown`], never a panic or an error; pushed data is taken by its
//! announced length (1..=1500) and only from the bytes given. The proof is
//! the `urc_parse` fuzz target (`fuzz/`): arbitrary frames and
//! `+QSSLURC:`-prefixed mutations, checked against the framer's reading of
//! the same line; `tests/wire_properties.rs` runs the same checks as
//! bounded property tests on stable.

use crate::error::SslErrorCode;
use crate::types::{ClientId, PdpContextId, ReadLength};
use crate::wire::{trim, Fields};

/// One URC, borrowing from the bytes it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Urc<'a> {
    /// `+QSSLOPEN: <clientID>,<err>` — the result of an open in buffer or
    /// direct-push mode (`SslErrorCode::Success` when it worked).
    Opened {
        /// The socket.
        client: ClientId,
        /// `<err>`
        result: SslErrorCode,
    },
    /// `+QSSLURC: "recv",<clientID>` — buffer mode: data is waiting; read it
    /// with `AT+QSSLRECV`.
    DataReady {
        /// The socket.
        client: ClientId,
    },
    /// `+QSSLURC: "recv",<clientID>,<len>` CR LF `<len bytes>` — direct push:
    /// the data itself.
    DataPushed {
        /// The socket.
        client: ClientId,
        /// The data (never logged).
        data: &'a [u8],
    },
    /// `+QSSLURC: "closed",<clientID>` — the peer or the network closed the
    /// connection; the socket is Closing until `AT+QSSLCLOSE`.
    Closed {
        /// The socket.
        client: ClientId,
    },
    /// `+QIURC: "pdpdeact",<contextID>` — the PDP context was lost; every
    /// socket on it is dead.
    PdpDeactivated {
        /// The context.
        context: PdpContextId,
    },
    /// `+QIOPEN: <connectID>,<err>` — the result of a plain TCP
    /// `AT+QIOPEN` (the diagnosis's reachability probe).
    TcpOpened {
        /// `<connectID>`.
        id: ClientId,
        /// `<err>`: `Success`, or why the connection failed.
        result: SslErrorCode,
    },
    /// `+QIURC: "dnsgip",<err>,<IP_count>,<DNS_ttl>` — the result of an
    /// `AT+QIDNSGIP` lookup (`error` 0: `count` addresses follow).
    DnsResult {
        /// `<err>`: 0, or the module's error code (565: no such name).
        error: u16,
        /// `<IP_count>`
        count: u8,
        /// `<DNS_ttl>`, in seconds.
        ttl: u32,
    },
    /// `+QIURC: "dnsgip","<hostIPaddr>"` — one address of a lookup, as
    /// printed (see [`command::pdp::DnsLine`](crate::command::pdp::DnsLine)).
    DnsAddress(&'a str),
    /// `RDY` — the module (re)booted: every context and socket is gone, echo
    /// is on again.
    Ready,
    /// A status line the module prints while it boots (`+CFUN: 1`,
    /// `+CPIN: READY`, `+QUSIM: 1`, `+QIND: SMS DONE`, ...), as printed.
    BootStatus(&'a [u8]),
    /// `POWERED DOWN` / `NORMAL POWER DOWN`.
    PoweredDown,
    /// Any other line, kept as it came (never an error).
    Unknown(&'a [u8]),
}

const BOOT_STATUS: &[&[u8]] = &[b"+CFUN:", b"+CPIN:", b"+QUSIM:", b"+QIND:"];

impl<'a> Urc<'a> {
    /// Read a URC as the digester frames it: one line without CR LF, or for
    /// a direct push its line, CR LF and its data. Never fails: what it does
    /// not know is [`Urc::Unknown`].
    pub fn parse(frame: &'a [u8]) -> Self {
        let end = frame
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(frame.len());
        let (line, after) = frame.split_at(end);
        let line = trim(line);
        Self::parse_line(line, after).unwrap_or(Self::Unknown(line))
    }

    fn parse_line(line: &'a [u8], after: &'a [u8]) -> Option<Self> {
        match line {
            b"RDY" => return Some(Self::Ready),
            b"POWERED DOWN" | b"NORMAL POWER DOWN" => return Some(Self::PoweredDown),
            _ => {}
        }
        if BOOT_STATUS.iter().any(|p| line.starts_with(p)) {
            return Some(Self::BootStatus(line));
        }
        if let Some(mut f) = Fields::after(line, b"+QIOPEN:") {
            let id = ClientId::new(f.u8().ok()?).ok()?;
            let result = SslErrorCode::from(f.u16().ok()?);
            return f.is_empty().then_some(Self::TcpOpened { id, result });
        }
        if let Some(mut f) = Fields::after(line, b"+QSSLOPEN:") {
            let client = ClientId::new(f.u8().ok()?).ok()?;
            let result = SslErrorCode::from(f.u16().ok()?);
            return f.is_empty().then_some(Self::Opened { client, result });
        }
        if let Some(dns) = crate::command::pdp::DnsLine::parse(line) {
            return Some(match dns {
                crate::command::pdp::DnsLine::Result { error, count, ttl } => {
                    Self::DnsResult { error, count, ttl }
                }
                crate::command::pdp::DnsLine::Address(addr) => Self::DnsAddress(addr),
            });
        }
        if let Some(mut f) = Fields::after(line, b"+QIURC:") {
            if f.string().ok()? != b"pdpdeact" {
                return None;
            }
            let context = PdpContextId::new(f.u8().ok()?).ok()?;
            return Some(Self::PdpDeactivated { context });
        }
        let mut f = Fields::after(line, b"+QSSLURC:")?;
        let kind = f.string().ok()?;
        let client = ClientId::new(f.u8().ok()?).ok()?;
        match kind {
            b"closed" if f.is_empty() => Some(Self::Closed { client }),
            b"recv" if f.is_empty() => Some(Self::DataReady { client }),
            b"recv" => {
                let len = usize::from(f.u16().ok()?);
                // 1..=1500, as the framer counts it: a push of nothing is
                // malformed there and never delivered as data.
                if !f.is_empty() || len == 0 || len > ReadLength::MAX_BYTES {
                    return None;
                }
                let data = match after {
                    [b'\r', b'\n', rest @ ..] | [b'\r' | b'\n', rest @ ..] => rest,
                    rest => rest,
                };
                let data = data.get(..len)?;
                Some(Self::DataPushed { client, data })
            }
            _ => None,
        }
    }

    /// `true` for the URCs that mean every socket and context is gone.
    pub fn is_reboot(&self) -> bool {
        matches!(self, Self::Ready | Self::PoweredDown)
    }
}

/// An owned URC frame for atat's `UrcChannel` (which needs owned, `Clone`
/// values): the frame's bytes, read back with [`UrcFrame::urc`].
///
/// `N` must hold the largest frame wanted: a direct push is its line, CR LF
/// and up to 1500 bytes of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrcFrame<const N: usize> {
    bytes: heapless::Vec<u8, N>,
}

impl<const N: usize> UrcFrame<N> {
    /// The URC.
    pub fn urc(&self) -> Urc<'_> {
        Urc::parse(&self.bytes)
    }
}

impl<const N: usize> atat::AtatUrc for UrcFrame<N> {
    /// Copy the frame; `None` (atat drops it) only if it is longer than `N`.
    fn parse(resp: &[u8]) -> Option<Self> {
        heapless::Vec::from_slice(resp)
            .ok()
            .map(|bytes| Self { bytes })
    }
}

/// The part of a push announcement that names its socket (`+QSSLURC: `
/// before it is left out: a corrupted prefix still names the socket).
const PUSH_PREFIX: &[u8] = b"\"recv\",";

/// The sockets whose direct push `bytes` may hold the announcement of (a
/// bit per socket: `1 << id`): every `"recv",<id>,` in them. Used on bytes
/// that were dropped unread, to know whose data went with them; lenient on
/// purpose (a socket named by mistake only fails, one missed loses data).
pub(crate) fn pushes_named(bytes: impl Iterator<Item = u8>) -> u16 {
    let mut found = 0u16;
    // Bytes of PUSH_PREFIX matched, then the id's digits.
    let mut matched = 0usize;
    let mut id: Option<u8> = None;
    for b in bytes {
        if matched < PUSH_PREFIX.len() {
            matched = if PUSH_PREFIX.get(matched) == Some(&b) {
                matched + 1
            } else {
                usize::from(b == PUSH_PREFIX[0])
            };
            id = None;
            continue;
        }
        match (b, id) {
            (b'0'..=b'9', _) => {
                id = Some(id.unwrap_or(0).saturating_mul(10).saturating_add(b - b'0'));
            }
            (b',', Some(n)) if n < 12 => {
                found |= 1 << n;
                matched = 0;
            }
            _ => matched = usize::from(b == PUSH_PREFIX[0]),
        }
        if id.is_some_and(|n| n >= 12) {
            matched = 0;
            id = None;
        }
    }
    found
}

/// [`pushes_named`] for one line; every socket if the line announces a
/// push for a socket it does not name readably (`"recv",84,6`: a corrupted
/// id), since that push may be any socket's.
pub(crate) fn push_named(line: &[u8]) -> u16 {
    let named = pushes_named(line.iter().copied().chain(Some(b'\n')));
    let Some(at) = line
        .windows(PUSH_PREFIX.len())
        .position(|w| w == PUSH_PREFIX)
    else {
        return named;
    };
    let rest = &line[at + PUSH_PREFIX.len()..];
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = rest[..n.min(2)]
        .iter()
        .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
    match rest.get(n) {
        // `"recv",<id>`: a buffer-mode notice, no data with it.
        None if (1..=2).contains(&n) && id < 12 => named,
        _ if n == 0 || n > 2 || id >= 12 => (1 << 12) - 1,
        // A valid id, then not the comma before a length: that socket's.
        _ => named | 1 << id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientId {
        ClientId::new(n).unwrap()
    }

    #[test]
    fn dnsgip_urcs_are_lookup_results_not_unknown_lines() {
        assert_eq!(
            Urc::parse(b"+QIURC: \"dnsgip\",0,2,600"),
            Urc::DnsResult {
                error: 0,
                count: 2,
                ttl: 600
            }
        );
        assert_eq!(
            Urc::parse(b"+QIURC: \"dnsgip\",\"10.7.76.34\""),
            Urc::DnsAddress("10.7.76.34")
        );
        assert_eq!(
            Urc::parse(b"+QIURC: \"dnsgip\",565"),
            Urc::DnsResult {
                error: 565,
                count: 0,
                ttl: 0
            }
        );
        // Still the context loss, not a lookup.
        assert!(matches!(
            Urc::parse(b"+QIURC: \"pdpdeact\",1"),
            Urc::PdpDeactivated { .. }
        ));
    }

    #[test]
    fn every_urc_of_the_reference() {
        assert_eq!(
            Urc::parse(b"+QSSLOPEN: 4,0"),
            Urc::Opened {
                client: client(4),
                result: SslErrorCode::Success
            }
        );
        assert_eq!(
            Urc::parse(b"+QSSLOPEN: 11,566"),
            Urc::Opened {
                client: client(11),
                result: SslErrorCode::SocketConnectFailed
            }
        );
        assert_eq!(
            Urc::parse(b"+QSSLURC: \"recv\",4"),
            Urc::DataReady { client: client(4) }
        );
        assert_eq!(
            Urc::parse(b"+QSSLURC: \"recv\",4,18\r\nTest data from SSL"),
            Urc::DataPushed {
                client: client(4),
                data: b"Test data from SSL"
            }
        );
        assert_eq!(
            Urc::parse(b"+QSSLURC: \"closed\",0"),
            Urc::Closed { client: client(0) }
        );
        assert_eq!(
            Urc::parse(b"+QIURC: \"pdpdeact\",1"),
            Urc::PdpDeactivated {
                context: PdpContextId::new(1).unwrap()
            }
        );
        assert_eq!(Urc::parse(b"RDY"), Urc::Ready);
        assert!(Urc::parse(b"RDY").is_reboot());
        for boot in [
            &b"+CFUN: 1"[..],
            b"+CPIN: READY",
            b"+QUSIM: 1",
            b"+QIND: SMS DONE",
        ] {
            assert_eq!(Urc::parse(boot), Urc::BootStatus(boot));
        }
        assert_eq!(Urc::parse(b"POWERED DOWN"), Urc::PoweredDown);
    }

    #[test]
    fn pushed_data_is_taken_by_length_with_any_bytes() {
        let frame = b"+QSSLURC: \"recv\",2,8\r\n\r\nOK\r\n\x00\x1a";
        assert_eq!(
            Urc::parse(frame),
            Urc::DataPushed {
                client: client(2),
                data: b"\r\nOK\r\n\x00\x1a"
            }
        );
    }

    #[test]
    fn other_lines_are_unknown_never_errors() {
        for line in [
            &b"+QIURC: \"closed\",3"[..],
            b"+QSSLURC: \"recv\",12",
            b"+QSSLURC: \"recv\",4,18",
            b"+QSSLURC: \"recv\",4,99999\r\nabc",
            // Found by `fuzz/urc_parse`: the framer reads a push of 0 bytes
            // as malformed, the parser took it as an empty push.
            b"+QSSLURC: \"recv\",8,0",
            b"+QSSLOPEN: (1-16),(0-5)",
            b"+QSSLOPEN: 4,0,9",
            b"hello",
            b"",
            b"\xff\xfe",
        ] {
            assert!(matches!(Urc::parse(line), Urc::Unknown(_)), "{line:?}");
        }
    }

    #[test]
    fn a_line_names_the_pushes_it_may_hold() {
        let all = (1 << 12) - 1;
        for (line, named) in [
            (&b"+QSSLURC: \"recv\",4,18"[..], 1 << 4),
            (b"x\"recv\",11,5 \"recv\",0,1", 1 << 11 | 1),
            // A notice (buffer mode) carries no data.
            (b"+QSSLURC: \"recv\",4", 0),
            (b"+QSSLURC: \"closed\",4", 0),
            // Found by `fuzz/engine`: a push whose id was corrupted may be
            // any socket's.
            (b"+QSSLURC: \"recv\",84,6", all),
            (b"+QSSLURC: \"recv\",12", all),
            (b"+QSSLURC: \"recv\",,6", all),
            (b"+QSSLURC: \"recv\",007,6", all),
            // A valid id, its comma corrupted: that socket's.
            (b"+QSSLURC: \"recv\",3x6", 1 << 3),
        ] {
            assert_eq!(
                push_named(line),
                named,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn owned_frames_for_atat_channels() {
        use atat::AtatUrc;
        let frame = UrcFrame::<64>::parse(b"+QSSLURC: \"closed\",3").unwrap();
        assert_eq!(frame.urc(), Urc::Closed { client: client(3) });
        assert!(UrcFrame::<4>::parse(b"+QSSLURC: \"closed\",3").is_none());
    }

    #[test]
    fn a_bracket_is_not_a_push_length() {
        // Found by fuzzing: `[` `]` are skipped in test answers only.
        assert!(matches!(
            Urc::parse(b"+QSSLURC: \"recv\",4,[1\t\nT"),
            Urc::Unknown(_)
        ));
        assert!(matches!(
            Urc::parse(b"+QSSLURC: \"recv\",[4]"),
            Urc::Unknown(_)
        ));
    }
}
