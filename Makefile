# Edgemint entry points. Tools and build caches live outside the clone (~/.cache/edgemint) so fresh clones reuse them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export EDGEMINT_CACHE ?= $(HOME)/.cache/edgemint
export CARGO_TARGET_DIR ?= $(EDGEMINT_CACHE)/target
export PATH := $(EDGEMINT_CACHE)/bin:$(EDGEMINT_CACHE)/tools/bin:$(PATH)
# Test output stays readable; set RUST_BACKTRACE=1 yourself when debugging.
export RUST_BACKTRACE ?= 0
# Each clone path gets its own incremental cache that is never reused by a fresh clone: off, so CI runs do not
# fill the disk.
export CARGO_INCREMENTAL ?= 0

CHAIN := cargo run -q -p chain-config --bin edgemint-chain --
RELAYER := cargo run -q -p relayer-ext --bin edgemint-relayer --

.PHONY: help setup wasm wasm-gate registry localnet localnet-4 localnet-ibc localnet-stop run test unit e2e bench bench-ibc fuzz lint fmt web-clients web-test web-serve

help:
	@echo "make run      fresh local chain, contracts, oracle daemon, ~50 simulated devices, a status line per epoch (Ctrl-C stops)"
	@echo "make test     lint + unit tests + wasm gate + e2e against real nodes (installs what it needs)"
	@echo "make setup    edgemintd + counterparty wasmd + wasm toolchain + cosmwasm-check + PostgreSQL (idempotent, cached)"
	@echo "make wasm     contracts -> artifacts/*.wasm (MVP, optimized, cosmwasm-check'ed) + checksums.txt"
	@echo "make localnet / localnet-4 / localnet-stop    1- or 4-validator localnet in the background"
	@echo "make localnet-ibc   edgemintd + counterparty wasmd + edgemint-relayer with a transfer channel (background)"
	@echo "make bench    gas on a real localnet, oracle ingest rate vs raw signature verification, epoch computation, fuzzing"
	@echo "make fuzz     proptest fuzzing of the telemetry decoders and the daemon's ingest handlers (FUZZ_CASES=10000)"
	@echo "make bench-ibc  IBC latency and backlog throughput through edgemint-relayer, vs the stock hermes (installs it)"
	@echo "make registry regenerate chain-config/registry/production from profiles/production.toml"
	@echo "make web-clients  regenerate web/'s contract TypeScript clients from the contracts' JSON schemas"
	@echo "make web-test     dApp: generated clients up to date, build, browser tests against a real localnet"
	@echo "make web-serve    serve the dApp on loopback for the running .localnet and print its address"

setup:
	bash chain-config/scripts/install-node.sh
	bash scripts/install-wasm-toolchain.sh
	bash scripts/install-postgres.sh

wasm: setup
	bash scripts/build-wasm.sh

# A non-MVP artifact must be rejected by the same gate build-wasm.sh uses.
wasm-gate: wasm
	bash scripts/test-wasm-gate.sh

registry:
	$(CHAIN) registry --profile production --out chain-config/registry/production

localnet: setup
	$(CHAIN) localnet start --dir .localnet --validators 1

localnet-4: setup
	$(CHAIN) localnet start --dir .localnet-4 --validators 4

# Two chains (one validator each) and relayer-ext relaying a transfer channel between them; see relayer-ext/README.md.
localnet-ibc: setup
	$(RELAYER) localnet up --dir .localnet-ibc

localnet-stop:
	@for d in .localnet .localnet-4; do [ ! -f $$d/localnet.json ] || $(CHAIN) localnet stop --dir $$d; done
	@[ ! -f .localnet-ibc/localnet-ibc.json ] || $(RELAYER) localnet down --dir .localnet-ibc

run: wasm
	bash scripts/run.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

unit:
	cargo test --workspace --exclude e2e

# The IBC tests run the edgemint-relayer binary (built here, next to the test binaries).
e2e: wasm
	cargo build -p relayer-ext --bin edgemint-relayer
	cargo test -p e2e

# Figures, printed, not asserted: gas on a real localnet; the oracle's ingest rate (the edgemint-oracle process on a
# localnet, EMTB batches over HTTP) against the raw signature verification rate (EDGEMINT_BENCH_* in the program's
# docs; it fails only if a record is not accepted and stored); epoch computation; the fuzzers; IBC latency and
# throughput (bench-ibc).
bench: wasm
	cargo build --release -q -p e2e -p edgemint-oracle --bins
	cargo run --release -q -p e2e --bin edgemint-bench
	cargo run --release -q -p e2e --bin edgemint-ingest-bench
	cargo run --release -q -p edgemint-oracle --example store_bench
	cargo run --release -q -p rewards-core --example epoch_bench -- 10000 100000 1000000
	bash scripts/fuzz.sh
	$(MAKE) --no-print-directory bench-ibc

fuzz:
	bash scripts/fuzz.sh

# IBC latency (p50/p95 over 100 transfers) and backlog-of-500 throughput with edgemint-relayer (release build),
# then a second backlog of 500 on the same channel drained by the stock hermes of the same version, on the same
# config.toml (install-hermes.sh: ~25 min the first time, then a version check; only bench-ibc needs it).
bench-ibc: setup
	bash scripts/install-hermes.sh
	cargo build --release -p relayer-ext --bin edgemint-relayer
	cargo run --release -q -p e2e --bin ibc-bench -- 100 500

test: setup
	bash scripts/test.sh

# The dApp (web/): contract clients generated from the schemas, Playwright tests in Debian's Chromium.
web-clients:
	bash scripts/web-clients.sh

web-test: wasm
	bash scripts/test-web.sh

web-serve:
	bash scripts/run-web.sh
