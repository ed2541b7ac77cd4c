//! What the editor offers to complete, by position in a policy (see
//! [`crate::editing::completion_context`]). Every name comes from the engine's catalog and parser,
//! so the editor offers exactly what the engine understands.

use crate::editing::CompletionKind;
use kms_engine::catalog::{ACTIONS, GLOBAL_CONDITION_KEYS, KMS_CONDITION_KEYS};
use kms_engine::policy::parse::operator_names;
use std::borrow::Cow;

/// One completion item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The text inserted.
    pub label: Cow<'static, str>,
    /// A short description shown beside it.
    pub detail: &'static str,
}

const STATEMENT_ELEMENTS: [&str; 9] = [
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

/// The candidates for a completion kind, in the order the catalog lists them.
pub fn candidates(kind: CompletionKind) -> Vec<Candidate> {
    let plain = |label: &'static str| Candidate {
        label: Cow::Borrowed(label),
        detail: "",
    };
    match kind {
        CompletionKind::Effect => vec![plain("Allow"), plain("Deny")],
        CompletionKind::StatementElement => STATEMENT_ELEMENTS.into_iter().map(plain).collect(),
        CompletionKind::Operator => operator_names()
            .into_iter()
            .map(|name| Candidate {
                label: Cow::Owned(name),
                detail: "",
            })
            .collect(),
        CompletionKind::Action => std::iter::once(plain("kms:*"))
            .chain(ACTIONS.iter().map(|a| Candidate {
                label: Cow::Borrowed(a.action),
                detail: a.group.label(),
            }))
            .collect(),
        CompletionKind::ConditionKey => KMS_CONDITION_KEYS
            .iter()
            .chain(GLOBAL_CONDITION_KEYS)
            .map(|k| Candidate {
                label: Cow::Borrowed(k.name),
                detail: k.summary,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_condition_keys_come_from_the_catalog() {
        let actions = candidates(CompletionKind::Action);
        assert!(actions.iter().any(|c| c.label == "kms:Encrypt"));
        assert!(
            actions
                .iter()
                .any(|c| c.label == "kms:CreateGrant" && c.detail == "grants")
        );
        let keys = candidates(CompletionKind::ConditionKey);
        assert!(keys.iter().any(|c| c.label == "kms:GrantIsForAWSResource"));
        assert!(keys.iter().any(|c| c.label == "kms:EncryptionContext:"));
        let operators = candidates(CompletionKind::Operator);
        assert!(
            operators
                .iter()
                .any(|c| c.label == "ForAnyValue:StringLikeIfExists")
        );
    }
}
