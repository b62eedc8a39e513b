//! The daemon's reads from (and, for reports, writes to) the chain, over `chain_config::client::ChainClient`:
//! the hub's epoch timing, the epoch inputs at a snapshot height ([`EpochChain`]), and the hub's report queries.

use std::sync::Arc;

use chain_config::client::ChainClient;
use cosmwasm_std::{Timestamp, Uint128};
use edgemint_types::registry::{DeviceResponse, DeviceStatus, RegistryQueryMsg};
use edgemint_types::rewards::{EpochBudgetResponse, RewardsQueryMsg};
use edgemint_types::staking::{MiningStatusResponse, RewardMultiplierResponse, StakingQuery};
use rewards_core::Multiplier;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde::Serialize;
use serde_json::{json, Value};

use crate::config::ContractsConfig;
use crate::epoch::{ChainFuture, ChainReadError, DeviceAtHeight, EpochChain};
use crate::timing::EpochTiming;

/// The fields of the hub's `Config` answer the daemon uses (other fields are ignored, so a hub that adds fields
/// does not break the daemon).
#[derive(Debug, Deserialize)]
struct HubConfig {
    epoch_genesis: Timestamp,
    epoch_length: u64,
}

pub struct ChainReader {
    client: Arc<ChainClient>,
    contracts: ContractsConfig,
}

/// One log-friendly line from a multi-line error text (tendermint-rpc errors carry "Caused by:" / "Location:"
/// sections and source paths).
pub fn one_line(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        let noise = line.is_empty()
            || line == "Caused by:"
            || line == "Location:"
            || (line.starts_with('/') && line.contains(".rs:"))
            || (line.starts_with("at ") && line.contains(".rs:"))
            || line.starts_with("Stack backtrace");
        if !noise && !parts.contains(&line) {
            parts.push(line);
        }
    }
    parts.join(" | ")
}

/// The whole cause chain of `e` on one line, each message once.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut out: Vec<String> = Vec::new();
    for cause in e.chain() {
        let line = one_line(&cause.to_string());
        if !line.is_empty() && !out.iter().any(|o| o.contains(&line)) {
            out.push(line);
        }
    }
    out.join(": ")
}

fn query_err(e: anyhow::Error) -> ChainReadError {
    ChainReadError::Query(error_text(&e))
}

fn parse<T: DeserializeOwned>(v: Value, what: &str) -> Result<T, ChainReadError> {
    serde_json::from_value(v).map_err(|e| ChainReadError::Invalid(format!("{what}: {e}")))
}

impl ChainReader {
    pub fn new(client: Arc<ChainClient>, contracts: ContractsConfig) -> Self {
        Self { client, contracts }
    }

    pub fn client(&self) -> &Arc<ChainClient> {
        &self.client
    }

    pub fn contracts(&self) -> &ContractsConfig {
        &self.contracts
    }

    /// Epoch timing from the hub's `Config`.
    pub async fn hub_timing(&self) -> Result<EpochTiming, ChainReadError> {
        let v = self
            .client
            .smart_query(&self.contracts.hub, &json!({"config": {}}))
            .await
            .map_err(query_err)?;
        let c: HubConfig = parse(v, "hub config")?;
        EpochTiming::new(c.epoch_genesis.nanos(), c.epoch_length)
            .ok_or_else(|| ChainReadError::Invalid("hub epoch_length is 0".into()))
    }

    /// A typed query message (the contracts' own interface enums, so the JSON cannot drift) at `height`.
    async fn query_at<T: DeserializeOwned>(
        &self,
        contract: &str,
        msg: impl Serialize,
        height: Option<u64>,
        what: &str,
    ) -> Result<T, ChainReadError> {
        let msg = serde_json::to_value(msg).map_err(|e| ChainReadError::Invalid(format!("{what} query: {e}")))?;
        let v = self
            .client
            .smart_query_at(contract, &msg, height)
            .await
            .map_err(query_err)?;
        parse(v, what)
    }

    async fn block_time(&self, height: u64) -> Result<i128, ChainReadError> {
        self.client.block_time_nanos(height).await.map_err(query_err)
    }

    async fn find_snapshot_height(&self, end_nanos: u128) -> Result<Option<u64>, ChainReadError> {
        let end = i128::try_from(end_nanos).unwrap_or(i128::MAX);
        let (earliest, latest) = self.client.height_range().await.map_err(query_err)?;
        if self.block_time(latest).await? < end {
            return Ok(None);
        }
        let mut lo = earliest.max(1);
        if self.block_time(lo).await? >= end {
            return Err(ChainReadError::Invalid(format!(
                "the node's earliest block {lo} is after the epoch's end: its state is not available"
            )));
        }
        // Invariant: time(lo) < end <= time(hi).
        let mut hi = latest;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.block_time(mid).await? < end {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(Some(lo))
    }

    async fn device(
        &self,
        device_id: u64,
        height: u64,
        eligibility: bool,
    ) -> Result<Option<DeviceAtHeight>, ChainReadError> {
        let msg = serde_json::to_value(RegistryQueryMsg::Device { device_id })
            .map_err(|e| ChainReadError::Invalid(e.to_string()))?;
        let d: DeviceResponse = match self
            .client
            .smart_query_at(&self.contracts.registry, &msg, Some(height))
            .await
        {
            Ok(v) => parse(v, "registry device")?,
            Err(e) if error_text(&e).contains("unknown device") => return Ok(None),
            Err(e) => return Err(query_err(e)),
        };
        let mut eligible = true;
        if eligibility && d.status == DeviceStatus::Active {
            let m: MiningStatusResponse = self
                .query_at(
                    &self.contracts.staking,
                    StakingQuery::MiningStatus { device_id },
                    Some(height),
                    "staking mining_status",
                )
                .await?;
            eligible = m.eligible;
        }
        Ok(Some(DeviceAtHeight {
            status: d.status,
            owner: d.owner.map(|a| a.to_string()),
            eligible,
        }))
    }

    async fn multiplier(&self, owner: String, height: u64) -> Result<Multiplier, ChainReadError> {
        // "At the START of block h + 1" = after block h, from staking's snapshots (latest state).
        let r: RewardMultiplierResponse = self
            .query_at(
                &self.contracts.staking,
                StakingQuery::RewardMultiplierAtHeight {
                    address: owner,
                    height: Some(height + 1),
                },
                None,
                "staking reward multiplier",
            )
            .await?;
        Ok(Multiplier::from(r.multiplier))
    }

    /// The device budget as the rewards contract answers NOW (not at the snapshot height): once the epoch's first
    /// report reserved its budget these are the frozen figures every operator shares; before that, the live ones,
    /// which the first report then freezes.
    async fn budget(&self, epoch: u64, _height: u64) -> Result<u128, ChainReadError> {
        let b: EpochBudgetResponse = self
            .query_at(
                &self.contracts.rewards,
                RewardsQueryMsg::EpochBudget { epoch },
                None,
                "rewards epoch_budget",
            )
            .await?;
        Ok(b.device_budget.u128())
    }
}

impl EpochChain for ChainReader {
    fn snapshot_height(&self, end_nanos: u128) -> ChainFuture<'_, Option<u64>> {
        Box::pin(self.find_snapshot_height(end_nanos))
    }

    fn device_at(
        &self,
        device_id: u64,
        height: u64,
        with_eligibility: bool,
    ) -> ChainFuture<'_, Option<DeviceAtHeight>> {
        Box::pin(self.device(device_id, height, with_eligibility))
    }

    fn multiplier_at(&self, owner: String, height: u64) -> ChainFuture<'_, Multiplier> {
        Box::pin(self.multiplier(owner, height))
    }

    fn device_budget(&self, epoch: u64, height: u64) -> ChainFuture<'_, u128> {
        Box::pin(self.budget(epoch, height))
    }
}

/// The hub's `Reports` answer, the fields the daemon uses.
#[derive(Debug, Clone, Deserialize)]
pub struct HubReports {
    pub epoch: u64,
    pub status: String,
    pub reports: Vec<HubReport>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HubReport {
    pub operator: String,
    pub root: cosmwasm_std::HexBinary,
    pub total_amount: Uint128,
    pub device_count: u64,
    pub telemetry_commitment: cosmwasm_std::HexBinary,
}

/// The hub's `ReportStatement` answer.
#[derive(Debug, Clone, Deserialize)]
pub struct HubStatement {
    pub statement: cosmwasm_std::Binary,
    pub hash: cosmwasm_std::HexBinary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_fit_on_one_line() {
        let text =
            "HTTP error\n\nCaused by:\n    error sending request: connection refused\n\nLocation:\n    /root/x.rs:10:9";
        assert_eq!(one_line(text), "HTTP error | error sending request: connection refused");
        let e = anyhow::anyhow!("inner\n\nCaused by:\n  deep").context("ABCI query /x");
        assert_eq!(error_text(&e), "ABCI query /x: inner | deep");
        // a message that starts with a query path is kept
        let e = anyhow::anyhow!("/cosmwasm.wasm.v1.Query/SmartContractState failed: unknown device 9");
        assert_eq!(
            error_text(&e),
            "/cosmwasm.wasm.v1.Query/SmartContractState failed: unknown device 9"
        );
    }
}
