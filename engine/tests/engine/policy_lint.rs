//! The KMS-aware warnings of `check_policy`, each pinned with its message and position.
//!
//! Sources: KMS Developer Guide (key-policy-overview.html, key-policy-default.html,
//! conditions-kms.html, kms-api-permissions-reference.html,
//! key-policy-modifying-external-accounts.html); IAM User Guide (reference_policies_variables.html,
//! reference_policies_elements_notprincipal.html, reference_policies_condition-keys.html).

use kms_engine::diagnostics::Severity;
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::PolicyKind::{self, IdentityPolicy, KeyPolicy};

const ACCOUNT: &str = "111122223333";

const ROOT_STATEMENT: &str = r#"{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#;

/// `(line:column, code, message)` of every warning; asserts there is no error.
fn warnings(text: &str, kind: PolicyKind) -> Vec<(String, &'static str, String)> {
    let checked = check_policy(text, kind, Some(ACCOUNT));
    assert!(
        checked.policy.is_some(),
        "expected no errors: {:#?}",
        checked.diagnostics
    );
    checked
        .diagnostics
        .into_iter()
        .inspect(|d| assert_eq!(d.severity, Severity::Warning))
        .map(|d| {
            (
                format!("{}:{}", d.start.line, d.start.column),
                d.code,
                d.message,
            )
        })
        .collect()
}

/// A key policy: the root statement on line 2, then `statement` on line 3.
fn key_policy_with(statement: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n{ROOT_STATEMENT},\n{statement}\n]}}")
}

fn codes(text: &str, kind: PolicyKind) -> Vec<&'static str> {
    warnings(text, kind).into_iter().map(|w| w.1).collect()
}

#[test]
fn the_default_and_console_key_policies_are_clean() {
    // KMS Developer Guide, key-policy-default.html.
    assert!(warnings(&key_policy_with(r#"{"Sid": "Allow use of the key", "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:role/ExampleRole", "arn:aws:iam::444455556666:root"]},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*"}"#), KeyPolicy).is_empty());
    assert!(
        warnings(
            &key_policy_with(
                r#"{"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleRole"},
        "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}}"#
            ),
            KeyPolicy
        )
        .is_empty()
    );
}

#[test]
fn an_unknown_kms_action_gets_a_suggestion() {
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:Decrypt", "kms:Encrpyt"], "Resource": "*"}"#,
    );
    let checked = check_policy(&text, KeyPolicy, Some(ACCOUNT));
    let warning = &checked.diagnostics[0];
    assert_eq!(
        (warning.code, warning.message.as_str()),
        ("unknown-action", "unknown KMS action `kms:Encrpyt`")
    );
    assert_eq!(warning.hint.as_deref(), Some("did you mean `kms:Encrypt`?"));
    assert_eq!(warning.path, "Statement[1].Action[1]");
    assert_eq!((warning.start.line, warning.start.column), (3, 85));
    assert_eq!(
        codes(
            &key_policy_with(
                r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Encrpyt*", "Resource": "*"}"#
            ),
            KeyPolicy
        ),
        ["action-matches-nothing"]
    );
    // Other services' actions are not KMS's to judge.
    assert!(codes(&key_policy_with(r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}"#), KeyPolicy).is_empty());
}

#[test]
fn iam_only_actions_in_a_key_policy_do_nothing() {
    // KMS Developer Guide, kms-api-permissions-reference.html: CreateKey, ListKeys... are "IAM policy" only.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:CreateKey", "Resource": "*"}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [(
            "3:69".into(),
            "iam-only-action",
            "`kms:CreateKey` cannot be allowed by a key policy".into()
        )]
    );
}

#[test]
fn management_actions_for_another_account_have_no_effect() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:Decrypt", "kms:PutKeyPolicy"], "Resource": "*"}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [(
            "3:103".into(),
            "not-cross-account",
            "`kms:PutKeyPolicy` has no effect for `arn:aws:iam::444455556666:root`, a principal of another account".into()
        )]
    );
}

#[test]
fn a_key_policy_resource_other_than_star_is_flagged() {
    // KMS Developer Guide, key-policy-overview.html: in a key policy, Resource is "*" (this key).
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#,
    );
    let found = warnings(&text, KeyPolicy);
    assert_eq!(found[0].1, "resource-not-star");
    assert_eq!(found[0].0, "3:96");
    // Identity policies name keys by ARN: nothing to say.
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:111122223333:key/*"}}"#;
    assert!(codes(text, IdentityPolicy).is_empty());
}

#[test]
fn principal_star_without_a_condition_opens_the_key_to_everyone() {
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [(
            "3:34".into(),
            "open-to-everyone",
            "`Principal` `\"*\"` without a condition opens this key to every AWS account".into()
        )]
    );
    // With a condition (as AWS managed keys do) or on a Deny it is fine.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}"#,
    );
    assert!(codes(&text, KeyPolicy).is_empty());
    let text = key_policy_with(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#,
    );
    assert!(codes(&text, KeyPolicy).is_empty());
}

#[test]
fn allow_with_not_principal_is_flagged() {
    // IAM User Guide, reference_policies_elements_notprincipal.html.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Mallory"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
    );
    assert_eq!(codes(&text, KeyPolicy), ["allow-not-principal"]);
}

#[test]
fn statements_without_action_or_resource_are_accepted_and_flagged() {
    // KMS API Reference, PutKeyPolicy `Policy`: accepted, but the statement has no effect.
    let text = key_policy_with(
        r#"{"Sid": "NoResource", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt"}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [(
            "3:1".into(),
            "ignored-statement",
            "statement without `Resource` has no effect".into()
        )]
    );
}

#[test]
fn a_condition_key_the_actions_never_send_is_flagged() {
    // KMS Developer Guide, conditions-kms.html: kms:GrantIsForAWSResource is only in CreateGrant,
    // ListGrants and RevokeGrant requests.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [(
            "3:124".into(),
            "condition-key-not-sent",
            "no action of this statement sends `kms:GrantIsForAWSResource`: the condition never holds, so the statement never applies".into()
        )]
    );
    let text = key_policy_with(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"kms:EncryptionContext:Dept": "IT"}}}"#,
    );
    let found = warnings(&text, KeyPolicy);
    assert!(
        found[0].2.ends_with("the condition always holds"),
        "{found:?}"
    );
    // Global keys can be in any request.
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}}"#,
    );
    assert!(codes(&text, KeyPolicy).is_empty());
}

#[test]
fn unknown_condition_keys_get_a_suggestion() {
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAcount": "111122223333"}}}"#,
    );
    let checked = check_policy(&text, KeyPolicy, Some(ACCOUNT));
    let warning = &checked.diagnostics[0];
    assert_eq!(warning.message, "unknown condition key `kms:CallerAcount`");
    assert_eq!(
        warning.hint.as_deref(),
        Some("did you mean `kms:CallerAccount`?")
    );
    assert_eq!(
        warning.path,
        "Statement[1].Condition.StringEquals.kms:CallerAcount"
    );
}

#[test]
fn via_service_values_must_name_a_service_in_a_region() {
    // KMS Developer Guide, conditions-kms.html (kms:ViaService).
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*",
      "Condition": {"StringEquals": {"kms:ViaService": ["ec2.us-east-1.amazonaws.com", "ec2.amazonaws.com"]}}}"#,
    );
    assert_eq!(
        warnings(&text, KeyPolicy),
        [("4:88".into(), "via-service-shape", "`kms:ViaService` value `ec2.amazonaws.com` is not shaped `SERVICE.REGION.amazonaws.com`".into())]
    );
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*",
      "Condition": {"StringLike": {"kms:ViaService": ["*.us-east-1.amazonaws.com", "s3.cn-north-1.amazonaws.com.cn"]}}}"#,
    );
    assert!(codes(&text, KeyPolicy).is_empty());
}

#[test]
fn policy_variables_are_literal_in_2008_policies() {
    // IAM User Guide, reference_policies_variables.html: variables need Version 2012-10-17.
    let text = r#"{"Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:user": "${aws:username}"}}}}"#;
    assert_eq!(
        warnings(text, IdentityPolicy),
        [(
            "1:138".into(),
            "variables-in-2008-policy",
            "policy variable `${aws:username}` is literal text in a policy without `Version` (read as 2008-10-17)".into()
        )]
    );
    let text = text.replacen('{', "{\"Version\": \"2012-10-17\", ", 1);
    assert!(codes(&text, IdentityPolicy).is_empty());
}

#[test]
fn a_key_policy_that_does_not_trust_the_account_is_flagged() {
    // KMS Developer Guide, key-policy-default.html: without the account principal, IAM
    // policies cannot allow access to the key.
    let text = "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:user/Alice\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}\n]}";
    assert_eq!(
        warnings(text, KeyPolicy),
        [(
            "2:3".into(),
            "no-account-trust",
            "no statement allows the account `111122223333`, so IAM policies cannot grant access to this key".into()
        )]
    );
    // Trusting another account does not count; the bare account id does.
    let other = text
        .replace("user/Alice", "root")
        .replace("111122223333", "444455556666");
    assert_eq!(codes(&other, KeyPolicy), ["no-account-trust"]);
    let bare = text.replace("arn:aws:iam::111122223333:user/Alice", "111122223333");
    assert!(codes(&bare, KeyPolicy).is_empty());
}

#[test]
fn set_operators_belong_to_multivalued_keys() {
    // KMS Developer Guide, conditions-kms.html ("Using set operators with condition keys").
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*",
      "Condition": {"ForAnyValue:StringEquals": {"kms:CallerAccount": "111122223333"}, "StringEquals": {"kms:EncryptionContextKeys": "Dept"}}}"#,
    );
    assert_eq!(
        codes(&text, KeyPolicy),
        [
            "set-operator-on-single-valued",
            "multivalued-without-set-operator"
        ]
    );
}

#[test]
fn condition_values_the_operator_cannot_read_are_flagged() {
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
      "Condition": {"NumericGreaterThanEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "thirty"},
                    "DateLessThan": {"aws:CurrentTime": "next tuesday"},
                    "Bool": {"aws:SecureTransport": "yes"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}"#,
    );
    let found = warnings(&text, KeyPolicy);
    let messages: Vec<&str> = found.iter().map(|w| w.2.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`NumericGreaterThanEquals` expects a number, found `thirty`",
            "`DateLessThan` expects a date (ISO 8601, such as `2024-01-31T12:00:00Z`, or epoch seconds), found `next tuesday`",
            "`Bool` expects `true` or `false`, found `yes`",
            "`IpAddress` expects an IP address or CIDR range, found `10.0.0.0/33`",
        ]
    );
}

#[test]
fn resource_aliases_only_works_in_iam_policies() {
    // KMS Developer Guide, conditions-kms.html (kms:ResourceAliases).
    let text = key_policy_with(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*",
      "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance"}}}"#,
    );
    assert_eq!(codes(&text, KeyPolicy), ["resource-aliases-in-key-policy"]);
}

#[test]
fn errors_come_first_and_block_the_lint() {
    let text = "{\"Statement\": {\"Effect\": \"Allow\", \"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"kms:Encrpyt\", \"Resource\": \"*\"}}";
    let checked = check_policy(text, KeyPolicy, Some(ACCOUNT));
    assert!(checked.policy.is_none());
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["duplicate-key"]);
}
