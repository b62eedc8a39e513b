//! Account keys: BIP-39 mnemonics derived on the Cosmos HD path (coin type 118), as Keplr and `edgemintd keys` do.

use bip32::{Language, Mnemonic, XPrv};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::AccountId;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("invalid mnemonic: {0}")]
    Mnemonic(String),
    #[error("key derivation failed: {0}")]
    Derive(String),
}

/// A named account whose mnemonic we hold (localnet test accounts; never used for real funds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyInfo {
    pub name: String,
    pub address: String,
    pub mnemonic: String,
}

impl KeyInfo {
    /// Creates a fresh random 24-word key.
    pub fn generate(name: &str, prefix: &str, coin_type: u32) -> Result<Self, KeyError> {
        let mnemonic = Mnemonic::random(OsRng, Language::English);
        Self::from_mnemonic(name, mnemonic.phrase(), prefix, coin_type)
    }

    pub fn from_mnemonic(name: &str, phrase: &str, prefix: &str, coin_type: u32) -> Result<Self, KeyError> {
        let key = signing_key(phrase, coin_type)?;
        let address = key
            .public_key()
            .account_id(prefix)
            .map_err(|e| KeyError::Derive(e.to_string()))?
            .to_string();
        Ok(Self {
            name: name.to_string(),
            address,
            mnemonic: phrase.to_string(),
        })
    }

    pub fn signing_key(&self, coin_type: u32) -> Result<SigningKey, KeyError> {
        signing_key(&self.mnemonic, coin_type)
    }

    pub fn account_id(&self) -> Result<AccountId, KeyError> {
        self.address
            .parse()
            .map_err(|e: cosmrs::ErrorReport| KeyError::Derive(e.to_string()))
    }
}

/// Derives the secp256k1 key at m/44'/{coin_type}'/0'/0/0.
pub fn signing_key(phrase: &str, coin_type: u32) -> Result<SigningKey, KeyError> {
    let mnemonic = Mnemonic::new(phrase.trim(), Language::English).map_err(|e| KeyError::Mnemonic(e.to_string()))?;
    let seed = mnemonic.to_seed("");
    let path: bip32::DerivationPath = format!("m/44'/{coin_type}'/0'/0/0")
        .parse()
        .map_err(|e: bip32::Error| KeyError::Derive(e.to_string()))?;
    let xprv = XPrv::derive_from_path(seed, &path).map_err(|e| KeyError::Derive(e.to_string()))?;
    SigningKey::from_slice(&xprv.private_key().to_bytes()).map_err(|e| KeyError::Derive(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cross-checked against `edgemintd keys add --recover` (see e2e::chain tests, which sign with keys derived here).
    #[test]
    fn derivation_is_deterministic_and_prefixed() {
        let k = KeyInfo::generate("a", "emc", 118).unwrap();
        assert!(k.address.starts_with("emc1"));
        let again = KeyInfo::from_mnemonic("a", &k.mnemonic, "emc", 118).unwrap();
        assert_eq!(k.address, again.address);
        let other = KeyInfo::from_mnemonic("a", &k.mnemonic, "wasm", 118).unwrap();
        assert!(other.address.starts_with("wasm1"));
        assert_ne!(KeyInfo::generate("b", "emc", 118).unwrap().address, k.address);
    }

    #[test]
    fn rejects_bad_mnemonic() {
        assert!(matches!(
            signing_key("not a real mnemonic", 118),
            Err(KeyError::Mnemonic(_))
        ));
    }
}
