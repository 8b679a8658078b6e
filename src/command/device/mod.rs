//! Module-wide commands a session needs: `AT`, `ATE0`/`ATE1`, `AT&D`,
//! `AT+CMEE`, `AT+CCLK` (vendor's AT commands manual).

mod clock;

use super::{answers_ok, atat_command, single_line, AtCommand};
use crate::command::ssl_config::types::wire_enum;
use crate::error::Error;
use crate::wire::Encoder;
use crate::wire::{owned, trim, Fields};
pub use clock::DateTime;

mod tests;

/// `AT` — check that the module answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct At;

impl AtCommand for At {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT");
    }
}
atat_command!([] At);

/// `ATE0` / `ATE1` — command echo off / on (on after every boot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetEcho(pub bool);

impl AtCommand for SetEcho {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text(if self.0 { "ATE1" } else { "ATE0" });
    }
}
atat_command!([] SetEcho);

wire_enum! {
    /// `AT&D<value>`: what a DTR ON→OFF transition does.
    DtrFunction: "value" {
        /// 0: ignore DTR.
        Ignore = 0,
        /// 1: leave transparent mode, keep the connection (like `+++`).
        CommandMode = 1,
        /// 2: leave transparent mode and close the connection.
        Disconnect = 2,
    }
}

/// `AT&D<value>` — set the DTR function (`AT&D1` before using DTR to leave
/// transparent mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetDtrFunction(pub DtrFunction);

impl AtCommand for SetDtrFunction {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT&D").uint(self.0.code().into());
    }
}
atat_command!([] SetDtrFunction);

wire_enum! {
    /// `AT+CMEE=<n>`: how `+CME ERROR` reports errors.
    CmeFormat: "n" {
        /// 0: a bare `ERROR`.
        Disabled = 0,
        /// 1: `+CME ERROR: <code>`.
        Numeric = 1,
        /// 2: `+CME ERROR: <text>` (numbers for some errors).
        Verbose = 2,
    }
}

/// `AT+CMEE=<n>` — choose the `+CME ERROR` format (FILE commands use it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetErrorFormat(pub CmeFormat);

impl AtCommand for SetErrorFormat {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+CMEE=").uint(self.0.code().into());
    }
}
atat_command!([] SetErrorFormat);

/// `AT+CCLK="yy/MM/dd,hh:mm:ss±zz"` — set the module clock (certificate
/// validity is checked against it unless `ignorelocaltime` is 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetClock(pub DateTime);

impl AtCommand for SetClock {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+CCLK=\"");
        self.0.encode(e);
        e.bytes(b"\"");
    }
}
atat_command!([] SetClock);

/// `AT+CCLK?` — read the module clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetClock;

impl atat::AtatResp for DateTime {}

impl AtCommand for GetClock {
    type Response = DateTime;
    type Partial = Option<DateTime>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+CCLK?");
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        single_line(partial, line, b"+CCLK:", |mut f: Fields<'_>| {
            DateTime::parse(trim(f.string()?))
        })
    }
    fn finish(&self, partial: Self::Partial) -> Result<DateTime, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] GetClock);

/// `AT+CPIN?` — the SIM's state: `READY`, or what it waits for (`SIM PIN`,
/// `SIM PUK`, ...). The module prints `+CPIN: READY` on its own at boot:
/// while this command is in flight that line is its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetSimStatus;

/// The answer to [`GetSimStatus`]: `<code>` as the module printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SimStatus(pub heapless::String<16>);

impl atat::AtatResp for SimStatus {}

impl SimStatus {
    /// The SIM is ready (no PIN or PUK wanted).
    pub fn is_ready(&self) -> bool {
        self.0 == "READY"
    }
}

impl AtCommand for GetSimStatus {
    type Response = SimStatus;
    type Partial = Option<SimStatus>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+CPIN?");
    }
    fn claims_urc(&self, line: &[u8]) -> bool {
        line.starts_with(b"+CPIN:")
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        single_line(partial, line, b"+CPIN:", |mut f: Fields<'_>| {
            Ok(SimStatus(owned(trim(f.rest()))?))
        })
    }
    fn finish(&self, partial: Self::Partial) -> Result<SimStatus, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] GetSimStatus);

/// `AT+CFUN?` — the module's functionality level (`1`: full). The module
/// prints `+CFUN: 1` on its own at boot: while this command is in flight
/// that line is its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetFunctionality;

/// The answer to [`GetFunctionality`]: `<fun>` (0 minimum, 1 full, 4 flight
/// mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Functionality(pub u8);

impl atat::AtatResp for Functionality {}

impl AtCommand for GetFunctionality {
    type Response = Functionality;
    type Partial = Option<Functionality>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+CFUN?");
    }
    fn claims_urc(&self, line: &[u8]) -> bool {
        line.starts_with(b"+CFUN:")
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        single_line(partial, line, b"+CFUN:", |mut f: Fields<'_>| {
            Ok(Functionality(f.u8()?))
        })
    }
    fn finish(&self, partial: Self::Partial) -> Result<Functionality, Error> {
        partial.ok_or(Error::UnexpectedResponse)
    }
}
atat_command!([] GetFunctionality);
