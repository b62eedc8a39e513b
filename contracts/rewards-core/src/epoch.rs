//! One epoch end to end: telemetry → points → split → leaves → tree.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use cosmwasm_std::{Uint128, Uint256};

use crate::error::RewardsError;
use crate::leaf::leaf_hash_parts;
use crate::merkle::{Hash, Tree, TreeBuilder};
use crate::points::points;
use crate::split::split_points;
use crate::types::{check_owner, DeviceTelemetry, Leaf, Multiplier, Weights};

/// Where [`compute_epoch`] reads each owner's lock multiplier (the staking contract's `RewardMultiplierAtHeight` at
/// the epoch's end height). An owner missing from the map gets [`Multiplier::ONE`], as in the staking contract.
pub trait MultiplierSource {
    fn multiplier(&self, owner: &str) -> Multiplier;
}

impl MultiplierSource for BTreeMap<String, Multiplier> {
    fn multiplier(&self, owner: &str) -> Multiplier {
        self.get(owner).copied().unwrap_or(Multiplier::ONE)
    }
}

impl<S: BuildHasher> MultiplierSource for HashMap<String, Multiplier, S> {
    fn multiplier(&self, owner: &str) -> Multiplier {
        self.get(owner).copied().unwrap_or(Multiplier::ONE)
    }
}

/// Every owner has multiplier 1.0.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMultipliers;

impl MultiplierSource for NoMultipliers {
    fn multiplier(&self, _owner: &str) -> Multiplier {
        Multiplier::ONE
    }
}

/// What an oracle computes for one epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochResult {
    pub epoch: u64,
    /// One leaf per device with a non-zero amount, in ascending device id order (= leaf order in the tree). Devices
    /// whose amount rounds to zero get no leaf (a zero claim is pointless).
    pub leaves: Vec<Leaf>,
    /// `points[i]` are the points of `leaves[i]`'s device (for display and audit; not part of the leaf).
    pub points: Vec<u128>,
    /// Σ points over ALL devices in the input (including those whose amount rounded to zero).
    pub total_points: Uint256,
    /// Σ leaf amounts; never above `budget`.
    pub total_distributed: u128,
    /// `budget − total_distributed`, stays in the pool.
    pub remainder: u128,
    /// Merkle root of `leaves` (see [`crate::merkle`]); [`crate::EMPTY_ROOT`] when no device earned anything.
    pub root: Hash,
    /// Number of leaves in the tree (= `leaves.len()`), the device count an oracle reports with the root.
    pub device_count: u64,
    /// Number of telemetry records given (devices considered, leaf or not).
    pub input_count: u64,
    /// The tree, for serving proofs: `tree.proof_for_device(id)`.
    pub tree: Tree,
}

/// Computes one epoch's rewards from aggregated telemetry. The result depends only on the SET of telemetry records
/// (they are sorted by device id internally), the weights, the budget and the multipliers, never on input order.
///
/// Fails — without a partial result — on a duplicate device id or a non-canonical owner in ANY record (also records
/// that would earn nothing), so that every oracle rejects the same inputs.
pub fn compute_epoch<M: MultiplierSource + ?Sized>(
    epoch: u64,
    budget: u128,
    telemetry: &[DeviceTelemetry],
    weights: &Weights,
    multipliers: &M,
) -> Result<EpochResult, RewardsError> {
    let n = telemetry.len();
    // Sort (device id, index) pairs rather than the records: the key sits inline, so the sort is cache-friendly.
    let mut order: Vec<(u64, usize)> = telemetry.iter().enumerate().map(|(i, t)| (t.device_id, i)).collect();
    if !order.windows(2).all(|w| w[0].0 < w[1].0) {
        order.sort_unstable();
    }
    if let Some(w) = order.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(RewardsError::DuplicateDevice { device_id: w[0].0 });
    }

    let mut pts: Vec<u128> = Vec::with_capacity(n);
    for t in order.iter().filter_map(|&(_, i)| telemetry.get(i)) {
        check_owner(t.device_id, &t.owner)?;
        pts.push(points(t, weights, multipliers.multiplier(&t.owner)));
    }

    let split = split_points(budget, &pts);

    let paid = split.amounts.iter().filter(|&&a| a > 0).count();
    let mut leaves = Vec::with_capacity(paid);
    let mut leaf_points = Vec::with_capacity(paid);
    let mut builder = TreeBuilder::with_capacity(paid);
    for ((&(_, i), &amount), &p) in order.iter().zip(&split.amounts).zip(&pts) {
        if amount == 0 {
            continue;
        }
        let Some(t) = telemetry.get(i) else { continue };
        let h = leaf_hash_parts(epoch, t.device_id, &t.owner, amount);
        builder.push_hash(t.device_id, h)?;
        leaves.push(Leaf {
            epoch,
            device_id: t.device_id,
            owner: t.owner.clone(),
            amount: Uint128::new(amount),
        });
        leaf_points.push(p);
    }
    drop(order);
    drop(pts);
    let tree = builder.finish();

    Ok(EpochResult {
        epoch,
        root: tree.root(),
        device_count: leaves.len() as u64,
        input_count: n as u64,
        leaves,
        points: leaf_points,
        total_points: split.total_points,
        total_distributed: split.distributed,
        remainder: split.remainder,
        tree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{verify, EMPTY_ROOT};

    fn t(id: u64, owner: &str, up: u64, tasks: u64, inter: u64) -> DeviceTelemetry {
        DeviceTelemetry {
            device_id: id,
            owner: owner.into(),
            uptime_secs: up,
            tasks_completed: tasks,
            interactions: inter,
        }
    }

    const W: Weights = Weights {
        uptime_per_hour: 10,
        per_task: 5,
        per_interaction: 1,
        min_uptime_secs: 3600,
    };

    #[test]
    fn small_epoch() {
        let tel = vec![
            t(30, "emc1bob", 7200, 0, 0),     // 72_000 × 1.5 = 108_000
            t(10, "emc1alice", 7200, 3, 7),   // 151_200
            t(20, "emc1carol", 1800, 100, 0), // below min uptime: 0
        ];
        let mut m = BTreeMap::new();
        m.insert("emc1bob".to_string(), Multiplier::from_bps(15_000));
        let r = compute_epoch(4, 1_000_000, &tel, &W, &m).unwrap();
        assert_eq!(r.total_points, Uint256::from(259_200u32));
        // 1_000_000 × 151_200 / 259_200 = 583_333.33 → 583_333; × 108_000 / 259_200 = 416_666.66 → 416_666
        assert_eq!(
            r.leaves,
            vec![
                Leaf::new(4, 10, "emc1alice", 583_333),
                Leaf::new(4, 30, "emc1bob", 416_666)
            ]
        );
        assert_eq!(r.points, vec![151_200, 108_000]);
        assert_eq!(r.total_distributed, 999_999);
        assert_eq!(r.remainder, 1);
        assert_eq!(r.device_count, 2);
        assert_eq!(r.input_count, 3);
        for l in &r.leaves {
            assert!(verify(&r.root, l, &r.tree.proof_for_device(l.device_id).unwrap()));
        }
        assert_eq!(r.tree.proof_for_device(20), None);

        let mut rev = tel.clone();
        rev.reverse();
        let mut hm: HashMap<String, Multiplier> = HashMap::new();
        hm.insert("emc1bob".to_string(), Multiplier::from_bps(15_000));
        assert_eq!(compute_epoch(4, 1_000_000, &rev, &W, &hm).unwrap(), r);
    }

    #[test]
    fn nothing_earned() {
        let tel = vec![t(1, "emc1a", 10, 5, 5)];
        let r = compute_epoch(1, 500, &tel, &W, &NoMultipliers).unwrap();
        assert!(r.leaves.is_empty());
        assert_eq!((r.total_distributed, r.remainder), (0, 500));
        assert_eq!(r.root, EMPTY_ROOT);
        let r = compute_epoch(1, 500, &[], &W, &NoMultipliers).unwrap();
        assert_eq!((r.device_count, r.remainder, r.root), (0, 500, EMPTY_ROOT));
    }

    #[test]
    fn rejects_duplicates_and_bad_owners() {
        let tel = vec![t(1, "emc1a", 7200, 0, 0), t(1, "emc1b", 7200, 0, 0)];
        assert_eq!(
            compute_epoch(1, 500, &tel, &W, &NoMultipliers),
            Err(RewardsError::DuplicateDevice { device_id: 1 })
        );
        // bad owner on a device that would earn nothing still fails
        let tel = vec![t(1, "emc1a", 7200, 0, 0), t(2, "Emc1B", 0, 0, 0)];
        assert!(matches!(
            compute_epoch(1, 500, &tel, &W, &NoMultipliers),
            Err(RewardsError::InvalidOwner { device_id: 2, .. })
        ));
    }
}
