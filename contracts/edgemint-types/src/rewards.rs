//! The rewards contract's interface as other contracts see it: the oracle hub checks a reported total against the
//! epoch's device budget. The rewards contract's own `msg.rs` re-exports these.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Uint128;

/// What an epoch may pay out.
#[cw_serde]
pub struct EpochBudgetResponse {
    pub epoch: u64,
    /// Emission from the schedule for this epoch (capped by what the pool still holds unreserved).
    pub emission: Uint128,
    /// Revenue and fees sent in that were assigned to this epoch.
    pub revenue: Uint128,
    /// The operators' share of emission + revenue.
    pub operator_budget: Uint128,
    /// What the epoch's Merkle root may distribute to devices: (emission + revenue) − operator_budget.
    pub device_budget: Uint128,
}

/// What the oracle hub (and anyone, for `AddRevenue`) executes on the rewards contract (a subset of its
/// `ExecuteMsg`, same JSON).
#[cw_serde]
pub enum RewardsExecuteMsg {
    /// Hub only, when a root reaches quorum: reserves `total_amount` (must be ≤ the device budget) and the operator
    /// budget from the pool. Fails, and so fails the report that reached quorum, if the total exceeds the budget.
    ReserveEpoch { epoch: u64, total_amount: Uint128 },
    /// Hub only, when the DAO vetoes an accepted root: the reservation returns to the pool.
    ReleaseEpoch { epoch: u64 },
    /// Anyone, with funds: revenue and fees, added to the next epoch's budget (slashed operator bonds come here).
    AddRevenue {},
}

/// The rewards queries other contracts make (a subset of the rewards contract's `QueryMsg`, same JSON).
#[cw_serde]
#[derive(QueryResponses)]
pub enum RewardsQueryMsg {
    #[returns(EpochBudgetResponse)]
    EpochBudget { epoch: u64 },
}
