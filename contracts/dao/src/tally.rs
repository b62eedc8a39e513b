//! Deciding a proposal from its tally: cw-utils thresholds with cw3 semantics, the `no_with_veto` threshold, and
//! early decisions (a proposal is decided before its end only when no further vote could change the outcome).
//!
//! All arithmetic is `Uint128` checked; `votes_needed` rounds up (`ceil(weight × fraction)`).

use cosmwasm_std::{Decimal, OverflowError, Uint128};
use cw_utils::Threshold;

use crate::error::ContractError;
use crate::msg::{Vote, Votes};

impl Votes {
    pub fn total(&self) -> Result<Uint128, OverflowError> {
        self.yes
            .checked_add(self.no)?
            .checked_add(self.abstain)?
            .checked_add(self.no_with_veto)
    }

    fn slot(&mut self, vote: Vote) -> &mut Uint128 {
        match vote {
            Vote::Yes => &mut self.yes,
            Vote::No => &mut self.no,
            Vote::Abstain => &mut self.abstain,
            Vote::NoWithVeto => &mut self.no_with_veto,
        }
    }

    pub fn add(&mut self, vote: Vote, power: Uint128) -> Result<(), OverflowError> {
        let slot = self.slot(vote);
        *slot = slot.checked_add(power)?;
        Ok(())
    }

    pub fn remove(&mut self, vote: Vote, power: Uint128) -> Result<(), OverflowError> {
        let slot = self.slot(vote);
        *slot = slot.checked_sub(power)?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Not decided yet.
    Pending,
    Passed,
    Rejected {
        /// `no_with_veto` exceeded the veto threshold: the deposit is forfeited.
        by_veto: bool,
    },
}

/// `ceil(weight × fraction)`.
fn votes_needed(weight: Uint128, fraction: Decimal) -> Result<Uint128, ContractError> {
    Ok(weight.checked_mul_ceil(fraction)?)
}

/// Whether `yes` meets the threshold, given `no` (no + no_with_veto), `abstain` and the power that has not voted
/// counted as `rest_as_no` (the worst case for yes) or not at all (at the end).
fn meets(
    threshold: &Threshold,
    total: Uint128,
    yes: Uint128,
    no: Uint128,
    abstain: Uint128,
    rest_as_no: Uint128,
) -> Result<bool, ContractError> {
    // A proposal without a single yes never passes (e.g. all-abstain with a threshold over yes+no).
    if yes.is_zero() {
        return Ok(false);
    }
    Ok(match threshold {
        Threshold::AbsoluteCount { weight } => yes >= Uint128::from(*weight),
        // cw3: a share of the total power minus abstentions, whatever the turnout.
        Threshold::AbsolutePercentage { percentage } => yes >= votes_needed(total.checked_sub(abstain)?, *percentage)?,
        Threshold::ThresholdQuorum { threshold, quorum } => {
            let cast = yes.checked_add(no)?.checked_add(abstain)?;
            if cast < votes_needed(total, *quorum)? {
                return Ok(false);
            }
            let opinions = yes.checked_add(no)?.checked_add(rest_as_no)?;
            yes >= votes_needed(opinions, *threshold)?
        }
    })
}

/// `part / whole > fraction` (false without a fraction or with nothing cast): `part > floor(fraction × whole)` for
/// integers.
fn share_exceeds(part: Uint128, whole: Uint128, fraction: Option<Decimal>) -> Result<bool, ContractError> {
    Ok(match fraction {
        Some(f) if !whole.is_zero() => part > whole.checked_mul_floor(f)?,
        _ => false,
    })
}

/// Whether `no_with_veto` exceeds the veto threshold: of the votes cast at the end, or for certain before it (of the
/// whole eligible power, which the votes cast can at most reach).
pub fn veto_exceeded(
    veto_threshold: Option<Decimal>,
    votes: &Votes,
    total: Uint128,
    ended: bool,
) -> Result<bool, ContractError> {
    let whole = if ended { votes.total()? } else { total };
    share_exceeds(votes.no_with_veto, whole, veto_threshold)
}

/// Decides a proposal from `votes` out of the eligible `total` power.
///
/// - At the end (`ended`): passed iff the threshold is met and `no_with_veto` does not exceed `veto_threshold` of
///   the votes cast; otherwise rejected.
/// - Before the end: passed iff it would pass even if all the power that has not voted voted `no_with_veto`;
///   rejected iff it could not pass even if all of it voted `yes`; pending otherwise. (With revote enabled the caller
///   only decides at the end: cast votes can still change.)
pub fn outcome(
    threshold: &Threshold,
    veto_threshold: Option<Decimal>,
    votes: &Votes,
    total: Uint128,
    ended: bool,
) -> Result<Outcome, ContractError> {
    let cast = votes.total()?;
    // Votes are bounded by the snapshot total; anything else is a bug in the power source.
    let remaining = total.checked_sub(cast)?;
    let no = votes.no.checked_add(votes.no_with_veto)?;

    let veto_exceeded = |veto: Uint128, cast: Uint128| share_exceeds(veto, cast, veto_threshold);

    if ended {
        if veto_exceeded(votes.no_with_veto, cast)? {
            return Ok(Outcome::Rejected { by_veto: true });
        }
        return Ok(
            if meets(threshold, total, votes.yes, no, votes.abstain, Uint128::zero())? {
                Outcome::Passed
            } else {
                Outcome::Rejected { by_veto: false }
            },
        );
    }

    // Certain veto: even if all the rest voted (for anything else), the share stays above the threshold.
    if veto_exceeded(votes.no_with_veto, total)? {
        return Ok(Outcome::Rejected { by_veto: true });
    }
    let worst_veto = votes.no_with_veto.checked_add(remaining)?;
    if !veto_exceeded(worst_veto, total)? && meets(threshold, total, votes.yes, no, votes.abstain, remaining)? {
        return Ok(Outcome::Passed);
    }
    let best_yes = votes.yes.checked_add(remaining)?;
    if !meets(threshold, total, best_yes, no, votes.abstain, Uint128::zero())? {
        return Ok(Outcome::Rejected { by_veto: false });
    }
    Ok(Outcome::Pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(yes: u128, no: u128, abstain: u128, veto: u128) -> Votes {
        Votes {
            yes: Uint128::new(yes),
            no: Uint128::new(no),
            abstain: Uint128::new(abstain),
            no_with_veto: Uint128::new(veto),
        }
    }

    fn out(t: &Threshold, vt: Option<u64>, votes: Votes, total: u128, ended: bool) -> Outcome {
        outcome(t, vt.map(Decimal::percent), &votes, Uint128::new(total), ended).unwrap()
    }

    const PASSED: Outcome = Outcome::Passed;
    const REJECTED: Outcome = Outcome::Rejected { by_veto: false };
    const VETOED: Outcome = Outcome::Rejected { by_veto: true };
    const PENDING: Outcome = Outcome::Pending;

    #[test]
    fn absolute_count() {
        let t = Threshold::AbsoluteCount { weight: 60 };
        assert_eq!(out(&t, None, v(60, 0, 0, 0), 100, false), PASSED);
        assert_eq!(out(&t, None, v(59, 0, 0, 0), 100, false), PENDING);
        assert_eq!(out(&t, None, v(59, 0, 0, 0), 100, true), REJECTED);
        // 41 against: at most 59 yes are left
        assert_eq!(out(&t, None, v(0, 41, 0, 0), 100, false), REJECTED);
        assert_eq!(out(&t, None, v(0, 20, 20, 0), 100, false), PENDING);
        // unreachable count: rejected at once
        let t = Threshold::AbsoluteCount { weight: 101 };
        assert_eq!(out(&t, None, v(0, 0, 0, 0), 100, false), REJECTED);
    }

    #[test]
    fn absolute_percentage_excludes_abstentions() {
        let t = Threshold::AbsolutePercentage {
            percentage: Decimal::percent(50),
        };
        assert_eq!(out(&t, None, v(50, 0, 0, 0), 100, false), PASSED);
        assert_eq!(out(&t, None, v(49, 0, 0, 0), 100, true), REJECTED);
        // 40 abstain: 30 of the other 60 suffice
        assert_eq!(out(&t, None, v(30, 0, 40, 0), 100, false), PASSED);
        assert_eq!(out(&t, None, v(29, 0, 40, 0), 100, false), PENDING);
        assert_eq!(out(&t, None, v(29, 0, 40, 0), 100, true), REJECTED);
        assert_eq!(out(&t, None, v(0, 51, 0, 0), 100, false), REJECTED);
        // rounding up: 50% of 99 needs 50
        assert_eq!(out(&t, None, v(49, 0, 0, 0), 99, true), REJECTED);
        assert_eq!(out(&t, None, v(50, 0, 0, 0), 99, true), PASSED);
    }

    #[test]
    fn threshold_quorum() {
        let t = Threshold::ThresholdQuorum {
            threshold: Decimal::percent(50),
            quorum: Decimal::percent(40),
        };
        // at the end: quorum 40 of 100, then yes ≥ half of yes+no
        assert_eq!(out(&t, None, v(20, 19, 0, 0), 100, true), REJECTED); // 39 < quorum
        assert_eq!(out(&t, None, v(20, 20, 0, 0), 100, true), PASSED);
        assert_eq!(out(&t, None, v(20, 21, 0, 0), 100, true), REJECTED);
        assert_eq!(out(&t, None, v(20, 0, 20, 0), 100, true), PASSED); // abstain counts for quorum only
        assert_eq!(out(&t, None, v(0, 0, 40, 0), 100, true), REJECTED); // all abstain: no yes
                                                                        // early: yes must win against everyone who has not voted
        assert_eq!(out(&t, None, v(40, 0, 0, 0), 100, false), PENDING);
        assert_eq!(out(&t, None, v(50, 0, 0, 0), 100, false), PASSED);
        assert_eq!(out(&t, None, v(30, 0, 40, 0), 100, false), PASSED);
        assert_eq!(out(&t, None, v(0, 51, 0, 0), 100, false), REJECTED);
        assert_eq!(out(&t, None, v(10, 50, 0, 0), 100, false), PENDING); // 10+40 = 50 ≥ 50% of 100
        assert_eq!(out(&t, None, v(10, 51, 0, 0), 100, false), REJECTED);
    }

    #[test]
    fn veto_threshold() {
        let t = Threshold::ThresholdQuorum {
            threshold: Decimal::percent(50),
            quorum: Decimal::percent(30),
        };
        // 34 of 100 cast is more than a third: vetoed even though yes has 66
        assert_eq!(out(&t, Some(33), v(66, 0, 0, 34), 100, true), VETOED);
        assert_eq!(out(&t, Some(34), v(66, 0, 0, 34), 100, true), PASSED);
        // before the end: a certain veto rejects at once
        assert_eq!(out(&t, Some(33), v(0, 0, 0, 34), 100, false), VETOED);
        // yes is over the threshold but the rest could still veto: pending
        assert_eq!(out(&t, Some(33), v(60, 0, 0, 0), 100, false), PENDING);
        assert_eq!(out(&t, None, v(60, 0, 0, 0), 100, false), PASSED);
        // 30 left cannot reach a third of 100
        assert_eq!(out(&t, Some(33), v(70, 0, 0, 0), 100, false), PASSED);
        // no_with_veto counts as no for the threshold
        assert_eq!(out(&t, Some(90), v(30, 0, 0, 31), 100, true), REJECTED);
    }

    #[test]
    fn whole_supply_at_ten_x_does_not_overflow() {
        // 10^17 uemc at the largest lock multiplier (10×).
        let total = 1_000_000_000_000_000_000u128;
        let t = Threshold::ThresholdQuorum {
            threshold: Decimal::percent(67),
            quorum: Decimal::percent(40),
        };
        assert_eq!(out(&t, Some(33), v(total, 0, 0, 0), total, false), PASSED);
        let big = Uint128::MAX;
        let votes = Votes {
            yes: big,
            no: Uint128::one(),
            ..Default::default()
        };
        assert!(votes.total().is_err());
        assert!(outcome(&t, None, &votes, big, true).is_err());
    }
}
