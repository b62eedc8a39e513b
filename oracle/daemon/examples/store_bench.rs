//! The SQLite store's share of ingest: CPU time per record of `Store::insert_telemetry` alone (no HTTP, no
//! signature checks), with the traffic shape of `edgemint-ingest-bench` (each batch: `per_device` consecutive
//! reports of `batch / per_device` devices). Printed by `make bench`.
//! `cargo run --release -p edgemint-oracle --example store_bench -- [DEVICES] [RECORDS_PER_DEVICE] [BATCH]`

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
    let per_device = 2u64;
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
    let mut records = Vec::new();
    for s in (1..=per_device_total).step_by(per_device as usize) {
        for d in 1..=devices {
            for k in 0..per_device {
                records.push(record(d, s + k));
            }
        }
    }
    let (t0, c0) = (Instant::now(), cpu_seconds());
    for chunk in records.chunks(batch) {
        store.insert_telemetry(chunk)?;
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    println!(
        "store: {} records in batches of {batch} ({devices} devices): {:.2} µs CPU and {:.2} µs wall per record",
        records.len(),
        cpu * 1e6 / records.len() as f64,
        wall * 1e6 / records.len() as f64
    );
    Ok(())
}
