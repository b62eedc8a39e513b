#!/usr/bin/env bash
# Builds every CosmWasm contract crate under contracts/ (crate-type cdylib) to MVP wasm,
# optimizes and validates each, and writes artifacts/<crate_name>.wasm + artifacts/checksums.txt.
#
# Toolchain (see ../shared/toolchain/wasm.md): Debian's rustc-web (rustup cannot fetch the wasm
# target here) with -Zbuild-std so std is rebuilt for target-cpu=mvp, linked by wasm-ld-$LLD_MAJOR.
# All contracts are built in ONE cargo invocation in a dedicated, cached target dir, so std is
# compiled once. RUSTC_BOOTSTRAP and the wasm RUSTFLAGS are passed to that one command only.
#
# Every artifact must pass, in order:
#   1. wasm-opt --mvp-features --strip-target-features -Os   (optimize; input must validate as MVP)
#   2. no target_features section + wasm-opt --mvp-features  (guard: rejects any non-MVP opcode)
#   3. cosmwasm-check with the node's capabilities           (the node's wasmvm static checks)
# (wasm_process_artifact in wasm-lib.sh; scripts/test-wasm-gate.sh proves it rejects non-MVP wasm.)
# Nothing is written to artifacts/ unless every contract passes every step.
#
# Usage: scripts/build-wasm.sh
# Env:   WASM_TARGET_DIR (default $EDGEMINT_CACHE/target-wasm), ARTIFACTS_DIR (default $REPO_ROOT/artifacts)
set -euo pipefail

# shellcheck source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=wasm-lib.sh
. "$REPO_ROOT/scripts/wasm-lib.sh"

WASM_TARGET_DIR="${WASM_TARGET_DIR:-$EDGEMINT_CACHE/target-wasm}"
ARTIFACTS_DIR="${ARTIFACTS_DIR:-$REPO_ROOT/artifacts}"
TARGET=wasm32-unknown-unknown
PROFILE=wasm

wasm_require_toolchain
COSMWASM_CHECK="$(wasm_require_cosmwasm_check)"

# --- discover contract crates: workspace members under contracts/ with a cdylib lib target ---
metadata="$(cd "$REPO_ROOT" && /usr/bin/cargo metadata --no-deps --format-version 1)" ||
  die "cargo metadata failed for the workspace at $REPO_ROOT"
# One line per contract: "<package name> <lib target name>"
# (Paths are compared against cargo's own workspace_root, so a symlinked checkout still matches.)
mapfile -t contracts < <(jq -r '
  (.workspace_root + "/contracts/") as $dir
  | .packages[]
  | select(.manifest_path | startswith($dir))
  | . as $p
  | .targets[]
  | select((.kind | index("lib")) or (.kind | index("cdylib")))
  | select(.crate_types | index("cdylib"))
  | "\($p.name) \(.name | gsub("-"; "_"))"' <<<"$metadata" | sort -u)
[ "${#contracts[@]}" -gt 0 ] || die "no contract crates (crate-type cdylib) found under $REPO_ROOT/contracts"

pkg_args=()
for c in "${contracts[@]}"; do pkg_args+=(-p "${c%% *}"); done
log "contracts: ${contracts[*]%% *}"

# --- one cargo invocation for all contracts, Debian compiler, isolated environment ---
# `env -u` drops inherited settings that would override or pollute this build (CARGO_ENCODED_RUSTFLAGS
# takes precedence over RUSTFLAGS; a wrapper such as sccache would mix toolchains).
log "building ${#contracts[@]} contract(s) with $(/usr/bin/rustc --version) into $WASM_TARGET_DIR"
start=$SECONDS
(
  cd "$REPO_ROOT"
  env -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u RUSTC_WRAPPER -u RUSTC_WORKSPACE_WRAPPER \
    -u CARGO_BUILD_TARGET -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS \
    RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="/usr/bin/wasm-ld-$LLD_MAJOR" \
    RUSTFLAGS="-C target-cpu=mvp -C link-arg=--allow-undefined" \
    CARGO_TARGET_DIR="$WASM_TARGET_DIR" \
    /usr/bin/cargo build --profile "$PROFILE" --lib --target "$TARGET" \
    -Zbuild-std=std,panic_abort "${pkg_args[@]}"
) || die "wasm build failed (see cargo output above)"
log "cargo build finished in $((SECONDS - start))s"

# --- optimize + validate each into a staging dir; publish only if all pass ---
stage="$(mktemp -d "${TMPDIR:-/tmp}/edgemint-wasm.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

for c in "${contracts[@]}"; do
  pkg="${c%% *}"
  lib="${c##* }"
  raw="$WASM_TARGET_DIR/$TARGET/$PROFILE/$lib.wasm"
  out="$stage/$lib.wasm"
  [ -f "$raw" ] || die "$pkg: expected build output $raw is missing"

  log "$pkg: wasm-opt, MVP guard, cosmwasm-check"
  wasm_process_artifact "$raw" "$out" "$COSMWASM_CHECK" || die "$pkg: artifact rejected (see above)"
done

mkdir -p "$ARTIFACTS_DIR"
# Replace the whole set, so artifacts of removed/renamed contracts do not linger next to new ones.
rm -f "$ARTIFACTS_DIR"/*.wasm "$ARTIFACTS_DIR/checksums.txt"
for c in "${contracts[@]}"; do
  lib="${c##* }"
  cp "$stage/$lib.wasm" "$ARTIFACTS_DIR/$lib.wasm"
done
(
  cd "$ARTIFACTS_DIR"
  for c in "${contracts[@]}"; do sha256sum "${c##* }.wasm"; done >checksums.txt
)

log "artifacts in $ARTIFACTS_DIR:"
for c in "${contracts[@]}"; do
  f="$ARTIFACTS_DIR/${c##* }.wasm"
  printf '  %-32s %8d bytes  (%s KiB)\n' "${c##* }.wasm" "$(stat -c %s "$f")" "$(($(stat -c %s "$f") / 1024))"
done
cat "$ARTIFACTS_DIR/checksums.txt"
