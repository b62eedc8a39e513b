use abscissa_core::clap::{Parser, Subcommand};
use abscissa_core::{Command, Runnable};
use anyhow::{anyhow, bail, Context, Result};
use ibc_relayer::chain::handle::BaseChainHandle;
use ibc_relayer::channel::Channel;
use ibc_relayer::config::default::connection_delay;
use ibc_relayer::connection::Connection;
use ibc_relayer::foreign_client::ForeignClient;
use ibc_relayer_types::core::ics04_channel::channel::Ordering;
use ibc_relayer_types::core::ics24_host::identifier::PortId;

use crate::chains;
use crate::hermes_config;
use crate::home::Home;
use crate::monitor;
use crate::paths::{self, PathEnd, PathsFile, SavedPath};

#[derive(Command, Debug, Subcommand, Runnable)]
pub enum PathCmd {
    /// Creates clients on both chains, a connection and an unordered ICS-20 channel; saves the path. A saved path
    /// of the same name is checked and reused instead.
    Create(CreateCmd),
    /// Lists the saved paths.
    List(ListCmd),
}

#[derive(Command, Debug, Parser, Clone)]
pub struct CreateCmd {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub a_chain: String,
    #[arg(long)]
    pub b_chain: String,
    #[arg(long, default_value = "transfer")]
    pub a_port: String,
    #[arg(long, default_value = "transfer")]
    pub b_port: String,
}

#[derive(Command, Debug, Parser)]
pub struct ListCmd {
    #[arg(long)]
    pub json: bool,
}

impl Runnable for CreateCmd {
    fn run(&self) {
        super::finish((|| {
            let home = crate::application::home();
            let p = create_path(&home, self)?;
            println!("{}", serde_json::to_string_pretty(&p)?);
            Ok(())
        })())
    }
}

impl Runnable for ListCmd {
    fn run(&self) {
        super::finish((|| {
            let home = crate::application::home();
            let f = PathsFile::load(&home.paths_path())?;
            if self.json {
                println!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                for p in &f.paths {
                    println!(
                        "{}: {}/{} on {} <-> {}/{} on {}",
                        p.name, p.a.port_id, p.a.channel_id, p.a.chain_id, p.b.port_id, p.b.channel_id, p.b.chain_id
                    );
                }
            }
            Ok(())
        })())
    }
}

/// Creates (or checks and reuses) the path; reads and updates <home>/config.toml and <home>/paths.json.
pub fn create_path(home: &Home, cmd: &CreateCmd) -> Result<SavedPath> {
    paths::check_name(&cmd.name)?;
    if cmd.a_chain == cmd.b_chain {
        bail!("a path joins two different chains");
    }
    let config_path = home.config_path();
    let mut config = hermes_config::load(&config_path)
        .with_context(|| "no usable relayer configuration: run `edgemint-relayer config init` first")?;
    let a_port: PortId = cmd.a_port.parse().map_err(|e| anyhow!("--a-port: {e}"))?;
    let b_port: PortId = cmd.b_port.parse().map_err(|e| anyhow!("--b-port: {e}"))?;
    let mut saved = PathsFile::load(&home.paths_path())?;
    let rt = chains::runtime()?;
    let a = chains::spawn(&config, &cmd.a_chain, None, rt.clone())?;
    let b = chains::spawn(&config, &cmd.b_chain, None, rt)?;

    if let Some(existing) = saved.get(&cmd.name).cloned() {
        let same = existing.a.chain_id == cmd.a_chain && existing.b.chain_id == cmd.b_chain;
        if !same {
            bail!(
                "path `{}` already joins {} and {}: pick another name",
                cmd.name,
                existing.a.chain_id,
                existing.b.chain_id
            );
        }
        let st = monitor::path_status(&existing, &a, &b, false)
            .with_context(|| format!("saved path `{}` does not match the chains any more", cmd.name))?;
        if st.a_channel_state != "OPEN" || st.b_channel_state != "OPEN" {
            bail!(
                "saved path `{}` has channel states {} / {}, not OPEN: remove it from {} to create a new one",
                cmd.name,
                st.a_channel_state,
                st.b_channel_state,
                home.paths_path().display()
            );
        }
        tracing::info!(
            "path `{}` exists and its channel is open on both chains: reusing it",
            cmd.name
        );
        return Ok(existing);
    }

    // Each step blocks until the chains committed it; Hermes retries its own transient failures.
    tracing::info!(
        "creating clients: on {} for {} and on {} for {}",
        cmd.a_chain,
        cmd.b_chain,
        cmd.b_chain,
        cmd.a_chain
    );
    let client_on_a = ForeignClient::<BaseChainHandle, BaseChainHandle>::new(a.clone(), b.clone())
        .map_err(|e| anyhow!("creating the client of {} on {}: {e}", cmd.b_chain, cmd.a_chain))?;
    let client_on_b = ForeignClient::<BaseChainHandle, BaseChainHandle>::new(b.clone(), a.clone())
        .map_err(|e| anyhow!("creating the client of {} on {}: {e}", cmd.a_chain, cmd.b_chain))?;
    tracing::info!(
        "clients {} and {}; opening a connection",
        client_on_a.id(),
        client_on_b.id()
    );
    let connection = Connection::new(client_on_a.clone(), client_on_b.clone(), connection_delay())
        .map_err(|e| anyhow!("connection handshake: {e}"))?;
    let a_conn = connection
        .src_connection_id()
        .context("connection has no id on a")?
        .clone();
    let b_conn = connection
        .dst_connection_id()
        .context("connection has no id on b")?
        .clone();
    tracing::info!("connection {a_conn} / {b_conn}; opening an ICS-20 channel");
    let channel = Channel::new(connection, Ordering::Unordered, a_port.clone(), b_port.clone(), None)
        .map_err(|e| anyhow!("channel handshake: {e}"))?;
    let a_chan = channel.a_channel_id().context("channel has no id on a")?.clone();
    let b_chan = channel.b_channel_id().context("channel has no id on b")?.clone();

    let path = SavedPath {
        name: cmd.name.clone(),
        a: PathEnd {
            chain_id: cmd.a_chain.clone(),
            client_id: client_on_a.id().to_string(),
            connection_id: a_conn.to_string(),
            port_id: a_port.to_string(),
            channel_id: a_chan.to_string(),
        },
        b: PathEnd {
            chain_id: cmd.b_chain.clone(),
            client_id: client_on_b.id().to_string(),
            connection_id: b_conn.to_string(),
            port_id: b_port.to_string(),
            channel_id: b_chan.to_string(),
        },
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    // Saved before anything else can fail: the chains now hold these objects whatever happens next.
    saved.upsert(path.clone());
    saved.save(&home.paths_path())?;
    hermes_config::allow_channel(&mut config, &cmd.a_chain, &path.a.port_id, &path.a.channel_id)?;
    hermes_config::allow_channel(&mut config, &cmd.b_chain, &path.b.port_id, &path.b.channel_id)?;
    hermes_config::write(&config, &config_path)?;
    tracing::info!(
        "path `{}` open: {}/{} on {} <-> {}/{} on {}",
        path.name,
        path.a.port_id,
        path.a.channel_id,
        path.a.chain_id,
        path.b.port_id,
        path.b.channel_id,
        path.b.chain_id
    );
    Ok(path)
}
