//! Calls into the device registry, through the registry interface in `edgemint-types` (the staking crate does not
//! depend on the registry crate; see edgemint-types' Cargo.toml for why).

use cosmwasm_std::{to_json_binary, Addr, CosmosMsg, Deps, StdResult, WasmMsg};
use edgemint_types::registry::{DeviceResponse, DeviceStatus, RegistryExecuteMsg, RegistryQueryMsg};

use crate::error::ContractError;

/// Loads a device from the registry; any failure (unknown device, registry down) becomes a typed error.
pub fn query_device(deps: Deps, registry: &Addr, device_id: u64) -> Result<DeviceResponse, ContractError> {
    deps.querier
        .query_wasm_smart(registry, &RegistryQueryMsg::Device { device_id })
        .map_err(|e| ContractError::RegistryQuery {
            device_id,
            reason: e.to_string(),
        })
}

pub fn set_status_msg(registry: &Addr, device_id: u64, status: DeviceStatus, reason: String) -> StdResult<CosmosMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: registry.to_string(),
        msg: to_json_binary(&RegistryExecuteMsg::SetStatus {
            device_id,
            status,
            reason,
        })?,
        funds: vec![],
    }
    .into())
}
