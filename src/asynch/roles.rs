//! The stack made from one [`State`] and a port: the runner, the control
//! handle and the socket stack, each for a task of its own.

use super::control::Control;
use super::runner::Runner;
use super::stack::Stack;
use super::state::State;
use crate::modem::{Clock, Config};

/// The stack on `port`, with `timer` for time: a runner to spawn in a task
/// of its own, the control handle, and the stack that opens sockets. `T`
/// gives the time ([`Clock`]) and async waits (`embedded_hal_async`
/// `DelayNs`); the tasks read the time from a clone of it. The port's
/// `read` must be cancel-safe (dropping a pending read loses no byte), as
/// buffered UART drivers are.
pub fn new<'a, P, T>(
    state: &'a State<'a, T>,
    port: P,
    timer: T,
) -> (Runner<'a, P, T>, Control<'a>, Stack<'a>)
where
    T: Clock + Clone,
{
    new_with_config(state, port, timer, Config::default())
}

/// [`new`] with other knobs (the `+++` guard time, send retries, the
/// largest write to the port).
pub fn new_with_config<'a, P, T>(
    state: &'a State<'a, T>,
    port: P,
    timer: T,
    config: Config,
) -> (Runner<'a, P, T>, Control<'a>, Stack<'a>)
where
    T: Clock + Clone,
{
    state.attach(timer.clone(), config);
    (
        Runner::new(state, port, timer),
        Control { engine: state },
        Stack::new(state),
    )
}
