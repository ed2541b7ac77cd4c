//! Aliases: friendly names for keys (KMS Developer Guide, kms-alias.html; API CreateAlias).

use super::key::KeyId;
use crate::entropy::Timestamp;
use crate::error::{Constraint, KmsError, Shown};
use serde::Serialize;

/// The most aliases one key may have (KMS Developer Guide, resource-limits.html, "Aliases per
/// KMS key").
pub const MAX_ALIASES_PER_KEY: usize = 50;

/// An alias of a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alias {
    /// `alias/NAME`.
    pub name: String,
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
    pub arn: String,
    /// The account the alias (and its key) belongs to.
    pub account: String,
    /// The Region the alias (and its key) lives in: alias names are unique per account and
    /// Region (KMS Developer Guide, kms-alias.html).
    pub region: String,
    /// The key it points to.
    pub target: KeyId,
    /// `CreationDate`.
    pub created: Timestamp,
    /// `LastUpdatedDate`.
    pub updated: Timestamp,
}

/// An alias's ARN, `arn:aws:kms:REGION:ACCOUNT:alias/NAME` (`name` starts with `alias/`).
pub fn alias_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{name}")
}

/// Checks an alias name for CreateAlias, UpdateAlias and DeleteAlias: it must start with
/// `alias/`, be 1–256 characters of `[a-zA-Z0-9:/_-]`, and not start with the `alias/aws/`
/// prefix reserved for AWS managed keys (API CreateAlias, AliasName).
pub fn validate_alias_name(name: &str) -> Result<(), KmsError> {
    let pattern_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'));
    if !pattern_ok {
        return Err(KmsError::validation(
            Shown::Text(name),
            "aliasName",
            Constraint::Pattern("^[a-zA-Z0-9:/_-]+$"),
        ));
    }
    KmsError::check_length(Shown::Text(name), name.chars().count(), "aliasName", 1, 256)?;
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err(KmsError::InvalidAliasName(format!(
            "Alias name {name} must begin with alias/"
        )));
    };
    if rest.is_empty() {
        return Err(KmsError::InvalidAliasName(
            "Alias name must have a name after alias/".to_owned(),
        ));
    }
    if rest.starts_with("aws/") {
        return Err(KmsError::InvalidAliasName(format!(
            "Alias name {name} is reserved: names beginning with alias/aws/ are for AWS managed keys"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_name(name: &str) -> &'static str {
        validate_alias_name(name)
            .err()
            .map_or("", |e| e.exception_name())
    }

    #[test]
    fn alias_names_follow_create_alias_rules() {
        // KMS API Reference, CreateAlias: AliasName must begin with alias/, pattern
        // ^[a-zA-Z0-9:/_-]+$, 1–256 characters, and cannot begin with alias/aws/.
        assert_eq!(error_name("alias/DemoKey"), "");
        assert_eq!(error_name("alias/team-a/app_1:prod"), "");
        assert_eq!(error_name("DemoKey"), "InvalidAliasNameException");
        assert_eq!(error_name("alias/"), "InvalidAliasNameException");
        assert_eq!(error_name("alias/aws/ebs"), "InvalidAliasNameException");
        assert_eq!(error_name("alias/has space"), "ValidationException");
        assert_eq!(error_name(""), "ValidationException");
        assert_eq!(
            error_name(&format!("alias/{}", "a".repeat(251))),
            "ValidationException"
        );
        assert_eq!(error_name(&format!("alias/{}", "a".repeat(250))), "");
    }
}
