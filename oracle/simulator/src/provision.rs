//! Putting the fleet on chain with real transactions: the maker registers every registrable device (batches of at
//! most 100, each with the device's registration signature), owners are funded from a faucet, each owner activates
//! its devices (activation signed by the device key), and optionally stakes the minimum per device.
//!
//! Idempotent: devices already registered (found through `DevicesByMaker`, then `DeviceByPubkey`), already active
//! or already staked are skipped, so an interrupted provisioning is finished by running it again. Progress is saved
//! to the fleet file as it goes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chain_config::client::{wasm, ChainClient, FeeMode, Signer};
use chain_config::keys::KeyInfo;
use edgemint_device_sdk::edgemint_types::registry::{DeviceResponse, DevicesResponse};
use edgemint_device_sdk::{activation_message, activation_signature, registration_signature};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::fleet::{ChainBinding, Fleet};

/// Most devices in one `RegisterDevices` (the registry's limit).
pub const MAX_REGISTER_BATCH: usize = 100;
/// Concurrent `DeviceByPubkey` queries.
const LOOKUP_CONCURRENCY: usize = 16;
/// Recipients per faucet transaction.
const FUND_PER_TX: usize = 50;
/// Save the fleet file at most this often while activating.
const SAVE_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct ProvisionOptions {
    pub registry: String,
    pub staking: Option<String>,
    /// Stake the staking contract's minimum for every active device of the fleet.
    pub stake: bool,
    /// Devices per `RegisterDevices` (1..=100).
    pub batch_size: usize,
    /// `Activate` (or `Stake`) messages per owner transaction.
    pub per_tx: usize,
    /// Owners activating at the same time.
    pub parallel: usize,
    /// Fee allowance per message when topping owners up (base units).
    pub fee_per_msg: u128,
    /// Extra balance every owner keeps on top (base units).
    pub owner_reserve: u128,
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            registry: String::new(),
            staking: None,
            stake: false,
            batch_size: MAX_REGISTER_BATCH,
            per_tx: 25,
            parallel: 8,
            fee_per_msg: 50_000,
            owner_reserve: 1_000_000,
        }
    }
}

/// Accounts that sign.
pub struct Accounts {
    pub maker: KeyInfo,
    /// Funds the owners; without it, owners must already hold enough.
    pub faucet: Option<KeyInfo>,
    /// Registry admin, to approve the maker if it is not approved yet.
    pub admin: Option<KeyInfo>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProvisionReport {
    pub already_registered: usize,
    pub registered: usize,
    pub already_active: usize,
    pub activated: usize,
    /// Active devices of the fleet owned by someone else than the fleet's owner (left alone).
    pub foreign_owner: usize,
    pub funded_owners: usize,
    pub already_staked: usize,
    pub staked: usize,
    pub transactions: usize,
    pub fees: u128,
    pub failures: Vec<String>,
}

impl ProvisionReport {
    pub fn summary(&self) -> String {
        format!(
            "registered {} (already {}), activated {} (already {}, other owner {}), staked {} (already {}), \
             funded {} owners, {} transactions, fees {} base units, {} failures",
            self.registered,
            self.already_registered,
            self.activated,
            self.already_active,
            self.foreign_owner,
            self.staked,
            self.already_staked,
            self.funded_owners,
            self.transactions,
            self.fees,
            self.failures.len()
        )
    }
}

/// Runs every step; the fleet (device ids, statuses) is updated in place and saved to `fleet_path`.
pub async fn provision(
    client: Arc<ChainClient>,
    chain_id: &str,
    fleet: &mut Fleet,
    fleet_path: &Path,
    accounts: &Accounts,
    o: &ProvisionOptions,
) -> Result<ProvisionReport> {
    if !(1..=MAX_REGISTER_BATCH).contains(&o.batch_size) {
        bail!("batch size must be 1..={MAX_REGISTER_BATCH}");
    }
    if o.per_tx == 0 || o.parallel == 0 {
        bail!("messages per transaction and parallel owners must be ≥ 1");
    }
    if o.stake && o.staking.is_none() {
        bail!("staking needs the staking contract address");
    }
    if client.prefix() != fleet.spec.prefix {
        bail!(
            "the fleet's owners use prefix {:?}, the chain {:?}",
            fleet.spec.prefix,
            client.prefix()
        );
    }
    let maker = client.signer(&accounts.maker)?;
    let mut report = ProvisionReport::default();
    bind(
        fleet,
        chain_id,
        &o.registry,
        maker.address.as_ref(),
        o.staking.as_deref(),
    );
    ensure_maker(&client, &o.registry, &maker, accounts.admin.as_ref(), &mut report).await?;

    discover(&client, &o.registry, maker.address.as_ref(), fleet).await?;
    report.already_registered = fleet
        .devices
        .iter()
        .filter(|d| d.cheat.registered() && d.device_id.is_some())
        .count();
    save(fleet, fleet_path)?;

    register(
        &client,
        chain_id,
        &o.registry,
        &maker,
        fleet,
        fleet_path,
        o,
        &mut report,
    )
    .await?;

    for d in fleet.devices.iter().filter(|d| d.status.as_deref() == Some("active")) {
        let ours = d
            .owner
            .and_then(|k| fleet.owners.get(k as usize))
            .map(|o| o.address.as_str());
        if d.chain_owner.is_some() && d.chain_owner.as_deref() == ours {
            report.already_active += 1;
        } else {
            report.foreign_owner += 1;
        }
    }

    let min_stake = match (&o.staking, o.stake) {
        (Some(staking), true) => Some(min_stake(&client, staking).await?),
        _ => None,
    };
    let plan = plan_owners(fleet, min_stake);
    fund_owners(&client, accounts.faucet.as_ref(), fleet, &plan, o, &mut report).await?;
    activate(&client, chain_id, &o.registry, fleet, fleet_path, &plan, o, &mut report).await?;
    if let (Some(staking), Some(min)) = (&o.staking, min_stake) {
        stake(&client, staking, fleet, min, o, &mut report).await?;
    }
    save(fleet, fleet_path)?;
    Ok(report)
}

fn bind(fleet: &mut Fleet, chain_id: &str, registry: &str, maker: &str, staking: Option<&str>) {
    let same = fleet
        .chain
        .as_ref()
        .is_some_and(|c| c.chain_id == chain_id && c.registry == registry);
    if !same {
        if fleet.chain.is_some() {
            tracing::warn!("fleet was provisioned on another chain or registry: forgetting its device ids");
        }
        for d in &mut fleet.devices {
            d.device_id = None;
            d.status = None;
            d.chain_owner = None;
            d.staked = false;
        }
    }
    fleet.chain = Some(ChainBinding {
        chain_id: chain_id.to_string(),
        registry: registry.to_string(),
        maker: maker.to_string(),
        staking: staking.map(str::to_string),
    });
}

fn save(fleet: &Fleet, path: &Path) -> Result<()> {
    fleet.save(path).with_context(|| format!("saving {}", path.display()))
}

async fn ensure_maker(
    client: &ChainClient,
    registry: &str,
    maker: &Signer,
    admin: Option<&KeyInfo>,
    report: &mut ProvisionReport,
) -> Result<()> {
    let v = client
        .smart_query(registry, &json!({"maker": {"address": maker.address.to_string()}}))
        .await
        .with_context(|| format!("querying the registry {registry}"))?;
    if v["approved"].as_bool() == Some(true) {
        return Ok(());
    }
    let Some(admin) = admin else {
        bail!(
            "maker {} is not approved by the registry: approve it (registry admin: approve_maker) or pass --admin",
            maker.address
        );
    };
    let admin = client.signer(admin)?;
    let out = client
        .execute(
            &admin,
            registry,
            &json!({"approve_maker": {"maker": maker.address.to_string()}}),
            0,
        )
        .await
        .context("approving the maker")?;
    tracing::info!(maker = %maker.address, tx = %out.hash, "maker approved");
    report.transactions += 1;
    report.fees += out.fee;
    Ok(())
}

fn apply_device(d: &mut crate::fleet::DeviceEntry, r: &DeviceResponse) {
    d.device_id = Some(r.device_id);
    d.status = Some(r.status.as_str().to_string());
    d.chain_owner = r.owner.as_ref().map(|a| a.to_string());
}

/// Finds the fleet's devices already on chain: the maker's devices first (100 per query), then `DeviceByPubkey` for
/// the rest (a device registered by another maker would make a batch fail).
async fn discover(client: &Arc<ChainClient>, registry: &str, maker: &str, fleet: &mut Fleet) -> Result<()> {
    // The chain is the source of truth: forget what the file says and look everything up.
    let mut by_key: HashMap<Vec<u8>, usize> = HashMap::new();
    for (i, d) in fleet.devices.iter_mut().enumerate() {
        d.device_id = None;
        d.status = None;
        d.chain_owner = None;
        if d.cheat.registered() {
            by_key.insert(d.public_key_bytes()?, i);
        }
    }
    let mut start_after: Option<u64> = None;
    let mut seen = 0usize;
    loop {
        let q = json!({"devices_by_maker": {"maker": maker, "start_after": start_after, "limit": 100}});
        let v = client
            .smart_query(registry, &q)
            .await
            .context("listing the maker's devices")?;
        let page: DevicesResponse = serde_json::from_value(v).context("devices_by_maker answer")?;
        let Some(last) = page.devices.last().map(|d| d.device_id) else {
            break;
        };
        for r in &page.devices {
            if let Some(&i) = by_key.get(r.pubkey.as_slice()) {
                apply_device(&mut fleet.devices[i], r);
                seen += 1;
            }
        }
        start_after = Some(last);
    }
    // Everything not found under this maker: one query each.
    let missing: Vec<(usize, Vec<u8>)> = fleet
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.cheat.registered() && d.status.is_none())
        .filter_map(|(i, d)| d.public_key_bytes().ok().map(|k| (i, k)))
        .collect();
    tracing::info!(
        found_under_maker = seen,
        to_check = missing.len(),
        "looking up devices by public key"
    );
    let sem = Arc::new(Semaphore::new(LOOKUP_CONCURRENCY));
    let mut set = JoinSet::new();
    for (i, key) in missing {
        let client = client.clone();
        let sem = sem.clone();
        let registry = registry.to_string();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            (i, device_by_pubkey(&client, &registry, &key).await)
        });
    }
    while let Some(joined) = set.join_next().await {
        let (i, found) = joined.map_err(|e| anyhow!("lookup task: {e}"))?;
        match found? {
            Some(r) => apply_device(&mut fleet.devices[i], &r),
            None => {
                let d = &mut fleet.devices[i];
                d.device_id = None;
                d.status = None;
                d.chain_owner = None;
            }
        }
    }
    Ok(())
}

async fn device_by_pubkey(client: &ChainClient, registry: &str, key: &[u8]) -> Result<Option<DeviceResponse>> {
    let q = json!({"device_by_pubkey": {"pubkey": B64.encode(key)}});
    match client.smart_query(registry, &q).await {
        Ok(v) => Ok(Some(serde_json::from_value(v).context("device_by_pubkey answer")?)),
        Err(e) if format!("{e:#}").contains("no device with public key") => Ok(None),
        Err(e) => Err(e.context("device_by_pubkey")),
    }
}

#[allow(clippy::too_many_arguments)]
async fn register(
    client: &ChainClient,
    chain_id: &str,
    registry: &str,
    maker: &Signer,
    fleet: &mut Fleet,
    fleet_path: &Path,
    o: &ProvisionOptions,
    report: &mut ProvisionReport,
) -> Result<()> {
    let todo: Vec<usize> = fleet
        .devices
        .iter()
        .filter(|d| d.cheat.registered() && d.device_id.is_none())
        .map(|d| d.index as usize)
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    tracing::info!(devices = todo.len(), batch = o.batch_size, "registering");
    let maker_addr = maker.address.to_string();
    for chunk in todo.chunks(o.batch_size) {
        let mut regs = Vec::with_capacity(chunk.len());
        let mut keys = Vec::with_capacity(chunk.len());
        for &i in chunk {
            let d = &fleet.devices[i];
            let key = d.key()?;
            let hash = d.code_hash();
            let sig = registration_signature(&key, chain_id, registry, &maker_addr, &hash);
            regs.push(json!({
                "key_type": d.key_type,
                "pubkey": B64.encode(key.public_key()),
                "code_hash": hex::encode(hash),
                "model": d.model,
                "metadata_uri": null,
                "registration_signature": B64.encode(sig),
            }));
            keys.push(hex::encode(key.public_key()));
        }
        let out = client
            .execute(maker, registry, &json!({"register_devices": {"devices": regs}}), 0)
            .await
            .with_context(|| format!("registering devices {}..={}", chunk[0], chunk[chunk.len() - 1]))?;
        report.transactions += 1;
        report.fees += out.fee;
        let ids = registered(&out.events);
        let mut matched = 0;
        for (id, pubkey_hex) in ids {
            if let Some(pos) = keys.iter().position(|k| *k == pubkey_hex) {
                let d = &mut fleet.devices[chunk[pos]];
                d.device_id = Some(id);
                d.status = Some("registered".into());
                d.chain_owner = None;
                matched += 1;
            }
        }
        if matched != chunk.len() {
            bail!(
                "registration tx {} reported {matched} of {} devices: run provision again to look them up",
                out.hash,
                chunk.len()
            );
        }
        report.registered += matched;
        tracing::info!(registered = report.registered, of = todo.len(), tx = %out.hash, "registered a batch");
        save(fleet, fleet_path)?;
    }
    Ok(())
}

/// (device id, public key hex) of every `device_registered` event, in order.
fn registered(events: &[(String, String, String)]) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut id: Option<u64> = None;
    for (ty, k, v) in events {
        if ty != "wasm-device_registered" {
            continue;
        }
        match k.as_str() {
            "device_id" => id = v.parse().ok(),
            "pubkey" => {
                if let Some(i) = id.take() {
                    out.push((i, v.to_ascii_lowercase()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Per owner: the devices to activate and the devices to stake (fleet indices).
struct OwnerPlan {
    owner: usize,
    activate: Vec<usize>,
    stake: Vec<usize>,
    stake_each: u128,
}

fn plan_owners(fleet: &Fleet, min_stake: Option<u128>) -> Vec<OwnerPlan> {
    let mut plans: Vec<OwnerPlan> = (0..fleet.owners.len())
        .map(|owner| OwnerPlan {
            owner,
            activate: Vec::new(),
            stake: Vec::new(),
            stake_each: min_stake.unwrap_or(0),
        })
        .collect();
    for d in &fleet.devices {
        let (Some(k), Some(_)) = (d.owner, d.device_id) else {
            continue;
        };
        let plan = &mut plans[k as usize];
        let owner_addr = fleet.owners[k as usize].address.as_str();
        match d.status.as_deref() {
            Some("registered") => {
                plan.activate.push(d.index as usize);
                if min_stake.is_some() {
                    plan.stake.push(d.index as usize);
                }
            }
            Some("active") if d.chain_owner.as_deref() == Some(owner_addr) && min_stake.is_some() && !d.staked => {
                plan.stake.push(d.index as usize)
            }
            _ => {}
        }
    }
    plans.retain(|p| !p.activate.is_empty() || !p.stake.is_empty());
    plans
}

async fn fund_owners(
    client: &ChainClient,
    faucet: Option<&KeyInfo>,
    fleet: &Fleet,
    plans: &[OwnerPlan],
    o: &ProvisionOptions,
    report: &mut ProvisionReport,
) -> Result<()> {
    let mut sends = Vec::new();
    for p in plans {
        let owner = &fleet.owners[p.owner];
        let msgs = (p.activate.len() + p.stake.len()) as u128;
        let need = o.owner_reserve + msgs * o.fee_per_msg + p.stake.len() as u128 * p.stake_each;
        let have = client.balance(&owner.address).await.unwrap_or(0);
        if have < need {
            sends.push((owner.address.clone(), need - have));
        }
    }
    if sends.is_empty() {
        return Ok(());
    }
    let Some(faucet) = faucet else {
        bail!("{} owners need funds and no faucet account was given", sends.len());
    };
    let faucet = client.signer(faucet)?;
    for chunk in sends.chunks(FUND_PER_TX) {
        let msgs = chunk
            .iter()
            .map(|(to, amount)| client.bank_send(&faucet.address, to, *amount))
            .collect::<Result<Vec<_>>>()?;
        let out = client
            .send_tx(&faucet.key, msgs, FeeMode::Simulate, None)
            .await
            .context("funding owners from the faucet")?;
        report.transactions += 1;
        report.fees += out.fee;
        report.funded_owners += chunk.len();
        tracing::info!(owners = chunk.len(), tx = %out.hash, "funded owners");
    }
    Ok(())
}

/// Result of one owner's activation task: indices activated, transactions, fees, errors.
type OwnerOutcome = (Vec<usize>, usize, u128, Option<String>);

#[allow(clippy::too_many_arguments)]
async fn activate(
    client: &Arc<ChainClient>,
    chain_id: &str,
    registry: &str,
    fleet: &mut Fleet,
    fleet_path: &Path,
    plans: &[OwnerPlan],
    o: &ProvisionOptions,
    report: &mut ProvisionReport,
) -> Result<()> {
    let total: usize = plans.iter().map(|p| p.activate.len()).sum();
    if total == 0 {
        return Ok(());
    }
    // Check our activation message against the chain's once: a wrong chain id or registry shows here.
    if let Some(p) = plans.iter().find(|p| !p.activate.is_empty()) {
        let d = &fleet.devices[p.activate[0]];
        let owner = &fleet.owners[p.owner].address;
        let q = json!({"activation_message": {"device_id": d.device_id, "owner": owner}});
        let v = client
            .smart_query(registry, &q)
            .await
            .context("activation_message query")?;
        let chain_msg = B64
            .decode(v["message"].as_str().context("activation_message without message")?)
            .context("activation_message base64")?;
        let ours = activation_message(chain_id, registry, owner, &d.code_hash());
        if chain_msg != ours {
            bail!("the registry's activation message differs from ours: is the chain id {chain_id} right?");
        }
    }
    tracing::info!(devices = total, owners = plans.len(), "activating");
    let sem = Arc::new(Semaphore::new(o.parallel));
    let mut set: JoinSet<OwnerOutcome> = JoinSet::new();
    for p in plans.iter().filter(|p| !p.activate.is_empty()) {
        let owner = fleet.owners[p.owner].clone();
        let jobs: Vec<(usize, u64, String, crate::fleet::DeviceEntry)> = p
            .activate
            .iter()
            .filter_map(|&i| {
                let d = &fleet.devices[i];
                d.device_id.map(|id| (i, id, d.activation_code.clone(), d.clone()))
            })
            .collect();
        let client = client.clone();
        let sem = sem.clone();
        let (chain_id, registry, per_tx) = (chain_id.to_string(), registry.to_string(), o.per_tx);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            activate_owner(&client, &chain_id, &registry, &owner, &jobs, per_tx).await
        });
    }
    let mut last_save = Instant::now();
    while let Some(joined) = set.join_next().await {
        let (done, txs, fees, err) = joined.map_err(|e| anyhow!("activation task: {e}"))?;
        report.transactions += txs;
        report.fees += fees;
        report.activated += done.len();
        for i in done {
            let d = &mut fleet.devices[i];
            d.status = Some("active".into());
            d.chain_owner = d.owner.map(|k| fleet.owners[k as usize].address.clone());
        }
        if let Some(e) = err {
            tracing::error!(error = %e, "activation failed");
            report.failures.push(e);
        }
        tracing::info!(activated = report.activated, of = total, "activation progress");
        if last_save.elapsed() >= SAVE_EVERY {
            save(fleet, fleet_path)?;
            last_save = Instant::now();
        }
    }
    save(fleet, fleet_path)
}

async fn activate_owner(
    client: &ChainClient,
    chain_id: &str,
    registry: &str,
    owner: &crate::fleet::OwnerEntry,
    jobs: &[(usize, u64, String, crate::fleet::DeviceEntry)],
    per_tx: usize,
) -> OwnerOutcome {
    let mut done = Vec::new();
    let (mut txs, mut fees) = (0usize, 0u128);
    let info = KeyInfo {
        name: owner.name.clone(),
        address: owner.address.clone(),
        mnemonic: owner.mnemonic.clone(),
    };
    let signer = match client.signer(&info) {
        Ok(s) => s,
        Err(e) => return (done, txs, fees, Some(format!("{}: {e:#}", owner.name))),
    };
    for chunk in jobs.chunks(per_tx) {
        let mut msgs = Vec::with_capacity(chunk.len());
        for (_, id, code, entry) in chunk {
            let key = match entry.key() {
                Ok(k) => k,
                Err(e) => return (done, txs, fees, Some(format!("device {}: {e}", entry.index))),
            };
            let sig = activation_signature(&key, chain_id, registry, &owner.address, code);
            let msg = json!({"activate": {
                "device_id": id,
                "activation_code": code,
                "owner": owner.address,
                "signature": B64.encode(sig),
            }});
            match wasm::execute(&signer.address, registry, &msg) {
                Ok(m) => msgs.push(m),
                Err(e) => return (done, txs, fees, Some(format!("{e:#}"))),
            }
        }
        match client.send_tx(&signer.key, msgs, FeeMode::Simulate, None).await {
            Ok(out) => {
                tracing::debug!(owner = %owner.name, gas = out.gas_used, msgs = chunk.len(), "activation tx");
                txs += 1;
                fees += out.fee;
                done.extend(chunk.iter().map(|(i, ..)| *i));
            }
            Err(e) => {
                let ids: Vec<u64> = chunk.iter().map(|(_, id, ..)| *id).collect();
                return (done, txs, fees, Some(format!("{} activating {ids:?}: {e}", owner.name)));
            }
        }
    }
    (done, txs, fees, None)
}

async fn min_stake(client: &ChainClient, staking: &str) -> Result<u128> {
    let v = client
        .smart_query(staking, &json!({"config": {}}))
        .await
        .context("staking config")?;
    v["min_stake_per_device"]
        .as_str()
        .context("staking config without min_stake_per_device")?
        .parse()
        .context("min_stake_per_device")
}

/// Stakes `min` for every active device the fleet's owners hold and have not staked enough for (owners in
/// parallel, like activation).
async fn stake(
    client: &Arc<ChainClient>,
    staking: &str,
    fleet: &mut Fleet,
    min: u128,
    o: &ProvisionOptions,
    report: &mut ProvisionReport,
) -> Result<()> {
    let sem = Arc::new(Semaphore::new(o.parallel));
    let mut set: JoinSet<StakeOutcome> = JoinSet::new();
    for (k, owner) in fleet.owners.iter().enumerate() {
        let mine: Vec<(usize, u64)> = fleet
            .devices
            .iter()
            .filter(|d| {
                d.owner == Some(k as u32)
                    && d.status.as_deref() == Some("active")
                    && d.chain_owner.as_deref() == Some(owner.address.as_str())
            })
            .filter_map(|d| d.device_id.map(|id| (d.index as usize, id)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let (client, sem, owner) = (client.clone(), sem.clone(), owner.clone());
        let (staking, per_tx) = (staking.to_string(), o.per_tx);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            stake_owner(&client, &staking, &owner, &mine, min, per_tx).await
        });
    }
    while let Some(joined) = set.join_next().await {
        let out = joined.map_err(|e| anyhow!("staking task: {e}"))?;
        report.transactions += out.transactions;
        report.fees += out.fees;
        report.already_staked += out.already.len();
        report.staked += out.staked.len();
        for i in out.already.into_iter().chain(out.staked) {
            fleet.devices[i].staked = true;
        }
        if let Some(e) = out.error {
            tracing::error!(error = %e, "staking failed");
            report.failures.push(e);
        }
    }
    Ok(())
}

#[derive(Default)]
struct StakeOutcome {
    already: Vec<usize>,
    staked: Vec<usize>,
    transactions: usize,
    fees: u128,
    error: Option<String>,
}

/// One owner: reads its positions, then stakes up to `min` on each of `devices` (fleet index, device id).
async fn stake_owner(
    client: &ChainClient,
    staking: &str,
    owner: &crate::fleet::OwnerEntry,
    devices: &[(usize, u64)],
    min: u128,
    per_tx: usize,
) -> StakeOutcome {
    let mut out = StakeOutcome::default();
    let positions = match positions(client, staking, &owner.address).await {
        Ok(p) => p,
        Err(e) => {
            out.error = Some(format!("{} positions: {e:#}", owner.name));
            return out;
        }
    };
    let mut todo = Vec::new();
    for &(i, id) in devices {
        let have = positions.get(&id).copied().unwrap_or(0);
        if have >= min {
            out.already.push(i);
        } else {
            todo.push((i, id, min - have));
        }
    }
    if todo.is_empty() {
        return out;
    }
    let info = KeyInfo {
        name: owner.name.clone(),
        address: owner.address.clone(),
        mnemonic: owner.mnemonic.clone(),
    };
    let signer = match client.signer(&info) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(format!("{}: {e:#}", owner.name));
            return out;
        }
    };
    tracing::info!(owner = %owner.name, devices = todo.len(), each = min, "staking");
    for chunk in todo.chunks(per_tx) {
        let msgs = chunk
            .iter()
            .map(|(_, id, amount)| {
                let coin = cosmrs::Coin {
                    denom: client.denom().clone(),
                    amount: *amount,
                };
                wasm::execute_with_funds(
                    &signer.address,
                    staking,
                    &json!({"stake": {"device_id": id}}),
                    vec![coin],
                )
            })
            .collect::<Result<Vec<_>>>();
        let sent = match msgs {
            Ok(msgs) => client
                .send_tx(&signer.key, msgs, FeeMode::Simulate, None)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("{e:#}")),
        };
        match sent {
            Ok(tx) => {
                tracing::debug!(owner = %owner.name, gas = tx.gas_used, msgs = chunk.len(), "stake tx");
                out.transactions += 1;
                out.fees += tx.fee;
                out.staked.extend(chunk.iter().map(|(i, ..)| *i));
            }
            Err(e) => {
                out.error = Some(format!("{} staking: {e}", owner.name));
                break;
            }
        }
    }
    out
}

/// device id → staked amount of `staker`.
async fn positions(client: &ChainClient, staking: &str, staker: &str) -> Result<HashMap<u64, u128>> {
    let mut out = HashMap::new();
    let mut start_after: Option<u64> = None;
    loop {
        let q = json!({"positions_by_staker": {"staker": staker, "start_after": start_after, "limit": 30}});
        let v: Value = client.smart_query(staking, &q).await.context("positions_by_staker")?;
        let list = v["positions"].as_array().context("positions_by_staker answer")?;
        let Some(last) = list.last().and_then(|p| p["device_id"].as_u64()) else {
            break;
        };
        for p in list {
            if let (Some(id), Some(amount)) = (p["device_id"].as_u64(), p["amount"].as_str()) {
                out.insert(id, amount.parse().unwrap_or(0));
            }
        }
        start_after = Some(last);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cheat::{CheatAmount, CheatMix};
    use crate::fleet::FleetSpec;

    #[test]
    fn registered_events_pair_ids_with_keys() {
        let ev = |t: &str, k: &str, v: &str| (t.to_string(), k.to_string(), v.to_string());
        let events = vec![
            ev("message", "action", "/cosmwasm.wasm.v1.MsgExecuteContract"),
            ev("wasm-device_registered", "_contract_address", "emc1x"),
            ev("wasm-device_registered", "device_id", "7"),
            ev("wasm-device_registered", "maker", "emc1m"),
            ev("wasm-device_registered", "pubkey", "AbCd"),
            ev("wasm-device_registered", "_contract_address", "emc1x"),
            ev("wasm-device_registered", "device_id", "8"),
            ev("wasm-device_registered", "pubkey", "ef01"),
            ev("wasm", "device_id", "99"),
        ];
        assert_eq!(
            registered(&events),
            vec![(7, "abcd".to_string()), (8, "ef01".to_string())]
        );
    }

    #[test]
    fn plans_cover_registered_devices_only() {
        let mut f = Fleet::generate(FleetSpec {
            devices: 10,
            owners: 2,
            cheats: CheatMix {
                unregistered: CheatAmount::Count(2),
                ..Default::default()
            },
            ..FleetSpec::default()
        })
        .unwrap();
        f.assume_sequential_ids(1);
        for d in &mut f.devices {
            d.status = Some("registered".into());
        }
        // One device already active with its fleet owner, one with someone else.
        let active = f.devices.iter().position(|d| d.owner == Some(0)).unwrap();
        f.devices[active].status = Some("active".into());
        f.devices[active].chain_owner = Some(f.owners[0].address.clone());
        let foreign = f.devices.iter().position(|d| d.owner == Some(1)).unwrap();
        f.devices[foreign].status = Some("active".into());
        f.devices[foreign].chain_owner = Some("emc1someoneelse".into());
        let plans = plan_owners(&f, Some(5));
        let activate: usize = plans.iter().map(|p| p.activate.len()).sum();
        assert_eq!(activate, 8 - 2, "8 registrable, 2 already active");
        let stake: usize = plans.iter().map(|p| p.stake.len()).sum();
        assert_eq!(stake, 6 + 1, "the foreign-owned device is not staked by us");
        assert!(plans
            .iter()
            .all(|p| p.activate.iter().all(|&i| f.devices[i].cheat.registered())));
        let none = plan_owners(&f, None);
        assert_eq!(none.iter().map(|p| p.stake.len()).sum::<usize>(), 0);
    }
}
