//! A 100,000-leaf tree built off chain with rewards_core; random proofs verified by claiming through the contract.

use cosmwasm_std::{Addr, Uint128};
use rewards_core::Leaf;

use crate::suite::{RewardTree, Suite, EMC};

const LEAVES: u64 = 100_000;
const OWNERS: u64 = 1_000;
const SAMPLES: usize = 20;

/// xorshift64*: deterministic "random" picks without a rand dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_proofs_of_a_100k_leaf_tree_claim_through_the_contract() {
    let mut s = Suite::with(|m| m.schedule.epoch_emission = Uint128::new(100_000 * EMC));
    s.fund(1_000_000 * EMC).unwrap();
    let owners: Vec<Addr> = (0..OWNERS).map(|i| s.addr(&format!("owner{i}"))).collect();

    let epoch = 42;
    // device ids are sparse (step 7) and amounts vary, so neighbouring proofs differ
    let leaves: Vec<Leaf> = (0..LEAVES)
        .map(|i| {
            let amount = 1_000 + u128::from(i.wrapping_mul(7_919) % 50_000);
            Leaf::new(epoch, 10 + i * 7, owners[(i % OWNERS) as usize].as_str(), amount)
        })
        .collect();
    let t = RewardTree::from_leaves(epoch, leaves);
    assert_eq!(t.tree.len(), LEAVES as usize);
    assert_eq!(t.tree.depth(), 17);
    // the reserved total is exactly the tree's total
    assert!(t.total <= s.budget(epoch).device_budget.u128());
    s.finalize(&t, &[]);
    assert_eq!(s.epoch_state(epoch).total_amount.u128(), t.total);

    let relayer = s.addr("relayer");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut picked: Vec<u64> = Vec::new();
    while picked.len() < SAMPLES {
        let i = rng.next() % LEAVES;
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    let mut paid = 0u128;
    for i in picked {
        let leaf = &t.leaves[i as usize];
        let owner = Addr::unchecked(leaf.owner.clone());
        let before = s.balance(&owner);
        let item = t.item(leaf.device_id);
        assert!(item.proof.len() >= 16 && item.proof.len() <= 17);

        // the neighbour's proof does not verify this leaf
        let mut wrong = item.clone();
        wrong.proof = t.proof(leaf.device_id + 7 - 14 * u64::from(i + 1 == LEAVES));
        assert!(s.claim(&relayer, vec![wrong]).is_err());

        s.claim(&relayer, vec![item]).unwrap();
        assert_eq!(s.balance(&owner), before + leaf.amount.u128());
        assert!(s.claimed(epoch, leaf.device_id).claimed);
        paid += leaf.amount.u128();
    }
    let st = s.epoch_state(epoch);
    assert_eq!(st.claimed.u128(), paid);
    assert_eq!(st.outstanding.u128(), t.total - paid + st.budget.operator_budget.u128());
    s.assert_books();
}
