//! One socket's entry in the session's state: its lifecycle as the module
//! reports it, and what the engine knows about it besides (whether its
//! received stream can still be trusted, whether the module may hold data
//! for it, its last open's result). The one home of a socket's state; the
//! bytes it received are the engine core's (`SocketData`).

use crate::command::ssl_socket::{AccessMode, SocketState};
use crate::error::{Error, SslErrorCode};
use crate::types::{PdpContextId, SslContextId};

/// Why a socket left Connected on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CloseCause {
    /// `+QSSLURC: "closed"` (or `NO CARRIER` in transparent mode): the peer or
    /// the network closed the connection.
    Peer,
    /// `+QIURC: "pdpdeact"`: the PDP context under it was lost.
    PdpLost,
}

/// [`Socket::flags`]: its received stream can't be trusted any more (a
/// read's answer framed wrongly or cut short, a send abandoned after its
/// prompt): reads report [`Error::Closed`] once the bytes before are read.
pub(super) const BROKEN: u8 = 1;
/// [`Socket::flags`]: its stream broke because the module's output could
/// not be framed (a quarantine): reads report [`Error::Desynchronized`].
pub(super) const DESYNC: u8 = 2;
/// [`Socket::flags`]: buffer mode, the module may hold received data for it.
pub(super) const MODULE_DATA: u8 = 4;
/// [`Socket::flags`]: a transparent connection left with `+++` (or taken
/// over in transparent mode): the engine reads it in buffer mode, the
/// module still lists it in transparent mode (`AT+QSSLSTATE`).
pub(super) const PARKED: u8 = 8;

/// One socket's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Socket {
    /// Lifecycle state, as `AT+QSSLSTATE` names it.
    pub state: SocketState,
    /// Access mode of the connection.
    pub mode: AccessMode,
    /// SSL context it was opened with.
    pub ssl: SslContextId,
    /// PDP context it was opened on.
    pub pdp: PdpContextId,
    /// Why it is Closing, if it closed on its own.
    pub cause: Option<CloseCause>,
    pub(super) generation: u16,
    /// What the engine knows of it besides its lifecycle: [`BROKEN`],
    /// [`DESYNC`], [`MODULE_DATA`], [`PARKED`] (one byte: the twelve entries stay as
    /// small as before they held these).
    pub(super) flags: u8,
    /// The result of its last open, once it came (kept when a failed open
    /// makes the socket Initial: the open reports it).
    pub(super) last_open: Option<SslErrorCode>,
}

impl Socket {
    pub(super) const INITIAL: Self = Self {
        state: SocketState::Initial,
        mode: AccessMode::Buffer,
        ssl: SslContextId::MIN,
        pdp: PdpContextId::MIN,
        cause: None,
        generation: 0,
        flags: 0,
        last_open: None,
    };

    /// Its stream can't be trusted any more (see
    /// [`broken_error`](Self::broken_error)).
    pub(crate) fn is_broken(&self) -> bool {
        self.flags & (BROKEN | DESYNC) != 0
    }

    /// What a broken stream reports.
    pub(crate) fn broken_error(&self) -> Error {
        if self.flags & DESYNC != 0 {
            Error::Desynchronized
        } else {
            Error::Closed
        }
    }

    /// Buffer mode: the module may hold received data for it.
    pub(crate) fn module_may_hold_data(&self) -> bool {
        self.flags & MODULE_DATA != 0
    }

    /// The result of its last open, once it came.
    pub(crate) fn last_open(&self) -> Option<SslErrorCode> {
        self.last_open
    }

    /// The socket as its writer sees it: whether the module holds data for
    /// it changes nothing for a writer.
    #[cfg(feature = "async")]
    pub(crate) fn for_writer(&self) -> Self {
        Self {
            flags: self.flags & !MODULE_DATA,
            ..*self
        }
    }
}
