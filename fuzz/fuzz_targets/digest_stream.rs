//! The digester fed arbitrary chunked streams: the framer as the engine
//! feeds it and the atat digester as atat's `Ingress` feeds it, each in two
//! chunkings (see `quectel_ssl_fuzz::checks::check_stream`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quectel_ssl_fuzz::checks::check_stream(data);
});
