//! Instantiate, config, admin handover, migrate, and the JSON interface other contracts rely on.

use cosmwasm_std::{to_json_string, Addr, Decimal, Uint128};
use cw_multi_test::Executor;
use cw_ownable::{Action, Ownership, OwnershipError};
use cw_storage_plus::Item;
use cw_utils::Expiration;
use edgemint_types::migrate::MigrateError;
use rewards::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use rewards::msg::{
    ConfigResponse, EmissionSchedule, ExecuteMsg, MigrateMsg, QueryMsg, RewardsExecuteMsg, RewardsQueryMsg,
};
use rewards::ContractError;

use crate::suite::{default_schedule, Suite, DENOM, EMC, EPOCH_EMISSION};

fn update(schedule: Option<EmissionSchedule>, operator_share: Option<Decimal>, max_batch: Option<u32>) -> ExecuteMsg {
    ExecuteMsg::UpdateConfig {
        hub: None,
        registry: None,
        schedule,
        operator_share,
        max_batch,
        claim_window: None,
    }
}

fn schedule(decay: Decimal, period: u64) -> EmissionSchedule {
    EmissionSchedule {
        epoch_emission: Uint128::new(EPOCH_EMISSION),
        decay,
        decay_period_epochs: period,
    }
}

#[test]
fn instantiate_records_the_config() {
    let s = Suite::new();
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.admin, s.admin);
    assert_eq!(c.pending_admin, None);
    assert_eq!(c.hub, s.hub);
    assert_eq!(c.registry, s.registry);
    assert_eq!(c.denom, DENOM);
    assert_eq!(c.schedule, default_schedule());
    assert_eq!(c.operator_share, Decimal::percent(10));
    assert_eq!(c.max_batch, 50);
    assert_eq!(c.claim_window, 365 * 86_400);
    let info = cw2::query_contract_info(&s.app.wrap(), &s.rewards).unwrap();
    assert_eq!(info.contract, CONTRACT_NAME);
    assert_eq!(info.version, CONTRACT_VERSION);
}

#[test]
fn instantiate_validates() {
    let err = |tweak: fn(&mut rewards::msg::InstantiateMsg)| Suite::try_with(tweak, &[]).err().expect("refused");
    assert_eq!(
        err(|m| m.schedule.decay = Decimal::one()),
        ContractError::InvalidDecay { decay: Decimal::one() }
    );
    assert_eq!(
        err(|m| m.schedule.decay_period_epochs = 0),
        ContractError::InvalidDecayPeriod {}
    );
    assert_eq!(
        err(|m| m.operator_share = Decimal::percent(51)),
        ContractError::InvalidOperatorShare {
            share: Decimal::percent(51),
            max: Decimal::percent(50)
        }
    );
    assert_eq!(
        err(|m| m.max_batch = Some(0)),
        ContractError::InvalidMaxBatch {
            max_batch: 0,
            limit: 50
        }
    );
    assert_eq!(
        err(|m| m.max_batch = Some(51)),
        ContractError::InvalidMaxBatch {
            max_batch: 51,
            limit: 50
        }
    );
    assert_eq!(
        err(|m| m.denom = "u".to_string()),
        ContractError::InvalidDenom { denom: "u".to_string() }
    );
    assert!(matches!(err(|m| m.hub = "bad".to_string()), ContractError::Std(_)));
    // the limits themselves are accepted
    Suite::try_with(
        |m| {
            m.operator_share = Decimal::percent(50);
            m.max_batch = Some(1);
            m.schedule.decay = Decimal::raw(999_999_999_999_999_999);
            m.schedule.decay_period_epochs = 1;
        },
        &[],
    )
    .unwrap();
}

#[test]
fn update_config_is_admin_only_and_validated() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let mallory = s.addr("mallory");
    assert!(matches!(
        s.exec(&mallory, &update(None, Some(Decimal::zero()), None), &[])
            .unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    assert!(matches!(
        s.exec(&admin, &update(Some(schedule(Decimal::one(), 1)), None, None), &[])
            .unwrap_err(),
        ContractError::InvalidDecay { .. }
    ));
    assert!(matches!(
        s.exec(&admin, &update(Some(schedule(Decimal::zero(), 0)), None, None), &[])
            .unwrap_err(),
        ContractError::InvalidDecayPeriod {}
    ));
    assert!(matches!(
        s.exec(&admin, &update(None, Some(Decimal::percent(60)), None), &[])
            .unwrap_err(),
        ContractError::InvalidOperatorShare { .. }
    ));
    assert!(matches!(
        s.exec(&admin, &update(None, None, Some(0)), &[]).unwrap_err(),
        ContractError::InvalidMaxBatch { .. }
    ));
    // a failed update changes nothing
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.operator_share, Decimal::percent(10));

    let new_hub = s.addr("new-hub");
    let new_registry = s.addr("new-registry");
    s.exec(
        &admin,
        &ExecuteMsg::UpdateConfig {
            hub: Some(new_hub.to_string()),
            registry: Some(new_registry.to_string()),
            schedule: Some(schedule(Decimal::percent(10), 365)),
            operator_share: Some(Decimal::percent(5)),
            max_batch: Some(20),
            claim_window: Some(30 * 86_400),
        },
        &[],
    )
    .unwrap();
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.hub, new_hub);
    assert_eq!(c.registry, new_registry);
    assert_eq!(c.schedule, schedule(Decimal::percent(10), 365));
    assert_eq!(c.operator_share, Decimal::percent(5));
    assert_eq!(c.max_batch, 20);
    assert_eq!(c.claim_window, 30 * 86_400);
    // the old hub lost its rights
    assert!(matches!(
        s.reserve(1, 0).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    s.exec(&new_hub, &ExecuteMsg::ReserveBudget { epoch: 1 }, &[]).unwrap();
    // decayed budget of the second year
    assert_eq!(s.budget(365).emission.u128(), 900 * EMC);
}

/// The admin hands over with cw-ownable, exactly like the registry and staking: transfer_ownership, then
/// accept_ownership by the new admin; renouncing is refused.
#[test]
fn admin_handover_is_two_step() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let dao = s.addr("dao");
    let mallory = s.addr("mallory");
    let transfer = |to: &Addr, expiry: Option<Expiration>| {
        ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
            new_owner: to.to_string(),
            expiry,
        })
    };
    let accept = ExecuteMsg::UpdateOwnership(Action::AcceptOwnership);
    assert_eq!(
        s.exec(&dao, &accept, &[]).unwrap_err(),
        ContractError::Ownership(OwnershipError::TransferNotFound)
    );
    assert_eq!(
        s.exec(&mallory, &transfer(&mallory, None), &[]).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    s.exec(&admin, &transfer(&dao, None), &[]).unwrap();
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.pending_admin, Some(dao.clone()));
    let own: Ownership<Addr> = s.q(&QueryMsg::Ownership {});
    assert_eq!((own.owner, own.pending_owner), (Some(admin.clone()), Some(dao.clone())));
    assert_eq!(
        s.exec(&mallory, &accept, &[]).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotPendingOwner)
    );
    // cw-ownable has no cancel: only the admin may replace the proposal, and one with an expiry already past
    // withdraws it; then propose again and accept
    assert_eq!(
        s.exec(&dao, &transfer(&dao, Some(Expiration::AtHeight(1))), &[])
            .unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    s.exec(&admin, &transfer(&dao, Some(Expiration::AtHeight(1))), &[])
        .unwrap();
    assert_eq!(
        s.exec(&dao, &accept, &[]).unwrap_err(),
        ContractError::Ownership(OwnershipError::TransferExpired)
    );
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.admin, admin, "a proposal alone changes nothing");
    s.exec(&admin, &transfer(&dao, None), &[]).unwrap();
    s.exec(&dao, &accept, &[]).unwrap();
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.admin, dao);
    assert_eq!(c.pending_admin, None);
    // the old admin is out, the new one in
    assert!(matches!(
        s.exec(&admin, &update(None, None, Some(10)), &[]).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    s.exec(&dao, &update(None, None, Some(10)), &[]).unwrap();
    // renouncing would leave the pool without an admin: refused
    assert_eq!(
        s.exec(&dao, &ExecuteMsg::UpdateOwnership(Action::RenounceOwnership), &[])
            .unwrap_err(),
        ContractError::RenounceNotAllowed {}
    );
    let c: ConfigResponse = s.q(&QueryMsg::Config {});
    assert_eq!(c.admin, dao);
}

/// A pool instantiated before cw-ownable kept its admin in its own `admin` / `pending_admin` items: `migrate` moves
/// the admin into cw-ownable and drops the old items.
#[test]
fn migrate_moves_the_legacy_admin_into_cw_ownable() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let dao = s.addr("dao");
    let (rewards, code_id) = (s.rewards.clone(), s.code_id);
    {
        let mut store = s.app.contract_storage_mut(&rewards);
        store.remove(b"ownership");
        Item::<Addr>::new("admin").save(store.as_mut(), &dao).unwrap();
        Item::<Addr>::new("pending_admin").save(store.as_mut(), &admin).unwrap();
    }
    s.app
        .migrate_contract(admin, rewards.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    let own: Ownership<Addr> = s.q(&QueryMsg::Ownership {});
    assert_eq!((own.owner, own.pending_owner), (Some(dao), None));
    let store = s.app.contract_storage(&rewards);
    assert!(store.get(b"admin").is_none() && store.get(b"pending_admin").is_none());
}

#[test]
fn migrate_checks_name_and_version() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let (rewards, code_id) = (s.rewards.clone(), s.code_id);
    s.app
        .migrate_contract(admin.clone(), rewards.clone(), &MigrateMsg {}, code_id)
        .unwrap();

    cw2::set_contract_version(&mut *s.app.contract_storage_mut(&rewards), CONTRACT_NAME, "99.0.0").unwrap();
    let err = s
        .app
        .migrate_contract(admin.clone(), rewards.clone(), &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert_eq!(
        err,
        ContractError::Migrate(MigrateError::Downgrade {
            stored: "99.0.0".to_string(),
            new: CONTRACT_VERSION.to_string()
        })
    );

    cw2::set_contract_version(&mut *s.app.contract_storage_mut(&rewards), "crates.io:staking", "0.0.1").unwrap();
    let err = s
        .app
        .migrate_contract(admin, rewards, &MigrateMsg {}, code_id)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(
        err,
        ContractError::Migrate(MigrateError::WrongContract { .. })
    ));
}

/// The hub builds `RewardsExecuteMsg` / `RewardsQueryMsg` from edgemint-types: they must serialize exactly like this
/// contract's variants.
#[test]
fn interface_json_matches_edgemint_types() {
    let pairs = [
        (
            to_json_string(&RewardsExecuteMsg::ReserveBudget { epoch: 7 }),
            to_json_string(&ExecuteMsg::ReserveBudget { epoch: 7 }),
        ),
        (
            to_json_string(&RewardsExecuteMsg::SettleEpoch {
                epoch: 7,
                total_amount: Uint128::new(123),
            }),
            to_json_string(&ExecuteMsg::SettleEpoch {
                epoch: 7,
                total_amount: Uint128::new(123),
            }),
        ),
        (
            to_json_string(&RewardsExecuteMsg::ReleaseEpoch { epoch: 7 }),
            to_json_string(&ExecuteMsg::ReleaseEpoch { epoch: 7 }),
        ),
        (
            to_json_string(&RewardsExecuteMsg::AddRevenue {}),
            to_json_string(&ExecuteMsg::AddRevenue {}),
        ),
        (
            to_json_string(&RewardsQueryMsg::EpochBudget { epoch: 7 }),
            to_json_string(&QueryMsg::EpochBudget { epoch: 7 }),
        ),
    ];
    for (theirs, ours) in pairs {
        assert_eq!(theirs.unwrap(), ours.unwrap());
    }
    for (msg, json) in [
        (
            ExecuteMsg::ReserveBudget { epoch: 7 },
            r#"{"reserve_budget":{"epoch":7}}"#,
        ),
        (
            ExecuteMsg::SettleEpoch {
                epoch: 7,
                total_amount: Uint128::new(123),
            },
            r#"{"settle_epoch":{"epoch":7,"total_amount":"123"}}"#,
        ),
        (
            ExecuteMsg::ReleaseEpoch { epoch: 7 },
            r#"{"release_epoch":{"epoch":7}}"#,
        ),
        (ExecuteMsg::CloseEpoch { epoch: 7 }, r#"{"close_epoch":{"epoch":7}}"#),
        (
            ExecuteMsg::ResolveIbcTransfer {
                epoch: 7,
                device_id: 42,
                delivered: false,
            },
            r#"{"resolve_ibc_transfer":{"epoch":7,"device_id":42,"delivered":false}}"#,
        ),
    ] {
        assert_eq!(to_json_string(&msg).unwrap(), json);
    }

    // and through the chain: the hub's typed messages work against the contract
    let mut s = Suite::new();
    let hub = s.hub.clone();
    let rewards = s.rewards.clone();
    s.app
        .execute_contract(
            hub.clone(),
            rewards.clone(),
            &RewardsExecuteMsg::ReserveBudget { epoch: 3 },
            &[],
        )
        .unwrap();
    let b: rewards::msg::EpochBudgetResponse = s
        .app
        .wrap()
        .query_wasm_smart(&rewards, &RewardsQueryMsg::EpochBudget { epoch: 3 })
        .unwrap();
    assert_eq!(b.emission.u128(), EPOCH_EMISSION);
    assert!(b.frozen);
    s.app
        .execute_contract(
            hub.clone(),
            rewards.clone(),
            &RewardsExecuteMsg::SettleEpoch {
                epoch: 3,
                total_amount: Uint128::new(5),
            },
            &[],
        )
        .unwrap();
    s.app
        .execute_contract(hub, rewards, &RewardsExecuteMsg::ReleaseEpoch { epoch: 3 }, &[])
        .unwrap();
    assert!(s.epoch_state(3).released);
}
