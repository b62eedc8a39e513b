//! `rewards`: the Edgemint rewards contract (native `uemc`).
//!
//! - holds the mining pool; emission per epoch from a DAO-tunable decaying schedule, never more than the pool;
//! - revenue and fees anyone sends in are earmarked for the next epoch's budget;
//! - the oracle hub reserves an epoch's budget when a root reaches quorum, and releases it on a veto;
//! - pays Merkle-proof claims against final roots (`rewards_core` leaf and tree), batched, by anyone on the owner's
//!   behalf, or to another chain over IBC; never more than the root's total;
//! - pays the reporting operators their share of each epoch.
//!
//! See README.md for the rules and the message shapes.

pub mod claim;
pub mod contract;
pub mod emission;
pub mod error;
pub mod external;
pub mod ibc;
pub mod msg;
pub mod pool;
mod query;
pub mod state;

pub use crate::error::ContractError;
