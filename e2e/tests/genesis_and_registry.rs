//! The genesis and the wallet/registry files, checked against a running localnet and the node's own validation.

use std::process::Command;

use anyhow::{Context, Result};
use chain_config::genesis::{self, GenesisInput, Grant};
use chain_config::keys::KeyInfo;
use chain_config::profile::Profile;
use e2e::TestNet;
use serde_json::Value;

async fn get_json(url: &str) -> Result<Value> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> Result<Value> {
        Ok(ureq::get(&url)
            .call()
            .with_context(|| format!("GET {url}"))?
            .into_json()?)
    })
    .await?
}

#[tokio::test]
async fn registry_and_keplr_files_match_the_running_chain() -> Result<()> {
    let net = TestNet::start(1).await?;
    let dir = net.net.dir.join("registry");
    let read = |name: &str| -> Result<Value> {
        Ok(serde_json::from_str(
            &std::fs::read_to_string(dir.join(name)).with_context(|| name.to_string())?,
        )?)
    };
    let (chain, assets, keplr) = (
        read("chain.json")?,
        read("assetlist.json")?,
        read("keplr-chain-info.json")?,
    );

    // Chain id: what the node reports, through the endpoints the files advertise.
    let status = get_json(&format!("{}/status", keplr["rpc"].as_str().unwrap())).await?;
    let network = status["result"]["node_info"]["network"].as_str().unwrap().to_string();
    assert_eq!(keplr["chainId"], network.as_str());
    assert_eq!(chain["chain_id"], network.as_str());
    let rest = keplr["rest"].as_str().unwrap();
    let node_info = get_json(&format!("{rest}/cosmos/base/tendermint/v1beta1/node_info")).await?;
    assert_eq!(node_info["default_node_info"]["network"], network.as_str());

    // Prefix: what the auth module reports, and the addresses it holds.
    let prefix = get_json(&format!("{rest}/cosmos/auth/v1beta1/bech32")).await?;
    assert_eq!(chain["bech32_prefix"], prefix["bech32_prefix"]);
    assert_eq!(keplr["bech32Config"]["bech32PrefixAccAddr"], prefix["bech32_prefix"]);
    let validators = get_json(&format!("{rest}/cosmos/staking/v1beta1/validators")).await?;
    let valoper = validators["validators"][0]["operator_address"].as_str().unwrap();
    assert!(valoper.starts_with(keplr["bech32Config"]["bech32PrefixValAddr"].as_str().unwrap()));

    // Denoms: staking, fees, bank metadata.
    let staking = get_json(&format!("{rest}/cosmos/staking/v1beta1/params")).await?;
    assert_eq!(
        keplr["stakeCurrency"]["coinMinimalDenom"],
        staking["params"]["bond_denom"]
    );
    assert_eq!(
        chain["staking"]["staking_tokens"][0]["denom"],
        staking["params"]["bond_denom"]
    );
    let meta = get_json(&format!("{rest}/cosmos/bank/v1beta1/denoms_metadata")).await?;
    let m = &meta["metadatas"][0];
    assert_eq!(assets["assets"][0]["base"], m["base"]);
    assert_eq!(assets["assets"][0]["display"], m["display"]);
    assert_eq!(keplr["currencies"][0]["coinDecimals"], m["denom_units"][1]["exponent"]);
    let cfg = get_json(&format!("{rest}/cosmos/base/node/v1beta1/config")).await?;
    let min_gas: f64 = cfg["minimum_gas_price"]
        .as_str()
        .unwrap()
        .trim_end_matches("uemc")
        .parse()?;
    assert_eq!(
        chain["fees"]["fee_tokens"][0]["fixed_min_gas_price"].as_f64(),
        Some(min_gas)
    );
    assert_eq!(keplr["feeCurrencies"][0]["coinMinimalDenom"], "uemc");
    Ok(())
}

#[tokio::test]
async fn localnet_genesis_holds_the_allocation_and_vesting() -> Result<()> {
    let net = TestNet::start(1).await?;
    let rest = net.net.nodes[0].rest_url();
    let emc = 1_000_000u128;
    let supply = get_json(&format!("{rest}/cosmos/bank/v1beta1/supply/by_denom?denom=uemc")).await?;
    assert_eq!(supply["amount"]["amount"], (100_000_000_000 * emc).to_string());

    let client = net.client(0)?;
    let pool = net.account("mining-pool")?;
    assert_eq!(client.balance(&pool.address).await?, 72_000_000_000 * emc);
    for (name, amount) in [("private-investor", 10_000_000_000u128), ("tech-team", 3_000_000_000)] {
        let holder = net.account(name)?;
        assert_eq!(client.balance(&holder.address).await?, amount * emc, "{name}");
        let spendable = get_json(&format!(
            "{rest}/cosmos/bank/v1beta1/spendable_balances/{}",
            holder.address
        ))
        .await?;
        let unlocked: u128 = spendable["balances"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["denom"] == "uemc")
            .map(|c| c["amount"].as_str().unwrap_or("0").parse::<u128>().unwrap())
            .sum();
        assert_eq!(unlocked, 0, "{name}: nothing unlocked before the cliff");
        let acct = get_json(&format!("{rest}/cosmos/auth/v1beta1/accounts/{}", holder.address)).await?;
        assert_eq!(
            acct["account"]["@type"],
            "/cosmos.vesting.v1beta1.PeriodicVestingAccount"
        );
    }
    let slashing = get_json(&format!("{rest}/cosmos/slashing/v1beta1/params")).await?;
    assert_eq!(slashing["params"]["slash_fraction_double_sign"], "0.050000000000000000");
    let staking = get_json(&format!("{rest}/cosmos/staking/v1beta1/params")).await?;
    assert_eq!(staking["params"]["max_validators"], 21);
    let mint = get_json(&format!("{rest}/cosmos/mint/v1beta1/inflation")).await?;
    assert_eq!(mint["inflation"], "0.000000000000000000");
    Ok(())
}

/// The production template, filled with fresh addresses, passes `edgemintd genesis validate`; and the node rejects
/// a genesis that breaks the supply rule, so the validation is a real gate.
#[test]
fn production_genesis_passes_node_validation() -> Result<()> {
    let binary = chain_config::find_binary("edgemintd")?;
    let profile = Profile::builtin("production")?;
    let home = tempfile::tempdir()?;
    let h = home.path().to_str().unwrap();
    let out = Command::new(&binary)
        .args(["init", "prod", "--chain-id", "edgemint-1", "--home", h])
        .output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = home.path().join("config/genesis.json");
    let mut g: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let addr = |n: &str| KeyInfo::generate(n, "emc", 118).unwrap().address;
    let grants = ["mining_pool", "private", "tech", "institutions"]
        .iter()
        .map(|b| Grant {
            bucket: b.to_string(),
            address: addr(b),
            amount: profile.bucket_total(b).unwrap(),
            liquid: false,
        })
        .collect();
    genesis::build(
        &mut g,
        &profile,
        &GenesisInput {
            genesis_time: chrono::Utc::now(),
            grants,
        },
    )?;
    std::fs::write(&path, serde_json::to_string(&g)?)?;
    let validate = |p: &std::path::Path| {
        Command::new(&binary)
            .args(["genesis", "validate"])
            .arg(p)
            .args(["--home", h])
            .output()
    };
    let ok = validate(&path)?;
    assert!(
        ok.status.success(),
        "production genesis rejected: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(g["chain_id"], "edgemint-1");
    assert_eq!(g["app_state"]["staking"]["params"]["unbonding_time"], "1814400s");
    assert_eq!(
        g["app_state"]["wasm"]["params"]["code_upload_access"]["permission"],
        "Nobody"
    );

    // Declared supply that does not match the balances: the node must refuse it.
    g["app_state"]["bank"]["supply"][0]["amount"] = Value::String("1".into());
    std::fs::write(&path, serde_json::to_string(&g)?)?;
    let bad = validate(&path)?;
    assert!(
        !bad.status.success(),
        "node accepted a genesis whose supply does not match its balances"
    );
    Ok(())
}

/// The IBC counterparty binary is a different chain: its own prefix and home; ours says `emc`.
#[test]
fn node_and_counterparty_binaries_use_their_own_prefixes() -> Result<()> {
    for (name, prefix) in [("edgemintd", "emc1"), ("wasmd", "wasm1")] {
        let binary = chain_config::find_binary(name)?;
        let home = tempfile::tempdir()?;
        let out = Command::new(&binary)
            .args([
                "keys",
                "add",
                "k",
                "--keyring-backend",
                "test",
                "--output",
                "json",
                "--home",
            ])
            .arg(home.path())
            .output()?;
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        let json: Value = serde_json::from_str(text.lines().find(|l| l.starts_with('{')).unwrap_or("{}"))?;
        let address = json["address"].as_str().unwrap_or_default();
        assert!(address.starts_with(prefix), "{name} made {address:?}");
    }
    Ok(())
}
