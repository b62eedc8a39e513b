//! Instantiate validation, UpdateConfig, admin handover, migrate.

use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_multi_test::Executor;
use cw_ownable::{Action, Ownership, OwnershipError};
use cw_storage_plus::Item;
use cw_utils::Expiration;
use edgemint_types::migrate::MigrateError;
use oracle_hub::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use oracle_hub::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use oracle_hub::ContractError;

use crate::suite::*;

fn instantiate_err(tweak: impl FnOnce(&mut InstantiateMsg)) -> ContractError {
    Suite::try_with(0, tweak).err().expect("instantiate must fail")
}

#[test]
fn instantiate_defaults_and_attributes() {
    let s = Suite::new(0);
    let c = s.config();
    assert_eq!(c.admin, s.admin);
    assert_eq!(c.pending_admin, None);
    assert_eq!(c.quorum, Decimal::from_ratio(2u64, 3u64));
    assert_eq!(c.rewards, Some(s.rewards.clone()));
    assert_eq!(c.registry, s.registry);
    assert_eq!(c.staking, s.staking);
    assert_eq!(c.denom, DENOM);
    assert_eq!(c.epoch_length, EPOCH);
    assert_eq!(c.challenge_window, WINDOW);
    assert_eq!((c.max_operators, c.max_unbonding_entries), (50, 7));
    assert!(!c.epoch_timing_locked);
    // genesis defaults to the instantiating block's time (no block passed since)
    assert_eq!(c.epoch_genesis, s.now());
    let version = cw2::query_contract_info(&s.app.wrap(), s.hub.to_string()).unwrap();
    assert_eq!(version.contract, CONTRACT_NAME);
}

#[test]
fn instantiate_validation() {
    assert_eq!(
        instantiate_err(|m| m.quorum = Some(Decimal::percent(50))),
        ContractError::InvalidQuorum {
            value: Decimal::percent(50)
        }
    );
    assert!(matches!(
        instantiate_err(|m| m.quorum = Some(Decimal::percent(101))),
        ContractError::InvalidQuorum { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.epoch_length = 59),
        ContractError::InvalidDuration { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.epoch_length = 366 * 24 * 3600),
        ContractError::InvalidDuration { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.challenge_window = 366 * 24 * 3600),
        ContractError::InvalidDuration { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.bond_unbonding_period = 366 * 24 * 3600),
        ContractError::InvalidDuration { .. }
    ));
    assert_eq!(
        instantiate_err(|m| m.min_bond = Uint128::zero()),
        ContractError::InvalidMinBond {}
    );
    assert!(matches!(
        instantiate_err(|m| m.denom = "u".to_string()),
        ContractError::InvalidDenom { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.slash_fraction = Decimal::percent(101)),
        ContractError::InvalidFraction { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.bounty_fraction = Decimal::percent(101)),
        ContractError::InvalidFraction { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.epoch_genesis = Some(Timestamp::from_seconds(u64::MAX / 1_000_000_000))),
        ContractError::InvalidGenesis { .. }
    ));
    assert!(matches!(
        instantiate_err(|m| m.registry = "not an address".to_string()),
        ContractError::Std(_)
    ));
}

#[test]
fn explicit_genesis_sets_epoch_boundaries() {
    let mut s = Suite::with(3, |m| m.epoch_genesis = Some(Timestamp::from_seconds(1_500_000_000)));
    let e = s.epoch(10);
    assert_eq!(e.start, Timestamp::from_seconds(1_500_000_000 + 10 * EPOCH));
    assert_eq!(e.end, Timestamp::from_seconds(1_500_000_000 + 11 * EPOCH));
    // the block time (2019) is long past epoch 10: reportable right away
    s.report(0, &fields(10, 1, 1)).unwrap();
}

#[test]
fn update_config_admin_only_and_validated() {
    let mut s = Suite::new(3);
    let admin = s.admin.clone();
    let op1 = s.op(0);
    let raise = update_config(|m| {
        if let ExecuteMsg::UpdateConfig { min_bond, .. } = m {
            *min_bond = Some(Uint128::new(MIN_BOND + 1));
        }
    });
    assert!(matches!(
        s.exec(&op1, &raise).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    let res = s.exec(&admin, &raise).unwrap();
    assert_eq!(attr(&res, "min_bond"), Some((MIN_BOND + 1).to_string()));
    // a raised minimum deactivates operators below it at once
    assert_eq!(s.config().active_operators, 0);

    let bad_quorum = update_config(|m| {
        if let ExecuteMsg::UpdateConfig { quorum, .. } = m {
            *quorum = Some(Decimal::percent(40));
        }
    });
    assert!(matches!(
        s.exec(&admin, &bad_quorum).unwrap_err(),
        ContractError::InvalidQuorum { .. }
    ));
    let all = update_config(|m| {
        if let ExecuteMsg::UpdateConfig {
            min_bond,
            bond_unbonding_period,
            epoch_length,
            quorum,
            challenge_window,
            slash_fraction,
            bounty_fraction,
            ..
        } = m
        {
            *min_bond = Some(Uint128::new(MIN_BOND));
            *bond_unbonding_period = Some(10);
            *epoch_length = Some(600);
            *quorum = Some(Decimal::percent(75));
            *challenge_window = Some(60);
            *slash_fraction = Some(Decimal::percent(50));
            *bounty_fraction = Some(Decimal::percent(10));
        }
    });
    s.exec(&admin, &all).unwrap();
    let c = s.config();
    assert_eq!(
        (c.bond_unbonding_period, c.epoch_length, c.challenge_window),
        (10, 600, 60)
    );
    assert_eq!(c.quorum, Decimal::percent(75));
    assert_eq!(c.active_operators, 3);
}

#[test]
fn epoch_timing_is_locked_after_the_first_report() {
    let mut s = Suite::new(3);
    let admin = s.admin.clone();
    let length = |l: u64| {
        update_config(|m| {
            if let ExecuteMsg::UpdateConfig { epoch_length, .. } = m {
                *epoch_length = Some(l);
            }
        })
    };
    let genesis = |t: Timestamp| {
        update_config(|m| {
            if let ExecuteMsg::UpdateConfig { epoch_genesis, .. } = m {
                *epoch_genesis = Some(t);
            }
        })
    };
    s.exec(&admin, &length(1800)).unwrap();
    s.exec(&admin, &length(EPOCH)).unwrap();
    s.end_epoch(0);
    s.report(0, &fields(0, 1, 1)).unwrap();
    assert!(s.config().epoch_timing_locked);
    assert_eq!(
        s.exec(&admin, &length(1800)).unwrap_err(),
        ContractError::EpochTimingLocked {}
    );
    assert_eq!(
        s.exec(&admin, &genesis(Timestamp::from_seconds(1))).unwrap_err(),
        ContractError::EpochTimingLocked {}
    );
    // other fields stay changeable
    let window = update_config(|m| {
        if let ExecuteMsg::UpdateConfig { challenge_window, .. } = m {
            *challenge_window = Some(1);
        }
    });
    s.exec(&admin, &window).unwrap();
    // the new window applies to roots accepted from now on
    s.report(1, &fields(0, 1, 1)).unwrap();
    assert_eq!(s.epoch(0).final_at, Some(s.now().plus_seconds(1)));
}

/// The admin hands over with cw-ownable, exactly like the registry and staking: transfer_ownership, then
/// accept_ownership by the new admin; renouncing is refused.
#[test]
fn admin_handover_is_two_step() {
    let mut s = Suite::new(0);
    let admin = s.admin.clone();
    let dao = s.addr("dao");
    let stranger = s.addr("stranger");
    let transfer = |to: &Addr, expiry: Option<Expiration>| {
        ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
            new_owner: to.to_string(),
            expiry,
        })
    };
    let accept = ExecuteMsg::UpdateOwnership(Action::AcceptOwnership);
    assert_eq!(
        s.exec(&dao, &accept).unwrap_err(),
        ContractError::Ownership(OwnershipError::TransferNotFound)
    );
    assert_eq!(
        s.exec(&stranger, &transfer(&dao, None)).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    s.exec(&admin, &transfer(&dao, None)).unwrap();
    assert_eq!(s.config().pending_admin, Some(dao.clone()));
    let own: Ownership<Addr> = s.query(&QueryMsg::Ownership {}).unwrap();
    assert_eq!((own.owner, own.pending_owner), (Some(admin.clone()), Some(dao.clone())));
    assert_eq!(
        s.exec(&stranger, &accept).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotPendingOwner)
    );
    // cw-ownable has no cancel: a new proposal replaces the pending one, and one with an expiry already past
    // withdraws it
    s.exec(&admin, &transfer(&dao, Some(Expiration::AtHeight(1)))).unwrap();
    assert_eq!(
        s.exec(&dao, &accept).unwrap_err(),
        ContractError::Ownership(OwnershipError::TransferExpired)
    );
    assert_eq!(s.config().admin, admin, "a proposal alone changes nothing");
    s.exec(&admin, &transfer(&dao, None)).unwrap();
    let resp = s.exec(&dao, &accept).unwrap();
    let attr = |key: &str| {
        resp.events
            .iter()
            .filter(|e| e.ty == "wasm")
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
    };
    assert_eq!(attr("action").as_deref(), Some("update_ownership"));
    assert_eq!(attr("owner"), Some(dao.to_string()));
    let c = s.config();
    assert_eq!((c.admin, c.pending_admin), (dao.clone(), None));
    // the old admin lost its powers
    assert!(matches!(
        s.exec(
            &admin,
            &ExecuteMsg::AddOperator {
                address: admin.to_string(),
                pubkey: OperatorKey::new(5).pubkey()
            }
        )
        .unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    // renouncing would leave the hub without an admin: refused
    assert_eq!(
        s.exec(&dao, &ExecuteMsg::UpdateOwnership(Action::RenounceOwnership))
            .unwrap_err(),
        ContractError::RenounceNotAllowed {}
    );
    assert_eq!(s.config().admin, dao);
}

/// A hub instantiated before cw-ownable kept its admin in its own `admin` / `pending_admin` items: `migrate` moves
/// the admin into cw-ownable and drops the old items.
#[test]
fn migrate_moves_the_legacy_admin_into_cw_ownable() {
    let mut s = Suite::new(0);
    let admin = s.admin.clone();
    let dao = s.addr("dao");
    let hub = s.hub.clone();
    let code = s.hub_code;
    {
        let mut store = s.app.contract_storage_mut(&hub);
        store.remove(b"ownership");
        Item::<Addr>::new("admin").save(store.as_mut(), &dao).unwrap();
        Item::<Addr>::new("pending_admin").save(store.as_mut(), &admin).unwrap();
    }
    s.app
        .migrate_contract(admin.clone(), hub.clone(), &MigrateMsg {}, code)
        .unwrap();
    let own: Ownership<Addr> = s.query(&QueryMsg::Ownership {}).unwrap();
    assert_eq!((own.owner, own.pending_owner), (Some(dao.clone()), None));
    let store = s.app.contract_storage(&hub);
    assert!(store.get(b"admin").is_none() && store.get(b"pending_admin").is_none());
}

#[test]
fn migrate_checks_name_and_version() {
    let mut s = Suite::new(0);
    let admin = s.admin.clone();
    let hub = s.hub.clone();
    let code = s.hub_code;
    s.app
        .migrate_contract(admin.clone(), hub.clone(), &MigrateMsg {}, code)
        .unwrap();
    let info = cw2::query_contract_info(&s.app.wrap(), hub.to_string()).unwrap();
    assert_eq!(
        (info.contract.as_str(), info.version.as_str()),
        (CONTRACT_NAME, CONTRACT_VERSION)
    );

    // a contract with another cw2 name (the staking contract's code cannot become a hub)
    let staking = s.staking.clone();
    let err = s
        .app
        .migrate_contract(admin, staking, &MigrateMsg {}, code)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(
        err,
        ContractError::Migrate(MigrateError::WrongContract { .. })
    ));
}
