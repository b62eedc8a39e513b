//! Pool bookkeeping: `Fund`, `AddRevenue`, `Sync`, the hub's `ReserveBudget` / `SettleEpoch` / `ReleaseEpoch`, and the
//! admin's `ReassignRevenue` and `CloseEpoch`.

use cosmwasm_std::{
    Addr, Deps, DepsMut, Env, MessageInfo, OverflowError, OverflowOperation, Response, Timestamp, Uint128,
};
use cw_utils::{must_pay, nonpayable};

use edgemint_types::oracle::EpochStatus;

use crate::contract::ensure_admin;
use crate::emission::live_budget;
use crate::error::ContractError;
use crate::external::{query_current_epoch, query_epoch};
use crate::state::{EpochRecord, Pool, CONFIG, EPOCHS, POOL, REVENUE};

pub fn execute_fund(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = must_pay(&info, &config.denom)?;
    let mut pool = POOL.load(deps.storage)?;
    pool.total = pool.total.checked_add(amount)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "fund")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("pool_total", pool.total))
}

pub fn execute_add_revenue(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = must_pay(&info, &config.denom)?;
    let current = query_current_epoch(deps.as_ref(), &config.hub)?.epoch;
    let epoch = current
        .checked_add(1)
        .ok_or_else(|| OverflowError::new(OverflowOperation::Add))?;
    if EPOCHS.has(deps.storage, epoch) {
        // Not reachable with a correct hub (an epoch is reserved only after it ended).
        return Err(ContractError::EpochAlreadyReserved { epoch });
    }
    let revenue = REVENUE
        .may_load(deps.storage, epoch)?
        .unwrap_or_default()
        .checked_add(amount)?;
    REVENUE.save(deps.storage, epoch, &revenue)?;
    let mut pool = POOL.load(deps.storage)?;
    pool.total = pool.total.checked_add(amount)?;
    pool.earmarked = pool.earmarked.checked_add(amount)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "add_revenue")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("epoch_revenue", revenue))
}

pub fn execute_sync(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let balance = balance_of(deps.as_ref(), &env.contract.address, &config.denom)?;
    let mut pool = POOL.load(deps.storage)?;
    // Coins of unacknowledged IBC transfers may come back as refunds: they belong to the owners, not the pool.
    let accounted = pool.total.checked_add(pool.ibc_pending)?;
    if balance <= accounted {
        return Err(ContractError::NothingToSync {
            balance,
            pool_total: pool.total,
        });
    }
    let amount = balance.checked_sub(accounted)?;
    pool.total = pool.total.checked_add(amount)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "sync")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("pool_total", pool.total))
}

/// `ReserveBudget { epoch }` (hub, at the epoch's first report): reserve and freeze the whole budget as the live
/// `EpochBudget` answers now. Idempotent. Never fails for lack of funds: emission is capped by the free pool (possibly
/// to zero) and the revenue is earmarked, hence backed.
pub fn execute_reserve_budget(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    epoch: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    ensure_hub(&config.hub, &info.sender, "reserve an epoch budget")?;
    let res = Response::new()
        .add_attribute("action", "reserve_budget")
        .add_attribute("epoch", epoch.to_string());
    if let Some(record) = EPOCHS.may_load(deps.storage, epoch)? {
        // Already frozen: the figures do not change (also after a release).
        return Ok(res
            .add_attribute("already_reserved", "true")
            .add_attribute("device_budget", record.device_budget)
            .add_attribute("operator_budget", record.operator_budget));
    }
    let mut pool = POOL.load(deps.storage)?;
    let budget = live_budget(deps.storage, &config, &pool, epoch)?;
    let reserve = budget.device_budget.checked_add(budget.operator_budget)?;
    // The revenue is no longer earmarked: it is part of the reservation now.
    pool.earmarked = pool.earmarked.checked_sub(budget.revenue)?;
    pool.reserved = pool.reserved.checked_add(reserve)?;
    if pool.reserved.checked_add(pool.earmarked)? > pool.total {
        // Unreachable: emission ≤ free pool and revenue ≤ earmarked.
        return Err(ContractError::PoolInconsistent {
            reason: "reservation exceeds the pool".to_string(),
        });
    }
    POOL.save(deps.storage, &pool)?;
    EPOCHS.save(
        deps.storage,
        epoch,
        &EpochRecord {
            emission: budget.emission,
            revenue: budget.revenue,
            operator_budget: budget.operator_budget,
            device_budget: budget.device_budget,
            total_amount: Uint128::zero(),
            reserved_at: env.block.time,
            settled: false,
            claimed: Uint128::zero(),
            operator_claimed: Uint128::zero(),
            operator_reward: None,
            operator_dust: Uint128::zero(),
            released: false,
            closed_at: None,
        },
    )?;
    Ok(res
        .add_attribute("already_reserved", "false")
        .add_attribute("emission", budget.emission)
        .add_attribute("revenue", budget.revenue)
        .add_attribute("operator_budget", budget.operator_budget)
        .add_attribute("device_budget", budget.device_budget)
        .add_attribute("reserved", reserve))
}

/// `SettleEpoch { epoch, total_amount }` (hub, when a root reaches quorum): the root's total becomes claimable and
/// the unused device budget returns to the free pool.
pub fn execute_settle_epoch(
    deps: DepsMut,
    info: MessageInfo,
    epoch: u64,
    total_amount: Uint128,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    ensure_hub(&config.hub, &info.sender, "settle an epoch")?;
    let mut record = EPOCHS
        .may_load(deps.storage, epoch)?
        .ok_or(ContractError::EpochNotReserved { epoch })?;
    if record.released {
        return Err(ContractError::EpochReleased { epoch });
    }
    if record.settled {
        return Err(ContractError::EpochAlreadySettled { epoch });
    }
    if total_amount > record.device_budget {
        return Err(ContractError::TotalExceedsBudget {
            epoch,
            total_amount,
            device_budget: record.device_budget,
        });
    }
    let unused = record.device_budget.checked_sub(total_amount)?;
    record.total_amount = total_amount;
    record.settled = true;
    EPOCHS.save(deps.storage, epoch, &record)?;
    let mut pool = POOL.load(deps.storage)?;
    pool.reserved = pool.reserved.checked_sub(unused)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "settle_epoch")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("total_amount", total_amount)
        .add_attribute("device_budget", record.device_budget)
        .add_attribute("operator_budget", record.operator_budget)
        .add_attribute("unused", unused))
}

/// `ReleaseEpoch { epoch }` (hub, on a veto or an abandoned epoch): everything still reserved returns to the pool.
pub fn execute_release_epoch(deps: DepsMut, info: MessageInfo, epoch: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    ensure_hub(&config.hub, &info.sender, "release an epoch")?;
    let mut record = EPOCHS
        .may_load(deps.storage, epoch)?
        .ok_or(ContractError::EpochNotReserved { epoch })?;
    if record.released {
        return Err(ContractError::EpochReleased { epoch });
    }
    if record.closed_at.is_some() {
        return Err(ContractError::EpochClosed { epoch });
    }
    let outstanding = record.outstanding()?;
    record.released = true;
    EPOCHS.save(deps.storage, epoch, &record)?;
    let mut pool = POOL.load(deps.storage)?;
    pool.reserved = pool.reserved.checked_sub(outstanding)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "release_epoch")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("settled", record.settled.to_string())
        .add_attribute("released", outstanding))
}

/// `CloseEpoch { epoch }` (admin, `claim_window` after the epoch became final): whatever is still reserved for the
/// epoch returns to the free pool and the epoch pays nothing more.
pub fn execute_close_epoch(deps: DepsMut, env: Env, info: MessageInfo, epoch: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "close an epoch")?;
    let config = CONFIG.load(deps.storage)?;
    let mut record = EPOCHS
        .may_load(deps.storage, epoch)?
        .ok_or(ContractError::EpochNotReserved { epoch })?;
    if record.released {
        return Err(ContractError::EpochReleased { epoch });
    }
    if record.closed_at.is_some() {
        return Err(ContractError::EpochClosed { epoch });
    }
    if !record.settled {
        return Err(ContractError::EpochNotSettled { epoch });
    }
    let hub_epoch = query_epoch(deps.as_ref(), &config.hub, epoch)?;
    let final_at = match (hub_epoch.status, hub_epoch.final_at) {
        (EpochStatus::Final, Some(final_at)) => final_at,
        (status, _) => return Err(ContractError::CloseNotFinal { epoch, status }),
    };
    let closes_at = add_seconds(final_at, config.claim_window)?;
    if env.block.time < closes_at {
        return Err(ContractError::ClaimWindowOpen { epoch, closes_at });
    }
    let outstanding = record.outstanding()?;
    record.closed_at = Some(env.block.time);
    EPOCHS.save(deps.storage, epoch, &record)?;
    let mut pool = POOL.load(deps.storage)?;
    pool.reserved = pool.reserved.checked_sub(outstanding)?;
    POOL.save(deps.storage, &pool)?;
    Ok(Response::new()
        .add_attribute("action", "close_epoch")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("claimed", record.claimed)
        .add_attribute("operator_claimed", record.operator_claimed)
        .add_attribute("released", outstanding))
}

pub fn execute_reassign_revenue(
    deps: DepsMut,
    info: MessageInfo,
    from_epoch: u64,
    to_epoch: Option<u64>,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "reassign revenue")?;
    if EPOCHS.has(deps.storage, from_epoch) {
        return Err(ContractError::EpochAlreadyReserved { epoch: from_epoch });
    }
    let amount = REVENUE.may_load(deps.storage, from_epoch)?.unwrap_or_default();
    if amount.is_zero() {
        return Err(ContractError::NoRevenue { epoch: from_epoch });
    }
    REVENUE.remove(deps.storage, from_epoch);
    let mut res = Response::new()
        .add_attribute("action", "reassign_revenue")
        .add_attribute("from_epoch", from_epoch.to_string())
        .add_attribute("amount", amount);
    match to_epoch {
        Some(to) => {
            if to == from_epoch {
                return Err(ContractError::SameEpoch { epoch: to });
            }
            if EPOCHS.has(deps.storage, to) {
                return Err(ContractError::EpochAlreadyReserved { epoch: to });
            }
            let revenue = REVENUE
                .may_load(deps.storage, to)?
                .unwrap_or_default()
                .checked_add(amount)?;
            REVENUE.save(deps.storage, to, &revenue)?;
            res = res
                .add_attribute("to_epoch", to.to_string())
                .add_attribute("epoch_revenue", revenue);
        }
        None => {
            let mut pool = POOL.load(deps.storage)?;
            pool.earmarked = pool.earmarked.checked_sub(amount)?;
            POOL.save(deps.storage, &pool)?;
            res = res.add_attribute("to_epoch", "free_pool");
        }
    }
    Ok(res)
}

pub(crate) fn ensure_hub(hub: &Addr, sender: &Addr, action: &str) -> Result<(), ContractError> {
    if sender != hub {
        return Err(ContractError::Unauthorized {
            action: action.to_string(),
            allowed: "the oracle hub".to_string(),
        });
    }
    Ok(())
}

pub(crate) fn balance_of(deps: Deps, contract: &Addr, denom: &str) -> Result<Uint128, ContractError> {
    Ok(deps.querier.query_balance(contract, denom)?.amount)
}

/// `time + seconds`, checked.
pub(crate) fn add_seconds(time: Timestamp, seconds: u64) -> Result<Timestamp, ContractError> {
    seconds
        .checked_mul(1_000_000_000)
        .and_then(|nanos| time.nanos().checked_add(nanos))
        .map(Timestamp::from_nanos)
        .ok_or_else(|| OverflowError::new(OverflowOperation::Add).into())
}

/// Takes a payout out of the books: `amount` leaves both the pool total and the reservation.
pub(crate) fn pay_out(pool: &mut Pool, amount: Uint128) -> Result<(), ContractError> {
    pool.total = pool.total.checked_sub(amount)?;
    pool.reserved = pool.reserved.checked_sub(amount)?;
    Ok(())
}
