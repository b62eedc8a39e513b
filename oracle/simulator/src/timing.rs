//! Epoch timing as the oracle hub defines it (and the daemon checks it): epoch N covers
//! `[genesis + N·length, genesis + (N+1)·length)`, genesis in unix nanoseconds, length in seconds. A report made at
//! unix second `t` belongs to `epoch_at(t)`.

use serde::{Deserialize, Serialize};

const NANOS: u128 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    pub fn from_secs(genesis_secs: u64, length: u64) -> Option<Self> {
        Self::new(genesis_secs.checked_mul(1_000_000_000)?, length)
    }

    /// The epoch running at unix second `t`; `None` before genesis.
    pub fn epoch_at(&self, t: u64) -> Option<u64> {
        let since = (u128::from(t) * NANOS).checked_sub(u128::from(self.genesis_nanos))?;
        u64::try_from(since / (u128::from(self.length) * NANOS)).ok()
    }

    /// First whole second that belongs to `epoch` (saturating).
    pub fn start_secs(&self, epoch: u64) -> u64 {
        let nanos = u128::from(self.genesis_nanos) + u128::from(epoch) * u128::from(self.length) * NANOS;
        u64::try_from(nanos.div_ceil(NANOS)).unwrap_or(u64::MAX)
    }

    /// First whole second after `epoch` (saturating): the start of the next one.
    pub fn end_secs(&self, epoch: u64) -> u64 {
        self.start_secs(epoch.saturating_add(1))
    }

    /// The first second at or after `t` where the epoch changes (genesis itself when `t` is before it).
    pub fn next_boundary(&self, t: u64) -> u64 {
        match self.epoch_at(t) {
            Some(e) => self.end_secs(e),
            None => self.start_secs(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_match_the_daemon_rule() {
        let t = EpochTiming::from_secs(1_000, 60).unwrap();
        assert_eq!(t.epoch_at(999), None);
        assert_eq!(t.epoch_at(1_000), Some(0));
        assert_eq!(t.epoch_at(1_059), Some(0));
        assert_eq!(t.epoch_at(1_060), Some(1));
        assert_eq!(t.start_secs(2), 1_120);
        assert_eq!(t.end_secs(1), 1_120);
        assert_eq!(t.next_boundary(5), 1_000);
        assert_eq!(t.next_boundary(1_061), 1_120);
        // A genesis inside a second: the epoch starts at the next whole second.
        let t = EpochTiming::new(1_000_500_000_000, 10).unwrap();
        assert_eq!(t.epoch_at(1_000), None);
        assert_eq!(t.epoch_at(1_001), Some(0));
        assert_eq!(t.start_secs(0), 1_001);
        assert_eq!(t.epoch_at(t.end_secs(0) - 1), Some(0));
        assert_eq!(t.epoch_at(t.end_secs(0)), Some(1));
        assert!(EpochTiming::new(0, 0).is_none());
    }
}
