//! The checked-in test vectors (`testdata/vectors.json`): the code reproduces them byte for byte, every signature
//! in them verifies, and changing any one byte of a signed thing makes verification (or decoding) fail.
//!
//! To regenerate the file after a deliberate format change (which also needs a new domain tag or frame version):
//! `EDGEMINT_WRITE_VECTORS=1 cargo test -p edgemint-device-sdk --test vectors`.

use std::path::PathBuf;

use edgemint_device_sdk::{
    activation_message, activation_signature, code_hash, decode_batch, encode_batch, registration_message,
    registration_signature, sha256, verify, DeviceKey, DevicePublicKey, HexBinary, KeyType, SignedTelemetry,
    TelemetryReport,
};
use serde_json::{json, Value};

/// RFC 8032 section 7.1, test 1: firmware can check its ed25519 against the RFC too.
const ED25519_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// The scalar 0x0102...20.
const SECP256K1_SECRET: &str = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

const REGISTRY: &str = "emc1exampleregistry";
const OWNER: &str = "emc1exampleowner";
const MAKER: &str = "emc1examplemaker";
const CODE: &str = "EDGE-MINT-0001-TEST";

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/vectors.json")
}

fn key(name: &str) -> DeviceKey {
    match name {
        "ed25519" => DeviceKey::from_secret_hex(KeyType::Ed25519, ED25519_SECRET).unwrap(),
        "secp256k1" => DeviceKey::from_secret_hex(KeyType::Secp256k1, SECP256K1_SECRET).unwrap(),
        _ => panic!("unknown key {name}"),
    }
}

/// The report of `edgemint_types::telemetry`'s own test vectors 1 (no receipts) and 2 (receipts 0xab × 32).
fn sample(receipts: bool) -> TelemetryReport {
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

fn extreme() -> TelemetryReport {
    let hash: Vec<u8> = (0u8..32).collect();
    TelemetryReport {
        device_id: u64::MAX,
        sequence: 1,
        timestamp: 1_767_225_600,
        epoch: 0,
        uptime_secs: 0,
        tasks_completed: 9_007_199_254_740_993, // 2^53 + 1: not representable as an IEEE double
        interactions: u64::MAX,
        receipts_hash: Some(HexBinary::from(hash)),
    }
}

/// (name, key, chain id, report) of every telemetry vector.
fn telemetry_inputs() -> Vec<(&'static str, &'static str, &'static str, TelemetryReport)> {
    vec![
        ("t1", "ed25519", "edgemint-1", sample(false)),
        ("t2", "secp256k1", "edgemint-1", sample(false)),
        ("t3", "ed25519", "edgemint-local-1", sample(true)),
        ("t4", "secp256k1", "edgemint-local-1", sample(true)),
        ("t5", "secp256k1", "edgemint-local-1", extreme()),
    ]
}

const BATCH: [&str; 3] = ["t3", "t4", "t5"];
const BATCH_CHAIN: &str = "edgemint-local-1";

/// The whole vectors document, computed by the code from the fixed inputs above.
fn build() -> Value {
    let keys: Vec<Value> = ["ed25519", "secp256k1"]
        .iter()
        .map(|name| {
            let k = key(name);
            json!({
                "name": name,
                "key_type": k.key_type().as_str(),
                "secret_hex": k.to_secret_hex(),
                "public_key_hex": hex::encode(k.public_key()),
            })
        })
        .collect();

    let mut signed_by_name = Vec::new();
    let telemetry: Vec<Value> = telemetry_inputs()
        .into_iter()
        .map(|(name, key_name, chain_id, report)| {
            let signed = SignedTelemetry::sign(&key(key_name), chain_id, report.clone()).unwrap();
            let encoded = signed.signed_bytes(chain_id).unwrap();
            let value = json!({
                "name": name,
                "key": key_name,
                "chain_id": chain_id,
                "report": report,
                "encoded_hex": hex::encode(&encoded),
                "encoded_sha256_hex": hex::encode(sha256(&encoded)),
                "signature_hex": hex::encode(signed.signature),
                "json": signed.to_json(),
                "binary_hex": hex::encode(signed.to_binary(chain_id).unwrap()),
            });
            signed_by_name.push((name, signed));
            value
        })
        .collect();

    let hash = code_hash(CODE);
    let activation: Vec<Value> = ["ed25519", "secp256k1"]
        .iter()
        .map(|name| {
            let message = activation_message(BATCH_CHAIN, REGISTRY, OWNER, &hash);
            json!({
                "key": name,
                "chain_id": BATCH_CHAIN,
                "registry_addr": REGISTRY,
                "owner": OWNER,
                "activation_code": CODE,
                "code_hash_hex": hex::encode(hash),
                "message": String::from_utf8(message.clone()).unwrap(),
                "message_sha256_hex": hex::encode(sha256(&message)),
                "signature_hex": hex::encode(activation_signature(&key(name), BATCH_CHAIN, REGISTRY, OWNER, CODE)),
            })
        })
        .collect();
    let registration: Vec<Value> = ["ed25519", "secp256k1"]
        .iter()
        .map(|name| {
            let message = registration_message(BATCH_CHAIN, REGISTRY, MAKER, &hash);
            json!({
                "key": name,
                "chain_id": BATCH_CHAIN,
                "registry_addr": REGISTRY,
                "maker": MAKER,
                "code_hash_hex": hex::encode(hash),
                "message": String::from_utf8(message.clone()).unwrap(),
                "message_sha256_hex": hex::encode(sha256(&message)),
                "signature_hex": hex::encode(registration_signature(&key(name), BATCH_CHAIN, REGISTRY, MAKER, &hash)),
            })
        })
        .collect();

    let batch_items: Vec<SignedTelemetry> = BATCH
        .iter()
        .map(|n| signed_by_name.iter().find(|(name, _)| name == n).unwrap().1.clone())
        .collect();
    let frame = encode_batch(BATCH_CHAIN, &batch_items).unwrap();

    json!({
        "description": "Edgemint device SDK test vectors: keys, signed telemetry (edgemint-telemetry/v1; JSON and \
            binary forms), one EMTB v1 batch frame, activation and registration signatures. ed25519 signs the \
            message bytes; secp256k1 signs sha256(message) with RFC 6979 nonces, compact r||s, low-S. \
            See oracle/device-sdk/README.md.",
        "keys": keys,
        "telemetry": telemetry,
        "batch": {
            "chain_id": BATCH_CHAIN,
            "records": BATCH,
            "frame_hex": hex::encode(frame),
        },
        "activation": activation,
        "registration": registration,
    })
}

fn render(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    text
}

fn load() -> Value {
    let text = std::fs::read_to_string(vectors_path()).expect("testdata/vectors.json");
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("string field {field} in {v}"))
}

fn h(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(s(v, field)).unwrap()
}

fn public_key(file: &Value, name: &str) -> DevicePublicKey {
    let k = file["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)
        .unwrap();
    let key_type: KeyType = serde_json::from_value(k["key_type"].clone()).unwrap();
    DevicePublicKey::from_bytes(key_type, &h(k, "public_key_hex")).unwrap()
}

/// Every byte position of `bytes` changed (xor 0x01) in turn.
fn each_flip(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    (0..bytes.len()).map(move |i| {
        let mut copy = bytes.to_vec();
        copy[i] ^= 0x01;
        copy
    })
}

#[test]
fn file_is_what_the_code_produces() {
    let expected = render(&build());
    if std::env::var_os("EDGEMINT_WRITE_VECTORS").is_some() {
        std::fs::write(vectors_path(), &expected).unwrap();
    }
    let actual = std::fs::read_to_string(vectors_path()).expect("testdata/vectors.json");
    assert!(
        actual == expected,
        "testdata/vectors.json differs from what the code produces; if the change is deliberate, regenerate with \
         EDGEMINT_WRITE_VECTORS=1"
    );
}

#[test]
fn keys_reproduce() {
    let file = load();
    let keys = file["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        let key_type: KeyType = serde_json::from_value(k["key_type"].clone()).unwrap();
        let key = DeviceKey::from_secret_hex(key_type, s(k, "secret_hex")).unwrap();
        assert_eq!(hex::encode(key.public_key()), s(k, "public_key_hex"));
    }
    // RFC 8032 7.1 test 1 public key.
    assert_eq!(
        s(&keys[0], "public_key_hex"),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
}

#[test]
fn telemetry_vectors_reproduce_and_verify() {
    let file = load();
    let vectors = file["telemetry"].as_array().unwrap();
    assert_eq!(vectors.len(), 5);
    for v in vectors {
        let name = s(v, "name");
        let chain_id = s(v, "chain_id");
        let key_name = s(v, "key");
        let secret = file["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == key_name)
            .unwrap();
        let key_type: KeyType = serde_json::from_value(secret["key_type"].clone()).unwrap();
        let key = DeviceKey::from_secret_hex(key_type, s(secret, "secret_hex")).unwrap();
        let report: TelemetryReport = serde_json::from_value(v["report"].clone()).unwrap();

        let signed = SignedTelemetry::sign(&key, chain_id, report.clone()).unwrap();
        let encoded = signed.signed_bytes(chain_id).unwrap();
        assert_eq!(hex::encode(&encoded), s(v, "encoded_hex"), "{name}");
        assert_eq!(hex::encode(sha256(&encoded)), s(v, "encoded_sha256_hex"), "{name}");
        assert_eq!(hex::encode(signed.signature), s(v, "signature_hex"), "{name}");
        assert_eq!(signed.to_json(), s(v, "json"), "{name}");
        assert_eq!(
            hex::encode(signed.to_binary(chain_id).unwrap()),
            s(v, "binary_hex"),
            "{name}"
        );

        // Decoding the forms gives the report back, and the signature verifies.
        let pk = public_key(&file, key_name);
        let from_json = SignedTelemetry::from_json(s(v, "json").as_bytes()).unwrap();
        assert_eq!(from_json.report, report);
        from_json.verify_with(&pk, chain_id).unwrap();
        from_json.verify(key_type, &key.public_key(), chain_id).unwrap();
        let from_binary = SignedTelemetry::from_binary(&h(v, "binary_hex")).unwrap();
        assert_eq!(from_binary.chain_id, chain_id);
        assert_eq!(from_binary.signed, signed);
        from_binary.verify_for_chain(&pk, chain_id).unwrap();
        verify(key_type, &key.public_key(), &encoded, &h(v, "signature_hex")).unwrap();

        // One changed byte anywhere: rejected.
        for (i, flipped) in each_flip(&h(v, "binary_hex")).enumerate() {
            let result = SignedTelemetry::from_binary(&flipped).and_then(|d| d.verify_for_chain(&pk, chain_id));
            assert!(result.is_err(), "{name}: binary byte {i}");
        }
        for (i, flipped) in each_flip(s(v, "json").as_bytes()).enumerate() {
            let result = SignedTelemetry::from_json(&flipped).and_then(|t| t.verify_with(&pk, chain_id));
            assert!(
                result.is_err(),
                "{name}: JSON byte {i}: {}",
                String::from_utf8_lossy(&flipped)
            );
        }
        for (i, flipped) in each_flip(&h(v, "signature_hex")).enumerate() {
            assert!(pk.verify(&encoded, &flipped).is_err(), "{name}: signature byte {i}");
        }
    }
}

#[test]
fn telemetry_vectors_agree_with_edgemint_types() {
    // edgemint_types::telemetry documents its two vectors and the prehashes a secp256k1 device signs.
    let file = load();
    let by_name = |n: &str| {
        file["telemetry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == n)
            .unwrap()
            .clone()
    };
    for n in ["t1", "t2"] {
        assert_eq!(
            s(&by_name(n), "encoded_sha256_hex"),
            "3c5b5e57da406a4d878dbf97b458fade66909da95ad00761240a58b6b46151e8"
        );
        assert_eq!(h(&by_name(n), "encoded_hex").len(), 89);
    }
    for n in ["t3", "t4"] {
        assert_eq!(
            s(&by_name(n), "encoded_sha256_hex"),
            "f0837d0fe64f6f7700fd425a973b3f9143d94b783c091d956e313afad88cad26"
        );
        assert_eq!(h(&by_name(n), "encoded_hex").len(), 127);
    }
}

#[test]
fn batch_vector_reproduces_and_verifies() {
    let file = load();
    let batch = &file["batch"];
    let chain_id = s(batch, "chain_id");
    let frame = h(batch, "frame_hex");
    let names: Vec<&str> = batch["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let vectors = file["telemetry"].as_array().unwrap();
    let of = |n: &str| vectors.iter().find(|v| v["name"] == n).unwrap();

    let decoded = decode_batch(&frame).unwrap();
    assert_eq!(decoded.len(), names.len());
    let mut items = Vec::new();
    for (d, n) in decoded.iter().zip(&names) {
        assert_eq!(d.chain_id, chain_id);
        assert_eq!(hex::encode(d.to_binary().unwrap()), s(of(n), "binary_hex"));
        d.verify_for_chain(&public_key(&file, s(of(n), "key")), chain_id)
            .unwrap();
        items.push(d.signed.clone());
    }
    assert_eq!(encode_batch(chain_id, &items).unwrap(), frame);

    for (i, flipped) in each_flip(&frame).enumerate() {
        let result = decode_batch(&flipped).and_then(|records| {
            records
                .iter()
                .zip(&names)
                .try_for_each(|(d, n)| d.verify_for_chain(&public_key(&file, s(of(n), "key")), chain_id))
        });
        assert!(result.is_err(), "frame byte {i}");
    }
}

#[test]
fn activation_and_registration_vectors_reproduce_and_verify() {
    let file = load();
    for (section, owner_field) in [("activation", "owner"), ("registration", "maker")] {
        let vectors = file[section].as_array().unwrap();
        assert_eq!(vectors.len(), 2);
        for v in vectors {
            let key_name = s(v, "key");
            let key = key(key_name);
            let hash: [u8; 32] = h(v, "code_hash_hex").try_into().unwrap();
            let (chain_id, registry, addr) = (s(v, "chain_id"), s(v, "registry_addr"), s(v, owner_field));
            let (message, signature) = if section == "activation" {
                assert_eq!(code_hash(s(v, "activation_code")), hash);
                (
                    activation_message(chain_id, registry, addr, &hash),
                    activation_signature(&key, chain_id, registry, addr, s(v, "activation_code")),
                )
            } else {
                (
                    registration_message(chain_id, registry, addr, &hash),
                    registration_signature(&key, chain_id, registry, addr, &hash),
                )
            };
            assert_eq!(message, s(v, "message").as_bytes(), "{section} {key_name}");
            assert_eq!(hex::encode(sha256(&message)), s(v, "message_sha256_hex"));
            assert_eq!(hex::encode(signature), s(v, "signature_hex"), "{section} {key_name}");

            let pk = public_key(&file, key_name);
            pk.verify(&message, &signature).unwrap();
            for (i, flipped) in each_flip(&message).enumerate() {
                assert!(
                    pk.verify(&flipped, &signature).is_err(),
                    "{section} {key_name}: message byte {i}"
                );
            }
            for (i, flipped) in each_flip(&signature).enumerate() {
                assert!(
                    pk.verify(&message, &flipped).is_err(),
                    "{section} {key_name}: signature byte {i}"
                );
            }
        }
    }
}
