//! [`Store`] on PostgreSQL, for operators who outgrow one machine: the same semantics as [`super::SqliteStore`]
//! (one transaction per call, committed before it returns; the sequence rule and equivocation evidence; epochs
//! closing to new telemetry), over a small pool of connections so HTTP handlers insert concurrently.
//!
//! # Blocking client inside a tokio daemon
//!
//! The `postgres` crate's client is blocking: each connection drives its socket on a private current-thread tokio
//! runtime with `block_on`, which panics on an async worker thread. The daemon calls every [`Store`] method from
//! `spawn_blocking` (where blocking is allowed), and [`PostgresStore`]'s `Drop` closes the pooled connections on a
//! thread of its own, so dropping the last `Arc<dyn Store>` on an async worker is safe too.
//!
//! # Concurrency: why advisory locks
//!
//! With one SQLite connection behind a mutex every call is serialised. Here several transactions run at once
//! (several handlers, possibly several daemon processes on one database), and the sequence rule reads
//! `devices.last_sequence` and then writes: two batches of one device could both read the same last sequence, the
//! lower could overwrite the higher, or two different records with one sequence could both try to insert (a
//! primary-key error instead of `Equivocation` evidence). So each insert transaction first takes
//! transaction-scoped advisory locks on its devices (exclusive) and on its reports' epochs (shared), and
//! `save_epoch` takes its epoch's lock exclusively:
//! - a device's inserts are serialised exactly like SQLite's, whether or not the device has a row yet (a row lock,
//!   `SELECT … FOR UPDATE`, cannot lock a row that does not exist; a device's first reports are the racy case);
//! - an epoch is never closed between an insert's "is it closed?" check and its commit;
//! - locks are taken in one sorted order per transaction (devices, then epochs), so inserts cannot deadlock each
//!   other; `save_epoch` holds one lock only;
//! - each statement at READ COMMITTED sees what was committed before it, so the reads after the locks see the
//!   previous holder's writes.
//!
//! SERIALIZABLE with retries would also be correct, but it aborts and retries whole batches under contention (its
//! predicate locks also conflict on unrelated devices sharing index pages); the locks make the outcome deterministic
//! and only wait on real conflicts. Deadlock and serialisation failures (which the locks should make impossible)
//! are still retried, since PostgreSQL rolls those transactions back entirely.
//!
//! Lock keys are buckets (`id % LOCK_BUCKETS`) of the device id or epoch, in this daemon's key spaces
//! (`pg_schema::LOCK_SPACE_*`): two devices sharing a bucket only wait for each other, never break the rule. Buckets
//! bound the locks one transaction holds: every advisory lock takes a slot of the server's shared lock table
//! (`max_locks_per_transaction` × `max_connections`, 6,400 by default), so a 1,000-device batch per connection
//! with one lock per device could exhaust it ("out of shared memory"); with buckets a transaction holds at most
//! 2 × `LOCK_BUCKETS`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, NoTls, Row, Transaction};

use super::pg_schema::{self, LOCK_SPACE_DEVICE, LOCK_SPACE_EPOCH};
use super::{
    Aggregate, EpochInput, Evidence, InsertOutcome, ReportState, ReportStatus, Store, StoreError, StoreStats,
    StoredEpoch, TelemetryRecord,
};

/// u64 → BIGINT (bit-cast, as in SQLite).
fn i(v: u64) -> i64 {
    v as i64
}

/// BIGINT → u64 (inverse of [`i`]).
fn u(v: i64) -> u64 {
    v as u64
}

/// Lock buckets per key space (module docs).
const LOCK_BUCKETS: u64 = 64;

/// Advisory lock key of a device id or epoch (module docs: collisions only serialise).
fn bucket(v: u64) -> i32 {
    (v % LOCK_BUCKETS) as i32
}

fn parse_u128(s: &str, what: &str) -> Result<u128, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not a u128: {s:?}")))
}

fn hash32(v: Vec<u8>, what: &str) -> Result<[u8; 32], StoreError> {
    v.try_into()
        .map_err(|v: Vec<u8>| StoreError::Corrupt(format!("{what} has {} bytes, not 32", v.len())))
}

/// A connection URL (`postgres://user:password@host:port/db?...`) or libpq key=value string, parsed. The text is
/// not kept: only [`PgTarget::describe`] (no password) is ever shown.
#[derive(Clone)]
pub struct PgTarget {
    config: postgres::Config,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl PgTarget {
    /// Parses a connection string. The error never repeats the string (it may hold a password).
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let mut config = postgres::Config::from_str(url.trim()).map_err(|_| {
            StoreError::InvalidUrl(
                "not a PostgreSQL connection URL (postgres://user:password@host:port/database) or key=value string"
                    .into(),
            )
        })?;
        if config.get_hosts().is_empty() {
            return Err(StoreError::InvalidUrl("the connection URL names no host".into()));
        }
        if config.get_dbname().is_none() {
            return Err(StoreError::InvalidUrl("the connection URL names no database".into()));
        }
        if config.get_dbname().is_some_and(str::is_empty) {
            return Err(StoreError::InvalidUrl("the connection URL names no database".into()));
        }
        if config.get_user().is_none_or(str::is_empty) {
            return Err(StoreError::InvalidUrl("the connection URL names no user".into()));
        }
        if config.get_ssl_mode() == postgres::config::SslMode::Require {
            return Err(StoreError::InvalidUrl(
                "sslmode=require: this build connects without TLS; reach a remote server through a TLS tunnel \
                 (stunnel, ssh -L, WireGuard) on a local address"
                    .into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("edgemint-oracle");
        }
        Ok(Self { config })
    }

    /// `user@host:port/database`, for logs and errors (never the password).
    pub fn describe(&self) -> String {
        let c = &self.config;
        let hosts: Vec<String> = c
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(n, h)| {
                let host = match h {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                };
                let port = c.get_ports().get(n).or(c.get_ports().first()).copied().unwrap_or(5432);
                format!("{host}:{port}")
            })
            .collect();
        format!(
            "{}@{}/{}",
            c.get_user().unwrap_or("?"),
            hosts.join(","),
            c.get_dbname().unwrap_or("?")
        )
    }
}

/// Pool sizing.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_connections: usize,
    /// How long a call waits for a free connection before failing (the HTTP answer is then 503, retryable).
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A fixed-size pool: connections are opened on demand up to the limit and reused; one found closed (server
/// restart, network cut) is discarded when returned, and the next call opens a fresh one.
struct Pool {
    target: PgTarget,
    options: PoolOptions,
    state: Mutex<PoolState>,
    freed: Condvar,
}

struct PoolState {
    idle: Vec<Client>,
    /// Connections existing (idle + lent out + being opened).
    open: usize,
}

struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        let mut state = match self.pool.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if client.is_closed() {
            state.open -= 1;
            drop(state);
            drop(client);
        } else {
            state.idle.push(client);
        }
        self.pool.freed.notify_one();
    }
}

impl Pool {
    fn get(&self) -> Result<Conn<'_>, StoreError> {
        let deadline = Instant::now() + self.options.acquire_timeout;
        let mut state = self.state.lock().map_err(|_| StoreError::Poisoned)?;
        loop {
            if let Some(client) = state.idle.pop() {
                return Ok(Conn {
                    pool: self,
                    client: Some(client),
                });
            }
            if state.open < self.options.max_connections {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(client) => Ok(Conn {
                        pool: self,
                        client: Some(client),
                    }),
                    Err(e) => {
                        let mut state = self.state.lock().map_err(|_| StoreError::Poisoned)?;
                        state.open -= 1;
                        drop(state);
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::PoolTimeout(self.options.acquire_timeout));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .map_err(|_| StoreError::Poisoned)?
                .0;
        }
    }

    fn connect(&self) -> Result<Client, StoreError> {
        self.target.config.connect(NoTls).map_err(|source| StoreError::Connect {
            target: self.target.describe(),
            source,
        })
    }
}

pub struct PostgresStore {
    pool: Pool,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Closing a connection blocks on its private runtime, which panics on an async worker thread: close them
        // on a thread of our own (see the module docs).
        let idle = match self.pool.state.lock() {
            Ok(mut s) => std::mem::take(&mut s.idle),
            Err(p) => std::mem::take(&mut p.into_inner().idle),
        };
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

/// Whether PostgreSQL rolled the whole transaction back for a reason a retry can clear.
fn retryable(e: &StoreError) -> bool {
    matches!(e, StoreError::Postgres(e)
        if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) || e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED))
}

const AGG_COLUMNS: &str = "epoch, device_id, sequence, uptime_secs, tasks_completed, interactions, reports";

fn read_aggregate(r: &Row) -> Aggregate {
    Aggregate {
        epoch: u(r.get(0)),
        device_id: u(r.get(1)),
        sequence: u(r.get(2)),
        uptime_secs: u(r.get(3)),
        tasks_completed: u(r.get(4)),
        interactions: u(r.get(5)),
        reports: u(r.get(6)),
    }
}

/// Per device, what one batch's accepted records change in `devices`.
struct DeviceDelta {
    last_sequence: u64,
    reports: i64,
    first_seen: u64,
    last_seen: u64,
}

/// Per (epoch, device), the batch's last accepted record and how many were accepted.
struct AggregateDelta<'a> {
    last: &'a TelemetryRecord,
    reports: i64,
}

impl PostgresStore {
    /// Connects (opening one connection to check the server now rather than at the first report) and migrates.
    pub fn open(target: PgTarget, options: PoolOptions) -> Result<Self, StoreError> {
        if options.max_connections == 0 {
            return Err(StoreError::InvalidUrl("the pool needs at least one connection".into()));
        }
        let store = Self {
            pool: Pool {
                target,
                options,
                state: Mutex::new(PoolState {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
            },
        };
        {
            let mut conn = store.pool.get()?;
            pg_schema::prepare(&mut conn)?;
        }
        Ok(store)
    }

    /// Connects to `url` with the default pool.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(PgTarget::parse(url)?, PoolOptions::default())
    }

    pub fn target(&self) -> String {
        self.pool.target.describe()
    }

    /// Runs `f` in one READ COMMITTED transaction and commits it; retries when PostgreSQL aborted it for a
    /// deadlock or serialisation failure (nothing of it was committed then).
    fn with_tx<T>(&self, mut f: impl FnMut(&mut Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.pool.get()?;
        let mut attempt = 0u32;
        loop {
            let result = (|| {
                let mut tx = conn
                    .build_transaction()
                    .isolation_level(IsolationLevel::ReadCommitted)
                    .start()?;
                let value = f(&mut tx)?;
                tx.commit()?;
                Ok(value)
            })();
            match result {
                Err(e) if attempt < 8 && retryable(&e) => {
                    attempt += 1;
                    tracing::debug!(attempt, error = %e, "store transaction aborted by PostgreSQL; retrying");
                    std::thread::sleep(Duration::from_millis(5 << attempt.min(6)));
                }
                other => return other,
            }
        }
    }

    /// One statement outside an explicit transaction (PostgreSQL commits it on its own before answering).
    fn with_conn<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.pool.get()?;
        f(&mut conn)
    }

    fn insert_batch(tx: &mut Transaction<'_>, records: &[TelemetryRecord]) -> Result<Vec<InsertOutcome>, StoreError> {
        // Locks first, in one sorted order (module docs).
        let mut device_keys: Vec<i32> = records.iter().map(|r| bucket(r.report.device_id)).collect();
        device_keys.sort_unstable();
        device_keys.dedup();
        let mut epoch_keys: Vec<i32> = records.iter().map(|r| bucket(r.report.epoch)).collect();
        epoch_keys.sort_unstable();
        epoch_keys.dedup();
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int4[]) AS k",
            &[&LOCK_SPACE_DEVICE, &device_keys],
        )?;
        tx.execute(
            "SELECT pg_advisory_xact_lock_shared($1, k) FROM unnest($2::int4[]) AS k",
            &[&LOCK_SPACE_EPOCH, &epoch_keys],
        )?;

        let mut device_ids: Vec<i64> = records.iter().map(|r| i(r.report.device_id)).collect();
        device_ids.sort_unstable();
        device_ids.dedup();
        let mut last: HashMap<u64, u64> = tx
            .query(
                "SELECT device_id, last_sequence FROM devices WHERE device_id = ANY($1)",
                &[&device_ids],
            )?
            .iter()
            .map(|r| (u(r.get(0)), u(r.get(1))))
            .collect();
        let epochs: Vec<i64> = records.iter().map(|r| i(r.report.epoch)).collect();
        let closed: HashSet<u64> = tx
            .query("SELECT epoch FROM epochs WHERE epoch = ANY($1)", &[&epochs])?
            .iter()
            .map(|r| u(r.get(0)))
            .collect();

        // The rule, record by record in batch order as SQLite applies it; accepted records are written in bulk
        // below, so records accepted earlier in this batch are looked up here rather than in the table.
        let mut out = Vec::with_capacity(records.len());
        let mut accepted: Vec<&TelemetryRecord> = Vec::new();
        let mut in_batch: HashMap<(u64, u64), &TelemetryRecord> = HashMap::new();
        for rec in records {
            let r = &rec.report;
            if let Some(&l) = last.get(&r.device_id).filter(|l| r.sequence <= **l) {
                let stored: Option<(Vec<u8>, Vec<u8>)> = match in_batch.get(&(r.device_id, r.sequence)) {
                    Some(prev) => Some((prev.encoded.clone(), prev.signature.clone())),
                    None => tx
                        .query_opt(
                            "SELECT encoded, signature FROM telemetry WHERE device_id = $1 AND sequence = $2",
                            &[&i(r.device_id), &i(r.sequence)],
                        )?
                        .map(|row| (row.get(0), row.get(1))),
                };
                out.push(match stored {
                    Some((encoded, _)) if encoded == rec.encoded => InsertOutcome::Duplicate,
                    Some((encoded, signature)) => {
                        // Keep the first conflict per (device, sequence): the hub accepts one per pair anyway.
                        tx.execute(
                            "INSERT INTO evidence (device_id, sequence, report_a, signature_a, report_b, \
                             signature_b, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                             ON CONFLICT (device_id, sequence) DO NOTHING",
                            &[
                                &i(r.device_id),
                                &i(r.sequence),
                                &encoded,
                                &signature,
                                &rec.encoded,
                                &rec.signature,
                                &i(rec.received_at),
                            ],
                        )?;
                        InsertOutcome::Equivocation
                    }
                    None => InsertOutcome::StaleSequence { last: l },
                });
                continue;
            }
            if closed.contains(&r.epoch) {
                out.push(InsertOutcome::EpochClosed);
                continue;
            }
            last.insert(r.device_id, r.sequence);
            in_batch.insert((r.device_id, r.sequence), rec);
            accepted.push(rec);
            out.push(InsertOutcome::Accepted);
        }
        if accepted.is_empty() {
            return Ok(out);
        }

        let col = |f: &dyn Fn(&TelemetryRecord) -> u64| -> Vec<i64> { accepted.iter().map(|r| i(f(r))).collect() };
        let receipts: Vec<Option<Vec<u8>>> = accepted
            .iter()
            .map(|r| r.report.receipts_hash.as_ref().map(|h| h.to_vec()))
            .collect();
        let encoded: Vec<&[u8]> = accepted.iter().map(|r| r.encoded.as_slice()).collect();
        let signatures: Vec<&[u8]> = accepted.iter().map(|r| r.signature.as_slice()).collect();
        tx.execute(
            "INSERT INTO telemetry (device_id, sequence, epoch, timestamp, uptime_secs, tasks_completed, \
             interactions, receipts_hash, encoded, signature, received_at) \
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], \
             $7::int8[], $8::bytea[], $9::bytea[], $10::bytea[], $11::int8[])",
            &[
                &col(&|r| r.report.device_id),
                &col(&|r| r.report.sequence),
                &col(&|r| r.report.epoch),
                &col(&|r| r.report.timestamp),
                &col(&|r| r.report.uptime_secs),
                &col(&|r| r.report.tasks_completed),
                &col(&|r| r.report.interactions),
                &receipts,
                &encoded,
                &signatures,
                &col(&|r| r.received_at),
            ],
        )?;

        // Accepted sequences rise within the batch, so the last accepted record of a device (and of an epoch and
        // device) is above every stored one and supersedes it.
        let mut devices: BTreeMap<u64, DeviceDelta> = BTreeMap::new();
        let mut aggregates: BTreeMap<(u64, u64), AggregateDelta<'_>> = BTreeMap::new();
        for rec in &accepted {
            let r = &rec.report;
            let d = devices.entry(r.device_id).or_insert(DeviceDelta {
                last_sequence: r.sequence,
                reports: 0,
                first_seen: rec.received_at,
                last_seen: rec.received_at,
            });
            d.last_sequence = r.sequence;
            d.reports += 1;
            d.last_seen = rec.received_at;
            let a = aggregates
                .entry((r.epoch, r.device_id))
                .or_insert(AggregateDelta { last: rec, reports: 0 });
            a.last = rec;
            a.reports += 1;
        }
        let ids: Vec<i64> = devices.keys().map(|d| i(*d)).collect();
        let seqs: Vec<i64> = devices.values().map(|d| i(d.last_sequence)).collect();
        let counts: Vec<i64> = devices.values().map(|d| d.reports).collect();
        let first: Vec<i64> = devices.values().map(|d| i(d.first_seen)).collect();
        let lasts: Vec<i64> = devices.values().map(|d| i(d.last_seen)).collect();
        tx.execute(
            "INSERT INTO devices (device_id, last_sequence, reports, first_seen, last_seen) \
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[]) \
             ON CONFLICT (device_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, \
             reports = devices.reports + EXCLUDED.reports, last_seen = EXCLUDED.last_seen",
            &[&ids, &seqs, &counts, &first, &lasts],
        )?;
        let agg = |f: &dyn Fn(&AggregateDelta<'_>) -> i64| -> Vec<i64> { aggregates.values().map(f).collect() };
        tx.execute(
            "INSERT INTO aggregates (epoch, device_id, sequence, uptime_secs, tasks_completed, interactions, reports) \
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], \
             $7::int8[]) \
             ON CONFLICT (epoch, device_id) DO UPDATE SET sequence = EXCLUDED.sequence, \
             uptime_secs = EXCLUDED.uptime_secs, tasks_completed = EXCLUDED.tasks_completed, \
             interactions = EXCLUDED.interactions, reports = aggregates.reports + EXCLUDED.reports",
            &[
                &agg(&|a| i(a.last.report.epoch)),
                &agg(&|a| i(a.last.report.device_id)),
                &agg(&|a| i(a.last.report.sequence)),
                &agg(&|a| i(a.last.report.uptime_secs)),
                &agg(&|a| i(a.last.report.tasks_completed)),
                &agg(&|a| i(a.last.report.interactions)),
                &agg(&|a| a.reports),
            ],
        )?;
        Ok(out)
    }
}

impl Store for PostgresStore {
    fn ensure_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            // Insert-if-absent first: of two daemons binding a fresh store at once, one value wins and the other
            // sees it.
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &value],
            )?;
            let stored: String = tx.query_one("SELECT value FROM meta WHERE key = $1", &[&key])?.get(0);
            if stored == value {
                Ok(())
            } else {
                Err(StoreError::MetaMismatch {
                    key: key.into(),
                    stored,
                    given: value.into(),
                })
            }
        })
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
                .map(|r| r.get(0)))
        })
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            )?;
            Ok(())
        })
    }

    fn insert_telemetry(&self, records: &[TelemetryRecord]) -> Result<Vec<InsertOutcome>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        self.with_tx(|tx| Self::insert_batch(tx, records))
    }

    fn last_sequence(&self, device_id: u64) -> Result<Option<u64>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_opt(
                "SELECT last_sequence FROM devices WHERE device_id = $1",
                &[&i(device_id)],
            )?
            .map(|r| u(r.get(0))))
        })
    }

    fn aggregates(&self, epoch: u64) -> Result<Vec<Aggregate>, StoreError> {
        let mut out: Vec<Aggregate> = self.with_conn(|c| {
            Ok(c.query(
                &format!("SELECT {AGG_COLUMNS} FROM aggregates WHERE epoch = $1"),
                &[&i(epoch)],
            )?
            .iter()
            .map(read_aggregate)
            .collect())
        })?;
        out.sort_unstable_by_key(|a| a.device_id);
        Ok(out)
    }

    fn aggregate(&self, epoch: u64, device_id: u64) -> Result<Option<Aggregate>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_opt(
                &format!("SELECT {AGG_COLUMNS} FROM aggregates WHERE epoch = $1 AND device_id = $2"),
                &[&i(epoch), &i(device_id)],
            )?
            .as_ref()
            .map(read_aggregate))
        })
    }

    fn evidence(&self, pending_only: bool) -> Result<Vec<Evidence>, StoreError> {
        let sql = format!(
            "SELECT device_id, sequence, report_a, signature_a, report_b, signature_b, detected_at, submitted_tx \
             FROM evidence {} ORDER BY detected_at, id",
            if pending_only { "WHERE submitted_tx IS NULL" } else { "" }
        );
        self.with_conn(|c| {
            Ok(c.query(&sql, &[])?
                .iter()
                .map(|r| Evidence {
                    device_id: u(r.get(0)),
                    sequence: u(r.get(1)),
                    report_a: r.get(2),
                    signature_a: r.get(3),
                    report_b: r.get(4),
                    signature_b: r.get(5),
                    detected_at: u(r.get(6)),
                    submitted_tx: r.get(7),
                })
                .collect())
        })
    }

    fn mark_evidence_submitted(&self, device_id: u64, sequence: u64, tx_hash: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE evidence SET submitted_tx = $3 WHERE device_id = $1 AND sequence = $2",
                &[&i(device_id), &i(sequence), &tx_hash],
            )?;
            Ok(())
        })
    }

    fn save_epoch(&self, e: &StoredEpoch) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            // Exclusive against inserts of this epoch (they hold it shared) and against another save of it.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&LOCK_SPACE_EPOCH, &bucket(e.epoch)],
            )?;
            let existing = tx.query_opt(
                "SELECT root, telemetry_commitment FROM epochs WHERE epoch = $1",
                &[&i(e.epoch)],
            )?;
            if let Some(row) = existing {
                let (root, commitment): (Vec<u8>, Vec<u8>) = (row.get(0), row.get(1));
                return if root == e.root && commitment == e.telemetry_commitment {
                    Ok(())
                } else {
                    Err(StoreError::EpochConflict(e.epoch))
                };
            }
            tx.execute(
                "INSERT INTO epochs (epoch, root, telemetry_commitment, budget, total_distributed, remainder, \
                 total_points, device_count, input_count, end_height, weights, computed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[
                    &i(e.epoch),
                    &e.root.as_slice(),
                    &e.telemetry_commitment.as_slice(),
                    &e.budget.to_string(),
                    &e.total_distributed.to_string(),
                    &e.remainder.to_string(),
                    &e.total_points,
                    &i(e.device_count),
                    &i(e.input_count),
                    &i(e.end_height),
                    &e.weights_json,
                    &i(e.computed_at),
                ],
            )?;
            let d = &e.inputs;
            let ints = |f: &dyn Fn(&EpochInput) -> u64| -> Vec<i64> { d.iter().map(|x| i(f(x))).collect() };
            let texts = |f: &dyn Fn(&EpochInput) -> String| -> Vec<String> { d.iter().map(f).collect() };
            tx.execute(
                "INSERT INTO epoch_inputs (epoch, device_id, owner, uptime_secs, tasks_completed, interactions, \
                 multiplier, points, amount) \
                 SELECT $1, * FROM unnest($2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], \
                 $7::text[], $8::text[], $9::text[])",
                &[
                    &i(e.epoch),
                    &ints(&|x| x.device_id),
                    &texts(&|x| x.owner.clone()),
                    &ints(&|x| x.uptime_secs),
                    &ints(&|x| x.tasks_completed),
                    &ints(&|x| x.interactions),
                    &texts(&|x| x.multiplier.to_string()),
                    &texts(&|x| x.points.to_string()),
                    &texts(&|x| x.amount.to_string()),
                ],
            )?;
            Ok(())
        })
    }

    fn epoch(&self, epoch: u64) -> Result<Option<StoredEpoch>, StoreError> {
        // One transaction so the head and the inputs are of one committed state.
        self.with_tx(|tx| {
            let Some(h) = tx.query_opt(
                "SELECT root, telemetry_commitment, budget, total_distributed, remainder, total_points, \
                 device_count, input_count, end_height, weights, computed_at FROM epochs WHERE epoch = $1",
                &[&i(epoch)],
            )?
            else {
                return Ok(None);
            };
            let rows = tx.query(
                "SELECT device_id, owner, uptime_secs, tasks_completed, interactions, multiplier, points, amount \
                 FROM epoch_inputs WHERE epoch = $1",
                &[&i(epoch)],
            )?;
            let mut inputs = Vec::with_capacity(rows.len());
            for r in &rows {
                inputs.push(EpochInput {
                    device_id: u(r.get(0)),
                    owner: r.get(1),
                    uptime_secs: u(r.get(2)),
                    tasks_completed: u(r.get(3)),
                    interactions: u(r.get(4)),
                    multiplier: parse_u128(r.get(5), "multiplier")?,
                    points: parse_u128(r.get(6), "points")?,
                    amount: parse_u128(r.get(7), "amount")?,
                });
            }
            inputs.sort_unstable_by_key(|d| d.device_id);
            Ok(Some(StoredEpoch {
                epoch,
                root: hash32(h.get(0), "root")?,
                telemetry_commitment: hash32(h.get(1), "telemetry commitment")?,
                budget: parse_u128(h.get(2), "budget")?,
                total_distributed: parse_u128(h.get(3), "total_distributed")?,
                remainder: parse_u128(h.get(4), "remainder")?,
                total_points: h.get(5),
                device_count: u(h.get(6)),
                input_count: u(h.get(7)),
                end_height: u(h.get(8)),
                weights_json: h.get(9),
                computed_at: u(h.get(10)),
                inputs,
            }))
        })
    }

    fn latest_epoch(&self) -> Result<Option<u64>, StoreError> {
        // Max in Rust: the column holds bit-cast u64s (schema docs).
        self.with_conn(|c| {
            Ok(c.query("SELECT epoch FROM epochs", &[])?
                .iter()
                .map(|r| u(r.get(0)))
                .max())
        })
    }

    fn report_state(&self, epoch: u64) -> Result<Option<ReportState>, StoreError> {
        let row = self.with_conn(|c| {
            Ok(c.query_opt(
                "SELECT status, tx_hash, height, attempts, last_error, updated_at FROM reports WHERE epoch = $1",
                &[&i(epoch)],
            )?)
        })?;
        let Some(r) = row else { return Ok(None) };
        let status: String = r.get(0);
        let height: Option<i64> = r.get(2);
        let attempts: i64 = r.get(3);
        Ok(Some(ReportState {
            epoch,
            status: ReportStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("report status {status:?}")))?,
            tx_hash: r.get(1),
            height: height.map(u),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            last_error: r.get(4),
            updated_at: u(r.get(5)),
        }))
    }

    fn set_report_state(&self, s: &ReportState) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO reports (epoch, status, tx_hash, height, attempts, last_error, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (epoch) DO UPDATE SET status = EXCLUDED.status, \
                 tx_hash = EXCLUDED.tx_hash, height = EXCLUDED.height, attempts = EXCLUDED.attempts, \
                 last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at",
                &[
                    &i(s.epoch),
                    &s.status.as_str(),
                    &s.tx_hash,
                    &s.height.map(i),
                    &i64::from(s.attempts),
                    &s.last_error,
                    &i(s.updated_at),
                ],
            )?;
            Ok(())
        })
    }

    fn unreported_epochs(&self) -> Result<Vec<u64>, StoreError> {
        let mut out: Vec<u64> = self.with_conn(|c| {
            Ok(c.query(
                "SELECT e.epoch FROM epochs e LEFT JOIN reports r ON r.epoch = e.epoch \
                 WHERE r.epoch IS NULL OR r.status = 'pending'",
                &[],
            )?
            .iter()
            .map(|r| u(r.get(0)))
            .collect())
        })?;
        out.sort_unstable();
        Ok(out)
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        self.with_tx(|tx| {
            let row = tx.query_one(
                "SELECT (SELECT COUNT(*) FROM devices), (SELECT COUNT(*) FROM telemetry), \
                 (SELECT COUNT(*) FROM evidence), (SELECT COUNT(*) FROM epochs)",
                &[],
            )?;
            let latest = tx
                .query("SELECT epoch FROM epochs", &[])?
                .iter()
                .map(|r| u(r.get(0)))
                .max();
            Ok(StoreStats {
                devices: u(row.get(0)),
                telemetry_records: u(row.get(1)),
                evidence: u(row.get(2)),
                epochs_computed: u(row.get(3)),
                latest_computed_epoch: latest,
            })
        })
    }
}
