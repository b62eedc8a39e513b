//! Epoch timing: the one definition lives in `edgemint_types::epoch` (shared with the hub's rules and the other
//! off-chain components).

pub use edgemint_types::epoch::EpochTiming;
