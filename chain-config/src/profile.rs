//! Chain profiles (`profiles/*.toml`): the one source of truth for genesis, node config and wallet files.

use serde::Deserialize;
use thiserror::Error;

/// Profiles compiled into the binary, so the tool works from any directory.
const BUILTIN: &[(&str, &str)] = &[
    ("local", include_str!("../profiles/local.toml")),
    ("production", include_str!("../profiles/production.toml")),
    // The IBC counterparty (stock wasmd, prefix `wasm`) for make localnet-ibc and the IBC e2e tests.
    ("counterparty", include_str!("../profiles/counterparty.toml")),
];

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("unknown profile `{0}` (known: local, production, counterparty)")]
    Unknown(String),
    #[error("profile `{name}` is not valid TOML for a chain profile: {source}")]
    Parse { name: String, source: toml::de::Error },
    #[error("profile `{name}`: {reason}")]
    Invalid { name: String, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub chain: Chain,
    pub token: Token,
    pub fees: Fees,
    pub allocation: Vec<Allocation>,
    pub staking: Staking,
    pub slashing: Slashing,
    pub gov: Gov,
    pub distribution: Distribution,
    pub wasm: Wasm,
    pub consensus: Consensus,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    pub chain_id: String,
    pub chain_name: String,
    pub pretty_name: String,
    pub network_type: String,
    pub status: String,
    pub website: String,
    pub daemon_name: String,
    pub node_home: String,
    pub bech32_prefix: String,
    pub slip44: u32,
    pub timeout_commit: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    pub base: String,
    pub display: String,
    pub symbol: String,
    pub name: String,
    pub decimals: u32,
    pub description: String,
    /// In display units (EMC).
    pub total_supply: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fees {
    pub min_gas_price: String,
    pub low: String,
    pub average: String,
    pub high: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub bucket: String,
    pub percent: u32,
    pub vesting: Vesting,
    #[serde(default)]
    pub liquid_allowed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Vesting {
    None,
    Periodic {
        cliff_days: u64,
        tranches: u32,
        tranche_days: u64,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staking {
    pub max_validators: u32,
    pub unbonding_time: String,
    pub max_entries: u32,
    pub historical_entries: u32,
    pub min_commission_rate: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slashing {
    pub signed_blocks_window: u64,
    pub min_signed_per_window: String,
    pub downtime_jail_duration: String,
    pub slash_fraction_double_sign: String,
    pub slash_fraction_downtime: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gov {
    pub min_deposit: String,
    pub expedited_min_deposit: String,
    pub max_deposit_period: String,
    pub voting_period: String,
    pub expedited_voting_period: String,
    pub quorum: String,
    pub threshold: String,
    pub veto_threshold: String,
    pub min_initial_deposit_ratio: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub community_tax: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wasm {
    pub code_upload_access: String,
    pub instantiate_default_permission: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consensus {
    pub block_max_gas: String,
    pub block_max_bytes: String,
}

impl Profile {
    /// Loads a built-in profile by name (`local`, `production` or `counterparty`).
    pub fn builtin(name: &str) -> Result<Self, ProfileError> {
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ProfileError::Unknown(name.to_string()))?;
        Self::parse(name, text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Self, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|source| ProfileError::Parse {
            name: name.to_string(),
            source,
        })?;
        profile.validate().map_err(|reason| ProfileError::Invalid {
            name: name.to_string(),
            reason,
        })?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), String> {
        let percent: u32 = self.allocation.iter().map(|a| a.percent).sum();
        if percent != 100 {
            return Err(format!("allocation percentages add up to {percent}, not 100"));
        }
        for a in &self.allocation {
            if let Vesting::Periodic {
                tranches, tranche_days, ..
            } = a.vesting
            {
                if tranches == 0 || tranche_days == 0 {
                    return Err(format!("bucket {}: tranches and tranche_days must be > 0", a.bucket));
                }
            }
        }
        if self.token.decimals > 18 {
            return Err("token decimals must be <= 18".into());
        }
        self.total_supply_base()?;
        Ok(())
    }

    /// 10^decimals: base units per display unit.
    pub fn base_per_display(&self) -> u128 {
        10u128.pow(self.token.decimals)
    }

    /// Total genesis supply in base units (uemc).
    pub fn total_supply_base(&self) -> Result<u128, String> {
        self.display_to_base(&self.token.total_supply)
    }

    /// Converts a whole number of display units (e.g. "10" EMC) into base units.
    pub fn display_to_base(&self, display: &str) -> Result<u128, String> {
        display
            .parse::<u128>()
            .ok()
            .and_then(|v| v.checked_mul(self.base_per_display()))
            .ok_or_else(|| format!("`{display}` is not a whole number of {}", self.token.symbol))
    }

    /// Size of a bucket in base units. Percentages are whole, so this is exact for any supply divisible by 100.
    pub fn bucket_total(&self, bucket: &str) -> Option<u128> {
        let total = self.total_supply_base().ok()?;
        self.allocation
            .iter()
            .find(|a| a.bucket == bucket)
            .map(|a| total / 100 * u128::from(a.percent))
    }

    pub fn allocation(&self, bucket: &str) -> Option<&Allocation> {
        self.allocation.iter().find(|a| a.bucket == bucket)
    }

    /// `min_gas_price` with the denom, as app.toml wants it (e.g. `0.025uemc`).
    pub fn min_gas_price_coin(&self) -> String {
        format!("{}{}", self.fees.min_gas_price, self.token.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse_and_split_supply() {
        for name in ["local", "production"] {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.total_supply_base().unwrap(), 100_000_000_000u128 * 1_000_000);
            assert_eq!(p.bucket_total("mining_pool").unwrap(), 72_000_000_000u128 * 1_000_000);
            assert_eq!(p.bucket_total("private").unwrap(), 10_000_000_000u128 * 1_000_000);
            assert_eq!(p.bucket_total("tech").unwrap(), 3_000_000_000u128 * 1_000_000);
            assert_eq!(p.bucket_total("institutions").unwrap(), 15_000_000_000u128 * 1_000_000);
            assert_eq!(p.staking.max_validators, 21);
            assert_eq!(p.token.base, "uemc");
            assert_eq!(p.chain.bech32_prefix, "emc");
        }
        assert_eq!(Profile::builtin("local").unwrap().chain.chain_id, "edgemint-local-1");
        assert_eq!(Profile::builtin("production").unwrap().chain.chain_id, "edgemint-1");
        assert_eq!(
            Profile::builtin("production").unwrap().staking.unbonding_time,
            "1814400s"
        );
    }

    #[test]
    fn rejects_bad_percentages_and_unknown_names() {
        let text = include_str!("../profiles/local.toml").replace("percent = 72", "percent = 71");
        let err = Profile::parse("x", &text).unwrap_err().to_string();
        assert!(err.contains("add up to 99"), "{err}");
        assert!(matches!(Profile::builtin("mainnet"), Err(ProfileError::Unknown(_))));
        let cp = Profile::builtin("counterparty").unwrap();
        assert_eq!(
            (
                cp.chain.chain_id.as_str(),
                cp.chain.bech32_prefix.as_str(),
                cp.token.base.as_str()
            ),
            ("wasm-local-1", "wasm", "ucpt")
        );
        assert_eq!(cp.chain.daemon_name, "wasmd");
        let text = include_str!("../profiles/local.toml").replace("[fees]", "[fees]\nbogus = 1");
        assert!(matches!(Profile::parse("x", &text), Err(ProfileError::Parse { .. })));
    }
}
