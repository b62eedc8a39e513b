//! The batch frame for HTTP ingest: many binary records in one body.
//!
//! ```text
//! offset  size  field
//! 0       4     magic, the ASCII bytes "EMTB"
//! 4       1     version = 1
//! 5       4     count, u32 big-endian, 1..=10_000
//! 9       ...   count entries, each:
//!                 2    length, u16 big-endian, 144..=225
//!                 len  record = encode(chain_id, report) || signature (64)
//! ```
//!
//! Nothing may follow the last entry. The whole frame is at most [`MAX_BATCH_FRAME_LEN`] bytes (2,270,009), which
//! an HTTP server can use as its body limit. Records in one frame may be for different chain ids and devices; each
//! record is decoded as strictly as [`SignedTelemetry::from_binary`] does, and any malformed record rejects the whole
//! frame (signatures are not checked here: verification is per record, by the receiver).

use crate::error::SdkError;
use crate::telemetry::{DecodedSignedTelemetry, SignedTelemetry, MAX_RECORD_LEN, MIN_RECORD_LEN};

/// First four bytes of every batch frame.
pub const BATCH_MAGIC: [u8; 4] = *b"EMTB";
/// The only frame version so far.
pub const BATCH_VERSION: u8 = 1;
/// Most records in one frame.
pub const MAX_BATCH_RECORDS: usize = 10_000;
/// magic + version + count.
pub const BATCH_HEADER_LEN: usize = 4 + 1 + 4;
/// Largest possible frame: header + the maximum count of maximum-length entries.
pub const MAX_BATCH_FRAME_LEN: usize = BATCH_HEADER_LEN + MAX_BATCH_RECORDS * (2 + MAX_RECORD_LEN);

/// Builds one batch frame record by record.
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    buf: Vec<u8>,
    count: usize,
}

impl Default for BatchBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchBuilder {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(BATCH_HEADER_LEN + 64 * (2 + MAX_RECORD_LEN));
        buf.extend_from_slice(&BATCH_MAGIC);
        buf.push(BATCH_VERSION);
        buf.extend_from_slice(&[0; 4]); // count, written by finish()
        BatchBuilder { buf, count: 0 }
    }

    /// Number of records pushed so far.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// True once the frame holds [`MAX_BATCH_RECORDS`] records.
    pub fn is_full(&self) -> bool {
        self.count >= MAX_BATCH_RECORDS
    }

    /// Appends `signed` as the record `encode(chain_id, report) || signature`. Fails if the frame is full or the
    /// report cannot be encoded (bad chain id or receipts hash); the builder is unchanged then.
    pub fn push(&mut self, chain_id: &str, signed: &SignedTelemetry) -> Result<(), SdkError> {
        if self.is_full() {
            return Err(SdkError::BadCount {
                count: self.count as u64 + 1,
                max: MAX_BATCH_RECORDS,
            });
        }
        let record = signed.to_binary(chain_id)?;
        // A valid encoding is 144..=225 bytes, so it always fits the u16 length.
        let len = u16::try_from(record.len()).expect("a record is at most 225 bytes");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(&record);
        self.count += 1;
        Ok(())
    }

    /// The frame. Fails if no record was pushed (an empty frame is never valid).
    pub fn finish(mut self) -> Result<Vec<u8>, SdkError> {
        if self.count == 0 {
            return Err(SdkError::BadCount {
                count: 0,
                max: MAX_BATCH_RECORDS,
            });
        }
        let count = u32::try_from(self.count).expect("at most 10_000 records");
        self.buf[5..9].copy_from_slice(&count.to_be_bytes());
        Ok(self.buf)
    }
}

/// One frame holding `items`, all signed for `chain_id`.
pub fn encode_batch(chain_id: &str, items: &[SignedTelemetry]) -> Result<Vec<u8>, SdkError> {
    let mut builder = BatchBuilder::new();
    for item in items {
        builder.push(chain_id, item)?;
    }
    builder.finish()
}

/// Decodes a frame strictly: size, magic, version, count in 1..=10_000, each entry's length in 144..=225, each
/// record canonical, no trailing bytes. Never panics, allocates in proportion to the input only.
pub fn decode_batch(frame: &[u8]) -> Result<Vec<DecodedSignedTelemetry>, SdkError> {
    if frame.len() > MAX_BATCH_FRAME_LEN {
        return Err(SdkError::FrameTooLarge {
            len: frame.len(),
            max: MAX_BATCH_FRAME_LEN,
        });
    }
    if frame.len() < BATCH_HEADER_LEN {
        // Report a wrong magic before a short frame when the first bytes already disagree.
        let n = frame.len().min(BATCH_MAGIC.len());
        if frame[..n] != BATCH_MAGIC[..n] {
            return Err(SdkError::BadMagic);
        }
        return Err(SdkError::FrameTruncated {
            len: frame.len(),
            needed: BATCH_HEADER_LEN,
        });
    }
    if frame[..4] != BATCH_MAGIC {
        return Err(SdkError::BadMagic);
    }
    if frame[4] != BATCH_VERSION {
        return Err(SdkError::UnsupportedVersion { version: frame[4] });
    }
    let count = u32::from_be_bytes([frame[5], frame[6], frame[7], frame[8]]);
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count == 0 || count > MAX_BATCH_RECORDS {
        return Err(SdkError::BadCount {
            count: count as u64,
            max: MAX_BATCH_RECORDS,
        });
    }
    // Cheap plausibility check before any allocation: every entry takes at least 2 + 144 bytes.
    let needed = BATCH_HEADER_LEN + count * (2 + MIN_RECORD_LEN);
    if frame.len() < needed {
        return Err(SdkError::FrameTruncated {
            len: frame.len(),
            needed,
        });
    }

    let mut out = Vec::with_capacity(count);
    let mut pos = BATCH_HEADER_LEN;
    for index in 0..count {
        let Some(len_bytes) = frame.get(pos..pos + 2) else {
            return Err(SdkError::FrameTruncated {
                len: frame.len(),
                needed: pos + 2,
            });
        };
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        pos += 2;
        if !(MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&len) {
            return Err(SdkError::BatchRecord {
                index,
                error: Box::new(SdkError::RecordLength {
                    len,
                    min: MIN_RECORD_LEN,
                    max: MAX_RECORD_LEN,
                }),
            });
        }
        let Some(record) = frame.get(pos..pos + len) else {
            return Err(SdkError::FrameTruncated {
                len: frame.len(),
                needed: pos + len,
            });
        };
        pos += len;
        let decoded = SignedTelemetry::from_binary(record).map_err(|error| SdkError::BatchRecord {
            index,
            error: Box::new(error),
        })?;
        out.push(decoded);
    }
    if pos != frame.len() {
        return Err(SdkError::FrameTrailingBytes {
            count: frame.len() - pos,
        });
    }
    Ok(out)
}

/// The frame for already decoded records (any mix of chain ids), in order: `encode` of `decode_batch`'s output is
/// the original frame.
pub fn encode_decoded_batch(records: &[DecodedSignedTelemetry]) -> Result<Vec<u8>, SdkError> {
    let mut builder = BatchBuilder::new();
    for record in records {
        builder.push(&record.chain_id, &record.signed)?;
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use edgemint_types::registry::KeyType;
    use edgemint_types::telemetry::TelemetryReport;

    use super::*;
    use crate::keys::DeviceKey;

    fn signed(key: &DeviceKey, sequence: u64) -> SignedTelemetry {
        let report = TelemetryReport {
            device_id: 9,
            sequence,
            timestamp: 1_700_000_000 + sequence,
            epoch: 1,
            uptime_secs: 60,
            tasks_completed: sequence,
            interactions: 1,
            receipts_hash: None,
        };
        SignedTelemetry::sign(key, "edgemint-local-1", report).unwrap()
    }

    #[test]
    fn max_frame_len() {
        assert_eq!(MAX_BATCH_FRAME_LEN, 2_270_009);
    }

    #[test]
    fn round_trip_and_verify() {
        let key = DeviceKey::generate(KeyType::Secp256k1);
        let items: Vec<_> = (1..=5).map(|s| signed(&key, s)).collect();
        let frame = encode_batch("edgemint-local-1", &items).unwrap();
        assert_eq!(&frame[..9], &[b'E', b'M', b'T', b'B', 1, 0, 0, 0, 5]);
        let decoded = decode_batch(&frame).unwrap();
        assert_eq!(decoded.len(), 5);
        for (d, item) in decoded.iter().zip(&items) {
            assert_eq!(&d.signed, item);
            d.verify_for_chain(&key.device_public_key(), "edgemint-local-1")
                .unwrap();
        }
        assert_eq!(encode_decoded_batch(&decoded).unwrap(), frame);
    }

    #[test]
    fn rejects_malformed_frames() {
        let key = DeviceKey::generate(KeyType::Ed25519);
        let frame = encode_batch("edgemint-local-1", &[signed(&key, 1), signed(&key, 2)]).unwrap();
        let code = |bytes: &[u8]| decode_batch(bytes).unwrap_err().code();

        for n in 0..frame.len() {
            assert!(decode_batch(&frame[..n]).is_err(), "prefix {n}");
        }
        assert_eq!(code(b""), "frame_truncated");
        assert_eq!(code(b"EMT"), "frame_truncated");
        assert_eq!(code(b"XMTB"), "frame_bad_magic");

        let mut trailing = frame.clone();
        trailing.push(0);
        assert_eq!(code(&trailing), "frame_trailing_bytes");

        let mut magic = frame.clone();
        magic[0] = b'X';
        assert_eq!(code(&magic), "frame_bad_magic");

        let mut version = frame.clone();
        version[4] = 2;
        assert_eq!(decode_batch(&version), Err(SdkError::UnsupportedVersion { version: 2 }));

        for count in [0u32, 10_001, u32::MAX] {
            let mut c = frame.clone();
            c[5..9].copy_from_slice(&count.to_be_bytes());
            assert_eq!(code(&c), "frame_bad_count", "{count}");
        }
        // count 3 with two entries: the plausibility check already fails
        let mut three = frame.clone();
        three[5..9].copy_from_slice(&3u32.to_be_bytes());
        assert_eq!(code(&three), "frame_truncated");
        // count 1 with two entries: the second is trailing
        let mut one = frame.clone();
        one[5..9].copy_from_slice(&1u32.to_be_bytes());
        assert_eq!(code(&one), "frame_trailing_bytes");

        // entry length out of range, and one that cuts the record
        let mut long = frame.clone();
        long[9..11].copy_from_slice(&1000u16.to_be_bytes());
        assert!(matches!(
            decode_batch(&long),
            Err(SdkError::BatchRecord { index: 0, .. })
        ));
        let mut shifted = frame.clone();
        let len = u16::from_be_bytes([frame[9], frame[10]]);
        shifted[9..11].copy_from_slice(&(len + 1).to_be_bytes());
        assert!(decode_batch(&shifted).is_err());

        // a bad record inside names its index and its own reason
        let mut bad_domain = frame.clone();
        let second = 9 + 2 + usize::from(len) + 2;
        bad_domain[second] = b'X';
        assert_eq!(
            decode_batch(&bad_domain).unwrap_err().to_string(),
            "batch record 1: telemetry: telemetry report does not start with the domain tag \"edgemint-telemetry/v1\""
        );
        assert_eq!(code(&bad_domain), "telemetry_bad_domain");

        assert!(matches!(
            decode_batch(&vec![0u8; MAX_BATCH_FRAME_LEN + 1]),
            Err(SdkError::FrameTooLarge { .. })
        ));
    }

    #[test]
    fn builder_limits() {
        assert_eq!(BatchBuilder::new().finish().unwrap_err().code(), "frame_bad_count");
        let key = DeviceKey::generate(KeyType::Ed25519);
        let item = signed(&key, 1);
        let mut builder = BatchBuilder::new();
        assert!(builder.push("not valid", &item).is_err());
        assert!(builder.is_empty());
        for _ in 0..MAX_BATCH_RECORDS {
            builder.push("c", &item).unwrap();
        }
        assert!(builder.is_full());
        assert_eq!(builder.push("c", &item).unwrap_err().code(), "frame_bad_count");
        let frame = builder.finish().unwrap();
        // The largest count of the shortest records decodes.
        assert_eq!(frame.len(), BATCH_HEADER_LEN + MAX_BATCH_RECORDS * (2 + MIN_RECORD_LEN));
        assert_eq!(decode_batch(&frame).unwrap().len(), MAX_BATCH_RECORDS);
    }
}
