//! `ClaimAndSend`: claim one leaf and send it over ICS-20. In the app, the IBC module escrows the coins and records
//! the transfer (the real relay is covered by the IBC issue's e2e); a direct call checks the exact message.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    coin, coins, from_json, to_json_binary, to_json_string, Addr, Attribute, BankMsg, ContractResult, CosmosMsg,
    Decimal, Env, HexBinary, IbcAckCallbackMsg, IbcAcknowledgement, IbcEndpoint, IbcMsg, IbcPacket,
    IbcSourceCallbackMsg, IbcTimeout, IbcTimeoutCallbackMsg, OwnedDeps, SystemError, SystemResult, Timestamp, Uint128,
    WasmQuery,
};
use edgemint_types::oracle::{EpochResponse, EpochStatus, HubQueryMsg};
use edgemint_types::registry::{DeviceResponse, DeviceStatus, KeyType, RegistryQueryMsg};
use rewards::contract::{execute, instantiate, query};
use rewards::ibc::ibc_source_callback;
use rewards::msg::{ClaimItem, ExecuteMsg, IbcTransferResponse, InstantiateMsg, PoolResponse, QueryMsg};
use rewards::ContractError;

use cw_multi_test::Executor;

use crate::suite::{attr, default_schedule, IbcRecorder, RewardTree, Suite, DENOM, EMC};

fn send(claim: ClaimItem, channel: &str, receiver: &str, timeout: Option<u64>) -> ExecuteMsg {
    ExecuteMsg::ClaimAndSend {
        claim,
        channel_id: channel.to_string(),
        receiver: receiver.to_string(),
        timeout_seconds: timeout,
    }
}

fn setup() -> (Suite, RewardTree) {
    let mut s = Suite::new();
    let t = RewardTree::new(1, &[(1, &s.addr("alice"), 100 * EMC), (2, &s.addr("bob"), 40 * EMC)]);
    s.finalize(&t, &[]);
    (s, t)
}

#[test]
fn claim_and_send_transfers_the_amount_over_ibc() {
    let (mut s, t) = setup();
    let alice = s.addr("alice");
    let pool_before = s.pool();
    let res = s
        .exec(&alice, &send(t.item(1), "channel-0", "osmo1receiver", None), &[])
        .unwrap();
    assert_eq!(attr(&res, "wasm", "action").as_deref(), Some("claim_and_send"));
    assert_eq!(attr(&res, "ibc_transfer", "channel_id").as_deref(), Some("channel-0"));
    assert_eq!(attr(&res, "ibc_transfer", "receiver").as_deref(), Some("osmo1receiver"));
    assert_eq!(
        attr(&res, "ibc_transfer", "amount").unwrap(),
        format!("{}{DENOM}", 100 * EMC)
    );
    let expected_timeout = s.now().plus_seconds(600).seconds().to_string();
    assert_eq!(attr(&res, "ibc_transfer", "timeout"), Some(expected_timeout.clone()));
    assert_eq!(attr(&res, "wasm", "timeout"), Some(expected_timeout));
    assert_eq!(attr(&res, "ibc_transfer", "sender").unwrap(), s.rewards.to_string());
    assert_eq!(
        attr(&res, "ibc_transfer", "memo").unwrap(),
        format!(
            r#"{{"src_callback":{{"address":"{}"}},"edgemint_claim":{{"epoch":1,"device_id":1}}}}"#,
            s.rewards
        )
    );
    let pending: IbcTransferResponse = s.q(&QueryMsg::IbcTransfer { epoch: 1, device_id: 1 });
    let pending = pending.pending.expect("pending transfer");
    assert_eq!((pending.owner, pending.amount.u128()), (alice.clone(), 100 * EMC));
    assert_eq!(pending.channel_id, "channel-0");

    // the coins left the contract into the ICS-20 escrow, not to alice here
    assert_eq!(s.balance(&IbcRecorder::escrow()), 100 * EMC);
    assert_eq!(s.balance(&alice), 0);
    assert!(s.claimed(1, 1).claimed);
    assert_eq!(s.pool().pool_total.u128(), pool_before.pool_total.u128() - 100 * EMC);
    s.assert_books();

    assert_eq!(s.pool().ibc_pending.u128(), 100 * EMC);

    // a refund that arrives without its callback (e.g. middleware missing) is not swept into the pool by Sync
    let escrow = IbcRecorder::escrow();
    let rewards = s.rewards.clone();
    s.app
        .execute(
            escrow,
            BankMsg::Send {
                to_address: rewards.to_string(),
                amount: coins(100 * EMC, DENOM),
            }
            .into(),
        )
        .unwrap();
    let anyone = s.addr("anyone");
    assert!(matches!(
        s.exec(&anyone, &ExecuteMsg::Sync {}, &[]).unwrap_err(),
        ContractError::NothingToSync { .. }
    ));
    let treasury = s.treasury.clone();
    s.app
        .execute(
            treasury,
            BankMsg::Send {
                to_address: rewards.to_string(),
                amount: coins(5 * EMC, DENOM),
            }
            .into(),
        )
        .unwrap();
    let res = s.exec(&anyone, &ExecuteMsg::Sync {}, &[]).unwrap();
    assert_eq!(attr(&res, "wasm", "amount").unwrap(), (5 * EMC).to_string());
    let p = s.pool();
    assert_eq!(p.balance.u128(), p.pool_total.u128() + 100 * EMC);

    // once claimed, neither route pays again
    assert_eq!(
        s.exec(&alice, &send(t.item(1), "channel-0", "osmo1receiver", None), &[])
            .unwrap_err(),
        ContractError::AlreadyClaimed {
            index: 0,
            epoch: 1,
            device_id: 1
        }
    );
    assert!(matches!(
        s.claim(&alice, vec![t.item(1)]).unwrap_err(),
        ContractError::AlreadyClaimed { .. }
    ));
}

#[test]
fn only_the_owner_may_send_its_leaf_away() {
    let (mut s, t) = setup();
    let bob = s.addr("bob");
    assert!(matches!(
        s.exec(&bob, &send(t.item(1), "channel-0", "osmo1bob", None), &[])
            .unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    // forging the owner to match the sender fails the proof
    let mut item = t.item(1);
    item.owner = bob.to_string();
    assert_eq!(
        s.exec(&bob, &send(item, "channel-0", "osmo1bob", None), &[])
            .unwrap_err(),
        ContractError::InvalidProof {
            index: 0,
            epoch: 1,
            device_id: 1
        }
    );
    assert!(!s.claimed(1, 1).claimed);
    assert_eq!(s.balance(&IbcRecorder::escrow()), 0);
}

#[test]
fn claim_and_send_validates_its_arguments() {
    let (mut s, t) = setup();
    let alice = s.addr("alice");
    for channel in ["", "chan", "channel 0", "channel-0/x"] {
        assert_eq!(
            s.exec(&alice, &send(t.item(1), channel, "osmo1x", None), &[])
                .unwrap_err(),
            ContractError::InvalidChannel {
                channel_id: channel.to_string()
            }
        );
    }
    for receiver in ["", "osmo1 x", &"a".repeat(257)] {
        assert!(matches!(
            s.exec(&alice, &send(t.item(1), "channel-0", receiver, None), &[])
                .unwrap_err(),
            ContractError::InvalidReceiver { .. }
        ));
    }
    for timeout in [0, 7 * 24 * 3600 + 1] {
        assert!(matches!(
            s.exec(&alice, &send(t.item(1), "channel-0", "osmo1x", Some(timeout)), &[])
                .unwrap_err(),
            ContractError::InvalidTimeout { .. }
        ));
    }
    // same checks as Claim: the epoch must be final
    let t2 = RewardTree::new(2, &[(1, &alice, EMC)]);
    s.hub_epoch(2, EpochStatus::Accepted, Some(&t2), &[]);
    s.reserve(2, t2.total).unwrap();
    assert!(matches!(
        s.exec(&alice, &send(t2.item(1), "channel-0", "osmo1x", None), &[])
            .unwrap_err(),
        ContractError::EpochNotFinal { .. }
    ));
    assert!(!s.claimed(1, 1).claimed);
    // the maximum timeout is fine
    s.exec(
        &alice,
        &send(t.item(1), "channel-0", "osmo1x", Some(7 * 24 * 3600)),
        &[],
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// Direct calls with mock dependencies: the exact ICS-20 message, and the source callback that settles or refunds it.

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

struct Direct {
    deps: Deps,
    env: Env,
    alice: Addr,
    bob: Addr,
    tree: RewardTree,
}

/// Rewards contract instantiated on mock deps; the hub says epoch 4 is final with `tree`'s root; every device is
/// active. Epoch 4 is reserved. Alice owns devices 1 (100 EMC) and 3 (7 EMC), bob device 2 (5 EMC).
fn direct() -> Direct {
    let mut deps = mock_dependencies();
    let env = mock_env();
    let hub = deps.api.addr_make("hub");
    let registry = deps.api.addr_make("registry");
    let alice = deps.api.addr_make("alice");
    let bob = deps.api.addr_make("bob");
    let tree = RewardTree::new(4, &[(1, &alice, 100 * EMC), (2, &bob, 5 * EMC), (3, &alice, 7 * EMC)]);
    let root = HexBinary::from(tree.tree.root().to_vec());
    let total = Uint128::new(tree.total);

    let (hub_s, registry_s, maker) = (hub.to_string(), registry.to_string(), hub.clone());
    deps.querier.update_wasm(move |q| {
        let bin = match q {
            WasmQuery::Smart { contract_addr, msg } if *contract_addr == hub_s => match from_json(msg).unwrap() {
                HubQueryMsg::Epoch { epoch } => to_json_binary(&EpochResponse {
                    epoch,
                    status: EpochStatus::Final,
                    start: Timestamp::from_seconds(0),
                    end: Timestamp::from_seconds(1),
                    root: Some(root.clone()),
                    total_amount: total,
                    device_count: 3,
                    accepted_at: None,
                    final_at: None,
                    reporters: vec![],
                }),
                HubQueryMsg::CurrentEpoch {} => unreachable!(),
            },
            WasmQuery::Smart { contract_addr, msg } if *contract_addr == registry_s => {
                let RegistryQueryMsg::Device { device_id } = from_json(msg).unwrap() else {
                    unreachable!()
                };
                to_json_binary(&DeviceResponse {
                    device_id,
                    token_id: device_id.to_string(),
                    maker: maker.clone(),
                    key_type: KeyType::Ed25519,
                    pubkey: vec![1u8; 32].into(),
                    code_hash: HexBinary::from(vec![0u8; 32]),
                    model: "m".to_string(),
                    metadata_uri: None,
                    status: DeviceStatus::Active,
                    owner: None,
                    activated_at: None,
                })
            }
            other => {
                return SystemResult::Err(SystemError::UnsupportedRequest {
                    kind: format!("{other:?}"),
                })
            }
        };
        SystemResult::Ok(ContractResult::Ok(bin.unwrap()))
    });
    deps.querier
        .bank
        .update_balance(&env.contract.address, coins(1_000 * EMC, DENOM));

    let treasury = deps.api.addr_make("treasury");
    let msg = InstantiateMsg {
        admin: None,
        hub: hub.to_string(),
        registry: registry.to_string(),
        denom: DENOM.to_string(),
        schedule: default_schedule(),
        operator_share: Decimal::percent(10),
        max_batch: None,
        claim_window: None,
    };
    instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&treasury, &coins(1_000 * EMC, DENOM)),
        msg,
    )
    .unwrap();
    for msg in [
        ExecuteMsg::ReserveBudget { epoch: 4 },
        ExecuteMsg::SettleEpoch {
            epoch: 4,
            total_amount: total,
        },
    ] {
        execute(deps.as_mut(), env.clone(), message_info(&hub, &[]), msg).unwrap();
    }
    Direct {
        deps,
        env,
        alice,
        bob,
        tree,
    }
}

impl Direct {
    fn send(&mut self, owner: &Addr, device_id: u64, channel: &str) -> cosmwasm_std::Response {
        let msg = send(self.tree.item(device_id), channel, "osmo1remote", Some(120));
        execute(self.deps.as_mut(), self.env.clone(), message_info(owner, &[]), msg).unwrap()
    }

    fn memo(&self, device_id: u64) -> String {
        format!(
            r#"{{"src_callback":{{"address":"{}"}},"edgemint_claim":{{"epoch":4,"device_id":{device_id}}}}}"#,
            self.env.contract.address
        )
    }

    /// The packet ibc-go would build for the transfer (ICS-20 `FungibleTokenPacketData`, JSON).
    fn packet(&self, sender: &str, amount: u128, channel: &str, memo: &str) -> IbcPacket {
        let data = format!(
            r#"{{"amount":"{amount}","denom":"{DENOM}","memo":{},"receiver":"osmo1remote","sender":"{sender}"}}"#,
            to_json_string(memo).unwrap()
        );
        IbcPacket::new(
            data.into_bytes(),
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: channel.to_string(),
            },
            IbcEndpoint {
                port_id: "transfer".to_string(),
                channel_id: "channel-99".to_string(),
            },
            1,
            IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
        )
    }

    fn our_packet(&self, device_id: u64, amount: u128) -> IbcPacket {
        let contract = self.env.contract.address.to_string();
        self.packet(&contract, amount, "channel-7", &self.memo(device_id))
    }

    fn callback(&mut self, msg: IbcSourceCallbackMsg) -> cosmwasm_std::IbcBasicResponse {
        ibc_source_callback(self.deps.as_mut(), self.env.clone(), msg).unwrap()
    }

    fn pool(&self) -> PoolResponse {
        from_json(query(self.deps.as_ref(), self.env.clone(), QueryMsg::Pool {}).unwrap()).unwrap()
    }

    fn pending(&self, device_id: u64) -> bool {
        let r: IbcTransferResponse = from_json(
            query(
                self.deps.as_ref(),
                self.env.clone(),
                QueryMsg::IbcTransfer { epoch: 4, device_id },
            )
            .unwrap(),
        )
        .unwrap();
        r.pending.is_some()
    }
}

fn timeout(packet: IbcPacket) -> IbcSourceCallbackMsg {
    IbcSourceCallbackMsg::Timeout(IbcTimeoutCallbackMsg::new(packet, Addr::unchecked("relayer")))
}

fn ack(packet: IbcPacket, ack: &str) -> IbcSourceCallbackMsg {
    IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
        IbcAcknowledgement::new(ack.as_bytes().to_vec()),
        packet,
        Addr::unchecked("relayer"),
    ))
}

fn result_of(res: &cosmwasm_std::IbcBasicResponse) -> String {
    res.attributes
        .iter()
        .find(|a: &&Attribute| a.key == "result")
        .map(|a| a.value.clone())
        .unwrap_or_default()
}

#[test]
fn claim_and_send_emits_the_ics20_transfer_with_a_source_callback() {
    let mut d = direct();
    let alice = d.alice.clone();
    let res = d.send(&alice, 1, "channel-7");
    assert_eq!(res.messages.len(), 1);
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Ibc(IbcMsg::Transfer {
            channel_id: "channel-7".to_string(),
            to_address: "osmo1remote".to_string(),
            amount: coin(100 * EMC, DENOM),
            timeout: IbcTimeout::with_timestamp(d.env.block.time.plus_seconds(120)),
            memo: Some(d.memo(1)),
        })
    );
    assert!(d.pending(1));
    // and the claim is recorded
    let err = execute(
        d.deps.as_mut(),
        d.env.clone(),
        message_info(&alice, &[]),
        send(d.tree.item(1), "channel-7", "osmo1remote", None),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ContractError::AlreadyClaimed {
            index: 0,
            epoch: 4,
            device_id: 1
        }
    );
}

#[test]
fn timeout_and_error_ack_refund_the_owner_success_settles() {
    let mut d = direct();
    let (alice, bob) = (d.alice.clone(), d.bob.clone());
    d.send(&alice, 1, "channel-7");
    d.send(&bob, 2, "channel-7");
    d.send(&alice, 3, "channel-7");

    // timeout: ibc-go refunded the contract; the callback passes the coins on to the owner
    let res = d.callback(timeout(d.our_packet(1, 100 * EMC)));
    assert_eq!(result_of(&res), "refunded");
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: alice.to_string(),
            amount: coins(100 * EMC, DENOM),
        })
    );
    assert!(!d.pending(1));
    assert_eq!(d.pool().ibc_pending.u128(), 12 * EMC);
    // a second callback for the same packet does nothing
    let res = d.callback(timeout(d.our_packet(1, 100 * EMC)));
    assert_eq!(result_of(&res), "ignored");
    assert!(res.messages.is_empty());

    // success acknowledgement: settled, nothing sent
    let res = d.callback(ack(d.our_packet(2, 5 * EMC), r#"{"result":"AQ=="}"#));
    assert_eq!(result_of(&res), "settled");
    assert!(res.messages.is_empty());
    assert!(!d.pending(2));

    // error acknowledgement: refunded
    let res = d.callback(ack(
        d.our_packet(3, 7 * EMC),
        r#"{"error":"ABCI code: 1: error handling packet: see events for details"}"#,
    ));
    assert_eq!(result_of(&res), "refunded");
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: alice.to_string(),
            amount: coins(7 * EMC, DENOM),
        })
    );
    assert!(d.pool().ibc_pending.is_zero());
}

#[test]
fn foreign_or_mismatching_callbacks_are_ignored() {
    let mut d = direct();
    let alice = d.alice.clone();
    d.send(&alice, 1, "channel-7");
    let contract = d.env.contract.address.to_string();
    let mallory = d.deps.api.addr_make("mallory").to_string();
    let memo = d.memo(1);
    for packet in [
        d.packet(&mallory, 100 * EMC, "channel-7", &memo),  // not our packet
        d.packet(&contract, 99 * EMC, "channel-7", &memo),  // another amount
        d.packet(&contract, 100 * EMC, "channel-8", &memo), // another channel
        d.packet(&contract, 100 * EMC, "channel-7", "{}"),  // no claim reference
        d.packet(&contract, 100 * EMC, "channel-7", &d.memo(2)), // a claim that was not sent
    ] {
        let res = d.callback(timeout(packet));
        assert_eq!(result_of(&res), "ignored");
        assert!(res.messages.is_empty());
    }
    let res = d.callback(timeout(IbcPacket::new(
        b"not json".to_vec(),
        IbcEndpoint {
            port_id: "transfer".to_string(),
            channel_id: "channel-7".to_string(),
        },
        IbcEndpoint {
            port_id: "transfer".to_string(),
            channel_id: "channel-99".to_string(),
        },
        1,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
    )));
    assert_eq!(result_of(&res), "ignored");
    assert!(d.pending(1));
    // the genuine one still settles
    let res = d.callback(timeout(d.our_packet(1, 100 * EMC)));
    assert_eq!(result_of(&res), "refunded");
}

/// F1 (review): ibc-go v8's transfer module accepts the acknowledgement `{}` (no response: not an error) and refunds
/// nothing; the callback used to call it an error and pay the owner a second time out of the pool. Now only an
/// explicit ICS-20 error acknowledgement refunds: `{}` settles the transfer and the books hold.
#[test]
fn review_empty_object_ack_no_longer_pays_the_owner_twice() {
    let mut d = direct();
    let alice = d.alice.clone();
    let contract = d.env.contract.address.clone();
    d.send(&alice, 1, "channel-7");
    // the bank after the transfer: 100 EMC left the contract into the channel escrow
    d.deps.querier.bank.update_balance(&contract, coins(900 * EMC, DENOM));
    let before = d.pool();
    assert_eq!(before.pool_total.u128(), 900 * EMC);
    assert_eq!(before.balance.u128(), 900 * EMC);

    // a counterparty the attacker controls acks `{}`: a success for ibc-go, so a success here
    let res = d.callback(ack(d.our_packet(1, 100 * EMC), "{}"));
    assert_eq!(result_of(&res), "settled");
    assert!(res.messages.is_empty(), "nothing is paid out of the pool");
    assert!(!d.pending(1));
    let after = d.pool();
    assert_eq!(after.pool_total.u128(), 900 * EMC);
    assert_eq!(after.balance.u128(), 900 * EMC, "pool_total ≤ balance still holds");
    assert!(after.ibc_pending.is_zero());
}

/// Every acknowledgement ibc-go does not treat as an error counts as delivered; an explicit ICS-20 error
/// acknowledgement and a timeout refund the owner.
#[test]
fn only_an_error_ack_or_a_timeout_refunds() {
    let cases: [(&str, bool); 11] = [
        ("{}", false),
        (r#"{"result":""}"#, false),
        (r#"{"result":"AQ=="}"#, false),
        (r#"{"result":null}"#, false),
        ("not json at all", false),
        ("", false),
        ("[]", false),
        (r#"{"error":null}"#, false),
        (r#"{"error":"x","result":"AQ=="}"#, false), // not an ICS-20 acknowledgement ibc-go would decode
        (r#"{"error":"x"}"#, true),
        (r#"{"error":""}"#, true),
    ];
    for (data, refunds) in cases {
        let mut d = direct();
        let alice = d.alice.clone();
        d.send(&alice, 1, "channel-7");
        let res = d.callback(ack(d.our_packet(1, 100 * EMC), data));
        assert!(!d.pending(1), "{data}: settled either way");
        assert!(d.pool().ibc_pending.is_zero());
        if refunds {
            assert_eq!(result_of(&res), "refunded", "{data}");
            assert_eq!(
                res.messages[0].msg,
                CosmosMsg::Bank(BankMsg::Send {
                    to_address: alice.to_string(),
                    amount: coins(100 * EMC, DENOM),
                })
            );
        } else {
            assert_eq!(result_of(&res), "settled", "{data}");
            assert!(res.messages.is_empty(), "{data}: no refund");
        }
    }
    let mut d = direct();
    let alice = d.alice.clone();
    d.send(&alice, 1, "channel-7");
    let res = d.callback(timeout(d.our_packet(1, 100 * EMC)));
    assert_eq!(result_of(&res), "refunded");
    assert_eq!(res.messages.len(), 1);
}

fn resolve(epoch: u64, device_id: u64, delivered: bool) -> ExecuteMsg {
    ExecuteMsg::ResolveIbcTransfer {
        epoch,
        device_id,
        delivered,
    }
}

/// A transfer whose callback never arrives is resolved by the admin after its timeout + 1 day. A refund is paid only
/// from coins that came back to the contract, never from the pool.
#[test]
fn admin_resolves_a_transfer_whose_callback_never_came() {
    let (mut s, t) = setup();
    let (alice, bob) = (s.addr("alice"), s.addr("bob"));
    s.exec(&alice, &send(t.item(1), "channel-0", "osmo1a", Some(600)), &[])
        .unwrap();
    s.exec(&bob, &send(t.item(2), "channel-0", "osmo1b", Some(600)), &[])
        .unwrap();
    let resolvable_at = s.now().plus_seconds(600 + 86_400);
    let admin = s.admin.clone();

    // only the admin, only for a pending transfer, only after timeout + grace
    assert!(matches!(
        s.exec(&alice, &resolve(1, 1, false), &[]).unwrap_err(),
        ContractError::Unauthorized { .. }
    ));
    assert_eq!(
        s.exec(&admin, &resolve(1, 3, false), &[]).unwrap_err(),
        ContractError::NoPendingTransfer { epoch: 1, device_id: 3 }
    );
    s.app.update_block(|b| b.time = resolvable_at.minus_nanos(1));
    assert_eq!(
        s.exec(&admin, &resolve(1, 1, false), &[]).unwrap_err(),
        ContractError::TransferNotExpired {
            epoch: 1,
            device_id: 1,
            resolvable_at
        }
    );
    s.app.update_block(|b| b.time = resolvable_at);

    // the refund has not reached the contract (still in escrow): refusing to pay it from the pool
    assert_eq!(
        s.exec(&admin, &resolve(1, 1, false), &[]).unwrap_err(),
        ContractError::RefundNotReceived {
            amount: Uint128::new(100 * EMC),
            surplus: Uint128::zero()
        }
    );
    // ibc-go refunds the contract, the callback does not run: the admin passes it on to the owner
    let rewards = s.rewards.clone();
    s.app
        .execute(
            IbcRecorder::escrow(),
            BankMsg::Send {
                to_address: rewards.to_string(),
                amount: coins(100 * EMC, DENOM),
            }
            .into(),
        )
        .unwrap();
    let res = s.exec(&admin, &resolve(1, 1, false), &[]).unwrap();
    assert_eq!(attr(&res, "wasm", "result").as_deref(), Some("refunded"));
    assert_eq!(s.balance(&alice), 100 * EMC);
    // bob's transfer was delivered (the DAO checked the other chain): settled, nothing paid
    let res = s.exec(&admin, &resolve(1, 2, true), &[]).unwrap();
    assert_eq!(attr(&res, "wasm", "result").as_deref(), Some("settled"));
    assert_eq!(s.balance(&bob), 0);
    assert!(s.pool().ibc_pending.is_zero());
    assert_eq!(
        s.exec(&admin, &resolve(1, 1, false), &[]).unwrap_err(),
        ContractError::NoPendingTransfer { epoch: 1, device_id: 1 }
    );
    s.assert_books();
    let p = s.pool();
    assert_eq!(p.balance, p.pool_total);
}
