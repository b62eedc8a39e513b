//! The rewards Merkle tree: SHA-256, domain-separated leaves and nodes, sorted-pair inner nodes, odd nodes promoted.
//!
//! ```text
//! leaf  = SHA-256(0x00 || encode_leaf(leaf))                         (see crate::leaf)
//! node  = SHA-256(0x01 || min(a, b) || max(a, b))                    (a, b compared as 32-byte strings)
//! ```
//!
//! * Leaves are ordered by `device_id`, strictly ascending (ids unique).
//! * Each level pairs nodes (0,1), (2,3), …; a last node without a partner is promoted to the next level unchanged
//!   (never duplicated, so `[a, b, c]` and `[a, b, c, c]` have different roots: no CVE-2012-2459 ambiguity).
//! * Root of one leaf = its leaf hash; root of no leaf = [`EMPTY_ROOT`] (32 zero bytes, which no proof reaches).
//! * A proof is the list of sibling hashes from the leaf level up, skipping levels where the node was promoted. Since
//!   pairs are sorted, the verifier needs neither the index nor the left/right side: it folds
//!   `acc = node(acc, sibling)` over the proof and compares with the root.
//!
//! Sorted pairs do not bind a leaf to a position; nothing needs that, because a leaf is identified by its content
//! (epoch, device id) and the rewards contract records claims by (epoch, device id). The 0x00/0x01 prefixes keep an
//! inner node from ever being presented as a leaf (second-preimage attack).

use sha2::{Digest, Sha256};

use crate::error::RewardsError;
use crate::leaf::leaf_hash_parts;
use crate::types::{check_owner, validate_owner, Leaf};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// First byte hashed for an inner node.
pub const NODE_PREFIX: u8 = 0x01;

/// Root of a tree with no leaves.
pub const EMPTY_ROOT: Hash = [0u8; 32];

/// Longest proof [`verify`] accepts: enough for 2^64 leaves. Longer proofs are rejected without hashing.
pub const MAX_PROOF_LEN: usize = 64;

/// Inner node over two children, order-independent: `SHA-256(0x01 || min(a,b) || max(a,b))`.
pub fn hash_pair(a: &Hash, b: &Hash) -> Hash {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(lo);
    buf[33..].copy_from_slice(hi);
    Sha256::digest(buf).into()
}

/// Checks a proof for a leaf hash: folds [`hash_pair`] over `proof` starting from `leaf_hash` and compares with
/// `root`. No allocation. False for proofs longer than [`MAX_PROOF_LEN`].
pub fn verify_hash(root: &Hash, leaf_hash: &Hash, proof: &[Hash]) -> bool {
    if proof.len() > MAX_PROOF_LEN {
        return false;
    }
    let acc = proof.iter().fold(*leaf_hash, |acc, sib| hash_pair(&acc, sib));
    acc == *root
}

/// Checks that `leaf` is in the tree with root `root`, given its proof. Uses only SHA-256 and no allocation; meant
/// for contracts. False (never an error) for a non-canonical owner or an over-long proof.
pub fn verify(root: &Hash, leaf: &Leaf, proof: &[Hash]) -> bool {
    if validate_owner(&leaf.owner).is_err() {
        return false;
    }
    let lh = leaf_hash_parts(leaf.epoch, leaf.device_id, &leaf.owner, leaf.amount.u128());
    verify_hash(root, &lh, proof)
}

/// Lower-case hex of a hash.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

/// Parses 64 hex digits (either case) into a hash.
pub fn hash_from_hex(s: &str) -> Result<Hash, RewardsError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| RewardsError::InvalidHash { input: s.to_owned() })?;
    Ok(out)
}

/// Parses a proof given as hex strings.
pub fn proof_from_hex<S: AsRef<str>>(items: &[S]) -> Result<Vec<Hash>, RewardsError> {
    items.iter().map(|s| hash_from_hex(s.as_ref())).collect()
}

/// Enforces strictly ascending device ids and one epoch over a sequence of leaves.
#[derive(Clone, Debug, Default)]
struct OrderCheck {
    epoch: Option<u64>,
    last: Option<u64>,
}

impl OrderCheck {
    fn device(&mut self, device_id: u64) -> Result<(), RewardsError> {
        match self.last {
            Some(prev) if prev == device_id => return Err(RewardsError::DuplicateDevice { device_id }),
            Some(prev) if prev > device_id => {
                return Err(RewardsError::OutOfOrder {
                    device_id,
                    previous: prev,
                })
            }
            _ => {}
        }
        self.last = Some(device_id);
        Ok(())
    }

    fn leaf(&mut self, leaf: &Leaf) -> Result<Hash, RewardsError> {
        match self.epoch {
            Some(e) if e != leaf.epoch => {
                return Err(RewardsError::MixedEpochs {
                    device_id: leaf.device_id,
                    expected: e,
                    found: leaf.epoch,
                })
            }
            _ => {}
        }
        check_owner(leaf.device_id, &leaf.owner)?;
        self.device(leaf.device_id)?;
        self.epoch = Some(leaf.epoch);
        Ok(leaf_hash_parts(
            leaf.epoch,
            leaf.device_id,
            &leaf.owner,
            leaf.amount.u128(),
        ))
    }
}

/// A complete tree kept level by level, for serving proofs. Memory: the leaf level (32 bytes per leaf) plus the levels
/// above it (another ~32 bytes per leaf in total) plus the sorted device ids (8 bytes per leaf), i.e. about 72 bytes
/// per leaf (72 MB for 10^6 devices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    epoch: Option<u64>,
    device_ids: Vec<u64>,
    /// `levels[0]` = leaf hashes in device id order; the last level holds the root alone. Empty for no leaves.
    levels: Vec<Vec<Hash>>,
}

/// Builds the tree of `leaves`, given in any order: they are sorted by device id. Fails on a duplicate device id, on
/// leaves of different epochs, and on a non-canonical owner.
pub fn build_tree(leaves: &[Leaf]) -> Result<Tree, RewardsError> {
    let mut builder = TreeBuilder::with_capacity(leaves.len());
    if leaves.windows(2).all(|w| w[0].device_id < w[1].device_id) {
        for leaf in leaves {
            builder.push_leaf(leaf)?;
        }
    } else {
        let mut order: Vec<usize> = (0..leaves.len()).collect();
        order.sort_unstable_by_key(|&i| leaves[i].device_id);
        for i in order {
            builder.push_leaf(&leaves[i])?;
        }
    }
    Ok(builder.finish())
}

impl Tree {
    /// Builds the upper levels over leaf hashes already in strictly ascending device id order.
    fn from_sorted(epoch: Option<u64>, device_ids: Vec<u64>, leaf_hashes: Vec<Hash>) -> Tree {
        let mut levels: Vec<Vec<Hash>> = Vec::new();
        if !leaf_hashes.is_empty() {
            levels.push(leaf_hashes);
        }
        while let Some(cur) = levels.last() {
            if cur.len() <= 1 {
                break;
            }
            let next: Vec<Hash> = cur
                .chunks(2)
                .map(|c| c.iter().copied().reduce(|a, b| hash_pair(&a, &b)).unwrap_or(EMPTY_ROOT))
                .collect();
            levels.push(next);
        }
        Tree {
            epoch,
            device_ids,
            levels,
        }
    }

    /// The Merkle root ([`EMPTY_ROOT`] for no leaves).
    pub fn root(&self) -> Hash {
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or(EMPTY_ROOT)
    }

    /// Number of leaves.
    pub fn len(&self) -> usize {
        self.device_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.device_ids.is_empty()
    }

    /// The epoch of the leaves (None for an empty tree, or one built only from pre-hashed leaves).
    pub fn epoch(&self) -> Option<u64> {
        self.epoch
    }

    /// Number of levels above the leaves (the longest proof's length).
    pub fn depth(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }

    /// Device ids in leaf order (ascending).
    pub fn device_ids(&self) -> &[u64] {
        &self.device_ids
    }

    /// Leaf hashes in leaf order.
    pub fn leaf_hashes(&self) -> &[Hash] {
        self.levels.first().map_or(&[], |l| l.as_slice())
    }

    /// Leaf index of `device_id` (binary search).
    pub fn index_of(&self, device_id: u64) -> Option<usize> {
        self.device_ids.binary_search(&device_id).ok()
    }

    /// Proof for the leaf at `index` (siblings from the leaf level up); None if out of range.
    pub fn proof(&self, index: usize) -> Option<Vec<Hash>> {
        if index >= self.len() {
            return None;
        }
        let mut proof = Vec::with_capacity(self.depth());
        let mut idx = index;
        for level in self.levels.iter().take(self.depth()) {
            if let Some(sib) = level.get(idx ^ 1) {
                proof.push(*sib);
            }
            idx >>= 1;
        }
        Some(proof)
    }

    /// Proof for the leaf of `device_id`; None if the device has no leaf.
    pub fn proof_for_device(&self, device_id: u64) -> Option<Vec<Hash>> {
        self.index_of(device_id).and_then(|i| self.proof(i))
    }
}

/// Streaming tree construction for leaves that arrive in device id order (e.g. read from a database): keeps only the
/// leaf hashes and ids (40 bytes per leaf) until [`TreeBuilder::finish`] builds the upper levels.
#[derive(Clone, Debug, Default)]
pub struct TreeBuilder {
    check: OrderCheck,
    device_ids: Vec<u64>,
    hashes: Vec<Hash>,
}

impl TreeBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        TreeBuilder {
            check: OrderCheck::default(),
            device_ids: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
        }
    }

    /// Appends a leaf. Fails (and changes nothing) unless its device id is above every previous one, its epoch equals
    /// the previous leaves' epoch and its owner is canonical.
    pub fn push_leaf(&mut self, leaf: &Leaf) -> Result<(), RewardsError> {
        let mut check = self.check.clone();
        let h = check.leaf(leaf)?;
        self.check = check;
        self.device_ids.push(leaf.device_id);
        self.hashes.push(h);
        Ok(())
    }

    /// Appends an already computed leaf hash; only the device id order is checked.
    pub fn push_hash(&mut self, device_id: u64, leaf_hash: Hash) -> Result<(), RewardsError> {
        self.check.device(device_id)?;
        self.device_ids.push(device_id);
        self.hashes.push(leaf_hash);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn finish(self) -> Tree {
        Tree::from_sorted(self.check.epoch, self.device_ids, self.hashes)
    }
}

/// Root-only streaming computation in O(log n) memory: gives exactly [`Tree::root`] for the same leaves pushed in
/// device id order, without keeping the tree (e.g. to cross-check a stored root, or in a contract).
#[derive(Clone, Debug, Default)]
pub struct RootBuilder {
    check: OrderCheck,
    /// `pending[k]`: a finished level-k node still waiting for its right sibling.
    pending: Vec<Option<Hash>>,
    count: u64,
}

impl RootBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf; same checks as [`TreeBuilder::push_leaf`].
    pub fn push_leaf(&mut self, leaf: &Leaf) -> Result<(), RewardsError> {
        let mut check = self.check.clone();
        let h = check.leaf(leaf)?;
        self.check = check;
        self.push(h);
        Ok(())
    }

    /// Appends an already computed leaf hash; only the device id order is checked.
    pub fn push_hash(&mut self, device_id: u64, leaf_hash: Hash) -> Result<(), RewardsError> {
        self.check.device(device_id)?;
        self.push(leaf_hash);
        Ok(())
    }

    fn push(&mut self, leaf_hash: Hash) {
        self.count = self.count.saturating_add(1);
        let mut carry = leaf_hash;
        for slot in self.pending.iter_mut() {
            match slot.take() {
                None => {
                    *slot = Some(carry);
                    return;
                }
                Some(left) => carry = hash_pair(&left, &carry),
            }
        }
        self.pending.push(Some(carry));
    }

    /// Number of leaves pushed.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The root. A pending node at level k is the left partner of whatever the lower levels still hold (the partial
    /// last node of level k); with nothing below it, it is promoted — the same rule as the level-by-level build.
    pub fn finish(self) -> Hash {
        let mut carry: Option<Hash> = None;
        for slot in self.pending {
            carry = match (slot, carry) {
                (Some(left), Some(right)) => Some(hash_pair(&left, &right)),
                (Some(left), None) => Some(left),
                (None, c) => c,
            };
        }
        carry.unwrap_or(EMPTY_ROOT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaf::leaf_hash;

    fn leaves(n: u64) -> Vec<Leaf> {
        (0..n)
            .map(|i| Leaf::new(3, i * 10 + 1, format!("emc1owner{i}"), 1000 + u128::from(i)))
            .collect()
    }

    fn hashes(ls: &[Leaf]) -> Vec<Hash> {
        ls.iter().map(|l| leaf_hash(l).unwrap()).collect()
    }

    #[test]
    fn empty_and_single() {
        let t = build_tree(&[]).unwrap();
        assert_eq!(t.root(), EMPTY_ROOT);
        assert!(t.is_empty());
        assert_eq!(t.proof(0), None);
        assert_eq!(RootBuilder::new().finish(), EMPTY_ROOT);

        let ls = leaves(1);
        let t = build_tree(&ls).unwrap();
        assert_eq!(t.root(), leaf_hash(&ls[0]).unwrap());
        assert_eq!(t.proof(0), Some(vec![]));
        assert!(verify(&t.root(), &ls[0], &[]));
    }

    #[test]
    fn shape_with_promotion() {
        let ls = leaves(5);
        let h = hashes(&ls);
        let h01 = hash_pair(&h[0], &h[1]);
        let h23 = hash_pair(&h[2], &h[3]);
        let h0123 = hash_pair(&h01, &h23);
        let root = hash_pair(&h0123, &h[4]);
        let t = build_tree(&ls).unwrap();
        assert_eq!(t.root(), root);
        assert_eq!(t.depth(), 3);
        assert_eq!(t.proof(4).unwrap(), vec![h0123]);
        assert_eq!(t.proof(2).unwrap(), vec![h[3], h01, h[4]]);
        for (i, l) in ls.iter().enumerate() {
            assert!(verify(&root, l, &t.proof(i).unwrap()));
        }
        // promotion, not duplication: [a,b,c] != [a,b,c,c]
        let t3 = Tree::from_sorted(None, vec![1, 2, 3], h[..3].to_vec());
        let t4 = Tree::from_sorted(None, vec![1, 2, 3, 4], vec![h[0], h[1], h[2], h[2]]);
        assert_ne!(t3.root(), t4.root());
    }

    #[test]
    fn hash_pair_sorted_and_domain_separated() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_eq!(hash_pair(&a, &b), hash_pair(&b, &a));
        let mut buf = vec![0x01];
        buf.extend_from_slice(&a);
        buf.extend_from_slice(&b);
        assert_eq!(hash_pair(&a, &b), <[u8; 32]>::from(Sha256::digest(&buf)));
    }

    #[test]
    fn root_builder_matches_tree() {
        for n in 0..70 {
            let ls = leaves(n);
            let t = build_tree(&ls).unwrap();
            let mut rb = RootBuilder::new();
            for l in &ls {
                rb.push_leaf(l).unwrap();
            }
            assert_eq!(rb.count(), n);
            assert_eq!(rb.finish(), t.root(), "n = {n}");
            for (i, l) in ls.iter().enumerate() {
                let p = t.proof(i).unwrap();
                assert!(p.len() <= t.depth());
                assert!(verify(&t.root(), l, &p));
                assert_eq!(t.proof_for_device(l.device_id).unwrap(), p);
            }
        }
    }

    #[test]
    fn build_tree_rejects_bad_input() {
        let mut ls = leaves(4);
        ls[3].device_id = ls[1].device_id;
        assert_eq!(build_tree(&ls), Err(RewardsError::DuplicateDevice { device_id: 11 }));
        let mut ls = leaves(4);
        ls[2].epoch = 9;
        assert!(matches!(
            build_tree(&ls),
            Err(RewardsError::MixedEpochs { found: 9, .. })
        ));
        let mut ls = leaves(4);
        ls[0].owner = "Emc1".into();
        assert!(matches!(build_tree(&ls), Err(RewardsError::InvalidOwner { .. })));

        let mut rb = RootBuilder::new();
        rb.push_hash(5, [0; 32]).unwrap();
        assert_eq!(
            rb.push_hash(4, [0; 32]),
            Err(RewardsError::OutOfOrder {
                device_id: 4,
                previous: 5
            })
        );
        // a failed push changes nothing
        let mut tb = TreeBuilder::new();
        tb.push_leaf(&Leaf::new(1, 5, "a", 1)).unwrap();
        assert!(tb.push_leaf(&Leaf::new(2, 6, "a", 1)).is_err());
        assert!(tb.push_leaf(&Leaf::new(1, 6, "A", 1)).is_err());
        tb.push_leaf(&Leaf::new(1, 6, "a", 1)).unwrap();
        assert_eq!(tb.len(), 2);
    }

    #[test]
    fn unsorted_input_same_root() {
        let ls = leaves(9);
        let mut rev = ls.clone();
        rev.reverse();
        assert_eq!(build_tree(&ls).unwrap(), build_tree(&rev).unwrap());
    }

    #[test]
    fn verify_rejects_tampering_and_long_proofs() {
        let ls = leaves(6);
        let t = build_tree(&ls).unwrap();
        let root = t.root();
        let p = t.proof(3).unwrap();
        assert!(verify(&root, &ls[3], &p));
        let mut bad = ls[3].clone();
        bad.amount += cosmwasm_std::Uint128::one();
        assert!(!verify(&root, &bad, &p));
        assert!(!verify(&root, &ls[2], &p));
        let mut upper = ls[3].clone();
        upper.owner = upper.owner.to_uppercase();
        assert!(!verify(&root, &upper, &p));
        assert!(!verify(&root, &ls[3], &p[1..]));
        assert!(!verify_hash(&root, &root, &vec![[0; 32]; MAX_PROOF_LEN + 1]));
    }

    #[test]
    fn hex_helpers() {
        let h = [0xabu8; 32];
        let s = to_hex(&h);
        assert_eq!(hash_from_hex(&s).unwrap(), h);
        assert_eq!(hash_from_hex(&s.to_uppercase()).unwrap(), h);
        assert!(hash_from_hex("abcd").is_err());
        assert!(hash_from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(proof_from_hex(&[s.clone(), s]).unwrap(), vec![h, h]);
    }
}
