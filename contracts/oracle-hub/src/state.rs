use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Decimal, Empty, HexBinary, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

/// Listed operators. Bounds the quorum snapshot (the only loop over operators in an execute path).
pub const MAX_OPERATORS: u32 = 50;
/// Reports per epoch (one per electorate member, and the electorate is at most `MAX_OPERATORS`). Bounds the
/// `Reports`/`Epoch` queries.
pub const MAX_REPORTS_PER_EPOCH: u32 = MAX_OPERATORS;
/// Unbonding entries per operator, as in the Cosmos SDK.
pub const MAX_UNBONDING_ENTRIES: u32 = 7;
pub const MAX_UNBONDING_PERIOD: u64 = 365 * 24 * 3600;
pub const MIN_EPOCH_LENGTH: u64 = 60;
pub const MAX_EPOCH_LENGTH: u64 = 365 * 24 * 3600;
pub const MAX_CHALLENGE_WINDOW: u64 = 365 * 24 * 3600;
pub const MAX_REASON_LEN: usize = 256;
/// Default `min_operators`: the first report of an epoch is refused while fewer operators are listed.
pub const DEFAULT_MIN_OPERATORS: u32 = 3;
/// `AbandonEpoch` is possible once an epoch ended this many epoch lengths ago without reaching a quorum.
pub const ABANDON_AFTER_EPOCHS: u64 = 7;

fn default_min_operators() -> u32 {
    DEFAULT_MIN_OPERATORS
}
/// Roots and telemetry commitments are sha256-sized.
pub const HASH_LEN: usize = 32;

pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 50;

#[cw_serde]
pub struct Config {
    pub registry: Addr,
    pub staking: Addr,
    pub rewards: Option<Addr>,
    pub denom: String,
    pub min_bond: Uint128,
    pub bond_unbonding_period: u64,
    pub epoch_genesis: Timestamp,
    pub epoch_length: u64,
    pub quorum: Decimal,
    pub challenge_window: u64,
    pub slash_fraction: Decimal,
    pub bounty_fraction: Decimal,
    /// Listed operators an epoch's first report needs (1..=MAX_OPERATORS).
    #[serde(default = "default_min_operators")]
    pub min_operators: u32,
}

#[cw_serde]
pub struct Operator {
    pub pubkey: Binary,
    /// Added by the admin and not removed (by the admin or by an equivocation slash) since.
    pub listed: bool,
    pub bonded: Uint128,
    pub added_at: Timestamp,
    pub removed_at: Option<Timestamp>,
}

#[cw_serde]
pub struct BondEntry {
    pub amount: Uint128,
    pub release_at: Timestamp,
}

/// An accepted root with the contents that reached the quorum.
#[cw_serde]
pub struct AcceptedRoot {
    /// sha256 of the report contents (see `signature::candidate_key`).
    pub candidate: HexBinary,
    pub root: HexBinary,
    pub total_amount: Uint128,
    pub device_count: u64,
    pub telemetry_commitment: HexBinary,
    pub accepted_at: Timestamp,
    pub final_at: Timestamp,
}

#[cw_serde]
pub struct Veto {
    pub at: Timestamp,
    pub reason: String,
}

/// Created by an epoch's first report.
#[cw_serde]
pub struct EpochState {
    /// Size of the epoch's electorate: the operators LISTED at the first report, whatever their bond (stored in
    /// `ELECTORATE`). The quorum's denominator.
    pub operator_count: u32,
    /// ceil(quorum × operator_count) with the quorum of that moment.
    pub threshold: u32,
    pub report_count: u32,
    /// The device budget the rewards contract froze at the first report (`ReserveBudget`): no report may exceed it.
    #[serde(default)]
    pub device_budget: Uint128,
    pub accepted: Option<AcceptedRoot>,
    pub veto: Option<Veto>,
    /// Set by `AbandonEpoch`: the epoch never reached a quorum and its budget was released. Terminal.
    #[serde(default)]
    pub abandoned_at: Option<Timestamp>,
}

#[cw_serde]
pub struct StoredReport {
    pub root: HexBinary,
    pub total_amount: Uint128,
    pub device_count: u64,
    pub telemetry_commitment: HexBinary,
    pub signature: Binary,
    pub candidate: HexBinary,
    pub submitted_at: Timestamp,
}

#[cw_serde]
pub struct EvidenceRecord {
    pub reporter: Addr,
    pub at: Timestamp,
}

pub const CONFIG: Item<Config> = Item::new("config");
// The admin is cw-ownable's `ownership` item (`cw_ownable::{get_ownership, update_ownership, ...}`), as in the
// registry and staking.

/// Every operator ever added, listed or not (a removed operator keeps its bond until it unbonds).
pub const OPERATORS: Map<&Addr, Operator> = Map::new("operators");
/// The listed operators (≤ MAX_OPERATORS).
pub const LISTED: Map<&Addr, Empty> = Map::new("listed");
pub const LISTED_COUNT: Item<u32> = Item::new("listed_count");
/// Operator pubkey → the operator it was registered for; never removed, so one key never speaks for two
/// operators (a statement does not name the operator), and statements signed with any key ever bound to an operator
/// remain evidence against it after the key was replaced.
pub const PUBKEYS: Map<&[u8], Addr> = Map::new("pubkeys");
pub const BOND_SEQ: Item<u64> = Item::new("bond_seq");
/// (operator, entry id) → entry (≤ MAX_UNBONDING_ENTRIES per operator). Never holds a zero amount.
pub const BOND_ENTRIES: Map<(&Addr, u64), BondEntry> = Map::new("bond_entries");

pub const EPOCHS: Map<u64, EpochState> = Map::new("epochs");
/// (epoch, operator) → report.
pub const REPORTS: Map<(u64, &Addr), StoredReport> = Map::new("reports");
/// (epoch, operator) for every member of the epoch's electorate (the listed operators at its first report, ≤ 50).
/// Only members may report for the epoch.
pub const ELECTORATE: Map<(u64, &Addr), Empty> = Map::new("electorate");
/// (epoch, candidate key) → number of reports with those contents.
pub const TALLY: Map<(u64, &[u8]), u32> = Map::new("tally");
/// Set by the first report ever: epoch timing is fixed from then on.
pub const TIMING_LOCKED: Item<bool> = Item::new("timing_locked");

pub const OPERATOR_EVIDENCE: Map<(&Addr, u64), EvidenceRecord> = Map::new("operator_evidence");
/// (device_id, sequence) → record.
pub const DEVICE_EVIDENCE: Map<(u64, u64), EvidenceRecord> = Map::new("device_evidence");
