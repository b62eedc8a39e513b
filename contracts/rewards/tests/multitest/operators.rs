//! Operator rewards: an equal share of the epoch's operator budget for each operator who reported the final root.

use cosmwasm_std::{Addr, Decimal, Uint128};
use edgemint_types::oracle::EpochStatus;
use rewards::msg::{OperatorClaimedResponse, QueryMsg};
use rewards::ContractError;

use crate::suite::{attr, RewardTree, Suite, EMC};

fn operators(s: &Suite, n: usize) -> Vec<Addr> {
    (0..n).map(|i| s.addr(&format!("operator{i}"))).collect()
}

fn small_tree(s: &Suite, epoch: u64) -> RewardTree {
    RewardTree::new(epoch, &[(1, &s.addr("alice"), 10 * EMC)])
}

#[test]
fn reporters_split_the_operator_budget_once_each() {
    let mut s = Suite::new();
    let ops = operators(&s, 3);
    let t = small_tree(&s, 1);
    s.finalize(&t, &ops);
    // 10% of 1,000 EMC = 100,000,000 uemc over 3 reporters: 33,333,333 each, 1 uemc of dust back to the pool
    let free_before = s.pool().free;
    let res = s.claim_operator(&ops[0], 1).unwrap();
    assert_eq!(attr(&res, "wasm", "amount").as_deref(), Some("33333333"));
    assert_eq!(attr(&res, "wasm", "dust_returned").as_deref(), Some("1"));
    assert_eq!(s.pool().free.u128(), free_before.u128() + 1);
    let res = s.claim_operator(&ops[1], 1).unwrap();
    assert_eq!(attr(&res, "wasm", "dust_returned"), None);
    s.claim_operator(&ops[2], 1).unwrap();
    for op in &ops {
        assert_eq!(s.balance(op), 33_333_333);
    }

    assert_eq!(
        s.claim_operator(&ops[1], 1).unwrap_err(),
        ContractError::OperatorAlreadyClaimed {
            epoch: 1,
            operator: ops[1].to_string()
        }
    );
    let r: OperatorClaimedResponse = s.q(&QueryMsg::OperatorClaimed {
        epoch: 1,
        operator: ops[2].to_string(),
    });
    assert!(r.claimed);
    assert_eq!(r.amount.u128(), 33_333_333);
    let st = s.epoch_state(1);
    assert_eq!(st.operator_claimed.u128(), 99_999_999);
    assert_eq!(st.operator_dust.u128(), 1);
    assert_eq!(st.operator_reward_per_reporter, Some(Uint128::new(33_333_333)));
    // only the device leaf is still outstanding
    assert_eq!(st.outstanding.u128(), 10 * EMC);
    s.assert_books();
}

#[test]
fn only_reporters_of_a_final_epoch_are_paid() {
    let mut s = Suite::new();
    let ops = operators(&s, 2);
    let t = small_tree(&s, 1);
    s.hub_epoch(1, EpochStatus::Accepted, Some(&t), &ops);
    s.reserve(1, t.total).unwrap();
    assert_eq!(
        s.claim_operator(&ops[0], 1).unwrap_err(),
        ContractError::OperatorEpochNotFinal {
            epoch: 1,
            status: EpochStatus::Accepted
        }
    );
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &ops);
    let outsider = s.addr("outsider");
    assert_eq!(
        s.claim_operator(&outsider, 1).unwrap_err(),
        ContractError::NotReporter {
            epoch: 1,
            operator: outsider.to_string()
        }
    );
    // vetoed: released here, vetoed at the hub
    let t2 = small_tree(&s, 2);
    s.hub_epoch(2, EpochStatus::Accepted, Some(&t2), &ops);
    s.reserve(2, t2.total).unwrap();
    s.release(2).unwrap();
    s.hub_epoch(2, EpochStatus::Vetoed, Some(&t2), &ops);
    assert_eq!(
        s.claim_operator(&ops[0], 2).unwrap_err(),
        ContractError::OperatorEpochNotFinal {
            epoch: 2,
            status: EpochStatus::Vetoed
        }
    );
    s.hub_epoch(2, EpochStatus::Final, Some(&t2), &ops);
    assert_eq!(
        s.claim_operator(&ops[0], 2).unwrap_err(),
        ContractError::EpochReleased { epoch: 2 }
    );
    // final at the hub but never reserved here
    s.hub_epoch(3, EpochStatus::Final, Some(&small_tree(&s, 3)), &ops);
    assert_eq!(
        s.claim_operator(&ops[0], 3).unwrap_err(),
        ContractError::EpochNotReserved { epoch: 3 }
    );
    assert_eq!(s.balance(&ops[0]), 0);
    s.claim_operator(&ops[0], 1).unwrap();
    assert_eq!(s.balance(&ops[0]), 50 * EMC);
    s.assert_books();
}

#[test]
fn zero_operator_share_pays_nothing() {
    let mut s = Suite::with(|m| m.operator_share = Decimal::zero());
    s.fund(10_000 * EMC).unwrap();
    let ops = operators(&s, 1);
    let t = small_tree(&s, 1);
    s.finalize(&t, &ops);
    assert_eq!(
        s.claim_operator(&ops[0], 1).unwrap_err(),
        ContractError::ZeroOperatorReward { epoch: 1 }
    );
    assert!(s.budget(1).operator_budget.is_zero());
    assert_eq!(s.budget(1).device_budget.u128(), 1_000 * EMC);
}

#[test]
fn operator_budget_is_never_exceeded() {
    // A hub that adds a reporter after the first operator claim cannot make the contract pay more than the budget.
    let mut s = Suite::new();
    let ops = operators(&s, 3);
    let t = small_tree(&s, 1);
    s.finalize(&t, &ops[..2]);
    s.claim_operator(&ops[0], 1).unwrap(); // share fixed at 50 EMC
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &ops);
    s.claim_operator(&ops[2], 1).unwrap();
    assert_eq!(
        s.claim_operator(&ops[1], 1).unwrap_err(),
        ContractError::OperatorBudgetExhausted { epoch: 1 }
    );
    assert_eq!(s.epoch_state(1).operator_claimed.u128(), 100 * EMC);
    s.assert_books();
}
