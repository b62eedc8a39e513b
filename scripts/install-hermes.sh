#!/usr/bin/env bash
# Installs the stock Hermes CLI (crate ibc-relayer-cli) $HERMES_VERSION into $EDGEMINT_TOOLS/bin/hermes, idempotently.
# Only `make bench-ibc` needs it: it compares edgemint-relayer (which embeds the same ibc-relayer library) with the
# stock binary. Cold install: ~25 min on 2 shared cores; cargo builds in a temporary directory it deletes afterwards.
set -euo pipefail

# shellcheck source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

: "${HERMES_VERSION:?HERMES_VERSION not set in chain-config/versions.env}"

hermes="$EDGEMINT_TOOLS/bin/hermes"

hermes_ok() {
  # `hermes version` prints "hermes 1.10.5" (plus log lines on stderr); match the version as a whole word.
  local out
  [ -x "$hermes" ] || return 1
  out="$("$hermes" version 2>/dev/null)" || return 1
  grep -qE "(^|[^0-9.])${HERMES_VERSION//./\\.}([^0-9.]|$)" <<<"$out"
}

install_hermes() {
  # Native build with the rustup toolchain. CARGO_TARGET_DIR is unset so cargo uses (and removes) a temporary
  # target dir instead of leaving several GB in the shared cache.
  local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
  [ -x "$cargo_bin" ] || cargo_bin="$(command -v cargo)" ||
    die "no cargo found to install hermes; install rustup (https://rustup.rs), then rerun:" \
      "bash scripts/install-hermes.sh"
  log "installing hermes $HERMES_VERSION: cargo install ibc-relayer-cli --version $HERMES_VERSION --locked" \
    "--root $EDGEMINT_TOOLS (~25 min on 2 shared cores)"
  env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_TARGET_DIR \
    "$cargo_bin" install --locked --root "$EDGEMINT_TOOLS" ibc-relayer-cli --version "$HERMES_VERSION" ||
    die "cargo install ibc-relayer-cli $HERMES_VERSION failed (see above); it needs crates.io access and" \
      "several GB free in \$TMPDIR (${TMPDIR:-/tmp}); rerun: bash scripts/install-hermes.sh"
}

if hermes_ok; then
  log "hermes present: $("$hermes" version 2>/dev/null)"
else
  # Serialize concurrent installs sharing the cache and re-check after the wait.
  mkdir -p "$EDGEMINT_CACHE/locks"
  exec 9>"$EDGEMINT_CACHE/locks/hermes.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if hermes_ok; then
    log "hermes present: $("$hermes" version 2>/dev/null)"
  else
    install_hermes
    hermes_ok || die "hermes installed but '$hermes version' does not report $HERMES_VERSION"
    log "hermes installed: $("$hermes" version 2>/dev/null)"
  fi
  exec 9>&-
fi
