use std::collections::BTreeMap;

use abscissa_core::clap::Parser;
use abscissa_core::{Command, Runnable};
use anyhow::{bail, Result};

use crate::chains;
use crate::monitor::{self, human_secs};
use crate::paths::PathsFile;

#[derive(Command, Debug, Parser)]
pub struct StatusCmd {
    /// Only this saved path.
    #[arg(long)]
    pub path: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl Runnable for StatusCmd {
    fn run(&self) {
        super::finish(self.execute())
    }
}

impl StatusCmd {
    fn execute(&self) -> Result<()> {
        let config = super::require_config()?;
        let home = crate::application::home();
        let saved = PathsFile::load(&home.paths_path())?;
        let paths: Vec<_> = match &self.path {
            Some(_) => vec![saved.pick(self.path.as_deref())?.clone()],
            None => saved.paths.clone(),
        };
        if paths.is_empty() {
            bail!("no saved path: run `edgemint-relayer path create` first");
        }
        let rt = chains::runtime()?;
        let mut handles = BTreeMap::new();
        for p in &paths {
            for c in [&p.a.chain_id, &p.b.chain_id] {
                if !handles.contains_key(c) {
                    handles.insert(c.clone(), chains::spawn(&config, c, None, rt.clone())?);
                }
            }
        }
        let mut statuses = Vec::new();
        for p in &paths {
            statuses.push(monitor::path_status(
                p,
                &handles[&p.a.chain_id],
                &handles[&p.b.chain_id],
                true,
            )?);
        }
        let mut balances = Vec::new();
        for h in handles.values() {
            balances.push(monitor::balance_info(&config, h)?);
        }
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"paths": statuses, "balances": balances}))?
            );
            return Ok(());
        }
        for st in &statuses {
            println!("path {}: {} <-> {}", st.name, st.a_chain, st.b_chain);
            println!(
                "  channel: {} on {}, {} on {}",
                st.a_channel_state, st.a_chain, st.b_channel_state, st.b_chain
            );
            for d in &st.directions {
                let age = match d.oldest_pending_age_secs {
                    Some(0) if d.pending_packets.is_empty() && d.pending_acks.is_empty() => String::new(),
                    Some(a) => format!(", oldest pending {}", human_secs(a as i64)),
                    None => ", age of oldest unknown".into(),
                };
                println!(
                    "  {} {} -> {} {}: {} packet(s) to receive {:?}, {} ack(s) to return {:?}{age}",
                    d.src_chain,
                    d.src_channel,
                    d.dst_chain,
                    d.dst_channel,
                    d.pending_packets.len(),
                    d.pending_packets,
                    d.pending_acks.len(),
                    d.pending_acks,
                );
            }
            for c in &st.clients {
                let state = if c.frozen {
                    "FROZEN".to_string()
                } else if c.expires_in_secs < 0 {
                    human_secs(c.expires_in_secs)
                } else {
                    format!("expires in {}", human_secs(c.expires_in_secs))
                };
                println!(
                    "  client {} on {} (tracks {}): height {}, trusting period {}, {state}",
                    c.client_id,
                    c.host_chain,
                    c.tracked_chain,
                    c.latest_height,
                    human_secs(c.trusting_period_secs as i64)
                );
            }
        }
        println!("relayer balances:");
        for b in &balances {
            let low = if b.amount < b.needed_per_tx {
                format!("  LOW: one transaction may cost {}{}", b.needed_per_tx, b.denom)
            } else {
                String::new()
            };
            println!("  {} {} ({}): {}{}{low}", b.chain, b.address, b.key, b.amount, b.denom);
        }
        Ok(())
    }
}
