use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, HexBinary, Timestamp, Uint128};
use cw_ownable::Action;

pub use edgemint_types::oracle::EpochStatus;
pub use edgemint_types::rewards::{EpochBudgetResponse, RewardsExecuteMsg, RewardsQueryMsg};

/// Emission per epoch: `epoch_emission × (1 − decay)^(epoch / decay_period_epochs)` (integer division), rounded
/// down, and never more than the pool still holds unreserved.
#[cw_serde]
pub struct EmissionSchedule {
    /// Emission of epoch 0 (and of every epoch of the first decay period), in `denom`.
    pub epoch_emission: Uint128,
    /// Fraction removed every `decay_period_epochs` epochs, `0 ≤ decay < 1` (`0` = constant emission).
    pub decay: Decimal,
    /// Epochs per decay step (≥ 1), e.g. 365 for daily epochs and a yearly decay.
    pub decay_period_epochs: u64,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// Admin (the DAO later); defaults to the instantiating sender.
    pub admin: Option<String>,
    /// The oracle hub: the only sender of `ReserveBudget`/`SettleEpoch`/`ReleaseEpoch`, and the source of epoch status
    /// and roots.
    pub hub: String,
    /// The device registry (claims of banned devices are refused).
    pub registry: String,
    /// Native denom of the pool, `uemc`.
    pub denom: String,
    pub schedule: EmissionSchedule,
    /// Share of each epoch's budget (emission + revenue) paid to the operators who reported the final root, ≤ 0.5.
    pub operator_share: Decimal,
    /// Most claims per `Claim` batch, 1..=50; default 50.
    pub max_batch: Option<u32>,
    /// Seconds after an epoch became final before the admin may close it and return its unclaimed rewards to the
    /// pool (`CloseEpoch`); 1 day ..= 10 years, default 365 days.
    pub claim_window: Option<u64>,
}

/// One leaf of an epoch's reward tree plus its Merkle proof (sibling hashes from the leaf up, 32 bytes each, hex).
#[cw_serde]
pub struct ClaimItem {
    pub epoch: u64,
    pub device_id: u64,
    /// The leaf's owner (canonical lowercase bech32): the funds always go here.
    pub owner: String,
    pub amount: Uint128,
    pub proof: Vec<HexBinary>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Anyone, with funds in `denom`: adds them to the pool (free for emission).
    Fund {},
    /// Anyone, with funds in `denom`: revenue and fees, earmarked for the budget of the epoch after the hub's current
    /// one.
    AddRevenue {},
    /// Anyone: credits `denom` funds that reached the contract without `Fund` (plain bank sends, genesis balance) to
    /// the free pool.
    Sync {},
    /// Hub only, at the epoch's first report: reserves and freezes the epoch's whole budget (device + operator
    /// budget, emission capped by the free pool). Idempotent; never fails for lack of funds.
    ReserveBudget { epoch: u64 },
    /// Hub only, when a root reaches quorum: `total_amount` (≤ the frozen device budget) becomes claimable; the
    /// unused device budget returns to the free pool. Once per epoch.
    SettleEpoch { epoch: u64, total_amount: Uint128 },
    /// Hub only, when the DAO vetoes the accepted root or abandons the epoch: what is still reserved for the epoch
    /// returns to the free pool.
    ReleaseEpoch { epoch: u64 },
    /// Anyone, for anyone: pays each leaf's amount to the leaf's owner (one bank send per distinct owner). All or
    /// nothing: the first failing item fails the batch with an error naming it.
    Claim { claims: Vec<ClaimItem> },
    /// The leaf's owner only: claims one leaf and sends the amount over IBC (ICS-20) to `receiver` on the other chain.
    ClaimAndSend {
        claim: ClaimItem,
        channel_id: String,
        receiver: String,
        /// Seconds from now until the transfer times out (refunded to the owner); default 600, at most 7 days.
        timeout_seconds: Option<u64>,
    },
    /// An operator who reported the final root of `epoch`: pays its equal share of the epoch's operator budget.
    ClaimOperatorReward { epoch: u64 },
    /// Admin only. `None` keeps the current value. A new schedule applies to every epoch not yet reserved.
    UpdateConfig {
        hub: Option<String>,
        registry: Option<String>,
        schedule: Option<EmissionSchedule>,
        operator_share: Option<Decimal>,
        max_batch: Option<u32>,
        claim_window: Option<u64>,
    },
    /// Admin only, once `claim_window` has passed since the epoch became final at the hub: whatever is still reserved
    /// for the epoch (unclaimed leaves, e.g. of banned devices; unclaimed or zero operator shares) returns to the free
    /// pool, and later claims for the epoch fail with `EpochClosed`.
    CloseEpoch { epoch: u64 },
    /// Admin only, for a `ClaimAndSend` transfer whose IBC callback never arrived, at least `IBC_RESOLVE_GRACE` (1 day)
    /// after its timeout: `delivered: true` settles it (the owner got the coins on the other chain); `false` sends
    /// the refund to the owner, only if the refunded coins are in the contract (its balance exceeds `pool_total` by
    /// at least the amount). The DAO checks the packet's fate on both chains before choosing.
    ResolveIbcTransfer {
        epoch: u64,
        device_id: u64,
        delivered: bool,
    },
    /// Admin only: moves the revenue earmarked for an epoch that is not reserved (e.g. one that never got a report)
    /// to another epoch not yet reserved, or to the free pool (`to_epoch: null`).
    ReassignRevenue { from_epoch: u64, to_epoch: Option<u64> },
    /// cw-ownable two-step admin handover, as in the registry and staking:
    /// `{"transfer_ownership":{"new_owner":..,"expiry":null}}` by the admin, then `"accept_ownership"` by the new
    /// admin. `"renounce_ownership"` is refused.
    UpdateOwnership(Action),
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The admin and any pending admin handover (cw-ownable).
    #[returns(cw_ownable::Ownership<Addr>)]
    Ownership {},
    /// The epoch's budget: live figures until it is reserved (at its first report), then the frozen figures.
    #[returns(EpochBudgetResponse)]
    EpochBudget { epoch: u64 },
    /// Reservation and claim progress of an epoch, and its status at the hub.
    #[returns(EpochStateResponse)]
    EpochState { epoch: u64 },
    #[returns(ClaimedResponse)]
    Claimed { epoch: u64, device_id: u64 },
    #[returns(OperatorClaimedResponse)]
    OperatorClaimed { epoch: u64, operator: String },
    #[returns(PoolResponse)]
    Pool {},
    /// Scheduled emission (before the pool cap) of `count` (≤ 100) epochs from `start_epoch`.
    #[returns(ScheduleResponse)]
    Schedule { start_epoch: u64, count: u32 },
    /// Revenue earmarked for `epoch`.
    #[returns(RevenueResponse)]
    Revenue { epoch: u64 },
    /// The `ClaimAndSend` transfer of a claim still waiting for its IBC acknowledgement or timeout.
    #[returns(IbcTransferResponse)]
    IbcTransfer { epoch: u64, device_id: u64 },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: Addr,
    pub pending_admin: Option<Addr>,
    pub hub: Addr,
    pub registry: Addr,
    pub denom: String,
    pub schedule: EmissionSchedule,
    pub operator_share: Decimal,
    pub max_batch: u32,
    pub claim_window: u64,
}

#[cw_serde]
pub struct EpochStateResponse {
    pub epoch: u64,
    /// The epoch's status at the hub (`None` if the hub could not be queried).
    pub hub_status: Option<EpochStatus>,
    /// Whether the hub reserved the epoch's budget (stays true after a release).
    pub reserved: bool,
    /// Whether the hub settled the accepted root's total (`SettleEpoch`).
    pub settled: bool,
    /// Whether the reservation was released (vetoed or abandoned epoch): nothing is paid for it.
    pub released: bool,
    /// When the admin closed the epoch (`CloseEpoch`): nothing more is paid for it.
    pub closed_at: Option<Timestamp>,
    /// The budget: the reserved figures once reserved, live figures before.
    pub budget: EpochBudgetResponse,
    /// The root's total reserved for devices (0 before the settlement).
    pub total_amount: Uint128,
    /// Paid to devices so far.
    pub claimed: Uint128,
    /// Paid to operators so far.
    pub operator_claimed: Uint128,
    /// Each reporter's share, fixed at the first operator claim.
    pub operator_reward_per_reporter: Option<Uint128>,
    /// Rounding remainder of the operator budget returned to the pool at the first operator claim.
    pub operator_dust: Uint128,
    /// Still reserved for this epoch (unclaimed device and operator rewards).
    pub outstanding: Uint128,
}

#[cw_serde]
pub struct ClaimedResponse {
    pub epoch: u64,
    pub device_id: u64,
    pub claimed: bool,
    /// The amount paid (0 if not claimed).
    pub amount: Uint128,
}

#[cw_serde]
pub struct OperatorClaimedResponse {
    pub epoch: u64,
    pub operator: Addr,
    pub claimed: bool,
    pub amount: Uint128,
}

#[cw_serde]
pub struct PoolResponse {
    pub denom: String,
    /// The contract's bank balance of `denom`.
    pub balance: Uint128,
    /// All funds credited (Fund, AddRevenue, Sync, instantiate) minus everything paid out.
    pub pool_total: Uint128,
    /// Reserved for epochs and not yet paid.
    pub reserved: Uint128,
    /// `pool_total − reserved`.
    pub unreserved: Uint128,
    /// Revenue earmarked for epochs not yet reserved (part of `unreserved`).
    pub earmarked_revenue: Uint128,
    /// `unreserved − earmarked_revenue`: what emission can still draw on.
    pub free: Uint128,
    /// Sent by `ClaimAndSend` and not yet acknowledged (already paid out; a refund of it belongs to the owners).
    pub ibc_pending: Uint128,
}

#[cw_serde]
pub struct ScheduleEntry {
    pub epoch: u64,
    /// Scheduled emission, before the cap by the free pool.
    pub emission: Uint128,
}

#[cw_serde]
pub struct ScheduleResponse {
    pub schedule: EmissionSchedule,
    pub entries: Vec<ScheduleEntry>,
}

#[cw_serde]
pub struct RevenueResponse {
    pub epoch: u64,
    pub amount: Uint128,
}

/// A `ClaimAndSend` transfer waiting for its IBC acknowledgement or timeout (see `ibc.rs`).
#[cw_serde]
pub struct PendingTransfer {
    pub owner: Addr,
    pub amount: Uint128,
    pub channel_id: String,
    pub receiver: String,
    /// When the packet times out on the other chain.
    pub timeout: Timestamp,
}

#[cw_serde]
pub struct IbcTransferResponse {
    pub epoch: u64,
    pub device_id: u64,
    /// `None` once settled (delivered or refunded), or if the claim was not sent over IBC.
    pub pending: Option<PendingTransfer>,
}
