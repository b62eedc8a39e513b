//! Voting power and reward multiplier bookkeeping. Every change to an address's stake or locks ends in
//! [`refresh`], which recomputes both values from the address's stake and its locks (expired locks at 1x) and writes
//! them (and the total power) to the snapshot maps at the current height. `RefreshPower` runs it for anyone.

use cosmwasm_std::{Addr, Decimal, Order, Storage, Timestamp, Uint128};

use crate::error::ContractError;
use crate::state::{
    LockTotals, LOCKS, LOCK_TOTALS, MAX_LOCKS_PER_ADDRESS, OWNER_LOCKS, REWARD_MULTIPLIER, STAKED, TOTAL_LOCKED,
    TOTAL_POWER, VOTING_POWER,
};

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

/// Σ amount and Σ weight of `addr`'s locks at `now`, an expired lock weighing its amount (1x). Reads at most
/// `MAX_LOCKS_PER_ADDRESS` locks.
pub fn lock_totals_at(storage: &dyn Storage, addr: &Addr, now: Timestamp) -> Result<LockTotals, ContractError> {
    let ids: Vec<u64> = OWNER_LOCKS
        .prefix(addr)
        .keys(storage, None, None, Order::Ascending)
        .take(MAX_LOCKS_PER_ADDRESS as usize)
        .collect::<Result<_, _>>()?;
    let mut totals = LockTotals::default();
    for id in ids {
        let lock = LOCKS.load(storage, id)?;
        totals.amount = totals.amount.checked_add(lock.amount)?;
        totals.weight = totals.weight.checked_add(lock.weight_at(now))?;
    }
    Ok(totals)
}

/// What [`refresh`] recorded.
pub struct Refreshed {
    pub previous_power: Uint128,
    pub power: Uint128,
    pub multiplier: Decimal,
}

/// Recomputes the lock totals, power and multiplier of `addr` at `now` and records them at `height` (snapshots,
/// per-address lock totals and the global totals).
pub fn refresh(
    storage: &mut dyn Storage,
    addr: &Addr,
    height: u64,
    now: Timestamp,
) -> Result<Refreshed, ContractError> {
    let staked = STAKED.may_load(storage, addr)?.unwrap_or_default();
    let locks = lock_totals_at(storage, addr, now)?;
    let old_locks = LOCK_TOTALS.may_load(storage, addr)?.unwrap_or_default();
    if locks != old_locks {
        if locks.amount.is_zero() && locks.weight.is_zero() {
            LOCK_TOTALS.remove(storage, addr);
        } else {
            LOCK_TOTALS.save(storage, addr, &locks)?;
        }
        let total = TOTAL_LOCKED.may_load(storage)?.unwrap_or_default();
        TOTAL_LOCKED.save(
            storage,
            &LockTotals {
                amount: total.amount.checked_sub(old_locks.amount)?.checked_add(locks.amount)?,
                weight: total.weight.checked_sub(old_locks.weight)?.checked_add(locks.weight)?,
            },
        )?;
    }

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
    Ok(Refreshed {
        previous_power: old_power,
        power,
        multiplier,
    })
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
