#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Addr, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Timestamp, Uint128};
use cw_ownable::Action;
use cw_storage_plus::Item;
use cw_utils::nonpayable;
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{
    Config, BOND_SEQ, CONFIG, DEFAULT_MIN_OPERATORS, LISTED_COUNT, MAX_CHALLENGE_WINDOW, MAX_EPOCH_LENGTH,
    MAX_OPERATORS, MAX_UNBONDING_PERIOD, MIN_EPOCH_LENGTH, TIMING_LOCKED,
};
use crate::{epoch, evidence, operators, query, reports};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The default quorum, 2/3 (0.666666666666666666; ceil(q × n) is still the exact two-thirds threshold for any
/// operator count up to the cap).
pub fn default_quorum() -> Decimal {
    Decimal::from_ratio(2u64, 3u64)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(deps: DepsMut, env: Env, info: MessageInfo, msg: InstantiateMsg) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;

    let admin = match msg.admin {
        Some(admin) => deps.api.addr_validate(&admin)?,
        None => info.sender,
    };
    let quorum = msg.quorum.unwrap_or_else(default_quorum);
    let genesis = msg.epoch_genesis.unwrap_or(env.block.time);
    validate_denom(&msg.denom)?;
    validate_min_bond(msg.min_bond)?;
    validate_duration(
        "bond_unbonding_period",
        msg.bond_unbonding_period,
        0,
        MAX_UNBONDING_PERIOD,
    )?;
    validate_duration("epoch_length", msg.epoch_length, MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH)?;
    validate_duration("challenge_window", msg.challenge_window, 0, MAX_CHALLENGE_WINDOW)?;
    validate_quorum(quorum)?;
    validate_fraction("slash_fraction", msg.slash_fraction)?;
    validate_fraction("bounty_fraction", msg.bounty_fraction)?;
    validate_genesis(genesis)?;
    let min_operators = msg.min_operators.unwrap_or(DEFAULT_MIN_OPERATORS);
    validate_min_operators(min_operators)?;

    let config = Config {
        registry: deps.api.addr_validate(&msg.registry)?,
        staking: deps.api.addr_validate(&msg.staking)?,
        rewards: msg.rewards.map(|r| deps.api.addr_validate(&r)).transpose()?,
        denom: msg.denom,
        min_bond: msg.min_bond,
        bond_unbonding_period: msg.bond_unbonding_period,
        epoch_genesis: genesis,
        epoch_length: msg.epoch_length,
        quorum,
        challenge_window: msg.challenge_window,
        slash_fraction: msg.slash_fraction,
        bounty_fraction: msg.bounty_fraction,
        min_operators,
    };
    CONFIG.save(deps.storage, &config)?;
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(admin.as_str()))?;
    LISTED_COUNT.save(deps.storage, &0)?;
    BOND_SEQ.save(deps.storage, &0)?;
    TIMING_LOCKED.save(deps.storage, &false)?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", admin)
        .add_attribute("registry", config.registry)
        .add_attribute("staking", config.staking)
        .add_attribute(
            "rewards",
            config.rewards.as_ref().map(Addr::to_string).unwrap_or_default(),
        )
        .add_attribute("denom", config.denom)
        .add_attribute("min_bond", config.min_bond)
        .add_attribute("bond_unbonding_period", config.bond_unbonding_period.to_string())
        .add_attribute("epoch_genesis", config.epoch_genesis.seconds().to_string())
        .add_attribute("epoch_length", config.epoch_length.to_string())
        .add_attribute("quorum", config.quorum.to_string())
        .add_attribute("challenge_window", config.challenge_window.to_string())
        .add_attribute("slash_fraction", config.slash_fraction.to_string())
        .add_attribute("bounty_fraction", config.bounty_fraction.to_string())
        .add_attribute("min_operators", config.min_operators.to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::AddOperator { address, pubkey } => operators::execute_add(deps, env, info, address, pubkey),
        ExecuteMsg::RemoveOperator { address } => operators::execute_remove(deps, env, info, address),
        ExecuteMsg::Bond {} => operators::execute_bond(deps, info),
        ExecuteMsg::Unbond { amount } => operators::execute_unbond(deps, env, info, amount),
        ExecuteMsg::ClaimBond {} => operators::execute_claim(deps, env, info),
        ExecuteMsg::SubmitReport {
            epoch,
            root,
            total_amount,
            device_count,
            telemetry_commitment,
            signature,
        } => reports::execute_submit_report(
            deps,
            env,
            info,
            crate::msg::ReportFields {
                epoch,
                root,
                total_amount,
                device_count,
                telemetry_commitment,
            },
            signature,
        ),
        ExecuteMsg::Veto { epoch, reason } => reports::execute_veto(deps, env, info, epoch, reason),
        ExecuteMsg::AbandonEpoch { epoch } => reports::execute_abandon(deps, env, info, epoch),
        ExecuteMsg::SubmitOperatorEvidence {
            operator,
            statement_a,
            signature_a,
            statement_b,
            signature_b,
        } => evidence::execute_operator_evidence(
            deps,
            env,
            info,
            operator,
            (statement_a, signature_a),
            (statement_b, signature_b),
        ),
        ExecuteMsg::SubmitDeviceEvidence {
            report_a,
            signature_a,
            report_b,
            signature_b,
        } => evidence::execute_device_evidence(deps, env, info, (report_a, signature_a), (report_b, signature_b)),
        ExecuteMsg::UpdateConfig {
            registry,
            staking,
            rewards,
            min_bond,
            bond_unbonding_period,
            epoch_genesis,
            epoch_length,
            quorum,
            challenge_window,
            slash_fraction,
            bounty_fraction,
            min_operators,
        } => execute_update_config(
            deps,
            info,
            ConfigChanges {
                registry,
                staking,
                rewards,
                min_bond,
                bond_unbonding_period,
                epoch_genesis,
                epoch_length,
                quorum,
                challenge_window,
                slash_fraction,
                bounty_fraction,
                min_operators,
            },
        ),
        ExecuteMsg::UpdateOwnership(action) => execute_update_ownership(deps, env, info, action),
    }
}

struct ConfigChanges {
    registry: Option<String>,
    staking: Option<String>,
    rewards: Option<String>,
    min_bond: Option<Uint128>,
    bond_unbonding_period: Option<u64>,
    epoch_genesis: Option<Timestamp>,
    epoch_length: Option<u64>,
    quorum: Option<Decimal>,
    challenge_window: Option<u64>,
    slash_fraction: Option<Decimal>,
    bounty_fraction: Option<Decimal>,
    min_operators: Option<u32>,
}

fn execute_update_config(deps: DepsMut, info: MessageInfo, c: ConfigChanges) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "update the config")?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "update_config");

    if (c.epoch_genesis.is_some() || c.epoch_length.is_some()) && TIMING_LOCKED.load(deps.storage)? {
        return Err(ContractError::EpochTimingLocked {});
    }
    if let Some(registry) = c.registry {
        config.registry = deps.api.addr_validate(&registry)?;
        res = res.add_attribute("registry", registry);
    }
    if let Some(staking) = c.staking {
        config.staking = deps.api.addr_validate(&staking)?;
        res = res.add_attribute("staking", staking);
    }
    if let Some(rewards) = c.rewards {
        config.rewards = Some(deps.api.addr_validate(&rewards)?);
        res = res.add_attribute("rewards", rewards);
    }
    if let Some(min) = c.min_bond {
        validate_min_bond(min)?;
        config.min_bond = min;
        res = res.add_attribute("min_bond", min);
    }
    if let Some(period) = c.bond_unbonding_period {
        validate_duration("bond_unbonding_period", period, 0, MAX_UNBONDING_PERIOD)?;
        config.bond_unbonding_period = period;
        res = res.add_attribute("bond_unbonding_period", period.to_string());
    }
    if let Some(genesis) = c.epoch_genesis {
        validate_genesis(genesis)?;
        config.epoch_genesis = genesis;
        res = res.add_attribute("epoch_genesis", genesis.seconds().to_string());
    }
    if let Some(length) = c.epoch_length {
        validate_duration("epoch_length", length, MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH)?;
        config.epoch_length = length;
        res = res.add_attribute("epoch_length", length.to_string());
    }
    if let Some(quorum) = c.quorum {
        validate_quorum(quorum)?;
        config.quorum = quorum;
        res = res.add_attribute("quorum", quorum.to_string());
    }
    if let Some(window) = c.challenge_window {
        validate_duration("challenge_window", window, 0, MAX_CHALLENGE_WINDOW)?;
        config.challenge_window = window;
        res = res.add_attribute("challenge_window", window.to_string());
    }
    if let Some(fraction) = c.slash_fraction {
        validate_fraction("slash_fraction", fraction)?;
        config.slash_fraction = fraction;
        res = res.add_attribute("slash_fraction", fraction.to_string());
    }
    if let Some(fraction) = c.bounty_fraction {
        validate_fraction("bounty_fraction", fraction)?;
        config.bounty_fraction = fraction;
        res = res.add_attribute("bounty_fraction", fraction.to_string());
    }
    if let Some(min) = c.min_operators {
        validate_min_operators(min)?;
        config.min_operators = min;
        res = res.add_attribute("min_operators", min.to_string());
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

fn validate_min_bond(min: Uint128) -> Result<(), ContractError> {
    if min.is_zero() {
        return Err(ContractError::InvalidMinBond {});
    }
    Ok(())
}

fn validate_duration(name: &str, seconds: u64, min: u64, max: u64) -> Result<(), ContractError> {
    if seconds < min || seconds > max {
        return Err(ContractError::InvalidDuration {
            name: name.to_string(),
            seconds,
            min,
            max,
        });
    }
    Ok(())
}

fn validate_quorum(quorum: Decimal) -> Result<(), ContractError> {
    if quorum <= Decimal::percent(50) || quorum > Decimal::one() {
        return Err(ContractError::InvalidQuorum { value: quorum });
    }
    Ok(())
}

fn validate_min_operators(value: u32) -> Result<(), ContractError> {
    if value == 0 || value > MAX_OPERATORS {
        return Err(ContractError::InvalidMinOperators {
            value,
            max: MAX_OPERATORS,
        });
    }
    Ok(())
}

fn validate_fraction(name: &str, value: Decimal) -> Result<(), ContractError> {
    if value > Decimal::one() {
        return Err(ContractError::InvalidFraction {
            name: name.to_string(),
            value,
        });
    }
    Ok(())
}

/// The genesis must leave room for epochs: anything up to the year ~2500 (epoch math is checked anyway).
fn validate_genesis(genesis: Timestamp) -> Result<(), ContractError> {
    const MAX_GENESIS_SECONDS: u64 = 16_725_225_600; // 2500-01-01
    if genesis.seconds() > MAX_GENESIS_SECONDS || epoch::add_seconds(genesis, 0).is_err() {
        return Err(ContractError::InvalidGenesis { genesis });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_quorum_thresholds() {
        // ceil(2/3 × n) for every operator count up to the cap equals the exact two-thirds threshold.
        for n in 1u128..=50 {
            let threshold = Uint128::new(n).checked_mul_ceil(default_quorum()).unwrap().u128();
            assert_eq!(threshold, (2 * n).div_ceil(3), "n = {n}");
        }
    }

    #[test]
    fn quorum_bounds() {
        assert!(validate_quorum(Decimal::percent(50)).is_err());
        assert!(validate_quorum(Decimal::percent(101)).is_err());
        assert!(validate_quorum(Decimal::percent(51)).is_ok());
        assert!(validate_quorum(Decimal::one()).is_ok());
        assert!(validate_quorum(default_quorum()).is_ok());
    }

    #[test]
    fn denoms() {
        for ok in ["uemc", "ibc/ABC123", "factory/emc1x/sub"] {
            assert!(validate_denom(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ue", "1uemc", "u emc"] {
            assert!(validate_denom(bad).is_err(), "{bad}");
        }
    }
}
