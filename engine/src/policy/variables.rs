//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, ...
//!
//! Source: IAM User Guide, reference_policies_variables.html. Variables may appear in `Resource`
//! values and in the values of string, ARN and Boolean conditions, and only in policies whose
//! `Version` is `2012-10-17`; in a `2008-10-17` policy (or one without `Version`) `${...}` is
//! literal text. A variable takes the value of the request key of the same name (names are
//! case-insensitive); a key that is missing or multivalued leaves the variable without a value,
//! and then the default (`${key, 'default'}`) is used if there is one, else the whole value
//! matches nothing. `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`.
//!
//! Substituted text is literal: a `*` that comes from a request value or from `${*}` never acts as
//! a wildcard, while the `*` and `?` written around the variables keep theirs. The result is
//! therefore a list of [`Token`]s rather than a string. A value without `${` is used as written
//! and nothing is allocated.

use crate::policy::condition::request_value;
use crate::policy::document::PolicyVersion;
use crate::policy::pattern::{self, CaseMode, PatternSource, Token};
use crate::request::Request;

/// A policy value after its variables are resolved against one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved<'p> {
    /// No variable to substitute: the value as written (wildcards active).
    AsWritten(&'p str),
    /// At least one variable was substituted.
    Substituted(Vec<Token>),
    /// A variable has no value in the request and no default; the value matches nothing.
    Unresolvable {
        /// The variable reference as written, such as `${aws:username}`.
        variable: &'p str,
    },
}

impl Resolved<'_> {
    /// Whether `value` matches this pattern with `*` and `?` as wildcards.
    pub fn glob(&self, value: &str, case: CaseMode) -> bool {
        match self {
            Resolved::AsWritten(text) => pattern::glob(*text, value, case),
            Resolved::Substituted(tokens) => pattern::glob(tokens.as_slice(), value, case),
            Resolved::Unresolvable { .. } => false,
        }
    }

    /// Whether `value` equals this text read literally.
    pub fn literal_equals(&self, value: &str, case: CaseMode) -> bool {
        match self {
            Resolved::AsWritten(text) => pattern::literal_equals(*text, value, case),
            Resolved::Substituted(tokens) => {
                pattern::literal_equals(tokens.as_slice(), value, case)
            }
            Resolved::Unresolvable { .. } => false,
        }
    }

    /// Whether the ARN `value` matches this ARN pattern ([`pattern::arn_matches`]).
    pub fn arn_matches(&self, value: &str) -> bool {
        match self {
            Resolved::AsWritten(text) => pattern::arn_matches(*text, value),
            Resolved::Substituted(tokens) => pattern::arn_matches(tokens.as_slice(), value),
            Resolved::Unresolvable { .. } => false,
        }
    }

    /// Whether the resource `value` matches this `Resource` pattern
    /// ([`pattern::resource_matches`]).
    pub fn resource_matches(&self, value: &str) -> bool {
        match self {
            Resolved::AsWritten(text) => pattern::resource_matches(*text, value),
            Resolved::Substituted(tokens) => pattern::resource_matches(tokens.as_slice(), value),
            Resolved::Unresolvable { .. } => false,
        }
    }

    /// The resolved text for people (`None` when unresolvable). Literal characters that came from
    /// `${*}` and friends are shown as plain characters.
    pub fn display(&self) -> Option<String> {
        match self {
            Resolved::AsWritten(text) => Some((*text).to_owned()),
            Resolved::Substituted(tokens) => Some(
                tokens
                    .iter()
                    .map(|t| match t {
                        Token::Char(c) => *c,
                        Token::Star => '*',
                        Token::Question => '?',
                    })
                    .collect(),
            ),
            Resolved::Unresolvable { .. } => None,
        }
    }
}

/// Whether `text` contains a policy variable reference that `version` would substitute.
pub fn has_variables(text: &str, version: PolicyVersion) -> bool {
    version == PolicyVersion::V2012_10_17 && text.contains("${")
}

/// Resolves the variables in `text` against `request`.
pub fn resolve<'p>(text: &'p str, version: PolicyVersion, request: &Request<'_>) -> Resolved<'p> {
    if !has_variables(text, version) {
        return Resolved::AsWritten(text);
    }
    let mut tokens = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, from_dollar) = rest.split_at(start);
        push_written(&mut tokens, before);
        let Some(end) = from_dollar.find('}') else {
            // An unterminated reference is plain text.
            push_written(&mut tokens, from_dollar);
            rest = "";
            break;
        };
        let (reference, after) = from_dollar.split_at(end + 1);
        let inner = reference
            .get(2..reference.len() - 1)
            .unwrap_or_default()
            .trim();
        match substitution(inner, request) {
            Substitution::Literal(c) => tokens.push(Token::Char(c)),
            Substitution::Value(value) => tokens.extend(value.chars().map(Token::Char)),
            Substitution::Default(default) => push_default(&mut tokens, default),
            Substitution::Malformed => push_written(&mut tokens, reference),
            Substitution::Missing => {
                return Resolved::Unresolvable {
                    variable: reference,
                };
            }
        }
        rest = after;
    }
    push_written(&mut tokens, rest);
    Resolved::Substituted(tokens)
}

enum Substitution<'a> {
    Literal(char),
    Value(&'a str),
    /// The quoted default text, with `''` standing for one quote.
    Default(&'a str),
    Missing,
    Malformed,
}

fn substitution<'a>(inner: &'a str, request: &Request<'a>) -> Substitution<'a> {
    match inner {
        "*" => return Substitution::Literal('*'),
        "?" => return Substitution::Literal('?'),
        "$" => return Substitution::Literal('$'),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            match default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
            {
                Some(quoted) => (key.trim(), Some(quoted)),
                None => return Substitution::Malformed,
            }
        }
        None => (inner, None),
    };
    if key.is_empty() {
        return Substitution::Malformed;
    }
    // Only single-valued keys can be variables (IAM User Guide,
    // reference_policies_condition-single-vs-multi-valued-context-keys.html).
    match (
        request_value(request, key).and_then(|v| v.single()),
        default,
    ) {
        (Some(value), _) => Substitution::Value(value),
        (None, Some(default)) => Substitution::Default(default),
        (None, None) => Substitution::Missing,
    }
}

fn push_written(tokens: &mut Vec<Token>, text: &str) {
    let mut rest = text;
    while let Some((token, next)) = rest.split_first_token() {
        tokens.push(token);
        rest = next;
    }
}

fn push_default(tokens: &mut Vec<Token>, default: &str) {
    let mut chars = default.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.peek() == Some(&'\'') {
            chars.next();
        }
        tokens.push(Token::Char(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextValue, PrincipalArn, PrincipalType, RequestPrincipal};

    fn with_request<R>(context: Context, f: impl FnOnce(&Request<'_>) -> R) -> R {
        let principal = RequestPrincipal {
            id: PrincipalArn::parse("arn:aws:iam::111122223333:user/alice")
                .unwrap()
                .into(),
            account: "111122223333".into(),
            kind: PrincipalType::User,
            role_arn: None,
        };
        let request = Request {
            principal: &principal,
            action: "kms:Encrypt",
            resource: "*",
            context: &context,
        };
        f(&request)
    }

    fn resolved_text(text: &str, context: Context) -> Option<String> {
        with_request(context, |r| {
            resolve(text, PolicyVersion::V2012_10_17, r).display()
        })
    }

    // IAM User Guide, reference_policies_variables.html: `${...}` is replaced by the request
    // key's value; key names are case-insensitive.
    #[test]
    fn substitutes_request_keys_case_insensitively() {
        let mut context = Context::new();
        context.set("aws:username", "alice");
        context.set("aws:PrincipalTag/team", "blue");
        assert_eq!(
            resolved_text("home/${aws:username}/*", context.clone()),
            Some("home/alice/*".into())
        );
        assert_eq!(
            resolved_text("${AWS:principaltag/TEAM}", context),
            Some("blue".into())
        );
    }

    // IAM User Guide, reference_policies_variables.html, "Specifying default values".
    #[test]
    fn default_values_apply_only_when_the_key_is_missing() {
        let mut context = Context::new();
        assert_eq!(
            resolved_text("${aws:PrincipalTag/team, 'none'}", context.clone()),
            Some("none".into())
        );
        assert_eq!(
            resolved_text("${aws:PrincipalTag/team,'it''s'}", context.clone()),
            Some("it's".into())
        );
        context.set("aws:PrincipalTag/team", "red");
        assert_eq!(
            resolved_text("${aws:PrincipalTag/team, 'none'}", context),
            Some("red".into())
        );
    }

    // IAM User Guide, reference_policies_variables.html: an unresolvable variable makes the value
    // match nothing; multivalued keys cannot be variables.
    #[test]
    fn missing_or_multivalued_keys_are_unresolvable() {
        let mut context = Context::new();
        context.insert(
            "kms:EncryptionContextKeys",
            ContextValue::Multi(vec!["a".into()]),
        );
        with_request(context, |r| {
            let missing = resolve("x/${aws:userid}", PolicyVersion::V2012_10_17, r);
            assert_eq!(
                missing,
                Resolved::Unresolvable {
                    variable: "${aws:userid}"
                }
            );
            assert!(!missing.glob("x/anything", CaseMode::Sensitive));
            assert!(!missing.glob("*", CaseMode::Sensitive));
            let multi = resolve(
                "${kms:EncryptionContextKeys}",
                PolicyVersion::V2012_10_17,
                r,
            );
            assert!(matches!(multi, Resolved::Unresolvable { .. }));
        });
    }

    // IAM User Guide, reference_policies_variables.html, "Special characters".
    #[test]
    fn escapes_are_literal_characters() {
        with_request(Context::new(), |r| {
            let resolved = resolve("a${*}b${?}${$}*", PolicyVersion::V2012_10_17, r);
            assert!(resolved.glob("a*b?$anything", CaseMode::Sensitive));
            assert!(!resolved.glob("aXb?$", CaseMode::Sensitive));
            assert!(!resolved.glob("a*bX$", CaseMode::Sensitive));
        });
    }

    // Request values are substituted as literal text: a `*` in a tag value is no wildcard.
    #[test]
    fn substituted_values_are_literal() {
        let mut context = Context::new();
        context.set("aws:PrincipalTag/project", "*");
        with_request(context, |r| {
            let resolved = resolve(
                "proj-${aws:PrincipalTag/project}",
                PolicyVersion::V2012_10_17,
                r,
            );
            assert!(resolved.glob("proj-*", CaseMode::Sensitive));
            assert!(!resolved.glob("proj-x", CaseMode::Sensitive));
        });
    }

    // IAM User Guide, reference_policies_variables.html: variables need Version 2012-10-17;
    // earlier policies read `${...}` literally.
    #[test]
    fn version_2008_reads_variables_literally() {
        let mut context = Context::new();
        context.set("aws:username", "alice");
        with_request(context, |r| {
            let resolved = resolve("${aws:username}", PolicyVersion::V2008_10_17, r);
            assert_eq!(resolved, Resolved::AsWritten("${aws:username}"));
            assert!(resolved.literal_equals("${aws:username}", CaseMode::Sensitive));
            assert!(!resolved.literal_equals("alice", CaseMode::Sensitive));
        });
    }

    #[test]
    fn malformed_references_stay_text() {
        assert_eq!(
            resolved_text("a${unterminated", Context::new()),
            Some("a${unterminated".into())
        );
        assert_eq!(
            resolved_text("${aws:username, none}", Context::new()),
            Some("${aws:username, none}".into())
        );
    }
}
