//! Contribution points.
//!
//! ```text
//! raw    = uptime_secs × uptime_per_hour + 3600 × (tasks_completed × per_task + interactions × per_interaction)
//! points = min( floor(raw × multiplier_atomics / 10^18), u128::MAX )      (0 if uptime_secs < min_uptime_secs)
//! ```
//!
//! Points are counted in units of 1/3600 of a weight unit (`POINT_UNITS_PER_WEIGHT_UNIT`), so uptime is rewarded to
//! the second without rounding: one hour of uptime is worth `3600 × uptime_per_hour` points, one task
//! `3600 × per_task`. The only rounding is the single floor after the multiplier.
//!
//! Overflow: every product of two u64 fits in u128 and `raw` is at most about `7201 × (2^64)^2 < 2^256`, so `raw` is
//! exact in 256 bits. If `raw × multiplier` does not fit in 256 bits the quotient is above `2^256 / 10^18 > 2^128`, so
//! clamping it to `u128::MAX` gives the same answer as exact arithmetic followed by the clamp. The result is thus
//! exactly `min(exact points, u128::MAX)`: it never panics, never wraps, and stays monotone in every input.
//! (Realistic values never come near the clamp: a week of uptime with weights of 10^6 and a multiplier of 10 is
//! about 2 × 10^16 points.)

use cosmwasm_std::{Uint128, Uint256};

use crate::types::{DeviceTelemetry, Multiplier, Weights};

/// Points per weight unit: uptime is weighted per hour but counted per second.
pub const POINT_UNITS_PER_WEIGHT_UNIT: u128 = 3600;

/// Contribution points of one device for one epoch; see the module documentation for the formula. Saturates at
/// `u128::MAX` (unreachable with realistic inputs), never panics.
pub fn points(t: &DeviceTelemetry, weights: &Weights, multiplier: Multiplier) -> u128 {
    if t.uptime_secs < weights.min_uptime_secs {
        return 0;
    }
    let up = u128::from(t.uptime_secs) * u128::from(weights.uptime_per_hour);
    let tasks = u128::from(t.tasks_completed) * u128::from(weights.per_task);
    let inter = u128::from(t.interactions) * u128::from(weights.per_interaction);
    let m = multiplier.atomics();

    // Fast path: everything fits in u128 (always the case for realistic inputs).
    if let Some(prod) = tasks
        .checked_add(inter)
        .and_then(|x| x.checked_mul(POINT_UNITS_PER_WEIGHT_UNIT))
        .and_then(|x| x.checked_add(up))
        .and_then(|raw| raw.checked_mul(m))
    {
        return prod / Multiplier::SCALE;
    }

    // Wide path. None of these can overflow 256 bits except the multiplier product (see module docs); the
    // `unwrap_or(MAX)` fallbacks only exist to avoid panicking code paths.
    let raw = Uint256::from(tasks)
        .checked_add(Uint256::from(inter))
        .and_then(|x| x.checked_mul(Uint256::from(POINT_UNITS_PER_WEIGHT_UNIT)))
        .and_then(|x| x.checked_add(Uint256::from(up)));
    let Ok(raw) = raw else {
        return u128::MAX;
    };
    let Ok(prod) = raw.checked_mul(Uint256::from(m)) else {
        return u128::MAX;
    };
    let q = prod / Uint256::from(Multiplier::SCALE);
    Uint128::try_from(q).map_or(u128::MAX, |v| v.u128())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(uptime_secs: u64, tasks: u64, inter: u64) -> DeviceTelemetry {
        DeviceTelemetry {
            device_id: 1,
            owner: "emc1owner".into(),
            uptime_secs,
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
    fn formula() {
        // 2 h uptime = 7200 s × 10 = 72_000; 3600 × (3×5 + 7×1) = 79_200
        assert_eq!(points(&t(7200, 3, 7), &W, Multiplier::ONE), 151_200);
        assert_eq!(points(&t(7200, 3, 7), &W, Multiplier::from_bps(15_000)), 226_800);
        // floor after the multiplier: 151_200 × 1/3 = 50_400 exactly; × 0.333333333333333333 rounds down
        let third = Multiplier::from_atomics(333_333_333_333_333_333);
        assert_eq!(points(&t(7200, 3, 7), &W, third), 50_399);
        // one second of uptime counts
        assert_eq!(points(&t(3601, 0, 0), &W, Multiplier::ONE), 36_010);
    }

    #[test]
    fn min_uptime() {
        assert_eq!(points(&t(3599, 1000, 1000), &W, Multiplier::ONE), 0);
        assert_eq!(points(&t(3600, 0, 0), &W, Multiplier::ONE), 36_000);
        let w0 = Weights {
            min_uptime_secs: 0,
            ..W
        };
        assert_eq!(points(&t(0, 1, 0), &w0, Multiplier::ONE), 18_000);
    }

    #[test]
    fn zero_multiplier_or_weights() {
        assert_eq!(points(&t(7200, 3, 7), &W, Multiplier::ZERO), 0);
        let w = Weights {
            uptime_per_hour: 0,
            per_task: 0,
            per_interaction: 0,
            min_uptime_secs: 0,
        };
        assert_eq!(points(&t(u64::MAX, u64::MAX, u64::MAX), &w, Multiplier::ONE), 0);
    }

    #[test]
    fn extremes_saturate_without_panic() {
        let wmax = Weights {
            uptime_per_hour: u64::MAX,
            per_task: u64::MAX,
            per_interaction: u64::MAX,
            min_uptime_secs: 0,
        };
        let big = t(u64::MAX, u64::MAX, u64::MAX);
        assert_eq!(points(&big, &wmax, Multiplier::from_atomics(u128::MAX)), u128::MAX);
        assert_eq!(points(&big, &wmax, Multiplier::ONE), u128::MAX);
        // wide path below the clamp: u64::MAX tasks × 1 × 3600 × 10^18 overflows u128 but the result fits
        let w1 = Weights {
            uptime_per_hour: 0,
            per_task: 1,
            per_interaction: 0,
            min_uptime_secs: 0,
        };
        assert_eq!(
            points(&t(0, u64::MAX, 0), &w1, Multiplier::ONE),
            u128::from(u64::MAX) * 3600
        );
        assert_eq!(
            points(&t(0, u64::MAX, 0), &w1, Multiplier::from_bps(15_000)),
            u128::from(u64::MAX) * 5400
        );
        // tiny multiplier on huge raw value: exact floor through the wide path
        assert_eq!(
            points(&big, &wmax, Multiplier::from_atomics(1)),
            ((Uint256::from(u128::from(u64::MAX)) * Uint256::from(u128::from(u64::MAX)) * Uint256::from(7201u128))
                / Uint256::from(Multiplier::SCALE))
            .to_string()
            .parse::<u128>()
            .unwrap()
        );
    }
}
