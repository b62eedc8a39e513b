//! IBC figures with edgemint-relayer (Hermes 1.10.5 library) between edgemintd and the counterparty, on fresh
//! 1 s-block localnets: latency from a transfer's inclusion to its receipt on the other chain (p50/p95 over N
//! transfers, in destination blocks and seconds), and throughput draining a backlog built while the relayer was
//! stopped, then the same for the stock `hermes` binary of the same version: a second backlog on the same channel,
//! drained by `hermes start` reading the config.toml `edgemint-relayer config init` wrote, with the same key.
//! Printed, not asserted. `cargo run -p e2e --bin ibc-bench -- [N] [BACKLOG]` (defaults 100 and 500; build the
//! relayer first: `cargo build -p relayer-ext`; install hermes: `bash scripts/install-hermes.sh`).

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use e2e::ibc::{chain_time_ns, config_key_name, ibc_denom, rest, send, transfer_msg, IbcNet, Relayer, StockHermes};
use e2e::{ChainClient, TestNet};

const FAR_NS: u64 = 3_600_000_000_000;

/// Height at which the counterparty received packet `seq` (CometBFT tx index), once it has.
fn recv_height(net: &TestNet, channel: &str, seq: u64) -> Result<Option<u64>> {
    let url = format!("{}/tx_search", net.net.nodes[0].rpc_url());
    let q = format!("\"recv_packet.packet_sequence='{seq}' AND recv_packet.packet_dst_channel='{channel}'\"");
    let v: serde_json::Value = ureq::get(&url)
        .query("query", &q)
        .timeout(Duration::from_secs(5))
        .call()?
        .into_json()?;
    Ok(v.pointer("/result/txs/0/height")
        .and_then(|h| h.as_str())
        .and_then(|h| h.parse().ok()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Unreceived packets plus unreceived acks on the saved path, as `edgemint-relayer status` computes them from both
/// chains (it needs no running relayer).
fn pending(relayer: &Relayer) -> Result<usize> {
    let st: serde_json::Value = relayer.status()?;
    let dirs = st["paths"][0]["directions"].as_array().cloned().unwrap_or_default();
    Ok(dirs
        .iter()
        .map(|d| d["pending_packets"].as_array().map_or(0, Vec::len) + d["pending_acks"].as_array().map_or(0, Vec::len))
        .sum())
}

/// Packet commitments left on the source end of `channel`: ibc-go deletes one when the packet's ack (or timeout)
/// is relayed back, so 0 means every packet sent was received and acknowledged.
fn commitments(em: &TestNet, channel: &str) -> Result<u64> {
    let v = rest(
        em,
        &format!(
            "/ibc/core/channel/v1/channels/{channel}/ports/transfer/packet_commitments\
             ?pagination.limit=1&pagination.count_total=true"
        ),
    )?;
    v.pointer("/pagination/total")
        .and_then(|t| t.as_str())
        .and_then(|t| t.parse().ok())
        .context("packet_commitments: no pagination.total")
}

/// Sends `backlog` 1-uemc transfers in txs of 100 messages.
async fn build_backlog(
    em: &TestNet,
    cp_client: &ChainClient,
    channel: &str,
    receiver: &str,
    backlog: usize,
) -> Result<()> {
    let sender = em.account("alice")?.address.clone();
    let timeout = chain_time_ns(cp_client).await? + FAR_NS;
    let mut left = backlog;
    while left > 0 {
        let k = left.min(100);
        let msgs = (0..k)
            .map(|_| transfer_msg(&sender, channel, "uemc", 1, receiver, timeout))
            .collect();
        send(em, "alice", msgs).await?;
        left -= k;
    }
    Ok(())
}

/// Seconds from `started` until the receiver holds `want` vouchers (all received) and until the source holds no
/// packet commitment (all acked).
async fn drain(
    ibc: &IbcNet,
    started: Instant,
    (receiver, voucher, want): (&str, &str, u128),
    log_tail: &dyn Fn() -> String,
) -> Result<(f64, f64)> {
    let (em_chan, _) = ibc.channels();
    let cp_client = ibc.cp.client(0)?;
    let deadline = started + Duration::from_secs(1200);
    let mut received = None;
    loop {
        if received.is_none() && cp_client.balance_of(receiver, voucher).await? >= want {
            received = Some(started.elapsed().as_secs_f64());
        }
        if let Some(r) = received {
            if commitments(&ibc.em, &em_chan)? == 0 {
                return Ok((r, started.elapsed().as_secs_f64()));
            }
        }
        if Instant::now() > deadline {
            bail!(
                "backlog not drained in 20 min (received: {}):\n{}",
                received.is_some(),
                log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn rate(n: usize, secs: f64) -> f64 {
    n as f64 / secs * 60.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100);
    let backlog: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    // Fail before the chains start if the stock binary is missing.
    e2e::ibc::hermes_binary()?;
    let t0 = Instant::now();
    let mut ibc = IbcNet::setup().await?;
    let (em_chan, cp_chan) = ibc.channels();
    eprintln!("chains and path ready in {:.0}s", t0.elapsed().as_secs_f64());
    let mut hermes = import_into_hermes(&ibc)?;
    ibc.relayer.start(&[])?;
    let (em, cp) = (&ibc.em, &ibc.cp);
    let alice = em.account("alice")?.address.clone();
    let bob = cp.account("bob")?.address.clone();
    let (em_client, cp_client) = (em.client(0)?, cp.client(0)?);

    // --- latency: one transfer at a time, each waited for -------------------------------------------------
    let (mut secs, mut blocks) = (Vec::new(), Vec::new());
    for i in 0..n {
        let timeout = chain_time_ns(&cp_client).await? + FAR_NS;
        let out = send(
            em,
            "alice",
            vec![transfer_msg(&alice, &em_chan, "uemc", 1, &bob, timeout)],
        )
        .await?;
        let (_, cp_h0) = cp_client.height_range().await?;
        let seq: u64 = out
            .attribute("send_packet", "packet_sequence")
            .context("no send_packet event")?
            .parse()?;
        let sent_ns = em_client.block_time_nanos(out.height).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let h = loop {
            if let Some(h) = recv_height(cp, &cp_chan, seq)? {
                break h;
            }
            if Instant::now() > deadline {
                bail!("packet {seq} not received within 60 s:\n{}", ibc.relayer.log_tail(20));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let recv_ns = cp_client.block_time_nanos(h).await?;
        secs.push((recv_ns - sent_ns) as f64 / 1e9);
        blocks.push(h.saturating_sub(cp_h0) as f64);
        if (i + 1) % 20 == 0 {
            eprintln!("  {} / {n} transfers measured", i + 1);
        }
    }
    secs.sort_by(f64::total_cmp);
    blocks.sort_by(f64::total_cmp);
    println!("IBC figures (edgemint-relayer on ibc-relayer 0.29.5, 1 s blocks, debug or release as built)");
    println!(
        "latency over {n} transfers, inclusion on edgemint-local-1 -> receipt on wasm-local-1: \
         p50 {:.2} s / {:.0} blocks, p95 {:.2} s / {:.0} blocks, max {:.2} s / {:.0} blocks",
        percentile(&secs, 0.5),
        percentile(&blocks, 0.5),
        percentile(&secs, 0.95),
        percentile(&blocks, 0.95),
        secs.last().copied().unwrap_or(f64::NAN),
        blocks.last().copied().unwrap_or(f64::NAN),
    );

    // --- throughput: build a backlog with the relayer stopped, then time the drain --------------------------
    // Quickly: edgemint-local-1 unbonds in 120 s, so its client on the counterparty trusts for 80 s; a relayer
    // down for longer lets it expire and the path is dead (Hermes can no longer update it).
    // Let the last acks land first, so the restart sees only unreceived packets (see `start --stuck-after`).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = pending(&ibc.relayer)?;
        if n == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("{n} packets/acks still pending after the latency run");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let voucher = ibc_denom(&format!("transfer/{cp_chan}/uemc"));

    // edgemint-relayer
    let down = Instant::now();
    ibc.relayer.stop();
    let before = cp_client.balance_of(&bob, &voucher).await?;
    build_backlog(em, &cp_client, &em_chan, &bob, backlog).await?;
    eprintln!(
        "backlog of {backlog} built with edgemint-relayer down for {:.0} s",
        down.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    ibc.relayer.start(&[])?;
    let want = before + backlog as u128;
    let ours = drain(&ibc, started, (&bob, &voucher, want), &|| ibc.relayer.log_tail(20)).await?;
    ibc.relayer.stop();

    // stock hermes: the same channel, starting from an empty queue.
    let (p, c) = (pending(&ibc.relayer)?, commitments(&ibc.em, &em_chan)?);
    ensure!(
        p == 0 && c == 0,
        "queue not empty before the stock hermes backlog: {p} pending packets/acks, {c} packet commitments"
    );
    let down = Instant::now();
    let before = cp_client.balance_of(&bob, &voucher).await?;
    build_backlog(em, &cp_client, &em_chan, &bob, backlog).await?;
    eprintln!(
        "backlog of {backlog} built with no relayer for {:.0} s",
        down.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    hermes.start()?;
    let want = before + backlog as u128;
    let stock = drain(&ibc, started, (&bob, &voucher, want), &|| hermes.log_tail(20)).await?;
    hermes.stop();

    // cargo install builds hermes in release; a debug edgemint-relayer is slower for that reason alone.
    let profile = ["release", "debug"]
        .into_iter()
        .find(|p| ibc.relayer.bin.components().any(|c| c.as_os_str() == *p))
        .unwrap_or("unknown");
    println!(
        "backlog {backlog} (same config.toml, same key, same channel; start-up included): \
         edgemint-relayer ({profile} build) received in {:.1} s = {:.0} packets/min, acked in {:.1} s = {:.0} packets/min; \
         stock hermes {} (release build) received in {:.1} s = {:.0} packets/min, acked in {:.1} s = {:.0} \
         packets/min",
        ours.0,
        rate(backlog, ours.0),
        ours.1,
        rate(backlog, ours.1),
        hermes.version,
        stock.0,
        rate(backlog, stock.0),
        stock.1,
        rate(backlog, stock.1),
    );
    Ok(())
}

/// Stock hermes on the relayer home's config.toml, as `edgemint-relayer config init` and `path create` wrote it
/// (telemetry port, key store folder and packet filter included: nothing is changed). The relayer key is imported
/// with hermes' own `keys add` from the same mnemonic file, under each chain's key_name; `--overwrite` because the
/// key store folder is the one `edgemint-relayer keys add` already wrote that key into (same mnemonic, same key).
fn import_into_hermes(ibc: &IbcNet) -> Result<StockHermes> {
    let config = ibc.relayer.home.join("config.toml");
    let hermes = StockHermes::new(config.clone(), ibc.relayer.home.join("hermes-start.log"))?;
    let mnemonic = ibc.mnemonic_file.display().to_string();
    for (chain, address) in &ibc.relayer_addresses {
        let key_name = config_key_name(&config, chain)?;
        let out = hermes.run(&[
            "keys",
            "add",
            "--chain",
            chain,
            "--mnemonic-file",
            &mnemonic,
            "--key-name",
            &key_name,
            "--overwrite",
        ])?;
        ensure!(
            out.contains(address.as_str()),
            "hermes keys add on {chain} did not restore {address}:\n{out}"
        );
    }
    Ok(hermes)
}
