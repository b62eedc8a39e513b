//! The DAO on a real localnet, deployed with `make run`'s plan (chain-config/deploy/local.json): it owns and
//! administers every product contract; three accounts with voting power (a device stake and two lock-ups) pass a
//! proposal that changes a rewards parameter; it waits out the veto timelock, anyone executes it, and the parameter
//! changed on chain. Stake added after the proposal started does not vote; a proposal whose message fails is
//! recorded as `execution_failed` by the chain's real reply path.

use std::time::Duration;

use anyhow::{Context, Result};
use e2e::contracts::{self, Device, EMC};
use e2e::dao::{self, wasm_execute};
use e2e::TestNet;
use serde_json::json;

/// The deposit the local plan configures.
const DEPOSIT: u128 = 10 * EMC;

#[tokio::test]
async fn three_accounts_pass_a_rewards_parameter_change_and_anyone_executes_it() -> Result<()> {
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = client.signer(net.account("deployer")?)?;
    let d = dao::deploy_local_plan(&net, &client).await?;
    let dao_addr = dao::address(&d, "dao")?;
    let registry = dao::address(&d, "device-registry")?;
    let staking = dao::address(&d, "staking")?;
    let rewards = dao::address(&d, "rewards")?;
    for label in ["device-registry", "staking", "oracle-hub", "rewards"] {
        let addr = dao::address(&d, label)?;
        assert_eq!(
            dao::owner(&client, &addr).await?.as_deref(),
            Some(dao_addr.as_str()),
            "{label}"
        );
        assert_eq!(
            client.contract_admin(&addr).await?.as_deref(),
            Some(dao_addr.as_str()),
            "{label}"
        );
    }
    assert_eq!(
        client.contract_admin(&dao_addr).await?.as_deref(),
        Some(dao_addr.as_str())
    );
    // The deployer is no longer the admin.
    let err = client
        .execute(
            &deployer,
            &rewards,
            &json!({"update_config": {"operator_share": "0.5"}}),
            0,
        )
        .await
        .expect_err("the deployer is not the rewards admin any more");
    assert!(err.to_string().contains("admin"), "{err}");

    // Voting power: alice stakes on a device (100 EMC = 100 power), bob and carol lock in tier 1 (× 1.25).
    let (_, alice) = contracts::funded_account(&net, &client, "alice", 1_000 * EMC).await?;
    let (_, bob) = contracts::funded_account(&net, &client, "bob", 1_000 * EMC).await?;
    let (_, carol) = contracts::funded_account(&net, &client, "carol", 1_000 * EMC).await?;
    let (_, dave) = contracts::funded_account(&net, &client, "dave", 1_000 * EMC).await?;
    let device = Device::new_ed25519();
    let reg = device.registration("cam", &net.net.chain_id, &registry, deployer.address.as_ref());
    let out = client
        .execute(&deployer, &registry, &json!({"register_device": {"device": reg}}), 0)
        .await?;
    let device_id = contracts::registered_ids(&out)[0];
    contracts::activate(&client, &registry, &alice, device_id, &device).await?;
    client
        .execute(&alice, &staking, &json!({"stake": {"device_id": device_id}}), 100 * EMC)
        .await?;
    client
        .execute(&bob, &staking, &json!({"lock": {"tier_id": 1}}), 40 * EMC)
        .await?;
    client
        .execute(&carol, &staking, &json!({"lock": {"tier_id": 1}}), 80 * EMC)
        .await?;
    // the snapshots count a change from the next block
    tokio::time::sleep(Duration::from_secs(2)).await;

    let before = client.smart_query(&rewards, &json!({"config": {}})).await?;
    assert_eq!(before["operator_share"], "0.05");
    let change = wasm_execute(&rewards, &json!({"update_config": {"operator_share": "0.08"}}));
    let (id, _) = dao::propose(&client, &dao_addr, &alice, "Operators get 8%", vec![change], DEPOSIT).await?;
    let p = dao::proposal(&client, &dao_addr, id).await?;
    assert_eq!(p["total_power"], (250 * EMC).to_string(), "{p}");

    // Dave locks after the start: his stake does not vote on this proposal.
    client
        .execute(&dave, &staking, &json!({"lock": {"tier_id": 1}}), 500 * EMC)
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let err = dao::vote(&client, &dao_addr, &dave, id, "yes")
        .await
        .expect_err("dave has no power at the start");
    assert!(err.to_string().contains("no voting power"), "{err}");

    // bob 50 + alice 100 yes: carol's 100 could still veto (40% > 33.4%), so it stays open; carol decides.
    dao::vote(&client, &dao_addr, &bob, id, "yes").await?;
    dao::vote(&client, &dao_addr, &alice, id, "yes").await?;
    assert_eq!(dao::proposal(&client, &dao_addr, id).await?["status"], "open");
    let err = dao::vote(&client, &dao_addr, &bob, id, "no")
        .await
        .expect_err("no revote");
    assert!(err.to_string().contains("already voted"), "{err}");
    dao::vote(&client, &dao_addr, &carol, id, "yes").await?;
    let p = dao::proposal(&client, &dao_addr, id).await?;
    assert_eq!(p["status"], "veto_timelock", "{p}");
    assert_eq!(p["votes"]["yes"], (250 * EMC).to_string());

    // Anyone may execute, but only after the 30 s timelock.
    let err = dao::execute(&client, &dao_addr, &dave, id).await.expect_err("timelock");
    assert!(err.to_string().contains("timelock"), "{err}");
    let until: u64 = p["timelock_until"].as_str().context("timelock_until")?.parse::<u64>()? / 1_000_000_000;
    while client.latest_block_time().await? < until + 1 {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let alice_before = client.balance(alice.address.as_ref()).await?;
    let out = dao::execute(&client, &dao_addr, &dave, id).await?;
    println!("execute gas {}", out.gas_used);
    let p = dao::proposal(&client, &dao_addr, id).await?;
    assert_eq!(p["status"], "executed", "{p}");
    assert_eq!(p["deposit"]["outcome"], "refunded");
    assert_eq!(client.balance(alice.address.as_ref()).await?, alice_before + DEPOSIT);
    let after = client.smart_query(&rewards, &json!({"config": {}})).await?;
    assert_eq!(after["operator_share"], "0.08");
    assert!(
        dao::execute(&client, &dao_addr, &dave, id).await.is_err(),
        "executed twice"
    );

    // A proposal whose message fails (the treasury cannot pay it): executed early by the vetoer, recorded as
    // failed by the reply, deposit refunded (it passed), nothing sent.
    let bank = json!({"bank": {"send": {"to_address": dave.address.to_string(),
        "amount": [{"denom": "uemc", "amount": (1_000_000 * EMC).to_string()}]}}});
    let (id, _) = dao::propose(&client, &dao_addr, &bob, "Pay dave", vec![bank], DEPOSIT).await?;
    // Dave's lock counts for proposals started after it.
    for voter in [&bob, &alice, &carol, &dave] {
        dao::vote(&client, &dao_addr, voter, id, "yes").await?;
    }
    let dave_before = client.balance(dave.address.as_ref()).await?;
    dao::execute(&client, &dao_addr, &deployer, id).await?;
    let p = dao::proposal(&client, &dao_addr, id).await?;
    assert_eq!(p["status"], "execution_failed", "{p}");
    println!("recorded execution error: {}", p["execution_error"]);
    assert!(p["execution_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(client.balance(dave.address.as_ref()).await?, dave_before);
    assert!(
        dao::execute(&client, &dao_addr, &dave, id).await.is_err(),
        "failed executions are final"
    );
    Ok(())
}
