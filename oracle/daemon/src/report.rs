//! Submits each computed epoch's report to the oracle hub, and device equivocation evidence.
//!
//! For an epoch with a stored result whose report is not `submitted`/`failed`:
//! 1. ask the hub's `Reports` whether this operator already reported the epoch (a restart after a submission whose
//!    answer was lost, or a report made by hand): if so, record `submitted` and stop — never a second transaction;
//! 2. ask the hub's `ReportStatement` for the exact statement, check its sha256, sign it (secp256k1, compact r||s,
//!    over sha256 of the statement: the operator's account key is its report key);
//! 3. `SubmitReport` through `chain_config::client` (simulated gas, fee at the configured gas price, the account
//!    sequence read fresh for every attempt);
//! 4. on failure, classify: already reported → back to 1; the hub refusing for good (epoch final/vetoed, bad
//!    signature, budget exceeded, too many reports) → `failed`; anything else → retry with exponential backoff up
//!    to `max_attempts`, then leave it `pending` for the next pass.
//!
//! Every state change is written to the store before the next step, so a restart at any point resumes correctly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chain_config::client::{ChainClient, Signer, TxError};
use serde_json::json;
use sha2::{Digest, Sha256};
use thiserror::Error;
use tokio::sync::watch;

use crate::autoclaim::AutoClaimer;
use crate::chain::{error_text, one_line, HubReports, HubStatement};
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::store::{Evidence, ReportState, ReportStatus, Store, StoreError, StoredEpoch};

/// The four fields an operator reports for an epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFields {
    pub epoch: u64,
    pub root: [u8; 32],
    pub total_amount: u128,
    pub device_count: u64,
    pub telemetry_commitment: [u8; 32],
}

impl ReportFields {
    pub fn of(e: &StoredEpoch) -> Self {
        Self {
            epoch: e.epoch,
            root: e.root,
            total_amount: e.total_distributed,
            device_count: e.device_count,
            telemetry_commitment: e.telemetry_commitment,
        }
    }

    /// The hub's JSON for these fields (`report_statement` query, `submit_report` without the signature).
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "epoch": self.epoch,
            "root": hex::encode(self.root),
            "total_amount": self.total_amount.to_string(),
            "device_count": self.device_count,
            "telemetry_commitment": hex::encode(self.telemetry_commitment),
        })
    }
}

#[derive(Debug, Error, Clone)]
pub enum SubmitError {
    /// The hub already has a report of this operator for the epoch.
    #[error("already reported: {0}")]
    AlreadyReported(String),
    /// The hub will never accept this report.
    #[error("refused by the hub: {0}")]
    Permanent(String),
    /// Worth retrying (node down, account sequence race, epoch not over on chain yet, ...).
    #[error("{0}")]
    Transient(String),
}

impl SubmitError {
    /// Classifies a chain error by the hub's error text.
    pub fn classify(text: String) -> Self {
        const PERMANENT: &[&str] = &[
            "no more reports are accepted",
            "invalid signature",
            "has reached the maximum",
            "exceeds epoch",
            "too far in the future",
            "invalid root",
            "invalid telemetry_commitment",
        ];
        if text.contains("already reported for epoch") {
            SubmitError::AlreadyReported(text)
        } else if PERMANENT.iter().any(|p| text.contains(p)) {
            SubmitError::Permanent(text)
        } else {
            SubmitError::Transient(text)
        }
    }
}

/// A committed report transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub tx_hash: String,
    pub height: u64,
}

pub type HubFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SubmitError>> + Send + 'a>>;

/// The hub as the reporter uses it (real implementation: [`ChainHub`]).
pub trait Hub: Send + Sync + 'static {
    /// This operator's address.
    fn operator(&self) -> String;
    fn reports(&self, epoch: u64) -> HubFuture<'_, HubReports>;
    fn statement(&self, fields: ReportFields) -> HubFuture<'_, HubStatement>;
    /// Signs `statement` with the operator key (compact r||s over its sha256).
    fn sign(&self, statement: &[u8]) -> Result<Vec<u8>, SubmitError>;
    fn submit(&self, fields: ReportFields, signature: Vec<u8>) -> HubFuture<'_, Submitted>;
    /// Whether the hub already used evidence of (device, sequence).
    fn evidence_used(&self, device_id: u64, sequence: u64) -> HubFuture<'_, bool>;
    fn submit_evidence(&self, evidence: Evidence) -> HubFuture<'_, Submitted>;
    /// The operator's balance in the fee denom (for the metric).
    fn balance(&self) -> HubFuture<'_, u128>;
}

fn tx_error(e: TxError) -> SubmitError {
    let text = match e {
        TxError::Other(inner) => error_text(&inner),
        other => one_line(&other.to_string()),
    };
    SubmitError::classify(text)
}

fn query_error(e: anyhow::Error) -> SubmitError {
    SubmitError::Transient(error_text(&e))
}

/// The hub on chain, with the operator's key.
pub struct ChainHub {
    client: Arc<ChainClient>,
    hub: String,
    signer: Signer,
}

impl ChainHub {
    pub fn new(client: Arc<ChainClient>, hub: String, signer: Signer) -> Self {
        Self { client, hub, signer }
    }
}

impl Hub for ChainHub {
    fn operator(&self) -> String {
        self.signer.address.to_string()
    }

    fn reports(&self, epoch: u64) -> HubFuture<'_, HubReports> {
        Box::pin(async move {
            let v = self
                .client
                .smart_query(&self.hub, &json!({"reports": {"epoch": epoch}}))
                .await
                .map_err(query_error)?;
            serde_json::from_value(v).map_err(|e| SubmitError::Transient(format!("hub reports answer: {e}")))
        })
    }

    fn statement(&self, fields: ReportFields) -> HubFuture<'_, HubStatement> {
        Box::pin(async move {
            let v = self
                .client
                .smart_query(&self.hub, &json!({"report_statement": fields.to_json()}))
                .await
                .map_err(query_error)?;
            serde_json::from_value(v).map_err(|e| SubmitError::Transient(format!("hub statement answer: {e}")))
        })
    }

    fn sign(&self, statement: &[u8]) -> Result<Vec<u8>, SubmitError> {
        // cosmrs' secp256k1 signing hashes with sha256 and returns a normalized (low-S) compact signature.
        self.signer
            .key
            .sign(statement)
            .map(|s| s.to_bytes().to_vec())
            .map_err(|e| SubmitError::Permanent(format!("signing failed: {e}")))
    }

    fn submit(&self, fields: ReportFields, signature: Vec<u8>) -> HubFuture<'_, Submitted> {
        Box::pin(async move {
            let mut msg = fields.to_json();
            msg["signature"] = json!(BASE64.encode(signature));
            let out = self
                .client
                .execute(&self.signer, &self.hub, &json!({"submit_report": msg}), 0)
                .await
                .map_err(tx_error)?;
            Ok(Submitted {
                tx_hash: out.hash,
                height: out.height,
            })
        })
    }

    fn evidence_used(&self, device_id: u64, sequence: u64) -> HubFuture<'_, bool> {
        Box::pin(async move {
            let q = json!({"evidence_used": {"evidence": {"device": {"device_id": device_id, "sequence": sequence}}}});
            let v = self.client.smart_query(&self.hub, &q).await.map_err(query_error)?;
            Ok(v["used"].as_bool().unwrap_or(false))
        })
    }

    fn submit_evidence(&self, e: Evidence) -> HubFuture<'_, Submitted> {
        Box::pin(async move {
            let msg = json!({"submit_device_evidence": {
                "report_a": BASE64.encode(&e.report_a), "signature_a": BASE64.encode(&e.signature_a),
                "report_b": BASE64.encode(&e.report_b), "signature_b": BASE64.encode(&e.signature_b),
            }});
            let out = self
                .client
                .execute(&self.signer, &self.hub, &msg, 0)
                .await
                .map_err(tx_error)?;
            Ok(Submitted {
                tx_hash: out.hash,
                height: out.height,
            })
        })
    }

    fn balance(&self) -> HubFuture<'_, u128> {
        Box::pin(async move {
            self.client
                .balance(self.signer.address.as_ref())
                .await
                .map_err(query_error)
        })
    }
}

#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal task failed: {0}")]
    Task(String),
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub max_attempts: u32,
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// Delay before attempt `n + 1` after `n` failures (n ≥ 1): initial · 2^(n−1), capped.
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

pub struct Reporter {
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    backoff: Backoff,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    auto_claim: Option<AutoClaimer>,
}

impl Reporter {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<dyn Hub>,
        backoff: Backoff,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            hub,
            backoff,
            clock,
            metrics,
            auto_claim: None,
        }
    }

    /// Also claims final epochs on owners' behalf after each pass (same key, same loop: no sequence races).
    pub fn with_auto_claim(mut self, claimer: AutoClaimer) -> Self {
        self.auto_claim = Some(claimer);
        self
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ReportError> {
        crate::store::off_runtime(&self.store, f)
            .await
            .map_err(|e| ReportError::Task(e.to_string()))?
            .map_err(ReportError::from)
    }

    async fn save(&self, state: ReportState) -> Result<ReportState, ReportError> {
        let s = state.clone();
        self.blocking(move |store| store.set_report_state(&s)).await?;
        Ok(state)
    }

    /// Whether this operator's report for `epoch` is on chain (compares the contents and logs a mismatch).
    async fn on_chain(&self, fields: &ReportFields) -> Result<bool, SubmitError> {
        let reports = self.hub.reports(fields.epoch).await?;
        let me = self.hub.operator();
        let Some(mine) = reports.reports.iter().find(|r| r.operator == me) else {
            return Ok(false);
        };
        let same = mine.root.as_slice() == fields.root
            && mine.total_amount.u128() == fields.total_amount
            && mine.device_count == fields.device_count
            && mine.telemetry_commitment.as_slice() == fields.telemetry_commitment;
        if !same {
            tracing::error!(
                epoch = fields.epoch,
                on_chain_root = %hex::encode(mine.root.as_slice()),
                computed_root = %hex::encode(fields.root),
                "this operator's report on chain differs from the stored computation"
            );
        }
        Ok(true)
    }

    /// Brings `epoch`'s report on chain (or to a final state); returns the state reached.
    pub async fn report_epoch(&self, epoch: u64) -> Result<ReportState, ReportError> {
        let Some(stored) = self.blocking(move |s| s.epoch(epoch)).await? else {
            return Err(ReportError::Store(StoreError::Corrupt(format!(
                "epoch {epoch} is not computed"
            ))));
        };
        let mut state = match self.blocking(move |s| s.report_state(epoch)).await? {
            Some(s) if s.status != ReportStatus::Pending => return Ok(s),
            Some(s) => s,
            None => {
                self.save(ReportState {
                    epoch,
                    status: ReportStatus::Pending,
                    tx_hash: None,
                    height: None,
                    attempts: 0,
                    last_error: None,
                    updated_at: self.clock.now(),
                })
                .await?
            }
        };
        let fields = ReportFields::of(&stored);
        let mut failures = 0u32;
        loop {
            let outcome = self.attempt(&fields).await;
            state.attempts = state.attempts.saturating_add(1);
            state.updated_at = self.clock.now();
            match outcome {
                Ok(done) => {
                    state.status = ReportStatus::Submitted;
                    state.last_error = None;
                    if let Attempt::Submitted(d) = done {
                        self.metrics
                            .last_report_height
                            .set(i64::try_from(d.height).unwrap_or(i64::MAX));
                        tracing::info!(epoch, tx = %d.tx_hash, height = d.height, root = %hex::encode(fields.root), "report submitted");
                        state.tx_hash = Some(d.tx_hash);
                        state.height = Some(d.height);
                    } else {
                        tracing::info!(epoch, "report already on chain");
                    }
                    return self.save(state).await;
                }
                Err(SubmitError::Permanent(e)) => {
                    self.metrics.report_failures.inc();
                    tracing::error!(epoch, error = %e, "report refused for good");
                    state.status = ReportStatus::Failed;
                    state.last_error = Some(e);
                    return self.save(state).await;
                }
                Err(e) => {
                    self.metrics.report_failures.inc();
                    failures += 1;
                    state.last_error = Some(e.to_string());
                    state = self.save(state).await?;
                    if failures >= self.backoff.max_attempts {
                        tracing::warn!(epoch, error = %e, failures, "report still pending; will retry on the next pass");
                        return Ok(state);
                    }
                    let delay = self.backoff.delay(failures);
                    tracing::warn!(epoch, error = %e, retry_in = ?delay, "report attempt failed");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One attempt: look on chain first, else sign and submit.
    async fn attempt(&self, fields: &ReportFields) -> Result<Attempt, SubmitError> {
        if self.on_chain(fields).await? {
            return Ok(Attempt::OnChain);
        }
        let statement = self.hub.statement(fields.clone()).await?;
        let digest: [u8; 32] = Sha256::digest(statement.statement.as_slice()).into();
        if statement.hash.as_slice() != digest {
            return Err(SubmitError::Transient(
                "the hub's statement hash does not match its statement".into(),
            ));
        }
        let signature = self.hub.sign(statement.statement.as_slice())?;
        match self.hub.submit(fields.clone(), signature).await {
            Ok(tx) => Ok(Attempt::Submitted(tx)),
            // A previous attempt made it after all (e.g. its answer timed out): confirm by query.
            Err(SubmitError::AlreadyReported(_)) => {
                if self.on_chain(fields).await? {
                    Ok(Attempt::OnChain)
                } else {
                    Err(SubmitError::Transient(
                        "hub says already reported, query disagrees".into(),
                    ))
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Submits pending device evidence; evidence the hub already used (e.g. another operator's) is marked done.
    pub async fn submit_evidence(&self) -> Result<usize, ReportError> {
        let pending = self.blocking(|s| s.evidence(true)).await?;
        let mut done = 0;
        for e in pending {
            let (device, seq) = (e.device_id, e.sequence);
            let tx = match self.hub.evidence_used(device, seq).await {
                Ok(true) => Some("used-by-another".to_string()),
                Ok(false) => match self.hub.submit_evidence(e).await {
                    Ok(s) => {
                        tracing::info!(device_id = device, sequence = seq, tx = %s.tx_hash, "device evidence submitted");
                        Some(s.tx_hash)
                    }
                    Err(SubmitError::Transient(err)) => {
                        tracing::warn!(device_id = device, sequence = seq, error = %err, "evidence submission failed; will retry");
                        None
                    }
                    Err(err) => {
                        tracing::warn!(device_id = device, sequence = seq, error = %err, "evidence refused");
                        Some(format!("refused: {err}"))
                    }
                },
                Err(err) => {
                    tracing::warn!(device_id = device, sequence = seq, error = %err, "evidence query failed");
                    None
                }
            };
            if let Some(tx) = tx {
                self.blocking(move |s| s.mark_evidence_submitted(device, seq, &tx))
                    .await?;
                done += 1;
            }
        }
        Ok(done)
    }

    /// One pass over every computed epoch not yet reported, oldest first, then the evidence.
    pub async fn pass(&self) -> Result<(), ReportError> {
        for epoch in self.blocking(|s| s.unreported_epochs()).await? {
            self.report_epoch(epoch).await?;
        }
        self.submit_evidence().await?;
        if let Some(claimer) = &self.auto_claim {
            // Claims are a courtesy: a failure is logged and retried next pass, never blocks reporting.
            if let Err(e) = claimer.pass().await {
                tracing::warn!(error = %e, "auto-claim pass failed");
            }
        }
        if let Ok(b) = self.hub.balance().await {
            self.metrics.operator_balance.set(i64::try_from(b).unwrap_or(i64::MAX));
        }
        Ok(())
    }

    /// Runs a pass when an epoch was computed, or every `idle` otherwise, until shutdown.
    pub async fn run(
        self: Arc<Self>,
        computed: Arc<tokio::sync::Notify>,
        idle: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.pass().await {
                tracing::warn!(error = %e, "report pass failed");
            }
            tokio::select! {
                _ = computed.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }
}

/// How an attempt got the report on chain.
enum Attempt {
    /// It was there already.
    OnChain,
    /// This attempt's transaction committed.
    Submitted(Submitted),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::HubReport;
    use crate::clock::ManualClock;
    use crate::store::{SqliteStore, TelemetryRecord};
    use std::sync::Mutex;

    /// A scripted hub: the submit outcomes to return in order (then success), and its record of reports.
    #[derive(Default)]
    struct FakeHub {
        script: Mutex<Vec<SubmitError>>,
        reports: Mutex<Vec<HubReport>>,
        submits: Mutex<u32>,
        evidence: Mutex<Vec<(u64, u64)>>,
    }

    const ME: &str = "emc1me";

    impl Hub for FakeHub {
        fn operator(&self) -> String {
            ME.into()
        }
        fn reports(&self, epoch: u64) -> HubFuture<'_, HubReports> {
            let reports = self.reports.lock().unwrap().clone();
            Box::pin(async move {
                Ok(HubReports {
                    epoch,
                    status: "reported".into(),
                    reports,
                })
            })
        }
        fn statement(&self, f: ReportFields) -> HubFuture<'_, HubStatement> {
            let text = format!("edgemint-report/v1\nc\nh\n{}\n{}", f.epoch, hex::encode(f.root));
            Box::pin(async move {
                Ok(HubStatement {
                    hash: Sha256::digest(text.as_bytes()).to_vec().into(),
                    statement: text.into_bytes().into(),
                })
            })
        }
        fn sign(&self, statement: &[u8]) -> Result<Vec<u8>, SubmitError> {
            Ok(Sha256::digest(statement).to_vec())
        }
        fn submit(&self, f: ReportFields, _sig: Vec<u8>) -> HubFuture<'_, Submitted> {
            *self.submits.lock().unwrap() += 1;
            let scripted = {
                let mut s = self.script.lock().unwrap();
                (!s.is_empty()).then(|| s.remove(0))
            };
            let result = match scripted {
                Some(e) => Err(e),
                None => {
                    self.reports.lock().unwrap().push(HubReport {
                        operator: ME.into(),
                        root: f.root.to_vec().into(),
                        total_amount: f.total_amount.into(),
                        device_count: f.device_count,
                        telemetry_commitment: f.telemetry_commitment.to_vec().into(),
                    });
                    Ok(Submitted {
                        tx_hash: "TX1".into(),
                        height: 1234,
                    })
                }
            };
            Box::pin(async move { result })
        }
        fn evidence_used(&self, d: u64, s: u64) -> HubFuture<'_, bool> {
            let used = self.evidence.lock().unwrap().contains(&(d, s));
            Box::pin(async move { Ok(used) })
        }
        fn submit_evidence(&self, e: Evidence) -> HubFuture<'_, Submitted> {
            self.evidence.lock().unwrap().push((e.device_id, e.sequence));
            Box::pin(async move {
                Ok(Submitted {
                    tx_hash: "EV".into(),
                    height: 9,
                })
            })
        }
        fn balance(&self) -> HubFuture<'_, u128> {
            Box::pin(async { Ok(5) })
        }
    }

    fn epoch(n: u64) -> StoredEpoch {
        StoredEpoch {
            epoch: n,
            root: [n as u8; 32],
            telemetry_commitment: [1; 32],
            budget: 100,
            total_distributed: 90,
            remainder: 10,
            total_points: "5".into(),
            device_count: 3,
            input_count: 4,
            end_height: 50,
            weights_json: "{}".into(),
            computed_at: 1,
            inputs: vec![],
        }
    }

    fn reporter(store: Arc<dyn Store>, hub: Arc<FakeHub>) -> (Reporter, Arc<Metrics>) {
        let metrics = Arc::new(Metrics::new().unwrap());
        let backoff = Backoff {
            max_attempts: 3,
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        };
        (
            Reporter::new(store, hub, backoff, Arc::new(ManualClock::new(100)), metrics.clone()),
            metrics,
        )
    }

    #[tokio::test]
    async fn submits_once_retries_and_survives_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        store.save_epoch(&epoch(1)).unwrap();
        let hub = Arc::new(FakeHub::default());
        hub.script.lock().unwrap().extend([
            SubmitError::Transient("connection refused".into()),
            SubmitError::Transient("account sequence mismatch".into()),
        ]);
        let (r, metrics) = reporter(store.clone(), hub.clone());
        let s = r.report_epoch(1).await.unwrap();
        assert_eq!(s.status, ReportStatus::Submitted);
        assert_eq!(
            (s.tx_hash.as_deref(), s.height, s.attempts),
            (Some("TX1"), Some(1234), 3)
        );
        assert_eq!(*hub.submits.lock().unwrap(), 3);
        assert_eq!(metrics.last_report_height.get(), 1234);
        assert_eq!(metrics.report_failures.get(), 2);
        assert!(store.unreported_epochs().unwrap().is_empty());
        // done: no further transaction
        r.pass().await.unwrap();
        assert_eq!(*hub.submits.lock().unwrap(), 3);

        // restart with a report on chain but the store still pending (answer lost): no second submission
        store.save_epoch(&epoch(2)).unwrap();
        hub.reports.lock().unwrap().clear();
        hub.reports.lock().unwrap().push(HubReport {
            operator: ME.into(),
            root: vec![2u8; 32].into(),
            total_amount: 90u128.into(),
            device_count: 3,
            telemetry_commitment: vec![1u8; 32].into(),
        });
        store
            .set_report_state(&ReportState {
                epoch: 2,
                status: ReportStatus::Pending,
                tx_hash: None,
                height: None,
                attempts: 1,
                last_error: Some("timeout".into()),
                updated_at: 1,
            })
            .unwrap();
        drop(r);
        let (r, _) = reporter(store.clone(), hub.clone());
        r.pass().await.unwrap();
        assert_eq!(*hub.submits.lock().unwrap(), 3);
        assert_eq!(store.report_state(2).unwrap().unwrap().status, ReportStatus::Submitted);
    }

    #[tokio::test]
    async fn gives_up_for_good_or_until_next_pass() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        store.save_epoch(&epoch(1)).unwrap();
        store.save_epoch(&epoch(2)).unwrap();
        let hub = Arc::new(FakeHub::default());
        hub.script.lock().unwrap().extend([
            SubmitError::classify("epoch 1 is Final: no more reports are accepted".into()),
            SubmitError::Transient("down".into()),
            SubmitError::Transient("down".into()),
            SubmitError::Transient("down".into()),
        ]);
        let (r, _) = reporter(store.clone(), hub.clone());
        r.pass().await.unwrap();
        let s1 = store.report_state(1).unwrap().unwrap();
        assert_eq!(s1.status, ReportStatus::Failed);
        assert!(s1.last_error.unwrap().contains("no more reports"));
        let s2 = store.report_state(2).unwrap().unwrap();
        assert_eq!((s2.status, s2.attempts), (ReportStatus::Pending, 3));
        assert_eq!(store.unreported_epochs().unwrap(), vec![2]);
        r.pass().await.unwrap();
        assert_eq!(store.report_state(2).unwrap().unwrap().status, ReportStatus::Submitted);
    }

    #[tokio::test]
    async fn evidence_is_submitted_once() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        let rec = |seq: u64, uptime: u64| {
            let report = edgemint_types::telemetry::TelemetryReport {
                device_id: 5,
                sequence: seq,
                timestamp: 1,
                epoch: 1,
                uptime_secs: uptime,
                tasks_completed: 0,
                interactions: 0,
                receipts_hash: None,
            };
            TelemetryRecord {
                encoded: report.encode("c-1").unwrap(),
                report,
                signature: vec![1; 64],
                received_at: 1,
            }
        };
        store
            .insert_telemetry(&[rec(1, 1), rec(1, 2), rec(2, 1), rec(2, 3)])
            .unwrap();
        let hub = Arc::new(FakeHub::default());
        hub.evidence.lock().unwrap().push((5, 2)); // someone else already submitted this one
        let (r, _) = reporter(store.clone(), hub.clone());
        assert_eq!(r.submit_evidence().await.unwrap(), 2);
        assert_eq!(*hub.evidence.lock().unwrap(), vec![(5, 2), (5, 1)]);
        assert!(store.evidence(true).unwrap().is_empty());
        assert_eq!(r.submit_evidence().await.unwrap(), 0);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff {
            max_attempts: 9,
            initial: Duration::from_secs(2),
            max: Duration::from_secs(60),
        };
        let got: Vec<u64> = (1..=7).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(got, vec![2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(b.delay(100).as_secs(), 60);
    }

    #[test]
    fn classifies_hub_errors() {
        let c = |s: &str| SubmitError::classify(s.into());
        assert!(matches!(
            c("operator emc1x already reported for epoch 3"),
            SubmitError::AlreadyReported(_)
        ));
        assert!(matches!(
            c("epoch 3 is Vetoed: no more reports are accepted"),
            SubmitError::Permanent(_)
        ));
        assert!(matches!(
            c("reported total 5 exceeds epoch 3's device budget 4"),
            SubmitError::Permanent(_)
        ));
        assert!(matches!(
            c("epoch 3 ends at 123: it can be reported only after it ends"),
            SubmitError::Transient(_)
        ));
        assert!(matches!(c("broadcast: connection refused"), SubmitError::Transient(_)));
    }
}
