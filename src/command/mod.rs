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
