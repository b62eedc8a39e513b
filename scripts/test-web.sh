#!/usr/bin/env bash
# make web-test: the dApp's checks and browser tests.
#   1. the generated contract clients match the contracts' current schemas (web/scripts/codegen.mjs --check);
#   2. typecheck + production build;
#   3. Playwright (playwright-core) in Debian's headless Chromium against a real localnet started by the
#      edgemint-web-fixture binary (e2e crate): connect, vote (amino JSON), create a proposal, claim rewards.
# Needs the contract artifacts (make wasm). Screenshots land in web/test-results/ (gitignored).
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source=web-lib.sh
. "$REPO_ROOT/scripts/web-lib.sh"
cd "$REPO_ROOT"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$EDGEMINT_CACHE/target}"
export CARGO_TARGET_DIR

web_require_node
if ! [ -x /usr/bin/chromium ]; then
  log "installing Debian's chromium (playwright-core cannot download its own browser here)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
web_npm_ci
for a in device_registry staking oracle_hub rewards; do
  [ -f "artifacts/$a.wasm" ] || die "artifacts/$a.wasm is missing: run \`make wasm\`"
done
[ -f artifacts/dao.wasm ] || log "artifacts/dao.wasm is missing: the DAO tests will fail (contracts/dao + make wasm)"

log "checking the generated contract clients"
(cd web && node scripts/codegen.mjs --check)
web_build
log "building the web fixture (e2e crate)"
cargo build -q --locked -p e2e --bin edgemint-web-fixture
export EDGEMINT_WEB_FIXTURE="$CARGO_TARGET_DIR/debug/edgemint-web-fixture"
rm -rf web/test-results
log "browser tests (screenshots in web/test-results/)"
cd web
out="$(mktemp "${TMPDIR:-/tmp}/edgemint-web-test.XXXXXX")"
trap 'rm -f "$out"' EXIT
status=0
node --test --test-concurrency=1 --test-reporter=spec --import tsx tests/*.test.ts 2>&1 | tee "$out" || status=$?
# One line in cargo's format, so scripts/test.sh's summary counts these tests with the Rust ones.
read -r passed failed < <(awk '/^ℹ pass /{p=$3} /^ℹ fail /{f=$3} END {print p+0, f+0}' "$out")
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "test result: web browser tests. $passed passed; $failed failed"
exit "$status"
