//! `oracle-hub`: the Edgemint oracle hub.
//!
//! - a DAO-managed set of bonded operators (admin adds/removes; each bonds `uemc`, unbonds over a period);
//! - fixed-length epochs; after an epoch ends every operator of the epoch's electorate (the operators listed at its
//!   first report) submits one signed report (rewards root, total, device count, telemetry commitment); the first
//!   report reserves and freezes the epoch's budget in the rewards contract; a root is accepted once a quorum of the
//!   electorate reported it, which settles its total there;
//! - the DAO may abandon an epoch that never reaches a quorum, releasing its budget;
//! - a challenge window during which the DAO may veto an accepted root; after it the root is final (no tx needed);
//! - equivocation evidence anyone can submit: two signed reports of one operator for one epoch (slashes its bond,
//!   pays a bounty) and two signed telemetry reports of one device with one sequence number (slashes and bans the
//!   device through staking).
//!
//! See README.md for the rules and the message shapes.

pub mod contract;
pub mod epoch;
pub mod error;
mod evidence;
pub mod msg;
mod operators;
mod query;
mod reports;
pub mod signature;
pub mod state;

pub use crate::error::ContractError;
