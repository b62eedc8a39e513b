//! PostgreSQL schema and its migrations: the same tables and rules as the SQLite schema (`schema.rs`). Each
//! migration runs once, in its own transaction under a database-wide advisory lock (daemons starting together
//! against one database never apply one twice), and is recorded in `schema_migrations`; add new ones at the end,
//! never edit an applied one.
//!
//! u64 values are stored in BIGINT columns bit-cast to i64, exactly as in SQLite; comparisons and sorting on them
//! happen in Rust, never in SQL. u128 amounts are decimal TEXT.

use postgres::{Client, IsolationLevel};

use super::StoreError;

/// Advisory lock key space of this daemon (first key of the two-key form, so it never meets other applications'
/// single-bigint keys); the second key says what is locked.
pub const LOCK_SPACE_MIGRATE: i32 = 0x4544_4d00; // "EDM\0"
pub const LOCK_SPACE_DEVICE: i32 = 0x4544_4d01;
pub const LOCK_SPACE_EPOCH: i32 = 0x4544_4d02;

/// (version, SQL), ascending.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE devices (
    device_id     BIGINT PRIMARY KEY,
    last_sequence BIGINT NOT NULL,
    reports       BIGINT NOT NULL,
    first_seen    BIGINT NOT NULL,
    last_seen     BIGINT NOT NULL
);
CREATE TABLE telemetry (
    device_id       BIGINT NOT NULL,
    sequence        BIGINT NOT NULL,
    epoch           BIGINT NOT NULL,
    timestamp       BIGINT NOT NULL,
    uptime_secs     BIGINT NOT NULL,
    tasks_completed BIGINT NOT NULL,
    interactions    BIGINT NOT NULL,
    receipts_hash   BYTEA,
    encoded         BYTEA NOT NULL,
    signature       BYTEA NOT NULL,
    received_at     BIGINT NOT NULL,
    PRIMARY KEY (device_id, sequence)
);
CREATE INDEX telemetry_by_epoch ON telemetry (epoch, device_id);
CREATE TABLE aggregates (
    epoch           BIGINT NOT NULL,
    device_id       BIGINT NOT NULL,
    sequence        BIGINT NOT NULL,
    uptime_secs     BIGINT NOT NULL,
    tasks_completed BIGINT NOT NULL,
    interactions    BIGINT NOT NULL,
    reports         BIGINT NOT NULL,
    PRIMARY KEY (epoch, device_id)
);
-- `id` gives the insertion order SQLite gets from its rowid.
CREATE TABLE evidence (
    id           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    device_id    BIGINT NOT NULL,
    sequence     BIGINT NOT NULL,
    report_a     BYTEA NOT NULL,
    signature_a  BYTEA NOT NULL,
    report_b     BYTEA NOT NULL,
    signature_b  BYTEA NOT NULL,
    detected_at  BIGINT NOT NULL,
    submitted_tx TEXT,
    PRIMARY KEY (device_id, sequence)
);
CREATE TABLE epochs (
    epoch                BIGINT PRIMARY KEY,
    root                 BYTEA NOT NULL,
    telemetry_commitment BYTEA NOT NULL,
    budget               TEXT NOT NULL,
    total_distributed    TEXT NOT NULL,
    remainder            TEXT NOT NULL,
    total_points         TEXT NOT NULL,
    device_count         BIGINT NOT NULL,
    input_count          BIGINT NOT NULL,
    end_height           BIGINT NOT NULL,
    weights              TEXT NOT NULL,
    computed_at          BIGINT NOT NULL
);
CREATE TABLE epoch_inputs (
    epoch           BIGINT NOT NULL,
    device_id       BIGINT NOT NULL,
    owner           TEXT NOT NULL,
    uptime_secs     BIGINT NOT NULL,
    tasks_completed BIGINT NOT NULL,
    interactions    BIGINT NOT NULL,
    multiplier      TEXT NOT NULL,
    points          TEXT NOT NULL,
    amount          TEXT NOT NULL,
    PRIMARY KEY (epoch, device_id)
);
CREATE TABLE reports (
    epoch      BIGINT PRIMARY KEY,
    status     TEXT NOT NULL,
    tx_hash    TEXT,
    height     BIGINT,
    attempts   BIGINT NOT NULL,
    last_error TEXT,
    updated_at BIGINT NOT NULL
);
"#,
    ),
    (
        2,
        // Nothing reads telemetry by epoch (epochs are computed from `aggregates`), and keeping the index cost one
        // more B-tree write per accepted report: a large part of the ingest path's page writes.
        "DROP INDEX IF EXISTS telemetry_by_epoch;",
    ),
];

/// Applies the pending migrations and refuses a database migrated by a newer daemon.
pub fn prepare(client: &mut Client) -> Result<(), StoreError> {
    let lock = "SELECT pg_advisory_xact_lock($1, 0)";
    {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        tx.execute(lock, &[&LOCK_SPACE_MIGRATE])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )?;
        tx.commit()?;
    }
    for (version, sql) in MIGRATIONS {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        tx.execute(lock, &[&LOCK_SPACE_MIGRATE])?;
        let done: bool = tx
            .query_one(
                "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = $1)",
                &[version],
            )?
            .get(0);
        if !done {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &(crate::clock::unix_now() as i64)],
            )?;
            tracing::info!(version, "applied store migration");
        }
        tx.commit()?;
    }
    let newest: Option<i64> = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])?
        .get(0);
    let known = MIGRATIONS.last().map(|m| m.0);
    if newest > known {
        return Err(StoreError::Corrupt(format!(
            "store schema version {newest:?} is newer than this daemon's {known:?}"
        )));
    }
    Ok(())
}
