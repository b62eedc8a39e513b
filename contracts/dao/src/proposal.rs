//! Proposal life cycle: propose, vote, execute (with the failure recorded), veto, close.

use cosmwasm_std::{
    to_json_binary, Addr, CosmosMsg, Deps, DepsMut, Env, MessageInfo, Order, Response, Timestamp, Uint128, WasmMsg,
};
use cw_utils::nonpayable;
use edgemint_types::staking::{StakingQuery, TotalPowerAtHeightResponse, VotingPowerAtHeightResponse};

use crate::contract::{dispatch_submsg, ensure_self, refund, take_deposit};
use crate::error::ContractError;
use crate::msg::{DepositOutcome, ExecuteMsg, ProposalDeposit, RefundPolicy, Status, Vote, Votes};
use crate::state::{
    Ballot, Content, Proposal, BALLOTS, CONFIG, CONTENT, DEPOSITS_HELD, EXCLUDED, EXECUTING, MAX_DESCRIPTION_LEN,
    MAX_EXCLUDED, MAX_MSGS, MAX_TITLE_LEN, PROPOSALS, PROPOSAL_SEQ,
};
use crate::tally::{self, Outcome};

/// A proposal as it stands at `now`.
pub struct View {
    pub status: Status,
    pub passed_at: Option<Timestamp>,
    pub timelock_until: Option<Timestamp>,
    pub veto_votes_exceeded: bool,
}

/// The status at `now`: a stored `Open` proposal past its end is decided from its final tally (passing at
/// `expires_at`), and a passed one with a veto config is in its timelock until `passed_at + timelock`.
pub fn view(p: &Proposal, now: Timestamp) -> Result<View, ContractError> {
    let ended = now >= p.expires_at;
    let mut passed_at = p.passed_at;
    let status = match p.status {
        Status::Open if ended => match tally::outcome(&p.threshold, p.veto_threshold, &p.votes, p.total_power, true)? {
            Outcome::Passed => {
                passed_at = Some(p.expires_at);
                Status::Passed
            }
            _ => Status::Rejected,
        },
        s => s,
    };
    let timelock_until = match (&p.veto, passed_at) {
        (Some(v), Some(at)) => Some(at.plus_seconds(v.timelock)),
        _ => None,
    };
    let status = match (status, timelock_until) {
        (Status::Passed, Some(until)) if now < until => Status::VetoTimelock,
        (s, _) => s,
    };
    Ok(View {
        status,
        passed_at,
        timelock_until,
        veto_votes_exceeded: tally::veto_exceeded(p.veto_threshold, &p.votes, p.total_power, ended)?,
    })
}

fn load(deps: Deps, proposal_id: u64) -> Result<Proposal, ContractError> {
    PROPOSALS
        .may_load(deps.storage, proposal_id)?
        .ok_or(ContractError::ProposalNotFound { proposal_id })
}

fn power_at(deps: Deps, staking: &Addr, address: &Addr, height: u64) -> Result<Uint128, ContractError> {
    let r: VotingPowerAtHeightResponse = deps
        .querier
        .query_wasm_smart(
            staking,
            &StakingQuery::VotingPowerAtHeight {
                address: address.to_string(),
                height: Some(height),
            },
        )
        .map_err(|e| ContractError::StakingQuery { reason: e.to_string() })?;
    Ok(r.power)
}

fn total_power_at(deps: Deps, staking: &Addr, height: u64) -> Result<Uint128, ContractError> {
    let r: TotalPowerAtHeightResponse = deps
        .querier
        .query_wasm_smart(staking, &StakingQuery::TotalPowerAtHeight { height: Some(height) })
        .map_err(|e| ContractError::StakingQuery { reason: e.to_string() })?;
    Ok(r.power)
}

pub fn execute_propose(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    title: String,
    description: String,
    msgs: Vec<CosmosMsg>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let deposit = take_deposit(&config, &info)?;
    if title.trim().is_empty() || title.len() > MAX_TITLE_LEN {
        return Err(ContractError::InvalidTitle { max: MAX_TITLE_LEN });
    }
    if description.len() > MAX_DESCRIPTION_LEN {
        return Err(ContractError::InvalidDescription {
            max: MAX_DESCRIPTION_LEN,
        });
    }
    if msgs.len() > MAX_MSGS as usize {
        return Err(ContractError::TooManyMessages { max: MAX_MSGS });
    }

    // Power is read at the START of this block: stake added in this block (or later) does not count.
    let height = env.block.height;
    let mut excluded: Vec<Addr> = EXCLUDED
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_EXCLUDED as usize)
        .collect::<Result<_, _>>()?;
    // The DAO's own stake (treasury locked in staking) cannot vote: keep it out of the total.
    excluded.push(env.contract.address.clone());

    let proposer_power = if excluded.contains(&info.sender) {
        Uint128::zero()
    } else {
        power_at(deps.as_ref(), &config.staking, &info.sender, height)?
    };
    if proposer_power < config.min_proposer_power {
        return Err(ContractError::ProposerPowerTooLow {
            power: proposer_power,
            min: config.min_proposer_power,
            height,
        });
    }
    let mut excluded_power = Uint128::zero();
    for addr in &excluded {
        excluded_power = excluded_power.checked_add(power_at(deps.as_ref(), &config.staking, addr, height)?)?;
    }
    let total_power = total_power_at(deps.as_ref(), &config.staking, height)?.checked_sub(excluded_power)?;
    if total_power.is_zero() {
        return Err(ContractError::NoEligiblePower { height });
    }

    let id = PROPOSAL_SEQ.load(deps.storage)? + 1;
    PROPOSAL_SEQ.save(deps.storage, &id)?;
    let expires_at = env.block.time.plus_seconds(config.voting_period);
    let proposal_deposit = match (&deposit, &config.deposit) {
        (Some(coin), Some(d)) => {
            DEPOSITS_HELD.update(deps.storage, |held| -> Result<_, ContractError> {
                Ok(held.checked_add(coin.amount)?)
            })?;
            Some(ProposalDeposit {
                amount: coin.clone(),
                refund_policy: d.refund_policy,
                outcome: None,
            })
        }
        _ => None,
    };
    let proposal = Proposal {
        id,
        proposer: info.sender.clone(),
        start_height: height,
        start_time: env.block.time,
        expires_at,
        threshold: config.threshold,
        allow_revote: config.allow_revote,
        veto: config.veto,
        veto_threshold: config.veto_threshold,
        deposit: proposal_deposit,
        total_power,
        excluded_power,
        excluded,
        votes: Votes::default(),
        status: Status::Open,
        passed_at: None,
        settled_at: None,
        execution_error: None,
    };
    PROPOSALS.save(deps.storage, id, &proposal)?;
    let msg_count = msgs.len();
    CONTENT.save(
        deps.storage,
        id,
        &Content {
            title: title.clone(),
            description,
            msgs,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "propose")
        .add_attribute("proposal_id", id.to_string())
        .add_attribute("proposer", info.sender)
        .add_attribute("title", title)
        .add_attribute("msgs", msg_count.to_string())
        .add_attribute("start_height", height.to_string())
        .add_attribute("expires_at", expires_at.seconds().to_string())
        .add_attribute("total_power", total_power)
        .add_attribute("excluded_power", excluded_power)
        .add_attribute(
            "deposit",
            deposit.map(|c| c.to_string()).unwrap_or_else(|| "none".to_string()),
        ))
}

pub fn execute_vote(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
    vote: Vote,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut p = load(deps.as_ref(), proposal_id)?;
    let status = view(&p, env.block.time)?.status;
    if status != Status::Open {
        return Err(ContractError::VotingClosed { proposal_id, status });
    }
    if p.excluded.contains(&info.sender) {
        return Err(ContractError::Excluded {
            proposal_id,
            voter: info.sender.into_string(),
        });
    }
    let config = CONFIG.load(deps.storage)?;
    // The power at the proposal's start: stake added since does not vote, stake removed since still does.
    let power = power_at(deps.as_ref(), &config.staking, &info.sender, p.start_height)?;
    if power.is_zero() {
        return Err(ContractError::NoVotingPower { height: p.start_height });
    }

    let previous = BALLOTS.may_load(deps.storage, (proposal_id, &info.sender))?;
    if let Some(old) = &previous {
        if !p.allow_revote {
            return Err(ContractError::AlreadyVoted { proposal_id });
        }
        if old.vote == vote {
            return Err(ContractError::AlreadyCast {
                proposal_id,
                vote: vote.as_str().to_string(),
            });
        }
        // A revote replaces the ballot: its power leaves the old option before it joins the new one.
        p.votes.remove(old.vote, old.power)?;
    }
    p.votes.add(vote, power)?;
    BALLOTS.save(deps.storage, (proposal_id, &info.sender), &Ballot { vote, power })?;

    // Without revote, cast votes are final: decide as soon as no further vote can change the outcome.
    if !p.allow_revote {
        match tally::outcome(&p.threshold, p.veto_threshold, &p.votes, p.total_power, false)? {
            Outcome::Passed => {
                p.status = Status::Passed;
                p.passed_at = Some(env.block.time);
            }
            Outcome::Rejected { .. } => p.status = Status::Rejected,
            Outcome::Pending => {}
        }
    }
    PROPOSALS.save(deps.storage, proposal_id, &p)?;
    Ok(Response::new()
        .add_attribute("action", "vote")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("voter", info.sender)
        .add_attribute("vote", vote.as_str())
        .add_attribute("power", power)
        .add_attribute("revote", previous.is_some().to_string())
        .add_attribute("status", view(&p, env.block.time)?.status.as_str()))
}

/// Settles `p`'s deposit: refunded (a bank send to the proposer) if `refund`, otherwise kept by the treasury. Either
/// way it stops being held.
fn settle_deposit(deps: DepsMut, p: &mut Proposal, refund_it: bool) -> Result<Option<CosmosMsg>, ContractError> {
    let Some(d) = p.deposit.as_mut() else {
        return Ok(None);
    };
    if d.outcome.is_some() {
        return Ok(None);
    }
    DEPOSITS_HELD.update(deps.storage, |held| -> Result<_, ContractError> {
        Ok(held.checked_sub(d.amount.amount)?)
    })?;
    if refund_it {
        d.outcome = Some(DepositOutcome::Refunded);
        Ok(Some(refund(&p.proposer, d.amount.clone())))
    } else {
        d.outcome = Some(DepositOutcome::Forfeited);
        Ok(None)
    }
}

pub fn execute_execute(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut p = load(deps.as_ref(), proposal_id)?;
    let v = view(&p, env.block.time)?;
    match v.status {
        Status::Passed => {}
        Status::VetoTimelock => {
            let early = p
                .veto
                .as_ref()
                .is_some_and(|veto| veto.early_execute && info.sender.as_str() == veto.vetoer);
            if !early {
                return Err(ContractError::TimelockNotExpired {
                    proposal_id,
                    until: v.timelock_until.unwrap_or(p.expires_at),
                });
            }
        }
        status => return Err(ContractError::NotPassed { proposal_id, status }),
    }
    // Marked executed before anything runs: a second `execute` (also from the proposal's own messages) is refused.
    p.status = Status::Executed;
    p.passed_at = v.passed_at;
    p.settled_at = Some(env.block.time);
    let refund_it = p
        .deposit
        .as_ref()
        .is_some_and(|d| matches!(d.refund_policy, RefundPolicy::Always | RefundPolicy::OnlyPassed));
    let refund_msg = settle_deposit(deps.branch(), &mut p, refund_it)?;
    PROPOSALS.save(deps.storage, proposal_id, &p)?;

    let mut res = Response::new()
        .add_attribute("action", "execute")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("sender", &info.sender);
    if let Some(msg) = refund_msg {
        res = res.add_message(msg);
    }
    let has_msgs = !CONTENT.load(deps.storage, proposal_id)?.msgs.is_empty();
    if has_msgs {
        EXECUTING.save(deps.storage, &proposal_id)?;
        res = res.add_submessage(dispatch_submsg(&env, proposal_id)?);
    }
    Ok(res)
}

/// Inside the reply-on-error submessage of `execute`: the proposal's messages, then (if they may move funds and
/// deposits are held) the deposit reserve check. Any failure reverts all of them and `reply` records it.
pub fn execute_proposal_messages(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    ensure_self(&env, &info, "dispatch a proposal's messages")?;
    if EXECUTING.may_load(deps.storage)? != Some(proposal_id) {
        return Err(ContractError::Unauthorized {
            action: format!("dispatch the messages of proposal {proposal_id}"),
            allowed: "the DAO's own execution of that proposal".to_string(),
        });
    }
    EXECUTING.remove(deps.storage);
    let msgs = CONTENT.load(deps.storage, proposal_id)?.msgs;
    let check = msgs.iter().any(may_move_funds) && !DEPOSITS_HELD.load(deps.storage)?.is_zero();
    let mut res = Response::new()
        .add_attribute("action", "execute_proposal_messages")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_messages(msgs);
    if check {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: env.contract.address.to_string(),
            msg: to_json_binary(&ExecuteMsg::CheckDepositReserve {})?,
            funds: vec![],
        });
    }
    Ok(res)
}

/// Messages that cannot take funds from the DAO skip the reserve check (a plain execute or a migration).
fn may_move_funds(msg: &CosmosMsg) -> bool {
    match msg {
        CosmosMsg::Wasm(WasmMsg::Execute { funds, .. }) | CosmosMsg::Wasm(WasmMsg::Instantiate { funds, .. }) => {
            !funds.is_empty()
        }
        CosmosMsg::Wasm(WasmMsg::Migrate { .. })
        | CosmosMsg::Wasm(WasmMsg::UpdateAdmin { .. })
        | CosmosMsg::Wasm(WasmMsg::ClearAdmin { .. }) => false,
        _ => true,
    }
}

/// `reply` for a failed execution: the messages' effects are reverted; the proposal records the failure.
pub fn execution_failed(deps: DepsMut, env: Env, proposal_id: u64, error: String) -> Result<Response, ContractError> {
    EXECUTING.remove(deps.storage);
    let mut p = load(deps.as_ref(), proposal_id)?;
    p.status = Status::ExecutionFailed;
    p.settled_at = Some(env.block.time);
    p.execution_error = Some(error.clone());
    PROPOSALS.save(deps.storage, proposal_id, &p)?;
    Ok(Response::new()
        .add_attribute("action", "execution_failed")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("error", error))
}

pub fn execute_veto(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut p = load(deps.as_ref(), proposal_id)?;
    let Some(veto) = p.veto.clone() else {
        return Err(ContractError::NoVetoer { proposal_id });
    };
    if info.sender.as_str() != veto.vetoer {
        return Err(ContractError::Unauthorized {
            action: "veto".to_string(),
            allowed: "the vetoer".to_string(),
        });
    }
    let status = view(&p, env.block.time)?.status;
    let allowed = match status {
        Status::VetoTimelock => true,
        Status::Open => veto.veto_before_passed,
        _ => false,
    };
    if !allowed {
        return Err(ContractError::NotVetoable { proposal_id, status });
    }
    p.status = Status::Vetoed;
    p.settled_at = Some(env.block.time);
    let refund_it = p
        .deposit
        .as_ref()
        .is_some_and(|d| d.refund_policy == RefundPolicy::Always);
    let refund_msg = settle_deposit(deps.branch(), &mut p, refund_it)?;
    PROPOSALS.save(deps.storage, proposal_id, &p)?;
    Ok(Response::new()
        .add_messages(refund_msg)
        .add_attribute("action", "veto")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("vetoer", info.sender)
        .add_attribute("before", status.as_str()))
}

pub fn execute_close(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut p = load(deps.as_ref(), proposal_id)?;
    let v = view(&p, env.block.time)?;
    if v.status != Status::Rejected {
        return Err(ContractError::NotRejected {
            proposal_id,
            status: v.status,
        });
    }
    p.status = Status::Closed;
    p.settled_at = Some(env.block.time);
    // A proposal rejected by `no_with_veto` votes loses its deposit whatever the policy.
    let refund_it = !v.veto_votes_exceeded
        && p.deposit
            .as_ref()
            .is_some_and(|d| d.refund_policy == RefundPolicy::Always);
    let refund_msg = settle_deposit(deps.branch(), &mut p, refund_it)?;
    PROPOSALS.save(deps.storage, proposal_id, &p)?;
    let deposit = match p.deposit.as_ref().and_then(|d| d.outcome) {
        Some(DepositOutcome::Refunded) => "refunded",
        Some(DepositOutcome::Forfeited) => "forfeited",
        None => "none",
    };
    Ok(Response::new()
        .add_messages(refund_msg)
        .add_attribute("action", "close")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("sender", info.sender)
        .add_attribute("deposit", deposit))
}
