use cosmwasm_std::{CheckedMultiplyFractionError, Decimal, OverflowError, StdError, Timestamp, Uint128};
use cw_ownable::OwnershipError;
use cw_utils::PaymentError;
use edgemint_types::migrate::MigrateError;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::telemetry::TelemetryError;
use thiserror::Error;

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

    /// `migrate` refused: a different contract, a downgrade or an unparseable version.
    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error("unauthorized: only {allowed} may {action}")]
    Unauthorized { action: String, allowed: String },

    /// Admin handover (cw-ownable): not the owner, not the pending owner, no pending transfer, expired transfer.
    #[error(transparent)]
    Ownership(#[from] OwnershipError),

    #[error("the hub admin cannot be renounced: hand it over with transfer_ownership + accept_ownership")]
    RenounceNotAllowed {},

    // ----- config -----
    #[error("invalid denom {denom:?}")]
    InvalidDenom { denom: String },

    #[error("invalid minimum bond: must be greater than zero")]
    InvalidMinBond {},

    #[error("invalid {name} {seconds}s: must be {min}s to {max}s")]
    InvalidDuration {
        name: String,
        seconds: u64,
        min: u64,
        max: u64,
    },

    #[error("invalid quorum {value}: must be greater than 0.5 and at most 1")]
    InvalidQuorum { value: Decimal },

    #[error("invalid {name}: {value} (must be at most 1)")]
    InvalidFraction { name: String, value: Decimal },

    #[error("invalid epoch genesis {genesis}: too far in the future")]
    InvalidGenesis { genesis: Timestamp },

    #[error("epoch_genesis and epoch_length cannot change once a report was submitted")]
    EpochTimingLocked {},

    #[error("no rewards contract is configured yet (admin: update_config with rewards)")]
    RewardsNotSet {},

    #[error("invalid min_operators {value}: must be 1 to {max}")]
    InvalidMinOperators { value: u32, max: u32 },

    // ----- operators -----
    #[error("invalid operator pubkey: {reason}")]
    InvalidPubkey { reason: String },

    #[error("this pubkey is already registered for operator {operator}")]
    PubkeyInUse { operator: String },

    #[error("{address} is already a listed operator")]
    OperatorAlreadyListed { address: String },

    #[error("too many operators: at most {max}")]
    TooManyOperators { max: u32 },

    #[error("{address} is not a listed operator")]
    NotListed { address: String },

    #[error("{address} is not an operator")]
    UnknownOperator { address: String },

    #[error("operator {address} is not active: bonded {bonded}, minimum {min_bond}")]
    InsufficientBond {
        address: String,
        bonded: Uint128,
        min_bond: Uint128,
    },

    #[error("amount must be greater than zero")]
    ZeroAmount {},

    #[error("cannot unbond {requested}: only {bonded} bonded")]
    InsufficientBonded { bonded: Uint128, requested: Uint128 },

    #[error("too many unbonding entries: at most {max}; claim matured ones first")]
    TooManyUnbondingEntries { max: u32 },

    #[error("nothing to claim: no unbonding entry has matured")]
    NothingToClaim {},

    // ----- reports -----
    #[error("invalid {field}: {len} bytes, must be 32")]
    InvalidHash { field: String, len: usize },

    #[error("epoch {epoch} ends at {ends_at}: it can be reported only after it ends")]
    EarlyReport { epoch: u64, ends_at: Timestamp },

    #[error("epoch {epoch} is {status:?}: no more reports are accepted")]
    LateReport { epoch: u64, status: EpochStatus },

    #[error("operator {operator} already reported for epoch {epoch}")]
    AlreadyReported { epoch: u64, operator: String },

    #[error(
        "operator {operator} is not in epoch {epoch}'s electorate (it was not listed at the epoch's first report)"
    )]
    NotInElectorate { epoch: u64, operator: String },

    #[error("only {listed} operators are listed; an epoch's first report needs at least {min}")]
    TooFewOperators { listed: u32, min: u32 },

    #[error("invalid signature: it does not verify with operator {operator}'s registered key")]
    InvalidSignature { operator: String },

    #[error("epoch {epoch} has reached the maximum of {max} reports")]
    TooManyReports { epoch: u64, max: u32 },

    #[error("cannot query the rewards contract: {reason}")]
    RewardsQuery { reason: String },

    #[error("reported total {total} exceeds epoch {epoch}'s device budget {budget}")]
    TotalExceedsBudget {
        epoch: u64,
        total: Uint128,
        budget: Uint128,
    },

    #[error("epoch {epoch} is too far in the future")]
    EpochOutOfRange { epoch: u64 },

    #[error("time overflow")]
    TimeOverflow {},

    // ----- veto -----
    #[error("epoch {epoch} is {status:?}: only an Accepted root can be vetoed, during its challenge window")]
    NotVetoable { epoch: u64, status: EpochStatus },

    #[error("invalid reason: must be 1 to {max} bytes")]
    InvalidReason { max: usize },

    // ----- abandon -----
    #[error("epoch {epoch} is {status:?}: only an ended epoch with reports and no accepted root can be abandoned")]
    NotAbandonable { epoch: u64, status: EpochStatus },

    #[error("epoch {epoch} can be abandoned only from {at}")]
    AbandonTooEarly { epoch: u64, at: Timestamp },

    // ----- operator evidence -----
    #[error("evidence statements are for different epochs ({a} and {b})")]
    EvidenceEpochMismatch { a: u64, b: u64 },

    #[error("evidence statements have identical contents: no equivocation")]
    IdenticalStatements {},

    #[error("evidence against operator {operator} for epoch {epoch} was already used")]
    OperatorEvidenceUsed { operator: String, epoch: u64 },

    #[error("evidence signature {which} does not verify with operator {operator}'s registered key")]
    InvalidEvidenceSignature { which: String, operator: String },

    // ----- device evidence -----
    #[error("telemetry report {which} is not a canonical encoding: {source}")]
    InvalidTelemetry {
        which: String,
        #[source]
        source: TelemetryError,
    },

    #[error("telemetry report {which} was signed for chain {found:?}, not this chain {expected:?}")]
    WrongChainId {
        which: String,
        expected: String,
        found: String,
    },

    #[error("telemetry reports are from different devices ({a} and {b})")]
    DeviceMismatch { a: u64, b: u64 },

    #[error("telemetry reports have different sequence numbers ({a} and {b})")]
    SequenceMismatch { a: u64, b: u64 },

    #[error("telemetry reports are identical: no equivocation")]
    IdenticalReports {},

    #[error("evidence for device {device_id} sequence {sequence} was already used")]
    DeviceEvidenceUsed { device_id: u64, sequence: u64 },

    #[error("cannot query device {device_id} from the registry: {reason}")]
    RegistryQuery { device_id: u64, reason: String },

    #[error("telemetry signature {which} does not verify with device {device_id}'s registered key")]
    InvalidDeviceSignature { which: String, device_id: u64 },
}
