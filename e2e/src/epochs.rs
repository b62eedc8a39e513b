//! The epoch machinery on a test localnet: oracle hub and rewards contracts, bonded operators that sign reports,
//! and Merkle claims built with rewards-core (the same code the contracts verify with).

use anyhow::{Context, Result};
use base64::Engine;
use chain_config::client::{wasm, ChainClient, FeeMode, Signer, TxOutcome};
use cosmrs::crypto::secp256k1::SigningKey;
use rewards_core::{compute_epoch, DeviceTelemetry, EpochResult, Leaf, NoMultipliers, Tree, Weights};
use serde_json::{json, Value};

use crate::contracts::{self, Core, CoreParams, EMC};
use crate::TestNet;

/// Point weights the e2e epochs are computed with (the hub takes whatever root quorum agrees on).
pub const WEIGHTS: Weights = Weights {
    uptime_per_hour: 100,
    per_task: 10,
    per_interaction: 1,
    min_uptime_secs: 60,
};

pub struct Epochs {
    pub hub: String,
    pub rewards: String,
}

pub struct EpochParams {
    /// Seconds before "now" where epoch 0 starts, so the first epochs are already over when the test reports.
    pub genesis_offset_secs: u64,
    pub epoch_length: u64,
    /// 0: epochs are final at acceptance.
    pub challenge_window: u64,
    /// Listed operators an epoch's first report needs; `None`: the hub's default (3).
    pub min_operators: Option<u32>,
    pub min_bond: u128,
    pub epoch_emission: u128,
    pub pool: u128,
}

impl Default for EpochParams {
    fn default() -> Self {
        Self {
            genesis_offset_secs: 3_600,
            epoch_length: 600,
            challenge_window: 8,
            min_operators: None,
            min_bond: 1_000 * EMC,
            epoch_emission: 10_000 * EMC,
            pool: 1_000_000 * EMC,
        }
    }
}

/// Stores and instantiates the hub and rewards, wires them to each other and to staking (hub as slasher), and
/// funds the pool from `funder`.
pub async fn deploy(
    client: &ChainClient,
    deployer: &Signer,
    funder: &Signer,
    core: &Core,
    p: &EpochParams,
) -> Result<Epochs> {
    let (hub_code, _) = client
        .store_code(deployer, std::fs::read(crate::artifact("oracle_hub")?)?)
        .await?;
    let (rewards_code, _) = client
        .store_code(deployer, std::fs::read(crate::artifact("rewards")?)?)
        .await?;
    let now = client.latest_block_time().await?;
    let genesis_nanos = (now - p.genesis_offset_secs) * 1_000_000_000;
    let hub_init = json!({
        "registry": core.registry, "staking": core.staking, "rewards": null,
        "denom": client.denom().to_string(), "min_bond": p.min_bond.to_string(), "bond_unbonding_period": 7_200,
        "epoch_genesis": genesis_nanos.to_string(), "epoch_length": p.epoch_length, "quorum": null,
        "challenge_window": p.challenge_window, "slash_fraction": "0.1", "bounty_fraction": "0.25",
        "min_operators": p.min_operators,
    });
    let (hub, _) = client.instantiate(deployer, hub_code, "oracle-hub", &hub_init).await?;
    let rewards_init = json!({
        "hub": hub, "registry": core.registry, "denom": client.denom().to_string(),
        "schedule": {"epoch_emission": p.epoch_emission.to_string(), "decay": "0.1", "decay_period_epochs": 365},
        "operator_share": "0.05",
    });
    let (rewards, _) = client
        .instantiate(deployer, rewards_code, "rewards", &rewards_init)
        .await?;
    client
        .execute(deployer, &hub, &json!({"update_config": {"rewards": rewards}}), 0)
        .await?;
    client
        .execute(
            deployer,
            &core.staking,
            &json!({"update_config": {"slashers": [hub]}}),
            0,
        )
        .await?;
    client.execute(funder, &rewards, &json!({"fund": {}}), p.pool).await?;
    Ok(Epochs { hub, rewards })
}

/// The admin lists `operator` with its account key as report key; the operator bonds `bond`.
pub async fn add_operator(
    client: &ChainClient,
    admin: &Signer,
    hub: &str,
    operator: &Signer,
    bond: u128,
) -> Result<()> {
    let pubkey = operator.key.public_key().to_bytes();
    let add = json!({"add_operator": {"address": operator.address.to_string(), "pubkey": b64(&pubkey)}});
    client.execute(admin, hub, &add, 0).await?;
    client.execute(operator, hub, &json!({"bond": {}}), bond).await?;
    Ok(())
}

/// `add_operator` for every operator in one admin transaction, then every operator bonds `bond` (concurrently: one
/// block for all of them).
pub async fn add_operators(
    client: &ChainClient,
    admin: &Signer,
    hub: &str,
    operators: &[&Signer],
    bond: u128,
) -> Result<()> {
    let mut adds = Vec::new();
    for op in operators {
        let pubkey = op.key.public_key().to_bytes();
        let add = json!({"add_operator": {"address": op.address.to_string(), "pubkey": b64(&pubkey)}});
        adds.push(wasm::execute(&admin.address, hub, &add)?);
    }
    client.send_tx(&admin.key, adds, FeeMode::Simulate, None).await?;
    let msg = json!({"bond": {}});
    futures::future::try_join_all(operators.iter().map(|op| client.execute(op, hub, &msg, bond))).await?;
    Ok(())
}

/// What an operator reports for one epoch.
pub struct Report {
    pub epoch: u64,
    pub root: [u8; 32],
    pub total: u128,
    pub device_count: u64,
    pub commitment: [u8; 32],
}

/// Signs the hub's statement for `r` with `key` and submits it.
pub async fn submit_report(client: &ChainClient, hub: &str, operator: &Signer, r: &Report) -> Result<TxOutcome> {
    let fields = json!({
        "epoch": r.epoch, "root": hex::encode(r.root), "total_amount": r.total.to_string(),
        "device_count": r.device_count, "telemetry_commitment": hex::encode(r.commitment),
    });
    let statement = client.smart_query(hub, &json!({"report_statement": fields})).await?;
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(statement["statement"].as_str().context("statement")?)?;
    let signature = sign_secp256k1(&operator.key, &bytes)?;
    let mut msg = fields;
    msg["signature"] = json!(b64(&signature));
    Ok(client.execute(operator, hub, &json!({"submit_report": msg}), 0).await?)
}

/// secp256k1 over sha256(bytes), compact r||s (what cosmrs signs for Cosmos txs too).
pub fn sign_secp256k1(key: &SigningKey, bytes: &[u8]) -> Result<Vec<u8>> {
    Ok(key.sign(bytes).map_err(|e| anyhow::anyhow!("{e}"))?.to_bytes().to_vec())
}

/// A claim item for `device_id` in `tree`.
pub fn claim_item(tree: &Tree, leaf: &Leaf) -> Result<Value> {
    let proof = tree.proof_for_device(leaf.device_id).context("device not in tree")?;
    Ok(json!({
        "epoch": leaf.epoch, "device_id": leaf.device_id, "owner": leaf.owner,
        "amount": leaf.amount.to_string(), "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
    }))
}

/// Epoch 0 final on a fresh localnet with one leaf per owner, reached the shortest way for tests that start from
/// claimable leaves: core and epoch contracts, one device per owner, a single operator (`min_operators` 1) and no
/// challenge window.
pub struct FinalEpoch {
    pub core: Core,
    pub contracts: Epochs,
    /// `ids[i]`: the device of `owners[i]`.
    pub ids: Vec<u64>,
    pub result: EpochResult,
}

impl FinalEpoch {
    pub fn leaf(&self, device_id: u64) -> Result<&Leaf> {
        self.result
            .leaves
            .iter()
            .find(|l| l.device_id == device_id)
            .with_context(|| format!("no leaf for device {device_id}"))
    }

    /// The claim item (leaf and proof) of `device_id`.
    pub fn claim_item(&self, device_id: u64) -> Result<Value> {
        claim_item(&self.result.tree, self.leaf(device_id)?)
    }
}

pub async fn final_epoch(net: &TestNet, client: &ChainClient, owners: &[&Signer]) -> Result<FinalEpoch> {
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let params = EpochParams {
        challenge_window: 0,
        min_operators: Some(1),
        ..EpochParams::default()
    };
    let mut accounts =
        contracts::funded_accounts(net, client, &["maker", "operator"], params.min_bond + 100 * EMC).await?;
    let (_, operator) = accounts.pop().context("operator")?;
    let (_, maker) = accounts.pop().context("maker")?;
    let core = contracts::deploy_core(
        client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &CoreParams::default(),
    )
    .await?;
    let (ids, _) = contracts::devices_for(client, &net.net.chain_id, &core.registry, &maker, owners).await?;
    let ep = deploy(client, &deployer, &pool_holder, &core, &params).await?;
    add_operators(client, &deployer, &ep.hub, &[&operator], params.min_bond).await?;

    let budget = client
        .smart_query(&ep.rewards, &json!({"epoch_budget": {"epoch": 0}}))
        .await?;
    let device_budget: u128 = budget["device_budget"].as_str().context("device_budget")?.parse()?;
    // Different uptimes: every leaf has its own amount.
    let telemetry: Vec<DeviceTelemetry> = owners
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(i, (owner, id))| DeviceTelemetry {
            device_id: *id,
            owner: owner.address.to_string(),
            uptime_secs: 600 - 60 * i as u64,
            tasks_completed: 1,
            interactions: 1,
        })
        .collect();
    let result = compute_epoch(0, device_budget, &telemetry, &WEIGHTS, &NoMultipliers)?;
    anyhow::ensure!(result.leaves.len() == owners.len(), "a leaf per owner");
    let report = Report {
        epoch: 0,
        root: result.root,
        total: result.total_distributed,
        device_count: result.device_count,
        commitment: [7; 32],
    };
    submit_report(client, &ep.hub, &operator, &report).await?;
    let status = epoch_status(client, &ep.hub, 0).await?;
    anyhow::ensure!(status["status"] == "final", "one report, no challenge window: {status}");
    Ok(FinalEpoch {
        core,
        contracts: ep,
        ids,
        result,
    })
}

pub async fn epoch_status(client: &ChainClient, hub: &str, epoch: u64) -> Result<Value> {
    client.smart_query(hub, &json!({"epoch": {"epoch": epoch}})).await
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
