//! The KMS operations of the key store: lifecycle, aliases, tags, rotation, import, key
//! policies and the lockout safety check. Each test names the API Reference or Developer Guide
//! page whose rule it pins.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

use kms_common::*;
use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::error::{DenialForm, KmsError};
use kms_engine::kms::*;
use kms_engine::policy::default_key_policy;
use kms_engine::store::{DAY_MILLIS, KeyId, Tag};
use kms_engine::world::World;
use serde_json::json;

/// A world, a clock and a generator, with one call per method.
struct Harness {
    world: World,
    rng: SeededRandomness,
    now: Timestamp,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            world: world(),
            rng: SeededRandomness::new(42),
            now: NOW,
        }
    }

    fn call<T>(
        &mut self,
        who: &PrincipalArn,
        op: impl FnOnce(&mut World, &Caller, &mut Env<'_>) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut env = Env::new(self.now, &mut self.rng);
        op(&mut self.world, &Caller::new(who.clone()), &mut env)
    }

    fn days(&mut self, days: i64) {
        self.now = self.now.plus_millis(days * DAY_MILLIS);
    }

    /// A key created by the account's root user with the default policy; returns its id and ARN.
    fn create(&mut self, account: &str, request: CreateKeyRequest) -> (String, String) {
        let created = self
            .call(&root(account), |w, c, e| w.create_key(c, e, request))
            .unwrap();
        (created.key_metadata.key_id, created.key_metadata.arn)
    }

    fn describe(
        &mut self,
        who: &PrincipalArn,
        key_id: &str,
    ) -> Result<KeyMetadataResponse, KmsError> {
        let request = DescribeKeyRequest {
            key_id: key_id.to_owned(),
            ..Default::default()
        };
        self.call(who, |w, c, e| w.describe_key(c, e, request))
    }

    /// CreateAlias by the account's root user.
    fn alias(&mut self, who: &PrincipalArn, alias: &str, key_id: &str) -> Result<(), KmsError> {
        let request = AliasRequest {
            alias_name: alias.into(),
            target_key_id: key_id.into(),
        };
        self.call(who, |w, c, e| w.create_alias(c, e, request))
    }

    /// ScheduleKeyDeletion by the account's root user.
    fn schedule(
        &mut self,
        key_id: &str,
        days: Option<u32>,
    ) -> Result<ScheduleKeyDeletionResponse, KmsError> {
        let request = ScheduleKeyDeletionRequest {
            key_id: key_id.into(),
            pending_window_in_days: days,
        };
        self.call(&root(ACCOUNT), |w, c, e| {
            w.schedule_key_deletion(c, e, request)
        })
    }

    fn state(&mut self, key_id: &str) -> &'static str {
        self.describe(&root(ACCOUNT), key_id)
            .unwrap()
            .key_metadata
            .key_state
    }
}

fn name(result: Result<impl Sized, KmsError>) -> &'static str {
    result.err().map_or("ok", |e| e.exception_name())
}

#[test]
fn create_key_defaults_and_metadata_shape() {
    // API CreateKey: SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS, Enabled, CreationDate from the
    // clock; DescribeKey's KeyMetadata field names (API DescribeKey example).
    let mut h = Harness::new();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    assert!(KeyId::parse(&id).is_some());
    assert_eq!(arn, format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}"));
    let metadata = h.describe(&root(ACCOUNT), &id).unwrap();
    let json = serde_json::to_value(&metadata).unwrap();
    let m = &json["KeyMetadata"];
    assert_eq!(m["AWSAccountId"], ACCOUNT);
    assert_eq!(m["KeyId"], id.as_str());
    assert_eq!(m["Arn"], arn.as_str());
    assert_eq!(m["CreationDate"], json!(1_704_067_200.0));
    assert_eq!(m["Enabled"], true);
    assert_eq!(m["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(m["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["CustomerMasterKeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["KeyManager"], "CUSTOMER");
    assert_eq!(m["Origin"], "AWS_KMS");
    assert_eq!(m["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert!(m.get("DeletionDate").is_none());
}

#[test]
fn create_key_without_policy_gets_the_default_policy_text() {
    // KMS Developer Guide, key-policy-default.html; API GetKeyPolicy returns the policy as stored.
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let request = GetKeyPolicyRequest {
        key_id: id.clone(),
        policy_name: Some("default".into()),
    };
    let policy = h
        .call(&root(ACCOUNT), |w, c, e| w.get_key_policy(c, e, request))
        .unwrap();
    assert_eq!(policy.policy, default_key_policy(ACCOUNT));
    let other_name = GetKeyPolicyRequest {
        key_id: id.clone(),
        policy_name: Some("other".into()),
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.get_key_policy(c, e, other_name))),
        "NotFoundException"
    );
    let names = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_key_policies(c, e, KeyIdRequest::new(&id))
        })
        .unwrap();
    assert_eq!(names.policy_names, ["default"]);
}

#[test]
fn unmodelled_key_types_are_refused_clearly() {
    // ML_DSA_65 is a KMS key spec (API CreateKey, KeySpec) the playground does not model.
    let mut h = Harness::new();
    let request = CreateKeyRequest {
        key_spec: Some("ML_DSA_65".into()),
        key_usage: Some("SIGN_VERIFY".into()),
        ..Default::default()
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.create_key(c, e, request))),
        "UnsupportedOperationException"
    );
}

#[test]
fn unknown_callers_are_not_recognized() {
    let mut h = Harness::new();
    assert_eq!(
        name(
            h.call(&arn("arn:aws:iam::111122223333:user/Nobody"), |w, c, e| {
                w.create_key(c, e, CreateKeyRequest::default())
            })
        ),
        "UnrecognizedClientException"
    );
}

#[test]
fn disable_enable_and_the_disabled_state() {
    // API DisableKey / EnableKey; KMS Developer Guide, key-state.html.
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.call(&root(ACCOUNT), |w, c, e| {
        w.disable_key(c, e, KeyIdRequest::new(&id))
    })
    .unwrap();
    assert_eq!(h.state(&id), "Disabled");
    assert!(
        !h.describe(&root(ACCOUNT), &id)
            .unwrap()
            .key_metadata
            .enabled
    );
    h.call(&root(ACCOUNT), |w, c, e| {
        w.enable_key(c, e, KeyIdRequest::new(&id))
    })
    .unwrap();
    assert_eq!(h.state(&id), "Enabled");
}

#[test]
fn schedule_and_cancel_deletion() {
    // API ScheduleKeyDeletion (7–30 days, default 30; response fields) and CancelKeyDeletion
    // (the key is left Disabled: KMS Developer Guide, deleting-keys-scheduling-key-deletion.html).
    let mut h = Harness::new();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    for days in [6, 31] {
        let error = h.schedule(&id, Some(days)).unwrap_err();
        assert_eq!(error.exception_name(), "ValidationException");
        assert_eq!(
            error.message(),
            "PendingWindowInDays must be between 7 and 30"
        );
    }
    let scheduled = h.schedule(&id, None).unwrap();
    assert_eq!(scheduled.key_id, arn);
    assert_eq!(scheduled.key_state, "PendingDeletion");
    assert_eq!(scheduled.pending_window_in_days, 30);
    assert_eq!(
        scheduled.deletion_date,
        Some(NOW.plus_millis(30 * DAY_MILLIS))
    );
    let metadata = h.describe(&root(ACCOUNT), &id).unwrap().key_metadata;
    assert_eq!(metadata.pending_deletion_window_in_days, Some(30));
    // Pending deletion: EnableKey fails, the policy can still be read.
    let error = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.enable_key(c, e, KeyIdRequest::new(&id))
        })
        .unwrap_err();
    assert_eq!(error.exception_name(), "KMSInvalidStateException");
    assert_eq!(error.message(), format!("{arn} is pending deletion."));
    let cancelled = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.cancel_key_deletion(c, e, KeyIdRequest::new(&id))
        })
        .unwrap();
    assert_eq!(cancelled.key_id, arn);
    assert_eq!(h.state(&id), "Disabled");
    let again = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.cancel_key_deletion(c, e, KeyIdRequest::new(&id))
        })
        .unwrap_err();
    assert_eq!(again.message(), format!("{arn} is not pending deletion."));
}

#[test]
fn a_key_is_deleted_with_its_aliases_when_the_waiting_period_ends() {
    // KMS Developer Guide, deleting-keys.html: at the end of the waiting period KMS deletes the
    // key and its aliases; later requests get NotFoundException.
    let mut h = Harness::new();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.alias(&root(ACCOUNT), "alias/doomed", &id).unwrap();
    h.schedule(&id, Some(7)).unwrap();
    h.days(6);
    assert_eq!(h.state(&id), "PendingDeletion");
    h.days(1);
    let gone = h.describe(&root(ACCOUNT), &id).unwrap_err();
    assert_eq!(gone.exception_name(), "NotFoundException");
    assert_eq!(gone.message(), format!("Key '{arn}' does not exist"));
    assert_eq!(
        h.describe(&root(ACCOUNT), "alias/doomed")
            .unwrap_err()
            .message(),
        format!("Alias arn:aws:kms:us-east-1:{ACCOUNT}:alias/doomed is not found.")
    );
}

#[test]
fn management_operations_take_a_key_id_or_arn_not_an_alias() {
    // API EnableKey and others: "Specify the key ID or key ARN"; DescribeKey also takes aliases.
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.alias(&root(ACCOUNT), "alias/app", &id).unwrap();
    let error = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.disable_key(c, e, KeyIdRequest::new("alias/app"))
        })
        .unwrap_err();
    assert_eq!(error.exception_name(), "NotFoundException");
    assert_eq!(error.message(), "Invalid keyId 'alias/app'");
    assert_eq!(
        h.describe(&root(ACCOUNT), "alias/app")
            .unwrap()
            .key_metadata
            .key_id,
        id
    );
    let alias_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/app");
    assert_eq!(
        h.describe(&root(ACCOUNT), &alias_arn)
            .unwrap()
            .key_metadata
            .key_id,
        id
    );
}

#[test]
fn alias_rules() {
    // API CreateAlias / UpdateAlias / DeleteAlias / ListAliases: unique per account and Region
    // (AlreadyExistsException), alias/aws/ reserved (InvalidAliasNameException), UpdateAlias
    // target not pending deletion (key-state.html footnote 10), no cross-account alias operations.
    let mut h = Harness::new();
    let (first, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let (second, second_arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    let create = |alias: &str, key: &str| AliasRequest {
        alias_name: alias.into(),
        target_key_id: key.into(),
    };
    h.alias(&root(ACCOUNT), "alias/app", &first).unwrap();
    let duplicate = h.alias(&root(ACCOUNT), "alias/app", &second).unwrap_err();
    assert_eq!(duplicate.exception_name(), "AlreadyExistsException");
    assert_eq!(
        duplicate.message(),
        format!("An alias with the name arn:aws:kms:us-east-1:{ACCOUNT}:alias/app already exists")
    );
    assert_eq!(
        name(h.alias(&root(ACCOUNT), "alias/aws/ebs", &first)),
        "InvalidAliasNameException"
    );
    // The same name in another account is another alias.
    let (other, _) = h.create(OTHER, CreateKeyRequest::default());
    h.alias(&root(OTHER), "alias/app", &other).unwrap();
    assert_eq!(
        h.describe(&root(OTHER), "alias/app")
            .unwrap()
            .key_metadata
            .key_id,
        other
    );
    assert_eq!(
        h.describe(&root(ACCOUNT), "alias/app")
            .unwrap()
            .key_metadata
            .key_id,
        first
    );
    // An alias cannot point at another account's key.
    let cross = h
        .alias(&root(OTHER), "alias/theirs", &second_arn)
        .unwrap_err();
    assert_eq!(cross.exception_name(), "AccessDeniedException");
    // UpdateAlias moves it; a target pending deletion is refused.
    h.call(&root(ACCOUNT), |w, c, e| {
        w.update_alias(c, e, create("alias/app", &second))
    })
    .unwrap();
    assert_eq!(
        h.describe(&root(ACCOUNT), "alias/app")
            .unwrap()
            .key_metadata
            .key_id,
        second
    );
    h.schedule(&first, Some(7)).unwrap();
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.update_alias(
            c,
            e,
            create("alias/app", &first)
        ))),
        "KMSInvalidStateException"
    );
    let listed = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_aliases(
                c,
                e,
                ListAliasesRequest {
                    key_id: Some(second.clone()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(listed.aliases.len(), 1);
    assert_eq!(listed.aliases[0].alias_name, "alias/app");
    h.call(&root(ACCOUNT), |w, c, e| {
        w.delete_alias(
            c,
            e,
            DeleteAliasRequest {
                alias_name: "alias/app".into(),
            },
        )
    })
    .unwrap();
    assert_eq!(
        name(h.describe(&root(ACCOUNT), "alias/app")),
        "NotFoundException"
    );
}

#[test]
fn alias_operations_need_iam_permission_on_the_alias_too() {
    // KMS Developer Guide, alias-access.html: kms:CreateAlias on the alias (IAM policy) and on
    // the key (key policy, or IAM through the root statement).
    let mut h = Harness::new();
    let alice = h.world.add_user(ACCOUNT, "Alice").unwrap();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.world
        .put_identity_policy(
            &alice,
            "KeyOnly",
            &allow_policy(&["kms:CreateAlias"], &[&arn]),
        )
        .unwrap();
    let request = AliasRequest {
        alias_name: "alias/mine".into(),
        target_key_id: id.clone(),
    };
    let denied = h
        .call(&alice, |w, c, e| w.create_alias(c, e, request.clone()))
        .unwrap_err();
    assert!(denied.message().contains(&format!(
        "on resource: arn:aws:kms:us-east-1:{ACCOUNT}:alias/mine"
    )));
    h.world
        .put_identity_policy(
            &alice,
            "KeyOnly",
            &allow_policy(
                &["kms:CreateAlias"],
                &[&arn, &format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/*")],
            ),
        )
        .unwrap();
    h.call(&alice, |w, c, e| w.create_alias(c, e, request))
        .unwrap();
}

#[test]
fn tags() {
    // API TagResource / UntagResource / ListResourceTags: aws: prefix reserved (TagException).
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let tag = |k: &str, v: &str| Tag {
        tag_key: k.into(),
        tag_value: v.into(),
    };
    let request = TagResourceRequest {
        key_id: id.clone(),
        tags: vec![tag("team", "blue"), tag("env", "prod")],
    };
    h.call(&root(ACCOUNT), |w, c, e| w.tag_resource(c, e, request))
        .unwrap();
    let request = TagResourceRequest {
        key_id: id.clone(),
        tags: vec![tag("team", "red")],
    };
    h.call(&root(ACCOUNT), |w, c, e| w.tag_resource(c, e, request))
        .unwrap();
    let reserved = TagResourceRequest {
        key_id: id.clone(),
        tags: vec![tag("aws:owner", "x")],
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.tag_resource(c, e, reserved))),
        "TagException"
    );
    // API Reference, Tag: keys and values hold only Unicode letters, digits, spaces and
    // `_ . : / = + - @`.
    for (key, value) in [("team#1", "x"), ("team", "a,b"), ("team", "<b>")] {
        let bad = TagResourceRequest {
            key_id: id.clone(),
            tags: vec![tag(key, value)],
        };
        assert_eq!(
            name(h.call(&root(ACCOUNT), |w, c, e| w.tag_resource(c, e, bad))),
            "TagException",
            "{key}={value}"
        );
    }
    let allowed = TagResourceRequest {
        key_id: id.clone(),
        tags: vec![tag("Équipe a_b.c:d/e=f+g-h@i", "ünï 9")],
    };
    h.call(&root(ACCOUNT), |w, c, e| w.tag_resource(c, e, allowed))
        .unwrap();
    let untag = UntagResourceRequest {
        key_id: id.clone(),
        tag_keys: vec!["Équipe a_b.c:d/e=f+g-h@i".into()],
    };
    h.call(&root(ACCOUNT), |w, c, e| w.untag_resource(c, e, untag))
        .unwrap();
    let untag = UntagResourceRequest {
        key_id: id.clone(),
        tag_keys: vec!["env".into()],
    };
    h.call(&root(ACCOUNT), |w, c, e| w.untag_resource(c, e, untag))
        .unwrap();
    let listed = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_resource_tags(
                c,
                e,
                ListResourceTagsRequest {
                    key_id: id.clone(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(listed.tags, vec![tag("team", "red")]);
}

#[test]
fn rotation_automatic_and_on_demand() {
    // API EnableKeyRotation (90–2560 days), GetKeyRotationStatus, RotateKeyOnDemand,
    // ListKeyRotations; KMS Developer Guide, rotate-keys.html.
    let mut h = Harness::new();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    let bad = EnableKeyRotationRequest {
        key_id: id.clone(),
        rotation_period_in_days: Some(89),
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.enable_key_rotation(c, e, bad))),
        "ValidationException"
    );
    let enable = EnableKeyRotationRequest {
        key_id: id.clone(),
        rotation_period_in_days: Some(90),
    };
    h.call(&root(ACCOUNT), |w, c, e| {
        w.enable_key_rotation(c, e, enable)
    })
    .unwrap();
    let status = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.get_key_rotation_status(c, e, KeyIdRequest::new(&id))
        })
        .unwrap();
    assert!(status.key_rotation_enabled);
    assert_eq!(status.key_id, arn);
    assert_eq!(status.rotation_period_in_days, Some(90));
    assert_eq!(
        status.next_rotation_date,
        Some(NOW.plus_millis(90 * DAY_MILLIS))
    );
    h.call(&root(ACCOUNT), |w, c, e| {
        w.rotate_key_on_demand(c, e, KeyIdRequest::new(&id))
    })
    .unwrap();
    h.days(181);
    let rotations = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_key_rotations(
                c,
                e,
                ListKeyRotationsRequest {
                    key_id: id.clone(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let kinds: Vec<&str> = rotations
        .rotations
        .iter()
        .map(|r| r.rotation_type)
        .collect();
    assert_eq!(kinds, ["ON_DEMAND", "AUTOMATIC", "AUTOMATIC"]);
    assert_eq!(
        rotations.rotations[1].rotation_date,
        NOW.plus_millis(90 * DAY_MILLIS)
    );
    assert_eq!(
        h.world
            .keys
            .with_id(&KeyId::parse(&id).unwrap())
            .next()
            .unwrap()
            .ring
            .current_version(),
        4
    );
}

/// The import flow with real wrapping is in `import.rs` (feature `asymmetric`). Without the
/// feature (the browser build) GetParametersForImport cannot make the RSA wrapping key and says
/// where it is available, as CreateKey does for asymmetric key specs (API Reference,
/// GetParametersForImport: the public key is "the public key of an RSA key pair").
#[cfg(not(feature = "asymmetric"))]
#[test]
fn get_parameters_for_import_needs_the_asymmetric_build() {
    let mut h = Harness::new();
    let (id, _) = h.create(
        ACCOUNT,
        CreateKeyRequest {
            origin: Some("EXTERNAL".into()),
            ..Default::default()
        },
    );
    let request = GetParametersForImportRequest {
        key_id: id.clone(),
        wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
        wrapping_key_spec: "RSA_2048".into(),
    };
    let error = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.get_parameters_for_import(c, e, request)
        })
        .unwrap_err();
    assert_eq!(error.exception_name(), "KMSInternalException");
    assert!(
        error.message().contains("not loaded yet"),
        "{}",
        error.message()
    );
    // No token was handed out, so none imports.
    let request = ImportKeyMaterialRequest {
        key_id: id.clone(),
        import_token: vec![0; 32],
        encrypted_key_material: vec![0; 32],
        expiration_model: Some(kms_engine::store::ExpirationModel::DoesNotExpire),
        valid_to: None,
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| {
            w.import_key_material(c, e, request)
        })),
        "InvalidImportTokenException"
    );
    assert_eq!(h.state(&id), "PendingImport");
}

#[test]
fn import_operations_refuse_keys_with_kms_material() {
    // KMS Developer Guide, key-state.html footnote 9.
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let request = GetParametersForImportRequest {
        key_id: id,
        wrapping_algorithm: "RSAES_OAEP_SHA_256".into(),
        wrapping_key_spec: "RSA_2048".into(),
    };
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| {
            w.get_parameters_for_import(c, e, request)
        })),
        "UnsupportedOperationException"
    );
}

#[test]
fn list_keys_pages_through_the_callers_account_only() {
    // API ListKeys: keys in the caller's account and Region; Limit and Marker paging.
    let mut h = Harness::new();
    for _ in 0..3 {
        h.create(ACCOUNT, CreateKeyRequest::default());
    }
    h.create(OTHER, CreateKeyRequest::default());
    let first = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_keys(
                c,
                e,
                ListRequest {
                    limit: Some(2),
                    marker: None,
                },
            )
        })
        .unwrap();
    assert_eq!(first.keys.len(), 2);
    assert!(first.truncated);
    let rest = h
        .call(&root(ACCOUNT), |w, c, e| {
            w.list_keys(
                c,
                e,
                ListRequest {
                    limit: Some(2),
                    marker: first.next_marker,
                },
            )
        })
        .unwrap();
    assert_eq!(rest.keys.len(), 1);
    assert!(!rest.truncated);
    assert_eq!(
        name(h.call(&root(ACCOUNT), |w, c, e| w.list_keys(
            c,
            e,
            ListRequest {
                limit: None,
                marker: Some("bogus".into())
            }
        ))),
        "InvalidMarkerException"
    );
}

fn put_policy(
    h: &mut Harness,
    who: &PrincipalArn,
    key_id: &str,
    policy: String,
    bypass: bool,
) -> Result<(), KmsError> {
    let request = PutKeyPolicyRequest {
        key_id: key_id.to_owned(),
        policy_name: Some("default".into()),
        policy,
        bypass_policy_lockout_safety_check: Some(bypass),
    };
    h.call(who, |w, c, e| w.put_key_policy(c, e, request))
}

#[test]
fn lockout_safety_check_refuses_a_policy_that_shuts_out_the_caller() {
    // API PutKeyPolicy, BypassPolicyLockoutSafetyCheck: "The new key policy will not allow you to
    // update the key policy in the future." (MalformedPolicyDocumentException).
    let mut h = Harness::new();
    let admin = h.world.add_user(ACCOUNT, "Admin").unwrap();
    let other = h.world.add_user(ACCOUNT, "Other").unwrap();
    let admin_only = |who: &str| {
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": who}, "Action": "kms:*", "Resource": "*"
        }]})
        .to_string()
    };
    let (id, _) = h.create(
        ACCOUNT,
        CreateKeyRequest {
            policy: Some(admin_only(admin.as_str())),
            bypass_policy_lockout_safety_check: Some(true),
            ..Default::default()
        },
    );
    let error = put_policy(&mut h, &admin, &id, admin_only(other.as_str()), false).unwrap_err();
    assert_eq!(error.exception_name(), "MalformedPolicyDocumentException");
    assert_eq!(
        error.message(),
        "The new key policy will not allow you to update the key policy in the future."
    );
    // With the bypass the change goes through, and the caller is locked out.
    put_policy(&mut h, &admin, &id, admin_only(other.as_str()), true).unwrap();
    assert_eq!(
        name(put_policy(
            &mut h,
            &admin,
            &id,
            admin_only(admin.as_str()),
            false
        )),
        "AccessDeniedException"
    );
}

#[test]
fn lockout_safety_check_counts_the_callers_iam_policies() {
    // semantics §6: a policy that only trusts the account still fails when the caller's IAM
    // policies do not allow kms:PutKeyPolicy (AWS Knowledge Center "update-key-policy-future").
    let mut h = Harness::new();
    let admin = h.world.add_user(ACCOUNT, "Admin").unwrap();
    let admin_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": admin}, "Action": "kms:*", "Resource": "*"
    }]})
    .to_string();
    let (id, arn) = h.create(
        ACCOUNT,
        CreateKeyRequest {
            policy: Some(admin_only),
            bypass_policy_lockout_safety_check: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(
        name(put_policy(
            &mut h,
            &admin,
            &id,
            default_key_policy(ACCOUNT),
            false
        )),
        "MalformedPolicyDocumentException"
    );
    h.world
        .put_identity_policy(
            &admin,
            "Manage",
            &allow_policy(&["kms:PutKeyPolicy"], &[&arn]),
        )
        .unwrap();
    put_policy(&mut h, &admin, &id, default_key_policy(ACCOUNT), false).unwrap();
}

#[test]
fn create_key_applies_the_lockout_check_to_a_supplied_policy() {
    // API CreateKey: the lockout safety check applies to the Policy parameter.
    let mut h = Harness::new();
    let creator = h.world.add_user(ACCOUNT, "Creator").unwrap();
    let someone = h.world.add_user(ACCOUNT, "Someone").unwrap();
    h.world
        .put_identity_policy(
            &creator,
            "Create",
            &allow_policy(&["kms:CreateKey"], &["*"]),
        )
        .unwrap();
    let not_me = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": someone}, "Action": "kms:*", "Resource": "*"
    }]})
    .to_string();
    let request = CreateKeyRequest {
        policy: Some(not_me.clone()),
        ..Default::default()
    };
    assert_eq!(
        name(h.call(&creator, |w, c, e| w.create_key(c, e, request))),
        "MalformedPolicyDocumentException"
    );
    assert_eq!(h.world.keys.keys().count(), 0);
    let bypass = CreateKeyRequest {
        policy: Some(not_me),
        bypass_policy_lockout_safety_check: Some(true),
        ..Default::default()
    };
    h.call(&creator, |w, c, e| w.create_key(c, e, bypass))
        .unwrap();
}

#[test]
fn key_policies_kms_refuses() {
    // KMS Developer Guide, key-policy-overview.html and API PutKeyPolicy: principals KMS cannot
    // find (MalformedPolicyDocumentException "Policy contains a statement with one or more invalid
    // principals."), more than 32 KB (LimitExceededException).
    let mut h = Harness::new();
    let (id, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let ghost = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": user(ACCOUNT, "Ghost")}, "Action": "kms:*", "Resource": "*"}
    ]})
    .to_string();
    let error = put_policy(&mut h, &root(ACCOUNT), &id, ghost, false).unwrap_err();
    assert_eq!(error.exception_name(), "MalformedPolicyDocumentException");
    assert_eq!(
        error.message(),
        "Policy contains a statement with one or more invalid principals."
    );
    let huge = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "x".repeat(33_000), "Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"}
    ]})
    .to_string();
    assert_eq!(
        name(put_policy(&mut h, &root(ACCOUNT), &id, huge, false)),
        "LimitExceededException"
    );
    assert_eq!(
        name(put_policy(
            &mut h,
            &root(ACCOUNT),
            &id,
            "{\"Version\": ".into(),
            false
        )),
        "MalformedPolicyDocumentException"
    );
}

#[test]
fn put_key_policy_works_in_every_key_state() {
    // KMS Developer Guide, key-state.html: PutKeyPolicy succeeds in every state (Enabled,
    // Disabled, PendingDeletion, PendingImport), and GetKeyPolicy then returns the new text.
    let mut h = Harness::new();
    let (enabled, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    let (disabled, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.call(&root(ACCOUNT), |w, c, e| {
        w.disable_key(c, e, KeyIdRequest::new(&disabled))
    })
    .unwrap();
    let (pending_deletion, _) = h.create(ACCOUNT, CreateKeyRequest::default());
    h.schedule(&pending_deletion, Some(7)).unwrap();
    let (pending_import, _) = h.create(
        ACCOUNT,
        CreateKeyRequest {
            origin: Some("EXTERNAL".into()),
            ..Default::default()
        },
    );
    let new_policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "Replaced",
        "Effect": "Allow",
        "Principal": {"AWS": root(ACCOUNT)},
        "Action": "kms:*",
        "Resource": "*"
    }]})
    .to_string();
    for (id, state) in [
        (&enabled, "Enabled"),
        (&disabled, "Disabled"),
        (&pending_deletion, "PendingDeletion"),
        (&pending_import, "PendingImport"),
    ] {
        assert_eq!(h.state(id), state);
        put_policy(&mut h, &root(ACCOUNT), id, new_policy.clone(), false)
            .unwrap_or_else(|e| panic!("PutKeyPolicy in {state}: {e}"));
        let request = GetKeyPolicyRequest {
            key_id: id.clone(),
            policy_name: Some("default".into()),
        };
        let stored = h
            .call(&root(ACCOUNT), |w, c, e| w.get_key_policy(c, e, request))
            .unwrap();
        assert_eq!(
            stored.policy, new_policy,
            "policy after PutKeyPolicy in {state}"
        );
    }
}

#[test]
fn denied_calls_carry_who_was_refused_what() {
    let mut h = Harness::new();
    let alice = h.world.add_user(ACCOUNT, "Alice").unwrap();
    let (id, arn) = h.create(ACCOUNT, CreateKeyRequest::default());
    let error = h
        .call(&alice, |w, c, e| {
            w.disable_key(c, e, KeyIdRequest::new(&id))
        })
        .unwrap_err();
    assert_eq!(
        error.message(),
        format!(
            "User: {alice} is not authorized to perform: kms:DisableKey on resource: {arn} because no identity-based policy allows the kms:DisableKey action"
        )
    );
    let denied = error.denial().unwrap();
    assert_eq!(
        (
            denied.caller.as_str(),
            denied.action,
            denied.resource.as_str()
        ),
        (alice.as_str(), Action::DisableKey, arn.as_str())
    );
    assert_eq!(denied.form, DenialForm::NoIdentityPolicyAllows);
    assert_eq!(
        error.cli_line("DisableKey"),
        format!(
            "An error occurred (AccessDeniedException) when calling the DisableKey operation: {}",
            error.message()
        )
    );
}

/// Every KMS operation the engine implements, by its API name, with the method that runs it:
/// each takes a request deserialized from the wire's PascalCase JSON (fields it does not have
/// are ignored, as the AWS SDKs' models do) and its response is serialized back to JSON, so
/// the random sequences below can feed one operation's results (ciphertexts, grant tokens,
/// import tokens) to the next.
macro_rules! operations {
    ($($name:literal => $method:ident,)*) => {
        const OPERATIONS: &[&str] = &[$($name),*];

        /// Runs operation `name` with `input`; `None` when the input is not a valid request.
        fn run_operation(
            world: &mut World,
            caller: &Caller,
            env: &mut Env<'_>,
            name: &str,
            input: serde_json::Value,
        ) -> Option<Result<serde_json::Value, KmsError>> {
            match name {
                $($name => {
                    let request = serde_json::from_value(input).ok()?;
                    Some(world.$method(caller, env, request).map(|r| serde_json::to_value(r).unwrap()))
                })*
                _ => None,
            }
        }
    };
}

operations! {
    "CreateKey" => create_key,
    "DescribeKey" => describe_key,
    "ListKeys" => list_keys,
    "UpdateKeyDescription" => update_key_description,
    "EnableKey" => enable_key,
    "DisableKey" => disable_key,
    "ScheduleKeyDeletion" => schedule_key_deletion,
    "CancelKeyDeletion" => cancel_key_deletion,
    "CreateAlias" => create_alias,
    "UpdateAlias" => update_alias,
    "DeleteAlias" => delete_alias,
    "ListAliases" => list_aliases,
    "Encrypt" => encrypt,
    "Decrypt" => decrypt,
    "ReEncrypt" => re_encrypt,
    "GenerateDataKey" => generate_data_key,
    "GenerateDataKeyWithoutPlaintext" => generate_data_key_without_plaintext,
    "GenerateRandom" => generate_random,
    "GenerateMac" => generate_mac,
    "VerifyMac" => verify_mac,
    "CreateGrant" => create_grant,
    "ListGrants" => list_grants,
    "ListRetirableGrants" => list_retirable_grants,
    "RetireGrant" => retire_grant,
    "RevokeGrant" => revoke_grant,
    "GetParametersForImport" => get_parameters_for_import,
    "ImportKeyMaterial" => import_key_material,
    "DeleteImportedKeyMaterial" => delete_imported_key_material,
    "GetKeyPolicy" => get_key_policy,
    "PutKeyPolicy" => put_key_policy,
    "ListKeyPolicies" => list_key_policies,
    "EnableKeyRotation" => enable_key_rotation,
    "DisableKeyRotation" => disable_key_rotation,
    "GetKeyRotationStatus" => get_key_rotation_status,
    "RotateKeyOnDemand" => rotate_key_on_demand,
    "ListKeyRotations" => list_key_rotations,
    "TagResource" => tag_resource,
    "UntagResource" => untag_resource,
    "ListResourceTags" => list_resource_tags,
}

/// What a random sequence may put in a request: the world's own names and ids, what earlier
/// responses returned, and values that are wrong in every way a caller gets them wrong.
struct Pools {
    callers: Vec<PrincipalArn>,
    keys: Vec<String>,
    aliases: Vec<String>,
    blobs: Vec<String>,
    grant_tokens: Vec<String>,
    grant_ids: Vec<String>,
    import_tokens: Vec<String>,
    macs: Vec<String>,
}

impl Pools {
    fn of(world: &World) -> Pools {
        // The world's principals six times over: most calls come from someone who exists.
        let existing: Vec<PrincipalArn> = world
            .principals()
            .filter_map(|p| p.arn().cloned())
            .collect();
        let mut callers: Vec<PrincipalArn> =
            (0..6).flat_map(|_| existing.iter().cloned()).collect();
        // Principals the world does not have (text that is no principal ARN cannot be a caller).
        callers.extend(
            [
                "arn:aws:iam::444455556666:user/Stranger",
                "arn:aws:iam::999999999999:root",
                "arn:aws:sts::111122223333:assumed-role/Nope/s",
            ]
            .map(arn),
        );
        let mut keys = vec![
            String::new(),
            "1234abcd-12ab-34cd-56ef-1234567890ab".to_owned(),
            "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .to_owned(),
            "alias/aws/ebs".to_owned(),
            "alias/".to_owned(),
            "arn:aws:kms:us-east-1:111122223333:alias/missing".to_owned(),
            "x".repeat(3000),
        ];
        let mut aliases = vec![
            "alias/new".to_owned(),
            "alias/aws/x".to_owned(),
            "bad".to_owned(),
        ];
        // The world's keys and aliases six times over: most calls name one that exists.
        for _ in 0..6 {
            for key in world.keys.keys() {
                keys.push(key.id.to_string());
                keys.push(key.arn.clone());
            }
            for alias in world.keys.aliases() {
                keys.push(alias.name.clone());
                keys.push(alias.arn.clone());
                aliases.push(alias.name.clone());
            }
        }
        Pools {
            callers,
            keys,
            aliases,
            blobs: vec![String::new(), "AAAA".to_owned(), "not base64!".to_owned()],
            grant_tokens: vec!["token".to_owned()],
            grant_ids: vec![String::new(), "0".repeat(64)],
            import_tokens: vec![String::new()],
            macs: vec!["AAAA".to_owned()],
        }
    }

    /// Keeps what a response returned for later requests.
    fn harvest(&mut self, response: &serde_json::Value) {
        let string = |field: &str| {
            response
                .get(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        self.blobs.extend(string("CiphertextBlob"));
        self.grant_tokens.extend(string("GrantToken"));
        self.grant_ids.extend(string("GrantId"));
        self.import_tokens.extend(string("ImportToken"));
        self.macs.extend(string("Mac"));
        if let Some(id) = string("KeyId") {
            self.keys.push(id);
        }
        if let Some(id) = response
            .pointer("/KeyMetadata/Arn")
            .and_then(|v| v.as_str())
        {
            self.keys.push(id.to_owned());
        }
    }

    /// A request with every field some operation reads, each chosen by the next byte; an
    /// optional field is often absent (`null`), so that requests get past validation.
    fn request(&self, choices: &[u8]) -> serde_json::Value {
        use serde_json::Value;
        let bytes = std::cell::RefCell::new(choices.iter().copied().cycle());
        let next = || usize::from(bytes.borrow_mut().next().unwrap_or(0));
        let pick = |options: &[String]| options[next() % options.len()].clone();
        let value = |options: &[Value]| options[next() % options.len()].clone();
        let s = |options: &[&str]| options.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let v = |options: &[&str]| {
            options
                .iter()
                .map(|o| serde_json::from_str(o).unwrap())
                .collect::<Vec<Value>>()
        };
        let deny_all = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]})
        .to_string();
        let policies = [
            Value::Null,
            Value::from(default_key_policy("111122223333")),
            Value::from(deny_all),
            Value::from("{"),
        ];
        let callers: Vec<String> = self.callers.iter().map(PrincipalArn::to_string).collect();
        json!({
            "KeyId": pick(&self.keys),
            "TargetKeyId": pick(&self.keys),
            "SourceKeyId": pick(&self.keys),
            "DestinationKeyId": pick(&self.keys),
            "AliasName": pick(&self.aliases),
            "Description": pick(&s(&["a key", "a key", "", &"d".repeat(9000)])),
            "Plaintext": pick(&s(&["aGVsbG8=", "aGVsbG8=", "aGVsbG8=", "", &"A".repeat(8000)])),
            "CiphertextBlob": pick(&self.blobs),
            "EncryptionContext": value(&v(&["null", r#"{"dept": "eng"}"#, "{}"])),
            "SourceEncryptionContext": value(&v(&["null", r#"{"dept": "eng"}"#])),
            "DestinationEncryptionContext": value(&v(&["null", r#"{"dept": "eng"}"#])),
            "GrantTokens": value(&[json!([]), json!([pick(&self.grant_tokens)])]),
            "GrantToken": pick(&self.grant_tokens),
            "GrantId": pick(&self.grant_ids),
            "GranteePrincipal": pick(&callers),
            "RetiringPrincipal": value(&[Value::Null, Value::from(pick(&callers))]),
            "Operations": [pick(&s(&["Encrypt", "Decrypt", "CreateGrant", "RetireGrant", "Sign", "Nope"]))],
            "Constraints": value(&v(&["null", r#"{"EncryptionContextSubset": {"dept": "eng"}}"#])),
            "NumberOfBytes": value(&v(&["null", "null", "0", "32", "1025"])),
            "KeySpec": value(&v(&["null", "null", r#""AES_256""#, r#""SYMMETRIC_DEFAULT""#, r#""HMAC_256""#, r#""bogus""#])),
            "KeyUsage": value(&v(&["null", r#""ENCRYPT_DECRYPT""#, r#""GENERATE_VERIFY_MAC""#, r#""SIGN_VERIFY""#])),
            "Message": pick(&s(&["aGVsbG8=", "", &"A".repeat(8000)])),
            "MacAlgorithm": pick(&s(&["HMAC_SHA_256", "HMAC_SHA_512", "x"])),
            "Mac": pick(&self.macs),
            "Origin": value(&v(&["null", r#""EXTERNAL""#, r#""AWS_CLOUDHSM""#])),
            "Policy": value(&policies),
            "PolicyName": value(&v(&["null", r#""default""#, r#""other""#])),
            "BypassPolicyLockoutSafetyCheck": value(&v(&["null", "true"])),
            "PendingWindowInDays": value(&v(&["null", "7", "30", "31"])),
            "RotationPeriodInDays": value(&v(&["null", "90", "2560", "1"])),
            "WrappingAlgorithm": pick(&s(&["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256", "x"])),
            "WrappingKeySpec": pick(&s(&["RSA_2048", "RSA_4096", "x"])),
            "ImportToken": pick(&self.import_tokens),
            "EncryptedKeyMaterial": pick(&s(&["", "AAAA"])),
            "Tags": [{"TagKey": pick(&s(&["team", "aws:x", ""])), "TagValue": "v"}],
            "TagKeys": [pick(&s(&["team", "missing"]))],
            "Limit": value(&v(&["null", "1", "1001"])),
            "Marker": value(&v(&["null", r#""1""#, r#""zzz""#])),
            "DryRun": value(&v(&["null", "null", "null", "true"])),
        })
    }
}

/// Bytes that run out at once: the source of a browser or OS without secure randomness.
struct Exhausted;

impl kms_engine::entropy::Randomness for Exhausted {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), kms_engine::entropy::RandomnessUnavailable> {
        Err(kms_engine::entropy::RandomnessUnavailable {
            message: "no secure random source".to_owned(),
        })
    }
}

/// The generated requests reach every operation: each reads one (a request that does not
/// deserialize is skipped by the property below, so this keeps it from skipping them all).
#[test]
fn every_operation_reads_a_generated_request() {
    let mut world = world();
    let pools = Pools::of(&world);
    let mut rng = SeededRandomness::new(7);
    for name in OPERATIONS {
        let mut env = Env::new(NOW, &mut rng);
        let request = pools.request(&[1; 40]);
        let caller = Caller::new(root(ACCOUNT));
        assert!(
            run_operation(&mut world, &caller, &mut env, name, request).is_some(),
            "{name} does not read the generated request"
        );
    }
}

#[test]
fn every_operation_is_a_kms_api_action() {
    for name in OPERATIONS {
        assert!(
            Action::ALL.iter().any(|a| a.operation() == *name),
            "{name} is not an operation of the action catalog"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// Random worlds (the generator's lecture-shaped accounts, principals, keys, policies and
    /// grants) and random sequences of every operation, by any caller, with the world's own ids,
    /// earlier results and wrong values alike, sometimes with the random source failing: no
    /// operation panics, and every refusal is a KMS exception with AWS's name (whose message may be empty, as
    /// AWS's `InvalidCiphertextException` is).
    #[test]
    fn random_operations_on_random_worlds_never_panic(
        principals in 1usize..8,
        keys in 1usize..5,
        seed in proptest::prelude::any::<u64>(),
        calls in proptest::collection::vec(
            (0..OPERATIONS.len(), proptest::prelude::any::<u8>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 40), 0u8..16),
            1..24,
        ),
    ) {
        let text = kms_engine::scenario::generate(principals, keys, seed).to_json();
        let mut world = kms_engine::scenario::load(&text, NOW, &mut SeededRandomness::new(seed)).unwrap().world;
        let mut pools = Pools::of(&world);
        let mut rng = SeededRandomness::new(seed ^ 1);
        let mut now = NOW;
        for (operation, caller, choices, step) in calls {
            let name = OPERATIONS[operation];
            let caller = Caller::new(pools.callers[usize::from(caller) % pools.callers.len()].clone());
            now = now.plus_millis(i64::from(step) * 3 * DAY_MILLIS);
            let mut exhausted = Exhausted;
            let source: &mut dyn kms_engine::entropy::Randomness = if step == 0 { &mut exhausted } else { &mut rng };
            let mut env = Env::new(now, source);
            let request = pools.request(&choices);
            let Some(outcome) = run_operation(&mut world, &caller, &mut env, name, request) else {
                continue;
            };
            match outcome {
                Ok(response) => pools.harvest(&response),
                Err(error) => {
                    proptest::prop_assert!(!error.exception_name().is_empty());
                    proptest::prop_assert!(error.exception_name().ends_with("Exception"), "{}", error.exception_name());
                }
            }
        }
    }
}
