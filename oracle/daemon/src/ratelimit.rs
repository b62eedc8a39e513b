//! Per-device token buckets: `burst` reports at once, refilled at `per_minute`. Rejected reports cost nothing;
//! a token taken for a report the store then finds to be a duplicate is given back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    burst: f64,
    per_sec: f64,
    /// Buckets idle long enough to be full again are dropped when the map grows past this.
    max_tracked: usize,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(burst: u32, per_minute: u32) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            per_sec: f64::from(per_minute.max(1)) / 60.0,
            max_tracked: 1_000_000,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token of `device`'s bucket at `now`; false when empty.
    pub fn try_take(&self, device: u64, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true; // a poisoned limiter must not stop ingest
        };
        if buckets.len() >= self.max_tracked {
            let full_after = self.burst / self.per_sec;
            buckets.retain(|_, b| now.saturating_duration_since(b.at).as_secs_f64() < full_after);
        }
        let b = buckets.entry(device).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_sec).min(self.burst);
        b.at = now.max(b.at);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Returns a token taken by [`RateLimiter::try_take`].
    pub fn give_back(&self, device: u64) {
        if let Ok(mut buckets) = self.buckets.lock() {
            if let Some(b) = buckets.get_mut(&device) {
                b.tokens = (b.tokens + 1.0).min(self.burst);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let r = RateLimiter::new(3, 60);
        let t0 = Instant::now();
        assert!((0..3).all(|_| r.try_take(1, t0)));
        assert!(!r.try_take(1, t0));
        assert!(r.try_take(2, t0), "buckets are per device");
        assert!(r.try_take(1, t0 + Duration::from_secs(1)), "one per second refills");
        assert!(!r.try_take(1, t0 + Duration::from_secs(1)));
        r.give_back(1);
        assert!(r.try_take(1, t0 + Duration::from_secs(1)));
        assert!(
            (0..3).all(|_| r.try_take(1, t0 + Duration::from_secs(100))),
            "refill caps at burst"
        );
        assert!(!r.try_take(1, t0 + Duration::from_secs(100)));
    }
}
