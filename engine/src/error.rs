//! Errors of the KMS operations, one variant per KMS exception.
//!
//! Each variant carries the message AWS would send; [`KmsError::exception_name`] gives the name the
//! wire protocol puts in `__type` and the AWS CLI prints ("An error occurred (NotFoundException)
//! when calling the DescribeKey operation: ..."). Names and meanings: KMS API Reference, "Errors"
//! of each operation and "Common Errors".

use crate::catalog::Action;
use serde::Serialize;
use std::fmt;

/// Which of AWS's four `AccessDeniedException` endings a denial has (semantics §1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DenialForm {
    /// "with an explicit deny in a resource-based policy" (the key policy denies).
    ExplicitDenyInResourcePolicy,
    /// "with an explicit deny in an identity-based policy".
    ExplicitDenyInIdentityPolicy,
    /// "because no resource-based policy allows the ACTION action".
    NoResourcePolicyAllows,
    /// "because no identity-based policy allows the ACTION action".
    NoIdentityPolicyAllows,
}

/// An `AccessDeniedException`: who was refused what on which resource, and which of AWS's four
/// messages says so. Front ends link to the explanation with these fields, never by reading the
/// message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccessDenied {
    /// The caller's ARN.
    pub caller: String,
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
    pub fn new(caller: &str, action: Action, resource: &str, form: DenialForm) -> AccessDenied {
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
        };
        AccessDenied {
            message: format!(
                "User: {caller} is not authorized to perform: {name} on resource: {resource} {why}"
            ),
            caller: caller.to_owned(),
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

/// A failed KMS call, named as KMS names it.
///
/// It serializes as the wire protocol's error body, `{"__type": "...", "Message": "..."}`.
#[derive(Clone, Debug, PartialEq)]
pub enum KmsError {
    /// `AccessDeniedException`: not authorized (messages: semantics §1.6).
    AccessDenied(AccessDenied),
    /// `UnrecognizedClientException`: the caller is not an identity the world knows.
    UnrecognizedClient(String),
    /// `NotFoundException`: key, alias or grant not found.
    NotFound(String),
    /// `DisabledException`: the key is not enabled.
    Disabled(String),
    /// `KMSInvalidStateException`: the key state does not allow the operation.
    InvalidState(String),
    /// `AlreadyExistsException`: an alias with that name exists.
    AlreadyExists(String),
    /// `MalformedPolicyDocumentException`: the key policy is not valid, or fails the lockout check.
    MalformedPolicyDocument(String),
    /// `LimitExceededException`: a length or quota limit was exceeded.
    LimitExceeded(String),
    /// `InvalidArnException`: an ARN in the request is not valid.
    InvalidArn(String),
    /// `InvalidAliasNameException`: the alias name is not valid.
    InvalidAliasName(String),
    /// `ValidationException`: a request parameter is not valid.
    Validation(String),
    /// `UnsupportedOperationException`: the operation does not apply to this key.
    UnsupportedOperation(String),
    /// `InvalidGrantTokenException`: a grant token is not valid.
    InvalidGrantToken(String),
    /// `InvalidGrantIdException`: a grant id is not valid.
    InvalidGrantId(String),
    /// `InvalidCiphertextException`: the ciphertext or its encryption context is not valid.
    InvalidCiphertext(String),
    /// `IncorrectKeyException`: the key named is not the key that encrypted the ciphertext.
    IncorrectKey(String),
    /// `InvalidKeyUsageException`: the key's usage does not allow the operation.
    InvalidKeyUsage(String),
    /// `DryRunOperationException`: `DryRun` was set and the request would have succeeded.
    DryRunOperation(String),
    /// `TagException`: tags are not valid.
    Tag(String),
    /// `InvalidMarkerException`: a paging marker is not valid.
    InvalidMarker(String),
    /// `ConflictException`: a rotation is in progress or due soon.
    Conflict(String),
    /// `ExpiredImportTokenException`: the import token is older than 24 hours.
    ExpiredImportToken(String),
    /// `InvalidImportTokenException`: the import token is not for this key.
    InvalidImportToken(String),
    /// `IncorrectKeyMaterialException`: imported material differs from the key's earlier material.
    IncorrectKeyMaterial(String),
    /// `KMSInvalidSignatureException`: a signature did not verify.
    InvalidSignature(String),
    /// `KMSInvalidMacException`: a MAC did not verify.
    InvalidMac(String),
}

impl KmsError {
    /// The exception name, as in `__type` and the AWS CLI's error line.
    pub fn exception_name(&self) -> &'static str {
        match self {
            KmsError::AccessDenied(_) => "AccessDeniedException",
            KmsError::UnrecognizedClient(_) => "UnrecognizedClientException",
            KmsError::NotFound(_) => "NotFoundException",
            KmsError::Disabled(_) => "DisabledException",
            KmsError::InvalidState(_) => "KMSInvalidStateException",
            KmsError::AlreadyExists(_) => "AlreadyExistsException",
            KmsError::MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            KmsError::LimitExceeded(_) => "LimitExceededException",
            KmsError::InvalidArn(_) => "InvalidArnException",
            KmsError::InvalidAliasName(_) => "InvalidAliasNameException",
            KmsError::Validation(_) => "ValidationException",
            KmsError::UnsupportedOperation(_) => "UnsupportedOperationException",
            KmsError::InvalidGrantToken(_) => "InvalidGrantTokenException",
            KmsError::InvalidGrantId(_) => "InvalidGrantIdException",
            KmsError::InvalidCiphertext(_) => "InvalidCiphertextException",
            KmsError::IncorrectKey(_) => "IncorrectKeyException",
            KmsError::InvalidKeyUsage(_) => "InvalidKeyUsageException",
            KmsError::DryRunOperation(_) => "DryRunOperationException",
            KmsError::Tag(_) => "TagException",
            KmsError::InvalidMarker(_) => "InvalidMarkerException",
            KmsError::Conflict(_) => "ConflictException",
            KmsError::ExpiredImportToken(_) => "ExpiredImportTokenException",
            KmsError::InvalidImportToken(_) => "InvalidImportTokenException",
            KmsError::IncorrectKeyMaterial(_) => "IncorrectKeyMaterialException",
            KmsError::InvalidSignature(_) => "KMSInvalidSignatureException",
            KmsError::InvalidMac(_) => "KMSInvalidMacException",
        }
    }

    /// The message AWS would send.
    pub fn message(&self) -> &str {
        match self {
            KmsError::AccessDenied(denied) => denied.message(),
            KmsError::UnrecognizedClient(m)
            | KmsError::NotFound(m)
            | KmsError::Disabled(m)
            | KmsError::InvalidState(m)
            | KmsError::AlreadyExists(m)
            | KmsError::MalformedPolicyDocument(m)
            | KmsError::LimitExceeded(m)
            | KmsError::InvalidArn(m)
            | KmsError::InvalidAliasName(m)
            | KmsError::Validation(m)
            | KmsError::UnsupportedOperation(m)
            | KmsError::InvalidGrantToken(m)
            | KmsError::InvalidGrantId(m)
            | KmsError::InvalidCiphertext(m)
            | KmsError::IncorrectKey(m)
            | KmsError::InvalidKeyUsage(m)
            | KmsError::DryRunOperation(m)
            | KmsError::Tag(m)
            | KmsError::InvalidMarker(m)
            | KmsError::Conflict(m)
            | KmsError::ExpiredImportToken(m)
            | KmsError::InvalidImportToken(m)
            | KmsError::IncorrectKeyMaterial(m)
            | KmsError::InvalidSignature(m)
            | KmsError::InvalidMac(m) => m,
        }
    }

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
