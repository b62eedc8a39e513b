//! Read-only queries. The only list (`Schedule`) is capped at 100 entries.

use cosmwasm_std::{to_json_binary, Binary, Deps, Env, StdError, StdResult, Uint128};

use crate::emission::{epoch_budget, scheduled_emission};
use crate::error::ContractError;
use crate::external::query_epoch;
use crate::msg::{
    ClaimedResponse, ConfigResponse, EpochStateResponse, IbcTransferResponse, OperatorClaimedResponse, PoolResponse,
    QueryMsg, RevenueResponse, ScheduleEntry, ScheduleResponse,
};
use crate::pool::balance_of;
use crate::state::{CLAIMED, CONFIG, EPOCHS, IBC_PENDING, MAX_SCHEDULE_COUNT, OPERATOR_CLAIMED, POOL, REVENUE};

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::EpochBudget { epoch } => {
            let config = CONFIG.load(deps.storage)?;
            let pool = POOL.load(deps.storage)?;
            to_json_binary(&epoch_budget(deps.storage, &config, &pool, epoch).map_err(std_err)?)
        }
        QueryMsg::EpochState { epoch } => to_json_binary(&query_epoch_state(deps, epoch).map_err(std_err)?),
        QueryMsg::Claimed { epoch, device_id } => {
            let amount = CLAIMED.may_load(deps.storage, (epoch, device_id))?;
            to_json_binary(&ClaimedResponse {
                epoch,
                device_id,
                claimed: amount.is_some(),
                amount: amount.unwrap_or_default(),
            })
        }
        QueryMsg::OperatorClaimed { epoch, operator } => {
            let operator = deps.api.addr_validate(&operator)?;
            let amount = OPERATOR_CLAIMED.may_load(deps.storage, (epoch, &operator))?;
            to_json_binary(&OperatorClaimedResponse {
                epoch,
                operator,
                claimed: amount.is_some(),
                amount: amount.unwrap_or_default(),
            })
        }
        QueryMsg::Pool {} => to_json_binary(&query_pool(deps, env).map_err(std_err)?),
        QueryMsg::Schedule { start_epoch, count } => {
            to_json_binary(&query_schedule(deps, start_epoch, count).map_err(std_err)?)
        }
        QueryMsg::Revenue { epoch } => to_json_binary(&RevenueResponse {
            epoch,
            amount: REVENUE.may_load(deps.storage, epoch)?.unwrap_or_default(),
        }),
        QueryMsg::IbcTransfer { epoch, device_id } => to_json_binary(&IbcTransferResponse {
            epoch,
            device_id,
            pending: IBC_PENDING.may_load(deps.storage, (epoch, device_id))?,
        }),
    }
}

fn std_err(e: ContractError) -> StdError {
    match e {
        ContractError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    }
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    let ownership = cw_ownable::get_ownership(deps.storage)?;
    Ok(ConfigResponse {
        // Renouncing is refused, so there is always an admin.
        admin: ownership
            .owner
            .ok_or_else(|| StdError::generic_err("the rewards contract has no admin"))?,
        pending_admin: ownership.pending_owner,
        hub: config.hub,
        registry: config.registry,
        denom: config.denom,
        schedule: config.schedule,
        operator_share: config.operator_share,
        max_batch: config.max_batch,
        claim_window: config.claim_window,
    })
}

fn query_epoch_state(deps: Deps, epoch: u64) -> Result<EpochStateResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let pool = POOL.load(deps.storage)?;
    let budget = epoch_budget(deps.storage, &config, &pool, epoch)?;
    let hub_status = query_epoch(deps, &config.hub, epoch).ok().map(|e| e.status);
    let record = EPOCHS.may_load(deps.storage, epoch)?;
    Ok(match record {
        Some(r) => EpochStateResponse {
            epoch,
            hub_status,
            reserved: true,
            settled: r.settled,
            released: r.released,
            closed_at: r.closed_at,
            budget,
            total_amount: r.total_amount,
            claimed: r.claimed,
            operator_claimed: r.operator_claimed,
            operator_reward_per_reporter: r.operator_reward,
            operator_dust: r.operator_dust,
            outstanding: r.outstanding()?,
        },
        None => EpochStateResponse {
            epoch,
            hub_status,
            reserved: false,
            settled: false,
            released: false,
            closed_at: None,
            budget,
            total_amount: Uint128::zero(),
            claimed: Uint128::zero(),
            operator_claimed: Uint128::zero(),
            operator_reward_per_reporter: None,
            operator_dust: Uint128::zero(),
            outstanding: Uint128::zero(),
        },
    })
}

fn query_pool(deps: Deps, env: Env) -> Result<PoolResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let pool = POOL.load(deps.storage)?;
    Ok(PoolResponse {
        balance: balance_of(deps, &env.contract.address, &config.denom)?,
        denom: config.denom,
        pool_total: pool.total,
        reserved: pool.reserved,
        unreserved: pool.unreserved()?,
        earmarked_revenue: pool.earmarked,
        free: pool.free()?,
        ibc_pending: pool.ibc_pending,
    })
}

fn query_schedule(deps: Deps, start_epoch: u64, count: u32) -> Result<ScheduleResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let count = count.min(MAX_SCHEDULE_COUNT);
    let mut entries = Vec::with_capacity(count as usize);
    for i in 0..u64::from(count) {
        let Some(epoch) = start_epoch.checked_add(i) else {
            break;
        };
        entries.push(ScheduleEntry {
            epoch,
            emission: scheduled_emission(&config.schedule, epoch)?,
        });
    }
    Ok(ScheduleResponse {
        schedule: config.schedule,
        entries,
    })
}
