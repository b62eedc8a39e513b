use std::time::Duration;

use abscissa_core::clap::Parser;
use abscissa_core::{Command, Runnable};
use anyhow::{anyhow, bail, Context, Result};
use ibc_relayer::transfer::{build_and_send_transfer_messages, TransferOptions};
use ibc_relayer_types::applications::transfer::Amount;
use ibc_relayer_types::events::IbcEvent;

use crate::chains;
use crate::locks::KeyLock;
use crate::paths::PathsFile;

#[derive(Command, Debug, Parser)]
pub struct TransferCmd {
    /// Saved path (optional when only one is saved).
    #[arg(long)]
    pub path: Option<String>,
    /// Chain the tokens leave from (one end of the path).
    #[arg(long)]
    pub from: String,
    /// Amount in base units.
    #[arg(long)]
    pub amount: u128,
    /// Base denom, `ibc/<hash>`, or a trace such as `transfer/channel-0/uemc` (default: the chain's fee denom).
    #[arg(long)]
    pub denom: Option<String>,
    /// Address on the other chain.
    #[arg(long)]
    pub receiver: String,
    /// The packet times out this many seconds after the destination's latest block time (0: no time limit).
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// The packet also times out this many blocks above the destination's latest height (0: no height limit).
    #[arg(long, default_value_t = 0)]
    pub timeout_height_offset: u64,
    /// Key that sends and pays (default: the relayer key of the chain).
    #[arg(long)]
    pub key: Option<String>,
    /// Identical transfers in one transaction.
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    #[arg(long)]
    pub memo: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl Runnable for TransferCmd {
    fn run(&self) {
        super::finish(self.execute())
    }
}

impl TransferCmd {
    fn execute(&self) -> Result<()> {
        if self.amount == 0 {
            bail!("--amount must be positive");
        }
        if self.count == 0 || self.count > 100 {
            bail!("--count must be 1-100");
        }
        if self.timeout_secs == 0 && self.timeout_height_offset == 0 {
            bail!("a transfer needs a timeout: --timeout-secs or --timeout-height-offset");
        }
        let config = super::require_config()?;
        let home = crate::application::home();
        let saved = PathsFile::load(&home.paths_path())?;
        let path = saved.pick(self.path.as_deref())?;
        let (src, dst) = path
            .ends_from(&self.from)
            .with_context(|| format!("path `{}` does not touch {}", path.name, self.from))?;
        let relayer_key = chains::cosmos(&config, &src.chain_id)?.key_name;
        let key = self.key.clone().unwrap_or(relayer_key.clone());
        // Sending from the key a running `start` signs with would race it on the account sequence.
        KeyLock::check_free(&home.locks_dir(), &src.chain_id, &key)?;
        let denom = match &self.denom {
            Some(d) => crate::denom::bank_denom(d)?,
            None => chains::fee_need(&config, &src.chain_id)?.denom,
        };
        let amount: Amount = self.amount.to_string().parse().map_err(|e| anyhow!("amount: {e}"))?;
        let rt = chains::runtime()?;
        let src_handle = chains::spawn(&config, &src.chain_id, Some(&key), rt.clone())?;
        let dst_handle = chains::spawn(&config, &dst.chain_id, None, rt)?;
        let opts = TransferOptions {
            src_port_id: src.port_id.parse().map_err(|e| anyhow!("port: {e}"))?,
            src_channel_id: src.channel_id.parse().map_err(|e| anyhow!("channel: {e}"))?,
            amount,
            denom: denom.clone(),
            receiver: Some(self.receiver.clone()),
            timeout_height_offset: self.timeout_height_offset,
            timeout_duration: Duration::from_secs(self.timeout_secs),
            number_msgs: self.count,
            memo: self.memo.clone(),
        };
        let events = build_and_send_transfer_messages(&src_handle, &dst_handle, &opts)
            .map_err(|e| anyhow!("transfer from {}: {e}", src.chain_id))?;
        let mut sequences = Vec::new();
        let mut height = None;
        for ev in &events {
            if let IbcEvent::SendPacket(sp) = &ev.event {
                sequences.push(u64::from(sp.packet.sequence));
                height = Some(ev.height.revision_height());
            }
        }
        if sequences.is_empty() {
            bail!("the transaction was committed but emitted no send_packet event: {events:?}");
        }
        if self.json {
            println!(
                "{}",
                serde_json::json!({
                    "src_chain": src.chain_id, "src_channel": src.channel_id, "dst_chain": dst.chain_id,
                    "sequences": sequences, "height": height, "denom": denom, "amount": self.amount.to_string(),
                })
            );
        } else {
            println!(
                "sent {} × {}{} from {} ({}) to {} on {}: packet sequence(s) {:?} at height {}",
                self.count,
                self.amount,
                denom,
                src.chain_id,
                src.channel_id,
                self.receiver,
                dst.chain_id,
                sequences,
                height.unwrap_or_default()
            );
        }
        Ok(())
    }
}
