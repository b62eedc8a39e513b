//! The command line (`edgemint-oracle`): `start`, `config init`, `keys show`, `status`, `epoch show`, `watch`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use clap::{Args, Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "edgemint-oracle", version, about = "Edgemint oracle daemon")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon until SIGINT/SIGTERM.
    Start {
        #[arg(long, short, default_value = "oracle.toml")]
        config: PathBuf,
    },
    /// Configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Operator keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Status of a running daemon.
    Status(UrlArg),
    /// Epochs computed by a running daemon.
    #[command(subcommand)]
    Epoch(EpochCommand),
    /// One status line per epoch as it is computed, reported, accepted, made final and claimed (until Ctrl-C).
    Watch {
        /// The running daemon's config file (its listen address, chain and contracts).
        #[arg(long, short, default_value = "oracle.toml")]
        config: PathBuf,
        /// Seconds between two looks.
        #[arg(long, default_value_t = 3)]
        every: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented file with every default (never overwrites).
    Init {
        #[arg(long, short, default_value = "oracle.toml")]
        path: PathBuf,
    },
    /// Parse a config file and print what is wrong with it, if anything.
    Check {
        #[arg(long, short, default_value = "oracle.toml")]
        config: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print the operator address and the public key the hub's `add_operator` needs (never the mnemonic).
    Show {
        #[arg(long)]
        mnemonic_file: PathBuf,
        #[arg(long, default_value = "emc")]
        prefix: String,
        #[arg(long, default_value_t = 118)]
        coin_type: u32,
    },
}

#[derive(Debug, Args)]
pub struct UrlArg {
    /// Base URL of the daemon.
    #[arg(long, default_value = "http://127.0.0.1:7480")]
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum EpochCommand {
    /// Print an epoch's computation (root, totals, leaves, inputs) as JSON, or one device's proof.
    Show {
        epoch: u64,
        #[command(flatten)]
        url: UrlArg,
        /// Print this device's leaf and Merkle proof instead.
        #[arg(long)]
        proof: Option<u64>,
    },
}

/// GETs `url` and returns the JSON body; a 4xx/5xx becomes an error with the daemon's message.
fn get_json(url: &str) -> Result<serde_json::Value> {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    match agent.get(url).call() {
        Ok(resp) => resp.into_json().with_context(|| format!("{url}: response is not JSON")),
        Err(ureq::Error::Status(code, resp)) => {
            let body: serde_json::Value = resp.into_json().unwrap_or_default();
            bail!(
                "{url}: HTTP {code} {}: {}",
                body["error"].as_str().unwrap_or("error"),
                body["message"].as_str().unwrap_or("")
            )
        }
        Err(e) => Err(anyhow!("{e} (is the daemon running there?)")),
    }
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The whole `edgemint-oracle` program: parses the command line, runs it, exits 1 with the error on failure. Kept
/// here so that a harness can build the same program as its own binary (e2e runs it as a separate process).
pub fn main() {
    // Chain client errors (tendermint-rpc's eyre tracer) would otherwise carry a full backtrace into every log line
    // when RUST_BACKTRACE is set; panics keep following RUST_BACKTRACE.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Start { config } => {
            init_logging();
            let config = Config::load(&config)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            runtime.block_on(crate::app::run(config))
        }
        Command::Config(ConfigCommand::Init { path }) => {
            Config::write_default(&path)?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Command::Config(ConfigCommand::Check { config }) => {
            let c = Config::load(&config)?;
            c.require_contracts()?;
            let store = match c.store.backend {
                crate::config::StoreBackend::Sqlite => format!("sqlite {}", c.store.db_path().display()),
                // Reads the URL from its variable or file and parses it (no connection is made).
                crate::config::StoreBackend::Postgres => format!("postgres {}", c.store.postgres_target()?.describe()),
            };
            println!("{}: ok (store: {store})", config.display());
            Ok(())
        }
        Command::Keys(KeysCommand::Show {
            mnemonic_file,
            prefix,
            coin_type,
        }) => {
            let signer = crate::app::load_signer(&mnemonic_file, coin_type, &prefix)?;
            print_json(&serde_json::json!({
                "address": signer.address.to_string(),
                "pubkey": BASE64.encode(signer.key.public_key().to_bytes()),
            }))
        }
        Command::Watch { config, every } => {
            let config = Config::load(&config)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            runtime.block_on(crate::watch::run(config, Duration::from_secs(every.max(1))))
        }
        Command::Status(UrlArg { url }) => print_json(&get_json(&format!("{}/v1/status", url.trim_end_matches('/')))?),
        Command::Epoch(EpochCommand::Show { epoch, url, proof }) => {
            let base = url.url.trim_end_matches('/');
            let path = match proof {
                Some(device) => format!("{base}/v1/epochs/{epoch}/proof/{device}"),
                None => format!("{base}/v1/epochs/{epoch}"),
            };
            print_json(&get_json(&path)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "edgemint-oracle",
            "epoch",
            "show",
            "4",
            "--url",
            "http://x",
            "--proof",
            "7",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Epoch(EpochCommand::Show {
                epoch: 4,
                proof: Some(7),
                ..
            })
        ));
        assert!(Cli::try_parse_from(["edgemint-oracle", "epoch", "show", "x"]).is_err());
    }

    #[test]
    fn keys_show_never_prints_the_mnemonic() {
        let dir = tempfile::tempdir().unwrap();
        let key = chain_config::keys::KeyInfo::generate("op", "emc", 118).unwrap();
        let path = dir.path().join("op.mnemonic");
        std::fs::write(&path, format!("{}\n", key.mnemonic)).unwrap();
        let signer = crate::app::load_signer(&path, 118, "emc").unwrap();
        assert_eq!(signer.address.to_string(), key.address);
        std::fs::write(&path, "not a mnemonic").unwrap();
        let err = match crate::app::load_signer(&path, 118, "emc") {
            Ok(_) => panic!("accepted a bad mnemonic"),
            Err(e) => format!("{e:#}"),
        };
        assert!(!err.contains("not a mnemonic"), "{err}");
    }
}
