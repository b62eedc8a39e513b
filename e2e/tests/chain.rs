//! Real-chain tests: edgemintd nodes started in temp dirs, transactions signed with cosmrs.

use std::time::Duration;

use anyhow::Result;
use e2e::client::{wasm, FeeMode};
use e2e::{TestNet, TxError};
use serde_json::json;

#[tokio::test]
async fn bank_send_moves_funds_and_charges_fees() -> Result<()> {
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let alice = net.account("alice")?;
    let bob = net.account("bob")?;
    let alice_key = alice.signing_key(client.coin_type())?;

    let (a0, b0) = (
        client.balance(&alice.address).await?,
        client.balance(&bob.address).await?,
    );
    assert_eq!(a0, 1_000_000 * 1_000_000, "alice's genesis balance");
    let send = client.bank_send(&alice.account_id()?, &bob.address, 1_234_567)?;
    let out = client.send_tx(&alice_key, vec![send], FeeMode::Simulate, None).await?;
    assert!(out.height > 0);

    let (a1, b1) = (
        client.balance(&alice.address).await?,
        client.balance(&bob.address).await?,
    );
    assert_eq!(b1, b0 + 1_234_567, "bob receives exactly the amount sent");
    let fee = a0 - a1 - 1_234_567;
    assert!(fee > 0, "alice paid a fee");
    assert!(
        fee < 100_000,
        "fee {fee} uemc is far above what simulated gas should cost"
    );
    Ok(())
}

#[tokio::test]
async fn contract_store_instantiate_execute_query() -> Result<()> {
    let wasm_bytes = std::fs::read(e2e::artifact("e2e_probe")?)?;
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = net.account("deployer")?;
    let key = deployer.signing_key(client.coin_type())?;
    let sender = deployer.account_id()?;

    let stored = client
        .send_tx(
            &key,
            vec![wasm::store_code(&sender, wasm_bytes)?],
            FeeMode::Simulate,
            None,
        )
        .await?;
    let code_id: u64 = stored
        .attribute("store_code", "code_id")
        .expect("code_id event")
        .parse()?;

    let init = wasm::instantiate(&sender, code_id, "probe", &json!({"start": 40}))?;
    let inst = client.send_tx(&key, vec![init], FeeMode::Simulate, None).await?;
    let contract = inst
        .attribute("instantiate", "_contract_address")
        .expect("contract address")
        .to_string();
    assert!(contract.starts_with("emc1"));

    let exec = wasm::execute(&sender, &contract, &json!({"increment": {"by": 2}}))?;
    client.send_tx(&key, vec![exec], FeeMode::Simulate, None).await?;
    let count = client.smart_query(&contract, &json!({"count": {}})).await?;
    assert_eq!(count["count"], 42);
    assert_eq!(count["last_incremented_by"], json!(deployer.address));

    // A contract error fails the tx in its block with the contract's message and changes nothing.
    let bad = wasm::execute(&sender, &contract, &json!({"increment": {"by": 0}}))?;
    let err = client
        .send_tx(
            &key,
            vec![bad],
            FeeMode::Fixed {
                gas: 300_000,
                amount: 10_000,
            },
            None,
        )
        .await;
    assert!(matches!(err, Err(TxError::DeliverTx { .. })), "{err:?}");
    assert_eq!(client.smart_query(&contract, &json!({"count": {}})).await?["count"], 42);
    Ok(())
}

#[tokio::test]
async fn forged_signature_and_low_fee_are_rejected_with_the_chain_error() -> Result<()> {
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let alice = net.account("alice")?;
    let bob = net.account("bob")?;
    let alice_key = alice.signing_key(client.coin_type())?;
    let bob_key = bob.signing_key(client.coin_type())?;
    let before = client.balance(&alice.address).await?;

    // Alice's tx, signed by Bob's key.
    let send = client.bank_send(&alice.account_id()?, &bob.address, 1_000)?;
    let fee = FeeMode::Fixed {
        gas: 200_000,
        amount: 10_000,
    };
    let err = client
        .send_tx(&alice_key, vec![send.clone()], fee, Some(&bob_key))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, TxError::CheckTx { .. }), "{text}");
    assert!(text.contains("signature verification failed"), "{text}");

    // 1 uemc for 200k gas is below the 0.025 uemc/gas minimum.
    let err = client
        .send_tx(
            &alice_key,
            vec![send],
            FeeMode::Fixed {
                gas: 200_000,
                amount: 1,
            },
            None,
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("insufficient fee"), "{text}");
    assert_eq!(
        client.balance(&alice.address).await?,
        before,
        "rejected txs cost nothing"
    );
    Ok(())
}

#[tokio::test]
async fn four_validators_survive_one_down_and_it_catches_up() -> Result<()> {
    let mut net = TestNet::start(4).await?;
    net.wait_for_height(0, 3, Duration::from_secs(60)).await?;

    net.stop_node(3);
    let h = net.height(0).await.expect("node0 answers");
    // 3 of 4 equal-power validators hold > 2/3: blocks keep coming.
    let after = net.wait_for_height(0, h + 5, Duration::from_secs(60)).await?;
    assert!(net.height(3).await.is_none(), "node3 is down");

    net.restart_node(3)?;
    let target = net.height(0).await.unwrap_or(after);
    let caught_up = net.wait_for_height(3, target, Duration::from_secs(90)).await?;
    assert!(caught_up >= target);
    // And it keeps following the chain.
    net.wait_for_height(3, caught_up + 2, Duration::from_secs(30)).await?;
    Ok(())
}
