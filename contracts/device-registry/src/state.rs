//! Storage. The registry's own keys are listed here; the cw721 token state (owners, approvals, operators, token
//! count, collection info, minter) lives under cw721 0.22's own keys ("tokens", "tokens__owner", "operators",
//! "num_tokens", "cw721_collection_info", "collection_minter", "ownership", ...) and is read and written only
//! through the cw721 crate, so its queries, transfers and owner index stay consistent.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Empty, Timestamp};
use cw_ownable::{OwnershipStore, OWNERSHIP_KEY};
use cw_storage_plus::{Item, Map};
use edgemint_types::registry::{DeviceStatus, KeyType, StatusCountsResponse};

/// The registry admin (later the DAO), with cw-ownable's two-step handover.
///
/// By design this is the same storage slot as cw721's collection *creator* (`cw721::state::CREATOR` also uses
/// `OWNERSHIP_KEY`): the admin is the collection creator, so cw721's `GetCreatorOwnership` shows it too. The
/// creator-only cw721 messages (UpdateCollectionInfo, UpdateNftInfo, withdraw address) are not exposed.
pub const ADMIN: OwnershipStore = OwnershipStore::new(OWNERSHIP_KEY);

#[cw_serde]
pub struct Config {
    /// Contracts/accounts besides the admin that may call SetStatus (staking, oracle hub). Bounded by MAX_SLASHERS.
    pub slashers: Vec<Addr>,
    /// The staking contract, told about every ownership change of an activated device (`owner_changed`), so that a
    /// seller's stake stops backing the device when it changes hands. `None`: no notification (set it!).
    #[serde(default)]
    pub staking: Option<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("config");

/// Id the next registered device gets. Starts at 1.
pub const NEXT_DEVICE_ID: Item<u64> = Item::new("next_device_id");

/// One registered device. Kept small: a batch of 100 writes 100 of these plus three index entries each.
/// The owner is not stored here: it is the cw721 token's owner (single source of truth, follows transfers).
#[cw_serde]
pub struct Device {
    pub maker: Addr,
    pub key_type: KeyType,
    pub pubkey: Binary,
    /// sha256 of the activation code, 32 bytes.
    pub code_hash: Binary,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_uri: Option<String>,
    pub status: DeviceStatus,
    /// Set once, at activation; never cleared (a banned device keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<Timestamp>,
}

pub const DEVICES: Map<u64, Device> = Map::new("devices");
/// Public key bytes -> device id (ed25519 keys are 32 bytes, secp256k1 33, so the two never collide).
pub const DEVICE_BY_PUBKEY: Map<&[u8], u64> = Map::new("dev_by_pk");
/// Code hash -> device id: a code hash is registered once, so a code activates at most one device, once.
pub const DEVICE_BY_CODE_HASH: Map<&[u8], u64> = Map::new("dev_by_code");
/// (maker, device id) for DevicesByMaker.
pub const DEVICES_BY_MAKER: Map<(&Addr, u64), Empty> = Map::new("dev_by_maker");

#[cw_serde]
pub struct Maker {
    pub approved_at: Timestamp,
}

pub const MAKERS: Map<&Addr, Maker> = Map::new("makers");

/// Devices per status, updated on every registration, activation and status change.
pub const STATUS_COUNTS: Item<StatusCountsResponse> = Item::new("status_counts");
