//! `AbandonEpoch`: the DAO gives up on an epoch that has reports but never reached a quorum, releasing its budget.

use oracle_hub::msg::{EpochStatus, ExecuteMsg};
use oracle_hub::ContractError;

use crate::suite::*;

fn abandon(epoch: u64) -> ExecuteMsg {
    ExecuteMsg::AbandonEpoch { epoch }
}

#[test]
fn stuck_epoch_can_be_abandoned_seven_epochs_after_its_end() {
    let mut s = Suite::new(3);
    s.end_epoch(0);
    s.report(0, &fields(0, 1, 1)).unwrap();
    s.report(1, &fields(0, 2, 2)).unwrap(); // split vote: no quorum
    let admin = s.admin.clone();
    let at = s.epoch_end(0).plus_seconds(7 * EPOCH);
    assert_eq!(
        s.exec(&admin, &abandon(0)).unwrap_err(),
        ContractError::AbandonTooEarly { epoch: 0, at }
    );
    s.set_time(at.minus_nanos(1));
    assert_eq!(
        s.exec(&admin, &abandon(0)).unwrap_err(),
        ContractError::AbandonTooEarly { epoch: 0, at }
    );
    s.set_time(at);
    let stranger = s.addr("stranger");
    assert!(matches!(
        s.exec(&stranger, &abandon(0)).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let res = s.exec(&admin, &abandon(0)).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("abandon_epoch"));
    assert_eq!(attr(&res, "reports").as_deref(), Some("2"));
    assert_eq!(s.rewards_calls(), vec![budget_call(0), "release:0".to_string()]);
    let e = s.epoch(0);
    assert_eq!(e.status, EpochStatus::Abandoned);
    assert_eq!(e.root, None);
    assert_eq!(s.reports(0).abandoned_at, Some(at));

    // terminal: no more reports, no second abandon, no veto
    assert_eq!(
        s.report(2, &fields(0, 1, 1)).unwrap_err(),
        ContractError::LateReport {
            epoch: 0,
            status: EpochStatus::Abandoned
        }
    );
    assert_eq!(
        s.exec(&admin, &abandon(0)).unwrap_err(),
        ContractError::NotAbandonable {
            epoch: 0,
            status: EpochStatus::Abandoned
        }
    );
    assert!(matches!(
        s.exec(
            &admin,
            &ExecuteMsg::Veto {
                epoch: 0,
                reason: "x".to_string()
            }
        )
        .unwrap_err(),
        ContractError::NotVetoable { .. }
    ));
}

#[test]
fn only_reported_epochs_without_a_root_can_be_abandoned() {
    let mut s = Suite::new(3);
    let admin = s.admin.clone();
    // open
    assert_eq!(
        s.exec(&admin, &abandon(0)).unwrap_err(),
        ContractError::NotAbandonable {
            epoch: 0,
            status: EpochStatus::Open
        }
    );
    // ended without any report: nothing was reserved, nothing to abandon
    s.end_epoch(20);
    assert_eq!(
        s.exec(&admin, &abandon(0)).unwrap_err(),
        ContractError::NotAbandonable {
            epoch: 0,
            status: EpochStatus::Reported
        }
    );
    // accepted (then final): not abandonable
    let f = fields(1, 1, 1);
    s.report(0, &f).unwrap();
    s.report(1, &f).unwrap();
    assert_eq!(
        s.exec(&admin, &abandon(1)).unwrap_err(),
        ContractError::NotAbandonable {
            epoch: 1,
            status: EpochStatus::Accepted
        }
    );
    s.advance(WINDOW);
    assert_eq!(
        s.exec(&admin, &abandon(1)).unwrap_err(),
        ContractError::NotAbandonable {
            epoch: 1,
            status: EpochStatus::Final
        }
    );
    assert_eq!(s.rewards_calls(), vec![budget_call(1), settle_call(1, 1)]);
}
