//! Reading a scenario file into a [`Scenario`], with every problem located by line, column and
//! JSON path.

use super::{
    Constraint, ConstraintKind, DEFAULT_ACCOUNT, DEFAULT_REGION, EditKind, EditScope, Exercise,
    Expectation, GrantEntry, GroupEntry, IamSetup, KeyEntry, ManagedPolicyEntry, NamedPolicy,
    OrgPolicyEntry, OrgUnitEntry, OrganizationEntry, PolicyText, PrincipalEntry, PrincipalRole,
    Scenario, ScenarioError, SessionPolicyEntry, derived_key_id,
};
use crate::catalog::{KEY_USAGES, KeySpec};
use crate::diagnostics::{Diagnostic, LineIndex, Severity, Span};
use crate::json::{self, JsonPath, Object, Report, Value, ValueKind};
use crate::policy::eval::Decision;
use crate::policy::parse::{PolicyKind, parse_policy, parse_policy_value};
use crate::request::{ContextValue, PrincipalArn};
use std::collections::HashMap;

/// The grant operations a grant on some modelled key may list (KMS API Reference, CreateGrant;
/// KMS Developer Guide, grants.html), from the key-spec table, in alphabetical order.
pub fn grant_operation_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = crate::catalog::grant_operations_of_any_key()
        .into_iter()
        .filter_map(crate::catalog::Action::grant_operation_name)
        .collect();
    crate::sort::sort(&mut names);
    names
}

/// Key states a scenario may give a key.
pub const KEY_STATES: &[&str] = &[
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "PendingReplicaDeletion",
];

/// Key origins a scenario may give a key.
pub const KEY_ORIGINS: &[&str] = &["AWS_KMS", "EXTERNAL"];

const TOP: &[&str] = &[
    "name",
    "description",
    "account",
    "region",
    "principals",
    "keys",
    "grants",
    "actions",
    "expect",
    "goals",
    "may_edit",
    "must_not",
    "managed_policies",
    "groups",
    "organization",
];
const PRINCIPAL: &[&str] = &[
    "name",
    "arn",
    "tags",
    "policies",
    "permissions_boundary",
    "session_policies",
];
const POLICY: &[&str] = &["name", "document"];
const MANAGED_POLICY: &[&str] = &["name", "arn", "document", "attached_to"];
const GROUP: &[&str] = &["name", "arn", "members", "policies"];
const ORGANIZATION: &[&str] = &[
    "id",
    "management_account",
    "accounts",
    "units",
    "scps",
    "rcps",
];
const ORG_UNIT: &[&str] = &["id", "name", "parent", "accounts"];
const ORG_POLICY: &[&str] = &["name", "id", "document", "targets"];
const SESSION_POLICY: &[&str] = &["name", "document", "arn"];
const KEY: &[&str] = &[
    "name",
    "id",
    "arn",
    "region",
    "aliases",
    "description",
    "state",
    "origin",
    "key_spec",
    "key_usage",
    "tags",
    "policy",
    "replica_of",
];
const GRANT: &[&str] = &[
    "key",
    "grantee",
    "operations",
    "constraints",
    "retiring_principal",
    "name",
];
const CONSTRAINTS: &[&str] = &["EncryptionContextSubset", "EncryptionContextEquals"];
const EXPECT: &[&str] = &[
    "principal",
    "key",
    "action",
    "context",
    "grant_tokens",
    "decision",
];

/// Reads scenario text.
pub fn read(text: &str) -> Result<Scenario, ScenarioError> {
    let index = LineIndex::new(text);
    let document = json::parse_indexed(text, &index);
    let mut report = Report::new(&index);
    for d in document.diagnostics {
        report.push(d);
    }
    let Some(root) = document.value else {
        return Err(ScenarioError::new(report.into_diagnostics()));
    };
    let mut reader = Reader {
        text,
        report,
        references: None,
    };
    let scenario = reader.scenario(&root);
    if reader.report.has_errors() {
        return Err(ScenarioError::new(reader.report.into_diagnostics()));
    }
    scenario.ok_or_else(|| ScenarioError::new(reader.report.into_diagnostics()))
}

struct Reader<'t, 'i> {
    text: &'t str,
    report: Report<'i>,
    /// The declared principals and keys by every name a reference may use, indexed once they
    /// are read, so that resolving grants and expectations is linear in their number.
    references: Option<References>,
}

impl Reader<'_, '_> {
    fn error(&mut self, code: &'static str, message: String, path: &JsonPath, span: Span) {
        self.report.error(code, message, path, span);
    }

    fn scenario(&mut self, root: &Value) -> Option<Scenario> {
        let path = JsonPath::root();
        let object = root.expect_object(&path, &mut self.report)?;
        object.reject_unknown(TOP, "field", &path, &mut self.report);
        let name = object
            .optional_str("name", &path, &mut self.report)
            .map(str::to_owned);
        let description = object
            .optional_str("description", &path, &mut self.report)
            .map(str::to_owned);
        let account = match object.get("account") {
            Some(v) => self.account_id(v, &path.key("account")).unwrap_or_default(),
            None => DEFAULT_ACCOUNT.to_owned(),
        };
        let region = match object.get("region") {
            Some(v) => self.region(v, &path.key("region")).unwrap_or_default(),
            None => DEFAULT_REGION.to_owned(),
        };
        let mut scenario = Scenario {
            name,
            description,
            account,
            region,
            principals: Vec::new(),
            keys: Vec::new(),
            grants: Vec::new(),
            actions: Vec::new(),
            expect: Vec::new(),
            exercise: Exercise::default(),
            iam: IamSetup::default(),
        };
        if let Some(list) = self.list(object, "principals", &path) {
            for (i, item) in list.iter().enumerate() {
                let p = path.key("principals").index(i);
                if let Some(entry) = self.principal(item, &p, &scenario) {
                    scenario.principals.push(entry);
                }
            }
        }
        self.check_roles(&scenario, object, &path);
        self.iam(object, &path, &mut scenario);
        if let Some(list) = self.list(object, "keys", &path) {
            let mut replicas = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let p = path.key("keys").index(i);
                if let Some((entry, replica_of)) = self.key(item, &p, &scenario) {
                    if let Some((name, span)) = replica_of {
                        replicas.push((scenario.keys.len(), name, span, p.key("replica_of")));
                    }
                    scenario.keys.push(entry);
                }
            }
            for (index, name, span, p) in replicas {
                self.replica(&mut scenario, index, &name, span, &p);
            }
        }
        self.references = Some(References::new(&scenario));
        if let Some(list) = self.list(object, "grants", &path) {
            for (i, item) in list.iter().enumerate() {
                let p = path.key("grants").index(i);
                if let Some(entry) = self.grant(item, &p, &scenario) {
                    scenario.grants.push(entry);
                }
            }
        }
        if let Some(list) = self.list(object, "actions", &path) {
            for (i, item) in list.iter().enumerate() {
                let p = path.key("actions").index(i);
                if let Some(action) = self.action(item, &p) {
                    scenario.actions.push(action);
                }
            }
        }
        scenario.expect = self.expectations(object, "expect", &path, &scenario);
        scenario.exercise.goals = self.expectations(object, "goals", &path, &scenario);
        scenario.exercise.must_not = self.expectations(object, "must_not", &path, &scenario);
        if let Some(list) = self.list(object, "may_edit", &path) {
            let scopes = list
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    self.edit_scope(item, &path.key("may_edit").index(i), &scenario)
                })
                .collect();
            scenario.exercise.may_edit = Some(scopes);
        }
        if !scenario.exercise.is_exercise() {
            for field in ["may_edit", "must_not"] {
                if let Some(v) = object.get(field) {
                    self.report
                        .error(
                            "rule-without-goals",
                            format!(
                                "`{field}` belongs to an exercise, and this file has no `goals`"
                            ),
                            &path.key(field),
                            v.span,
                        )
                        .hint("add `goals`: the decisions the student must make true");
                }
            }
        }
        Some(scenario)
    }

    fn expectations(
        &mut self,
        object: &Object,
        field: &str,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Vec<Expectation> {
        let Some(list) = self.list(object, field, path) else {
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .filter_map(|(i, item)| self.expectation(item, &path.key(field).index(i), scenario))
            .collect()
    }

    /// A `may_edit` entry: `key-policy:KEY`, `identity:PRINCIPAL`, `grants:KEY` or
    /// `key-state:KEY`, naming something declared in the file.
    fn edit_scope(
        &mut self,
        item: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<EditScope> {
        let text = item.expect_str(path, &mut self.report)?;
        let prefixes: Vec<&str> = EditKind::ALL.iter().map(|k| k.prefix()).collect();
        let Some((kind, name)) = text
            .split_once(':')
            .and_then(|(prefix, name)| Some((EditKind::from_prefix(prefix)?, name)))
        else {
            let written = text.split(':').next().unwrap_or(text);
            let hint = match crate::diagnostics::did_you_mean(written, prefixes.iter().copied()) {
                Some(s) => format!("did you mean `{s}:...`?"),
                None => format!(
                    "write KIND:NAME, where KIND is {}",
                    json::quote_list(&prefixes)
                ),
            };
            self.report
                .error(
                    "invalid-edit-scope",
                    format!("`{text}` is not something an exercise can let the student edit"),
                    path,
                    item.span,
                )
                .hint(hint);
            return None;
        };
        let arn = if kind == EditKind::Identity {
            let i = self.principal_index(name, scenario);
            let principal = i.and_then(|i| scenario.principals.get(i));
            match principal {
                Some(p) if matches!(p.role, PrincipalRole::User | PrincipalRole::Role) => {
                    p.arn.to_string()
                }
                Some(p) => {
                    self.error(
                        "invalid-edit-scope",
                        format!(
                            "`{}` holds no IAM policies: only users and roles do",
                            p.name
                        ),
                        path,
                        item.span,
                    );
                    return None;
                }
                None => {
                    self.unknown_name("principal", name, path, item.span, scenario);
                    return None;
                }
            }
        } else {
            match self
                .key_index(name, scenario)
                .and_then(|i| scenario.keys.get(i))
            {
                Some(k) => k.arn.clone(),
                None => {
                    self.unknown_name("key", name, path, item.span, scenario);
                    return None;
                }
            }
        };
        Some(EditScope {
            kind,
            name: name.to_owned(),
            arn,
        })
    }

    fn unknown_name(
        &mut self,
        what: &str,
        name: &str,
        path: &JsonPath,
        span: Span,
        scenario: &Scenario,
    ) {
        let names: Vec<&str> = if what == "key" {
            scenario.keys.iter().map(|k| k.name.as_str()).collect()
        } else {
            scenario
                .principals
                .iter()
                .map(|p| p.name.as_str())
                .collect()
        };
        let hint = match crate::diagnostics::did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("declared: {}", json::quote_list(&names)),
        };
        self.report
            .error(
                "unknown-name",
                format!("no {what} named `{name}` is declared"),
                path,
                span,
            )
            .hint(hint);
    }

    fn list<'v>(&mut self, object: &'v Object, key: &str, path: &JsonPath) -> Option<&'v [Value]> {
        object
            .get(key)
            .and_then(|v| v.expect_array(&path.key(key), &mut self.report))
    }

    fn account_id(&mut self, value: &Value, path: &JsonPath) -> Option<String> {
        let id = value.expect_str(path, &mut self.report)?;
        if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            Some(id.to_owned())
        } else {
            self.error(
                "invalid-account",
                format!("`{id}` is not an AWS account id (12 digits)"),
                path,
                value.span,
            );
            None
        }
    }

    fn region(&mut self, value: &Value, path: &JsonPath) -> Option<String> {
        let region = value.expect_str(path, &mut self.report)?;
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && region.contains('-');
        if valid {
            Some(region.to_owned())
        } else {
            self.error(
                "invalid-region",
                format!("`{region}` is not a Region name such as `us-east-1`"),
                path,
                value.span,
            );
            None
        }
    }

    fn name(&mut self, object: &Object, span: Span, path: &JsonPath) -> Option<String> {
        let value = object.required("name", span, path, &mut self.report)?;
        let name = value.expect_str(&path.key("name"), &mut self.report)?;
        if name.trim().is_empty() {
            self.error(
                "empty-name",
                "the name is empty".to_owned(),
                &path.key("name"),
                value.span,
            );
            return None;
        }
        Some(name.to_owned())
    }

    fn tags(&mut self, object: &Object, path: &JsonPath) -> Vec<(String, String)> {
        let Some(value) = object.get("tags") else {
            return Vec::new();
        };
        self.string_map(value, &path.key("tags"))
    }

    fn string_map(&mut self, value: &Value, path: &JsonPath) -> Vec<(String, String)> {
        let Some(map) = value.expect_object(path, &mut self.report) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for member in &map.members {
            if let Some(v) = member
                .value
                .expect_str(&path.key(&member.key), &mut self.report)
            {
                out.push((member.key.clone(), v.to_owned()));
            }
        }
        out
    }

    /// A policy document, checked with the policy parser: its errors are the scenario's errors,
    /// located in the scenario file. The text is returned even when it has errors, so that the
    /// entry holding it stays known and its name raises no second, misleading error elsewhere.
    fn policy_text(
        &mut self,
        value: &Value,
        path: &JsonPath,
        kind: PolicyKind,
    ) -> Option<PolicyText> {
        match &value.kind {
            ValueKind::Object(_) => {
                if kind == PolicyKind::KeyPolicy {
                    // Size and character limits apply to the document's own text.
                    let own_text = self
                        .text
                        .get(value.span.start as usize..value.span.end as usize)
                        .unwrap_or_default();
                    let own = parse_policy(own_text, kind);
                    for d in own.diagnostics {
                        if d.code == "policy-too-large" || d.code == "invalid-character" {
                            let moved = relocate(&d, value.span.start, self.report.index(), path);
                            self.report.push(moved);
                        }
                    }
                }
                let parsed = parse_policy_value(value, kind, path, self.report.index());
                for d in parsed.diagnostics {
                    if d.severity == Severity::Error {
                        self.report.push(d);
                    }
                }
                Some(PolicyText {
                    text: value.to_pretty_string(),
                    span: value.span,
                })
            }
            ValueKind::String(s) => {
                let parsed = parse_policy(s, kind);
                for d in parsed.diagnostics {
                    if d.severity == Severity::Error {
                        // The string's escapes shift positions: point at the whole string and say
                        // where in the document the problem is.
                        let mut moved = Diagnostic::new(
                            self.report.index(),
                            d.severity,
                            d.code,
                            format!(
                                "{} (line {}, column {} of the policy in this string)",
                                d.message, d.start.line, d.start.column
                            ),
                            relocate(&d, 0, self.report.index(), path).path,
                            value.span,
                        );
                        moved.hint = d.hint.clone();
                        moved.kms_exception = d.kms_exception;
                        self.report.push(moved);
                    }
                }
                Some(PolicyText {
                    text: s.clone(),
                    span: value.span,
                })
            }
            _ => {
                value.wrong_type(
                    "a policy document (an object, or a string holding JSON)",
                    path,
                    &mut self.report,
                );
                None
            }
        }
    }

    fn principal(
        &mut self,
        item: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<PrincipalEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(PRINCIPAL, "field", path, &mut self.report);
        let name = self.name(object, item.span, path)?;
        if scenario.principals.iter().any(|p| p.name == name) {
            self.error(
                "duplicate-name",
                format!("a principal named `{name}` is already declared"),
                &path.key("name"),
                object.get("name").map_or(item.span, |v| v.span),
            );
        }
        let (arn, arn_span) = match object.get("arn") {
            Some(v) => (
                v.expect_str(&path.key("arn"), &mut self.report)?.to_owned(),
                v.span,
            ),
            None => (
                format!("arn:aws:iam::{}:user/{name}", scenario.account),
                item.span,
            ),
        };
        let arn = match PrincipalArn::parse(&arn) {
            Ok(arn) => arn,
            Err(invalid) => {
                self.report
                    .error(
                        "invalid-principal-arn",
                        invalid.to_string(),
                        &path.key("arn"),
                        arn_span,
                    )
                    .hint("for example `arn:aws:iam::111122223333:user/Alice`, `arn:aws:iam::111122223333:role/Admin` or `arn:aws:sts::111122223333:assumed-role/Admin/session`");
                return None;
            }
        };
        let (account, role) = (arn.account().to_owned(), PrincipalRole::of(&arn));
        if let Some(other) = scenario.principals.iter().find(|p| p.arn == arn) {
            self.error(
                "duplicate-principal",
                format!("`{arn}` is already declared as `{}`", other.name),
                &path.key("arn"),
                arn_span,
            );
        }
        let tags = self.tags(object, path);
        if !tags.is_empty() && !matches!(role, PrincipalRole::User | PrincipalRole::Role) {
            self.report
                .error(
                    "tags-not-allowed",
                    format!("only IAM users and roles carry tags here; `{arn}` cannot"),
                    &path.key("tags"),
                    object.get("tags").map_or(item.span, |v| v.span),
                )
                .hint("a session has the tags of its role: tag the role");
        }
        if let Some(list) = self.list(object, "policies", path) {
            if !list.is_empty() && !matches!(role, PrincipalRole::User | PrincipalRole::Role) {
                self.report
                    .error(
                        "policies-not-allowed",
                        format!("only IAM users and roles hold identity policies; `{arn}` cannot"),
                        &path.key("policies"),
                        object.get("policies").map_or(item.span, |v| v.span),
                    )
                    .hint("an assumed-role session uses the policies of its role: declare the role with them");
            }
        }
        let policies = self.named_policies(object, path);
        let permissions_boundary = object
            .optional_str("permissions_boundary", path, &mut self.report)
            .map(str::to_owned);
        if permissions_boundary.is_some()
            && !matches!(role, PrincipalRole::User | PrincipalRole::Role)
        {
            self.error(
                "boundary-not-allowed",
                format!("only IAM users and roles have a permissions boundary; `{arn}` cannot"),
                &path.key("permissions_boundary"),
                object
                    .get("permissions_boundary")
                    .map_or(item.span, |v| v.span),
            );
        }
        let session_policies = self.session_policies(object, path, &role, arn.as_str(), item.span);
        Some(PrincipalEntry {
            name,
            arn,
            account,
            role,
            tags,
            policies,
            permissions_boundary,
            session_policies,
            span: item.span,
        })
    }

    /// A session's `session_policies`: `{"name", "document"}` inline, or `{"arn"}` managed.
    fn session_policies(
        &mut self,
        object: &Object,
        path: &JsonPath,
        role: &PrincipalRole,
        arn: &str,
        span: Span,
    ) -> Vec<SessionPolicyEntry> {
        let Some(list) = self.list(object, "session_policies", path) else {
            return Vec::new();
        };
        if !list.is_empty() && !matches!(role, PrincipalRole::AssumedRole { .. }) {
            self.error(
                "session-policies-not-allowed",
                format!("only assumed-role sessions have session policies; `{arn}` cannot"),
                &path.key("session_policies"),
                object.get("session_policies").map_or(span, |v| v.span),
            );
        }
        let mut out = Vec::new();
        for (i, entry) in list.iter().enumerate() {
            let p = path.key("session_policies").index(i);
            let Some(obj) = entry.expect_object(&p, &mut self.report) else {
                continue;
            };
            obj.reject_unknown(SESSION_POLICY, "field", &p, &mut self.report);
            if let Some(arn) = obj.optional_str("arn", &p, &mut self.report) {
                out.push(SessionPolicyEntry::Managed(arn.to_owned()));
                continue;
            }
            let Some(name) = self.name(obj, entry.span, &p) else {
                continue;
            };
            let Some(document) = obj.required("document", entry.span, &p, &mut self.report) else {
                continue;
            };
            if let Some(text) =
                self.policy_text(document, &p.key("document"), PolicyKind::IdentityPolicy)
            {
                out.push(SessionPolicyEntry::Inline(NamedPolicy {
                    name,
                    document: text,
                }));
            }
        }
        out
    }

    /// `managed_policies`, `groups` and `organization`, and the references to managed policies
    /// from principals (`permissions_boundary`, managed `session_policies`).
    fn iam(&mut self, object: &Object, path: &JsonPath, scenario: &mut Scenario) {
        let mut iam = IamSetup::default();
        if let Some(list) = self.list(object, "groups", path) {
            for (i, item) in list.iter().enumerate() {
                let p = path.key("groups").index(i);
                if let Some(group) = self.group(item, &p, scenario) {
                    if iam.groups.iter().any(|g| g.arn == group.arn) {
                        self.error(
                            "duplicate-name",
                            format!("the group `{}` is already declared", group.name),
                            &p,
                            item.span,
                        );
                    }
                    iam.groups.push(group);
                }
            }
        }
        if let Some(list) = self.list(object, "managed_policies", path) {
            for (i, item) in list.iter().enumerate() {
                let p = path.key("managed_policies").index(i);
                if let Some(policy) = self.managed_policy(item, &p, scenario, &iam.groups) {
                    if iam.managed_policies.iter().any(|m| m.arn == policy.arn) {
                        self.error(
                            "duplicate-name",
                            format!("the managed policy `{}` is already declared", policy.arn),
                            &p,
                            item.span,
                        );
                    }
                    iam.managed_policies.push(policy);
                }
            }
        }
        if let Some(value) = object.get("organization") {
            iam.organization = self.organization(value, &path.key("organization"));
        }
        // Principals name managed policies by ARN, or a customer managed one by its name.
        let principals = object.get("principals").and_then(Value::as_array);
        for (i, principal) in scenario.principals.iter_mut().enumerate() {
            let item = principals.and_then(|list| list.get(i));
            let member = |field: &str| {
                item.and_then(|v| match &v.kind {
                    ValueKind::Object(o) => o.get(field).map(|v| v.span),
                    _ => None,
                })
            };
            let p = path.key("principals").index(i);
            if let Some(reference) = principal.permissions_boundary.take() {
                let span = member("permissions_boundary").unwrap_or(principal.span);
                principal.permissions_boundary = self.managed_ref(
                    &reference,
                    &principal.account,
                    &iam,
                    &p.key("permissions_boundary"),
                    span,
                );
            }
            for (j, session) in principal.session_policies.iter_mut().enumerate() {
                if let SessionPolicyEntry::Managed(reference) = session {
                    let span = member("session_policies").unwrap_or(principal.span);
                    if let Some(arn) = self.managed_ref(
                        reference,
                        &principal.account,
                        &iam,
                        &p.key("session_policies").index(j),
                        span,
                    ) {
                        *reference = arn;
                    }
                }
            }
        }
        scenario.iam = iam;
    }

    /// A managed policy named by ARN, or by name for a customer managed policy of `account`;
    /// it must be declared under `managed_policies`.
    fn managed_ref(
        &mut self,
        reference: &str,
        account: &str,
        iam: &IamSetup,
        path: &JsonPath,
        span: Span,
    ) -> Option<String> {
        let arn = if reference.starts_with("arn:") {
            reference.to_owned()
        } else {
            format!("arn:aws:iam::{account}:policy/{reference}")
        };
        if iam.managed_policies.iter().any(|m| m.arn == arn) {
            return Some(arn);
        }
        self.report
            .error(
                "unknown-managed-policy",
                format!("no managed policy `{arn}` is declared"),
                path,
                span,
            )
            .hint("declare it under `managed_policies` with its document");
        None
    }

    fn group(&mut self, item: &Value, path: &JsonPath, scenario: &Scenario) -> Option<GroupEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(GROUP, "field", path, &mut self.report);
        let name = self.name(object, item.span, path)?;
        let arn = match object.optional_str("arn", path, &mut self.report) {
            Some(arn) => arn.to_owned(),
            None => format!("arn:aws:iam::{}:group/{name}", scenario.account),
        };
        let valid = arn
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.split_once(":group/"))
            .is_some_and(|(account, rest)| {
                let (group_path, group_name) = match rest.rsplit_once('/') {
                    Some((p, n)) => (format!("/{p}/"), n),
                    None => ("/".to_owned(), rest),
                };
                account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && group_name == name
                    && crate::world::check_iam_path(&group_path).is_ok()
            });
        if !valid {
            self.error(
                "invalid-group-arn",
                format!("`{arn}` is not the ARN of an IAM group named `{name}`"),
                &path.key("arn"),
                object.get("arn").map_or(item.span, |v| v.span),
            );
            return None;
        }
        let mut members = Vec::new();
        if let Some(list) = self.list(object, "members", path) {
            for (i, value) in list.iter().enumerate() {
                let p = path.key("members").index(i);
                let Some(index) = self.principal_ref(value, &p, scenario) else {
                    continue;
                };
                let Some(member) = scenario.principals.get(index) else {
                    continue;
                };
                if member.role != PrincipalRole::User || !arn.contains(&member.account) {
                    self.error(
                        "not-a-user",
                        format!(
                            "`{}` is not an IAM user of the group's account: only users are group members",
                            member.name
                        ),
                        &p,
                        value.span,
                    );
                    continue;
                }
                members.push(member.arn.clone());
            }
        }
        let policies = self.named_policies(object, path);
        Some(GroupEntry {
            name,
            arn,
            members,
            policies,
        })
    }

    /// A `policies` list of `{"name", "document"}` identity policies.
    fn named_policies(&mut self, object: &Object, path: &JsonPath) -> Vec<NamedPolicy> {
        let mut policies: Vec<NamedPolicy> = Vec::new();
        let Some(list) = self.list(object, "policies", path) else {
            return policies;
        };
        for (i, entry) in list.iter().enumerate() {
            let p = path.key("policies").index(i);
            let Some(obj) = entry.expect_object(&p, &mut self.report) else {
                continue;
            };
            obj.reject_unknown(POLICY, "field", &p, &mut self.report);
            let Some(name) = self.name(obj, entry.span, &p) else {
                continue;
            };
            if policies.iter().any(|x| x.name == name) {
                self.error(
                    "duplicate-name",
                    format!("a policy named `{name}` is already declared here"),
                    &p.key("name"),
                    obj.get("name").map_or(entry.span, |v| v.span),
                );
            }
            let Some(document) = obj.required("document", entry.span, &p, &mut self.report) else {
                continue;
            };
            if let Some(text) =
                self.policy_text(document, &p.key("document"), PolicyKind::IdentityPolicy)
            {
                policies.push(NamedPolicy {
                    name,
                    document: text,
                });
            }
        }
        policies
    }

    fn managed_policy(
        &mut self,
        item: &Value,
        path: &JsonPath,
        scenario: &Scenario,
        groups: &[GroupEntry],
    ) -> Option<ManagedPolicyEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(MANAGED_POLICY, "field", path, &mut self.report);
        let arn = match object.optional_str("arn", path, &mut self.report) {
            Some(arn) => arn.to_owned(),
            None => {
                let name = self.name(object, item.span, path)?;
                format!("arn:aws:iam::{}:policy/{name}", scenario.account)
            }
        };
        if crate::world::parse_policy_arn(&arn).is_none() {
            self.report
                .error(
                    "invalid-policy-arn",
                    format!("`{arn}` is not a managed policy ARN"),
                    &path.key("arn"),
                    object.get("arn").map_or(item.span, |v| v.span),
                )
                .hint("for example `arn:aws:iam::111122223333:policy/KmsUse` or `arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser`");
            return None;
        }
        let document = object.required("document", item.span, path, &mut self.report)?;
        let document =
            self.policy_text(document, &path.key("document"), PolicyKind::IdentityPolicy)?;
        let mut attached_to = Vec::new();
        if let Some(list) = self.list(object, "attached_to", path) {
            for (i, value) in list.iter().enumerate() {
                let p = path.key("attached_to").index(i);
                let Some(text) = value.expect_str(&p, &mut self.report) else {
                    continue;
                };
                if let Some(group) = groups.iter().find(|g| g.name == text || g.arn == text) {
                    attached_to.push(group.arn.clone());
                    continue;
                }
                let Some(index) = self.principal_ref(value, &p, scenario) else {
                    continue;
                };
                if let Some(holder) = scenario.principals.get(index) {
                    if matches!(holder.role, PrincipalRole::User | PrincipalRole::Role) {
                        attached_to.push(holder.arn.to_string());
                    } else {
                        self.error(
                            "policies-not-allowed",
                            format!(
                                "only IAM users, roles and groups have managed policies attached; `{text}` cannot"
                            ),
                            &p,
                            value.span,
                        );
                    }
                }
            }
        }
        Some(ManagedPolicyEntry {
            arn,
            document,
            attached_to,
        })
    }

    fn organization(&mut self, value: &Value, path: &JsonPath) -> Option<OrganizationEntry> {
        let object = value.expect_object(path, &mut self.report)?;
        object.reject_unknown(ORGANIZATION, "field", path, &mut self.report);
        let management =
            object.required("management_account", value.span, path, &mut self.report)?;
        let management_account = self.account_id(management, &path.key("management_account"))?;
        let id = self.organization_id(object, path);
        let mut accounts = Vec::new();
        if let Some(list) = self.list(object, "accounts", path) {
            for (i, value) in list.iter().enumerate() {
                if let Some(account) = self.account_id(value, &path.key("accounts").index(i)) {
                    accounts.push(account);
                }
            }
        }
        let mut units: Vec<(usize, &Value, OrgUnitEntry)> = Vec::new();
        if let Some(list) = self.list(object, "units", path) {
            for (i, item) in list.iter().enumerate() {
                if let Some(unit) = self.org_unit(item, &path.key("units").index(i)) {
                    units.push((i, item, unit));
                }
            }
        }
        let unit_ids: Vec<String> = units.iter().map(|(_, _, u)| u.id.clone()).collect();
        for (i, item, unit) in &units {
            let known =
                crate::world::is_root_target(&unit.parent) || unit_ids.contains(&unit.parent);
            if !known {
                let p = path.key("units").index(*i).key("parent");
                let span = item
                    .as_object()
                    .and_then(|o| o.get("parent"))
                    .map_or(item.span, |v| v.span);
                self.report
                    .error(
                        "unknown-unit",
                        format!(
                            "`{}` is neither the root nor an OU listed in `units`",
                            unit.parent
                        ),
                        &p,
                        span,
                    )
                    .hint("use `root`, or the id of another entry of `units`");
            }
        }
        // The member accounts: the management account, those directly under the root, those
        // in an OU.
        let members: Vec<String> = std::iter::once(&management_account)
            .chain(&accounts)
            .chain(units.iter().flat_map(|(_, _, u)| &u.accounts))
            .cloned()
            .collect();
        let mut lists = [Vec::new(), Vec::new()];
        for (field, out) in ["scps", "rcps"].into_iter().zip(lists.iter_mut()) {
            let Some(list) = self.list(object, field, path) else {
                continue;
            };
            // An SCP reads like an identity policy (no `Principal`); an RCP like a resource
            // policy (its `Principal` is `*`).
            let kind = if field == "scps" {
                PolicyKind::IdentityPolicy
            } else {
                PolicyKind::KeyPolicy
            };
            for (i, item) in list.iter().enumerate() {
                let p = path.key(field).index(i);
                if let Some(entry) = self.org_policy(item, &p, kind, &unit_ids, &members) {
                    out.push(entry);
                }
            }
        }
        let [scps, rcps] = lists;
        Some(OrganizationEntry {
            id,
            management_account,
            accounts,
            units: units.into_iter().map(|(_, _, u)| u).collect(),
            scps,
            rcps,
        })
    }

    /// The optional organization `id`: "o-" followed by from 10 to 32 lowercase letters or
    /// digits (AWS Organizations API Reference, Organization, `Id`).
    fn organization_id(&mut self, object: &Object, path: &JsonPath) -> Option<String> {
        let value = object.get("id")?;
        let id = value.expect_str(&path.key("id"), &mut self.report)?;
        if crate::world::is_organization_id(id) {
            return Some(id.to_owned());
        }
        self.report
            .error(
                "invalid-organization-id",
                format!("`{id}` is not an organization id"),
                &path.key("id"),
                value.span,
            )
            .hint("an organization id is `o-` followed by 10 to 32 lowercase letters or digits, as `aws organizations describe-organization` prints it in `Organization.Id`");
        None
    }

    /// An organizational unit: `{"id": "ou-...", "name", "parent"?: "root" or an OU id,
    /// "accounts"?: [account ids]}`.
    fn org_unit(&mut self, item: &Value, path: &JsonPath) -> Option<OrgUnitEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(ORG_UNIT, "field", path, &mut self.report);
        let id_value = object.required("id", item.span, path, &mut self.report)?;
        let id = id_value
            .expect_str(&path.key("id"), &mut self.report)?
            .to_owned();
        if !crate::world::is_unit_id(&id) {
            self.report
                .error(
                    "invalid-unit",
                    format!("`{id}` is not an organizational unit id"),
                    &path.key("id"),
                    id_value.span,
                )
                .hint("OU ids start with `ou-`, as `aws organizations list-organizational-units-for-parent` prints them");
            return None;
        }
        let name = object
            .optional_str("name", path, &mut self.report)
            .map_or_else(|| id.clone(), str::to_owned);
        let parent = object
            .optional_str("parent", path, &mut self.report)
            .unwrap_or("root")
            .to_owned();
        let mut accounts = Vec::new();
        if let Some(list) = self.list(object, "accounts", path) {
            for (i, value) in list.iter().enumerate() {
                if let Some(account) = self.account_id(value, &path.key("accounts").index(i)) {
                    accounts.push(account);
                }
            }
        }
        Some(OrgUnitEntry {
            id,
            name,
            parent,
            accounts,
        })
    }

    /// An RCP's `Allow` statement is an error: AWS accepts `Allow` only in the AWS managed
    /// `RCPFullAWSAccess`, which it attaches everywhere (AWS Organizations User Guide,
    /// orgs_manage_policies_rcps_syntax.html).
    fn refuse_rcp_allow(&mut self, document: &Value, text: &PolicyText, path: &JsonPath) {
        let Some(policy) = parse_policy(&text.text, PolicyKind::KeyPolicy).policy else {
            return;
        };
        let Some(index) = crate::world::rcp_allow_statement(&policy) else {
            return;
        };
        let statement = match document.as_object().and_then(|o| o.get("Statement")) {
            Some(list) => match list.as_array() {
                Some(items) => items.get(index),
                None => Some(list),
            },
            None => None,
        };
        let effect = statement
            .and_then(Value::as_object)
            .and_then(|o| o.get("Effect"));
        let (p, span) = match effect {
            Some(effect) => (
                path.key("Statement").index(index).key("Effect"),
                effect.span,
            ),
            None => (path.clone(), document.span),
        };
        self.report
            .error(
                "rcp-allow",
                format!(
                    "statement {index} of this RCP allows: AWS accepts `Allow` only in the AWS managed RCPFullAWSAccess"
                ),
                &p,
                span,
            )
            .hint("RCPFullAWSAccess is attached to the root, every OU and every account and cannot be detached: leave it out, and write custom RCPs with `Deny` statements");
    }

    fn org_policy(
        &mut self,
        item: &Value,
        path: &JsonPath,
        kind: PolicyKind,
        units: &[String],
        members: &[String],
    ) -> Option<OrgPolicyEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(ORG_POLICY, "field", path, &mut self.report);
        let name = self.name(object, item.span, path)?;
        let id = object
            .optional_str("id", path, &mut self.report)
            .map(str::to_owned);
        let document_value = object.required("document", item.span, path, &mut self.report)?;
        let document = self.policy_text(document_value, &path.key("document"), kind)?;
        if kind == PolicyKind::KeyPolicy {
            self.refuse_rcp_allow(document_value, &document, &path.key("document"));
        }
        let mut targets = Vec::new();
        if let Some(list) = self.list(object, "targets", path) {
            for (i, value) in list.iter().enumerate() {
                let p = path.key("targets").index(i);
                let Some(target) = value.expect_str(&p, &mut self.report) else {
                    continue;
                };
                let account = target.len() == 12 && target.bytes().all(|b| b.is_ascii_digit());
                let unit = units.iter().any(|u| u == target);
                if account && !members.iter().any(|m| m == target) {
                    self.report
                        .error(
                            "not-a-member",
                            format!("account `{target}` is not a member of the organization"),
                            &p,
                            value.span,
                        )
                        .hint("a policy attaches to the root, an OU or a member account: list the account in `organization.accounts` (directly under the root) or in an OU's `accounts`");
                } else if account || unit || crate::world::is_root_target(target) {
                    targets.push(target.to_owned());
                } else if crate::world::is_unit_id(target) {
                    self.report
                        .error(
                            "unknown-unit",
                            format!("OU `{target}` is not listed in the organization's `units`"),
                            &p,
                            value.span,
                        )
                        .hint("add the OU, with its parent and accounts, to `organization.units`");
                } else {
                    self.report
                        .error(
                            "invalid-target",
                            format!(
                                "`{target}` is neither an account id, an OU nor the organization's root"
                            ),
                            &p,
                            value.span,
                        )
                        .hint("use a 12-digit account id, an OU id from `units`, or `root` for every member account");
                }
            }
        }
        Some(OrgPolicyEntry {
            name,
            id,
            document,
            targets,
        })
    }

    /// Every assumed-role session needs its role in the same file.
    fn check_roles(&mut self, scenario: &Scenario, object: &Object, path: &JsonPath) {
        let Some(list) = object.get("principals").and_then(Value::as_array) else {
            return;
        };
        for p in &scenario.principals {
            if let PrincipalRole::AssumedRole { role } = &p.role {
                let role_arn = format!("arn:aws:iam::{}:role/{role}", p.account);
                let declared = scenario.principals.iter().any(|q| {
                    q.account == p.account
                        && matches!(q.role, PrincipalRole::Role)
                        && q.arn.as_str().rsplit('/').next() == Some(role.as_str())
                });
                if !declared {
                    let i = list.iter().position(|v| v.span == p.span).unwrap_or(0);
                    self.report
                        .error(
                            "unknown-role",
                            format!("the session `{}` needs its role `{role_arn}` declared in this file", p.arn),
                            &path.key("principals").index(i).key("arn"),
                            p.span,
                        )
                        .hint("the session has the identity policies of its role");
                }
            }
        }
    }

    /// A multi-Region replica key's `replica_of`, once every key is read (so the primary may
    /// be declared after it): the primary must be a multi-Region primary key (an `mrk-` id, not
    /// itself a replica) of the scenario's account, in another Region than the replica, with
    /// no other key of its set in that Region (KMS API Reference, ReplicateKey). The replica
    /// takes the primary's key id, spec and origin.
    fn replica(
        &mut self,
        scenario: &mut Scenario,
        index: usize,
        name: &str,
        span: Span,
        path: &JsonPath,
    ) {
        let Some(primary) = scenario.keys.iter().position(|k| k.name == name) else {
            self.report
                .error(
                    "unknown-key",
                    format!("no key named `{name}` is declared"),
                    path,
                    span,
                )
                .hint("`replica_of` names the multi-Region primary key this key is a replica of");
            return;
        };
        let (Some(p), Some(r)) = (scenario.keys.get(primary), scenario.keys.get(index)) else {
            return;
        };
        let problem = if p.replica_of.is_some() || primary == index {
            Some(format!(
                "`{name}` is a replica itself: a replica is made from the primary key"
            ))
        } else if !p.id.starts_with("mrk-") {
            Some(format!(
                "`{name}` is not a multi-Region key: only a key with an `mrk-` id can have replicas"
            ))
        } else if p.account != scenario.account {
            Some(format!(
                "`{name}` is in account {}: a replica is declared in the scenario's account, with its primary",
                p.account
            ))
        } else if p.region == r.region {
            Some(format!(
                "`{name}` is in {} too: a replica must be in another Region than its primary key",
                r.region
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.error("invalid-replica", problem, path, span);
            return;
        }
        let (id, spec, origin) = (p.id.clone(), p.spec, p.origin);
        let arn = format!("arn:aws:kms:{}:{}:key/{id}", r.region, r.account);
        if scenario.keys.iter().any(|k| k.arn == arn) {
            self.error(
                "duplicate-key",
                format!("`{name}` already has a key of its set in {}", r.region),
                path,
                span,
            );
            return;
        }
        if let Some(r) = scenario.keys.get_mut(index) {
            r.id = id;
            r.arn = arn;
            r.spec = spec;
            r.origin = origin;
            r.replica_of = Some(primary);
        }
    }

    /// A key entry, and for a replica the primary key's name in `replica_of` with its span.
    fn key(
        &mut self,
        item: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<(KeyEntry, Option<(String, Span)>)> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(KEY, "field", path, &mut self.report);
        let name = self.name(object, item.span, path)?;
        let replica_of = match object.get("replica_of") {
            Some(v) => {
                let primary = v.expect_str(&path.key("replica_of"), &mut self.report)?;
                for field in ["id", "arn", "origin", "key_spec", "key_usage"] {
                    if let Some(clash) = object.get(field) {
                        self.error(
                            "replica-field",
                            format!(
                                "a replica key has its primary key's {field}: leave `{field}` out"
                            ),
                            &path.key(field),
                            clash.span,
                        );
                    }
                }
                Some((primary.to_owned(), v.span))
            }
            None => None,
        };
        if scenario.keys.iter().any(|k| k.name == name) {
            self.error(
                "duplicate-name",
                format!("a key named `{name}` is already declared"),
                &path.key("name"),
                object.get("name").map_or(item.span, |v| v.span),
            );
        }
        let (account, region, id) = if let Some(arn_value) = object.get("arn") {
            for clash in ["id", "region"] {
                if let Some(v) = object.get(clash) {
                    self.error(
                        "arn-and-id",
                        format!("give either `arn` or `{clash}`, not both: the ARN already holds the key's {clash}"),
                        &path.key(clash),
                        v.span,
                    );
                }
            }
            let arn = arn_value.expect_str(&path.key("arn"), &mut self.report)?;
            match parse_key_arn(arn) {
                Some(parts) => parts,
                None => {
                    self.report
                        .error(
                            "invalid-key-arn",
                            format!("`{arn}` is not a key ARN"),
                            &path.key("arn"),
                            arn_value.span,
                        )
                        .hint("a key ARN looks like `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`");
                    return None;
                }
            }
        } else {
            let region = match object.get("region") {
                Some(v) => self.region(v, &path.key("region"))?,
                None => scenario.region.clone(),
            };
            let id = match object.get("id") {
                Some(v) => {
                    let id = v.expect_str(&path.key("id"), &mut self.report)?;
                    if !is_key_id(id) {
                        self.report
                            .error(
                                "invalid-key-id",
                                format!("`{id}` is not a key id"),
                                &path.key("id"),
                                v.span,
                            )
                            .hint(
                                "a key id is a UUID such as `1234abcd-12ab-34cd-56ef-1234567890ab`",
                            );
                        return None;
                    }
                    id.to_owned()
                }
                None => derived_key_id(&scenario.account, &region, &name),
            };
            (scenario.account.clone(), region, id)
        };
        let arn = format!("arn:aws:kms:{region}:{account}:key/{id}");
        if scenario.keys.iter().any(|k| k.arn == arn) {
            self.error(
                "duplicate-key",
                format!("another key already has the ARN `{arn}`"),
                path,
                item.span,
            );
        }
        let mut aliases = Vec::new();
        if let Some(list) = self.list(object, "aliases", path) {
            for (i, v) in list.iter().enumerate() {
                let p = path.key("aliases").index(i);
                let Some(alias) = v.expect_str(&p, &mut self.report) else {
                    continue;
                };
                if let Some(problem) = alias_problem(alias) {
                    self.error("invalid-alias", problem, &p, v.span);
                    continue;
                }
                let taken = scenario.keys.iter().any(|k| {
                    k.account == account
                        && k.region == region
                        && k.aliases.iter().any(|a| a == alias)
                }) || aliases.iter().any(|a: &String| a == alias);
                if taken {
                    self.error(
                        "duplicate-alias",
                        format!("the alias `{alias}` already names another key in {account} {region} (aliases are unique per account and Region)"),
                        &p,
                        v.span,
                    );
                    continue;
                }
                aliases.push(alias.to_owned());
            }
        }
        let description = object
            .optional_str("description", path, &mut self.report)
            .unwrap_or_default()
            .to_owned();
        let state = self
            .choice(object, "state", KEY_STATES, path)
            .unwrap_or("Enabled");
        let origin = self
            .choice(object, "origin", KEY_ORIGINS, path)
            .unwrap_or("AWS_KMS");
        let spec = self.key_spec(object, path);
        let tags = self.tags(object, path);
        let policy = match object.get("policy") {
            Some(v) => Some(self.policy_text(v, &path.key("policy"), PolicyKind::KeyPolicy)?),
            None => None,
        };
        Some((
            KeyEntry {
                name,
                id,
                arn,
                account,
                region,
                aliases,
                description,
                state,
                origin,
                spec,
                tags,
                policy,
                replica_of: None,
                span: item.span,
            },
            replica_of,
        ))
    }

    /// A key's `key_spec` and `key_usage`: names from the key-spec table (KMS API Reference,
    /// CreateKey: `KeyUsage`, which must be one the spec allows); any spec may be `EXTERNAL`.
    fn key_spec(&mut self, object: &Object, path: &JsonPath) -> KeySpec {
        let names: Vec<&'static str> = crate::catalog::key_spec_names();
        let spec = match object.get("key_spec") {
            None => KeySpec::SymmetricDefault,
            Some(value) => {
                let p = path.key("key_spec");
                let Some(text) = value.expect_str(&p, &mut self.report) else {
                    return KeySpec::SymmetricDefault;
                };
                match KeySpec::from_name(text) {
                    Some(spec) => spec,
                    None => {
                        let hint =
                            match crate::diagnostics::did_you_mean(text, names.iter().copied()) {
                                Some(s) => format!(
                                    "did you mean `{s}`? Valid key specs: {}",
                                    json::quote_list(&names)
                                ),
                                None => format!("expected one of {}", json::quote_list(&names)),
                            };
                        self.report
                            .error(
                                "invalid-value",
                                format!("`{text}` is not a valid key_spec"),
                                &p,
                                value.span,
                            )
                            .hint(hint);
                        return KeySpec::SymmetricDefault;
                    }
                }
            }
        };
        let mut spec = spec;
        let row = spec.row();
        if let Some(usage) = self.choice(object, "key_usage", KEY_USAGES, path) {
            if let Some(with_usage) = spec.with_usage(usage) {
                // A spec with several usages (RSA) has a row per usage.
                spec = with_usage;
            } else {
                let value = object.get("key_usage").map_or(Span::default(), |v| v.span);
                self.report
                    .error(
                        "incompatible-key-usage",
                        format!(
                            "key usage {usage} is not compatible with key spec {}",
                            row.name
                        ),
                        &path.key("key_usage"),
                        value,
                    )
                    .hint(format!(
                        "a {} key has key usage {}",
                        row.name,
                        spec.usage_names().join(" or ")
                    ));
            }
        }
        spec
    }

    fn choice(
        &mut self,
        object: &Object,
        key: &str,
        choices: &'static [&'static str],
        path: &JsonPath,
    ) -> Option<&'static str> {
        let value = object.get(key)?;
        let text = value.expect_str(&path.key(key), &mut self.report)?;
        match choices.iter().find(|c| **c == text) {
            Some(c) => Some(c),
            None => {
                let hint = match crate::diagnostics::did_you_mean(text, choices.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of {}", json::quote_list(choices)),
                };
                self.report
                    .error(
                        "invalid-value",
                        format!("`{text}` is not a valid {key}"),
                        &path.key(key),
                        value.span,
                    )
                    .hint(hint);
                None
            }
        }
    }

    /// The principal a name or ARN refers to ([`Scenario::principal_index`], indexed).
    fn principal_index(&self, reference: &str, scenario: &Scenario) -> Option<usize> {
        match &self.references {
            Some(references) => references.principal(reference),
            None => scenario.principal_index(reference),
        }
    }

    /// The key a name, ARN, alias or alias ARN refers to ([`Scenario::key_index`], indexed).
    fn key_index(&self, reference: &str, scenario: &Scenario) -> Option<usize> {
        match &self.references {
            Some(references) => references.key(reference),
            None => scenario.key_index(reference),
        }
    }

    /// A reference to a declared principal: its name or ARN.
    fn principal_ref(
        &mut self,
        value: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<usize> {
        let text = value.expect_str(path, &mut self.report)?;
        if let Some(i) = self.principal_index(text, scenario) {
            return Some(i);
        }
        let names: Vec<&str> = scenario
            .principals
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let hint = match crate::diagnostics::did_you_mean(text, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => "declare it under `principals`".to_owned(),
            None => format!("declared principals: {}", json::quote_list(&names)),
        };
        self.report
            .error(
                "unknown-principal",
                format!("no principal named `{text}` is declared"),
                path,
                value.span,
            )
            .hint(hint);
        None
    }

    /// A principal for a grant: a declared one (by name or ARN), or any principal ARN.
    fn grant_principal(
        &mut self,
        value: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<String> {
        let text = value.expect_str(path, &mut self.report)?;
        if let Some(i) = self.principal_index(text, scenario) {
            return scenario.principals.get(i).map(|p| p.arn.to_string());
        }
        if PrincipalArn::parse(text).is_ok() {
            return Some(text.to_owned());
        }
        self.principal_ref(value, path, scenario)
            .and_then(|i| scenario.principals.get(i).map(|p| p.arn.to_string()))
    }

    fn key_ref(&mut self, value: &Value, path: &JsonPath, scenario: &Scenario) -> Option<usize> {
        let text = value.expect_str(path, &mut self.report)?;
        if let Some(i) = self.key_index(text, scenario) {
            return Some(i);
        }
        let names: Vec<&str> = scenario.keys.iter().map(|k| k.name.as_str()).collect();
        let hint = match crate::diagnostics::did_you_mean(text, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => "declare it under `keys`".to_owned(),
            None => format!(
                "declared keys: {} (a key may also be named by its ARN, an alias or an alias ARN)",
                json::quote_list(&names)
            ),
        };
        self.report
            .error(
                "unknown-key",
                format!("no key named `{text}` is declared"),
                path,
                value.span,
            )
            .hint(hint);
        None
    }

    fn grant(&mut self, item: &Value, path: &JsonPath, scenario: &Scenario) -> Option<GrantEntry> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(GRANT, "field", path, &mut self.report);
        let key_value = object.required("key", item.span, path, &mut self.report);
        let grantee_value = object.required("grantee", item.span, path, &mut self.report);
        let ops_value = object.required("operations", item.span, path, &mut self.report);
        let key = key_value.and_then(|v| self.key_ref(v, &path.key("key"), scenario));
        let grantee =
            grantee_value.and_then(|v| self.grant_principal(v, &path.key("grantee"), scenario));
        let retiring = match object.get("retiring_principal") {
            Some(v) => Some(self.grant_principal(v, &path.key("retiring_principal"), scenario)?),
            None => None,
        };
        let mut operations = Vec::new();
        if let Some(list) =
            ops_value.and_then(|v| v.expect_array(&path.key("operations"), &mut self.report))
        {
            if list.is_empty() {
                self.error(
                    "empty-operations",
                    "a grant needs at least one operation".to_owned(),
                    &path.key("operations"),
                    ops_value.map_or(item.span, |v| v.span),
                );
            }
            for (i, v) in list.iter().enumerate() {
                let p = path.key("operations").index(i);
                let Some(op) = v.expect_str(&p, &mut self.report) else {
                    continue;
                };
                let grant_operations = grant_operation_names();
                match grant_operations.iter().find(|o| **o == op) {
                    Some(o) => operations.push((*o).to_owned()),
                    None => {
                        let hint = match crate::diagnostics::did_you_mean(
                            op,
                            grant_operations.iter().copied(),
                        ) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!(
                                "grant operations are {}",
                                json::quote_list(&grant_operations)
                            ),
                        };
                        self.report
                            .error(
                                "invalid-grant-operation",
                                format!("`{op}` is not a grant operation"),
                                &p,
                                v.span,
                            )
                            .hint(hint);
                    }
                }
            }
        }
        let constraints = match object.get("constraints") {
            Some(v) => self.constraints(v, &path.key("constraints")),
            None => Vec::new(),
        };
        let name = match object.get("name") {
            Some(v) => {
                let n = v.expect_str(&path.key("name"), &mut self.report)?;
                let valid = !n.is_empty()
                    && n.len() <= 256
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'));
                if !valid {
                    self.error(
                        "invalid-grant-name",
                        format!("`{n}` is not a valid grant name (1 to 256 of `a-z`, `A-Z`, `0-9`, `:`, `/`, `_`, `-`)"),
                        &path.key("name"),
                        v.span,
                    );
                }
                Some(n.to_owned())
            }
            None => None,
        };
        Some(GrantEntry {
            key: key?,
            grantee: grantee?,
            operations,
            constraints,
            retiring_principal: retiring,
            name,
            span: item.span,
        })
    }

    fn constraints(&mut self, value: &Value, path: &JsonPath) -> Vec<Constraint> {
        let Some(object) = value.expect_object(path, &mut self.report) else {
            return Vec::new();
        };
        object.reject_unknown(CONSTRAINTS, "constraint", path, &mut self.report);
        let mut out = Vec::new();
        for (key, kind) in [
            ("EncryptionContextSubset", ConstraintKind::Subset),
            ("EncryptionContextEquals", ConstraintKind::Equals),
        ] {
            if let Some(v) = object.get(key) {
                out.push(Constraint {
                    kind,
                    pairs: self.string_map(v, &path.key(key)),
                });
            }
        }
        out
    }

    fn action(&mut self, value: &Value, path: &JsonPath) -> Option<String> {
        let action = value.expect_str(path, &mut self.report)?;
        let prefixed = action.len() > 4
            && action
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("kms:"));
        if let Some(known) = crate::catalog::action(action).filter(|_| prefixed) {
            if crate::catalog::Action::from_name(known.action).is_some() {
                return Some(known.action.to_owned());
            }
            // A real permission whose operation the playground does not perform (custom key
            // stores, KMS's own multi-Region synchronisation): a decision about it would be made up.
            self.report
                .error(
                    "unmodelled-action",
                    format!(
                        "`{}` is a KMS permission, but KMS Playground does not model its operation",
                        known.action
                    ),
                    path,
                    value.span,
                )
                .hint(
                    "ask about an operation on a key, such as `kms:Decrypt` or `kms:DescribeKey`",
                );
            return None;
        }
        let hint = match crate::catalog::suggest_action(action) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "actions look like `kms:Encrypt`".to_owned(),
        };
        self.report
            .error(
                "invalid-action",
                format!("`{action}` is not a KMS action"),
                path,
                value.span,
            )
            .hint(hint);
        None
    }

    fn expectation(
        &mut self,
        item: &Value,
        path: &JsonPath,
        scenario: &Scenario,
    ) -> Option<Expectation> {
        let object = item.expect_object(path, &mut self.report)?;
        object.reject_unknown(EXPECT, "field", path, &mut self.report);
        let principal = object
            .required("principal", item.span, path, &mut self.report)
            .and_then(|v| self.principal_ref(v, &path.key("principal"), scenario));
        let key_value = object.required("key", item.span, path, &mut self.report);
        let key = key_value.and_then(|v| self.key_ref(v, &path.key("key"), scenario));
        let request_alias = key_value
            .and_then(|v| v.scalar_text())
            .and_then(crate::store::KeyRef::alias_name_in);
        let action = object
            .required("action", item.span, path, &mut self.report)
            .and_then(|v| self.action(v, &path.key("action")));
        let decision = object
            .required("decision", item.span, path, &mut self.report)
            .and_then(|v| {
                let p = path.key("decision");
                let text = v.expect_str(&p, &mut self.report)?;
                match text {
                    "allow" => Some(Decision::Allow),
                    "explicit-deny" => Some(Decision::ExplicitDeny),
                    "implicit-deny" => Some(Decision::ImplicitDeny),
                    _ => {
                        self.report
                            .error(
                                "invalid-value",
                                format!("`{text}` is not a decision"),
                                &p,
                                v.span,
                            )
                            .hint("expected `allow`, `explicit-deny` or `implicit-deny`");
                        None
                    }
                }
            });
        let mut context = Vec::new();
        if let Some(v) = object.get("context") {
            let p = path.key("context");
            if let Some(map) = v.expect_object(&p, &mut self.report) {
                for member in &map.members {
                    let mp = p.key(&member.key);
                    match &member.value.kind {
                        ValueKind::Array(items) => {
                            let mut values = Vec::new();
                            for (i, item) in items.iter().enumerate() {
                                if let Some(s) = item.scalar_text() {
                                    values.push(s.to_owned());
                                } else {
                                    item.wrong_type("a string", &mp.index(i), &mut self.report);
                                }
                            }
                            context.push((member.key.clone(), ContextValue::Multi(values)));
                        }
                        _ => match member.value.scalar_text() {
                            Some(s) => context
                                .push((member.key.clone(), ContextValue::Single(s.to_owned()))),
                            None => member.value.wrong_type(
                                "a string or a list of strings",
                                &mp,
                                &mut self.report,
                            ),
                        },
                    }
                }
            }
        }
        let mut grant_tokens = Vec::new();
        if let Some(list) = self.list(object, "grant_tokens", path) {
            for (i, v) in list.iter().enumerate() {
                if let Some(t) = v.expect_str(&path.key("grant_tokens").index(i), &mut self.report)
                {
                    grant_tokens.push(t.to_owned());
                }
            }
        }
        Some(Expectation {
            principal: principal?,
            key: key?,
            action: action?,
            context,
            grant_tokens,
            request_alias,
            decision: decision?,
            path: path.to_string(),
            span: item.span,
        })
    }
}

/// A diagnostic about a policy's own text, moved to where the policy starts in the scenario file
/// and given the scenario path.
fn relocate(d: &Diagnostic, start: u32, index: &LineIndex, path: &JsonPath) -> Diagnostic {
    let span = Span {
        start: d.span.start.saturating_add(start),
        end: d.span.end.saturating_add(start),
    };
    let inner = if d.path.is_empty() {
        path.to_string()
    } else {
        format!("{path}.{}", d.path)
    };
    let mut moved = Diagnostic::new(index, d.severity, d.code, d.message.clone(), inner, span);
    moved.hint = d.hint.clone();
    moved.kms_exception = d.kms_exception;
    moved
}

/// The account and kind of a principal ARN, or `None` if it is not one a scenario can declare
/// ([`PrincipalArn::parse`]).
pub fn parse_principal_arn(arn: &str) -> Option<(String, PrincipalRole)> {
    let arn = PrincipalArn::parse(arn).ok()?;
    Some((arn.account().to_owned(), PrincipalRole::of(&arn)))
}

/// The IAM path and name of a user or role ARN: `("/service-role/", "lambda-exec")` for
/// `arn:aws:iam::111122223333:role/service-role/lambda-exec`, `("/", "Alice")` without a path.
pub fn principal_path_and_name(arn: &str) -> (String, &str) {
    let resource = arn.rsplit(':').next().unwrap_or(arn);
    let rest = resource.split_once('/').map_or("", |(_, rest)| rest);
    match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), rest),
    }
}

/// `(account, region, id)` of a key ARN.
pub fn parse_key_arn(arn: &str) -> Option<(String, String, String)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some("aws"), Some("kms"), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let id = resource.strip_prefix("key/")?;
    let valid = !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && is_key_id(id);
    valid.then(|| (account.to_owned(), region.to_owned(), id.to_owned()))
}

/// Whether `id` is shaped like a KMS key id: a UUID, or `mrk-` and 32 hex digits (KMS Developer
/// Guide, concepts.html#key-id).
pub fn is_key_id(id: &str) -> bool {
    if let Some(hex) = id.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What is wrong with an alias name, if anything (KMS API Reference, CreateAlias).
pub fn alias_problem(alias: &str) -> Option<String> {
    let Some(rest) = alias.strip_prefix("alias/") else {
        return Some(format!("`{alias}` must start with `alias/`"));
    };
    if rest.is_empty() {
        return Some("an alias needs a name after `alias/`".to_owned());
    }
    if alias.starts_with("alias/aws/") {
        return Some(format!(
            "`{alias}`: names starting with `alias/aws/` are reserved for AWS managed keys"
        ));
    }
    if alias.len() > 256
        || !alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Some(format!(
            "`{alias}` may use only `a-z`, `A-Z`, `0-9`, `:`, `/`, `_` and `-` (at most 256 characters)"
        ));
    }
    None
}

/// A scenario's principals and keys by every name a reference may use, built once: the same
/// answers as [`Scenario::principal_index`] and [`Scenario::key_index`] (the first declared
/// wins, names before ARNs before aliases) without a scan per reference.
struct References {
    principal_names: HashMap<String, usize>,
    principal_arns: HashMap<String, usize>,
    key_names: HashMap<String, usize>,
    key_arns: HashMap<String, usize>,
    /// Alias names of keys in the scenario's own account and Region.
    home_aliases: HashMap<String, usize>,
    /// Alias names of any key.
    aliases: HashMap<String, usize>,
    /// `REGION:ACCOUNT:alias/NAME` of any key.
    alias_arns: HashMap<String, usize>,
}

impl References {
    fn new(scenario: &Scenario) -> References {
        let first = |map: &mut HashMap<String, usize>, name: &str, i: usize| {
            map.entry(name.to_owned()).or_insert(i);
        };
        let mut r = References {
            principal_names: HashMap::new(),
            principal_arns: HashMap::new(),
            key_names: HashMap::new(),
            key_arns: HashMap::new(),
            home_aliases: HashMap::new(),
            aliases: HashMap::new(),
            alias_arns: HashMap::new(),
        };
        for (i, p) in scenario.principals.iter().enumerate() {
            first(&mut r.principal_names, &p.name, i);
            first(&mut r.principal_arns, p.arn.as_str(), i);
        }
        for (i, k) in scenario.keys.iter().enumerate() {
            first(&mut r.key_names, &k.name, i);
            first(&mut r.key_arns, &k.arn, i);
            let home = k.account == scenario.account && k.region == scenario.region;
            for alias in &k.aliases {
                if home {
                    first(&mut r.home_aliases, alias, i);
                }
                first(&mut r.aliases, alias, i);
                first(
                    &mut r.alias_arns,
                    &format!("{}:{}:{alias}", k.region, k.account),
                    i,
                );
            }
        }
        r
    }

    fn principal(&self, reference: &str) -> Option<usize> {
        self.principal_names
            .get(reference)
            .or_else(|| self.principal_arns.get(reference))
            .copied()
    }

    fn key(&self, reference: &str) -> Option<usize> {
        if let Some(&i) = self
            .key_names
            .get(reference)
            .or_else(|| self.key_arns.get(reference))
        {
            return Some(i);
        }
        if reference.starts_with("alias/") {
            return self
                .home_aliases
                .get(reference)
                .or_else(|| self.aliases.get(reference))
                .copied();
        }
        let (region, account, alias) = super::alias_arn_parts(reference)?;
        self.alias_arns
            .get(&format!("{region}:{account}:{alias}"))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys in two accounts and two Regions sharing alias names, principals and keys named
    /// alike: every way a reference can be written resolves through the index exactly as by
    /// the scans of `principal_index` and `key_index`.
    #[test]
    fn the_reference_index_answers_as_the_scans_do() {
        let text = r#"{
          "principals": [
            {"name": "Alice"},
            {"name": "Bob", "arn": "arn:aws:iam::111122223333:role/Bob"},
            {"name": "arn:aws:iam::111122223333:user/Alice", "arn": "arn:aws:iam::444455556666:user/Carol"}
          ],
          "keys": [
            {"name": "A", "aliases": ["alias/shared", "alias/a"]},
            {"name": "B", "arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "aliases": ["alias/shared", "alias/b"]},
            {"name": "C", "arn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ac", "aliases": ["alias/other"]}
          ]
        }"#;
        let scenario = read(text).unwrap();
        let mut generated = super::super::generate(12, 6, 3);
        generated.keys.reverse();
        for scenario in [scenario, generated] {
            let index = References::new(&scenario);
            let mut references: Vec<String> = ["", "alias/", "alias/missing", "Nobody"]
                .map(str::to_owned)
                .to_vec();
            for p in &scenario.principals {
                references.extend([p.name.clone(), p.arn.to_string()]);
            }
            for k in &scenario.keys {
                references.extend([k.name.clone(), k.arn.clone(), k.id.clone()]);
                for alias in &k.aliases {
                    references.push(alias.clone());
                    for (region, account) in [
                        (k.region.as_str(), k.account.as_str()),
                        ("us-east-1", "111122223333"),
                        ("us-east-1", "444455556666"),
                    ] {
                        references.push(format!("arn:aws:kms:{region}:{account}:{alias}"));
                    }
                }
            }
            for r in &references {
                assert_eq!(index.principal(r), scenario.principal_index(r), "{r}");
                assert_eq!(index.key(r), scenario.key_index(r), "{r}");
            }
        }
    }

    /// A question about a permission whose operation the playground does not perform (custom key
    /// stores) cannot be answered honestly: it is refused where it is written, not decided as
    /// "implicit deny".
    #[test]
    fn an_expectation_about_an_unmodelled_permission_is_refused_where_it_is_written() {
        let text = r#"{"principals": [{"name": "Ann"}], "keys": [{"name": "K"}],
 "expect": [{"principal": "Ann", "key": "K", "action": "kms:CreateCustomKeyStore", "decision": "implicit-deny"}]}"#;
        let error = read(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("2:56: error:"), "{error}");
        assert!(error.contains("does not model its operation"), "{error}");
        assert!(read(&text.replace("kms:CreateCustomKeyStore", "kms:GetKeyLastUsage")).is_ok());
    }
}
