use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, OverflowError, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

use crate::msg::{EmissionSchedule, PendingTransfer};

/// Hard cap of `max_batch`.
pub const MAX_BATCH_LIMIT: u32 = 50;
/// `operator_share` may not exceed this.
pub const MAX_OPERATOR_SHARE: Decimal = Decimal::percent(50);
/// Longest `Schedule` query answer.
pub const MAX_SCHEDULE_COUNT: u32 = 100;
/// `ClaimAndSend` default and maximum timeouts (seconds).
pub const DEFAULT_IBC_TIMEOUT: u64 = 600;
pub const MAX_IBC_TIMEOUT: u64 = 7 * 24 * 3600;
/// Longest receiver address accepted for `ClaimAndSend` (bytes).
pub const MAX_RECEIVER_LEN: usize = 256;
/// How long after its timeout a pending `ClaimAndSend` transfer must wait for its callback before the admin may
/// resolve it by hand (`ResolveIbcTransfer`).
pub const IBC_RESOLVE_GRACE: u64 = 24 * 3600;
/// `claim_window` default and bounds (seconds): how long after an epoch became final its unclaimed rewards stay
/// reserved before the admin may `CloseEpoch` it.
pub const DEFAULT_CLAIM_WINDOW: u64 = 365 * 24 * 3600;
pub const MIN_CLAIM_WINDOW: u64 = 24 * 3600;
pub const MAX_CLAIM_WINDOW: u64 = 10 * 365 * 24 * 3600;

fn default_claim_window() -> u64 {
    DEFAULT_CLAIM_WINDOW
}

fn settled_by_default() -> bool {
    // Records written before `SettleEpoch` existed were reserved at acceptance with their total: settled.
    true
}

#[cw_serde]
pub struct Config {
    pub hub: Addr,
    pub registry: Addr,
    pub denom: String,
    pub schedule: EmissionSchedule,
    pub operator_share: Decimal,
    pub max_batch: u32,
    /// Seconds after an epoch became final before the admin may close it (`CloseEpoch`).
    #[serde(default = "default_claim_window")]
    pub claim_window: u64,
}

/// The pool's books. Invariants: `reserved + earmarked ≤ total ≤ bank balance of denom`.
#[cw_serde]
#[derive(Default)]
pub struct Pool {
    /// All funds credited minus everything paid out.
    pub total: Uint128,
    /// Reserved for epochs and not yet paid (or returned).
    pub reserved: Uint128,
    /// Revenue earmarked for epochs not yet reserved.
    pub earmarked: Uint128,
    /// Paid out by `ClaimAndSend` and not yet acknowledged: a refund of up to this much may come back, and `Sync`
    /// leaves that much of any surplus alone (it belongs to the owners).
    pub ibc_pending: Uint128,
}

impl Pool {
    /// `total − reserved`.
    pub fn unreserved(&self) -> Result<Uint128, OverflowError> {
        self.total.checked_sub(self.reserved)
    }

    /// `total − reserved − earmarked`: what emission can still draw on.
    pub fn free(&self) -> Result<Uint128, OverflowError> {
        self.unreserved()?.checked_sub(self.earmarked)
    }
}

/// One reserved epoch. The budget fields are frozen at reservation time (the epoch's first report at the hub).
///
/// Life cycle: `ReserveBudget` (reserves device_budget + operator_budget) → `SettleEpoch` (the accepted root's
/// total; the unused device budget returns to the pool) → claims → possibly `CloseEpoch` (the rest returns).
/// `ReleaseEpoch` (veto or abandon) returns whatever is still reserved, before or after settlement.
#[cw_serde]
pub struct EpochRecord {
    pub emission: Uint128,
    pub revenue: Uint128,
    pub operator_budget: Uint128,
    pub device_budget: Uint128,
    /// The root's total: what devices may claim in all (0 until settled).
    pub total_amount: Uint128,
    pub reserved_at: Timestamp,
    /// The hub settled the accepted root's total (`SettleEpoch`).
    #[serde(default = "settled_by_default")]
    pub settled: bool,
    /// Paid to devices so far (≤ `total_amount`).
    pub claimed: Uint128,
    /// Paid to operators so far (≤ `operator_budget − operator_dust`).
    pub operator_claimed: Uint128,
    /// Each reporter's share, fixed at the first operator claim.
    pub operator_reward: Option<Uint128>,
    /// `operator_budget − reward × reporters`, returned to the pool at the first operator claim.
    pub operator_dust: Uint128,
    /// Vetoed or abandoned: the outstanding reservation went back to the pool and nothing more is paid.
    pub released: bool,
    /// Closed by the admin after the claim window (`CloseEpoch`): what was left went back to the pool, and claims
    /// for the epoch are refused (`EpochClosed`).
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
}

impl EpochRecord {
    /// What is still reserved for the epoch (0 once released or closed):
    /// - before settlement: `device_budget + operator_budget` (nothing can be paid yet);
    /// - after: `total_amount + operator_budget − claimed − operator_claimed − operator_dust`.
    pub fn outstanding(&self) -> Result<Uint128, OverflowError> {
        if self.released || self.closed_at.is_some() {
            return Ok(Uint128::zero());
        }
        if !self.settled {
            return self.device_budget.checked_add(self.operator_budget);
        }
        self.total_amount
            .checked_add(self.operator_budget)?
            .checked_sub(self.claimed)?
            .checked_sub(self.operator_claimed)?
            .checked_sub(self.operator_dust)
    }
}

pub const CONFIG: Item<Config> = Item::new("config");
// The admin is cw-ownable's `ownership` item (`cw_ownable::{get_ownership, update_ownership, ...}`), as in the
// registry and staking.
pub const POOL: Item<Pool> = Item::new("pool");
/// epoch → revenue assigned to it (kept after the reservation, for the record).
pub const REVENUE: Map<u64, Uint128> = Map::new("revenue");
/// epoch → reservation (created by `ReserveBudget`).
pub const EPOCHS: Map<u64, EpochRecord> = Map::new("epochs");
/// (epoch, device_id) → amount paid.
pub const CLAIMED: Map<(u64, u64), Uint128> = Map::new("claimed");
/// (epoch, operator) → amount paid.
pub const OPERATOR_CLAIMED: Map<(u64, &Addr), Uint128> = Map::new("operator_claimed");
/// (epoch, device_id) → ICS-20 transfer of that claim not yet acknowledged.
pub const IBC_PENDING: Map<(u64, u64), PendingTransfer> = Map::new("ibc_pending");
