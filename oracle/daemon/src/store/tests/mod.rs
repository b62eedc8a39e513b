//! One conformance suite for every [`Store`] backend: each case below runs against SQLite (a file in a temp dir)
//! and against a real PostgreSQL server started by the test (`pg_server`), as `store::tests::sqlite::<case>` and
//! `store::tests::postgres::<case>`. Then PostgreSQL-only checks (connection strings, tokio, server restart).

pub(crate) mod pg_server;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};

use edgemint_types::telemetry::{encode, TelemetryReport};

use super::*;

const CHAIN: &str = "edgemint-test-1";

/// Stores over one durable state: every `open` after dropping the previous store is a restart.
trait Backend {
    fn try_open(&self) -> Result<Box<dyn Store>, StoreError>;
    fn open(&self) -> Box<dyn Store> {
        self.try_open().unwrap()
    }
    /// Runs SQL on the database behind the store, outside it (to tamper with it).
    fn raw(&self, sql: &str);
}

struct Sqlite {
    dir: tempfile::TempDir,
}

impl Sqlite {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("sub/oracle.sqlite")
    }
}

impl Backend for Sqlite {
    fn try_open(&self) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(SqliteStore::open(&self.path())?))
    }

    fn raw(&self, sql: &str) {
        rusqlite::Connection::open(self.path())
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }
}

struct Postgres {
    url: String,
    // After `url`: the server outlives nothing that uses it.
    _server: Arc<pg_server::PgServer>,
}

impl Postgres {
    fn new() -> Self {
        let server = pg_server::shared();
        Self {
            url: server.new_database(),
            _server: server,
        }
    }
}

impl Backend for Postgres {
    fn try_open(&self) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(PostgresStore::connect(&self.url)?))
    }

    fn raw(&self, sql: &str) {
        ::postgres::Client::connect(&self.url, ::postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

fn timed(backend: &str, case: &str, f: impl FnOnce()) {
    let t0 = std::time::Instant::now();
    f();
    eprintln!("{backend}::{case} passed in {:?}", t0.elapsed());
}

/// Runs each case against both backends.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $case() { super::timed("sqlite", stringify!($case), || super::$case(&super::Sqlite::new())); } )*
        }
        mod postgres {
            $( #[test] fn $case() { super::timed("postgres", stringify!($case), || super::$case(&super::Postgres::new())); } )*
        }
    };
}

conformance!(
    latest_sequence_wins_and_duplicates_change_nothing,
    equivocation_keeps_both_records_and_stale_is_rejected,
    one_batch_applies_the_rule_in_order,
    large_batches_match_a_model_of_the_rule,
    u64_values_round_trip_and_compare_unsigned,
    restart_loses_nothing_and_replay_is_duplicate,
    epochs_close_and_round_trip,
    meta_binds_the_store,
    newer_schema_is_refused,
    concurrent_inserts_of_one_device_keep_the_sequence_rule,
    a_lower_sequence_racing_a_higher_one_never_lowers_the_last,
    concurrent_full_batches_of_distinct_devices,
    concurrent_conflicting_records_give_one_acceptance_and_evidence,
    concurrent_saves_of_one_epoch_are_idempotent,
    an_epoch_closes_atomically_against_concurrent_inserts,
);

fn rec(device: u64, seq: u64, epoch: u64, uptime: u64, tasks: u64) -> TelemetryRecord {
    let report = TelemetryReport {
        device_id: device,
        sequence: seq,
        timestamp: 1_700_000_000 + (seq % 1_000_000),
        epoch,
        uptime_secs: uptime,
        tasks_completed: tasks,
        interactions: 3,
        receipts_hash: (seq % 3 == 0).then(|| cosmwasm_std::HexBinary::from(vec![seq as u8; 32])),
    };
    let encoded = encode(CHAIN, &report).unwrap();
    TelemetryRecord {
        report,
        signature: vec![seq as u8; 64],
        encoded,
        received_at: 1_700_000_000 + (seq % 1_000_000),
    }
}

fn stored_epoch(epoch: u64, root: u8) -> StoredEpoch {
    StoredEpoch {
        epoch,
        root: [root; 32],
        telemetry_commitment: [8; 32],
        budget: u128::MAX,
        total_distributed: 10,
        remainder: u128::MAX - 10,
        total_points: "123456789012345678901234567890123456789012".into(),
        device_count: 1,
        input_count: 2,
        end_height: 99,
        weights_json: "{}".into(),
        computed_at: 5,
        inputs: vec![
            EpochInput {
                device_id: u64::MAX,
                owner: "emc1b".into(),
                uptime_secs: 0,
                tasks_completed: 0,
                interactions: 0,
                multiplier: 10u128.pow(18),
                points: 0,
                amount: 0,
            },
            EpochInput {
                device_id: 1,
                owner: "emc1a".into(),
                uptime_secs: 100,
                tasks_completed: 1,
                interactions: 3,
                multiplier: 15 * 10u128.pow(17),
                points: u128::MAX,
                amount: 10,
            },
        ],
    }
}

fn latest_sequence_wins_and_duplicates_change_nothing(b: &dyn Backend) {
    let s = b.open();
    let out = s
        .insert_telemetry(&[rec(1, 1, 5, 100, 1), rec(1, 2, 5, 200, 4), rec(2, 9, 5, 50, 0)])
        .unwrap();
    assert_eq!(out, vec![InsertOutcome::Accepted; 3]);
    // re-send of the last and of an older record: duplicates
    let out = s
        .insert_telemetry(&[rec(1, 2, 5, 200, 4), rec(1, 1, 5, 100, 1)])
        .unwrap();
    assert_eq!(out, vec![InsertOutcome::Duplicate; 2]);
    let aggs = s.aggregates(5).unwrap();
    assert_eq!(aggs.len(), 2);
    assert_eq!(
        aggs[0],
        Aggregate {
            epoch: 5,
            device_id: 1,
            sequence: 2,
            uptime_secs: 200,
            tasks_completed: 4,
            interactions: 3,
            reports: 2
        }
    );
    assert_eq!(s.last_sequence(1).unwrap(), Some(2));
    assert_eq!(s.last_sequence(3).unwrap(), None);
    // next epoch: its own aggregate, epoch 5 unchanged
    assert_eq!(
        s.insert_telemetry(&[rec(1, 3, 6, 10, 0)]).unwrap(),
        vec![InsertOutcome::Accepted]
    );
    assert_eq!(s.aggregate(5, 1).unwrap().unwrap().sequence, 2);
    assert_eq!(s.aggregate(6, 1).unwrap().unwrap().uptime_secs, 10);
    assert_eq!(s.aggregate(6, 2).unwrap(), None);
    assert!(s.evidence(false).unwrap().is_empty());
    assert_eq!(s.insert_telemetry(&[]).unwrap(), vec![]);
}

fn equivocation_keeps_both_records_and_stale_is_rejected(b: &dyn Backend) {
    let s = b.open();
    s.insert_telemetry(&[rec(7, 10, 1, 100, 1), rec(7, 12, 1, 300, 2)])
        .unwrap();
    let mut other = rec(7, 10, 1, 999, 1);
    other.signature = vec![0xee; 64];
    let out = s
        .insert_telemetry(&[other.clone(), rec(7, 11, 1, 1, 1), rec(7, 12, 1, 300, 3)])
        .unwrap();
    assert_eq!(
        out,
        vec![
            InsertOutcome::Equivocation,
            InsertOutcome::StaleSequence { last: 12 },
            InsertOutcome::Equivocation
        ]
    );
    let ev = s.evidence(true).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].device_id, 7);
    assert_eq!(ev[0].sequence, 10);
    assert_eq!(ev[0].report_a, rec(7, 10, 1, 100, 1).encoded);
    assert_eq!(ev[0].signature_a, rec(7, 10, 1, 100, 1).signature);
    assert_eq!(ev[0].report_b, other.encoded);
    assert_eq!(ev[0].signature_b, vec![0xee; 64]);
    assert_eq!(ev[1].sequence, 12);
    // aggregate untouched by rejected records
    assert_eq!(s.aggregate(1, 7).unwrap().unwrap().uptime_secs, 300);
    assert_eq!(s.aggregate(1, 7).unwrap().unwrap().reports, 2);
    s.mark_evidence_submitted(7, 10, "ABC").unwrap();
    assert_eq!(s.evidence(true).unwrap().len(), 1);
    assert_eq!(s.evidence(false).unwrap()[0].submitted_tx.as_deref(), Some("ABC"));
    // a second, different conflict at the same sequence keeps the first evidence
    s.insert_telemetry(&[rec(7, 10, 1, 5, 5)]).unwrap();
    assert_eq!(s.evidence(false).unwrap().len(), 2);
    assert_eq!(s.evidence(false).unwrap()[0].report_b, other.encoded);
    assert_eq!(decode_stored(&ev[0].report_b).unwrap().uptime_secs, 999);
    assert_eq!(s.stats().unwrap().evidence, 2);
}

/// Records of one batch see the records accepted before them in the same batch.
fn one_batch_applies_the_rule_in_order(b: &dyn Backend) {
    let s = b.open();
    let mut conflicting = rec(1, 5, 2, 77, 0);
    conflicting.signature = vec![1; 64];
    let out = s
        .insert_telemetry(&[
            rec(1, 5, 2, 10, 0),
            rec(2, 1, 2, 10, 0),
            rec(1, 5, 2, 10, 0),
            conflicting.clone(),
            rec(1, 4, 2, 10, 0),
            rec(1, 6, 2, 20, 1),
            rec(1, 7, 3, 30, 2),
            rec(2, 2, 2, 40, 3),
            rec(1, 6, 2, 20, 1),
        ])
        .unwrap();
    use InsertOutcome::*;
    assert_eq!(
        out,
        vec![
            Accepted,
            Accepted,
            Duplicate,
            Equivocation,
            StaleSequence { last: 5 },
            Accepted,
            Accepted,
            Accepted,
            Duplicate
        ]
    );
    let ev = s.evidence(false).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].report_a.clone(), ev[0].report_b.clone()),
        (rec(1, 5, 2, 10, 0).encoded, conflicting.encoded)
    );
    assert_eq!(s.aggregate(2, 1).unwrap().unwrap().sequence, 6);
    assert_eq!(s.aggregate(2, 1).unwrap().unwrap().reports, 2);
    assert_eq!(s.aggregate(3, 1).unwrap().unwrap().reports, 1);
    assert_eq!(s.aggregate(2, 2).unwrap().unwrap().uptime_secs, 40);
    assert_eq!(s.last_sequence(1).unwrap(), Some(7));
    let st = s.stats().unwrap();
    assert_eq!((st.devices, st.telemetry_records, st.evidence), (2, 5, 1));
}

/// Batches far larger than one multi-row statement, with duplicates, conflicts and stale sequences falling on and
/// around statement boundaries: every outcome, aggregate and count equals a plain model of the sequence rule.
fn large_batches_match_a_model_of_the_rule(b: &dyn Backend) {
    use std::collections::HashMap;
    let s = b.open();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    // The model: stored bytes per (device, sequence), last sequence per device, aggregates per (epoch, device).
    let mut stored: HashMap<(u64, u64), Vec<u8>> = HashMap::new();
    let mut conflicts: std::collections::HashSet<(u64, u64)> = Default::default();
    let mut last: HashMap<u64, u64> = HashMap::new();
    let mut aggs: HashMap<(u64, u64), (u64, u64, u64)> = HashMap::new(); // (sequence, uptime, reports)
    let mut accepted_total = 0u64;
    let mut seq_of: HashMap<u64, u64> = HashMap::new();
    for batch_len in [1usize, 31, 32, 33, 95, 300, 700] {
        let mut batch = Vec::new();
        for _ in 0..batch_len {
            let device = next(40);
            let seq = seq_of.entry(device).or_insert(0);
            let r = match next(10) {
                // a re-send of an earlier sequence (duplicate), a conflicting one (equivocation) or an unseen lower
                // one (stale): the same (device, sequence) with the original or different counters
                0 if *seq > 1 => rec(device, 1 + next(*seq), 5, 10 * *seq, 0),
                1 if *seq > 1 => rec(device, 1 + next(*seq), 5, 7, 1),
                _ => {
                    *seq += 1 + next(2);
                    rec(device, *seq, 5 + *seq / 20, 10 * *seq, 0)
                }
            };
            batch.push(r);
        }
        let mut expected = Vec::new();
        for r in &batch {
            let (d, q) = (r.report.device_id, r.report.sequence);
            expected.push(match (last.get(&d), stored.get(&(d, q))) {
                (Some(l), Some(bytes)) if q <= *l && *bytes == r.encoded => InsertOutcome::Duplicate,
                (Some(l), Some(_)) if q <= *l => {
                    conflicts.insert((d, q)); // evidence is kept once per (device, sequence)
                    InsertOutcome::Equivocation
                }
                (Some(l), None) if q <= *l => InsertOutcome::StaleSequence { last: *l },
                _ => {
                    stored.insert((d, q), r.encoded.clone());
                    last.insert(d, q);
                    let a = aggs.entry((r.report.epoch, d)).or_insert((0, 0, 0));
                    *a = (q, r.report.uptime_secs, a.2 + 1);
                    accepted_total += 1;
                    InsertOutcome::Accepted
                }
            });
        }
        assert_eq!(s.insert_telemetry(&batch).unwrap(), expected, "batch of {batch_len}");
    }
    assert!(!conflicts.is_empty(), "the generator made no conflicts");
    let st = s.stats().unwrap();
    assert_eq!(
        (st.devices, st.telemetry_records, st.evidence),
        (last.len() as u64, accepted_total, conflicts.len() as u64)
    );
    for ((epoch, device), (sequence, uptime, reports)) in aggs {
        let a = s.aggregate(epoch, device).unwrap().expect("aggregate");
        assert_eq!(
            (a.sequence, a.uptime_secs, a.reports),
            (sequence, uptime, reports),
            "epoch {epoch} device {device}"
        );
    }
    for (device, l) in last {
        assert_eq!(s.last_sequence(device).unwrap(), Some(l));
    }
}

/// u64s above i64::MAX are stored bit-cast; the rule and the orderings still compare them as u64.
fn u64_values_round_trip_and_compare_unsigned(b: &dyn Backend) {
    let s = b.open();
    let big = 1u64 << 63;
    let dev = u64::MAX;
    assert_eq!(
        s.insert_telemetry(&[
            rec(dev, 5, 1, 1, 1),
            rec(dev, big + 1, u64::MAX, 2, 2),
            rec(3, 1, 1, 1, 1)
        ])
        .unwrap(),
        vec![InsertOutcome::Accepted; 3]
    );
    assert_eq!(
        s.insert_telemetry(&[rec(dev, 6, 1, 1, 1)]).unwrap(),
        vec![InsertOutcome::StaleSequence { last: big + 1 }]
    );
    assert_eq!(s.last_sequence(dev).unwrap(), Some(big + 1));
    let a = s.aggregate(u64::MAX, dev).unwrap().unwrap();
    assert_eq!((a.epoch, a.device_id, a.sequence), (u64::MAX, dev, big + 1));
    let ids: Vec<u64> = s.aggregates(1).unwrap().iter().map(|a| a.device_id).collect();
    assert_eq!(ids, vec![3, dev]);
    s.save_epoch(&stored_epoch(big, 1)).unwrap();
    s.save_epoch(&stored_epoch(3, 1)).unwrap();
    assert_eq!(s.latest_epoch().unwrap(), Some(big));
    assert_eq!(s.unreported_epochs().unwrap(), vec![3, big]);
    assert_eq!(s.epoch(big).unwrap().unwrap().inputs[1].device_id, u64::MAX);
    assert_eq!(s.stats().unwrap().latest_computed_epoch, Some(big));
}

fn restart_loses_nothing_and_replay_is_duplicate(b: &dyn Backend) {
    let batch: Vec<_> = (0..50u64).map(|k| rec(k % 10, 100 + k, 3, k * 10, k)).collect();
    let before = {
        let s = b.open();
        assert!(s
            .insert_telemetry(&batch)
            .unwrap()
            .iter()
            .all(|o| *o == InsertOutcome::Accepted));
        s.aggregates(3).unwrap()
    }; // dropped: connections closed
    let s = b.open();
    assert_eq!(s.aggregates(3).unwrap(), before);
    assert_eq!(before.len(), 10);
    let replay = s.insert_telemetry(&batch).unwrap();
    assert!(replay.iter().all(|o| *o == InsertOutcome::Duplicate), "{replay:?}");
    assert_eq!(s.aggregates(3).unwrap(), before);
    assert_eq!(s.stats().unwrap().telemetry_records, 50);
    assert_eq!(s.stats().unwrap().devices, 10);
    assert_eq!(s.last_sequence(9).unwrap(), Some(149));
}

fn epochs_close_and_round_trip(b: &dyn Backend) {
    let s = b.open();
    s.insert_telemetry(&[rec(1, 1, 2, 100, 1)]).unwrap();
    let e = stored_epoch(2, 7);
    s.save_epoch(&e).unwrap();
    s.save_epoch(&e).unwrap();
    let mut other = e.clone();
    other.root = [9; 32];
    assert!(matches!(s.save_epoch(&other), Err(StoreError::EpochConflict(2))));
    let mut other = e.clone();
    other.telemetry_commitment = [9; 32];
    assert!(matches!(s.save_epoch(&other), Err(StoreError::EpochConflict(2))));
    let mut loaded = s.epoch(2).unwrap().unwrap();
    assert_eq!(loaded.inputs[0].device_id, 1);
    loaded.inputs.reverse();
    assert_eq!(loaded, e);
    assert_eq!(s.epoch(3).unwrap(), None);
    assert_eq!(s.latest_epoch().unwrap(), Some(2));
    // closed: new records for epoch 2 are refused, re-sends are still duplicates, other epochs go on
    let out = s
        .insert_telemetry(&[rec(1, 2, 2, 200, 1), rec(1, 1, 2, 100, 1), rec(1, 3, 3, 5, 0)])
        .unwrap();
    assert_eq!(
        out,
        vec![
            InsertOutcome::EpochClosed,
            InsertOutcome::Duplicate,
            InsertOutcome::Accepted
        ]
    );
    assert_eq!(s.aggregate(2, 1).unwrap().unwrap().sequence, 1);
    // one transaction mixing closed and open epochs: each record gets its own epoch's answer (the transaction
    // remembers which epochs are closed)
    let out = s
        .insert_telemetry(&[
            rec(1, 4, 2, 1, 1),
            rec(1, 5, 3, 6, 1),
            rec(1, 6, 2, 1, 1),
            rec(1, 7, 3, 9, 1),
        ])
        .unwrap();
    use InsertOutcome::{Accepted, EpochClosed};
    assert_eq!(out, vec![EpochClosed, Accepted, EpochClosed, Accepted]);
    assert_eq!(s.aggregate(3, 1).unwrap().unwrap().uptime_secs, 9);
    assert_eq!(s.aggregate(2, 1).unwrap().unwrap().sequence, 1);
    assert_eq!(s.unreported_epochs().unwrap(), vec![2]);
    assert_eq!(s.report_state(2).unwrap(), None);
    let mut st = ReportState {
        epoch: 2,
        status: ReportStatus::Pending,
        tx_hash: None,
        height: None,
        attempts: 1,
        last_error: Some("timeout".into()),
        updated_at: 7,
    };
    s.set_report_state(&st).unwrap();
    assert_eq!(s.report_state(2).unwrap(), Some(st.clone()));
    assert_eq!(s.unreported_epochs().unwrap(), vec![2]);
    st.status = ReportStatus::Submitted;
    st.tx_hash = Some("HASH".into());
    st.height = Some(42);
    st.attempts = u32::MAX;
    st.last_error = None;
    s.set_report_state(&st).unwrap();
    assert_eq!(s.report_state(2).unwrap(), Some(st));
    assert!(s.unreported_epochs().unwrap().is_empty());
    let stats = s.stats().unwrap();
    assert_eq!(
        stats,
        StoreStats {
            devices: 1,
            telemetry_records: 4,
            evidence: 0,
            epochs_computed: 1,
            latest_computed_epoch: Some(2)
        }
    );
    // and all of it after a restart
    drop(s);
    let s = b.open();
    assert_eq!(s.stats().unwrap(), stats);
    assert_eq!(s.report_state(2).unwrap().unwrap().status, ReportStatus::Submitted);
    s.save_epoch(&e).unwrap();
}

fn meta_binds_the_store(b: &dyn Backend) {
    let s = b.open();
    assert_eq!(s.meta("chain_id").unwrap(), None);
    s.ensure_meta("chain_id", "a").unwrap();
    s.ensure_meta("chain_id", "a").unwrap();
    match s.ensure_meta("chain_id", "b") {
        Err(StoreError::MetaMismatch { key, stored, given }) => {
            assert_eq!((key, stored, given), ("chain_id".into(), "a".into(), "b".into()))
        }
        other => panic!("{other:?}"),
    }
    s.set_meta("x", "1").unwrap();
    s.set_meta("x", "2").unwrap();
    assert_eq!(s.meta("x").unwrap().as_deref(), Some("2"));
    drop(s);
    // reopening applies no migration twice and keeps the binding
    let s = b.open();
    assert_eq!(s.meta("chain_id").unwrap().as_deref(), Some("a"));
    assert!(s.ensure_meta("chain_id", "b").is_err());
}

fn newer_schema_is_refused(b: &dyn Backend) {
    drop(b.open());
    b.raw("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
    match b.try_open() {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("newer"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a store migrated by a newer daemon was opened"),
    }
}

/// Several threads insert reports of the same two devices through one store (the daemon's handlers), in both
/// device orders. A report is accepted only above every sequence acknowledged before its insert began; every
/// outcome is Accepted or StaleSequence; the device's last sequence is the highest accepted one; the aggregate
/// counts exactly the accepted reports; a restart followed by a replay of everything changes nothing.
fn concurrent_inserts_of_one_device_keep_the_sequence_rule(b: &dyn Backend) {
    use std::sync::atomic::{AtomicU64, Ordering};
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 40;
    let store: Arc<dyn Store> = Arc::from(b.open());
    let start = Arc::new(Barrier::new(THREADS as usize));
    // Highest acknowledged sequence of devices 42 and 43.
    let acked = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, start, acked) = (store.clone(), start.clone(), acked.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut done = Vec::new();
                for k in 0..PER_THREAD {
                    // Uneven gaps, so a lost update of the last sequence would let a lower one in later.
                    let seq = 1 + t * 3 + THREADS * 2 * k;
                    let mut batch = vec![rec(42, seq, 1, seq, k), rec(43, seq, 1, seq, k)];
                    if t % 2 == 1 {
                        batch.reverse();
                    }
                    let before: Vec<u64> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
                    let out = store.insert_telemetry(&batch).expect("insert");
                    for (r, o) in batch.iter().zip(&out) {
                        let slot = (r.report.device_id - 42) as usize;
                        if *o == InsertOutcome::Accepted {
                            assert!(
                                seq > before[slot],
                                "device {} accepted {seq} after {} was acknowledged",
                                r.report.device_id,
                                before[slot]
                            );
                            acked[slot].fetch_max(seq, Ordering::SeqCst);
                        }
                    }
                    done.extend(batch.into_iter().zip(out));
                }
                done
            })
        })
        .collect();
    let results: Vec<(TelemetryRecord, InsertOutcome)> =
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect();
    let mut accepted: Vec<TelemetryRecord> = Vec::new();
    for (r, o) in &results {
        match o {
            InsertOutcome::Accepted => accepted.push(r.clone()),
            InsertOutcome::StaleSequence { last } => assert!(*last >= r.report.sequence, "{r:?} {o:?}"),
            other => panic!("unexpected {other:?} for {:?}", r.report),
        }
    }
    let check = |s: &dyn Store| {
        for dev in [42, 43] {
            let seqs: BTreeSet<u64> = accepted
                .iter()
                .filter(|r| r.report.device_id == dev)
                .map(|r| r.report.sequence)
                .collect();
            let max = *seqs.last().expect("something accepted");
            assert_eq!(s.last_sequence(dev).unwrap(), Some(max), "device {dev}");
            let a = s.aggregate(1, dev).unwrap().unwrap();
            assert_eq!(
                (a.sequence, a.uptime_secs, a.reports),
                (max, max, seqs.len() as u64),
                "device {dev}"
            );
        }
        assert_eq!(s.stats().unwrap().telemetry_records, accepted.len() as u64);
        assert_eq!(s.stats().unwrap().devices, 2);
    };
    check(store.as_ref());
    assert!(accepted.len() >= 2);
    drop(store);
    let s = b.open();
    check(s.as_ref());
    let replay = s.insert_telemetry(&accepted).unwrap();
    assert!(replay.iter().all(|o| *o == InsertOutcome::Duplicate), "{replay:?}");
    check(s.as_ref());
}

/// Rounds of two simultaneous inserts of one device, a high and a low sequence (both above everything stored): the
/// high one is always accepted, the low one only if it committed first, and the device's last sequence is the high
/// one after every round (a lost update would leave the low one and let lower sequences in later).
fn a_lower_sequence_racing_a_higher_one_never_lowers_the_last(b: &dyn Backend) {
    const ROUNDS: u64 = 30;
    let stores: Vec<Arc<dyn Store>> = (0..2).map(|_| Arc::from(b.open())).collect();
    let start = Arc::new(Barrier::new(2));
    let handles: Vec<_> = [50u64, 10]
        .into_iter()
        .zip(stores.iter().cloned())
        .map(|(offset, store)| {
            let start = start.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for round in 1..=ROUNDS {
                    start.wait();
                    let seq = 100 * round + offset;
                    out.push((
                        seq,
                        store.insert_telemetry(&[rec(77, seq, 1, seq, 0)]).expect("insert")[0],
                    ));
                    start.wait();
                    if offset == 50 {
                        assert_eq!(store.last_sequence(77).unwrap(), Some(seq), "round {round}");
                    }
                }
                out
            })
        })
        .collect();
    let results: Vec<(u64, InsertOutcome)> = handles.into_iter().flat_map(|h| h.join().expect("thread")).collect();
    for (seq, o) in &results {
        if seq % 100 == 50 {
            assert_eq!(*o, InsertOutcome::Accepted, "{seq}");
        } else {
            assert!(
                matches!(o, InsertOutcome::Accepted | InsertOutcome::StaleSequence { .. }),
                "{seq} {o:?}"
            );
        }
    }
    let accepted = results.iter().filter(|r| r.1 == InsertOutcome::Accepted).count() as u64;
    assert_eq!(stores[0].aggregate(1, 77).unwrap().unwrap().reports, accepted);
}

/// Full-size batches (the server's default `max_batch_items`, 1,000) of distinct devices from several threads at
/// once, overlapping in devices: all stored once, nothing lost or doubled, and no lock exhaustion.
fn concurrent_full_batches_of_distinct_devices(b: &dyn Backend) {
    const THREADS: u64 = 6;
    let store: Arc<dyn Store> = Arc::from(b.open());
    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, start) = (store.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                // thread t: devices 500t .. 500t+999 (each shared with a neighbour), sequence 1 + t
                let batch: Vec<_> = (0..1000).map(|d| rec(500 * t + d, 1 + t, 4, t, d)).collect();
                store.insert_telemetry(&batch).expect("insert")
            })
        })
        .collect();
    let outcomes: Vec<InsertOutcome> = handles.into_iter().flat_map(|h| h.join().expect("thread")).collect();
    let accepted = outcomes.iter().filter(|o| **o == InsertOutcome::Accepted).count() as u64;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, InsertOutcome::Accepted | InsertOutcome::StaleSequence { .. })),
        "unexpected outcome"
    );
    let devices = 500 * (THREADS - 1) + 1000;
    let stats = store.stats().unwrap();
    assert_eq!((stats.devices, stats.telemetry_records), (devices, accepted));
    let aggs = store.aggregates(4).unwrap();
    assert_eq!(aggs.len() as u64, devices);
    assert_eq!(aggs.iter().map(|a| a.reports).sum::<u64>(), accepted);
    for a in aggs.iter().step_by(37) {
        assert_eq!(store.last_sequence(a.device_id).unwrap(), Some(a.sequence));
    }
}

/// Several writers (each its own store: separate connections, as separate daemon processes would have) race to
/// store different records with the same sequence: exactly one is accepted per sequence, every other one is an
/// equivocation, and exactly one evidence row is kept per sequence.
fn concurrent_conflicting_records_give_one_acceptance_and_evidence(b: &dyn Backend) {
    const WRITERS: usize = 6;
    const ROUNDS: u64 = 8;
    let stores: Vec<Arc<dyn Store>> = (0..WRITERS).map(|_| Arc::from(b.open())).collect();
    let start = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(w, store)| {
            let store = store.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for seq in 1..=ROUNDS {
                    start.wait();
                    let r = rec(9, seq, 1, 100 * w as u64 + seq, 0);
                    out.push((seq, w, store.insert_telemetry(&[r]).expect("insert")[0]));
                }
                out
            })
        })
        .collect();
    let results: Vec<(u64, usize, InsertOutcome)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let s = &stores[0];
    for seq in 1..=ROUNDS {
        let of_seq: Vec<_> = results.iter().filter(|r| r.0 == seq).collect();
        let winners: Vec<usize> = of_seq
            .iter()
            .filter(|r| r.2 == InsertOutcome::Accepted)
            .map(|r| r.1)
            .collect();
        assert_eq!(winners.len(), 1, "sequence {seq}: {of_seq:?}");
        // everyone waited for the previous round, so the others all met the winner's record: equivocation
        let equivocations = of_seq.iter().filter(|r| r.2 == InsertOutcome::Equivocation).count();
        assert_eq!(equivocations, WRITERS - 1, "sequence {seq}: {of_seq:?}");
        let ev: Vec<Evidence> = s
            .evidence(false)
            .unwrap()
            .into_iter()
            .filter(|e| e.sequence == seq)
            .collect();
        assert_eq!(ev.len(), 1, "sequence {seq}");
        assert_eq!(ev[0].report_a, rec(9, seq, 1, 100 * winners[0] as u64 + seq, 0).encoded);
    }
    let a = s.aggregate(1, 9).unwrap().unwrap();
    assert_eq!((a.sequence, a.reports), (ROUNDS, ROUNDS));
    assert_eq!(s.stats().unwrap().telemetry_records, ROUNDS);
}

fn concurrent_saves_of_one_epoch_are_idempotent(b: &dyn Backend) {
    const WRITERS: usize = 6;
    let stores: Vec<Arc<dyn Store>> = (0..WRITERS).map(|_| Arc::from(b.open())).collect();
    let start = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(w, store)| {
            let store = store.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for epoch in 1..=5u64 {
                    start.wait();
                    // writer 0 computed a different root for epoch 5
                    let root = if w == 0 && epoch == 5 { 2 } else { 1 };
                    out.push((epoch, store.save_epoch(&stored_epoch(epoch, root))));
                }
                out
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    for (epoch, r) in &results {
        if *epoch < 5 {
            assert!(r.is_ok(), "epoch {epoch}: {r:?}");
        }
    }
    let fives: Vec<_> = results.iter().filter(|(e, _)| *e == 5).collect();
    let conflicts = fives
        .iter()
        .filter(|(_, r)| matches!(r, Err(StoreError::EpochConflict(5))))
        .count();
    assert!(
        fives
            .iter()
            .all(|(_, r)| r.is_ok() || matches!(r, Err(StoreError::EpochConflict(5)))),
        "{fives:?}"
    );
    let stored_root = stores[0].epoch(5).unwrap().unwrap().root;
    // whichever root was stored first, every save with the other one conflicts
    assert_eq!(conflicts, if stored_root == [2; 32] { WRITERS - 1 } else { 1 });
    for epoch in 1..=5 {
        assert_eq!(stores[0].epoch(epoch).unwrap().unwrap().inputs.len(), 2);
    }
    assert_eq!(stores[0].stats().unwrap().epochs_computed, 5);
}

/// Inserts for an epoch race with its save: what the store holds for the epoch right after `save_epoch` returned
/// never changes afterwards (no insert checked "open" before the save and committed after it).
fn an_epoch_closes_atomically_against_concurrent_inserts(b: &dyn Backend) {
    const WRITERS: u64 = 4;
    let store: Arc<dyn Store> = Arc::from(b.open());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut closed = 0;
                let mut seq = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) || closed == 0 {
                    seq += 1;
                    let batch: Vec<_> = (0..4).map(|d| rec(100 * w + d, seq, 9, seq, 0)).collect();
                    let out = store.insert_telemetry(&batch).expect("insert");
                    closed += out.iter().filter(|o| **o == InsertOutcome::EpochClosed).count();
                    assert!(seq < 100_000, "the epoch never closed");
                }
                seq
            })
        })
        .collect();
    // let some inserts land first
    while store.stats().unwrap().telemetry_records < 40 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    store.save_epoch(&stored_epoch(9, 1)).unwrap();
    let at_close = store.aggregates(9).unwrap();
    let records_at_close = store.stats().unwrap().telemetry_records;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.aggregates(9).unwrap(), at_close);
    assert_eq!(store.stats().unwrap().telemetry_records, records_at_close);
}

/// PostgreSQL only: connection strings, errors that never show the password, use from tokio, server restart.
mod postgres_only {
    use super::pg_server::{self, PgServer, INSTALL_HINT};
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn missing_binaries_fail_with_the_install_command() {
        let empty = tempfile::tempdir().unwrap();
        let err = pg_server::find_bin_dir(empty.path()).unwrap_err();
        assert!(err.starts_with(INSTALL_HINT), "{err}");
        assert!(pg_server::find_bin_dir(&empty.path().join("absent"))
            .unwrap_err()
            .starts_with(INSTALL_HINT));
        // the real one (this machine must have it: `make setup` installs it)
        pg_server::find_bin_dir(std::path::Path::new("/usr/lib/postgresql")).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn connection_strings_are_checked_and_never_shown_with_the_password() {
        let t = PgTarget::parse("postgres://oracle:s3cr3t-pw@db.example:6432/edgemint?application_name=x").unwrap();
        assert_eq!(t.describe(), "oracle@db.example:6432/edgemint");
        assert!(!format!("{t:?}").contains("s3cr3t"));
        let t = PgTarget::parse("host=/run/postgresql user=oracle password=s3cr3t-pw dbname=o").unwrap();
        assert_eq!(t.describe(), "oracle@/run/postgresql:5432/o");
        for bad in [
            "postgres://oracle:s3cr3t-pw@db.example:notaport/edgemint",
            "mysql://oracle:s3cr3t-pw@db/x",
            "postgres://oracle:s3cr3t-pw@db.example/edgemint?sslmode=require",
            "postgres://oracle:s3cr3t-pw@db.example",
            "postgres://:s3cr3t-pw@db.example/x",
            "",
        ] {
            let err = PgTarget::parse(bad).expect_err(bad).to_string();
            assert!(!err.contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn a_wrong_password_or_absent_server_is_a_clear_error_without_the_password() {
        let server = pg_server::shared();
        let url = server.new_database().replace(&server.password, "wrong-s3cr3t");
        let err = match PostgresStore::connect(&url) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("connected with a wrong password"),
        };
        assert!(err.contains("password authentication failed"), "{err}");
        assert!(!err.contains("s3cr3t") && !err.contains(&server.password), "{err}");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = match PostgresStore::connect(&format!("postgres://u:s3cr3t@127.0.0.1:{port}/x?connect_timeout=5")) {
            Err(e) => e,
            Ok(_) => panic!("connected to nothing"),
        };
        assert!(matches!(err, StoreError::Connect { .. }), "{err}");
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    /// The daemon's pattern: open and use it from `spawn_blocking`, drop the last reference on an async worker.
    #[test]
    fn usable_from_tokio_and_droppable_on_an_async_worker() {
        let server = pg_server::shared();
        let url = server.new_database();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let store: Arc<dyn Store> = Arc::new(
                tokio::task::spawn_blocking(move || PostgresStore::connect(&url))
                    .await
                    .unwrap()
                    .unwrap(),
            );
            let tasks: Vec<_> = (0..8u64)
                .map(|k| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        tokio::task::spawn_blocking(move || store.insert_telemetry(&[rec(k, 1, 1, 1, 1)]))
                            .await
                            .unwrap()
                            .unwrap()
                    })
                })
                .collect();
            for t in tasks {
                assert_eq!(t.await.unwrap(), vec![InsertOutcome::Accepted]);
            }
            let s = store.clone();
            let stats = tokio::task::spawn_blocking(move || s.stats()).await.unwrap().unwrap();
            assert_eq!(stats.telemetry_records, 8);
            drop(store); // the last reference, on an async worker thread: must not panic
        });
    }

    /// The database server restarts under a running store: calls fail while it is down (nothing acknowledged),
    /// the pool drops its dead connections, and everything committed before is there afterwards.
    #[test]
    fn a_database_restart_loses_nothing_and_the_store_reconnects() {
        let mut server = PgServer::start();
        let url = server.new_database();
        let s = PostgresStore::open(
            PgTarget::parse(&url).unwrap(),
            PoolOptions {
                max_connections: 3,
                acquire_timeout: Duration::from_secs(5),
            },
        )
        .unwrap();
        let batch: Vec<_> = (0..20).map(|k| rec(k % 4, 10 + k, 2, k, k)).collect();
        assert!(s
            .insert_telemetry(&batch)
            .unwrap()
            .iter()
            .all(|o| *o == InsertOutcome::Accepted));
        let before = s.aggregates(2).unwrap();
        server.stop_with(libc::SIGINT); // fast shutdown: the store's connections are cut
        assert!(s.insert_telemetry(&[rec(1, 100, 2, 1, 1)]).is_err());
        server.restart();
        // the first calls may meet connections closed by the restart; the pool replaces them
        let deadline = Instant::now() + Duration::from_secs(20);
        let after = loop {
            match s.aggregates(2) {
                Ok(a) => break a,
                Err(e) => assert!(Instant::now() < deadline, "store did not reconnect: {e}"),
            }
        };
        assert_eq!(after, before);
        let replay = loop {
            match s.insert_telemetry(&batch) {
                Ok(o) => break o,
                Err(e) => assert!(Instant::now() < deadline, "store did not reconnect: {e}"),
            }
        };
        assert!(replay.iter().all(|o| *o == InsertOutcome::Duplicate), "{replay:?}");
        assert_eq!(s.stats().unwrap().telemetry_records, 20);
    }
}

/// SQLite-only: upgrading a store written by an older daemon.
/// SQLite keeps the (device, sequence) lookup in two levels (schema migration 3); the rule must see records in both.
mod sqlite_two_level_lookup {
    use super::*;
    use crate::store::sqlite::RECENT_MAX_ENTRIES;

    #[test]
    fn records_moved_to_the_large_level_are_still_found() {
        let b = Sqlite::new();
        let s = b.open();
        const DEVICES: u64 = 50;
        let accepted = |out: Vec<InsertOutcome>| out.iter().all(|o| *o == InsertOutcome::Accepted);
        let total = (RECENT_MAX_ENTRIES as u64 / DEVICES + 2) * DEVICES;
        let all: Vec<_> = (0..total).map(|k| rec(k % DEVICES, 1 + k / DEVICES, 1, k, 0)).collect();
        for chunk in all.chunks(1000) {
            assert!(accepted(s.insert_telemetry(chunk).unwrap()));
        }
        // the bound was passed, so everything so far moved; these stay in the small level
        let next = 1 + total / DEVICES;
        let recent: Vec<_> = (0..DEVICES).map(|d| rec(d, next, 1, 0, 0)).collect();
        assert!(accepted(s.insert_telemetry(&recent).unwrap()));
        let conn = rusqlite::Connection::open(b.path()).unwrap();
        let levels: (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM telemetry_index), (SELECT COUNT(*) FROM telemetry_recent)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(levels, (total as i64, DEVICES as i64));
        drop(conn);

        let first = all[0].clone(); // in the large level
        let last = recent[7].clone(); // in the small one
        let mut conflicting = rec(0, 1, 1, 999, 9);
        conflicting.signature = vec![3; 64];
        let out = s
            .insert_telemetry(&[first.clone(), last.clone(), conflicting.clone()])
            .unwrap();
        assert_eq!(
            out,
            vec![
                InsertOutcome::Duplicate,
                InsertOutcome::Duplicate,
                InsertOutcome::Equivocation
            ]
        );
        let ev = s.evidence(false).unwrap();
        assert_eq!(
            (ev[0].report_a.clone(), ev[0].report_b.clone()),
            (first.encoded, conflicting.encoded)
        );
        assert_eq!(s.stats().unwrap().telemetry_records, total + DEVICES);
    }
}

mod sqlite_migrations {
    use super::*;

    /// A store at schema 1 (telemetry keyed by device and sequence) with reports in it opens under the newest
    /// schema (arrival order, two-level lookup): every report is kept, and the sequence rule still sees them
    /// (duplicate, equivocation with the stored bytes as evidence, stale).
    #[test]
    fn the_newest_schema_keeps_the_reports_of_a_schema_1_store() {
        let b = Sqlite::new();
        std::fs::create_dir_all(b.path().parent().unwrap()).unwrap();
        let conn = rusqlite::Connection::open(b.path()).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 0);",
        )
        .unwrap();
        conn.execute_batch(super::super::schema::MIGRATIONS[0].1).unwrap();
        let old: Vec<_> = (1..=3)
            .flat_map(|seq| [rec(7, seq, 1, seq, 0), rec(9, seq * 10, 1, seq, 0)])
            .collect();
        for r in &old {
            let p = &r.report;
            conn.execute(
                "INSERT INTO telemetry (device_id, sequence, epoch, timestamp, uptime_secs, tasks_completed, \
                 interactions, receipts_hash, encoded, signature, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                rusqlite::params![
                    p.device_id as i64,
                    p.sequence as i64,
                    p.epoch as i64,
                    p.timestamp as i64,
                    p.uptime_secs as i64,
                    p.tasks_completed as i64,
                    p.interactions as i64,
                    p.receipts_hash.as_ref().map(|h| h.to_vec()),
                    r.encoded,
                    r.signature,
                    r.received_at as i64
                ],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO devices VALUES (7, 3, 3, 0, 0), (9, 30, 3, 0, 0);
             INSERT INTO aggregates VALUES (1, 7, 3, 3, 0, 3, 3), (1, 9, 30, 3, 0, 3, 3);",
        )
        .unwrap();
        drop(conn);

        let s = b.open();
        assert_eq!(s.stats().unwrap().telemetry_records, 6);
        let mut again = rec(9, 20, 1, 2, 0);
        assert_eq!(
            s.insert_telemetry(&[again.clone()]).unwrap(),
            vec![InsertOutcome::Duplicate]
        );
        again.report.tasks_completed = 99;
        again.encoded = encode(CHAIN, &again.report).unwrap();
        assert_eq!(
            s.insert_telemetry(&[again.clone()]).unwrap(),
            vec![InsertOutcome::Equivocation]
        );
        let evidence = s.evidence(true).unwrap();
        assert_eq!(evidence.len(), 1);
        assert_eq!(
            evidence[0].report_a, old[3].encoded,
            "the stored report is the first of the pair"
        );
        assert_eq!(evidence[0].report_b, again.encoded);
        assert_eq!(
            s.insert_telemetry(&[rec(9, 25, 1, 2, 0), rec(7, 4, 1, 4, 0)]).unwrap(),
            vec![InsertOutcome::StaleSequence { last: 30 }, InsertOutcome::Accepted]
        );
        assert_eq!(s.stats().unwrap().telemetry_records, 7);
        drop(s);
        let conn = rusqlite::Connection::open(b.path()).unwrap();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetry' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            indexes.is_empty(),
            "the lookup is in telemetry_recent/telemetry_index now: {indexes:?}"
        );
        // the six migrated reports in the large level, the accepted one in the small level
        let levels: (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM telemetry_index), (SELECT COUNT(*) FROM telemetry_recent)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(levels, (6, 1));
        // arrival order: the rows keep the order they were received in, the new one last
        let last: i64 = conn
            .query_row("SELECT device_id FROM telemetry ORDER BY id DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(last, 7);
    }
}
