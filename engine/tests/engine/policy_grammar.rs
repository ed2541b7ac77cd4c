//! The policy grammar, one element at a time, and the exact words and positions of its errors.
//!
//! Sources: IAM User Guide, reference_policies_grammar.html and reference_policies_elements_*.html;
//! KMS Developer Guide, key-policy-overview.html, resource-limits.html, conditions-kms.html;
//! KMS API Reference, CreateKey / PutKeyPolicy (`Policy` parameter).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers fail loudly on purpose"
)]

use kms_engine::diagnostics::LineIndex;
use kms_engine::diagnostics::{Diagnostic, Severity};
use kms_engine::json::{self, JsonPath};
use kms_engine::policy::parse::{
    PolicyKind, operator_names, parse_operator, parse_policy, parse_policy_value,
};
use kms_engine::policy::*;

use PolicyKind::{IdentityPolicy, KeyPolicy};

fn key_policy(text: &str) -> Policy {
    let parsed = parse_policy(text, KeyPolicy);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.policy.unwrap()
}

fn identity_policy(text: &str) -> Policy {
    let parsed = parse_policy(text, IdentityPolicy);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.policy.unwrap()
}

/// `(line:column, code, message)` of every error.
fn errors(text: &str, kind: PolicyKind) -> Vec<(String, &'static str, String)> {
    let parsed = parse_policy(text, kind);
    let errors: Vec<&Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(parsed.policy.is_none() || errors.is_empty());
    errors
        .into_iter()
        .map(|d| {
            (
                format!("{}:{}", d.start.line, d.start.column),
                d.code,
                d.message.clone(),
            )
        })
        .collect()
}

fn only_error(text: &str, kind: PolicyKind) -> Diagnostic {
    let parsed = parse_policy(text, kind);
    assert!(parsed.policy.is_none());
    assert_eq!(parsed.diagnostics.len(), 1, "{:#?}", parsed.diagnostics);
    parsed.diagnostics.into_iter().next().unwrap()
}

/// A key policy with one statement whose body is `body` (the members after `Effect`).
fn key_statement(body: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", {body}}}]}}")
}

fn identity_statement(body: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", {body}}}]}}")
}

const ROOT: &str = r#""Principal": {"AWS": "arn:aws:iam::111122223333:root"}"#;

// ---------------------------------------------------------------------------------------------
// Whole documents
// ---------------------------------------------------------------------------------------------

#[test]
fn the_default_key_policy_parses() {
    // KMS Developer Guide, key-policy-default.html: the policy CreateKey gives a key by default.
    let policy = key_policy(
        r#"{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [{
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*"
  }]
}"#,
    );
    assert_eq!(policy.version, PolicyVersion::V2012_10_17);
    assert_eq!(policy.id.as_deref(), Some("key-default-1"));
    assert!(!policy.single_statement);
    let statement = &policy.statements[0];
    assert_eq!(statement.label(), "Enable IAM User Permissions");
    assert_eq!(statement.effect, Effect::Allow);
    let principal = statement.principal.as_ref().unwrap();
    assert!(!principal.negated);
    let PrincipalSet::Specific(entries) = &principal.principals else {
        panic!("expected specific principals");
    };
    assert_eq!(entries[0].kind, PrincipalKey::Aws);
    assert_eq!(entries[0].normalized, "arn:aws:iam::111122223333:root");
    assert_eq!(statement.action.as_ref().unwrap().patterns[0].text, "kms:*");
    assert_eq!(statement.resource.as_ref().unwrap().patterns[0].text, "*");
}

#[test]
fn the_console_default_key_policy_parses() {
    // KMS Developer Guide, key-policy-default.html ("Example key policy"), with a condition.
    let policy = key_policy(
        r#"{
  "Version": "2012-10-17",
  "Id": "key-consolepolicy-3",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow use of the key", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser",
                           "arn:aws:iam::111122223333:role/ExampleRole",
                           "arn:aws:iam::444455556666:root"]},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
     "Resource": "*"},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser"]},
     "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
     "Resource": "*",
     "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}}
  ]
}"#,
    );
    assert_eq!(policy.statements.len(), 3);
    assert_eq!(policy.statements[2].index, 2);
    let condition = &policy.statements[2].conditions[0];
    assert_eq!(condition.operator.kind, OperatorKind::Bool);
    assert_eq!(condition.key, "kms:GrantIsForAWSResource");
    // An unquoted boolean is read as its text (IAM User Guide, reference_policies_grammar.html).
    assert_eq!(condition.values[0].text, "true");
}

#[test]
fn a_duplicate_effect_is_an_error_at_its_line_and_column() {
    // A second "Effect" must never silently win: serde_json would keep the last one.
    let text = "{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"Effect\": \"Allow\",\n    \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"\n  }\n}";
    let error = only_error(text, KeyPolicy);
    assert_eq!(error.message, "duplicate key `Effect`");
    assert_eq!((error.start.line, error.start.column), (4, 5));
    assert_eq!(error.path, "Statement.Effect");
    assert_eq!(
        error.kms_exception,
        Some("MalformedPolicyDocumentException")
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statment": [],
  "Statement": [
    {"Effect": "allow", "Principal": "*", "Action": "Encrypt", "Resource": "*"},
    {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:group/Admins"},
     "Action": "kms:*", "NotAction": "kms:Decrypt", "Resource": "*",
     "Condition": {"StringEqual": {"kms:CallerAccount": "111122223333"}}}
  ]
}"#;
    assert_eq!(
        errors(text, KeyPolicy),
        [
            (
                "3:3".into(),
                "unknown-field",
                "unknown policy element `Statment`".into()
            ),
            (
                "5:16".into(),
                "invalid-effect",
                "invalid `Effect` `allow`".into()
            ),
            (
                "5:53".into(),
                "invalid-action",
                "invalid action `Encrypt`".into()
            ),
            (
                "6:45".into(),
                "invalid-principal",
                "an IAM group cannot be a principal: `arn:aws:iam::111122223333:group/Admins`"
                    .into()
            ),
            (
                "7:25".into(),
                "conflicting-elements",
                "a statement cannot have both `Action` and `NotAction`".into()
            ),
            (
                "8:20".into(),
                "unknown-operator",
                "unknown condition operator `StringEqual`".into()
            ),
        ]
    );
}

#[test]
fn the_document_must_be_an_object_with_a_statement() {
    assert_eq!(
        errors("[]", KeyPolicy),
        [(
            "1:1".into(),
            "wrong-type",
            "a policy must be a JSON object, found an array".into()
        )]
    );
    assert_eq!(
        errors("{\"Version\": \"2012-10-17\"}", KeyPolicy),
        [("1:1".into(), "missing-field", "missing `Statement`".into())]
    );
}

#[test]
fn unknown_elements_are_errors_with_a_suggestion() {
    let text = key_statement(&format!(
        "{ROOT}, \"Actions\": \"kms:*\", \"Resource\": \"*\""
    ));
    let error = only_error(&text, KeyPolicy);
    assert_eq!(error.message, "unknown statement element `Actions`");
    assert_eq!(error.hint.as_deref(), Some("did you mean `Action`?"));
    assert_eq!(error.path, "Statement[0].Actions");
}

// ---------------------------------------------------------------------------------------------
// Version, Id, Statement, Sid, Effect
// ---------------------------------------------------------------------------------------------

#[test]
fn version_is_2012_10_17_or_2008_10_17_and_absent_means_2008() {
    // IAM User Guide, reference_policies_elements_version.html.
    let body = "\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}";
    let v2012 = identity_policy(&format!("{{\"Version\": \"2012-10-17\", {body}}}"));
    assert_eq!(
        (v2012.version, v2012.version_written),
        (PolicyVersion::V2012_10_17, true)
    );
    let v2008 = identity_policy(&format!("{{\"Version\": \"2008-10-17\", {body}}}"));
    assert_eq!(
        (v2008.version, v2008.version_written),
        (PolicyVersion::V2008_10_17, true)
    );
    let absent = identity_policy(&format!("{{{body}}}"));
    assert_eq!(
        (absent.version, absent.version_written),
        (PolicyVersion::V2008_10_17, false)
    );
    assert!(absent.single_statement);

    let error = only_error(
        &format!("{{\"Version\": \"2024-01-01\", {body}}}"),
        IdentityPolicy,
    );
    assert_eq!(error.message, "invalid `Version` `2024-01-01`");
    assert_eq!((error.start.line, error.start.column), (1, 13));
}

#[test]
fn id_belongs_to_resource_policies_only() {
    // IAM User Guide, reference_policies_elements_id.html: allowed in resource-based policies,
    // not in identity-based ones.
    let statement = "{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}";
    let text = format!("{{\"Id\": \"x\", \"Statement\": {statement}}}");
    assert_eq!(
        errors(&text, IdentityPolicy),
        [(
            "1:2".into(),
            "id-not-allowed",
            "`Id` is not allowed in an identity policy".into()
        )]
    );
}

#[test]
fn an_empty_statement_list_is_an_error() {
    let error = only_error("{\"Statement\": []}", KeyPolicy);
    assert_eq!(
        (error.code, error.message.as_str()),
        ("empty-statement", "`Statement` is empty")
    );
    // Deleting the only statement says what to do instead.
    let hint = error.hint.unwrap_or_default();
    assert!(
        hint.contains("`Deny`") && hint.contains("Remove policy"),
        "{hint}"
    );
    let error = only_error("{\"Statement\": \"Allow\"}", KeyPolicy);
    assert_eq!(
        error.message,
        "expected a statement object or an array of statements, found a string"
    );
}

#[test]
fn key_policy_sids_may_contain_spaces_iam_sids_may_not() {
    // KMS Developer Guide, key-policy-overview.html; IAM User Guide, reference_policies_elements_sid.html.
    let body = "\"Action\": \"kms:*\", \"Resource\": \"*\"";
    key_policy(&key_statement(&format!(
        "\"Sid\": \"Allow use of the key\", {ROOT}, {body}"
    )));
    let error = only_error(
        &identity_statement(&format!("\"Sid\": \"Allow use\", {body}")),
        IdentityPolicy,
    );
    assert_eq!(
        error.message,
        "`Sid` `Allow use` may contain only letters and digits in an identity policy"
    );
    identity_policy(&identity_statement(&format!(
        "\"Sid\": \"AllowUse1\", {body}"
    )));
}

#[test]
fn iam_sids_are_unique_within_a_policy() {
    let statement =
        "{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}";
    let text = format!("{{\"Statement\": [{statement}, {statement}]}}");
    assert_eq!(
        errors(&text, IdentityPolicy),
        [("1:85".into(), "duplicate-sid", "duplicate `Sid` `A`".into())]
    );
}

#[test]
fn effect_is_allow_or_deny_and_case_sensitive() {
    // IAM User Guide, reference_policies_elements_effect.html.
    let text = "{\"Statement\": {\"Effect\": \"deny\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}";
    let error = only_error(text, KeyPolicy);
    assert_eq!(error.message, "invalid `Effect` `deny`");
    assert_eq!(
        error.hint.as_deref(),
        Some("`Effect` is case-sensitive: write `Deny`")
    );
    let text =
        "{\"Statement\": {\"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}";
    assert_eq!(only_error(text, KeyPolicy).message, "missing `Effect`");
}

// ---------------------------------------------------------------------------------------------
// Principal
// ---------------------------------------------------------------------------------------------

fn principals(principal: &str) -> PrincipalSet {
    let text = key_statement(&format!(
        "\"Principal\": {principal}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    let policy = key_policy(&text);
    policy.statements[0].principal.clone().unwrap().principals
}

fn specific(principal: &str) -> Vec<(PrincipalKey, String, String)> {
    match principals(principal) {
        PrincipalSet::Specific(entries) => entries
            .into_iter()
            .map(|e| (e.kind, e.value, e.normalized))
            .collect(),
        PrincipalSet::Everyone => panic!("expected specific principals for {principal}"),
    }
}

#[test]
fn star_and_aws_star_mean_everyone() {
    // IAM User Guide, reference_policies_elements_principal.html: "*" and {"AWS": "*"} are equivalent.
    assert_eq!(principals("\"*\""), PrincipalSet::Everyone);
    assert_eq!(principals("{\"AWS\": \"*\"}"), PrincipalSet::Everyone);
    assert_eq!(
        principals("{\"AWS\": [\"arn:aws:iam::111122223333:root\", \"*\"]}"),
        PrincipalSet::Everyone
    );
}

#[test]
fn a_bare_account_id_means_that_accounts_root_principal() {
    // IAM User Guide, reference_policies_elements_principal.html ("AWS account principals").
    assert_eq!(
        specific("{\"AWS\": \"111122223333\"}"),
        [(
            PrincipalKey::Aws,
            "111122223333".into(),
            "arn:aws:iam::111122223333:root".into()
        )]
    );
}

#[test]
fn every_principal_form_parses() {
    let entries = specific(
        r#"{
        "AWS": ["arn:aws:iam::111122223333:user/division/Alice",
                "arn:aws:iam::111122223333:role/KeyUsers",
                "arn:aws:sts::111122223333:assumed-role/KeyUsers/session-1",
                "arn:aws:sts::111122223333:federated-user/Bob",
                "arn:aws-cn:iam::111122223333:root",
                "AIDACKCEVSQ6C2EXAMPLE"],
        "Service": "ec2.amazonaws.com",
        "Federated": "cognito-identity.amazonaws.com",
        "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }"#,
    );
    let kinds: Vec<PrincipalKey> = entries.iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        [
            PrincipalKey::Aws,
            PrincipalKey::Aws,
            PrincipalKey::Aws,
            PrincipalKey::Aws,
            PrincipalKey::Aws,
            PrincipalKey::Aws,
            PrincipalKey::Service,
            PrincipalKey::Federated,
            PrincipalKey::CanonicalUser
        ]
    );
    assert!(
        entries
            .iter()
            .all(|(_, value, normalized)| value == normalized)
    );
}

fn principal_error(principal: &str) -> Diagnostic {
    let text = key_statement(&format!(
        "\"Principal\": {principal}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    only_error(&text, KeyPolicy)
}

#[test]
fn principal_arns_take_no_partial_wildcards() {
    // IAM User Guide, reference_policies_elements_principal.html: "You cannot use a wildcard to
    // match part of a principal name or ARN."
    let error = principal_error("{\"AWS\": \"arn:aws:iam::111122223333:role/Key*\"}");
    assert_eq!(
        error.message,
        "wildcards are not allowed in a principal ARN: `arn:aws:iam::111122223333:role/Key*`"
    );
    assert_eq!(error.path, "Statement[0].Principal.AWS");
    let error = principal_error("{\"Service\": \"*.amazonaws.com\"}");
    assert_eq!(
        error.message,
        "wildcards are not allowed in a service principal: `*.amazonaws.com`"
    );
}

#[test]
fn iam_groups_are_not_principals_and_kms_says_so() {
    // KMS Developer Guide, key-policy-overview.html: IAM groups are not valid principals;
    // CreateKey/PutKeyPolicy fail with MalformedPolicyDocumentException.
    let text = key_statement(
        "\"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\", \"arn:aws:iam::111122223333:group/Admins\"]}, \"Action\": \"kms:*\", \"Resource\": \"*\"",
    );
    let parsed = parse_policy(&text, KeyPolicy);
    let error = &parsed.diagnostics[0];
    assert_eq!(error.code, "invalid-principal");
    assert_eq!(error.path, "Statement[0].Principal.AWS[1]");
    let rejection = parsed.kms_rejection().unwrap();
    assert_eq!(rejection.exception, "MalformedPolicyDocumentException");
    assert_eq!(
        rejection.message,
        "Policy contains a statement with one or more invalid principals."
    );
}

#[test]
fn malformed_principals_are_errors() {
    let cases = [
        (
            "\"arn:aws:iam::111122223333:root\"",
            "invalid principal `arn:aws:iam::111122223333:root`",
        ),
        (
            "{\"AWS\": \"11112222333\"}",
            "invalid AWS principal `11112222333`",
        ),
        (
            "{\"AWS\": \"arn:aws:iam:us-east-1:111122223333:root\"}",
            "invalid AWS principal `arn:aws:iam:us-east-1:111122223333:root`",
        ),
        (
            "{\"AWS\": \"arn:aws:kms:us-east-1:111122223333:key/abc\"}",
            "invalid AWS principal `arn:aws:kms:us-east-1:111122223333:key/abc`",
        ),
        (
            "{\"AWS\": \"arn:aws:sts::111122223333:assumed-role/OnlyRole\"}",
            "invalid AWS principal `arn:aws:sts::111122223333:assumed-role/OnlyRole`",
        ),
        (
            "{\"AWS\": \"arn:aws:iam::111122223333:user/\"}",
            "invalid AWS principal `arn:aws:iam::111122223333:user/`",
        ),
        (
            "{\"Service\": \"arn:aws:iam::111122223333:root\"}",
            "invalid service principal `arn:aws:iam::111122223333:root`",
        ),
        (
            "{\"CanonicalUser\": \"abc\"}",
            "invalid canonical user id `abc`",
        ),
        ("{}", "the principal object names no principals"),
    ];
    for (principal, message) in cases {
        let error = principal_error(principal);
        assert_eq!(
            (error.code, error.message.as_str()),
            ("invalid-principal", message),
            "{principal}"
        );
    }
    let error = principal_error("{\"AWS\": []}");
    assert_eq!(
        (error.code, error.message.as_str()),
        ("empty-list", "the list is empty")
    );
    let error = principal_error("{\"Aws\": \"111122223333\"}");
    assert_eq!(error.message, "unknown principal type `Aws`");
    assert_eq!(error.hint.as_deref(), Some("did you mean `AWS`?"));
    let error = principal_error("42");
    assert_eq!(
        error.message,
        "expected `\"*\"` or an object such as {\"AWS\": ...}, found a number"
    );
}

#[test]
fn key_policy_statements_need_a_principal_identity_policies_must_not_have_one() {
    // KMS Developer Guide, key-policy-overview.html (Principal required); IAM User Guide,
    // reference_policies_elements_principal.html (not in identity-based policies).
    let error = only_error(
        &key_statement("\"Action\": \"kms:*\", \"Resource\": \"*\""),
        KeyPolicy,
    );
    assert_eq!(
        (error.code, error.message.as_str()),
        ("missing-principal", "missing `Principal`")
    );
    assert_eq!(
        error.kms_exception,
        Some("MalformedPolicyDocumentException")
    );

    let text =
        identity_statement("\"NotPrincipal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"");
    assert_eq!(
        errors(&text, IdentityPolicy),
        [(
            "1:61".into(),
            "principal-not-allowed",
            "`NotPrincipal` is not allowed in an identity policy".into()
        )]
    );
    let text = key_statement(&format!(
        "{ROOT}, \"NotPrincipal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    assert_eq!(
        only_error(&text, KeyPolicy).message,
        "a statement cannot have both `Principal` and `NotPrincipal`"
    );
    let text = key_statement(
        "\"NotPrincipal\": {\"AWS\": \"111122223333\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"",
    );
    assert!(
        key_policy(&text).statements[0]
            .principal
            .as_ref()
            .unwrap()
            .negated
    );
}

// ---------------------------------------------------------------------------------------------
// Action and Resource
// ---------------------------------------------------------------------------------------------

#[test]
fn action_and_resource_take_a_string_or_a_list() {
    // IAM User Guide, reference_policies_elements_action.html / _resource.html.
    let text = key_statement(&format!(
        "{ROOT}, \"NotAction\": [\"kms:Get*\", \"kms:List?eys\"], \"NotResource\": \"arn:aws:kms:*:111122223333:key/*\""
    ));
    let policy = key_policy(&text);
    let action = policy.statements[0].action.as_ref().unwrap();
    assert!(action.negated);
    let texts: Vec<&str> = action.patterns.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["kms:Get*", "kms:List?eys"]);
    let resource = policy.statements[0].resource.as_ref().unwrap();
    assert!(resource.negated);
    assert_eq!(
        resource.patterns[0].text,
        "arn:aws:kms:*:111122223333:key/*"
    );
}

#[test]
fn a_statement_cannot_have_both_action_and_notaction() {
    let text = key_statement(&format!(
        "{ROOT}, \"Action\": \"kms:*\", \"NotAction\": \"kms:Decrypt\", \"Resource\": \"*\""
    ));
    let error = only_error(&text, KeyPolicy);
    assert_eq!(
        error.message,
        "a statement cannot have both `Action` and `NotAction`"
    );
    assert_eq!(error.path, "Statement[0].NotAction");
    let text = key_statement(&format!(
        "{ROOT}, \"Action\": \"kms:*\", \"NotResource\": \"*\", \"Resource\": \"*\""
    ));
    assert_eq!(
        only_error(&text, KeyPolicy).message,
        "a statement cannot have both `Resource` and `NotResource`"
    );
}

#[test]
fn key_policy_statements_without_action_or_resource_are_accepted() {
    // KMS API Reference, PutKeyPolicy `Policy`: such a statement has no effect but the call
    // succeeds. IAM refuses the same identity policy ("Policy statement must contain actions").
    let policy = key_policy(&key_statement(ROOT));
    assert!(policy.statements[0].action.is_none());
    assert!(policy.statements[0].resource.is_none());
    let text = "{\"Statement\": {\"Effect\": \"Allow\"}}";
    assert_eq!(
        errors(text, IdentityPolicy),
        [
            (
                "1:15".into(),
                "missing-field",
                "missing `Action` (or `NotAction`)".into()
            ),
            (
                "1:15".into(),
                "missing-field",
                "missing `Resource` (or `NotResource`)".into()
            ),
        ]
    );
}

#[test]
fn malformed_actions_and_resources_are_errors() {
    let text = key_statement(&format!(
        "{ROOT}, \"Action\": [\"kms:Encrypt\", \"Decrypt\", \"kms:\"], \"Resource\": [\"key/1\", 7]"
    ));
    let parsed = parse_policy(&text, KeyPolicy);
    let found: Vec<(&str, &str)> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.message.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("invalid action `Decrypt`", "Statement[0].Action[1]"),
            ("invalid action `kms:`", "Statement[0].Action[2]"),
            ("invalid resource `key/1`", "Statement[0].Resource[0]"),
            (
                "expected a string, found a number",
                "Statement[0].Resource[1]"
            ),
        ]
    );
    let text = key_statement(&format!("{ROOT}, \"Action\": [], \"Resource\": \"*\""));
    assert_eq!(only_error(&text, KeyPolicy).message, "the list is empty");
}

// ---------------------------------------------------------------------------------------------
// Condition
// ---------------------------------------------------------------------------------------------

fn conditions(condition: &str, kind: PolicyKind) -> Vec<Condition> {
    let body = format!("\"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {condition}");
    let policy = match kind {
        KeyPolicy => key_policy(&key_statement(&format!("{ROOT}, {body}"))),
        IdentityPolicy => identity_policy(&identity_statement(&body)),
    };
    policy.statements[0].conditions.clone()
}

fn condition_error(condition: &str) -> Diagnostic {
    let text = key_statement(&format!(
        "{ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {condition}"
    ));
    only_error(&text, KeyPolicy)
}

#[test]
fn every_operator_with_every_modifier_parses() {
    // IAM User Guide, reference_policies_elements_condition_operators.html and
    // reference_policies_multi-value-conditions.html.
    let names = operator_names();
    assert_eq!(names.len(), 3 * (27 * 2 - 1));
    for name in &names {
        let operator = parse_operator(name).unwrap();
        assert_eq!(operator.if_exists, name.ends_with("IfExists"), "{name}");
        let qualifier = match name.split_once(':') {
            Some(("ForAllValues", _)) => Some(SetQualifier::ForAllValues),
            Some(("ForAnyValue", _)) => Some(SetQualifier::ForAnyValue),
            _ => None,
        };
        assert_eq!(operator.qualifier, qualifier, "{name}");
    }
    let operator = parse_operator("ForAnyValue:StringNotLikeIfExists").unwrap();
    assert_eq!(operator.kind, OperatorKind::StringNotLike);
}

#[test]
fn conditions_are_flattened_one_per_operator_and_key() {
    let found = conditions(
        r#"{"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": ["ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]},
            "NumericLessThan": {"kms:RotationPeriodInDays": 365},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Dept"]}}"#,
        KeyPolicy,
    );
    let summary: Vec<(&str, &str, Vec<&str>)> = found
        .iter()
        .map(|c| {
            (
                c.operator_text.as_str(),
                c.key.as_str(),
                c.values.iter().map(|v| v.text.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("StringEquals", "kms:CallerAccount", vec!["111122223333"]),
            (
                "StringEquals",
                "kms:ViaService",
                vec!["ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]
            ),
            ("NumericLessThan", "kms:RotationPeriodInDays", vec!["365"]),
            (
                "ForAllValues:StringEquals",
                "kms:EncryptionContextKeys",
                vec!["Dept"]
            ),
        ]
    );
}

#[test]
fn an_unknown_operator_gets_a_suggestion() {
    let error = condition_error("{\"StringEqual\": {\"kms:CallerAccount\": \"111122223333\"}}");
    assert_eq!(error.message, "unknown condition operator `StringEqual`");
    assert_eq!(error.hint.as_deref(), Some("did you mean `StringEquals`?"));
    assert_eq!(error.path, "Statement[0].Condition.StringEqual");
    let error =
        condition_error("{\"ForAnyValues:StringLike\": {\"kms:EncryptionContextKeys\": \"a*\"}}");
    assert_eq!(
        error.hint.as_deref(),
        Some("did you mean `ForAnyValue:StringLike`?")
    );
}

#[test]
fn null_takes_no_if_exists() {
    // IAM User Guide, reference_policies_elements_condition_operators.html (Null condition operator).
    let error = condition_error("{\"NullIfExists\": {\"aws:TokenIssueTime\": \"true\"}}");
    assert_eq!(
        (error.code, error.message.as_str()),
        ("invalid-operator", "`NullIfExists` is not a valid operator")
    );
}

#[test]
fn condition_keys_need_a_prefix_and_values_must_be_scalars() {
    let error = condition_error("{\"StringEquals\": {\"CallerAccount\": \"111122223333\"}}");
    assert_eq!(error.message, "invalid condition key `CallerAccount`");
    let error = condition_error("{\"StringEquals\": {\"kms:CallerAccount\": [\"1\", null]}}");
    assert_eq!(
        error.message,
        "a condition value must be a string, a number or a boolean, found null"
    );
    assert_eq!(
        error.path,
        "Statement[0].Condition.StringEquals.kms:CallerAccount[1]"
    );
    let error = condition_error("{\"StringEquals\": \"x\"}");
    assert_eq!(error.message, "expected an object, found a string");
}

#[test]
fn for_all_values_with_an_encryption_context_key_is_rejected_in_key_policies() {
    // KMS Developer Guide, conditions-kms.html ("Using set operators with condition keys"):
    // KMS returns OverlyPermissiveCondition for ForAllValues with kms:EncryptionContext:context-key
    // or aws:RequestTag/tag-key.
    let error = condition_error(
        "{\"ForAllValues:StringEquals\": {\"kms:EncryptionContext:Dept\": \"IT\"}}",
    );
    assert_eq!(error.code, "overly-permissive-condition");
    assert_eq!(
        error.message,
        "`ForAllValues` with the single-valued key `kms:EncryptionContext:Dept` is overly permissive"
    );
    let error =
        condition_error("{\"ForAllValues:StringLike\": {\"aws:RequestTag/Project\": \"*\"}}");
    assert_eq!(error.code, "overly-permissive-condition");
    // ForAnyValue, or an IAM policy, is not refused (lint may still warn).
    conditions(
        "{\"ForAnyValue:StringEquals\": {\"kms:EncryptionContext:Dept\": \"IT\"}}",
        KeyPolicy,
    );
    conditions(
        "{\"ForAllValues:StringEquals\": {\"kms:EncryptionContext:Dept\": \"IT\"}}",
        IdentityPolicy,
    );
}

// ---------------------------------------------------------------------------------------------
// Key-policy text limits
// ---------------------------------------------------------------------------------------------

#[test]
fn a_key_policy_over_32_kb_is_a_limit_exceeded_exception() {
    // KMS Developer Guide, resource-limits.html (32 KB key policy document size);
    // KMS API Reference, PutKeyPolicy: LimitExceededException.
    let filler = "x".repeat(33_000);
    let text = key_statement(&format!(
        "\"Sid\": \"{filler}\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    let parsed = parse_policy(&text, KeyPolicy);
    assert!(parsed.policy.is_none());
    let error = &parsed.diagnostics[0];
    assert_eq!(error.code, "policy-too-large");
    assert_eq!(
        error.message,
        format!(
            "key policy is {} bytes, more than the 32768 KMS allows",
            text.len()
        )
    );
    assert_eq!(
        parsed.kms_rejection().unwrap().exception,
        "LimitExceededException"
    );
    // The same document is a fine identity policy as far as size goes here.
    assert!(!errors(&text, KeyPolicy).is_empty());
}

#[test]
fn a_key_policy_of_exactly_32768_bytes_is_accepted() {
    let empty = key_statement(&format!(
        "\"Sid\": \"\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    let filler = "x".repeat(32_768 - empty.len());
    let text = key_statement(&format!(
        "\"Sid\": \"{filler}\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    assert_eq!(text.len(), 32_768);
    key_policy(&text);
}

#[test]
fn key_policies_allow_only_latin_1_characters() {
    // KMS API Reference, PutKeyPolicy `Policy` pattern `[\u0009\u000A\u000D\u0020-\u00FF]+`.
    key_policy(&key_statement(&format!(
        "\"Sid\": \"Café crème\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    )));
    let text = key_statement(&format!(
        "\"Sid\": \"Keys 🔑\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\""
    ));
    let error = only_error(&text, KeyPolicy);
    assert_eq!(
        error.message,
        "character `🔑` (U+1F511) is not allowed in a key policy"
    );
    assert_eq!((error.start.line, error.start.column), (1, 74));
    assert_eq!(
        error.kms_exception,
        Some("MalformedPolicyDocumentException")
    );
    // Identity policies have no such rule here.
    identity_policy(&identity_statement(
        "\"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:username\": \"José 🔑\"}}",
    ));
}

#[test]
fn many_bad_characters_are_summarised() {
    let text = key_statement(&format!(
        "\"Sid\": \"{}\", {ROOT}, \"Action\": \"kms:*\", \"Resource\": \"*\"",
        "€".repeat(8)
    ));
    let messages: Vec<String> = parse_policy(&text, KeyPolicy)
        .diagnostics
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert_eq!(messages.len(), 6);
    assert_eq!(
        messages[5],
        "and 3 more characters not allowed in a key policy"
    );
}

// ---------------------------------------------------------------------------------------------
// Policies inside other documents
// ---------------------------------------------------------------------------------------------

#[test]
fn an_embedded_policy_reports_positions_in_the_outer_document() {
    let text = "{\n  \"keys\": [{\n    \"policy\": {\"Statement\": {\"Effect\": \"Alow\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}\n  }]\n}";
    let index = LineIndex::new(text);
    let document = json::parse_indexed(text, &index);
    let root = document.value.unwrap();
    let policy_value = root
        .as_object()
        .unwrap()
        .get("keys")
        .unwrap()
        .as_array()
        .unwrap()[0]
        .as_object()
        .unwrap()
        .get("policy")
        .unwrap()
        .clone();
    let path = JsonPath::root().key("keys").index(0).key("policy");
    let parsed = parse_policy_value(&policy_value, KeyPolicy, &path, &index);
    assert!(parsed.policy.is_none());
    let error = &parsed.diagnostics[0];
    assert_eq!(error.message, "invalid `Effect` `Alow`");
    assert_eq!(error.hint.as_deref(), Some("did you mean `Allow`?"));
    assert_eq!(error.path, "keys[0].policy.Statement.Effect");
    assert_eq!((error.start.line, error.start.column), (3, 40));
}
