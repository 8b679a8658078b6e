//! Logging switch: `defmt` or `log` behind features, nothing otherwise.
//!
//! Declared first in `lib.rs` so every module sees the macros. Payload bytes,
//! PSK identities and keys, and private material are never passed to these
//! macros: only commands (name and first parameter, cut at the first comma,
//! before any user name, password or key), lengths, ids, URC kinds and
//! result codes are logged; `tests/log_redaction.rs` checks it. Format
//! strings use only `{}` / `{:?}`, which both back-ends understand.
#![allow(unused_macros)]

// Without a back-end the arguments are still type-checked (`if false`), but
// never evaluated: no formatting work is left in the firmware.

#[cfg(all(feature = "defmt", feature = "log"))]
compile_error!("features `defmt` and `log` are mutually exclusive: enable at most one");

macro_rules! trace {
    ($s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::trace!($s $(, $x)*);
        #[cfg(feature = "log")]
        ::log::trace!($s $(, $x)*);
        #[cfg(not(any(feature = "defmt", feature = "log")))]
        if false { let _ = ($( & $x ),*); }
    }};
}

macro_rules! debug {
    ($s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::debug!($s $(, $x)*);
        #[cfg(feature = "log")]
        ::log::debug!($s $(, $x)*);
        #[cfg(not(any(feature = "defmt", feature = "log")))]
        if false { let _ = ($( & $x ),*); }
    }};
}

macro_rules! warn {
    ($s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::warn!($s $(, $x)*);
        #[cfg(feature = "log")]
        ::log::warn!($s $(, $x)*);
        #[cfg(not(any(feature = "defmt", feature = "log")))]
        if false { let _ = ($( & $x ),*); }
    }};
}
