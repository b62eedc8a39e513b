use cosmwasm_std::StdError;
use edgemint_types::migrate::MigrateError;
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

    /// `migrate` refused: a different contract, a downgrade or an unparseable version.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}
