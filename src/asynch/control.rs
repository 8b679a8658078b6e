//! The control handle: everything that is not one socket's — PDP contexts,
//! DNS, files and certificates, the clock, SSL context configuration,
//! diagnosis, module events.
//!
//! Its methods are the operations list's (see
//! [`operations`](crate::modem::operations)), the same as the blocking
//! [`Modem`](crate::Modem)'s. Copies of a `Control` may be used from
//! several tasks; their operations run one after the other.

use core::future::poll_fn;
use core::task::Poll;

use super::state::{Engine, CONTROL};
use super::turn::run;
use crate::error::Error;
use crate::modem::{ops, Event};
use crate::state::SessionState;
crate::modem::operations::operation_imports!();

/// One async method per entry of the operations list, run in the calling
/// task on the control slot.
macro_rules! control_face {
    ($names:ident; $( $(#[$doc:meta])* $name:ident $([$($gen:tt)*])? ($($arg:ident: $ty:ty),*) -> $ret:ty
        = |$config:ident| $op:expr $(=> $map:expr)?; )*) => {
        $(
            $(#[$doc])*
            pub async fn $name $(<$($gen)*>)? (&self, $($arg: $ty),*) -> Result<$ret, Error> {
                let _turn = self.engine.control_lock().lock().await;
                let $config = self.config();
                let mut op = $op;
                run(self.engine, CONTROL, &mut op).await $(.map($map))?
            }
        )*

        /// The operations this face has, by name (the list's, see
        /// [`operations`](crate::modem::operations)).
        pub const $names: &'static [&'static str] = &[$(stringify!($name)),*];
    };
}

/// PDP contexts, DNS, files, clock, SSL configuration, diagnosis and module
/// events. Its methods are the operations list's (see
/// [`operations`](crate::modem::operations)), as the blocking
/// [`Modem`](crate::Modem)'s are. Copies may be used from several tasks:
/// their operations run one after the other.
#[derive(Clone, Copy)]
pub struct Control<'a> {
    pub(crate) engine: &'a dyn Engine<'a>,
}

impl<'a> Control<'a> {
    /// Uploads go in 1,024-byte blocks (ACK mode): the runner writes each
    /// from the state's payload buffer.
    const UPLOAD_ACK: AckMode = AckMode::PerBlock;

    fn config(&self) -> crate::modem::Config {
        let mut config = crate::modem::Config::default();
        self.engine.with(&mut |s, _| config = s.config);
        config
    }

    crate::modem::operations::module_operations!(control_face);

    /// What the engine knows of every socket and context now.
    pub fn state(&self) -> SessionState {
        let mut state = SessionState::new();
        self.engine.with(&mut |s, _| state = s.core.state.clone());
        state
    }

    /// The oldest event the module reported and nobody took yet, if any.
    pub fn take_event(&self) -> Option<Event> {
        let mut event = None;
        self.engine.with(&mut |s, _| event = s.core.take_event());
        event
    }

    /// Wait for the next event the module reports (a reboot, a lost PDP
    /// context, a peer closing a connection, ...). One task at a time
    /// should wait for events.
    pub async fn next_event(&self) -> Event {
        poll_fn(|cx| {
            let mut event = None;
            self.engine.with(&mut |s, _| {
                event = s.core.take_event();
                if event.is_none() {
                    s.register_event(cx.waker());
                }
            });
            event.map_or(Poll::Pending, Poll::Ready)
        })
        .await
    }
}
