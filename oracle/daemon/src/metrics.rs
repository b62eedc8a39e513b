//! Prometheus metrics, served as text at `GET /metrics`.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

use crate::verify::Rejection;

pub struct Metrics {
    registry: Registry,
    /// Reports accepted and stored.
    pub ingested: IntCounter,
    /// Re-sends of stored reports (acknowledged again, nothing changed).
    pub duplicates: IntCounter,
    /// Rejected reports by reason code.
    pub rejected: IntCounterVec,
    /// Requests refused as a whole (malformed body, too large, ...), by error code.
    pub bad_requests: IntCounterVec,
    /// Seconds per store transaction.
    pub store_latency: Histogram,
    /// Device equivocations detected (evidence kept).
    pub equivocations: IntCounter,
    /// Epochs between the last ended epoch and the last computed one (0 = up to date).
    pub epoch_lag: IntGauge,
    /// Last epoch computed and stored.
    pub last_computed_epoch: IntGauge,
    /// Block height of the last report this daemon got on chain.
    pub last_report_height: IntGauge,
    /// Report submission attempts that failed.
    pub report_failures: IntCounter,
    /// Operator account balance in the fee denom (base units), when known.
    pub operator_balance: IntGauge,
    /// Leaves claimed on owners' behalf by auto-claim.
    pub auto_claimed: IntCounter,
    /// Devices flagged as statistical outliers in the last computed epoch.
    pub epoch_outliers: IntGauge,
    /// Outlier flags over all computed epochs.
    pub outliers_flagged: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("edgemint_oracle".into()), None)?;
        let ingested = IntCounter::new("telemetry_ingested_total", "Telemetry reports accepted and stored")?;
        let duplicates = IntCounter::new("telemetry_duplicates_total", "Re-sent telemetry reports already stored")?;
        let rejected = IntCounterVec::new(
            Opts::new("telemetry_rejected_total", "Telemetry reports rejected, by reason"),
            &["reason"],
        )?;
        let bad_requests = IntCounterVec::new(
            Opts::new("bad_requests_total", "Requests refused as a whole, by error code"),
            &["error"],
        )?;
        let store_latency = Histogram::with_opts(
            HistogramOpts::new("store_latency_seconds", "Duration of one store transaction").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
        )?;
        let equivocations = IntCounter::new("equivocations_total", "Device equivocations detected")?;
        let epoch_lag = IntGauge::new("epoch_lag", "Ended epochs not computed yet")?;
        let last_computed_epoch = IntGauge::new("last_computed_epoch", "Last epoch computed and stored")?;
        let last_report_height = IntGauge::new("last_report_height", "Height of the last report on chain")?;
        let report_failures = IntCounter::new("report_failures_total", "Failed report submission attempts")?;
        let operator_balance = IntGauge::new("operator_balance", "Operator account balance (base units)")?;
        let epoch_outliers = IntGauge::new(
            "epoch_outliers",
            "Devices flagged as outliers in the last computed epoch",
        )?;
        let outliers_flagged = IntCounter::new("outliers_flagged_total", "Outlier flags over all computed epochs")?;
        let auto_claimed = IntCounter::new("auto_claimed_leaves_total", "Leaves claimed on owners' behalf")?;
        registry.register(Box::new(ingested.clone()))?;
        registry.register(Box::new(duplicates.clone()))?;
        registry.register(Box::new(rejected.clone()))?;
        registry.register(Box::new(bad_requests.clone()))?;
        registry.register(Box::new(store_latency.clone()))?;
        registry.register(Box::new(equivocations.clone()))?;
        registry.register(Box::new(epoch_lag.clone()))?;
        registry.register(Box::new(last_computed_epoch.clone()))?;
        registry.register(Box::new(last_report_height.clone()))?;
        registry.register(Box::new(report_failures.clone()))?;
        registry.register(Box::new(operator_balance.clone()))?;
        registry.register(Box::new(auto_claimed.clone()))?;
        registry.register(Box::new(epoch_outliers.clone()))?;
        registry.register(Box::new(outliers_flagged.clone()))?;
        // Every reason appears from the start (at 0), so dashboards and alerts need no special case.
        for code in Rejection::CODES {
            rejected.with_label_values(&[code]);
        }
        Ok(Self {
            registry,
            ingested,
            duplicates,
            rejected,
            bad_requests,
            store_latency,
            equivocations,
            epoch_lag,
            last_computed_epoch,
            last_report_height,
            report_failures,
            operator_balance,
            auto_claimed,
            epoch_outliers,
            outliers_flagged,
        })
    }

    pub fn reject(&self, code: &str) {
        self.rejected.with_label_values(&[code]).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::warn!(error = %e, "encoding metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_families() {
        let m = Metrics::new().unwrap();
        m.ingested.inc();
        m.reject("bad_signature");
        m.store_latency.observe(0.002);
        let text = m.render();
        assert!(text.contains("edgemint_oracle_telemetry_ingested_total 1"));
        assert!(text.contains("edgemint_oracle_telemetry_rejected_total{reason=\"bad_signature\"} 1"));
        assert!(text.contains("edgemint_oracle_telemetry_rejected_total{reason=\"rate_limited\"} 0"));
        assert!(text.contains("edgemint_oracle_store_latency_seconds_bucket"));
        assert!(text.contains("edgemint_oracle_epoch_lag 0"));
        assert!(text.contains("edgemint_oracle_last_report_height 0"));
    }
}
