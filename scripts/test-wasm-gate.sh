#!/usr/bin/env bash
# Negative test of the wasm gate: a non-MVP artifact must fail the pipeline.
#
# Takes the freshly built probe artifact (artifacts/e2e_probe.wasm, from scripts/build-wasm.sh) and
#   1. positive control: the real artifact passes the guard, cosmwasm-check and the combined gate
#      (otherwise "everything is rejected" would look like success);
#   2. derives non-MVP variants by disassembling it (wasm-dis), injecting one post-MVP instruction
#      (memory.copy = bulk memory, ref.null = reference types; exactly what rustc >= 1.82/1.87 emits
#      without -C target-cpu=mvp) and reassembling with that feature enabled;
#   3. proves each variant really contains the feature (valid with it enabled, the opcode is in the
#      disassembly) and asserts that the MVP guard, cosmwasm-check, the combined gate and the whole
#      per-artifact pipeline of build-wasm.sh (wasm_process_artifact: optimize + gate) each reject it;
#   4. does the same for a variant that keeps a target_features section listing bulk-memory (what
#      skipping --strip-target-features would leave), which binaryen would otherwise trust.
# Runs in a few seconds; needs cosmwasm-check (make setup) and a prior scripts/build-wasm.sh.
set -euo pipefail

# shellcheck source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=wasm-lib.sh
. "$REPO_ROOT/scripts/wasm-lib.sh"

ARTIFACTS_DIR="${ARTIFACTS_DIR:-$REPO_ROOT/artifacts}"
PROBE="$ARTIFACTS_DIR/e2e_probe.wasm"

command -v wasm-opt >/dev/null 2>&1 && command -v wasm-dis >/dev/null 2>&1 && command -v wasm-as >/dev/null 2>&1 ||
  die "binaryen (wasm-opt, wasm-dis, wasm-as) missing: run make setup"
COSMWASM_CHECK="$(wasm_require_cosmwasm_check)"
[ -f "$PROBE" ] || die "$PROBE missing: run scripts/build-wasm.sh first"

work="$(mktemp -d "${TMPDIR:-/tmp}/edgemint-wasm-gate.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failures=0
pass() { log "PASS: $*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}

# Runs "$@", capturing output in $work/out; asserts success.
expect_ok() {
  local what="$1"
  shift
  if "$@" >"$work/out" 2>&1; then pass "$what"; else
    fail "$what (exit $?)"
    sed 's/^/    /' "$work/out" >&2
  fi
}
# Runs "$@"; asserts failure, and if $2 is non-empty that the output mentions it (case-insensitive).
expect_reject() {
  local what="$1" pattern="$2"
  shift 2
  if "$@" >"$work/out" 2>&1; then
    fail "$what: accepted, but must be rejected"
    sed 's/^/    /' "$work/out" >&2
  elif [ -n "$pattern" ] && ! grep -qiE "$pattern" "$work/out"; then
    fail "$what: rejected, but the output does not mention /$pattern/"
    sed 's/^/    /' "$work/out" >&2
  else
    pass "$what: rejected ($(grep -iE -m1 "${pattern:-.}" "$work/out" | cut -c1-160))"
  fi
}

# ---- 1. positive control -------------------------------------------------------------------
expect_ok "probe artifact passes the MVP guard" wasm_guard_mvp "$PROBE"
expect_ok "probe artifact passes cosmwasm-check" wasm_cosmwasm_check "$COSMWASM_CHECK" "$PROBE"
expect_ok "probe artifact passes the full gate" wasm_validate_artifact "$PROBE" "$COSMWASM_CHECK"
expect_ok "probe artifact passes the build pipeline again" \
  wasm_process_artifact "$PROBE" "$work/probe.opt.wasm" "$COSMWASM_CHECK"

# ---- 2./3. inject one post-MVP instruction -----------------------------------------------------
wasm-dis "$PROBE" -o "$work/probe.wat"

# make_variant NAME FEATURE_FLAG OPCODE_REGEX FUNC_TEXT
make_variant() {
  local name="$1" flag="$2" opcode="$3" func="$4" wat="$work/$1.wat" wasm="$work/$1.wasm"
  grep -qE "$opcode" "$work/probe.wat" && die "probe artifact already contains $opcode?!"
  # Append one function before the module's closing paren (the last line that is just ")"). It is
  # exported so that wasm-opt -Os cannot drop it as dead code (an unused function would vanish in
  # the optimize step and the test would prove nothing about the later checks).
  local close
  close="$(grep -n '^)$' "$work/probe.wat" | tail -n 1 | cut -d: -f1)"
  [ -n "$close" ] || die "unexpected wasm-dis output: no closing ')' line"
  { head -n "$((close - 1))" "$work/probe.wat"; printf '%s\n)\n' "$func"; } >"$wat"
  wasm-as "$flag" "$wat" -o "$wasm" || die "$name: wasm-as failed to build the variant"
  # Prove the variant really is non-MVP: valid with the feature, and the opcode survived.
  wasm-opt "$flag" "$wasm" -o /dev/null 2>"$work/out" || {
    cat "$work/out" >&2
    die "$name: variant is not even valid with $flag"
  }
  wasm-dis "$wasm" | grep -qE "$opcode" || die "$name: $opcode did not survive assembly"
  log "variant $name: $(stat -c %s "$wasm") bytes, contains /$opcode/, valid with $flag"
}

make_variant bulk-memory --enable-bulk-memory 'memory\.copy' '
 (func $edgemint_gate_bulk (export "edgemint_gate_bulk") (param $0 i32) (param $1 i32) (param $2 i32)
  (memory.copy (local.get $0) (local.get $1) (local.get $2))
 )'
make_variant reference-types --enable-reference-types 'ref\.null' '
 (func $edgemint_gate_ref (export "edgemint_gate_ref") (result i32)
  (ref.is_null (ref.null func))
 )'

for v in bulk-memory reference-types; do
  wasm="$work/$v.wasm"
  words="${v/-/ }"
  expect_reject "$v variant: MVP guard" "" wasm_guard_mvp "$wasm"
  expect_reject "$v variant: cosmwasm-check" "$words|not enabled|validation" \
    wasm_cosmwasm_check "$COSMWASM_CHECK" "$wasm"
  expect_reject "$v variant: full gate" "" wasm_validate_artifact "$wasm" "$COSMWASM_CHECK"
  expect_reject "$v variant: build pipeline (optimize + gate)" "non-MVP|not MVP|rejected" \
    wasm_process_artifact "$wasm" "$work/$v.opt.wasm" "$COSMWASM_CHECK"
done

# ---- 4. a target_features section must not smuggle features past the guard -----------------
wasm-opt --enable-bulk-memory --emit-target-features "$work/bulk-memory.wasm" -o "$work/bulk-tf.wasm"
wasm_has_custom_section "$work/bulk-tf.wasm" target_features ||
  die "could not produce a variant with a target_features section"
if wasm-opt --mvp-features "$work/bulk-tf.wasm" -o /dev/null 2>/dev/null; then
  log "note: plain 'wasm-opt --mvp-features' accepts bulk memory when target_features lists it (binaryen $(wasm-opt --version | awk '{print $3}'))"
fi
expect_reject "bulk-memory + target_features variant: MVP guard" "target_features" wasm_guard_mvp "$work/bulk-tf.wasm"
expect_reject "bulk-memory + target_features variant: cosmwasm-check" "bulk memory|not enabled|validation" \
  wasm_cosmwasm_check "$COSMWASM_CHECK" "$work/bulk-tf.wasm"
expect_reject "bulk-memory + target_features variant: full gate" "" \
  wasm_validate_artifact "$work/bulk-tf.wasm" "$COSMWASM_CHECK"
expect_reject "bulk-memory + target_features variant: build pipeline (optimize + gate)" "non-MVP|not MVP|rejected" \
  wasm_process_artifact "$work/bulk-tf.wasm" "$work/bulk-tf.opt.wasm" "$COSMWASM_CHECK"

if [ "$failures" -gt 0 ]; then
  die "wasm gate test: $failures assertion(s) failed"
fi
log "wasm gate test: all assertions passed"
