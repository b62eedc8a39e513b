//! The behaviour of one device over time, and the records it emits.
//!
//! # Model
//! - **Availability**: a two-state (online/offline) continuous-time Markov chain: online and offline periods are
//!   exponential with the device's own means (drawn per device around the fleet's means). The initial state is drawn
//!   from the stationary distribution (online with probability `on / (on + off)`).
//! - **Work**: while online, tasks and interactions arrive as Poisson processes at the device's own rates (per
//!   device, log-normal around the model's median).
//! - **Reports**: every `interval` seconds (first one at a per-device phase in `[0, interval)`), an *online* device
//!   signs a report; an offline device stays silent and its counters stand still.
//!
//! # Counters (what the daemon aggregates)
//! `uptime_secs`, `tasks_completed` and `interactions` are **cumulative within the report's epoch**: they count what
//! happened from the later of the epoch's start and the simulator's start up to the report's timestamp, and reset
//! to 0 when a new epoch begins. The oracle daemon keeps, per (epoch, device), the accepted report with the highest
//! sequence (later reports supersede, nothing is summed; `oracle/daemon/src/store/mod.rs`), so each device's last
//! report of an epoch carries its whole epoch. An honest report's uptime never exceeds the seconds elapsed since
//! the epoch's start.
//!
//! # Sequence numbers
//! Per device, strictly increasing: the first report of a run has `sequence_base` (the run's start in unix
//! seconds × 1000) and each report adds 1. A later run therefore starts above everything an earlier run sent (with
//! interval ≥ 1 s, a run emits fewer than 1000 reports per device per second of its duration), without saving any
//! state. A double-signing cheater reuses a sequence on purpose.

use std::collections::VecDeque;

use edgemint_device_sdk::{sha256, DeviceKey, HexBinary, SignedTelemetry, TelemetryReport};
use rand::Rng;
use rand_chacha::ChaCha20Rng;

use crate::cheat::{CheatMode, RecordKind};
use crate::error::SimError;
use crate::fleet::DeviceEntry;
use crate::rng;
use crate::timing::EpochTiming;

/// Earlier records a replaying device keeps to re-send.
const REPLAY_HISTORY: usize = 8;

/// Run-wide parameters every device sees.
#[derive(Debug, Clone)]
pub struct RunContext {
    pub chain_id: String,
    /// The chain id `wrong_chain` cheaters sign for.
    pub wrong_chain_id: String,
    pub timing: EpochTiming,
    /// Seconds between two reports of one device (≥ 1).
    pub interval: u64,
    pub seed: u64,
    /// First sequence number of every device in this run.
    pub sequence_base: u64,
    /// Probability per report that a replay / double-sign / wrong-chain cheater cheats.
    pub cheat_rate: f64,
    /// Inflated uptime = seconds elapsed in the epoch × this + interval.
    pub inflate_factor: f64,
    /// Attach a receipts hash to reports whose task count grew.
    pub receipts: bool,
}

impl RunContext {
    pub fn validate(&self) -> Result<(), SimError> {
        if self.interval == 0 {
            return Err(SimError::InvalidArgument("interval must be ≥ 1 s".into()));
        }
        if !(0.0..=1.0).contains(&self.cheat_rate) {
            return Err(SimError::InvalidArgument(format!(
                "cheat rate must be in [0, 1], got {}",
                self.cheat_rate
            )));
        }
        if !(self.inflate_factor.is_finite() && self.inflate_factor >= 1.0) {
            return Err(SimError::InvalidArgument(format!(
                "inflate factor must be ≥ 1, got {}",
                self.inflate_factor
            )));
        }
        if self.wrong_chain_id == self.chain_id {
            return Err(SimError::InvalidArgument(
                "the wrong chain id equals the chain id".into(),
            ));
        }
        for id in [&self.chain_id, &self.wrong_chain_id] {
            if id.is_empty() || id.len() > 50 || !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
                return Err(SimError::InvalidArgument(format!("invalid chain id {id:?}")));
            }
        }
        Ok(())
    }
}

/// One signed record ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    /// Fleet index of the device that sent it.
    pub device: u32,
    /// Signed for the wrong chain id.
    pub wrong_chain: bool,
    pub signed: SignedTelemetry,
    pub kind: RecordKind,
}

impl Emitted {
    pub fn chain_id<'a>(&self, ctx: &'a RunContext) -> &'a str {
        if self.wrong_chain {
            &ctx.wrong_chain_id
        } else {
            &ctx.chain_id
        }
    }
}

/// The state of one simulated device.
pub struct DeviceSim {
    index: u32,
    key: DeviceKey,
    /// The device id it puts in its reports.
    device_id: u64,
    cheat: CheatMode,
    mean_online: f64,
    mean_offline: f64,
    tasks_per_sec: f64,
    interactions_per_sec: f64,
    rng: ChaCha20Rng,
    online: bool,
    /// Unix second of the next online/offline switch (> clock).
    next_switch: u64,
    /// The model has been advanced up to here (unix seconds).
    clock: u64,
    epoch: Option<u64>,
    uptime: u64,
    tasks: u64,
    interactions: u64,
    tasks_at_last_report: u64,
    next_sequence: u64,
    /// Unix second of the first report.
    first_due: u64,
    history: VecDeque<SignedTelemetry>,
}

impl DeviceSim {
    /// A device starting at unix second `start`, reporting as `device_id`.
    pub fn new(
        entry: &DeviceEntry,
        key: DeviceKey,
        device_id: u64,
        ctx: &RunContext,
        start: u64,
    ) -> Result<Self, SimError> {
        let mut rng = rng::stream(ctx.seed, "run", u64::from(entry.index));
        let mean_online = entry.mean_online_secs.max(1.0);
        let mean_offline = entry.mean_offline_secs.max(1.0);
        let online = rng.gen::<f64>() < mean_online / (mean_online + mean_offline);
        let phase = rng.gen_range(0..ctx.interval);
        let mut d = Self {
            index: entry.index,
            key,
            device_id,
            cheat: entry.cheat,
            mean_online,
            mean_offline,
            tasks_per_sec: entry.tasks_per_hour.max(0.0) / 3600.0,
            interactions_per_sec: entry.interactions_per_hour.max(0.0) / 3600.0,
            rng,
            online,
            next_switch: start,
            clock: start,
            epoch: ctx.timing.epoch_at(start),
            uptime: 0,
            tasks: 0,
            interactions: 0,
            tasks_at_last_report: 0,
            next_sequence: ctx.sequence_base,
            first_due: start + phase,
            history: VecDeque::new(),
        };
        d.next_switch = start + d.holding_time();
        Ok(d)
    }

    pub fn index(&self) -> u32 {
        self.index
    }

    pub fn cheat(&self) -> CheatMode {
        self.cheat
    }

    pub fn is_online(&self) -> bool {
        self.online
    }

    pub fn first_due(&self) -> u64 {
        self.first_due
    }

    /// (epoch, uptime, tasks, interactions) as the device counts them now.
    pub fn counters(&self) -> (Option<u64>, u64, u64, u64) {
        (self.epoch, self.uptime, self.tasks, self.interactions)
    }

    /// Length of the current online or offline period, whole seconds ≥ 1.
    fn holding_time(&mut self) -> u64 {
        let mean = if self.online {
            self.mean_online
        } else {
            self.mean_offline
        };
        (rng::exponential(&mut self.rng, mean).ceil() as u64).max(1)
    }

    /// Runs the model forward to unix second `to`: switches, epoch boundaries, uptime and work.
    pub fn advance(&mut self, to: u64, timing: &EpochTiming) {
        while self.clock < to {
            let boundary = timing.next_boundary(self.clock);
            let end = to.min(self.next_switch).min(boundary);
            let dt = end - self.clock;
            if self.online && self.epoch.is_some() {
                self.uptime += dt;
                let secs = dt as f64;
                self.tasks += rng::poisson(&mut self.rng, self.tasks_per_sec * secs);
                self.interactions += rng::poisson(&mut self.rng, self.interactions_per_sec * secs);
            }
            self.clock = end;
            if self.clock >= self.next_switch {
                self.online = !self.online;
                self.next_switch = self.clock + self.holding_time();
            }
            if self.clock >= boundary {
                self.epoch = timing.epoch_at(self.clock);
                self.uptime = 0;
                self.tasks = 0;
                self.interactions = 0;
                self.tasks_at_last_report = 0;
            }
        }
    }

    /// The device's turn at unix second `t`: advances the model and, if online inside an epoch, signs its report
    /// (and whatever its cheat mode adds) into `out`.
    pub fn tick(&mut self, t: u64, ctx: &RunContext, out: &mut Vec<Emitted>) -> Result<(), SimError> {
        self.advance(t, &ctx.timing);
        if !self.online {
            return Ok(());
        }
        let Some(epoch) = ctx.timing.epoch_at(t) else {
            return Ok(());
        };
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let elapsed = t - ctx.timing.start_secs(epoch);
        let (uptime_secs, kind) = match self.cheat {
            CheatMode::InflatedUptime => (
                (elapsed as f64 * ctx.inflate_factor) as u64 + ctx.interval,
                RecordKind::InflatedUptime,
            ),
            CheatMode::Unregistered => (self.uptime, RecordKind::Unregistered),
            CheatMode::Impersonate => (self.uptime, RecordKind::Impersonate),
            _ => (self.uptime, RecordKind::Honest),
        };
        let receipts_hash = (ctx.receipts && self.tasks > self.tasks_at_last_report).then(|| {
            let mut m = Vec::with_capacity(24);
            m.extend_from_slice(&self.device_id.to_be_bytes());
            m.extend_from_slice(&sequence.to_be_bytes());
            m.extend_from_slice(&self.tasks.to_be_bytes());
            HexBinary::from(sha256(&m).to_vec())
        });
        self.tasks_at_last_report = self.tasks;
        let report = TelemetryReport {
            device_id: self.device_id,
            sequence,
            timestamp: t,
            epoch,
            uptime_secs,
            tasks_completed: self.tasks,
            interactions: self.interactions,
            receipts_hash,
        };

        let wrong_chain = self.cheat == CheatMode::WrongChain && self.rng.gen::<f64>() < ctx.cheat_rate;
        let chain = if wrong_chain {
            &ctx.wrong_chain_id
        } else {
            &ctx.chain_id
        };
        let signed = SignedTelemetry::sign(&self.key, chain, report)?;
        let kind = if wrong_chain { RecordKind::WrongChain } else { kind };
        out.push(Emitted {
            device: self.index,
            wrong_chain,
            signed: signed.clone(),
            kind,
        });

        match self.cheat {
            CheatMode::Replay => {
                if !self.history.is_empty() && self.rng.gen::<f64>() < ctx.cheat_rate {
                    let pick = self.rng.gen_range(0..self.history.len());
                    if let Some(old) = self.history.get(pick) {
                        out.push(Emitted {
                            device: self.index,
                            wrong_chain: false,
                            signed: old.clone(),
                            kind: RecordKind::Replay,
                        });
                    }
                }
                if self.history.len() == REPLAY_HISTORY {
                    self.history.pop_front();
                }
                self.history.push_back(signed);
            }
            CheatMode::DoubleSign if self.rng.gen::<f64>() < ctx.cheat_rate => {
                let mut other = signed.report.clone();
                other.tasks_completed += 1 + self.rng.gen_range(0..5);
                other.interactions += 1 + self.rng.gen_range(0..20);
                let conflicting = SignedTelemetry::sign(&self.key, &ctx.chain_id, other)?;
                out.push(Emitted {
                    device: self.index,
                    wrong_chain: false,
                    signed: conflicting,
                    kind: RecordKind::DoubleSign,
                });
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cheat::{CheatAmount, CheatMix};
    use crate::fleet::{Fleet, FleetSpec};
    use edgemint_device_sdk::DevicePublicKey;

    pub(crate) fn ctx(timing: EpochTiming) -> RunContext {
        RunContext {
            chain_id: "edgemint-local-1".into(),
            wrong_chain_id: "evil-chain-9".into(),
            timing,
            interval: 10,
            seed: 5,
            sequence_base: 1_000,
            cheat_rate: 1.0,
            inflate_factor: 3.0,
            receipts: true,
        }
    }

    fn fleet_with(mode: CheatMode) -> Fleet {
        let mut cheats = CheatMix::default();
        match mode {
            CheatMode::Replay => cheats.replay = CheatAmount::Count(1),
            CheatMode::InflatedUptime => cheats.inflated_uptime = CheatAmount::Count(1),
            CheatMode::DoubleSign => cheats.double_sign = CheatAmount::Count(1),
            CheatMode::Unregistered => cheats.unregistered = CheatAmount::Count(1),
            CheatMode::Impersonate => cheats.impersonate = CheatAmount::Count(1),
            CheatMode::WrongChain => cheats.wrong_chain = CheatAmount::Count(1),
            CheatMode::Honest => {}
        }
        // Always online, busy: every tick yields a report and counters grow.
        let behaviour = crate::fleet::BehaviourParams {
            mean_online_secs: 1e9,
            mean_offline_secs: 1.0,
            availability_sigma: 0.0,
            tasks_per_hour: 3600.0,
            ..Default::default()
        };
        Fleet::generate(FleetSpec {
            seed: 11,
            devices: 1,
            owners: 1,
            cheats,
            behaviour,
            ..FleetSpec::default()
        })
        .unwrap()
    }

    fn device(fleet: &Fleet, ctx: &RunContext, start: u64) -> DeviceSim {
        let e = &fleet.devices[0];
        DeviceSim::new(e, e.key().unwrap(), 77, ctx, start).unwrap()
    }

    /// Ticks every `interval` seconds from `start` for `ticks` turns.
    fn run(d: &mut DeviceSim, ctx: &RunContext, start: u64, ticks: u64) -> Vec<Emitted> {
        let mut out = Vec::new();
        for k in 0..ticks {
            d.tick(start + k * ctx.interval, ctx, &mut out).unwrap();
        }
        out
    }

    fn verifies(e: &Emitted, fleet: &Fleet, chain: &str) -> bool {
        let d = &fleet.devices[0];
        let pk = DevicePublicKey::from_bytes(d.key_type, &d.public_key_bytes().unwrap()).unwrap();
        e.signed.verify_with(&pk, chain).is_ok()
    }

    #[test]
    fn honest_reports_are_monotonic_cumulative_and_valid() {
        let timing = EpochTiming::from_secs(10_000, 300).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::Honest);
        let mut d = device(&fleet, &c, 10_000);
        let out = run(&mut d, &c, 10_000, 100);
        assert_eq!(out.len(), 100, "always-online device reports every tick");
        let mut last_seq = None;
        let mut prev: Option<&TelemetryReport> = None;
        for e in &out {
            let r = &e.signed.report;
            assert_eq!(e.kind, RecordKind::Honest);
            assert!(verifies(e, &fleet, &c.chain_id));
            assert!(
                last_seq.is_none_or(|s| r.sequence > s),
                "sequence must strictly increase"
            );
            last_seq = Some(r.sequence);
            assert_eq!(r.epoch, timing.epoch_at(r.timestamp).unwrap());
            let elapsed = r.timestamp - timing.start_secs(r.epoch);
            assert!(
                r.uptime_secs <= elapsed,
                "honest uptime {} > elapsed {elapsed}",
                r.uptime_secs
            );
            if let Some(p) = prev.filter(|p| p.epoch == r.epoch) {
                assert!(r.uptime_secs >= p.uptime_secs && r.tasks_completed >= p.tasks_completed);
                assert!(r.interactions >= p.interactions);
            }
            prev = Some(r);
        }
        assert_eq!(out[0].signed.report.sequence, 1_000);
        // 1000 s over 300 s epochs: counters reset at each boundary (epochs 0..=3 seen).
        let epochs: std::collections::BTreeSet<u64> = out.iter().map(|e| e.signed.report.epoch).collect();
        assert_eq!(epochs.into_iter().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        let first_of_epoch_1 = out.iter().find(|e| e.signed.report.epoch == 1).unwrap();
        assert_eq!(first_of_epoch_1.signed.report.uptime_secs, 0);
        // Uptime in a full epoch reaches the time elapsed (always online).
        let last_of_epoch_1 = out.iter().rfind(|e| e.signed.report.epoch == 1).unwrap();
        assert_eq!(last_of_epoch_1.signed.report.uptime_secs, 290);
        assert!(
            last_of_epoch_1.signed.report.tasks_completed > 100,
            "3600 tasks/h over ~290 s"
        );
    }

    #[test]
    fn same_seed_same_reports_different_seed_different_reports() {
        let timing = EpochTiming::from_secs(0, 3600).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::Honest);
        let a = run(&mut device(&fleet, &c, 5_000), &c, 5_000, 30);
        let b = run(&mut device(&fleet, &c, 5_000), &c, 5_000, 30);
        assert_eq!(a, b);
        let c2 = RunContext { seed: 6, ..c.clone() };
        let other = run(&mut device(&fleet, &c2, 5_000), &c2, 5_000, 30);
        assert_ne!(
            a.iter().map(|e| e.signed.report.tasks_completed).collect::<Vec<_>>(),
            other
                .iter()
                .map(|e| e.signed.report.tasks_completed)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn offline_devices_stay_silent_and_do_not_accrue_uptime() {
        let timing = EpochTiming::from_secs(0, 1_000_000).unwrap();
        let c = ctx(timing);
        let mut fleet = fleet_with(CheatMode::Honest);
        fleet.devices[0].mean_online_secs = 50.0;
        fleet.devices[0].mean_offline_secs = 50.0;
        let mut d = device(&fleet, &c, 1_000);
        let out = run(&mut d, &c, 1_000, 2_000);
        // About half the ticks are offline.
        assert!(
            out.len() > 600 && out.len() < 1_400,
            "{} reports of 2000 ticks",
            out.len()
        );
        let last = &out.last().unwrap().signed.report;
        let elapsed = last.timestamp - 1_000;
        assert!(
            last.uptime_secs < elapsed * 8 / 10 && last.uptime_secs > elapsed / 5,
            "uptime {}",
            last.uptime_secs
        );
    }

    #[test]
    fn inflated_uptime_exceeds_elapsed_time_and_the_interval() {
        let timing = EpochTiming::from_secs(0, 600).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::InflatedUptime);
        let mut d = device(&fleet, &c, 6_000);
        let out = run(&mut d, &c, 6_000, 50);
        assert!(!out.is_empty());
        let mut prev: Option<&TelemetryReport> = None;
        for e in &out {
            let r = &e.signed.report;
            assert_eq!(e.kind, RecordKind::InflatedUptime);
            assert!(verifies(e, &fleet, &c.chain_id), "a cheater still signs validly");
            let elapsed = r.timestamp - timing.start_secs(r.epoch);
            assert!(
                r.uptime_secs > elapsed,
                "uptime {} must exceed elapsed {elapsed}",
                r.uptime_secs
            );
            assert!(
                r.uptime_secs >= c.interval,
                "even the first report of an epoch claims a whole interval"
            );
            if let Some(p) = prev.filter(|p| p.epoch == r.epoch) {
                assert!(
                    r.uptime_secs - p.uptime_secs > r.timestamp - p.timestamp,
                    "grows faster than time"
                );
            }
            prev = Some(r);
        }
        assert!(
            out.iter().any(|e| e.signed.report.uptime_secs > timing.length),
            "eventually above the epoch length"
        );
    }

    #[test]
    fn double_sign_produces_two_distinct_valid_reports_with_one_sequence() {
        let timing = EpochTiming::from_secs(0, 600).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::DoubleSign);
        let mut d = device(&fleet, &c, 6_000);
        let out = run(&mut d, &c, 6_000, 5);
        let pairs: Vec<(&Emitted, &Emitted)> = out
            .windows(2)
            .filter(|w| w[1].kind == RecordKind::DoubleSign)
            .map(|w| (&w[0], &w[1]))
            .collect();
        assert_eq!(pairs.len(), 5, "cheat rate 1: every report is double-signed");
        for (a, b) in pairs {
            assert_eq!(a.kind, RecordKind::Honest);
            assert_eq!(a.signed.report.sequence, b.signed.report.sequence);
            assert_eq!(a.signed.report.device_id, b.signed.report.device_id);
            assert_ne!(a.signed.report, b.signed.report);
            assert_ne!(a.signed.signature, b.signed.signature);
            assert!(verifies(a, &fleet, &c.chain_id) && verifies(b, &fleet, &c.chain_id));
            assert_ne!(
                a.signed.signed_bytes(&c.chain_id).unwrap(),
                b.signed.signed_bytes(&c.chain_id).unwrap()
            );
        }
        // With cheat rate 0 it never double-signs.
        let c0 = RunContext {
            cheat_rate: 0.0,
            ..c.clone()
        };
        let mut d = device(&fleet, &c0, 6_000);
        assert!(run(&mut d, &c0, 6_000, 20).iter().all(|e| e.kind == RecordKind::Honest));
    }

    #[test]
    fn replays_resend_earlier_records_byte_for_byte() {
        let timing = EpochTiming::from_secs(0, 600).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::Replay);
        let mut d = device(&fleet, &c, 6_000);
        let out = run(&mut d, &c, 6_000, 20);
        let replays: Vec<&Emitted> = out.iter().filter(|e| e.kind == RecordKind::Replay).collect();
        assert_eq!(replays.len(), 19, "every report after the first brings a replay");
        for (pos, r) in out.iter().enumerate().filter(|(_, e)| e.kind == RecordKind::Replay) {
            let original = out[..pos]
                .iter()
                .find(|e| e.kind == RecordKind::Honest && e.signed == r.signed)
                .expect("a replay is an earlier record");
            assert!(original.signed.report.sequence < out[pos - 1].signed.report.sequence);
        }
    }

    #[test]
    fn wrong_chain_and_unregistered_keys() {
        let timing = EpochTiming::from_secs(0, 600).unwrap();
        let c = ctx(timing);
        let fleet = fleet_with(CheatMode::WrongChain);
        let mut d = device(&fleet, &c, 6_000);
        let out = run(&mut d, &c, 6_000, 5);
        assert!(out.iter().all(|e| e.kind == RecordKind::WrongChain && e.wrong_chain));
        for e in &out {
            assert!(verifies(e, &fleet, &c.wrong_chain_id));
            assert!(!verifies(e, &fleet, &c.chain_id), "must not verify for the real chain");
            assert_eq!(e.chain_id(&c), c.wrong_chain_id);
        }

        let fleet = fleet_with(CheatMode::Unregistered);
        let e = &fleet.devices[0];
        assert!(!e.cheat.registered() && e.owner.is_none());
        let id = e.claimed_id(None).unwrap();
        assert!(id >= crate::fleet::UNREGISTERED_ID_BASE);
        let mut d = DeviceSim::new(e, e.key().unwrap(), id, &c, 6_000).unwrap();
        let out = run(&mut d, &c, 6_000, 3);
        assert!(out
            .iter()
            .all(|x| x.kind == RecordKind::Unregistered && x.signed.report.device_id == id));
    }

    #[test]
    fn context_validation() {
        let timing = EpochTiming::from_secs(0, 600).unwrap();
        let good = ctx(timing);
        assert!(good.validate().is_ok());
        for bad in [
            RunContext {
                interval: 0,
                ..good.clone()
            },
            RunContext {
                cheat_rate: 1.5,
                ..good.clone()
            },
            RunContext {
                inflate_factor: 0.5,
                ..good.clone()
            },
            RunContext {
                wrong_chain_id: good.chain_id.clone(),
                ..good.clone()
            },
            RunContext {
                chain_id: "has space".into(),
                ..good.clone()
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }
}
