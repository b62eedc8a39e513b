//! The rewards contract's interface as other contracts see it: the oracle hub checks a reported total against the
//! epoch's device budget. The rewards contract's own `msg.rs` re-exports these.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Uint128;

/// What an epoch may pay out. Live figures until the hub reserves the epoch's budget (at the epoch's first report),
/// then the figures frozen at that moment, for good.
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
    /// True once the budget is reserved and frozen (the epoch's first report reserved it): every operator computes
    /// against these same figures from then on. False: live figures, which may still change until the first report.
    #[serde(default)]
    pub frozen: bool,
}

/// What the oracle hub (and anyone, for `AddRevenue`) executes on the rewards contract (a subset of its
/// `ExecuteMsg`, same JSON).
#[cw_serde]
pub enum RewardsExecuteMsg {
    /// Hub only, at an epoch's first report: reserves the epoch's whole budget (device budget + operator budget, as
    /// `EpochBudget` answers at that moment: emission capped by the free pool, plus the earmarked revenue) and
    /// freezes it. Idempotent: a second call for a reserved epoch changes nothing. It never fails for lack of funds
    /// (a dry pool reserves a smaller, possibly zero, budget), so it cannot make one reporter's transaction fail where
    /// another's would pass. JSON: `{"reserve_budget":{"epoch":7}}`.
    ReserveBudget { epoch: u64 },
    /// Hub only, when a root reaches quorum: `total_amount` (≤ the frozen device budget, else `TotalExceedsBudget`)
    /// is what devices may claim; the unused `device_budget − total_amount` returns to the pool. Once per epoch.
    /// JSON: `{"settle_epoch":{"epoch":7,"total_amount":"123"}}`.
    SettleEpoch { epoch: u64, total_amount: Uint128 },
    /// Hub only, when the DAO vetoes an accepted root or abandons an epoch that never reached a quorum: everything
    /// still reserved for the epoch returns to the pool and nothing is paid for it. JSON:
    /// `{"release_epoch":{"epoch":7}}`.
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
