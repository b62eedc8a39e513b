//! The simulator's typed errors (the CLI adds context with anyhow).

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum SimError {
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("cannot read fleet file {path}: {source}")]
    FleetRead { path: PathBuf, source: std::io::Error },
    #[error("cannot write fleet file {path}: {source}")]
    FleetWrite { path: PathBuf, source: std::io::Error },
    #[error("fleet file {path} is invalid: {reason}")]
    FleetInvalid { path: PathBuf, reason: String },
    #[error(
        "fleet file {path} was made with {field} = {stored}, not {given}: use another --fleet path or drop the option"
    )]
    FleetMismatch {
        path: PathBuf,
        field: String,
        stored: String,
        given: String,
    },
    #[error("device key: {0}")]
    Sdk(#[from] edgemint_device_sdk::SdkError),
    #[error("owner key: {0}")]
    Key(String),
    #[error("device {index} has no device id: run `edgemint-sim provision` first (or pass --assume-sequential-ids)")]
    MissingDeviceId { index: u32 },
}
