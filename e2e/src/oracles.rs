//! Oracle daemons run in-process for a test: each with its own temp dir (SQLite store, operator mnemonic file) and
//! HTTP server on a free loopback port, stopped through its shutdown channel.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use chain_config::client::ChainClient;
use chain_config::keys::KeyInfo;
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

pub struct OracleDaemon {
    pub url: String,
    pub operator: Option<String>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<Result<()>>>,
    _dir: tempfile::TempDir,
}

impl OracleDaemon {
    /// Starts a daemon against `rpc_url` for the given contracts, reporting with `operator`'s key.
    pub async fn start(
        client: &ChainClient,
        rpc_url: &str,
        chain_id: &str,
        core: &Core,
        epochs: &Epochs,
        operator: &KeyInfo,
        s: &DaemonSettings,
    ) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("edgemint-oracle-").tempdir()?;
        let mnemonic = dir.path().join("operator.mnemonic");
        std::fs::write(&mnemonic, &operator.mnemonic)?;
        std::fs::set_permissions(&mnemonic, std::fs::Permissions::from_mode(0o600))?;
        let mut config = Config::default();
        config.server.listen = "127.0.0.1:0".parse()?;
        config.chain.rpc_url = rpc_url.to_string();
        config.chain.chain_id = chain_id.to_string();
        config.chain.prefix = client.prefix().to_string();
        config.chain.denom = client.denom().to_string();
        config.chain.coin_type = client.coin_type();
        config.contracts.registry = core.registry.clone();
        config.contracts.staking = core.staking.clone();
        config.contracts.hub = epochs.hub.clone();
        config.contracts.rewards = epochs.rewards.clone();
        config.store.data_dir = dir.path().join("data");
        config.operator.mnemonic_file = Some(mnemonic);
        config.ingest.timestamp_window_secs = s.timestamp_window_secs;
        config.epoch.grace_secs = s.grace_secs;
        config.epoch.poll_interval_secs = 1;
        config.epoch.require_mining_eligibility = s.require_mining_eligibility;
        config.report.backoff_initial_secs = 1;
        config.report.backoff_max_secs = 4;
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
        let url = format!("{}{path}", self.url);
        tokio::task::spawn_blocking(move || match ureq::get(&url).call() {
            Ok(r) => Ok((r.status(), r.into_json()?)),
            Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
            Err(e) => Err(anyhow!("GET {url}: {e}")),
        })
        .await?
    }

    /// POST a JSON body to `path`: (HTTP status, JSON body).
    pub async fn post_json(&self, path: &str, body: Value) -> Result<(u16, Value)> {
        let url = format!("{}{path}", self.url);
        tokio::task::spawn_blocking(move || match ureq::post(&url).send_json(body) {
            Ok(r) => Ok((r.status(), r.into_json()?)),
            Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
            Err(e) => Err(anyhow!("POST {url}: {e}")),
        })
        .await?
    }
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
