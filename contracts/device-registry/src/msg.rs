use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp};
use cw_ownable::Action;
use cw_utils::Expiration;

pub use edgemint_types::registry::{
    activation_message, registration_message, ActivationMessageResponse, DeviceRegistration, DeviceResponse,
    DeviceStatus, DevicesResponse, KeyType, RegistrationMessageResponse, RegistryExecuteMsg, RegistryQueryMsg,
    StatusCountsResponse, ACTIVATION_DOMAIN, REGISTRATION_DOMAIN,
};

#[cw_serde]
pub struct InstantiateMsg {
    /// Registry admin (later the DAO); defaults to the instantiating sender.
    pub admin: Option<String>,
    /// cw721 collection name; defaults to "Edgemint Devices".
    pub name: Option<String>,
    /// cw721 collection symbol; defaults to "EMDEV".
    pub symbol: Option<String>,
    /// Makers approved from the start (at most 100).
    #[serde(default)]
    pub makers: Vec<String>,
    /// Slashers allowed to call SetStatus from the start (at most 10), e.g. the staking contract.
    #[serde(default)]
    pub slashers: Vec<String>,
}

#[cw_serde]
pub enum ExecuteMsg {
    // ----- admin -----
    /// cw-ownable two-step admin handover: `{"transfer_ownership":{"new_owner":..,"expiry":null}}` by the admin,
    /// then `"accept_ownership"` by the new admin. `"renounce_ownership"` is refused.
    UpdateOwnership(Action),
    /// Admin: allow `maker` to register devices.
    ApproveMaker {
        maker: String,
    },
    /// Admin: stop `maker` from registering more devices. Its devices stay registered and activatable.
    RevokeMaker {
        maker: String,
    },
    /// Admin: allow `slasher` (e.g. the staking contract) to call SetStatus. At most 10 slashers.
    AddSlasher {
        slasher: String,
    },
    /// Admin: remove a slasher.
    RemoveSlasher {
        slasher: String,
    },
    /// Admin: the staking contract to notify of every ownership change of an activated device
    /// (`{"owner_changed":{"device_id":..,"previous_owner":..,"new_owner":..}}`, sent with each transfer; its
    /// failure fails the transfer). `null` stops the notifications.
    SetStaking {
        staking: Option<String>,
    },

    // ----- makers -----
    /// Approved maker: register one device. Each registration carries the device key's signature over the
    /// registration message (see the `RegistrationMessage` query): proof that the maker holds the device.
    RegisterDevice {
        device: DeviceRegistration,
    },
    /// Approved maker: register 1..=100 devices; any invalid, weak, unsigned or duplicate entry rejects the whole
    /// batch.
    RegisterDevices {
        devices: Vec<DeviceRegistration>,
    },

    // ----- buyers -----
    /// Activate a registered device and mint its NFT (token id = decimal device id) to `owner`.
    /// `owner` must be the sender; `activation_code` must hash (sha256) to the registered code hash;
    /// `signature` is the device key's signature over the activation message (see the `ActivationMessage` query).
    Activate {
        device_id: u64,
        activation_code: String,
        owner: String,
        signature: Binary,
    },

    // ----- admin and slashers -----
    /// Change a device's status: Active <-> Suspended, Registered/Active/Suspended -> Banned. Banned is final.
    SetStatus {
        device_id: u64,
        status: DeviceStatus,
        reason: String,
    },

    // ----- cw721 (same JSON as cw721 0.22; handled by the cw721 crate) -----
    /// Move the device NFT (and with it the device's future rewards). Banned devices stay transferable. Notifies
    /// the configured staking contract (`owner_changed`), which can refuse the transfer.
    TransferNft {
        recipient: String,
        token_id: String,
    },
    /// Move the device NFT to a contract and call its `receive_nft` (after notifying staking, like TransferNft).
    SendNft {
        contract: String,
        token_id: String,
        msg: Binary,
    },
    /// At most 10 approvals per token (`TooManyApprovals`); re-approving a spender replaces its approval.
    Approve {
        spender: String,
        token_id: String,
        expires: Option<Expiration>,
    },
    Revoke {
        spender: String,
        token_id: String,
    },
    ApproveAll {
        operator: String,
        expires: Option<Expiration>,
    },
    RevokeAll {
        operator: String,
    },
}

// Response types are named by path: `#[returns]` is compiled out on wasm32, where imports would be unused.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    // ----- registry -----
    #[returns(ConfigResponse)]
    Config {},
    /// The admin and any pending admin handover (cw-ownable).
    #[returns(cw_ownable::Ownership<Addr>)]
    Ownership {},
    #[returns(DeviceResponse)]
    Device { device_id: u64 },
    #[returns(DeviceResponse)]
    DeviceByPubkey { pubkey: Binary },
    /// Devices whose NFT `owner` holds now (cw721's owner index, so it follows transfers).
    /// Ordered like cw721 token ids, i.e. by the decimal string ("10" before "9"); `start_after` is a device id.
    #[returns(DevicesResponse)]
    DevicesByOwner {
        owner: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Devices registered by `maker`, by ascending device id.
    #[returns(DevicesResponse)]
    DevicesByMaker {
        maker: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(StatusCountsResponse)]
    StatusCounts {},
    #[returns(MakerResponse)]
    Maker { address: String },
    #[returns(MakersResponse)]
    Makers {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The exact bytes the device must sign to activate `device_id` for `owner` on this chain and registry.
    #[returns(ActivationMessageResponse)]
    ActivationMessage { device_id: u64, owner: String },
    /// The exact bytes a device must sign (proof of possession) for `maker` to register it with `code_hash`
    /// (hex sha256 of the activation code) on this chain and registry.
    #[returns(RegistrationMessageResponse)]
    RegistrationMessage { maker: String, code_hash: HexBinary },

    // ----- cw721 (same JSON as cw721 0.22; answered by the cw721 crate; limits capped at 100) -----
    #[returns(cw721::msg::OwnerOfResponse)]
    OwnerOf {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::ApprovalResponse)]
    Approval {
        token_id: String,
        spender: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::ApprovalsResponse)]
    Approvals {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::OperatorResponse)]
    Operator {
        owner: String,
        operator: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::OperatorsResponse)]
    AllOperators {
        owner: String,
        include_expired: Option<bool>,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Number of minted (activated) devices.
    #[returns(cw721::msg::NumTokensResponse)]
    NumTokens {},
    /// Collection name and symbol (cw721's legacy name for GetCollectionInfoAndExtension).
    #[returns(cw721::msg::CollectionInfoAndExtensionResponse<Option<cosmwasm_std::Empty>>)]
    ContractInfo {},
    #[returns(cw721::msg::CollectionInfoAndExtensionResponse<Option<cosmwasm_std::Empty>>)]
    GetCollectionInfoAndExtension {},
    /// The minter: the registry contract itself (only Activate mints).
    #[returns(cw721::msg::MinterResponse)]
    Minter {},
    #[returns(cw_ownable::Ownership<Addr>)]
    GetMinterOwnership {},
    /// `token_uri` is the device's metadata URI; no on-chain extension.
    #[returns(cw721::msg::NftInfoResponse<Option<cosmwasm_std::Empty>>)]
    NftInfo { token_id: String },
    #[returns(cw721::msg::AllNftInfoResponse<Option<cosmwasm_std::Empty>>)]
    AllNftInfo {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::TokensResponse)]
    Tokens {
        owner: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(cw721::msg::TokensResponse)]
    AllTokens {
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: Option<Addr>,
    pub pending_admin: Option<Addr>,
    pub slashers: Vec<Addr>,
    /// The staking contract notified of ownership changes (`None`: nobody is).
    pub staking: Option<Addr>,
    /// The id the next registered device will get (ids start at 1).
    pub next_device_id: u64,
    pub max_batch_size: u32,
    pub max_approvals_per_token: u32,
}

#[cw_serde]
pub struct MakerResponse {
    pub address: Addr,
    pub approved: bool,
    pub approved_at: Option<Timestamp>,
}

#[cw_serde]
pub struct MakersResponse {
    pub makers: Vec<MakerResponse>,
}
