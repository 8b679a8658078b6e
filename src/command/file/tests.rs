//! Exact bytes of the file commands and their typed answers.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::testing::{answer, bytes};
use crate::NoResponse;

fn name(n: &str) -> FileName<'_> {
    FileName::new(n).unwrap()
}

#[test]
fn upload_forms() {
    let plain = UploadFile::new(name("RAM:cacert.pem"), 1234, None, AckMode::Off).unwrap();
    assert_eq!(bytes(&plain), "AT+QFUPL=\"RAM:cacert.pem\",1234\r");
    assert_eq!(plain.expectation(), Expect::Upload { ack: false });
    let timed = UploadFile::new(name("RAM:a"), 10, Some(60), AckMode::Off).unwrap();
    assert_eq!(bytes(&timed), "AT+QFUPL=\"RAM:a\",10,60\r");
    let acked = UploadFile::new(name("RAM:a"), 4096, None, AckMode::PerBlock).unwrap();
    assert_eq!(bytes(&acked), "AT+QFUPL=\"RAM:a\",4096,5,1\r");
    assert!(UploadFile::new(name("RAM:a"), 0, None, AckMode::Off).is_err());
    assert_eq!(answer(&plain, b"\r\nCONNECT\r\n"), Ok(NoResponse));
    assert_eq!(
        answer(&plain, b"\r\n+CME ERROR: 407\r\n"),
        Err(crate::Error::Cme(crate::CmeError::Code(407)))
    );
}

#[test]
fn upload_data_and_the_module_checksum() {
    let data = FileData {
        data: b"\x12\x34\x56",
    };
    assert_eq!(bytes(&data), "\x12\x34\x56");
    let got = answer(&data, b"\r\n+QFUPL: 3,4434\r\n\r\nOK\r\n").unwrap();
    assert_eq!(
        got,
        UploadStatus::Complete(Uploaded {
            size: 3,
            checksum: 0x4434
        })
    );
    assert_eq!(checksum(b"\x12\x34\x56"), 0x4434);
    // Lower-case, not zero-padded.
    let got = answer(&data, b"\r\n+QFUPL: 3,f5f\r\n\r\nOK\r\n").unwrap();
    assert_eq!(
        got,
        UploadStatus::Complete(Uploaded {
            size: 3,
            checksum: 0xf5f
        })
    );
    // An intermediate result, then the error (timeout).
    assert_eq!(
        answer(&data, b"\r\n+QFUPL: 2,1234\r\n\r\n+CME ERROR: 421\r\n"),
        Err(crate::Error::Cme(crate::CmeError::Code(421)))
    );
}

#[test]
fn delete_and_list() {
    assert_eq!(
        bytes(&DeleteFile {
            name: name("RAM:cacert.pem")
        }),
        "AT+QFDEL=\"RAM:cacert.pem\"\r"
    );
    let list = ListFiles::<2> {
        pattern: crate::FilePattern::new("*").unwrap(),
    };
    assert_eq!(bytes(&list), "AT+QFLST=\"*\"\r");
    let raw = b"\r\n+QFLST: \"UFS:a.pem\",10\r\n+QFLST: \"b.pem\",20\r\n+QFLST: \"c.pem\",30\r\n\r\nOK\r\n";
    let got = answer(&list, raw).unwrap();
    assert_eq!(got.entries.len(), 2);
    assert!(got.truncated);
    assert!(got.entries[0].is("a.pem"));
    assert!(got.entries[1].is("UFS:b.pem"));
    assert_eq!(got.entries[1].size, 20);
    let empty = answer(&list, b"\r\nOK\r\n").unwrap();
    assert!(empty.entries.is_empty() && !empty.truncated);
}
