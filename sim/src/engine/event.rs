//! What wakes the engine besides host bytes.

use crate::fault::Fault;
use crate::net::event::NetEvent;

/// An event for the engine thread.
#[derive(Debug)]
pub(crate) enum Event {
    /// From socket `client`'s network threads, for the open numbered
    /// `generation` (events of an older open are ignored).
    Net {
        client: u8,
        generation: u64,
        event: NetEvent,
    },
    /// A fault injected by the handle.
    Fault(Fault),
    /// The DTR line changed: true is ON (asserted).
    Dtr(bool),
    /// An `AT+QIOPEN` probe connected or failed.
    TcpProbe {
        id: u8,
        result: Result<std::net::TcpStream, crate::error_code::QiError>,
    },
}
