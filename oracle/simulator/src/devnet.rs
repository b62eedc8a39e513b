//! `dev-deploy`: puts a device registry and a staking contract (and optionally an oracle hub) on a test chain whose
//! deployment has none (as e2e/src/contracts.rs does: maker approved at instantiation, staking as the registry's
//! slasher and transfer hook, the hub as staking's slasher), and records them in a chain-config `deployment.json`
//! so `provision` and `run` find them.

use std::path::Path;

use anyhow::{Context, Result};
use chain_config::client::{ChainClient, Signer};
use chain_config::deploy::{Deployment, Instance, StoredCode};
use serde_json::json;
use sha2::{Digest, Sha256};

pub struct DevDeployOptions {
    /// Approved as a maker at instantiation.
    pub maker: String,
    /// Where slashed stake goes.
    pub rewards_pool: String,
    pub min_stake: u128,
    pub unbonding_secs: u64,
    /// Also deploy an oracle hub with this epoch length (seconds, ≥ 60), epoch 0 starting at its instantiation,
    /// one operator enough, no challenge window.
    pub hub_epoch_length: Option<u64>,
}

/// Stores `device_registry.wasm` and `staking.wasm` from `artifacts`, instantiates both and wires them together.
/// Appends to `existing` (or starts a new deployment for `chain_id`).
pub async fn deploy(
    client: &ChainClient,
    deployer: &Signer,
    chain_id: &str,
    artifacts: &Path,
    existing: Option<Deployment>,
    o: &DevDeployOptions,
) -> Result<Deployment> {
    let mut d = existing.unwrap_or(Deployment {
        chain_id: chain_id.to_string(),
        codes: Vec::new(),
        contracts: Vec::new(),
    });
    let read = |name: &str| -> Result<(Vec<u8>, String)> {
        let path = artifacts.join(format!("{name}.wasm"));
        let bytes = std::fs::read(&path).with_context(|| format!("reading {} (run make wasm)", path.display()))?;
        let sum = hex::encode(Sha256::digest(&bytes));
        Ok((bytes, sum))
    };
    let (registry_wasm, registry_sum) = read("device_registry")?;
    let (staking_wasm, staking_sum) = read("staking")?;
    let (registry_code, _) = client
        .store_code(deployer, registry_wasm)
        .await
        .context("storing the registry")?;
    let (staking_code, _) = client
        .store_code(deployer, staking_wasm)
        .await
        .context("storing staking")?;
    let (registry, _) = client
        .instantiate(
            deployer,
            registry_code,
            "device-registry",
            &json!({"makers": [o.maker]}),
        )
        .await
        .context("instantiating the registry")?;
    let init = json!({
        "denom": client.denom().to_string(),
        "registry": registry,
        "rewards_pool": o.rewards_pool,
        "min_stake_per_device": o.min_stake.to_string(),
        "unbonding_period": o.unbonding_secs,
        "slash_fraction": "0.1",
        "bounty_fraction": "0.25",
        "slashers": [],
        "lockers": [],
    });
    let (staking, _) = client
        .instantiate(deployer, staking_code, "staking", &init)
        .await
        .context("instantiating staking")?;
    client
        .execute(deployer, &registry, &json!({"add_slasher": {"slasher": staking}}), 0)
        .await?;
    client
        .execute(deployer, &registry, &json!({"set_staking": {"staking": staking}}), 0)
        .await?;
    let mut artifacts_done = vec![
        (
            "device_registry",
            "device-registry",
            registry_code,
            registry_sum,
            registry,
        ),
        ("staking", "staking", staking_code, staking_sum, staking.clone()),
    ];
    if let Some(epoch_length) = o.hub_epoch_length {
        let (hub_wasm, hub_sum) = read("oracle_hub")?;
        let (hub_code, _) = client.store_code(deployer, hub_wasm).await.context("storing the hub")?;
        let init = json!({
            "registry": artifacts_done[0].4,
            "staking": staking,
            "rewards": null,
            "denom": client.denom().to_string(),
            "min_bond": "1000000",
            "bond_unbonding_period": 60,
            "epoch_length": epoch_length,
            "challenge_window": 0,
            "slash_fraction": "0.5",
            "bounty_fraction": "0.25",
            "min_operators": 1,
        });
        let (hub, _) = client
            .instantiate(deployer, hub_code, "oracle-hub", &init)
            .await
            .context("instantiating the hub")?;
        client
            .execute(deployer, &staking, &json!({"update_config": {"slashers": [hub]}}), 0)
            .await
            .context("making the hub a staking slasher")?;
        artifacts_done.push(("oracle_hub", "oracle-hub", hub_code, hub_sum, hub));
    }
    for (artifact, label, code_id, sha256, address) in artifacts_done {
        d.codes.push(StoredCode {
            artifact: artifact.into(),
            code_id,
            sha256,
        });
        // Newer instances replace older ones of the same artifact, so lookups by artifact stay unambiguous.
        d.contracts.retain(|c| c.artifact != artifact);
        d.contracts.push(Instance {
            label: label.into(),
            artifact: artifact.into(),
            code_id,
            address,
        });
    }
    Ok(d)
}
