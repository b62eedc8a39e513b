//! [`Store`] on an embedded SQLite database (WAL, synchronous=FULL): one connection behind a mutex, one
//! transaction per call, except telemetry: concurrent [`Store::insert_telemetry`] calls share write transactions
//! (group commit, see [`SqliteStore::insert_telemetry`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{LazyLock, Mutex, MutexGuard};

use edgemint_types::telemetry::TelemetryReport;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::schema;
use super::{
    Aggregate, EpochInput, Evidence, InsertOutcome, ReportState, ReportStatus, Store, StoreError, StoreStats,
    StoredEpoch, TelemetryRecord,
};

pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// Telemetry batches waiting for a write transaction, oldest first (group commit).
    queued: Mutex<Vec<QueuedBatch>>,
}

/// One caller's telemetry batch and where its outcomes go once the transaction holding it committed.
struct QueuedBatch {
    records: Vec<TelemetryRecord>,
    reply: SyncSender<Result<Vec<InsertOutcome>, StoreError>>,
}

/// What one telemetry transaction has changed so far. A device's row and its epoch's aggregate are written once, at
/// the end ([`TelemetryWrite::finish`]), however many of its reports the transaction accepted.
#[derive(Default)]
struct TelemetryWrite {
    /// Epochs seen in this transaction and whether they are computed (the epochs table cannot change while the
    /// transaction holds the connection).
    closed: HashMap<u64, bool>,
    /// Last accepted sequence per device as of this point of the transaction (`None`: none ever).
    last: HashMap<u64, Option<u64>>,
    devices: HashMap<u64, DeviceUpdate>,
    aggregates: HashMap<(u64, u64), AggregateUpdate>,
}

struct DeviceUpdate {
    reports: u64,
    first_seen: u64,
    last_seen: u64,
}

/// The counters of the highest accepted sequence of an (epoch, device) in this transaction, and how many reports.
struct AggregateUpdate {
    sequence: u64,
    uptime_secs: u64,
    tasks_completed: u64,
    interactions: u64,
    reports: u64,
}

impl TelemetryWrite {
    /// `rec` was accepted: its sequence is above every stored one of its device, so it becomes the device's last and
    /// supersedes its epoch's aggregate.
    fn accepted(&mut self, rec: &TelemetryRecord) {
        let r = &rec.report;
        self.last.insert(r.device_id, Some(r.sequence));
        self.devices
            .entry(r.device_id)
            .and_modify(|d| {
                d.reports += 1;
                d.last_seen = rec.received_at;
            })
            .or_insert(DeviceUpdate {
                reports: 1,
                first_seen: rec.received_at,
                last_seen: rec.received_at,
            });
        let reports = self.aggregates.get(&(r.epoch, r.device_id)).map_or(0, |a| a.reports);
        self.aggregates.insert(
            (r.epoch, r.device_id),
            AggregateUpdate {
                sequence: r.sequence,
                uptime_secs: r.uptime_secs,
                tasks_completed: r.tasks_completed,
                interactions: r.interactions,
                reports: reports + 1,
            },
        );
    }

    /// Writes the device rows and aggregates this transaction changed.
    fn finish(self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let devices: Vec<[i64; 5]> = self
            .devices
            .iter()
            .map(|(id, d)| {
                let last = self.last.get(id).copied().flatten().unwrap_or_default();
                [i(*id), i(last), i(d.reports), i(d.first_seen), i(d.last_seen)]
            })
            .collect();
        DEVICE_UPSERT.run(tx, &devices, bind_ints)?;
        let aggregates: Vec<[i64; 7]> = self
            .aggregates
            .iter()
            .map(|((epoch, id), a)| {
                [
                    i(*epoch),
                    i(*id),
                    i(a.sequence),
                    i(a.uptime_secs),
                    i(a.tasks_completed),
                    i(a.interactions),
                    i(a.reports),
                ]
            })
            .collect();
        AGGREGATE_UPSERT.run(tx, &aggregates, bind_ints)?;
        Ok(())
    }

    /// Reads the last accepted sequence of every device in `ids` not known to this transaction yet.
    fn load_last(&mut self, tx: &Transaction<'_>, ids: impl Iterator<Item = u64>) -> Result<(), StoreError> {
        let mut wanted: Vec<u64> = ids.filter(|id| !self.last.contains_key(id)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for &id in &wanted {
            self.last.insert(id, None);
        }
        let mut chunks = wanted.chunks_exact(LOOKUP_CHUNK);
        if chunks.len() > 0 {
            let mut stmt = tx.prepare_cached(&LAST_SEQUENCE_LOOKUP)?;
            for chunk in chunks.by_ref() {
                for (k, id) in chunk.iter().enumerate() {
                    stmt.raw_bind_parameter(k + 1, i(*id))?;
                }
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next()? {
                    self.last.insert(u(row.get(0)?), Some(u(row.get(1)?)));
                }
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut stmt = tx.prepare_cached("SELECT last_sequence FROM devices WHERE device_id = ?1")?;
            for id in rest {
                let last: Option<i64> = stmt.query_row([i(*id)], |row| row.get(0)).optional()?;
                self.last.insert(*id, last.map(u));
            }
        }
        Ok(())
    }
}

/// Rows per multi-row statement. One `INSERT … VALUES (…), (…), …` of many rows costs SQLite and rusqlite much less
/// than as many one-row statements (binding, stepping and resetting a statement per row was a large part of the
/// store's CPU time in `store_bench`), and stays far below SQLite's limit of 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 32;

/// Device ids per `IN (…)` lookup of last sequences.
const LOOKUP_CHUNK: usize = 64;

/// An `INSERT` of `COLUMNS` values per row, as one statement of [`ROWS_PER_STATEMENT`] rows and one of a single row
/// (for the remainder).
struct MultiRowInsert<const COLUMNS: usize> {
    chunk: String,
    one: String,
}

impl<const COLUMNS: usize> MultiRowInsert<COLUMNS> {
    /// `head` is `INSERT INTO t (…) VALUES`, `tail` what follows the rows (e.g. an `ON CONFLICT` clause).
    fn new(head: &str, tail: &str) -> Self {
        let rows = |n: usize| {
            let row = format!("({})", vec!["?"; COLUMNS].join(", "));
            format!("{head} {} {tail}", vec![row; n].join(", "))
        };
        Self {
            chunk: rows(ROWS_PER_STATEMENT),
            one: rows(1),
        }
    }

    /// Inserts `rows` in order; `bind(statement, first parameter index, row)` binds one row's `COLUMNS` values.
    fn run<R>(
        &self,
        tx: &Transaction<'_>,
        rows: &[R],
        bind: impl Fn(&mut rusqlite::Statement<'_>, usize, &R) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let mut chunks = rows.chunks_exact(ROWS_PER_STATEMENT);
        if chunks.len() > 0 {
            let mut stmt = tx.prepare_cached(&self.chunk)?;
            for chunk in chunks.by_ref() {
                for (k, row) in chunk.iter().enumerate() {
                    bind(&mut stmt, k * COLUMNS + 1, row)?;
                }
                stmt.raw_execute()?;
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut stmt = tx.prepare_cached(&self.one)?;
            for row in rest {
                bind(&mut stmt, 1, row)?;
                stmt.raw_execute()?;
            }
        }
        Ok(())
    }
}

/// Binds an all-integer row.
fn bind_ints<const N: usize>(stmt: &mut rusqlite::Statement<'_>, first: usize, row: &[i64; N]) -> rusqlite::Result<()> {
    for (k, v) in row.iter().enumerate() {
        stmt.raw_bind_parameter(first + k, *v)?;
    }
    Ok(())
}

static TELEMETRY_INSERT: LazyLock<MultiRowInsert<7>> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR ROLLBACK INTO telemetry (id, device_id, sequence, epoch, encoded, signature, received_at) VALUES",
        "",
    )
});

static RECENT_INSERT: LazyLock<MultiRowInsert<3>> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR ROLLBACK INTO telemetry_recent (device_id, sequence, row) VALUES",
        "",
    )
});

/// Entries `telemetry_recent` may hold before they are moved into `telemetry_index` (schema migration 3): small
/// enough that the table's pages are shared by many devices (a transaction rewrites a few dozen of them, not one per
/// device), large enough that each move writes each device's page of `telemetry_index` for many of its reports.
pub(super) const RECENT_MAX_ENTRIES: i64 = 16_384;

static DEVICE_UPSERT: LazyLock<MultiRowInsert<5>> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR ROLLBACK INTO devices (device_id, last_sequence, reports, first_seen, last_seen) VALUES",
        "ON CONFLICT (device_id) DO UPDATE SET last_sequence = excluded.last_sequence, \
         reports = reports + excluded.reports, last_seen = excluded.last_seen",
    )
});

static AGGREGATE_UPSERT: LazyLock<MultiRowInsert<7>> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR ROLLBACK INTO aggregates (epoch, device_id, sequence, uptime_secs, tasks_completed, interactions, reports) \
         VALUES",
        "ON CONFLICT (epoch, device_id) DO UPDATE SET sequence = excluded.sequence, \
         uptime_secs = excluded.uptime_secs, tasks_completed = excluded.tasks_completed, \
         interactions = excluded.interactions, reports = reports + excluded.reports",
    )
});

static LAST_SEQUENCE_LOOKUP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT device_id, last_sequence FROM devices WHERE device_id IN ({})",
        vec!["?"; LOOKUP_CHUNK].join(", ")
    )
});

/// An accepted report waiting to be written, with the telemetry row id it gets.
type Pending<'r> = (i64, &'r TelemetryRecord);

/// Appends `pending` to the telemetry log and their (device, sequence) entries to `telemetry_recent`.
fn write_pending(tx: &Transaction<'_>, pending: &[Pending<'_>]) -> Result<(), StoreError> {
    TELEMETRY_INSERT.run(tx, pending, |stmt, first, (id, rec)| {
        let r = &rec.report;
        stmt.raw_bind_parameter(first, *id)?;
        stmt.raw_bind_parameter(first + 1, i(r.device_id))?;
        stmt.raw_bind_parameter(first + 2, i(r.sequence))?;
        stmt.raw_bind_parameter(first + 3, i(r.epoch))?;
        stmt.raw_bind_parameter(first + 4, rec.encoded.as_slice())?;
        stmt.raw_bind_parameter(first + 5, rec.signature.as_slice())?;
        stmt.raw_bind_parameter(first + 6, i(rec.received_at))
    })?;
    RECENT_INSERT.run(tx, pending, |stmt, first, (id, rec)| {
        stmt.raw_bind_parameter(first, i(rec.report.device_id))?;
        stmt.raw_bind_parameter(first + 1, i(rec.report.sequence))?;
        stmt.raw_bind_parameter(first + 2, *id)
    })
}

/// Moves the entries of `telemetry_recent` into `telemetry_index` once there are [`RECENT_MAX_ENTRIES`].
fn fold_recent(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let entries: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM telemetry_recent")?
        .query_row([], |row| row.get(0))?;
    if entries >= RECENT_MAX_ENTRIES {
        tx.prepare_cached(
            "INSERT OR ROLLBACK INTO telemetry_index (device_id, sequence, row) \
             SELECT device_id, sequence, row FROM telemetry_recent ORDER BY device_id, sequence",
        )?
        .execute([])?;
        tx.prepare_cached("DELETE FROM telemetry_recent")?.execute([])?;
    }
    Ok(())
}

/// Most records one group-commit transaction takes from the queue, bounding how long a transaction holds the
/// connection (readers of the API wait for it).
const GROUP_COMMIT_MAX_RECORDS: usize = 10_000;

/// u64 → SQLite INTEGER (bit-cast; see the schema docs).
fn i(v: u64) -> i64 {
    v as i64
}

/// SQLite INTEGER → u64 (inverse of [`i`]).
fn u(v: i64) -> u64 {
    v as u64
}

fn parse_u128(s: &str, what: &str) -> Result<u128, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not a u128: {s:?}")))
}

fn hash32(v: Vec<u8>, what: &str) -> Result<[u8; 32], StoreError> {
    v.try_into()
        .map_err(|v: Vec<u8>| StoreError::Corrupt(format!("{what} has {} bytes, not 32", v.len())))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, creating its directory, and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        schema::prepare(&mut conn)?;
        // Room for every statement the store uses, so the hot ones are never evicted and recompiled.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self {
            conn: Mutex::new(conn),
            queued: Mutex::new(Vec::new()),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    fn queue(&self) -> Result<MutexGuard<'_, Vec<QueuedBatch>>, StoreError> {
        self.queued.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Writes `batches` in one transaction and answers each; if that transaction fails, each batch is retried in a
    /// transaction of its own, so every caller gets its own outcome or error and nothing of a failed one is kept.
    fn write_batches(conn: &mut Connection, batches: Vec<QueuedBatch>) {
        if batches.len() > 1 {
            if let Ok(outcomes) = Self::write_records(conn, batches.iter().map(|b| b.records.as_slice())) {
                let mut outcomes = outcomes.into_iter();
                for b in batches {
                    // A caller that went away (its thread was cancelled) needs no answer.
                    let _ = b.reply.send(Ok(outcomes.by_ref().take(b.records.len()).collect()));
                }
                return;
            }
        }
        for b in batches {
            let _ = b
                .reply
                .send(Self::write_records(conn, std::iter::once(b.records.as_slice())));
        }
    }

    /// One transaction storing `batches` in order; one outcome per record.
    fn write_records<'a>(
        conn: &mut Connection,
        batches: impl Iterator<Item = &'a [TelemetryRecord]>,
    ) -> Result<Vec<InsertOutcome>, StoreError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let records: Vec<&TelemetryRecord> = batches.flatten().collect();
        let mut w = TelemetryWrite::default();
        w.load_last(&tx, records.iter().map(|r| r.report.device_id))?;
        let mut out = Vec::with_capacity(records.len());
        // Row ids are given here (not by SQLite) so that the (device, sequence) entries can name their rows before
        // the rows are written.
        let mut next_id: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM telemetry")?
            .query_row([], |row| row.get(0))?;
        // Accepted records not written yet; written ROWS_PER_STATEMENT at a time.
        let mut pending: Vec<Pending<'_>> = Vec::with_capacity(ROWS_PER_STATEMENT);
        for rec in records {
            let outcome = Self::insert_one(&tx, rec, &mut w, &mut pending, &mut next_id)?;
            if outcome == InsertOutcome::Accepted && pending.len() == ROWS_PER_STATEMENT {
                write_pending(&tx, &pending)?;
                pending.clear();
            }
            out.push(outcome);
        }
        write_pending(&tx, &pending)?;
        w.finish(&tx)?;
        fold_recent(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Applies the sequence rule to one report inside `tx`. An accepted report is queued in `pending` with the row
    /// id `next_id` (the caller writes it) and its device and aggregate rows are updated in `w` (written by
    /// [`TelemetryWrite::finish`]).
    fn insert_one<'r>(
        tx: &Transaction<'_>,
        rec: &'r TelemetryRecord,
        w: &mut TelemetryWrite,
        pending: &mut Vec<Pending<'r>>,
        next_id: &mut i64,
    ) -> Result<InsertOutcome, StoreError> {
        let r = &rec.report;
        let last = match w.last.get(&r.device_id) {
            Some(last) => *last,
            None => {
                w.load_last(tx, std::iter::once(r.device_id))?;
                w.last.get(&r.device_id).copied().flatten()
            }
        };
        if let Some(last) = last.filter(|last| r.sequence <= *last) {
            // The stored record may be one of this transaction's queued ones.
            write_pending(tx, pending)?;
            pending.clear();
            let stored: Option<(Vec<u8>, Vec<u8>)> = tx
                .prepare_cached(
                    "SELECT encoded, signature FROM telemetry WHERE id = ( \
                     SELECT row FROM telemetry_recent WHERE device_id = ?1 AND sequence = ?2 \
                     UNION ALL SELECT row FROM telemetry_index WHERE device_id = ?1 AND sequence = ?2 LIMIT 1)",
                )?
                .query_row([i(r.device_id), i(r.sequence)], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            return Ok(match stored {
                Some((encoded, _)) if encoded == rec.encoded => InsertOutcome::Duplicate,
                Some((encoded, signature)) => {
                    // Keep the first conflict per (device, sequence): the hub accepts one per pair anyway.
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO evidence (device_id, sequence, report_a, signature_a, report_b, \
                         signature_b, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        i(r.device_id),
                        i(r.sequence),
                        encoded,
                        signature,
                        rec.encoded,
                        rec.signature,
                        i(rec.received_at)
                    ])?;
                    InsertOutcome::Equivocation
                }
                None => InsertOutcome::StaleSequence { last },
            });
        }
        let is_closed = match w.closed.get(&r.epoch) {
            Some(c) => *c,
            None => {
                let c: bool = tx
                    .prepare_cached("SELECT EXISTS(SELECT 1 FROM epochs WHERE epoch = ?1)")?
                    .query_row([i(r.epoch)], |row| row.get(0))?;
                w.closed.insert(r.epoch, c);
                c
            }
        };
        if is_closed {
            return Ok(InsertOutcome::EpochClosed);
        }
        pending.push((*next_id, rec));
        *next_id += 1;
        w.accepted(rec);
        Ok(InsertOutcome::Accepted)
    }

    fn read_aggregate(row: &rusqlite::Row<'_>) -> rusqlite::Result<Aggregate> {
        Ok(Aggregate {
            epoch: u(row.get(0)?),
            device_id: u(row.get(1)?),
            sequence: u(row.get(2)?),
            uptime_secs: u(row.get(3)?),
            tasks_completed: u(row.get(4)?),
            interactions: u(row.get(5)?),
            reports: u(row.get(6)?),
        })
    }
}

const AGG_COLUMNS: &str = "epoch, device_id, sequence, uptime_secs, tasks_completed, interactions, reports";

impl Store for SqliteStore {
    fn ensure_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        match stored {
            Some(s) if s == value => {}
            Some(stored) => {
                return Err(StoreError::MetaMismatch {
                    key: key.into(),
                    stored,
                    given: value.into(),
                })
            }
            None => {
                tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", [key, value])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()?
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }

    /// Group commit: the batch joins a queue; whichever caller holds the connection next writes every queued batch
    /// (up to [`GROUP_COMMIT_MAX_RECORDS`]) in one transaction and hands each caller its outcomes after the commit.
    /// Under concurrent ingest one transaction then carries several requests: the pages it rewrites (one per device
    /// of the batch, mostly the same devices from request to request) and its fsync are paid once for all of them.
    /// Batches are written in arrival order, each in its own order, so outcomes are those of writing them one by one.
    fn insert_telemetry(&self, records: &[TelemetryRecord]) -> Result<Vec<InsertOutcome>, StoreError> {
        let (reply, outcome) = sync_channel(1);
        self.queue()?.push(QueuedBatch {
            records: records.to_vec(),
            reply,
        });
        loop {
            let mut conn = self.conn()?;
            // A caller that held the connection before us may have committed our batch already.
            if let Ok(result) = outcome.try_recv() {
                return result;
            }
            let batches = {
                let mut queue = self.queue()?;
                let mut records = 0;
                let take = queue
                    .iter()
                    .take_while(|b| {
                        records += b.records.len();
                        records <= GROUP_COMMIT_MAX_RECORDS
                    })
                    .count()
                    .max(1)
                    .min(queue.len());
                queue.drain(..take).collect::<Vec<_>>()
            };
            if batches.is_empty() {
                // Not reachable: a batch leaves the queue only under this lock, and its answer is sent before the
                // lock is released. Waiting for the answer is still the right thing if it ever happens.
                drop(conn);
                return outcome.recv().unwrap_or(Err(StoreError::Poisoned));
            }
            Self::write_batches(&mut conn, batches);
        }
    }

    fn last_sequence(&self, device_id: u64) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = self
            .conn()?
            .query_row(
                "SELECT last_sequence FROM devices WHERE device_id = ?1",
                [i(device_id)],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last.map(u))
    }

    fn aggregates(&self, epoch: u64) -> Result<Vec<Aggregate>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&format!("SELECT {AGG_COLUMNS} FROM aggregates WHERE epoch = ?1"))?;
        let mut out = stmt
            .query_map([i(epoch)], Self::read_aggregate)?
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_unstable_by_key(|a| a.device_id);
        Ok(out)
    }

    fn aggregate(&self, epoch: u64, device_id: u64) -> Result<Option<Aggregate>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                &format!("SELECT {AGG_COLUMNS} FROM aggregates WHERE epoch = ?1 AND device_id = ?2"),
                [i(epoch), i(device_id)],
                Self::read_aggregate,
            )
            .optional()?)
    }

    fn evidence(&self, pending_only: bool) -> Result<Vec<Evidence>, StoreError> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT device_id, sequence, report_a, signature_a, report_b, signature_b, detected_at, submitted_tx \
             FROM evidence {} ORDER BY detected_at, rowid",
            if pending_only { "WHERE submitted_tx IS NULL" } else { "" }
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(Evidence {
                device_id: u(r.get(0)?),
                sequence: u(r.get(1)?),
                report_a: r.get(2)?,
                signature_a: r.get(3)?,
                report_b: r.get(4)?,
                signature_b: r.get(5)?,
                detected_at: u(r.get(6)?),
                submitted_tx: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn mark_evidence_submitted(&self, device_id: u64, sequence: u64, tx_hash: &str) -> Result<(), StoreError> {
        self.conn()?.execute(
            "UPDATE evidence SET submitted_tx = ?3 WHERE device_id = ?1 AND sequence = ?2",
            params![i(device_id), i(sequence), tx_hash],
        )?;
        Ok(())
    }

    fn save_epoch(&self, e: &StoredEpoch) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(Vec<u8>, Vec<u8>)> = tx
            .query_row(
                "SELECT root, telemetry_commitment FROM epochs WHERE epoch = ?1",
                [i(e.epoch)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((root, commitment)) = existing {
            return if root == e.root && commitment == e.telemetry_commitment {
                Ok(())
            } else {
                Err(StoreError::EpochConflict(e.epoch))
            };
        }
        tx.execute(
            "INSERT INTO epochs (epoch, root, telemetry_commitment, budget, total_distributed, remainder, \
             total_points, device_count, input_count, end_height, weights, computed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                i(e.epoch),
                e.root.to_vec(),
                e.telemetry_commitment.to_vec(),
                e.budget.to_string(),
                e.total_distributed.to_string(),
                e.remainder.to_string(),
                e.total_points,
                i(e.device_count),
                i(e.input_count),
                i(e.end_height),
                e.weights_json,
                i(e.computed_at)
            ],
        )?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO epoch_inputs (epoch, device_id, owner, uptime_secs, tasks_completed, interactions, \
                 multiplier, points, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for d in &e.inputs {
                stmt.execute(params![
                    i(e.epoch),
                    i(d.device_id),
                    d.owner,
                    i(d.uptime_secs),
                    i(d.tasks_completed),
                    i(d.interactions),
                    d.multiplier.to_string(),
                    d.points.to_string(),
                    d.amount.to_string()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn epoch(&self, epoch: u64) -> Result<Option<StoredEpoch>, StoreError> {
        let conn = self.conn()?;
        type Head = (
            Vec<u8>,
            Vec<u8>,
            String,
            String,
            String,
            String,
            i64,
            i64,
            i64,
            String,
            i64,
        );
        let head: Option<Head> = conn
            .query_row(
                "SELECT root, telemetry_commitment, budget, total_distributed, remainder, total_points, \
                 device_count, input_count, end_height, weights, computed_at FROM epochs WHERE epoch = ?1",
                [i(epoch)],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                    ))
                },
            )
            .optional()?;
        let Some((root, commitment, budget, distributed, remainder, total_points, devices, inputs, height, w, at)) =
            head
        else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT device_id, owner, uptime_secs, tasks_completed, interactions, multiplier, points, amount \
             FROM epoch_inputs WHERE epoch = ?1",
        )?;
        type Row = (i64, String, i64, i64, i64, String, String, String);
        let rows: Vec<Row> = stmt
            .query_map([i(epoch)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut list = Vec::with_capacity(rows.len());
        for (device_id, owner, uptime, tasks, interactions, multiplier, points, amount) in rows {
            list.push(EpochInput {
                device_id: u(device_id),
                owner,
                uptime_secs: u(uptime),
                tasks_completed: u(tasks),
                interactions: u(interactions),
                multiplier: parse_u128(&multiplier, "multiplier")?,
                points: parse_u128(&points, "points")?,
                amount: parse_u128(&amount, "amount")?,
            });
        }
        list.sort_unstable_by_key(|d| d.device_id);
        Ok(Some(StoredEpoch {
            epoch,
            root: hash32(root, "root")?,
            telemetry_commitment: hash32(commitment, "telemetry commitment")?,
            budget: parse_u128(&budget, "budget")?,
            total_distributed: parse_u128(&distributed, "total_distributed")?,
            remainder: parse_u128(&remainder, "remainder")?,
            total_points,
            device_count: u(devices),
            input_count: u(inputs),
            end_height: u(height),
            weights_json: w,
            computed_at: u(at),
            inputs: list,
        }))
    }

    fn latest_epoch(&self) -> Result<Option<u64>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached("SELECT epoch FROM epochs")?;
        let epochs = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        let mut max = None;
        for e in epochs {
            max = max.max(Some(u(e?)));
        }
        Ok(max)
    }

    fn report_state(&self, epoch: u64) -> Result<Option<ReportState>, StoreError> {
        type Row = (String, Option<String>, Option<i64>, i64, Option<String>, i64);
        let row: Option<Row> = self
            .conn()?
            .query_row(
                "SELECT status, tx_hash, height, attempts, last_error, updated_at FROM reports WHERE epoch = ?1",
                [i(epoch)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((status, tx_hash, height, attempts, last_error, updated_at)) = row else {
            return Ok(None);
        };
        Ok(Some(ReportState {
            epoch,
            status: ReportStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("report status {status:?}")))?,
            tx_hash,
            height: height.map(u),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            last_error,
            updated_at: u(updated_at),
        }))
    }

    fn set_report_state(&self, s: &ReportState) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO reports (epoch, status, tx_hash, height, attempts, last_error, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (epoch) DO UPDATE SET status = ?2, tx_hash = ?3, \
             height = ?4, attempts = ?5, last_error = ?6, updated_at = ?7",
            params![
                i(s.epoch),
                s.status.as_str(),
                s.tx_hash,
                s.height.map(i),
                i64::from(s.attempts),
                s.last_error,
                i(s.updated_at)
            ],
        )?;
        Ok(())
    }

    fn unreported_epochs(&self) -> Result<Vec<u64>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT e.epoch FROM epochs e LEFT JOIN reports r ON r.epoch = e.epoch \
             WHERE r.epoch IS NULL OR r.status = 'pending'",
        )?;
        let mut out = stmt
            .query_map([], |r| r.get::<_, i64>(0))?
            .map(|e| e.map(u))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_unstable();
        Ok(out)
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |conn: &Connection, table: &str| -> Result<u64, StoreError> {
            let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(u(n))
        };
        let stats = {
            let conn = self.conn()?;
            StoreStats {
                devices: count(&conn, "devices")?,
                // Not COUNT(*): that reads the whole log (seconds at tens of millions of reports) while holding the
                // connection ingest needs. Rows are never deleted and get ids MAX(id) + 1 inside their write
                // transaction (migration 2 numbered the older ones from 1), so the largest id is the count.
                telemetry_records: u(conn.query_row("SELECT COALESCE(MAX(id), 0) FROM telemetry", [], |r| r.get(0))?),
                evidence: count(&conn, "evidence")?,
                epochs_computed: count(&conn, "epochs")?,
                latest_computed_epoch: None,
            }
        };
        Ok(StoreStats {
            latest_computed_epoch: self.latest_epoch()?,
            ..stats
        })
    }
}

/// Decodes the stored canonical bytes of a record back into a report (for evidence and audits).
pub fn decode_stored(encoded: &[u8]) -> Result<TelemetryReport, StoreError> {
    edgemint_types::telemetry::decode(encoded)
        .map(|d| d.report)
        .map_err(|e| StoreError::Corrupt(format!("stored telemetry does not decode: {e}")))
}
