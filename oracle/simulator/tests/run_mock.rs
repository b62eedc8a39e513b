//! `run` end to end over HTTP against a reference daemon that applies the oracle daemon's checks (chain id,
//! registered key, plausibility, signature, sequence rule with duplicate/equivocation) to the `EMTB` frames: every
//! cheat mode must be caught with the reason the real daemon gives, honest traffic must all be accepted, two
//! daemons must see the same traffic, and a daemon that is down must not stop the others.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use edgemint_device_sdk::{decode_batch, DevicePublicKey};
use edgemint_sim::cheat::{CheatAmount, CheatMix};
use edgemint_sim::daemon::SendPolicy;
use edgemint_sim::fleet::{BehaviourParams, Fleet, FleetSpec};
use edgemint_sim::run::{self, RunOptions};
use edgemint_sim::stats::DaemonStats;
use edgemint_sim::{EpochTiming, RunContext, Scheduler};
use serde_json::json;

const CHAIN: &str = "edgemint-local-1";

/// (device, sequence) → record bytes, and device → last accepted sequence.
type Records = (HashMap<(u64, u64), Vec<u8>>, HashMap<u64, u64>);

struct Mock {
    keys: HashMap<u64, DevicePublicKey>,
    epoch_length: u64,
    /// device → sequence → record bytes; device → last sequence.
    records: Mutex<Records>,
    evidence: AtomicUsize,
    /// Answer this many requests with 503 first.
    fail_first: AtomicUsize,
    requests: AtomicUsize,
}

impl Mock {
    fn check(
        &self,
        chain_id: &str,
        signed: &edgemint_device_sdk::SignedTelemetry,
    ) -> (&'static str, Option<&'static str>) {
        if chain_id != CHAIN {
            return ("rejected", Some("wrong_chain"));
        }
        let r = &signed.report;
        if r.uptime_secs > self.epoch_length {
            return ("rejected", Some("implausible_uptime"));
        }
        let Some(key) = self.keys.get(&r.device_id) else {
            return ("rejected", Some("unknown_device"));
        };
        if signed.verify_with(key, chain_id).is_err() {
            return ("rejected", Some("bad_signature"));
        }
        let bytes = signed.to_binary(chain_id).unwrap_or_default();
        let mut guard = self.records.lock().unwrap();
        let (stored, last) = &mut *guard;
        if let Some(prev) = stored.get(&(r.device_id, r.sequence)) {
            if *prev == bytes {
                return ("duplicate", None);
            }
            self.evidence.fetch_add(1, Ordering::Relaxed);
            return ("rejected", Some("equivocation"));
        }
        if last.get(&r.device_id).is_some_and(|l| r.sequence <= *l) {
            return ("rejected", Some("stale_sequence"));
        }
        stored.insert((r.device_id, r.sequence), bytes);
        last.insert(r.device_id, r.sequence);
        ("accepted", None)
    }
}

async fn batch(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    m.requests.fetch_add(1, Ordering::Relaxed);
    if m.fail_first
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "store_unavailable", "message": "x"})),
        )
            .into_response();
    }
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/octet-stream") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(json!({"error": "content_type"})),
        )
            .into_response();
    }
    let Ok(records) = decode_batch(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "malformed"}))).into_response();
    };
    let results: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let (status, reason) = m.check(&r.chain_id, &r.signed);
            json!({"index": index, "status": status, "reason": reason, "device_id": r.signed.report.device_id})
        })
        .collect();
    Json(json!({"accepted": 0, "duplicate": 0, "rejected": 0, "results": results})).into_response()
}

async fn start_mock(fleet: &Fleet, epoch_length: u64, fail_first: usize) -> (String, Arc<Mock>) {
    let keys = fleet
        .devices
        .iter()
        .filter(|d| d.cheat.registered())
        .map(|d| {
            let pk = DevicePublicKey::from_bytes(d.key_type, &d.public_key_bytes().unwrap()).unwrap();
            (d.device_id.unwrap(), pk)
        })
        .collect();
    let mock = Arc::new(Mock {
        keys,
        epoch_length,
        records: Mutex::new((HashMap::new(), HashMap::new())),
        evidence: AtomicUsize::new(0),
        fail_first: AtomicUsize::new(fail_first),
        requests: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/v1/telemetry/batch", post(batch))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), mock)
}

fn fleet() -> Fleet {
    let mut f = Fleet::generate(FleetSpec {
        seed: 99,
        devices: 40,
        owners: 4,
        behaviour: BehaviourParams {
            // Everyone online for the whole test.
            mean_online_secs: 1e7,
            mean_offline_secs: 1.0,
            availability_sigma: 0.0,
            ..BehaviourParams::default()
        },
        cheats: CheatMix {
            replay: CheatAmount::Count(3),
            inflated_uptime: CheatAmount::Count(3),
            double_sign: CheatAmount::Count(3),
            unregistered: CheatAmount::Count(3),
            impersonate: CheatAmount::Count(3),
            wrong_chain: CheatAmount::Count(3),
        },
        ..FleetSpec::default()
    })
    .unwrap();
    f.assume_sequential_ids(1);
    f
}

fn outcomes(s: &DaemonStats, kind: &str) -> Vec<String> {
    s.outcomes_by_kind
        .get(kind)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cheat_is_caught_and_daemons_see_the_same_traffic() {
    let f = fleet();
    // Epoch length 60 s starting 55 s ago: inflated uptime (3 × elapsed) is already above the epoch length, and the
    // run crosses into the next epoch, where it is accepted at first.
    let now = run::unix_now();
    let timing = EpochTiming::from_secs(now - 55, 60).unwrap();
    let (url_a, mock_a) = start_mock(&f, 60, 2).await;
    let (url_b, mock_b) = start_mock(&f, 60, 0).await;
    // Nothing listens here: a daemon that is down.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let ctx = RunContext {
        chain_id: CHAIN.into(),
        wrong_chain_id: "rogue-1".into(),
        timing,
        interval: 1,
        seed: f.spec.seed,
        sequence_base: run::sequence_base(now),
        cheat_rate: 1.0,
        inflate_factor: 3.0,
        receipts: true,
    };
    let scheduler = Scheduler::new(&f, ctx, now).unwrap();
    let summary_path = tempfile::NamedTempFile::new().unwrap();
    let opts = RunOptions {
        daemons: vec![url_a.clone(), url_b.clone(), dead.clone()],
        duration: Some(Duration::from_secs(8)),
        flush_after: Duration::from_millis(100),
        batch_size: 16,
        summary_every: Duration::from_secs(2),
        policy: SendPolicy {
            timeout: Duration::from_secs(5),
            retries: 3,
            backoff: Duration::from_millis(20),
        },
        summary_json: Some(summary_path.path().to_path_buf()),
        ..RunOptions::default()
    };
    let summary = run::run(scheduler, opts, Arc::new(AtomicBool::new(false)))
        .await
        .unwrap();
    let (a, b, d) = (&summary.daemons[0], &summary.daemons[1], &summary.daemons[2]);

    // Every generated record was answered by both live daemons, identically (A after retrying its 503s).
    assert!(summary.generator.records > 200, "{:?}", summary.generator);
    assert_eq!(a.records_answered, summary.generator.records, "{}", a.summary_line());
    assert_eq!(b.records_answered, summary.generator.records, "{}", b.summary_line());
    assert_eq!(a.outcomes_by_kind, b.outcomes_by_kind);
    assert!(a.retries >= 2 && a.records_lost == 0, "{}", a.summary_line());
    assert!(mock_a.requests.load(Ordering::Relaxed) >= 3);

    // The dead daemon: every record lost to connection errors, nothing answered.
    assert_eq!(d.records_answered, 0);
    assert_eq!(d.records_lost, summary.generator.records, "{}", d.summary_line());
    assert!(d.http_errors.contains_key("connect"));

    // What each kind got.
    assert_eq!(outcomes(a, "honest"), vec!["accepted"], "{:?}", a.outcomes_by_kind);
    assert_eq!(outcomes(a, "replay"), vec!["duplicate"]);
    assert_eq!(outcomes(a, "double_sign"), vec!["equivocation"]);
    assert_eq!(outcomes(a, "unregistered"), vec!["unknown_device"]);
    assert_eq!(outcomes(a, "impersonate"), vec!["bad_signature"]);
    assert_eq!(outcomes(a, "wrong_chain"), vec!["wrong_chain"]);
    let inflated = outcomes(a, "inflated_uptime");
    assert!(inflated.contains(&"implausible_uptime".to_string()), "{inflated:?}");
    assert!(inflated.iter().all(|o| o == "accepted" || o == "implausible_uptime"));
    // Equivocation evidence was kept by both.
    assert!(mock_a.evidence.load(Ordering::Relaxed) > 0);
    assert_eq!(
        mock_a.evidence.load(Ordering::Relaxed),
        mock_b.evidence.load(Ordering::Relaxed)
    );

    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(summary_path.path()).unwrap()).unwrap();
    assert_eq!(written["daemons"][1]["url"], url_b);
    assert_eq!(written["generator"]["records"], summary.generator.records);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_flag_ends_a_run_and_rate_cap_holds() {
    let f = fleet();
    let now = run::unix_now();
    let (url, _mock) = start_mock(&f, 600, 0).await;
    let ctx = RunContext {
        chain_id: CHAIN.into(),
        wrong_chain_id: "rogue-1".into(),
        timing: EpochTiming::from_secs(now - 10, 600).unwrap(),
        interval: 1,
        seed: f.spec.seed,
        sequence_base: run::sequence_base(now),
        cheat_rate: 0.0,
        inflate_factor: 1.0,
        receipts: false,
    };
    let scheduler = Scheduler::new(&f, ctx, now).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            stop.store(true, Ordering::Relaxed);
        })
    };
    let opts = RunOptions {
        daemons: vec![url],
        rate: Some(10.0),
        summary_every: Duration::from_secs(10),
        ..RunOptions::default()
    };
    let started = std::time::Instant::now();
    let summary = run::run(scheduler, opts, stop).await.unwrap();
    stopper.await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(secs < 6.0, "stopped after {secs} s");
    // 40 devices at 1 report/s would be ~120 turns in 3 s; the cap allows about 10/s (+ the initial bucket).
    assert!(summary.generator.turns <= 45, "{:?}", summary.generator);
    assert!(summary.generator.turns >= 15, "{:?}", summary.generator);
    assert_eq!(summary.daemons[0].records_answered, summary.generator.records);
}
