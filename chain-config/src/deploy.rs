//! Deploys the contract artifacts (`make wasm`) to a running localnet: every artifact is checked against
//! checksums.txt and stored; the plan's contracts are instantiated; the result is written to deployment.json.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::client::ChainClient;
use crate::keys::KeyInfo;

#[derive(Debug, Deserialize)]
pub struct Plan {
    pub instantiate: Vec<PlannedInstance>,
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

pub async fn deploy(
    client: &ChainClient,
    deployer: &KeyInfo,
    chain_id: &str,
    artifacts: &Path,
    plan: &Plan,
) -> Result<Deployment> {
    let signer = client.signer(deployer)?;
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
        let (address, _) = client
            .instantiate(&signer, code.code_id, &p.label, &p.msg)
            .await
            .with_context(|| format!("instantiating {}", p.label))?;
        contracts.push(Instance {
            label: p.label.clone(),
            artifact: p.artifact.clone(),
            code_id: code.code_id,
            address,
        });
    }
    Ok(Deployment {
        chain_id: chain_id.to_string(),
        codes,
        contracts,
    })
}
