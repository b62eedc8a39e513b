use cosmwasm_std::{CheckedMultiplyFractionError, Decimal, OverflowError, StdError, Timestamp, Uint128};
use cw_ownable::OwnershipError;
use cw_utils::PaymentError;
use edgemint_types::migrate::MigrateError;
use edgemint_types::oracle::EpochStatus;
use thiserror::Error;

/// Every way a message is refused. Errors about one item of a claim batch carry its `index` (0-based) in the batch.
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

    #[error("the rewards admin cannot be renounced: hand it over with transfer_ownership + accept_ownership")]
    RenounceNotAllowed {},

    // ---- config ----
    #[error("invalid denom {denom:?}")]
    InvalidDenom { denom: String },

    #[error("invalid decay {decay}: must be at least 0 and below 1")]
    InvalidDecay { decay: Decimal },

    #[error("invalid decay period: must be at least 1 epoch")]
    InvalidDecayPeriod {},

    #[error("invalid operator share {share}: at most {max}")]
    InvalidOperatorShare { share: Decimal, max: Decimal },

    #[error("invalid max_batch {max_batch}: must be 1 to {limit}")]
    InvalidMaxBatch { max_batch: u32, limit: u32 },

    #[error("invalid claim_window {seconds}s: must be {min}s to {max}s")]
    InvalidClaimWindow { seconds: u64, min: u64, max: u64 },

    // ---- pool and reservations ----
    #[error("epoch {epoch} is already reserved")]
    EpochAlreadyReserved { epoch: u64 },

    #[error("epoch {epoch} is not reserved")]
    EpochNotReserved { epoch: u64 },

    #[error("epoch {epoch} was released (vetoed or abandoned): nothing is paid for it")]
    EpochReleased { epoch: u64 },

    #[error("epoch {epoch} is already settled")]
    EpochAlreadySettled { epoch: u64 },

    #[error("epoch {epoch} is not settled: no root's total was settled for it")]
    EpochNotSettled { epoch: u64 },

    #[error("epoch {epoch} was closed after its claim window: nothing more is paid for it")]
    EpochClosed { epoch: u64 },

    #[error("epoch {epoch} cannot be closed before {closes_at} (its claim window is still open)")]
    ClaimWindowOpen { epoch: u64, closes_at: Timestamp },

    #[error("epoch {epoch} is {status:?} at the hub: only a Final epoch can be closed")]
    CloseNotFinal { epoch: u64, status: EpochStatus },

    #[error("total {total_amount} for epoch {epoch} exceeds its device budget {device_budget}")]
    TotalExceedsBudget {
        epoch: u64,
        total_amount: Uint128,
        device_budget: Uint128,
    },

    #[error("epoch {epoch} has no revenue to reassign")]
    NoRevenue { epoch: u64 },

    #[error("cannot reassign revenue of epoch {epoch} to itself")]
    SameEpoch { epoch: u64 },

    #[error("pool books are inconsistent: {reason}")]
    PoolInconsistent { reason: String },

    #[error("the contract holds {balance} but the payout needs {needed}")]
    InsufficientBalance { balance: Uint128, needed: Uint128 },

    #[error("nothing to sync: balance {balance}, pool total {pool_total}")]
    NothingToSync { balance: Uint128, pool_total: Uint128 },

    // ---- claims ----
    #[error("empty claim batch")]
    EmptyBatch {},

    #[error("claim batch of {len} items exceeds the maximum of {max}")]
    BatchTooLarge { len: usize, max: u32 },

    #[error("claim {index}: amount must be greater than zero")]
    ZeroClaim { index: usize },

    #[error("claim {index}: proof has {len} hashes, at most {max}")]
    ProofTooLong { index: usize, len: usize, max: usize },

    #[error("claim {index}: proof element {position} is {len} bytes, expected 32")]
    InvalidProofElement { index: usize, position: usize, len: usize },

    #[error("claim {index}: invalid owner {owner:?}: {reason}")]
    InvalidOwner {
        index: usize,
        owner: String,
        reason: String,
    },

    #[error("claim {index}: epoch {epoch} is {status:?}, claims need Final")]
    EpochNotFinal {
        index: usize,
        epoch: u64,
        status: EpochStatus,
    },

    #[error("epoch {epoch}: the hub has no valid 32-byte root for it")]
    MissingRoot { epoch: u64 },

    #[error("cannot query epoch {epoch} from the hub: {reason}")]
    HubQuery { epoch: u64, reason: String },

    #[error("cannot query the current epoch from the hub: {reason}")]
    HubCurrentEpoch { reason: String },

    #[error("claim {index}: invalid Merkle proof for epoch {epoch}, device {device_id}")]
    InvalidProof { index: usize, epoch: u64, device_id: u64 },

    #[error("claim {index}: epoch {epoch}, device {device_id} is already claimed")]
    AlreadyClaimed { index: usize, epoch: u64, device_id: u64 },

    #[error("claim {index}: device {device_id} is banned")]
    DeviceBanned { index: usize, device_id: u64 },

    #[error("cannot query device {device_id} from the registry: {reason}")]
    RegistryQuery { device_id: u64, reason: String },

    #[error("claim {index}: {amount} on top of {claimed} already claimed exceeds epoch {epoch}'s total {total}")]
    ExceedsEpochTotal {
        index: usize,
        epoch: u64,
        claimed: Uint128,
        amount: Uint128,
        total: Uint128,
    },

    // ---- IBC ----
    #[error("invalid channel id {channel_id:?}")]
    InvalidChannel { channel_id: String },

    #[error("invalid receiver: must be 1 to {max} printable ASCII characters")]
    InvalidReceiver { max: usize },

    #[error("invalid timeout {seconds}s: must be 1 to {max}s")]
    InvalidTimeout { seconds: u64, max: u64 },

    #[error("no IBC transfer of epoch {epoch}, device {device_id} is pending")]
    NoPendingTransfer { epoch: u64, device_id: u64 },

    #[error("the IBC transfer of epoch {epoch}, device {device_id} can be resolved only from {resolvable_at}")]
    TransferNotExpired {
        epoch: u64,
        device_id: u64,
        resolvable_at: Timestamp,
    },

    #[error("the refund of {amount} has not reached the contract: its balance exceeds the pool total by {surplus}")]
    RefundNotReceived { amount: Uint128, surplus: Uint128 },

    // ---- operators ----
    #[error("{operator} did not report the final root of epoch {epoch}")]
    NotReporter { epoch: u64, operator: String },

    #[error("{operator} already claimed the operator reward of epoch {epoch}")]
    OperatorAlreadyClaimed { epoch: u64, operator: String },

    #[error("the operator reward of epoch {epoch} is zero")]
    ZeroOperatorReward { epoch: u64 },

    #[error("the operator budget of epoch {epoch} is exhausted")]
    OperatorBudgetExhausted { epoch: u64 },

    #[error("epoch {epoch} is {status:?}, operator rewards need Final")]
    OperatorEpochNotFinal { epoch: u64, status: EpochStatus },
}
