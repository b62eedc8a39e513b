//! Chain handles (Hermes chain runtimes) and the relayer account's funds.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use ibc_relayer::chain::handle::{BaseChainHandle, ChainHandle};
use ibc_relayer::config::{ChainConfig, Config};
use ibc_relayer::keyring::{KeyRing, SigningKeyPair, Store};
use ibc_relayer_types::core::ics24_host::identifier::ChainId;
use thiserror::Error;
use tokio::runtime::Runtime;

/// What the relayer account must hold to pay one transaction at worst (max_gas at the configured gas price).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeNeed {
    pub denom: String,
    pub per_tx: u128,
}

#[derive(Debug, Error)]
pub enum FundsError {
    #[error(
        "relayer account {address} (key `{key}`) on {chain} holds {balance}{denom}, less than the {need}{denom} one \
         transaction may cost (max_gas × gas price): Hermes' transactions would fail with insufficient fees. \
         Send it {denom} (e.g. `{daemon} tx bank send <funded key> {address} 1000000{denom}`) and start again"
    )]
    OutOfFees {
        chain: String,
        key: String,
        address: String,
        balance: u128,
        need: u128,
        denom: String,
        daemon: String,
    },
}

pub fn chain_id(s: &str) -> ChainId {
    ChainId::from_string(s)
}

pub fn cosmos(config: &Config, chain: &str) -> Result<ibc_relayer::chain::cosmos::config::CosmosSdkConfig> {
    match config.find_chain(&chain_id(chain)) {
        Some(ChainConfig::CosmosSdk(c)) => Ok(c.clone()),
        None => Err(anyhow!(
            "chain {chain} is not in the relayer configuration (known: {})",
            config
                .chains
                .iter()
                .map(|c| c.id().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub fn runtime() -> Result<Arc<Runtime>> {
    Ok(Arc::new(Runtime::new().context("starting the tokio runtime")?))
}

/// Spawns the Hermes runtime of `chain` (signing with the configured key, or `key` instead).
pub fn spawn(config: &Config, chain: &str, key: Option<&str>, rt: Arc<Runtime>) -> Result<BaseChainHandle> {
    cosmos(config, chain)?;
    let id = chain_id(chain);
    let handle = match key {
        None => ibc_relayer::spawn::spawn_chain_runtime(config, &id, rt),
        Some(k) => ibc_relayer::spawn::spawn_chain_runtime_with_modified_config(config, &id, rt, |c| {
            c.set_key_name(k.to_string())
        }),
    };
    handle.map_err(|e| anyhow!("cannot reach {chain}: {e}"))
}

pub fn fee_need(config: &Config, chain: &str) -> Result<FeeNeed> {
    let c = cosmos(config, chain)?;
    let gas = c.max_gas.unwrap_or(400_000) as f64;
    Ok(FeeNeed {
        denom: c.gas_price.denom.clone(),
        per_tx: (gas * c.gas_price.price).ceil() as u128,
    })
}

/// Address of `key` on `chain`, from the keyring on disk (no chain access).
pub fn key_address(config: &Config, chain: &str, key: &str) -> Result<String> {
    let c = cosmos(config, chain)?;
    let ring = KeyRing::new_secp256k1(Store::Test, &c.account_prefix, &c.id, &c.key_store_folder)
        .map_err(|e| anyhow!("opening the keyring of {chain}: {e}"))?;
    let pair = ring
        .get_key(key)
        .map_err(|e| anyhow!("no key `{key}` for {chain} ({e}): add it with `edgemint-relayer keys add --chain {chain} --mnemonic-file <file>`"))?;
    Ok(pair.account())
}

pub fn balance(handle: &impl ChainHandle, key: Option<&str>, denom: &str) -> Result<u128> {
    let b = handle
        .query_balance(key.map(str::to_string), Some(denom.to_string()))
        .map_err(|e| anyhow!("balance query on {}: {e}", handle.id()))?;
    b.amount
        .parse::<u128>()
        .with_context(|| format!("balance `{}` is not an integer", b.amount))
}

/// Refuses to relay when the relayer key cannot pay for even one transaction.
pub fn check_funds(config: &Config, handle: &impl ChainHandle, chain: &str) -> Result<u128> {
    let c = cosmos(config, chain)?;
    let need = fee_need(config, chain)?;
    let have = balance(handle, None, &need.denom)?;
    if have < need.per_tx {
        return Err(FundsError::OutOfFees {
            chain: chain.into(),
            key: c.key_name.clone(),
            address: key_address(config, chain, &c.key_name)?,
            balance: have,
            need: need.per_tx,
            denom: need.denom,
            daemon: daemon_hint(&c.account_prefix),
        }
        .into());
    }
    Ok(have)
}

fn daemon_hint(prefix: &str) -> String {
    match prefix {
        "emc" => "edgemintd".into(),
        "wasm" => "wasmd".into(),
        _ => "<chain daemon>".into(),
    }
}
