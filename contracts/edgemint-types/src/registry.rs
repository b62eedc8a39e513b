//! The device registry's interface as other contracts and off-chain clients see it (the staking contract queries
//! devices and marks slashed ones; device makers and wallets build the activation message). The registry's own
//! `msg.rs` re-exports these, so there is one definition.
//!
//! `RegistryExecuteMsg` and `RegistryQueryMsg` are *subsets* of the registry's full `ExecuteMsg`/`QueryMsg`: they
//! serialize to exactly the same JSON as the corresponding variants of the full enums (the registry's tests check
//! this), so a contract can call the registry without depending on the registry crate.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp};

/// First line of every activation message; bump the version if the format ever changes.
pub const ACTIVATION_DOMAIN: &str = "edgemint-activate/v1";
/// First line of every registration message (the device's proof of possession of its key).
pub const REGISTRATION_DOMAIN: &str = "edgemint-register/v1";
/// Raw ed25519 public key.
pub const ED25519_PUBKEY_LEN: usize = 32;
/// Compressed SEC1 secp256k1 public key (0x02/0x03 prefix + x).
pub const SECP256K1_PUBKEY_LEN: usize = 33;
/// sha256 of the activation code.
pub const CODE_HASH_LEN: usize = 32;
/// Both key types sign with 64-byte signatures (ed25519 R||S, secp256k1 compact r||s).
pub const SIGNATURE_LEN: usize = 64;

#[cw_serde]
#[derive(Copy, Eq, Hash)]
pub enum KeyType {
    Ed25519,
    Secp256k1,
}

impl KeyType {
    /// Length in bytes of a public key of this type as the registry stores it.
    pub const fn pubkey_len(self) -> usize {
        match self {
            KeyType::Ed25519 => ED25519_PUBKEY_LEN,
            KeyType::Secp256k1 => SECP256K1_PUBKEY_LEN,
        }
    }

    /// The JSON name (`"ed25519"`, `"secp256k1"`), also used in event attributes.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::Secp256k1 => "secp256k1",
        }
    }
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cw_serde]
#[derive(Copy, Eq, Hash)]
pub enum DeviceStatus {
    /// Registered by its maker, not yet activated.
    Registered,
    /// Activated and owned; may mine while staked.
    Active,
    /// Temporarily barred from mining (DAO or slashing); can return to Active.
    Suspended,
    /// Permanently barred; never reactivates. The NFT (if minted) stays transferable property.
    Banned,
}

impl DeviceStatus {
    /// The JSON name (`"registered"`, `"active"`, ...), also used in event attributes.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Registered => "registered",
            DeviceStatus::Active => "active",
            DeviceStatus::Suspended => "suspended",
            DeviceStatus::Banned => "banned",
        }
    }

    /// Only active devices may mine (staking and the oracles check this).
    pub const fn can_mine(self) -> bool {
        matches!(self, DeviceStatus::Active)
    }
}

impl std::fmt::Display for DeviceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a client needs to know about one device.
#[cw_serde]
pub struct DeviceResponse {
    pub device_id: u64,
    /// The cw721 token id (the decimal device id).
    pub token_id: String,
    pub maker: Addr,
    pub key_type: KeyType,
    pub pubkey: Binary,
    /// sha256 of the activation code.
    pub code_hash: HexBinary,
    pub model: String,
    pub metadata_uri: Option<String>,
    pub status: DeviceStatus,
    /// The NFT's current owner once activated (follows cw721 transfers).
    pub owner: Option<Addr>,
    pub activated_at: Option<Timestamp>,
}

/// One device as a maker registers it (`RegisterDevice` / `RegisterDevices`).
#[cw_serde]
pub struct DeviceRegistration {
    pub key_type: KeyType,
    /// ed25519: 32 raw bytes; secp256k1: 33-byte compressed SEC1 key. Base64 in JSON.
    pub pubkey: Binary,
    /// sha256 of the activation code (32 bytes). Hex in JSON.
    pub code_hash: HexBinary,
    /// Device model, 1..=64 bytes, no control characters.
    pub model: String,
    /// Optional metadata URI (1..=256 bytes, printable ASCII, no spaces); becomes the cw721 `token_uri`.
    pub metadata_uri: Option<String>,
    /// Proof of possession: the device key's signature over [`registration_message`] for this chain, registry,
    /// maker and code hash (ed25519: 64 bytes over the message; secp256k1: compact r||s over sha256(message)).
    /// Base64 in JSON. Only the holder of the device key can register it, so no maker can squat another's key.
    pub registration_signature: Binary,
}

#[cw_serde]
pub struct DevicesResponse {
    pub devices: Vec<DeviceResponse>,
}

/// Number of devices in each status, maintained as counters (no iteration).
#[cw_serde]
#[derive(Default, Copy, Eq)]
pub struct StatusCountsResponse {
    pub registered: u64,
    pub active: u64,
    pub suspended: u64,
    pub banned: u64,
}

impl StatusCountsResponse {
    pub fn get(&self, status: DeviceStatus) -> u64 {
        match status {
            DeviceStatus::Registered => self.registered,
            DeviceStatus::Active => self.active,
            DeviceStatus::Suspended => self.suspended,
            DeviceStatus::Banned => self.banned,
        }
    }

    pub fn get_mut(&mut self, status: DeviceStatus) -> &mut u64 {
        match status {
            DeviceStatus::Registered => &mut self.registered,
            DeviceStatus::Active => &mut self.active,
            DeviceStatus::Suspended => &mut self.suspended,
            DeviceStatus::Banned => &mut self.banned,
        }
    }

    /// All registered devices, whatever their status (saturating; the counters never get near u64::MAX).
    pub fn total(&self) -> u64 {
        self.registered
            .saturating_add(self.active)
            .saturating_add(self.suspended)
            .saturating_add(self.banned)
    }
}

/// What a device must sign to activate, for one (device, owner) pair.
#[cw_serde]
pub struct ActivationMessageResponse {
    pub device_id: u64,
    pub key_type: KeyType,
    /// The owner address the message binds (normalized).
    pub owner: Addr,
    pub code_hash: HexBinary,
    /// The exact message bytes. ed25519 signs these bytes; secp256k1 signs sha256 of them.
    pub message: Binary,
    /// The same bytes as UTF-8 text (for display and debugging).
    pub text: String,
    /// sha256(message): the 32-byte prehash a secp256k1 device signs (compact r||s, low-S).
    pub message_hash: HexBinary,
}

/// What a device must sign to be registered by one maker with one code hash (`RegistrationMessage` query).
#[cw_serde]
pub struct RegistrationMessageResponse {
    /// The maker address the message binds (normalized).
    pub maker: Addr,
    pub code_hash: HexBinary,
    /// The exact message bytes. ed25519 signs these bytes; secp256k1 signs sha256 of them.
    pub message: Binary,
    /// The same bytes as UTF-8 text (for display and debugging).
    pub text: String,
    /// sha256(message): the 32-byte prehash a secp256k1 device signs (compact r||s, low-S).
    pub message_hash: HexBinary,
}

/// The activation message a device signs:
///
/// ```text
/// edgemint-activate/v1\n{chain_id}\n{contract_addr}\n{owner_addr}\n{code_hash_hex_lowercase}
/// ```
///
/// as UTF-8, with no trailing newline. ed25519 devices sign these bytes; secp256k1 devices sign sha256 of them.
pub fn activation_message(chain_id: &str, contract_addr: &str, owner: &str, code_hash: &[u8]) -> Vec<u8> {
    domain_message(ACTIVATION_DOMAIN, chain_id, contract_addr, owner, code_hash)
}

/// The registration message a device signs as proof of possession of its key, when `maker` registers it with
/// `code_hash`:
///
/// ```text
/// edgemint-register/v1\n{chain_id}\n{contract_addr}\n{maker_addr}\n{code_hash_hex_lowercase}
/// ```
///
/// as UTF-8, with no trailing newline, signed like the activation message (ed25519 over the bytes, secp256k1 over
/// sha256 of them). The different first line keeps a registration signature from ever being an activation one.
pub fn registration_message(chain_id: &str, contract_addr: &str, maker: &str, code_hash: &[u8]) -> Vec<u8> {
    domain_message(REGISTRATION_DOMAIN, chain_id, contract_addr, maker, code_hash)
}

/// `{domain}\n{chain_id}\n{contract_addr}\n{addr}\n{code_hash_hex_lowercase}`.
fn domain_message(domain: &str, chain_id: &str, contract_addr: &str, addr: &str, code_hash: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out =
        Vec::with_capacity(domain.len() + chain_id.len() + contract_addr.len() + addr.len() + 2 * code_hash.len() + 4);
    out.extend_from_slice(domain.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(chain_id.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(contract_addr.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(addr.as_bytes());
    out.push(b'\n');
    for byte in code_hash {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0x0f)]);
    }
    out
}

/// The registry execute messages other contracts send (a subset of the registry's `ExecuteMsg`, same JSON).
#[cw_serde]
pub enum RegistryExecuteMsg {
    /// Change a device's status. Admin or a configured slasher only. Allowed: Active <-> Suspended,
    /// Registered/Active/Suspended -> Banned. `reason`: 1..=256 bytes, emitted in the event.
    SetStatus {
        device_id: u64,
        status: DeviceStatus,
        reason: String,
    },
}

/// The registry queries other contracts make (a subset of the registry's `QueryMsg`, same JSON).
#[cw_serde]
#[derive(QueryResponses)]
pub enum RegistryQueryMsg {
    #[returns(DeviceResponse)]
    Device { device_id: u64 },
    #[returns(DeviceResponse)]
    DeviceByPubkey { pubkey: Binary },
    #[returns(DevicesResponse)]
    DevicesByOwner {
        owner: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(StatusCountsResponse)]
    StatusCounts {},
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_message_format() {
        let hash: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(17)).collect();
        let msg = activation_message("edgemint-1", "emc1contract", "emc1owner", &hash);
        let expected = format!(
            "edgemint-activate/v1\nedgemint-1\nemc1contract\nemc1owner\n{}",
            HexBinary::from(hash.as_slice()).to_hex()
        );
        assert_eq!(String::from_utf8(msg).unwrap(), expected);
        assert!(!expected.ends_with('\n'));
        assert_eq!(expected.to_lowercase(), expected);
    }

    #[test]
    fn registration_message_format() {
        let hash: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(29)).collect();
        let msg = registration_message("edgemint-1", "emc1contract", "emc1maker", &hash);
        let expected = format!(
            "edgemint-register/v1\nedgemint-1\nemc1contract\nemc1maker\n{}",
            HexBinary::from(hash.as_slice()).to_hex()
        );
        assert_eq!(String::from_utf8(msg).unwrap(), expected);
        // Never the activation message for the same fields.
        assert_ne!(
            registration_message("c", "r", "a", &hash),
            activation_message("c", "r", "a", &hash)
        );
    }

    #[test]
    fn names_match_json() {
        for status in [
            DeviceStatus::Registered,
            DeviceStatus::Active,
            DeviceStatus::Suspended,
            DeviceStatus::Banned,
        ] {
            let json = cosmwasm_std::to_json_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        for kt in [KeyType::Ed25519, KeyType::Secp256k1] {
            let json = cosmwasm_std::to_json_string(&kt).unwrap();
            assert_eq!(json, format!("\"{}\"", kt.as_str()));
        }
    }

    #[test]
    fn counts() {
        let mut c = StatusCountsResponse::default();
        *c.get_mut(DeviceStatus::Active) += 2;
        *c.get_mut(DeviceStatus::Banned) += 1;
        assert_eq!(c.get(DeviceStatus::Active), 2);
        assert_eq!(c.total(), 3);
    }
}
