//! Wallet and registry files generated from a profile: chain-registry `chain.json` and `assetlist.json`, and a Keplr
//! `ChainInfo` (what the dApp passes to `window.keplr.experimentalSuggestChain`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::profile::Profile;
use crate::versions;

/// Public endpoints written into the files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Endpoints {
    pub rpc: String,
    pub rest: String,
    pub grpc: String,
}

impl Endpoints {
    /// Placeholders for the production template; a real deployment passes its own.
    pub fn placeholder(p: &Profile) -> Self {
        let host = &p.chain.chain_name;
        Self {
            rpc: format!("https://rpc.{host}.invalid"),
            rest: format!("https://rest.{host}.invalid"),
            grpc: format!("grpc.{host}.invalid:443"),
        }
    }
}

fn num(s: &str) -> Value {
    s.parse::<f64>().map_or(Value::Null, |f| json!(f))
}

pub fn chain_json(p: &Profile, ep: &Endpoints) -> Value {
    let v = |k: &str| versions::get(k).unwrap_or("").trim_start_matches('v').to_string();
    json!({
        "$schema": "../chain.schema.json",
        "chain_name": p.chain.chain_name,
        "chain_type": "cosmos",
        "status": p.chain.status,
        "network_type": p.chain.network_type,
        "website": p.chain.website,
        "pretty_name": p.chain.pretty_name,
        "chain_id": p.chain.chain_id,
        "bech32_prefix": p.chain.bech32_prefix,
        "daemon_name": p.chain.daemon_name,
        "node_home": p.chain.node_home,
        "key_algos": ["secp256k1"],
        "slip44": p.chain.slip44,
        "fees": {"fee_tokens": [{
            "denom": p.token.base,
            "fixed_min_gas_price": num(&p.fees.min_gas_price),
            "low_gas_price": num(&p.fees.low),
            "average_gas_price": num(&p.fees.average),
            "high_gas_price": num(&p.fees.high),
        }]},
        "staking": {"staking_tokens": [{"denom": p.token.base}]},
        "codebase": {
            "recommended_version": versions::edgemintd_version(),
            "compatible_versions": [versions::edgemintd_version()],
            "consensus": {"type": "cometbft", "version": v("COMETBFT_VERSION")},
            "sdk": {"type": "cosmos", "version": v("COSMOS_SDK_VERSION")},
            "ibc": {"type": "go", "version": v("IBC_GO_VERSION")},
            "cosmwasm": {"version": v("WASMVM_VERSION"), "enabled": true},
        },
        "apis": {
            "rpc": [{"address": ep.rpc, "provider": "edgemint"}],
            "rest": [{"address": ep.rest, "provider": "edgemint"}],
            "grpc": [{"address": ep.grpc, "provider": "edgemint"}],
        },
    })
}

pub fn assetlist_json(p: &Profile) -> Value {
    let t = &p.token;
    json!({
        "$schema": "../assetlist.schema.json",
        "chain_name": p.chain.chain_name,
        "assets": [{
            "description": t.description,
            "denom_units": [
                {"denom": t.base, "exponent": 0},
                {"denom": t.display, "exponent": t.decimals},
            ],
            "type_asset": "sdk.coin",
            "base": t.base,
            "name": t.name,
            "display": t.display,
            "symbol": t.symbol,
        }],
    })
}

pub fn keplr_chain_info(p: &Profile, ep: &Endpoints) -> Value {
    let pre = &p.chain.bech32_prefix;
    let currency = json!({
        "coinDenom": p.token.symbol,
        "coinMinimalDenom": p.token.base,
        "coinDecimals": p.token.decimals,
    });
    let mut fee_currency = currency.clone();
    fee_currency["gasPriceStep"] = json!({
        "low": num(&p.fees.low), "average": num(&p.fees.average), "high": num(&p.fees.high),
    });
    json!({
        "chainId": p.chain.chain_id,
        "chainName": p.chain.pretty_name,
        "rpc": ep.rpc,
        "rest": ep.rest,
        "bip44": {"coinType": p.chain.slip44},
        "bech32Config": {
            "bech32PrefixAccAddr": pre,
            "bech32PrefixAccPub": format!("{pre}pub"),
            "bech32PrefixValAddr": format!("{pre}valoper"),
            "bech32PrefixValPub": format!("{pre}valoperpub"),
            "bech32PrefixConsAddr": format!("{pre}valcons"),
            "bech32PrefixConsPub": format!("{pre}valconspub"),
        },
        "currencies": [currency.clone()],
        "feeCurrencies": [fee_currency],
        "stakeCurrency": currency,
        "features": ["cosmwasm"],
    })
}

/// The three files by name, as written to disk.
pub fn files(p: &Profile, ep: &Endpoints) -> Vec<(&'static str, Value)> {
    vec![
        ("chain.json", chain_json(p, ep)),
        ("assetlist.json", assetlist_json(p)),
        ("keplr-chain-info.json", keplr_chain_info(p, ep)),
    ]
}

pub fn write_files(p: &Profile, ep: &Endpoints, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, value) in files(p, ep) {
        let text = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)? + "\n";
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keplr_info_is_consistent_with_the_profile() {
        let p = Profile::builtin("local").unwrap();
        let ep = Endpoints::placeholder(&p);
        let k = keplr_chain_info(&p, &ep);
        assert_eq!(k["chainId"], "edgemint-local-1");
        assert_eq!(k["bip44"]["coinType"], 118);
        assert_eq!(k["bech32Config"]["bech32PrefixValAddr"], "emcvaloper");
        assert_eq!(k["feeCurrencies"][0]["coinMinimalDenom"], "uemc");
        assert_eq!(k["feeCurrencies"][0]["gasPriceStep"]["average"], 0.03);
        assert_eq!(k["stakeCurrency"]["coinDecimals"], 6);
        assert_eq!(k["features"], json!(["cosmwasm"]));
        let c = chain_json(&p, &ep);
        assert_eq!(c["fees"]["fee_tokens"][0]["fixed_min_gas_price"], 0.025);
        assert_eq!(c["codebase"]["sdk"]["version"], "0.50.15");
        assert_eq!(assetlist_json(&p)["assets"][0]["denom_units"][1]["exponent"], 6);
    }

    /// The committed production files must be exactly what the generator writes (regenerate with
    /// `make registry` after changing profiles/production.toml).
    #[test]
    fn committed_production_files_are_up_to_date() {
        let p = Profile::builtin("production").unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("registry/production");
        for (name, value) in files(&p, &Endpoints::placeholder(&p)) {
            let committed =
                std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}; run `make registry`"));
            let committed: Value = serde_json::from_str(&committed).unwrap();
            assert_eq!(committed, value, "{name} is stale: run `make registry`");
        }
    }
}
