//! Every condition operator, its modifiers and the set qualifiers. Unless noted, the source is the
//! IAM User Guide, reference_policies_elements_condition_operators.html; set qualifiers are from
//! reference_policies_multi-value-conditions.html.

use crate::common;

use common::*;
use kms_engine::diagnostics::Span;
use kms_engine::policy::condition::{
    ConditionReason, condition_holds, explain_condition, request_value,
};
use kms_engine::policy::{Condition, ConditionValue, PolicyVersion};
use kms_engine::request::{Context, Request, RequestPrincipal};

fn condition(op: &str, key: &str, values: &[&str]) -> Condition {
    Condition {
        operator: operator(op),
        operator_text: op.to_owned(),
        key: key.to_owned(),
        values: values
            .iter()
            .map(|v| ConditionValue {
                text: (*v).to_owned(),
                span: Span::default(),
            })
            .collect(),
        operator_span: Span::default(),
        key_span: Span::default(),
    }
}

/// Whether `op` on `key` with policy `values` holds for a request with `ctx`, checked on both the
/// fast and the explained path.
fn holds_for(
    caller: &RequestPrincipal,
    op: &str,
    key: &str,
    values: &[&str],
    ctx: &Context,
) -> bool {
    let c = condition(op, key, values);
    let request = Request {
        principal: caller,
        action: "kms:Decrypt",
        resource: KEY_ARN,
        context: ctx,
    };
    let fast = condition_holds(&c, PolicyVersion::V2012_10_17, &request);
    let trace = explain_condition(&c, PolicyVersion::V2012_10_17, &request);
    assert_eq!(
        fast,
        trace.holds,
        "fast and explained paths disagree: {}",
        trace.summary()
    );
    fast
}

fn holds(op: &str, key: &str, values: &[&str], ctx: &[(&str, &str)]) -> bool {
    holds_for(&user(ACCOUNT, "alice"), op, key, values, &context(ctx))
}

#[test]
fn string_operators() {
    let dept = [("kms:EncryptionContext:dept", "Finance")];
    let key = "kms:EncryptionContext:dept";
    assert!(holds("StringEquals", key, &["Finance"], &dept));
    assert!(
        !holds("StringEquals", key, &["finance"], &dept),
        "StringEquals is case-sensitive"
    );
    assert!(
        holds("StringEquals", key, &["Sales", "Finance"], &dept),
        "several values OR"
    );
    assert!(
        !holds("StringEquals", key, &["Fin*"], &dept),
        "no wildcards in StringEquals"
    );
    assert!(holds("StringNotEquals", key, &["Sales"], &dept));
    assert!(
        !holds("StringNotEquals", key, &["Sales", "Finance"], &dept),
        "negated: none may match"
    );
    assert!(holds("StringEqualsIgnoreCase", key, &["FINANCE"], &dept));
    assert!(!holds(
        "StringNotEqualsIgnoreCase",
        key,
        &["finance"],
        &dept
    ));
    assert!(holds("StringNotEqualsIgnoreCase", key, &["sales"], &dept));
    assert!(holds("StringLike", key, &["Fin*"], &dept));
    assert!(holds("StringLike", key, &["F?nance"], &dept));
    assert!(
        !holds("StringLike", key, &["fin*"], &dept),
        "StringLike is case-sensitive"
    );
    assert!(holds("StringNotLike", key, &["S*"], &dept));
    assert!(!holds("StringNotLike", key, &["S*", "F*"], &dept));
}

// IAM User Guide, reference_policies_elements_condition.html: condition key names are
// case-insensitive; values keep their case.
#[test]
fn condition_key_names_are_case_insensitive() {
    assert!(holds(
        "StringEquals",
        "KMS:ViaService",
        &["ec2.us-east-1.amazonaws.com"],
        &[("kms:viaservice", "ec2.us-east-1.amazonaws.com")]
    ));
}

#[test]
fn numeric_operators() {
    let days = [("kms:ScheduleKeyDeletionPendingWindowInDays", "7")];
    let key = "kms:ScheduleKeyDeletionPendingWindowInDays";
    assert!(holds("NumericEquals", key, &["7"], &days));
    assert!(
        holds("NumericEquals", key, &["7.0"], &days),
        "integers and decimals compare as numbers"
    );
    assert!(holds("NumericNotEquals", key, &["30"], &days));
    assert!(!holds("NumericNotEquals", key, &["30", "7"], &days));
    assert!(holds("NumericLessThan", key, &["30"], &days));
    assert!(!holds("NumericLessThan", key, &["7"], &days));
    assert!(holds("NumericLessThanEquals", key, &["7"], &days));
    assert!(holds("NumericGreaterThan", key, &["6.5"], &days));
    assert!(!holds("NumericGreaterThan", key, &["7"], &days));
    assert!(holds("NumericGreaterThanEquals", key, &["7"], &days));
    assert!(holds("NumericGreaterThanEquals", key, &["-3"], &days));
    // A request value that is not a number matches nothing.
    assert!(!holds("NumericLessThan", key, &["30"], &[(key, "soon")]));
}

// "Date condition operators": W3C ISO 8601 forms or epoch seconds.
#[test]
fn date_operators() {
    let now = [("aws:CurrentTime", "2024-06-01T12:00:00Z")];
    let key = "aws:CurrentTime";
    assert!(holds("DateGreaterThan", key, &["2024-01-01"], &now));
    assert!(holds(
        "DateLessThan",
        key,
        &["2024-06-01T13:00:00+00:30"],
        &now
    ));
    assert!(
        !holds("DateLessThan", key, &["2024-06-01T14:00:00+02:00"], &now),
        "equal instants"
    );
    assert!(holds(
        "DateLessThanEquals",
        key,
        &["2024-06-01T14:00:00+02:00"],
        &now
    ));
    assert!(
        holds("DateEquals", key, &["1717243200"], &now),
        "epoch seconds"
    );
    assert!(holds("DateNotEquals", key, &["2024-06-01"], &now));
    assert!(holds(
        "DateGreaterThanEquals",
        key,
        &["2024-06-01T12:00:00.000Z"],
        &now
    ));
    assert!(!holds("DateGreaterThan", key, &["2025-01-01"], &now));
    assert!(!holds("DateGreaterThan", key, &["not a date"], &now));
    assert!(holds(
        "DateLessThan",
        "aws:EpochTime",
        &["2030-01-01"],
        &[("aws:EpochTime", "1717243200")]
    ));
}

#[test]
fn bool_operator() {
    let key = "kms:GrantIsForAWSResource";
    assert!(holds("Bool", key, &["true"], &[(key, "true")]));
    assert!(holds("Bool", key, &["True"], &[(key, "true")]));
    assert!(!holds("Bool", key, &["true"], &[(key, "false")]));
    assert!(!holds("Bool", key, &["yes"], &[(key, "true")]));
    assert!(!holds("Bool", key, &["true"], &[]), "missing key: false");
    assert!(
        holds("BoolIfExists", key, &["true"], &[]),
        "IfExists: a missing key is a match"
    );
}

// "Binary condition operators": byte-for-byte against the base64 value in the policy.
#[test]
fn binary_equals() {
    let key = "aws:SomeBinary";
    assert!(holds(
        "BinaryEquals",
        key,
        &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
        &[(key, "QmluYXJ5VmFsdWVJbkJhc2U2NA==")]
    ));
    assert!(!holds(
        "BinaryEquals",
        key,
        &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
        &[(key, "QmluYXJ5")]
    ));
    assert!(!holds(
        "BinaryEquals",
        key,
        &["not base64!"],
        &[(key, "not base64!")]
    ));
}

// "IP address condition operators": IPv4 and IPv6 CIDR; no prefix means /32.
#[test]
fn ip_operators() {
    let key = "aws:SourceIp";
    let v4 = [(key, "203.0.113.10")];
    let v6 = [(key, "2001:db8:1234:5678::1")];
    let ranges = ["203.0.113.0/24", "2001:DB8:1234:5678::/64"];
    assert!(holds("IpAddress", key, &ranges, &v4));
    assert!(holds("IpAddress", key, &ranges, &v6));
    assert!(!holds("IpAddress", key, &["198.51.100.0/24"], &v4));
    assert!(holds("IpAddress", key, &["203.0.113.10"], &v4));
    assert!(holds("NotIpAddress", key, &["198.51.100.0/24"], &v4));
    assert!(!holds("NotIpAddress", key, &ranges, &v6));
}

// "Amazon Resource Name (ARN) condition operators": ArnEquals and ArnLike behave identically,
// per colon-delimited segment, case-sensitive.
#[test]
fn arn_operators() {
    let key = "aws:SourceArn";
    let ctx = [(
        key,
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
    )];
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    assert!(!holds("ArnLike", key, &[pattern], &ctx));
    assert!(!holds("ArnEquals", key, &[pattern], &ctx));
    assert!(
        holds("StringLike", key, &[pattern], &ctx),
        "the page's own example: StringLike matches"
    );
    assert!(holds("ArnNotLike", key, &[pattern], &ctx));
    let topic = [(key, "arn:aws:sns:us-east-1:123456789012:topic")];
    for op in ["ArnEquals", "ArnLike"] {
        assert!(
            holds(op, key, &["arn:aws:sns:*:123456789012:*"], &topic),
            "{op}"
        );
        assert!(
            !holds(op, key, &["arn:aws:sns:*:123456789012:TOPIC"], &topic),
            "{op} is case-sensitive"
        );
    }
    assert!(!holds(
        "ArnNotEquals",
        key,
        &["arn:aws:sns:us-east-1:123456789012:topic"],
        &topic
    ));
}

// "Condition operator to check existence of condition keys".
#[test]
fn null_operator() {
    let key = "kms:EncryptionContextKeys";
    assert!(holds("Null", key, &["true"], &[]));
    assert!(!holds("Null", key, &["false"], &[]));
    assert!(holds("Null", key, &["false"], &[(key, "[dept]")]));
    assert!(!holds("Null", key, &["true"], &[(key, "[dept]")]));
    // An empty list is no value at all.
    assert!(holds("Null", key, &["true"], &[(key, "[]")]));
}

// "If the key that you specify in a policy condition is not present in the request context, the
// values do not match ... If the policy condition requires that the key is not matched, such as
// StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
#[test]
fn missing_keys() {
    let key = "kms:ViaService";
    assert!(!holds(
        "StringEquals",
        key,
        &["ec2.us-east-1.amazonaws.com"],
        &[]
    ));
    assert!(!holds("StringLike", key, &["*"], &[]));
    assert!(holds(
        "StringNotEquals",
        key,
        &["ec2.us-east-1.amazonaws.com"],
        &[]
    ));
    assert!(holds("StringNotLike", key, &["*"], &[]));
    assert!(holds("ArnNotLike", "aws:SourceArn", &["*"], &[]));
    assert!(holds("NotIpAddress", "aws:SourceIp", &["0.0.0.0/0"], &[]));
    // "...IfExists": a missing key makes the condition true, a present one is tested.
    assert!(holds(
        "StringEqualsIfExists",
        key,
        &["ec2.us-east-1.amazonaws.com"],
        &[]
    ));
    assert!(!holds(
        "StringEqualsIfExists",
        key,
        &["ec2.us-east-1.amazonaws.com"],
        &[(key, "s3.us-east-1.amazonaws.com")]
    ));
    assert!(holds("StringNotEqualsIfExists", key, &["x"], &[]));
}

// reference_policies_multi-value-conditions.html: ForAllValues is true when every request value
// matches, and for an empty or missing key; ForAnyValue needs one match and is false for an empty
// or missing key (shared/kms-semantics.md §8.2 for kms:EncryptionContextKeys).
#[test]
fn set_qualifiers() {
    let key = "kms:EncryptionContextKeys";
    let allowed = ["dept", "project"];
    let subset = [(key, "[dept]")];
    let extra = [(key, "[dept, owner]")];
    let none = [(key, "[]")];
    assert!(holds("ForAllValues:StringEquals", key, &allowed, &subset));
    assert!(!holds("ForAllValues:StringEquals", key, &allowed, &extra));
    assert!(holds("ForAllValues:StringEquals", key, &allowed, &none));
    assert!(holds("ForAllValues:StringEquals", key, &allowed, &[]));
    assert!(holds("ForAnyValue:StringEquals", key, &allowed, &extra));
    assert!(!holds("ForAnyValue:StringEquals", key, &["owner"], &subset));
    assert!(!holds("ForAnyValue:StringEquals", key, &allowed, &none));
    assert!(!holds("ForAnyValue:StringEquals", key, &allowed, &[]));
    assert!(holds(
        "ForAnyValue:StringEqualsIfExists",
        key,
        &allowed,
        &[]
    ));
    assert!(holds(
        "ForAllValues:StringLike",
        key,
        &["d*", "p*"],
        &[(key, "[dept, project]")]
    ));
    // Negated operators under a qualifier apply per request value.
    assert!(holds(
        "ForAllValues:StringNotEquals",
        key,
        &["secret"],
        &extra
    ));
    assert!(!holds(
        "ForAllValues:StringNotEquals",
        key,
        &["owner"],
        &extra
    ));
    assert!(
        holds("ForAnyValue:StringNotEquals", key, &["owner"], &extra),
        "`dept` is not `owner`"
    );
    assert!(!holds(
        "ForAnyValue:StringNotEquals",
        key,
        &["dept", "owner"],
        &extra
    ));
    // Without a qualifier a multivalued key matches when some value matches.
    assert!(holds("StringEquals", key, &["owner"], &extra));
    assert!(!holds("StringNotEquals", key, &["owner"], &extra));
}

// reference_policies_variables.html: variables in string and ARN condition values.
#[test]
fn policy_variables_in_condition_values() {
    let alice = user(ACCOUNT, "alice");
    let ctx = context(&[
        ("kms:EncryptionContext:owner", "alice"),
        ("aws:PrincipalTag/team", "blue"),
        ("kms:EncryptionContext:team", "blue"),
    ]);
    assert!(holds_for(
        &alice,
        "StringEquals",
        "kms:EncryptionContext:owner",
        &["${aws:username}"],
        &ctx
    ));
    assert!(holds_for(
        &alice,
        "StringEquals",
        "kms:EncryptionContext:team",
        &["${aws:PrincipalTag/team}"],
        &ctx
    ));
    assert!(holds_for(
        &alice,
        "StringLike",
        "kms:EncryptionContext:owner",
        &["${aws:username}*"],
        &ctx
    ));
    assert!(!holds_for(
        &user(ACCOUNT, "bob"),
        "StringEquals",
        "kms:EncryptionContext:owner",
        &["${aws:username}"],
        &ctx
    ));
    // Unresolvable: a positive operator fails and a negated one holds (the value matches nothing).
    let no_tag = context(&[("kms:EncryptionContext:team", "blue")]);
    assert!(!holds_for(
        &alice,
        "StringEquals",
        "kms:EncryptionContext:team",
        &["${aws:PrincipalTag/team}"],
        &no_tag
    ));
    assert!(holds_for(
        &alice,
        "StringNotEquals",
        "kms:EncryptionContext:team",
        &["${aws:PrincipalTag/team}"],
        &no_tag
    ));
    assert!(holds_for(
        &alice,
        "StringEquals",
        "kms:EncryptionContext:team",
        &["${aws:PrincipalTag/team, 'blue'}"],
        &no_tag
    ));
    assert!(holds_for(
        &alice,
        "ArnLike",
        "aws:PrincipalArn",
        &["arn:aws:iam::${aws:PrincipalAccount}:user/*"],
        &Context::new()
    ));
}

// reference_policies_condition-keys.html: aws:PrincipalArn for a role session is the role's ARN.
#[test]
fn keys_derived_from_the_caller() {
    let ops = session(ACCOUNT, "Ops", "alice");
    let ctx = Context::new();
    let request = Request {
        principal: &ops,
        action: "kms:Decrypt",
        resource: KEY_ARN,
        context: &ctx,
    };
    assert_eq!(
        request_value(&request, "aws:PrincipalArn").and_then(|v| v.single()),
        Some("arn:aws:iam::111122223333:role/Ops")
    );
    assert_eq!(
        request_value(&request, "aws:PrincipalType").and_then(|v| v.single()),
        Some("AssumedRole")
    );
    assert_eq!(
        request_value(&request, "kms:CallerAccount").and_then(|v| v.single()),
        Some(ACCOUNT)
    );
    assert_eq!(request_value(&request, "aws:username"), None);
    assert!(holds_for(
        &ops,
        "StringEquals",
        "aws:PrincipalType",
        &["AssumedRole"],
        &ctx
    ));
}

// The explanation names the values compared and the reason.
#[test]
fn explanations_name_the_values() {
    let c = condition(
        "ForAllValues:StringEquals",
        "kms:EncryptionContextKeys",
        &["dept"],
    );
    let alice = user(ACCOUNT, "alice");
    let ctx = context(&[("kms:EncryptionContextKeys", "[dept, owner]")]);
    let request = Request {
        principal: &alice,
        action: "kms:Decrypt",
        resource: KEY_ARN,
        context: &ctx,
    };
    let trace = explain_condition(&c, PolicyVersion::V2012_10_17, &request);
    assert!(!trace.holds);
    assert_eq!(
        trace.reason,
        ConditionReason::ValueUnmatched {
            request_value: "owner".into()
        }
    );
    assert_eq!(
        trace.summary(),
        "`kms:EncryptionContextKeys` value `owner` matches none of `dept`, so `ForAllValues:StringEquals` does not hold"
    );
    let missing = explain_condition(
        &condition(
            "StringEquals",
            "kms:ViaService",
            &["s3.us-east-1.amazonaws.com"],
        ),
        PolicyVersion::V2012_10_17,
        &request,
    );
    assert_eq!(missing.reason, ConditionReason::KeyAbsent);
    assert_eq!(
        missing.summary(),
        "`kms:ViaService` is missing from the request, so `StringEquals` does not hold"
    );
    let unresolved = explain_condition(
        &condition("StringEquals", "kms:ViaService", &["${aws:userid}"]),
        PolicyVersion::V2012_10_17,
        &Request {
            context: &context(&[("kms:ViaService", "x")]),
            ..request
        },
    );
    assert_eq!(unresolved.policy_values[0].resolved, None);
    assert!(
        unresolved.summary().contains("unresolved variable"),
        "{}",
        unresolved.summary()
    );
}
