//! Reports, quorum, acceptance, finality over time.

use cosmwasm_std::{Binary, HexBinary, Uint128};
use oracle_hub::msg::{CurrentEpochResponse, EpochStatus, ExecuteMsg, QueryMsg, ReportStatementResponse};
use oracle_hub::signature::{report_statement, sha256};
use oracle_hub::ContractError;

use crate::suite::*;

#[test]
fn quorum_exactly_at_threshold_two_of_three() {
    let mut s = Suite::new(3);
    let f = fields(0, 0xaa, 5_000 * EMC);
    s.end_epoch(0);

    let res = s.report(0, &f).unwrap();
    assert_eq!(attr(&res, "votes").as_deref(), Some("1"));
    assert_eq!(attr(&res, "threshold").as_deref(), Some("2"));
    assert_eq!(attr(&res, "operator_count").as_deref(), Some("3"));
    assert_eq!(attr(&res, "accepted").as_deref(), Some("false"));
    assert_eq!(attr(&res, "status").as_deref(), Some("reported"));
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    // the first report reserved and froze the budget; nothing is settled before the quorum
    assert_eq!(s.rewards_calls(), vec![budget_call(0)]);
    let r = s.reports(0);
    assert_eq!(r.device_budget, Uint128::new(BUDGET));
    assert_eq!(r.electorate, sorted(vec![s.op(0), s.op(1), s.op(2)]));

    // the second identical report reaches ceil(2/3 × 3) = 2
    let res = s.report(1, &f).unwrap();
    assert_eq!(attr(&res, "accepted").as_deref(), Some("true"));
    assert_eq!(attr(&res, "status").as_deref(), Some("accepted"));
    let now = s.now();
    let e = s.epoch(0);
    assert_eq!(e.status, EpochStatus::Accepted);
    assert_eq!(e.root, Some(f.root.clone()));
    assert_eq!(e.total_amount, f.total_amount);
    assert_eq!(e.device_count, 1000);
    assert_eq!(e.accepted_at, Some(now));
    assert_eq!(e.final_at, Some(now.plus_seconds(WINDOW)));
    assert_eq!(e.reporters, sorted(vec![s.op(0), s.op(1)]));
    assert_eq!(e.start, s.config().epoch_genesis);
    assert_eq!(e.end, s.config().epoch_genesis.plus_seconds(EPOCH));
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, 5_000 * EMC)]);

    // a matching report after acceptance joins the reporters and reserves nothing more
    let res = s.report(2, &f).unwrap();
    assert_eq!(attr(&res, "accepted").as_deref(), Some("false"));
    assert_eq!(attr(&res, "matches_accepted").as_deref(), Some("true"));
    assert_eq!(s.epoch(0).reporters, sorted(vec![s.op(0), s.op(1), s.op(2)]));
    assert_eq!(s.rewards_calls().len(), 2);
    let reports = s.reports(0);
    assert_eq!((reports.operator_count, reports.threshold), (3, 2));
    assert_eq!(reports.reports.len(), 3);
    assert!(reports.reports.iter().all(|r| r.votes == 3 && r.accepted));
}

#[test]
fn one_report_of_three_is_below_quorum() {
    // quorum 2/3 with 3 operators: 1 report never suffices, whatever the wait
    let mut s = Suite::new(3);
    s.end_epoch(0);
    s.report(0, &fields(0, 1, 10)).unwrap();
    s.advance(30 * 24 * 3600);
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    assert_eq!(s.epoch(0).root, None);
    assert_eq!(s.rewards_calls(), vec![budget_call(0)]);
}

#[test]
fn minority_root_never_accepted_and_never_pays() {
    let mut s = Suite::new(6); // threshold ceil(2/3 × 6) = 4
    let majority = fields(0, 0xaa, 1_000);
    let minority = fields(0, 0xbb, 2_000);
    s.end_epoch(0);
    s.report(0, &majority).unwrap();
    s.report(1, &minority).unwrap();
    s.report(2, &majority).unwrap();
    s.report(3, &majority).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Reported, "3 of 6 < 4");
    s.report(4, &majority).unwrap();
    let e = s.epoch(0);
    assert_eq!(e.status, EpochStatus::Accepted);
    assert_eq!(e.root, Some(majority.root.clone()));
    assert_eq!(e.reporters, sorted(vec![s.op(0), s.op(2), s.op(3), s.op(4)]));
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, 1_000)]);

    let reports = s.reports(0);
    let minority_report = reports.reports.iter().find(|r| r.operator == s.op(1)).unwrap();
    assert!(!minority_report.accepted);
    assert_eq!(minority_report.votes, 1);
    assert_eq!(minority_report.root, minority.root);

    // the minority root can never be accepted: more minority votes after acceptance change nothing
    let res = s.report(5, &minority).unwrap();
    assert_eq!(attr(&res, "matches_accepted").as_deref(), Some("false"));
    assert_eq!(s.epoch(0).root, Some(majority.root));
    assert_eq!(s.rewards_calls().len(), 2);
    s.advance(WINDOW);
    assert_eq!(s.epoch(0).status, EpochStatus::Final);
}

#[test]
fn same_root_different_total_or_commitment_does_not_add_up() {
    let mut s = Suite::new(4);
    s.end_epoch(0);
    let a = fields(0, 0xaa, 1_000);
    let mut other_total = a.clone();
    other_total.total_amount = Uint128::new(1_001);
    let mut other_commitment = a.clone();
    other_commitment.telemetry_commitment = HexBinary::from(vec![0x11; 32]);
    let mut other_count = a.clone();
    other_count.device_count += 1;
    s.report(0, &a).unwrap();
    s.report(1, &other_total).unwrap();
    s.report(2, &other_commitment).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    s.report(3, &other_count).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    assert!(s.reports(0).reports.iter().all(|r| r.votes == 1));
    assert_eq!(s.rewards_calls(), vec![budget_call(0)]);
}

#[test]
fn quorum_one_needs_every_operator() {
    let mut s = Suite::with(3, |m| m.quorum = Some(cosmwasm_std::Decimal::one()));
    let f = fields(0, 7, 7);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    s.report(2, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
}

#[test]
fn early_report_refused_until_the_epoch_ends() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1);
    let end = s.epoch_end(0);
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::EarlyReport { epoch: 0, ends_at: end }
    );
    s.set_time(end.minus_nanos(1));
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::EarlyReport { epoch: 0, ends_at: end }
    );
    assert_eq!(s.epoch(0).status, EpochStatus::Open);
    // a far future epoch
    let far = fields(1_000, 1, 1);
    assert!(matches!(
        s.report(0, &far).unwrap_err(),
        ContractError::EarlyReport { epoch: 1_000, .. }
    ));
    // an absurd epoch number is out of range, not a panic
    let absurd = fields(u64::MAX, 1, 1);
    assert_eq!(
        s.report(0, &absurd).unwrap_err(),
        ContractError::EpochOutOfRange { epoch: u64::MAX }
    );
    s.set_time(end);
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    s.report(0, &f).unwrap();
    assert!(s.reports(0).reports.len() == 1);
}

#[test]
fn late_report_refused_after_final() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    let final_at = s.epoch(0).final_at.unwrap();
    // still allowed one nanosecond before finality
    s.set_time(final_at.minus_nanos(1));
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    s.set_time(final_at);
    assert_eq!(s.epoch(0).status, EpochStatus::Final);
    assert_eq!(
        s.report(2, &f).unwrap_err(),
        ContractError::LateReport {
            epoch: 0,
            status: EpochStatus::Final
        }
    );
    assert_eq!(s.reports(0).reports.len(), 2);
}

#[test]
fn old_epochs_without_quorum_can_still_be_reported() {
    let mut s = Suite::new(3);
    s.end_epoch(5);
    // epoch 0 ended long ago but never reached quorum: still reportable
    s.report(0, &fields(0, 1, 1)).unwrap();
    s.report(1, &fields(0, 1, 1)).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    let current: CurrentEpochResponse = s.query(&QueryMsg::CurrentEpoch {}).unwrap();
    assert_eq!(current.epoch, 6);
    assert_eq!(current.start, s.epoch_end(5));
    assert_eq!(current.end, s.epoch_end(6));
    assert_eq!(s.epoch(6).status, EpochStatus::Open);
    assert_eq!(s.epoch(5).status, EpochStatus::Reported);
}

#[test]
fn status_transitions_over_time() {
    let mut s = Suite::new(3);
    let f = fields(2, 9, 99);
    let genesis = s.config().epoch_genesis;
    let current: CurrentEpochResponse = s.query(&QueryMsg::CurrentEpoch {}).unwrap();
    assert_eq!((current.epoch, current.start), (0, genesis));
    assert_eq!(s.epoch(2).status, EpochStatus::Open);
    s.set_time(genesis.plus_seconds(2 * EPOCH)); // epoch 2 running
    assert_eq!(s.epoch(2).status, EpochStatus::Open);
    let current: CurrentEpochResponse = s.query(&QueryMsg::CurrentEpoch {}).unwrap();
    assert_eq!(current.epoch, 2);
    s.end_epoch(2);
    assert_eq!(s.epoch(2).status, EpochStatus::Reported);
    s.report(0, &f).unwrap();
    assert_eq!(s.epoch(2).status, EpochStatus::Reported);
    s.advance(10);
    s.report(2, &f).unwrap();
    let e = s.epoch(2);
    assert_eq!(e.status, EpochStatus::Accepted);
    s.advance(WINDOW - 1);
    assert_eq!(s.epoch(2).status, EpochStatus::Accepted);
    s.advance(1);
    assert_eq!(s.epoch(2).status, EpochStatus::Final);
    s.advance(365 * 24 * 3600);
    let e2 = s.epoch(2);
    assert_eq!(e2.status, EpochStatus::Final);
    assert_eq!(e2.final_at, e.final_at, "finality needs no transaction and never moves");
}

#[test]
fn non_operator_and_unbonded_operator_refused() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1);
    s.end_epoch(0);

    // a stranger with a valid signature from some key
    let stranger = s.addr("stranger");
    let sig = OperatorKey::new(99).sign(&s.statement(&f));
    assert_eq!(
        s.report_signed(&stranger, &f, sig).unwrap_err(),
        ContractError::UnknownOperator {
            address: stranger.to_string()
        }
    );

    // listed but never bonded
    let op4 = s.add_bonded_operator(3, 0);
    assert_eq!(
        s.report(3, &f).unwrap_err(),
        ContractError::InsufficientBond {
            address: op4.to_string(),
            bonded: Uint128::zero(),
            min_bond: Uint128::new(MIN_BOND),
        }
    );
    // bonded, then unbonded below the minimum
    let op1 = s.op(0);
    s.exec(&op1, &ExecuteMsg::Unbond { amount: Uint128::one() }).unwrap();
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::InsufficientBond {
            address: op1.to_string(),
            bonded: Uint128::new(MIN_BOND - 1),
            min_bond: Uint128::new(MIN_BOND),
        }
    );
    // removed by the admin
    let admin = s.admin.clone();
    let op2 = s.op(1);
    s.exec(
        &admin,
        &oracle_hub::msg::ExecuteMsg::RemoveOperator {
            address: op2.to_string(),
        },
    )
    .unwrap();
    assert_eq!(
        s.report(1, &f).unwrap_err(),
        ContractError::NotListed {
            address: op2.to_string()
        }
    );
    assert!(s.reports(0).reports.is_empty(), "nothing recorded");
}

#[test]
fn electorate_is_fixed_at_the_first_report() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    // the set grows to 5 after the first report: the epoch keeps its electorate of 3, threshold 2
    s.add_bonded_operator(3, MIN_BOND);
    s.add_bonded_operator(4, MIN_BOND);
    assert_eq!(s.config().active_operators, 5);
    let r = s.reports(0);
    assert_eq!((r.operator_count, r.threshold), (3, 2));
    assert_eq!(r.electorate, sorted(vec![s.op(0), s.op(1), s.op(2)]));
    // a newly added (active) operator is not in the electorate: it may not report for the epoch
    assert_eq!(
        s.report(4, &f).unwrap_err(),
        ContractError::NotInElectorate {
            epoch: 0,
            operator: s.op(4).to_string()
        }
    );
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    assert_eq!(s.epoch(0).reporters, sorted(vec![s.op(0), s.op(1)]));

    // the next epoch snapshots 5 operators: threshold 4
    s.end_epoch(1);
    let g = fields(1, 2, 2);
    s.report(4, &g).unwrap();
    let r = s.reports(1);
    assert_eq!((r.operator_count, r.threshold), (5, 4));
    assert_eq!(r.electorate.len(), 5);
}

#[test]
fn electorate_counts_listed_operators_whatever_their_bond() {
    let mut s = Suite::new(3);
    // listed, never bonded: in the electorate (denominator) but may not report until it bonds
    let op4 = s.add_bonded_operator(3, 0);
    s.end_epoch(0);
    let f = fields(0, 1, 1);
    s.report(0, &f).unwrap();
    let r = s.reports(0);
    assert_eq!((r.operator_count, r.threshold), (4, 3));
    assert!(r.electorate.contains(&op4));
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Reported, "2 of 4 < 3");
    assert!(matches!(
        s.report(3, &f).unwrap_err(),
        ContractError::InsufficientBond { .. }
    ));
    s.exec_funds(&op4, &ExecuteMsg::Bond {}, &cosmwasm_std::coins(MIN_BOND, DENOM))
        .unwrap();
    s.report(3, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);

    // a member removed after the snapshot still counts in the denominator but may not report
    s.end_epoch(1);
    let g = fields(1, 2, 2);
    s.report(0, &g).unwrap();
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::RemoveOperator {
            address: s.op(1).to_string(),
        },
    )
    .unwrap();
    assert!(matches!(s.report(1, &g).unwrap_err(), ContractError::NotListed { .. }));
    assert_eq!((s.reports(1).operator_count, s.reports(1).threshold), (4, 3));
}

#[test]
fn first_report_needs_min_operators_listed() {
    let mut s = Suite::new(2);
    s.end_epoch(0);
    let f = fields(0, 1, 1);
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::TooFewOperators { listed: 2, min: 3 }
    );
    assert!(s.reports(0).reports.is_empty());
    assert!(s.rewards_calls().is_empty(), "nothing reserved");
    assert!(!s.config().epoch_timing_locked);
    // bonds do not matter, listing does: a third listed (unbonded) operator is enough to open the epoch
    s.add_bonded_operator(2, 0);
    s.report(0, &f).unwrap();
    assert_eq!(s.reports(0).operator_count, 3);

    // the DAO sets min_operators (1..=50)
    let admin = s.admin.clone();
    for bad in [0, 51] {
        assert_eq!(
            s.exec(
                &admin,
                &update_config(|c| {
                    if let ExecuteMsg::UpdateConfig { min_operators, .. } = c {
                        *min_operators = Some(bad);
                    }
                })
            )
            .unwrap_err(),
            ContractError::InvalidMinOperators { value: bad, max: 50 }
        );
    }
    s.exec(
        &admin,
        &update_config(|c| {
            if let ExecuteMsg::UpdateConfig { min_operators, .. } = c {
                *min_operators = Some(4);
            }
        }),
    )
    .unwrap();
    assert_eq!(s.config().min_operators, 4);
    s.end_epoch(1);
    assert_eq!(
        s.report(0, &fields(1, 1, 1)).unwrap_err(),
        ContractError::TooFewOperators { listed: 3, min: 4 }
    );
    // an epoch that already has its electorate is not affected
    s.report(1, &f).unwrap();
}

#[test]
fn second_report_by_the_same_operator_refused() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    let a = fields(0, 1, 1);
    let b = fields(0, 2, 2);
    s.report(0, &a).unwrap();
    let op1 = s.op(0);
    for f in [&a, &b] {
        assert_eq!(
            s.report(0, f).unwrap_err(),
            ContractError::AlreadyReported {
                epoch: 0,
                operator: op1.to_string()
            }
        );
    }
    let r = s.reports(0);
    assert_eq!(r.reports.len(), 1);
    assert_eq!(r.reports[0].root, a.root);
    // also after acceptance
    s.report(1, &a).unwrap();
    assert!(matches!(
        s.report(1, &a).unwrap_err(),
        ContractError::AlreadyReported { .. }
    ));
}

#[test]
fn bad_signatures_refused() {
    let mut s = Suite::new(3);
    s.end_epoch(1);
    let f = fields(0, 1, 1);
    let op1 = s.op(0);
    let invalid = ContractError::InvalidSignature {
        operator: op1.to_string(),
    };
    // another operator's key
    let sig = s.sign_by(1, &f);
    assert_eq!(s.report_signed(&op1, &f, sig).unwrap_err(), invalid);
    // own key, other contents (total, epoch)
    let mut other = f.clone();
    other.total_amount = Uint128::new(2);
    let sig = s.sign_by(0, &other);
    assert_eq!(s.report_signed(&op1, &f, sig).unwrap_err(), invalid);
    let sig = s.sign_by(0, &fields(1, 1, 1));
    assert_eq!(s.report_signed(&op1, &f, sig).unwrap_err(), invalid);
    // own key over the statement for another chain / another hub
    let other_chain = report_statement(
        "edgemint-1",
        s.hub.as_str(),
        0,
        f.root.as_slice(),
        f.total_amount,
        f.device_count,
        f.telemetry_commitment.as_slice(),
    );
    let sig = s.ops[0].1.sign(&other_chain);
    assert_eq!(s.report_signed(&op1, &f, sig).unwrap_err(), invalid);
    let other_hub = report_statement(
        &s.chain_id(),
        s.rewards.as_str(),
        0,
        f.root.as_slice(),
        f.total_amount,
        f.device_count,
        f.telemetry_commitment.as_slice(),
    );
    let sig = s.ops[0].1.sign(&other_hub);
    assert_eq!(s.report_signed(&op1, &f, sig).unwrap_err(), invalid);
    // malformed signatures
    for sig in [vec![], vec![0u8; 63], vec![0u8; 64], vec![1u8; 65]] {
        assert_eq!(s.report_signed(&op1, &f, Binary::from(sig)).unwrap_err(), invalid);
    }
    assert!(s.reports(0).reports.is_empty());
    // and the right one passes
    s.report(0, &f).unwrap();
}

#[test]
fn hashes_must_be_32_bytes() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    let mut f = fields(0, 1, 1);
    f.root = HexBinary::from(vec![1; 31]);
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::InvalidHash {
            field: "root".to_string(),
            len: 31
        }
    );
    let mut f = fields(0, 1, 1);
    f.telemetry_commitment = HexBinary::from(vec![1; 33]);
    assert_eq!(
        s.report(0, &f).unwrap_err(),
        ContractError::InvalidHash {
            field: "telemetry_commitment".to_string(),
            len: 33
        }
    );
}

#[test]
fn reserve_failure_fails_the_first_report() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1_000);
    s.end_epoch(0);
    s.set_reject(true);
    let sig = s.sign_by(0, &f);
    let op1 = s.op(0);
    let err = s.exec_any(&op1, &submit(&f, sig), &[]).unwrap_err();
    assert!(
        format!("{err:?}").contains("mock rewards: reservation refused"),
        "{err:?}"
    );
    // nothing of the failed report was kept: no electorate, no reservation
    let r = s.reports(0);
    assert!(r.reports.is_empty() && r.electorate.is_empty());
    assert_eq!(r.operator_count, 0);
    s.set_reject(false);
    s.report(0, &f).unwrap();
    assert_eq!(s.rewards_calls(), vec![budget_call(0)]);
}

#[test]
fn settle_failure_fails_the_report_that_reaches_quorum() {
    let mut s = Suite::new(3);
    let f = fields(0, 1, 1_000);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.set_reject(true);
    let sig = s.sign_by(1, &f);
    let op2 = s.op(1);
    let err = s.exec_any(&op2, &submit(&f, sig), &[]).unwrap_err();
    assert!(
        format!("{err:?}").contains("mock rewards: settlement refused"),
        "{err:?}"
    );
    // nothing of the failed report was kept
    assert_eq!(s.epoch(0).status, EpochStatus::Reported);
    assert_eq!(s.reports(0).reports.len(), 1);
    assert_eq!(s.rewards_calls(), vec![budget_call(0)]);
    // once the rewards contract accepts, the same report goes through
    s.set_reject(false);
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, 1_000)]);
}

#[test]
fn total_above_the_device_budget_refused_before_it_is_recorded() {
    let mut s = Suite::new(3);
    s.set_budget(999);
    s.end_epoch(0);
    assert_eq!(
        s.report(0, &fields(0, 1, 1_000)).unwrap_err(),
        ContractError::TotalExceedsBudget {
            epoch: 0,
            total: Uint128::new(1_000),
            budget: Uint128::new(999)
        }
    );
    assert!(s.rewards_calls().is_empty(), "the refused first report froze nothing");
    s.report(0, &fields(0, 1, 999)).unwrap();
    assert_eq!(s.rewards_calls(), vec!["budget:0:999".to_string()]);
    assert_eq!(s.reports(0).device_budget, Uint128::new(999));
}

#[test]
fn budget_is_frozen_at_the_first_report_for_every_reporter() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    let f = fields(0, 1, 1_000);
    s.report(0, &f).unwrap();
    // the live budget drops (and rises) later: the epoch's frozen budget does not move
    s.set_budget(10);
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
    s.set_budget(10 * BUDGET);
    let above = fields(0, 2, BUDGET + 1);
    assert_eq!(
        s.report(2, &above).unwrap_err(),
        ContractError::TotalExceedsBudget {
            epoch: 0,
            total: Uint128::new(BUDGET + 1),
            budget: Uint128::new(BUDGET)
        }
    );
    // the next epoch freezes the live budget of its own first report
    s.end_epoch(1);
    s.report(2, &fields(1, 1, 10 * BUDGET)).unwrap();
    assert_eq!(s.reports(1).device_budget, Uint128::new(10 * BUDGET));
}

#[test]
fn reports_refused_until_rewards_is_set() {
    let mut s = Suite::with(0, |_| {});
    // rebuild a hub without rewards: instantiate a second one
    let mut msg = default_msg(&s.app);
    msg.registry = s.registry.to_string();
    msg.staking = s.staking.to_string();
    let admin = s.admin.clone();
    let hub =
        cw_multi_test::Executor::instantiate_contract(&mut s.app, s.hub_code, admin, &msg, &[], "hub2", None).unwrap();
    s.hub = hub;
    for i in 0..3 {
        s.add_bonded_operator(i, MIN_BOND);
    }
    s.end_epoch(0);
    assert_eq!(s.config().rewards, None);
    assert_eq!(
        s.report(0, &fields(0, 1, 1)).unwrap_err(),
        ContractError::RewardsNotSet {}
    );
    let rewards = s.rewards.to_string();
    s.update_rewards(&rewards).unwrap();
    // the mock only accepts reservations from the first hub: the report is still refused, by the rewards contract
    let (op1, f) = (s.op(0), fields(0, 1, 1));
    let sig = s.sign_by(0, &f);
    let err = s.exec_any(&op1, &submit(&f, sig), &[]).unwrap_err();
    assert!(format!("{err:?}").contains("only the hub reserves"), "{err:?}");
}

#[test]
fn amounts_of_10_pow_17() {
    let mut s = Suite::new(0);
    for i in 0..3 {
        s.add_bonded_operator(i, SUPPLY);
    }
    let f = fields(0, 0x5a, SUPPLY);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    let e = s.epoch(0);
    assert_eq!(e.total_amount, Uint128::new(SUPPLY));
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, SUPPLY)]);
    assert_eq!(s.operator(&s.op(0)).bonded, Uint128::new(SUPPLY));
    s.assert_balance_invariant();
}

#[test]
fn report_statement_query_matches_the_documented_format() {
    let s = Suite::new(0);
    let f = fields(3, 0xab, 123_456);
    let res: ReportStatementResponse = s
        .query(&QueryMsg::ReportStatement {
            epoch: 3,
            root: f.root.clone(),
            total_amount: f.total_amount,
            device_count: f.device_count,
            telemetry_commitment: f.telemetry_commitment.clone(),
        })
        .unwrap();
    let expected = format!(
        "edgemint-report/v1\n{}\n{}\n3\n{}\n123456\n1000\n{}",
        s.chain_id(),
        s.hub,
        "ab".repeat(32),
        "54".repeat(32)
    );
    assert_eq!(res.text, expected);
    assert_eq!(res.statement.as_slice(), expected.as_bytes());
    assert_eq!(res.hash.as_slice(), sha256(expected.as_bytes()));
}

#[test]
fn hub_query_msg_is_a_subset_of_query_msg() {
    use edgemint_types::oracle::HubQueryMsg;
    let a = cosmwasm_std::to_json_string(&HubQueryMsg::Epoch { epoch: 7 }).unwrap();
    let b = cosmwasm_std::to_json_string(&QueryMsg::Epoch { epoch: 7 }).unwrap();
    assert_eq!(a, b);
    let a = cosmwasm_std::to_json_string(&HubQueryMsg::CurrentEpoch {}).unwrap();
    let b = cosmwasm_std::to_json_string(&QueryMsg::CurrentEpoch {}).unwrap();
    assert_eq!(a, b);
    // and other contracts can query through the shared enum
    let s = Suite::new(0);
    let e: oracle_hub::msg::EpochResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.hub, &HubQueryMsg::Epoch { epoch: 0 })
        .unwrap();
    assert_eq!(e.status, EpochStatus::Open);
}

pub fn sorted(mut v: Vec<cosmwasm_std::Addr>) -> Vec<cosmwasm_std::Addr> {
    v.sort();
    v
}
