use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("unauthorized: only the owner may {action}")]
    Unauthorized { action: String },

    #[error("invalid increment {by}: must be between {min} and {max}")]
    InvalidIncrement { by: u64, min: u64, max: u64 },

    #[error("counter overflow: {count} + {by} does not fit in u64")]
    Overflow { count: u64, by: u64 },

    #[error("cannot migrate: stored contract is {found}, expected {expected}")]
    WrongContract { expected: String, found: String },

    #[error("cannot migrate: stored version {stored} is newer than this code's version {new}")]
    Downgrade { stored: String, new: String },

    #[error("invalid version string {version:?}: expected MAJOR.MINOR.PATCH")]
    InvalidVersion { version: String },
}
