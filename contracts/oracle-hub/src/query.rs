use cosmwasm_std::{to_json_binary, Addr, Binary, Deps, Env, HexBinary, Order, StdError, StdResult, Uint128};
use cw_storage_plus::Bound;

use crate::epoch::{current_epoch, epoch_end, epoch_start, status};
use crate::error::ContractError;
use crate::msg::{
    BondEntryResponse, ConfigResponse, CurrentEpochResponse, EpochResponse, EvidenceKey, EvidenceUsedResponse,
    OperatorResponse, OperatorsResponse, QueryMsg, ReportFields, ReportResponse, ReportStatementResponse,
    ReportsResponse, VetoResponse,
};
use crate::operators::{count_active, is_active, load_entries};
use crate::reports::statement_for;
use crate::signature::sha256;
use crate::state::{
    Operator, StoredReport, CONFIG, DEFAULT_PAGE_LIMIT, DEVICE_EVIDENCE, ELECTORATE, EPOCHS, LISTED_COUNT,
    MAX_OPERATORS, MAX_PAGE_LIMIT, MAX_REPORTS_PER_EPOCH, MAX_UNBONDING_ENTRIES, OPERATORS, OPERATOR_EVIDENCE, REPORTS,
    TALLY, TIMING_LOCKED,
};

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Operator { address } => {
            let address = deps.api.addr_validate(&address)?;
            let operator = OPERATORS
                .may_load(deps.storage, &address)?
                .ok_or_else(|| StdError::generic_err(format!("{address} is not an operator")))?;
            to_json_binary(&operator_response(deps, &env, address, operator)?)
        }
        QueryMsg::Operators { start_after, limit } => to_json_binary(&query_operators(deps, &env, start_after, limit)?),
        QueryMsg::Epoch { epoch } => to_json_binary(&query_epoch(deps, &env, epoch)?),
        QueryMsg::CurrentEpoch {} => to_json_binary(&query_current_epoch(deps, &env)?),
        QueryMsg::Reports { epoch } => to_json_binary(&query_reports(deps, &env, epoch)?),
        QueryMsg::ReportStatement {
            epoch,
            root,
            total_amount,
            device_count,
            telemetry_commitment,
        } => {
            let statement = statement_for(
                &env,
                &ReportFields {
                    epoch,
                    root,
                    total_amount,
                    device_count,
                    telemetry_commitment,
                },
            );
            to_json_binary(&ReportStatementResponse {
                hash: HexBinary::from(sha256(&statement).as_slice()),
                text: String::from_utf8(statement.clone()).map_err(|e| StdError::generic_err(e.to_string()))?,
                statement: Binary::from(statement),
            })
        }
        QueryMsg::EvidenceUsed { evidence } => {
            let record = match evidence {
                EvidenceKey::Operator { operator, epoch } => {
                    let operator = deps.api.addr_validate(&operator)?;
                    OPERATOR_EVIDENCE.may_load(deps.storage, (&operator, epoch))?
                }
                EvidenceKey::Device { device_id, sequence } => {
                    DEVICE_EVIDENCE.may_load(deps.storage, (device_id, sequence))?
                }
            };
            to_json_binary(&EvidenceUsedResponse {
                used: record.is_some(),
                reporter: record.as_ref().map(|r| r.reporter.clone()),
                at: record.map(|r| r.at),
            })
        }
    }
}

fn std_err(e: ContractError) -> StdError {
    match e {
        ContractError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    }
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    let ownership = cw_ownable::get_ownership(deps.storage)?;
    Ok(ConfigResponse {
        // Renouncing is refused, so there is always an admin.
        admin: ownership
            .owner
            .ok_or_else(|| StdError::generic_err("the hub contract has no admin"))?,
        pending_admin: ownership.pending_owner,
        listed_operators: LISTED_COUNT.load(deps.storage)?,
        active_operators: count_active(deps, &config).map_err(std_err)?,
        max_operators: MAX_OPERATORS,
        max_unbonding_entries: MAX_UNBONDING_ENTRIES,
        epoch_timing_locked: TIMING_LOCKED.load(deps.storage)?,
        registry: config.registry,
        staking: config.staking,
        rewards: config.rewards,
        denom: config.denom,
        min_bond: config.min_bond,
        bond_unbonding_period: config.bond_unbonding_period,
        epoch_genesis: config.epoch_genesis,
        epoch_length: config.epoch_length,
        quorum: config.quorum,
        challenge_window: config.challenge_window,
        slash_fraction: config.slash_fraction,
        bounty_fraction: config.bounty_fraction,
        min_operators: config.min_operators,
    })
}

fn operator_response(deps: Deps, env: &Env, address: Addr, operator: Operator) -> StdResult<OperatorResponse> {
    let config = CONFIG.load(deps.storage)?;
    let entries = load_entries(deps, &address).map_err(std_err)?;
    let mut unbonding = Uint128::zero();
    let mut unbonding_entries = Vec::with_capacity(entries.len());
    for (id, entry) in entries {
        unbonding = unbonding.checked_add(entry.amount)?;
        unbonding_entries.push(BondEntryResponse {
            id,
            amount: entry.amount,
            release_at: entry.release_at,
            claimable: entry.release_at <= env.block.time,
        });
    }
    Ok(OperatorResponse {
        active: is_active(&operator, &config),
        address,
        pubkey: operator.pubkey,
        listed: operator.listed,
        bonded: operator.bonded,
        unbonding,
        unbonding_entries,
        added_at: operator.added_at,
        removed_at: operator.removed_at,
    })
}

fn query_operators(
    deps: Deps,
    env: &Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<OperatorsResponse> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize;
    let start = start_after.map(|s| deps.api.addr_validate(&s)).transpose()?;
    let page: Vec<(Addr, Operator)> = OPERATORS
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect::<StdResult<_>>()?;
    let operators = page
        .into_iter()
        .map(|(address, operator)| operator_response(deps, env, address, operator))
        .collect::<StdResult<_>>()?;
    Ok(OperatorsResponse { operators })
}

fn epoch_reports(deps: Deps, epoch: u64) -> StdResult<Vec<(Addr, StoredReport)>> {
    REPORTS
        .prefix(epoch)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_REPORTS_PER_EPOCH as usize)
        .collect()
}

fn query_epoch(deps: Deps, env: &Env, epoch: u64) -> StdResult<EpochResponse> {
    let config = CONFIG.load(deps.storage)?;
    let start = epoch_start(&config, epoch).map_err(std_err)?;
    let end = epoch_end(&config, epoch).map_err(std_err)?;
    let state = EPOCHS.may_load(deps.storage, epoch)?;
    let status = status(state.as_ref(), end, env.block.time);
    let accepted = state.and_then(|s| s.accepted);
    let reporters = match &accepted {
        Some(accepted) => epoch_reports(deps, epoch)?
            .into_iter()
            .filter(|(_, report)| report.candidate == accepted.candidate)
            .map(|(operator, _)| operator)
            .collect(),
        None => vec![],
    };
    Ok(EpochResponse {
        epoch,
        status,
        start,
        end,
        root: accepted.as_ref().map(|a| a.root.clone()),
        total_amount: accepted.as_ref().map(|a| a.total_amount).unwrap_or_default(),
        device_count: accepted.as_ref().map(|a| a.device_count).unwrap_or_default(),
        accepted_at: accepted.as_ref().map(|a| a.accepted_at),
        final_at: accepted.as_ref().map(|a| a.final_at),
        reporters,
    })
}

fn query_current_epoch(deps: Deps, env: &Env) -> StdResult<CurrentEpochResponse> {
    let config = CONFIG.load(deps.storage)?;
    let epoch = current_epoch(&config, env.block.time);
    Ok(CurrentEpochResponse {
        epoch,
        start: epoch_start(&config, epoch).map_err(std_err)?,
        end: epoch_end(&config, epoch).map_err(std_err)?,
    })
}

fn query_reports(deps: Deps, env: &Env, epoch: u64) -> StdResult<ReportsResponse> {
    let config = CONFIG.load(deps.storage)?;
    let end = epoch_end(&config, epoch).map_err(std_err)?;
    let state = EPOCHS.may_load(deps.storage, epoch)?;
    let status = status(state.as_ref(), end, env.block.time);
    let accepted = state
        .as_ref()
        .and_then(|s| s.accepted.as_ref())
        .map(|a| a.candidate.clone());
    let mut reports = vec![];
    for (operator, report) in epoch_reports(deps, epoch)? {
        let votes = TALLY
            .may_load(deps.storage, (epoch, report.candidate.as_slice()))?
            .unwrap_or_default();
        reports.push(ReportResponse {
            operator,
            epoch,
            accepted: accepted.as_ref() == Some(&report.candidate),
            root: report.root,
            total_amount: report.total_amount,
            device_count: report.device_count,
            telemetry_commitment: report.telemetry_commitment,
            signature: report.signature,
            submitted_at: report.submitted_at,
            votes,
        });
    }
    let electorate = ELECTORATE
        .prefix(epoch)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_OPERATORS as usize)
        .collect::<StdResult<_>>()?;
    Ok(ReportsResponse {
        epoch,
        status,
        operator_count: state.as_ref().map(|s| s.operator_count).unwrap_or_default(),
        threshold: state.as_ref().map(|s| s.threshold).unwrap_or_default(),
        electorate,
        device_budget: state.as_ref().map(|s| s.device_budget).unwrap_or_default(),
        reports,
        abandoned_at: state.as_ref().and_then(|s| s.abandoned_at),
        veto: state.and_then(|s| s.veto).map(|v| VetoResponse {
            at: v.at,
            reason: v.reason,
        }),
    })
}
