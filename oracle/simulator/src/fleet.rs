//! The fleet: N simulated devices (keys, activation codes, behaviour parameters, cheat mode, owner) and K owner
//! accounts, all derived from one seed and persisted as JSON so later runs (and `provision`) reuse them.
//!
//! Derivation (see [`crate::rng`]): device `i` comes from the stream `("device", i)`: key type (secp256k1 with
//! probability `secp256k1_fraction`), the key (`DeviceKey::generate_with`), the activation code, the model and the
//! behaviour parameters, in that order. Owner `k` is a 24-word BIP-39 mnemonic from 32 bytes of stream
//! `("owner", k)`. Cheat modes go to the devices at the front of a seeded shuffle (stream `("cheats", 0)`), in
//! [`CheatMode::CHEATS`] order. Registered devices are given to owners round robin.

use std::io::Write;
use std::path::{Path, PathBuf};

use edgemint_device_sdk::{code_hash, DeviceKey, KeyType};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

use crate::cheat::{CheatMix, CheatMode};
use crate::error::SimError;
use crate::rng;

/// Version of the fleet file layout.
pub const FLEET_FORMAT: u32 = 1;
/// Largest fleet.
pub const MAX_DEVICES: u32 = 100_000;
/// Most owner accounts.
pub const MAX_OWNERS: u32 = 10_000;
/// Ids claimed by `unregistered` devices: `UNREGISTERED_ID_BASE + index` (far above any real registry's ids).
pub const UNREGISTERED_ID_BASE: u64 = 1 << 40;

/// Device models: (name, task rate factor, interaction rate factor).
const MODELS: &[(&str, f64, f64)] = &[
    ("edge-cam-v1", 0.5, 2.0),
    ("edge-speaker-v2", 0.3, 4.0),
    ("edge-robot-v1", 1.5, 1.0),
    ("edge-pc-v3", 3.0, 0.2),
];

/// Population parameters of the behaviour model; each device draws its own values from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BehaviourParams {
    /// Mean length of an online period, seconds (population median; each device's mean is log-normal around it).
    pub mean_online_secs: f64,
    /// Mean length of an offline period, seconds.
    pub mean_offline_secs: f64,
    /// Sigma of the log-normal spread of the per-device online/offline means.
    pub availability_sigma: f64,
    /// Median tasks completed per online hour (times the model's factor).
    pub tasks_per_hour: f64,
    /// Median interactions per online hour (times the model's factor).
    pub interactions_per_hour: f64,
    /// Sigma of the log-normal spread of the per-device rates.
    pub rate_sigma: f64,
}

impl Default for BehaviourParams {
    fn default() -> Self {
        Self {
            mean_online_secs: 3_600.0,
            mean_offline_secs: 600.0,
            availability_sigma: 0.5,
            tasks_per_hour: 30.0,
            interactions_per_hour: 240.0,
            rate_sigma: 1.0,
        }
    }
}

impl BehaviourParams {
    fn validate(&self) -> Result<(), SimError> {
        let positive = [
            ("mean_online_secs", self.mean_online_secs),
            ("mean_offline_secs", self.mean_offline_secs),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v >= 1.0) {
                return Err(SimError::InvalidArgument(format!("{name} must be ≥ 1 s, got {v}")));
            }
        }
        let non_negative = [
            ("availability_sigma", self.availability_sigma),
            ("tasks_per_hour", self.tasks_per_hour),
            ("interactions_per_hour", self.interactions_per_hour),
            ("rate_sigma", self.rate_sigma),
        ];
        for (name, v) in non_negative {
            if !(v.is_finite() && v >= 0.0) {
                return Err(SimError::InvalidArgument(format!("{name} must be ≥ 0, got {v}")));
            }
        }
        if self.tasks_per_hour > 1e6 || self.interactions_per_hour > 1e7 {
            return Err(SimError::InvalidArgument(
                "rates above 10^6 tasks / 10^7 interactions per hour".into(),
            ));
        }
        Ok(())
    }
}

/// Everything a fleet is derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetSpec {
    pub seed: u64,
    pub devices: u32,
    pub owners: u32,
    /// Fraction of devices with secp256k1 keys (the rest ed25519).
    pub secp256k1_fraction: f64,
    /// Bech32 prefix of the owner addresses.
    pub prefix: String,
    pub behaviour: BehaviourParams,
    pub cheats: CheatMix,
}

impl Default for FleetSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            devices: 50,
            owners: 5,
            secp256k1_fraction: 0.5,
            prefix: "emc".into(),
            behaviour: BehaviourParams::default(),
            cheats: CheatMix::default(),
        }
    }
}

impl FleetSpec {
    pub fn validate(&self) -> Result<(), SimError> {
        if !(1..=MAX_DEVICES).contains(&self.devices) {
            return Err(SimError::InvalidArgument(format!(
                "devices must be 1..={MAX_DEVICES}, got {}",
                self.devices
            )));
        }
        if !(1..=MAX_OWNERS).contains(&self.owners) {
            return Err(SimError::InvalidArgument(format!(
                "owners must be 1..={MAX_OWNERS}, got {}",
                self.owners
            )));
        }
        if !(0.0..=1.0).contains(&self.secp256k1_fraction) {
            return Err(SimError::InvalidArgument(format!(
                "secp256k1 fraction must be in [0, 1], got {}",
                self.secp256k1_fraction
            )));
        }
        if self.prefix.is_empty()
            || !self
                .prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(SimError::InvalidArgument(format!(
                "bad bech32 prefix {:?}",
                self.prefix
            )));
        }
        self.behaviour.validate()?;
        self.cheats.counts(self.devices)?;
        Ok(())
    }
}

/// An owner account (localnet test key: these mnemonics guard no real value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerEntry {
    pub name: String,
    pub address: String,
    pub mnemonic: String,
}

/// One device as persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEntry {
    pub index: u32,
    pub key_type: KeyType,
    /// 32-byte secret, hex (simulated devices only).
    pub secret_key: String,
    /// The public key as the registry stores it, hex.
    pub public_key: String,
    pub activation_code: String,
    pub model: String,
    pub cheat: CheatMode,
    /// Index into `owners` (registered devices only).
    pub owner: Option<u32>,
    pub mean_online_secs: f64,
    pub mean_offline_secs: f64,
    pub tasks_per_hour: f64,
    pub interactions_per_hour: f64,
    /// The registry's device id once registered.
    #[serde(default)]
    pub device_id: Option<u64>,
    /// Last status seen on chain (`registered`, `active`, ...).
    #[serde(default)]
    pub status: Option<String>,
    /// The device's owner on chain, as last seen by `provision`.
    #[serde(default)]
    pub chain_owner: Option<String>,
    /// Staked at least the minimum (as last seen by `provision`).
    #[serde(default)]
    pub staked: bool,
}

impl DeviceEntry {
    pub fn key(&self) -> Result<DeviceKey, SimError> {
        let key = DeviceKey::from_secret_hex(self.key_type, &self.secret_key)?;
        if hex::encode(key.public_key()) != self.public_key {
            return Err(SimError::InvalidArgument(format!(
                "device {}: public key does not match the secret key",
                self.index
            )));
        }
        Ok(key)
    }

    pub fn public_key_bytes(&self) -> Result<Vec<u8>, SimError> {
        hex::decode(&self.public_key)
            .map_err(|e| SimError::InvalidArgument(format!("device {}: public key hex: {e}", self.index)))
    }

    pub fn code_hash(&self) -> [u8; 32] {
        code_hash(&self.activation_code)
    }

    /// The device id this device puts in its reports (`None`: a registered device that has no id yet).
    pub fn claimed_id(&self, impersonated: Option<u64>) -> Option<u64> {
        match self.cheat {
            CheatMode::Unregistered => Some(UNREGISTERED_ID_BASE + u64::from(self.index)),
            CheatMode::Impersonate => impersonated,
            _ => self.device_id,
        }
    }
}

/// Where the fleet was provisioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBinding {
    pub chain_id: String,
    pub registry: String,
    pub maker: String,
    #[serde(default)]
    pub staking: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    pub format: u32,
    pub spec: FleetSpec,
    pub owners: Vec<OwnerEntry>,
    #[serde(default)]
    pub chain: Option<ChainBinding>,
    pub devices: Vec<DeviceEntry>,
}

impl Fleet {
    /// Derives the whole fleet from `spec` (deterministic).
    pub fn generate(spec: FleetSpec) -> Result<Self, SimError> {
        spec.validate()?;
        let n = spec.devices;
        // Cheat modes: the front of a seeded permutation.
        let mut order: Vec<u32> = (0..n).collect();
        order.shuffle(&mut rng::stream(spec.seed, "cheats", 0));
        let mut cheat_of = vec![CheatMode::Honest; n as usize];
        let mut next = 0usize;
        for (mode, count) in spec.cheats.counts(n)? {
            for &i in &order[next..next + count as usize] {
                cheat_of[i as usize] = mode;
            }
            next += count as usize;
        }

        let owners = (0..spec.owners)
            .map(|k| owner_entry(spec.seed, k, &spec.prefix))
            .collect::<Result<Vec<_>, _>>()?;

        let mut devices = Vec::with_capacity(n as usize);
        let mut registered = 0u32;
        for i in 0..n {
            let cheat = cheat_of[i as usize];
            let owner = cheat.registered().then(|| {
                let o = registered % spec.owners;
                registered += 1;
                o
            });
            devices.push(device_entry(&spec, i, cheat, owner)?);
        }
        Ok(Fleet {
            format: FLEET_FORMAT,
            spec,
            owners,
            chain: None,
            devices,
        })
    }

    /// Reads and checks a fleet file.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let bytes = std::fs::read(path).map_err(|source| SimError::FleetRead {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |reason: String| SimError::FleetInvalid {
            path: path.to_path_buf(),
            reason,
        };
        let fleet: Fleet = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
        if fleet.format != FLEET_FORMAT {
            return Err(invalid(format!(
                "format {} (this simulator reads {FLEET_FORMAT})",
                fleet.format
            )));
        }
        fleet.spec.validate().map_err(|e| invalid(e.to_string()))?;
        if fleet.devices.len() != fleet.spec.devices as usize || fleet.owners.len() != fleet.spec.owners as usize {
            return Err(invalid("device or owner count differs from the spec".into()));
        }
        for (i, d) in fleet.devices.iter().enumerate() {
            if d.index as usize != i {
                return Err(invalid(format!("device at position {i} has index {}", d.index)));
            }
            if let Some(o) = d.owner {
                if o >= fleet.spec.owners {
                    return Err(invalid(format!("device {i} has owner {o}")));
                }
            }
        }
        Ok(fleet)
    }

    /// Writes the file atomically (temp file + rename): header fields pretty-printed, one device per line.
    pub fn save(&self, path: &Path) -> Result<(), SimError> {
        let write_err = |source: std::io::Error| SimError::FleetWrite {
            path: path.to_path_buf(),
            source,
        };
        let json_err = |e: serde_json::Error| write_err(std::io::Error::other(e));
        let tmp = tmp_path(path);
        {
            let file = std::fs::File::create(&tmp).map_err(write_err)?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(w, "{{").map_err(write_err)?;
            writeln!(w, "  \"format\": {},", self.format).map_err(write_err)?;
            writeln!(
                w,
                "  \"spec\": {},",
                serde_json::to_string(&self.spec).map_err(json_err)?
            )
            .map_err(write_err)?;
            writeln!(
                w,
                "  \"chain\": {},",
                serde_json::to_string(&self.chain).map_err(json_err)?
            )
            .map_err(write_err)?;
            writeln!(w, "  \"owners\": [").map_err(write_err)?;
            for (i, o) in self.owners.iter().enumerate() {
                let sep = if i + 1 < self.owners.len() { "," } else { "" };
                writeln!(w, "    {}{sep}", serde_json::to_string(o).map_err(json_err)?).map_err(write_err)?;
            }
            writeln!(w, "  ],").map_err(write_err)?;
            writeln!(w, "  \"devices\": [").map_err(write_err)?;
            for (i, d) in self.devices.iter().enumerate() {
                let sep = if i + 1 < self.devices.len() { "," } else { "" };
                writeln!(w, "    {}{sep}", serde_json::to_string(d).map_err(json_err)?).map_err(write_err)?;
            }
            writeln!(w, "  ]\n}}").map_err(write_err)?;
            let file = w.into_inner().map_err(|e| write_err(e.into_error()))?;
            file.sync_all().map_err(write_err)?;
        }
        std::fs::rename(&tmp, path).map_err(write_err)
    }

    /// Gives registered devices consecutive ids from `first` in index order (for a fresh registry that registered
    /// the whole fleet in order, or a daemon with a static device list). Devices that already have an id keep it.
    pub fn assume_sequential_ids(&mut self, first: u64) {
        for (id, d) in (first..).zip(self.devices.iter_mut().filter(|d| d.cheat.registered())) {
            if d.device_id.is_none() {
                d.device_id = Some(id);
            }
        }
    }

    /// Counts for a human summary: (mode, devices, with an id, active).
    pub fn census(&self) -> Vec<(CheatMode, usize, usize, usize)> {
        CheatMode::ALL
            .iter()
            .map(|&m| {
                let of_mode = self.devices.iter().filter(|d| d.cheat == m);
                let total = of_mode.clone().count();
                let with_id = of_mode.clone().filter(|d| d.device_id.is_some()).count();
                let active = of_mode.filter(|d| d.status.as_deref() == Some("active")).count();
                (m, total, with_id, active)
            })
            .filter(|(_, total, _, _)| *total > 0)
            .collect()
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

fn owner_entry(seed: u64, k: u32, prefix: &str) -> Result<OwnerEntry, SimError> {
    let mut r = rng::stream(seed, "owner", u64::from(k));
    let mut entropy = [0u8; 32];
    r.fill_bytes(&mut entropy);
    let mnemonic = bip32::Mnemonic::from_entropy(entropy, bip32::Language::English);
    let name = format!("sim-owner-{k}");
    let info = chain_config::keys::KeyInfo::from_mnemonic(&name, mnemonic.phrase(), prefix, 118)
        .map_err(|e| SimError::Key(e.to_string()))?;
    Ok(OwnerEntry {
        name,
        address: info.address,
        mnemonic: info.mnemonic,
    })
}

fn device_entry(spec: &FleetSpec, i: u32, cheat: CheatMode, owner: Option<u32>) -> Result<DeviceEntry, SimError> {
    let mut r = rng::stream(spec.seed, "device", u64::from(i));
    let key_type = if r.gen::<f64>() < spec.secp256k1_fraction {
        KeyType::Secp256k1
    } else {
        KeyType::Ed25519
    };
    let key = DeviceKey::generate_with(key_type, &mut r);
    let mut code = [0u8; 12];
    r.fill_bytes(&mut code);
    let (model, task_factor, interaction_factor) = MODELS[r.gen_range(0..MODELS.len())];
    let b = &spec.behaviour;
    let mean_online_secs = rng::log_normal(&mut r, b.mean_online_secs, b.availability_sigma).max(1.0);
    let mean_offline_secs = rng::log_normal(&mut r, b.mean_offline_secs, b.availability_sigma).max(1.0);
    let tasks_per_hour = rng::log_normal(&mut r, b.tasks_per_hour * task_factor, b.rate_sigma);
    let interactions_per_hour = rng::log_normal(&mut r, b.interactions_per_hour * interaction_factor, b.rate_sigma);
    Ok(DeviceEntry {
        index: i,
        key_type,
        secret_key: key.to_secret_hex(),
        public_key: hex::encode(key.public_key()),
        activation_code: format!("EMC-{}", hex::encode(code)),
        model: model.to_string(),
        cheat,
        owner,
        mean_online_secs: round3(mean_online_secs),
        mean_offline_secs: round3(mean_offline_secs),
        tasks_per_hour: round3(tasks_per_hour),
        interactions_per_hour: round3(interactions_per_hour),
        device_id: None,
        status: None,
        chain_owner: None,
        staked: false,
    })
}

/// Rounded so the JSON file is readable and the values survive a save/load unchanged.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cheat::CheatAmount;

    fn spec(seed: u64, devices: u32) -> FleetSpec {
        FleetSpec {
            seed,
            devices,
            owners: 3,
            cheats: CheatMix {
                replay: CheatAmount::Count(2),
                inflated_uptime: CheatAmount::Count(2),
                double_sign: CheatAmount::Count(2),
                unregistered: CheatAmount::Count(2),
                impersonate: CheatAmount::Count(1),
                wrong_chain: CheatAmount::Fraction(0.05),
            },
            ..FleetSpec::default()
        }
    }

    #[test]
    fn generation_is_deterministic_from_the_seed() {
        let a = Fleet::generate(spec(42, 40)).unwrap();
        let b = Fleet::generate(spec(42, 40)).unwrap();
        let c = Fleet::generate(spec(43, 40)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.devices[0].secret_key, c.devices[0].secret_key);
        assert_ne!(a.owners[0].address, c.owners[0].address);
        // Device i does not depend on the fleet size.
        let bigger = Fleet::generate(spec(42, 60)).unwrap();
        assert_eq!(a.devices[7].secret_key, bigger.devices[7].secret_key);
        assert_eq!(a.devices[7].activation_code, bigger.devices[7].activation_code);
        assert!(a.owners[0].address.starts_with("emc1"));
    }

    #[test]
    fn mix_of_keys_cheats_and_owners() {
        let f = Fleet::generate(spec(7, 40)).unwrap();
        let secp = f.devices.iter().filter(|d| d.key_type == KeyType::Secp256k1).count();
        assert!(secp > 5 && secp < 35, "secp256k1 devices: {secp}");
        for d in &f.devices {
            let key = d.key().unwrap();
            assert_eq!(key.key_type(), d.key_type);
            assert_eq!(d.public_key.len(), d.key_type.pubkey_len() * 2);
        }
        let census = f.census();
        let count = |m| census.iter().find(|c| c.0 == m).map(|c| c.1).unwrap_or(0);
        assert_eq!(count(CheatMode::Replay), 2);
        assert_eq!(count(CheatMode::WrongChain), 2);
        assert_eq!(count(CheatMode::Impersonate), 1);
        assert_eq!(count(CheatMode::Honest), 40 - 11);
        // Owners: registered devices only, round robin (balanced to within one).
        let mut per_owner = [0; 3];
        for d in &f.devices {
            assert_eq!(d.owner.is_some(), d.cheat.registered());
            if let Some(o) = d.owner {
                per_owner[o as usize] += 1;
            }
        }
        assert_eq!(per_owner.iter().sum::<i32>(), 40 - 3);
        assert!(per_owner.iter().max().unwrap() - per_owner.iter().min().unwrap() <= 1);
        let codes: std::collections::HashSet<_> = f.devices.iter().map(|d| &d.activation_code).collect();
        assert_eq!(codes.len(), 40);
    }

    #[test]
    fn save_load_round_trip_and_sequential_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet.json");
        let mut f = Fleet::generate(spec(9, 25)).unwrap();
        f.assume_sequential_ids(1);
        f.save(&path).unwrap();
        let g = Fleet::load(&path).unwrap();
        assert_eq!(f, g);
        let ids: Vec<u64> = g.devices.iter().filter_map(|d| d.device_id).collect();
        assert_eq!(ids.len(), g.devices.iter().filter(|d| d.cheat.registered()).count());
        assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
        // A corrupted file is refused with a reason.
        std::fs::write(&path, b"{\"format\": 1}").unwrap();
        assert!(matches!(Fleet::load(&path), Err(SimError::FleetInvalid { .. })));
    }

    #[test]
    fn invalid_specs_are_refused() {
        for bad in [
            FleetSpec {
                devices: 0,
                ..FleetSpec::default()
            },
            FleetSpec {
                devices: MAX_DEVICES + 1,
                ..FleetSpec::default()
            },
            FleetSpec {
                owners: 0,
                ..FleetSpec::default()
            },
            FleetSpec {
                secp256k1_fraction: 1.5,
                ..FleetSpec::default()
            },
            FleetSpec {
                prefix: "EMC".into(),
                ..FleetSpec::default()
            },
        ] {
            assert!(Fleet::generate(bad).is_err());
        }
    }
}
