//! `SessionState` driven by arbitrary event sequences, every invariant
//! checked after each event (see `quectel_ssl_fuzz::checks::check_state`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quectel_ssl_fuzz::checks::check_state(data);
});
