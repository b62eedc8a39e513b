//! Statistical outliers among an epoch's devices, flagged for the operator to look at (`GET /v1/epochs/{n}/outliers`,
//! the `epoch_outliers` metric, a log line). Flags never change the computation: every operator must reach the
//! same root, and a device that passed every check is paid; a flag is a lead for a human (a farm of cloned devices,
//! a firmware bug, a cheater staying just under the plausibility ceilings), not a verdict.
//!
//! Method: for each rate — tasks per online hour, interactions per online hour — the modified z-score of Iglewicz
//! and Hoaglin, `0.6745 · (x − median) / MAD`, over the devices that were online in the epoch; a device is flagged
//! above [`THRESHOLD`] (3.5, their recommendation). Median and MAD resist the outliers they look for, unlike a mean
//! and standard deviation that one extreme device drags along. With fewer than [`MIN_DEVICES`] devices, or a MAD of
//! zero (most devices identical), nothing is flagged rather than flagging on noise.

use serde::Serialize;

use crate::store::EpochInput;

pub const THRESHOLD: f64 = 3.5;
pub const MIN_DEVICES: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlier {
    pub device_id: u64,
    pub owner: String,
    /// `tasks_per_hour` or `interactions_per_hour`.
    pub metric: &'static str,
    pub value: f64,
    pub median: f64,
    /// Modified z-score (positive: above the median).
    pub score: f64,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Reads one counter of an input.
type Counter = fn(&EpochInput) -> u64;

/// Outliers of one epoch's inputs, highest score first.
pub fn flag(inputs: &[EpochInput]) -> Vec<Outlier> {
    let online: Vec<&EpochInput> = inputs.iter().filter(|i| i.uptime_secs > 0).collect();
    if online.len() < MIN_DEVICES {
        return Vec::new();
    }
    let rate = |count: u64, i: &EpochInput| count as f64 * 3600.0 / i.uptime_secs as f64;
    let metrics: [(&'static str, Counter); 2] = [
        ("tasks_per_hour", |i| i.tasks_completed),
        ("interactions_per_hour", |i| i.interactions),
    ];
    let mut out = Vec::new();
    for (metric, count) in metrics {
        let values: Vec<f64> = online.iter().map(|i| rate(count(i), i)).collect();
        let s = sorted(values.clone());
        let med = median(&s);
        let mad = median(&sorted(values.iter().map(|v| (v - med).abs()).collect()));
        if mad == 0.0 {
            continue;
        }
        for (i, v) in online.iter().zip(values) {
            let score = 0.6745 * (v - med) / mad;
            if score.abs() > THRESHOLD {
                out.push(Outlier {
                    device_id: i.device_id,
                    owner: i.owner.clone(),
                    metric,
                    value: v,
                    median: med,
                    score,
                });
            }
        }
    }
    out.sort_by(|a, b| b.score.abs().total_cmp(&a.score.abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(device_id: u64, uptime: u64, tasks: u64, interactions: u64) -> EpochInput {
        EpochInput {
            device_id,
            owner: format!("emc1owner{device_id}"),
            uptime_secs: uptime,
            tasks_completed: tasks,
            interactions,
            multiplier: 1_000_000_000_000_000_000,
            points: 0,
            amount: 0,
        }
    }

    #[test]
    fn flags_the_device_far_from_the_crowd_and_only_it() {
        // 30 devices with natural spread (25..=39 tasks per hour), one at 400 tasks per hour, one offline.
        let mut inputs: Vec<EpochInput> = (1..=30).map(|d| input(d, 3600, 25 + d % 15, 200 + d * 3)).collect();
        inputs.push(input(31, 1800, 200, 110));
        inputs.push(input(32, 0, 0, 0));
        let flagged = flag(&inputs);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!(flagged[0].device_id, 31);
        assert_eq!(flagged[0].metric, "tasks_per_hour");
        assert_eq!(flagged[0].value, 400.0);
        assert!(flagged[0].score > THRESHOLD);
        // Interactions per hour of device 31 are 220: inside the crowd's range, not flagged.
        assert!(!flagged.iter().any(|o| o.metric == "interactions_per_hour"));
    }

    #[test]
    fn flags_nothing_on_small_or_uniform_epochs() {
        let few: Vec<EpochInput> = (1..=5).map(|d| input(d, 3600, d * 100, 1)).collect();
        assert!(flag(&few).is_empty());
        // All identical but one: MAD is 0, no basis for a score.
        let mut same: Vec<EpochInput> = (1..=20).map(|d| input(d, 3600, 30, 200)).collect();
        same.push(input(21, 3600, 31, 200));
        assert!(flag(&same).is_empty());
        assert!(flag(&[]).is_empty());
    }

    #[test]
    fn a_device_far_below_is_flagged_too() {
        let mut inputs: Vec<EpochInput> = (1..=20).map(|d| input(d, 3600, 30 + d % 5, 200 + d % 7)).collect();
        inputs.push(input(21, 3600, 30, 0));
        let flagged = flag(&inputs);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!((flagged[0].device_id, flagged[0].metric), (21, "interactions_per_hour"));
        assert!(flagged[0].score < -THRESHOLD);
    }
}
