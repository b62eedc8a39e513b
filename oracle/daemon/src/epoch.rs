//! Epoch computation and serving.
//!
//! Once epoch N is over — its end plus the timestamp window (reports stamped just before the end may still arrive)
//! plus a grace period — the daemon:
//! 1. finds the **snapshot height** `h`: the last block whose time is before the epoch's end (so the state at `h`
//!    is the state at the end of the epoch);
//! 2. reads the epoch's aggregates from the store (see [`crate::store`] for the aggregation rule);
//! 3. for each device, reads at `h` its registry entry (status, owner) and, when `require_mining_eligibility`, the
//!    staking contract's `MiningStatus`; devices not Active (or not eligible) at `h` are left out;
//! 4. reads each owner's `RewardMultiplierAtHeight` at height `h + 1` (staking answers "at the start of block
//!    h + 1", i.e. after block h) and the rewards contract's current `EpochBudget.device_budget` (frozen at the
//!    epoch's first report, so every operator computing after it uses the same figure; before it, the live figure
//!    that the first report then freezes);
//! 5. takes the weights from the config (`[weights]`: the DAO sets them, and until a contract stores them every
//!    operator reads the agreed values from its config);
//! 6. calls `rewards_core::compute_epoch` (the only rewards and Merkle implementation) and persists the result,
//!    which closes the epoch to new telemetry.
//!
//! The **telemetry commitment** reported with the root is
//! `sha256("edgemint-telemetry-commitment/v1" ‖ epoch u64 BE ‖ count u64 BE ‖ for each input in ascending device
//! id: device_id u64 BE ‖ len(owner) u16 BE ‖ owner ‖ uptime_secs u64 BE ‖ tasks_completed u64 BE ‖ interactions
//! u64 BE ‖ multiplier atomics u128 BE)`: every operator with the same inputs reports the same commitment.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgemint_types::registry::DeviceStatus;
use rewards_core::{compute_epoch, DeviceTelemetry, Leaf, Multiplier, Tree, Weights};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::config::{EpochConfig, WeightsConfig};
use crate::metrics::Metrics;
use crate::store::{EpochInput, ReportState, Store, StoreError, StoredEpoch};
use crate::timing::EpochTiming;

pub const COMMITMENT_DOMAIN: &[u8] = b"edgemint-telemetry-commitment/v1";

pub type ChainFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ChainReadError>> + Send + 'a>>;

#[derive(Debug, Error, Clone)]
pub enum ChainReadError {
    #[error("chain query failed: {0}")]
    Query(String),
    #[error("unexpected chain answer: {0}")]
    Invalid(String),
}

/// A device as the chain saw it at the snapshot height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAtHeight {
    pub status: DeviceStatus,
    pub owner: Option<String>,
    /// Staking's `MiningStatus.eligible` (only asked when eligibility is required; `true` otherwise).
    pub eligible: bool,
}

/// The chain reads an epoch computation needs (real implementation: [`crate::chain::ChainReader`]).
pub trait EpochChain: Send + Sync + 'static {
    /// The last block with time before `end_nanos`; `None` while no block at or after `end_nanos` exists yet.
    fn snapshot_height(&self, end_nanos: u128) -> ChainFuture<'_, Option<u64>>;
    /// The device at `height`; `None` if the registry does not know it.
    fn device_at(&self, device_id: u64, height: u64, with_eligibility: bool)
        -> ChainFuture<'_, Option<DeviceAtHeight>>;
    /// The owner's reward multiplier after block `height`.
    fn multiplier_at(&self, owner: String, height: u64) -> ChainFuture<'_, Multiplier>;
    /// `EpochBudget.device_budget` of `epoch` (see the module docs for which state is read).
    fn device_budget(&self, epoch: u64, height: u64) -> ChainFuture<'_, u128>;
}

#[derive(Debug, Error)]
pub enum EpochError {
    #[error("epoch {epoch} is not due before unix time {due}")]
    NotDue { epoch: u64, due: u64 },
    #[error("the chain has no block after the end of epoch {0} yet")]
    ChainBehind(u64),
    #[error(transparent)]
    Chain(#[from] ChainReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rewards computation refused the inputs: {0}")]
    Rewards(#[from] rewards_core::RewardsError),
    #[error("internal task failed: {0}")]
    Task(String),
}

/// The commitment to an epoch's inputs (see the module docs).
pub fn telemetry_commitment(epoch: u64, inputs: &[EpochInput]) -> [u8; 32] {
    let mut sorted: Vec<&EpochInput> = inputs.iter().collect();
    sorted.sort_unstable_by_key(|i| i.device_id);
    let mut h = Sha256::new();
    h.update(COMMITMENT_DOMAIN);
    h.update(epoch.to_be_bytes());
    h.update((sorted.len() as u64).to_be_bytes());
    for i in sorted {
        h.update(i.device_id.to_be_bytes());
        // Owners are at most 255 bytes (rewards-core validates them before this is reached).
        h.update((i.owner.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
        h.update(i.owner.as_bytes());
        h.update(i.uptime_secs.to_be_bytes());
        h.update(i.tasks_completed.to_be_bytes());
        h.update(i.interactions.to_be_bytes());
        h.update(i.multiplier.to_be_bytes());
    }
    h.finalize().into()
}

/// The epoch's full computation as served at `GET /v1/epochs/{n}` (amounts and points as decimal strings).
#[derive(Debug, Clone, Serialize)]
pub struct EpochView {
    pub epoch: u64,
    pub root: String,
    pub telemetry_commitment: String,
    pub budget: String,
    pub total_amount: String,
    pub remainder: String,
    pub total_points: String,
    pub device_count: u64,
    pub input_count: u64,
    pub snapshot_height: u64,
    pub weights: serde_json::Value,
    pub computed_at: u64,
    pub report: Option<ReportState>,
    /// Exactly the leaves of the tree (amount > 0), ascending device id.
    pub leaves: Vec<LeafView>,
    /// Every device given to the computation, leaf or not.
    pub inputs: Vec<InputView>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeafView {
    pub epoch: u64,
    pub device_id: u64,
    pub owner: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputView {
    pub device_id: u64,
    pub owner: String,
    pub uptime_secs: u64,
    pub tasks_completed: u64,
    pub interactions: u64,
    /// Decimal, e.g. "1.5".
    pub multiplier: String,
    pub points: String,
    pub amount: String,
}

/// One device's claim data: exactly the fields of a rewards `claim` item, plus hashes for checking.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProofView {
    pub epoch: u64,
    pub device_id: u64,
    pub owner: String,
    pub amount: String,
    pub proof: Vec<String>,
    pub leaf_hash: String,
    pub root: String,
}

/// What `/v1/status` shows about the epoch loop.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoopStatus {
    pub last_computed: Option<u64>,
    pub last_due: Option<u64>,
    pub last_error: Option<String>,
}

pub struct EpochService {
    store: Arc<dyn Store>,
    chain: Option<Arc<dyn EpochChain>>,
    timing: EpochTiming,
    config: EpochConfig,
    weights: WeightsConfig,
    timestamp_window: u64,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    /// The last tree built for proofs.
    tree_cache: Mutex<Option<(u64, Arc<Tree>)>>,
    status: Mutex<LoopStatus>,
    /// Signalled after each newly stored epoch (the reporter waits on it).
    pub computed: Arc<Notify>,
}

impl EpochService {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Arc<dyn Store>,
        chain: Option<Arc<dyn EpochChain>>,
        timing: EpochTiming,
        config: EpochConfig,
        weights: WeightsConfig,
        timestamp_window: u64,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            chain,
            timing,
            config,
            weights,
            timestamp_window,
            clock,
            metrics,
            tree_cache: Mutex::new(None),
            status: Mutex::new(LoopStatus::default()),
            computed: Arc::new(Notify::new()),
        }
    }

    pub fn timing(&self) -> EpochTiming {
        self.timing
    }

    pub fn status(&self) -> LoopStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Unix time from which `epoch` may be computed.
    pub fn due_at(&self, epoch: u64) -> u64 {
        self.timing
            .end_secs(epoch)
            .saturating_add(self.timestamp_window)
            .saturating_add(self.config.grace_secs)
    }

    /// The newest epoch that is due at `now`.
    pub fn last_due(&self, now: u64) -> Option<u64> {
        let reference = now.checked_sub(self.timestamp_window.saturating_add(self.config.grace_secs))?;
        let running = self.timing.epoch_at(reference)?;
        // `running` may itself be due when its end is within the last second of rounding; check it exactly.
        if self.due_at(running) <= now {
            Some(running)
        } else {
            running.checked_sub(1)
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, EpochError> {
        crate::store::off_runtime(&self.store, f)
            .await
            .map_err(|e| EpochError::Task(e.to_string()))?
            .map_err(EpochError::from)
    }

    /// Computes and persists `epoch`, or returns it as already stored.
    pub async fn compute(&self, epoch: u64) -> Result<StoredEpoch, EpochError> {
        if let Some(done) = self.blocking(move |s| s.epoch(epoch)).await? {
            return Ok(done);
        }
        let now = self.clock.now();
        let due = self.due_at(epoch);
        if now < due {
            return Err(EpochError::NotDue { epoch, due });
        }
        let chain = self
            .chain
            .clone()
            .ok_or_else(|| ChainReadError::Query("no chain configured".into()))?;
        let height = chain
            .snapshot_height(self.timing.end_nanos(epoch))
            .await?
            .ok_or(EpochError::ChainBehind(epoch))?;
        let aggregates = self.blocking(move |s| s.aggregates(epoch)).await?;

        // Devices at the snapshot height, a bounded number of queries in flight.
        let eligibility = self.config.require_mining_eligibility;
        let permits = Arc::new(Semaphore::new(self.config.query_concurrency.max(1)));
        let mut set = JoinSet::new();
        for agg in aggregates.iter().cloned() {
            let chain = chain.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let found = chain.device_at(agg.device_id, height, eligibility).await;
                (agg, found)
            });
        }
        let mut telemetry = Vec::with_capacity(aggregates.len());
        let mut skipped = 0usize;
        while let Some(joined) = set.join_next().await {
            let (agg, found) = joined.map_err(|e| EpochError::Task(e.to_string()))?;
            match found? {
                Some(DeviceAtHeight {
                    status: DeviceStatus::Active,
                    owner: Some(owner),
                    eligible: true,
                }) => telemetry.push(DeviceTelemetry {
                    device_id: agg.device_id,
                    owner: owner.to_ascii_lowercase(),
                    uptime_secs: agg.uptime_secs,
                    tasks_completed: agg.tasks_completed,
                    interactions: agg.interactions,
                }),
                _ => skipped += 1,
            }
        }
        telemetry.sort_unstable_by_key(|t| t.device_id);

        let mut owners: Vec<String> = telemetry.iter().map(|t| t.owner.clone()).collect();
        owners.sort_unstable();
        owners.dedup();
        let mut set = JoinSet::new();
        for owner in owners {
            let chain = chain.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let m = chain.multiplier_at(owner.clone(), height).await;
                (owner, m)
            });
        }
        let mut multipliers: BTreeMap<String, Multiplier> = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            let (owner, m) = joined.map_err(|e| EpochError::Task(e.to_string()))?;
            multipliers.insert(owner, m?);
        }
        let budget = chain.device_budget(epoch, height).await?;
        let weights = Weights::from(&self.weights);
        let weights_json = serde_json::to_string(&weights).unwrap_or_default();

        let computed_at = self.clock.now();
        let stored = tokio::task::spawn_blocking(move || -> Result<StoredEpoch, EpochError> {
            let result = compute_epoch(epoch, budget, &telemetry, &weights, &multipliers)?;
            let amounts: HashMap<u64, u128> = result.leaves.iter().map(|l| (l.device_id, l.amount.u128())).collect();
            let inputs: Vec<EpochInput> = telemetry
                .iter()
                .map(|t| {
                    let m = multipliers.get(&t.owner).copied().unwrap_or(Multiplier::ONE);
                    EpochInput {
                        device_id: t.device_id,
                        owner: t.owner.clone(),
                        uptime_secs: t.uptime_secs,
                        tasks_completed: t.tasks_completed,
                        interactions: t.interactions,
                        multiplier: m.atomics(),
                        points: rewards_core::points(t, &weights, m),
                        amount: amounts.get(&t.device_id).copied().unwrap_or(0),
                    }
                })
                .collect();
            Ok(StoredEpoch {
                epoch,
                root: result.root,
                telemetry_commitment: telemetry_commitment(epoch, &inputs),
                budget,
                total_distributed: result.total_distributed,
                remainder: result.remainder,
                total_points: result.total_points.to_string(),
                device_count: result.device_count,
                input_count: result.input_count,
                end_height: height,
                weights_json,
                computed_at,
                inputs,
            })
        })
        .await
        .map_err(|e| EpochError::Task(e.to_string()))??;
        let to_save = stored.clone();
        self.blocking(move |s| s.save_epoch(&to_save)).await?;
        tracing::info!(
            epoch,
            root = %hex::encode(stored.root),
            devices = stored.device_count,
            inputs = stored.input_count,
            skipped,
            total = %stored.total_distributed,
            budget = %stored.budget,
            snapshot_height = height,
            "epoch computed"
        );
        self.metrics
            .last_computed_epoch
            .set(i64::try_from(epoch).unwrap_or(i64::MAX));
        let flagged = crate::outliers::flag(&stored.inputs);
        self.metrics.epoch_outliers.set(flagged.len() as i64);
        self.metrics.outliers_flagged.inc_by(flagged.len() as u64);
        for o in flagged.iter().take(20) {
            tracing::warn!(
                epoch,
                device_id = o.device_id,
                owner = %o.owner,
                metric = o.metric,
                value = o.value,
                median = o.median,
                score = o.score,
                "outlier flagged for review (paid as computed; see /v1/epochs/{epoch}/outliers)"
            );
        }
        self.computed.notify_one();
        Ok(stored)
    }

    /// The first epoch this store computes: fixed in the store at first start.
    pub async fn first_epoch(&self) -> Result<u64, EpochError> {
        let configured = self.config.first_epoch;
        let current = self.timing.epoch_at(self.clock.now()).unwrap_or(0);
        let value = self
            .blocking(move |s| {
                if let Some(v) = s.meta("first_epoch")? {
                    return v
                        .parse::<u64>()
                        .map_err(|_| StoreError::Corrupt(format!("first_epoch {v:?}")));
                }
                let v = configured.unwrap_or(current);
                s.set_meta("first_epoch", &v.to_string())?;
                Ok(v)
            })
            .await?;
        Ok(value)
    }

    /// One pass: computes every due epoch not yet stored, in order; stops at the first failure.
    pub async fn tick(&self) -> Result<(), EpochError> {
        let now = self.clock.now();
        let first = self.first_epoch().await?;
        let latest = self.blocking(|s| s.latest_epoch()).await?;
        let last_due = self.last_due(now);
        let next = latest.map_or(first, |l| l.saturating_add(1)).max(first);
        let lag = match last_due {
            Some(d) if d >= next => d - next + 1,
            _ => 0,
        };
        self.metrics.epoch_lag.set(i64::try_from(lag).unwrap_or(i64::MAX));
        if let Ok(mut s) = self.status.lock() {
            s.last_due = last_due;
            s.last_computed = latest;
        }
        let Some(last_due) = last_due else { return Ok(()) };
        let mut epoch = next;
        while epoch <= last_due {
            let outcome = self.compute(epoch).await;
            if let Ok(mut s) = self.status.lock() {
                match &outcome {
                    Ok(_) => {
                        s.last_computed = Some(epoch);
                        s.last_error = None;
                    }
                    Err(e) => s.last_error = Some(format!("epoch {epoch}: {e}")),
                }
            }
            outcome?;
            self.metrics
                .epoch_lag
                .set(i64::try_from(last_due - epoch).unwrap_or(i64::MAX));
            epoch += 1;
        }
        Ok(())
    }

    /// Runs [`EpochService::tick`] every poll interval until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_secs(self.config.poll_interval_secs.max(1));
        loop {
            if let Err(e) = self.tick().await {
                match e {
                    EpochError::ChainBehind(_) => tracing::debug!(error = %e, "epoch not computable yet"),
                    _ => tracing::warn!(error = %e, "epoch computation failed; will retry"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }

    /// The stored computation of `epoch`.
    pub async fn epoch_view(&self, epoch: u64) -> Result<Option<EpochView>, StoreError> {
        let store = self.store.clone();
        let found = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            Ok(store.epoch(epoch)?.map(|e| (e, store.report_state(epoch))))
        })
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))??;
        let Some((e, report)) = found else { return Ok(None) };
        Ok(Some(EpochView {
            epoch,
            root: hex::encode(e.root),
            telemetry_commitment: hex::encode(e.telemetry_commitment),
            budget: e.budget.to_string(),
            total_amount: e.total_distributed.to_string(),
            remainder: e.remainder.to_string(),
            total_points: e.total_points.clone(),
            device_count: e.device_count,
            input_count: e.input_count,
            snapshot_height: e.end_height,
            weights: serde_json::from_str(&e.weights_json).unwrap_or(serde_json::Value::Null),
            computed_at: e.computed_at,
            report: report?,
            leaves: e
                .inputs
                .iter()
                .filter(|i| i.amount > 0)
                .map(|i| LeafView {
                    epoch,
                    device_id: i.device_id,
                    owner: i.owner.clone(),
                    amount: i.amount.to_string(),
                })
                .collect(),
            inputs: e
                .inputs
                .iter()
                .map(|i| InputView {
                    device_id: i.device_id,
                    owner: i.owner.clone(),
                    uptime_secs: i.uptime_secs,
                    tasks_completed: i.tasks_completed,
                    interactions: i.interactions,
                    multiplier: Multiplier::from_atomics(i.multiplier).to_string(),
                    points: i.points.to_string(),
                    amount: i.amount.to_string(),
                })
                .collect(),
        }))
    }

    /// The epoch's outliers (`None`: not computed).
    pub async fn outliers(&self, epoch: u64) -> Result<Option<Vec<crate::outliers::Outlier>>, StoreError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || Ok(store.epoch(epoch)?.map(|e| crate::outliers::flag(&e.inputs))))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
    }

    /// `None`: epoch not computed; `Some(None)`: the device has no leaf in it.
    pub async fn proof(&self, epoch: u64, device_id: u64) -> Result<Option<Option<ProofView>>, StoreError> {
        let cached = self
            .tree_cache
            .lock()
            .ok()
            .and_then(|c| c.as_ref().filter(|(e, _)| *e == epoch).map(|(_, t)| t.clone()));
        let store = self.store.clone();
        let Some(stored) = tokio::task::spawn_blocking(move || store.epoch(epoch))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))??
        else {
            return Ok(None);
        };
        let leaves: Vec<Leaf> = stored
            .inputs
            .iter()
            .filter(|i| i.amount > 0)
            .map(|i| Leaf::new(epoch, i.device_id, i.owner.clone(), i.amount))
            .collect();
        let tree = match cached {
            Some(t) => t,
            None => {
                let tree = tokio::task::spawn_blocking(move || rewards_core::build_tree(&leaves))
                    .await
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?
                    .map_err(|e| StoreError::Corrupt(format!("stored leaves of epoch {epoch}: {e}")))?;
                if tree.root() != stored.root {
                    return Err(StoreError::Corrupt(format!(
                        "stored leaves of epoch {epoch} do not give its root"
                    )));
                }
                let tree = Arc::new(tree);
                if let Ok(mut c) = self.tree_cache.lock() {
                    *c = Some((epoch, tree.clone()));
                }
                tree
            }
        };
        let Some(input) = stored.inputs.iter().find(|i| i.device_id == device_id && i.amount > 0) else {
            return Ok(Some(None));
        };
        let Some(proof) = tree.proof_for_device(device_id) else {
            return Ok(Some(None));
        };
        let leaf = Leaf::new(epoch, device_id, input.owner.clone(), input.amount);
        let leaf_hash = rewards_core::leaf_hash(&leaf).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(Some(ProofView {
            epoch,
            device_id,
            owner: input.owner.clone(),
            amount: input.amount.to_string(),
            proof: proof.iter().map(hex::encode).collect(),
            leaf_hash: hex::encode(leaf_hash),
            root: hex::encode(stored.root),
        })))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::store::{SqliteStore, TelemetryRecord};
    use edgemint_types::telemetry::TelemetryReport;

    /// A fixed chain: devices with owners, multipliers by owner, one budget, snapshot height 77.
    #[derive(Default)]
    pub struct FakeChain {
        pub devices: HashMap<u64, DeviceAtHeight>,
        pub multipliers: HashMap<String, Multiplier>,
        pub budget: u128,
        pub behind: bool,
    }

    impl EpochChain for FakeChain {
        fn snapshot_height(&self, _end: u128) -> ChainFuture<'_, Option<u64>> {
            let h = (!self.behind).then_some(77);
            Box::pin(async move { Ok(h) })
        }
        fn device_at(&self, id: u64, height: u64, _e: bool) -> ChainFuture<'_, Option<DeviceAtHeight>> {
            assert_eq!(height, 77);
            let d = self.devices.get(&id).cloned();
            Box::pin(async move { Ok(d) })
        }
        fn multiplier_at(&self, owner: String, _h: u64) -> ChainFuture<'_, Multiplier> {
            let m = self.multipliers.get(&owner).copied().unwrap_or(Multiplier::ONE);
            Box::pin(async move { Ok(m) })
        }
        fn device_budget(&self, _epoch: u64, _h: u64) -> ChainFuture<'_, u128> {
            let b = self.budget;
            Box::pin(async move { Ok(b) })
        }
    }

    pub fn active(owner: &str) -> DeviceAtHeight {
        DeviceAtHeight {
            status: DeviceStatus::Active,
            owner: Some(owner.into()),
            eligible: true,
        }
    }

    pub fn record(device: u64, seq: u64, epoch: u64, uptime: u64, tasks: u64, interactions: u64) -> TelemetryRecord {
        let report = TelemetryReport {
            device_id: device,
            sequence: seq,
            timestamp: 1,
            epoch,
            uptime_secs: uptime,
            tasks_completed: tasks,
            interactions,
            receipts_hash: None,
        };
        TelemetryRecord {
            encoded: report.encode("edgemint-test-1").unwrap(),
            report,
            signature: vec![0; 64],
            received_at: 1,
        }
    }

    /// The rewards-core README's worked example, fed through the store: epoch 4, budget 10^6, weights 10/5/1/3600,
    /// emc1bob at 1.5. Device 10 reports twice (the later report wins), device 40 is suspended at the snapshot.
    pub fn worked_example(dir: &tempfile::TempDir) -> (Arc<EpochService>, Arc<dyn Store>, Arc<ManualClock>) {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        store
            .insert_telemetry(&[
                record(10, 1, 4, 3600, 1, 1),
                record(10, 2, 4, 7200, 3, 7),
                record(20, 5, 4, 1800, 100, 0),
                record(30, 9, 4, 7200, 0, 0),
                record(40, 1, 4, 7200, 50, 50),
                record(10, 3, 5, 60, 0, 0),
            ])
            .unwrap();
        let mut chain = FakeChain {
            budget: 1_000_000,
            ..Default::default()
        };
        chain.devices.insert(10, active("emc1alice"));
        chain.devices.insert(20, active("emc1carol"));
        chain.devices.insert(30, active("emc1bob"));
        chain.devices.insert(
            40,
            DeviceAtHeight {
                status: DeviceStatus::Suspended,
                owner: Some("emc1dave".into()),
                eligible: false,
            },
        );
        chain
            .multipliers
            .insert("emc1bob".into(), Multiplier::from_atomics(15 * 10u128.pow(17)));
        let timing = EpochTiming::from_secs(1_000_000, 600).unwrap();
        let clock = Arc::new(ManualClock::new(timing.end_secs(4) + 300 + 10));
        let svc = EpochService::new(
            store.clone(),
            Some(Arc::new(chain)),
            timing,
            EpochConfig {
                first_epoch: Some(4),
                ..Default::default()
            },
            WeightsConfig {
                uptime_per_hour: 10,
                per_task: 5,
                per_interaction: 1,
                min_uptime_secs: 3600,
            },
            300,
            clock.clone(),
            Arc::new(Metrics::new().unwrap()),
        );
        (Arc::new(svc), store, clock)
    }

    pub const WORKED_ROOT: &str = "d5c43ca3674701124aed1dbb7ad2ac7883dd9f6a51ecc6050bd179c3f9a903cf";

    #[tokio::test]
    async fn computes_the_worked_example_and_serves_proofs() {
        let dir = tempfile::tempdir().unwrap();
        let (svc, store, clock) = worked_example(&dir);
        clock.set(clock.now() - 1); // one second early
        assert!(matches!(svc.compute(4).await, Err(EpochError::NotDue { .. })));
        clock.advance(1);
        let e = svc.compute(4).await.unwrap();
        assert_eq!(hex::encode(e.root), WORKED_ROOT);
        assert_eq!(
            (e.total_distributed, e.remainder, e.device_count, e.input_count),
            (999_999, 1, 2, 3)
        );
        assert_eq!(e.end_height, 77);
        assert_eq!(e.telemetry_commitment, telemetry_commitment(4, &e.inputs));
        // stored, and idempotent
        assert_eq!(store.epoch(4).unwrap().unwrap(), e);
        assert_eq!(svc.compute(4).await.unwrap(), e);

        let view = svc.epoch_view(4).await.unwrap().unwrap();
        assert_eq!(view.root, WORKED_ROOT);
        assert_eq!(
            view.leaves,
            vec![
                LeafView {
                    epoch: 4,
                    device_id: 10,
                    owner: "emc1alice".into(),
                    amount: "583333".into()
                },
                LeafView {
                    epoch: 4,
                    device_id: 30,
                    owner: "emc1bob".into(),
                    amount: "416666".into()
                },
            ]
        );
        assert_eq!(view.inputs.len(), 3);
        assert_eq!(view.inputs[2].multiplier, "1.5");
        assert_eq!(view.inputs[1].points, "0");

        let p = svc.proof(4, 10).await.unwrap().unwrap().unwrap();
        assert_eq!(p.amount, "583333");
        assert_eq!(
            p.proof,
            vec!["292c49d273c340ec8caaf27ce87134837f60bd50e9d1319cb8525edaca7aeb56".to_string()]
        );
        let leaf = Leaf::new(4, 10, "emc1alice", 583_333);
        let proof = rewards_core::proof_from_hex(&p.proof).unwrap();
        assert!(rewards_core::verify(&e.root, &leaf, &proof));
        assert_eq!(svc.proof(4, 20).await.unwrap(), Some(None), "no leaf below min uptime");
        assert_eq!(svc.proof(4, 40).await.unwrap(), Some(None), "suspended device left out");
        assert_eq!(svc.proof(9, 10).await.unwrap(), None);
        assert!(svc.epoch_view(9).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn tick_computes_due_epochs_in_order_and_closes_them() {
        let dir = tempfile::tempdir().unwrap();
        let (svc, store, clock) = worked_example(&dir);
        svc.tick().await.unwrap();
        assert_eq!(store.latest_epoch().unwrap(), Some(4));
        assert_eq!(svc.status().last_computed, Some(4));
        // epoch 4 is closed: a new report for it is refused
        let out = store.insert_telemetry(&[record(30, 10, 4, 7200, 1, 1)]).unwrap();
        assert_eq!(out, vec![crate::store::InsertOutcome::EpochClosed]);
        // epoch 5 becomes due 600 s later; 6 is computed empty
        clock.advance(1200);
        svc.tick().await.unwrap();
        assert_eq!(store.latest_epoch().unwrap(), Some(6));
        let e5 = store.epoch(5).unwrap().unwrap();
        assert_eq!(e5.input_count, 1);
        assert_eq!(e5.device_count, 0, "60 s is below the minimum uptime");
        assert_eq!(e5.root, rewards_core::EMPTY_ROOT);
        assert_eq!(store.epoch(6).unwrap().unwrap().input_count, 0);
    }

    #[test]
    fn commitment_depends_on_every_input() {
        let base = EpochInput {
            device_id: 1,
            owner: "emc1a".into(),
            uptime_secs: 1,
            tasks_completed: 2,
            interactions: 3,
            multiplier: 10u128.pow(18),
            points: 0,
            amount: 0,
        };
        let c = telemetry_commitment(1, std::slice::from_ref(&base));
        assert_ne!(c, telemetry_commitment(2, std::slice::from_ref(&base)));
        let mut other = base.clone();
        other.multiplier += 1;
        assert_ne!(c, telemetry_commitment(1, &[other]));
        let mut second = base.clone();
        second.device_id = 2;
        assert_eq!(
            telemetry_commitment(1, &[base.clone(), second.clone()]),
            telemetry_commitment(1, &[second, base.clone()]),
            "order-independent"
        );
        // points and amount are outputs, not inputs
        let mut out = base.clone();
        out.amount = 5;
        assert_eq!(c, telemetry_commitment(1, &[out]));
    }
}
