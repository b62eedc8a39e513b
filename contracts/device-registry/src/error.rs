use cosmwasm_std::StdError;
use cw721::error::Cw721ContractError;
use cw_ownable::OwnershipError;
use cw_utils::PaymentError;
use edgemint_types::migrate::MigrateError;
use edgemint_types::registry::{DeviceStatus, KeyType};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    /// Admin checks and admin handover (cw-ownable).
    #[error(transparent)]
    Ownership(#[from] OwnershipError),

    /// NFT transfers, approvals and queries (cw721), e.g. a transfer by someone who is neither owner nor approved.
    #[error(transparent)]
    Cw721(#[from] Cw721ContractError),

    #[error(transparent)]
    Payment(#[from] PaymentError),

    #[error("the registry admin cannot be renounced: hand it over with transfer_ownership + accept_ownership")]
    RenounceNotAllowed {},

    // ----- makers and slashers -----
    #[error("{sender} is not an approved maker")]
    NotMaker { sender: String },

    #[error("{maker} is already an approved maker")]
    MakerAlreadyApproved { maker: String },

    #[error("{maker} is not an approved maker")]
    MakerNotFound { maker: String },

    #[error("{sender} may not set device status: only the admin or a slasher may")]
    NotSlasher { sender: String },

    #[error("{slasher} is already a slasher")]
    SlasherAlreadyExists { slasher: String },

    #[error("{slasher} is not a slasher")]
    SlasherNotFound { slasher: String },

    #[error("too many slashers: at most {max}")]
    TooManySlashers { max: u32 },

    #[error("too many initial makers: at most {max}")]
    TooManyMakers { max: u32 },

    #[error("invalid collection {field}: must be 1..={max} bytes")]
    InvalidCollectionField { field: String, max: u32 },

    // ----- registration -----
    #[error("empty batch: register at least one device")]
    EmptyBatch {},

    #[error("batch of {size} devices is too large: at most {max} per message")]
    BatchTooLarge { size: u32, max: u32 },

    #[error("device #{index}: {key_type} public key must be {expected} bytes, got {actual}")]
    InvalidPubkeyLength {
        index: u32,
        key_type: KeyType,
        expected: u32,
        actual: u32,
    },

    #[error("device #{index}: secp256k1 public key must be a compressed point on the curve (prefix 0x02 or 0x03)")]
    InvalidSecp256k1Pubkey { index: u32 },

    /// An ed25519 key of small order (e.g. the identity point): a message-independent signature verifies under it,
    /// so its "signatures" would bind nothing.
    #[error("device #{index}: weak ed25519 public key (small order): any signature would verify")]
    WeakDeviceKey { index: u32 },

    #[error(
        "device #{index}: the registration signature does not verify: the device key must sign the registration message for this chain, registry, maker and code hash"
    )]
    InvalidRegistrationSignature { index: u32 },

    #[error("device #{index}: code hash must be 32 bytes (sha256), got {actual}")]
    InvalidCodeHash { index: u32, actual: u32 },

    #[error("device #{index}: model must be 1..={max} bytes without control characters")]
    InvalidModel { index: u32, max: u32 },

    #[error("device #{index}: metadata URI must be 1..={max} bytes of printable ASCII without spaces")]
    InvalidMetadataUri { index: u32, max: u32 },

    #[error("device #{index}: public key {pubkey} is already registered{}", existing_suffix(.existing))]
    DuplicatePubkey {
        index: u32,
        pubkey: String,
        /// The registered device with this key, or None if the duplicate is inside the same batch.
        existing: Option<u64>,
    },

    #[error("device #{index}: code hash {code_hash} is already registered{}", existing_suffix(.existing))]
    DuplicateCodeHash {
        index: u32,
        code_hash: String,
        existing: Option<u64>,
    },

    #[error("device id counter overflow")]
    DeviceIdOverflow {},

    // ----- devices -----
    #[error("unknown device {device_id}")]
    UnknownDevice { device_id: u64 },

    #[error("no device with public key {pubkey}")]
    UnknownPubkey { pubkey: String },

    #[error("device {device_id} is banned")]
    DeviceBanned { device_id: u64 },

    #[error("device {device_id} is suspended")]
    DeviceSuspended { device_id: u64 },

    // ----- activation -----
    #[error("device {device_id} is already activated")]
    AlreadyActivated { device_id: u64 },

    #[error("activation code must be 1..={max} bytes")]
    InvalidActivationCode { max: u32 },

    #[error("wrong activation code for device {device_id}")]
    WrongActivationCode { device_id: u64 },

    #[error("owner {owner} is not the sender {sender}: the owner must submit the activation")]
    OwnerNotSender { owner: String, sender: String },

    #[error("device {device_id}: the signature does not verify for this owner, chain and registry")]
    InvalidSignature { device_id: u64 },

    // ----- cw721 -----
    #[error("token {token_id} already has {max} approvals: revoke one first")]
    TooManyApprovals { token_id: String, max: u32 },

    // ----- status -----
    #[error("device {device_id} is already {status}")]
    StatusUnchanged { device_id: u64, status: DeviceStatus },

    #[error("device {device_id}: cannot change status from {from} to {to}")]
    InvalidStatusTransition {
        device_id: u64,
        from: DeviceStatus,
        to: DeviceStatus,
    },

    #[error("device {device_id} was never activated: only Activate makes it active (it may only be banned)")]
    NotActivated { device_id: u64 },

    #[error("reason must be 1..={max} bytes")]
    InvalidReason { max: u32 },

    // ----- migrate -----
    /// `migrate` refused: a different contract, a downgrade or an unparseable version.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
}

fn existing_suffix(existing: &Option<u64>) -> String {
    match existing {
        Some(id) => format!(" (device {id})"),
        None => " (twice in this batch)".to_string(),
    }
}
