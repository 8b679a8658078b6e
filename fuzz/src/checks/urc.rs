//! `urc_parse`: `Urc::parse` on arbitrary frames, cross-checked with the
//! framer.

use quectel_ssl::digest::PayloadSource;
use quectel_ssl::wire::{parse_u16, trim};
use quectel_ssl::{Frame, Framer, Urc};

use super::bytes::{within, MAX_PAYLOAD};

/// Prefixes put before the rest of a `urc_parse` input, by its first byte.
const URC_PREFIXES: [&[u8]; 6] = [
    b"",
    b"+QSSLURC: ",
    b"+QSSLURC: \"recv\",",
    b"+QSSLURC: \"closed\",",
    b"+QSSLOPEN: ",
    b"+QIURC: \"pdpdeact\",",
];

/// `urc_parse`: byte 0 picks a prefix (none, `+QSSLURC: `, `+QSSLURC:
/// "recv",`, `+QSSLURC: "closed",`, `+QSSLOPEN: `, `+QIURC: "pdpdeact",`),
/// the rest follows it; the frame is read by [`Urc::parse`].
pub fn check_urc(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        check_urc_frame(data);
        return;
    };
    let mut frame = URC_PREFIXES[usize::from(mode) % URC_PREFIXES.len()].to_vec();
    frame.extend_from_slice(rest);
    check_urc_frame(&frame);
}

/// One URC frame: [`Urc::parse`] keeps to its bytes, takes pushed data by
/// its announced length, and agrees with the framer about which lines
/// announce a push.
pub fn check_urc_frame(frame: &[u8]) {
    let line_end = frame
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(frame.len());
    let line = &frame[..line_end];
    match Urc::parse(frame) {
        Urc::Unknown(text) | Urc::BootStatus(text) => {
            assert!(within(line, text), "URC text outside its line");
        }
        Urc::DataPushed { data, .. } => {
            assert!(
                within(&frame[line_end..], data),
                "pushed data outside the frame"
            );
            assert!(
                (1..=MAX_PAYLOAD).contains(&data.len()),
                "pushed data of {} bytes",
                data.len()
            );
            let announced = line
                .rsplit(|&b| b == b',')
                .next()
                .and_then(|n| parse_u16(trim(n)));
            assert_eq!(
                announced.map(usize::from),
                Some(data.len()),
                "pushed data is not as long as announced"
            );
        }
        _ => {}
    }

    // The framer reads the same line: where it announces a push, the frame
    // the digester delivers for it must parse as that push; where it does
    // not, the line alone must not parse as one.
    let mut stream = line.to_vec();
    stream.extend_from_slice(b"\r\n");
    let mut framer = Framer::new(usize::MAX);
    let (frame, _) = framer.next(&stream);
    match frame {
        Frame::PayloadStart {
            source: PayloadSource::Push(client),
            len,
            header,
        } => {
            let mut whole = header.to_vec();
            whole.extend_from_slice(b"\r\n");
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            whole.extend_from_slice(&data);
            assert_eq!(
                Urc::parse(&whole),
                Urc::DataPushed {
                    client,
                    data: &data
                },
                "the framer announces a push that the URC parser does not read"
            );
        }
        Frame::Urc(text) | Frame::Malformed(text) | Frame::Line(text) => {
            let urc = Urc::parse(text);
            assert!(
                !matches!(urc, Urc::DataPushed { .. }),
                "a line the framer reads as no push parses as one: {urc:?}"
            );
        }
        _ => {}
    }
}
