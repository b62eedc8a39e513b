//! Saved paths (`<home>/paths.json`): what `path create` made, so `start`, `status` and `transfer` reuse it.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// One end of a path: identifiers on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathEnd {
    pub chain_id: String,
    /// The client on this chain (it tracks the other chain).
    pub client_id: String,
    pub connection_id: String,
    pub port_id: String,
    pub channel_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPath {
    pub name: String,
    pub a: PathEnd,
    pub b: PathEnd,
    /// RFC 3339, when the channel was opened.
    pub created_at: String,
}

impl SavedPath {
    /// The end on `chain_id` and the other end.
    pub fn ends_from(&self, chain_id: &str) -> Option<(&PathEnd, &PathEnd)> {
        if self.a.chain_id == chain_id {
            Some((&self.a, &self.b))
        } else if self.b.chain_id == chain_id {
            Some((&self.b, &self.a))
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathsFile {
    pub paths: Vec<SavedPath>,
}

impl PathsFile {
    /// An absent file is an empty list; a corrupt one is an error (never silently forget paths).
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| format!("{} is corrupt", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        crate::hermes_config::write_atomic(path, text.as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&SavedPath> {
        self.paths.iter().find(|p| p.name == name)
    }

    /// `name`, or the only saved path when there is exactly one.
    pub fn pick(&self, name: Option<&str>) -> Result<&SavedPath> {
        match name {
            Some(n) => self.get(n).with_context(|| {
                format!(
                    "no saved path named `{n}` (saved: {})",
                    self.paths
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            None => match self.paths.as_slice() {
                [only] => Ok(only),
                [] => bail!("no saved path: run `edgemint-relayer path create` first"),
                _ => bail!("several saved paths: name one with --path"),
            },
        }
    }

    /// Adds or replaces the path with the same name.
    pub fn upsert(&mut self, p: SavedPath) {
        self.paths.retain(|x| x.name != p.name);
        self.paths.push(p);
    }
}

/// Path names become metric labels and file entries: keep them plain.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok {
        bail!("path name `{name}`: use 1-64 characters from [A-Za-z0-9._-]");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(chain: &str) -> PathEnd {
        PathEnd {
            chain_id: chain.into(),
            client_id: "07-tendermint-0".into(),
            connection_id: "connection-0".into(),
            port_id: "transfer".into(),
            channel_id: "channel-0".into(),
        }
    }

    #[test]
    fn saves_loads_and_picks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paths.json");
        let mut f = PathsFile::load(&file).unwrap();
        assert!(f.pick(None).is_err());
        f.upsert(SavedPath {
            name: "p1".into(),
            a: end("a-1"),
            b: end("b-1"),
            created_at: "2026-01-01T00:00:00Z".into(),
        });
        f.save(&file).unwrap();
        let back = PathsFile::load(&file).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.pick(None).unwrap().name, "p1");
        assert!(back.pick(Some("p2")).unwrap_err().to_string().contains("saved: p1"));
        let p = back.get("p1").unwrap();
        assert_eq!(p.ends_from("b-1").unwrap().1.chain_id, "a-1");
        assert!(p.ends_from("c-1").is_none());
        std::fs::write(&file, "{not json").unwrap();
        assert!(PathsFile::load(&file).is_err());
    }

    #[test]
    fn names_are_plain() {
        check_name("edgemint-counterparty").unwrap();
        for bad in ["", "a b", "x\"}", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
