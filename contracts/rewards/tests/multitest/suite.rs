//! Test harness: a cw-multi-test app with the rewards contract, a mock oracle hub and a mock device registry whose
//! state the tests set directly, and an IBC module that escrows ICS-20 transfers and records them as events.

use cosmwasm_schema::cw_serde;
use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::testing::{MockApi, MockStorage};
use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, Api, BankMsg, Binary, BlockInfo, Coin, CustomMsg, CustomQuery, Decimal, Deps,
    DepsMut, Empty, Env, Event, HexBinary, IbcMsg, IbcQuery, MessageInfo, Querier, Response, StdError, StdResult,
    Storage, Timestamp, Uint128,
};
use cw_multi_test::error::{bail, AnyResult};
use cw_multi_test::{
    App, AppBuilder, AppResponse, BankKeeper, BankSudo, ContractWrapper, CosmosRouter, DistributionKeeper, Executor,
    FailingModule, Ibc, Module, StakeKeeper, SudoMsg, WasmKeeper,
};
use cw_storage_plus::{Item, Map};
use edgemint_types::oracle::{CurrentEpochResponse, EpochResponse, EpochStatus, HubQueryMsg};
use edgemint_types::registry::{DeviceResponse, DeviceStatus, KeyType, RegistryQueryMsg};
use rewards::contract::{execute, instantiate, migrate, query};
use rewards::msg::{
    ClaimItem, ClaimedResponse, EmissionSchedule, EpochBudgetResponse, EpochStateResponse, ExecuteMsg, InstantiateMsg,
    PoolResponse, QueryMsg,
};
use rewards::ContractError;
use rewards_core::{build_tree, Leaf, Tree};

pub const DENOM: &str = "uemc";
pub const EMC: u128 = 1_000_000;
/// The whole genesis supply: 100,000,000,000 EMC = 10^17 uemc.
pub const SUPPLY: u128 = 100_000_000_000_000_000;
/// Default emission per epoch: 1,000 EMC.
pub const EPOCH_EMISSION: u128 = 1_000 * EMC;

// ---------------------------------------------------------------------------------------------------------------
// Mock oracle hub: answers `HubQueryMsg` from state the test sets.

pub mod mock_hub {
    use super::*;

    const EPOCHS: Map<u64, EpochResponse> = Map::new("epochs");
    const CURRENT: Item<u64> = Item::new("current");

    #[cw_serde]
    pub enum ExecuteMsg {
        SetEpoch { epoch: EpochResponse },
        SetCurrent { epoch: u64 },
    }

    pub fn instantiate(deps: DepsMut, _env: Env, _info: MessageInfo, _msg: Empty) -> StdResult<Response> {
        CURRENT.save(deps.storage, &0)?;
        Ok(Response::new())
    }

    pub fn execute(deps: DepsMut, _env: Env, _info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
        match msg {
            ExecuteMsg::SetEpoch { epoch } => EPOCHS.save(deps.storage, epoch.epoch, &epoch)?,
            ExecuteMsg::SetCurrent { epoch } => CURRENT.save(deps.storage, &epoch)?,
        }
        Ok(Response::new())
    }

    pub fn query(deps: Deps, _env: Env, msg: HubQueryMsg) -> StdResult<Binary> {
        match msg {
            HubQueryMsg::Epoch { epoch } => {
                let resp = EPOCHS.may_load(deps.storage, epoch)?.unwrap_or(EpochResponse {
                    epoch,
                    status: EpochStatus::Open,
                    start: Timestamp::from_seconds(epoch * 86_400),
                    end: Timestamp::from_seconds((epoch + 1) * 86_400),
                    root: None,
                    total_amount: Uint128::zero(),
                    device_count: 0,
                    accepted_at: None,
                    final_at: None,
                    reporters: vec![],
                });
                to_json_binary(&resp)
            }
            HubQueryMsg::CurrentEpoch {} => {
                let epoch = CURRENT.load(deps.storage)?;
                to_json_binary(&CurrentEpochResponse {
                    epoch,
                    start: Timestamp::from_seconds(epoch * 86_400),
                    end: Timestamp::from_seconds((epoch + 1) * 86_400),
                })
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Mock device registry: every device is Active unless the test set another status or marked it unknown.

pub mod mock_registry {
    use super::*;

    /// device_id → Some(status), or None for "unknown device" (the query fails).
    const STATUS: Map<u64, Option<DeviceStatus>> = Map::new("status");

    #[cw_serde]
    pub enum ExecuteMsg {
        Set {
            device_id: u64,
            status: Option<DeviceStatus>,
        },
    }

    pub fn instantiate(_deps: DepsMut, _env: Env, _info: MessageInfo, _msg: Empty) -> StdResult<Response> {
        Ok(Response::new())
    }

    pub fn execute(deps: DepsMut, _env: Env, _info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
        match msg {
            ExecuteMsg::Set { device_id, status } => STATUS.save(deps.storage, device_id, &status)?,
        }
        Ok(Response::new())
    }

    pub fn query(deps: Deps, _env: Env, msg: RegistryQueryMsg) -> StdResult<Binary> {
        match msg {
            RegistryQueryMsg::Device { device_id } => {
                let status = match STATUS.may_load(deps.storage, device_id)? {
                    None => DeviceStatus::Active,
                    Some(Some(status)) => status,
                    Some(None) => return Err(StdError::not_found(format!("device {device_id}"))),
                };
                to_json_binary(&DeviceResponse {
                    device_id,
                    token_id: device_id.to_string(),
                    maker: Addr::unchecked("maker"),
                    key_type: KeyType::Ed25519,
                    pubkey: Binary::from(vec![7u8; 32]),
                    code_hash: HexBinary::from(vec![0u8; 32]),
                    model: "mock".to_string(),
                    metadata_uri: None,
                    status,
                    owner: None,
                    activated_at: None,
                })
            }
            _ => Err(StdError::generic_err("mock registry: unsupported query")),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// IBC: ICS-20 transfers move the coins to an escrow account and emit an `ibc_transfer` event.

pub struct IbcRecorder;

impl IbcRecorder {
    pub fn escrow() -> Addr {
        MockApi::default().addr_make("ibc-escrow")
    }
}

impl Module for IbcRecorder {
    type ExecT = IbcMsg;
    type QueryT = IbcQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: IbcMsg,
    ) -> AnyResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            } => {
                router.execute(
                    api,
                    storage,
                    block,
                    sender.clone(),
                    BankMsg::Send {
                        to_address: Self::escrow().to_string(),
                        amount: vec![amount.clone()],
                    }
                    .into(),
                )?;
                let timeout_ts = timeout.timestamp().map(|t| t.seconds().to_string()).unwrap_or_default();
                Ok(AppResponse {
                    events: vec![Event::new("ibc_transfer")
                        .add_attribute("sender", sender)
                        .add_attribute("channel_id", channel_id)
                        .add_attribute("receiver", to_address)
                        .add_attribute("amount", amount.to_string())
                        .add_attribute("timeout", timeout_ts)
                        .add_attribute("memo", memo.unwrap_or_default())],
                    ..AppResponse::default()
                })
            }
            other => bail!("IbcRecorder: unsupported {other:?}"),
        }
    }

    fn query(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: IbcQuery,
    ) -> AnyResult<Binary> {
        bail!("IbcRecorder: unsupported query {request:?}")
    }

    fn sudo<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _msg: Empty,
    ) -> AnyResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        bail!("IbcRecorder: no sudo")
    }
}

impl Ibc for IbcRecorder {}

pub type TestApp = App<
    BankKeeper,
    MockApi,
    MockStorage,
    FailingModule<Empty, Empty, Empty>,
    WasmKeeper<Empty, Empty>,
    StakeKeeper,
    DistributionKeeper,
    IbcRecorder,
>;

// ---------------------------------------------------------------------------------------------------------------
// Suite

pub struct Suite {
    pub app: TestApp,
    pub rewards: Addr,
    pub hub: Addr,
    pub registry: Addr,
    pub admin: Addr,
    /// Holds the whole supply at start; funds the pool.
    pub treasury: Addr,
    pub code_id: u64,
}

pub fn default_schedule() -> EmissionSchedule {
    EmissionSchedule {
        epoch_emission: Uint128::new(EPOCH_EMISSION),
        decay: Decimal::zero(),
        decay_period_epochs: 365,
    }
}

pub fn new_app() -> TestApp {
    AppBuilder::new().with_ibc(IbcRecorder).build(|router, api, storage| {
        router
            .bank
            .init_balance(
                storage,
                &api.addr_make("treasury"),
                vec![coin(SUPPLY, DENOM), coin(1_000_000, "uother")],
            )
            .expect("init balance");
    })
}

/// Instantiate message with the default settings: 1,000 EMC per epoch, no decay, 10% operator share.
pub fn default_msg(app: &TestApp, hub: &Addr, registry: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        admin: Some(app.api().addr_make("admin").to_string()),
        hub: hub.to_string(),
        registry: registry.to_string(),
        denom: DENOM.to_string(),
        schedule: default_schedule(),
        operator_share: Decimal::percent(10),
        max_batch: None,
        claim_window: None,
    }
}

impl Suite {
    /// Default settings, pool funded with 1,000,000 EMC.
    pub fn new() -> Suite {
        let mut suite = Suite::with(|_| {});
        suite.fund(1_000_000 * EMC).expect("fund");
        suite
    }

    /// Custom settings, empty pool.
    pub fn with(tweak: impl FnOnce(&mut InstantiateMsg)) -> Suite {
        Suite::try_with(tweak, &[]).expect("instantiate rewards")
    }

    pub fn try_with(tweak: impl FnOnce(&mut InstantiateMsg), funds: &[Coin]) -> Result<Suite, ContractError> {
        let mut app = new_app();
        let admin = app.api().addr_make("admin");
        let treasury = app.api().addr_make("treasury");
        let hub_code = app.store_code(Box::new(ContractWrapper::new(
            mock_hub::execute,
            mock_hub::instantiate,
            mock_hub::query,
        )));
        let registry_code = app.store_code(Box::new(ContractWrapper::new(
            mock_registry::execute,
            mock_registry::instantiate,
            mock_registry::query,
        )));
        let hub = app
            .instantiate_contract(hub_code, admin.clone(), &Empty {}, &[], "hub", None)
            .expect("mock hub");
        let registry = app
            .instantiate_contract(registry_code, admin.clone(), &Empty {}, &[], "registry", None)
            .expect("mock registry");
        let code_id = app.store_code(Box::new(
            ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
        ));
        let mut msg = default_msg(&app, &hub, &registry);
        tweak(&mut msg);
        let rewards = app
            .instantiate_contract(
                code_id,
                treasury.clone(),
                &msg,
                funds,
                "rewards",
                Some(admin.to_string()),
            )
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))?;
        Ok(Suite {
            app,
            rewards,
            hub,
            registry,
            admin,
            treasury,
            code_id,
        })
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn mint(&mut self, who: &Addr, amount: u128) {
        self.app
            .sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: who.to_string(),
                amount: coins(amount, DENOM),
            }))
            .expect("mint");
    }

    pub fn balance(&self, who: &Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(who, DENOM)
            .expect("balance")
            .amount
            .u128()
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    // --- rewards execute ---

    pub fn exec(&mut self, who: &Addr, msg: &ExecuteMsg, funds: &[Coin]) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(who.clone(), self.rewards.clone(), msg, funds)
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    pub fn fund(&mut self, amount: u128) -> Result<AppResponse, ContractError> {
        let treasury = self.treasury.clone();
        self.exec(&treasury, &ExecuteMsg::Fund {}, &coins(amount, DENOM))
    }

    pub fn add_revenue(&mut self, who: &Addr, amount: u128) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::AddRevenue {}, &coins(amount, DENOM))
    }

    /// The hub at an epoch's first report: reserve and freeze its budget.
    pub fn reserve_budget(&mut self, epoch: u64) -> Result<AppResponse, ContractError> {
        let hub = self.hub.clone();
        self.exec(&hub, &ExecuteMsg::ReserveBudget { epoch }, &[])
    }

    /// The hub when a root reaches quorum: settle its total.
    pub fn settle(&mut self, epoch: u64, total: u128) -> Result<AppResponse, ContractError> {
        let hub = self.hub.clone();
        self.exec(
            &hub,
            &ExecuteMsg::SettleEpoch {
                epoch,
                total_amount: Uint128::new(total),
            },
            &[],
        )
    }

    /// First report and acceptance in one go: reserve the budget, then settle `total` (the settlement's response).
    pub fn reserve(&mut self, epoch: u64, total: u128) -> Result<AppResponse, ContractError> {
        self.reserve_budget(epoch)?;
        self.settle(epoch, total)
    }

    pub fn release(&mut self, epoch: u64) -> Result<AppResponse, ContractError> {
        let hub = self.hub.clone();
        self.exec(&hub, &ExecuteMsg::ReleaseEpoch { epoch }, &[])
    }

    pub fn claim(&mut self, who: &Addr, claims: Vec<ClaimItem>) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::Claim { claims }, &[])
    }

    pub fn claim_operator(&mut self, who: &Addr, epoch: u64) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::ClaimOperatorReward { epoch }, &[])
    }

    // --- rewards queries ---

    pub fn q<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.rewards, msg).expect("query")
    }

    pub fn budget(&self, epoch: u64) -> EpochBudgetResponse {
        self.q(&QueryMsg::EpochBudget { epoch })
    }

    pub fn pool(&self) -> PoolResponse {
        self.q(&QueryMsg::Pool {})
    }

    pub fn epoch_state(&self, epoch: u64) -> EpochStateResponse {
        self.q(&QueryMsg::EpochState { epoch })
    }

    pub fn claimed(&self, epoch: u64, device_id: u64) -> ClaimedResponse {
        self.q(&QueryMsg::Claimed { epoch, device_id })
    }

    /// The books must always match: reserved + earmarked ≤ total ≤ balance.
    pub fn assert_books(&self) {
        let p = self.pool();
        assert!(p.reserved + p.earmarked_revenue <= p.pool_total, "{p:?}");
        assert!(p.pool_total <= p.balance, "{p:?}");
        assert_eq!(p.unreserved, p.pool_total - p.reserved);
        assert_eq!(p.free, p.unreserved - p.earmarked_revenue);
    }

    // --- hub and registry ---

    pub fn set_current_epoch(&mut self, epoch: u64) {
        let admin = self.admin.clone();
        self.app
            .execute_contract(
                admin,
                self.hub.clone(),
                &mock_hub::ExecuteMsg::SetCurrent { epoch },
                &[],
            )
            .expect("set current epoch");
    }

    pub fn set_hub_epoch(&mut self, epoch: EpochResponse) {
        let admin = self.admin.clone();
        self.app
            .execute_contract(admin, self.hub.clone(), &mock_hub::ExecuteMsg::SetEpoch { epoch }, &[])
            .expect("set hub epoch");
    }

    /// Sets the hub's view of `epoch`: `status`, the tree's root and total, and the reporters.
    pub fn hub_epoch(&mut self, epoch: u64, status: EpochStatus, tree: Option<&RewardTree>, reporters: &[Addr]) {
        let final_at = matches!(status, EpochStatus::Final).then(|| self.now());
        self.set_hub_epoch(EpochResponse {
            epoch,
            status,
            start: Timestamp::from_seconds(epoch * 86_400),
            end: Timestamp::from_seconds((epoch + 1) * 86_400),
            root: tree.map(|t| HexBinary::from(t.tree.root().to_vec())),
            total_amount: Uint128::new(tree.map_or(0, |t| t.total)),
            device_count: tree.map_or(0, |t| t.leaves.len() as u64),
            accepted_at: tree.map(|_| self.now()),
            final_at,
            reporters: reporters.to_vec(),
        });
    }

    /// The whole happy path of an epoch at the hub: accepted (reserve the tree's total), then final.
    pub fn finalize(&mut self, tree: &RewardTree, reporters: &[Addr]) {
        self.hub_epoch(tree.epoch, EpochStatus::Accepted, Some(tree), reporters);
        self.reserve(tree.epoch, tree.total).expect("reserve");
        self.hub_epoch(tree.epoch, EpochStatus::Final, Some(tree), reporters);
    }

    pub fn set_device(&mut self, device_id: u64, status: Option<DeviceStatus>) {
        let admin = self.admin.clone();
        self.app
            .execute_contract(
                admin,
                self.registry.clone(),
                &mock_registry::ExecuteMsg::Set { device_id, status },
                &[],
            )
            .expect("set device");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reward trees built off chain with rewards_core.

pub struct RewardTree {
    pub epoch: u64,
    pub leaves: Vec<Leaf>,
    pub tree: Tree,
    pub total: u128,
}

impl RewardTree {
    /// `(device_id, owner, amount)` per leaf.
    pub fn new(epoch: u64, leaves: &[(u64, &Addr, u128)]) -> RewardTree {
        let leaves: Vec<Leaf> = leaves
            .iter()
            .map(|(id, owner, amount)| Leaf::new(epoch, *id, owner.as_str(), *amount))
            .collect();
        RewardTree::from_leaves(epoch, leaves)
    }

    pub fn from_leaves(epoch: u64, leaves: Vec<Leaf>) -> RewardTree {
        let tree = build_tree(&leaves).expect("build tree");
        let total = leaves.iter().map(|l| l.amount.u128()).sum();
        RewardTree {
            epoch,
            leaves,
            tree,
            total,
        }
    }

    pub fn leaf(&self, device_id: u64) -> &Leaf {
        self.leaves
            .iter()
            .find(|l| l.device_id == device_id)
            .expect("leaf of device")
    }

    pub fn proof(&self, device_id: u64) -> Vec<HexBinary> {
        self.tree
            .proof_for_device(device_id)
            .expect("proof")
            .iter()
            .map(|h| HexBinary::from(h.to_vec()))
            .collect()
    }

    /// The claim of `device_id`'s leaf with its proof.
    pub fn item(&self, device_id: u64) -> ClaimItem {
        let leaf = self.leaf(device_id);
        ClaimItem {
            epoch: leaf.epoch,
            device_id,
            owner: leaf.owner.clone(),
            amount: leaf.amount,
            proof: self.proof(device_id),
        }
    }
}

/// Looks for `key` in the attributes of the `wasm` event(s) or of the event `ty`.
pub fn attr(res: &AppResponse, ty: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == ty)
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

pub fn events<'a>(res: &'a AppResponse, ty: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
    res.events.iter().filter(move |e| e.ty == ty)
}
