//! Test harness: a cw-multi-test app with the registry, an admin, an approved maker, and real device keys.

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{coins, Addr, Binary, Deps, DepsMut, Empty, Env, HexBinary, MessageInfo, Response, StdResult};
use cw_multi_test::{App, AppBuilder, AppResponse, ContractWrapper, Executor};
use device_registry::activation::sha256;
use device_registry::contract::{execute, instantiate, migrate, query};
use device_registry::msg::{
    registration_message, ActivationMessageResponse, ConfigResponse, DeviceRegistration, DeviceResponse, DeviceStatus,
    DevicesResponse, ExecuteMsg, InstantiateMsg, KeyType, QueryMsg, StatusCountsResponse,
};
use device_registry::ContractError;
use ed25519_dalek::Signer as _;
use k256::ecdsa::signature::hazmat::PrehashSigner;

pub const DENOM: &str = "uemc";

/// A device key of either supported type, from a fixed seed (deterministic tests).
pub enum DeviceKey {
    Ed25519(ed25519_dalek::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
}

impl DeviceKey {
    pub fn ed25519(seed: u8) -> Self {
        DeviceKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    pub fn secp256k1(seed: u8) -> Self {
        // Any 32 bytes below the curve order with seed in 1..=0xfe is a valid scalar.
        DeviceKey::Secp256k1(k256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("valid secp256k1 scalar"))
    }

    pub fn key_type(&self) -> KeyType {
        match self {
            DeviceKey::Ed25519(_) => KeyType::Ed25519,
            DeviceKey::Secp256k1(_) => KeyType::Secp256k1,
        }
    }

    pub fn pubkey(&self) -> Binary {
        match self {
            DeviceKey::Ed25519(k) => Binary::from(k.verifying_key().to_bytes().to_vec()),
            DeviceKey::Secp256k1(k) => Binary::from(k.verifying_key().to_encoded_point(true).as_bytes().to_vec()),
        }
    }

    /// ed25519: signature over the message bytes. secp256k1: compact r||s over sha256(message), low-S.
    pub fn sign(&self, message: &[u8]) -> Binary {
        match self {
            DeviceKey::Ed25519(k) => Binary::from(k.sign(message).to_bytes().to_vec()),
            DeviceKey::Secp256k1(k) => {
                let sig: k256::ecdsa::Signature = k.sign_prehash(&sha256(message)).expect("sign prehash");
                let sig = sig.normalize_s().unwrap_or(sig);
                Binary::from(sig.to_bytes().to_vec())
            }
        }
    }
}

/// A registration of `key` with `code`, signed by the device for `maker` on `chain_id` and `registry`.
pub fn signed_registration(
    key: &DeviceKey,
    code: &str,
    chain_id: &str,
    registry: &Addr,
    maker: &Addr,
) -> DeviceRegistration {
    let code_hash = sha256(code.as_bytes());
    let message = registration_message(chain_id, registry.as_str(), maker.as_str(), &code_hash);
    DeviceRegistration {
        key_type: key.key_type(),
        pubkey: key.pubkey(),
        code_hash: HexBinary::from(code_hash.as_slice()),
        model: "edge-cam-v1".to_string(),
        metadata_uri: Some(format!("ipfs://bafy/{code}.json")),
        registration_signature: key.sign(&message),
    }
}

pub struct Suite {
    pub app: App,
    pub code_id: u64,
    pub contract: Addr,
    pub admin: Addr,
    pub maker: Addr,
    /// Funded account (for the nonpayable checks).
    pub rich: Addr,
}

pub fn store_registry(app: &mut App) -> u64 {
    app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ))
}

impl Suite {
    pub fn new() -> Self {
        Self::with_slashers(&[])
    }

    pub fn with_slashers(slashers: &[&str]) -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            let rich = api.addr_make("rich");
            router
                .bank
                .init_balance(storage, &rich, coins(1_000_000, DENOM))
                .expect("init balance");
        });
        let admin = app.api().addr_make("admin");
        let maker = app.api().addr_make("maker");
        let rich = app.api().addr_make("rich");
        let slashers: Vec<String> = slashers.iter().map(|s| app.api().addr_make(s).to_string()).collect();
        let code_id = store_registry(&mut app);
        let contract = app
            .instantiate_contract(
                code_id,
                admin.clone(),
                &InstantiateMsg {
                    admin: None,
                    name: None,
                    symbol: None,
                    makers: vec![maker.to_string()],
                    slashers,
                },
                &[],
                "device-registry",
                Some(admin.to_string()),
            )
            .expect("instantiate");
        Suite {
            app,
            code_id,
            contract,
            admin,
            maker,
            rich,
        }
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn chain_id(&self) -> String {
        self.app.block_info().chain_id
    }

    /// A registration of `key` with `code` for the suite's maker, signed by the device (proof of possession).
    pub fn registration(&self, key: &DeviceKey, code: &str) -> DeviceRegistration {
        self.registration_by(key, code, &self.maker)
    }

    /// A registration signed by the device for `maker`.
    pub fn registration_by(&self, key: &DeviceKey, code: &str, maker: &Addr) -> DeviceRegistration {
        signed_registration(key, code, &self.chain_id(), &self.contract, maker)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.contract.clone(), msg, &[])
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.contract, msg)
    }

    pub fn register(&mut self, devices: Vec<DeviceRegistration>) -> Result<AppResponse, ContractError> {
        let maker = self.maker.clone();
        self.exec(&maker, &ExecuteMsg::RegisterDevices { devices })
    }

    /// Registers one device with the suite's maker and returns its id.
    pub fn register_one(&mut self, key: &DeviceKey, code: &str) -> u64 {
        let next = self.config().next_device_id;
        let maker = self.maker.clone();
        let device = self.registration(key, code);
        self.exec(&maker, &ExecuteMsg::RegisterDevice { device })
            .expect("register");
        next
    }

    pub fn activation_message(&self, device_id: u64, owner: &Addr) -> ActivationMessageResponse {
        self.query(&QueryMsg::ActivationMessage {
            device_id,
            owner: owner.to_string(),
        })
        .expect("activation message")
    }

    /// The device signs the activation message for `owner`.
    pub fn device_signature(&self, key: &DeviceKey, device_id: u64, owner: &Addr) -> Binary {
        key.sign(self.activation_message(device_id, owner).message.as_slice())
    }

    pub fn activate(
        &mut self,
        sender: &Addr,
        device_id: u64,
        code: &str,
        owner: &Addr,
        signature: Binary,
    ) -> Result<AppResponse, ContractError> {
        self.exec(
            sender,
            &ExecuteMsg::Activate {
                device_id,
                activation_code: code.to_string(),
                owner: owner.to_string(),
                signature,
            },
        )
    }

    /// Register + activate in one go; returns the device id.
    pub fn activated_device(&mut self, key: &DeviceKey, code: &str, owner: &Addr) -> u64 {
        let id = self.register_one(key, code);
        let sig = self.device_signature(key, id, owner);
        self.activate(owner, id, code, owner, sig).expect("activate");
        id
    }

    pub fn set_status(
        &mut self,
        sender: &Addr,
        device_id: u64,
        status: DeviceStatus,
    ) -> Result<AppResponse, ContractError> {
        self.exec(
            sender,
            &ExecuteMsg::SetStatus {
                device_id,
                status,
                reason: "test".to_string(),
            },
        )
    }

    pub fn device(&self, device_id: u64) -> DeviceResponse {
        self.query(&QueryMsg::Device { device_id }).expect("device")
    }

    pub fn counts(&self) -> StatusCountsResponse {
        self.query(&QueryMsg::StatusCounts {}).expect("status counts")
    }

    pub fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {}).expect("config")
    }

    pub fn devices_by_owner(&self, owner: &Addr, start_after: Option<u64>, limit: Option<u32>) -> Vec<u64> {
        let res: DevicesResponse = self
            .query(&QueryMsg::DevicesByOwner {
                owner: owner.to_string(),
                start_after,
                limit,
            })
            .expect("devices by owner");
        res.devices.into_iter().map(|d| d.device_id).collect()
    }

    pub fn devices_by_maker(&self, maker: &Addr, start_after: Option<u64>, limit: Option<u32>) -> Vec<u64> {
        let res: DevicesResponse = self
            .query(&QueryMsg::DevicesByMaker {
                maker: maker.to_string(),
                start_after,
                limit,
            })
            .expect("devices by maker");
        res.devices.into_iter().map(|d| d.device_id).collect()
    }

    pub fn owner_of(&self, device_id: u64) -> String {
        let res: cw721::msg::OwnerOfResponse = self
            .query(&QueryMsg::OwnerOf {
                token_id: device_id.to_string(),
                include_expired: None,
            })
            .expect("owner of");
        res.owner
    }
}

/// Value of the first attribute `key` in any wasm event (custom events included).
pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty.starts_with("wasm"))
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// Events of type `wasm-{ty}`.
pub fn events_of<'a>(res: &'a AppResponse, ty: &str) -> Vec<&'a cosmwasm_std::Event> {
    let ty = format!("wasm-{ty}");
    res.events.iter().filter(|e| e.ty == ty).collect()
}

// ----- a minimal cw721 receiver contract for SendNft -----

pub fn receiver_execute(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: cw721::receiver::ReceiverExecuteMsg,
) -> StdResult<Response> {
    let cw721::receiver::ReceiverExecuteMsg::ReceiveNft(m) = msg;
    Ok(Response::new()
        .add_attribute("action", "receive_nft")
        .add_attribute("received_token_id", m.token_id)
        .add_attribute("from", m.sender))
}

pub fn receiver_instantiate(_deps: DepsMut, _env: Env, _info: MessageInfo, _msg: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

pub fn receiver_query(_deps: Deps, _env: Env, _msg: Empty) -> StdResult<Binary> {
    Ok(Binary::default())
}
