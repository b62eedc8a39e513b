//! The DAO as the owner of every Edgemint contract (real registry, staking, oracle hub and rewards): ownership is
//! handed over with cw-ownable's two-step transfer and accepted through the DAO's permissionless `accept_ownership`;
//! then proposals approve makers, ban devices, add and remove oracle operators, change every contract's parameters
//! and veto an epoch root, and the former admin can no longer do any of it.

use cosmwasm_std::{coins, to_json_binary, Addr, Binary, CosmosMsg, Decimal, HexBinary, Uint128, WasmMsg};
use cw_multi_test::{ContractWrapper, Executor};
use dao::msg::{ExecuteMsg, InstantiateMsg, Status, Vote};
use ed25519_dalek::Signer as _;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use serde::Serialize;

use crate::suite::*;

const EPOCH: u64 = 3_600;
const WINDOW: u64 = 7_200;
const MIN_BOND: u128 = 1_000 * EMC;

struct Network {
    s: Suite,
    registry: Addr,
    hub: Addr,
    rewards: Addr,
}

fn wasm<T: Serialize>(contract: &Addr, msg: &T) -> CosmosMsg {
    WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(msg).unwrap(),
        funds: vec![],
    }
    .into()
}

fn owner(s: &Suite, contract: &Addr) -> Option<Addr> {
    let o: cw_ownable::Ownership<Addr> = s
        .app
        .wrap()
        .query_wasm_smart(contract, &serde_json::json!({"ownership": {}}))
        .unwrap();
    o.owner
}

fn transfer_to_dao(dao: &Addr) -> serde_json::Value {
    serde_json::json!({"update_ownership": {"transfer_ownership": {"new_owner": dao, "expiry": null}}})
}

/// Every contract instantiated by the deployer and wired as on a deployment, then handed to a DAO.
fn network() -> Network {
    let mut app = new_app();
    let deployer = app.api().addr_make("deployer");
    let maker = app.api().addr_make("maker");
    let pool = app.api().addr_make("pool");

    let registry_code = app.store_code(Box::new(ContractWrapper::new(
        device_registry::contract::execute,
        device_registry::contract::instantiate,
        device_registry::contract::query,
    )));
    let registry = app
        .instantiate_contract(
            registry_code,
            deployer.clone(),
            &device_registry::msg::InstantiateMsg {
                admin: None,
                name: None,
                symbol: None,
                makers: vec![maker.to_string()],
                slashers: vec![],
            },
            &[],
            "registry",
            None,
        )
        .unwrap();
    let staking_code = app.store_code(staking_contract());
    let staking = app
        .instantiate_contract(
            staking_code,
            deployer.clone(),
            &staking::msg::InstantiateMsg {
                admin: None,
                denom: DENOM.to_string(),
                registry: registry.to_string(),
                rewards_pool: pool.to_string(),
                min_stake_per_device: Uint128::new(100 * EMC),
                unbonding_period: 86_400,
                slash_fraction: Decimal::percent(10),
                bounty_fraction: Decimal::percent(25),
                slashers: vec![],
                lockers: vec![],
                tiers: None,
            },
            &[],
            "staking",
            None,
        )
        .unwrap();
    let hub_code = app.store_code(Box::new(ContractWrapper::new(
        oracle_hub::contract::execute,
        oracle_hub::contract::instantiate,
        oracle_hub::contract::query,
    )));
    let hub = app
        .instantiate_contract(
            hub_code,
            deployer.clone(),
            &oracle_hub::msg::InstantiateMsg {
                admin: None,
                registry: registry.to_string(),
                staking: staking.to_string(),
                rewards: None,
                denom: DENOM.to_string(),
                min_bond: Uint128::new(MIN_BOND),
                bond_unbonding_period: 86_400,
                epoch_genesis: None,
                epoch_length: EPOCH,
                quorum: None,
                challenge_window: WINDOW,
                slash_fraction: Decimal::percent(10),
                bounty_fraction: Decimal::percent(25),
                min_operators: Some(1),
            },
            &[],
            "oracle-hub",
            None,
        )
        .unwrap();
    let rewards_code = app.store_code(Box::new(ContractWrapper::new(
        rewards::contract::execute,
        rewards::contract::instantiate,
        rewards::contract::query,
    )));
    let rewards = app
        .instantiate_contract(
            rewards_code,
            deployer.clone(),
            &rewards::msg::InstantiateMsg {
                admin: None,
                hub: hub.to_string(),
                registry: registry.to_string(),
                denom: DENOM.to_string(),
                schedule: rewards::msg::EmissionSchedule {
                    epoch_emission: Uint128::new(1_000 * EMC),
                    decay: Decimal::zero(),
                    decay_period_epochs: 1,
                },
                operator_share: Decimal::percent(5),
                max_batch: None,
                claim_window: None,
            },
            &[],
            "rewards",
            None,
        )
        .unwrap();
    app.execute_contract(
        deployer.clone(),
        hub.clone(),
        &serde_json::json!({"update_config": {"rewards": rewards}}),
        &[],
    )
    .unwrap();
    app.execute_contract(
        deployer.clone(),
        rewards.clone(),
        &serde_json::json!({"fund": {}}),
        &coins(1_000_000 * EMC, DENOM),
    )
    .unwrap();

    let dao_code = app.store_code(dao_contract());
    let dao = app
        .instantiate_contract(
            dao_code,
            deployer.clone(),
            &InstantiateMsg {
                config: config(&staking),
                denom: DENOM.to_string(),
                excluded: vec![],
            },
            &[],
            "dao",
            None,
        )
        .unwrap();
    let mut s = Suite {
        app,
        dao,
        dao_code,
        staking,
        staking_code,
    };

    // Handover: the deployer offers, anyone makes the DAO accept.
    for contract in [&registry, &s.staking.clone(), &hub, &rewards] {
        let dao = s.dao.clone();
        s.app
            .execute_contract(deployer.clone(), contract.clone(), &transfer_to_dao(&dao), &[])
            .unwrap();
        assert_eq!(owner(&s, contract), Some(deployer.clone()));
        s.exec(
            "anyone",
            &ExecuteMsg::AcceptOwnership {
                contract: contract.to_string(),
            },
        )
        .unwrap();
        assert_eq!(owner(&s, contract), Some(s.dao.clone()));
    }
    s.powers(&[("alice", 60), ("bob", 40)]);
    Network {
        s,
        registry,
        hub,
        rewards,
    }
}

fn pass_and_execute(s: &mut Suite, msgs: Vec<CosmosMsg>) -> u64 {
    let id = s.propose("alice", msgs).unwrap();
    s.vote("alice", id, Vote::Yes).unwrap();
    s.vote("bob", id, Vote::Yes).unwrap();
    s.execute("anyone", id).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Executed, "{:?}", p.execution_error);
    id
}

/// The maker registers one ed25519 device; returns its id.
fn register_device(n: &mut Network) -> u64 {
    let maker = n.s.addr("maker");
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let code_hash = HexBinary::from(oracle_hub::signature::sha256(b"activation-code").to_vec());
    let m: device_registry::msg::RegistrationMessageResponse =
        n.s.app
            .wrap()
            .query_wasm_smart(
                &n.registry,
                &device_registry::msg::QueryMsg::RegistrationMessage {
                    maker: maker.to_string(),
                    code_hash: code_hash.clone(),
                },
            )
            .unwrap();
    let device = edgemint_types::registry::DeviceRegistration {
        key_type: edgemint_types::registry::KeyType::Ed25519,
        pubkey: Binary::from(key.verifying_key().to_bytes().to_vec()),
        code_hash,
        model: "cam".to_string(),
        metadata_uri: None,
        registration_signature: Binary::from(key.sign(m.message.as_slice()).to_bytes().to_vec()),
    };
    let res =
        n.s.app
            .execute_contract(
                maker,
                n.registry.clone(),
                &device_registry::msg::ExecuteMsg::RegisterDevice { device },
                &[],
            )
            .unwrap();
    res.events
        .iter()
        .filter(|e| e.ty == "wasm-device_registered")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "device_id")
        .expect("device_id")
        .value
        .parse()
        .unwrap()
}

#[test]
fn accept_ownership_only_works_for_a_pending_transfer() {
    let mut n = network();
    // already the owner: cw-ownable finds no pending transfer, the DAO's message fails with it
    let err =
        n.s.exec_any(
            "anyone",
            &ExecuteMsg::AcceptOwnership {
                contract: n.hub.to_string(),
            },
            &[],
        )
        .unwrap_err();
    assert!(format!("{err:?}").contains("transfer"), "{err:?}");
    assert!(matches!(
        n.s.exec(
            "anyone",
            &ExecuteMsg::AcceptOwnership {
                contract: n.s.dao.to_string()
            }
        )
        .unwrap_err(),
        dao::ContractError::InvalidConfig { .. }
    ));
}

#[test]
fn the_dao_governs_every_contract_and_the_former_admin_cannot() {
    let mut n = network();
    let deployer = n.s.addr("deployer");
    let maker2 = n.s.addr("maker2");
    let device_id = register_device(&mut n);

    // The former admin is locked out of each owner-gated message.
    let staking = n.s.staking.clone();
    let lockouts: Vec<(Addr, serde_json::Value)> = vec![
        (
            n.registry.clone(),
            serde_json::json!({"approve_maker": {"maker": maker2}}),
        ),
        (
            n.registry.clone(),
            serde_json::json!({"set_status": {"device_id": device_id, "status": "banned", "reason": "x"}}),
        ),
        (
            staking.clone(),
            serde_json::json!({"update_config": {"min_stake_per_device": "1"}}),
        ),
        (
            n.hub.clone(),
            serde_json::json!({"update_config": {"challenge_window": 1}}),
        ),
        (n.hub.clone(), serde_json::json!({"veto": {"epoch": 0, "reason": "x"}})),
        (
            n.rewards.clone(),
            serde_json::json!({"update_config": {"operator_share": "0.1"}}),
        ),
    ];
    for (contract, msg) in &lockouts {
        let err =
            n.s.app
                .execute_contract(deployer.clone(), contract.clone(), msg, &[])
                .unwrap_err();
        let text = format!("{err:?}").to_lowercase();
        assert!(
            text.contains("unauthorized") || text.contains("owner") || text.contains("only the admin"),
            "{msg}: {text}"
        );
    }

    // One proposal: approve a maker, ban a device, add an operator, and change a parameter of every contract.
    let op = n.s.addr("op1");
    let op_key = k256::ecdsa::SigningKey::from_slice(&[1u8; 32]).unwrap();
    let op_pubkey = Binary::from(op_key.verifying_key().to_encoded_point(true).as_bytes().to_vec());
    let msgs = vec![
        wasm(&n.registry, &serde_json::json!({"approve_maker": {"maker": maker2}})),
        wasm(
            &n.registry,
            &serde_json::json!({"set_status": {"device_id": device_id, "status": "banned", "reason": "DAO vote 1"}}),
        ),
        wasm(
            &n.hub,
            &oracle_hub::msg::ExecuteMsg::AddOperator {
                address: op.to_string(),
                pubkey: op_pubkey,
            },
        ),
        wasm(
            &staking,
            &serde_json::json!({"update_config": {"min_stake_per_device": "200000000"}}),
        ),
        wasm(
            &n.hub,
            &serde_json::json!({"update_config": {"challenge_window": 3600}}),
        ),
        wasm(
            &n.rewards,
            &serde_json::json!({"update_config": {"operator_share": "0.1"}}),
        ),
    ];
    pass_and_execute(&mut n.s, msgs);

    let q = |n: &Network, c: &Addr, m: serde_json::Value| -> serde_json::Value {
        n.s.app.wrap().query_wasm_smart(c, &m).unwrap()
    };
    assert_eq!(
        q(&n, &n.registry, serde_json::json!({"maker": {"address": maker2}}))["approved"],
        true
    );
    assert_eq!(
        q(&n, &n.registry, serde_json::json!({"device": {"device_id": device_id}}))["status"],
        "banned"
    );
    assert_eq!(
        q(&n, &n.hub, serde_json::json!({"operator": {"address": op}}))["listed"],
        true
    );
    assert_eq!(
        q(&n, &staking, serde_json::json!({"config": {}}))["min_stake_per_device"],
        "200000000"
    );
    assert_eq!(
        q(&n, &n.hub, serde_json::json!({"config": {}}))["challenge_window"],
        3600
    );
    assert_eq!(
        q(&n, &n.rewards, serde_json::json!({"config": {}}))["operator_share"],
        "0.1"
    );

    // The operator bonds and reports epoch 0; the root is accepted; the DAO vetoes it in the challenge window.
    n.s.app
        .execute_contract(
            op.clone(),
            n.hub.clone(),
            &oracle_hub::msg::ExecuteMsg::Bond {},
            &coins(MIN_BOND, DENOM),
        )
        .unwrap();
    n.s.advance(EPOCH);
    let fields = oracle_hub::msg::ReportFields {
        epoch: 0,
        root: HexBinary::from(vec![1u8; 32]),
        total_amount: Uint128::new(1_000),
        device_count: 1,
        telemetry_commitment: HexBinary::from(vec![2u8; 32]),
    };
    let statement: oracle_hub::msg::ReportStatementResponse =
        n.s.app
            .wrap()
            .query_wasm_smart(
                &n.hub,
                &oracle_hub::msg::QueryMsg::ReportStatement {
                    epoch: 0,
                    root: fields.root.clone(),
                    total_amount: fields.total_amount,
                    device_count: fields.device_count,
                    telemetry_commitment: fields.telemetry_commitment.clone(),
                },
            )
            .unwrap();
    let sig: k256::ecdsa::Signature = op_key
        .sign_prehash(&oracle_hub::signature::sha256(statement.statement.as_slice()))
        .unwrap();
    let sig = sig.normalize_s().unwrap_or(sig);
    n.s.app
        .execute_contract(
            op.clone(),
            n.hub.clone(),
            &oracle_hub::msg::ExecuteMsg::SubmitReport {
                epoch: 0,
                root: fields.root,
                total_amount: fields.total_amount,
                device_count: fields.device_count,
                telemetry_commitment: fields.telemetry_commitment,
                signature: Binary::from(sig.to_bytes().to_vec()),
            },
            &[],
        )
        .unwrap();
    assert_eq!(
        q(&n, &n.hub, serde_json::json!({"epoch": {"epoch": 0}}))["status"],
        "accepted"
    );
    let veto = wasm(
        &n.hub,
        &serde_json::json!({"veto": {"epoch": 0, "reason": "root counts offline devices"}}),
    );
    let remove = wasm(&n.hub, &serde_json::json!({"remove_operator": {"address": op}}));
    pass_and_execute(&mut n.s, vec![veto, remove]);
    assert_eq!(
        q(&n, &n.hub, serde_json::json!({"epoch": {"epoch": 0}}))["status"],
        "vetoed"
    );
    assert_eq!(
        q(&n, &n.hub, serde_json::json!({"operator": {"address": op}}))["listed"],
        false
    );

    // The DAO can also hand a contract on (e.g. to a successor DAO) with a proposal.
    let successor = n.s.addr("successor");
    let handover = wasm(&n.rewards, &transfer_to_dao(&successor));
    pass_and_execute(&mut n.s, vec![handover]);
    let o: cw_ownable::Ownership<Addr> =
        n.s.app
            .wrap()
            .query_wasm_smart(&n.rewards, &serde_json::json!({"ownership": {}}))
            .unwrap();
    assert_eq!(o.pending_owner, Some(successor));
}
