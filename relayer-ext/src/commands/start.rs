use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use abscissa_core::clap::Parser;
use abscissa_core::{Command, Runnable};
use anyhow::{anyhow, bail, Context, Result};
use ibc_relayer::chain::handle::{BaseChainHandle, ChainHandle};
use ibc_relayer::config::Config;
use ibc_relayer::foreign_client::ForeignClient;
use ibc_relayer::link::{Link, LinkParameters};
use ibc_relayer::registry::SharedRegistry;
use ibc_relayer::supervisor::{spawn_supervisor, SupervisorOptions};

use crate::chains::{self, chain_id};
use crate::hermes_config;
use crate::locks::KeyLock;
use crate::metrics::{self, Metrics};
use crate::monitor;
use crate::paths::{PathsFile, SavedPath};

#[derive(Command, Debug, Parser)]
pub struct StartCmd {
    /// /metrics address (default: the telemetry host:port of config.toml).
    #[arg(long)]
    pub metrics: Option<String>,
    /// Seconds between status polls (metrics, client watchdog, fee check).
    #[arg(long, default_value_t = 5)]
    pub monitor_interval: u64,
    /// The watchdog updates a client once less than this fraction of its trusting period is left (Hermes' own
    /// refresh normally acts first, at 2/3 left; this catches clients it does not refresh).
    #[arg(long, default_value_t = 0.5)]
    pub refresh_margin: f64,
    /// Packets or acks pending longer than this (seconds) are cleared by the watchdog through Hermes' link
    /// (what `hermes clear packets` does): Hermes 1.10.5 decides at start whether a channel needs a packet worker
    /// from its lowest pending sequence only, and leaves the rest stuck until new traffic when that one was already
    /// received.
    #[arg(long, default_value_t = 45)]
    pub stuck_after: u64,
}

impl Runnable for StartCmd {
    fn run(&self) {
        super::finish(self.execute())
    }
}

impl StartCmd {
    fn execute(&self) -> Result<()> {
        if !(self.refresh_margin > 0.0 && self.refresh_margin < 1.0) {
            bail!("--refresh-margin must be between 0 and 1");
        }
        if self.monitor_interval == 0 {
            bail!("--monitor-interval must be at least 1 second");
        }
        let home = crate::application::home();
        let mut config = super::require_config()?;
        let saved = PathsFile::load(&home.paths_path())?;
        if saved.paths.is_empty() {
            bail!("no saved path to relay: run `edgemint-relayer path create` first");
        }
        let chain_ids: BTreeSet<String> = saved
            .paths
            .iter()
            .flat_map(|p| [p.a.chain_id.clone(), p.b.chain_id.clone()])
            .collect();
        // Only the chains of saved paths: a configured but unused chain that is down must not block relaying.
        config.chains.retain(|c| chain_ids.contains(c.id().as_str()));
        for p in &saved.paths {
            for end in [&p.a, &p.b] {
                hermes_config::allow_channel(&mut config, &end.chain_id, &end.port_id, &end.channel_id)?;
            }
        }

        // One process per (chain, key): see locks.rs for why.
        let mut locks = Vec::new();
        for c in &chain_ids {
            let key = chains::cosmos(&config, c)?.key_name;
            locks.push(KeyLock::acquire(&home.locks_dir(), c, &key)?);
        }

        // One registry: the supervisor, the watchdog and the fee check share one chain runtime per chain, hence one
        // account sequence per key, whatever the number of paths.
        let registry = SharedRegistry::<BaseChainHandle>::new(config.clone());
        for c in &chain_ids {
            let handle = registry
                .get_or_spawn(&chain_id(c))
                .map_err(|e| anyhow!("cannot reach {c}: {e}"))?;
            let have = chains::check_funds(&config, &handle, c)?;
            tracing::info!(chain = %c, balance = have, "relayer account funded");
        }

        let metrics = Arc::new(Metrics::new()?);
        let addr = match &self.metrics {
            Some(a) => a.clone(),
            None => format!("{}:{}", config.telemetry.host, config.telemetry.port),
        };
        let bound = metrics::serve(&addr, metrics.clone())?;
        tracing::info!("metrics at http://{bound}/metrics");

        let supervisor = spawn_supervisor(
            config.clone(),
            registry.clone(),
            None,
            SupervisorOptions {
                health_check: true,
                force_full_scan: false,
            },
        )
        .map_err(|e| anyhow!("Hermes' supervisor did not start: {e}"))?;
        tracing::info!(
            "relaying {} path(s): {}",
            saved.paths.len(),
            saved
                .paths
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );

        let watchdog = Watchdog {
            config,
            registry,
            paths: saved.paths,
            metrics,
            interval: Duration::from_secs(self.monitor_interval),
            refresh_margin: self.refresh_margin,
            stuck_after: self.stuck_after,
            last_clear: std::sync::Mutex::new(BTreeMap::new()),
        };
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || watchdog.run())
            .context("starting the watchdog")?;

        supervisor.wait();
        drop(locks);
        Ok(())
    }
}

struct Watchdog {
    config: Config,
    registry: SharedRegistry<BaseChainHandle>,
    paths: Vec<SavedPath>,
    metrics: Arc<Metrics>,
    interval: Duration,
    refresh_margin: f64,
    stuck_after: u64,
    /// When each direction (path, src chain) was last cleared: at most one clear per `stuck_after`.
    last_clear: std::sync::Mutex<BTreeMap<(String, String), Instant>>,
}

/// Logs an out-of-fees error at once, then at most every 5 minutes while it lasts.
const FUNDS_REPEAT: Duration = Duration::from_secs(300);

impl Watchdog {
    fn run(self) {
        let mut funds_warned: BTreeMap<String, Instant> = BTreeMap::new();
        loop {
            for p in &self.paths {
                if let Err(e) = self.path(p) {
                    self.metrics.monitor_errors.with_label_values(&["path"]).inc();
                    tracing::warn!(path = %p.name, "status poll failed: {e:#}");
                }
            }
            let chains: BTreeSet<&String> = self.paths.iter().flat_map(|p| [&p.a.chain_id, &p.b.chain_id]).collect();
            for c in chains {
                match self.handle(c).and_then(|h| monitor::balance_info(&self.config, &h)) {
                    Ok(b) => {
                        self.metrics.record_balance(&b);
                        if b.amount < b.needed_per_tx {
                            let due = funds_warned.get(c).is_none_or(|t| t.elapsed() >= FUNDS_REPEAT);
                            if due {
                                if let Err(e) = self.handle(c).and_then(|h| chains::check_funds(&self.config, &h, c)) {
                                    tracing::error!("{e:#}");
                                }
                                funds_warned.insert(c.clone(), Instant::now());
                            }
                        } else if funds_warned.remove(c).is_some() {
                            tracing::info!(chain = %c, balance = b.amount, "relayer account can pay fees again");
                        }
                    }
                    Err(e) => {
                        self.metrics.monitor_errors.with_label_values(&["balance"]).inc();
                        tracing::warn!(chain = %c, "balance poll failed: {e:#}");
                    }
                }
            }
            std::thread::sleep(self.interval);
        }
    }

    fn handle(&self, chain: &str) -> Result<BaseChainHandle> {
        self.registry
            .get_or_spawn(&chain_id(chain))
            .map_err(|e| anyhow!("{chain}: {e}"))
    }

    fn path(&self, p: &SavedPath) -> Result<()> {
        let a = self.handle(&p.a.chain_id)?;
        let b = self.handle(&p.b.chain_id)?;
        let st = monitor::path_status(p, &a, &b, true)?;
        self.metrics.record_path(&st);
        for (d, src, dst, src_end, dst_end) in [
            (&st.directions[0], &a, &b, &p.a, &p.b),
            (&st.directions[1], &b, &a, &p.b, &p.a),
        ] {
            let stuck = d.oldest_pending_age_secs.is_some_and(|age| age >= self.stuck_after);
            if !stuck || !self.clear_due(&p.name, &d.src_chain) {
                continue;
            }
            tracing::warn!(
                path = %p.name, src = %d.src_chain, packets = d.pending_packets.len(), acks = d.pending_acks.len(),
                oldest_secs = ?d.oldest_pending_age_secs,
                "pending longer than {}s: clearing through Hermes' link", self.stuck_after
            );
            self.metrics
                .stuck_clears
                .with_label_values(&[&p.name, &d.src_chain, &d.src_channel])
                .inc();
            if !d.pending_packets.is_empty() {
                self.clear_recv(src, dst, src_end)?;
            }
            if !d.pending_acks.is_empty() {
                // Acks are written on dst: that side is the source of the ack relay.
                self.clear_acks(dst, src, dst_end)?;
            }
        }
        for (c, host, tracked) in [(&st.clients[0], &a, &b), (&st.clients[1], &b, &a)] {
            let left = c.expires_in_secs as f64;
            if !c.frozen && left > 0.0 && left < c.trusting_period_secs as f64 * self.refresh_margin {
                tracing::info!(
                    client = %c.client_id, host = %c.host_chain, expires_in = c.expires_in_secs,
                    "client close to the end of its trusting period: updating it"
                );
                self.refresh(&c.client_id, host, tracked)?;
                self.metrics
                    .refreshes
                    .with_label_values(&[&c.host_chain, &c.client_id])
                    .inc();
            } else if left <= 0.0 {
                tracing::error!(
                    client = %c.client_id, host = %c.host_chain,
                    "client expired: the path is stuck until the client is recovered by governance"
                );
            }
        }
        Ok(())
    }

    fn clear_due(&self, path: &str, src_chain: &str) -> bool {
        let mut last = self.last_clear.lock().unwrap_or_else(|e| e.into_inner());
        let key = (path.to_string(), src_chain.to_string());
        let due = last
            .get(&key)
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(self.stuck_after));
        if due {
            last.insert(key, Instant::now());
        }
        due
    }

    fn link(
        &self,
        src: &BaseChainHandle,
        dst: &BaseChainHandle,
        src_end: &crate::paths::PathEnd,
    ) -> Result<Link<BaseChainHandle, BaseChainHandle>> {
        let opts = LinkParameters {
            src_port_id: src_end.port_id.parse().map_err(|e| anyhow!("port: {e}"))?,
            src_channel_id: src_end.channel_id.parse().map_err(|e| anyhow!("channel: {e}"))?,
            max_memo_size: self.config.mode.packets.ics20_max_memo_size,
            max_receiver_size: self.config.mode.packets.ics20_max_receiver_size,
            exclude_src_sequences: vec![],
        };
        Link::new_from_opts(src.clone(), dst.clone(), opts, true, false)
            .map_err(|e| anyhow!("link {} -> {}: {e}", src.id(), dst.id()))
    }

    /// Receives (or times out) every packet sent on `src_end` and not yet received on `dst`.
    fn clear_recv(&self, src: &BaseChainHandle, dst: &BaseChainHandle, src_end: &crate::paths::PathEnd) -> Result<()> {
        let events = self
            .link(src, dst, src_end)?
            .relay_recv_packet_and_timeout_messages(vec![])
            .map_err(|e| anyhow!("clearing packets {} -> {}: {e}", src.id(), dst.id()))?;
        tracing::info!(src = %src.id(), dst = %dst.id(), events = events.len(), "pending packets cleared");
        Ok(())
    }

    /// Relays every acknowledgement written on `ack_src` (for packets from `ack_dst`) not yet received there.
    fn clear_acks(
        &self,
        ack_src: &BaseChainHandle,
        ack_dst: &BaseChainHandle,
        ack_src_end: &crate::paths::PathEnd,
    ) -> Result<()> {
        let events = self
            .link(ack_src, ack_dst, ack_src_end)?
            .relay_ack_packet_messages(vec![])
            .map_err(|e| anyhow!("clearing acks {} -> {}: {e}", ack_src.id(), ack_dst.id()))?;
        tracing::info!(src = %ack_src.id(), dst = %ack_dst.id(), events = events.len(), "pending acks cleared");
        Ok(())
    }

    fn refresh(&self, client_id: &str, host: &BaseChainHandle, tracked: &BaseChainHandle) -> Result<()> {
        let id = client_id.parse().map_err(|e| anyhow!("client id {client_id}: {e}"))?;
        let client = ForeignClient::restore(id, host.clone(), tracked.clone());
        match client.build_latest_update_client_and_send() {
            Ok(_) => Ok(()),
            // Hermes' own refresh (or a packet's client update) may have just won the race: nothing to do.
            Err(e) if e.to_string().contains("already up to date") => Ok(()),
            Err(e) => Err(anyhow!("updating {client_id} on {}: {e}", host.id())),
        }
    }
}
