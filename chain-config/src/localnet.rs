//! Localnets of real `edgemintd` nodes on loopback: one validator for development, four over CometBFT p2p for
//! fault tests. Used by `edgemint-chain localnet` (make localnet) and by the e2e harness, so both run the same code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use cosmrs::rpc::{Client, HttpClient};
use serde::{Deserialize, Serialize};

use crate::genesis::{self, GenesisInput, Grant};
use crate::keys::KeyInfo;
use crate::node_config;
use crate::process::{self, Lifetime};
use crate::profile::Profile;
use crate::registry::{self, Endpoints};

/// Validator self-bond and the liquid amounts test accounts receive (EMC), all from the institutions bucket.
const VALIDATOR_BOND_EMC: u128 = 1_000_000;
const VALIDATOR_LIQUID_EMC: u128 = 10_000_000;
const TEST_ACCOUNTS: &[(&str, u128)] = &[
    ("deployer", 10_000_000),
    ("faucet", 1_000_000_000),
    ("alice", 1_000_000),
    ("bob", 1_000_000),
    // The oracle operator `make run` starts a daemon for (bonds 1,000 EMC, pays report and claim fees).
    ("oracle-operator", 100_000),
];
const STATE_FILE: &str = "localnet.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ports {
    pub rpc: u16,
    pub p2p: u16,
    pub grpc: u16,
    pub api: u16,
    pub abci: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub moniker: String,
    pub home: PathBuf,
    pub node_id: String,
    pub validator: KeyInfo,
    pub ports: Ports,
    /// Set while started detached (make localnet), so `stop` finds it.
    #[serde(default)]
    pub pid: Option<u32>,
}

impl Node {
    pub fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.rpc)
    }
    pub fn rest_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.api)
    }
    pub fn grpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.grpc)
    }
    pub fn log_path(&self) -> PathBuf {
        self.home.join("node.log")
    }
    /// Identifies our process in /proc/<pid>/cmdline.
    fn marker(&self) -> String {
        self.home.display().to_string()
    }
}

/// What a localnet directory holds, persisted as `localnet.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Localnet {
    pub profile: String,
    pub chain_id: String,
    pub binary: PathBuf,
    pub dir: PathBuf,
    pub nodes: Vec<Node>,
    /// Test accounts with their mnemonics (localnet only: these keys guard no real value).
    pub accounts: Vec<KeyInfo>,
}

impl Localnet {
    /// Creates `validators` node homes under `dir` with one shared genesis, validated by the node itself.
    pub fn create(dir: &Path, validators: usize, binary: &Path, profile_name: &str) -> Result<Self> {
        if validators == 0 {
            bail!("a localnet needs at least one validator");
        }
        let profile = Profile::builtin(profile_name)?;
        let chain_id = profile.chain.chain_id.clone();
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        let prefix = profile.chain.bech32_prefix.clone();
        let coin_type = profile.chain.slip44;

        let mut nodes = Vec::new();
        for i in 0..validators {
            let moniker = format!("node{i}");
            let home = dir.join(&moniker);
            if home.exists() {
                std::fs::remove_dir_all(&home)?;
            }
            let h = home.to_str().context("node home path is not UTF-8")?;
            process::run(Command::new(binary).args(["init", &moniker, "--chain-id", &chain_id, "--home", h]))
                .context("edgemintd init")?;
            let validator = KeyInfo::generate("validator", &prefix, coin_type)?;
            let mut add = Command::new(binary);
            add.args([
                "keys",
                "add",
                "validator",
                "--recover",
                "--keyring-backend",
                "test",
                "--home",
                h,
            ]);
            add.args(["--coin-type", &coin_type.to_string()]);
            recover_key(&mut add, &validator.mnemonic)?;
            let node_id = process::run(Command::new(binary).args(["comet", "show-node-id", "--home", h]))?
                .trim()
                .to_string();
            let p = process::free_ports(5)?;
            let ports = Ports {
                rpc: p[0],
                p2p: p[1],
                grpc: p[2],
                api: p[3],
                abci: p[4],
            };
            nodes.push(Node {
                moniker,
                home,
                node_id,
                validator,
                ports,
                pid: None,
            });
        }

        let accounts = TEST_ACCOUNTS
            .iter()
            .map(|(name, _)| KeyInfo::generate(name, &prefix, coin_type))
            .chain(
                ["mining-pool", "private-investor", "tech-team", "institutions"]
                    .iter()
                    .map(|name| KeyInfo::generate(name, &prefix, coin_type)),
            )
            .collect::<Result<Vec<_>, _>>()?;
        let grants = local_grants(&profile, &nodes, &accounts)?;

        let node0 = &nodes[0];
        let genesis_path = node0.home.join("config/genesis.json");
        let mut genesis: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&genesis_path)?)?;
        let input = GenesisInput {
            genesis_time: Utc::now(),
            grants,
        };
        genesis::build(&mut genesis, &profile, &input)?;
        let genesis_text = serde_json::to_string_pretty(&genesis)?;

        let gentx_dir = dir.join("gentxs");
        let _ = std::fs::remove_dir_all(&gentx_dir);
        std::fs::create_dir_all(&gentx_dir)?;
        let bond = format!(
            "{}{}",
            VALIDATOR_BOND_EMC * profile.base_per_display(),
            profile.token.base
        );
        for node in &nodes {
            std::fs::write(node.home.join("config/genesis.json"), &genesis_text)?;
            let h = node.home.to_str().context("node home path is not UTF-8")?;
            let out = gentx_dir.join(format!("{}.json", node.moniker));
            process::run(Command::new(binary).args([
                "genesis",
                "gentx",
                "validator",
                &bond,
                "--chain-id",
                &chain_id,
                "--keyring-backend",
                "test",
                "--home",
                h,
                "--moniker",
                &node.moniker,
                "--commission-rate",
                "0.10",
                "--commission-max-rate",
                "0.20",
                "--commission-max-change-rate",
                "0.01",
                "--min-self-delegation",
                "1",
                "--output-document",
                out.to_str().unwrap_or_default(),
            ]))
            .with_context(|| format!("gentx for {}", node.moniker))?;
        }
        let h0 = node0.home.to_str().context("node home path is not UTF-8")?;
        process::run(Command::new(binary).args([
            "genesis",
            "collect-gentxs",
            "--home",
            h0,
            "--gentx-dir",
            gentx_dir.to_str().unwrap_or_default(),
        ]))
        .context("collect-gentxs")?;
        process::run(Command::new(binary).args(["genesis", "validate", "--home", h0]))
            .context("the node rejected the genesis we built")?;
        let final_genesis = std::fs::read(node0.home.join("config/genesis.json"))?;

        for node in &nodes {
            std::fs::write(node.home.join("config/genesis.json"), &final_genesis)?;
            let peers = nodes
                .iter()
                .filter(|n| n.moniker != node.moniker)
                .map(|n| format!("{}@127.0.0.1:{}", n.node_id, n.ports.p2p))
                .collect::<Vec<_>>()
                .join(",");
            let vars: BTreeMap<&str, String> = [
                ("moniker", node.moniker.clone()),
                ("rpc_port", node.ports.rpc.to_string()),
                ("p2p_port", node.ports.p2p.to_string()),
                ("grpc_port", node.ports.grpc.to_string()),
                ("api_port", node.ports.api.to_string()),
                ("abci_port", node.ports.abci.to_string()),
                ("persistent_peers", peers),
                ("timeout_commit", profile.chain.timeout_commit.clone()),
                ("min_gas_price", profile.min_gas_price_coin()),
            ]
            .into_iter()
            .collect();
            node_config::apply(&node.home, &vars)?;
        }

        let net = Localnet {
            profile: profile_name.to_string(),
            chain_id,
            binary: binary.to_path_buf(),
            dir: dir.clone(),
            nodes,
            accounts,
        };
        registry::write_files(&profile, &net.endpoints(), &dir.join("registry"))?;
        net.save()?;
        Ok(net)
    }

    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(STATE_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("no localnet in {} (run `make localnet` first)", dir.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is corrupt", path.display()))
    }

    pub fn save(&self) -> Result<()> {
        std::fs::write(self.dir.join(STATE_FILE), serde_json::to_string_pretty(self)? + "\n")?;
        Ok(())
    }

    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            rpc: self.nodes[0].rpc_url(),
            rest: self.nodes[0].rest_url(),
            grpc: self.nodes[0].grpc_url(),
        }
    }

    pub fn account(&self, name: &str) -> Option<&KeyInfo> {
        self.accounts.iter().find(|a| a.name == name)
    }

    /// Starts node `i`. Detached nodes record their pid in localnet.json.
    pub fn start_node(&mut self, i: usize, lifetime: Lifetime) -> Result<Child> {
        let node = self.nodes.get(i).with_context(|| format!("no node {i}"))?;
        if let Some(pid) = node.pid {
            if process::is_ours(pid, &node.marker()) {
                bail!("{} is already running (pid {pid})", node.moniker);
            }
        }
        let mut cmd = Command::new(&self.binary);
        cmd.args(["start", "--home"]).arg(&node.home);
        let child = process::spawn(cmd, &node.log_path(), lifetime)?;
        if lifetime == Lifetime::Detached {
            self.nodes[i].pid = Some(child.id());
            self.save()?;
        }
        Ok(child)
    }

    /// Stops node `i` by pid (SIGTERM, then SIGKILL after 10 s).
    pub fn stop_pid(&self, i: usize, pid: u32) {
        if let Some(node) = self.nodes.get(i) {
            process::stop(pid, &node.marker(), Duration::from_secs(10));
        }
    }

    /// Stops every detached node recorded in localnet.json.
    pub fn stop_detached(&mut self) -> Result<usize> {
        let mut stopped = 0;
        for i in 0..self.nodes.len() {
            if let Some(pid) = self.nodes[i].pid.take() {
                if process::is_ours(pid, &self.nodes[i].marker()) {
                    self.stop_pid(i, pid);
                    stopped += 1;
                }
            }
        }
        self.save()?;
        Ok(stopped)
    }

    pub fn is_running(&self, i: usize) -> bool {
        self.nodes
            .get(i)
            .and_then(|n| n.pid.map(|pid| process::is_ours(pid, &n.marker())))
            .unwrap_or(false)
    }
}

/// Creates the localnet in `dir` if needed (or anew with `fresh`, or when the validator count, binary or profile
/// changed), starts its nodes detached and waits for their first block. Used by `make localnet` and `make localnet-ibc`.
pub async fn ensure_started(
    dir: &Path,
    validators: usize,
    fresh: bool,
    profile: &str,
    binary: Option<PathBuf>,
    timeout: Duration,
) -> Result<Localnet> {
    let binary = match binary {
        Some(b) => b,
        None => crate::find_binary(&Profile::builtin(profile)?.chain.daemon_name)?,
    };
    let existing = Localnet::load(dir).ok();
    let reuse = existing
        .as_ref()
        .is_some_and(|n| !fresh && n.nodes.len() == validators && n.binary == binary && n.profile == profile);
    if let (Some(mut old), false) = (existing.clone(), reuse) {
        old.stop_detached()?;
    }
    let mut net = match existing {
        Some(net) if reuse => net,
        _ => Localnet::create(dir, validators, &binary, profile)?,
    };
    for i in 0..net.nodes.len() {
        if !net.is_running(i) {
            net.start_node(i, Lifetime::Detached)?;
        }
    }
    for n in &net.nodes {
        wait_for_height(&n.rpc_url(), 1, timeout, &n.log_path()).await?;
    }
    Ok(net)
}

/// Splits the profile's buckets among the localnet's keys: the whole mining pool to `mining-pool`, private and tech
/// vesting to one holder each, and institutions: liquid validator and test balances, the rest vesting.
fn local_grants(profile: &Profile, nodes: &[Node], accounts: &[KeyInfo]) -> Result<Vec<Grant>> {
    let emc = profile.base_per_display();
    let addr = |name: &str| -> Result<String> {
        Ok(accounts
            .iter()
            .find(|a| a.name == name)
            .context("missing account")?
            .address
            .clone())
    };
    let bucket = |b: &str| {
        profile
            .bucket_total(b)
            .with_context(|| format!("profile has no bucket {b}"))
    };
    let grant = |bucket: &str, address: String, amount: u128, liquid: bool| Grant {
        bucket: bucket.to_string(),
        address,
        amount,
        liquid,
    };
    let mut grants = vec![
        grant("mining_pool", addr("mining-pool")?, bucket("mining_pool")?, true),
        grant("private", addr("private-investor")?, bucket("private")?, false),
        grant("tech", addr("tech-team")?, bucket("tech")?, false),
    ];
    let mut liquid = Vec::new();
    for n in nodes {
        liquid.push((n.validator.address.clone(), VALIDATOR_LIQUID_EMC * emc));
    }
    for (name, amount) in TEST_ACCOUNTS {
        liquid.push((addr(name)?, amount * emc));
    }
    let liquid_total: u128 = liquid.iter().map(|(_, a)| a).sum();
    let rest = bucket("institutions")?
        .checked_sub(liquid_total)
        .context("localnet liquid balances exceed the institutions bucket")?;
    grants.extend(
        liquid
            .into_iter()
            .map(|(a, amount)| grant("institutions", a, amount, true)),
    );
    grants.push(grant("institutions", addr("institutions")?, rest, false));
    Ok(grants)
}

/// Feeds the mnemonic to `keys add --recover` on stdin.
fn recover_key(cmd: &mut Command, mnemonic: &str) -> Result<()> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(format!("{mnemonic}\n").as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("keys add --recover failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Latest committed height reported by a node's RPC, if it answers.
pub async fn height(rpc_url: &str) -> Option<u64> {
    let client = HttpClient::new(rpc_url).ok()?;
    let status = client.status().await.ok()?;
    Some(status.sync_info.latest_block_height.value())
}

/// Waits until the node at `rpc_url` has committed `target` blocks, or fails after `timeout` naming the log.
pub async fn wait_for_height(rpc_url: &str, target: u64, timeout: Duration, log: &Path) -> Result<u64> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(h) = height(rpc_url).await {
            if h >= target {
                return Ok(h);
            }
        }
        if Instant::now() > deadline {
            bail!(
                "node at {rpc_url} did not reach height {target} within {timeout:?}; see {}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
