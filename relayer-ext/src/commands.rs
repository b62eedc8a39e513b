//! Command line: `edgemint-relayer [--home DIR] <command>`.

mod config;
mod keys;
mod localnet;
mod path;
mod start;
mod status;
mod transfer;

use std::path::PathBuf;

use abscissa_core::clap::{Parser, Subcommand};
use abscissa_core::{Command, Configurable, Runnable};
use ibc_relayer::config::Config;

pub use self::config::{init_config, ConfigCmd};
pub use self::keys::{add_key_from_mnemonic, KeysCmd};
pub use self::localnet::LocalnetCmd;
pub use self::path::{create_path, PathCmd};
pub use self::start::StartCmd;
pub use self::status::StatusCmd;
pub use self::transfer::TransferCmd;

#[derive(Command, Debug, Parser)]
#[command(
    name = "edgemint-relayer",
    version,
    about = "Edgemint IBC relayer on Hermes' ibc-relayer library (Hermes 1.10.5)"
)]
pub struct EntryPoint {
    /// Relayer home: config.toml, paths.json, keys/ (default $EDGEMINT_RELAYER_HOME or ~/.edgemint-relayer).
    #[arg(long, global = true)]
    pub home: Option<PathBuf>,
    /// Debug logs (RUST_LOG overrides).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Debug, Subcommand, Runnable)]
pub enum Cmd {
    /// Writes the Hermes configuration for chains described by chain-config's chain.json files.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Relayer keys (Hermes' test keyring under <home>/keys).
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Client + connection + ICS-20 channel between two chains, saved in paths.json.
    #[command(subcommand)]
    Path(PathCmd),
    /// Relays every saved path (Hermes supervisor) with metrics, client watchdog and fee checks.
    Start(StartCmd),
    /// Sends an ICS-20 transfer over a saved path.
    Transfer(TransferCmd),
    /// Per path: channel states, pending packets each way, client heights and expiry, relayer balances.
    Status(StatusCmd),
    /// make localnet-ibc: edgemintd + counterparty chain + this relayer with a transfer channel.
    #[command(subcommand)]
    Localnet(LocalnetCmd),
}

impl EntryPoint {
    pub fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    /// `start` and the long setup commands log what Hermes does; queries keep to warnings.
    pub fn log_level(&self) -> &'static str {
        match (&self.cmd, self.verbose) {
            (_, true) => "debug",
            (Cmd::Start(_) | Cmd::Path(_) | Cmd::Localnet(_), false) => "info",
            _ => "warn",
        }
    }
}

impl Runnable for EntryPoint {
    fn run(&self) {
        self.cmd.run()
    }
}

impl Configurable<Config> for EntryPoint {
    /// `<home>/config.toml` once `config init` wrote it. `config init` and `localnet` read it themselves.
    fn config_path(&self) -> Option<PathBuf> {
        if matches!(self.cmd, Cmd::Config(_) | Cmd::Localnet(_)) {
            return None;
        }
        let path = crate::home::Home::new(self.home.clone()).config_path();
        path.is_file().then_some(path)
    }
}

/// Ends the process: exit 0, or the error chain on stderr and exit 1.
pub(crate) fn finish(result: anyhow::Result<()>) {
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The loaded configuration, or an error that says how to make one.
pub(crate) fn require_config() -> anyhow::Result<Config> {
    let config = crate::application::app_config();
    if config.chains.is_empty() {
        anyhow::bail!(
            "no relayer configuration at {}: run `edgemint-relayer config init --chain <chain.json or localnet dir> \
             --chain <...>` first",
            crate::application::home().config_path().display()
        );
    }
    Ok(config)
}
