//! Edgemint rewards arithmetic and Merkle tree, shared by the CosmWasm contracts (verification) and the oracle daemon
//! (computation). Integer arithmetic only, SHA-256 only, deterministic for any input order. The full specification,
//! with a worked example, is in this crate's README.md; the test vectors in `testdata/vectors.json` pin it.
//!
//! * [`points()`]: contribution points of one device (fixed-point, saturating).
//! * [`split()`]: proportional split of a budget, rounding down, remainder back to the pool.
//! * [`encode_leaf`] / [`leaf_hash`]: canonical leaf bytes and hash.
//! * [`build_tree`] / [`Tree`] / [`TreeBuilder`] / [`RootBuilder`]: off-chain tree and proofs.
//! * [`verify`]: on-chain proof check (no allocation).
//! * [`compute_epoch`]: everything at once, for the oracle daemon.

mod epoch;
mod error;
pub mod leaf;
pub mod merkle;
pub mod points;
pub mod split;
mod types;

pub use epoch::{compute_epoch, EpochResult, MultiplierSource, NoMultipliers};
pub use error::RewardsError;
pub use leaf::{encode_leaf, leaf_hash, LEAF_DOMAIN, LEAF_PREFIX};
pub use merkle::{
    build_tree, hash_from_hex, hash_pair, proof_from_hex, to_hex, verify, verify_hash, Hash, RootBuilder, Tree,
    TreeBuilder, EMPTY_ROOT, MAX_PROOF_LEN, NODE_PREFIX,
};
pub use points::{points, POINT_UNITS_PER_WEIGHT_UNIT};
pub use split::{split, split_points, Split};
pub use types::{validate_owner, DeviceTelemetry, Leaf, Multiplier, Weights, MAX_OWNER_LEN};
