use cosmwasm_schema::cw_serde;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Binary, Coin, CosmosMsg, Decimal, Deps, DepsMut, Empty, Env, MessageInfo, Order,
    Reply, Response, StdResult, SubMsg, SubMsgResult, Uint128, WasmMsg,
};
use cw_utils::{must_pay, nonpayable};
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{ConfigMsg, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, VetoConfig};
use crate::proposal;
use crate::query;
use crate::state::{Config, CONFIG, DEPOSITS_HELD, EXCLUDED, MAX_EXCLUDED, MAX_PERIOD, PROPOSAL_SEQ};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(deps: DepsMut, env: Env, info: MessageInfo, msg: InstantiateMsg) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    if !edgemint_types::validate::denom(&msg.denom) {
        return Err(ContractError::InvalidConfig {
            field: "denom".to_string(),
            reason: format!("{:?} is not a bank denom", msg.denom),
        });
    }
    let config = validate_config(deps.as_ref(), &env, msg.config, msg.denom)?;
    CONFIG.save(deps.storage, &config)?;
    if msg.excluded.len() > MAX_EXCLUDED as usize {
        return Err(ContractError::TooManyExcluded { max: MAX_EXCLUDED });
    }
    for address in &msg.excluded {
        let addr = deps.api.addr_validate(address)?;
        if EXCLUDED.has(deps.storage, &addr) {
            return Err(ContractError::AlreadyExcluded {
                address: addr.into_string(),
            });
        }
        EXCLUDED.save(deps.storage, &addr, &Empty {})?;
    }
    PROPOSAL_SEQ.save(deps.storage, &0)?;
    DEPOSITS_HELD.save(deps.storage, &Uint128::zero())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("staking", &config.staking)
        .add_attribute("denom", &config.denom)
        .add_attribute("voting_period", config.voting_period.to_string())
        .add_attribute("excluded", msg.excluded.len().to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Propose {
            title,
            description,
            msgs,
        } => proposal::execute_propose(deps, env, info, title, description, msgs),
        ExecuteMsg::Vote { proposal_id, vote } => proposal::execute_vote(deps, env, info, proposal_id, vote),
        ExecuteMsg::Execute { proposal_id } => proposal::execute_execute(deps, env, info, proposal_id),
        ExecuteMsg::Veto { proposal_id } => proposal::execute_veto(deps, env, info, proposal_id),
        ExecuteMsg::Close { proposal_id } => proposal::execute_close(deps, env, info, proposal_id),
        ExecuteMsg::ExecuteProposalMessages { proposal_id } => {
            proposal::execute_proposal_messages(deps, env, info, proposal_id)
        }
        ExecuteMsg::CheckDepositReserve {} => execute_check_deposit_reserve(deps.as_ref(), env, info),
        ExecuteMsg::AcceptOwnership { contract } => execute_accept_ownership(deps, env, info, contract),
        ExecuteMsg::UpdateConfig { config } => execute_update_config(deps, env, info, config),
        ExecuteMsg::UpdateExclusions { add, remove } => execute_update_exclusions(deps, env, info, add, remove),
    }
}

/// The other contracts' cw-ownable handover message (`{"update_ownership":"accept_ownership"}`).
#[cw_serde]
enum OwnableExecute {
    UpdateOwnership(cw_ownable::Action),
}

/// Permissionless: the message only succeeds if the DAO is the contract's pending owner, so anyone may trigger the
/// DAO's acceptance (the deployer right after `transfer_ownership`, typically).
fn execute_accept_ownership(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    contract: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let contract = deps.api.addr_validate(&contract)?;
    if contract == env.contract.address {
        return Err(ContractError::InvalidConfig {
            field: "contract".to_string(),
            reason: "the DAO does not own itself through cw-ownable".to_string(),
        });
    }
    let msg = WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(&OwnableExecute::UpdateOwnership(cw_ownable::Action::AcceptOwnership))?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_message(msg)
        .add_attribute("action", "accept_ownership")
        .add_attribute("contract", contract)
        .add_attribute("sender", info.sender))
}

fn execute_update_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ConfigMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_self(&env, &info, "update the config")?;
    let denom = CONFIG.load(deps.storage)?.denom;
    let config = validate_config(deps.as_ref(), &env, msg, denom)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("staking", &config.staking)
        .add_attribute("voting_period", config.voting_period.to_string())
        .add_attribute("allow_revote", config.allow_revote.to_string()))
}

fn execute_update_exclusions(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_self(&env, &info, "change the exclusion list")?;
    if add.len() > MAX_EXCLUDED as usize || remove.len() > MAX_EXCLUDED as usize {
        return Err(ContractError::TooManyExcluded { max: MAX_EXCLUDED });
    }
    for address in &remove {
        let addr = deps.api.addr_validate(address)?;
        if !EXCLUDED.has(deps.storage, &addr) {
            return Err(ContractError::NotExcluded {
                address: addr.into_string(),
            });
        }
        EXCLUDED.remove(deps.storage, &addr);
    }
    for address in &add {
        let addr = deps.api.addr_validate(address)?;
        if EXCLUDED.has(deps.storage, &addr) {
            return Err(ContractError::AlreadyExcluded {
                address: addr.into_string(),
            });
        }
        EXCLUDED.save(deps.storage, &addr, &Empty {})?;
    }
    let count = EXCLUDED
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_EXCLUDED as usize + 1)
        .count();
    if count > MAX_EXCLUDED as usize {
        return Err(ContractError::TooManyExcluded { max: MAX_EXCLUDED });
    }
    Ok(Response::new()
        .add_attribute("action", "update_exclusions")
        .add_attribute("added", add.join(","))
        .add_attribute("removed", remove.join(","))
        .add_attribute("count", count.to_string()))
}

/// Runs after a proposal's messages, inside the same (atomic) execution: a proposal may not spend the deposits
/// the treasury holds for other proposals.
fn execute_check_deposit_reserve(deps: Deps, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    ensure_self(&env, &info, "check the deposit reserve")?;
    let config = CONFIG.load(deps.storage)?;
    let held = DEPOSITS_HELD.load(deps.storage)?;
    let balance = deps.querier.query_balance(&env.contract.address, &config.denom)?.amount;
    if balance < held {
        return Err(ContractError::DepositsSpent {
            balance,
            held,
            denom: config.denom,
        });
    }
    Ok(Response::new().add_attribute("action", "check_deposit_reserve"))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    // Only proposal executions are sent with a reply (on error), with the proposal id as the reply id.
    match msg.result {
        SubMsgResult::Err(error) => proposal::execution_failed(deps, env, msg.id, error),
        SubMsgResult::Ok(_) => Ok(Response::new()),
    }
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

/// Config changes and the internal steps of an execution come from the DAO itself (a proposal's message).
pub(crate) fn ensure_self(env: &Env, info: &MessageInfo, action: &str) -> Result<(), ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::Unauthorized {
            action: action.to_string(),
            allowed: "the DAO itself (through a proposal)".to_string(),
        });
    }
    Ok(())
}

fn invalid(field: &str, reason: impl Into<String>) -> ContractError {
    ContractError::InvalidConfig {
        field: field.to_string(),
        reason: reason.into(),
    }
}

pub(crate) fn validate_config(deps: Deps, env: &Env, msg: ConfigMsg, denom: String) -> Result<Config, ContractError> {
    let staking = deps.api.addr_validate(&msg.staking)?;
    if staking == env.contract.address {
        return Err(invalid("staking", "the DAO is not a staking contract"));
    }
    // cw-utils' own validation; an absolute count is only checked for > 0 (the total power changes all the time).
    msg.threshold.validate(u64::MAX)?;
    if msg.voting_period == 0 || msg.voting_period > MAX_PERIOD {
        return Err(invalid("voting_period", format!("must be 1 to {MAX_PERIOD} seconds")));
    }
    if msg.min_proposer_power.is_zero() {
        return Err(invalid(
            "min_proposer_power",
            "must be at least 1: addresses without voting power cannot propose",
        ));
    }
    if let Some(d) = &msg.deposit {
        if d.amount.is_zero() {
            return Err(invalid("deposit", "amount must be > 0 (use null for no deposit)"));
        }
    }
    let veto = match msg.veto {
        None => None,
        Some(v) => {
            let vetoer = deps.api.addr_validate(&v.vetoer)?;
            if vetoer == env.contract.address {
                return Err(invalid("veto.vetoer", "the DAO cannot be its own vetoer"));
            }
            if v.timelock == 0 || v.timelock > MAX_PERIOD {
                return Err(invalid("veto.timelock", format!("must be 1 to {MAX_PERIOD} seconds")));
            }
            Some(VetoConfig {
                vetoer: vetoer.into_string(),
                ..v
            })
        }
    };
    if let Some(vt) = msg.veto_threshold {
        if vt.is_zero() || vt > Decimal::one() {
            return Err(ContractError::InvalidVetoThreshold { value: vt });
        }
    }
    Ok(Config {
        staking,
        denom,
        threshold: msg.threshold,
        voting_period: msg.voting_period,
        min_proposer_power: msg.min_proposer_power,
        deposit: msg.deposit,
        allow_revote: msg.allow_revote,
        veto,
        veto_threshold: msg.veto_threshold,
    })
}

/// The attached deposit: exactly the configured amount of `denom`, or no funds when no deposit is configured.
pub(crate) fn take_deposit(config: &Config, info: &MessageInfo) -> Result<Option<Coin>, ContractError> {
    match &config.deposit {
        None => {
            nonpayable(info)?;
            Ok(None)
        }
        Some(d) => {
            let wrong = || ContractError::WrongDeposit {
                expected: Coin::new(d.amount, &config.denom).to_string(),
            };
            let paid = must_pay(info, &config.denom).map_err(|_| wrong())?;
            if paid != d.amount {
                return Err(wrong());
            }
            Ok(Some(Coin::new(d.amount, &config.denom)))
        }
    }
}

pub(crate) fn refund(to: &Addr, coin: Coin) -> CosmosMsg {
    BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![coin],
    }
    .into()
}

/// A reply-on-error submessage that makes the DAO dispatch `proposal_id`'s messages as one atomic step.
pub(crate) fn dispatch_submsg(env: &Env, proposal_id: u64) -> StdResult<SubMsg> {
    let msg = WasmMsg::Execute {
        contract_addr: env.contract.address.to_string(),
        msg: to_json_binary(&ExecuteMsg::ExecuteProposalMessages { proposal_id })?,
        funds: vec![],
    };
    Ok(SubMsg::reply_on_error(msg, proposal_id))
}
