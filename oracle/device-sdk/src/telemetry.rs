//! Signed telemetry: one report plus the device's signature over its canonical encoding, in a JSON form and a
//! compact binary form.
//!
//! The canonical encoding itself is `edgemint_types::telemetry` (`edgemint-telemetry/v1`); this module only adds the
//! signature and the two wire forms.
//!
//! # JSON form
//!
//! ```json
//! {"report":{"device_id":42,"sequence":7,"timestamp":1700000000,"epoch":3,"uptime_secs":86400,
//!   "tasks_completed":12,"interactions":72623859790382856,"receipts_hash":null},
//!  "signature":"<88 characters of standard base64 with padding>"}
//! ```
//!
//! The report object is `TelemetryReport`'s own JSON: integers as JSON numbers (full u64 range, no quotes, no
//! fraction or exponent), `receipts_hash` as 64 hex digits or `null`. [`SignedTelemetry::to_json`] writes exactly
//! that, with no whitespace and the fields in that order; [`SignedTelemetry::from_json`] accepts any order and
//! whitespace, a missing `receipts_hash` (= `null`), and rejects unknown or duplicate fields, a receipts hash that is
//! not 32 bytes and a signature that is not 64 bytes of canonical base64. The chain id is not in the JSON: the signed
//! bytes bind it, and the verifier supplies its own.
//!
//! # Binary form (one record)
//!
//! `encode(chain_id, report) || signature`: the canonical encoding (80..=161 bytes, it carries the chain id) followed
//! by the 64 signature bytes, 144..=225 bytes in all. See [`crate::batch`] for the batch frame.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use cosmwasm_std::HexBinary;
use edgemint_types::registry::{KeyType, SIGNATURE_LEN};
use edgemint_types::telemetry::{self as canonical, TelemetryReport, MAX_CHAIN_ID_LEN, RECEIPTS_HASH_LEN};
use serde::{Deserialize, Serialize};

use crate::error::SdkError;
use crate::keys::{DeviceKey, DevicePublicKey};

/// Shortest canonical report encoding: chain id of 1 byte, no receipts hash.
pub const MIN_REPORT_LEN: usize = canonical::TELEMETRY_DOMAIN.len() + 1 + 1 + 7 * 8 + 1;
/// Longest canonical report encoding: chain id of 50 bytes and a receipts hash.
pub const MAX_REPORT_LEN: usize =
    canonical::TELEMETRY_DOMAIN.len() + 1 + MAX_CHAIN_ID_LEN + 7 * 8 + 1 + RECEIPTS_HASH_LEN;
/// Shortest binary record (report || signature).
pub const MIN_RECORD_LEN: usize = MIN_REPORT_LEN + SIGNATURE_LEN;
/// Longest binary record (report || signature).
pub const MAX_RECORD_LEN: usize = MAX_REPORT_LEN + SIGNATURE_LEN;

/// A report and its device's signature over `encode(chain_id, report)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SignedTelemetryJson", into = "SignedTelemetryJson")]
pub struct SignedTelemetry {
    pub report: TelemetryReport,
    pub signature: [u8; SIGNATURE_LEN],
}

/// A binary record decoded: the chain id the report was encoded (and signed) for, and the signed report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedSignedTelemetry {
    pub chain_id: String,
    pub signed: SignedTelemetry,
}

impl SignedTelemetry {
    /// Encodes `report` for `chain_id` and signs the bytes with `key` (see [`DeviceKey::sign`]).
    pub fn sign(key: &DeviceKey, chain_id: &str, report: TelemetryReport) -> Result<Self, SdkError> {
        let bytes = canonical::encode(chain_id, &report)?;
        Ok(SignedTelemetry {
            signature: key.sign(&bytes),
            report,
        })
    }

    /// Verifies the signature for `chain_id` and the device key given in the registry's format.
    pub fn verify(&self, key_type: KeyType, pubkey: &[u8], chain_id: &str) -> Result<(), SdkError> {
        self.verify_with(&DevicePublicKey::from_bytes(key_type, pubkey)?, chain_id)
    }

    /// Verifies the signature for `chain_id` with an already parsed key (cheaper when one key verifies many reports).
    pub fn verify_with(&self, key: &DevicePublicKey, chain_id: &str) -> Result<(), SdkError> {
        key.verify(&canonical::encode(chain_id, &self.report)?, &self.signature)
    }

    /// The canonical encoding of the report for `chain_id`: the bytes the signature covers.
    pub fn signed_bytes(&self, chain_id: &str) -> Result<Vec<u8>, SdkError> {
        Ok(canonical::encode(chain_id, &self.report)?)
    }

    /// The JSON form (see the module docs): compact, fields in a fixed order, so the same input always gives the
    /// same string.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializing plain integers and strings cannot fail")
    }

    /// Parses the JSON form strictly (see the module docs). Does not verify the signature. Syntax and shape
    /// errors are [`SdkError::InvalidJson`]; a bad signature string is [`SdkError::InvalidBase64`] or
    /// [`SdkError::MalformedSignature`], a bad receipts hash length [`SdkError::Telemetry`]. (Through `serde`
    /// directly, e.g. a web framework's JSON extractor, all of these arrive as the deserializer's error.)
    pub fn from_json(json: &[u8]) -> Result<Self, SdkError> {
        serde_json::from_slice::<SignedTelemetryJson>(json)
            .map_err(|e| SdkError::InvalidJson { reason: e.to_string() })?
            .try_into()
    }

    /// The binary record: `encode(chain_id, report) || signature`.
    pub fn to_binary(&self, chain_id: &str) -> Result<Vec<u8>, SdkError> {
        let mut out = canonical::encode(chain_id, &self.report)?;
        out.extend_from_slice(&self.signature);
        Ok(out)
    }

    /// Decodes one binary record (exactly; no trailing bytes). Does not verify the signature.
    pub fn from_binary(record: &[u8]) -> Result<DecodedSignedTelemetry, SdkError> {
        if !(MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&record.len()) {
            return Err(SdkError::RecordLength {
                len: record.len(),
                min: MIN_RECORD_LEN,
                max: MAX_RECORD_LEN,
            });
        }
        let (report_bytes, signature) = record.split_at(record.len() - SIGNATURE_LEN);
        let decoded = canonical::decode(report_bytes)?;
        Ok(DecodedSignedTelemetry {
            chain_id: decoded.chain_id,
            signed: SignedTelemetry {
                report: decoded.report,
                signature: signature.try_into().expect("split at 64 bytes from the end"),
            },
        })
    }
}

impl DecodedSignedTelemetry {
    /// Checks that the record was made for `expected_chain_id` ([`SdkError::ChainIdMismatch`] otherwise), then
    /// verifies the signature with `key`.
    pub fn verify_for_chain(&self, key: &DevicePublicKey, expected_chain_id: &str) -> Result<(), SdkError> {
        if self.chain_id != expected_chain_id {
            return Err(SdkError::ChainIdMismatch {
                expected: expected_chain_id.to_string(),
                found: self.chain_id.clone(),
            });
        }
        self.signed.verify_with(key, &self.chain_id)
    }

    /// The binary record again (byte for byte what was decoded).
    pub fn to_binary(&self) -> Result<Vec<u8>, SdkError> {
        self.signed.to_binary(&self.chain_id)
    }
}

/// The JSON shape of [`SignedTelemetry`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedTelemetryJson {
    report: ReportJson,
    /// Standard base64 (RFC 4648 §4) with padding.
    signature: String,
}

/// `TelemetryReport`'s own JSON shape (same names, same order, same value encodings), but strict on input:
/// `cw_serde` (cosmwasm 2) ignores unknown fields, which would let a misspelt `"receipts_hsh"` pass silently as an
/// absent receipts hash. The conversions destructure exhaustively, so a new report field fails to
/// compile here instead of being lost.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportJson {
    device_id: u64,
    sequence: u64,
    timestamp: u64,
    epoch: u64,
    uptime_secs: u64,
    tasks_completed: u64,
    interactions: u64,
    receipts_hash: Option<HexBinary>,
}

impl From<TelemetryReport> for ReportJson {
    fn from(report: TelemetryReport) -> Self {
        let TelemetryReport {
            device_id,
            sequence,
            timestamp,
            epoch,
            uptime_secs,
            tasks_completed,
            interactions,
            receipts_hash,
        } = report;
        ReportJson {
            device_id,
            sequence,
            timestamp,
            epoch,
            uptime_secs,
            tasks_completed,
            interactions,
            receipts_hash,
        }
    }
}

impl From<ReportJson> for TelemetryReport {
    fn from(report: ReportJson) -> Self {
        let ReportJson {
            device_id,
            sequence,
            timestamp,
            epoch,
            uptime_secs,
            tasks_completed,
            interactions,
            receipts_hash,
        } = report;
        TelemetryReport {
            device_id,
            sequence,
            timestamp,
            epoch,
            uptime_secs,
            tasks_completed,
            interactions,
            receipts_hash,
        }
    }
}

impl From<SignedTelemetry> for SignedTelemetryJson {
    fn from(value: SignedTelemetry) -> Self {
        SignedTelemetryJson {
            report: value.report.into(),
            signature: BASE64.encode(value.signature),
        }
    }
}

impl TryFrom<SignedTelemetryJson> for SignedTelemetry {
    type Error = SdkError;

    fn try_from(value: SignedTelemetryJson) -> Result<Self, SdkError> {
        if let Some(hash) = &value.report.receipts_hash {
            if hash.len() != RECEIPTS_HASH_LEN {
                return Err(canonical::TelemetryError::InvalidReceiptsHash { len: hash.len() }.into());
            }
        }
        let raw = BASE64
            .decode(value.signature.as_bytes())
            .map_err(|e| SdkError::InvalidBase64 { reason: e.to_string() })?;
        let signature = raw.try_into().map_err(|raw: Vec<u8>| SdkError::MalformedSignature {
            reason: if raw.len() < SIGNATURE_LEN {
                "shorter than 64 bytes"
            } else {
                "longer than 64 bytes"
            },
        })?;
        Ok(SignedTelemetry {
            report: value.report.into(),
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(receipts: bool) -> TelemetryReport {
        TelemetryReport {
            device_id: 42,
            sequence: 7,
            timestamp: 1_700_000_000,
            epoch: 3,
            uptime_secs: 86_400,
            tasks_completed: 12,
            interactions: 0x0102_0304_0506_0708,
            receipts_hash: receipts.then(|| HexBinary::from([0xab; 32])),
        }
    }

    #[test]
    fn lengths() {
        assert_eq!(MIN_REPORT_LEN, 80);
        assert_eq!(MAX_REPORT_LEN, 161);
        assert_eq!(MIN_RECORD_LEN, 144);
        assert_eq!(MAX_RECORD_LEN, 225);
        let short = canonical::encode("c", &report(false)).unwrap();
        assert_eq!(short.len(), MIN_REPORT_LEN);
        let long = canonical::encode(&"c".repeat(MAX_CHAIN_ID_LEN), &report(true)).unwrap();
        assert_eq!(long.len(), MAX_REPORT_LEN);
    }

    #[test]
    fn sign_verify_and_both_forms_round_trip() {
        for key_type in [KeyType::Ed25519, KeyType::Secp256k1] {
            let key = DeviceKey::generate(key_type);
            for receipts in [false, true] {
                let signed = SignedTelemetry::sign(&key, "edgemint-1", report(receipts)).unwrap();
                signed.verify(key_type, &key.public_key(), "edgemint-1").unwrap();
                assert_eq!(
                    signed.verify(key_type, &key.public_key(), "edgemint-2"),
                    Err(SdkError::BadSignature)
                );
                // The signature covers the canonical bytes.
                key.device_public_key()
                    .verify(&signed.signed_bytes("edgemint-1").unwrap(), &signed.signature)
                    .unwrap();

                let json = signed.to_json();
                assert_eq!(SignedTelemetry::from_json(json.as_bytes()).unwrap(), signed);

                let binary = signed.to_binary("edgemint-1").unwrap();
                let decoded = SignedTelemetry::from_binary(&binary).unwrap();
                assert_eq!(decoded.chain_id, "edgemint-1");
                assert_eq!(decoded.signed, signed);
                assert_eq!(decoded.to_binary().unwrap(), binary);
                decoded
                    .verify_for_chain(&key.device_public_key(), "edgemint-1")
                    .unwrap();
                assert!(matches!(
                    decoded.verify_for_chain(&key.device_public_key(), "edgemint-2"),
                    Err(SdkError::ChainIdMismatch { .. })
                ));
            }
        }
    }

    #[test]
    fn json_shape() {
        let signed = SignedTelemetry {
            report: report(false),
            signature: [0u8; 64],
        };
        assert_eq!(
            signed.to_json(),
            format!(
                "{{\"report\":{{\"device_id\":42,\"sequence\":7,\"timestamp\":1700000000,\"epoch\":3,\
                 \"uptime_secs\":86400,\"tasks_completed\":12,\"interactions\":72623859790382856,\
                 \"receipts_hash\":null}},\"signature\":\"{}==\"}}",
                "A".repeat(86)
            )
        );
    }

    #[test]
    fn report_json_is_telemetry_report_json() {
        for receipts in [false, true] {
            let r = report(receipts);
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                serde_json::to_string(&ReportJson::from(r.clone())).unwrap()
            );
        }
    }

    #[test]
    fn json_is_lenient_in_layout_only() {
        let signed = SignedTelemetry {
            report: report(true),
            signature: [7u8; 64],
        };
        let sig = BASE64.encode([7u8; 64]);
        let hash = "AB".repeat(32);
        // Other order, whitespace, uppercase hex: same value.
        let relaxed = format!(
            " {{ \"signature\" : \"{sig}\", \"report\" : {{ \"receipts_hash\":\"{hash}\", \"interactions\":72623859790382856,
              \"tasks_completed\":12,\"uptime_secs\":86400,\"epoch\":3,\"timestamp\":1700000000,\"sequence\":7,
              \"device_id\":42 }} }} "
        );
        assert_eq!(SignedTelemetry::from_json(relaxed.as_bytes()).unwrap(), signed);
        // Missing receipts_hash is null.
        let unsigned = SignedTelemetry {
            report: report(false),
            signature: [7u8; 64],
        };
        let missing = unsigned.to_json().replace(",\"receipts_hash\":null", "");
        assert_eq!(SignedTelemetry::from_json(missing.as_bytes()).unwrap(), unsigned);

        let good = signed.to_json();
        let bad = [
            good.replace("\"signature\"", "\"sig\""),                      // unknown field
            good.replace("}", ",\"extra\":1}"),                            // unknown field in both objects
            good.replace("\"receipts_hash\"", "\"receipts\""),             // unknown field in the report only
            good.replace("\"uptime_secs\"", "\"uptime_sec\""),             // typo of a required field
            good.replace("\"epoch\":3", "\"epoch\":3,\"epoch\":4"),        // duplicate
            good.replace("\"epoch\":3", "\"epoch\":\"3\""),                // quoted number
            good.replace("\"epoch\":3", "\"epoch\":3.0"),                  // float
            good.replace("\"epoch\":3", "\"epoch\":-3"),                   // negative
            good.replace("\"epoch\":3", "\"epoch\":18446744073709551616"), // u64::MAX + 1
            good.replace(&"ab".repeat(32), &"ab".repeat(31)),              // 31-byte hash
            good.replace(&sig, &BASE64.encode([7u8; 63])),                 // 63-byte signature
            good.replace(&sig, &BASE64.encode([7u8; 65])),                 // 65-byte signature
            good.replace(&sig, sig.trim_end_matches('=')),                 // missing padding
            good.replace(&sig, &base64::engine::general_purpose::URL_SAFE.encode([0xfb; 64])), // URL-safe alphabet
            good.replace("\"device_id\":42,", ""),                         // missing field
            format!("{good} x"),                                           // trailing garbage
        ];
        for json in bad {
            assert!(SignedTelemetry::from_json(json.as_bytes()).is_err(), "{json}");
            // The serde path (what a web framework uses) rejects the same inputs.
            assert!(serde_json::from_str::<SignedTelemetry>(&json).is_err(), "{json}");
        }
        let code = |json: String| SignedTelemetry::from_json(json.as_bytes()).unwrap_err().code();
        assert_eq!(
            code(good.replace(&sig, &BASE64.encode([7u8; 63]))),
            "malformed_signature"
        );
        assert_eq!(code(good.replace(&sig, sig.trim_end_matches('='))), "invalid_base64");
        assert_eq!(
            code(good.replace(&"ab".repeat(32), &"ab".repeat(31))),
            "telemetry_invalid_receipts_hash"
        );
        assert_eq!(code(good.replace("\"epoch\":3", "\"epoch\":-3")), "invalid_json");
    }

    #[test]
    fn binary_rejects_wrong_lengths_and_trailing_bytes() {
        let key = DeviceKey::generate(KeyType::Ed25519);
        let signed = SignedTelemetry::sign(&key, "edgemint-1", report(false)).unwrap();
        let mut binary = signed.to_binary("edgemint-1").unwrap();
        for n in 0..binary.len() {
            assert!(SignedTelemetry::from_binary(&binary[..n]).is_err(), "prefix {n}");
        }
        binary.push(0);
        // One more byte moves the split: the report gains a trailing byte.
        assert!(SignedTelemetry::from_binary(&binary).is_err());
        assert!(matches!(
            SignedTelemetry::from_binary(&vec![0u8; MAX_RECORD_LEN + 1]),
            Err(SdkError::RecordLength { .. })
        ));
    }

    #[test]
    fn sign_rejects_what_cannot_be_encoded() {
        let key = DeviceKey::generate(KeyType::Ed25519);
        assert!(SignedTelemetry::sign(&key, "bad chain", report(false)).is_err());
        let mut r = report(false);
        r.receipts_hash = Some(HexBinary::from([1u8; 31]));
        assert!(SignedTelemetry::sign(&key, "edgemint-1", r).is_err());
    }
}
