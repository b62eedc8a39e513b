#!/usr/bin/env bash
# Installs the contract wasm toolchain, idempotently and only what is missing:
#   - Debian packages rustc-web cargo-web rust-web-src binaryen lld-$LLD_MAJOR (+ jq), via apt
#   - cosmwasm-check $COSMWASM_CHECK_VERSION into $EDGEMINT_TOOLS (cached outside the clone; ~30 min cold)
# Versions come from chain-config/versions.env (sourced by env.sh). See ../shared/toolchain/wasm.md.
set -euo pipefail

# shellcheck source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

: "${LLD_MAJOR:?LLD_MAJOR not set in chain-config/versions.env}"
: "${COSMWASM_CHECK_VERSION:?COSMWASM_CHECK_VERSION not set in chain-config/versions.env}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------- Debian packages
apt_missing=()
rustc_llvm_ok() { /usr/bin/rustc -vV 2>/dev/null | grep -q "^LLVM version: $LLD_MAJOR\."; }
if ! rustc_llvm_ok; then
  # Missing, or bookworm's old `rustc` instead of rustc-web.
  apt_missing+=(rustc-web)
fi
if ! /usr/bin/cargo --version >/dev/null 2>&1; then
  apt_missing+=(cargo-web)
fi
if ! /usr/bin/rustc --version >/dev/null 2>&1 ||
  [ ! -f "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  apt_missing+=(rust-web-src)
fi
if ! command -v wasm-opt >/dev/null 2>&1; then
  apt_missing+=(binaryen)
fi
if [ ! -x "/usr/bin/wasm-ld-$LLD_MAJOR" ]; then
  apt_missing+=("lld-$LLD_MAJOR")
fi
if ! command -v jq >/dev/null 2>&1; then
  apt_missing+=(jq)
fi

if [ "${#apt_missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${apt_missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_missing[@]}"
else
  log "Debian wasm toolchain present: $(/usr/bin/rustc --version), wasm-ld-$LLD_MAJOR, $(wasm-opt --version)"
fi

# rustc-web must use the same LLVM major as the linker (wasm-ld-$LLD_MAJOR).
rustc_llvm_ok ||
  die "/usr/bin/rustc ($(/usr/bin/rustc -vV 2>&1 | grep LLVM)) does not use LLVM $LLD_MAJOR; check LLD_MAJOR in chain-config/versions.env"

# ---------------------------------------------------------------- cosmwasm-check
cosmwasm_check="$EDGEMINT_TOOLS/bin/cosmwasm-check"

cosmwasm_check_ok() {
  # `cosmwasm-check --version` prints "Contract checking 2.3.5" (2.3.5); match the version as a whole word.
  local out
  [ -x "$cosmwasm_check" ] || return 1
  out="$("$cosmwasm_check" --version 2>/dev/null)" || return 1
  grep -qE "(^|[^0-9.])${COSMWASM_CHECK_VERSION//./\\.}([^0-9.]|$)" <<<"$out"
}

install_cosmwasm_check() {
  # Native build with the rustup toolchain (not Debian's rustc-web, which is for wasm only).
  local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
  [ -x "$cargo_bin" ] || cargo_bin="$(command -v cargo)" || die "no cargo (rustup) found to install cosmwasm-check"
  log "installing cosmwasm-check $COSMWASM_CHECK_VERSION into $EDGEMINT_TOOLS (takes ~30 min on 2 cores)"
  env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_TARGET_DIR \
    "$cargo_bin" install --locked --root "$EDGEMINT_TOOLS" cosmwasm-check --version "$COSMWASM_CHECK_VERSION"
}

if cosmwasm_check_ok; then
  log "cosmwasm-check present: $("$cosmwasm_check" --version)"
else
  # Serialize concurrent setups (e.g. parallel CI jobs sharing the cache) and re-check after the wait.
  mkdir -p "$EDGEMINT_CACHE/locks"
  exec 9>"$EDGEMINT_CACHE/locks/cosmwasm-check.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if cosmwasm_check_ok; then
    log "cosmwasm-check present: $("$cosmwasm_check" --version)"
  else
    install_cosmwasm_check
    cosmwasm_check_ok ||
      die "cosmwasm-check installed but '$cosmwasm_check --version' does not report $COSMWASM_CHECK_VERSION"
    log "cosmwasm-check installed: $("$cosmwasm_check" --version)"
  fi
  exec 9>&-
fi
