//! Lock-ups: `Lock`, `Unlock` and the permissionless `RefreshPower`.

use cosmwasm_std::{coins, Addr, BankMsg, DepsMut, Empty, Env, MessageInfo, Order, Response, Storage};
use cw_utils::{must_pay, nonpayable};

use crate::error::ContractError;
use crate::power;
use crate::stake::{next_id, time_after};
use crate::state::{Lock, CONFIG, LOCKS, LOCK_SEQ, MAX_LOCKS_PER_ADDRESS, OWNER_LOCKS, TIERS};

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
    // Recomputes the owner's lock totals from its locks (the new one included, expired ones at 1x).
    power::refresh(deps.storage, &owner, env.block.height, env.block.time)?;

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
    power::refresh(deps.storage, &lock.owner, env.block.height, env.block.time)?;

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

/// Anyone may recompute anyone's power: expired locks then count at 1x (weight = amount) instead of keeping their
/// boost until `Unlock`. Bounded by the address's locks (≤ `MAX_LOCKS_PER_ADDRESS`). Succeeds (with `changed=false`)
/// when nothing changes, so a keeper can sweep addresses blindly.
pub fn execute_refresh_power(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    address: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let address = deps.api.addr_validate(&address)?;
    let r = power::refresh(deps.storage, &address, env.block.height, env.block.time)?;
    Ok(Response::new()
        .add_attribute("action", "refresh_power")
        .add_attribute("address", address)
        .add_attribute("sender", info.sender)
        .add_attribute("previous_voting_power", r.previous_power)
        .add_attribute("voting_power", r.power)
        .add_attribute("reward_multiplier", r.multiplier.to_string())
        .add_attribute("changed", (r.previous_power != r.power).to_string()))
}

/// Number of locks of `owner`, reading at most MAX + 1 keys.
fn lock_count(storage: &dyn Storage, owner: &Addr) -> Result<usize, ContractError> {
    Ok(OWNER_LOCKS
        .prefix(owner)
        .keys_raw(storage, None, None, Order::Ascending)
        .take(MAX_LOCKS_PER_ADDRESS as usize + 1)
        .count())
}
