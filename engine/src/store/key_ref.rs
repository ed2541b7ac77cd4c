//! The four ways a request names a key: key id, key ARN, alias name, alias ARN
//! (KMS API Reference, the `KeyId` parameter of each operation; KMS Developer Guide,
//! concepts.html#key-id).

use super::key::KeyId;
use crate::error::{Constraint, KmsError, Shown};

/// A parsed `KeyId` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// `1234abcd-12ab-34cd-56ef-1234567890ab`: looked up in the caller's account.
    Id(KeyId),
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    KeyArn {
        /// The ARN's Region.
        region: String,
        /// The ARN's account.
        account: String,
        /// The key id.
        id: KeyId,
    },
    /// `alias/NAME`: looked up in the caller's account.
    AliasName(String),
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
    AliasArn {
        /// The ARN's Region.
        region: String,
        /// The ARN's account.
        account: String,
        /// `alias/NAME`.
        name: String,
    },
}

impl KeyRef {
    /// The alias name (`alias/NAME`) `text` names a key by, when it is an alias name or an alias
    /// ARN: what a request naming its key so carries as `kms:RequestAlias`.
    pub fn alias_name_in(text: &str) -> Option<String> {
        match KeyRef::parse(text) {
            Ok(KeyRef::AliasName(name) | KeyRef::AliasArn { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// Parses a `KeyId` parameter.
    pub fn parse(text: &str) -> Result<KeyRef, KmsError> {
        if text.is_empty() {
            return Err(KmsError::validation(
                Shown::Text(text),
                "keyId",
                Constraint::MinLength(1),
            ));
        }
        if text.starts_with("arn:") {
            let parts: Vec<&str> = text.splitn(6, ':').collect();
            let [_, partition, service, region, account, resource] = parts.as_slice() else {
                return Err(invalid_arn(text));
            };
            if partition.is_empty()
                || *service != "kms"
                || region.is_empty()
                || account.len() != 12
                || !account.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid_arn(text));
            }
            let (region, account) = ((*region).to_owned(), (*account).to_owned());
            if let Some(id) = resource.strip_prefix("key/") {
                let id = KeyId::parse(id).ok_or_else(|| invalid_key_id(text))?;
                return Ok(KeyRef::KeyArn {
                    region,
                    account,
                    id,
                });
            }
            if resource.starts_with("alias/") {
                return Ok(KeyRef::AliasArn {
                    region,
                    account,
                    name: (*resource).to_owned(),
                });
            }
            return Err(invalid_arn(text));
        }
        if text.starts_with("alias/") {
            return Ok(KeyRef::AliasName(text.to_owned()));
        }
        KeyId::parse(text)
            .map(KeyRef::Id)
            .ok_or_else(|| invalid_key_id(text))
    }

    /// Whether the reference names an alias.
    pub fn is_alias(&self) -> bool {
        matches!(self, KeyRef::AliasName(_) | KeyRef::AliasArn { .. })
    }

    /// The alias name used, for `kms:RequestAlias` (an alias name, never an alias ARN: KMS
    /// Developer Guide, conditions-kms.html#conditions-kms-request-alias).
    pub fn alias_name(&self) -> Option<&str> {
        match self {
            KeyRef::AliasName(name) | KeyRef::AliasArn { name, .. } => Some(name),
            KeyRef::Id(_) | KeyRef::KeyArn { .. } => None,
        }
    }
}

/// `InvalidArnException` for a malformed KMS ARN.
fn invalid_arn(text: &str) -> KmsError {
    KmsError::InvalidArn(format!("ARN {text} is not a valid KMS key or alias ARN"))
}

/// `NotFoundException: Invalid keyId 'X'`, what KMS answers for an identifier of no known shape
/// (and for an alias where the operation takes only a key id or key ARN).
pub(crate) fn invalid_key_id(text: &str) -> KmsError {
    KmsError::NotFound(format!("Invalid keyId '{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn the_four_key_identifier_forms() {
        // KMS Developer Guide, concepts.html#key-id: key id, key ARN, alias name, alias ARN.
        assert!(matches!(KeyRef::parse(ID), Ok(KeyRef::Id(_))));
        assert_eq!(
            KeyRef::parse(&format!("arn:aws:kms:us-east-2:111122223333:key/{ID}")).unwrap(),
            KeyRef::KeyArn {
                region: "us-east-2".into(),
                account: "111122223333".into(),
                id: KeyId::parse(ID).unwrap()
            }
        );
        assert_eq!(
            KeyRef::parse("alias/ExampleAlias").unwrap(),
            KeyRef::AliasName("alias/ExampleAlias".into())
        );
        let alias_arn = KeyRef::parse("arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias");
        assert_eq!(alias_arn.unwrap().alias_name(), Some("alias/ExampleAlias"));
    }

    #[test]
    fn malformed_identifiers_get_kms_errors() {
        let name = |t: &str| KeyRef::parse(t).unwrap_err().exception_name();
        assert_eq!(name("DemoKey"), "NotFoundException");
        assert_eq!(
            name("arn:aws:kms:us-east-1:1111:key/x"),
            "InvalidArnException"
        );
        assert_eq!(name("arn:aws:s3:::bucket"), "InvalidArnException");
        assert_eq!(
            name("arn:aws:kms:us-east-1:111122223333:key/not-a-uuid"),
            "NotFoundException"
        );
        assert_eq!(name(""), "ValidationException");
        assert_eq!(
            KeyRef::parse("DemoKey").unwrap_err().message(),
            "Invalid keyId 'DemoKey'"
        );
    }
}
