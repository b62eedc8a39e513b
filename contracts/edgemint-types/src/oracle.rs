//! The oracle hub's interface as other contracts see it: the rewards contract reads an epoch's status, root and
//! reporters from here. The hub's own `msg.rs` re-exports these.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, HexBinary, Timestamp, Uint128};

#[cw_serde]
#[derive(Copy, Eq)]
pub enum EpochStatus {
    /// Not over yet: no report is accepted for it.
    Open,
    /// Over; reports are coming in, no root has a quorum yet.
    Reported,
    /// A root reached the quorum; waiting out the challenge window.
    Accepted,
    /// The challenge window passed without a veto: claims are paid against the root.
    Final,
    /// The DAO vetoed the accepted root; nothing is paid for this epoch.
    Vetoed,
    /// The DAO abandoned an epoch that had reports but never reached a quorum; its reserved budget went back to the
    /// pool and nothing is paid for it. Terminal, like `Vetoed`.
    Abandoned,
}

/// One epoch as the hub sees it at the queried block time.
#[cw_serde]
pub struct EpochResponse {
    pub epoch: u64,
    pub status: EpochStatus,
    /// Start and end of the epoch (end exclusive).
    pub start: Timestamp,
    pub end: Timestamp,
    /// The accepted root (32 bytes), once a quorum agreed.
    pub root: Option<HexBinary>,
    /// Total of all leaf amounts under the accepted root.
    pub total_amount: Uint128,
    pub device_count: u64,
    pub accepted_at: Option<Timestamp>,
    /// When the accepted root becomes (or became) final.
    pub final_at: Option<Timestamp>,
    /// Operators whose report matched the accepted root (they share the operator reward).
    pub reporters: Vec<Addr>,
}

/// The epoch running at the queried block time.
#[cw_serde]
pub struct CurrentEpochResponse {
    pub epoch: u64,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The hub queries other contracts make (a subset of the hub's `QueryMsg`, same JSON).
#[cw_serde]
#[derive(QueryResponses)]
pub enum HubQueryMsg {
    #[returns(EpochResponse)]
    Epoch { epoch: u64 },
    #[returns(CurrentEpochResponse)]
    CurrentEpoch {},
}
