//! Test harness: the DAO with the real staking contract as its voting power source. Voters get power by locking
//! (no device needed): tier 1 weighs 1x, tier 2 weighs 2x.

use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, BankMsg, Coin, CosmosMsg, Decimal, Empty, Timestamp, Uint128, WasmMsg,
};
use cw_multi_test::error::AnyError;
use cw_multi_test::{App, AppBuilder, AppResponse, ContractWrapper, Executor};
use cw_utils::Threshold;
use dao::msg::{
    BallotResponse, ConfigMsg, ConfigResponse, DepositConfig, ExecuteMsg, InstantiateMsg, ProposalResponse, QueryMsg,
    RefundPolicy, TreasuryResponse, VetoConfig, Vote,
};
use dao::ContractError;

pub const DENOM: &str = "uemc";
pub const EMC: u128 = 1_000_000;
/// The whole genesis supply: 10^17 uemc.
pub const SUPPLY: u128 = 100_000_000_000_000_000;
pub const PERIOD: u64 = 3_600;
pub const TIMELOCK: u64 = 600;
pub const DEPOSIT: u128 = 10 * EMC;

pub const NAMES: [&str; 11] = [
    "op1", "alice", "bob", "carol", "dave", "exchange", "vetoer", "mallory", "anyone", "deployer", "eve",
];

pub struct Suite {
    pub app: App,
    pub dao: Addr,
    pub dao_code: u64,
    pub staking: Addr,
    pub staking_code: u64,
}

pub fn staking_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            staking::contract::execute,
            staking::contract::instantiate,
            staking::contract::query,
        )
        .with_migrate(staking::contract::migrate),
    )
}

pub fn dao_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(
        ContractWrapper::new(dao::contract::execute, dao::contract::instantiate, dao::contract::query)
            .with_reply(dao::contract::reply)
            .with_migrate(dao::contract::migrate),
    )
}

/// Default governance: simple majority with a 1/3 quorum, a third of no_with_veto vetoes, no revote, no deposit,
/// no timelock.
pub fn config(staking: &Addr) -> ConfigMsg {
    ConfigMsg {
        staking: staking.to_string(),
        threshold: Threshold::ThresholdQuorum {
            threshold: Decimal::percent(50),
            quorum: Decimal::percent(33),
        },
        voting_period: PERIOD,
        min_proposer_power: Uint128::one(),
        deposit: None,
        allow_revote: false,
        veto: None,
        veto_threshold: Some(Decimal::percent(33)),
    }
}

pub fn deposit(policy: RefundPolicy) -> Option<DepositConfig> {
    Some(DepositConfig {
        amount: Uint128::new(DEPOSIT),
        refund_policy: policy,
    })
}

pub fn veto_config(app: &App, early_execute: bool, veto_before_passed: bool) -> Option<VetoConfig> {
    Some(VetoConfig {
        vetoer: app.api().addr_make("vetoer").to_string(),
        timelock: TIMELOCK,
        early_execute,
        veto_before_passed,
    })
}

pub fn new_app() -> App {
    AppBuilder::new().build(|router, api, storage| {
        for name in NAMES {
            router
                .bank
                .init_balance(
                    storage,
                    &api.addr_make(name),
                    vec![coin(10 * SUPPLY, DENOM), coin(SUPPLY, "uatom")],
                )
                .expect("init balance");
        }
    })
}

/// Staking with tier 1 = 1x and tier 2 = 2x (one year each).
pub fn instantiate_staking(app: &mut App) -> (u64, Addr) {
    let code = app.store_code(staking_contract());
    let deployer = app.api().addr_make("deployer");
    let registry = app.api().addr_make("registry");
    let pool = app.api().addr_make("pool");
    let staking = app
        .instantiate_contract(
            code,
            deployer.clone(),
            &staking::msg::InstantiateMsg {
                admin: None,
                denom: DENOM.to_string(),
                registry: registry.to_string(),
                rewards_pool: pool.to_string(),
                min_stake_per_device: Uint128::new(100 * EMC),
                unbonding_period: 86_400,
                slash_fraction: Decimal::percent(10),
                bounty_fraction: Decimal::percent(25),
                slashers: vec![],
                lockers: vec![],
                tiers: Some(vec![
                    staking::msg::LockTier {
                        id: 1,
                        duration: 365 * 86_400,
                        multiplier: Decimal::one(),
                    },
                    staking::msg::LockTier {
                        id: 2,
                        duration: 365 * 86_400,
                        multiplier: Decimal::percent(200),
                    },
                ]),
            },
            &[],
            "staking",
            Some(deployer.to_string()),
        )
        .expect("staking");
    (code, staking)
}

impl Suite {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(tweak: impl FnOnce(&mut InstantiateMsg)) -> Self {
        Self::try_with(tweak).expect("instantiate dao")
    }

    pub fn try_with(tweak: impl FnOnce(&mut InstantiateMsg)) -> Result<Self, ContractError> {
        let mut app = new_app();
        let (staking_code, staking) = instantiate_staking(&mut app);
        let dao_code = app.store_code(dao_contract());
        let mut msg = InstantiateMsg {
            config: config(&staking),
            denom: DENOM.to_string(),
            excluded: vec![],
        };
        tweak(&mut msg);
        let deployer = app.api().addr_make("deployer");
        let dao = app
            .instantiate_contract(dao_code, deployer.clone(), &msg, &[], "dao", Some(deployer.to_string()))
            .map_err(|e| e.downcast::<ContractError>().expect("a dao ContractError"))?;
        // The DAO is its own wasm admin (so proposals can migrate it).
        app.execute(
            deployer,
            WasmMsg::UpdateAdmin {
                contract_addr: dao.to_string(),
                admin: dao.to_string(),
            }
            .into(),
        )
        .expect("dao admin");
        Ok(Suite {
            app,
            dao,
            dao_code,
            staking,
            staking_code,
        })
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    // ----- time -----

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn height(&self) -> u64 {
        self.app.block_info().height
    }

    /// One block, 5 seconds.
    pub fn next_block(&mut self) {
        self.advance(5);
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
    }

    // ----- staking -----

    /// `name` locks `amount` in tier 1 (1x) for voting power.
    pub fn lock(&mut self, name: &str, amount: u128) {
        self.lock_tier(name, amount, 1);
    }

    pub fn lock_tier(&mut self, name: &str, amount: u128, tier_id: u64) {
        let sender = self.addr(name);
        self.app
            .execute_contract(
                sender,
                self.staking.clone(),
                &staking::msg::ExecuteMsg::Lock {
                    tier_id,
                    beneficiary: None,
                },
                &coins(amount, DENOM),
            )
            .expect("lock");
    }

    /// Locks for every (name, amount), then moves to the next block so the power is in the snapshots.
    pub fn powers(&mut self, powers: &[(&str, u128)]) {
        for (name, amount) in powers {
            self.lock(name, *amount);
        }
        self.next_block();
    }

    // ----- dao -----

    pub fn exec_any(&mut self, sender: &str, msg: &ExecuteMsg, funds: &[Coin]) -> Result<AppResponse, AnyError> {
        let sender = self.addr(sender);
        self.app.execute_contract(sender, self.dao.clone(), msg, funds)
    }

    pub fn exec_funds(&mut self, sender: &str, msg: &ExecuteMsg, funds: &[Coin]) -> Result<AppResponse, ContractError> {
        self.exec_any(sender, msg, funds)
            .map_err(|e| e.downcast::<ContractError>().expect("a dao ContractError"))
    }

    pub fn exec(&mut self, sender: &str, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.exec_funds(sender, msg, &[])
    }

    pub fn propose_funds(&mut self, sender: &str, msgs: Vec<CosmosMsg>, funds: &[Coin]) -> Result<u64, ContractError> {
        let res = self.exec_funds(
            sender,
            &ExecuteMsg::Propose {
                title: "a proposal".to_string(),
                description: "why".to_string(),
                msgs,
            },
            funds,
        )?;
        Ok(attr(&res, "proposal_id").expect("proposal_id").parse().expect("id"))
    }

    pub fn propose(&mut self, sender: &str, msgs: Vec<CosmosMsg>) -> Result<u64, ContractError> {
        self.propose_funds(sender, msgs, &[])
    }

    pub fn propose_with_deposit(&mut self, sender: &str, msgs: Vec<CosmosMsg>) -> Result<u64, ContractError> {
        self.propose_funds(sender, msgs, &coins(DEPOSIT, DENOM))
    }

    pub fn vote(&mut self, voter: &str, proposal_id: u64, vote: Vote) -> Result<AppResponse, ContractError> {
        self.exec(voter, &ExecuteMsg::Vote { proposal_id, vote })
    }

    pub fn execute(&mut self, sender: &str, proposal_id: u64) -> Result<AppResponse, ContractError> {
        self.exec(sender, &ExecuteMsg::Execute { proposal_id })
    }

    pub fn veto(&mut self, sender: &str, proposal_id: u64) -> Result<AppResponse, ContractError> {
        self.exec(sender, &ExecuteMsg::Veto { proposal_id })
    }

    pub fn close(&mut self, sender: &str, proposal_id: u64) -> Result<AppResponse, ContractError> {
        self.exec(sender, &ExecuteMsg::Close { proposal_id })
    }

    pub fn proposal(&self, proposal_id: u64) -> ProposalResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.dao, &QueryMsg::Proposal { proposal_id })
            .expect("proposal")
    }

    pub fn ballot(&self, proposal_id: u64, voter: &str) -> BallotResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.dao,
                &QueryMsg::Ballot {
                    proposal_id,
                    voter: self.addr(voter).to_string(),
                },
            )
            .expect("ballot")
    }

    pub fn config(&self) -> ConfigResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.dao, &QueryMsg::Config {})
            .expect("config")
    }

    pub fn treasury(&self) -> TreasuryResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.dao, &QueryMsg::Treasury {})
            .expect("treasury")
    }

    pub fn balance(&self, addr: &Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(addr, DENOM)
            .expect("balance")
            .amount
            .u128()
    }

    pub fn balance_of(&self, name: &str) -> u128 {
        self.balance(&self.addr(name))
    }

    /// Sends `amount` to the DAO's treasury.
    pub fn fund_treasury(&mut self, amount: u128) {
        let from = self.addr("deployer");
        self.app
            .send_tokens(from, self.dao.clone(), &coins(amount, DENOM))
            .expect("fund treasury");
    }

    /// A message the DAO sends to itself.
    pub fn self_msg(&self, msg: &ExecuteMsg) -> CosmosMsg {
        WasmMsg::Execute {
            contract_addr: self.dao.to_string(),
            msg: to_json_binary(msg).expect("json"),
            funds: vec![],
        }
        .into()
    }

    pub fn send_msg(&self, to: &str, amount: u128) -> CosmosMsg {
        BankMsg::Send {
            to_address: self.addr(to).to_string(),
            amount: vec![coin(amount, DENOM)],
        }
        .into()
    }
}

pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// Every value of `key` on the wasm events, in order.
pub fn attrs(res: &AppResponse, key: &str) -> Vec<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .filter(|a| a.key == key)
        .map(|a| a.value.clone())
        .collect()
}
