//! The JSON of the main messages, as documented in README.md.

use cosmwasm_std::{to_json_string, Addr, Binary, Decimal, HexBinary, Timestamp, Uint128};
use oracle_hub::msg::{EpochResponse, EpochStatus, ExecuteMsg, InstantiateMsg, QueryMsg, ReportFields};

#[test]
fn documented_json_shapes() {
    let inst = InstantiateMsg {
        admin: Some("emc1dao".to_string()),
        registry: "emc1registry".to_string(),
        staking: "emc1staking".to_string(),
        rewards: None,
        denom: "uemc".to_string(),
        min_bond: Uint128::new(10_000_000_000),
        bond_unbonding_period: 1_814_400,
        epoch_genesis: None,
        epoch_length: 86_400,
        quorum: None,
        challenge_window: 172_800,
        slash_fraction: Decimal::percent(10),
        bounty_fraction: Decimal::percent(25),
        min_operators: None,
    };
    let f = |r: u8| ReportFields {
        epoch: 12,
        root: HexBinary::from(vec![r; 32]),
        total_amount: Uint128::new(197_260_273_972_602),
        device_count: 1_000_000,
        telemetry_commitment: HexBinary::from(vec![0xcc; 32]),
    };
    let sig = Binary::from(vec![0x11; 64]);
    let msgs = [
        to_json_string(&inst).unwrap(),
        to_json_string(&ExecuteMsg::SubmitReport {
            epoch: 12,
            root: f(0xaa).root,
            total_amount: f(0xaa).total_amount,
            device_count: 1_000_000,
            telemetry_commitment: f(0xaa).telemetry_commitment,
            signature: sig.clone(),
        })
        .unwrap(),
        to_json_string(&ExecuteMsg::Veto {
            epoch: 12,
            reason: "root pays offline devices".to_string(),
        })
        .unwrap(),
        to_json_string(&ExecuteMsg::AbandonEpoch { epoch: 12 }).unwrap(),
        to_json_string(&ExecuteMsg::SubmitOperatorEvidence {
            operator: "emc1operator".to_string(),
            statement_a: f(0xaa),
            signature_a: sig.clone(),
            statement_b: f(0xbb),
            signature_b: sig.clone(),
        })
        .unwrap(),
        to_json_string(&ExecuteMsg::SubmitDeviceEvidence {
            report_a: Binary::from(vec![1, 2, 3]),
            signature_a: sig.clone(),
            report_b: Binary::from(vec![4, 5, 6]),
            signature_b: sig.clone(),
        })
        .unwrap(),
        to_json_string(&QueryMsg::Epoch { epoch: 12 }).unwrap(),
        to_json_string(&EpochResponse {
            epoch: 12,
            status: EpochStatus::Accepted,
            start: Timestamp::from_seconds(1_700_000_000 + 12 * 86_400),
            end: Timestamp::from_seconds(1_700_000_000 + 13 * 86_400),
            root: Some(f(0xaa).root),
            total_amount: f(0xaa).total_amount,
            device_count: 1_000_000,
            accepted_at: Some(Timestamp::from_seconds(1_701_123_456)),
            final_at: Some(Timestamp::from_seconds(1_701_123_456 + 172_800)),
            reporters: vec![Addr::unchecked("emc1op1"), Addr::unchecked("emc1op2")],
        })
        .unwrap(),
    ];
    let sig_b64 = format!("{}EQ==", "ERER".repeat(21));
    let h = |c: char| c.to_string().repeat(64);
    let fields = |r: char| {
        format!(
            r#"{{"epoch":12,"root":"{}","total_amount":"197260273972602","device_count":1000000,"telemetry_commitment":"{}"}}"#,
            h(r),
            h('c')
        )
    };
    let expected = [
        r#"{"admin":"emc1dao","registry":"emc1registry","staking":"emc1staking","rewards":null,"denom":"uemc","min_bond":"10000000000","bond_unbonding_period":1814400,"epoch_genesis":null,"epoch_length":86400,"quorum":null,"challenge_window":172800,"slash_fraction":"0.1","bounty_fraction":"0.25","min_operators":null}"#.to_string(),
        format!(
            r#"{{"submit_report":{{"epoch":12,"root":"{}","total_amount":"197260273972602","device_count":1000000,"telemetry_commitment":"{}","signature":"{sig_b64}"}}}}"#,
            h('a'),
            h('c')
        ),
        r#"{"veto":{"epoch":12,"reason":"root pays offline devices"}}"#.to_string(),
        r#"{"abandon_epoch":{"epoch":12}}"#.to_string(),
        format!(
            r#"{{"submit_operator_evidence":{{"operator":"emc1operator","statement_a":{},"signature_a":"{sig_b64}","statement_b":{},"signature_b":"{sig_b64}"}}}}"#,
            fields('a'),
            fields('b')
        ),
        format!(
            r#"{{"submit_device_evidence":{{"report_a":"AQID","signature_a":"{sig_b64}","report_b":"BAUG","signature_b":"{sig_b64}"}}}}"#
        ),
        r#"{"epoch":{"epoch":12}}"#.to_string(),
        format!(
            r#"{{"epoch":12,"status":"accepted","start":"1701036800000000000","end":"1701123200000000000","root":"{}","total_amount":"197260273972602","device_count":1000000,"accepted_at":"1701123456000000000","final_at":"1701296256000000000","reporters":["emc1op1","emc1op2"]}}"#,
            h('a')
        ),
    ];
    assert_eq!(msgs.len(), expected.len());
    for (got, want) in msgs.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}
