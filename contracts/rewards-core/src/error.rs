use thiserror::Error;

/// Every way an input to this crate can be rejected. Nothing in the crate panics on bad input; it returns one of
/// these instead (arithmetic never fails: see the saturation rules in [`mod@crate::points`] and [`mod@crate::split`]).
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum RewardsError {
    /// Two telemetry records or two leaves carry the same device id. Device ids are the leaf key and must be unique.
    #[error("duplicate device id {device_id}")]
    DuplicateDevice { device_id: u64 },

    /// The owner string is not in canonical form (see [`crate::validate_owner`]).
    #[error("invalid owner {owner:?} for device {device_id}: {reason}")]
    InvalidOwner {
        device_id: u64,
        owner: String,
        reason: &'static str,
    },

    /// Leaves of one tree must all belong to the same epoch.
    #[error("leaf for device {device_id} is for epoch {found}, but the tree is for epoch {expected}")]
    MixedEpochs { device_id: u64, expected: u64, found: u64 },

    /// Leaves pushed into a [`crate::RootBuilder`] must come in strictly ascending device id order.
    #[error("device {device_id} pushed after device {previous}: leaves must be in strictly ascending device id order")]
    OutOfOrder { device_id: u64, previous: u64 },

    /// A hash given as hex is not 64 hex digits.
    #[error("invalid hash {input:?}: expected 64 hex digits (32 bytes)")]
    InvalidHash { input: String },
}
