//! Shared helpers for the policy evaluation tests: policies from JSON text, callers and requests.

#![allow(dead_code, reason = "each test file uses a different subset")]

use kms_engine::diagnostics::Span;
use kms_engine::policy::{
    ActionBlock, Condition, ConditionOperator, ConditionValue, Effect, OperatorKind, Pattern,
    Policy, PolicyVersion, PrincipalBlock, PrincipalEntry, PrincipalKey, PrincipalSet,
    ResourceBlock, SetQualifier, Statement,
};
use kms_engine::request::{Context, ContextValue, PrincipalType, RequestPrincipal};
use serde_json::Value;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const KEY_ARN: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub const OTHER_KEY_ARN: &str =
    "arn:aws:kms:eu-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

/// Reads a well-formed policy document into the typed AST the way the policy parser does
/// (single values become lists, bare account ids become root ARNs, unquoted scalars keep their
/// text). Tests of evaluation use it so that their policies read like the documents they pin.
pub fn policy(json: &str) -> Policy {
    let doc: Value = serde_json::from_str(json).expect("test policy is JSON");
    let version = match doc.get("Version").and_then(Value::as_str) {
        Some("2012-10-17") => PolicyVersion::V2012_10_17,
        _ => PolicyVersion::V2008_10_17,
    };
    let statements: Vec<Value> = match &doc["Statement"] {
        Value::Array(list) => list.clone(),
        single => vec![single.clone()],
    };
    Policy {
        version,
        version_written: doc.get("Version").is_some(),
        id: doc.get("Id").and_then(Value::as_str).map(str::to_owned),
        single_statement: !doc["Statement"].is_array(),
        statements: statements
            .iter()
            .enumerate()
            .map(|(index, s)| statement(index, s))
            .collect(),
        span: Span::default(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(list) => list.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

fn patterns(value: &Value) -> Vec<Pattern> {
    strings(value)
        .into_iter()
        .map(|text| Pattern {
            text,
            span: Span::default(),
        })
        .collect()
}

fn principal_block(value: &Value, negated: bool) -> PrincipalBlock {
    let principals = match value {
        Value::String(s) if s == "*" => PrincipalSet::Everyone,
        Value::Object(map) if map.len() == 1 && map.get("AWS") == Some(&Value::from("*")) => {
            PrincipalSet::Everyone
        }
        Value::Object(map) => PrincipalSet::Specific(
            map.iter()
                .flat_map(|(kind, values)| {
                    let kind = match kind.as_str() {
                        "AWS" => PrincipalKey::Aws,
                        "Service" => PrincipalKey::Service,
                        "Federated" => PrincipalKey::Federated,
                        "CanonicalUser" => PrincipalKey::CanonicalUser,
                        other => panic!("unknown principal key {other}"),
                    };
                    strings(values).into_iter().map(move |value| {
                        let normalized =
                            if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                                format!("arn:aws:iam::{value}:root")
                            } else {
                                value.clone()
                            };
                        PrincipalEntry {
                            kind,
                            value,
                            normalized,
                            span: Span::default(),
                        }
                    })
                })
                .collect(),
        ),
        other => panic!("bad principal {other}"),
    };
    PrincipalBlock {
        negated,
        principals,
        span: Span::default(),
    }
}

pub fn operator(text: &str) -> ConditionOperator {
    let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAllValues), rest)
    } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), rest)
    } else {
        (None, text)
    };
    let (name, if_exists) = match rest.strip_suffix("IfExists") {
        Some(name) => (name, true),
        None => (rest, false),
    };
    let kind = OperatorKind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .unwrap_or_else(|| panic!("unknown operator {text}"));
    ConditionOperator {
        kind,
        if_exists,
        qualifier,
    }
}

fn statement(index: usize, s: &Value) -> Statement {
    let effect = match s["Effect"].as_str() {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => panic!("bad effect {other:?}"),
    };
    let principal = s
        .get("Principal")
        .map(|p| principal_block(p, false))
        .or_else(|| s.get("NotPrincipal").map(|p| principal_block(p, true)));
    let block = |name: &str, not: &str| {
        s.get(name)
            .map(|v| (false, patterns(v)))
            .or_else(|| s.get(not).map(|v| (true, patterns(v))))
    };
    let action = block("Action", "NotAction").map(|(negated, patterns)| ActionBlock {
        negated,
        patterns,
        span: Span::default(),
    });
    let resource = block("Resource", "NotResource").map(|(negated, patterns)| ResourceBlock {
        negated,
        patterns,
        span: Span::default(),
    });
    let mut conditions = Vec::new();
    if let Some(Value::Object(operators)) = s.get("Condition") {
        for (operator_text, keys) in operators {
            let Value::Object(keys) = keys else {
                panic!("bad condition")
            };
            for (key, values) in keys {
                conditions.push(Condition {
                    operator: operator(operator_text),
                    operator_text: operator_text.clone(),
                    key: key.clone(),
                    values: strings(values)
                        .into_iter()
                        .map(|text| ConditionValue {
                            text,
                            span: Span::default(),
                        })
                        .collect(),
                    operator_span: Span::default(),
                    key_span: Span::default(),
                });
            }
        }
    }
    Statement {
        index,
        sid: s.get("Sid").and_then(Value::as_str).map(str::to_owned),
        effect,
        principal,
        action,
        resource,
        conditions,
        span: Span::default(),
    }
}

pub fn user(account: &str, name: &str) -> RequestPrincipal {
    RequestPrincipal {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        account: account.to_owned(),
        kind: PrincipalType::User,
        role_arn: None,
    }
}

pub fn root(account: &str) -> RequestPrincipal {
    RequestPrincipal {
        arn: format!("arn:aws:iam::{account}:root"),
        account: account.to_owned(),
        kind: PrincipalType::AccountRoot,
        role_arn: None,
    }
}

pub fn session(account: &str, role: &str, session: &str) -> RequestPrincipal {
    RequestPrincipal {
        arn: format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        account: account.to_owned(),
        kind: PrincipalType::AssumedRole,
        role_arn: Some(format!("arn:aws:iam::{account}:role/{role}")),
    }
}

pub fn service(name: &str) -> RequestPrincipal {
    RequestPrincipal {
        arn: name.to_owned(),
        account: String::new(),
        kind: PrincipalType::Service,
        role_arn: None,
    }
}

/// A context from `(key, value)` pairs; a value written `[a, b]` becomes a multivalued key.
pub fn context(pairs: &[(&str, &str)]) -> Context {
    let mut context = Context::new();
    for (key, value) in pairs {
        match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Some(list) => context.insert(
                *key,
                ContextValue::Multi(
                    list.split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ),
            ),
            None => context.set(*key, *value),
        }
    }
    context
}
