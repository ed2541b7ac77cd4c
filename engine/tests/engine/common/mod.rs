//! Shared helpers for the policy evaluation tests: policies from JSON text, callers and requests.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "helpers fail the test on a bad fixture"
)]

use kms_engine::policy::parse::{PolicyKind, parse_operator, parse_policy};
use kms_engine::policy::{ConditionOperator, Policy};
use kms_engine::request::{
    Context, ContextValue, PrincipalArn, PrincipalId, PrincipalType, RequestPrincipal,
};

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const KEY_ARN: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub const OTHER_KEY_ARN: &str =
    "arn:aws:kms:eu-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

/// Parses a policy document that must be free of errors: a key policy when it has a principal
/// element, else an identity policy.
pub fn policy(json: &str) -> Policy {
    let kind = if json.contains("Principal") {
        PolicyKind::KeyPolicy
    } else {
        PolicyKind::IdentityPolicy
    };
    let parsed = parse_policy(json, kind);
    assert!(
        !parsed.has_errors(),
        "test policy has errors: {:#?}",
        parsed.diagnostics
    );
    parsed.policy.expect("a policy without errors")
}

/// A condition operator from its written form, such as `ForAnyValue:StringLikeIfExists`.
pub fn operator(text: &str) -> ConditionOperator {
    parse_operator(text).unwrap_or_else(|problem| panic!("bad operator {text}: {problem:?}"))
}

/// A principal ARN the test writes out, which must parse.
pub fn arn(text: &str) -> PrincipalArn {
    PrincipalArn::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

pub fn user(account: &str, name: &str) -> RequestPrincipal {
    RequestPrincipal {
        id: arn(&format!("arn:aws:iam::{account}:user/{name}")).into(),
        account: account.to_owned(),
        kind: PrincipalType::User,
        role_arn: None,
    }
}

pub fn root(account: &str) -> RequestPrincipal {
    RequestPrincipal {
        id: arn(&format!("arn:aws:iam::{account}:root")).into(),
        account: account.to_owned(),
        kind: PrincipalType::AccountRoot,
        role_arn: None,
    }
}

pub fn session(account: &str, role: &str, session: &str) -> RequestPrincipal {
    RequestPrincipal {
        id: arn(&format!(
            "arn:aws:sts::{account}:assumed-role/{role}/{session}"
        ))
        .into(),
        account: account.to_owned(),
        kind: PrincipalType::AssumedRole,
        role_arn: Some(arn(&format!("arn:aws:iam::{account}:role/{role}"))),
    }
}

pub fn service(name: &str) -> RequestPrincipal {
    RequestPrincipal {
        id: PrincipalId::Service(name.to_owned()),
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
