#!/usr/bin/env bash
# Run every fuzz target for about SECONDS each (default 60); exit non-zero
# on any crash or broken invariant. Usage: fuzz/run.sh [SECONDS]
#
# The two fastest targets get less (urc_parse 4/9, response_parsers 2/3 of
# SECONDS: they cover their small input spaces quickly), so that
# `fuzz/run.sh 45` (CI) stays under 5 minutes with the build.
#
# Needs the nightly toolchain (cargo-fuzz builds with sanitizers); installs
# cargo-fuzz if it is missing. Without nightly, runs the same targets as
# bounded property tests on stable (tests/wire_properties.rs and
# tests/state_invariants.rs) and says so.
set -euo pipefail

secs="${1:-60}"
case "$secs" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
targets=(digest_stream urc_parse response_parsers state_machine engine)

# Seconds for one target.
budget() {
  case "$1" in
    urc_parse) echo $((secs * 4 / 9)) ;;
    response_parsers) echo $((secs * 2 / 3)) ;;
    *) echo "$secs" ;;
  esac
}

if ! cargo +nightly --version >/dev/null 2>&1; then
  cases=$((secs * 100))
  echo "fuzz: no nightly toolchain here: running the targets as property tests on stable"
  echo "fuzz: ${cases} cases per target (PROPTEST_CASES), plus the seed corpus"
  cd "$fuzz_dir/.."
  PROPTEST_CASES="$cases" cargo test -p quectel-ssl --test wire_properties --test state_invariants \
    --test engine_properties
  exit 0
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# No AddressSanitizer (`-s none`): the driver denies `unsafe`, so ASan
# finds nothing Rust's own bounds and overflow checks (on here) do not, and
# it made every target two to three times slower.
sanitizer=(-s none)

cd "$fuzz_dir"
echo "fuzz: building ${targets[*]}"
cargo +nightly fuzz build "${sanitizer[@]}"

# New inputs go to target/ (ignored); the committed seeds stay as they are.
failed=()
summary=()
for target in "${targets[@]}"; do
  work="target/corpus/$target"
  log="target/fuzz-$target.log"
  mkdir -p "$work"
  t=$(budget "$target")
  echo "fuzz: $target for ${t}s"
  if cargo +nightly fuzz run "${sanitizer[@]}" "$target" "$work" "corpus/$target" -- \
      -max_total_time="$t" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    summary+=("$target: ${runs:-?} runs, ${rate:-?} exec/s")
  else
    failed+=("$target")
    echo "fuzz: $target FAILED; the end of its log:"
    grep -E "panicked|^thread|assert|left|right|SUMMARY|Test unit written|Base64" "$log" | head -n 40 || true
    tail -n 20 "$log"
  fi
done

for line in "${summary[@]}"; do echo "fuzz: $line"; done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in fuzz/artifacts/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, up to ${secs}s each, no crash"
