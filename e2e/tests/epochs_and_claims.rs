//! Epoch rewards on the real localnet: three bonded operators report the same Merkle root computed with
//! rewards-core, the hub reaches quorum, the challenge window passes, and owners claim with proofs.

use std::time::Duration;

use anyhow::{Context, Result};
use e2e::contracts::{self, CoreParams, EMC};
use e2e::epochs::{self, EpochParams, Report};
use e2e::{TestNet, TxError};
use rewards_core::{compute_epoch, DeviceTelemetry, NoMultipliers};
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn three_operators_reach_quorum_and_owners_claim() -> Result<()> {
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = client.signer(net.account("deployer")?)?;
    let pool_holder = client.signer(net.account("mining-pool")?)?;
    let (_, maker) = contracts::funded_account(&net, &client, "maker", 100 * EMC).await?;
    let (_, alice) = contracts::funded_account(&net, &client, "alice3", 100 * EMC).await?;
    let (_, bob) = contracts::funded_account(&net, &client, "bob3", 100 * EMC).await?;
    let (_, carol) = contracts::funded_account(&net, &client, "carol3", 100 * EMC).await?;
    let core = contracts::deploy_core(
        &client,
        &deployer,
        maker.address.as_ref(),
        pool_holder.address.as_ref(),
        &CoreParams::default(),
    )
    .await?;
    let (ids, _) = contracts::devices_for(&client, &net.net.chain_id, &core.registry, &maker, &[&alice, &bob]).await?;

    let params = EpochParams::default();
    let ep = epochs::deploy(&client, &deployer, &pool_holder, &core, &params).await?;
    let mut operators = Vec::new();
    for name in ["op1", "op2", "op3"] {
        let (_, op) = contracts::funded_account(&net, &client, name, params.min_bond + 100 * EMC).await?;
        epochs::add_operator(&client, &deployer, &ep.hub, &op, params.min_bond).await?;
        operators.push(op);
    }

    // Epoch 0 ended an hour ago. Every operator computes the same leaves from the same telemetry.
    let budget = client
        .smart_query(&ep.rewards, &json!({"epoch_budget": {"epoch": 0}}))
        .await?;
    let device_budget: u128 = budget["device_budget"].as_str().context("device_budget")?.parse()?;
    assert!(device_budget > 0 && device_budget < params.epoch_emission, "{budget}");
    let telemetry = [
        DeviceTelemetry {
            device_id: ids[0],
            owner: alice.address.to_string(),
            uptime_secs: 600,
            tasks_completed: 12,
            interactions: 40,
        },
        DeviceTelemetry {
            device_id: ids[1],
            owner: bob.address.to_string(),
            uptime_secs: 420,
            tasks_completed: 3,
            interactions: 9,
        },
    ];
    let result = compute_epoch(0, device_budget, &telemetry, &epochs::WEIGHTS, &NoMultipliers)?;
    assert_eq!(result.device_count, 2);
    let report = Report {
        epoch: 0,
        root: result.root,
        total: result.total_distributed,
        device_count: result.device_count,
        commitment: Sha256::digest(b"epoch 0 telemetry").into(),
    };

    epochs::submit_report(&client, &ep.hub, &operators[0], &report).await?;
    assert_eq!(epochs::epoch_status(&client, &ep.hub, 0).await?["status"], "reported");
    epochs::submit_report(&client, &ep.hub, &operators[1], &report).await?;
    let status = epochs::epoch_status(&client, &ep.hub, 0).await?;
    assert_eq!(status["status"], "accepted", "2 of 3 is a 2/3 quorum: {status}");
    assert_eq!(status["root"], hex::encode(result.root));
    epochs::submit_report(&client, &ep.hub, &operators[2], &report).await?;
    assert_eq!(
        epochs::epoch_status(&client, &ep.hub, 0).await?["reporters"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    let leaf = |id: u64| {
        result
            .leaves
            .iter()
            .find(|l| l.device_id == id)
            .cloned()
            .context("leaf")
    };
    let (alice_leaf, bob_leaf) = (leaf(ids[0])?, leaf(ids[1])?);
    let alice_claim = json!({"claim": {"claims": [epochs::claim_item(&result.tree, &alice_leaf)?]}});
    // Still in the challenge window: nothing is paid.
    let early = client.execute(&alice, &ep.rewards, &alice_claim, 0).await;
    assert!(
        matches!(early, Err(TxError::Simulate(_))),
        "claim before final must fail: {early:?}"
    );

    tokio::time::sleep(Duration::from_secs(params.challenge_window + 2)).await;
    assert_eq!(epochs::epoch_status(&client, &ep.hub, 0).await?["status"], "final");
    let rewards_before = client.balance(&ep.rewards).await?;

    // Alice claims her own leaf.
    let a0 = client.balance(alice.address.as_ref()).await?;
    let tx = client.execute(&alice, &ep.rewards, &alice_claim, 0).await?;
    assert_eq!(
        client.balance(alice.address.as_ref()).await?,
        a0 + alice_leaf.amount.u128() - tx.fee
    );

    // Carol claims Bob's leaf on his behalf: Bob receives exactly his amount, Carol pays the fee.
    let b0 = client.balance(bob.address.as_ref()).await?;
    let bob_claim = json!({"claim": {"claims": [epochs::claim_item(&result.tree, &bob_leaf)?]}});
    client.execute(&carol, &ep.rewards, &bob_claim, 0).await?;
    assert_eq!(client.balance(bob.address.as_ref()).await?, b0 + bob_leaf.amount.u128());

    // No double claim; the pool paid exactly the two leaves.
    let again = client.execute(&carol, &ep.rewards, &bob_claim, 0).await;
    assert!(again.is_err(), "double claim must fail");
    let paid = alice_leaf.amount.u128() + bob_leaf.amount.u128();
    assert_eq!(paid, result.total_distributed);
    assert_eq!(client.balance(&ep.rewards).await?, rewards_before - paid);
    Ok(())
}
