//! Emission schedule and epoch budgets. Integer and `Decimal` (18-decimal fixed point) arithmetic only, all checked.

use cosmwasm_std::{Decimal, Storage, Uint128};

use crate::error::ContractError;
use crate::msg::{EmissionSchedule, EpochBudgetResponse};
use crate::state::{Config, EpochRecord, Pool, EPOCHS, MAX_OPERATOR_SHARE, REVENUE};

/// `epoch_emission × (1 − decay)^(epoch / decay_period_epochs)`, rounded down.
///
/// The power is `Decimal::checked_pow` (exponentiation by squaring, each product rounded down to 18 decimals), so
/// the result is deterministic and never above the exact value. The exponent saturates at `u32::MAX` decay periods
/// (millions of years for any sensible period). A base below 1 cannot overflow; `mul_floor` works in 256 bits.
pub fn scheduled_emission(schedule: &EmissionSchedule, epoch: u64) -> Result<Uint128, ContractError> {
    if schedule.decay.is_zero() || schedule.epoch_emission.is_zero() {
        return Ok(schedule.epoch_emission);
    }
    let period = schedule.decay_period_epochs.max(1);
    let steps = u32::try_from(epoch / period).unwrap_or(u32::MAX);
    let factor = Decimal::one().checked_sub(schedule.decay)?.checked_pow(steps)?;
    Ok(schedule.epoch_emission.checked_mul_floor(factor)?)
}

/// The live budget of an epoch not yet reserved, from the current schedule, the revenue earmarked for it and the
/// pool as it is now:
///
/// ```text
/// emission        = min(scheduled_emission(epoch), free pool)
/// total           = emission + revenue(epoch)
/// operator_budget = floor(total × operator_share)
/// device_budget   = total − operator_budget
/// ```
pub fn live_budget(
    storage: &dyn Storage,
    config: &Config,
    pool: &Pool,
    epoch: u64,
) -> Result<EpochBudgetResponse, ContractError> {
    let scheduled = scheduled_emission(&config.schedule, epoch)?;
    let emission = scheduled.min(pool.free()?);
    let revenue = REVENUE.may_load(storage, epoch)?.unwrap_or_default();
    let total = emission.checked_add(revenue)?;
    let operator_budget = total.checked_mul_floor(config.operator_share.min(MAX_OPERATOR_SHARE))?;
    let device_budget = total.checked_sub(operator_budget)?;
    Ok(EpochBudgetResponse {
        epoch,
        emission,
        revenue,
        operator_budget,
        device_budget,
        frozen: false,
    })
}

/// The frozen budget of a reserved epoch.
pub fn reserved_budget(epoch: u64, record: &EpochRecord) -> EpochBudgetResponse {
    EpochBudgetResponse {
        epoch,
        emission: record.emission,
        revenue: record.revenue,
        operator_budget: record.operator_budget,
        device_budget: record.device_budget,
        frozen: true,
    }
}

/// The frozen figures once reserved (at the epoch's first report), the live ones before.
pub fn epoch_budget(
    storage: &dyn Storage,
    config: &Config,
    pool: &Pool,
    epoch: u64,
) -> Result<EpochBudgetResponse, ContractError> {
    match EPOCHS.may_load(storage, epoch)? {
        Some(record) => Ok(reserved_budget(epoch, &record)),
        None => live_budget(storage, config, pool, epoch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn schedule(emission: u128, decay: &str, period: u64) -> EmissionSchedule {
        EmissionSchedule {
            epoch_emission: Uint128::new(emission),
            decay: Decimal::from_str(decay).unwrap(),
            decay_period_epochs: period,
        }
    }

    #[test]
    fn constant_without_decay() {
        let s = schedule(1_000, "0", 10);
        for e in [0, 1, 9, 10, 1_000_000, u64::MAX] {
            assert_eq!(scheduled_emission(&s, e).unwrap(), Uint128::new(1_000));
        }
    }

    #[test]
    fn halves_every_period() {
        let s = schedule(1_000_000, "0.5", 2);
        let got: Vec<u128> = (0..8).map(|e| scheduled_emission(&s, e).unwrap().u128()).collect();
        assert_eq!(
            got,
            vec![1_000_000, 1_000_000, 500_000, 500_000, 250_000, 250_000, 125_000, 125_000]
        );
    }

    #[test]
    fn yearly_decay_is_exact_enough() {
        // 72e9 EMC over ~ 20 years at 10% yearly decay: epoch 0 emits 72e15 × 0.1 / 365 uemc.
        let s = schedule(19_726_027_397_260, "0.1", 365);
        assert_eq!(scheduled_emission(&s, 364).unwrap(), Uint128::new(19_726_027_397_260));
        assert_eq!(scheduled_emission(&s, 365).unwrap(), Uint128::new(17_753_424_657_534));
        // 0.9^10 = 0.3486784401 exactly in 18 decimals
        assert_eq!(
            scheduled_emission(&s, 3650).unwrap(),
            Uint128::new(19_726_027_397_260).mul_floor(Decimal::from_str("0.3486784401").unwrap())
        );
    }

    #[test]
    fn whole_supply_and_extreme_epochs_do_not_overflow() {
        let supply = 100_000_000_000_000_000u128;
        for decay in ["0", "0.000000000000000001", "0.5", "0.999999999999999999"] {
            let s = schedule(supply, decay, 1);
            for e in [0, 1, 2, 1_000, u32::MAX as u64, u64::MAX] {
                let v = scheduled_emission(&s, e).unwrap();
                assert!(v.u128() <= supply);
            }
        }
        let s = schedule(u128::MAX, "0.5", 1);
        assert_eq!(scheduled_emission(&s, 0).unwrap(), Uint128::MAX);
        assert_eq!(
            scheduled_emission(&s, 1).unwrap(),
            Uint128::MAX.mul_floor(Decimal::percent(50))
        );
        assert_eq!(scheduled_emission(&s, 200).unwrap(), Uint128::zero());
    }
}
