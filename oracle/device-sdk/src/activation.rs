//! Signatures a device gives to the device registry: the registration proof of possession (made at the factory, for
//! the maker's `RegisterDevice`) and the activation signature (made for the buyer's `Activate`).
//!
//! The messages come from `edgemint_types::registry` ([`activation_message`], [`registration_message`]):
//!
//! ```text
//! edgemint-register/v1\n{chain_id}\n{registry_addr}\n{maker_addr}\n{code_hash_hex_lowercase}
//! edgemint-activate/v1\n{chain_id}\n{registry_addr}\n{owner_addr}\n{code_hash_hex_lowercase}
//! ```
//!
//! UTF-8, no trailing newline, signed by the convention of [`DeviceKey::sign`] (ed25519 over the bytes, secp256k1
//! over their sha256). The code hash is sha256 of the activation code's UTF-8 bytes.

use edgemint_types::registry::{activation_message, registration_message, SIGNATURE_LEN};

use crate::keys::{sha256, DeviceKey};

/// sha256 of the activation code's UTF-8 bytes: what the maker registers and the registry checks on `Activate`.
pub fn code_hash(code: &str) -> [u8; 32] {
    sha256(code.as_bytes())
}

/// The device's signature binding `owner` to this device for `Activate { activation_code: code, owner, .. }` on the
/// registry at `registry_addr` on `chain_id`.
pub fn activation_signature(
    key: &DeviceKey,
    chain_id: &str,
    registry_addr: &str,
    owner: &str,
    code: &str,
) -> [u8; SIGNATURE_LEN] {
    key.sign(&activation_message(chain_id, registry_addr, owner, &code_hash(code)))
}

/// The device's proof of possession for `maker` registering it with `code_hash` (the
/// `registration_signature` of `DeviceRegistration`) on the registry at `registry_addr` on `chain_id`.
pub fn registration_signature(
    key: &DeviceKey,
    chain_id: &str,
    registry_addr: &str,
    maker: &str,
    code_hash: &[u8; 32],
) -> [u8; SIGNATURE_LEN] {
    key.sign(&registration_message(chain_id, registry_addr, maker, code_hash))
}

#[cfg(test)]
mod tests {
    use edgemint_types::registry::KeyType;

    use super::*;
    use crate::keys::verify;

    #[test]
    fn code_hash_is_sha256_of_utf8() {
        // sha256("abc")
        assert_eq!(
            hex::encode(code_hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn signatures_verify_over_the_registry_messages() {
        for key_type in [KeyType::Ed25519, KeyType::Secp256k1] {
            let key = DeviceKey::generate(key_type);
            let pk = key.public_key();
            let hash = code_hash("CODE-1234");
            let sig = activation_signature(&key, "edgemint-1", "emc1registry", "emc1owner", "CODE-1234");
            let msg = activation_message("edgemint-1", "emc1registry", "emc1owner", &hash);
            verify(key_type, &pk, &msg, &sig).unwrap();
            // Bound to the owner.
            let other = activation_message("edgemint-1", "emc1registry", "emc1thief", &hash);
            assert!(verify(key_type, &pk, &other, &sig).is_err());

            let sig = registration_signature(&key, "edgemint-1", "emc1registry", "emc1maker", &hash);
            let msg = registration_message("edgemint-1", "emc1registry", "emc1maker", &hash);
            verify(key_type, &pk, &msg, &sig).unwrap();
            // Never valid as an activation signature for the same fields.
            let act = activation_message("edgemint-1", "emc1registry", "emc1maker", &hash);
            assert!(verify(key_type, &pk, &act, &sig).is_err());
        }
    }
}
