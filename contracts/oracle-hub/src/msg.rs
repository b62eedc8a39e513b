use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, HexBinary, Timestamp, Uint128};
use cw_ownable::Action;

pub use edgemint_types::oracle::{CurrentEpochResponse, EpochResponse, EpochStatus, HubQueryMsg};

#[cw_serde]
pub struct InstantiateMsg {
    /// Admin (the DAO later); defaults to the instantiating sender.
    pub admin: Option<String>,
    /// The device-registry contract (device keys for device evidence).
    pub registry: String,
    /// The staking contract (slashes devices on device evidence; this hub must be one of its slashers).
    pub staking: String,
    /// The rewards contract. Usually instantiated after the hub, so it may be set later with `UpdateConfig`; reports
    /// are refused until it is set.
    pub rewards: Option<String>,
    /// Bond denom, `uemc`.
    pub denom: String,
    /// Bond an operator needs to be active (> 0).
    pub min_bond: Uint128,
    /// Seconds between `Unbond` and the entry becoming claimable (≤ 365 days).
    pub bond_unbonding_period: u64,
    /// Start of epoch 0; defaults to the instantiating block's time.
    pub epoch_genesis: Option<Timestamp>,
    /// Epoch length in seconds (60 ..= 365 days).
    pub epoch_length: u64,
    /// Share of the epoch's electorate (the operators listed at its first report) that must report one root; in
    /// (0.5, 1], default 2/3.
    pub quorum: Option<Decimal>,
    /// Seconds between acceptance and finality, during which the admin may veto (≤ 365 days; 0 = final at once).
    pub challenge_window: u64,
    /// Fraction of an equivocating operator's bond (and still-unbonding entries) that is slashed (≤ 1).
    pub slash_fraction: Decimal,
    /// Fraction of the slashed amount paid to whoever submitted the evidence (≤ 1); the rest goes to the rewards
    /// pool as revenue.
    pub bounty_fraction: Decimal,
    /// Listed operators an epoch's first report needs (`TooFewOperators` below that); 1..=50, default 3.
    pub min_operators: Option<u32>,
}

/// The content of one operator report; the statement an operator signs is built from it (see `ReportStatement`).
#[cw_serde]
pub struct ReportFields {
    pub epoch: u64,
    /// Merkle root of the epoch's rewards leaves (32 bytes, hex).
    pub root: HexBinary,
    /// Sum of all leaf amounts under the root.
    pub total_amount: Uint128,
    pub device_count: u64,
    /// Commitment to the telemetry the root was computed from (32 bytes, hex).
    pub telemetry_commitment: HexBinary,
}

#[cw_serde]
pub enum ExecuteMsg {
    // ----- operators -----
    /// Admin: add `address` as an operator (or re-add a removed one) with the compressed secp256k1 key (33 bytes)
    /// that signs its report statements. At most 50 operators.
    AddOperator { address: String, pubkey: Binary },
    /// Admin: remove an operator. It stops being active at once; its reports stay counted; its bond stays
    /// slashable and can be unbonded as usual.
    RemoveOperator { address: String },
    /// An operator (listed) bonds the attached `denom`.
    Bond {},
    /// Move `amount` of the sender's bond into an unbonding entry (at most 7 at a time).
    Unbond { amount: Uint128 },
    /// Pay out the sender's matured unbonding entries.
    ClaimBond {},

    // ----- epochs -----
    /// An active operator's report for an ended epoch. `signature` is the operator key's secp256k1 signature (64
    /// bytes, compact r||s) over sha256 of the report statement. One report per operator per epoch; after the
    /// epoch's first report only members of its electorate (the operators listed then) may report.
    SubmitReport {
        epoch: u64,
        root: HexBinary,
        total_amount: Uint128,
        device_count: u64,
        telemetry_commitment: HexBinary,
        signature: Binary,
    },
    /// Admin (the DAO): veto the accepted root of `epoch` while its challenge window runs. `reason`: 1..=256 bytes.
    Veto { epoch: u64, reason: String },
    /// Admin (the DAO): give up on an epoch that has reports but no accepted root and ended at least 7 epoch lengths
    /// ago. Terminal (`abandoned`); its reserved budget returns to the rewards pool (`ReleaseEpoch`).
    AbandonEpoch { epoch: u64 },

    // ----- evidence (anyone) -----
    /// Two statements signed by `operator` for the same epoch with different contents: slashes the operator's bond,
    /// pays the bounty to the sender and removes the operator. Once per (operator, epoch).
    SubmitOperatorEvidence {
        operator: String,
        statement_a: ReportFields,
        signature_a: Binary,
        statement_b: ReportFields,
        signature_b: Binary,
    },
    /// Two encoded telemetry reports (`edgemint_types::telemetry`) of one device with the same sequence number and
    /// different contents, both signed by the device's registered key: staking slashes and bans the device and pays
    /// the sender. Once per (device, sequence).
    SubmitDeviceEvidence {
        report_a: Binary,
        signature_a: Binary,
        report_b: Binary,
        signature_b: Binary,
    },

    // ----- admin -----
    /// Admin only. Every field is optional; `None` keeps the current value. `epoch_genesis` and `epoch_length`
    /// cannot change once any report was submitted.
    UpdateConfig {
        registry: Option<String>,
        staking: Option<String>,
        rewards: Option<String>,
        min_bond: Option<Uint128>,
        bond_unbonding_period: Option<u64>,
        epoch_genesis: Option<Timestamp>,
        epoch_length: Option<u64>,
        quorum: Option<Decimal>,
        challenge_window: Option<u64>,
        slash_fraction: Option<Decimal>,
        bounty_fraction: Option<Decimal>,
        min_operators: Option<u32>,
    },
    /// cw-ownable two-step admin handover, as in the registry and staking:
    /// `{"transfer_ownership":{"new_owner":..,"expiry":null}}` by the admin, then `"accept_ownership"` by the new
    /// admin. `"renounce_ownership"` is refused.
    UpdateOwnership(Action),
}

/// Which evidence to look up in `EvidenceUsed`.
#[cw_serde]
pub enum EvidenceKey {
    Operator { operator: String, epoch: u64 },
    Device { device_id: u64, sequence: u64 },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The admin and any pending admin handover (cw-ownable).
    #[returns(cw_ownable::Ownership<Addr>)]
    Ownership {},
    #[returns(OperatorResponse)]
    Operator { address: String },
    /// Every operator ever added (listed or removed), by address; `limit` defaults to 10, at most 50.
    #[returns(OperatorsResponse)]
    Operators {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Same JSON and answer as `edgemint_types::oracle::HubQueryMsg::Epoch`.
    #[returns(EpochResponse)]
    Epoch { epoch: u64 },
    /// Same JSON and answer as `edgemint_types::oracle::HubQueryMsg::CurrentEpoch`.
    #[returns(CurrentEpochResponse)]
    CurrentEpoch {},
    /// Every report of `epoch` (at most 50), with the quorum bookkeeping and the veto, if any.
    #[returns(ReportsResponse)]
    Reports { epoch: u64 },
    /// The exact statement an operator signs for these fields on this chain and this hub.
    #[returns(ReportStatementResponse)]
    ReportStatement {
        epoch: u64,
        root: HexBinary,
        total_amount: Uint128,
        device_count: u64,
        telemetry_commitment: HexBinary,
    },
    /// Whether a piece of evidence was already used, by whom and when.
    #[returns(EvidenceUsedResponse)]
    EvidenceUsed { evidence: EvidenceKey },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: Addr,
    pub pending_admin: Option<Addr>,
    pub registry: Addr,
    pub staking: Addr,
    pub rewards: Option<Addr>,
    pub denom: String,
    pub min_bond: Uint128,
    pub bond_unbonding_period: u64,
    pub epoch_genesis: Timestamp,
    pub epoch_length: u64,
    pub quorum: Decimal,
    pub challenge_window: u64,
    pub slash_fraction: Decimal,
    pub bounty_fraction: Decimal,
    /// Listed operators an epoch's first report needs.
    pub min_operators: u32,
    /// Operators added and not removed (≤ `max_operators`).
    pub listed_operators: u32,
    /// Listed operators with at least `min_bond` bonded now.
    pub active_operators: u32,
    pub max_operators: u32,
    pub max_unbonding_entries: u32,
    /// True once any report was submitted: `epoch_genesis` and `epoch_length` are fixed from then on.
    pub epoch_timing_locked: bool,
}

#[cw_serde]
pub struct BondEntryResponse {
    pub id: u64,
    pub amount: Uint128,
    pub release_at: Timestamp,
    pub claimable: bool,
}

#[cw_serde]
pub struct OperatorResponse {
    pub address: Addr,
    /// Compressed secp256k1 key that signs the operator's report statements.
    pub pubkey: Binary,
    /// Added by the admin and not removed since.
    pub listed: bool,
    /// `listed && bonded >= min_bond`: may report (for an epoch whose electorate it belongs to).
    pub active: bool,
    pub bonded: Uint128,
    /// Sum of the unbonding entries (matured or not, until claimed).
    pub unbonding: Uint128,
    /// Ascending by id.
    pub unbonding_entries: Vec<BondEntryResponse>,
    pub added_at: Timestamp,
    pub removed_at: Option<Timestamp>,
}

#[cw_serde]
pub struct OperatorsResponse {
    pub operators: Vec<OperatorResponse>,
}

#[cw_serde]
pub struct ReportResponse {
    pub operator: Addr,
    pub epoch: u64,
    pub root: HexBinary,
    pub total_amount: Uint128,
    pub device_count: u64,
    pub telemetry_commitment: HexBinary,
    /// The operator's signature over the report statement (verified on submission).
    pub signature: Binary,
    pub submitted_at: Timestamp,
    /// Reports with exactly these contents so far.
    pub votes: u32,
    /// Whether these contents are the epoch's accepted root.
    pub accepted: bool,
}

#[cw_serde]
pub struct VetoResponse {
    pub at: Timestamp,
    pub reason: String,
}

#[cw_serde]
pub struct ReportsResponse {
    pub epoch: u64,
    pub status: EpochStatus,
    /// Size of the electorate (0 before the first report): the quorum's denominator.
    pub operator_count: u32,
    /// Identical reports needed for acceptance: ceil(quorum × operator_count), fixed at the first report.
    pub threshold: u32,
    /// The operators listed at the epoch's first report, by address: the only ones who may report for it.
    pub electorate: Vec<Addr>,
    /// The device budget frozen at the first report (0 before): no report's total may exceed it.
    pub device_budget: Uint128,
    /// By operator address.
    pub reports: Vec<ReportResponse>,
    pub veto: Option<VetoResponse>,
    /// When the admin abandoned the epoch, if it did.
    pub abandoned_at: Option<Timestamp>,
}

#[cw_serde]
pub struct ReportStatementResponse {
    /// The statement bytes (UTF-8): `edgemint-report/v1\n{chain_id}\n{hub}\n{epoch}\n{root_hex}\n{total_amount}\n
    /// {device_count}\n{commitment_hex}`.
    pub statement: Binary,
    /// The same bytes as text.
    pub text: String,
    /// sha256(statement): what the operator's secp256k1 key signs.
    pub hash: HexBinary,
}

#[cw_serde]
pub struct EvidenceUsedResponse {
    pub used: bool,
    /// Who submitted it.
    pub reporter: Option<Addr>,
    pub at: Option<Timestamp>,
}
