#!/usr/bin/env bash
# make web-clients: regenerate web/schemas and web/src/contracts from the contracts' schema binaries (ts-codegen).
# Extra arguments go to web/scripts/codegen.mjs (e.g. `--check`, or `--extra <crate dir>` for a contract in another
# checkout).
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source=web-lib.sh
. "$REPO_ROOT/scripts/web-lib.sh"
web_require_node
web_npm_ci
cd "$REPO_ROOT/web"
node scripts/codegen.mjs "$@"
