//! A 100,000-leaf tree: build, cross-check with the streaming root, verify a random sample of proofs.

use rewards_core::*;

/// xorshift64*, deterministic and dependency-free.
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
fn hundred_thousand_leaves() {
    const N: u64 = 100_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let owners: Vec<String> = (0..1000).map(|i| format!("emc1{:038x}", i * 7919)).collect();
    let leaves: Vec<Leaf> = (0..N)
        .map(|i| {
            let owner = &owners[(rng.next() % 1000) as usize];
            Leaf::new(42, i * 5 + 3, owner.clone(), u128::from(rng.next() % 10_000_000_000))
        })
        .collect();
    let tree = build_tree(&leaves).unwrap();
    assert_eq!(tree.len(), N as usize);
    assert_eq!(tree.depth(), 17); // ceil(log2(100_000))

    let mut rb = RootBuilder::new();
    for l in &leaves {
        rb.push_leaf(l).unwrap();
    }
    let root = tree.root();
    assert_eq!(rb.finish(), root);

    for _ in 0..2_000 {
        let i = (rng.next() % N) as usize;
        let proof = tree.proof_for_device(leaves[i].device_id).unwrap();
        assert!(proof.len() <= 17, "proof length {}", proof.len());
        assert!(verify(&root, &leaves[i], &proof));
        let mut bad = leaves[i].clone();
        bad.device_id += 1;
        assert!(!verify(&root, &bad, &proof));
    }
    // the last leaf (index 99_999) is promoted at some levels: its proof is shorter
    let last = tree.proof(N as usize - 1).unwrap();
    assert!(last.len() < 17);
    assert!(verify(&root, &leaves[N as usize - 1], &last));
}
