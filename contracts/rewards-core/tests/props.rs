//! Property tests: conservation of the budget, order independence, proof soundness, monotonicity, no panics.

use std::collections::BTreeMap;

use cosmwasm_std::{Uint128, Uint256};
use proptest::prelude::*;
use rewards_core::*;

const OWNERS: [&str; 5] = ["emc1alice", "emc1bob", "emc1carol", "emc1dave", "emc1erin"];

fn weights() -> impl Strategy<Value = Weights> {
    (0u64..1_000, 0u64..1_000, 0u64..1_000, 0u64..10_000).prop_map(|(u, t, i, m)| Weights {
        uptime_per_hour: u,
        per_task: t,
        per_interaction: i,
        min_uptime_secs: m,
    })
}

fn extreme_weights() -> impl Strategy<Value = Weights> {
    (any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(u, t, i, m)| Weights {
        uptime_per_hour: u,
        per_task: t,
        per_interaction: i,
        min_uptime_secs: m,
    })
}

fn multiplier() -> impl Strategy<Value = Multiplier> {
    prop_oneof![
        Just(Multiplier::ONE),
        (0u32..100_000).prop_map(Multiplier::from_bps),
        (0u128..10 * Multiplier::SCALE).prop_map(Multiplier::from_atomics),
    ]
}

/// Telemetry with unique device ids, realistic ranges.
fn telemetry(max: usize) -> impl Strategy<Value = Vec<DeviceTelemetry>> {
    prop::collection::btree_map(
        any::<u64>(),
        (0usize..OWNERS.len(), 0u64..700_000, 0u64..100_000, 0u64..1_000_000),
        0..max,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(id, (o, up, t, i))| DeviceTelemetry {
                device_id: id,
                owner: OWNERS[o].to_string(),
                uptime_secs: up,
                tasks_completed: t,
                interactions: i,
            })
            .collect()
    })
}

fn multipliers() -> impl Strategy<Value = BTreeMap<String, Multiplier>> {
    prop::collection::vec(multiplier(), OWNERS.len()).prop_map(|ms| {
        OWNERS
            .iter()
            .zip(ms)
            .filter(|(_, m)| *m != Multiplier::ONE)
            .map(|(o, m)| (o.to_string(), m))
            .collect()
    })
}

fn extreme_telemetry(max: usize) -> impl Strategy<Value = Vec<DeviceTelemetry>> {
    let v = prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()];
    prop::collection::btree_map(any::<u64>(), (0usize..OWNERS.len(), v.clone(), v.clone(), v), 0..max).prop_map(|m| {
        m.into_iter()
            .map(|(id, (o, up, t, i))| DeviceTelemetry {
                device_id: id,
                owner: OWNERS[o].to_string(),
                uptime_secs: up,
                tasks_completed: t,
                interactions: i,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn split_conserves_budget(budget in any::<u128>(), pts in prop::collection::vec(any::<u128>(), 0..50)) {
        let s = split_points(budget, &pts);
        prop_assert_eq!(s.amounts.len(), pts.len());
        let sum = s.amounts.iter().fold(Uint256::zero(), |a, &x| a + Uint256::from(x));
        prop_assert!(sum <= Uint256::from(budget));
        prop_assert_eq!(Uint256::from(s.distributed), sum);
        prop_assert_eq!(s.remainder, budget - s.distributed);
        let nonzero = pts.iter().filter(|&&p| p > 0).count() as u128;
        if nonzero == 0 {
            prop_assert_eq!(s.remainder, budget);
        } else {
            // each amount loses less than 1 to rounding
            prop_assert!(s.remainder < nonzero);
        }
        // each amount is floor(budget × p / P)
        for (a, p) in s.amounts.iter().zip(&pts) {
            if !s.total_points.is_zero() {
                let exact = Uint128::new(budget).full_mul(*p) / s.total_points;
                prop_assert_eq!(Uint256::from(*a), exact);
            }
        }
    }

    #[test]
    fn split_realistic_budget(budget in 0u128..=100_000_000_000_000_000, pts in prop::collection::vec(0u128..=1_000_000_000_000_000_000_000_000_000_000, 0..50)) {
        let s = split(budget, &pts.iter().enumerate().map(|(i, p)| (i as u64, *p)).collect::<Vec<_>>());
        prop_assert!(s.distributed <= budget);
        prop_assert_eq!(s.distributed + s.remainder, budget);
        prop_assert_eq!(s.distributed, s.amounts.iter().sum::<u128>());
    }

    #[test]
    fn points_monotone(
        w in extreme_weights(),
        m in any::<u128>(),
        up in any::<u64>(), t in any::<u64>(), i in any::<u64>(),
        d_up in any::<u64>(), d_t in any::<u64>(), d_i in any::<u64>(), d_m in any::<u128>(), d_w in any::<u64>(),
    ) {
        let base = DeviceTelemetry { device_id: 1, owner: "emc1a".into(), uptime_secs: up, tasks_completed: t, interactions: i };
        let mult = Multiplier::from_atomics(m);
        let p = points(&base, &w, mult);
        let more = |f: &dyn Fn(&mut DeviceTelemetry)| { let mut x = base.clone(); f(&mut x); points(&x, &w, mult) };
        prop_assert!(more(&|x| x.uptime_secs = x.uptime_secs.saturating_add(d_up)) >= p);
        prop_assert!(more(&|x| x.tasks_completed = x.tasks_completed.saturating_add(d_t)) >= p);
        prop_assert!(more(&|x| x.interactions = x.interactions.saturating_add(d_i)) >= p);
        prop_assert!(points(&base, &w, Multiplier::from_atomics(m.saturating_add(d_m))) >= p);
        let w2 = Weights { uptime_per_hour: w.uptime_per_hour.saturating_add(d_w), ..w.clone() };
        prop_assert!(points(&base, &w2, mult) >= p);
        let w3 = Weights { per_task: w.per_task.saturating_add(d_w), ..w.clone() };
        prop_assert!(points(&base, &w3, mult) >= p);
        let w4 = Weights { per_interaction: w.per_interaction.saturating_add(d_w), ..w.clone() };
        prop_assert!(points(&base, &w4, mult) >= p);
        // a higher minimum never adds points
        let w5 = Weights { min_uptime_secs: w.min_uptime_secs.saturating_add(d_w), ..w.clone() };
        prop_assert!(points(&base, &w5, mult) <= p);
    }

    #[test]
    fn points_exact_below_the_cap(w in weights(), m in multiplier(), up in 0u64..700_000, t in 0u64..1_000_000, i in 0u64..1_000_000) {
        let x = DeviceTelemetry { device_id: 1, owner: "emc1a".into(), uptime_secs: up, tasks_completed: t, interactions: i };
        let expected = if up < w.min_uptime_secs { 0 } else {
            let raw = u128::from(up) * u128::from(w.uptime_per_hour)
                + 3600 * (u128::from(t) * u128::from(w.per_task) + u128::from(i) * u128::from(w.per_interaction));
            (Uint256::from(raw) * Uint256::from(m.atomics()) / Uint256::from(Multiplier::SCALE)).to_string().parse::<u128>().unwrap()
        };
        prop_assert_eq!(points(&x, &w, m), expected);
    }

    #[test]
    fn epoch_is_order_independent_and_proofs_sound(
        tel in telemetry(40),
        w in weights(),
        ms in multipliers(),
        budget in 0u128..=100_000_000_000_000_000,
        epoch in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let r = compute_epoch(epoch, budget, &tel, &w, &ms).unwrap();
        prop_assert!(r.total_distributed <= budget);
        prop_assert_eq!(r.total_distributed + r.remainder, budget);
        prop_assert_eq!(r.leaves.iter().map(|l| l.amount.u128()).sum::<u128>(), r.total_distributed);
        prop_assert_eq!(r.device_count as usize, r.leaves.len());
        prop_assert!(r.leaves.windows(2).all(|p| p[0].device_id < p[1].device_id));

        // any permutation: same result
        let mut shuffled = tel.clone();
        let mut state = seed | 1;
        for k in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(k, (state % (k as u64 + 1)) as usize);
        }
        let r2 = compute_epoch(epoch, budget, &shuffled, &w, &ms).unwrap();
        prop_assert_eq!(&r2, &r);

        // streaming root agrees
        let mut rb = RootBuilder::new();
        for l in &r.leaves { rb.push_leaf(l).unwrap(); }
        prop_assert_eq!(rb.finish(), r.root);

        // every proof verifies, every tampered leaf fails
        for l in &r.leaves {
            let proof = r.tree.proof_for_device(l.device_id).unwrap();
            prop_assert!(verify(&r.root, l, &proof));
            let mut bad = l.clone();
            bad.amount = Uint128::new(l.amount.u128() ^ 1);
            prop_assert!(!verify(&r.root, &bad, &proof));
            let mut bad = l.clone();
            bad.amount = Uint128::new(l.amount.u128() + 1);
            prop_assert!(!verify(&r.root, &bad, &proof));
            let mut bad = l.clone();
            bad.owner = if l.owner == "emc1alice" { "emc1mallory".into() } else { "emc1alice".into() };
            prop_assert!(!verify(&r.root, &bad, &proof));
            let mut bad = l.clone();
            bad.epoch = l.epoch.wrapping_add(1);
            prop_assert!(!verify(&r.root, &bad, &proof));
            let mut bad = l.clone();
            bad.device_id = l.device_id.wrapping_add(1);
            prop_assert!(!verify(&r.root, &bad, &proof));
            if !proof.is_empty() {
                prop_assert!(!verify(&r.root, l, &proof[1..]));
                let mut p2 = proof.clone();
                p2[0][0] ^= 1;
                prop_assert!(!verify(&r.root, l, &p2));
            }
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic(
        tel in extreme_telemetry(12),
        w in extreme_weights(),
        m in any::<u128>(),
        budget in prop_oneof![Just(100_000_000_000_000_000u128), Just(u128::MAX), any::<u128>()],
        epoch in prop_oneof![Just(u64::MAX), any::<u64>()],
    ) {
        let ms: BTreeMap<String, Multiplier> =
            OWNERS.iter().map(|o| (o.to_string(), Multiplier::from_atomics(m))).collect();
        let r = compute_epoch(epoch, budget, &tel, &w, &ms).unwrap();
        prop_assert!(r.total_distributed <= budget);
        prop_assert_eq!(r.total_distributed + r.remainder, budget);
        for l in &r.leaves {
            prop_assert!(verify(&r.root, l, &r.tree.proof_for_device(l.device_id).unwrap()));
        }
    }

    #[test]
    fn tree_of_any_size(n in 0usize..300, epoch in any::<u64>()) {
        let leaves: Vec<Leaf> = (0..n as u64).map(|i| Leaf::new(epoch, i * i + 7, OWNERS[(i % 5) as usize], u128::from(i))).collect();
        let t = build_tree(&leaves).unwrap();
        let mut rb = RootBuilder::new();
        for l in &leaves { rb.push_leaf(l).unwrap(); }
        prop_assert_eq!(rb.finish(), t.root());
        for (i, l) in leaves.iter().enumerate() {
            prop_assert!(verify(&t.root(), l, &t.proof(i).unwrap()));
        }
    }
}
