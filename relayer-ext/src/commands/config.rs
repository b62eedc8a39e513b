use std::path::PathBuf;

use abscissa_core::clap::{Parser, Subcommand};
use abscissa_core::{Command, Runnable};
use anyhow::{bail, Context, Result};

use crate::hermes_config::{self, InitOptions};
use crate::home::Home;

#[derive(Command, Debug, Subcommand, Runnable)]
pub enum ConfigCmd {
    /// Writes <home>/config.toml: one Hermes chain entry per --chain.
    Init(InitCmd),
}

#[derive(Command, Debug, Parser)]
pub struct InitCmd {
    /// A chain-registry chain.json, or a directory holding registry/chain.json (a chain-config localnet). At least
    /// two. Each chain must be running: its unbonding period (for the trusting period) is read from its REST API.
    #[arg(long = "chain", required = true)]
    pub chains: Vec<PathBuf>,
    /// Key the relayer signs with on every chain (add it with `keys add`).
    #[arg(long, default_value = "relayer")]
    pub key_name: String,
    /// Where `start` serves /metrics (port 0: pick a free port now and write it down).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub metrics: String,
    /// Blocks between periodic clears of pending packets (they are also cleared at start).
    #[arg(long, default_value_t = 20)]
    pub clear_interval: u64,
    /// Replace an existing config.toml (saved paths and keys are kept).
    #[arg(long)]
    pub force: bool,
}

impl Runnable for InitCmd {
    fn run(&self) {
        super::finish((|| {
            let home = crate::application::home();
            let path = init_config(&home, self)?;
            println!("wrote {}", path.display());
            Ok(())
        })())
    }
}

pub fn init_config(home: &Home, cmd: &InitCmd) -> Result<PathBuf> {
    crate::paths::check_name(&cmd.key_name).context("key name")?;
    let path = home.config_path();
    if path.exists() && !cmd.force {
        bail!("{} exists: pass --force to replace it", path.display());
    }
    let (host, port) = cmd
        .metrics
        .rsplit_once(':')
        .with_context(|| format!("--metrics `{}` is not host:port", cmd.metrics))?;
    let mut port: u16 = port.parse().with_context(|| format!("--metrics port `{port}`"))?;
    if port == 0 {
        port = std::net::TcpListener::bind((host, 0))
            .with_context(|| format!("--metrics host `{host}`"))?
            .local_addr()?
            .port();
    }
    let mut chains = Vec::new();
    for c in &cmd.chains {
        let src = hermes_config::read_chain_source(c)?;
        let unbonding = hermes_config::fetch_unbonding(&src.rest)
            .with_context(|| format!("reading the unbonding period of {}", src.chain_id))?;
        chains.push((src, hermes_config::trusting_period(unbonding)));
    }
    let opts = InitOptions {
        key_name: cmd.key_name.clone(),
        keys_dir: home.keys_dir(),
        metrics_host: host.to_string(),
        metrics_port: port,
        clear_interval: cmd.clear_interval,
    };
    let mut config = hermes_config::build(&chains, &opts)?;
    // Keep the packet filters of paths saved under an earlier config (config init --force).
    let saved = crate::paths::PathsFile::load(&home.paths_path())?;
    for p in &saved.paths {
        for end in [&p.a, &p.b] {
            if config.find_chain(&crate::chains::chain_id(&end.chain_id)).is_some() {
                hermes_config::allow_channel(&mut config, &end.chain_id, &end.port_id, &end.channel_id)?;
            }
        }
    }
    hermes_config::write(&config, &path)?;
    for (c, t) in &chains {
        eprintln!(
            "  {}: prefix {}, gas price {}{}, trusting period {}s, rpc {}, grpc {}",
            c.chain_id,
            c.prefix,
            c.gas_price,
            c.denom,
            t.as_secs(),
            c.rpc,
            c.grpc
        );
    }
    Ok(path)
}
