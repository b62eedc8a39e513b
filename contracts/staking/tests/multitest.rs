//! cw-multi-test checks of the staking contract against a minimal mock device registry (which, like the real one,
//! reports NFT transfers with `owner_changed`). Error paths also check that nothing moved; most scenarios end with
//! the balance invariant `contract balance == Σ positions + Σ unbonding + Σ locks`.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, Binary, Coin, Decimal, Deps, DepsMut, Empty, Env, HexBinary, MessageInfo,
    Response, StdError, StdResult, Timestamp, Uint128, WasmMsg,
};
use cw_multi_test::{App, AppResponse, BankSudo, ContractWrapper, Executor, SudoMsg};
use cw_storage_plus::{Item, Map};
use edgemint_types::migrate::MigrateError;
use edgemint_types::registry::{DeviceResponse, DeviceStatus, KeyType};
use edgemint_types::registry::{RegistryExecuteMsg as RegistryExecute, RegistryQueryMsg as RegistryQuery};
use edgemint_types::staking::{StakingExecute, StakingQuery};
use staking::contract::{default_tiers, execute, instantiate, migrate, query, CONTRACT_NAME, CONTRACT_VERSION};
use staking::msg::{
    ConfigResponse, ExecuteMsg, InstantiateMsg, LockTier, LocksResponse, MigrateMsg, MiningStatusResponse,
    PositionResponse, PositionsResponse, QueryMsg, RewardMultiplierResponse, StakerResponse, TotalLockedResponse,
    TotalPowerAtHeightResponse, TotalStakedResponse, UnbondingResponse, VotingPowerAtHeightResponse,
};
use staking::state::{
    MAX_CLAIM_ENTRIES, MAX_LOCKS_PER_ADDRESS, MAX_SLASH_ENTRIES, MAX_UNBONDING_ENTRIES, MAX_UNBONDING_PER_DEVICE,
};
use staking::ContractError;

const DENOM: &str = "uemc";
const EMC: u128 = 1_000_000;
const MIN: u128 = 100 * EMC;
const UNBONDING: u64 = 7 * 24 * 3600;
/// The whole genesis supply: 100,000,000,000 EMC.
const SUPPLY: u128 = 100_000_000_000_000_000;
const DAY: u64 = 24 * 3600;

// ---------------------------------------------------------------------------------------------------------------
// A minimal device registry: answers `Device`, accepts `SetStatus` from its slasher, reports transfers to its staking
// hook with `owner_changed` (as the real registry does), plus test-only setters.

mod mock_registry {
    use super::*;

    const DEVICES: Map<u64, (Option<Addr>, DeviceStatus)> = Map::new("devices");
    const SLASHER: Item<Addr> = Item::new("slasher");
    const HOOK: Item<Addr> = Item::new("hook");
    const REASONS: Map<u64, String> = Map::new("reasons");

    #[cw_serde]
    pub enum ExecuteMsg {
        Put {
            device_id: u64,
            owner: Option<String>,
            status: DeviceStatus,
        },
        /// Moves the device and tells the staking hook (if set), like the registry's TransferNft.
        Transfer {
            device_id: u64,
            to: String,
        },
        /// Moves the device without telling anyone (a registry whose staking hook is not configured).
        TransferNoHook {
            device_id: u64,
            to: String,
        },
        SetSlasher {
            slasher: String,
        },
        SetHook {
            staking: String,
        },
        SetStatus {
            device_id: u64,
            status: DeviceStatus,
            reason: String,
        },
    }

    #[cw_serde]
    pub enum QueryMsg {
        Device { device_id: u64 },
        Reason { device_id: u64 },
    }

    pub fn instantiate(_deps: DepsMut, _env: Env, _info: MessageInfo, _msg: Empty) -> StdResult<Response> {
        Ok(Response::new())
    }

    pub fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
        let mut res = Response::new();
        match msg {
            ExecuteMsg::Put {
                device_id,
                owner,
                status,
            } => {
                let owner = owner.map(|o| deps.api.addr_validate(&o)).transpose()?;
                DEVICES.save(deps.storage, device_id, &(owner, status))?;
            }
            ExecuteMsg::Transfer { device_id, to } => {
                let (previous, status) = DEVICES.load(deps.storage, device_id)?;
                let to = deps.api.addr_validate(&to)?;
                DEVICES.save(deps.storage, device_id, &(Some(to.clone()), status))?;
                if let (Some(hook), Some(previous)) = (HOOK.may_load(deps.storage)?, previous) {
                    if previous != to {
                        res = res.add_message(WasmMsg::Execute {
                            contract_addr: hook.to_string(),
                            msg: to_json_binary(&StakingExecute::OwnerChanged {
                                device_id,
                                previous_owner: previous.to_string(),
                                new_owner: to.to_string(),
                            })?,
                            funds: vec![],
                        });
                    }
                }
            }
            ExecuteMsg::TransferNoHook { device_id, to } => {
                let (_, status) = DEVICES.load(deps.storage, device_id)?;
                DEVICES.save(deps.storage, device_id, &(Some(deps.api.addr_validate(&to)?), status))?;
            }
            ExecuteMsg::SetSlasher { slasher } => SLASHER.save(deps.storage, &deps.api.addr_validate(&slasher)?)?,
            ExecuteMsg::SetHook { staking } => HOOK.save(deps.storage, &deps.api.addr_validate(&staking)?)?,
            ExecuteMsg::SetStatus {
                device_id,
                status,
                reason,
            } => {
                if SLASHER.may_load(deps.storage)?.as_ref() != Some(&info.sender) {
                    return Err(StdError::generic_err("mock registry: not a slasher"));
                }
                let (owner, current) = DEVICES.load(deps.storage, device_id)?;
                // the real registry's transitions: Active <-> Suspended, Registered/Active/Suspended -> Banned
                let allowed = matches!(
                    (current, status),
                    (DeviceStatus::Active, DeviceStatus::Suspended)
                        | (DeviceStatus::Suspended, DeviceStatus::Active)
                        | (
                            DeviceStatus::Registered | DeviceStatus::Active | DeviceStatus::Suspended,
                            DeviceStatus::Banned
                        )
                );
                if !allowed {
                    return Err(StdError::generic_err(format!(
                        "mock registry: transition {current:?} -> {status:?} not allowed"
                    )));
                }
                DEVICES.save(deps.storage, device_id, &(owner, status))?;
                REASONS.save(deps.storage, device_id, &reason)?;
            }
        }
        Ok(res)
    }

    pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
        match msg {
            QueryMsg::Device { device_id } => {
                let (owner, status) = DEVICES.load(deps.storage, device_id)?;
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
                    owner,
                    activated_at: None,
                })
            }
            QueryMsg::Reason { device_id } => to_json_binary(&REASONS.may_load(deps.storage, device_id)?),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Suite

struct Suite {
    app: App,
    staking: Addr,
    registry: Addr,
    admin: Addr,
    slasher: Addr,
    locker: Addr,
    pool: Addr,
    code_id: u64,
}

fn default_msg(app: &App) -> InstantiateMsg {
    let api = app.api();
    InstantiateMsg {
        admin: Some(api.addr_make("admin").to_string()),
        denom: DENOM.to_string(),
        registry: String::new(), // filled in by setup_with
        rewards_pool: api.addr_make("pool").to_string(),
        min_stake_per_device: Uint128::new(MIN),
        unbonding_period: UNBONDING,
        slash_fraction: Decimal::percent(10),
        bounty_fraction: Decimal::percent(25),
        slashers: vec![api.addr_make("oracle-hub").to_string()],
        lockers: vec![api.addr_make("rewards").to_string()],
        tiers: None,
    }
}

fn store_staking(app: &mut App) -> u64 {
    app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ))
}

fn setup() -> Suite {
    setup_with(|_| {})
}

fn setup_with(tweak: impl FnOnce(&mut InstantiateMsg)) -> Suite {
    try_setup_with(tweak).expect("instantiate staking")
}

fn try_setup_with(tweak: impl FnOnce(&mut InstantiateMsg)) -> Result<Suite, ContractError> {
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let registry_code = app.store_code(Box::new(ContractWrapper::new(
        mock_registry::execute,
        mock_registry::instantiate,
        mock_registry::query,
    )));
    let registry = app
        .instantiate_contract(registry_code, admin.clone(), &Empty {}, &[], "registry", None)
        .expect("mock registry");
    let code_id = store_staking(&mut app);
    let mut msg = default_msg(&app);
    msg.registry = registry.to_string();
    tweak(&mut msg);
    let staking = app
        .instantiate_contract(code_id, admin.clone(), &msg, &[], "staking", Some(admin.to_string()))
        .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))?;
    for msg in [
        mock_registry::ExecuteMsg::SetSlasher {
            slasher: staking.to_string(),
        },
        mock_registry::ExecuteMsg::SetHook {
            staking: staking.to_string(),
        },
    ] {
        app.execute_contract(admin.clone(), registry.clone(), &msg, &[])
            .expect("configure mock registry");
    }
    let mut suite = Suite {
        slasher: app.api().addr_make("oracle-hub"),
        locker: app.api().addr_make("rewards"),
        pool: app.api().addr_make("pool"),
        app,
        staking,
        registry,
        admin,
        code_id,
    };
    for name in ["alice", "bob", "carol", "dave", "erin", "frank", "rewards"] {
        let who = suite.user(name);
        suite.fund(&who, 1_000_000 * EMC);
    }
    Ok(suite)
}

impl Suite {
    fn user(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    fn fund(&mut self, who: &Addr, amount: u128) {
        self.fund_denom(who, amount, DENOM);
    }

    fn fund_denom(&mut self, who: &Addr, amount: u128, denom: &str) {
        self.app
            .sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: who.to_string(),
                amount: coins(amount, denom),
            }))
            .expect("mint");
    }

    fn balance(&self, who: &Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(who, DENOM)
            .expect("balance")
            .amount
            .u128()
    }

    fn height(&self) -> u64 {
        self.app.block_info().height
    }

    fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    /// One block later, `seconds` later.
    fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(seconds);
        });
    }

    fn next_block(&mut self) {
        self.advance(5);
    }

    // --- registry ---

    fn put_device(&mut self, device_id: u64, owner: Option<&Addr>, status: DeviceStatus) {
        let msg = mock_registry::ExecuteMsg::Put {
            device_id,
            owner: owner.map(|o| o.to_string()),
            status,
        };
        self.app
            .execute_contract(self.admin.clone(), self.registry.clone(), &msg, &[])
            .expect("put device");
    }

    fn active_device(&mut self, device_id: u64, owner: &Addr) {
        self.put_device(device_id, Some(owner), DeviceStatus::Active);
    }

    /// The device's NFT moves to `to`; the registry tells staking (`owner_changed`).
    fn transfer(&mut self, device_id: u64, to: &Addr) {
        self.try_transfer(device_id, to).expect("transfer device");
    }

    /// A transfer that staking may refuse (its error fails the registry's transaction).
    fn try_transfer(&mut self, device_id: u64, to: &Addr) -> Result<AppResponse, ContractError> {
        let msg = mock_registry::ExecuteMsg::Transfer {
            device_id,
            to: to.to_string(),
        };
        self.app
            .execute_contract(self.admin.clone(), self.registry.clone(), &msg, &[])
            .map_err(|e| e.downcast::<ContractError>().expect("a staking ContractError"))
    }

    /// A transfer the registry does not report to staking (hook not configured).
    fn transfer_unreported(&mut self, device_id: u64, to: &Addr) {
        let msg = mock_registry::ExecuteMsg::TransferNoHook {
            device_id,
            to: to.to_string(),
        };
        self.app
            .execute_contract(self.admin.clone(), self.registry.clone(), &msg, &[])
            .expect("transfer device");
    }

    fn device(&self, device_id: u64) -> DeviceResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, &mock_registry::QueryMsg::Device { device_id })
            .expect("device")
    }

    fn registry_reason(&self, device_id: u64) -> Option<String> {
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, &mock_registry::QueryMsg::Reason { device_id })
            .expect("reason")
    }

    // --- staking execute ---

    fn exec(&mut self, who: &Addr, msg: &ExecuteMsg, funds: &[Coin]) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(who.clone(), self.staking.clone(), msg, funds)
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    fn stake(&mut self, who: &Addr, device_id: u64, amount: u128) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::Stake { device_id }, &coins(amount, DENOM))
    }

    fn unstake(&mut self, who: &Addr, device_id: u64, amount: u128) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Unstake {
            device_id,
            amount: Uint128::new(amount),
        };
        self.exec(who, &msg, &[])
    }

    fn claim(&mut self, who: &Addr) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::Claim {}, &[])
    }

    fn lock(
        &mut self,
        who: &Addr,
        tier_id: u64,
        beneficiary: Option<&Addr>,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Lock {
            tier_id,
            beneficiary: beneficiary.map(|b| b.to_string()),
        };
        self.exec(who, &msg, &coins(amount, DENOM))
    }

    fn unlock(&mut self, who: &Addr, lock_id: u64) -> Result<AppResponse, ContractError> {
        self.exec(who, &ExecuteMsg::Unlock { lock_id }, &[])
    }

    /// A slash for an offence happening now.
    fn slash(&mut self, who: &Addr, device_id: u64, reporter: &Addr, ban: bool) -> Result<AppResponse, ContractError> {
        let now = self.now();
        self.slash_at(who, device_id, reporter, ban, now)
    }

    fn slash_at(
        &mut self,
        who: &Addr,
        device_id: u64,
        reporter: &Addr,
        ban: bool,
        offence_time: Timestamp,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Slash {
            device_id,
            reporter: reporter.to_string(),
            reason: "equivocation: two reports with sequence 42".to_string(),
            ban,
            offence_time,
        };
        self.exec(who, &msg, &[])
    }

    fn refresh_power(&mut self, who: &Addr, address: &Addr) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::RefreshPower {
            address: address.to_string(),
        };
        self.exec(who, &msg, &[])
    }

    fn update_config(&mut self, who: &Addr, f: impl FnOnce(&mut ExecuteMsg)) -> Result<AppResponse, ContractError> {
        let mut msg = ExecuteMsg::UpdateConfig {
            min_stake_per_device: None,
            unbonding_period: None,
            slash_fraction: None,
            bounty_fraction: None,
            rewards_pool: None,
            registry: None,
            slashers: None,
            lockers: None,
            upsert_tiers: None,
            remove_tiers: None,
        };
        f(&mut msg);
        self.exec(who, &msg, &[])
    }

    // --- staking queries ---

    fn q<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.staking, msg).expect("query")
    }

    fn config(&self) -> ConfigResponse {
        self.q(&QueryMsg::Config {})
    }

    fn position(&self, device_id: u64, staker: &Addr) -> u128 {
        let r: PositionResponse = self.q(&QueryMsg::Position {
            device_id,
            staker: staker.to_string(),
        });
        r.amount.u128()
    }

    fn device_positions(&self, device_id: u64) -> Vec<(Addr, u128)> {
        let r: PositionsResponse = self.q(&QueryMsg::PositionsByDevice { device_id });
        r.positions.into_iter().map(|p| (p.staker, p.amount.u128())).collect()
    }

    fn staker(&self, who: &Addr) -> StakerResponse {
        self.q(&QueryMsg::Staker {
            address: who.to_string(),
        })
    }

    /// The first page (up to 30 entries) of `who`'s unbonding entries.
    fn unbonding(&self, who: &Addr) -> UnbondingResponse {
        self.unbonding_page(who, None, Some(30))
    }

    fn unbonding_page(&self, who: &Addr, start_after: Option<u64>, limit: Option<u32>) -> UnbondingResponse {
        self.q(&QueryMsg::Unbonding {
            address: who.to_string(),
            start_after,
            limit,
        })
    }

    fn locks(&self, who: &Addr) -> LocksResponse {
        self.q(&QueryMsg::Locks {
            address: who.to_string(),
        })
    }

    fn mining(&self, device_id: u64) -> MiningStatusResponse {
        self.q(&QueryMsg::MiningStatus { device_id })
    }

    fn power_at(&self, who: &Addr, height: Option<u64>) -> u128 {
        let r: VotingPowerAtHeightResponse = self.q(&QueryMsg::VotingPowerAtHeight {
            address: who.to_string(),
            height,
        });
        if let Some(h) = height {
            assert_eq!(r.height, h);
        }
        r.power.u128()
    }

    fn total_power_at(&self, height: Option<u64>) -> u128 {
        let r: TotalPowerAtHeightResponse = self.q(&QueryMsg::TotalPowerAtHeight { height });
        r.power.u128()
    }

    fn multiplier_at(&self, who: &Addr, height: Option<u64>) -> Decimal {
        let r: RewardMultiplierResponse = self.q(&QueryMsg::RewardMultiplierAtHeight {
            address: who.to_string(),
            height,
        });
        r.multiplier
    }

    fn totals(&self) -> (u128, u128, u128) {
        let s: TotalStakedResponse = self.q(&QueryMsg::TotalStaked {});
        let l: TotalLockedResponse = self.q(&QueryMsg::TotalLocked {});
        (s.staked.u128(), s.unbonding.u128(), l.amount.u128())
    }

    /// Every uemc the contract holds is accounted for, exactly.
    fn assert_invariant(&self) {
        let (staked, unbonding, locked) = self.totals();
        assert_eq!(
            self.balance(&self.staking),
            staked + unbonding + locked,
            "balance != staked + unbonding + locked"
        );
    }
}

fn wasm_attr(resp: &AppResponse, key: &str) -> Option<String> {
    resp.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

fn events_of<'a>(resp: &'a AppResponse, ty: &'a str) -> impl Iterator<Item = &'a cosmwasm_std::Event> + 'a {
    resp.events.iter().filter(move |e| e.ty == ty)
}

// ---------------------------------------------------------------------------------------------------------------
// instantiate / config / admin / migrate

#[test]
fn instantiate_sets_config_default_tiers_and_cw2() {
    let suite = setup();
    let c = suite.config();
    assert_eq!(c.admin, suite.admin);
    assert_eq!(c.pending_admin, None);
    assert_eq!(c.denom, DENOM);
    assert_eq!(c.registry, suite.registry);
    assert_eq!(c.rewards_pool, suite.pool);
    assert_eq!(c.min_stake_per_device, Uint128::new(MIN));
    assert_eq!(c.unbonding_period, UNBONDING);
    assert_eq!(c.slash_fraction, Decimal::percent(10));
    assert_eq!(c.bounty_fraction, Decimal::percent(25));
    assert_eq!(c.slashers, vec![suite.slasher.clone()]);
    assert_eq!(c.lockers, vec![suite.locker.clone()]);
    assert_eq!(c.tiers, default_tiers());
    let mults: Vec<String> = c.tiers.iter().map(|t| t.multiplier.to_string()).collect();
    assert_eq!(mults, ["1.25", "1.5", "2", "3"]);
    assert_eq!(c.tiers[0].duration, 90 * DAY);
    assert_eq!(c.tiers[3].duration, 730 * DAY);
    assert_eq!(c.max_unbonding_entries, 7);
    assert_eq!(c.max_unbonding_per_device, 28);
    assert_eq!(c.max_slash_entries, 35);
    assert_eq!(c.max_claim_entries, 30);
    assert_eq!(c.max_locks_per_address, 20);
    let own: cw_ownable::Ownership<Addr> = suite.q(&QueryMsg::Ownership {});
    assert_eq!(own.owner, Some(suite.admin.clone()));
    assert_eq!(own.pending_owner, None);
    assert_eq!(suite.totals(), (0, 0, 0));
    assert_eq!(suite.total_power_at(None), 0);

    let info = cw2::query_contract_info(&suite.app.wrap(), suite.staking.to_string()).expect("cw2");
    assert_eq!(info.contract, CONTRACT_NAME);
    assert_eq!(info.version, CONTRACT_VERSION);
}

#[test]
fn instantiate_rejects_bad_parameters() {
    let err = try_setup_with(|m| m.slash_fraction = Decimal::percent(101))
        .err()
        .expect("err");
    assert_eq!(
        err,
        ContractError::InvalidFraction {
            name: "slash_fraction".into(),
            value: Decimal::percent(101)
        }
    );
    let err = try_setup_with(|m| m.bounty_fraction = Decimal::percent(150))
        .err()
        .expect("err");
    assert!(matches!(err, ContractError::InvalidFraction { .. }));
    let err = try_setup_with(|m| m.min_stake_per_device = Uint128::zero())
        .err()
        .expect("err");
    assert_eq!(err, ContractError::InvalidMinStake {});
    let err = try_setup_with(|m| m.unbonding_period = 366 * DAY).err().expect("err");
    assert!(matches!(err, ContractError::InvalidUnbondingPeriod { .. }));
    let err = try_setup_with(|m| m.denom = "1bad".into()).err().expect("err");
    assert_eq!(err, ContractError::InvalidDenom { denom: "1bad".into() });
    let err = try_setup_with(|m| {
        m.tiers = Some(vec![LockTier {
            id: 1,
            duration: DAY,
            multiplier: Decimal::percent(99),
        }])
    })
    .err()
    .expect("err");
    assert!(matches!(err, ContractError::InvalidTier { tier_id: 1, .. }));
    let err = try_setup_with(|m| {
        m.tiers = Some(vec![LockTier {
            id: 2,
            duration: 0,
            multiplier: Decimal::one(),
        }])
    })
    .err()
    .expect("err");
    assert!(matches!(err, ContractError::InvalidTier { tier_id: 2, .. }));
    let err = try_setup_with(|m| m.slashers = (0..11).map(|i| format!("x{i}")).collect())
        .err()
        .expect("err");
    assert_eq!(
        err,
        ContractError::TooManyAddresses {
            name: "slashers".into(),
            max: 10
        }
    );
    let err = try_setup_with(|m| m.rewards_pool = "not an address".into())
        .err()
        .expect("err");
    assert!(matches!(err, ContractError::Std(_)));
}

#[test]
fn instantiate_with_custom_tiers_and_default_admin() {
    let suite = setup_with(|m| {
        m.admin = None;
        m.tiers = Some(vec![LockTier {
            id: 7,
            duration: 30 * DAY,
            multiplier: Decimal::percent(110),
        }]);
    });
    let c = suite.config();
    assert_eq!(c.admin, suite.admin, "defaults to the instantiating sender");
    assert_eq!(c.tiers.len(), 1);
    assert_eq!(c.tiers[0].id, 7);
}

#[test]
fn update_config_by_admin_only_and_validated() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let err = suite
        .update_config(&alice, |m| {
            if let ExecuteMsg::UpdateConfig { unbonding_period, .. } = m {
                *unbonding_period = Some(1);
            }
        })
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));

    let admin = suite.admin.clone();
    for bad in [Decimal::percent(101), Decimal::percent(200)] {
        let err = suite
            .update_config(&admin, |m| {
                if let ExecuteMsg::UpdateConfig { bounty_fraction, .. } = m {
                    *bounty_fraction = Some(bad);
                }
            })
            .unwrap_err();
        assert_eq!(
            err,
            ContractError::InvalidFraction {
                name: "bounty_fraction".into(),
                value: bad
            }
        );
    }
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig {
                min_stake_per_device, ..
            } = m
            {
                *min_stake_per_device = Some(Uint128::zero());
            }
        })
        .unwrap_err();
    assert_eq!(err, ContractError::InvalidMinStake {});
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { remove_tiers, .. } = m {
                *remove_tiers = Some(vec![99]);
            }
        })
        .unwrap_err();
    assert_eq!(err, ContractError::UnknownTier { tier_id: 99 });
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { upsert_tiers, .. } = m {
                *upsert_tiers = Some(
                    (100..117)
                        .map(|id| LockTier {
                            id,
                            duration: DAY,
                            multiplier: Decimal::one(),
                        })
                        .collect(),
                );
            }
        })
        .unwrap_err();
    assert_eq!(err, ContractError::TooManyTiers { max: 16 });
    // 4 default tiers + 13 new ones = 17 > 16
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { upsert_tiers, .. } = m {
                *upsert_tiers = Some(
                    (100..113)
                        .map(|id| LockTier {
                            id,
                            duration: DAY,
                            multiplier: Decimal::one(),
                        })
                        .collect(),
                );
            }
        })
        .unwrap_err();
    assert_eq!(err, ContractError::TooManyTiers { max: 16 });
    assert_eq!(suite.config().tiers, default_tiers(), "failed updates change nothing");

    let carol = suite.user("carol");
    let resp = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig {
                min_stake_per_device,
                unbonding_period,
                slash_fraction,
                bounty_fraction,
                rewards_pool,
                slashers,
                lockers,
                ..
            } = m
            {
                *min_stake_per_device = Some(Uint128::new(5 * EMC));
                *unbonding_period = Some(DAY);
                *slash_fraction = Some(Decimal::percent(50));
                *bounty_fraction = Some(Decimal::zero());
                *rewards_pool = Some(carol.to_string());
                *slashers = Some(vec![carol.to_string(), carol.to_string()]);
                *lockers = Some(vec![]);
            }
        })
        .unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("update_config"));
    let c = suite.config();
    assert_eq!(c.min_stake_per_device, Uint128::new(5 * EMC));
    assert_eq!(c.unbonding_period, DAY);
    assert_eq!(c.slash_fraction, Decimal::percent(50));
    assert_eq!(c.bounty_fraction, Decimal::zero());
    assert_eq!(c.rewards_pool, carol);
    assert_eq!(c.slashers, vec![carol.clone()], "de-duplicated");
    assert!(c.lockers.is_empty());

    // The rewards pool cannot be the staking contract itself (slashed funds would be stranded, counted nowhere).
    let staking = suite.staking.clone();
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { rewards_pool, .. } = m {
                *rewards_pool = Some(staking.to_string());
            }
        })
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::SelfAddress {
            field: "rewards_pool".into()
        }
    );
    assert_eq!(suite.config().rewards_pool, carol);
}

/// The instantiate path refuses the contract's own address as rewards pool too (multi-test addresses are
/// deterministic: the mock registry is contract 0, staking contract 1).
#[test]
fn instantiate_refuses_itself_as_rewards_pool() {
    let probe = setup();
    let own_address = probe.staking.to_string();
    let err = try_setup_with(|m| m.rewards_pool = own_address.clone())
        .err()
        .expect("err");
    assert_eq!(
        err,
        ContractError::SelfAddress {
            field: "rewards_pool".into()
        }
    );
}

/// The admin hands over with cw-ownable, exactly like the registry: transfer_ownership, then accept_ownership by
/// the new admin; renouncing is refused.
#[test]
fn admin_handover_is_two_step_with_cw_ownable() {
    let mut suite = setup();
    let admin = suite.admin.clone();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let transfer = |to: &Addr| {
        ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
            new_owner: to.to_string(),
            expiry: None,
        })
    };
    let accept = ExecuteMsg::UpdateOwnership(cw_ownable::Action::AcceptOwnership);

    assert_eq!(
        suite.exec(&alice, &transfer(&alice), &[]).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    assert_eq!(
        suite.exec(&alice, &accept, &[]).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::TransferNotFound)
    );

    suite.exec(&admin, &transfer(&alice), &[]).unwrap();
    assert_eq!(suite.config().pending_admin, Some(alice.clone()));
    let own: cw_ownable::Ownership<Addr> = suite.q(&QueryMsg::Ownership {});
    assert_eq!(own.pending_owner, Some(alice.clone()));
    assert_eq!(
        suite.exec(&bob, &accept, &[]).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::NotPendingOwner)
    );
    assert_eq!(suite.config().admin, admin, "proposal alone changes nothing");

    // cw-ownable has no cancel: a new proposal replaces the pending one, and one with an expiry already past
    // voids it
    let voided = ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
        new_owner: bob.to_string(),
        expiry: Some(cw_utils::Expiration::AtHeight(1)),
    });
    suite.exec(&admin, &voided, &[]).unwrap();
    assert_eq!(suite.config().pending_admin, Some(bob.clone()));
    assert_eq!(
        suite.exec(&alice, &accept, &[]).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::NotPendingOwner)
    );
    assert_eq!(
        suite.exec(&bob, &accept, &[]).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::TransferExpired)
    );
    suite.exec(&admin, &transfer(&alice), &[]).unwrap();
    let resp = suite.exec(&alice, &accept, &[]).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("update_ownership"));
    assert_eq!(wasm_attr(&resp, "owner"), Some(alice.to_string()));
    let c = suite.config();
    assert_eq!(c.admin, alice);
    assert_eq!(c.pending_admin, None);

    // the old admin lost its rights; the new one has them
    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { unbonding_period, .. } = m {
                *unbonding_period = Some(1);
            }
        })
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    suite
        .update_config(&alice, |m| {
            if let ExecuteMsg::UpdateConfig { unbonding_period, .. } = m {
                *unbonding_period = Some(1);
            }
        })
        .unwrap();
    // and may slash
    let dave = suite.user("dave");
    suite.active_device(1, &dave);
    suite.slash(&alice, 1, &bob, false).unwrap();

    // renouncing would leave the contract without an admin: refused
    assert_eq!(
        suite
            .exec(
                &alice,
                &ExecuteMsg::UpdateOwnership(cw_ownable::Action::RenounceOwnership),
                &[]
            )
            .unwrap_err(),
        ContractError::RenounceNotAllowed {}
    );
    assert_eq!(suite.config().admin, alice);
    // handover messages refuse funds like every other non-payable message
    suite.fund(&alice, 1);
    assert_eq!(
        suite.exec(&alice, &transfer(&bob), &coins(1, DENOM)).unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::NonPayable {})
    );
}

#[test]
fn migrate_checks_name_and_refuses_downgrade() {
    let mut suite = setup();
    let admin = suite.admin.clone();
    let staking = suite.staking.clone();
    let code_id = suite.code_id;
    let resp = suite
        .app
        .migrate_contract(admin.clone(), staking.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("migrate"));

    let set_cw2 = |suite: &mut Suite, name: &str, version: &str| {
        let mut store = suite.app.contract_storage_mut(&staking);
        cw2::set_contract_version(store.as_mut(), name, version).unwrap();
    };

    set_cw2(&mut suite, "crates.io:something-else", CONTRACT_VERSION);
    let err = suite
        .app
        .migrate_contract(admin.clone(), staking.clone(), &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(
        err,
        ContractError::Migrate(MigrateError::WrongContract { .. })
    ));

    set_cw2(&mut suite, CONTRACT_NAME, "99.0.0");
    let err = suite
        .app
        .migrate_contract(admin.clone(), staking.clone(), &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Migrate(MigrateError::Downgrade { .. })));

    set_cw2(&mut suite, CONTRACT_NAME, "0.0.1");
    suite
        .app
        .migrate_contract(admin.clone(), staking.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    let info = cw2::query_contract_info(&suite.app.wrap(), staking.to_string()).unwrap();
    assert_eq!(info.version, CONTRACT_VERSION);

    // State of the pre-fix layout (its own `admin` item) is refused rather than half-read.
    suite
        .app
        .contract_storage_mut(&staking)
        .set(b"admin", br#""emc1oldadmin""#);
    let err = suite
        .app
        .migrate_contract(admin, staking, &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert_eq!(err, ContractError::LegacyState {});
}

// ---------------------------------------------------------------------------------------------------------------
// stake

#[test]
fn stake_makes_device_eligible_and_emits_events() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);

    let before = suite.mining(1);
    assert!(!before.eligible);
    assert_eq!(before.owner, Some(alice.clone()));
    assert_eq!(before.owner_stake, Uint128::zero());
    assert_eq!(before.min_stake, Uint128::new(MIN));
    assert_eq!(before.device_status, DeviceStatus::Active);

    let bal = suite.balance(&alice);
    let resp = suite.stake(&alice, 1, MIN).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("stake"));
    assert_eq!(wasm_attr(&resp, "device_id").as_deref(), Some("1"));
    assert_eq!(wasm_attr(&resp, "staker"), Some(alice.to_string()));
    assert_eq!(wasm_attr(&resp, "amount"), Some(MIN.to_string()));
    assert_eq!(wasm_attr(&resp, "position"), Some(MIN.to_string()));
    assert_eq!(suite.balance(&alice), bal - MIN);

    let m = suite.mining(1);
    assert!(m.eligible);
    assert_eq!(m.owner_stake, Uint128::new(MIN));

    // top-ups of any size are fine once the position is at the minimum
    suite.stake(&alice, 1, 1).unwrap();
    assert_eq!(suite.position(1, &alice), MIN + 1);
    assert_eq!(suite.device_positions(1), vec![(alice.clone(), MIN + 1)]);
    let s = suite.staker(&alice);
    assert_eq!(s.staked, Uint128::new(MIN + 1));
    assert_eq!(s.voting_power, Uint128::new(MIN + 1));
    assert_eq!(s.reward_multiplier, Decimal::one());
    assert_eq!(suite.totals(), (MIN + 1, 0, 0));
    suite.assert_invariant();
}

#[test]
fn stake_by_non_owner_is_rejected() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    let bal = suite.balance(&bob);
    assert_eq!(
        suite.stake(&bob, 1, MIN).unwrap_err(),
        ContractError::NotDeviceOwner { device_id: 1 }
    );
    assert_eq!(suite.balance(&bob), bal, "funds returned with the failed tx");
    // a device nobody owns yet
    suite.put_device(2, None, DeviceStatus::Registered);
    assert_eq!(
        suite.stake(&alice, 2, MIN).unwrap_err(),
        ContractError::NotDeviceOwner { device_id: 2 }
    );
    assert_eq!(suite.totals(), (0, 0, 0));
}

#[test]
fn stake_on_inactive_device_is_rejected() {
    let mut suite = setup();
    let alice = suite.user("alice");
    for (id, status) in [
        (1, DeviceStatus::Registered),
        (2, DeviceStatus::Suspended),
        (3, DeviceStatus::Banned),
    ] {
        suite.put_device(id, Some(&alice), status);
        assert_eq!(
            suite.stake(&alice, id, MIN).unwrap_err(),
            ContractError::DeviceNotActive { device_id: id, status }
        );
        let m = suite.mining(id);
        assert!(!m.eligible);
        assert_eq!(m.device_status, status);
    }
    assert_eq!(suite.totals(), (0, 0, 0));
}

#[test]
fn stake_on_unknown_device_is_a_registry_error() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let err = suite.stake(&alice, 404, MIN).unwrap_err();
    assert!(
        matches!(err, ContractError::RegistryQuery { device_id: 404, .. }),
        "{err:?}"
    );
}

#[test]
fn stake_below_minimum_is_rejected() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    assert_eq!(
        suite.stake(&alice, 1, MIN - 1).unwrap_err(),
        ContractError::BelowMinimum {
            device_id: 1,
            would_have: Uint128::new(MIN - 1),
            min: Uint128::new(MIN)
        }
    );
    assert_eq!(suite.position(1, &alice), 0);
    // a position below the minimum (here: the DAO raised it) must be topped up to the minimum in one go
    suite.stake(&alice, 1, MIN).unwrap();
    let admin = suite.admin.clone();
    suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig {
                min_stake_per_device, ..
            } = m
            {
                *min_stake_per_device = Some(Uint128::new(MIN + 10));
            }
        })
        .unwrap();
    assert!(!suite.mining(1).eligible);
    assert_eq!(
        suite.stake(&alice, 1, 9).unwrap_err(),
        ContractError::BelowMinimum {
            device_id: 1,
            would_have: Uint128::new(MIN + 9),
            min: Uint128::new(MIN + 10)
        }
    );
    suite.stake(&alice, 1, 10).unwrap();
    assert!(suite.mining(1).eligible);
    suite.assert_invariant();
}

#[test]
fn stake_funds_checks() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.fund_denom(&alice, 1_000 * EMC, "uatom");

    let msg = ExecuteMsg::Stake { device_id: 1 };
    assert_eq!(
        suite.exec(&alice, &msg, &[]).unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::NoFunds {})
    );
    assert_eq!(
        suite.exec(&alice, &msg, &coins(MIN, "uatom")).unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::MissingDenom(DENOM.into()))
    );
    assert_eq!(
        suite
            .exec(&alice, &msg, &[coin(MIN, "uatom"), coin(MIN, DENOM)])
            .unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::MultipleDenoms {})
    );
    assert_eq!(suite.totals(), (0, 0, 0));
}

/// A zero-amount coin cannot even be sent through the multi-test bank, so call the entry point directly.
#[test]
fn stake_with_zero_coin_is_rejected() {
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    let mut deps = mock_dependencies();
    let api = deps.api;
    let creator = api.addr_make("creator");
    let msg = InstantiateMsg {
        admin: None,
        denom: DENOM.into(),
        registry: api.addr_make("registry").to_string(),
        rewards_pool: api.addr_make("pool").to_string(),
        min_stake_per_device: Uint128::new(MIN),
        unbonding_period: UNBONDING,
        slash_fraction: Decimal::percent(10),
        bounty_fraction: Decimal::percent(25),
        slashers: vec![],
        lockers: vec![],
        tiers: None,
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();
    let err = execute(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &coins(0, DENOM)),
        ExecuteMsg::Stake { device_id: 1 },
    )
    .unwrap_err();
    assert_eq!(err, ContractError::Payment(cw_utils::PaymentError::NoFunds {}));
    let err = execute(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &coins(0, DENOM)),
        ExecuteMsg::Lock {
            tier_id: 1,
            beneficiary: None,
        },
    )
    .unwrap_err();
    assert_eq!(err, ContractError::Payment(cw_utils::PaymentError::NoFunds {}));
}

#[test]
fn non_payable_messages_refuse_funds() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    let nonpayable = ContractError::Payment(cw_utils::PaymentError::NonPayable {});
    let funds = coins(1, DENOM);
    let msg = ExecuteMsg::Unstake {
        device_id: 1,
        amount: Uint128::new(1),
    };
    assert_eq!(suite.exec(&alice, &msg, &funds).unwrap_err(), nonpayable);
    assert_eq!(
        suite.exec(&alice, &ExecuteMsg::Claim {}, &funds).unwrap_err(),
        nonpayable
    );
    assert_eq!(
        suite
            .exec(&alice, &ExecuteMsg::Unlock { lock_id: 1 }, &funds)
            .unwrap_err(),
        nonpayable
    );
    let admin = suite.admin.clone();
    suite.fund(&admin, 10);
    let slash = ExecuteMsg::Slash {
        device_id: 1,
        reporter: alice.to_string(),
        reason: "x".into(),
        ban: false,
        offence_time: suite.now(),
    };
    assert_eq!(suite.exec(&admin, &slash, &funds).unwrap_err(), nonpayable);
    let refresh = ExecuteMsg::RefreshPower {
        address: alice.to_string(),
    };
    assert_eq!(suite.exec(&alice, &refresh, &funds).unwrap_err(), nonpayable);
    let registry = suite.registry.clone();
    suite.fund(&registry, 10);
    let owner_changed = ExecuteMsg::OwnerChanged {
        device_id: 1,
        previous_owner: alice.to_string(),
        new_owner: admin.to_string(),
    };
    assert_eq!(suite.exec(&registry, &owner_changed, &funds).unwrap_err(), nonpayable);
    suite.assert_invariant();
}

/// A device has at most one position, its current owner's, so there is no positions-per-device cap left to fill:
/// every new owner can stake, however often the device changed hands.
#[test]
fn one_position_per_device_and_every_new_owner_can_stake() {
    let mut suite = setup();
    let owners: Vec<Addr> = ["alice", "bob", "carol", "dave", "erin", "frank"]
        .iter()
        .map(|n| suite.user(n))
        .collect();
    suite.active_device(1, &owners[0]);
    for o in &owners {
        suite.transfer(1, o);
        suite.stake(o, 1, MIN).unwrap();
        assert_eq!(suite.device_positions(1), vec![(o.clone(), MIN)]);
        assert!(suite.mining(1).eligible);
    }
    // every previous owner's stake is unbonding (not staked, no voting power), the current owner's is staked
    for o in &owners[..5] {
        assert_eq!(suite.staker(o).staked, Uint128::zero());
        assert_eq!(suite.unbonding(o).total, Uint128::new(MIN));
    }
    assert_eq!(suite.totals(), (MIN, 5 * MIN, 0));
    suite.assert_invariant();
}

// ---------------------------------------------------------------------------------------------------------------
// NFT transfer

/// An NFT transfer (reported by the registry) moves the seller's position into an unbonding entry that starts
/// now: the seller loses its voting power and gets the stake back one unbonding period later; the buyer stakes its
/// own to mine.
#[test]
fn nft_transfer_starts_unbonding_the_sellers_stake() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    assert!(suite.mining(1).eligible);
    suite.next_block();
    let before = suite.height();

    // the NFT changes hands: staking is told and alice's position starts unbonding
    let sold_at = suite.now();
    let resp = suite.try_transfer(1, &bob).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("owner_changed"));
    assert_eq!(wasm_attr(&resp, "previous_owner"), Some(alice.to_string()));
    assert_eq!(wasm_attr(&resp, "new_owner"), Some(bob.to_string()));
    assert_eq!(wasm_attr(&resp, "moved_amount"), Some(MIN.to_string()));
    assert_eq!(wasm_attr(&resp, "unbonding_id").as_deref(), Some("1"));
    let m = suite.mining(1);
    assert!(!m.eligible);
    assert_eq!(m.owner, Some(bob.clone()));
    assert_eq!(m.owner_stake, Uint128::zero());
    assert_eq!(suite.position(1, &alice), 0);
    assert!(suite.device_positions(1).is_empty());
    let u = suite.unbonding(&alice);
    assert_eq!(u.entries.len(), 1);
    assert_eq!(u.entries[0].amount, Uint128::new(MIN));
    assert_eq!(u.entries[0].release_at, sold_at.plus_seconds(UNBONDING));
    assert_eq!(u.entries[0].owned_until, Some(sold_at));
    assert_eq!(suite.totals(), (0, MIN, 0));
    // her voting power leaves with the stake (from the next block on)
    suite.next_block();
    assert_eq!(suite.power_at(&alice, Some(before)), MIN);
    assert_eq!(suite.power_at(&alice, None), 0);
    // she cannot stake for it any more, and has nothing left to unstake
    assert_eq!(
        suite.stake(&alice, 1, MIN).unwrap_err(),
        ContractError::NotDeviceOwner { device_id: 1 }
    );
    assert_eq!(
        suite.unstake(&alice, 1, 1).unwrap_err(),
        ContractError::NoPosition { device_id: 1 }
    );

    // the new owner stakes their own: eligible again, one position
    suite.stake(&bob, 1, MIN).unwrap();
    let m = suite.mining(1);
    assert!(m.eligible);
    assert_eq!(m.owner_stake, Uint128::new(MIN));
    assert_eq!(suite.device_positions(1), vec![(bob.clone(), MIN)]);

    // alice claims after the unbonding period
    suite.advance(UNBONDING);
    let bal = suite.balance(&alice);
    suite.claim(&alice).unwrap();
    assert_eq!(suite.balance(&alice), bal + MIN);
    suite.assert_invariant();
}

/// Only the configured registry may report owner changes; a "change" to the same owner does nothing.
#[test]
fn owner_changed_is_accepted_from_the_registry_only() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let mallory = suite.user("mallory");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    let msg = ExecuteMsg::OwnerChanged {
        device_id: 1,
        previous_owner: alice.to_string(),
        new_owner: mallory.to_string(),
    };
    for who in [
        mallory.clone(),
        alice.clone(),
        suite.admin.clone(),
        suite.slasher.clone(),
    ] {
        assert!(matches!(
            suite.exec(&who, &msg, &[]).unwrap_err(),
            ContractError::Unauthorized { .. }
        ));
    }
    assert_eq!(suite.position(1, &alice), MIN);
    // the registry reporting a transfer to the same owner: nothing moves
    let registry = suite.registry.clone();
    let same = ExecuteMsg::OwnerChanged {
        device_id: 1,
        previous_owner: alice.to_string(),
        new_owner: alice.to_string(),
    };
    let resp = suite.exec(&registry, &same, &[]).unwrap();
    assert_eq!(wasm_attr(&resp, "moved_amount").as_deref(), Some("0"));
    assert_eq!(suite.position(1, &alice), MIN);
    // bad addresses are refused
    let bad = ExecuteMsg::OwnerChanged {
        device_id: 1,
        previous_owner: "nope".into(),
        new_owner: alice.to_string(),
    };
    assert!(matches!(
        suite.exec(&registry, &bad, &[]).unwrap_err(),
        ContractError::Std(_)
    ));
    suite.assert_invariant();
}

/// A transfer the registry did not report (its staking hook unset) is recorded when the new owner stakes: the old
/// position starts unbonding then (held until then), never blocking the new owner, and the device keeps one
/// position.
#[test]
fn unreported_transfer_is_recorded_when_the_new_owner_stakes() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    suite.transfer_unreported(1, &bob);
    assert_eq!(suite.position(1, &alice), MIN, "staking was not told");
    suite.next_block();
    let recorded_at = suite.now();
    let resp = suite.stake(&bob, 1, MIN).unwrap();
    let ev: Vec<_> = events_of(&resp, "wasm-owner_change_recorded").collect();
    assert_eq!(ev.len(), 1);
    assert!(ev[0]
        .attributes
        .iter()
        .any(|a| a.key == "moved_amount" && a.value == MIN.to_string()));
    assert_eq!(suite.device_positions(1), vec![(bob.clone(), MIN)]);
    let u = suite.unbonding(&alice);
    assert_eq!(u.entries[0].owned_until, Some(recorded_at));
    suite.assert_invariant();
}

// ---------------------------------------------------------------------------------------------------------------
// unstake / claim

#[test]
fn unstake_validation() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();

    assert_eq!(
        suite.unstake(&alice, 1, MIN + 1).unwrap_err(),
        ContractError::InsufficientStake {
            device_id: 1,
            staked: Uint128::new(MIN),
            requested: Uint128::new(MIN + 1)
        }
    );
    assert_eq!(suite.unstake(&alice, 1, 0).unwrap_err(), ContractError::ZeroAmount {});
    assert_eq!(
        suite.unstake(&bob, 1, 1).unwrap_err(),
        ContractError::NoPosition { device_id: 1 }
    );
    assert_eq!(
        suite.unstake(&alice, 2, 1).unwrap_err(),
        ContractError::NoPosition { device_id: 2 }
    );
    assert_eq!(suite.position(1, &alice), MIN);
    assert!(suite.unbonding(&alice).entries.is_empty());
}

#[test]
fn unstake_then_claim_after_unbonding_period() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 3 * MIN).unwrap();

    let start = suite.now();
    let resp = suite.unstake(&alice, 1, MIN).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("unstake"));
    assert_eq!(wasm_attr(&resp, "unbonding_id").as_deref(), Some("1"));
    assert_eq!(
        wasm_attr(&resp, "release_at"),
        Some((start.seconds() + UNBONDING).to_string())
    );
    assert_eq!(suite.position(1, &alice), 2 * MIN);
    assert_eq!(
        suite.staker(&alice).voting_power,
        Uint128::new(2 * MIN),
        "unbonding has no power"
    );
    assert_eq!(suite.totals(), (2 * MIN, MIN, 0));

    let u = suite.unbonding(&alice);
    assert_eq!(u.entries.len(), 1);
    assert_eq!(u.entries[0].device_id, 1);
    assert_eq!(u.entries[0].amount, Uint128::new(MIN));
    assert_eq!(u.entries[0].release_at, start.plus_seconds(UNBONDING));
    assert!(!u.entries[0].claimable);
    assert_eq!(u.claimable, Uint128::zero());

    // claim before maturity: nothing paid, typed error
    let bal = suite.balance(&alice);
    assert_eq!(suite.claim(&alice).unwrap_err(), ContractError::NothingToClaim {});
    suite.advance(UNBONDING - 1);
    assert_eq!(suite.claim(&alice).unwrap_err(), ContractError::NothingToClaim {});
    assert_eq!(suite.balance(&alice), bal);

    // a second entry, released later
    suite.unstake(&alice, 1, MIN / 2).unwrap();
    suite.advance(1);
    let u = suite.unbonding(&alice);
    assert!(u.entries[0].claimable);
    assert!(!u.entries[1].claimable);
    assert_eq!(u.total, Uint128::new(MIN + MIN / 2));
    assert_eq!(u.claimable, Uint128::new(MIN));

    let resp = suite.claim(&alice).unwrap();
    assert_eq!(wasm_attr(&resp, "amount"), Some(MIN.to_string()));
    assert_eq!(wasm_attr(&resp, "unbonding_ids").as_deref(), Some("1"));
    assert_eq!(suite.balance(&alice), bal + MIN);
    // double claim: nothing more
    assert_eq!(suite.claim(&alice).unwrap_err(), ContractError::NothingToClaim {});
    assert_eq!(suite.balance(&alice), bal + MIN);
    assert_eq!(suite.unbonding(&alice).entries.len(), 1);

    suite.advance(UNBONDING);
    suite.claim(&alice).unwrap();
    assert_eq!(suite.balance(&alice), bal + MIN + MIN / 2);
    assert!(suite.unbonding(&alice).entries.is_empty());
    assert_eq!(suite.claim(&alice).unwrap_err(), ContractError::NothingToClaim {});
    suite.assert_invariant();
}

#[test]
fn unbonding_entries_are_capped_per_address() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 2 * MIN).unwrap();
    for _ in 0..MAX_UNBONDING_ENTRIES {
        suite.unstake(&alice, 1, 1).unwrap();
    }
    assert_eq!(
        suite.unstake(&alice, 1, 1).unwrap_err(),
        ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES
        }
    );
    suite.advance(UNBONDING);
    suite.claim(&alice).unwrap();
    suite.unstake(&alice, 1, 1).unwrap();
    suite.assert_invariant();
}

/// The per-device bound on entries still unbonding is checked when the device changes hands: four successive
/// owners leave 7 entries each (6 voluntary + their moved position) = 28; the next transfer that would add one is
/// refused, the NFT stays, and it goes through once entries have matured. The current owner's own Stake and
/// Unstake are never blocked by them.
#[test]
fn unbonding_entries_are_bounded_per_device_at_transfer() {
    let mut suite = setup();
    let names = ["alice", "bob", "carol", "dave"];
    let first = suite.user("alice");
    suite.active_device(1, &first);
    for n in names {
        let who = suite.user(n);
        suite.transfer(1, &who);
        suite.stake(&who, 1, MIN + 6).unwrap();
        for _ in 0..6 {
            suite.unstake(&who, 1, 1).unwrap();
        }
    }
    // dave still holds the device (6 voluntary entries + his position); moving his position to erin makes 28
    let erin = suite.user("erin");
    suite.transfer(1, &erin);
    assert!(suite.device_positions(1).is_empty());
    // erin stakes and unstakes freely (her own per-address cap only)
    suite.stake(&erin, 1, MIN + 1).unwrap();
    suite.unstake(&erin, 1, 1).unwrap();
    // but she cannot pass the device on while 28 entries + her position would remain
    let frank = suite.user("frank");
    assert_eq!(
        suite.try_transfer(1, &frank).unwrap_err(),
        ContractError::DeviceUnbondingCapReached {
            device_id: 1,
            max: MAX_UNBONDING_PER_DEVICE
        }
    );
    assert_eq!(
        suite.device(1).owner,
        Some(erin.clone()),
        "the transfer failed as a whole"
    );
    assert_eq!(suite.position(1, &erin), MIN);
    // once they matured they no longer count, claimed or not
    suite.advance(UNBONDING);
    suite.transfer(1, &frank);
    assert_eq!(suite.position(1, &erin), 0);
    // and a slash only sees the live entries: erin's moved position (her voluntary 1 uemc matured too)
    let slasher = suite.slasher.clone();
    let reporter = suite.user("rep");
    let offence = suite.now().minus_seconds(1); // erin's offence, just before the sale
    let resp = suite.slash_at(&slasher, 1, &reporter, false, offence).unwrap();
    assert_eq!(events_of(&resp, "wasm-slash_unbonding").count(), 1);
    suite.assert_invariant();
}

// ---------------------------------------------------------------------------------------------------------------
// slashing

#[test]
fn slash_requires_slasher_or_admin() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    let err = suite.slash(&bob, 1, &bob, false).unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    let err = suite.slash(&alice, 1, &alice, true).unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    assert_eq!(suite.position(1, &alice), MIN);
    assert_eq!(suite.device(1).status, DeviceStatus::Active);

    let slasher = suite.slasher.clone();
    suite.slash(&slasher, 1, &bob, false).unwrap();
    let admin = suite.admin.clone();
    suite.slash(&admin, 1, &bob, false).unwrap();
    assert_eq!(suite.position(1, &alice), MIN - MIN / 10 - (MIN - MIN / 10) / 10);

    // bad input from an authorized caller
    let msg = ExecuteMsg::Slash {
        device_id: 1,
        reporter: bob.to_string(),
        reason: String::new(),
        ban: false,
        offence_time: suite.now(),
    };
    assert_eq!(
        suite.exec(&slasher, &msg, &[]).unwrap_err(),
        ContractError::InvalidReason { max: 256 }
    );
    let msg = ExecuteMsg::Slash {
        device_id: 1,
        reporter: "not-an-address".into(),
        reason: "r".into(),
        ban: false,
        offence_time: suite.now(),
    };
    assert!(matches!(
        suite.exec(&slasher, &msg, &[]).unwrap_err(),
        ContractError::Std(_)
    ));
    // the staking contract itself as reporter would strand the bounty
    let staking = suite.staking.clone();
    assert_eq!(
        suite.slash(&slasher, 1, &staking, false).unwrap_err(),
        ContractError::SelfAddress {
            field: "reporter".into()
        }
    );
    suite.assert_invariant();
}

#[test]
fn unbond_then_slash_reduces_the_entry() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.active_device(2, &bob);
    suite.stake(&alice, 1, 1_000 * EMC).unwrap();
    suite.stake(&bob, 2, 1_000 * EMC).unwrap();
    // an old entry that matures before the slash, and a fresh one
    suite.unstake(&alice, 1, 100 * EMC).unwrap();
    suite.advance(UNBONDING);
    suite.unstake(&alice, 1, 400 * EMC).unwrap();
    suite.unstake(&bob, 2, 100 * EMC).unwrap();

    let slasher = suite.slasher.clone();
    let pool = suite.pool.clone();
    let pool_before = suite.balance(&pool);
    let rep_before = suite.balance(&reporter);
    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    // 10% of 500 staked + 10% of 400 unbonding = 90 EMC
    assert_eq!(wasm_attr(&resp, "slashed_stake"), Some((50 * EMC).to_string()));
    assert_eq!(wasm_attr(&resp, "slashed_unbonding"), Some((40 * EMC).to_string()));
    assert_eq!(wasm_attr(&resp, "amount"), Some((90 * EMC).to_string()));
    assert_eq!(suite.position(1, &alice), 450 * EMC);
    let u = suite.unbonding(&alice);
    assert_eq!(u.entries.len(), 2);
    assert_eq!(
        u.entries[0].amount,
        Uint128::new(100 * EMC),
        "matured entry is not at risk"
    );
    assert_eq!(u.entries[1].amount, Uint128::new(360 * EMC));
    // other devices untouched
    assert_eq!(suite.position(2, &bob), 900 * EMC);
    assert_eq!(suite.unbonding(&bob).entries[0].amount, Uint128::new(100 * EMC));
    assert_eq!(suite.balance(&reporter) - rep_before, 22_500_000);
    assert_eq!(suite.balance(&pool) - pool_before, 67_500_000);

    // the slashed entry pays the reduced amount
    suite.advance(UNBONDING);
    let bal = suite.balance(&alice);
    suite.claim(&alice).unwrap();
    assert_eq!(suite.balance(&alice), bal + 460 * EMC);
    suite.assert_invariant();
}

/// Cuts round up per position/entry, the bounty rounds down, the pool gets the exact rest; and each offence only
/// reaches the stake of whoever held the device at that time.
#[test]
fn slash_bounty_and_pool_split_is_exact() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 1_111_111_110).unwrap();
    suite.unstake(&alice, 1, 987_654_321).unwrap(); // position 123_456_789
    suite.next_block();
    let sold_at = suite.now();
    suite.transfer(1, &bob); // alice's position becomes an entry too
    suite.stake(&bob, 1, 100_000_007).unwrap();
    suite.next_block();

    let slasher = suite.slasher.clone();
    let pool = suite.pool.clone();
    let staking = suite.staking.clone();

    // alice's offence (before the sale): her two entries, not bob's position
    let (p0, r0, c0) = (suite.balance(&pool), suite.balance(&reporter), suite.balance(&staking));
    let resp = suite
        .slash_at(&slasher, 1, &reporter, false, sold_at.minus_seconds(1))
        .unwrap();
    // ceil(10%): 98_765_432.1 → 98_765_433 and 12_345_678.9 → 12_345_679
    let slashed = 98_765_433 + 12_345_679;
    let bounty = slashed / 4; // floor(25%) of 111_111_112 = 27_777_778
    assert_eq!(bounty, 27_777_778);
    assert_eq!(wasm_attr(&resp, "amount"), Some(slashed.to_string()));
    assert_eq!(wasm_attr(&resp, "slashed_stake").as_deref(), Some("0"));
    assert_eq!(wasm_attr(&resp, "spared_position").as_deref(), Some("true"));
    assert_eq!(wasm_attr(&resp, "bounty"), Some(bounty.to_string()));
    assert_eq!(wasm_attr(&resp, "to_pool"), Some((slashed - bounty).to_string()));
    assert_eq!(suite.balance(&reporter) - r0, bounty);
    assert_eq!(suite.balance(&pool) - p0, slashed - bounty);
    assert_eq!(
        c0 - suite.balance(&staking),
        slashed,
        "exactly the slashed amount left the contract"
    );
    assert_eq!(suite.position(1, &bob), 100_000_007, "bob did not own the device then");
    let amounts: Vec<u128> = suite
        .unbonding(&alice)
        .entries
        .iter()
        .map(|e| e.amount.u128())
        .collect();
    assert_eq!(amounts, vec![987_654_321 - 98_765_433, 123_456_789 - 12_345_679]);
    assert_eq!(events_of(&resp, "wasm-slash_unbonding").count(), 2);
    assert_eq!(events_of(&resp, "wasm-slash_position").count(), 0);

    // bob's offence (now): his position, not alice's entries
    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    // ceil(10% of 100_000_007) = ceil(10_000_000.7) = 10_000_001
    assert_eq!(wasm_attr(&resp, "amount").as_deref(), Some("10000001"));
    assert_eq!(wasm_attr(&resp, "spared_entries").as_deref(), Some("2"));
    assert_eq!(suite.position(1, &bob), 100_000_007 - 10_000_001);
    assert_eq!(
        wasm_attr(&resp, "reason").as_deref(),
        Some("equivocation: two reports with sequence 42")
    );
    suite.assert_invariant();
}

#[test]
fn slash_marks_device_suspended_or_banned() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.active_device(2, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    let slasher = suite.slasher.clone();

    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    assert_eq!(wasm_attr(&resp, "new_status").as_deref(), Some("suspended"));
    assert_eq!(suite.device(1).status, DeviceStatus::Suspended);
    assert_eq!(
        suite.registry_reason(1).as_deref(),
        Some("equivocation: two reports with sequence 42")
    );
    let m = suite.mining(1);
    assert!(!m.eligible);
    assert_eq!(m.device_status, DeviceStatus::Suspended);
    assert_eq!(
        suite.stake(&alice, 1, MIN).unwrap_err(),
        ContractError::DeviceNotActive {
            device_id: 1,
            status: DeviceStatus::Suspended
        }
    );
    // suspended again: no status message, still slashes
    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    assert_eq!(wasm_attr(&resp, "new_status").as_deref(), Some("suspended"));
    // escalate to a ban
    let resp = suite.slash(&slasher, 1, &reporter, true).unwrap();
    assert_eq!(wasm_attr(&resp, "status").as_deref(), Some("suspended"));
    assert_eq!(wasm_attr(&resp, "new_status").as_deref(), Some("banned"));
    assert_eq!(suite.device(1).status, DeviceStatus::Banned);
    // a banned device stays banned (the registry would refuse a change; we do not send one)
    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    assert_eq!(wasm_attr(&resp, "new_status").as_deref(), Some("banned"));
    assert_eq!(suite.device(1).status, DeviceStatus::Banned);
    // a device without any stake is still marked; nothing is paid
    let r0 = suite.balance(&reporter);
    let resp = suite.slash(&slasher, 2, &reporter, true).unwrap();
    assert_eq!(wasm_attr(&resp, "amount").as_deref(), Some("0"));
    assert_eq!(suite.balance(&reporter), r0);
    assert_eq!(suite.device(2).status, DeviceStatus::Banned);
    // a never-activated device: suspending is not a registry transition, so only a ban changes it
    suite.put_device(3, None, DeviceStatus::Registered);
    let resp = suite.slash(&slasher, 3, &reporter, false).unwrap();
    assert_eq!(wasm_attr(&resp, "new_status").as_deref(), Some("registered"));
    assert_eq!(suite.device(3).status, DeviceStatus::Registered);
    suite.slash(&slasher, 3, &reporter, true).unwrap();
    assert_eq!(suite.device(3).status, DeviceStatus::Banned);
    // stakers of a banned device can still leave with what is left
    let left = suite.position(1, &alice);
    suite.unstake(&alice, 1, left).unwrap();
    assert!(suite.device_positions(1).is_empty());
    suite.assert_invariant();
}

#[test]
fn full_slash_removes_positions_and_entries() {
    let mut suite = setup_with(|m| {
        m.slash_fraction = Decimal::one();
        m.bounty_fraction = Decimal::one();
    });
    let alice = suite.user("alice");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 2 * MIN).unwrap();
    suite.unstake(&alice, 1, MIN).unwrap();
    let slasher = suite.slasher.clone();
    let r0 = suite.balance(&reporter);
    suite.slash(&slasher, 1, &reporter, true).unwrap();
    assert_eq!(suite.balance(&reporter) - r0, 2 * MIN);
    assert!(suite.device_positions(1).is_empty());
    assert!(suite.unbonding(&alice).entries.is_empty());
    let s = suite.staker(&alice);
    assert_eq!(s.staked, Uint128::zero());
    assert_eq!(s.unbonding, Uint128::zero());
    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 0);
    assert_eq!(suite.total_power_at(None), 0);
    assert_eq!(suite.totals(), (0, 0, 0));
    suite.assert_invariant();
}

#[test]
fn slash_updates_voting_power_snapshots() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 1_000 * EMC).unwrap();
    suite.lock(&alice, 4, None, 100 * EMC).unwrap();
    suite.next_block();
    let before = suite.height();
    assert_eq!(suite.power_at(&alice, Some(before)), 1_300 * EMC);
    let slasher = suite.slasher.clone();
    suite.slash(&slasher, 1, &reporter, false).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&alice, Some(before)), 1_300 * EMC, "history unchanged");
    assert_eq!(suite.power_at(&alice, None), 1_200 * EMC, "locks are not slashed");
    assert_eq!(suite.total_power_at(None), 1_200 * EMC);
    // (900 + 300) / (900 + 100) = 1.2
    assert_eq!(suite.multiplier_at(&alice, None), Decimal::percent(120));
}

// ---------------------------------------------------------------------------------------------------------------
// locks

#[test]
fn lock_weights_power_and_cannot_unlock_early() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let bal = suite.balance(&alice);
    let resp = suite.lock(&alice, 1, None, 1_000 * EMC).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("lock"));
    assert_eq!(wasm_attr(&resp, "lock_id").as_deref(), Some("1"));
    assert_eq!(wasm_attr(&resp, "weight"), Some((1_250 * EMC).to_string()));
    assert_eq!(suite.balance(&alice), bal - 1_000 * EMC);
    let locked_at = suite.now();

    let l = suite.locks(&alice);
    assert_eq!(l.locks.len(), 1);
    assert_eq!(l.locks[0].tier_id, 1);
    assert_eq!(l.locks[0].multiplier, Decimal::percent(125));
    assert_eq!(l.locks[0].weight, Uint128::new(1_250 * EMC));
    assert_eq!(l.locks[0].expires_at, locked_at.plus_seconds(90 * DAY));
    assert!(!l.locks[0].expired);
    assert_eq!(l.total_amount, Uint128::new(1_000 * EMC));
    assert_eq!(l.total_weight, Uint128::new(1_250 * EMC));

    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 1_250 * EMC);
    assert_eq!(suite.multiplier_at(&alice, None), Decimal::percent(125));

    // early unlock is impossible, even one second before expiry
    let expires_at = locked_at.plus_seconds(90 * DAY);
    assert_eq!(
        suite.unlock(&alice, 1).unwrap_err(),
        ContractError::LockNotExpired { lock_id: 1, expires_at }
    );
    let now = suite.now();
    suite.advance(expires_at.seconds() - now.seconds() - 1);
    assert_eq!(
        suite.unlock(&alice, 1).unwrap_err(),
        ContractError::LockNotExpired { lock_id: 1, expires_at }
    );
    // only the owner may unlock; unknown ids are typed
    suite.advance(1);
    assert!(matches!(
        suite.unlock(&bob, 1).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    assert_eq!(
        suite.unlock(&alice, 9).unwrap_err(),
        ContractError::LockNotFound { lock_id: 9 }
    );

    // expired but not withdrawn: the boost counts until the power is recomputed, then the lock weighs 1x
    assert!(suite.locks(&alice).locks[0].expired);
    suite.advance(30 * DAY);
    assert_eq!(suite.power_at(&alice, None), 1_250 * EMC);
    assert_eq!(suite.staker(&alice).stale_boost, Uint128::new(250 * EMC));
    let resp = suite.refresh_power(&bob, &alice).unwrap();
    assert_eq!(wasm_attr(&resp, "voting_power"), Some((1_000 * EMC).to_string()));
    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 1_000 * EMC);
    assert_eq!(suite.multiplier_at(&alice, None), Decimal::one());
    assert_eq!(suite.staker(&alice).stale_boost, Uint128::zero());

    let resp = suite.unlock(&alice, 1).unwrap();
    assert_eq!(wasm_attr(&resp, "amount"), Some((1_000 * EMC).to_string()));
    assert_eq!(suite.balance(&alice), bal);
    assert!(suite.locks(&alice).locks.is_empty());
    assert_eq!(
        suite.unlock(&alice, 1).unwrap_err(),
        ContractError::LockNotFound { lock_id: 1 }
    );
    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 0);
    assert_eq!(suite.multiplier_at(&alice, None), Decimal::one());
    suite.assert_invariant();
}

#[test]
fn lock_for_beneficiary_only_by_lockers() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let rewards = suite.locker.clone();

    let err = suite.lock(&bob, 2, Some(&alice), 10 * EMC).unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    // naming oneself is fine for anyone
    suite.lock(&bob, 2, Some(&bob), 10 * EMC).unwrap();

    let r0 = suite.balance(&rewards);
    let resp = suite.lock(&rewards, 2, Some(&alice), 10 * EMC).unwrap();
    assert_eq!(wasm_attr(&resp, "owner"), Some(alice.to_string()));
    assert_eq!(wasm_attr(&resp, "sender"), Some(rewards.to_string()));
    assert_eq!(suite.balance(&rewards), r0 - 10 * EMC);
    assert_eq!(suite.locks(&alice).locks.len(), 1);
    assert!(suite.locks(&rewards).locks.is_empty());
    assert_eq!(suite.staker(&alice).voting_power, Uint128::new(15 * EMC));

    suite.advance(180 * DAY);
    let lock_id = suite.locks(&alice).locks[0].lock_id;
    assert!(matches!(
        suite.unlock(&rewards, lock_id).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let a0 = suite.balance(&alice);
    suite.unlock(&alice, lock_id).unwrap();
    assert_eq!(suite.balance(&alice), a0 + 10 * EMC);
    suite.assert_invariant();
}

#[test]
fn lock_validation_and_cap() {
    let mut suite = setup();
    let alice = suite.user("alice");
    assert_eq!(
        suite.lock(&alice, 42, None, EMC).unwrap_err(),
        ContractError::UnknownTier { tier_id: 42 }
    );
    suite.fund_denom(&alice, 10, "uatom");
    let msg = ExecuteMsg::Lock {
        tier_id: 1,
        beneficiary: None,
    };
    assert_eq!(
        suite.exec(&alice, &msg, &coins(10, "uatom")).unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::MissingDenom(DENOM.into()))
    );
    assert_eq!(
        suite.exec(&alice, &msg, &[]).unwrap_err(),
        ContractError::Payment(cw_utils::PaymentError::NoFunds {})
    );
    for _ in 0..MAX_LOCKS_PER_ADDRESS {
        suite.lock(&alice, 1, None, 3).unwrap();
    }
    assert_eq!(
        suite.lock(&alice, 1, None, 3).unwrap_err(),
        ContractError::TooManyLocks {
            max: MAX_LOCKS_PER_ADDRESS
        }
    );
    // a locker cannot push someone past the cap either
    let rewards = suite.locker.clone();
    assert_eq!(
        suite.lock(&rewards, 1, Some(&alice), 3).unwrap_err(),
        ContractError::TooManyLocks {
            max: MAX_LOCKS_PER_ADDRESS
        }
    );
    // 3 × 1.25 = 3.75 rounds down to 3 per lock
    let l = suite.locks(&alice);
    assert_eq!(l.locks.len(), 20);
    assert_eq!(l.total_weight, Uint128::new(60));
    suite.assert_invariant();
}

#[test]
fn tier_changes_do_not_touch_existing_locks() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let admin = suite.admin.clone();
    suite.lock(&alice, 1, None, 100 * EMC).unwrap();

    suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig {
                upsert_tiers,
                remove_tiers,
                ..
            } = m
            {
                *remove_tiers = Some(vec![2]);
                *upsert_tiers = Some(vec![
                    LockTier {
                        id: 1,
                        duration: 30 * DAY,
                        multiplier: Decimal::percent(110),
                    },
                    LockTier {
                        id: 5,
                        duration: 1_460 * DAY,
                        multiplier: Decimal::percent(500),
                    },
                ]);
            }
        })
        .unwrap();
    let ids: Vec<u64> = suite.config().tiers.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![1, 3, 4, 5]);
    assert_eq!(
        suite.lock(&alice, 2, None, EMC).unwrap_err(),
        ContractError::UnknownTier { tier_id: 2 }
    );
    suite.lock(&alice, 1, None, 100 * EMC).unwrap();
    let l = suite.locks(&alice);
    assert_eq!(
        l.locks[0].multiplier,
        Decimal::percent(125),
        "existing lock keeps its multiplier"
    );
    assert_eq!(
        l.locks[0].expires_at.seconds() - l.locks[0].locked_at.seconds(),
        90 * DAY
    );
    assert_eq!(l.locks[1].multiplier, Decimal::percent(110));
    assert_eq!(l.total_weight, Uint128::new(235 * EMC));

    let err = suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { upsert_tiers, .. } = m {
                *upsert_tiers = Some(vec![LockTier {
                    id: 6,
                    duration: DAY,
                    multiplier: Decimal::percent(1001),
                }]);
            }
        })
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidTier { tier_id: 6, .. }));
}

#[test]
fn reward_multiplier_blends_stake_and_locks_by_height() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    let h0 = suite.height();
    suite.stake(&alice, 1, 100 * EMC).unwrap();
    suite.next_block();
    let h1 = suite.height();
    suite.lock(&alice, 4, None, 100 * EMC).unwrap(); // 3.0
    suite.next_block();
    let h2 = suite.height();
    suite.lock(&alice, 1, None, 200 * EMC).unwrap(); // 1.25
    suite.next_block();
    let h3 = suite.height();

    assert_eq!(suite.multiplier_at(&alice, Some(h0)), Decimal::one());
    assert_eq!(suite.multiplier_at(&alice, Some(h1)), Decimal::one(), "stake only");
    // (100 + 300) / 200
    assert_eq!(suite.multiplier_at(&alice, Some(h2)), Decimal::percent(200));
    // (100 + 300 + 250) / 400 = 1.625
    assert_eq!(suite.multiplier_at(&alice, Some(h3)), Decimal::permille(1625));
    assert_eq!(suite.power_at(&alice, Some(h3)), 650 * EMC);
    assert_eq!(suite.staker(&alice).reward_multiplier, Decimal::permille(1625));
    let nobody = suite.user("nobody");
    assert_eq!(suite.multiplier_at(&nobody, None), Decimal::one());
}

// ---------------------------------------------------------------------------------------------------------------
// voting power snapshots

#[test]
fn flash_stake_at_snapshot_height_does_not_count() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.active_device(2, &bob);
    let h0 = suite.height();
    suite.stake(&alice, 1, MIN).unwrap();
    assert_eq!(
        suite.power_at(&alice, Some(h0)),
        0,
        "not visible in the block it happened"
    );
    assert_eq!(suite.power_at(&alice, None), 0, "None = current height, same rule");
    suite.next_block();

    // a proposal starts at S: bob stakes in block S, too late for it
    let s = suite.height();
    suite.stake(&bob, 2, 5 * MIN).unwrap();
    let resp: VotingPowerAtHeightResponse = suite.q(&QueryMsg::VotingPowerAtHeight {
        address: bob.to_string(),
        height: None,
    });
    assert_eq!(
        resp,
        VotingPowerAtHeightResponse {
            power: Uint128::zero(),
            height: s
        }
    );
    suite.next_block();
    suite.next_block();
    assert_eq!(suite.power_at(&bob, Some(s)), 0);
    assert_eq!(suite.total_power_at(Some(s)), MIN);
    assert_eq!(suite.power_at(&alice, Some(s)), MIN);
    assert_eq!(suite.power_at(&bob, Some(s + 1)), 5 * MIN);
    assert_eq!(suite.total_power_at(Some(s + 1)), 6 * MIN);

    // locking in block S does not count at S either
    suite.lock(&bob, 4, None, MIN).unwrap();
    let l = suite.height();
    assert_eq!(suite.power_at(&bob, Some(l)), 5 * MIN);
    suite.next_block();
    assert_eq!(suite.power_at(&bob, Some(l)), 5 * MIN);
    assert_eq!(suite.power_at(&bob, Some(l + 1)), 8 * MIN);
}

#[test]
fn unstake_after_snapshot_keeps_power_at_snapshot() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, 4 * MIN).unwrap();
    suite.next_block();
    let s = suite.height();
    // unstaking right after the snapshot (same block) ...
    suite.unstake(&alice, 1, 3 * MIN).unwrap();
    suite.next_block();
    // ... and again in the next block
    suite.unstake(&alice, 1, MIN).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&alice, Some(s)), 4 * MIN);
    assert_eq!(suite.total_power_at(Some(s)), 4 * MIN);
    assert_eq!(suite.power_at(&alice, Some(s + 1)), MIN);
    assert_eq!(suite.power_at(&alice, Some(s + 2)), 0);
    assert_eq!(suite.total_power_at(Some(s + 2)), 0);
}

#[test]
fn stake_and_unstake_in_one_block_leave_history_intact() {
    let mut suite = setup();
    let alice = suite.user("alice");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    suite.next_block();
    let h = suite.height();
    suite.stake(&alice, 1, 10 * MIN).unwrap();
    suite.unstake(&alice, 1, 10 * MIN).unwrap();
    suite.stake(&alice, 1, 2 * MIN).unwrap();
    suite.next_block();
    assert_eq!(
        suite.power_at(&alice, Some(h)),
        MIN,
        "the first change in a block records the old value"
    );
    assert_eq!(suite.power_at(&alice, Some(h + 1)), 3 * MIN);
    assert_eq!(suite.total_power_at(Some(h)), MIN);
    assert_eq!(suite.total_power_at(Some(h + 1)), 3 * MIN);
}

#[test]
fn future_heights_are_rejected() {
    let suite = setup();
    let alice = suite.user("alice");
    let h = suite.height();
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<VotingPowerAtHeightResponse>(
            &suite.staking,
            &QueryMsg::VotingPowerAtHeight {
                address: alice.to_string(),
                height: Some(h + 1),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("in the future"), "{err}");
    assert!(suite
        .app
        .wrap()
        .query_wasm_smart::<TotalPowerAtHeightResponse>(
            &suite.staking,
            &QueryMsg::TotalPowerAtHeight { height: Some(h + 1) }
        )
        .is_err());
}

// ---------------------------------------------------------------------------------------------------------------
// overflow

#[test]
fn whole_supply_does_not_overflow() {
    let mut suite = setup();
    let whale = suite.user("whale");
    let reporter = suite.user("frank");
    suite.fund(&whale, 2 * SUPPLY);
    suite.active_device(1, &whale);

    // 4×10^16 staked + 6×10^16 locked at 3.0
    suite.stake(&whale, 1, 4 * SUPPLY / 10).unwrap();
    suite.lock(&whale, 4, None, 6 * SUPPLY / 10).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&whale, None), 22 * SUPPLY / 10);
    assert_eq!(suite.total_power_at(None), 22 * SUPPLY / 10);
    assert_eq!(suite.multiplier_at(&whale, None), Decimal::percent(220));

    // the largest allowed multiplier (10×) on the whole supply
    let admin = suite.admin.clone();
    suite
        .update_config(&admin, |m| {
            if let ExecuteMsg::UpdateConfig { upsert_tiers, .. } = m {
                *upsert_tiers = Some(vec![LockTier {
                    id: 10,
                    duration: DAY,
                    multiplier: Decimal::percent(1000),
                }]);
            }
        })
        .unwrap();
    suite.lock(&whale, 10, None, SUPPLY).unwrap();
    suite.next_block();
    let expected = 4 * SUPPLY / 10 + 18 * SUPPLY / 10 + 10 * SUPPLY;
    assert_eq!(suite.power_at(&whale, None), expected);
    let s = suite.staker(&whale);
    assert_eq!(s.voting_power.u128(), expected);
    // (0.4 + 1.8 + 10) / (0.4 + 0.6 + 1) = 6.1
    assert_eq!(s.reward_multiplier, Decimal::permille(6100));

    // slashing a 10^17-scale position
    let slasher = suite.slasher.clone();
    let r0 = suite.balance(&reporter);
    suite.slash(&slasher, 1, &reporter, false).unwrap();
    assert_eq!(suite.balance(&reporter) - r0, 4 * SUPPLY / 100 / 4);
    suite.next_block();
    assert_eq!(suite.power_at(&whale, None), expected - 4 * SUPPLY / 100);
    suite.assert_invariant();
}

// ---------------------------------------------------------------------------------------------------------------
// queries

#[test]
fn positions_by_staker_paginates() {
    let mut suite = setup();
    let alice = suite.user("alice");
    for id in 1..=32u64 {
        suite.active_device(id, &alice);
        suite.stake(&alice, id, MIN).unwrap();
    }
    let page = |suite: &Suite, start_after: Option<u64>, limit: Option<u32>| -> Vec<u64> {
        let r: PositionsResponse = suite.q(&QueryMsg::PositionsByStaker {
            staker: alice.to_string(),
            start_after,
            limit,
        });
        r.positions.iter().map(|p| p.device_id).collect()
    };
    assert_eq!(page(&suite, None, None), (1..=10).collect::<Vec<_>>());
    assert_eq!(page(&suite, Some(10), Some(5)), (11..=15).collect::<Vec<_>>());
    assert_eq!(page(&suite, None, Some(100)), (1..=30).collect::<Vec<_>>(), "max 30");
    assert_eq!(page(&suite, Some(30), Some(30)), vec![31, 32]);
    assert!(page(&suite, Some(32), None).is_empty());
    assert_eq!(suite.staker(&alice).staked, Uint128::new(32 * MIN));
    assert_eq!(suite.totals(), (32 * MIN, 0, 0));
    // a stranger has nothing
    let nobody = suite.user("nobody");
    let r: PositionsResponse = suite.q(&QueryMsg::PositionsByStaker {
        staker: nobody.to_string(),
        start_after: None,
        limit: None,
    });
    assert!(r.positions.is_empty());
    assert_eq!(suite.position(1, &nobody), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// message shapes

#[test]
fn json_shapes() {
    fn s<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }
    assert_eq!(s(&ExecuteMsg::Stake { device_id: 1 }), r#"{"stake":{"device_id":1}}"#);
    assert_eq!(
        s(&ExecuteMsg::Unstake {
            device_id: 1,
            amount: Uint128::new(5)
        }),
        r#"{"unstake":{"device_id":1,"amount":"5"}}"#
    );
    assert_eq!(s(&ExecuteMsg::Claim {}), r#"{"claim":{}}"#);
    assert_eq!(
        s(&ExecuteMsg::Lock {
            tier_id: 2,
            beneficiary: None
        }),
        r#"{"lock":{"tier_id":2,"beneficiary":null}}"#
    );
    assert_eq!(
        s(&ExecuteMsg::Slash {
            device_id: 1,
            reporter: "emc1rep".into(),
            reason: "r".into(),
            ban: true,
            offence_time: Timestamp::from_seconds(1_700_000_000),
        }),
        r#"{"slash":{"device_id":1,"reporter":"emc1rep","reason":"r","ban":true,"offence_time":"1700000000000000000"}}"#
    );
    assert_eq!(
        s(&ExecuteMsg::OwnerChanged {
            device_id: 1,
            previous_owner: "emc1a".into(),
            new_owner: "emc1b".into()
        }),
        r#"{"owner_changed":{"device_id":1,"previous_owner":"emc1a","new_owner":"emc1b"}}"#
    );
    assert_eq!(
        s(&ExecuteMsg::RefreshPower {
            address: "emc1a".into()
        }),
        r#"{"refresh_power":{"address":"emc1a"}}"#
    );
    assert_eq!(
        s(&ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
            new_owner: "emc1dao".into(),
            expiry: None
        })),
        r#"{"update_ownership":{"transfer_ownership":{"new_owner":"emc1dao","expiry":null}}}"#
    );
    assert_eq!(
        s(&ExecuteMsg::UpdateOwnership(cw_ownable::Action::AcceptOwnership)),
        r#"{"update_ownership":"accept_ownership"}"#
    );
    assert_eq!(s(&QueryMsg::Ownership {}), r#"{"ownership":{}}"#);
    assert_eq!(
        s(&QueryMsg::Unbonding {
            address: "emc1a".into(),
            start_after: None,
            limit: None
        }),
        r#"{"unbonding":{"address":"emc1a","start_after":null,"limit":null}}"#
    );
    assert_eq!(
        s(&QueryMsg::MiningStatus { device_id: 1 }),
        r#"{"mining_status":{"device_id":1}}"#
    );
    assert_eq!(
        s(&QueryMsg::VotingPowerAtHeight {
            address: "emc1a".into(),
            height: Some(12)
        }),
        r#"{"voting_power_at_height":{"address":"emc1a","height":12}}"#
    );
    // what we send to the registry
    assert_eq!(
        s(&RegistryQuery::Device { device_id: 1 }),
        r#"{"device":{"device_id":1}}"#
    );
    assert_eq!(
        s(&RegistryExecute::SetStatus {
            device_id: 1,
            status: DeviceStatus::Suspended,
            reason: "x".into()
        }),
        r#"{"set_status":{"device_id":1,"status":"suspended","reason":"x"}}"#
    );
    // responses
    assert_eq!(
        s(&VotingPowerAtHeightResponse {
            power: Uint128::new(3),
            height: 7
        }),
        r#"{"power":"3","height":7}"#
    );
}

/// The client subsets in `edgemint_types::staking` serialize exactly like this contract's messages.
#[test]
fn shared_client_messages_match_the_contract() {
    let pairs_q: Vec<(StakingQuery, QueryMsg)> = vec![
        (
            StakingQuery::VotingPowerAtHeight {
                address: "a".into(),
                height: Some(3),
            },
            QueryMsg::VotingPowerAtHeight {
                address: "a".into(),
                height: Some(3),
            },
        ),
        (
            StakingQuery::TotalPowerAtHeight { height: None },
            QueryMsg::TotalPowerAtHeight { height: None },
        ),
        (
            StakingQuery::RewardMultiplierAtHeight {
                address: "a".into(),
                height: Some(1),
            },
            QueryMsg::RewardMultiplierAtHeight {
                address: "a".into(),
                height: Some(1),
            },
        ),
        (
            StakingQuery::MiningStatus { device_id: 9 },
            QueryMsg::MiningStatus { device_id: 9 },
        ),
    ];
    for (a, b) in pairs_q {
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }
    let pairs_e: Vec<(StakingExecute, ExecuteMsg)> = vec![
        (
            StakingExecute::Slash {
                device_id: 1,
                reporter: "r".into(),
                reason: "why".into(),
                ban: false,
                offence_time: Timestamp::from_seconds(7),
            },
            ExecuteMsg::Slash {
                device_id: 1,
                reporter: "r".into(),
                reason: "why".into(),
                ban: false,
                offence_time: Timestamp::from_seconds(7),
            },
        ),
        (
            StakingExecute::OwnerChanged {
                device_id: 3,
                previous_owner: "a".into(),
                new_owner: "b".into(),
            },
            ExecuteMsg::OwnerChanged {
                device_id: 3,
                previous_owner: "a".into(),
                new_owner: "b".into(),
            },
        ),
        (
            StakingExecute::RefreshPower { address: "a".into() },
            ExecuteMsg::RefreshPower { address: "a".into() },
        ),
        (
            StakingExecute::Lock {
                tier_id: 1,
                beneficiary: Some("b".into()),
            },
            ExecuteMsg::Lock {
                tier_id: 1,
                beneficiary: Some("b".into()),
            },
        ),
    ];
    for (a, b) in pairs_e {
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }
}

/// The shared client messages work end to end: another contract would build exactly these.
#[test]
fn shared_client_messages_work_against_the_contract() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let rewards = suite.locker.clone();
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    suite
        .app
        .execute_contract(
            rewards,
            suite.staking.clone(),
            &StakingExecute::Lock {
                tier_id: 3,
                beneficiary: Some(alice.to_string()),
            },
            &coins(MIN, DENOM),
        )
        .unwrap();
    suite.next_block();
    let m: MiningStatusResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.staking, &StakingQuery::MiningStatus { device_id: 1 })
        .unwrap();
    assert!(m.eligible);
    let p: VotingPowerAtHeightResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.staking,
            &StakingQuery::VotingPowerAtHeight {
                address: alice.to_string(),
                height: None,
            },
        )
        .unwrap();
    assert_eq!(p.power, Uint128::new(3 * MIN));
    let r: RewardMultiplierResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.staking,
            &StakingQuery::RewardMultiplierAtHeight {
                address: alice.to_string(),
                height: None,
            },
        )
        .unwrap();
    assert_eq!(r.multiplier, Decimal::percent(150));
}

// =============================================================================================================
// Security review regressions: each review repro (review_*) replayed; the attack must now fail.

/// Review F1: a seller parked 4 dust positions (1 uemc each) on a device while passing it through 4 of its
/// addresses; every later owner was refused `Stake` forever (4-positions cap) and the dust survived every slash.
/// Now a position is either gone or at least the minimum, a device has one position (there is no cap to fill), and
/// a slash cuts any non-zero amount by at least 1 uemc.
#[test]
fn review_f1_dust_positions_cannot_brick_a_device() {
    let mut suite = setup();
    let seller: Vec<Addr> = ["alice", "bob", "carol", "dave"]
        .iter()
        .map(|n| suite.user(n))
        .collect();
    suite.active_device(1, &seller[0]);
    for s in &seller {
        suite.transfer(1, s);
        suite.stake(s, 1, MIN).unwrap();
        // keeping 1 uemc is refused...
        assert_eq!(
            suite.unstake(s, 1, MIN - 1).unwrap_err(),
            ContractError::PositionBelowMinimum {
                device_id: 1,
                remaining: Uint128::new(1),
                min: Uint128::new(MIN)
            }
        );
        // ... everything or nothing
        suite.unstake(s, 1, MIN).unwrap();
    }
    let buyer = suite.user("erin");
    suite.transfer(1, &buyer);
    suite.stake(&buyer, 1, MIN).unwrap();
    assert!(suite.mining(1).eligible);
    assert_eq!(suite.device_positions(1), vec![(buyer.clone(), MIN)]);
    // and for every later owner
    suite.advance(365 * DAY);
    let frank = suite.user("frank");
    suite.transfer(1, &frank);
    suite.stake(&frank, 1, MIN).unwrap();
    assert!(suite.mining(1).eligible);
    suite.assert_invariant();
}

/// Review F1 (second half): dust can no longer escape slashing: cuts round up, so 1 uemc is cut to zero and a
/// 9 uemc entry loses 1 at 10%.
#[test]
fn slash_cuts_round_up_so_dust_always_bites() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN + 10).unwrap();
    suite.unstake(&alice, 1, 1).unwrap();
    suite.unstake(&alice, 1, 9).unwrap();
    let slasher = suite.slasher.clone();
    let resp = suite.slash(&slasher, 1, &reporter, false).unwrap();
    // 10% of MIN exactly, ceil(0.1) = 1 and ceil(0.9) = 1
    assert_eq!(wasm_attr(&resp, "slashed_stake"), Some((MIN / 10).to_string()));
    assert_eq!(wasm_attr(&resp, "slashed_unbonding").as_deref(), Some("2"));
    let amounts: Vec<u128> = suite
        .unbonding(&alice)
        .entries
        .iter()
        .map(|e| e.amount.u128())
        .collect();
    assert_eq!(amounts, vec![8], "the 1 uemc entry is gone, the 9 uemc one lost 1");
    // the bounty stays floor(25%) of the total, the pool gets the exact rest
    let total = MIN / 10 + 2;
    assert_eq!(wasm_attr(&resp, "bounty"), Some((total / 4).to_string()));
    assert_eq!(wasm_attr(&resp, "to_pool"), Some((total - total / 4).to_string()));
    suite.assert_invariant();
}

/// Review F2: the seller unstaked everything before the sale; the buyer, now holding the device key, made it
/// equivocate and reported it, slashing the seller's unbonding entries and collecting the bounty. Now the sale
/// stamped the seller's entries: an offence after it does not reach them.
#[test]
fn review_f2_buyer_cannot_slash_the_sellers_unbonding() {
    let mut suite = setup();
    let seller = suite.user("alice");
    let buyer = suite.user("bob");
    suite.active_device(1, &seller);
    suite.stake(&seller, 1, 1_000 * EMC).unwrap();
    suite.unstake(&seller, 1, 1_000 * EMC).unwrap(); // fully out before the sale
    suite.next_block();
    suite.transfer(1, &buyer); // sale: device (and its key) now with the buyer, who stakes nothing
    let buyer_before = suite.balance(&buyer);
    let hub = suite.slasher.clone();
    // Three distinct equivocations by the buyer's device, reported by the buyer, at their real times.
    for _ in 0..3 {
        suite.next_block();
        let resp = suite.slash(&hub, 1, &buyer, false).unwrap();
        assert_eq!(wasm_attr(&resp, "amount").as_deref(), Some("0"));
        assert_eq!(wasm_attr(&resp, "spared_entries").as_deref(), Some("1"));
    }
    assert_eq!(
        suite.balance(&buyer),
        buyer_before,
        "no bounty out of the seller's money"
    );
    assert_eq!(suite.unbonding(&seller).total, Uint128::new(1_000 * EMC));
    suite.assert_invariant();
}

/// The mirror of F2: the seller makes the device equivocate before the sale, waits for the buyer to stake, then
/// reports the old offence to collect a bounty out of the buyer's stake. The buyer did not hold the device then:
/// its position is spared (the device is still marked: the key misbehaved).
#[test]
fn seller_cannot_slash_the_buyer_for_a_pre_sale_offence() {
    let mut suite = setup();
    let seller = suite.user("alice");
    let buyer = suite.user("bob");
    suite.active_device(1, &seller);
    suite.next_block();
    let offence = suite.now(); // the seller's equivocation, nothing staked
    suite.next_block();
    suite.transfer(1, &buyer);
    suite.stake(&buyer, 1, 1_000 * EMC).unwrap();
    suite.next_block();
    let seller_before = suite.balance(&seller);
    let hub = suite.slasher.clone();
    let resp = suite.slash_at(&hub, 1, &seller, false, offence).unwrap();
    assert_eq!(wasm_attr(&resp, "amount").as_deref(), Some("0"));
    assert_eq!(wasm_attr(&resp, "spared_position").as_deref(), Some("true"));
    assert_eq!(suite.balance(&seller), seller_before);
    assert_eq!(suite.position(1, &buyer), 1_000 * EMC);
    assert_eq!(suite.device(1).status, DeviceStatus::Suspended);
    // the buyer's own offence (after the purchase) is the buyer's
    suite.put_device(1, Some(&buyer), DeviceStatus::Active);
    let resp = suite.slash(&hub, 1, &seller, false).unwrap();
    assert_eq!(wasm_attr(&resp, "amount"), Some((100 * EMC).to_string()));
    suite.assert_invariant();
}

/// Review F3: a previous owner filled the device's 28 "still unbonding" slots just before selling, and the buyer
/// could not unstake for a whole unbonding period. The per-device bound is now checked at the transfer, and the
/// buyer's Stake/Unstake only count the buyer's own entries.
#[test]
fn review_f3_previous_owners_cannot_block_the_buyers_unstake() {
    let mut suite = setup();
    let seller: Vec<Addr> = ["alice", "bob", "carol", "dave"]
        .iter()
        .map(|n| suite.user(n))
        .collect();
    suite.active_device(1, &seller[0]);
    for s in &seller {
        suite.transfer(1, s);
        suite.stake(s, 1, MIN + 6).unwrap();
        for _ in 0..6 {
            suite.unstake(s, 1, 1).unwrap();
        }
        suite.unstake(s, 1, MIN).unwrap();
    }
    assert!(suite.device_positions(1).is_empty());
    let buyer = suite.user("erin");
    suite.transfer(1, &buyer); // 28 entries still unbonding: allowed
    suite.stake(&buyer, 1, MIN).unwrap();
    suite.advance(UNBONDING - 10);
    suite.unstake(&buyer, 1, MIN).unwrap();
    suite.stake(&buyer, 1, MIN).unwrap();
    assert!(suite.mining(1).eligible);
    // a slash reads every live entry (28 + the buyer's), within the bound
    let hub = suite.slasher.clone();
    let offence = suite.now().minus_seconds(UNBONDING - 20);
    let resp = suite.slash_at(&hub, 1, &buyer, false, offence).unwrap();
    let seen = events_of(&resp, "wasm-slash_unbonding").count()
        + wasm_attr(&resp, "spared_entries").unwrap().parse::<usize>().unwrap();
    assert_eq!(seen, 29);
    assert!(seen <= MAX_SLASH_ENTRIES as usize);
    suite.assert_invariant();
}

/// Entries created by a transfer ignore the seller's per-address cap (a sale never fails on the seller's own
/// entries); they count toward it for the seller's later voluntary unstakes.
#[test]
fn transfer_entries_are_stored_whatever_the_sellers_entry_count() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    suite.active_device(1, &alice);
    suite.active_device(2, &alice);
    suite.stake(&alice, 1, 2 * MIN).unwrap();
    suite.stake(&alice, 2, 2 * MIN).unwrap();
    for _ in 0..MAX_UNBONDING_ENTRIES {
        suite.unstake(&alice, 1, 1).unwrap();
    }
    assert_eq!(
        suite.unstake(&alice, 2, 1).unwrap_err(),
        ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES
        }
    );
    suite.transfer(1, &bob);
    assert_eq!(
        suite.unbonding(&alice).entries.len(),
        MAX_UNBONDING_ENTRIES as usize + 1
    );
    assert_eq!(
        suite.unstake(&alice, 2, 1).unwrap_err(),
        ContractError::TooManyUnbondingEntries {
            max: MAX_UNBONDING_ENTRIES
        }
    );
    suite.advance(UNBONDING);
    suite.claim(&alice).unwrap();
    suite.unstake(&alice, 2, 1).unwrap();
    suite.assert_invariant();
}

/// `offence_time` is bounded like the SDK's evidence max age: older than the unbonding period is refused; a time
/// in the future counts as now.
#[test]
fn evidence_older_than_the_unbonding_period_is_refused() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let reporter = suite.user("frank");
    suite.active_device(1, &alice);
    suite.stake(&alice, 1, MIN).unwrap();
    suite.unstake(&alice, 1, MIN).unwrap();
    suite.advance(3 * DAY);
    suite.transfer(1, &bob);
    suite.advance(UNBONDING - 4 * DAY); // alice's entry has one day left
    let hub = suite.slasher.clone();
    let now = suite.now();
    let too_old = now.minus_seconds(UNBONDING + 1);
    assert_eq!(
        suite.slash_at(&hub, 1, &reporter, false, too_old).unwrap_err(),
        ContractError::EvidenceTooOld {
            offence_time: too_old,
            max_age: UNBONDING
        }
    );
    assert_eq!(suite.device(1).status, DeviceStatus::Active, "nothing happened");
    // exactly one unbonding period old: accepted (alice's entry is still unbonding: 1 day left)
    let resp = suite
        .slash_at(&hub, 1, &reporter, false, now.minus_seconds(UNBONDING))
        .unwrap();
    assert_eq!(wasm_attr(&resp, "amount"), Some((MIN / 10).to_string()));
    // the future counts as now: alice (sold 3 days ago) is spared
    let resp = suite
        .slash_at(&hub, 1, &reporter, false, now.plus_seconds(1_000_000))
        .unwrap();
    assert_eq!(wasm_attr(&resp, "offence_time"), Some(now.seconds().to_string()));
    assert_eq!(wasm_attr(&resp, "amount").as_deref(), Some("0"));
    suite.assert_invariant();
}

/// An address can hold more entries than the voluntary cap (one per device it sold); `Claim` pays at most 30 per
/// transaction, earliest first, and the `Unbonding` query pages in the same order.
#[test]
fn claim_and_unbonding_query_page_through_many_entries() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let n = MAX_CLAIM_ENTRIES as u64 + 2;
    for id in 1..=n {
        suite.active_device(id, &alice);
        suite.stake(&alice, id, MIN).unwrap();
        suite.next_block();
        suite.transfer(id, &bob);
    }
    let all: Vec<u64> = (1..=n).collect();
    let mut seen = vec![];
    let mut cursor = None;
    loop {
        let page = suite.unbonding_page(&alice, cursor, None);
        assert!(page.entries.len() <= 10, "default page is 10");
        assert_eq!(page.total, Uint128::new(n as u128 * MIN), "total covers every page");
        if page.entries.is_empty() {
            break;
        }
        cursor = page.entries.last().map(|e| e.id);
        seen.extend(page.entries.iter().map(|e| e.device_id));
    }
    assert_eq!(seen, all, "every entry once, earliest release first");
    assert_eq!(
        suite.unbonding_page(&alice, None, Some(100)).entries.len(),
        30,
        "max 30"
    );
    assert_eq!(suite.unbonding(&alice).claimable, Uint128::zero());

    suite.advance(UNBONDING);
    assert_eq!(
        suite.unbonding(&alice).claimable,
        Uint128::new(MAX_CLAIM_ENTRIES as u128 * MIN),
        "what the next claim pays"
    );
    let bal = suite.balance(&alice);
    let resp = suite.claim(&alice).unwrap();
    assert_eq!(
        wasm_attr(&resp, "amount"),
        Some((MAX_CLAIM_ENTRIES as u128 * MIN).to_string())
    );
    suite.claim(&alice).unwrap();
    assert_eq!(suite.balance(&alice), bal + n as u128 * MIN);
    assert_eq!(suite.claim(&alice).unwrap_err(), ContractError::NothingToClaim {});
    suite.assert_invariant();
}

/// Expired locks count at 1x as soon as the address's power is recomputed: by anyone (`RefreshPower`) or by any
/// of the address's own transactions. History at earlier heights is untouched.
#[test]
fn refresh_power_counts_expired_locks_at_1x() {
    let mut suite = setup();
    let alice = suite.user("alice");
    let bob = suite.user("bob");
    let keeper = suite.user("keeper");
    suite.lock(&alice, 1, None, 100 * EMC).unwrap(); // 90 days × 1.25
    suite.lock(&alice, 4, None, 100 * EMC).unwrap(); // 730 days × 3
    suite.lock(&bob, 1, None, 100 * EMC).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 425 * EMC);
    assert_eq!(suite.total_power_at(None), 550 * EMC);

    suite.advance(90 * DAY);
    let expired_at = suite.height();
    // nothing changes by itself (no iteration, no begin-blocker) ...
    assert_eq!(suite.staker(&alice).stale_boost, Uint128::new(25 * EMC));
    // ... until anyone refreshes
    let resp = suite.refresh_power(&keeper, &alice).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("refresh_power"));
    assert_eq!(wasm_attr(&resp, "previous_voting_power"), Some((425 * EMC).to_string()));
    assert_eq!(wasm_attr(&resp, "voting_power"), Some((400 * EMC).to_string()));
    assert_eq!(wasm_attr(&resp, "changed").as_deref(), Some("true"));
    let resp = suite.refresh_power(&keeper, &alice).unwrap();
    assert_eq!(wasm_attr(&resp, "changed").as_deref(), Some("false"));
    suite.next_block();
    assert_eq!(suite.power_at(&alice, None), 400 * EMC);
    assert_eq!(suite.power_at(&alice, Some(expired_at)), 425 * EMC, "history unchanged");
    // (100 + 300) / 200 = 2.0
    assert_eq!(suite.multiplier_at(&alice, None), Decimal::percent(200));
    assert_eq!(suite.total_power_at(None), 525 * EMC);
    let tl: TotalLockedResponse = suite.q(&QueryMsg::TotalLocked {});
    assert_eq!(tl.weight, Uint128::new(525 * EMC));
    assert_eq!(suite.locks(&alice).total_weight, Uint128::new(400 * EMC));

    // bob's own transaction applies the same rule: his stake recomputes his power with the expired lock at 1x
    suite.active_device(1, &bob);
    suite.stake(&bob, 1, MIN).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&bob, None), MIN + 100 * EMC);
    assert_eq!(suite.multiplier_at(&bob, None), Decimal::one());
    assert_eq!(suite.total_power_at(None), 400 * EMC + MIN + 100 * EMC);

    // unlocking later removes exactly what counts
    suite.unlock(&bob, 3).unwrap();
    suite.next_block();
    assert_eq!(suite.power_at(&bob, None), MIN);
    assert_eq!(suite.total_power_at(None), 400 * EMC + MIN);
    // anyone, any address, even one with nothing: a no-op
    let nobody = suite.user("nobody");
    suite.refresh_power(&keeper, &nobody).unwrap();
    assert!(matches!(
        suite
            .exec(&keeper, &ExecuteMsg::RefreshPower { address: "nope".into() }, &[])
            .unwrap_err(),
        ContractError::Std(_)
    ));
    suite.assert_invariant();
}

/// The recomputation reads every lock of the address: bounded by the 20-lock cap.
#[test]
fn refresh_power_is_bounded_by_the_lock_cap() {
    let mut suite = setup();
    let alice = suite.user("alice");
    for _ in 0..MAX_LOCKS_PER_ADDRESS {
        suite.lock(&alice, 1, None, 4).unwrap(); // 4 × 1.25 = 5
    }
    assert_eq!(suite.staker(&alice).voting_power, Uint128::new(100));
    suite.advance(90 * DAY);
    let keeper = suite.user("keeper");
    suite.refresh_power(&keeper, &alice).unwrap();
    assert_eq!(suite.staker(&alice).voting_power, Uint128::new(80));
    suite.assert_invariant();
}
