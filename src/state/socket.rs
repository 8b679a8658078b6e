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

/// [`Socket::last_open`] before an open's result came (no result code is
/// this large).
pub(super) const NO_OPEN: u16 = u16::MAX;

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
    /// What the engine makes of the bytes it received for it.
    pub(super) stream: Stream,
    /// Buffer mode: the module may hold received data for it.
    pub(super) module_data: bool,
    /// The code of its last open's result, once it came ([`NO_OPEN`]
    /// before): kept when a failed open makes the socket Initial, the open
    /// reports it. (A bare code: an `Option<SslErrorCode>` took 24 bytes
    /// more of static RAM over the 12 sockets.)
    pub(super) last_open: u16,
}

/// What the engine makes of the bytes a socket received: whether its
/// stream can still be trusted, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum Stream {
    /// Every byte is accounted for.
    Sound,
    /// Broken: a read's answer was framed wrongly or cut short, or a send
    /// was abandoned after its prompt. Reads report [`Error::Closed`] once
    /// the bytes before are read.
    Broken,
    /// The module's output could not be framed (a quarantine): reads report
    /// [`Error::Desynchronized`] once the bytes before are read.
    Desynchronized,
}

impl Socket {
    pub(super) const INITIAL: Self = Self {
        state: SocketState::Initial,
        mode: AccessMode::Buffer,
        ssl: SslContextId::MIN,
        pdp: PdpContextId::MIN,
        cause: None,
        generation: 0,
        stream: Stream::Sound,
        module_data: false,
        last_open: NO_OPEN,
    };

    /// Its stream can't be trusted any more (see
    /// [`broken_error`](Self::broken_error)).
    pub(crate) fn is_broken(&self) -> bool {
        self.stream != Stream::Sound
    }

    /// What a broken stream reports.
    pub(crate) fn broken_error(&self) -> Error {
        match self.stream {
            Stream::Desynchronized => Error::Desynchronized,
            _ => Error::Closed,
        }
    }

    /// Buffer mode: the module may hold received data for it.
    pub(crate) fn module_may_hold_data(&self) -> bool {
        self.module_data
    }

    /// The result of its last open, once it came.
    pub(crate) fn last_open(&self) -> Option<SslErrorCode> {
        (self.last_open != NO_OPEN).then(|| SslErrorCode::from(self.last_open))
    }

    /// The socket as its writer sees it: whether the module holds data for
    /// it changes nothing for a writer.
    #[cfg(feature = "async")]
    pub(crate) fn for_writer(&self) -> Self {
        Self {
            module_data: false,
            ..*self
        }
    }
}
