//! The veto timelock: the vetoer vetoes passed proposals while they wait, may execute early if allowed, and may
//! veto open ones only with `veto_before_passed`.

use dao::msg::{DepositOutcome, RefundPolicy, Status, Vote};
use dao::ContractError;

use crate::suite::*;

fn suite(early_execute: bool, veto_before_passed: bool, policy: RefundPolicy) -> Suite {
    let app = new_app();
    let veto = veto_config(&app, early_execute, veto_before_passed);
    let mut s = Suite::with(|m| {
        m.config.veto = veto;
        m.config.deposit = deposit(policy);
    });
    s.powers(&[("alice", 60), ("bob", 40)]);
    s
}

fn passed(s: &mut Suite) -> u64 {
    let msg = s.send_msg("carol", 1);
    let id = s.propose_with_deposit("alice", vec![msg]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    id
}

#[test]
fn a_passed_proposal_waits_out_the_timelock() {
    let mut s = suite(false, false, RefundPolicy::Always);
    s.fund_treasury(1);
    let id = passed(&mut s);
    let p = s.proposal(id);
    assert_eq!(p.status, Status::VetoTimelock);
    let until = s.now().plus_seconds(TIMELOCK);
    assert_eq!(p.timelock_until, Some(until));
    for who in ["anyone", "alice", "vetoer"] {
        assert_eq!(
            s.execute(who, id).unwrap_err(),
            ContractError::TimelockNotExpired { proposal_id: id, until }
        );
    }
    s.advance(TIMELOCK - 1);
    assert!(s.execute("anyone", id).is_err());
    s.advance(1);
    assert_eq!(s.proposal(id).status, Status::Passed);
    // too late to veto
    assert_eq!(
        s.veto("vetoer", id).unwrap_err(),
        ContractError::NotVetoable {
            proposal_id: id,
            status: Status::Passed
        }
    );
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
}

#[test]
fn the_vetoer_vetoes_during_the_timelock() {
    let mut s = suite(false, false, RefundPolicy::OnlyPassed);
    let id = passed(&mut s);
    assert!(matches!(
        s.veto("alice", id).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let alice = s.balance_of("alice");
    let res = s.veto("vetoer", id).unwrap();
    assert_eq!(attr(&res, "before").as_deref(), Some("veto_timelock"));
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Vetoed);
    // only `always` refunds a vetoed proposal
    assert_eq!(p.deposit.unwrap().outcome, Some(DepositOutcome::Forfeited));
    assert_eq!(s.balance_of("alice"), alice);
    s.advance(TIMELOCK);
    assert_eq!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::NotPassed {
            proposal_id: id,
            status: Status::Vetoed
        }
    );
    assert!(s.veto("vetoer", id).is_err());

    let mut s = suite(false, false, RefundPolicy::Always);
    let id = passed(&mut s);
    let alice = s.balance_of("alice");
    s.veto("vetoer", id).unwrap();
    assert_eq!(s.balance_of("alice"), alice + DEPOSIT);
}

#[test]
fn early_execution_by_the_vetoer_only_when_allowed() {
    let mut s = suite(true, false, RefundPolicy::Always);
    s.fund_treasury(1);
    let id = passed(&mut s);
    assert!(matches!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::TimelockNotExpired { .. }
    ));
    let carol = s.balance_of("carol");
    s.execute("vetoer", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
    assert_eq!(s.balance_of("carol"), carol + 1);

    let mut s = suite(false, false, RefundPolicy::Always);
    let id = passed(&mut s);
    assert!(matches!(
        s.execute("vetoer", id).unwrap_err(),
        ContractError::TimelockNotExpired { .. }
    ));
}

#[test]
fn veto_before_passed_only_when_configured() {
    let mut s = suite(false, false, RefundPolicy::Always);
    let id = s.propose_with_deposit("alice", vec![]).unwrap();
    assert_eq!(
        s.veto("vetoer", id).unwrap_err(),
        ContractError::NotVetoable {
            proposal_id: id,
            status: Status::Open
        }
    );
    let mut s = suite(false, true, RefundPolicy::Always);
    let id = s.propose_with_deposit("alice", vec![]).unwrap();
    s.veto("vetoer", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Vetoed);
    assert!(matches!(
        s.vote("bob", id, Vote::Yes).unwrap_err(),
        ContractError::VotingClosed { .. }
    ));
    // without a veto config nobody vetoes
    let mut s = Suite::new();
    s.powers(&[("alice", 1)]);
    let id = s.propose("alice", vec![]).unwrap();
    assert_eq!(
        s.veto("vetoer", id).unwrap_err(),
        ContractError::NoVetoer { proposal_id: id }
    );
}
