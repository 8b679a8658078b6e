//! Reading one command's answer from frames.

use super::AtCommand;
use crate::digest::{FinalResult, Frame, PayloadSource};
use crate::error::Error;

/// Collects the answer to one command from the frames the framer cuts:
/// information lines, payload, and the result code that ends it. URCs,
/// echo and anything else not addressed to the command are left to the
/// caller.
pub struct ResponseReader<'c, C: AtCommand + ?Sized> {
    cmd: &'c C,
    partial: C::Partial,
    error: Option<Error>,
    /// The payload being framed is this command's (`+QSSLRECV`), not a
    /// direct push that arrived in the middle of the answer.
    own_payload: bool,
}

impl<'c, C: AtCommand + ?Sized> ResponseReader<'c, C> {
    /// Start reading the answer to `cmd`.
    pub fn new(cmd: &'c C) -> Self {
        Self {
            cmd,
            partial: C::Partial::default(),
            error: None,
            own_payload: false,
        }
    }

    /// Take one frame; `Some` once the answer is complete.
    ///
    /// A line that fails to parse is remembered and reported when the result
    /// code arrives, so the stream stays framed.
    pub fn feed(&mut self, frame: &Frame<'_>) -> Option<Result<C::Response, Error>> {
        let step = match *frame {
            Frame::Line(line) => self.cmd.line(&mut self.partial, line),
            Frame::PayloadStart { source, .. } => {
                self.own_payload = source == PayloadSource::Read;
                Ok(())
            }
            Frame::Payload { data, .. } if self.own_payload => {
                self.cmd.payload(&mut self.partial, data)
            }
            Frame::Malformed(_) => Err(Error::UnexpectedResponse),
            Frame::Prompt | Frame::UploadAck if C::ENDS_AT_PROMPT => return Some(self.finish()),
            Frame::Final(result) => return Some(self.finish_with(result)),
            _ => Ok(()),
        };
        if let Err(e) = step {
            self.error.get_or_insert(e);
        }
        None
    }

    fn finish_with(&mut self, result: FinalResult<'_>) -> Result<C::Response, Error> {
        match result.error() {
            Some(error) => Err(error),
            None => self.finish(),
        }
    }

    fn finish(&mut self) -> Result<C::Response, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.cmd.finish(core::mem::take(&mut self.partial))
    }
}
