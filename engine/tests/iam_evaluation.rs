//! IAM's evaluation beyond one identity policy: paths in principal ARNs, groups, managed
//! policies, permissions boundaries, session policies, SCPs and RCPs. Each rule cites the IAM
//! User Guide page it pins.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "fixtures fail the test on a bad setup"
)]

mod kms_common;

use kms_common::*;
use kms_engine::catalog::Action;
use kms_engine::policy::eval::Decision;
use kms_engine::world::{KeySetup, WorldError};
use serde_json::json;

fn key_policy(statements: serde_json::Value) -> String {
    json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
}

fn allow_stmt(principals: &[&str], actions: &[&str]) -> serde_json::Value {
    json!({ "Effect": "Allow", "Principal": {"AWS": principals}, "Action": actions, "Resource": "*" })
}

#[test]
fn principal_elements_match_the_full_arn_with_its_path() {
    // IAM User Guide, reference_identifiers.html ("IAM ARNs", "Friendly names and paths"): a
    // role created under /service-role/ is arn:aws:iam::ACCOUNT:role/service-role/NAME; its
    // sessions are arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION, without the path. A
    // Principal element names the role by its full ARN.
    let mut world = world();
    let role = world
        .add_role_at(ACCOUNT, "/service-role/", "lambda-exec")
        .unwrap();
    assert_eq!(
        role,
        format!("arn:aws:iam::{ACCOUNT}:role/service-role/lambda-exec")
    );
    let session = world.add_session(&role, "invocation").unwrap();
    assert_eq!(
        session,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/lambda-exec/invocation")
    );
    let user = world.add_user_at(ACCOUNT, "/eng/db/", "Alice").unwrap();
    assert_eq!(user, format!("arn:aws:iam::{ACCOUNT}:user/eng/db/Alice"));

    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[&role, &user],
            &["kms:Decrypt"]
        )]))),
        1,
    );
    for caller in [&role, &session, &user] {
        assert_eq!(
            verdict(&world, caller, &key, Action::Decrypt).decision,
            Decision::Allow,
            "{caller}"
        );
    }
    assert_eq!(
        verdict(&world, &session, &key, Action::Encrypt).decision,
        Decision::ImplicitDeny
    );

    // The role's ARN without its path names no principal KMS can find
    // (MalformedPolicyDocumentException).
    let pathless = format!("arn:aws:iam::{ACCOUNT}:role/lambda-exec");
    let refused = world.add_key(
        KeySetup {
            policy: Some(key_policy(json!([allow_stmt(
                &[&pathless],
                &["kms:Decrypt"]
            )]))),
            ..KeySetup::new(ACCOUNT)
        },
        NOW,
        &mut kms_engine::entropy::SeededRandomness::new(2),
    );
    assert!(matches!(refused, Err(WorldError::InvalidPolicy(_))));
}

#[test]
fn names_are_unique_in_an_account_whatever_the_path() {
    // IAM User Guide, reference_identifiers.html: "you can't have a role named
    // /division_abc/subdivision_xyz/ProductManager and another named /division_xyz/ProductManager"
    // — names are unique per account, paths do not make them distinct.
    let mut world = world();
    world.add_role_at(ACCOUNT, "/a/", "App").unwrap();
    assert!(matches!(
        world.add_role_at(ACCOUNT, "/b/", "App"),
        Err(WorldError::DuplicatePrincipal(_))
    ));
    assert_eq!(
        world.role_arn(ACCOUNT, "App"),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/a/App").as_str())
    );
    for bad in ["a/", "/a", "/a//b/", "/a b/", ""] {
        assert!(
            matches!(
                world.add_user_at(ACCOUNT, bad, "Bob"),
                Err(WorldError::InvalidName { what: "path", .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn scenarios_declare_principals_with_paths_and_their_sessions() {
    let text = r#"{
      "principals": [
        {"name": "exec", "arn": "arn:aws:iam::111122223333:role/service-role/lambda-exec"},
        {"name": "run", "arn": "arn:aws:sts::111122223333:assumed-role/lambda-exec/run-1"}
      ],
      "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/service-role/lambda-exec"},
         "Action": "kms:Decrypt", "Resource": "*"}]}}],
      "expect": [
        {"principal": "run", "key": "K", "action": "kms:Decrypt", "decision": "allow"},
        {"principal": "exec", "key": "K", "action": "kms:Encrypt", "decision": "implicit-deny"}
      ]
    }"#;
    let mut rng = kms_engine::entropy::SeededRandomness::new(1);
    let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
    let session = loaded
        .world
        .principal("arn:aws:sts::111122223333:assumed-role/lambda-exec/run-1")
        .unwrap();
    assert_eq!(session.path, "/service-role/");
    let results = kms_engine::scenario::check(
        &loaded.scenario,
        text,
        &loaded.world,
        NOW,
        kms_engine::scenario::Reasons::Failures,
    );
    assert!(results.iter().all(|r| r.passed), "{results:?}");
    // Written back, the file reads the same.
    let written = kms_engine::scenario::Scenario::from_world(&loaded.world, &loaded.scenario);
    assert!(written.to_json().contains("role/service-role/lambda-exec"));
}
