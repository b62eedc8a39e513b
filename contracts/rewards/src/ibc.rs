//! ICS-20 refunds for `ClaimAndSend`.
//!
//! The contract is the sender of the ICS-20 transfer, so when the packet times out or the other chain acknowledges an
//! error, ibc-go refunds the coins to *this contract*, not to the owner. Each transfer therefore asks for an IBC
//! source callback (ADR-8; wasmd wires the callbacks middleware into its transfer stack): the memo is
//!
//! ```json
//! {"src_callback":{"address":"<this contract>"},"edgemint_claim":{"epoch":7,"device_id":42}}
//! ```
//!
//! and the transfer is recorded in `IBC_PENDING` under (epoch, device_id). On the callback:
//! - error acknowledgement (`{"error":"..."}`, exactly ICS-20's error form) or timeout: the record is deleted and
//!   the refunded amount is sent to the owner here (ibc-go refunded the escrowed coins to this contract);
//! - any other acknowledgement: the transfer counts as delivered and the record is deleted. This mirrors ibc-go's
//!   transfer keeper (v8), which refunds the sender only on `Acknowledgement_Error`: `{"result":"AQ=="}`, but also
//!   `{}` or `{"result":""}` (which a counterparty under an attacker's control can write), are successes there and
//!   nothing comes back, so paying the owner here would pay the leaf twice. (The transfer module rejects an
//!   acknowledgement it cannot decode before the callbacks middleware calls us, so garbage never reaches this code
//!   in practice; if it did, no refund was made and none is paid.)
//!
//! A callback the contract does not recognise (not its packet, unknown or already settled record, mismatching amount,
//! denom or channel) changes nothing and is answered with `result=ignored`.
//!
//! If a callback never arrives (middleware missing, callback out of gas), the admin resolves the transfer with
//! `ResolveIbcTransfer` once it is `IBC_RESOLVE_GRACE` past its timeout.

use cosmwasm_schema::serde::{Deserialize, Serialize};
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    coins, from_json, Addr, BankMsg, DepsMut, Env, IbcBasicResponse, IbcPacket, IbcSourceCallbackMsg, IbcSrcCallback,
    MessageInfo, Response, Uint128,
};
use cw_utils::nonpayable;

use crate::contract::ensure_admin;
use crate::error::ContractError;
use crate::pool::{add_seconds, balance_of};
use crate::state::{CONFIG, IBC_PENDING, IBC_RESOLVE_GRACE, POOL};

// Plain serde (not `cw_serde`, which denies unknown fields): these parse what other software wrote.

/// The ICS-20 memo `ClaimAndSend` attaches (see the module docs).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "cosmwasm_schema::serde")]
pub struct TransferMemo {
    pub src_callback: IbcSrcCallback,
    pub edgemint_claim: ClaimRef,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "cosmwasm_schema::serde")]
pub struct ClaimRef {
    pub epoch: u64,
    pub device_id: u64,
}

/// ICS-20 `FungibleTokenPacketData` as it travels in the packet (JSON; `amount` is a decimal string).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "cosmwasm_schema::serde")]
pub struct Ics20Packet {
    pub denom: String,
    pub amount: Uint128,
    pub sender: String,
    pub receiver: String,
    #[serde(default)]
    pub memo: Option<String>,
}

/// The ICS-20 error acknowledgement, `{"error":"..."}` and nothing else: the only acknowledgement on which ibc-go
/// refunds the sender.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "cosmwasm_schema::serde", deny_unknown_fields)]
pub struct Ics20ErrorAck {
    pub error: String,
}

/// True if `ack` is an ICS-20 error acknowledgement (the transfer was refunded to the sender).
pub fn is_error_ack(ack: &[u8]) -> bool {
    from_json::<Ics20ErrorAck>(ack).is_ok()
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_source_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcSourceCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let (packet, outcome) = match msg {
        IbcSourceCallbackMsg::Acknowledgement(ack) => {
            let refunded = is_error_ack(ack.acknowledgement.data.as_slice());
            (ack.original_packet, if refunded { "error" } else { "delivered" })
        }
        IbcSourceCallbackMsg::Timeout(timeout) => (timeout.packet, "timeout"),
    };
    let res = IbcBasicResponse::new()
        .add_attribute("action", "ibc_transfer_callback")
        .add_attribute("outcome", outcome)
        .add_attribute("channel_id", packet.src.channel_id.as_str())
        .add_attribute("sequence", packet.sequence.to_string());

    let Some((claim, data)) = recognise(&env.contract.address, &packet) else {
        return Ok(res.add_attribute("result", "ignored"));
    };
    let key = (claim.epoch, claim.device_id);
    let Some(pending) = IBC_PENDING.may_load(deps.storage, key)? else {
        return Ok(res.add_attribute("result", "ignored"));
    };
    let config = CONFIG.load(deps.storage)?;
    if pending.channel_id != packet.src.channel_id || pending.amount != data.amount || data.denom != config.denom {
        return Ok(res.add_attribute("result", "ignored"));
    }
    IBC_PENDING.remove(deps.storage, key);
    let mut pool = POOL.load(deps.storage)?;
    pool.ibc_pending = pool.ibc_pending.checked_sub(pending.amount)?;
    POOL.save(deps.storage, &pool)?;
    let res = res
        .add_attribute("epoch", claim.epoch.to_string())
        .add_attribute("device_id", claim.device_id.to_string())
        .add_attribute("owner", pending.owner.as_str())
        .add_attribute("amount", pending.amount);
    if outcome == "delivered" {
        return Ok(res.add_attribute("result", "settled"));
    }
    // ibc-go has already refunded the escrowed coins to this contract: pass them on to the owner.
    Ok(res.add_attribute("result", "refunded").add_message(BankMsg::Send {
        to_address: pending.owner.to_string(),
        amount: coins(pending.amount.u128(), &config.denom),
    }))
}

/// `ResolveIbcTransfer { epoch, device_id, delivered }` (admin): settles by hand a pending transfer whose callback never
/// arrived, `IBC_RESOLVE_GRACE` after its timeout. `delivered: false` pays the owner the refund, which must have
/// reached the contract (balance ≥ pool_total + amount), so the pool itself never pays twice.
pub fn execute_resolve_transfer(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    epoch: u64,
    device_id: u64,
    delivered: bool,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "resolve an IBC transfer")?;
    let key = (epoch, device_id);
    let pending = IBC_PENDING
        .may_load(deps.storage, key)?
        .ok_or(ContractError::NoPendingTransfer { epoch, device_id })?;
    let resolvable_at = add_seconds(pending.timeout, IBC_RESOLVE_GRACE)?;
    if env.block.time < resolvable_at {
        return Err(ContractError::TransferNotExpired {
            epoch,
            device_id,
            resolvable_at,
        });
    }
    let config = CONFIG.load(deps.storage)?;
    let mut pool = POOL.load(deps.storage)?;
    IBC_PENDING.remove(deps.storage, key);
    pool.ibc_pending = pool.ibc_pending.checked_sub(pending.amount)?;
    POOL.save(deps.storage, &pool)?;
    let res = Response::new()
        .add_attribute("action", "resolve_ibc_transfer")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("owner", pending.owner.as_str())
        .add_attribute("amount", pending.amount);
    if delivered {
        return Ok(res.add_attribute("result", "settled"));
    }
    let balance = balance_of(deps.as_ref(), &env.contract.address, &config.denom)?;
    let surplus = balance.saturating_sub(pool.total);
    if surplus < pending.amount {
        return Err(ContractError::RefundNotReceived {
            amount: pending.amount,
            surplus,
        });
    }
    Ok(res.add_attribute("result", "refunded").add_message(BankMsg::Send {
        to_address: pending.owner.to_string(),
        amount: coins(pending.amount.u128(), &config.denom),
    }))
}

/// The claim a packet belongs to, if this contract sent it with a `ClaimAndSend` memo.
fn recognise(contract: &Addr, packet: &IbcPacket) -> Option<(ClaimRef, Ics20Packet)> {
    let data: Ics20Packet = from_json(&packet.data).ok()?;
    if data.sender != contract.as_str() {
        return None;
    }
    let memo: TransferMemo = from_json(data.memo.as_deref()?.as_bytes()).ok()?;
    if memo.src_callback.address != *contract {
        return None;
    }
    Some((memo.edgemint_claim, data))
}
