//! Device telemetry reports: the struct a device signs and its one canonical binary encoding.
//!
//! The device SDK signs exactly these bytes, the oracle daemon verifies them, and the oracle hub decodes two of them
//! as device equivocation evidence. Keep the three in step by changing only this module (and bumping the domain tag).
//!
//! # Encoding (`edgemint-telemetry/v1`)
//!
//! ```text
//! offset      size  field
//! 0           21    domain tag, the ASCII bytes "edgemint-telemetry/v1" (no terminator)
//! 21          1     L = length of the chain id in bytes, 1..=50
//! 22          L     chain id, printable ASCII (0x21..=0x7e), e.g. "edgemint-1"
//! 22+L        8     device_id        u64 big-endian
//! 30+L        8     sequence         u64 big-endian
//! 38+L        8     timestamp        u64 big-endian, unix seconds
//! 46+L        8     epoch            u64 big-endian
//! 54+L        8     uptime_secs      u64 big-endian
//! 62+L        8     tasks_completed  u64 big-endian
//! 70+L        8     interactions     u64 big-endian
//! 78+L        1     receipts flag: 0 = no receipts hash (the encoding ends here), 1 = a hash follows
//! 79+L        32    receipts_hash (only when the flag is 1)
//! ```
//!
//! Total length: `79 + L` bytes without a receipts hash, `111 + L` with one. [`decode`] accepts exactly this: a wrong
//! tag, a chain id that is empty, longer than 50 bytes or not printable ASCII, a flag other than 0/1, a short input
//! or any trailing byte is an error. So two different byte strings that both decode are two different reports, and
//! `encode(decode(bytes)) == bytes` for every accepted input.
//!
//! # Signatures (same convention as device activation)
//!
//! - ed25519 devices sign the encoded bytes themselves (64-byte R||S);
//! - secp256k1 devices sign sha256(encoded bytes), compact 64-byte r||s (low-S).
//!
//! Prehashes of the two test vectors in this module's tests (what a secp256k1 device signs):
//! vector 1 → `3c5b5e57da406a4d878dbf97b458fade66909da95ad00761240a58b6b46151e8`,
//! vector 2 → `f0837d0fe64f6f7700fd425a973b3f9143d94b783c091d956e313afad88cad26`.
//!
//! The chain id inside the bytes binds a signed report to one chain, so a report signed for a test network cannot be
//! replayed as evidence (or as telemetry) on another.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::HexBinary;
use thiserror::Error;

/// First bytes of every encoded report; bump the version if the format ever changes.
pub const TELEMETRY_DOMAIN: &str = "edgemint-telemetry/v1";
/// CometBFT's limit on chain id length.
pub const MAX_CHAIN_ID_LEN: usize = 50;
/// The receipts hash is a sha256.
pub const RECEIPTS_HASH_LEN: usize = 32;
/// Number of big-endian u64 fields.
const U64_FIELDS: usize = 7;
/// Length of an encoding without the chain id bytes and without a receipts hash.
const FIXED_LEN: usize = TELEMETRY_DOMAIN.len() + 1 + 8 * U64_FIELDS + 1;

/// One signed telemetry report of one device.
#[cw_serde]
#[derive(Eq)]
pub struct TelemetryReport {
    pub device_id: u64,
    /// Strictly increasing per device; two different reports with one sequence number are equivocation.
    pub sequence: u64,
    /// When the device made the report (unix seconds).
    pub timestamp: u64,
    pub epoch: u64,
    pub uptime_secs: u64,
    pub tasks_completed: u64,
    pub interactions: u64,
    /// sha256 of the device's task receipts for this report, if any (32 bytes; hex in JSON).
    pub receipts_hash: Option<HexBinary>,
}

/// A decoded report together with the chain id it was signed for.
#[cw_serde]
#[derive(Eq)]
pub struct DecodedTelemetry {
    pub chain_id: String,
    pub report: TelemetryReport,
}

#[derive(Error, Debug, PartialEq, Eq)]
pub enum TelemetryError {
    #[error("telemetry report too short: {len} bytes")]
    Truncated { len: usize },

    #[error("telemetry report does not start with the domain tag {TELEMETRY_DOMAIN:?}")]
    BadDomain {},

    #[error("invalid chain id in telemetry report: must be 1 to {MAX_CHAIN_ID_LEN} printable ASCII bytes")]
    InvalidChainId {},

    #[error("invalid receipts flag {flag}: must be 0 or 1")]
    BadFlag { flag: u8 },

    #[error("invalid receipts hash: {len} bytes, must be {RECEIPTS_HASH_LEN}")]
    InvalidReceiptsHash { len: usize },

    #[error("telemetry report has {count} trailing bytes")]
    TrailingBytes { count: usize },
}

fn valid_chain_id(chain_id: &[u8]) -> bool {
    (1..=MAX_CHAIN_ID_LEN).contains(&chain_id.len()) && chain_id.iter().all(|b| (0x21..=0x7e).contains(b))
}

impl TelemetryReport {
    /// The canonical bytes of this report for `chain_id` (see the module docs). Fails only on an invalid chain id
    /// or a receipts hash that is not 32 bytes.
    pub fn encode(&self, chain_id: &str) -> Result<Vec<u8>, TelemetryError> {
        encode(chain_id, self)
    }

    /// Decodes canonical bytes; see [`decode`].
    pub fn decode(bytes: &[u8]) -> Result<DecodedTelemetry, TelemetryError> {
        decode(bytes)
    }
}

/// The canonical bytes of `report` for `chain_id` (see the module docs).
pub fn encode(chain_id: &str, report: &TelemetryReport) -> Result<Vec<u8>, TelemetryError> {
    let chain = chain_id.as_bytes();
    if !valid_chain_id(chain) {
        return Err(TelemetryError::InvalidChainId {});
    }
    let hash = match &report.receipts_hash {
        Some(h) if h.len() != RECEIPTS_HASH_LEN => return Err(TelemetryError::InvalidReceiptsHash { len: h.len() }),
        Some(h) => Some(h.as_slice()),
        None => None,
    };
    let mut out = Vec::with_capacity(FIXED_LEN + chain.len() + RECEIPTS_HASH_LEN);
    out.extend_from_slice(TELEMETRY_DOMAIN.as_bytes());
    // valid_chain_id bounds the length to 50, so the cast cannot truncate.
    out.push(chain.len() as u8);
    out.extend_from_slice(chain);
    for field in [
        report.device_id,
        report.sequence,
        report.timestamp,
        report.epoch,
        report.uptime_secs,
        report.tasks_completed,
        report.interactions,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    match hash {
        None => out.push(0),
        Some(h) => {
            out.push(1);
            out.extend_from_slice(h);
        }
    }
    Ok(out)
}

/// Decodes canonical bytes (see the module docs) into the chain id and the report. Anything but an exact canonical
/// encoding is rejected.
pub fn decode(bytes: &[u8]) -> Result<DecodedTelemetry, TelemetryError> {
    let mut reader = Reader { bytes, pos: 0 };
    let tag = reader.take(TELEMETRY_DOMAIN.len())?;
    if tag != TELEMETRY_DOMAIN.as_bytes() {
        return Err(TelemetryError::BadDomain {});
    }
    let chain_len = usize::from(reader.take(1)?[0]);
    let chain = reader.take(chain_len)?;
    if !valid_chain_id(chain) {
        return Err(TelemetryError::InvalidChainId {});
    }
    // Printable ASCII is valid UTF-8.
    let chain_id = String::from_utf8(chain.to_vec()).map_err(|_| TelemetryError::InvalidChainId {})?;
    let device_id = reader.u64()?;
    let sequence = reader.u64()?;
    let timestamp = reader.u64()?;
    let epoch = reader.u64()?;
    let uptime_secs = reader.u64()?;
    let tasks_completed = reader.u64()?;
    let interactions = reader.u64()?;
    let receipts_hash = match reader.take(1)?[0] {
        0 => None,
        1 => Some(HexBinary::from(reader.take(RECEIPTS_HASH_LEN)?)),
        flag => return Err(TelemetryError::BadFlag { flag }),
    };
    let rest = bytes.len() - reader.pos;
    if rest != 0 {
        return Err(TelemetryError::TrailingBytes { count: rest });
    }
    Ok(DecodedTelemetry {
        chain_id,
        report: TelemetryReport {
            device_id,
            sequence,
            timestamp,
            epoch,
            uptime_secs,
            tasks_completed,
            interactions,
            receipts_hash,
        },
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TelemetryError> {
        let end = self.pos.checked_add(n).filter(|end| *end <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err(TelemetryError::Truncated { len: self.bytes.len() }),
        }
    }

    fn u64(&mut self) -> Result<u64, TelemetryError> {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(receipts: bool) -> TelemetryReport {
        TelemetryReport {
            device_id: 42,
            sequence: 7,
            timestamp: 1_700_000_000,
            epoch: 3,
            uptime_secs: 86_400,
            tasks_completed: 12,
            interactions: 0x0102_0304_0506_0708,
            receipts_hash: receipts.then(|| HexBinary::from(vec![0xab; 32])),
        }
    }

    /// Test vector 1: no receipts hash, chain id "edgemint-1" (L = 10, 89 bytes).
    const VECTOR_1: &str = concat!(
        "656467656d696e742d74656c656d657472792f7631", // "edgemint-telemetry/v1"
        "0a",                                         // L = 10
        "656467656d696e742d31",                       // "edgemint-1"
        "000000000000002a",                           // device_id 42
        "0000000000000007",                           // sequence 7
        "000000006553f100",                           // timestamp 1700000000
        "0000000000000003",                           // epoch 3
        "0000000000015180",                           // uptime_secs 86400
        "000000000000000c",                           // tasks_completed 12
        "0102030405060708",                           // interactions
        "00",                                         // no receipts hash
    );

    /// Test vector 2: the same report with receipts hash 0xab × 32, chain id "edgemint-local-1" (L = 16, 127 bytes).
    const VECTOR_2: &str = concat!(
        "656467656d696e742d74656c656d657472792f7631",
        "10",
        "656467656d696e742d6c6f63616c2d31",
        "000000000000002a",
        "0000000000000007",
        "000000006553f100",
        "0000000000000003",
        "0000000000015180",
        "000000000000000c",
        "0102030405060708",
        "01",
        "abababababababababababababababababababababababababababababababab",
    );

    #[test]
    fn test_vectors() {
        let v1 = encode("edgemint-1", &sample(false)).unwrap();
        assert_eq!(HexBinary::from(v1.clone()).to_hex(), VECTOR_1);
        assert_eq!(v1.len(), 89);
        let v2 = sample(true).encode("edgemint-local-1").unwrap();
        assert_eq!(HexBinary::from(v2.clone()).to_hex(), VECTOR_2);
        assert_eq!(v2.len(), 127);

        let d1 = decode(&v1).unwrap();
        assert_eq!(d1.chain_id, "edgemint-1");
        assert_eq!(d1.report, sample(false));
        let d2 = TelemetryReport::decode(&v2).unwrap();
        assert_eq!(d2.chain_id, "edgemint-local-1");
        assert_eq!(d2.report, sample(true));
    }

    #[test]
    fn json_shape() {
        let json = cosmwasm_std::to_json_string(&sample(true)).unwrap();
        assert_eq!(
            json,
            format!(
                "{{\"device_id\":42,\"sequence\":7,\"timestamp\":1700000000,\"epoch\":3,\"uptime_secs\":86400,\
                 \"tasks_completed\":12,\"interactions\":72623859790382856,\"receipts_hash\":\"{}\"}}",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn round_trip_extremes() {
        let report = TelemetryReport {
            device_id: u64::MAX,
            sequence: 0,
            timestamp: u64::MAX,
            epoch: 0,
            uptime_secs: u64::MAX,
            tasks_completed: 0,
            interactions: u64::MAX,
            receipts_hash: Some(HexBinary::from(vec![0u8; 32])),
        };
        let chain = "c".repeat(MAX_CHAIN_ID_LEN);
        let bytes = encode(&chain, &report).unwrap();
        assert_eq!(bytes.len(), 111 + MAX_CHAIN_ID_LEN);
        let decoded = decode(&bytes).unwrap();
        assert_eq!((decoded.chain_id.as_str(), &decoded.report), (chain.as_str(), &report));
        assert_eq!(encode(&decoded.chain_id, &decoded.report).unwrap(), bytes);
    }

    #[test]
    fn encode_rejects_bad_input() {
        for chain in ["", "has space", "tab\t", "ünicode", &"c".repeat(MAX_CHAIN_ID_LEN + 1)] {
            assert_eq!(
                encode(chain, &sample(false)),
                Err(TelemetryError::InvalidChainId {}),
                "{chain:?}"
            );
        }
        let mut r = sample(false);
        r.receipts_hash = Some(HexBinary::from(vec![1u8; 31]));
        assert_eq!(
            encode("edgemint-1", &r),
            Err(TelemetryError::InvalidReceiptsHash { len: 31 })
        );
    }

    #[test]
    fn decode_rejects_non_canonical() {
        let good = HexBinary::from_hex(VECTOR_1).unwrap().to_vec();
        let good_hash = HexBinary::from_hex(VECTOR_2).unwrap().to_vec();

        // every strict prefix is truncated
        for n in 0..good.len() {
            assert!(
                matches!(decode(&good[..n]), Err(TelemetryError::Truncated { .. })),
                "prefix {n}"
            );
        }
        for n in good_hash.len() - 32..good_hash.len() {
            assert!(matches!(decode(&good_hash[..n]), Err(TelemetryError::Truncated { .. })));
        }

        // trailing bytes
        let mut long = good.clone();
        long.push(0);
        assert_eq!(decode(&long), Err(TelemetryError::TrailingBytes { count: 1 }));
        let mut long = good_hash.clone();
        long.extend_from_slice(&[1, 2, 3]);
        assert_eq!(decode(&long), Err(TelemetryError::TrailingBytes { count: 3 }));
        // flag 0 followed by a hash is trailing data, not an ignored hash
        let mut zero_flag_with_hash = good.clone();
        zero_flag_with_hash.extend_from_slice(&[0xab; 32]);
        assert_eq!(
            decode(&zero_flag_with_hash),
            Err(TelemetryError::TrailingBytes { count: 32 })
        );

        // bad flag
        let mut bad_flag = good.clone();
        *bad_flag.last_mut().unwrap() = 2;
        assert_eq!(decode(&bad_flag), Err(TelemetryError::BadFlag { flag: 2 }));

        // bad domain (v2, or another message type)
        let mut bad_tag = good.clone();
        bad_tag[20] = b'2';
        assert_eq!(decode(&bad_tag), Err(TelemetryError::BadDomain {}));

        // chain id length 0, and a non-printable chain id byte
        let mut empty_chain = TELEMETRY_DOMAIN.as_bytes().to_vec();
        empty_chain.push(0);
        empty_chain.extend_from_slice(&good[32..]);
        assert_eq!(decode(&empty_chain), Err(TelemetryError::InvalidChainId {}));
        let mut space = good.clone();
        space[22] = b' ';
        assert_eq!(decode(&space), Err(TelemetryError::InvalidChainId {}));
        // chain id longer than 50 bytes
        let mut long_chain = TELEMETRY_DOMAIN.as_bytes().to_vec();
        long_chain.push(51);
        long_chain.extend_from_slice(&[b'c'; 51]);
        long_chain.extend_from_slice(&good[32..]);
        assert_eq!(decode(&long_chain), Err(TelemetryError::InvalidChainId {}));
    }

    #[test]
    fn different_content_means_different_bytes() {
        let base = sample(false);
        let a = encode("edgemint-1", &base).unwrap();
        let mut changed = base.clone();
        changed.uptime_secs += 1;
        assert_ne!(encode("edgemint-1", &changed).unwrap(), a);
        assert_ne!(encode("edgemint-2", &base).unwrap(), a);
        assert_ne!(sample(true).encode("edgemint-1").unwrap(), a);
    }
}
