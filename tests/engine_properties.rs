//! The `engine` fuzz target as a bounded property test on stable: the whole
//! engine against the simulated module of `fuzz/src/checks/engine/`
//! (included here), driven by random programs, and every seed of
//! `fuzz/corpus/engine/` replayed.
//!
//! `PROPTEST_CASES` sets the cases per property (256 by default);
//! `fuzz/run.sh` raises it when no nightly toolchain is at hand.

#[path = "../fuzz/src/checks/mod.rs"]
#[allow(dead_code, unused_imports)]
mod checks;

use std::path::Path;

use proptest::prelude::*;

/// A fixed seed: `cargo test` runs the same programs every time (the
/// fuzz target explores; this is its stable, repeatable sample).
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0005_eed1),
        ..ProptestConfig::default()
    }
}

/// One action of a program: its byte, then parameter bytes (the target
/// reads what it needs; more are read as the next actions).
fn action() -> impl Strategy<Value = Vec<u8>> {
    (any::<u8>(), prop::collection::vec(any::<u8>(), 0..4))
        .prop_map(|(a, params)| [&[a][..], &params].concat())
}

/// An open with the most polls (action byte 240: 240 % 24 = 0, 240 >> 5 =
/// 7), of socket 0..=3 in any mode, with a full-size receive buffer.
fn open() -> impl Strategy<Value = Vec<u8>> {
    (0u8..4, 0u8..3).prop_map(|(client, mode)| vec![240, client, mode, 2])
}

proptest! {
    #![proptest_config(config())]

    /// Programs of up to 60 actions after a 3-byte header, most of them
    /// after one to three sockets were opened.
    #[test]
    fn engine_invariants_hold_over_random_programs(
        header in any::<[u8; 3]>(),
        opens in prop::collection::vec(open(), 0..4),
        actions in prop::collection::vec(action(), 0..60),
    ) {
        checks::check_engine(&[&header[..], &opens.concat(), &actions.concat()].concat());
    }
}

/// Every file of `fuzz/corpus/engine/`.
#[test]
fn seed_corpus_holds_every_invariant() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/engine");
    let mut seeds = 0;
    for entry in std::fs::read_dir(corpus).expect("seed corpus") {
        let path = entry.expect("corpus entry").path();
        let input = std::fs::read(&path).expect("seed file");
        let outcome = std::panic::catch_unwind(|| checks::check_engine(&input));
        assert!(outcome.is_ok(), "seed {} breaks engine", path.display());
        seeds += 1;
    }
    assert!(seeds >= 10, "only {seeds} seeds");
}
