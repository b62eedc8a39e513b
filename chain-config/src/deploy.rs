//! Deploys the contract artifacts (`make wasm`) to a running localnet: every artifact is checked against
//! checksums.txt and stored; the plan's contracts are instantiated and its wiring messages executed; the result is
//! written to deployment.json.
//!
//! In plan messages a string `"${contract:LABEL}"` becomes the address of the contract instantiated with that label
//! and `"${account:NAME}"` the address of the localnet account NAME; `"${pubkey:NAME}"` is that account's
//! compressed secp256k1 public key in base64 (what the oracle hub's `add_operator` takes).

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::client::ChainClient;
use crate::keys::KeyInfo;

#[derive(Debug, Deserialize)]
pub struct Plan {
    pub instantiate: Vec<PlannedInstance>,
    /// Executed in order after every instantiation (wiring contracts to each other, funding).
    #[serde(default)]
    pub execute: Vec<PlannedExecute>,
    /// Wasm admin changes (MsgUpdateAdmin by the deployer, the admin of everything it instantiated), run last:
    /// e.g. the DAO becomes the admin that may migrate each contract.
    #[serde(default)]
    pub wasm_admins: Vec<PlannedAdmin>,
}

#[derive(Debug, Deserialize)]
pub struct PlannedAdmin {
    /// Label of a contract in `instantiate`.
    pub contract: String,
    /// The new admin: an address or a `${contract:..}` / `${account:..}` placeholder.
    pub new_admin: String,
}

#[derive(Debug, Deserialize)]
pub struct PlannedExecute {
    /// Localnet account that signs (default: deployer).
    pub sender: Option<String>,
    /// Label of a contract in `instantiate`.
    pub contract: String,
    pub msg: serde_json::Value,
    /// Base units of the chain's denom to attach.
    #[serde(default)]
    pub funds: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PlannedInstance {
    pub artifact: String,
    pub label: String,
    pub msg: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Deployment {
    pub chain_id: String,
    pub codes: Vec<StoredCode>,
    pub contracts: Vec<Instance>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StoredCode {
    pub artifact: String,
    pub code_id: u64,
    pub sha256: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Instance {
    pub label: String,
    pub artifact: String,
    pub code_id: u64,
    pub address: String,
}

/// Reads `checksums.txt` (sha256sum format) into (file name, hex digest).
fn checksums(artifacts: &Path) -> Result<Vec<(String, String)>> {
    let path = artifacts.join("checksums.txt");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("{} missing: run `make wasm`", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(sum, name)| (name.trim().trim_start_matches('*').to_string(), sum.to_string()))
        .collect())
}

fn account<'a>(accounts: &'a [KeyInfo], name: &str) -> Result<&'a KeyInfo> {
    accounts
        .iter()
        .find(|a| a.name == name)
        .with_context(|| format!("plan refers to unknown account `{name}`"))
}

/// Replaces `${contract:..}`, `${account:..}` and `${pubkey:..}` strings anywhere in `v`.
fn resolve(
    v: &serde_json::Value,
    contracts: &[Instance],
    accounts: &[KeyInfo],
    coin_type: u32,
) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match v {
        Value::String(s) => match s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(r) => match r.split_once(':') {
                Some(("contract", label)) => Value::String(
                    contracts
                        .iter()
                        .find(|c| c.label == label)
                        .with_context(|| format!("plan refers to contract `{label}` before it is instantiated"))?
                        .address
                        .clone(),
                ),
                Some(("account", name)) => Value::String(account(accounts, name)?.address.clone()),
                Some(("pubkey", name)) => {
                    use base64::Engine as _;
                    let key = account(accounts, name)?.signing_key(coin_type)?;
                    Value::String(base64::engine::general_purpose::STANDARD.encode(key.public_key().to_bytes()))
                }
                _ => bail!("unknown placeholder `{s}` in the deploy plan"),
            },
            None => v.clone(),
        },
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| resolve(x, contracts, accounts, coin_type))
                .collect::<Result<_>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), resolve(x, contracts, accounts, coin_type)?)))
                .collect::<Result<_>>()?,
        ),
        _ => v.clone(),
    })
}

/// The address of the contract instantiated with `label`.
fn address_of(contracts: &[Instance], accounts: &[KeyInfo], label: &str) -> Result<String> {
    // A contract placeholder never needs the coin type.
    let v = resolve(
        &serde_json::Value::String(format!("${{contract:{label}}}")),
        contracts,
        accounts,
        0,
    )?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Stores every artifact, then runs the plan. `accounts` must contain `deployer` and every plan sender.
pub async fn deploy(
    client: &ChainClient,
    accounts: &[KeyInfo],
    chain_id: &str,
    artifacts: &Path,
    plan: &Plan,
) -> Result<Deployment> {
    let account = |name: &str| {
        accounts
            .iter()
            .find(|a| a.name == name)
            .with_context(|| format!("no localnet account `{name}`"))
    };
    let signer = client.signer(account("deployer")?)?;
    let mut codes = Vec::new();
    for (file, sum) in checksums(artifacts)? {
        let bytes = std::fs::read(artifacts.join(&file)).with_context(|| format!("reading {file}"))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sum {
            bail!("{file} does not match checksums.txt (rebuild with `make wasm`)");
        }
        let (code_id, _) = client
            .store_code(&signer, bytes)
            .await
            .with_context(|| format!("storing {file}"))?;
        let artifact = file.trim_end_matches(".wasm").to_string();
        codes.push(StoredCode {
            artifact,
            code_id,
            sha256: sum,
        });
    }
    let mut contracts = Vec::new();
    for p in &plan.instantiate {
        let code = codes
            .iter()
            .find(|c| c.artifact == p.artifact)
            .with_context(|| format!("plan names {} but artifacts/ has no {}.wasm", p.artifact, p.artifact))?;
        let msg = resolve(&p.msg, &contracts, accounts, client.coin_type())?;
        let (address, _) = client
            .instantiate(&signer, code.code_id, &p.label, &msg)
            .await
            .with_context(|| format!("instantiating {}", p.label))?;
        contracts.push(Instance {
            label: p.label.clone(),
            artifact: p.artifact.clone(),
            code_id: code.code_id,
            address,
        });
    }
    for e in &plan.execute {
        let sender = client.signer(account(e.sender.as_deref().unwrap_or("deployer"))?)?;
        let contract = address_of(&contracts, accounts, &e.contract)?;
        let msg = resolve(&e.msg, &contracts, accounts, client.coin_type())?;
        let funds = e
            .funds
            .as_deref()
            .map(str::parse::<u128>)
            .transpose()
            .context("plan funds")?
            .unwrap_or(0);
        client
            .execute(&sender, &contract, &msg, funds)
            .await
            .with_context(|| format!("executing {} on {}", msg, e.contract))?;
    }
    for a in &plan.wasm_admins {
        let contract = address_of(&contracts, accounts, &a.contract)?;
        let new_admin = resolve(
            &serde_json::Value::String(a.new_admin.clone()),
            &contracts,
            accounts,
            client.coin_type(),
        )?;
        let new_admin = new_admin.as_str().unwrap_or_default().to_string();
        client
            .update_admin(&signer, &contract, &new_admin)
            .await
            .with_context(|| format!("making {new_admin} the wasm admin of {}", a.contract))?;
    }
    Ok(Deployment {
        chain_id: chain_id.to_string(),
        codes,
        contracts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_resolve_to_addresses_and_unknown_ones_fail() {
        let contracts = vec![Instance {
            label: "staking".into(),
            artifact: "staking".into(),
            code_id: 1,
            address: "emc1staking".into(),
        }];
        let accounts = vec![KeyInfo {
            name: "deployer".into(),
            address: "emc1deployer".into(),
            mnemonic: String::new(),
        }];
        let msg = json!({"a": "${contract:staking}", "b": ["${account:deployer}", "plain"], "n": 3});
        let out = resolve(&msg, &contracts, &accounts, 118).unwrap();
        assert_eq!(out, json!({"a": "emc1staking", "b": ["emc1deployer", "plain"], "n": 3}));
        assert!(resolve(&json!("${contract:rewards}"), &contracts, &accounts, 118).is_err());
        assert!(resolve(&json!("${account:nobody}"), &contracts, &accounts, 118).is_err());
        assert!(resolve(&json!("${other:x}"), &contracts, &accounts, 118).is_err());
    }

    #[test]
    fn the_local_plan_parses() {
        let plan: Plan = serde_json::from_str(include_str!("../deploy/local.json")).unwrap();
        assert!(plan.instantiate.iter().any(|p| p.artifact == "rewards"));
        assert!(plan.execute.iter().any(|e| e.sender.as_deref() == Some("mining-pool")));
    }

    /// The DAO owns every product contract: each one's ownership is offered to it and accepted, after every other
    /// deployer step, and the DAO is each one's wasm admin (itself included).
    #[test]
    fn the_local_plan_hands_every_contract_to_the_dao() {
        let plan: Plan = serde_json::from_str(include_str!("../deploy/local.json")).unwrap();
        assert!(plan.instantiate.iter().any(|p| p.artifact == "dao" && p.label == "dao"));
        let position = |msg: &serde_json::Value, contract: &str| {
            plan.execute
                .iter()
                .position(|e| e.contract == contract && &e.msg == msg)
                .unwrap_or_else(|| panic!("{contract}: {msg} missing"))
        };
        for label in ["device-registry", "staking", "oracle-hub", "rewards"] {
            let offer = position(
                &json!({"update_ownership": {"transfer_ownership": {"new_owner": "${contract:dao}", "expiry": null}}}),
                label,
            );
            let accept = position(
                &json!({"accept_ownership": {"contract": format!("${{contract:{label}}}")}}),
                "dao",
            );
            assert!(offer < accept, "{label}");
            // nothing the deployer does as admin may come after the handover starts
            assert!(plan.execute[offer..]
                .iter()
                .all(|e| e.contract == "dao" || e.msg.get("update_ownership").is_some()));
            assert!(plan
                .wasm_admins
                .iter()
                .any(|a| a.contract == label && a.new_admin == "${contract:dao}"));
        }
        assert!(plan
            .wasm_admins
            .iter()
            .any(|a| a.contract == "dao" && a.new_admin == "${contract:dao}"));
    }
}
