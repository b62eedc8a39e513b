//! Seeded randomness: every random choice of the simulator comes from a ChaCha20 stream derived from the fleet seed
//! and a label, so a fleet (and a run started at the same time) is reproducible bit for bit.
//!
//! `stream(seed, label, index) = ChaCha20Rng::from_seed(sha256("edgemint-sim/v1" ‖ seed_be ‖ label ‖ 0x00 ‖ index_be))`.
//! Each device has its own streams (`"device"` for its identity, `"run"` for its behaviour), so device `i` is the same
//! device whatever the fleet size.

use rand::Rng;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

const DOMAIN: &[u8] = b"edgemint-sim/v1";

/// The independent random stream for (`seed`, `label`, `index`).
pub fn stream(seed: u64, label: &str, index: u64) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(seed.to_be_bytes());
    h.update(label.as_bytes());
    h.update([0u8]);
    h.update(index.to_be_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// A uniform draw in (0, 1] (never 0, so `ln` is finite).
pub fn unit_open<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    1.0 - rng.gen::<f64>()
}

/// Exponential with the given mean.
pub fn exponential<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> f64 {
    -unit_open(rng).ln() * mean
}

/// Standard normal (Box–Muller).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = unit_open(rng);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given median and sigma (of the underlying normal).
pub fn log_normal<R: Rng + ?Sized>(rng: &mut R, median: f64, sigma: f64) -> f64 {
    median * (sigma * standard_normal(rng)).exp()
}

/// Poisson with mean `lambda` (Knuth below 30, a rounded normal approximation above).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 || !lambda.is_finite() {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0u64;
        let mut p = 1.0;
        loop {
            p *= rng.gen::<f64>();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    let x = lambda + lambda.sqrt() * standard_normal(rng);
    if x <= 0.0 {
        0
    } else {
        x.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draw = |seed, label, index| {
            let mut r = stream(seed, label, index);
            (0..4).map(|_| r.gen()).collect::<Vec<u64>>()
        };
        let (a, b, c, d) = (draw(7, "x", 1), draw(7, "x", 1), draw(7, "x", 2), draw(8, "x", 1));
        let e = draw(7, "y", 1);
        assert_ne!(a, e);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn poisson_and_exponential_means() {
        let mut r = stream(1, "stats", 0);
        let n = 20_000;
        for lambda in [0.5, 4.0, 200.0] {
            let mean = (0..n).map(|_| poisson(&mut r, lambda) as f64).sum::<f64>() / n as f64;
            assert!(
                (mean - lambda).abs() < lambda * 0.05 + 0.05,
                "poisson({lambda}) mean {mean}"
            );
        }
        let mean = (0..n).map(|_| exponential(&mut r, 30.0)).sum::<f64>() / n as f64;
        assert!((mean - 30.0).abs() < 1.5, "exponential mean {mean}");
        assert_eq!(poisson(&mut r, 0.0), 0);
        assert_eq!(poisson(&mut r, f64::NAN), 0);
    }
}
