//! `dao`: Edgemint's governance contract.
//!
//! - proposals of CosmosMsgs (bank, wasm execute/migrate on Edgemint's contracts, IBC transfers from the treasury);
//! - voting power from the staking contract's snapshots at the proposal's start height (staked + lock-weighted), an
//!   exclusion list (exchanges, ...) whose power neither votes nor counts in the total;
//! - cw-utils thresholds, yes/no/abstain/no_with_veto, optional revote, deposits with a refund policy, a veto
//!   timelock with a vetoer and early execution;
//! - passed proposals executed by anyone, atomically; a failed execution is recorded, not reverted.
//!
//! The DAO is the cw-ownable owner (and wasm admin) of every Edgemint contract and holds the treasury. See README.md.

pub mod contract;
pub mod error;
pub mod msg;
mod proposal;
mod query;
pub mod state;
pub mod tally;

pub use crate::error::ContractError;
