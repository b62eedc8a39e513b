//! IBC figures with edgemint-relayer (Hermes 1.10.5 library) between edgemintd and the counterparty, on fresh
//! 1 s-block localnets: latency from a transfer's inclusion to its receipt on the other chain (p50/p95 over N
//! transfers, in destination blocks and seconds), and throughput draining a backlog built while the relayer was
//! stopped. Printed, not asserted. `cargo run -p e2e --bin ibc-bench -- [N] [BACKLOG]` (defaults 100 and 500;
//! build the relayer first: `cargo build -p relayer-ext`).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use e2e::ibc::{chain_time_ns, ibc_denom, send, transfer_msg, IbcNet};
use e2e::TestNet;

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

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100);
    let backlog: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let t0 = Instant::now();
    let mut ibc = IbcNet::setup().await?;
    let (em_chan, cp_chan) = ibc.channels();
    eprintln!("chains and path ready in {:.0}s", t0.elapsed().as_secs_f64());
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
        let st: serde_json::Value = ibc.relayer.status()?;
        let dirs = st["paths"][0]["directions"].as_array().cloned().unwrap_or_default();
        let n: usize = dirs
            .iter()
            .map(|d| {
                d["pending_packets"].as_array().map_or(0, Vec::len) + d["pending_acks"].as_array().map_or(0, Vec::len)
            })
            .sum();
        if n == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("{n} packets/acks still pending after the latency run");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let down = Instant::now();
    ibc.relayer.stop();
    let voucher = ibc_denom(&format!("transfer/{cp_chan}/uemc"));
    let before = cp_client.balance_of(&bob, &voucher).await?;
    let timeout = chain_time_ns(&cp_client).await? + FAR_NS;
    let mut left = backlog;
    while left > 0 {
        let k = left.min(100);
        let msgs = (0..k)
            .map(|_| transfer_msg(&alice, &em_chan, "uemc", 1, &bob, timeout))
            .collect();
        send(em, "alice", msgs).await?;
        left -= k;
    }
    eprintln!(
        "backlog of {backlog} built with the relayer down for {:.0} s",
        down.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    ibc.relayer.start(&[])?;
    let want = before + backlog as u128;
    let deadline = Instant::now() + Duration::from_secs(1200);
    while cp_client.balance_of(&bob, &voucher).await? < want {
        if Instant::now() > deadline {
            bail!("backlog not drained in 20 min:\n{}", ibc.relayer.log_tail(20));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let drained = started.elapsed().as_secs_f64();

    println!(
        "throughput: backlog of {backlog} packets received in {drained:.1} s after start = {:.0} packets/min \
         (includes the relayer's start-up)",
        backlog as f64 / drained * 60.0
    );
    Ok(())
}
