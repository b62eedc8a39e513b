#!/usr/bin/env bash
# Serves the built dApp on a free loopback port for a running localnet (make run / make localnet + deploy) and prints
# its address; Ctrl-C stops it. Env: EDGEMINT_LOCALNET_DIR (default .localnet), EDGEMINT_ORACLE_URL (an oracle
# daemon's HTTP API, proxied at /oracle; without it the devices page cannot show points or claim), WEB_PORT.
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source=web-lib.sh
. "$REPO_ROOT/scripts/web-lib.sh"
cd "$REPO_ROOT"
export EDGEMINT_LOCALNET_DIR="$(realpath "${EDGEMINT_LOCALNET_DIR:-.localnet}")"
[ -f "$EDGEMINT_LOCALNET_DIR/deployment.json" ] ||
  die "$EDGEMINT_LOCALNET_DIR/deployment.json is missing: start and deploy a localnet first (make run)"
web_require_node
web_npm_ci
web_build
port="${WEB_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
echo "dApp: http://127.0.0.1:$port/  (chain and contracts from $EDGEMINT_LOCALNET_DIR; oracle: ${EDGEMINT_ORACLE_URL:-none})"
cd web
exec node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port "$port" --strictPort
