//! What each line is: every result code, echoes, upload acknowledgements,
//! transparent-mode bytes, boot and unknown lines as URCs, and answers that
//! look like URCs or come as lists.

use super::*;
use crate::command::ssl_config::{FilePath, SslConfigValue};
use crate::command::{parse_body, ssl_socket};

#[test]
fn every_result_code() {
    let cases: &[(&[u8], &str)] = &[
        (b"\r\nSEND OK\r\n", "SendOk"),
        (b"\r\nSEND FAIL\r\n", "SendFail"),
        (b"\r\nCONNECT\r\n", "Connect"),
        (b"\r\nCONNECT 115200\r\n", "Connect"),
        (b"\r\nNO CARRIER\r\n", "NoCarrier"),
        (b"\r\nERROR\r\n", "Error"),
        (b"\r\n+CME ERROR: 421\r\n", "CmeError([52, 50, 49])"),
        (b"\r\n+CME ERROR: SIM not inserted\r\n", "CmeError("),
        (b"\r\n+CMS ERROR: 500\r\n", "CmsError([53, 48, 48])"),
    ];
    for (stream, want) in cases {
        let got = frames(stream, Expect::Response);
        let [Ev::Final(f)] = &got[..] else {
            panic!("{got:?}")
        };
        assert!(f.starts_with(want), "{f} vs {want}");
        assert_eq!(digested(stream, 256).len(), 1);
    }
    assert_eq!(
        FinalResult::CmeError(b"421").error(),
        Some(crate::Error::Cme(crate::CmeError::Code(421)))
    );
    assert_eq!(
        FinalResult::CmeError(b"552").error(),
        Some(crate::Error::Ssl(crate::SslErrorCode::InvalidParameter))
    );
    assert_eq!(
        FinalResult::SendFail.error(),
        Some(crate::Error::SendFailed)
    );
    assert_eq!(
        digested(b"\r\nSEND FAIL\r\n", 64),
        vec![Out::Error(
            "Custom([83, 69, 78, 68, 32, 70, 65, 73, 76])".into()
        )]
    );
    // NO CARRIER with nothing in flight: the connection dropped on its own.
    assert_eq!(
        frames(b"\r\nNO CARRIER\r\n", Expect::Idle),
        vec![urc("NO CARRIER")]
    );
}

#[test]
fn intermediate_result_then_error() {
    let stream = b"\r\n+QFUPL: 1024,3fa\r\n\r\n+CME ERROR: 421\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            line("+QFUPL: 1024,3fa"),
            Ev::Final("CmeError([52, 50, 49])".into())
        ]
    );
    let out = digested(stream, 256);
    let [Out::Error(e)] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(e.starts_with("CmeError"), "{e}");
}

#[test]
fn echo_on_and_off() {
    let answer = "\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n";
    for echo in ["", "AT+QIACT?\r", "at+qiact?\r"] {
        let stream = format!("{echo}{answer}");
        let mut want = Vec::new();
        if !echo.is_empty() {
            want.push(Ev::Echo(echo.trim_end().as_bytes().to_vec()));
        }
        want.extend([line("+QIACT: 1,1,1,\"10.7.157.1\""), ok()]);
        assert_eq!(frames(stream.as_bytes(), Expect::Response), want);
        assert_eq!(
            digested(stream.as_bytes(), 256),
            vec![Out::Response(b"+QIACT: 1,1,1,\"10.7.157.1\"".to_vec())]
        );
    }
    // The reply to ATE0 is itself echoed.
    assert_eq!(
        frames(b"ATE0\r\r\nOK\r\n", Expect::Response),
        vec![Ev::Echo(b"ATE0".to_vec()), ok()]
    );
}

#[test]
fn upload_in_ack_mode() {
    let stream = b"AT+QFUPL=\"RAM:a\",2048,5,1\r\r\nCONNECT\r\nAA\r\n+QFUPL: 2048,0\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Upload { ack: true }),
        vec![
            Ev::Echo(b"AT+QFUPL=\"RAM:a\",2048,5,1".to_vec()),
            Ev::Final("Connect".into()),
            Ev::Ack,
            Ev::Ack,
            line("+QFUPL: 2048,0"),
            ok(),
        ]
    );
}

#[test]
fn transparent_mode_bytes_are_raw() {
    let mut stream = b"\r\nCONNECT\r\n".to_vec();
    let data = b"\r\nOK\r\n+QSSLURC: \"closed\",1\r\n\x00\xff".repeat(20);
    stream.extend_from_slice(&data);
    assert_eq!(
        frames(&stream, Expect::Transparent),
        vec![Ev::Final("Connect".into()), Ev::Raw(data)]
    );
}

#[test]
fn boot_lines_and_unknown_lines_are_urcs() {
    let stream = b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIURC: \"pdpdeact\",1\r\n\r\nSOMETHING NEW\r\n";
    let got = frames(stream, Expect::Idle);
    assert_eq!(got.len(), 7);
    assert!(got.iter().all(|e| matches!(e, Ev::Urc(_))), "{got:?}");
    // While a command is in flight, known URCs are still URCs.
    let got = frames(stream, Expect::Response);
    assert_eq!(
        got[..6].iter().filter(|e| matches!(e, Ev::Urc(_))).count(),
        6
    );
    assert_eq!(got[6], line("SOMETHING NEW"));
}

#[test]
fn a_test_answer_is_not_an_open_urc() {
    let stream = b"\r\n+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0-2)\r\n\r\nOK\r\n";
    let got = frames(stream, Expect::Response);
    assert!(matches!(got[0], Ev::Line(_)), "{got:?}");
    let out = digested(stream, 256);
    let [Out::Response(body)] = &out[..] else {
        panic!("{out:?}")
    };
    let ranges = parse_body(
        &ssl_socket::TestCommand(ssl_socket::Testable::SslOpen),
        body,
    )
    .unwrap();
    assert_eq!(ranges.parameters.len(), 6);
}

#[test]
fn cacertex_list_answers_per_context() {
    let stream = b"\r\n+QSSLCFG: \"cacertex\",0,\"RAM:a.pem\"\r\n+QSSLCFG: \"cacertex\",1,\"\"\r\n\r\nOK\r\n";
    let out = digested(stream, 256);
    let [Out::Response(body)] = &out[..] else {
        panic!("{out:?}")
    };
    let list: heapless::Vec<SslConfigValue<FilePath>, 6> =
        parse_body(&crate::command::ssl_config::ListCaCertEx, body).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].value.as_str(), "RAM:a.pem");
    assert_eq!(list[1].value.as_str(), "");
}
