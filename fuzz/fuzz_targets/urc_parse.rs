//! `Urc::parse` on arbitrary frames and `+QSSLURC:`-prefixed mutations,
//! cross-checked with the framer (see `quectel_ssl_fuzz::checks::check_urc`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quectel_ssl_fuzz::checks::check_urc(data);
});
