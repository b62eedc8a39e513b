#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Addr, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw_ownable::Action;
use cw_storage_plus::Item;
use cw_utils::{may_pay, nonpayable};
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{EmissionSchedule, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{
    Config, Pool, CONFIG, DEFAULT_CLAIM_WINDOW, MAX_BATCH_LIMIT, MAX_CLAIM_WINDOW, MAX_OPERATOR_SHARE,
    MIN_CLAIM_WINDOW, POOL,
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
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(admin.as_str()))?;
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
        ExecuteMsg::UpdateOwnership(action) => execute_update_ownership(deps, env, info, action),
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

/// cw-ownable two-step handover, as in the registry and staking (and every Edgemint contract): `transfer_ownership`
/// by the admin, `accept_ownership` by the new admin (before the optional expiry). Renouncing is refused: the
/// contract always needs an admin.
fn execute_update_ownership(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    action: Action,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if action == Action::RenounceOwnership {
        return Err(ContractError::RenounceNotAllowed {});
    }
    let ownership = cw_ownable::update_ownership(deps, &env.block, &info.sender, action)?;
    Ok(Response::new()
        .add_attribute("action", "update_ownership")
        .add_attribute("sender", info.sender)
        .add_attributes(ownership.into_attributes()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let mut res = ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // Code from before cw-ownable kept its own `admin` / `pending_admin` items: move the admin into cw-ownable's
    // `ownership` (a pending proposal is dropped; the admin proposes again with `transfer_ownership`).
    if let Some(admin) = LEGACY_ADMIN.may_load(deps.storage)? {
        cw_ownable::initialize_owner(deps.storage, deps.api, Some(admin.as_str()))?;
        LEGACY_ADMIN.remove(deps.storage);
        LEGACY_PENDING_ADMIN.remove(deps.storage);
        res = res.add_attribute("migrated_admin", admin);
    }
    Ok(res)
}

/// The admin items of the layout before cw-ownable (converted by `migrate`).
const LEGACY_ADMIN: Item<Addr> = Item::new("admin");
const LEGACY_PENDING_ADMIN: Item<Addr> = Item::new("pending_admin");

// ---------------------------------------------------------------------------------------------------------------
// helpers

pub(crate) fn ensure_admin(deps: Deps, sender: &Addr, action: &str) -> Result<(), ContractError> {
    if !cw_ownable::is_owner(deps.storage, sender)? {
        return Err(ContractError::Unauthorized {
            action: action.to_string(),
            allowed: "the admin".to_string(),
        });
    }
    Ok(())
}

/// A bank denom (`edgemint_types::validate::denom`: 3..=128 characters, a letter first, then letters, digits and
/// `/:._-`).
fn validate_denom(denom: &str) -> Result<(), ContractError> {
    if !edgemint_types::validate::denom(denom) {
        return Err(ContractError::InvalidDenom {
            denom: denom.to_string(),
        });
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
