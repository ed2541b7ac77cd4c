//! KMS-aware warnings about policies that AWS accepts but that probably do not do what their
//! author meant.
//!
//! **[`check_policy`] is the entry point** for anything that shows a policy to a person (the
//! app's editor gutter and problem list, `kmsplay lint`): it parses the text, reports every
//! error, and — when the policy parses — adds these warnings, all as [`Diagnostic`]s with line,
//! column and JSON path, in document order.
//!
//! The warnings (code, and the source each rests on):
//! - `unknown-action`, `action-matches-nothing`: a `kms:` action KMS does not have
//!   (kms-api-permissions-reference.html), with a did-you-mean;
//! - `iam-only-action`: an action only IAM policies can allow, written in a key policy;
//! - `not-cross-account`: an action that has no effect for a principal of another account
//!   (key-policy-modifying-external-accounts.html);
//! - `unknown-condition-key`: a `kms:` or `aws:` key that does not exist (conditions-kms.html,
//!   IAM reference_policies_condition-keys.html), with a did-you-mean;
//! - `condition-key-not-sent`: a `kms:` key none of the statement's actions carries, so the
//!   condition is constant;
//! - `set-operator-on-single-valued`, `multivalued-without-set-operator`: set qualifiers used on
//!   the wrong kind of key (conditions-kms.html, "Using set operators with condition keys");
//! - `condition-value-type`: a value the operator cannot read (`Bool` with `yes`, a bad date...);
//! - `empty-condition-values`: a condition with no values never matches;
//! - `via-service-shape`: a `kms:ViaService` value not shaped `SERVICE.REGION.amazonaws.com`;
//! - `variables-in-2008-policy`: `${...}` is literal text without `"Version": "2012-10-17"`
//!   (IAM reference_policies_variables.html);
//! - `resource-not-star`: a key policy `Resource` other than `"*"` (key-policy-overview.html);
//! - `open-to-everyone`: `Principal` `"*"` on an Allow without a condition;
//! - `allow-not-principal`: `Allow` with `NotPrincipal` (IAM reference_policies_elements_notprincipal.html);
//! - `ignored-statement`: a key-policy statement without `Action` or `Resource`, which KMS
//!   accepts and ignores (API PutKeyPolicy);
//! - `no-account-trust`: a key policy with no statement allowing the account principal, so IAM
//!   policies can never grant access to the key (key-policy-default.html);
//! - `resource-aliases-in-key-policy`: `kms:ResourceAliases` works only in IAM policies;
//! - `duplicate-sid`: two statements of a key policy with the same Sid.

use super::condition::parse_date;
use super::document::*;
use super::parse::{self, ParsedPolicy, PolicyKind};
use super::pattern::action_matches;
use crate::catalog::{self, KeyType, KmsAction, strip_prefix_ignore_case};
use crate::diagnostics::{Diagnostic, LineIndex, Span};
use crate::json::{JsonPath, Report, Value};
use std::collections::HashMap;

/// Parses `text` as a policy of `kind` and lints it: every error, then (if it parses) every
/// warning, in document order. `account` is the account that owns the key (for key policies),
/// which sharpens the account-trust and cross-account warnings.
///
/// This is what the app's editor and `kmsplay lint` show. `policy` is `Some` exactly when there
/// are no errors; warnings never block a policy.
pub fn check_policy(text: &str, kind: PolicyKind, account: Option<&str>) -> ParsedPolicy {
    let index = LineIndex::new(text);
    let parsed = parse::parse_policy_indexed(text, kind, &index);
    with_warnings(parsed, kind, &index, &JsonPath::root(), account)
}

/// [`check_policy`] for a policy embedded in a larger JSON document (a scenario file): positions
/// point into that document and paths start with `path`.
pub fn check_policy_value(
    value: &Value,
    kind: PolicyKind,
    path: &JsonPath,
    index: &LineIndex,
    account: Option<&str>,
) -> ParsedPolicy {
    let parsed = parse::parse_policy_value(value, kind, path, index);
    with_warnings(parsed, kind, index, path, account)
}

fn with_warnings(
    mut parsed: ParsedPolicy,
    kind: PolicyKind,
    index: &LineIndex,
    path: &JsonPath,
    account: Option<&str>,
) -> ParsedPolicy {
    if let Some(policy) = &parsed.policy {
        let mut report = Report::new(index);
        lint(policy, kind, account, path, &mut report);
        parsed.diagnostics.extend(report.into_diagnostics());
        crate::sort::sort_by_key(&mut parsed.diagnostics, |d| (d.span.start, d.severity));
    }
    parsed
}

/// The warnings for a parsed policy, located through `index`.
pub fn lint_policy(
    policy: &Policy,
    kind: PolicyKind,
    index: &LineIndex,
    account: Option<&str>,
) -> Vec<Diagnostic> {
    let mut report = Report::new(index);
    lint(policy, kind, account, &JsonPath::root(), &mut report);
    report.into_diagnostics()
}

/// Adds the warnings for `policy` to `report`; paths start with `base`.
pub fn lint(
    policy: &Policy,
    kind: PolicyKind,
    account: Option<&str>,
    base: &JsonPath,
    report: &mut Report<'_>,
) {
    let mut linter = Linter {
        policy,
        kind,
        account,
        report,
    };
    let statements = base.key("Statement");
    for statement in &policy.statements {
        let path = if policy.single_statement {
            statements.clone()
        } else {
            statements.index(statement.index)
        };
        linter.statement(statement, &path);
    }
    if kind == PolicyKind::KeyPolicy {
        linter.account_trust(&statements);
        linter.duplicate_sids(&statements);
    }
}

struct Linter<'p, 'r, 'i> {
    policy: &'p Policy,
    kind: PolicyKind,
    account: Option<&'p str>,
    report: &'r mut Report<'i>,
}

impl Linter<'_, '_, '_> {
    fn warn(
        &mut self,
        code: &'static str,
        message: String,
        path: &JsonPath,
        span: Span,
        hint: &str,
    ) {
        self.report.warning(code, message, path, span).hint(hint);
    }

    fn statement(&mut self, statement: &Statement, path: &JsonPath) {
        let key_policy = self.kind == PolicyKind::KeyPolicy;
        if key_policy && (statement.action.is_none() || statement.resource.is_none()) {
            let missing = if statement.action.is_none() {
                "Action"
            } else {
                "Resource"
            };
            self.warn(
                "ignored-statement",
                format!("statement without `{missing}` has no effect"),
                path,
                head(statement.span),
                "KMS accepts such a statement and ignores it; add the missing element (in a key policy, \"Resource\": \"*\")",
            );
        }
        if let Some(principal) = &statement.principal {
            self.principal(statement, principal, path);
        }
        if let Some(action) = &statement.action {
            self.actions(action, path);
        }
        if let Some(resource) = &statement.resource {
            self.resources(resource, path);
        }
        let actions = statement
            .action
            .as_ref()
            .map(kms_actions)
            .unwrap_or_default();
        for condition in &statement.conditions {
            self.condition(condition, &actions, path);
        }
    }

    fn principal(&mut self, statement: &Statement, principal: &PrincipalBlock, path: &JsonPath) {
        let name = if principal.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        let path = path.key(name);
        if statement.effect != Effect::Allow {
            return;
        }
        if principal.negated {
            self.warn(
                "allow-not-principal",
                "`Allow` with `NotPrincipal` allows everyone except the principals listed"
                    .to_owned(),
                &path,
                principal.span,
                "IAM advises against it; name the principals to allow in `Principal` instead",
            );
        } else if principal.principals == PrincipalSet::Everyone && statement.conditions.is_empty()
        {
            self.warn(
                "open-to-everyone",
                "`Principal` `\"*\"` without a condition opens this key to every AWS account".to_owned(),
                &path,
                principal.span,
                "add a condition such as `kms:CallerAccount` or `aws:PrincipalOrgID`, as AWS managed keys do",
            );
        }
        if let (Some(account), PrincipalSet::Specific(entries)) =
            (self.account, &principal.principals)
        {
            let outsiders: Vec<&PrincipalEntry> = entries
                .iter()
                .filter(|e| {
                    e.kind == PrincipalKey::Aws
                        && principal_account(&e.normalized).is_some_and(|a| a != account)
                })
                .collect();
            if let (Some(first), Some(action)) = (outsiders.first(), &statement.action) {
                self.local_only_actions(action, first, &path);
            }
        }
    }

    /// Actions allowed to another account that KMS does not let cross accounts.
    fn local_only_actions(
        &mut self,
        action: &ActionBlock,
        outsider: &PrincipalEntry,
        path: &JsonPath,
    ) {
        if action.negated {
            return;
        }
        for pattern in &action.patterns {
            let Some(known) = catalog::action(&pattern.text).filter(|a| !a.cross_account) else {
                continue;
            };
            self.warn(
                "not-cross-account",
                format!("`{}` has no effect for `{}`, a principal of another account", known.action, outsider.value),
                path,
                pattern.span,
                "only cryptographic operations, grant operations, DescribeKey, GetKeyRotationStatus and GetPublicKey work across accounts",
            );
        }
    }

    fn actions(&mut self, action: &ActionBlock, path: &JsonPath) {
        let name = if action.negated {
            "NotAction"
        } else {
            "Action"
        };
        let block_path = path.key(name);
        for (i, pattern) in action.patterns.iter().enumerate() {
            let path = item_path(&block_path, action.span, pattern.span, i);
            let text = pattern.text.as_str();
            let Some(rest) = strip_prefix_ignore_case(text, "kms:") else {
                continue;
            };
            let wildcard = rest.contains(['*', '?']);
            if wildcard {
                if !catalog::ACTIONS
                    .iter()
                    .any(|a| action_matches(text, a.action))
                {
                    self.warn(
                        "action-matches-nothing",
                        format!("`{text}` matches no KMS action"),
                        &path,
                        pattern.span,
                        "check the spelling against the KMS actions, such as `kms:GenerateDataKey*`",
                    );
                }
                continue;
            }
            match catalog::action(text) {
                None => {
                    let hint = match catalog::suggest_action(text) {
                        Some(right) => format!("did you mean `{right}`?"),
                        None => {
                            "see the KMS actions in kms-api-permissions-reference.html".to_owned()
                        }
                    };
                    self.warn(
                        "unknown-action",
                        format!("unknown KMS action `{text}`"),
                        &path,
                        pattern.span,
                        &hint,
                    );
                }
                Some(known)
                    if !known.in_key_policy()
                        && self.kind == PolicyKind::KeyPolicy
                        && !action.negated =>
                {
                    self.warn(
                        "iam-only-action",
                        format!("`{}` cannot be allowed by a key policy", known.action),
                        &path,
                        pattern.span,
                        "it is not an operation on a key; only IAM policies can allow it",
                    );
                }
                Some(_) => {}
            }
        }
    }

    fn resources(&mut self, resource: &ResourceBlock, path: &JsonPath) {
        let name = if resource.negated {
            "NotResource"
        } else {
            "Resource"
        };
        let block_path = path.key(name);
        for (i, pattern) in resource.patterns.iter().enumerate() {
            let path = item_path(&block_path, resource.span, pattern.span, i);
            if self.kind == PolicyKind::KeyPolicy && (resource.negated || pattern.text != "*") {
                self.warn(
                    "resource-not-star",
                    format!("`{name}` `{}` in a key policy", pattern.text),
                    &path,
                    pattern.span,
                    "a key policy governs only its own key: write \"Resource\": \"*\"",
                );
            }
            self.variables(&pattern.text, &path, pattern.span);
        }
    }

    fn condition(&mut self, condition: &Condition, actions: &[&KmsAction], path: &JsonPath) {
        let path = path
            .key("Condition")
            .key(&condition.operator_text)
            .key(&condition.key);
        let key = condition.key.as_str();
        let known = catalog::condition_key(key);
        let checked_prefix = strip_prefix_ignore_case(key, "kms:").is_some()
            || strip_prefix_ignore_case(key, "aws:").is_some();
        if known.is_none() && checked_prefix {
            let hint = match catalog::suggest_condition_key(key) {
                Some(right) => format!("did you mean `{right}`?"),
                None => "see the KMS condition keys in conditions-kms.html".to_owned(),
            };
            self.warn(
                "unknown-condition-key",
                format!("unknown condition key `{key}`"),
                &path,
                condition.key_span,
                &hint,
            );
        }
        if let Some(known) = known {
            self.set_operator(condition, known, &path);
            self.value_types(condition, known.value_type, &path);
        }
        if known.is_some() && !actions.is_empty() && !actions.iter().any(|a| a.carries(key)) {
            self.key_not_sent(condition, &path);
        }
        if self.kind == PolicyKind::KeyPolicy && key.eq_ignore_ascii_case("kms:ResourceAliases") {
            self.warn(
                "resource-aliases-in-key-policy",
                "`kms:ResourceAliases` has no effect in a key policy".to_owned(),
                &path,
                condition.key_span,
                "use it in IAM policies; in a key policy use `kms:RequestAlias` (conditions-kms.html)",
            );
        }
        if condition.values.is_empty() {
            self.warn(
                "empty-condition-values",
                format!("`{key}` has no values, so the condition never matches"),
                &path,
                condition.key_span,
                "give at least one value",
            );
        }
        for value in &condition.values {
            if key.eq_ignore_ascii_case("kms:ViaService") && !via_service_shaped(&value.text) {
                self.warn(
                    "via-service-shape",
                    format!("`kms:ViaService` value `{}` is not shaped `SERVICE.REGION.amazonaws.com`", value.text),
                    &path,
                    value.span,
                    "KMS sets it to names such as `ec2.us-east-1.amazonaws.com`, so this value never matches",
                );
            }
            self.variables(&value.text, &path, value.span);
        }
    }

    /// A key none of the statement's actions sends: the condition is constant.
    fn key_not_sent(&mut self, condition: &Condition, path: &JsonPath) {
        let operator = condition.operator;
        if operator.kind == OperatorKind::Null {
            return;
        }
        let always_true = operator.if_exists
            || operator.kind.is_negated()
            || operator.qualifier == Some(SetQualifier::ForAllValues);
        let consequence = if always_true {
            "the condition always holds"
        } else {
            "the condition never holds, so the statement never applies"
        };
        self.warn(
            "condition-key-not-sent",
            format!(
                "no action of this statement sends `{}`: {consequence}",
                condition.key
            ),
            path,
            condition.key_span,
            "see which operations carry which key in conditions-kms.html",
        );
    }

    fn set_operator(
        &mut self,
        condition: &Condition,
        known: &catalog::ConditionKey,
        path: &JsonPath,
    ) {
        match (condition.operator.qualifier, known.multi_valued) {
            (Some(qualifier), false) => {
                let written = match qualifier {
                    SetQualifier::ForAllValues => "ForAllValues",
                    SetQualifier::ForAnyValue => "ForAnyValue",
                };
                self.warn(
                    "set-operator-on-single-valued",
                    format!("`{written}` on the single-valued key `{}`", condition.key),
                    path,
                    condition.operator_span,
                    "set operators are for multivalued keys; on a single-valued key they can be overly permissive (conditions-kms.html): remove the qualifier",
                );
            }
            (None, true) if condition.operator.kind != OperatorKind::Null => {
                self.warn(
                    "multivalued-without-set-operator",
                    format!("`{}` is multivalued; `{}` needs `ForAnyValue:` or `ForAllValues:`", condition.key, condition.operator_text),
                    path,
                    condition.operator_span,
                    "without a set operator the comparison is not defined for several request values",
                );
            }
            _ => {}
        }
    }

    fn value_types(&mut self, condition: &Condition, key_type: KeyType, path: &JsonPath) {
        use OperatorFamily as F;
        let kind = condition.operator.kind;
        for value in &condition.values {
            let text = value.text.as_str();
            if text.contains("${") && self.policy.version == PolicyVersion::V2012_10_17 {
                continue; // resolved at evaluation time
            }
            let problem = match kind.family() {
                F::Bool | F::Null
                    if !text.eq_ignore_ascii_case("true")
                        && !text.eq_ignore_ascii_case("false") =>
                {
                    Some("`true` or `false`")
                }
                F::Numeric if text.trim().parse::<f64>().is_err() => Some("a number"),
                F::Date if parse_date(text).is_none() => {
                    Some("a date (ISO 8601, such as `2024-01-31T12:00:00Z`, or epoch seconds)")
                }
                F::IpAddress if !is_cidr(text) => Some("an IP address or CIDR range"),
                _ => None,
            };
            if let Some(expected) = problem {
                self.warn(
                    "condition-value-type",
                    format!(
                        "`{}` expects {expected}, found `{text}`",
                        condition.operator_text
                    ),
                    path,
                    value.span,
                    "a value the operator cannot read never matches",
                );
            }
        }
        // String and ARN operators read any key's values as text; `Bool` and the IP operators
        // only make sense on keys of their own type.
        let mismatch = match kind.family() {
            F::Bool => key_type != KeyType::Bool,
            F::IpAddress => key_type != KeyType::IpAddress,
            _ => false,
        };
        if mismatch {
            self.warn(
                "condition-operator-type",
                format!(
                    "`{}` does not fit `{}`, whose values are {}",
                    condition.operator_text,
                    condition.key,
                    type_name(key_type)
                ),
                path,
                condition.operator_span,
                "use an operator of the key's type",
            );
        }
    }

    /// `${...}` in a policy without `"Version": "2012-10-17"` is literal text.
    fn variables(&mut self, text: &str, path: &JsonPath, span: Span) {
        if self.policy.version != PolicyVersion::V2008_10_17 {
            return;
        }
        let Some(start) = text.find("${") else {
            return;
        };
        let variable = text
            .get(start..)
            .map(|rest| {
                rest.find('}')
                    .and_then(|end| rest.get(..=end))
                    .unwrap_or(rest)
            })
            .unwrap_or_default();
        let version = if self.policy.version_written {
            "a 2008-10-17 policy"
        } else {
            "a policy without `Version` (read as 2008-10-17)"
        };
        self.warn(
            "variables-in-2008-policy",
            format!("policy variable `{variable}` is literal text in {version}"),
            path,
            span,
            "add \"Version\": \"2012-10-17\" to use policy variables (IAM User Guide, reference_policies_variables.html)",
        );
    }

    /// Without an Allow for the account principal, IAM policies can never grant access to the key
    /// (KMS Developer Guide, key-policy-default.html).
    fn account_trust(&mut self, statements: &JsonPath) {
        let trusts = |statement: &Statement, root: Option<&str>| {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                return false;
            };
            statement.effect == Effect::Allow
                && statement.action.is_some()
                && statement.resource.is_some()
                && match &principal.principals {
                    PrincipalSet::Everyone => true,
                    PrincipalSet::Specific(entries) => entries.iter().any(|e| {
                        e.kind == PrincipalKey::Aws
                            && e.normalized.ends_with(":root")
                            && root.is_none_or(|root| e.normalized == root)
                    }),
                }
        };
        let root = self.account.map(|a| format!("arn:aws:iam::{a}:root"));
        if self
            .policy
            .statements
            .iter()
            .any(|s| trusts(s, root.as_deref()))
        {
            return;
        }
        let whom = match self.account {
            Some(account) => format!("the account `{account}`"),
            None => "an account principal (`arn:aws:iam::ACCOUNT:root`)".to_owned(),
        };
        let span = self
            .policy
            .statements
            .first()
            .map_or(self.policy.span, |s| head(s.span));
        self.warn(
            "no-account-trust",
            format!("no statement allows {whom}, so IAM policies cannot grant access to this key"),
            statements,
            span,
            "add the default statement \"Enable IAM User Permissions\" (Principal {\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}, Action \"kms:*\") unless only this key policy should decide",
        );
    }

    fn duplicate_sids(&mut self, statements: &JsonPath) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, statement) in self.policy.statements.iter().enumerate() {
            let Some(sid) = statement.sid.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            if seen.insert(sid, i).is_some() {
                self.warn(
                    "duplicate-sid",
                    format!("duplicate `Sid` `{sid}`"),
                    &statements.index(i).key("Sid"),
                    head(statement.span),
                    "give each statement its own Sid so explanations can name it",
                );
            }
        }
    }
}

/// The KMS actions a statement's `Action`/`NotAction` covers.
fn kms_actions(block: &ActionBlock) -> Vec<&'static KmsAction> {
    catalog::ACTIONS
        .iter()
        .filter(|a| {
            block
                .patterns
                .iter()
                .any(|p| action_matches(&p.text, a.action))
                != block.negated
        })
        .collect()
}

/// The account of an IAM or STS principal ARN.
fn principal_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| parse::is_account_id(a))
}

/// The path of one item of a "string or list" element: the element itself when it was a string.
fn item_path(block_path: &JsonPath, block_span: Span, item_span: Span, index: usize) -> JsonPath {
    if block_span == item_span {
        block_path.clone()
    } else {
        block_path.index(index)
    }
}

/// The first character of a span (statements are flagged at their `{`).
fn head(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.start.saturating_add(1).min(span.end.max(span.start)),
    }
}

/// `SERVICE.REGION.amazonaws.com` (or `.amazonaws.com.cn`), wildcards allowed in the parts.
fn via_service_shaped(text: &str) -> bool {
    let body = text
        .strip_suffix(".amazonaws.com")
        .or_else(|| text.strip_suffix(".amazonaws.com.cn"));
    let Some((service, region)) = body.and_then(|b| b.split_once('.')) else {
        return false;
    };
    let part = |p: &str| {
        !p.is_empty()
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '*' | '?')
            })
    };
    part(service) && part(region) && !region.contains('.')
}

/// An IPv4 or IPv6 address, optionally with a `/prefix` in range.
fn is_cidr(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let Ok(ip) = address.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= max))
}

fn type_name(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::String => "strings",
        KeyType::Bool => "booleans",
        KeyType::Numeric => "numbers",
        KeyType::Date => "dates",
        KeyType::IpAddress => "IP addresses",
        KeyType::Arn => "ARNs",
    }
}
