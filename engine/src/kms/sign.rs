//! Sign, Verify and GetPublicKey: asymmetric signing keys (API Reference, Sign, Verify,
//! GetPublicKey; KMS Developer Guide, asymmetric-key-specs.html). Each is authorized like any
//! key operation (`kms:SigningAlgorithm` and `kms:MessageType` in the request context), then
//! gated by the key state and the key-spec table, then done with real ECDSA or RSA by
//! [`crate::crypto`]'s asymmetric backend.

use serde::{Deserialize, Serialize};

use super::grants::dry_run_error;
use super::{Action, Caller, Env};
use crate::authz::RequestParams;
use crate::catalog::SIGNING_ALGORITHMS;
use crate::crypto::{MessageType, SignError};
use crate::error::{Constraint, KmsError, Shown};
use crate::kms::types::wire;
use crate::store::Key;
use crate::world::World;

/// The longest message Sign and Verify take (API Reference, Sign: "up to 4096 bytes").
pub const MAX_SIGN_MESSAGE_BYTES: usize = 4096;
/// The longest signature Verify takes (API Reference, Verify: 1–6144 bytes).
pub const MAX_SIGNATURE_BYTES: usize = 6144;

/// Sign.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SignRequest {
    /// Key id, key ARN, alias name or alias ARN of a signing key.
    pub key_id: String,
    /// The message or its digest, 1–4096 bytes (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub message: Vec<u8>,
    /// `RAW` (the default) or `DIGEST`.
    pub message_type: Option<String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// One of the key spec's signing algorithms, such as `ECDSA_SHA_256`.
    pub signing_algorithm: String,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// Sign's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignResponse {
    /// The key ARN.
    pub key_id: String,
    /// The signature: DER-encoded for ECDSA, the RSA signature's bytes for RSASSA (base64 on
    /// the wire).
    #[serde(serialize_with = "wire::base64")]
    pub signature: Vec<u8>,
    /// The algorithm used.
    pub signing_algorithm: String,
}

/// Verify.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VerifyRequest {
    /// Key id, key ARN, alias name or alias ARN of a signing key.
    pub key_id: String,
    /// The message or its digest (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub message: Vec<u8>,
    /// `RAW` (the default) or `DIGEST`.
    pub message_type: Option<String>,
    /// The signature to verify (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub signature: Vec<u8>,
    /// The algorithm the signature was made with.
    pub signing_algorithm: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// Verify's response (a signature that does not verify is `KMSInvalidSignatureException`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyResponse {
    /// The key ARN.
    pub key_id: String,
    /// Always true: a bad signature is an error.
    pub signature_valid: bool,
    /// The algorithm used.
    pub signing_algorithm: String,
}

/// GetPublicKey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetPublicKeyRequest {
    /// Key id, key ARN, alias name or alias ARN of an asymmetric key.
    pub key_id: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
}

/// GetPublicKey's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyResponse {
    /// The key ARN.
    pub key_id: String,
    /// The public key, DER `SubjectPublicKeyInfo` (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub public_key: Vec<u8>,
    /// The legacy name of the key spec.
    pub customer_master_key_spec: &'static str,
    /// The key spec.
    pub key_spec: &'static str,
    /// `SIGN_VERIFY`, `ENCRYPT_DECRYPT` or `KEY_AGREEMENT`.
    pub key_usage: &'static str,
    /// The encryption algorithms of an `ENCRYPT_DECRYPT` key (API GetPublicKey).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<&'static str>,
    /// The signing algorithms of a `SIGN_VERIFY` key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_algorithms: Vec<&'static str>,
    /// `["ECDH"]` for a key agreement key (API Reference, GetPublicKey,
    /// KeyAgreementAlgorithms: "present only when the KMS key has a KeyUsage value of
    /// KEY_AGREEMENT").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_agreement_algorithms: Vec<&'static str>,
}

/// `MessageType`: `RAW` (the default) or `DIGEST`.
fn message_type(value: Option<&str>) -> Result<MessageType, KmsError> {
    match value {
        None | Some("RAW") => Ok(MessageType::Raw),
        Some("DIGEST") => Ok(MessageType::Digest),
        Some(other) => Err(KmsError::validation(
            Shown::Text(other),
            "messageType",
            Constraint::Enum(&["RAW", "DIGEST", "EXTERNAL_MU"]),
        )),
    }
}

/// The request checks Sign and Verify share: the message's length and the algorithm's name.
fn check_request(message: &[u8], algorithm: &str) -> Result<(), KmsError> {
    KmsError::check_length(
        Shown::Sensitive,
        message.len(),
        "message",
        1,
        MAX_SIGN_MESSAGE_BYTES,
    )?;
    if !SIGNING_ALGORITHMS.contains(&algorithm) {
        return Err(KmsError::validation(
            Shown::Text(algorithm),
            "signingAlgorithm",
            Constraint::Enum(SIGNING_ALGORITHMS),
        ));
    }
    Ok(())
}

/// The signing error as KMS names it: an algorithm the key does not use is
/// `InvalidKeyUsageException` (API Reference, Sign, Errors), a digest of the wrong length a
/// `ValidationException`.
fn sign_error(key: &Key, algorithm: &str, e: SignError) -> KmsError {
    match e {
        SignError::WrongAlgorithm => KmsError::InvalidKeyUsage(format!(
            "{algorithm} is not a valid signing algorithm for a key with KeySpec {}",
            key.spec.as_str()
        )),
        SignError::DigestLength(_) => KmsError::Validation(format!(
            "Digest is invalid length for algorithm {algorithm}."
        )),
        SignError::Unavailable => unavailable(key.spec.as_str()),
        SignError::Randomness(e) => KmsError::from(e),
    }
}

/// `KMSInternalException` for an operation on an asymmetric key while no asymmetric backend is
/// loaded (`crypto::backend`: the web app loads its own when a page first needs it). KMS's own
/// answer to a passing failure on its side, which a caller retries.
pub(super) fn unavailable(spec: &str) -> KmsError {
    KmsError::Internal(format!(
        "The RSA and elliptic-curve cryptography a {spec} key needs is not loaded yet: try again in a moment"
    ))
}

impl World {
    /// Sign: a DER ECDSA signature of a message (`RAW`, hashed here) or digest (`DIGEST`).
    pub fn sign(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: SignRequest,
    ) -> Result<SignResponse, KmsError> {
        check_request(&request.message, &request.signing_algorithm)?;
        let kind = message_type(request.message_type.as_deref())?;
        let key = self.signing_key(
            caller,
            env,
            &request.key_id,
            Action::Sign,
            &request.signing_algorithm,
            request.message_type.as_deref(),
            &request.grant_tokens,
        )?;
        let signature = key
            .ring
            .sign(
                &request.signing_algorithm,
                kind,
                &request.message,
                &mut *env.rng,
            )
            .map_err(|e| sign_error(&key, &request.signing_algorithm, e))?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::Sign, env);
        Ok(SignResponse {
            key_id: key.arn.clone(),
            signature,
            signing_algorithm: request.signing_algorithm,
        })
    }

    /// Verify: whether a signature is the key's over the message; one that is not is
    /// `KMSInvalidSignatureException` (API Reference, Verify).
    pub fn verify(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: VerifyRequest,
    ) -> Result<VerifyResponse, KmsError> {
        check_request(&request.message, &request.signing_algorithm)?;
        KmsError::check_length(
            Shown::Blob(request.signature.len()),
            request.signature.len(),
            "signature",
            1,
            MAX_SIGNATURE_BYTES,
        )?;
        let kind = message_type(request.message_type.as_deref())?;
        let key = self.signing_key(
            caller,
            env,
            &request.key_id,
            Action::Verify,
            &request.signing_algorithm,
            request.message_type.as_deref(),
            &request.grant_tokens,
        )?;
        let valid = key
            .ring
            .verify(
                &request.signing_algorithm,
                kind,
                &request.message,
                &request.signature,
            )
            .map_err(|e| sign_error(&key, &request.signing_algorithm, e))?;
        if !valid {
            return Err(KmsError::InvalidSignature(String::new()));
        }
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::Verify, env);
        Ok(VerifyResponse {
            key_id: key.arn.clone(),
            signature_valid: true,
            signing_algorithm: request.signing_algorithm,
        })
    }

    /// GetPublicKey: the public key of an asymmetric key and what it may be used for.
    pub fn get_public_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse, KmsError> {
        let params = RequestParams {
            grant_tokens: request.grant_tokens,
            ..RequestParams::default()
        };
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::GetPublicKey,
            true,
            params,
        )?;
        let public_key = key.ring.public_key().map_err(|e| match e {
            crate::crypto::NoKeyPair::Unavailable => unavailable(key.spec.as_str()),
            // The key-state check refuses a key without material before this.
            crate::crypto::NoKeyPair::Failed => {
                KmsError::Internal(format!("{} has no key pair", key.arn))
            }
        })?;
        let row = key.spec.row();
        Ok(GetPublicKeyResponse {
            key_id: key.arn.clone(),
            public_key,
            customer_master_key_spec: row.name,
            key_spec: row.name,
            key_usage: row.usage_name,
            encryption_algorithms: row.encryption_algorithms.to_vec(),
            signing_algorithms: row.signing_algorithms.to_vec(),
            key_agreement_algorithms: row.key_agreement_algorithms().to_vec(),
        })
    }

    /// The signing key `key_id` names, with `action` authorized (`kms:SigningAlgorithm` and
    /// `kms:MessageType` in the request context) and its state and key usage checked.
    #[expect(
        clippy::too_many_arguments,
        reason = "the request's parts that reach the authorizer"
    )]
    fn signing_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        key_id: &str,
        action: Action,
        algorithm: &str,
        message_type: Option<&str>,
        grant_tokens: &[String],
    ) -> Result<std::sync::Arc<Key>, KmsError> {
        let mut params = RequestParams {
            grant_tokens: grant_tokens.to_vec(),
            ..RequestParams::default()
        };
        params.context.set("kms:SigningAlgorithm", algorithm);
        params
            .context
            .set("kms:MessageType", message_type.unwrap_or("RAW"));
        let (_, key) = self.key_operation(caller, env, key_id, action, true, params)?;
        Ok(key)
    }
}
