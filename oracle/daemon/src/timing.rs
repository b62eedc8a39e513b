//! Epoch timing as the oracle hub defines it: epoch N covers `[genesis + N·length, genesis + (N+1)·length)` (start
//! inclusive, end exclusive), with `genesis` a cosmwasm `Timestamp` (nanoseconds) and `length` in seconds. Read
//! once from the hub's `Config` at start; the hub locks both once any report exists.

use serde::Serialize;

const NANOS: u128 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EpochTiming {
    /// Start of epoch 0, unix nanoseconds.
    pub genesis_nanos: u64,
    /// Epoch length in seconds (> 0).
    pub length: u64,
}

impl EpochTiming {
    /// `None` for a zero length.
    pub fn new(genesis_nanos: u64, length: u64) -> Option<Self> {
        (length > 0).then_some(Self { genesis_nanos, length })
    }

    /// Timing with a genesis in whole seconds.
    pub fn from_secs(genesis_secs: u64, length: u64) -> Option<Self> {
        Self::new(genesis_secs.checked_mul(1_000_000_000)?, length)
    }

    /// The epoch running at unix second `t`; `None` before genesis.
    pub fn epoch_at(&self, t: u64) -> Option<u64> {
        let since = (u128::from(t) * NANOS).checked_sub(u128::from(self.genesis_nanos))?;
        u64::try_from(since / (u128::from(self.length) * NANOS)).ok()
    }

    /// Start of `epoch` in unix nanoseconds (as wide integers: no overflow).
    pub fn start_nanos(&self, epoch: u64) -> u128 {
        u128::from(self.genesis_nanos) + u128::from(epoch) * u128::from(self.length) * NANOS
    }

    /// End of `epoch` (exclusive) in unix nanoseconds.
    pub fn end_nanos(&self, epoch: u64) -> u128 {
        self.start_nanos(epoch) + u128::from(self.length) * NANOS
    }

    /// First whole second at or after the end of `epoch` (saturating).
    pub fn end_secs(&self, epoch: u64) -> u64 {
        u64::try_from(self.end_nanos(epoch).div_ceil(NANOS)).unwrap_or(u64::MAX)
    }

    /// Whether unix second `t` lies inside `epoch`.
    pub fn contains(&self, epoch: u64, t: u64) -> bool {
        self.epoch_at(t) == Some(epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let t = EpochTiming::from_secs(1000, 600).unwrap();
        assert_eq!(t.epoch_at(999), None);
        assert_eq!(t.epoch_at(1000), Some(0));
        assert_eq!(t.epoch_at(1599), Some(0));
        assert_eq!(t.epoch_at(1600), Some(1));
        assert_eq!(t.end_secs(2), 2800);
        assert!(t.contains(2, 2200) && t.contains(2, 2799) && !t.contains(2, 2800));
        assert!(t.end_secs(u64::MAX) == u64::MAX);
        assert!(EpochTiming::new(0, 0).is_none());
        // a genesis with a fraction of a second: second 1000 is before it, the epoch ends mid-second 1600
        let t = EpochTiming::new(1_000_500_000_000, 600).unwrap();
        assert_eq!(t.epoch_at(1000), None);
        assert_eq!(t.epoch_at(1001), Some(0));
        assert_eq!(t.epoch_at(1600), Some(0));
        assert_eq!(t.epoch_at(1601), Some(1));
        assert_eq!(t.end_secs(0), 1601);
    }
}
