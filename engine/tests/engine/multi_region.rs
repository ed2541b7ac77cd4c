//! Multi-Region primary keys: CreateKey with `MultiRegion`, their `mrk-` key ids, DescribeKey's
//! `MultiRegionConfiguration` and the multi-Region condition keys. Each test names the AWS page
//! whose rule it pins. Replica keys, ReplicateKey and UpdatePrimaryRegion are in `replicas`.

use crate::kms_common;

use kms_common::*;
use kms_engine::catalog::Action;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::store::KeyId;
use kms_engine::world::World;

fn create(
    world: &mut World,
    rng: &mut SeededRandomness,
    who: &Caller,
    request: CreateKeyRequest,
) -> Result<KeyMetadataResponse, KmsError> {
    world.create_key(who, &mut env(rng), request)
}

fn multi_region() -> CreateKeyRequest {
    CreateKeyRequest {
        multi_region: Some(true),
        ..CreateKeyRequest::default()
    }
}

fn is_mrk_id(id: &str) -> bool {
    id.strip_prefix("mrk-").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[test]
fn create_key_with_multi_region_makes_a_primary_key_with_an_mrk_id() {
    // API CreateKey, MultiRegion: "This value creates a primary key, not a replica"; KMS
    // Developer Guide, mrk-how-it-works.html: multi-Region key ids begin with `mrk-`; API
    // MultiRegionConfiguration: MultiRegionKeyType PRIMARY, PrimaryKey is the current key when
    // it is the primary, ReplicaKeys the replicas (none yet).
    let mut world = world();
    let mut rng = SeededRandomness::new(1);
    let eu = caller(&root(ACCOUNT)).in_region("eu-west-2");
    let made = create(&mut world, &mut rng, &eu, multi_region()).unwrap();
    let metadata = made.key_metadata;
    assert!(is_mrk_id(&metadata.key_id), "{}", metadata.key_id);
    assert!(KeyId::parse(&metadata.key_id).is_some());
    let described = world
        .describe_key(
            &eu,
            &mut env(&mut rng),
            DescribeKeyRequest {
                key_id: metadata.key_id.clone(),
                ..DescribeKeyRequest::default()
            },
        )
        .unwrap();
    let value = serde_json::to_value(&described.key_metadata).unwrap();
    assert_eq!(value["MultiRegion"], true);
    assert_eq!(
        value["MultiRegionConfiguration"],
        serde_json::json!({
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": metadata.arn, "Region": "eu-west-2"},
            "ReplicaKeys": []
        })
    );
    // A single-Region key: MultiRegion false, no MultiRegionConfiguration ("present only when
    // the value of the MultiRegion field is True", API KeyMetadata).
    let single = create(&mut world, &mut rng, &eu, CreateKeyRequest::default()).unwrap();
    assert!(!single.key_metadata.key_id.starts_with("mrk-"));
    let value = serde_json::to_value(&single.key_metadata).unwrap();
    assert_eq!(value["MultiRegion"], false);
    assert!(value.get("MultiRegionConfiguration").is_none());
}

#[test]
fn multi_region_keys_may_be_of_any_spec_and_have_imported_material() {
    // API CreateKey, MultiRegion: "You can create a symmetric or asymmetric multi-Region key,
    // and you can create a multi-Region key with imported key material"; KMS Developer Guide,
    // multi-region-keys-overview.html: HMAC multi-Region keys too.
    let mut world = world();
    let mut rng = SeededRandomness::new(2);
    let root_caller = caller(&root(ACCOUNT));
    let external = create(
        &mut world,
        &mut rng,
        &root_caller,
        CreateKeyRequest {
            origin: Some("EXTERNAL".to_owned()),
            ..multi_region()
        },
    )
    .unwrap()
    .key_metadata;
    assert!(external.multi_region);
    assert_eq!(external.key_state, "PendingImport");
    let hmac = create(
        &mut world,
        &mut rng,
        &root_caller,
        CreateKeyRequest {
            key_spec: Some("HMAC_256".to_owned()),
            key_usage: Some("GENERATE_VERIFY_MAC".to_owned()),
            ..multi_region()
        },
    )
    .unwrap()
    .key_metadata;
    assert!(hmac.multi_region && is_mrk_id(&hmac.key_id));
}

#[test]
fn multi_region_condition_keys_are_set_at_create_key_and_on_the_key() {
    // KMS Developer Guide, conditions-kms.html#conditions-kms-multiregion (kms:MultiRegion,
    // "true" for a multi-Region key, on CreateKey and on operations on the key) and
    // #conditions-kms-multiregion-key-type (kms:MultiRegionKeyType PRIMARY or REPLICA); KMS
    // Developer Guide, multi-region-keys-auth.html: policies can allow or deny creating
    // multi-Region keys with them.
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    world
        .put_identity_policy(
            &alice,
            "SingleRegionOnly",
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:Encrypt"], "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:CreateKey", "Resource": "*",
                 "Condition": {"Bool": {"kms:MultiRegion": "true"}}},
                {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"kms:MultiRegionKeyType": "PRIMARY"}}}]}"#,
        )
        .unwrap();
    let mut rng = SeededRandomness::new(3);
    let who = caller(&alice);
    let refused = create(&mut world, &mut rng, &who, multi_region()).unwrap_err();
    assert_eq!(refused.exception_name(), "AccessDeniedException");
    let single = create(&mut world, &mut rng, &who, CreateKeyRequest::default()).unwrap();
    let primary = create(
        &mut world,
        &mut rng,
        &caller(&root(ACCOUNT)),
        multi_region(),
    )
    .unwrap();
    let id = |m: &KeyMetadataResponse| m.key_metadata.arn.clone();
    assert!(verdict(&world, &alice, &id(&single), Action::Encrypt).is_allowed());
    assert!(!verdict(&world, &alice, &id(&primary), Action::Encrypt).is_allowed());
}

#[test]
fn a_scenario_key_with_an_mrk_id_is_a_multi_region_primary_key() {
    // KMS Developer Guide, mrk-how-it-works.html: an `mrk-` key id is a multi-Region key's;
    // a scenario file (and its export) names one by its id.
    let text = r#"{"name": "mrk", "account": "111122223333", "region": "us-east-1",
      "principals": [], "keys": [{"name": "Global", "id": "mrk-1234abcd12ab34cd56ef1234567890ab"},
                                 {"name": "Local"}]}"#;
    let mut rng = SeededRandomness::new(4);
    let mut loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
    let describe = |world: &mut World, rng: &mut SeededRandomness, key: &str| {
        world
            .describe_key(
                &caller(&root(ACCOUNT)),
                &mut env(rng),
                DescribeKeyRequest {
                    key_id: key.to_owned(),
                    ..DescribeKeyRequest::default()
                },
            )
            .unwrap()
            .key_metadata
    };
    let global = describe(
        &mut loaded.world,
        &mut rng,
        "mrk-1234abcd12ab34cd56ef1234567890ab",
    );
    assert!(global.multi_region);
    assert_eq!(
        global
            .multi_region_configuration
            .unwrap()
            .primary_key
            .region,
        "us-east-1"
    );
    let local_id = loaded.scenario.keys[1].id.clone();
    assert!(!describe(&mut loaded.world, &mut rng, &local_id).multi_region);
}
