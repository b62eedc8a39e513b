//! Regression tests for the security review (R1-R3: weak device keys, key squatting, approval bloat) and for the
//! staking transfer hook (review F2, end to end with the real staking contract). Each attack from the review is
//! replayed and must now fail.

use cosmwasm_std::{coins, to_json_binary, Addr, Api, Binary, Decimal, Empty, HexBinary, Timestamp, Uint128};
use cw721::msg::ApprovalsResponse;
use cw_multi_test::{AppResponse, BankSudo, ContractWrapper, Executor, SudoMsg};
use device_registry::activation::sha256;
use device_registry::msg::{
    activation_message, registration_message, DeviceRegistration, DeviceStatus, ExecuteMsg, KeyType, QueryMsg,
    RegistrationMessageResponse,
};
use device_registry::ContractError;

use crate::suite::{
    attr, events_of, receiver_execute, receiver_instantiate, receiver_query, signed_registration, DeviceKey, Suite,
    DENOM,
};

/// The eight small-order points of edwards25519 (canonical encodings): the identity, the point of order 2, two of
/// order 4 and four of order 8.
const SMALL_ORDER_KEYS: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

/// R = identity, s = 0: verifies for every message under a small-order key.
fn universal_signature() -> Binary {
    let mut sig = vec![0u8; 64];
    sig[0] = 1;
    Binary::from(sig)
}

fn raw_registration(key_type: KeyType, pubkey: Vec<u8>, code: &str, signature: Binary) -> DeviceRegistration {
    DeviceRegistration {
        key_type,
        pubkey: Binary::from(pubkey),
        code_hash: HexBinary::from(sha256(code.as_bytes()).as_slice()),
        model: "edge-cam-v1".to_string(),
        metadata_uri: None,
        registration_signature: signature,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// R1: small-order ed25519 keys

/// Review R1: a small-order ed25519 "key" accepts a message-independent signature, which would let anyone who saw
/// the activation code activate the device to themselves. Such keys are now refused at registration, even with a
/// "proof of possession" that verifies (the universal signature verifies for the registration message too).
#[test]
fn small_order_ed25519_keys_are_refused_at_registration() {
    let mut s = Suite::new();
    let code = "ABCD-1234";
    for (i, hex) in SMALL_ORDER_KEYS.iter().enumerate() {
        let pubkey = HexBinary::from_hex(hex).unwrap().to_vec();
        // The universal signature really does verify under this key, for any message: the PoP alone would not
        // catch it.
        let reg_msg = registration_message(&s.chain_id(), s.contract.as_str(), s.maker.as_str(), &sha256(b"x"));
        assert_eq!(
            s.app.api().ed25519_verify(&reg_msg, &universal_signature(), &pubkey),
            Ok(true),
            "key {i} is of small order"
        );
        // In a batch, behind a valid device: the whole batch is refused and names the index.
        let good = s.registration(&DeviceKey::ed25519(50), "GOOD");
        let weak = raw_registration(KeyType::Ed25519, pubkey, code, universal_signature());
        assert_eq!(
            s.register(vec![good, weak]).unwrap_err(),
            ContractError::WeakDeviceKey { index: 1 },
            "small-order key {hex}"
        );
    }
    assert_eq!(s.counts().registered, 0);

    // The review's attack can no longer even start: there is no such device to activate with a forged signature.
    let thief = s.addr("thief");
    let err = s.activate(&thief, 1, code, &thief, universal_signature()).unwrap_err();
    assert_eq!(err, ContractError::UnknownDevice { device_id: 1 });

    // Real keys are unaffected.
    s.register_one(&DeviceKey::ed25519(50), "GOOD");
    assert_eq!(s.counts().registered, 1);
}

/// A 33-byte compressed secp256k1 "key" whose x has no point on the curve can never verify a signature: refused
/// (cosmwasm's secp256k1_verify errors on it; a valid key merely fails the probe).
#[test]
fn secp256k1_keys_must_be_curve_points() {
    let mut s = Suite::new();
    // The first x (from 1 up) with no curve point, found with k256 so the test does not rely on a constant.
    let invalid = (1u8..=255)
        .map(|x| {
            let mut pk = vec![0x02u8];
            pk.extend_from_slice(&[0u8; 31]);
            pk.push(x);
            pk
        })
        .find(|pk| k256::PublicKey::from_sec1_bytes(pk).is_err())
        .expect("some x in 1..=255 is not on the curve");
    let reg = raw_registration(KeyType::Secp256k1, invalid, "C1", Binary::from(vec![1u8; 64]));
    assert_eq!(
        s.register(vec![reg]).unwrap_err(),
        ContractError::InvalidSecp256k1Pubkey { index: 0 }
    );
    // A real secp256k1 key registers (and proves possession over sha256 of the message).
    s.register_one(&DeviceKey::secp256k1(3), "C2");
    assert_eq!(s.device(1).key_type, KeyType::Secp256k1);
}

// ---------------------------------------------------------------------------------------------------------------
// R2: key squatting / proof of possession

/// Review R2: an approved maker front-runs another maker's batch by registering one victim pubkey with a junk code
/// hash, which used to brick the real device forever. Now a registration needs the device key's signature for this
/// maker and code hash: the squatter has neither the key nor a usable signature.
#[test]
fn maker_cannot_squat_another_makers_device_key() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let evil = s.addr("evil-maker");
    s.exec(
        &admin,
        &ExecuteMsg::ApproveMaker {
            maker: evil.to_string(),
        },
    )
    .unwrap();
    let victim_keys: Vec<DeviceKey> = (1..=5).map(DeviceKey::ed25519).collect();
    let victim_batch: Vec<DeviceRegistration> = victim_keys
        .iter()
        .enumerate()
        .map(|(i, k)| s.registration(k, &format!("code-{i}")))
        .collect();

    // The squat from the review: victim #3's key with a junk code hash (and the victim's signature, copied from
    // the mempool).
    let mut squat = victim_batch[3].clone();
    squat.code_hash = HexBinary::from(sha256(b"junk").as_slice());
    assert_eq!(
        s.exec(&evil, &ExecuteMsg::RegisterDevice { device: squat })
            .unwrap_err(),
        ContractError::InvalidRegistrationSignature { index: 0 }
    );
    // Copying the victim's registration exactly (same code hash) does not work either: the signature binds the
    // victim maker.
    assert_eq!(
        s.exec(
            &evil,
            &ExecuteMsg::RegisterDevice {
                device: victim_batch[3].clone()
            }
        )
        .unwrap_err(),
        ContractError::InvalidRegistrationSignature { index: 0 }
    );
    // A signature that is no signature at all.
    let mut forged = victim_batch[3].clone();
    forged.registration_signature = Binary::from(vec![0u8; 64]);
    assert_eq!(
        s.exec(&evil, &ExecuteMsg::RegisterDevice { device: forged })
            .unwrap_err(),
        ContractError::InvalidRegistrationSignature { index: 0 }
    );

    // The victim's whole batch registers, and the real device activates with the real code.
    s.register(victim_batch).unwrap();
    assert_eq!(s.device(4).pubkey, victim_keys[3].pubkey());
    let owner = s.addr("buyer");
    let sig = s.device_signature(&victim_keys[3], 4, &owner);
    s.activate(&owner, 4, "code-3", &owner, sig).unwrap();
    assert_eq!(s.owner_of(4), owner.to_string());
}

/// The registration signature binds the chain, the registry, the maker and the code hash, and is domain-separated
/// from the activation signature; both key types sign like activation (ed25519 over the bytes, secp256k1 over
/// sha256). The `RegistrationMessage` query returns the documented bytes.
#[test]
fn registration_signature_binds_chain_registry_maker_and_code() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(7);
    let maker = s.maker.clone();
    let other = s.addr("other-registry");
    let bad = |reg: DeviceRegistration| ExecuteMsg::RegisterDevice { device: reg };

    let wrong_chain = signed_registration(&key, "C1", "another-chain-1", &s.contract, &maker);
    let wrong_registry = signed_registration(&key, "C1", &s.chain_id(), &other, &maker);
    let mut wrong_code = s.registration(&key, "C1");
    wrong_code.code_hash = HexBinary::from(sha256(b"C2").as_slice());
    // An activation signature over the same fields is not a registration signature.
    let mut activation_sig = s.registration(&key, "C1");
    activation_sig.registration_signature = key.sign(&activation_message(
        &s.chain_id(),
        s.contract.as_str(),
        maker.as_str(),
        &sha256(b"C1"),
    ));
    for reg in [wrong_chain, wrong_registry, wrong_code, activation_sig] {
        assert_eq!(
            s.exec(&maker, &bad(reg)).unwrap_err(),
            ContractError::InvalidRegistrationSignature { index: 0 }
        );
    }
    // secp256k1 signs sha256(message); a signature over another prehash fails.
    let secp = DeviceKey::secp256k1(8);
    let mut raw = s.registration(&secp, "C3");
    raw.registration_signature = secp.sign(b"something else");
    assert_eq!(
        s.exec(&maker, &bad(raw)).unwrap_err(),
        ContractError::InvalidRegistrationSignature { index: 0 }
    );
    s.register(vec![s.registration(&key, "C1"), s.registration(&secp, "C3")])
        .unwrap();

    // The query returns the exact bytes, as the shared builder does.
    let code_hash = HexBinary::from(sha256(b"C9").as_slice());
    let res: RegistrationMessageResponse = s
        .query(&QueryMsg::RegistrationMessage {
            maker: maker.to_string(),
            code_hash: code_hash.clone(),
        })
        .unwrap();
    let expected = format!(
        "edgemint-register/v1\n{}\n{}\n{}\n{}",
        s.chain_id(),
        s.contract,
        maker,
        code_hash.to_hex()
    );
    assert_eq!(res.text, expected);
    assert_eq!(res.message.as_slice(), expected.as_bytes());
    assert_eq!(res.message_hash.as_slice(), sha256(expected.as_bytes()).as_slice());
    assert_eq!(res.maker, maker);
    assert_eq!(
        res.message.as_slice(),
        registration_message(&s.chain_id(), s.contract.as_str(), maker.as_str(), code_hash.as_slice()).as_slice()
    );
    // Bad input: not an address, not a 32-byte hash.
    assert!(s
        .query::<RegistrationMessageResponse>(&QueryMsg::RegistrationMessage {
            maker: "nope".to_string(),
            code_hash: code_hash.clone(),
        })
        .is_err());
    assert!(s
        .query::<RegistrationMessageResponse>(&QueryMsg::RegistrationMessage {
            maker: maker.to_string(),
            code_hash: HexBinary::from(vec![1u8; 31]),
        })
        .is_err());
}

/// Accepted risk (documented): code hashes stay globally unique, so an approved maker that front-runs another
/// maker's code hash (with a device of its own) makes that registration fail. Only a DAO-approved maker can do it,
/// visibly, and the DAO revokes it; the key itself can no longer be squatted.
#[test]
fn code_hash_front_running_by_an_approved_maker_is_visible_and_attributable() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let evil = s.addr("evil-maker");
    s.exec(
        &admin,
        &ExecuteMsg::ApproveMaker {
            maker: evil.to_string(),
        },
    )
    .unwrap();
    let victim = s.registration(&DeviceKey::ed25519(1), "code-1");
    let own_device = s.registration_by(&DeviceKey::ed25519(2), "code-1", &evil);
    s.exec(&evil, &ExecuteMsg::RegisterDevice { device: own_device })
        .unwrap();
    assert!(matches!(
        s.register(vec![victim]).unwrap_err(),
        ContractError::DuplicateCodeHash { existing: Some(1), .. }
    ));
    // The squatting record is attributable to the misbehaving maker.
    assert_eq!(s.device(1).maker, evil);
}

// ---------------------------------------------------------------------------------------------------------------
// R3: approvals

/// Review R3: unbounded approvals used to bloat the token record that every Device query loads (500 approvals →
/// > 40 KB). Now a token holds at most 10; re-approving replaces, revoking frees a slot, a transfer clears them.
#[test]
fn approvals_per_token_are_capped() {
    let mut s = Suite::new();
    let owner = s.addr("owner");
    let key = DeviceKey::ed25519(9);
    let id = s.activated_device(&key, "code-x", &owner);
    assert_eq!(s.config().max_approvals_per_token, 10);
    let approve = |spender: &Addr, expires: Option<cw_utils::Expiration>| ExecuteMsg::Approve {
        spender: spender.to_string(),
        token_id: id.to_string(),
        expires,
    };
    let spenders: Vec<Addr> = (0..11).map(|i| s.addr(&format!("spender-{i}"))).collect();
    for spender in &spenders[..10] {
        s.exec(&owner, &approve(spender, None)).unwrap();
    }
    let res = s.exec(&owner, &approve(&spenders[10], None)).unwrap_err();
    assert_eq!(
        res,
        ContractError::TooManyApprovals {
            token_id: id.to_string(),
            max: 10
        }
    );
    // Re-approving an existing spender (new expiry) is a replacement, not a new approval.
    s.exec(
        &owner,
        &approve(&spenders[3], Some(cw_utils::Expiration::AtHeight(1_000_000))),
    )
    .unwrap();
    // A non-owner still gets the ownership error first.
    let stranger = s.addr("stranger");
    assert!(matches!(
        s.exec(&stranger, &approve(&stranger, None)).unwrap_err(),
        ContractError::Cw721(_)
    ));
    let approvals: ApprovalsResponse = s
        .query(&QueryMsg::Approvals {
            token_id: id.to_string(),
            include_expired: None,
        })
        .unwrap();
    assert_eq!(approvals.approvals.len(), 10);

    // The review's measurement: the token record stays small.
    let mut raw_key = vec![0u8, 6];
    raw_key.extend_from_slice(b"tokens");
    raw_key.extend_from_slice(id.to_string().as_bytes());
    let raw = s
        .app
        .wrap()
        .query_wasm_raw(s.contract.clone(), raw_key)
        .unwrap()
        .expect("token");
    assert!(raw.len() < 2_000, "token record is {} bytes", raw.len());

    // Revoking frees a slot.
    s.exec(
        &owner,
        &ExecuteMsg::Revoke {
            spender: spenders[0].to_string(),
            token_id: id.to_string(),
        },
    )
    .unwrap();
    let res = s.exec(&owner, &approve(&spenders[10], None)).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("approve"));
    assert_eq!(attr(&res, "spender"), Some(spenders[10].to_string()));
    // A transfer clears the approvals: the new owner starts from zero.
    let buyer = s.addr("buyer");
    s.exec(
        &owner,
        &ExecuteMsg::TransferNft {
            recipient: buyer.to_string(),
            token_id: id.to_string(),
        },
    )
    .unwrap();
    for spender in &spenders[..10] {
        s.exec(&buyer, &approve(spender, None)).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The staking transfer hook, with the real staking contract

const EMC: u128 = 1_000_000;
const MIN: u128 = 100 * EMC;
const UNBONDING: u64 = 7 * 24 * 3600;

struct Staked {
    s: Suite,
    staking: Addr,
    hub: Addr,
}

impl Staked {
    /// Registry + real staking (slasher of the registry, notified of transfers), with funded users.
    fn new() -> Self {
        let mut s = Suite::new();
        let code = s.app.store_code(Box::new(ContractWrapper::new(
            staking::contract::execute,
            staking::contract::instantiate,
            staking::contract::query,
        )));
        let admin = s.admin.clone();
        let hub = s.addr("oracle-hub");
        let staking = s
            .app
            .instantiate_contract(
                code,
                admin.clone(),
                &staking::msg::InstantiateMsg {
                    admin: None,
                    denom: DENOM.to_string(),
                    registry: s.contract.to_string(),
                    rewards_pool: s.addr("pool").to_string(),
                    min_stake_per_device: Uint128::new(MIN),
                    unbonding_period: UNBONDING,
                    slash_fraction: Decimal::percent(10),
                    bounty_fraction: Decimal::percent(25),
                    slashers: vec![hub.to_string()],
                    lockers: vec![],
                    tiers: None,
                },
                &[],
                "staking",
                None,
            )
            .unwrap();
        s.exec(
            &admin,
            &ExecuteMsg::AddSlasher {
                slasher: staking.to_string(),
            },
        )
        .unwrap();
        let res = s
            .exec(
                &admin,
                &ExecuteMsg::SetStaking {
                    staking: Some(staking.to_string()),
                },
            )
            .unwrap();
        assert_eq!(attr(&res, "action").as_deref(), Some("set_staking"));
        for name in ["alice", "bob", "carol", "dave", "erin", "frank"] {
            let who = s.addr(name);
            s.app
                .sudo(SudoMsg::Bank(BankSudo::Mint {
                    to_address: who.to_string(),
                    amount: coins(10_000 * EMC, DENOM),
                }))
                .unwrap();
        }
        Staked { s, staking, hub }
    }

    fn staking_exec(
        &mut self,
        who: &Addr,
        msg: &staking::msg::ExecuteMsg,
        funds: u128,
    ) -> Result<AppResponse, staking::ContractError> {
        let funds = if funds == 0 { vec![] } else { coins(funds, DENOM) };
        self.s
            .app
            .execute_contract(who.clone(), self.staking.clone(), msg, &funds)
            .map_err(|e| e.downcast::<staking::ContractError>().expect("a staking ContractError"))
    }

    fn stake(&mut self, who: &Addr, device_id: u64, amount: u128) {
        self.staking_exec(who, &staking::msg::ExecuteMsg::Stake { device_id }, amount)
            .expect("stake");
    }

    fn unstake(&mut self, who: &Addr, device_id: u64, amount: u128) {
        let msg = staking::msg::ExecuteMsg::Unstake {
            device_id,
            amount: Uint128::new(amount),
        };
        self.staking_exec(who, &msg, 0).expect("unstake");
    }

    fn position(&self, device_id: u64, staker: &Addr) -> u128 {
        let r: staking::msg::PositionResponse = self
            .s
            .app
            .wrap()
            .query_wasm_smart(
                &self.staking,
                &staking::msg::QueryMsg::Position {
                    device_id,
                    staker: staker.to_string(),
                },
            )
            .unwrap();
        r.amount.u128()
    }

    fn unbonding(&self, who: &Addr) -> staking::msg::UnbondingResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(
                &self.staking,
                &staking::msg::QueryMsg::Unbonding {
                    address: who.to_string(),
                    start_after: None,
                    limit: Some(30),
                },
            )
            .unwrap()
    }

    /// A raw transfer: the error (if any) is whatever failed, registry or staking.
    fn transfer(&mut self, from: &Addr, id: u64, to: &Addr) -> cw_multi_test::error::AnyResult<AppResponse> {
        self.s.app.execute_contract(
            from.clone(),
            self.s.contract.clone(),
            &ExecuteMsg::TransferNft {
                recipient: to.to_string(),
                token_id: id.to_string(),
            },
            &[],
        )
    }

    fn now(&self) -> Timestamp {
        self.s.app.block_info().time
    }

    fn advance(&mut self, seconds: u64) {
        self.s.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(seconds);
        });
    }

    fn balance(&self, who: &Addr) -> u128 {
        self.s.app.wrap().query_balance(who, DENOM).unwrap().amount.u128()
    }
}

#[test]
fn set_staking_is_admin_only_and_shown_in_config() {
    let mut s = Suite::new();
    assert_eq!(s.config().staking, None);
    let stranger = s.addr("stranger");
    let staking = s.addr("staking");
    let err = s
        .exec(
            &stranger,
            &ExecuteMsg::SetStaking {
                staking: Some(staking.to_string()),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(cw_ownable::OwnershipError::NotOwner));
    let admin = s.admin.clone();
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::SetStaking {
                staking: Some("not an address".to_string()),
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
    let res = s
        .exec(
            &admin,
            &ExecuteMsg::SetStaking {
                staking: Some(staking.to_string()),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "staking"), Some(staking.to_string()));
    assert_eq!(s.config().staking, Some(staking));
    let res = s.exec(&admin, &ExecuteMsg::SetStaking { staking: None }).unwrap();
    assert_eq!(attr(&res, "staking").as_deref(), Some("none"));
    assert_eq!(s.config().staking, None);
}

/// Review F2 end to end: the seller unstakes before the sale, the buyer (now holding the device key) makes it
/// equivocate and reports it. The transfer told staking when the seller's ownership ended, so a slash for an
/// offence after the sale leaves the seller's money alone and pays no bounty out of it.
#[test]
fn buyer_cannot_slash_the_sellers_stake_through_the_real_transfer() {
    let mut t = Staked::new();
    let seller = t.s.addr("alice");
    let buyer = t.s.addr("bob");
    let id = t.s.activated_device(&DeviceKey::ed25519(1), "CODE-1", &seller);
    t.stake(&seller, id, 1_000 * EMC);
    t.unstake(&seller, id, 400 * EMC); // part already unbonding, part still staked at the sale
    t.advance(5);

    let res = t.transfer(&seller, id, &buyer).unwrap();
    assert_eq!(attr(&res, "staking_notified").as_deref(), Some("true"));
    assert_eq!(attr(&res, "moved_amount"), Some((600 * EMC).to_string()));
    let sold_at = t.now();
    assert_eq!(t.position(id, &seller), 0, "the seller's position left with the device");
    let u = t.unbonding(&seller);
    assert_eq!(u.total, Uint128::new(1_000 * EMC));
    assert!(u.entries.iter().all(|e| e.owned_until == Some(sold_at)), "{u:?}");

    // The buyer's device equivocates after the sale; the buyer reports it (three times).
    t.advance(60);
    let buyer_before = t.balance(&buyer);
    let hub = t.hub.clone();
    for _ in 0..3 {
        let msg = staking::msg::ExecuteMsg::Slash {
            device_id: id,
            reporter: buyer.to_string(),
            reason: "equivocation".to_string(),
            ban: false,
            offence_time: t.now(),
        };
        let res = t.staking_exec(&hub, &msg, 0).unwrap();
        assert_eq!(attr(&res, "amount").as_deref(), Some("0"));
        assert_eq!(attr(&res, "spared_entries").as_deref(), Some("2"));
    }
    assert_eq!(t.balance(&buyer), buyer_before, "no bounty out of the seller's money");
    assert_eq!(t.unbonding(&seller).total, Uint128::new(1_000 * EMC));
    assert_eq!(t.s.device(id).status, DeviceStatus::Suspended);

    // An offence from before the sale (the seller's own) still reaches the seller's entries.
    let msg = staking::msg::ExecuteMsg::Slash {
        device_id: id,
        reporter: t.s.addr("frank").to_string(),
        reason: "equivocation before the sale".to_string(),
        ban: false,
        offence_time: sold_at.minus_seconds(10),
    };
    let res = t.staking_exec(&hub, &msg, 0).unwrap();
    assert_eq!(attr(&res, "amount"), Some((100 * EMC).to_string()));
}

/// SendNft notifies staking too, before the receiver's `receive_nft` runs.
#[test]
fn send_nft_notifies_staking_before_the_receiver() {
    let mut t = Staked::new();
    let seller = t.s.addr("alice");
    let id = t.s.activated_device(&DeviceKey::ed25519(1), "CODE-1", &seller);
    t.stake(&seller, id, MIN);
    let code = t.s.app.store_code(Box::new(ContractWrapper::new(
        receiver_execute,
        receiver_instantiate,
        receiver_query,
    )));
    let receiver =
        t.s.app
            .instantiate_contract(code, seller.clone(), &Empty {}, &[], "receiver", None)
            .unwrap();
    let res =
        t.s.exec(
            &seller,
            &ExecuteMsg::SendNft {
                contract: receiver.to_string(),
                token_id: id.to_string(),
                msg: to_json_binary(&"market").unwrap(),
            },
        )
        .unwrap();
    let owner_changed = res
        .events
        .iter()
        .position(|e| e.ty == "wasm" && e.attributes.iter().any(|a| a.value == "owner_changed"))
        .expect("staking's owner_changed event");
    let received = res
        .events
        .iter()
        .position(|e| e.ty == "wasm" && e.attributes.iter().any(|a| a.value == "receive_nft"))
        .expect("receiver's event");
    assert!(owner_changed < received, "staking is told first");
    assert_eq!(t.position(id, &seller), 0);
    assert_eq!(t.unbonding(&seller).total, Uint128::new(MIN));
}

/// Without a staking contract configured nothing is sent (and transfers cannot fail on staking); staking then
/// records the owner change itself when the new owner stakes, so the device still has one position.
#[test]
fn without_staking_configured_no_hook_is_sent() {
    let mut t = Staked::new();
    let admin = t.s.admin.clone();
    t.s.exec(&admin, &ExecuteMsg::SetStaking { staking: None }).unwrap();
    let seller = t.s.addr("alice");
    let buyer = t.s.addr("bob");
    let id = t.s.activated_device(&DeviceKey::ed25519(1), "CODE-1", &seller);
    t.stake(&seller, id, MIN);
    let res = t.transfer(&seller, id, &buyer).unwrap();
    assert_eq!(attr(&res, "staking_notified").as_deref(), Some("false"));
    assert_eq!(t.position(id, &seller), MIN, "staking was not told");
    // The buyer's stake is never blocked; it records the change.
    let res = t
        .staking_exec(&buyer, &staking::msg::ExecuteMsg::Stake { device_id: id }, MIN)
        .unwrap();
    assert_eq!(events_of(&res, "owner_change_recorded").len(), 1);
    assert_eq!(t.position(id, &seller), 0);
    assert_eq!(t.position(id, &buyer), MIN);
}

/// Staking refuses an ownership change that would leave the device with more than 28 entries still unbonding:
/// the transfer fails with staking's typed error, nothing moves, and it succeeds once entries have matured.
#[test]
fn staking_can_refuse_a_transfer_and_the_nft_stays() {
    let mut t = Staked::new();
    let owners: Vec<Addr> = ["alice", "bob", "carol", "dave", "erin"]
        .iter()
        .map(|n| t.s.addr(n))
        .collect();
    let id = t.s.activated_device(&DeviceKey::ed25519(1), "CODE-1", &owners[0]);
    // Four owners each leave 6 voluntary entries + their moved position: 28 entries.
    for i in 0..4 {
        t.stake(&owners[i], id, MIN + 6);
        for _ in 0..6 {
            t.unstake(&owners[i], id, 1);
        }
        t.transfer(&owners[i], id, &owners[i + 1]).unwrap();
    }
    // erin stakes, and wants to sell: 28 + her position would be 29.
    let erin = owners[4].clone();
    let frank = t.s.addr("frank");
    t.stake(&erin, id, MIN);
    let err = t.transfer(&erin, id, &frank).unwrap_err();
    assert_eq!(
        err.downcast_ref::<staking::ContractError>(),
        Some(&staking::ContractError::DeviceUnbondingCapReached { device_id: id, max: 28 }),
        "{err:?}"
    );
    assert_eq!(t.s.owner_of(id), erin.to_string(), "the NFT did not move");
    assert_eq!(t.position(id, &erin), MIN);
    // Her own stake and unstake were never blocked by the previous owners' entries.
    t.unstake(&erin, id, MIN);
    t.stake(&erin, id, MIN);
    // One unbonding period later the old entries have matured: the transfer goes through.
    t.advance(UNBONDING);
    t.transfer(&erin, id, &frank).unwrap();
    assert_eq!(t.s.owner_of(id), frank.to_string());
}
