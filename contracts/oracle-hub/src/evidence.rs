//! Equivocation evidence, submitted by anyone: two signed report statements of one operator for one epoch, or two
//! signed telemetry reports of one device with one sequence number.

use cosmwasm_std::{coins, to_json_binary, Addr, BankMsg, Binary, Deps, DepsMut, Env, MessageInfo, Response, WasmMsg};
use cw_utils::nonpayable;
use edgemint_types::registry::{DeviceResponse, RegistryQueryMsg};
use edgemint_types::rewards::RewardsExecuteMsg;
use edgemint_types::staking::StakingExecute;
use edgemint_types::telemetry::{decode, DecodedTelemetry};

use crate::error::ContractError;
use crate::msg::ReportFields;
use crate::operators::{load_operator, slash};
use crate::reports::{statement_for, validate_hash};
use crate::signature::{recover_operator_keys, verify_device_signature, verify_operator_signature};
use crate::state::{EvidenceRecord, CONFIG, DEVICE_EVIDENCE, OPERATOR_EVIDENCE, PUBKEYS};

pub fn execute_operator_evidence(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    operator: String,
    a: (ReportFields, Binary),
    b: (ReportFields, Binary),
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let operator = deps.api.addr_validate(&operator)?;
    let (statement_a, signature_a) = a;
    let (statement_b, signature_b) = b;
    if statement_a.epoch != statement_b.epoch {
        return Err(ContractError::EvidenceEpochMismatch {
            a: statement_a.epoch,
            b: statement_b.epoch,
        });
    }
    if statement_a == statement_b {
        return Err(ContractError::IdenticalStatements {});
    }
    for (name, s) in [("a", &statement_a), ("b", &statement_b)] {
        validate_hash(&format!("statement_{name}.root"), &s.root)?;
        validate_hash(
            &format!("statement_{name}.telemetry_commitment"),
            &s.telemetry_commitment,
        )?;
    }
    let epoch = statement_a.epoch;
    if OPERATOR_EVIDENCE.has(deps.storage, (&operator, epoch)) {
        return Err(ContractError::OperatorEvidenceUsed {
            operator: operator.into_string(),
            epoch,
        });
    }
    let record = load_operator(deps.storage, &operator)?;
    for (which, statement, signature) in [("a", &statement_a, &signature_a), ("b", &statement_b, &signature_b)] {
        let bytes = statement_for(&env, statement);
        if !signed_by_operator(deps.as_ref(), &operator, &record.pubkey, &bytes, signature) {
            return Err(ContractError::InvalidEvidenceSignature {
                which: which.to_string(),
                operator: operator.into_string(),
            });
        }
    }

    let config = CONFIG.load(deps.storage)?;
    let slashed = slash(deps.storage, &operator, config.slash_fraction, env.block.time)?;
    let bounty = slashed.total.checked_mul_floor(config.bounty_fraction)?;
    let to_pool = slashed.total.checked_sub(bounty)?;
    OPERATOR_EVIDENCE.save(
        deps.storage,
        (&operator, epoch),
        &EvidenceRecord {
            reporter: info.sender.clone(),
            at: env.block.time,
        },
    )?;

    let mut res = Response::new().add_events(slashed.events);
    if !bounty.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(bounty.u128(), &config.denom),
        });
    }
    if !to_pool.is_zero() {
        let rewards = config.rewards.ok_or(ContractError::RewardsNotSet {})?;
        res = res.add_message(WasmMsg::Execute {
            contract_addr: rewards.into_string(),
            msg: to_json_binary(&RewardsExecuteMsg::AddRevenue {})?,
            funds: coins(to_pool.u128(), &config.denom),
        });
    }
    Ok(res
        .add_attribute("action", "operator_evidence")
        .add_attribute("operator", operator)
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("reporter", info.sender)
        .add_attribute("slashed_bond", slashed.from_bond)
        .add_attribute("slashed_unbonding", slashed.from_unbonding)
        .add_attribute("amount", slashed.total)
        .add_attribute("bounty", bounty)
        .add_attribute("to_pool", to_pool)
        .add_attribute("removed", slashed.was_listed.to_string()))
}

/// True if `signature` over `statement` was made with a key ever bound to `operator`: its current key, or a key it
/// was registered with before being re-added with a new one. `PUBKEYS` binds every key to one operator forever, so
/// the signer's key is recovered from the signature and looked up there (no list of old keys to iterate).
fn signed_by_operator(deps: Deps, operator: &Addr, current_key: &Binary, statement: &[u8], signature: &Binary) -> bool {
    if verify_operator_signature(deps.api, current_key.as_slice(), statement, signature.as_slice()) {
        return true;
    }
    recover_operator_keys(deps.api, statement, signature.as_slice())
        .into_iter()
        .any(|key| {
            matches!(PUBKEYS.may_load(deps.storage, key.as_slice()), Ok(Some(owner)) if owner == *operator)
                && verify_operator_signature(deps.api, &key, statement, signature.as_slice())
        })
}

pub fn execute_device_evidence(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    a: (Binary, Binary),
    b: (Binary, Binary),
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let (bytes_a, signature_a) = a;
    let (bytes_b, signature_b) = b;
    let report_a = decode_for_chain("a", &bytes_a, &env)?;
    let report_b = decode_for_chain("b", &bytes_b, &env)?;
    let (device_id, sequence) = (report_a.report.device_id, report_a.report.sequence);
    if report_b.report.device_id != device_id {
        return Err(ContractError::DeviceMismatch {
            a: device_id,
            b: report_b.report.device_id,
        });
    }
    if report_b.report.sequence != sequence {
        return Err(ContractError::SequenceMismatch {
            a: sequence,
            b: report_b.report.sequence,
        });
    }
    // The encoding is canonical: equal contents are equal bytes.
    if bytes_a == bytes_b {
        return Err(ContractError::IdenticalReports {});
    }
    if DEVICE_EVIDENCE.has(deps.storage, (device_id, sequence)) {
        return Err(ContractError::DeviceEvidenceUsed { device_id, sequence });
    }

    let config = CONFIG.load(deps.storage)?;
    let device: DeviceResponse = deps
        .querier
        .query_wasm_smart(&config.registry, &RegistryQueryMsg::Device { device_id })
        .map_err(|e| ContractError::RegistryQuery {
            device_id,
            reason: e.to_string(),
        })?;
    for (which, bytes, signature) in [("a", &bytes_a, &signature_a), ("b", &bytes_b, &signature_b)] {
        if !verify_device_signature(
            deps.api,
            device.key_type,
            device.pubkey.as_slice(),
            bytes.as_slice(),
            signature.as_slice(),
        ) {
            return Err(ContractError::InvalidDeviceSignature {
                which: which.to_string(),
                device_id,
            });
        }
    }
    DEVICE_EVIDENCE.save(
        deps.storage,
        (device_id, sequence),
        &EvidenceRecord {
            reporter: info.sender.clone(),
            at: env.block.time,
        },
    )?;

    // Staking slashes the device's stake, pays the bounty to the reporter and bans the device in the registry (a
    // banned device's unclaimed rewards are refused by the rewards contract). Its failure fails this transaction.
    // The offence time is NOW (the evidence's submission), not the reports' own timestamps: those are written and
    // signed by the device, so whoever holds its key (e.g. a buyer) could backdate them to before a sale and have
    // the seller's stake slashed. With `now`, the device's current owner answers for it; a seller who equivocated
    // and sold before the evidence landed escapes the slash (the device is banned all the same).
    let reason = format!("device equivocation: sequence {sequence}");
    Ok(Response::new()
        .add_message(WasmMsg::Execute {
            contract_addr: config.staking.to_string(),
            msg: to_json_binary(&StakingExecute::Slash {
                device_id,
                reporter: info.sender.to_string(),
                reason: reason.clone(),
                ban: true,
                offence_time: env.block.time,
            })?,
            funds: vec![],
        })
        .add_attribute("action", "device_evidence")
        .add_attribute("device_id", device_id.to_string())
        .add_attribute("sequence", sequence.to_string())
        .add_attribute("key_type", device.key_type.as_str())
        .add_attribute("reporter", info.sender)
        .add_attribute("reason", reason))
}

fn decode_for_chain(which: &str, bytes: &Binary, env: &Env) -> Result<DecodedTelemetry, ContractError> {
    let decoded = decode(bytes.as_slice()).map_err(|source| ContractError::InvalidTelemetry {
        which: which.to_string(),
        source,
    })?;
    if decoded.chain_id != env.block.chain_id {
        return Err(ContractError::WrongChainId {
            which: which.to_string(),
            expected: env.block.chain_id.clone(),
            found: decoded.chain_id,
        });
    }
    Ok(decoded)
}
