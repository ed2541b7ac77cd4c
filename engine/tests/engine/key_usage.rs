//! GetKeyLastUsage (KMS API Reference, GetKeyLastUsage and KeyLastUsageData): each key's last
//! successful cryptographic operation, recorded by the operations themselves.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;

fn last_usage(
    world: &mut World,
    who: &PrincipalArn,
    key_id: &str,
) -> Result<GetKeyLastUsageResponse, KmsError> {
    let mut rng = SeededRandomness::new(fresh_seed());
    world.get_key_last_usage(&caller(who), &mut env(&mut rng), KeyIdRequest::new(key_id))
}

fn encrypt(world: &mut World, who: &PrincipalArn, key: &str) -> Vec<u8> {
    let mut rng = SeededRandomness::new(fresh_seed());
    world
        .encrypt(
            &caller(who),
            &mut env(&mut rng),
            EncryptRequest {
                key_id: key.to_owned(),
                plaintext: b"ledger".to_vec(),
                ..EncryptRequest::default()
            },
        )
        .unwrap()
        .ciphertext_blob
}

/// A world with two keys of the account, both with the default key policy, and Alice allowed
/// everything by IAM: `(world, Alice, first key, second key)`.
fn two_keys() -> (World, PrincipalArn, String, String) {
    let (mut world, alice, _) = alice_admin_and_bob();
    let first = add_key(&mut world, ACCOUNT, None, fresh_seed());
    let second = add_key(&mut world, ACCOUNT, None, fresh_seed());
    (world, alice, first, second)
}

/// "If the KeyLastUsage response element is empty and KeyCreationDate is on or after
/// TrackingStartDate, the key has not been used ... since it was created"; TrackingStartDate is
/// "the date from which KMS began recording cryptographic activity for this key, or the date the
/// KMS key was created, whichever is later" (API Reference, GetKeyLastUsage).
#[test]
fn a_new_key_has_no_last_usage_and_tracking_starts_at_its_creation() {
    let (mut world, alice, key, _) = two_keys();
    let usage = last_usage(&mut world, &alice, &key).unwrap();
    assert_eq!(usage.key_last_usage, KeyLastUsageData::default());
    assert_eq!(usage.tracking_start_date, usage.key_creation_date);
    assert_eq!(usage.key_creation_date, NOW);
    // The response names the key by its key id.
    assert!(
        key.ends_with(&format!("key/{}", usage.key_id)),
        "{}",
        usage.key_id
    );
}

/// The last successful cryptographic operation, its time, request id and CloudTrail event id
/// (API Reference, KeyLastUsageData); a failed Decrypt is not a use.
#[test]
fn a_successful_cryptographic_operation_is_the_last_usage_and_a_failed_one_is_not() {
    let (mut world, alice, key, _) = two_keys();
    let blob = encrypt(&mut world, &alice, &key);
    let after_encrypt = last_usage(&mut world, &alice, &key).unwrap().key_last_usage;
    assert_eq!(after_encrypt.operation, Some("Encrypt"));
    assert_eq!(after_encrypt.timestamp, Some(NOW));
    let event = after_encrypt.cloud_trail_event_id.clone().unwrap();
    let request = after_encrypt.kms_request_id.clone().unwrap();
    assert_eq!((event.len(), request.len()), (36, 36), "UUID-shaped ids");
    assert_ne!(event, request);

    let mut rng = SeededRandomness::new(fresh_seed());
    let wrong_context = world.decrypt(
        &caller(&alice),
        &mut env(&mut rng),
        DecryptRequest {
            ciphertext_blob: blob,
            encryption_context: Some([("dept".to_owned(), "eng".to_owned())].into()),
            ..DecryptRequest::default()
        },
    );
    assert_eq!(
        wrong_context.unwrap_err().exception_name(),
        "InvalidCiphertextException"
    );
    let after_failure = last_usage(&mut world, &alice, &key).unwrap().key_last_usage;
    assert_eq!(
        after_failure, after_encrypt,
        "a failed Decrypt is not recorded"
    );
}

/// "The ReEncrypt operation uses two keys ... Usage information is recorded for both keys
/// independently" (API Reference, GetKeyLastUsage).
#[test]
fn re_encrypt_is_recorded_on_the_source_and_the_destination_key() {
    let (mut world, alice, source, destination) = two_keys();
    let blob = encrypt(&mut world, &alice, &source);
    let mut rng = SeededRandomness::new(fresh_seed());
    world
        .re_encrypt(
            &caller(&alice),
            &mut env(&mut rng),
            ReEncryptRequest {
                ciphertext_blob: blob,
                destination_key_id: destination.clone(),
                ..ReEncryptRequest::default()
            },
        )
        .unwrap();
    for key in [&source, &destination] {
        let usage = last_usage(&mut world, &alice, key).unwrap().key_last_usage;
        assert_eq!(usage.operation, Some("ReEncrypt"), "{key}");
    }
}

/// "Cross-account use: No" and "Required permissions: kms:GetKeyLastUsage (key policy)" (API
/// Reference, GetKeyLastUsage): a key policy that allows another account's principal
/// everything still does not let it read the key's last usage.
#[test]
fn last_usage_cannot_be_read_from_another_account() {
    let mut world = world();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    world
        .put_identity_policy(&partner, "All", &allow_policy(&["kms:*"], &["*"]))
        .unwrap();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Effect": "Allow", "Principal": { "AWS": root(ACCOUNT) }, "Action": "kms:*", "Resource": "*" },
            { "Effect": "Allow", "Principal": { "AWS": root(OTHER) }, "Action": "kms:*", "Resource": "*" }
        ]
    })
    .to_string();
    let key = add_key(&mut world, ACCOUNT, Some(&policy), fresh_seed());
    // DescribeKey works across accounts; GetKeyLastUsage does not.
    let mut rng = SeededRandomness::new(fresh_seed());
    world
        .describe_key(
            &caller(&partner),
            &mut env(&mut rng),
            DescribeKeyRequest {
                key_id: key.clone(),
                ..DescribeKeyRequest::default()
            },
        )
        .unwrap();
    let refused = last_usage(&mut world, &partner, &key).unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
    assert!(last_usage(&mut world, &root(ACCOUNT), &key).is_ok());
}

/// "To specify a KMS key, use its key ID or key ARN. Alias names are not supported" (API
/// Reference, GetKeyLastUsage, KeyId); the operation lists no KMSInvalidStateException, so it
/// answers for a disabled key too.
#[test]
fn last_usage_takes_a_key_id_or_arn_and_answers_in_any_key_state() {
    let (mut world, alice, key, _) = two_keys();
    let mut rng = SeededRandomness::new(fresh_seed());
    world
        .create_alias(
            &caller(&alice),
            &mut env(&mut rng),
            AliasRequest {
                alias_name: "alias/ledger".to_owned(),
                target_key_id: key.clone(),
            },
        )
        .unwrap();
    let by_alias = last_usage(&mut world, &alice, "alias/ledger").unwrap_err();
    assert_eq!(by_alias.exception_name(), "NotFoundException");
    let id = key.rsplit('/').next().unwrap().to_owned();
    assert!(last_usage(&mut world, &alice, &id).is_ok());
    world
        .disable_key(
            &caller(&alice),
            &mut env(&mut rng),
            KeyIdRequest::new(key.clone()),
        )
        .unwrap();
    assert!(last_usage(&mut world, &alice, &key).is_ok());
}
