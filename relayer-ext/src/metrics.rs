//! Prometheus metrics: ours (backlog and its age per channel, client expiry, balances, refreshes) next to Hermes'
//! own telemetry families, on one `/metrics` endpoint.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use prometheus::{Encoder, GaugeVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::monitor::{BalanceInfo, PathStatus};

pub struct Metrics {
    registry: Registry,
    backlog_packets: IntGaugeVec,
    backlog_acks: IntGaugeVec,
    backlog_oldest_age: IntGaugeVec,
    client_expiry: IntGaugeVec,
    client_trusting: IntGaugeVec,
    balance: GaugeVec,
    funds_ok: IntGaugeVec,
    pub refreshes: IntCounterVec,
    pub stuck_clears: IntCounterVec,
    pub monitor_errors: IntCounterVec,
}

const CHANNEL_LABELS: &[&str] = &["path", "src_chain", "src_channel", "dst_chain", "dst_channel"];
const CLIENT_LABELS: &[&str] = &["path", "host_chain", "client_id", "tracked_chain"];

impl Metrics {
    pub fn new() -> Result<Self> {
        let registry = Registry::new();
        let int_gauge = |name: &str, help: &str, labels: &[&str]| -> Result<IntGaugeVec> {
            let g = IntGaugeVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let counter = |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec> {
            let c = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        let balance = GaugeVec::new(
            Opts::new(
                "edgemint_relayer_balance",
                "Relayer account balance in base units of the fee denom",
            ),
            &["chain", "address", "denom"],
        )?;
        registry.register(Box::new(balance.clone()))?;
        Ok(Self {
            backlog_packets: int_gauge(
                "edgemint_relayer_backlog_packets",
                "Packets sent on src_chain and not yet received on dst_chain",
                CHANNEL_LABELS,
            )?,
            backlog_acks: int_gauge(
                "edgemint_relayer_backlog_acks",
                "Packets received on dst_chain whose acknowledgement is not yet relayed back to src_chain",
                CHANNEL_LABELS,
            )?,
            backlog_oldest_age: int_gauge(
                "edgemint_relayer_backlog_oldest_age_seconds",
                "Age of the oldest pending packet or ack of the channel (0 when nothing is pending)",
                CHANNEL_LABELS,
            )?,
            client_expiry: int_gauge(
                "edgemint_relayer_client_expiry_seconds",
                "Seconds until the client's trusting period ends (negative: expired)",
                CLIENT_LABELS,
            )?,
            client_trusting: int_gauge(
                "edgemint_relayer_client_trusting_period_seconds",
                "Trusting period of the client",
                CLIENT_LABELS,
            )?,
            balance,
            funds_ok: int_gauge(
                "edgemint_relayer_fee_funds_ok",
                "1 while the relayer account can pay one more transaction at max_gas, else 0",
                &["chain", "address"],
            )?,
            refreshes: counter(
                "edgemint_relayer_client_refreshes_total",
                "Client updates sent by the expiry watchdog",
                &["host_chain", "client_id"],
            )?,
            stuck_clears: counter(
                "edgemint_relayer_stuck_clears_total",
                "Clears run by the watchdog for packets or acks pending longer than --stuck-after",
                &["path", "src_chain", "src_channel"],
            )?,
            monitor_errors: counter(
                "edgemint_relayer_monitor_errors_total",
                "Failed status queries, by what was being queried",
                &["what"],
            )?,
            registry,
        })
    }

    pub fn record_path(&self, p: &PathStatus) {
        for d in &p.directions {
            let l = [
                p.name.as_str(),
                &d.src_chain,
                &d.src_channel,
                &d.dst_chain,
                &d.dst_channel,
            ];
            self.backlog_packets
                .with_label_values(&l)
                .set(d.pending_packets.len() as i64);
            self.backlog_acks.with_label_values(&l).set(d.pending_acks.len() as i64);
            match d.oldest_pending_age_secs {
                Some(a) => self.backlog_oldest_age.with_label_values(&l).set(a as i64),
                None => {
                    let _ = self.backlog_oldest_age.remove_label_values(&l);
                }
            }
        }
        for c in &p.clients {
            let l = [p.name.as_str(), &c.host_chain, &c.client_id, &c.tracked_chain];
            self.client_expiry.with_label_values(&l).set(c.expires_in_secs);
            self.client_trusting
                .with_label_values(&l)
                .set(c.trusting_period_secs as i64);
        }
    }

    pub fn record_balance(&self, b: &BalanceInfo) {
        self.balance
            .with_label_values(&[&b.chain, &b.address, &b.denom])
            .set(b.amount as f64);
        self.funds_ok
            .with_label_values(&[&b.chain, &b.address])
            .set(i64::from(b.amount >= b.needed_per_tx));
    }

    /// Ours, then Hermes' families, in the Prometheus text format.
    pub fn render(&self) -> Vec<u8> {
        let mut families = self.registry.gather();
        families.extend(ibc_telemetry::global().gather());
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&families, &mut out) {
            tracing::error!("encoding metrics: {e}");
        }
        out
    }
}

/// Serves GET /metrics on `addr` from a thread; returns the bound address (port 0 picks a free one).
pub fn serve(addr: &str, metrics: Arc<Metrics>) -> Result<SocketAddr> {
    let listener = TcpListener::bind(addr).with_context(|| format!("binding the metrics endpoint {addr}"))?;
    let local = listener.local_addr()?;
    std::thread::Builder::new().name("metrics".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Err(e) = answer(stream, &metrics) {
                tracing::debug!("metrics request: {e}");
            }
        }
    })?;
    Ok(local)
}

fn answer(mut stream: TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    // A slow or silent client must not hold the only serving thread.
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.by_ref().take(8192).read_line(&mut request_line)?;
    // Drain the headers (bounded) so the client sees a clean response.
    let mut line = String::new();
    for _ in 0..100 {
        line.clear();
        if reader.by_ref().take(8192).read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, ctype, body) = match (method, target) {
        ("GET", "/metrics") => ("200 OK", "text/plain; version=0.0.4", metrics.render()),
        ("GET", _) => ("404 Not Found", "text/plain", b"only /metrics is served\n".to_vec()),
        _ => ("405 Method Not Allowed", "text/plain", b"GET only\n".to_vec()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{ClientInfo, Direction};

    fn get(addr: SocketAddr, req: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn exports_backlog_expiry_and_balance() {
        let m = Arc::new(Metrics::new().unwrap());
        m.record_path(&PathStatus {
            name: "p".into(),
            a_chain: "a-1".into(),
            b_chain: "b-1".into(),
            a_channel_state: "OPEN".into(),
            b_channel_state: "OPEN".into(),
            directions: vec![Direction {
                src_chain: "a-1".into(),
                src_channel: "channel-0".into(),
                dst_chain: "b-1".into(),
                dst_channel: "channel-1".into(),
                pending_packets: vec![4, 5, 6],
                pending_acks: vec![3],
                oldest_pending_age_secs: Some(42),
            }],
            clients: vec![ClientInfo {
                host_chain: "a-1".into(),
                client_id: "07-tendermint-0".into(),
                tracked_chain: "b-1".into(),
                latest_height: "1-10".into(),
                trusting_period_secs: 80,
                expires_in_secs: 61,
                frozen: false,
            }],
        });
        m.record_balance(&BalanceInfo {
            chain: "a-1".into(),
            key: "relayer".into(),
            address: "emc1x".into(),
            amount: 5,
            denom: "uemc".into(),
            needed_per_tx: 10,
        });
        let addr = serve("127.0.0.1:0", m).unwrap();
        let out = get(addr, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
        let l = r#"path="p",src_chain="a-1",src_channel="channel-0""#;
        for want in [
            format!("edgemint_relayer_backlog_packets{{dst_chain=\"b-1\",dst_channel=\"channel-1\",{l}}} 3"),
            format!("edgemint_relayer_backlog_acks{{dst_chain=\"b-1\",dst_channel=\"channel-1\",{l}}} 1"),
            format!("edgemint_relayer_backlog_oldest_age_seconds{{dst_chain=\"b-1\",dst_channel=\"channel-1\",{l}}} 42"),
            r#"edgemint_relayer_client_expiry_seconds{client_id="07-tendermint-0",host_chain="a-1",path="p",tracked_chain="b-1"} 61"#.to_string(),
            r#"edgemint_relayer_balance{address="emc1x",chain="a-1",denom="uemc"} 5"#.to_string(),
            r#"edgemint_relayer_fee_funds_ok{address="emc1x",chain="a-1"} 0"#.to_string(),
        ] {
            assert!(out.contains(&want), "missing {want} in\n{out}");
        }
        assert!(get(addr, "GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "POST /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
        // a client that sends nothing and hangs up does not stop the server
        drop(TcpStream::connect(addr).unwrap());
        assert!(get(addr, "GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
    }
}
