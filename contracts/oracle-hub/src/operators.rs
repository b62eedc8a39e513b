//! The operator set: AddOperator / RemoveOperator (admin), Bond / Unbond / ClaimBond (operators), and the bond
//! slash used by operator equivocation evidence.

use cosmwasm_std::{
    coins, Addr, BankMsg, Binary, Decimal, Deps, DepsMut, Empty, Env, Event, MessageInfo, Order, Response, Storage,
    Timestamp, Uint128,
};
use cw_utils::{must_pay, nonpayable};
use edgemint_types::registry::SECP256K1_PUBKEY_LEN;

use crate::contract::ensure_admin;
use crate::epoch::add_seconds;
use crate::error::ContractError;
use crate::state::{
    BondEntry, Config, Operator, BOND_ENTRIES, BOND_SEQ, CONFIG, LISTED, LISTED_COUNT, MAX_OPERATORS,
    MAX_UNBONDING_ENTRIES, OPERATORS, PUBKEYS,
};

pub fn execute_add(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    address: String,
    pubkey: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "add operators")?;
    let address = deps.api.addr_validate(&address)?;
    validate_pubkey(&pubkey)?;
    if let Some(owner) = PUBKEYS.may_load(deps.storage, pubkey.as_slice())? {
        if owner != address {
            return Err(ContractError::PubkeyInUse {
                operator: owner.into_string(),
            });
        }
    }
    let existing = OPERATORS.may_load(deps.storage, &address)?;
    if existing.as_ref().is_some_and(|op| op.listed) {
        return Err(ContractError::OperatorAlreadyListed {
            address: address.into_string(),
        });
    }
    let count = LISTED_COUNT.load(deps.storage)?;
    if count >= MAX_OPERATORS {
        return Err(ContractError::TooManyOperators { max: MAX_OPERATORS });
    }
    // A removed operator comes back with its remaining bond and the (possibly new) key.
    let bonded = existing.map(|op| op.bonded).unwrap_or_default();
    let operator = Operator {
        pubkey: pubkey.clone(),
        listed: true,
        bonded,
        added_at: env.block.time,
        removed_at: None,
    };
    OPERATORS.save(deps.storage, &address, &operator)?;
    LISTED.save(deps.storage, &address, &Empty {})?;
    LISTED_COUNT.save(deps.storage, &(count + 1))?;
    PUBKEYS.save(deps.storage, pubkey.as_slice(), &address)?;

    Ok(Response::new()
        .add_attribute("action", "add_operator")
        .add_attribute("operator", address)
        .add_attribute("pubkey", pubkey.to_base64())
        .add_attribute("bonded", bonded)
        .add_attribute("listed_operators", (count + 1).to_string()))
}

pub fn execute_remove(deps: DepsMut, env: Env, info: MessageInfo, address: String) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "remove operators")?;
    let address = deps.api.addr_validate(&address)?;
    let mut operator = load_listed(deps.storage, &address)?;
    delist(deps.storage, &address, &mut operator, env.block.time)?;
    Ok(Response::new()
        .add_attribute("action", "remove_operator")
        .add_attribute("operator", address)
        .add_attribute("bonded", operator.bonded)
        .add_attribute("listed_operators", LISTED_COUNT.load(deps.storage)?.to_string()))
}

pub fn execute_bond(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = must_pay(&info, &config.denom)?;
    let mut operator = load_listed(deps.storage, &info.sender)?;
    operator.bonded = operator.bonded.checked_add(amount)?;
    OPERATORS.save(deps.storage, &info.sender, &operator)?;
    Ok(Response::new()
        .add_attribute("action", "bond")
        .add_attribute("operator", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("bonded", operator.bonded)
        .add_attribute("active", (operator.bonded >= config.min_bond).to_string()))
}

pub fn execute_unbond(deps: DepsMut, env: Env, info: MessageInfo, amount: Uint128) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let config = CONFIG.load(deps.storage)?;
    let mut operator = load_operator(deps.storage, &info.sender)?;
    if amount > operator.bonded {
        return Err(ContractError::InsufficientBonded {
            bonded: operator.bonded,
            requested: amount,
        });
    }
    let entries = BOND_ENTRIES
        .prefix(&info.sender)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .count();
    if entries >= MAX_UNBONDING_ENTRIES as usize {
        return Err(ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES,
        });
    }
    operator.bonded = operator.bonded.checked_sub(amount)?;
    OPERATORS.save(deps.storage, &info.sender, &operator)?;
    let id = BOND_SEQ.load(deps.storage)? + 1;
    BOND_SEQ.save(deps.storage, &id)?;
    let release_at = add_seconds(env.block.time, config.bond_unbonding_period)?;
    BOND_ENTRIES.save(deps.storage, (&info.sender, id), &BondEntry { amount, release_at })?;

    Ok(Response::new()
        .add_attribute("action", "unbond")
        .add_attribute("operator", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("bonded", operator.bonded)
        .add_attribute("unbonding_id", id.to_string())
        .add_attribute("release_at", release_at.seconds().to_string())
        .add_attribute(
            "active",
            (operator.listed && operator.bonded >= config.min_bond).to_string(),
        ))
}

pub fn execute_claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let entries = load_entries(deps.as_ref(), &info.sender)?;
    let mut total = Uint128::zero();
    let mut ids = vec![];
    for (id, entry) in entries {
        if entry.release_at <= env.block.time {
            total = total.checked_add(entry.amount)?;
            ids.push(id.to_string());
            BOND_ENTRIES.remove(deps.storage, (&info.sender, id));
        }
    }
    if total.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(total.u128(), &config.denom),
        })
        .add_attribute("action", "claim_bond")
        .add_attribute("operator", info.sender)
        .add_attribute("amount", total)
        .add_attribute("unbonding_ids", ids.join(",")))
}

// ---------------------------------------------------------------------------------------------------------------
// helpers shared with reports and evidence

pub fn validate_pubkey(pubkey: &Binary) -> Result<(), ContractError> {
    if pubkey.len() != SECP256K1_PUBKEY_LEN {
        return Err(ContractError::InvalidPubkey {
            reason: format!(
                "{} bytes, expected a {SECP256K1_PUBKEY_LEN}-byte compressed secp256k1 key",
                pubkey.len()
            ),
        });
    }
    if !matches!(pubkey[0], 0x02 | 0x03) {
        return Err(ContractError::InvalidPubkey {
            reason: "a compressed secp256k1 key starts with 0x02 or 0x03".to_string(),
        });
    }
    Ok(())
}

pub fn load_operator(storage: &dyn Storage, address: &Addr) -> Result<Operator, ContractError> {
    OPERATORS
        .may_load(storage, address)?
        .ok_or_else(|| ContractError::UnknownOperator {
            address: address.to_string(),
        })
}

fn load_listed(storage: &dyn Storage, address: &Addr) -> Result<Operator, ContractError> {
    let operator = OPERATORS.may_load(storage, address)?;
    match operator {
        Some(op) if op.listed => Ok(op),
        _ => Err(ContractError::NotListed {
            address: address.to_string(),
        }),
    }
}

pub fn is_active(operator: &Operator, config: &Config) -> bool {
    operator.listed && operator.bonded >= config.min_bond
}

/// The listed operators, by address (≤ MAX_OPERATORS).
pub fn listed_operators(deps: Deps) -> Result<Vec<Addr>, ContractError> {
    Ok(LISTED
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_OPERATORS as usize)
        .collect::<Result<_, _>>()?)
}

/// Listed operators with at least `min_bond` bonded (≤ MAX_OPERATORS loads).
pub fn count_active(deps: Deps, config: &Config) -> Result<u32, ContractError> {
    let mut active = 0u32;
    for address in listed_operators(deps)? {
        if is_active(&OPERATORS.load(deps.storage, &address)?, config) {
            active += 1;
        }
    }
    Ok(active)
}

/// The operator's unbonding entries, ascending by id (≤ MAX_UNBONDING_ENTRIES).
pub fn load_entries(deps: Deps, address: &Addr) -> Result<Vec<(u64, BondEntry)>, ContractError> {
    Ok(BOND_ENTRIES
        .prefix(address)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .collect::<Result<_, _>>()?)
}

fn delist(
    storage: &mut dyn Storage,
    address: &Addr,
    operator: &mut Operator,
    now: Timestamp,
) -> Result<(), ContractError> {
    operator.listed = false;
    operator.removed_at = Some(now);
    OPERATORS.save(storage, address, operator)?;
    LISTED.remove(storage, address);
    let count = LISTED_COUNT.load(storage)?;
    LISTED_COUNT.save(storage, &count.saturating_sub(1))?;
    Ok(())
}

/// What an equivocation slash took.
pub struct Slashed {
    pub from_bond: Uint128,
    pub from_unbonding: Uint128,
    pub total: Uint128,
    pub was_listed: bool,
    pub events: Vec<Event>,
}

/// Takes `fraction` (rounded down per item) of the operator's bond and of every entry still unbonding, and removes
/// the operator from the set. Entries that already matured are no longer at risk (as in the Cosmos SDK and in
/// `staking`). Moves no funds: the caller pays out exactly `total`.
pub fn slash(
    storage: &mut dyn Storage,
    address: &Addr,
    fraction: Decimal,
    now: Timestamp,
) -> Result<Slashed, ContractError> {
    let mut operator = load_operator(storage, address)?;
    let from_bond = operator.bonded.checked_mul_floor(fraction)?;
    operator.bonded = operator.bonded.checked_sub(from_bond)?;

    let entries: Vec<(u64, BondEntry)> = BOND_ENTRIES
        .prefix(address)
        .range(storage, None, None, Order::Ascending)
        .take(MAX_UNBONDING_ENTRIES as usize)
        .collect::<Result<_, _>>()?;
    let mut from_unbonding = Uint128::zero();
    let mut events = vec![];
    for (id, mut entry) in entries {
        if entry.release_at <= now {
            continue;
        }
        let cut = entry.amount.checked_mul_floor(fraction)?;
        if cut.is_zero() {
            continue;
        }
        entry.amount = entry.amount.checked_sub(cut)?;
        if entry.amount.is_zero() {
            BOND_ENTRIES.remove(storage, (address, id));
        } else {
            BOND_ENTRIES.save(storage, (address, id), &entry)?;
        }
        from_unbonding = from_unbonding.checked_add(cut)?;
        events.push(
            Event::new("slash_operator_unbonding")
                .add_attribute("operator", address.as_str())
                .add_attribute("unbonding_id", id.to_string())
                .add_attribute("amount", cut)
                .add_attribute("remaining", entry.amount),
        );
    }

    let was_listed = operator.listed;
    if was_listed {
        delist(storage, address, &mut operator, now)?;
    } else {
        OPERATORS.save(storage, address, &operator)?;
    }
    Ok(Slashed {
        from_bond,
        from_unbonding,
        total: from_bond.checked_add(from_unbonding)?,
        was_listed,
        events,
    })
}
