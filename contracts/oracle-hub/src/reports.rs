//! SubmitReport (operators), Veto and AbandonEpoch (admin).

use cosmwasm_std::{
    to_json_binary, Addr, Binary, DepsMut, Empty, Env, HexBinary, MessageInfo, QuerierWrapper, Response, Uint128,
    WasmMsg,
};
use cw_utils::nonpayable;
use edgemint_types::oracle::EpochStatus;
use edgemint_types::rewards::{EpochBudgetResponse, RewardsExecuteMsg, RewardsQueryMsg};

use crate::contract::ensure_admin;
use crate::epoch::{add_seconds, epoch_end, status};
use crate::error::ContractError;
use crate::msg::ReportFields;
use crate::operators::{is_active, listed_operators, load_operator};
use crate::signature::{candidate_key, report_statement, verify_operator_signature};
use crate::state::{
    AcceptedRoot, EpochState, StoredReport, Veto, ABANDON_AFTER_EPOCHS, CONFIG, ELECTORATE, EPOCHS, HASH_LEN,
    LISTED_COUNT, MAX_REASON_LEN, MAX_REPORTS_PER_EPOCH, REPORTS, TALLY, TIMING_LOCKED,
};

pub fn validate_hash(field: &str, value: &HexBinary) -> Result<(), ContractError> {
    if value.len() != HASH_LEN {
        return Err(ContractError::InvalidHash {
            field: field.to_string(),
            len: value.len(),
        });
    }
    Ok(())
}

/// The statement `fields` stand for on this chain and this hub.
pub fn statement_for(env: &Env, fields: &ReportFields) -> Vec<u8> {
    report_statement(
        &env.block.chain_id,
        env.contract.address.as_str(),
        fields.epoch,
        fields.root.as_slice(),
        fields.total_amount,
        fields.device_count,
        fields.telemetry_commitment.as_slice(),
    )
}

pub fn execute_submit_report(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    fields: ReportFields,
    signature: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    validate_hash("root", &fields.root)?;
    validate_hash("telemetry_commitment", &fields.telemetry_commitment)?;
    let config = CONFIG.load(deps.storage)?;
    let epoch = fields.epoch;
    let now = env.block.time;

    // 1. Timing: only after the epoch ended, and not once it is final, vetoed or abandoned.
    let end = epoch_end(&config, epoch)?;
    if now < end {
        return Err(ContractError::EarlyReport { epoch, ends_at: end });
    }
    let state = EPOCHS.may_load(deps.storage, epoch)?;
    let current = status(state.as_ref(), end, now);
    if matches!(
        current,
        EpochStatus::Final | EpochStatus::Vetoed | EpochStatus::Abandoned
    ) {
        return Err(ContractError::LateReport { epoch, status: current });
    }

    // 2. Reporter: a listed operator, bonded at least `min_bond` now, in the epoch's electorate (once there is one),
    //    that has not reported this epoch.
    let operator = load_operator(deps.storage, &info.sender)?;
    if !operator.listed {
        return Err(ContractError::NotListed {
            address: info.sender.into_string(),
        });
    }
    if !is_active(&operator, &config) {
        return Err(ContractError::InsufficientBond {
            address: info.sender.into_string(),
            bonded: operator.bonded,
            min_bond: config.min_bond,
        });
    }
    if state.is_some() && !ELECTORATE.has(deps.storage, (epoch, &info.sender)) {
        return Err(ContractError::NotInElectorate {
            epoch,
            operator: info.sender.into_string(),
        });
    }
    if REPORTS.has(deps.storage, (epoch, &info.sender)) {
        return Err(ContractError::AlreadyReported {
            epoch,
            operator: info.sender.into_string(),
        });
    }

    // 3. The report is the operator's signed statement (usable as evidence).
    let statement = statement_for(&env, &fields);
    if !verify_operator_signature(deps.api, operator.pubkey.as_slice(), &statement, signature.as_slice()) {
        return Err(ContractError::InvalidSignature {
            operator: info.sender.into_string(),
        });
    }

    // 4. The budget: frozen at the first report, the same for every later report.
    let rewards = config.rewards.clone().ok_or(ContractError::RewardsNotSet {})?;
    let mut res = Response::new();
    let mut state = match state {
        Some(state) => state,
        None => {
            // The epoch's first report: at least `min_operators` listed, snapshot the electorate (every listed
            // operator, whatever its bond; ≤ 50 loads), and reserve and freeze the budget in the rewards contract.
            let listed = LISTED_COUNT.load(deps.storage)?;
            if listed < config.min_operators {
                return Err(ContractError::TooFewOperators {
                    listed,
                    min: config.min_operators,
                });
            }
            let electorate = listed_operators(deps.as_ref())?;
            for member in &electorate {
                ELECTORATE.save(deps.storage, (epoch, member), &Empty {})?;
            }
            let operator_count = u32::try_from(electorate.len()).map_err(|_| ContractError::TooManyReports {
                epoch,
                max: MAX_REPORTS_PER_EPOCH,
            })?;
            let threshold = Uint128::from(operator_count).checked_mul_ceil(config.quorum)?;
            let threshold = u32::try_from(threshold.u128()).map_err(|_| ContractError::TooManyReports {
                epoch,
                max: MAX_REPORTS_PER_EPOCH,
            })?;
            // The rewards contract reserves exactly these figures: `ReserveBudget` runs right after this call, in
            // the same transaction and on the same state (if the epoch was already reserved there, the query
            // answers the frozen figures and the reservation is a no-op).
            let budget = query_budget(deps.querier, &rewards, epoch)?;
            res = res.add_message(WasmMsg::Execute {
                contract_addr: rewards.to_string(),
                msg: to_json_binary(&RewardsExecuteMsg::ReserveBudget { epoch })?,
                funds: vec![],
            });
            TIMING_LOCKED.save(deps.storage, &true)?;
            EpochState {
                operator_count,
                threshold,
                report_count: 0,
                device_budget: budget.device_budget,
                accepted: None,
                veto: None,
                abandoned_at: None,
            }
        }
    };
    // Deterministic for every reporter: the frozen device budget never changes.
    if fields.total_amount > state.device_budget {
        return Err(ContractError::TotalExceedsBudget {
            epoch,
            total: fields.total_amount,
            budget: state.device_budget,
        });
    }
    if state.report_count >= MAX_REPORTS_PER_EPOCH {
        return Err(ContractError::TooManyReports {
            epoch,
            max: MAX_REPORTS_PER_EPOCH,
        });
    }
    state.report_count += 1;

    // 5. Tally identical contents.
    let candidate = candidate_key(
        fields.root.as_slice(),
        fields.total_amount,
        fields.device_count,
        fields.telemetry_commitment.as_slice(),
    );
    let votes = TALLY
        .may_load(deps.storage, (epoch, candidate.as_slice()))?
        .unwrap_or(0)
        + 1;
    TALLY.save(deps.storage, (epoch, candidate.as_slice()), &votes)?;
    REPORTS.save(
        deps.storage,
        (epoch, &info.sender),
        &StoredReport {
            root: fields.root.clone(),
            total_amount: fields.total_amount,
            device_count: fields.device_count,
            telemetry_commitment: fields.telemetry_commitment.clone(),
            signature,
            candidate: HexBinary::from(candidate.as_slice()),
            submitted_at: now,
        },
    )?;

    let newly_accepted = state.accepted.is_none() && votes >= state.threshold;
    if newly_accepted {
        let final_at = add_seconds(now, config.challenge_window)?;
        state.accepted = Some(AcceptedRoot {
            candidate: HexBinary::from(candidate.as_slice()),
            root: fields.root.clone(),
            total_amount: fields.total_amount,
            device_count: fields.device_count,
            telemetry_commitment: fields.telemetry_commitment.clone(),
            accepted_at: now,
            final_at,
        });
        // The total is within the frozen device budget (checked above), so the settlement cannot be refused for
        // it; the unused device budget returns to the pool.
        res = res
            .add_message(WasmMsg::Execute {
                contract_addr: rewards.to_string(),
                msg: to_json_binary(&RewardsExecuteMsg::SettleEpoch {
                    epoch,
                    total_amount: fields.total_amount,
                })?,
                funds: vec![],
            })
            .add_attribute("final_at", final_at.seconds().to_string());
    }
    let matches_accepted = state
        .accepted
        .as_ref()
        .is_some_and(|a| a.candidate.as_slice() == candidate.as_slice());
    EPOCHS.save(deps.storage, epoch, &state)?;

    let new_status = status(Some(&state), end, now);
    Ok(res
        .add_attribute("action", "submit_report")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("operator", info.sender)
        .add_attribute("root", fields.root.to_hex())
        .add_attribute("total_amount", fields.total_amount)
        .add_attribute("device_count", fields.device_count.to_string())
        .add_attribute("telemetry_commitment", fields.telemetry_commitment.to_hex())
        .add_attribute("votes", votes.to_string())
        .add_attribute("threshold", state.threshold.to_string())
        .add_attribute("operator_count", state.operator_count.to_string())
        .add_attribute("device_budget", state.device_budget)
        .add_attribute("accepted", newly_accepted.to_string())
        .add_attribute("matches_accepted", matches_accepted.to_string())
        .add_attribute("status", status_str(new_status)))
}

pub fn execute_veto(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    epoch: u64,
    reason: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "veto an epoch")?;
    if reason.is_empty() || reason.len() > MAX_REASON_LEN {
        return Err(ContractError::InvalidReason { max: MAX_REASON_LEN });
    }
    let config = CONFIG.load(deps.storage)?;
    let end = epoch_end(&config, epoch)?;
    let state = EPOCHS.may_load(deps.storage, epoch)?;
    let current = status(state.as_ref(), end, env.block.time);
    let mut state = match state {
        Some(state) if current == EpochStatus::Accepted => state,
        _ => return Err(ContractError::NotVetoable { epoch, status: current }),
    };
    // An accepted root always had the rewards contract configured; it cannot be unset since.
    let rewards = config.rewards.ok_or(ContractError::RewardsNotSet {})?;
    state.veto = Some(Veto {
        at: env.block.time,
        reason: reason.clone(),
    });
    EPOCHS.save(deps.storage, epoch, &state)?;
    let root = state.accepted.map(|a| a.root.to_hex()).unwrap_or_default();

    Ok(Response::new()
        .add_message(WasmMsg::Execute {
            contract_addr: rewards.into_string(),
            msg: to_json_binary(&RewardsExecuteMsg::ReleaseEpoch { epoch })?,
            funds: vec![],
        })
        .add_attribute("action", "veto")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("root", root)
        .add_attribute("reason", reason)
        .add_attribute("admin", info.sender))
}

/// `AbandonEpoch { epoch }` (admin): an epoch with reports, no accepted root, that ended at least
/// `ABANDON_AFTER_EPOCHS` epoch lengths ago becomes Abandoned (terminal) and its reserved budget is released.
pub fn execute_abandon(deps: DepsMut, env: Env, info: MessageInfo, epoch: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    ensure_admin(deps.as_ref(), &info.sender, "abandon an epoch")?;
    let config = CONFIG.load(deps.storage)?;
    let end = epoch_end(&config, epoch)?;
    let state = EPOCHS.may_load(deps.storage, epoch)?;
    let current = status(state.as_ref(), end, env.block.time);
    let mut state = match state {
        Some(state) if current == EpochStatus::Reported => state,
        _ => return Err(ContractError::NotAbandonable { epoch, status: current }),
    };
    let delay = config
        .epoch_length
        .checked_mul(ABANDON_AFTER_EPOCHS)
        .ok_or(ContractError::TimeOverflow {})?;
    let at = add_seconds(end, delay)?;
    if env.block.time < at {
        return Err(ContractError::AbandonTooEarly { epoch, at });
    }
    // The epoch has reports, so the rewards contract was configured (and reserved) at its first report.
    let rewards = config.rewards.ok_or(ContractError::RewardsNotSet {})?;
    state.abandoned_at = Some(env.block.time);
    EPOCHS.save(deps.storage, epoch, &state)?;
    Ok(Response::new()
        .add_message(WasmMsg::Execute {
            contract_addr: rewards.into_string(),
            msg: to_json_binary(&RewardsExecuteMsg::ReleaseEpoch { epoch })?,
            funds: vec![],
        })
        .add_attribute("action", "abandon_epoch")
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("reports", state.report_count.to_string())
        .add_attribute("operator_count", state.operator_count.to_string())
        .add_attribute("admin", info.sender))
}

fn query_budget(querier: QuerierWrapper, rewards: &Addr, epoch: u64) -> Result<EpochBudgetResponse, ContractError> {
    querier
        .query_wasm_smart(rewards, &RewardsQueryMsg::EpochBudget { epoch })
        .map_err(|e| ContractError::RewardsQuery { reason: e.to_string() })
}

pub fn status_str(status: EpochStatus) -> &'static str {
    match status {
        EpochStatus::Open => "open",
        EpochStatus::Reported => "reported",
        EpochStatus::Accepted => "accepted",
        EpochStatus::Final => "final",
        EpochStatus::Vetoed => "vetoed",
        EpochStatus::Abandoned => "abandoned",
    }
}
