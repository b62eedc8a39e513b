//! Device activation mining on the real localnet: a maker registers devices, owners activate them with signatures
//! made by the device keys, stake, transfer the NFT, unbond and claim. Balances are checked on chain.

use std::time::Duration;

use anyhow::Result;
use e2e::contracts::{self, CoreParams, Device, EMC};
use e2e::{TestNet, TxError};
use serde_json::json;

#[tokio::test]
async fn register_activate_stake_transfer_unbond_claim() -> Result<()> {
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = client.signer(net.account("deployer")?)?;
    let (_, maker) = contracts::funded_account(&net, &client, "maker", 1_000 * EMC).await?;
    let (_, alice) = contracts::funded_account(&net, &client, "alice2", 1_000 * EMC).await?;
    let (_, bob) = contracts::funded_account(&net, &client, "bob2", 1_000 * EMC).await?;
    let carol = chain_config::keys::KeyInfo::generate("carol", client.prefix(), 118)?;
    let pool = net.account("mining-pool")?.address.clone();
    let params = CoreParams {
        min_stake: 100 * EMC,
        unbonding_secs: 12,
    };
    let core = contracts::deploy_core(&client, &deployer, maker.address.as_ref(), &pool, &params).await?;

    // The maker registers three devices: a batch of two (ed25519, secp256k1) and one more. Each registration
    // carries the device's signature for this maker (proof of possession).
    let devices = [Device::new_ed25519(), Device::new_secp256k1(), Device::new_ed25519()];
    let chain_id = net.net.chain_id.clone();
    let reg = |d: &Device, model: &str| d.registration(model, &chain_id, &core.registry, maker.address.as_ref());
    let batch = json!({"register_devices": {"devices": [reg(&devices[0], "cam-1"), reg(&devices[1], "bot-2")]}});
    let out = client.execute(&maker, &core.registry, &batch, 0).await?;
    let mut ids = contracts::registered_ids(&out);
    let single = json!({"register_device": {"device": reg(&devices[2], "pc-3")}});
    ids.extend(contracts::registered_ids(
        &client.execute(&maker, &core.registry, &single, 0).await?,
    ));
    assert_eq!(ids.len(), 3, "three devices registered: {ids:?}");
    let counts = client
        .smart_query(&core.registry, &json!({"status_counts": {}}))
        .await?;
    assert_eq!(counts["registered"], 3, "{counts}");

    // The chain's activation message is the documented encoding.
    let msg = contracts::activation_message(&client, &core.registry, ids[0], alice.address.as_ref()).await?;
    let expected = edgemint_types::registry::activation_message(
        &net.net.chain_id,
        &core.registry,
        alice.address.as_ref(),
        &devices[0].code_hash(),
    );
    assert_eq!(msg, expected);

    // Bob replays Alice's activation (her owner field, her device signature) from his account: rejected.
    let message = contracts::activation_message(&client, &core.registry, ids[0], alice.address.as_ref()).await?;
    let replay = json!({"activate": {
        "device_id": ids[0], "activation_code": devices[0].code, "owner": alice.address.to_string(),
        "signature": base64_encode(&devices[0].sign(&message)),
    }});
    let err = client.execute(&bob, &core.registry, &replay, 0).await.unwrap_err();
    assert!(matches!(err, TxError::Simulate(_)), "{err}");
    assert!(
        err.to_string().contains("the owner must submit the activation"),
        "{err}"
    );

    // Two owners activate with their device's signature: each gets the NFT.
    contracts::activate(&client, &core.registry, &alice, ids[0], &devices[0]).await?;
    contracts::activate(&client, &core.registry, &bob, ids[1], &devices[1]).await?;
    let owner_of = |id: u64| json!({"owner_of": {"token_id": id.to_string()}});
    assert_eq!(
        client.smart_query(&core.registry, &owner_of(ids[0])).await?["owner"],
        alice.address.to_string()
    );
    assert_eq!(
        client.smart_query(&core.registry, &owner_of(ids[1])).await?["owner"],
        bob.address.to_string()
    );
    // A second activation of the same device fails.
    assert!(contracts::activate(&client, &core.registry, &bob, ids[0], &devices[0])
        .await
        .is_err());

    // Both stake the minimum; their devices mine.
    let stake = |id: u64| json!({"stake": {"device_id": id}});
    let mining = |id: u64| json!({"mining_status": {"device_id": id}});
    let alice_before = client.balance(alice.address.as_ref()).await?;
    let tx = client.execute(&alice, &core.staking, &stake(ids[0]), 100 * EMC).await?;
    assert_eq!(
        client.balance(alice.address.as_ref()).await?,
        alice_before - 100 * EMC - tx.fee
    );
    client.execute(&bob, &core.staking, &stake(ids[1]), 150 * EMC).await?;
    assert_eq!(
        client.balance(&core.staking).await?,
        250 * EMC,
        "the staking contract holds both stakes"
    );
    assert_eq!(
        client.smart_query(&core.staking, &mining(ids[0])).await?["eligible"],
        true
    );
    assert_eq!(
        client.smart_query(&core.staking, &mining(ids[1])).await?["eligible"],
        true
    );

    // Alice transfers her device: Carol owns it. The registry tells staking, which moves Alice's stake into
    // unbonding (hers, claimable after the period), so the device stops mining until Carol stakes.
    let transfer = json!({"transfer_nft": {"recipient": carol.address, "token_id": ids[0].to_string()}});
    let out = client.execute(&alice, &core.registry, &transfer, 0).await?;
    let moved = (100 * EMC).to_string();
    assert_eq!(
        out.attribute("wasm", "moved_amount"),
        Some(moved.as_str()),
        "staking was told: {:?}",
        out.events
    );
    assert_eq!(
        client.smart_query(&core.registry, &owner_of(ids[0])).await?["owner"],
        carol.address
    );
    let status = client.smart_query(&core.staking, &mining(ids[0])).await?;
    assert_eq!(status["eligible"], false, "{status}");
    assert_eq!(status["owner"], carol.address);
    let position = json!({"position": {"device_id": ids[0], "staker": alice.address.to_string()}});
    let pos = client.smart_query(&core.staking, &position).await?;
    assert_eq!(pos["amount"], "0", "alice's position left with the device: {pos}");
    let unbonding = json!({"unbonding": {"address": alice.address.to_string()}});
    let u = client.smart_query(&core.staking, &unbonding).await?;
    assert_eq!(u["total"], (100 * EMC).to_string(), "alice's stake is unbonding: {u}");

    // Bob unbonds everything; nothing is paid before the period ends, all of it after.
    let unstake = json!({"unstake": {"device_id": ids[1], "amount": (150 * EMC).to_string()}});
    client.execute(&bob, &core.staking, &unstake, 0).await?;
    assert_eq!(
        client.smart_query(&core.staking, &mining(ids[1])).await?["eligible"],
        false
    );
    let b0 = client.balance(bob.address.as_ref()).await?;
    let early = client.execute(&bob, &core.staking, &json!({"claim": {}}), 0).await;
    let b1 = client.balance(bob.address.as_ref()).await?;
    let early_fee = early.as_ref().map(|t| t.fee).unwrap_or(0);
    assert_eq!(b1, b0 - early_fee, "an early claim pays nothing ({early:?})");

    tokio::time::sleep(Duration::from_secs(params.unbonding_secs + 2)).await;
    let claim = client.execute(&bob, &core.staking, &json!({"claim": {}}), 0).await?;
    assert_eq!(client.balance(bob.address.as_ref()).await?, b1 + 150 * EMC - claim.fee);
    assert_eq!(
        client.balance(&core.staking).await?,
        100 * EMC,
        "only alice's (unbonding, unclaimed) stake remains"
    );
    // A second claim pays nothing more.
    let again = client.execute(&bob, &core.staking, &json!({"claim": {}}), 0).await;
    let b2 = client.balance(bob.address.as_ref()).await?;
    assert_eq!(
        b2,
        b1 + 150 * EMC - claim.fee - again.as_ref().map(|t| t.fee).unwrap_or(0)
    );
    Ok(())
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
