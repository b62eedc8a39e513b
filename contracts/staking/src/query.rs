//! Read-only queries. Every list is bounded: by a per-key cap or by pagination.

use cosmwasm_std::{to_json_binary, Addr, Binary, Decimal, Deps, Env, Order, StdError, StdResult, Uint128};
use cw_storage_plus::Bound;
use edgemint_types::registry::DeviceResponse;

use crate::msg::{
    ConfigResponse, LockResponse, LocksResponse, MiningStatusResponse, PositionResponse, PositionsResponse, QueryMsg,
    RewardMultiplierResponse, StakerResponse, TotalLockedResponse, TotalPowerAtHeightResponse, TotalStakedResponse,
    UnbondingEntryResponse, UnbondingResponse, VotingPowerAtHeightResponse,
};
use crate::power;
use crate::stake::matured_entries;
use crate::state::{
    CONFIG, DEFAULT_PAGE_LIMIT, LOCKS, LOCK_TOTALS, MAX_CLAIM_ENTRIES, MAX_LOCKS_PER_ADDRESS, MAX_PAGE_LIMIT,
    MAX_SLASH_ENTRIES, MAX_TIERS, MAX_UNBONDING_ENTRIES, MAX_UNBONDING_PER_DEVICE, OWNER_LOCKS, POSITIONS,
    REWARD_MULTIPLIER, STAKED, STAKER_POSITIONS, STAKER_UNBONDING, TIERS, TOTAL_LOCKED, TOTAL_POWER, TOTAL_STAKED,
    TOTAL_UNBONDING, UNBONDING, UNBONDING_TOTAL, VOTING_POWER,
};
use edgemint_types::registry::RegistryQueryMsg;

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Position { device_id, staker } => {
            let staker = deps.api.addr_validate(&staker)?;
            let amount = POSITIONS
                .may_load(deps.storage, (device_id, &staker))?
                .unwrap_or_default();
            to_json_binary(&PositionResponse {
                device_id,
                staker,
                amount,
            })
        }
        QueryMsg::PositionsByStaker {
            staker,
            start_after,
            limit,
        } => to_json_binary(&query_positions_by_staker(deps, staker, start_after, limit)?),
        QueryMsg::PositionsByDevice { device_id } => {
            let positions = POSITIONS
                .prefix(device_id)
                .range(deps.storage, None, None, Order::Ascending)
                .take(MAX_PAGE_LIMIT as usize)
                .map(|r| {
                    r.map(|(staker, amount)| PositionResponse {
                        device_id,
                        staker,
                        amount,
                    })
                })
                .collect::<StdResult<_>>()?;
            to_json_binary(&PositionsResponse { positions })
        }
        QueryMsg::Staker { address } => to_json_binary(&query_staker(deps, env, address)?),
        QueryMsg::Unbonding {
            address,
            start_after,
            limit,
        } => to_json_binary(&query_unbonding(deps, env, address, start_after, limit)?),
        QueryMsg::Locks { address } => to_json_binary(&query_locks(deps, env, address)?),
        QueryMsg::TotalStaked {} => to_json_binary(&TotalStakedResponse {
            staked: TOTAL_STAKED.load(deps.storage)?,
            unbonding: TOTAL_UNBONDING.load(deps.storage)?,
        }),
        QueryMsg::TotalLocked {} => {
            let t = TOTAL_LOCKED.load(deps.storage)?;
            to_json_binary(&TotalLockedResponse {
                amount: t.amount,
                weight: t.weight,
            })
        }
        QueryMsg::VotingPowerAtHeight { address, height } => {
            let address = deps.api.addr_validate(&address)?;
            let height = checked_height(&env, height)?;
            let power = VOTING_POWER
                .may_load_at_height(deps.storage, &address, height)?
                .unwrap_or_default();
            to_json_binary(&VotingPowerAtHeightResponse { power, height })
        }
        QueryMsg::TotalPowerAtHeight { height } => {
            let height = checked_height(&env, height)?;
            let power = TOTAL_POWER
                .may_load_at_height(deps.storage, height)?
                .unwrap_or_default();
            to_json_binary(&TotalPowerAtHeightResponse { power, height })
        }
        QueryMsg::RewardMultiplierAtHeight { address, height } => {
            let address = deps.api.addr_validate(&address)?;
            let height = checked_height(&env, height)?;
            let multiplier = REWARD_MULTIPLIER
                .may_load_at_height(deps.storage, &address, height)?
                .unwrap_or(Decimal::one());
            to_json_binary(&RewardMultiplierResponse { multiplier, height })
        }
        QueryMsg::MiningStatus { device_id } => to_json_binary(&query_mining_status(deps, device_id)?),
    }
}

/// `None` → the current height. A height in the future is rejected: its value is not final yet.
fn checked_height(env: &Env, height: Option<u64>) -> StdResult<u64> {
    let current = env.block.height;
    match height {
        None => Ok(current),
        Some(h) if h <= current => Ok(h),
        Some(h) => Err(StdError::generic_err(format!(
            "height {h} is in the future (current height {current})"
        ))),
    }
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    let tiers = TIERS
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_TIERS as usize)
        .map(|r| r.map(|(_, t)| t))
        .collect::<StdResult<_>>()?;
    let ownership = cw_ownable::get_ownership(deps.storage)?;
    Ok(ConfigResponse {
        // Renouncing is refused, so there is always an admin.
        admin: ownership
            .owner
            .ok_or_else(|| StdError::generic_err("the staking contract has no admin"))?,
        pending_admin: ownership.pending_owner,
        denom: config.denom,
        registry: config.registry,
        rewards_pool: config.rewards_pool,
        min_stake_per_device: config.min_stake_per_device,
        unbonding_period: config.unbonding_period,
        slash_fraction: config.slash_fraction,
        bounty_fraction: config.bounty_fraction,
        slashers: config.slashers,
        lockers: config.lockers,
        tiers,
        max_unbonding_entries: MAX_UNBONDING_ENTRIES,
        max_unbonding_per_device: MAX_UNBONDING_PER_DEVICE,
        max_slash_entries: MAX_SLASH_ENTRIES,
        max_claim_entries: MAX_CLAIM_ENTRIES,
        max_locks_per_address: MAX_LOCKS_PER_ADDRESS,
    })
}

fn query_positions_by_staker(
    deps: Deps,
    staker: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<PositionsResponse> {
    let staker = deps.api.addr_validate(&staker)?;
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize;
    let devices: Vec<u64> = STAKER_POSITIONS
        .prefix(&staker)
        .keys(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
        .take(limit)
        .collect::<StdResult<_>>()?;
    let positions = devices
        .into_iter()
        .map(|device_id| {
            Ok(PositionResponse {
                device_id,
                amount: POSITIONS.load(deps.storage, (device_id, &staker))?,
                staker: staker.clone(),
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(PositionsResponse { positions })
}

fn query_staker(deps: Deps, env: Env, address: String) -> StdResult<StakerResponse> {
    let address = deps.api.addr_validate(&address)?;
    let staked = STAKED.may_load(deps.storage, &address)?.unwrap_or_default();
    let locks = LOCK_TOTALS.may_load(deps.storage, &address)?.unwrap_or_default();
    let to_std = |e: crate::ContractError| StdError::generic_err(e.to_string());
    let now = power::lock_totals_at(deps.storage, &address, env.block.time).map_err(to_std)?;
    Ok(StakerResponse {
        unbonding: UNBONDING_TOTAL.may_load(deps.storage, &address)?.unwrap_or_default(),
        voting_power: power::voting_power(staked, &locks).map_err(to_std)?,
        reward_multiplier: power::reward_multiplier(staked, &locks).map_err(to_std)?,
        stale_boost: locks.weight.saturating_sub(now.weight),
        staked,
        locked: locks.amount,
        lock_weight: locks.weight,
        address,
    })
}

fn query_unbonding(
    deps: Deps,
    env: Env,
    address: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<UnbondingResponse> {
    let address = deps.api.addr_validate(&address)?;
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize;
    // Entries are listed in the index order (release time, id); the cursor is an entry id.
    let start = match start_after {
        Some(id) => {
            let cursor = UNBONDING.load(deps.storage, id)?;
            Some(Bound::exclusive((cursor.release_at.nanos(), id)))
        }
        None => None,
    };
    let ids: Vec<u64> = STAKER_UNBONDING
        .sub_prefix(&address)
        .keys(deps.storage, start, None, Order::Ascending)
        .take(limit)
        .map(|k| k.map(|(_, id)| id))
        .collect::<StdResult<_>>()?;
    let mut entries = Vec::with_capacity(ids.len());
    for id in ids {
        let e = UNBONDING.load(deps.storage, id)?;
        entries.push(UnbondingEntryResponse {
            id,
            device_id: e.device_id,
            amount: e.amount,
            release_at: e.release_at,
            claimable: e.release_at <= env.block.time,
            owned_since: e.owned_since,
            owned_until: e.owned_until,
        });
    }
    let mut claimable = Uint128::zero();
    let matured =
        matured_entries(deps.storage, &address, env.block.time).map_err(|e| StdError::generic_err(e.to_string()))?;
    for id in matured {
        claimable = claimable.checked_add(UNBONDING.load(deps.storage, id)?.amount)?;
    }
    Ok(UnbondingResponse {
        entries,
        total: UNBONDING_TOTAL.may_load(deps.storage, &address)?.unwrap_or_default(),
        claimable,
    })
}

fn query_locks(deps: Deps, env: Env, address: String) -> StdResult<LocksResponse> {
    let address: Addr = deps.api.addr_validate(&address)?;
    let ids: Vec<u64> = OWNER_LOCKS
        .prefix(&address)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_LOCKS_PER_ADDRESS as usize)
        .collect::<StdResult<_>>()?;
    let locks = ids
        .into_iter()
        .map(|id| {
            let l = LOCKS.load(deps.storage, id)?;
            Ok(LockResponse {
                lock_id: id,
                tier_id: l.tier_id,
                amount: l.amount,
                multiplier: l.multiplier,
                weight: l.weight,
                locked_at: l.locked_at,
                expired: env.block.time >= l.expires_at,
                expires_at: l.expires_at,
            })
        })
        .collect::<StdResult<_>>()?;
    let totals = LOCK_TOTALS.may_load(deps.storage, &address)?.unwrap_or_default();
    Ok(LocksResponse {
        locks,
        total_amount: totals.amount,
        total_weight: totals.weight,
    })
}

fn query_mining_status(deps: Deps, device_id: u64) -> StdResult<MiningStatusResponse> {
    let config = CONFIG.load(deps.storage)?;
    let device: DeviceResponse = deps
        .querier
        .query_wasm_smart(&config.registry, &RegistryQueryMsg::Device { device_id })?;
    let owner_stake = match &device.owner {
        Some(owner) => POSITIONS
            .may_load(deps.storage, (device_id, owner))?
            .unwrap_or_default(),
        None => Uint128::zero(),
    };
    let eligible = device.status == edgemint_types::registry::DeviceStatus::Active
        && device.owner.is_some()
        && owner_stake >= config.min_stake_per_device;
    Ok(MiningStatusResponse {
        device_id,
        eligible,
        owner: device.owner,
        owner_stake,
        min_stake: config.min_stake_per_device,
        device_status: device.status,
    })
}
