//! The limits of a buffer: overlong lines are discarded and the stream
//! resynchronises, a response that fits exactly fits whatever the chunking,
//! one that cannot fit is an error, and garbage never panics or stalls.

use super::*;

#[test]
fn overlong_lines_are_discarded_and_the_stream_resyncs() {
    let mut stream = vec![b'x'; 1000];
    stream.extend_from_slice(b"\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    let got = frames(&stream, Expect::Idle);
    assert_eq!(got, vec![Ev::Discarded, urc("+QSSLURC: \"closed\",2")]);
    let mut stream = vec![b'y'; 700];
    stream.extend_from_slice(b"\r\nOK\r\n\r\n+QSSLURC: \"closed\",2\r\n");
    let out = digested(&stream, 256);
    assert_eq!(
        out.last(),
        Some(&Out::Urc(b"+QSSLURC: \"closed\",2".to_vec()))
    );
}

/// Found by `fuzz/digest_stream` (a 64-byte atat buffer, hand-minimized
/// here to the engine's 256): a line that fills the buffer is discarded;
/// when its CR then came first in the next buffer, the framer answered
/// `Discarded` having used nothing, so both faces waited for bytes that
/// could not come: the buffer was full.
#[test]
fn an_overlong_line_ending_at_a_buffer_boundary_does_not_stall() {
    let mut stream = vec![b'x'; 256];
    stream.push(b'\r');
    stream.extend_from_slice(&[b'y'; 255]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    let ys = String::from_utf8(vec![b'y'; 255]).unwrap();
    assert_eq!(
        frames(&stream, Expect::Response),
        vec![Ev::Discarded, line(&ys), ok()]
    );
    // 262 bytes of answer do not fit atat's 256.
    assert_eq!(digested(&stream, 256), vec![Out::Error("Capacity".into())]);
    let mut stream = vec![b'x'; 64];
    stream.push(b'\r');
    stream.extend_from_slice(&[b'y'; 20]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    assert_eq!(
        digested(&stream, 64),
        vec![Out::Response(ys.as_bytes()[..20].to_vec())]
    );
    let mut framer = Framer::new(4);
    assert_eq!(framer.next(b"xxxx"), (Frame::Discarded, 4));
    assert_eq!(
        framer.next(b"\r\nOK\r\n"),
        (Frame::Final(FinalResult::Ok), 6)
    );
}

/// Found by `fuzz/digest_stream` (chunkings disagreed): the CR LF before a
/// response took two bytes of the atat buffer when they arrived with it, so
/// a response that fits exactly was reported as `Capacity` or delivered,
/// depending on how the bytes were split into reads. The same for a push.
#[test]
fn a_response_that_fits_exactly_fits_whatever_the_chunking() {
    let mut stream = b"\r\n".to_vec();
    stream.extend_from_slice(&[b'z'; 58]);
    stream.extend_from_slice(b"\r\nOK\r\n");
    assert_eq!(digested(&stream, 64), vec![Out::Response(vec![b'z'; 58])]);
    let mut stream = b"\r\n+QSSLURC: \"recv\",1,41\r\n".to_vec();
    stream.extend_from_slice(&[b'p'; 41]);
    let push = stream[2..].to_vec();
    assert_eq!(push.len(), 64);
    assert_eq!(digested(&stream, 64), vec![Out::Urc(push)]);
}

#[test]
fn a_response_larger_than_the_digest_buffer_is_an_error_then_resync() {
    let payload = vec![b'z'; 1500];
    let mut stream = b"\r\n+QSSLRECV: 1500\r\n".to_vec();
    stream.extend_from_slice(&payload);
    stream.extend_from_slice(b"\r\n\r\nOK\r\n\r\n+QSSLURC: \"recv\",1\r\n\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n");
    let out = digested(&stream, 256);
    assert_eq!(
        out,
        vec![
            Out::Error("Capacity".into()),
            Out::Urc(b"+QSSLURC: \"recv\",1".to_vec()),
            Out::Response(b"+QIGETERROR: 0,operate successfully".to_vec()),
        ]
    );
    // The streaming framer needs no room for the payload.
    let got = frames(&stream, Expect::Response);
    assert_eq!(got[0], Ev::Data(PayloadSource::Read, payload));
}

#[test]
fn garbage_never_panics_and_stays_bounded() {
    let mut seed = Chunks(0xC0FFEE, 255);
    for round in 0..200 {
        let len = 1 + seed.next().unwrap() * 8;
        let stream: Vec<u8> = (0..len)
            .map(|_| {
                let r = seed.next().unwrap();
                // Bias towards the bytes that matter to framing.
                match r % 8 {
                    0 => b'\r',
                    1 => b'\n',
                    2 => b'"',
                    3 => b',',
                    _ => r as u8,
                }
            })
            .collect();
        let mut prefix = b"\r\n+QSSLURC: \"recv\",1,3\r\n".to_vec();
        if round % 2 == 0 {
            prefix.clear();
        }
        prefix.extend_from_slice(&stream);
        let _ = frames(&prefix, Expect::Response);
        let _ = digested(&prefix, 128);
    }
}
