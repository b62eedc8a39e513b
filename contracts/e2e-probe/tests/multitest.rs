//! cw-multi-test checks of the probe's behaviour. Every assertion here can fail if the
//! contract regresses: each error path also checks that state was left untouched.

use cosmwasm_std::{Addr, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use e2e_probe::contract::{
    execute, instantiate, migrate, query, CONTRACT_NAME, CONTRACT_VERSION, MAX_INCREMENT, MIN_INCREMENT,
};
use e2e_probe::msg::{CountResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, OwnerResponse, QueryMsg};
use e2e_probe::ContractError;
use edgemint_types::migrate::MigrateError;

struct Suite {
    app: App,
    code_id: u64,
    contract: Addr,
    owner: Addr,
    admin: Addr,
}

fn store_probe(app: &mut App) -> u64 {
    app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ))
}

fn setup(owner: Option<&str>, start: u64) -> Suite {
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let creator = app.api().addr_make("creator");
    let owner_addr = owner.map(|o| app.api().addr_make(o));
    let code_id = store_probe(&mut app);
    let contract = app
        .instantiate_contract(
            code_id,
            creator.clone(),
            &InstantiateMsg {
                owner: owner_addr.as_ref().map(|a| a.to_string()),
                start,
            },
            &[],
            "e2e-probe",
            Some(admin.to_string()),
        )
        .expect("instantiate");
    Suite {
        app,
        code_id,
        contract,
        owner: owner_addr.unwrap_or(creator),
        admin,
    }
}

impl Suite {
    fn count(&self) -> CountResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.contract, &QueryMsg::Count {})
            .expect("count query")
    }

    fn owner(&self) -> Addr {
        let resp: OwnerResponse = self
            .app
            .wrap()
            .query_wasm_smart(&self.contract, &QueryMsg::Owner {})
            .expect("owner query");
        resp.owner
    }

    fn exec(&mut self, sender: &Addr, msg: ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.contract.clone(), &msg, &[])
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    fn user(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }
}

fn wasm_attr(resp: &AppResponse, key: &str) -> Option<String> {
    resp.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

#[test]
fn instantiate_defaults_owner_to_sender() {
    let suite = setup(None, 7);
    assert_eq!(suite.owner(), suite.app.api().addr_make("creator"));
    assert_eq!(
        suite.count(),
        CountResponse {
            count: 7,
            last_incremented_by: None
        }
    );
    let info = cw2::query_contract_info(&suite.app.wrap(), suite.contract.to_string()).expect("cw2 info");
    assert_eq!(info.contract, CONTRACT_NAME);
    assert_eq!(info.version, CONTRACT_VERSION);
}

#[test]
fn instantiate_with_explicit_owner() {
    let suite = setup(Some("alice"), 0);
    assert_eq!(suite.owner(), suite.user("alice"));
}

#[test]
fn instantiate_rejects_invalid_owner() {
    let mut app = App::default();
    let code_id = store_probe(&mut app);
    let creator = app.api().addr_make("creator");
    let err = app
        .instantiate_contract(
            code_id,
            creator,
            &InstantiateMsg {
                owner: Some("not-a-bech32-address".to_string()),
                start: 0,
            },
            &[],
            "bad",
            None,
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().expect("a ContractError"),
        ContractError::Std(_)
    ));
}

#[test]
fn increment_adds_and_records_sender() {
    let mut suite = setup(None, 10);
    let bob = suite.user("bob");
    let resp = suite.exec(&bob, ExecuteMsg::Increment { by: 5 }).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("increment"));
    assert_eq!(wasm_attr(&resp, "count").as_deref(), Some("15"));
    assert_eq!(wasm_attr(&resp, "by").as_deref(), Some("5"));
    assert_eq!(
        suite.count(),
        CountResponse {
            count: 15,
            last_incremented_by: Some(bob.clone())
        }
    );

    let carol = suite.user("carol");
    suite.exec(&carol, ExecuteMsg::Increment { by: MAX_INCREMENT }).unwrap();
    assert_eq!(
        suite.count(),
        CountResponse {
            count: 15 + MAX_INCREMENT,
            last_incremented_by: Some(carol)
        }
    );
}

#[test]
fn increment_rejects_out_of_range_by_and_keeps_state() {
    let mut suite = setup(None, 3);
    let bob = suite.user("bob");
    suite.exec(&bob, ExecuteMsg::Increment { by: 1 }).unwrap();
    let before = suite.count();
    for by in [0, MAX_INCREMENT + 1, u64::MAX] {
        let err = suite.exec(&bob, ExecuteMsg::Increment { by }).unwrap_err();
        assert_eq!(
            err,
            ContractError::InvalidIncrement {
                by,
                min: MIN_INCREMENT,
                max: MAX_INCREMENT
            }
        );
        assert_eq!(suite.count(), before);
    }
}

#[test]
fn increment_overflow_is_rejected_and_keeps_state() {
    let start = u64::MAX - 10;
    let mut suite = setup(None, start);
    let bob = suite.user("bob");
    let err = suite.exec(&bob, ExecuteMsg::Increment { by: 11 }).unwrap_err();
    assert_eq!(err, ContractError::Overflow { count: start, by: 11 });
    assert_eq!(
        suite.count(),
        CountResponse {
            count: start,
            last_incremented_by: None
        }
    );
    // The exact remaining headroom still fits.
    suite.exec(&bob, ExecuteMsg::Increment { by: 10 }).unwrap();
    assert_eq!(suite.count().count, u64::MAX);
}

#[test]
fn reset_by_owner_sets_value_and_clears_last_sender() {
    let mut suite = setup(Some("alice"), 0);
    let bob = suite.user("bob");
    suite.exec(&bob, ExecuteMsg::Increment { by: 9 }).unwrap();
    let owner = suite.owner.clone();
    let resp = suite.exec(&owner, ExecuteMsg::Reset { value: 42 }).unwrap();
    assert_eq!(wasm_attr(&resp, "action").as_deref(), Some("reset"));
    assert_eq!(
        suite.count(),
        CountResponse {
            count: 42,
            last_incremented_by: None
        }
    );
}

#[test]
fn unauthorized_reset_leaves_state_unchanged() {
    let mut suite = setup(Some("alice"), 0);
    let bob = suite.user("bob");
    suite.exec(&bob, ExecuteMsg::Increment { by: 9 }).unwrap();
    let before = suite.count();
    // Neither a random user nor the creator (who is not the owner here) may reset.
    for sender in [bob, suite.app.api().addr_make("creator")] {
        let err = suite.exec(&sender, ExecuteMsg::Reset { value: 0 }).unwrap_err();
        assert_eq!(
            err,
            ContractError::Unauthorized {
                action: "reset".to_string()
            }
        );
        assert_eq!(suite.count(), before);
    }
}

#[test]
fn update_owner_transfers_control() {
    let mut suite = setup(None, 0);
    let old_owner = suite.owner.clone();
    let dave = suite.user("dave");

    let err = suite
        .exec(
            &dave,
            ExecuteMsg::UpdateOwner {
                owner: dave.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::Unauthorized {
            action: "update the owner".to_string()
        }
    );
    assert_eq!(suite.owner(), old_owner);

    suite
        .exec(
            &old_owner,
            ExecuteMsg::UpdateOwner {
                owner: dave.to_string(),
            },
        )
        .unwrap();
    assert_eq!(suite.owner(), dave);
    // The previous owner lost the right to reset; the new one has it.
    assert!(matches!(
        suite.exec(&old_owner, ExecuteMsg::Reset { value: 1 }),
        Err(ContractError::Unauthorized { .. })
    ));
    suite.exec(&dave, ExecuteMsg::Reset { value: 1 }).unwrap();
    assert_eq!(suite.count().count, 1);
}

#[test]
fn migrate_same_contract_succeeds_and_keeps_state() {
    let mut suite = setup(None, 5);
    let new_code = store_probe(&mut suite.app);
    assert_ne!(new_code, suite.code_id);
    suite
        .app
        .migrate_contract(suite.admin.clone(), suite.contract.clone(), &MigrateMsg {}, new_code)
        .unwrap();
    assert_eq!(suite.count().count, 5);
}

// A stand-in for some other contract: records a chosen cw2 name/version at instantiate.
const IMPOSTOR_NAME: &str = "crates.io:some-other-contract";
const FUTURE_VERSION: &str = "999.0.0";

fn impostor_instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: cw2::ContractVersion,
) -> StdResult<Response> {
    cw2::set_contract_version(deps.storage, msg.contract, msg.version)?;
    Ok(Response::new())
}

fn impostor_execute(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

fn impostor_query(_: Deps, _: Env, _: Empty) -> StdResult<cosmwasm_std::Binary> {
    Ok(cosmwasm_std::Binary::default())
}

/// Instantiates an impostor with the given cw2 info, then migrates it to the probe's code.
fn migrate_from_impostor(contract: &str, version: &str) -> (App, Addr, Result<AppResponse, ContractError>) {
    let mut app = App::default();
    let admin = app.api().addr_make("admin");
    let impostor_code = app.store_code(Box::new(ContractWrapper::new(
        impostor_execute,
        impostor_instantiate,
        impostor_query,
    )));
    let probe_code = store_probe(&mut app);
    let addr = app
        .instantiate_contract(
            impostor_code,
            admin.clone(),
            &cw2::ContractVersion {
                contract: contract.to_string(),
                version: version.to_string(),
            },
            &[],
            "impostor",
            Some(admin.to_string()),
        )
        .unwrap();
    let result = app
        .migrate_contract(admin, addr.clone(), &MigrateMsg {}, probe_code)
        .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"));
    (app, addr, result)
}

#[test]
fn migrate_rejects_wrong_contract_name() {
    let (app, addr, result) = migrate_from_impostor(IMPOSTOR_NAME, CONTRACT_VERSION);
    assert_eq!(
        result.unwrap_err(),
        ContractError::Migrate(MigrateError::WrongContract {
            expected: CONTRACT_NAME.to_string(),
            found: IMPOSTOR_NAME.to_string()
        })
    );
    // The failed migration rolled back: the cw2 record is still the impostor's.
    let info = cw2::query_contract_info(&app.wrap(), addr.to_string()).unwrap();
    assert_eq!(info.contract, IMPOSTOR_NAME);
}

#[test]
fn migrate_rejects_downgrade() {
    let (app, addr, result) = migrate_from_impostor(CONTRACT_NAME, FUTURE_VERSION);
    assert_eq!(
        result.unwrap_err(),
        ContractError::Migrate(MigrateError::Downgrade {
            stored: FUTURE_VERSION.to_string(),
            new: CONTRACT_VERSION.to_string()
        })
    );
    let info = cw2::query_contract_info(&app.wrap(), addr.to_string()).unwrap();
    assert_eq!(info.version, FUTURE_VERSION);
}

#[test]
fn migrate_from_older_version_updates_cw2() {
    let (app, addr, result) = migrate_from_impostor(CONTRACT_NAME, "0.0.1");
    let resp = result.unwrap();
    assert_eq!(wasm_attr(&resp, "from_version").as_deref(), Some("0.0.1"));
    let info = cw2::query_contract_info(&app.wrap(), addr.to_string()).unwrap();
    assert_eq!(info.version, CONTRACT_VERSION);
}
