//! Time from `embassy-time` (feature `embassy-time`): the stack's timer
//! when the firmware runs on embassy, so the user passes none.

use super::control::Control;
use super::roles::new;
use super::runner::Runner;
use super::stack::Stack;
use super::state::State;

/// The time and waits of `embassy-time` (its global driver): a
/// [`Clock`](crate::modem::Clock) and both `DelayNs`, with no state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EmbassyTimer;

impl crate::modem::Clock for EmbassyTimer {
    fn now_ms(&mut self) -> u64 {
        embassy_time::Instant::now().as_millis()
    }
}

impl embedded_hal::delay::DelayNs for EmbassyTimer {
    fn delay_ns(&mut self, ns: u32) {
        embassy_time::block_for(embassy_time::Duration::from_nanos(u64::from(ns)));
    }
}

impl embedded_hal_async::delay::DelayNs for EmbassyTimer {
    async fn delay_ns(&mut self, ns: u32) {
        embassy_time::Timer::after(embassy_time::Duration::from_nanos(u64::from(ns))).await
    }

    async fn delay_ms(&mut self, ms: u32) {
        embassy_time::Timer::after_millis(u64::from(ms)).await
    }
}

/// The state of a stack on `embassy-time`.
pub type EmbassyState<'a> = State<'a, EmbassyTimer>;

/// [`new`](super::new) with `embassy-time` for time: nothing to pass but
/// the state and the port.
pub fn new_embassy<'a, P>(
    state: &'a EmbassyState<'a>,
    port: P,
) -> (Runner<'a, P, EmbassyTimer>, Control<'a>, Stack<'a>) {
    new(state, port, EmbassyTimer)
}
