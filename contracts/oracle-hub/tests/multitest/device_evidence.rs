//! Device equivocation: two telemetry reports signed by one device key with one sequence number. Runs against the
//! real device registry and staking contracts.

use cosmwasm_std::{Addr, Binary};
use edgemint_types::registry::{DeviceResponse, DeviceStatus};
use edgemint_types::telemetry::{TelemetryError, TelemetryReport};
use oracle_hub::msg::{EvidenceKey, EvidenceUsedResponse, ExecuteMsg, QueryMsg};
use oracle_hub::ContractError;

use crate::suite::*;

fn device_evidence(a: &[u8], sa: Binary, b: &[u8], sb: Binary) -> ExecuteMsg {
    ExecuteMsg::SubmitDeviceEvidence {
        report_a: Binary::from(a),
        signature_a: sa,
        report_b: Binary::from(b),
        signature_b: sb,
    }
}

fn encode(s: &Suite, r: &TelemetryReport) -> Vec<u8> {
    r.encode(&s.chain_id()).unwrap()
}

fn device(s: &Suite, device_id: u64) -> DeviceResponse {
    s.app
        .wrap()
        .query_wasm_smart(&s.registry, &device_registry::msg::QueryMsg::Device { device_id })
        .unwrap()
}

fn position(s: &Suite, device_id: u64, staker: &Addr) -> u128 {
    let p: staking::msg::PositionResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.staking,
            &staking::msg::QueryMsg::Position {
                device_id,
                staker: staker.to_string(),
            },
        )
        .unwrap();
    p.amount.u128()
}

fn equivocation_slashes_and_bans(key: DeviceKey) {
    let mut s = Suite::new(0);
    let owner = s.addr("owner");
    let id = s.staked_device(&key, "code-1", &owner);
    let other = s.staked_device(&DeviceKey::ed25519(200), "code-2", &owner);
    assert_eq!(device(&s, id).status, DeviceStatus::Active);

    let a = encode(&s, &telemetry(id, 17, 3_600));
    let b = encode(&s, &telemetry(id, 17, 3_599));
    let watcher = s.watcher.clone();
    let (watcher_before, pool_before) = (s.balance(&watcher), s.balance(&s.pool));
    let res = s
        .exec(&watcher, &device_evidence(&a, key.sign(&a), &b, key.sign(&b)))
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("device_evidence"));
    assert_eq!(attr(&res, "device_id"), Some(id.to_string()));
    assert_eq!(attr(&res, "sequence").as_deref(), Some("17"));
    assert_eq!(attr(&res, "key_type"), Some(key.key_type().to_string()));

    // staking slashed 10% of the stake, paid 25% of it to the watcher and the rest to the pool, and banned the
    // device in the registry
    let slashed = MIN_STAKE / 10;
    assert_eq!(position(&s, id, &owner), MIN_STAKE - slashed);
    assert_eq!(s.balance(&watcher), watcher_before + slashed / 4);
    assert_eq!(s.balance(&s.pool), pool_before + slashed - slashed / 4);
    assert_eq!(device(&s, id).status, DeviceStatus::Banned);
    assert!(res.events.iter().any(|e| e.ty == "wasm"
        && e.attributes.iter().any(|a| a.key == "action" && a.value == "slash")
        && e.attributes.iter().any(|a| a.key == "ban" && a.value == "true")));
    // the other device is untouched
    assert_eq!(position(&s, other, &owner), MIN_STAKE);
    assert_eq!(device(&s, other).status, DeviceStatus::Active);

    // used once
    let used: EvidenceUsedResponse = s
        .query(&QueryMsg::EvidenceUsed {
            evidence: EvidenceKey::Device {
                device_id: id,
                sequence: 17,
            },
        })
        .unwrap();
    assert!(used.used);
    assert_eq!(used.reporter, Some(watcher.clone()));
    let c = encode(&s, &telemetry(id, 17, 1));
    for (x, y) in [(&a, &b), (&b, &a), (&a, &c)] {
        assert_eq!(
            s.exec(&watcher, &device_evidence(x, key.sign(x), y, key.sign(y)))
                .unwrap_err(),
            ContractError::DeviceEvidenceUsed {
                device_id: id,
                sequence: 17
            }
        );
    }
    assert_eq!(position(&s, id, &owner), MIN_STAKE - slashed);
}

#[test]
fn ed25519_device_equivocation_slashes_and_bans() {
    equivocation_slashes_and_bans(DeviceKey::ed25519(1));
}

#[test]
fn secp256k1_device_equivocation_slashes_and_bans() {
    equivocation_slashes_and_bans(DeviceKey::secp256k1(1));
}

#[test]
fn invalid_device_evidence_refused() {
    let mut s = Suite::new(0);
    let owner = s.addr("owner");
    let key = DeviceKey::ed25519(1);
    let id = s.staked_device(&key, "code-1", &owner);
    let other_key = DeviceKey::secp256k1(2);
    let other_id = s.staked_device(&other_key, "code-2", &owner);
    let watcher = s.watcher.clone();
    let a = encode(&s, &telemetry(id, 5, 100));
    let b = encode(&s, &telemetry(id, 5, 101));

    // same content twice
    assert_eq!(
        s.exec(&watcher, &device_evidence(&a, key.sign(&a), &a, key.sign(&a)))
            .unwrap_err(),
        ContractError::IdenticalReports {}
    );
    // different sequence numbers
    let next = encode(&s, &telemetry(id, 6, 101));
    assert_eq!(
        s.exec(&watcher, &device_evidence(&a, key.sign(&a), &next, key.sign(&next)))
            .unwrap_err(),
        ContractError::SequenceMismatch { a: 5, b: 6 }
    );
    // different devices
    let theirs = encode(&s, &telemetry(other_id, 5, 101));
    assert_eq!(
        s.exec(
            &watcher,
            &device_evidence(&a, key.sign(&a), &theirs, other_key.sign(&theirs))
        )
        .unwrap_err(),
        ContractError::DeviceMismatch { a: id, b: other_id }
    );
    // signed by another key (of the same type, and of the other type)
    let wrong = DeviceKey::ed25519(9);
    assert_eq!(
        s.exec(&watcher, &device_evidence(&a, key.sign(&a), &b, wrong.sign(&b)))
            .unwrap_err(),
        ContractError::InvalidDeviceSignature {
            which: "b".to_string(),
            device_id: id
        }
    );
    assert_eq!(
        s.exec(&watcher, &device_evidence(&a, other_key.sign(&a), &b, key.sign(&b)))
            .unwrap_err(),
        ContractError::InvalidDeviceSignature {
            which: "a".to_string(),
            device_id: id
        }
    );
    // a signature over the other report
    assert!(matches!(
        s.exec(&watcher, &device_evidence(&a, key.sign(&b), &b, key.sign(&b)))
            .unwrap_err(),
        ContractError::InvalidDeviceSignature { .. }
    ));
    // reports signed for another chain
    let xa = telemetry(id, 5, 100).encode("edgemint-1").unwrap();
    let xb = telemetry(id, 5, 101).encode("edgemint-1").unwrap();
    assert_eq!(
        s.exec(&watcher, &device_evidence(&xa, key.sign(&xa), &xb, key.sign(&xb)))
            .unwrap_err(),
        ContractError::WrongChainId {
            which: "a".to_string(),
            expected: s.chain_id(),
            found: "edgemint-1".to_string()
        }
    );
    // not a canonical encoding
    let mut trailing = b.clone();
    trailing.push(0);
    assert_eq!(
        s.exec(
            &watcher,
            &device_evidence(&a, key.sign(&a), &trailing, key.sign(&trailing))
        )
        .unwrap_err(),
        ContractError::InvalidTelemetry {
            which: "b".to_string(),
            source: TelemetryError::TrailingBytes { count: 1 }
        }
    );
    assert!(matches!(
        s.exec(
            &watcher,
            &device_evidence(b"garbage", key.sign(b"garbage"), &b, key.sign(&b))
        )
        .unwrap_err(),
        ContractError::InvalidTelemetry { .. }
    ));
    // an unknown device
    let ghost_a = encode(&s, &telemetry(999, 1, 1));
    let ghost_b = encode(&s, &telemetry(999, 1, 2));
    assert!(matches!(
        s.exec(
            &watcher,
            &device_evidence(&ghost_a, key.sign(&ghost_a), &ghost_b, key.sign(&ghost_b))
        )
        .unwrap_err(),
        ContractError::RegistryQuery { device_id: 999, .. }
    ));

    // nothing happened
    assert_eq!(position(&s, id, &owner), MIN_STAKE);
    assert_eq!(device(&s, id).status, DeviceStatus::Active);
    let used: EvidenceUsedResponse = s
        .query(&QueryMsg::EvidenceUsed {
            evidence: EvidenceKey::Device {
                device_id: id,
                sequence: 5,
            },
        })
        .unwrap();
    assert!(!used.used);

    // the genuine pair works; a different sequence of the same (now banned) device is a separate offence
    s.exec(&watcher, &device_evidence(&a, key.sign(&a), &b, key.sign(&b)))
        .unwrap();
    let c = encode(&s, &telemetry(id, 6, 1));
    let d = encode(&s, &telemetry(id, 6, 2));
    s.exec(&watcher, &device_evidence(&c, key.sign(&c), &d, key.sign(&d)))
        .unwrap();
    assert_eq!(
        position(&s, id, &owner),
        MIN_STAKE - MIN_STAKE / 10 - (MIN_STAKE - MIN_STAKE / 10) / 10
    );
}

#[test]
fn staking_failure_fails_the_evidence_and_keeps_it_unused() {
    let mut s = Suite::new(0);
    let owner = s.addr("owner");
    let key = DeviceKey::secp256k1(3);
    let id = s.staked_device(&key, "code-1", &owner);
    // the DAO removes the hub from staking's slashers
    let admin = s.admin.clone();
    cw_multi_test::Executor::execute_contract(
        &mut s.app,
        admin,
        s.staking.clone(),
        &staking::msg::ExecuteMsg::UpdateConfig {
            min_stake_per_device: None,
            unbonding_period: None,
            slash_fraction: None,
            bounty_fraction: None,
            rewards_pool: None,
            registry: None,
            slashers: Some(vec![]),
            lockers: None,
            upsert_tiers: None,
            remove_tiers: None,
        },
        &[],
    )
    .unwrap();
    let a = encode(&s, &telemetry(id, 1, 1));
    let b = encode(&s, &telemetry(id, 1, 2));
    let watcher = s.watcher.clone();
    let msg = device_evidence(&a, key.sign(&a), &b, key.sign(&b));
    let err = s.exec_any(&watcher, &msg, &[]).unwrap_err();
    assert!(format!("{err:?}").contains("unauthorized"), "{err:?}");
    let used: EvidenceUsedResponse = s
        .query(&QueryMsg::EvidenceUsed {
            evidence: EvidenceKey::Device {
                device_id: id,
                sequence: 1,
            },
        })
        .unwrap();
    assert!(!used.used);
    assert_eq!(position(&s, id, &owner), MIN_STAKE);
}

#[test]
fn receipts_hash_difference_is_equivocation() {
    let mut s = Suite::new(0);
    let owner = s.addr("owner");
    let key = DeviceKey::ed25519(4);
    let id = s.staked_device(&key, "code-1", &owner);
    let plain = telemetry(id, 9, 10);
    let mut with_receipts = plain.clone();
    with_receipts.receipts_hash = Some(cosmwasm_std::HexBinary::from(vec![7u8; 32]));
    let (a, b) = (encode(&s, &plain), encode(&s, &with_receipts));
    let watcher = s.watcher.clone();
    s.exec(&watcher, &device_evidence(&a, key.sign(&a), &b, key.sign(&b)))
        .unwrap();
    assert_eq!(device(&s, id).status, DeviceStatus::Banned);
}
