use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};

pub use edgemint_types::staking::{
    MiningStatusResponse, RewardMultiplierResponse, TotalPowerAtHeightResponse, VotingPowerAtHeightResponse,
};

/// A lock-up tier: locking for `duration` seconds weighs the locked amount by `multiplier` (1.0 ..= 10.0) for voting
/// power and rewards.
#[cw_serde]
pub struct LockTier {
    pub id: u64,
    /// Seconds, 1 ..= `MAX_LOCK_DURATION`.
    pub duration: u64,
    pub multiplier: Decimal,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// Admin (the DAO later); defaults to the instantiating sender.
    pub admin: Option<String>,
    /// Native staking denom, `uemc`.
    pub denom: String,
    /// The device-registry contract.
    pub registry: String,
    /// Receives the slashed amount minus the reporter's bounty (the rewards contract).
    pub rewards_pool: String,
    /// What a device's owner must have staked for it for the device to mine (> 0).
    pub min_stake_per_device: Uint128,
    /// Seconds between `Unstake` and the entry becoming claimable (≤ 365 days).
    pub unbonding_period: u64,
    /// Fraction of every position and still-unbonding entry of a device taken by one `Slash` (≤ 1).
    pub slash_fraction: Decimal,
    /// Fraction of the slashed amount paid to the reporter (≤ 1); the rest goes to `rewards_pool`.
    pub bounty_fraction: Decimal,
    /// Addresses besides the admin allowed to `Slash` (the oracle hub). At most 10.
    pub slashers: Vec<String>,
    /// Addresses allowed to `Lock` for another beneficiary (the rewards contract). At most 10.
    pub lockers: Vec<String>,
    /// Lock tiers; `None` installs the defaults (3/6/12/24 months → 1.25/1.5/2.0/3.0, ids 1..=4).
    pub tiers: Option<Vec<LockTier>>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Stake the attached `uemc` for `device_id`. Only the device's current owner, only while the device is Active,
    /// and the resulting position must hold at least `min_stake_per_device`.
    Stake { device_id: u64 },
    /// Move `amount` of the sender's position on `device_id` into a new unbonding entry, claimable after the
    /// unbonding period. Allowed whoever owns the device now and whatever its status.
    Unstake { device_id: u64, amount: Uint128 },
    /// Pay out every matured unbonding entry of the sender.
    Claim {},
    /// Lock the attached `uemc` in tier `tier_id` for `beneficiary` (default: the sender; someone else only for the
    /// configured lockers). The lock keeps the tier's multiplier of today even if the tier changes later.
    Lock { tier_id: u64, beneficiary: Option<String> },
    /// Withdraw an expired lock (owner only). Early unlock is impossible.
    Unlock { lock_id: u64 },
    /// Slash a device (slashers and admin only): takes `slash_fraction` of every position on it and of every entry
    /// from it that is still unbonding, pays `bounty_fraction` of that to `reporter`, the rest to `rewards_pool`, and
    /// marks the device Suspended (or Banned if `ban`) in the registry.
    Slash {
        device_id: u64,
        reporter: String,
        reason: String,
        ban: bool,
    },
    /// Admin only. Every field is optional; `None` keeps the current value.
    UpdateConfig {
        min_stake_per_device: Option<Uint128>,
        unbonding_period: Option<u64>,
        slash_fraction: Option<Decimal>,
        bounty_fraction: Option<Decimal>,
        rewards_pool: Option<String>,
        registry: Option<String>,
        /// Replaces the whole slasher list.
        slashers: Option<Vec<String>>,
        /// Replaces the whole locker list.
        lockers: Option<Vec<String>>,
        /// Adds these tiers or replaces the tiers with the same id (existing locks keep their multiplier).
        upsert_tiers: Option<Vec<LockTier>>,
        /// Removes these tiers (existing locks are unaffected). Applied before `upsert_tiers`.
        remove_tiers: Option<Vec<u64>>,
    },
    /// Admin only: start a two-step handover to `new_admin` (replaces any pending proposal).
    ProposeAdmin { new_admin: String },
    /// The proposed admin accepts the handover.
    AcceptAdmin {},
    /// Admin only: withdraw a pending handover.
    CancelAdminProposal {},
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The stake of `staker` on `device_id` (0 if none).
    #[returns(PositionResponse)]
    Position { device_id: u64, staker: String },
    /// Positions of `staker` by ascending device id; `limit` defaults to 10, at most 30.
    #[returns(PositionsResponse)]
    PositionsByStaker {
        staker: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Every position on `device_id` (at most `max_positions_per_device`).
    #[returns(PositionsResponse)]
    PositionsByDevice { device_id: u64 },
    /// Current totals of one address (latest values, including changes of the current block).
    #[returns(StakerResponse)]
    Staker { address: String },
    /// Unbonding entries of `address` (at most `max_unbonding_entries`).
    #[returns(UnbondingResponse)]
    Unbonding { address: String },
    /// Locks of `address` (at most `max_locks_per_address`).
    #[returns(LocksResponse)]
    Locks { address: String },
    #[returns(TotalStakedResponse)]
    TotalStaked {},
    #[returns(TotalLockedResponse)]
    TotalLocked {},
    /// Power at the START of block `height` (default: current height). Heights in the future are rejected.
    #[returns(VotingPowerAtHeightResponse)]
    VotingPowerAtHeight { address: String, height: Option<u64> },
    #[returns(TotalPowerAtHeightResponse)]
    TotalPowerAtHeight { height: Option<u64> },
    #[returns(RewardMultiplierResponse)]
    RewardMultiplierAtHeight { address: String, height: Option<u64> },
    #[returns(MiningStatusResponse)]
    MiningStatus { device_id: u64 },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: Addr,
    pub pending_admin: Option<Addr>,
    pub denom: String,
    pub registry: Addr,
    pub rewards_pool: Addr,
    pub min_stake_per_device: Uint128,
    pub unbonding_period: u64,
    pub slash_fraction: Decimal,
    pub bounty_fraction: Decimal,
    pub slashers: Vec<Addr>,
    pub lockers: Vec<Addr>,
    /// Ascending by id.
    pub tiers: Vec<LockTier>,
    pub max_positions_per_device: u32,
    pub max_unbonding_entries: u32,
    pub max_unbonding_per_device: u32,
    pub max_locks_per_address: u32,
}

#[cw_serde]
pub struct PositionResponse {
    pub device_id: u64,
    pub staker: Addr,
    pub amount: Uint128,
}

#[cw_serde]
pub struct PositionsResponse {
    pub positions: Vec<PositionResponse>,
}

#[cw_serde]
pub struct StakerResponse {
    pub address: Addr,
    /// Sum of the address's positions.
    pub staked: Uint128,
    /// Sum of the address's unbonding entries (matured or not).
    pub unbonding: Uint128,
    /// Sum of the address's locks (expired or not, until unlocked).
    pub locked: Uint128,
    /// Σ lock amount × lock multiplier (each rounded down).
    pub lock_weight: Uint128,
    /// `staked + lock_weight`.
    pub voting_power: Uint128,
    pub reward_multiplier: Decimal,
}

#[cw_serde]
pub struct UnbondingEntryResponse {
    pub id: u64,
    pub device_id: u64,
    pub amount: Uint128,
    pub release_at: Timestamp,
    pub claimable: bool,
}

#[cw_serde]
pub struct UnbondingResponse {
    /// Ascending by id (creation order).
    pub entries: Vec<UnbondingEntryResponse>,
    pub total: Uint128,
    pub claimable: Uint128,
}

#[cw_serde]
pub struct LockResponse {
    pub lock_id: u64,
    pub tier_id: u64,
    pub amount: Uint128,
    pub multiplier: Decimal,
    pub weight: Uint128,
    pub locked_at: Timestamp,
    pub expires_at: Timestamp,
    /// Whether `Unlock` would succeed now (the weight still counts until then).
    pub expired: bool,
}

#[cw_serde]
pub struct LocksResponse {
    /// Ascending by lock id.
    pub locks: Vec<LockResponse>,
    pub total_amount: Uint128,
    pub total_weight: Uint128,
}

#[cw_serde]
pub struct TotalStakedResponse {
    /// Sum of all positions.
    pub staked: Uint128,
    /// Sum of all unbonding entries not yet claimed.
    pub unbonding: Uint128,
}

#[cw_serde]
pub struct TotalLockedResponse {
    pub amount: Uint128,
    pub weight: Uint128,
}
