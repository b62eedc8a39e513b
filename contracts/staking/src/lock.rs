//! Lock-ups: `Lock` and `Unlock`.

use cosmwasm_std::{coins, Addr, BankMsg, DepsMut, Empty, Env, MessageInfo, Order, Response, Storage};
use cw_utils::{must_pay, nonpayable};

use crate::error::ContractError;
use crate::power;
use crate::stake::{next_id, time_after};
use crate::state::{
    Lock, LockTotals, CONFIG, LOCKS, LOCK_SEQ, LOCK_TOTALS, MAX_LOCKS_PER_ADDRESS, OWNER_LOCKS, TIERS, TOTAL_LOCKED,
};

pub fn execute_lock(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    tier_id: u64,
    beneficiary: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = must_pay(&info, &config.denom)?;
    let tier = TIERS
        .may_load(deps.storage, tier_id)?
        .ok_or(ContractError::UnknownTier { tier_id })?;

    let owner = match beneficiary {
        Some(b) => deps.api.addr_validate(&b)?,
        None => info.sender.clone(),
    };
    // Locking for someone else fills their lock slots, so only trusted lockers (the rewards contract) may.
    if owner != info.sender && !config.lockers.contains(&info.sender) {
        return Err(ContractError::Unauthorized {
            action: "lock for another address".to_string(),
            allowed: "the configured lockers".to_string(),
        });
    }
    if lock_count(deps.storage, &owner)? >= MAX_LOCKS_PER_ADDRESS as usize {
        return Err(ContractError::TooManyLocks {
            max: MAX_LOCKS_PER_ADDRESS,
        });
    }

    let weight = amount.checked_mul_floor(tier.multiplier)?;
    let expires_at = time_after(env.block.time, tier.duration)?;
    let id = next_id(deps.storage, &LOCK_SEQ)?;
    let lock = Lock {
        id,
        owner: owner.clone(),
        tier_id,
        amount,
        multiplier: tier.multiplier,
        weight,
        locked_at: env.block.time,
        expires_at,
    };
    LOCKS.save(deps.storage, id, &lock)?;
    OWNER_LOCKS.save(deps.storage, (&owner, id), &Empty {})?;
    let totals = LOCK_TOTALS.may_load(deps.storage, &owner)?.unwrap_or_default();
    LOCK_TOTALS.save(deps.storage, &owner, &add_totals(&totals, &lock)?)?;
    let total = TOTAL_LOCKED.load(deps.storage)?;
    TOTAL_LOCKED.save(deps.storage, &add_totals(&total, &lock)?)?;
    power::refresh(deps.storage, &owner, env.block.height)?;

    Ok(Response::new()
        .add_attribute("action", "lock")
        .add_attribute("lock_id", id.to_string())
        .add_attribute("owner", owner)
        .add_attribute("sender", info.sender)
        .add_attribute("tier_id", tier_id.to_string())
        .add_attribute("amount", amount)
        .add_attribute("multiplier", tier.multiplier.to_string())
        .add_attribute("weight", weight)
        .add_attribute("expires_at", expires_at.seconds().to_string()))
}

pub fn execute_unlock(deps: DepsMut, env: Env, info: MessageInfo, lock_id: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let lock = LOCKS
        .may_load(deps.storage, lock_id)?
        .ok_or(ContractError::LockNotFound { lock_id })?;
    if lock.owner != info.sender {
        return Err(ContractError::Unauthorized {
            action: "unlock this lock".to_string(),
            allowed: "its owner".to_string(),
        });
    }
    if env.block.time < lock.expires_at {
        return Err(ContractError::LockNotExpired {
            lock_id,
            expires_at: lock.expires_at,
        });
    }

    LOCKS.remove(deps.storage, lock_id);
    OWNER_LOCKS.remove(deps.storage, (&lock.owner, lock_id));
    let totals = sub_totals(&LOCK_TOTALS.load(deps.storage, &lock.owner)?, &lock)?;
    if totals.amount.is_zero() && totals.weight.is_zero() {
        LOCK_TOTALS.remove(deps.storage, &lock.owner);
    } else {
        LOCK_TOTALS.save(deps.storage, &lock.owner, &totals)?;
    }
    let total = TOTAL_LOCKED.load(deps.storage)?;
    TOTAL_LOCKED.save(deps.storage, &sub_totals(&total, &lock)?)?;
    power::refresh(deps.storage, &lock.owner, env.block.height)?;

    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: lock.owner.to_string(),
            amount: coins(lock.amount.u128(), &config.denom),
        })
        .add_attribute("action", "unlock")
        .add_attribute("lock_id", lock_id.to_string())
        .add_attribute("owner", lock.owner)
        .add_attribute("tier_id", lock.tier_id.to_string())
        .add_attribute("amount", lock.amount)
        .add_attribute("weight", lock.weight))
}

/// Number of locks of `owner`, reading at most MAX + 1 keys.
fn lock_count(storage: &dyn Storage, owner: &Addr) -> Result<usize, ContractError> {
    Ok(OWNER_LOCKS
        .prefix(owner)
        .keys_raw(storage, None, None, Order::Ascending)
        .take(MAX_LOCKS_PER_ADDRESS as usize + 1)
        .count())
}

fn add_totals(totals: &LockTotals, lock: &Lock) -> Result<LockTotals, ContractError> {
    Ok(LockTotals {
        amount: totals.amount.checked_add(lock.amount)?,
        weight: totals.weight.checked_add(lock.weight)?,
    })
}

fn sub_totals(totals: &LockTotals, lock: &Lock) -> Result<LockTotals, ContractError> {
    Ok(LockTotals {
        amount: totals.amount.checked_sub(lock.amount)?,
        weight: totals.weight.checked_sub(lock.weight)?,
    })
}
