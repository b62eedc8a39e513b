//! Optional auto-claim: once an epoch is final, claim every unclaimed leaf of it on the owners' behalf (the rewards
//! contract pays the leaf's owner whoever sends the claim), in batches. Meant for small networks whose device
//! owners should not have to claim by hand; the operator pays the fees.
//!
//! Runs inside the reporter's loop, after reports and evidence, so one key never sends two transactions at once
//! (no account-sequence races). Epochs are handled in order; the next one to look at is kept in the store
//! (`auto_claim_next`), so a restart neither skips nor repeats work. An epoch is done when it is final and every
//! leaf is claimed, or when nothing can be paid for it (vetoed, abandoned, released, closed, or our root is not the
//! accepted one — then our proofs cannot pay and claiming is left to others).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chain_config::client::{ChainClient, Signer};
use edgemint_types::oracle::{EpochResponse, EpochStatus};
use rewards_core::Leaf;
use serde::Deserialize;
use serde_json::{json, Value};
use thiserror::Error;

use crate::chain::error_text;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError, StoredEpoch};

/// The store key of the next epoch to handle.
pub const NEXT_KEY: &str = "auto_claim_next";

#[derive(Debug, Error)]
pub enum ClaimError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("chain: {0}")]
    Chain(String),
    #[error("task: {0}")]
    Task(String),
}

/// The parts of the rewards contract's `EpochState` auto-claim needs.
#[derive(Debug, Clone, Deserialize)]
pub struct RewardsEpochState {
    pub settled: bool,
    pub released: bool,
    pub closed_at: Option<Value>,
}

pub type ClaimFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ClaimError>> + Send + 'a>>;

/// The chain as auto-claim uses it (real implementation: [`ChainClaims`]).
pub trait ClaimChain: Send + Sync + 'static {
    fn hub_epoch(&self, epoch: u64) -> ClaimFuture<'_, EpochResponse>;
    fn rewards_state(&self, epoch: u64) -> ClaimFuture<'_, RewardsEpochState>;
    fn claimed(&self, epoch: u64, device_id: u64) -> ClaimFuture<'_, bool>;
    /// Sends one `Claim` batch; returns the transaction hash.
    fn claim(&self, items: Vec<Value>) -> ClaimFuture<'_, String>;
}

pub struct ChainClaims {
    client: Arc<ChainClient>,
    hub: String,
    rewards: String,
    signer: Signer,
}

impl ChainClaims {
    pub fn new(client: Arc<ChainClient>, hub: String, rewards: String, signer: Signer) -> Self {
        Self {
            client,
            hub,
            rewards,
            signer,
        }
    }

    async fn query<T: serde::de::DeserializeOwned>(&self, contract: &str, msg: Value) -> Result<T, ClaimError> {
        let v = self
            .client
            .smart_query(contract, &msg)
            .await
            .map_err(|e| ClaimError::Chain(error_text(&e)))?;
        serde_json::from_value(v).map_err(|e| ClaimError::Chain(format!("unexpected answer to {msg}: {e}")))
    }
}

impl ClaimChain for ChainClaims {
    fn hub_epoch(&self, epoch: u64) -> ClaimFuture<'_, EpochResponse> {
        Box::pin(self.query(&self.hub, json!({"epoch": {"epoch": epoch}})))
    }

    fn rewards_state(&self, epoch: u64) -> ClaimFuture<'_, RewardsEpochState> {
        Box::pin(self.query(&self.rewards, json!({"epoch_state": {"epoch": epoch}})))
    }

    fn claimed(&self, epoch: u64, device_id: u64) -> ClaimFuture<'_, bool> {
        Box::pin(async move {
            let v: Value = self
                .query(
                    &self.rewards,
                    json!({"claimed": {"epoch": epoch, "device_id": device_id}}),
                )
                .await?;
            Ok(v["claimed"].as_bool().unwrap_or(false))
        })
    }

    fn claim(&self, items: Vec<Value>) -> ClaimFuture<'_, String> {
        Box::pin(async move {
            let out = self
                .client
                .execute(&self.signer, &self.rewards, &json!({"claim": {"claims": items}}), 0)
                .await
                .map_err(|e| ClaimError::Chain(e.to_string()))?;
            Ok(out.hash)
        })
    }
}

/// What happened to one epoch in a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpochClaim {
    /// Not final yet: the pass stops here.
    Waiting,
    /// Done: `claimed` leaves paid by this pass (others may have been claimed before).
    Done { claimed: usize, amount: u128 },
    /// Nothing can be paid with our data (reason).
    Skipped(&'static str),
}

pub struct AutoClaimer {
    store: Arc<dyn Store>,
    chain: Arc<dyn ClaimChain>,
    max_batch: usize,
    /// Where to start when the store has no cursor yet: the first epoch this daemon computes.
    first_epoch: u64,
    metrics: Arc<Metrics>,
}

impl AutoClaimer {
    pub fn new(
        store: Arc<dyn Store>,
        chain: Arc<dyn ClaimChain>,
        max_batch: usize,
        first_epoch: u64,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            chain,
            max_batch: max_batch.clamp(1, 50),
            first_epoch,
            metrics,
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ClaimError> {
        crate::store::off_runtime(&self.store, f)
            .await
            .map_err(|e| ClaimError::Task(e.to_string()))?
            .map_err(ClaimError::from)
    }

    /// Handles epochs in order from the stored cursor until one is not final yet; returns what it did per epoch.
    pub async fn pass(&self) -> Result<Vec<(u64, EpochClaim)>, ClaimError> {
        let Some(latest) = self.blocking(|s| s.latest_epoch()).await? else {
            return Ok(Vec::new());
        };
        let next = match self.blocking(|s| s.meta(NEXT_KEY)).await? {
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| StoreError::Corrupt(format!("{NEXT_KEY} = {v:?}")))?,
            None => self.first_epoch,
        };
        let mut done = Vec::new();
        for epoch in next..=latest {
            let outcome = match self.blocking(move |s| s.epoch(epoch)).await? {
                None => EpochClaim::Skipped("not computed by this daemon"),
                Some(stored) => self.claim_epoch(&stored).await?,
            };
            if outcome == EpochClaim::Waiting {
                break;
            }
            let value = (epoch + 1).to_string();
            self.blocking(move |s| s.set_meta(NEXT_KEY, &value)).await?;
            done.push((epoch, outcome));
        }
        Ok(done)
    }

    async fn claim_epoch(&self, stored: &StoredEpoch) -> Result<EpochClaim, ClaimError> {
        let epoch = stored.epoch;
        let hub = self.chain.hub_epoch(epoch).await?;
        match hub.status {
            EpochStatus::Open | EpochStatus::Reported | EpochStatus::Accepted => return Ok(EpochClaim::Waiting),
            EpochStatus::Vetoed | EpochStatus::Abandoned => return Ok(EpochClaim::Skipped("vetoed or abandoned")),
            EpochStatus::Final => {}
        }
        if hub.root.as_ref().map(|r| r.as_slice()) != Some(stored.root.as_slice()) {
            tracing::warn!(
                epoch,
                "our root is not the accepted one: auto-claim leaves this epoch to others"
            );
            return Ok(EpochClaim::Skipped("our root is not the accepted root"));
        }
        let state = self.chain.rewards_state(epoch).await?;
        if state.released || state.closed_at.is_some() {
            return Ok(EpochClaim::Skipped("released or closed"));
        }
        if !state.settled {
            // Final at the hub but the settlement has not reached the rewards contract yet.
            return Ok(EpochClaim::Waiting);
        }
        let leaves: Vec<Leaf> = stored
            .inputs
            .iter()
            .filter(|i| i.amount > 0)
            .map(|i| Leaf::new(epoch, i.device_id, i.owner.clone(), i.amount))
            .collect();
        let mut unclaimed = Vec::new();
        for leaf in &leaves {
            if !self.chain.claimed(epoch, leaf.device_id).await? {
                unclaimed.push(leaf.clone());
            }
        }
        if unclaimed.is_empty() {
            return Ok(EpochClaim::Done { claimed: 0, amount: 0 });
        }
        let all = leaves.clone();
        let tree = tokio::task::spawn_blocking(move || rewards_core::build_tree(&all))
            .await
            .map_err(|e| ClaimError::Task(e.to_string()))?
            .map_err(|e| StoreError::Corrupt(format!("stored leaves of epoch {epoch}: {e}")))?;
        if tree.root() != stored.root {
            return Err(StoreError::Corrupt(format!("stored leaves of epoch {epoch} do not give its root")).into());
        }
        let mut claimed = 0;
        let mut amount = 0u128;
        for batch in unclaimed.chunks(self.max_batch) {
            let items = batch
                .iter()
                .map(|l| {
                    let proof = tree.proof_for_device(l.device_id).unwrap_or_default();
                    json!({
                        "epoch": epoch, "device_id": l.device_id, "owner": l.owner,
                        "amount": l.amount.to_string(), "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
            // A failure (someone else claimed one of these meanwhile, node down) leaves the epoch for the next pass,
            // which re-reads what is claimed.
            let tx = self.chain.claim(items).await?;
            let sum: u128 = batch.iter().map(|l| l.amount.u128()).sum();
            claimed += batch.len();
            amount += sum;
            self.metrics.auto_claimed.inc_by(batch.len() as u64);
            tracing::info!(epoch, leaves = batch.len(), amount = %sum, tx = %tx, "auto-claimed");
        }
        Ok(EpochClaim::Done { claimed, amount })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EpochInput, SqliteStore};
    use cosmwasm_std::{HexBinary, Timestamp, Uint128};
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    #[derive(Default)]
    struct FakeChain {
        status: Mutex<Vec<(u64, EpochStatus, [u8; 32])>>,
        claimed: Mutex<BTreeSet<(u64, u64)>>,
        batches: Mutex<Vec<usize>>,
        fail_next_claim: Mutex<bool>,
    }

    impl ClaimChain for FakeChain {
        fn hub_epoch(&self, epoch: u64) -> ClaimFuture<'_, EpochResponse> {
            let found = self.status.lock().unwrap().iter().find(|s| s.0 == epoch).cloned();
            Box::pin(async move {
                let (status, root) = found.map(|s| (s.1, Some(s.2))).unwrap_or((EpochStatus::Open, None));
                Ok(EpochResponse {
                    epoch,
                    status,
                    start: Timestamp::from_seconds(0),
                    end: Timestamp::from_seconds(60),
                    root: root.map(|r| HexBinary::from(r.to_vec())),
                    total_amount: Uint128::zero(),
                    device_count: 0,
                    accepted_at: None,
                    final_at: None,
                    reporters: vec![],
                })
            })
        }
        fn rewards_state(&self, _epoch: u64) -> ClaimFuture<'_, RewardsEpochState> {
            Box::pin(async {
                Ok(RewardsEpochState {
                    settled: true,
                    released: false,
                    closed_at: None,
                })
            })
        }
        fn claimed(&self, epoch: u64, device_id: u64) -> ClaimFuture<'_, bool> {
            let c = self.claimed.lock().unwrap().contains(&(epoch, device_id));
            Box::pin(async move { Ok(c) })
        }
        fn claim(&self, items: Vec<Value>) -> ClaimFuture<'_, String> {
            Box::pin(async move {
                if std::mem::take(&mut *self.fail_next_claim.lock().unwrap()) {
                    return Err(ClaimError::Chain("account sequence mismatch".into()));
                }
                let mut claimed = self.claimed.lock().unwrap();
                for i in &items {
                    let key = (i["epoch"].as_u64().unwrap(), i["device_id"].as_u64().unwrap());
                    assert!(claimed.insert(key), "double claim of {key:?}");
                }
                self.batches.lock().unwrap().push(items.len());
                Ok("TX".into())
            })
        }
    }

    fn stored_epoch(epoch: u64, devices: u64) -> StoredEpoch {
        let inputs: Vec<EpochInput> = (1..=devices)
            .map(|d| EpochInput {
                device_id: d,
                owner: format!("emc1owner{d}"),
                uptime_secs: 60,
                tasks_completed: 1,
                interactions: 1,
                multiplier: 1_000_000_000_000_000_000,
                points: 10,
                // Device 1 earned nothing: no leaf, nothing to claim.
                amount: if d == 1 { 0 } else { 100 * u128::from(d) },
            })
            .collect();
        let leaves: Vec<Leaf> = inputs
            .iter()
            .filter(|i| i.amount > 0)
            .map(|i| Leaf::new(epoch, i.device_id, i.owner.clone(), i.amount))
            .collect();
        let root = rewards_core::build_tree(&leaves).unwrap().root();
        StoredEpoch {
            epoch,
            root,
            telemetry_commitment: [0; 32],
            budget: 1_000_000,
            total_distributed: leaves.iter().map(|l| l.amount.u128()).sum(),
            remainder: 0,
            total_points: "0".into(),
            device_count: leaves.len() as u64,
            input_count: devices,
            end_height: 10,
            weights_json: "{}".into(),
            computed_at: 0,
            inputs,
        }
    }

    #[tokio::test]
    async fn claims_final_epochs_in_order_once_and_resumes_after_failures() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("db")).unwrap());
        for e in [3, 4, 5] {
            store.save_epoch(&stored_epoch(e, 60)).unwrap();
        }
        let chain = Arc::new(FakeChain::default());
        let root = |e| stored_epoch(e, 60).root;
        let claimer = AutoClaimer::new(store.clone(), chain.clone(), 25, 3, Arc::new(Metrics::new().unwrap()));

        // Nothing final yet: nothing claimed, cursor stays.
        assert_eq!(claimer.pass().await.unwrap(), vec![]);
        assert!(chain.batches.lock().unwrap().is_empty());

        // Epoch 3 final with our root; epoch 4 vetoed; epoch 5 final with someone else's root.
        *chain.status.lock().unwrap() = vec![
            (3, EpochStatus::Final, root(3)),
            (4, EpochStatus::Vetoed, root(4)),
            (5, EpochStatus::Final, [9; 32]),
        ];
        // One leaf already claimed by its owner; the first claim transaction fails.
        chain.claimed.lock().unwrap().insert((3, 7));
        *chain.fail_next_claim.lock().unwrap() = true;
        assert!(claimer.pass().await.is_err());
        assert_eq!(
            store.meta(NEXT_KEY).unwrap(),
            None,
            "a failed epoch is retried, not skipped"
        );

        let done = claimer.pass().await.unwrap();
        let amount: u128 = (2..=60u128).filter(|d| *d != 7).map(|d| 100 * d).sum();
        assert_eq!(
            done,
            vec![
                (3, EpochClaim::Done { claimed: 58, amount }),
                (4, EpochClaim::Skipped("vetoed or abandoned")),
                (5, EpochClaim::Skipped("our root is not the accepted root")),
            ]
        );
        // 58 unclaimed leaves in batches of at most 25; the zero-amount device never claimed.
        assert_eq!(*chain.batches.lock().unwrap(), vec![25, 25, 8]);
        assert!(!chain.claimed.lock().unwrap().contains(&(3, 1)));
        assert_eq!(store.meta(NEXT_KEY).unwrap().as_deref(), Some("6"));

        // A restarted claimer (same store) does nothing more.
        let again = AutoClaimer::new(store.clone(), chain.clone(), 25, 3, Arc::new(Metrics::new().unwrap()));
        assert_eq!(again.pass().await.unwrap(), vec![]);
        assert_eq!(chain.batches.lock().unwrap().len(), 3);
    }
}
