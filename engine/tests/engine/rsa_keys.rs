//! RSA keys through the KMS API (feature `asymmetric`): CreateKey with an RSA key spec and
//! either key usage, Encrypt, Decrypt and ReEncrypt with RSAES-OAEP, Sign and Verify with
//! RSASSA-PSS and RSASSA-PKCS1-v1_5, GetPublicKey, and what an RSA key refuses.
//!
//! Sources are named on each test: KMS API Reference (CreateKey, Encrypt, Decrypt, ReEncrypt,
//! Sign, Verify, GetPublicKey, CreateGrant), KMS Developer Guide asymmetric-key-specs.html ("RSA
//! key specs"), grants.html ("Grant operations"), symm-asymm-compare.html.
//!
//! Generating RSA keys is the slow part: the tests share one world with one key of each usage
//! (2048-bit) and clone it; only the plaintext-limit test makes 3072- and 4096-bit keys.

#![cfg(feature = "asymmetric")]
#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use std::sync::OnceLock;

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::SeededRandomness;
use kms_engine::kms::{
    CreateGrantRequest, DecryptRequest, DescribeKeyRequest, EnableKeyRotationRequest,
    EncryptRequest, GenerateDataKeyRequest, GetPublicKeyRequest, ReEncryptRequest, SignRequest,
    VerifyRequest,
};
use kms_engine::store::grants::GrantConstraints;
use kms_engine::world::World;
use rsa::pkcs8::DecodePublicKey as _;
use sha2::Digest as _;

/// A world where Alice may do anything with KMS through IAM and Bob has nothing, with an RSA_2048
/// encryption key, an RSA_2048 signing key and a symmetric key.
#[derive(Clone)]
struct Fixture {
    world: World,
    alice: PrincipalArn,
    bob: PrincipalArn,
    encrypt: String,
    sign: String,
    symmetric: String,
}

fn fixture() -> Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let (mut world, alice, bob) = alice_admin_and_bob();
            // No KeyUsage: CreateKey's default, ENCRYPT_DECRYPT.
            let encrypt = create_key_of_spec(&mut world, &alice, "RSA_2048", None, 301).unwrap();
            let sign = create_key_of_spec(&mut world, &alice, "RSA_2048", Some("SIGN_VERIFY"), 302)
                .unwrap();
            let symmetric =
                create_key_of_spec(&mut world, &alice, "SYMMETRIC_DEFAULT", None, 303).unwrap();
            Fixture {
                world,
                alice,
                bob,
                encrypt,
                sign,
                symmetric,
            }
        })
        .clone()
}

fn encrypt_request(key: &str, algorithm: Option<&str>, plaintext: &[u8]) -> EncryptRequest {
    EncryptRequest {
        key_id: key.to_owned(),
        plaintext: plaintext.to_vec(),
        encryption_algorithm: algorithm.map(str::to_owned),
        ..EncryptRequest::default()
    }
}

fn decrypt_request(key: Option<&str>, algorithm: Option<&str>, blob: &[u8]) -> DecryptRequest {
    DecryptRequest {
        key_id: key.map(str::to_owned),
        ciphertext_blob: blob.to_vec(),
        encryption_algorithm: algorithm.map(str::to_owned),
        ..DecryptRequest::default()
    }
}

fn sign_request(key: &str, algorithm: &str, message: &[u8], kind: Option<&str>) -> SignRequest {
    SignRequest {
        key_id: key.to_owned(),
        message: message.to_vec(),
        message_type: kind.map(str::to_owned),
        signing_algorithm: algorithm.to_owned(),
        ..SignRequest::default()
    }
}

fn verify_request(key: &str, algorithm: &str, message: &[u8], signature: &[u8]) -> VerifyRequest {
    VerifyRequest {
        key_id: key.to_owned(),
        message: message.to_vec(),
        signature: signature.to_vec(),
        signing_algorithm: algorithm.to_owned(),
        ..VerifyRequest::default()
    }
}

/// KMS API Reference, CreateKey (`KeyUsage`: ENCRYPT_DECRYPT or SIGN_VERIFY for RSA key specs,
/// ENCRYPT_DECRYPT by default; an incompatible usage is refused) and DescribeKey
/// (`EncryptionAlgorithms` or `SigningAlgorithms` by key usage); KMS Developer Guide,
/// asymmetric-key-specs.html ("RSA key specs").
#[test]
fn rsa_keys_are_created_with_the_usage_chosen_at_create_key() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(1);
    let describe = |world: &mut World, rng: &mut SeededRandomness, key: &str| {
        let metadata = world
            .describe_key(
                &caller(&f.alice),
                &mut env(rng),
                DescribeKeyRequest {
                    key_id: key.to_owned(),
                    ..DescribeKeyRequest::default()
                },
            )
            .unwrap()
            .key_metadata;
        serde_json::to_value(&metadata).unwrap()
    };
    let encrypt = describe(&mut f.world, &mut rng, &f.encrypt);
    assert_eq!(encrypt["KeySpec"], "RSA_2048");
    assert_eq!(encrypt["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(
        encrypt["EncryptionAlgorithms"],
        serde_json::json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    let sign = describe(&mut f.world, &mut rng, &f.sign);
    assert_eq!(sign["KeySpec"], "RSA_2048");
    assert_eq!(sign["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(
        sign["SigningAlgorithms"],
        serde_json::json!([
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512"
        ])
    );
    for usage in ["GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] {
        let refused =
            create_key_of_spec(&mut f.world, &f.alice, "RSA_2048", Some(usage), 304).unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException");
        assert_eq!(
            refused.message(),
            format!("KeyUsage {usage} is not compatible with KeySpec RSA_2048")
        );
    }
}

/// KMS API Reference, Encrypt and Decrypt: an asymmetric key encrypts with the
/// `EncryptionAlgorithm` given (required: SYMMETRIC_DEFAULT is not an RSA algorithm, an
/// `InvalidKeyUsageException`), and Decrypt needs the same key and algorithm ("When the KMS key
/// is asymmetric, you must specify the KMS key and the encryption algorithm"); any other
/// algorithm, another key or no key fails as `InvalidCiphertextException`.
#[test]
fn rsa_encryption_round_trips_with_the_key_and_algorithm_named() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(2);
    let c = caller(&f.alice);
    for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
        let encrypted = f
            .world
            .encrypt(
                &c,
                &mut env(&mut rng),
                encrypt_request(&f.encrypt, Some(algorithm), b"card 4111"),
            )
            .unwrap();
        assert_eq!(encrypted.encryption_algorithm, algorithm);
        assert_eq!(encrypted.key_id, f.encrypt);
        assert_eq!(encrypted.ciphertext_blob.len(), 256);
        let decrypted = f
            .world
            .decrypt(
                &c,
                &mut env(&mut rng),
                decrypt_request(
                    Some(&f.encrypt),
                    Some(algorithm),
                    &encrypted.ciphertext_blob,
                ),
            )
            .unwrap();
        assert_eq!(decrypted.plaintext, b"card 4111");
        assert_eq!(decrypted.encryption_algorithm, algorithm);
        let json = serde_json::to_value(&decrypted).unwrap();
        assert!(json.get("KeyMaterialId").is_none(), "{json}");

        let other = if algorithm == "RSAES_OAEP_SHA_1" {
            "RSAES_OAEP_SHA_256"
        } else {
            "RSAES_OAEP_SHA_1"
        };
        for (key, alg) in [
            (Some(f.encrypt.as_str()), Some(other)),
            (None, Some(algorithm)),
            (Some(f.encrypt.as_str()), None),
        ] {
            let refused = f
                .world
                .decrypt(
                    &c,
                    &mut env(&mut rng),
                    decrypt_request(key, alg, &encrypted.ciphertext_blob),
                )
                .unwrap_err();
            assert_eq!(
                refused.exception_name(),
                "InvalidCiphertextException",
                "{key:?} {alg:?}"
            );
        }
    }
    let no_algorithm = f
        .world
        .encrypt(
            &c,
            &mut env(&mut rng),
            encrypt_request(&f.encrypt, None, b"x"),
        )
        .unwrap_err();
    assert_eq!(no_algorithm.exception_name(), "InvalidKeyUsageException");
    let rsa_on_symmetric = f
        .world
        .encrypt(
            &c,
            &mut env(&mut rng),
            encrypt_request(&f.symmetric, Some("RSAES_OAEP_SHA_256"), b"x"),
        )
        .unwrap_err();
    assert_eq!(
        rsa_on_symmetric.exception_name(),
        "InvalidKeyUsageException"
    );
}

/// KMS API Reference, Decrypt: "The Decrypt operation also decrypts ciphertext that was
/// encrypted outside of AWS KMS by the public key in an AWS KMS asymmetric KMS key";
/// GetPublicKey returns the DER SubjectPublicKeyInfo and its `EncryptionAlgorithms` ("This
/// field appears in the response only when the KeyUsage of the public key is ENCRYPT_DECRYPT";
/// `SigningAlgorithms` likewise only for SIGN_VERIFY).
#[test]
fn ciphertext_made_with_the_public_key_outside_kms_decrypts() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(3);
    let c = caller(&f.alice);
    let public = f
        .world
        .get_public_key(
            &c,
            &mut env(&mut rng),
            GetPublicKeyRequest {
                key_id: f.encrypt.clone(),
                ..GetPublicKeyRequest::default()
            },
        )
        .unwrap();
    let json = serde_json::to_value(&public).unwrap();
    assert_eq!(json["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(json["KeySpec"], "RSA_2048");
    assert_eq!(
        json["EncryptionAlgorithms"],
        serde_json::json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    );
    assert!(json.get("SigningAlgorithms").is_none(), "{json}");
    let key = rsa::RsaPublicKey::from_public_key_der(&public.public_key).unwrap();
    let mut os = SeededRandomness::new(33);
    let mut outside = rsa_rng(&mut os);
    let blob = key
        .encrypt(
            &mut outside,
            rsa::Oaep::<sha2::Sha256>::new(),
            b"from openssl",
        )
        .unwrap();
    let decrypted = f
        .world
        .decrypt(
            &c,
            &mut env(&mut rng),
            decrypt_request(Some(&f.encrypt), Some("RSAES_OAEP_SHA_256"), &blob),
        )
        .unwrap();
    assert_eq!(decrypted.plaintext, b"from openssl");
}

/// A `rand_core` generator over the test's seeded bytes, for the `rsa` crate outside KMS.
fn rsa_rng(seeded: &mut SeededRandomness) -> impl rsa::rand_core::CryptoRng + '_ {
    struct Adapter<'a>(&'a mut SeededRandomness);
    impl rsa::rand_core::TryRng for Adapter<'_> {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            use kms_engine::entropy::Randomness as _;
            self.0.fill(dst).unwrap();
            Ok(())
        }
    }
    impl rsa::rand_core::TryCryptoRng for Adapter<'_> {}
    Adapter(seeded)
}

/// KMS Developer Guide, conditions-kms.html, kms:EncryptionAlgorithm: a policy can allow
/// Encrypt and Decrypt only with the algorithm the request names (the Guide's example allows
/// RSAES_OAEP_SHA_256 and so refuses RSAES_OAEP_SHA_1).
#[test]
fn kms_encryption_algorithm_conditions_see_the_rsa_algorithm() {
    let mut f = fixture();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}}]}"#;
    f.world
        .put_identity_policy(&f.bob, "OaepSha256", policy)
        .unwrap();
    let mut rng = SeededRandomness::new(13);
    let bob = caller(&f.bob);
    let allowed = f.world.encrypt(
        &bob,
        &mut env(&mut rng),
        encrypt_request(&f.encrypt, Some("RSAES_OAEP_SHA_256"), b"ok"),
    );
    let blob = allowed.unwrap().ciphertext_blob;
    f.world
        .decrypt(
            &bob,
            &mut env(&mut rng),
            decrypt_request(Some(&f.encrypt), Some("RSAES_OAEP_SHA_256"), &blob),
        )
        .unwrap();
    let refused = f
        .world
        .encrypt(
            &bob,
            &mut env(&mut rng),
            encrypt_request(&f.encrypt, Some("RSAES_OAEP_SHA_1"), b"no"),
        )
        .unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
}

/// KMS Developer Guide, asymmetric-key-specs.html, "RSA key specs for encryption and
/// decryption": the most plaintext each spec encrypts, per algorithm (RSA_2048: 214 bytes with
/// RSAES_OAEP_SHA_1, 190 with RSAES_OAEP_SHA_256; RSA_3072: 342 and 318; RSA_4096: 470 and
/// 446). One byte more is refused.
#[test]
fn each_rsa_spec_encrypts_up_to_its_plaintext_limit() {
    let mut f = fixture();
    let k3072 = create_key_of_spec(
        &mut f.world,
        &f.alice,
        "RSA_3072",
        Some("ENCRYPT_DECRYPT"),
        305,
    )
    .unwrap();
    let k4096 = create_key_of_spec(
        &mut f.world,
        &f.alice,
        "RSA_4096",
        Some("ENCRYPT_DECRYPT"),
        306,
    )
    .unwrap();
    let mut rng = SeededRandomness::new(4);
    let c = caller(&f.alice);
    for (key, sha1, sha256) in [
        (&f.encrypt, 214, 190),
        (&k3072, 342, 318),
        (&k4096, 470, 446),
    ] {
        for (algorithm, limit) in [("RSAES_OAEP_SHA_1", sha1), ("RSAES_OAEP_SHA_256", sha256)] {
            let blob = f
                .world
                .encrypt(
                    &c,
                    &mut env(&mut rng),
                    encrypt_request(key, Some(algorithm), &vec![7; limit]),
                )
                .unwrap()
                .ciphertext_blob;
            let back = f
                .world
                .decrypt(
                    &c,
                    &mut env(&mut rng),
                    decrypt_request(Some(key), Some(algorithm), &blob),
                )
                .unwrap();
            assert_eq!(back.plaintext.len(), limit);
            let refused = f
                .world
                .encrypt(
                    &c,
                    &mut env(&mut rng),
                    encrypt_request(key, Some(algorithm), &vec![7; limit + 1]),
                )
                .unwrap_err();
            assert_eq!(refused.exception_name(), "ValidationException", "{key}");
        }
    }
}

/// KMS API Reference, Encrypt (`EncryptionContext`: "An encryption context is valid only for
/// cryptographic operations with a symmetric encryption KMS key. The standard asymmetric
/// encryption algorithms ... do not support an encryption context").
#[test]
fn rsa_encryption_takes_no_encryption_context() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(5);
    let refused = f
        .world
        .encrypt(
            &caller(&f.alice),
            &mut env(&mut rng),
            EncryptRequest {
                encryption_context: Some([("k".to_owned(), "v".to_owned())].into()),
                ..encrypt_request(&f.encrypt, Some("RSAES_OAEP_SHA_256"), b"x")
            },
        )
        .unwrap_err();
    assert_eq!(refused.exception_name(), "ValidationException");
}

/// KMS API Reference, ReEncrypt: the source may be asymmetric ciphertext (with
/// `SourceKeyId` and `SourceEncryptionAlgorithm`), the destination an asymmetric key (with
/// `DestinationEncryptionAlgorithm`); the response names both algorithms.
#[test]
fn re_encrypt_moves_ciphertext_between_symmetric_and_rsa_keys() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(6);
    let c = caller(&f.alice);
    let symmetric_blob = f
        .world
        .encrypt(
            &c,
            &mut env(&mut rng),
            encrypt_request(&f.symmetric, None, b"move me"),
        )
        .unwrap()
        .ciphertext_blob;
    let to_rsa = f
        .world
        .re_encrypt(
            &c,
            &mut env(&mut rng),
            ReEncryptRequest {
                ciphertext_blob: symmetric_blob,
                destination_key_id: f.encrypt.clone(),
                destination_encryption_algorithm: Some("RSAES_OAEP_SHA_1".to_owned()),
                ..ReEncryptRequest::default()
            },
        )
        .unwrap();
    assert_eq!(to_rsa.source_encryption_algorithm, "SYMMETRIC_DEFAULT");
    assert_eq!(to_rsa.destination_encryption_algorithm, "RSAES_OAEP_SHA_1");
    let back = f
        .world
        .re_encrypt(
            &c,
            &mut env(&mut rng),
            ReEncryptRequest {
                ciphertext_blob: to_rsa.ciphertext_blob.clone(),
                source_key_id: Some(f.encrypt.clone()),
                source_encryption_algorithm: Some("RSAES_OAEP_SHA_1".to_owned()),
                destination_key_id: f.symmetric.clone(),
                ..ReEncryptRequest::default()
            },
        )
        .unwrap();
    assert_eq!(back.source_key_id, f.encrypt);
    assert_eq!(back.source_encryption_algorithm, "RSAES_OAEP_SHA_1");
    let plaintext = f
        .world
        .decrypt(
            &c,
            &mut env(&mut rng),
            decrypt_request(None, None, &back.ciphertext_blob),
        )
        .unwrap()
        .plaintext;
    assert_eq!(plaintext, b"move me");
    // Without the source key, asymmetric ciphertext names no key.
    let refused = f
        .world
        .re_encrypt(
            &c,
            &mut env(&mut rng),
            ReEncryptRequest {
                ciphertext_blob: to_rsa.ciphertext_blob,
                source_encryption_algorithm: Some("RSAES_OAEP_SHA_1".to_owned()),
                destination_key_id: f.symmetric.clone(),
                ..ReEncryptRequest::default()
            },
        )
        .unwrap_err();
    assert_eq!(refused.exception_name(), "InvalidCiphertextException");
}

/// KMS API Reference, Sign and Verify; KMS Developer Guide, asymmetric-key-specs.html ("RSA
/// key specs for signing and verification": RSASSA_PSS_SHA_256/384/512 and
/// RSASSA_PKCS1_V1_5_SHA_256/384/512). A RAW message is hashed by KMS, a DIGEST message is the
/// hash and must be as long as the algorithm's; a signature over another message is
/// `KMSInvalidSignatureException`.
#[test]
fn rsa_keys_sign_and_verify_with_every_rsassa_algorithm() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(7);
    let c = caller(&f.alice);
    let public = f
        .world
        .get_public_key(
            &c,
            &mut env(&mut rng),
            GetPublicKeyRequest {
                key_id: f.sign.clone(),
                ..GetPublicKeyRequest::default()
            },
        )
        .unwrap();
    assert_eq!(public.key_usage, "SIGN_VERIFY");
    assert_eq!(public.signing_algorithms.len(), 6);
    assert!(public.encryption_algorithms.is_empty());
    let outside = rsa::RsaPublicKey::from_public_key_der(&public.public_key).unwrap();
    for algorithm in public.signing_algorithms.clone() {
        let digest: Vec<u8> = match &algorithm[algorithm.len() - 3..] {
            "256" => sha2::Sha256::digest(b"pay 10").to_vec(),
            "384" => sha2::Sha384::digest(b"pay 10").to_vec(),
            _ => sha2::Sha512::digest(b"pay 10").to_vec(),
        };
        let signed = f
            .world
            .sign(
                &c,
                &mut env(&mut rng),
                sign_request(&f.sign, algorithm, b"pay 10", None),
            )
            .unwrap();
        assert_eq!(signed.signature.len(), 256, "{algorithm}");
        assert_eq!(signed.signing_algorithm, algorithm);
        let verified = f
            .world
            .verify(
                &c,
                &mut env(&mut rng),
                VerifyRequest {
                    message_type: Some("DIGEST".to_owned()),
                    ..verify_request(&f.sign, algorithm, &digest, &signed.signature)
                },
            )
            .unwrap();
        assert!(verified.signature_valid);
        let by_digest = f
            .world
            .sign(
                &c,
                &mut env(&mut rng),
                sign_request(&f.sign, algorithm, &digest, Some("DIGEST")),
            )
            .unwrap();
        f.world
            .verify(
                &c,
                &mut env(&mut rng),
                verify_request(&f.sign, algorithm, b"pay 10", &by_digest.signature),
            )
            .unwrap();
        let forged = f
            .world
            .verify(
                &c,
                &mut env(&mut rng),
                verify_request(&f.sign, algorithm, b"pay 99", &signed.signature),
            )
            .unwrap_err();
        assert_eq!(forged.exception_name(), "KMSInvalidSignatureException");
        let short = f
            .world
            .sign(
                &c,
                &mut env(&mut rng),
                sign_request(&f.sign, algorithm, &digest[1..], Some("DIGEST")),
            )
            .unwrap_err();
        assert_eq!(short.exception_name(), "ValidationException");
        // Offline verification with the public key (Developer Guide, "Offline verification").
        if algorithm == "RSASSA_PKCS1_V1_5_SHA_256" {
            outside
                .verify(
                    rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    &digest,
                    &signed.signature,
                )
                .unwrap();
        }
        if algorithm == "RSASSA_PSS_SHA_512" {
            outside
                .verify(rsa::Pss::<sha2::Sha512>::new(), &digest, &signed.signature)
                .unwrap();
        }
    }
    let ecdsa = f
        .world
        .sign(
            &c,
            &mut env(&mut rng),
            sign_request(&f.sign, "ECDSA_SHA_256", b"m", None),
        )
        .unwrap_err();
    assert_eq!(ecdsa.exception_name(), "InvalidKeyUsageException");
}

/// KMS API Reference, InvalidKeyUsageException in the Errors of Encrypt, Decrypt, Sign, Verify
/// and GenerateDataKey: an RSA key does only what its key usage allows; EnableKeyRotation:
/// automatic rotation is for symmetric encryption keys only (UnsupportedOperationException).
#[test]
fn an_rsa_key_refuses_what_its_usage_does_not_allow() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(8);
    let c = caller(&f.alice);
    let signing = f
        .world
        .sign(
            &c,
            &mut env(&mut rng),
            sign_request(&f.encrypt, "RSASSA_PSS_SHA_256", b"m", None),
        )
        .unwrap_err();
    assert_eq!(signing.exception_name(), "InvalidKeyUsageException");
    assert_eq!(
        signing.message(),
        format!(
            "{} key usage is ENCRYPT_DECRYPT which is not valid for Sign.",
            f.encrypt
        )
    );
    let encrypting = f
        .world
        .encrypt(
            &c,
            &mut env(&mut rng),
            encrypt_request(&f.sign, Some("RSAES_OAEP_SHA_256"), b"m"),
        )
        .unwrap_err();
    assert_eq!(encrypting.exception_name(), "InvalidKeyUsageException");
    assert_eq!(
        encrypting.message(),
        format!(
            "{} key usage is SIGN_VERIFY which is not valid for Encrypt.",
            f.sign
        )
    );
    let data_key = f
        .world
        .generate_data_key(
            &c,
            &mut env(&mut rng),
            GenerateDataKeyRequest {
                key_id: f.encrypt.clone(),
                number_of_bytes: Some(32),
                ..GenerateDataKeyRequest::default()
            },
        )
        .unwrap_err();
    assert_eq!(data_key.exception_name(), "InvalidKeyUsageException");
    let rotation = f
        .world
        .enable_key_rotation(
            &c,
            &mut env(&mut rng),
            EnableKeyRotationRequest {
                key_id: f.encrypt.clone(),
                rotation_period_in_days: None,
            },
        )
        .unwrap_err();
    assert_eq!(rotation.exception_name(), "UnsupportedOperationException");
}

/// KMS Developer Guide, grants.html ("Grant operations"), and API CreateGrant: "Grants for
/// asymmetric KMS keys with a KeyUsage of ENCRYPT_DECRYPT cannot allow the Sign or Verify
/// operations. Grants for asymmetric KMS keys with a KeyUsage of SIGN_VERIFY cannot allow the
/// Encrypt or Decrypt operations" (ValidationException); nor data-key operations. A grant that
/// fits the key's usage lets its grantee use the key.
#[test]
fn grants_on_rsa_keys_allow_only_the_operations_of_their_usage() {
    let mut f = fixture();
    let mut rng = SeededRandomness::new(9);
    let mut grant = |world: &mut World, key: &str, ops: &[&str]| {
        world.create_grant(
            &caller(&f.alice),
            &mut env(&mut rng),
            CreateGrantRequest {
                key_id: key.to_owned(),
                grantee_principal: f.bob.to_string(),
                operations: ops.iter().map(|s| (*s).to_owned()).collect(),
                ..CreateGrantRequest::default()
            },
        )
    };
    for (key, ops) in [
        (&f.encrypt, &["Decrypt", "Sign"][..]),
        (&f.encrypt, &["GenerateDataKey"][..]),
        (&f.sign, &["Verify", "Encrypt"][..]),
        (&f.sign, &["Decrypt"][..]),
    ] {
        let refused = grant(&mut f.world, key, ops).unwrap_err();
        assert_eq!(refused.exception_name(), "ValidationException", "{ops:?}");
    }
    let refused = grant(&mut f.world, &f.sign, &["Encrypt"]).unwrap_err();
    assert_eq!(
        refused.message(),
        "Grant operation Encrypt is not supported by an asymmetric KMS key with key usage SIGN_VERIFY"
    );
    // "Grants for asymmetric KMS keys cannot include an encryption context grant constraint"
    // (API Reference, CreateGrant).
    let constrained = f
        .world
        .create_grant(
            &caller(&f.alice),
            &mut env(&mut SeededRandomness::new(12)),
            CreateGrantRequest {
                key_id: f.encrypt.clone(),
                grantee_principal: f.bob.to_string(),
                operations: vec!["Decrypt".to_owned()],
                constraints: Some(GrantConstraints {
                    encryption_context_subset: Some([("k".to_owned(), "v".to_owned())].into()),
                    ..GrantConstraints::default()
                }),
                ..CreateGrantRequest::default()
            },
        )
        .unwrap_err();
    assert_eq!(constrained.exception_name(), "ValidationException");
    let token = grant(
        &mut f.world,
        &f.encrypt,
        &[
            "Encrypt",
            "Decrypt",
            "GetPublicKey",
            "ReEncryptFrom",
            "ReEncryptTo",
        ],
    )
    .unwrap()
    .grant_token;
    let sign_token = grant(&mut f.world, &f.sign, &["Sign", "Verify", "GetPublicKey"])
        .unwrap()
        .grant_token;
    let mut rng = SeededRandomness::new(10);
    let encrypted = f
        .world
        .encrypt(
            &caller(&f.bob),
            &mut env(&mut rng),
            EncryptRequest {
                grant_tokens: vec![token],
                ..encrypt_request(&f.encrypt, Some("RSAES_OAEP_SHA_256"), b"for bob")
            },
        )
        .unwrap();
    assert_eq!(encrypted.ciphertext_blob.len(), 256);
    let signed = f
        .world
        .sign(
            &caller(&f.bob),
            &mut env(&mut rng),
            SignRequest {
                grant_tokens: vec![sign_token],
                ..sign_request(&f.sign, "RSASSA_PKCS1_V1_5_SHA_384", b"m", None)
            },
        )
        .unwrap();
    assert_eq!(signed.signature.len(), 256);
}

/// Scenario files: `key_usage` picks an RSA key's usage (ENCRYPT_DECRYPT when absent, as
/// CreateKey defaults), export writes it back, and a usage RSA keys cannot have is an error
/// naming the ones they can (KMS API Reference, CreateKey, KeyUsage).
#[test]
fn rsa_keys_in_a_scenario_keep_their_usage() {
    const TEXT: &str = r#"{
  "principals": [{"name": "alice"}],
  "keys": [
    {"name": "Box", "key_spec": "RSA_2048"},
    {"name": "Seal", "key_spec": "RSA_2048", "key_usage": "SIGN_VERIFY"}
  ]
}"#;
    let mut rng = SeededRandomness::new(11);
    let loaded = kms_engine::scenario::load(TEXT, NOW, &mut rng).unwrap();
    let usages: Vec<&str> = loaded
        .world
        .keys
        .keys()
        .map(|k| k.spec.row().usage_name)
        .collect();
    assert_eq!(usages, ["ENCRYPT_DECRYPT", "SIGN_VERIFY"]);
    let written =
        kms_engine::scenario::Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
    assert!(
        written.contains(r#""key_usage": "SIGN_VERIFY""#),
        "{written}"
    );
    assert!(
        written.contains(r#""key_usage": "ENCRYPT_DECRYPT""#),
        "{written}"
    );

    let error = kms_engine::scenario::load(
        r#"{"keys": [{"name": "K", "key_spec": "RSA_4096", "key_usage": "GENERATE_VERIFY_MAC"}]}"#,
        NOW,
        &mut rng,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("GENERATE_VERIFY_MAC is not compatible with key spec RSA_4096")
            && error.contains("ENCRYPT_DECRYPT or SIGN_VERIFY"),
        "{error}"
    );
}
