use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_ownable::Action;

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
    /// Receives the slashed amount minus the reporter's bounty (the rewards contract). Not this contract.
    pub rewards_pool: String,
    /// What a device's owner must have staked for it for the device to mine (> 0).
    pub min_stake_per_device: Uint128,
    /// Seconds between `Unstake` and the entry becoming claimable (≤ 365 days).
    pub unbonding_period: u64,
    /// Fraction of the position and of every slashable still-unbonding entry of a device taken by one `Slash`
    /// (≤ 1), rounded up per position/entry.
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
    /// unbonding period. The position must end at zero or at least `min_stake_per_device`.
    Unstake { device_id: u64, amount: Uint128 },
    /// Pay out the sender's matured unbonding entries (at most 30, earliest first; claim again for more).
    Claim {},
    /// Lock the attached `uemc` in tier `tier_id` for `beneficiary` (default: the sender; someone else only for the
    /// configured lockers). The lock keeps the tier's multiplier of today even if the tier changes later.
    Lock { tier_id: u64, beneficiary: Option<String> },
    /// Withdraw an expired lock (owner only). Early unlock is impossible.
    Unlock { lock_id: u64 },
    /// Permissionless: recompute `address`'s voting power and reward multiplier now, counting expired locks at 1x
    /// (weight = amount). Clears a stale boost without the owner's cooperation (e.g. a DAO keeper before a vote).
    RefreshPower { address: String },
    /// Slash a device (slashers and admin only): takes `slash_fraction` (rounded up) of the position on it and of
    /// every entry from it that is still unbonding, except entries of stakers who no longer owned the device at
    /// `offence_time`; pays `bounty_fraction` of the total to `reporter`, the rest to `rewards_pool`, and marks the
    /// device Suspended (or Banned if `ban`) in the registry.
    Slash {
        device_id: u64,
        reporter: String,
        reason: String,
        ban: bool,
        /// When the misbehaviour happened (the oracle hub passes the offending report's timestamp). A time after
        /// the current block counts as now; older than the unbonding period is refused (`EvidenceTooOld`).
        offence_time: Timestamp,
    },
    /// The device registry only (the configured `registry`): the NFT of `device_id` moved from `previous_owner` to
    /// `new_owner`. The previous owner's position on the device starts unbonding now and its entries from the device
    /// stop being slashable for later offences. Refused (failing the transfer) if the device would be left with more
    /// than 28 entries still unbonding.
    OwnerChanged {
        device_id: u64,
        previous_owner: String,
        new_owner: String,
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
    /// cw-ownable two-step admin handover, as in the registry: `{"transfer_ownership":{"new_owner":..,"expiry":null}}`
    /// by the admin, then `"accept_ownership"` by the new admin. `"renounce_ownership"` is refused.
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
    /// The position on `device_id` (at most one: its current owner's).
    #[returns(PositionsResponse)]
    PositionsByDevice { device_id: u64 },
    /// Current totals of one address (latest values, including changes of the current block).
    #[returns(StakerResponse)]
    Staker { address: String },
    /// Unbonding entries of `address`, earliest release first, after entry `start_after` (an entry id); `limit`
    /// defaults to 10, at most 30.
    #[returns(UnbondingResponse)]
    Unbonding {
        address: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
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
    /// Entries an address may hold for a voluntary `Unstake` to be accepted.
    pub max_unbonding_entries: u32,
    /// Entries still unbonding that an ownership change may leave on a device (else the transfer is refused).
    pub max_unbonding_per_device: u32,
    /// Entries a `Slash` reads at most.
    pub max_slash_entries: u32,
    /// Matured entries one `Claim` pays at most.
    pub max_claim_entries: u32,
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
    /// Σ lock weight as last recorded: amount × multiplier (rounded down) per lock, an expired lock at 1x (its
    /// amount) once the address's power was recomputed after the expiry.
    pub lock_weight: Uint128,
    /// `staked + lock_weight`: the recorded power.
    pub voting_power: Uint128,
    pub reward_multiplier: Decimal,
    /// Boost of expired locks that still counts: what `RefreshPower` would remove from `lock_weight` now.
    pub stale_boost: Uint128,
}

#[cw_serde]
pub struct UnbondingEntryResponse {
    pub id: u64,
    pub device_id: u64,
    pub amount: Uint128,
    pub release_at: Timestamp,
    pub claimable: bool,
    /// When the staker got the device, if staking saw it change hands: earlier offences do not slash the entry.
    pub owned_since: Option<Timestamp>,
    /// When the staker stopped owning the device, if it did while the entry was unbonding: offences from then on
    /// do not slash the entry.
    pub owned_until: Option<Timestamp>,
}

#[cw_serde]
pub struct UnbondingResponse {
    /// This page, earliest release first (then by id).
    pub entries: Vec<UnbondingEntryResponse>,
    /// Sum of ALL the address's unbonding entries (every page).
    pub total: Uint128,
    /// What the next `Claim` pays: its matured entries, at most 30, earliest first.
    pub claimable: Uint128,
}

#[cw_serde]
pub struct LockResponse {
    pub lock_id: u64,
    pub tier_id: u64,
    pub amount: Uint128,
    pub multiplier: Decimal,
    /// The boosted weight the lock was made with (amount × multiplier, rounded down).
    pub weight: Uint128,
    pub locked_at: Timestamp,
    pub expires_at: Timestamp,
    /// Whether `Unlock` would succeed now. An expired lock counts at 1x (its amount) from the next recomputation of
    /// the owner's power (any of its txs, or anyone's `RefreshPower`).
    pub expired: bool,
}

#[cw_serde]
pub struct LocksResponse {
    /// Ascending by lock id.
    pub locks: Vec<LockResponse>,
    pub total_amount: Uint128,
    /// The weight that counts now (as last recorded).
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
