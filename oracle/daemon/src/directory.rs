//! Where the verifier learns a device's key and status: the device registry on chain ([`ChainDirectory`], with a
//! bounded TTL cache and negative caching of unknown ids) or a fixed set ([`StaticDirectory`], for tests and tools).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chain_config::client::ChainClient;
use edgemint_device_sdk::DevicePublicKey;
use edgemint_types::registry::{DeviceResponse, DeviceStatus, RegistryQueryMsg};
use thiserror::Error;

/// What the verifier needs to know about a registered device.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub device_id: u64,
    pub key: Arc<DevicePublicKey>,
    pub status: DeviceStatus,
    pub owner: Option<String>,
}

impl DeviceInfo {
    /// From the registry's `Device` answer; fails if the stored key is not a valid key of its type.
    pub fn from_response(d: &DeviceResponse) -> Result<Self, DirectoryError> {
        let key = DevicePublicKey::from_bytes(d.key_type, d.pubkey.as_slice())
            .map_err(|e| DirectoryError::Invalid(format!("device {}: {e}", d.device_id)))?;
        Ok(Self {
            device_id: d.device_id,
            key: Arc::new(key),
            status: d.status,
            owner: d.owner.as_ref().map(|a| a.to_string()),
        })
    }
}

#[derive(Debug, Error, Clone)]
pub enum DirectoryError {
    /// The chain could not be asked (node down, timeout): retry later.
    #[error("device registry unavailable: {0}")]
    Unavailable(String),
    #[error("device registry answered something unusable: {0}")]
    Invalid(String),
}

pub type LookupFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<DeviceInfo>, DirectoryError>> + Send + 'a>>;

/// Looks devices up by id: `Ok(None)` means the registry does not know the id.
pub trait DeviceDirectory: Send + Sync + 'static {
    fn lookup(&self, device_id: u64) -> LookupFuture<'_>;

    /// What [`DeviceDirectory::lookup`] would answer without asking anyone (a cache hit), if anything: lets a batch
    /// resolve its known devices in place and spawn lookups only for the others.
    fn cached(&self, _device_id: u64) -> Option<Option<DeviceInfo>> {
        None
    }
}

/// A fixed set of devices (test double and offline tool).
#[derive(Default)]
pub struct StaticDirectory {
    devices: Mutex<HashMap<u64, DeviceInfo>>,
}

impl StaticDirectory {
    pub fn new(devices: impl IntoIterator<Item = DeviceInfo>) -> Self {
        Self {
            devices: Mutex::new(devices.into_iter().map(|d| (d.device_id, d)).collect()),
        }
    }

    pub fn insert(&self, device: DeviceInfo) {
        if let Ok(mut map) = self.devices.lock() {
            map.insert(device.device_id, device);
        }
    }
}

impl DeviceDirectory for StaticDirectory {
    fn lookup(&self, device_id: u64) -> LookupFuture<'_> {
        let found = self
            .devices
            .lock()
            .map(|m| m.get(&device_id).cloned())
            .map_err(|_| DirectoryError::Unavailable("directory lock poisoned".into()));
        Box::pin(async move { found })
    }

    fn cached(&self, device_id: u64) -> Option<Option<DeviceInfo>> {
        self.devices.lock().ok().map(|m| m.get(&device_id).cloned())
    }
}

/// TTLs and size of the cache in front of the registry.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    pub ttl: Duration,
    pub negative_ttl: Duration,
    pub capacity: usize,
}

struct Entry {
    value: Option<DeviceInfo>,
    expires: Instant,
}

/// A bounded map with expiry; when full, the oldest inserted entries are dropped first.
struct TtlCache {
    map: HashMap<u64, Entry>,
    order: VecDeque<u64>,
    capacity: usize,
}

impl TtlCache {
    fn get(&self, id: u64, now: Instant) -> Option<Option<DeviceInfo>> {
        self.map.get(&id).filter(|e| e.expires > now).map(|e| e.value.clone())
    }

    fn put(&mut self, id: u64, value: Option<DeviceInfo>, expires: Instant) {
        if self.map.insert(id, Entry { value, expires }).is_none() {
            self.order.push_back(id);
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        // Refreshed ids keep their old place in `order`; compact when it grows far beyond the map.
        if self.order.len() > 2 * self.capacity.max(16) {
            let map = &self.map;
            self.order.retain(|id| map.contains_key(id));
        }
    }
}

/// The device registry on chain, behind a TTL cache.
pub struct ChainDirectory {
    client: Arc<ChainClient>,
    registry: String,
    policy: CachePolicy,
    cache: Mutex<TtlCache>,
}

impl ChainDirectory {
    pub fn new(client: Arc<ChainClient>, registry: String, policy: CachePolicy) -> Self {
        Self {
            client,
            registry,
            policy,
            cache: Mutex::new(TtlCache {
                map: HashMap::new(),
                order: VecDeque::new(),
                capacity: policy.capacity.max(1),
            }),
        }
    }

    async fn fetch(&self, device_id: u64) -> Result<Option<DeviceInfo>, DirectoryError> {
        let query = serde_json::to_value(RegistryQueryMsg::Device { device_id })
            .map_err(|e| DirectoryError::Invalid(e.to_string()))?;
        match self.client.smart_query(&self.registry, &query).await {
            Ok(value) => {
                let resp: DeviceResponse =
                    serde_json::from_value(value).map_err(|e| DirectoryError::Invalid(e.to_string()))?;
                DeviceInfo::from_response(&resp).map(Some)
            }
            Err(e) => {
                let text = crate::chain::error_text(&e);
                // The registry's `UnknownDevice` error: "unknown device {id}".
                if text.contains("unknown device") {
                    Ok(None)
                } else {
                    Err(DirectoryError::Unavailable(text))
                }
            }
        }
    }
}

impl DeviceDirectory for ChainDirectory {
    fn cached(&self, device_id: u64) -> Option<Option<DeviceInfo>> {
        self.cache.lock().ok().and_then(|c| c.get(device_id, Instant::now()))
    }

    fn lookup(&self, device_id: u64) -> LookupFuture<'_> {
        Box::pin(async move {
            if let Some(hit) = self.cached(device_id) {
                return Ok(hit);
            }
            let value = self.fetch(device_id).await?;
            let ttl = if value.is_some() {
                self.policy.ttl
            } else {
                self.policy.negative_ttl
            };
            if let Ok(mut cache) = self.cache.lock() {
                cache.put(device_id, value.clone(), Instant::now() + ttl);
            }
            Ok(value)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgemint_device_sdk::{DeviceKey, KeyType};

    fn info(id: u64) -> DeviceInfo {
        DeviceInfo {
            device_id: id,
            key: Arc::new(DeviceKey::generate(KeyType::Ed25519).device_public_key()),
            status: DeviceStatus::Active,
            owner: None,
        }
    }

    #[test]
    fn cache_expires_and_stays_bounded() {
        let mut c = TtlCache {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: 3,
        };
        let now = Instant::now();
        let later = now + Duration::from_secs(10);
        c.put(1, Some(info(1)), later);
        c.put(2, None, later);
        assert!(c.get(1, now).unwrap().is_some());
        assert!(c.get(2, now).unwrap().is_none(), "negative entry");
        assert!(c.get(1, later).is_none(), "expired");
        for id in 3..=5 {
            c.put(id, Some(info(id)), later);
        }
        assert_eq!(c.map.len(), 3);
        assert!(c.get(1, now).is_none() && c.get(2, now).is_none(), "oldest dropped");
        for _ in 0..100 {
            c.put(5, None, later);
        }
        assert!(c.order.len() <= 32);
    }

    #[tokio::test]
    async fn static_directory() {
        let d = StaticDirectory::new([info(4)]);
        assert!(d.lookup(4).await.unwrap().is_some());
        assert!(d.lookup(5).await.unwrap().is_none());
        d.insert(info(5));
        assert!(d.lookup(5).await.unwrap().is_some());
    }
}
