//! SQLite schema and its migrations. Each migration runs once, in its own transaction, and is recorded in
//! `schema_migrations`; add new ones at the end, never edit an applied one.
//!
//! u64 values are stored in INTEGER columns bit-cast to i64 (SQLite integers are signed); comparisons and sorting on
//! them happen in Rust, never in SQL. u128 amounts are decimal TEXT.

use rusqlite::{params, Connection, TransactionBehavior};

use super::StoreError;

/// (version, SQL), ascending.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- One row per device that ever had a report accepted.
CREATE TABLE devices (
    device_id     INTEGER PRIMARY KEY,
    last_sequence INTEGER NOT NULL,
    reports       INTEGER NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL
);
-- Every accepted signed report (the bytes the device signed and its signature).
CREATE TABLE telemetry (
    device_id       INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    epoch           INTEGER NOT NULL,
    timestamp       INTEGER NOT NULL,
    uptime_secs     INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL,
    interactions    INTEGER NOT NULL,
    receipts_hash   BLOB,
    encoded         BLOB NOT NULL,
    signature       BLOB NOT NULL,
    received_at     INTEGER NOT NULL,
    PRIMARY KEY (device_id, sequence)
) WITHOUT ROWID;
CREATE INDEX telemetry_by_epoch ON telemetry (epoch, device_id);
-- Per (epoch, device): the counters of the highest-sequence accepted report.
CREATE TABLE aggregates (
    epoch           INTEGER NOT NULL,
    device_id       INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    uptime_secs     INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL,
    interactions    INTEGER NOT NULL,
    reports         INTEGER NOT NULL,
    PRIMARY KEY (epoch, device_id)
) WITHOUT ROWID;
-- Device equivocation: two signed reports with one (device, sequence).
CREATE TABLE evidence (
    device_id    INTEGER NOT NULL,
    sequence     INTEGER NOT NULL,
    report_a     BLOB NOT NULL,
    signature_a  BLOB NOT NULL,
    report_b     BLOB NOT NULL,
    signature_b  BLOB NOT NULL,
    detected_at  INTEGER NOT NULL,
    submitted_tx TEXT,
    PRIMARY KEY (device_id, sequence)
);
-- Computed epochs (a row closes the epoch to new telemetry).
CREATE TABLE epochs (
    epoch                INTEGER PRIMARY KEY,
    root                 BLOB NOT NULL,
    telemetry_commitment BLOB NOT NULL,
    budget               TEXT NOT NULL,
    total_distributed    TEXT NOT NULL,
    remainder            TEXT NOT NULL,
    total_points         TEXT NOT NULL,
    device_count         INTEGER NOT NULL,
    input_count          INTEGER NOT NULL,
    end_height           INTEGER NOT NULL,
    weights              TEXT NOT NULL,
    computed_at          INTEGER NOT NULL
);
-- Inputs and outcome of each device of a computed epoch (amount "0": no leaf).
CREATE TABLE epoch_inputs (
    epoch           INTEGER NOT NULL,
    device_id       INTEGER NOT NULL,
    owner           TEXT NOT NULL,
    uptime_secs     INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL,
    interactions    INTEGER NOT NULL,
    multiplier      TEXT NOT NULL,
    points          TEXT NOT NULL,
    amount          TEXT NOT NULL,
    PRIMARY KEY (epoch, device_id)
) WITHOUT ROWID;
-- Report submission state per epoch.
CREATE TABLE reports (
    epoch      INTEGER PRIMARY KEY,
    status     TEXT NOT NULL,
    tx_hash    TEXT,
    height     INTEGER,
    attempts   INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
"#,
    ),
    (
        2,
        // Telemetry in arrival order. Keyed by (device, sequence), every report of a batch rewrote a page of its own
        // device (and another one of the by-epoch index): the WAL and checkpoint traffic of that was more than half
        // of the store's CPU per ingested report (`cargo run --release -p edgemint-oracle --example store_bench`).
        // Appended in rowid order a batch fills a few fresh pages; only the narrow (device, sequence) index, which
        // the sequence rule needs, stays scattered by device. Nothing reads telemetry by epoch (epochs are computed
        // from `aggregates`), so that index goes, and the report's fields are no longer copied out of the signed
        // bytes into columns of their own (`decode_stored` reads them from `encoded`).
        r#"
CREATE TABLE telemetry_log (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL,
    sequence    INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,
    encoded     BLOB NOT NULL,
    signature   BLOB NOT NULL,
    received_at INTEGER NOT NULL
);
INSERT INTO telemetry_log (device_id, sequence, epoch, encoded, signature, received_at)
    SELECT device_id, sequence, epoch, encoded, signature, received_at
    FROM telemetry ORDER BY received_at, device_id, sequence;
DROP TABLE telemetry;
ALTER TABLE telemetry_log RENAME TO telemetry;
CREATE UNIQUE INDEX telemetry_device_sequence ON telemetry (device_id, sequence);
"#,
    ),
    (
        3,
        // The (device, sequence) lookup in two levels instead of one index on `telemetry`. That index took one entry
        // per report in the part of the B-tree of the report's device, so once devices had a few dozen reports each,
        // every transaction rewrote (into the WAL, 4 KiB each) about one index page per device in it, and the
        // store's CPU per report nearly doubled as it filled (`store_bench`, by thirds of the run). New entries now
        // go to `telemetry_recent`, which stays small (tens of pages, shared by many devices); past a bound they are
        // moved in one sorted statement into `telemetry_index`, which then rewrites a device's page once for all of
        // its entries since the last move. A lookup reads both tables (`sqlite.rs`).
        r#"
CREATE TABLE telemetry_recent (
    device_id INTEGER NOT NULL,
    sequence  INTEGER NOT NULL,
    row       INTEGER NOT NULL,
    PRIMARY KEY (device_id, sequence)
) WITHOUT ROWID;
CREATE TABLE telemetry_index (
    device_id INTEGER NOT NULL,
    sequence  INTEGER NOT NULL,
    row       INTEGER NOT NULL,
    PRIMARY KEY (device_id, sequence)
) WITHOUT ROWID;
INSERT INTO telemetry_index (device_id, sequence, row)
    SELECT device_id, sequence, id FROM telemetry ORDER BY device_id, sequence;
DROP INDEX telemetry_device_sequence;
"#,
    ),
];

/// SQLite page cache per connection, KiB.
pub const PAGE_CACHE_KIB: u32 = 64 * 1024;

/// WAL size (pages) at which a commit checkpoints it into the database; SQLite's default is 1,000 (4 MiB).
pub const WAL_AUTOCHECKPOINT_PAGES: u32 = 1_000;

/// Applies the pragmas every connection needs and the pending migrations.
pub fn prepare(conn: &mut Connection) -> Result<(), StoreError> {
    // WAL: readers never block the writer; synchronous=FULL: a committed transaction survives power loss.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "cannot enable WAL (journal_mode is {mode})"
        )));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")?;
    // A 64 MiB page cache (SQLite's default is 2 MiB) keeps the pages that ingest touches for every device (the
    // telemetry and aggregates B-trees are keyed by device) in memory instead of re-reading them from the OS for
    // each transaction: that read traffic was a large part of the daemon's CPU time under load (`make bench`).
    conn.execute_batch(&format!("PRAGMA cache_size = -{};", PAGE_CACHE_KIB))?;
    // Checkpoint every 4 MiB (SQLite's default), set explicitly because it was measured: with the two-level
    // (device, sequence) lookup (migration 3) a transaction rewrites few pages, so a 64 MiB WAL saved little
    // checkpoint copying, while its growing file and index made the daemon's ingest ~4% dearer per report by the end
    // of `make bench` (signature checks share the CPU caches with the store); with 4 MiB the rate stays level.
    conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {};", WAL_AUTOCHECKPOINT_PAGES))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, crate::clock::unix_now() as i64],
            )?;
            tracing::info!(version, "applied store migration");
        }
        tx.commit()?;
    }
    let newest: Option<i64> = conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0))?;
    let known = MIGRATIONS.last().map(|m| m.0);
    if newest > known {
        return Err(StoreError::Corrupt(format!(
            "store schema version {newest:?} is newer than this daemon's {known:?}"
        )));
    }
    Ok(())
}
