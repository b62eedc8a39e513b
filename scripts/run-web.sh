#!/usr/bin/env bash
# Serves the built dApp with `vite preview` on a free 127.0.0.1 port for a localnet and prints its address.
#   scripts/run-web.sh               foreground; Ctrl-C stops it (make web-serve)
#   scripts/run-web.sh --background  detached; pid and address in $EDGEMINT_LOCALNET_DIR/web.json; returns once it
#                                    answers. The chain config is read per request, so this may run before the
#                                    localnet is deployed (make run can start it first).
#   scripts/run-web.sh --stop        stops the detached server by its recorded pid
# Env: EDGEMINT_LOCALNET_DIR (default .localnet), EDGEMINT_ORACLE_URL (an oracle daemon's HTTP API, proxied at
# /oracle; without it the devices page shows no points and cannot claim), WEB_PORT.
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source=web-lib.sh
. "$REPO_ROOT/scripts/web-lib.sh"
cd "$REPO_ROOT"
mode="${1:-}"
dir="${EDGEMINT_LOCALNET_DIR:-.localnet}"
mkdir -p "$dir"
EDGEMINT_LOCALNET_DIR="$(realpath "$dir")"
export EDGEMINT_LOCALNET_DIR
state="$EDGEMINT_LOCALNET_DIR/web.json"

stop_recorded() {
  [ -f "$state" ] || return 0
  local pid
  pid="$(jq -r .pid "$state")"
  # Only our server: the pid must still be a vite preview of this clone.
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$REPO_ROOT/web/node_modules/vite/bin/vite.js preview"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    log "stopped the dApp server (pid $pid)"
  fi
  rm -f "$state"
}

case "$mode" in
  --stop) stop_recorded; exit 0 ;;
  --background | "") ;;
  *) die "usage: scripts/run-web.sh [--background|--stop]" ;;
esac

[ -n "$mode" ] || [ -f "$EDGEMINT_LOCALNET_DIR/deployment.json" ] ||
  die "$EDGEMINT_LOCALNET_DIR/deployment.json is missing: start and deploy a localnet first (make run)"
web_require_node
web_npm_ci
web_build
port="${WEB_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
url="http://127.0.0.1:$port/"
vite=("node" "$REPO_ROOT/web/node_modules/vite/bin/vite.js" preview --host 127.0.0.1 --port "$port" --strictPort)
if [ -z "$mode" ]; then
  echo "dApp: $url  (chain and contracts from $EDGEMINT_LOCALNET_DIR; oracle: ${EDGEMINT_ORACLE_URL:-none})"
  cd web
  exec "${vite[@]}"
fi

stop_recorded
cd web
setsid "${vite[@]}" >"$EDGEMINT_LOCALNET_DIR/web.log" 2>&1 </dev/null &
pid=$!
disown
cd "$REPO_ROOT"
printf '{"pid": %s, "url": "%s"}\n' "$pid" "$url" >"$state"
for _ in $(seq 100); do
  if curl -fs -o /dev/null "$url"; then
    echo "dApp: $url  (pid $pid, log $EDGEMINT_LOCALNET_DIR/web.log; stop: scripts/run-web.sh --stop)"
    exit 0
  fi
  [ -d "/proc/$pid" ] || break
  sleep 0.2
done
tail -5 "$EDGEMINT_LOCALNET_DIR/web.log" >&2 || true
stop_recorded
die "the dApp server did not start"
