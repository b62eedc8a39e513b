//! Proportional split of an epoch budget.
//!
//! ```text
//! P          = Σ points_i                          (256-bit)
//! amount_i   = floor(budget × points_i / P)        (256-bit product; ≤ budget, so it fits u128)
//! remainder  = budget − Σ amount_i                 (stays in the pool)
//! ```
//!
//! Every amount is rounded down on its own, so `Σ amount_i ≤ budget` always and the remainder is smaller than the
//! number of entries with non-zero points. `budget × points_i < 2^256` for any two u128 values, and P cannot exceed
//! `2^256` for fewer than `2^128` entries, so no input overflows. If `P = 0` nothing is distributed and the whole
//! budget is the remainder. Amounts depend only on each entry's points, not on the entries' order.

use cosmwasm_std::{Uint128, Uint256};

/// Result of [`split`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// `amounts[i]` belongs to the i-th input entry.
    pub amounts: Vec<u128>,
    /// Σ points (can exceed u128 for many devices with huge points).
    pub total_points: Uint256,
    /// Σ amounts (≤ budget).
    pub distributed: u128,
    /// `budget − distributed`.
    pub remainder: u128,
}

/// Splits `budget` over `entries` (any key, e.g. a device id, and its points) in proportion to points, rounding each
/// amount down. See the module documentation.
pub fn split<K>(budget: u128, entries: &[(K, u128)]) -> Split {
    split_with(budget, entries.len(), |i| entries[i].1)
}

/// [`split`] over bare points.
pub fn split_points(budget: u128, points: &[u128]) -> Split {
    split_with(budget, points.len(), |i| points[i])
}

fn split_with(budget: u128, n: usize, get: impl Fn(usize) -> u128) -> Split {
    let mut total = Uint256::zero();
    let mut total_small: Option<u128> = Some(0);
    for i in 0..n {
        let p = get(i);
        total_small = total_small.and_then(|s| s.checked_add(p));
        // Cannot overflow for < 2^128 entries; saturate rather than panic regardless.
        total = total.saturating_add(Uint256::from(p));
    }
    if total.is_zero() {
        return Split {
            amounts: vec![0; n],
            total_points: total,
            distributed: 0,
            remainder: budget,
        };
    }

    let mut amounts = Vec::with_capacity(n);
    let mut distributed: u128 = 0;
    for i in 0..n {
        let p = get(i);
        let amount = match (total_small, budget.checked_mul(p)) {
            (Some(t), Some(prod)) => prod / t,
            _ => {
                let q = Uint128::new(budget).full_mul(p).checked_div(total).unwrap_or_default();
                // q ≤ budget, so this conversion always succeeds.
                Uint128::try_from(q).map_or(0, |v| v.u128())
            }
        };
        distributed = distributed.saturating_add(amount);
        amounts.push(amount);
    }
    Split {
        amounts,
        total_points: total,
        distributed,
        remainder: budget.saturating_sub(distributed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_round_down() {
        let s = split(100, &[(1u64, 1), (2, 1), (3, 1)]);
        assert_eq!(s.amounts, vec![33, 33, 33]);
        assert_eq!(s.distributed, 99);
        assert_eq!(s.remainder, 1);
        assert_eq!(s.total_points, Uint256::from(3u32));

        let s = split_points(1000, &[1, 3, 0, 6]);
        assert_eq!(s.amounts, vec![100, 300, 0, 600]);
        assert_eq!(s.remainder, 0);
    }

    #[test]
    fn zero_total_distributes_nothing() {
        let s = split_points(1_000, &[0, 0]);
        assert_eq!(s.amounts, vec![0, 0]);
        assert_eq!((s.distributed, s.remainder), (0, 1_000));
        let s = split_points(1_000, &[]);
        assert!(s.amounts.is_empty());
        assert_eq!(s.remainder, 1_000);
    }

    #[test]
    fn wide_arithmetic() {
        // 10^17 budget × 10^30 points needs > 128 bits
        let p = 10u128.pow(30);
        let s = split_points(10u128.pow(17), &[p, p, p]);
        assert_eq!(s.amounts, vec![33_333_333_333_333_333; 3]);
        assert_eq!(s.remainder, 1);
        // total above u128::MAX
        let s = split_points(u128::MAX, &[u128::MAX, u128::MAX]);
        assert_eq!(s.amounts, vec![u128::MAX / 2; 2]);
        assert_eq!(s.remainder, 1);
        let s = split_points(u128::MAX, &[u128::MAX]);
        assert_eq!(s.amounts, vec![u128::MAX]);
        assert_eq!(s.remainder, 0);
    }
}
