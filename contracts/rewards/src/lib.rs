//! `rewards`: the Edgemint rewards contract (native `uemc`).
//!
//! - holds the mining pool; emission per epoch from a DAO-tunable decaying schedule, never more than the pool;
//! - revenue and fees anyone sends in are earmarked for the next epoch's budget;
//! - the oracle hub reserves and freezes an epoch's budget at its first report, settles the accepted root's total
//!   when it reaches quorum, and releases the reservation on a veto or an abandoned epoch;
//! - the admin closes an epoch `claim_window` after it became final (stranded rewards return to the pool) and
//!   resolves `ClaimAndSend` transfers whose IBC callback never came;
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
