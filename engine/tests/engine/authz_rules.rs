//! The authorization rules of semantics §1, each pinned with its AWS source.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::authz::{
    self, AuthzRequest, IdentityAllow, Note, Reason, RequestParams, StepKind, StepResult, Target,
};
use kms_engine::catalog::Action;
use kms_engine::entropy::SeededRandomness;
use kms_engine::kms::{Caller, CreateKeyRequest, DescribeKeyRequest};
use kms_engine::policy::eval::Decision;
use kms_engine::policy::{ConsoleKeySpec, console_key_policy};
use kms_engine::world::World;
use serde_json::json;

fn key_policy(statements: serde_json::Value) -> String {
    json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
}

fn allow_stmt(principals: &[&str], actions: &[&str]) -> serde_json::Value {
    json!({ "Effect": "Allow", "Principal": {"AWS": principals}, "Action": actions, "Resource": "*" })
}

fn deny_stmt(principals: &[&str], actions: &[&str]) -> serde_json::Value {
    json!({ "Effect": "Deny", "Principal": {"AWS": principals}, "Action": actions, "Resource": "*" })
}

fn key_arn(world: &World, key: &str) -> String {
    world.keys.get_by_arn(key).unwrap().arn.clone()
}

fn setup() -> (World, PrincipalArn) {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    (world, alice)
}

#[test]
fn nobody_has_implicit_access_not_even_the_root_user() {
    // KMS Developer Guide, key-policies.html: "Unless the key policy explicitly allows it, you
    // cannot use IAM policies to allow access to a KMS key"; the root user has no implicit access.
    let (mut world, alice) = setup();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[alice.as_str()],
            &["kms:*"]
        )]))),
        1,
    );
    let root_verdict = verdict(&world, &root(ACCOUNT), &key, Action::Decrypt);
    assert_eq!(root_verdict.decision, Decision::ImplicitDeny);
    assert_eq!(root_verdict.reason, Reason::NoResourcePolicyAllows);
}

#[test]
fn the_root_statement_lets_the_root_user_in_without_iam_policies() {
    // KMS Developer Guide, key-policy-default.html: the account principal covers the root user,
    // which needs no IAM policy.
    let (mut world, _) = setup();
    let key = add_key(&mut world, ACCOUNT, None, 1);
    let v = verdict(&world, &root(ACCOUNT), &key, Action::ScheduleKeyDeletion);
    assert_eq!(v.decision, Decision::Allow);
}

#[test]
fn the_root_statement_delegates_to_iam_it_allows_no_user_by_itself() {
    // KMS Developer Guide, key-policy-default.html ("Allows access to the AWS account and enables
    // IAM policies"): the statement gives IAM users nothing until an IAM policy allows.
    let (mut world, alice) = setup();
    let key = add_key(&mut world, ACCOUNT, None, 1);
    let before = verdict(&world, &alice, &key, Action::Encrypt);
    assert_eq!(before.decision, Decision::ImplicitDeny);
    assert_eq!(before.reason, Reason::NoIdentityPolicyAllows);
    let arn = key_arn(&world, &key);
    world
        .put_identity_policy(&alice, "Use", &allow_policy(&["kms:Encrypt"], &[&arn]))
        .unwrap();
    let after = verdict(&world, &alice, &key, Action::Encrypt);
    assert_eq!(
        after.reason,
        Reason::KeyPolicyAndIam {
            key_statement: 0,
            via_account: true,
            identity: IdentityAllow::Policy {
                policy: 0,
                statement: 0
            }
        }
    );
}

#[test]
fn iam_allows_are_ineffective_without_the_root_statement() {
    // KMS Developer Guide, key-policies.html: IAM policies allow nothing unless the key policy
    // enables them for the account.
    let (mut world, alice) = setup();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[bob.as_str()],
            &["kms:*"]
        )]))),
        1,
    );
    world
        .put_identity_policy(&alice, "All", &allow_policy(&["kms:*"], &["*"]))
        .unwrap();
    let v = verdict(&world, &alice, &key, Action::Decrypt);
    assert_eq!(v.reason, Reason::NoResourcePolicyAllows);
}

#[test]
fn iam_denies_count_even_without_the_root_statement() {
    // KMS Developer Guide, key-policies.html: an explicit deny in an IAM policy is effective
    // whether or not the key policy delegates to IAM.
    let (mut world, alice) = setup();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[alice.as_str()],
            &["kms:*"]
        )]))),
        1,
    );
    world
        .put_identity_policy(&alice, "NoDecrypt", &deny_policy(&["kms:Decrypt"], &["*"]))
        .unwrap();
    let v = verdict(&world, &alice, &key, Action::Decrypt);
    assert_eq!(v.decision, Decision::ExplicitDeny);
    assert_eq!(
        v.reason,
        Reason::ExplicitDenyInIdentityPolicy {
            policy: 0,
            statement: 0
        }
    );
    let e = explain(&world, &alice, &key, Action::Decrypt);
    assert!(e.notes.contains(&Note::IdentityDenyWithoutDelegation));
    assert!(
        e.access_denied_message
            .unwrap()
            .ends_with("with an explicit deny in an identity-based policy")
    );
    assert!(verdict(&world, &alice, &key, Action::Encrypt).is_allowed());
}

#[test]
fn a_key_policy_deny_beats_every_allow() {
    // IAM User Guide, reference_policies_evaluation-logic.html: an explicit deny overrides any allow.
    let (mut world, alice) = setup();
    let policy = key_policy(json!([
        allow_stmt(&[alice.as_str()], &["kms:*"]),
        deny_stmt(&[alice.as_str()], &["kms:Decrypt"])
    ]));
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    assert_eq!(
        verdict(&world, &alice, &key, Action::Decrypt).reason,
        Reason::ExplicitDenyInKeyPolicy { statement: 1 }
    );
    assert!(verdict(&world, &alice, &key, Action::Encrypt).is_allowed());
}

#[test]
fn principal_star_allows_everyone_in_the_account_directly() {
    // KMS Developer Guide, key-policy-overview.html: "*" gives every identity access (other
    // accounts still need their own IAM allow, see the cross-account tests).
    let (mut world, alice) = setup();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(&["*"], &["kms:Encrypt"])]))),
        1,
    );
    assert_eq!(
        verdict(&world, &alice, &key, Action::Encrypt).reason,
        Reason::KeyPolicy { statement: 0 }
    );
}

#[test]
fn a_role_principal_covers_its_sessions_and_a_session_principal_only_itself() {
    // IAM User Guide, reference_policies_elements_principal.html: a role ARN matches its
    // assumed-role sessions; a session ARN matches only that session.
    let mut world = world();
    let role = world.add_role(ACCOUNT, "App").unwrap();
    let one = world.add_session(&role, "one").unwrap();
    let two = world.add_session(&role, "two").unwrap();
    let by_role = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[role.as_str()],
            &["kms:Decrypt"]
        )]))),
        1,
    );
    let by_session = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[one.as_str()],
            &["kms:Decrypt"]
        )]))),
        2,
    );
    assert!(verdict(&world, &one, &by_role, Action::Decrypt).is_allowed());
    assert!(verdict(&world, &two, &by_role, Action::Decrypt).is_allowed());
    assert!(verdict(&world, &one, &by_session, Action::Decrypt).is_allowed());
    assert!(!verdict(&world, &two, &by_session, Action::Decrypt).is_allowed());
}

#[test]
fn a_session_uses_its_roles_identity_policies() {
    // IAM User Guide, id_roles.html: a role session has the permissions of the role's policies.
    let mut world = world();
    let role = world.add_role(ACCOUNT, "App").unwrap();
    let session = world.add_session(&role, "s1").unwrap();
    let key = add_key(&mut world, ACCOUNT, None, 1);
    assert!(!verdict(&world, &session, &key, Action::Encrypt).is_allowed());
    world
        .put_identity_policy(&role, "Use", &allow_policy(&["kms:Encrypt"], &["*"]))
        .unwrap();
    assert!(verdict(&world, &session, &key, Action::Encrypt).is_allowed());
}

fn cross_account_world(key_policy_statements: serde_json::Value) -> (World, PrincipalArn, String) {
    let mut world = world();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(key_policy_statements)),
        1,
    );
    (world, partner, key)
}

#[test]
fn cross_account_needs_the_key_policy_and_an_iam_policy_in_the_callers_account() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html: both the key policy and
    // an IAM policy in the external account must allow; neither alone is enough.
    let (mut world, partner, key) = cross_account_world(json!([
        allow_stmt(&[root(ACCOUNT).as_str()], &["kms:*"]),
        allow_stmt(
            &[root(OTHER).as_str()],
            &["kms:Decrypt", "kms:PutKeyPolicy"]
        )
    ]));
    let no_iam = verdict(&world, &partner, &key, Action::Decrypt);
    assert_eq!(no_iam.reason, Reason::NoIdentityPolicyAllows);
    world
        .put_identity_policy(
            &partner,
            "Use",
            &allow_policy(&["kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy"], &["*"]),
        )
        .unwrap();
    let both = verdict(&world, &partner, &key, Action::Decrypt);
    assert!(both.is_allowed());
    assert!(matches!(
        both.reason,
        Reason::KeyPolicyAndIam {
            key_statement: 1,
            ..
        }
    ));
    // The key policy is the ceiling: Encrypt was not given to the other account.
    assert_eq!(
        verdict(&world, &partner, &key, Action::Encrypt).reason,
        Reason::NoResourcePolicyAllows
    );
    // Operations that do not work across accounts have no effect, whatever both sides say.
    assert_eq!(
        verdict(&world, &partner, &key, Action::PutKeyPolicy).reason,
        Reason::NotCrossAccount
    );
    let e = explain(&world, &partner, &key, Action::Decrypt);
    assert!(e.notes.contains(&Note::CrossAccountNeedsBothSides));
}

#[test]
fn naming_an_external_user_in_the_key_policy_still_needs_its_iam_policy() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html: even a key policy that
    // names the external user needs an IAM policy in the user's account.
    let mut world = world();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[partner.as_str()],
            &["kms:Decrypt"]
        )]))),
        1,
    );
    assert_eq!(
        verdict(&world, &partner, &key, Action::Decrypt).reason,
        Reason::NoIdentityPolicyAllows
    );
    world
        .put_identity_policy(
            &partner,
            "Use",
            &allow_policy(&["kms:Decrypt"], &[&key_arn(&world, &key)]),
        )
        .unwrap();
    assert!(matches!(
        verdict(&world, &partner, &key, Action::Decrypt).reason,
        Reason::KeyPolicyAndIam {
            via_account: false,
            ..
        }
    ));
}

#[test]
fn the_other_accounts_root_user_needs_no_iam_policy_across_accounts() {
    // IAM User Guide, reference_policies_evaluation-logic-cross-account.html: the trusted
    // account's side is its identity evaluation, which the root user passes.
    let (world, _, key) = cross_account_world(json!([allow_stmt(
        &[root(OTHER).as_str()],
        &["kms:Decrypt"]
    )]));
    let v = verdict(&world, &root(OTHER), &key, Action::Decrypt);
    assert!(v.is_allowed());
    assert!(matches!(
        v.reason,
        Reason::KeyPolicyAndIam {
            identity: IdentityAllow::RootUser,
            ..
        }
    ));
}

#[test]
fn iam_only_actions_use_identity_policies_alone() {
    // KMS Developer Guide, kms-api-permissions-reference.html: kms:CreateKey, kms:ListKeys,
    // kms:ListAliases, kms:GenerateRandom are IAM-only (Resource "*").
    let (mut world, alice) = setup();
    let principal = world.principal(&alice).unwrap().clone();
    let params = RequestParams::default();
    let request = |action| AuthzRequest {
        caller: &principal,
        action,
        target: Target::Account,
        params: &params,
        now: NOW,
    };
    let denied = authz::explain(&world, &request(Action::CreateKey));
    assert_eq!(denied.verdict.reason, Reason::NoIdentityPolicyAllows);
    assert_eq!(
        denied.access_denied_message.as_deref(),
        Some(format!("User: {alice} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action").as_str())
    );
    assert_eq!(denied.steps[0].kind, StepKind::IamOnly);
    assert_eq!(denied.steps[0].result, StepResult::Yes);
    world
        .put_identity_policy(&alice, "Create", &allow_policy(&["kms:CreateKey"], &["*"]))
        .unwrap();
    let principal = world.principal(&alice).unwrap().clone();
    let request = AuthzRequest {
        caller: &principal,
        ..request(Action::CreateKey)
    };
    assert!(authz::decide(&world, &request).is_allowed());
    // A Resource naming keys does not cover CreateKey, whose resource is "*".
    world
        .put_identity_policy(
            &alice,
            "Create",
            &allow_policy(&["kms:CreateKey"], &["arn:aws:kms:*:111122223333:key/*"]),
        )
        .unwrap();
    let principal = world.principal(&alice).unwrap().clone();
    let request = AuthzRequest {
        caller: &principal,
        ..request
    };
    assert!(!authz::decide(&world, &request).is_allowed());
}

#[test]
fn a_bare_key_id_is_looked_up_in_the_callers_account() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html: use the key ARN (or alias
    // ARN) for a key in another account; a key id or alias name means the caller's account.
    let (mut world, partner, key) = cross_account_world(json!([allow_stmt(
        &[root(OTHER).as_str()],
        &["kms:DescribeKey"]
    )]));
    world
        .put_identity_policy(&partner, "Use", &allow_policy(&["kms:DescribeKey"], &["*"]))
        .unwrap();
    let mut rng = SeededRandomness::new(9);
    let id = world.keys.get_by_arn(&key).unwrap().id.to_string();
    let by_id = world.describe_key(
        &Caller::new(partner.clone()),
        &mut env(&mut rng),
        DescribeKeyRequest {
            key_id: id.clone(),
            ..Default::default()
        },
    );
    let error = by_id.unwrap_err();
    assert_eq!(error.exception_name(), "NotFoundException");
    assert_eq!(
        error.message(),
        format!("Key 'arn:aws:kms:us-east-1:{OTHER}:key/{id}' does not exist")
    );
    let by_arn = world.describe_key(
        &Caller::new(partner.clone()),
        &mut env(&mut rng),
        DescribeKeyRequest {
            key_id: key_arn(&world, &key),
            ..Default::default()
        },
    );
    assert_eq!(by_arn.unwrap().key_metadata.key_id, id);
}

#[test]
fn console_grant_statement_does_not_let_key_users_create_grants_directly() {
    // KMS Developer Guide, conditions-kms.html#conditions-kms-grant-is-for-aws-resource: the
    // condition "doesn't allow the user to call these grant operations directly".
    let (mut world, alice) = setup();
    let spec = ConsoleKeySpec {
        users: vec![alice.to_string()],
        ..ConsoleKeySpec::new(ACCOUNT)
    };
    let key = add_key(&mut world, ACCOUNT, Some(&console_key_policy(&spec)), 1);
    let direct = explain(&world, &alice, &key, Action::CreateGrant);
    assert_eq!(direct.verdict.reason, Reason::NoIdentityPolicyAllows);
    assert!(direct.notes.contains(&Note::GrantStatementIsForAwsServices));

    let principal = world.principal(&alice).unwrap();
    let params = RequestParams {
        via_service: Some("ebs.us-east-1.amazonaws.com".into()),
        ..RequestParams::default()
    };
    let via_service = authz::decide(
        &world,
        &AuthzRequest {
            caller: principal,
            action: Action::CreateGrant,
            target: Target::Key(world.keys.get_by_arn(&key).unwrap()),
            params: &params,
            now: NOW,
        },
    );
    assert_eq!(via_service.reason, Reason::KeyPolicy { statement: 2 });
}

#[test]
fn key_administrators_can_give_themselves_use_and_the_explanation_says_so() {
    // KMS Developer Guide, key-policy-default.html: kms:Put* and kms:Create* in the administrators'
    // statement; the lecture says administrators cannot use the key (semantics §10).
    let (mut world, alice) = setup();
    let spec = ConsoleKeySpec {
        administrators: vec![alice.to_string()],
        ..ConsoleKeySpec::new(ACCOUNT)
    };
    let key = add_key(&mut world, ACCOUNT, Some(&console_key_policy(&spec)), 1);
    let encrypt = explain(&world, &alice, &key, Action::Encrypt);
    assert!(!encrypt.is_allowed());
    assert!(
        encrypt
            .notes
            .contains(&Note::AdministratorsCanGrantThemselves)
    );
    assert!(verdict(&world, &alice, &key, Action::PutKeyPolicy).is_allowed());
    assert!(verdict(&world, &alice, &key, Action::CreateGrant).is_allowed());
    assert!(!verdict(&world, &alice, &key, Action::Decrypt).is_allowed());
}

#[test]
fn conditions_see_the_request_context_the_authorizer_builds() {
    // KMS Developer Guide, conditions-kms.html (kms:CallerAccount, kms:ViaService) and IAM User
    // Guide, reference_policies_condition-keys.html (aws:PrincipalTag, aws:ResourceTag): the
    // AWS managed key pattern "*" + kms:CallerAccount + kms:ViaService, and tag-based access.
    let (mut world, alice) = setup();
    world
        .set_principal_tags(
            &alice,
            vec![kms_engine::store::Tag {
                tag_key: "team".into(),
                tag_value: "blue".into(),
            }],
        )
        .unwrap();
    let policy = key_policy(json!([
        {
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}
        },
        {
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}
        }
    ]));
    let mut rng = SeededRandomness::new(4);
    let mut setup = kms_engine::world::KeySetup::new(ACCOUNT);
    setup.policy = Some(policy);
    setup.tags = vec![kms_engine::store::Tag {
        tag_key: "team".into(),
        tag_value: "blue".into(),
    }];
    let key = world.add_key(setup, NOW, &mut rng).unwrap();
    assert!(!verdict(&world, &alice, &key, Action::Decrypt).is_allowed());
    let principal = world.principal(&alice).unwrap();
    let params = RequestParams {
        via_service: Some("s3.us-east-1.amazonaws.com".into()),
        ..RequestParams::default()
    };
    let target = Target::Key(world.keys.get_by_arn(&key).unwrap());
    let request = AuthzRequest {
        caller: principal,
        action: Action::Decrypt,
        target,
        params: &params,
        now: NOW,
    };
    assert!(authz::decide(&world, &request).is_allowed());
    assert!(verdict(&world, &alice, &key, Action::Encrypt).is_allowed());
    let e = explain(&world, &alice, &key, Action::Encrypt);
    assert!(
        e.context
            .iter()
            .any(|(k, v)| k == "aws:PrincipalTag/team" && v == &["blue"])
    );
}

#[test]
fn disabled_keys_refuse_allowed_callers_and_the_explanation_shows_it() {
    // KMS Developer Guide, key-state.html: a Disabled key fails cryptographic operations with
    // DisabledException; authorization is decided first.
    let (mut world, _) = setup();
    let key = add_key(&mut world, ACCOUNT, None, 1);
    world.set_key_enabled(&key, false).unwrap();
    let e = explain(&world, &root(ACCOUNT), &key, Action::Encrypt);
    assert!(e.is_allowed());
    let state = e.key_state.clone().unwrap();
    assert_eq!(state.exception, Some("DisabledException"));
    assert!(e.notes.contains(&Note::KeyStateRefuses));
    assert_eq!(e.steps.last().unwrap().kind, StepKind::KeyState);
    assert_eq!(e.steps.last().unwrap().result, StepResult::No);
}

#[test]
fn the_fast_path_and_the_explanation_agree_on_many_requests() {
    // One combining function serves both paths; check it over a mixed world.
    let (mut world, alice) = setup();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    let role = world.add_role(ACCOUNT, "App").unwrap();
    let session = world.add_session(&role, "s1").unwrap();
    let console = console_key_policy(&ConsoleKeySpec {
        administrators: vec![bob.to_string()],
        users: vec![alice.to_string(), role.to_string()],
        other_accounts: vec![OTHER.into()],
        ..ConsoleKeySpec::new(ACCOUNT)
    });
    let keys = [
        add_key(&mut world, ACCOUNT, None, 1),
        add_key(&mut world, ACCOUNT, Some(&console), 2),
        add_key(&mut world, OTHER, None, 3),
    ];
    world
        .put_identity_policy(&alice, "A", &allow_policy(&["kms:*"], &["*"]))
        .unwrap();
    world
        .put_identity_policy(&bob, "B", &deny_policy(&["kms:Decrypt"], &["*"]))
        .unwrap();
    world
        .put_identity_policy(
            &partner,
            "P",
            &allow_policy(&["kms:Decrypt", "kms:Encrypt"], &["*"]),
        )
        .unwrap();
    for caller in [
        &alice,
        &bob,
        &partner,
        &role,
        &session,
        &root(ACCOUNT),
        &root(OTHER),
    ] {
        for key in &keys {
            for &action in Action::ALL.iter().filter(|a| a.is_key_resource_action()) {
                // `verdict` asserts that decide and explain agree.
                let _ = verdict(&world, caller, key, action);
            }
        }
    }
}

#[test]
fn create_key_is_iam_only_and_the_key_policy_of_the_new_key_does_not_matter() {
    // API CreateKey: kms:CreateKey in an IAM policy; no key policy is consulted.
    let (mut world, alice) = setup();
    let mut rng = SeededRandomness::new(5);
    let denied = world
        .create_key(
            &Caller::new(alice.clone()),
            &mut env(&mut rng),
            CreateKeyRequest::default(),
        )
        .unwrap_err();
    assert_eq!(denied.exception_name(), "AccessDeniedException");
    assert_eq!(denied.denial().map(|d| d.action), Some(Action::CreateKey));
    let created = world
        .create_key(
            &Caller::new(root(ACCOUNT)),
            &mut env(&mut rng),
            CreateKeyRequest::default(),
        )
        .unwrap();
    assert_eq!(created.key_metadata.key_state, "Enabled");
}

#[test]
fn a_statement_that_names_the_caller_but_whose_condition_fails_is_named_in_the_explanation() {
    // IAM User Guide, reference_policies_elements_condition.html: a statement applies only when
    // its conditions hold; the statement below names Alice for kms:Encrypt, but a request without
    // the encryption context `dept=eng` does not meet its `StringEquals` condition
    // (KMS Developer Guide, conditions-kms.html, kms:EncryptionContext:context-key).
    let (mut world, alice) = setup();
    let mut statement = allow_stmt(&[alice.as_str()], &["kms:Encrypt"]);
    statement["Sid"] = json!("AliceWithContext");
    statement["Condition"] = json!({ "StringEquals": { "kms:EncryptionContext:dept": "eng" } });
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([statement]))),
        1,
    );
    let explanation = explain(&world, &alice, &key, Action::Encrypt);
    assert_eq!(explanation.verdict.decision, Decision::ImplicitDeny);
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::KeyPolicyAllowsCaller)
        .unwrap();
    assert_eq!(step.result, StepResult::No);
    assert!(
        step.text.contains("\"AliceWithContext\" names Alice")
            && step.text.contains("condition does not hold")
            && step.text.contains("kms:EncryptionContext:dept"),
        "{}",
        step.text
    );
    assert!(!step.text.contains("none names"), "{}", step.text);
    assert_eq!(step.statements.len(), 1, "the statement is pointed at");
    assert_eq!(step.statements[0].sid.as_deref(), Some("AliceWithContext"));

    // A statement that does not name the caller at all still reads as before.
    let other = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([allow_stmt(
            &[root(ACCOUNT).as_str()],
            &["kms:Encrypt"]
        )]))),
        2,
    );
    let step = explain(&world, &alice, &other, Action::Encrypt)
        .steps
        .into_iter()
        .find(|s| s.kind == StepKind::KeyPolicyAllowsCaller)
        .unwrap();
    assert!(step.text.contains("none names Alice"), "{}", step.text);
}

#[test]
fn a_matrix_cell_can_be_explained_for_a_request_with_an_encryption_context() {
    // KMS Developer Guide, conditions-kms.html (kms:EncryptionContext:context-key): the same
    // statement allows the request that carries the context and not the bare one the matrix
    // decides.
    let (mut world, alice) = setup();
    let mut statement = allow_stmt(&[alice.as_str()], &["kms:Encrypt"]);
    statement["Condition"] = json!({ "StringEquals": { "kms:EncryptionContext:dept": "eng" } });
    let key = add_key(
        &mut world,
        ACCOUNT,
        Some(&key_policy(json!([statement]))),
        1,
    );
    let matrix = kms_engine::matrix::Matrix::compute(
        &world,
        std::slice::from_ref(&alice),
        std::slice::from_ref(&key),
        &[Action::Encrypt],
        NOW,
    );
    let bare = matrix.explain(&world, 0, 0, 0).unwrap();
    assert_eq!(bare.verdict.decision, Decision::ImplicitDeny);
    let params = RequestParams {
        encryption_context: Some([("dept".to_owned(), "eng".to_owned())].into()),
        ..RequestParams::default()
    };
    let with_context = matrix.explain_with(&world, 0, 0, 0, &params).unwrap();
    assert_eq!(with_context.verdict.decision, Decision::Allow);
}
