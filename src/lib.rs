#![doc = include_str!("../README.md")]
#![cfg_attr(not(any(test, feature = "std")), no_std)]
// docs.rs (`[package.metadata.docs.rs]`): label what a feature brings.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![warn(missing_docs)]

// Declared first: the logging macros are used by every module below.
#[macro_use]
mod fmt;

#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod asynch;
pub mod command;
pub mod digest;
pub mod error;
pub mod modem;
pub mod state;
pub mod types;
pub mod urc;
pub mod wire;

// What a user looks for first, at the root: the engine and its knobs, the
// SSL context's configuration, time, events, the async stack's roles (with
// their features), the checked values and the error. The framing types are
// here for atat users (`QuectelDigester`). Nothing here shadows
// `embedded_io`'s `Read` / `Write` or `core::marker::Send` in a glob import.
#[cfg(feature = "embassy-time")]
#[cfg_attr(docsrs, doc(cfg(feature = "embassy-time")))]
pub use asynch::EmbassyTimer;
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use asynch::{Control, Runner, Stack, TlsSocket};
pub use command::{AtCommand, NoResponse};
pub use digest::{Expect, Frame, Framer, QuectelDigester};
pub use error::{CmeError, Error, ParamError, SslErrorCode};
pub use modem::ops::SslConfig;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use modem::StdTimer;
pub use modem::{Clock, Config, Event, Modem, Timer};
pub use state::SocketHandle;
pub use types::{
    AlpnName, Apn, ClientId, FileName, FilePattern, HostName, NegotiateTime, Password,
    PdpContextId, PskIdentity, PskKey, ReadLength, SendLength, SslContextId, UserName,
};
pub use urc::{Urc, UrcFrame};
