#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{CountResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, OwnerResponse, QueryMsg};
use crate::state::{Counter, COUNTER, OWNER};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

pub const MIN_INCREMENT: u64 = 1;
pub const MAX_INCREMENT: u64 = 1000;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;

    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    OWNER.save(deps.storage, &owner)?;
    COUNTER.save(
        deps.storage,
        &Counter {
            count: msg.start,
            last_incremented_by: None,
        },
    )?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("count", msg.start.to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Increment { by } => execute_increment(deps, info, by),
        ExecuteMsg::Reset { value } => execute_reset(deps, info, value),
        ExecuteMsg::UpdateOwner { owner } => execute_update_owner(deps, info, owner),
    }
}

fn execute_increment(deps: DepsMut, info: MessageInfo, by: u64) -> Result<Response, ContractError> {
    if !(MIN_INCREMENT..=MAX_INCREMENT).contains(&by) {
        return Err(ContractError::InvalidIncrement {
            by,
            min: MIN_INCREMENT,
            max: MAX_INCREMENT,
        });
    }
    let mut counter = COUNTER.load(deps.storage)?;
    counter.count = counter.count.checked_add(by).ok_or(ContractError::Overflow {
        count: counter.count,
        by,
    })?;
    counter.last_incremented_by = Some(info.sender.clone());
    COUNTER.save(deps.storage, &counter)?;

    Ok(Response::new()
        .add_attribute("action", "increment")
        .add_attribute("sender", info.sender)
        .add_attribute("by", by.to_string())
        .add_attribute("count", counter.count.to_string()))
}

fn execute_reset(deps: DepsMut, info: MessageInfo, value: u64) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info, "reset")?;
    COUNTER.save(
        deps.storage,
        &Counter {
            count: value,
            last_incremented_by: None,
        },
    )?;

    Ok(Response::new()
        .add_attribute("action", "reset")
        .add_attribute("sender", info.sender)
        .add_attribute("count", value.to_string()))
}

fn execute_update_owner(deps: DepsMut, info: MessageInfo, new_owner: String) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info, "update the owner")?;
    let new_owner = deps.api.addr_validate(&new_owner)?;
    OWNER.save(deps.storage, &new_owner)?;

    Ok(Response::new()
        .add_attribute("action", "update_owner")
        .add_attribute("previous_owner", info.sender)
        .add_attribute("owner", new_owner))
}

fn ensure_owner(deps: Deps, info: &MessageInfo, action: &str) -> Result<(), ContractError> {
    let owner = OWNER.load(deps.storage)?;
    if info.sender != owner {
        return Err(ContractError::Unauthorized {
            action: action.to_string(),
        });
    }
    Ok(())
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Count {} => {
            let counter = COUNTER.load(deps.storage)?;
            to_json_binary(&CountResponse {
                count: counter.count,
                last_incremented_by: counter.last_incremented_by,
            })
        }
        QueryMsg::Owner {} => to_json_binary(&OwnerResponse {
            owner: OWNER.load(deps.storage)?,
        }),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?)
}
