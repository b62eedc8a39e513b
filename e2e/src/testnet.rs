//! A localnet owned by a test: nodes are children of the test thread and are stopped by pid on drop.

use std::process::Child;
use std::time::Duration;

use anyhow::{Context, Result};
use chain_config::keys::KeyInfo;
use chain_config::localnet::{self, Localnet};
use chain_config::process::Lifetime;
use chain_config::profile::Profile;

use chain_config::client::ChainClient;

pub struct TestNet {
    pub net: Localnet,
    children: Vec<Option<Child>>,
    dir: Option<tempfile::TempDir>,
}

/// Cold start on 2 busy cores can be slow; a healthy node makes its first block in a few seconds.
pub const START_TIMEOUT: Duration = Duration::from_secs(90);

impl TestNet {
    /// Creates and starts `validators` nodes in a fresh temp dir; returns once every node has committed two blocks.
    pub async fn start(validators: usize) -> Result<Self> {
        Self::start_profile(validators, "local").await
    }

    /// As `start`, for any chain profile: `counterparty` runs the IBC counterparty (stock wasmd, prefix `wasm`).
    pub async fn start_profile(validators: usize, profile: &str) -> Result<Self> {
        let binary = chain_config::find_binary(&Profile::builtin(profile)?.chain.daemon_name)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("edgemint-e2e-{profile}-"))
            .tempdir()?;
        let net = Localnet::create(dir.path(), validators, &binary, profile)?;
        let mut t = TestNet {
            net,
            children: Vec::new(),
            dir: Some(dir),
        };
        for i in 0..validators {
            let child = t.net.start_node(i, Lifetime::Attached)?;
            t.children.push(Some(child));
        }
        // Height 2: the first block's state is committed and queryable on every API (REST answers 500 for a moment
        // right after block 1).
        for i in 0..validators {
            t.wait_for_height(i, 2, START_TIMEOUT).await?;
        }
        Ok(t)
    }

    pub async fn wait_for_height(&self, node: usize, height: u64, timeout: Duration) -> Result<u64> {
        let n = &self.net.nodes[node];
        localnet::wait_for_height(&n.rpc_url(), height, timeout, &n.log_path()).await
    }

    pub async fn height(&self, node: usize) -> Option<u64> {
        localnet::height(&self.net.nodes[node].rpc_url()).await
    }

    /// Stops node `i` by pid (SIGTERM, SIGKILL after 10 s).
    pub fn stop_node(&mut self, i: usize) {
        if let Some(mut child) = self.children.get_mut(i).and_then(Option::take) {
            self.net.stop_pid(i, child.id());
            let _ = child.wait();
        }
    }

    pub fn restart_node(&mut self, i: usize) -> Result<()> {
        anyhow::ensure!(self.children[i].is_none(), "node {i} is still running");
        self.children[i] = Some(self.net.start_node(i, Lifetime::Attached)?);
        Ok(())
    }

    pub fn account(&self, name: &str) -> Result<&KeyInfo> {
        self.net
            .account(name)
            .with_context(|| format!("no test account {name}"))
    }

    /// A client talking to node `i`'s RPC.
    pub fn client(&self, i: usize) -> Result<ChainClient> {
        let profile = Profile::builtin(&self.net.profile)?;
        ChainClient::new(&self.net.nodes[i].rpc_url(), &profile)
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        // On failure, show what the nodes said last (before stopping them adds shutdown noise) and keep the dir.
        let failed = std::thread::panicking();
        if failed {
            for n in &self.net.nodes {
                let log = std::fs::read_to_string(n.log_path()).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                eprintln!("--- last lines of {} ---", n.log_path().display());
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
        for i in 0..self.children.len() {
            self.stop_node(i);
        }
        if failed || std::env::var_os("EDGEMINT_KEEP_TESTNET").is_some() {
            if let Some(dir) = self.dir.take() {
                eprintln!("kept testnet dir {}", dir.keep().display());
            }
        }
    }
}
