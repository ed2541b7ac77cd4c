//! Every diagnostic for a scenario file: its errors, and the policy linter's warnings for each
//! policy in it, located in the file.

use super::{Scenario, ScenarioError, load};
use crate::diagnostics::{Diagnostic, LineIndex, Severity, Span};
use crate::entropy::{SeededRandomness, Timestamp};
use crate::json::{self, JsonPath, Value, ValueKind};
use crate::policy::lint::{check_policy, check_policy_value};
use crate::policy::parse::PolicyKind;

/// Errors first found by reading and building the scenario, or, when it has none, the warnings
/// the policy linter gives for each of its policies. In file order.
pub fn lint(text: &str) -> Vec<Diagnostic> {
    // Key material and time do not affect which problems a file has.
    let loaded = load(text, Timestamp(0), &mut SeededRandomness::new(0));
    let scenario = match loaded {
        Ok(l) => l.scenario,
        Err(ScenarioError { diagnostics }) => return diagnostics,
    };
    let index = LineIndex::new(text);
    let Some(root) = json::parse_indexed(text, &index).value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut policy = |span: Span, path: JsonPath, kind: PolicyKind, account: &str| {
        let Some(value) = find(&root, span) else {
            return;
        };
        let diagnostics = match &value.kind {
            ValueKind::String(s) => check_policy(s, kind, Some(account))
                .diagnostics
                .into_iter()
                .map(|d| {
                    let mut moved = Diagnostic::new(
                        &index,
                        d.severity,
                        d.code,
                        format!(
                            "{} (line {}, column {} of the policy in this string)",
                            d.message, d.start.line, d.start.column
                        ),
                        if d.path.is_empty() {
                            path.to_string()
                        } else {
                            format!("{path}.{}", d.path)
                        },
                        value.span,
                    );
                    moved.hint = d.hint;
                    moved
                })
                .collect(),
            _ => check_policy_value(value, kind, &path, &index, Some(account)).diagnostics,
        };
        out.extend(
            diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Warning),
        );
    };
    let Scenario {
        principals, keys, ..
    } = &scenario;
    for (i, p) in principals.iter().enumerate() {
        for (j, named) in p.policies.iter().enumerate() {
            let path = JsonPath::root()
                .key("principals")
                .index(i)
                .key("policies")
                .index(j)
                .key("document");
            policy(
                named.document.span,
                path,
                PolicyKind::IdentityPolicy,
                &p.account,
            );
        }
    }
    for (i, k) in keys.iter().enumerate() {
        if let Some(text) = &k.policy {
            let path = JsonPath::root().key("keys").index(i).key("policy");
            policy(text.span, path, PolicyKind::KeyPolicy, &k.account);
        }
    }
    crate::sort::sort_by_key(&mut out, |d| (d.start, d.span.end));
    out
}

/// The diagnostics of a policy document or a scenario file (`kmsplay lint`): a policy document has
/// a top-level `Statement`, anything else is read as a scenario. A policy
/// with a `Principal` anywhere is a key policy, otherwise an identity policy.
pub fn lint_document(text: &str) -> Vec<Diagnostic> {
    // The probe's parse is dropped before the real reading parses again: never both at once.
    let is_policy = {
        let document = json::parse(text);
        let object = document.value.as_ref().and_then(|v| v.as_object());
        object.is_some_and(|o| o.get("Statement").is_some())
    };
    if !is_policy {
        return lint(text);
    }
    let kind = if text.contains("\"Principal\"") || text.contains("\"NotPrincipal\"") {
        PolicyKind::KeyPolicy
    } else {
        PolicyKind::IdentityPolicy
    };
    check_policy(text, kind, None).diagnostics
}

/// The value at `span`, found by descending through the one child that contains it (children
/// are in file order, so a binary search picks it): the work per policy is the depth of the tree
/// times a logarithm, not the size of the whole file.
fn find(root: &Value, span: Span) -> Option<&Value> {
    let mut current = root;
    loop {
        if current.span == span {
            return Some(current);
        }
        if span.start < current.span.start || current.span.end < span.end {
            return None;
        }
        current = match &current.kind {
            ValueKind::Object(o) => {
                let i = o.members.partition_point(|m| m.value.span.end < span.end);
                &o.members.get(i)?.value
            }
            ValueKind::Array(items) => {
                let i = items.partition_point(|v| v.span.end < span.end);
                items.get(i)?
            }
            _ => return None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_of_policies_are_located_in_the_file() {
        let text = "{\"principals\": [{\"name\": \"A\", \"policies\": [{\"name\": \"p\", \"document\":\n {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Encrpyt\", \"Resource\": \"*\"}]}}]}]}";
        let all = lint(text);
        assert!(!all.is_empty());
        assert!(all.iter().all(|d| d.severity == Severity::Warning));
        let typo = all
            .iter()
            .find(|d| d.message.contains("kms:Encrpyt"))
            .expect("the unknown action is reported");
        assert_eq!(typo.start.line, 2);
        assert!(
            typo.path
                .starts_with("principals[0].policies[0].document.Statement[0]"),
            "{}",
            typo.path
        );
    }

    #[test]
    fn the_lecture_has_no_errors() {
        let diagnostics = lint(include_str!("../../../scenarios/lecture.json"));
        assert!(
            diagnostics.iter().all(|d| d.severity == Severity::Warning),
            "{diagnostics:#?}"
        );
    }

    #[test]
    fn errors_come_before_warnings() {
        let all = lint("{\"keys\": [{\"name\": 1}]}");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].severity, Severity::Error);
    }
}
