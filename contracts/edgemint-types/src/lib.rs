//! Types that more than one Edgemint contract (or an off-chain client) needs.

pub mod epoch;
pub mod migrate;
pub mod oracle;
pub mod registry;
pub mod rewards;
pub mod staking;
pub mod telemetry;
pub mod validate;
