//! Policy text → [`Policy`], with every problem reported at its line and column.
//!
//! The grammar is the IAM User Guide's ("Grammar of the IAM JSON policy language",
//! reference_policies_grammar.html, and the element pages reference_policies_elements_*.html).
//! Key policies add the KMS rules of the KMS Developer Guide (key-policy-overview.html) and the
//! KMS API Reference (`CreateKey` / `PutKeyPolicy`): the 32 KB limit, the allowed characters and
//! the principals KMS refuses. Each rule that KMS enforces by rejecting the policy names its KMS
//! exception in [`Diagnostic::kms_exception`].
//!
//! Parsing goes on after a problem so that one pass reports everything it can; a policy value is
//! returned only when there are no errors, because AWS would not accept the document at all.
//! What AWS accepts but ignores (a key-policy statement without `Action` or `Resource`) parses;
//! [`lint`](super::lint) warns about it.
//!
//! [`policy_to_json`] writes a [`Policy`] back as text that parses to an equal policy.

use super::document::*;
use crate::catalog::starts_with_ignore_case;
use crate::diagnostics::{Diagnostic, LineIndex, Severity, Span, did_you_mean};
use crate::json::{self, JsonPath, ListItem, Member, Object, Report, Value, ValueKind};
use serde::Serialize;
use std::collections::HashMap;

/// Which kind of document is being read; a few rules differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PolicyKind {
    /// A KMS key policy (a resource policy): `Principal` required, KMS's size and character
    /// limits apply, Sids may contain spaces.
    KeyPolicy,
    /// An IAM identity policy: no `Principal`, no `Id`, `Action` and `Resource` required, Sids
    /// alphanumeric.
    IdentityPolicy,
}

/// The result of parsing a policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedPolicy {
    /// The policy, when the document has no errors.
    pub policy: Option<Policy>,
    /// Every problem found, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why KMS would refuse a key policy in `CreateKey` or `PutKeyPolicy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsRejection {
    /// The exception name, such as `MalformedPolicyDocumentException`.
    pub exception: &'static str,
    /// The exception's message.
    pub message: String,
}

impl ParsedPolicy {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// For a key policy with errors: the exception KMS raises. KMS checks the size first
    /// (`LimitExceededException`); every other error is a `MalformedPolicyDocumentException`.
    /// Invalid principals get the message KMS uses for them; other errors are described by
    /// their diagnostic, located by line and column.
    pub fn kms_rejection(&self) -> Option<KmsRejection> {
        let errors = || {
            self.diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
        };
        let deciding = errors()
            .find(|d| d.kms_exception == Some(LIMIT_EXCEEDED))
            .or_else(|| errors().next())?;
        let message = if deciding.code == "invalid-principal" {
            INVALID_PRINCIPALS_MESSAGE.to_owned()
        } else {
            format!(
                "{}:{}: {}",
                deciding.start.line, deciding.start.column, deciding.message
            )
        };
        Some(KmsRejection {
            exception: deciding.kms_exception.unwrap_or(MALFORMED),
            message,
        })
    }
}

/// The largest key policy KMS accepts, in bytes (KMS Developer Guide, resource-limits.html).
pub const KEY_POLICY_MAX_BYTES: usize = 32_768;

const MALFORMED: &str = "MalformedPolicyDocumentException";
const LIMIT_EXCEEDED: &str = "LimitExceededException";

/// KMS's message for a principal it cannot accept (as reported in public issues; see
/// `shared/kms-semantics.md` §1.2).
pub const INVALID_PRINCIPALS_MESSAGE: &str =
    "Policy contains a statement with one or more invalid principals.";

/// The top-level elements of a policy (reference_policies_grammar.html).
pub const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];

/// The elements of a statement (reference_policies_grammar.html).
pub const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The keys of a principal object (reference_policies_elements_principal.html).
pub const PRINCIPAL_KEYS: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

/// Parses policy text.
pub fn parse_policy(text: &str, kind: PolicyKind) -> ParsedPolicy {
    parse_policy_indexed(text, kind, &LineIndex::new(text))
}

/// Parses policy text that `index` already indexes (saves indexing it twice).
pub fn parse_policy_indexed(text: &str, kind: PolicyKind, index: &LineIndex) -> ParsedPolicy {
    let mut report = Report::new(index);
    if kind == PolicyKind::KeyPolicy {
        check_key_policy_text(text, &mut report);
    }
    let document = json::parse_indexed(text, index);
    for diagnostic in document.diagnostics {
        report.push(diagnostic);
    }
    let policy = document
        .value
        .and_then(|value| policy_from_value(&value, kind, &JsonPath::root(), &mut report));
    finish(policy, report.into_diagnostics(), kind)
}

/// Parses a policy that is part of a larger JSON document already parsed (a policy embedded in
/// a scenario file): spans and positions point into that document, and diagnostic paths start
/// with `path`. Text-level key-policy checks (size, characters) need the policy's own text and
/// are left to [`parse_policy`].
pub fn parse_policy_value(
    value: &Value,
    kind: PolicyKind,
    path: &JsonPath,
    index: &LineIndex,
) -> ParsedPolicy {
    let mut report = Report::new(index);
    let policy = policy_from_value(value, kind, path, &mut report);
    finish(policy, report.into_diagnostics(), kind)
}

fn finish(
    policy: Option<Policy>,
    mut diagnostics: Vec<Diagnostic>,
    kind: PolicyKind,
) -> ParsedPolicy {
    if kind == PolicyKind::KeyPolicy {
        for diagnostic in &mut diagnostics {
            if diagnostic.severity == Severity::Error && diagnostic.kms_exception.is_none() {
                diagnostic.kms_exception = Some(MALFORMED);
            }
        }
    }
    crate::sort::sort_by_key(&mut diagnostics, |d| d.span.start);
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    ParsedPolicy {
        policy: if has_errors { None } else { policy },
        diagnostics,
    }
}

/// The key-policy rules that apply to the text itself: at most [`KEY_POLICY_MAX_BYTES`] bytes,
/// and only tab, line feed, carriage return and U+0020–U+00FF (the `PolicyType` pattern of the
/// KMS API model, `[\u0009\u000A\u000D\u0020-\u00FF]+`).
pub fn check_key_policy_text(text: &str, report: &mut Report<'_>) {
    const SHOWN: usize = 5;
    if text.len() > KEY_POLICY_MAX_BYTES {
        let end = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .find(|&end| end > KEY_POLICY_MAX_BYTES)
            .unwrap_or(text.len());
        report
            .error(
                "policy-too-large",
                format!(
                    "key policy is {} bytes, more than the {KEY_POLICY_MAX_BYTES} KMS allows",
                    text.len()
                ),
                &JsonPath::root(),
                Span::new(KEY_POLICY_MAX_BYTES, end),
            )
            .hint("split the permissions between the key policy and IAM policies, or shorten Sids and lists")
            .kms_exception(LIMIT_EXCEEDED);
    }
    let mut bad = text
        .char_indices()
        .filter(|&(_, c)| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'));
    for (offset, c) in bad.by_ref().take(SHOWN) {
        let shown = if c.is_control() {
            String::new()
        } else {
            format!("`{c}` ")
        };
        report
            .error(
                "invalid-character",
                format!(
                    "character {shown}(U+{:04X}) is not allowed in a key policy",
                    u32::from(c)
                ),
                &JsonPath::root(),
                Span::new(offset, offset + c.len_utf8()),
            )
            .hint("key policies may contain only tab, line breaks and the characters U+0020 to U+00FF");
    }
    let more = bad.count();
    if more > 0 {
        report.error(
            "invalid-character",
            format!("and {more} more characters not allowed in a key policy"),
            &JsonPath::root(),
            Span::new(text.len(), text.len()),
        );
    }
}

/// Reads a policy from a parsed JSON value, reporting problems into `report`.
pub fn policy_from_value(
    value: &Value,
    kind: PolicyKind,
    path: &JsonPath,
    report: &mut Report<'_>,
) -> Option<Policy> {
    Reader { kind, report }.policy(value, path)
}

struct Reader<'r, 'i> {
    kind: PolicyKind,
    report: &'r mut Report<'i>,
}

impl Reader<'_, '_> {
    fn policy(&mut self, value: &Value, path: &JsonPath) -> Option<Policy> {
        let Some(object) = value.as_object() else {
            self.report.error(
                "wrong-type",
                format!(
                    "a policy must be a JSON object, found {}",
                    value.kind_name()
                ),
                path,
                value.span,
            );
            return None;
        };
        object.reject_unknown(&POLICY_ELEMENTS, "policy element", path, self.report);
        let (version, version_written) = match object.member("Version") {
            None => (Some(PolicyVersion::V2008_10_17), false),
            Some(member) => (self.version(member, path), true),
        };
        let id = object
            .optional_str("Id", path, self.report)
            .map(str::to_owned);
        if let (Some(member), PolicyKind::IdentityPolicy) = (object.member("Id"), self.kind) {
            self.report
                .error(
                    "id-not-allowed",
                    "`Id` is not allowed in an identity policy",
                    &path.key("Id"),
                    member.key_span,
                )
                .hint("`Id` belongs to resource policies such as key policies (IAM User Guide, reference_policies_elements_id.html)");
        }
        let statements = object
            .required("Statement", value.span, path, self.report)
            .and_then(|statements| self.statements(statements, &path.key("Statement")));
        Some(Policy {
            version: version?,
            version_written,
            id,
            single_statement: object
                .get("Statement")
                .is_some_and(|s| s.as_object().is_some()),
            statements: statements?,
            span: value.span,
        })
    }

    fn version(&mut self, member: &Member, path: &JsonPath) -> Option<PolicyVersion> {
        let written = member.value.expect_str(&path.key("Version"), self.report)?;
        match written {
            "2012-10-17" => Some(PolicyVersion::V2012_10_17),
            "2008-10-17" => Some(PolicyVersion::V2008_10_17),
            _ => {
                self.report
                    .error(
                        "invalid-version",
                        format!("invalid `Version` `{written}`"),
                        &path.key("Version"),
                        member.value.span,
                    )
                    .hint("the policy language versions are `2012-10-17` (current) and `2008-10-17`; a `Version` is not a date you choose");
                None
            }
        }
    }

    fn statements(&mut self, value: &Value, path: &JsonPath) -> Option<Vec<Statement>> {
        let statements = match &value.kind {
            ValueKind::Object(_) => vec![self.statement(value, 0, path)],
            ValueKind::Array(items) if items.is_empty() => {
                self.report
                    .error("empty-statement", "`Statement` is empty", path, value.span)
                    .hint("a policy needs at least one statement; to take permissions away, keep one and narrow its `Action` or make its `Effect` a `Deny`, or remove an IAM policy as a whole (Remove policy)");
                return None;
            }
            ValueKind::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.statement(item, i, &path.index(i)))
                .collect(),
            _ => {
                value.wrong_type(
                    "a statement object or an array of statements",
                    path,
                    self.report,
                );
                return None;
            }
        };
        let statements: Option<Vec<Statement>> = statements.into_iter().collect();
        if let Some(statements) = &statements {
            self.unique_sids(statements, path);
        }
        statements
    }

    /// IAM requires Sids to be unique within a policy (reference_policies_elements_sid.html);
    /// KMS does not say so for key policies, so there lint only warns.
    fn unique_sids(&mut self, statements: &[Statement], path: &JsonPath) {
        if self.kind != PolicyKind::IdentityPolicy {
            return;
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, statement) in statements.iter().enumerate() {
            let Some(sid) = statement.sid.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            if seen.insert(sid, i).is_some() {
                self.report
                    .error(
                        "duplicate-sid",
                        format!("duplicate `Sid` `{sid}`"),
                        &path.index(i).key("Sid"),
                        statement.span,
                    )
                    .hint("each statement of an IAM policy needs its own Sid");
            }
        }
    }

    fn statement(&mut self, value: &Value, index: usize, path: &JsonPath) -> Option<Statement> {
        let object = value.expect_object(path, self.report)?;
        object.reject_unknown(&STATEMENT_ELEMENTS, "statement element", path, self.report);
        let sid = self.sid(object, path);
        let effect = self.effect(object, value.span, path);
        let principal = self.principal(object, value.span, path);
        let action = self.action(object, value.span, path);
        let resource = self.resource(object, value.span, path);
        let conditions = match object.get("Condition") {
            Some(condition) => self.conditions(condition, &path.key("Condition")),
            None => Some(Vec::new()),
        };
        Some(Statement {
            index,
            sid,
            effect: effect?,
            principal: principal?,
            action: action?,
            resource: resource?,
            conditions: conditions?,
            span: value.span,
        })
    }

    fn sid(&mut self, object: &Object, path: &JsonPath) -> Option<String> {
        let sid = object.optional_str("Sid", path, self.report)?;
        let alphanumeric = sid.chars().all(|c| c.is_ascii_alphanumeric());
        if self.kind == PolicyKind::IdentityPolicy && !alphanumeric {
            if let Some(value) = object.get("Sid") {
                self.report
                    .error(
                        "invalid-sid",
                        format!("`Sid` `{sid}` may contain only letters and digits in an identity policy"),
                        &path.key("Sid"),
                        value.span,
                    )
                    .hint("IAM Sids allow A-Z, a-z and 0-9 (key policies also allow spaces)");
            }
        }
        Some(sid.to_owned())
    }

    fn effect(&mut self, object: &Object, span: Span, path: &JsonPath) -> Option<Effect> {
        let value = object.required("Effect", span, path, self.report)?;
        let path = path.key("Effect");
        let written = value.expect_str(&path, self.report)?;
        match written {
            "Allow" => Some(Effect::Allow),
            "Deny" => Some(Effect::Deny),
            _ => {
                let hint = match did_you_mean(written, ["Allow", "Deny"]) {
                    Some(right) if right.eq_ignore_ascii_case(written) => {
                        format!("`Effect` is case-sensitive: write `{right}`")
                    }
                    Some(right) => format!("did you mean `{right}`?"),
                    None => "`Effect` is `Allow` or `Deny`".to_owned(),
                };
                self.report
                    .error(
                        "invalid-effect",
                        format!("invalid `Effect` `{written}`"),
                        &path,
                        value.span,
                    )
                    .hint(hint);
                None
            }
        }
    }

    /// The member of a `X` / `NotX` pair that is present; reports both present.
    fn pair<'v>(
        &mut self,
        object: &'v Object,
        plain: &str,
        negated: &str,
        path: &JsonPath,
    ) -> Option<(&'v Member, bool)> {
        let plain_member = object.member(plain);
        let negated_member = object.member(negated);
        if let (Some(first), Some(second)) = (plain_member, negated_member) {
            let later = if first.key_span.start > second.key_span.start {
                first
            } else {
                second
            };
            self.report
                .error(
                    "conflicting-elements",
                    format!("a statement cannot have both `{plain}` and `{negated}`"),
                    &path.key(&later.key),
                    later.key_span,
                )
                .hint(format!("keep one of `{plain}` and `{negated}`"));
        }
        plain_member
            .map(|m| (m, false))
            .or(negated_member.map(|m| (m, true)))
    }

    /// `Some(None)` when the element is absent and that is allowed; `None` after an error.
    fn principal(
        &mut self,
        object: &Object,
        span: Span,
        path: &JsonPath,
    ) -> Option<Option<PrincipalBlock>> {
        let found = self.pair(object, "Principal", "NotPrincipal", path);
        match (found, self.kind) {
            (None, PolicyKind::IdentityPolicy) => Some(None),
            (None, PolicyKind::KeyPolicy) => {
                self.report
                    .error(
                        "missing-principal",
                        "missing `Principal`",
                        path,
                        Span::new(span.start as usize, span.start as usize + 1),
                    )
                    .hint("each key policy statement names its principals, such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}");
                None
            }
            (Some((member, _)), PolicyKind::IdentityPolicy) => {
                self.report
                    .error(
                        "principal-not-allowed",
                        format!("`{}` is not allowed in an identity policy", member.key),
                        &path.key(&member.key),
                        member.key_span,
                    )
                    .hint("an identity policy applies to the identity it is attached to; name principals in the key policy");
                None
            }
            (Some((member, negated)), PolicyKind::KeyPolicy) => {
                let principals = self.principal_set(&member.value, &path.key(&member.key))?;
                Some(Some(PrincipalBlock {
                    negated,
                    principals,
                    span: member.value.span,
                }))
            }
        }
    }

    fn principal_set(&mut self, value: &Value, path: &JsonPath) -> Option<PrincipalSet> {
        let object = match &value.kind {
            ValueKind::String(s) if s == "*" => return Some(PrincipalSet::Everyone),
            ValueKind::String(s) => {
                self.invalid_principal(
                    format!("invalid principal `{s}`"),
                    "write `\"*\"` or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}",
                    path,
                    value.span,
                );
                return None;
            }
            ValueKind::Object(object) => object,
            _ => {
                value.wrong_type(
                    "`\"*\"` or an object such as {\"AWS\": ...}",
                    path,
                    self.report,
                );
                return None;
            }
        };
        object.reject_unknown(&PRINCIPAL_KEYS, "principal type", path, self.report);
        if object.members.is_empty() {
            self.invalid_principal(
                "the principal object names no principals".to_owned(),
                "add an entry such as \"AWS\": \"arn:aws:iam::111122223333:root\"",
                path,
                value.span,
            );
            return None;
        }
        let mut everyone = false;
        let mut entries = Vec::new();
        let mut ok = true;
        for member in &object.members {
            let kind = match member.key.as_str() {
                "AWS" => PrincipalKey::Aws,
                "Service" => PrincipalKey::Service,
                "Federated" => PrincipalKey::Federated,
                "CanonicalUser" => PrincipalKey::CanonicalUser,
                _ => continue, // reported by `reject_unknown`
            };
            let path = path.key(&member.key);
            let Some(values) = self.non_empty_strings(&member.value, &path) else {
                ok = false;
                continue;
            };
            for item in values {
                match principal_entry(kind, item.text) {
                    Ok(PrincipalCheck::Everyone) => everyone = true,
                    Ok(PrincipalCheck::Entry(normalized)) => entries.push(PrincipalEntry {
                        kind,
                        value: item.text.to_owned(),
                        normalized,
                        span: item.span,
                    }),
                    Err(problem) => {
                        ok = false;
                        self.invalid_principal(
                            problem.message,
                            &problem.hint,
                            &item.path,
                            item.span,
                        );
                    }
                }
            }
        }
        if !ok {
            return None;
        }
        Some(if everyone {
            PrincipalSet::Everyone
        } else {
            PrincipalSet::Specific(entries)
        })
    }

    fn invalid_principal(&mut self, message: String, hint: &str, path: &JsonPath, span: Span) {
        self.report
            .error("invalid-principal", message, path, span)
            .hint(hint);
    }

    fn action(
        &mut self,
        object: &Object,
        span: Span,
        path: &JsonPath,
    ) -> Option<Option<ActionBlock>> {
        let Some((member, negated)) = self.pair(object, "Action", "NotAction", path) else {
            return self.missing_in_identity_policy("Action", "NotAction", span, path);
        };
        let patterns = self.patterns(member, path, check_action)?;
        Some(Some(ActionBlock {
            negated,
            patterns,
            span: member.value.span,
        }))
    }

    fn resource(
        &mut self,
        object: &Object,
        span: Span,
        path: &JsonPath,
    ) -> Option<Option<ResourceBlock>> {
        let Some((member, negated)) = self.pair(object, "Resource", "NotResource", path) else {
            return self.missing_in_identity_policy("Resource", "NotResource", span, path);
        };
        let patterns = self.patterns(member, path, check_resource)?;
        Some(Some(ResourceBlock {
            negated,
            patterns,
            span: member.value.span,
        }))
    }

    /// A missing `Action` or `Resource`: IAM refuses the identity policy ("Policy statement must
    /// contain actions/resources"); KMS accepts the key policy and ignores the statement
    /// (KMS API Reference, PutKeyPolicy `Policy`).
    fn missing_in_identity_policy<T>(
        &mut self,
        plain: &str,
        negated: &str,
        span: Span,
        path: &JsonPath,
    ) -> Option<Option<T>> {
        if self.kind == PolicyKind::IdentityPolicy {
            self.report
                .error(
                    "missing-field",
                    format!("missing `{plain}` (or `{negated}`)"),
                    path,
                    Span::new(span.start as usize, span.start as usize + 1),
                )
                .hint(format!(
                    "an identity policy statement must say which {}s it covers",
                    plain.to_ascii_lowercase()
                ));
            return None;
        }
        Some(None)
    }

    fn patterns(
        &mut self,
        member: &Member,
        path: &JsonPath,
        check: fn(&str) -> Result<(), Problem>,
    ) -> Option<Vec<Pattern>> {
        let path = path.key(&member.key);
        let values = self.non_empty_strings(&member.value, &path)?;
        let mut patterns = Vec::with_capacity(values.len());
        let mut ok = true;
        let code = if member.key.ends_with("Action") {
            "invalid-action"
        } else {
            "invalid-resource"
        };
        for item in values {
            if let Err(problem) = check(item.text) {
                ok = false;
                self.report
                    .error(code, problem.message, &item.path, item.span)
                    .hint(problem.hint);
                continue;
            }
            patterns.push(Pattern {
                text: item.text.to_owned(),
                span: item.span,
            });
        }
        ok.then_some(patterns)
    }

    /// A string or a non-empty list of strings.
    fn non_empty_strings<'v>(
        &mut self,
        value: &'v Value,
        path: &JsonPath,
    ) -> Option<Vec<ListItem<'v>>> {
        if value.as_array().is_some_and(<[Value]>::is_empty) {
            self.report
                .error("empty-list", "the list is empty", path, value.span)
                .hint("give at least one value, or remove the element");
            return None;
        }
        value.expect_str_or_list(path, self.report)
    }

    fn conditions(&mut self, value: &Value, path: &JsonPath) -> Option<Vec<Condition>> {
        let object = value.expect_object(path, self.report)?;
        let mut conditions = Vec::new();
        let mut ok = true;
        for operator_member in &object.members {
            let operator_path = path.key(&operator_member.key);
            let operator = match parse_operator(&operator_member.key) {
                Ok(operator) => Some(operator),
                Err(problem) => {
                    self.report
                        .error(
                            problem.code,
                            problem.message,
                            &operator_path,
                            operator_member.key_span,
                        )
                        .hint(problem.hint);
                    None
                }
            };
            let Some(keys) = operator_member
                .value
                .expect_object(&operator_path, self.report)
            else {
                ok = false;
                continue;
            };
            for key_member in &keys.members {
                let condition =
                    self.condition(operator, operator_member, key_member, &operator_path);
                match condition {
                    Some(condition) => conditions.push(condition),
                    None => ok = false,
                }
            }
            ok &= operator.is_some();
        }
        ok.then_some(conditions)
    }

    fn condition(
        &mut self,
        operator: Option<ConditionOperator>,
        operator_member: &Member,
        key_member: &Member,
        operator_path: &JsonPath,
    ) -> Option<Condition> {
        let key = key_member.key.as_str();
        let path = operator_path.key(key);
        let mut ok = true;
        if let Err(problem) = check_condition_key(key) {
            self.report
                .error(
                    "invalid-condition-key",
                    problem.message,
                    &path,
                    key_member.key_span,
                )
                .hint(problem.hint);
            ok = false;
        }
        if let Some(operator) = operator {
            ok &= self.overly_permissive(operator, key, key_member.key_span, &path);
        }
        let values = self.condition_values(&key_member.value, &path);
        if !ok {
            return None;
        }
        Some(Condition {
            operator: operator?,
            operator_text: operator_member.key.clone(),
            key: key.to_owned(),
            values: values?,
            operator_span: operator_member.key_span,
            key_span: key_member.key_span,
        })
    }

    /// KMS refuses `ForAllValues` with `kms:EncryptionContext:context-key` or
    /// `aws:RequestTag/tag-key` (KMS Developer Guide, conditions-kms.html, "Using set operators
    /// with condition keys": error `OverlyPermissiveCondition`). Returns false after an error.
    fn overly_permissive(
        &mut self,
        operator: ConditionOperator,
        key: &str,
        span: Span,
        path: &JsonPath,
    ) -> bool {
        let single_valued = starts_with_ignore_case(key, "kms:EncryptionContext:")
            || starts_with_ignore_case(key, "aws:RequestTag/");
        if self.kind != PolicyKind::KeyPolicy
            || operator.qualifier != Some(SetQualifier::ForAllValues)
            || !single_valued
        {
            return true;
        }
        self.report
            .error(
                "overly-permissive-condition",
                format!("`ForAllValues` with the single-valued key `{key}` is overly permissive"),
                path,
                span,
            )
            .hint("KMS rejects it (OverlyPermissiveCondition): it also matches requests without that value; remove `ForAllValues:`");
        false
    }

    fn condition_values(&mut self, value: &Value, path: &JsonPath) -> Option<Vec<ConditionValue>> {
        let items: &[Value] = match &value.kind {
            ValueKind::Array(items) => items,
            _ => std::slice::from_ref(value),
        };
        let mut values = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match item.scalar_text() {
                Some(text) => values.push(ConditionValue {
                    text: text.to_owned(),
                    span: item.span,
                }),
                None => {
                    ok = false;
                    let item_path = if value.as_array().is_some() {
                        path.index(i)
                    } else {
                        path.clone()
                    };
                    self.report.error(
                        "invalid-condition-value",
                        format!(
                            "a condition value must be a string, a number or a boolean, found {}",
                            item.kind_name()
                        ),
                        &item_path,
                        item.span,
                    );
                }
            }
        }
        ok.then_some(values)
    }
}

/// What is wrong with one written value (an operator, a principal, an action...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The diagnostic code, such as `unknown-operator`.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// The advice.
    pub hint: String,
}

impl Problem {
    fn new(code: &'static str, message: String, hint: impl Into<String>) -> Problem {
        Problem {
            code,
            message,
            hint: hint.into(),
        }
    }
}

enum PrincipalCheck {
    Everyone,
    Entry(String),
}

/// Checks one principal value and normalises it (IAM User Guide,
/// reference_policies_elements_principal.html; KMS Developer Guide, key-policy-overview.html).
fn principal_entry(kind: PrincipalKey, text: &str) -> Result<PrincipalCheck, Problem> {
    let no_wildcards = |what: &str| {
        if text.contains(['*', '?']) {
            Err(Problem::new(
                "invalid-principal",
                format!("wildcards are not allowed in {what}: `{text}`"),
                "a principal is named exactly; to match several, use `\"*\"` with a condition on `aws:PrincipalArn`",
            ))
        } else {
            Ok(())
        }
    };
    match kind {
        PrincipalKey::Aws => aws_principal(text),
        PrincipalKey::Service => {
            no_wildcards("a service principal")?;
            let shaped = text.contains('.')
                && !text.contains([':', '/'])
                && !text.chars().any(char::is_whitespace);
            if !shaped {
                return Err(Problem::new(
                    "invalid-principal",
                    format!("invalid service principal `{text}`"),
                    "service principals look like `ec2.amazonaws.com`",
                ));
            }
            Ok(PrincipalCheck::Entry(text.to_owned()))
        }
        PrincipalKey::Federated => {
            no_wildcards("a federated principal")?;
            if text.is_empty() {
                return Err(Problem::new(
                    "invalid-principal",
                    "empty federated principal".to_owned(),
                    "name an identity provider, such as `cognito-identity.amazonaws.com`",
                ));
            }
            Ok(PrincipalCheck::Entry(text.to_owned()))
        }
        PrincipalKey::CanonicalUser => {
            if text.len() != 64 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(Problem::new(
                    "invalid-principal",
                    format!("invalid canonical user id `{text}`"),
                    "a canonical user id is 64 hexadecimal digits",
                ));
            }
            Ok(PrincipalCheck::Entry(text.to_owned()))
        }
    }
}

/// `"*"`, a 12-digit account id (→ `arn:aws:iam::ID:root`), an IAM or STS principal ARN, or the
/// unique id IAM shows for a deleted user (`AIDA…`) or role (`AROA…`).
fn aws_principal(text: &str) -> Result<PrincipalCheck, Problem> {
    if text == "*" {
        return Ok(PrincipalCheck::Everyone);
    }
    if is_account_id(text) {
        return Ok(PrincipalCheck::Entry(format!("arn:aws:iam::{text}:root")));
    }
    if text.contains(['*', '?']) {
        return Err(Problem::new(
            "invalid-principal",
            format!("wildcards are not allowed in a principal ARN: `{text}`"),
            "a principal is named exactly; to match several, use `\"*\"` with a condition on `aws:PrincipalArn` (IAM User Guide, reference_policies_elements_principal.html)",
        ));
    }
    let unique_id = (text.starts_with("AIDA") || text.starts_with("AROA"))
        && text.len() >= 16
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if unique_id {
        return Ok(PrincipalCheck::Entry(text.to_owned()));
    }
    let invalid = |hint: &str| {
        Err(Problem::new(
            "invalid-principal",
            format!("invalid AWS principal `{text}`"),
            hint,
        ))
    };
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return invalid(
            "use an account id, an ARN such as `arn:aws:iam::111122223333:role/Name`, or `\"*\"`",
        );
    };
    if !partition.starts_with("aws") || !region.is_empty() || !is_account_id(account) {
        return invalid(
            "IAM principal ARNs look like `arn:aws:iam::111122223333:user/Name` (no region, a 12-digit account)",
        );
    }
    let (kind, rest) = resource.split_once('/').unwrap_or((resource, ""));
    let named = |segments: usize| {
        let names: Vec<&str> = rest.split('/').collect();
        names.len() >= segments && names.iter().all(|n| !n.is_empty())
    };
    let valid = match (service, kind) {
        ("iam", "root") => rest.is_empty(),
        ("iam", "user" | "role") => named(1),
        ("iam", "group") => {
            return Err(Problem::new(
                "invalid-principal",
                format!("an IAM group cannot be a principal: `{text}`"),
                "trust the account in the key policy and attach an IAM policy to the group (KMS Developer Guide, key-policy-overview.html)",
            ));
        }
        ("sts", "assumed-role") => named(2),
        ("sts", "federated-user") => named(1),
        _ => false,
    };
    if valid {
        Ok(PrincipalCheck::Entry(text.to_owned()))
    } else {
        invalid(
            "name an account (`:root`), a `user/`, a `role/`, an `assumed-role/ROLE/SESSION` or a `federated-user/`",
        )
    }
}

/// Twelve ASCII digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `*` or `service:name`, where the name may contain `*` and `?`
/// (reference_policies_elements_action.html).
fn check_action(text: &str) -> Result<(), Problem> {
    if text == "*" {
        return Ok(());
    }
    let shaped = text.split_once(':').is_some_and(|(service, name)| {
        !service.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-' | '_'))
    });
    if shaped {
        Ok(())
    } else {
        Err(Problem::new(
            "invalid-action",
            format!("invalid action `{text}`"),
            "write actions as `service:Name`, such as `kms:Encrypt` or `kms:*`",
        ))
    }
}

/// `*` or an ARN (reference_policies_elements_resource.html). Wildcards may stand for several
/// segments, so an ARN with a `*` needs fewer colons.
fn check_resource(text: &str) -> Result<(), Problem> {
    let arn = text.starts_with("arn:") && (text.matches(':').count() >= 5 || text.contains('*'));
    if text == "*" || arn {
        Ok(())
    } else {
        Err(Problem::new(
            "invalid-resource",
            format!("invalid resource `{text}`"),
            "write `\"*\"` or an ARN such as `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`",
        ))
    }
}

/// `prefix:name` (reference_policies_elements_condition.html); names are case-insensitive.
fn check_condition_key(key: &str) -> Result<(), Problem> {
    let shaped = key.split_once(':').is_some_and(|(prefix, name)| {
        !prefix.is_empty() && !name.is_empty() && !prefix.contains(char::is_whitespace)
    });
    if shaped {
        Ok(())
    } else {
        Err(Problem::new(
            "invalid-condition-key",
            format!("invalid condition key `{key}`"),
            "write condition keys as `service:name`, such as `kms:CallerAccount` or `aws:PrincipalArn`",
        ))
    }
}

const FOR_ALL_VALUES: &str = "ForAllValues:";
const FOR_ANY_VALUE: &str = "ForAnyValue:";
const IF_EXISTS: &str = "IfExists";

/// Reads a condition operator such as `ForAnyValue:StringLikeIfExists`
/// (reference_policies_elements_condition_operators.html, reference_policies_multi-value-conditions.html).
pub fn parse_operator(text: &str) -> Result<ConditionOperator, Problem> {
    let (qualifier, rest) = if let Some(rest) = text.strip_prefix(FOR_ALL_VALUES) {
        (Some(SetQualifier::ForAllValues), rest)
    } else if let Some(rest) = text.strip_prefix(FOR_ANY_VALUE) {
        (Some(SetQualifier::ForAnyValue), rest)
    } else {
        (None, text)
    };
    let (base, if_exists) = match rest.strip_suffix(IF_EXISTS) {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let kind = OperatorKind::ALL.iter().copied().find(|k| k.name() == base);
    match kind {
        Some(OperatorKind::Null) if if_exists => Err(Problem {
            code: "invalid-operator",
            message: format!("`{text}` is not a valid operator"),
            hint: "`Null` already tests whether the key exists; it takes no `IfExists`".to_owned(),
        }),
        Some(kind) => Ok(ConditionOperator {
            kind,
            if_exists,
            qualifier,
        }),
        None => {
            let candidates = operator_names();
            let hint = match did_you_mean(text, candidates.iter().map(String::as_str)) {
                Some(name) => format!("did you mean `{name}`?"),
                None => {
                    "see the IAM condition operators, such as `StringEquals`, `ArnLike`, `Bool`"
                        .to_owned()
                }
            };
            Err(Problem {
                code: "unknown-operator",
                message: format!("unknown condition operator `{text}`"),
                hint,
            })
        }
    }
}

/// Every spelling of every operator, with and without `IfExists` and the set qualifiers.
pub fn operator_names() -> Vec<String> {
    let mut names = Vec::with_capacity(OperatorKind::ALL.len() * 6);
    for qualifier in ["", FOR_ALL_VALUES, FOR_ANY_VALUE] {
        for &kind in OperatorKind::ALL {
            names.push(format!("{qualifier}{}", kind.name()));
            if kind != OperatorKind::Null {
                names.push(format!("{qualifier}{}{IF_EXISTS}", kind.name()));
            }
        }
    }
    names
}

// ---------------------------------------------------------------------------------------------
// Writing a policy back as text
// ---------------------------------------------------------------------------------------------

/// Writes `policy` as pretty JSON (two-space indentation) that parses back to an equal policy
/// (spans aside).
///
/// Elements come in the grammar's order; a one-element list is written as a plain string.
/// `Version` is written only when the author wrote it. Everyone is written `{"AWS": "*"}`, the
/// form the KMS documentation uses (it is equivalent to `"*"`, IAM User Guide,
/// reference_policies_elements_principal.html). Condition values are written as strings, which
/// is how IAM compares unquoted numbers and booleans anyway. Characters above U+00FF are written
/// as `\u` escapes, so a key policy stays within the characters KMS accepts.
pub fn policy_to_json(policy: &Policy) -> String {
    let mut members = Vec::new();
    if policy.version_written {
        members.push(member("Version", string(policy.version.as_str())));
    }
    if let Some(id) = &policy.id {
        members.push(member("Id", string(id)));
    }
    let statements: Vec<Value> = policy.statements.iter().map(statement_value).collect();
    let statements = match (policy.single_statement, statements.as_slice()) {
        (true, [only]) => only.clone(),
        _ => array(statements),
    };
    members.push(member("Statement", statements));
    object(members).to_pretty_latin1()
}

fn statement_value(statement: &Statement) -> Value {
    let mut members = Vec::new();
    if let Some(sid) = &statement.sid {
        members.push(member("Sid", string(sid)));
    }
    let effect = match statement.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    members.push(member("Effect", string(effect)));
    if let Some(block) = &statement.principal {
        let name = if block.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        members.push(member(name, principal_value(&block.principals)));
    }
    if let Some(block) = &statement.action {
        let name = if block.negated { "NotAction" } else { "Action" };
        members.push(member(
            name,
            one_or_many(block.patterns.iter().map(|p| p.text.as_str())),
        ));
    }
    if let Some(block) = &statement.resource {
        let name = if block.negated {
            "NotResource"
        } else {
            "Resource"
        };
        members.push(member(
            name,
            one_or_many(block.patterns.iter().map(|p| p.text.as_str())),
        ));
    }
    if !statement.conditions.is_empty() {
        members.push(member("Condition", conditions_value(&statement.conditions)));
    }
    object(members)
}

fn principal_value(principals: &PrincipalSet) -> Value {
    let entries = match principals {
        PrincipalSet::Everyone => return object(vec![member("AWS", string("*"))]),
        PrincipalSet::Specific(entries) => entries,
    };
    let mut groups: Vec<(PrincipalKey, Vec<&str>)> = Vec::new();
    for entry in entries {
        match groups.iter_mut().find(|(kind, _)| *kind == entry.kind) {
            Some((_, values)) => values.push(&entry.value),
            None => groups.push((entry.kind, vec![&entry.value])),
        }
    }
    object(
        groups
            .into_iter()
            .map(|(kind, values)| {
                let key = match kind {
                    PrincipalKey::Aws => "AWS",
                    PrincipalKey::Service => "Service",
                    PrincipalKey::Federated => "Federated",
                    PrincipalKey::CanonicalUser => "CanonicalUser",
                };
                member(key, one_or_many(values.into_iter()))
            })
            .collect(),
    )
}

fn conditions_value(conditions: &[Condition]) -> Value {
    let mut operators: Vec<(&str, Vec<Member>)> = Vec::new();
    for condition in conditions {
        let values = one_or_many(condition.values.iter().map(|v| v.text.as_str()));
        let entry = member(&condition.key, values);
        match operators
            .iter_mut()
            .find(|(operator, _)| *operator == condition.operator_text)
        {
            Some((_, keys)) => keys.push(entry),
            None => operators.push((&condition.operator_text, vec![entry])),
        }
    }
    object(
        operators
            .into_iter()
            .map(|(operator, keys)| member(operator, object(keys)))
            .collect(),
    )
}

fn one_or_many<'a>(mut values: impl ExactSizeIterator<Item = &'a str>) -> Value {
    if values.len() == 1 {
        if let Some(only) = values.next() {
            return string(only);
        }
    }
    array(values.map(string).collect())
}

fn member(key: &str, value: Value) -> Member {
    Member {
        key: key.to_owned(),
        key_span: Span::default(),
        value,
    }
}

fn string(text: &str) -> Value {
    unspanned(ValueKind::String(text.to_owned()))
}

fn array(items: Vec<Value>) -> Value {
    unspanned(ValueKind::Array(items))
}

fn object(members: Vec<Member>) -> Value {
    unspanned(ValueKind::Object(Object { members }))
}

fn unspanned(kind: ValueKind) -> Value {
    Value {
        kind,
        span: Span::default(),
    }
}
