//! Property-based fuzzing of the ingest handlers (`POST /v1/telemetry`, `POST /v1/telemetry/batch`) through the
//! whole router (body limit, content type, decoding, checks, the SQLite store on disk):
//! - no input gets a 5xx or panics the handler, and every answer is well-formed JSON with a 2xx/4xx status;
//! - per-item answers add up, and what is acknowledged is stored (the record count grows by exactly the accepted
//!   count, the device's stored sequence is at least the acknowledged one);
//! - nothing that a registered, active device did not sign gets in: every stored aggregate is the counters of a
//!   report signed with its device's own key, however the bodies were mutated.
//!
//! `PROPTEST_CASES` sets the cases per property (`make fuzz`); the tests are named `fuzz_*` so the fuzz script can
//! run them apart from the unit tests.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use edgemint_device_sdk::{DeviceKey, KeyType, SignedTelemetry, TelemetryReport};
use edgemint_types::registry::DeviceStatus;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use tower::ServiceExt;

use super::{router, AppState, NodeInfo};
use crate::clock::{Clock, ManualClock};
use crate::directory::{DeviceInfo, StaticDirectory};
use crate::epoch::EpochService;
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::store::{SqliteStore, Store};
use crate::timing::EpochTiming;
use crate::verify::{Limits, Verifier};

const CHAIN: &str = "edgemint-fuzz-1";
const GENESIS: u64 = 1_700_000_000;
const LEN: u64 = 600;
/// Now: 100 s into epoch 10.
const NOW: u64 = GENESIS + 10 * LEN + 100;
const MAX_ITEMS: usize = 3;
const MAX_BODY: usize = 1 << 14;

/// Counters of a genuinely signed report: (device, sequence, uptime, tasks, interactions).
type Counters = (u64, u64, u64, u64, u64);

/// One router over one store, shared by every case of a property.
struct Harness {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    store: Arc<dyn Store>,
    /// keys[i] is device i + 1's key; device 3 is suspended; device 9 is not registered.
    keys: Vec<DeviceKey>,
    /// Every report signed by its own device's key (the only thing allowed into the store).
    genuine: Mutex<HashSet<Counters>>,
    /// Sequence base, raised every case so that fresh reports keep being accepted.
    base: AtomicU64,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("fuzz.sqlite")).unwrap());
        let keys = vec![
            DeviceKey::from_secret_bytes(KeyType::Ed25519, &[1; 32]).unwrap(),
            DeviceKey::from_secret_bytes(KeyType::Secp256k1, &[2; 32]).unwrap(),
            DeviceKey::from_secret_bytes(KeyType::Ed25519, &[3; 32]).unwrap(),
        ];
        let directory = StaticDirectory::new(keys.iter().enumerate().map(|(i, k)| DeviceInfo {
            device_id: i as u64 + 1,
            key: Arc::new(k.device_public_key()),
            status: if i == 2 {
                DeviceStatus::Suspended
            } else {
                DeviceStatus::Active
            },
            owner: Some(format!("emc1owner{i}")),
        }));
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
        let timing = EpochTiming::from_secs(GENESIS, LEN).unwrap();
        let verifier = Verifier::new(
            CHAIN.into(),
            timing,
            Limits {
                timestamp_window_secs: 300,
                max_tasks_per_epoch: 1000,
                max_interactions_per_epoch: 5000,
            },
            clock.clone(),
            Arc::new(directory),
            // Generous: the accept path must stay reachable across thousands of cases (rate limiting has unit tests).
            RateLimiter::new(u32::MAX, u32::MAX),
        );
        let metrics = Arc::new(Metrics::new().unwrap());
        let epochs = Arc::new(EpochService::new(
            store.clone(),
            None,
            timing,
            Default::default(),
            Default::default(),
            300,
            clock,
            metrics.clone(),
        ));
        let state = AppState {
            ingestor: Arc::new(Ingestor::new(Arc::new(verifier), store.clone(), metrics.clone())),
            store: store.clone(),
            metrics,
            epochs,
            info: Arc::new(NodeInfo {
                version: "fuzz",
                chain_id: CHAIN.into(),
                hub: "emc1hub".into(),
                operator: None,
            }),
            max_batch_items: MAX_ITEMS,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            rt,
            app: router(state, MAX_BODY),
            store,
            keys,
            genuine: Mutex::new(HashSet::new()),
            base: AtomicU64::new(1),
            _dir: dir,
        }
    }

    fn post(&self, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
        let req = Request::post(path)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        self.rt.block_on(async {
            let resp = self.app.clone().oneshot(req).await.unwrap();
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            (status, bytes.to_vec())
        })
    }

    fn records(&self) -> u64 {
        self.store.stats().unwrap().telemetry_records
    }

    /// Sends one request and checks every property of its answer and of the store.
    fn check(&self, path: &str, content_type: &str, body: Vec<u8>) -> Result<(), TestCaseError> {
        let before = self.records();
        let (status, bytes) = self.post(path, content_type, body);
        let code = status.as_u16();
        prop_assert!(
            [200, 400, 409, 413, 415, 422, 429].contains(&code),
            "unexpected status {} ({})",
            code,
            String::from_utf8_lossy(&bytes)
        );
        let answer: Value = serde_json::from_slice(&bytes).map_err(|e| {
            TestCaseError::fail(format!("answer is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        })?;
        let mut acknowledged: Vec<(u64, u64)> = Vec::new();
        let mut accepted = 0u64;
        if code == 200 {
            if let Some(results) = answer["results"].as_array() {
                let count = |k: &str| answer[k].as_u64().unwrap_or(u64::MAX);
                prop_assert_eq!(
                    count("accepted") + count("duplicate") + count("rejected"),
                    results.len() as u64,
                    "counts do not add up: {}",
                    answer
                );
                for (i, r) in results.iter().enumerate() {
                    prop_assert_eq!(r["index"].as_u64(), Some(i as u64), "results out of order: {}", answer);
                    let s = r["status"].as_str().unwrap_or("");
                    prop_assert!(["accepted", "duplicate", "rejected"].contains(&s), "status {}", s);
                    if s == "rejected" {
                        prop_assert!(r["reason"].is_string(), "rejection without a reason: {}", r);
                    } else {
                        acknowledged.push((r["device_id"].as_u64().unwrap(), r["sequence"].as_u64().unwrap()));
                    }
                }
                accepted = count("accepted");
            } else {
                let s = answer["status"].as_str().unwrap_or("");
                prop_assert!(s == "accepted" || s == "duplicate", "200 with {}", answer);
                acknowledged.push((
                    answer["device_id"].as_u64().unwrap(),
                    answer["sequence"].as_u64().unwrap(),
                ));
                accepted = u64::from(s == "accepted");
            }
        } else {
            prop_assert!(
                answer["error"].is_string() || answer["reason"].is_string(),
                "4xx without a code: {}",
                answer
            );
        }
        prop_assert_eq!(
            self.records(),
            before + accepted,
            "stored records vs accepted: {}",
            answer
        );
        for (device, seq) in acknowledged {
            let last = self.store.last_sequence(device).unwrap();
            prop_assert!(
                last >= Some(seq),
                "acknowledged {}/{} but stored last sequence {:?}",
                device,
                seq,
                last
            );
        }
        let genuine = self.genuine.lock().unwrap();
        for epoch in 9..=11 {
            for a in self.store.aggregates(epoch).unwrap() {
                let c = (
                    a.device_id,
                    a.sequence,
                    a.uptime_secs,
                    a.tasks_completed,
                    a.interactions,
                );
                prop_assert!(
                    genuine.contains(&c),
                    "stored aggregate {:?} was never signed by its device",
                    c
                );
            }
        }
        Ok(())
    }
}

/// A few mutations of `bytes` (as in the device SDK's fuzz tests).
#[derive(Debug, Clone)]
enum Mutation {
    Xor(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Xor(i, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::Xor(i, x) if len > 0 => bytes[i % len] ^= x,
            Mutation::Set(i, b) if len > 0 => bytes[i % len] = b,
            Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Mutation::Remove(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
}

/// A report to sign: which device it claims, which key signs it, and its fields around the harness's clock.
#[derive(Debug, Clone)]
struct Draft {
    /// 1, 2 (active), 3 (suspended) or 9 (not registered).
    device: u64,
    /// Index of the signing key; a key that is not the device's own is a forgery attempt.
    signer: usize,
    seq_delta: i64,
    ts_offset: i64,
    epoch_delta: i64,
    uptime: u64,
    tasks: u64,
    interactions: u64,
    receipts: Option<[u8; 32]>,
    /// Sign for another chain.
    foreign_chain: bool,
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        prop_oneof![4 => 1u64..=2, 1 => Just(3u64), 1 => Just(9u64)],
        prop_oneof![6 => Just(None), 1 => (0usize..3).prop_map(Some)],
        -3i64..6,
        prop_oneof![6 => -20i64..20, 1 => -700i64..700],
        prop_oneof![8 => Just(0i64), 1 => -1i64..=1],
        0u64..160,
        0u64..1100,
        0u64..5100,
        prop::option::of(any::<[u8; 32]>()),
        prop::bool::weighted(0.05),
    )
        .prop_map(
            |(device, signer, seq_delta, ts_offset, epoch_delta, uptime, tasks, interactions, receipts, foreign)| {
                Draft {
                    device,
                    signer: signer.unwrap_or(((device as usize).max(1) - 1).min(2)),
                    seq_delta,
                    ts_offset,
                    epoch_delta,
                    uptime,
                    tasks,
                    interactions,
                    receipts,
                    foreign_chain: foreign,
                }
            },
        )
}

/// How the signed reports are sent.
#[derive(Debug, Clone, Copy)]
enum Form {
    JsonOne,
    JsonArray,
    Frame,
}

impl Harness {
    fn sign(&self, drafts: &[Draft], base: u64) -> Vec<(String, SignedTelemetry)> {
        let mut genuine = self.genuine.lock().unwrap();
        drafts
            .iter()
            .map(|d| {
                let timestamp = NOW.saturating_add_signed(d.ts_offset);
                let epoch = ((timestamp - GENESIS) / LEN).saturating_add_signed(d.epoch_delta);
                let report = TelemetryReport {
                    device_id: d.device,
                    sequence: base.saturating_add_signed(d.seq_delta),
                    timestamp,
                    epoch,
                    uptime_secs: d.uptime,
                    tasks_completed: d.tasks,
                    interactions: d.interactions,
                    receipts_hash: d.receipts.map(Into::into),
                };
                let chain = if d.foreign_chain { "other-chain-1" } else { CHAIN };
                let signed = SignedTelemetry::sign(&self.keys[d.signer], chain, report.clone()).unwrap();
                if d.device as usize == d.signer + 1 && !d.foreign_chain {
                    genuine.insert((
                        report.device_id,
                        report.sequence,
                        report.uptime_secs,
                        report.tasks_completed,
                        report.interactions,
                    ));
                }
                (chain.to_string(), signed)
            })
            .collect()
    }

    fn body(form: Form, signed: &[(String, SignedTelemetry)]) -> (&'static str, &'static str, Vec<u8>) {
        match form {
            Form::JsonOne => ("/v1/telemetry", "application/json", signed[0].1.to_json().into_bytes()),
            Form::JsonArray => {
                let items: Vec<String> = signed.iter().map(|(_, s)| s.to_json()).collect();
                (
                    "/v1/telemetry",
                    "application/json",
                    format!("[{}]", items.join(",")).into_bytes(),
                )
            }
            Form::Frame => {
                // One frame may mix chain ids; the SDK's builder takes one, so build it record by record.
                let mut b = edgemint_device_sdk::BatchBuilder::new();
                for (chain, s) in signed {
                    b.push(chain, s).unwrap();
                }
                ("/v1/telemetry/batch", "application/octet-stream", b.finish().unwrap())
            }
        }
    }
}

fn config() -> Config {
    // Cases from PROPTEST_CASES (default 256); no regression files for these in-crate properties.
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs `test` over `strategy` and reports the executions (all runs, including shrinking) on stderr.
fn run<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(config());
    let executions = AtomicU64::new(0);
    let result = runner.run(&strategy, |v| {
        executions.fetch_add(1, Ordering::Relaxed);
        test(v)
    });
    let n = executions.load(Ordering::Relaxed);
    match result {
        Ok(()) => eprintln!("fuzz ingest handler / {name}: {n} executions, 0 findings"),
        Err(e) => panic!("fuzz ingest handler / {name}: finding after {n} executions: {e}"),
    }
}

#[test]
fn fuzz_arbitrary_bodies_get_well_formed_4xx_answers() {
    let h = Harness::new();
    let strategy = (
        0usize..2,
        prop_oneof![
            Just("application/octet-stream"),
            Just("application/json"),
            Just("text/plain")
        ],
        prop::collection::vec(any::<u8>(), 0..2_000),
    );
    run("arbitrary bodies", strategy, |(route, ct, body)| {
        let path = ["/v1/telemetry", "/v1/telemetry/batch"][route];
        h.check(path, ct, body)
    });
    // The router still serves after all that.
    let (status, _) = h.post("/v1/telemetry", "application/json", b"{}".to_vec());
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn fuzz_signed_and_mutated_reports_never_forge_or_lose_data() {
    let h = Harness::new();
    let strategy = (
        prop_oneof![Just(Form::JsonOne), Just(Form::JsonArray), Just(Form::Frame)],
        prop::collection::vec(draft(), 1..=4),
        prop_oneof![2 => Just(Vec::new()), 3 => prop::collection::vec(mutation(), 1..5)],
    );
    run("signed and mutated reports", strategy, |(form, drafts, mutations)| {
        let base = h.base.fetch_add(4, Ordering::Relaxed);
        let signed = h.sign(&drafts, base);
        let (path, ct, mut body) = Harness::body(form, &signed);
        apply(&mut body, &mutations);
        h.check(path, ct, body)
    });
    // Valid input got through at all (the properties above are not vacuous).
    assert!(h.records() > 0, "no report was ever accepted");
}
