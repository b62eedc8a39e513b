//! The checks a telemetry report passes before it is stored, each failure a [`Rejection`] with a stable code.
//!
//! Order (cheap and stateless first; nothing that consumes a per-device budget before the signature verified):
//! 1. `wrong_chain`: the report was encoded for another chain id (binary form; the JSON form carries no chain id, the
//!    daemon's own is used, so a foreign report fails the signature instead);
//! 2. `timestamp_out_of_window`: |timestamp − now| > window;
//! 3. `epoch_mismatch`: the timestamp is not inside the report's epoch (hub timing);
//! 4. `implausible_uptime` (uptime_secs > time elapsed in the epoch at the report's timestamp), `implausible_tasks`, `implausible_interactions` (above the
//!    configured per-epoch ceilings);
//! 5. `unknown_device`, `device_not_active` (registry, cached), `unavailable` when the registry cannot be asked;
//! 6. `bad_signature` with the registered key (ed25519 over the bytes, secp256k1 over their sha256);
//! 7. `rate_limited` (per-device token bucket);
//! 8. in the store: `stale_sequence`, `equivocation`, `epoch_closed` (or `duplicate`, which is not a rejection).

use std::sync::Arc;
use std::time::Instant;

use edgemint_device_sdk::{DecodedSignedTelemetry, SignedTelemetry};
use edgemint_types::registry::DeviceStatus;
use serde::Serialize;
use thiserror::Error;

use crate::clock::Clock;
use crate::directory::{DeviceDirectory, DeviceInfo, DirectoryError};
use crate::ratelimit::RateLimiter;
use crate::store::TelemetryRecord;
use crate::timing::EpochTiming;

/// Why one report was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("malformed report: {0}")]
    Malformed(String),
    #[error("report signed for chain {found:?}, this oracle serves {expected:?}")]
    WrongChain { expected: String, found: String },
    #[error("timestamp {timestamp} is more than {window} s from now ({now})")]
    TimestampOutOfWindow { timestamp: u64, now: u64, window: u64 },
    #[error("timestamp {timestamp} is not inside epoch {epoch}")]
    EpochMismatch { epoch: u64, timestamp: u64 },
    #[error("uptime {uptime_secs} s exceeds the {max_secs} s of its epoch elapsed at the report's timestamp")]
    ImplausibleUptime { uptime_secs: u64, max_secs: u64 },
    #[error("{tasks} tasks in one epoch exceeds the ceiling {max}")]
    ImplausibleTasks { tasks: u64, max: u64 },
    #[error("{interactions} interactions in one epoch exceeds the ceiling {max}")]
    ImplausibleInteractions { interactions: u64, max: u64 },
    #[error("device {0} is not registered")]
    UnknownDevice(u64),
    #[error("device {device_id} is {status}, not active")]
    DeviceNotActive { device_id: u64, status: DeviceStatus },
    #[error("signature does not verify with the registered key")]
    BadSignature,
    #[error("too many reports from this device; retry later")]
    RateLimited,
    #[error("sequence at or below the device's last accepted sequence {last}")]
    StaleSequence { last: u64 },
    #[error("a different report with this sequence was already accepted; both kept as evidence")]
    Equivocation,
    #[error("epoch {0} was already computed")]
    EpochClosed(u64),
    #[error("temporarily unable to verify: {0}")]
    Unavailable(String),
}

impl Rejection {
    /// Stable machine-readable code (HTTP bodies, the `reason` metric label, logs).
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::WrongChain { .. } => "wrong_chain",
            Rejection::TimestampOutOfWindow { .. } => "timestamp_out_of_window",
            Rejection::EpochMismatch { .. } => "epoch_mismatch",
            Rejection::ImplausibleUptime { .. } => "implausible_uptime",
            Rejection::ImplausibleTasks { .. } => "implausible_tasks",
            Rejection::ImplausibleInteractions { .. } => "implausible_interactions",
            Rejection::UnknownDevice(_) => "unknown_device",
            Rejection::DeviceNotActive { .. } => "device_not_active",
            Rejection::BadSignature => "bad_signature",
            Rejection::RateLimited => "rate_limited",
            Rejection::StaleSequence { .. } => "stale_sequence",
            Rejection::Equivocation => "equivocation",
            Rejection::EpochClosed(_) => "epoch_closed",
            Rejection::Unavailable(_) => "unavailable",
        }
    }

    /// Every code, for documentation and to pre-register metric labels.
    pub const CODES: &'static [&'static str] = &[
        "malformed",
        "wrong_chain",
        "timestamp_out_of_window",
        "epoch_mismatch",
        "implausible_uptime",
        "implausible_tasks",
        "implausible_interactions",
        "unknown_device",
        "device_not_active",
        "bad_signature",
        "rate_limited",
        "stale_sequence",
        "equivocation",
        "epoch_closed",
        "unavailable",
    ];

    /// Whether the client may succeed by sending the same report later.
    pub fn retryable(&self) -> bool {
        matches!(self, Rejection::RateLimited | Rejection::Unavailable(_))
    }
}

/// A report as it arrived, before any check: the chain id it claims (binary form) or the daemon's (JSON form).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub chain_id: String,
    pub signed: SignedTelemetry,
}

impl From<DecodedSignedTelemetry> for Incoming {
    fn from(d: DecodedSignedTelemetry) -> Self {
        Self {
            chain_id: d.chain_id,
            signed: d.signed,
        }
    }
}

/// Bounds on report contents.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timestamp_window_secs: u64,
    pub max_tasks_per_epoch: u64,
    pub max_interactions_per_epoch: u64,
}

pub struct Verifier {
    chain_id: String,
    timing: EpochTiming,
    limits: Limits,
    clock: Arc<dyn Clock>,
    directory: Arc<dyn DeviceDirectory>,
    rate: RateLimiter,
}

impl Verifier {
    pub fn new(
        chain_id: String,
        timing: EpochTiming,
        limits: Limits,
        clock: Arc<dyn Clock>,
        directory: Arc<dyn DeviceDirectory>,
        rate: RateLimiter,
    ) -> Self {
        Self {
            chain_id,
            timing,
            limits,
            clock,
            directory,
            rate,
        }
    }

    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    pub fn timing(&self) -> EpochTiming {
        self.timing
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Checks 1–4 (no I/O).
    pub fn check_contents(&self, item: &Incoming) -> Result<(), Rejection> {
        if item.chain_id != self.chain_id {
            return Err(Rejection::WrongChain {
                expected: self.chain_id.clone(),
                found: item.chain_id.clone(),
            });
        }
        let r = &item.signed.report;
        let now = self.clock.now();
        let window = self.limits.timestamp_window_secs;
        if r.timestamp.abs_diff(now) > window {
            return Err(Rejection::TimestampOutOfWindow {
                timestamp: r.timestamp,
                now,
                window,
            });
        }
        if !self.timing.contains(r.epoch, r.timestamp) {
            return Err(Rejection::EpochMismatch {
                epoch: r.epoch,
                timestamp: r.timestamp,
            });
        }
        // Counters are cumulative within the epoch, so uptime can't exceed the time elapsed in it at the report's own
        // timestamp (which itself is within the window of now).
        let elapsed_nanos = (u128::from(r.timestamp) * 1_000_000_000).saturating_sub(self.timing.start_nanos(r.epoch));
        let max_secs = u64::try_from(elapsed_nanos.div_ceil(1_000_000_000))
            .unwrap_or(u64::MAX)
            .min(self.timing.length);
        if r.uptime_secs > max_secs {
            return Err(Rejection::ImplausibleUptime {
                uptime_secs: r.uptime_secs,
                max_secs,
            });
        }
        if r.tasks_completed > self.limits.max_tasks_per_epoch {
            return Err(Rejection::ImplausibleTasks {
                tasks: r.tasks_completed,
                max: self.limits.max_tasks_per_epoch,
            });
        }
        if r.interactions > self.limits.max_interactions_per_epoch {
            return Err(Rejection::ImplausibleInteractions {
                interactions: r.interactions,
                max: self.limits.max_interactions_per_epoch,
            });
        }
        Ok(())
    }

    /// Check 5: the device as the registry knows it.
    pub async fn lookup(&self, device_id: u64) -> Result<DeviceInfo, Rejection> {
        Self::registered(device_id, self.directory.lookup(device_id).await)
    }

    /// [`Verifier::lookup`] if the directory can answer without asking the chain (a cache hit).
    pub fn lookup_cached(&self, device_id: u64) -> Option<Result<DeviceInfo, Rejection>> {
        self.directory
            .cached(device_id)
            .map(|found| Self::registered(device_id, Ok(found)))
    }

    fn registered(device_id: u64, found: Result<Option<DeviceInfo>, DirectoryError>) -> Result<DeviceInfo, Rejection> {
        match found {
            Ok(Some(d)) if d.status.can_mine() => Ok(d),
            Ok(Some(d)) => Err(Rejection::DeviceNotActive {
                device_id,
                status: d.status,
            }),
            Ok(None) => Err(Rejection::UnknownDevice(device_id)),
            Err(DirectoryError::Unavailable(e)) | Err(DirectoryError::Invalid(e)) => Err(Rejection::Unavailable(e)),
        }
    }

    /// Checks 6–7 (CPU only): the signature, then a rate-limit token. Returns the record to store.
    pub fn check_signature_and_rate(&self, item: &Incoming, device: &DeviceInfo) -> Result<TelemetryRecord, Rejection> {
        let encoded = item
            .signed
            .signed_bytes(&item.chain_id)
            .map_err(|e| Rejection::Malformed(e.to_string()))?;
        device
            .key
            .verify(&encoded, &item.signed.signature)
            .map_err(|_| Rejection::BadSignature)?;
        if !self.rate.try_take(item.signed.report.device_id, Instant::now()) {
            return Err(Rejection::RateLimited);
        }
        Ok(TelemetryRecord {
            report: item.signed.report.clone(),
            encoded,
            signature: item.signed.signature.to_vec(),
            received_at: self.clock.now(),
        })
    }

    /// Gives back the rate-limit token of a report the store found to be a duplicate.
    pub fn refund(&self, device_id: u64) {
        self.rate.give_back(device_id);
    }

    /// All checks before the store, for one report.
    pub async fn check(&self, item: &Incoming) -> Result<TelemetryRecord, Rejection> {
        self.check_contents(item)?;
        let device = self.lookup(item.signed.report.device_id).await?;
        self.check_signature_and_rate(item, &device)
    }
}

/// One item's outcome as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Accepted,
    Duplicate,
    Rejected,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::directory::StaticDirectory;
    use edgemint_device_sdk::{DeviceKey, KeyType, TelemetryReport};

    pub const CHAIN: &str = "edgemint-test-1";
    pub const GENESIS: u64 = 1_700_000_000;
    pub const LEN: u64 = 600;

    pub struct Fixture {
        pub verifier: Verifier,
        pub clock: Arc<ManualClock>,
        pub keys: Vec<DeviceKey>,
    }

    /// Devices 1 (ed25519, active), 2 (secp256k1, active), 3 (ed25519, suspended); clock in epoch 10.
    pub fn fixture() -> Fixture {
        fixture_with_keys(vec![
            DeviceKey::generate(KeyType::Ed25519),
            DeviceKey::generate(KeyType::Secp256k1),
            DeviceKey::generate(KeyType::Ed25519),
        ])
    }

    /// The same devices with given keys (e.g. to restart a daemon with the devices it knew).
    pub fn fixture_with_keys(keys: Vec<DeviceKey>) -> Fixture {
        let dir = StaticDirectory::new(keys.iter().enumerate().map(|(i, k)| DeviceInfo {
            device_id: i as u64 + 1,
            key: Arc::new(k.device_public_key()),
            status: if i == 2 {
                DeviceStatus::Suspended
            } else {
                DeviceStatus::Active
            },
            owner: Some(format!("emc1owner{i}")),
        }));
        let clock = Arc::new(ManualClock::new(GENESIS + 10 * LEN + 100));
        let verifier = Verifier::new(
            CHAIN.into(),
            EpochTiming::from_secs(GENESIS, LEN).unwrap(),
            Limits {
                timestamp_window_secs: 300,
                max_tasks_per_epoch: 1000,
                max_interactions_per_epoch: 5000,
            },
            clock.clone(),
            Arc::new(dir),
            RateLimiter::new(5, 60),
        );
        Fixture { verifier, clock, keys }
    }

    pub fn report(device: u64, seq: u64, now: u64) -> TelemetryReport {
        TelemetryReport {
            device_id: device,
            sequence: seq,
            timestamp: now,
            epoch: (now - GENESIS) / LEN,
            uptime_secs: 60,
            tasks_completed: 2,
            interactions: 7,
            receipts_hash: None,
        }
    }

    pub fn signed(key: &DeviceKey, chain: &str, r: TelemetryReport) -> Incoming {
        Incoming {
            chain_id: chain.into(),
            signed: SignedTelemetry::sign(key, chain, r).unwrap(),
        }
    }

    async fn code(f: &Fixture, item: &Incoming) -> &'static str {
        match f.verifier.check(item).await {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[tokio::test]
    async fn accepts_valid_reports_of_both_key_types() {
        let f = fixture();
        let now = f.clock.now();
        for (i, key) in f.keys.iter().take(2).enumerate() {
            let rec = f
                .verifier
                .check(&signed(key, CHAIN, report(i as u64 + 1, 1, now)))
                .await
                .unwrap();
            assert_eq!(rec.encoded, rec.report.encode(CHAIN).unwrap());
            assert_eq!(rec.received_at, now);
        }
    }

    #[tokio::test]
    async fn every_rejection_has_its_code() {
        let f = fixture();
        let now = f.clock.now();
        let k1 = &f.keys[0];
        assert_eq!(
            code(&f, &signed(k1, "other-chain", report(1, 1, now))).await,
            "wrong_chain"
        );
        assert_eq!(
            code(&f, &signed(k1, CHAIN, report(1, 1, now - 301))).await,
            "timestamp_out_of_window"
        );
        assert_eq!(
            code(&f, &signed(k1, CHAIN, report(1, 1, now + 301))).await,
            "timestamp_out_of_window"
        );
        let mut r = report(1, 1, now);
        r.epoch -= 1;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "epoch_mismatch");
        let mut r = report(1, 1, now);
        r.uptime_secs = LEN + 1;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "implausible_uptime");
        // More uptime than has elapsed in the epoch so far (an inflated counter early in the epoch).
        // The fixture's clock is 100 s into epoch 10.
        let mut r = report(1, 1, now);
        r.uptime_secs = 101;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "implausible_uptime");
        let mut r = report(1, 1, now);
        r.uptime_secs = 100;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "ok");
        f.verifier.refund(1); // give back the rate-limit token the accepted report took
        let mut r = report(1, 1, now);
        r.tasks_completed = 1001;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "implausible_tasks");
        let mut r = report(1, 1, now);
        r.interactions = 5001;
        assert_eq!(code(&f, &signed(k1, CHAIN, r)).await, "implausible_interactions");
        assert_eq!(code(&f, &signed(k1, CHAIN, report(9, 1, now))).await, "unknown_device");
        assert_eq!(
            code(&f, &signed(&f.keys[2], CHAIN, report(3, 1, now))).await,
            "device_not_active"
        );
        // device 2's report signed by device 1's key; and a tampered field after signing
        assert_eq!(code(&f, &signed(k1, CHAIN, report(2, 1, now))).await, "bad_signature");
        let mut item = signed(k1, CHAIN, report(1, 1, now));
        item.signed.report.uptime_secs += 1;
        assert_eq!(code(&f, &item).await, "bad_signature");
        // rate limit: burst 5 (bad signatures above cost nothing)
        for seq in 0..5 {
            assert_eq!(code(&f, &signed(k1, CHAIN, report(1, seq, now))).await, "ok");
        }
        assert_eq!(code(&f, &signed(k1, CHAIN, report(1, 9, now))).await, "rate_limited");
        f.verifier.refund(1);
        assert_eq!(code(&f, &signed(k1, CHAIN, report(1, 9, now))).await, "ok");
        // the window edge is inclusive
        f.clock.advance(300);
        assert_eq!(code(&f, &signed(&f.keys[1], CHAIN, report(2, 1, now))).await, "ok");
        let codes: std::collections::HashSet<_> = Rejection::CODES.iter().collect();
        assert_eq!(codes.len(), Rejection::CODES.len());
    }
}
