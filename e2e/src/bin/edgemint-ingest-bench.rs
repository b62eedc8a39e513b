//! `make bench`: the oracle daemon's end-to-end ingest rate against this machine's raw signature verification rate.
//!
//! 1. Raw rate (the limit): signed telemetry records verified with the device SDK's `DevicePublicKey::verify` over
//!    the canonical bytes, exactly the call the daemon makes (`Verifier::check_signature_and_rate`): one thread for
//!    ed25519, secp256k1, a 50/50 mix and this run's own records; then this run's records on every core at once,
//!    before the daemon's first round and after each of its rounds: the limit per core (the daemon runs on every
//!    core, and one busy core can be faster than each of several).
//! 2. End to end: a fresh one-validator localnet with the registry, staking, hub and rewards contracts; a fleet
//!    registered and activated on chain (the simulator's `provision`); the real `edgemint-oracle` binary as its own
//!    process with its SQLite store on disk; EMTB batch frames POSTed to `/v1/telemetry/batch` over several
//!    connections (`?results=not_accepted`: answers list only what was not accepted). Accepted records per second
//!    of wall time and per CPU-second of the daemon process (`/proc/<pid>/stat` utime + stime), next to the raw
//!    rate: the goal is ≥ 90% of the limit per core used.
//!
//! Rates are per CPU-second (of the verifying thread, of the daemon), so other load on a shared machine changes the
//! wall-clock figures much more than the ratio; run on a quiet machine for figures to quote.
//!
//! Options (environment): EDGEMINT_BENCH_DEVICES (1000), EDGEMINT_BENCH_RECORDS (records per device, 100),
//! EDGEMINT_BENCH_BATCH (records per frame, 500), EDGEMINT_BENCH_CONNECTIONS (4), EDGEMINT_BENCH_ROUNDS (3: the
//! measured records are sent in this many rounds, alternating with the limit runs), EDGEMINT_BENCH_PERF (a path:
//! `perf record` the daemon during the measured phase and print its top symbols).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use chain_config::process::{self, Lifetime};
use e2e::contracts::{self, CoreParams, EMC};
use e2e::epochs::{self, EpochParams};
use e2e::TestNet;
use edgemint_device_sdk::{encode_batch, DevicePublicKey, KeyType, SignedTelemetry, TelemetryReport};
use edgemint_oracle::clock::ManualClock;
use edgemint_oracle::directory::{DeviceInfo, StaticDirectory};
use edgemint_oracle::ratelimit::RateLimiter;
use edgemint_oracle::verify::{Incoming, Limits, Verifier};
use edgemint_sim::provision::{self, Accounts, ProvisionOptions};
use edgemint_sim::{Fleet, FleetSpec};
use edgemint_types::epoch::EpochTiming;
use edgemint_types::registry::DeviceStatus;
use serde::Deserialize;

/// Long enough that the whole run stays inside one epoch.
const EPOCH_LENGTH: u64 = 3_600;
/// Devices per owner account (one activation transaction each).
const DEVICES_PER_OWNER: u32 = 25;
/// Each raw measurement runs for at least this much CPU time.
const RAW_MIN_CPU: Duration = Duration::from_secs(2);

struct Options {
    devices: u32,
    records: u64,
    batch: usize,
    connections: usize,
    rounds: usize,
    perf: Option<PathBuf>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .ok()
            .with_context(|| format!("{name}={v:?} is not valid")),
        Err(_) => Ok(default),
    }
}

impl Options {
    fn from_env() -> Result<Self> {
        let o = Self {
            devices: env_or("EDGEMINT_BENCH_DEVICES", 1_000)?,
            records: env_or("EDGEMINT_BENCH_RECORDS", 100)?,
            batch: env_or("EDGEMINT_BENCH_BATCH", 500)?,
            connections: env_or("EDGEMINT_BENCH_CONNECTIONS", 4)?,
            rounds: env_or("EDGEMINT_BENCH_ROUNDS", 3)?,
            perf: std::env::var_os("EDGEMINT_BENCH_PERF").map(PathBuf::from),
        };
        ensure!(o.devices >= 2, "EDGEMINT_BENCH_DEVICES must be ≥ 2");
        ensure!(
            o.records >= 2,
            "EDGEMINT_BENCH_RECORDS must be ≥ 2 (the first is the warm-up)"
        );
        ensure!(
            (1..=10_000).contains(&o.batch),
            "EDGEMINT_BENCH_BATCH must be 1..=10000"
        );
        ensure!(o.connections >= 1, "EDGEMINT_BENCH_CONNECTIONS must be ≥ 1");
        ensure!(
            (1..o.records as usize).contains(&o.rounds),
            "EDGEMINT_BENCH_ROUNDS must be 1..EDGEMINT_BENCH_RECORDS"
        );
        Ok(o)
    }
}

/// One record as the daemon verifies it: the parsed registry key, the canonical bytes, the signature.
struct Verifiable {
    key: Arc<DevicePublicKey>,
    encoded: Vec<u8>,
    signature: [u8; 64],
}

/// One measured round of the daemon: accepted records and the daemon's CPU (s) and wall time.
struct Round {
    accepted: u64,
    user: f64,
    sys: f64,
    wall: f64,
}

/// CPU time of the calling thread (scheduler run time, nanoseconds).
fn thread_cpu() -> Result<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").context("reading /proc/thread-self/schedstat")?;
    let ns: u64 = s
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .context("schedstat")?;
    Ok(Duration::from_nanos(ns))
}

/// (user, system) CPU time of process `pid` from `/proc/<pid>/stat` (fields 14 and 15, clock ticks).
fn process_cpu(pid: u32, ticks_per_sec: f64) -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).with_context(|| format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may contain spaces; the fields after its closing parenthesis start at field 3.
    let rest = stat.rsplit_once(')').context("malformed stat")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| -> Result<f64> { Ok(f.get(i).context("short stat")?.parse::<f64>()? / ticks_per_sec) };
    Ok((tick(11)?, tick(12)?))
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

struct Rate {
    records: u64,
    cpu: Duration,
    wall: Duration,
}

impl Rate {
    fn per_cpu_sec(&self) -> f64 {
        self.records as f64 / self.cpu.as_secs_f64()
    }
    fn per_wall_sec(&self) -> f64 {
        self.records as f64 / self.wall.as_secs_f64()
    }
}

/// Verifies `items` over and over on this thread for at least [`RAW_MIN_CPU`]; every one must verify.
fn raw_rate(items: &[Verifiable]) -> Result<Rate> {
    ensure!(!items.is_empty(), "nothing to verify");
    let (cpu0, wall0) = (thread_cpu()?, Instant::now());
    let mut records = 0u64;
    loop {
        for it in items {
            it.key
                .verify(&it.encoded, &it.signature)
                .context("a bench record did not verify")?;
        }
        records += items.len() as u64;
        if thread_cpu()? - cpu0 >= RAW_MIN_CPU {
            break;
        }
    }
    Ok(Rate {
        records,
        cpu: thread_cpu()? - cpu0,
        wall: wall0.elapsed(),
    })
}

/// [`raw_rate`] on `threads` threads at once (one per core): the per-core rate when every core verifies, which is
/// how the daemon runs. With one core busy a core may run faster (a higher turbo clock, no neighbour on the host),
/// so a one-thread rate overstates what each of several busy cores can do.
fn raw_rate_all_cores(items: &[Verifiable], threads: usize) -> Result<Rate> {
    let rates: Vec<Result<Rate>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| raw_rate(items))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a verifying thread panicked")))
            })
            .collect()
    });
    let mut total = Rate {
        records: 0,
        cpu: Duration::ZERO,
        wall: Duration::ZERO,
    };
    for r in rates {
        let r = r?;
        total.records += r.records;
        total.cpu += r.cpu;
        total.wall = total.wall.max(r.wall);
    }
    Ok(total)
}

/// The daemon's whole per-record CPU step (`Verifier::check_signature_and_rate`: canonical encoding, the same
/// verification, a rate-limit token, the record to store), for comparison with the bare verification.
fn daemon_check_rate(records: &[(SignedTelemetry, Arc<DevicePublicKey>)], chain_id: &str, now: u64) -> Result<Rate> {
    let clock = Arc::new(ManualClock::new(now));
    let verifier = Verifier::new(
        chain_id.to_string(),
        EpochTiming::from_secs(0, EPOCH_LENGTH).context("timing")?,
        Limits {
            timestamp_window_secs: u64::MAX,
            max_tasks_per_epoch: u64::MAX,
            max_interactions_per_epoch: u64::MAX,
        },
        clock,
        Arc::new(StaticDirectory::default()),
        RateLimiter::new(u32::MAX, u32::MAX),
    );
    let prepared: Vec<(Incoming, DeviceInfo)> = records
        .iter()
        .map(|(s, key)| {
            (
                Incoming {
                    chain_id: chain_id.to_string(),
                    signed: s.clone(),
                },
                DeviceInfo {
                    device_id: s.report.device_id,
                    key: key.clone(),
                    status: DeviceStatus::Active,
                    owner: None,
                },
            )
        })
        .collect();
    let (cpu0, wall0) = (thread_cpu()?, Instant::now());
    let mut n = 0u64;
    loop {
        for (item, device) in &prepared {
            verifier
                .check_signature_and_rate(item, device)
                .map_err(|e| anyhow::anyhow!("daemon check failed: {e}"))?;
        }
        n += prepared.len() as u64;
        if thread_cpu()? - cpu0 >= RAW_MIN_CPU {
            break;
        }
    }
    Ok(Rate {
        records: n,
        cpu: thread_cpu()? - cpu0,
        wall: wall0.elapsed(),
    })
}

/// The path of the `edgemint-oracle` binary built alongside this one.
fn daemon_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("edgemint-oracle");
    ensure!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p edgemint-oracle` (make bench does)",
        path.display()
    );
    Ok(path)
}

/// A daemon process of this bench, stopped by pid.
struct DaemonProcess {
    pid: u32,
    child: std::process::Child,
    marker: String,
    url: String,
    log: PathBuf,
}

impl DaemonProcess {
    fn stop(&mut self) {
        process::stop(self.pid, &self.marker, Duration::from_secs(30));
        let _ = self.child.try_wait();
    }
}

impl Drop for DaemonProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Deserialize)]
struct BatchAnswer {
    accepted: u64,
    duplicate: u64,
    rejected: u64,
    results: Vec<ItemAnswer>,
}

#[derive(Deserialize)]
struct ItemAnswer {
    status: String,
    reason: Option<String>,
}

#[derive(Default)]
struct Tally {
    accepted: u64,
    duplicate: u64,
    rejected: BTreeMap<String, u64>,
    /// Whole-request failures: (HTTP status or transport error) → count.
    failed_requests: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.accepted += other.accepted;
        self.duplicate += other.duplicate;
        for (k, v) in other.rejected {
            *self.rejected.entry(k).or_default() += v;
        }
        for (k, v) in other.failed_requests {
            *self.failed_requests.entry(k).or_default() += v;
        }
    }
    fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

/// POSTs `frames` in order on one keep-alive connection and counts the answers.
fn send_frames(url: &str, frames: &[Vec<u8>]) -> Tally {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build();
    let mut t = Tally::default();
    for frame in frames {
        let resp = agent
            .post(url)
            .set("Content-Type", "application/octet-stream")
            .send_bytes(frame);
        let resp = match resp {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                let body = r.into_string().unwrap_or_default();
                let key = format!("HTTP {code}: {}", body.chars().take(160).collect::<String>());
                *t.failed_requests.entry(key).or_default() += 1;
                continue;
            }
            Err(e) => {
                *t.failed_requests.entry(format!("transport: {e}")).or_default() += 1;
                continue;
            }
        };
        match resp.into_json::<BatchAnswer>() {
            Ok(a) => {
                t.accepted += a.accepted;
                t.duplicate += a.duplicate;
                if a.rejected > 0 {
                    for r in a.results.iter().filter(|r| r.status == "rejected") {
                        let reason = r.reason.clone().unwrap_or_else(|| "?".into());
                        *t.rejected.entry(reason).or_default() += 1;
                    }
                }
            }
            Err(e) => *t.failed_requests.entry(format!("unreadable answer: {e}")).or_default() += 1,
        }
    }
    t
}

/// Sends `per_connection` frame lists concurrently, one thread and connection each.
fn send_all(url: &str, per_connection: &[Vec<Vec<u8>>]) -> Tally {
    let mut total = Tally::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = per_connection
            .iter()
            .map(|frames| s.spawn(move || send_frames(url, frames)))
            .collect();
        for h in handles {
            match h.join() {
                Ok(t) => total.add(t),
                Err(_) => {
                    *total
                        .failed_requests
                        .entry("sender thread panicked".into())
                        .or_default() += 1
                }
            }
        }
    });
    total
}

fn http_get(url: &str) -> Result<String> {
    Ok(ureq::get(url)
        .timeout(Duration::from_secs(30))
        .call()
        .with_context(|| format!("GET {url}"))?
        .into_string()?)
}

/// The value of a Prometheus sample line `name value` (no labels).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
}

fn fmt_int(v: f64) -> String {
    let s = format!("{:.0}", v);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let o = Options::from_env()?;
    let started = Instant::now();
    let daemon_bin = daemon_binary()?;

    // --- chain, contracts, fleet -------------------------------------------------------------------------------
    eprintln!("[ingest-bench] starting a one-validator localnet");
    let net = TestNet::start(1).await?;
    let client = Arc::new(net.client(0)?);
    let chain_id = net.net.chain_id.clone();
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let (maker_key, maker) = contracts::funded_account(&net, &client, "bench-maker", 1_000 * EMC).await?;
    let core = contracts::deploy_core(
        &client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &CoreParams::default(),
    )
    .await?;

    let tmp = tempfile::Builder::new().prefix("edgemint-ingest-bench-").tempdir()?;
    let mut fleet = Fleet::generate(FleetSpec {
        seed: 2024,
        devices: o.devices,
        owners: o.devices.div_ceil(DEVICES_PER_OWNER),
        secp256k1_fraction: 0.5,
        prefix: client.prefix().to_string(),
        ..FleetSpec::default()
    })?;
    eprintln!(
        "[ingest-bench] registering and activating {} devices on chain (batches of 100, {} owners)",
        o.devices,
        fleet.owners.len()
    );
    let provisioned = Instant::now();
    let report = provision::provision(
        client.clone(),
        &chain_id,
        &mut fleet,
        &tmp.path().join("fleet.json"),
        &Accounts {
            maker: maker_key,
            faucet: Some(net.account("faucet")?.clone()),
            admin: None,
        },
        &ProvisionOptions {
            registry: core.registry.clone(),
            staking: Some(core.staking.clone()),
            ..ProvisionOptions::default()
        },
    )
    .await?;
    ensure!(
        report.failures.is_empty(),
        "provisioning failures: {:?}",
        report.failures
    );
    let provision_secs = provisioned.elapsed().as_secs_f64();
    let devices: Vec<(u64, edgemint_device_sdk::DeviceKey, Arc<DevicePublicKey>)> = fleet
        .devices
        .iter()
        .map(|d| {
            ensure!(
                d.status.as_deref() == Some("active"),
                "device {} is not active",
                d.index
            );
            let id = d.device_id.context("device without id")?;
            // Parsed from the registry's bytes by the same function the daemon's directory uses.
            let key = DevicePublicKey::from_bytes(d.key_type, &d.public_key_bytes()?)?;
            Ok((id, d.key()?, Arc::new(key)))
        })
        .collect::<Result<_>>()?;

    // The hub last: the epoch running at its deployment started a few seconds earlier and lasts an hour.
    let ep = epochs::deploy(
        &client,
        &deployer,
        &pool_holder,
        &core,
        &EpochParams {
            genesis_offset_secs: 5 * EPOCH_LENGTH + 5,
            epoch_length: EPOCH_LENGTH,
            ..EpochParams::default()
        },
    )
    .await?;

    // --- the daemon ----------------------------------------------------------------------------------------------
    let port = process::free_ports(1)?[0];
    let dir = tmp.path().join("oracle");
    std::fs::create_dir_all(&dir)?;
    let config_path = dir.join("oracle.toml");
    // Rate limits and the directory cache TTL out of the way: the bench measures throughput, not throttling.
    std::fs::write(
        &config_path,
        format!(
            r#"# edgemint-ingest-bench
[server]
listen = "127.0.0.1:{port}"
max_body_bytes = {max_body}
max_batch_items = 10000

[chain]
rpc_url = "{rpc}"
chain_id = "{chain_id}"
prefix = "{prefix}"
denom = "{denom}"

[contracts]
registry = "{registry}"
staking = "{staking}"
hub = "{hub}"
rewards = "{rewards}"

[store]
data_dir = "data"

[ingest]
timestamp_window_secs = 1800
rate_limit_burst = 4000000000
rate_limit_per_minute = 4000000000
device_cache_ttl_secs = 3600

[epoch]
auto = false

[report]
enabled = false
"#,
            max_body = 32 << 20,
            rpc = net.net.nodes[0].rpc_url(),
            prefix = client.prefix(),
            denom = client.denom(),
            registry = core.registry,
            staking = core.staking,
            hub = ep.hub,
            rewards = ep.rewards,
        ),
    )?;
    let log = dir.join("oracle.log");
    let mut cmd = std::process::Command::new(&daemon_bin);
    cmd.arg("start")
        .arg("--config")
        .arg(&config_path)
        .env("RUST_LOG", "warn");
    let child = process::spawn(cmd, &log, Lifetime::Attached)?;
    let mut daemon = DaemonProcess {
        pid: child.id(),
        child,
        marker: config_path.display().to_string(),
        url: format!("http://127.0.0.1:{port}"),
        log: log.clone(),
    };
    let status = wait_for_status(&mut daemon).await?;
    let timing: EpochTiming = serde_json::from_value(status["epoch_timing"].clone()).context("epoch_timing")?;
    let ticks = clock_ticks();

    // --- records ------------------------------------------------------------------------------------------------
    let now = edgemint_oracle::clock::unix_now();
    let epoch = timing.epoch_at(now).context("before epoch 0")?;
    let elapsed = now - (timing.start_nanos(epoch) / 1_000_000_000) as u64;
    ensure!(
        elapsed + 1_200 < EPOCH_LENGTH,
        "the epoch ends too soon ({elapsed} s in)"
    );
    eprintln!(
        "[ingest-bench] signing {} records ({} devices x {})",
        fmt_int(o.records as f64 * devices.len() as f64),
        devices.len(),
        o.records
    );
    // signed[d][s]: device d's report with sequence s + 1, all stamped `now`.
    let signed: Vec<Vec<SignedTelemetry>> = sign_all(&devices, &chain_id, o.records, now, epoch, elapsed)?;

    // --- 1. raw verification --------------------------------------------------------------------------------------
    eprintln!("[ingest-bench] measuring raw verification (one thread)");
    let verifiable = |d: usize, s: usize| -> Result<Verifiable> {
        let rec = &signed[d][s];
        Ok(Verifiable {
            key: devices[d].2.clone(),
            encoded: rec.signed_bytes(&chain_id)?,
            signature: rec.signature,
        })
    };
    let per_type = |t: KeyType| -> Result<Vec<Verifiable>> {
        let mut v = Vec::new();
        for d in (0..devices.len()).filter(|&d| devices[d].2.key_type() == t) {
            for s in 0..(o.records as usize).min(4) {
                v.push(verifiable(d, s)?);
            }
        }
        Ok(v)
    };
    let ed = per_type(KeyType::Ed25519)?;
    let k1 = per_type(KeyType::Secp256k1)?;
    ensure!(!ed.is_empty() && !k1.is_empty(), "the fleet needs both key types");
    let ed_rate = raw_rate(&ed)?;
    let k1_rate = raw_rate(&k1)?;
    let mut mixed = Vec::new();
    for (a, b) in ed.iter().zip(k1.iter()) {
        for x in [a, b] {
            mixed.push(Verifiable {
                key: x.key.clone(),
                encoded: x.encoded.clone(),
                signature: x.signature,
            });
        }
    }
    let mix_rate = raw_rate(&mixed)?;
    // This run's own records, in the order they are sent (the limit the ingest figure is compared with). Every
    // device sends the same number of reports, so a few rounds of sequences have exactly the run's key-type mix.
    let measured_seqs = 1..o.records as usize;
    let mut run_records = Vec::new();
    for s in measured_seqs.clone().take(5) {
        for d in 0..devices.len() {
            run_records.push(verifiable(d, s)?);
        }
    }
    let secp_share = run_records
        .iter()
        .filter(|v| v.key.key_type() == KeyType::Secp256k1)
        .count() as f64
        / run_records.len() as f64;
    let run_rate = raw_rate(&run_records)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let check_sample: Vec<(SignedTelemetry, Arc<DevicePublicKey>)> = (0..devices.len())
        .map(|d| (signed[d][1].clone(), devices[d].2.clone()))
        .collect();
    let check_rate = daemon_check_rate(&check_sample, &chain_id, now)?;

    // --- 2. end-to-end ingest -------------------------------------------------------------------------------------
    // A gateway's way of sending: the answers list only what was not accepted (the counts cover every item).
    let url = format!("{}/v1/telemetry/batch?results=not_accepted", daemon.url);
    // Each connection owns a fixed set of devices and sends their reports in sequence order, so no report ever
    // overtakes an older one of its device (that would be a stale_sequence rejection, as it should).
    let frames = |seqs: std::ops::Range<usize>| -> Result<Vec<Vec<Vec<u8>>>> {
        (0..o.connections)
            .map(|c| {
                let mut items = Vec::new();
                for s in seqs.clone() {
                    for d in (c..devices.len()).step_by(o.connections) {
                        items.push(signed[d][s].clone());
                    }
                }
                items
                    .chunks(o.batch)
                    .map(|chunk| Ok(encode_batch(&chain_id, chunk)?))
                    .collect::<Result<Vec<_>>>()
            })
            .collect()
    };
    let warmup = frames(0..1)?;
    let measured_records = (o.records - 1) * devices.len() as u64;

    eprintln!("[ingest-bench] warm-up: sequence 1 of every device (fills the daemon's registry cache)");
    let url2 = url.clone();
    let warm = tokio::task::spawn_blocking(move || send_all(&url2, &warmup)).await?;
    ensure!(
        warm.accepted == devices.len() as u64 && warm.failed_requests.is_empty() && warm.rejected.is_empty(),
        "warm-up: {} accepted of {}, rejected {:?}, failed requests {:?} (log: {})",
        warm.accepted,
        devices.len(),
        warm.rejected,
        warm.failed_requests,
        daemon.log.display()
    );

    // The measured sequences in `rounds` rounds, with the limit measured before the first and after every round:
    // the machine's speed drifts (other tenants of the host), so each round is compared with the limit measured
    // right around it, and the totals with every limit run.
    let perf = match &o.perf {
        Some(path) => Some(start_perf(daemon.pid, path)?),
        None => None,
    };
    let metrics_before = http_get(&format!("{}/metrics", daemon.url))?;
    let seq_count = measured_seqs.len();
    let mut limits = vec![raw_rate_all_cores(&run_records, cores)?];
    let mut rounds: Vec<Round> = Vec::new();
    let mut tally = Tally::default();
    for r in 0..o.rounds {
        let seqs =
            (measured_seqs.start + r * seq_count / o.rounds)..(measured_seqs.start + (r + 1) * seq_count / o.rounds);
        let round_frames = frames(seqs.clone())?;
        let records = (seqs.len() * devices.len()) as u64;
        eprintln!(
            "[ingest-bench] round {}/{}: {} records (sequences {}..={}) over {} connections",
            r + 1,
            o.rounds,
            fmt_int(records as f64),
            seqs.start + 1,
            seqs.end,
            o.connections
        );
        let (user0, sys0) = process_cpu(daemon.pid, ticks)?;
        let wall0 = Instant::now();
        let url2 = url.clone();
        let t = tokio::task::spawn_blocking(move || send_all(&url2, &round_frames)).await?;
        let wall = wall0.elapsed().as_secs_f64();
        let (user1, sys1) = process_cpu(daemon.pid, ticks)?;
        rounds.push(Round {
            accepted: t.accepted,
            user: user1 - user0,
            sys: sys1 - sys0,
            wall,
        });
        tally.add(t);
        if r + 1 < o.rounds {
            limits.push(raw_rate_all_cores(&run_records, cores)?);
        }
    }
    if let Some((pid, marker)) = perf {
        process::stop(pid, &marker, Duration::from_secs(30));
    }
    let metrics_after = http_get(&format!("{}/metrics", daemon.url))?;
    let status: serde_json::Value = serde_json::from_str(&http_get(&format!("{}/v1/status", daemon.url))?)?;
    let served_records = status["store"]["telemetry_records"].as_u64();

    // Persist-before-acknowledge, checked from the outside: stop the daemon and count what is on disk.
    daemon.stop();
    let db = dir.join("data").join(edgemint_oracle::config::StoreConfig::DB_FILE);
    let on_disk = {
        use edgemint_oracle::store::Store as _;
        edgemint_oracle::store::SqliteStore::open(&db)?
            .stats()?
            .telemetry_records
    };
    // The limit after the last round (the daemon is stopped: nothing else runs).
    limits.push(raw_rate_all_cores(&run_records, cores)?);
    drop(run_records);
    let all_cores_rate = Rate {
        records: limits.iter().map(|l| l.records).sum(),
        cpu: limits.iter().map(|l| l.cpu).sum(),
        wall: limits.iter().map(|l| l.wall).sum(),
    };

    // --- report ---------------------------------------------------------------------------------------------------
    let cpu_user: f64 = rounds.iter().map(|r| r.user).sum();
    let cpu_sys: f64 = rounds.iter().map(|r| r.sys).sum();
    let cpu = cpu_user + cpu_sys;
    let wall: f64 = rounds.iter().map(|r| r.wall).sum();
    let accepted = tally.accepted as f64;
    let per_cpu = accepted / cpu;
    // The daemon runs on every core (see "cores used"), so its limit per core is the rate of every core verifying.
    let limit = all_cores_rate.per_cpu_sec();
    let store_sum = metric(&metrics_after, "edgemint_oracle_store_latency_seconds_sum").unwrap_or(0.0)
        - metric(&metrics_before, "edgemint_oracle_store_latency_seconds_sum").unwrap_or(0.0);
    let store_count = metric(&metrics_after, "edgemint_oracle_store_latency_seconds_count").unwrap_or(0.0)
        - metric(&metrics_before, "edgemint_oracle_store_latency_seconds_count").unwrap_or(0.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    println!();
    println!(
        "oracle ingest benchmark ({} CPUs, load average {})",
        cpus(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "rates are per CPU-second of the measuring thread or of the daemon process; wall rates suffer from other load"
    );
    println!();
    println!(
        "1. raw signature verification, one thread: DevicePublicKey::verify over the canonical bytes (as the daemon)"
    );
    println!(
        "   {:<44} {:>10} {:>8} {:>14} {:>12}",
        "workload", "records", "CPU s", "records/CPU-s", "records/s"
    );
    let row = |name: &str, r: &Rate| {
        println!(
            "   {:<44} {:>10} {:>8.2} {:>14} {:>12}",
            name,
            fmt_int(r.records as f64),
            r.cpu.as_secs_f64(),
            fmt_int(r.per_cpu_sec()),
            fmt_int(r.per_wall_sec())
        )
    };
    row("ed25519", &ed_rate);
    row("secp256k1", &k1_rate);
    row("50/50 mix (alternating)", &mix_rate);
    row(
        &format!("this run's records ({:.1}% secp256k1)", secp_share * 100.0),
        &run_rate,
    );
    for (k, l) in limits.iter().enumerate() {
        let when = match k {
            0 => "before round 1".to_string(),
            k => format!("after round {k}"),
        };
        row(&format!("the same on {cores} threads at once, {when}"), l);
    }
    row(
        &format!("limit per core (all {} all-core runs)", limits.len()),
        &all_cores_rate,
    );
    row("daemon's check_signature_and_rate (+encode)", &check_rate);
    println!();
    println!(
        "2. end-to-end ingest: edgemint-oracle process (pid {}), SQLite on disk (WAL, synchronous=FULL), chain {}",
        daemon.pid, chain_id
    );
    println!(
        "   {} devices registered and active on chain (provisioned in {:.0} s), EMTB frames of {} records, {} connections",
        devices.len(),
        provision_secs,
        o.batch,
        o.connections
    );
    println!(
        "   {:<44} {:>14}",
        "records sent (after a warm-up of 1/device)",
        fmt_int(measured_records as f64)
    );
    println!("   {:<44} {:>14}", "accepted", fmt_int(accepted));
    println!("   {:<44} {:>14}", "duplicate", fmt_int(tally.duplicate as f64));
    println!("   {:<44} {:>14}", "rejected", fmt_int(tally.rejected_total() as f64));
    for (reason, n) in &tally.rejected {
        println!("   {:<44} {:>14}", format!("  {reason}"), fmt_int(*n as f64));
    }
    println!(
        "   {:<44} {:>14}",
        "failed requests",
        tally.failed_requests.values().sum::<u64>()
    );
    for (what, n) in &tally.failed_requests {
        println!("     {n} x {what}");
    }
    println!("   {:<44} {:>14.2}", "wall time, s", wall);
    println!(
        "   {:<44} {:>14}",
        "accepted records/s (wall)",
        fmt_int(accepted / wall)
    );
    println!("   {:<44} {:>14.2}", "daemon CPU, s (user + system)", cpu);
    println!("   {:<44} {:>14}", "", format!("{cpu_user:.2} + {cpu_sys:.2}"));
    println!("   {:<44} {:>14.2}", "cores used (CPU s / wall s)", cpu / wall);
    println!(
        "   {:<44} {:>14}",
        "accepted records per daemon CPU-second",
        fmt_int(per_cpu)
    );
    if store_count > 0.0 {
        println!(
            "   {:<44} {:>14}",
            "store writes (one per frame)",
            format!("{} x {:.1} ms", store_count, 1000.0 * store_sum / store_count)
        );
        println!(
            "   {:<44} {:>14}",
            "  store wall time per record, µs",
            format!("{:.1}", 1e6 * store_sum / accepted.max(1.0))
        );
    }
    println!(
        "   {:<44} {:>14}",
        "stored: /v1/status | on disk after stop",
        format!(
            "{} | {}",
            served_records.map_or("?".into(), |n| fmt_int(n as f64)),
            fmt_int(on_disk as f64)
        )
    );
    println!();
    let ratio = per_cpu / limit;
    println!(
        "3. ingest per daemon CPU-second / raw limit per core: {} / {} = {:.1}%  (goal ≥ 90%: {})",
        fmt_int(per_cpu),
        fmt_int(limit),
        100.0 * ratio,
        if ratio >= 0.9 { "met" } else { "not met" }
    );
    println!(
        "   (against the one-thread rate, {} with one core busy: {:.0}%)",
        fmt_int(run_rate.per_cpu_sec()),
        100.0 * per_cpu / run_rate.per_cpu_sec()
    );
    println!("   per round, against the mean of the limit runs just before and after it:");
    println!(
        "   {:<8} {:>10} {:>10} {:>16} {:>12} {:>7}",
        "round", "records", "CPU s", "records/CPU-s", "limit", "ratio"
    );
    let mut round_ratios = Vec::new();
    for (k, r) in rounds.iter().enumerate() {
        let rate = r.accepted as f64 / (r.user + r.sys);
        let around = (limits[k].per_cpu_sec() + limits[k + 1].per_cpu_sec()) / 2.0;
        round_ratios.push(rate / around);
        println!(
            "   {:<8} {:>10} {:>10.2} {:>16} {:>12} {:>6.1}%",
            k + 1,
            fmt_int(r.accepted as f64),
            r.user + r.sys,
            fmt_int(rate),
            fmt_int(around),
            100.0 * rate / around
        );
    }
    round_ratios.sort_by(f64::total_cmp);
    println!(
        "   median of the rounds: {:.1}%",
        100.0 * round_ratios[round_ratios.len() / 2]
    );
    println!("   (bench took {:.0} s)", started.elapsed().as_secs_f64());
    if let Some(path) = &o.perf {
        print_perf(path);
    }

    let expected_stored = devices.len() as u64 + tally.accepted;
    ensure!(
        tally.accepted == measured_records && tally.rejected.is_empty() && tally.failed_requests.is_empty(),
        "not every record was accepted (daemon log: {})",
        daemon.log.display()
    );
    ensure!(
        on_disk == expected_stored,
        "{on_disk} records on disk, {expected_stored} acknowledged"
    );
    Ok(())
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Waits for `/v1/status`; fails with the daemon's log if it exits or does not answer.
async fn wait_for_status(d: &mut DaemonProcess) -> Result<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(Some(exit)) = d.child.try_wait() {
            bail!(
                "edgemint-oracle exited ({exit}): {}",
                std::fs::read_to_string(&d.log).unwrap_or_default()
            );
        }
        let url = format!("{}/v1/status", d.url);
        if let Ok(Ok(text)) = tokio::task::spawn_blocking(move || http_get(&url)).await {
            return Ok(serde_json::from_str(&text)?);
        }
        if Instant::now() > deadline {
            bail!("edgemint-oracle did not answer within 90 s (log: {})", d.log.display());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Signs `records` reports per device on every core; `out[d][s]` has sequence `s + 1`.
fn sign_all(
    devices: &[(u64, edgemint_device_sdk::DeviceKey, Arc<DevicePublicKey>)],
    chain_id: &str,
    records: u64,
    now: u64,
    epoch: u64,
    elapsed: u64,
) -> Result<Vec<Vec<SignedTelemetry>>> {
    let chunk = devices.len().div_ceil(cpus());
    std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(id, key, _)| {
                            (1..=records)
                                .map(|seq| {
                                    let report = TelemetryReport {
                                        device_id: *id,
                                        sequence: seq,
                                        timestamp: now,
                                        epoch,
                                        uptime_secs: elapsed.min(seq * 10),
                                        tasks_completed: seq,
                                        interactions: 3 * seq,
                                        receipts_hash: None,
                                    };
                                    Ok(SignedTelemetry::sign(key, chain_id, report)?)
                                })
                                .collect::<Result<Vec<_>>>()
                        })
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(devices.len());
        for h in handles {
            out.extend(h.join().map_err(|_| anyhow::anyhow!("signing thread panicked"))??);
        }
        Ok(out)
    })
}

/// `perf record` on the daemon (flat profile); returns (pid, marker) to stop it by.
fn start_perf(pid: u32, out: &Path) -> Result<(u32, String)> {
    let mut cmd = std::process::Command::new("perf");
    cmd.args(["record", "-q", "-F", "999", "-p", &pid.to_string()]);
    if std::env::var_os("EDGEMINT_BENCH_PERF_CALLGRAPH").is_some() {
        cmd.arg("-g");
    }
    cmd.arg("-o").arg(out);
    let log = out.with_extension("log");
    let child = process::spawn(cmd, &log, Lifetime::Attached).context("starting perf (apt-get install linux-perf)")?;
    std::thread::sleep(Duration::from_millis(500));
    Ok((child.id(), out.display().to_string()))
}

/// Where a symbol's time goes, by the library or subsystem it belongs to.
fn category(symbol: &str) -> &'static str {
    const CATEGORIES: &[(&str, &[&str])] = &[
        (
            "secp256k1 verification (k256)",
            &["k256", "elliptic_curve", "primeorder", "ecdsa"],
        ),
        ("ed25519 verification (dalek)", &["curve25519", "ed25519"]),
        ("sha2, constant-time helpers", &["sha2::", "subtle::"]),
        (
            "SQLite",
            &[
                "sqlite", "yy_", "wal", "Vdbe", "vdbe", "Btree", "btree", "pcache", "pager", "Pager", "rusqlite",
            ],
        ),
        ("kernel (network, file I/O, scheduling)", &["[k]"]),
        ("JSON (serde_json)", &["serde", "json"]),
        (
            "allocation, memcpy",
            &["malloc", "free", "memmove", "memcpy", "memset", "realloc", "alloc"],
        ),
        ("tokio, hyper, axum", &["tokio", "hyper", "axum", "tower", "http"]),
        ("daemon and device SDK code", &["edgemint"]),
    ];
    CATEGORIES
        .iter()
        .find(|(_, keys)| keys.iter().any(|k| symbol.contains(k)))
        .map_or("other", |(name, _)| name)
}

fn print_perf(path: &Path) {
    let out = std::process::Command::new("perf")
        .args([
            "report",
            "--stdio",
            "--no-children",
            "--sort",
            "symbol",
            "-g",
            "none",
            "-i",
        ])
        .arg(path)
        .output();
    println!();
    println!(
        "perf profile of the daemon process during the measured phase ({}):",
        path.display()
    );
    let text = match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
        Err(e) => return println!("   perf report failed: {e}"),
    };
    let rows: Vec<(f64, String)> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (pct, sym) = l.trim().split_once('%')?;
            Some((
                pct.trim().parse().ok()?,
                sym.trim().trim_end_matches(['-', ' ']).to_string(),
            ))
        })
        .collect();
    let mut by_category: BTreeMap<&str, f64> = BTreeMap::new();
    for (pct, sym) in &rows {
        *by_category.entry(category(sym)).or_default() += pct;
    }
    let mut cats: Vec<_> = by_category.into_iter().collect();
    cats.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (name, pct) in cats {
        println!("   {name:<44} {pct:>6.1}%");
    }
    println!("   top symbols:");
    for (pct, sym) in rows.iter().take(15) {
        println!("   {pct:>6.2}%  {}", sym.chars().take(110).collect::<String>());
    }
}
