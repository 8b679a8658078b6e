//! Operations: every thing the engine can do, written once as a resumable
//! state machine over the engine's core.
//!
//! The blocking face runs an operation to completion, the async face awaits
//! it, and the nb face polls it once per call: the same
//! [`Op::poll`] in all three. An operation owns what it needs between polls
//! (its command, the answer read so far, the caller's data), so the nb face
//! can keep it in a variable of the caller's and poll it again later.

mod command;
mod config;
mod diagnose;
mod explain;
mod op;
mod pdp;
mod resync;
mod session;
mod socket;
mod transfer;
mod transparent;

pub use command::{Command, Idle};
pub use config::{Configure, SslConfig};
pub use diagnose::{Diagnose, Diagnosis, Finding};
pub use explain::{Cause, ExplainOpenFailure, Explanation, ServerKey};
pub use op::Op;
pub use pdp::{ActivatePdp, DeactivatePdp, Resolve, Resolved};
pub use resync::Resync;
pub use session::{IfExists, Init, InitReport, Upload};
pub use socket::{Close, Open, SwitchMode};
pub use transfer::{Receive, SendOnce, Transmit};
pub use transparent::{DtrEscape, Escape, RawRead, RawWrite, Resume, GUARD_TIME_MS};
