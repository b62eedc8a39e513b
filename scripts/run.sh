#!/usr/bin/env bash
# make run: a fresh one-validator localnet with every contract deployed and wired, one oracle daemon (the
# `oracle-operator` test account, listed and bonded at the hub by the deploy plan, auto-claim on), ~50 simulated
# devices (a few of them cheating) registered, activated, staked and streaming telemetry, and one status line per
# epoch, and the dApp served on loopback. Ctrl-C stops everything this script started, by pid. State and logs stay in .localnet/ for inspection.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

DIR=.localnet
DEVICES="${EDGEMINT_RUN_DEVICES:-50}"
TARGET="${CARGO_TARGET_DIR:-$EDGEMINT_CACHE/target}"
BIN="$TARGET/debug"

log "building edgemint-chain, edgemint-oracle, edgemint-sim"
cargo build -q -p chain-config -p edgemint-oracle -p edgemint-sim --bins

pids=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  EDGEMINT_LOCALNET_DIR="$DIR" bash scripts/run-web.sh --stop || true
  [ ! -f "$DIR/localnet.json" ] || "$BIN/edgemint-chain" localnet stop --dir "$DIR" || true
}
trap stop_all EXIT
trap 'exit 0' INT TERM

"$BIN/edgemint-chain" localnet run --dir "$DIR" --fresh --no-follow

# Values the daemon needs, from the localnet's own files.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$@"; }
RPC="http://127.0.0.1:$(json "$DIR/localnet.json" "d['nodes'][0]['ports']['rpc']")"
CHAIN_ID="$(json "$DIR/localnet.json" "d['chain_id']")"
addr() { json "$DIR/deployment.json" "[c['address'] for c in d['contracts'] if c['label'] == '$1'][0]"; }
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

ORACLE="$DIR/oracle"
SIM="$DIR/sim"
# A new chain: the previous run's daemon store and fleet belong to the old one (the daemon would refuse the store).
rm -rf "$ORACLE" "$SIM"
mkdir -p "$ORACLE" "$SIM"
(umask 077; json "$DIR/localnet.json" "[a['mnemonic'] for a in d['accounts'] if a['name'] == 'oracle-operator'][0]" \
  > "$ORACLE/operator.mnemonic")
cat > "$ORACLE/oracle.toml" <<EOF
# Written by make run (scripts/run.sh); every key not listed keeps the default of \`edgemint-oracle config init\`.
[server]
listen = "127.0.0.1:$PORT"

[chain]
rpc_url = "$RPC"
chain_id = "$CHAIN_ID"

[contracts]
registry = "$(addr device-registry)"
staking = "$(addr staking)"
hub = "$(addr oracle-hub)"
rewards = "$(addr rewards)"

[operator]
mnemonic_file = "operator.mnemonic"

[ingest]
# Short epochs (60 s) on the localnet: wait 20 s for late reports instead of 300 s.
timestamp_window_secs = 20

[epoch]
grace_secs = 5
poll_interval_secs = 2

[auto_claim]
enabled = true
EOF
"$BIN/edgemint-oracle" config check --config "$ORACLE/oracle.toml" >/dev/null
"$BIN/edgemint-oracle" start --config "$ORACLE/oracle.toml" > "$ORACLE/oracle.log" 2>&1 &
DAEMON=$!
pids+=("$DAEMON")
for _ in $(seq 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/v1/status" && break
  [ -d "/proc/$DAEMON" ] || { tail -5 "$ORACLE/oracle.log" >&2; die "the oracle daemon exited (log: $ORACLE/oracle.log)"; }
  sleep 0.5
done
log "oracle daemon on http://127.0.0.1:$PORT (log: $ORACLE/oracle.log)"

"$BIN/edgemint-sim" init --fleet "$SIM/fleet.json" --devices "$DEVICES" --owners 5 --seed 7 \
  --replay 1 --inflated-uptime 1 --double-sign 1 --unregistered 1 --force > /dev/null
log "provisioning $DEVICES simulated devices (register, activate, stake) — about a minute"
"$BIN/edgemint-sim" provision --fleet "$SIM/fleet.json" --localnet "$DIR" --maker deployer --faucet faucet --stake \
  > "$SIM/provision.log" 2>&1 || { tail -20 "$SIM/provision.log"; die "provisioning failed (log: $SIM/provision.log)"; }
"$BIN/edgemint-sim" run --fleet "$SIM/fleet.json" --localnet "$DIR" --daemon "http://127.0.0.1:$PORT" \
  --interval 10 --summary-every 60s > "$SIM/run.log" 2>&1 &
pids+=($!)
log "devices streaming telemetry (log: $SIM/run.log)"
EDGEMINT_LOCALNET_DIR="$DIR" EDGEMINT_ORACLE_URL="http://127.0.0.1:$PORT" bash scripts/run-web.sh --background
WEB_URL="$(json "$DIR/web.json" "d['url']")"

cat <<EOF

  chain      $CHAIN_ID  rpc $RPC  (accounts and mnemonics: $DIR/localnet.json)
  oracle     http://127.0.0.1:$PORT/v1/status  /v1/epochs/N  /metrics
  dApp       $WEB_URL  (Keplr: it suggests the chain; import a test mnemonic from localnet.json)
  devices    $DEVICES simulated (1 replaying, 1 inflating uptime, 1 double-signing, 1 unregistered)

One line per epoch change (60 s epochs; computed ~25 s after the end, final 30 s after quorum, then auto-claimed).
Ctrl-C stops everything.

EOF
"$BIN/edgemint-oracle" watch --config "$ORACLE/oracle.toml" &
pids+=($!)
wait "${pids[-1]}"
