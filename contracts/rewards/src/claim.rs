//! Claims: `Claim` (batched, by anyone for the leaves' owners), `ClaimAndSend` (one leaf, by its owner, over IBC)
//! and `ClaimOperatorReward`.
//!
//! Every check of every item happens before anything is paid, and any failure returns an error, so the whole
//! message changes nothing (the chain discards the state writes of a failed message).

use cosmwasm_std::{
    coin, coins, to_json_string, Addr, BankMsg, DepsMut, Env, Event, IbcMsg, IbcSrcCallback, IbcTimeout, MessageInfo,
    Response, Uint128,
};
use cw_utils::nonpayable;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::registry::DeviceStatus;
use rewards_core::{Hash, Leaf, MAX_PROOF_LEN};

use crate::error::ContractError;
use crate::external::{query_device, query_epoch, root_of};
use crate::ibc::{ClaimRef, TransferMemo};
use crate::msg::{ClaimItem, PendingTransfer};
use crate::pool::{balance_of, pay_out};
use crate::state::{
    Config, EpochRecord, CLAIMED, CONFIG, DEFAULT_IBC_TIMEOUT, EPOCHS, IBC_PENDING, MAX_IBC_TIMEOUT, MAX_RECEIVER_LEN,
    OPERATOR_CLAIMED, POOL,
};

/// A final, reserved epoch as the batch sees it: the hub's root and the local record (updated in memory, saved once).
struct EpochCtx {
    epoch: u64,
    root: Hash,
    record: EpochRecord,
}

/// What a validated batch pays.
struct Payout {
    /// (owner, amount) in order of first appearance; one bank send each.
    per_owner: Vec<(Addr, Uint128)>,
    total: Uint128,
    events: Vec<Event>,
}

pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    claims: Vec<ClaimItem>,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    if claims.is_empty() {
        return Err(ContractError::EmptyBatch {});
    }
    if claims.len() > config.max_batch as usize {
        return Err(ContractError::BatchTooLarge {
            len: claims.len(),
            max: config.max_batch,
        });
    }
    let payout = process_claims(deps, &env, &config, &claims)?;
    let owners = payout.per_owner.len();
    let msgs = payout.per_owner.into_iter().map(|(owner, amount)| BankMsg::Send {
        to_address: owner.to_string(),
        amount: coins(amount.u128(), &config.denom),
    });
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(payout.events)
        .add_attribute("action", "claim")
        .add_attribute("sender", info.sender)
        .add_attribute("claims", claims.len().to_string())
        .add_attribute("owners", owners.to_string())
        .add_attribute("amount", payout.total))
}

pub fn execute_claim_and_send(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    claim: ClaimItem,
    channel_id: String,
    receiver: String,
    timeout_seconds: Option<u64>,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if info.sender.as_str() != claim.owner {
        return Err(ContractError::Unauthorized {
            action: "claim and send over IBC".to_string(),
            allowed: "the leaf's owner".to_string(),
        });
    }
    validate_channel_id(&channel_id)?;
    validate_receiver(&receiver)?;
    let seconds = timeout_seconds.unwrap_or(DEFAULT_IBC_TIMEOUT);
    if seconds == 0 || seconds > MAX_IBC_TIMEOUT {
        return Err(ContractError::InvalidTimeout {
            seconds,
            max: MAX_IBC_TIMEOUT,
        });
    }
    let timeout = env.block.time.plus_seconds(seconds);

    let config = CONFIG.load(deps.storage)?;
    let owner = info.sender.clone();
    let payout = process_claims(deps.branch(), &env, &config, std::slice::from_ref(&claim))?;
    // Ask for the source callback, so that a timeout or error refund reaches the owner (see ibc.rs).
    let memo = to_json_string(&TransferMemo {
        src_callback: IbcSrcCallback {
            address: env.contract.address.clone(),
            gas_limit: None,
        },
        edgemint_claim: ClaimRef {
            epoch: claim.epoch,
            device_id: claim.device_id,
        },
    })?;
    let mut pool = POOL.load(deps.storage)?;
    pool.ibc_pending = pool.ibc_pending.checked_add(payout.total)?;
    POOL.save(deps.storage, &pool)?;
    IBC_PENDING.save(
        deps.storage,
        (claim.epoch, claim.device_id),
        &PendingTransfer {
            owner,
            amount: payout.total,
            channel_id: channel_id.clone(),
            receiver: receiver.clone(),
            timeout,
        },
    )?;
    let transfer = IbcMsg::Transfer {
        channel_id: channel_id.clone(),
        to_address: receiver.clone(),
        amount: coin(payout.total.u128(), &config.denom),
        timeout: IbcTimeout::with_timestamp(timeout),
        memo: Some(memo),
    };
    Ok(Response::new()
        .add_message(transfer)
        .add_events(payout.events)
        .add_attribute("action", "claim_and_send")
        .add_attribute("sender", info.sender)
        .add_attribute("epoch", claim.epoch.to_string())
        .add_attribute("device_id", claim.device_id.to_string())
        .add_attribute("amount", payout.total)
        .add_attribute("channel_id", channel_id)
        .add_attribute("receiver", receiver)
        .add_attribute("timeout", timeout.seconds().to_string()))
}

pub fn execute_claim_operator_reward(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    epoch: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let hub_epoch = query_epoch(deps.as_ref(), &config.hub, epoch)?;
    if hub_epoch.status != EpochStatus::Final {
        return Err(ContractError::OperatorEpochNotFinal {
            epoch,
            status: hub_epoch.status,
        });
    }
    let operator = info.sender;
    if !hub_epoch.reporters.contains(&operator) {
        return Err(ContractError::NotReporter {
            epoch,
            operator: operator.to_string(),
        });
    }
    let mut record = load_claimable_record(deps.as_ref().storage, epoch)?;
    if OPERATOR_CLAIMED.has(deps.storage, (epoch, &operator)) {
        return Err(ContractError::OperatorAlreadyClaimed {
            epoch,
            operator: operator.to_string(),
        });
    }

    let mut pool = POOL.load(deps.storage)?;
    let mut res = Response::new();
    let reward = match record.operator_reward {
        Some(reward) => reward,
        None => {
            // First claim of the epoch: fix the share and return the rounding dust to the pool.
            let mut reporters = hub_epoch.reporters.clone();
            reporters.sort();
            reporters.dedup();
            let count = Uint128::from(reporters.len() as u128);
            let reward = record.operator_budget.checked_div(count).unwrap_or_default();
            let dust = record.operator_budget.checked_sub(reward.checked_mul(count)?)?;
            record.operator_reward = Some(reward);
            record.operator_dust = dust;
            pool.reserved = pool.reserved.checked_sub(dust)?;
            res = res
                .add_attribute("reporters", reporters.len().to_string())
                .add_attribute("dust_returned", dust);
            reward
        }
    };
    if reward.is_zero() {
        return Err(ContractError::ZeroOperatorReward { epoch });
    }
    let paid = record.operator_claimed.checked_add(reward)?;
    if paid > record.operator_budget.checked_sub(record.operator_dust)? {
        return Err(ContractError::OperatorBudgetExhausted { epoch });
    }
    record.operator_claimed = paid;
    pay_out(&mut pool, reward)?;
    ensure_balance(deps.as_ref(), &env, &config, reward)?;

    OPERATOR_CLAIMED.save(deps.storage, (epoch, &operator), &reward)?;
    EPOCHS.save(deps.storage, epoch, &record)?;
    POOL.save(deps.storage, &pool)?;
    Ok(res
        .add_message(BankMsg::Send {
            to_address: operator.to_string(),
            amount: coins(reward.u128(), &config.denom),
        })
        .add_attribute("action", "claim_operator_reward")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("operator", operator)
        .add_attribute("amount", reward))
}

/// Validates every item, records the claims and takes the total out of the pool's books. Queries the hub once per
/// distinct epoch and the registry once per item.
fn process_claims(deps: DepsMut, env: &Env, config: &Config, claims: &[ClaimItem]) -> Result<Payout, ContractError> {
    let mut epochs: Vec<EpochCtx> = Vec::new();
    let mut per_owner: Vec<(Addr, Uint128)> = Vec::new();
    let mut events = Vec::with_capacity(claims.len());
    let mut total = Uint128::zero();

    for (index, item) in claims.iter().enumerate() {
        let ClaimItem {
            epoch,
            device_id,
            amount,
            ..
        } = *item;
        if amount.is_zero() {
            return Err(ContractError::ZeroClaim { index });
        }
        let proof = parse_proof(index, &item.proof)?;
        let owner = validate_leaf_owner(deps.as_ref(), index, &item.owner)?;
        // Also catches a duplicate inside this batch: earlier items are already recorded.
        if CLAIMED.has(deps.storage, (epoch, device_id)) {
            return Err(ContractError::AlreadyClaimed {
                index,
                epoch,
                device_id,
            });
        }

        let pos = match epochs.iter().position(|c| c.epoch == epoch) {
            Some(pos) => pos,
            None => {
                epochs.push(load_epoch_ctx(deps.as_ref(), config, index, epoch)?);
                epochs.len() - 1
            }
        };
        let ctx = &mut epochs[pos];

        let leaf = Leaf::new(epoch, device_id, item.owner.as_str(), amount.u128());
        if !rewards_core::verify(&ctx.root, &leaf, &proof) {
            return Err(ContractError::InvalidProof {
                index,
                epoch,
                device_id,
            });
        }
        let claimed = ctx.record.claimed.checked_add(amount)?;
        if claimed > ctx.record.total_amount {
            return Err(ContractError::ExceedsEpochTotal {
                index,
                epoch,
                claimed: ctx.record.claimed,
                amount,
                total: ctx.record.total_amount,
            });
        }
        let device = query_device(deps.as_ref(), &config.registry, device_id)?;
        if device.status == DeviceStatus::Banned {
            return Err(ContractError::DeviceBanned { index, device_id });
        }

        ctx.record.claimed = claimed;
        CLAIMED.save(deps.storage, (epoch, device_id), &amount)?;
        total = total.checked_add(amount)?;
        match per_owner.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, sum)) => *sum = sum.checked_add(amount)?,
            None => per_owner.push((owner.clone(), amount)),
        }
        events.push(
            Event::new("reward_claim")
                .add_attribute("epoch", epoch.to_string())
                .add_attribute("device_id", device_id.to_string())
                .add_attribute("owner", owner)
                .add_attribute("amount", amount),
        );
    }

    let mut pool = POOL.load(deps.storage)?;
    pay_out(&mut pool, total)?;
    ensure_balance(deps.as_ref(), env, config, total)?;
    POOL.save(deps.storage, &pool)?;
    for ctx in &epochs {
        EPOCHS.save(deps.storage, ctx.epoch, &ctx.record)?;
    }
    Ok(Payout {
        per_owner,
        total,
        events,
    })
}

fn load_epoch_ctx(
    deps: cosmwasm_std::Deps,
    config: &Config,
    index: usize,
    epoch: u64,
) -> Result<EpochCtx, ContractError> {
    let hub_epoch = query_epoch(deps, &config.hub, epoch)?;
    if hub_epoch.status != EpochStatus::Final {
        return Err(ContractError::EpochNotFinal {
            index,
            epoch,
            status: hub_epoch.status,
        });
    }
    let root = root_of(epoch, &hub_epoch)?;
    let record = load_claimable_record(deps.storage, epoch)?;
    Ok(EpochCtx { epoch, root, record })
}

/// A reserved and settled epoch, neither released nor closed.
fn load_claimable_record(storage: &dyn cosmwasm_std::Storage, epoch: u64) -> Result<EpochRecord, ContractError> {
    let record = EPOCHS
        .may_load(storage, epoch)?
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
    Ok(record)
}

fn parse_proof(index: usize, proof: &[cosmwasm_std::HexBinary]) -> Result<Vec<Hash>, ContractError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(ContractError::ProofTooLong {
            index,
            len: proof.len(),
            max: MAX_PROOF_LEN,
        });
    }
    proof
        .iter()
        .enumerate()
        .map(|(position, h)| {
            Hash::try_from(h.as_slice()).map_err(|_| ContractError::InvalidProofElement {
                index,
                position,
                len: h.len(),
            })
        })
        .collect()
}

/// The leaf's owner must be a valid address of this chain written exactly as the chain writes it (the leaf hash
/// covers the string), and canonical for the leaf encoding.
fn validate_leaf_owner(deps: cosmwasm_std::Deps, index: usize, owner: &str) -> Result<Addr, ContractError> {
    let invalid = |reason: String| ContractError::InvalidOwner {
        index,
        owner: owner.to_string(),
        reason,
    };
    rewards_core::validate_owner(owner).map_err(|r| invalid(r.to_string()))?;
    let addr = deps.api.addr_validate(owner).map_err(|e| invalid(e.to_string()))?;
    if addr.as_str() != owner {
        return Err(invalid("not the canonical form of the address".to_string()));
    }
    Ok(addr)
}

/// Defence in depth: never send more than the contract holds.
fn ensure_balance(deps: cosmwasm_std::Deps, env: &Env, config: &Config, needed: Uint128) -> Result<(), ContractError> {
    let balance = balance_of(deps, &env.contract.address, &config.denom)?;
    if balance < needed {
        return Err(ContractError::InsufficientBalance { balance, needed });
    }
    Ok(())
}

/// ICS-24 identifier: 8..=64 characters of `[a-zA-Z0-9._+\-#\[\]<>]`.
fn validate_channel_id(channel_id: &str) -> Result<(), ContractError> {
    let ok = (8..=64).contains(&channel_id.len())
        && channel_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-#[]<>".contains(c));
    if !ok {
        return Err(ContractError::InvalidChannel {
            channel_id: channel_id.to_string(),
        });
    }
    Ok(())
}

fn validate_receiver(receiver: &str) -> Result<(), ContractError> {
    if receiver.is_empty() || receiver.len() > MAX_RECEIVER_LEN || !receiver.bytes().all(|b| (0x21..=0x7e).contains(&b))
    {
        return Err(ContractError::InvalidReceiver { max: MAX_RECEIVER_LEN });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_ids() {
        for ok in ["channel-0", "channel-12345", "my.chan_1+x"] {
            assert!(validate_channel_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "chan-0", "channel 0", "channel-0/", &"c".repeat(65)] {
            assert!(validate_channel_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn receivers() {
        assert!(validate_receiver("osmo1abc").is_ok());
        assert!(validate_receiver("0xAbC").is_ok());
        assert!(validate_receiver("").is_err());
        assert!(validate_receiver("a b").is_err());
        assert!(validate_receiver(&"a".repeat(257)).is_err());
    }
}
