#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Addr, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Order, Response, StdResult, Uint128};
use cw_ownable::Action;
use cw_utils::nonpayable;
use edgemint_types::migrate::ensure_upgrade;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, LockTier, MigrateMsg, QueryMsg};
use crate::stake::SlashRequest;
use crate::state::{
    Config, LockTotals, CONFIG, LOCK_SEQ, MAX_LOCKERS, MAX_LOCK_DURATION, MAX_MULTIPLIER, MAX_SLASHERS, MAX_TIERS,
    MAX_UNBONDING_PERIOD, TIERS, TOTAL_LOCKED, TOTAL_POWER, TOTAL_STAKED, TOTAL_UNBONDING, UNBONDING_SEQ,
};
use crate::{lock, query, stake};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

const DAY: u64 = 24 * 3600;

/// 3, 6, 12 and 24 months (90, 180, 365, 730 days) → 1.25, 1.5, 2.0, 3.0.
pub fn default_tiers() -> Vec<LockTier> {
    vec![
        LockTier {
            id: 1,
            duration: 90 * DAY,
            multiplier: Decimal::percent(125),
        },
        LockTier {
            id: 2,
            duration: 180 * DAY,
            multiplier: Decimal::percent(150),
        },
        LockTier {
            id: 3,
            duration: 365 * DAY,
            multiplier: Decimal::percent(200),
        },
        LockTier {
            id: 4,
            duration: 730 * DAY,
            multiplier: Decimal::percent(300),
        },
    ]
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(deps: DepsMut, env: Env, info: MessageInfo, msg: InstantiateMsg) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;

    let admin = match msg.admin {
        Some(admin) => deps.api.addr_validate(&admin)?,
        None => info.sender,
    };
    validate_denom(&msg.denom)?;
    validate_min_stake(msg.min_stake_per_device)?;
    validate_unbonding_period(msg.unbonding_period)?;
    validate_fraction("slash_fraction", msg.slash_fraction)?;
    validate_fraction("bounty_fraction", msg.bounty_fraction)?;
    let config = Config {
        denom: msg.denom,
        registry: deps.api.addr_validate(&msg.registry)?,
        rewards_pool: validate_rewards_pool(deps.as_ref(), &env, &msg.rewards_pool)?,
        min_stake_per_device: msg.min_stake_per_device,
        unbonding_period: msg.unbonding_period,
        slash_fraction: msg.slash_fraction,
        bounty_fraction: msg.bounty_fraction,
        slashers: validate_addr_list(deps.as_ref(), "slashers", &msg.slashers, MAX_SLASHERS)?,
        lockers: validate_addr_list(deps.as_ref(), "lockers", &msg.lockers, MAX_LOCKERS)?,
    };
    CONFIG.save(deps.storage, &config)?;
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(admin.as_str()))?;

    let tiers = msg.tiers.unwrap_or_else(default_tiers);
    if tiers.len() > MAX_TIERS as usize {
        return Err(ContractError::TooManyTiers { max: MAX_TIERS });
    }
    for tier in &tiers {
        validate_tier(tier)?;
        TIERS.save(deps.storage, tier.id, tier)?;
    }
    ensure_tier_count(deps.as_ref())?;

    TOTAL_STAKED.save(deps.storage, &Uint128::zero())?;
    TOTAL_UNBONDING.save(deps.storage, &Uint128::zero())?;
    TOTAL_LOCKED.save(deps.storage, &LockTotals::default())?;
    TOTAL_POWER.save(deps.storage, &Uint128::zero(), env.block.height)?;
    UNBONDING_SEQ.save(deps.storage, &0)?;
    LOCK_SEQ.save(deps.storage, &0)?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", admin)
        .add_attribute("denom", config.denom)
        .add_attribute("registry", config.registry)
        .add_attribute("rewards_pool", config.rewards_pool)
        .add_attribute("min_stake_per_device", config.min_stake_per_device)
        .add_attribute("unbonding_period", config.unbonding_period.to_string())
        .add_attribute("slash_fraction", config.slash_fraction.to_string())
        .add_attribute("bounty_fraction", config.bounty_fraction.to_string())
        .add_attribute("tiers", tiers.len().to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Stake { device_id } => stake::execute_stake(deps, env, info, device_id),
        ExecuteMsg::Unstake { device_id, amount } => stake::execute_unstake(deps, env, info, device_id, amount),
        ExecuteMsg::Claim {} => stake::execute_claim(deps, env, info),
        ExecuteMsg::Slash {
            device_id,
            reporter,
            reason,
            ban,
            offence_time,
        } => stake::execute_slash(
            deps,
            env,
            info,
            SlashRequest {
                device_id,
                reporter,
                reason,
                ban,
                offence_time,
            },
        ),
        ExecuteMsg::OwnerChanged {
            device_id,
            previous_owner,
            new_owner,
        } => stake::execute_owner_changed(deps, env, info, device_id, previous_owner, new_owner),
        ExecuteMsg::Lock { tier_id, beneficiary } => lock::execute_lock(deps, env, info, tier_id, beneficiary),
        ExecuteMsg::Unlock { lock_id } => lock::execute_unlock(deps, env, info, lock_id),
        ExecuteMsg::RefreshPower { address } => lock::execute_refresh_power(deps, env, info, address),
        ExecuteMsg::UpdateConfig {
            min_stake_per_device,
            unbonding_period,
            slash_fraction,
            bounty_fraction,
            rewards_pool,
            registry,
            slashers,
            lockers,
            upsert_tiers,
            remove_tiers,
        } => execute_update_config(
            deps,
            env,
            info,
            ConfigChanges {
                min_stake_per_device,
                unbonding_period,
                slash_fraction,
                bounty_fraction,
                rewards_pool,
                registry,
                slashers,
                lockers,
                upsert_tiers,
                remove_tiers,
            },
        ),
        ExecuteMsg::UpdateOwnership(action) => execute_update_ownership(deps, env, info, action),
    }
}

struct ConfigChanges {
    min_stake_per_device: Option<Uint128>,
    unbonding_period: Option<u64>,
    slash_fraction: Option<Decimal>,
    bounty_fraction: Option<Decimal>,
    rewards_pool: Option<String>,
    registry: Option<String>,
    slashers: Option<Vec<String>>,
    lockers: Option<Vec<String>>,
    upsert_tiers: Option<Vec<LockTier>>,
    remove_tiers: Option<Vec<u64>>,
}

fn execute_update_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    c: ConfigChanges,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "update the config")?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "update_config");

    if let Some(min) = c.min_stake_per_device {
        validate_min_stake(min)?;
        config.min_stake_per_device = min;
        res = res.add_attribute("min_stake_per_device", min);
    }
    if let Some(period) = c.unbonding_period {
        validate_unbonding_period(period)?;
        config.unbonding_period = period;
        res = res.add_attribute("unbonding_period", period.to_string());
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
    if let Some(pool) = c.rewards_pool {
        config.rewards_pool = validate_rewards_pool(deps.as_ref(), &env, &pool)?;
        res = res.add_attribute("rewards_pool", pool);
    }
    if let Some(registry) = c.registry {
        config.registry = deps.api.addr_validate(&registry)?;
        res = res.add_attribute("registry", registry);
    }
    if let Some(slashers) = c.slashers {
        config.slashers = validate_addr_list(deps.as_ref(), "slashers", &slashers, MAX_SLASHERS)?;
        res = res.add_attribute("slashers", join(&config.slashers));
    }
    if let Some(lockers) = c.lockers {
        config.lockers = validate_addr_list(deps.as_ref(), "lockers", &lockers, MAX_LOCKERS)?;
        res = res.add_attribute("lockers", join(&config.lockers));
    }
    if let Some(ids) = c.remove_tiers {
        if ids.len() > MAX_TIERS as usize {
            return Err(ContractError::TooManyTiers { max: MAX_TIERS });
        }
        for id in &ids {
            if !TIERS.has(deps.storage, *id) {
                return Err(ContractError::UnknownTier { tier_id: *id });
            }
            TIERS.remove(deps.storage, *id);
        }
        res = res.add_attribute("removed_tiers", join(&ids));
    }
    if let Some(tiers) = c.upsert_tiers {
        if tiers.len() > MAX_TIERS as usize {
            return Err(ContractError::TooManyTiers { max: MAX_TIERS });
        }
        for tier in &tiers {
            validate_tier(tier)?;
            TIERS.save(deps.storage, tier.id, tier)?;
        }
        res = res.add_attribute("upserted_tiers", join(&tiers.iter().map(|t| t.id).collect::<Vec<_>>()));
    }
    ensure_tier_count(deps.as_ref())?;
    CONFIG.save(deps.storage, &config)?;
    Ok(res)
}

/// cw-ownable two-step handover, as in the registry (and every Edgemint contract): `transfer_ownership` by the
/// admin, `accept_ownership` by the new admin (before the optional expiry). Renouncing is refused: the contract
/// always needs an admin to slash, tune parameters and migrate.
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
    // State written before the security fixes (own `admin` item, unbonding indexes by id, up to 4 positions per
    // device) is not converted in place: refuse rather than strand entries the new indexes would not see.
    if deps.storage.get(LEGACY_ADMIN_KEY).is_some() {
        return Err(ContractError::LegacyState {});
    }
    Ok(ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?)
}

/// Storage key of the admin item of the pre-fix layout (replaced by cw-ownable's `ownership`).
const LEGACY_ADMIN_KEY: &[u8] = b"admin";

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

fn join<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
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

/// The rewards pool receives slashed funds: the staking contract itself would strand them (they would be counted
/// nowhere).
fn validate_rewards_pool(deps: Deps, env: &Env, pool: &str) -> Result<Addr, ContractError> {
    let pool = deps.api.addr_validate(pool)?;
    if pool == env.contract.address {
        return Err(ContractError::SelfAddress {
            field: "rewards_pool".to_string(),
        });
    }
    Ok(pool)
}

fn validate_min_stake(min: Uint128) -> Result<(), ContractError> {
    if min.is_zero() {
        return Err(ContractError::InvalidMinStake {});
    }
    Ok(())
}

fn validate_unbonding_period(seconds: u64) -> Result<(), ContractError> {
    if seconds > MAX_UNBONDING_PERIOD {
        return Err(ContractError::InvalidUnbondingPeriod {
            seconds,
            max: MAX_UNBONDING_PERIOD,
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

fn validate_tier(tier: &LockTier) -> Result<(), ContractError> {
    let invalid = |reason: String| ContractError::InvalidTier {
        tier_id: tier.id,
        reason,
    };
    if tier.duration == 0 || tier.duration > MAX_LOCK_DURATION {
        return Err(invalid(format!("duration must be 1 to {MAX_LOCK_DURATION} seconds")));
    }
    if tier.multiplier < Decimal::one() || tier.multiplier > Decimal::from_ratio(MAX_MULTIPLIER, 1u64) {
        return Err(invalid(format!("multiplier must be between 1 and {MAX_MULTIPLIER}")));
    }
    Ok(())
}

fn ensure_tier_count(deps: Deps) -> Result<(), ContractError> {
    let count = TIERS
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_TIERS as usize + 1)
        .count();
    if count > MAX_TIERS as usize {
        return Err(ContractError::TooManyTiers { max: MAX_TIERS });
    }
    Ok(())
}

/// Validates, de-duplicates (keeping the first occurrence) and bounds a list of addresses.
fn validate_addr_list(deps: Deps, name: &str, list: &[String], max: u32) -> Result<Vec<Addr>, ContractError> {
    if list.len() > max as usize {
        return Err(ContractError::TooManyAddresses {
            name: name.to_string(),
            max,
        });
    }
    let mut out: Vec<Addr> = Vec::with_capacity(list.len());
    for a in list {
        let addr = deps.api.addr_validate(a)?;
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    Ok(out)
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

    #[test]
    fn default_tiers_are_valid() {
        for t in default_tiers() {
            validate_tier(&t).unwrap();
        }
    }
}
