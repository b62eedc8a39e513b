//! Voting power and reward multiplier bookkeeping. Every change to an address's stake or locks ends in
//! [`refresh`], which recomputes both values from the address's totals and writes them (and the total power) to
//! the snapshot maps at the current height.

use cosmwasm_std::{Addr, Decimal, Storage, Uint128};

use crate::error::ContractError;
use crate::state::{LockTotals, LOCK_TOTALS, REWARD_MULTIPLIER, STAKED, TOTAL_POWER, VOTING_POWER};

/// `staked + Σ weight`.
pub fn voting_power(staked: Uint128, locks: &LockTotals) -> Result<Uint128, ContractError> {
    Ok(staked.checked_add(locks.weight)?)
}

/// `(staked + Σ weight) / (staked + Σ amount)`, or 1.0 when the address has nothing locked (or nothing at all).
pub fn reward_multiplier(staked: Uint128, locks: &LockTotals) -> Result<Decimal, ContractError> {
    if locks.amount.is_zero() {
        return Ok(Decimal::one());
    }
    let weighted = staked.checked_add(locks.weight)?;
    let plain = staked.checked_add(locks.amount)?;
    Ok(Decimal::checked_from_ratio(weighted, plain)?)
}

/// Recomputes the power and multiplier of `addr` from its current totals and records them at `height`.
pub fn refresh(storage: &mut dyn Storage, addr: &Addr, height: u64) -> Result<(), ContractError> {
    let staked = STAKED.may_load(storage, addr)?.unwrap_or_default();
    let locks = LOCK_TOTALS.may_load(storage, addr)?.unwrap_or_default();

    let power = voting_power(staked, &locks)?;
    let old_power = VOTING_POWER.may_load(storage, addr)?.unwrap_or_default();
    if power != old_power {
        if power.is_zero() {
            VOTING_POWER.remove(storage, addr, height)?;
        } else {
            VOTING_POWER.save(storage, addr, &power, height)?;
        }
        let total = TOTAL_POWER.may_load(storage)?.unwrap_or_default();
        let total = total.checked_sub(old_power)?.checked_add(power)?;
        TOTAL_POWER.save(storage, &total, height)?;
    }

    let multiplier = reward_multiplier(staked, &locks)?;
    let old_multiplier = REWARD_MULTIPLIER.may_load(storage, addr)?.unwrap_or(Decimal::one());
    if multiplier != old_multiplier {
        if multiplier == Decimal::one() {
            REWARD_MULTIPLIER.remove(storage, addr, height)?;
        } else {
            REWARD_MULTIPLIER.save(storage, addr, &multiplier, height)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locks(amount: u128, weight: u128) -> LockTotals {
        LockTotals {
            amount: Uint128::new(amount),
            weight: Uint128::new(weight),
        }
    }

    #[test]
    fn multiplier_is_one_without_locks() {
        assert_eq!(
            reward_multiplier(Uint128::zero(), &locks(0, 0)).unwrap(),
            Decimal::one()
        );
        assert_eq!(
            reward_multiplier(Uint128::new(5), &locks(0, 0)).unwrap(),
            Decimal::one()
        );
    }

    #[test]
    fn multiplier_blends_stake_and_locks() {
        // 100 staked + 100 locked at 3.0 → (100 + 300) / 200 = 2.0
        assert_eq!(
            reward_multiplier(Uint128::new(100), &locks(100, 300)).unwrap(),
            Decimal::percent(200)
        );
        // only locked at 1.25
        assert_eq!(
            reward_multiplier(Uint128::zero(), &locks(400, 500)).unwrap(),
            Decimal::percent(125)
        );
    }

    #[test]
    fn whole_supply_does_not_overflow() {
        let supply = 100_000_000_000_000_000u128; // 10^17 uemc
        let l = locks(supply, 3 * supply);
        assert_eq!(
            voting_power(Uint128::new(supply), &l).unwrap(),
            Uint128::new(4 * supply)
        );
        assert_eq!(
            reward_multiplier(Uint128::new(supply), &l).unwrap(),
            Decimal::percent(200)
        );
        // The largest multiplier allowed (10×) on the whole supply still fits easily.
        let l = locks(supply, 10 * supply);
        assert_eq!(reward_multiplier(Uint128::zero(), &l).unwrap(), Decimal::percent(1000));
    }
}
