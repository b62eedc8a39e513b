//! Edgemint device SDK: what a device (or its maker, or a simulator) needs to take part in Edgemint.
//!
//! - [`DeviceKey`]: ed25519 or secp256k1 device keys, and the Edgemint signature convention ([`DeviceKey::sign`],
//!   [`verify`], [`DevicePublicKey`]).
//! - [`SignedTelemetry`]: a [`TelemetryReport`] signed over its canonical encoding (`edgemint-telemetry/v1`, defined
//!   once in `edgemint_types::telemetry`), in a JSON form and a compact binary form; [`batch`] frames many binary
//!   records for HTTP ingest.
//! - [`activation_signature`], [`registration_signature`], [`code_hash`]: what a device signs for the device
//!   registry (messages built by `edgemint_types::registry`).
//!
//! The formats are documented for firmware in other languages in this crate's README.md, with test vectors in
//! `testdata/vectors.json`.

pub mod activation;
pub mod batch;
pub mod error;
pub mod keys;
pub mod telemetry;

pub use activation::{activation_signature, code_hash, registration_signature};
pub use batch::{
    decode_batch, encode_batch, encode_decoded_batch, BatchBuilder, BATCH_MAGIC, BATCH_VERSION, MAX_BATCH_FRAME_LEN,
    MAX_BATCH_RECORDS,
};
pub use error::SdkError;
pub use keys::{sha256, verify, DeviceKey, DevicePublicKey, SECRET_KEY_LEN};
pub use telemetry::{DecodedSignedTelemetry, SignedTelemetry, MAX_RECORD_LEN, MIN_RECORD_LEN};

/// The shared definitions this crate builds on, re-exported so users need not depend on them separately.
pub use cosmwasm_std::HexBinary;
pub use edgemint_types::registry::{
    activation_message, registration_message, KeyType, ACTIVATION_DOMAIN, REGISTRATION_DOMAIN, SIGNATURE_LEN,
};
pub use edgemint_types::telemetry::{
    DecodedTelemetry, TelemetryError, TelemetryReport, MAX_CHAIN_ID_LEN, RECEIPTS_HASH_LEN, TELEMETRY_DOMAIN,
};
pub use {ed25519_dalek, edgemint_types, k256};
