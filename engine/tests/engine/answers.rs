//! AWS's exact answers: the exception and the message KMS sends for tags that break its rules,
//! request members outside their bounds, key identifiers that are malformed or name nothing, and
//! grantees that are not principals. Each test names the API Reference or Developer Guide page
//! whose rule it pins; the messages are the ones AWS returns.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::store::Tag;
use kms_engine::world::World;

/// A world with one key made by the account's root user; the key's id and ARN.
fn world_with_key() -> (World, SeededRandomness, String, String) {
    let mut world = world();
    let mut rng = SeededRandomness::new(7);
    let created = world
        .create_key(
            &caller(&root(ACCOUNT)),
            &mut env(&mut rng),
            CreateKeyRequest::default(),
        )
        .unwrap();
    let meta = created.key_metadata;
    (world, rng, meta.key_id, meta.arn)
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        tag_key: key.to_owned(),
        tag_value: value.to_owned(),
    }
}

fn tag_resource(
    world: &mut World,
    rng: &mut SeededRandomness,
    key_id: &str,
    tags: Vec<Tag>,
) -> Result<(), KmsError> {
    let request = TagResourceRequest {
        key_id: key_id.to_owned(),
        tags,
    };
    world.tag_resource(&caller(&root(ACCOUNT)), &mut env(rng), request)
}

fn create_key_tagged(
    world: &mut World,
    rng: &mut SeededRandomness,
    tags: Vec<Tag>,
) -> Result<KeyMetadataResponse, KmsError> {
    let request = CreateKeyRequest {
        tags: Some(tags),
        ..CreateKeyRequest::default()
    };
    world.create_key(&caller(&root(ACCOUNT)), &mut env(rng), request)
}

fn listed_tags(world: &mut World, rng: &mut SeededRandomness, key_id: &str) -> Vec<Tag> {
    let request = ListResourceTagsRequest {
        key_id: key_id.to_owned(),
        ..ListResourceTagsRequest::default()
    };
    world
        .list_resource_tags(&caller(&root(ACCOUNT)), &mut env(rng), request)
        .unwrap()
        .tags
}

/// `(exception, message)` of a failed call.
fn answer<T: std::fmt::Debug>(result: Result<T, KmsError>) -> (&'static str, String) {
    let error = result.unwrap_err();
    (error.exception_name(), error.message().to_owned())
}

#[test]
fn tag_keys_beginning_with_aws_are_reserved_in_any_letter_case() {
    // KMS Developer Guide, tagging-keys.html: "The aws: prefix is reserved for AWS use"; KMS
    // API Reference, TagResource and CreateKey, Errors: TagException. AWS answers each case
    // of the prefix alike.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let reserved = (
        "TagException",
        "Tags beginning with aws: are reserved".to_owned(),
    );
    for key in ["aws:owner", "AWS:owner", "Aws:owner", "aWs:"] {
        assert_eq!(
            answer(tag_resource(
                &mut world,
                &mut rng,
                &key_id,
                vec![tag(key, "x")]
            )),
            reserved,
            "{key}"
        );
        assert_eq!(
            answer(create_key_tagged(&mut world, &mut rng, vec![tag(key, "x")])),
            reserved,
            "{key}"
        );
    }
    // Only the prefix is reserved.
    tag_resource(&mut world, &mut rng, &key_id, vec![tag("team:aws", "x")]).unwrap();
}

#[test]
fn over_long_tag_keys_and_values_are_validation_errors_naming_their_place() {
    // KMS API Reference, Tag: TagKey 1–128 characters, TagValue 0–256; request validation
    // answers in AWS's form and names the tag by its 1-based place, tags.N.member.tagKey.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let long_key = "k".repeat(129);
    assert_eq!(
        answer(tag_resource(
            &mut world,
            &mut rng,
            &key_id,
            vec![tag("team", "blue"), tag(&long_key, "x")]
        )),
        (
            "ValidationException",
            format!(
                "1 validation error detected: Value '{long_key}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"
            )
        )
    );
    let long_value = "v".repeat(257);
    assert_eq!(
        answer(create_key_tagged(
            &mut world,
            &mut rng,
            vec![tag("team", &long_value)]
        )),
        (
            "ValidationException",
            format!(
                "1 validation error detected: Value '{long_value}' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"
            )
        )
    );
    assert_eq!(
        answer(tag_resource(&mut world, &mut rng, &key_id, vec![tag("", "x")])),
        (
            "ValidationException",
            "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
        )
    );
    // The bounds themselves are allowed; a value may be empty.
    let key = "k".repeat(128);
    tag_resource(
        &mut world,
        &mut rng,
        &key_id,
        vec![tag(&key, &"v".repeat(256)), tag("empty", "")],
    )
    .unwrap();
}

#[test]
fn more_than_50_tags_on_a_key_is_a_tag_exception() {
    // KMS Developer Guide, resource-limits.html: 50 tags per KMS key. More in one request, or
    // more on the key after TagResource, is a TagException ("Too many tags"), in CreateKey as
    // in TagResource (KMS API Reference, TagResource, Errors: TagException).
    let (mut world, mut rng, key_id, _) = world_with_key();
    let tags = |n: usize, prefix: &str| -> Vec<Tag> {
        (0..n).map(|i| tag(&format!("{prefix}{i}"), "v")).collect()
    };
    let too_many = ("TagException", "Too many tags".to_owned());
    assert_eq!(
        answer(tag_resource(&mut world, &mut rng, &key_id, tags(51, "t"))),
        too_many
    );
    assert_eq!(
        answer(create_key_tagged(&mut world, &mut rng, tags(51, "t"))),
        too_many
    );
    tag_resource(&mut world, &mut rng, &key_id, tags(50, "t")).unwrap();
    assert_eq!(
        answer(tag_resource(&mut world, &mut rng, &key_id, tags(1, "new"))),
        too_many
    );
    // A key at the limit can still have a value changed.
    tag_resource(&mut world, &mut rng, &key_id, vec![tag("t7", "changed")]).unwrap();
    assert_eq!(listed_tags(&mut world, &mut rng, &key_id).len(), 50);
    create_key_tagged(&mut world, &mut rng, tags(50, "t")).unwrap();
}

#[test]
fn a_tag_key_given_twice_in_one_request_is_refused() {
    // KMS API Reference, TagResource: "You cannot use the same tag key more than once per
    // request"; AWS answers TagException "Duplicate tag keys", for CreateKey too.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let twice = vec![tag("team", "blue"), tag("env", "prod"), tag("team", "red")];
    let duplicate = ("TagException", "Duplicate tag keys".to_owned());
    assert_eq!(
        answer(tag_resource(&mut world, &mut rng, &key_id, twice.clone())),
        duplicate
    );
    assert_eq!(
        answer(create_key_tagged(&mut world, &mut rng, twice)),
        duplicate
    );
    assert!(listed_tags(&mut world, &mut rng, &key_id).is_empty());
}

#[test]
fn tag_resource_updates_a_value_in_place() {
    // KMS API Reference, TagResource: "To edit a tag, specify an existing tag key and a new tag
    // value." The tag keeps its place among the key's tags.
    let (mut world, mut rng, key_id, _) = world_with_key();
    tag_resource(
        &mut world,
        &mut rng,
        &key_id,
        vec![tag("team", "blue"), tag("env", "prod")],
    )
    .unwrap();
    tag_resource(
        &mut world,
        &mut rng,
        &key_id,
        vec![tag("team", "red"), tag("cost", "42")],
    )
    .unwrap();
    assert_eq!(
        listed_tags(&mut world, &mut rng, &key_id),
        vec![tag("team", "red"), tag("env", "prod"), tag("cost", "42")]
    );
}

#[test]
fn request_members_out_of_bounds_are_named_in_aws_validation_form() {
    // KMS API Reference, Common Errors, ValidationException, and each operation's bounds:
    // GenerateRandom NumberOfBytes 1–1024, GenerateDataKey NumberOfBytes 1–1024, Encrypt
    // Plaintext 1–4096 bytes (a sensitive member: its value is left out), Decrypt
    // CiphertextBlob 1–6144 bytes, CreateKey and UpdateKeyDescription Description 0–8192,
    // ListKeys Limit 1–1000, EnableKeyRotation RotationPeriodInDays 90–2560. Each bound is
    // reported on its own, in AWS's words.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let root_caller = caller(&root(ACCOUNT));
    let message = |value: &str, member: &str, constraint: &str| {
        (
            "ValidationException",
            format!(
                "1 validation error detected: Value{value} at '{member}' failed to satisfy constraint: {constraint}"
            ),
        )
    };

    let random = |world: &mut World, rng: &mut SeededRandomness, n: Option<u32>| {
        let request = GenerateRandomRequest {
            number_of_bytes: n,
            ..GenerateRandomRequest::default()
        };
        world.generate_random(&root_caller, &mut env(rng), request)
    };
    assert_eq!(
        answer(random(&mut world, &mut rng, Some(0))),
        message(
            " '0'",
            "numberOfBytes",
            "Member must have value greater than or equal to 1"
        )
    );
    assert_eq!(
        answer(random(&mut world, &mut rng, Some(1025))),
        message(
            " '1025'",
            "numberOfBytes",
            "Member must have value less than or equal to 1024"
        )
    );
    assert_eq!(
        answer(random(&mut world, &mut rng, None)),
        (
            "ValidationException",
            "NumberOfBytes is required.".to_owned()
        )
    );
    assert_eq!(
        random(&mut world, &mut rng, Some(1024))
            .unwrap()
            .plaintext
            .len(),
        1024
    );

    let data_key = GenerateDataKeyRequest {
        key_id: key_id.clone(),
        number_of_bytes: Some(1025),
        ..GenerateDataKeyRequest::default()
    };
    assert_eq!(
        answer(world.generate_data_key(&root_caller, &mut env(&mut rng), data_key)),
        message(
            " '1025'",
            "numberOfBytes",
            "Member must have value less than or equal to 1024"
        )
    );

    for (size, constraint) in [
        (0, "Member must have length greater than or equal to 1"),
        (4097, "Member must have length less than or equal to 4096"),
    ] {
        let request = EncryptRequest {
            key_id: key_id.clone(),
            plaintext: vec![b'x'; size],
            ..EncryptRequest::default()
        };
        assert_eq!(
            answer(world.encrypt(&root_caller, &mut env(&mut rng), request)),
            message("", "plaintext", constraint)
        );
    }

    let decrypt = DecryptRequest::default();
    assert_eq!(
        answer(world.decrypt(&root_caller, &mut env(&mut rng), decrypt)),
        message(
            " 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]'",
            "ciphertextBlob",
            "Member must have length greater than or equal to 1"
        )
    );

    let long = "d".repeat(8193);
    let create = CreateKeyRequest {
        description: Some(long.clone()),
        ..CreateKeyRequest::default()
    };
    assert_eq!(
        answer(world.create_key(&root_caller, &mut env(&mut rng), create)),
        message(
            &format!(" '{long}'"),
            "description",
            "Member must have length less than or equal to 8192"
        )
    );
    let update = UpdateKeyDescriptionRequest {
        key_id: key_id.clone(),
        description: long.clone(),
    };
    assert_eq!(
        answer(world.update_key_description(&root_caller, &mut env(&mut rng), update)),
        message(
            &format!(" '{long}'"),
            "description",
            "Member must have length less than or equal to 8192"
        )
    );

    for (limit, constraint) in [
        (0, "Member must have value greater than or equal to 1"),
        (1001, "Member must have value less than or equal to 1000"),
    ] {
        let request = ListRequest {
            limit: Some(limit),
            marker: None,
        };
        assert_eq!(
            answer(world.list_keys(&root_caller, &mut env(&mut rng), request)),
            message(&format!(" '{limit}'"), "limit", constraint)
        );
    }

    for (days, constraint) in [
        (89, "Member must have value greater than or equal to 90"),
        (2561, "Member must have value less than or equal to 2560"),
    ] {
        let request = EnableKeyRotationRequest {
            key_id: key_id.clone(),
            rotation_period_in_days: Some(days),
        };
        assert_eq!(
            answer(world.enable_key_rotation(&root_caller, &mut env(&mut rng), request)),
            message(&format!(" '{days}'"), "rotationPeriodInDays", constraint)
        );
    }
}

#[test]
fn key_identifiers_that_are_malformed_or_name_nothing() {
    // KMS API Reference, DescribeKey (and every KeyId), Errors: NotFoundException. A KeyId of
    // no key-id shape is `Invalid keyId 'X'`; a well-formed key id or key ARN that names no key
    // is `Key 'KEY-ARN' does not exist` (the bare id written as the ARN in the caller's account
    // and Region); an alias name or alias ARN that names no alias is `Alias ALIAS-ARN is not
    // found.`; an empty KeyId fails request validation.
    let (mut world, mut rng, _, arn) = world_with_key();
    let root_caller = caller(&root(ACCOUNT));
    let mut describe = |key_id: &str| {
        let request = DescribeKeyRequest {
            key_id: key_id.to_owned(),
            ..DescribeKeyRequest::default()
        };
        answer(world.describe_key(&root_caller, &mut env(&mut rng), request))
    };
    let not_found = |message: String| ("NotFoundException", message);

    assert_eq!(
        describe("fake-key-id"),
        not_found("Invalid keyId 'fake-key-id'".to_owned())
    );
    assert_eq!(
        describe("134f2428cec14b25a1ae9048164dba47"),
        not_found("Invalid keyId '134f2428cec14b25a1ae9048164dba47'".to_owned())
    );
    let unknown = "0000aaaa-00aa-00aa-00aa-0000000000aa";
    let unknown_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{unknown}");
    assert_ne!(unknown_arn, arn);
    assert_eq!(
        describe(unknown),
        not_found(format!("Key '{unknown_arn}' does not exist"))
    );
    assert_eq!(
        describe(&unknown_arn),
        not_found(format!("Key '{unknown_arn}' does not exist"))
    );
    let other_account = format!("arn:aws:kms:us-east-1:{OTHER}:key/{unknown}");
    assert_eq!(
        describe(&other_account),
        not_found(format!("Key '{other_account}' does not exist"))
    );
    // A multi-Region key id is `mrk-` and 32 hex digits.
    let mrk = "mrk-d3b95762d3b95762d3b95762d3b95762";
    assert_eq!(
        describe(mrk),
        not_found(format!(
            "Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/{mrk}' does not exist"
        ))
    );
    assert_eq!(
        describe("mrk-fake-key-id"),
        not_found("Invalid keyId 'mrk-fake-key-id'".to_owned())
    );
    let alias_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/missing");
    assert_eq!(
        describe("alias/missing"),
        not_found(format!("Alias {alias_arn} is not found."))
    );
    assert_eq!(
        describe(&alias_arn),
        not_found(format!("Alias {alias_arn} is not found."))
    );
    assert_eq!(
        describe(""),
        (
            "ValidationException",
            "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
        )
    );
}

#[test]
fn imported_material_that_expires_needs_a_valid_to_date() {
    // KMS API Reference, ImportKeyMaterial, ValidTo: "Required if the value of the
    // ExpirationModel parameter is KEY_MATERIAL_EXPIRES" (the default); AWS answers
    // ValidationException in its own words.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let request = ImportKeyMaterialRequest {
        key_id,
        ..ImportKeyMaterialRequest::default()
    };
    assert_eq!(
        answer(world.import_key_material(&caller(&root(ACCOUNT)), &mut env(&mut rng), request)),
        (
            "ValidationException",
            "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES".to_owned()
        )
    );
}

#[test]
fn an_iam_group_is_not_a_grantee() {
    // KMS API Reference, CreateGrant, GranteePrincipal and RetiringPrincipal: "Valid principals
    // include AWS accounts, IAM users, IAM roles, federated users, and assumed role users"; an
    // IAM group is not a principal (IAM User Guide, reference_policies_elements_principal.html).
    // KMS refuses an ARN it cannot resolve to a principal with InvalidArnException (API
    // CreateGrant, Errors), "ARN does not refer to a valid principal: ARN", and makes no grant.
    let (mut world, mut rng, key_id, _) = world_with_key();
    let group = format!("arn:aws:iam::{ACCOUNT}:group/Developers");
    let request = |grantee: &str, retiring: Option<&str>| CreateGrantRequest {
        key_id: key_id.clone(),
        grantee_principal: grantee.to_owned(),
        retiring_principal: retiring.map(str::to_owned),
        operations: vec!["Decrypt".to_owned()],
        ..CreateGrantRequest::default()
    };
    let refused = (
        "InvalidArnException",
        format!("ARN does not refer to a valid principal: {group}"),
    );
    let root_caller = caller(&root(ACCOUNT));
    assert_eq!(
        answer(world.create_grant(&root_caller, &mut env(&mut rng), request(&group, None))),
        refused
    );
    assert_eq!(
        answer(world.create_grant(
            &root_caller,
            &mut env(&mut rng),
            request(root(ACCOUNT).as_str(), Some(&group))
        )),
        refused
    );
    assert_eq!(
        world.grants.on_key(&world_key_arn(&world, &key_id)).count(),
        0
    );
    // A user is a principal.
    world
        .create_grant(
            &root_caller,
            &mut env(&mut rng),
            request(user(ACCOUNT, "Alice").as_str(), None),
        )
        .unwrap();
}

fn world_key_arn(world: &World, key_id: &str) -> String {
    world
        .keys
        .keys()
        .find(|k| k.id.to_string() == key_id)
        .unwrap()
        .arn
        .clone()
}
