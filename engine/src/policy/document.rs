//! The typed form of a policy document.
//!
//! Grammar: IAM User Guide, "Grammar of the IAM JSON policy language"
//! (reference_policies_grammar.html). Every element keeps the [`Span`] of its JSON text so that
//! diagnostics and the app's "show statement" can point at it.

use crate::diagnostics::Span;
use serde::Serialize;

/// A parsed policy document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    /// `Version`; a document without one is read with 2008-10-17 rules (policy variables are literal).
    pub version: PolicyVersion,
    /// Whether `Version` was written in the document (serialization keeps what the author wrote).
    pub version_written: bool,
    /// `Id`, if present.
    pub id: Option<String>,
    /// The statements, in document order. One statement written as an object is a list of one.
    pub statements: Vec<Statement>,
    /// Whether `Statement` was written as a single object rather than an array.
    pub single_statement: bool,
    /// The whole document.
    pub span: Span,
}

/// The policy language version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PolicyVersion {
    /// `2008-10-17`: no policy variables (`${...}` is literal text).
    V2008_10_17,
    /// `2012-10-17`: the current version.
    V2012_10_17,
}

impl PolicyVersion {
    /// The version string as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyVersion::V2008_10_17 => "2008-10-17",
            PolicyVersion::V2012_10_17 => "2012-10-17",
        }
    }
}

/// `Allow` or `Deny` (case-sensitive in documents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    /// Grants the matched requests unless something denies them.
    Allow,
    /// Denies the matched requests; nothing can override it.
    Deny,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    /// Position in the `Statement` list, from 0.
    pub index: usize,
    /// `Sid`, if present.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`; `None` in identity policies.
    pub principal: Option<PrincipalBlock>,
    /// `Action` or `NotAction`; `None` when missing (AWS accepts such a key-policy statement and
    /// ignores it).
    pub action: Option<ActionBlock>,
    /// `Resource` or `NotResource`; `None` when missing (accepted and ignored, as above).
    pub resource: Option<ResourceBlock>,
    /// The `Condition` block flattened: one entry per (operator, key). All must hold.
    pub conditions: Vec<Condition>,
    /// The whole statement object.
    pub span: Span,
}

impl Statement {
    /// A name for people: the Sid if there is one, else `Statement[i]`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => sid.clone(),
            _ => format!("Statement[{}]", self.index),
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrincipalBlock {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The principals listed.
    pub principals: PrincipalSet,
    /// The element's value.
    pub span: Span,
}

/// What a principal element names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum PrincipalSet {
    /// `"*"` or `{"AWS": "*"}`: everyone.
    Everyone,
    /// A list of specific principals.
    Specific(Vec<PrincipalEntry>),
}

/// One entry of a principal element.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub kind: PrincipalKey,
    /// The value as written.
    pub value: String,
    /// The value normalised for matching: a bare 12-digit account id becomes
    /// `arn:aws:iam::ACCOUNT:root`; everything else is kept as written.
    pub normalized: String,
    /// The string's span.
    pub span: Span,
}

/// The key inside a principal object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalKey {
    /// `"AWS"`: accounts, users, roles, sessions.
    Aws,
    /// `"Service"`: AWS service principals such as `ec2.amazonaws.com`.
    Service,
    /// `"Federated"`: identity providers.
    Federated,
    /// `"CanonicalUser"`: S3 canonical user ids.
    CanonicalUser,
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionBlock {
    /// True for `NotAction`.
    pub negated: bool,
    /// The patterns listed, such as `kms:Encrypt`, `kms:Get*`, `*`.
    pub patterns: Vec<Pattern>,
    /// The element's value.
    pub span: Span,
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceBlock {
    /// True for `NotResource`.
    pub negated: bool,
    /// The patterns listed, such as `*` or `arn:aws:kms:*:111122223333:key/*`.
    pub patterns: Vec<Pattern>,
    /// The element's value.
    pub span: Span,
}

/// A string pattern with `*` and `?` wildcards, as written in the document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pattern {
    /// The text as written.
    pub text: String,
    /// The string's span.
    pub span: Span,
}

/// One (operator, key) pair of a `Condition` block, with its values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    /// The operator with its modifiers.
    pub operator: ConditionOperator,
    /// The operator name as written, such as `ForAnyValue:StringLikeIfExists`.
    pub operator_text: String,
    /// The condition key as written, such as `kms:EncryptionContext:Dept`.
    pub key: String,
    /// The values; several values for one key are ORed (for negated operators: none may match).
    /// Booleans and numbers written unquoted are kept as their text.
    pub values: Vec<ConditionValue>,
    /// The operator's span (its JSON key).
    pub operator_span: Span,
    /// The condition key's span (its JSON key).
    pub key_span: Span,
}

/// A condition value as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConditionValue {
    /// The value as text (`true`, `42` and `"42"` all become their text).
    pub text: String,
    /// The value's span.
    pub span: Span,
}

/// A condition operator with its `IfExists` suffix and set qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ConditionOperator {
    /// The base operator.
    pub kind: OperatorKind,
    /// The `...IfExists` suffix: a missing key makes the condition true.
    pub if_exists: bool,
    /// `ForAllValues:` or `ForAnyValue:`, if present.
    pub qualifier: Option<SetQualifier>,
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SetQualifier {
    /// Every request value must match (true for an empty or missing set).
    ForAllValues,
    /// At least one request value must match (false for an empty or missing set).
    ForAnyValue,
}

/// The condition operators of the IAM User Guide
/// (reference_policies_elements_condition_operators.html).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[allow(missing_docs, reason = "the variants are the operators' own names")]
pub enum OperatorKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl OperatorKind {
    /// Every operator, for lookups and completion.
    pub const ALL: [OperatorKind; 27] = [
        OperatorKind::StringEquals,
        OperatorKind::StringNotEquals,
        OperatorKind::StringEqualsIgnoreCase,
        OperatorKind::StringNotEqualsIgnoreCase,
        OperatorKind::StringLike,
        OperatorKind::StringNotLike,
        OperatorKind::NumericEquals,
        OperatorKind::NumericNotEquals,
        OperatorKind::NumericLessThan,
        OperatorKind::NumericLessThanEquals,
        OperatorKind::NumericGreaterThan,
        OperatorKind::NumericGreaterThanEquals,
        OperatorKind::DateEquals,
        OperatorKind::DateNotEquals,
        OperatorKind::DateLessThan,
        OperatorKind::DateLessThanEquals,
        OperatorKind::DateGreaterThan,
        OperatorKind::DateGreaterThanEquals,
        OperatorKind::Bool,
        OperatorKind::BinaryEquals,
        OperatorKind::IpAddress,
        OperatorKind::NotIpAddress,
        OperatorKind::ArnEquals,
        OperatorKind::ArnLike,
        OperatorKind::ArnNotEquals,
        OperatorKind::ArnNotLike,
        OperatorKind::Null,
    ];

    /// The operator's name as written in documents.
    pub fn name(self) -> &'static str {
        match self {
            OperatorKind::StringEquals => "StringEquals",
            OperatorKind::StringNotEquals => "StringNotEquals",
            OperatorKind::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            OperatorKind::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            OperatorKind::StringLike => "StringLike",
            OperatorKind::StringNotLike => "StringNotLike",
            OperatorKind::NumericEquals => "NumericEquals",
            OperatorKind::NumericNotEquals => "NumericNotEquals",
            OperatorKind::NumericLessThan => "NumericLessThan",
            OperatorKind::NumericLessThanEquals => "NumericLessThanEquals",
            OperatorKind::NumericGreaterThan => "NumericGreaterThan",
            OperatorKind::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            OperatorKind::DateEquals => "DateEquals",
            OperatorKind::DateNotEquals => "DateNotEquals",
            OperatorKind::DateLessThan => "DateLessThan",
            OperatorKind::DateLessThanEquals => "DateLessThanEquals",
            OperatorKind::DateGreaterThan => "DateGreaterThan",
            OperatorKind::DateGreaterThanEquals => "DateGreaterThanEquals",
            OperatorKind::Bool => "Bool",
            OperatorKind::BinaryEquals => "BinaryEquals",
            OperatorKind::IpAddress => "IpAddress",
            OperatorKind::NotIpAddress => "NotIpAddress",
            OperatorKind::ArnEquals => "ArnEquals",
            OperatorKind::ArnLike => "ArnLike",
            OperatorKind::ArnNotEquals => "ArnNotEquals",
            OperatorKind::ArnNotLike => "ArnNotLike",
            OperatorKind::Null => "Null",
        }
    }

    /// Negated operators: with several values, none may match; a missing key makes them true.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            OperatorKind::StringNotEquals
                | OperatorKind::StringNotEqualsIgnoreCase
                | OperatorKind::StringNotLike
                | OperatorKind::NumericNotEquals
                | OperatorKind::DateNotEquals
                | OperatorKind::NotIpAddress
                | OperatorKind::ArnNotEquals
                | OperatorKind::ArnNotLike
        )
    }
}
