//! Every injectable fault, observed on the wire.

mod common;

use common::{config, echo, wait_peer, Wire, BOOT};
use quectel_sim::at::{SslSetting, SslSettingName};
use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{Fault, Urc};

fn connected(mode: u8) -> (Wire, EchoServer, TestPki) {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 2, "echo.test", server.port(), mode);
    wait_peer(&w, &server, 2);
    (w, server, pki)
}

#[test]
fn peer_close_gives_closed_urc() {
    let (mut w, _server, _pki) = connected(0);
    w.handle.inject(Fault::PeerClose { client: 2 });
    w.expect(b"\r\n+QSSLURC: \"closed\",2\r\n");
    w.cmd("AT+QSSLSEND=2,1", b"\r\nERROR\r\n");
    w.expect_error_code(567, "socket has been closed");
}

#[test]
fn pdp_deactivation_closes_its_sockets() {
    let (mut w, _server, _pki) = connected(0);
    w.handle.inject(Fault::PdpDeactivate { ctx: 1 });
    w.expect(b"\r\n+QIURC: \"pdpdeact\",1\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    w.cmd("AT+QIACT?", b"\r\nOK\r\n");
    w.cmd("AT+QSSLSEND=2", b"\r\nERROR\r\n");
    w.expect_error_code(570, "pdp context break down");
}

#[test]
fn reboot_loses_everything_and_turns_echo_back_on() {
    let (mut w, _server, _pki) = connected(0);
    w.cmd("AT+QSSLCFG=\"sni\",3,0", b"\r\nOK\r\n");
    w.handle.inject(Fault::Reboot);
    w.expect(b"\r\n+QIURC: \"pdpdeact\",1\r\n");
    w.expect(BOOT);
    w.send(b"AT\r");
    w.expect(b"AT\r\r\nOK\r\n");
    w.send(b"AT+QSSLSTATE\r");
    w.expect(b"AT+QSSLSTATE\r\r\nOK\r\n");
    w.send(b"AT+QIACT?\r");
    w.expect(b"AT+QIACT?\r\r\nOK\r\n");
    assert_eq!(
        w.handle.ssl_setting(3, SslSettingName::Sni),
        Some(SslSetting::Sni(true))
    );
    assert_eq!(w.handle.file("RAM:cacert.pem"), None);
}

#[test]
fn reset_by_at_cfun_reboots_too() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+CFUN=1,1", b"\r\nOK\r\n");
    w.expect(BOOT);
    w.send(b"AT\r");
    w.expect(b"AT\r\r\nOK\r\n");
}

#[test]
fn error_next_answers_error_with_the_chosen_code() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::ErrorNext {
        count: 2,
        code: 551,
    });
    w.cmd("AT", b"\r\nERROR\r\n");
    w.expect_error_code(551, "operation blocked");
    w.cmd("AT+QFLST", b"\r\n+CME ERROR: 551\r\n");
    w.cmd("AT", b"\r\nOK\r\n");
    w.expect_error_code(551, "operation blocked");
}

#[test]
fn stalled_command_gets_no_answer() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::Stall { count: 1 });
    w.send(b"AT+QIACT?\r");
    w.send(b"AT+CMEE?\r");
    w.expect(b"\r\n+CMEE: 1\r\n\r\nOK\r\n");
}

#[test]
fn send_fail_burst() {
    let (mut w, _server, _pki) = connected(0);
    w.handle.inject(Fault::SendFail { count: 2 });
    for _ in 0..2 {
        w.cmd("AT+QSSLSEND=2,2", b"\r\n> ");
        w.send(b"hi");
        w.expect(b"\r\nSEND FAIL\r\n");
    }
    w.cmd("AT+QSSLSEND=2,2", b"\r\n> ");
    w.send(b"hi");
    w.expect(b"\r\nSEND OK\r\n");
}

#[test]
fn urc_burst() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::UrcBurst {
        urc: Urc::Recv { client: 1 },
        count: 3,
    });
    w.expect(b"\r\n+QSSLURC: \"recv\",1\r\n".repeat(3).as_slice());
    w.handle.inject(Fault::UrcBurst {
        urc: Urc::Line("+QIND: \"csq\",20,99".into()),
        count: 1,
    });
    w.expect(b"\r\n+QIND: \"csq\",20,99\r\n");
}

#[test]
fn urc_in_the_middle_of_a_response() {
    let mut w = Wire::boot(config());
    w.handle.put_file("RAM:a.pem", b"0123456789").unwrap();
    w.handle.put_file("RAM:b.pem", &[0; 20]).unwrap();
    w.handle.inject(Fault::UrcMidResponse {
        urc: Urc::Recv { client: 0 },
        after: 1,
    });
    w.send(b"AT+QFLST=\"RAM:*\"\r");
    w.expect(
        b"AT+QFLST=\"RAM:*\"\r\r\n+QFLST: \"RAM:a.pem\",10\r\n\r\n+QSSLURC: \"recv\",0\r\n+QFLST: \"RAM:b.pem\",20\r\n\r\nOK\r\n",
    );
    w.handle.inject(Fault::UrcMidResponse {
        urc: Urc::Closed { client: 3 },
        after: 0,
    });
    w.send(b"AT+CMEE?\r");
    w.expect(b"AT+CMEE?\r\r\n+QSSLURC: \"closed\",3\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n");
}

#[test]
fn corrupted_bytes_from_the_host() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::CorruptRx { skip: 0, count: 1 });
    w.cmd("AT", b"\r\nERROR\r\n");
    w.cmd("AT", b"\r\nOK\r\n");
    let to_module = w
        .handle
        .transcript()
        .bytes(quectel_sim::transcript::Direction::ToModule);
    assert!(
        to_module.ends_with(b"AT\rAT\r"),
        "the transcript shows what the host sent"
    );
}

#[test]
fn corrupted_bytes_to_the_host() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::CorruptTx { skip: 2, count: 1 });
    w.cmd("AT", b"\r\nNK\r\n");
    w.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn dropped_bytes_both_ways() {
    let mut w = Wire::boot_quiet(config());
    w.handle.inject(Fault::DropRx { skip: 0, count: 1 });
    w.cmd("AT", b"\r\nERROR\r\n");
    w.handle.inject(Fault::DropTx { skip: 2, count: 2 });
    w.cmd("AT", b"\r\n\r\n");
    w.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn wedged_stack_answers_552_to_every_open_until_reboot() {
    let (pki, server) = echo(EchoServerOptions::default());
    let mut w = Wire::boot_quiet(config());
    w.activate_pdp();
    w.handle.inject(Fault::Wedged(true));
    for client in [0, 1] {
        w.cmd(
            &format!("AT+QSSLOPEN=1,1,{client},\"echo.test\",{},0", server.port()),
            b"\r\nOK\r\n",
        );
        w.expect(format!("\r\n+QSSLOPEN: {client},552\r\n").as_bytes());
    }
    w.expect_error_code(552, "invalid parameter");
    w.cmd(
        &format!("AT+QSSLOPEN=1,1,0,\"echo.test\",{},2", server.port()),
        b"\r\nERROR\r\n",
    );
    w.handle.inject(Fault::Reboot);
    w.expect(b"\r\n+QIURC: \"pdpdeact\",1\r\n");
    w.expect(BOOT);
    w.send(b"ATE0\r");
    w.expect(b"ATE0\r\r\nOK\r\n");
    w.activate_pdp();
    w.trust(1, &pki);
    w.open(1, 0, "echo.test", server.port(), 0);
}
