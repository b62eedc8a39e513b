//! Property tests: the decoders never panic on arbitrary input or on mutated valid input, accept only canonical
//! input (whatever decodes re-encodes to the same bytes), and everything signed round-trips and verifies.

use edgemint_device_sdk::{
    decode_batch, encode_batch, encode_decoded_batch, verify, DeviceKey, DevicePublicKey, HexBinary, KeyType,
    SignedTelemetry, TelemetryReport, BATCH_MAGIC, BATCH_VERSION, MAX_CHAIN_ID_LEN,
};
use proptest::prelude::*;

fn keys() -> [DeviceKey; 2] {
    [
        DeviceKey::from_secret_bytes(KeyType::Ed25519, &[7u8; 32]).unwrap(),
        DeviceKey::from_secret_bytes(KeyType::Secp256k1, &[9u8; 32]).unwrap(),
    ]
}

fn chain_id() -> impl Strategy<Value = String> {
    prop::collection::vec(0x21u8..=0x7e, 1..=MAX_CHAIN_ID_LEN).prop_map(|b| String::from_utf8(b).unwrap())
}

fn report() -> impl Strategy<Value = TelemetryReport> {
    (any::<[u64; 7]>(), prop::option::of(any::<[u8; 32]>())).prop_map(|(f, hash)| TelemetryReport {
        device_id: f[0],
        sequence: f[1],
        timestamp: f[2],
        epoch: f[3],
        uptime_secs: f[4],
        tasks_completed: f[5],
        interactions: f[6],
        receipts_hash: hash.map(HexBinary::from),
    })
}

/// A few mutations of `bytes`: flip, overwrite, insert, remove, truncate.
#[derive(Debug, Clone)]
enum Mutation {
    Xor(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Xor(i, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::Xor(i, x) if len > 0 => bytes[i % len] ^= x,
            Mutation::Set(i, b) if len > 0 => bytes[i % len] = b,
            Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Mutation::Remove(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
}

/// Whatever a decoder accepts must be canonical: re-encoding gives the same bytes.
fn check_record(bytes: &[u8]) {
    if let Ok(decoded) = SignedTelemetry::from_binary(bytes) {
        assert_eq!(decoded.to_binary().unwrap(), bytes);
    }
}

fn check_frame(bytes: &[u8]) {
    if let Ok(records) = decode_batch(bytes) {
        assert_eq!(encode_decoded_batch(&records).unwrap(), bytes);
    }
}

fn check_json(bytes: &[u8]) {
    if let Ok(signed) = SignedTelemetry::from_json(bytes) {
        // Accepted JSON always re-encodes, and its canonical form parses to the same value.
        let canonical = signed.to_json();
        assert_eq!(SignedTelemetry::from_json(canonical.as_bytes()).unwrap(), signed);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        check_record(&bytes);
        check_frame(&bytes);
        check_json(&bytes);
        for key_type in [KeyType::Ed25519, KeyType::Secp256k1] {
            let _ = DevicePublicKey::from_bytes(key_type, &bytes);
            let _ = DeviceKey::from_secret_bytes(key_type, &bytes);
            if bytes.len() >= 64 {
                let (sig, rest) = bytes.split_at(64);
                let pk = &rest[..rest.len().min(key_type.pubkey_len())];
                let _ = verify(key_type, pk, rest, sig);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_behind_a_valid_header_never_panic(
        count in prop_oneof![1u32..=4, any::<u32>()],
        body in prop::collection::vec(any::<u8>(), 0..1200),
    ) {
        let mut frame = BATCH_MAGIC.to_vec();
        frame.push(BATCH_VERSION);
        frame.extend_from_slice(&count.to_be_bytes());
        frame.extend_from_slice(&body);
        check_frame(&frame);
    }

    #[test]
    fn arbitrary_signature_keys_in_valid_shape_never_verify(
        secret in any::<[u8; 32]>(),
        sig in any::<[u8; 64]>(),
        message in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        for key_type in [KeyType::Ed25519, KeyType::Secp256k1] {
            if let Ok(key) = DeviceKey::from_secret_bytes(key_type, &secret) {
                // A random 64-byte string is not a signature of a random message.
                prop_assert!(verify(key_type, &key.public_key(), &message, &sig).is_err());
                prop_assert!(verify(key_type, &key.public_key(), &message, &key.sign(&message)).is_ok());
            }
        }
    }

    #[test]
    fn signed_reports_round_trip_in_every_form(chain in chain_id(), reports in prop::collection::vec(report(), 1..4)) {
        let keys = keys();
        let mut signed = Vec::new();
        for (i, r) in reports.into_iter().enumerate() {
            let key = &keys[i % 2];
            let s = SignedTelemetry::sign(key, &chain, r).unwrap();
            s.verify(key.key_type(), &key.public_key(), &chain).unwrap();
            prop_assert_eq!(SignedTelemetry::from_json(s.to_json().as_bytes()).unwrap(), s.clone());
            let binary = s.to_binary(&chain).unwrap();
            let decoded = SignedTelemetry::from_binary(&binary).unwrap();
            prop_assert_eq!(&decoded.chain_id, &chain);
            prop_assert_eq!(&decoded.signed, &s);
            signed.push(s);
        }
        let frame = encode_batch(&chain, &signed).unwrap();
        let decoded = decode_batch(&frame).unwrap();
        prop_assert_eq!(decoded.iter().map(|d| d.signed.clone()).collect::<Vec<_>>(), signed);
    }

    #[test]
    fn mutated_valid_input_never_panics_and_never_verifies(
        chain in chain_id(),
        reports in prop::collection::vec(report(), 1..4),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let keys = keys();
        let pks: Vec<DevicePublicKey> = keys.iter().map(|k| k.device_public_key()).collect();
        let signed: Vec<SignedTelemetry> = reports
            .into_iter()
            .enumerate()
            .map(|(i, r)| SignedTelemetry::sign(&keys[i % 2], &chain, r).unwrap())
            .collect();

        // Batch frame.
        let frame = encode_batch(&chain, &signed).unwrap();
        let mut mutated = frame.clone();
        apply(&mut mutated, &mutations);
        check_frame(&mutated);
        // No mutation forges a report: whatever decodes and verifies was signed as it is.
        if let Ok(records) = decode_batch(&mutated) {
            for d in &records {
                if pks.iter().any(|pk| d.verify_for_chain(pk, &chain).is_ok()) {
                    prop_assert!(signed.contains(&d.signed));
                }
            }
        }

        // Single binary record.
        let record = signed[0].to_binary(&chain).unwrap();
        let mut mutated = record.clone();
        apply(&mut mutated, &mutations);
        check_record(&mutated);
        if mutated != record {
            let result = SignedTelemetry::from_binary(&mutated).and_then(|d| d.verify_for_chain(&pks[0], &chain));
            prop_assert!(result.is_err());
        }

        // JSON form.
        let json = signed[0].to_json().into_bytes();
        let mut mutated = json.clone();
        apply(&mut mutated, &mutations);
        check_json(&mutated);
        if let Ok(parsed) = SignedTelemetry::from_json(&mutated) {
            if parsed.verify_with(&pks[0], &chain).is_ok() {
                prop_assert_eq!(&parsed, &signed[0]);
            }
        }
    }
}
