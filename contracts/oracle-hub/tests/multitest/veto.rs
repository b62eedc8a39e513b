//! The DAO's veto during the challenge window.

use oracle_hub::msg::{EpochStatus, ExecuteMsg};
use oracle_hub::ContractError;

use crate::suite::*;

fn accepted_epoch_0(s: &mut Suite) {
    let f = fields(0, 1, 1_000);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
}

fn veto(epoch: u64) -> ExecuteMsg {
    ExecuteMsg::Veto {
        epoch,
        reason: "root includes devices that were offline".to_string(),
    }
}

#[test]
fn veto_in_the_window_releases_the_reservation() {
    let mut s = Suite::new(3);
    accepted_epoch_0(&mut s);
    s.advance(WINDOW - 1);
    let admin = s.admin.clone();
    let res = s.exec(&admin, &veto(0)).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("veto"));
    assert_eq!(attr(&res, "epoch").as_deref(), Some("0"));
    assert_eq!(attr(&res, "root").as_deref(), Some("01".repeat(32).as_str()));
    assert_eq!(
        s.rewards_calls(),
        vec![budget_call(0), settle_call(0, 1_000), "release:0".to_string()]
    );
    let e = s.epoch(0);
    assert_eq!(e.status, EpochStatus::Vetoed);
    // the root stays visible (it was accepted), but the epoch never becomes final
    assert!(e.root.is_some());
    s.advance(10 * WINDOW);
    assert_eq!(s.epoch(0).status, EpochStatus::Vetoed);
    let r = s.reports(0);
    assert_eq!(
        r.veto.map(|v| v.reason),
        Some("root includes devices that were offline".to_string())
    );

    // no more reports, no second veto
    assert_eq!(
        s.report(2, &fields(0, 1, 1_000)).unwrap_err(),
        ContractError::LateReport {
            epoch: 0,
            status: EpochStatus::Vetoed
        }
    );
    assert_eq!(
        s.exec(&admin, &veto(0)).unwrap_err(),
        ContractError::NotVetoable {
            epoch: 0,
            status: EpochStatus::Vetoed
        }
    );
}

#[test]
fn veto_after_the_window_refused() {
    let mut s = Suite::new(3);
    accepted_epoch_0(&mut s);
    s.advance(WINDOW);
    let admin = s.admin.clone();
    assert_eq!(
        s.exec(&admin, &veto(0)).unwrap_err(),
        ContractError::NotVetoable {
            epoch: 0,
            status: EpochStatus::Final
        }
    );
    assert_eq!(s.epoch(0).status, EpochStatus::Final);
    assert_eq!(s.rewards_calls(), vec![budget_call(0), settle_call(0, 1_000)]);
}

#[test]
fn veto_by_non_admin_refused() {
    let mut s = Suite::new(3);
    accepted_epoch_0(&mut s);
    for who in [s.op(0), s.addr("stranger")] {
        assert_eq!(
            s.exec(&who, &veto(0)).unwrap_err(),
            ContractError::Unauthorized {
                action: "veto an epoch".to_string(),
                allowed: "the admin".to_string()
            }
        );
    }
    assert_eq!(s.epoch(0).status, EpochStatus::Accepted);
}

#[test]
fn veto_of_an_epoch_without_accepted_root_refused() {
    let mut s = Suite::new(3);
    let admin = s.admin.clone();
    assert_eq!(
        s.exec(&admin, &veto(0)).unwrap_err(),
        ContractError::NotVetoable {
            epoch: 0,
            status: EpochStatus::Open
        }
    );
    s.end_epoch(0);
    s.report(0, &fields(0, 1, 1)).unwrap();
    assert_eq!(
        s.exec(&admin, &veto(0)).unwrap_err(),
        ContractError::NotVetoable {
            epoch: 0,
            status: EpochStatus::Reported
        }
    );
}

#[test]
fn veto_reason_is_required_and_bounded() {
    let mut s = Suite::new(3);
    accepted_epoch_0(&mut s);
    let admin = s.admin.clone();
    for reason in [String::new(), "x".repeat(257)] {
        assert_eq!(
            s.exec(&admin, &ExecuteMsg::Veto { epoch: 0, reason }).unwrap_err(),
            ContractError::InvalidReason { max: 256 }
        );
    }
    s.exec(
        &admin,
        &ExecuteMsg::Veto {
            epoch: 0,
            reason: "x".repeat(256),
        },
    )
    .unwrap();
}

#[test]
fn zero_challenge_window_is_final_at_acceptance() {
    let mut s = Suite::with(3, |m| m.challenge_window = 0);
    let f = fields(0, 1, 1);
    s.end_epoch(0);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    assert_eq!(s.epoch(0).status, EpochStatus::Final);
    let admin = s.admin.clone();
    assert!(matches!(
        s.exec(&admin, &veto(0)).unwrap_err(),
        ContractError::NotVetoable { .. }
    ));
    assert!(matches!(s.report(2, &f).unwrap_err(), ContractError::LateReport { .. }));
}
