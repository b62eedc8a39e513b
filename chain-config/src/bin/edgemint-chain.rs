//! `edgemint-chain`: genesis builder, registry/Keplr file generator and localnet manager.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use chain_config::client::ChainClient;
use chain_config::deploy;
use chain_config::genesis::{self, GenesisInput};
use chain_config::localnet::{self, Localnet};
use chain_config::profile::Profile;
use chain_config::registry::{self, Endpoints};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "edgemint-chain",
    version,
    about = "Edgemint chain configuration and localnets"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes a genesis for a profile from the genesis `edgemintd init` wrote and a grants file.
    Genesis {
        #[arg(long, default_value = "local")]
        profile: String,
        /// genesis.json written by `edgemintd init`.
        #[arg(long)]
        base: PathBuf,
        /// JSON: {"genesis_time": RFC3339, "grants": [{"bucket","address","amount","liquid"}]}.
        #[arg(long)]
        grants: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes chain.json, assetlist.json and keplr-chain-info.json for a profile.
    Registry {
        #[arg(long, default_value = "production")]
        profile: String,
        #[arg(long)]
        out: PathBuf,
        /// Endpoints; placeholders when omitted.
        #[arg(long, requires_all = ["rest", "grpc"])]
        rpc: Option<String>,
        #[arg(long)]
        rest: Option<String>,
        #[arg(long)]
        grpc: Option<String>,
    },
    /// Local networks of real edgemintd nodes on loopback.
    Localnet {
        #[command(subcommand)]
        cmd: LocalnetCmd,
    },
}

#[derive(Subcommand)]
enum LocalnetCmd {
    /// Creates (if needed) and starts a localnet in the background; waits for its first block.
    Start {
        #[arg(long, default_value = ".localnet")]
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        validators: usize,
        /// Discard an existing localnet in `dir` and create a new chain.
        #[arg(long)]
        fresh: bool,
        /// Chain profile: `local` (edgemintd) or `counterparty` (the IBC counterparty, stock wasmd).
        #[arg(long, default_value = "local")]
        profile: String,
        /// Node binary; defaults to the profile's daemon (edgemintd or wasmd) from `make setup`.
        #[arg(long)]
        binary: Option<PathBuf>,
        #[arg(long, default_value_t = 60)]
        timeout_secs: u64,
    },
    /// Stops the localnet's nodes by pid.
    Stop {
        #[arg(long, default_value = ".localnet")]
        dir: PathBuf,
    },
    /// Stores every artifact and instantiates the deploy plan on a running localnet.
    Deploy {
        #[arg(long, default_value = ".localnet")]
        dir: PathBuf,
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
        #[arg(long, default_value = "chain-config/deploy/local.json")]
        plan: PathBuf,
    },
    /// make run: starts the localnet, deploys the contracts, prints endpoints and keys, then shows live status
    /// until Ctrl-C, which stops the nodes.
    Run {
        #[arg(long, default_value = ".localnet")]
        dir: PathBuf,
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
        #[arg(long, default_value = "chain-config/deploy/local.json")]
        plan: PathBuf,
        /// Return after deploying and leave the localnet running (stop it with `make localnet-stop`).
        #[arg(long)]
        no_follow: bool,
        /// Start from a new genesis even if the directory holds a localnet (its state is deleted).
        #[arg(long)]
        fresh: bool,
    },
    /// Prints endpoints, heights and accounts.
    Status {
        #[arg(long, default_value = ".localnet")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    match Cli::parse().cmd {
        Cmd::Genesis {
            profile,
            base,
            grants,
            out,
        } => {
            let profile = Profile::builtin(&profile)?;
            let mut g: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(&base).with_context(|| format!("reading {}", base.display()))?,
            )
            .with_context(|| format!("{} is not JSON", base.display()))?;
            let input: GenesisInput = serde_json::from_str(
                &std::fs::read_to_string(&grants).with_context(|| format!("reading {}", grants.display()))?,
            )
            .with_context(|| format!("{} is not a grants file", grants.display()))?;
            genesis::build(&mut g, &profile, &input)?;
            std::fs::write(&out, serde_json::to_string_pretty(&g)? + "\n")?;
            eprintln!(
                "wrote {} (validate with `edgemintd genesis validate {}`)",
                out.display(),
                out.display()
            );
        }
        Cmd::Registry {
            profile,
            out,
            rpc,
            rest,
            grpc,
        } => {
            let p = Profile::builtin(&profile)?;
            let ep = match (rpc, rest, grpc) {
                (Some(rpc), Some(rest), Some(grpc)) => Endpoints { rpc, rest, grpc },
                _ => Endpoints::placeholder(&p),
            };
            registry::write_files(&p, &ep, &out)?;
            eprintln!(
                "wrote chain.json, assetlist.json, keplr-chain-info.json to {}",
                out.display()
            );
        }
        Cmd::Localnet { cmd } => localnet_cmd(cmd).await?,
    }
    Ok(())
}

async fn localnet_cmd(cmd: LocalnetCmd) -> Result<()> {
    match cmd {
        LocalnetCmd::Start {
            dir,
            validators,
            fresh,
            profile,
            binary,
            timeout_secs,
        } => {
            let timeout = Duration::from_secs(timeout_secs);
            let net = localnet::ensure_started(&dir, validators, fresh, &profile, binary, timeout).await?;
            print_status(&net).await;
        }
        LocalnetCmd::Deploy { dir, artifacts, plan } => {
            let net = Localnet::load(&dir)?;
            deploy_to(&net, &artifacts, &plan).await?;
        }
        LocalnetCmd::Run {
            dir,
            artifacts,
            plan,
            no_follow,
            fresh,
        } => {
            let mut net = localnet::ensure_started(&dir, 1, fresh, "local", None, Duration::from_secs(60)).await?;
            let deployed = deploy_to(&net, &artifacts, &plan).await;
            print_status(&net).await;
            if let Err(e) = deployed {
                net.stop_detached()?;
                return Err(e.context("deployment failed; localnet stopped"));
            }
            if no_follow {
                println!("localnet left running; stop it with `make localnet-stop`");
                return Ok(());
            }
            follow(&net).await;
            let n = net.stop_detached()?;
            println!("stopped {n} node(s)");
        }
        LocalnetCmd::Stop { dir } => {
            let mut net = Localnet::load(&dir)?;
            let n = net.stop_detached()?;
            println!("stopped {n} node(s) of {} in {}", net.chain_id, net.dir.display());
        }
        LocalnetCmd::Status { dir, json } => {
            let net = Localnet::load(&dir)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&net)?);
            } else {
                print_status(&net).await;
            }
        }
    }
    Ok(())
}

async fn deploy_to(net: &Localnet, artifacts: &std::path::Path, plan: &std::path::Path) -> Result<()> {
    let plan: deploy::Plan =
        serde_json::from_str(&std::fs::read_to_string(plan).with_context(|| format!("reading {}", plan.display()))?)
            .with_context(|| format!("{} is not a deploy plan", plan.display()))?;
    let profile = Profile::builtin(&net.profile)?;
    let client = ChainClient::new(&net.nodes[0].rpc_url(), &profile)?;
    let d = deploy::deploy(&client, &net.accounts, &net.chain_id, artifacts, &plan).await?;
    let path = net.dir.join("deployment.json");
    std::fs::write(&path, serde_json::to_string_pretty(&d)? + "\n")?;
    println!("deployed to {} (details in {}):", net.chain_id, path.display());
    for c in &d.codes {
        println!("  code {:>3}  {}  sha256 {}", c.code_id, c.artifact, c.sha256);
    }
    for c in &d.contracts {
        println!("  {:<20} {}  (code {})", c.label, c.address, c.code_id);
    }
    Ok(())
}

/// Live status line every 2 s until Ctrl-C or SIGTERM.
async fn follow(net: &Localnet) {
    use tokio::signal::unix::{signal, SignalKind};
    println!("following {} — Ctrl-C stops the localnet", net.chain_id);
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        return;
    };
    let rpc = net.nodes[0].rpc_url();
    let mut last = None;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {
                match localnet::height(&rpc).await {
                    Some(h) if Some(h) != last => {
                        println!("[{}] height {h}", chrono::Utc::now().format("%H:%M:%S"));
                        last = Some(h);
                    }
                    Some(_) => {}
                    None => println!("node0 RPC not answering; see {}", net.nodes[0].log_path().display()),
                }
            }
        }
    }
}

async fn print_status(net: &Localnet) {
    println!(
        "chain {} ({} validator(s)), state in {}",
        net.chain_id,
        net.nodes.len(),
        net.dir.display()
    );
    for (i, n) in net.nodes.iter().enumerate() {
        let h = localnet::height(&n.rpc_url()).await;
        let state = match (net.is_running(i), h) {
            (true, Some(h)) => format!("running, height {h}"),
            (true, None) => "running, RPC not answering".to_string(),
            (false, _) => "stopped".to_string(),
        };
        println!(
            "  {}: {state}\n    rpc  {}\n    rest {}\n    grpc {}\n    log  {}",
            n.moniker,
            n.rpc_url(),
            n.rest_url(),
            n.grpc_url(),
            n.log_path().display()
        );
    }
    println!(
        "Keplr chain info and chain-registry files: {}/registry/",
        net.dir.display()
    );
    println!("test accounts (localnet only; import a mnemonic into a wallet to use it):");
    for a in &net.accounts {
        println!("  {:<17} {}\n  {:<17} {}", a.name, a.address, "", a.mnemonic);
    }
}
