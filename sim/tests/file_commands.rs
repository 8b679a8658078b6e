//! The RAM/UFS file system: AT+QFUPL (checksum, ACK mode, timeout, limits),
//! AT+QFDEL, AT+QFLST, and the +CME ERROR formats.

mod common;

use common::{config, Wire};

/// An independent checksum: XOR of big-endian 16-bit words.
fn checksum(data: &[u8]) -> String {
    let mut sum = 0u16;
    for pair in data.chunks(2) {
        let word = (u16::from(pair[0]) << 8) | u16::from(*pair.get(1).unwrap_or(&0));
        sum ^= word;
    }
    format!("{sum:x}")
}

#[test]
fn upload_reports_size_and_checksum() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QFUPL=\"RAM:a.bin\",2", b"\r\nCONNECT\r\n");
    w.send(&[0x0f, 0x5f]);
    w.expect(b"\r\n+QFUPL: 2,f5f\r\n\r\nOK\r\n");
    w.cmd("AT+QFUPL=\"RAM:b.bin\",3", b"\r\nCONNECT\r\n");
    w.send(&[0x12, 0x34, 0x56]);
    w.expect(b"\r\n+QFUPL: 3,4434\r\n\r\nOK\r\n");
    let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    w.cmd("AT+QFUPL=\"UFS:c.bin\",1000", b"\r\nCONNECT\r\n");
    w.send(&data);
    w.expect(format!("\r\n+QFUPL: 1000,{}\r\n\r\nOK\r\n", checksum(&data)).as_bytes());
    assert_eq!(w.handle.file("UFS:c.bin").unwrap(), data);
    assert_eq!(w.handle.file("c.bin").unwrap(), data);
}

#[test]
fn upload_data_is_raw_and_not_echoed() {
    let mut w = Wire::boot(config());
    w.send(b"AT+QFUPL=\"RAM:x\",5\r");
    w.expect(b"AT+QFUPL=\"RAM:x\",5\r\r\nCONNECT\r\n");
    w.send(b"\r\n\x1a\x1bA");
    w.expect(format!("\r\n+QFUPL: 5,{}\r\n\r\nOK\r\n", checksum(b"\r\n\x1a\x1bA")).as_bytes());
}

#[test]
fn ack_mode_writes_a_after_each_kilobyte() {
    let mut w = Wire::boot_quiet(config());
    let data: Vec<u8> = (0..2500u32).map(|i| (i % 256) as u8).collect();
    w.cmd("AT+QFUPL=\"RAM:big.bin\",2500,5,1", b"\r\nCONNECT\r\n");
    w.send(&data[..1024]);
    w.expect(b"A");
    w.send(&data[1024..2048]);
    w.expect(b"A");
    w.send(&data[2048..]);
    w.expect(format!("\r\n+QFUPL: 2500,{}\r\n\r\nOK\r\n", checksum(&data)).as_bytes());
}

#[test]
fn upload_timeout_reports_what_came_then_421() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QFUPL=\"RAM:slow.bin\",20,1", b"\r\nCONNECT\r\n");
    w.send(&[0xab; 10]);
    w.expect(
        format!(
            "\r\n+QFUPL: 10,{}\r\n\r\n+CME ERROR: 421\r\n",
            checksum(&[0xab; 10])
        )
        .as_bytes(),
    );
    assert_eq!(w.handle.file("RAM:slow.bin"), None);
    w.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn existing_file_missing_file_and_bad_names() {
    let mut w = Wire::boot_quiet(config());
    w.handle.put_file("RAM:a.pem", b"x").unwrap();
    w.cmd("AT+QFUPL=\"RAM:a.pem\",1", b"\r\n+CME ERROR: 407\r\n");
    w.cmd("AT+QFDEL=\"RAM:none\"", b"\r\n+CME ERROR: 405\r\n");
    let long = format!("RAM:{}", "n".repeat(77));
    w.cmd(
        &format!("AT+QFUPL=\"{long}\",1"),
        b"\r\n+CME ERROR: 406\r\n",
    );
    w.cmd("AT+QFUPL=\"RAM:zero\",0", b"\r\n+CME ERROR: 400\r\n");
    w.cmd("AT+QFUPL=\"SD:a\",1", b"\r\n+CME ERROR: 4\r\n");
    w.cmd("AT+CMEE=2", b"\r\nOK\r\n");
    w.cmd(
        "AT+QFUPL=\"SD:a\",1",
        b"\r\n+CME ERROR: operation not supported\r\n",
    );
    w.cmd("AT+QFDEL=\"RAM:none\"", b"\r\n+CME ERROR: 405\r\n");
    w.cmd("AT+CMEE=0", b"\r\nOK\r\n");
    w.cmd("AT+QFDEL=\"RAM:none\"", b"\r\nERROR\r\n");
    w.cmd("AT+QFUPL=RAM:a,1", b"\r\nERROR\r\n");
}

#[test]
fn drive_size_limits() {
    let mut w = Wire::boot_quiet(config().drive_sizes(100, 1000));
    w.cmd("AT+QFUPL=\"RAM:big\",101", b"\r\n+CME ERROR: 423\r\n");
    w.handle.put_file("RAM:a", &[0; 60]).unwrap();
    w.cmd("AT+QFUPL=\"RAM:b\",41", b"\r\n+CME ERROR: 420\r\n");
    w.handle.put_file("RAM:b", &[0; 40]).unwrap();
    w.cmd("AT+QFUPL=\"RAM:c\",1", b"\r\n+CME ERROR: 403\r\n");
}

#[test]
fn listing_and_deleting() {
    let mut w = Wire::boot_quiet(config());
    w.cmd("AT+QFLST=\"RAM:*\"", b"\r\nOK\r\n");
    w.handle.put_file("RAM:a.pem", &[0; 10]).unwrap();
    w.handle.put_file("RAM:b.pem", &[0; 20]).unwrap();
    w.handle.put_file("UFS:u.pem", &[0; 5]).unwrap();
    w.cmd(
        "AT+QFLST=\"RAM:*\"",
        b"\r\n+QFLST: \"RAM:a.pem\",10\r\n+QFLST: \"RAM:b.pem\",20\r\n\r\nOK\r\n",
    );
    w.cmd(
        "AT+QFLST=\"*\"",
        b"\r\n+QFLST: \"UFS:u.pem\",5\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QFLST", b"\r\n+QFLST: \"UFS:u.pem\",5\r\n\r\nOK\r\n");
    w.cmd("AT+QFDEL=\"RAM:a.pem\"", b"\r\nOK\r\n");
    w.cmd(
        "AT+QFLST=\"RAM:*\"",
        b"\r\n+QFLST: \"RAM:b.pem\",20\r\n\r\nOK\r\n",
    );
    w.cmd("AT+QFDEL=\"RAM:*\"", b"\r\nOK\r\n");
    w.cmd("AT+QFLST=\"RAM:*\"", b"\r\nOK\r\n");
}

#[test]
fn ufs_names_without_prefix_as_some_firmware_prints() {
    let mut w = Wire::boot_quiet(config().ufs_prefix_in_list(false));
    w.handle.put_file("UFS:u.pem", &[0; 5]).unwrap();
    w.cmd("AT+QFLST=\"*\"", b"\r\n+QFLST: \"u.pem\",5\r\n\r\nOK\r\n");
}
