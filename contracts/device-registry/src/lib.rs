//! `device-registry`: makers register devices (public key + hash of the activation code), buyers activate them
//! with the code and a device signature that binds their address, and each activated device is a cw721 token
//! owned by its owner. Admin (later the DAO) and slashers manage device status. See README.md.

pub mod activation;
pub mod contract;
pub mod error;
pub mod msg;
pub mod nft;
pub mod query;
pub mod state;
pub mod validation;

pub use crate::error::ContractError;
