//! `CloseEpoch`: after the claim window, what an epoch still holds in reserve (unclaimed leaves, e.g. of banned
//! devices; unclaimed or zero operator shares) returns to the pool, and later claims fail.

use cosmwasm_std::Timestamp;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::registry::DeviceStatus;
use rewards::msg::ExecuteMsg;
use rewards::ContractError;

use crate::suite::{attr, RewardTree, Suite, EMC};

const DAY: u64 = 86_400;

fn close(epoch: u64) -> ExecuteMsg {
    ExecuteMsg::CloseEpoch { epoch }
}

fn set_time(s: &mut Suite, t: Timestamp) {
    s.app.update_block(|b| {
        b.time = t;
        b.height += 1;
    });
}

#[test]
fn stranded_rewards_return_to_the_pool_after_the_claim_window() {
    let mut s = Suite::new();
    let (alice, bob) = (s.addr("alice"), s.addr("bob"));
    let ops = [s.addr("op1"), s.addr("op2"), s.addr("op3")];
    let t = RewardTree::new(1, &[(1, &alice, 100 * EMC), (2, &bob, 40 * EMC)]);
    s.finalize(&t, &ops);
    let final_at = s.now();
    // alice and one operator claim; bob's device is banned (its leaf can never be claimed), two operators never claim
    s.claim(&alice, vec![t.item(1)]).unwrap();
    s.claim_operator(&ops[0], 1).unwrap(); // 33,333,333 each, 1 uemc dust back
    s.set_device(2, Some(DeviceStatus::Banned));
    let outstanding = 40 * EMC + 2 * 33_333_333;
    assert_eq!(s.epoch_state(1).outstanding.u128(), outstanding);

    let admin = s.admin.clone();
    let closes_at = final_at.plus_seconds(365 * DAY);
    assert!(matches!(
        s.exec(&ops[1], &close(1), &[]).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    set_time(&mut s, closes_at.minus_nanos(1));
    assert_eq!(
        s.exec(&admin, &close(1), &[]).unwrap_err(),
        ContractError::ClaimWindowOpen { epoch: 1, closes_at }
    );
    set_time(&mut s, closes_at);
    let free_before = s.pool().free.u128();
    let res = s.exec(&admin, &close(1), &[]).unwrap();
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("close_epoch"));
    assert_eq!(attr(&res, "wasm", "released"), Some(outstanding.to_string()));
    let p = s.pool();
    assert_eq!(p.free.u128(), free_before + outstanding);
    assert!(p.reserved.is_zero());
    let st = s.epoch_state(1);
    assert_eq!(st.closed_at, Some(closes_at));
    assert!(st.outstanding.is_zero());
    s.assert_books();

    // later claims fail with a typed error; the epoch cannot be closed or released again
    s.set_device(2, Some(DeviceStatus::Active));
    assert_eq!(
        s.claim(&bob, vec![t.item(2)]).unwrap_err(),
        ContractError::EpochClosed { epoch: 1 }
    );
    assert_eq!(
        s.claim_operator(&ops[1], 1).unwrap_err(),
        ContractError::EpochClosed { epoch: 1 }
    );
    assert_eq!(
        s.exec(&admin, &close(1), &[]).unwrap_err(),
        ContractError::EpochClosed { epoch: 1 }
    );
    assert_eq!(s.release(1).unwrap_err(), ContractError::EpochClosed { epoch: 1 });
    assert_eq!(s.balance(&bob), 0);
    s.assert_books();
}

#[test]
fn only_final_settled_epochs_close_and_the_window_is_dao_set() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    assert_eq!(
        s.exec(&admin, &close(1), &[]).unwrap_err(),
        ContractError::EpochNotReserved { epoch: 1 }
    );
    // reserved, not settled
    s.reserve_budget(1).unwrap();
    assert_eq!(
        s.exec(&admin, &close(1), &[]).unwrap_err(),
        ContractError::EpochNotSettled { epoch: 1 }
    );
    // settled, still in the challenge window at the hub
    let t = RewardTree::new(2, &[(1, &s.addr("alice"), 10 * EMC)]);
    s.hub_epoch(2, EpochStatus::Accepted, Some(&t), &[]);
    s.reserve(2, t.total).unwrap();
    assert_eq!(
        s.exec(&admin, &close(2), &[]).unwrap_err(),
        ContractError::CloseNotFinal {
            epoch: 2,
            status: EpochStatus::Accepted
        }
    );
    // a released (vetoed) epoch holds nothing
    s.release(2).unwrap();
    assert_eq!(
        s.exec(&admin, &close(2), &[]).unwrap_err(),
        ContractError::EpochReleased { epoch: 2 }
    );

    // the DAO shortens the claim window (1 day ..= 10 years)
    let update = |w: u64| ExecuteMsg::UpdateConfig {
        hub: None,
        registry: None,
        schedule: None,
        operator_share: None,
        max_batch: None,
        claim_window: Some(w),
    };
    for bad in [DAY - 1, 3_650 * DAY + 1] {
        assert!(matches!(
            s.exec(&admin, &update(bad), &[]).unwrap_err(),
            ContractError::InvalidClaimWindow { .. }
        ));
    }
    s.exec(&admin, &update(30 * DAY), &[]).unwrap();
    let t = RewardTree::new(3, &[(1, &s.addr("alice"), 10 * EMC)]);
    s.finalize(&t, &[]);
    let final_at = s.now();
    set_time(&mut s, final_at.plus_seconds(30 * DAY));
    let res = s.exec(&admin, &close(3), &[]).unwrap();
    // 10 EMC unclaimed leaf + the whole operator budget (no reporters ever claimed)
    assert_eq!(attr(&res, "wasm", "released"), Some((10 * EMC + 100 * EMC).to_string()));
    s.assert_books();
}
