//! The DAO on a test localnet: `make run`'s deploy plan (chain-config/deploy/local.json, which hands every contract to
//! the DAO) and the proposal life cycle (propose with the deposit, vote, execute, read back).

use std::path::Path;

use anyhow::{Context, Result};
use chain_config::client::{ChainClient, Signer, TxOutcome};
use chain_config::deploy::{self, Deployment, Plan};
use serde_json::{json, Value};

use crate::TestNet;

/// Deploys the artifacts with the plan `make run` uses; returns the deployment (addresses by label).
pub async fn deploy_local_plan(net: &TestNet, client: &ChainClient) -> Result<Deployment> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    crate::artifact("dao")?;
    let plan: Plan = serde_json::from_str(&std::fs::read_to_string(root.join("chain-config/deploy/local.json"))?)
        .context("chain-config/deploy/local.json is not a deploy plan")?;
    deploy::deploy(
        client,
        &net.net.accounts,
        &net.net.chain_id,
        &root.join("artifacts"),
        &plan,
    )
    .await
}

/// The address of the contract deployed with `label`.
pub fn address(d: &Deployment, label: &str) -> Result<String> {
    Ok(d.contracts
        .iter()
        .find(|c| c.label == label)
        .with_context(|| format!("no contract labelled {label} in the deployment"))?
        .address
        .clone())
}

/// A wasm execute message the DAO sends (as a proposal message).
pub fn wasm_execute(contract: &str, msg: &Value) -> Value {
    use base64::Engine;
    json!({"wasm": {"execute": {
        "contract_addr": contract,
        "msg": base64::engine::general_purpose::STANDARD.encode(msg.to_string()),
        "funds": [],
    }}})
}

/// Proposes `msgs` with `deposit` attached; returns the proposal id and the tx.
pub async fn propose(
    client: &ChainClient,
    dao: &str,
    proposer: &Signer,
    title: &str,
    msgs: Vec<Value>,
    deposit: u128,
) -> Result<(u64, TxOutcome)> {
    let msg = json!({"propose": {"title": title, "description": "e2e", "msgs": msgs}});
    let out = client.execute(proposer, dao, &msg, deposit).await?;
    let id = out
        .attribute("wasm", "proposal_id")
        .context("propose without proposal_id")?
        .parse()?;
    Ok((id, out))
}

pub async fn vote(client: &ChainClient, dao: &str, voter: &Signer, id: u64, vote: &str) -> Result<TxOutcome> {
    let msg = json!({"vote": {"proposal_id": id, "vote": vote}});
    Ok(client.execute(voter, dao, &msg, 0).await?)
}

pub async fn execute(client: &ChainClient, dao: &str, sender: &Signer, id: u64) -> Result<TxOutcome> {
    Ok(client
        .execute(sender, dao, &json!({"execute": {"proposal_id": id}}), 0)
        .await?)
}

pub async fn proposal(client: &ChainClient, dao: &str, id: u64) -> Result<Value> {
    client.smart_query(dao, &json!({"proposal": {"proposal_id": id}})).await
}

/// The cw-ownable owner of `contract`.
pub async fn owner(client: &ChainClient, contract: &str) -> Result<Option<String>> {
    let o = client.smart_query(contract, &json!({"ownership": {}})).await?;
    Ok(o["owner"].as_str().map(str::to_string))
}
