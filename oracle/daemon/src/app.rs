//! Wires the daemon together from a [`Config`]: chain client, store, verifier, HTTP server, epoch loop and
//! reporter; runs until shutdown is signalled, then stops accepting requests, finishes those in flight and lets the
//! loops end at their next step.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use chain_config::client::{ChainClient, Signer};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::autoclaim::{AutoClaimer, ChainClaims};
use crate::chain::ChainReader;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, StoreBackend, StoreConfig};
use crate::directory::{CachePolicy, ChainDirectory};
use crate::epoch::{EpochChain, EpochService};
use crate::http::{self, AppState, NodeInfo};
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::report::{Backoff, ChainHub, Reporter};
use crate::store::{PoolOptions, PostgresStore, SqliteStore, Store};
use crate::timing::EpochTiming;
use crate::verify::{Limits, Verifier};

/// Reads the operator key from a mnemonic file. The phrase is never logged or returned.
pub fn load_signer(path: &Path, coin_type: u32, prefix: &str) -> Result<Signer> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "mnemonic file is readable by other users; chmod 600 it");
            }
        }
    }
    let phrase = std::fs::read_to_string(path).with_context(|| format!("reading mnemonic file {}", path.display()))?;
    let key = chain_config::keys::signing_key(phrase.trim(), coin_type)
        .map_err(|e| anyhow!("mnemonic file {}: {e}", path.display()))?;
    Signer::new(key, prefix)
}

/// Opens the configured store (SQLite file or PostgreSQL), off the async workers: store calls block, and the
/// PostgreSQL client must not block an async worker thread.
pub async fn open_store(config: &StoreConfig) -> Result<Arc<dyn Store>> {
    match config.backend {
        StoreBackend::Sqlite => {
            let db = config.db_path();
            let path = db.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                .await?
                .with_context(|| format!("opening store {}", db.display()))?;
            tracing::info!(backend = "sqlite", db = %db.display(), "store open");
            Ok(Arc::new(store))
        }
        StoreBackend::Postgres => {
            let target = config.postgres_target()?;
            let shown = target.describe();
            let options = PoolOptions {
                max_connections: config.pool_size,
                ..PoolOptions::default()
            };
            let store = tokio::task::spawn_blocking(move || PostgresStore::open(target, options))
                .await?
                .with_context(|| format!("opening store postgres {shown}"))?;
            tracing::info!(backend = "postgres", target = %shown, pool_size = config.pool_size, "store open");
            Ok(Arc::new(store))
        }
    }
}

/// A started daemon.
pub struct Running {
    /// Where the HTTP server listens (useful with port 0).
    pub local_addr: SocketAddr,
    pub operator: Option<String>,
    server: JoinHandle<std::io::Result<()>>,
    loops: Vec<JoinHandle<()>>,
}

impl Running {
    /// Waits for the server and loops to finish (after shutdown was signalled).
    pub async fn join(self) -> Result<()> {
        let served = self.server.await.map_err(|e| anyhow!("server task: {e}"))?;
        for l in self.loops {
            // Loops notice the shutdown at their next step; a step in flight (a chain query) may take a while.
            if tokio::time::timeout(Duration::from_secs(30), l).await.is_err() {
                tracing::warn!("a background loop did not stop within 30 s");
            }
        }
        served.context("HTTP server")
    }
}

/// Reads the hub's epoch timing, retrying until it answers or shutdown.
async fn hub_timing(reader: &ChainReader, shutdown: &mut watch::Receiver<bool>) -> Result<EpochTiming> {
    let mut delay = Duration::from_secs(1);
    loop {
        match reader.hub_timing().await {
            Ok(t) => return Ok(t),
            Err(e) => tracing::warn!(error = %e, retry_in = ?delay, "cannot read the hub's epoch timing"),
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            bail!("shut down before the hub answered");
        }
        delay = (delay * 2).min(Duration::from_secs(60));
    }
}

/// Starts everything; returns once the server listens.
pub async fn start(config: Config, mut shutdown: watch::Receiver<bool>) -> Result<Running> {
    config.validate()?;
    config.require_contracts()?;
    let c = &config.chain;
    let client = Arc::new(
        ChainClient::with_settings(&c.rpc_url, &c.chain_id, &c.prefix, &c.denom, c.gas_price, c.coin_type)
            .context("chain client")?,
    );
    let reader = Arc::new(ChainReader::new(client.clone(), config.contracts.clone()));

    let store = open_store(&config.store).await?;
    {
        let (store, chain_id, hub) = (store.clone(), c.chain_id.clone(), config.contracts.hub.clone());
        tokio::task::spawn_blocking(move || -> Result<(), crate::store::StoreError> {
            store.ensure_meta("chain_id", &chain_id)?;
            store.ensure_meta("hub", &hub)
        })
        .await??;
    }

    let signer = match (&config.operator.mnemonic_file, config.report.enabled) {
        (Some(path), true) => Some(load_signer(path, c.coin_type, &c.prefix)?),
        (None, true) => {
            tracing::warn!("no operator.mnemonic_file: epochs are computed and served but not reported");
            None
        }
        (_, false) => None,
    };
    let operator = signer.as_ref().map(|s| s.address.to_string());
    if let Some(op) = &operator {
        tracing::info!(operator = %op, "operator key loaded");
    }

    let timing = hub_timing(&reader, &mut shutdown).await?;
    tracing::info!(
        genesis_nanos = timing.genesis_nanos,
        length = timing.length,
        "epoch timing from the hub"
    );

    let metrics = Arc::new(Metrics::new()?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ing = &config.ingest;
    let directory = Arc::new(ChainDirectory::new(
        client.clone(),
        config.contracts.registry.clone(),
        CachePolicy {
            ttl: Duration::from_secs(ing.device_cache_ttl_secs),
            negative_ttl: Duration::from_secs(ing.device_negative_ttl_secs),
            capacity: ing.device_cache_capacity,
        },
    ));
    let verifier = Arc::new(Verifier::new(
        c.chain_id.clone(),
        timing,
        Limits {
            timestamp_window_secs: ing.timestamp_window_secs,
            max_tasks_per_epoch: ing.max_tasks_per_epoch,
            max_interactions_per_epoch: ing.max_interactions_per_epoch,
        },
        clock.clone(),
        directory,
        RateLimiter::new(ing.rate_limit_burst, ing.rate_limit_per_minute),
    ));
    let ingestor = Arc::new(Ingestor::new(verifier, store.clone(), metrics.clone()));
    let chain: Arc<dyn EpochChain> = reader.clone();
    let epochs = Arc::new(EpochService::new(
        store.clone(),
        Some(chain),
        timing,
        config.epoch.clone(),
        config.weights.clone(),
        ing.timestamp_window_secs,
        clock.clone(),
        metrics.clone(),
    ));
    let first = epochs.first_epoch().await?;
    tracing::info!(first_epoch = first, "epochs from here on are computed");

    let mut loops = Vec::new();
    if config.epoch.auto {
        loops.push(tokio::spawn(epochs.clone().run(shutdown.clone())));
    }
    if let Some(signer) = signer {
        let hub = Arc::new(ChainHub::new(client.clone(), config.contracts.hub.clone(), signer));
        let r = &config.report;
        let reporter = Reporter::new(
            store.clone(),
            hub,
            Backoff {
                max_attempts: r.max_attempts,
                initial: Duration::from_secs(r.backoff_initial_secs),
                max: Duration::from_secs(r.backoff_max_secs.max(r.backoff_initial_secs)),
            },
            clock.clone(),
            metrics.clone(),
        );
        let reporter = if config.auto_claim.enabled {
            let claim_signer = load_signer(
                config
                    .operator
                    .mnemonic_file
                    .as_deref()
                    .context("auto_claim needs operator.mnemonic_file")?,
                c.coin_type,
                &c.prefix,
            )?;
            let chain = Arc::new(ChainClaims::new(
                client.clone(),
                config.contracts.hub.clone(),
                config.contracts.rewards.clone(),
                claim_signer,
            ));
            tracing::info!(max_batch = config.auto_claim.max_batch, "auto-claim on");
            reporter.with_auto_claim(AutoClaimer::new(
                store.clone(),
                chain,
                config.auto_claim.max_batch,
                first,
                metrics.clone(),
            ))
        } else {
            reporter
        };
        let reporter = Arc::new(reporter);
        let idle = Duration::from_secs(config.epoch.poll_interval_secs.max(1) * 6);
        loops.push(tokio::spawn(reporter.run(
            epochs.computed.clone(),
            idle,
            shutdown.clone(),
        )));
    }

    let state = AppState {
        ingestor,
        store,
        metrics,
        epochs,
        info: Arc::new(NodeInfo {
            version: env!("CARGO_PKG_VERSION"),
            chain_id: c.chain_id.clone(),
            hub: config.contracts.hub.clone(),
            operator: operator.clone(),
        }),
        max_batch_items: config.server.max_batch_items,
    };
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("listening on {}", config.server.listen))?;
    let local_addr = listener.local_addr()?;
    let app = http::router(state, config.server.max_body_bytes);
    let mut stop = shutdown.clone();
    let server = tokio::spawn(http::serve(listener, app, async move {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                break;
            }
        }
    }));
    tracing::info!(listen = %local_addr, "serving HTTP (ingest, API, /metrics)");
    Ok(Running {
        local_addr,
        operator,
        server,
        loops,
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; only SIGINT stops the daemon");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `edgemint-oracle start`: runs until SIGINT/SIGTERM.
pub async fn run(config: Config) -> Result<()> {
    let (tx, rx) = watch::channel(false);
    let requested = rx.clone();
    let signals = tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested");
        let _ = tx.send(true);
    });
    let running = match start(config, rx).await {
        Ok(r) => r,
        // Asked to stop while still starting (e.g. waiting for the node): a clean exit.
        Err(e) if *requested.borrow() => {
            tracing::info!(reason = %e, "stopped before start completed");
            return Ok(());
        }
        Err(e) => {
            signals.abort();
            return Err(e);
        }
    };
    let result = running.join().await;
    signals.abort();
    tracing::info!("stopped");
    result
}
