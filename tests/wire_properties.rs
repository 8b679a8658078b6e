//! The fuzz targets of `fuzz/` as bounded property tests on stable: the same
//! invariants (`fuzz/src/checks/`, included here), fed by proptest from a
//! vocabulary of the module's lines and arbitrary bytes, and every file of
//! the seed corpus replayed.
//!
//! `PROPTEST_CASES` sets the cases per property (256 by default); `fuzz/run.sh`
//! raises it when no nightly toolchain is at hand.

#[path = "../fuzz/src/checks/mod.rs"]
#[allow(dead_code, unused_imports)]
mod checks;

use std::path::Path;

use proptest::prelude::*;

/// A piece of what the module sends: lines it really prints, the bytes that
/// matter to framing, and arbitrary bytes.
fn token() -> impl Strategy<Value = Vec<u8>> {
    let text = |s: &'static str| Just(s.as_bytes().to_vec());
    prop_oneof![
        text("\r\n"),
        text("\r"),
        text("\n"),
        text("OK"),
        text("ERROR"),
        text("+CME ERROR: 552"),
        text("+CMS ERROR: 500"),
        text("SEND OK"),
        text("SEND FAIL"),
        text("CONNECT"),
        text("NO CARRIER"),
        text("> "),
        text("A"),
        text("RDY"),
        text("AT+QSSLRECV=4,1500\r"),
        text("+QSSLOPEN: 4,0"),
        text("+QSSLURC: \"closed\",3"),
        text("+QIURC: \"pdpdeact\",1"),
        text("+QIACT: 1,1,1,\"10.7.157.1\""),
        text("+QSSLSTATE: 4,\"SSLClient\",\"220.180.239.212\",8010,65344,2,1,4,0,\"usbmodem\",1"),
        text("+QSSLCFG: \"sslversion\",1,4"),
        text("+QFLST: \"RAM:ca.pem\",1234"),
        text("+QIGETERROR: 0,operate successfully"),
        (0u16..40).prop_map(|n| format!("+QSSLRECV: {n}").into_bytes()),
        (0u8..14, 0u16..40).prop_map(|(id, n)| format!("+QSSLURC: \"recv\",{id},{n}").into_bytes()),
        (0u8..14).prop_map(|id| format!("+QSSLURC: \"recv\",{id}").into_bytes()),
        (200usize..300).prop_map(|n| vec![b'x'; n]),
        prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(token(), 0..24).prop_map(|tokens| tokens.concat())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// `fuzz/digest_stream`: a header (what is in flight, two chunkings, the
    /// atat buffer size), then the stream.
    #[test]
    fn digest_stream(header in any::<[u8; checks::STREAM_HEADER]>(), stream in stream()) {
        checks::check_stream(&[&header[..], &stream].concat());
    }

    /// `fuzz/urc_parse`: a prefix selector, then the rest of the frame.
    #[test]
    fn urc_parse(mode in any::<u8>(), rest in stream()) {
        checks::check_urc(&[&[mode][..], &rest].concat());
    }

    /// `fuzz/response_parsers`: a command, its parameter, then the answer.
    #[test]
    fn response_parsers(command in any::<u8>(), param in any::<u8>(), body in stream()) {
        checks::check_response(&[&[command, param][..], &body].concat());
    }
}

/// Every file of `fuzz/corpus/<target>/`, with the target's check.
#[test]
fn seed_corpus_holds_every_invariant() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 3] = [
        ("digest_stream", checks::check_stream),
        ("urc_parse", checks::check_urc),
        ("response_parsers", checks::check_response),
    ];
    for (target, check) in targets {
        let mut seeds = 0;
        for entry in std::fs::read_dir(corpus.join(target)).expect("seed corpus") {
            let path = entry.expect("corpus entry").path();
            let input = std::fs::read(&path).expect("seed file");
            let outcome = std::panic::catch_unwind(|| check(&input));
            assert!(outcome.is_ok(), "seed {} breaks {target}", path.display());
            seeds += 1;
        }
        assert!(seeds >= 10, "{target}: only {seeds} seeds");
    }
}
