//! `AT+QIGETERROR` after each failure, every code reached through the
//! situation that causes it.

mod common;

use std::time::Duration;

use common::{closed_port, config, echo, wait_peer, Wire};
use quectel_sim::testing::EchoServerOptions;
use quectel_sim::Fault;

#[test]
fn success_is_operate_successfully() {
    let mut w = Wire::boot_quiet(config());
    w.expect_error_code(0, "operate successfully");
}

#[test]
fn apn_not_configured_573_and_refused_apn_561() {
    let mut w = Wire::boot_quiet(config().reject_apn("blocked"));
    w.cmd("AT+QIACT=2", b"\r\nERROR\r\n");
    w.expect_error_code(573, "apn not configured");
    w.cmd("AT+QICSGP=2,1,\"blocked\",\"\",\"\",0", b"\r\nOK\r\n");
    w.cmd("AT+QIACT=2", b"\r\nERROR\r\n");
    w.expect_error_code(561, "open pdp context failed");
    w.cmd(
        "AT+QICSGP=2",
        b"\r\n+QICSGP: 1,\"blocked\",\"\",\"\",0\r\n\r\nOK\r\n",
    );
}

#[test]
fn activating_twice_and_dns_before_activation_are_not_allowed() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QIDNSCFG=1", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
    w.activate_pdp();
    w.cmd("AT+QIACT=1", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
    w.cmd(
        "AT+QIDNSCFG=1",
        b"\r\n+QIDNSCFG: 1,\"10.7.0.1\",\"10.7.0.2\"\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QIDNSCFG=1,\"8.8.8.8\"", b"\r\nOK\r\n");
    w.cmd(
        "AT+QIDNSCFG=1",
        b"\r\n+QIDNSCFG: 1,\"8.8.8.8\",\"10.7.0.2\"\r\n\r\nOK\r\n",
    );
}

#[test]
fn invalid_parameter_552() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QSSLOPEN=1,6,0,\"echo.test\",443,0", b"\r\nERROR\r\n");
    w.expect_error_code(552, "invalid parameter");
    w.cmd("AT+QSSLCFG=\"sslversion\",0,9", b"\r\nERROR\r\n");
    w.expect_error_code(552, "invalid parameter");
    w.cmd("AT+QSSLSEND=0,0", b"\r\nERROR\r\n");
    w.expect_error_code(552, "invalid parameter");
}

#[test]
fn pdp_not_active_570() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QSSLOPEN=1,1,0,\"echo.test\",443,0", b"\r\nERROR\r\n");
    w.expect_error_code(570, "pdp context break down");
}

#[test]
fn socket_in_use_563_busy_568_and_not_allowed_572() {
    let (_pki, server) = echo(EchoServerOptions::default().stall_handshake());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},0", server.port()),
        b"\r\nOK\r\n",
    );
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},0", server.port()),
        b"\r\nERROR\r\n",
    );
    w.expect_error_code(563, "socket identity has been used");
    w.cmd("AT+QSSLSEND=0", b"\r\nERROR\r\n");
    w.expect_error_code(568, "operation busy");
    w.cmd("AT+QSSLRECV=0,10", b"\r\nERROR\r\n");
    w.expect_error_code(568, "operation busy");
    w.send(b"AT+QSSLSTATE=0\r");
    let line = w.until(b"\r\n\r\nOK\r\n");
    assert!(
        String::from_utf8_lossy(&line)
            .contains(&format!(",{},0,1,1,0,0,\"uart1\",1", server.port())),
        "opening, local port 0: {line:?}"
    );
    w.cmd("AT+QSSLCLOSE=0", b"\r\nOK\r\n");
    w.cmd("AT+QSSLSEND=1", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
    w.cmd("AT+QSSLRECV=1,10", b"\r\nERROR\r\n");
    w.expect_error_code(572, "operation not allowed");
}

#[test]
fn dns_failure_565() {
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.cmd("AT+QSSLOPEN=1,1,0,\"nowhere.invalid\",443,0", b"\r\nOK\r\n");
    w.expect(b"\r\n+QSSLOPEN: 0,565\r\n");
    w.expect_error_code(565, "dns parse failed");
    w.cmd("AT+QIDNSCFG=1,\"0.0.0.0\",\"0.0.0.0\"", b"\r\nOK\r\n");
    w.cmd("AT+QSSLOPEN=1,1,0,\"echo.test\",443,0", b"\r\nOK\r\n");
    w.expect(b"\r\n+QSSLOPEN: 0,565\r\n");
}

#[test]
fn dns_busy_564() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config().dns_delay(Duration::from_millis(1500)));
    w.activate_pdp();
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},0", server.port()),
        b"\r\nOK\r\n",
    );
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,1,\"echo.test\",{},0", server.port()),
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 1,564\r\n");
    w.expect_error_code(564, "dns busy");
    w.expect(b"\r\n+QSSLOPEN: 0,0\r\n");
}

#[test]
fn connection_refused_566() {
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    let port = closed_port();
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"127.0.0.1\",{port},1"),
        b"\r\nOK\r\n",
    );
    w.expect(b"\r\n+QSSLOPEN: 0,566\r\n");
    w.expect_error_code(566, "socket connection failed");
    w.cmd("AT+QSSLSTATE", b"\r\nOK\r\n");
}

#[test]
fn reset_by_peer_makes_the_next_read_fail_559() {
    let (_pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.open(1, 0, "echo.test", server.port(), 0);
    wait_peer(&w, &server, 0);
    server.reset_all();
    w.expect(b"\r\n+QSSLURC: \"closed\",0\r\n");
    w.cmd("AT+QSSLRECV=0,100", b"\r\nERROR\r\n");
    w.expect_error_code(559, "socket read failed");
}

#[test]
fn fault_only_codes_come_from_error_next() {
    let mut w = Wire::boot_quiet(config());
    for (code, text) in [
        (550, "unknown error"),
        (553, "memory not enough"),
        (554, "create socket failed"),
        (556, "socket bind failed"),
        (557, "socket listen failed"),
        (558, "socket write failed"),
        (560, "socket accept failed"),
        (562, "close pdp context failed"),
        (574, "port busy"),
    ] {
        w.handle.inject(Fault::ErrorNext { count: 1, code });
        w.cmd("AT+QIDEACT=1", b"\r\nERROR\r\n");
        w.expect_error_code(code, text);
    }
}
