//! Errors of the KMS operations, one variant per KMS exception.
//!
//! Each variant carries the message AWS would send; [`KmsError::exception_name`] gives the name the
//! wire protocol puts in `__type` and the AWS CLI prints ("An error occurred (NotFoundException)
//! when calling the DescribeKey operation: ..."). Names and meanings: KMS API Reference, "Errors"
//! of each operation and "Common Errors".

use crate::catalog::Action;
use crate::request::PrincipalId;
use serde::Serialize;
use std::fmt;

/// Which of AWS's `AccessDeniedException` endings a denial has (semantics §1.6; IAM User Guide,
/// troubleshoot_access-denied.html, for the SCP, RCP, boundary and session-policy ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DenialForm {
    /// "with an explicit deny in a resource-based policy" (the key policy denies).
    ExplicitDenyInResourcePolicy,
    /// "with an explicit deny in an identity-based policy".
    ExplicitDenyInIdentityPolicy,
    /// "because no resource-based policy allows the ACTION action".
    NoResourcePolicyAllows,
    /// "because no identity-based policy allows the ACTION action".
    NoIdentityPolicyAllows,
    /// "with an explicit deny in a service control policy".
    ExplicitDenyInServiceControlPolicy,
    /// "because no service control policy allows the ACTION action".
    NoServiceControlPolicyAllows,
    /// "with an explicit deny in a resource control policy".
    ExplicitDenyInResourceControlPolicy,
    /// "with an explicit deny in a permissions boundary".
    ExplicitDenyInPermissionsBoundary,
    /// "because no permissions boundary allows the ACTION action".
    NoPermissionsBoundaryAllows,
    /// "with an explicit deny in a session policy".
    ExplicitDenyInSessionPolicy,
    /// "because no session policy allows the ACTION action".
    NoSessionPolicyAllows,
}

/// An `AccessDeniedException`: who was refused what on which resource, and which of AWS's four
/// messages says so. Front ends link to the explanation with these fields, never by reading the
/// message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AccessDenied {
    /// The caller's ARN (or service name).
    pub caller: PrincipalId,
    /// The permission refused.
    pub action: Action,
    /// The resource ARN (`*` for IAM-only actions).
    pub resource: String,
    /// The message's ending.
    pub form: DenialForm,
    /// The whole message, built once from the fields above.
    #[serde(skip)]
    message: String,
}

impl AccessDenied {
    /// The denial of `action` on `resource` to `caller`, with AWS's message, such as "User: ARN is
    /// not authorized to perform: kms:Decrypt on resource: ARN because no resource-based policy
    /// allows the kms:Decrypt action".
    pub fn new(
        caller: &PrincipalId,
        action: Action,
        resource: &str,
        form: DenialForm,
    ) -> AccessDenied {
        let name = action.name();
        let why = match form {
            DenialForm::ExplicitDenyInResourcePolicy => {
                "with an explicit deny in a resource-based policy".to_owned()
            }
            DenialForm::ExplicitDenyInIdentityPolicy => {
                "with an explicit deny in an identity-based policy".to_owned()
            }
            DenialForm::NoResourcePolicyAllows => {
                format!("because no resource-based policy allows the {name} action")
            }
            DenialForm::NoIdentityPolicyAllows => {
                format!("because no identity-based policy allows the {name} action")
            }
            DenialForm::ExplicitDenyInServiceControlPolicy => {
                "with an explicit deny in a service control policy".to_owned()
            }
            DenialForm::NoServiceControlPolicyAllows => {
                format!("because no service control policy allows the {name} action")
            }
            DenialForm::ExplicitDenyInResourceControlPolicy => {
                "with an explicit deny in a resource control policy".to_owned()
            }
            DenialForm::ExplicitDenyInPermissionsBoundary => {
                "with an explicit deny in a permissions boundary".to_owned()
            }
            DenialForm::NoPermissionsBoundaryAllows => {
                format!("because no permissions boundary allows the {name} action")
            }
            DenialForm::ExplicitDenyInSessionPolicy => {
                "with an explicit deny in a session policy".to_owned()
            }
            DenialForm::NoSessionPolicyAllows => {
                format!("because no session policy allows the {name} action")
            }
        };
        AccessDenied {
            message: format!(
                "User: {caller} is not authorized to perform: {name} on resource: {resource} {why}"
            ),
            caller: caller.clone(),
            action,
            resource: resource.to_owned(),
            form,
        }
    }

    /// AWS's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Declares [`KmsError`] from one list: each row is a variant, the KMS exception it is, and what
/// it means. The variant carries AWS's message; `AccessDeniedException` is the one exception with
/// more to say ([`AccessDenied`]) and is declared by the macro itself. A new exception is a row.
macro_rules! exceptions {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// A failed KMS call, named as KMS names it.
        ///
        /// It serializes as the wire protocol's error body, `{"__type": "...", "Message": "..."}`.
        #[derive(Clone, Debug, PartialEq)]
        pub enum KmsError {
            /// `AccessDeniedException`: not authorized (messages: semantics §1.6).
            AccessDenied(AccessDenied),
            $( $(#[$doc])* $variant(String), )*
        }

        impl KmsError {
            /// Every exception name, `AccessDeniedException` first.
            pub const NAMES: &'static [&'static str] = &["AccessDeniedException", $( $name, )*];

            /// The exception name, as in `__type` and the AWS CLI's error line.
            pub fn exception_name(&self) -> &'static str {
                match self {
                    KmsError::AccessDenied(_) => "AccessDeniedException",
                    $( KmsError::$variant(_) => $name, )*
                }
            }

            /// The message AWS would send.
            pub fn message(&self) -> &str {
                match self {
                    KmsError::AccessDenied(denied) => denied.message(),
                    $( KmsError::$variant(message) => message, )*
                }
            }
        }
    };
}

exceptions! {
    /// The caller is not an identity the world knows.
    UnrecognizedClient => "UnrecognizedClientException",
    /// Key, alias or grant not found.
    NotFound => "NotFoundException",
    /// The key is not enabled.
    Disabled => "DisabledException",
    /// The key state does not allow the operation.
    InvalidState => "KMSInvalidStateException",
    /// An alias with that name exists.
    AlreadyExists => "AlreadyExistsException",
    /// The key policy is not valid, or fails the lockout check.
    MalformedPolicyDocument => "MalformedPolicyDocumentException",
    /// A length or quota limit was exceeded.
    LimitExceeded => "LimitExceededException",
    /// An ARN in the request is not valid.
    InvalidArn => "InvalidArnException",
    /// The alias name is not valid.
    InvalidAliasName => "InvalidAliasNameException",
    /// A request parameter is not valid.
    Validation => "ValidationException",
    /// The operation does not apply to this key.
    UnsupportedOperation => "UnsupportedOperationException",
    /// A grant token is not valid.
    InvalidGrantToken => "InvalidGrantTokenException",
    /// A grant id is not valid.
    InvalidGrantId => "InvalidGrantIdException",
    /// The ciphertext or its encryption context is not valid.
    InvalidCiphertext => "InvalidCiphertextException",
    /// The key named is not the key that encrypted the ciphertext.
    IncorrectKey => "IncorrectKeyException",
    /// The key's usage does not allow the operation.
    InvalidKeyUsage => "InvalidKeyUsageException",
    /// `DryRun` was set and the request would have succeeded.
    DryRunOperation => "DryRunOperationException",
    /// Tags are not valid.
    Tag => "TagException",
    /// A paging marker is not valid.
    InvalidMarker => "InvalidMarkerException",
    /// A rotation is in progress or due soon.
    Conflict => "ConflictException",
    /// The import token is older than 24 hours.
    ExpiredImportToken => "ExpiredImportTokenException",
    /// The import token is not for this key.
    InvalidImportToken => "InvalidImportTokenException",
    /// Imported material differs from the key's earlier material.
    IncorrectKeyMaterial => "IncorrectKeyMaterialException",
    /// A signature did not verify.
    InvalidSignature => "KMSInvalidSignatureException",
    /// A MAC did not verify.
    InvalidMac => "KMSInvalidMacException",
    /// An internal failure; here, the random source failed, so nothing was created.
    Internal => "KMSInternalException",
}

/// How a request member's value shows in a `ValidationException` (KMS API Reference, Common
/// Errors, ValidationException; the `1 validation error detected: Value ... at '...' failed to
/// satisfy constraint: ...` form of AWS's request validation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown<'a> {
    /// A string or number, quoted: `Value '0' at 'numberOfBytes'`.
    Text(&'a str),
    /// A list of strings: `Value '[a, b]' at 'grantTokens'`.
    List(&'a [String]),
    /// A blob AWS does not treat as sensitive (`CiphertextType`): the service names the Java
    /// buffer that held it, `Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at
    /// 'ciphertextBlob'`.
    Blob(usize),
    /// A sensitive member (`PlaintextType`: Encrypt's `Plaintext`, Sign's and GenerateMac's
    /// `Message`): its value is left out, `Value at 'plaintext'`.
    Sensitive,
}

/// A constraint of the API model a request member failed, worded as AWS words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint<'a> {
    /// A string, list or blob shorter than the model's minimum length.
    MinLength(usize),
    /// A string, list or blob longer than the model's maximum length.
    MaxLength(usize),
    /// A number below the model's minimum.
    MinValue(i64),
    /// A number above the model's maximum.
    MaxValue(i64),
    /// A value outside an enumeration.
    Enum(&'a [&'a str]),
    /// A list member outside an enumeration (CreateGrant's `Operations`).
    EachEnum(&'a [&'a str]),
    /// A string that does not match the model's pattern.
    Pattern(&'a str),
}

impl fmt::Display for Constraint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::MinLength(n) => {
                write!(f, "Member must have length greater than or equal to {n}")
            }
            Constraint::MaxLength(n) => {
                write!(f, "Member must have length less than or equal to {n}")
            }
            Constraint::MinValue(n) => {
                write!(f, "Member must have value greater than or equal to {n}")
            }
            Constraint::MaxValue(n) => {
                write!(f, "Member must have value less than or equal to {n}")
            }
            Constraint::Enum(values) => {
                write!(
                    f,
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                )
            }
            Constraint::EachEnum(values) => write!(
                f,
                "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                values.join(", ")
            ),
            Constraint::Pattern(pattern) => {
                write!(
                    f,
                    "Member must satisfy regular expression pattern: {pattern}"
                )
            }
        }
    }
}

impl From<crate::entropy::RandomnessUnavailable> for KmsError {
    fn from(e: crate::entropy::RandomnessUnavailable) -> KmsError {
        KmsError::Internal(e.message)
    }
}

impl KmsError {
    /// The denial, for an `AccessDeniedException`.
    pub fn denial(&self) -> Option<&AccessDenied> {
        match self {
            KmsError::AccessDenied(denied) => Some(denied),
            _ => None,
        }
    }

    /// The line the AWS CLI prints for this error.
    pub fn cli_line(&self, operation: &str) -> String {
        format!(
            "An error occurred ({}) when calling the {operation} operation: {}",
            self.exception_name(),
            self.message()
        )
    }

    /// The JSON 1.1 error body, `{"__type": "...", "Message": "..."}` (semantics §7.1).
    pub fn wire_body(&self) -> serde_json::Value {
        serde_json::json!({ "__type": self.exception_name(), "Message": self.message() })
    }

    /// A `ValidationException` in the form of AWS's request validation: `1 validation error
    /// detected: Value 'VALUE' at 'MEMBER' failed to satisfy constraint: CONSTRAINT` (KMS API
    /// Reference, Common Errors). `member` is the request member in camel case (`numberOfBytes`,
    /// `tags.1.member.tagKey`). Every such message is made here.
    pub fn validation(value: Shown<'_>, member: &str, constraint: Constraint<'_>) -> KmsError {
        let value = match value {
            Shown::Text(text) => format!(" '{text}'"),
            Shown::List(items) => format!(" '[{}]'", items.join(", ")),
            Shown::Blob(len) => format!(" 'java.nio.HeapByteBuffer[pos=0 lim={len} cap={len}]'"),
            Shown::Sensitive => String::new(),
        };
        KmsError::Validation(format!(
            "1 validation error detected: Value{value} at '{member}' failed to satisfy constraint: {constraint}"
        ))
    }

    /// The length check of the API model: `Ok` when `min <= len <= max`, else the
    /// [`KmsError::validation`] of the bound that failed (AWS reports each bound on its own).
    pub fn check_length(
        value: Shown<'_>,
        len: usize,
        member: &str,
        min: usize,
        max: usize,
    ) -> Result<(), KmsError> {
        if len < min {
            return Err(KmsError::validation(
                value,
                member,
                Constraint::MinLength(min),
            ));
        }
        if len > max {
            return Err(KmsError::validation(
                value,
                member,
                Constraint::MaxLength(max),
            ));
        }
        Ok(())
    }

    /// The range check of the API model for a number: `Ok` when `min <= value <= max`, else the
    /// [`KmsError::validation`] of the bound that failed.
    pub fn check_range(value: i64, member: &str, min: i64, max: i64) -> Result<(), KmsError> {
        let text = value.to_string();
        if value < min {
            return Err(KmsError::validation(
                Shown::Text(&text),
                member,
                Constraint::MinValue(min),
            ));
        }
        if value > max {
            return Err(KmsError::validation(
                Shown::Text(&text),
                member,
                Constraint::MaxValue(max),
            ));
        }
        Ok(())
    }

    /// `NotFoundException: Key 'ARN' does not exist`.
    pub fn key_not_found(arn: &str) -> KmsError {
        KmsError::NotFound(format!("Key '{arn}' does not exist"))
    }

    /// `NotFoundException: Alias ARN is not found.`
    pub fn alias_not_found(alias_arn: &str) -> KmsError {
        KmsError::NotFound(format!("Alias {alias_arn} is not found."))
    }

    /// `DisabledException: ARN is disabled.` (KMS Developer Guide, key-state.html, footnote 1).
    pub fn disabled(arn: &str) -> KmsError {
        KmsError::Disabled(format!("{arn} is disabled."))
    }

    /// `KMSInvalidStateException: ARN is pending deletion.` (key-state.html, footnote 3).
    pub fn pending_deletion(arn: &str) -> KmsError {
        KmsError::InvalidState(format!("{arn} is pending deletion."))
    }

    /// `KMSInvalidStateException: ARN is not pending deletion.` (key-state.html, footnote 4).
    pub fn not_pending_deletion(arn: &str) -> KmsError {
        KmsError::InvalidState(format!("{arn} is not pending deletion."))
    }

    /// `KMSInvalidStateException: ARN is pending import.` (key-state.html, footnote 5).
    pub fn pending_import(arn: &str) -> KmsError {
        KmsError::InvalidState(format!("{arn} is pending import."))
    }

    /// `KMSInvalidStateException: ARN is creating.` (key-state.html, footnote 14: "AWS KMS
    /// throws this exception while it is replicating a multi-Region key (ReplicateKey)").
    pub fn creating(arn: &str) -> KmsError {
        KmsError::InvalidState(format!("{arn} is creating."))
    }

    /// `KMSInvalidStateException: ARN is updating.` (key-state.html, footnote 15: "AWS KMS
    /// throws this exception while it is updating the primary Region of a multi-Region key
    /// (UpdatePrimaryRegion)").
    pub fn updating(arn: &str) -> KmsError {
        KmsError::InvalidState(format!("{arn} is updating."))
    }

    /// `UnsupportedOperationException: ARN origin is EXTERNAL which is not valid for this
    /// operation.` (key-state.html, footnote 6).
    pub fn external_origin(arn: &str) -> KmsError {
        KmsError::UnsupportedOperation(format!(
            "{arn} origin is EXTERNAL which is not valid for this operation."
        ))
    }

    /// `UnsupportedOperationException: ARN origin is AWS_KMS which is not valid for this
    /// operation.` (import operations on a key whose material KMS generated; footnote 9).
    pub fn kms_origin(arn: &str) -> KmsError {
        KmsError::UnsupportedOperation(format!(
            "{arn} origin is AWS_KMS which is not valid for this operation."
        ))
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for KmsError {}

impl Serialize for KmsError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut body = serializer.serialize_struct("KmsError", 2)?;
        body.serialize_field("__type", self.exception_name())?;
        body.serialize_field("Message", self.message())?;
        body.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_line_names_the_exception_like_the_aws_cli() {
        let error = KmsError::key_not_found("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab");
        assert_eq!(
            error.cli_line("DescribeKey"),
            "An error occurred (NotFoundException) when calling the DescribeKey operation: \
             Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab' does not exist"
        );
        assert_eq!(error.to_string(), error.message());
    }

    #[test]
    fn every_exception_has_its_own_name() {
        let mut names = KmsError::NAMES.to_vec();
        crate::sort::sort(&mut names);
        names.dedup();
        assert_eq!(names.len(), KmsError::NAMES.len());
        assert!(names.iter().all(|n| n.ends_with("Exception")));
        assert_eq!(
            KmsError::InvalidMac("m".to_owned()).exception_name(),
            "KMSInvalidMacException"
        );
    }

    #[test]
    fn wire_body_carries_type_and_message() {
        // KMS API: errors are HTTP 400 with `__type` naming the exception (semantics §7.1).
        let body = KmsError::disabled("arn:k").wire_body();
        assert_eq!(body["__type"], "DisabledException");
        assert_eq!(body["Message"], "arn:k is disabled.");
    }

    #[test]
    fn state_messages_follow_the_key_state_page() {
        // KMS Developer Guide, key-state.html, footnotes 3–6.
        assert_eq!(
            KmsError::pending_deletion("A").message(),
            "A is pending deletion."
        );
        assert_eq!(
            KmsError::not_pending_deletion("A").exception_name(),
            "KMSInvalidStateException"
        );
        assert_eq!(
            KmsError::pending_import("A").message(),
            "A is pending import."
        );
        assert_eq!(
            KmsError::external_origin("A").exception_name(),
            "UnsupportedOperationException"
        );
    }
}
