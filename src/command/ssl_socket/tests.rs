//! Exact bytes of the socket commands and their typed answers.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::testing::{answer, bytes};
use crate::command::TestParameter;
use crate::error::SslErrorCode;
use crate::types::{HostName, PdpContextId, ReadLength, SendLength, SslContextId};
use crate::NoResponse;

fn client(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}

fn open(port: u16, mode: AccessMode) -> OpenSslSocket<'static> {
    OpenSslSocket::new(
        PdpContextId::new(1).unwrap(),
        SslContextId::new(1).unwrap(),
        client(4),
        HostName::new("220.180.239.212").unwrap(),
        port,
        mode,
    )
    .unwrap()
}

#[test]
fn open_in_each_access_mode() {
    assert_eq!(
        bytes(&open(8010, AccessMode::Buffer)),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8010,0\r"
    );
    assert_eq!(
        bytes(&open(8011, AccessMode::DirectPush)),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,1\r"
    );
    let transparent = open(8011, AccessMode::Transparent);
    assert_eq!(
        bytes(&transparent),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,2\r"
    );
    assert_eq!(transparent.expectation(), crate::Expect::Transparent);
    assert_eq!(
        answer(&open(1, AccessMode::Buffer), b"\r\nOK\r\n"),
        Ok(NoResponse)
    );
    assert_eq!(answer(&transparent, b"\r\nCONNECT\r\n"), Ok(NoResponse));
    assert_eq!(
        answer(&transparent, b"\r\nERROR\r\n"),
        Err(crate::Error::Rejected)
    );
    assert!(OpenSslSocket::new(
        PdpContextId::MIN,
        SslContextId::MIN,
        client(0),
        HostName::new("h").unwrap(),
        0,
        AccessMode::Buffer
    )
    .is_err());
}

#[test]
fn send_variable_and_fixed_length() {
    assert_eq!(bytes(&SendSslData::variable(client(4))), "AT+QSSLSEND=4\r");
    let fixed = SendSslData::fixed(client(4), SendLength::new(18).unwrap());
    assert_eq!(bytes(&fixed), "AT+QSSLSEND=4,18\r");
    // The answer to the line is the prompt.
    assert_eq!(answer(&fixed, b"\r\n> "), Ok(NoResponse));
    assert_eq!(
        answer(&fixed, b"\r\nERROR\r\n"),
        Err(crate::Error::Rejected)
    );

    let data = SslPayload::variable(b"Test data from SSL").unwrap();
    assert_eq!(bytes(&data), "Test data from SSL\x1a");
    let data = SslPayload::fixed(b"Test data from SSL").unwrap();
    assert_eq!(bytes(&data), "Test data from SSL");
    assert_eq!(bytes(&SslPayload::cancelled(b"abc").unwrap()), "abc\x1b");
    assert_eq!(answer(&data, b"\r\nSEND OK\r\n"), Ok(NoResponse));
    assert_eq!(
        answer(&data, b"\r\nSEND FAIL\r\n"),
        Err(crate::Error::SendFailed)
    );
}

#[test]
fn payloads_are_checked_before_anything_is_written() {
    use crate::error::ParamError;
    assert!(SslPayload::fixed(&[]).is_err());
    assert!(SslPayload::fixed(&[0x1a; 1460]).is_ok());
    assert!(SslPayload::fixed(&[0; 1461]).is_err());
    assert_eq!(
        SslPayload::variable(b"a\x1ab"),
        Err(crate::Error::param("data", ParamError::NeedsFixedLength))
    );
    assert!(SslPayload::variable(b"a\x1bb").is_err());
    assert!(SslPayload::variable(&[b'a'; 1461]).is_err());
    assert!(SslPayload::variable(b"").is_ok());
}

#[test]
fn read_buffered_data() {
    let read = ReadSslData::new(client(4), ReadLength::new(1500).unwrap());
    assert_eq!(bytes(&read), "AT+QSSLRECV=4,1500\r");
    let got = answer(
        &read,
        b"\r\n+QSSLRECV: 18\r\nTest data from SSL\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(got.data.as_slice(), b"Test data from SSL");
    let got = answer(&read, b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n").unwrap();
    assert!(got.data.is_empty());
    // More than asked for is refused.
    let small = ReadSslData::new(client(4), ReadLength::new(2).unwrap());
    assert!(answer(&small, b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n").is_err());
}

#[test]
fn close_with_and_without_timeout() {
    assert_eq!(
        bytes(&CloseSslSocket::new(client(4), None)),
        "AT+QSSLCLOSE=4\r"
    );
    let close = CloseSslSocket::new(client(11), Some(0));
    assert_eq!(bytes(&close), "AT+QSSLCLOSE=11,0\r");
    assert_eq!(close.timeout_ms(), 1000);
    assert_eq!(CloseSslSocket::new(client(1), None).timeout_ms(), 11_000);
    assert_eq!(answer(&close, b"\r\nOK\r\n"), Ok(NoResponse));
}

const STATE: &str =
    r#"+QSSLSTATE: 4,"SSLClient","220.180.239.212",8010,65344,2,1,4,0,"usbmodem",1"#;

#[test]
fn state_of_one_socket_and_of_all() {
    let one = GetSslState { client: client(4) };
    assert_eq!(bytes(&one), "AT+QSSLSTATE=4\r");
    let raw = format!("\r\n{STATE}\r\n\r\nOK\r\n");
    let state = answer(&one, raw.as_bytes()).unwrap().0.unwrap();
    assert_eq!(state.client, client(4));
    assert_eq!(state.remote_address.as_str(), "220.180.239.212");
    assert_eq!(state.remote_port, 8010);
    assert_eq!(state.local_port, 65344);
    assert_eq!(state.state, SocketState::Connected);
    assert_eq!(state.pdp_context, PdpContextId::new(1).unwrap());
    assert_eq!(state.server_id, 4);
    assert_eq!(state.access_mode, AccessMode::Buffer);
    assert_eq!(state.at_port, AtPort::UsbModem);
    assert_eq!(state.ssl_context, SslContextId::new(1).unwrap());
    assert_eq!(answer(&one, b"\r\nOK\r\n").unwrap().0, None);
    // Found by `fuzz/response_parsers`: the state of socket 8 was returned
    // as the state of socket 4.
    let other = b"\r\n+QSSLSTATE: 8,\"SSLClient\",\"220.180.239.212\",8010,65344,2,1,4,0,\"usbmodem\",1\r\n\r\nOK\r\n";
    assert_eq!(answer(&one, other).unwrap().0, None);
    let both = format!(
        "\r\n{}\r\n{STATE}\r\n\r\nOK\r\n",
        STATE.replace(": 4,", ": 8,")
    );
    assert_eq!(
        answer(&one, both.as_bytes()).unwrap().0.unwrap().client,
        client(4)
    );

    assert_eq!(bytes(&ListSslStates), "AT+QSSLSTATE\r");
    let raw = concat!(
        "\r\n+QSSLSTATE: 0,\"SSLClient\",\"10.0.0.9\",443,0,1,2,0,1,\"uart1\",5\r\n",
        "+QSSLSTATE: 11,\"SSLClient\",\"10.0.0.8\",443,1234,4,16,0,2,\"usbat\",0\r\n",
        "\r\nOK\r\n"
    );
    let all = answer(&ListSslStates, raw.as_bytes()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].state, SocketState::Opening);
    assert_eq!(all[0].local_port, 0);
    assert_eq!(all[0].at_port, AtPort::Uart1);
    assert_eq!(all[1].state, SocketState::Closing);
    assert_eq!(all[1].access_mode, AccessMode::Transparent);
    assert_eq!(all[1].at_port, AtPort::UsbAt);
    assert!(answer(&ListSslStates, b"\r\nOK\r\n").unwrap().is_empty());
    // A state code the module does not define is an error, not a guess.
    let raw = b"\r\n+QSSLSTATE: 0,\"SSLClient\",\"x\",1,1,3,1,0,0,\"uart1\",0\r\n\r\nOK\r\n";
    assert_eq!(
        answer(&ListSslStates, raw),
        Err(crate::Error::UnexpectedResponse)
    );
}

#[test]
fn last_error_keeps_unknown_codes_and_text() {
    assert_eq!(bytes(&GetLastError), "AT+QIGETERROR\r");
    let got = answer(
        &GetLastError,
        b"\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(got.code, SslErrorCode::Success);
    assert_eq!(got.description.as_str(), "operate successfully");
    let got = answer(
        &GetLastError,
        b"\r\n+QIGETERROR: 572,operation not allowed\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(got.code, SslErrorCode::OperationNotAllowed);
    let got = answer(
        &GetLastError,
        b"\r\n+QIGETERROR: 601,\"weird, new\"\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(got.code, SslErrorCode::Other(601));
    assert_eq!(got.description.as_str(), "weird, new");
}

#[test]
fn access_mode_switching() {
    let to_push = SwitchAccessMode {
        client: client(4),
        mode: AccessMode::DirectPush,
    };
    assert_eq!(bytes(&to_push), "AT+QISWTMD=4,1\r");
    assert_eq!(answer(&to_push, b"\r\nOK\r\n"), Ok(NoResponse));
    let to_transparent = SwitchAccessMode {
        client: client(4),
        mode: AccessMode::Transparent,
    };
    assert_eq!(bytes(&to_transparent), "AT+QISWTMD=4,2\r");
    assert_eq!(answer(&to_transparent, b"\r\nCONNECT\r\n"), Ok(NoResponse));
    assert_eq!(bytes(&ReturnToDataMode), "ATO\r");
    assert_eq!(
        answer(&ReturnToDataMode, b"\r\nCONNECT\r\n"),
        Ok(NoResponse)
    );
    assert_eq!(
        answer(&ReturnToDataMode, b"\r\nNO CARRIER\r\n"),
        Err(crate::Error::NoCarrier)
    );
}

#[test]
fn test_forms() {
    let cases: &[(Testable, &str, &str, usize)] = &[
        (
            Testable::SslOpen,
            "AT+QSSLOPEN=?\r",
            "+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0-2)",
            6,
        ),
        (
            Testable::SslSend,
            "AT+QSSLSEND=?\r",
            "+QSSLSEND: (0-11),(1-1460)",
            2,
        ),
        (
            Testable::SslRecv,
            "AT+QSSLRECV=?\r",
            "+QSSLRECV: (0-11),(1-1500)",
            2,
        ),
        (
            Testable::SslClose,
            "AT+QSSLCLOSE=?\r",
            "+QSSLCLOSE: (0-11),(0-65535)",
            2,
        ),
        (Testable::LastError, "AT+QIGETERROR=?\r", "", 0),
        (Testable::SslState, "AT+QSSLSTATE=?\r", "", 0),
    ];
    for &(form, line, info, params) in cases {
        let cmd = TestCommand(form);
        assert_eq!(bytes(&cmd), line);
        let raw = if info.is_empty() {
            "\r\nOK\r\n".to_string()
        } else {
            format!("\r\n{info}\r\n\r\nOK\r\n")
        };
        let got = answer(&cmd, raw.as_bytes()).unwrap();
        assert_eq!(got.parameters.len(), params, "{line}");
    }
    let send = answer(
        &TestCommand(Testable::SslSend),
        b"\r\n+QSSLSEND: (0-11),(1-1460)\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(
        send.parameters[1],
        TestParameter::Range { min: 1, max: 1460 }
    );
    let open = answer(
        &TestCommand(Testable::SslOpen),
        b"\r\n+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0,1,2)\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert!(matches!(open.parameters[3], TestParameter::Other(_)));
    assert!(matches!(&open.parameters[5], TestParameter::List(l) if l.as_slice() == [0, 1, 2]));
    // Optional parameters in brackets (some firmware prints them).
    for (raw, from) in [
        (&b"\r\n+QSSLSEND: (0-11)[,(1-1460)]\r\n\r\nOK\r\n"[..], 1),
        (b"\r\n+QSSLSEND: (0-11),[(1-1460)]\r\n\r\nOK\r\n", 1),
        (b"\r\n+QSSLSEND: [(0-11)[,(1-1460)]]\r\n\r\nOK\r\n", 0),
    ] {
        let send = answer(&TestCommand(Testable::SslSend), raw).unwrap();
        assert_eq!(
            send.parameters.as_slice(),
            [
                TestParameter::Range { min: 0, max: 11 },
                TestParameter::Range { min: 1, max: 1460 }
            ],
            "{:?}",
            String::from_utf8_lossy(raw)
        );
        assert_eq!(send.optional_from, Some(from));
    }
}
