#!/usr/bin/env bash
# make test: lint, unit tests, the wasm gate, e2e against real nodes; ends with one summary line over every
# cargo test binary that ran ("N passed, N failed").
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
out=$(mktemp "${TMPDIR:-/tmp}/edgemint-test.XXXXXX")
trap 'rm -f "$out"' EXIT
status=0
make --no-print-directory lint unit wasm-gate e2e web-test 2>&1 | tee "$out" || status=$?
read -r passed failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p + 0, f + 0 }' "$out")
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "test: $passed passed, $failed failed"
exit "$status"
