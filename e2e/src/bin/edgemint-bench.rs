//! `make bench`: gas used by the contracts' main operations on a real localnet (one validator, fresh temp dir).
//! Figures are printed, not asserted: gas is deterministic for a given contract build, so a change shows up here.

use std::time::{Duration, Instant};

use anyhow::Result;
use e2e::contracts::{self, CoreParams, Device, EMC};
use e2e::TestNet;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let started = Instant::now();
    let net = TestNet::start(1).await?;
    let client = net.client(0)?;
    let deployer = client.signer(net.account("deployer")?)?;
    let (_, maker) = contracts::funded_account(&net, &client, "maker", 10_000 * EMC).await?;
    let (_, owner) = contracts::funded_account(&net, &client, "owner", 10_000 * EMC).await?;
    let pool = net.account("mining-pool")?.address.clone();
    let params = CoreParams {
        min_stake: 100 * EMC,
        unbonding_secs: 5,
    };
    let core = contracts::deploy_core(&client, &deployer, maker.address.as_ref(), &pool, &params).await?;
    let mut rows: Vec<(String, i64)> = Vec::new();

    let ed = Device::new_ed25519();
    let secp = Device::new_secp256k1();
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_device": {"device": ed.registration("cam")}}),
            0,
        )
        .await?;
    let ed_id = contracts::registered_ids(&out)[0];
    rows.push(("register 1 device".into(), out.gas_used));
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_device": {"device": secp.registration("bot")}}),
            0,
        )
        .await?;
    let secp_id = contracts::registered_ids(&out)[0];

    let batch: Vec<_> = (0..100)
        .map(|i| Device::new_ed25519().registration(&format!("batch-{i}")))
        .collect();
    let out = client
        .execute(
            &maker,
            &core.registry,
            &json!({"register_devices": {"devices": batch}}),
            0,
        )
        .await?;
    rows.push(("register batch of 100".into(), out.gas_used));
    rows.push(("  per device in the batch".into(), out.gas_used / 100));

    let out = contracts::activate(&client, &core.registry, &owner, ed_id, &ed).await?;
    rows.push(("activate (ed25519)".into(), out.gas_used));
    let out = contracts::activate(&client, &core.registry, &owner, secp_id, &secp).await?;
    rows.push(("activate (secp256k1)".into(), out.gas_used));

    let out = client
        .execute(
            &owner,
            &core.staking,
            &json!({"stake": {"device_id": ed_id}}),
            200 * EMC,
        )
        .await?;
    rows.push(("stake".into(), out.gas_used));
    let unstake = json!({"unstake": {"device_id": ed_id, "amount": (50 * EMC).to_string()}});
    let out = client.execute(&owner, &core.staking, &unstake, 0).await?;
    rows.push(("unstake (starts unbonding)".into(), out.gas_used));
    let out = client
        .execute(&owner, &core.staking, &json!({"lock": {"tier_id": 1}}), 10 * EMC)
        .await?;
    rows.push(("lock (tier 1)".into(), out.gas_used));
    tokio::time::sleep(Duration::from_secs(params.unbonding_secs + 1)).await;
    let out = client.execute(&owner, &core.staking, &json!({"claim": {}}), 0).await?;
    rows.push(("claim (1 matured entry)".into(), out.gas_used));

    println!(
        "gas used on {} (edgemintd, one validator), contracts from artifacts/:",
        net.net.chain_id
    );
    for (name, gas) in &rows {
        println!("  {name:<30} {gas:>10}");
    }
    println!("(bench took {:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}
