//! The cryptographic operations through the KMS API: Encrypt, Decrypt, ReEncrypt,
//! GenerateDataKey(WithoutPlaintext), GenerateRandom — authorization, key states, parameter
//! limits, opaque decryption failures, rotation, and AWS's output shapes.
//!
//! Sources are named on each test: KMS API Reference (Encrypt, Decrypt, ReEncrypt,
//! GenerateDataKey, GenerateRandom), KMS Developer Guide concepts.html#encrypt_context,
//! key-state.html, rotate-keys.html.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use std::collections::BTreeMap;

use kms_common::*;
use kms_engine::crypto::inspect;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::{
    DecryptRequest, EncryptRequest, GenerateDataKeyRequest, GenerateRandomRequest, KeyIdRequest,
    ReEncryptRequest, ScheduleKeyDeletionRequest,
};
use kms_engine::store::{KeyState, Origin};
use kms_engine::world::{KeySetup, World};

fn key_arn(world: &World, key: &str) -> String {
    world.keys.get_by_arn(key).unwrap().arn.clone()
}

/// A world with Alice allowed everything on two keys through IAM (default key policies), and
/// Bob with nothing.
fn setup() -> (World, String, String, PrincipalArn, PrincipalArn) {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let one = add_key(&mut world, ACCOUNT, None, 1);
    let two = add_key(&mut world, ACCOUNT, None, 2);
    let (one, two) = (key_arn(&world, &one), key_arn(&world, &two));
    world
        .put_identity_policy(&alice, "UseKeys", &allow_policy(&["kms:*"], &[&one, &two]))
        .unwrap();
    (world, one, two, alice, bob)
}

fn encrypt(key: &str, plaintext: &[u8], context: &[(&str, &str)]) -> EncryptRequest {
    EncryptRequest {
        key_id: key.to_owned(),
        plaintext: plaintext.to_vec(),
        encryption_context: Some(pairs(context)),
        ..EncryptRequest::default()
    }
}

fn decrypt(blob: &[u8], context: &[(&str, &str)]) -> DecryptRequest {
    DecryptRequest {
        ciphertext_blob: blob.to_vec(),
        encryption_context: Some(pairs(context)),
        ..DecryptRequest::default()
    }
}

fn pairs(p: &[(&str, &str)]) -> BTreeMap<String, String> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn exception<T: std::fmt::Debug>(result: Result<T, KmsError>) -> &'static str {
    result.unwrap_err().exception_name()
}

/// KMS API Reference, Encrypt and Decrypt: the response names the key by ARN, the algorithm is
/// SYMMETRIC_DEFAULT, and blobs are base64 on the wire; Decrypt needs no KeyId for symmetric
/// ciphertext.
#[test]
fn encrypt_then_decrypt_round_trips_with_aws_output_shapes() {
    let (mut world, one, _, alice, _) = setup();
    let mut rng = SeededRandomness::new(1);
    let key_id = one.rsplit('/').next().unwrap().to_owned();
    let encrypted = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&key_id, b"CloudAcademy", &[("purpose", "demo")]),
        )
        .unwrap();
    assert_eq!(encrypted.key_id, one);
    let json = serde_json::to_value(&encrypted).unwrap();
    assert_eq!(json["KeyId"], one);
    assert_eq!(json["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    use base64::Engine as _;
    let wire = base64::engine::general_purpose::STANDARD
        .decode(json["CiphertextBlob"].as_str().unwrap())
        .unwrap();
    assert_eq!(wire, encrypted.ciphertext_blob);
    assert_eq!(inspect(&wire).key_arn.as_deref(), Some(one.as_str()));

    let decrypted = world
        .decrypt(
            &caller(&alice),
            &mut env(&mut rng),
            decrypt(&encrypted.ciphertext_blob, &[("purpose", "demo")]),
        )
        .unwrap();
    assert_eq!(decrypted.plaintext, b"CloudAcademy");
    assert_eq!(decrypted.key_id, one);
    let json = serde_json::to_value(&decrypted).unwrap();
    assert_eq!(json["Plaintext"], "Q2xvdWRBY2FkZW15");
    assert_eq!(
        json["KeyMaterialId"].as_str().map(str::len),
        Some(64),
        "{json}"
    );
}

/// KMS API Reference, Encrypt: Plaintext is 1 to 4096 bytes.
#[test]
fn plaintext_must_be_1_to_4096_bytes() {
    let (mut world, one, _, alice, _) = setup();
    let mut rng = SeededRandomness::new(2);
    for bad in [0, 4097] {
        assert_eq!(
            exception(world.encrypt(
                &caller(&alice),
                &mut env(&mut rng),
                encrypt(&one, &vec![1; bad], &[])
            )),
            "ValidationException"
        );
    }
    world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, &[7; 4096], &[]),
        )
        .unwrap();
}

/// KMS API Reference, Decrypt: a KeyId that is not the key that encrypted the ciphertext is
/// IncorrectKeyException.
#[test]
fn decrypt_with_another_key_id_is_incorrect_key() {
    let (mut world, one, two, alice, _) = setup();
    let mut rng = SeededRandomness::new(3);
    let blob = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"x", &[]),
        )
        .unwrap()
        .ciphertext_blob;
    let request = DecryptRequest {
        key_id: Some(two),
        ..decrypt(&blob, &[])
    };
    assert_eq!(
        exception(world.decrypt(&caller(&alice), &mut env(&mut rng), request)),
        "IncorrectKeyException"
    );
    let request = DecryptRequest {
        key_id: Some(one),
        ..decrypt(&blob, &[])
    };
    world
        .decrypt(&caller(&alice), &mut env(&mut rng), request)
        .unwrap();
}

/// KMS API Reference, Decrypt (InvalidCiphertextException) and KMS Developer Guide,
/// concepts.html#encrypt_context: a changed byte, a truncated blob or a different encryption
/// context all fail the same way, with no hint which check failed.
#[test]
fn every_decrypt_failure_is_the_same_invalid_ciphertext() {
    let (mut world, one, _, alice, _) = setup();
    let mut rng = SeededRandomness::new(4);
    let blob = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"attack at dawn", &[("dept", "ops")]),
        )
        .unwrap()
        .ciphertext_blob;
    let mut failures = Vec::new();
    for i in 0..blob.len() {
        let mut tampered = blob.clone();
        tampered[i] ^= 0x01;
        failures.push(world.decrypt(
            &caller(&alice),
            &mut env(&mut rng),
            decrypt(&tampered, &[("dept", "ops")]),
        ));
    }
    for len in [1, 10, blob.len() - 1] {
        failures.push(world.decrypt(
            &caller(&alice),
            &mut env(&mut rng),
            decrypt(&blob[..len], &[("dept", "ops")]),
        ));
    }
    for context in [&[][..], &[("dept", "OPS")], &[("Dept", "ops")]] {
        failures.push(world.decrypt(&caller(&alice), &mut env(&mut rng), decrypt(&blob, context)));
    }
    for failure in failures {
        assert_eq!(
            failure.unwrap_err(),
            KmsError::InvalidCiphertext(String::new())
        );
    }
}

/// Authorization comes first: a caller without kms:Decrypt learns nothing about the ciphertext
/// (KMS Developer Guide, policy-evaluation.html).
#[test]
fn decrypt_is_authorized_against_the_key_the_blob_names() {
    let (mut world, one, _, alice, bob) = setup();
    let mut rng = SeededRandomness::new(5);
    let blob = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"x", &[]),
        )
        .unwrap()
        .ciphertext_blob;
    assert_eq!(
        exception(world.decrypt(&caller(&bob), &mut env(&mut rng), decrypt(&blob, &[]))),
        "AccessDeniedException"
    );
}

/// KMS Developer Guide, key-state.html: Disabled ⇒ DisabledException; PendingDeletion ⇒
/// KMSInvalidStateException; PendingImport ⇒ KMSInvalidStateException.
#[test]
fn key_states_refuse_cryptography_with_the_kms_errors() {
    let (mut world, one, two, alice, _) = setup();
    let mut rng = SeededRandomness::new(6);
    let id = world.keys.get_by_arn(&one).unwrap().arn.clone();
    world.set_key_enabled(&id, false).unwrap();
    assert_eq!(
        exception(world.encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"x", &[])
        )),
        "DisabledException"
    );
    world
        .schedule_key_deletion(
            &caller(&alice),
            &mut env(&mut rng),
            ScheduleKeyDeletionRequest {
                key_id: two.clone(),
                pending_window_in_days: Some(7),
            },
        )
        .unwrap();
    let error = world
        .generate_data_key(
            &caller(&alice),
            &mut env(&mut rng),
            GenerateDataKeyRequest {
                key_id: two.clone(),
                key_spec: Some("AES_256".to_owned()),
                ..GenerateDataKeyRequest::default()
            },
        )
        .unwrap_err();
    assert_eq!(error, KmsError::pending_deletion(&two));

    let external = world
        .add_key(
            KeySetup {
                origin: Origin::External,
                state: KeyState::PendingImport,
                ..KeySetup::new(ACCOUNT)
            },
            NOW,
            &mut rng,
        )
        .unwrap();
    let external = key_arn(&world, &external);
    let error = world
        .encrypt(
            &caller(&root(ACCOUNT)),
            &mut env(&mut rng),
            encrypt(&external, b"x", &[]),
        )
        .unwrap_err();
    assert_eq!(error, KmsError::pending_import(&external));
}

/// KMS API Reference, ReEncrypt: kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
/// destination key; kms:ReEncryptOnSameKey tells them apart (conditions-kms.html).
#[test]
fn re_encrypt_needs_from_on_the_source_and_to_on_the_destination() {
    let (mut world, one, two, alice, bob) = setup();
    let mut rng = SeededRandomness::new(7);
    let blob = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"move me", &[("a", "1")]),
        )
        .unwrap()
        .ciphertext_blob;
    let request = ReEncryptRequest {
        ciphertext_blob: blob.clone(),
        source_encryption_context: Some(pairs(&[("a", "1")])),
        destination_key_id: two.clone(),
        destination_encryption_context: Some(pairs(&[("b", "2")])),
        ..ReEncryptRequest::default()
    };
    world
        .put_identity_policy(&bob, "From", &allow_policy(&["kms:ReEncryptFrom"], &[&one]))
        .unwrap();
    assert_eq!(
        exception(world.re_encrypt(&caller(&bob), &mut env(&mut rng), request.clone())),
        "AccessDeniedException"
    );
    world
        .put_identity_policy(&bob, "To", &allow_policy(&["kms:ReEncryptTo"], &[&two]))
        .unwrap();
    let moved = world
        .re_encrypt(&caller(&bob), &mut env(&mut rng), request.clone())
        .unwrap();
    assert_eq!(moved.source_key_id, one);
    assert_eq!(moved.key_id, two);
    let back = world
        .decrypt(
            &caller(&alice),
            &mut env(&mut rng),
            decrypt(&moved.ciphertext_blob, &[("b", "2")]),
        )
        .unwrap();
    assert_eq!(back.plaintext, b"move me");

    // Bob may only re-encrypt onto another key.
    let deny_same = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "kms:ReEncrypt*", "Resource": "*",
                       "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}}}]
    })
    .to_string();
    world
        .put_identity_policy(&bob, "NotSameKey", &deny_same)
        .unwrap();
    world
        .re_encrypt(&caller(&bob), &mut env(&mut rng), request.clone())
        .unwrap();
    world
        .put_identity_policy(&bob, "To", &allow_policy(&["kms:ReEncryptTo"], &[&one]))
        .unwrap();
    let same = ReEncryptRequest {
        destination_key_id: one.clone(),
        ..request
    };
    assert_eq!(
        exception(world.re_encrypt(&caller(&bob), &mut env(&mut rng), same)),
        "AccessDeniedException"
    );
}

/// KMS API Reference, GenerateDataKey: KeySpec AES_256/AES_128 or NumberOfBytes 1–1024, not
/// both; the encrypted copy decrypts to the plaintext copy.
#[test]
fn generate_data_key_sizes_and_round_trip() {
    let (mut world, one, _, alice, _) = setup();
    let mut rng = SeededRandomness::new(8);
    let request = |spec: Option<&str>, bytes: Option<u32>| GenerateDataKeyRequest {
        key_id: one.clone(),
        key_spec: spec.map(str::to_owned),
        number_of_bytes: bytes,
        encryption_context: Some(pairs(&[("file", "a.txt")])),
        ..GenerateDataKeyRequest::default()
    };
    for (spec, bytes, len) in [
        (Some("AES_256"), None, 32),
        (Some("AES_128"), None, 16),
        (None, Some(1), 1),
        (None, Some(1024), 1024),
    ] {
        let key = world
            .generate_data_key(&caller(&alice), &mut env(&mut rng), request(spec, bytes))
            .unwrap();
        assert_eq!(key.plaintext.len(), len);
        let opened = world
            .decrypt(
                &caller(&alice),
                &mut env(&mut rng),
                decrypt(&key.ciphertext_blob, &[("file", "a.txt")]),
            )
            .unwrap();
        assert_eq!(opened.plaintext, key.plaintext);
    }
    for (spec, bytes) in [
        (None, None),
        (Some("AES_256"), Some(32)),
        (None, Some(0)),
        (None, Some(1025)),
        (Some("AES_512"), None),
    ] {
        assert_eq!(
            exception(world.generate_data_key(
                &caller(&alice),
                &mut env(&mut rng),
                request(spec, bytes)
            )),
            "ValidationException"
        );
    }
    let without = world
        .generate_data_key_without_plaintext(
            &caller(&alice),
            &mut env(&mut rng),
            request(Some("AES_256"), None),
        )
        .unwrap();
    let json = serde_json::to_value(&without).unwrap();
    assert!(json.get("Plaintext").is_none());
    assert_eq!(json["KeyId"], one);
}

/// KMS API Reference, GenerateRandom: IAM-only kms:GenerateRandom, 1–1024 bytes.
#[test]
fn generate_random_is_iam_only_and_bounded() {
    let (mut world, _, _, alice, bob) = setup();
    let mut rng = SeededRandomness::new(9);
    let request = |n| GenerateRandomRequest {
        number_of_bytes: Some(n),
        custom_key_store_id: None,
    };
    assert_eq!(
        exception(world.generate_random(&caller(&alice), &mut env(&mut rng), request(16))),
        "AccessDeniedException"
    );
    world
        .put_identity_policy(
            &bob,
            "Random",
            &allow_policy(&["kms:GenerateRandom"], &["*"]),
        )
        .unwrap();
    assert_eq!(
        world
            .generate_random(&caller(&bob), &mut env(&mut rng), request(1024))
            .unwrap()
            .plaintext
            .len(),
        1024
    );
    for bad in [0, 1025] {
        assert_eq!(
            exception(world.generate_random(&caller(&bob), &mut env(&mut rng), request(bad))),
            "ValidationException"
        );
    }
}

/// KMS Developer Guide, rotate-keys.html: after rotation, old ciphertexts still decrypt and new
/// ones use the new backing key.
#[test]
fn rotation_keeps_old_ciphertexts_decryptable_through_the_api() {
    let (mut world, one, _, alice, _) = setup();
    let mut rng = SeededRandomness::new(10);
    let old = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"v1", &[]),
        )
        .unwrap()
        .ciphertext_blob;
    world
        .rotate_key_on_demand(&caller(&alice), &mut env(&mut rng), KeyIdRequest::new(&one))
        .unwrap();
    let new = world
        .encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            encrypt(&one, b"v2", &[]),
        )
        .unwrap()
        .ciphertext_blob;
    assert_eq!(inspect(&old).key_version, Some(1));
    assert_eq!(inspect(&new).key_version, Some(2));
    for (blob, text) in [(&old, b"v1"), (&new, b"v2")] {
        let opened = world
            .decrypt(&caller(&alice), &mut env(&mut rng), decrypt(blob, &[]))
            .unwrap();
        assert_eq!(&opened.plaintext, text);
    }
}

/// KMS Developer Guide, programming-dryrun.html: a DryRun that would succeed fails with
/// DryRunOperationException; an unauthorized one with AccessDeniedException.
#[test]
fn dry_run_checks_permissions_without_encrypting() {
    let (mut world, one, _, alice, bob) = setup();
    let mut rng = SeededRandomness::new(11);
    let dry = EncryptRequest {
        dry_run: Some(true),
        ..encrypt(&one, b"x", &[])
    };
    assert_eq!(
        exception(world.encrypt(&caller(&alice), &mut env(&mut rng), dry.clone())),
        "DryRunOperationException"
    );
    assert_eq!(
        exception(world.encrypt(&caller(&bob), &mut env(&mut rng), dry)),
        "AccessDeniedException"
    );
}

/// Encryption context in policies: kms:EncryptionContext:* conditions see the request's context
/// (KMS Developer Guide, conditions-kms.html).
#[test]
fn encryption_context_reaches_policy_conditions() {
    let (mut world, one, _, _, bob) = setup();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": one,
                       "Condition": {"StringEquals": {"kms:EncryptionContext:team": "payroll"}}}]
    })
    .to_string();
    world.put_identity_policy(&bob, "Payroll", &policy).unwrap();
    let mut rng = SeededRandomness::new(12);
    world
        .encrypt(
            &caller(&bob),
            &mut env(&mut rng),
            encrypt(&one, b"x", &[("team", "payroll")]),
        )
        .unwrap();
    assert_eq!(
        exception(world.encrypt(
            &caller(&bob),
            &mut env(&mut rng),
            encrypt(&one, b"x", &[("team", "sales")])
        )),
        "AccessDeniedException"
    );
}
