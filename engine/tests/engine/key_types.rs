//! Key types other than symmetric encryption keys, through the KMS API: HMAC keys (CreateKey
//! with an HMAC key spec, GenerateMac, VerifyMac), and what every key type refuses: operations
//! its key usage does not allow (`InvalidKeyUsageException`), grants for operations its spec
//! does not support (`ValidationException`), rotation of anything but a symmetric encryption key.
//!
//! Sources are named on each test: KMS API Reference (CreateKey, GenerateMac, VerifyMac,
//! CreateGrant, EnableKeyRotation, InvalidKeyUsageException in each operation's Errors), KMS
//! Developer Guide hmac.html, grants.html ("Grant operations"), symm-asymm-compare.html.

use crate::kms_common;

use kms_common::*;
use kms_engine::catalog::{KEY_SPECS, MacAlgorithm};
use kms_engine::entropy::SeededRandomness;
use kms_engine::kms::{
    CreateGrantRequest, DecryptRequest, EncryptRequest, GenerateDataKeyRequest, GenerateMacRequest,
    KeyIdRequest, VerifyMacRequest,
};
use kms_engine::world::World;

fn mac_request(key: &str, algorithm: &str, message: &[u8]) -> GenerateMacRequest {
    GenerateMacRequest {
        key_id: key.to_owned(),
        mac_algorithm: algorithm.to_owned(),
        message: message.to_vec(),
        ..GenerateMacRequest::default()
    }
}

fn verify_request(key: &str, algorithm: &str, message: &[u8], mac: &[u8]) -> VerifyMacRequest {
    VerifyMacRequest {
        key_id: key.to_owned(),
        mac_algorithm: algorithm.to_owned(),
        message: message.to_vec(),
        mac: mac.to_vec(),
        ..VerifyMacRequest::default()
    }
}

fn hmac_specs() -> impl Iterator<Item = (&'static str, MacAlgorithm)> {
    KEY_SPECS
        .iter()
        .filter_map(|row| row.mac_algorithms.first().map(|a| (row.name, *a)))
}

/// KMS API Reference, CreateKey (KeySpec, KeyUsage) and DescribeKey: each HMAC key spec makes a
/// `GENERATE_VERIFY_MAC` key whose metadata lists its one MAC algorithm and no encryption
/// algorithms; KeyUsage defaults to `ENCRYPT_DECRYPT`, which is not compatible with an HMAC spec.
#[test]
fn hmac_keys_are_created_with_their_usage_and_mac_algorithm() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let mut names = Vec::new();
    for (spec, algorithm) in hmac_specs() {
        names.push(spec);
        let arn = create_key_of_spec(
            &mut world,
            &alice,
            spec,
            Some("GENERATE_VERIFY_MAC"),
            fresh_seed(),
        )
        .unwrap();
        let mut rng = SeededRandomness::new(1);
        let described = world
            .describe_key(
                &caller(&alice),
                &mut env(&mut rng),
                kms_engine::kms::DescribeKeyRequest {
                    key_id: arn,
                    ..Default::default()
                },
            )
            .unwrap();
        let json = serde_json::to_value(&described).unwrap();
        let metadata = &json["KeyMetadata"];
        assert_eq!(metadata["KeySpec"], spec);
        assert_eq!(metadata["KeyUsage"], "GENERATE_VERIFY_MAC");
        assert_eq!(
            metadata["MacAlgorithms"],
            serde_json::json!([algorithm.as_str()])
        );
        assert!(metadata.get("EncryptionAlgorithms").is_none(), "{metadata}");

        let refused = create_key_of_spec(&mut world, &alice, spec, None, fresh_seed()).unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException");
        assert_eq!(
            refused.message(),
            format!("KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec {spec}")
        );
    }
    assert_eq!(names, ["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"]);
    let refused = create_key_of_spec(
        &mut world,
        &alice,
        "SYMMETRIC_DEFAULT",
        Some("GENERATE_VERIFY_MAC"),
        fresh_seed(),
    )
    .unwrap_err();
    assert_eq!(
        refused.message(),
        "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SYMMETRIC_DEFAULT"
    );
    let bad =
        create_key_of_spec(&mut world, &alice, "HMAC_256", Some("MAC"), fresh_seed()).unwrap_err();
    assert_eq!(bad.exception_name(), "ValidationException");
    assert!(
        bad.message().contains("Member must satisfy enum value set"),
        "{}",
        bad.message()
    );
}

/// KMS API Reference, GenerateMac and VerifyMac: the MAC is the raw RFC 2104 HMAC of the
/// message with the key's algorithm; VerifyMac answers `MacValid: true`, and a changed message
/// or MAC is `KMSInvalidMacException`; an algorithm the key spec does not use is
/// `InvalidKeyUsageException`.
#[test]
fn generate_mac_and_verify_mac_round_trip_and_refuse_a_changed_message() {
    let (mut world, alice, _) = alice_admin_and_bob();
    for (spec, algorithm) in hmac_specs() {
        let arn = create_key_of_spec(
            &mut world,
            &alice,
            spec,
            Some("GENERATE_VERIFY_MAC"),
            fresh_seed(),
        )
        .unwrap();
        let mut rng = SeededRandomness::new(2);
        let generated = world
            .generate_mac(
                &caller(&alice),
                &mut env(&mut rng),
                mac_request(&arn, algorithm.as_str(), b"order 66"),
            )
            .unwrap();
        let bits: usize = spec.trim_start_matches("HMAC_").parse().unwrap();
        assert_eq!(generated.mac.len() * 8, bits, "{spec}");
        let json = serde_json::to_value(&generated).unwrap();
        assert_eq!(json["KeyId"], arn.as_str());
        assert_eq!(json["MacAlgorithm"], algorithm.as_str());

        let verified = world
            .verify_mac(
                &caller(&alice),
                &mut env(&mut rng),
                verify_request(&arn, algorithm.as_str(), b"order 66", &generated.mac),
            )
            .unwrap();
        let json = serde_json::to_value(&verified).unwrap();
        assert_eq!(json["MacValid"], true);
        assert_eq!(json["KeyId"], arn.as_str());

        let changed = world.verify_mac(
            &caller(&alice),
            &mut env(&mut rng),
            verify_request(&arn, algorithm.as_str(), b"order 67", &generated.mac),
        );
        assert_eq!(
            changed.unwrap_err().exception_name(),
            "KMSInvalidMacException"
        );

        for other in MacAlgorithm::ALL.into_iter().filter(|a| *a != algorithm) {
            let wrong = world.generate_mac(
                &caller(&alice),
                &mut env(&mut rng),
                mac_request(&arn, other.as_str(), b"order 66"),
            );
            let wrong = wrong.unwrap_err();
            assert_eq!(wrong.exception_name(), "InvalidKeyUsageException");
            // AWS's words.
            assert_eq!(
                wrong.message(),
                format!(
                    "Algorithm {} is incompatible with key spec {spec}.",
                    other.as_str()
                )
            );
        }
    }
}

/// KMS API Reference, GenerateMac: `Message` is 1–4096 bytes and `MacAlgorithm` one of the
/// `MacAlgorithmSpec` values (request validation, before the key is looked at); the key needs
/// `kms:GenerateMac` (Bob has no permission); a disabled key is `DisabledException`.
#[test]
fn generate_mac_validates_authorizes_and_checks_the_key_state() {
    let (mut world, alice, bob) = alice_admin_and_bob();
    let arn = create_key_of_spec(
        &mut world,
        &alice,
        "HMAC_256",
        Some("GENERATE_VERIFY_MAC"),
        fresh_seed(),
    )
    .unwrap();
    let mut rng = SeededRandomness::new(3);
    let mut run = |world: &mut World, who: &PrincipalArn, request| {
        world
            .generate_mac(&caller(who), &mut env(&mut rng), request)
            .map(|_| ())
            .map_err(|e| e.exception_name())
    };
    assert_eq!(
        run(&mut world, &alice, mac_request(&arn, "HMAC_SHA_256", b"")),
        Err("ValidationException")
    );
    assert_eq!(
        run(
            &mut world,
            &alice,
            mac_request(&arn, "HMAC_SHA_256", &[0; 4097])
        ),
        Err("ValidationException")
    );
    assert_eq!(
        run(
            &mut world,
            &alice,
            mac_request(&arn, "HMAC_SHA_256", &[0; 4096])
        ),
        Ok(())
    );
    assert_eq!(
        run(&mut world, &alice, mac_request(&arn, "SHA_256", b"m")),
        Err("ValidationException")
    );
    assert_eq!(
        run(&mut world, &bob, mac_request(&arn, "HMAC_SHA_256", b"m")),
        Err("AccessDeniedException")
    );
    let mut rng2 = SeededRandomness::new(4);
    world
        .disable_key(
            &caller(&alice),
            &mut env(&mut rng2),
            KeyIdRequest::new(arn.clone()),
        )
        .unwrap();
    assert_eq!(
        run(&mut world, &alice, mac_request(&arn, "HMAC_SHA_256", b"m")),
        Err("DisabledException")
    );
}

/// KMS API Reference, InvalidKeyUsageException in the Errors of Encrypt, Decrypt,
/// GenerateDataKey, GenerateMac and VerifyMac: an HMAC key cannot encrypt and a symmetric
/// encryption key cannot MAC; KMS names the key, its usage and the operation ("ARN key usage is
/// SIGN_VERIFY which is not valid for Encrypt."). Automatic rotation is for symmetric encryption
/// keys only (API EnableKeyRotation): UnsupportedOperationException.
#[test]
fn every_operation_on_the_wrong_key_usage_is_invalid_key_usage() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let hmac = create_key_of_spec(
        &mut world,
        &alice,
        "HMAC_384",
        Some("GENERATE_VERIFY_MAC"),
        fresh_seed(),
    )
    .unwrap();
    let symmetric =
        create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed()).unwrap();
    let mut rng = SeededRandomness::new(5);
    let c = caller(&alice);
    let encrypted = world.encrypt(
        &c,
        &mut env(&mut rng),
        EncryptRequest {
            key_id: hmac.clone(),
            plaintext: b"x".to_vec(),
            ..EncryptRequest::default()
        },
    );
    let e = encrypted.unwrap_err();
    assert_eq!(e.exception_name(), "InvalidKeyUsageException");
    assert_eq!(
        e.message(),
        format!("{hmac} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.")
    );
    let data_key = world.generate_data_key(
        &c,
        &mut env(&mut rng),
        GenerateDataKeyRequest {
            key_id: hmac.clone(),
            number_of_bytes: Some(32),
            ..GenerateDataKeyRequest::default()
        },
    );
    assert_eq!(
        data_key.unwrap_err().message(),
        format!("{hmac} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKey.")
    );
    let blob = world
        .encrypt(
            &c,
            &mut env(&mut rng),
            EncryptRequest {
                key_id: symmetric.clone(),
                plaintext: b"x".to_vec(),
                ..EncryptRequest::default()
            },
        )
        .unwrap()
        .ciphertext_blob;
    let decrypted = world.decrypt(
        &c,
        &mut env(&mut rng),
        DecryptRequest {
            ciphertext_blob: blob,
            key_id: Some(hmac.clone()),
            ..DecryptRequest::default()
        },
    );
    assert_eq!(
        decrypted.unwrap_err().exception_name(),
        "InvalidKeyUsageException"
    );

    let mac = world.generate_mac(
        &c,
        &mut env(&mut rng),
        mac_request(&symmetric, "HMAC_SHA_256", b"m"),
    );
    let e = mac.unwrap_err();
    assert_eq!(e.exception_name(), "InvalidKeyUsageException");
    assert_eq!(
        e.message(),
        format!("{symmetric} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.")
    );
    let verify = world.verify_mac(
        &c,
        &mut env(&mut rng),
        verify_request(&symmetric, "HMAC_SHA_256", b"m", &[0; 32]),
    );
    assert_eq!(
        verify.unwrap_err().exception_name(),
        "InvalidKeyUsageException"
    );

    let rotation = world.enable_key_rotation(
        &c,
        &mut env(&mut rng),
        kms_engine::kms::EnableKeyRotationRequest {
            key_id: hmac.clone(),
            ..Default::default()
        },
    );
    assert_eq!(
        rotation.unwrap_err().exception_name(),
        "UnsupportedOperationException"
    );
}

/// KMS Developer Guide, grants.html, "Grant operations": a grant on an HMAC key may allow
/// GenerateMac, VerifyMac, CreateGrant, RetireGrant and DescribeKey, and nothing for encryption;
/// a grant on a symmetric encryption key cannot allow the MAC operations. Other operations are a
/// ValidationException. The grant then lets the grantee generate a MAC.
#[test]
fn grants_allow_only_the_operations_the_key_spec_supports() {
    let (mut world, alice, bob) = alice_admin_and_bob();
    let hmac = create_key_of_spec(
        &mut world,
        &alice,
        "HMAC_256",
        Some("GENERATE_VERIFY_MAC"),
        fresh_seed(),
    )
    .unwrap();
    let symmetric =
        create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed()).unwrap();
    let mut rng = SeededRandomness::new(6);
    let grant = |world: &mut World, rng: &mut SeededRandomness, key: &str, ops: &[&str]| {
        world.create_grant(
            &caller(&alice),
            &mut env(rng),
            CreateGrantRequest {
                key_id: key.to_owned(),
                grantee_principal: bob.to_string(),
                operations: ops.iter().map(|s| (*s).to_owned()).collect(),
                ..CreateGrantRequest::default()
            },
        )
    };
    let refused = grant(&mut world, &mut rng, &hmac, &["GenerateMac", "Encrypt"]).unwrap_err();
    assert_eq!(refused.exception_name(), "ValidationException");
    assert_eq!(
        grant(&mut world, &mut rng, &symmetric, &["VerifyMac"])
            .unwrap_err()
            .exception_name(),
        "ValidationException"
    );
    let token = grant(
        &mut world,
        &mut rng,
        &hmac,
        &[
            "GenerateMac",
            "VerifyMac",
            "DescribeKey",
            "CreateGrant",
            "RetireGrant",
        ],
    )
    .unwrap()
    .grant_token;
    let mac = world
        .generate_mac(
            &caller(&bob),
            &mut env(&mut rng),
            GenerateMacRequest {
                grant_tokens: vec![token],
                ..mac_request(&hmac, "HMAC_SHA_256", b"m")
            },
        )
        .unwrap();
    assert_eq!(mac.mac.len(), 32);
}

/// Without the engine's `asymmetric` feature and before a backend is installed (the web app
/// before it loads its asymmetric module), asymmetric keys are created and described, and an
/// operation that computes with one answers KMSInternalException, which callers retry; never a
/// wrong answer.
#[cfg(not(feature = "asymmetric"))]
#[test]
fn asymmetric_keys_exist_and_wait_for_their_cryptography_without_the_feature() {
    let (mut world, alice, _) = alice_admin_and_bob();
    for (spec, usage) in [
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("RSA_4096", "SIGN_VERIFY"),
    ] {
        let key = create_key_of_spec(&mut world, &alice, spec, Some(usage), fresh_seed()).unwrap();
        let refused = world
            .get_public_key(
                &caller(&alice),
                &mut env(&mut SeededRandomness::new(1)),
                kms_engine::kms::GetPublicKeyRequest {
                    key_id: key.clone(),
                    grant_tokens: Vec::new(),
                },
            )
            .unwrap_err();
        assert_eq!(refused.exception_name(), "KMSInternalException");
        assert!(
            refused.message().contains("not loaded yet"),
            "{}",
            refused.message()
        );
    }
}

#[cfg(feature = "asymmetric")]
mod ecc {
    use super::*;
    use kms_engine::kms::{GetPublicKeyRequest, SignRequest, VerifyRequest};
    use sha2::Digest as _;

    fn sign(key: &str, algorithm: &str, message: &[u8], message_type: Option<&str>) -> SignRequest {
        SignRequest {
            key_id: key.to_owned(),
            message: message.to_vec(),
            message_type: message_type.map(str::to_owned),
            signing_algorithm: algorithm.to_owned(),
            ..SignRequest::default()
        }
    }

    fn verify(key: &str, algorithm: &str, message: &[u8], signature: &[u8]) -> VerifyRequest {
        VerifyRequest {
            key_id: key.to_owned(),
            message: message.to_vec(),
            signature: signature.to_vec(),
            signing_algorithm: algorithm.to_owned(),
            ..VerifyRequest::default()
        }
    }

    /// KMS API Reference, Sign, Verify and GetPublicKey; KMS Developer Guide,
    /// asymmetric-key-specs.html: each ECC spec signs with its one ECDSA algorithm, a DER
    /// signature that anyone can check with the DER SubjectPublicKeyInfo GetPublicKey returns;
    /// Verify answers `SignatureValid: true`, and `KMSInvalidSignatureException` for another
    /// message. A `RAW` message is hashed by KMS; a `DIGEST` message is that hash.
    #[test]
    fn ecc_keys_sign_and_verify_with_their_algorithm() {
        let (mut world, alice, _) = alice_admin_and_bob();
        for row in KEY_SPECS
            .iter()
            .filter(|r| r.asymmetric && r.name.starts_with("ECC_") && r.usage_name == "SIGN_VERIFY")
        {
            let arn = create_key_of_spec(
                &mut world,
                &alice,
                row.name,
                Some("SIGN_VERIFY"),
                fresh_seed(),
            )
            .unwrap();
            let algorithm = row.signing_algorithms[0];
            let mut rng = SeededRandomness::new(8);
            let c = caller(&alice);
            let signed = world
                .sign(
                    &c,
                    &mut env(&mut rng),
                    sign(&arn, algorithm, b"pay 10", None),
                )
                .unwrap();
            let json = serde_json::to_value(&signed).unwrap();
            assert_eq!(json["KeyId"], arn.as_str());
            assert_eq!(json["SigningAlgorithm"], algorithm);
            let verified = world
                .verify(
                    &c,
                    &mut env(&mut rng),
                    verify(&arn, algorithm, b"pay 10", &signed.signature),
                )
                .unwrap();
            assert!(verified.signature_valid);
            let forged = world.verify(
                &c,
                &mut env(&mut rng),
                verify(&arn, algorithm, b"pay 99", &signed.signature),
            );
            assert_eq!(
                forged.unwrap_err().exception_name(),
                "KMSInvalidSignatureException"
            );

            let public = world
                .get_public_key(
                    &c,
                    &mut env(&mut rng),
                    GetPublicKeyRequest {
                        key_id: arn.clone(),
                        ..GetPublicKeyRequest::default()
                    },
                )
                .unwrap();
            assert_eq!(public.key_usage, "SIGN_VERIFY");
            assert_eq!(public.signing_algorithms, [algorithm]);
            // The public key checks the signature outside KMS, as the Developer Guide's
            // "Offline verification" describes.
            if row.name == "ECC_NIST_P256" {
                use p256::ecdsa::signature::Verifier as _;
                use p256::pkcs8::DecodePublicKey as _;
                let key =
                    p256::ecdsa::VerifyingKey::from_public_key_der(&public.public_key).unwrap();
                let signature = p256::ecdsa::Signature::from_der(&signed.signature).unwrap();
                assert!(key.verify(b"pay 10", &signature).is_ok());

                let digest = sha2::Sha256::digest(b"pay 10");
                let by_digest = world
                    .verify(
                        &c,
                        &mut env(&mut rng),
                        VerifyRequest {
                            message_type: Some("DIGEST".to_owned()),
                            ..verify(&arn, algorithm, &digest, &signed.signature)
                        },
                    )
                    .unwrap();
                assert!(by_digest.signature_valid);
            }
        }
    }

    /// KMS API Reference, Sign: `Message` is at most 4096 bytes (a larger message must be
    /// hashed first and sent as `DIGEST`); a `DIGEST` must be as long as the algorithm's hash; an
    /// algorithm the key spec does not use is `InvalidKeyUsageException`; an encryption key
    /// cannot sign.
    #[test]
    fn sign_checks_the_message_the_digest_and_the_algorithm() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let arn = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P384",
            Some("SIGN_VERIFY"),
            fresh_seed(),
        )
        .unwrap();
        let symmetric =
            create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
                .unwrap();
        let mut rng = SeededRandomness::new(9);
        let c = caller(&alice);
        let mut run = |request| {
            world
                .sign(&c, &mut env(&mut rng), request)
                .map(|_| ())
                .map_err(|e| e.exception_name())
        };
        assert_eq!(run(sign(&arn, "ECDSA_SHA_384", &[1; 4096], None)), Ok(()));
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_384", &[1; 4097], None)),
            Err("ValidationException")
        );
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_384", &[1; 48], Some("DIGEST"))),
            Ok(())
        );
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_384", &[1; 32], Some("DIGEST"))),
            Err("ValidationException")
        );
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_384", b"m", Some("HASHED"))),
            Err("ValidationException")
        );
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_256", b"m", None)),
            Err("InvalidKeyUsageException")
        );
        assert_eq!(
            run(sign(&arn, "ECDSA_SHA_999", b"m", None)),
            Err("ValidationException")
        );
        assert_eq!(
            run(sign(&symmetric, "ECDSA_SHA_256", b"m", None)),
            Err("InvalidKeyUsageException")
        );
        // AWS's words: the message is a sensitive member (its value is left out of the
        // validation message), and a digest of the wrong length names only the algorithm.
        let mut message = |request| {
            world
                .sign(&c, &mut env(&mut rng), request)
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert_eq!(
            message(sign(&arn, "ECDSA_SHA_384", &[1; 4097], None)),
            "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"
        );
        assert_eq!(
            message(sign(&arn, "ECDSA_SHA_384", &[1; 32], Some("DIGEST"))),
            "Digest is invalid length for algorithm ECDSA_SHA_384."
        );
    }
}

/// The scenario format's `key_spec` and `key_usage` (the names of KMS API Reference, CreateKey:
/// `KeySpec`, and `KeyUsage`, which must be the one the spec allows; KMS Developer Guide,
/// hmac.html: an HMAC key's usage is GENERATE_VERIFY_MAC): a scenario with an HMAC key builds a
/// key that generates real MACs, its expectations are checked (Encrypt on it is refused with
/// InvalidKeyUsageException, symm-asymm-compare.html), and export writes the spec back.
mod scenario_format {
    use super::*;
    use kms_engine::catalog::KeySpec;
    use kms_engine::scenario::{self, Reasons, Scenario};

    const NOW: kms_engine::entropy::Timestamp = kms_engine::entropy::Timestamp(1_700_000_000_000);

    const TEXT: &str = r#"{
  "principals": [{"name": "alice", "policies": [{"name": "All", "document": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
  "keys": [
    {"name": "Data"},
    {"name": "Signer", "key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC"},
    {"name": "Short", "key_spec": "HMAC_512"}
  ],
  "expect": [
    {"principal": "alice", "key": "Signer", "action": "kms:GenerateMac", "decision": "allow"},
    {"principal": "alice", "key": "Signer", "action": "kms:VerifyMac", "decision": "allow"},
    {"principal": "alice", "key": "Data", "action": "kms:Encrypt", "decision": "allow"}
  ]
}"#;

    fn load(text: &str) -> Result<scenario::Loaded, String> {
        let mut rng = SeededRandomness::new(1);
        scenario::load(text, NOW, &mut rng).map_err(|e| e.to_string())
    }

    #[test]
    fn hmac_keys_in_a_scenario_build_check_and_export() {
        let loaded = load(TEXT).unwrap();
        let specs: Vec<KeySpec> = loaded.world.keys.keys().map(|k| k.spec).collect();
        assert_eq!(
            specs,
            [
                KeySpec::SymmetricDefault,
                KeySpec::Hmac256,
                KeySpec::Hmac512
            ]
        );
        let results = scenario::check(
            &loaded.scenario,
            TEXT,
            &loaded.world,
            NOW,
            Reasons::Failures,
        );
        assert_eq!(results.len(), 3);
        assert!(results.iter().all(|r| r.passed), "{results:?}");

        // The key is a real HMAC key: GenerateMac answers a 32-byte HMAC_SHA_256 tag.
        let mut world = loaded.world.clone();
        let signer = loaded.scenario.keys[1].arn.clone();
        let alice = loaded.principal_arn("alice").unwrap();
        let mut rng = SeededRandomness::new(2);
        let mac = world
            .generate_mac(
                &caller(&alice),
                &mut env(&mut rng),
                mac_request(&signer, "HMAC_SHA_256", b"hello"),
            )
            .unwrap();
        assert_eq!(mac.mac.len(), 32);
        let refused = world
            .encrypt(
                &caller(&alice),
                &mut env(&mut rng),
                EncryptRequest {
                    key_id: signer.clone(),
                    plaintext: b"x".to_vec(),
                    ..EncryptRequest::default()
                },
            )
            .unwrap_err();
        assert_eq!(refused.exception_name(), "InvalidKeyUsageException");

        // Export writes the spec and its usage, and reads back to the same text.
        let written = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
        assert!(written.contains(r#""key_spec": "HMAC_256""#), "{written}");
        assert!(
            written.contains(r#""key_usage": "GENERATE_VERIFY_MAC""#),
            "{written}"
        );
        assert_eq!(written.matches("key_spec").count(), 2, "{written}");
        let again = load(&written).unwrap();
        assert_eq!(
            Scenario::from_world(&again.world, &again.scenario).to_json(),
            written
        );
    }

    #[test]
    fn unknown_specs_and_usages_are_errors_at_their_line_and_column() {
        let error =
            load("{\"keys\": [\n  {\"name\": \"K\", \"key_spec\": \"HMAC_257\"}]}").unwrap_err();
        assert!(error.starts_with("2:29"), "{error}");
        assert!(
            error.contains("`HMAC_257` is not a valid key_spec"),
            "{error}"
        );
        for row in KEY_SPECS {
            assert!(error.contains(row.name), "{error}");
        }
        let error = load(
            "{\"keys\": [{\"name\": \"K\", \"key_spec\": \"HMAC_256\",\n \"key_usage\": \"ENCRYPT_DECRYPT\"}]}",
        )
        .unwrap_err();
        assert!(error.starts_with("2:15"), "{error}");
        assert!(
            error.contains("ENCRYPT_DECRYPT is not compatible with key spec HMAC_256")
                && error.contains("GENERATE_VERIFY_MAC"),
            "{error}"
        );
        let error =
            load(r#"{"keys": [{"name": "K", "key_spec": "HMAC_256", "key_usage": "MAC"}]}"#)
                .unwrap_err();
        assert!(error.contains("`MAC` is not a valid key_usage"), "{error}");
    }

    /// KMS API Reference, ImportKeyMaterial: an HMAC key may be created with origin EXTERNAL
    /// ("You can create a symmetric encryption KMS key, HMAC KMS key, ..."), and such a key
    /// waits in PendingImport for its material (KMS Developer Guide, importing-keys.html). A
    /// scenario's HMAC key with `"origin": "EXTERNAL"` and `"state": "PendingImport"` has no
    /// material: GenerateMac answers KMSInvalidStateException; it exports as written.
    #[test]
    fn an_external_hmac_key_in_a_scenario_is_pending_import() {
        let text = r#"{
  "principals": [{"name": "alice", "policies": [{"name": "All", "document": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
  "keys": [
    {"name": "Imported", "key_spec": "HMAC_384", "key_usage": "GENERATE_VERIFY_MAC", "origin": "EXTERNAL", "state": "PendingImport"}
  ]
}"#;
        let loaded = load(text).unwrap();
        let key = loaded.world.keys.keys().next().unwrap();
        assert_eq!(key.spec, KeySpec::Hmac384);
        assert_eq!(key.origin.as_str(), "EXTERNAL");
        assert!(!key.ring.has_material());
        let arn = key.arn.clone();
        let mut world = loaded.world.clone();
        let mut rng = SeededRandomness::new(2);
        let refused = world
            .generate_mac(
                &kms_engine::kms::Caller::new(
                    kms_engine::request::PrincipalArn::parse(
                        "arn:aws:iam::111122223333:user/alice",
                    )
                    .unwrap(),
                ),
                &mut kms_engine::kms::Env::new(NOW, &mut rng),
                mac_request(&arn, "HMAC_SHA_384", b"m"),
            )
            .unwrap_err();
        assert_eq!(refused.exception_name(), "KMSInvalidStateException");
        let written = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
        assert!(written.contains(r#""origin": "EXTERNAL""#), "{written}");
        assert!(written.contains(r#""state": "PendingImport""#), "{written}");
        assert!(written.contains(r#""key_spec": "HMAC_384""#), "{written}");
        let again = load(&written).unwrap();
        assert_eq!(
            Scenario::from_world(&again.world, &again.scenario).to_json(),
            written
        );
    }

    /// KMS API Reference, ImportKeyMaterial (asymmetric keys may be EXTERNAL): a scenario's
    /// asymmetric key with `"origin": "EXTERNAL"` in `PendingImport` waits for its private key,
    /// and GetPublicKey on it is KMSInvalidStateException (key-state.html).
    #[test]
    fn an_external_asymmetric_key_in_a_scenario_waits_for_its_private_key() {
        for spec in ["ECC_NIST_P256", "RSA_2048"] {
            let text = format!(
                "{{\"keys\": [{{\"name\": \"K\", \"key_spec\": \"{spec}\",\n  \"origin\": \"EXTERNAL\", \"state\": \"PendingImport\"}}]}}"
            );
            let mut loaded = load(&text).unwrap();
            let key = loaded.world.keys.keys().next().unwrap();
            assert_eq!(key.state, kms_engine::store::KeyState::PendingImport);
            assert!(!key.ring.has_material());
            let id = key.arn.clone();
            let root = PrincipalArn::parse("arn:aws:iam::111122223333:root").unwrap();
            let refused = loaded
                .world
                .get_public_key(
                    &caller(&root),
                    &mut env(&mut SeededRandomness::new(1)),
                    kms_engine::kms::GetPublicKeyRequest {
                        key_id: id,
                        grant_tokens: Vec::new(),
                    },
                )
                .unwrap_err();
            assert_eq!(
                refused.exception_name(),
                "KMSInvalidStateException",
                "{spec}"
            );
        }
    }

    /// An ECC key in a scenario is a signing key in every build: its material is drawn
    /// without the asymmetric cryptography, which only its operations need.
    #[test]
    fn ecc_keys_load_in_every_build() {
        let text =
            r#"{"keys": [{"name": "K", "key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"}]}"#;
        let loaded = load(text).unwrap();
        let key = loaded.world.keys.keys().next().unwrap();
        assert_eq!(key.spec, KeySpec::EccNistP256);
    }
}
