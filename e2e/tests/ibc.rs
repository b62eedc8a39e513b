//! IBC over real chains and real relaying: edgemintd (`edgemint-local-1`, uemc) and the counterparty (stock wasmd,
//! `wasm-local-1`, ucpt), joined by an ICS-20 channel that `edgemint-relayer path create` opens and
//! `edgemint-relayer start` (Hermes' supervisor inside relayer-ext) relays. One chain pair serves every scenario in
//! order, because opening a path costs about a minute on these 1 s-block chains.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use e2e::ibc::{chain_time_ns, denom_trace, escrowed, ibc_denom, rest, send, transfer_msg, wait_for, IbcNet, Relayer};
use e2e::TestNet;

const RELAY_TIMEOUT: Duration = Duration::from_secs(90);
/// A timeout far enough ahead that only the relayer being stopped for ages could reach it.
const FAR: u64 = 600_000_000_000;

async fn balance(net: &TestNet, name: &str, denom: &str) -> Result<u128> {
    let addr = &net.account(name)?.address;
    net.client(0)?.balance_of(addr, denom).await
}

/// Waits until `name` on `net` holds exactly `want` of `denom`.
async fn wait_balance(net: &TestNet, name: &str, denom: &str, want: u128) -> Result<()> {
    let what = format!("{name} on {} to hold {want}{denom}", net.net.chain_id);
    wait_for(&what, RELAY_TIMEOUT, || async {
        Ok((balance(net, name, denom).await? == want).then_some(()))
    })
    .await
}

async fn supply(net: &TestNet, denom: &str) -> Result<u128> {
    let v = rest(net, &format!("/cosmos/bank/v1beta1/supply/by_denom?denom={denom}"))?;
    Ok(v["amount"]["amount"].as_str().unwrap_or("0").parse()?)
}

fn pending(status: &serde_json::Value) -> (usize, usize) {
    let dirs = status["paths"][0]["directions"].as_array().cloned().unwrap_or_default();
    let count = |k: &str| dirs.iter().map(|d| d[k].as_array().map_or(0, Vec::len)).sum();
    (count("pending_packets"), count("pending_acks"))
}

fn metric(text: &str, name: &str, label_part: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l.contains(label_part))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn ibc_transfers_timeouts_and_relayer_restarts() -> Result<()> {
    let t0 = Instant::now();
    let mut ibc = IbcNet::setup().await?;
    let (em_chan, cp_chan) = ibc.channels();
    eprintln!(
        "[{:>5.1}s] chains up, path open: {em_chan} <-> {cp_chan}",
        t0.elapsed().as_secs_f64()
    );
    // The watchdog's margin is set high so that it, not only Hermes' own refresh, updates the 80 s-trusting-period
    // client of edgemint-local-1 during the test.
    ibc.relayer
        .start(&["--refresh-margin", "0.9", "--monitor-interval", "2"])?;
    let (em, cp) = (&ibc.em, &ibc.cp);
    let alice_em = em.account("alice")?.address.clone();
    let bob_cp = cp.account("bob")?.address.clone();

    // path create again: the saved path is checked and reused, not created twice.
    let again: serde_json::Value = serde_json::from_str(&ibc.relayer.run(&[
        "path",
        "create",
        "--name",
        "e2e",
        "--a-chain",
        "edgemint-local-1",
        "--b-chain",
        "wasm-local-1",
    ])?)?;
    assert_eq!(again, ibc.path, "the saved path is reused");

    // --- EMC to the counterparty and back ---------------------------------------------------------------------
    let emc_voucher = ibc_denom(&format!("transfer/{cp_chan}/uemc"));
    let (alice0, bob_cpt0) = (balance(em, "alice", "uemc").await?, balance(cp, "bob", "ucpt").await?);
    let out = send(
        em,
        "alice",
        vec![transfer_msg(
            &alice_em,
            &em_chan,
            "uemc",
            5_000_000,
            &bob_cp,
            now_plus(em, FAR).await?,
        )],
    )
    .await?;
    wait_balance(cp, "bob", &emc_voucher, 5_000_000).await?;
    let trace = denom_trace(cp, &emc_voucher)?;
    assert_eq!(trace["denom_trace"]["path"], format!("transfer/{cp_chan}"), "{trace}");
    assert_eq!(trace["denom_trace"]["base_denom"], "uemc");
    assert_eq!(
        escrowed(em, &em_chan, "uemc").await?,
        5_000_000,
        "EMC sits in escrow on edgemint"
    );
    assert_eq!(supply(cp, &emc_voucher).await?, 5_000_000, "vouchers minted 1:1");
    assert_eq!(balance(em, "alice", "uemc").await?, alice0 - 5_000_000 - out.fee);
    eprintln!(
        "[{:>5.1}s] EMC reached the counterparty as {emc_voucher}",
        t0.elapsed().as_secs_f64()
    );

    let back = send(
        cp,
        "bob",
        vec![transfer_msg(
            &bob_cp,
            &cp_chan,
            &emc_voucher,
            5_000_000,
            &alice_em,
            now_plus(cp, FAR).await?,
        )],
    )
    .await?;
    wait_balance(em, "alice", "uemc", alice0 - out.fee).await?;
    assert_eq!(balance(cp, "bob", &emc_voucher).await?, 0);
    assert_eq!(supply(cp, &emc_voucher).await?, 0, "returned vouchers are burnt");
    assert_eq!(escrowed(em, &em_chan, "uemc").await?, 0, "escrow released");
    assert_eq!(
        balance(cp, "bob", "ucpt").await?,
        bob_cpt0 - back.fee,
        "bob paid only his fee"
    );
    eprintln!(
        "[{:>5.1}s] EMC back home, balances conserved",
        t0.elapsed().as_secs_f64()
    );

    // --- a counterparty token to edgemintd and back -----------------------------------------------------------
    let cpt_voucher = ibc_denom(&format!("transfer/{em_chan}/ucpt"));
    let (bob1, alice1) = (balance(cp, "bob", "ucpt").await?, balance(em, "alice", "uemc").await?);
    let out = send(
        cp,
        "bob",
        vec![transfer_msg(
            &bob_cp,
            &cp_chan,
            "ucpt",
            7_000_000,
            &alice_em,
            now_plus(cp, FAR).await?,
        )],
    )
    .await?;
    wait_balance(em, "alice", &cpt_voucher, 7_000_000).await?;
    let trace = denom_trace(em, &cpt_voucher)?;
    assert_eq!(trace["denom_trace"]["path"], format!("transfer/{em_chan}"), "{trace}");
    assert_eq!(trace["denom_trace"]["base_denom"], "ucpt");
    let ret = send(
        em,
        "alice",
        vec![transfer_msg(
            &alice_em,
            &em_chan,
            &cpt_voucher,
            7_000_000,
            &bob_cp,
            now_plus(em, FAR).await?,
        )],
    )
    .await?;
    wait_balance(cp, "bob", "ucpt", bob1 - out.fee).await?;
    assert_eq!(balance(em, "alice", &cpt_voucher).await?, 0);
    assert_eq!(balance(em, "alice", "uemc").await?, alice1 - ret.fee);
    assert_eq!(escrowed(cp, &cp_chan, "ucpt").await?, 0);
    eprintln!(
        "[{:>5.1}s] counterparty token round trip done",
        t0.elapsed().as_secs_f64()
    );

    // --- the relayer key is locked while `start` runs: a transfer from it is refused, nothing is sent ----------
    let (ok, _, err) = ibc.relayer.output(&[
        "transfer",
        "--from",
        "edgemint-local-1",
        "--amount",
        "1",
        "--receiver",
        &bob_cp,
    ])?;
    ensure!(
        !ok && err.contains("in use by a running edgemint-relayer"),
        "transfer with the relayer key: {err}"
    );
    let (ok, _, err) = ibc.relayer.output(&["start"])?;
    ensure!(
        !ok && err.contains("in use by a running edgemint-relayer"),
        "second start: {err}"
    );

    // --- short timeout while the relayer is stopped: after restart the timeout is relayed and alice refunded ---
    // (Acks of the round trips above may still be on their way: let them land first.)
    wait_for("no pending packets or acks", RELAY_TIMEOUT, || async {
        Ok((pending(&ibc.relayer.status()?) == (0, 0)).then_some(()))
    })
    .await?;
    ibc.relayer.stop();
    let alice2 = balance(em, "alice", "uemc").await?;
    let deadline = chain_time_ns(&cp.client(0)?).await? + 4_000_000_000;
    let out = send(
        em,
        "alice",
        vec![transfer_msg(&alice_em, &em_chan, "uemc", 1_000_000, &bob_cp, deadline)],
    )
    .await?;
    assert_eq!(balance(em, "alice", "uemc").await?, alice2 - 1_000_000 - out.fee);
    // Past the deadline on the counterparty's clock, the packet can only time out.
    let cp_client = cp.client(0)?;
    wait_for(
        "the counterparty's clock to pass the timeout",
        Duration::from_secs(60),
        || async { Ok((chain_time_ns(&cp_client).await? > deadline + 1_000_000_000).then_some(())) },
    )
    .await?;
    assert_eq!(
        pending(&ibc.relayer.status()?),
        (1, 0),
        "the packet waits while no relayer runs"
    );
    ibc.relayer
        .start(&["--refresh-margin", "0.9", "--monitor-interval", "2"])?;
    wait_balance(em, "alice", "uemc", alice2 - out.fee).await?;
    assert_eq!(
        balance(cp, "bob", &emc_voucher).await?,
        0,
        "a timed-out packet is never received"
    );
    assert_eq!(escrowed(em, &em_chan, "uemc").await?, 0, "refund came out of escrow");
    eprintln!(
        "[{:>5.1}s] timeout relayed after restart, alice refunded",
        t0.elapsed().as_secs_f64()
    );

    // --- kill the relayer while 20 transfers are in flight; after restart all arrive, none twice --------------
    let alice3 = balance(em, "alice", "uemc").await?;
    let timeout = now_plus(em, FAR).await?;
    let msgs: Vec<_> = (0..20)
        .map(|_| transfer_msg(&alice_em, &em_chan, "uemc", 100_000, &bob_cp, timeout))
        .collect();
    let voucher0 = balance(cp, "bob", &emc_voucher).await?;
    let out = send(em, "alice", msgs).await?;
    // Kill -9 the moment the counterparty has received the packets: their 20 acks are then in flight (relayed back
    // in a following block), the worst point to lose the relayer's memory.
    let cp_client = cp.client(0)?;
    let deadline = Instant::now() + RELAY_TIMEOUT;
    while cp_client.balance_of(&bob_cp, &emc_voucher).await? == voucher0 {
        ensure!(
            Instant::now() < deadline,
            "the relayer did not deliver the 20 packets:\n{}",
            ibc.relayer.log_tail(20)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ibc.relayer.kill();
    let (p, a) = pending(&ibc.relayer.status()?);
    eprintln!(
        "[{:>5.1}s] relayer killed with {p} packet(s) and {a} ack(s) pending",
        t0.elapsed().as_secs_f64()
    );
    ensure!(p + a > 0, "nothing was in flight when the relayer was killed");
    // Five more while it is dead: the channel's lowest pending sequence is now a received packet awaiting its ack,
    // which Hermes 1.10.5 takes at start to mean "no packets to relay" (it samples one commitment); the watchdog's
    // stuck-packet clear must deliver them.
    let late: Vec<_> = (0..5)
        .map(|_| transfer_msg(&alice_em, &em_chan, "uemc", 100_000, &bob_cp, timeout))
        .collect();
    let late_out = send(em, "alice", late).await?;
    ibc.relayer.start(&[
        "--refresh-margin",
        "0.9",
        "--monitor-interval",
        "2",
        "--stuck-after",
        "10",
    ])?;
    wait_balance(cp, "bob", &emc_voucher, 2_500_000).await?;
    wait_for("no pending packets or acks", RELAY_TIMEOUT, || async {
        Ok((pending(&ibc.relayer.status()?) == (0, 0)).then_some(()))
    })
    .await?;
    // Exactly 25 × 100_000: each packet received once; none refunded, none minted twice (also not a bit later).
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(balance(cp, "bob", &emc_voucher).await?, 2_500_000);
    assert_eq!(supply(cp, &emc_voucher).await?, 2_500_000);
    assert_eq!(escrowed(em, &em_chan, "uemc").await?, 2_500_000);
    assert_eq!(
        balance(em, "alice", "uemc").await?,
        alice3 - 2_500_000 - out.fee - late_out.fee
    );
    let acks = rest(
        cp,
        &format!("/ibc/core/channel/v1/channels/{cp_chan}/ports/transfer/packet_acknowledgements"),
    )?;
    let acked = acks["acknowledgements"].as_array().map_or(0, Vec::len);
    ensure!(
        acked >= 25,
        "the counterparty wrote an acknowledgement per packet: {acks}"
    );
    eprintln!(
        "[{:>5.1}s] 20 in-flight + 5 later transfers arrived once each after a kill -9",
        t0.elapsed().as_secs_f64()
    );

    // --- operator metrics: backlog drained, clients alive and refreshed by the watchdog, balances exported -----
    let m = ibc.relayer.metrics()?;
    let lbl = format!("src_chain=\"edgemint-local-1\",src_channel=\"{em_chan}\"");
    assert_eq!(metric(&m, "edgemint_relayer_backlog_packets{", &lbl), Some(0.0), "{m}");
    assert_eq!(
        metric(&m, "edgemint_relayer_backlog_oldest_age_seconds{", &lbl),
        Some(0.0)
    );
    let expiry = metric(
        &m,
        "edgemint_relayer_client_expiry_seconds{",
        "host_chain=\"wasm-local-1\"",
    )
    .unwrap_or(-1.0);
    ensure!(
        expiry > 0.0 && expiry <= 80.0,
        "client of edgemint-local-1 alive within its 80 s trusting period: {expiry}"
    );
    let bal = metric(&m, "edgemint_relayer_balance{", "chain=\"edgemint-local-1\"").unwrap_or(0.0);
    ensure!(bal > 0.0, "relayer balance exported");
    assert_eq!(
        metric(&m, "edgemint_relayer_fee_funds_ok{", "chain=\"wasm-local-1\""),
        Some(1.0)
    );
    if p == 0 {
        // All 20 were received when killed, so only the watchdog's clear could deliver the 5 late ones.
        let clears = metric(
            &m,
            "edgemint_relayer_stuck_clears_total{",
            "src_chain=\"edgemint-local-1\"",
        );
        ensure!(
            clears.is_some_and(|c| c >= 1.0),
            "the watchdog cleared the stuck packets: {clears:?}"
        );
    }
    wait_for("a watchdog client refresh", Duration::from_secs(30), || async {
        let m = ibc.relayer.metrics()?;
        Ok(metric(
            &m,
            "edgemint_relayer_client_refreshes_total{",
            "host_chain=\"wasm-local-1\"",
        )
        .filter(|n| *n >= 1.0)
        .map(|_| ()))
    })
    .await?;
    eprintln!("[{:>5.1}s] metrics checked", t0.elapsed().as_secs_f64());

    // --- a relayer whose key cannot pay fees refuses to start, saying so --------------------------------------
    let broke = Relayer::new()?;
    broke.run(&[
        "config",
        "init",
        "--key-name",
        "broke",
        "--chain",
        &em.net.dir.display().to_string(),
        "--chain",
        &cp.net.dir.display().to_string(),
    ])?;
    let key = chain_config::keys::KeyInfo::generate("broke", "emc", 118)?;
    let file = broke.home.join("broke.mnemonic");
    std::fs::write(&file, &key.mnemonic)?;
    for chain in ["edgemint-local-1", "wasm-local-1"] {
        broke.run(&[
            "keys",
            "add",
            "--chain",
            chain,
            "--mnemonic-file",
            &file.display().to_string(),
        ])?;
    }
    std::fs::copy(ibc.relayer.home.join("paths.json"), broke.home.join("paths.json"))?;
    let (ok, _, err) = broke.output(&["start"])?;
    ensure!(!ok, "an unfunded relayer must not start");
    ensure!(
        err.contains(&key.address) && err.contains("holds 0uemc") && err.contains("insufficient fees"),
        "out-of-fees error names the account, its balance and the consequence: {err}"
    );

    // --- bad input: clear errors, nothing sent, nothing overwritten --------------------------------------------
    let nonce0 = em.client(0)?.account(&alice_em).await?.1;
    for (args, want) in [
        (
            vec![
                "transfer",
                "--from",
                "edgemint-local-1",
                "--amount",
                "0",
                "--receiver",
                &bob_cp,
            ],
            "--amount must be positive",
        ),
        (
            vec![
                "transfer",
                "--from",
                "edgemint-local-1",
                "--amount",
                "5",
                "--receiver",
                &bob_cp,
                "--key",
                "alice",
                "--denom",
                "transfer//uemc",
            ],
            "not a denom trace",
        ),
        (
            vec!["transfer", "--from", "nope-1", "--amount", "5", "--receiver", &bob_cp],
            "does not touch nope-1",
        ),
        (
            vec![
                "transfer",
                "--path",
                "nope",
                "--from",
                "edgemint-local-1",
                "--amount",
                "5",
                "--receiver",
                &bob_cp,
            ],
            "no saved path named `nope`",
        ),
        (
            vec![
                "path",
                "create",
                "--name",
                "bad name",
                "--a-chain",
                "edgemint-local-1",
                "--b-chain",
                "wasm-local-1",
            ],
            "path name",
        ),
        (
            vec![
                "path",
                "create",
                "--name",
                "x",
                "--a-chain",
                "edgemint-local-1",
                "--b-chain",
                "edgemint-local-1",
            ],
            "two different chains",
        ),
        (
            vec!["config", "init", "--chain", "/nonexistent", "--chain", "/nonexistent"],
            "exists: pass --force",
        ),
        (
            vec![
                "keys",
                "add",
                "--chain",
                "edgemint-local-1",
                "--mnemonic-file",
                "/etc/hostname",
                "--key-name",
                "x",
            ],
            "BIP-39",
        ),
    ] {
        let (ok, _, err) = ibc.relayer.output(&args)?;
        ensure!(
            !ok && err.contains(want),
            "{args:?}: expected an error containing `{want}`, got: {err}"
        );
    }
    assert_eq!(
        em.client(0)?.account(&alice_em).await?.1,
        nonce0,
        "no transaction was sent"
    );
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(&ibc.relayer.run(&["path", "list", "--json"])?)?["paths"][0]
    );

    let st = ibc.relayer.status()?;
    assert_eq!(st["paths"][0]["a_channel_state"], "OPEN");
    assert_eq!(st["paths"][0]["b_channel_state"], "OPEN");
    eprintln!("[{:>5.1}s] done", t0.elapsed().as_secs_f64());
    Ok(())
}

/// `net`'s latest block time plus `ns` (an absolute timeout for packets arriving on `net`... or leaving it: both
/// chains' clocks are the same machine's).
async fn now_plus(net: &TestNet, ns: u64) -> Result<u64> {
    Ok(chain_time_ns(&net.client(0)?).await? + ns)
}
