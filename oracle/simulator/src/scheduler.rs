//! The fleet in motion: every device's next report time in one priority queue; [`Scheduler::poll`] gives every device
//! that is due its turn. No I/O and no clock of its own, so tests drive it with virtual time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::cheat::CheatMode;
use crate::error::SimError;
use crate::fleet::Fleet;
use crate::model::{DeviceSim, Emitted, RunContext};

pub struct Scheduler {
    devices: Vec<DeviceSim>,
    /// (due unix second, position in `devices`).
    queue: BinaryHeap<Reverse<(u64, u32)>>,
    ctx: RunContext,
}

impl Scheduler {
    /// All devices of `fleet` that can report (registered ones need a device id), starting at unix second `start`.
    /// Impersonators claim the id of an honest device (chosen by index, deterministically).
    pub fn new(fleet: &Fleet, ctx: RunContext, start: u64) -> Result<Self, SimError> {
        ctx.validate()?;
        let honest_ids: Vec<u64> = fleet
            .devices
            .iter()
            .filter(|d| d.cheat == CheatMode::Honest)
            .filter_map(|d| d.device_id)
            .collect();
        let mut devices = Vec::with_capacity(fleet.devices.len());
        for entry in &fleet.devices {
            let impersonated = (!honest_ids.is_empty()).then(|| honest_ids[entry.index as usize % honest_ids.len()]);
            let id = match entry.claimed_id(impersonated) {
                Some(id) => id,
                None if entry.cheat == CheatMode::Impersonate => {
                    return Err(SimError::InvalidArgument(
                        "impersonators need an honest device with a device id to impersonate".into(),
                    ))
                }
                None => return Err(SimError::MissingDeviceId { index: entry.index }),
            };
            devices.push(DeviceSim::new(entry, entry.key()?, id, &ctx, start)?);
        }
        let queue = devices
            .iter()
            .enumerate()
            .map(|(pos, d)| Reverse((d.first_due(), pos as u32)))
            .collect();
        Ok(Self { devices, queue, ctx })
    }

    pub fn context(&self) -> &RunContext {
        &self.ctx
    }

    pub fn len(&self) -> usize {
        self.devices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// The earliest due time.
    pub fn next_due(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse((due, _))| *due)
    }

    /// Devices online now.
    pub fn online(&self) -> usize {
        self.devices.iter().filter(|d| d.is_online()).count()
    }

    /// Gives at most `max` devices due at or before `now` their turn, stamped `now` (a device served late reports
    /// late), and schedules each one `interval` later. Returns how many devices took their turn.
    pub fn poll(&mut self, now: u64, max: usize, out: &mut Vec<Emitted>) -> Result<usize, SimError> {
        let mut served = 0;
        while served < max {
            match self.queue.peek() {
                Some(Reverse((due, _))) if *due <= now => {}
                _ => break,
            }
            let Some(Reverse((_, pos))) = self.queue.pop() else {
                break;
            };
            if let Some(d) = self.devices.get_mut(pos as usize) {
                d.tick(now, &self.ctx, out)?;
                self.queue.push(Reverse((now + self.ctx.interval, pos)));
                served += 1;
            }
        }
        Ok(served)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cheat::{CheatAmount, CheatMix, RecordKind};
    use crate::fleet::FleetSpec;
    use crate::timing::EpochTiming;

    fn fleet() -> Fleet {
        let mut f = Fleet::generate(FleetSpec {
            seed: 3,
            devices: 60,
            owners: 4,
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

    fn ctx() -> RunContext {
        RunContext {
            chain_id: "edgemint-local-1".into(),
            wrong_chain_id: "other-1".into(),
            timing: EpochTiming::from_secs(1_000_000, 600).unwrap(),
            interval: 10,
            seed: 3,
            sequence_base: 5_000,
            cheat_rate: 0.5,
            inflate_factor: 2.0,
            receipts: true,
        }
    }

    fn simulate(s: &mut Scheduler, from: u64, to: u64) -> Vec<Emitted> {
        let mut out = Vec::new();
        for now in from..to {
            s.poll(now, usize::MAX, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn every_device_takes_one_turn_per_interval() {
        let f = fleet();
        let mut s = Scheduler::new(&f, ctx(), 1_000_100).unwrap();
        assert_eq!(s.len(), 60);
        let mut out = Vec::new();
        let mut turns = 0;
        for now in 1_000_100..1_000_100 + 100 {
            turns += s.poll(now, usize::MAX, &mut out).unwrap();
        }
        assert_eq!(turns, 600, "60 devices × 10 turns in 100 s");
        assert!(s.next_due().unwrap() >= 1_000_200);
    }

    #[test]
    fn deterministic_and_per_device_monotonic() {
        let f = fleet();
        let a = simulate(&mut Scheduler::new(&f, ctx(), 1_000_100).unwrap(), 1_000_100, 1_000_900);
        let b = simulate(&mut Scheduler::new(&f, ctx(), 1_000_100).unwrap(), 1_000_100, 1_000_900);
        assert_eq!(a, b);
        // Every kind of record shows up.
        for kind in [
            RecordKind::Honest,
            RecordKind::Replay,
            RecordKind::InflatedUptime,
            RecordKind::DoubleSign,
            RecordKind::Unregistered,
            RecordKind::Impersonate,
            RecordKind::WrongChain,
        ] {
            assert!(a.iter().any(|e| e.kind == kind), "no {kind} record");
        }
        // Sequences of non-replayed, non-double-signed records strictly increase per device.
        let mut last = std::collections::HashMap::new();
        for e in a
            .iter()
            .filter(|e| !matches!(e.kind, RecordKind::Replay | RecordKind::DoubleSign))
        {
            let seq = e.signed.report.sequence;
            if let Some(prev) = last.insert(e.device, seq) {
                assert!(seq > prev, "device {} sequence {seq} after {prev}", e.device);
            }
        }
        // Impersonators claim an honest device's id.
        let honest: std::collections::HashSet<u64> = f
            .devices
            .iter()
            .filter(|d| d.cheat == CheatMode::Honest)
            .filter_map(|d| d.device_id)
            .collect();
        assert!(a
            .iter()
            .filter(|e| e.kind == RecordKind::Impersonate)
            .all(|e| honest.contains(&e.signed.report.device_id)));
    }

    #[test]
    fn poll_respects_the_budget_and_missing_ids_are_refused() {
        let f = fleet();
        let mut s = Scheduler::new(&f, ctx(), 1_000_100).unwrap();
        let mut out = Vec::new();
        let served = s.poll(1_000_200, 7, &mut out).unwrap();
        assert_eq!(served, 7);
        let mut unprovisioned = Fleet::generate(FleetSpec::default()).unwrap();
        unprovisioned.devices[0].device_id = None;
        assert!(matches!(
            Scheduler::new(&unprovisioned, ctx(), 0),
            Err(SimError::MissingDeviceId { index: 0 })
        ));
    }
}
