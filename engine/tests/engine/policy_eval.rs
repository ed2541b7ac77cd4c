//! Evaluation of one policy against one request: elements, principals, outcomes and the trace.
//! Each test names the AWS page whose rule it pins.

use crate::common;

use common::*;
use kms_engine::policy::Policy;
use kms_engine::policy::eval::{
    CallerMatch, PolicyOutcome, PrincipalMatch, StatementResult, evaluate, explain,
};
use kms_engine::request::{Context, Request, RequestPrincipal};

fn outcome(
    policy: &Policy,
    caller: &RequestPrincipal,
    action: &str,
    resource: &str,
) -> PolicyOutcome {
    outcome_with(policy, caller, action, resource, &Context::new())
}

/// Evaluates on both paths and checks that they agree.
fn outcome_with(
    policy: &Policy,
    caller: &RequestPrincipal,
    action: &str,
    resource: &str,
    context: &Context,
) -> PolicyOutcome {
    let request = Request {
        principal: caller,
        action,
        resource,
        context,
    };
    let fast = evaluate(policy, &request);
    assert_eq!(
        fast,
        explain(policy, &request).outcome,
        "evaluate and explain disagree"
    );
    fast
}

const ROOT_STATEMENT: &str = r#"{
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*"
}"#;

fn key_policy(statements: &[&str]) -> Policy {
    policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    ))
}

// KMS Developer Guide, key-policy-default.html: the account principal enables IAM policies; it
// allows no IAM user by itself (shared/kms-semantics.md §1.1, §1.3).
#[test]
fn account_principal_is_a_delegation_not_an_allow_for_users() {
    let cmk_a = key_policy(&[ROOT_STATEMENT]);
    let alice = user(ACCOUNT, "Alice");
    assert_eq!(
        outcome(&cmk_a, &alice, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::AllowViaAccount { statement: 0 }
    );
    // The root user is the account principal itself (IAM User Guide,
    // reference_policies_elements_principal.html, "AWS account principals").
    assert_eq!(
        outcome(&cmk_a, &root(ACCOUNT), "kms:Encrypt", KEY_ARN),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Arn
        }
    );
    // Another account's caller is not covered.
    assert_eq!(
        outcome(
            &cmk_a,
            &user(OTHER_ACCOUNT, "Alice"),
            "kms:Encrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
}

// The lecture's CMK-B and CMK-C (shared/seeds, "three CMKs and four users"); KMS Developer Guide,
// key-policies.html: a key policy that names a user allows it without any IAM policy; IAM User
// Guide, reference_policies_evaluation-logic.html: an explicit deny beats any allow.
#[test]
fn lecture_key_policies() {
    let cmk_b = key_policy(&[r#"{
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/Charlie"]},
        "Action": "kms:*",
        "Resource": "*"
    }"#]);
    let cmk_c = key_policy(&[
        ROOT_STATEMENT,
        r#"{
            "Sid": "Deny",
            "Effect": "Deny",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/Charlie", "arn:aws:iam::111122223333:user/David"]},
            "Action": "kms:*",
            "Resource": "*"
        }"#,
        r#"{
            "Sid": "Alice",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"},
            "Action": "kms:*",
            "Resource": "*"
        }"#,
    ]);
    let [alice, bob, charlie, david] =
        ["Alice", "Bob", "Charlie", "David"].map(|name| user(ACCOUNT, name));
    let allow_self = |statement| PolicyOutcome::Allow {
        statement,
        principal: CallerMatch::Arn,
    };
    assert_eq!(
        outcome(&cmk_b, &alice, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    assert_eq!(outcome(&cmk_b, &bob, "kms:Encrypt", KEY_ARN), allow_self(0));
    assert_eq!(
        outcome(&cmk_b, &charlie, "kms:Decrypt", KEY_ARN),
        allow_self(0)
    );
    assert_eq!(
        outcome(&cmk_b, &david, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    // Alice is named herself: the statement naming her beats the account delegation.
    assert_eq!(
        outcome(&cmk_c, &alice, "kms:Encrypt", KEY_ARN),
        allow_self(2)
    );
    for denied in [&bob, &charlie, &david] {
        assert_eq!(
            outcome(&cmk_c, denied, "kms:Encrypt", KEY_ARN),
            PolicyOutcome::ExplicitDeny { statement: 1 }
        );
    }
}

// The lecture's identity policy with two key ARNs; IAM User Guide,
// reference_policies_elements_resource.html. An identity policy has no Principal: it applies to
// the identity it is attached to.
#[test]
fn identity_policy_applies_to_its_owner_on_listed_keys() {
    let alice_iam = policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": {{
            "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
            "Resource": ["{KEY_ARN}", "{OTHER_KEY_ARN}"]
        }}}}"#
    ));
    let alice = user(ACCOUNT, "Alice");
    let owner = PolicyOutcome::Allow {
        statement: 0,
        principal: CallerMatch::PolicyOwner,
    };
    assert_eq!(outcome(&alice_iam, &alice, "kms:Encrypt", KEY_ARN), owner);
    assert_eq!(
        outcome(&alice_iam, &alice, "kms:Decrypt", OTHER_KEY_ARN),
        owner
    );
    assert_eq!(
        outcome(
            &alice_iam,
            &alice,
            "kms:Encrypt",
            "arn:aws:kms:us-east-1:111122223333:key/another"
        ),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(&alice_iam, &alice, "kms:GenerateDataKey", KEY_ARN),
        PolicyOutcome::NoMatch
    );
}

// IAM User Guide, reference_policies_elements_principal.html, "IAM role principals" and "Role
// session principals": a role ARN covers the role's sessions; a session ARN covers only itself.
#[test]
fn role_arn_covers_its_sessions_and_session_arn_only_itself() {
    let by_role = key_policy(&[r#"{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
        "Action": "kms:*", "Resource": "*"}"#]);
    let by_session = key_policy(&[r#"{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/Admin/alice"},
        "Action": "kms:*", "Resource": "*"}"#]);
    let alice_session = session(ACCOUNT, "Admin", "alice");
    let bob_session = session(ACCOUNT, "Admin", "bob");
    assert_eq!(
        outcome(&by_role, &bob_session, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Role
        }
    );
    assert_eq!(
        outcome(&by_session, &alice_session, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Arn
        }
    );
    assert_eq!(
        outcome(&by_session, &bob_session, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(
            &by_role,
            &session(ACCOUNT, "Other", "alice"),
            "kms:Encrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
    // A role acting directly counts as a session of itself (request.rs, PrincipalType::Role).
    let role_itself = RequestPrincipal {
        id: arn("arn:aws:iam::111122223333:role/Admin").into(),
        account: ACCOUNT.into(),
        kind: kms_engine::request::PrincipalType::Role,
        role_arn: None,
    };
    assert_eq!(
        outcome(&by_role, &role_itself, "kms:Encrypt", KEY_ARN),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Role
        }
    );
}

// IAM User Guide, reference_policies_elements_principal.html: `"*"` and `{"AWS": "*"}` mean
// everyone; a bare account id means that account's root principal; service principals by name.
#[test]
fn everyone_bare_account_ids_and_services() {
    for principal in [r#""*""#, r#"{"AWS": "*"}"#] {
        let open = key_policy(&[&format!(
            r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "kms:Decrypt", "Resource": "*"}}"#
        )]);
        assert_eq!(
            outcome(
                &open,
                &user(OTHER_ACCOUNT, "Mallory"),
                "kms:Decrypt",
                KEY_ARN
            ),
            PolicyOutcome::Allow {
                statement: 0,
                principal: CallerMatch::Everyone
            }
        );
    }
    let bare = key_policy(
        &[r#"{"Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": "kms:Decrypt", "Resource": "*"}"#],
    );
    assert_eq!(
        outcome(&bare, &user(OTHER_ACCOUNT, "Bob"), "kms:Decrypt", KEY_ARN),
        PolicyOutcome::AllowViaAccount { statement: 0 }
    );
    assert_eq!(
        outcome(&bare, &user(ACCOUNT, "Bob"), "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    let services = key_policy(&[
        r#"{"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": "kms:Encrypt*", "Resource": "*"}"#,
    ]);
    assert_eq!(
        outcome(
            &services,
            &service("logs.us-east-1.amazonaws.com"),
            "kms:Encrypt",
            KEY_ARN
        ),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Arn
        }
    );
    assert_eq!(
        outcome(
            &services,
            &service("ec2.amazonaws.com"),
            "kms:Encrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(&services, &user(ACCOUNT, "Alice"), "kms:Encrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
}

// IAM User Guide, reference_policies_elements_notprincipal.html ("NotPrincipal with Deny"): a
// Deny whose list misses the account "might deny access to the entire account", i.e. a Deny that
// names an account covers every principal in it. The same holds for a Deny with Principal.
#[test]
fn deny_naming_an_account_denies_every_principal_in_it() {
    let deny_account = key_policy(&[
        r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#,
        r#"{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "kms:*", "Resource": "*"}"#,
    ]);
    for caller in [
        user(OTHER_ACCOUNT, "Bob"),
        session(OTHER_ACCOUNT, "Ops", "s1"),
        root(OTHER_ACCOUNT),
    ] {
        assert_eq!(
            outcome(&deny_account, &caller, "kms:Decrypt", KEY_ARN),
            PolicyOutcome::ExplicitDeny { statement: 1 },
            "{}",
            caller.id
        );
    }
    assert_eq!(
        outcome(
            &deny_account,
            &user(ACCOUNT, "Alice"),
            "kms:Decrypt",
            KEY_ARN
        ),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::Everyone
        }
    );
}

// IAM User Guide, reference_policies_elements_notprincipal.html: with Deny, list the user (or the
// session's role) and its account to exclude it; AWS may check the account first, then the role,
// then the session.
#[test]
fn not_principal_excludes_only_fully_listed_callers() {
    let deny_all_but = |listed: &[&str]| {
        let list = listed
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(",");
        key_policy(&[&format!(
            r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": [{list}]}}, "Action": "kms:*", "Resource": "*"}}"#
        )])
    };
    let bob = user(OTHER_ACCOUNT, "Bob");
    let deny = PolicyOutcome::ExplicitDeny { statement: 0 };
    let bob_arn = "arn:aws:iam::444455556666:user/Bob";
    let account = "arn:aws:iam::444455556666:root";
    assert_eq!(
        outcome(
            &deny_all_but(&[bob_arn, account]),
            &bob,
            "kms:Decrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(&deny_all_but(&[bob_arn]), &bob, "kms:Decrypt", KEY_ARN),
        deny
    );
    assert_eq!(
        outcome(&deny_all_but(&[account]), &bob, "kms:Decrypt", KEY_ARN),
        deny
    );
    assert_eq!(
        outcome(
            &deny_all_but(&[bob_arn, account]),
            &user(OTHER_ACCOUNT, "Eve"),
            "kms:Decrypt",
            KEY_ARN
        ),
        deny
    );
    // The root user only needs itself listed.
    assert_eq!(
        outcome(
            &deny_all_but(&[account]),
            &root(OTHER_ACCOUNT),
            "kms:Decrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );

    let audit = session(
        OTHER_ACCOUNT,
        "cross-account-read-only-role",
        "cross-account-audit-app",
    );
    let session_arn = "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app";
    let role_arn = "arn:aws:iam::444455556666:role/cross-account-read-only-role";
    assert_eq!(
        outcome(
            &deny_all_but(&[session_arn, role_arn, account]),
            &audit,
            "kms:Decrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(
            &deny_all_but(&[session_arn, account]),
            &audit,
            "kms:Decrypt",
            KEY_ARN
        ),
        deny
    );
    assert_eq!(
        outcome(&deny_all_but(&[role_arn]), &audit, "kms:Decrypt", KEY_ARN),
        deny
    );
    assert_eq!(
        outcome(
            &deny_all_but(&[role_arn, account]),
            &audit,
            "kms:Decrypt",
            KEY_ARN
        ),
        PolicyOutcome::NoMatch
    );
}

// IAM User Guide, reference_policies_elements_notprincipal.html ("NotPrincipal with Allow"): the
// statement allows everyone except those listed.
#[test]
fn not_principal_with_allow_allows_everyone_else() {
    let p = key_policy(&[r#"{"Effect": "Allow",
        "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:root"]},
        "Action": "kms:Decrypt", "Resource": "*"}"#]);
    assert_eq!(
        outcome(&p, &user(ACCOUNT, "Alice"), "kms:Decrypt", KEY_ARN),
        PolicyOutcome::Allow {
            statement: 0,
            principal: CallerMatch::NotExcluded
        }
    );
    assert_eq!(
        outcome(&p, &user(ACCOUNT, "Bob"), "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
}

// IAM User Guide, reference_policies_elements_action.html and reference_policies_elements_notaction.html.
#[test]
fn action_and_not_action() {
    let alice = user(ACCOUNT, "Alice");
    let p = key_policy(&[
        r#"{"Effect": "Allow", "Principal": "*", "Action": ["KMS:get*", "kms:Describe?ey"], "Resource": "*"}"#,
    ]);
    let allowed = PolicyOutcome::Allow {
        statement: 0,
        principal: CallerMatch::Everyone,
    };
    assert_eq!(outcome(&p, &alice, "kms:GetKeyPolicy", KEY_ARN), allowed);
    assert_eq!(outcome(&p, &alice, "kms:DescribeKey", KEY_ARN), allowed);
    assert_eq!(
        outcome(&p, &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    let not_action = key_policy(&[
        r#"{"Effect": "Allow", "Principal": "*", "NotAction": "kms:ScheduleKeyDeletion", "Resource": "*"}"#,
    ]);
    assert_eq!(
        outcome(&not_action, &alice, "kms:Decrypt", KEY_ARN),
        allowed
    );
    assert_eq!(
        outcome(&not_action, &alice, "kms:ScheduleKeyDeletion", KEY_ARN),
        PolicyOutcome::NoMatch
    );
}

// KMS Developer Guide, key-policy-overview.html: a statement without Resource or Action is
// accepted and has no effect (shared/kms-semantics.md §1.2).
#[test]
fn statements_without_action_or_resource_do_nothing() {
    let alice = user(ACCOUNT, "Alice");
    let no_resource = key_policy(&[r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:*"}"#]);
    let no_action = key_policy(&[r#"{"Effect": "Deny", "Principal": "*", "Resource": "*"}"#]);
    assert_eq!(
        outcome(&no_resource, &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(&no_action, &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    let trace = explain(
        &no_resource,
        &Request {
            principal: &alice,
            action: "kms:Decrypt",
            resource: KEY_ARN,
            context: &Context::new(),
        },
    );
    assert!(
        trace.statements[0]
            .why_not()
            .unwrap()
            .contains("no Action or Resource")
    );
}

// IAM User Guide, reference_policies_elements_notresource.html.
#[test]
fn not_resource_covers_everything_else() {
    let alice = user(ACCOUNT, "Alice");
    let p = policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "Action": "kms:*", "NotResource": "{KEY_ARN}"}}}}"#
    ));
    assert_eq!(
        outcome(&p, &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(&p, &alice, "kms:Decrypt", OTHER_KEY_ARN),
        PolicyOutcome::ExplicitDeny { statement: 0 }
    );
}

// IAM User Guide, reference_policies_variables.html: `${aws:username}` in Resource, only with
// Version 2012-10-17; an unresolvable variable matches nothing.
#[test]
fn resource_policy_variables() {
    let alias_of_user = |version: &str| {
        policy(&format!(
            r#"{{{version} "Statement": {{"Effect": "Allow", "Action": "kms:*",
            "Resource": "arn:aws:kms:*:111122223333:alias/${{aws:username}}-*"}}}}"#
        ))
    };
    let current = alias_of_user(r#""Version": "2012-10-17","#);
    let old = alias_of_user("");
    let alice = user(ACCOUNT, "alice");
    let alias = "arn:aws:kms:us-east-1:111122223333:alias/alice-data";
    let owner = PolicyOutcome::Allow {
        statement: 0,
        principal: CallerMatch::PolicyOwner,
    };
    assert_eq!(outcome(&current, &alice, "kms:DescribeKey", alias), owner);
    assert_eq!(
        outcome(&current, &user(ACCOUNT, "bob"), "kms:DescribeKey", alias),
        PolicyOutcome::NoMatch
    );
    // A role session has no aws:username: the variable cannot resolve.
    assert_eq!(
        outcome(
            &current,
            &session(ACCOUNT, "alice", "alice"),
            "kms:DescribeKey",
            alias
        ),
        PolicyOutcome::NoMatch
    );
    // Version 2008-10-17 (or none): `${aws:username}` is literal text.
    assert_eq!(
        outcome(&old, &alice, "kms:DescribeKey", alias),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome(
            &old,
            &alice,
            "kms:DescribeKey",
            "arn:aws:kms:us-east-1:111122223333:alias/${aws:username}-data"
        ),
        owner
    );
}

// IAM User Guide, reference_policies_evaluation-logic.html: an explicit deny in any statement
// overrides every allow, whatever the order.
#[test]
fn deny_wins_regardless_of_order() {
    let alice = user(ACCOUNT, "Alice");
    let allow = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:*", "Resource": "*"}"#;
    let deny = r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#;
    assert_eq!(
        outcome(&key_policy(&[allow, deny]), &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::ExplicitDeny { statement: 1 }
    );
    assert_eq!(
        outcome(&key_policy(&[deny, allow]), &alice, "kms:Decrypt", KEY_ARN),
        PolicyOutcome::ExplicitDeny { statement: 0 }
    );
    assert!(outcome(&key_policy(&[deny, allow]), &alice, "kms:Encrypt", KEY_ARN).allows_caller());
}

// IAM User Guide, reference_policies_elements_condition.html: every condition must hold; a
// statement whose condition fails does not apply (a Deny with a failing condition denies nothing).
#[test]
fn conditions_gate_statements() {
    let alice = user(ACCOUNT, "Alice");
    let p = key_policy(&[
        r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}"#,
        r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    ]);
    let via_s3 = context(&[
        ("kms:ViaService", "s3.us-east-1.amazonaws.com"),
        ("aws:SecureTransport", "true"),
    ]);
    assert!(outcome_with(&p, &alice, "kms:Decrypt", KEY_ARN, &via_s3).allows_caller());
    // kms:CallerAccount is derived from the caller when the context lacks it.
    assert_eq!(
        outcome_with(
            &p,
            &user(OTHER_ACCOUNT, "Alice"),
            "kms:Decrypt",
            KEY_ARN,
            &via_s3
        ),
        PolicyOutcome::NoMatch
    );
    assert_eq!(
        outcome_with(
            &p,
            &alice,
            "kms:Decrypt",
            KEY_ARN,
            &context(&[("aws:SecureTransport", "true")])
        ),
        PolicyOutcome::NoMatch
    );
    let plain_http = context(&[
        ("kms:ViaService", "s3.us-east-1.amazonaws.com"),
        ("aws:SecureTransport", "false"),
    ]);
    assert_eq!(
        outcome_with(&p, &alice, "kms:Decrypt", KEY_ARN, &plain_http),
        PolicyOutcome::ExplicitDeny { statement: 1 }
    );
}

// The trace says, per statement, which element failed and why.
#[test]
fn trace_explains_each_statement() {
    let p = key_policy(&[
        ROOT_STATEMENT,
        r#"{"Sid": "Key users", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
            "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "finance"}}}"#,
    ]);
    let bob = user(ACCOUNT, "Bob");
    let ctx = context(&[("kms:EncryptionContext:dept", "sales")]);
    let request = Request {
        principal: &bob,
        action: "kms:GenerateDataKey",
        resource: KEY_ARN,
        context: &ctx,
    };
    let trace = explain(&p, &request);
    assert_eq!(
        trace.outcome,
        PolicyOutcome::AllowViaAccount { statement: 0 }
    );
    assert_eq!(
        trace.deciding_statement().unwrap().sid.as_deref(),
        Some("Enable IAM User Permissions")
    );
    let root_statement = &trace.statements[0];
    assert_eq!(root_statement.result, StatementResult::AllowViaAccount);
    assert_eq!(root_statement.principal.result, PrincipalMatch::Account);
    assert!(
        root_statement.principal.summary.contains("account"),
        "{}",
        root_statement.principal.summary
    );
    assert_eq!(root_statement.action.pattern.as_deref(), Some("kms:*"));

    let users = &trace.statements[1];
    assert_eq!(users.result, StatementResult::NotApplicable);
    assert_eq!(
        users.principal.result,
        PrincipalMatch::Caller(CallerMatch::Arn)
    );
    assert!(!users.action.applies);
    assert!(!users.conditions[0].holds);
    let why = users.why_not().unwrap();
    assert!(
        why.contains("no pattern in Action matches `kms:GenerateDataKey`"),
        "{why}"
    );
    assert!(
        why.contains("`kms:EncryptionContext:dept` = `sales` matches none of `finance`"),
        "{why}"
    );
    // The trace serializes for the app and the CLI.
    let json = serde_json::to_value(&trace).unwrap();
    assert_eq!(json["outcome"]["kind"], "allow-via-account");
    assert_eq!(
        json["statements"][1]["conditions"][0]["reason"]["kind"],
        "nothing-matched"
    );
}
