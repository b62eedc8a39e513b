//! Epoch arithmetic and status. Epoch N covers `[genesis + N·len, genesis + (N+1)·len)`; everything here is a pure
//! function of the config, the stored epoch state and the block time, so finality needs no transaction.

use cosmwasm_std::Timestamp;
use edgemint_types::oracle::EpochStatus;

use crate::error::ContractError;
use crate::state::{Config, EpochState};

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// `time + seconds`, or `TimeOverflow`.
pub fn add_seconds(time: Timestamp, seconds: u64) -> Result<Timestamp, ContractError> {
    seconds
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|nanos| time.nanos().checked_add(nanos))
        .map(Timestamp::from_nanos)
        .ok_or(ContractError::TimeOverflow {})
}

/// Start of `epoch` (inclusive).
pub fn epoch_start(config: &Config, epoch: u64) -> Result<Timestamp, ContractError> {
    epoch
        .checked_mul(config.epoch_length)
        .ok_or(ContractError::EpochOutOfRange { epoch })
        .and_then(|secs| add_seconds(config.epoch_genesis, secs))
        .map_err(|_| ContractError::EpochOutOfRange { epoch })
}

/// End of `epoch` (exclusive): the first moment it can be reported.
pub fn epoch_end(config: &Config, epoch: u64) -> Result<Timestamp, ContractError> {
    epoch
        .checked_add(1)
        .ok_or(ContractError::EpochOutOfRange { epoch })
        .and_then(|next| epoch_start(config, next))
        .map_err(|_| ContractError::EpochOutOfRange { epoch })
}

/// The epoch running at `now` (epoch 0 before genesis).
pub fn current_epoch(config: &Config, now: Timestamp) -> u64 {
    let elapsed = now.nanos().saturating_sub(config.epoch_genesis.nanos());
    // epoch_length ≥ MIN_EPOCH_LENGTH > 0, and ≤ 365 days, so neither the product nor the division can fail.
    elapsed / config.epoch_length.saturating_mul(NANOS_PER_SECOND).max(1)
}

/// Status of an epoch at `now`.
pub fn status(state: Option<&EpochState>, end: Timestamp, now: Timestamp) -> EpochStatus {
    if let Some(state) = state {
        if state.veto.is_some() {
            return EpochStatus::Vetoed;
        }
        if state.abandoned_at.is_some() {
            return EpochStatus::Abandoned;
        }
        if let Some(accepted) = &state.accepted {
            return if now >= accepted.final_at {
                EpochStatus::Final
            } else {
                EpochStatus::Accepted
            };
        }
    }
    if now < end {
        EpochStatus::Open
    } else {
        EpochStatus::Reported
    }
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::{Addr, Decimal, HexBinary, Uint128};

    use super::*;
    use crate::state::{AcceptedRoot, Veto};

    fn config(genesis: u64, len: u64) -> Config {
        Config {
            registry: Addr::unchecked("r"),
            staking: Addr::unchecked("s"),
            rewards: None,
            denom: "uemc".to_string(),
            min_bond: Uint128::one(),
            bond_unbonding_period: 0,
            epoch_genesis: Timestamp::from_seconds(genesis),
            epoch_length: len,
            quorum: Decimal::from_ratio(2u64, 3u64),
            challenge_window: 10,
            slash_fraction: Decimal::zero(),
            bounty_fraction: Decimal::zero(),
            min_operators: 3,
        }
    }

    #[test]
    fn boundaries() {
        let c = config(1_000, 100);
        assert_eq!(epoch_start(&c, 0).unwrap(), Timestamp::from_seconds(1_000));
        assert_eq!(epoch_end(&c, 0).unwrap(), Timestamp::from_seconds(1_100));
        assert_eq!(epoch_start(&c, 5).unwrap(), Timestamp::from_seconds(1_500));
        assert_eq!(current_epoch(&c, Timestamp::from_seconds(500)), 0);
        assert_eq!(current_epoch(&c, Timestamp::from_seconds(1_099)), 0);
        assert_eq!(current_epoch(&c, Timestamp::from_seconds(1_100)), 1);
        assert_eq!(current_epoch(&c, Timestamp::from_nanos(1_199_999_999_999)), 1);
        assert!(matches!(
            epoch_end(&c, u64::MAX),
            Err(ContractError::EpochOutOfRange { .. })
        ));
        assert!(matches!(
            epoch_start(&c, u64::MAX / 100),
            Err(ContractError::EpochOutOfRange { .. })
        ));
    }

    #[test]
    fn statuses() {
        let end = Timestamp::from_seconds(100);
        assert_eq!(status(None, end, Timestamp::from_seconds(99)), EpochStatus::Open);
        assert_eq!(status(None, end, end), EpochStatus::Reported);
        let mut state = EpochState {
            operator_count: 3,
            threshold: 2,
            report_count: 1,
            device_budget: Uint128::zero(),
            accepted: None,
            veto: None,
            abandoned_at: None,
        };
        assert_eq!(status(Some(&state), end, end), EpochStatus::Reported);
        state.accepted = Some(AcceptedRoot {
            candidate: HexBinary::from(vec![0; 32]),
            root: HexBinary::from(vec![0; 32]),
            total_amount: Uint128::zero(),
            device_count: 0,
            telemetry_commitment: HexBinary::from(vec![0; 32]),
            accepted_at: Timestamp::from_seconds(110),
            final_at: Timestamp::from_seconds(120),
        });
        assert_eq!(
            status(Some(&state), end, Timestamp::from_seconds(119)),
            EpochStatus::Accepted
        );
        assert_eq!(
            status(Some(&state), end, Timestamp::from_seconds(120)),
            EpochStatus::Final
        );
        state.veto = Some(Veto {
            at: Timestamp::from_seconds(115),
            reason: "x".to_string(),
        });
        assert_eq!(
            status(Some(&state), end, Timestamp::from_seconds(200)),
            EpochStatus::Vetoed
        );
        let abandoned = EpochState {
            operator_count: 3,
            threshold: 2,
            report_count: 1,
            device_budget: Uint128::zero(),
            accepted: None,
            veto: None,
            abandoned_at: Some(Timestamp::from_seconds(900)),
        };
        assert_eq!(
            status(Some(&abandoned), end, Timestamp::from_seconds(1_000)),
            EpochStatus::Abandoned
        );
    }
}
