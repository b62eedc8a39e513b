use std::path::{Path, PathBuf};
use std::str::FromStr;

use abscissa_core::clap::{Parser, Subcommand};
use abscissa_core::{Command, Runnable};
use anyhow::{anyhow, bail, Context, Result};
use hdpath::StandardHDPath;
use ibc_relayer::config::Config;
use ibc_relayer::keyring::{KeyRing, Secp256k1KeyPair, SigningKeyPair, Store};

use crate::chains;

#[derive(Command, Debug, Subcommand, Runnable)]
pub enum KeysCmd {
    /// Restores a key from a file holding its BIP-39 mnemonic.
    Add(AddCmd),
    /// Lists the keys of every chain (or one) with their balance in the fee denom.
    List(ListCmd),
}

#[derive(Command, Debug, Parser)]
pub struct AddCmd {
    #[arg(long)]
    pub chain: String,
    /// File with the mnemonic (24 words); keep it readable by you only.
    #[arg(long)]
    pub mnemonic_file: PathBuf,
    /// Defaults to the chain's key_name in config.toml.
    #[arg(long)]
    pub key_name: Option<String>,
    #[arg(long, default_value = "m/44'/118'/0'/0/0")]
    pub hd_path: String,
    /// Replace a key of the same name.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Command, Debug, Parser)]
pub struct ListCmd {
    #[arg(long)]
    pub chain: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl Runnable for AddCmd {
    fn run(&self) {
        super::finish((|| {
            let config = super::require_config()?;
            let addr = add_key_from_mnemonic(
                &config,
                &self.chain,
                self.key_name.as_deref(),
                &self.mnemonic_file,
                &self.hd_path,
                self.overwrite,
            )?;
            println!("{addr}");
            Ok(())
        })())
    }
}

/// Restores a key into Hermes' keyring for `chain`; returns its address.
pub fn add_key_from_mnemonic(
    config: &Config,
    chain: &str,
    key_name: Option<&str>,
    mnemonic_file: &Path,
    hd_path: &str,
    overwrite: bool,
) -> Result<String> {
    let c = chains::cosmos(config, chain)?;
    let name = key_name.unwrap_or(&c.key_name);
    crate::paths::check_name(name).context("key name")?;
    let hd = StandardHDPath::from_str(hd_path).map_err(|_| anyhow!("invalid derivation path `{hd_path}`"))?;
    let text = std::fs::read_to_string(mnemonic_file)
        .with_context(|| format!("reading the mnemonic file {}", mnemonic_file.display()))?;
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if ![12, 15, 18, 21, 24].contains(&words.split(' ').count()) {
        bail!(
            "{} does not hold a BIP-39 mnemonic (12 to 24 words)",
            mnemonic_file.display()
        );
    }
    let mut ring = KeyRing::new_secp256k1(Store::Test, &c.account_prefix, &c.id, &c.key_store_folder)
        .map_err(|e| anyhow!("opening the keyring of {chain}: {e}"))?;
    if ring.get_key(name).is_ok() && !overwrite {
        bail!("key `{name}` already exists for {chain}: pass --overwrite to replace it");
    }
    let pair = Secp256k1KeyPair::from_mnemonic(&words, &hd, &c.address_type, ring.account_prefix())
        .map_err(|e| anyhow!("{}: {e}", mnemonic_file.display()))?;
    let address = pair.account();
    ring.add_key(name, pair)
        .map_err(|e| anyhow!("saving key `{name}`: {e}"))?;
    // Hermes' test keyring stores keys unencrypted: only the owner may read the folder.
    if let Some(dir) = &c.key_store_folder {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(address)
}

impl Runnable for ListCmd {
    fn run(&self) {
        super::finish((|| {
            let config = super::require_config()?;
            let rt = chains::runtime()?;
            let mut rows = Vec::new();
            for chain_config in &config.chains {
                let chain = chain_config.id().to_string();
                if self.chain.as_ref().is_some_and(|c| *c != chain) {
                    continue;
                }
                let keys = chain_config
                    .list_keys()
                    .map_err(|e| anyhow!("keyring of {chain}: {e}"))?;
                let denom = chains::fee_need(&config, &chain)?.denom;
                // Balances need the chain; an unreachable chain still lists its keys.
                let handle = chains::spawn(&config, &chain, None, rt.clone());
                for (name, pair) in keys {
                    let balance = match &handle {
                        Ok(h) => chains::balance(h, Some(&name), &denom).map_err(|e| format!("{e:#}")),
                        Err(e) => Err(format!("{e:#}")),
                    };
                    rows.push(serde_json::json!({
                        "chain": chain,
                        "key": name,
                        "address": pair.account(),
                        "default": name == *chain_config.key_name(),
                        "balance": balance.as_ref().ok().map(|b| b.to_string()),
                        "denom": denom,
                        "error": balance.err(),
                    }));
                }
            }
            if self.json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            if rows.is_empty() {
                println!("no keys: add one with `edgemint-relayer keys add --chain <id> --mnemonic-file <file>`");
            }
            for r in rows {
                let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
                let bal = match r["balance"].as_str() {
                    Some(b) => format!("{b}{}", s("denom")),
                    None => format!("balance unknown: {}", s("error")),
                };
                let mark = if r["default"].as_bool() == Some(true) {
                    " (relayer key)"
                } else {
                    ""
                };
                println!("{:<18} {:<10} {}  {bal}{mark}", s("chain"), s("key"), s("address"));
            }
            Ok(())
        })())
    }
}
