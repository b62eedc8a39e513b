//! Epoch timing as the oracle hub defines it: epoch N covers `[genesis + N·length, genesis + (N+1)·length)` (start
//! inclusive, end exclusive), with `genesis` in unix nanoseconds (a cosmwasm `Timestamp`) and `length` in seconds.
//! Off-chain code (the daemon, the simulator) reads both from the hub's `Config`; the hub locks them once any report
//! exists. One definition, so every component agrees on which epoch a second belongs to.

use cosmwasm_schema::cw_serde;

const NANOS: u128 = 1_000_000_000;

#[cw_serde]
#[derive(Copy, Eq)]
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

    /// First whole second that belongs to `epoch` (saturating).
    pub fn start_secs(&self, epoch: u64) -> u64 {
        u64::try_from(self.start_nanos(epoch).div_ceil(NANOS)).unwrap_or(u64::MAX)
    }

    /// First whole second at or after the end of `epoch` (saturating): the start of the next one.
    pub fn end_secs(&self, epoch: u64) -> u64 {
        u64::try_from(self.end_nanos(epoch).div_ceil(NANOS)).unwrap_or(u64::MAX)
    }

    /// Whether unix second `t` lies inside `epoch`.
    pub fn contains(&self, epoch: u64, t: u64) -> bool {
        self.epoch_at(t) == Some(epoch)
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
    fn boundaries() {
        let t = EpochTiming::from_secs(1000, 600).unwrap();
        assert_eq!(t.epoch_at(999), None);
        assert_eq!(t.epoch_at(1000), Some(0));
        assert_eq!(t.epoch_at(1599), Some(0));
        assert_eq!(t.epoch_at(1600), Some(1));
        assert_eq!(t.start_secs(2), 2200);
        assert_eq!(t.end_secs(2), 2800);
        assert_eq!(t.next_boundary(5), 1000);
        assert_eq!(t.next_boundary(1601), 2200);
        assert!(t.contains(2, 2200) && t.contains(2, 2799) && !t.contains(2, 2800));
        assert_eq!(t.end_secs(u64::MAX), u64::MAX);
        assert!(EpochTiming::new(0, 0).is_none());
        // A genesis inside a second: second 1000 is before it, the epoch ends mid-second 1600.
        let t = EpochTiming::new(1_000_500_000_000, 600).unwrap();
        assert_eq!(t.epoch_at(1000), None);
        assert_eq!(t.epoch_at(1001), Some(0));
        assert_eq!(t.start_secs(0), 1001);
        assert_eq!(t.epoch_at(1600), Some(0));
        assert_eq!(t.epoch_at(1601), Some(1));
        assert_eq!(t.end_secs(0), 1601);
    }
}
