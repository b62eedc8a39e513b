//! Input checks for registration and status changes (pure; no storage).

use cosmwasm_std::Api;
use edgemint_types::registry::{DeviceRegistration, KeyType, CODE_HASH_LEN};

use crate::error::ContractError;

pub const MAX_BATCH_SIZE: u32 = 100;
pub const MAX_MODEL_LEN: u32 = 64;
pub const MAX_METADATA_URI_LEN: u32 = 256;
pub const MAX_ACTIVATION_CODE_LEN: u32 = 256;
pub const MAX_REASON_LEN: u32 = 256;
pub const MAX_SLASHERS: u32 = 10;
pub const MAX_COLLECTION_FIELD_LEN: u32 = 64;
/// Approvals one token may carry: every approval is stored inside the token record, which every `Device` query
/// (staking's Stake, Slash, MiningStatus) loads.
pub const MAX_APPROVALS_PER_TOKEN: u32 = 10;

/// Small-order probe for ed25519 keys: this signature (R = the identity point, encoded 0x01 then 31 zero bytes;
/// s = 0) verifies for ANY message under a small-order public key (cofactored ZIP-215 verification, as in
/// cosmwasm), and under no other key.
pub const ED25519_PROBE_MESSAGE: &[u8] = b"edgemint-small-order-probe";
pub const ED25519_PROBE_SIGNATURE: [u8; 64] = {
    let mut sig = [0u8; 64];
    sig[0] = 1;
    sig
};
/// A well-formed secp256k1 compact signature (r = s = 1) and hash: verifying them fails for every valid key and
/// errors for a key that does not decode to a curve point.
const SECP256K1_PROBE_SIGNATURE: [u8; 64] = {
    let mut sig = [0u8; 64];
    sig[31] = 1;
    sig[63] = 1;
    sig
};
const SECP256K1_PROBE_HASH: [u8; 32] = [0u8; 32];

/// Lossless for every length this contract accepts; saturates for absurd inputs (only used in error values).
pub fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn within(len: usize, max: u32) -> bool {
    len >= 1 && len <= max as usize
}

/// Checks one registration's shape: key length (and compressed-point prefix for secp256k1), code hash length,
/// model and metadata URI. Duplicates are checked by the caller.
pub fn validate_registration(index: u32, device: &DeviceRegistration) -> Result<(), ContractError> {
    let pubkey = device.pubkey.as_slice();
    let expected = device.key_type.pubkey_len();
    if pubkey.len() != expected {
        return Err(ContractError::InvalidPubkeyLength {
            index,
            key_type: device.key_type,
            expected: len_u32(expected),
            actual: len_u32(pubkey.len()),
        });
    }
    if device.key_type == KeyType::Secp256k1 && !matches!(pubkey.first(), Some(0x02 | 0x03)) {
        return Err(ContractError::InvalidSecp256k1Pubkey { index });
    }
    if device.code_hash.len() != CODE_HASH_LEN {
        return Err(ContractError::InvalidCodeHash {
            index,
            actual: len_u32(device.code_hash.len()),
        });
    }
    if !within(device.model.len(), MAX_MODEL_LEN) || device.model.chars().any(char::is_control) {
        return Err(ContractError::InvalidModel {
            index,
            max: MAX_MODEL_LEN,
        });
    }
    if let Some(uri) = &device.metadata_uri {
        if !within(uri.len(), MAX_METADATA_URI_LEN) || !uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ContractError::InvalidMetadataUri {
                index,
                max: MAX_METADATA_URI_LEN,
            });
        }
    }
    Ok(())
}

/// Checks that a (well-sized) device key can bind anything: an ed25519 key must not be of small order
/// (`WeakDeviceKey`), a secp256k1 key must decode to a curve point (`InvalidSecp256k1Pubkey`). An ed25519 key that
/// is not a curve point at all is caught by the proof of possession (no signature verifies under it).
pub fn validate_device_key(api: &dyn Api, index: u32, key_type: KeyType, pubkey: &[u8]) -> Result<(), ContractError> {
    match key_type {
        KeyType::Ed25519 => match api.ed25519_verify(ED25519_PROBE_MESSAGE, &ED25519_PROBE_SIGNATURE, pubkey) {
            Ok(false) => Ok(()),
            // Ok(true): small order. Err: not a 32-byte key (already refused by the length check).
            Ok(true) | Err(_) => Err(ContractError::WeakDeviceKey { index }),
        },
        // cosmwasm returns Err(InvalidPubkeyFormat) for a bad prefix/length and Err(GenericErr) for a compressed
        // encoding that is not on the curve; a valid key just fails to verify the probe.
        KeyType::Secp256k1 => match api.secp256k1_verify(&SECP256K1_PROBE_HASH, &SECP256K1_PROBE_SIGNATURE, pubkey) {
            Ok(_) => Ok(()),
            Err(_) => Err(ContractError::InvalidSecp256k1Pubkey { index }),
        },
    }
}

pub fn validate_activation_code(code: &str) -> Result<(), ContractError> {
    if !within(code.len(), MAX_ACTIVATION_CODE_LEN) {
        return Err(ContractError::InvalidActivationCode {
            max: MAX_ACTIVATION_CODE_LEN,
        });
    }
    Ok(())
}

pub fn validate_reason(reason: &str) -> Result<(), ContractError> {
    if !within(reason.len(), MAX_REASON_LEN) {
        return Err(ContractError::InvalidReason { max: MAX_REASON_LEN });
    }
    Ok(())
}

pub fn validate_collection_field(field: &str, value: &str) -> Result<(), ContractError> {
    if !within(value.len(), MAX_COLLECTION_FIELD_LEN) {
        return Err(ContractError::InvalidCollectionField {
            field: field.to_string(),
            max: MAX_COLLECTION_FIELD_LEN,
        });
    }
    Ok(())
}
