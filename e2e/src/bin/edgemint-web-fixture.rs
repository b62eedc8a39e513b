//! `edgemint-web-fixture`: the real chain state the web dApp's browser tests run against. Starts a one-validator
//! localnet in a temp dir, deploys registry, staking, oracle hub and rewards (and the DAO when `artifacts/dao.wasm`
//! exists), gives a test user three devices (two staked), a lock-up, and one epoch made final by a real oracle daemon
//! (in-process, serving proofs over HTTP), then writes a JSON description for the tests and keeps everything running
//! until SIGTERM/SIGINT or until its stdin closes (so a test runner that dies takes the fixture with it). Nodes are
//! stopped by pid on the way out.
//!
//! Usage: `edgemint-web-fixture --out fixture.json`

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chain_config::client::{ChainClient, Signer};
use e2e::contracts::{self, CoreParams, Device, EMC};
use e2e::epochs::{self, EpochParams};
use e2e::oracles::{self, DaemonSettings, OracleDaemon, Target};
use e2e::TestNet;
use edgemint_device_sdk::TelemetryReport;
use serde_json::{json, Value};

const EPOCH_LENGTH: u64 = 60;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let out = match (args.next().as_deref(), args.next()) {
        (Some("--out"), Some(path)) => std::path::PathBuf::from(path),
        _ => bail!("usage: edgemint-web-fixture --out fixture.json"),
    };
    let started = Instant::now();
    let net = TestNet::start(1).await?;
    let mut daemon = None;
    let result = setup(&net, &out, started, &mut daemon).await;
    if let Err(e) = &result {
        eprintln!("web fixture: setup failed: {e:#}");
    } else {
        wait_for_stop().await;
    }
    if let Some(d) = daemon.as_mut() {
        d.stop().await?;
    }
    let _ = std::fs::remove_file(&out);
    drop(net);
    result
}

/// Returns on SIGTERM, SIGINT or end of stdin.
async fn wait_for_stop() {
    use tokio::signal::unix::{signal, SignalKind};
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = rx => {}
    }
}

async fn setup(
    net: &TestNet,
    out: &std::path::Path,
    started: Instant,
    daemon: &mut Option<OracleDaemon>,
) -> Result<()> {
    let client = net.client(0)?;
    let chain_id = net.net.chain_id.clone();
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let (_, maker) = contracts::funded_account(net, &client, "maker", 100 * EMC).await?;
    let (user_key, user) = contracts::funded_account(net, &client, "web-user", 20_000 * EMC).await?;
    let (_, other) = contracts::funded_account(net, &client, "web-other", 5_000 * EMC).await?;
    let core_params = CoreParams::default();
    let core = contracts::deploy_core(
        &client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &core_params,
    )
    .await?;
    eprintln!("web fixture: core deployed after {:?}", started.elapsed());

    // Three devices for the user: two staked (they mine), one activated but not staked (it does not).
    let devices = [Device::new_ed25519(), Device::new_secp256k1(), Device::new_ed25519()];
    let regs: Vec<_> = devices
        .iter()
        .zip(["camera", "speaker", "robot"])
        .map(|(d, model)| d.registration(model, &chain_id, &core.registry, maker.address.as_ref()))
        .collect();
    let registered = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_devices": {"devices": regs}}),
            0,
        )
        .await?;
    let ids = contracts::registered_ids(&registered);
    anyhow::ensure!(ids.len() == devices.len(), "registered {ids:?}");
    for (id, device) in ids.iter().zip(&devices) {
        contracts::activate(&client, &core.registry, &user, *id, device).await?;
    }
    for id in &ids[..2] {
        let stake = json!({"stake": {"device_id": id}});
        client
            .execute(&user, &core.staking, &stake, core_params.min_stake)
            .await?;
    }
    // A lock-up in tier 1 (3 months, 1.25x) for the user and one for the other voter.
    client
        .execute(&user, &core.staking, &json!({"lock": {"tier_id": 1}}), 1_000 * EMC)
        .await?;
    client
        .execute(&other, &core.staking, &json!({"lock": {"tier_id": 2}}), 2_000 * EMC)
        .await?;

    // Hub and rewards; the epoch running at deployment ends ~35 s later. One operator suffices here.
    let params = EpochParams {
        epoch_length: EPOCH_LENGTH,
        genesis_offset_secs: 5 * EPOCH_LENGTH + 25,
        ..EpochParams::default()
    };
    let (op_key, op) = contracts::funded_account(net, &client, "web-op", params.min_bond + 100 * EMC).await?;
    let ep = epochs::deploy(&client, &deployer, &pool_holder, &core, &params).await?;
    client
        .execute(&deployer, &ep.hub, &json!({"update_config": {"min_operators": 1}}), 0)
        .await?;
    epochs::add_operator(&client, &deployer, &ep.hub, &op, params.min_bond).await?;
    let settings = DaemonSettings {
        timestamp_window_secs: 5,
        grace_secs: 1,
        require_mining_eligibility: true,
    };
    let rpc = net.net.nodes[0].rpc_url();
    let target = Target {
        client: &client,
        rpc_url: rpc,
        chain_id: chain_id.clone(),
        core: &core,
        epochs: &ep,
    };
    let d = OracleDaemon::start(&target, &op_key, &settings).await?;
    let oracle_url = d.url.clone();
    *daemon = Some(d);
    let d = daemon.as_ref().context("daemon")?;
    eprintln!(
        "web fixture: hub, rewards and oracle daemon up after {:?}",
        started.elapsed()
    );

    let dao = deploy_dao(net, &client, &deployer, &core.staking, &user, &other).await?;

    let epoch = run_epoch(
        &client,
        d,
        &ep,
        &ids[..2],
        &devices[..2],
        &chain_id,
        params.challenge_window,
    )
    .await?;
    eprintln!("web fixture: epoch {epoch} final after {:?}", started.elapsed());

    let node = &net.net.nodes[0];
    let chain_info: Value = serde_json::from_str(
        &std::fs::read_to_string(net.net.dir.join("registry/keplr-chain-info.json")).context("keplr chain info")?,
    )?;
    let fixture = json!({
        "chain_id": chain_id,
        "rpc": node.rpc_url(),
        "rest": node.rest_url(),
        "chain_info": chain_info,
        "contracts": {
            "registry": core.registry, "staking": core.staking, "hub": ep.hub, "rewards": ep.rewards,
            "dao": dao.as_ref().map(|d| d.address.clone()),
        },
        "oracle_url": oracle_url,
        "user": {"address": user.address.to_string(), "mnemonic": user_key.mnemonic},
        "other": {"address": other.address.to_string()},
        "devices": {"mining": &ids[..2], "idle": ids[2]},
        "final_epoch": epoch,
        "dao_proposal": dao.as_ref().map(|d| d.proposal_id),
        "setup_secs": started.elapsed().as_secs(),
    });
    // Written whole, then renamed: a reader never sees half a file.
    let tmp = out.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&fixture)? + "\n")?;
    std::fs::rename(&tmp, out)?;
    println!("web fixture ready: {}", out.display());
    Ok(())
}

struct Dao {
    address: String,
    proposal_id: u64,
}

/// The DAO, if its artifact was built (`make wasm` once `contracts/dao` exists): voting power from staking, a funded
/// treasury, and two open proposals by the other voter for the browser test to vote on: an ordinary one, and one whose
/// title and description carry HTML that the dApp must show as text.
async fn deploy_dao(
    net: &TestNet,
    client: &ChainClient,
    deployer: &Signer,
    staking: &str,
    user: &Signer,
    other: &Signer,
) -> Result<Option<Dao>> {
    let Ok(wasm) = e2e::artifact("dao") else {
        eprintln!("web fixture: artifacts/dao.wasm missing, no DAO deployed");
        return Ok(None);
    };
    let (code, _) = client.store_code(deployer, std::fs::read(wasm)?).await?;
    let init = json!({
        "denom": client.denom().to_string(), "excluded": [],
        "config": {
            "staking": staking,
            "threshold": {"threshold_quorum": {"threshold": "0.5", "quorum": "0.2"}},
            "voting_period": 1800, "min_proposer_power": "1000000",
            "deposit": {"amount": (10 * EMC).to_string(), "refund_policy": "always"},
            // Revotes keep a proposal open until its end, so the test's vote never closes it early.
            "allow_revote": true, "veto": null, "veto_threshold": "0.334",
        },
    });
    let (dao, _) = client.instantiate(deployer, code, "dao", &init).await?;
    let faucet = client.signer(net.account("faucet")?)?;
    let fund = client.bank_send(&faucet.address, &dao, 1_000 * EMC)?;
    client
        .send_tx(&faucet.key, vec![fund], chain_config::client::FeeMode::Simulate, None)
        .await?;
    let deposit = 10 * EMC;
    let propose = |title: &str, description: &str| {
        json!({"propose": {"title": title, "description": description, "msgs": [
            {"bank": {"send": {"to_address": user.address.to_string(), "amount": [{"denom": client.denom().to_string(), "amount": "1000000"}]}}}
        ]}})
    };
    let out = client
        .execute(
            other,
            &dao,
            &propose(
                "Pay 1 EMC from the treasury to the web test user",
                "A small grant, to try voting from the dApp.\nSecond line.",
            ),
            deposit,
        )
        .await?;
    let proposal_id: u64 = out
        .attribute("wasm", "proposal_id")
        .context("propose emitted no proposal_id")?
        .parse()?;
    client
        .execute(
            other,
            &dao,
            &propose(
                "<img src=x onerror=\"window.__xss=1\"><b>bold?</b>",
                "<script>window.__xss=2</script>shown as text",
            ),
            deposit,
        )
        .await?;
    Ok(Some(Dao {
        address: dao,
        proposal_id,
    }))
}

/// Sends telemetry for the epoch in progress, waits until the daemon computed and reported it, the hub accepted it
/// and its challenge window passed. Returns the epoch.
async fn run_epoch(
    client: &ChainClient,
    daemon: &OracleDaemon,
    ep: &epochs::Epochs,
    ids: &[u64],
    devices: &[Device],
    chain_id: &str,
    challenge_window: u64,
) -> Result<u64> {
    let (code, status) = daemon.get("/v1/status").await?;
    anyhow::ensure!(code == 200, "daemon status {code}: {status}");
    let genesis_secs = status["epoch_timing"]["genesis_nanos"]
        .as_u64()
        .or_else(|| status["epoch_timing"]["genesis_nanos"].as_str()?.parse().ok())
        .context("genesis_nanos")?
        / 1_000_000_000;
    let now = unix_now();
    let mut epoch = (now - genesis_secs) / EPOCH_LENGTH;
    if genesis_secs + (epoch + 1) * EPOCH_LENGTH < now + 8 {
        epoch += 1;
        tokio::time::sleep(Duration::from_secs(genesis_secs + epoch * EPOCH_LENGTH + 2 - now)).await;
    }
    let epoch_start = genesis_secs + epoch * EPOCH_LENGTH;
    let epoch_end = epoch_start + EPOCH_LENGTH;
    let counters = [(12, 40), (3, 9)];
    for seq in 1..=2u64 {
        for (i, device) in devices.iter().enumerate() {
            let ts = unix_now();
            let (tasks, interactions) = counters[i % counters.len()];
            let report = TelemetryReport {
                device_id: ids[i],
                sequence: seq,
                timestamp: ts,
                epoch,
                uptime_secs: (ts - epoch_start).saturating_sub(1).max(1),
                tasks_completed: tasks * seq,
                interactions: interactions * seq,
                receipts_hash: None,
            };
            let body = oracles::signed_report(device, chain_id, report)?;
            let (code, resp) = daemon.post_json("/v1/telemetry", body).await?;
            anyhow::ensure!(
                code == 200 && resp["status"] == "accepted",
                "telemetry refused: {code} {resp}"
            );
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(epoch_end.saturating_sub(unix_now()) + 120);
    loop {
        let s = epochs::epoch_status(client, &ep.hub, epoch).await?;
        if s["status"] == "final" {
            return Ok(epoch);
        }
        if Instant::now() > deadline {
            let view = daemon.get("/v1/status").await?.1;
            bail!("epoch {epoch} not final in time: hub {s}; daemon {view}");
        }
        let wait = if s["status"] == "accepted" {
            challenge_window.min(2)
        } else {
            1
        };
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
