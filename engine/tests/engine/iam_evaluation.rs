//! IAM's evaluation beyond one identity policy: paths in principal ARNs, groups, managed
//! policies, permissions boundaries, session policies, SCPs and RCPs. Each rule cites the IAM
//! User Guide page it pins.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

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
            &[role.as_str(), user.as_str()],
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
        Some(&arn(&format!("arn:aws:iam::{ACCOUNT}:role/a/App")))
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
        .principal(&arn(
            "arn:aws:sts::111122223333:assumed-role/lambda-exec/run-1",
        ))
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

use kms_engine::authz::{Guardrail, Reason, StepKind, StepResult};
use kms_engine::scenario::{Loaded, Scenario};

/// Loads a scenario written in the scenario format.
fn load(text: &str) -> Loaded {
    let mut rng = kms_engine::entropy::SeededRandomness::new(1);
    match kms_engine::scenario::load(text, NOW, &mut rng) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{e}"),
    }
}

/// The verdict (checked against the explanation and `require`) for two scenario names.
fn decide(
    loaded: &Loaded,
    principal: &str,
    key: &str,
    action: Action,
) -> kms_engine::authz::Verdict {
    let (caller, key) = names(loaded, principal, key);
    verdict(&loaded.world, &caller, &key, action)
}

fn names(loaded: &Loaded, principal: &str, key: &str) -> (PrincipalArn, String) {
    let s = &loaded.scenario;
    let caller = s
        .principals
        .get(s.principal_index(principal).unwrap())
        .unwrap()
        .arn
        .clone();
    let key = s.keys.iter().find(|k| k.name == key).unwrap().arn.clone();
    (caller, key)
}

const TRUST_ACCOUNT: &str = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#;

fn key_with(statements: &[&str]) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    )
}

const USE_KMS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}"#;

#[test]
fn a_users_groups_inline_and_attached_policies_apply_to_the_user() {
    // IAM User Guide, id_groups.html: "Users in the group automatically have the permissions
    // that are assigned to the group"; a group is not a principal (it cannot be named in a
    // resource-based policy). access_policies_managed-vs-inline.html: managed policies attach
    // by ARN to users, groups and roles; the default version applies.
    let text = format!(
        r#"{{
      "principals": [{{"name": "Alice"}}, {{"name": "Bob"}}, {{"name": "App", "arn": "arn:aws:iam::111122223333:role/App"}}],
      "groups": [
        {{"name": "Crypto", "members": ["Alice"], "policies": [{{"name": "Use", "document": {USE_KMS}}}]}},
        {{"name": "Auditors", "arn": "arn:aws:iam::111122223333:group/audit/Auditors", "members": ["Bob"]}}
      ],
      "managed_policies": [
        {{"arn": "arn:aws:iam::aws:policy/DescribeKeys", "attached_to": ["Auditors", "App"],
          "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}}]}}}}
      ],
      "keys": [{{"name": "K", "policy": {}}}]
    }}"#,
        key_with(&[TRUST_ACCOUNT])
    );
    let loaded = load(&text);
    assert!(decide(&loaded, "Alice", "K", Action::Decrypt).is_allowed());
    assert!(!decide(&loaded, "Bob", "K", Action::Decrypt).is_allowed());
    assert!(decide(&loaded, "Bob", "K", Action::DescribeKey).is_allowed());
    assert!(decide(&loaded, "App", "K", Action::DescribeKey).is_allowed());
    assert!(!decide(&loaded, "App", "K", Action::Decrypt).is_allowed());
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    assert!(
        explanation.summary.contains("Crypto/Use"),
        "{}",
        explanation.summary
    );

    // A new default version of a managed policy applies at once to everything it is attached to.
    let mut world = loaded.world.clone();
    world
        .put_managed_policy("arn:aws:iam::aws:policy/DescribeKeys", USE_KMS)
        .unwrap();
    let (bob, _) = names(&loaded, "Bob", "K");
    assert!(verdict(&world, &bob, &key, Action::Decrypt).is_allowed());
    assert!(!verdict(&world, &bob, &key, Action::DescribeKey).is_allowed());
}

/// A role and a user with `kms:*` through IAM, both under a boundary that allows only Encrypt.
fn boundary_world(key_statements: &[&str]) -> Loaded {
    let text = format!(
        r#"{{
      "principals": [
        {{"name": "Alice", "permissions_boundary": "EncryptOnly",
          "policies": [{{"name": "All", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}]}}}}]}},
        {{"name": "App", "arn": "arn:aws:iam::111122223333:role/App", "permissions_boundary": "EncryptOnly",
          "policies": [{{"name": "All", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}]}}}}]}},
        {{"name": "run", "arn": "arn:aws:sts::111122223333:assumed-role/App/run"}}
      ],
      "managed_policies": [
        {{"name": "EncryptOnly", "document": {{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}},
          {{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}}]}}}}
      ],
      "keys": [{{"name": "K", "policy": {}}}]
    }}"#,
        key_with(key_statements)
    );
    load(&text)
}

#[test]
fn a_permissions_boundary_limits_identity_based_allows() {
    // IAM User Guide, access_policies_boundaries.html: "An entity's permissions boundary allows
    // it to perform only the actions that are allowed by both its identity-based policies and
    // its permissions boundaries"; an explicit deny in the boundary denies.
    let loaded = boundary_world(&[TRUST_ACCOUNT]);
    for who in ["Alice", "App", "run"] {
        assert!(
            decide(&loaded, who, "K", Action::Encrypt).is_allowed(),
            "{who}"
        );
        let decrypt = decide(&loaded, who, "K", Action::Decrypt);
        assert_eq!(decrypt.decision, Decision::ImplicitDeny, "{who}");
        assert_eq!(
            decrypt.reason,
            Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::PermissionsBoundary
            },
            "{who}"
        );
        let deletion = decide(&loaded, who, "K", Action::ScheduleKeyDeletion);
        assert_eq!(deletion.decision, Decision::ExplicitDeny, "{who}");
    }
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::PermissionsBoundary)
        .unwrap();
    assert_eq!(step.result, StepResult::No);
    assert!(
        explanation
            .access_denied_message
            .as_deref()
            .unwrap()
            .ends_with("because no permissions boundary allows the kms:Decrypt action")
    );
}

#[test]
fn a_key_policy_naming_the_user_or_the_session_is_not_limited_by_the_boundary_but_one_naming_the_role_is()
 {
    // IAM User Guide, access_policies_boundaries.html ("Resource-based policies") and
    // reference_policies_evaluation-logic_policy-eval-denyallow.html: within one account, a
    // resource-based policy that grants permissions to an IAM user ARN or a role session ARN is
    // not limited by an implicit deny in a permissions boundary; one that grants permissions to
    // the IAM role ARN is limited by it.
    let naming = |principals: &[&str]| {
        let list: Vec<String> = principals.iter().map(|p| format!("\"{p}\"")).collect();
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": [{}]}}, "Action": "kms:Decrypt", "Resource": "*"}}"#,
            list.join(",")
        )
    };
    let user = "arn:aws:iam::111122223333:user/Alice";
    let role = "arn:aws:iam::111122223333:role/App";
    let session = "arn:aws:sts::111122223333:assumed-role/App/run";

    let direct = boundary_world(&[&naming(&[user, session])]);
    for who in ["Alice", "run"] {
        assert_eq!(
            decide(&direct, who, "K", Action::Decrypt).reason,
            Reason::KeyPolicy { statement: 0 },
            "{who}"
        );
    }
    // Boundary denies still count.
    let deny_direct = boundary_world(&[
        &naming(&[user, session]).replace("kms:Decrypt", "kms:ScheduleKeyDeletion")
    ]);
    assert_eq!(
        decide(&deny_direct, "Alice", "K", Action::ScheduleKeyDeletion).decision,
        Decision::ExplicitDeny
    );

    let via_role = boundary_world(&[&naming(&[role])]);
    for who in ["App", "run"] {
        assert_eq!(
            decide(&via_role, who, "K", Action::Decrypt).reason,
            Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::PermissionsBoundary
            },
            "{who}"
        );
    }
}

#[test]
fn session_policies_limit_the_roles_permissions_except_where_the_session_is_named() {
    // IAM User Guide, access_policies.html#policies_session: "The resulting session's
    // permissions are the intersection of the entity's identity-based policies and the session
    // policies"; a resource-based policy that names the session ARN directly is not limited by
    // them, one that names the role ARN is (reference_policies_evaluation-logic_policy-eval-denyallow.html).
    let text = |key_statement: &str| {
        format!(
            r#"{{
      "principals": [
        {{"name": "App", "arn": "arn:aws:iam::111122223333:role/App",
          "policies": [{{"name": "Use", "document": {USE_KMS}}}]}},
        {{"name": "narrow", "arn": "arn:aws:sts::111122223333:assumed-role/App/narrow",
          "session_policies": [{{"name": "EncryptOnly", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}}]}}}}]}},
        {{"name": "managed", "arn": "arn:aws:sts::111122223333:assumed-role/App/managed",
          "session_policies": [{{"arn": "arn:aws:iam::111122223333:policy/NoDecrypt"}}]}}
      ],
      "managed_policies": [{{"arn": "arn:aws:iam::111122223333:policy/NoDecrypt", "document": {{"Version": "2012-10-17", "Statement": [
        {{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}, {{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}}]}}}}],
      "keys": [{{"name": "K", "policy": {}}}]
    }}"#,
            key_with(&[TRUST_ACCOUNT, key_statement])
        )
    };
    let decrypt_for = |principal: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "kms:Decrypt", "Resource": "*"}}"#
        )
    };
    let through_role = load(&text(&decrypt_for("arn:aws:iam::111122223333:role/App")));
    assert!(decide(&through_role, "App", "K", Action::Decrypt).is_allowed());
    assert!(decide(&through_role, "narrow", "K", Action::Encrypt).is_allowed());
    assert_eq!(
        decide(&through_role, "narrow", "K", Action::Decrypt).reason,
        Reason::GuardrailDoesNotAllow {
            guardrail: Guardrail::SessionPolicy
        }
    );
    assert_eq!(
        decide(&through_role, "managed", "K", Action::Decrypt).decision,
        Decision::ExplicitDeny
    );
    let named_session = load(&text(&decrypt_for(
        "arn:aws:sts::111122223333:assumed-role/App/narrow",
    )));
    assert_eq!(
        decide(&named_session, "narrow", "K", Action::Decrypt).reason,
        Reason::KeyPolicy { statement: 1 }
    );
}

#[test]
fn a_deny_with_not_principal_denies_every_principal_with_a_permissions_boundary_whatever_it_lists()
{
    // IAM User Guide, reference_policies_elements_notprincipal.html and
    // access_policies_boundaries.html: "The NotPrincipal element with a Deny effect will always
    // deny any IAM principal that has a permissions boundary policy attached, regardless of the
    // values specified in the NotPrincipal element." A session has its role's boundary.
    let listed = r#"["arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::111122223333:user/Bob",
        "arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:root"]"#;
    let text = format!(
        r#"{{
      "principals": [
        {{"name": "Alice", "permissions_boundary": "Everything"}},
        {{"name": "Bob"}},
        {{"name": "App", "arn": "arn:aws:iam::111122223333:role/App", "permissions_boundary": "Everything"}},
        {{"name": "run", "arn": "arn:aws:sts::111122223333:assumed-role/App/run"}}
      ],
      "managed_policies": [
        {{"name": "Everything", "document": {{"Version": "2012-10-17", "Statement": [
          {{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}]}}}}
      ],
      "keys": [{{"name": "K", "policy": {}}}]
    }}"#,
        key_with(&[
            &format!(
                r#"{{"Effect": "Allow", "Principal": {{"AWS": {listed}}}, "Action": "kms:*", "Resource": "*"}}"#
            ),
            &format!(
                r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": {listed}}}, "Action": "kms:*", "Resource": "*"}}"#
            ),
            // An Allow with NotPrincipal is not touched by the rule (it only concerns Deny).
            r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Bob"}, "Action": "kms:DescribeKey", "Resource": "*"}"#,
        ])
    );
    let loaded = load(&text);
    // Without a boundary, the list excludes Bob: the key policy allows him.
    assert!(decide(&loaded, "Bob", "K", Action::Encrypt).is_allowed());
    let matrix = kms_engine::matrix::Matrix::of_world(&loaded.world, &[Action::Encrypt], NOW);
    for who in ["Alice", "run"] {
        let verdict = decide(&loaded, who, "K", Action::Encrypt);
        assert_eq!(verdict.decision, Decision::ExplicitDeny, "{who}");
        assert_eq!(
            verdict.reason,
            Reason::ExplicitDenyInKeyPolicy { statement: 1 },
            "{who}"
        );
        let (caller, key) = names(&loaded, who, "K");
        assert_eq!(
            matrix
                .lookup(&caller, &key, Action::Encrypt)
                .unwrap()
                .verdict,
            verdict,
            "the matrix agrees for {who}"
        );
        let explanation = explain(&loaded.world, &caller, &key, Action::Encrypt);
        assert!(
            explanation
                .notes
                .contains(&kms_engine::authz::Note::NotPrincipalDenyIgnoresListForBoundaries),
            "{who}: {:?}",
            explanation.notes
        );
        let deny = &explanation.key_policy_trace.as_ref().unwrap().statements[1];
        assert!(deny.principal.boundary_overrides_not_principal);
        assert!(
            deny.principal
                .summary
                .contains("has a permissions boundary"),
            "{}",
            deny.principal.summary
        );
    }
    let (bob, key) = names(&loaded, "Bob", "K");
    assert!(
        !explain(&loaded.world, &bob, &key, Action::Encrypt)
            .notes
            .contains(&kms_engine::authz::Note::NotPrincipalDenyIgnoresListForBoundaries)
    );
}

/// Checks that `verdict` is an explicit Deny in a `guardrail` policy.
fn assert_denied_by(verdict: kms_engine::authz::Verdict, guardrail: Guardrail) {
    assert_eq!(verdict.decision, Decision::ExplicitDeny);
    assert!(
        matches!(verdict.reason, Reason::ExplicitDenyInGuardrail { guardrail: g, .. } if g == guardrail),
        "{:?}",
        verdict.reason
    );
}

/// Alice of member account 111122223333 (directly under the root), Mgmt of the management
/// account 999988887777, a key in each, and `scps`/`rcps` as given.
fn org_world(scps: &str, rcps: &str) -> Loaded {
    let everyone = r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::999988887777:user/Mgmt"]}, "Action": "kms:*", "Resource": "*"}"#;
    let text = format!(
        r#"{{
      "principals": [{{"name": "Alice"}}, {{"name": "Mgmt", "arn": "arn:aws:iam::999988887777:user/Mgmt",
        "policies": [{{"name": "Use", "document": {USE_KMS}}}]}}],
      "keys": [{{"name": "K", "policy": {k}}},
               {{"name": "M", "arn": "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab", "policy": {k}}}],
      "organization": {{"management_account": "999988887777", "accounts": ["111122223333"],
        "scps": {scps}, "rcps": {rcps}}}
    }}"#,
        k = key_with(&[everyone])
    );
    load(&text)
}

const FULL_ACCESS: &str = r#"{"name": "FullAWSAccess", "id": "p-FullAWSAccess", "targets": ["root", "111122223333"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}"#;

#[test]
fn an_scp_must_allow_and_not_deny_for_principals_of_member_accounts() {
    // AWS Organizations User Guide, orgs_manage_policies_scps_evaluation.html, and IAM User
    // Guide, reference_policies_evaluation-logic_policy-eval-denyallow.html: "If the
    // enforcement code does not find any Allow statements in the SCPs, it returns Deny"; SCPs do
    // not affect the management account. They limit every permission, key policy's included.
    let deny_decrypt = r#"{"name": "NoDecrypt", "targets": ["111122223333"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}}"#;
    let loaded = org_world(&format!("[{FULL_ACCESS}, {deny_decrypt}]"), "[]");
    assert!(decide(&loaded, "Alice", "K", Action::Encrypt).is_allowed());
    let denied = decide(&loaded, "Alice", "K", Action::Decrypt);
    assert_denied_by(denied, Guardrail::Scp);
    assert!(decide(&loaded, "Mgmt", "M", Action::Decrypt).is_allowed());

    // Only a root-level SCP that allows Encrypt: the account level has FullAWSAccess, the root
    // level lacks Decrypt, so nothing can allow it.
    let root_encrypt = r#"{"name": "EncryptOnly", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#;
    let account_full = FULL_ACCESS.replace(r#""root", "#, "");
    let loaded = org_world(&format!("[{root_encrypt}, {account_full}]"), "[]");
    assert!(decide(&loaded, "Alice", "K", Action::Encrypt).is_allowed());
    assert_eq!(
        decide(&loaded, "Alice", "K", Action::Decrypt).reason,
        Reason::GuardrailDoesNotAllow {
            guardrail: Guardrail::Scp
        }
    );
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    assert!(
        explanation
            .steps
            .iter()
            .any(|s| s.kind == StepKind::ServiceControlPolicies && s.result == StepResult::No)
    );
    assert!(
        explanation
            .access_denied_message
            .unwrap()
            .ends_with("because no service control policy allows the kms:Decrypt action")
    );
}

#[test]
fn the_scp_step_names_only_the_scps_that_allow() {
    // AWS Organizations User Guide, orgs_manage_policies_scps_evaluation.html: a request needs an
    // SCP that allows it at every level; a Deny-only SCP whose Deny does not apply allows
    // nothing, so the explanation must not count it among those that allow.
    let deny_decrypt = r#"{"name": "NoDecrypt", "targets": ["111122223333"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}}"#;
    let loaded = org_world(&format!("[{FULL_ACCESS}, {deny_decrypt}]"), "[]");
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Encrypt);
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::ServiceControlPolicies)
        .unwrap();
    assert_eq!(step.result, StepResult::Yes);
    assert_eq!(
        step.text,
        "FullAWSAccess allows it. NoDecrypt neither allows nor denies it."
    );
}

#[test]
fn an_rcp_limits_use_of_member_account_keys_but_not_the_management_accounts_or_services() {
    // AWS Organizations User Guide, orgs_manage_policies_rcps.html: RCPs apply to resources of
    // member accounts, not of the management account, and "RCPs do not apply to ... requests
    // made by AWS service principals"; RCPFullAWSAccess is attached everywhere, so only Deny
    // statements change decisions.
    let rcp = r#"{"name": "OnlyOurOrg", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}]}}"#;
    let loaded = org_world(&format!("[{FULL_ACCESS}]"), &format!("[{rcp}]"));
    assert!(decide(&loaded, "Alice", "K", Action::Decrypt).is_allowed());
    // Mgmt uses the member account's key: the RCP denies it.
    let denied = decide(&loaded, "Mgmt", "K", Action::Decrypt);
    assert_denied_by(denied, Guardrail::Rcp);
    // No RCP on the management account's own key.
    assert!(decide(&loaded, "Mgmt", "M", Action::Decrypt).is_allowed());
    // An AWS service principal's request meets no RCP (nor SCP).
    let service = kms_engine::world::Principal::service("cloudtrail.amazonaws.com");
    let (_, key) = names(&loaded, "Alice", "K");
    let key = loaded.world.keys.get_by_arn(&key).unwrap();
    let explanation = kms_engine::authz::explain(
        &loaded.world,
        &kms_engine::authz::AuthzRequest {
            caller: &service,
            action: Action::Decrypt,
            target: kms_engine::authz::Target::Key(key),
            params: &kms_engine::authz::RequestParams::default(),
            now: NOW,
        },
    );
    assert!(explanation.guardrail_traces.is_empty());
    assert!(!explanation.steps.iter().any(|s| matches!(
        s.kind,
        StepKind::ResourceControlPolicies | StepKind::ServiceControlPolicies
    )));
}

#[test]
fn scps_and_rcps_do_not_restrict_service_linked_roles() {
    // AWS Organizations User Guide, orgs_manage_policies_scps.html: "SCPs do not affect any
    // service-linked role. Service-linked roles enable other AWS services to integrate with AWS
    // Organizations and can't be restricted by SCPs." orgs_manage_policies_rcps.html, "Resources
    // and entities not restricted by RCPs": "RCPs do not impact the effective permissions of any
    // service-linked role." IAM User Guide, using-service-linked-roles.html: a service-linked
    // role's path is /aws-service-role/. A role elsewhere (even /service-role/) stays limited.
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    let other = "arn:aws:iam::111122223333:role/service-role/Worker";
    let text = format!(
        r#"{{
      "principals": [{{"name": "SLR", "arn": "{slr}"}},
                     {{"name": "SLRSession", "arn": "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling"}},
                     {{"name": "Worker", "arn": "{other}"}},
                     {{"name": "Outside", "arn": "arn:aws:iam::444455556666:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}}],
      "keys": [{{"name": "K", "policy": {k}}}],
      "organization": {{"management_account": "999988887777", "accounts": ["111122223333"],
        "scps": [{FULL_ACCESS}, {{"name": "NoDecrypt", "targets": ["root"], "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}}]}}}}],
        "rcps": [{{"name": "NoEncrypt", "targets": ["root"], "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}}]}}}}]}}
    }}"#,
        k = key_with(&[&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": ["{slr}", "{other}", "arn:aws:iam::444455556666:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]}}, "Action": "kms:*", "Resource": "*"}}"#
        )])
    );
    let loaded = load(&text);
    for who in ["SLR", "SLRSession"] {
        assert!(
            decide(&loaded, who, "K", Action::Decrypt).is_allowed(),
            "{who}: SCP"
        );
        assert!(
            decide(&loaded, who, "K", Action::Encrypt).is_allowed(),
            "{who}: RCP"
        );
        let (caller, key) = names(&loaded, who, "K");
        let explanation = explain(&loaded.world, &caller, &key, Action::Decrypt);
        assert!(explanation.guardrail_traces.is_empty());
        assert!(
            explanation
                .notes
                .contains(&kms_engine::authz::Note::ServiceLinkedRoleOutsideOrganizationPolicies)
        );
    }
    assert_denied_by(
        decide(&loaded, "Worker", "K", Action::Decrypt),
        Guardrail::Scp,
    );
    assert_denied_by(
        decide(&loaded, "Worker", "K", Action::Encrypt),
        Guardrail::Rcp,
    );
    // A service-linked role of an account outside the organization is not limited by the RCP
    // either (it would be for any other principal of that account).
    let (outside, key) = names(&loaded, "Outside", "K");
    let explanation = explain(&loaded.world, &outside, &key, Action::Encrypt);
    assert!(
        explanation.guardrail_traces.is_empty(),
        "{:?}",
        explanation.guardrail_traces
    );
    let matrix = kms_engine::matrix::Matrix::of_world(
        &loaded.world,
        &[Action::Encrypt, Action::Decrypt],
        NOW,
    );
    for who in ["SLR", "SLRSession", "Worker"] {
        let (caller, key) = names(&loaded, who, "K");
        for action in [Action::Encrypt, Action::Decrypt] {
            assert_eq!(
                matrix.lookup(&caller, &key, action).unwrap().verdict,
                decide(&loaded, who, "K", action),
                "{who} {action:?}"
            );
        }
    }
}

#[test]
fn guardrails_in_the_scenario_format_round_trip_and_unknown_fields_stay_errors() {
    let loaded = org_world(&format!("[{FULL_ACCESS}]"), "[]");
    let boundary = boundary_world(&[TRUST_ACCOUNT]);
    for l in [&loaded, &boundary] {
        let written = Scenario::from_world(&l.world, &l.scenario).to_json();
        let again = load(&written);
        assert_eq!(
            Scenario::from_world(&again.world, &again.scenario).to_json(),
            written
        );
    }
    let error = Scenario::parse("{\"groups\": [{\"name\": \"G\",\n  \"memberz\": []}]}")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("2:3") && error.contains("memberz"),
        "{error}"
    );
    let error =
        Scenario::parse(r#"{"principals": [{"name": "A", "permissions_boundary": "Missing"}]}"#)
            .unwrap_err()
            .to_string();
    assert!(error.contains("no managed policy"), "{error}");
}

/// An organization with a tree: OU Workloads under the root, OU Finance under Workloads with
/// Alice's account 111122223333, OU Sandbox under the root with Carol's account 222233334444;
/// the management account 999988887777 holds Mgmt. Keys K (Alice's account) and C (Carol's).
fn tree_world(scps: &str, rcps: &str) -> Loaded {
    let everyone = r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::222233334444:user/Carol", "arn:aws:iam::999988887777:user/Mgmt"]}, "Action": "kms:*", "Resource": "*"}"#;
    let text = format!(
        r#"{{
      "principals": [{{"name": "Alice"}},
        {{"name": "Carol", "arn": "arn:aws:iam::222233334444:user/Carol"}},
        {{"name": "Mgmt", "arn": "arn:aws:iam::999988887777:user/Mgmt",
          "policies": [{{"name": "Use", "document": {USE_KMS}}}]}}],
      "keys": [{{"name": "K", "policy": {k}}},
               {{"name": "C", "arn": "arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab", "policy": {k}}}],
      "organization": {{"management_account": "999988887777",
        "units": [{{"id": "ou-exam-work1111", "name": "Workloads"}},
                  {{"id": "ou-exam-fina1111", "name": "Finance", "parent": "ou-exam-work1111", "accounts": ["111122223333"]}},
                  {{"id": "ou-exam-sand1111", "name": "Sandbox", "accounts": ["222233334444"]}}],
        "scps": {scps}, "rcps": {rcps}}}
    }}"#,
        k = key_with(&[everyone])
    );
    load(&text)
}

fn full_access_at(targets: &[&str]) -> String {
    format!(
        r#"{{"name": "FullAWSAccess", "id": "p-FullAWSAccess", "targets": {}, "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}]}}}}"#,
        json!(targets)
    )
}

const EVERY_LEVEL: &[&str] = &[
    "root",
    "ou-exam-work1111",
    "ou-exam-fina1111",
    "ou-exam-sand1111",
    "111122223333",
    "222233334444",
];

#[test]
fn an_scp_on_an_ou_reaches_every_account_below_it_and_not_its_siblings() {
    // AWS Organizations API Reference, AttachPolicy: "If you attach an SCP to an OU, it affects
    // all accounts in that OU and in any child OUs"; User Guide,
    // orgs_manage_policies_scps_evaluation.html ("How SCPs work with Deny"): a Deny at any level
    // on the account's path denies.
    let deny_decrypt = r#"{"name": "NoDecrypt", "targets": ["ou-exam-work1111"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}}"#;
    let loaded = tree_world(
        &format!("[{}, {deny_decrypt}]", full_access_at(EVERY_LEVEL)),
        "[]",
    );
    // Alice's account is in Finance, below Workloads.
    let denied = decide(&loaded, "Alice", "K", Action::Decrypt);
    assert_denied_by(denied, Guardrail::Scp);
    assert!(decide(&loaded, "Alice", "K", Action::Encrypt).is_allowed());
    // Carol's account is in Sandbox, a sibling of Workloads.
    assert!(decide(&loaded, "Carol", "C", Action::Decrypt).is_allowed());
    // The explanation says where the SCP that denies is attached.
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    let attached: Vec<Option<&str>> = explanation
        .guardrail_traces
        .iter()
        .map(|t| t.attached_at.as_deref())
        .collect();
    assert!(
        attached.contains(&Some("OU Workloads (ou-exam-work1111)")),
        "{attached:?}"
    );
    assert!(
        attached.contains(&Some("OU Finance (ou-exam-fina1111)")),
        "{attached:?}"
    );
}

#[test]
fn every_level_from_the_root_down_to_the_account_needs_an_scp_that_allows() {
    // AWS Organizations User Guide, orgs_manage_policies_scps_evaluation.html ("How SCPs work
    // with Allow"): a permission is allowed for an account only if an SCP allows it at every
    // level from the root through each OU in the direct path to the account, the account
    // included.
    let encrypt_only = r#"{"name": "EncryptOnly", "targets": ["ou-exam-fina1111"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#;
    let without_finance: Vec<&str> = EVERY_LEVEL
        .iter()
        .copied()
        .filter(|t| *t != "ou-exam-fina1111")
        .collect();
    let loaded = tree_world(
        &format!("[{}, {encrypt_only}]", full_access_at(&without_finance)),
        "[]",
    );
    assert!(decide(&loaded, "Alice", "K", Action::Encrypt).is_allowed());
    // FullAWSAccess at the root, Workloads and the account does not make up for Finance.
    assert_eq!(
        decide(&loaded, "Alice", "K", Action::Decrypt).reason,
        Reason::GuardrailDoesNotAllow {
            guardrail: Guardrail::Scp
        }
    );
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::ServiceControlPolicies)
        .unwrap();
    assert!(
        step.text
            .starts_with("At OU Finance (ou-exam-fina1111), no service control policy (EncryptOnly) allows kms:Decrypt"),
        "{}",
        step.text
    );
    // Carol's path (root, Sandbox, her account) has FullAWSAccess everywhere.
    assert!(decide(&loaded, "Carol", "C", Action::Decrypt).is_allowed());
}

#[test]
fn an_rcp_on_an_ou_limits_the_keys_of_every_account_below_it() {
    // AWS Organizations User Guide, orgs_manage_policies_rcps_evaluation.html: "any RCP from the
    // root through each OU in the direct path to the account (including the target account
    // itself) can deny that permission".
    let rcp = r#"{"name": "OnlyOurAccounts", "targets": ["ou-exam-work1111"], "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}]}}"#;
    let loaded = tree_world(
        &format!("[{}]", full_access_at(EVERY_LEVEL)),
        &format!("[{rcp}]"),
    );
    assert!(decide(&loaded, "Alice", "K", Action::Decrypt).is_allowed());
    assert_denied_by(
        decide(&loaded, "Mgmt", "K", Action::Decrypt),
        Guardrail::Rcp,
    );
    // Carol's key is in Sandbox: the RCP does not reach it.
    assert!(decide(&loaded, "Mgmt", "C", Action::Decrypt).is_allowed());
}

#[test]
fn a_custom_rcp_may_only_deny() {
    // AWS Organizations User Guide, orgs_manage_policies_rcps_syntax.html: "The effect of Allow
    // is only supported for the RCPFullAWSAccess policy", which is attached to the root, every
    // OU and every account and cannot be detached. The scenario format refuses an RCP that
    // allows, at the statement's Effect.
    let text = "{\"organization\": {\"management_account\": \"999988887777\", \"rcps\": [{\"name\": \"Open\", \"targets\": [\"root\"],\n  \"document\": {\"Version\": \"2012-10-17\", \"Statement\": [\n    {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}},\n    {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}]}}]}}";
    let error = Scenario::parse(text).unwrap_err().to_string();
    assert!(error.contains("4:16"), "{error}");
    assert!(error.contains("RCPFullAWSAccess"), "{error}");
    // The world refuses it too, whoever builds the organization.
    let loaded = tree_world(&format!("[{}]", full_access_at(EVERY_LEVEL)), "[]");
    let mut org = loaded.world.organization().unwrap().clone();
    let allow = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;
    org.rcps.push(kms_engine::world::OrgPolicy {
        id: String::new(),
        name: "Open".to_owned(),
        text: allow.into(),
        policy: std::sync::Arc::new(
            kms_engine::policy::parse::parse_policy(
                allow,
                kms_engine::policy::parse::PolicyKind::KeyPolicy,
            )
            .policy
            .unwrap(),
        ),
        targets: vec!["root".to_owned()],
    });
    let mut world = loaded.world.clone();
    assert!(matches!(
        world.set_organization(Some(org)),
        Err(WorldError::Organization(_))
    ));
}

#[test]
fn the_ou_tree_is_checked_where_it_is_written() {
    let org = |units: &str, targets: &str| {
        format!(
            "{{\"organization\": {{\"management_account\": \"999988887777\",\n  \"units\": {units},\n  \"scps\": [{{\"name\": \"S\", \"targets\": {targets}, \"document\": {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}]}}}}]}}}}"
        )
    };
    // A target naming an OU that is not listed.
    let error = Scenario::parse(&org("[]", "[\"ou-exam-none1111\"]"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("ou-exam-none1111") && error.contains("3:"),
        "{error}"
    );
    // A parent that is neither the root nor a listed OU.
    let error = Scenario::parse(&org(
        "[{\"id\": \"ou-exam-a1111111\", \"parent\": \"ou-exam-gone1111\"}]",
        "[\"root\"]",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("ou-exam-gone1111") && error.contains("2:"),
        "{error}"
    );
    // Six levels of OUs: AWS Organizations User Guide, orgs_reference_limits.html ("OU maximum
    // nesting in a root": five levels).
    let chain: Vec<String> = (0..6)
        .map(|i| {
            let parent = if i == 0 {
                "root".to_owned()
            } else {
                format!("ou-exam-lvl{}1111", i - 1)
            };
            format!("{{\"id\": \"ou-exam-lvl{i}1111\", \"parent\": \"{parent}\"}}")
        })
        .collect();
    let text = org(&format!("[{}]", chain.join(", ")), "[\"root\"]");
    let mut rng = kms_engine::entropy::SeededRandomness::new(1);
    let error = kms_engine::scenario::load(&text, NOW, &mut rng)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("more than 5 levels"), "{error}");
    // Five levels are fine, and the tree round-trips through the scenario format.
    let text = org(&format!("[{}]", chain[..5].join(", ")), "[\"root\"]");
    let loaded = load(&text);
    let written = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
    assert!(
        written.contains("\"parent\": \"ou-exam-lvl31111\""),
        "{written}"
    );
    let again = load(&written);
    assert_eq!(
        Scenario::from_world(&again.world, &again.scenario).to_json(),
        written
    );
}

#[test]
fn a_grant_is_not_limited_by_the_grantees_permissions_boundary_or_session_policy() {
    // What the documentation says: the KMS Developer Guide (control-access.html, grants.html)
    // lists grants beside key policies and IAM policies as a third way to allow access; the
    // IAM User Guide (access_policies_boundaries.html, reference_policies_evaluation-logic.html)
    // says a boundary or session policy limits identity-based policies and resource-based
    // policies that name the role, and speaks of no KMS grant. Neither page says that a grant
    // is limited by them. So the playground keeps this reading, and the why panel says so: an
    // implicit deny in the boundary or a session policy does not cancel a grant that names the
    // user, the role or the session; an explicit Deny in any of them still denies (Deny
    // evaluation comes first for every policy type); and a grant that names the account only
    // reaches the caller through an identity-based allow, which the boundary does limit.
    let base = boundary_world(&[TRUST_ACCOUNT]);
    // The boundary also denies GenerateDataKey explicitly.
    let written = Scenario::from_world(&base.world, &base.scenario)
        .to_json()
        .replace(
            "\"kms:ScheduleKeyDeletion\"",
            "[\"kms:ScheduleKeyDeletion\", \"kms:GenerateDataKey\"]",
        );
    let with_grants = |grants: &str| {
        let text = written.trim_end().strip_suffix('}').unwrap().to_owned()
            + &format!(", \"grants\": {grants}}}");
        load(&text)
    };
    let loaded = with_grants(
        r#"[{"key": "K", "grantee": "Alice", "operations": ["Decrypt", "GenerateDataKey"]},
            {"key": "K", "grantee": "App", "operations": ["Decrypt"]}]"#,
    );
    // Alice's boundary allows only Encrypt: the grant still lets her decrypt.
    assert_eq!(
        decide(&loaded, "Alice", "K", Action::Decrypt).reason,
        Reason::Grant
    );
    // A session of App: the grant names the role, the boundary is the role's.
    assert_eq!(
        decide(&loaded, "run", "K", Action::Decrypt).reason,
        Reason::Grant
    );
    // The boundary's explicit Deny of GenerateDataKey wins over the grant.
    assert_eq!(
        decide(&loaded, "Alice", "K", Action::GenerateDataKey).decision,
        Decision::ExplicitDeny
    );
    // The why panel says the boundary does not limit the grant.
    let (alice, key) = names(&loaded, "Alice", "K");
    let explanation = explain(&loaded.world, &alice, &key, Action::Decrypt);
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::PermissionsBoundary)
        .unwrap();
    assert!(
        step.text.contains("a grant, is not limited"),
        "{}",
        step.text
    );

    // A grant to the account reaches Alice only through her IAM policy, which the boundary
    // limits.
    let loaded = with_grants(
        r#"[{"key": "K", "grantee": "arn:aws:iam::111122223333:root", "operations": ["Decrypt"]}]"#,
    );
    assert_eq!(
        decide(&loaded, "Alice", "K", Action::Decrypt).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn an_import_without_the_ou_tree_says_the_ou_policy_is_not_applied_and_a_bad_tree_is_refused() {
    use kms_engine::scenario::{ImportError, ImportFile, import};
    let scp = r#"{"Policy": {"PolicySummary": {"Id": "p-examplescp2", "Name": "NoDecrypt", "Type": "SERVICE_CONTROL_POLICY"},
        "Content": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}"}}"#;
    let targets = r#"{"Targets": [{"TargetId": "ou-exam-work1111", "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT"}]}"#;
    let file = |name, text| ImportFile {
        name,
        text,
        key_id: None,
    };
    let imported = import(
        &[
            file("p-examplescp2.policy.json", scp),
            file("p-examplescp2.targets.json", targets),
        ],
        None,
    )
    .unwrap();
    assert!(
        imported
            .skipped
            .iter()
            .any(|s| s.item == "target ou-exam-work1111"
                && s.why.contains("not applied to the OU's accounts")),
        "{:?}",
        imported.skipped
    );
    // Two OUs that list each other as children: not a tree AWS Organizations can hold.
    let a = r#"{"OrganizationalUnits": [{"Id": "ou-exam-b1111111", "Name": "B"}]}"#;
    let b = r#"{"OrganizationalUnits": [{"Id": "ou-exam-a1111111", "Name": "A"}]}"#;
    let error = import(
        &[
            file("ou-exam-a1111111.ous.json", a),
            file("ou-exam-b1111111.ous.json", b),
        ],
        None,
    )
    .unwrap_err();
    assert!(matches!(error, ImportError::Organization(_)), "{error}");
}
