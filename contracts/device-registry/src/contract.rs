use std::collections::BTreeSet;

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, CosmosMsg, Deps, DepsMut, Empty, Env, Event, HexBinary, MessageInfo, Response,
    StdError, Storage, SubMsg, WasmMsg,
};
use cw721::msg::Cw721InstantiateMsg;
use cw721::traits::Cw721Execute;
use cw_ownable::Action;
use cw_utils::Expiration;
use edgemint_types::migrate::ensure_upgrade;
use edgemint_types::registry::{DeviceRegistration, DeviceStatus, StatusCountsResponse};
use edgemint_types::staking::StakingExecute;

use crate::activation::{message_for, registration_message_for, sha256, verify_device_signature};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::nft::{self, cw721, NftExtension};
use crate::state::{
    Config, Device, Maker, ADMIN, CONFIG, DEVICES, DEVICES_BY_MAKER, DEVICE_BY_CODE_HASH, DEVICE_BY_PUBKEY, MAKERS,
    NEXT_DEVICE_ID, STATUS_COUNTS,
};
use crate::validation::{
    len_u32, validate_activation_code, validate_collection_field, validate_device_key, validate_reason,
    validate_registration, MAX_APPROVALS_PER_TOKEN, MAX_BATCH_SIZE, MAX_SLASHERS,
};

/// cw2 name; `migrate` refuses code whose stored name differs.
pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

pub const DEFAULT_COLLECTION_NAME: &str = "Edgemint Devices";
pub const DEFAULT_COLLECTION_SYMBOL: &str = "EMDEV";

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;

    let admin = match msg.admin {
        Some(admin) => deps.api.addr_validate(&admin)?,
        None => info.sender.clone(),
    };
    let name = msg.name.unwrap_or_else(|| DEFAULT_COLLECTION_NAME.to_string());
    let symbol = msg.symbol.unwrap_or_else(|| DEFAULT_COLLECTION_SYMBOL.to_string());
    validate_collection_field("name", &name)?;
    validate_collection_field("symbol", &symbol)?;

    // cw721 collection: the registry contract is the only minter; the admin is the collection creator
    // (cw721's CREATOR is the same cw-ownable slot as our ADMIN).
    cw721().instantiate(
        deps.branch(),
        &env,
        &info,
        Cw721InstantiateMsg {
            name: name.clone(),
            symbol: symbol.clone(),
            collection_info_extension: None,
            minter: Some(env.contract.address.to_string()),
            creator: Some(admin.to_string()),
            withdraw_address: None,
        },
    )?;

    if msg.makers.len() > MAX_BATCH_SIZE as usize {
        return Err(ContractError::TooManyMakers { max: MAX_BATCH_SIZE });
    }
    for maker in &msg.makers {
        let maker = deps.api.addr_validate(maker)?;
        MAKERS.save(
            deps.storage,
            &maker,
            &Maker {
                approved_at: env.block.time,
            },
        )?;
    }

    if msg.slashers.len() > MAX_SLASHERS as usize {
        return Err(ContractError::TooManySlashers { max: MAX_SLASHERS });
    }
    let mut slashers: Vec<Addr> = Vec::with_capacity(msg.slashers.len());
    for slasher in &msg.slashers {
        let slasher = deps.api.addr_validate(slasher)?;
        if slashers.contains(&slasher) {
            return Err(ContractError::SlasherAlreadyExists {
                slasher: slasher.into_string(),
            });
        }
        slashers.push(slasher);
    }
    CONFIG.save(
        deps.storage,
        &Config {
            slashers,
            staking: None,
        },
    )?;
    NEXT_DEVICE_ID.save(deps.storage, &1)?;
    STATUS_COUNTS.save(deps.storage, &StatusCountsResponse::default())?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("admin", admin)
        .add_attribute("minter", env.contract.address)
        .add_attribute("name", name)
        .add_attribute("symbol", symbol)
        .add_attribute("makers", msg.makers.len().to_string())
        .add_attribute("slashers", msg.slashers.len().to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(mut deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    // Nothing here takes funds; refuse them rather than lock them in the contract.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::UpdateOwnership(action) => execute_update_ownership(deps, env, info, action),
        ExecuteMsg::ApproveMaker { maker } => execute_approve_maker(deps, env, info, maker),
        ExecuteMsg::RevokeMaker { maker } => execute_revoke_maker(deps, info, maker),
        ExecuteMsg::AddSlasher { slasher } => execute_add_slasher(deps, info, slasher),
        ExecuteMsg::RemoveSlasher { slasher } => execute_remove_slasher(deps, info, slasher),
        ExecuteMsg::SetStaking { staking } => execute_set_staking(deps, info, staking),
        ExecuteMsg::RegisterDevice { device } => execute_register(deps, env, info, vec![device]),
        ExecuteMsg::RegisterDevices { devices } => execute_register(deps, env, info, devices),
        ExecuteMsg::Activate {
            device_id,
            activation_code,
            owner,
            signature,
        } => execute_activate(deps, env, info, device_id, activation_code, owner, signature),
        ExecuteMsg::SetStatus {
            device_id,
            status,
            reason,
        } => execute_set_status(deps, info, device_id, status, reason),
        ExecuteMsg::TransferNft { recipient, token_id } => {
            let previous_owner = nft::owner_of(deps.storage, &token_id)?;
            let res = cw721().transfer_nft(deps.branch(), &env, &info, recipient.clone(), token_id.clone())?;
            // cw721 accepted the recipient, so it is a valid address.
            let new_owner = deps.api.addr_validate(&recipient)?;
            after_transfer(deps, res, &token_id, previous_owner, &new_owner)
        }
        ExecuteMsg::SendNft {
            contract,
            token_id,
            msg,
        } => {
            let previous_owner = nft::owner_of(deps.storage, &token_id)?;
            let res = cw721().send_nft(deps.branch(), &env, &info, contract.clone(), token_id.clone(), msg)?;
            let new_owner = deps.api.addr_validate(&contract)?;
            after_transfer(deps, res, &token_id, previous_owner, &new_owner)
        }
        ExecuteMsg::Approve {
            spender,
            token_id,
            expires,
        } => execute_approve(deps, env, info, spender, token_id, expires),
        ExecuteMsg::Revoke { spender, token_id } => Ok(cw721().revoke(deps, &env, &info, spender, token_id)?),
        ExecuteMsg::ApproveAll { operator, expires } => Ok(cw721().approve_all(deps, &env, &info, operator, expires)?),
        ExecuteMsg::RevokeAll { operator } => Ok(cw721().revoke_all(deps, &env, &info, operator)?),
    }
}

/// After a cw721 transfer or send: tell the staking contract that the device changed hands (FIRST, before any
/// `receive_nft` call, so staking's view is current for whatever the receiver does), and add the device id and the
/// previous owner to cw721's attributes (action/sender/recipient/token_id).
fn after_transfer(
    deps: DepsMut,
    mut res: Response,
    token_id: &str,
    previous_owner: Option<Addr>,
    new_owner: &Addr,
) -> Result<Response, ContractError> {
    let hook = match &previous_owner {
        Some(previous) => owner_changed_msg(deps.storage, token_id, previous, new_owner)?,
        None => None,
    };
    let notified = hook.is_some();
    if let Some(msg) = hook {
        res.messages.insert(0, SubMsg::new(msg));
    }
    res = res.add_attribute("device_id", token_id);
    if let Some(owner) = previous_owner {
        res = res.add_attribute("previous_owner", owner);
    }
    Ok(res.add_attribute("staking_notified", notified.to_string()))
}

/// `{"owner_changed":{...}}` to the configured staking contract, if one is configured and the owner really changed.
/// Only minted (activated) devices have a token, so only their ownership changes are reported.
fn owner_changed_msg(
    storage: &dyn Storage,
    token_id: &str,
    previous_owner: &Addr,
    new_owner: &Addr,
) -> Result<Option<CosmosMsg>, ContractError> {
    let Some(staking) = CONFIG.load(storage)?.staking else {
        return Ok(None);
    };
    if previous_owner == new_owner {
        return Ok(None);
    }
    let device_id: u64 = token_id
        .parse()
        .map_err(|_| StdError::generic_err(format!("token id {token_id} is not a device id")))?;
    Ok(Some(
        WasmMsg::Execute {
            contract_addr: staking.into_string(),
            msg: to_json_binary(&StakingExecute::OwnerChanged {
                device_id,
                previous_owner: previous_owner.to_string(),
                new_owner: new_owner.to_string(),
            })?,
            funds: vec![],
        }
        .into(),
    ))
}

/// cw721's approve, refusing an approval that would give the token more than `MAX_APPROVALS_PER_TOKEN` (approvals
/// live in the token record every device query reads). Re-approving an existing spender replaces its approval.
fn execute_approve(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    spender: String,
    token_id: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let token =
        cw721::execute::update_approvals::<NftExtension>(deps, &env, &info, &spender, &token_id, true, expires)?;
    if token.approvals.len() > MAX_APPROVALS_PER_TOKEN as usize {
        return Err(ContractError::TooManyApprovals {
            token_id,
            max: MAX_APPROVALS_PER_TOKEN,
        });
    }
    // The same attributes as cw721's own approve.
    Ok(Response::new()
        .add_attribute("action", "approve")
        .add_attribute("sender", info.sender)
        .add_attribute("spender", spender)
        .add_attribute("token_id", token_id))
}

// ---------------------------------------------------------------------------------------------------------------
// admin

fn execute_update_ownership(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    action: Action,
) -> Result<Response, ContractError> {
    if action == Action::RenounceOwnership {
        return Err(ContractError::RenounceNotAllowed {});
    }
    let ownership = ADMIN.update_ownership(deps, &env.block, &info.sender, action)?;
    Ok(Response::new()
        .add_attribute("action", "update_ownership")
        .add_attribute("sender", info.sender)
        .add_attributes(ownership.into_attributes()))
}

fn execute_approve_maker(deps: DepsMut, env: Env, info: MessageInfo, maker: String) -> Result<Response, ContractError> {
    ADMIN.assert_owner(deps.storage, &info.sender)?;
    let maker = deps.api.addr_validate(&maker)?;
    if MAKERS.has(deps.storage, &maker) {
        return Err(ContractError::MakerAlreadyApproved {
            maker: maker.into_string(),
        });
    }
    MAKERS.save(
        deps.storage,
        &maker,
        &Maker {
            approved_at: env.block.time,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "approve_maker")
        .add_attribute("sender", info.sender)
        .add_attribute("maker", maker))
}

fn execute_revoke_maker(deps: DepsMut, info: MessageInfo, maker: String) -> Result<Response, ContractError> {
    ADMIN.assert_owner(deps.storage, &info.sender)?;
    let maker = deps.api.addr_validate(&maker)?;
    if !MAKERS.has(deps.storage, &maker) {
        return Err(ContractError::MakerNotFound {
            maker: maker.into_string(),
        });
    }
    MAKERS.remove(deps.storage, &maker);
    Ok(Response::new()
        .add_attribute("action", "revoke_maker")
        .add_attribute("sender", info.sender)
        .add_attribute("maker", maker))
}

fn execute_add_slasher(deps: DepsMut, info: MessageInfo, slasher: String) -> Result<Response, ContractError> {
    ADMIN.assert_owner(deps.storage, &info.sender)?;
    let slasher = deps.api.addr_validate(&slasher)?;
    let mut config = CONFIG.load(deps.storage)?;
    if config.slashers.contains(&slasher) {
        return Err(ContractError::SlasherAlreadyExists {
            slasher: slasher.into_string(),
        });
    }
    if config.slashers.len() >= MAX_SLASHERS as usize {
        return Err(ContractError::TooManySlashers { max: MAX_SLASHERS });
    }
    config.slashers.push(slasher.clone());
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "add_slasher")
        .add_attribute("sender", info.sender)
        .add_attribute("slasher", slasher))
}

fn execute_remove_slasher(deps: DepsMut, info: MessageInfo, slasher: String) -> Result<Response, ContractError> {
    ADMIN.assert_owner(deps.storage, &info.sender)?;
    let slasher = deps.api.addr_validate(&slasher)?;
    let mut config = CONFIG.load(deps.storage)?;
    let before = config.slashers.len();
    config.slashers.retain(|s| s != slasher);
    if config.slashers.len() == before {
        return Err(ContractError::SlasherNotFound {
            slasher: slasher.into_string(),
        });
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "remove_slasher")
        .add_attribute("sender", info.sender)
        .add_attribute("slasher", slasher))
}

fn execute_set_staking(deps: DepsMut, info: MessageInfo, staking: Option<String>) -> Result<Response, ContractError> {
    ADMIN.assert_owner(deps.storage, &info.sender)?;
    let staking = staking.map(|s| deps.api.addr_validate(&s)).transpose()?;
    let mut config = CONFIG.load(deps.storage)?;
    config.staking = staking.clone();
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_staking")
        .add_attribute("sender", info.sender)
        .add_attribute(
            "staking",
            staking.map(Addr::into_string).unwrap_or_else(|| "none".to_string()),
        ))
}

// ---------------------------------------------------------------------------------------------------------------
// registration

fn execute_register(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    devices: Vec<DeviceRegistration>,
) -> Result<Response, ContractError> {
    let maker = info.sender;
    if !MAKERS.has(deps.storage, &maker) {
        return Err(ContractError::NotMaker {
            sender: maker.into_string(),
        });
    }
    if devices.is_empty() {
        return Err(ContractError::EmptyBatch {});
    }
    if devices.len() > MAX_BATCH_SIZE as usize {
        return Err(ContractError::BatchTooLarge {
            size: len_u32(devices.len()),
            max: MAX_BATCH_SIZE,
        });
    }

    // Validate everything before writing anything (the transaction is atomic anyway; this also gives the
    // maker the index of the first bad entry). Bounded: at most MAX_BATCH_SIZE entries.
    let mut batch_pubkeys: BTreeSet<&[u8]> = BTreeSet::new();
    let mut batch_hashes: BTreeSet<&[u8]> = BTreeSet::new();
    for (i, device) in devices.iter().enumerate() {
        let index = len_u32(i);
        validate_registration(index, device)?;
        let pubkey = device.pubkey.as_slice();
        let code_hash = device.code_hash.as_slice();
        // The key must be able to bind anything (no small-order ed25519 key, a real secp256k1 point), and the
        // maker must hold the device: the key signs this maker and code hash (proof of possession), so nobody
        // can register, and so squat, a key whose device they do not have.
        validate_device_key(deps.api, index, device.key_type, pubkey)?;
        if !verify_device_signature(
            deps.api,
            device.key_type,
            pubkey,
            &registration_message_for(&env, &maker, code_hash),
            device.registration_signature.as_slice(),
        ) {
            return Err(ContractError::InvalidRegistrationSignature { index });
        }
        let existing = DEVICE_BY_PUBKEY.may_load(deps.storage, pubkey)?;
        if existing.is_some() || !batch_pubkeys.insert(pubkey) {
            return Err(ContractError::DuplicatePubkey {
                index,
                pubkey: HexBinary::from(pubkey).to_hex(),
                existing,
            });
        }
        let existing = DEVICE_BY_CODE_HASH.may_load(deps.storage, code_hash)?;
        if existing.is_some() || !batch_hashes.insert(code_hash) {
            return Err(ContractError::DuplicateCodeHash {
                index,
                code_hash: HexBinary::from(code_hash).to_hex(),
                existing,
            });
        }
    }

    let first_id = NEXT_DEVICE_ID.load(deps.storage)?;
    let count = devices.len() as u64;
    let next_id = first_id.checked_add(count).ok_or(ContractError::DeviceIdOverflow {})?;
    let mut events = Vec::with_capacity(devices.len());
    for (device_id, device) in (first_id..next_id).zip(devices) {
        DEVICE_BY_PUBKEY.save(deps.storage, device.pubkey.as_slice(), &device_id)?;
        DEVICE_BY_CODE_HASH.save(deps.storage, device.code_hash.as_slice(), &device_id)?;
        DEVICES_BY_MAKER.save(deps.storage, (&maker, device_id), &Empty {})?;
        events.push(
            Event::new("device_registered")
                .add_attribute("device_id", device_id.to_string())
                .add_attribute("maker", maker.as_str())
                .add_attribute("key_type", device.key_type.as_str())
                .add_attribute("pubkey", HexBinary::from(device.pubkey.as_slice()).to_hex())
                .add_attribute("model", device.model.as_str()),
        );
        DEVICES.save(
            deps.storage,
            device_id,
            &Device {
                maker: maker.clone(),
                key_type: device.key_type,
                pubkey: device.pubkey,
                code_hash: Binary::from(device.code_hash.to_vec()),
                model: device.model,
                metadata_uri: device.metadata_uri,
                status: DeviceStatus::Registered,
                activated_at: None,
            },
        )?;
    }
    NEXT_DEVICE_ID.save(deps.storage, &next_id)?;
    let mut counts = STATUS_COUNTS.load(deps.storage)?;
    counts.registered = counts
        .registered
        .checked_add(count)
        .ok_or_else(|| StdError::generic_err("registered counter overflow"))?;
    STATUS_COUNTS.save(deps.storage, &counts)?;

    Ok(Response::new()
        .add_attribute("action", "register_devices")
        .add_attribute("maker", maker)
        .add_attribute("count", count.to_string())
        .add_attribute("first_device_id", first_id.to_string())
        .add_attribute("last_device_id", (next_id - 1).to_string())
        .add_events(events))
}

// ---------------------------------------------------------------------------------------------------------------
// activation

fn load_device(storage: &dyn Storage, device_id: u64) -> Result<Device, ContractError> {
    DEVICES
        .may_load(storage, device_id)?
        .ok_or(ContractError::UnknownDevice { device_id })
}

fn execute_activate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    device_id: u64,
    activation_code: String,
    owner: String,
    signature: Binary,
) -> Result<Response, ContractError> {
    let mut device = load_device(deps.storage, device_id)?;
    match device.status {
        DeviceStatus::Banned => return Err(ContractError::DeviceBanned { device_id }),
        DeviceStatus::Suspended => return Err(ContractError::DeviceSuspended { device_id }),
        DeviceStatus::Active => return Err(ContractError::AlreadyActivated { device_id }),
        DeviceStatus::Registered => {}
    }
    if device.activated_at.is_some() {
        return Err(ContractError::AlreadyActivated { device_id });
    }

    // The owner named in the message must be the one submitting it: a copied transaction re-submitted by
    // someone else fails here.
    let owner = deps.api.addr_validate(&owner)?;
    if owner != info.sender {
        return Err(ContractError::OwnerNotSender {
            owner: owner.into_string(),
            sender: info.sender.into_string(),
        });
    }

    // The code proves purchase...
    validate_activation_code(&activation_code)?;
    if sha256(activation_code.as_bytes()).as_slice() != device.code_hash.as_slice() {
        return Err(ContractError::WrongActivationCode { device_id });
    }

    // ...and the device's signature binds this owner (plus chain and registry), so a front-runner who copies the
    // code from the mempool cannot activate the device to themselves.
    let message = message_for(&env, &owner, device.code_hash.as_slice());
    if !verify_device_signature(
        deps.api,
        device.key_type,
        device.pubkey.as_slice(),
        &message,
        signature.as_slice(),
    ) {
        return Err(ContractError::InvalidSignature { device_id });
    }

    device.status = DeviceStatus::Active;
    device.activated_at = Some(env.block.time);
    DEVICES.save(deps.storage, device_id, &device)?;
    move_count(deps.storage, DeviceStatus::Registered, DeviceStatus::Active)?;

    let token_id = nft::token_id(device_id);
    nft::mint(deps.storage, &token_id, &owner, device.metadata_uri.clone())?;

    Ok(Response::new()
        .add_attribute("action", "activate")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("token_id", token_id)
        .add_attribute("owner", owner)
        .add_attribute("maker", device.maker)
        .add_attribute("key_type", device.key_type.as_str())
        .add_attribute("status", DeviceStatus::Active.as_str())
        .add_attribute("minter", env.contract.address))
}

/// Moves one device from `from` to `to` in the status counters.
fn move_count(storage: &mut dyn Storage, from: DeviceStatus, to: DeviceStatus) -> Result<(), ContractError> {
    let mut counts = STATUS_COUNTS.load(storage)?;
    let from_count = counts.get_mut(from);
    *from_count = from_count
        .checked_sub(1)
        .ok_or_else(|| StdError::generic_err(format!("{from} counter underflow")))?;
    let to_count = counts.get_mut(to);
    *to_count = to_count
        .checked_add(1)
        .ok_or_else(|| StdError::generic_err(format!("{to} counter overflow")))?;
    STATUS_COUNTS.save(storage, &counts)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// status

/// Allowed status changes (SetStatus): Active <-> Suspended; Registered, Active, Suspended -> Banned.
/// Banned is final; nothing goes back to Registered; a never-activated device only becomes Active via Activate.
pub fn check_transition(device_id: u64, from: DeviceStatus, to: DeviceStatus) -> Result<(), ContractError> {
    use DeviceStatus::*;
    if from == to {
        return Err(ContractError::StatusUnchanged { device_id, status: to });
    }
    match (from, to) {
        (Banned, _) => Err(ContractError::DeviceBanned { device_id }),
        (_, Registered) => Err(ContractError::InvalidStatusTransition { device_id, from, to }),
        (Registered, Active | Suspended) => Err(ContractError::NotActivated { device_id }),
        (Registered | Active | Suspended, Banned) | (Active, Suspended) | (Suspended, Active) => Ok(()),
        // Unreachable (same-status was handled above); kept as a typed error rather than a panic.
        _ => Err(ContractError::InvalidStatusTransition { device_id, from, to }),
    }
}

fn execute_set_status(
    deps: DepsMut,
    info: MessageInfo,
    device_id: u64,
    status: DeviceStatus,
    reason: String,
) -> Result<Response, ContractError> {
    let is_admin = ADMIN.is_owner(deps.storage, &info.sender)?;
    if !is_admin && !CONFIG.load(deps.storage)?.slashers.contains(&info.sender) {
        return Err(ContractError::NotSlasher {
            sender: info.sender.into_string(),
        });
    }
    validate_reason(&reason)?;
    let mut device = load_device(deps.storage, device_id)?;
    let from = device.status;
    check_transition(device_id, from, status)?;

    device.status = status;
    DEVICES.save(deps.storage, device_id, &device)?;
    move_count(deps.storage, from, status)?;

    let token_id = nft::token_id(device_id);
    let mut res = Response::new()
        .add_attribute("action", "set_status")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("from_status", from.as_str())
        .add_attribute("status", status.as_str())
        .add_attribute("reason", reason)
        .add_attribute("sender", info.sender)
        .add_attribute("authority", if is_admin { "admin" } else { "slasher" });
    if let Some(owner) = nft::owner_of(deps.storage, &token_id)? {
        res = res.add_attribute("owner", owner);
    }
    Ok(res)
}

// ---------------------------------------------------------------------------------------------------------------
// query and migrate

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    crate::query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeviceStatus::*;

    #[test]
    fn transition_table() {
        let all = [Registered, Active, Suspended, Banned];
        let allowed = [
            (Registered, Banned),
            (Active, Suspended),
            (Active, Banned),
            (Suspended, Active),
            (Suspended, Banned),
        ];
        for from in all {
            for to in all {
                let res = check_transition(7, from, to);
                assert_eq!(res.is_ok(), allowed.contains(&(from, to)), "{from} -> {to}: {res:?}");
            }
        }
        assert_eq!(
            check_transition(7, Banned, Active),
            Err(ContractError::DeviceBanned { device_id: 7 })
        );
        assert_eq!(
            check_transition(7, Registered, Active),
            Err(ContractError::NotActivated { device_id: 7 })
        );
        assert_eq!(
            check_transition(7, Active, Registered),
            Err(ContractError::InvalidStatusTransition {
                device_id: 7,
                from: Active,
                to: Registered
            })
        );
        assert_eq!(
            check_transition(7, Active, Active),
            Err(ContractError::StatusUnchanged {
                device_id: 7,
                status: Active
            })
        );
    }
}
