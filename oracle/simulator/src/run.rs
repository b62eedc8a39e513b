//! `run`: the fleet streams telemetry to one or more daemons until a deadline or a stop signal.
//!
//! A generator thread (CPU: the model and signing) polls the [`Scheduler`] against the wall clock, groups records into
//! frames per *lane* (device index mod lanes) and hands every frame to every daemon. Each (daemon, lane) has a
//! bounded queue and one task sending its frames in order, so one device's records reach each daemon in the order
//! they were made while lanes run in parallel. Memory is bounded by daemons × lanes × (queue + 1) frames.
//! A full queue holds the generator back while its daemon answers (backpressure); for a daemon that is down the
//! frame is dropped for it and counted, so the others keep getting traffic (e.g. while an operator restarts).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use tokio::sync::mpsc;

use crate::daemon::{Daemon, SendPolicy};
use crate::frame::{Frame, FrameBuilder, Wire};
use crate::model::Emitted;
use crate::scheduler::Scheduler;
use crate::stats::{GeneratorStats, RunSummary};

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Daemon base URLs (`http://127.0.0.1:8080`); every one gets the same traffic.
    pub daemons: Vec<String>,
    pub wire: Wire,
    /// Records per request (the daemon's default limit is 1000).
    pub batch_size: usize,
    /// Send a partial frame once its first record is this old.
    pub flush_after: Duration,
    /// Parallel ordered lanes per daemon.
    pub lanes: usize,
    /// Frames queued per (daemon, lane).
    pub queue: usize,
    /// Cap on device turns per second (≈ records per second), `None` for no cap.
    pub rate: Option<f64>,
    pub duration: Option<Duration>,
    pub summary_every: Duration,
    pub policy: SendPolicy,
    pub summary_json: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            daemons: Vec::new(),
            wire: Wire::Binary,
            batch_size: 1000,
            flush_after: Duration::from_millis(250),
            lanes: 2,
            queue: 4,
            rate: None,
            duration: None,
            summary_every: Duration::from_secs(5),
            policy: SendPolicy::default(),
            summary_json: None,
        }
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The first sequence number of a run started at unix second `start` (see [`crate::model`]).
pub fn sequence_base(start: u64) -> u64 {
    start.saturating_mul(1000)
}

/// Streams until `duration` passes or `stop` is set; prints a summary every `summary_every` and at the end.
pub async fn run(scheduler: Scheduler, o: RunOptions, stop: Arc<AtomicBool>) -> Result<RunSummary> {
    if o.daemons.is_empty() {
        bail!("no daemon URL");
    }
    if o.lanes == 0 || o.queue == 0 || o.batch_size == 0 {
        bail!("lanes, queue and batch size must be ≥ 1");
    }
    if let Some(r) = o.rate {
        if !(r.is_finite() && r > 0.0) {
            bail!("rate must be > 0");
        }
    }
    for url in &o.daemons {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("daemon URL {url:?} must start with http://");
        }
    }
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(o.lanes)
        .build()
        .context("HTTP client")?;
    let daemons: Vec<Arc<Daemon>> = o.daemons.iter().map(|u| Arc::new(Daemon::new(u))).collect();
    let devices = scheduler.len();

    // One bounded queue and one ordered sender per (daemon, lane).
    let mut queues: Vec<Vec<mpsc::Sender<Arc<Frame>>>> = Vec::new();
    let mut senders = tokio::task::JoinSet::new();
    for d in &daemons {
        let mut lanes = Vec::new();
        for _ in 0..o.lanes {
            let (tx, mut rx) = mpsc::channel::<Arc<Frame>>(o.queue);
            lanes.push(tx);
            let (d, http, policy) = (d.clone(), http.clone(), o.policy);
            senders.spawn(async move {
                while let Some(frame) = rx.recv().await {
                    d.deliver(&http, &frame, &policy).await;
                }
            });
        }
        queues.push(lanes);
    }

    let gen_stats = Arc::new(Mutex::new(GeneratorStats::default()));
    let started = Instant::now();
    let deadline = o.duration.map(|d| started + d);
    let generator = {
        let (daemons, gen_stats, stop, o) = (daemons.clone(), gen_stats.clone(), stop.clone(), o.clone());
        std::thread::Builder::new()
            .name("edgemint-sim-generator".into())
            .spawn(move || generate(scheduler, queues, &daemons, &gen_stats, &stop, deadline, &o))
            .context("starting the generator thread")?
    };
    let generator_done = Arc::new(AtomicBool::new(false));
    let join = {
        let done = generator_done.clone();
        tokio::task::spawn_blocking(move || {
            let r = generator.join();
            done.store(true, Ordering::Relaxed);
            r
        })
    };

    // Printing never fails the run (stdout may be a closed pipe).
    let summarize = |final_: bool| {
        use std::io::Write;
        let elapsed = started.elapsed().as_secs_f64();
        let g = gen_stats.lock().map(|g| g.clone()).unwrap_or_default();
        let mut text = format!(
            "[{:>6.1}s]{} {}\n",
            elapsed,
            if final_ { " final:" } else { "" },
            g.summary_line(elapsed)
        );
        for d in &daemons {
            let s = d.snapshot();
            text.push_str(&format!("  {}\n", s.summary_line()));
            if final_ {
                for line in s.kind_lines() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    };
    let mut ticker = tokio::time::interval(o.summary_every);
    ticker.tick().await;
    while !generator_done.load(Ordering::Relaxed) {
        tokio::select! {
            _ = ticker.tick() => summarize(false),
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    let generated = join
        .await
        .map_err(|e| anyhow!("generator join: {e}"))?
        .map_err(|_| anyhow!("the generator thread panicked"))?;
    // Queues are closed: the senders finish what is queued and stop.
    while let Some(r) = senders.join_next().await {
        r.map_err(|e| anyhow!("sender task: {e}"))?;
    }
    summarize(true);
    generated?;

    let summary = RunSummary {
        elapsed_secs: started.elapsed().as_secs_f64(),
        devices,
        generator: gen_stats.lock().map(|g| g.clone()).unwrap_or_default(),
        daemons: daemons.iter().map(|d| d.snapshot()).collect(),
    };
    if let Some(path) = &o.summary_json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(summary)
}

/// Device turns taken per pass of the generator loop.
const MAX_TURNS_PER_PASS: usize = 2_000;

/// The generator loop (runs on its own thread).
fn generate(
    mut scheduler: Scheduler,
    queues: Vec<Vec<mpsc::Sender<Arc<Frame>>>>,
    daemons: &[Arc<Daemon>],
    stats: &Mutex<GeneratorStats>,
    stop: &AtomicBool,
    deadline: Option<Instant>,
    o: &RunOptions,
) -> Result<()> {
    let ctx = scheduler.context().clone();
    let lanes = o.lanes;
    let mut builders: Vec<FrameBuilder> = (0..lanes).map(|_| FrameBuilder::new(o.wire, o.batch_size)).collect();
    let mut out: Vec<Emitted> = Vec::new();
    let mut tokens = o.rate.unwrap_or(0.0);
    let mut last_refill = Instant::now();
    let mut last_census = Instant::now() - Duration::from_secs(10);

    let dispatch = |lane: usize, frame: Frame| {
        let frame = Arc::new(frame);
        if let Ok(mut g) = stats.lock() {
            g.frames += 1;
        }
        for (d, daemon) in daemons.iter().enumerate() {
            let tx = &queues[d][lane];
            match tx.try_send(frame.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(f)) => {
                    if daemon.is_healthy() {
                        // Backpressure: wait for this daemon.
                        if tx.blocking_send(f).is_err() {
                            daemon.record_dropped(frame.kinds.len());
                        }
                    } else {
                        daemon.record_dropped(frame.kinds.len());
                    }
                }
                Err(mpsc::error::TrySendError::Closed(_)) => daemon.record_dropped(frame.kinds.len()),
            }
        }
    };

    loop {
        if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let now = unix_now();
        let budget = match o.rate {
            Some(rate) => {
                let dt = last_refill.elapsed().as_secs_f64();
                last_refill = Instant::now();
                tokens = (tokens + dt * rate).min(rate.max(1.0));
                if tokens < 1.0 {
                    0
                } else {
                    tokens as usize
                }
            }
            None => usize::MAX,
        };
        out.clear();
        // Bounded turns per pass, so timestamps stay current and partial frames get flushed while far behind.
        let turns = budget.min(MAX_TURNS_PER_PASS);
        let served = if turns > 0 {
            scheduler.poll(now, turns, &mut out)?
        } else {
            0
        };
        if o.rate.is_some() {
            tokens -= served as f64;
        }
        if let Ok(mut g) = stats.lock() {
            g.turns += served as u64;
            for e in &out {
                g.add_record(e.kind);
            }
            g.lag_secs = scheduler.next_due().map(|d| unix_now().saturating_sub(d)).unwrap_or(0);
            if last_census.elapsed() >= Duration::from_secs(2) {
                g.online = scheduler.online() as u64;
                last_census = Instant::now();
            }
        }
        for e in &out {
            let lane = e.device as usize % lanes;
            builders[lane].push(e, &ctx)?;
            if builders[lane].is_full() {
                if let Some(f) = builders[lane].take()? {
                    dispatch(lane, f);
                }
            }
        }
        for (lane, b) in builders.iter_mut().enumerate() {
            if b.opened().is_some_and(|t| t.elapsed() >= o.flush_after) {
                if let Some(f) = b.take()? {
                    dispatch(lane, f);
                }
            }
        }
        // More is due right now (and the rate cap allows it): go on at once.
        let behind = served > 0 && served == turns && scheduler.next_due().is_some_and(|d| d <= now);
        if !behind {
            std::thread::sleep(Duration::from_millis(if served == 0 { 20 } else { 5 }));
        }
    }
    for (lane, b) in builders.iter_mut().enumerate() {
        if let Some(f) = b.take()? {
            dispatch(lane, f);
        }
    }
    Ok(())
}
