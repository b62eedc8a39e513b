use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Addr;

#[cw_serde]
pub struct InstantiateMsg {
    /// Owner allowed to `Reset` and `UpdateOwner`; defaults to the instantiating sender.
    pub owner: Option<String>,
    /// Initial counter value.
    pub start: u64,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Add `by` (1..=1000) to the counter. Anyone may call it.
    Increment { by: u64 },
    /// Set the counter to `value`. Owner only.
    Reset { value: u64 },
    /// Hand ownership to `owner`. Owner only.
    UpdateOwner { owner: String },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(CountResponse)]
    Count {},
    #[returns(OwnerResponse)]
    Owner {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct CountResponse {
    pub count: u64,
    pub last_incremented_by: Option<Addr>,
}

#[cw_serde]
pub struct OwnerResponse {
    pub owner: Addr,
}
