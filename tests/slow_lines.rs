//! Slow serial lines: a command's deadline counts the module's silence, not
//! the time its answer takes on the line. Through the simulator paced at
//! 9,600, 38,400 and 115,200 baud: buffer-mode reads of 1,500 bytes, and
//! three 1,500-byte pushes queued ahead of a command's answer, with no
//! timeout and every byte delivered once, in order.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::testing::EchoServerOptions;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::command::ssl_socket::GetLastError;

/// A rig whose line runs at `baud`.
fn rig_at(baud: u32) -> (Rig, SimModem) {
    let mut rig = Rig::with(
        EchoServerOptions::default().rsa(),
        sim_config().baud(Some(baud)),
    );
    let m = rig.ready();
    (rig, m)
}

/// Echo `len` bytes through one socket in `mode`: written in full, then
/// read back in full and compared.
fn echo(m: &mut SimModem, port: u16, mode: AccessMode, len: usize, seed: u8) {
    let sock = m
        .open(open_cmd(0, port, mode), buffer(8 * 1024))
        .expect("open");
    let sent = pattern(len, seed);
    m.socket(&sock).write_all(&sent).expect("write");
    let mut back = vec![0u8; len];
    m.socket(&sock).read_exact(&mut back).expect("read back");
    assert!(back == sent, "the echo differs from what was sent");
    m.close(&sock).expect("close");
}

fn buffer_reads_of_1500_bytes_at(baud: u32) {
    let (rig, mut m) = rig_at(baud);
    // 3,000 bytes come back as two `AT+QSSLRECV` answers of 1,500 bytes:
    // 1.6 s each on the line at 9,600 baud, five times the module's 300 ms.
    echo(&mut m, rig.server_port(), AccessMode::Buffer, 3_000, 1);
}

fn pushes_queued_ahead_of_an_answer_at(baud: u32) {
    let (rig, mut m) = rig_at(baud);
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::DirectPush),
            buffer(8 * 1024),
        )
        .expect("open");
    let sent = pattern(4_500, 7);
    m.socket(&sock).write_all(&sent).expect("write");
    // The echo comes back as pushes while this command waits behind them
    // on the line: its answer is late by their line time, not by the
    // module's latency.
    assert!(rig
        .server
        .wait_for(std::time::Duration::from_secs(60), |c| {
            c.iter().any(|c| c.received >= sent.len())
        }));
    m.command(GetLastError)
        .expect("a command behind three pushes");
    let mut back = vec![0u8; sent.len()];
    m.socket(&sock).read_exact(&mut back).expect("read back");
    assert!(back == sent, "the echo differs from what was sent");
    m.close(&sock).expect("close");
}

#[test]
fn buffer_reads_of_1500_bytes_at_9600_baud() {
    buffer_reads_of_1500_bytes_at(9_600);
}

#[test]
fn buffer_reads_of_1500_bytes_at_38400_baud() {
    buffer_reads_of_1500_bytes_at(38_400);
}

#[test]
fn buffer_reads_of_1500_bytes_at_115200_baud() {
    buffer_reads_of_1500_bytes_at(115_200);
}

#[test]
fn pushes_queued_ahead_of_an_answer_at_9600_baud() {
    pushes_queued_ahead_of_an_answer_at(9_600);
}

#[test]
fn pushes_queued_ahead_of_an_answer_at_38400_baud() {
    pushes_queued_ahead_of_an_answer_at(38_400);
}

#[test]
fn pushes_queued_ahead_of_an_answer_at_115200_baud() {
    pushes_queued_ahead_of_an_answer_at(115_200);
}
