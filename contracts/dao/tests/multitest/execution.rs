//! Execution: by anyone after passing, once; atomic messages; a failure is recorded (not reverted) and final; the
//! internal steps and the config are reachable only by the DAO itself.

use cosmwasm_std::{to_json_binary, Decimal, Uint128, WasmMsg};
use cw_multi_test::Executor;
use cw_utils::Threshold;
use dao::msg::{ExecuteMsg, MigrateMsg, Status, Vote};
use dao::ContractError;

use crate::suite::*;

/// alice 60, bob 40; alice's yes passes at once.
fn suite() -> Suite {
    let mut s = Suite::new();
    s.powers(&[("alice", 60), ("bob", 40)]);
    s
}

fn pass(s: &mut Suite, msgs: Vec<cosmwasm_std::CosmosMsg>) -> u64 {
    let id = s.propose("alice", msgs).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);
    id
}

#[test]
fn anyone_executes_a_passed_proposal_once() {
    let mut s = suite();
    s.fund_treasury(1_000);
    let msg = s.send_msg("carol", 700);
    let id = s.propose("alice", vec![msg]).unwrap();
    // not passed yet
    assert_eq!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::NotPassed {
            proposal_id: id,
            status: Status::Open
        }
    );
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    let before = s.balance_of("carol");
    let res = s.execute("anyone", id).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("execute"));
    assert_eq!(s.balance_of("carol"), before + 700);
    assert_eq!(s.balance(&s.dao), 300);
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Executed);
    assert_eq!(p.settled_at, Some(s.now()));
    // executing twice
    assert_eq!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::NotPassed {
            proposal_id: id,
            status: Status::Executed
        }
    );
    s.next_block();
    assert!(s.execute("alice", id).is_err());
    assert_eq!(s.balance_of("carol"), before + 700);
}

#[test]
fn rejected_proposals_do_not_execute() {
    let mut s = suite();
    let id = s.propose("alice", vec![]).unwrap();
    s.vote("alice", id, Vote::No).unwrap();
    assert_eq!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::NotPassed {
            proposal_id: id,
            status: Status::Rejected
        }
    );
    assert_eq!(
        s.execute("anyone", 42).unwrap_err(),
        ContractError::ProposalNotFound { proposal_id: 42 }
    );
}

#[test]
fn failing_messages_are_recorded_and_nothing_of_them_applies() {
    let mut s = suite();
    s.fund_treasury(1_000);
    let send = s.send_msg("carol", 500);
    // staking refuses an unlock of a lock that does not exist
    let bad = WasmMsg::Execute {
        contract_addr: s.staking.to_string(),
        msg: to_json_binary(&staking::msg::ExecuteMsg::Unlock { lock_id: 999 }).unwrap(),
        funds: vec![],
    }
    .into();
    let id = pass(&mut s, vec![send, bad]);
    let carol = s.balance_of("carol");
    let res = s.execute("anyone", id).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("execute"));
    assert_eq!(
        attrs(&res, "action").last().map(String::as_str),
        Some("execution_failed")
    );
    let p = s.proposal(id);
    assert_eq!(p.status, Status::ExecutionFailed);
    assert!(p.execution_error.is_some(), "{p:?}");
    // atomic: the bank send before the failing message was reverted too
    assert_eq!(s.balance_of("carol"), carol);
    assert_eq!(s.balance(&s.dao), 1_000);
    // terminal: not re-executable
    assert_eq!(
        s.execute("anyone", id).unwrap_err(),
        ContractError::NotPassed {
            proposal_id: id,
            status: Status::ExecutionFailed
        }
    );
    // the DAO keeps working: the next proposal executes
    let send = s.send_msg("carol", 500);
    let id = pass(&mut s, vec![send]);
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
    assert_eq!(s.balance_of("carol"), carol + 500);
}

#[test]
fn a_proposal_cannot_dispatch_another_proposals_messages() {
    let mut s = suite();
    s.fund_treasury(1_000);
    // a passed but not executed proposal
    let send = s.send_msg("mallory", 1_000);
    let target = pass(&mut s, vec![send]);
    // a proposal whose message tries to run the target's messages through the internal entry point
    let sneaky = s.self_msg(&ExecuteMsg::ExecuteProposalMessages { proposal_id: target });
    let id = pass(&mut s, vec![sneaky]);
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::ExecutionFailed);
    assert_eq!(s.balance(&s.dao), 1_000);
    // and one that re-enters its own execution
    let id = s.propose("alice", vec![]).unwrap();
    let own = s.self_msg(&ExecuteMsg::Execute { proposal_id: id + 1 });
    let reentrant = pass(&mut s, vec![own]);
    assert_eq!(reentrant, id + 1);
    s.execute("anyone", reentrant).unwrap();
    assert_eq!(s.proposal(reentrant).status, Status::ExecutionFailed);
    // nobody else reaches the internal steps
    for msg in [
        ExecuteMsg::ExecuteProposalMessages { proposal_id: target },
        ExecuteMsg::CheckDepositReserve {},
    ] {
        assert!(matches!(
            s.exec("mallory", &msg).unwrap_err(),
            ContractError::Unauthorized { .. }
        ));
    }
    // the target itself still executes normally
    s.execute("anyone", target).unwrap();
    assert_eq!(s.balance_of("mallory"), 10 * SUPPLY + 1_000);
}

#[test]
fn config_changes_only_through_proposals_and_not_for_running_ones() {
    let mut s = suite();
    let mut c = config(&s.staking);
    c.threshold = Threshold::AbsoluteCount { weight: 100 };
    c.allow_revote = true;
    c.voting_period = 60;
    let update = ExecuteMsg::UpdateConfig { config: c.clone() };
    assert!(matches!(
        s.exec("alice", &update).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let running = s.propose("bob", vec![]).unwrap();
    let msg = s.self_msg(&update);
    let id = pass(&mut s, vec![msg]);
    s.execute("anyone", id).unwrap();
    let cfg = s.config();
    assert_eq!(cfg.threshold, Threshold::AbsoluteCount { weight: 100 });
    assert!(cfg.allow_revote);
    assert_eq!(cfg.voting_period, 60);
    // the running proposal keeps its threshold (majority with quorum) and revote setting
    let p = s.proposal(running);
    assert!(!p.allow_revote);
    s.vote("alice", running, Vote::Yes).unwrap();
    s.vote("bob", running, Vote::Yes).unwrap();
    assert_eq!(s.proposal(running).status, Status::Passed);
    // a new one uses the new config
    let new = s.propose("bob", vec![]).unwrap();
    assert_eq!(s.proposal(new).expires_at, s.now().plus_seconds(60));
    assert_eq!(s.proposal(new).threshold, Threshold::AbsoluteCount { weight: 100 });
}

#[test]
fn invalid_configs_are_refused() {
    type Tweak = Box<dyn Fn(&mut dao::msg::InstantiateMsg)>;
    let bad: Vec<(&str, Tweak)> = vec![
        ("voting_period", Box::new(|m| m.config.voting_period = 0)),
        ("voting_period", Box::new(|m| m.config.voting_period = 365 * 86_400 + 1)),
        (
            "min_proposer_power",
            Box::new(|m| m.config.min_proposer_power = Uint128::zero()),
        ),
        (
            "deposit",
            Box::new(|m| {
                m.config.deposit = Some(dao::msg::DepositConfig {
                    amount: Uint128::zero(),
                    refund_policy: dao::msg::RefundPolicy::Always,
                })
            }),
        ),
        ("denom", Box::new(|m| m.denom = "u".to_string())),
        (
            "veto.timelock",
            Box::new(|m| {
                m.config.veto = Some(dao::msg::VetoConfig {
                    vetoer: cosmwasm_std::testing::MockApi::default()
                        .addr_make("vetoer")
                        .to_string(),
                    timelock: 0,
                    early_execute: false,
                    veto_before_passed: false,
                })
            }),
        ),
    ];
    for (field, tweak) in bad {
        match Suite::try_with(|m| tweak(m)).err() {
            Some(ContractError::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    for vt in [Decimal::zero(), Decimal::percent(101)] {
        assert_eq!(
            Suite::try_with(|m| m.config.veto_threshold = Some(vt)).err(),
            Some(ContractError::InvalidVetoThreshold { value: vt })
        );
    }
    assert!(matches!(
        Suite::try_with(|m| m.config.staking = "not an address".to_string()).err(),
        Some(ContractError::Std(_))
    ));
}

#[test]
fn the_dao_migrates_contracts_it_administers() {
    let mut s = suite();
    // The DAO migrates itself (it is its own wasm admin) to the same code: allowed, version unchanged.
    let migrate_self = WasmMsg::Migrate {
        contract_addr: s.dao.to_string(),
        new_code_id: s.dao_code,
        msg: to_json_binary(&MigrateMsg {}).unwrap(),
    }
    .into();
    let id = pass(&mut s, vec![migrate_self]);
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);

    // Staking handed to the DAO as wasm admin; a migration to the DAO's code is refused by ensure_upgrade
    // (different contract), recorded as a failed execution.
    let deployer = s.addr("deployer");
    s.app
        .execute(
            deployer,
            WasmMsg::UpdateAdmin {
                contract_addr: s.staking.to_string(),
                admin: s.dao.to_string(),
            }
            .into(),
        )
        .unwrap();
    let wrong = WasmMsg::Migrate {
        contract_addr: s.staking.to_string(),
        new_code_id: s.dao_code,
        msg: to_json_binary(&MigrateMsg {}).unwrap(),
    }
    .into();
    let id = pass(&mut s, vec![wrong]);
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::ExecutionFailed);
    let right = WasmMsg::Migrate {
        contract_addr: s.staking.to_string(),
        new_code_id: s.staking_code,
        msg: to_json_binary(&staking::msg::MigrateMsg {}).unwrap(),
    }
    .into();
    let id = pass(&mut s, vec![right]);
    s.execute("anyone", id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Executed);
}

#[test]
fn text_proposals_execute_without_messages() {
    let mut s = suite();
    let id = pass(&mut s, vec![]);
    let res = s.execute("anyone", id).unwrap();
    assert_eq!(attrs(&res, "action"), vec!["execute".to_string()]);
    assert_eq!(s.proposal(id).status, Status::Executed);
}
