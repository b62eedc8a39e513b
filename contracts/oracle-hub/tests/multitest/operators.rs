//! The operator set, bonds, unbonding and claims.

use cosmwasm_std::{coin, coins, Binary, Uint128};
use cw_utils::PaymentError;
use oracle_hub::msg::{ExecuteMsg, OperatorsResponse, QueryMsg};
use oracle_hub::ContractError;

use crate::suite::*;

fn add(address: &str, pubkey: Binary) -> ExecuteMsg {
    ExecuteMsg::AddOperator {
        address: address.to_string(),
        pubkey,
    }
}

#[test]
fn add_operator_admin_only_and_validated() {
    let mut s = Suite::new(1);
    let admin = s.admin.clone();
    let op1 = s.op(0);
    let newcomer = s.addr("op9").to_string();
    let key = OperatorKey::new(9).pubkey();

    assert_eq!(
        s.exec(&op1, &add(&newcomer, key.clone())).unwrap_err(),
        ContractError::Unauthorized {
            action: "add operators".to_string(),
            allowed: "the admin".to_string()
        }
    );
    // wrong length, uncompressed prefix
    assert!(matches!(
        s.exec(&admin, &add(&newcomer, Binary::from(vec![2u8; 32])))
            .unwrap_err(),
        ContractError::InvalidPubkey { .. }
    ));
    let mut uncompressed_prefix = key.to_vec();
    uncompressed_prefix[0] = 0x04;
    assert!(matches!(
        s.exec(&admin, &add(&newcomer, Binary::from(uncompressed_prefix)))
            .unwrap_err(),
        ContractError::InvalidPubkey { .. }
    ));
    // op1's key for another address
    let op1_key = s.ops[0].1.pubkey();
    assert_eq!(
        s.exec(&admin, &add(&newcomer, op1_key)).unwrap_err(),
        ContractError::PubkeyInUse {
            operator: op1.to_string()
        }
    );
    // already listed
    assert_eq!(
        s.exec(&admin, &add(op1.as_str(), OperatorKey::new(10).pubkey()))
            .unwrap_err(),
        ContractError::OperatorAlreadyListed {
            address: op1.to_string()
        }
    );
    let res = s.exec(&admin, &add(&newcomer, key.clone())).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("add_operator"));
    let op = s.operator(&s.addr("op9"));
    assert!(op.listed && !op.active, "listed, not bonded yet");
    assert_eq!(op.pubkey, key);
    assert_eq!(s.config().listed_operators, 2);
    assert_eq!(s.config().active_operators, 1);
}

#[test]
fn at_most_fifty_operators() {
    let mut s = Suite::new(0);
    for i in 0..50 {
        s.add_bonded_operator(i, 0);
    }
    assert_eq!(s.config().listed_operators, 50);
    let admin = s.admin.clone();
    let extra = s.addr("op51").to_string();
    assert_eq!(
        s.exec(&admin, &add(&extra, OperatorKey::new(51).pubkey())).unwrap_err(),
        ContractError::TooManyOperators { max: 50 }
    );
    // removing one frees a slot
    let op1 = s.op(0).to_string();
    s.exec(&admin, &ExecuteMsg::RemoveOperator { address: op1 }).unwrap();
    s.exec(&admin, &add(&extra, OperatorKey::new(51).pubkey())).unwrap();
    // every operator bonded and the quorum snapshot over 50 operators works (bounded loop)
    let page: OperatorsResponse = s
        .query(&QueryMsg::Operators {
            start_after: None,
            limit: Some(100),
        })
        .unwrap();
    assert_eq!(page.operators.len(), 50, "the page limit is 50");
}

#[test]
fn fifty_operators_reach_quorum() {
    let mut s = Suite::new(50);
    assert_eq!(s.config().active_operators, 50);
    let f = fields(0, 3, 3);
    s.end_epoch(0);
    // threshold ceil(2/3 × 50) = 34
    for i in 0..33 {
        s.report(i, &f).unwrap();
    }
    assert_eq!(s.reports(0).threshold, 34);
    assert_eq!(s.epoch(0).status, oracle_hub::msg::EpochStatus::Reported);
    s.report(33, &f).unwrap();
    assert_eq!(s.epoch(0).status, oracle_hub::msg::EpochStatus::Accepted);
    assert_eq!(s.epoch(0).reporters.len(), 34);
}

#[test]
fn bond_requires_a_listed_operator_and_the_denom() {
    let mut s = Suite::new(1);
    let stranger = s.addr("stranger");
    assert_eq!(
        s.exec_funds(&stranger, &ExecuteMsg::Bond {}, &coins(MIN_BOND, DENOM))
            .unwrap_err(),
        ContractError::NotListed {
            address: stranger.to_string()
        }
    );
    let op1 = s.op(0);
    assert_eq!(
        s.exec(&op1, &ExecuteMsg::Bond {}).unwrap_err(),
        ContractError::Payment(PaymentError::NoFunds {})
    );
    let res = s.exec_funds(&op1, &ExecuteMsg::Bond {}, &coins(5, DENOM)).unwrap();
    assert_eq!(attr(&res, "bonded"), Some((MIN_BOND + 5).to_string()));
    assert_eq!(s.operator(&op1).bonded, Uint128::new(MIN_BOND + 5));
    // other messages refuse funds
    assert_eq!(
        s.exec_funds(&op1, &ExecuteMsg::ClaimBond {}, &[coin(1, DENOM)])
            .unwrap_err(),
        ContractError::Payment(PaymentError::NonPayable {})
    );
    s.assert_balance_invariant();
}

#[test]
fn unbond_and_claim() {
    let mut s = Suite::new(1);
    let op1 = s.op(0);
    let before = s.balance(&op1);
    assert_eq!(
        s.exec(
            &op1,
            &ExecuteMsg::Unbond {
                amount: Uint128::zero()
            }
        )
        .unwrap_err(),
        ContractError::ZeroAmount {}
    );
    assert_eq!(
        s.exec(
            &op1,
            &ExecuteMsg::Unbond {
                amount: Uint128::new(MIN_BOND + 1)
            }
        )
        .unwrap_err(),
        ContractError::InsufficientBonded {
            bonded: Uint128::new(MIN_BOND),
            requested: Uint128::new(MIN_BOND + 1)
        }
    );
    let res = s
        .exec(
            &op1,
            &ExecuteMsg::Unbond {
                amount: Uint128::new(400),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "active").as_deref(), Some("false"));
    let op = s.operator(&op1);
    assert_eq!((op.bonded.u128(), op.unbonding.u128()), (MIN_BOND - 400, 400));
    assert!(!op.active);
    assert_eq!(op.unbonding_entries[0].release_at, s.now().plus_seconds(UNBONDING));
    assert_eq!(
        s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap_err(),
        ContractError::NothingToClaim {}
    );
    s.advance(UNBONDING - 1);
    assert_eq!(
        s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap_err(),
        ContractError::NothingToClaim {}
    );
    s.advance(1);
    let res = s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap();
    assert_eq!(attr(&res, "amount").as_deref(), Some("400"));
    assert_eq!(s.balance(&op1), before + 400);
    assert_eq!(
        s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap_err(),
        ContractError::NothingToClaim {}
    );
    s.assert_balance_invariant();
}

#[test]
fn at_most_seven_unbonding_entries() {
    let mut s = Suite::new(1);
    let op1 = s.op(0);
    for _ in 0..7 {
        s.exec(
            &op1,
            &ExecuteMsg::Unbond {
                amount: Uint128::new(1),
            },
        )
        .unwrap();
    }
    assert_eq!(
        s.exec(
            &op1,
            &ExecuteMsg::Unbond {
                amount: Uint128::new(1)
            }
        )
        .unwrap_err(),
        ContractError::TooManyUnbondingEntries { max: 7 }
    );
    s.advance(UNBONDING);
    s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap();
    s.exec(
        &op1,
        &ExecuteMsg::Unbond {
            amount: Uint128::new(1),
        },
    )
    .unwrap();
    s.assert_balance_invariant();
}

#[test]
fn removed_operator_keeps_its_bond_and_can_exit_or_come_back() {
    let mut s = Suite::new(2);
    let admin = s.admin.clone();
    let op1 = s.op(0);
    assert!(matches!(
        s.exec(
            &op1,
            &ExecuteMsg::RemoveOperator {
                address: op1.to_string()
            }
        )
        .unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    s.exec(
        &admin,
        &ExecuteMsg::RemoveOperator {
            address: op1.to_string(),
        },
    )
    .unwrap();
    assert_eq!(
        s.exec(
            &admin,
            &ExecuteMsg::RemoveOperator {
                address: op1.to_string()
            }
        )
        .unwrap_err(),
        ContractError::NotListed {
            address: op1.to_string()
        }
    );
    let op = s.operator(&op1);
    assert!(!op.listed && !op.active);
    assert_eq!(op.removed_at, Some(s.now()));
    assert_eq!(op.bonded, Uint128::new(MIN_BOND));
    assert_eq!((s.config().listed_operators, s.config().active_operators), (1, 1));
    // cannot add to the bond while removed
    assert!(matches!(
        s.exec_funds(&op1, &ExecuteMsg::Bond {}, &coins(1, DENOM)).unwrap_err(),
        ContractError::NotListed { .. }
    ));
    // re-added (with a new key): the remaining bond makes it active again
    let new_key = OperatorKey::new(77);
    s.exec(&admin, &add(op1.as_str(), new_key.pubkey())).unwrap();
    let op = s.operator(&op1);
    assert!(op.listed && op.active);
    assert_eq!(op.pubkey, new_key.pubkey());
    // removed again; it can still unbond everything and claim it
    s.exec(
        &admin,
        &ExecuteMsg::RemoveOperator {
            address: op1.to_string(),
        },
    )
    .unwrap();
    s.exec(
        &op1,
        &ExecuteMsg::Unbond {
            amount: Uint128::new(MIN_BOND),
        },
    )
    .unwrap();
    s.advance(UNBONDING);
    let before = s.balance(&op1);
    s.exec(&op1, &ExecuteMsg::ClaimBond {}).unwrap();
    assert_eq!(s.balance(&op1), before + MIN_BOND);
    s.assert_balance_invariant();
}

#[test]
fn operators_query_paginates() {
    let s = Suite::new(5);
    let page1: OperatorsResponse = s
        .query(&QueryMsg::Operators {
            start_after: None,
            limit: Some(2),
        })
        .unwrap();
    assert_eq!(page1.operators.len(), 2);
    let page2: OperatorsResponse = s
        .query(&QueryMsg::Operators {
            start_after: Some(page1.operators[1].address.to_string()),
            limit: None,
        })
        .unwrap();
    assert_eq!(page2.operators.len(), 3);
    let mut all: Vec<_> = page1
        .operators
        .iter()
        .chain(&page2.operators)
        .map(|o| o.address.clone())
        .collect();
    let mut expected: Vec<_> = (0..5).map(|i| s.op(i)).collect();
    all.sort();
    expected.sort();
    assert_eq!(all, expected);
    assert!(s
        .query::<oracle_hub::msg::OperatorResponse>(&QueryMsg::Operator {
            address: s.addr("nobody").to_string()
        })
        .is_err());
}
