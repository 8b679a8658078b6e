//! What a URC changes in the core's bookkeeping, and the events kept for
//! the application.

use super::flight::Event;
use crate::command::ssl_socket::{AccessMode, SocketState};
use crate::state::SessionState;
use crate::types::ClientId;
use crate::urc::Urc;

/// What the module answered to the last `AT+QIDNSGIP`, as its URCs come.
#[derive(Debug, Default, Clone)]
pub(crate) struct DnsAnswers {
    /// The result line: error code, address count, TTL (s).
    pub result: Option<(u16, u8, u32)>,
    /// The addresses that came, as printed (read by `ops::Resolve`).
    pub addrs: heapless::Vec<heapless::String<{ crate::command::pdp::MAX_ADDRESS_LEN }>, 4>,
    /// Addresses that came beyond the four kept.
    pub extra: u8,
}

/// `client` closed on its own (`"closed"`, `NO CARRIER`): buffered data
/// may still wait in the module.
pub(super) fn apply_closed(state: &mut SessionState, client: ClientId) {
    state.set_module_may_hold_data(client, true);
}

/// Keep `event`, dropping the oldest when full; an event already waiting
/// is not queued twice.
pub(super) fn push_event(events: &mut heapless::Deque<Event, 8>, event: Event) {
    if events.iter().any(|e| *e == event) {
        return;
    }
    if events.is_full() {
        events.pop_front();
    }
    // Room was made above.
    let _ = events.push_back(event);
}

/// Log a URC: its kind and ids, never pushed data or unknown lines (they
/// may be misframed payload).
pub(super) fn log_urc(urc: &Urc<'_>) {
    match *urc {
        Urc::Opened { client, result } => {
            debug!("URC: socket {} opened: {:?}", client.get(), result)
        }
        Urc::DataReady { client } => debug!("URC: socket {} has data", client.get()),
        Urc::DataPushed { client, data } => {
            trace!("URC: socket {}: {} bytes pushed", client.get(), data.len())
        }
        Urc::Closed { client } => debug!("URC: socket {} closed by the peer", client.get()),
        Urc::PdpDeactivated { context } => warn!("URC: PDP context {} lost", context.get()),
        Urc::TcpOpened { id, result } => {
            debug!("URC: TCP probe {}: {:?}", id.get(), result)
        }
        Urc::Ready => debug!("URC: RDY"),
        Urc::BootStatus(line) | Urc::Unknown(line) => {
            trace!("URC: other line of {} bytes", line.len())
        }
        Urc::PoweredDown => warn!("URC: module powered down"),
        Urc::DnsResult { error, count, .. } => {
            debug!("URC: lookup done: error {}, {} addresses", error, count)
        }
        Urc::DnsAddress(_) => trace!("URC: lookup address"),
    }
}

/// What a URC changes.
pub(super) fn apply_urc(
    state: &mut SessionState,
    events: &mut heapless::Deque<Event, 8>,
    dns: &mut DnsAnswers,
    urc: Urc<'_>,
) {
    let event = match urc {
        Urc::DnsResult { error, count, ttl } => {
            *dns = DnsAnswers {
                result: Some((error, count, ttl)),
                ..DnsAnswers::default()
            };
            return;
        }
        Urc::DnsAddress(text) => {
            let addr = heapless::String::try_from(text).unwrap_or_default();
            if dns.result.is_some() && dns.addrs.push(addr).is_err() {
                dns.extra = dns.extra.saturating_add(1);
            }
            return;
        }
        Urc::Opened { client, result } => {
            // `+QSSLOPEN` answers an open in buffer or direct-push mode; one
            // in transparent mode is answered `CONNECT` or `ERROR`. This is
            // the late notice of an earlier open of that id, given up: not
            // this open's result (it would make the port transparent
            // without the module's `CONNECT`).
            let socket = state.socket(client);
            if socket.state == SocketState::Opening && socket.mode == AccessMode::Transparent {
                warn!("stale +QSSLOPEN for socket {} ignored", client.get());
                return;
            }
            state.open_result(client, result);
            Event::Opened { client, result }
        }
        Urc::DataReady { client } => {
            state.set_module_may_hold_data(client, true);
            Event::DataReady { client }
        }
        Urc::Closed { client } => {
            state.peer_closed(client);
            apply_closed(state, client);
            Event::Closed { client }
        }
        Urc::PdpDeactivated { context } => {
            state.pdp_deactivated(context);
            Event::PdpDeactivated { context }
        }
        Urc::TcpOpened { id, result } => Event::TcpOpened { id, result },
        Urc::DataPushed { .. } | Urc::BootStatus(_) | Urc::Unknown(_) => return,
        Urc::Ready | Urc::PoweredDown => return,
    };
    push_event(events, event);
}
