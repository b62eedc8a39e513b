//! Input and output types. The serde types use `#[cw_serde]`, so contracts can put them into messages and state
//! directly (u128 values are `Uint128`, i.e. decimal strings in JSON).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, Uint128};

use crate::error::RewardsError;

/// One device's aggregated telemetry for one epoch, as the oracle daemon hands it to [`crate::compute_epoch`].
#[cw_serde]
#[derive(Eq)]
pub struct DeviceTelemetry {
    /// Registry device id (the NFT token id). Unique per epoch; it is the leaf key.
    pub device_id: u64,
    /// The device owner's bech32 address at the epoch's end height, canonical lowercase (see [`validate_owner`]).
    pub owner: String,
    /// Seconds the device was up during the epoch (the daemon caps it at the epoch length).
    pub uptime_secs: u64,
    pub tasks_completed: u64,
    pub interactions: u64,
}

/// DAO-set contribution weights. All weights are plain integers in "weight units"; only their ratios matter, because
/// the epoch budget is split in proportion to points. To express a fractional weight, scale all three weights up
/// (e.g. 1.5 : 1 : 0.25 becomes 6 : 4 : 1).
#[cw_serde]
#[derive(Eq)]
pub struct Weights {
    /// Weight units per full hour of uptime (uptime is counted to the second, see [`mod@crate::points`]).
    pub uptime_per_hour: u64,
    /// Weight units per completed task.
    pub per_task: u64,
    /// Weight units per interaction.
    pub per_interaction: u64,
    /// A device with `uptime_secs < min_uptime_secs` earns zero points.
    pub min_uptime_secs: u64,
}

/// An owner's lock multiplier as an unsigned fixed-point number with 18 decimals: the stored integer is
/// `multiplier × 10^18`, which is exactly `cosmwasm_std::Decimal::atomics()`. So the staking contract's `Decimal`
/// converts in both directions without loss and without rounding ([`Multiplier::from_decimal`],
/// [`Multiplier::to_decimal`]). `1.0` is `Multiplier::ONE` (atomics `10^18`); `1.0 = 10_000 bps` for
/// [`Multiplier::from_bps`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Multiplier(u128);

impl Multiplier {
    /// Fixed-point scale: atomics per 1.0 (same as `Decimal`).
    pub const SCALE: u128 = 1_000_000_000_000_000_000;
    /// Atomics per basis point (1 bps = 0.0001).
    pub const ATOMICS_PER_BPS: u128 = 100_000_000_000_000;
    pub const ZERO: Multiplier = Multiplier(0);
    pub const ONE: Multiplier = Multiplier(Self::SCALE);

    /// From raw atomics (`multiplier × 10^18`).
    pub const fn from_atomics(atomics: u128) -> Self {
        Multiplier(atomics)
    }

    /// The raw atomics (`multiplier × 10^18`).
    pub const fn atomics(self) -> u128 {
        self.0
    }

    /// Exact: `bps × 10^14` atomics (10_000 bps = 1.0).
    pub const fn from_bps(bps: u32) -> Self {
        Multiplier(bps as u128 * Self::ATOMICS_PER_BPS)
    }

    /// The multiplier in basis points, rounded down.
    pub const fn to_bps_floor(self) -> u128 {
        self.0 / Self::ATOMICS_PER_BPS
    }

    /// Lossless: a `Decimal` is `atomics / 10^18`, the same representation.
    pub fn from_decimal(d: Decimal) -> Self {
        Multiplier(d.atomics().u128())
    }

    /// Lossless inverse of [`Multiplier::from_decimal`].
    pub fn to_decimal(self) -> Decimal {
        Decimal::raw(self.0)
    }
}

impl From<Decimal> for Multiplier {
    fn from(d: Decimal) -> Self {
        Multiplier::from_decimal(d)
    }
}

impl From<Multiplier> for Decimal {
    fn from(m: Multiplier) -> Self {
        m.to_decimal()
    }
}

impl core::fmt::Display for Multiplier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.to_decimal(), f)
    }
}

/// One reward leaf: `owner` may claim `amount` uemc for `device_id` in `epoch`. See [`crate::encode_leaf`] for the
/// canonical byte encoding and [`crate::leaf_hash`] for its hash.
#[cw_serde]
#[derive(Eq)]
pub struct Leaf {
    pub epoch: u64,
    pub device_id: u64,
    /// Canonical (lowercase) bech32 address, see [`validate_owner`].
    pub owner: String,
    pub amount: Uint128,
}

impl Leaf {
    pub fn new(epoch: u64, device_id: u64, owner: impl Into<String>, amount: u128) -> Self {
        Leaf {
            epoch,
            device_id,
            owner: owner.into(),
            amount: Uint128::new(amount),
        }
    }
}

/// Longest owner string accepted (bytes). Bech32 strings are at most 90 characters; the encoding's u16 length prefix
/// would allow more, but nothing legitimate needs it.
pub const MAX_OWNER_LEN: usize = 255;

/// Checks that `owner` is in the one canonical form every oracle must use, so that the same owner always encodes to
/// the same bytes: 1..=[`MAX_OWNER_LEN`] bytes of printable ASCII (0x21..=0x7e) with no uppercase letters (bech32 is
/// case-insensitive, and the chain's canonical form — what `addr_validate` returns — is lowercase). This is not a
/// bech32 checksum check; contracts validate addresses with `deps.api.addr_validate` as usual.
pub fn validate_owner(owner: &str) -> Result<(), &'static str> {
    if owner.is_empty() {
        return Err("owner is empty");
    }
    if owner.len() > MAX_OWNER_LEN {
        return Err("owner is longer than 255 bytes");
    }
    for b in owner.bytes() {
        if !(0x21..=0x7e).contains(&b) {
            return Err("owner must be printable ASCII without whitespace");
        }
        if b.is_ascii_uppercase() {
            return Err("owner must be lowercase (canonical bech32)");
        }
    }
    Ok(())
}

pub(crate) fn check_owner(device_id: u64, owner: &str) -> Result<(), RewardsError> {
    validate_owner(owner).map_err(|reason| RewardsError::InvalidOwner {
        device_id,
        owner: owner.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn multiplier_decimal_roundtrip_is_lossless() {
        for s in ["0", "1", "1.5", "2.333333333333333333", "10", "0.000000000000000001"] {
            let d = Decimal::from_str(s).unwrap();
            let m = Multiplier::from(d);
            assert_eq!(m.atomics(), d.atomics().u128());
            assert_eq!(Decimal::from(m), d);
        }
        assert_eq!(Multiplier::from(Decimal::one()), Multiplier::ONE);
        assert_eq!(Multiplier::from(Decimal::MAX).atomics(), u128::MAX);
    }

    #[test]
    fn multiplier_bps() {
        assert_eq!(Multiplier::from_bps(10_000), Multiplier::ONE);
        assert_eq!(
            Multiplier::from_bps(15_000).to_decimal(),
            Decimal::from_str("1.5").unwrap()
        );
        assert_eq!(Multiplier::from_bps(u32::MAX).to_bps_floor(), u32::MAX as u128);
        assert_eq!(
            Multiplier::from_atomics(Multiplier::ATOMICS_PER_BPS - 1).to_bps_floor(),
            0
        );
        assert_eq!(Multiplier::from_bps(12_345).to_string(), "1.2345");
    }

    #[test]
    fn owner_validation() {
        assert!(validate_owner("emc1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu").is_ok());
        assert!(validate_owner("a").is_ok());
        assert!(validate_owner("").is_err());
        assert!(validate_owner("EMC1ABC").is_err());
        assert!(validate_owner("emc1 abc").is_err());
        assert!(validate_owner("emc1\u{e9}").is_err());
        assert!(validate_owner(&"a".repeat(255)).is_ok());
        assert!(validate_owner(&"a".repeat(256)).is_err());
    }
}
