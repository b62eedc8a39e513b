//! Reaching the chain: a [`ChainClient`] from a localnet directory or explicit settings, contract addresses from a
//! deployment file, accounts from a localnet's test accounts or a mnemonic file, and the hub's epoch timing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use chain_config::client::ChainClient;
use chain_config::deploy::Deployment;
use chain_config::keys::KeyInfo;
use chain_config::localnet::Localnet;
use chain_config::profile::Profile;
use serde_json::json;

use crate::timing::EpochTiming;

/// How to reach the chain.
#[derive(Debug, Clone, Default)]
pub struct ChainOptions {
    /// A localnet directory (`localnet.json`): RPC endpoint, chain id, profile and test accounts.
    pub localnet: Option<PathBuf>,
    pub rpc: Option<String>,
    pub chain_id: Option<String>,
    pub prefix: String,
    pub denom: String,
    pub gas_price: f64,
    /// chain-config's `deployment.json` (defaults to `<localnet>/deployment.json` when present).
    pub deployment: Option<PathBuf>,
}

/// A connected chain.
pub struct Chain {
    pub client: Arc<ChainClient>,
    pub chain_id: String,
    pub rpc: String,
    pub localnet: Option<Localnet>,
    pub deployment: Option<Deployment>,
}

impl Chain {
    pub fn connect(o: &ChainOptions) -> Result<Self> {
        let localnet = o.localnet.as_deref().map(Localnet::load).transpose()?;
        let (client, chain_id, rpc) = match &localnet {
            Some(net) => {
                let rpc = o.rpc.clone().unwrap_or_else(|| net.endpoints().rpc);
                if let Some(id) = &o.chain_id {
                    if id != &net.chain_id {
                        bail!("--chain-id {id} but the localnet runs {}", net.chain_id);
                    }
                }
                let profile = Profile::builtin(&net.profile)?;
                (ChainClient::new(&rpc, &profile)?, net.chain_id.clone(), rpc)
            }
            None => {
                let rpc = o.rpc.clone().context("give --localnet DIR or --rpc URL")?;
                let chain_id = o.chain_id.clone().context("--chain-id is required with --rpc")?;
                let client = ChainClient::with_settings(&rpc, &chain_id, &o.prefix, &o.denom, o.gas_price, 118)?;
                (client, chain_id, rpc)
            }
        };
        let deployment_path = o.deployment.clone().or_else(|| {
            localnet
                .as_ref()
                .map(|n| n.dir.join("deployment.json"))
                .filter(|p| p.is_file())
        });
        let deployment = deployment_path.map(|p| read_deployment(&p)).transpose()?;
        if let Some(d) = &deployment {
            if d.chain_id != chain_id {
                bail!("the deployment file is for {}, the chain is {chain_id}", d.chain_id);
            }
        }
        Ok(Self {
            client: Arc::new(client),
            chain_id,
            rpc,
            localnet,
            deployment,
        })
    }

    /// An explicit address, else the deployment's contract made from `artifact` (e.g. `device_registry`).
    pub fn contract(&self, explicit: Option<&str>, artifact: &str) -> Result<String> {
        if let Some(a) = explicit {
            return Ok(a.to_string());
        }
        let d = self
            .deployment
            .as_ref()
            .with_context(|| format!("no {artifact} address: pass it explicitly or give a deployment file"))?;
        let found: Vec<_> = d.contracts.iter().filter(|c| c.artifact == artifact).collect();
        match found.as_slice() {
            [one] => Ok(one.address.clone()),
            [] => bail!("the deployment has no {artifact} contract; pass its address explicitly"),
            _ => bail!("the deployment has several {artifact} contracts; pass the address explicitly"),
        }
    }

    /// An account: `name` from the localnet's test accounts, or the mnemonic in `mnemonic_file`.
    pub fn account(&self, name: Option<&str>, mnemonic_file: Option<&Path>, what: &str) -> Result<KeyInfo> {
        match (mnemonic_file, name) {
            (Some(path), _) => {
                let phrase = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {what} mnemonic {}", path.display()))?;
                KeyInfo::from_mnemonic(what, phrase.trim(), self.client.prefix(), self.client.coin_type())
                    .map_err(|e| anyhow!("{what} mnemonic in {}: {e}", path.display()))
            }
            (None, Some(name)) => {
                let net = self
                    .localnet
                    .as_ref()
                    .with_context(|| format!("--{what} {name} needs --localnet (or give a mnemonic file)"))?;
                net.account(name)
                    .cloned()
                    .with_context(|| format!("the localnet has no account {name:?}"))
            }
            (None, None) => bail!("no {what} account: give its localnet account name or a mnemonic file"),
        }
    }
}

fn read_deployment(path: &Path) -> Result<Deployment> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a deployment file", path.display()))
}

/// The hub's epoch timing (`{"config":{}}` → `epoch_genesis` (nanoseconds, as a string) and `epoch_length`).
pub async fn hub_timing(client: &ChainClient, hub: &str) -> Result<EpochTiming> {
    let v = client
        .smart_query(hub, &json!({"config": {}}))
        .await
        .with_context(|| format!("querying the oracle hub {hub}"))?;
    parse_hub_timing(&v)
}

pub fn parse_hub_timing(v: &serde_json::Value) -> Result<EpochTiming> {
    let genesis = match &v["epoch_genesis"] {
        serde_json::Value::String(s) => s.parse::<u64>().context("hub epoch_genesis is not a number")?,
        serde_json::Value::Number(n) => n.as_u64().context("hub epoch_genesis is not a u64")?,
        other => bail!("hub config has no epoch_genesis (got {other})"),
    };
    let length = v["epoch_length"].as_u64().context("hub config has no epoch_length")?;
    EpochTiming::new(genesis, length).context("hub epoch_length is 0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_timing_from_config_json() {
        let t =
            parse_hub_timing(&json!({"epoch_genesis": "1700000000000000000", "epoch_length": 600, "x": 1})).unwrap();
        assert_eq!(t, EpochTiming::from_secs(1_700_000_000, 600).unwrap());
        assert!(parse_hub_timing(&json!({"epoch_genesis": "1", "epoch_length": 0})).is_err());
        assert!(parse_hub_timing(&json!({"epoch_length": 5})).is_err());
    }
}
