//! `AT+QIDNSGIP`: the module looks a host name up; the answer comes later,
//! as `+QIURC: "dnsgip"` URCs (see [`Urc::DnsResult`](crate::Urc::DnsResult)
//! and [`Urc::DnsAddress`](crate::Urc::DnsAddress)).

use core::net::IpAddr;

use crate::command::{answers_ok, atat_command, AtCommand};
use crate::types::{HostName, PdpContextId};
use crate::wire::Encoder;
use crate::wire::Fields;

/// `AT+QIDNSGIP=<contextID>,"<hostname>"` — look `host` up over PDP context
/// `context`. `OK` only says the lookup started: its result follows as
/// `+QIURC: "dnsgip",<err>,<IP_count>,<DNS_ttl>`, then one
/// `+QIURC: "dnsgip","<hostIPaddr>"` per address (up to 60 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookUpHost<'a> {
    /// The PDP context whose DNS servers are asked.
    pub context: PdpContextId,
    /// The name.
    pub host: HostName<'a>,
}

impl AtCommand for LookUpHost<'_> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QIDNSGIP=")
            .uint(self.context.get().into())
            .comma()
            .quoted(self.host.as_str());
    }
}
atat_command!(['a] LookUpHost<'a>);

/// What a `+QIURC: "dnsgip"` line says: the result header, or one address.
///
/// The address is kept as the module printed it ([`DnsLine::address`]
/// reads it): the URC path never links an address parser, which costs
/// about 2 KiB of flash, into firmware that looks nothing up.
///
/// Exhaustive: the manual's two forms of the URC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DnsLine<'a> {
    /// `+QIURC: "dnsgip",<err>,<IP_count>,<DNS_ttl>`: `<err>` 0 when the
    /// lookup worked (else the module's error code, 565 for a name that
    /// does not resolve), how many addresses follow, and how long they
    /// may be kept (s).
    Result {
        /// `<err>`
        error: u16,
        /// `<IP_count>`
        count: u8,
        /// `<DNS_ttl>`
        ttl: u32,
    },
    /// `+QIURC: "dnsgip","<hostIPaddr>"`: one address, as printed.
    Address(&'a str),
}

/// The longest address text the module prints (IPv6, full form).
pub const MAX_ADDRESS_LEN: usize = 39;

/// An address as `+QIURC: "dnsgip"` prints it.
pub fn parse_address(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

impl<'a> DnsLine<'a> {
    /// The address of an [`Address`](Self::Address) line, parsed (`None`
    /// for a result line, or text that is no address).
    pub fn address(&self) -> Option<IpAddr> {
        match self {
            Self::Address(text) => parse_address(text),
            Self::Result { .. } => None,
        }
    }

    /// Read a `+QIURC: "dnsgip"` line (`None`: not one, or malformed: an
    /// address field longer than any address, or with a byte no address
    /// has).
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        let mut f = Fields::after(line, b"+QIURC:")?;
        if f.string().ok()? != b"dnsgip" {
            return None;
        }
        if f.clone().raw().ok()?.first() == Some(&b'"') {
            let text = f.quoted().ok()?;
            let plausible = !text.is_empty()
                && text.len() <= MAX_ADDRESS_LEN
                && text
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':'));
            if !plausible || !f.is_empty() {
                return None;
            }
            return core::str::from_utf8(text).ok().map(Self::Address);
        }
        let error = f.u16().ok()?;
        if f.is_empty() {
            // A failure may come without count and TTL.
            return Some(Self::Result {
                error,
                count: 0,
                ttl: 0,
            });
        }
        let count = f.u8().ok()?;
        let ttl = f.u32().ok()?;
        f.is_empty().then_some(Self::Result { error, count, ttl })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::write_command;

    #[test]
    fn look_up_host_bytes() {
        let cmd = LookUpHost {
            context: PdpContextId::new(1).unwrap(),
            host: HostName::new("broker.example.com").unwrap(),
        };
        let mut buf = [0u8; 64];
        let n = write_command(&cmd, &mut buf);
        assert_eq!(&buf[..n], b"AT+QIDNSGIP=1,\"broker.example.com\"\r");
    }

    #[test]
    fn dnsgip_lines_parse() {
        assert_eq!(
            DnsLine::parse(b"+QIURC: \"dnsgip\",0,2,600"),
            Some(DnsLine::Result {
                error: 0,
                count: 2,
                ttl: 600
            })
        );
        assert_eq!(
            DnsLine::parse(b"+QIURC: \"dnsgip\",\"10.7.76.34\""),
            Some(DnsLine::Address("10.7.76.34"))
        );
        let v6 = DnsLine::parse(b"+QIURC: \"dnsgip\",\"2001:db8::1\"").unwrap();
        assert_eq!(v6.address(), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(
            DnsLine::parse(b"+QIURC: \"dnsgip\",565"),
            Some(DnsLine::Result {
                error: 565,
                count: 0,
                ttl: 0
            })
        );
    }

    #[test]
    fn malformed_dnsgip_lines_are_none() {
        for line in [
            &b"+QIURC: \"dnsgip\",\"not an address\""[..],
            b"+QIURC: \"dnsgip\",\"1234:5678:9abc:def0:1234:5678:9abc:def0:1\"",
            b"+QIURC: \"dnsgip\",\"\"",
            b"+QIURC: \"dnsgip\",0,2",
            b"+QIURC: \"dnsgip\",0,2,600,9",
            b"+QIURC: \"dnsgip\",x",
            b"+QIURC: \"pdpdeact\",1",
            b"+QIURC: \"dnsgip\",\"1.2.3.4\",5",
        ] {
            assert_eq!(
                DnsLine::parse(line),
                None,
                "{:?}",
                core::str::from_utf8(line)
            );
        }
    }
}
