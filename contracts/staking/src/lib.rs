//! `staking`: the Edgemint staking contract (native `uemc`).
//!
//! - per-device stake: a device mines only while its current owner has at least the DAO-set minimum staked for it;
//! - unbonding: `Unstake` creates an entry claimable after the DAO-set unbonding period;
//! - lock-ups in DAO-set tiers (duration → multiplier) that weigh voting power and rewards;
//! - voting power and reward multipliers snapshotted per block (DAO-DAO style queries at a height);
//! - slashing for the oracle hub and the DAO, with a bounty to the reporter.
//!
//! See README.md for the rules and the message shapes.

pub mod contract;
pub mod error;
mod lock;
pub mod msg;
pub mod power;
mod query;
pub mod registry;
mod stake;
pub mod state;

pub use crate::error::ContractError;
