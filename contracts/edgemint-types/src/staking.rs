//! The staking contract's interface as other contracts see it: the DAO reads voting power, the rewards contract and
//! the oracles read reward multipliers and mining eligibility, the oracle hub slashes, the rewards contract locks
//! claimed rewards for an owner, the device registry reports NFT owner changes, and a keeper clears stale boosts.
//!
//! [`StakingQuery`] and [`StakingExecute`] are subsets of the staking contract's own `QueryMsg` / `ExecuteMsg`: each
//! variant here serializes to exactly the same JSON as the staking contract's variant of the same name (the staking
//! crate's tests check this), so a caller can build the message without depending on the staking crate.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};

use crate::registry::DeviceStatus;

/// Queries other contracts send to the staking contract.
#[cw_serde]
#[derive(QueryResponses)]
pub enum StakingQuery {
    /// Voting power of `address` at the START of block `height` (changes made in block `height` are not included).
    /// `height` defaults to the current block height. JSON: `{"voting_power_at_height":{"address":"emc1..","height":12}}`
    #[returns(VotingPowerAtHeightResponse)]
    VotingPowerAtHeight { address: String, height: Option<u64> },
    /// Sum of every address's voting power at the START of block `height` (default: current height).
    #[returns(TotalPowerAtHeightResponse)]
    TotalPowerAtHeight { height: Option<u64> },
    /// Effective lock multiplier of `address` for rewards at the START of block `height` (default: current height):
    /// `(staked + Σ lock × multiplier) / (staked + Σ lock)`, 1.0 when the address has nothing locked.
    #[returns(RewardMultiplierResponse)]
    RewardMultiplierAtHeight { address: String, height: Option<u64> },
    /// Whether the device may mine now: Active in the registry and its current owner has at least the minimum stake
    /// staked for it.
    #[returns(MiningStatusResponse)]
    MiningStatus { device_id: u64 },
}

/// Executes other contracts send to the staking contract.
#[cw_serde]
pub enum StakingExecute {
    /// Slash the device (slashers and admin only): its owner's position and the entries from it still unbonding,
    /// except stake of previous owners who no longer held the device at `offence_time`. JSON:
    /// `{"slash":{"device_id":1,"reporter":"emc1..","reason":"..","ban":true,"offence_time":"1700000000000000000"}}`
    /// (`offence_time` is a `Timestamp`: unix nanoseconds as a string).
    Slash {
        device_id: u64,
        reporter: String,
        reason: String,
        ban: bool,
        /// When the misbehaviour happened (the oracle hub passes the offending report's timestamp). A time after the
        /// current block counts as now; one older than the unbonding period is refused (`EvidenceTooOld`).
        offence_time: Timestamp,
    },
    /// Lock the attached `uemc` in tier `tier_id`, for `beneficiary` (default: the sender). Locking for someone else
    /// is reserved to the configured lockers (the rewards contract).
    Lock { tier_id: u64, beneficiary: Option<String> },
    /// Sent by the device registry on every ownership change of an activated device (transfer or send of its NFT);
    /// accepted only from the registry the staking contract is configured with. JSON:
    /// `{"owner_changed":{"device_id":1,"previous_owner":"emc1..","new_owner":"emc1.."}}`
    OwnerChanged {
        device_id: u64,
        previous_owner: String,
        new_owner: String,
    },
    /// Permissionless: recompute `address`'s voting power and reward multiplier now, counting expired locks at 1x.
    RefreshPower { address: String },
}

/// DAO-DAO style voting power answer.
#[cw_serde]
pub struct VotingPowerAtHeightResponse {
    pub power: Uint128,
    pub height: u64,
}

/// DAO-DAO style total power answer.
#[cw_serde]
pub struct TotalPowerAtHeightResponse {
    pub power: Uint128,
    pub height: u64,
}

#[cw_serde]
pub struct RewardMultiplierResponse {
    /// Always ≥ 1.0 (tiers have multipliers ≥ 1.0); exactly 1.0 when nothing is locked.
    pub multiplier: Decimal,
    pub height: u64,
}

#[cw_serde]
pub struct MiningStatusResponse {
    pub device_id: u64,
    /// `device_status == Active` and `owner_stake >= min_stake`.
    pub eligible: bool,
    /// The device's current owner (the NFT owner) per the registry.
    pub owner: Option<Addr>,
    /// What the CURRENT owner has staked for this device (stakes of previous owners do not count).
    pub owner_stake: Uint128,
    pub min_stake: Uint128,
    pub device_status: DeviceStatus,
}
