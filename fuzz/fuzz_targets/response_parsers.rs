//! Every command's answer parser on arbitrary bodies, directly and through
//! the engine and atat paths (see
//! `quectel_ssl_fuzz::checks::check_response`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quectel_ssl_fuzz::checks::check_response(data);
});
