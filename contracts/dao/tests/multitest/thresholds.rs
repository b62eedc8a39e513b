//! Every cw-utils threshold type, decided early and at the end, and its validation.

use cosmwasm_std::{Decimal, Uint128};
use cw_utils::{Threshold, ThresholdError};
use dao::msg::{ExecuteMsg, Status, Vote};
use dao::ContractError;

use crate::suite::*;

fn with_threshold(threshold: Threshold, veto_threshold: Option<Decimal>) -> Suite {
    let mut s = Suite::with(|m| {
        m.config.threshold = threshold;
        m.config.veto_threshold = veto_threshold;
    });
    // 100 of power in total: alice 40, bob 30, carol 20, dave 10.
    s.powers(&[("alice", 40), ("bob", 30), ("carol", 20), ("dave", 10)]);
    s
}

#[test]
fn absolute_count_passes_at_the_count() {
    let mut s = with_threshold(Threshold::AbsoluteCount { weight: 60 }, None);
    let id = s.propose("alice", vec![]).unwrap();
    assert_eq!(s.proposal(id).total_power, Uint128::new(100));
    s.vote("alice", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote("carol", id, Vote::Yes).unwrap();
    // 60 yes: passed at once, before the end
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Passed);
    assert_eq!(p.passed_at, Some(s.now()));
    assert_eq!(
        s.vote("bob", id, Vote::No).unwrap_err(),
        ContractError::VotingClosed {
            proposal_id: id,
            status: Status::Passed
        }
    );
}

#[test]
fn absolute_count_rejected_when_unreachable_or_short_at_the_end() {
    let mut s = with_threshold(Threshold::AbsoluteCount { weight: 60 }, None);
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::No).unwrap();
    s.vote("dave", id, Vote::No).unwrap();
    // 50 against: at most 50 yes remain, below 60
    assert_eq!(s.proposal(id).status, Status::Rejected);

    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("dave", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open);
    s.advance(PERIOD);
    assert_eq!(s.proposal(id).status, Status::Rejected);
}

#[test]
fn absolute_percentage_ignores_abstentions() {
    let mut s = with_threshold(
        Threshold::AbsolutePercentage {
            percentage: Decimal::percent(60),
        },
        None,
    );
    let id = s.propose("alice", vec![]).unwrap();
    // 30 abstain: 60% of the other 70 = 42 needed
    s.vote("bob", id, Vote::Abstain).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote("dave", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);

    // Without abstentions: 60 of 100; 50 yes at the end is not enough.
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("dave", id, Vote::Yes).unwrap();
    s.advance(PERIOD);
    assert_eq!(s.proposal(id).status, Status::Rejected);
}

#[test]
fn threshold_quorum_needs_turnout_then_a_majority() {
    let t = Threshold::ThresholdQuorum {
        threshold: Decimal::percent(50),
        quorum: Decimal::percent(40),
    };
    let mut s = with_threshold(t, None);

    // 30 yes only: quorum (40) not met at the end
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.advance(PERIOD);
    assert_eq!(s.proposal(id).status, Status::Rejected);

    // 30 yes + 20 abstain: quorum met, all opinions yes → passed at the end
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.vote("carol", id, Vote::Abstain).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open);
    s.advance(PERIOD);
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Passed);
    assert_eq!(p.passed_at, Some(p.expires_at));

    // 40 yes vs 30 no + 10 abstain: a majority of opinions so far, but carol's 20 could still vote no
    // (40 < half of 90) → open; her yes decides it early
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::No).unwrap();
    s.vote("dave", id, Vote::Abstain).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote("carol", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);

    // a majority against decides early
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::No).unwrap();
    s.vote("carol", id, Vote::NoWithVeto).unwrap();
    assert_eq!(s.proposal(id).status, Status::Rejected);
}

#[test]
fn no_with_veto_beyond_its_threshold_rejects() {
    let t = Threshold::ThresholdQuorum {
        threshold: Decimal::percent(50),
        quorum: Decimal::percent(40),
    };
    let mut s = with_threshold(t, Some(Decimal::percent(33)));
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("carol", id, Vote::Yes).unwrap();
    // 60 yes of 100 would pass, but the 40 left could still veto: open
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote("bob", id, Vote::NoWithVeto).unwrap();
    // 30 of 90 cast = 33.3% > 33%: rejected at the end whatever the yes share (dave abstains)
    s.advance(PERIOD);
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Rejected);
    assert!(p.veto_votes_exceeded);
}

#[test]
fn thresholds_are_validated_with_cw_utils() {
    let cases = [
        (Threshold::AbsoluteCount { weight: 0 }, ThresholdError::ZeroWeight {}),
        (
            Threshold::AbsolutePercentage {
                percentage: Decimal::percent(49),
            },
            ThresholdError::InvalidThreshold {},
        ),
        (
            Threshold::AbsolutePercentage {
                percentage: Decimal::percent(101),
            },
            ThresholdError::InvalidThreshold {},
        ),
        (
            Threshold::ThresholdQuorum {
                threshold: Decimal::percent(50),
                quorum: Decimal::zero(),
            },
            ThresholdError::ZeroQuorumThreshold {},
        ),
        (
            Threshold::ThresholdQuorum {
                threshold: Decimal::percent(50),
                quorum: Decimal::percent(101),
            },
            ThresholdError::UnreachableQuorumThreshold {},
        ),
    ];
    for (threshold, err) in cases {
        let t = threshold.clone();
        let got = Suite::try_with(|m| m.config.threshold = t).err();
        assert_eq!(got, Some(ContractError::Threshold(err)), "{threshold:?}");

        // The same through UpdateConfig (a proposal): the execution fails and is recorded.
        let mut s = with_threshold(Threshold::AbsoluteCount { weight: 1 }, None);
        let mut c = config(&s.staking);
        c.threshold = threshold;
        let msg = s.self_msg(&ExecuteMsg::UpdateConfig { config: c });
        let id = s.propose("alice", vec![msg]).unwrap();
        s.vote("alice", id, Vote::Yes).unwrap();
        s.execute("anyone", id).unwrap();
        assert_eq!(s.proposal(id).status, Status::ExecutionFailed);
        assert_eq!(s.config().threshold, Threshold::AbsoluteCount { weight: 1 });
    }
}
