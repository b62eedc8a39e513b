use cosmwasm_std::{
    CheckedFromRatioError, CheckedMultiplyFractionError, Decimal, OverflowError, StdError, Timestamp, Uint128,
};
use cw_ownable::OwnershipError;
use cw_utils::PaymentError;
use edgemint_types::migrate::MigrateError;
use edgemint_types::registry::DeviceStatus;
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

    #[error(transparent)]
    FromRatio(#[from] CheckedFromRatioError),

    /// Admin handover (cw-ownable): not the owner, not the pending owner, no pending transfer, expired transfer.
    #[error(transparent)]
    Ownership(#[from] OwnershipError),

    #[error("unauthorized: only {allowed} may {action}")]
    Unauthorized { action: String, allowed: String },

    #[error("the staking admin cannot be renounced: hand it over with transfer_ownership + accept_ownership")]
    RenounceNotAllowed {},

    #[error("{field} cannot be the staking contract itself: the funds would be stranded")]
    SelfAddress { field: String },

    #[error("cannot query device {device_id} from the registry: {reason}")]
    RegistryQuery { device_id: u64, reason: String },

    #[error("only the current owner of device {device_id} may stake for it")]
    NotDeviceOwner { device_id: u64 },

    #[error("device {device_id} is {status:?}: only Active devices can be staked for")]
    DeviceNotActive { device_id: u64, status: DeviceStatus },

    #[error("stake below minimum: the position on device {device_id} would hold {would_have}, minimum is {min}")]
    BelowMinimum {
        device_id: u64,
        would_have: Uint128,
        min: Uint128,
    },

    #[error(
        "unstake would leave {remaining} on device {device_id}, below the minimum {min}: unstake everything or keep at least the minimum"
    )]
    PositionBelowMinimum {
        device_id: u64,
        remaining: Uint128,
        min: Uint128,
    },

    #[error("no stake position of this address on device {device_id}")]
    NoPosition { device_id: u64 },

    #[error("amount must be greater than zero")]
    ZeroAmount {},

    #[error("cannot unstake {requested} from device {device_id}: only {staked} staked")]
    InsufficientStake {
        device_id: u64,
        staked: Uint128,
        requested: Uint128,
    },

    #[error("too many unbonding entries: at most {max} per address; claim matured entries first")]
    TooManyUnbondingEntries { max: u32 },

    /// Refuses an ownership change (and so the NFT transfer that caused it): the device would carry more than `max`
    /// entries still unbonding, which a slash would have to walk.
    #[error(
        "device {device_id} would have more than {max} entries still unbonding: the transfer is refused until some have matured"
    )]
    DeviceUnbondingCapReached { device_id: u64, max: u32 },

    #[error("evidence too old: the offence at {offence_time} is older than the unbonding period ({max_age}s)")]
    EvidenceTooOld { offence_time: Timestamp, max_age: u64 },

    #[error("nothing to claim: no unbonding entry has matured yet")]
    NothingToClaim {},

    #[error("unknown lock tier {tier_id}")]
    UnknownTier { tier_id: u64 },

    #[error("too many locks: at most {max} per address")]
    TooManyLocks { max: u32 },

    #[error("lock {lock_id} not found")]
    LockNotFound { lock_id: u64 },

    #[error("lock {lock_id} is locked until {expires_at}; early unlock is not possible")]
    LockNotExpired { lock_id: u64, expires_at: Timestamp },

    #[error("invalid {name}: {value} (must be at most 1)")]
    InvalidFraction { name: String, value: Decimal },

    #[error("invalid minimum stake per device: must be greater than zero")]
    InvalidMinStake {},

    #[error("invalid unbonding period {seconds}s: at most {max}s")]
    InvalidUnbondingPeriod { seconds: u64, max: u64 },

    #[error("invalid lock tier {tier_id}: {reason}")]
    InvalidTier { tier_id: u64, reason: String },

    #[error("too many lock tiers: at most {max}")]
    TooManyTiers { max: u32 },

    #[error("invalid denom {denom:?}")]
    InvalidDenom { denom: String },

    #[error("too many {name}: at most {max}")]
    TooManyAddresses { name: String, max: u32 },

    #[error("invalid reason: must be 1 to {max} bytes")]
    InvalidReason { max: u32 },

    #[error("time overflow")]
    TimeOverflow {},

    #[error("cannot migrate: the contract holds state of the layout before the security fixes; redeploy instead")]
    LegacyState {},

    /// `migrate` refused: a different contract, a downgrade or an unparseable version.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}
