use cosmwasm_std::{to_json_binary, Addr, Binary, Coin, Deps, Env, Order, StdError, StdResult, Uint128};
use cw_storage_plus::Bound;

use crate::msg::{
    BallotInfo, BallotResponse, BallotsResponse, ConfigResponse, ExclusionsResponse, ProposalResponse,
    ProposalsResponse, QueryMsg, TreasuryResponse, VotingPowerResponse,
};
use crate::proposal::view;
use crate::state::{
    Proposal, BALLOTS, CONFIG, CONTENT, DEFAULT_PAGE_LIMIT, DEPOSITS_HELD, EXCLUDED, MAX_EXCLUDED, MAX_MSGS,
    MAX_PAGE_LIMIT, PROPOSALS, PROPOSAL_SEQ,
};
use edgemint_types::staking::{StakingQuery, VotingPowerAtHeightResponse};

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&config(deps)?),
        QueryMsg::Proposal { proposal_id } => {
            let p = PROPOSALS
                .may_load(deps.storage, proposal_id)?
                .ok_or_else(|| StdError::not_found(format!("proposal {proposal_id}")))?;
            to_json_binary(&response(deps, &env, p)?)
        }
        QueryMsg::ListProposals { start_after, limit } => {
            let proposals = PROPOSALS
                .range(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
                .take(page(limit))
                .map(|r| r.and_then(|(_, p)| response(deps, &env, p)))
                .collect::<StdResult<_>>()?;
            to_json_binary(&ProposalsResponse { proposals })
        }
        QueryMsg::ReverseProposals { start_before, limit } => {
            let proposals = PROPOSALS
                .range(
                    deps.storage,
                    None,
                    start_before.map(Bound::exclusive),
                    Order::Descending,
                )
                .take(page(limit))
                .map(|r| r.and_then(|(_, p)| response(deps, &env, p)))
                .collect::<StdResult<_>>()?;
            to_json_binary(&ProposalsResponse { proposals })
        }
        QueryMsg::ProposalCount {} => to_json_binary(&PROPOSAL_SEQ.load(deps.storage)?),
        QueryMsg::Ballot { proposal_id, voter } => {
            let voter = deps.api.addr_validate(&voter)?;
            let ballot = BALLOTS
                .may_load(deps.storage, (proposal_id, &voter))?
                .map(|b| BallotInfo {
                    voter,
                    vote: b.vote,
                    power: b.power,
                });
            to_json_binary(&BallotResponse { ballot })
        }
        QueryMsg::ListBallots {
            proposal_id,
            start_after,
            limit,
        } => {
            let start = start_after.map(|a| deps.api.addr_validate(&a)).transpose()?;
            let ballots = BALLOTS
                .prefix(proposal_id)
                .range(
                    deps.storage,
                    start.as_ref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(page(limit))
                .map(|r| {
                    r.map(|(voter, b)| BallotInfo {
                        voter,
                        vote: b.vote,
                        power: b.power,
                    })
                })
                .collect::<StdResult<_>>()?;
            to_json_binary(&BallotsResponse { ballots })
        }
        QueryMsg::VotingPower { proposal_id, address } => {
            let address = deps.api.addr_validate(&address)?;
            let p = PROPOSALS
                .may_load(deps.storage, proposal_id)?
                .ok_or_else(|| StdError::not_found(format!("proposal {proposal_id}")))?;
            let excluded = p.excluded.contains(&address);
            let power = if excluded {
                Uint128::zero()
            } else {
                let staking = CONFIG.load(deps.storage)?.staking;
                let r: VotingPowerAtHeightResponse = deps.querier.query_wasm_smart(
                    staking,
                    &StakingQuery::VotingPowerAtHeight {
                        address: address.to_string(),
                        height: Some(p.start_height),
                    },
                )?;
                r.power
            };
            to_json_binary(&VotingPowerResponse {
                power,
                height: p.start_height,
                excluded,
            })
        }
        QueryMsg::Exclusions { start_after, limit } => {
            let start = start_after.map(|a| deps.api.addr_validate(&a)).transpose()?;
            let addresses = EXCLUDED
                .keys(
                    deps.storage,
                    start.as_ref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(page(limit))
                .collect::<StdResult<Vec<Addr>>>()?;
            to_json_binary(&ExclusionsResponse { addresses })
        }
        QueryMsg::Treasury {} => {
            let denom = CONFIG.load(deps.storage)?.denom;
            let balance: Coin = deps.querier.query_balance(&env.contract.address, &denom)?;
            let deposits_held = DEPOSITS_HELD.load(deps.storage)?;
            to_json_binary(&TreasuryResponse {
                spendable: balance.amount.saturating_sub(deposits_held),
                balance,
                deposits_held,
            })
        }
    }
}

fn page(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        staking: c.staking,
        denom: c.denom,
        threshold: c.threshold,
        voting_period: c.voting_period,
        min_proposer_power: c.min_proposer_power,
        deposit: c.deposit,
        allow_revote: c.allow_revote,
        veto: c.veto,
        veto_threshold: c.veto_threshold,
        max_msgs: MAX_MSGS,
        max_excluded: MAX_EXCLUDED,
    })
}

fn response(deps: Deps, env: &Env, p: Proposal) -> StdResult<ProposalResponse> {
    let v = view(&p, env.block.time).map_err(|e| StdError::generic_err(e.to_string()))?;
    let content = CONTENT.load(deps.storage, p.id)?;
    Ok(ProposalResponse {
        id: p.id,
        title: content.title,
        description: content.description,
        msgs: content.msgs,
        proposer: p.proposer,
        start_height: p.start_height,
        start_time: p.start_time,
        expires_at: p.expires_at,
        status: v.status,
        threshold: p.threshold,
        total_power: p.total_power,
        excluded_power: p.excluded_power,
        excluded: p.excluded,
        votes: p.votes,
        allow_revote: p.allow_revote,
        veto: p.veto,
        veto_threshold: p.veto_threshold,
        veto_votes_exceeded: v.veto_votes_exceeded,
        deposit: p.deposit,
        passed_at: v.passed_at,
        timelock_until: v.timelock_until,
        settled_at: p.settled_at,
        execution_error: p.execution_error,
    })
}
