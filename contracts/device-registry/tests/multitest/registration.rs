use cosmwasm_std::{Binary, HexBinary};
use device_registry::msg::{DeviceResponse, DeviceStatus, DevicesResponse, ExecuteMsg, KeyType, QueryMsg};
use device_registry::ContractError;

use crate::suite::{attr, events_of, DeviceKey, Suite};

#[test]
fn register_single_devices_of_both_key_types() {
    let mut s = Suite::new();
    let ed = DeviceKey::ed25519(1);
    let secp = DeviceKey::secp256k1(2);
    let maker = s.maker.clone();

    let res = s
        .exec(
            &maker,
            &ExecuteMsg::RegisterDevice {
                device: s.registration(&ed, "CODE-ED"),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("register_devices"));
    assert_eq!(attr(&res, "first_device_id").as_deref(), Some("1"));
    let ev = events_of(&res, "device_registered");
    assert_eq!(ev.len(), 1);
    assert!(ev[0].attributes.iter().any(|a| a.key == "device_id" && a.value == "1"));
    assert!(ev[0]
        .attributes
        .iter()
        .any(|a| a.key == "key_type" && a.value == "ed25519"));

    let id2 = s.register_one(&secp, "CODE-SECP");
    assert_eq!(id2, 2);

    let d1 = s.device(1);
    assert_eq!(
        d1,
        DeviceResponse {
            device_id: 1,
            token_id: "1".to_string(),
            maker: maker.clone(),
            key_type: KeyType::Ed25519,
            pubkey: ed.pubkey(),
            code_hash: s.registration(&ed, "CODE-ED").code_hash,
            model: "edge-cam-v1".to_string(),
            metadata_uri: Some("ipfs://bafy/CODE-ED.json".to_string()),
            status: DeviceStatus::Registered,
            owner: None,
            activated_at: None,
        }
    );
    let d2: DeviceResponse = s.query(&QueryMsg::DeviceByPubkey { pubkey: secp.pubkey() }).unwrap();
    assert_eq!(d2.device_id, 2);
    assert_eq!(d2.key_type, KeyType::Secp256k1);
    assert_eq!(d2.pubkey.len(), 33);

    assert_eq!(s.devices_by_maker(&maker, None, None), vec![1, 2]);
    assert_eq!(s.devices_by_maker(&maker, Some(1), None), vec![2]);
    assert_eq!(s.counts().registered, 2);
    assert_eq!(s.config().next_device_id, 3);

    // Unknown devices are typed errors.
    let err = s
        .query::<DeviceResponse>(&QueryMsg::Device { device_id: 99 })
        .unwrap_err();
    assert!(err.to_string().contains("unknown device 99"), "{err}");
    let err = s
        .query::<DeviceResponse>(&QueryMsg::DeviceByPubkey {
            pubkey: Binary::from(vec![7u8; 32]),
        })
        .unwrap_err();
    assert!(err.to_string().contains("no device with public key"), "{err}");
}

#[test]
fn unauthorized_register_is_refused() {
    let mut s = Suite::new();
    let stranger = s.addr("stranger");
    let err = s
        .exec(
            &stranger,
            &ExecuteMsg::RegisterDevices {
                devices: vec![s.registration(&DeviceKey::ed25519(1), "C1")],
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::NotMaker {
            sender: stranger.to_string()
        }
    );
    // The admin is not a maker either unless approved.
    let admin = s.admin.clone();
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::RegisterDevice {
                device: s.registration(&DeviceKey::ed25519(1), "C1"),
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::NotMaker { .. }));
    assert_eq!(s.counts().registered, 0);
    assert_eq!(s.config().next_device_id, 1);
}

#[test]
fn revoked_maker_cannot_register_but_its_devices_remain() {
    let mut s = Suite::new();
    let key = DeviceKey::ed25519(1);
    let id = s.register_one(&key, "C1");
    let (admin, maker) = (s.admin.clone(), s.maker.clone());
    s.exec(
        &admin,
        &ExecuteMsg::RevokeMaker {
            maker: maker.to_string(),
        },
    )
    .unwrap();
    let err = s
        .register(vec![s.registration(&DeviceKey::ed25519(2), "C2")])
        .unwrap_err();
    assert!(matches!(err, ContractError::NotMaker { .. }));
    // Already-registered devices stay registered and can still be activated by their buyer.
    let buyer = s.addr("buyer");
    let sig = s.device_signature(&key, id, &buyer);
    s.activate(&buyer, id, "C1", &buyer, sig).unwrap();
    assert_eq!(s.device(id).status, DeviceStatus::Active);
}

#[test]
fn batch_of_100_registers_and_101_is_refused() {
    let mut s = Suite::new();
    let batch: Vec<_> = (1..=100u8)
        .map(|i| {
            // Distinct real keys: every registration carries the device's own signature (proof of possession).
            let mut r = s.registration(&DeviceKey::ed25519(i), &format!("CODE-{i}"));
            // Longest allowed fields, to exercise the worst case.
            r.model = "m".repeat(64);
            r.metadata_uri = Some(format!("ipfs://{}", "x".repeat(249)));
            r
        })
        .collect();
    let mut too_many = batch.clone();
    too_many.push(s.registration(&DeviceKey::ed25519(9), "EXTRA"));
    let err = s.register(too_many).unwrap_err();
    assert_eq!(err, ContractError::BatchTooLarge { size: 101, max: 100 });
    assert_eq!(s.counts().registered, 0);

    let res = s.register(batch).unwrap();
    assert_eq!(attr(&res, "count").as_deref(), Some("100"));
    assert_eq!(attr(&res, "last_device_id").as_deref(), Some("100"));
    assert_eq!(events_of(&res, "device_registered").len(), 100);
    assert_eq!(s.counts().registered, 100);
    assert_eq!(s.config().next_device_id, 101);
    assert_eq!(s.device(100).model.len(), 64);

    // Pagination: default 10, capped at 100.
    let maker = s.maker.clone();
    assert_eq!(s.devices_by_maker(&maker, None, None).len(), 10);
    assert_eq!(s.devices_by_maker(&maker, None, Some(1000)).len(), 100);
    assert_eq!(
        s.devices_by_maker(&maker, Some(95), Some(1000)),
        vec![96, 97, 98, 99, 100]
    );

    let err = s.register(vec![]).unwrap_err();
    assert_eq!(err, ContractError::EmptyBatch {});
}

#[test]
fn duplicate_inside_batch_rejects_whole_batch() {
    let mut s = Suite::new();
    let a = DeviceKey::ed25519(1);
    let b = DeviceKey::secp256k1(2);
    let c = DeviceKey::ed25519(3);

    // Same public key twice in one batch.
    let err = s
        .register(vec![
            s.registration(&a, "C1"),
            s.registration(&b, "C2"),
            s.registration(&a, "C3"),
        ])
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::DuplicatePubkey {
            index: 2,
            pubkey: HexBinary::from(a.pubkey().as_slice()).to_hex(),
            existing: None,
        }
    );
    // Same code hash twice in one batch.
    let err = s
        .register(vec![
            s.registration(&a, "C1"),
            s.registration(&b, "C2"),
            s.registration(&c, "C1"),
        ])
        .unwrap_err();
    assert!(
        matches!(
            err,
            ContractError::DuplicateCodeHash {
                index: 2,
                existing: None,
                ..
            }
        ),
        "{err:?}"
    );

    // No partial state: nothing was registered, no index entry exists, ids did not advance.
    assert_eq!(s.counts().registered, 0);
    assert_eq!(s.config().next_device_id, 1);
    let maker = s.maker.clone();
    assert!(s.devices_by_maker(&maker, None, None).is_empty());
    for key in [&a, &b] {
        assert!(s
            .query::<DeviceResponse>(&QueryMsg::DeviceByPubkey { pubkey: key.pubkey() })
            .is_err());
    }

    // The same devices register fine once the batch is clean.
    s.register(vec![
        s.registration(&a, "C1"),
        s.registration(&b, "C2"),
        s.registration(&c, "C3"),
    ])
    .unwrap();
    assert_eq!(s.counts().registered, 3);
}

#[test]
fn duplicates_of_registered_devices_are_rejected() {
    let mut s = Suite::new();
    let a = DeviceKey::ed25519(1);
    let id = s.register_one(&a, "C1");

    // Same key again (in a later batch, at index 1).
    let err = s
        .register(vec![
            s.registration(&DeviceKey::ed25519(5), "C5"),
            s.registration(&a, "C9"),
        ])
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::DuplicatePubkey {
            index: 1,
            pubkey: HexBinary::from(a.pubkey().as_slice()).to_hex(),
            existing: Some(id),
        }
    );
    // A second device with the same code hash.
    let b = DeviceKey::secp256k1(2);
    let err = s.register(vec![s.registration(&b, "C1")]).unwrap_err();
    assert_eq!(
        err,
        ContractError::DuplicateCodeHash {
            index: 0,
            code_hash: s.registration(&b, "C1").code_hash.to_hex(),
            existing: Some(id),
        }
    );
    assert_eq!(s.counts().registered, 1);
    assert_eq!(s.config().next_device_id, 2);
}

#[test]
fn malformed_registrations_are_rejected() {
    let mut s = Suite::new();
    let ok_registration = s.registration(&DeviceKey::ed25519(1), "C1");
    let ok = || ok_registration.clone();

    let mut r = ok();
    r.pubkey = Binary::from(vec![1u8; 33]);
    assert_eq!(
        s.register(vec![r]).unwrap_err(),
        ContractError::InvalidPubkeyLength {
            index: 0,
            key_type: KeyType::Ed25519,
            expected: 32,
            actual: 33
        }
    );

    // secp256k1 must be the 33-byte compressed form; uncompressed (65 bytes) and a bad prefix are refused.
    let secp = DeviceKey::secp256k1(2);
    let mut r = s.registration(&secp, "C2");
    if let DeviceKey::Secp256k1(k) = &secp {
        r.pubkey = Binary::from(k.verifying_key().to_encoded_point(false).as_bytes().to_vec());
    }
    assert!(matches!(
        s.register(vec![r]).unwrap_err(),
        ContractError::InvalidPubkeyLength {
            expected: 33,
            actual: 65,
            ..
        }
    ));
    let mut r = s.registration(&secp, "C2");
    let mut pk = r.pubkey.to_vec();
    pk[0] = 0x04;
    r.pubkey = Binary::from(pk);
    assert_eq!(
        s.register(vec![r]).unwrap_err(),
        ContractError::InvalidSecp256k1Pubkey { index: 0 }
    );

    let mut r = ok();
    r.code_hash = HexBinary::from(vec![0u8; 31]);
    assert_eq!(
        s.register(vec![r]).unwrap_err(),
        ContractError::InvalidCodeHash { index: 0, actual: 31 }
    );

    for model in ["", &"m".repeat(65), "bad\nmodel"] {
        let mut r = ok();
        r.model = model.to_string();
        assert_eq!(
            s.register(vec![ok_other(&s), r]).unwrap_err(),
            ContractError::InvalidModel { index: 1, max: 64 }
        );
    }
    for uri in ["", "has space", &format!("ipfs://{}", "x".repeat(250))] {
        let mut r = ok();
        r.metadata_uri = Some(uri.to_string());
        assert_eq!(
            s.register(vec![r]).unwrap_err(),
            ContractError::InvalidMetadataUri { index: 0, max: 256 }
        );
    }
    let mut r = ok();
    r.metadata_uri = None;
    s.register(vec![r]).unwrap();
    assert_eq!(s.device(1).metadata_uri, None);
    assert_eq!(s.counts().registered, 1);
}

fn ok_other(s: &Suite) -> device_registry::msg::DeviceRegistration {
    s.registration(&DeviceKey::ed25519(200), "OTHER")
}

#[test]
fn devices_by_maker_is_per_maker() {
    let mut s = Suite::new();
    let (admin, maker) = (s.admin.clone(), s.maker.clone());
    let maker2 = s.addr("maker2");
    s.exec(
        &admin,
        &ExecuteMsg::ApproveMaker {
            maker: maker2.to_string(),
        },
    )
    .unwrap();
    s.register_one(&DeviceKey::ed25519(1), "A");
    // The device signs for the maker that registers it.
    let device = s.registration_by(&DeviceKey::ed25519(2), "B", &maker2);
    s.exec(&maker2, &ExecuteMsg::RegisterDevice { device }).unwrap();
    s.register_one(&DeviceKey::ed25519(3), "C");
    assert_eq!(s.devices_by_maker(&maker, None, None), vec![1, 3]);
    assert_eq!(s.devices_by_maker(&maker2, None, None), vec![2]);
    let res: DevicesResponse = s
        .query(&QueryMsg::DevicesByMaker {
            maker: s.addr("nobody").to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(res.devices.is_empty());
}

/// Gas sanity: a device record is a few hundred bytes even with every field at its maximum, so a batch of 100
/// writes well under 100 KB (SDK write cost ~2,000 gas flat + 30 gas/byte per entry, four entries per device).
#[test]
fn per_device_storage_is_small() {
    use cosmwasm_std::{Addr, Timestamp};
    use device_registry::state::Device;
    let device = Device {
        // The longest address form (32-byte contract address) for the maker.
        maker: Addr::unchecked(format!("emc1{}", "q".repeat(58))),
        key_type: KeyType::Secp256k1,
        pubkey: Binary::from(vec![2u8; 33]),
        code_hash: Binary::from(vec![0xffu8; 32]),
        model: "m".repeat(64),
        metadata_uri: Some("u".repeat(256)),
        status: DeviceStatus::Suspended,
        activated_at: Some(Timestamp::from_nanos(u64::MAX)),
    };
    let worst = cosmwasm_std::to_json_vec(&device).unwrap().len();
    let typical = cosmwasm_std::to_json_vec(&Device {
        model: "edge-cam-v1".to_string(),
        metadata_uri: None,
        activated_at: None,
        status: DeviceStatus::Registered,
        ..device
    })
    .unwrap()
    .len();
    eprintln!("device record: worst case {worst} bytes, typical {typical} bytes");
    assert!(worst <= 700, "worst-case device record is {worst} bytes");
    assert!(typical <= 300, "typical device record is {typical} bytes");
}
