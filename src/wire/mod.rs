//! The bottom layer: the AT dialect's bytes and the values in them. Reading
//! the fields of an information line ([`Fields`], numbers, trimming) and
//! writing a command line ([`Encoder`]); nothing here knows a command.
//!
//! Public as the toolkit for commands of one's own: an [`AtCommand`]
//! writes its line with an [`Encoder`] and reads its answer's lines with
//! [`Fields`].
//!
//! [`AtCommand`]: crate::command::AtCommand

mod decode;
mod encode;

pub(crate) use decode::cme_error;
pub use decode::{lossy, owned, parse_hex_u16, parse_u16, parse_u32, trim, Fields};
pub use encode::Encoder;
