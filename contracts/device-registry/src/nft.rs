//! The cw721 side of the registry: the registry *is* the device NFT collection. Token state lives in cw721 0.22's
//! storage and every transfer, approval and cw721 query is handled by the cw721 crate's own implementation
//! (`Cw721Execute` / `Cw721Query` default methods). Only minting is done here, because only `Activate` mints.

use cosmwasm_std::{Addr, Empty, StdResult, Storage};
use cw721::error::Cw721ContractError;
use cw721::extension::Cw721EmptyExtensions;
use cw721::state::{Cw721Config, NftInfo};

/// No on-chain NFT extension: `token_uri` carries the device's metadata URI; device data is in `Device`.
pub type NftExtension = Option<Empty>;

pub fn cw721() -> Cw721EmptyExtensions<'static> {
    Cw721EmptyExtensions::default()
}

fn config() -> Cw721Config<'static, NftExtension> {
    Cw721Config::default()
}

/// Token id of a device: its decimal id.
pub fn token_id(device_id: u64) -> String {
    device_id.to_string()
}

/// Mints the device token to `owner`. Writes the same state as cw721's `mint` (token + owner index + count);
/// the minter check is structural (no mint message exists) and the URI was validated at registration.
pub fn mint(
    storage: &mut dyn Storage,
    token_id: &str,
    owner: &Addr,
    token_uri: Option<String>,
) -> Result<(), Cw721ContractError> {
    let config = config();
    let token = NftInfo {
        owner: owner.clone(),
        approvals: vec![],
        token_uri,
        extension: None,
    };
    config.nft_info.update(storage, token_id, |old| match old {
        Some(_) => Err(Cw721ContractError::Claimed {}),
        None => Ok(token),
    })?;
    config.increment_tokens(storage)?;
    Ok(())
}

/// Current owner of a token, if it was minted.
pub fn owner_of(storage: &dyn Storage, token_id: &str) -> StdResult<Option<Addr>> {
    Ok(config().nft_info.may_load(storage, token_id)?.map(|t| t.owner))
}

/// Token ids held by `owner`, from cw721's owner index, after `start_after` (exclusive), at most `limit`.
pub fn tokens_of(
    storage: &dyn Storage,
    owner: &Addr,
    start_after: Option<String>,
    limit: usize,
) -> StdResult<Vec<String>> {
    let start = start_after.map(|s| cw_storage_plus::Bound::ExclusiveRaw(s.into_bytes()));
    config()
        .nft_info
        .idx
        .owner
        .prefix(owner.clone())
        .keys(storage, start, None, cosmwasm_std::Order::Ascending)
        .take(limit)
        .collect()
}
