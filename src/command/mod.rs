//! Typed AT commands, one folder per group of the vendor's manuals.
//!
//! Every command is a plain struct built from checked values (see
//! [`crate::types`]); building it is where bad input is refused. It then
//! implements [`AtCommand`] (its line, its timeout, how its answer is read, line
//! by line) and, through it, [`atat::AtatCmd`], so it works with atat's own
//! clients as well as with this crate's engine.
//!
//! The commands are written by hand rather than derived: the wire form stays
//! visible (`Encoder` calls read like the manual), the checks happen before
//! `AtatCmd::write` (which cannot fail), and no serde code lands in flash.
//!
//! # A command of your own
//!
//! Public for that: [`AtCommand`] (with [`wire`](crate::wire)'s `Encoder`
//! and `Fields`) is all the engine needs ([`Modem::command`] runs any of
//! them); [`write_command`] and [`parse_body`] make it an
//! [`atat::AtatCmd`] for atat's own client; [`ResponseReader`] reads its
//! answer from a [`Framer`](crate::Framer)'s frames, for a loop of one's
//! own.
//!
//! ```
//! use quectel_ssl::command::{parse_body, write_command, AtCommand};
//! use quectel_ssl::wire::{Encoder, Fields};
//! use quectel_ssl::Error;
//!
//! /// `AT+CSQ` — signal quality: `+CSQ: <rssi>,<ber>`.
//! struct GetSignalQuality;
//!
//! #[derive(Debug, PartialEq)]
//! struct SignalQuality {
//!     rssi: u8,
//!     ber: u8,
//! }
//! impl atat::AtatResp for SignalQuality {}
//!
//! impl AtCommand for GetSignalQuality {
//!     type Response = SignalQuality;
//!     type Partial = Option<SignalQuality>;
//!     fn encode(&self, e: &mut Encoder<'_>) {
//!         e.text("AT+CSQ");
//!     }
//!     fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
//!         if let Some(mut f) = Fields::after(line, b"+CSQ:") {
//!             *partial = Some(SignalQuality { rssi: f.u8()?, ber: f.u8()? });
//!         }
//!         Ok(())
//!     }
//!     fn finish(&self, partial: Self::Partial) -> Result<SignalQuality, Error> {
//!         partial.ok_or(Error::UnexpectedResponse)
//!     }
//! }
//!
//! impl atat::AtatCmd for GetSignalQuality {
//!     type Response = SignalQuality;
//!     fn write(&self, buf: &mut [u8]) -> usize {
//!         write_command(self, buf)
//!     }
//!     fn parse(&self, resp: Result<&[u8], atat::InternalError<'_>>) -> Result<SignalQuality, atat::Error> {
//!         let body = resp.map_err(atat::Error::from)?;
//!         parse_body(self, body).map_err(|_| atat::Error::Parse)
//!     }
//! }
//!
//! let mut line = [0u8; 16];
//! let n = write_command(&GetSignalQuality, &mut line);
//! assert_eq!(&line[..n], b"AT+CSQ\r");
//! let answer = parse_body(&GetSignalQuality, b"+CSQ: 23,99");
//! assert_eq!(answer, Ok(SignalQuality { rssi: 23, ber: 99 }));
//! ```
//!
//! [`Modem::command`]: crate::Modem::command

mod at_command;
mod atat_impl;
pub mod device;
pub mod file;
mod fold;
pub mod pdp;
mod reader;
pub mod ssl_config;
pub mod ssl_socket;
mod test_form;

pub(crate) use at_command::{answers_ok, single_line};
pub use at_command::{write_command, AtCommand, NoResponse, DEFAULT_TIMEOUT_MS, MAX_COMMAND_LEN};
pub use atat_impl::parse_body;
pub(crate) use atat_impl::{atat_command, parse_atat};
pub use fold::{Fold, ListCommand};
pub use reader::ResponseReader;
pub use test_form::{ParameterRanges, TestParameter};

/// Test helpers: a command's exact bytes, and its answer read both ways.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::digest::{Framer, QuectelDigester};
    use crate::error::Error;
    use atat::{AtatCmd, DigestResult, Digester};

    /// The exact line `cmd` writes.
    pub fn bytes<C: AtCommand>(cmd: &C) -> String {
        let mut buf = [0u8; MAX_COMMAND_LEN];
        let n = write_command(cmd, &mut buf);
        assert!(n > 0, "command did not fit");
        String::from_utf8(buf[..n].to_vec()).expect("ASCII command")
    }

    /// Read the module's `raw` answer as the engine does (framer and
    /// [`ResponseReader`]) and as atat does (digester and `AtatCmd::parse`):
    /// both must agree on success or failure, and on the value.
    pub fn answer<C>(cmd: &C, raw: &[u8]) -> Result<<C as AtCommand>::Response, Error>
    where
        C: AtCommand + AtatCmd<Response = <C as AtCommand>::Response>,
        <C as AtCommand>::Response: core::fmt::Debug + PartialEq,
    {
        let mut framer = Framer::new(1024);
        framer.set_expect(cmd.expectation());
        let mut reader = ResponseReader::new();
        let mut rest = raw;
        let engine = loop {
            let (frame, used) = framer.next(rest);
            if let Some(result) = reader.feed(cmd, &frame) {
                break result;
            }
            assert!(
                used > 0,
                "answer incomplete: {:?}",
                String::from_utf8_lossy(raw)
            );
            rest = &rest[used..];
        };

        let mut digester = QuectelDigester::new(2048);
        let mut rest = raw;
        let via_atat = loop {
            let (result, used) = digester.digest(rest);
            match result {
                DigestResult::Response(resp) => break AtatCmd::parse(cmd, resp),
                DigestResult::Prompt(_) => break AtatCmd::parse(cmd, Ok(&[])),
                _ => {}
            }
            assert!(used > 0, "atat: answer incomplete");
            rest = &rest[used..];
        };
        match (&engine, &via_atat) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "engine and atat paths disagree"),
            (Err(_), Err(_)) => {}
            _ => panic!("engine {engine:?} vs atat {via_atat:?}"),
        }
        engine
    }
}
