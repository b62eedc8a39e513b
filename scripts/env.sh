# Shared paths for every script. Caches live outside the clone so fresh clones (CI) reuse them.
EDGEMINT_CACHE="${EDGEMINT_CACHE:-$HOME/.cache/edgemint}"
EDGEMINT_BIN="$EDGEMINT_CACHE/bin"
EDGEMINT_TOOLS="$EDGEMINT_CACHE/tools"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../chain-config/versions.env
. "$REPO_ROOT/chain-config/versions.env"
export PATH="$EDGEMINT_BIN:$EDGEMINT_TOOLS/bin:$PATH"
mkdir -p "$EDGEMINT_BIN" "$EDGEMINT_TOOLS"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
