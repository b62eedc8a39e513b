//! The hub against the REAL rewards contract (the other tests use a mock): the budget is reserved and frozen at an
//! epoch's first report, settled at acceptance, paid against the final root, released by a veto or an abandon, and
//! the pool's books hold throughout.

use cosmwasm_std::{coins, Addr, Decimal, HexBinary, Uint128};
use cw_multi_test::{ContractWrapper, Executor};
use edgemint_types::oracle::EpochStatus;
use oracle_hub::msg::{ExecuteMsg, ReportFields};
use rewards::msg::{ClaimItem, EmissionSchedule, EpochBudgetResponse, EpochStateResponse, PoolResponse};
use rewards_core::{build_tree, Leaf};

use crate::suite::*;

const EMISSION: u128 = 1_000 * EMC;

fn with_real_rewards(n: usize) -> Suite {
    let mut s = Suite::new(n);
    let code = s.app.store_code(Box::new(ContractWrapper::new(
        rewards::contract::execute,
        rewards::contract::instantiate,
        rewards::contract::query,
    )));
    let admin = s.admin.clone();
    let rewards = s
        .app
        .instantiate_contract(
            code,
            admin.clone(),
            &rewards::msg::InstantiateMsg {
                admin: None,
                hub: s.hub.to_string(),
                registry: s.registry.to_string(),
                denom: DENOM.to_string(),
                schedule: EmissionSchedule {
                    epoch_emission: Uint128::new(EMISSION),
                    decay: Decimal::zero(),
                    decay_period_epochs: 365,
                },
                operator_share: Decimal::percent(10),
                max_batch: None,
                claim_window: None,
            },
            &coins(1_500 * EMC, DENOM),
            "rewards",
            None,
        )
        .unwrap();
    s.update_rewards(rewards.as_str()).unwrap();
    s.rewards = rewards;
    s
}

fn budget(s: &Suite, epoch: u64) -> EpochBudgetResponse {
    s.app
        .wrap()
        .query_wasm_smart(&s.rewards, &rewards::msg::QueryMsg::EpochBudget { epoch })
        .unwrap()
}

fn state(s: &Suite, epoch: u64) -> EpochStateResponse {
    s.app
        .wrap()
        .query_wasm_smart(&s.rewards, &rewards::msg::QueryMsg::EpochState { epoch })
        .unwrap()
}

fn pool(s: &Suite) -> PoolResponse {
    let p: PoolResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.rewards, &rewards::msg::QueryMsg::Pool {})
        .unwrap();
    assert!(p.reserved + p.earmarked_revenue <= p.pool_total, "{p:?}");
    assert!(p.pool_total <= p.balance, "{p:?}");
    p
}

/// A one-leaf report of `amount` for `owner`'s device `device_id`.
fn one_leaf(epoch: u64, device_id: u64, owner: &Addr, amount: u128) -> (ReportFields, ClaimItem) {
    let leaf = Leaf::new(epoch, device_id, owner.as_str(), amount);
    let tree = build_tree(std::slice::from_ref(&leaf)).unwrap();
    let fields = ReportFields {
        epoch,
        root: HexBinary::from(tree.root().to_vec()),
        total_amount: Uint128::new(amount),
        device_count: 1,
        telemetry_commitment: HexBinary::from(vec![7; 32]),
    };
    let item = ClaimItem {
        epoch,
        device_id,
        owner: owner.to_string(),
        amount: Uint128::new(amount),
        proof: tree
            .proof_for_device(device_id)
            .unwrap()
            .iter()
            .map(|h| HexBinary::from(h.to_vec()))
            .collect(),
    };
    (fields, item)
}

#[test]
fn first_report_freezes_the_budget_acceptance_settles_and_owners_claim() {
    let mut s = with_real_rewards(3);
    let owner = s.addr("owner");
    let device = s.staked_device(&DeviceKey::ed25519(3), "code-3", &owner);
    s.end_epoch(1);
    assert!(!budget(&s, 0).frozen);

    let (f, item) = one_leaf(0, device, &owner, 600 * EMC);
    s.report(0, &f).unwrap();
    // reserved: the whole 1,000 EMC budget (900 device + 100 operators), frozen
    let b = budget(&s, 0);
    assert!(b.frozen);
    assert_eq!(b.device_budget.u128(), 900 * EMC);
    assert_eq!(s.reports(0).device_budget.u128(), 900 * EMC);
    assert_eq!(pool(&s).reserved.u128(), 1_000 * EMC);

    // epoch 1's first report draws the rest of the free pool (500): epoch 0's budget does not move
    let (g, _) = one_leaf(1, device, &owner, 450 * EMC);
    s.report(0, &g).unwrap();
    assert_eq!(budget(&s, 1).device_budget.u128(), 450 * EMC);
    assert_eq!(budget(&s, 0).device_budget.u128(), 900 * EMC);
    assert!(pool(&s).free.is_zero());

    // acceptance settles 600: the unused 300 of the device budget returns to the pool
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    let st = state(&s, 0);
    assert!(st.settled);
    assert_eq!(st.total_amount.u128(), 600 * EMC);
    assert_eq!(pool(&s).free.u128(), 300 * EMC);

    s.advance(WINDOW);
    assert_eq!(s.epoch(0).status, EpochStatus::Final);
    let rewards = s.rewards.clone();
    s.app
        .execute_contract(
            owner.clone(),
            rewards.clone(),
            &rewards::msg::ExecuteMsg::Claim { claims: vec![item] },
            &[],
        )
        .unwrap();
    let op = s.op(0);
    s.app
        .execute_contract(
            op,
            rewards,
            &rewards::msg::ExecuteMsg::ClaimOperatorReward { epoch: 0 },
            &[],
        )
        .unwrap();
    assert_eq!(state(&s, 0).outstanding.u128(), 50 * EMC, "the other reporter's share");
    pool(&s);
}

#[test]
fn veto_and_abandon_release_the_reservation() {
    let mut s = with_real_rewards(3);
    let owner = s.addr("owner");
    s.end_epoch(0);
    let (f, _) = one_leaf(0, 1, &owner, 100 * EMC);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::Veto {
            epoch: 0,
            reason: "bad root".to_string(),
        },
    )
    .unwrap();
    assert!(state(&s, 0).released);
    assert!(pool(&s).reserved.is_zero());

    // a split vote never reaches the quorum; seven epochs later the DAO abandons it and the budget is free again
    s.end_epoch(1);
    let (a, _) = one_leaf(1, 1, &owner, 100 * EMC);
    let (b, _) = one_leaf(1, 2, &owner, 100 * EMC);
    s.report(0, &a).unwrap();
    s.report(1, &b).unwrap();
    assert_eq!(pool(&s).reserved.u128(), 1_000 * EMC);
    s.set_time(s.epoch_end(1).plus_seconds(7 * EPOCH));
    s.exec(&admin, &ExecuteMsg::AbandonEpoch { epoch: 1 }).unwrap();
    assert_eq!(s.epoch(1).status, EpochStatus::Abandoned);
    let st = state(&s, 1);
    assert!(st.released && !st.settled);
    assert_eq!(st.hub_status, Some(EpochStatus::Abandoned));
    assert!(pool(&s).reserved.is_zero());
    assert_eq!(pool(&s).free.u128(), 1_500 * EMC);
}
