//! Operator equivocation: two signed statements for one epoch with different contents.

use cosmwasm_std::{Binary, Uint128};
use oracle_hub::msg::{EvidenceKey, EvidenceUsedResponse, ExecuteMsg, QueryMsg, ReportFields};
use oracle_hub::signature::report_statement;
use oracle_hub::ContractError;

use crate::suite::*;

fn evidence(operator: &cosmwasm_std::Addr, a: &ReportFields, sa: Binary, b: &ReportFields, sb: Binary) -> ExecuteMsg {
    ExecuteMsg::SubmitOperatorEvidence {
        operator: operator.to_string(),
        statement_a: a.clone(),
        signature_a: sa,
        statement_b: b.clone(),
        signature_b: sb,
    }
}

#[test]
fn equivocating_operator_is_slashed_bounty_and_pool_split_exact() {
    let mut s = Suite::new(0);
    // op1 bonds the whole supply: 10^17
    let op1 = s.add_bonded_operator(0, SUPPLY);
    s.add_bonded_operator(1, MIN_BOND);
    s.add_bonded_operator(2, MIN_BOND);

    // op1 reports A on chain and signs B off chain (e.g. sent to a peer)
    let a = fields(0, 0xaa, 1_000);
    let b = fields(0, 0xbb, 1_000);
    s.end_epoch(0);
    s.report(0, &a).unwrap();
    let on_chain_sig = s.reports(0).reports[0].signature.clone();
    let off_chain_sig = s.sign_by(0, &b);

    let watcher = s.watcher.clone();
    let watcher_before = s.balance(&watcher);
    let res = s
        .exec(
            &watcher,
            &evidence(&op1, &a, on_chain_sig.clone(), &b, off_chain_sig.clone()),
        )
        .unwrap();

    // 10% of 10^17 slashed; 25% of that to the watcher, the rest to the rewards pool as revenue
    let slashed = SUPPLY / 10;
    let bounty = slashed / 4;
    let to_pool = slashed - bounty;
    assert_eq!(attr(&res, "action").as_deref(), Some("operator_evidence"));
    assert_eq!(attr(&res, "amount"), Some(slashed.to_string()));
    assert_eq!(attr(&res, "bounty"), Some(bounty.to_string()));
    assert_eq!(attr(&res, "to_pool"), Some(to_pool.to_string()));
    assert_eq!(attr(&res, "removed").as_deref(), Some("true"));
    assert_eq!(s.balance(&watcher), watcher_before + bounty);
    assert_eq!(s.balance(&s.rewards), to_pool);
    assert_eq!(
        s.rewards_calls(),
        vec![budget_call(0), format!("revenue:{}:{to_pool}{DENOM}", s.hub)]
    );
    let op = s.operator(&op1);
    assert_eq!(op.bonded, Uint128::new(SUPPLY - slashed));
    assert!(!op.listed && !op.active);
    assert_eq!(s.config().listed_operators, 2);
    s.assert_balance_invariant();

    // the evidence is spent, in either order and with any other pair for that epoch
    let used: EvidenceUsedResponse = s
        .query(&QueryMsg::EvidenceUsed {
            evidence: EvidenceKey::Operator {
                operator: op1.to_string(),
                epoch: 0,
            },
        })
        .unwrap();
    assert!(used.used);
    assert_eq!(used.reporter, Some(watcher.clone()));
    let reused = ContractError::OperatorEvidenceUsed {
        operator: op1.to_string(),
        epoch: 0,
    };
    assert_eq!(
        s.exec(
            &watcher,
            &evidence(&op1, &a, on_chain_sig.clone(), &b, off_chain_sig.clone())
        )
        .unwrap_err(),
        reused
    );
    let c = fields(0, 0xcc, 1);
    let c_sig = s.sign_by(0, &c);
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &b, off_chain_sig, &c, c_sig))
            .unwrap_err(),
        reused
    );
    // the removed operator can no longer report
    s.end_epoch(1);
    assert!(matches!(
        s.report(0, &fields(1, 1, 1)).unwrap_err(),
        ContractError::NotListed { .. }
    ));
    // its report for epoch 0 stays counted (it was a validly signed report)
    s.report(1, &a).unwrap();
    assert_eq!(s.epoch(0).status, oracle_hub::msg::EpochStatus::Accepted);
}

#[test]
fn slash_includes_still_unbonding_entries_only() {
    let mut s = Suite::new(0);
    let op1 = s.add_bonded_operator(0, 10_005);
    s.exec(
        &op1,
        &ExecuteMsg::Unbond {
            amount: Uint128::new(1_000),
        },
    )
    .unwrap();
    s.advance(UNBONDING); // matured, not claimed: no longer at risk
    s.exec(
        &op1,
        &ExecuteMsg::Unbond {
            amount: Uint128::new(2_000),
        },
    )
    .unwrap(); // still unbonding
    s.exec(
        &op1,
        &ExecuteMsg::Unbond {
            amount: Uint128::new(5),
        },
    )
    .unwrap(); // 10% rounds down to 0

    let a = fields(3, 1, 1);
    let b = fields(3, 2, 1);
    let (sa, sb) = (s.sign_by(0, &a), s.sign_by(0, &b));
    let watcher = s.watcher.clone();
    let res = s.exec(&watcher, &evidence(&op1, &a, sa, &b, sb)).unwrap();
    // bond 7_000 × 10% = 700; entries: 2_000 → 200, 5 → 0, matured 1_000 untouched
    assert_eq!(attr(&res, "slashed_bond").as_deref(), Some("700"));
    assert_eq!(attr(&res, "slashed_unbonding").as_deref(), Some("200"));
    assert_eq!(attr(&res, "amount").as_deref(), Some("900"));
    assert_eq!(attr(&res, "bounty").as_deref(), Some("225"));
    assert_eq!(attr(&res, "to_pool").as_deref(), Some("675"));
    assert!(res.events.iter().any(|e| e.ty == "wasm-slash_operator_unbonding"));
    let op = s.operator(&op1);
    assert_eq!(op.bonded, Uint128::new(6_300));
    let amounts: Vec<u128> = op.unbonding_entries.iter().map(|e| e.amount.u128()).collect();
    assert_eq!(amounts, vec![1_000, 1_800, 5]);
    s.assert_balance_invariant();
    // the matured entry is still claimable in full
    let before = s.balance(&op1);
    s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap();
    assert_eq!(s.balance(&op1), before + 1_000);
    s.assert_balance_invariant();
}

#[test]
fn forged_or_invalid_evidence_refused() {
    let mut s = Suite::new(3);
    let op1 = s.op(0);
    let watcher = s.watcher.clone();
    let a = fields(0, 1, 1);
    let b = fields(0, 2, 1);
    let sa = s.sign_by(0, &a);
    let sb = s.sign_by(0, &b);

    // statement b signed by another operator
    let forged = s.sign_by(1, &b);
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &a, sa.clone(), &b, forged))
            .unwrap_err(),
        ContractError::InvalidEvidenceSignature {
            which: "b".to_string(),
            operator: op1.to_string()
        }
    );
    // signature a over b's statement
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &a, sb.clone(), &b, sb.clone()))
            .unwrap_err(),
        ContractError::InvalidEvidenceSignature {
            which: "a".to_string(),
            operator: op1.to_string()
        }
    );
    // statements signed for another chain do not count here
    let other_chain = |f: &ReportFields| {
        report_statement(
            "edgemint-1",
            s.hub.as_str(),
            f.epoch,
            f.root.as_slice(),
            f.total_amount,
            f.device_count,
            f.telemetry_commitment.as_slice(),
        )
    };
    let (xa, xb) = (s.ops[0].1.sign(&other_chain(&a)), s.ops[0].1.sign(&other_chain(&b)));
    assert!(matches!(
        s.exec(&watcher, &evidence(&op1, &a, xa, &b, xb)).unwrap_err(),
        ContractError::InvalidEvidenceSignature { .. }
    ));
    // identical statements are no equivocation
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &a, sa.clone(), &a, sa.clone()))
            .unwrap_err(),
        ContractError::IdenticalStatements {}
    );
    // different epochs are no equivocation
    let c = fields(1, 2, 1);
    let sc = s.sign_by(0, &c);
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &a, sa.clone(), &c, sc)).unwrap_err(),
        ContractError::EvidenceEpochMismatch { a: 0, b: 1 }
    );
    // not an operator
    let stranger = s.addr("stranger");
    assert_eq!(
        s.exec(&watcher, &evidence(&stranger, &a, sa.clone(), &b, sb.clone()))
            .unwrap_err(),
        ContractError::UnknownOperator {
            address: stranger.to_string()
        }
    );
    // malformed root in a statement
    let mut bad = b.clone();
    bad.root = cosmwasm_std::HexBinary::from(vec![1u8; 3]);
    assert!(matches!(
        s.exec(&watcher, &evidence(&op1, &a, sa.clone(), &bad, sb.clone()))
            .unwrap_err(),
        ContractError::InvalidHash { .. }
    ));
    // nothing happened
    assert!(s.operator(&op1).listed);
    assert_eq!(s.operator(&op1).bonded, Uint128::new(MIN_BOND));
    assert!(s.rewards_calls().is_empty());

    // the genuine pair works
    s.exec(&watcher, &evidence(&op1, &a, sa, &b, sb)).unwrap();
    assert!(!s.operator(&op1).listed);
}

#[test]
fn evidence_needs_the_rewards_contract_for_the_pool_share() {
    let mut s = Suite::new(0);
    let mut msg = default_msg(&s.app);
    msg.registry = s.registry.to_string();
    msg.staking = s.staking.to_string();
    let admin = s.admin.clone();
    s.hub =
        cw_multi_test::Executor::instantiate_contract(&mut s.app, s.hub_code, admin, &msg, &[], "hub2", None).unwrap();
    let op1 = s.add_bonded_operator(0, MIN_BOND);
    let a = fields(0, 1, 1);
    let b = fields(0, 2, 1);
    let (sa, sb) = (s.sign_by(0, &a), s.sign_by(0, &b));
    let watcher = s.watcher.clone();
    assert_eq!(
        s.exec(&watcher, &evidence(&op1, &a, sa, &b, sb)).unwrap_err(),
        ContractError::RewardsNotSet {}
    );
    assert!(s.operator(&op1).listed);
}
