//! `AT+QSSLRECV` for the session engine, whose payload goes straight to the
//! socket's receive buffer (the engine routes it as it is framed), rather
//! than into the answer as [`ReadSslData`](super::ReadSslData) does.

use crate::command::AtCommand;
use crate::error::Error;
use crate::types::{ClientId, ReadLength};
use crate::wire::{Encoder, Fields};

/// `AT+QSSLRECV=<clientID>,<read_length>` into the socket's receive buffer:
/// the engine routes the payload there as it is framed, so the answer
/// itself carries nothing.
pub(crate) struct ReadToBuffer {
    pub client: ClientId,
    pub length: ReadLength,
}

impl AtCommand for ReadToBuffer {
    type Response = ();
    /// The `+QSSLRECV:` header came.
    type Partial = bool;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QSSLRECV=")
            .uint(self.client.get().into())
            .comma()
            .uint(self.length.get().into());
    }
    /// Only `+QSSLRECV: 0` comes as a line (with data, the header is a
    /// payload announcement); a `+QSSLRECV:` line with anything else (its
    /// length lost) means the payload length was wrong (a corrupted line).
    fn line(&self, header: &mut bool, line: &[u8]) -> Result<(), Error> {
        let empty = Fields::after(line, b"+QSSLRECV:").is_some_and(|mut f| f.u16() == Ok(0));
        if empty {
            *header = true;
            Ok(())
        } else {
            Err(Error::UnexpectedResponse)
        }
    }
    /// Any other line in the middle of the answer is a stray the module
    /// printed there (part of a URC it cut): read as a URC, it costs the
    /// correctly framed payload nothing. (A payload whose length was wrong
    /// is caught by the check after it, not here.)
    fn owns_line(&self, line: &[u8]) -> bool {
        line.starts_with(b"+QSSLRECV:")
    }
    fn payload(&self, header: &mut bool, _: &[u8]) -> Result<(), Error> {
        *header = true;
        Ok(())
    }
    /// An `OK` with no `+QSSLRECV:` before it answers something else (a
    /// stray result code): this read's answer is still to come.
    fn finish(&self, header: bool) -> Result<(), Error> {
        if header {
            Ok(())
        } else {
            Err(Error::Desynchronized)
        }
    }
}
