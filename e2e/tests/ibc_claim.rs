//! Rewards claimed and sent over IBC in one transaction (`ClaimAndSend`), on real chains with real relaying: the
//! rewards contract on edgemintd sends the leaf's amount as an ICS-20 transfer with an ADR-8 source callback; the
//! counterparty (stock wasmd) mints the voucher; the acknowledgement, or the timeout, comes back through wasmd's
//! callbacks middleware into the contract, which settles the transfer or passes the refund on to the owner.
//! (That only the leaf's owner may `ClaimAndSend` it is covered by the contract's multi-test.)

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use chain_config::keys::KeyInfo;
use e2e::epochs::{self, FinalEpoch};
use e2e::ibc::{chain_time_ns, denom_trace, escrowed, ibc_denom, wait_for, IbcNet};
use e2e::{ChainClient, TxError};
use serde_json::{json, Value};

const RELAY_TIMEOUT: Duration = Duration::from_secs(90);
/// A packet relayed from its own event arrives within a few blocks; the watchdog would clear it after STUCK_AFTER.
const LIVE_RELAY: Duration = Duration::from_secs(30);
const STUCK_AFTER: &str = "60";
/// The relayer as in the IBC e2e: the watchdog keeps the 80 s-trusting-period client of edgemint-local-1 fresh.
const RELAYER_ARGS: [&str; 6] = [
    "--refresh-margin",
    "0.9",
    "--monitor-interval",
    "2",
    "--stuck-after",
    STUCK_AFTER,
];

#[tokio::test]
async fn claim_and_send_arrives_and_a_timeout_or_error_ack_refunds_the_owner() -> Result<()> {
    let t0 = Instant::now();
    let log = |what: &str| eprintln!("[{:>5.1}s] {what}", t0.elapsed().as_secs_f64());
    let mut ibc = IbcNet::start().await?;
    let em = ibc.em.client(0)?;
    let cp = ibc.cp.client(0)?;
    let alice = em.signer(ibc.em.account("alice")?)?;
    let bob = em.signer(ibc.em.account("bob")?)?;
    // The path (a minute) and the contracts with a final epoch are set up at the same time. Alice and bob own two
    // devices each.
    let owners = [&alice, &bob, &alice, &bob];
    log("chains up");
    let (path, fe) = tokio::try_join!(
        async {
            let path = ibc.create_path().await?;
            log("path open");
            Ok::<_, anyhow::Error>(path)
        },
        async {
            let fe = epochs::final_epoch(&ibc.em, &em, &owners).await?;
            log("contracts deployed, epoch 0 final");
            Ok(fe)
        }
    )?;
    ibc.path = path;
    let (em_chan, cp_chan) = ibc.channels();
    let rewards = fe.contracts.rewards.clone();
    let (alice_dev, bob_dev, alice_dev2, bob_dev2) = (fe.ids[0], fe.ids[1], fe.ids[2], fe.ids[3]);
    let amount = |id: u64| -> Result<u128> { Ok(fe.leaf(id)?.amount.u128()) };
    let (alice_amount, bob_amount, alice_amount2) = (amount(alice_dev)?, amount(bob_dev)?, amount(alice_dev2)?);
    let voucher = ibc_denom(&format!("transfer/{cp_chan}/uemc"));
    let receiver = ibc.cp.account("bob")?.address.clone();
    let pool0 = pool(&em, &rewards).await?;
    assert_eq!(pool0.balance, pool0.total, "{pool0:?}");
    assert_eq!(pool0.ibc_pending, 0);

    // --- alice claims her leaf and sends it to the counterparty in one transaction ---------------------------
    // Sent before the relayer starts, so that its state can be checked while in flight (the relayer's start clears
    // it). A claim sent while the relayer runs comes below.
    let send = claim_and_send(&fe, alice_dev, &em_chan, &receiver, None)?;
    let tx = em.execute(&alice, &rewards, &send, 0).await?;
    ensure!(
        tx.attribute("send_packet", "packet_src_channel") == Some(em_chan.as_str()),
        "the claim sent an ICS-20 packet over {em_chan}: {:?}",
        tx.events
    );
    let pending = transfer(&em, &rewards, alice_dev).await?;
    assert_eq!(pending["amount"], alice_amount.to_string(), "{pending}");
    assert_eq!(pending["receiver"], receiver);
    assert_eq!(pending["channel_id"], em_chan);
    assert_eq!(pool(&em, &rewards).await?.ibc_pending, alice_amount, "in flight");
    // No periodic clears (the start still clears): a packet relayed within LIVE_RELAY of its send below came from
    // the relayer's event source, not from a clear (the watchdog's comes after STUCK_AFTER).
    ibc.relayer.run(&[
        "config",
        "init",
        "--force",
        "--clear-interval",
        "0",
        "--chain",
        &ibc.em.net.dir.display().to_string(),
        "--chain",
        &ibc.cp.net.dir.display().to_string(),
    ])?;
    ibc.relayer.start(&RELAYER_ARGS)?;
    log(&format!("claim sent, relayer started on {em_chan} <-> {cp_chan}"));

    wait_for("the voucher on the counterparty", RELAY_TIMEOUT, || async {
        Ok((cp.balance_of(&receiver, &voucher).await? > 0).then_some(()))
    })
    .await?;
    assert_eq!(
        cp.balance_of(&receiver, &voucher).await?,
        alice_amount,
        "exactly the leaf"
    );
    let trace = denom_trace(&ibc.cp, &voucher)?;
    assert_eq!(trace["denom_trace"]["path"], format!("transfer/{cp_chan}"), "{trace}");
    assert_eq!(trace["denom_trace"]["base_denom"], "uemc", "{trace}");
    log(&format!("{alice_amount}{voucher} arrived on the counterparty"));

    // The acknowledgement comes back: wasmd's callbacks middleware calls the contract, which settles the transfer.
    wait_settled(&em, &rewards, alice_dev).await?;
    let p = pool(&em, &rewards).await?;
    assert_eq!(p.ibc_pending, 0, "{p:?}");
    assert_eq!(p.total, pool0.total - alice_amount, "paid out once");
    assert_eq!(p.balance, p.total, "the contract holds exactly its books: {p:?}");
    assert_eq!(
        escrowed(&ibc.em, &em_chan, "uemc").await?,
        alice_amount,
        "the leaf sits in escrow"
    );
    log("acknowledgement relayed, the contract's callback settled the transfer");

    // The leaf is spent: neither a claim nor a second ClaimAndSend pays it again, and nothing moves.
    let (alice_bal, contract_bal) = (em.balance(alice.address.as_ref()).await?, em.balance(&rewards).await?);
    let claim = json!({"claim": {"claims": [fe.claim_item(alice_dev)?]}});
    for msg in [&claim, &send] {
        expect_already_claimed(em.execute(&alice, &rewards, msg, 0).await, alice_dev)?;
    }
    assert_eq!(em.balance(alice.address.as_ref()).await?, alice_bal);
    assert_eq!(em.balance(&rewards).await?, contract_bal);
    assert_eq!(cp.balance_of(&receiver, &voucher).await?, alice_amount);

    // --- bob's claim while the relayer runs is relayed from its own send_packet event, not by a packet clear: the
    // relayer pulls each block's results (Hermes' push subscription, `message.module='ibc_channel'`, never sees a
    // contract's packet: wasmd leaves that tag out of sub-message events) ----------------------------------------
    let send = claim_and_send(&fe, bob_dev2, &em_chan, &receiver, None)?;
    em.execute(&bob, &rewards, &send, 0).await?;
    let bob_amount2 = amount(bob_dev2)?;
    let sent = Instant::now();
    wait_for("bob's live claim on the counterparty", LIVE_RELAY, || async {
        Ok((cp.balance_of(&receiver, &voucher).await? == alice_amount + bob_amount2).then_some(()))
    })
    .await
    .context("a contract's packet was not relayed from its event (is the relayer's event source push?)")?;
    log(&format!(
        "bob's live claim arrived {:.1}s after its tx",
        sent.elapsed().as_secs_f64()
    ));
    wait_settled(&em, &rewards, bob_dev2).await?;
    log("a claim sent while the relayer runs: relayed from its event, acknowledged, settled");

    // --- while no relayer runs: bob's transfer with a 3 s timeout, and alice's second leaf to a receiver the
    // counterparty refuses (its error acknowledgement is ibc-go's real `{"error":..}`, the only form on which the
    // contract refunds: the unit tests can only assume it). After the restart both owners are refunded.
    ibc.relayer.stop();
    let cp_receiver = KeyInfo::generate("carol", "wasm", 118)?.address;
    let (bob0, alice0) = (
        em.balance(bob.address.as_ref()).await?,
        em.balance(alice.address.as_ref()).await?,
    );
    let send = claim_and_send(&fe, bob_dev, &em_chan, &cp_receiver, Some(3))?;
    let bob_tx = em.execute(&bob, &rewards, &send, 0).await?;
    let send = claim_and_send(&fe, alice_dev2, &em_chan, "not-a-wasm-address", None)?;
    let alice_tx = em.execute(&alice, &rewards, &send, 0).await?;
    assert_eq!(
        em.balance(bob.address.as_ref()).await?,
        bob0 - bob_tx.fee,
        "the leaf left with the packet"
    );
    let pending = transfer(&em, &rewards, bob_dev).await?;
    assert_eq!(pending["amount"], bob_amount.to_string(), "{pending}");
    assert_eq!(pool(&em, &rewards).await?.ibc_pending, bob_amount + alice_amount2);
    // Past the timeout on the counterparty's clock, bob's packet can only time out.
    let timeout_ns: u64 = pending["timeout"].as_str().context("timeout")?.parse()?;
    wait_for(
        "the counterparty's clock to pass the timeout",
        Duration::from_secs(60),
        || async { Ok((chain_time_ns(&cp).await? > timeout_ns + 1_000_000_000).then_some(())) },
    )
    .await?;
    ibc.relayer.start(&RELAYER_ARGS)?;
    wait_settled(&em, &rewards, bob_dev).await?;
    assert_eq!(
        em.balance(bob.address.as_ref()).await?,
        bob0 - bob_tx.fee + bob_amount,
        "the callback passed ibc-go's timeout refund on to the owner, all of it"
    );
    assert_eq!(cp.balance_of(&cp_receiver, &voucher).await?, 0, "never received");
    log("timeout relayed after the restart, the contract's callback refunded bob");
    wait_settled(&em, &rewards, alice_dev2).await?;
    assert_eq!(
        em.balance(alice.address.as_ref()).await?,
        alice0 - alice_tx.fee + alice_amount2,
        "the callback passed the error acknowledgement's refund on to the owner"
    );
    log("error acknowledgement relayed, the contract's callback refunded alice");
    assert_eq!(
        escrowed(&ibc.em, &em_chan, "uemc").await?,
        alice_amount + bob_amount2,
        "both refunds left escrow"
    );
    let p = pool(&em, &rewards).await?;
    assert_eq!(p.ibc_pending, 0, "{p:?}");
    assert_eq!(
        p.total,
        pool0.total - alice_amount - bob_amount - alice_amount2 - bob_amount2
    );
    assert_eq!(
        p.balance, p.total,
        "the refunds went on to the owners, nothing stayed behind: {p:?}"
    );
    // Refunded is still claimed: the owner got the amount once, on edgemint.
    let claim = json!({"claim": {"claims": [fe.claim_item(bob_dev)?]}});
    expect_already_claimed(em.execute(&bob, &rewards, &claim, 0).await, bob_dev)?;
    let state = em.smart_query(&rewards, &json!({"epoch_state": {"epoch": 0}})).await?;
    assert_eq!(
        state["claimed"],
        (alice_amount + bob_amount + alice_amount2 + bob_amount2).to_string(),
        "{state}"
    );
    Ok(())
}

/// `ClaimAndSend` of `device_id`'s leaf.
fn claim_and_send(
    fe: &FinalEpoch,
    device_id: u64,
    channel: &str,
    receiver: &str,
    timeout: Option<u64>,
) -> Result<Value> {
    Ok(json!({"claim_and_send": {
        "claim": fe.claim_item(device_id)?, "channel_id": channel, "receiver": receiver, "timeout_seconds": timeout,
    }}))
}

/// The pending transfer of epoch 0's `device_id`; fails if there is none.
async fn transfer(client: &ChainClient, rewards: &str, device_id: u64) -> Result<Value> {
    let q = json!({"ibc_transfer": {"epoch": 0, "device_id": device_id}});
    let v = client.smart_query(rewards, &q).await?;
    ensure!(
        !v["pending"].is_null(),
        "no pending transfer for device {device_id}: {v}"
    );
    Ok(v["pending"].clone())
}

/// Waits until the contract's callback has settled the transfer of `device_id` (the `IbcTransfer` query no longer
/// returns it). The callback is the only way it leaves without the admin (`ResolveIbcTransfer`, a day later).
async fn wait_settled(client: &ChainClient, rewards: &str, device_id: u64) -> Result<()> {
    let q = json!({"ibc_transfer": {"epoch": 0, "device_id": device_id}});
    wait_for("the IBC callback to settle the transfer", RELAY_TIMEOUT, || async {
        Ok(client.smart_query(rewards, &q).await?["pending"]
            .is_null()
            .then_some(()))
    })
    .await
}

fn expect_already_claimed(res: Result<e2e::TxOutcome, TxError>, device_id: u64) -> Result<()> {
    let want = format!("epoch 0, device {device_id} is already claimed");
    match res {
        Err(TxError::Simulate(msg)) if msg.contains(&want) => Ok(()),
        other => anyhow::bail!("expected `{want}` at simulation, got {other:?}"),
    }
}

#[derive(Debug)]
struct Pool {
    balance: u128,
    total: u128,
    ibc_pending: u128,
}

async fn pool(client: &ChainClient, rewards: &str) -> Result<Pool> {
    let v = client.smart_query(rewards, &json!({"pool": {}})).await?;
    let n = |k: &str| -> Result<u128> { Ok(v[k].as_str().with_context(|| format!("pool.{k}: {v}"))?.parse()?) };
    Ok(Pool {
        balance: n("balance")?,
        total: n("pool_total")?,
        ibc_pending: n("ibc_pending")?,
    })
}
