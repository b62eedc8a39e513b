//! Several operators on one localnet and one epoch (waiting for the epoch dominates the test's time, so one run
//! covers all of this):
//!
//! - The simulator (its library: fleet model, provisioning with real transactions, EMTB frames) streams the same
//!   signed traffic to four daemons with separate SQLite stores and operator keys, all bonded at the hub.
//! - Two honest daemons run in-process. The third honest one runs the `edgemint-oracle` program as a separate
//!   process: in the middle of the epoch it is SIGKILLed with a batch in flight (sent, never acknowledged), restarted
//!   on the same config and store, and the batch is re-sent. It must count once and the daemon's root must match.
//! - The fourth daemon is fed tampered data: a colluding device owner has the device sign one more report with
//!   inflated counters and sends it to that operator only. The report passes every check there (device key,
//!   next sequence number, inside the timestamp window, plausible counters), so the fourth daemon computes, signs
//!   and reports a different root.
//!
//! Then: the hub reaches its 3-of-4 quorum on the honest root (the restarted daemon's vote is needed for it), and
//! records the fourth report as a one-vote minority; a claim with the fourth daemon's proof is refused with
//! `InvalidProof` and pays nothing; the fourth operator's reward is refused (`NotReporter`); owners are paid with
//! proofs from any honest daemon, including the restarted one, and honest operators get their reward.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chain_config::client::{Signer, TxError};
use e2e::contracts::{self, CoreParams, EMC};
use e2e::epochs::{self, EpochParams, Epochs};
use e2e::oracles::{self, DaemonSettings, OracleDaemon, OracleProcess, Target};
use e2e::{ChainClient, TestNet};
use edgemint_device_sdk::{SignedTelemetry, TelemetryReport};
use edgemint_sim::daemon::{parse_answer, ItemAnswer};
use edgemint_sim::frame::{Frame, FrameBuilder, Wire};
use edgemint_sim::provision::{self, Accounts, ProvisionOptions};
use edgemint_sim::{BehaviourParams, Fleet, FleetSpec, RunContext, Scheduler};
use serde_json::{json, Value};

const EPOCH_LENGTH: u64 = 60;
const DEVICES: u32 = 10;
const OWNERS: u32 = 2;
/// Seconds between two reports of one device.
const INTERVAL: u64 = 4;
/// The daemons' timestamp window: the batch re-sent after the restart must still be inside it.
const WINDOW: u64 = 10;
/// Traffic needs this much of the epoch left (half before the kill, half after), else the next epoch is used.
const MIN_TRAFFIC_SECS: u64 = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_operators_quorum_tampered_minority_never_pays_killed_daemon_rejoins() -> Result<()> {
    let started = Instant::now();
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let chain_id = net.net.chain_id.clone();
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let (maker_key, maker) = contracts::funded_account(&net, &client, "maker", 100 * EMC).await?;
    let core_params = CoreParams::default();
    let core = contracts::deploy_core(
        &client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &core_params,
    )
    .await?;

    // The simulator's fleet, put on chain by its provisioning code: the maker registers, the faucet funds the owners,
    // each owner activates (device-signed) and stakes the minimum, so every device may mine.
    let fleet_dir = tempfile::tempdir()?;
    let mut fleet = Fleet::generate(fleet_spec())?;
    let accounts = Accounts {
        maker: maker_key,
        faucet: Some(net.account("faucet")?.clone()),
        admin: None,
    };
    let options = ProvisionOptions {
        registry: core.registry.clone(),
        staking: Some(core.staking.clone()),
        stake: true,
        ..ProvisionOptions::default()
    };
    let fleet_path = fleet_dir.path().join("fleet.json");
    let provisioned = provision::provision(
        Arc::new(net.client(0)?),
        &chain_id,
        &mut fleet,
        &fleet_path,
        &accounts,
        &options,
    )
    .await?;
    assert!(
        provisioned.failures.is_empty() && provisioned.staked == DEVICES as usize,
        "{}",
        provisioned.summary()
    );
    eprintln!("[{:>5.1?}] fleet: {}", started.elapsed(), provisioned.summary());

    let params = EpochParams {
        epoch_length: EPOCH_LENGTH,
        ..EpochParams::default()
    };
    let ops = contracts::funded_accounts(
        &net,
        &client,
        &["oq-op1", "oq-op2", "oq-op3", "oq-op4"],
        params.min_bond + 100 * EMC,
    )
    .await?;
    // The epoch running at the hub's deployment ends ~42 s later: time to bond, start the daemons and stream ~30 s.
    let params = EpochParams {
        genesis_offset_secs: 5 * EPOCH_LENGTH + 18,
        ..params
    };
    let ep = epochs::deploy(&client, &deployer, &pool_holder, &core, &params).await?;
    let signers: Vec<&Signer> = ops.iter().map(|(_, s)| s).collect();
    epochs::add_operators(&client, &deployer, &ep.hub, &signers, params.min_bond).await?;
    // 3 of 4 is a quorum: the hub's threshold is ceil(quorum × electorate) with the default quorum 2/3, and the
    // default min_operators (3) lets an epoch with 4 listed operators be reported.
    let config = client.smart_query(&ep.hub, &json!({"config": {}})).await?;
    assert_eq!(config["min_operators"], 3, "{config}");
    assert_eq!(config["active_operators"], 4, "{config}");
    let quorum: f64 = config["quorum"].as_str().context("quorum")?.parse()?;
    assert_eq!((quorum * 4.0).ceil(), 3.0, "{config}");

    let target = Target {
        client: &client,
        rpc_url: net.net.nodes[0].rpc_url(),
        chain_id: chain_id.clone(),
        core: &core,
        epochs: &ep,
    };
    let settings = DaemonSettings {
        timestamp_window_secs: WINDOW,
        grace_secs: 1,
        require_mining_eligibility: true,
    };
    let mut in_process = Vec::new();
    for i in [0, 1, 3] {
        in_process.push(OracleDaemon::start(&target, &ops[i].0, &settings).await?);
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_e2e-oracle"));
    let mut process = OracleProcess::start(binary, &target, &ops[2].0, &settings).await?;
    eprintln!("[{:>5.1?}] four daemons up", started.elapsed());

    let tampered = in_process.pop().context("tampered daemon")?;
    let honest = Daemons {
        in_process: &in_process,
        process: &mut process,
    };
    let result = run(
        &client, &target, &ep, &fleet, honest, &tampered, &signers, &deployer, &params, started,
    )
    .await;
    let mut stopped = Ok(());
    for mut d in in_process.into_iter().chain([tampered]) {
        stopped = stopped.and(d.stop().await);
    }
    process.stop();
    result?;
    stopped?;
    eprintln!("oracle_quorum took {:?}", started.elapsed());
    Ok(())
}

fn fleet_spec() -> FleetSpec {
    FleetSpec {
        seed: 5,
        devices: DEVICES,
        owners: OWNERS,
        behaviour: BehaviourParams {
            // Always online (offline periods of ~1 s once in ~12 days), busy enough for counters to move every report.
            mean_online_secs: 1.0e6,
            mean_offline_secs: 1.0,
            availability_sigma: 0.0,
            tasks_per_hour: 1_800.0,
            interactions_per_hour: 7_200.0,
            rate_sigma: 0.5,
        },
        ..FleetSpec::default()
    }
}

/// The three honest daemons: two in-process, one separate process.
struct Daemons<'a> {
    in_process: &'a [OracleDaemon],
    process: &'a mut OracleProcess,
}

impl Daemons<'_> {
    fn urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self.in_process.iter().map(|d| d.url.clone()).collect();
        urls.push(self.process.url.clone());
        urls
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    client: &ChainClient,
    target: &Target<'_>,
    ep: &Epochs,
    fleet: &Fleet,
    honest: Daemons<'_>,
    tampered: &OracleDaemon,
    ops: &[&Signer],
    claimer: &Signer,
    params: &EpochParams,
    started: Instant,
) -> Result<()> {
    // ---- traffic: the simulator's model, the same frames to every daemon ----
    let timing = edgemint_sim::chain::hub_timing(client, &ep.hub).await?;
    let mut epoch = timing.epoch_at(unix_now()).context("before genesis")?;
    if timing.end_secs(epoch) < unix_now() + MIN_TRAFFIC_SECS {
        epoch += 1;
        sleep_until(timing.start_secs(epoch) + 1).await;
    }
    let epoch_end = timing.end_secs(epoch);
    let start = unix_now();
    eprintln!(
        "[{:>5.1?}] traffic for epoch {epoch}, which ends in {} s",
        started.elapsed(),
        epoch_end - start
    );
    let ctx = RunContext {
        chain_id: target.chain_id.clone(),
        wrong_chain_id: "edgemint-rogue-1".into(),
        timing,
        interval: INTERVAL,
        seed: fleet.spec.seed,
        sequence_base: edgemint_sim::run::sequence_base(start),
        cheat_rate: 0.0,
        inflate_factor: 3.0,
        receipts: true,
    };
    let traffic = stream(fleet, ctx, epoch, epoch_end, start, honest, tampered).await?;
    let honest_urls = traffic.honest_urls.clone();
    eprintln!(
        "[{:>5.1?}] {} records in {} frames; kill -9 with {} records in flight ({}), restart took {:?}, re-send: {}",
        started.elapsed(),
        traffic.records,
        traffic.frames,
        traffic.kill_frame_records,
        traffic.answer_before_kill.as_deref().unwrap_or("no answer"),
        traffic.restart_took,
        traffic.resent_as
    );

    // ---- the fourth daemon's tampered data ----
    let colluder = &fleet.devices[0];
    let device_x = colluder.device_id.context("device id")?;
    let last = traffic
        .last
        .get(&device_x)
        .context("no report of the colluding device")?;
    let now = unix_now();
    anyhow::ensure!(timing.contains(epoch, now), "traffic overran the epoch");
    let inflated = TelemetryReport {
        sequence: last.report.sequence + 1,
        timestamp: now,
        // Still no more than the seconds elapsed in the epoch: only the work counters are inflated.
        uptime_secs: last.report.uptime_secs + (now - last.report.timestamp),
        tasks_completed: last.report.tasks_completed + 400,
        interactions: last.report.interactions + 2_000,
        receipts_hash: None,
        ..last.report.clone()
    };
    let inflated_tasks = inflated.tasks_completed;
    let signed = SignedTelemetry::sign(&colluder.key()?, &target.chain_id, inflated)?;
    let body: Value = serde_json::from_str(&signed.to_json())?;
    let (code, answer) = tampered.post_json("/v1/telemetry", body).await?;
    assert_eq!((code, &answer["status"]), (200, &json!("accepted")), "{answer}");

    // Count once: every honest store holds exactly the records sent (the in-flight batch was not stored twice); the
    // tampered store holds one more.
    for url in &honest_urls {
        assert_eq!(telemetry_records(url).await?, traffic.records, "{url}");
    }
    assert_eq!(telemetry_records(&tampered.url).await?, traffic.records + 1);

    // ---- reports: quorum on the honest root, the tampered root a minority ----
    let deadline = Instant::now() + Duration::from_secs(epoch_end.saturating_sub(unix_now()) + WINDOW + 90);
    let reports = loop {
        let r = client
            .smart_query(&ep.hub, &json!({"reports": {"epoch": epoch}}))
            .await?;
        let n = r["reports"].as_array().map(Vec::len).unwrap_or(0);
        if n == 4 && (r["status"] == "accepted" || r["status"] == "final") {
            break r;
        }
        if Instant::now() > deadline {
            let mut views = Vec::new();
            for url in honest_urls.iter().chain([&tampered.url]) {
                views.push(oracles::get_json(format!("{url}/v1/status")).await?.1);
            }
            bail!("epoch {epoch} not reported by all four: hub {r}; daemons {views:?}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    eprintln!("[{:>5.1?}] four reports at the hub", started.elapsed());
    let hub = epochs::epoch_status(client, &ep.hub, epoch).await?;
    let honest_root = hub["root"].as_str().context("hub root")?.to_string();

    let mut views = Vec::new();
    for url in &honest_urls {
        views.push(epoch_view(url, epoch).await?);
    }
    for v in &views {
        assert_eq!(
            v["root"].as_str(),
            Some(honest_root.as_str()),
            "honest daemon vs hub: {v}"
        );
        assert_eq!(v["device_count"], DEVICES, "{v}");
        assert_eq!(v["telemetry_commitment"], views[0]["telemetry_commitment"]);
        assert_eq!(v["inputs"], views[0]["inputs"]);
        assert_eq!(v["leaves"], views[0]["leaves"]);
    }
    let bad = epoch_view(&tampered.url, epoch).await?;
    let bad_root = bad["root"].as_str().context("tampered root")?.to_string();
    assert_ne!(bad_root, honest_root);
    let amount_of = |v: &Value| -> Result<u128> {
        let leaf = v["leaves"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["device_id"] == device_x))
            .context("no leaf for the colluding device")?;
        Ok(leaf["amount"].as_str().context("amount")?.parse()?)
    };
    let tasks_of = |v: &Value| {
        v["inputs"]
            .as_array()
            .and_then(|l| l.iter().find(|i| i["device_id"] == device_x))
            .map(|i| i["tasks_completed"].clone())
    };
    assert_eq!(
        tasks_of(&bad),
        Some(json!(inflated_tasks)),
        "the tampered daemon aggregated the inflated report"
    );
    assert_eq!(tasks_of(&views[0]), Some(json!(last.report.tasks_completed)));
    let (honest_x, inflated_x) = (amount_of(&views[0])?, amount_of(&bad)?);
    assert!(inflated_x > honest_x, "tampered {inflated_x} vs honest {honest_x}");

    assert_eq!(reports["operator_count"], 4, "{reports}");
    assert_eq!(reports["threshold"], 3, "{reports}");
    for r in reports["reports"].as_array().context("reports")? {
        if r["operator"] == ops[3].address.to_string() {
            assert_eq!(r["root"].as_str(), Some(bad_root.as_str()), "{r}");
            assert_eq!(
                (&r["votes"], &r["accepted"]),
                (&json!(1), &json!(false)),
                "minority: {r}"
            );
        } else {
            assert_eq!(r["root"].as_str(), Some(honest_root.as_str()), "{r}");
            assert_eq!(
                (&r["votes"], &r["accepted"]),
                (&json!(3), &json!(true)),
                "majority: {r}"
            );
        }
    }
    let reporters: BTreeSet<String> = hub["reporters"]
        .as_array()
        .context("reporters")?
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let expected: BTreeSet<String> = ops[..3].iter().map(|s| s.address.to_string()).collect();
    assert_eq!(
        reporters, expected,
        "the final root's reporters include the restarted daemon's operator"
    );

    let mut gas = Vec::new();
    let all_urls = honest_urls.iter().chain([&tampered.url]);
    for (who, url) in ["honest-1", "honest-2", "restarted", "tampered"].iter().zip(all_urls) {
        gas.push(format!("{who} {}", report_gas(url, epoch, &target.rpc_url).await?));
    }
    eprintln!(
        "[{:>5.1?}] honest root {honest_root}, tampered root {bad_root}; device {device_x}: honest {honest_x}, \
         tampered {inflated_x}; report gas: {}",
        started.elapsed(),
        gas.join(", ")
    );

    // ---- after the challenge window ----
    let deadline = Instant::now() + Duration::from_secs(params.challenge_window + 30);
    while epochs::epoch_status(client, &ep.hub, epoch).await?["status"] != "final" {
        anyhow::ensure!(Instant::now() < deadline, "epoch {epoch} never became final");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    // The tampered proof pays nothing: refused before it reaches a block, nothing claimed.
    let owner_x = bad["leaves"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["device_id"] == device_x))
        .and_then(|l| l["owner"].as_str())
        .context("owner")?
        .to_string();
    let before = client.balance(&owner_x).await?;
    let bad_proof = proof(&tampered.url, epoch, device_x).await?;
    assert_eq!(bad_proof["root"].as_str(), Some(bad_root.as_str()));
    let refused = client
        .execute(
            claimer,
            &ep.rewards,
            &json!({"claim": {"claims": [claim_item(&bad_proof)]}}),
            0,
        )
        .await;
    match refused {
        Err(TxError::Simulate(log)) => assert!(log.contains("invalid Merkle proof"), "{log}"),
        other => bail!("a claim with the tampered proof was not refused: {other:?}"),
    }
    assert_eq!(client.balance(&owner_x).await?, before);
    let claimed = client
        .smart_query(
            &ep.rewards,
            &json!({"claimed": {"epoch": epoch, "device_id": device_x}}),
        )
        .await?;
    assert_eq!(claimed["claimed"], false, "{claimed}");

    // The fourth operator did not report the final root: no operator reward.
    let refused = client
        .execute(
            ops[3],
            &ep.rewards,
            &json!({"claim_operator_reward": {"epoch": epoch}}),
            0,
        )
        .await;
    match refused {
        Err(TxError::Simulate(log)) => assert!(log.contains("did not report the final root"), "{log}"),
        other => bail!("the minority operator's reward was not refused: {other:?}"),
    }

    // Every honest daemon serves the same proofs; owner k's devices are claimed with honest daemon k's proofs (the
    // last one is the restarted process), each owner's devices in one batch.
    let mut batches: HashMap<String, Vec<Value>> = HashMap::new();
    let mut owed: HashMap<String, u128> = HashMap::new();
    for d in &fleet.devices {
        let id = d.device_id.context("device id")?;
        let mut served = Vec::new();
        for url in &honest_urls {
            served.push(proof(url, epoch, id).await?);
        }
        assert!(
            served.iter().all(|p| *p == served[0]),
            "daemons disagree on device {id}'s proof"
        );
        let owner = d.owner.context("owner")? as usize;
        let p = &served[(owner + 1) % served.len()];
        assert_eq!(p["root"].as_str(), Some(honest_root.as_str()));
        let addr = p["owner"].as_str().context("owner")?.to_string();
        *owed.entry(addr.clone()).or_default() += p["amount"].as_str().context("amount")?.parse::<u128>()?;
        batches.entry(addr).or_default().push(claim_item(p));
    }
    assert_eq!(batches.len(), OWNERS as usize);
    for (owner, claims) in batches {
        let before = client.balance(&owner).await?;
        client
            .execute(claimer, &ep.rewards, &json!({"claim": {"claims": claims}}), 0)
            .await?;
        assert_eq!(client.balance(&owner).await?, before + owed[&owner], "{owner}");
    }
    let claimed = client
        .smart_query(
            &ep.rewards,
            &json!({"claimed": {"epoch": epoch, "device_id": device_x}}),
        )
        .await?;
    assert_eq!(claimed["amount"], honest_x.to_string(), "{claimed}");

    // An honest operator (the restarted daemon's) is paid its share.
    let before = client.balance(ops[2].address.as_ref()).await?;
    let tx = client
        .execute(
            ops[2],
            &ep.rewards,
            &json!({"claim_operator_reward": {"epoch": epoch}}),
            0,
        )
        .await?;
    let reward: u128 = tx.attribute("wasm", "amount").context("reward amount")?.parse()?;
    assert!(reward > 0);
    assert_eq!(client.balance(ops[2].address.as_ref()).await?, before + reward - tx.fee);
    eprintln!(
        "[{:>5.1?}] owners paid {:?}; operator reward {reward}",
        started.elapsed(),
        owed.values().collect::<Vec<_>>()
    );
    Ok(())
}

/// What streaming did.
struct Traffic {
    records: u64,
    frames: u64,
    /// Each device's last report.
    last: HashMap<u64, SignedTelemetry>,
    kill_frame_records: usize,
    answer_before_kill: Option<String>,
    restart_took: Duration,
    /// `accepted` (the batch died with the daemon) or `duplicate` (it was stored, only the answer was lost).
    resent_as: String,
    honest_urls: Vec<String>,
}

/// Streams the fleet's reports for `epoch` until 3 s before its end, one frame per second to every daemon. Halfway
/// through, the process daemon is SIGKILLed with that second's frame in flight, restarted, and sent the frame again.
async fn stream(
    fleet: &Fleet,
    ctx: RunContext,
    epoch: u64,
    epoch_end: u64,
    start: u64,
    honest: Daemons<'_>,
    tampered: &OracleDaemon,
) -> Result<Traffic> {
    let mut scheduler = Scheduler::new(fleet, ctx.clone(), start)?;
    let stop_at = epoch_end - 3;
    let kill_at = start + (stop_at - start) / 2;
    let honest_urls = honest.urls();
    let process_url = honest.process.url.clone();
    let mut t = Traffic {
        records: 0,
        frames: 0,
        last: HashMap::new(),
        kill_frame_records: 0,
        answer_before_kill: None,
        restart_took: Duration::ZERO,
        resent_as: String::new(),
        honest_urls: honest_urls.clone(),
    };
    let mut killed = false;
    loop {
        let now = unix_now();
        if now >= stop_at {
            break;
        }
        let mut out = Vec::new();
        scheduler.poll(now, usize::MAX, &mut out)?;
        let mut builder = FrameBuilder::new(Wire::Binary, 1000);
        for e in &out {
            assert_eq!(e.signed.report.epoch, epoch);
            builder.push(e, &ctx)?;
            t.last.insert(e.signed.report.device_id, e.signed.clone());
        }
        if let Some(frame) = builder.take()? {
            t.records += frame.kinds.len() as u64;
            t.frames += 1;
            let mut urls: Vec<&str> = honest_urls.iter().map(String::as_str).collect();
            urls.push(&tampered.url);
            // A batch of several devices' reports, unless time runs short.
            if !killed && now >= kill_at && (frame.kinds.len() >= 3 || now >= kill_at + 5) {
                killed = true;
                urls.retain(|u| *u != process_url);
                t.kill_frame_records = frame.kinds.len();
                t.answer_before_kill =
                    honest
                        .process
                        .kill9_during_request(frame.wire.path(), frame.wire.content_type(), &frame.body)?;
                t.restart_took = honest.process.restart().await?;
                let answers = post_frame(process_url.clone(), frame.clone()).await?;
                // One store transaction per batch: all of it was stored before the kill, or none of it.
                let statuses: BTreeSet<&str> = answers.iter().map(|a| a.status.as_str()).collect();
                assert!(
                    statuses.len() == 1 && (statuses.contains("accepted") || statuses.contains("duplicate")),
                    "re-sent batch: {answers:?}"
                );
                t.resent_as = statuses.into_iter().next().unwrap_or_default().to_string();
            }
            // Concurrently, as the simulator sends to several daemons.
            let sends: Vec<_> = urls
                .iter()
                .map(|u| tokio::spawn(post_frame(u.to_string(), frame.clone())))
                .collect();
            for (url, send) in urls.iter().zip(sends) {
                let items = send.await??;
                assert_eq!(items.len(), frame.kinds.len(), "{url}");
                for a in items {
                    assert_eq!(a.status, "accepted", "{url}: {a:?}");
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    anyhow::ensure!(killed, "the epoch ended before the kill");
    Ok(t)
}

/// POSTs a frame as the simulator does; the per-item answers.
async fn post_frame(base: String, frame: Frame) -> Result<Vec<ItemAnswer>> {
    let url = format!("{base}{}", frame.wire.path());
    let (status, body) = oracles::post_bytes(url, frame.wire.content_type(), frame.body.to_vec()).await?;
    parse_answer(status, &body).map_err(|e| anyhow::anyhow!("{base}: {e}"))
}

async fn telemetry_records(url: &str) -> Result<u64> {
    let (code, status) = oracles::get_json(format!("{url}/v1/status")).await?;
    assert_eq!(code, 200, "{status}");
    status["store"]["telemetry_records"]
        .as_u64()
        .context("telemetry_records")
}

async fn epoch_view(url: &str, epoch: u64) -> Result<Value> {
    let (code, view) = oracles::get_json(format!("{url}/v1/epochs/{epoch}")).await?;
    assert_eq!(code, 200, "{url}: {view}");
    Ok(view)
}

async fn proof(url: &str, epoch: u64, device: u64) -> Result<Value> {
    let (code, proof) = oracles::get_json(format!("{url}/v1/epochs/{epoch}/proof/{device}")).await?;
    assert_eq!(code, 200, "{url}: {proof}");
    Ok(proof)
}

/// The rewards contract's claim item for a daemon-served proof.
fn claim_item(p: &Value) -> Value {
    json!({
        "epoch": p["epoch"], "device_id": p["device_id"], "owner": p["owner"],
        "amount": p["amount"], "proof": p["proof"],
    })
}

/// Gas used by a daemon's report transaction (`?` when the daemon found its report on chain rather than
/// confirming its own broadcast, and so has no hash).
async fn report_gas(url: &str, epoch: u64, rpc_url: &str) -> Result<String> {
    // The daemon records the outcome right after the block; the hub may show the report a moment earlier.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let report = epoch_view(url, epoch).await?["report"].clone();
        if report["status"] == "submitted" {
            return match report["tx_hash"].as_str() {
                Some(hash) => Ok(tx_gas(rpc_url, hash).await?.to_string()),
                None => Ok("?".into()),
            };
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{url}: report of epoch {epoch} not submitted: {report}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Gas used by a committed transaction, from the node's `/tx` RPC.
async fn tx_gas(rpc_url: &str, hash: &str) -> Result<u64> {
    let (code, tx) = oracles::get_json(format!("{}/tx?hash=0x{hash}", rpc_url.trim_end_matches('/'))).await?;
    anyhow::ensure!(code == 200, "tx {hash}: {tx}");
    let gas = &tx["result"]["tx_result"]["gas_used"];
    gas.as_str()
        .and_then(|g| g.parse().ok())
        .or_else(|| gas.as_u64())
        .with_context(|| format!("tx {hash}: {tx}"))
}

async fn sleep_until(unix: u64) {
    tokio::time::sleep(Duration::from_secs(unix.saturating_sub(unix_now()))).await;
}

fn unix_now() -> u64 {
    edgemint_sim::run::unix_now()
}
