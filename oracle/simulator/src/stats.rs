//! Counters of a run: what was generated, and per daemon what was sent and how it answered, broken down by record
//! kind (so "what the cheaters tried / what the daemon caught" is one table).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::cheat::RecordKind;

/// What one daemon made of our traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DaemonStats {
    pub url: String,
    /// Requests answered with per-item results.
    pub frames_ok: u64,
    /// Requests that failed for good (after retries): connection errors, 4xx/5xx without per-item results.
    pub frames_failed: u64,
    /// Frames never sent to this daemon: its queue was full while it was unreachable.
    pub frames_dropped: u64,
    pub retries: u64,
    /// Records in answered requests.
    pub records_answered: u64,
    /// Records in failed or dropped requests.
    pub records_lost: u64,
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Record kind → outcome (`accepted`, `duplicate`, or the rejection reason) → count.
    pub outcomes_by_kind: BTreeMap<String, BTreeMap<String, u64>>,
    /// Failed requests by cause (`connect`, `timeout`, `http_503`, `http_400:malformed`, ...).
    pub http_errors: BTreeMap<String, u64>,
    pub latency_ms_sum: u64,
    pub latency_ms_max: u64,
}

impl DaemonStats {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_string(),
            ..Self::default()
        }
    }

    /// One item's answer: `status` is `accepted`, `duplicate` or `rejected` (with `reason`).
    pub fn record_item(&mut self, kind: RecordKind, status: &str, reason: Option<&str>) {
        self.records_answered += 1;
        let outcome = match status {
            "accepted" => {
                self.accepted += 1;
                "accepted".to_string()
            }
            "duplicate" => {
                self.duplicate += 1;
                "duplicate".to_string()
            }
            _ => {
                self.rejected += 1;
                let reason = reason.unwrap_or("unspecified").to_string();
                *self.rejected_by_reason.entry(reason.clone()).or_default() += 1;
                reason
            }
        };
        *self
            .outcomes_by_kind
            .entry(kind.as_str().to_string())
            .or_default()
            .entry(outcome)
            .or_default() += 1;
    }

    /// A request that failed for good, with `records` records.
    pub fn record_failure(&mut self, cause: &str, records: usize) {
        self.frames_failed += 1;
        self.records_lost += records as u64;
        *self.http_errors.entry(cause.to_string()).or_default() += 1;
    }

    pub fn record_dropped(&mut self, records: usize) {
        self.frames_dropped += 1;
        self.records_lost += records as u64;
    }

    pub fn record_latency(&mut self, ms: u64) {
        self.latency_ms_sum += ms;
        self.latency_ms_max = self.latency_ms_max.max(ms);
    }

    /// One line: `URL: answered N (accepted A, duplicate D, rejected R: reason=n ...) lost L [errors ...]`.
    pub fn summary_line(&self) -> String {
        let mut s = format!(
            "{}: answered {} (accepted {}, duplicate {}, rejected {}",
            self.url, self.records_answered, self.accepted, self.duplicate, self.rejected
        );
        if !self.rejected_by_reason.is_empty() {
            s.push(':');
            for (reason, n) in &self.rejected_by_reason {
                let _ = write!(s, " {reason}={n}");
            }
        }
        s.push(')');
        let requests = self.frames_ok + self.frames_failed;
        if requests > 0 {
            let _ = write!(
                s,
                ", {} requests, latency avg {} ms max {} ms",
                requests,
                self.latency_ms_sum / requests,
                self.latency_ms_max
            );
        }
        if self.records_lost > 0 || !self.http_errors.is_empty() {
            let _ = write!(s, ", lost {} records (", self.records_lost);
            let mut first = true;
            for (cause, n) in &self.http_errors {
                let _ = write!(s, "{}{cause}={n}", if first { "" } else { " " });
                first = false;
            }
            if self.frames_dropped > 0 {
                let _ = write!(
                    s,
                    "{}dropped_frames={}",
                    if first { "" } else { " " },
                    self.frames_dropped
                );
            }
            s.push(')');
        }
        if self.retries > 0 {
            let _ = write!(s, ", {} retries", self.retries);
        }
        s
    }

    /// Lines `  kind: outcome=n ...`, one per record kind seen.
    pub fn kind_lines(&self) -> Vec<String> {
        self.outcomes_by_kind
            .iter()
            .map(|(kind, outcomes)| {
                let mut s = format!("    {kind}:");
                for (o, n) in outcomes {
                    let _ = write!(s, " {o}={n}");
                }
                s
            })
            .collect()
    }
}

/// What the generator produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GeneratorStats {
    /// Device turns taken (online or not).
    pub turns: u64,
    pub records: u64,
    pub records_by_kind: BTreeMap<String, u64>,
    pub frames: u64,
    /// Devices online at the last count.
    pub online: u64,
    /// Seconds the most overdue device was late at the last poll (0 when keeping up).
    pub lag_secs: u64,
}

impl GeneratorStats {
    pub fn add_record(&mut self, kind: RecordKind) {
        self.records += 1;
        *self.records_by_kind.entry(kind.as_str().to_string()).or_default() += 1;
    }

    pub fn summary_line(&self, elapsed_secs: f64) -> String {
        let rate = if elapsed_secs > 0.0 {
            self.records as f64 / elapsed_secs
        } else {
            0.0
        };
        let mut s = format!(
            "generated {} records ({rate:.0}/s) in {} frames, {} devices online, lag {} s:",
            self.records, self.frames, self.online, self.lag_secs
        );
        for (kind, n) in &self.records_by_kind {
            let _ = write!(s, " {kind}={n}");
        }
        s
    }
}

/// The JSON written by `run --summary-json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub elapsed_secs: f64,
    pub devices: usize,
    pub generator: GeneratorStats,
    pub daemons: Vec<DaemonStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_counted_by_status_reason_and_kind() {
        let mut s = DaemonStats::new("http://127.0.0.1:1");
        s.record_item(RecordKind::Honest, "accepted", None);
        s.record_item(RecordKind::Replay, "duplicate", None);
        s.record_item(RecordKind::DoubleSign, "rejected", Some("equivocation"));
        s.record_item(RecordKind::WrongChain, "rejected", Some("wrong_chain"));
        s.record_item(RecordKind::WrongChain, "rejected", Some("wrong_chain"));
        s.record_failure("connect", 10);
        s.record_latency(5);
        s.frames_ok = 1;
        assert_eq!((s.accepted, s.duplicate, s.rejected, s.records_answered), (1, 1, 3, 5));
        assert_eq!(s.rejected_by_reason["wrong_chain"], 2);
        assert_eq!(s.outcomes_by_kind["double_sign"]["equivocation"], 1);
        let line = s.summary_line();
        assert!(
            line.contains("accepted 1, duplicate 1, rejected 3: equivocation=1 wrong_chain=2"),
            "{line}"
        );
        assert!(line.contains("lost 10 records (connect=1)"), "{line}");
        assert!(s.kind_lines().iter().any(|l| l.contains("wrong_chain: wrong_chain=2")));
    }
}
