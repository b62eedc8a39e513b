//! Device keys: generation, secret import/export, public keys, and the Edgemint signature convention.
//!
//! - ed25519: the device signs the message bytes themselves (RFC 8032, 64-byte `R || S`); the public key is the
//!   32-byte compressed point.
//! - secp256k1: the device signs `sha256(message)` with ECDSA, deterministic nonces (RFC 6979), and sends the
//!   compact 64-byte `r || s` (big-endian each) with `s` normalized to the low half of the group order; the public
//!   key is the 33-byte compressed SEC1 point (`0x02`/`0x03` prefix + x).
//!
//! Verification here is deliberately stricter than what the chain accepts, so nothing malleable or degenerate
//! enters the oracle's store: secp256k1 signatures with a high `s` are rejected ([`SdkError::HighS`]); ed25519 uses
//! `verify_strict` (canonical `S`, no small-order `R`) and rejects small-order ("weak") public keys and
//! non-canonical point encodings.

use std::fmt;

use ed25519_dalek::Signer as _;
use edgemint_types::registry::{KeyType, ED25519_PUBKEY_LEN, SECP256K1_PUBKEY_LEN, SIGNATURE_LEN};
use k256::ecdsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
use rand_core::{CryptoRngCore, OsRng};
use sha2::{Digest, Sha256};

use crate::error::SdkError;

/// Length of a secret key of either type (ed25519 seed, secp256k1 scalar).
pub const SECRET_KEY_LEN: usize = 32;

/// sha256 of `bytes`: the prehash a secp256k1 device signs.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A device's signing key.
#[derive(Clone)]
pub enum DeviceKey {
    Ed25519(ed25519_dalek::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
}

impl DeviceKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate(key_type: KeyType) -> Self {
        Self::generate_with(key_type, &mut OsRng)
    }

    /// A fresh key from `rng` (e.g. a seeded CSPRNG for reproducible simulations).
    pub fn generate_with(key_type: KeyType, rng: &mut impl CryptoRngCore) -> Self {
        match key_type {
            KeyType::Ed25519 => DeviceKey::Ed25519(ed25519_dalek::SigningKey::generate(rng)),
            KeyType::Secp256k1 => DeviceKey::Secp256k1(k256::ecdsa::SigningKey::random(rng)),
        }
    }

    /// A key from its 32 secret bytes: the ed25519 seed (RFC 8032 private key), or the secp256k1 scalar (big-endian,
    /// 1..n-1).
    pub fn from_secret_bytes(key_type: KeyType, secret: &[u8]) -> Result<Self, SdkError> {
        let bytes: &[u8; SECRET_KEY_LEN] = secret.try_into().map_err(|_| SdkError::InvalidSecretKey {
            key_type,
            reason: "must be 32 bytes",
        })?;
        match key_type {
            KeyType::Ed25519 => Ok(DeviceKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(bytes))),
            KeyType::Secp256k1 => k256::ecdsa::SigningKey::from_bytes(bytes.into())
                .map(DeviceKey::Secp256k1)
                .map_err(|_| SdkError::InvalidSecretKey {
                    key_type,
                    reason: "scalar must be in 1..n-1",
                }),
        }
    }

    /// [`Self::from_secret_bytes`] from 64 hex digits (either case; surrounding whitespace such as a trailing
    /// newline in a key file is ignored).
    pub fn from_secret_hex(key_type: KeyType, secret_hex: &str) -> Result<Self, SdkError> {
        let bytes = hex::decode(secret_hex.trim()).map_err(|e| SdkError::InvalidHex { reason: e.to_string() })?;
        Self::from_secret_bytes(key_type, &bytes)
    }

    /// The 32 secret bytes (see [`Self::from_secret_bytes`]). Handle with care.
    pub fn to_secret_bytes(&self) -> [u8; SECRET_KEY_LEN] {
        match self {
            DeviceKey::Ed25519(key) => key.to_bytes(),
            DeviceKey::Secp256k1(key) => key.to_bytes().into(),
        }
    }

    /// The 32 secret bytes as 64 lowercase hex digits. Handle with care.
    pub fn to_secret_hex(&self) -> String {
        hex::encode(self.to_secret_bytes())
    }

    pub fn key_type(&self) -> KeyType {
        match self {
            DeviceKey::Ed25519(_) => KeyType::Ed25519,
            DeviceKey::Secp256k1(_) => KeyType::Secp256k1,
        }
    }

    /// The public key as the registry stores it: 32 bytes (ed25519) or 33 bytes compressed SEC1 (secp256k1).
    pub fn public_key(&self) -> Vec<u8> {
        self.device_public_key().to_bytes()
    }

    /// The parsed public key (for verification).
    pub fn device_public_key(&self) -> DevicePublicKey {
        match self {
            DeviceKey::Ed25519(key) => DevicePublicKey::Ed25519(key.verifying_key()),
            DeviceKey::Secp256k1(key) => DevicePublicKey::Secp256k1(*key.verifying_key()),
        }
    }

    /// Signs `message` by the Edgemint convention: ed25519 over the bytes; secp256k1 over sha256(bytes), RFC 6979,
    /// compact `r || s` with low `s`. Both are deterministic: the same key and message give the same signature.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        match self {
            DeviceKey::Ed25519(key) => key.sign(message).to_bytes(),
            DeviceKey::Secp256k1(key) => {
                let signature: k256::ecdsa::Signature = key
                    .sign_prehash(&sha256(message))
                    .expect("a 32-byte prehash is always accepted");
                signature.normalize_s().unwrap_or(signature).to_bytes().into()
            }
        }
    }
}

impl fmt::Debug for DeviceKey {
    /// Shows the key type and the public key, never the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKey")
            .field("key_type", &self.key_type())
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

/// A parsed and validated device public key. Parse once (e.g. when a device's registration is loaded) and verify
/// many reports with it: parsing costs about as much as a point decompression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevicePublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    Secp256k1(k256::ecdsa::VerifyingKey),
}

impl DevicePublicKey {
    /// Parses a public key in the registry's format and checks it: ed25519 must be 32 bytes, a canonical encoding of
    /// a curve point that is not of small order; secp256k1 must be 33 bytes, compressed SEC1 (`0x02`/`0x03` + x), on
    /// the curve.
    pub fn from_bytes(key_type: KeyType, bytes: &[u8]) -> Result<Self, SdkError> {
        let invalid = |reason| SdkError::InvalidPublicKey { key_type, reason };
        match key_type {
            KeyType::Ed25519 => {
                let raw: &[u8; ED25519_PUBKEY_LEN] = bytes.try_into().map_err(|_| invalid("must be 32 bytes"))?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(raw).map_err(|_| invalid("not a curve point"))?;
                if key.to_edwards().compress().as_bytes() != raw {
                    return Err(invalid("non-canonical point encoding"));
                }
                if key.is_weak() {
                    return Err(SdkError::WeakPublicKey);
                }
                Ok(DevicePublicKey::Ed25519(key))
            }
            KeyType::Secp256k1 => {
                if bytes.len() != SECP256K1_PUBKEY_LEN {
                    return Err(invalid("must be 33 bytes (compressed SEC1)"));
                }
                if !matches!(bytes[0], 0x02 | 0x03) {
                    return Err(invalid("must start with 0x02 or 0x03 (compressed SEC1)"));
                }
                k256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                    .map(DevicePublicKey::Secp256k1)
                    .map_err(|_| invalid("not a curve point"))
            }
        }
    }

    pub fn key_type(&self) -> KeyType {
        match self {
            DevicePublicKey::Ed25519(_) => KeyType::Ed25519,
            DevicePublicKey::Secp256k1(_) => KeyType::Secp256k1,
        }
    }

    /// The registry's format: 32 bytes (ed25519) or 33 bytes compressed SEC1 (secp256k1).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            DevicePublicKey::Ed25519(key) => key.to_bytes().to_vec(),
            DevicePublicKey::Secp256k1(key) => key.to_encoded_point(true).as_bytes().to_vec(),
        }
    }

    /// Verifies `signature` (64 bytes) over `message` by the Edgemint convention, strictly (see the module docs).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SdkError> {
        let raw: &[u8; SIGNATURE_LEN] = signature.try_into().map_err(|_| SdkError::MalformedSignature {
            reason: "must be 64 bytes",
        })?;
        match self {
            DevicePublicKey::Ed25519(key) => {
                let signature = ed25519_dalek::Signature::from_bytes(raw);
                // Weak keys were rejected at parse time; verify_strict also rejects small-order R and any S >= L.
                key.verify_strict(message, &signature)
                    .map_err(|_| SdkError::BadSignature)
            }
            DevicePublicKey::Secp256k1(key) => {
                let signature = k256::ecdsa::Signature::from_slice(raw).map_err(|_| SdkError::MalformedSignature {
                    reason: "r and s must be in 1..n-1",
                })?;
                if signature.normalize_s().is_some() {
                    return Err(SdkError::HighS);
                }
                key.verify_prehash(&sha256(message), &signature)
                    .map_err(|_| SdkError::BadSignature)
            }
        }
    }
}

/// Verifies a device signature given the registry's view of the device (key type and public key bytes): parses the
/// key with [`DevicePublicKey::from_bytes`] and verifies with [`DevicePublicKey::verify`].
pub fn verify(key_type: KeyType, pubkey: &[u8], message: &[u8], signature: &[u8]) -> Result<(), SdkError> {
    DevicePublicKey::from_bytes(key_type, pubkey)?.verify(message, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> [DeviceKey; 2] {
        [
            DeviceKey::generate(KeyType::Ed25519),
            DeviceKey::generate(KeyType::Secp256k1),
        ]
    }

    #[test]
    fn sign_verify_round_trip_and_secret_export() {
        for key in keys() {
            let pk = key.public_key();
            assert_eq!(pk.len(), key.key_type().pubkey_len());
            let sig = key.sign(b"hello");
            assert_eq!(sig, key.sign(b"hello"), "deterministic");
            verify(key.key_type(), &pk, b"hello", &sig).unwrap();
            assert_eq!(verify(key.key_type(), &pk, b"hellO", &sig), Err(SdkError::BadSignature));

            let again = DeviceKey::from_secret_hex(key.key_type(), &format!("{}\n", key.to_secret_hex())).unwrap();
            assert_eq!(again.public_key(), pk);
            assert_eq!(again.to_secret_bytes(), key.to_secret_bytes());
            // The other type's verifier never accepts it.
            let other = match key.key_type() {
                KeyType::Ed25519 => KeyType::Secp256k1,
                KeyType::Secp256k1 => KeyType::Ed25519,
            };
            assert!(verify(other, &pk, b"hello", &sig).is_err());
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        for key in keys() {
            let debug = format!("{key:?}");
            assert!(!debug.contains(&key.to_secret_hex()), "{debug}");
            assert!(debug.contains(&hex::encode(key.public_key())));
        }
    }

    #[test]
    fn secp256k1_signs_the_sha256_prehash_with_low_s() {
        let key = DeviceKey::generate(KeyType::Secp256k1);
        let DeviceKey::Secp256k1(inner) = &key else {
            unreachable!()
        };
        for i in 0u8..32 {
            let msg = [i; 7];
            let sig = key.sign(&msg);
            let parsed = k256::ecdsa::Signature::from_slice(&sig).unwrap();
            assert!(parsed.normalize_s().is_none(), "low-S");
            // Same as k256's own sha256-then-RFC6979 signer, normalized.
            let direct: k256::ecdsa::Signature = k256::ecdsa::signature::Signer::sign(inner, &msg);
            assert_eq!(direct.normalize_s().unwrap_or(direct), parsed);
        }
    }

    #[test]
    fn secp256k1_rejects_high_s() {
        let key = DeviceKey::generate(KeyType::Secp256k1);
        let sig = key.sign(b"m");
        let low = k256::ecdsa::Signature::from_slice(&sig).unwrap();
        let (r, s) = low.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        let high_bytes: [u8; 64] = high.to_bytes().into();
        // k256 alone would also refuse; the SDK names the reason.
        assert_eq!(
            verify(KeyType::Secp256k1, &key.public_key(), b"m", &high_bytes),
            Err(SdkError::HighS)
        );
        verify(KeyType::Secp256k1, &key.public_key(), b"m", &sig).unwrap();
    }

    #[test]
    fn rejects_malformed_keys_and_signatures() {
        let ed = DeviceKey::generate(KeyType::Ed25519);
        let k1 = DeviceKey::generate(KeyType::Secp256k1);
        let sig = ed.sign(b"m");
        assert!(matches!(
            verify(KeyType::Ed25519, &ed.public_key(), b"m", &sig[..63]),
            Err(SdkError::MalformedSignature { .. })
        ));
        // secp256k1 r = 0 and s = n are out of range
        let mut zero = [0u8; 64];
        zero[63] = 1;
        assert!(matches!(
            verify(KeyType::Secp256k1, &k1.public_key(), b"m", &zero),
            Err(SdkError::MalformedSignature { .. })
        ));
        // uncompressed SEC1, bad prefix, wrong lengths
        let DeviceKey::Secp256k1(inner) = &k1 else {
            unreachable!()
        };
        let uncompressed = inner.verifying_key().to_encoded_point(false);
        assert!(matches!(
            DevicePublicKey::from_bytes(KeyType::Secp256k1, uncompressed.as_bytes()),
            Err(SdkError::InvalidPublicKey { .. })
        ));
        let mut bad_prefix = k1.public_key();
        bad_prefix[0] = 0x04;
        assert!(DevicePublicKey::from_bytes(KeyType::Secp256k1, &bad_prefix).is_err());
        // x = p - 1 is not the x of a point on secp256k1 with y^2 = x^3 + 7 ... or it is: either way no panic
        let _ = DevicePublicKey::from_bytes(KeyType::Secp256k1, &[0x02; 33]);
        assert!(DevicePublicKey::from_bytes(KeyType::Ed25519, &[1u8; 31]).is_err());
        // secret keys: wrong length, zero scalar, scalar >= n
        assert!(DeviceKey::from_secret_bytes(KeyType::Ed25519, &[1u8; 31]).is_err());
        assert!(DeviceKey::from_secret_bytes(KeyType::Secp256k1, &[0u8; 32]).is_err());
        assert!(DeviceKey::from_secret_bytes(KeyType::Secp256k1, &[0xff; 32]).is_err());
        assert!(matches!(
            DeviceKey::from_secret_hex(KeyType::Ed25519, "zz"),
            Err(SdkError::InvalidHex { .. })
        ));
    }

    #[test]
    fn ed25519_rejects_weak_and_non_canonical_keys() {
        // The identity point (y = 1): small order, "verifies" forged signatures under a lax verifier.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            DevicePublicKey::from_bytes(KeyType::Ed25519, &identity),
            Err(SdkError::WeakPublicKey)
        );
        // The order-4 point (0, -1) ... y = p - 1.
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        assert_eq!(
            DevicePublicKey::from_bytes(KeyType::Ed25519, &minus_one),
            Err(SdkError::WeakPublicKey)
        );
        // y = p + 1 is a non-canonical encoding of the identity.
        let mut p_plus_one = [0xffu8; 32];
        p_plus_one[0] = 0xee;
        p_plus_one[31] = 0x7f;
        assert!(matches!(
            DevicePublicKey::from_bytes(KeyType::Ed25519, &p_plus_one),
            Err(SdkError::InvalidPublicKey { .. })
        ));
        // With the identity as public key, (R = identity, S = 0) is a "signature" of every message.
        let mut forged = [0u8; 64];
        forged[0] = 1;
        let lax = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
        assert!(
            ed25519_dalek::Verifier::verify(&lax, b"anything", &ed25519_dalek::Signature::from_bytes(&forged)).is_ok()
        );
        assert!(lax
            .verify_strict(b"anything", &ed25519_dalek::Signature::from_bytes(&forged))
            .is_err());
        assert!(verify(KeyType::Ed25519, &identity, b"anything", &forged).is_err());
    }

    #[test]
    fn ed25519_rejects_non_canonical_s() {
        let key = DeviceKey::generate(KeyType::Ed25519);
        let mut sig = key.sign(b"m");
        // S + L (L = 2^252 + 27742317777372353535851937790883648493) is the same scalar, non-canonical.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
            sig[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0, "S + L < 2^256");
        assert!(verify(KeyType::Ed25519, &key.public_key(), b"m", &sig).is_err());
    }
}
