//! Data key pairs and key agreement through the KMS API: GenerateDataKeyPair and
//! GenerateDataKeyPairWithoutPlaintext (a fresh elliptic-curve or RSA key pair whose private key
//! a symmetric encryption key encrypts), `KEY_AGREEMENT` keys and DeriveSharedSecret (ECDH).
//!
//! Sources are named on each test: KMS API Reference (GenerateDataKeyPair,
//! GenerateDataKeyPairWithoutPlaintext, DeriveSharedSecret, CreateKey, GetPublicKey,
//! DescribeKey, CreateGrant, InvalidKeyUsageException), KMS Developer Guide
//! asymmetric-key-specs.html, grants.html ("Grant operations") and conditions-kms.html.

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::GenerateDataKeyPairRequest;
use kms_engine::world::World;

fn pair_request(key: &str, spec: &str) -> GenerateDataKeyPairRequest {
    GenerateDataKeyPairRequest {
        key_id: key.to_owned(),
        key_pair_spec: spec.to_owned(),
        ..GenerateDataKeyPairRequest::default()
    }
}

fn generate(
    world: &mut World,
    who: &PrincipalArn,
    request: GenerateDataKeyPairRequest,
) -> Result<kms_engine::kms::GenerateDataKeyPairResponse, KmsError> {
    // A new seed per call, as a real source gives new bytes each time.
    static SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(900);
    let mut rng = SeededRandomness::new(SEED.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    world.generate_data_key_pair(&caller(who), &mut env(&mut rng), request)
}

/// KMS API Reference, GenerateDataKeyPair: `KeyPairSpec` is one of the API's `DataKeyPairSpec`
/// values; any other value is a ValidationException before the key is looked at.
#[test]
fn a_key_pair_spec_outside_the_api_enum_is_a_validation_error() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let key =
        create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed()).unwrap();
    for spec in ["ECC_NIST_P255", "ecc_nist_p256", "", "SYMMETRIC_DEFAULT"] {
        let refused = generate(&mut world, &alice, pair_request(&key, spec)).unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException", "{spec}");
        assert!(
            refused.message().contains("at 'keyPairSpec'")
                && refused.message().contains("ECC_SECG_P256K1, SM2"),
            "{}",
            refused.message()
        );
    }
}

/// KMS API Reference, GenerateDataKeyPair: "To generate a data key pair, you must specify a
/// symmetric encryption KMS key to encrypt the private key in a data key pair. You cannot use
/// an asymmetric KMS key"; InvalidKeyUsageException: "For encrypting, decrypting,
/// re-encrypting, and generating data keys, the KeyUsage must be ENCRYPT_DECRYPT" (an HMAC key
/// is refused the same way).
#[test]
fn data_key_pairs_need_a_symmetric_encryption_key() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let hmac = create_key_of_spec(
        &mut world,
        &alice,
        "HMAC_256",
        Some("GENERATE_VERIFY_MAC"),
        fresh_seed(),
    )
    .unwrap();
    let mut keys = vec![(hmac, "GENERATE_VERIFY_MAC")];
    {
        let signing = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P256",
            Some("SIGN_VERIFY"),
            fresh_seed(),
        )
        .unwrap();
        let agreement = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P256",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        keys.push((signing, "SIGN_VERIFY"));
        keys.push((agreement, "KEY_AGREEMENT"));
    }
    for (key, usage) in keys {
        for without_plaintext in [false, true] {
            let mut rng = SeededRandomness::new(3);
            let request = pair_request(&key, "ECC_NIST_P256");
            let refused = if without_plaintext {
                world
                    .generate_data_key_pair_without_plaintext(
                        &caller(&alice),
                        &mut env(&mut rng),
                        request,
                    )
                    .unwrap_err()
            } else {
                generate(&mut world, &alice, request).unwrap_err()
            };
            assert_eq!(refused.exception_name(), "InvalidKeyUsageException");
            let operation = if without_plaintext {
                "GenerateDataKeyPairWithoutPlaintext"
            } else {
                "GenerateDataKeyPair"
            };
            assert_eq!(
                refused.message(),
                format!("{key} key usage is {usage} which is not valid for {operation}.")
            );
        }
    }
}

/// KMS API Reference, GenerateDataKeyPair (`DataKeyPairSpec`: RSA_2048/3072/4096,
/// ECC_NIST_P256/P384/P521, ECC_SECG_P256K1, SM2 in China Regions, and newer values that this
/// KMS Playground has no cryptography for: SM2, Ed25519, ML-KEM): a value
/// of the enum it does not generate is refused with a message naming the specs it
/// does, never answered with a made-up key pair.
#[test]
fn key_pair_specs_this_build_cannot_generate_are_refused_naming_those_it_can() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let key =
        create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed()).unwrap();
    for spec in ["SM2", "ML_KEM_768", "ECC_NIST_EDWARDS25519"] {
        let refused = generate(&mut world, &alice, pair_request(&key, spec)).unwrap_err();
        assert_eq!(refused.exception_name(), "UnsupportedOperationException");
        let expected = "it generates only RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1 data key pairs";
        assert!(
            refused.message().starts_with(&format!(
                "KeyPairSpec {spec} is not supported by KMS Playground"
            )) && refused.message().contains(expected),
            "{}",
            refused.message()
        );
    }
}

/// KMS API Reference, GenerateDataKeyPair (Recipient: an attestation document of a Nitro
/// enclave): the playground models no enclaves and refuses such a request rather than answer as
/// if it had none.
#[test]
fn a_recipient_is_refused_as_not_modelled() {
    let (mut world, alice, _) = alice_admin_and_bob();
    let key =
        create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed()).unwrap();
    let refused = generate(
        &mut world,
        &alice,
        GenerateDataKeyPairRequest {
            recipient: Some(serde_json::json!({"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256"})),
            ..pair_request(&key, "ECC_NIST_P256")
        },
    )
    .unwrap_err();
    assert_eq!(refused.exception_name(), "UnsupportedOperationException");
    assert!(
        refused.message().contains("Recipient"),
        "{}",
        refused.message()
    );
}

#[cfg(not(feature = "asymmetric"))]
mod without_the_feature {
    use super::*;

    /// Without the engine's `asymmetric` feature and before a backend is installed (the web
    /// app before it loads its asymmetric module) no key pair is generated: KMSInternalException,
    /// after the key's checks.
    #[test]
    fn ecc_key_pairs_wait_for_their_cryptography_without_the_feature() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let key = create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
            .unwrap();
        let refused =
            generate(&mut world, &alice, pair_request(&key, "ECC_NIST_P256")).unwrap_err();
        assert_eq!(refused.exception_name(), "KMSInternalException");
        assert!(
            refused.message().contains("not loaded yet"),
            "{}",
            refused.message()
        );
    }
}

#[cfg(feature = "asymmetric")]
#[expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]
mod ecc {
    use super::*;
    use kms_engine::catalog::KeySpec;
    use kms_engine::kms::{
        CreateGrantRequest, DecryptRequest, DeriveSharedSecretRequest, GetPublicKeyRequest,
    };

    /// The public key of a PKCS#8 DER private key on `spec`'s curve, as DER SPKI.
    fn public_of_pkcs8(spec: &str, der: &[u8]) -> Option<Vec<u8>> {
        macro_rules! public {
            ($curve:ident) => {{
                use $curve::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
                let secret = $curve::SecretKey::from_pkcs8_der(der).unwrap();
                secret
                    .public_key()
                    .to_public_key_der()
                    .unwrap()
                    .as_bytes()
                    .to_vec()
            }};
        }
        match spec {
            "ECC_NIST_P256" => Some(public!(p256)),
            "ECC_NIST_P384" => Some(public!(p384)),
            "ECC_NIST_P521" => Some(public!(p521)),
            "ECC_SECG_P256K1" => Some(public!(k256)),
            _ => None,
        }
    }

    fn decrypt(
        world: &mut World,
        who: &PrincipalArn,
        blob: &[u8],
        context: Option<&[(&str, &str)]>,
    ) -> Result<(Vec<u8>, Option<String>), KmsError> {
        let mut rng = SeededRandomness::new(4);
        world
            .decrypt(
                &caller(who),
                &mut env(&mut rng),
                DecryptRequest {
                    ciphertext_blob: blob.to_vec(),
                    encryption_context: context.map(|pairs| {
                        pairs
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                            .collect()
                    }),
                    ..DecryptRequest::default()
                },
            )
            .map(|r| (r.plaintext, r.key_material_id))
    }

    /// KMS API Reference, GenerateDataKeyPair: the response carries `PrivateKeyCiphertextBlob`,
    /// `PrivateKeyPlaintext` (PKCS#8 DER), `PublicKey` (DER SubjectPublicKeyInfo), `KeyId` (the
    /// ARN of the key that encrypted the private key), `KeyPairSpec` and `KeyMaterialId` ("the
    /// identifier of the key material used to encrypt the private key", the one Decrypt then
    /// reports); "When you are ready to
    /// decrypt data or sign a message, you can use the Decrypt operation to decrypt the
    /// encrypted private key", with the same encryption context.
    #[test]
    fn each_ecc_key_pair_is_real_and_its_encrypted_private_key_decrypts() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let key = create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
            .unwrap();
        let context = [("project", "alpha")];
        for spec in [
            "ECC_NIST_P256",
            "ECC_NIST_P384",
            "ECC_NIST_P521",
            "ECC_SECG_P256K1",
        ] {
            let response = generate(
                &mut world,
                &alice,
                GenerateDataKeyPairRequest {
                    encryption_context: Some(
                        context
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                            .collect(),
                    ),
                    ..pair_request(&key, spec)
                },
            )
            .unwrap();
            let json = serde_json::to_value(&response).unwrap();
            let fields: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                fields,
                [
                    "PrivateKeyCiphertextBlob",
                    "PrivateKeyPlaintext",
                    "PublicKey",
                    "KeyId",
                    "KeyPairSpec",
                    "KeyMaterialId"
                ]
            );
            assert_eq!(json["KeyId"], key.as_str());
            assert_eq!(json["KeyPairSpec"], spec);
            assert_eq!(
                public_of_pkcs8(spec, &response.private_key_plaintext),
                Some(response.public_key.clone()),
                "{spec}: the public key is the private key's"
            );
            let decrypted = decrypt(
                &mut world,
                &alice,
                &response.private_key_ciphertext_blob,
                Some(&context),
            )
            .unwrap();
            assert_eq!(decrypted.0, response.private_key_plaintext, "{spec}");
            assert_eq!(decrypted.1, response.key_material_id, "{spec}");
            assert!(response.key_material_id.is_some());
            let without_context = decrypt(
                &mut world,
                &alice,
                &response.private_key_ciphertext_blob,
                None,
            );
            assert_eq!(
                without_context.unwrap_err().exception_name(),
                "InvalidCiphertextException"
            );
        }
        // Each call makes a new pair ("The bytes in the keys are random").
        let a = generate(&mut world, &alice, pair_request(&key, "ECC_NIST_P256")).unwrap();
        let b = generate(&mut world, &alice, pair_request(&key, "ECC_NIST_P256")).unwrap();
        assert_ne!(a.public_key, b.public_key);
    }

    /// KMS API Reference, GenerateDataKeyPair: an RSA data key pair (`RSA_2048`) is a real RSA
    /// pair of the spec's modulus length, `PrivateKeyPlaintext` "a DER-encoded PKCS8
    /// PrivateKeyInfo" and `PublicKey` "a DER-encoded X.509 SubjectPublicKeyInfo" of the same
    /// key, its private key encrypted under the symmetric key as Decrypt takes it.
    #[test]
    fn an_rsa_key_pair_is_real_and_its_encrypted_private_key_decrypts() {
        use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
        use rsa::traits::PublicKeyParts as _;
        let (mut world, alice, _) = alice_admin_and_bob();
        let key = create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
            .unwrap();
        let response = generate(&mut world, &alice, pair_request(&key, "RSA_2048")).unwrap();
        assert_eq!(response.key_pair_spec, "RSA_2048");
        let private = rsa::RsaPrivateKey::from_pkcs8_der(&response.private_key_plaintext)
            .expect("PKCS #8 DER of an RSA private key");
        assert_eq!(private.size(), 256, "a 2048-bit modulus");
        assert_eq!(
            private
                .to_public_key()
                .to_public_key_der()
                .unwrap()
                .as_bytes(),
            response.public_key.as_slice(),
            "the public key is the private key's"
        );
        let decrypted = decrypt(
            &mut world,
            &alice,
            &response.private_key_ciphertext_blob,
            None,
        )
        .unwrap();
        assert_eq!(decrypted.0, response.private_key_plaintext);
    }

    /// KMS API Reference, GenerateDataKeyPairWithoutPlaintext: the same pair without
    /// `PrivateKeyPlaintext`; Decrypt gives the private key later.
    #[test]
    fn without_plaintext_the_private_key_comes_only_from_decrypt() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let key = create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
            .unwrap();
        let mut rng = SeededRandomness::new(5);
        let response = world
            .generate_data_key_pair_without_plaintext(
                &caller(&alice),
                &mut env(&mut rng),
                pair_request(&key, "ECC_NIST_P384"),
            )
            .unwrap();
        let json = serde_json::to_value(&response).unwrap();
        assert!(json.get("PrivateKeyPlaintext").is_none(), "{json}");
        assert_eq!(json["KeyPairSpec"], "ECC_NIST_P384");
        let private = decrypt(
            &mut world,
            &alice,
            &response.private_key_ciphertext_blob,
            None,
        )
        .unwrap()
        .0;
        assert_eq!(
            public_of_pkcs8("ECC_NIST_P384", &private),
            Some(response.public_key)
        );
    }

    /// KMS Developer Guide, conditions-kms.html (kms:DataKeyPairSpec: "controls access to
    /// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext ... based on the value of
    /// the KeyPairSpec parameter"), grants.html (a grant on a symmetric encryption key may allow
    /// GenerateDataKeyPair) and programming-dryrun.html (DryRun: DryRunOperationException when
    /// the call would succeed, the denial when it would not).
    #[test]
    fn data_key_pairs_are_authorized_by_policy_condition_grant_and_dry_run() {
        let (mut world, alice, bob) = alice_admin_and_bob();
        let key = create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, fresh_seed())
            .unwrap();
        let denied = generate(&mut world, &bob, pair_request(&key, "ECC_NIST_P256")).unwrap_err();
        assert_eq!(denied.exception_name(), "AccessDeniedException");
        let dry = generate(
            &mut world,
            &bob,
            GenerateDataKeyPairRequest {
                dry_run: Some(true),
                ..pair_request(&key, "ECC_NIST_P256")
            },
        )
        .unwrap_err();
        assert_eq!(dry.exception_name(), "AccessDeniedException");

        let only_p256 = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "kms:GenerateDataKeyPair",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:DataKeyPairSpec": "ECC_NIST_P256"}}
            }]
        })
        .to_string();
        world
            .put_identity_policy(&bob, "OnlyP256", &only_p256)
            .unwrap();
        assert!(generate(&mut world, &bob, pair_request(&key, "ECC_NIST_P256")).is_ok());
        let other = generate(&mut world, &bob, pair_request(&key, "ECC_NIST_P384")).unwrap_err();
        assert_eq!(other.exception_name(), "AccessDeniedException");
        let dry = generate(
            &mut world,
            &bob,
            GenerateDataKeyPairRequest {
                dry_run: Some(true),
                ..pair_request(&key, "ECC_NIST_P256")
            },
        )
        .unwrap_err();
        assert_eq!(dry.exception_name(), "DryRunOperationException");

        let mut rng = SeededRandomness::new(6);
        let grant = world
            .create_grant(
                &caller(&alice),
                &mut env(&mut rng),
                CreateGrantRequest {
                    key_id: key.clone(),
                    grantee_principal: bob.to_string(),
                    operations: vec!["GenerateDataKeyPairWithoutPlaintext".to_owned()],
                    ..CreateGrantRequest::default()
                },
            )
            .unwrap();
        let by_grant = world.generate_data_key_pair_without_plaintext(
            &caller(&bob),
            &mut env(&mut rng),
            GenerateDataKeyPairRequest {
                grant_tokens: vec![grant.grant_token],
                ..pair_request(&key, "ECC_NIST_P384")
            },
        );
        assert!(by_grant.is_ok(), "{by_grant:?}");
    }

    fn public_key(
        world: &mut World,
        who: &PrincipalArn,
        key: &str,
    ) -> Result<serde_json::Value, KmsError> {
        let mut rng = SeededRandomness::new(7);
        world
            .get_public_key(
                &caller(who),
                &mut env(&mut rng),
                GetPublicKeyRequest {
                    key_id: key.to_owned(),
                    ..GetPublicKeyRequest::default()
                },
            )
            .map(|r| serde_json::to_value(&r).unwrap())
    }

    fn derive(
        world: &mut World,
        who: &PrincipalArn,
        key: &str,
        peer: &[u8],
    ) -> Result<kms_engine::kms::DeriveSharedSecretResponse, KmsError> {
        let mut rng = SeededRandomness::new(8);
        world.derive_shared_secret(
            &caller(who),
            &mut env(&mut rng),
            DeriveSharedSecretRequest {
                key_id: key.to_owned(),
                key_agreement_algorithm: "ECDH".to_owned(),
                public_key: peer.to_vec(),
                ..DeriveSharedSecretRequest::default()
            },
        )
    }

    fn spki(json: &serde_json::Value) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(json["PublicKey"].as_str().unwrap())
            .unwrap()
    }

    /// KMS Developer Guide, asymmetric-key-specs.html ("Elliptic curve key specs": the NIST
    /// curves are for signing or for key agreement, secp256k1 for signing only) and API
    /// Reference, CreateKey (KeyUsage: "For NIST-recommended elliptic curve key pairs, specify
    /// SIGN_VERIFY or KEY_AGREEMENT. For ECC_SECG_P256K1 key pairs, specify SIGN_VERIFY"),
    /// DescribeKey and GetPublicKey (`KeyAgreementAlgorithms`: `ECDH`, present only for
    /// KEY_AGREEMENT keys).
    #[test]
    fn nist_curves_make_key_agreement_keys_and_secp256k1_does_not() {
        let (mut world, alice, _) = alice_admin_and_bob();
        for spec in ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"] {
            let key = create_key_of_spec(
                &mut world,
                &alice,
                spec,
                Some("KEY_AGREEMENT"),
                fresh_seed(),
            )
            .unwrap();
            let mut rng = SeededRandomness::new(1);
            let described = world
                .describe_key(
                    &caller(&alice),
                    &mut env(&mut rng),
                    kms_engine::kms::DescribeKeyRequest {
                        key_id: key.clone(),
                        ..Default::default()
                    },
                )
                .unwrap();
            let metadata = serde_json::to_value(&described).unwrap()["KeyMetadata"].clone();
            assert_eq!(metadata["KeyUsage"], "KEY_AGREEMENT");
            assert_eq!(metadata["KeySpec"], spec);
            assert_eq!(
                metadata["KeyAgreementAlgorithms"],
                serde_json::json!(["ECDH"])
            );
            assert!(metadata.get("SigningAlgorithms").is_none(), "{metadata}");
            let public = public_key(&mut world, &alice, &key).unwrap();
            assert_eq!(public["KeyUsage"], "KEY_AGREEMENT");
            assert_eq!(
                public["KeyAgreementAlgorithms"],
                serde_json::json!(["ECDH"])
            );
            assert!(public.get("SigningAlgorithms").is_none(), "{public}");
            // A signing key of the same spec has no key agreement algorithms.
            let signing =
                create_key_of_spec(&mut world, &alice, spec, Some("SIGN_VERIFY"), fresh_seed())
                    .unwrap();
            let public = public_key(&mut world, &alice, &signing).unwrap();
            assert!(public.get("KeyAgreementAlgorithms").is_none(), "{public}");
        }
        let refused = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_SECG_P256K1",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException");
        assert_eq!(
            refused.message(),
            "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1"
        );
        let refused = create_key_of_spec(
            &mut world,
            &alice,
            "SYMMETRIC_DEFAULT",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException");
    }

    /// KMS Developer Guide, conditions-kms.html (kms:KeyUsage: "controls access to the
    /// CreateKey operation based on the value of the KeyUsage parameter in the request", with
    /// KEY_AGREEMENT among its values).
    #[test]
    fn kms_key_usage_conditions_create_key_agreement_keys() {
        let (mut world, _, bob) = alice_admin_and_bob();
        let only_agreement = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "kms:CreateKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:KeyUsage": "KEY_AGREEMENT"}}
            }]
        })
        .to_string();
        world
            .put_identity_policy(&bob, "OnlyAgreement", &only_agreement)
            .unwrap();
        assert!(
            create_key_of_spec(
                &mut world,
                &bob,
                "ECC_NIST_P256",
                Some("KEY_AGREEMENT"),
                fresh_seed()
            )
            .is_ok()
        );
        let refused = create_key_of_spec(
            &mut world,
            &bob,
            "ECC_NIST_P256",
            Some("SIGN_VERIFY"),
            fresh_seed(),
        )
        .unwrap_err();
        assert_eq!(refused.exception_name(), "AccessDeniedException");
    }

    /// KMS API Reference, DeriveSharedSecret: ECDH between the KMS key's private key and the
    /// peer's public key gives the same raw shared secret both ways, the one any ECDH
    /// implementation computes (the x-coordinate of the shared point, as long as the curve's
    /// field); the response names the key ARN, `ECDH` and the key's origin.
    #[test]
    fn derive_shared_secret_is_raw_ecdh_that_both_peers_agree_on() {
        let (mut world, alice, _) = alice_admin_and_bob();
        for spec in ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"] {
            let a = create_key_of_spec(
                &mut world,
                &alice,
                spec,
                Some("KEY_AGREEMENT"),
                fresh_seed(),
            )
            .unwrap();
            let b = create_key_of_spec(
                &mut world,
                &alice,
                spec,
                Some("KEY_AGREEMENT"),
                fresh_seed(),
            )
            .unwrap();
            let a_public = spki(&public_key(&mut world, &alice, &a).unwrap());
            let b_public = spki(&public_key(&mut world, &alice, &b).unwrap());
            let ab = derive(&mut world, &alice, &a, &b_public).unwrap();
            let ba = derive(&mut world, &alice, &b, &a_public).unwrap();
            assert_eq!(ab.shared_secret, ba.shared_secret, "{spec}");
            let field_bytes = KeySpec::from_name(spec).unwrap().row().material_bytes;
            assert_eq!(ab.shared_secret.len(), field_bytes, "{spec}");
            let json = serde_json::to_value(&ab).unwrap();
            assert_eq!(json["KeyId"], a.as_str());
            assert_eq!(json["KeyAgreementAlgorithm"], "ECDH");
            assert_eq!(json["KeyOrigin"], "AWS_KMS");
        }
        // A peer outside KMS (Bob's own P-256 pair) computes the same secret with its private
        // key and the KMS key's public key.
        use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
        let a = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P256",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        let a_public = p256::PublicKey::from_public_key_der(&spki(
            &public_key(&mut world, &alice, &a).unwrap(),
        ))
        .unwrap();
        let peer = p256::SecretKey::from_slice(&[7; 32]).unwrap();
        let peer_public = peer.public_key().to_public_key_der().unwrap();
        let from_kms = derive(&mut world, &alice, &a, peer_public.as_bytes()).unwrap();
        let outside = peer.diffie_hellman(&a_public);
        assert_eq!(from_kms.shared_secret, outside.raw_secret_bytes().to_vec());
    }

    /// KMS API Reference, DeriveSharedSecret (KeyAgreementAlgorithm: "The only valid value is
    /// ECDH"; PublicKey: 1–8192 bytes, "a DER-encoded X.509 public key, also known as
    /// SubjectPublicKeyInfo"; the workflow: "Bob's key pair must use the same NIST-recommended
    /// elliptic curve ... as Alice"; a public key KMS cannot read as such, as one base64-encoded
    /// twice, is a ValidationException, and so is one on another curve here). The API's error
    /// list for DeriveSharedSecret keeps InvalidKeyUsageException for the key's usage.
    #[test]
    fn derive_shared_secret_validates_the_algorithm_and_the_peer_public_key() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let p256_key = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P256",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        let p384_key = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P384",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        let p384_public = spki(&public_key(&mut world, &alice, &p384_key).unwrap());
        let p256_public = spki(&public_key(&mut world, &alice, &p256_key).unwrap());

        let wrong_curve = derive(&mut world, &alice, &p256_key, &p384_public).unwrap_err();
        assert_eq!(wrong_curve.exception_name(), "ValidationException");
        assert_eq!(
            wrong_curve.message(),
            "PublicKey is not a valid DER-encoded SubjectPublicKeyInfo of a ECC_NIST_P256 public key"
        );
        for garbage in [&b"not a key"[..], &p256_public[..20]] {
            let refused = derive(&mut world, &alice, &p256_key, garbage).unwrap_err();
            assert_eq!(refused.exception_name(), "ValidationException");
        }
        for bad_length in [Vec::new(), vec![0x30; 8193]] {
            let refused = derive(&mut world, &alice, &p256_key, &bad_length).unwrap_err();
            assert_eq!(refused.exception_name(), "ValidationException");
            assert!(
                refused.message().contains("at 'publicKey'"),
                "{}",
                refused.message()
            );
        }
        let mut rng = SeededRandomness::new(9);
        let refused = world
            .derive_shared_secret(
                &caller(&alice),
                &mut env(&mut rng),
                DeriveSharedSecretRequest {
                    key_id: p256_key.clone(),
                    key_agreement_algorithm: "ECDHE".to_owned(),
                    public_key: p256_public.clone(),
                    ..DeriveSharedSecretRequest::default()
                },
            )
            .unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException");
        assert_eq!(
            refused.message(),
            "1 validation error detected: Value 'ECDHE' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]"
        );
        let recipient = world
            .derive_shared_secret(
                &caller(&alice),
                &mut env(&mut rng),
                DeriveSharedSecretRequest {
                    key_id: p256_key,
                    key_agreement_algorithm: "ECDH".to_owned(),
                    public_key: p256_public,
                    recipient: Some(serde_json::json!({"AttestationDocument": "AAAA"})),
                    ..DeriveSharedSecretRequest::default()
                },
            )
            .unwrap_err();
        assert_eq!(recipient.exception_name(), "UnsupportedOperationException");
    }

    /// KMS API Reference, DeriveSharedSecret ("The key usage of the KMS key must be
    /// KEY_AGREEMENT") and InvalidKeyUsageException ("For deriving key agreement secrets, the
    /// KeyUsage must be KEY_AGREEMENT"); Sign: a key agreement key does not sign.
    #[test]
    fn only_key_agreement_keys_derive_shared_secrets_and_they_do_nothing_else() {
        let (mut world, alice, _) = alice_admin_and_bob();
        let agreement = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P256",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        let peer = spki(&public_key(&mut world, &alice, &agreement).unwrap());
        for (spec, usage) in [
            ("ECC_NIST_P256", Some("SIGN_VERIFY")),
            ("SYMMETRIC_DEFAULT", None),
            ("HMAC_256", Some("GENERATE_VERIFY_MAC")),
        ] {
            let key = create_key_of_spec(&mut world, &alice, spec, usage, fresh_seed()).unwrap();
            let refused = derive(&mut world, &alice, &key, &peer).unwrap_err();
            assert_eq!(refused.exception_name(), "InvalidKeyUsageException");
            assert_eq!(
                refused.message(),
                format!(
                    "{key} key usage is {} which is not valid for DeriveSharedSecret.",
                    usage.unwrap_or("ENCRYPT_DECRYPT")
                )
            );
        }
        let mut rng = SeededRandomness::new(10);
        let signed = world
            .sign(
                &caller(&alice),
                &mut env(&mut rng),
                kms_engine::kms::SignRequest {
                    key_id: agreement.clone(),
                    message: b"hello".to_vec(),
                    signing_algorithm: "ECDSA_SHA_256".to_owned(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(signed.exception_name(), "InvalidKeyUsageException");
        assert_eq!(
            signed.message(),
            format!("{agreement} key usage is KEY_AGREEMENT which is not valid for Sign.")
        );
    }

    /// KMS Developer Guide, grants.html ("Grant operations": a grant on a key agreement key may
    /// allow DeriveSharedSecret, GetPublicKey, CreateGrant, RetireGrant and DescribeKey; other
    /// operations are a ValidationException) and conditions-kms.html
    /// (kms:KeyAgreementAlgorithm).
    #[test]
    fn grants_and_conditions_on_key_agreement_keys() {
        let (mut world, alice, bob) = alice_admin_and_bob();
        let key = create_key_of_spec(
            &mut world,
            &alice,
            "ECC_NIST_P384",
            Some("KEY_AGREEMENT"),
            fresh_seed(),
        )
        .unwrap();
        let peer = spki(&public_key(&mut world, &alice, &key).unwrap());
        let mut rng = SeededRandomness::new(11);
        let grant = |world: &mut World, rng: &mut SeededRandomness, operations: &[&str]| {
            world.create_grant(
                &caller(&alice),
                &mut env(rng),
                CreateGrantRequest {
                    key_id: key.clone(),
                    grantee_principal: bob.to_string(),
                    operations: operations.iter().map(|o| (*o).to_owned()).collect(),
                    ..CreateGrantRequest::default()
                },
            )
        };
        for refused in [&["Sign"][..], &["Encrypt"], &["GenerateDataKeyPair"]] {
            let error = grant(&mut world, &mut rng, refused).unwrap_err();
            assert_eq!(error.exception_name(), "ValidationException", "{refused:?}");
        }
        let granted = grant(
            &mut world,
            &mut rng,
            &["DeriveSharedSecret", "GetPublicKey", "DescribeKey"],
        )
        .unwrap();
        assert_eq!(
            derive(&mut world, &bob, &key, &peer)
                .unwrap_err()
                .exception_name(),
            "AccessDeniedException"
        );
        let by_token = world.derive_shared_secret(
            &caller(&bob),
            &mut env(&mut rng),
            DeriveSharedSecretRequest {
                key_id: key.clone(),
                key_agreement_algorithm: "ECDH".to_owned(),
                public_key: peer.clone(),
                grant_tokens: vec![granted.grant_token],
                ..DeriveSharedSecretRequest::default()
            },
        );
        assert!(by_token.is_ok(), "{by_token:?}");

        let carol = world.add_user(ACCOUNT, "Carol").unwrap();
        let only_other_algorithm = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "kms:DeriveSharedSecret",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}}
            }]
        })
        .to_string();
        world
            .put_identity_policy(&carol, "Ecdh", &only_other_algorithm)
            .unwrap();
        assert!(derive(&mut world, &carol, &key, &peer).is_ok());
        let deny = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Deny",
                "Action": "kms:DeriveSharedSecret",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}}
            }]
        })
        .to_string();
        world.put_identity_policy(&carol, "NoEcdh", &deny).unwrap();
        assert_eq!(
            derive(&mut world, &carol, &key, &peer)
                .unwrap_err()
                .exception_name(),
            "AccessDeniedException"
        );
    }

    /// The scenario format's `key_usage` (as CreateKey's KeyUsage): a NIST elliptic-curve key
    /// may be a `KEY_AGREEMENT` key, kept when the world is exported; secp256k1 may not (KMS
    /// Developer Guide, asymmetric-key-specs.html).
    #[test]
    fn scenarios_declare_key_agreement_keys() {
        let text = r#"{"keys": [{"name": "K", "key_spec": "ECC_NIST_P384", "key_usage": "KEY_AGREEMENT"}]}"#;
        let mut rng = SeededRandomness::new(12);
        let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
        let key = loaded.world.keys.keys().next().unwrap();
        assert_eq!(key.usage, kms_engine::catalog::KeyUsage::KeyAgreement);
        assert_eq!(key.spec.row().usage_name, "KEY_AGREEMENT");
        let exported =
            kms_engine::scenario::Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
        assert!(
            exported.contains(r#""key_usage": "KEY_AGREEMENT""#),
            "{exported}"
        );
        let again = kms_engine::scenario::load(&exported, NOW, &mut rng).unwrap();
        assert_eq!(
            again.world.keys.keys().next().unwrap().usage,
            kms_engine::catalog::KeyUsage::KeyAgreement
        );

        let bad = r#"{"keys": [{"name": "K", "key_spec": "ECC_SECG_P256K1", "key_usage": "KEY_AGREEMENT"}]}"#;
        let error = kms_engine::scenario::load(bad, NOW, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "key usage KEY_AGREEMENT is not compatible with key spec ECC_SECG_P256K1"
            ),
            "{error}"
        );
        assert!(error.contains("has key usage SIGN_VERIFY"), "{error}");
        let signing = r#"{"keys": [{"name": "K", "key_spec": "ECC_NIST_P256"}]}"#;
        let loaded = kms_engine::scenario::load(signing, NOW, &mut rng).unwrap();
        assert_eq!(
            loaded.world.keys.keys().next().unwrap().usage,
            kms_engine::catalog::KeyUsage::SignVerify
        );
    }

    /// The access matrix (`kmsplay matrix`) follows each key's usage, not only its spec: a
    /// P-256 signing key supports Sign and Verify, a P-256 key agreement key DeriveSharedSecret
    /// and neither supports the other's (KMS API Reference, InvalidKeyUsageException; Sign and
    /// DeriveSharedSecret).
    #[test]
    fn the_matrix_report_follows_each_keys_usage() {
        let text = r#"{"principals": [{"name": "Admin", "policies": [{"name": "All", "document":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
            "keys": [{"name": "Signer", "key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"},
                     {"name": "Agree", "key_spec": "ECC_NIST_P256", "key_usage": "KEY_AGREEMENT"}]}"#;
        let mut rng = SeededRandomness::new(13);
        let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
        let actions = kms_engine::scenario::MatrixReport::default_actions(&loaded.world);
        let names: Vec<&str> = actions.iter().map(|a| a.name()).collect();
        assert_eq!(
            names,
            [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:Sign",
                "kms:Verify",
                "kms:DeriveSharedSecret"
            ]
        );
        let report = kms_engine::scenario::MatrixReport::compute(
            &loaded.scenario,
            &loaded.world,
            &actions,
            NOW,
        );
        let cells: Vec<(&str, &str, &str)> = report
            .cells()
            .map(|c| (c.key, c.action, c.symbol()))
            .filter(|(_, action, _)| *action != "kms:Encrypt" && *action != "kms:Decrypt")
            .collect();
        assert_eq!(
            cells,
            [
                ("Signer", "kms:Sign", "allow"),
                ("Signer", "kms:Verify", "allow"),
                ("Signer", "kms:DeriveSharedSecret", "n/a"),
                ("Agree", "kms:Sign", "n/a"),
                ("Agree", "kms:Verify", "n/a"),
                ("Agree", "kms:DeriveSharedSecret", "allow"),
            ]
        );
    }
}
