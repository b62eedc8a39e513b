//! Types that more than one Edgemint contract (or an off-chain client) needs.

pub mod registry;
pub mod staking;
