//! Edgemint device simulator: a reproducible fleet of devices (ed25519 and secp256k1, honest and cheating) that is
//! registered and activated on chain through a maker account and then streams signed telemetry to oracle daemons.
//!
//! - [`fleet`]: the fleet derived from a seed and persisted as JSON (keys, codes, behaviour, cheat modes, owners).
//! - [`model`]: one device's behaviour (online/offline Markov chain, Poisson work, cumulative-in-epoch counters) and
//!   its cheats; [`scheduler`] runs the whole fleet against a clock.
//! - [`frame`], [`daemon`], [`run`]: batching into `EMTB` frames or JSON arrays, sending to every daemon, counting
//!   their answers ([`stats`]).
//! - [`chain`], [`provision`]: registration, funding, activation and staking with real transactions; [`devnet`]
//!   deploys a registry and staking on a test chain that has none.
//!
//! See README.md for the CLI, the fleet file and the cheat modes.

pub mod chain;
pub mod cheat;
pub mod daemon;
pub mod devnet;
pub mod error;
pub mod fleet;
pub mod frame;
pub mod model;
pub mod provision;
pub mod rng;
pub mod run;
pub mod scheduler;
pub mod stats;
pub mod timing;

pub use cheat::{CheatAmount, CheatMix, CheatMode, RecordKind};
pub use error::SimError;
pub use fleet::{BehaviourParams, Fleet, FleetSpec};
pub use model::{DeviceSim, Emitted, RunContext};
pub use scheduler::Scheduler;
pub use timing::EpochTiming;
