use cosmwasm_std::{to_json_binary, Addr, Empty};
use cw721::msg::{
    ApprovalsResponse, CollectionInfoAndExtensionResponse, MinterResponse, OperatorsResponse, TokensResponse,
};
use cw_multi_test::{ContractWrapper, Executor};
use cw_ownable::Ownership;
use device_registry::msg::{DeviceStatus, ExecuteMsg, QueryMsg};
use device_registry::ContractError;

use crate::suite::{attr, receiver_execute, receiver_instantiate, receiver_query, DeviceKey, Suite};

fn transfer(s: &mut Suite, sender: &Addr, id: u64, to: &Addr) -> Result<cw_multi_test::AppResponse, ContractError> {
    s.exec(
        sender,
        &ExecuteMsg::TransferNft {
            recipient: to.to_string(),
            token_id: id.to_string(),
        },
    )
}

#[test]
fn transfer_updates_owner_of_and_devices_by_owner() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let bob = s.addr("bob");
    let a = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);
    let b = s.activated_device(&DeviceKey::secp256k1(2), "B", &alice);
    assert_eq!(s.devices_by_owner(&alice, None, None), vec![a, b]);

    let res = transfer(&mut s, &alice, a, &bob).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("transfer_nft"));
    assert_eq!(attr(&res, "recipient"), Some(bob.to_string()));
    assert_eq!(attr(&res, "device_id").as_deref(), Some("1"));
    assert_eq!(attr(&res, "previous_owner"), Some(alice.to_string()));

    assert_eq!(s.owner_of(a), bob.to_string());
    assert_eq!(s.device(a).owner, Some(bob.clone()));
    assert_eq!(s.devices_by_owner(&alice, None, None), vec![b]);
    assert_eq!(s.devices_by_owner(&bob, None, None), vec![a]);
    let tokens: TokensResponse = s
        .query(&QueryMsg::Tokens {
            owner: bob.to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(tokens.tokens, vec!["1".to_string()]);
    // Status is unaffected by transfers.
    assert_eq!(s.device(a).status, DeviceStatus::Active);
}

#[test]
fn transfer_by_non_owner_is_refused() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let mallory = s.addr("mallory");
    let id = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);

    let err = transfer(&mut s, &mallory, id, &mallory).unwrap_err();
    assert_eq!(
        err,
        ContractError::Cw721(cw721::error::Cw721ContractError::Ownership(
            cw_ownable::OwnershipError::NotOwner
        ))
    );
    // The admin has no power over NFTs either.
    let admin = s.admin.clone();
    assert!(transfer(&mut s, &admin, id, &admin).is_err());
    assert_eq!(s.owner_of(id), alice.to_string());
    assert!(s.devices_by_owner(&mallory, None, None).is_empty());

    // A never-activated device has no token to transfer.
    let unminted = s.register_one(&DeviceKey::ed25519(2), "B");
    assert!(transfer(&mut s, &alice, unminted, &mallory).is_err());
}

#[test]
fn approvals_and_operators_work_through_cw721() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let spender = s.addr("spender");
    let operator = s.addr("operator");
    let carol = s.addr("carol");
    let a = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);
    let b = s.activated_device(&DeviceKey::ed25519(2), "B", &alice);

    s.exec(
        &alice,
        &ExecuteMsg::Approve {
            spender: spender.to_string(),
            token_id: a.to_string(),
            expires: None,
        },
    )
    .unwrap();
    let approvals: ApprovalsResponse = s
        .query(&QueryMsg::Approvals {
            token_id: a.to_string(),
            include_expired: None,
        })
        .unwrap();
    assert_eq!(approvals.approvals.len(), 1);
    // The spender may move token a but not token b.
    assert!(transfer(&mut s, &spender, b, &carol).is_err());
    transfer(&mut s, &spender, a, &carol).unwrap();
    assert_eq!(s.owner_of(a), carol.to_string());
    // Approvals are cleared by the transfer.
    let approvals: ApprovalsResponse = s
        .query(&QueryMsg::Approvals {
            token_id: a.to_string(),
            include_expired: None,
        })
        .unwrap();
    assert!(approvals.approvals.is_empty());

    s.exec(
        &alice,
        &ExecuteMsg::ApproveAll {
            operator: operator.to_string(),
            expires: None,
        },
    )
    .unwrap();
    let ops: OperatorsResponse = s
        .query(&QueryMsg::AllOperators {
            owner: alice.to_string(),
            include_expired: None,
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(ops.operators.len(), 1);
    transfer(&mut s, &operator, b, &carol).unwrap();
    assert_eq!(s.devices_by_owner(&carol, None, None), vec![a, b]);

    s.exec(
        &alice,
        &ExecuteMsg::RevokeAll {
            operator: operator.to_string(),
        },
    )
    .unwrap();
    assert!(s
        .query::<cw721::msg::OperatorResponse>(&QueryMsg::Operator {
            owner: alice.to_string(),
            operator: operator.to_string(),
            include_expired: None,
        })
        .is_err());

    // Revoke of a single-token approval.
    s.exec(
        &carol,
        &ExecuteMsg::Approve {
            spender: spender.to_string(),
            token_id: a.to_string(),
            expires: None,
        },
    )
    .unwrap();
    s.exec(
        &carol,
        &ExecuteMsg::Revoke {
            spender: spender.to_string(),
            token_id: a.to_string(),
        },
    )
    .unwrap();
    assert!(transfer(&mut s, &spender, a, &spender).is_err());
}

#[test]
fn banned_devices_stay_transferable() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let alice = s.addr("alice");
    let bob = s.addr("bob");
    let id = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);
    s.set_status(&admin, id, DeviceStatus::Banned).unwrap();
    transfer(&mut s, &alice, id, &bob).unwrap();
    let d = s.device(id);
    assert_eq!(d.owner, Some(bob));
    assert_eq!(d.status, DeviceStatus::Banned);
}

#[test]
fn send_nft_to_a_contract() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let id = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);
    let code = s.app.store_code(Box::new(ContractWrapper::new(
        receiver_execute,
        receiver_instantiate,
        receiver_query,
    )));
    let receiver = s
        .app
        .instantiate_contract(code, alice.clone(), &Empty {}, &[], "receiver", None)
        .unwrap();
    let res = s
        .exec(
            &alice,
            &ExecuteMsg::SendNft {
                contract: receiver.to_string(),
                token_id: id.to_string(),
                msg: to_json_binary(&"stake").unwrap(),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "previous_owner"), Some(alice.to_string()));
    assert_eq!(attr(&res, "received_token_id"), Some(id.to_string()));
    assert_eq!(s.owner_of(id), receiver.to_string());
    assert_eq!(s.devices_by_owner(&receiver, None, None), vec![id]);
}

#[test]
fn devices_by_owner_paginates() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let ids: Vec<u64> = (1..=12u8)
        .map(|i| s.activated_device(&DeviceKey::ed25519(i), &format!("CODE-{i}"), &alice))
        .collect();
    assert_eq!(ids, (1..=12).collect::<Vec<_>>());
    // cw721 token-id order: decimal strings ("1", "10", "11", "12", "2", ...).
    let first = s.devices_by_owner(&alice, None, None);
    assert_eq!(first, vec![1, 10, 11, 12, 2, 3, 4, 5, 6, 7]);
    let rest = s.devices_by_owner(&alice, Some(7), None);
    assert_eq!(rest, vec![8, 9]);
    assert_eq!(s.devices_by_owner(&alice, Some(1), Some(2)), vec![10, 11]);
    assert_eq!(s.devices_by_owner(&alice, None, Some(500)).len(), 12);
}

#[test]
fn cw721_collection_queries() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let id = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);

    let info: CollectionInfoAndExtensionResponse<Option<Empty>> = s.query(&QueryMsg::ContractInfo {}).unwrap();
    assert_eq!(info.name, "Edgemint Devices");
    assert_eq!(info.symbol, "EMDEV");
    let info2: CollectionInfoAndExtensionResponse<Option<Empty>> =
        s.query(&QueryMsg::GetCollectionInfoAndExtension {}).unwrap();
    assert_eq!(info, info2);

    // Only the registry mints.
    let minter: MinterResponse = s.query(&QueryMsg::Minter {}).unwrap();
    assert_eq!(minter.minter, Some(s.contract.to_string()));
    let minter: Ownership<Addr> = s.query(&QueryMsg::GetMinterOwnership {}).unwrap();
    assert_eq!(minter.owner, Some(s.contract.clone()));

    let all: TokensResponse = s
        .query(&QueryMsg::AllTokens {
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(all.tokens, vec![id.to_string()]);
    let all: cw721::msg::AllNftInfoResponse<Option<Empty>> = s
        .query(&QueryMsg::AllNftInfo {
            token_id: id.to_string(),
            include_expired: None,
        })
        .unwrap();
    assert_eq!(all.access.owner, alice.to_string());
    assert_eq!(all.info.token_uri.as_deref(), Some("ipfs://bafy/A.json"));
    let approval = s.query::<cw721::msg::ApprovalResponse>(&QueryMsg::Approval {
        token_id: id.to_string(),
        spender: alice.to_string(),
        include_expired: None,
    });
    assert!(approval.is_ok(), "the owner has implicit approval");
}

#[test]
fn no_public_mint_or_burn() {
    type Cw721Exec = cw721::msg::Cw721ExecuteMsg<Option<Empty>, Option<Empty>, Empty>;
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let alice = s.addr("alice");
    let id = s.activated_device(&DeviceKey::ed25519(1), "A", &alice);

    // A standard cw721 client's Mint / Burn / UpdateMinterOwnership are not part of the registry's interface.
    let foreign = [
        (
            admin.clone(),
            Cw721Exec::Mint {
                token_id: "99".to_string(),
                owner: admin.to_string(),
                token_uri: None,
                extension: None,
            },
        ),
        (
            alice.clone(),
            Cw721Exec::Burn {
                token_id: id.to_string(),
            },
        ),
        (
            admin.clone(),
            Cw721Exec::UpdateMinterOwnership(cw_ownable::Action::TransferOwnership {
                new_owner: admin.to_string(),
                expiry: None,
            }),
        ),
    ];
    for (sender, msg) in foreign {
        let err = s
            .app
            .execute_contract(sender, s.contract.clone(), &msg, &[])
            .unwrap_err();
        assert!(err.root_cause().to_string().contains("unknown variant"), "{err:?}");
    }
    assert_eq!(s.owner_of(id), alice.to_string());
    let n: cw721::msg::NumTokensResponse = s.query(&QueryMsg::NumTokens {}).unwrap();
    assert_eq!(n.count, 1);
}
