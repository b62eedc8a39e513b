use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Coin, CosmosMsg, Decimal, Timestamp, Uint128};
use cw_utils::Threshold;

/// A ballot option. `NoWithVeto` counts as `No` for the threshold and, beyond `veto_threshold` of the votes cast,
/// rejects the proposal and forfeits its deposit (as in the Cosmos SDK's gov module).
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Vote {
    Yes,
    No,
    Abstain,
    NoWithVeto,
}

impl Vote {
    pub fn as_str(&self) -> &'static str {
        match self {
            Vote::Yes => "yes",
            Vote::No => "no",
            Vote::Abstain => "abstain",
            Vote::NoWithVeto => "no_with_veto",
        }
    }
}

/// When a proposal's deposit goes back to its proposer. A deposit not refunded stays in the treasury.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum RefundPolicy {
    /// On execution if the proposal passed, on `close` if it was rejected, on a veto by the vetoer; except when the
    /// `no_with_veto` votes exceeded `veto_threshold` (then never).
    Always,
    /// Only when a passed proposal is executed (whatever the execution's outcome).
    OnlyPassed,
    /// Never: every deposit goes to the treasury.
    Never,
}

impl RefundPolicy {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundPolicy::Always => "always",
            RefundPolicy::OnlyPassed => "only_passed",
            RefundPolicy::Never => "never",
        }
    }
}

/// The deposit a proposer attaches to `propose`, in the DAO's `denom`.
#[cw_serde]
pub struct DepositConfig {
    /// Exactly this much must be attached (> 0).
    pub amount: Uint128,
    pub refund_policy: RefundPolicy,
}

/// The veto timelock: a passed proposal waits `timelock` seconds, during which `vetoer` may veto it.
#[cw_serde]
pub struct VetoConfig {
    /// The address (account or contract, e.g. a multisig) that may veto.
    pub vetoer: String,
    /// Seconds between passing and executability (1 ..= 365 days).
    pub timelock: u64,
    /// The vetoer may execute a passed proposal during its timelock.
    pub early_execute: bool,
    /// The vetoer may also veto while the proposal is still open.
    pub veto_before_passed: bool,
}

/// Every governance parameter. `UpdateConfig` replaces all of them at once; running proposals keep the values they
/// were created with (threshold, revote, veto, veto threshold, deposit).
#[cw_serde]
pub struct ConfigMsg {
    /// The staking contract whose voting power snapshots (`voting_power_at_height`, `total_power_at_height`) vote.
    pub staking: String,
    /// cw-utils threshold, validated with cw-utils: `absolute_count` (weight > 0, in voting power units: uemc weighted
    /// by lock multipliers), `absolute_percentage` (0.5 ..= 1), `threshold_quorum` (threshold 0.5 ..= 1,
    /// quorum (0, 1]).
    pub threshold: Threshold,
    /// Seconds a proposal is open for votes (1 ..= 365 days).
    pub voting_period: u64,
    /// Voting power (at the proposal's start height) the proposer must hold, ≥ 1: an address without power cannot
    /// propose.
    pub min_proposer_power: Uint128,
    /// `null`: no deposit (and `propose` refuses funds).
    pub deposit: Option<DepositConfig>,
    /// Voters may change their vote while the proposal is open. Then a proposal is decided only at the end of its
    /// voting period (otherwise as soon as the outcome cannot change).
    pub allow_revote: bool,
    /// `null`: no timelock, a passed proposal is executable at once.
    pub veto: Option<VetoConfig>,
    /// Share of the votes cast that `no_with_veto` must exceed to reject the proposal and forfeit its deposit,
    /// (0, 1]; `null`: `no_with_veto` is just `no`.
    pub veto_threshold: Option<Decimal>,
}

#[cw_serde]
pub struct InstantiateMsg {
    pub config: ConfigMsg,
    /// The deposit and treasury denom, `uemc`. Fixed for the contract's life.
    pub denom: String,
    /// Addresses whose voting power does not count (exchanges, ...), at most 20.
    #[serde(default)]
    pub excluded: Vec<String>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Create a proposal. The sender must hold at least `min_proposer_power` at the start height (this block) and
    /// attach exactly the configured deposit. `title` 1..=256 bytes, `description` ≤ 10,000 bytes, at most 16
    /// messages, executed by the DAO in order, atomically.
    Propose {
        title: String,
        description: String,
        msgs: Vec<CosmosMsg>,
    },
    /// Vote with the sender's voting power at the proposal's start height, while the proposal is open.
    Vote { proposal_id: u64, vote: Vote },
    /// Anyone, once the proposal passed and its timelock (if any) ended; the vetoer during the timelock if
    /// `early_execute`. Runs the messages; if they fail, the proposal becomes `execution_failed` (terminal) instead
    /// of the transaction failing.
    Execute { proposal_id: u64 },
    /// The vetoer: veto a proposal in its timelock (or still open, with `veto_before_passed`).
    Veto { proposal_id: u64 },
    /// Anyone: close a rejected proposal, settling its deposit (refunded or kept per its refund policy).
    Close { proposal_id: u64 },
    /// Anyone: make the DAO accept a pending cw-ownable ownership transfer of `contract` (sends
    /// `{"update_ownership":"accept_ownership"}`). It only succeeds if the DAO is that contract's pending owner.
    AcceptOwnership { contract: String },
    /// The DAO itself (a proposal's message): replace the whole configuration.
    UpdateConfig { config: ConfigMsg },
    /// The DAO itself (a proposal's message): change the exclusion list (removals first). Applies to proposals
    /// created afterwards.
    UpdateExclusions { add: Vec<String>, remove: Vec<String> },
    /// Internal (the DAO itself, during `execute`): dispatch a passed proposal's messages.
    ExecuteProposalMessages { proposal_id: u64 },
    /// Internal (the DAO itself, after a proposal's messages): fail unless the treasury still holds every deposit of
    /// proposals not settled yet.
    CheckDepositReserve {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(ProposalResponse)]
    Proposal { proposal_id: u64 },
    /// Ascending by id; `limit` defaults to 10, at most 30.
    #[returns(ProposalsResponse)]
    ListProposals {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Descending by id (newest first); `limit` defaults to 10, at most 30.
    #[returns(ProposalsResponse)]
    ReverseProposals {
        start_before: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(u64)]
    ProposalCount {},
    /// The ballot of `voter` on a proposal, if any.
    #[returns(BallotResponse)]
    Ballot { proposal_id: u64, voter: String },
    /// Ballots by voter address; `limit` defaults to 10, at most 30.
    #[returns(BallotsResponse)]
    ListBallots {
        proposal_id: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// What `address` would vote with on the proposal: its power at the start height, 0 if excluded.
    #[returns(VotingPowerResponse)]
    VotingPower { proposal_id: u64, address: String },
    /// The current exclusion list, by address; `limit` defaults to 10, at most 30.
    #[returns(ExclusionsResponse)]
    Exclusions {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The treasury balance in `denom`, the deposits it holds for unsettled proposals, and what is spendable.
    #[returns(TreasuryResponse)]
    Treasury {},
}

#[cw_serde]
pub struct ConfigResponse {
    pub staking: Addr,
    pub denom: String,
    pub threshold: Threshold,
    pub voting_period: u64,
    pub min_proposer_power: Uint128,
    pub deposit: Option<DepositConfig>,
    pub allow_revote: bool,
    pub veto: Option<VetoConfig>,
    pub veto_threshold: Option<Decimal>,
    /// Caps: messages per proposal, excluded addresses.
    pub max_msgs: u32,
    pub max_excluded: u32,
}

/// The status a proposal has now (time included: an open proposal past its end shows as passed or rejected).
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Status {
    Open,
    Rejected,
    /// Passed, waiting for the veto timelock to end (`timelock_until`).
    VetoTimelock,
    /// Passed and executable.
    Passed,
    Executed,
    /// Passed, executed, and its messages failed (nothing of them applied). Terminal: propose again.
    ExecutionFailed,
    /// Rejected and closed (deposit settled).
    Closed,
    /// Vetoed by the vetoer.
    Vetoed,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Rejected => "rejected",
            Status::VetoTimelock => "veto_timelock",
            Status::Passed => "passed",
            Status::Executed => "executed",
            Status::ExecutionFailed => "execution_failed",
            Status::Closed => "closed",
            Status::Vetoed => "vetoed",
        }
    }
}

/// Voting power per option.
#[cw_serde]
#[derive(Default)]
pub struct Votes {
    pub yes: Uint128,
    pub no: Uint128,
    pub abstain: Uint128,
    pub no_with_veto: Uint128,
}

/// A proposal's deposit and what happened to it.
#[cw_serde]
pub struct ProposalDeposit {
    pub amount: Coin,
    pub refund_policy: RefundPolicy,
    /// `null` while held; `refunded` or `forfeited` once settled.
    pub outcome: Option<DepositOutcome>,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum DepositOutcome {
    Refunded,
    /// Kept by the treasury.
    Forfeited,
}

#[cw_serde]
pub struct ProposalResponse {
    pub id: u64,
    pub title: String,
    pub description: String,
    pub msgs: Vec<CosmosMsg>,
    pub proposer: Addr,
    /// Voting power is read at the START of this block (changes made in it do not count).
    pub start_height: u64,
    pub start_time: Timestamp,
    /// End of the voting period.
    pub expires_at: Timestamp,
    pub status: Status,
    pub threshold: Threshold,
    /// Total power at the start height minus the power of the excluded addresses: what thresholds and quorum
    /// are computed against.
    pub total_power: Uint128,
    pub excluded_power: Uint128,
    /// The exclusion list at creation, plus the DAO itself (its own stake cannot vote).
    pub excluded: Vec<Addr>,
    pub votes: Votes,
    pub allow_revote: bool,
    pub veto: Option<VetoConfig>,
    pub veto_threshold: Option<Decimal>,
    /// `no_with_veto` exceeds `veto_threshold` of the votes cast (at the end, or already for certain).
    pub veto_votes_exceeded: bool,
    pub deposit: Option<ProposalDeposit>,
    /// When it passed (the deciding vote, or the end of the voting period).
    pub passed_at: Option<Timestamp>,
    /// End of the veto timelock, for a passed proposal with a veto config.
    pub timelock_until: Option<Timestamp>,
    /// When it was executed, vetoed or closed.
    pub settled_at: Option<Timestamp>,
    /// The error the chain reported for a failed execution.
    pub execution_error: Option<String>,
}

#[cw_serde]
pub struct ProposalsResponse {
    pub proposals: Vec<ProposalResponse>,
}

#[cw_serde]
pub struct BallotInfo {
    pub voter: Addr,
    pub vote: Vote,
    pub power: Uint128,
}

#[cw_serde]
pub struct BallotResponse {
    pub ballot: Option<BallotInfo>,
}

#[cw_serde]
pub struct BallotsResponse {
    pub ballots: Vec<BallotInfo>,
}

#[cw_serde]
pub struct VotingPowerResponse {
    pub power: Uint128,
    pub height: u64,
    pub excluded: bool,
}

#[cw_serde]
pub struct ExclusionsResponse {
    pub addresses: Vec<Addr>,
}

#[cw_serde]
pub struct TreasuryResponse {
    pub balance: Coin,
    /// Deposits of proposals not settled yet (refundable or not decided).
    pub deposits_held: Uint128,
    /// `balance - deposits_held`: what proposals may spend (a proposal spending more fails its execution).
    pub spendable: Uint128,
}
