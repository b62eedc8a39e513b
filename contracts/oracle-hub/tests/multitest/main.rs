//! cw-multi-test checks of the oracle hub against the real device registry and staking contracts and a mock
//! rewards contract. Error paths also check that nothing changed; bond scenarios end with the balance invariant
//! `hub balance == Σ bonded + Σ unbonding`.

mod abandon;
mod config;
mod device_evidence;
mod json;
mod operator_evidence;
mod operators;
mod reports;
mod security;
mod suite;
mod veto;
mod with_rewards;
