//! The activation message and the device signature check.

use cosmwasm_std::{Addr, Api, Env};
use edgemint_types::registry::{activation_message, registration_message, KeyType, SIGNATURE_LEN};
use sha2::{Digest, Sha256};

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The bytes a device signs to activate for `owner` on this chain and this registry
/// (`edgemint-activate/v1\n{chain_id}\n{contract_addr}\n{owner}\n{code_hash_hex}`).
pub fn message_for(env: &Env, owner: &Addr, code_hash: &[u8]) -> Vec<u8> {
    activation_message(
        &env.block.chain_id,
        env.contract.address.as_str(),
        owner.as_str(),
        code_hash,
    )
}

/// The bytes a device signs for `maker` to register it with `code_hash` on this chain and this registry
/// (`edgemint-register/v1\n{chain_id}\n{contract_addr}\n{maker}\n{code_hash_hex}`).
pub fn registration_message_for(env: &Env, maker: &Addr, code_hash: &[u8]) -> Vec<u8> {
    registration_message(
        &env.block.chain_id,
        env.contract.address.as_str(),
        maker.as_str(),
        code_hash,
    )
}

/// True if `signature` is the device key's signature over `message`: ed25519 over the raw bytes, secp256k1
/// (64-byte compact r||s) over sha256(message). Malformed keys or signatures count as "does not verify".
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
