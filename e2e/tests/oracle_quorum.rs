//! Three independent oracle daemons (in-process, each with its own SQLite store and operator key) receive the same
//! device telemetry, each computes the same epoch root and reports it; the hub reaches quorum, the epoch finalises,
//! and an owner claims with the proof served by one daemon's HTTP API.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use e2e::contracts::{self, CoreParams, Device, EMC};
use e2e::epochs::{self, EpochParams};
use e2e::oracles::{self, DaemonSettings, OracleDaemon};
use e2e::TestNet;
use edgemint_device_sdk::TelemetryReport;
use serde_json::{json, Value};

const EPOCH_LENGTH: u64 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_daemons_compute_the_same_root_and_an_owner_claims() -> Result<()> {
    let started = Instant::now();
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let chain_id = net.net.chain_id.clone();
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let (_, maker) = contracts::funded_account(&net, &client, "maker", 100 * EMC).await?;
    let (_, alice) = contracts::funded_account(&net, &client, "alice-oq", 300 * EMC).await?;
    let (_, bob) = contracts::funded_account(&net, &client, "bob-oq", 300 * EMC).await?;
    let core_params = CoreParams::default();
    let core = contracts::deploy_core(
        &client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &core_params,
    )
    .await?;

    // Two devices, activated and staked with the minimum: eligible to mine (the daemons require it).
    let devices = [Device::new_ed25519(), Device::new_secp256k1()];
    let regs: Vec<_> = devices
        .iter()
        .map(|d| d.registration("cam", &chain_id, &core.registry, maker.address.as_ref()))
        .collect();
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_devices": {"devices": regs}}),
            0,
        )
        .await?;
    let ids = contracts::registered_ids(&out);
    assert_eq!(ids.len(), 2);
    let owners = [&alice, &bob];
    for (i, owner) in owners.iter().enumerate() {
        contracts::activate(&client, &core.registry, owner, ids[i], &devices[i]).await?;
        let stake = json!({"stake": {"device_id": ids[i]}});
        client
            .execute(owner, &core.staking, &stake, core_params.min_stake)
            .await?;
    }
    let params = EpochParams {
        epoch_length: EPOCH_LENGTH,
        ..EpochParams::default()
    };
    let mut op_keys = Vec::new();
    for name in ["oq-op1", "oq-op2", "oq-op3"] {
        op_keys.push(contracts::funded_account(&net, &client, name, params.min_bond + 100 * EMC).await?);
    }

    // The epoch running at the hub's deployment ends ~58 s later.
    let params = EpochParams {
        genesis_offset_secs: 5 * EPOCH_LENGTH + 2,
        ..params
    };
    let ep = epochs::deploy(&client, &deployer, &pool_holder, &core, &params).await?;
    for (_, op) in &op_keys {
        epochs::add_operator(&client, &deployer, &ep.hub, op, params.min_bond).await?;
    }

    let settings = DaemonSettings {
        timestamp_window_secs: 5,
        grace_secs: 1,
        require_mining_eligibility: true,
    };
    let rpc = net.net.nodes[0].rpc_url();
    let mut daemons = Vec::new();
    for (key, _) in &op_keys {
        daemons.push(OracleDaemon::start(&client, &rpc, &chain_id, &core, &ep, key, &settings).await?);
    }
    let result = run(&client, &daemons, &ep, &ids, &devices, &alice, &chain_id, &params).await;
    for d in &mut daemons {
        d.stop().await?;
    }
    result?;
    eprintln!("oracle_quorum took {:?}", started.elapsed());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn run(
    client: &e2e::ChainClient,
    daemons: &[OracleDaemon],
    ep: &epochs::Epochs,
    ids: &[u64],
    devices: &[Device; 2],
    alice: &chain_config::client::Signer,
    chain_id: &str,
    params: &EpochParams,
) -> Result<()> {
    // The daemons' view of the hub's timing picks the epoch the telemetry belongs to.
    let (code, status) = daemons[0].get("/v1/status").await?;
    assert_eq!(code, 200, "{status}");
    let genesis_secs = status["epoch_timing"]["genesis_nanos"]
        .as_u64()
        .or_else(|| status["epoch_timing"]["genesis_nanos"].as_str()?.parse().ok())
        .context("genesis_nanos")?
        / 1_000_000_000;
    let now = unix_now();
    let mut epoch = (now - genesis_secs) / EPOCH_LENGTH;
    if genesis_secs + (epoch + 1) * EPOCH_LENGTH < now + 12 {
        // Too little of this epoch is left: use the next one.
        epoch += 1;
        tokio::time::sleep(Duration::from_secs(genesis_secs + epoch * EPOCH_LENGTH + 2 - now)).await;
    }
    let epoch_start = genesis_secs + epoch * EPOCH_LENGTH;
    let epoch_end = epoch_start + EPOCH_LENGTH;
    eprintln!(
        "telemetry for epoch {epoch}, which ends in {} s",
        epoch_end - unix_now()
    );

    // Each device sends two cumulative reports to every daemon.
    let counters = [(12, 40), (3, 9)];
    for seq in 1..=2u64 {
        for (i, device) in devices.iter().enumerate() {
            let ts = unix_now();
            let (tasks, interactions) = counters[i];
            let report = TelemetryReport {
                device_id: ids[i],
                sequence: seq,
                timestamp: ts,
                epoch,
                uptime_secs: (ts - epoch_start).saturating_sub(1),
                tasks_completed: tasks * seq,
                interactions: interactions * seq,
                receipts_hash: None,
            };
            let body = oracles::signed_report(device, chain_id, report)?;
            for d in daemons {
                let (code, resp) = d.post_json("/v1/telemetry", body.clone()).await?;
                assert_eq!(code, 200, "daemon {} rejected device {}: {resp}", d.url, ids[i]);
                assert_eq!(resp["status"], "accepted", "{resp}");
            }
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }

    // Each daemon computes the epoch after its end (+ window + grace) and reports; all three reporters land.
    let deadline = Instant::now() + Duration::from_secs(epoch_end.saturating_sub(unix_now()) + 90);
    let hub_status = loop {
        let s = epochs::epoch_status(client, &ep.hub, epoch).await?;
        let reporters = s["reporters"].as_array().map(Vec::len).unwrap_or(0);
        if reporters == 3 && (s["status"] == "accepted" || s["status"] == "final") {
            break s;
        }
        if Instant::now() > deadline {
            let mut views = Vec::new();
            for d in daemons {
                views.push(d.get("/v1/status").await?.1);
            }
            anyhow::bail!("epoch {epoch} not reported by all three: hub {s}; daemons {views:?}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let hub_root = hub_status["root"].as_str().context("hub root")?.to_string();

    let mut views: Vec<Value> = Vec::new();
    for d in daemons {
        let (code, view) = d.get(&format!("/v1/epochs/{epoch}")).await?;
        assert_eq!(code, 200, "{view}");
        views.push(view);
    }
    for v in &views {
        assert_eq!(v["root"].as_str(), Some(hub_root.as_str()), "daemon root vs hub: {v}");
        assert_eq!(v["device_count"], 2, "{v}");
        assert_eq!(v["telemetry_commitment"], views[0]["telemetry_commitment"]);
        assert_eq!(v["leaves"], views[0]["leaves"]);
    }

    // After the challenge window, Alice claims with the proof served by the second daemon.
    tokio::time::sleep(Duration::from_secs(params.challenge_window + 2)).await;
    assert_eq!(epochs::epoch_status(client, &ep.hub, epoch).await?["status"], "final");
    let (code, proof) = daemons[1].get(&format!("/v1/epochs/{epoch}/proof/{}", ids[0])).await?;
    assert_eq!(code, 200, "{proof}");
    assert_eq!(proof["root"].as_str(), Some(hub_root.as_str()));
    assert_eq!(proof["owner"], alice.address.to_string());
    let amount: u128 = proof["amount"].as_str().context("amount")?.parse()?;
    assert!(amount > 0);
    let item = json!({
        "epoch": proof["epoch"], "device_id": proof["device_id"], "owner": proof["owner"],
        "amount": proof["amount"], "proof": proof["proof"],
    });
    let before = client.balance(alice.address.as_ref()).await?;
    let tx = client
        .execute(alice, &ep.rewards, &json!({"claim": {"claims": [item]}}), 0)
        .await?;
    assert_eq!(client.balance(alice.address.as_ref()).await?, before + amount - tx.fee);
    Ok(())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
