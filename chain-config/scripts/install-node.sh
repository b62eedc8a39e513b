#!/usr/bin/env bash
# Builds edgemintd (wasmd with bech32 prefix "emc") and the IBC counterparty wasmd (prefix "wasm") from the wasmd Go
# module, fetched through the Go module proxy. Idempotent: skipped when the installed binaries report the pinned
# versions. `go install pkg@version` refuses modules with replace directives, so the module is copied and built in place.
set -euo pipefail
. "$(dirname "$0")/../../scripts/env.sh"

EDGEMINT_FULL_VERSION="$EDGEMINT_VERSION+wasmd.$WASMD_VERSION"
want_edgemintd="$EDGEMINT_FULL_VERSION"
want_wasmd="${WASMD_VERSION#v}"

have() { [ -x "$1" ] && [ "$("$1" version 2>&1 | tail -n1)" = "$2" ]; }
if have "$EDGEMINT_BIN/edgemintd" "$want_edgemintd" && have "$EDGEMINT_BIN/wasmd" "$want_wasmd"; then
  log "edgemintd $want_edgemintd and wasmd $want_wasmd already installed"
  exit 0
fi
command -v go >/dev/null || die "Go is required: install Go >= 1.23 (https://go.dev/doc/install) and re-run make setup"

log "fetching github.com/CosmWasm/wasmd@$WASMD_VERSION through the Go module proxy"
mod_dir=$(cd /tmp && GOTOOLCHAIN="$GO_TOOLCHAIN" go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
src="$EDGEMINT_CACHE/src/wasmd-$WASMD_VERSION"
if [ ! -f "$src/go.mod" ]; then
  rm -rf "$src"; mkdir -p "$(dirname "$src")"
  cp -r "$mod_dir" "$src"; chmod -R u+w "$src"
fi

sdk=github.com/cosmos/cosmos-sdk/version
build() { # $1 output name, $2 bech32 prefix, $3 version name, $4 app name, $5 version, $6 node home dir
  log "building $1 (prefix $2) — first build takes several minutes"
  (cd "$src" && GOTOOLCHAIN="$GO_TOOLCHAIN" go build -mod=readonly -tags "netgo,ledger" -trimpath \
    -ldflags "-X github.com/CosmWasm/wasmd/app.Bech32Prefix=$2 -X github.com/CosmWasm/wasmd/app.NodeDir=$6 \
      -X $sdk.Name=$3 -X $sdk.AppName=$4 -X $sdk.Version=$5 -X $sdk.Commit=wasmd-$WASMD_VERSION \
      -X $sdk.BuildTags=netgo,ledger" \
    -o "$EDGEMINT_BIN/$4.tmp" ./cmd/wasmd)
  mv "$EDGEMINT_BIN/$4.tmp" "$EDGEMINT_BIN/$4"
}
build edgemintd emc edgemint edgemintd "$want_edgemintd" .edgemintd
build wasmd wasm wasm wasmd "$want_wasmd" .wasmd
have "$EDGEMINT_BIN/edgemintd" "$want_edgemintd" || die "edgemintd built but reports an unexpected version"
log "installed $("$EDGEMINT_BIN/edgemintd" version) and wasmd $("$EDGEMINT_BIN/wasmd" version) in $EDGEMINT_BIN"
