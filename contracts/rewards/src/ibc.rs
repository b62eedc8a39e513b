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
//! - success acknowledgement: the record is deleted (the owner has the coins on the other chain);
//! - error acknowledgement or timeout: the record is deleted and the refunded amount is sent to the owner here.
//!
//! A callback the contract does not recognise (not its packet, unknown or already settled record, mismatching amount,
//! denom or channel) changes nothing and is answered with `result=ignored`.

use cosmwasm_schema::serde::{Deserialize, Serialize};
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    coins, from_json, Addr, BankMsg, Binary, DepsMut, Env, IbcBasicResponse, IbcPacket, IbcSourceCallbackMsg,
    IbcSrcCallback, Uint128,
};

use crate::error::ContractError;
use crate::state::{CONFIG, IBC_PENDING, POOL};

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

/// ICS-20 acknowledgement: `{"result":"AQ=="}` or `{"error":"..."}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(crate = "cosmwasm_schema::serde", rename_all = "snake_case")]
pub enum Ics20Ack {
    Result(Binary),
    Error(String),
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_source_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcSourceCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let (packet, outcome) = match msg {
        IbcSourceCallbackMsg::Acknowledgement(ack) => {
            let delivered = matches!(from_json(&ack.acknowledgement.data), Ok(Ics20Ack::Result(_)));
            (ack.original_packet, if delivered { "delivered" } else { "error" })
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
