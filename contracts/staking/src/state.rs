use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Empty, Timestamp, Uint128};
use cw_storage_plus::{Item, Map, SnapshotItem, SnapshotMap, Strategy};

use crate::msg::LockTier;

/// Unbonding entries an address may hold for a voluntary `Unstake` to be accepted, as in the Cosmos SDK (every entry
/// of the address counts, matured or not, whatever created it). Entries created by an NFT transfer
/// (`OwnerChanged`) are stored regardless, so an address may hold more; `Claim` and the `Unbonding` query page.
pub const MAX_UNBONDING_ENTRIES: u32 = 7;
/// Entries still unbonding from one device that an ownership change may leave behind: `OwnerChanged` (and with it
/// the NFT transfer) is refused if the device would have more. Voluntary `Unstake` does not check it.
pub const MAX_UNBONDING_PER_DEVICE: u32 = 28;
/// Entries a `Slash` reads at most: after an accepted ownership change a device has at most
/// `MAX_UNBONDING_PER_DEVICE` live entries, and only its current owner can add to them, at most
/// `MAX_UNBONDING_ENTRIES`.
pub const MAX_SLASH_ENTRIES: u32 = MAX_UNBONDING_PER_DEVICE + MAX_UNBONDING_ENTRIES;
/// Matured entries one `Claim` pays at most (earliest release first); claim again for the rest.
pub const MAX_CLAIM_ENTRIES: u32 = 30;
/// Locks per address. Also bounds the power recomputation, which reads every lock of the address.
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
    /// When `staker` got the device, if staking saw it change hands (see `DEVICE_OWNER`); `None`: unknown (the
    /// first owner since activation). A slash for an offence before this time does not touch the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_since: Option<Timestamp>,
    /// When `staker` stopped owning the device (set when the device changed hands while the entry was unbonding,
    /// or at creation for a position moved out by the transfer). A slash for an offence at or after this time does
    /// not touch the entry. `None`: the staker still owns the device (or did when the entry matured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_until: Option<Timestamp>,
}

impl UnbondingEntry {
    /// Whether the entry answers for an offence at `offence_time`: its staker held the device then.
    pub fn held_at(&self, offence_time: Timestamp) -> bool {
        held_at(self.owned_since, self.owned_until, offence_time)
    }
}

/// Stake held over `[since, until)` (open ends: unknown / still held) answers for offences in that interval.
pub fn held_at(since: Option<Timestamp>, until: Option<Timestamp>, offence_time: Timestamp) -> bool {
    since.is_none_or(|since| since <= offence_time) && until.is_none_or(|until| offence_time < until)
}

/// The device's owner as staking last saw it change hands, and since when.
#[cw_serde]
pub struct OwnerSince {
    pub owner: Addr,
    pub since: Timestamp,
}

#[cw_serde]
pub struct Lock {
    pub id: u64,
    pub owner: Addr,
    pub tier_id: u64,
    pub amount: Uint128,
    /// The tier's multiplier when the lock was made; later tier changes do not touch it.
    pub multiplier: Decimal,
    /// `amount × multiplier`, rounded down: the lock's weight until it expires (then it weighs `amount`).
    pub weight: Uint128,
    pub locked_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Lock {
    /// The weight the lock carries at `now`: boosted until expiry, 1x (its amount) from then on.
    pub fn weight_at(&self, now: Timestamp) -> Uint128 {
        if now >= self.expires_at {
            self.amount
        } else {
            self.weight
        }
    }
}

#[cw_serde]
#[derive(Default)]
pub struct LockTotals {
    pub amount: Uint128,
    pub weight: Uint128,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const TIERS: Map<u64, LockTier> = Map::new("tiers");
// The admin is cw-ownable's `ownership` item (`cw_ownable::{get_ownership, update_ownership, ...}`).

/// (device_id, staker) → staked amount. Never holds a zero amount. A device has at most ONE position, its current
/// owner's: only the owner may `Stake`, an ownership change moves the previous owner's position into unbonding, and
/// `Stake` moves any other position first (a transfer the registry did not report).
pub const POSITIONS: Map<(u64, &Addr), Uint128> = Map::new("positions");
/// device_id → its owner since the last ownership change staking saw (`OwnerChanged`, or a `Stake` recording an
/// unreported one). Absent: no change seen since activation. Spares the owner's stake from offences before it.
pub const DEVICE_OWNER: Map<u64, OwnerSince> = Map::new("device_owner");
/// (staker, device_id) → (): the same positions, listed by staker.
pub const STAKER_POSITIONS: Map<(&Addr, u64), Empty> = Map::new("staker_positions");
/// staker → sum of its positions.
pub const STAKED: Map<&Addr, Uint128> = Map::new("staked");
pub const TOTAL_STAKED: Item<Uint128> = Item::new("total_staked");

pub const UNBONDING_SEQ: Item<u64> = Item::new("unbonding_seq");
/// entry id → entry. Never holds a zero amount.
pub const UNBONDING: Map<u64, UnbondingEntry> = Map::new("unbonding");
/// (staker, release_at in nanoseconds, entry id) → (): `Claim` seeks straight to the matured entries.
pub const STAKER_UNBONDING: Map<(&Addr, u64, u64), Empty> = Map::new("staker_unbonding_by_release");
/// (device_id, release_at in nanoseconds, entry id) → staker: lets `Slash` and `OwnerChanged` seek straight to the
/// entries still unbonding.
pub const DEVICE_UNBONDING: Map<(u64, u64, u64), Addr> = Map::new("device_unbonding_by_release");
/// staker → sum of its unbonding entries.
pub const UNBONDING_TOTAL: Map<&Addr, Uint128> = Map::new("unbonding_total");
pub const TOTAL_UNBONDING: Item<Uint128> = Item::new("total_unbonding");

pub const LOCK_SEQ: Item<u64> = Item::new("lock_seq");
pub const LOCKS: Map<u64, Lock> = Map::new("locks");
/// (owner, lock id) → ().
pub const OWNER_LOCKS: Map<(&Addr, u64), Empty> = Map::new("owner_locks");
/// owner → Σ lock amounts and Σ lock weights as last recorded (expired locks at 1x once recomputed).
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
