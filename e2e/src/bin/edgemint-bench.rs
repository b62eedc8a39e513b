//! `make bench`: gas used by the contracts' main operations on a real localnet (one validator, fresh temp dir).
//! Figures are printed, not asserted: gas is deterministic for a given contract build, so a change shows up here.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine;
use chain_config::client::{ChainClient, Signer};
use e2e::contracts::{self, Core, CoreParams, Device, EMC};
use e2e::epochs::{self, EpochParams, Report};
use e2e::TestNet;
use edgemint_types::telemetry::TelemetryReport;
use rewards_core::{build_tree, Leaf, Tree};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let started = Instant::now();
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = client.signer(net.account("deployer")?)?;
    let (_, maker) = contracts::funded_account(&net, &client, "maker", 10_000 * EMC).await?;
    let (_, owner) = contracts::funded_account(&net, &client, "owner", 10_000 * EMC).await?;
    let pool = net.account("mining-pool")?.address.clone();
    let params = CoreParams {
        min_stake: 100 * EMC,
        unbonding_secs: 5,
    };
    let core = contracts::deploy_core(&client, &deployer, maker.address.as_ref(), &pool, &params).await?;
    let mut rows: Vec<(String, i64)> = Vec::new();

    let ed = Device::new_ed25519();
    let secp = Device::new_secp256k1();
    let chain_id = net.net.chain_id.clone();
    let reg = |d: &Device, model: &str| d.registration(model, &chain_id, &core.registry, maker.address.as_ref());
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_device": {"device": reg(&ed, "cam")}}),
            0,
        )
        .await?;
    let ed_id = contracts::registered_ids(&out)[0];
    rows.push(("register 1 device".into(), out.gas_used));
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_device": {"device": reg(&secp, "bot")}}),
            0,
        )
        .await?;
    let secp_id = contracts::registered_ids(&out)[0];

    let batch: Vec<_> = (0..100)
        .map(|i| reg(&Device::new_ed25519(), &format!("batch-{i}")))
        .collect();
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_devices": {"devices": batch}}),
            0,
        )
        .await?;
    rows.push(("register batch of 100".into(), out.gas_used));
    rows.push(("  per device in the batch".into(), out.gas_used / 100));

    let out = contracts::activate(&client, &core.registry, &owner, ed_id, &ed).await?;
    rows.push(("activate (ed25519)".into(), out.gas_used));
    let out = contracts::activate(&client, &core.registry, &owner, secp_id, &secp).await?;
    rows.push(("activate (secp256k1)".into(), out.gas_used));

    let out = client
        .execute(
            &owner,
            &core.staking,
            &json!({"stake": {"device_id": ed_id}}),
            200 * EMC,
        )
        .await?;
    rows.push(("stake".into(), out.gas_used));
    let unstake = json!({"unstake": {"device_id": ed_id, "amount": (50 * EMC).to_string()}});
    let out = client.execute(&owner, &core.staking, &unstake, 0).await?;
    rows.push(("unstake (starts unbonding)".into(), out.gas_used));
    let out = client
        .execute(&owner, &core.staking, &json!({"lock": {"tier_id": 1}}), 10 * EMC)
        .await?;
    rows.push(("lock (tier 1)".into(), out.gas_used));
    tokio::time::sleep(Duration::from_secs(params.unbonding_secs + 1)).await;
    let out = client.execute(&owner, &core.staking, &json!({"claim": {}}), 0).await?;
    rows.push(("claim (1 matured entry)".into(), out.gas_used));

    // Moving a staked device's NFT: the registry notifies staking, which moves the seller's stake to unbonding.
    client
        .execute(
            &owner,
            &core.staking,
            &json!({"stake": {"device_id": secp_id}}),
            100 * EMC,
        )
        .await?;
    let buyer = chain_config::keys::KeyInfo::generate("buyer", client.prefix(), 118)?;
    let transfer = json!({"transfer_nft": {"recipient": buyer.address, "token_id": secp_id.to_string()}});
    let out = client.execute(&owner, &core.registry, &transfer, 0).await?;
    rows.push((
        "transfer_nft of a staked device (owner_changed hook)".into(),
        out.gas_used,
    ));

    let batch_ids: Vec<u64> = (secp_id + 1..secp_id + 101).collect();
    let ep = epoch_rows(
        &net,
        &client,
        &deployer,
        &core,
        &owner,
        (ed_id, &ed),
        &batch_ids,
        &mut rows,
    )
    .await?;
    dao_rows(&net, &client, &deployer, &core, &ep, &owner, &mut rows).await?;

    println!(
        "gas used on {} (edgemintd, one validator), contracts from artifacts/:",
        net.net.chain_id
    );
    for (name, gas) in &rows {
        println!("  {name:<58} {gas:>10}");
    }
    println!("(bench took {:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

/// Reports (the quorum-reaching one reserves the epoch: that is finalisation), claims against trees of 10^3 and 10^6
/// leaves, a batch claim of 50, and device equivocation evidence.
#[allow(clippy::too_many_arguments)]
async fn epoch_rows(
    net: &TestNet,
    client: &ChainClient,
    deployer: &Signer,
    core: &Core,
    owner: &Signer,
    device: (u64, &Device),
    batch_ids: &[u64],
    rows: &mut Vec<(String, i64)>,
) -> Result<epochs::Epochs> {
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let params = EpochParams::default();
    let ep = epochs::deploy(client, deployer, &pool_holder, core, &params).await?;
    let mut ops = Vec::new();
    for name in ["op1", "op2", "op3"] {
        let (_, op) = contracts::funded_account(net, client, name, params.min_bond + 100 * EMC).await?;
        epochs::add_operator(client, deployer, &ep.hub, &op, params.min_bond).await?;
        ops.push(op);
    }
    let owners: Vec<String> = (0..7)
        .map(|i| chain_config::keys::KeyInfo::generate(&format!("o{i}"), client.prefix(), 118).map(|k| k.address))
        .collect::<Result<_, _>>()?;
    let (device_id, dev) = device;

    // Epoch 0: 10^2 leaves; epoch 1: 10^6 leaves (the real device first); epoch 2: 10^3 leaves with the batch.
    let mut trees: Vec<Tree> = Vec::new();
    for (epoch, n) in [(0u64, 100u64), (1, 1_000_000), (2, 1_000)] {
        let budget: u128 = client
            .smart_query(&ep.rewards, &json!({"epoch_budget": {"epoch": epoch}}))
            .await?["device_budget"]
            .as_str()
            .context("device_budget")?
            .parse()?;
        let amount = budget / u128::from(n);
        let mut leaves = Vec::with_capacity(n as usize);
        leaves.push(Leaf::new(epoch, device_id, owner.address.to_string(), amount));
        for (i, id) in batch_ids.iter().enumerate().take(if epoch == 2 { 50 } else { 0 }) {
            leaves.push(Leaf::new(epoch, *id, owners[i % owners.len()].clone(), amount));
        }
        let mut synthetic = 10_000_000u64;
        while (leaves.len() as u64) < n {
            leaves.push(Leaf::new(
                epoch,
                synthetic,
                owners[(synthetic % 7) as usize].clone(),
                amount,
            ));
            synthetic += 1;
        }
        let tree = build_tree(&leaves)?;
        let report = Report {
            epoch,
            root: tree.root(),
            total: amount * u128::from(n),
            device_count: n,
            commitment: [7u8; 32],
        };
        for (i, op) in ops.iter().enumerate() {
            let out = epochs::submit_report(client, &ep.hub, op, &report).await?;
            let what = [
                "first report (freezes the budget)",
                "quorum report (settles: finalisation)",
                "third report",
            ][i];
            rows.push((format!("{what}, {n} devices"), out.gas_used));
        }
        trees.push(tree);
    }
    tokio::time::sleep(Duration::from_secs(params.challenge_window + 2)).await;

    for (tree, label) in [(&trees[2], "10^3"), (&trees[1], "10^6")] {
        let epoch = tree.epoch().context("epoch")?;
        let leaf = Leaf::new(epoch, device_id, owner.address.to_string(), 0);
        let amount = leaf_amount(tree, &ep, client, epoch).await?;
        let leaf = Leaf {
            amount: amount.into(),
            ..leaf
        };
        let item = epochs::claim_item(tree, &leaf)?;
        let out = client
            .execute(owner, &ep.rewards, &json!({"claim": {"claims": [item]}}), 0)
            .await?;
        rows.push((
            format!("claim, tree of {label} leaves (depth {})", tree.depth()),
            out.gas_used,
        ));
    }
    let amount = leaf_amount(&trees[2], &ep, client, 2).await?;
    let items = batch_ids
        .iter()
        .take(50)
        .enumerate()
        .map(|(i, id)| epochs::claim_item(&trees[2], &Leaf::new(2, *id, owners[i % owners.len()].clone(), amount)))
        .collect::<Result<Vec<_>>>()?;
    let out = client
        .execute(owner, &ep.rewards, &json!({"claim": {"claims": items}}), 0)
        .await?;
    rows.push(("batch claim of 50 (7 owners)".into(), out.gas_used));

    // The device signs two different reports with one sequence number; anyone submits them.
    let report = |uptime| TelemetryReport {
        device_id,
        sequence: 9,
        timestamp: 1_800_000_000,
        epoch: 5,
        uptime_secs: uptime,
        tasks_completed: 1,
        interactions: 1,
        receipts_hash: None,
    };
    let (a, b) = (
        report(60).encode(&net.net.chain_id)?,
        report(600).encode(&net.net.chain_id)?,
    );
    let b64 = |v: &[u8]| base64::engine::general_purpose::STANDARD.encode(v);
    let evidence = json!({"submit_device_evidence": {
        "report_a": b64(&a), "signature_a": b64(&dev.sign(&a)), "report_b": b64(&b), "signature_b": b64(&dev.sign(&b)),
    }});
    let out = client.execute(&ops[0], &ep.hub, &evidence, 0).await?;
    rows.push(("device equivocation evidence (slash + ban)".into(), out.gas_used));
    Ok(ep)
}

/// The DAO over the bench's staking contract, owning its rewards contract: propose (with a deposit), votes (the
/// first, and the one that decides), execute of a rewards parameter change, of a text proposal, and of a proposal
/// whose message fails (recorded by the reply).
async fn dao_rows(
    net: &TestNet,
    client: &ChainClient,
    deployer: &Signer,
    core: &Core,
    ep: &epochs::Epochs,
    owner: &Signer,
    rows: &mut Vec<(String, i64)>,
) -> Result<()> {
    use e2e::dao::{self, wasm_execute};
    let (dao_code, _) = client
        .store_code(deployer, std::fs::read(e2e::artifact("dao")?)?)
        .await?;
    let init = json!({"denom": "uemc", "excluded": [], "config": {
        "staking": core.staking,
        "threshold": {"threshold_quorum": {"threshold": "0.5", "quorum": "0.334"}},
        "voting_period": 600, "min_proposer_power": "1",
        "deposit": {"amount": (10 * EMC).to_string(), "refund_policy": "only_passed"},
        "allow_revote": false, "veto": null, "veto_threshold": "0.334"}});
    let (dao_addr, _) = client.instantiate(deployer, dao_code, "dao", &init).await?;
    let transfer = json!({"update_ownership": {"transfer_ownership": {"new_owner": dao_addr, "expiry": null}}});
    client.execute(deployer, &ep.rewards, &transfer, 0).await?;
    let out = client
        .execute(
            deployer,
            &dao_addr,
            &json!({"accept_ownership": {"contract": ep.rewards}}),
            0,
        )
        .await?;
    rows.push(("dao accept_ownership (forwards accept_ownership)".into(), out.gas_used));

    // The owner holds its stake + lock; two more voters lock so that the owner's vote alone cannot decide.
    let mut voters = vec![];
    for name in ["voter1", "voter2"] {
        let (_, v) = contracts::funded_account(net, client, name, 1_000 * EMC).await?;
        client
            .execute(&v, &core.staking, &json!({"lock": {"tier_id": 1}}), 400 * EMC)
            .await?;
        voters.push(v);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;

    let change = |share: &str| wasm_execute(&ep.rewards, &json!({"update_config": {"operator_share": share}}));
    let (id, out) = dao::propose(client, &dao_addr, owner, "share", vec![change("0.07")], 10 * EMC).await?;
    rows.push(("dao propose (1 wasm msg, deposit)".into(), out.gas_used));
    let out = dao::vote(client, &dao_addr, owner, id, "yes").await?;
    rows.push(("dao vote (first)".into(), out.gas_used));
    dao::vote(client, &dao_addr, &voters[0], id, "yes").await?;
    let out = dao::vote(client, &dao_addr, &voters[1], id, "yes").await?;
    rows.push(("dao vote (decides: passed)".into(), out.gas_used));
    let out = dao::execute(client, &dao_addr, owner, id).await?;
    rows.push(("dao execute (rewards update_config, refund)".into(), out.gas_used));
    let share = client.smart_query(&ep.rewards, &json!({"config": {}})).await?["operator_share"].clone();
    anyhow::ensure!(share == "0.07", "the proposal did not change operator_share: {share}");

    let (id, out) = dao::propose(client, &dao_addr, owner, "text", vec![], 10 * EMC).await?;
    rows.push(("dao propose (text, no msgs)".into(), out.gas_used));
    for v in [owner, &voters[0], &voters[1]] {
        dao::vote(client, &dao_addr, v, id, "yes").await?;
    }
    let out = dao::execute(client, &dao_addr, owner, id).await?;
    rows.push(("dao execute (text)".into(), out.gas_used));

    let bank = json!({"bank": {"send": {"to_address": owner.address.to_string(),
        "amount": [{"denom": "uemc", "amount": (1_000_000_000 * EMC).to_string()}]}}});
    let (id, _) = dao::propose(client, &dao_addr, owner, "fails", vec![bank], 10 * EMC).await?;
    for v in [owner, &voters[0], &voters[1]] {
        dao::vote(client, &dao_addr, v, id, "yes").await?;
    }
    let out = dao::execute(client, &dao_addr, owner, id).await?;
    rows.push(("dao execute (message fails, recorded)".into(), out.gas_used));
    let status = dao::proposal(client, &dao_addr, id).await?["status"].clone();
    anyhow::ensure!(status == "execution_failed", "unexpected status {status}");
    Ok(())
}

/// Every leaf of a bench tree has the same amount: the epoch's device budget / leaf count.
async fn leaf_amount(tree: &Tree, ep: &epochs::Epochs, client: &ChainClient, epoch: u64) -> Result<u128> {
    let budget: u128 = client
        .smart_query(&ep.rewards, &json!({"epoch_budget": {"epoch": epoch}}))
        .await?["device_budget"]
        .as_str()
        .context("device_budget")?
        .parse()?;
    Ok(budget / tree.len() as u128)
}
