//! Test harness: the hub with the real device registry and staking contracts, a small mock rewards contract, and
//! operators with real secp256k1 keys.

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{coin, coins, Addr, Binary, Coin, Decimal, HexBinary, StdResult, Timestamp, Uint128};
use cw_multi_test::error::AnyError;
use cw_multi_test::{App, AppBuilder, AppResponse, ContractWrapper, Executor};
use ed25519_dalek::Signer as _;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use oracle_hub::contract::{execute, instantiate, migrate, query};
use oracle_hub::msg::{
    ConfigResponse, EpochResponse, ExecuteMsg, InstantiateMsg, OperatorResponse, QueryMsg, ReportFields,
    ReportStatementResponse, ReportsResponse,
};
use oracle_hub::signature::sha256;
use oracle_hub::ContractError;

use edgemint_types::registry::{DeviceRegistration, KeyType};
use edgemint_types::telemetry::TelemetryReport;

pub const DENOM: &str = "uemc";
pub const EMC: u128 = 1_000_000;
pub const MIN_BOND: u128 = 1_000 * EMC;
/// 1 hour epochs, 2 hour challenge window, 1 day bond unbonding.
pub const EPOCH: u64 = 3600;
pub const WINDOW: u64 = 7200;
pub const UNBONDING: u64 = 86_400;
/// The whole genesis supply: 100,000,000,000 EMC = 10^17 uemc.
pub const SUPPLY: u128 = 100_000_000_000_000_000;
/// Device stake in the staking contract.
pub const MIN_STAKE: u128 = 100 * EMC;
/// Device budget the mock rewards contract answers by default.
pub const BUDGET: u128 = 10 * SUPPLY;

// ---------------------------------------------------------------------------------------------------------------
// Mock rewards: records what the hub sends, answers EpochBudget (frozen per epoch once reserved), can be told to
// refuse reservations and settlements.

pub mod mock_rewards {
    use cosmwasm_schema::cw_serde;
    use cosmwasm_std::{
        to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult, Uint128,
    };
    use cw_storage_plus::{Item, Map};
    use edgemint_types::rewards::EpochBudgetResponse;

    const HUB: Item<Addr> = Item::new("hub");
    const BUDGET: Item<Uint128> = Item::new("budget");
    /// epoch → device budget frozen by `ReserveBudget`.
    const FROZEN: Map<u64, Uint128> = Map::new("frozen");
    const REJECT: Item<bool> = Item::new("reject");
    const CALLS: Item<Vec<String>> = Item::new("calls");

    #[cw_serde]
    pub struct InstantiateMsg {
        pub hub: String,
        pub device_budget: Uint128,
    }

    /// The first four variants have the JSON of `edgemint_types::rewards::RewardsExecuteMsg`.
    #[cw_serde]
    pub enum ExecuteMsg {
        ReserveBudget {
            epoch: u64,
        },
        SettleEpoch {
            epoch: u64,
            total_amount: Uint128,
        },
        ReleaseEpoch {
            epoch: u64,
        },
        AddRevenue {},
        /// The live device budget of epochs not reserved yet.
        SetBudget {
            device_budget: Uint128,
        },
        SetReject {
            reject: bool,
        },
    }

    #[cw_serde]
    pub enum QueryMsg {
        EpochBudget { epoch: u64 },
        Calls {},
    }

    pub fn instantiate(deps: DepsMut, _env: Env, _info: MessageInfo, msg: InstantiateMsg) -> StdResult<Response> {
        HUB.save(deps.storage, &deps.api.addr_validate(&msg.hub)?)?;
        BUDGET.save(deps.storage, &msg.device_budget)?;
        REJECT.save(deps.storage, &false)?;
        CALLS.save(deps.storage, &vec![])?;
        Ok(Response::new())
    }

    fn log(deps: DepsMut, call: String) -> StdResult<()> {
        let mut calls = CALLS.load(deps.storage)?;
        calls.push(call);
        CALLS.save(deps.storage, &calls)
    }

    pub fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
        let from_hub = info.sender == HUB.load(deps.storage)?;
        match msg {
            ExecuteMsg::ReserveBudget { epoch } => {
                if !from_hub {
                    return Err(StdError::generic_err("mock rewards: only the hub reserves"));
                }
                if REJECT.load(deps.storage)? {
                    return Err(StdError::generic_err("mock rewards: reservation refused"));
                }
                if !FROZEN.has(deps.storage, epoch) {
                    let budget = BUDGET.load(deps.storage)?;
                    FROZEN.save(deps.storage, epoch, &budget)?;
                    log(deps, format!("budget:{epoch}:{budget}"))?;
                }
            }
            ExecuteMsg::SettleEpoch { epoch, total_amount } => {
                if !from_hub {
                    return Err(StdError::generic_err("mock rewards: only the hub settles"));
                }
                if REJECT.load(deps.storage)? {
                    return Err(StdError::generic_err("mock rewards: settlement refused"));
                }
                let frozen = FROZEN
                    .may_load(deps.storage, epoch)?
                    .ok_or_else(|| StdError::generic_err("mock rewards: epoch not reserved"))?;
                if total_amount > frozen {
                    return Err(StdError::generic_err("mock rewards: total exceeds budget"));
                }
                log(deps, format!("settle:{epoch}:{total_amount}"))?;
            }
            ExecuteMsg::ReleaseEpoch { epoch } => {
                if !from_hub {
                    return Err(StdError::generic_err("mock rewards: only the hub releases"));
                }
                log(deps, format!("release:{epoch}"))?;
            }
            ExecuteMsg::AddRevenue {} => {
                let amount: Vec<String> = info.funds.iter().map(|c| c.to_string()).collect();
                log(deps, format!("revenue:{}:{}", info.sender, amount.join(",")))?;
            }
            ExecuteMsg::SetBudget { device_budget } => BUDGET.save(deps.storage, &device_budget)?,
            ExecuteMsg::SetReject { reject } => REJECT.save(deps.storage, &reject)?,
        }
        Ok(Response::new())
    }

    pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
        match msg {
            QueryMsg::EpochBudget { epoch } => {
                let frozen = FROZEN.may_load(deps.storage, epoch)?;
                let budget = match frozen {
                    Some(budget) => budget,
                    None => BUDGET.load(deps.storage)?,
                };
                to_json_binary(&EpochBudgetResponse {
                    epoch,
                    emission: budget,
                    revenue: Uint128::zero(),
                    operator_budget: Uint128::zero(),
                    device_budget: budget,
                    frozen: frozen.is_some(),
                })
            }
            QueryMsg::Calls {} => to_json_binary(&CALLS.load(deps.storage)?),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

/// An operator key (secp256k1) from a fixed seed.
pub struct OperatorKey(pub k256::ecdsa::SigningKey);

impl OperatorKey {
    pub fn new(seed: u8) -> Self {
        // Any 32 equal bytes with seed in 1..=0xfe is a valid scalar.
        OperatorKey(k256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("valid secp256k1 scalar"))
    }

    pub fn pubkey(&self) -> Binary {
        Binary::from(self.0.verifying_key().to_encoded_point(true).as_bytes().to_vec())
    }

    /// Compact r||s (low-S) over sha256(statement).
    pub fn sign(&self, statement: &[u8]) -> Binary {
        let sig: k256::ecdsa::Signature = self.0.sign_prehash(&sha256(statement)).expect("sign prehash");
        let sig = sig.normalize_s().unwrap_or(sig);
        Binary::from(sig.to_bytes().to_vec())
    }
}

/// A device key of either supported type, from a fixed seed.
pub enum DeviceKey {
    Ed25519(ed25519_dalek::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
}

impl DeviceKey {
    pub fn ed25519(seed: u8) -> Self {
        DeviceKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    pub fn secp256k1(seed: u8) -> Self {
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

    /// ed25519: over the bytes; secp256k1: compact r||s over sha256(bytes), low-S.
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

// ---------------------------------------------------------------------------------------------------------------
// Suite

pub struct Suite {
    pub app: App,
    pub hub: Addr,
    pub hub_code: u64,
    pub registry: Addr,
    pub staking: Addr,
    pub rewards: Addr,
    pub admin: Addr,
    pub maker: Addr,
    /// Receives staking's slashed funds (minus bounty).
    pub pool: Addr,
    pub watcher: Addr,
    /// (address, key) of operators op1..opN, added and bonded with MIN_BOND.
    pub ops: Vec<(Addr, OperatorKey)>,
}

pub fn default_msg(app: &App) -> InstantiateMsg {
    InstantiateMsg {
        admin: Some(app.api().addr_make("admin").to_string()),
        registry: String::new(),
        staking: String::new(),
        rewards: None,
        denom: DENOM.to_string(),
        min_bond: Uint128::new(MIN_BOND),
        bond_unbonding_period: UNBONDING,
        epoch_genesis: None,
        epoch_length: EPOCH,
        quorum: None,
        challenge_window: WINDOW,
        slash_fraction: Decimal::percent(10),
        bounty_fraction: Decimal::percent(25),
        min_operators: None,
    }
}

pub fn store_hub(app: &mut App) -> u64 {
    app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ))
}

pub fn op_name(i: usize) -> String {
    format!("op{}", i + 1)
}

impl Suite {
    /// `n` operators, added and bonded, rewards set, default config.
    pub fn new(n: usize) -> Self {
        Self::with(n, |_| {})
    }

    pub fn with(n: usize, tweak: impl FnOnce(&mut InstantiateMsg)) -> Self {
        Self::try_with(n, tweak).expect("instantiate hub")
    }

    pub fn try_with(n: usize, tweak: impl FnOnce(&mut InstantiateMsg)) -> Result<Self, ContractError> {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            let mut funded: Vec<String> = (0..60).map(op_name).collect();
            funded.extend(["owner", "owner2", "watcher", "stranger", "admin"].map(String::from));
            for name in funded {
                router
                    .bank
                    .init_balance(storage, &api.addr_make(&name), coins(2 * SUPPLY, DENOM))
                    .expect("init balance");
            }
        });
        let admin = app.api().addr_make("admin");
        let maker = app.api().addr_make("maker");
        let pool = app.api().addr_make("pool");
        let watcher = app.api().addr_make("watcher");

        // device registry (real)
        let registry_code = app.store_code(Box::new(ContractWrapper::new(
            device_registry::contract::execute,
            device_registry::contract::instantiate,
            device_registry::contract::query,
        )));
        let registry = app
            .instantiate_contract(
                registry_code,
                admin.clone(),
                &device_registry::msg::InstantiateMsg {
                    admin: None,
                    name: None,
                    symbol: None,
                    makers: vec![maker.to_string()],
                    slashers: vec![],
                },
                &[],
                "registry",
                None,
            )
            .expect("registry");

        // staking (real); the hub becomes a slasher below
        let staking_code = app.store_code(Box::new(ContractWrapper::new(
            staking::contract::execute,
            staking::contract::instantiate,
            staking::contract::query,
        )));
        let staking = app
            .instantiate_contract(
                staking_code,
                admin.clone(),
                &staking::msg::InstantiateMsg {
                    admin: None,
                    denom: DENOM.to_string(),
                    registry: registry.to_string(),
                    rewards_pool: pool.to_string(),
                    min_stake_per_device: Uint128::new(MIN_STAKE),
                    unbonding_period: UNBONDING,
                    slash_fraction: Decimal::percent(10),
                    bounty_fraction: Decimal::percent(25),
                    slashers: vec![],
                    lockers: vec![],
                    tiers: None,
                },
                &[],
                "staking",
                Some(admin.to_string()),
            )
            .expect("staking");
        app.execute_contract(
            admin.clone(),
            registry.clone(),
            &device_registry::msg::ExecuteMsg::AddSlasher {
                slasher: staking.to_string(),
            },
            &[],
        )
        .expect("staking slashes in the registry");

        // the hub
        let hub_code = store_hub(&mut app);
        let mut msg = default_msg(&app);
        msg.registry = registry.to_string();
        msg.staking = staking.to_string();
        tweak(&mut msg);
        let hub = app
            .instantiate_contract(
                hub_code,
                admin.clone(),
                &msg,
                &[],
                "oracle-hub",
                Some(admin.to_string()),
            )
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))?;

        app.execute_contract(
            admin.clone(),
            staking.clone(),
            &staking::msg::ExecuteMsg::UpdateConfig {
                min_stake_per_device: None,
                unbonding_period: None,
                slash_fraction: None,
                bounty_fraction: None,
                rewards_pool: None,
                registry: None,
                slashers: Some(vec![hub.to_string()]),
                lockers: None,
                upsert_tiers: None,
                remove_tiers: None,
            },
            &[],
        )
        .expect("hub slashes in staking");

        // mock rewards, instantiated after the hub and set with UpdateConfig (as on a real deployment)
        let rewards_code = app.store_code(Box::new(ContractWrapper::new(
            mock_rewards::execute,
            mock_rewards::instantiate,
            mock_rewards::query,
        )));
        let rewards = app
            .instantiate_contract(
                rewards_code,
                admin.clone(),
                &mock_rewards::InstantiateMsg {
                    hub: hub.to_string(),
                    device_budget: Uint128::new(BUDGET),
                },
                &[],
                "rewards",
                None,
            )
            .expect("mock rewards");

        let mut suite = Suite {
            app,
            hub,
            hub_code,
            registry,
            staking,
            rewards,
            admin,
            maker,
            pool,
            watcher,
            ops: vec![],
        };
        if msg.rewards.is_none() {
            let rewards = suite.rewards.to_string();
            suite.update_rewards(&rewards).expect("set rewards");
        }
        for i in 0..n {
            suite.add_bonded_operator(i, MIN_BOND);
        }
        Ok(suite)
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn op(&self, i: usize) -> Addr {
        self.ops[i].0.clone()
    }

    pub fn exec_any(&mut self, sender: &Addr, msg: &ExecuteMsg, funds: &[Coin]) -> Result<AppResponse, AnyError> {
        self.app.execute_contract(sender.clone(), self.hub.clone(), msg, funds)
    }

    /// Executes on the hub; the error must be the hub's own `ContractError`.
    pub fn exec_funds(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        self.exec_any(sender, msg, funds)
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.exec_funds(sender, msg, &[])
    }

    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.hub, msg)
    }

    pub fn update_rewards(&mut self, rewards: &str) -> Result<AppResponse, ContractError> {
        let admin = self.admin.clone();
        self.exec(
            &admin,
            &update_config(|c| {
                if let ExecuteMsg::UpdateConfig { rewards: r, .. } = c {
                    *r = Some(rewards.to_string());
                }
            }),
        )
    }

    /// Adds operator `i` (seed i+1) and bonds `bond` (0 = no bond). Returns its address.
    pub fn add_bonded_operator(&mut self, i: usize, bond: u128) -> Addr {
        let address = self.addr(&op_name(i));
        let key = OperatorKey::new(u8::try_from(i + 1).expect("seed"));
        let admin = self.admin.clone();
        self.exec(
            &admin,
            &ExecuteMsg::AddOperator {
                address: address.to_string(),
                pubkey: key.pubkey(),
            },
        )
        .expect("add operator");
        if bond > 0 {
            self.exec_funds(&address, &ExecuteMsg::Bond {}, &coins(bond, DENOM))
                .expect("bond");
        }
        if self.ops.len() == i {
            self.ops.push((address.clone(), key));
        }
        address
    }

    // ----- time -----

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
    }

    /// Moves the block time to exactly `t`.
    pub fn set_time(&mut self, t: Timestamp) {
        assert!(t >= self.now(), "time only moves forward");
        self.app.update_block(|b| {
            b.time = t;
            b.height += 1;
        });
    }

    pub fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {}).expect("config")
    }

    pub fn epoch_end(&self, epoch: u64) -> Timestamp {
        self.config().epoch_genesis.plus_seconds((epoch + 1) * EPOCH)
    }

    /// Moves time to the end of `epoch` (the first moment it can be reported).
    pub fn end_epoch(&mut self, epoch: u64) {
        let end = self.epoch_end(epoch);
        if self.now() < end {
            self.set_time(end);
        }
    }

    // ----- reports -----

    pub fn statement(&self, fields: &ReportFields) -> Vec<u8> {
        let res: ReportStatementResponse = self
            .query(&QueryMsg::ReportStatement {
                epoch: fields.epoch,
                root: fields.root.clone(),
                total_amount: fields.total_amount,
                device_count: fields.device_count,
                telemetry_commitment: fields.telemetry_commitment.clone(),
            })
            .expect("statement");
        res.statement.to_vec()
    }

    pub fn sign_by(&self, i: usize, fields: &ReportFields) -> Binary {
        self.ops[i].1.sign(&self.statement(fields))
    }

    pub fn report_signed(
        &mut self,
        sender: &Addr,
        fields: &ReportFields,
        signature: Binary,
    ) -> Result<AppResponse, ContractError> {
        self.exec(sender, &submit(fields, signature))
    }

    /// Operator `i` reports `fields`, signed with its key.
    pub fn report(&mut self, i: usize, fields: &ReportFields) -> Result<AppResponse, ContractError> {
        let sig = self.sign_by(i, fields);
        let sender = self.op(i);
        self.report_signed(&sender, fields, sig)
    }

    pub fn epoch(&self, epoch: u64) -> EpochResponse {
        self.query(&QueryMsg::Epoch { epoch }).expect("epoch")
    }

    pub fn reports(&self, epoch: u64) -> ReportsResponse {
        self.query(&QueryMsg::Reports { epoch }).expect("reports")
    }

    pub fn operator(&self, address: &Addr) -> OperatorResponse {
        self.query(&QueryMsg::Operator {
            address: address.to_string(),
        })
        .expect("operator")
    }

    pub fn rewards_calls(&self) -> Vec<String> {
        self.app
            .wrap()
            .query_wasm_smart(&self.rewards, &mock_rewards::QueryMsg::Calls {})
            .expect("calls")
    }

    pub fn set_reject(&mut self, reject: bool) {
        let admin = self.admin.clone();
        self.app
            .execute_contract(
                admin,
                self.rewards.clone(),
                &mock_rewards::ExecuteMsg::SetReject { reject },
                &[],
            )
            .expect("set reject");
    }

    pub fn set_budget(&mut self, device_budget: u128) {
        let admin = self.admin.clone();
        self.app
            .execute_contract(
                admin,
                self.rewards.clone(),
                &mock_rewards::ExecuteMsg::SetBudget {
                    device_budget: Uint128::new(device_budget),
                },
                &[],
            )
            .expect("set budget");
    }

    pub fn balance(&self, address: &Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(address, DENOM)
            .expect("balance")
            .amount
            .u128()
    }

    /// The hub holds exactly the operators' bonds and unbonding entries.
    pub fn assert_balance_invariant(&self) {
        let mut expected = 0u128;
        let mut start_after = None;
        loop {
            let page: oracle_hub::msg::OperatorsResponse = self
                .query(&QueryMsg::Operators {
                    start_after: start_after.clone(),
                    limit: Some(50),
                })
                .expect("operators");
            if page.operators.is_empty() {
                break;
            }
            for op in &page.operators {
                expected += op.bonded.u128() + op.unbonding.u128();
            }
            start_after = page.operators.last().map(|o| o.address.to_string());
        }
        assert_eq!(
            self.balance(&self.hub),
            expected,
            "hub balance == Σ bonded + Σ unbonding"
        );
    }

    // ----- devices -----

    /// Registers a device with `key` (signing the registry's proof-of-possession message), activates it for `owner`
    /// and stakes MIN_STAKE for it. Returns its id.
    pub fn staked_device(&mut self, key: &DeviceKey, code: &str, owner: &Addr) -> u64 {
        use device_registry::msg::{
            ActivationMessageResponse, ConfigResponse as RegistryConfig, RegistrationMessageResponse,
        };
        let registry_config: RegistryConfig = self
            .app
            .wrap()
            .query_wasm_smart(&self.registry, &device_registry::msg::QueryMsg::Config {})
            .expect("registry config");
        let device_id = registry_config.next_device_id;
        let maker = self.maker.clone();
        let code_hash = HexBinary::from(sha256(code.as_bytes()).as_slice());
        let registration: RegistrationMessageResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &device_registry::msg::QueryMsg::RegistrationMessage {
                    maker: maker.to_string(),
                    code_hash: code_hash.clone(),
                },
            )
            .expect("registration message");
        self.app
            .execute_contract(
                maker,
                self.registry.clone(),
                &device_registry::msg::ExecuteMsg::RegisterDevice {
                    device: DeviceRegistration {
                        key_type: key.key_type(),
                        pubkey: key.pubkey(),
                        code_hash,
                        model: "edge-cam-v1".to_string(),
                        metadata_uri: None,
                        registration_signature: key.sign(registration.message.as_slice()),
                    },
                },
                &[],
            )
            .expect("register device");
        let activation: ActivationMessageResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &device_registry::msg::QueryMsg::ActivationMessage {
                    device_id,
                    owner: owner.to_string(),
                },
            )
            .expect("activation message");
        self.app
            .execute_contract(
                owner.clone(),
                self.registry.clone(),
                &device_registry::msg::ExecuteMsg::Activate {
                    device_id,
                    activation_code: code.to_string(),
                    owner: owner.to_string(),
                    signature: key.sign(activation.message.as_slice()),
                },
                &[],
            )
            .expect("activate");
        self.app
            .execute_contract(
                owner.clone(),
                self.staking.clone(),
                &staking::msg::ExecuteMsg::Stake { device_id },
                &[coin(MIN_STAKE, DENOM)],
            )
            .expect("stake");
        device_id
    }

    pub fn chain_id(&self) -> String {
        self.app.block_info().chain_id
    }
}

/// A report with 32-byte root `[root; 32]`, commitment `[root ^ 0xff; 32]`, 1000 devices.
pub fn fields(epoch: u64, root: u8, total: u128) -> ReportFields {
    ReportFields {
        epoch,
        root: HexBinary::from(vec![root; 32]),
        total_amount: Uint128::new(total),
        device_count: 1000,
        telemetry_commitment: HexBinary::from(vec![root ^ 0xff; 32]),
    }
}

pub fn submit(fields: &ReportFields, signature: Binary) -> ExecuteMsg {
    ExecuteMsg::SubmitReport {
        epoch: fields.epoch,
        root: fields.root.clone(),
        total_amount: fields.total_amount,
        device_count: fields.device_count,
        telemetry_commitment: fields.telemetry_commitment.clone(),
        signature,
    }
}

/// An `UpdateConfig` with every field `None`, then tweaked.
pub fn update_config(tweak: impl FnOnce(&mut ExecuteMsg)) -> ExecuteMsg {
    let mut msg = ExecuteMsg::UpdateConfig {
        registry: None,
        staking: None,
        rewards: None,
        min_bond: None,
        bond_unbonding_period: None,
        epoch_genesis: None,
        epoch_length: None,
        quorum: None,
        challenge_window: None,
        slash_fraction: None,
        bounty_fraction: None,
        min_operators: None,
    };
    tweak(&mut msg);
    msg
}

/// The mock rewards contract's log line for the budget it froze at an epoch's first report (default budget).
pub fn budget_call(epoch: u64) -> String {
    format!("budget:{epoch}:{BUDGET}")
}

/// The mock rewards contract's log line for a settlement at acceptance.
pub fn settle_call(epoch: u64, total: u128) -> String {
    format!("settle:{epoch}:{total}")
}

/// A telemetry report of `device_id` with sequence `sequence`; `uptime` varies the content.
pub fn telemetry(device_id: u64, sequence: u64, uptime: u64) -> TelemetryReport {
    TelemetryReport {
        device_id,
        sequence,
        timestamp: 1_571_797_419,
        epoch: 0,
        uptime_secs: uptime,
        tasks_completed: 3,
        interactions: 5,
        receipts_hash: None,
    }
}

/// The attribute `key` of the hub's wasm event.
pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}
