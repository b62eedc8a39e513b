use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Empty, Timestamp, Uint128};
use cw_storage_plus::{Item, Map, SnapshotItem, SnapshotMap, Strategy};

use crate::msg::LockTier;

/// Stake positions per device. Bounds the work of `Slash` and is why a new owner can be refused (see README).
pub const MAX_POSITIONS_PER_DEVICE: u32 = 4;
/// Unbonding entries per address, as in the Cosmos SDK. Bounds `Claim`.
pub const MAX_UNBONDING_ENTRIES: u32 = 7;
/// Entries still unbonding (not yet matured) that came from one device. Bounds `Slash`; NFT transfers between many
/// addresses could otherwise pile up unbounded entries on one device.
pub const MAX_UNBONDING_PER_DEVICE: u32 = MAX_POSITIONS_PER_DEVICE * MAX_UNBONDING_ENTRIES;
/// Locks per address.
pub const MAX_LOCKS_PER_ADDRESS: u32 = 20;
pub const MAX_TIERS: u32 = 16;
pub const MAX_SLASHERS: u32 = 10;
pub const MAX_LOCKERS: u32 = 10;
pub const MAX_REASON_LEN: u32 = 256;
/// 365 days.
pub const MAX_UNBONDING_PERIOD: u64 = 365 * 24 * 3600;
/// 5 × 365 days.
pub const MAX_LOCK_DURATION: u64 = 5 * 365 * 24 * 3600;
/// Tier multipliers must lie in 1.0 ..= 10.0.
pub const MAX_MULTIPLIER: u64 = 10;

pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 30;

#[cw_serde]
pub struct Config {
    pub denom: String,
    pub registry: Addr,
    pub rewards_pool: Addr,
    pub min_stake_per_device: Uint128,
    pub unbonding_period: u64,
    pub slash_fraction: Decimal,
    pub bounty_fraction: Decimal,
    pub slashers: Vec<Addr>,
    pub lockers: Vec<Addr>,
}

#[cw_serde]
pub struct UnbondingEntry {
    pub id: u64,
    pub staker: Addr,
    pub device_id: u64,
    pub amount: Uint128,
    pub release_at: Timestamp,
}

#[cw_serde]
pub struct Lock {
    pub id: u64,
    pub owner: Addr,
    pub tier_id: u64,
    pub amount: Uint128,
    /// The tier's multiplier when the lock was made; later tier changes do not touch it.
    pub multiplier: Decimal,
    /// `amount × multiplier`, rounded down; exactly this is added to and later removed from the owner's power.
    pub weight: Uint128,
    pub locked_at: Timestamp,
    pub expires_at: Timestamp,
}

#[cw_serde]
#[derive(Default)]
pub struct LockTotals {
    pub amount: Uint128,
    pub weight: Uint128,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const ADMIN: Item<Addr> = Item::new("admin");
pub const PENDING_ADMIN: Item<Addr> = Item::new("pending_admin");
pub const TIERS: Map<u64, LockTier> = Map::new("tiers");

/// (device_id, staker) → staked amount. Never holds a zero amount.
pub const POSITIONS: Map<(u64, &Addr), Uint128> = Map::new("positions");
/// (staker, device_id) → (): the same positions, listed by staker.
pub const STAKER_POSITIONS: Map<(&Addr, u64), Empty> = Map::new("staker_positions");
/// device_id → number of positions on it (≤ MAX_POSITIONS_PER_DEVICE).
pub const DEVICE_POSITION_COUNT: Map<u64, u32> = Map::new("device_position_count");
/// staker → sum of its positions.
pub const STAKED: Map<&Addr, Uint128> = Map::new("staked");
pub const TOTAL_STAKED: Item<Uint128> = Item::new("total_staked");

pub const UNBONDING_SEQ: Item<u64> = Item::new("unbonding_seq");
/// entry id → entry. Never holds a zero amount.
pub const UNBONDING: Map<u64, UnbondingEntry> = Map::new("unbonding");
/// (staker, entry id) → ().
pub const STAKER_UNBONDING: Map<(&Addr, u64), Empty> = Map::new("staker_unbonding");
/// (device_id, release_at in nanoseconds, entry id) → (): lets `Slash` seek straight to the entries still unbonding.
pub const DEVICE_UNBONDING: Map<(u64, u64, u64), Empty> = Map::new("device_unbonding");
/// staker → sum of its unbonding entries.
pub const UNBONDING_TOTAL: Map<&Addr, Uint128> = Map::new("unbonding_total");
pub const TOTAL_UNBONDING: Item<Uint128> = Item::new("total_unbonding");

pub const LOCK_SEQ: Item<u64> = Item::new("lock_seq");
pub const LOCKS: Map<u64, Lock> = Map::new("locks");
/// (owner, lock id) → ().
pub const OWNER_LOCKS: Map<(&Addr, u64), Empty> = Map::new("owner_locks");
pub const LOCK_TOTALS: Map<&Addr, LockTotals> = Map::new("lock_totals");
pub const TOTAL_LOCKED: Item<LockTotals> = Item::new("total_locked");

/// address → staked + Σ lock weight, snapshotted every block: the value read "at height H" is the value at the start
/// of block H.
pub const VOTING_POWER: SnapshotMap<&Addr, Uint128> = SnapshotMap::new(
    "voting_power",
    "voting_power__checkpoints",
    "voting_power__changelog",
    Strategy::EveryBlock,
);
pub const TOTAL_POWER: SnapshotItem<Uint128> = SnapshotItem::new(
    "total_power",
    "total_power__checkpoints",
    "total_power__changelog",
    Strategy::EveryBlock,
);
/// address → effective reward multiplier; absent means 1.0.
pub const REWARD_MULTIPLIER: SnapshotMap<&Addr, Decimal> = SnapshotMap::new(
    "reward_multiplier",
    "reward_multiplier__checkpoints",
    "reward_multiplier__changelog",
    Strategy::EveryBlock,
);
