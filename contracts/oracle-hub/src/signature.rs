//! Report statements, candidate keys and signature checks.
//!
//! The statement an operator signs for a report (UTF-8, no trailing newline, hex lowercase, numbers in decimal):
//!
//! ```text
//! edgemint-report/v1\n{chain_id}\n{hub_addr}\n{epoch}\n{root_hex}\n{total_amount}\n{device_count}\n{commitment_hex}
//! ```
//!
//! The operator's secp256k1 key signs sha256(statement) (64-byte compact r||s). The chain id and the hub address
//! bind the statement to one deployment, so a statement signed for a test network is no evidence here.

use cosmwasm_std::{Api, Uint128};
use edgemint_types::registry::{KeyType, SIGNATURE_LEN};
use sha2::{Digest, Sha256};

/// First line of every report statement; bump the version if the format ever changes.
pub const REPORT_DOMAIN: &str = "edgemint-report/v1";

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The statement bytes for one report (see the module docs).
pub fn report_statement(
    chain_id: &str,
    hub: &str,
    epoch: u64,
    root: &[u8],
    total_amount: Uint128,
    device_count: u64,
    telemetry_commitment: &[u8],
) -> Vec<u8> {
    format!(
        "{REPORT_DOMAIN}\n{chain_id}\n{hub}\n{epoch}\n{}\n{total_amount}\n{device_count}\n{}",
        hex(root),
        hex(telemetry_commitment)
    )
    .into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Identifies a report's contents within an epoch: sha256(root ‖ total_amount as 16 bytes big-endian ‖
/// device_count as 8 bytes big-endian ‖ telemetry_commitment). Roots and commitments are fixed at 32 bytes, so the
/// concatenation is unambiguous.
pub fn candidate_key(root: &[u8], total_amount: Uint128, device_count: u64, telemetry_commitment: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(root);
    hasher.update(total_amount.u128().to_be_bytes());
    hasher.update(device_count.to_be_bytes());
    hasher.update(telemetry_commitment);
    hasher.finalize().into()
}

/// True if `signature` (64-byte compact r||s) is `pubkey`'s secp256k1 signature over sha256(`statement`).
/// Malformed keys or signatures count as "does not verify".
pub fn verify_operator_signature(api: &dyn Api, pubkey: &[u8], statement: &[u8], signature: &[u8]) -> bool {
    signature.len() == SIGNATURE_LEN && matches!(api.secp256k1_verify(&sha256(statement), signature, pubkey), Ok(true))
}

/// The compressed (33-byte) secp256k1 keys that could have produced `signature` (64-byte compact r||s) over
/// sha256(`statement`): one per recovery id that recovers a key (at most two). Malformed input yields none.
pub fn recover_operator_keys(api: &dyn Api, statement: &[u8], signature: &[u8]) -> Vec<Vec<u8>> {
    if signature.len() != SIGNATURE_LEN {
        return vec![];
    }
    let hash = sha256(statement);
    (0u8..=1)
        .filter_map(|recovery| api.secp256k1_recover_pubkey(&hash, signature, recovery).ok())
        .filter_map(|key| compress_pubkey(&key))
        .collect()
}

/// SEC1 uncompressed (0x04 ‖ x ‖ y, 65 bytes) → compressed (0x02/0x03 ‖ x); a compressed key is returned as is.
pub fn compress_pubkey(key: &[u8]) -> Option<Vec<u8>> {
    match key.len() {
        33 if matches!(key[0], 0x02 | 0x03) => Some(key.to_vec()),
        65 if key[0] == 0x04 => {
            let mut out = Vec::with_capacity(33);
            out.push(0x02 | (key[64] & 1));
            out.extend_from_slice(&key[1..33]);
            Some(out)
        }
        _ => None,
    }
}

/// True if `signature` is the device key's signature over `message`: ed25519 over the raw bytes, secp256k1
/// (64-byte compact r||s) over sha256(message), as for activation. Malformed keys or signatures count as "does not
/// verify".
pub fn verify_device_signature(
    api: &dyn Api,
    key_type: KeyType,
    pubkey: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    if signature.len() != SIGNATURE_LEN {
        return false;
    }
    let verified = match key_type {
        KeyType::Ed25519 => api.ed25519_verify(message, signature, pubkey),
        KeyType::Secp256k1 => api.secp256k1_verify(&sha256(message), signature, pubkey),
    };
    matches!(verified, Ok(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_format() {
        let root: Vec<u8> = (0u8..32).collect();
        let commitment = vec![0xffu8; 32];
        let s = report_statement(
            "edgemint-1",
            "emc1hub",
            7,
            &root,
            Uint128::new(100_000_000_000_000_000),
            1_000_000,
            &commitment,
        );
        assert_eq!(
            String::from_utf8(s).unwrap(),
            format!(
                "edgemint-report/v1\nedgemint-1\nemc1hub\n7\n{}\n100000000000000000\n1000000\n{}",
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "ff".repeat(32)
            )
        );
    }

    #[test]
    fn candidate_keys_separate_every_field() {
        let base = candidate_key(&[1; 32], Uint128::new(5), 2, &[3; 32]);
        assert_ne!(base, candidate_key(&[9; 32], Uint128::new(5), 2, &[3; 32]));
        assert_ne!(base, candidate_key(&[1; 32], Uint128::new(6), 2, &[3; 32]));
        assert_ne!(base, candidate_key(&[1; 32], Uint128::new(5), 3, &[3; 32]));
        assert_ne!(base, candidate_key(&[1; 32], Uint128::new(5), 2, &[4; 32]));
        assert_eq!(base, candidate_key(&[1; 32], Uint128::new(5), 2, &[3; 32]));
    }
}
