//! Oracle daemons for a test, each with its own temp dir (config file, SQLite store, operator mnemonic file) and HTTP
//! server on a loopback port. [`OracleDaemon`] runs in-process and stops through its shutdown channel;
//! [`OracleProcess`] runs the `edgemint-oracle` program as a separate process (to be killed with SIGKILL and
//! restarted) and is stopped by pid. Both read the same kind of config file, written by [`write_config`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use chain_config::client::ChainClient;
use chain_config::keys::KeyInfo;
use chain_config::process::{self, Lifetime};
use edgemint_device_sdk::{SignedTelemetry, TelemetryReport};
use edgemint_oracle::config::Config;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::contracts::{Core, Device};
use crate::epochs::Epochs;

/// Settings tests vary; everything else is the daemon's default.
pub struct DaemonSettings {
    pub timestamp_window_secs: u64,
    pub grace_secs: u64,
    pub require_mining_eligibility: bool,
}

/// The chain and contracts every daemon of a test works against.
pub struct Target<'a> {
    pub client: &'a ChainClient,
    pub rpc_url: String,
    pub chain_id: String,
    pub core: &'a Core,
    pub epochs: &'a Epochs,
}

/// Writes `oracle.toml` (listening on `listen`) and `operator.mnemonic` (mode 600) into `dir`; the store goes to
/// `dir/data`. Returns the config file's path.
pub fn write_config(
    dir: &Path,
    target: &Target,
    listen: SocketAddr,
    operator: &KeyInfo,
    s: &DaemonSettings,
) -> Result<PathBuf> {
    let mnemonic = dir.join("operator.mnemonic");
    std::fs::write(&mnemonic, &operator.mnemonic)?;
    std::fs::set_permissions(&mnemonic, std::fs::Permissions::from_mode(0o600))?;
    // JSON string literals are valid TOML basic strings (TOML's escapes include JSON's).
    let q = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let c = target.client;
    let text = format!(
        "[server]\nlisten = {listen}\n\n\
         [chain]\nrpc_url = {rpc}\nchain_id = {chain_id}\nprefix = {prefix}\ndenom = {denom}\ncoin_type = {coin_type}\n\n\
         [contracts]\nregistry = {registry}\nstaking = {staking}\nhub = {hub}\nrewards = {rewards}\n\n\
         [store]\ndata_dir = \"data\"\n\n\
         [operator]\nmnemonic_file = \"operator.mnemonic\"\n\n\
         [ingest]\ntimestamp_window_secs = {window}\n\n\
         [epoch]\ngrace_secs = {grace}\npoll_interval_secs = 1\nrequire_mining_eligibility = {eligible}\n\n\
         [report]\nbackoff_initial_secs = 1\nbackoff_max_secs = 4\n",
        listen = q(&listen.to_string()),
        rpc = q(&target.rpc_url),
        chain_id = q(&target.chain_id),
        prefix = q(c.prefix()),
        denom = q(c.denom().as_ref()),
        coin_type = c.coin_type(),
        registry = q(&target.core.registry),
        staking = q(&target.core.staking),
        hub = q(&target.epochs.hub),
        rewards = q(&target.epochs.rewards),
        window = s.timestamp_window_secs,
        grace = s.grace_secs,
        eligible = s.require_mining_eligibility,
    );
    let path = dir.join("oracle.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

pub struct OracleDaemon {
    pub url: String,
    pub operator: Option<String>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<Result<()>>>,
    _dir: tempfile::TempDir,
}

impl OracleDaemon {
    /// Starts a daemon for `target`, reporting with `operator`'s key.
    pub async fn start(target: &Target<'_>, operator: &KeyInfo, s: &DaemonSettings) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("edgemint-oracle-").tempdir()?;
        let path = write_config(dir.path(), target, "127.0.0.1:0".parse()?, operator, s)?;
        let config = Config::load(&path)?;
        let (tx, rx) = watch::channel(false);
        let running = tokio::time::timeout(Duration::from_secs(60), edgemint_oracle::app::start(config, rx))
            .await
            .context("daemon start timed out")??;
        let url = format!("http://{}", running.local_addr);
        let operator = running.operator.clone();
        let task = tokio::spawn(running.join());
        Ok(Self {
            url,
            operator,
            shutdown: tx,
            task: Some(task),
            _dir: dir,
        })
    }

    /// Signals shutdown and waits for the server and loops to end.
    pub async fn stop(&mut self) -> Result<()> {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(40), task)
                .await
                .context("daemon did not stop")?
                .map_err(|e| anyhow!("daemon task: {e}"))??;
        }
        Ok(())
    }

    /// GET `path`: (HTTP status, JSON body).
    pub async fn get(&self, path: &str) -> Result<(u16, Value)> {
        get_json(format!("{}{path}", self.url)).await
    }

    /// POST a JSON body to `path`: (HTTP status, JSON body).
    pub async fn post_json(&self, path: &str, body: Value) -> Result<(u16, Value)> {
        post_json(format!("{}{path}", self.url), body).await
    }
}

/// GET `url`: (HTTP status, JSON body).
pub async fn get_json(url: String) -> Result<(u16, Value)> {
    tokio::task::spawn_blocking(move || match ureq::get(&url).timeout(Duration::from_secs(30)).call() {
        Ok(r) => Ok((r.status(), r.into_json()?)),
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(anyhow!("GET {url}: {e}")),
    })
    .await?
}

/// POST a JSON body to `url`: (HTTP status, JSON body).
pub async fn post_json(url: String, body: Value) -> Result<(u16, Value)> {
    tokio::task::spawn_blocking(
        move || match ureq::post(&url).timeout(Duration::from_secs(30)).send_json(body) {
            Ok(r) => Ok((r.status(), r.into_json()?)),
            Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
            Err(e) => Err(anyhow!("POST {url}: {e}")),
        },
    )
    .await?
}

/// POST raw bytes with `content_type` to `url`: (HTTP status, body bytes).
pub async fn post_bytes(url: String, content_type: &'static str, body: Vec<u8>) -> Result<(u16, Vec<u8>)> {
    tokio::task::spawn_blocking(move || {
        let resp = match ureq::post(&url)
            .timeout(Duration::from_secs(30))
            .set("Content-Type", content_type)
            .send_bytes(&body)
        {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(anyhow!("POST {url}: {e}")),
        };
        let status = resp.status();
        let mut bytes = Vec::new();
        resp.into_reader().read_to_end(&mut bytes)?;
        Ok((status, bytes))
    })
    .await?
}

impl Drop for OracleDaemon {
    fn drop(&mut self) {
        // Loops and server notice at their next step; the runtime ending aborts whatever is left.
        let _ = self.shutdown.send(true);
    }
}

/// A signed telemetry report in its JSON form.
pub fn signed_report(device: &Device, chain_id: &str, report: TelemetryReport) -> Result<Value> {
    let signed = SignedTelemetry::sign(&device.key, chain_id, report)?;
    Ok(serde_json::from_str(&signed.to_json())?)
}

/// The daemon program run as a separate process (the binary is the caller's: e2e's `e2e-oracle` bin, built by cargo
/// for the tests). Its stdout/stderr go to `oracle.log` in its dir, which is kept (and its tail printed) on failure.
pub struct OracleProcess {
    pub url: String,
    binary: PathBuf,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    dir: Option<tempfile::TempDir>,
}

impl OracleProcess {
    /// Writes its config (on a free loopback port, kept across restarts) and starts it; returns once it serves.
    pub async fn start(binary: &Path, target: &Target<'_>, operator: &KeyInfo, s: &DaemonSettings) -> Result<Self> {
        anyhow::ensure!(
            binary.is_file(),
            "{} is missing: run `cargo build -p e2e`",
            binary.display()
        );
        let dir = tempfile::Builder::new().prefix("edgemint-oracle-proc-").tempdir()?;
        let port = process::free_ports(1)?[0];
        let listen: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let config = write_config(dir.path(), target, listen, operator, s)?;
        let mut p = Self {
            url: format!("http://{listen}"),
            binary: binary.to_path_buf(),
            log: dir.path().join("oracle.log"),
            config,
            child: None,
            dir: Some(dir),
        };
        p.spawn().await?;
        Ok(p)
    }

    /// Starts the program with the same config and store; returns once it serves.
    async fn spawn(&mut self) -> Result<()> {
        anyhow::ensure!(self.child.is_none(), "the daemon is still running");
        let mut cmd = Command::new(&self.binary);
        cmd.arg("start").arg("--config").arg(&self.config);
        // Attached: the kernel kills it if the test dies without cleaning up.
        self.child = Some(process::spawn(cmd, &self.log, Lifetime::Attached)?);
        self.wait_ready(Duration::from_secs(60)).await
    }

    /// Polls `/v1/status` until it answers 200; fails early if the process exited.
    async fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                self.child = None;
                anyhow::bail!("daemon exited ({status}) while starting:\n{}", self.log_tail(20));
            }
            if let Ok((200, _)) = self.get("/v1/status").await {
                return Ok(());
            }
            if Instant::now() > deadline {
                anyhow::bail!("daemon not serving after {timeout:?}:\n{}", self.log_tail(20));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Writes one complete HTTP request (`body` to `path`) and SIGKILLs the process right after the last byte is
    /// sent, without waiting for the answer: the request is in flight (received, possibly being checked or stored,
    /// never acknowledged to the client). Returns the answer's status line if one made it out anyway.
    pub fn kill9_during_request(&mut self, path: &str, content_type: &str, body: &[u8]) -> Result<Option<String>> {
        let addr: SocketAddr = self.url.trim_start_matches("http://").parse()?;
        let mut stream = TcpStream::connect(addr)?;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        stream.flush()?;
        self.kill9()?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut answer = Vec::new();
        // A reset or EOF without bytes: no answer.
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        Ok(text.lines().next().filter(|l| !l.is_empty()).map(str::to_string))
    }

    /// SIGKILL by pid (what `kill -9` does), then reaps it.
    pub fn kill9(&mut self) -> Result<()> {
        let mut child = self.child.take().context("the daemon is not running")?;
        child.kill()?;
        let status = child.wait()?;
        anyhow::ensure!(!status.success(), "the daemon exited cleanly before the kill");
        Ok(())
    }

    /// Starts it again after [`OracleProcess::kill9`]: same config, same store. Returns how long it took to serve.
    pub async fn restart(&mut self) -> Result<Duration> {
        let t = Instant::now();
        self.spawn().await?;
        Ok(t.elapsed())
    }

    /// SIGTERM by pid (SIGKILL after 10 s), as an operator stops it.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            // The pid is signalled only while its command line still names this config (never a recycled pid).
            process::stop(child.id(), &self.config.to_string_lossy(), Duration::from_secs(10));
        }
    }

    pub async fn get(&self, path: &str) -> Result<(u16, Value)> {
        get_json(format!("{}{path}", self.url)).await
    }

    /// The last `n` lines of its log.
    pub fn log_tail(&self, n: usize) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for OracleProcess {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("--- last lines of {} ---\n{}", self.log.display(), self.log_tail(30));
            if let Some(dir) = self.dir.take() {
                eprintln!("kept oracle dir {}", dir.keep().display());
            }
        }
    }
}
