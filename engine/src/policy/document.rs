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

/// What an operator compares, which decides how its policy values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum OperatorFamily {
    /// `String*`: text, exactly, ignoring case, or with `*` and `?`.
    String,
    /// `Numeric*`: numbers.
    Numeric,
    /// `Date*`: ISO 8601 times or epoch seconds.
    Date,
    /// `Bool`: `true` or `false`.
    Bool,
    /// `BinaryEquals`: base64.
    Binary,
    /// `IpAddress`, `NotIpAddress`: addresses and CIDR ranges.
    IpAddress,
    /// `Arn*`: ARNs, segment by segment.
    Arn,
    /// `Null`: whether the key is present (`true` means absent).
    Null,
}

/// Declares [`OperatorKind`] from the one table of operators: name, family, whether it is
/// negated, whether its values may hold policy variables. A new operator is a row here and its
/// comparison in [`crate::policy::condition`].
macro_rules! operators {
    ($( $kind:ident => $family:ident, negated: $negated:literal, variables: $variables:literal; )*) => {
        /// The condition operators of the IAM User Guide
        /// (reference_policies_elements_condition_operators.html).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[allow(missing_docs, reason = "the variants are the operators' own names")]
        pub enum OperatorKind {
            $( $kind, )*
        }

        impl OperatorKind {
            /// Every operator, for lookups and completion.
            pub const ALL: &'static [OperatorKind] = &[ $( OperatorKind::$kind, )* ];

            /// The operator's name as written in documents.
            pub fn name(self) -> &'static str {
                match self {
                    $( OperatorKind::$kind => stringify!($kind), )*
                }
            }

            /// What the operator compares.
            pub fn family(self) -> OperatorFamily {
                match self {
                    $( OperatorKind::$kind => OperatorFamily::$family, )*
                }
            }

            /// Negated operators: with several values, none may match; a missing key makes them
            /// true.
            pub fn is_negated(self) -> bool {
                match self {
                    $( OperatorKind::$kind => $negated, )*
                }
            }

            /// Whether `${...}` in its values is a policy variable (IAM User Guide,
            /// reference_policies_variables.html: string, ARN and Bool operators) rather than text.
            pub fn takes_variables(self) -> bool {
                match self {
                    $( OperatorKind::$kind => $variables, )*
                }
            }
        }
    };
}

operators! {
    StringEquals => String, negated: false, variables: true;
    StringNotEquals => String, negated: true, variables: true;
    StringEqualsIgnoreCase => String, negated: false, variables: true;
    StringNotEqualsIgnoreCase => String, negated: true, variables: true;
    StringLike => String, negated: false, variables: true;
    StringNotLike => String, negated: true, variables: true;
    NumericEquals => Numeric, negated: false, variables: false;
    NumericNotEquals => Numeric, negated: true, variables: false;
    NumericLessThan => Numeric, negated: false, variables: false;
    NumericLessThanEquals => Numeric, negated: false, variables: false;
    NumericGreaterThan => Numeric, negated: false, variables: false;
    NumericGreaterThanEquals => Numeric, negated: false, variables: false;
    DateEquals => Date, negated: false, variables: false;
    DateNotEquals => Date, negated: true, variables: false;
    DateLessThan => Date, negated: false, variables: false;
    DateLessThanEquals => Date, negated: false, variables: false;
    DateGreaterThan => Date, negated: false, variables: false;
    DateGreaterThanEquals => Date, negated: false, variables: false;
    Bool => Bool, negated: false, variables: true;
    BinaryEquals => Binary, negated: false, variables: false;
    IpAddress => IpAddress, negated: false, variables: false;
    NotIpAddress => IpAddress, negated: true, variables: false;
    ArnEquals => Arn, negated: false, variables: true;
    ArnLike => Arn, negated: false, variables: true;
    ArnNotEquals => Arn, negated: true, variables: true;
    ArnNotLike => Arn, negated: true, variables: true;
    Null => Null, negated: false, variables: false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negated_operators_are_the_ones_named_not() {
        // IAM User Guide, reference_policies_elements_condition_operators.html: the negated
        // operators are the `...Not...` ones, whose several values are ANDed.
        for &kind in OperatorKind::ALL {
            assert_eq!(
                kind.is_negated(),
                kind.name().contains("Not"),
                "{}",
                kind.name()
            );
        }
    }

    #[test]
    fn each_operator_names_its_family() {
        for &kind in OperatorKind::ALL {
            let prefix = match kind.family() {
                OperatorFamily::String => "String",
                OperatorFamily::Numeric => "Numeric",
                OperatorFamily::Date => "Date",
                OperatorFamily::Bool => "Bool",
                OperatorFamily::Binary => "Binary",
                OperatorFamily::IpAddress => "IpAddress",
                OperatorFamily::Arn => "Arn",
                OperatorFamily::Null => "Null",
            };
            assert!(
                kind.name().trim_start_matches("Not").starts_with(prefix),
                "{}",
                kind.name()
            );
        }
    }
}
