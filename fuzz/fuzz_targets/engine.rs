//! The whole session engine against a simulated module whose output the
//! input generates and corrupts (see `quectel_ssl_fuzz::checks::check_engine`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quectel_ssl_fuzz::checks::check_engine(data);
});
