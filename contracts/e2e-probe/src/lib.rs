//! `e2e-probe`: a deliberately small CosmWasm 2.x contract whose only job is to prove,
//! on a real edgemint node, that code can be stored, instantiated, executed, queried
//! and migrated. It is not part of the product.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

pub use crate::error::ContractError;
