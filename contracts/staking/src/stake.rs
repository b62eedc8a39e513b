//! Per-device stake: `Stake`, `Unstake`, `Claim`, `Slash`, and `OwnerChanged` (the registry's NFT transfer hook).

use cosmwasm_std::{
    coins, Addr, BankMsg, DepsMut, Env, Event, MessageInfo, Order, OverflowError, OverflowOperation, Response, Storage,
    Timestamp, Uint128,
};
use cw_storage_plus::{Bound, Item, Map};
use cw_utils::{must_pay, nonpayable};
use edgemint_types::registry::DeviceStatus;

use crate::error::ContractError;
use crate::power;
use crate::registry::{query_device, set_status_msg};
use crate::state::{
    held_at, Config, OwnerSince, UnbondingEntry, CONFIG, DEVICE_OWNER, DEVICE_UNBONDING, MAX_CLAIM_ENTRIES,
    MAX_REASON_LEN, MAX_SLASH_ENTRIES, MAX_UNBONDING_ENTRIES, MAX_UNBONDING_PER_DEVICE, POSITIONS, STAKED,
    STAKER_POSITIONS, STAKER_UNBONDING, TOTAL_STAKED, TOTAL_UNBONDING, UNBONDING, UNBONDING_SEQ, UNBONDING_TOTAL,
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
    let (now, height) = (env.block.time, env.block.height);
    let mut res = Response::new();
    // One position per device, the owner's. Another address's position here means the registry did not report a
    // transfer (its staking hook was not configured then): record that owner change now, as `OwnerChanged` would
    // have, but never refuse the new owner's stake for it (no per-device bound on this path).
    let existing = match device_position(deps.storage, device_id)? {
        Some((holder, amount)) if holder == staker => Some(amount),
        Some((holder, _)) => {
            let change = record_owner_change(deps.storage, &config, device_id, &holder, &staker, now, height, false)?;
            res = res.add_event(change.event(device_id, &holder, &staker, "stake"));
            None
        }
        None => None,
    };
    let position = existing.unwrap_or_default().checked_add(amount)?;
    if position < config.min_stake_per_device {
        return Err(ContractError::BelowMinimum {
            device_id,
            would_have: position,
            min: config.min_stake_per_device,
        });
    }
    if existing.is_none() {
        STAKER_POSITIONS.save(deps.storage, (&staker, device_id), &cosmwasm_std::Empty {})?;
    }
    POSITIONS.save(deps.storage, (device_id, &staker), &position)?;
    map_add(deps.storage, &STAKED, &staker, amount)?;
    item_add(deps.storage, &TOTAL_STAKED, amount)?;
    power::refresh(deps.storage, &staker, height, now)?;

    Ok(res
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
    // No dust: a position is either gone or at least the minimum (a position already below it, after a slash or a
    // raised minimum, can only be unstaked in full).
    let remaining = staked.checked_sub(amount)?;
    if !remaining.is_zero() && remaining < config.min_stake_per_device {
        return Err(ContractError::PositionBelowMinimum {
            device_id,
            remaining,
            min: config.min_stake_per_device,
        });
    }

    // Bounded check: at most MAX keys are read. Only the sender's own entries count, so nobody else (e.g. a
    // previous owner of the device) can stop this unstake.
    let entries = STAKER_UNBONDING
        .sub_prefix(&staker)
        .keys_raw(deps.storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .count();
    if entries >= MAX_UNBONDING_ENTRIES as usize {
        return Err(ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES,
        });
    }

    let now = env.block.time;
    set_position(deps.storage, device_id, &staker, remaining)?;
    map_sub(deps.storage, &STAKED, &staker, amount)?;
    item_sub(deps.storage, &TOTAL_STAKED, amount)?;
    power::refresh(deps.storage, &staker, env.block.height, now)?;
    let release_at = time_after(now, config.unbonding_period)?;
    let held = Holding {
        since: owner_since(deps.storage, device_id, &staker)?,
        until: None,
    };
    let entry = create_entry(deps.storage, &staker, device_id, amount, release_at, held)?;

    Ok(Response::new()
        .add_attribute("action", "unstake")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("position", remaining)
        .add_attribute("unbonding_id", entry.id.to_string())
        .add_attribute("release_at", release_at.seconds().to_string()))
}

pub fn execute_claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let staker = info.sender;
    let ids = matured_entries(deps.storage, &staker, env.block.time)?;

    let mut total = Uint128::zero();
    let mut claimed: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        let entry = UNBONDING.load(deps.storage, id)?;
        total = total.checked_add(entry.amount)?;
        claimed.push(id.to_string());
        remove_entry(deps.storage, &entry);
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

/// Ids of `staker`'s matured entries (release at or before `now`), earliest release first, at most
/// `MAX_CLAIM_ENTRIES`: what one `Claim` pays.
pub(crate) fn matured_entries(storage: &dyn Storage, staker: &Addr, now: Timestamp) -> Result<Vec<u64>, ContractError> {
    Ok(STAKER_UNBONDING
        .sub_prefix(staker)
        .keys(
            storage,
            None,
            Some(Bound::inclusive((now.nanos(), u64::MAX))),
            Order::Ascending,
        )
        .take(MAX_CLAIM_ENTRIES as usize)
        .map(|k| k.map(|(_, id)| id))
        .collect::<Result<_, _>>()?)
}

/// `OwnerChanged` from the registry: the device's NFT moved from `previous_owner` to `new_owner`.
pub fn execute_owner_changed(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    device_id: u64,
    previous_owner: String,
    new_owner: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.registry {
        return Err(ContractError::Unauthorized {
            action: "report a device owner change".to_string(),
            allowed: "the device registry".to_string(),
        });
    }
    let previous = deps.api.addr_validate(&previous_owner)?;
    let new = deps.api.addr_validate(&new_owner)?;
    let res = Response::new().add_attribute("action", "owner_changed");
    if previous == new {
        return Ok(res
            .add_attribute("device_id", device_id.to_string())
            .add_attribute("previous_owner", previous)
            .add_attribute("new_owner", new)
            .add_attribute("moved_amount", Uint128::zero()));
    }
    let change = record_owner_change(
        deps.storage,
        &config,
        device_id,
        &previous,
        &new,
        env.block.time,
        env.block.height,
        true,
    )?;
    Ok(res.add_attributes(change.attributes(device_id, &previous, &new)))
}

/// What an ownership change did to the previous owner's stake on the device.
pub(crate) struct OwnerChange {
    /// The entry the previous owner's position became, if it had one.
    moved: Option<UnbondingEntry>,
    /// How many of its still-unbonding entries from the device were stamped `owned_until = now`.
    stamped: u32,
}

impl OwnerChange {
    fn attributes(&self, device_id: u64, previous: &Addr, new: &Addr) -> Vec<(&'static str, String)> {
        let mut attrs = vec![
            ("device_id", device_id.to_string()),
            ("previous_owner", previous.to_string()),
            ("new_owner", new.to_string()),
            (
                "moved_amount",
                self.moved.as_ref().map(|e| e.amount).unwrap_or_default().to_string(),
            ),
            ("stamped_entries", self.stamped.to_string()),
        ];
        if let Some(e) = &self.moved {
            attrs.push(("unbonding_id", e.id.to_string()));
            attrs.push(("release_at", e.release_at.seconds().to_string()));
        }
        attrs
    }

    /// `wasm-owner_change_recorded`: emitted when `Stake` records a transfer the registry did not report.
    fn event(&self, device_id: u64, previous: &Addr, new: &Addr, by: &str) -> Event {
        Event::new("owner_change_recorded")
            .add_attributes(self.attributes(device_id, previous, new))
            .add_attribute("by", by)
    }
}

/// The device went from `previous` to `new` at `now`:
/// 1. each of `previous`'s entries from the device that is still unbonding gets `owned_until = now` (an entry
///    keeps an earlier stamp: it already stopped backing the device then);
/// 2. `previous`'s position on the device (if any) becomes an unbonding entry starting now, held until now,
///    whatever the per-address cap (a transfer must not fail on the seller's entries);
/// 3. `new` owns the device from `now` on: its stake does not answer for earlier offences.
///
/// With `enforce_bound`, refuses (`DeviceUnbondingCapReached`) if the device would then have more than
/// `MAX_UNBONDING_PER_DEVICE` entries still unbonding: this is what bounds `Slash`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_owner_change(
    storage: &mut dyn Storage,
    config: &Config,
    device_id: u64,
    previous: &Addr,
    new: &Addr,
    now: Timestamp,
    height: u64,
    enforce_bound: bool,
) -> Result<OwnerChange, ContractError> {
    let live = live_device_entries(storage, device_id, now, MAX_SLASH_ENTRIES as usize + 1)?;
    let position = POSITIONS.may_load(storage, (device_id, previous))?;
    let after = live.len() + usize::from(position.is_some());
    if enforce_bound && after > MAX_UNBONDING_PER_DEVICE as usize {
        return Err(ContractError::DeviceUnbondingCapReached {
            device_id,
            max: MAX_UNBONDING_PER_DEVICE,
        });
    }

    let mut stamped = 0u32;
    for (id, staker) in live {
        if staker != *previous {
            continue;
        }
        let mut entry = UNBONDING.load(storage, id)?;
        if entry.owned_until.is_none() {
            entry.owned_until = Some(now);
            UNBONDING.save(storage, id, &entry)?;
            stamped += 1;
        }
    }

    let moved = match position {
        Some(amount) => {
            set_position(storage, device_id, previous, Uint128::zero())?;
            map_sub(storage, &STAKED, previous, amount)?;
            item_sub(storage, &TOTAL_STAKED, amount)?;
            power::refresh(storage, previous, height, now)?;
            let release_at = time_after(now, config.unbonding_period)?;
            let held = Holding {
                since: owner_since(storage, device_id, previous)?,
                until: Some(now),
            };
            Some(create_entry(storage, previous, device_id, amount, release_at, held)?)
        }
        None => None,
    };
    DEVICE_OWNER.save(
        storage,
        device_id,
        &OwnerSince {
            owner: new.clone(),
            since: now,
        },
    )?;
    Ok(OwnerChange { moved, stamped })
}

/// What a `Slash` message asks for.
pub struct SlashRequest {
    pub device_id: u64,
    pub reporter: String,
    pub reason: String,
    pub ban: bool,
    pub offence_time: Timestamp,
}

pub fn execute_slash(deps: DepsMut, env: Env, info: MessageInfo, req: SlashRequest) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    if !config.slashers.contains(&info.sender) && !cw_ownable::is_owner(deps.storage, &info.sender)? {
        return Err(ContractError::Unauthorized {
            action: "slash".to_string(),
            allowed: "the configured slashers and the admin".to_string(),
        });
    }
    let SlashRequest {
        device_id,
        reporter,
        reason,
        ban,
        offence_time,
    } = req;
    let reporter = deps.api.addr_validate(&reporter)?;
    if reporter == env.contract.address {
        return Err(ContractError::SelfAddress {
            field: "reporter".to_string(),
        });
    }
    if reason.is_empty() || reason.len() > MAX_REASON_LEN as usize {
        return Err(ContractError::InvalidReason { max: MAX_REASON_LEN });
    }
    let now = env.block.time;
    // An offence cannot be later than the evidence for it: a time in the future counts as now.
    let offence_time = offence_time.min(now);
    // Like the SDK's evidence max age: past the unbonding period, the stake that backed the device then may have
    // left, so the evidence is refused rather than hitting whoever is left.
    if time_after(offence_time, config.unbonding_period)? < now {
        return Err(ContractError::EvidenceTooOld {
            offence_time,
            max_age: config.unbonding_period,
        });
    }
    let device = query_device(deps.as_ref(), &config.registry, device_id)?;
    let height = env.block.height;
    let fraction = config.slash_fraction;
    let mut events: Vec<Event> = vec![];

    // 1. The position on the device: its current owner's (one per device), unless the offence predates their
    //    ownership (a seller's misbehaviour reported after the sale).
    let mut slashed_stake = Uint128::zero();
    let mut spared_position = false;
    if let Some((staker, amount)) = device_position(deps.storage, device_id)? {
        let since = owner_since(deps.storage, device_id, &staker)?;
        let cut = if held_at(since, None, offence_time) {
            slash_cut(amount, fraction)?
        } else {
            spared_position = true;
            Uint128::zero()
        };
        if !cut.is_zero() {
            let remaining = amount.checked_sub(cut)?;
            set_position(deps.storage, device_id, &staker, remaining)?;
            map_sub(deps.storage, &STAKED, &staker, cut)?;
            item_sub(deps.storage, &TOTAL_STAKED, cut)?;
            power::refresh(deps.storage, &staker, height, now)?;
            slashed_stake = cut;
            events.push(
                Event::new("slash_position")
                    .add_attribute("device_id", device_id.to_string())
                    .add_attribute("staker", staker)
                    .add_attribute("amount", cut)
                    .add_attribute("remaining", remaining),
            );
        }
    }

    // 2. Entries from the device that are still unbonding (≤ MAX_SLASH_ENTRIES), except those of stakers who did
    //    not hold the device at the offence. Matured entries are no longer at risk, as in the Cosmos SDK.
    let live = live_device_entries(deps.storage, device_id, now, MAX_SLASH_ENTRIES as usize)?;
    let mut slashed_unbonding = Uint128::zero();
    let mut spared = 0u32;
    for (id, _) in live {
        let mut entry = UNBONDING.load(deps.storage, id)?;
        if !entry.held_at(offence_time) {
            spared += 1;
            continue;
        }
        let cut = slash_cut(entry.amount, fraction)?;
        if cut.is_zero() {
            continue;
        }
        entry.amount = entry.amount.checked_sub(cut)?;
        if entry.amount.is_zero() {
            remove_entry(deps.storage, &entry);
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
        .add_attribute("offence_time", offence_time.seconds().to_string())
        .add_attribute("slashed_stake", slashed_stake)
        .add_attribute("slashed_unbonding", slashed_unbonding)
        .add_attribute("spared_position", spared_position.to_string())
        .add_attribute("spared_entries", spared.to_string())
        .add_attribute("amount", total)
        .add_attribute("bounty", bounty)
        .add_attribute("to_pool", to_pool)
        .add_attribute("status", device.status.as_str())
        .add_attribute("new_status", new_status.as_str()))
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

/// `ceil(amount × fraction)`, never more than `amount`: any non-zero amount loses at least 1 uemc to a non-zero
/// fraction, so a slash always bites (no dust that survives every slash).
fn slash_cut(amount: Uint128, fraction: cosmwasm_std::Decimal) -> Result<Uint128, ContractError> {
    Ok(amount.checked_mul_ceil(fraction)?.min(amount))
}

/// When `who` got `device_id`, if staking saw that ownership change (`None`: unknown, e.g. the first owner).
fn owner_since(storage: &dyn Storage, device_id: u64, who: &Addr) -> Result<Option<Timestamp>, ContractError> {
    Ok(DEVICE_OWNER
        .may_load(storage, device_id)?
        .filter(|o| o.owner == *who)
        .map(|o| o.since))
}

/// The ownership interval an entry's stake backed the device for.
struct Holding {
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// The position on `device_id`, if any (there is at most one, see `POSITIONS`).
pub(crate) fn device_position(storage: &dyn Storage, device_id: u64) -> Result<Option<(Addr, Uint128)>, ContractError> {
    Ok(POSITIONS
        .prefix(device_id)
        .range(storage, None, None, Order::Ascending)
        .next()
        .transpose()?)
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

/// (id, staker) of the entries from `device_id` that are still unbonding at `now` (release strictly after `now`),
/// earliest release first, at most `limit`.
fn live_device_entries(
    storage: &dyn Storage,
    device_id: u64,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<(u64, Addr)>, ContractError> {
    let entries = DEVICE_UNBONDING
        .sub_prefix(device_id)
        .range(
            storage,
            Some(Bound::exclusive((now.nanos(), u64::MAX))),
            None,
            Order::Ascending,
        )
        .take(limit)
        .map(|item| item.map(|((_, id), staker)| (id, staker)))
        .collect::<Result<_, _>>()?;
    Ok(entries)
}

/// Creates an unbonding entry with its indexes and adds it to the unbonding totals.
fn create_entry(
    storage: &mut dyn Storage,
    staker: &Addr,
    device_id: u64,
    amount: Uint128,
    release_at: Timestamp,
    held: Holding,
) -> Result<UnbondingEntry, ContractError> {
    let id = next_id(storage, &UNBONDING_SEQ)?;
    let entry = UnbondingEntry {
        id,
        staker: staker.clone(),
        device_id,
        amount,
        release_at,
        owned_since: held.since,
        owned_until: held.until,
    };
    UNBONDING.save(storage, id, &entry)?;
    STAKER_UNBONDING.save(storage, (staker, release_at.nanos(), id), &cosmwasm_std::Empty {})?;
    DEVICE_UNBONDING.save(storage, (device_id, release_at.nanos(), id), staker)?;
    map_add(storage, &UNBONDING_TOTAL, staker, amount)?;
    item_add(storage, &TOTAL_UNBONDING, amount)?;
    Ok(entry)
}

/// Sets a position to `amount`, deleting it (and its index entry) at zero.
fn set_position(
    storage: &mut dyn Storage,
    device_id: u64,
    staker: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    if amount.is_zero() {
        POSITIONS.remove(storage, (device_id, staker));
        STAKER_POSITIONS.remove(storage, (staker, device_id));
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
fn remove_entry(storage: &mut dyn Storage, entry: &UnbondingEntry) {
    UNBONDING.remove(storage, entry.id);
    STAKER_UNBONDING.remove(storage, (&entry.staker, entry.release_at.nanos(), entry.id));
    DEVICE_UNBONDING.remove(storage, (entry.device_id, entry.release_at.nanos(), entry.id));
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

    #[test]
    fn slash_cut_rounds_up_and_never_exceeds_the_amount() {
        use cosmwasm_std::Decimal;
        let cut = |a: u128, f: Decimal| slash_cut(Uint128::new(a), f).unwrap().u128();
        assert_eq!(cut(1, Decimal::percent(10)), 1, "dust is cut by at least 1");
        assert_eq!(cut(9, Decimal::percent(10)), 1);
        assert_eq!(cut(10, Decimal::percent(10)), 1);
        assert_eq!(cut(11, Decimal::percent(10)), 2);
        assert_eq!(cut(7, Decimal::one()), 7);
        assert_eq!(cut(7, Decimal::zero()), 0);
        assert_eq!(cut(0, Decimal::percent(50)), 0);
        assert_eq!(cut(u128::MAX, Decimal::one()), u128::MAX);
    }
}
