//! Durable state behind one interface ([`Store`]): the embedded SQLite ([`SqliteStore`], the default) or PostgreSQL
//! ([`PostgresStore`]), with identical semantics (checked by one conformance suite run against both, `tests.rs`).
//!
//! # Aggregation rule (identical in every operator's daemon)
//!
//! A device's reports carry counters **cumulative within the report's epoch** (uptime seconds, tasks completed and
//! interactions since the epoch started). For each (epoch, device) the aggregate is the accepted report with the
//! **highest sequence number**: later reports supersede earlier ones, nothing is summed. An operator that missed
//! some intermediate reports (a restart, a lost packet) therefore still ends with the same aggregate as the others as
//! long as it got the device's last report of the epoch, and replays can never double-count.
//!
//! # Sequence rule
//!
//! Sequence numbers are per device and strictly increasing across epochs. A new record must have a sequence above
//! the device's last accepted one. A record whose bytes equal a stored record with the same sequence is a
//! `Duplicate` (idempotent re-send, e.g. after a lost acknowledgement); different bytes with an already-stored
//! sequence are `Equivocation` (both signed records are kept as evidence, the new one is rejected); a sequence at or
//! below the last one with no stored record is `StaleSequence`.

mod pg_schema;
mod postgres;
mod schema;
mod sqlite;
#[cfg(test)]
pub(crate) mod tests;

pub use postgres::{PgTarget, PoolOptions, PostgresStore};
pub use sqlite::{decode_stored, SqliteStore};

use edgemint_types::telemetry::TelemetryReport;
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(#[from] ::postgres::Error),
    /// `target` is `user@host:port/database`: never the password.
    #[error("cannot connect to PostgreSQL {target}: {}", pg_message(source))]
    Connect { target: String, source: ::postgres::Error },
    #[error("no PostgreSQL connection became free within {0:?}")]
    PoolTimeout(std::time::Duration),
    #[error("PostgreSQL connection: {0}")]
    InvalidUrl(String),
    #[error("cannot create data directory {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("store holds invalid data: {0}")]
    Corrupt(String),
    #[error("store belongs to {key} {stored:?}, not {given:?}")]
    MetaMismatch { key: String, stored: String, given: String },
    #[error("epoch {0} is already stored with a different result")]
    EpochConflict(u64),
    #[error("store lock poisoned")]
    Poisoned,
}

/// A PostgreSQL error with its causes (the client's own `Display` stops at e.g. "db error").
fn pg_message(e: &::postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// One verified, signed telemetry report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryRecord {
    pub report: TelemetryReport,
    /// The canonical bytes the device signed (`edgemint_types::telemetry` encoding).
    pub encoded: Vec<u8>,
    pub signature: Vec<u8>,
    /// Daemon clock (unix seconds) when it was received.
    pub received_at: u64,
}

/// What [`Store::insert_telemetry`] did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored; the epoch aggregate now reflects it.
    Accepted,
    /// The same bytes were stored before: nothing changed.
    Duplicate,
    /// Another record with this sequence is stored: evidence kept, record rejected.
    Equivocation,
    /// Sequence ≤ the device's last accepted one, with no stored record to compare.
    StaleSequence { last: u64 },
    /// The report's epoch was already computed; nothing can change it any more.
    EpochClosed,
}

/// The aggregate of one device in one epoch (see the module docs for the rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub epoch: u64,
    pub device_id: u64,
    /// Sequence of the report that set these counters (the highest accepted in the epoch).
    pub sequence: u64,
    pub uptime_secs: u64,
    pub tasks_completed: u64,
    pub interactions: u64,
    /// Accepted reports of the device in the epoch.
    pub reports: u64,
}

/// Two signed records of one device with one sequence number and different bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub device_id: u64,
    pub sequence: u64,
    /// The record stored first.
    pub report_a: Vec<u8>,
    pub signature_a: Vec<u8>,
    /// The record that conflicted with it.
    pub report_b: Vec<u8>,
    pub signature_b: Vec<u8>,
    pub detected_at: u64,
    /// Transaction that submitted it to the hub, once done.
    pub submitted_tx: Option<String>,
}

/// One device's line of an epoch computation: the input given to `rewards_core::compute_epoch` and the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpochInput {
    pub device_id: u64,
    pub owner: String,
    pub uptime_secs: u64,
    pub tasks_completed: u64,
    pub interactions: u64,
    /// Owner's lock multiplier, atomics (10^18 = 1.0).
    pub multiplier: u128,
    pub points: u128,
    /// 0 when the device got no leaf.
    pub amount: u128,
}

/// A computed epoch as persisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEpoch {
    pub epoch: u64,
    pub root: [u8; 32],
    pub telemetry_commitment: [u8; 32],
    pub budget: u128,
    pub total_distributed: u128,
    pub remainder: u128,
    /// Decimal string (a 256-bit integer).
    pub total_points: String,
    pub device_count: u64,
    pub input_count: u64,
    /// Height whose state the chain inputs were read at.
    pub end_height: u64,
    /// JSON of the weights used.
    pub weights_json: String,
    pub computed_at: u64,
    /// Sorted by device id.
    pub inputs: Vec<EpochInput>,
}

/// Submission state of an epoch's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Computed, not on chain yet.
    Pending,
    /// On chain (ours, found by query or confirmed in a block).
    Submitted,
    /// The hub refused it for good (e.g. the epoch is final or vetoed); not retried.
    Failed,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ReportStatus::Pending),
            "submitted" => Some(ReportStatus::Submitted),
            "failed" => Some(ReportStatus::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportState {
    pub epoch: u64,
    pub status: ReportStatus,
    pub tx_hash: Option<String>,
    pub height: Option<u64>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub updated_at: u64,
}

/// Counts for `/v1/status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    pub devices: u64,
    pub telemetry_records: u64,
    pub evidence: u64,
    pub epochs_computed: u64,
    pub latest_computed_epoch: Option<u64>,
}

/// The daemon's durable state. Every method is one atomic transaction, committed (synchronously, to disk) before it
/// returns: callers acknowledge only after a successful return. Implementations are blocking; async code calls them
/// from `spawn_blocking`.
pub trait Store: Send + Sync + 'static {
    /// Records `key = value` on first use and afterwards checks that it is unchanged (binds a store to one chain
    /// id and hub, so a daemon pointed at another chain refuses to mix data).
    fn ensure_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Inserts verified records in ONE transaction, applying the sequence rule to each in order (so a batch may
    /// contain several reports of one device). Returns one outcome per record.
    fn insert_telemetry(&self, records: &[TelemetryRecord]) -> Result<Vec<InsertOutcome>, StoreError>;

    fn last_sequence(&self, device_id: u64) -> Result<Option<u64>, StoreError>;
    /// All aggregates of an epoch, by device id.
    fn aggregates(&self, epoch: u64) -> Result<Vec<Aggregate>, StoreError>;
    fn aggregate(&self, epoch: u64, device_id: u64) -> Result<Option<Aggregate>, StoreError>;

    /// Equivocation evidence, oldest first; only the not yet submitted ones when `pending_only`.
    fn evidence(&self, pending_only: bool) -> Result<Vec<Evidence>, StoreError>;
    fn mark_evidence_submitted(&self, device_id: u64, sequence: u64, tx_hash: &str) -> Result<(), StoreError>;

    /// Persists a computed epoch (closing it to new telemetry). Saving the same result again is a no-op; a
    /// different result for a stored epoch is [`StoreError::EpochConflict`].
    fn save_epoch(&self, epoch: &StoredEpoch) -> Result<(), StoreError>;
    fn epoch(&self, epoch: u64) -> Result<Option<StoredEpoch>, StoreError>;
    fn latest_epoch(&self) -> Result<Option<u64>, StoreError>;

    fn report_state(&self, epoch: u64) -> Result<Option<ReportState>, StoreError>;
    fn set_report_state(&self, state: &ReportState) -> Result<(), StoreError>;
    /// Epochs with a stored result whose report is missing or `Pending`, ascending.
    fn unreported_epochs(&self) -> Result<Vec<u64>, StoreError>;

    fn stats(&self) -> Result<StoreStats, StoreError>;
}

/// Runs one blocking store call on tokio's blocking pool (every `Store` method blocks on disk or network I/O).
/// The outer error is the task's (a panic in `f`), the inner one the store's.
pub async fn off_runtime<T: Send + 'static>(
    store: &std::sync::Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<Result<T, StoreError>, tokio::task::JoinError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref())).await
}
