//! IBC harness: edgemintd and the counterparty chain (stock wasmd) as two `TestNet`s, and the real
//! `edgemint-relayer` binary (relayer-ext, on Hermes' library) driven through its command line: config init,
//! keys add, path create, start / kill / restart, status. Users' transfers are signed with cosmrs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chain_config::keys::KeyInfo;
use chain_config::process::{self, Lifetime};
use cosmrs::Any;
use prost::Message;
use serde_json::Value;

use crate::client::{ChainClient, FeeMode, TxOutcome};
use crate::TestNet;

/// The relayer binary: `$EDGEMINT_RELAYER_BIN`, else `edgemint-relayer` next to this test binary, built by
/// `make e2e` (`cargo build -p relayer-ext`). A binary older than the relayer's sources is refused rather than
/// tested. (The test does not run cargo itself: a nested cargo inherits the test's environment and rebuilds the
/// whole dependency tree a second time.)
pub fn relayer_binary() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("EDGEMINT_RELAYER_BIN") {
        return Ok(PathBuf::from(p));
    }
    // Tests run from <target>/<profile>/deps/, binaries (ibc-bench) from <target>/<profile>/.
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("no directory for the running binary")?;
    let profile_dir = if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().context("deps/ has no parent")?
    } else {
        dir
    };
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let build = format!(
        "cargo build -p relayer-ext --bin edgemint-relayer{}",
        if release { " --release" } else { "" }
    );
    let bin = profile_dir.join("edgemint-relayer");
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .map_err(|_| anyhow::anyhow!("{} is missing: run `{build}` (make e2e does)", bin.display()))?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let newest = [
        "relayer-ext/src",
        "relayer-ext/Cargo.toml",
        "chain-config/src",
        "chain-config/profiles",
    ]
    .iter()
    .filter_map(|p| newest_mtime(&root.join(p)))
    .max();
    if newest.is_some_and(|n| n > built) {
        bail!(
            "{} is older than the relayer's sources: run `{build}` (make e2e does)",
            bin.display()
        );
    }
    Ok(bin)
}

fn newest_mtime(path: &Path) -> Option<std::time::SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter_map(|e| newest_mtime(&e.path()))
        .max()
}

fn run(bin: &Path, home: &Path, args: &[&str]) -> Result<String> {
    let (ok, stdout, stderr) = output(bin, home, args)?;
    if !ok {
        bail!("edgemint-relayer {} failed: {stderr}", args.join(" "));
    }
    Ok(stdout)
}

fn output(bin: &Path, home: &Path, args: &[&str]) -> Result<(bool, String, String)> {
    let out = Command::new(bin)
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// One relayer home (a temp dir) and, while started, its `start` process.
pub struct Relayer {
    pub bin: PathBuf,
    pub home: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
    starts: usize,
}

impl Relayer {
    pub fn new() -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("edgemint-relayer-e2e-").tempdir()?;
        Ok(Self {
            bin: relayer_binary()?,
            home: dir.path().to_path_buf(),
            child: None,
            _dir: dir,
            starts: 0,
        })
    }

    /// Runs a command to completion; stdout on success, an error with stderr otherwise.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        run(&self.bin, &self.home, args)
    }

    /// (success, stdout, stderr).
    pub fn output(&self, args: &[&str]) -> Result<(bool, String, String)> {
        output(&self.bin, &self.home, args)
    }

    pub fn log_path(&self) -> PathBuf {
        self.home.join(format!("start-{}.log", self.starts))
    }

    /// `start` in the background (dies with the test thread); returns once Hermes' supervisor runs: /metrics
    /// answers early (before the supervisor starts), so this waits for the backlog gauges, which the watchdog
    /// (started after the supervisor) records at its first poll. A packet sent before that can be missed by the event
    /// subscriptions and wait for the watchdog's stuck-packet clear (`--stuck-after`, 45 s).
    pub fn start(&mut self, extra: &[&str]) -> Result<()> {
        anyhow::ensure!(self.child.is_none(), "relayer already started");
        self.starts += 1;
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--home").arg(&self.home).arg("start").args(extra);
        let log = self.log_path();
        let child = process::spawn(cmd, &log, Lifetime::Attached)?;
        let pid = child.id();
        self.child = Some(child);
        // The backlog gauges appear once the watchdog's first poll ran, after Hermes' supervisor started.
        if let Err(e) = wait_serving(
            &self.metrics_url()?,
            "edgemint_relayer_backlog_packets{",
            pid,
            &self.home,
            &log,
        ) {
            if !process::is_ours(pid, &self.home.display().to_string()) {
                self.child = None;
            }
            return Err(e.context("edgemint-relayer start"));
        }
        Ok(())
    }

    /// SIGKILL: no chance to finish what it was doing.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, SIGKILL after 10 s.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            process::stop(c.id(), &self.home.display().to_string(), Duration::from_secs(10));
            let _ = c.wait();
        }
    }

    pub fn metrics_url(&self) -> Result<String> {
        metrics_url(&self.home.join("config.toml"))
    }

    pub fn metrics(&self) -> Result<String> {
        Ok(ureq::get(&self.metrics_url()?)
            .timeout(Duration::from_secs(5))
            .call()?
            .into_string()?)
    }

    pub fn status(&self) -> Result<Value> {
        Ok(serde_json::from_str(&self.run(&["status", "--json"])?)?)
    }

    pub fn log_tail(&self, n: usize) -> String {
        log_tail(&self.log_path(), n)
    }
}

impl Drop for Relayer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- last lines of {} ---\n{}",
                self.log_path().display(),
                self.log_tail(40)
            );
        }
        self.stop();
    }
}

/// The /metrics address in a Hermes config.toml's `[telemetry]` section.
pub fn metrics_url(config: &Path) -> Result<String> {
    let text = std::fs::read_to_string(config).with_context(|| format!("reading {}", config.display()))?;
    let v: toml_lite::Telemetry = toml_lite::telemetry(&text)?;
    Ok(format!("http://{}:{}/metrics", v.host, v.port))
}

/// The last `n` lines of a log file.
pub fn log_tail(log: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Waits until `url` answers with a body containing `ready` while process `pid` (command line naming `marker`)
/// lives; fails with its log.
fn wait_serving(url: &str, ready: &str, pid: u32, marker: &Path, log: &Path) -> Result<()> {
    let marker = marker.display().to_string();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let body = ureq::get(url)
            .timeout(Duration::from_secs(2))
            .call()
            .ok()
            .and_then(|r| r.into_string().ok());
        if body.is_some_and(|b| b.contains(ready)) {
            return Ok(());
        }
        if !process::is_ours(pid, &marker) {
            bail!("exited at start:\n{}", log_tail(log, 30));
        }
        if Instant::now() > deadline {
            bail!("did not serve {url} within 90 s:\n{}", log_tail(log, 30));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The stock Hermes CLI: `$EDGEMINT_HERMES_BIN`, else `$EDGEMINT_CACHE/tools/bin/hermes` (default cache
/// `~/.cache/edgemint`), installed by `bash scripts/install-hermes.sh` (make bench-ibc runs it). It must report the
/// version pinned in chain-config/versions.env (HERMES_VERSION), the one relayer-ext's ibc-relayer library is from.
pub fn hermes_binary() -> Result<(PathBuf, String)> {
    let want = chain_config::versions::get("HERMES_VERSION").context("HERMES_VERSION missing from versions.env")?;
    let install = "bash scripts/install-hermes.sh";
    let bin = match std::env::var_os("EDGEMINT_HERMES_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("EDGEMINT_CACHE")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/edgemint")))
                .context("neither EDGEMINT_CACHE nor HOME is set")?;
            cache.join("tools/bin/hermes")
        }
    };
    if !bin.is_file() {
        bail!(
            "stock hermes {want} not found at {}: run `{install}` (~25 min)",
            bin.display()
        );
    }
    let out = Command::new(&bin)
        .arg("version")
        .output()
        .with_context(|| format!("running {} version", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `hermes version` prints `hermes 1.10.5` (plus `+<commit>` on some builds).
    let version = text
        .split_whitespace()
        .find(|w| w.split('+').next() == Some(want))
        .map(str::to_string);
    match version {
        Some(v) => Ok((bin, v)),
        None => bail!(
            "{} reports `{}`, not {want}: run `{install}`",
            bin.display(),
            text.trim()
        ),
    }
}

/// The stock `hermes` binary driven with a config.toml written by `edgemint-relayer config init` (read as is).
pub struct StockHermes {
    pub bin: PathBuf,
    pub version: String,
    pub config: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
}

impl StockHermes {
    /// `config`: an edgemint-relayer home's config.toml; hermes' start log goes to `log`.
    pub fn new(config: PathBuf, log: PathBuf) -> Result<Self> {
        let (bin, version) = hermes_binary()?;
        Ok(Self {
            bin,
            version,
            config,
            log,
            child: None,
        })
    }

    /// `hermes --config <config> <args>`; stdout on success, an error with both streams otherwise.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.bin)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if !out.status.success() {
            bail!("hermes {} failed:\n{stdout}\n{stderr}", args.join(" "));
        }
        Ok(stdout.into_owned())
    }

    /// `hermes start` in the background (dies with the calling thread); returns once its /metrics answers.
    pub fn start(&mut self) -> Result<()> {
        anyhow::ensure!(self.child.is_none(), "hermes already started");
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--config").arg(&self.config).arg("start");
        let child = process::spawn(cmd, &self.log, Lifetime::Attached)?;
        let pid = child.id();
        self.child = Some(child);
        wait_serving(&metrics_url(&self.config)?, "", pid, &self.config, &self.log).context("hermes start")
    }

    /// SIGTERM, SIGKILL after 10 s; by pid, only while its command line still names our config.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            process::stop(c.id(), &self.config.display().to_string(), Duration::from_secs(10));
            let _ = c.wait();
        }
    }

    pub fn log_tail(&self, n: usize) -> String {
        log_tail(&self.log, n)
    }
}

impl Drop for StockHermes {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- last lines of {} ---\n{}", self.log.display(), self.log_tail(40));
        }
        self.stop();
    }
}

/// The few config.toml values the harness reads (the telemetry endpoint), without a TOML dependency.
mod toml_lite {
    use anyhow::{Context, Result};

    pub struct Telemetry {
        pub host: String,
        pub port: u16,
    }

    pub fn telemetry(text: &str) -> Result<Telemetry> {
        let section = text
            .split("\n[")
            .find(|s| s.starts_with("telemetry]"))
            .context("config.toml has no [telemetry]")?;
        let get = |k: &str| {
            section
                .lines()
                .find_map(|l| l.trim().strip_prefix(k).and_then(|r| r.trim().strip_prefix('=')))
                .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
                .with_context(|| format!("[telemetry] has no {k}"))
        };
        Ok(Telemetry {
            host: get("host")?,
            port: get("port")?.parse()?,
        })
    }

    /// `key_name` of the `[[chains]]` entry whose `id` is `chain_id`.
    pub fn chain_key_name(text: &str, chain_id: &str) -> Result<String> {
        let value = |section: &str, k: &str| {
            section.lines().find_map(|l| {
                let r = l.trim().strip_prefix(k)?.trim_start().strip_prefix('=')?;
                Some(r.trim().trim_matches('"').trim_matches('\'').to_string())
            })
        };
        text.split("\n[[chains]]")
            .skip(1)
            .find(|s| value(s, "id").as_deref() == Some(chain_id))
            .and_then(|s| value(s, "key_name"))
            .with_context(|| format!("config.toml has no key_name for chain {chain_id}"))
    }
}

/// The `key_name` a Hermes config.toml gives chain `chain_id`.
pub fn config_key_name(config: &Path, chain_id: &str) -> Result<String> {
    let text = std::fs::read_to_string(config).with_context(|| format!("reading {}", config.display()))?;
    toml_lite::chain_key_name(&text, chain_id)
}

/// Two chains, a funded relayer key on both, a path `e2e` between them; the relayer is not started yet.
pub struct IbcNet {
    pub em: TestNet,
    pub cp: TestNet,
    pub relayer: Relayer,
    /// The path as saved by `path create` (paths.json entry).
    pub path: Value,
    /// The relayer key's address on each chain, as `keys add` printed it: (chain id, address).
    pub relayer_addresses: Vec<(String, String)>,
    /// The relayer key's mnemonic (in the relayer home).
    pub mnemonic_file: PathBuf,
}

impl IbcNet {
    pub async fn setup() -> Result<Self> {
        let mut net = Self::start().await?;
        net.path = net.create_path().await?;
        Ok(net)
    }

    /// The chains and a configured relayer with funded keys; no path yet (`path` is null): see `create_path`.
    pub async fn start() -> Result<Self> {
        let relayer = Relayer::new()?;
        let (em, cp) = tokio::try_join!(
            TestNet::start_profile(1, "local"),
            TestNet::start_profile(1, "counterparty")
        )?;
        relayer.run(&[
            "config",
            "init",
            "--chain",
            &em.net.dir.display().to_string(),
            "--chain",
            &cp.net.dir.display().to_string(),
        ])?;
        let key = KeyInfo::generate("relayer", "emc", 118)?;
        let mnemonic = relayer.home.join("relayer.mnemonic");
        std::fs::write(&mnemonic, &key.mnemonic)?;
        let mut relayer_addresses = Vec::new();
        for net in [&em, &cp] {
            let address = relayer.run(&[
                "keys",
                "add",
                "--chain",
                &net.net.chain_id,
                "--mnemonic-file",
                &mnemonic.display().to_string(),
            ])?;
            let client = net.client(0)?;
            let faucet = client.signer(net.account("faucet")?)?;
            let msg = client.bank_send(&faucet.address, address.trim(), 1_000 * 1_000_000)?;
            client.send_tx(&faucet.key, vec![msg], FeeMode::Simulate, None).await?;
            relayer_addresses.push((net.net.chain_id.clone(), address.trim().to_string()));
        }
        Ok(Self {
            em,
            cp,
            relayer,
            path: Value::Null,
            relayer_addresses,
            mnemonic_file: mnemonic,
        })
    }

    /// `path create` of the path `e2e` (clients, connection, channel: about a minute on these chains); returns the
    /// saved path for `self.path`. Runs on a blocking thread, so the caller can use the chains meanwhile (e.g. join
    /// it with a contract deployment). The faucets are not used: the relayer's own key pays.
    pub fn create_path(&self) -> impl std::future::Future<Output = Result<Value>> + 'static {
        let (bin, home) = (self.relayer.bin.clone(), self.relayer.home.clone());
        let (a, b) = (self.em.net.chain_id.clone(), self.cp.net.chain_id.clone());
        async move {
            tokio::task::spawn_blocking(move || {
                let args = ["path", "create", "--name", "e2e", "--a-chain", &a, "--b-chain", &b];
                let out = run(&bin, &home, &args)?;
                serde_json::from_str(&out).context("path create prints the saved path")
            })
            .await?
        }
    }

    /// Channel id on the edgemint side (`a`) and on the counterparty side (`b`).
    pub fn channels(&self) -> (String, String) {
        let s = |end: &str| self.path[end]["channel_id"].as_str().unwrap_or_default().to_string();
        (s("a"), s("b"))
    }
}

/// MsgTransfer from `sender` over `channel` (port `transfer`); `timeout_ns`: absolute destination block time.
pub fn transfer_msg(sender: &str, channel: &str, denom: &str, amount: u128, receiver: &str, timeout_ns: u64) -> Any {
    let msg = ibc_proto::ibc::applications::transfer::v1::MsgTransfer {
        source_port: "transfer".into(),
        source_channel: channel.into(),
        token: Some(ibc_proto::cosmos::base::v1beta1::Coin {
            denom: denom.into(),
            amount: amount.to_string(),
        }),
        sender: sender.into(),
        receiver: receiver.into(),
        timeout_height: None,
        timeout_timestamp: timeout_ns,
        memo: String::new(),
    };
    Any {
        type_url: "/ibc.applications.transfer.v1.MsgTransfer".into(),
        value: msg.encode_to_vec(),
    }
}

/// Sends `msgs` signed by the test account `name` of `net`.
pub async fn send(net: &TestNet, name: &str, msgs: Vec<Any>) -> Result<TxOutcome> {
    let client = net.client(0)?;
    let s = client.signer(net.account(name)?)?;
    Ok(client.send_tx(&s.key, msgs, FeeMode::Simulate, None).await?)
}

/// Latest block time of `client`'s chain in unix nanoseconds.
pub async fn chain_time_ns(client: &ChainClient) -> Result<u64> {
    let (_, h) = client.height_range().await?;
    Ok(client.block_time_nanos(h).await?.max(0) as u64)
}

/// Polls `f` every 500 ms until it returns Some, or fails naming `what` after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// REST GET on node 0 of `net`.
pub fn rest(net: &TestNet, path: &str) -> Result<Value> {
    let url = format!("{}{path}", net.net.nodes[0].rest_url());
    Ok(ureq::get(&url)
        .timeout(Duration::from_secs(10))
        .call()
        .with_context(|| format!("GET {url}"))?
        .into_json()?)
}

/// The transfer module's denom trace of `voucher` (`ibc/<hash>`) on `net`: `{"denom_trace": {"path", "base_denom"}}`.
pub fn denom_trace(net: &TestNet, voucher: &str) -> Result<Value> {
    rest(
        net,
        &format!(
            "/ibc/apps/transfer/v1/denom_traces/{}",
            voucher.trim_start_matches("ibc/")
        ),
    )
}

/// What the transfer module's escrow account for (transfer, `channel`) on `net` holds of `denom`.
pub async fn escrowed(net: &TestNet, channel: &str, denom: &str) -> Result<u128> {
    let v = rest(
        net,
        &format!("/ibc/apps/transfer/v1/channels/{channel}/ports/transfer/escrow_address"),
    )?;
    let addr = v["escrow_address"].as_str().unwrap_or_default().to_string();
    net.client(0)?.balance_of(&addr, denom).await
}

/// `ibc/<HASH>` of a denom trace (ibc-go: upper-case hex SHA-256 of the full trace).
pub fn ibc_denom(trace: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("ibc/{}", hex::encode_upper(Sha256::digest(trace.as_bytes())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_key_names_and_telemetry_from_a_hermes_config() {
        // The shape `toml::to_string_pretty` gives relayer-ext's config (abridged).
        let text = r#"
[telemetry]
enabled = true
host = "127.0.0.1"
port = 40123

[[chains]]
type = "CosmosSdk"
id = "edgemint-local-1"
key_name = "relayer"

[chains.event_source]
mode = "push"

[[chains]]
type = "CosmosSdk"
id = "wasm-local-1"
key_name = 'other'
"#;
        assert_eq!(
            super::toml_lite::chain_key_name(text, "edgemint-local-1").unwrap(),
            "relayer"
        );
        assert_eq!(super::toml_lite::chain_key_name(text, "wasm-local-1").unwrap(), "other");
        assert!(super::toml_lite::chain_key_name(text, "wasm-local").is_err());
        let t = super::toml_lite::telemetry(text).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("127.0.0.1", 40123));
    }
}
