use cosmwasm_std::{to_json_binary, Addr, Binary, Deps, Empty, Env, HexBinary, Order, StdError, StdResult};
use cw721::msg::Cw721QueryMsg;
use cw721::traits::Cw721Query;
use cw_storage_plus::Bound;
use edgemint_types::registry::{
    ActivationMessageResponse, DeviceResponse, DevicesResponse, RegistrationMessageResponse, CODE_HASH_LEN,
};

use crate::activation::{message_for, registration_message_for, sha256};
use crate::error::ContractError;
use crate::msg::{ConfigResponse, MakerResponse, MakersResponse, QueryMsg};
use crate::nft::{self, cw721, NftExtension};
use crate::state::{Device, ADMIN, CONFIG, DEVICES, DEVICES_BY_MAKER, DEVICE_BY_PUBKEY, MAKERS, NEXT_DEVICE_ID};
use crate::validation::{MAX_APPROVALS_PER_TOKEN, MAX_BATCH_SIZE};

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

fn limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

fn capped(limit: Option<u32>) -> Option<u32> {
    Some(limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT))
}

type Cw721Msg = Cw721QueryMsg<NftExtension, Option<Empty>, Empty>;

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let cw721_msg: Cw721Msg = match msg {
        QueryMsg::Config {} => return Ok(to_json_binary(&query_config(deps)?)?),
        QueryMsg::Ownership {} => return Ok(to_json_binary(&ADMIN.get_ownership(deps.storage)?)?),
        QueryMsg::Device { device_id } => return Ok(to_json_binary(&query_device(deps, device_id)?)?),
        QueryMsg::DeviceByPubkey { pubkey } => {
            let device_id = DEVICE_BY_PUBKEY
                .may_load(deps.storage, pubkey.as_slice())?
                .ok_or_else(|| ContractError::UnknownPubkey {
                    pubkey: HexBinary::from(pubkey.as_slice()).to_hex(),
                })?;
            return Ok(to_json_binary(&query_device(deps, device_id)?)?);
        }
        QueryMsg::DevicesByOwner {
            owner,
            start_after,
            limit: l,
        } => {
            let owner = deps.api.addr_validate(&owner)?;
            let token_ids = nft::tokens_of(deps.storage, &owner, start_after.map(nft::token_id), limit(l))?;
            let devices = token_ids
                .iter()
                .map(|token_id| {
                    let device_id: u64 = token_id
                        .parse()
                        .map_err(|_| StdError::generic_err(format!("token id {token_id} is not a device id")))?;
                    query_device(deps, device_id)
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(to_json_binary(&DevicesResponse { devices })?);
        }
        QueryMsg::DevicesByMaker {
            maker,
            start_after,
            limit: l,
        } => {
            let maker = deps.api.addr_validate(&maker)?;
            let device_ids = DEVICES_BY_MAKER
                .prefix(&maker)
                .keys(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
                .take(limit(l))
                .collect::<StdResult<Vec<u64>>>()?;
            let devices = device_ids
                .into_iter()
                .map(|id| query_device(deps, id))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(to_json_binary(&DevicesResponse { devices })?);
        }
        QueryMsg::StatusCounts {} => return Ok(to_json_binary(&crate::state::STATUS_COUNTS.load(deps.storage)?)?),
        QueryMsg::Maker { address } => {
            let address = deps.api.addr_validate(&address)?;
            let maker = MAKERS.may_load(deps.storage, &address)?;
            return Ok(to_json_binary(&MakerResponse {
                address,
                approved: maker.is_some(),
                approved_at: maker.map(|m| m.approved_at),
            })?);
        }
        QueryMsg::Makers { start_after, limit: l } => {
            let start = cw_utils::maybe_addr(deps.api, start_after)?;
            let makers = MAKERS
                .range(
                    deps.storage,
                    start.as_ref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit(l))
                .map(|item| {
                    item.map(|(address, maker)| MakerResponse {
                        address,
                        approved: true,
                        approved_at: Some(maker.approved_at),
                    })
                })
                .collect::<StdResult<Vec<_>>>()?;
            return Ok(to_json_binary(&MakersResponse { makers })?);
        }
        QueryMsg::ActivationMessage { device_id, owner } => {
            return Ok(to_json_binary(&query_activation_message(
                deps, &env, device_id, owner,
            )?)?)
        }
        QueryMsg::RegistrationMessage { maker, code_hash } => {
            return Ok(to_json_binary(&query_registration_message(
                deps, &env, maker, code_hash,
            )?)?)
        }

        // ----- cw721: answered by the cw721 crate -----
        QueryMsg::OwnerOf {
            token_id,
            include_expired,
        } => Cw721Msg::OwnerOf {
            token_id,
            include_expired,
        },
        QueryMsg::Approval {
            token_id,
            spender,
            include_expired,
        } => Cw721Msg::Approval {
            token_id,
            spender,
            include_expired,
        },
        QueryMsg::Approvals {
            token_id,
            include_expired,
        } => Cw721Msg::Approvals {
            token_id,
            include_expired,
        },
        QueryMsg::Operator {
            owner,
            operator,
            include_expired,
        } => Cw721Msg::Operator {
            owner,
            operator,
            include_expired,
        },
        QueryMsg::AllOperators {
            owner,
            include_expired,
            start_after,
            limit,
        } => Cw721Msg::AllOperators {
            owner,
            include_expired,
            start_after,
            limit: capped(limit),
        },
        QueryMsg::NumTokens {} => Cw721Msg::NumTokens {},
        #[allow(deprecated)]
        QueryMsg::ContractInfo {} => Cw721Msg::ContractInfo {},
        QueryMsg::GetCollectionInfoAndExtension {} => Cw721Msg::GetCollectionInfoAndExtension {},
        #[allow(deprecated)]
        QueryMsg::Minter {} => Cw721Msg::Minter {},
        QueryMsg::GetMinterOwnership {} => Cw721Msg::GetMinterOwnership {},
        QueryMsg::NftInfo { token_id } => Cw721Msg::NftInfo { token_id },
        QueryMsg::AllNftInfo {
            token_id,
            include_expired,
        } => Cw721Msg::AllNftInfo {
            token_id,
            include_expired,
        },
        QueryMsg::Tokens {
            owner,
            start_after,
            limit,
        } => Cw721Msg::Tokens {
            owner,
            start_after,
            limit: capped(limit),
        },
        QueryMsg::AllTokens { start_after, limit } => Cw721Msg::AllTokens {
            start_after,
            limit: capped(limit),
        },
    };
    Ok(cw721().query(deps, &env, cw721_msg)?)
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let ownership = ADMIN.get_ownership(deps.storage)?;
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        admin: ownership.owner,
        pending_admin: ownership.pending_owner,
        slashers: config.slashers,
        staking: config.staking,
        next_device_id: NEXT_DEVICE_ID.load(deps.storage)?,
        max_batch_size: MAX_BATCH_SIZE,
        max_approvals_per_token: MAX_APPROVALS_PER_TOKEN,
    })
}

fn load(deps: Deps, device_id: u64) -> Result<Device, ContractError> {
    DEVICES
        .may_load(deps.storage, device_id)?
        .ok_or(ContractError::UnknownDevice { device_id })
}

pub fn query_device(deps: Deps, device_id: u64) -> Result<DeviceResponse, ContractError> {
    let device = load(deps, device_id)?;
    let token_id = nft::token_id(device_id);
    let owner: Option<Addr> = match device.activated_at {
        Some(_) => nft::owner_of(deps.storage, &token_id)?,
        None => None,
    };
    Ok(DeviceResponse {
        device_id,
        token_id,
        maker: device.maker,
        key_type: device.key_type,
        pubkey: device.pubkey,
        code_hash: HexBinary::from(device.code_hash.as_slice()),
        model: device.model,
        metadata_uri: device.metadata_uri,
        status: device.status,
        owner,
        activated_at: device.activated_at,
    })
}

fn query_activation_message(
    deps: Deps,
    env: &Env,
    device_id: u64,
    owner: String,
) -> Result<ActivationMessageResponse, ContractError> {
    let device = load(deps, device_id)?;
    let owner = deps.api.addr_validate(&owner)?;
    let message = message_for(env, &owner, device.code_hash.as_slice());
    let text =
        String::from_utf8(message.clone()).map_err(|_| StdError::generic_err("activation message is not UTF-8"))?;
    Ok(ActivationMessageResponse {
        device_id,
        key_type: device.key_type,
        owner,
        code_hash: HexBinary::from(device.code_hash.as_slice()),
        message_hash: HexBinary::from(sha256(&message).as_slice()),
        message: Binary::from(message),
        text,
    })
}

fn query_registration_message(
    deps: Deps,
    env: &Env,
    maker: String,
    code_hash: HexBinary,
) -> Result<RegistrationMessageResponse, ContractError> {
    let maker = deps.api.addr_validate(&maker)?;
    if code_hash.len() != CODE_HASH_LEN {
        return Err(ContractError::InvalidCodeHash {
            index: 0,
            actual: crate::validation::len_u32(code_hash.len()),
        });
    }
    let message = registration_message_for(env, &maker, code_hash.as_slice());
    let text =
        String::from_utf8(message.clone()).map_err(|_| StdError::generic_err("registration message is not UTF-8"))?;
    Ok(RegistrationMessageResponse {
        maker,
        message_hash: HexBinary::from(sha256(&message).as_slice()),
        message: Binary::from(message),
        text,
        code_hash,
    })
}
