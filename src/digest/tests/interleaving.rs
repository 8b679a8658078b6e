//! What arrives among a command's answer: URCs and direct pushes between
//! the command and its answer or between the lines of a list, and a prompt
//! next to a URC or a result code.

use super::*;
use crate::command::{file, parse_body, ssl_socket};
use crate::urc::Urc;

const STATE_1: &str = r#"+QSSLSTATE: 1,"SSLClient","10.0.0.1",443,50001,2,1,0,0,"uart1",0"#;
const STATE_2: &str = r#"+QSSLSTATE: 2,"SSLClient","10.0.0.2",8443,50002,2,1,0,1,"usbat",1"#;

#[test]
fn direct_push_in_the_middle_of_another_response() {
    let payload = b"\r\nOK\r\n+QSSLSTATE: 9,bogus\r\n";
    let mut stream = format!(
        "AT+QSSLSTATE\r\r\n{STATE_1}\r\n\r\n+QSSLURC: \"recv\",1,{}\r\n",
        payload.len()
    )
    .into_bytes();
    stream.extend_from_slice(payload);
    // The push's own line end, then the response goes on (every output
    // starts with CR LF).
    stream.extend_from_slice(format!("\r\n\r\n{STATE_2}\r\n\r\nOK\r\n").as_bytes());

    assert_eq!(
        frames(&stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLSTATE".to_vec()),
            line(STATE_1),
            Ev::Data(PayloadSource::Push(client(1)), payload.to_vec()),
            line(STATE_2),
            ok(),
        ]
    );
    let out = digested(&stream, 1024);
    let [Out::Response(body), Out::Urc(push)] = &out[..] else {
        panic!("{out:?}")
    };
    let states = parse_body(&ssl_socket::ListSslStates, body).unwrap();
    assert_eq!(states.len(), 2);
    assert_eq!(states[1].client, client(2));
    assert_eq!(
        Urc::parse(push),
        Urc::DataPushed {
            client: client(1),
            data: payload
        }
    );
}

#[test]
fn push_between_a_command_and_its_answer() {
    let mut stream = b"AT+QSSLRECV=4,1500\r\r\n+QSSLURC: \"recv\",2,4\r\nOK\r\n\r\n".to_vec();
    stream.extend_from_slice(b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n");
    assert_eq!(
        frames(&stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLRECV=4,1500".to_vec()),
            Ev::Data(PayloadSource::Push(client(2)), b"OK\r\n".to_vec()),
            Ev::Data(PayloadSource::Read, b"abc".to_vec()),
            ok(),
        ]
    );
    let out = digested(&stream, 512);
    assert_eq!(
        out,
        vec![
            Out::Urc(b"+QSSLURC: \"recv\",2,4\r\nOK\r\n".to_vec()),
            Out::Response(b"+QSSLRECV: 3\r\nabc".to_vec()),
        ]
    );
}

#[test]
fn urc_between_a_command_and_its_answer() {
    let stream =
        b"AT+QSSLRECV=4,1500\r\r\n+QSSLURC: \"recv\",4\r\n\r\n+QSSLRECV: 2\r\nhi\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLRECV=4,1500".to_vec()),
            urc("+QSSLURC: \"recv\",4"),
            Ev::Data(PayloadSource::Read, b"hi".to_vec()),
            ok(),
        ]
    );
    assert_eq!(
        digested(stream, 256),
        vec![
            Out::Urc(b"+QSSLURC: \"recv\",4".to_vec()),
            Out::Response(b"+QSSLRECV: 2\r\nhi".to_vec()),
        ]
    );
}

#[test]
fn urc_between_lines_of_a_state_list() {
    let stream = format!("\r\n{STATE_1}\r\n\r\n+QSSLURC: \"closed\",5\r\n{STATE_2}\r\n\r\nOK\r\n");
    assert_eq!(
        frames(stream.as_bytes(), Expect::Response),
        vec![
            line(STATE_1),
            urc("+QSSLURC: \"closed\",5"),
            line(STATE_2),
            ok()
        ]
    );
    let out = digested(stream.as_bytes(), 512);
    let [Out::Response(body), Out::Urc(closed)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(closed, b"+QSSLURC: \"closed\",5");
    let states = parse_body(&ssl_socket::ListSslStates, body).unwrap();
    assert_eq!(states.len(), 2);
}

#[test]
fn urc_between_lines_of_a_file_list() {
    let stream = b"AT+QFLST=\"*\"\r\r\n+QFLST: \"RAM:ca.pem\",1234\r\n+QSSLOPEN: 3,0\r\n+QFLST: \"client.pem\",99\r\n\r\nOK\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QFLST=\"*\"".to_vec()),
            line("+QFLST: \"RAM:ca.pem\",1234"),
            urc("+QSSLOPEN: 3,0"),
            line("+QFLST: \"client.pem\",99"),
            ok(),
        ]
    );
    let out = digested(stream, 512);
    let [Out::Response(body), Out::Urc(opened)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(opened, b"+QSSLOPEN: 3,0");
    let list = file::ListFiles::<4> {
        pattern: crate::FilePattern::new("*").unwrap(),
    };
    let files = parse_body(&list, body).unwrap();
    assert_eq!(files.entries.len(), 2);
    assert!(files.entries[1].is("UFS:client.pem"));
    assert_eq!(files.entries[0].size, 1234);
}

#[test]
fn prompt_then_urc_in_one_chunk_and_ok_then_prompt() {
    let stream = b"AT+QSSLSEND=1,5\r\r\n> \r\n+QSSLURC: \"recv\",2\r\n";
    assert_eq!(
        frames(stream, Expect::Response),
        vec![
            Ev::Echo(b"AT+QSSLSEND=1,5".to_vec()),
            Ev::Prompt,
            urc("+QSSLURC: \"recv\",2"),
        ]
    );
    assert_eq!(
        digested(stream, 256),
        vec![
            Out::Prompt(b'>'),
            Out::Urc(b"+QSSLURC: \"recv\",2".to_vec())
        ]
    );
    let stream = b"\r\nOK\r\n\r\n>";
    assert_eq!(frames(stream, Expect::Response), vec![ok(), Ev::Prompt]);
    assert_eq!(
        digested(stream, 256),
        vec![Out::Response(Vec::new()), Out::Prompt(b'>')]
    );
}
