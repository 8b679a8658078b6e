//! Nothing the user writes can become a command: `+++` in transparent data
//! framed by pauses does not make the module leave transparent mode, a file
//! name is never a pattern, and a receive buffer too small for its mode is
//! refused before anything is written.

mod common;

use std::time::Duration;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::{Error, FileName, ParamError};

/// A pause on the line longer than the module's guard time.
fn pause() {
    std::thread::sleep(Duration::from_millis(u64::from(GUARD_MS) * 2));
}

#[test]
fn plus_plus_plus_framed_by_pauses_in_user_data_stays_data() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let keep = FileName::new("RAM:keep.txt").unwrap();
    m.upload(keep, b"precious").unwrap();
    let sock = m
        .open(
            open_cmd(4, rig.server_port(), AccessMode::Transparent),
            buffer(4096),
        )
        .expect("open");
    // The user pauses, writes exactly `+++`, pauses again, then writes what
    // would be an AT command if the module had left transparent mode.
    let command = b"AT+QFDEL=\"RAM:keep.txt\"\r";
    pause();
    m.transparent(&sock).unwrap().write_all(b"+++").unwrap();
    pause();
    m.transparent(&sock).unwrap().write_all(command).unwrap();
    pause();
    assert!(
        rig.sim.in_transparent_mode(),
        "the module left transparent mode"
    );
    let mut want = b"+++".to_vec();
    want.extend_from_slice(command);
    let mut back = vec![0u8; want.len()];
    m.transparent(&sock).unwrap().read_exact(&mut back).unwrap();
    assert_eq!(back, want, "the peer got every byte as data");
    assert_eq!(
        rig.sim.file("RAM:keep.txt").as_deref(),
        Some(&b"precious"[..])
    );
    // The engine and the module agree: still transparent, and the escape
    // the driver asks for works.
    m.transparent(&sock).unwrap().escape().unwrap();
    assert!(!rig.sim.in_transparent_mode());
    m.close(&sock).unwrap();
}

#[test]
fn plus_runs_split_across_writes_after_a_pause_stay_data() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(5, rig.server_port(), AccessMode::Transparent),
            buffer(4096),
        )
        .expect("open");
    pause();
    for piece in [&b"+"[..], b"+", b"+"] {
        m.transparent(&sock).unwrap().write_all(piece).unwrap();
    }
    pause();
    assert!(
        rig.sim.in_transparent_mode(),
        "the module left transparent mode:\n{}",
        rig.sim.transcript()
    );
    m.transparent(&sock).unwrap().write_all(b"AT\r").unwrap();
    let mut back = [0u8; 6];
    m.transparent(&sock).unwrap().read_exact(&mut back).unwrap();
    assert_eq!(&back, b"+++AT\r");
    m.transparent(&sock).unwrap().escape().unwrap();
    m.close(&sock).unwrap();
}

#[test]
fn a_file_name_with_a_wildcard_is_refused_before_any_byte() {
    for name in ["*", "RAM:*", "UFS:*.pem", "RAM:ca?.pem"] {
        assert_eq!(
            FileName::new(name),
            Err(Error::InvalidParameter {
                param: "filename",
                reason: ParamError::Wildcard
            }),
            "{name}"
        );
    }
}

#[test]
fn a_receive_buffer_too_small_for_its_mode_is_refused_before_any_byte() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    rig.sim.clear_transcript();
    for (mode, small) in [
        (AccessMode::DirectPush, 1499),
        (AccessMode::Transparent, 63),
    ] {
        let err = m
            .open(open_cmd(0, rig.server_port(), mode), buffer(small))
            .unwrap_err();
        assert_eq!(
            err,
            Error::InvalidParameter {
                param: "receive buffer",
                reason: ParamError::BufferTooSmall(small + 1)
            }
        );
    }
    let written = rig
        .sim
        .transcript()
        .bytes(quectel_sim::transcript::Direction::ToModule);
    assert!(
        written.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&written)
    );
    // At the minimum each mode works.
    let sock = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::DirectPush),
            buffer(1500),
        )
        .unwrap();
    m.socket(&sock).write_all(b"fits").unwrap();
    let mut back = [0u8; 4];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(&back, b"fits");
    m.close(&sock).unwrap();
}
