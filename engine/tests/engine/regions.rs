//! Regions: keys, aliases and grants live in a Region; a request is sent to one Region (the
//! caller's `region`, or the world's). Each test names the AWS page whose rule it pins.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::catalog::Action;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::world::{KeySetup, World};

const EU: &str = "eu-west-2";

/// The world's Region (`World::default`).
const HOME: &str = "us-east-1";

fn call<T>(
    world: &mut World,
    rng: &mut SeededRandomness,
    caller: &Caller,
    op: impl FnOnce(&mut World, &Caller, &mut Env<'_>) -> Result<T, KmsError>,
) -> Result<T, KmsError> {
    op(world, caller, &mut env(rng))
}

fn created(world: &mut World, rng: &mut SeededRandomness, caller: &Caller) -> (String, String) {
    let made = call(world, rng, caller, |w, c, e| {
        w.create_key(c, e, CreateKeyRequest::default())
    })
    .unwrap();
    (made.key_metadata.key_id, made.key_metadata.arn)
}

fn describe(
    world: &mut World,
    rng: &mut SeededRandomness,
    caller: &Caller,
    key_id: &str,
) -> Result<KeyMetadataResponse, KmsError> {
    call(world, rng, caller, |w, c, e| {
        w.describe_key(
            c,
            e,
            DescribeKeyRequest {
                key_id: key_id.to_owned(),
                ..DescribeKeyRequest::default()
            },
        )
    })
}

fn answer<T>(result: Result<T, KmsError>) -> (&'static str, String) {
    match result {
        Ok(_) => ("ok", String::new()),
        Err(e) => (e.exception_name(), e.message().to_owned()),
    }
}

#[test]
fn create_key_makes_the_key_in_the_request_region_and_list_keys_lists_that_region() {
    // KMS Developer Guide, concepts.html#key-id-key-ARN: the key ARN names the key's Region;
    // API ListKeys: "Gets a list of all KMS keys in the caller's Amazon Web Services account and
    // Region".
    let mut world = world();
    let mut rng = SeededRandomness::new(1);
    let home = caller(&root(ACCOUNT));
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    let (_, home_arn) = created(&mut world, &mut rng, &home);
    let (eu_id, eu_arn) = created(&mut world, &mut rng, &eu);
    assert!(home_arn.starts_with(&format!("arn:aws:kms:{HOME}:{ACCOUNT}:key/")));
    assert_eq!(eu_arn, format!("arn:aws:kms:{EU}:{ACCOUNT}:key/{eu_id}"));
    let list = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        call(world, rng, who, |w, c, e| {
            w.list_keys(c, e, ListRequest::default())
        })
        .unwrap()
        .keys
        .into_iter()
        .map(|k| k.key_arn)
        .collect::<Vec<_>>()
    };
    assert_eq!(list(&mut world, &mut rng, &home), vec![home_arn]);
    assert_eq!(list(&mut world, &mut rng, &eu), vec![eu_arn]);
}

#[test]
fn a_bare_key_id_is_looked_up_in_the_request_region() {
    // KMS Developer Guide, concepts.html#key-id: a key id alone names a key in the Region the
    // request is sent to; KMS answers `Key 'ARN' does not exist` with that Region's ARN.
    let mut world = world();
    let mut rng = SeededRandomness::new(2);
    let home = caller(&root(ACCOUNT));
    let (id, _) = created(&mut world, &mut rng, &home);
    assert!(describe(&mut world, &mut rng, &home, &id).is_ok());
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    assert_eq!(
        answer(describe(&mut world, &mut rng, &eu, &id)),
        (
            "NotFoundException",
            format!("Key 'arn:aws:kms:{EU}:{ACCOUNT}:key/{id}' does not exist")
        )
    );
}

#[test]
fn a_key_arn_of_another_region_is_an_invalid_arn() {
    // KMS keys are Regional (KMS Developer Guide, concepts.html#key-id-key-ARN). A request sent
    // to one Region with a key ARN of another gets `NotFoundException: Invalid arn REGION`,
    // naming the ARN's Region (what the AWS SDKs print for a client in another Region than the
    // ARN's).
    let mut world = world();
    let mut rng = SeededRandomness::new(3);
    let home = caller(&root(ACCOUNT));
    let (_, arn) = created(&mut world, &mut rng, &home);
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    assert_eq!(
        answer(describe(&mut world, &mut rng, &eu, &arn)),
        ("NotFoundException", format!("Invalid arn {HOME}"))
    );
    // The same for an ARN that names no key at all.
    let nothing =
        format!("arn:aws:kms:ap-south-1:{ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-0000000000aa");
    assert_eq!(
        answer(describe(&mut world, &mut rng, &home, &nothing)),
        ("NotFoundException", "Invalid arn ap-south-1".to_owned())
    );
    // And for the operations that take a key: Encrypt, CreateGrant, CreateAlias.
    let encrypt = call(&mut world, &mut rng, &eu, |w, c, e| {
        w.encrypt(
            c,
            e,
            EncryptRequest {
                key_id: arn.clone(),
                plaintext: b"x".to_vec(),
                ..EncryptRequest::default()
            },
        )
    });
    assert_eq!(
        answer(encrypt),
        ("NotFoundException", format!("Invalid arn {HOME}"))
    );
    let alias = call(&mut world, &mut rng, &eu, |w, c, e| {
        w.create_alias(
            c,
            e,
            AliasRequest {
                alias_name: "alias/there".into(),
                target_key_id: arn.clone(),
            },
        )
    });
    assert_eq!(
        answer(alias),
        ("NotFoundException", format!("Invalid arn {HOME}"))
    );
}

#[test]
fn aliases_are_unique_per_account_and_region() {
    // KMS Developer Guide, kms-alias.html: "An alias name ... must be unique in the account and
    // Region"; the same name in two Regions is two aliases, each for a key of its Region.
    let mut world = world();
    let mut rng = SeededRandomness::new(4);
    let home = caller(&root(ACCOUNT));
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    let (home_id, _) = created(&mut world, &mut rng, &home);
    let (eu_id, _) = created(&mut world, &mut rng, &eu);
    let alias = |world: &mut World, rng: &mut SeededRandomness, who: &Caller, key: &str| {
        call(world, rng, who, |w, c, e| {
            w.create_alias(
                c,
                e,
                AliasRequest {
                    alias_name: "alias/app".into(),
                    target_key_id: key.to_owned(),
                },
            )
        })
    };
    alias(&mut world, &mut rng, &home, &home_id).unwrap();
    alias(&mut world, &mut rng, &eu, &eu_id).unwrap();
    assert_eq!(
        answer(alias(&mut world, &mut rng, &eu, &eu_id)),
        (
            "AlreadyExistsException",
            format!("An alias with the name arn:aws:kms:{EU}:{ACCOUNT}:alias/app already exists")
        )
    );
    let through = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        describe(world, rng, who, "alias/app")
            .unwrap()
            .key_metadata
            .arn
    };
    assert!(through(&mut world, &mut rng, &home).contains(HOME));
    assert!(through(&mut world, &mut rng, &eu).contains(EU));
    let listed = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        call(world, rng, who, |w, c, e| {
            w.list_aliases(c, e, ListAliasesRequest::default())
        })
        .unwrap()
        .aliases
        .into_iter()
        .map(|a| a.alias_arn)
        .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(&mut world, &mut rng, &eu),
        vec![format!("arn:aws:kms:{EU}:{ACCOUNT}:alias/app")]
    );
    // Deleting the alias in one Region leaves the other Region's.
    call(&mut world, &mut rng, &eu, |w, c, e| {
        w.delete_alias(
            c,
            e,
            DeleteAliasRequest {
                alias_name: "alias/app".into(),
            },
        )
    })
    .unwrap();
    assert!(listed(&mut world, &mut rng, &eu).is_empty());
    assert_eq!(
        listed(&mut world, &mut rng, &home),
        vec![format!("arn:aws:kms:{HOME}:{ACCOUNT}:alias/app")]
    );
    assert_eq!(
        answer(describe(&mut world, &mut rng, &eu, "alias/app")),
        (
            "NotFoundException",
            format!("Alias arn:aws:kms:{EU}:{ACCOUNT}:alias/app is not found.")
        )
    );
}

#[test]
fn scenario_keys_of_two_regions_may_share_an_alias_name() {
    // KMS Developer Guide, kms-alias.html: alias names are unique per account and Region, so a
    // world set up with `KeySetup.region` may give keys of two Regions the same alias.
    let mut world = world();
    let mut rng = SeededRandomness::new(5);
    let setup = |region: Option<&str>| KeySetup {
        region: region.map(str::to_owned),
        aliases: vec!["alias/shared".to_owned()],
        ..KeySetup::new(ACCOUNT)
    };
    world.add_key(setup(None), NOW, &mut rng).unwrap();
    world.add_key(setup(Some(EU)), NOW, &mut rng).unwrap();
    assert!(world.add_key(setup(Some(EU)), NOW, &mut rng).is_err());
    let regions: Vec<_> = world.keys.aliases().map(|a| a.region.clone()).collect();
    assert_eq!(regions, vec![EU.to_owned(), HOME.to_owned()]);
}

#[test]
fn grants_live_in_their_keys_region() {
    // KMS Developer Guide, grants.html: a grant is for one KMS key, which lives in one Region;
    // API ListRetirableGrants lists "grants in the account and Region" for the retiring
    // principal.
    let mut world = world();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let mut rng = SeededRandomness::new(6);
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    let home = caller(&root(ACCOUNT));
    let (eu_id, _) = created(&mut world, &mut rng, &eu);
    call(&mut world, &mut rng, &eu, |w, c, e| {
        w.create_grant(
            c,
            e,
            CreateGrantRequest {
                key_id: eu_id.clone(),
                grantee_principal: bob.to_string(),
                retiring_principal: Some(bob.to_string()),
                operations: vec!["Encrypt".to_owned()],
                ..CreateGrantRequest::default()
            },
        )
    })
    .unwrap();
    let retirable = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        call(world, rng, who, |w, c, e| {
            w.list_retirable_grants(
                c,
                e,
                ListRetirableGrantsRequest {
                    retiring_principal: bob.to_string(),
                    ..ListRetirableGrantsRequest::default()
                },
            )
        })
        .unwrap()
        .grants
        .len()
    };
    assert_eq!(retirable(&mut world, &mut rng, &eu), 1);
    assert_eq!(retirable(&mut world, &mut rng, &home), 0);
}

#[test]
fn ciphertext_names_a_key_of_its_region() {
    // KMS Developer Guide, multi-region-keys-overview.html: ciphertext of a single-Region key
    // can be decrypted only in that key's Region (decrypting elsewhere is what multi-Region
    // keys are for). Sent to another Region, a Decrypt without KeyId finds no key for the blob.
    let mut world = world();
    let mut rng = SeededRandomness::new(7);
    let home = caller(&root(ACCOUNT));
    let (id, _) = created(&mut world, &mut rng, &home);
    let blob = call(&mut world, &mut rng, &home, |w, c, e| {
        w.encrypt(
            c,
            e,
            EncryptRequest {
                key_id: id.clone(),
                plaintext: b"secret".to_vec(),
                ..EncryptRequest::default()
            },
        )
    })
    .unwrap()
    .ciphertext_blob;
    let decrypt = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        call(world, rng, who, |w, c, e| {
            w.decrypt(
                c,
                e,
                DecryptRequest {
                    ciphertext_blob: blob.clone(),
                    ..DecryptRequest::default()
                },
            )
        })
    };
    assert_eq!(
        decrypt(&mut world, &mut rng, &home).unwrap().plaintext,
        b"secret"
    );
    let eu = caller(&root(ACCOUNT)).in_region(EU);
    assert_eq!(
        answer(decrypt(&mut world, &mut rng, &eu)).0,
        "InvalidCiphertextException"
    );
}

#[test]
fn aws_requested_region_is_the_region_the_request_is_sent_to() {
    // IAM User Guide, reference_policies_condition-keys.html#condition-keys-requestedregion:
    // aws:RequestedRegion is the Region the request is made to.
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    world
        .put_identity_policy(
            &alice,
            "HomeOnly",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:CreateKey",
                "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}"#,
        )
        .unwrap();
    let mut rng = SeededRandomness::new(8);
    let create = |world: &mut World, rng: &mut SeededRandomness, who: &Caller| {
        call(world, rng, who, |w, c, e| {
            w.create_key(c, e, CreateKeyRequest::default())
        })
    };
    assert!(create(&mut world, &mut rng, &caller(&alice)).is_ok());
    assert_eq!(
        answer(create(&mut world, &mut rng, &caller(&alice).in_region(EU))).0,
        "AccessDeniedException"
    );
}

#[test]
fn resource_patterns_with_a_region_match_only_keys_of_that_region() {
    // IAM User Guide, reference_policies_elements_resource.html and KMS Developer Guide,
    // iam-policies.html: a key's ARN includes its Region, so a Resource such as
    // `arn:aws:kms:eu-west-2:ACCOUNT:key/*` covers only that Region's keys; the same holds in a
    // key policy's Resource.
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let mut rng = SeededRandomness::new(9);
    let home_key = world
        .add_key(KeySetup::new(ACCOUNT), NOW, &mut rng)
        .unwrap();
    let eu_key = world
        .add_key(
            KeySetup {
                region: Some(EU.to_owned()),
                ..KeySetup::new(ACCOUNT)
            },
            NOW,
            &mut rng,
        )
        .unwrap();
    world
        .put_identity_policy(
            &alice,
            "EuKeys",
            &allow_policy(
                &["kms:Encrypt"],
                &[&format!("arn:aws:kms:{EU}:{ACCOUNT}:key/*")],
            ),
        )
        .unwrap();
    let allowed =
        |world: &World, key: &str| verdict(world, &alice, key, Action::Encrypt).is_allowed();
    assert!(allowed(&world, &eu_key));
    assert!(!allowed(&world, &home_key));

    // In a key policy: a statement for Bob whose Resource names the other Region's keys does
    // not apply to this key.
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let policy = |region: &str| {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Root", "Effect": "Allow",
                 "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "Bob", "Effect": "Allow", "Principal": {"AWS": bob.clone()},
                 "Action": "kms:Encrypt",
                 "Resource": format!("arn:aws:kms:{region}:{ACCOUNT}:key/*")}
            ]
        })
        .to_string()
    };
    world.set_key_policy(&eu_key, &policy(HOME)).unwrap();
    assert!(!verdict(&world, &bob, &eu_key, Action::Encrypt).is_allowed());
    world.set_key_policy(&eu_key, &policy(EU)).unwrap();
    assert!(verdict(&world, &bob, &eu_key, Action::Encrypt).is_allowed());
}

#[test]
fn scenario_keys_may_give_a_region_and_the_matrix_shows_each() {
    // KMS Developer Guide, concepts.html#key-id-key-ARN (the ARN names the key's Region) and
    // kms-alias.html (alias names are unique per account and Region): a scenario key without
    // `region` is in the world's Region, one with `region` in that Region, and the same alias
    // name may be used once per Region; IAM Resource patterns with a Region pick their keys.
    let text = r#"{"name": "regions", "account": "111122223333", "region": "us-east-1",
      "principals": [{"name": "Alice", "policies": [{"name": "Eu", "document": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "arn:aws:kms:eu-west-2:111122223333:key/*"}]}}]}],
      "keys": [{"name": "Home", "aliases": ["alias/app"]},
               {"name": "Eu", "region": "eu-west-2", "aliases": ["alias/app"]}],
      "expect": [
        {"principal": "Alice", "key": "Eu", "action": "kms:Encrypt", "decision": "allow"},
        {"principal": "Alice", "key": "Home", "action": "kms:Encrypt", "decision": "implicit-deny"},
        {"principal": "Alice", "key": "arn:aws:kms:eu-west-2:111122223333:alias/app", "action": "kms:Encrypt", "decision": "allow"},
        {"principal": "Alice", "key": "alias/app", "action": "kms:Encrypt", "decision": "implicit-deny"}
      ]}"#;
    let mut rng = SeededRandomness::new(10);
    let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
    let arns: Vec<&str> = loaded.world.keys.keys().map(|k| k.arn.as_str()).collect();
    assert_eq!(arns.len(), 2);
    assert!(arns[0].starts_with("arn:aws:kms:us-east-1:111122223333:key/"));
    assert!(arns[1].starts_with("arn:aws:kms:eu-west-2:111122223333:key/"));
    let results = kms_engine::scenario::check(
        &loaded.scenario,
        text,
        &loaded.world,
        NOW,
        kms_engine::scenario::Reasons::Failures,
    );
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(|r| r.passed), "{results:?}");
    let report = kms_engine::scenario::MatrixReport::compute(
        &loaded.scenario,
        &loaded.world,
        &[Action::Encrypt],
        NOW,
    );
    let cells: Vec<(&str, &str)> = report
        .cells()
        .map(|c| (c.key, c.decision.as_str()))
        .collect();
    assert_eq!(cells, vec![("Home", "implicit-deny"), ("Eu", "allow")]);
}
