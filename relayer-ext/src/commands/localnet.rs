//! `make localnet-ibc`: edgemintd and the counterparty (stock wasmd), one validator each, started by chain-config's
//! localnet code, plus this relayer with a funded key, a transfer channel and `start` running in the background.
//! Everything lives under one directory and is stopped by pid (`localnet down`, `make localnet-stop`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use abscissa_core::clap::{Parser, Subcommand};
use abscissa_core::{Command, Runnable};
use anyhow::{bail, Context, Result};
use chain_config::client::{ChainClient, FeeMode};
use chain_config::keys::KeyInfo;
use chain_config::localnet::{self, Localnet};
use chain_config::process::{self, Lifetime};
use chain_config::profile::Profile;
use serde::{Deserialize, Serialize};

use super::config::InitCmd;
use super::path::CreateCmd;
use crate::home::Home;

pub const PATH_NAME: &str = "edgemint-counterparty";
/// Funds sent to the relayer key on each chain (display units: EMC / CPT).
const RELAYER_FUNDS: u128 = 1_000;

#[derive(Command, Debug, Subcommand, Runnable)]
pub enum LocalnetCmd {
    /// Starts (or resumes) both chains and the relayer; creates the relayer key, config and path when needed.
    Up(UpCmd),
    /// Stops the relayer and both chains by pid.
    Down(DownCmd),
}

#[derive(Command, Debug, Parser)]
pub struct UpCmd {
    #[arg(long, default_value = ".localnet-ibc")]
    pub dir: PathBuf,
    /// New chains (and so a new relayer setup) even if the directory holds running ones.
    #[arg(long)]
    pub fresh: bool,
}

#[derive(Command, Debug, Parser)]
pub struct DownCmd {
    #[arg(long, default_value = ".localnet-ibc")]
    pub dir: PathBuf,
}

/// `<dir>/localnet-ibc.json`: which chains the relayer setup belongs to, and the relayer's pid.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// node0 ids of both chains when the path was created: new chains mean a new setup.
    chains: Vec<String>,
    relayer_pid: Option<u32>,
}

impl State {
    fn load(dir: &Path) -> Self {
        std::fs::read_to_string(dir.join("localnet-ibc.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
    fn save(&self, dir: &Path) -> Result<()> {
        crate::hermes_config::write_atomic(
            &dir.join("localnet-ibc.json"),
            (serde_json::to_string_pretty(self)? + "\n").as_bytes(),
        )
    }
}

impl Runnable for UpCmd {
    fn run(&self) {
        super::finish(self.execute())
    }
}

impl Runnable for DownCmd {
    fn run(&self) {
        super::finish(down(&self.dir))
    }
}

fn marker(home: &Home) -> String {
    home.dir.display().to_string()
}

impl UpCmd {
    fn execute(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("creating {}", self.dir.display()))?;
        let dir = self.dir.canonicalize()?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let timeout = Duration::from_secs(90);
        let em = rt.block_on(localnet::ensure_started(
            &dir.join("edgemint"),
            1,
            self.fresh,
            "local",
            None,
            timeout,
        ))?;
        let cp = rt.block_on(localnet::ensure_started(
            &dir.join("counterparty"),
            1,
            self.fresh,
            "counterparty",
            None,
            timeout,
        ))?;
        let home = Home {
            dir: dir.join("relayer"),
        };
        let mut state = State::load(&dir);
        let chains = vec![em.nodes[0].node_id.clone(), cp.nodes[0].node_id.clone()];
        if state.chains != chains {
            // New chains: the old clients, channel and funds are gone with them.
            stop_relayer(&home, &mut state);
            if home.dir.exists() {
                std::fs::remove_dir_all(&home.dir)?;
            }
            state = State {
                chains,
                relayer_pid: None,
            };
        }
        if let Some(pid) = state.relayer_pid.filter(|p| process::is_ours(*p, &marker(&home))) {
            println!("relayer already running (pid {pid})");
            print_summary(&dir, &home, &em, &cp)?;
            return Ok(());
        }
        std::fs::create_dir_all(&home.dir)?;

        // Relayer key: one mnemonic, an address on each chain (same coin type 118).
        let mnemonic_file = home.dir.join("relayer.mnemonic");
        if !mnemonic_file.exists() {
            let k = KeyInfo::generate("relayer", "emc", 118)?;
            std::fs::write(&mnemonic_file, format!("{}\n", k.mnemonic))?;
            std::fs::set_permissions(&mnemonic_file, std::fs::Permissions::from_mode(0o600))?;
        }
        super::init_config(
            &home,
            &InitCmd {
                chains: vec![dir.join("edgemint"), dir.join("counterparty")],
                key_name: "relayer".into(),
                metrics: "127.0.0.1:0".into(),
                clear_interval: 20,
                force: true,
            },
        )?;
        let config = crate::hermes_config::load(&home.config_path())?;
        for net in [&em, &cp] {
            let addr =
                super::add_key_from_mnemonic(&config, &net.chain_id, None, &mnemonic_file, "m/44'/118'/0'/0/0", true)?;
            rt.block_on(fund(net, &addr))?;
            // A user key next to the relayer's, so `transfer --key alice` works while `start` holds the relayer key.
            let alice = net.account("alice").context("localnet has no alice account")?;
            let file = home.dir.join(format!("alice-{}.mnemonic", net.chain_id));
            std::fs::write(&file, format!("{}\n", alice.mnemonic))?;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            super::add_key_from_mnemonic(&config, &net.chain_id, Some("alice"), &file, "m/44'/118'/0'/0/0", true)?;
        }
        let path = super::create_path(
            &home,
            &CreateCmd {
                name: PATH_NAME.into(),
                a_chain: em.chain_id.clone(),
                b_chain: cp.chain_id.clone(),
                a_port: "transfer".into(),
                b_port: "transfer".into(),
            },
        )?;
        tracing::info!("path {} ready", path.name);

        let exe = std::env::current_exe().context("locating edgemint-relayer")?;
        let mut cmd = Process::new(exe);
        cmd.arg("--home").arg(&home.dir).arg("start");
        let log = home.dir.join("relayer.log");
        let child = process::spawn(cmd, &log, Lifetime::Detached)?;
        state.relayer_pid = Some(child.id());
        state.save(&dir)?;
        wait_for_metrics(&home, child.id(), &log)?;
        print_summary(&dir, &home, &em, &cp)
    }
}

/// Tops the relayer key up from the localnet's faucet.
async fn fund(net: &Localnet, address: &str) -> Result<()> {
    let profile = Profile::builtin(&net.profile)?;
    let client = ChainClient::new(&net.nodes[0].rpc_url(), &profile)?;
    let want = RELAYER_FUNDS * profile.base_per_display();
    let have = client.balance(address).await?;
    if have >= want / 2 {
        return Ok(());
    }
    let faucet = net.account("faucet").context("localnet has no faucet account")?;
    let signer = client.signer(faucet)?;
    let msg = client.bank_send(&signer.address, address, want - have)?;
    client
        .send_tx(&signer.key, vec![msg], FeeMode::Simulate, None)
        .await
        .with_context(|| format!("funding the relayer on {}", net.chain_id))?;
    Ok(())
}

fn wait_for_metrics(home: &Home, pid: u32, log: &Path) -> Result<()> {
    let config = crate::hermes_config::load(&home.config_path())?;
    let url = format!("http://{}:{}/metrics", config.telemetry.host, config.telemetry.port);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if ureq::get(&url).timeout(Duration::from_secs(2)).call().is_ok() {
            return Ok(());
        }
        if !process::is_ours(pid, &marker(home)) {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = text
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            bail!(
                "the relayer exited; last lines of {}:\n{}",
                log.display(),
                tail.join("\n")
            );
        }
        if Instant::now() > deadline {
            bail!("the relayer did not serve {url} within 120 s; see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn stop_relayer(home: &Home, state: &mut State) {
    if let Some(pid) = state.relayer_pid.take() {
        process::stop(pid, &marker(home), Duration::from_secs(10));
    }
}

pub fn down(dir: &Path) -> Result<()> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("no IBC localnet in {}", dir.display()))?;
    let home = Home {
        dir: dir.join("relayer"),
    };
    let mut state = State::load(&dir);
    let had = state.relayer_pid.is_some_and(|p| process::is_ours(p, &marker(&home)));
    stop_relayer(&home, &mut state);
    state.save(&dir)?;
    println!("relayer {}", if had { "stopped" } else { "was not running" });
    for sub in ["edgemint", "counterparty"] {
        if let Ok(mut net) = Localnet::load(&dir.join(sub)) {
            let n = net.stop_detached()?;
            println!("stopped {n} node(s) of {}", net.chain_id);
        }
    }
    Ok(())
}

fn print_summary(dir: &Path, home: &Home, em: &Localnet, cp: &Localnet) -> Result<()> {
    let config = crate::hermes_config::load(&home.config_path())?;
    let saved = crate::paths::PathsFile::load(&home.paths_path())?;
    let p = saved.pick(Some(PATH_NAME))?;
    let exe = "cargo run -q -p relayer-ext --bin edgemint-relayer --";
    println!("IBC localnet in {}", dir.display());
    for net in [em, cp] {
        let n = &net.nodes[0];
        println!(
            "  {}: rpc {}  grpc {}  rest {}  (accounts and mnemonics: {}/localnet.json)",
            net.chain_id,
            n.rpc_url(),
            n.grpc_url(),
            n.rest_url(),
            net.dir.display()
        );
    }
    println!(
        "  path {}: {}/{} on {} <-> {}/{} on {}",
        p.name, p.a.port_id, p.a.channel_id, p.a.chain_id, p.b.port_id, p.b.channel_id, p.b.chain_id
    );
    for c in [&em.chain_id, &cp.chain_id] {
        println!(
            "  relayer key on {c}: {}",
            crate::chains::key_address(&config, c, "relayer")?
        );
    }
    println!(
        "  relayer home {} (log relayer.log), metrics http://{}:{}/metrics",
        home.dir.display(),
        config.telemetry.host,
        config.telemetry.port
    );
    println!("try:");
    println!("  {exe} --home {} status", home.dir.display());
    let bob = cp.account("bob").map(|a| a.address.clone()).unwrap_or_default();
    println!(
        "  {exe} --home {} transfer --from {} --amount 1000 --receiver {bob} --key alice",
        home.dir.display(),
        em.chain_id
    );
    println!("stop everything: make localnet-stop");
    Ok(())
}
