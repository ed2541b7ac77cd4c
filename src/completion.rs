//! What the editor offers to complete, by position in a policy (see
//! [`crate::editing::completion_context`]). Names come from the engine's catalog, so the editor
//! offers exactly what the engine understands.

use crate::editing::CompletionKind;
use kms_engine::policy::OperatorKind;

/// One completion item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The text inserted.
    pub label: &'static str,
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

/// Set-qualified and `IfExists` forms people reach for most with KMS condition keys.
const QUALIFIED_OPERATORS: [&str; 6] = [
    "ForAnyValue:StringEquals",
    "ForAllValues:StringEquals",
    "ForAnyValue:StringLike",
    "ForAllValues:StringLike",
    "StringEqualsIfExists",
    "StringLikeIfExists",
];

/// The candidates for a completion kind.
pub fn candidates(kind: CompletionKind) -> Vec<Candidate> {
    let plain = |label| Candidate { label, detail: "" };
    match kind {
        CompletionKind::Effect => vec![plain("Allow"), plain("Deny")],
        CompletionKind::StatementElement => STATEMENT_ELEMENTS.iter().copied().map(plain).collect(),
        CompletionKind::Operator => OperatorKind::ALL
            .iter()
            .map(|op| plain(op.name()))
            .chain(QUALIFIED_OPERATORS.iter().copied().map(plain))
            .collect(),
        CompletionKind::Action | CompletionKind::ConditionKey => Vec::new(),
    }
}
