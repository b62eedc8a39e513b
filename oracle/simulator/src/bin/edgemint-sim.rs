//! `edgemint-sim`: the Edgemint device simulator CLI (see oracle/simulator/README.md).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use edgemint_sim::chain::{self, Chain, ChainOptions};
use edgemint_sim::daemon::SendPolicy;
use edgemint_sim::error::SimError;
use edgemint_sim::fleet::{Fleet, FleetSpec};
use edgemint_sim::frame::Wire;
use edgemint_sim::provision::{self, Accounts, ProvisionOptions};
use edgemint_sim::run::{self, RunOptions};
use edgemint_sim::{CheatAmount, EpochTiming, RunContext, Scheduler};

#[derive(Parser)]
#[command(
    name = "edgemint-sim",
    version,
    about = "Edgemint device simulator: fleet, chain provisioning, telemetry"
)]
struct Cli {
    /// Log filter (RUST_LOG syntax); logs go to stderr.
    #[arg(long, global = true, env = "EDGEMINT_SIM_LOG", default_value = "info")]
    log: String,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Creates the fleet file (keys, codes, behaviour, cheat modes, owners) from a seed.
    Init {
        #[command(flatten)]
        fleet: FleetArgs,
        /// Replace an existing fleet file.
        #[arg(long)]
        force: bool,
    },
    /// Prints the fleet: counts per cheat mode, or one JSON line per device.
    Show {
        #[command(flatten)]
        fleet: FleetArgs,
        /// One JSON object per device (index, device_id, key_type, public_key, cheat, status, owner).
        #[arg(long)]
        list: bool,
    },
    /// Registers (maker), funds owners (faucet), activates (owners, signed by the device keys) and optionally stakes.
    Provision {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        chain: ChainArgs,
        /// Maker account: a localnet account name.
        #[arg(long, default_value = "deployer")]
        maker: String,
        /// Maker account: a file holding its mnemonic (instead of --maker).
        #[arg(long)]
        maker_mnemonic_file: Option<PathBuf>,
        /// Funds the owners: a localnet account name.
        #[arg(long)]
        faucet: Option<String>,
        #[arg(long)]
        faucet_mnemonic_file: Option<PathBuf>,
        /// Registry admin that approves the maker if needed: a localnet account name.
        #[arg(long)]
        admin: Option<String>,
        #[arg(long)]
        admin_mnemonic_file: Option<PathBuf>,
        /// Device registry address (default: from the deployment file).
        #[arg(long)]
        registry: Option<String>,
        /// Staking contract address (default: from the deployment file, if any).
        #[arg(long)]
        staking: Option<String>,
        /// Stake the staking contract's minimum for every device.
        #[arg(long)]
        stake: bool,
        /// Devices per RegisterDevices transaction (1..=100).
        #[arg(long, default_value_t = 100)]
        batch_size: usize,
        /// Activate/Stake messages per owner transaction.
        #[arg(long, default_value_t = 25)]
        per_tx: usize,
        /// Owners sending transactions at the same time.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
        /// Fee allowance per message when topping up owners (base units).
        #[arg(long, default_value_t = 50_000)]
        fee_per_msg: u128,
    },
    /// Test chains only: stores and instantiates a device registry and a staking contract (maker approved) and
    /// records them in the deployment file that `provision` reads.
    DevDeploy {
        #[command(flatten)]
        chain: ChainArgs,
        /// Signs the uploads and becomes the contracts' admin: a localnet account name.
        #[arg(long, default_value = "deployer")]
        deployer: String,
        #[arg(long)]
        deployer_mnemonic_file: Option<PathBuf>,
        /// Maker to approve (address; default: the deployer).
        #[arg(long)]
        maker_address: Option<String>,
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
        /// Minimum stake per device, base units.
        #[arg(long, default_value_t = 100_000_000)]
        min_stake: u128,
        #[arg(long, default_value_t = 15)]
        unbonding_secs: u64,
        /// Also deploy an oracle hub with this epoch length in seconds (≥ 60); epoch 0 starts now.
        #[arg(long)]
        hub_epoch_length: Option<u64>,
        /// Where to write the deployment (default: <localnet>/deployment.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Streams telemetry to one or more daemons.
    Run {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        chain: ChainArgs,
        /// Daemon base URL; repeat for several operators (each gets the same traffic).
        #[arg(long = "daemon", required = true)]
        daemons: Vec<String>,
        /// Seconds between two reports of one device.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Stop after this long (e.g. 90s, 5m, 1h); default: until Ctrl-C.
        #[arg(long, value_parser = parse_duration)]
        duration: Option<Duration>,
        /// Cap on device reports per second over the whole fleet.
        #[arg(long)]
        rate: Option<f64>,
        /// binary (EMTB frames to /v1/telemetry/batch) or json (arrays to /v1/telemetry).
        #[arg(long, default_value = "binary")]
        wire: Wire,
        /// Records per request.
        #[arg(long, default_value_t = 1000)]
        batch_size: usize,
        /// Send a partial batch after this long.
        #[arg(long, default_value = "250ms", value_parser = parse_duration)]
        flush: Duration,
        /// Ordered parallel lanes per daemon.
        #[arg(long, default_value_t = 2)]
        lanes: usize,
        /// Epoch 0 start, unix seconds (with --epoch-length; default: the oracle hub's config).
        #[arg(long, requires = "epoch_length")]
        epoch_genesis: Option<u64>,
        /// Epoch length in seconds (with --epoch-genesis).
        #[arg(long, requires = "epoch_genesis")]
        epoch_length: Option<u64>,
        /// Oracle hub address to read the epoch timing from (default: from the deployment file).
        #[arg(long)]
        hub: Option<String>,
        /// Chain id wrong_chain cheaters sign for.
        #[arg(long, default_value = "edgemint-rogue-1")]
        wrong_chain_id: String,
        /// Probability per report that a replay / double_sign / wrong_chain cheater cheats.
        #[arg(long, default_value_t = 0.25)]
        cheat_rate: f64,
        /// Inflated uptime = elapsed-in-epoch × this + interval.
        #[arg(long, default_value_t = 3.0)]
        inflate_factor: f64,
        /// Leave receipts hashes out of reports.
        #[arg(long)]
        no_receipts: bool,
        /// Give registered devices without an id consecutive ids from N (no chain needed; e.g. a daemon with a
        /// static device list, or a fresh registry that registered the fleet in order).
        #[arg(long)]
        assume_sequential_ids: Option<u64>,
        /// Print a summary this often.
        #[arg(long, default_value = "5s", value_parser = parse_duration)]
        summary_every: Duration,
        /// Write the final counters as JSON here.
        #[arg(long)]
        summary_json: Option<PathBuf>,
        /// Per-request timeout.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        http_timeout: Duration,
        /// Retries of a request that failed with a connection error, timeout, 429 or 5xx.
        #[arg(long, default_value_t = 3)]
        retries: u32,
    },
}

/// Where the fleet lives and, when the file does not exist yet, how to make it. Options given for an existing file
/// must match it.
#[derive(Args, Clone)]
struct FleetArgs {
    /// The fleet file (created if missing).
    #[arg(long, default_value = "fleet.json")]
    fleet: PathBuf,
    /// Number of devices (1..=100000). [default: 50]
    #[arg(long)]
    devices: Option<u32>,
    /// Seed of every random choice. [default: 1]
    #[arg(long)]
    seed: Option<u64>,
    /// Owner accounts; registered devices are shared out round robin. [default: 5]
    #[arg(long)]
    owners: Option<u32>,
    /// Fraction of secp256k1 devices (the rest ed25519). [default: 0.5]
    #[arg(long)]
    secp256k1: Option<f64>,
    /// Bech32 prefix of owner addresses. [default: emc]
    #[arg(long)]
    prefix: Option<String>,
    /// Mean online period, seconds (population median). [default: 3600]
    #[arg(long)]
    mean_online: Option<f64>,
    /// Mean offline period, seconds. [default: 600]
    #[arg(long)]
    mean_offline: Option<f64>,
    /// Median tasks per online hour. [default: 30]
    #[arg(long)]
    tasks_per_hour: Option<f64>,
    /// Median interactions per online hour. [default: 240]
    #[arg(long)]
    interactions_per_hour: Option<f64>,
    /// Replaying devices: a count (5), fraction (0.02) or percentage (2%).
    #[arg(long)]
    replay: Option<CheatAmount>,
    /// Devices inflating their uptime.
    #[arg(long)]
    inflated_uptime: Option<CheatAmount>,
    /// Devices double-signing (two different reports with one sequence).
    #[arg(long)]
    double_sign: Option<CheatAmount>,
    /// Devices with keys never registered, under unknown ids.
    #[arg(long)]
    unregistered: Option<CheatAmount>,
    /// Devices with keys never registered, claiming honest devices' ids.
    #[arg(long)]
    impersonate: Option<CheatAmount>,
    /// Devices signing some reports for another chain id.
    #[arg(long)]
    wrong_chain: Option<CheatAmount>,
}

impl FleetArgs {
    fn spec(&self) -> FleetSpec {
        let mut s = FleetSpec::default();
        self.apply(&mut s);
        s
    }

    fn apply(&self, s: &mut FleetSpec) {
        macro_rules! set {
            ($field:expr, $value:expr) => {
                if let Some(v) = $value.clone() {
                    $field = v;
                }
            };
        }
        set!(s.devices, self.devices);
        set!(s.seed, self.seed);
        set!(s.owners, self.owners);
        set!(s.secp256k1_fraction, self.secp256k1);
        set!(s.prefix, self.prefix);
        set!(s.behaviour.mean_online_secs, self.mean_online);
        set!(s.behaviour.mean_offline_secs, self.mean_offline);
        set!(s.behaviour.tasks_per_hour, self.tasks_per_hour);
        set!(s.behaviour.interactions_per_hour, self.interactions_per_hour);
        set!(s.cheats.replay, self.replay);
        set!(s.cheats.inflated_uptime, self.inflated_uptime);
        set!(s.cheats.double_sign, self.double_sign);
        set!(s.cheats.unregistered, self.unregistered);
        set!(s.cheats.impersonate, self.impersonate);
        set!(s.cheats.wrong_chain, self.wrong_chain);
    }

    /// Loads the fleet file, or creates it from the options when it does not exist (or `force`).
    fn open(&self, force: bool) -> Result<Fleet> {
        if self.fleet.exists() && !force {
            let fleet = Fleet::load(&self.fleet)?;
            let mut wanted = fleet.spec.clone();
            self.apply(&mut wanted);
            if wanted != fleet.spec {
                let stored = serde_json::to_value(&fleet.spec)?;
                let given = serde_json::to_value(&wanted)?;
                let field = first_difference(&stored, &given);
                return Err(SimError::FleetMismatch {
                    path: self.fleet.clone(),
                    stored: lookup(&stored, &field).to_string(),
                    given: lookup(&given, &field).to_string(),
                    field,
                }
                .into());
            }
            tracing::info!(path = %self.fleet.display(), devices = fleet.devices.len(), "fleet loaded");
            return Ok(fleet);
        }
        let spec = self.spec();
        tracing::info!(devices = spec.devices, seed = spec.seed, "generating the fleet");
        let fleet = Fleet::generate(spec)?;
        fleet.save(&self.fleet)?;
        tracing::info!(path = %self.fleet.display(), "fleet written");
        Ok(fleet)
    }
}

/// The dotted path of the first field where two JSON trees differ.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> String {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            for (k, v) in x {
                if y.get(k) != Some(v) {
                    let inner = first_difference(v, y.get(k).unwrap_or(&serde_json::Value::Null));
                    return if inner.is_empty() {
                        k.clone()
                    } else {
                        format!("{k}.{inner}")
                    };
                }
            }
            String::new()
        }
        _ => String::new(),
    }
}

fn lookup(v: &serde_json::Value, path: &str) -> serde_json::Value {
    path.split('.')
        .filter(|p| !p.is_empty())
        .fold(v, |v, k| v.get(k).unwrap_or(&serde_json::Value::Null))
        .clone()
}

#[derive(Args, Clone)]
struct ChainArgs {
    /// A localnet directory (localnet.json): endpoints, chain id, test accounts, deployment.json.
    #[arg(long)]
    localnet: Option<PathBuf>,
    /// CometBFT RPC URL (instead of, or overriding, the localnet's).
    #[arg(long)]
    rpc: Option<String>,
    /// Chain id (required with --rpc alone).
    #[arg(long)]
    chain_id: Option<String>,
    /// chain-config deployment.json with the contract addresses.
    #[arg(long)]
    deployment: Option<PathBuf>,
    /// Bech32 prefix (with --rpc).
    #[arg(long, default_value = "emc")]
    chain_prefix: String,
    /// Fee denom (with --rpc).
    #[arg(long, default_value = "uemc")]
    denom: String,
    /// Gas price in the denom (with --rpc).
    #[arg(long, default_value_t = 0.03)]
    gas_price: f64,
}

impl ChainArgs {
    fn given(&self) -> bool {
        self.localnet.is_some() || self.rpc.is_some()
    }

    fn options(&self) -> ChainOptions {
        ChainOptions {
            localnet: self.localnet.clone(),
            rpc: self.rpc.clone(),
            chain_id: self.chain_id.clone(),
            prefix: self.chain_prefix.clone(),
            denom: self.denom.clone(),
            gas_price: self.gas_price,
            deployment: self.deployment.clone(),
        }
    }
}

/// `90`, `90s`, `250ms`, `5m`, `1h`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let v: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" => v * 60.0,
        "h" => v * 3600.0,
        _ => return Err(format!("bad duration unit in {s:?} (ms, s, m, h)")),
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!("duration {s:?} must be > 0"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn main() {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(dispatch(cli.cmd)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn dispatch(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Init { fleet, force } => {
            if fleet.fleet.exists() && !force {
                bail!("{} exists: use --force to replace it", fleet.fleet.display());
            }
            let f = fleet.open(true)?;
            print_census(&f, &fleet.fleet);
        }
        Cmd::Show { fleet, list } => {
            if !fleet.fleet.exists() {
                bail!("no fleet file {}", fleet.fleet.display());
            }
            let f = fleet.open(false)?;
            if list {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                for d in &f.devices {
                    let owner = d
                        .owner
                        .and_then(|k| f.owners.get(k as usize))
                        .map(|o| o.address.clone());
                    let line = serde_json::json!({
                        "index": d.index, "device_id": d.device_id, "key_type": d.key_type,
                        "public_key": d.public_key, "cheat": d.cheat, "status": d.status, "owner": owner,
                        "model": d.model,
                    });
                    if writeln!(out, "{line}").is_err() {
                        break; // e.g. `| head`
                    }
                }
            } else {
                print_census(&f, &fleet.fleet);
            }
        }
        Cmd::Provision {
            fleet,
            chain,
            maker,
            maker_mnemonic_file,
            faucet,
            faucet_mnemonic_file,
            admin,
            admin_mnemonic_file,
            registry,
            staking,
            stake,
            batch_size,
            per_tx,
            parallel,
            fee_per_msg,
        } => {
            let mut f = fleet.open(false)?;
            let c = Chain::connect(&chain.options())?;
            let registry = c.contract(registry.as_deref(), "device_registry")?;
            let staking = match staking {
                Some(s) => Some(s),
                None if stake => Some(c.contract(None, "staking")?),
                None => None,
            };
            let maker_key = c.account(Some(&maker), maker_mnemonic_file.as_deref(), "maker")?;
            let faucet_name = faucet.or_else(|| c.localnet.as_ref().map(|_| "faucet".to_string()));
            let faucet_key = match (&faucet_name, &faucet_mnemonic_file) {
                (None, None) => None,
                _ => Some(c.account(faucet_name.as_deref(), faucet_mnemonic_file.as_deref(), "faucet")?),
            };
            let admin_key = match (&admin, &admin_mnemonic_file) {
                (None, None) => None,
                _ => Some(c.account(admin.as_deref(), admin_mnemonic_file.as_deref(), "admin")?),
            };
            let accounts = Accounts {
                maker: maker_key,
                faucet: faucet_key,
                admin: admin_key,
            };
            let opts = ProvisionOptions {
                registry,
                staking,
                stake,
                batch_size,
                per_tx,
                parallel,
                fee_per_msg,
                ..ProvisionOptions::default()
            };
            let report =
                provision::provision(c.client.clone(), &c.chain_id, &mut f, &fleet.fleet, &accounts, &opts).await;
            print_census(&f, &fleet.fleet);
            let report = report?;
            println!("{}", report.summary());
            for failure in &report.failures {
                println!("  failed: {failure}");
            }
            if !report.failures.is_empty() {
                bail!(
                    "{} provisioning steps failed (run provision again to retry)",
                    report.failures.len()
                );
            }
        }
        Cmd::DevDeploy {
            chain,
            deployer,
            deployer_mnemonic_file,
            maker_address,
            artifacts,
            min_stake,
            unbonding_secs,
            hub_epoch_length,
            out,
        } => {
            let c = Chain::connect(&chain.options())?;
            let key = c.account(Some(&deployer), deployer_mnemonic_file.as_deref(), "deployer")?;
            let signer = c.client.signer(&key)?;
            let out = out
                .or_else(|| chain.deployment.clone())
                .or_else(|| c.localnet.as_ref().map(|n| n.dir.join("deployment.json")))
                .context("give --out (or --localnet)")?;
            let rewards_pool = c
                .localnet
                .as_ref()
                .and_then(|n| n.account("mining-pool"))
                .map(|a| a.address.clone())
                .unwrap_or_else(|| key.address.clone());
            let opts = edgemint_sim::devnet::DevDeployOptions {
                maker: maker_address.unwrap_or_else(|| key.address.clone()),
                rewards_pool,
                min_stake,
                unbonding_secs,
                hub_epoch_length,
            };
            let d =
                edgemint_sim::devnet::deploy(&c.client, &signer, &c.chain_id, &artifacts, c.deployment, &opts).await?;
            std::fs::write(&out, serde_json::to_string_pretty(&d)? + "\n")
                .with_context(|| format!("writing {}", out.display()))?;
            for i in &d.contracts {
                println!("{:<20} {} (code {})", i.label, i.address, i.code_id);
            }
            println!("written to {}", out.display());
        }
        Cmd::Run {
            fleet,
            chain,
            daemons,
            interval,
            duration,
            rate,
            wire,
            batch_size,
            flush,
            lanes,
            epoch_genesis,
            epoch_length,
            hub,
            wrong_chain_id,
            cheat_rate,
            inflate_factor,
            no_receipts,
            assume_sequential_ids,
            summary_every,
            summary_json,
            http_timeout,
            retries,
        } => {
            let mut f = fleet.open(false)?;
            if let Some(first) = assume_sequential_ids {
                f.assume_sequential_ids(first);
            }
            let c = if chain.given() {
                Some(Chain::connect(&chain.options())?)
            } else {
                None
            };
            let timing = match (epoch_genesis, epoch_length) {
                (Some(g), Some(l)) => EpochTiming::from_secs(g, l).context("epoch length must be > 0")?,
                _ => {
                    let c = c
                        .as_ref()
                        .context("give --epoch-genesis and --epoch-length, or a chain (--localnet/--rpc) with a hub")?;
                    let hub = c.contract(hub.as_deref(), "oracle_hub")?;
                    chain::hub_timing(&c.client, &hub).await?
                }
            };
            let chain_id = chain
                .chain_id
                .clone()
                .or_else(|| c.as_ref().map(|c| c.chain_id.clone()))
                .or_else(|| f.chain.as_ref().map(|b| b.chain_id.clone()))
                .context("no chain id: pass --chain-id (or provision the fleet, or give --localnet)")?;
            if let Some(b) = &f.chain {
                if b.chain_id != chain_id {
                    tracing::warn!(fleet = %b.chain_id, run = %chain_id, "the fleet was provisioned on another chain");
                }
            }
            let start = run::unix_now();
            let ctx = RunContext {
                chain_id,
                wrong_chain_id,
                timing,
                interval,
                seed: f.spec.seed,
                sequence_base: run::sequence_base(start),
                cheat_rate,
                inflate_factor,
                receipts: !no_receipts,
            };
            let scheduler = tokio::task::spawn_blocking(move || Scheduler::new(&f, ctx, start))
                .await
                .context("building the devices")??;
            println!(
                "{} devices, interval {interval} s (≈{:.0} reports/s when all online), epoch length {} s, sending to {}",
                scheduler.len(),
                scheduler.len() as f64 / interval as f64,
                timing.length,
                daemons.join(", ")
            );
            let stop = Arc::new(AtomicBool::new(false));
            spawn_ctrl_c(stop.clone());
            let opts = RunOptions {
                daemons,
                wire,
                batch_size,
                flush_after: flush,
                lanes,
                rate,
                duration,
                summary_every,
                policy: SendPolicy {
                    timeout: http_timeout,
                    retries,
                    ..SendPolicy::default()
                },
                summary_json,
                ..RunOptions::default()
            };
            run::run(scheduler, opts, stop).await?;
        }
    }
    Ok(())
}

/// First Ctrl-C: stop cleanly (flush, drain, summary). Second: exit at once.
fn spawn_ctrl_c(stop: Arc<AtomicBool>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopping (Ctrl-C again to abort)");
            stop.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

fn print_census(f: &Fleet, path: &Path) {
    println!(
        "fleet {}: {} devices, {} owners, seed {}{}",
        path.display(),
        f.devices.len(),
        f.owners.len(),
        f.spec.seed,
        f.chain
            .as_ref()
            .map(|c| format!(", chain {} registry {}", c.chain_id, c.registry))
            .unwrap_or_default()
    );
    for (mode, total, with_id, active) in f.census() {
        println!(
            "  {:<16} {total:>7} devices, {with_id:>7} with a device id, {active:>7} active",
            mode.as_str()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
