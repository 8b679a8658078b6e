//! Exact bytes of the module-wide commands and the clock format.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::testing::{answer, bytes};
use crate::NoResponse;

#[test]
fn echo_dtr_errors_and_at() {
    assert_eq!(bytes(&At), "AT\r");
    assert_eq!(bytes(&SetEcho(false)), "ATE0\r");
    assert_eq!(bytes(&SetEcho(true)), "ATE1\r");
    assert_eq!(bytes(&SetDtrFunction(DtrFunction::CommandMode)), "AT&D1\r");
    assert_eq!(bytes(&SetErrorFormat(CmeFormat::Numeric)), "AT+CMEE=1\r");
    // The reply to ATE0 is itself echoed.
    assert_eq!(answer(&SetEcho(false), b"ATE0\r\r\nOK\r\n"), Ok(NoResponse));
}

#[test]
fn clock_set_and_read() {
    let t = DateTime::new(2026, 11, 23, 9, 5, 7, 4).unwrap();
    assert_eq!(bytes(&SetClock(t)), "AT+CCLK=\"26/11/23,09:05:07+04\"\r");
    let west = DateTime::new(2030, 2, 28, 23, 59, 59, -20).unwrap();
    assert_eq!(bytes(&SetClock(west)), "AT+CCLK=\"30/02/28,23:59:59-20\"\r");
    assert_eq!(bytes(&GetClock), "AT+CCLK?\r");
    let got = answer(
        &GetClock,
        b"\r\n+CCLK: \"26/11/23,09:05:07+04\"\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(got, t);
    assert_eq!(got.quarters(), 4);
    assert!(answer(
        &GetClock,
        b"\r\n+CCLK: \"26/13/23,09:05:07+04\"\r\n\r\nOK\r\n"
    )
    .is_err());
    assert!(answer(&GetClock, b"\r\n+CCLK: \"garbage\"\r\n\r\nOK\r\n").is_err());
}

#[test]
fn impossible_times_are_refused() {
    assert!(DateTime::new(2026, 2, 29, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(2028, 2, 29, 0, 0, 0, 0).is_ok());
    assert!(DateTime::new(2026, 4, 31, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(1999, 1, 1, 0, 0, 0, 0).is_err());
    assert!(DateTime::new(2026, 1, 1, 24, 0, 0, 0).is_err());
    assert!(DateTime::new(2026, 1, 1, 0, 0, 0, 57).is_err());
    assert!(DateTime::new(2026, 1, 1, 0, 0, 0, -49).is_err());
}

#[test]
fn sim_status_and_functionality_claim_their_boot_lines() {
    assert_eq!(bytes(&GetSimStatus), "AT+CPIN?\r");
    assert_eq!(bytes(&GetFunctionality), "AT+CFUN?\r");
    assert!(GetSimStatus.claims_urc(b"+CPIN: READY"));
    assert!(!GetSimStatus.claims_urc(b"+CFUN: 1"));
    assert!(GetFunctionality.claims_urc(b"+CFUN: 1"));
    assert!(!At.claims_urc(b"+CPIN: READY"));
    // (The framer sees these lines as URCs: the engine hands the claimed
    // ones to the command in flight, see tests/real_firmware_answers.rs.)
    let mut sim = None;
    GetSimStatus.line(&mut sim, b"+CPIN: SIM PIN").unwrap();
    let status = GetSimStatus.finish(sim).unwrap();
    assert_eq!(status.0, "SIM PIN");
    assert!(!status.is_ready());
    let mut fun = None;
    GetFunctionality.line(&mut fun, b"+CFUN: 4").unwrap();
    assert_eq!(GetFunctionality.finish(fun), Ok(Functionality(4)));
}
