//! Device claims: proofs against final roots, on behalf, batches, and every way a claim must be refused.

use cosmwasm_std::{coins, Addr, Decimal, HexBinary, Uint128};
use cw_utils::PaymentError;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::registry::DeviceStatus;
use rewards::msg::{ClaimItem, ExecuteMsg};
use rewards::ContractError;
use rewards_core::MAX_PROOF_LEN;

use crate::suite::{attr, events, RewardTree, Suite, DENOM, EMC, SUPPLY};

struct People {
    alice: Addr,
    bob: Addr,
    carol: Addr,
}

fn people(s: &Suite) -> People {
    People {
        alice: s.addr("alice"),
        bob: s.addr("bob"),
        carol: s.addr("carol"),
    }
}

/// Epoch `epoch`: alice owns devices 1 (100 EMC) and 4 (50 EMC), bob device 2 (200 EMC), carol device 3 (300 EMC).
fn tree(epoch: u64, p: &People) -> RewardTree {
    RewardTree::new(
        epoch,
        &[
            (1, &p.alice, 100 * EMC),
            (2, &p.bob, 200 * EMC),
            (3, &p.carol, 300 * EMC),
            (4, &p.alice, 50 * EMC),
        ],
    )
}

fn setup(epoch: u64) -> (Suite, People, RewardTree) {
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(epoch, &p);
    s.finalize(&t, &[]);
    (s, p, t)
}

#[test]
fn owner_claims_and_the_claim_is_recorded() {
    let (mut s, p, t) = setup(1);
    let pool_before = s.pool();
    let res = s.claim(&p.alice, vec![t.item(1)]).unwrap();
    assert_eq!(s.balance(&p.alice), 100 * EMC);
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("claim"));
    assert_eq!(attr(&res, "wasm", "amount").unwrap(), (100 * EMC).to_string());
    assert_eq!(attr(&res, "wasm-reward_claim", "device_id").as_deref(), Some("1"));
    assert_eq!(attr(&res, "wasm-reward_claim", "owner").unwrap(), p.alice.to_string());

    let c = s.claimed(1, 1);
    assert!(c.claimed);
    assert_eq!(c.amount.u128(), 100 * EMC);
    assert!(!s.claimed(1, 2).claimed);
    let st = s.epoch_state(1);
    assert_eq!(st.claimed.u128(), 100 * EMC);
    assert_eq!(st.hub_status, Some(EpochStatus::Final));
    assert_eq!(st.outstanding.u128(), 650 * EMC + 100 * EMC - 100 * EMC);
    let pool = s.pool();
    assert_eq!(pool.pool_total.u128(), pool_before.pool_total.u128() - 100 * EMC);
    assert_eq!(pool.reserved.u128(), pool_before.reserved.u128() - 100 * EMC);
    s.assert_books();
}

#[test]
fn anyone_claims_on_behalf_and_funds_reach_the_owner() {
    let (mut s, p, t) = setup(1);
    let relayer = s.addr("relayer");
    s.claim(&relayer, vec![t.item(2), t.item(3)]).unwrap();
    assert_eq!(s.balance(&relayer), 0);
    assert_eq!(s.balance(&p.bob), 200 * EMC);
    assert_eq!(s.balance(&p.carol), 300 * EMC);
    s.assert_books();
}

#[test]
fn claim_before_final_is_refused() {
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(1, &p);
    let alice = p.alice.clone();
    // Open: nothing at the hub yet
    assert_eq!(
        s.claim(&alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotFinal {
            index: 0,
            epoch: 1,
            status: EpochStatus::Open
        }
    );
    s.hub_epoch(1, EpochStatus::Reported, None, &[]);
    assert_eq!(
        s.claim(&alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotFinal {
            index: 0,
            epoch: 1,
            status: EpochStatus::Reported
        }
    );
    // Accepted and reserved, but the challenge window is still open
    s.hub_epoch(1, EpochStatus::Accepted, Some(&t), &[]);
    s.reserve(1, t.total).unwrap();
    assert_eq!(
        s.claim(&alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotFinal {
            index: 0,
            epoch: 1,
            status: EpochStatus::Accepted
        }
    );
    // the error names the failing item of a batch
    s.hub_epoch(2, EpochStatus::Final, Some(&tree(2, &p)), &[]);
    s.reserve(2, t.total).unwrap();
    let t2 = tree(2, &p);
    assert_eq!(
        s.claim(&alice, vec![t2.item(1), t.item(4)]).unwrap_err(),
        ContractError::EpochNotFinal {
            index: 1,
            epoch: 1,
            status: EpochStatus::Accepted
        }
    );
    assert_eq!(s.balance(&alice), 0);
    assert!(!s.claimed(2, 1).claimed);
    s.assert_books();
}

#[test]
fn final_at_the_hub_but_never_reserved_is_refused() {
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(1, &p);
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &[]);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotReserved { epoch: 1 }
    );
}

#[test]
fn final_at_the_hub_but_never_settled_is_refused() {
    // reserved at the first report, but the settlement never came (an inconsistent hub): nothing is paid
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(1, &p);
    s.reserve_budget(1).unwrap();
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &[s.addr("op")]);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotSettled { epoch: 1 }
    );
    let op = s.addr("op");
    assert_eq!(
        s.claim_operator(&op, 1).unwrap_err(),
        ContractError::EpochNotSettled { epoch: 1 }
    );
}

#[test]
fn double_claim_is_refused_in_one_batch_and_later() {
    let (mut s, p, t) = setup(1);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1), t.item(4), t.item(1)]).unwrap_err(),
        ContractError::AlreadyClaimed {
            index: 2,
            epoch: 1,
            device_id: 1
        }
    );
    // nothing of the failed batch stuck
    assert_eq!(s.balance(&p.alice), 0);
    assert!(!s.claimed(1, 1).claimed && !s.claimed(1, 4).claimed);

    s.claim(&p.alice, vec![t.item(1)]).unwrap();
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::AlreadyClaimed {
            index: 0,
            epoch: 1,
            device_id: 1
        }
    );
    let bob = p.bob.clone();
    assert_eq!(
        s.claim(&bob, vec![t.item(2), t.item(1)]).unwrap_err(),
        ContractError::AlreadyClaimed {
            index: 1,
            epoch: 1,
            device_id: 1
        }
    );
    assert_eq!(s.balance(&p.alice), 100 * EMC);
    assert_eq!(s.balance(&p.bob), 0);
    s.assert_books();
}

#[test]
fn forged_leaves_are_refused() {
    let (mut s, p, t) = setup(1);
    let mallory = s.addr("mallory");
    let invalid = |index, device_id| ContractError::InvalidProof {
        index,
        epoch: 1,
        device_id,
    };

    // alice's proof, paid to another owner
    let mut item = t.item(1);
    item.owner = mallory.to_string();
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    // another amount
    let mut item = t.item(1);
    item.amount = Uint128::new(101 * EMC);
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    let mut item = t.item(1);
    item.amount = Uint128::new(100 * EMC - 1);
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    // another device (device 1's leaf and proof presented as device 3)
    let mut item = t.item(1);
    item.device_id = 3;
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 3));
    // a device that is not in the tree
    let mut item = t.item(1);
    item.device_id = 99;
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 99));
    // another epoch: epoch 2 is final with a different tree; epoch 1's leaf does not prove against it
    let t2 = RewardTree::new(2, &[(1, &p.alice, 10 * EMC), (2, &p.bob, 20 * EMC)]);
    s.finalize(&t2, &[]);
    let mut item = t.item(1);
    item.epoch = 2;
    assert_eq!(
        s.claim(&mallory, vec![item]).unwrap_err(),
        ContractError::InvalidProof {
            index: 0,
            epoch: 2,
            device_id: 1
        }
    );
    // a truncated proof, a proof with an extra hash, another leaf's proof
    let mut item = t.item(1);
    item.proof.pop();
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    let mut item = t.item(1);
    item.proof.push(HexBinary::from(vec![0u8; 32]));
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    let mut item = t.item(1);
    item.proof = t.item(2).proof;
    assert_eq!(s.claim(&mallory, vec![item]).unwrap_err(), invalid(0, 1));
    // an inner node presented as a leaf is impossible: the leaf is hashed from its fields, so a forged batch item
    // after a valid one fails the whole batch
    let mut forged = t.item(3);
    forged.owner = mallory.to_string();
    assert_eq!(s.claim(&mallory, vec![t.item(2), forged]).unwrap_err(), invalid(1, 3));
    assert!(!s.claimed(1, 2).claimed);
    assert_eq!(s.balance(&p.bob), 0);
    assert_eq!(s.balance(&mallory), 0);
    s.assert_books();
}

#[test]
fn malformed_items_are_refused() {
    let (mut s, p, t) = setup(1);
    let relayer = s.addr("relayer");

    let mut item = t.item(1);
    item.proof[0] = HexBinary::from(vec![1u8; 31]);
    assert_eq!(
        s.claim(&relayer, vec![t.item(2), item]).unwrap_err(),
        ContractError::InvalidProofElement {
            index: 1,
            position: 0,
            len: 31
        }
    );
    let mut item = t.item(1);
    item.proof = vec![HexBinary::from(vec![0u8; 32]); MAX_PROOF_LEN + 1];
    assert_eq!(
        s.claim(&relayer, vec![item]).unwrap_err(),
        ContractError::ProofTooLong {
            index: 0,
            len: MAX_PROOF_LEN + 1,
            max: MAX_PROOF_LEN
        }
    );
    let mut item = t.item(1);
    item.amount = Uint128::zero();
    assert_eq!(
        s.claim(&relayer, vec![item]).unwrap_err(),
        ContractError::ZeroClaim { index: 0 }
    );
    // the owner string is hashed: only the chain's canonical (lowercase) form is accepted
    let mut item = t.item(1);
    item.owner = item.owner.to_uppercase();
    assert!(matches!(
        s.claim(&relayer, vec![item]).unwrap_err(),
        ContractError::InvalidOwner { index: 0, .. }
    ));
    let mut item = t.item(1);
    item.owner = "not-an-address".to_string();
    assert!(matches!(
        s.claim(&relayer, vec![item]).unwrap_err(),
        ContractError::InvalidOwner { index: 0, .. }
    ));
    // no funds with a claim
    s.mint(&relayer, 10);
    assert_eq!(
        s.exec(
            &relayer,
            &ExecuteMsg::Claim {
                claims: vec![t.item(1)]
            },
            &coins(10, DENOM)
        )
        .unwrap_err(),
        ContractError::Payment(PaymentError::NonPayable {})
    );
    assert_eq!(s.balance(&p.alice), 0);
}

#[test]
fn claims_never_exceed_the_reserved_total() {
    // A root whose leaves add up to more than the total the hub reported (defence in depth).
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(1, &p); // leaves: 650 EMC
    s.hub_epoch(1, EpochStatus::Accepted, Some(&t), &[]);
    s.reserve(1, 500 * EMC).unwrap();
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &[]);

    s.claim(&p.carol, vec![t.item(3), t.item(2)]).unwrap(); // 500
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::ExceedsEpochTotal {
            index: 0,
            epoch: 1,
            claimed: Uint128::new(500 * EMC),
            amount: Uint128::new(100 * EMC),
            total: Uint128::new(500 * EMC),
        }
    );
    // within one batch too
    let mut s = Suite::new();
    s.hub_epoch(1, EpochStatus::Accepted, Some(&t), &[]);
    s.reserve(1, 550 * EMC).unwrap();
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &[]);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1), t.item(2), t.item(3)]).unwrap_err(),
        ContractError::ExceedsEpochTotal {
            index: 2,
            epoch: 1,
            claimed: Uint128::new(300 * EMC),
            amount: Uint128::new(300 * EMC),
            total: Uint128::new(550 * EMC),
        }
    );
    assert_eq!(s.balance(&p.alice), 0);
    s.assert_books();
}

#[test]
fn banned_device_is_refused() {
    let (mut s, p, t) = setup(1);
    s.set_device(2, Some(DeviceStatus::Banned));
    let relayer = s.addr("relayer");
    assert_eq!(
        s.claim(&relayer, vec![t.item(1), t.item(2)]).unwrap_err(),
        ContractError::DeviceBanned { index: 1, device_id: 2 }
    );
    assert_eq!(s.balance(&p.alice), 0);
    // suspended devices still collect what they earned
    s.set_device(3, Some(DeviceStatus::Suspended));
    s.claim(&relayer, vec![t.item(3)]).unwrap();
    assert_eq!(s.balance(&p.carol), 300 * EMC);
    // a device the registry does not know
    s.set_device(4, None);
    assert!(matches!(
        s.claim(&relayer, vec![t.item(4)]).unwrap_err(),
        ContractError::RegistryQuery { device_id: 4, .. }
    ));
    s.assert_books();
}

#[test]
fn vetoed_epoch_pays_nothing_and_its_reservation_returns() {
    let mut s = Suite::new();
    let p = people(&s);
    let t = tree(1, &p);
    let free_before = s.pool().free;
    s.hub_epoch(1, EpochStatus::Accepted, Some(&t), &[]);
    s.reserve(1, t.total).unwrap();
    assert_eq!(s.pool().reserved.u128(), 650 * EMC + 100 * EMC);
    // the DAO vetoes: the hub releases the reservation and reports the epoch vetoed
    s.release(1).unwrap();
    s.hub_epoch(1, EpochStatus::Vetoed, Some(&t), &[]);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochNotFinal {
            index: 0,
            epoch: 1,
            status: EpochStatus::Vetoed
        }
    );
    let pool = s.pool();
    assert!(pool.reserved.is_zero());
    assert_eq!(pool.free, free_before);
    // even a hub that later (wrongly) calls it final gets nothing paid: the release is final here
    s.hub_epoch(1, EpochStatus::Final, Some(&t), &[]);
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1)]).unwrap_err(),
        ContractError::EpochReleased { epoch: 1 }
    );
    assert_eq!(s.balance(&p.alice), 0);
    s.assert_books();
}

#[test]
fn batch_of_50_mixed_owners() {
    let mut s = Suite::new();
    let owners: Vec<Addr> = (0..7).map(|i| s.addr(&format!("owner{i}"))).collect();
    let leaves: Vec<(u64, &Addr, u128)> = (0..50u64)
        .map(|i| (1000 + i * 3, &owners[(i % 7) as usize], (i as u128 + 1) * EMC / 10))
        .collect();
    let t = RewardTree::new(3, &leaves);
    s.finalize(&t, &[]);
    let relayer = s.addr("relayer");
    let items: Vec<ClaimItem> = leaves.iter().map(|(id, _, _)| t.item(*id)).collect();
    let res = s.claim(&relayer, items).unwrap();

    assert_eq!(events(&res, "wasm-reward_claim").count(), 50);
    // one bank send per distinct owner
    assert_eq!(events(&res, "transfer").count(), 7);
    assert_eq!(attr(&res, "wasm", "owners").as_deref(), Some("7"));
    for (k, owner) in owners.iter().enumerate() {
        let expected: u128 = leaves.iter().filter(|(_, o, _)| *o == owner).map(|(_, _, a)| a).sum();
        assert_eq!(s.balance(owner), expected, "owner {k}");
    }
    assert_eq!(s.epoch_state(3).claimed.u128(), t.total);
    assert_eq!(t.total, (1..=50u128).sum::<u128>() * EMC / 10);
    s.assert_books();
}

#[test]
fn batch_size_is_bounded() {
    let (mut s, p, t) = setup(1);
    assert_eq!(s.claim(&p.alice, vec![]).unwrap_err(), ContractError::EmptyBatch {});
    let many = vec![t.item(1); 51];
    assert_eq!(
        s.claim(&p.alice, many).unwrap_err(),
        ContractError::BatchTooLarge { len: 51, max: 50 }
    );
    let admin = s.admin.clone();
    s.exec(
        &admin,
        &ExecuteMsg::UpdateConfig {
            hub: None,
            registry: None,
            schedule: None,
            operator_share: None,
            max_batch: Some(2),
            claim_window: None,
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        s.claim(&p.alice, vec![t.item(1), t.item(2), t.item(3)]).unwrap_err(),
        ContractError::BatchTooLarge { len: 3, max: 2 }
    );
    s.claim(&p.alice, vec![t.item(1), t.item(2)]).unwrap();
}

#[test]
fn one_batch_across_epochs() {
    let mut s = Suite::new();
    let p = people(&s);
    let t1 = tree(1, &p);
    let t2 = RewardTree::new(2, &[(1, &p.alice, 7 * EMC), (5, &p.bob, 9 * EMC)]);
    s.finalize(&t1, &[]);
    s.finalize(&t2, &[]);
    let relayer = s.addr("relayer");
    s.claim(&relayer, vec![t1.item(1), t2.item(1), t1.item(2), t2.item(5)])
        .unwrap();
    assert_eq!(s.balance(&p.alice), 107 * EMC);
    assert_eq!(s.balance(&p.bob), 209 * EMC);
    assert_eq!(s.epoch_state(1).claimed.u128(), 300 * EMC);
    assert_eq!(s.epoch_state(2).claimed.u128(), 16 * EMC);
    s.assert_books();
}

#[test]
fn whole_supply_amounts() {
    // 10^17 uemc (the whole supply) emitted in one epoch, half to operators, then 10^17 more as revenue.
    let mut s = Suite::with(|m| {
        m.schedule.epoch_emission = Uint128::new(SUPPLY);
        m.operator_share = Decimal::percent(50);
    });
    let p = people(&s);
    s.fund(SUPPLY).unwrap();
    assert_eq!(s.balance(&s.treasury), 0);
    let b = s.budget(0);
    assert_eq!(b.emission.u128(), SUPPLY);
    assert_eq!(b.operator_budget.u128(), SUPPLY / 2);
    assert_eq!(b.device_budget.u128(), SUPPLY / 2);

    let half = SUPPLY / 2;
    let t = RewardTree::new(0, &[(1, &p.alice, half - 3), (2, &p.bob, 2), (u64::MAX, &p.carol, 1)]);
    let op1 = s.addr("operator1");
    let op2 = s.addr("operator2");
    s.finalize(&t, &[op1.clone(), op2.clone()]);
    assert!(s.pool().free.is_zero());

    // more than the supply in the books: revenue of another 10^17
    let shop = s.addr("shop");
    s.mint(&shop, SUPPLY);
    s.add_revenue(&shop, SUPPLY).unwrap();
    assert_eq!(s.budget(1).revenue.u128(), SUPPLY);
    assert!(s.budget(1).emission.is_zero());
    assert_eq!(s.pool().pool_total.u128(), 2 * SUPPLY);

    let relayer = s.addr("relayer");
    s.claim(&relayer, vec![t.item(1), t.item(2), t.item(u64::MAX)]).unwrap();
    s.claim_operator(&op1, 0).unwrap();
    s.claim_operator(&op2, 0).unwrap();
    assert_eq!(s.balance(&p.alice), half - 3);
    assert_eq!(s.balance(&op1), SUPPLY / 4);
    assert_eq!(s.balance(&op2), SUPPLY / 4);
    let pool = s.pool();
    assert_eq!(pool.pool_total.u128(), SUPPLY);
    assert!(pool.reserved.is_zero());
    assert_eq!(pool.balance.u128(), SUPPLY);
    s.assert_books();
}
