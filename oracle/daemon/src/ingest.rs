//! One ingest request end to end: checks ([`crate::verify`]), then ONE store transaction for all the reports that
//! passed, then one result per report. A result is produced only after the transaction committed, so every
//! `accepted`/`duplicate` answer is durable ("persist before acknowledge").

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::directory::DeviceInfo;
use crate::metrics::Metrics;
use crate::store::{InsertOutcome, Store, StoreError};
use crate::verify::{Incoming, ItemStatus, Rejection, Verifier};

/// Most registry lookups in flight for one request.
const LOOKUP_CONCURRENCY: usize = 16;

#[derive(Debug, Error)]
pub enum IngestError {
    /// Nothing of the request was stored or acknowledged; the client should retry.
    #[error("store unavailable: {0}")]
    Store(#[from] StoreError),
    #[error("internal task failed: {0}")]
    Task(String),
}

/// The outcome of one report of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub index: usize,
    pub status: ItemStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// Rejection code (see [`Rejection::code`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether sending the same report later may succeed (rejections only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retryable: Option<bool>,
}

impl ItemResult {
    fn ok(index: usize, item: &Incoming, status: ItemStatus) -> Self {
        Self {
            index,
            status,
            device_id: Some(item.signed.report.device_id),
            sequence: Some(item.signed.report.sequence),
            reason: None,
            message: None,
            retryable: None,
        }
    }

    fn rejected(index: usize, item: Option<&Incoming>, why: &Rejection) -> Self {
        Self {
            index,
            status: ItemStatus::Rejected,
            device_id: item.map(|i| i.signed.report.device_id),
            sequence: item.map(|i| i.signed.report.sequence),
            reason: Some(why.code()),
            message: Some(why.to_string()),
            retryable: Some(why.retryable()),
        }
    }
}

pub struct Ingestor {
    verifier: Arc<Verifier>,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    /// One permit per core for the signature checks: more verifying threads than cores only time-slice each other
    /// (context switches, cold caches) for the same work; requests beyond that wait, asleep.
    verify_permits: Arc<Semaphore>,
}

impl Ingestor {
    pub fn new(verifier: Arc<Verifier>, store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            verifier,
            store,
            metrics,
            verify_permits: Arc::new(Semaphore::new(cores)),
        }
    }

    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }

    /// Checks and stores `items` (an item that could not even be parsed comes as its rejection). Results are in
    /// input order. `Err` means nothing was stored: answer with a retryable server error.
    pub async fn ingest(&self, items: Vec<Result<Incoming, Rejection>>) -> Result<Vec<ItemResult>, IngestError> {
        let n = items.len();
        let mut results: Vec<Option<ItemResult>> = vec![None; n];
        let mut pending: Vec<(usize, Incoming)> = Vec::with_capacity(n);
        for (index, item) in items.into_iter().enumerate() {
            match item {
                Err(why) => results[index] = Some(ItemResult::rejected(index, None, &why)),
                Ok(i) => match self.verifier.check_contents(&i) {
                    Ok(()) => pending.push((index, i)),
                    Err(why) => results[index] = Some(ItemResult::rejected(index, Some(&i), &why)),
                },
            }
        }

        let devices = self.lookup_all(&pending).await?;

        // CPU-bound signature checks and the blocking store transaction off the async workers; the checks hold a
        // core's permit, the store write (mostly waiting for fsync) does not.
        let verifier = self.verifier.clone();
        let store = self.store.clone();
        let metrics = self.metrics.clone();
        let permit = self
            .verify_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| IngestError::Task(e.to_string()))?;
        let stored = tokio::task::spawn_blocking(move || {
            let mut records = Vec::with_capacity(pending.len());
            let mut batch = Vec::with_capacity(pending.len());
            let mut rejected = Vec::new();
            for (index, item) in pending {
                let id = item.signed.report.device_id;
                let checked = match devices.get(&id) {
                    Some(Ok(device)) => verifier.check_signature_and_rate(&item, device),
                    Some(Err(why)) => Err(why.clone()),
                    None => Err(Rejection::Unavailable("device lookup missing".into())),
                };
                match checked {
                    Ok(record) => {
                        records.push((index, item));
                        batch.push(record);
                    }
                    Err(why) => rejected.push(ItemResult::rejected(index, Some(&item), &why)),
                }
            }
            drop(permit);
            let outcomes = if batch.is_empty() {
                Vec::new()
            } else {
                let timer = metrics.store_latency.start_timer();
                let outcomes = store.insert_telemetry(&batch);
                timer.observe_duration();
                match outcomes {
                    Ok(o) => o,
                    Err(e) => {
                        // Nothing committed: give the tokens back so the client's retry is not rate limited.
                        for (_, item) in &records {
                            verifier.refund(item.signed.report.device_id);
                        }
                        return Err(IngestError::Store(e));
                    }
                }
            };
            let mut done = rejected;
            for ((index, item), outcome) in records.iter().zip(outcomes) {
                let id = item.signed.report.device_id;
                done.push(match outcome {
                    InsertOutcome::Accepted => ItemResult::ok(*index, item, ItemStatus::Accepted),
                    InsertOutcome::Duplicate => {
                        verifier.refund(id);
                        ItemResult::ok(*index, item, ItemStatus::Duplicate)
                    }
                    InsertOutcome::Equivocation => {
                        metrics.equivocations.inc();
                        tracing::warn!(
                            device_id = id,
                            sequence = item.signed.report.sequence,
                            "device equivocation: evidence stored"
                        );
                        ItemResult::rejected(*index, Some(item), &Rejection::Equivocation)
                    }
                    InsertOutcome::StaleSequence { last } => {
                        ItemResult::rejected(*index, Some(item), &Rejection::StaleSequence { last })
                    }
                    InsertOutcome::EpochClosed => {
                        ItemResult::rejected(*index, Some(item), &Rejection::EpochClosed(item.signed.report.epoch))
                    }
                });
            }
            Ok(done)
        })
        .await
        .map_err(|e| IngestError::Task(e.to_string()))??;

        for r in stored {
            let index = r.index;
            results[index] = Some(r);
        }
        let results: Vec<ItemResult> = results.into_iter().flatten().collect();
        for r in &results {
            match (r.status, r.reason) {
                (ItemStatus::Accepted, _) => self.metrics.ingested.inc(),
                (ItemStatus::Duplicate, _) => self.metrics.duplicates.inc(),
                (ItemStatus::Rejected, Some(code)) => self.metrics.reject(code),
                (ItemStatus::Rejected, None) => self.metrics.reject("malformed"),
            }
        }
        if results.len() != n {
            return Err(IngestError::Task(format!("{} results for {n} items", results.len())));
        }
        Ok(results)
    }

    /// Looks up every distinct device of `pending`.
    async fn lookup_all(
        &self,
        pending: &[(usize, Incoming)],
    ) -> Result<HashMap<u64, Result<DeviceInfo, Rejection>>, IngestError> {
        let mut ids: Vec<u64> = pending.iter().map(|(_, i)| i.signed.report.device_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = HashMap::with_capacity(ids.len());
        // Cached devices (nearly all, in steady state) in place; a task per lookup only for the others.
        ids.retain(|id| match self.verifier.lookup_cached(*id) {
            Some(found) => {
                out.insert(*id, found);
                false
            }
            None => true,
        });
        if ids.len() <= 1 {
            for id in ids {
                out.insert(id, self.verifier.lookup(id).await);
            }
            return Ok(out);
        }
        let permits = Arc::new(Semaphore::new(LOOKUP_CONCURRENCY));
        let mut set = JoinSet::new();
        for id in ids {
            let verifier = self.verifier.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (id, verifier.lookup(id).await)
            });
        }
        while let Some(joined) = set.join_next().await {
            let (id, found) = joined.map_err(|e| IngestError::Task(e.to_string()))?;
            out.insert(id, found);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::store::SqliteStore;
    use crate::verify::tests::{fixture, report, signed, CHAIN};

    #[tokio::test]
    async fn batch_results_in_order_and_persisted() {
        let f = fixture();
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        let metrics = Arc::new(Metrics::new().unwrap());
        let now = f.clock.now();
        let ing = Ingestor::new(Arc::new(f.verifier), store.clone(), metrics.clone());
        let mut equivocal = report(1, 1, now);
        equivocal.uptime_secs = 61;
        let items = vec![
            Ok(signed(&f.keys[0], CHAIN, report(1, 1, now))),
            Err(Rejection::Malformed("not json".into())),
            Ok(signed(&f.keys[1], CHAIN, report(2, 5, now))),
            Ok(signed(&f.keys[0], CHAIN, report(1, 1, now))), // duplicate within the batch
            Ok(signed(&f.keys[0], CHAIN, equivocal)),
            Ok(signed(&f.keys[0], CHAIN, report(9, 1, now))),
        ];
        let res = ing.ingest(items).await.unwrap();
        let got: Vec<_> = res.iter().map(|r| (r.index, r.status, r.reason)).collect();
        assert_eq!(
            got,
            vec![
                (0, ItemStatus::Accepted, None),
                (1, ItemStatus::Rejected, Some("malformed")),
                (2, ItemStatus::Accepted, None),
                (3, ItemStatus::Duplicate, None),
                (4, ItemStatus::Rejected, Some("equivocation")),
                (5, ItemStatus::Rejected, Some("unknown_device")),
            ]
        );
        let epoch = report(1, 1, now).epoch;
        assert_eq!(store.aggregates(epoch).unwrap().len(), 2);
        assert_eq!(store.evidence(true).unwrap().len(), 1);
        assert_eq!(metrics.ingested.get(), 2);
        assert_eq!(metrics.duplicates.get(), 1);
        assert_eq!(metrics.equivocations.get(), 1);
        assert_eq!(metrics.rejected.with_label_values(&["unknown_device"]).get(), 1);
    }
}
