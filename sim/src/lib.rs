//! Quectel module simulator.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod at;
pub mod clock;
pub mod error_code;
pub mod filesystem;
