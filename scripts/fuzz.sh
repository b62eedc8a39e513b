#!/usr/bin/env bash
# make fuzz (also run by make bench): property-based fuzzing (proptest) with many more cases than the unit-test
# runs, built in release (the build `make bench` already has; `make unit` runs the same properties with overflow
# checks, at proptest's default 256 cases):
#   - telemetry decoder: oracle/device-sdk/tests/fuzz.rs (binary record, EMTB frame, JSON form, keys, signatures);
#   - ingest handler: oracle/daemon/src/http/fuzz.rs (both ingest routes through the router, SQLite on disk).
# Prints executions and findings per target and property. A finding fails the run; proptest's minimal failing input
# is printed above the table. FUZZ_CASES sets the cases per property (default 10000).
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

CASES="${FUZZ_CASES:-10000}"
[[ "$CASES" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_CASES must be a positive integer"

log "building the fuzz targets (release)"
cargo test --release --no-run -q -p edgemint-device-sdk --test fuzz
cargo test --release --no-run -q -p edgemint-oracle --lib

rows=()
findings=0
# name, then cargo test arguments (before `--`), then test-name filter
run_target() {
  local name=$1 filter=$2
  shift 2
  local out start status
  out=$(mktemp)
  start=$SECONDS
  log "fuzzing $name: $CASES cases per property"
  status=0
  PROPTEST_CASES="$CASES" cargo test --release "$@" -- "$filter" --nocapture --test-threads 2 --format pretty \
    >"$out" 2>&1 || status=$?
  local secs=$((SECONDS - start)) n=0
  while read -r prop result; do
    n=$((n + 1))
    if [ "$result" = ok ]; then
      rows+=("$(printf '%-16s %-72s %12s %9s' "$name" "$prop" "$CASES" 0)")
    else
      findings=$((findings + 1))
      rows+=("$(printf '%-16s %-72s %12s %9s' "$name" "$prop" "(stopped)" 1)")
    fi
  done < <(sed -n 's/^test \([^ ]*\) \.\.\. \(ok\|FAILED\)$/\1 \2/p' "$out")
  if [ "$status" -ne 0 ] || [ "$n" -eq 0 ]; then
    grep -E "minimal failing input|finding after|panicked|error" "$out" | head -40 >&2 || tail -40 "$out" >&2
    [ "$n" -gt 0 ] || findings=$((findings + 1))
  fi
  rows+=("$(printf '%-16s %-72s %12s %9s' "$name" "($n properties, ${secs} s)" "$((n * CASES))" "")")
  rm -f "$out"
}

run_target "decoder" "" -p edgemint-device-sdk --test fuzz
run_target "ingest handler" "fuzz_" -p edgemint-oracle --lib

echo
echo "fuzzing (proptest, $CASES cases per property; executions = cases that ran and passed, shrinking excluded)"
printf '%-16s %-72s %12s %9s\n' "target" "property" "executions" "findings"
for r in "${rows[@]}"; do echo "$r"; done
echo "findings: $findings"
[ "$findings" -eq 0 ]
