//! Hermes configuration from chain-config's files: one `[[chains]]` entry per chain-registry `chain.json`
//! (`.localnet*/registry/chain.json`, or any chain.json with the same fields), with the trusting period taken from
//! the chain's own unbonding period.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use ibc_relayer::config::{ChainConfig, Config};
use serde_json::{json, Value};

/// What the relayer needs to know about one chain, read from its chain.json.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSource {
    pub chain_id: String,
    pub prefix: String,
    pub denom: String,
    pub gas_price: f64,
    pub rpc: String,
    pub grpc: String,
    pub rest: String,
}

/// Settings of `config init` that are not per chain.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub key_name: String,
    pub keys_dir: PathBuf,
    /// Address of /metrics (Hermes' telemetry section; `start` serves Hermes' and our metrics there).
    pub metrics_host: String,
    pub metrics_port: u16,
    /// Blocks between periodic clears of pending packets.
    pub clear_interval: u64,
}

/// Hermes' default trusting period is 2/3 of the unbonding period; we write it explicitly so operators see it.
pub fn trusting_period(unbonding: Duration) -> Duration {
    Duration::from_secs(unbonding.as_secs() * 2 / 3)
}

/// Reads a chain.json, or the `registry/chain.json` / `chain.json` inside a localnet or registry directory.
pub fn read_chain_source(path: &Path) -> Result<ChainSource> {
    let file = if path.is_dir() {
        [path.join("registry/chain.json"), path.join("chain.json")]
            .into_iter()
            .find(|p| p.is_file())
            .with_context(|| format!("{} holds no registry/chain.json nor chain.json", path.display()))?
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let v: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    parse_chain_json(&v).with_context(|| format!("{} is not a usable chain.json", file.display()))
}

pub fn parse_chain_json(v: &Value) -> Result<ChainSource> {
    let s = |ptr: &str| -> Result<String> {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .with_context(|| format!("missing {ptr}"))
    };
    let fee = v.pointer("/fees/fee_tokens/0").context("missing /fees/fee_tokens/0")?;
    // The average price clears the node's minimum with room; the minimum alone is the fallback.
    let gas_price = ["average_gas_price", "fixed_min_gas_price", "low_gas_price"]
        .iter()
        .find_map(|k| fee.get(*k).and_then(Value::as_f64))
        .filter(|p| p.is_finite() && *p >= 0.0)
        .context("fee token has no gas price")?;
    let src = ChainSource {
        chain_id: s("/chain_id")?,
        prefix: s("/bech32_prefix")?,
        denom: fee
            .get("denom")
            .and_then(Value::as_str)
            .context("fee token has no denom")?
            .to_string(),
        gas_price,
        rpc: s("/apis/rpc/0/address")?,
        grpc: s("/apis/grpc/0/address")?,
        rest: s("/apis/rest/0/address")?,
    };
    // Chain ids name key folders and lock files: keep them to the characters chain ids use.
    let id_ok = !src.chain_id.is_empty()
        && src.chain_id.len() <= 64
        && src
            .chain_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !src.chain_id.starts_with('.');
    if !id_ok {
        bail!("chain id `{}` is not of the form [A-Za-z0-9._-]{{1,64}}", src.chain_id);
    }
    for (what, url) in [("rpc", &src.rpc), ("grpc", &src.grpc), ("rest", &src.rest)] {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("{what} address `{url}` is not an http(s) URL");
        }
    }
    Ok(src)
}

/// The chain's unbonding period from its staking parameters (REST `/cosmos/staking/v1beta1/params`).
pub fn fetch_unbonding(rest: &str) -> Result<Duration> {
    let url = format!("{}/cosmos/staking/v1beta1/params", rest.trim_end_matches('/'));
    let v: Value = ureq::get(&url)
        .timeout(Duration::from_secs(10))
        .call()
        .with_context(|| format!("querying {url} (is the chain running?)"))?
        .into_json()
        .with_context(|| format!("{url} did not answer JSON"))?;
    let text = v
        .pointer("/params/unbonding_time")
        .and_then(Value::as_str)
        .with_context(|| format!("{url}: no params.unbonding_time"))?;
    parse_seconds(text).with_context(|| format!("{url}: unbonding_time `{text}`"))
}

/// "120s" / "1814400s" (protobuf JSON durations).
pub fn parse_seconds(text: &str) -> Result<Duration> {
    let secs: f64 = text
        .strip_suffix('s')
        .context("not a duration in seconds")?
        .parse()
        .context("not a number of seconds")?;
    if !(secs.is_finite() && secs > 0.0) {
        bail!("duration must be positive");
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Per-chain Hermes settings. Values that differ from Hermes' defaults say why.
fn chain_value(src: &ChainSource, trusting: Duration, opts: &InitOptions) -> Value {
    json!({
        "type": "CosmosSdk",
        "id": src.chain_id,
        "rpc_addr": src.rpc,
        "grpc_addr": src.grpc,
        // Pull (each block's `/block_results`), not push: push subscribes to txs tagged `message.module='ibc_channel'`,
        // a tag wasmd leaves out of a contract's sub-message events, so a packet a contract sends (the rewards
        // contract's ClaimAndSend) would wait for the next packet clear. Polling every 500 ms on 1 s blocks costs
        // one RPC call per block and about the same latency as push (`make bench-ibc`).
        "event_source": {"mode": "pull", "interval": "500ms", "max_retries": 4},
        "rpc_timeout": "10s",
        "trusted_node": false,
        "account_prefix": src.prefix,
        "key_name": opts.key_name,
        "key_store_type": "Test",
        "key_store_folder": opts.keys_dir,
        "store_prefix": "ibc",
        "default_gas": 200_000,
        // Hermes refuses (does not split) a batch whose simulated gas exceeds max_gas: 30 recv messages (max_msg_num)
        // plus a client update stay well below 10M. The fee check (chains::fee_need) asks for one such tx.
        "max_gas": 10_000_000,
        "gas_multiplier": 1.3,
        "gas_price": {"price": src.gas_price, "denom": src.denom},
        "max_msg_num": 30,
        "max_tx_size": 180_000,
        "clock_drift": "5s",
        "max_block_time": "30s",
        "trusting_period": format!("{}s", trusting.as_secs()),
        "client_refresh_rate": "1/3",
        "trust_threshold": {"numerator": "2", "denominator": "3"},
        "memo_prefix": "edgemint-relayer",
        // Nothing is relayed until `path create` adds the path's channel: an allow list, not "allow all".
        "packet_filter": {"policy": "allow", "list": []},
        "address_type": {"derivation": "cosmos"},
    })
}

/// A complete Hermes configuration for `chains` (each with its trusting period).
pub fn build(chains: &[(ChainSource, Duration)], opts: &InitOptions) -> Result<Config> {
    if chains.len() < 2 {
        bail!("a relayer needs at least two chains (got {})", chains.len());
    }
    let mut ids = std::collections::BTreeSet::new();
    for (c, _) in chains {
        if !ids.insert(&c.chain_id) {
            bail!("chain {} is given twice", c.chain_id);
        }
    }
    let value = json!({
        "global": {"log_level": "info"},
        "mode": {
            "clients": {"enabled": true, "refresh": true, "misbehaviour": true},
            "connections": {"enabled": false},
            "channels": {"enabled": false},
            "packets": {
                "enabled": true,
                "clear_interval": opts.clear_interval,
                "clear_on_start": true,
                "tx_confirmation": true,
                // Larger than Hermes' 50 so a restart after a long outage clears a big backlog in one pass.
                "clear_limit": 500,
            },
        },
        "rest": {"enabled": false, "host": "127.0.0.1", "port": 3000},
        "telemetry": {"enabled": true, "host": opts.metrics_host, "port": opts.metrics_port},
        "chains": chains.iter().map(|(c, t)| chain_value(c, *t, opts)).collect::<Vec<_>>(),
    });
    let config: Config = serde_json::from_value(value).context("building Hermes' configuration")?;
    validate(&config)?;
    Ok(config)
}

/// Hermes' own syntactic validation (duplicate chains, trust thresholds, modes).
pub fn validate(config: &Config) -> Result<()> {
    use ibc_relayer::config::Diagnostic;
    match config.validate_config() {
        Ok(()) | Err(Diagnostic::Warning(_)) => Ok(()),
        Err(Diagnostic::Error(e)) => bail!("invalid relayer configuration: {e}"),
    }
}

/// Writes config.toml (atomically: a crash never leaves half a file).
pub fn write(config: &Config, path: &Path) -> Result<()> {
    let body = toml::to_string_pretty(config).context("serializing Hermes' configuration")?;
    let text = format!(
        "# Hermes (ibc-relayer 0.29.5) configuration written by `edgemint-relayer config init`.\n\
         # `path create` adds each path's channel to the chains' packet filters.\n\n{body}"
    );
    write_atomic(path, text.as_bytes())
}

pub fn load(path: &Path) -> Result<Config> {
    let config = ibc_relayer::config::load(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    validate(&config)?;
    Ok(config)
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// Adds `(port, channel)` to the packet filter allow list of `chain_id` (idempotent).
pub fn allow_channel(config: &mut Config, chain_id: &str, port: &str, channel: &str) -> Result<()> {
    use ibc_relayer::config::filter::{ChannelFilters, ChannelPolicy, FilterPattern};
    use ibc_relayer_types::core::ics24_host::identifier::{ChainId, ChannelId, PortId};
    let id = ChainId::from_string(chain_id);
    let chain = config
        .find_chain_mut(&id)
        .with_context(|| format!("chain {chain_id} is not in the relayer configuration"))?;
    let ChainConfig::CosmosSdk(c) = chain;
    let port: PortId = port.parse().with_context(|| format!("bad port id {port}"))?;
    let channel: ChannelId = channel.parse().with_context(|| format!("bad channel id {channel}"))?;
    if c.packet_filter.channel_policy.is_allowed(&port, &channel) {
        return Ok(());
    }
    let mut list: Vec<(FilterPattern<PortId>, FilterPattern<ChannelId>)> = match &c.packet_filter.channel_policy {
        ChannelPolicy::Allow(filters) if filters.is_exact() => filters
            .iter_exact()
            .map(|(p, ch)| (FilterPattern::Exact(p.clone()), FilterPattern::Exact(ch.clone())))
            .collect(),
        // We only ever write exact allow lists; wildcards or deny lists were set by hand and stay as they are.
        _ => bail!(
            "the packet filter of {chain_id} was edited by hand (not an exact allow list): add {port}/{channel} to it yourself"
        ),
    };
    list.push((FilterPattern::Exact(port), FilterPattern::Exact(channel)));
    c.packet_filter.channel_policy = ChannelPolicy::Allow(ChannelFilters::new(list));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str, prefix: &str, denom: &str) -> ChainSource {
        ChainSource {
            chain_id: id.into(),
            prefix: prefix.into(),
            denom: denom.into(),
            gas_price: 0.03,
            rpc: "http://127.0.0.1:26657".into(),
            grpc: "http://127.0.0.1:9090".into(),
            rest: "http://127.0.0.1:1317".into(),
        }
    }

    fn ep_ok() -> chain_config::registry::Endpoints {
        chain_config::registry::Endpoints {
            rpc: "http://127.0.0.1:1".into(),
            rest: "http://127.0.0.1:2".into(),
            grpc: "http://127.0.0.1:3".into(),
        }
    }

    fn opts() -> InitOptions {
        InitOptions {
            key_name: "relayer".into(),
            keys_dir: "/tmp/keys".into(),
            metrics_host: "127.0.0.1".into(),
            metrics_port: 3001,
            clear_interval: 30,
        }
    }

    #[test]
    fn reads_chain_config_registry_files() {
        let p = chain_config::profile::Profile::builtin("local").unwrap();
        let ep = chain_config::registry::Endpoints {
            rpc: "http://127.0.0.1:1".into(),
            rest: "http://127.0.0.1:2".into(),
            grpc: "http://127.0.0.1:3".into(),
        };
        let src = parse_chain_json(&chain_config::registry::chain_json(&p, &ep)).unwrap();
        assert_eq!(src.chain_id, "edgemint-local-1");
        assert_eq!(src.prefix, "emc");
        assert_eq!(src.denom, "uemc");
        assert_eq!(src.gas_price, 0.03);
        assert_eq!(
            (src.rpc.as_str(), src.grpc.as_str()),
            ("http://127.0.0.1:1", "http://127.0.0.1:3")
        );
        let cp = chain_config::profile::Profile::builtin("counterparty").unwrap();
        let src = parse_chain_json(&chain_config::registry::chain_json(&cp, &ep)).unwrap();
        assert_eq!((src.chain_id.as_str(), src.prefix.as_str()), ("wasm-local-1", "wasm"));
        // production placeholders (grpc without scheme) are refused with a reason
        let ep = chain_config::registry::Endpoints::placeholder(&p);
        let err = parse_chain_json(&chain_config::registry::chain_json(&p, &ep)).unwrap_err();
        assert!(err.to_string().contains("grpc address"), "{err}");
        assert!(parse_chain_json(&json!({"chain_id": "x"})).is_err());
        let mut v = chain_config::registry::chain_json(&cp, &ep_ok());
        v["chain_id"] = json!("../../etc");
        assert!(parse_chain_json(&v).unwrap_err().to_string().contains("chain id"));
    }

    #[test]
    fn builds_a_config_hermes_accepts_and_round_trips() {
        let chains = [
            (
                source("edgemint-local-1", "emc", "uemc"),
                trusting_period(Duration::from_secs(120)),
            ),
            (
                source("wasm-local-1", "wasm", "ucpt"),
                trusting_period(Duration::from_secs(3600)),
            ),
        ];
        let mut config = build(&chains, &opts()).unwrap();
        let ChainConfig::CosmosSdk(c) = &config.chains[0];
        assert_eq!(c.trusting_period, Some(Duration::from_secs(80)));
        assert_eq!(c.account_prefix, "emc");
        assert_eq!(c.gas_price.denom, "uemc");
        assert_eq!(c.rpc_addr.to_string(), "http://127.0.0.1:26657/");
        let ibc_relayer::config::EventSourceMode::Pull { interval, .. } = &c.event_source else {
            panic!("not pull: {:?}", c.event_source)
        };
        assert_eq!(*interval, Duration::from_millis(500));
        assert!(config.mode.packets.clear_on_start);
        assert_eq!(config.mode.packets.clear_interval, 30);
        let (port, chan) = ("transfer".parse().unwrap(), "channel-0".parse().unwrap());
        assert!(!config.packets_on_channel_allowed(&c.id.clone(), &port, &chan));

        allow_channel(&mut config, "edgemint-local-1", "transfer", "channel-0").unwrap();
        allow_channel(&mut config, "edgemint-local-1", "transfer", "channel-0").unwrap();
        let id = ibc_relayer_types::core::ics24_host::identifier::ChainId::from_string("edgemint-local-1");
        assert!(config.packets_on_channel_allowed(&id, &port, &chan));
        assert!(allow_channel(&mut config, "nope-1", "transfer", "channel-0").is_err());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        write(&config, &path).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.chains, config.chains);
        assert!(back.packets_on_channel_allowed(&id, &port, &chan));
    }

    #[test]
    fn refuses_too_few_or_duplicate_chains() {
        let one = [(source("a-1", "a", "ua"), Duration::from_secs(60))];
        assert!(build(&one, &opts()).is_err());
        let dup = [one[0].clone(), one[0].clone()];
        assert!(build(&dup, &opts()).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn parses_durations_and_urls() {
        assert_eq!(parse_seconds("120s").unwrap(), Duration::from_secs(120));
        assert!(parse_seconds("120").is_err());
        assert!(parse_seconds("-1s").is_err());
        assert_eq!(trusting_period(Duration::from_secs(1_814_400)).as_secs(), 1_209_600);
    }
}
