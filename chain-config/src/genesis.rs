//! Genesis builder: turns the genesis that `edgemintd init` writes (every module's defaults) into an Edgemint genesis
//! for a profile: chain id, token metadata, the 72/10/3/15 allocation with vesting, staking, slashing, gov, mint,
//! distribution, wasm and consensus parameters. Gentxs and `edgemintd genesis validate` come after (see localnet.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use cosmrs::AccountId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thiserror::Error;

use crate::profile::{Profile, Vesting};

const DAY: u64 = 86_400;

/// One recipient's share of one allocation bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub bucket: String,
    pub address: String,
    /// Base units (uemc), as a decimal string in JSON.
    #[serde(with = "u128_string")]
    pub amount: u128,
    /// Unlocked at genesis instead of following the bucket's vesting (only where the profile allows it).
    #[serde(default)]
    pub liquid: bool,
}

/// What a deployment supplies on top of the profile: when the chain starts and who gets what.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenesisInput {
    pub genesis_time: DateTime<Utc>,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum GenesisError {
    #[error("base genesis is missing `{0}`: pass the genesis.json written by `edgemintd init`")]
    MissingField(String),
    #[error("`{address}` is not a valid `{prefix}` account address: {reason}")]
    BadAddress {
        address: String,
        prefix: String,
        reason: String,
    },
    #[error("unknown allocation bucket `{0}`")]
    UnknownBucket(String),
    #[error("bucket `{bucket}` grants {granted} {denom} but the profile allocates exactly {expected}")]
    BucketMismatch {
        bucket: String,
        granted: u128,
        expected: u128,
        denom: String,
    },
    #[error("grant to {0} in bucket `{1}` is liquid, but that bucket vests and the profile allows no liquid grants")]
    LiquidNotAllowed(String, String),
    #[error("grant to {0} has amount 0")]
    ZeroGrant(String),
    #[error("{0} receives more than one grant; give each address one grant")]
    DuplicateAddress(String),
    #[error("denom `stake` (the SDK default) is still set at {0}")]
    DefaultDenomLeft(String),
}

/// Applies `profile` and `input` to `genesis` (as written by `edgemintd init`), in place.
pub fn build(genesis: &mut Value, profile: &Profile, input: &GenesisInput) -> Result<(), GenesisError> {
    check_grants(profile, &input.grants)?;
    let denom = profile.token.base.clone();
    let start = input.genesis_time.timestamp().max(0) as u64;

    genesis["chain_id"] = json!(profile.chain.chain_id);
    genesis["genesis_time"] = json!(input.genesis_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    genesis["initial_height"] = json!(1);

    let app = field(genesis, "app_state")?;
    let existing_accounts = field(app, "auth")?["accounts"].as_array().map_or(0, Vec::len);
    let mut accounts = Vec::new();
    let mut balances = Vec::new();
    for (i, grant) in input.grants.iter().enumerate() {
        let number = (existing_accounts + i).to_string();
        let vesting = profile
            .allocation(&grant.bucket)
            .map(|a| a.vesting)
            .unwrap_or(Vesting::None);
        accounts.push(account_json(grant, &number, vesting, start, &denom));
        balances.push(json!({"address": grant.address, "coins": [coin(&denom, grant.amount)]}));
    }
    push_all(field(app, "auth")?, "accounts", accounts)?;
    push_all(field(app, "bank")?, "balances", balances)?;
    let total: u128 = input.grants.iter().map(|g| g.amount).sum();
    field(app, "bank")?["supply"] = json!([coin(&denom, total)]);
    field(app, "bank")?["denom_metadata"] = json!([denom_metadata(profile)]);

    let s = &profile.staking;
    let staking = field(field(app, "staking")?, "params")?;
    staking["bond_denom"] = json!(denom);
    staking["max_validators"] = json!(s.max_validators);
    staking["unbonding_time"] = json!(s.unbonding_time);
    staking["max_entries"] = json!(s.max_entries);
    staking["historical_entries"] = json!(s.historical_entries);
    staking["min_commission_rate"] = json!(s.min_commission_rate);

    let sl = &profile.slashing;
    let slashing = field(field(app, "slashing")?, "params")?;
    slashing["signed_blocks_window"] = json!(sl.signed_blocks_window.to_string());
    slashing["min_signed_per_window"] = json!(sl.min_signed_per_window);
    slashing["downtime_jail_duration"] = json!(sl.downtime_jail_duration);
    slashing["slash_fraction_double_sign"] = json!(sl.slash_fraction_double_sign);
    slashing["slash_fraction_downtime"] = json!(sl.slash_fraction_downtime);

    let g = &profile.gov;
    let emc = |v: &str| profile.display_to_base(v).unwrap_or(0);
    let gov = field(field(app, "gov")?, "params")?;
    gov["min_deposit"] = json!([coin(&denom, emc(&g.min_deposit))]);
    gov["expedited_min_deposit"] = json!([coin(&denom, emc(&g.expedited_min_deposit))]);
    gov["max_deposit_period"] = json!(g.max_deposit_period);
    gov["voting_period"] = json!(g.voting_period);
    gov["expedited_voting_period"] = json!(g.expedited_voting_period);
    gov["quorum"] = json!(g.quorum);
    gov["threshold"] = json!(g.threshold);
    gov["veto_threshold"] = json!(g.veto_threshold);
    gov["min_initial_deposit_ratio"] = json!(g.min_initial_deposit_ratio);

    // Fixed supply: no inflation. Validators earn fees; miners are paid from the mining pool.
    let mint = field(app, "mint")?;
    field(mint, "minter")?["inflation"] = json!("0.000000000000000000");
    field(mint, "minter")?["annual_provisions"] = json!("0.000000000000000000");
    let mint_params = field(mint, "params")?;
    mint_params["mint_denom"] = json!(denom);
    mint_params["inflation_rate_change"] = json!("0.000000000000000000");
    mint_params["inflation_max"] = json!("0.000000000000000000");
    mint_params["inflation_min"] = json!("0.000000000000000000");

    field(field(app, "distribution")?, "params")?["community_tax"] = json!(profile.distribution.community_tax);
    if let Some(crisis) = app.get_mut("crisis") {
        crisis["constant_fee"] = json!(coin(&denom, emc("1000")));
    }
    let wasm = field(field(app, "wasm")?, "params")?;
    wasm["code_upload_access"] = json!({"permission": profile.wasm.code_upload_access, "addresses": []});
    wasm["instantiate_default_permission"] = json!(profile.wasm.instantiate_default_permission);

    let block = field(field(field(genesis, "consensus")?, "params")?, "block")?;
    block["max_gas"] = json!(profile.consensus.block_max_gas);
    block["max_bytes"] = json!(profile.consensus.block_max_bytes);

    if let Some(path) = find_default_denom(genesis, "$") {
        return Err(GenesisError::DefaultDenomLeft(path));
    }
    Ok(())
}

fn check_grants(profile: &Profile, grants: &[Grant]) -> Result<(), GenesisError> {
    let prefix = &profile.chain.bech32_prefix;
    let mut seen = BTreeSet::new();
    let mut per_bucket: BTreeMap<&str, u128> = BTreeMap::new();
    for g in grants {
        let bad = |reason: String| GenesisError::BadAddress {
            address: g.address.clone(),
            prefix: prefix.clone(),
            reason,
        };
        let id = AccountId::from_str(&g.address).map_err(|e| bad(e.to_string()))?;
        if id.prefix() != prefix {
            return Err(bad(format!("prefix is `{}`", id.prefix())));
        }
        if !seen.insert(g.address.as_str()) {
            return Err(GenesisError::DuplicateAddress(g.address.clone()));
        }
        if g.amount == 0 {
            return Err(GenesisError::ZeroGrant(g.address.clone()));
        }
        let alloc = profile
            .allocation(&g.bucket)
            .ok_or_else(|| GenesisError::UnknownBucket(g.bucket.clone()))?;
        if g.liquid && alloc.vesting != Vesting::None && !alloc.liquid_allowed {
            return Err(GenesisError::LiquidNotAllowed(g.address.clone(), g.bucket.clone()));
        }
        *per_bucket.entry(alloc.bucket.as_str()).or_default() += g.amount;
    }
    for a in &profile.allocation {
        let expected = profile.bucket_total(&a.bucket).unwrap_or(0);
        let granted = per_bucket.get(a.bucket.as_str()).copied().unwrap_or(0);
        if granted != expected {
            return Err(GenesisError::BucketMismatch {
                bucket: a.bucket.clone(),
                granted,
                expected,
                denom: profile.token.base.clone(),
            });
        }
    }
    Ok(())
}

fn account_json(grant: &Grant, number: &str, vesting: Vesting, start: u64, denom: &str) -> Value {
    let base = json!({"address": grant.address, "pub_key": null, "account_number": number, "sequence": "0"});
    let Vesting::Periodic {
        cliff_days,
        tranches,
        tranche_days,
    } = vesting
    else {
        return with_type("/cosmos.auth.v1beta1.BaseAccount", base);
    };
    if grant.liquid {
        return with_type("/cosmos.auth.v1beta1.BaseAccount", base);
    }
    let periods = vesting_periods(grant.amount, cliff_days * DAY, tranches, tranche_days * DAY);
    let end = start + periods.iter().map(|(len, _)| len).sum::<u64>();
    json!({
        "@type": "/cosmos.vesting.v1beta1.PeriodicVestingAccount",
        "base_vesting_account": {
            "base_account": base,
            "original_vesting": [coin(denom, grant.amount)],
            "delegated_free": [],
            "delegated_vesting": [],
            "end_time": end.to_string(),
        },
        "start_time": start.to_string(),
        "vesting_periods": periods.iter().map(|(len, amount)| json!({
            "length": len.to_string(), "amount": [coin(denom, *amount)]
        })).collect::<Vec<_>>(),
    })
}

/// Equal tranches (the last takes the rounding remainder); the first unlocks when the cliff ends.
pub fn vesting_periods(amount: u128, cliff_secs: u64, tranches: u32, tranche_secs: u64) -> Vec<(u64, u128)> {
    let n = u128::from(tranches.max(1));
    let each = amount / n;
    (0..n)
        .map(|i| {
            let len = if i == 0 { cliff_secs.max(1) } else { tranche_secs };
            let amt = if i == n - 1 { amount - each * (n - 1) } else { each };
            (len, amt)
        })
        .collect()
}

fn denom_metadata(p: &Profile) -> Value {
    let t = &p.token;
    json!({
        "description": t.description,
        "denom_units": [
            {"denom": t.base, "exponent": 0, "aliases": [format!("micro{}", t.display)]},
            {"denom": t.display, "exponent": t.decimals, "aliases": []}
        ],
        "base": t.base, "display": t.display, "name": t.name, "symbol": t.symbol, "uri": "", "uri_hash": ""
    })
}

fn coin(denom: &str, amount: u128) -> Value {
    json!({"denom": denom, "amount": amount.to_string()})
}

fn with_type(type_url: &str, mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("@type".into(), json!(type_url));
    }
    v
}

fn field<'a>(v: &'a mut Value, key: &str) -> Result<&'a mut Value, GenesisError> {
    v.get_mut(key)
        .ok_or_else(|| GenesisError::MissingField(key.to_string()))
}

fn push_all(v: &mut Value, key: &str, items: Vec<Value>) -> Result<(), GenesisError> {
    let list = v
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| GenesisError::MissingField(key.to_string()))?;
    list.extend(items);
    Ok(())
}

/// The SDK's default denom is `stake`; any left over means a module parameter was missed.
fn find_default_denom(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, child)| {
            let here = format!("{path}.{k}");
            if child.as_str() == Some("stake") && (k == "denom" || k.ends_with("_denom")) {
                Some(here)
            } else {
                find_default_denom(child, &here)
            }
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, child)| find_default_denom(child, &format!("{path}[{i}]"))),
        _ => None,
    }
}

mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}
