//! The daemon's TOML configuration. Every field has a default (documented on the field and in the file that
//! `edgemint-oracle config init` writes, [`DEFAULT_CONFIG_TOML`]); unknown keys are errors, so a typo never silently
//! falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid config: {0}")]
    Invalid(String),
    #[error("{path} already exists (not overwritten)")]
    Exists { path: PathBuf },
    #[error("cannot write config file {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub chain: ChainConfig,
    pub contracts: ContractsConfig,
    pub store: StoreConfig,
    pub operator: OperatorConfig,
    pub ingest: IngestConfig,
    pub epoch: EpochConfig,
    pub weights: WeightsConfig,
    pub report: ReportConfig,
    pub auto_claim: AutoClaimConfig,
}

/// `[server]`: the one HTTP server (ingest, API and `/metrics`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Listen address. Default `127.0.0.1:7480` (loopback: put a reverse proxy in front to expose it).
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes; larger bodies get 413. Default 4 MiB.
    pub max_body_bytes: usize,
    /// Most reports in one request (JSON array or EMTB frame); more gets 413. Default 1000.
    pub max_batch_items: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 7480)),
            max_body_bytes: 4 * 1024 * 1024,
            max_batch_items: 1000,
        }
    }
}

/// `[chain]`: the node the daemon reads from and reports to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChainConfig {
    /// CometBFT RPC of a node (it must keep the state of recent heights: epoch inputs are read at the epoch's end
    /// height). Default `http://127.0.0.1:26657`.
    pub rpc_url: String,
    /// Chain id; telemetry signed for another chain is rejected (`wrong_chain`). Default `edgemint-local-1`.
    pub chain_id: String,
    /// Bech32 account prefix. Default `emc`.
    pub prefix: String,
    /// Fee denom. Default `uemc`.
    pub denom: String,
    /// Gas price in `denom` per gas unit, for simulated-gas fees. Default 0.025.
    pub gas_price: f64,
    /// BIP-44 coin type of the operator key. Default 118.
    pub coin_type: u32,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:26657".into(),
            chain_id: "edgemint-local-1".into(),
            prefix: "emc".into(),
            denom: "uemc".into(),
            gas_price: 0.025,
            coin_type: 118,
        }
    }
}

/// `[contracts]`: addresses of the Edgemint contracts. Empty by default; `start` refuses to run without them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContractsConfig {
    pub registry: String,
    pub staking: String,
    pub hub: String,
    pub rewards: String,
}

/// `[store]`: where the daemon keeps its data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `"sqlite"` (default: one file under `data_dir`) or `"postgres"` (a PostgreSQL server, for operators who
    /// outgrow one machine; needs exactly one of `url`, `url_env`, `url_file`).
    pub backend: StoreBackend,
    /// Directory of the SQLite database (`oracle.sqlite` inside). Relative paths are relative to the config
    /// file's directory. Default `data`. Unused with PostgreSQL.
    pub data_dir: PathBuf,
    /// PostgreSQL connection URL (`postgres://user:password@host:5432/database`) or libpq `key=value` string.
    /// Prefer `url_env` or `url_file` when it holds a password. Never logged.
    pub url: Option<SecretString>,
    /// Name of an environment variable holding the connection URL.
    pub url_env: Option<String>,
    /// File holding the connection URL (relative to the config file's directory; keep it `chmod 600`).
    pub url_file: Option<PathBuf>,
    /// Most PostgreSQL connections the daemon opens (concurrent store transactions). Default 8.
    pub pool_size: usize,
}

/// Which database [`StoreConfig`] selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreBackend {
    #[default]
    Sqlite,
    Postgres,
}

/// A string that may hold a password: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            backend: StoreBackend::Sqlite,
            data_dir: PathBuf::from("data"),
            url: None,
            url_env: None,
            url_file: None,
            pool_size: 8,
        }
    }
}

impl StoreConfig {
    pub const DB_FILE: &'static str = "oracle.sqlite";

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(Self::DB_FILE)
    }

    /// Checks the settings without reading the environment or files (see [`StoreConfig::postgres_target`]).
    fn validate(&self) -> Result<(), ConfigError> {
        let sources = [self.url.is_some(), self.url_env.is_some(), self.url_file.is_some()]
            .iter()
            .filter(|s| **s)
            .count();
        match self.backend {
            StoreBackend::Sqlite if sources > 0 => Err(ConfigError::Invalid(
                "store.url, store.url_env and store.url_file are only used with store.backend = \"postgres\"".into(),
            )),
            StoreBackend::Postgres if sources != 1 => Err(ConfigError::Invalid(
                "store.backend = \"postgres\" needs exactly one of store.url, store.url_env, store.url_file".into(),
            )),
            StoreBackend::Postgres if !(1..=1000).contains(&self.pool_size) => Err(ConfigError::Invalid(
                "store.pool_size must be between 1 and 1000".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Reads the PostgreSQL connection URL from wherever it is configured and parses it. Errors name the variable
    /// or file, never the URL's content.
    pub fn postgres_target(&self) -> Result<crate::store::PgTarget, ConfigError> {
        let invalid = |m: String| ConfigError::Invalid(m);
        let (url, source) = if let Some(url) = &self.url {
            (url.expose().to_string(), "store.url".to_string())
        } else if let Some(var) = &self.url_env {
            let url = std::env::var(var).map_err(|_| {
                invalid(format!(
                    "store.url_env: environment variable {var} is not set (or not UTF-8)"
                ))
            })?;
            (url, format!("environment variable {var}"))
        } else if let Some(path) = &self.url_file {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if let Ok(meta) = std::fs::metadata(path) {
                    if meta.permissions().mode() & 0o077 != 0 {
                        tracing::warn!(path = %path.display(), "store.url_file is readable by other users; chmod 600 it");
                    }
                }
            }
            let url = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            (url, format!("store.url_file {}", path.display()))
        } else {
            return Err(invalid(
                "store.backend = \"postgres\" needs one of store.url, store.url_env, store.url_file".into(),
            ));
        };
        crate::store::PgTarget::parse(&url).map_err(|e| invalid(format!("{source}: {e}")))
    }
}

/// `[operator]`: the operator's key.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorConfig {
    /// File holding the operator's BIP-39 mnemonic (its secp256k1 key signs report statements and transactions).
    /// The path may be logged, the content never is. Relative to the config file's directory. Default: none, and
    /// then the daemon ingests, computes and serves epochs but submits no reports.
    pub mnemonic_file: Option<PathBuf>,
}

/// `[ingest]`: telemetry checks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// A report's timestamp must be within this many seconds of the daemon's clock. Default 300.
    pub timestamp_window_secs: u64,
    /// Per-device token bucket: burst size. Default 20 reports.
    pub rate_limit_burst: u32,
    /// Per-device token bucket: sustained rate, reports per minute. Default 60.
    pub rate_limit_per_minute: u32,
    /// Plausibility ceiling on `tasks_completed` within one epoch (reports carry epoch-cumulative counters).
    /// Default 1,000,000.
    pub max_tasks_per_epoch: u64,
    /// Plausibility ceiling on `interactions` within one epoch. Default 10,000,000.
    pub max_interactions_per_epoch: u64,
    /// How long a device looked up on chain is trusted before it is read again. Default 60 s.
    pub device_cache_ttl_secs: u64,
    /// How long an unknown device id is remembered as unknown. Default 30 s.
    pub device_negative_ttl_secs: u64,
    /// Most devices kept in the cache (oldest entries are dropped first). Default 200,000.
    pub device_cache_capacity: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            timestamp_window_secs: 300,
            rate_limit_burst: 20,
            rate_limit_per_minute: 60,
            max_tasks_per_epoch: 1_000_000,
            max_interactions_per_epoch: 10_000_000,
            device_cache_ttl_secs: 60,
            device_negative_ttl_secs: 30,
            device_cache_capacity: 200_000,
        }
    }
}

/// `[epoch]`: when and how epochs are computed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EpochConfig {
    /// Compute epochs automatically once they are over. Default true.
    pub auto: bool,
    /// Seconds to wait after an epoch's end before computing it, on top of the timestamp window (reports stamped
    /// just before the end may arrive up to `timestamp_window_secs` late). Default 10.
    pub grace_secs: u64,
    /// How often the epoch loop looks for work. Default 5 s.
    pub poll_interval_secs: u64,
    /// First epoch this daemon computes (earlier ones are ignored). Default: the epoch running when the store was
    /// created.
    pub first_epoch: Option<u64>,
    /// Pay only devices that may mine at the end height (Active and the owner's minimum stake, staking's
    /// `MiningStatus`). When false, any device Active in the registry is paid. Default true.
    pub require_mining_eligibility: bool,
    /// Concurrent chain queries while gathering an epoch's inputs. Default 8.
    pub query_concurrency: usize,
}

impl Default for EpochConfig {
    fn default() -> Self {
        Self {
            auto: true,
            grace_secs: 10,
            poll_interval_secs: 5,
            first_epoch: None,
            require_mining_eligibility: true,
            query_concurrency: 8,
        }
    }
}

/// `[weights]`: the reward weights (see rewards-core). The DAO sets them by governance; until a contract stores
/// them on chain, every operator reads them from this section, and operators must use identical values (they are
/// part of what determines the root). Defaults: 10 per hour of uptime, 5 per task, 1 per interaction, no minimum.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WeightsConfig {
    pub uptime_per_hour: u64,
    pub per_task: u64,
    pub per_interaction: u64,
    pub min_uptime_secs: u64,
}

impl Default for WeightsConfig {
    fn default() -> Self {
        Self {
            uptime_per_hour: 10,
            per_task: 5,
            per_interaction: 1,
            min_uptime_secs: 0,
        }
    }
}

impl From<&WeightsConfig> for rewards_core::Weights {
    fn from(w: &WeightsConfig) -> Self {
        rewards_core::Weights {
            uptime_per_hour: w.uptime_per_hour,
            per_task: w.per_task,
            per_interaction: w.per_interaction,
            min_uptime_secs: w.min_uptime_secs,
        }
    }
}

/// `[report]`: submission of epoch reports to the hub.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// Submit reports (needs `operator.mnemonic_file`). Default true.
    pub enabled: bool,
    /// Attempts per report before giving up until the next restart or loop. Default 8.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt. Default 2 s.
    pub backoff_initial_secs: u64,
    /// Longest retry delay. Default 120 s.
    pub backoff_max_secs: u64,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 8,
            backoff_initial_secs: 2,
            backoff_max_secs: 120,
        }
    }
}

/// `[auto_claim]`: claiming final epochs on the owners' behalf (the operator pays the fees; rewards always go to
/// each leaf's owner). For small networks; needs `operator.mnemonic_file`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AutoClaimConfig {
    /// Default false.
    pub enabled: bool,
    /// Claims per transaction, 1..=50 (the rewards contract's batch limit). Default 50.
    pub max_batch: usize,
}

impl Default for AutoClaimConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_batch: 50,
        }
    }
}

/// What `edgemint-oracle config init` writes: every key with its default, commented.
pub const DEFAULT_CONFIG_TOML: &str = r#"# Edgemint oracle daemon configuration.
# Every key below shows its default; delete a key to keep the default. Unknown keys are errors.

[server]
# HTTP server: telemetry ingest (/v1/telemetry, /v1/telemetry/batch), API (/v1/status, /v1/epochs/N) and /metrics.
listen = "127.0.0.1:7480"
# Larger request bodies are refused with 413.
max_body_bytes = 4194304
# Most reports in one request (JSON array or EMTB frame).
max_batch_items = 1000

[chain]
# CometBFT RPC of a node that keeps recent state (epoch inputs are read at each epoch's end height).
rpc_url = "http://127.0.0.1:26657"
chain_id = "edgemint-local-1"
prefix = "emc"
denom = "uemc"
# Fee = simulated gas x 1.3 + 20000, times this price.
gas_price = 0.025
coin_type = 118

[contracts]
# Addresses of the deployed contracts (required by `start`).
registry = ""
staking = ""
hub = ""
rewards = ""

[store]
# "sqlite" (one file in data_dir, the default) or "postgres" (a PostgreSQL server).
backend = "sqlite"
# SQLite database directory (relative to this file's directory).
data_dir = "data"
# PostgreSQL: exactly one of url, url_env, url_file gives the connection URL
# (postgres://user:password@host:5432/database, or libpq key=value). It is never logged; keep passwords out of
# this file with url_env (an environment variable's name) or url_file (a chmod 600 file, relative to this file).
# The database must exist; the daemon creates its tables. TLS is not built in: use a local server or a tunnel.
# url_env = "EDGEMINT_ORACLE_DATABASE_URL"
# url_file = "database.url"
# url = "postgres://oracle@127.0.0.1:5432/edgemint_oracle"
# Most connections the daemon opens to PostgreSQL.
pool_size = 8

[operator]
# File with the operator's BIP-39 mnemonic (never logged). Without it the daemon computes and serves epochs but
# submits no reports. Relative to this file's directory.
# mnemonic_file = "operator.mnemonic"

[ingest]
# Reports stamped further than this from the daemon's clock are rejected (timestamp_out_of_window).
timestamp_window_secs = 300
# Per-device token bucket (rate_limited).
rate_limit_burst = 20
rate_limit_per_minute = 60
# Plausibility ceilings per epoch (reports carry counters cumulative within the epoch).
max_tasks_per_epoch = 1000000
max_interactions_per_epoch = 10000000
# Device registry cache: TTL of known devices, TTL of unknown ids, capacity.
device_cache_ttl_secs = 60
device_negative_ttl_secs = 30
device_cache_capacity = 200000

[epoch]
# Compute each epoch automatically once it is over (+ timestamp window + grace).
auto = true
grace_secs = 10
poll_interval_secs = 5
# First epoch to compute; default: the epoch running when the store was created.
# first_epoch = 0
# Pay only devices eligible to mine at the end height (staking MiningStatus: active + minimum stake).
require_mining_eligibility = true
query_concurrency = 8

[weights]
# DAO-set reward weights, read from here until a contract stores them. All operators must use identical values.
uptime_per_hour = 10
per_task = 5
per_interaction = 1
min_uptime_secs = 0

[report]
# Submit each computed epoch's report to the oracle hub (needs operator.mnemonic_file).
enabled = true
max_attempts = 8
backoff_initial_secs = 2
backoff_max_secs = 120

[auto_claim]
# Claim every final epoch's unclaimed leaves on the owners' behalf (fees paid by the operator; funds go to the
# owners). Needs operator.mnemonic_file.
enabled = false
# Claims per transaction (1..=50).
max_batch = 50
"#;

impl Config {
    /// Parses TOML text; relative paths stay relative (see [`Config::load`]).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads a config file and resolves `store.data_dir`, `store.url_file` and `operator.mnemonic_file` against its
    /// directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::parse(&text, path)?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        config.store.data_dir = base.join(&config.store.data_dir);
        config.store.url_file = config.store.url_file.map(|f| base.join(f));
        config.operator.mnemonic_file = config.operator.mnemonic_file.map(|f| base.join(f));
        Ok(config)
    }

    /// Checks values that would make the daemon misbehave rather than fail.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if self.server.max_body_bytes == 0 || self.server.max_batch_items == 0 {
            return bad("server.max_body_bytes and server.max_batch_items must be > 0");
        }
        if self.chain.chain_id.is_empty() || self.chain.prefix.is_empty() || self.chain.denom.is_empty() {
            return bad("chain.chain_id, chain.prefix and chain.denom must not be empty");
        }
        if !(self.chain.gas_price.is_finite() && self.chain.gas_price >= 0.0) {
            return bad("chain.gas_price must be a finite number >= 0");
        }
        if self.ingest.rate_limit_burst == 0 || self.ingest.rate_limit_per_minute == 0 {
            return bad("ingest.rate_limit_burst and ingest.rate_limit_per_minute must be > 0");
        }
        if self.ingest.device_cache_capacity == 0 {
            return bad("ingest.device_cache_capacity must be > 0");
        }
        if self.epoch.poll_interval_secs == 0 || self.epoch.query_concurrency == 0 {
            return bad("epoch.poll_interval_secs and epoch.query_concurrency must be > 0");
        }
        if !(1..=50).contains(&self.auto_claim.max_batch) {
            return bad("auto_claim.max_batch must be within 1..=50");
        }
        if self.report.max_attempts == 0 || self.report.backoff_initial_secs == 0 {
            return bad("report.max_attempts and report.backoff_initial_secs must be > 0");
        }
        self.store.validate()
    }

    /// Checks what `start` needs on top of [`Config::validate`]: the contract addresses.
    pub fn require_contracts(&self) -> Result<(), ConfigError> {
        let c = &self.contracts;
        for (name, addr) in [
            ("registry", &c.registry),
            ("staking", &c.staking),
            ("hub", &c.hub),
            ("rewards", &c.rewards),
        ] {
            if addr.is_empty() {
                return Err(ConfigError::Invalid(format!("contracts.{name} is not set")));
            }
        }
        Ok(())
    }

    /// Writes [`DEFAULT_CONFIG_TOML`] to `path`; never overwrites an existing file.
    pub fn write_default(path: &Path) -> Result<(), ConfigError> {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => ConfigError::Exists {
                    path: path.to_path_buf(),
                },
                _ => ConfigError::Write {
                    path: path.to_path_buf(),
                    source,
                },
            })?;
        file.write_all(DEFAULT_CONFIG_TOML.as_bytes())
            .map_err(|source| ConfigError::Write {
                path: path.to_path_buf(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_is_the_default_config() {
        let parsed = Config::parse(DEFAULT_CONFIG_TOML, Path::new("x.toml")).unwrap();
        assert_eq!(parsed, Config::default());
        assert!(Config::parse("", Path::new("x.toml")).unwrap() == Config::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let err = Config::parse("[ingest]\ntimestamp_windw_secs = 3\n", Path::new("x.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        let err = Config::parse("[server]\nmax_batch_items = 0\n", Path::new("x.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
        assert!(Config::default().require_contracts().is_err());
    }

    #[test]
    fn load_resolves_paths_and_init_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oracle.toml");
        Config::write_default(&path).unwrap();
        assert!(matches!(Config::write_default(&path), Err(ConfigError::Exists { .. })));
        std::fs::write(
            &path,
            "[operator]\nmnemonic_file = \"op.mnemonic\"\n[store]\ndata_dir = \"db\"\n[server]\nlisten = \"127.0.0.1:0\"\n",
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.store.db_path(), dir.path().join("db").join("oracle.sqlite"));
        assert_eq!(c.operator.mnemonic_file, Some(dir.path().join("op.mnemonic")));
        assert_eq!(c.server.listen.port(), 0);
    }

    #[test]
    fn postgres_store_settings_are_checked_and_the_url_never_shown() {
        let p = Path::new("x.toml");
        let c = Config::parse(
            "[store]\nbackend = \"postgres\"\nurl = \"postgres://o:s3cr3t@db:5432/e\"\n",
            p,
        )
        .unwrap();
        assert_eq!(c.store.backend, StoreBackend::Postgres);
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.store.postgres_target().unwrap().describe(), "o@db:5432/e");
        for bad in [
            // no URL, two URLs, a URL without the postgres backend, a bad pool size, an unknown backend
            "[store]\nbackend = \"postgres\"\n",
            "[store]\nbackend = \"postgres\"\nurl = \"postgres://o@db/e\"\nurl_env = \"X\"\n",
            "[store]\nurl = \"postgres://o@db/e\"\n",
            "[store]\nbackend = \"postgres\"\nurl_env = \"X\"\npool_size = 0\n",
        ] {
            assert!(matches!(Config::parse(bad, p), Err(ConfigError::Invalid(_))), "{bad}");
        }
        assert!(matches!(
            Config::parse("[store]\nbackend = \"mysql\"\n", p),
            Err(ConfigError::Parse { .. })
        ));
        // a URL that does not parse: the error names the setting, not the content
        let c = Config::parse(
            "[store]\nbackend = \"postgres\"\nurl = \"postgres://o:s3cr3t@db:x/e\"\n",
            p,
        )
        .unwrap();
        let err = c.store.postgres_target().unwrap_err().to_string();
        assert!(err.contains("store.url") && !err.contains("s3cr3t"), "{err}");

        // from a file next to the config, and from an environment variable
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oracle.toml");
        std::fs::write(&path, "[store]\nbackend = \"postgres\"\nurl_file = \"db.url\"\n").unwrap();
        let c = Config::load(&path).unwrap();
        assert!(matches!(c.store.postgres_target(), Err(ConfigError::Read { .. })));
        std::fs::write(dir.path().join("db.url"), "postgres://o:s3cr3t@127.0.0.1:6543/e\n").unwrap();
        assert_eq!(c.store.postgres_target().unwrap().describe(), "o@127.0.0.1:6543/e");
        let var = format!("EDGEMINT_TEST_DB_URL_{}", std::process::id());
        let c = Config::parse(&format!("[store]\nbackend = \"postgres\"\nurl_env = \"{var}\"\n"), p).unwrap();
        let err = c.store.postgres_target().unwrap_err().to_string();
        assert!(err.contains(&var) && err.contains("not set"), "{err}");
        // A variable name no other test reads.
        std::env::set_var(&var, "host=db user=o password=s3cr3t dbname=e");
        assert_eq!(c.store.postgres_target().unwrap().describe(), "o@db:5432/e");
        std::env::remove_var(&var);
    }
}
