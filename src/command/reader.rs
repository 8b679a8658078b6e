//! Reading one command's answer from frames.

use super::at_command::AtCommand;
use crate::digest::{Frame, PayloadSource};
use crate::error::Error;

/// Collects the answer to one command from the frames the framer cuts:
/// information lines, payload, and the result code that ends it. URCs,
/// echo, malformed payload announcements and anything else not addressed to
/// the command are left to the caller.
pub struct ResponseReader<C: AtCommand + ?Sized> {
    partial: C::Partial,
    error: Option<Error>,
    /// The payload being framed is this command's (`+QSSLRECV`), not a
    /// direct push that arrived in the middle of the answer.
    own_payload: bool,
}

impl<C: AtCommand + ?Sized> Default for ResponseReader<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: AtCommand + ?Sized> ResponseReader<C> {
    /// Start reading an answer.
    pub fn new() -> Self {
        Self {
            partial: C::Partial::default(),
            error: None,
            own_payload: false,
        }
    }

    /// Take one frame; `Some` once the answer is complete.
    ///
    /// A line that fails to parse is remembered and reported when the result
    /// code arrives, so the stream stays framed.
    pub fn feed(&mut self, cmd: &C, frame: &Frame<'_>) -> Option<Result<C::Response, Error>> {
        // What the frame means is decided by `sort`, which is the same for
        // every command (one copy in flash); only the parsing is `C`'s.
        let step = match sort(frame, &mut self.own_payload, C::ENDS_AT_PROMPT) {
            Sorted::Line(line) => cmd.line(&mut self.partial, line),
            Sorted::Payload(data) => cmd.payload(&mut self.partial, data),
            Sorted::End(None) => return Some(self.finish(cmd)),
            Sorted::End(Some(error)) => return Some(Err(error)),
            Sorted::Fail(error) => Err(error),
            Sorted::Other => Ok(()),
        };
        if let Err(e) = step {
            self.error.get_or_insert(e);
        }
        None
    }

    fn finish(&mut self, cmd: &C) -> Result<C::Response, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        cmd.finish(core::mem::take(&mut self.partial))
    }
}

/// What a frame is to the answer being read.
enum Sorted<'a> {
    /// An information line.
    Line(&'a [u8]),
    /// Bytes of the command's own payload.
    Payload(&'a [u8]),
    /// The answer ends, with the module's error if it reported one.
    End(Option<Error>),
    /// The answer can't be trusted (it is reported when it ends).
    Fail(Error),
    /// Not part of the answer.
    Other,
}

fn sort<'a>(frame: &Frame<'a>, own_payload: &mut bool, ends_at_prompt: bool) -> Sorted<'a> {
    match *frame {
        Frame::Line(line) => Sorted::Line(line),
        Frame::PayloadStart { source, .. } => {
            *own_payload = source == PayloadSource::Read;
            // The command's own payload starts: tell it, with no bytes yet
            // (a caller may move the bytes itself, see `Framer::skip_payload`).
            if *own_payload {
                Sorted::Payload(&[])
            } else {
                Sorted::Other
            }
        }
        Frame::Payload { data, .. } if *own_payload => Sorted::Payload(data),
        // The payload's length was wrong: what it delivered is not the data.
        Frame::PayloadEnd { intact: false, .. } if *own_payload => {
            Sorted::Fail(Error::UnexpectedResponse)
        }
        // A payload announcement with an impossible socket or length is no
        // line of any answer (atat's path drops it from the body as well): a
        // `+QSSLRECV` answer that had one ends without data and fails in
        // `finish`.
        Frame::Prompt | Frame::UploadAck if ends_at_prompt => Sorted::End(None),
        Frame::Final(result) => Sorted::End(result.error()),
        // Part of a line too long for the framer's buffer: whatever it was,
        // the answer may miss it, so it must not pass as complete.
        Frame::Discarded => Sorted::Fail(Error::Overflow),
        _ => Sorted::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::ResponseReader;
    use crate::command::pdp::GetPdpContexts;
    use crate::command::ssl_socket::ReadSslData;
    use crate::command::testing::answer;
    use crate::digest::{Expect, Frame, Framer};
    use crate::types::{ClientId, ReadLength};
    use crate::Error;

    /// Found by `fuzz/response_parsers` (minimized: `AT+QIACT?` answered by
    /// a 1100-byte `+QIACT:` line, then `OK`): a line longer than the
    /// framer's buffer was discarded and the answer read as complete without
    /// it, here an empty list, while atat, with a larger buffer, read it.
    #[test]
    fn a_discarded_line_fails_the_answer() {
        let mut line = b"+QIACT: 1,1,1,\"10.7.157.1\"".to_vec();
        line.resize(300, b' ');
        let stream = [&b"\r\n"[..], &line, b"\r\n\r\nOK\r\n"].concat();
        // As the engine reads: at most 256 bytes buffered.
        let mut framer = Framer::new(256);
        framer.set_expect(Expect::Response);
        let mut reader = ResponseReader::<GetPdpContexts>::new();
        let (mut buf, mut rest) = (Vec::new(), &stream[..]);
        let answer = 'read: loop {
            let take = rest.len().min(256 - buf.len());
            buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            loop {
                let (frame, used) = framer.next(&buf);
                if used == 0 && frame == Frame::Pending {
                    break;
                }
                if let Some(answer) = reader.feed(&GetPdpContexts, &frame) {
                    break 'read answer;
                }
                buf.drain(..used);
            }
            assert!(!rest.is_empty(), "answer incomplete");
        };
        assert_eq!(answer, Err(Error::Overflow));
    }

    /// Found by `fuzz/response_parsers`: a malformed `+QSSLRECV` line in the
    /// answer to another command failed it on the engine path only.
    #[test]
    fn a_malformed_announcement_is_no_line_of_the_answer() {
        assert_eq!(
            answer(&GetPdpContexts, b"+QSSLRECV:0\x00\nOK\r\n"),
            Ok(heapless::Vec::new())
        );
        let read = ReadSslData::new(ClientId::MIN, ReadLength::MAX);
        for raw in [
            &b"\r\n+QSSLRECV: 99999\r\n\r\nOK\r\n"[..],
            b"\r\n+QSSLRECV: 1501\r\n\r\nOK\r\n",
        ] {
            assert_eq!(answer(&read, raw), Err(Error::UnexpectedResponse));
        }
        let then_empty = b"\r\n+QSSLRECV: 99999\r\n+QSSLRECV: 0\r\n\r\nOK\r\n";
        assert!(answer(&read, then_empty).unwrap().data.is_empty());
    }
}
