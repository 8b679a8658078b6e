//! The `state_machine` fuzz target as a bounded property test on stable:
//! `SessionState` driven by random event sequences, every invariant of
//! `fuzz/src/checks/state.rs` (included here) checked after each event, and
//! every seed of `fuzz/corpus/state_machine/` replayed.
//!
//! `PROPTEST_CASES` sets the cases per property (256 by default);
//! `fuzz/run.sh` raises it when no nightly toolchain is at hand.

// The folder, not the file: `state.rs` keeps its modules in `state/`, and
// a file included by `#[path]` would look for them beside itself.
#[path = "../fuzz/src/checks"]
#[allow(dead_code)]
mod checks {
    pub mod state;
}

use std::path::Path;

use checks::state::{check_state, EVENT_BYTES, OPS};
use proptest::prelude::*;

/// One `[op, a, b]` event. Parameters favour sockets 0..=3 and PDP
/// contexts 1..=3 so that events collide on the same socket and context
/// often; the rest of the time they are any byte.
fn event() -> impl Strategy<Value = [u8; EVENT_BYTES]> {
    // a: client in the low nibble (mod 12), mode / state above it.
    let a = prop_oneof![
        3 => (0u8..4, 0u8..12).prop_map(|(c, k)| c + 16 * k),
        1 => any::<u8>(),
    ];
    // b: PDP context in the low nibble, SSL context above it; or any byte
    // (result codes, adopt's packed fields).
    let b = prop_oneof![
        1 => (0u8..3, 0u8..6).prop_map(|(p, s)| p + 16 * s),
        2 => any::<u8>(),
    ];
    (0..OPS, a, b).prop_map(|(op, a, b)| [op, a, b])
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Sequences built from events that collide.
    #[test]
    fn invariants_hold_over_random_events(events in prop::collection::vec(event(), 0..200)) {
        check_state(&events.concat());
    }

    /// Raw bytes, as the fuzzer feeds them.
    #[test]
    fn invariants_hold_over_raw_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        check_state(&data);
    }
}

/// Every file of `fuzz/corpus/state_machine/`.
#[test]
fn seed_corpus_holds_every_invariant() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/state_machine");
    let mut seeds = 0;
    for entry in std::fs::read_dir(corpus).expect("seed corpus") {
        let path = entry.expect("corpus entry").path();
        let input = std::fs::read(&path).expect("seed file");
        let outcome = std::panic::catch_unwind(|| check_state(&input));
        assert!(
            outcome.is_ok(),
            "seed {} breaks state_machine",
            path.display()
        );
        seeds += 1;
    }
    assert!(seeds >= 10, "only {seeds} seeds");
}
