#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries, idempotently: the oracle daemon's store tests start a real server
# from /usr/lib/postgresql/<version>/bin (initdb, postgres) in a temp dir. Nothing is installed when initdb and
# postgres are already there; apt-get update runs only when a package has to be installed.
set -euo pipefail

# shellcheck source=env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

have_server() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
  done
  return 1
}

if have_server && dpkg -s postgresql >/dev/null 2>&1; then
  log "PostgreSQL present: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
  exit 0
fi

log "installing Debian package: postgresql"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
have_server || die "postgresql installed but no initdb/postgres under /usr/lib/postgresql/*/bin"
