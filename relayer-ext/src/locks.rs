//! One signer per account: `start` holds an exclusive lock per (chain, key) for as long as it runs.
//!
//! Why: a Cosmos account has one sequence number. Inside one `start` every path on a chain sends through the same
//! Hermes chain runtime, which owns that account's sequence, so paths sharing a key never race. A second process
//! signing with the same key (a second relayer, or a `transfer` from the relayer key) would make both resubmit with
//! stale sequences; the lock turns that stall into an immediate, explained error.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "key `{key}` on {chain} is in use by a running edgemint-relayer (pid {pid}); two signers on one account race \
         on its sequence number: stop that process or use another key"
    )]
    Held { chain: String, key: String, pid: String },
    #[error("lock file {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Held while alive; the kernel releases it when the process exits, also on SIGKILL.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
    pub path: PathBuf,
}

fn lock_path(dir: &Path, chain: &str, key: &str) -> PathBuf {
    dir.join(format!("{chain}.{key}.lock"))
}

fn open(path: &Path) -> Result<File, LockError> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| LockError::Io(d.to_path_buf(), e))?;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| LockError::Io(path.to_path_buf(), e))
}

fn try_flock(f: &File) -> bool {
    // SAFETY: flock(2) on a descriptor we own.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

fn holder(f: &mut File) -> String {
    let mut s = String::new();
    let _ = f.rewind().and_then(|_| f.read_to_string(&mut s));
    let s = s.trim();
    if s.is_empty() {
        "unknown".into()
    } else {
        s.into()
    }
}

impl KeyLock {
    pub fn acquire(dir: &Path, chain: &str, key: &str) -> Result<Self, LockError> {
        let path = lock_path(dir, chain, key);
        let mut f = open(&path)?;
        if !try_flock(&f) {
            return Err(LockError::Held {
                chain: chain.into(),
                key: key.into(),
                pid: holder(&mut f),
            });
        }
        let io = |e| LockError::Io(path.clone(), e);
        f.set_len(0).map_err(io)?;
        f.rewind().map_err(io)?;
        write!(f, "{}", std::process::id()).map_err(io)?;
        f.flush().map_err(io)?;
        Ok(Self { _file: f, path })
    }

    /// Fails with `Held` while a `start` holds the key; takes and drops the lock otherwise.
    pub fn check_free(dir: &Path, chain: &str, key: &str) -> Result<(), LockError> {
        let path = lock_path(dir, chain, key);
        let mut f = open(&path)?;
        if try_flock(&f) {
            return Ok(()); // released when `f` closes
        }
        Err(LockError::Held {
            chain: chain.into(),
            key: key.into(),
            pid: holder(&mut f),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let lock = KeyLock::acquire(dir.path(), "a-1", "relayer").unwrap();
        // flock locks belong to the open file description: a second open in this process conflicts like another
        // process would.
        let err = KeyLock::acquire(dir.path(), "a-1", "relayer").unwrap_err();
        assert!(err.to_string().contains(&std::process::id().to_string()), "{err}");
        assert!(matches!(
            KeyLock::check_free(dir.path(), "a-1", "relayer"),
            Err(LockError::Held { .. })
        ));
        KeyLock::check_free(dir.path(), "b-1", "relayer").unwrap();
        KeyLock::check_free(dir.path(), "a-1", "other").unwrap();
        drop(lock);
        KeyLock::check_free(dir.path(), "a-1", "relayer").unwrap();
        let _again = KeyLock::acquire(dir.path(), "a-1", "relayer").unwrap();
    }
}
