//! What `status` prints and `start` exports as metrics, computed from chain state through Hermes' chain handles:
//! channel states, pending packets and acks each way with the age of the oldest, client heights and time left
//! before the trusting period runs out, and the relayer's balances.

use anyhow::{anyhow, Result};
use ibc_relayer::chain::counterparty::pending_packet_summary;
use ibc_relayer::chain::handle::ChainHandle;
use ibc_relayer::chain::requests::{
    IncludeProof, Paginate, Qualified, QueryChannelRequest, QueryClientStateRequest, QueryConsensusStateRequest,
    QueryHeight, QueryHostConsensusStateRequest, QueryPacketEventDataRequest,
};
use ibc_relayer_types::core::ics04_channel::channel::IdentifiedChannelEnd;
use ibc_relayer_types::core::ics04_channel::packet::Sequence;
use ibc_relayer_types::core::ics24_host::identifier::{ChannelId, ClientId, PortId};
use ibc_relayer_types::events::WithBlockDataType;
use ibc_relayer_types::Height;
use serde::Serialize;

use crate::paths::{PathEnd, SavedPath};

#[derive(Debug, Clone, Serialize)]
pub struct Direction {
    pub src_chain: String,
    pub src_channel: String,
    pub dst_chain: String,
    pub dst_channel: String,
    /// Sent on `src_chain`, not yet received on `dst_chain` (or timed out and not yet refunded).
    pub pending_packets: Vec<u64>,
    /// Received on `dst_chain`, acknowledgement not yet relayed back to `src_chain`.
    pub pending_acks: Vec<u64>,
    /// Seconds since the oldest pending packet or ack was sent (by `src_chain`'s block time).
    pub oldest_pending_age_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientInfo {
    pub host_chain: String,
    pub client_id: String,
    pub tracked_chain: String,
    pub latest_height: String,
    pub trusting_period_secs: u64,
    /// Trusting period end minus the host chain's latest block time; negative once expired.
    pub expires_in_secs: i64,
    pub frozen: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathStatus {
    pub name: String,
    pub a_chain: String,
    pub b_chain: String,
    pub a_channel_state: String,
    pub b_channel_state: String,
    /// a→b then b→a.
    pub directions: Vec<Direction>,
    /// The client on a (tracking b), then the client on b.
    pub clients: Vec<ClientInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BalanceInfo {
    pub chain: String,
    pub key: String,
    pub address: String,
    pub amount: u128,
    pub denom: String,
    /// max_gas × gas price: below this the next transaction may fail for fees.
    pub needed_per_tx: u128,
}

fn port(s: &str) -> Result<PortId> {
    s.parse().map_err(|e| anyhow!("port {s}: {e}"))
}
fn channel(s: &str) -> Result<ChannelId> {
    s.parse().map_err(|e| anyhow!("channel {s}: {e}"))
}
fn client(s: &str) -> Result<ClientId> {
    s.parse().map_err(|e| anyhow!("client {s}: {e}"))
}

fn channel_end(chain: &impl ChainHandle, end: &PathEnd) -> Result<IdentifiedChannelEnd> {
    let (ch, _) = chain
        .query_channel(
            QueryChannelRequest {
                port_id: port(&end.port_id)?,
                channel_id: channel(&end.channel_id)?,
                height: QueryHeight::Latest,
            },
            IncludeProof::No,
        )
        .map_err(|e| anyhow!("channel {}/{} on {}: {e}", end.port_id, end.channel_id, end.chain_id))?;
    Ok(IdentifiedChannelEnd::new(
        port(&end.port_id)?,
        channel(&end.channel_id)?,
        ch,
    ))
}

/// Unix seconds of `chain`'s block at `height` (latest when None).
fn block_time(chain: &impl ChainHandle, height: Option<Height>) -> Result<i64> {
    let cs = chain
        .query_host_consensus_state(QueryHostConsensusStateRequest {
            height: height.map_or(QueryHeight::Latest, QueryHeight::Specific),
        })
        .map_err(|e| anyhow!("block time on {}: {e}", chain.id()))?;
    Ok((cs.timestamp().nanoseconds() / 1_000_000_000) as i64)
}

/// Age of packet `seq` sent from `src` over (src_end → dst_end), from the height of its send_packet event.
fn packet_age(src: &impl ChainHandle, src_end: &PathEnd, dst_end: &PathEnd, seq: u64, now: i64) -> Result<u64> {
    let events = src
        .query_packet_events(QueryPacketEventDataRequest {
            event_id: WithBlockDataType::SendPacket,
            source_channel_id: channel(&src_end.channel_id)?,
            source_port_id: port(&src_end.port_id)?,
            destination_channel_id: channel(&dst_end.channel_id)?,
            destination_port_id: port(&dst_end.port_id)?,
            sequences: vec![Sequence::from(seq)],
            height: Qualified::SmallerEqual(QueryHeight::Latest),
        })
        .map_err(|e| anyhow!("send_packet event of sequence {seq} on {}: {e}", src.id()))?;
    let h = events
        .first()
        .map(|e| e.height)
        .ok_or_else(|| anyhow!("no send_packet event for sequence {seq} on {}", src.id()))?;
    Ok((now - block_time(src, Some(h))?).max(0) as u64)
}

fn direction(
    src: &impl ChainHandle,
    dst: &impl ChainHandle,
    src_end: &PathEnd,
    dst_end: &PathEnd,
    with_age: bool,
) -> Result<Direction> {
    let ch = channel_end(src, src_end)?;
    let pending = pending_packet_summary(src, dst, &ch, Paginate::All)
        .map_err(|e| anyhow!("pending packets {} → {}: {e}", src_end.chain_id, dst_end.chain_id))?;
    let pending_packets: Vec<u64> = pending.unreceived_packets.iter().map(|s| u64::from(*s)).collect();
    let pending_acks: Vec<u64> = pending.unreceived_acks.iter().map(|s| u64::from(*s)).collect();
    let oldest = pending_packets.iter().chain(pending_acks.iter()).min().copied();
    let oldest_pending_age_secs = match (oldest, with_age) {
        (Some(seq), true) => {
            let now = block_time(src, None)?;
            // An unindexed event (e.g. a node that prunes tx history) leaves the age unknown, not the status.
            packet_age(src, src_end, dst_end, seq, now)
                .map_err(|e| tracing::debug!("{e:#}"))
                .ok()
        }
        (None, _) => Some(0),
        (Some(_), false) => None,
    };
    Ok(Direction {
        src_chain: src_end.chain_id.clone(),
        src_channel: src_end.channel_id.clone(),
        dst_chain: dst_end.chain_id.clone(),
        dst_channel: dst_end.channel_id.clone(),
        pending_packets,
        pending_acks,
        oldest_pending_age_secs,
    })
}

/// The client `end.client_id` on `host` (tracking `tracked_chain`).
pub fn client_info(host: &impl ChainHandle, end: &PathEnd, tracked_chain: &str) -> Result<ClientInfo> {
    let id = client(&end.client_id)?;
    let (state, _) = host
        .query_client_state(
            QueryClientStateRequest {
                client_id: id.clone(),
                height: QueryHeight::Latest,
            },
            IncludeProof::No,
        )
        .map_err(|e| anyhow!("client {} on {}: {e}", end.client_id, end.chain_id))?;
    let latest = state.latest_height();
    let (consensus, _) = host
        .query_consensus_state(
            QueryConsensusStateRequest {
                client_id: id,
                consensus_height: latest,
                query_height: QueryHeight::Latest,
            },
            IncludeProof::No,
        )
        .map_err(|e| anyhow!("consensus state {latest} of {} on {}: {e}", end.client_id, end.chain_id))?;
    let updated = (consensus.timestamp().nanoseconds() / 1_000_000_000) as i64;
    let trusting = state.trusting_period();
    let now = block_time(host, None)?;
    Ok(ClientInfo {
        host_chain: end.chain_id.clone(),
        client_id: end.client_id.clone(),
        tracked_chain: tracked_chain.to_string(),
        latest_height: latest.to_string(),
        trusting_period_secs: trusting.as_secs(),
        expires_in_secs: updated + trusting.as_secs() as i64 - now,
        frozen: state.frozen_height().is_some(),
    })
}

pub fn path_status(p: &SavedPath, a: &impl ChainHandle, b: &impl ChainHandle, with_age: bool) -> Result<PathStatus> {
    let a_state = channel_end(a, &p.a)?.channel_end.state.as_string().to_string();
    let b_state = channel_end(b, &p.b)?.channel_end.state.as_string().to_string();
    Ok(PathStatus {
        name: p.name.clone(),
        a_chain: p.a.chain_id.clone(),
        b_chain: p.b.chain_id.clone(),
        a_channel_state: a_state,
        b_channel_state: b_state,
        directions: vec![
            direction(a, b, &p.a, &p.b, with_age)?,
            direction(b, a, &p.b, &p.a, with_age)?,
        ],
        clients: vec![
            client_info(a, &p.a, &p.b.chain_id)?,
            client_info(b, &p.b, &p.a.chain_id)?,
        ],
    })
}

pub fn balance_info(config: &ibc_relayer::config::Config, handle: &impl ChainHandle) -> Result<BalanceInfo> {
    let chain = handle.id().to_string();
    let c = crate::chains::cosmos(config, &chain)?;
    let need = crate::chains::fee_need(config, &chain)?;
    Ok(BalanceInfo {
        address: crate::chains::key_address(config, &chain, &c.key_name)?,
        amount: crate::chains::balance(handle, None, &need.denom)?,
        key: c.key_name,
        chain,
        denom: need.denom,
        needed_per_tx: need.per_tx,
    })
}

/// "1h 02m 03s" / "expired 5s ago".
pub fn human_secs(s: i64) -> String {
    let fmt = |v: u64| {
        let (h, m, sec) = (v / 3600, v / 60 % 60, v % 60);
        if h > 0 {
            format!("{h}h {m:02}m {sec:02}s")
        } else if m > 0 {
            format!("{m}m {sec:02}s")
        } else {
            format!("{sec}s")
        }
    };
    if s < 0 {
        format!("expired {} ago", fmt(s.unsigned_abs()))
    } else {
        fmt(s as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::human_secs;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_secs(5), "5s");
        assert_eq!(human_secs(65), "1m 05s");
        assert_eq!(human_secs(3723), "1h 02m 03s");
        assert_eq!(human_secs(-5), "expired 5s ago");
    }
}
