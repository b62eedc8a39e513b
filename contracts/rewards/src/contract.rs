#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Addr, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw_utils::{may_pay, nonpayable};
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{EmissionSchedule, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{
    Config, Pool, ADMIN, CONFIG, DEFAULT_CLAIM_WINDOW, MAX_BATCH_LIMIT, MAX_CLAIM_WINDOW, MAX_OPERATOR_SHARE,
    MIN_CLAIM_WINDOW, PENDING_ADMIN, POOL,
};
use crate::{claim, ibc, pool, query};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    validate_denom(&msg.denom)?;
    // Optional initial pool, in the pool denom only.
    let initial = may_pay(&info, &msg.denom)?;

    let admin = match msg.admin {
        Some(admin) => deps.api.addr_validate(&admin)?,
        None => info.sender,
    };
    validate_schedule(&msg.schedule)?;
    validate_operator_share(msg.operator_share)?;
    let max_batch = msg.max_batch.unwrap_or(MAX_BATCH_LIMIT);
    validate_max_batch(max_batch)?;
    let claim_window = msg.claim_window.unwrap_or(DEFAULT_CLAIM_WINDOW);
    validate_claim_window(claim_window)?;
    let config = Config {
        hub: deps.api.addr_validate(&msg.hub)?,
        registry: deps.api.addr_validate(&msg.registry)?,
        denom: msg.denom,
        schedule: msg.schedule,
        operator_share: msg.operator_share,
        max_batch,
        claim_window,
    };
    CONFIG.save(deps.storage, &config)?;
    ADMIN.save(deps.storage, &admin)?;
    POOL.save(
        deps.storage,
        &Pool {
            total: initial,
            ..Pool::default()
        },
    )?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", admin)
        .add_attribute("hub", config.hub)
        .add_attribute("registry", config.registry)
        .add_attribute("denom", config.denom)
        .add_attribute("epoch_emission", config.schedule.epoch_emission)
        .add_attribute("decay", config.schedule.decay.to_string())
        .add_attribute("decay_period_epochs", config.schedule.decay_period_epochs.to_string())
        .add_attribute("operator_share", config.operator_share.to_string())
        .add_attribute("max_batch", max_batch.to_string())
        .add_attribute("claim_window", claim_window.to_string())
        .add_attribute("pool_total", initial))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Fund {} => pool::execute_fund(deps, info),
        ExecuteMsg::AddRevenue {} => pool::execute_add_revenue(deps, info),
        ExecuteMsg::Sync {} => pool::execute_sync(deps, env, info),
        ExecuteMsg::ReserveBudget { epoch } => pool::execute_reserve_budget(deps, env, info, epoch),
        ExecuteMsg::SettleEpoch { epoch, total_amount } => pool::execute_settle_epoch(deps, info, epoch, total_amount),
        ExecuteMsg::ReleaseEpoch { epoch } => pool::execute_release_epoch(deps, info, epoch),
        ExecuteMsg::CloseEpoch { epoch } => pool::execute_close_epoch(deps, env, info, epoch),
        ExecuteMsg::ResolveIbcTransfer {
            epoch,
            device_id,
            delivered,
        } => ibc::execute_resolve_transfer(deps, env, info, epoch, device_id, delivered),
        ExecuteMsg::Claim { claims } => claim::execute_claim(deps, env, info, claims),
        ExecuteMsg::ClaimAndSend {
            claim,
            channel_id,
            receiver,
            timeout_seconds,
        } => claim::execute_claim_and_send(deps, env, info, claim, channel_id, receiver, timeout_seconds),
        ExecuteMsg::ClaimOperatorReward { epoch } => claim::execute_claim_operator_reward(deps, env, info, epoch),
        ExecuteMsg::UpdateConfig {
            hub,
            registry,
            schedule,
            operator_share,
            max_batch,
            claim_window,
        } => execute_update_config(
            deps,
            info,
            ConfigChanges {
                hub,
                registry,
                schedule,
                operator_share,
                max_batch,
                claim_window,
            },
        ),
        ExecuteMsg::ReassignRevenue { from_epoch, to_epoch } => {
            pool::execute_reassign_revenue(deps, info, from_epoch, to_epoch)
        }
        ExecuteMsg::ProposeAdmin { new_admin } => execute_propose_admin(deps, info, new_admin),
        ExecuteMsg::AcceptAdmin {} => execute_accept_admin(deps, info),
        ExecuteMsg::CancelAdminProposal {} => execute_cancel_admin_proposal(deps, info),
    }
}

struct ConfigChanges {
    hub: Option<String>,
    registry: Option<String>,
    schedule: Option<EmissionSchedule>,
    operator_share: Option<Decimal>,
    max_batch: Option<u32>,
    claim_window: Option<u64>,
}

fn execute_update_config(deps: DepsMut, info: MessageInfo, c: ConfigChanges) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "update the config")?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "update_config");

    if let Some(hub) = c.hub {
        config.hub = deps.api.addr_validate(&hub)?;
        res = res.add_attribute("hub", config.hub.as_str());
    }
    if let Some(registry) = c.registry {
        config.registry = deps.api.addr_validate(&registry)?;
        res = res.add_attribute("registry", config.registry.as_str());
    }
    if let Some(schedule) = c.schedule {
        validate_schedule(&schedule)?;
        res = res
            .add_attribute("epoch_emission", schedule.epoch_emission)
            .add_attribute("decay", schedule.decay.to_string())
            .add_attribute("decay_period_epochs", schedule.decay_period_epochs.to_string());
        config.schedule = schedule;
    }
    if let Some(share) = c.operator_share {
        validate_operator_share(share)?;
        config.operator_share = share;
        res = res.add_attribute("operator_share", share.to_string());
    }
    if let Some(max_batch) = c.max_batch {
        validate_max_batch(max_batch)?;
        config.max_batch = max_batch;
        res = res.add_attribute("max_batch", max_batch.to_string());
    }
    if let Some(window) = c.claim_window {
        validate_claim_window(window)?;
        config.claim_window = window;
        res = res.add_attribute("claim_window", window.to_string());
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(res)
}

fn execute_propose_admin(deps: DepsMut, info: MessageInfo, new_admin: String) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "propose a new admin")?;
    let new_admin = deps.api.addr_validate(&new_admin)?;
    PENDING_ADMIN.save(deps.storage, &new_admin)?;
    Ok(Response::new()
        .add_attribute("action", "propose_admin")
        .add_attribute("admin", info.sender)
        .add_attribute("pending_admin", new_admin))
}

fn execute_accept_admin(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let pending = PENDING_ADMIN
        .may_load(deps.storage)?
        .ok_or(ContractError::NoPendingAdmin {})?;
    if info.sender != pending {
        return Err(ContractError::Unauthorized {
            action: "accept the admin role".to_string(),
            allowed: "the pending admin".to_string(),
        });
    }
    let previous = ADMIN.load(deps.storage)?;
    ADMIN.save(deps.storage, &pending)?;
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new()
        .add_attribute("action", "accept_admin")
        .add_attribute("previous_admin", previous)
        .add_attribute("admin", pending))
}

fn execute_cancel_admin_proposal(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "cancel the admin handover")?;
    if !PENDING_ADMIN.exists(deps.storage) {
        return Err(ContractError::NoPendingAdmin {});
    }
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new()
        .add_attribute("action", "cancel_admin_proposal")
        .add_attribute("admin", info.sender))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?)
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

pub(crate) fn ensure_admin(deps: Deps, sender: &Addr, action: &str) -> Result<(), ContractError> {
    if *sender != ADMIN.load(deps.storage)? {
        return Err(ContractError::Unauthorized {
            action: action.to_string(),
            allowed: "the admin".to_string(),
        });
    }
    Ok(())
}

/// A bank denom: 3..=128 characters, a letter first, then letters, digits and `/:._-`.
fn validate_denom(denom: &str) -> Result<(), ContractError> {
    let invalid = || ContractError::InvalidDenom {
        denom: denom.to_string(),
    };
    let mut chars = denom.chars();
    let first = chars.next().ok_or_else(invalid)?;
    if !(3..=128).contains(&denom.len())
        || !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c))
    {
        return Err(invalid());
    }
    Ok(())
}

fn validate_schedule(schedule: &EmissionSchedule) -> Result<(), ContractError> {
    if schedule.decay >= Decimal::one() {
        return Err(ContractError::InvalidDecay { decay: schedule.decay });
    }
    if schedule.decay_period_epochs == 0 {
        return Err(ContractError::InvalidDecayPeriod {});
    }
    Ok(())
}

fn validate_operator_share(share: Decimal) -> Result<(), ContractError> {
    if share > MAX_OPERATOR_SHARE {
        return Err(ContractError::InvalidOperatorShare {
            share,
            max: MAX_OPERATOR_SHARE,
        });
    }
    Ok(())
}

fn validate_max_batch(max_batch: u32) -> Result<(), ContractError> {
    if max_batch == 0 || max_batch > MAX_BATCH_LIMIT {
        return Err(ContractError::InvalidMaxBatch {
            max_batch,
            limit: MAX_BATCH_LIMIT,
        });
    }
    Ok(())
}

fn validate_claim_window(seconds: u64) -> Result<(), ContractError> {
    if !(MIN_CLAIM_WINDOW..=MAX_CLAIM_WINDOW).contains(&seconds) {
        return Err(ContractError::InvalidClaimWindow {
            seconds,
            min: MIN_CLAIM_WINDOW,
            max: MAX_CLAIM_WINDOW,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denoms() {
        for ok in ["uemc", "ibc/ABC123", "factory/emc1x/sub", "a.b-c_d:e"] {
            assert!(validate_denom(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ue", "1uemc", "u emc", "uemc!", &"u".repeat(129)] {
            assert!(validate_denom(bad).is_err(), "{bad}");
        }
    }
}
