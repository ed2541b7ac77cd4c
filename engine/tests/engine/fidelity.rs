//! Fidelity review of the authorization path: rules pinned with the AWS page that states them,
//! among them every rule the engine once answered differently from AWS (kms:ResourceAliases,
//! kms:BypassPolicyLockoutSafetyCheck, CreateKey's lockout check). Decisions are checked on every
//! path that makes one (the fast path, the explained path, the access matrix and the KMS API).

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::catalog::Action;
use kms_engine::entropy::SeededRandomness;
use kms_engine::error::KmsError;
use kms_engine::kms::{
    AliasRequest, CreateGrantRequest, CreateKeyRequest, EncryptRequest, PutKeyPolicyRequest,
};
use kms_engine::matrix::Matrix;
use kms_engine::policy::eval::Decision;
use kms_engine::world::World;
use serde_json::json;

fn key_policy(statements: serde_json::Value) -> String {
    json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
}

fn root_statement() -> serde_json::Value {
    json!({ "Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*" })
}

/// Gives `key` the alias `name`, as the account's root user would.
fn alias(world: &mut World, key: &str, name: &str) {
    let arn = world.keys.get_by_arn(key).unwrap().arn.clone();
    let mut rng = SeededRandomness::new(77);
    world
        .create_alias(
            &caller(&root(ACCOUNT)),
            &mut env(&mut rng),
            AliasRequest {
                alias_name: name.into(),
                target_key_id: arn,
            },
        )
        .unwrap();
}

/// The decision for one cell, asserting that the matrix agrees with the single-decision paths.
fn decision(world: &World, caller: &PrincipalArn, key: &str, action: Action) -> Decision {
    let single = verdict(world, caller, key, action);
    let matrix = Matrix::compute(
        world,
        std::slice::from_ref(caller),
        &[key.to_owned()],
        &[action],
        NOW,
    );
    assert_eq!(
        matrix.lookup(caller, key, action).unwrap().verdict,
        single,
        "the matrix and the authorizer disagree"
    );
    single.decision
}

// KMS Developer Guide, conditions-kms.html#conditions-kms-resource-aliases: kms:ResourceAliases
// has "Policy type: IAM policies only". A key policy never sees it, so a key-policy condition on
// it behaves as for a missing key (ForAnyValue: false), while the same condition in an IAM policy
// tests the key's aliases. (The lint warns about it in key policies for the same reason.)
#[test]
fn resource_aliases_is_a_condition_key_for_iam_policies_only() {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let charlie = world.add_user(ACCOUNT, "Charlie").unwrap();
    let condition = json!({"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance"}});
    let policy = key_policy(json!([
        root_statement(),
        {
            "Effect": "Allow", "Principal": {"AWS": alice}, "Action": "kms:Encrypt",
            "Resource": "*", "Condition": condition
        }
    ]));
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    alias(&mut world, &key, "alias/finance");
    let iam = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": "kms:Encrypt",
            "Resource": "arn:aws:kms:*:111122223333:key/*", "Condition": condition
        }]
    });
    world
        .put_identity_policy(&charlie, "FinanceKeys", &iam.to_string())
        .unwrap();

    assert_eq!(
        decision(&world, &alice, &key, Action::Encrypt),
        Decision::ImplicitDeny,
        "a key policy cannot test kms:ResourceAliases"
    );
    assert_eq!(
        decision(&world, &charlie, &key, Action::Encrypt),
        Decision::Allow,
        "an IAM policy can"
    );
    let explanation = explain(&world, &alice, &key, Action::Encrypt);
    let trace = explanation.key_policy_trace.unwrap();
    let condition = trace.statements[1].conditions.first().unwrap();
    assert!(!condition.holds);
}

/// The exception name of a failed call, or "ok".
fn outcome<T>(result: Result<T, KmsError>) -> &'static str {
    result.map_or_else(|e| e.exception_name(), |_| "ok")
}

// KMS Developer Guide, conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check: the
// key policy statement with `"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}` "allow[s]
// access only when the request does not include the BypassPolicyLockoutSafetyCheck parameter".
// So the key is absent from requests without the parameter, and the lockout safety check (which
// asks whether the caller could call PutKeyPolicy again, API PutKeyPolicy) judges such a request.
#[test]
fn bypass_policy_lockout_safety_check_is_in_the_context_only_when_the_request_sets_it() {
    let mut world = world();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let policy = key_policy(json!([
        root_statement(),
        {
            "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "kms:PutKeyPolicy",
            "Resource": "*", "Condition": {"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}}
        }
    ]));
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    let arn = world.keys.get_by_arn(&key).unwrap().arn.clone();
    let mut rng = SeededRandomness::new(3);
    let mut put = |world: &mut World, bypass: Option<bool>| {
        outcome(world.put_key_policy(
            &caller(&bob),
            &mut env(&mut rng),
            PutKeyPolicyRequest {
                key_id: arn.clone(),
                policy: policy.clone(),
                bypass_policy_lockout_safety_check: bypass,
                ..PutKeyPolicyRequest::default()
            },
        ))
    };
    assert_eq!(
        put(&mut world, None),
        "ok",
        "no parameter: the Null statement allows"
    );
    assert_eq!(put(&mut world, Some(false)), "AccessDeniedException");
    assert_eq!(put(&mut world, Some(true)), "AccessDeniedException");

    // CreateKey (IAM only): the same key in an IAM policy.
    let iam = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
            "Condition": {"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}}
        }]
    });
    world
        .put_identity_policy(&bob, "CreateKeys", &iam.to_string())
        .unwrap();
    let owned = key_policy(json!([
        root_statement(),
        { "Effect": "Allow", "Principal": {"AWS": bob}, "Action": "kms:*", "Resource": "*" }
    ]));
    let mut create = |world: &mut World, bypass: Option<bool>| {
        outcome(world.create_key(
            &caller(&bob),
            &mut env(&mut rng),
            CreateKeyRequest {
                policy: Some(owned.clone()),
                bypass_policy_lockout_safety_check: bypass,
                ..CreateKeyRequest::default()
            },
        ))
    };
    assert_eq!(create(&mut world, None), "ok");
    assert_eq!(create(&mut world, Some(false)), "AccessDeniedException");
}

// KMS API Reference, CreateKey, Policy: "If you provide a key policy, it must meet the following
// criteria: The key policy must allow the calling principal to make a subsequent PutKeyPolicy
// request ... If you do not provide a key policy, KMS attaches a default key policy". A caller
// with kms:CreateKey alone gets a key with the default policy; only a supplied policy is checked.
#[test]
fn create_key_checks_lockout_only_for_a_supplied_policy() {
    let mut world = world();
    let creator = world.add_user(ACCOUNT, "Creator").unwrap();
    world
        .put_identity_policy(
            &creator,
            "Create",
            &allow_policy(&["kms:CreateKey"], &["*"]),
        )
        .unwrap();
    let mut rng = SeededRandomness::new(5);
    let mut create = |world: &mut World, policy: Option<String>| {
        outcome(world.create_key(
            &caller(&creator),
            &mut env(&mut rng),
            CreateKeyRequest {
                policy,
                ..CreateKeyRequest::default()
            },
        ))
    };
    assert_eq!(create(&mut world, None), "ok", "the default key policy");
    // The same text, supplied: the creator's IAM policies do not allow kms:PutKeyPolicy.
    let default = kms_engine::policy::default_key_policy(ACCOUNT);
    assert_eq!(
        create(&mut world, Some(default)),
        "MalformedPolicyDocumentException"
    );
}

// KMS Developer Guide, conditions-kms.html#conditions-kms-request-alias: "To satisfy this
// condition, the value of the KeyId parameter in the request must be a matching alias name or
// alias ARN. If the request uses a different key identifier, it does not satisfy the condition,
// even if it identifies the same KMS key." The value is the alias name, also for an alias ARN.
#[test]
fn request_alias_is_the_alias_the_request_named_the_key_by() {
    let mut world = world();
    let developer = world.add_user(ACCOUNT, "Developer").unwrap();
    let policy = key_policy(json!([
        root_statement(),
        {
            "Effect": "Allow", "Principal": {"AWS": developer}, "Action": "kms:Encrypt",
            "Resource": "*", "Condition": {"StringEquals": {"kms:RequestAlias": "alias/finance-key"}}
        }
    ]));
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    alias(&mut world, &key, "alias/finance-key");
    let key_arn = world.keys.get_by_arn(&key).unwrap().arn.clone();
    let alias_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/finance-key");
    let mut rng = SeededRandomness::new(8);
    let mut encrypt = |key_id: &str| {
        outcome(world.encrypt(
            &caller(&developer),
            &mut env(&mut rng),
            EncryptRequest {
                key_id: key_id.to_owned(),
                plaintext: b"payroll".to_vec(),
                ..EncryptRequest::default()
            },
        ))
    };
    assert_eq!(encrypt("alias/finance-key"), "ok");
    assert_eq!(encrypt(&alias_arn), "ok");
    assert_eq!(encrypt(&key_arn), "AccessDeniedException");
    assert_eq!(encrypt(key.as_str()), "AccessDeniedException");
}

// KMS Developer Guide, conditions-kms.html (kms:EncryptionAlgorithm: a Deny in the key policy
// applies to grants too) and IAM User Guide, reference_policies_evaluation-logic.html (an explicit
// deny in any policy wins): a grant cannot override a Deny, in the key policy or in an IAM policy.
#[test]
fn an_explicit_deny_beats_a_grant() {
    let mut world = world();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    let policy = key_policy(json!([
        root_statement(),
        { "Effect": "Deny", "Principal": {"AWS": bob}, "Action": "kms:Encrypt", "Resource": "*" }
    ]));
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    let key_arn = world.keys.get_by_arn(&key).unwrap().arn.clone();
    world
        .put_identity_policy(&carol, "NoEncrypt", &deny_policy(&["kms:Encrypt"], &["*"]))
        .unwrap();
    world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(6);
    for grantee in [&bob, &carol] {
        world
            .create_grant(
                &caller(&root(ACCOUNT)),
                &mut env(&mut rng),
                CreateGrantRequest {
                    key_id: key_arn.clone(),
                    grantee_principal: grantee.to_string(),
                    operations: vec!["Encrypt".into()],
                    ..CreateGrantRequest::default()
                },
            )
            .unwrap();
    }
    for (grantee, deny) in [
        (&bob, "with an explicit deny in a resource-based policy"),
        (&carol, "with an explicit deny in an identity-based policy"),
    ] {
        let denied = world
            .encrypt(
                &caller(grantee),
                &mut env(&mut rng),
                EncryptRequest {
                    key_id: key_arn.clone(),
                    plaintext: b"x".to_vec(),
                    ..EncryptRequest::default()
                },
            )
            .unwrap_err();
        assert!(denied.message().ends_with(deny), "{}", denied.message());
        assert_eq!(
            decision(&world, grantee, &key, Action::Encrypt),
            Decision::ExplicitDeny
        );
    }
}
