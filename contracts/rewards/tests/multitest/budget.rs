//! Pool, revenue, emission schedule, budgets, and the hub's reserve/release.

use cosmwasm_std::{coin, coins, BankMsg, Decimal, Uint128};
use cw_multi_test::Executor;
use cw_utils::PaymentError;
use edgemint_types::oracle::EpochStatus;
use rewards::msg::{EmissionSchedule, EpochBudgetResponse, ExecuteMsg, QueryMsg, RevenueResponse, ScheduleResponse};
use rewards::ContractError;

use crate::suite::{attr, Suite, DENOM, EMC, EPOCH_EMISSION};

fn budget(epoch: u64, emission: u128, revenue: u128, operator: u128) -> EpochBudgetResponse {
    EpochBudgetResponse {
        epoch,
        emission: Uint128::new(emission),
        revenue: Uint128::new(revenue),
        operator_budget: Uint128::new(operator),
        device_budget: Uint128::new(emission + revenue - operator),
        frozen: false,
    }
}

/// The same figures, frozen by a reservation.
fn frozen(b: EpochBudgetResponse) -> EpochBudgetResponse {
    EpochBudgetResponse { frozen: true, ..b }
}

#[test]
fn fund_credits_the_pool() {
    let mut s = Suite::new();
    let p = s.pool();
    assert_eq!(p.pool_total.u128(), 1_000_000 * EMC);
    assert_eq!(p.balance.u128(), 1_000_000 * EMC);
    assert_eq!(p.free.u128(), 1_000_000 * EMC);

    let res = s.fund(5 * EMC).unwrap();
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("fund"));
    assert_eq!(attr(&res, "wasm", "amount").unwrap(), (5 * EMC).to_string());
    assert_eq!(s.pool().pool_total.u128(), 1_000_005 * EMC);

    // wrong denom, no funds, two denoms
    let treasury = s.treasury.clone();
    assert_eq!(
        s.exec(&treasury, &ExecuteMsg::Fund {}, &coins(10, "uother"))
            .unwrap_err(),
        ContractError::Payment(PaymentError::MissingDenom(DENOM.to_string()))
    );
    assert_eq!(
        s.exec(&treasury, &ExecuteMsg::Fund {}, &[]).unwrap_err(),
        ContractError::Payment(PaymentError::NoFunds {})
    );
    assert_eq!(
        s.exec(&treasury, &ExecuteMsg::Fund {}, &[coin(10, DENOM), coin(10, "uother")])
            .unwrap_err(),
        ContractError::Payment(PaymentError::MultipleDenoms {})
    );
    assert_eq!(s.pool().pool_total.u128(), 1_000_005 * EMC);
    s.assert_books();
}

#[test]
fn instantiate_may_carry_the_initial_pool() {
    let s = Suite::try_with(|_| {}, &coins(72 * EMC, DENOM)).unwrap();
    assert_eq!(s.pool().pool_total.u128(), 72 * EMC);
    assert_eq!(s.balance(&s.rewards), 72 * EMC);
    assert!(matches!(
        Suite::try_with(|_| {}, &coins(1, "uother")),
        Err(ContractError::Payment(_))
    ));
}

#[test]
fn sync_credits_plain_bank_sends() {
    let mut s = Suite::new();
    let treasury = s.treasury.clone();
    let rewards = s.rewards.clone();
    s.app
        .execute(
            treasury.clone(),
            BankMsg::Send {
                to_address: rewards.to_string(),
                amount: coins(500 * EMC, DENOM),
            }
            .into(),
        )
        .unwrap();
    let p = s.pool();
    assert_eq!(p.balance.u128() - p.pool_total.u128(), 500 * EMC);

    let anyone = s.addr("anyone");
    let res = s.exec(&anyone, &ExecuteMsg::Sync {}, &[]).unwrap();
    assert_eq!(attr(&res, "wasm", "amount").unwrap(), (500 * EMC).to_string());
    let p = s.pool();
    assert_eq!(p.pool_total, p.balance);
    assert_eq!(
        s.exec(&anyone, &ExecuteMsg::Sync {}, &[]).unwrap_err(),
        ContractError::NothingToSync {
            balance: p.balance,
            pool_total: p.pool_total
        }
    );
    assert!(matches!(
        s.exec(&treasury, &ExecuteMsg::Sync {}, &coins(1, DENOM)).unwrap_err(),
        ContractError::Payment(PaymentError::NonPayable {})
    ));
    s.assert_books();
}

#[test]
fn budget_is_live_until_reserved_then_frozen() {
    let mut s = Suite::new();
    // 1,000 EMC emission, 10% to operators
    assert_eq!(s.budget(1), budget(1, EPOCH_EMISSION, 0, 100 * EMC));

    // the first report reserves the whole budget: device + operator
    let res = s.reserve_budget(1).unwrap();
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("reserve_budget"));
    assert_eq!(attr(&res, "wasm", "reserved").unwrap(), (1_000 * EMC).to_string());
    assert_eq!(attr(&res, "wasm", "device_budget").unwrap(), (900 * EMC).to_string());
    assert_eq!(s.pool().reserved.u128(), 1_000 * EMC);
    assert_eq!(s.budget(1), frozen(budget(1, EPOCH_EMISSION, 0, 100 * EMC)));
    let st = s.epoch_state(1);
    assert!(st.reserved && !st.settled && !st.released);
    assert_eq!(st.outstanding.u128(), 1_000 * EMC);

    // acceptance settles the root's total; the unused device budget returns to the pool
    let res = s.settle(1, 800 * EMC).unwrap();
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("settle_epoch"));
    assert_eq!(attr(&res, "wasm", "unused").unwrap(), (100 * EMC).to_string());
    let p = s.pool();
    assert_eq!(p.reserved.u128(), 900 * EMC);
    assert_eq!(p.free.u128(), 1_000_000 * EMC - 900 * EMC);

    // a new schedule changes epochs not yet reserved only
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::UpdateConfig {
            hub: None,
            registry: None,
            schedule: Some(EmissionSchedule {
                epoch_emission: Uint128::new(2_000 * EMC),
                decay: Decimal::zero(),
                decay_period_epochs: 1,
            }),
            operator_share: Some(Decimal::percent(20)),
            max_batch: None,
            claim_window: None,
        },
        &[],
    )
    .unwrap();
    assert_eq!(s.budget(1), frozen(budget(1, EPOCH_EMISSION, 0, 100 * EMC)));
    assert_eq!(s.budget(2), budget(2, 2_000 * EMC, 0, 400 * EMC));

    let st = s.epoch_state(1);
    assert!(st.reserved && st.settled && !st.released);
    assert_eq!(st.total_amount.u128(), 800 * EMC);
    assert_eq!(st.outstanding.u128(), 900 * EMC);
    assert_eq!(st.hub_status, Some(EpochStatus::Open));
    s.assert_books();
}

#[test]
fn reserve_budget_is_idempotent_and_never_changes_the_frozen_figures() {
    let mut s = Suite::new();
    s.reserve_budget(1).unwrap();
    s.fund(5_000 * EMC).unwrap();
    let res = s.reserve_budget(1).unwrap();
    assert_eq!(attr(&res, "wasm", "already_reserved").as_deref(), Some("true"));
    assert_eq!(s.pool().reserved.u128(), 1_000 * EMC);
    assert_eq!(s.budget(1), frozen(budget(1, EPOCH_EMISSION, 0, 100 * EMC)));
    // also after a release: the epoch is reserved once, for good
    s.release(1).unwrap();
    s.reserve_budget(1).unwrap();
    assert!(s.pool().reserved.is_zero());
    assert!(s.epoch_state(1).released);
    s.assert_books();
}

#[test]
fn settle_above_the_frozen_device_budget_is_refused() {
    let mut s = Suite::new();
    assert_eq!(
        s.settle(1, 0).unwrap_err(),
        ContractError::EpochNotReserved { epoch: 1 }
    );
    s.reserve_budget(1).unwrap();
    assert_eq!(
        s.settle(1, 900 * EMC + 1).unwrap_err(),
        ContractError::TotalExceedsBudget {
            epoch: 1,
            total_amount: Uint128::new(900 * EMC + 1),
            device_budget: Uint128::new(900 * EMC),
        }
    );
    assert!(!s.epoch_state(1).settled);
    assert_eq!(s.pool().reserved.u128(), 1_000 * EMC);
    // exactly the device budget is fine, and so is zero
    s.settle(1, 900 * EMC).unwrap();
    assert_eq!(
        s.settle(1, 1).unwrap_err(),
        ContractError::EpochAlreadySettled { epoch: 1 }
    );
    s.reserve(2, 0).unwrap();
    assert_eq!(s.pool().reserved.u128(), 900 * EMC + 100 * EMC + 100 * EMC);
    s.assert_books();
}

#[test]
fn only_the_hub_reserves_settles_and_releases() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let mallory = s.addr("mallory");
    for who in [&admin, &mallory] {
        for msg in [
            ExecuteMsg::ReserveBudget { epoch: 1 },
            ExecuteMsg::SettleEpoch {
                epoch: 1,
                total_amount: Uint128::new(1),
            },
            ExecuteMsg::ReleaseEpoch { epoch: 1 },
        ] {
            let err = s.exec(who, &msg, &[]).unwrap_err();
            assert!(matches!(err, ContractError::Unauthorized { .. }), "{err:?}");
        }
    }
    s.reserve(1, 100).unwrap();
    for who in [&admin, &mallory] {
        let err = s.exec(who, &ExecuteMsg::ReleaseEpoch { epoch: 1 }, &[]).unwrap_err();
        assert!(matches!(err, ContractError::Unauthorized { .. }), "{err:?}");
    }
    assert!(!s.epoch_state(1).released);
    // the hub sends no funds
    let hub = s.hub.clone();
    s.mint(&hub, 10);
    assert!(matches!(
        s.exec(&hub, &ExecuteMsg::ReserveBudget { epoch: 2 }, &coins(10, DENOM))
            .unwrap_err(),
        ContractError::Payment(PaymentError::NonPayable {})
    ));
}

#[test]
fn each_epoch_is_released_once_before_or_after_settlement() {
    let mut s = Suite::new();
    assert_eq!(s.release(1).unwrap_err(), ContractError::EpochNotReserved { epoch: 1 });
    s.reserve(1, 500 * EMC).unwrap();

    let free_before = s.pool().free;
    let res = s.release(1).unwrap();
    assert_eq!(attr(&res, "wasm", "released").unwrap(), (600 * EMC).to_string());
    let p = s.pool();
    assert!(p.reserved.is_zero());
    assert_eq!(p.free.u128(), free_before.u128() + 600 * EMC);
    let st = s.epoch_state(1);
    assert!(st.reserved && st.released);
    assert!(st.outstanding.is_zero());
    // the budget query still shows what was reserved
    assert_eq!(s.budget(1), frozen(budget(1, EPOCH_EMISSION, 0, 100 * EMC)));
    assert_eq!(s.release(1).unwrap_err(), ContractError::EpochReleased { epoch: 1 });
    assert_eq!(s.settle(1, 1).unwrap_err(), ContractError::EpochReleased { epoch: 1 });

    // an abandoned epoch (reserved at its first report, never settled) releases its whole budget
    s.reserve_budget(2).unwrap();
    let res = s.release(2).unwrap();
    assert_eq!(attr(&res, "wasm", "released").unwrap(), (1_000 * EMC).to_string());
    assert_eq!(attr(&res, "wasm", "settled").as_deref(), Some("false"));
    assert!(s.pool().reserved.is_zero());
    assert_eq!(s.settle(2, 0).unwrap_err(), ContractError::EpochReleased { epoch: 2 });
    s.assert_books();
}

#[test]
fn revenue_lands_in_the_next_epochs_budget() {
    let mut s = Suite::new();
    let shop = s.addr("shop");
    s.mint(&shop, 1_000 * EMC);
    s.set_current_epoch(5);
    let res = s.add_revenue(&shop, 300 * EMC).unwrap();
    assert_eq!(attr(&res, "wasm", "epoch").as_deref(), Some("6"));
    s.add_revenue(&shop, 200 * EMC).unwrap();

    let rev: RevenueResponse = s.q(&QueryMsg::Revenue { epoch: 6 });
    assert_eq!(rev.amount.u128(), 500 * EMC);
    assert_eq!(s.budget(5), budget(5, EPOCH_EMISSION, 0, 100 * EMC));
    assert_eq!(s.budget(6), budget(6, EPOCH_EMISSION, 500 * EMC, 150 * EMC));
    let p = s.pool();
    assert_eq!(p.earmarked_revenue.u128(), 500 * EMC);
    assert_eq!(p.pool_total.u128(), 1_000_500 * EMC);
    assert_eq!(p.free.u128(), 1_000_000 * EMC);

    // reserving epoch 6 consumes the earmark; what the root leaves unused becomes free pool
    s.reserve(6, 1_000 * EMC).unwrap();
    let p = s.pool();
    assert!(p.earmarked_revenue.is_zero());
    assert_eq!(p.reserved.u128(), 1_000 * EMC + 150 * EMC);
    assert_eq!(p.free.u128(), 1_000_500 * EMC - 1_150 * EMC);
    // an epoch already reserved gets no more revenue (unreachable with a correct hub)
    assert_eq!(
        s.add_revenue(&shop, EMC).unwrap_err(),
        ContractError::EpochAlreadyReserved { epoch: 6 }
    );
    assert!(matches!(
        s.exec(&shop, &ExecuteMsg::AddRevenue {}, &[]).unwrap_err(),
        ContractError::Payment(PaymentError::NoFunds {})
    ));
    s.assert_books();
}

#[test]
fn add_revenue_fails_cleanly_without_a_hub() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let nobody = s.addr("not-a-contract");
    s.exec(
        &admin,
        &ExecuteMsg::UpdateConfig {
            hub: Some(nobody.to_string()),
            registry: None,
            schedule: None,
            operator_share: None,
            max_batch: None,
            claim_window: None,
        },
        &[],
    )
    .unwrap();
    let shop = s.addr("shop");
    s.mint(&shop, EMC);
    assert!(matches!(
        s.add_revenue(&shop, EMC).unwrap_err(),
        ContractError::HubCurrentEpoch { .. }
    ));
}

#[test]
fn emission_exhausting_the_pool_is_capped_and_never_negative() {
    let mut s = Suite::with(|_| {});
    s.fund(2_500 * EMC).unwrap();
    let shop = s.addr("shop");
    s.mint(&shop, 1_000 * EMC);
    s.set_current_epoch(2);
    s.add_revenue(&shop, 300 * EMC).unwrap(); // earmarked for epoch 3

    s.reserve(1, 900 * EMC).unwrap();
    s.reserve(2, 900 * EMC).unwrap();
    // 2,800 in, 2,000 reserved, 300 earmarked: emission can draw 500 only; the revenue stays fully backed
    assert_eq!(s.budget(3), budget(3, 500 * EMC, 300 * EMC, 80 * EMC));
    s.reserve(3, 720 * EMC).unwrap();
    let p = s.pool();
    assert_eq!(p.reserved, p.pool_total);
    assert!(p.free.is_zero());
    // the pool is dry: a zero budget is reserved (the reservation does not fail), only a zero total settles
    assert_eq!(s.budget(4), budget(4, 0, 0, 0));
    s.reserve_budget(4).unwrap();
    assert_eq!(
        s.settle(4, 1).unwrap_err(),
        ContractError::TotalExceedsBudget {
            epoch: 4,
            total_amount: Uint128::new(1),
            device_budget: Uint128::zero()
        }
    );
    s.settle(4, 0).unwrap();
    s.assert_books();

    // a veto gives the budget back to later epochs (epochs draw on the pool in the order of their first reports:
    // epoch 4, frozen at zero, stays at zero)
    s.release(2).unwrap();
    assert_eq!(s.budget(5), budget(5, 1_000 * EMC, 0, 100 * EMC));
    assert_eq!(s.budget(4), frozen(budget(4, 0, 0, 0)));
    assert_eq!(s.pool().free.u128(), 1_000 * EMC);
    s.assert_books();
}

#[test]
fn unused_device_budget_returns_to_the_pool() {
    let mut s = Suite::with(|_| {});
    s.fund(1_500 * EMC).unwrap();
    s.reserve(1, 400 * EMC).unwrap(); // 500 of the 900 device budget unused
    assert_eq!(s.pool().free.u128(), 1_000 * EMC);
    assert_eq!(s.budget(2), budget(2, 1_000 * EMC, 0, 100 * EMC));
}

#[test]
fn schedule_query_shows_the_decay() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::UpdateConfig {
            hub: None,
            registry: None,
            schedule: Some(EmissionSchedule {
                epoch_emission: Uint128::new(1_000),
                decay: Decimal::percent(50),
                decay_period_epochs: 2,
            }),
            operator_share: None,
            max_batch: None,
            claim_window: None,
        },
        &[],
    )
    .unwrap();
    let r: ScheduleResponse = s.q(&QueryMsg::Schedule {
        start_epoch: 0,
        count: 7,
    });
    let got: Vec<(u64, u128)> = r.entries.iter().map(|e| (e.epoch, e.emission.u128())).collect();
    assert_eq!(
        got,
        vec![(0, 1000), (1, 1000), (2, 500), (3, 500), (4, 250), (5, 250), (6, 125)]
    );
    let r: ScheduleResponse = s.q(&QueryMsg::Schedule {
        start_epoch: 10,
        count: 1_000,
    });
    assert_eq!(r.entries.len(), 100);
    let r: ScheduleResponse = s.q(&QueryMsg::Schedule {
        start_epoch: u64::MAX - 1,
        count: 5,
    });
    assert_eq!(r.entries.len(), 2);
    assert!(r.entries.iter().all(|e| e.emission.is_zero()));
    // the budget follows the schedule (capped by nothing here)
    assert_eq!(s.budget(4).emission.u128(), 250);
}

#[test]
fn reassign_revenue_of_an_epoch_that_never_reserves() {
    let mut s = Suite::new();
    let shop = s.addr("shop");
    s.mint(&shop, 1_000 * EMC);
    s.set_current_epoch(1);
    s.add_revenue(&shop, 100 * EMC).unwrap(); // epoch 2
    let admin = s.admin.clone();
    let reassign = |from: u64, to: Option<u64>| ExecuteMsg::ReassignRevenue {
        from_epoch: from,
        to_epoch: to,
    };

    let mallory = s.addr("mallory");
    assert!(matches!(
        s.exec(&mallory, &reassign(2, Some(3)), &[]).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    assert_eq!(
        s.exec(&admin, &reassign(9, Some(3)), &[]).unwrap_err(),
        ContractError::NoRevenue { epoch: 9 }
    );
    assert_eq!(
        s.exec(&admin, &reassign(2, Some(2)), &[]).unwrap_err(),
        ContractError::SameEpoch { epoch: 2 }
    );
    s.reserve(4, 0).unwrap();
    assert_eq!(
        s.exec(&admin, &reassign(2, Some(4)), &[]).unwrap_err(),
        ContractError::EpochAlreadyReserved { epoch: 4 }
    );

    s.exec(&admin, &reassign(2, Some(3)), &[]).unwrap();
    assert!(s.budget(2).revenue.is_zero());
    assert_eq!(s.budget(3).revenue.u128(), 100 * EMC);
    assert_eq!(s.pool().earmarked_revenue.u128(), 100 * EMC);

    let free = s.pool().free.u128();
    s.exec(&admin, &reassign(3, None), &[]).unwrap();
    let p = s.pool();
    assert!(p.earmarked_revenue.is_zero());
    assert_eq!(p.free.u128(), free + 100 * EMC);

    // revenue of a reserved epoch cannot move
    s.add_revenue(&shop, 10 * EMC).unwrap(); // epoch 2 again
    s.reserve(2, 0).unwrap();
    assert_eq!(
        s.exec(&admin, &reassign(2, None), &[]).unwrap_err(),
        ContractError::EpochAlreadyReserved { epoch: 2 }
    );
    s.assert_books();
}
