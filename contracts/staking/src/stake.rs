//! Per-device stake: `Stake`, `Unstake`, `Claim` and `Slash`.

use cosmwasm_std::{
    coins, Addr, BankMsg, DepsMut, Empty, Env, Event, MessageInfo, Order, OverflowError, OverflowOperation, Response,
    Storage, Timestamp, Uint128,
};
use cw_storage_plus::{Bound, Item, Map};
use cw_utils::{must_pay, nonpayable};
use edgemint_types::registry::DeviceStatus;

use crate::error::ContractError;
use crate::power;
use crate::registry::{query_device, set_status_msg};
use crate::state::{
    UnbondingEntry, ADMIN, CONFIG, DEVICE_POSITION_COUNT, DEVICE_UNBONDING, MAX_POSITIONS_PER_DEVICE, MAX_REASON_LEN,
    MAX_UNBONDING_ENTRIES, MAX_UNBONDING_PER_DEVICE, POSITIONS, STAKED, STAKER_POSITIONS, STAKER_UNBONDING,
    TOTAL_STAKED, TOTAL_UNBONDING, UNBONDING, UNBONDING_SEQ, UNBONDING_TOTAL,
};

pub fn execute_stake(deps: DepsMut, env: Env, info: MessageInfo, device_id: u64) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = must_pay(&info, &config.denom)?;

    let device = query_device(deps.as_ref(), &config.registry, device_id)?;
    if device.owner.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotDeviceOwner { device_id });
    }
    if device.status != DeviceStatus::Active {
        return Err(ContractError::DeviceNotActive {
            device_id,
            status: device.status,
        });
    }

    let staker = info.sender;
    let existing = POSITIONS.may_load(deps.storage, (device_id, &staker))?;
    let position = existing.unwrap_or_default().checked_add(amount)?;
    if position < config.min_stake_per_device {
        return Err(ContractError::BelowMinimum {
            device_id,
            would_have: position,
            min: config.min_stake_per_device,
        });
    }
    if existing.is_none() {
        let count = DEVICE_POSITION_COUNT
            .may_load(deps.storage, device_id)?
            .unwrap_or_default();
        if count >= MAX_POSITIONS_PER_DEVICE {
            return Err(ContractError::PositionCapReached {
                device_id,
                max: MAX_POSITIONS_PER_DEVICE,
            });
        }
        DEVICE_POSITION_COUNT.save(deps.storage, device_id, &(count + 1))?;
        STAKER_POSITIONS.save(deps.storage, (&staker, device_id), &Empty {})?;
    }
    POSITIONS.save(deps.storage, (device_id, &staker), &position)?;
    map_add(deps.storage, &STAKED, &staker, amount)?;
    item_add(deps.storage, &TOTAL_STAKED, amount)?;
    power::refresh(deps.storage, &staker, env.block.height)?;

    Ok(Response::new()
        .add_attribute("action", "stake")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("position", position))
}

pub fn execute_unstake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    device_id: u64,
    amount: Uint128,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let config = CONFIG.load(deps.storage)?;
    let staker = info.sender;
    let staked = POSITIONS
        .may_load(deps.storage, (device_id, &staker))?
        .ok_or(ContractError::NoPosition { device_id })?;
    if amount > staked {
        return Err(ContractError::InsufficientStake {
            device_id,
            staked,
            requested: amount,
        });
    }

    // Bounded checks: at most MAX+1 keys are read each.
    let entries = STAKER_UNBONDING
        .prefix(&staker)
        .keys_raw(deps.storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .count();
    if entries >= MAX_UNBONDING_ENTRIES as usize {
        return Err(ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES,
        });
    }
    let now = env.block.time;
    if live_device_entries(deps.storage, device_id, now, MAX_UNBONDING_PER_DEVICE as usize)?.len()
        >= MAX_UNBONDING_PER_DEVICE as usize
    {
        return Err(ContractError::DeviceUnbondingCapReached {
            device_id,
            max: MAX_UNBONDING_PER_DEVICE,
        });
    }

    let remaining = staked.checked_sub(amount)?;
    set_position(deps.storage, device_id, &staker, remaining)?;
    map_sub(deps.storage, &STAKED, &staker, amount)?;
    item_sub(deps.storage, &TOTAL_STAKED, amount)?;
    power::refresh(deps.storage, &staker, env.block.height)?;

    let release_at = time_after(now, config.unbonding_period)?;
    let id = next_id(deps.storage, &UNBONDING_SEQ)?;
    let entry = UnbondingEntry {
        id,
        staker: staker.clone(),
        device_id,
        amount,
        release_at,
    };
    UNBONDING.save(deps.storage, id, &entry)?;
    STAKER_UNBONDING.save(deps.storage, (&staker, id), &Empty {})?;
    DEVICE_UNBONDING.save(deps.storage, (device_id, release_at.nanos(), id), &Empty {})?;
    map_add(deps.storage, &UNBONDING_TOTAL, &staker, amount)?;
    item_add(deps.storage, &TOTAL_UNBONDING, amount)?;

    Ok(Response::new()
        .add_attribute("action", "unstake")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("position", remaining)
        .add_attribute("unbonding_id", id.to_string())
        .add_attribute("release_at", release_at.seconds().to_string()))
}

pub fn execute_claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let staker = info.sender;
    let ids: Vec<u64> = STAKER_UNBONDING
        .prefix(&staker)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .collect::<Result<_, _>>()?;

    let mut total = Uint128::zero();
    let mut claimed: Vec<String> = vec![];
    for id in ids {
        let entry = UNBONDING.load(deps.storage, id)?;
        if entry.release_at > env.block.time {
            continue;
        }
        total = total.checked_add(entry.amount)?;
        claimed.push(id.to_string());
        remove_entry(deps.storage, &entry)?;
    }
    if total.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    map_sub(deps.storage, &UNBONDING_TOTAL, &staker, total)?;
    item_sub(deps.storage, &TOTAL_UNBONDING, total)?;

    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: staker.to_string(),
            amount: coins(total.u128(), &config.denom),
        })
        .add_attribute("action", "claim")
        .add_attribute("staker", staker)
        .add_attribute("amount", total)
        .add_attribute("unbonding_ids", claimed.join(",")))
}

#[allow(clippy::too_many_arguments)]
pub fn execute_slash(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    device_id: u64,
    reporter: String,
    reason: String,
    ban: bool,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    if !config.slashers.contains(&info.sender) && info.sender != ADMIN.load(deps.storage)? {
        return Err(ContractError::Unauthorized {
            action: "slash".to_string(),
            allowed: "the configured slashers and the admin".to_string(),
        });
    }
    let reporter = deps.api.addr_validate(&reporter)?;
    if reason.is_empty() || reason.len() > MAX_REASON_LEN as usize {
        return Err(ContractError::InvalidReason { max: MAX_REASON_LEN });
    }
    let device = query_device(deps.as_ref(), &config.registry, device_id)?;
    let height = env.block.height;
    let fraction = config.slash_fraction;
    let mut events: Vec<Event> = vec![];

    // 1. Positions on the device (≤ MAX_POSITIONS_PER_DEVICE).
    let positions: Vec<(Addr, Uint128)> = POSITIONS
        .prefix(device_id)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_POSITIONS_PER_DEVICE as usize)
        .collect::<Result<_, _>>()?;
    let mut slashed_stake = Uint128::zero();
    for (staker, amount) in positions {
        let cut = amount.checked_mul_floor(fraction)?;
        if cut.is_zero() {
            continue;
        }
        let remaining = amount.checked_sub(cut)?;
        set_position(deps.storage, device_id, &staker, remaining)?;
        map_sub(deps.storage, &STAKED, &staker, cut)?;
        power::refresh(deps.storage, &staker, height)?;
        slashed_stake = slashed_stake.checked_add(cut)?;
        events.push(
            Event::new("slash_position")
                .add_attribute("device_id", device_id.to_string())
                .add_attribute("staker", staker)
                .add_attribute("amount", cut)
                .add_attribute("remaining", remaining),
        );
    }
    if !slashed_stake.is_zero() {
        item_sub(deps.storage, &TOTAL_STAKED, slashed_stake)?;
    }

    // 2. Entries from the device that are still unbonding (≤ MAX_UNBONDING_PER_DEVICE). Matured entries are no
    //    longer at risk, as in the Cosmos SDK.
    let ids = live_device_entries(
        deps.storage,
        device_id,
        env.block.time,
        MAX_UNBONDING_PER_DEVICE as usize,
    )?;
    let mut slashed_unbonding = Uint128::zero();
    for id in ids {
        let mut entry = UNBONDING.load(deps.storage, id)?;
        let cut = entry.amount.checked_mul_floor(fraction)?;
        if cut.is_zero() {
            continue;
        }
        entry.amount = entry.amount.checked_sub(cut)?;
        if entry.amount.is_zero() {
            remove_entry(deps.storage, &entry)?;
        } else {
            UNBONDING.save(deps.storage, id, &entry)?;
        }
        map_sub(deps.storage, &UNBONDING_TOTAL, &entry.staker, cut)?;
        slashed_unbonding = slashed_unbonding.checked_add(cut)?;
        events.push(
            Event::new("slash_unbonding")
                .add_attribute("device_id", device_id.to_string())
                .add_attribute("staker", entry.staker.clone())
                .add_attribute("unbonding_id", id.to_string())
                .add_attribute("amount", cut)
                .add_attribute("remaining", entry.amount),
        );
    }
    if !slashed_unbonding.is_zero() {
        item_sub(deps.storage, &TOTAL_UNBONDING, slashed_unbonding)?;
    }

    // 3. Split: bounty rounded down, the pool gets the exact rest, so nothing beyond the slashed amount leaves.
    let total = slashed_stake.checked_add(slashed_unbonding)?;
    let bounty = total.checked_mul_floor(config.bounty_fraction)?;
    let to_pool = total.checked_sub(bounty)?;
    let mut res = Response::new();
    if !bounty.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: reporter.to_string(),
            amount: coins(bounty.u128(), &config.denom),
        });
    }
    if !to_pool.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: config.rewards_pool.to_string(),
            amount: coins(to_pool.u128(), &config.denom),
        });
    }

    // 4. Mark the device, sending only transitions the registry accepts: Active -> Suspended, and anything but
    //    Banned -> Banned. A Suspended device stays Suspended, a Banned one Banned; a never-activated (Registered)
    //    device is only changed by a ban.
    let new_status = match (device.status, ban) {
        (DeviceStatus::Banned, _) => DeviceStatus::Banned,
        (_, true) => DeviceStatus::Banned,
        (DeviceStatus::Active, false) => DeviceStatus::Suspended,
        (current, false) => current,
    };
    if new_status != device.status {
        res = res.add_message(set_status_msg(&config.registry, device_id, new_status, reason.clone())?);
    }

    Ok(res
        .add_events(events)
        .add_attribute("action", "slash")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("slasher", info.sender)
        .add_attribute("reporter", reporter)
        .add_attribute("reason", reason)
        .add_attribute("ban", ban.to_string())
        .add_attribute("slashed_stake", slashed_stake)
        .add_attribute("slashed_unbonding", slashed_unbonding)
        .add_attribute("amount", total)
        .add_attribute("bounty", bounty)
        .add_attribute("to_pool", to_pool)
        .add_attribute("status", status_str(device.status))
        .add_attribute("new_status", status_str(new_status)))
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

fn status_str(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Registered => "registered",
        DeviceStatus::Active => "active",
        DeviceStatus::Suspended => "suspended",
        DeviceStatus::Banned => "banned",
    }
}

/// Increments a sequence and returns the new value (ids start at 1).
pub(crate) fn next_id(storage: &mut dyn Storage, seq: &Item<u64>) -> Result<u64, ContractError> {
    let id = seq
        .load(storage)?
        .checked_add(1)
        .ok_or_else(|| OverflowError::new(OverflowOperation::Add))?;
    seq.save(storage, &id)?;
    Ok(id)
}

/// `now + seconds`, without panicking on overflow.
pub(crate) fn time_after(now: Timestamp, seconds: u64) -> Result<Timestamp, ContractError> {
    let nanos = seconds
        .checked_mul(1_000_000_000)
        .and_then(|n| now.nanos().checked_add(n))
        .ok_or(ContractError::TimeOverflow {})?;
    Ok(Timestamp::from_nanos(nanos))
}

/// Ids of the entries from `device_id` that are still unbonding at `now` (release strictly after `now`), earliest
/// release first, at most `limit`.
fn live_device_entries(
    storage: &dyn Storage,
    device_id: u64,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<u64>, ContractError> {
    let ids = DEVICE_UNBONDING
        .sub_prefix(device_id)
        .keys(
            storage,
            Some(Bound::exclusive((now.nanos(), u64::MAX))),
            None,
            Order::Ascending,
        )
        .take(limit)
        .map(|k| k.map(|(_, id)| id))
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Sets a position to `amount`, deleting it (and its index entries) at zero.
fn set_position(
    storage: &mut dyn Storage,
    device_id: u64,
    staker: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    if amount.is_zero() {
        POSITIONS.remove(storage, (device_id, staker));
        STAKER_POSITIONS.remove(storage, (staker, device_id));
        let count = DEVICE_POSITION_COUNT.may_load(storage, device_id)?.unwrap_or_default();
        if count <= 1 {
            DEVICE_POSITION_COUNT.remove(storage, device_id);
        } else {
            DEVICE_POSITION_COUNT.save(storage, device_id, &(count - 1))?;
        }
    } else {
        POSITIONS.save(storage, (device_id, staker), &amount)?;
    }
    Ok(())
}

fn item_add(storage: &mut dyn Storage, item: &Item<Uint128>, amount: Uint128) -> Result<(), ContractError> {
    let total = item.may_load(storage)?.unwrap_or_default().checked_add(amount)?;
    item.save(storage, &total)?;
    Ok(())
}

fn item_sub(storage: &mut dyn Storage, item: &Item<Uint128>, amount: Uint128) -> Result<(), ContractError> {
    let total = item.may_load(storage)?.unwrap_or_default().checked_sub(amount)?;
    item.save(storage, &total)?;
    Ok(())
}

fn map_add(
    storage: &mut dyn Storage,
    map: &Map<&Addr, Uint128>,
    addr: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    let total = map.may_load(storage, addr)?.unwrap_or_default().checked_add(amount)?;
    map.save(storage, addr, &total)?;
    Ok(())
}

/// Subtracts, deleting the key at zero.
fn map_sub(
    storage: &mut dyn Storage,
    map: &Map<&Addr, Uint128>,
    addr: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    let total = map.may_load(storage, addr)?.unwrap_or_default().checked_sub(amount)?;
    if total.is_zero() {
        map.remove(storage, addr);
    } else {
        map.save(storage, addr, &total)?;
    }
    Ok(())
}

/// Deletes an entry and its index entries (the caller adjusts the unbonding totals).
fn remove_entry(storage: &mut dyn Storage, entry: &UnbondingEntry) -> Result<(), ContractError> {
    UNBONDING.remove(storage, entry.id);
    STAKER_UNBONDING.remove(storage, (&entry.staker, entry.id));
    DEVICE_UNBONDING.remove(storage, (entry.device_id, entry.release_at.nanos(), entry.id));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_after_is_checked() {
        let now = Timestamp::from_seconds(1_000);
        assert_eq!(time_after(now, 5).unwrap(), Timestamp::from_seconds(1_005));
        assert_eq!(time_after(now, u64::MAX), Err(ContractError::TimeOverflow {}));
        assert_eq!(
            time_after(Timestamp::from_nanos(u64::MAX - 1), 1),
            Err(ContractError::TimeOverflow {})
        );
    }
}
