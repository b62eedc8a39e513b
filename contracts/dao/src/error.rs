use cosmwasm_std::{CheckedMultiplyFractionError, Decimal, OverflowError, StdError, Timestamp, Uint128};
use cw_utils::{PaymentError, ThresholdError};
use edgemint_types::migrate::MigrateError;
use thiserror::Error;

use crate::msg::Status;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Payment(#[from] PaymentError),

    #[error(transparent)]
    Overflow(#[from] OverflowError),

    #[error(transparent)]
    MultiplyFraction(#[from] CheckedMultiplyFractionError),

    /// cw-utils threshold validation: zero weight, threshold outside 0.5..=1, quorum outside (0, 1].
    #[error(transparent)]
    Threshold(#[from] ThresholdError),

    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error("unauthorized: only {allowed} may {action}")]
    Unauthorized { action: String, allowed: String },

    #[error("invalid {field}: {reason}")]
    InvalidConfig { field: String, reason: String },

    #[error("title must be 1 to {max} bytes")]
    InvalidTitle { max: usize },

    #[error("description must be at most {max} bytes")]
    InvalidDescription { max: usize },

    #[error("too many messages: at most {max} per proposal")]
    TooManyMessages { max: u32 },

    #[error("wrong deposit: attach exactly {expected}")]
    WrongDeposit { expected: String },

    #[error("not enough voting power to propose: {power} at height {height}, minimum {min}")]
    ProposerPowerTooLow { power: Uint128, min: Uint128, height: u64 },

    #[error("the eligible voting power at height {height} is zero")]
    NoEligiblePower { height: u64 },

    #[error("proposal {proposal_id} not found")]
    ProposalNotFound { proposal_id: u64 },

    #[error("proposal {proposal_id} is {status:?}: voting is closed")]
    VotingClosed { proposal_id: u64, status: Status },

    #[error("{voter} is on the exclusion list of proposal {proposal_id} and holds no voting power")]
    Excluded { proposal_id: u64, voter: String },

    #[error("no voting power at height {height}")]
    NoVotingPower { height: u64 },

    #[error("already voted on proposal {proposal_id} (revote is disabled)")]
    AlreadyVoted { proposal_id: u64 },

    #[error("already voted {vote} on proposal {proposal_id}")]
    AlreadyCast { proposal_id: u64, vote: String },

    #[error("proposal {proposal_id} is {status:?}: only a passed proposal can be executed")]
    NotPassed { proposal_id: u64, status: Status },

    #[error("proposal {proposal_id} is in its veto timelock until {until}")]
    TimelockNotExpired { proposal_id: u64, until: Timestamp },

    #[error("proposal {proposal_id} has no vetoer")]
    NoVetoer { proposal_id: u64 },

    #[error("proposal {proposal_id} is {status:?}: it cannot be vetoed now")]
    NotVetoable { proposal_id: u64, status: Status },

    #[error("proposal {proposal_id} is {status:?}: only a rejected proposal can be closed")]
    NotRejected { proposal_id: u64, status: Status },

    #[error("{address} is already excluded")]
    AlreadyExcluded { address: String },

    #[error("{address} is not excluded")]
    NotExcluded { address: String },

    #[error("too many excluded addresses: at most {max}")]
    TooManyExcluded { max: u32 },

    #[error("the treasury would hold {balance} {denom}, less than the {held} of unsettled deposits")]
    DepositsSpent {
        balance: Uint128,
        held: Uint128,
        denom: String,
    },

    #[error("cannot read voting power from the staking contract: {reason}")]
    StakingQuery { reason: String },

    #[error("invalid veto threshold {value}: must be in (0, 1]")]
    InvalidVetoThreshold { value: Decimal },
}
