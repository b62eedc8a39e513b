//! Who votes with what: snapshots at the start height (flash stake), double votes and revotes, votes after the end,
//! the exclusion list, who may propose, bounds and pagination.

use cosmwasm_std::{coins, Uint128};
use dao::msg::{
    BallotsResponse, ExclusionsResponse, ExecuteMsg, ProposalsResponse, QueryMsg, Status, Vote, VotingPowerResponse,
};
use dao::ContractError;

use crate::suite::*;

#[test]
fn flash_stake_before_or_after_the_start_does_not_vote() {
    let mut s = Suite::new();
    s.powers(&[("alice", 40), ("bob", 60)]);
    // Mallory locks in the very block the proposal starts (before the propose tx), and again after.
    s.lock("mallory", 1_000_000);
    let id = s.propose("alice", vec![]).unwrap();
    let height = s.proposal(id).start_height;
    assert_eq!(s.proposal(id).total_power, Uint128::new(100));
    assert_eq!(
        s.vote("mallory", id, Vote::Yes).unwrap_err(),
        ContractError::NoVotingPower { height }
    );
    s.next_block();
    s.lock("mallory", 1_000_000);
    s.next_block();
    assert_eq!(
        s.vote("mallory", id, Vote::Yes).unwrap_err(),
        ContractError::NoVotingPower { height }
    );
    // Alice adds stake after the start: she still votes with 40.
    s.lock("alice", 1_000);
    s.next_block();
    let res = s.vote("alice", id, Vote::Yes).unwrap();
    assert_eq!(attr(&res, "power").as_deref(), Some("40"));
    assert_eq!(s.proposal(id).votes.yes, Uint128::new(40));
    // Mallory's stake counts for the next proposal.
    let id2 = s.propose("mallory", vec![]).unwrap();
    assert_eq!(s.proposal(id2).total_power, Uint128::new(2_001_100));
}

#[test]
fn lock_weight_counts() {
    let mut s = Suite::new();
    s.lock("alice", 10);
    s.lock_tier("bob", 10, 2);
    s.next_block();
    let id = s.propose("alice", vec![]).unwrap();
    assert_eq!(s.proposal(id).total_power, Uint128::new(30));
    let res = s.vote("bob", id, Vote::No).unwrap();
    assert_eq!(attr(&res, "power").as_deref(), Some("20"));
}

#[test]
fn double_vote_is_refused_without_revote() {
    let mut s = Suite::new();
    s.powers(&[("alice", 10), ("bob", 60), ("carol", 30)]);
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    for v in [Vote::Yes, Vote::No] {
        assert_eq!(
            s.vote("alice", id, v).unwrap_err(),
            ContractError::AlreadyVoted { proposal_id: id }
        );
    }
    assert_eq!(s.proposal(id).votes.yes, Uint128::new(10));
}

#[test]
fn revote_replaces_the_ballot_and_decides_only_at_the_end() {
    let mut s = Suite::with(|m| m.config.allow_revote = true);
    s.powers(&[("alice", 60), ("bob", 40)]);
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    // everyone voted yes, but votes can still change: open until the end
    assert_eq!(s.proposal(id).status, Status::Open);
    let res = s.vote("alice", id, Vote::No).unwrap();
    assert_eq!(attr(&res, "revote").as_deref(), Some("true"));
    let p = s.proposal(id);
    assert_eq!((p.votes.yes, p.votes.no), (Uint128::new(40), Uint128::new(60)));
    assert_eq!(
        s.vote("alice", id, Vote::No).unwrap_err(),
        ContractError::AlreadyCast {
            proposal_id: id,
            vote: "no".to_string()
        }
    );
    s.vote("alice", id, Vote::Abstain).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    let p = s.proposal(id);
    // never counted twice: the tally always sums to the voters' power
    assert_eq!(p.votes.yes, Uint128::new(100));
    assert_eq!(p.votes.no + p.votes.abstain + p.votes.no_with_veto, Uint128::zero());
    assert_eq!(s.ballot(id, "alice").ballot.unwrap().vote, Vote::Yes);
    s.advance(PERIOD);
    assert_eq!(s.proposal(id).status, Status::Passed);
}

#[test]
fn votes_after_the_end_are_refused() {
    let mut s = Suite::new();
    s.powers(&[("alice", 10), ("bob", 90)]);
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.advance(PERIOD);
    assert_eq!(
        s.vote("bob", id, Vote::No).unwrap_err(),
        ContractError::VotingClosed {
            proposal_id: id,
            status: Status::Rejected
        }
    );
    // exactly at the end counts as ended; one second before is still open
    let id = s.propose("alice", vec![]).unwrap();
    s.advance(PERIOD - 1);
    s.vote("alice", id, Vote::Yes).unwrap();
    assert_eq!(
        s.vote("anyone", 99, Vote::Yes).unwrap_err(),
        ContractError::ProposalNotFound { proposal_id: 99 }
    );
}

#[test]
fn excluded_addresses_hold_no_power_and_leave_the_total() {
    let mut s = Suite::with(|m| {
        let exchange = cosmwasm_std::testing::MockApi::default().addr_make("exchange");
        m.excluded = vec![exchange.to_string()];
    });
    s.powers(&[("alice", 30), ("bob", 30), ("exchange", 900)]);
    let id = s.propose("alice", vec![]).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.total_power, Uint128::new(60));
    assert_eq!(p.excluded_power, Uint128::new(900));
    assert!(p.excluded.contains(&s.addr("exchange")));
    assert!(p.excluded.contains(&s.dao));
    assert_eq!(
        s.vote("exchange", id, Vote::No).unwrap_err(),
        ContractError::Excluded {
            proposal_id: id,
            voter: s.addr("exchange").to_string()
        }
    );
    let vp: VotingPowerResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.dao,
            &QueryMsg::VotingPower {
                proposal_id: id,
                address: s.addr("exchange").to_string(),
            },
        )
        .unwrap();
    assert!(vp.excluded && vp.power.is_zero());
    // An excluded address cannot propose either.
    assert_eq!(
        s.propose("exchange", vec![]).unwrap_err(),
        ContractError::ProposerPowerTooLow {
            power: Uint128::zero(),
            min: Uint128::one(),
            height: s.height()
        }
    );
    // 60 yes of 60 eligible passes at once (the exchange's 900 are not in the total).
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);
}

#[test]
fn exclusion_list_changes_only_through_proposals_and_only_for_later_proposals() {
    let mut s = Suite::new();
    s.powers(&[("alice", 50), ("bob", 20), ("exchange", 30)]);
    let exchange = s.addr("exchange").to_string();
    let add = ExecuteMsg::UpdateExclusions {
        add: vec![exchange.clone()],
        remove: vec![],
    };
    assert!(matches!(
        s.exec("alice", &add).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let running = s.propose("bob", vec![]).unwrap();
    let msg = s.self_msg(&add);
    let id = s.propose("alice", vec![msg]).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
    let list: ExclusionsResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.dao,
            &QueryMsg::Exclusions {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(list.addresses, vec![s.addr("exchange")]);
    // The running proposal keeps the list it started with: the exchange still votes there.
    s.vote("exchange", running, Vote::No).unwrap();
    // New proposals exclude it.
    let next = s.propose("bob", vec![]).unwrap();
    assert_eq!(s.proposal(next).total_power, Uint128::new(70));
    assert!(matches!(
        s.vote("exchange", next, Vote::No).unwrap_err(),
        ContractError::Excluded { .. }
    ));
    // Adding it twice fails the execution (recorded), removing an unknown address too.
    let msg = s.self_msg(&add);
    let id = s.propose("alice", vec![msg]).unwrap();
    // 50 of the 70 eligible: passed at once
    s.vote("alice", id, Vote::Yes).unwrap();
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::ExecutionFailed);
}

#[test]
fn proposing_needs_power_and_bounded_content() {
    let mut s = Suite::with(|m| m.config.min_proposer_power = Uint128::new(10));
    s.powers(&[("alice", 10), ("bob", 9)]);
    let height = s.height();
    // zero power and too little power
    assert_eq!(
        s.propose("mallory", vec![]).unwrap_err(),
        ContractError::ProposerPowerTooLow {
            power: Uint128::zero(),
            min: Uint128::new(10),
            height
        }
    );
    assert!(matches!(
        s.propose("bob", vec![]).unwrap_err(),
        ContractError::ProposerPowerTooLow { .. }
    ));
    s.propose("alice", vec![]).unwrap();
    // no deposit configured: funds are refused
    assert!(matches!(
        s.propose_funds("alice", vec![], &coins(1, DENOM)).unwrap_err(),
        ContractError::Payment(_)
    ));
    // bounds
    let msgs = vec![s.send_msg("bob", 1); 17];
    assert_eq!(
        s.propose("alice", msgs).unwrap_err(),
        ContractError::TooManyMessages { max: 16 }
    );
    let long = |n| "x".repeat(n);
    for (title, description, err) in [
        ("", "d".to_string(), ContractError::InvalidTitle { max: 256 }),
        ("  ", "d".to_string(), ContractError::InvalidTitle { max: 256 }),
        (
            long(257).as_str(),
            "d".to_string(),
            ContractError::InvalidTitle { max: 256 },
        ),
        ("t", long(10_001), ContractError::InvalidDescription { max: 10_000 }),
    ] {
        let msg = ExecuteMsg::Propose {
            title: title.to_string(),
            description,
            msgs: vec![],
        };
        assert_eq!(s.exec("alice", &msg).unwrap_err(), err);
    }
}

#[test]
fn queries_page() {
    let mut s = Suite::new();
    let voters = ["alice", "bob", "carol", "dave", "eve", "anyone"];
    for v in voters {
        s.lock(v, 1);
    }
    s.lock("mallory", 1_000);
    s.next_block();
    for _ in 0..35 {
        s.propose("alice", vec![]).unwrap();
    }
    let list = |s: &Suite, q: QueryMsg| -> Vec<u64> {
        let r: ProposalsResponse = s.app.wrap().query_wasm_smart(&s.dao, &q).unwrap();
        r.proposals.iter().map(|p| p.id).collect()
    };
    assert_eq!(
        list(
            &s,
            QueryMsg::ListProposals {
                start_after: None,
                limit: None
            }
        ),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(
        list(
            &s,
            QueryMsg::ListProposals {
                start_after: Some(5),
                limit: Some(100)
            }
        ),
        (6..=35).collect::<Vec<_>>()
    );
    assert_eq!(
        list(
            &s,
            QueryMsg::ReverseProposals {
                start_before: None,
                limit: Some(3)
            }
        ),
        vec![35, 34, 33]
    );
    assert_eq!(
        list(
            &s,
            QueryMsg::ReverseProposals {
                start_before: Some(3),
                limit: None
            }
        ),
        vec![2, 1]
    );
    let count: u64 = s
        .app
        .wrap()
        .query_wasm_smart(&s.dao, &QueryMsg::ProposalCount {})
        .unwrap();
    assert_eq!(count, 35);
    for v in voters {
        s.vote(v, 1, Vote::Abstain).unwrap();
    }
    let ballots = |s: &Suite, start_after: Option<String>, limit| -> BallotsResponse {
        s.app
            .wrap()
            .query_wasm_smart(
                &s.dao,
                &QueryMsg::ListBallots {
                    proposal_id: 1,
                    start_after,
                    limit,
                },
            )
            .unwrap()
    };
    let first = ballots(&s, None, Some(4));
    assert_eq!(first.ballots.len(), 4);
    let rest = ballots(&s, Some(first.ballots[3].voter.to_string()), None);
    assert_eq!(rest.ballots.len(), 2);
}
