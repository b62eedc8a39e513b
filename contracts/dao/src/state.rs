use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, CosmosMsg, Decimal, Empty, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use cw_utils::Threshold;

use crate::msg::{DepositConfig, ProposalDeposit, Status, VetoConfig, Vote, Votes};

/// Messages one proposal may carry (bounds the execution and the proposal's storage).
pub const MAX_MSGS: u32 = 16;
/// Excluded addresses: `propose` queries the power of each (plus the DAO itself).
pub const MAX_EXCLUDED: u32 = 20;
pub const MAX_TITLE_LEN: usize = 256;
pub const MAX_DESCRIPTION_LEN: usize = 10_000;
/// 365 days: the longest voting period and timelock.
pub const MAX_PERIOD: u64 = 365 * 24 * 3600;
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
pub const MAX_PAGE_LIMIT: u32 = 30;

#[cw_serde]
pub struct Config {
    pub staking: Addr,
    pub denom: String,
    pub threshold: Threshold,
    pub voting_period: u64,
    pub min_proposer_power: Uint128,
    pub deposit: Option<DepositConfig>,
    pub allow_revote: bool,
    /// `vetoer` validated and normalized.
    pub veto: Option<VetoConfig>,
    pub veto_threshold: Option<Decimal>,
}

/// A proposal's voting state. Title, description and messages are in [`CONTENT`] so that a vote reads and writes
/// only this.
#[cw_serde]
pub struct Proposal {
    pub id: u64,
    pub proposer: Addr,
    pub start_height: u64,
    pub start_time: Timestamp,
    pub expires_at: Timestamp,
    // The governance parameters at creation: later config changes do not touch running proposals.
    pub threshold: Threshold,
    pub allow_revote: bool,
    pub veto: Option<VetoConfig>,
    pub veto_threshold: Option<Decimal>,
    pub deposit: Option<ProposalDeposit>,
    /// Eligible power: total at the start height minus `excluded_power`.
    pub total_power: Uint128,
    pub excluded_power: Uint128,
    pub excluded: Vec<Addr>,
    pub votes: Votes,
    /// Stored status: `Open` until decided (by a vote when the outcome can no longer change and revote is off;
    /// otherwise computed at read time from the end of the voting period), then `Passed`/`Rejected` and the
    /// terminal ones. Never `VetoTimelock` (computed from `passed_at`).
    pub status: Status,
    pub passed_at: Option<Timestamp>,
    pub settled_at: Option<Timestamp>,
    pub execution_error: Option<String>,
}

#[cw_serde]
pub struct Content {
    pub title: String,
    pub description: String,
    pub msgs: Vec<CosmosMsg>,
}

#[cw_serde]
pub struct Ballot {
    pub vote: Vote,
    pub power: Uint128,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// address → (): no voting power counts for it. Copied into each proposal at creation.
pub const EXCLUDED: Map<&Addr, Empty> = Map::new("excluded");
/// The last proposal id (ids start at 1).
pub const PROPOSAL_SEQ: Item<u64> = Item::new("proposal_seq");
pub const PROPOSALS: Map<u64, Proposal> = Map::new("proposals");
pub const CONTENT: Map<u64, Content> = Map::new("content");
pub const BALLOTS: Map<(u64, &Addr), Ballot> = Map::new("ballots");
/// Sum of the deposits not settled yet (in `denom`): the treasury must keep them.
pub const DEPOSITS_HELD: Item<Uint128> = Item::new("deposits_held");
/// The proposal whose messages `execute` is dispatching: `ExecuteProposalMessages` runs only for it, once.
pub const EXECUTING: Item<u64> = Item::new("executing");
