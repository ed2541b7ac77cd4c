//! Multi-Region replica keys: ReplicateKey, UpdatePrimaryRegion, keys identified by Region and
//! key id, decryption across related keys, and deleting a primary key that has replicas. Each
//! test names the AWS page whose rule it pins.

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::store::{DAY_MILLIS, KeyState, TRANSIENT_STATE_MILLIS, Tag};
use kms_engine::world::World;

const HOME: &str = "us-east-1";
const AWAY: &str = "eu-west-2";

/// The moment a replica made (or a primary Region updated) at `NOW` is settled: its transient
/// `Creating` (`Updating`) state is over.
fn settled() -> Timestamp {
    NOW.plus_millis(TRANSIENT_STATE_MILLIS)
}

/// The environment of a call made once the replicas made at `NOW` are settled.
fn later(rng: &mut SeededRandomness) -> Env<'_> {
    Env::new(settled(), rng)
}

#[expect(
    clippy::unwrap_used,
    reason = "a helper fails the test on a bad fixture"
)]
fn primary(world: &mut World, rng: &mut SeededRandomness) -> KeyMetadata {
    world
        .create_key(
            &caller(&root(ACCOUNT)).in_region(HOME),
            &mut env(rng),
            CreateKeyRequest {
                multi_region: Some(true),
                ..CreateKeyRequest::default()
            },
        )
        .unwrap()
        .key_metadata
}

/// ReplicateKey at `NOW`.
fn replicate(
    world: &mut World,
    rng: &mut SeededRandomness,
    who: &Caller,
    key_id: &str,
    region: &str,
) -> Result<ReplicateKeyResponse, KmsError> {
    replicate_at(world, rng, who, key_id, region, NOW)
}

/// ReplicateKey at `at`.
fn replicate_at(
    world: &mut World,
    rng: &mut SeededRandomness,
    who: &Caller,
    key_id: &str,
    region: &str,
    at: Timestamp,
) -> Result<ReplicateKeyResponse, KmsError> {
    world.replicate_key(
        who,
        &mut Env::new(at, rng),
        ReplicateKeyRequest {
            key_id: key_id.to_owned(),
            replica_region: region.to_owned(),
            ..ReplicateKeyRequest::default()
        },
    )
}

/// DescribeKey by the account's root in `region`, once the replicas made at `NOW` are settled.
#[expect(
    clippy::unwrap_used,
    reason = "a helper fails the test on a bad fixture"
)]
fn describe(world: &mut World, rng: &mut SeededRandomness, region: &str, key: &str) -> KeyMetadata {
    world
        .describe_key(
            &caller(&root(ACCOUNT)).in_region(region),
            &mut later(rng),
            DescribeKeyRequest {
                key_id: key.to_owned(),
                ..DescribeKeyRequest::default()
            },
        )
        .unwrap()
        .key_metadata
}

/// Encrypt by the account's root in `region`, once the replicas made at `NOW` are settled.
#[expect(
    clippy::unwrap_used,
    reason = "a helper fails the test on a bad fixture"
)]
fn encrypt(world: &mut World, rng: &mut SeededRandomness, region: &str, key: &str) -> Vec<u8> {
    world
        .encrypt(
            &caller(&root(ACCOUNT)).in_region(region),
            &mut later(rng),
            EncryptRequest {
                key_id: key.to_owned(),
                plaintext: b"across Regions".to_vec(),
                ..EncryptRequest::default()
            },
        )
        .unwrap()
        .ciphertext_blob
}

/// Decrypt by the account's root in `region`, once the replicas made at `NOW` are settled.
fn decrypt(
    world: &mut World,
    rng: &mut SeededRandomness,
    region: &str,
    blob: &[u8],
) -> Result<DecryptResponse, KmsError> {
    world.decrypt(
        &caller(&root(ACCOUNT)).in_region(region),
        &mut later(rng),
        DecryptRequest {
            ciphertext_blob: blob.to_vec(),
            ..DecryptRequest::default()
        },
    )
}

#[test]
fn a_replica_shares_the_key_id_and_material_and_has_its_own_policy_tags_and_state() {
    // KMS API Reference, ReplicateKey: the replica has the primary's key id and key material
    // and its own key policy (the default one when none is given), description and tags; the
    // response is ReplicaKeyMetadata, ReplicaPolicy and ReplicaTags. KMS Developer Guide,
    // multi-region-keys-overview.html: related keys decrypt each other's ciphertext, and each
    // key's state is its own.
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let replica = world
        .replicate_key(
            &caller(&root(ACCOUNT)).in_region(HOME),
            &mut env(&mut rng),
            ReplicateKeyRequest {
                key_id: made.key_id.clone(),
                replica_region: AWAY.to_owned(),
                description: Some("the copy".to_owned()),
                tags: Some(vec![Tag {
                    tag_key: "Team".to_owned(),
                    tag_value: "Blue".to_owned(),
                }]),
                ..ReplicateKeyRequest::default()
            },
        )
        .unwrap();
    let metadata = &replica.replica_key_metadata;
    assert_eq!(metadata.key_id, made.key_id);
    assert_eq!(
        metadata.arn,
        format!("arn:aws:kms:{AWAY}:{ACCOUNT}:key/{}", made.key_id)
    );
    assert_eq!(metadata.description, "the copy");
    let configuration = metadata.multi_region_configuration.as_ref().unwrap();
    assert_eq!(configuration.multi_region_key_type, "REPLICA");
    assert_eq!(configuration.primary_key.arn, made.arn);
    assert_eq!(configuration.primary_key.region, HOME);
    assert_eq!(configuration.replica_keys.len(), 1);
    assert_eq!(configuration.replica_keys[0].region, AWAY);
    assert_eq!(
        replica.replica_policy,
        kms_engine::policy::default_key_policy(ACCOUNT)
    );
    assert_eq!(replica.replica_tags.len(), 1);

    // DescribeKey of the primary lists the replica; each Region finds its own key by id.
    let home = describe(&mut world, &mut rng, HOME, &made.key_id);
    let home_configuration = home.multi_region_configuration.unwrap();
    assert_eq!(home_configuration.multi_region_key_type, "PRIMARY");
    assert_eq!(home_configuration.replica_keys[0].arn, metadata.arn);
    assert_eq!(home.description, "");
    let away = describe(&mut world, &mut rng, AWAY, &made.key_id);
    assert_eq!(away.arn, metadata.arn);

    // Ciphertext of either key decrypts in the other's Region, without a KeyId.
    let from_home = encrypt(&mut world, &mut rng, HOME, &made.key_id);
    let opened = decrypt(&mut world, &mut rng, AWAY, &from_home).unwrap();
    assert_eq!(opened.plaintext, b"across Regions");
    assert_eq!(opened.key_id, metadata.arn);
    let from_away = encrypt(&mut world, &mut rng, AWAY, &made.key_id);
    assert_eq!(
        decrypt(&mut world, &mut rng, HOME, &from_away)
            .unwrap()
            .plaintext,
        b"across Regions"
    );

    // Disabling the replica leaves the primary enabled.
    world
        .disable_key(
            &caller(&root(ACCOUNT)).in_region(AWAY),
            &mut later(&mut rng),
            KeyIdRequest {
                key_id: made.key_id.clone(),
            },
        )
        .unwrap();
    assert_eq!(
        decrypt(&mut world, &mut rng, AWAY, &from_home)
            .unwrap_err()
            .exception_name(),
        "DisabledException"
    );
    assert!(decrypt(&mut world, &mut rng, HOME, &from_away).is_ok());
    assert_eq!(
        world
            .keys
            .with_id(&world.keys.get_by_arn(&made.arn).unwrap().id.clone())
            .count(),
        2
    );
}

#[test]
fn replicate_key_is_refused_for_single_region_keys_replicas_and_taken_regions() {
    // KMS API Reference, ReplicateKey: KeyId must be a multi-Region primary key
    // (UnsupportedOperationException otherwise); "You can create multiple replicas of a primary
    // key, but each must be in a different Region" (the primary's own Region:
    // ValidationException; a Region that has a replica: AlreadyExistsException).
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let single = world
        .create_key(&root_home, &mut env(&mut rng), CreateKeyRequest::default())
        .unwrap()
        .key_metadata;
    let name = |r: Result<ReplicateKeyResponse, KmsError>| r.unwrap_err().exception_name();
    let refused = replicate(&mut world, &mut rng, &root_home, &single.key_id, AWAY).unwrap_err();
    assert_eq!(refused.exception_name(), "UnsupportedOperationException");
    assert_eq!(
        refused.message(),
        format!("{} is not a multi-Region primary key", single.arn)
    );
    let made = primary(&mut world, &mut rng);
    assert_eq!(
        name(replicate(
            &mut world,
            &mut rng,
            &root_home,
            &made.key_id,
            HOME
        )),
        "ValidationException"
    );
    assert_eq!(
        name(replicate(
            &mut world,
            &mut rng,
            &root_home,
            &made.key_id,
            "not a region"
        )),
        "ValidationException"
    );
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    assert_eq!(
        name(replicate(
            &mut world,
            &mut rng,
            &root_home,
            &made.key_id,
            AWAY
        )),
        "AlreadyExistsException"
    );
    // The replica, once created, is no primary key.
    let root_away = caller(&root(ACCOUNT)).in_region(AWAY);
    assert_eq!(
        name(replicate_at(
            &mut world,
            &mut rng,
            &root_away,
            &made.key_id,
            "ap-southeast-2",
            settled()
        )),
        "UnsupportedOperationException"
    );
}

#[test]
fn replicate_key_needs_replicate_key_on_the_primary_and_create_key_in_the_replica_region() {
    // KMS API Reference, ReplicateKey, "Required permissions": kms:ReplicateKey on the primary
    // key (its key policy) and kms:CreateKey in an IAM policy in the replica Region; KMS
    // Developer Guide, multi-region-keys-auth.html: aws:RequestedRegion limits the Regions.
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    world
        .put_identity_policy(
            &alice,
            "CreateInEurope",
            &serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:RequestedRegion": AWAY}}}]
            })
            .to_string(),
        )
        .unwrap();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let who = caller(&alice).in_region(HOME);
    let refused = replicate(&mut world, &mut rng, &who, &made.key_id, AWAY).unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
    assert!(
        refused.message().contains("kms:ReplicateKey"),
        "{}",
        refused.message()
    );

    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "kms:ReplicateKey", "Resource": "*"}
        ]
    })
    .to_string();
    world.set_key_policy(&made.arn, &policy).unwrap();
    let refused =
        replicate(&mut world, &mut rng, &who, &made.key_id, "ap-southeast-2").unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
    assert!(
        refused.message().contains("kms:CreateKey"),
        "{}",
        refused.message()
    );
    replicate(&mut world, &mut rng, &who, &made.key_id, AWAY).unwrap();
}

#[test]
fn update_primary_region_swaps_the_primary_and_the_replica() {
    // KMS API Reference, UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary
    // key and the former primary a replica; KeyId must be the primary key, and "There must be
    // an existing replica key in this Region" (NotFoundException otherwise).
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let update = |world: &mut World, rng: &mut SeededRandomness, who: &Caller, region: &str| {
        world.update_primary_region(
            who,
            &mut later(rng),
            UpdatePrimaryRegionRequest {
                key_id: made.key_id.clone(),
                primary_region: region.to_owned(),
            },
        )
    };
    assert_eq!(
        update(&mut world, &mut rng, &root_home, "ap-southeast-2")
            .unwrap_err()
            .exception_name(),
        "NotFoundException"
    );
    let root_away = caller(&root(ACCOUNT)).in_region(AWAY);
    assert_eq!(
        update(&mut world, &mut rng, &root_away, HOME)
            .unwrap_err()
            .exception_name(),
        "UnsupportedOperationException"
    );
    update(&mut world, &mut rng, &root_home, AWAY).unwrap();
    let away = describe(&mut world, &mut rng, AWAY, &made.key_id);
    let configuration = away.multi_region_configuration.unwrap();
    assert_eq!(configuration.multi_region_key_type, "PRIMARY");
    assert_eq!(configuration.primary_key.region, AWAY);
    assert_eq!(configuration.replica_keys[0].arn, made.arn);
    let home = describe(&mut world, &mut rng, HOME, &made.key_id);
    assert_eq!(
        home.multi_region_configuration
            .unwrap()
            .multi_region_key_type,
        "REPLICA"
    );
}

#[test]
fn update_primary_region_needs_the_permission_on_both_keys() {
    // KMS API Reference, UpdatePrimaryRegion, "Required permissions": kms:UpdatePrimaryRegion
    // on the current primary key (in the primary key's Region) and on the current replica key
    // (in the replica key's Region); each key's own key policy decides.
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "kms:UpdatePrimaryRegion", "Resource": "*"}
        ]
    })
    .to_string();
    world.set_key_policy(&made.arn, &policy).unwrap();
    let update = |world: &mut World, rng: &mut SeededRandomness| {
        world.update_primary_region(
            &caller(&alice).in_region(HOME),
            &mut later(rng),
            UpdatePrimaryRegionRequest {
                key_id: made.key_id.clone(),
                primary_region: AWAY.to_owned(),
            },
        )
    };
    let refused = update(&mut world, &mut rng).unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
    assert!(refused.message().contains(AWAY), "{}", refused.message());
    let away_arn = format!("arn:aws:kms:{AWAY}:{ACCOUNT}:key/{}", made.key_id);
    world.set_key_policy(&away_arn, &policy).unwrap();
    update(&mut world, &mut rng).unwrap();
    assert!(world.keys.get_by_arn(&made.arn).unwrap().replica);
    assert!(!world.keys.get_by_arn(&away_arn).unwrap().replica);
}

#[test]
fn a_primary_with_replicas_waits_for_them_before_its_deletion_period_starts() {
    // KMS API Reference, ScheduleKeyDeletion: "KMS will not delete a multi-Region primary key
    // with existing replica keys": its state is PendingReplicaDeletion, the response has no
    // DeletionDate, and when the last replica is deleted it becomes PendingDeletion with its
    // waiting period from then.
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let root_away = caller(&root(ACCOUNT)).in_region(AWAY);
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let schedule = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        world
            .schedule_key_deletion(
                who,
                &mut later(rng),
                ScheduleKeyDeletionRequest {
                    key_id: made.key_id.clone(),
                    pending_window_in_days: Some(7),
                },
            )
            .unwrap()
    };
    let scheduled = schedule(&mut world, &mut rng, &root_home);
    assert_eq!(scheduled.key_state, "PendingReplicaDeletion");
    assert_eq!(scheduled.deletion_date, None);
    let home = describe(&mut world, &mut rng, HOME, &made.key_id);
    assert_eq!(home.key_state, "PendingReplicaDeletion");
    assert_eq!(home.pending_deletion_window_in_days, Some(7));
    assert_eq!(home.deletion_date, None);
    let replica_scheduled = schedule(&mut world, &mut rng, &root_away);
    assert_eq!(replica_scheduled.key_state, "PendingDeletion");

    // Eight days on, the replica is gone and the primary's 7 days run from its deletion.
    let replica_gone = settled().plus_millis(7 * DAY_MILLIS);
    let later = Timestamp(NOW.0 + 8 * DAY_MILLIS);
    world.advance_time(&mut Env::new(later, &mut rng));
    assert!(
        world
            .keys
            .get_in(
                AWAY,
                &kms_engine::store::KeyId::parse(&made.key_id).unwrap()
            )
            .is_none()
    );
    let key = world.keys.get_by_arn(&made.arn).unwrap();
    assert_eq!(
        key.state,
        KeyState::PendingDeletion {
            deletion_date: replica_gone.plus_millis(7 * DAY_MILLIS),
            window_days: 7
        }
    );
    let after = Timestamp(NOW.0 + 15 * DAY_MILLIS);
    world.advance_time(&mut Env::new(after, &mut rng));
    assert!(world.keys.get_by_arn(&made.arn).is_none());
}

#[test]
fn rotation_is_set_on_the_primary_and_its_new_material_reaches_the_replicas() {
    // KMS Developer Guide, multi-region-keys-overview.html: key material and automatic key
    // rotation are shared properties, synchronized from the primary key; a replica's
    // rotation is not set on the replica itself (UnsupportedOperationException here).
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let root_away = caller(&root(ACCOUNT)).in_region(AWAY);
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let refused = world
        .enable_key_rotation(
            &root_away,
            &mut later(&mut rng),
            EnableKeyRotationRequest {
                key_id: made.key_id.clone(),
                rotation_period_in_days: None,
            },
        )
        .unwrap_err();
    assert_eq!(refused.exception_name(), "UnsupportedOperationException");
    world
        .enable_key_rotation(
            &root_home,
            &mut later(&mut rng),
            EnableKeyRotationRequest {
                key_id: made.key_id.clone(),
                rotation_period_in_days: Some(90),
            },
        )
        .unwrap();
    world
        .rotate_key_on_demand(
            &root_home,
            &mut later(&mut rng),
            KeyIdRequest {
                key_id: made.key_id.clone(),
            },
        )
        .unwrap();
    let status = world
        .get_key_rotation_status(
            &root_away,
            &mut later(&mut rng),
            KeyIdRequest {
                key_id: made.key_id.clone(),
            },
        )
        .unwrap();
    assert!(status.key_rotation_enabled);
    assert_eq!(status.rotation_period_in_days, Some(90));
    // Ciphertext under the rotated material decrypts in the replica's Region, and the other
    // way round.
    let rotated = encrypt(&mut world, &mut rng, HOME, &made.key_id);
    assert!(decrypt(&mut world, &mut rng, AWAY, &rotated).is_ok());
    let from_away = encrypt(&mut world, &mut rng, AWAY, &made.key_id);
    assert!(decrypt(&mut world, &mut rng, HOME, &from_away).is_ok());
    // An automatic rotation 90 days on reaches the replica too.
    let later = Timestamp(NOW.0 + 91 * DAY_MILLIS);
    world.advance_time(&mut Env::new(later, &mut rng));
    let versions = |world: &World, arn: &str| world.keys.get_by_arn(arn).unwrap().versions.len();
    let away_arn = format!("arn:aws:kms:{AWAY}:{ACCOUNT}:key/{}", made.key_id);
    assert_eq!(versions(&world, &made.arn), 3);
    assert_eq!(versions(&world, &away_arn), 3);
}

/// Any KMS call's result at `at`, as the account's root in `region`, by its exception name
/// (`""` for success).
fn outcome_at(
    world: &mut World,
    rng: &mut SeededRandomness,
    region: &str,
    at: Timestamp,
    call: impl FnOnce(&mut World, &Caller, &mut Env<'_>) -> Result<(), KmsError>,
) -> &'static str {
    let who = caller(&root(ACCOUNT)).in_region(region);
    call(world, &who, &mut Env::new(at, rng))
        .err()
        .map_or("", |e| e.exception_name())
}

fn encrypt_at(
    world: &mut World,
    rng: &mut SeededRandomness,
    region: &str,
    key: &str,
    at: Timestamp,
) -> Result<EncryptResponse, KmsError> {
    world.encrypt(
        &caller(&root(ACCOUNT)).in_region(region),
        &mut Env::new(at, rng),
        EncryptRequest {
            key_id: key.to_owned(),
            plaintext: b"too soon?".to_vec(),
            ..EncryptRequest::default()
        },
    )
}

#[expect(
    clippy::unwrap_used,
    reason = "a helper fails the test on a bad fixture"
)]
fn describe_at(
    world: &mut World,
    rng: &mut SeededRandomness,
    region: &str,
    key: &str,
    at: Timestamp,
) -> KeyMetadata {
    world
        .describe_key(
            &caller(&root(ACCOUNT)).in_region(region),
            &mut Env::new(at, rng),
            DescribeKeyRequest {
                key_id: key.to_owned(),
                ..DescribeKeyRequest::default()
            },
        )
        .unwrap()
        .key_metadata
}

#[test]
fn a_new_replica_is_creating_and_refuses_cryptography_until_its_few_seconds_pass() {
    // KMS API Reference, ReplicateKey: "When this operation completes, the new replica key has a
    // transient key state of Creating. This key state changes to Enabled (or PendingImport)
    // after a few seconds ... While the key state is Creating, you can manage key, but you
    // cannot yet use it in cryptographic operations. If you are creating and using the replica
    // key programmatically, retry on KMSInvalidStateException or call DescribeKey to check its
    // KeyState value". KMS Developer Guide, key-state.html, footnote 14: "KMSInvalidStateException:
    // <key ARN> is creating."; API Reference, KeyMetadata: Enabled is true only when KeyState is
    // Enabled. AWS gives no figure for "a few seconds": the playground's is
    // TRANSIENT_STATE_MILLIS.
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let replica = replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let metadata = &replica.replica_key_metadata;
    assert_eq!(metadata.key_state, "Creating");
    assert!(!metadata.enabled);
    let described = describe_at(&mut world, &mut rng, AWAY, &made.key_id, NOW);
    assert_eq!(described.key_state, "Creating");
    assert!(!described.enabled);
    // The primary is not affected.
    assert_eq!(
        describe_at(&mut world, &mut rng, HOME, &made.key_id, NOW).key_state,
        "Enabled"
    );

    // Cryptography is refused with the ARN "is creating.", to the last millisecond.
    let last = Timestamp(settled().0 - 1);
    for at in [NOW, last] {
        let refused = encrypt_at(&mut world, &mut rng, AWAY, &made.key_id, at).unwrap_err();
        assert_eq!(refused.exception_name(), "KMSInvalidStateException");
        assert_eq!(refused.message(), format!("{} is creating.", metadata.arn));
    }
    let grant = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
        w.create_grant(
            c,
            e,
            CreateGrantRequest {
                key_id: made.key_id.clone(),
                grantee_principal: root(ACCOUNT).to_string(),
                operations: vec!["Encrypt".to_owned()],
                ..CreateGrantRequest::default()
            },
        )
        .map(drop)
    };
    assert_eq!(
        outcome_at(&mut world, &mut rng, AWAY, NOW, grant),
        "KMSInvalidStateException"
    );
    let disable = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
        w.disable_key(
            c,
            e,
            KeyIdRequest {
                key_id: made.key_id.clone(),
            },
        )
    };
    assert_eq!(
        outcome_at(&mut world, &mut rng, AWAY, NOW, disable),
        "KMSInvalidStateException"
    );
    // Managing it works: its description and tags (key-state.html, Creating column).
    let describe_it = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
        w.update_key_description(
            c,
            e,
            UpdateKeyDescriptionRequest {
                key_id: made.key_id.clone(),
                description: "made while Creating".to_owned(),
            },
        )
    };
    assert_eq!(outcome_at(&mut world, &mut rng, AWAY, NOW, describe_it), "");
    let tag = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
        w.tag_resource(
            c,
            e,
            TagResourceRequest {
                key_id: made.key_id.clone(),
                tags: vec![Tag {
                    tag_key: "Team".to_owned(),
                    tag_value: "Blue".to_owned(),
                }],
            },
        )
    };
    assert_eq!(outcome_at(&mut world, &mut rng, AWAY, NOW, tag), "");

    // Once the few seconds have passed it is Enabled and encrypts.
    let done = describe_at(&mut world, &mut rng, AWAY, &made.key_id, settled());
    assert_eq!(done.key_state, "Enabled");
    assert!(done.enabled);
    assert_eq!(done.description, "made while Creating");
    assert!(encrypt_at(&mut world, &mut rng, AWAY, &made.key_id, settled()).is_ok());
}

#[test]
fn update_primary_region_leaves_both_keys_updating_then_restores_their_state() {
    // KMS API Reference, UpdatePrimaryRegion: "The old and new primary keys have a transient
    // key state of Updating. The original key state is restored when the update is complete.
    // While the key state is Updating, you can use the keys in cryptographic operations, but
    // you cannot replicate the new primary key or perform certain management operations, such
    // as enabling or disabling these keys." KMS Developer Guide, key-state.html, Updating
    // column and footnote 15: "KMSInvalidStateException: <key ARN> is updating."
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let start = settled();
    world
        .update_primary_region(
            &root_home,
            &mut Env::new(start, &mut rng),
            UpdatePrimaryRegionRequest {
                key_id: made.key_id.clone(),
                primary_region: AWAY.to_owned(),
            },
        )
        .unwrap();
    let end = start.plus_millis(TRANSIENT_STATE_MILLIS);
    let away_arn = format!("arn:aws:kms:{AWAY}:{ACCOUNT}:key/{}", made.key_id);
    for (region, arn) in [(HOME, made.arn.as_str()), (AWAY, away_arn.as_str())] {
        let described = describe_at(&mut world, &mut rng, region, &made.key_id, start);
        assert_eq!(described.key_state, "Updating", "{region}");
        assert!(!described.enabled);
        // Cryptography works.
        let blob = encrypt_at(&mut world, &mut rng, region, &made.key_id, start)
            .unwrap()
            .ciphertext_blob;
        let decrypt = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
            w.decrypt(
                c,
                e,
                DecryptRequest {
                    ciphertext_blob: blob,
                    ..DecryptRequest::default()
                },
            )
            .map(drop)
        };
        assert_eq!(outcome_at(&mut world, &mut rng, region, start, decrypt), "");
        // Enabling, disabling and scheduling deletion are refused: "ARN is updating."
        let key_id = || KeyIdRequest {
            key_id: made.key_id.clone(),
        };
        let refused = world
            .enable_key(
                &caller(&root(ACCOUNT)).in_region(region),
                &mut Env::new(start, &mut rng),
                key_id(),
            )
            .unwrap_err();
        assert_eq!(refused.exception_name(), "KMSInvalidStateException");
        assert_eq!(refused.message(), format!("{arn} is updating."));
        let disable = |w: &mut World, c: &Caller, e: &mut Env<'_>| w.disable_key(c, e, key_id());
        assert_eq!(
            outcome_at(&mut world, &mut rng, region, start, disable),
            "KMSInvalidStateException"
        );
        let schedule = |w: &mut World, c: &Caller, e: &mut Env<'_>| {
            w.schedule_key_deletion(
                c,
                e,
                ScheduleKeyDeletionRequest {
                    key_id: made.key_id.clone(),
                    pending_window_in_days: Some(7),
                },
            )
            .map(drop)
        };
        assert_eq!(
            outcome_at(&mut world, &mut rng, region, start, schedule),
            "KMSInvalidStateException"
        );
    }
    // The new primary cannot be replicated while Updating.
    let replicate_new = |at: Timestamp, world: &mut World, rng: &mut SeededRandomness| {
        replicate_at(
            world,
            rng,
            &caller(&root(ACCOUNT)).in_region(AWAY),
            &made.key_id,
            "ap-southeast-2",
            at,
        )
    };
    let refused = replicate_new(start, &mut world, &mut rng).unwrap_err();
    assert_eq!(refused.message(), format!("{away_arn} is updating."));

    // Once the update is complete both keys are Enabled again, and the new primary replicates.
    for region in [HOME, AWAY] {
        let described = describe_at(&mut world, &mut rng, region, &made.key_id, end);
        assert_eq!(described.key_state, "Enabled", "{region}");
        assert!(described.enabled);
    }
    assert!(replicate_new(end, &mut world, &mut rng).is_ok());
}

#[test]
fn the_explanation_and_the_matrix_show_a_creating_key_refusing_what_policies_allow() {
    // KMS Developer Guide, key-state.html: KMS checks the key state after authorization; a
    // replica that is Creating refuses Encrypt with "KMSInvalidStateException: <key ARN> is
    // creating." (footnote 14), and once created allows it.
    use kms_engine::authz::{self, AuthzRequest, RequestParams, Target};
    use kms_engine::catalog::Action;
    use kms_engine::matrix::Matrix;
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let replica = replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let arn = replica.replica_key_metadata.arn;
    let principal = world.principal(&root(ACCOUNT)).unwrap().clone();
    let explain = |world: &World, at: Timestamp| {
        authz::explain(
            world,
            &AuthzRequest {
                caller: &principal,
                action: Action::Encrypt,
                target: Target::Key(world.keys.get_by_arn(&arn).unwrap()),
                params: &RequestParams::default(),
                now: at,
            },
        )
    };
    let creating = explain(&world, NOW);
    assert!(creating.verdict.is_allowed());
    let check = creating.key_state.as_ref().unwrap();
    assert_eq!(check.state, "Creating");
    assert_eq!(check.exception, Some("KMSInvalidStateException"));
    assert_eq!(
        check.message.as_deref(),
        Some(&*format!("{arn} is creating."))
    );
    let step = creating.steps.last().unwrap();
    assert!(
        step.text
            .starts_with("The key is Creating: Encrypt fails with KMSInvalidStateException"),
        "{}",
        step.text
    );
    let created = explain(&world, settled());
    let check = created.key_state.as_ref().unwrap();
    assert_eq!(check.state, "Enabled");
    assert_eq!(check.exception, None);

    // The matrix, computed at a moment, says the same.
    let principals = [root(ACCOUNT)];
    let keys = [arn.clone()];
    let cell = |at: Timestamp| {
        Matrix::compute(&world, &principals, &keys, &[Action::Encrypt], at)
            .cell(0, 0, 0)
            .unwrap()
    };
    assert_eq!(cell(NOW).state_error, Some("KMSInvalidStateException"));
    assert!(!cell(NOW).succeeds());
    assert_eq!(cell(settled()).state_error, None);
    assert!(cell(settled()).succeeds());
    // The cell's word names the state that refuses the allowed action.
    let spec = world.keys.get_by_arn(&arn).unwrap().spec;
    let state = world.keys.get_by_arn(&arn).unwrap().state_at(NOW).as_str();
    let matrix = Matrix::compute(&world, &principals, &keys, &[Action::Encrypt], NOW);
    let summary = kms_engine::view::summarize_matrix_cell(
        &kms_engine::view::ActionSet::One(Action::Encrypt.entry()),
        &matrix,
        0,
        0,
        state,
        spec,
    );
    assert_eq!(summary.kind, kms_engine::view::CellKind::Blocked);
    assert_eq!(summary.word, "Creating");
}

#[test]
fn no_fix_is_offered_for_a_creating_replica_it_only_needs_time() {
    // KMS Developer Guide, multi-region-keys-replicate.html: Creating changes to Enabled "after
    // a few seconds when the process of creating the new replica key is complete": no change of
    // policy or setting is needed, and the fix search says to wait.
    use kms_engine::analysis::{self, CellQuery, Outcome, Universe, edit::Names};
    use kms_engine::authz::RequestParams;
    use kms_engine::catalog::Action;
    let mut world = world();
    let mut rng = SeededRandomness::new(fresh_seed());
    let made = primary(&mut world, &mut rng);
    let root_home = caller(&root(ACCOUNT)).in_region(HOME);
    let replica = replicate(&mut world, &mut rng, &root_home, &made.key_id, AWAY).unwrap();
    let query = CellQuery {
        principal: root(ACCOUNT),
        key: replica.replica_key_metadata.arn.clone(),
        action: Action::Encrypt,
        params: RequestParams::default(),
    };
    let universe = Universe {
        principals: vec![root(ACCOUNT)],
        keys: vec![query.key.clone()],
        actions: vec![Action::Encrypt],
    };
    let report =
        analysis::propose_fixes(&world, &universe, &Names::default(), &query, NOW).unwrap();
    assert_eq!(report.decision, Outcome::KeyStateRefuses);
    assert!(report.fixes.is_empty(), "{:?}", report.fixes);
    let note = report.note.unwrap();
    assert!(
        note.contains("Creating or Updating") && note.contains("wait"),
        "{note}"
    );
    let settled_report =
        analysis::propose_fixes(&world, &universe, &Names::default(), &query, settled()).unwrap();
    assert_eq!(settled_report.decision, Outcome::Allow);
}

mod scenario_format {
    use super::*;
    use kms_engine::scenario::{self, Scenario};

    fn load(text: &str) -> Result<scenario::Loaded, String> {
        let mut rng = SeededRandomness::new(3);
        scenario::load(text, NOW, &mut rng).map_err(|e| e.to_string())
    }

    const TEXT: &str = r#"{"name": "replicas", "account": "111122223333", "region": "us-east-1",
  "principals": [],
  "keys": [
    {"name": "Copy", "replica_of": "Global", "region": "eu-west-2", "description": "the copy",
     "aliases": ["alias/Global"]},
    {"name": "Global", "id": "mrk-1234abcd12ab34cd56ef1234567890ab", "aliases": ["alias/Global"]}
  ]}"#;

    #[test]
    fn a_replica_key_is_declared_with_replica_of_and_its_region() {
        // KMS API Reference, ReplicateKey: a replica has its primary's key id and key material
        // and its own Region, description and aliases (KMS Developer Guide,
        // multi-region-keys-overview.html: aliases are not shared). The primary may be
        // declared after its replica.
        let mut loaded = load(TEXT).unwrap();
        let copy = &loaded.scenario.keys[0];
        assert_eq!(copy.id, "mrk-1234abcd12ab34cd56ef1234567890ab");
        assert_eq!(
            copy.arn,
            "arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
        );
        assert_eq!(copy.replica_of, Some(1));
        let mut rng = SeededRandomness::new(fresh_seed());
        let away = describe(&mut loaded.world, &mut rng, AWAY, "alias/Global");
        assert_eq!(away.description, "the copy");
        assert_eq!(
            away.multi_region_configuration
                .unwrap()
                .multi_region_key_type,
            "REPLICA"
        );
        let blob = encrypt(&mut loaded.world, &mut rng, HOME, "alias/Global");
        let opened = decrypt(&mut loaded.world, &mut rng, AWAY, &blob).unwrap();
        assert_eq!(opened.key_id, copy.arn);
        // The access matrix has a column per key: the replica and its primary are two.
        let matrix = kms_engine::matrix::Matrix::of_world(
            &loaded.world,
            &[kms_engine::catalog::Action::Encrypt],
            NOW,
        );
        assert_eq!(matrix.keys().len(), 2);
    }

    #[test]
    fn a_replica_declared_in_a_scenario_is_already_created() {
        // A scenario file describes keys as they are: its replicas have left the transient
        // Creating state (KMS Developer Guide, key-state.html: Creating lasts while the
        // replica "is being created"), so they are usable at the scenario's own time.
        let mut loaded = load(TEXT).unwrap();
        let mut rng = SeededRandomness::new(fresh_seed());
        let away = describe_at(&mut loaded.world, &mut rng, AWAY, "alias/Global", NOW);
        assert_eq!(away.key_state, "Enabled");
        assert!(encrypt_at(&mut loaded.world, &mut rng, AWAY, "alias/Global", NOW).is_ok());
    }

    #[test]
    fn a_replica_is_written_back_with_replica_of_and_reads_the_same() {
        let loaded = load(TEXT).unwrap();
        let written = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
        assert!(written.contains(r#""replica_of": "Global""#), "{written}");
        let again = load(&written).unwrap();
        let arns = |s: &Scenario| {
            s.keys
                .iter()
                .map(|k| (k.arn.clone(), k.replica_of.is_some()))
                .collect::<Vec<_>>()
        };
        let mut before = arns(&loaded.scenario);
        let mut after = arns(&again.scenario);
        kms_engine::sort::sort(&mut before);
        kms_engine::sort::sort(&mut after);
        assert_eq!(before, after);
        assert_eq!(
            Scenario::from_world(&again.world, &again.scenario).to_json(),
            written
        );
    }

    #[test]
    fn bad_replicas_are_errors_at_their_line_and_column() {
        // KMS API Reference, ReplicateKey: only a multi-Region primary key has replicas, each in
        // another Region than the primary and its other replicas.
        let error = load(
            "{\"keys\": [{\"name\": \"P\"},\n {\"name\": \"R\", \"replica_of\": \"P\", \"region\": \"eu-west-2\"}]}",
        )
        .unwrap_err();
        assert!(error.starts_with("2:30"), "{error}");
        assert!(error.contains("not a multi-Region key"), "{error}");
        let error =
            load("{\"keys\": [{\"name\": \"R\", \"replica_of\": \"Nobody\"}]}").unwrap_err();
        assert!(error.contains("no key named `Nobody`"), "{error}");
        let primary = r#"{"name": "P", "id": "mrk-1234abcd12ab34cd56ef1234567890ab"}"#;
        let error = load(&format!(
            r#"{{"keys": [{primary}, {{"name": "R", "replica_of": "P"}}]}}"#
        ))
        .unwrap_err();
        assert!(error.contains("another Region"), "{error}");
        let error = load(&format!(
            r#"{{"keys": [{primary}, {{"name": "R", "replica_of": "P", "region": "eu-west-2"}}, {{"name": "S", "replica_of": "P", "region": "eu-west-2"}}]}}"#
        ))
        .unwrap_err();
        assert!(
            error.contains("already has a key of its set in eu-west-2"),
            "{error}"
        );
        let error = load(&format!(
            r#"{{"keys": [{primary}, {{"name": "R", "replica_of": "P", "region": "eu-west-2", "key_spec": "HMAC_256"}}]}}"#
        ))
        .unwrap_err();
        assert!(error.contains("leave `key_spec` out"), "{error}");
        let error = load(&format!(
            r#"{{"keys": [{primary}, {{"name": "R", "replica_of": "P", "region": "eu-west-2"}}, {{"name": "S", "replica_of": "R", "region": "ap-southeast-2"}}]}}"#
        ))
        .unwrap_err();
        assert!(error.contains("is a replica itself"), "{error}");
    }
}
