//! End-to-end harness: starts real `edgemintd` nodes (via chain-config's localnet code) in temp dirs, signs and
//! broadcasts transactions with cosmrs, and tears every node down by pid, also when a test panics.

pub mod contracts;
pub mod dao;
pub mod epochs;
pub mod ibc;
pub mod oracles;
pub mod testnet;

pub use chain_config::client::{self, ChainClient, FeeMode, TxError, TxOutcome};
pub use testnet::TestNet;

/// Path of a contract artifact built by `make wasm`; fails with the command that builds it.
pub fn artifact(name: &str) -> anyhow::Result<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../artifacts")
        .join(format!("{name}.wasm"));
    anyhow::ensure!(path.is_file(), "{} is missing: run `make wasm`", path.display());
    Ok(path)
}
