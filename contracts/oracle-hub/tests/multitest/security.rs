//! Regression tests for the security review (the reviewer's reproductions, ported: each attack must now FAIL), plus
//! the evidence fixes (old operator keys, device offence time).

use cosmwasm_std::{coins, Addr, Binary, Uint128};
use cw_multi_test::Executor as _;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::rewards::{EpochBudgetResponse, RewardsQueryMsg};
use oracle_hub::msg::{ExecuteMsg, ReportFields};
use oracle_hub::ContractError;

use crate::suite::*;

fn raise_min_bond(s: &mut Suite, min: u128) {
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &update_config(|c| {
            if let ExecuteMsg::UpdateConfig { min_bond, .. } = c {
                *min_bond = Some(Uint128::new(min));
            }
        }),
    )
    .unwrap();
}

fn operator_evidence(operator: &Addr, a: &ReportFields, sa: Binary, b: &ReportFields, sb: Binary) -> ExecuteMsg {
    ExecuteMsg::SubmitOperatorEvidence {
        operator: operator.to_string(),
        statement_a: a.clone(),
        signature_a: sa,
        statement_b: b.clone(),
        signature_b: sb,
    }
}

/// F2 (review): colluders dip 1 uemc below `min_bond`, let a colluder report first, top up and vote. The denominator
/// is now the electorate (every LISTED operator at the first report, whatever its bond): 3 colluders of 6 stay
/// short of the threshold of 4.
#[test]
fn review_quorum_denominator_dodged_by_colluders_now_fails() {
    let mut s = Suite::new(6); // ops 0,1,2 honest; 3,4,5 colluding; all bonded MIN_BOND
    s.end_epoch(0);
    let bad = fields(0, 0xbb, 1_000);
    let good = fields(0, 0xaa, 1_000);

    for i in [4, 5] {
        let op = s.op(i);
        s.exec(&op, &ExecuteMsg::Unbond { amount: Uint128::one() }).unwrap();
    }
    // 3 reports first: the electorate is all 6 listed operators, threshold ceil(2/3 × 6) = 4
    let res = s.report(3, &bad).unwrap();
    assert_eq!(attr(&res, "operator_count").as_deref(), Some("6"));
    assert_eq!(attr(&res, "threshold").as_deref(), Some("4"));
    // below min_bond they cannot vote; topped up they can, but 3 votes are not a quorum
    assert!(matches!(
        s.report(4, &bad).unwrap_err(),
        ContractError::InsufficientBond { .. }
    ));
    for i in [4, 5] {
        let op = s.op(i);
        s.exec_funds(&op, &ExecuteMsg::Bond {}, &coins(1, DENOM)).unwrap();
        s.report(i, &bad).unwrap();
    }
    let e = s.epoch(0);
    assert_eq!(e.status, EpochStatus::Reported, "3 of 6 colluders never reach 4");
    assert_eq!(e.root, None);
    assert_eq!(s.rewards_calls(), vec![budget_call(0)], "nothing settled");
    // the honest three cannot accept either: the epoch waits (or is abandoned by the DAO)
    for i in 0..3 {
        s.report(i, &good).unwrap();
    }
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
}

/// F2b (review): after the DAO raises `min_bond`, the first operator to top up used to snapshot every ended,
/// unreported epoch with operator_count = 1 and accept it alone. The electorate counts listed operators.
#[test]
fn review_first_topped_up_operator_accepts_alone_after_min_bond_raise_now_fails() {
    let mut s = Suite::new(3);
    s.end_epoch(2);
    raise_min_bond(&mut s, 2 * MIN_BOND);
    let op = s.op(0);
    s.exec_funds(&op, &ExecuteMsg::Bond {}, &coins(MIN_BOND, DENOM))
        .unwrap();
    for epoch in 0..=2 {
        let res = s.report(0, &fields(epoch, 0xbb, 1_000)).unwrap();
        assert_eq!(attr(&res, "operator_count").as_deref(), Some("3"));
        assert_eq!(attr(&res, "threshold").as_deref(), Some("2"));
        assert_eq!(s.epoch(epoch).status, EpochStatus::Reported);
    }
    // a second operator who tops up and agrees reaches the quorum, as it should
    let op = s.op(1);
    s.exec_funds(&op, &ExecuteMsg::Bond {}, &coins(MIN_BOND, DENOM))
        .unwrap();
    s.report(1, &fields(0, 0xbb, 1_000)).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
}

/// F3 (review): a report refused because the live budget moved after the operator computed its root forced a retry,
/// and the refused statement plus the retry made the operator slashable. The budget is now frozen at the epoch's
/// first report and `EpochBudget` answers the frozen figures: whatever the pool does afterwards, an operator that
/// computes against it is accepted the first time; there is no second statement to slash.
#[test]
fn review_retry_after_refused_report_is_no_longer_needed() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    s.set_budget(1_500);
    s.report(0, &fields(0, 0xaa, 1_500)).unwrap(); // the first report freezes 1,500
    s.set_budget(1_000); // the live budget drops (e.g. another epoch reserved the free pool)

    // what operator 1 reads before computing: the frozen figures
    let budget: EpochBudgetResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.rewards, &RewardsQueryMsg::EpochBudget { epoch: 0 })
        .unwrap();
    assert!(budget.frozen);
    assert_eq!(budget.device_budget, Uint128::new(1_500));
    let computed = fields(0, 0xaa, budget.device_budget.u128());
    s.report(1, &computed).unwrap(); // accepted the first time: no refused statement, no retry
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    assert_eq!(
        s.rewards_calls(),
        vec!["budget:0:1500".to_string(), settle_call(0, 1_500)]
    );
    assert!(s.operator(&s.op(1)).listed);
}

/// F4 (review): votes cast for a total the live budget no longer covers left the epoch stuck for good. With the
/// frozen budget the third identical report is accepted.
#[test]
fn review_epoch_stuck_after_budget_drop_now_fails() {
    let mut s = Suite::new(4);
    s.end_epoch(0);
    let t = fields(0, 0xaa, 1_000);
    s.report(0, &t).unwrap();
    s.report(1, &t).unwrap();
    s.set_budget(999);
    s.report(2, &t).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, 1_000)]);
}

/// F6: an operator re-added with a new key stays accountable for statements signed with its old key.
#[test]
fn evidence_signed_with_an_operators_old_key_is_accepted() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    let a = fields(0, 0xaa, 1_000);
    let b = fields(0, 0xbb, 1_000);
    s.report(0, &a).unwrap();
    let op1 = s.op(0);
    let on_chain = s
        .reports(0)
        .reports
        .iter()
        .find(|r| r.operator == op1)
        .unwrap()
        .signature
        .clone();
    let old_b = s.sign_by(0, &b);

    // the admin removes op1 and re-adds it with a new key
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::RemoveOperator {
            address: op1.to_string(),
        },
    )
    .unwrap();
    let new_key = OperatorKey::new(0x77);
    s.exec(
        &admin,
        &ExecuteMsg::AddOperator {
            address: op1.to_string(),
            pubkey: new_key.pubkey(),
        },
    )
    .unwrap();
    assert_eq!(s.operator(&op1).pubkey, new_key.pubkey());

    // another operator's key, or a key never registered, is still no evidence against op1
    let watcher = s.watcher.clone();
    let by_op2 = s.sign_by(1, &b);
    assert_eq!(
        s.exec(&watcher, &operator_evidence(&op1, &a, on_chain.clone(), &b, by_op2))
            .unwrap_err(),
        ContractError::InvalidEvidenceSignature {
            which: "b".to_string(),
            operator: op1.to_string()
        }
    );
    let stranger_sig = OperatorKey::new(0x66).sign(&s.statement(&b));
    assert!(matches!(
        s.exec(
            &watcher,
            &operator_evidence(&op1, &a, on_chain.clone(), &b, stranger_sig)
        )
        .unwrap_err(),
        ContractError::InvalidEvidenceSignature { .. }
    ));

    // old key + old key: slashed
    let res = s
        .exec(&watcher, &operator_evidence(&op1, &a, on_chain.clone(), &b, old_b))
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("operator_evidence"));
    assert_eq!(attr(&res, "amount"), Some((MIN_BOND / 10).to_string()));

    // old key + new key (another epoch): slashed as well
    s.exec(
        &admin,
        &ExecuteMsg::AddOperator {
            address: op1.to_string(),
            pubkey: new_key.pubkey(),
        },
    )
    .unwrap();
    let c = fields(1, 0xcc, 1);
    let d = fields(1, 0xdd, 1);
    let old_c = s.ops[0].1.sign(&s.statement(&c));
    let new_d = new_key.sign(&s.statement(&d));
    s.exec(&watcher, &operator_evidence(&op1, &c, old_c, &d, new_d))
        .unwrap();
}

/// F7: the device's own report timestamps are signed by the device and not trusted. A buyer holding the key who
/// backdates two equivocating reports to before the sale cannot get the seller's stake slashed: the offence time is
/// the evidence's submission time, so the current owner answers for the device.
#[test]
fn backdated_device_reports_slash_the_current_owner_not_the_seller() {
    let mut s = Suite::new(0);
    let (seller, buyer) = (s.addr("owner"), s.addr("owner2"));
    let key = DeviceKey::ed25519(9);
    let id = s.staked_device(&key, "code-9", &seller);
    // the registry tells staking about ownership changes
    let admin = s.admin.clone();
    s.app
        .execute_contract(
            admin,
            s.registry.clone(),
            &device_registry::msg::ExecuteMsg::SetStaking {
                staking: Some(s.staking.to_string()),
            },
            &[],
        )
        .unwrap();
    let before_sale = s.now();
    s.advance(600);
    s.app
        .execute_contract(
            seller.clone(),
            s.registry.clone(),
            &device_registry::msg::ExecuteMsg::TransferNft {
                recipient: buyer.to_string(),
                token_id: id.to_string(),
            },
            &[],
        )
        .unwrap();
    s.app
        .execute_contract(
            buyer.clone(),
            s.staking.clone(),
            &staking::msg::ExecuteMsg::Stake { device_id: id },
            &coins(MIN_STAKE, DENOM),
        )
        .unwrap();
    s.advance(600);

    // the buyer signs two reports with one sequence number, dated before the sale
    let mut r = telemetry(id, 5, 100);
    r.timestamp = before_sale.seconds();
    let a = r.encode(&s.chain_id()).unwrap();
    r.uptime_secs = 101;
    let b = r.encode(&s.chain_id()).unwrap();
    let watcher = s.watcher.clone();
    let res = s
        .exec(
            &watcher,
            &ExecuteMsg::SubmitDeviceEvidence {
                report_a: Binary::from(a.clone()),
                signature_a: key.sign(&a),
                report_b: Binary::from(b.clone()),
                signature_b: key.sign(&b),
            },
        )
        .unwrap();
    let offence = res
        .events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "offence_time")
        .map(|a| a.value.clone());
    assert_eq!(
        offence,
        Some(s.now().seconds().to_string()),
        "offence_time = the evidence's block time"
    );

    // the buyer's position is slashed; the seller's stake (unbonding since the sale) is untouched
    let position: staking::msg::PositionResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.staking,
            &staking::msg::QueryMsg::Position {
                device_id: id,
                staker: buyer.to_string(),
            },
        )
        .unwrap();
    assert_eq!(position.amount.u128(), MIN_STAKE - MIN_STAKE / 10);
    let seller_unbonding: staking::msg::UnbondingResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.staking,
            &staking::msg::QueryMsg::Unbonding {
                address: seller.to_string(),
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(seller_unbonding.total.u128(), MIN_STAKE);
    let device: edgemint_types::registry::DeviceResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.registry, &device_registry::msg::QueryMsg::Device { device_id: id })
        .unwrap();
    assert_eq!(device.status, edgemint_types::registry::DeviceStatus::Banned);
}
