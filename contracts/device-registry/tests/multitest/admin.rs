use cosmwasm_std::{to_json_string, Addr};
use cw_multi_test::Executor;
use cw_ownable::{Action, Ownership, OwnershipError};
use device_registry::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use device_registry::msg::{
    DeviceResponse, DeviceStatus, ExecuteMsg, InstantiateMsg, MakerResponse, MakersResponse, MigrateMsg, QueryMsg,
    RegistryExecuteMsg, RegistryQueryMsg,
};
use device_registry::ContractError;
use edgemint_types::migrate::MigrateError;

use crate::suite::{attr, store_registry, DeviceKey, Suite};

#[test]
fn instantiate_sets_up_config_collection_and_counters() {
    let s = Suite::new();
    let cfg = s.config();
    assert_eq!(cfg.admin, Some(s.admin.clone()));
    assert_eq!(cfg.pending_admin, None);
    assert!(cfg.slashers.is_empty());
    assert_eq!(cfg.next_device_id, 1);
    assert_eq!(cfg.max_batch_size, 100);
    assert_eq!(s.counts(), Default::default());
    let version = cw2::query_contract_info(&s.app.wrap(), s.contract.to_string()).unwrap();
    assert_eq!(version.contract, CONTRACT_NAME);
    assert_eq!(version.version, CONTRACT_VERSION);
    let maker: MakerResponse = s
        .query(&QueryMsg::Maker {
            address: s.maker.to_string(),
        })
        .unwrap();
    assert!(maker.approved);
}

#[test]
fn instantiate_validates_input() {
    let mut s = Suite::new();
    let code_id = store_registry(&mut s.app);
    let creator = s.addr("creator");
    let try_init = |s: &mut Suite, msg: InstantiateMsg| {
        s.app
            .instantiate_contract(code_id, creator.clone(), &msg, &[], "r", None)
            .map_err(|e| e.downcast::<ContractError>().unwrap())
    };
    let base = InstantiateMsg {
        admin: None,
        name: None,
        symbol: None,
        makers: vec![],
        slashers: vec![],
    };
    let err = try_init(
        &mut s,
        InstantiateMsg {
            name: Some(String::new()),
            ..base.clone()
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::InvalidCollectionField { .. }));
    let slashers: Vec<String> = (0..11).map(|i| s.addr(&format!("s{i}")).to_string()).collect();
    let err = try_init(
        &mut s,
        InstantiateMsg {
            slashers,
            ..base.clone()
        },
    )
    .unwrap_err();
    assert_eq!(err, ContractError::TooManySlashers { max: 10 });
    let err = try_init(
        &mut s,
        InstantiateMsg {
            admin: Some("Not A Valid Address".to_string()),
            ..base.clone()
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));

    // Explicit admin, custom collection, slashers.
    let dao = s.addr("dao");
    let staking = s.addr("staking");
    let addr = try_init(
        &mut s,
        InstantiateMsg {
            admin: Some(dao.to_string()),
            name: Some("Devices".to_string()),
            symbol: Some("DEV".to_string()),
            makers: vec![],
            slashers: vec![staking.to_string()],
        },
    )
    .unwrap();
    let cfg: device_registry::msg::ConfigResponse = s.app.wrap().query_wasm_smart(&addr, &QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.admin, Some(dao));
    assert_eq!(cfg.slashers, vec![staking]);
}

#[test]
fn makers_are_managed_by_the_admin() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let m2 = s.addr("maker2");
    let stranger = s.addr("stranger");

    let err = s
        .exec(&stranger, &ExecuteMsg::ApproveMaker { maker: m2.to_string() })
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));

    let res = s
        .exec(&admin, &ExecuteMsg::ApproveMaker { maker: m2.to_string() })
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("approve_maker"));
    assert_eq!(attr(&res, "maker"), Some(m2.to_string()));
    let err = s
        .exec(&admin, &ExecuteMsg::ApproveMaker { maker: m2.to_string() })
        .unwrap_err();
    assert!(matches!(err, ContractError::MakerAlreadyApproved { .. }));

    let makers: MakersResponse = s
        .query(&QueryMsg::Makers {
            start_after: None,
            limit: None,
        })
        .unwrap();
    let mut expected = vec![s.maker.clone(), m2.clone()];
    expected.sort();
    assert_eq!(
        makers.makers.iter().map(|m| m.address.clone()).collect::<Vec<_>>(),
        expected
    );
    let page: MakersResponse = s
        .query(&QueryMsg::Makers {
            start_after: Some(expected[0].to_string()),
            limit: Some(1),
        })
        .unwrap();
    assert_eq!(page.makers.len(), 1);
    assert_eq!(page.makers[0].address, expected[1]);

    let err = s
        .exec(&stranger, &ExecuteMsg::RevokeMaker { maker: m2.to_string() })
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));
    s.exec(&admin, &ExecuteMsg::RevokeMaker { maker: m2.to_string() })
        .unwrap();
    let m: MakerResponse = s
        .query(&QueryMsg::Maker {
            address: m2.to_string(),
        })
        .unwrap();
    assert!(!m.approved);
    let err = s
        .exec(&admin, &ExecuteMsg::RevokeMaker { maker: m2.to_string() })
        .unwrap_err();
    assert!(matches!(err, ContractError::MakerNotFound { .. }));
}

#[test]
fn admin_handover_is_two_step() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let dao = s.addr("dao");
    let stranger = s.addr("stranger");

    let err = s
        .exec(
            &stranger,
            &ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
                new_owner: stranger.to_string(),
                expiry: None,
            }),
        )
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));

    s.exec(
        &admin,
        &ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
            new_owner: dao.to_string(),
            expiry: None,
        }),
    )
    .unwrap();
    let own: Ownership<Addr> = s.query(&QueryMsg::Ownership {}).unwrap();
    assert_eq!(own.owner, Some(admin.clone()));
    assert_eq!(own.pending_owner, Some(dao.clone()));
    assert_eq!(s.config().pending_admin, Some(dao.clone()));

    // Until accepted, the old admin is still in charge and the DAO is not.
    let err = s
        .exec(&dao, &ExecuteMsg::ApproveMaker { maker: dao.to_string() })
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));
    let err = s
        .exec(&stranger, &ExecuteMsg::UpdateOwnership(Action::AcceptOwnership))
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotPendingOwner));

    s.exec(&dao, &ExecuteMsg::UpdateOwnership(Action::AcceptOwnership))
        .unwrap();
    assert_eq!(s.config().admin, Some(dao.clone()));
    s.exec(
        &dao,
        &ExecuteMsg::ApproveMaker {
            maker: stranger.to_string(),
        },
    )
    .unwrap();
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::ApproveMaker {
                maker: admin.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));

    // The new admin can also set statuses; renouncing is refused.
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);
    s.set_status(&dao, id, DeviceStatus::Suspended).unwrap();
    let err = s
        .exec(&dao, &ExecuteMsg::UpdateOwnership(Action::RenounceOwnership))
        .unwrap_err();
    assert_eq!(err, ContractError::RenounceNotAllowed {});
    assert_eq!(s.config().admin, Some(dao));
}

#[test]
fn registry_messages_reject_funds() {
    let mut s = Suite::new();
    let rich = s.rich.clone();
    let err = s
        .app
        .execute_contract(
            rich.clone(),
            s.contract.clone(),
            &ExecuteMsg::RevokeAll {
                operator: s.admin.to_string(),
            },
            &cosmwasm_std::coins(1, crate::suite::DENOM),
        )
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Payment(_)));
}

#[test]
fn migrate_checks_name_and_refuses_downgrade() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let contract = s.contract.clone();
    let code_id = s.code_id;

    let res = s
        .app
        .migrate_contract(admin.clone(), contract.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    assert_eq!(attr(&res, "to_version").as_deref(), Some(CONTRACT_VERSION));

    cw2::set_contract_version(&mut *s.app.contract_storage_mut(&contract), CONTRACT_NAME, "999.0.0").unwrap();
    let err = s
        .app
        .migrate_contract(admin.clone(), contract.clone(), &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Migrate(MigrateError::Downgrade { .. })));

    cw2::set_contract_version(&mut *s.app.contract_storage_mut(&contract), "crates.io:other", "0.0.1").unwrap();
    let err = s
        .app
        .migrate_contract(admin, contract, &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(
        err,
        ContractError::Migrate(MigrateError::WrongContract { .. })
    ));
}

/// The subset messages in edgemint-types (what the staking contract uses) are the same JSON as the full messages
/// and the contract accepts them.
#[test]
fn shared_subset_messages_match_the_full_interface() {
    let mut s = Suite::with_slashers(&["staking"]);
    let staking = s.addr("staking");
    let owner = s.addr("owner");
    let key = DeviceKey::ed25519(1);
    let id = s.activated_device(&key, "C1", &owner);

    let subset = RegistryExecuteMsg::SetStatus {
        device_id: id,
        status: DeviceStatus::Suspended,
        reason: "slashed".to_string(),
    };
    let full = ExecuteMsg::SetStatus {
        device_id: id,
        status: DeviceStatus::Suspended,
        reason: "slashed".to_string(),
    };
    assert_eq!(to_json_string(&subset).unwrap(), to_json_string(&full).unwrap());
    s.app
        .execute_contract(staking, s.contract.clone(), &subset, &[])
        .unwrap();

    let pairs = [
        (
            to_json_string(&RegistryQueryMsg::Device { device_id: id }).unwrap(),
            to_json_string(&QueryMsg::Device { device_id: id }).unwrap(),
        ),
        (
            to_json_string(&RegistryQueryMsg::DeviceByPubkey { pubkey: key.pubkey() }).unwrap(),
            to_json_string(&QueryMsg::DeviceByPubkey { pubkey: key.pubkey() }).unwrap(),
        ),
        (
            to_json_string(&RegistryQueryMsg::DevicesByOwner {
                owner: owner.to_string(),
                start_after: Some(3),
                limit: Some(5),
            })
            .unwrap(),
            to_json_string(&QueryMsg::DevicesByOwner {
                owner: owner.to_string(),
                start_after: Some(3),
                limit: Some(5),
            })
            .unwrap(),
        ),
        (
            to_json_string(&RegistryQueryMsg::StatusCounts {}).unwrap(),
            to_json_string(&QueryMsg::StatusCounts {}).unwrap(),
        ),
    ];
    for (a, b) in pairs {
        assert_eq!(a, b);
    }
    let d: DeviceResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.contract, &RegistryQueryMsg::Device { device_id: id })
        .unwrap();
    assert_eq!(d.status, DeviceStatus::Suspended);
    assert_eq!(d.owner, Some(owner));
}
