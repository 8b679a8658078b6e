//! The invariants of the wire-facing code, of the state machine and of the
//! whole engine, checked on one input.
//!
//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, through the
//! `quectel_ssl_fuzz` library) and by the stable property tests
//! (`tests/wire_properties.rs`, which includes this file by `#[path]`, and
//! `tests/state_invariants.rs`, which includes `state.rs`; and
//! `tests/engine_properties.rs`). Each
//! `check_*` function takes one raw input, decodes it as its doc says, and
//! panics with a message naming the broken invariant. "No panic from the
//! wire" is the least of them: every check also asserts what the output
//! must look like.

mod bytes;
mod engine;
mod response;
mod state;
mod stream;
mod urc;

pub use engine::{check_engine, trace_engine};
pub use response::{check_response, COMMANDS};
pub use state::{check_state, StateEvent, EVENT_BYTES, OPS};
pub use stream::{
    check_stream, run_digester, run_framer, Chunks, Digested, Event, StreamInput, STREAM_HEADER,
};
pub use urc::{check_urc, check_urc_frame};

pub use bytes::FRAMER_BUFFER;
