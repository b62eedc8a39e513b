//! The one error type of the SDK, with a stable machine-readable code per variant.

use edgemint_types::registry::KeyType;
use edgemint_types::telemetry::TelemetryError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq, Eq)]
pub enum SdkError {
    // ----- keys -----
    #[error("invalid {key_type} secret key: {reason}")]
    InvalidSecretKey { key_type: KeyType, reason: &'static str },

    #[error("invalid hex: {reason}")]
    InvalidHex { reason: String },

    #[error("invalid {key_type} public key: {reason}")]
    InvalidPublicKey { key_type: KeyType, reason: &'static str },

    #[error("weak ed25519 public key (small order): it would verify forged signatures")]
    WeakPublicKey,

    // ----- signatures -----
    #[error("malformed signature: {reason}")]
    MalformedSignature { reason: &'static str },

    #[error("secp256k1 signature is not normalized to low-S (malleable form)")]
    HighS,

    #[error("signature does not verify")]
    BadSignature,

    // ----- telemetry -----
    /// The canonical encoding (`edgemint_types::telemetry`) rejected the report or its bytes.
    #[error("telemetry: {0}")]
    Telemetry(#[from] TelemetryError),

    #[error("invalid telemetry JSON: {reason}")]
    InvalidJson { reason: String },

    #[error("invalid base64: {reason}")]
    InvalidBase64 { reason: String },

    #[error("binary record is {len} bytes, must be {min}..={max}")]
    RecordLength { len: usize, min: usize, max: usize },

    #[error("report was signed for chain {found:?}, expected {expected:?}")]
    ChainIdMismatch { expected: String, found: String },

    // ----- batch frames -----
    #[error("batch frame is {len} bytes, more than the maximum {max}")]
    FrameTooLarge { len: usize, max: usize },

    #[error("batch frame truncated: {len} bytes, needs at least {needed}")]
    FrameTruncated { len: usize, needed: usize },

    #[error("batch frame does not start with the magic \"EMTB\"")]
    BadMagic,

    #[error("unsupported batch frame version {version}")]
    UnsupportedVersion { version: u8 },

    #[error("batch record count {count} out of range 1..={max}")]
    BadCount { count: u64, max: usize },

    #[error("batch record {index}: {error}")]
    BatchRecord { index: usize, error: Box<SdkError> },

    #[error("batch frame has {count} trailing bytes")]
    FrameTrailingBytes { count: usize },
}

impl SdkError {
    /// A stable snake_case code for this error (for 4xx bodies, metrics labels and logs). A batch record error has
    /// the code of the record's error.
    pub fn code(&self) -> &'static str {
        match self {
            SdkError::InvalidSecretKey { .. } => "invalid_secret_key",
            SdkError::InvalidHex { .. } => "invalid_hex",
            SdkError::InvalidPublicKey { .. } => "invalid_public_key",
            SdkError::WeakPublicKey => "weak_public_key",
            SdkError::MalformedSignature { .. } => "malformed_signature",
            SdkError::HighS => "high_s_signature",
            SdkError::BadSignature => "bad_signature",
            SdkError::Telemetry(e) => match e {
                TelemetryError::Truncated { .. } => "telemetry_truncated",
                TelemetryError::BadDomain {} => "telemetry_bad_domain",
                TelemetryError::InvalidChainId {} => "telemetry_invalid_chain_id",
                TelemetryError::BadFlag { .. } => "telemetry_bad_flag",
                TelemetryError::InvalidReceiptsHash { .. } => "telemetry_invalid_receipts_hash",
                TelemetryError::TrailingBytes { .. } => "telemetry_trailing_bytes",
            },
            SdkError::InvalidJson { .. } => "invalid_json",
            SdkError::InvalidBase64 { .. } => "invalid_base64",
            SdkError::RecordLength { .. } => "record_length",
            SdkError::ChainIdMismatch { .. } => "chain_id_mismatch",
            SdkError::FrameTooLarge { .. } => "frame_too_large",
            SdkError::FrameTruncated { .. } => "frame_truncated",
            SdkError::BadMagic => "frame_bad_magic",
            SdkError::UnsupportedVersion { .. } => "frame_unsupported_version",
            SdkError::BadCount { .. } => "frame_bad_count",
            SdkError::BatchRecord { error, .. } => error.code(),
            SdkError::FrameTrailingBytes { .. } => "frame_trailing_bytes",
        }
    }
}
