//! Echo, boot, plain commands, errors.

mod common;

use std::time::Duration;

use common::{config, Wire};
use quectel_sim::{Fault, Urc};

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

#[test]
fn lf_after_cr_is_ignored_and_backspace_edits() {
    let mut w = Wire::boot(config());
    w.send(b"ATX\x08\r\n");
    w.expect(b"ATX\x08\r\r\nOK\r\n");
}

#[test]
fn urc_is_held_while_a_command_line_is_typed() {
    let mut w = Wire::boot(config());
    w.send(b"AT+QI");
    w.expect(b"AT+QI");
    w.handle.inject(Fault::UrcBurst {
        urc: Urc::Line("+QIND: \"act\",\"LTE\"".into()),
        count: 1,
    });
    w.send(b"ACT?\r");
    w.expect(b"ACT?\r\r\nOK\r\n\r\n+QIND: \"act\",\"LTE\"\r\n");
}

#[test]
fn urc_can_come_between_echo_and_response() {
    let mut w = Wire::boot(config().turnaround(Duration::from_secs(1)));
    w.send(b"AT\r");
    w.expect(b"AT\r");
    w.handle.inject(Fault::UrcBurst {
        urc: Urc::Recv { client: 1 },
        count: 1,
    });
    w.expect(b"\r\n+QSSLURC: \"recv\",1\r\n\r\nOK\r\n");
}

#[test]
fn cmee_cclk_cfun_and_ati() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+CMEE?", b"\r\n+CMEE: 1\r\n\r\nOK\r\n");
    w.cmd("AT+CMEE=2", b"\r\nOK\r\n");
    w.cmd("AT+CMEE?", b"\r\n+CMEE: 2\r\n\r\nOK\r\n");
    w.cmd("AT+CCLK=\"26/11/23,10:00:00+00\"", b"\r\nOK\r\n");
    w.send(b"AT+CCLK?\r");
    let clock = w.until(b"\r\n\r\nOK\r\n");
    assert!(
        clock.starts_with(b"\r\n+CCLK: \"26/11/23,10:00:0"),
        "{clock:?}"
    );
    w.cmd("AT+CCLK=\"26/13/23,10:00:00+00\"", b"\r\nERROR\r\n");
    w.cmd("AT+CFUN?", b"\r\n+CFUN: 1\r\n\r\nOK\r\n");
    w.cmd(
        "ATI",
        b"\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n",
    );
}

#[test]
fn test_forms() {
    let mut w = Wire::boot_quiet(config());
    w.cmd(
        "AT+QSSLOPEN=?",
        b"\r\n+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0-2)\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QSSLSEND=?",
        b"\r\n+QSSLSEND: (0-11),(1-1460)\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QSSLRECV=?",
        b"\r\n+QSSLRECV: (0-11),(1-1500)\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QSSLCLOSE=?",
        b"\r\n+QSSLCLOSE: (0-11),(0-65535)\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLSTATE=?", b"\r\nOK\r\n");
    w.send(b"AT+QSSLCFG=?\r");
    let all = w.until(b"\r\n\r\nOK\r\n");
    let text = String::from_utf8(all).unwrap();
    let lines: Vec<&str> = text
        .trim()
        .lines()
        .filter(|l| l.starts_with("+QSSLCFG: "))
        .collect();
    assert_eq!(lines.len(), 19);
    assert_eq!(lines[0], "+QSSLCFG: \"sslversion\",(0-5),(0-4)");
    assert!(lines[1].starts_with("+QSSLCFG: \"ciphersuite\",(0-5),(0X0035,0X002F,"));
    assert!(lines[1].ends_with(",0XC02F,0XFFFF)"));
    assert_eq!(lines[18], "+QSSLCFG: \"renegotiation\",(0-5),(0,1)");
}

#[test]
fn every_ssl_setting_can_be_set_and_queried() {
    let mut w = Wire::boot_quiet(config());
    let cases = [
        ("sslversion", "4", "3"),
        ("ciphersuite", "0XFFFF", "0XC02F"),
        ("cacert", "\"\"", "\"RAM:cacert.pem\""),
        ("cacertex", "\"\"", "\"UFS:ca.pem\""),
        ("clientcert", "\"\"", "\"RAM:client.pem\""),
        ("clientkey", "\"\"", "\"RAM:client.key\""),
        ("seclevel", "0", "2"),
        ("ignorelocaltime", "0", "1"),
        ("negotiatetime", "300", "120"),
        ("sni", "1", "0"),
        ("closetimemode", "0", "1"),
        ("ignoremulticertchainverify", "0", "1"),
        ("ignoreinvalidcertsign", "0", "1"),
        ("psk", "\"\",\"\"", "\"id\",\"key\""),
        ("dtls", "0", "1"),
        ("dtlsversion", "0", "1"),
        ("session_cache", "0", "1"),
        ("alpn", "\"\"", "\"h2\""),
        ("renegotiation", "0", "1"),
    ];
    for (name, default, value) in cases {
        w.cmd(
            &format!("AT+QSSLCFG=\"{name}\",2"),
            format!("\r\n+QSSLCFG: \"{name}\",2,{default}\r\n\r\nOK\r\n").as_bytes(),
        );
        w.cmd(&format!("AT+QSSLCFG=\"{name}\",2,{value}"), b"\r\nOK\r\n");
        w.cmd(
            &format!("AT+QSSLCFG=\"{name}\",2"),
            format!("\r\n+QSSLCFG: \"{name}\",2,{value}\r\n\r\nOK\r\n").as_bytes(),
        );
    }
    w.cmd("AT+QSSLCFG=\"ciphersuite\",2,\"0X0035\"", b"\r\nERROR\r\n");
    w.cmd("AT+QSSLCFG=\"ciphersuite\",2,0x0035", b"\r\nOK\r\n");
    w.cmd(
        "AT+QSSLCFG=\"ciphersuite\",2",
        b"\r\n+QSSLCFG: \"ciphersuite\",2,0X0035\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QSSLCFG=\"negotiatetime\",2,301", b"\r\nERROR\r\n");
}

#[test]
fn cacertex_alone_lists_all_six_contexts() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QSSLCFG=\"cacertex\",4,\"RAM:ca4.pem\"", b"\r\nOK\r\n");
    w.cmd(
        "AT+QSSLCFG=\"cacertex\"",
        b"\r\n+QSSLCFG: \"cacertex\",0,\"\"\r\n+QSSLCFG: \"cacertex\",1,\"\"\r\n+QSSLCFG: \"cacertex\",2,\"\"\r\n+QSSLCFG: \"cacertex\",3,\"\"\r\n+QSSLCFG: \"cacertex\",4,\"RAM:ca4.pem\"\r\n+QSSLCFG: \"cacertex\",5,\"\"\r\n\r\nOK\r\n",
    );
}

#[test]
fn pdp_contexts_and_addresses() {
    let mut w = Wire::boot_quiet(config().pdp_address(3, "10.1.2.3".parse().unwrap()));
    w.cmd("AT+QIACT?", b"\r\nOK\r\n");
    w.cmd(
        "AT+QICSGP=1",
        b"\r\n+QICSGP: 1,\"\",\"\",\"\",0\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", b"\r\nOK\r\n");
    w.cmd(
        "AT+QICSGP=3,3,\"internet\",\"user\",\"pass\",2",
        b"\r\nOK\r\n",
    );
    w.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    w.cmd("AT+QIACT=3", b"\r\nOK\r\n");
    w.cmd(
        "AT+QIACT?",
        b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n+QIACT: 3,1,3,\"10.1.2.3\"\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QICSGP=3",
        b"\r\n+QICSGP: 3,\"internet\",\"user\",\"pass\",2\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QIDEACT=3", b"\r\nOK\r\n");
    w.cmd(
        "AT+QIACT?",
        b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n",
    );
}
