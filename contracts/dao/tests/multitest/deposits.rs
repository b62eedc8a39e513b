//! Deposits: exact amount, the three refund policies for passed, rejected, vetoed and no-with-veto'ed proposals,
//! and the reserve that keeps proposals from spending other proposals' deposits.

use cosmwasm_std::{coin, coins, Uint128};
use dao::msg::{DepositOutcome, RefundPolicy, Status, Vote};
use dao::ContractError;

use crate::suite::*;

fn suite(policy: RefundPolicy) -> Suite {
    let mut s = Suite::with(|m| m.config.deposit = deposit(policy));
    s.powers(&[("alice", 60), ("bob", 40)]);
    s
}

fn outcome(s: &Suite, id: u64) -> Option<DepositOutcome> {
    s.proposal(id).deposit.expect("deposit").outcome
}

/// Runs one passed-and-executed and one rejected-and-closed proposal; returns alice's balance changes.
fn passed_and_rejected(policy: RefundPolicy) -> (Suite, u64, u64) {
    let mut s = suite(policy);
    let start = s.balance_of("alice");
    let passed = s.propose_with_deposit("alice", vec![]).unwrap();
    let rejected = s.propose_with_deposit("alice", vec![]).unwrap();
    assert_eq!(s.balance_of("alice"), start - 2 * DEPOSIT);
    assert_eq!(s.treasury().deposits_held, Uint128::new(2 * DEPOSIT));
    s.vote("alice", passed, Vote::Yes).unwrap();
    s.vote("bob", passed, Vote::Yes).unwrap();
    s.vote("alice", rejected, Vote::No).unwrap();
    assert_eq!(s.proposal(rejected).status, Status::Rejected);
    s.execute("anyone", passed).unwrap();
    s.close("anyone", rejected).unwrap();
    assert_eq!(s.proposal(rejected).status, Status::Closed);
    assert_eq!(s.treasury().deposits_held, Uint128::zero());
    (s, passed, rejected)
}

#[test]
fn always_refunds_passed_and_rejected() {
    let (s, passed, rejected) = passed_and_rejected(RefundPolicy::Always);
    assert_eq!(outcome(&s, passed), Some(DepositOutcome::Refunded));
    assert_eq!(outcome(&s, rejected), Some(DepositOutcome::Refunded));
    assert_eq!(s.balance(&s.dao), 0);
}

#[test]
fn only_passed_refunds_passed_and_keeps_rejected() {
    let (s, passed, rejected) = passed_and_rejected(RefundPolicy::OnlyPassed);
    assert_eq!(outcome(&s, passed), Some(DepositOutcome::Refunded));
    assert_eq!(outcome(&s, rejected), Some(DepositOutcome::Forfeited));
    assert_eq!(s.balance(&s.dao), DEPOSIT);
}

#[test]
fn never_keeps_both() {
    let (s, passed, rejected) = passed_and_rejected(RefundPolicy::Never);
    assert_eq!(outcome(&s, passed), Some(DepositOutcome::Forfeited));
    assert_eq!(outcome(&s, rejected), Some(DepositOutcome::Forfeited));
    assert_eq!(s.balance(&s.dao), 2 * DEPOSIT);
    assert_eq!(s.treasury().spendable, Uint128::new(2 * DEPOSIT));
}

#[test]
fn a_failed_execution_still_refunds_a_passed_proposal() {
    let mut s = suite(RefundPolicy::OnlyPassed);
    let start = s.balance_of("alice");
    let bad = s.send_msg("carol", 1_000_000 * EMC);
    let id = s.propose_with_deposit("alice", vec![bad]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::ExecutionFailed);
    assert_eq!(outcome(&s, id), Some(DepositOutcome::Refunded));
    assert_eq!(s.balance_of("alice"), start);
}

#[test]
fn no_with_veto_forfeits_even_under_always() {
    let mut s = suite(RefundPolicy::Always);
    let start = s.balance_of("alice");
    let id = s.propose_with_deposit("alice", vec![]).unwrap();
    // 40 of 100 no_with_veto is a certain veto (> 33%)
    s.vote("bob", id, Vote::NoWithVeto).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Rejected);
    assert!(p.veto_votes_exceeded);
    let res = s.close("anyone", id).unwrap();
    assert_eq!(attr(&res, "deposit").as_deref(), Some("forfeited"));
    assert_eq!(s.balance_of("alice"), start - DEPOSIT);
    assert_eq!(s.balance(&s.dao), DEPOSIT);
}

#[test]
fn close_only_rejected_and_only_once() {
    let mut s = suite(RefundPolicy::Always);
    let id = s.propose_with_deposit("alice", vec![]).unwrap();
    assert_eq!(
        s.close("anyone", id).unwrap_err(),
        ContractError::NotRejected {
            proposal_id: id,
            status: Status::Open
        }
    );
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    assert_eq!(
        s.close("anyone", id).unwrap_err(),
        ContractError::NotRejected {
            proposal_id: id,
            status: Status::Passed
        }
    );
    // rejected at the end of the voting period (nobody voted): closable by anyone, once
    let id = s.propose_with_deposit("bob", vec![]).unwrap();
    s.advance(PERIOD);
    let bob = s.balance_of("bob");
    s.close("mallory", id).unwrap();
    assert_eq!(s.balance_of("bob"), bob + DEPOSIT);
    assert_eq!(
        s.close("mallory", id).unwrap_err(),
        ContractError::NotRejected {
            proposal_id: id,
            status: Status::Closed
        }
    );
    assert_eq!(s.balance_of("bob"), bob + DEPOSIT);
}

#[test]
fn the_deposit_must_be_exact() {
    let mut s = suite(RefundPolicy::Always);
    let expected = format!("{DEPOSIT}{DENOM}");
    let wrong = ContractError::WrongDeposit { expected };
    for funds in [
        vec![],
        coins(DEPOSIT - 1, DENOM),
        coins(DEPOSIT + 1, DENOM),
        coins(DEPOSIT, "uatom"),
        vec![coin(DEPOSIT, DENOM), coin(1, "uatom")],
    ] {
        assert_eq!(
            s.propose_funds("alice", vec![], &funds).unwrap_err(),
            wrong,
            "{funds:?}"
        );
    }
    assert_eq!(s.treasury().deposits_held, Uint128::zero());
}

#[test]
fn a_proposal_cannot_spend_other_proposals_deposits() {
    let mut s = suite(RefundPolicy::Always);
    s.fund_treasury(100);
    let pending = s.propose_with_deposit("bob", vec![]).unwrap();
    // spends the treasury plus bob's deposit
    let greedy = s.send_msg("mallory", 100 + DEPOSIT);
    let id = s.propose_with_deposit("alice", vec![greedy]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    let t = s.treasury();
    assert_eq!(t.deposits_held, Uint128::new(2 * DEPOSIT));
    assert_eq!(t.spendable, Uint128::new(100));
    s.execute("anyone", id).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::ExecutionFailed, "{p:?}");
    assert_eq!(s.balance_of("mallory"), 10 * SUPPLY);
    // the spendable part alone is fine
    let fair = s.send_msg("mallory", 100);
    let id = s.propose_with_deposit("alice", vec![fair]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
    assert_eq!(s.balance_of("mallory"), 10 * SUPPLY + 100);
    // bob's deposit is still there to refund
    s.vote("alice", pending, Vote::No).unwrap();
    let bob = s.balance_of("bob");
    s.close("anyone", pending).unwrap();
    assert_eq!(s.balance_of("bob"), bob + DEPOSIT);
}
