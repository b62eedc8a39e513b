//! The SQLite store's share of ingest: CPU time per record of `Store::insert_telemetry` alone (no HTTP, no
//! signature checks), with the traffic shape of `edgemint-ingest-bench`. Printed by `make bench`.
//! `cargo run --release -p edgemint-oracle --example store_bench -- [DEVICES] [RECORDS_PER_DEVICE] [BATCH] [CONNECTIONS]`

use std::time::Instant;

use edgemint_oracle::store::{SqliteStore, Store, TelemetryRecord};
use edgemint_types::telemetry::TelemetryReport;

fn cpu_seconds() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>());
    let devices = args.next().transpose()?.unwrap_or(1_000);
    let per_device_total = args.next().transpose()?.unwrap_or(100);
    let batch = args.next().transpose()?.unwrap_or(500) as usize;
    let connections = args.next().transpose()?.unwrap_or(4).max(1);
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("store.sqlite"))?;
    let record = |device_id: u64, sequence: u64| {
        let report = TelemetryReport {
            device_id,
            sequence,
            timestamp: 1_700_000_000 + sequence * 60,
            epoch: 7,
            uptime_secs: sequence * 60,
            tasks_completed: sequence * 3,
            interactions: sequence * 11,
            receipts_hash: None,
        };
        let encoded = report.encode("edgemint-local-1").expect("encodes");
        TelemetryRecord {
            report,
            encoded,
            signature: vec![7; 64],
            received_at: 1_700_000_000,
        }
    };
    // As edgemint-ingest-bench sends them: connection c owns devices c, c + connections, …, and sends their reports
    // in sequence order, `batch` per request; requests of the connections arrive in turn.
    let per_connection: Vec<Vec<Vec<TelemetryRecord>>> = (0..connections)
        .map(|c| {
            let mut items = Vec::new();
            for s in 1..=per_device_total {
                for d in (c..devices).step_by(connections as usize) {
                    items.push(record(d + 1, s));
                }
            }
            items.chunks(batch).map(<[TelemetryRecord]>::to_vec).collect()
        })
        .collect();
    let most = per_connection.iter().map(Vec::len).max().unwrap_or(0);
    let batches: Vec<&Vec<TelemetryRecord>> = (0..most)
        .flat_map(|k| per_connection.iter().filter_map(move |frames| frames.get(k)))
        .collect();
    let total: usize = batches.iter().map(|b| b.len()).sum();
    // CPU per record of each third of the run: the store's cost as it fills.
    let mut thirds = Vec::new();
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let (mut mark_cpu, mut mark_records, mut done) = (c0, 0usize, 0usize);
    for b in batches {
        store.insert_telemetry(b)?;
        done += b.len();
        if done * 3 >= total * (thirds.len() + 1) {
            let now = cpu_seconds();
            thirds.push((now - mark_cpu) * 1e6 / (done - mark_records) as f64);
            (mark_cpu, mark_records) = (now, done);
        }
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    println!(
        "store: {total} records in batches of {batch} ({devices} devices over {connections} connections): {:.2} µs CPU \
         and {:.2} µs wall per record; by thirds of the run: {} µs CPU",
        cpu * 1e6 / total as f64,
        wall * 1e6 / total as f64,
        thirds.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>().join(" / ")
    );
    Ok(())
}
