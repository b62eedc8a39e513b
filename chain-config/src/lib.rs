//! Edgemint chain configuration: one profile per network (`profiles/*.toml`) drives the genesis, the node config,
//! the chain-registry and Keplr files, and the localnets the tests and `make run` use.

pub mod client;
pub mod deploy;
pub mod genesis;
pub mod keys;
pub mod localnet;
pub mod node_config;
pub mod process;
pub mod profile;
pub mod registry;
pub mod versions;

use std::path::PathBuf;

/// Finds a node binary: an explicit path, else the cache `make setup` installs into, else `$PATH`.
pub fn find_binary(name: &str) -> anyhow::Result<PathBuf> {
    let cache = std::env::var_os("EDGEMINT_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/edgemint")));
    let candidates = cache.map(|c| c.join("bin").join(name)).into_iter().chain(
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect::<Vec<_>>()),
    );
    for c in candidates {
        if c.is_file() {
            return Ok(c);
        }
    }
    anyhow::bail!("`{name}` not found: run `make setup` (it builds {name} into ~/.cache/edgemint/bin)")
}
