use cosmwasm_std::{Binary, HexBinary};
use cw_multi_test::Executor;
use device_registry::activation::sha256;
use device_registry::msg::{activation_message, DeviceStatus, ExecuteMsg, QueryMsg};
use device_registry::ContractError;

use crate::suite::{attr, DeviceKey, Suite};

#[test]
fn activation_message_query_returns_the_documented_bytes() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "CODE-1");
    let owner = s.addr("owner");

    let res = s.activation_message(id, &owner);
    let chain_id = s.app.block_info().chain_id;
    let code_hash = sha256(b"CODE-1");
    let expected = format!(
        "edgemint-activate/v1\n{chain_id}\n{}\n{owner}\n{}",
        s.contract,
        HexBinary::from(code_hash.as_slice()).to_hex()
    );
    assert_eq!(res.text, expected);
    assert_eq!(res.message.as_slice(), expected.as_bytes());
    // The shared builder (edgemint-types) produces the same bytes for off-chain clients.
    assert_eq!(
        res.message.as_slice(),
        activation_message(&chain_id, s.contract.as_str(), owner.as_str(), &code_hash).as_slice()
    );
    assert_eq!(res.message_hash.as_slice(), sha256(expected.as_bytes()).as_slice());
    assert_eq!(res.owner, owner);
    assert_eq!(res.device_id, id);
    assert_eq!(res.code_hash.as_slice(), code_hash.as_slice());

    // Invalid owner address or unknown device: errors.
    assert!(s
        .app
        .wrap()
        .query_wasm_smart::<cosmwasm_std::Empty>(
            &s.contract,
            &QueryMsg::ActivationMessage {
                device_id: id,
                owner: "not-an-address".to_string()
            }
        )
        .is_err());
    assert!(s
        .query::<cosmwasm_std::Empty>(&QueryMsg::ActivationMessage {
            device_id: 42,
            owner: owner.to_string()
        })
        .is_err());
}

fn check_happy_path(key: DeviceKey) {
    let mut s = Suite::new();
    let id = s.register_one(&key, "CODE-1");
    let owner = s.addr("owner");
    let sig = s.device_signature(&key, id, &owner);
    let res = s.activate(&owner, id, "CODE-1", &owner, sig).unwrap();

    assert_eq!(attr(&res, "action").as_deref(), Some("activate"));
    assert_eq!(attr(&res, "device_id").as_deref(), Some("1"));
    assert_eq!(attr(&res, "token_id").as_deref(), Some("1"));
    assert_eq!(attr(&res, "owner"), Some(owner.to_string()));
    assert_eq!(attr(&res, "maker"), Some(s.maker.to_string()));

    let d = s.device(id);
    assert_eq!(d.status, DeviceStatus::Active);
    assert_eq!(d.owner, Some(owner.clone()));
    assert_eq!(d.activated_at, Some(s.app.block_info().time));

    // The NFT exists, belongs to the owner, carries the metadata URI.
    assert_eq!(s.owner_of(id), owner.to_string());
    let info: cw721::msg::NftInfoResponse<Option<cosmwasm_std::Empty>> = s
        .query(&QueryMsg::NftInfo {
            token_id: "1".to_string(),
        })
        .unwrap();
    assert_eq!(info.token_uri.as_deref(), Some("ipfs://bafy/CODE-1.json"));
    let n: cw721::msg::NumTokensResponse = s.query(&QueryMsg::NumTokens {}).unwrap();
    assert_eq!(n.count, 1);
    assert_eq!(s.devices_by_owner(&owner, None, None), vec![id]);

    let c = s.counts();
    assert_eq!((c.registered, c.active, c.suspended, c.banned), (0, 1, 0, 0));
}

#[test]
fn activate_ed25519_device() {
    check_happy_path(DeviceKey::ed25519(1));
}

#[test]
fn activate_secp256k1_device() {
    check_happy_path(DeviceKey::secp256k1(1));
}

/// The attacker sees the victim's Activate in the mempool and submits the same code and signature, naming
/// themselves as owner. The signature binds the victim, so it fails; the victim's own transaction still works.
#[test]
fn front_run_activation_is_rejected() {
    for key in [DeviceKey::ed25519(1), DeviceKey::secp256k1(1)] {
        let mut s = Suite::new();
        let id = s.register_one(&key, "CODE-1");
        let victim = s.addr("victim");
        let attacker = s.addr("attacker");
        let victim_sig = s.device_signature(&key, id, &victim);

        let err = s
            .activate(&attacker, id, "CODE-1", &attacker, victim_sig.clone())
            .unwrap_err();
        assert_eq!(err, ContractError::InvalidSignature { device_id: id });
        assert_eq!(s.device(id).status, DeviceStatus::Registered);
        assert_eq!(s.counts().active, 0);

        s.activate(&victim, id, "CODE-1", &victim, victim_sig).unwrap();
        assert_eq!(s.device(id).owner, Some(victim));
    }
}

/// The attacker copies the victim's transaction verbatim (owner = victim) and submits it from their own account.
#[test]
fn replayed_activation_from_another_sender_is_rejected() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "CODE-1");
    let victim = s.addr("victim");
    let attacker = s.addr("attacker");
    let sig = s.device_signature(&key, id, &victim);

    let err = s.activate(&attacker, id, "CODE-1", &victim, sig).unwrap_err();
    assert_eq!(
        err,
        ContractError::OwnerNotSender {
            owner: victim.to_string(),
            sender: attacker.to_string()
        }
    );
    assert_eq!(s.device(id).status, DeviceStatus::Registered);
    let n: cw721::msg::NumTokensResponse = s.query(&QueryMsg::NumTokens {}).unwrap();
    assert_eq!(n.count, 0);
}

#[test]
fn forged_signature_from_another_key_is_rejected() {
    let pairs = [
        (DeviceKey::ed25519(1), DeviceKey::ed25519(2)),
        (DeviceKey::secp256k1(1), DeviceKey::secp256k1(2)),
    ];
    for (device, forger) in pairs {
        let mut s = Suite::new();
        let id = s.register_one(&device, "CODE-1");
        let owner = s.addr("owner");
        // Correct message, wrong key.
        let forged = s.device_signature(&forger, id, &owner);
        let err = s.activate(&owner, id, "CODE-1", &owner, forged).unwrap_err();
        assert_eq!(err, ContractError::InvalidSignature { device_id: id });
    }
}

#[test]
fn signature_over_another_owner_is_rejected() {
    for key in [DeviceKey::ed25519(1), DeviceKey::secp256k1(1)] {
        let mut s = Suite::new();
        let id = s.register_one(&key, "CODE-1");
        let alice = s.addr("alice");
        let bob = s.addr("bob");
        // The device signed for Alice; Bob (who knows the code) submits it for himself.
        let sig_for_alice = s.device_signature(&key, id, &alice);
        let err = s.activate(&bob, id, "CODE-1", &bob, sig_for_alice).unwrap_err();
        assert_eq!(err, ContractError::InvalidSignature { device_id: id });
    }
}

#[test]
fn signature_for_another_chain_or_registry_is_rejected() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "CODE-1");
    let owner = s.addr("owner");
    let hash = sha256(b"CODE-1");
    let chain_id = s.app.block_info().chain_id;

    let other_chain = activation_message("edgemint-1", s.contract.as_str(), owner.as_str(), &hash);
    let err = s
        .activate(&owner, id, "CODE-1", &owner, key.sign(&other_chain))
        .unwrap_err();
    assert_eq!(err, ContractError::InvalidSignature { device_id: id });

    let other_registry = activation_message(&chain_id, s.addr("other-registry").as_str(), owner.as_str(), &hash);
    let err = s
        .activate(&owner, id, "CODE-1", &owner, key.sign(&other_registry))
        .unwrap_err();
    assert_eq!(err, ContractError::InvalidSignature { device_id: id });

    // Malformed signatures are just invalid.
    for bad in [
        Binary::default(),
        Binary::from(vec![0u8; 64]),
        Binary::from(vec![1u8; 65]),
    ] {
        let err = s.activate(&owner, id, "CODE-1", &owner, bad).unwrap_err();
        assert_eq!(err, ContractError::InvalidSignature { device_id: id });
    }
    // A secp256k1 signature can't pass as ed25519 for the same message.
    let secp_sig = DeviceKey::secp256k1(1).sign(s.activation_message(id, &owner).message.as_slice());
    let err = s.activate(&owner, id, "CODE-1", &owner, secp_sig).unwrap_err();
    assert_eq!(err, ContractError::InvalidSignature { device_id: id });
}

#[test]
fn wrong_activation_code_is_rejected() {
    let mut s = Suite::new();
    let key = DeviceKey::secp256k1(1);
    let id = s.register_one(&key, "CODE-1");
    let owner = s.addr("owner");
    let sig = s.device_signature(&key, id, &owner);

    let err = s.activate(&owner, id, "CODE-2", &owner, sig.clone()).unwrap_err();
    assert_eq!(err, ContractError::WrongActivationCode { device_id: id });
    let err = s.activate(&owner, id, "", &owner, sig.clone()).unwrap_err();
    assert_eq!(err, ContractError::InvalidActivationCode { max: 256 });
    let err = s.activate(&owner, id, &"x".repeat(257), &owner, sig).unwrap_err();
    assert_eq!(err, ContractError::InvalidActivationCode { max: 256 });
    assert_eq!(s.device(id).status, DeviceStatus::Registered);
}

#[test]
fn unknown_device_is_rejected() {
    let mut s = Suite::new();
    let owner = s.addr("owner");
    let err = s
        .activate(&owner, 7, "CODE", &owner, Binary::from(vec![0u8; 64]))
        .unwrap_err();
    assert_eq!(err, ContractError::UnknownDevice { device_id: 7 });
}

#[test]
fn double_activation_is_rejected() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let owner = s.addr("owner");
    let id = s.activated_device(&key, "CODE-1", &owner);

    // Same owner again, with a fresh valid signature.
    let sig = s.device_signature(&key, id, &owner);
    let err = s.activate(&owner, id, "CODE-1", &owner, sig).unwrap_err();
    assert_eq!(err, ContractError::AlreadyActivated { device_id: id });

    // Someone else with a valid signature for them (e.g. the device was resold and re-signed).
    let other = s.addr("other");
    let sig = s.device_signature(&key, id, &other);
    let err = s.activate(&other, id, "CODE-1", &other, sig).unwrap_err();
    assert_eq!(err, ContractError::AlreadyActivated { device_id: id });

    assert_eq!(s.owner_of(id), owner.to_string());
    assert_eq!(s.counts().active, 1);
}

#[test]
fn activation_of_banned_or_suspended_device_is_rejected() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let owner = s.addr("owner");

    // Banned before sale (e.g. leaked code): can never be activated.
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "CODE-1");
    s.set_status(&admin, id, DeviceStatus::Banned).unwrap();
    let sig = s.device_signature(&key, id, &owner);
    let err = s.activate(&owner, id, "CODE-1", &owner, sig).unwrap_err();
    assert_eq!(err, ContractError::DeviceBanned { device_id: id });
    assert_eq!(s.device(id).owner, None);
    let c = s.counts();
    assert_eq!((c.registered, c.banned), (0, 1));

    // Suspended (after activation): activating again reports the suspension.
    let key2 = DeviceKey::secp256k1(2);
    let id2 = s.activated_device(&key2, "CODE-2", &owner);
    s.set_status(&admin, id2, DeviceStatus::Suspended).unwrap();
    let sig = s.device_signature(&key2, id2, &owner);
    let err = s.activate(&owner, id2, "CODE-2", &owner, sig).unwrap_err();
    assert_eq!(err, ContractError::DeviceSuspended { device_id: id2 });
}

#[test]
fn activation_rejects_funds_and_bad_owner_address() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "CODE-1");
    let rich = s.rich.clone();
    let sig = s.device_signature(&key, id, &rich);
    let msg = ExecuteMsg::Activate {
        device_id: id,
        activation_code: "CODE-1".to_string(),
        owner: rich.to_string(),
        signature: sig.clone(),
    };
    let err = s
        .app
        .execute_contract(
            rich.clone(),
            s.contract.clone(),
            &msg,
            &cosmwasm_std::coins(5, crate::suite::DENOM),
        )
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Payment(_)), "{err:?}");

    let err = s
        .exec(
            &rich,
            &ExecuteMsg::Activate {
                device_id: id,
                activation_code: "CODE-1".to_string(),
                owner: "NotAnAddress".to_string(),
                signature: sig.clone(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");

    s.activate(&rich, id, "CODE-1", &rich, sig).unwrap();
}
