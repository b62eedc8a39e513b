//! Cheat modes (one per device at most) and the kind of every record the simulator sends, so a run can report what
//! was tried against what the daemons answered.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// How a device behaves. Honest devices follow the model; each cheat mode adds one dishonest behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheatMode {
    Honest,
    /// Sends its honest reports, and with probability `cheat_rate` per report also re-sends one of its earlier
    /// signed records byte for byte (the daemon must not count it again: `duplicate`, or `stale_sequence` /
    /// `timestamp_out_of_window` / `epoch_closed` once old).
    Replay,
    /// Claims more uptime than time has passed: every report's uptime is `elapsed_in_epoch × inflate_factor +
    /// interval`, which exceeds the seconds since the epoch started (and, late in the epoch, the epoch length:
    /// `implausible_uptime`).
    InflatedUptime,
    /// With probability `cheat_rate` per report, signs a second, different report with the same sequence number
    /// (more tasks and interactions) and sends both: equivocation, which the daemon must keep as evidence.
    DoubleSign,
    /// A key never registered on chain, reporting under a device id nobody has (`unknown_device`).
    Unregistered,
    /// A key never registered on chain, reporting under the id of a registered honest device (`bad_signature`).
    Impersonate,
    /// With probability `cheat_rate` per report, signs it for another chain id (`wrong_chain` in the binary form,
    /// `bad_signature` in JSON, which carries no chain id).
    WrongChain,
}

impl CheatMode {
    pub const ALL: [CheatMode; 7] = [
        CheatMode::Honest,
        CheatMode::Replay,
        CheatMode::InflatedUptime,
        CheatMode::DoubleSign,
        CheatMode::Unregistered,
        CheatMode::Impersonate,
        CheatMode::WrongChain,
    ];

    /// The cheat modes, in the order devices are assigned to them.
    pub const CHEATS: [CheatMode; 6] = [
        CheatMode::Replay,
        CheatMode::InflatedUptime,
        CheatMode::DoubleSign,
        CheatMode::Unregistered,
        CheatMode::Impersonate,
        CheatMode::WrongChain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheatMode::Honest => "honest",
            CheatMode::Replay => "replay",
            CheatMode::InflatedUptime => "inflated_uptime",
            CheatMode::DoubleSign => "double_sign",
            CheatMode::Unregistered => "unregistered",
            CheatMode::Impersonate => "impersonate",
            CheatMode::WrongChain => "wrong_chain",
        }
    }

    /// Whether the device's key is registered (and activated) on chain by `provision`.
    pub fn registered(self) -> bool {
        !matches!(self, CheatMode::Unregistered | CheatMode::Impersonate)
    }
}

impl fmt::Display for CheatMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one sent record is, and so what a correct daemon answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A truthful report (of any device, cheaters included): `accepted`.
    Honest,
    /// An earlier record sent again: `duplicate` (or stale/out of window/epoch closed), never counted twice.
    Replay,
    /// A report claiming uptime > elapsed time: accepted while ≤ the epoch length (a daemon can only bound it by
    /// the epoch length), `implausible_uptime` beyond.
    InflatedUptime,
    /// The second, different report with an already used sequence: `equivocation` (evidence kept).
    DoubleSign,
    /// Signed by an unregistered key under an unknown id: `unknown_device`.
    Unregistered,
    /// Signed by an unregistered key under a registered device's id: `bad_signature`.
    Impersonate,
    /// Signed for another chain: `wrong_chain` (binary) / `bad_signature` (JSON).
    WrongChain,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Honest => "honest",
            RecordKind::Replay => "replay",
            RecordKind::InflatedUptime => "inflated_uptime",
            RecordKind::DoubleSign => "double_sign",
            RecordKind::Unregistered => "unregistered",
            RecordKind::Impersonate => "impersonate",
            RecordKind::WrongChain => "wrong_chain",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many devices a cheat mode gets: a count (`5`) or a fraction of the fleet (`0.02` or `2%`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheatAmount {
    Count(u32),
    Fraction(f64),
}

impl Default for CheatAmount {
    fn default() -> Self {
        CheatAmount::Count(0)
    }
}

impl CheatAmount {
    /// Number of devices out of `n` (fractions round to nearest, at least 1 if the fraction is > 0 and n > 0).
    pub fn resolve(self, n: u32) -> u32 {
        match self {
            CheatAmount::Count(c) => c.min(n),
            CheatAmount::Fraction(f) => {
                if f <= 0.0 || n == 0 {
                    0
                } else {
                    ((f * f64::from(n)).round() as u32).clamp(1, n)
                }
            }
        }
    }
}

impl FromStr for CheatAmount {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, SimError> {
        let s = s.trim();
        let bad = || {
            SimError::InvalidArgument(format!(
                "{s:?}: expected a count (5), a fraction (0.02) or a percentage (2%)"
            ))
        };
        if let Some(p) = s.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&v) {
                return Err(bad());
            }
            return Ok(CheatAmount::Fraction(v / 100.0));
        }
        if s.contains('.') {
            let v: f64 = s.parse().map_err(|_| bad())?;
            if !(0.0..=1.0).contains(&v) {
                return Err(bad());
            }
            return Ok(CheatAmount::Fraction(v));
        }
        s.parse::<u32>().map(CheatAmount::Count).map_err(|_| bad())
    }
}

/// Devices per cheat mode (the rest are honest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CheatMix {
    #[serde(default)]
    pub replay: CheatAmount,
    #[serde(default)]
    pub inflated_uptime: CheatAmount,
    #[serde(default)]
    pub double_sign: CheatAmount,
    #[serde(default)]
    pub unregistered: CheatAmount,
    #[serde(default)]
    pub impersonate: CheatAmount,
    #[serde(default)]
    pub wrong_chain: CheatAmount,
}

impl CheatMix {
    pub fn amount(&self, mode: CheatMode) -> CheatAmount {
        match mode {
            CheatMode::Honest => CheatAmount::Count(0),
            CheatMode::Replay => self.replay,
            CheatMode::InflatedUptime => self.inflated_uptime,
            CheatMode::DoubleSign => self.double_sign,
            CheatMode::Unregistered => self.unregistered,
            CheatMode::Impersonate => self.impersonate,
            CheatMode::WrongChain => self.wrong_chain,
        }
    }

    /// Device counts per cheat mode for a fleet of `n`, in [`CheatMode::CHEATS`] order. Fails if they add up to
    /// more than the fleet.
    pub fn counts(&self, n: u32) -> Result<Vec<(CheatMode, u32)>, SimError> {
        let counts: Vec<(CheatMode, u32)> = CheatMode::CHEATS
            .iter()
            .map(|&m| (m, self.amount(m).resolve(n)))
            .collect();
        let total: u64 = counts.iter().map(|(_, c)| u64::from(*c)).sum();
        if total > u64::from(n) {
            return Err(SimError::InvalidArgument(format!(
                "the cheat modes ask for {total} devices but the fleet has {n}"
            )));
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_resolve() {
        assert_eq!("5".parse::<CheatAmount>().unwrap(), CheatAmount::Count(5));
        assert_eq!("2%".parse::<CheatAmount>().unwrap(), CheatAmount::Fraction(0.02));
        assert_eq!("0.1".parse::<CheatAmount>().unwrap(), CheatAmount::Fraction(0.1));
        assert!("-1".parse::<CheatAmount>().is_err());
        assert!("1.5".parse::<CheatAmount>().is_err());
        assert!("150%".parse::<CheatAmount>().is_err());
        assert!("x".parse::<CheatAmount>().is_err());
        assert_eq!(CheatAmount::Fraction(0.02).resolve(1000), 20);
        assert_eq!(CheatAmount::Fraction(0.001).resolve(10), 1);
        assert_eq!(CheatAmount::Fraction(0.0).resolve(10), 0);
        assert_eq!(CheatAmount::Count(50).resolve(10), 10);
    }

    #[test]
    fn mix_refuses_more_cheaters_than_devices() {
        let mix = CheatMix {
            replay: CheatAmount::Count(6),
            double_sign: CheatAmount::Fraction(0.5),
            ..Default::default()
        };
        assert!(mix.counts(10).is_err());
        let counts = mix.counts(20).unwrap();
        assert_eq!(counts[0], (CheatMode::Replay, 6));
        assert_eq!(counts[2], (CheatMode::DoubleSign, 10));
    }
}
