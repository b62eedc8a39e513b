//! `edgemint-oracle watch`: one status line per epoch as it moves through its life — computed by the daemon,
//! reported, accepted by the hub's quorum, final, claimed. Reads the daemon's HTTP API and the chain (hub and
//! rewards contracts), both named in the daemon's config file. For operators' terminals and `make run`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use chain_config::client::ChainClient;
use serde_json::{json, Value};

use crate::config::Config;

/// What the line of an epoch shows; a new line is printed when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochLine {
    pub epoch: u64,
    /// Devices with a leaf / devices that reported.
    pub paid_devices: u64,
    pub reporting_devices: u64,
    pub total_points: String,
    pub root: String,
    pub hub_status: String,
    pub reports: usize,
    pub claimed: u128,
    pub total_amount: u128,
}

impl EpochLine {
    /// Final and nothing left to claim, or terminal without payment: no more changes expected.
    pub fn settled(&self) -> bool {
        matches!(self.hub_status.as_str(), "vetoed" | "abandoned")
            || (self.hub_status == "final" && self.claimed >= self.total_amount)
    }

    pub fn render(&self, decimals: u32, display: &str) -> String {
        let short = if self.root.len() >= 16 {
            format!("{}…{}", &self.root[..8], &self.root[self.root.len() - 8..])
        } else {
            self.root.clone()
        };
        format!(
            "epoch {:>4} | devices {}/{} paid/reporting | points {} | root {} | hub {} ({} report{}) | claimed {} of {} {}",
            self.epoch,
            self.paid_devices,
            self.reporting_devices,
            self.total_points,
            short,
            self.hub_status,
            self.reports,
            if self.reports == 1 { "" } else { "s" },
            display_amount(self.claimed, decimals),
            display_amount(self.total_amount, decimals),
            display,
        )
    }
}

/// `1234500` with 6 decimals → `1.2345`.
pub fn display_amount(base: u128, decimals: u32) -> String {
    let unit = 10u128.pow(decimals);
    let (whole, frac) = (base / unit, base % unit);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = decimals as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Value> {
    agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?
        .into_json()
        .with_context(|| format!("{url}: not JSON"))
}

fn amount(v: &Value) -> u128 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Reads everything the line of `epoch` needs.
async fn epoch_line(client: &ChainClient, config: &Config, daemon: &Value, epoch: u64) -> Result<EpochLine> {
    let c = &config.contracts;
    let hub = client.smart_query(&c.hub, &json!({"epoch": {"epoch": epoch}})).await?;
    let reports = client
        .smart_query(&c.hub, &json!({"reports": {"epoch": epoch}}))
        .await?;
    let rewards = client
        .smart_query(&c.rewards, &json!({"epoch_state": {"epoch": epoch}}))
        .await?;
    Ok(EpochLine {
        epoch,
        paid_devices: daemon["device_count"].as_u64().unwrap_or(0),
        reporting_devices: daemon["input_count"].as_u64().unwrap_or(0),
        total_points: daemon["total_points"].as_str().unwrap_or("0").to_string(),
        root: daemon["root"].as_str().unwrap_or("").to_string(),
        hub_status: hub["status"].as_str().unwrap_or("?").to_string(),
        reports: reports["reports"].as_array().map_or(0, Vec::len),
        claimed: amount(&rewards["claimed"]),
        total_amount: amount(&rewards["total_amount"]).max(amount(&hub["total_amount"])),
    })
}

/// Prints a line whenever an epoch's line changes, until Ctrl-C. Transient errors (daemon restarting, node busy)
/// are printed once and retried.
pub async fn run(config: Config, every: Duration) -> Result<()> {
    config.require_contracts()?;
    let ch = &config.chain;
    let client = ChainClient::with_settings(
        &ch.rpc_url,
        &ch.chain_id,
        &ch.prefix,
        &ch.denom,
        ch.gas_price,
        ch.coin_type,
    )?;
    let base = format!("http://{}", config.server.listen);
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
    let display = ch.denom.strip_prefix('u').unwrap_or(&ch.denom).to_uppercase();
    let decimals = if ch.denom.starts_with('u') { 6 } else { 0 };
    let mut shown: BTreeMap<u64, EpochLine> = BTreeMap::new();
    let mut last_error = String::new();
    println!(
        "watching the daemon at {base} and {} on {}",
        config.contracts.hub, ch.chain_id
    );
    loop {
        let pass = async {
            let status = {
                let (agent, url) = (agent.clone(), format!("{base}/v1/status"));
                tokio::task::spawn_blocking(move || get(&agent, &url)).await??
            };
            let Some(latest) = status["store"]["latest_computed_epoch"].as_u64() else {
                return Ok::<_, anyhow::Error>(format!(
                    "epoch {} running: telemetry coming in, the first line comes once an epoch is computed",
                    status["current_epoch"]
                ));
            };
            // The last few epochs that are not settled yet (older ones cannot change any more).
            for epoch in latest.saturating_sub(4)..=latest {
                if shown.get(&epoch).is_some_and(EpochLine::settled) {
                    continue;
                }
                let daemon = {
                    let (agent, url) = (agent.clone(), format!("{base}/v1/epochs/{epoch}"));
                    match tokio::task::spawn_blocking(move || get(&agent, &url)).await? {
                        Ok(v) => v,
                        Err(_) => continue, // not computed by this daemon
                    }
                };
                let line = epoch_line(&client, &config, &daemon, epoch).await?;
                if shown.get(&epoch) != Some(&line) {
                    println!("[{}] {}", chrono_now(), line.render(decimals, &display));
                    shown.insert(epoch, line);
                }
            }
            shown.retain(|e, _| *e + 16 > latest);
            Ok(String::new())
        };
        match pass.await {
            Ok(msg) if !msg.is_empty() && msg != last_error => {
                println!("[{}] {msg}", chrono_now());
                last_error = msg;
            }
            Ok(_) => {}
            Err(e) => {
                let msg = format!("{e:#}");
                if msg != last_error {
                    println!("[{}] not reachable yet: {msg}", chrono_now());
                    last_error = msg;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = crate::app::shutdown_signal() => return Ok(()),
        }
    }
}

fn chrono_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{:02}:{:02}:{:02}", (secs / 3600) % 24, (secs / 60) % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_lines() {
        assert_eq!(display_amount(1_234_500, 6), "1.2345");
        assert_eq!(display_amount(5_000_000, 6), "5");
        assert_eq!(display_amount(7, 6), "0.000007");
        let mut line = EpochLine {
            epoch: 7,
            paid_devices: 46,
            reporting_devices: 50,
            total_points: "1234".into(),
            root: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into(),
            hub_status: "accepted".into(),
            reports: 1,
            claimed: 0,
            total_amount: 13_698_630_136,
        };
        assert_eq!(
            line.render(6, "EMC"),
            "epoch    7 | devices 46/50 paid/reporting | points 1234 | root 00112233…ccddeeff | hub accepted (1 report) \
             | claimed 0 of 13698.630136 EMC"
        );
        assert!(!line.settled());
        line.hub_status = "final".into();
        assert!(!line.settled(), "final but unclaimed leaves remain");
        line.claimed = line.total_amount;
        assert!(line.settled());
    }
}
