//! Queries to the oracle hub and the device registry, through the interfaces in `edgemint-types` (this crate
//! depends on neither contract crate).

use cosmwasm_std::{Addr, Deps};
use edgemint_types::oracle::{CurrentEpochResponse, EpochResponse, HubQueryMsg};
use edgemint_types::registry::{DeviceResponse, RegistryQueryMsg};
use rewards_core::Hash;

use crate::error::ContractError;

pub fn query_epoch(deps: Deps, hub: &Addr, epoch: u64) -> Result<EpochResponse, ContractError> {
    deps.querier
        .query_wasm_smart(hub, &HubQueryMsg::Epoch { epoch })
        .map_err(|e| ContractError::HubQuery {
            epoch,
            reason: e.to_string(),
        })
}

pub fn query_current_epoch(deps: Deps, hub: &Addr) -> Result<CurrentEpochResponse, ContractError> {
    deps.querier
        .query_wasm_smart(hub, &HubQueryMsg::CurrentEpoch {})
        .map_err(|e| ContractError::HubCurrentEpoch { reason: e.to_string() })
}

pub fn query_device(deps: Deps, registry: &Addr, device_id: u64) -> Result<DeviceResponse, ContractError> {
    deps.querier
        .query_wasm_smart(registry, &RegistryQueryMsg::Device { device_id })
        .map_err(|e| ContractError::RegistryQuery {
            device_id,
            reason: e.to_string(),
        })
}

/// The accepted root of a hub epoch as a 32-byte hash.
pub fn root_of(epoch: u64, response: &EpochResponse) -> Result<Hash, ContractError> {
    response
        .root
        .as_ref()
        .and_then(|r| Hash::try_from(r.as_slice()).ok())
        .ok_or(ContractError::MissingRoot { epoch })
}
