//! Echo, boot, plain commands, errors.

mod common;

use common::{config, Wire};

#[test]
fn echo_is_on_after_boot_and_ate0_reply_is_echoed() {
    let mut w = Wire::boot(config());
    w.send(b"AT\r");
    w.expect(b"AT\r\r\nOK\r\n");
    w.send(b"ATE0\r");
    w.expect(b"ATE0\r\r\nOK\r\n");
    w.send(b"AT\r\n");
    w.expect(b"\r\nOK\r\n");
    w.send(b"ATE1\r");
    w.expect(b"\r\nOK\r\n");
    w.send(b"at\r");
    w.expect(b"at\r\r\nOK\r\n");
}

#[test]
fn unknown_command_is_error() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+FOO", b"\r\nERROR\r\n");
    w.cmd("HELLO", b"\r\nERROR\r\n");
}
