//! Deploying and driving Edgemint's contracts on a test localnet: the device registry and staking, funded test
//! accounts, and simulated devices whose keys sign activations.

use anyhow::{Context, Result};
use base64::Engine;
use chain_config::client::{ChainClient, Signer, TxOutcome};
use chain_config::keys::KeyInfo;
use edgemint_device_sdk::{DeviceKey, KeyType};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};

use crate::TestNet;

pub const EMC: u128 = 1_000_000;

/// Addresses of the deployed contracts.
pub struct Core {
    pub registry: String,
    pub staking: String,
}

/// Parameters that tests vary.
pub struct CoreParams {
    pub min_stake: u128,
    pub unbonding_secs: u64,
}

impl Default for CoreParams {
    fn default() -> Self {
        Self {
            min_stake: 100 * EMC,
            unbonding_secs: 15,
        }
    }
}

/// Stores and instantiates device-registry and staking (deployer as admin, `maker` approved, staking as slasher and
/// as the registry's staking hook, told of every NFT transfer).
pub async fn deploy_core(
    client: &ChainClient,
    deployer: &Signer,
    maker: &str,
    rewards_pool: &str,
    p: &CoreParams,
) -> Result<Core> {
    let (registry_code, _) = client
        .store_code(deployer, std::fs::read(crate::artifact("device_registry")?)?)
        .await?;
    let (staking_code, _) = client
        .store_code(deployer, std::fs::read(crate::artifact("staking")?)?)
        .await?;
    let (registry, _) = client
        .instantiate(deployer, registry_code, "device-registry", &json!({"makers": [maker]}))
        .await?;
    let init = json!({
        "denom": client.denom().to_string(),
        "registry": registry,
        "rewards_pool": rewards_pool,
        "min_stake_per_device": p.min_stake.to_string(),
        "unbonding_period": p.unbonding_secs,
        "slash_fraction": "0.1",
        "bounty_fraction": "0.25",
        "slashers": [],
        "lockers": [],
    });
    let (staking, _) = client.instantiate(deployer, staking_code, "staking", &init).await?;
    client
        .execute(deployer, &registry, &json!({"add_slasher": {"slasher": staking}}), 0)
        .await?;
    client
        .execute(deployer, &registry, &json!({"set_staking": {"staking": staking}}), 0)
        .await?;
    Ok(Core { registry, staking })
}

/// A fresh account funded from the localnet's faucet.
pub async fn funded_account(
    net: &TestNet,
    client: &ChainClient,
    name: &str,
    amount: u128,
) -> Result<(KeyInfo, Signer)> {
    let faucet = client.signer(net.account("faucet")?)?;
    let key = KeyInfo::generate(name, client.prefix(), client.coin_type())?;
    let send = client.bank_send(&faucet.address, &key.address, amount)?;
    client
        .send_tx(&faucet.key, vec![send], chain_config::client::FeeMode::Simulate, None)
        .await?;
    let signer = client.signer(&key)?;
    Ok((key, signer))
}

/// Fresh accounts funded from the localnet's faucet, all in one transaction.
pub async fn funded_accounts(
    net: &TestNet,
    client: &ChainClient,
    names: &[&str],
    amount: u128,
) -> Result<Vec<(KeyInfo, Signer)>> {
    let faucet = client.signer(net.account("faucet")?)?;
    let mut accounts = Vec::new();
    let mut sends = Vec::new();
    for name in names {
        let key = KeyInfo::generate(name, client.prefix(), client.coin_type())?;
        sends.push(client.bank_send(&faucet.address, &key.address, amount)?);
        let signer = client.signer(&key)?;
        accounts.push((key, signer));
    }
    client
        .send_tx(&faucet.key, sends, chain_config::client::FeeMode::Simulate, None)
        .await?;
    Ok(accounts)
}

/// A simulated device: its key (the device SDK's, so signing follows the same rules as real firmware) and its
/// activation code.
pub struct Device {
    pub key: DeviceKey,
    pub code: String,
}

impl Device {
    pub fn new_ed25519() -> Self {
        Self {
            key: DeviceKey::generate(KeyType::Ed25519),
            code: random_code(),
        }
    }

    pub fn new_secp256k1() -> Self {
        Self {
            key: DeviceKey::generate(KeyType::Secp256k1),
            code: random_code(),
        }
    }

    pub fn pubkey(&self) -> Vec<u8> {
        self.key.public_key()
    }

    pub fn code_hash(&self) -> [u8; 32] {
        edgemint_device_sdk::code_hash(&self.code)
    }

    /// The `DeviceRegistration` `maker` submits to `registry` on `chain_id`, with the device's proof of possession:
    /// its signature over the registration message (`edgemint_types::registry::registration_message`).
    pub fn registration(&self, model: &str, chain_id: &str, registry: &str, maker: &str) -> Value {
        let signature =
            edgemint_device_sdk::registration_signature(&self.key, chain_id, registry, maker, &self.code_hash());
        json!({
            "key_type": self.key.key_type().as_str(),
            "pubkey": base64::engine::general_purpose::STANDARD.encode(self.pubkey()),
            "code_hash": hex::encode(self.code_hash()),
            "model": model,
            "metadata_uri": null,
            "registration_signature": base64::engine::general_purpose::STANDARD.encode(signature),
        })
    }

    /// Signs a message as the registry defines it (ed25519 over the bytes, secp256k1 over sha256).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).to_vec()
    }
}

fn random_code() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// One fresh device per owner (ed25519 and secp256k1 alternately): `maker` registers them all in one transaction, then
/// each owner activates its own. An owner may appear more than once. Returns the device ids in owner order, and the
/// devices.
pub async fn devices_for(
    client: &ChainClient,
    chain_id: &str,
    registry: &str,
    maker: &Signer,
    owners: &[&Signer],
) -> Result<(Vec<u64>, Vec<Device>)> {
    let devices: Vec<Device> = (0..owners.len())
        .map(|i| {
            if i % 2 == 0 {
                Device::new_ed25519()
            } else {
                Device::new_secp256k1()
            }
        })
        .collect();
    let regs: Vec<Value> = devices
        .iter()
        .map(|d| d.registration("cam", chain_id, registry, maker.address.as_ref()))
        .collect();
    let out = client
        .execute(maker, registry, &json!({"register_devices": {"devices": regs}}), 0)
        .await?;
    let ids = registered_ids(&out);
    anyhow::ensure!(
        ids.len() == owners.len(),
        "registered {ids:?} for {} owners",
        owners.len()
    );
    // Concurrently per owner (one block), one after the other for an owner of several devices (account sequence).
    let mut per_owner: Vec<Vec<usize>> = Vec::new();
    for (i, owner) in owners.iter().enumerate() {
        match per_owner.iter_mut().find(|v| owners[v[0]].address == owner.address) {
            Some(v) => v.push(i),
            None => per_owner.push(vec![i]),
        }
    }
    let (ids_ref, devices_ref) = (&ids, &devices);
    let activations = per_owner.iter().map(|indices| async move {
        for &i in indices {
            activate(client, registry, owners[i], ids_ref[i], &devices_ref[i]).await?;
        }
        anyhow::Ok(())
    });
    futures::future::try_join_all(activations).await?;
    Ok((ids, devices))
}

/// Activates `device_id` for `owner`, with the device signing the message the registry reports for that owner.
pub async fn activate(
    client: &ChainClient,
    registry: &str,
    owner: &Signer,
    device_id: u64,
    device: &Device,
) -> Result<TxOutcome> {
    let message = activation_message(client, registry, device_id, owner.address.as_ref()).await?;
    let msg = json!({"activate": {
        "device_id": device_id,
        "activation_code": device.code,
        "owner": owner.address.to_string(),
        "signature": base64::engine::general_purpose::STANDARD.encode(device.sign(&message)),
    }});
    Ok(client.execute(owner, registry, &msg, 0).await?)
}

/// The bytes the registry expects a device to sign, as the chain reports them (checked against the shared encoder).
pub async fn activation_message(client: &ChainClient, registry: &str, device_id: u64, owner: &str) -> Result<Vec<u8>> {
    let q = json!({"activation_message": {"device_id": device_id, "owner": owner}});
    let resp = client.smart_query(registry, &q).await?;
    let b64 = resp["message"]
        .as_str()
        .context("activation_message response without `message`")?;
    Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
}

/// Registered device ids in the order of a register tx's events.
pub fn registered_ids(out: &TxOutcome) -> Vec<u64> {
    out.events
        .iter()
        .filter(|(t, k, _)| t == "wasm-device_registered" && k == "device_id")
        .filter_map(|(_, _, v)| v.parse().ok())
        .collect()
}
