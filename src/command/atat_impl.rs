//! The commands as atat's: [`atat::AtatCmd`] implemented through
//! [`AtCommand`], the whole body atat hands over read with the same rules.

use super::at_command::AtCommand;
use crate::digest::{ResponseItem, ResponseItems};
use crate::error::Error;

/// Read a whole response body (as atat hands it over) with `cmd`'s rules.
pub fn parse_body<C: AtCommand + ?Sized>(cmd: &C, body: &[u8]) -> Result<C::Response, Error> {
    let mut partial = C::Partial::default();
    for item in ResponseItems::new(body) {
        match item {
            ResponseItem::Line(line) => cmd.line(&mut partial, line)?,
            ResponseItem::Payload { data, .. } => cmd.payload(&mut partial, data)?,
        }
    }
    cmd.finish(partial)
}

/// `AtatCmd::parse` for every command of this crate.
pub(crate) fn parse_atat<C: AtCommand + ?Sized>(
    cmd: &C,
    resp: Result<&[u8], atat::InternalError<'_>>,
) -> Result<C::Response, atat::Error> {
    let body = resp.map_err(atat::Error::from)?;
    parse_body(cmd, body).map_err(|e| match e {
        Error::Overflow => atat::Error::Capacity,
        Error::Timeout => atat::Error::Timeout,
        _ => atat::Error::Parse,
    })
}

/// Implement [`atat::AtatCmd`] through [`AtCommand`].
macro_rules! atat_command {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> atat::AtatCmd for $ty {
            type Response = <Self as $crate::command::AtCommand>::Response;
            const MAX_TIMEOUT_MS: u32 = <Self as $crate::command::AtCommand>::MAX_TIMEOUT_MS;

            fn write(&self, buf: &mut [u8]) -> usize {
                $crate::command::write_command(self, buf)
            }

            fn parse(
                &self,
                resp: Result<&[u8], atat::InternalError<'_>>,
            ) -> Result<Self::Response, atat::Error> {
                $crate::command::parse_atat(self, resp)
            }
        }
    };
}
pub(crate) use atat_command;
