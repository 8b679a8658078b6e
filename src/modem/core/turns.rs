//! The bookkeeping of a face with many callers (see [`sharing`](super::sharing)):
//! whose turn it is, who waits, when to wake, the buffers that came back;
//! and when a command in flight is due.

// Only the async stack uses this; the other faces leave it off.
#![cfg_attr(not(feature = "async"), allow(dead_code))]

use super::flight::{InFlight, MAX_EXTENSION_MS, ORPHAN_GRACE_MS};

/// The core's bookkeeping for a face with many callers.
#[derive(Debug, Default)]
pub(crate) struct Sharing<'r> {
    /// No command may start now.
    pub hold: bool,
    /// A start was refused since the last [`Core::take_wanted`].
    pub wanted: bool,
    /// Overdue commands are left to their own operation.
    pub owner_polls: bool,
    /// The earliest time an operation asked to be polled again.
    pub wake_at: Option<u64>,
    /// Receive buffers of sockets closed since they were lent.
    #[cfg(any(feature = "async", feature = "nal"))]
    pub released: [Option<&'r mut [u8]>; 12],
    #[cfg(not(any(feature = "async", feature = "nal")))]
    pub released: core::marker::PhantomData<&'r mut [u8]>,
}

/// When a command in flight becomes overdue (see `flight::late`), or
/// when an orphan's grace ends.
pub(super) fn due(f: &InFlight, last_rx_ms: u64) -> u64 {
    match f.orphan_until {
        None => f
            .deadline
            .max(last_rx_ms.saturating_add(u64::from(f.answer_ms)))
            .min(f.deadline.saturating_add(MAX_EXTENSION_MS)),
        Some(until) => until
            .max(last_rx_ms.saturating_add(ORPHAN_GRACE_MS))
            .min(until.saturating_add(MAX_EXTENSION_MS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_flight(deadline: u64, orphan_until: Option<u64>) -> InFlight {
        InFlight::plain(1, deadline, orphan_until)
    }

    #[test]
    fn a_command_is_due_at_its_deadline_held_off_by_bytes_for_a_minute_at_most() {
        let f = in_flight(1_000, None);
        assert_eq!(due(&f, 0), 1_000, "nothing received");
        assert_eq!(
            due(&f, 900),
            1_200,
            "a byte at 900: 300 ms of silence after it"
        );
        assert_eq!(
            due(&f, 100_000),
            61_000,
            "a minute past the deadline at most"
        );
    }

    #[test]
    fn an_orphan_is_due_at_the_end_of_its_grace_held_off_likewise() {
        let f = in_flight(1_000, Some(2_000));
        assert_eq!(due(&f, 0), 2_000);
        assert_eq!(due(&f, 1_800), 1_800 + ORPHAN_GRACE_MS);
        assert_eq!(due(&f, 100_000), 62_000);
    }
}
