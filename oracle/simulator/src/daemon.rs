//! Talking to one oracle daemon: POST a frame, read the per-item results, retry what may succeed later, count
//! everything in its [`DaemonStats`].
//!
//! The daemon answers a batch (EMTB frame or JSON array) with 200 and
//! `{"accepted":n,"duplicate":n,"rejected":n,"results":[{"index":i,"status":"accepted|duplicate|rejected",
//! "reason":"...",...}]}`; a request it cannot read as a whole gets `{"error":code,"message":...}` with 400, 413 or
//! 415, and 503 `store_unavailable` when nothing was stored (`oracle/daemon/src/http.rs`). Connection errors,
//! timeouts, 429 and 5xx are retried with backoff (re-sending is safe: identical records are `duplicate`); other
//! answers are final.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::frame::Frame;
use crate::stats::DaemonStats;

#[derive(Debug, Clone, Copy)]
pub struct SendPolicy {
    pub timeout: Duration,
    /// Extra attempts after the first, for retryable failures of a daemon that answered recently.
    pub retries: u32,
    pub backoff: Duration,
}

impl Default for SendPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(200),
        }
    }
}

/// One daemon: its URL, counters and health (whether its last request got an answer).
pub struct Daemon {
    pub url: String,
    pub stats: Mutex<DaemonStats>,
    healthy: AtomicBool,
}

impl Daemon {
    pub fn new(url: &str) -> Self {
        let url = url.trim_end_matches('/').to_string();
        Self {
            stats: Mutex::new(DaemonStats::new(&url)),
            url,
            healthy: AtomicBool::new(true),
        }
    }

    /// False after a request failed for good, until one succeeds: a daemon that is down gets one attempt per frame
    /// and frames that do not fit its queue are dropped instead of holding up the other daemons.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> DaemonStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn with_stats(&self, f: impl FnOnce(&mut DaemonStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    pub fn record_dropped(&self, records: usize) {
        self.with_stats(|s| s.record_dropped(records));
    }

    /// Sends `frame`, retrying as the policy says, and counts the outcome.
    pub async fn deliver(&self, http: &reqwest::Client, frame: &Frame, policy: &SendPolicy) {
        let attempts = if self.is_healthy() { 1 + policy.retries } else { 1 };
        let mut delay = policy.backoff;
        for attempt in 1..=attempts {
            let started = Instant::now();
            let result = post(http, &self.url, frame, policy.timeout).await;
            let ms = started.elapsed().as_millis() as u64;
            match result {
                Ok(items) => {
                    self.healthy.store(true, Ordering::Relaxed);
                    self.with_stats(|s| {
                        s.frames_ok += 1;
                        s.record_latency(ms);
                        let mut answered = vec![false; frame.kinds.len()];
                        for item in &items {
                            if let Some(kind) = frame.kinds.get(item.index) {
                                if !std::mem::replace(&mut answered[item.index], true) {
                                    s.record_item(*kind, &item.status, item.reason.as_deref());
                                }
                            }
                        }
                        let missing = answered.iter().filter(|a| !**a).count();
                        if missing > 0 {
                            s.records_lost += missing as u64;
                            *s.http_errors.entry("missing_results".into()).or_default() += 1;
                        }
                    });
                    return;
                }
                Err(e) if e.retryable() && attempt < attempts => {
                    tracing::debug!(url = %self.url, error = %e, attempt, "retrying");
                    self.with_stats(|s| s.retries += 1);
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(e) => {
                    if e.retryable() {
                        if self.healthy.swap(false, Ordering::Relaxed) {
                            tracing::warn!(url = %self.url, error = %e, "daemon unreachable");
                        }
                    } else {
                        tracing::warn!(url = %self.url, error = %e, "request refused");
                    }
                    self.with_stats(|s| {
                        s.record_latency(ms);
                        s.record_failure(&e.cause(), frame.kinds.len());
                    });
                    return;
                }
            }
        }
    }
}

/// One item of the daemon's answer (other fields ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ItemAnswer {
    pub index: usize,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct BatchAnswer {
    results: Vec<ItemAnswer>,
}

#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("timed out")]
    Timeout,
    #[error("HTTP {status} {code}")]
    Http { status: u16, code: String },
    #[error("unreadable answer: {0}")]
    BadAnswer(String),
}

impl PostError {
    pub fn retryable(&self) -> bool {
        match self {
            PostError::Connect(_) | PostError::Timeout => true,
            PostError::Http { status, .. } => *status == 429 || *status >= 500,
            PostError::BadAnswer(_) => false,
        }
    }

    /// Counter key: `connect`, `timeout`, `http_503:store_unavailable`, `bad_answer`.
    pub fn cause(&self) -> String {
        match self {
            PostError::Connect(_) => "connect".into(),
            PostError::Timeout => "timeout".into(),
            PostError::Http { status, code } if code.is_empty() => format!("http_{status}"),
            PostError::Http { status, code } => format!("http_{status}:{code}"),
            PostError::BadAnswer(_) => "bad_answer".into(),
        }
    }
}

/// POSTs `frame` to `base` + the wire's path; the per-item answers on 200.
pub async fn post(
    http: &reqwest::Client,
    base: &str,
    frame: &Frame,
    timeout: Duration,
) -> Result<Vec<ItemAnswer>, PostError> {
    let url = format!("{base}{}", frame.wire.path());
    let resp = http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, frame.wire.content_type())
        .body(frame.body.clone())
        .timeout(timeout)
        .send()
        .await
        .map_err(classify)?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(classify)?;
    parse_answer(status, &body)
}

/// Reads a daemon answer (separate from I/O for tests).
pub fn parse_answer(status: u16, body: &[u8]) -> Result<Vec<ItemAnswer>, PostError> {
    if status == 200 {
        let a: BatchAnswer = serde_json::from_slice(body).map_err(|e| PostError::BadAnswer(e.to_string()))?;
        return Ok(a.results);
    }
    let code = serde_json::from_slice::<ErrorAnswer>(body)
        .map(|e| e.error)
        .unwrap_or_default();
    Err(PostError::Http { status, code })
}

fn classify(e: reqwest::Error) -> PostError {
    if e.is_timeout() {
        PostError::Timeout
    } else {
        PostError::Connect(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_classified() {
        let ok = br#"{"accepted":1,"duplicate":0,"rejected":1,"results":[
            {"index":0,"status":"accepted","device_id":1,"sequence":5},
            {"index":1,"status":"rejected","reason":"bad_signature","message":"x","retryable":false}]}"#;
        let items = parse_answer(200, ok).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].reason.as_deref(), Some("bad_signature"));
        let e = parse_answer(503, br#"{"error":"store_unavailable","message":"db"}"#).unwrap_err();
        assert!(e.retryable());
        assert_eq!(e.cause(), "http_503:store_unavailable");
        let e = parse_answer(400, br#"{"error":"malformed","message":"frame"}"#).unwrap_err();
        assert!(!e.retryable());
        assert_eq!(e.cause(), "http_400:malformed");
        assert!(parse_answer(429, b"").unwrap_err().retryable());
        assert!(matches!(parse_answer(200, b"nope"), Err(PostError::BadAnswer(_))));
    }
}
