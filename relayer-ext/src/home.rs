//! The relayer home: everything one relayer owns, in one directory.
//!
//! ```text
//! <home>/config.toml     Hermes' configuration (written by `config init`; stock `hermes --config` reads it too)
//! <home>/paths.json      saved paths (client, connection and channel ids on both chains)
//! <home>/keys/           Hermes' test keyring (one folder per chain)
//! <home>/locks/          one lock file per (chain, key) held by `start`
//! ```

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Home {
    pub dir: PathBuf,
}

impl Home {
    /// `--home`, else `$EDGEMINT_RELAYER_HOME`, else `~/.edgemint-relayer`. Made absolute so the paths written into
    /// config.toml (key store) and the process marker used to stop `start` do not depend on the working directory.
    pub fn new(flag: Option<PathBuf>) -> Self {
        let dir = flag
            .or_else(|| std::env::var_os("EDGEMINT_RELAYER_HOME").map(PathBuf::from))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".edgemint-relayer")))
            .unwrap_or_else(|| PathBuf::from(".edgemint-relayer"));
        let dir = if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir().map(|c| c.join(&dir)).unwrap_or(dir)
        };
        Self { dir }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    pub fn paths_path(&self) -> PathBuf {
        self.dir.join("paths.json")
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.dir.join("keys")
    }

    pub fn locks_dir(&self) -> PathBuf {
        self.dir.join("locks")
    }
}
