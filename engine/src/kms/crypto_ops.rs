//! The cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey,
//! GenerateDataKeyWithoutPlaintext, GenerateRandom (API Reference). Each is authorized like any
//! key operation (key policy, IAM, grants, `GrantTokens`), then gated by the key state, then done
//! with real AES-256-GCM ([`crate::crypto`]).
//!
//! Ciphertext blobs are the playground's own format, not AWS's; the encryption context is bound
//! to them as additional authenticated data. Every failure to decrypt is the same
//! `InvalidCiphertextException`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::grants::dry_run_error;
use super::{Action, Caller, Env};
use crate::authz::RequestParams;
use crate::catalog::{ENCRYPTION_ALGORITHMS, KEY_SPECS};
use crate::crypto::{self, EncryptionContext};
use crate::error::{Constraint, KmsError, Shown};
use crate::kms::types::wire;
use crate::store::{Key, KeyRef, key_arn};
use crate::world::World;

/// The encryption algorithm of symmetric encryption keys.
pub const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";
/// The most plaintext Encrypt takes (API Reference, Encrypt: 4096 bytes).
pub const MAX_PLAINTEXT_BYTES: usize = 4096;
/// The largest ciphertext blob Decrypt and ReEncrypt take (API Reference: 6144 bytes).
pub const MAX_CIPHERTEXT_BYTES: usize = 6144;
/// GenerateDataKey's `NumberOfBytes` and GenerateRandom's range (API Reference: 1–1024).
pub const MAX_RANDOM_BYTES: u32 = 1024;

/// Encrypt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EncryptRequest {
    /// Key id, key ARN, alias name or alias ARN.
    pub key_id: String,
    /// 1–4096 bytes (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub plaintext: Vec<u8>,
    /// The encryption context, bound to the ciphertext.
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// `SYMMETRIC_DEFAULT` (the default).
    pub encryption_algorithm: Option<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// Encrypt's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptResponse {
    /// The ciphertext blob (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub ciphertext_blob: Vec<u8>,
    /// The key ARN, however the request named the key.
    pub key_id: String,
    /// `SYMMETRIC_DEFAULT`, or the RSAES-OAEP algorithm of an asymmetric key.
    pub encryption_algorithm: &'static str,
}

/// Decrypt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DecryptRequest {
    /// The ciphertext blob (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub ciphertext_blob: Vec<u8>,
    /// The encryption context used to encrypt.
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Optional for symmetric ciphertext (the blob names its key); if given, it must name the
    /// key that encrypted the blob.
    pub key_id: Option<String>,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: Option<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// Decrypt's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptResponse {
    /// The ARN of the key that decrypted.
    pub key_id: String,
    /// The plaintext (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub plaintext: Vec<u8>,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: &'static str,
    /// The backing key version that decrypted (`KeyMaterialId`, newest API model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// ReEncrypt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReEncryptRequest {
    /// The ciphertext blob (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub ciphertext_blob: Vec<u8>,
    /// The encryption context the blob was made with.
    pub source_encryption_context: Option<BTreeMap<String, String>>,
    /// Optional; if given, it must name the key that encrypted the blob.
    pub source_key_id: Option<String>,
    /// The key to encrypt under.
    pub destination_key_id: String,
    /// The encryption context of the new blob.
    pub destination_encryption_context: Option<BTreeMap<String, String>>,
    /// `SYMMETRIC_DEFAULT`.
    pub source_encryption_algorithm: Option<String>,
    /// `SYMMETRIC_DEFAULT`.
    pub destination_encryption_algorithm: Option<String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// ReEncrypt's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptResponse {
    /// The new ciphertext blob (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub ciphertext_blob: Vec<u8>,
    /// The source key's ARN.
    pub source_key_id: String,
    /// The destination key's ARN.
    pub key_id: String,
    /// `SYMMETRIC_DEFAULT`.
    pub source_encryption_algorithm: &'static str,
    /// `SYMMETRIC_DEFAULT`.
    pub destination_encryption_algorithm: &'static str,
}

/// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateDataKeyRequest {
    /// Key id, key ARN, alias name or alias ARN.
    pub key_id: String,
    /// The encryption context bound to the encrypted data key.
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// 1–1024 bytes; exactly one of this and `KeySpec`.
    pub number_of_bytes: Option<u32>,
    /// `AES_256` or `AES_128`.
    pub key_spec: Option<String>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// GenerateDataKey's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyResponse {
    /// The data key encrypted under the KMS key (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub ciphertext_blob: Vec<u8>,
    /// The data key (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub plaintext: Vec<u8>,
    /// The key ARN.
    pub key_id: String,
}

/// GenerateDataKeyWithoutPlaintext's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    /// The data key encrypted under the KMS key (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub ciphertext_blob: Vec<u8>,
    /// The key ARN.
    pub key_id: String,
}

/// GenerateRandom.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateRandomRequest {
    /// 1–1024.
    pub number_of_bytes: Option<u32>,
    /// Custom key stores are not modelled.
    pub custom_key_store_id: Option<String>,
}

/// GenerateRandom's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomResponse {
    /// The random bytes (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub plaintext: Vec<u8>,
}

/// `InvalidCiphertextException`, the same whatever went wrong. KMS sends it without a message.
fn invalid_ciphertext() -> KmsError {
    KmsError::InvalidCiphertext(String::new())
}

/// `IncorrectKeyException` (API Reference, Decrypt and ReEncrypt).
fn incorrect_key() -> KmsError {
    KmsError::IncorrectKey(
        "The key ID in the request does not identify a KMS key that can perform this operation."
            .to_owned(),
    )
}

/// `EncryptionAlgorithm`: one of the API's enum that a modelled key spec uses; the others belong
/// to key types the playground does not model (KMS API Reference, EncryptionAlgorithmSpec).
fn check_algorithm(field: &str, algorithm: Option<&str>) -> Result<(), KmsError> {
    let Some(algorithm) = algorithm else {
        return Ok(());
    };
    if KEY_SPECS
        .iter()
        .any(|row| row.encryption_algorithms.contains(&algorithm))
    {
        return Ok(());
    }
    if ENCRYPTION_ALGORITHMS.contains(&algorithm) {
        let kinds = crate::catalog::kinds_of_key();
        return Err(KmsError::InvalidKeyUsage(format!(
            "{algorithm} is not a valid encryption algorithm for {}",
            kinds.join(" or ")
        )));
    }
    Err(KmsError::validation(
        Shown::Text(algorithm),
        field,
        Constraint::Enum(ENCRYPTION_ALGORITHMS),
    ))
}

fn check_ciphertext_size(blob: &[u8]) -> Result<(), KmsError> {
    KmsError::check_length(
        Shown::Blob(blob.len()),
        blob.len(),
        "ciphertextBlob",
        1,
        MAX_CIPHERTEXT_BYTES,
    )
}

/// The request values a cryptographic call is authorized with.
pub(super) fn crypto_params(
    context: Option<&BTreeMap<String, String>>,
    grant_tokens: &[String],
) -> RequestParams {
    algorithm_params(context, grant_tokens, SYMMETRIC_DEFAULT)
}

/// The request values of a call with an `EncryptionAlgorithm` (`kms:EncryptionAlgorithm`).
fn algorithm_params(
    context: Option<&BTreeMap<String, String>>,
    grant_tokens: &[String],
    algorithm: &str,
) -> RequestParams {
    RequestParams {
        encryption_context: context.filter(|c| !c.is_empty()).cloned(),
        encryption_algorithm: Some(algorithm.to_owned()),
        grant_tokens: grant_tokens.to_vec(),
        ..RequestParams::default()
    }
}

/// `algorithm` as one of `key`'s encryption algorithms (its row's), or
/// `InvalidKeyUsageException`: "The encryption algorithm ... is incompatible with the type of
/// key material in the KMS key (KeySpec)" (API Reference, Encrypt and Decrypt, Errors).
fn key_algorithm(key: &Key, algorithm: &str) -> Result<&'static str, KmsError> {
    let row = key.spec.row();
    row.encryption_algorithms
        .iter()
        .copied()
        .find(|a| *a == algorithm)
        .ok_or_else(|| {
            KmsError::InvalidKeyUsage(format!(
                "{algorithm} is not a valid encryption algorithm for a key with KeySpec {} and KeyUsage {}",
                row.name, row.usage_name
            ))
        })
}

/// An asymmetric key takes no encryption context: "An encryption context is valid only for
/// cryptographic operations with a symmetric encryption KMS key. The standard asymmetric
/// encryption algorithms ... do not support an encryption context" (API Reference, Encrypt,
/// Decrypt and ReEncrypt, EncryptionContext).
fn check_no_context(key: &Key, context: Option<&BTreeMap<String, String>>) -> Result<(), KmsError> {
    if key.spec.row().asymmetric && context.is_some_and(|c| !c.is_empty()) {
        return Err(KmsError::Validation(format!(
            "EncryptionContext is not supported with asymmetric KMS key {}",
            key.arn
        )));
    }
    Ok(())
}

/// Whether `algorithm` (when given) is an asymmetric one: Decrypt and ReEncrypt then need the
/// key named, since asymmetric ciphertext carries no key (API Reference, Decrypt: "When the KMS
/// key is asymmetric, you must specify the KMS key and the encryption algorithm").
fn is_asymmetric_algorithm(algorithm: Option<&str>) -> bool {
    algorithm.is_some_and(|a| a != SYMMETRIC_DEFAULT)
}

pub(super) fn context_of(pairs: Option<&BTreeMap<String, String>>) -> EncryptionContext {
    pairs
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Encrypts under `key` (already authorized and state-checked) with `algorithm`: RSAES-OAEP for
/// an asymmetric key, within its spec's plaintext limit (KMS Developer Guide,
/// asymmetric-key-specs.html, "RSA key specs for encryption and decryption").
fn seal_with(
    key: &Key,
    algorithm: &str,
    context: Option<&BTreeMap<String, String>>,
    plaintext: &[u8],
    env: &mut Env<'_>,
) -> Result<(Vec<u8>, &'static str), KmsError> {
    let algorithm = key_algorithm(key, algorithm)?;
    if !key.spec.row().asymmetric {
        let blob = seal(key, &context_of(context), plaintext, env)?;
        return Ok((blob, algorithm));
    }
    check_no_context(key, context)?;
    let limit = key.spec.max_plaintext(algorithm).unwrap_or_default();
    if plaintext.len() > limit {
        return Err(KmsError::Validation(format!(
            "Plaintext is {} bytes: a {} key encrypts at most {limit} bytes with {algorithm}",
            plaintext.len(),
            key.spec.as_str()
        )));
    }
    let blob = key
        .ring
        .encrypt_asymmetric(algorithm, plaintext, &mut *env.rng)
        .map_err(|e| match e {
            crypto::EncryptError::Randomness(e) => KmsError::from(e),
            crypto::EncryptError::Unavailable => super::sign::unavailable(key.spec.as_str()),
            other => KmsError::Internal(other.to_string()),
        })?;
    Ok((blob, algorithm))
}

/// The key ARN `blob` was encrypted under, if it is `key`'s or a related multi-Region key's
/// (same account and `mrk-` key id, another Region), else `key`'s own ARN (so decryption fails
/// as for any other key's blob). Related multi-Region keys share their key material, so each
/// decrypts what the others encrypted (KMS Developer Guide, multi-region-keys-overview.html).
fn blob_arn_of(key: &Key, blob: &[u8]) -> String {
    let Ok(parsed) = crypto::parse(blob) else {
        return key.arn.clone();
    };
    match KeyRef::parse(parsed.key_arn) {
        Ok(KeyRef::KeyArn { account, id, .. })
            if key.is_multi_region() && account == key.account && id == key.id =>
        {
            parsed.key_arn.to_owned()
        }
        _ => key.arn.clone(),
    }
}

/// The key ARN in `region` that decrypts what the key `arn` encrypted: `arn` itself, or for a
/// multi-Region key of another Region, the ARN of the related key in `region` (which may not
/// exist).
fn local_arn(arn: &str, region: &str) -> String {
    match KeyRef::parse(arn) {
        Ok(KeyRef::KeyArn {
            region: arn_region,
            account,
            id,
        }) if id.is_multi_region() && arn_region != region => key_arn(region, &account, &id),
        _ => arn.to_owned(),
    }
}

/// Decrypts `blob` under `key` (already authorized and state-checked) with `algorithm`; every
/// failure of the ciphertext itself is `InvalidCiphertextException`.
fn open_with(
    key: &Key,
    algorithm: &str,
    context: Option<&BTreeMap<String, String>>,
    blob: &[u8],
) -> Result<(Vec<u8>, &'static str), KmsError> {
    let algorithm = key_algorithm(key, algorithm)?;
    let plaintext = if key.spec.row().asymmetric {
        check_no_context(key, context)?;
        key.ring
            .decrypt_asymmetric(algorithm, blob)
            .map_err(|e| match e {
                crypto::AsymmetricDecryptError::Unavailable => {
                    super::sign::unavailable(key.spec.as_str())
                }
                crypto::AsymmetricDecryptError::InvalidCiphertext(_) => invalid_ciphertext(),
            })?
    } else {
        key.ring
            .decrypt(&blob_arn_of(key, blob), &context_of(context), blob)
            .map_err(|_| invalid_ciphertext())?
    };
    Ok((plaintext, algorithm))
}

/// Encrypts under a symmetric `key` (already authorized and state-checked).
pub(super) fn seal(
    key: &Key,
    context: &EncryptionContext,
    plaintext: &[u8],
    env: &mut Env<'_>,
) -> Result<Vec<u8>, KmsError> {
    key.ring
        .encrypt(&key.arn, context, plaintext, &mut *env.rng)
        .map_err(|e| match e {
            crypto::EncryptError::NoKeyMaterial => KmsError::pending_import(&key.arn),
            crypto::EncryptError::KeyArnTooLong | crypto::EncryptError::TooLong => {
                KmsError::Validation(e.to_string())
            }
            // The key-spec table refuses this before the ring is reached.
            crypto::EncryptError::NotAnEncryptionKey => {
                crate::store::check_key_usage(key.spec, Action::Encrypt, &key.arn)
                    .err()
                    .unwrap_or_else(|| KmsError::Internal(e.to_string()))
            }
            crypto::EncryptError::Randomness(e) => KmsError::from(e),
            crypto::EncryptError::Unavailable => super::sign::unavailable(key.spec.as_str()),
        })
}

impl World {
    /// Encrypt: up to 4096 bytes under a symmetric encryption key.
    pub fn encrypt(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: EncryptRequest,
    ) -> Result<EncryptResponse, KmsError> {
        KmsError::check_length(
            Shown::Sensitive,
            request.plaintext.len(),
            "plaintext",
            1,
            MAX_PLAINTEXT_BYTES,
        )?;
        check_algorithm(
            "encryptionAlgorithm",
            request.encryption_algorithm.as_deref(),
        )?;
        let algorithm = request
            .encryption_algorithm
            .as_deref()
            .unwrap_or(SYMMETRIC_DEFAULT);
        let params = algorithm_params(
            request.encryption_context.as_ref(),
            &request.grant_tokens,
            algorithm,
        );
        let (_, key) =
            self.key_operation(caller, env, &request.key_id, Action::Encrypt, true, params)?;
        key_algorithm(&key, algorithm)?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        let (ciphertext_blob, encryption_algorithm) = seal_with(
            &key,
            algorithm,
            request.encryption_context.as_ref(),
            &request.plaintext,
            env,
        )?;
        self.record_use(&key, Action::Encrypt, env);
        Ok(EncryptResponse {
            ciphertext_blob,
            key_id: key.arn.clone(),
            encryption_algorithm,
        })
    }

    /// Decrypt: the blob names its key, so `KeyId` is optional; a `KeyId` naming another key is
    /// `IncorrectKeyException`. Every decryption failure is `InvalidCiphertextException`.
    pub fn decrypt(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: DecryptRequest,
    ) -> Result<DecryptResponse, KmsError> {
        self.advance_time(env);
        check_ciphertext_size(&request.ciphertext_blob)?;
        check_algorithm(
            "encryptionAlgorithm",
            request.encryption_algorithm.as_deref(),
        )?;
        let algorithm = request
            .encryption_algorithm
            .as_deref()
            .unwrap_or(SYMMETRIC_DEFAULT);
        // Asymmetric ciphertext names no key: the request's KeyId is the key.
        let asymmetric = is_asymmetric_algorithm(request.encryption_algorithm.as_deref())
            && request.key_id.is_some();
        let blob_key = match &request.key_id {
            Some(id) if asymmetric => id.clone(),
            _ => self.blob_key_arn(caller, &request.ciphertext_blob, request.key_id.is_some())?,
        };
        let params = algorithm_params(
            request.encryption_context.as_ref(),
            &request.grant_tokens,
            algorithm,
        );
        let key_ref = request.key_id.as_deref().unwrap_or(&blob_key);
        let (_, key) = self.key_operation(caller, env, key_ref, Action::Decrypt, true, params)?;
        if !key.spec.row().asymmetric && key.arn != blob_key {
            if asymmetric {
                // A symmetric key with an asymmetric algorithm.
                key_algorithm(&key, algorithm)?;
            }
            return Err(incorrect_key());
        }
        let (plaintext, encryption_algorithm) = open_with(
            &key,
            algorithm,
            request.encryption_context.as_ref(),
            &request.ciphertext_blob,
        )?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::Decrypt, env);
        let key_material_id = if key.spec.row().asymmetric {
            None
        } else {
            material_id(&key, &request.ciphertext_blob)
        };
        Ok(DecryptResponse {
            key_id: key.arn.clone(),
            plaintext,
            encryption_algorithm,
            key_material_id,
        })
    }

    /// ReEncrypt: decrypts under the source key (`kms:ReEncryptFrom`) and encrypts under the
    /// destination key (`kms:ReEncryptTo`) without revealing the plaintext.
    pub fn re_encrypt(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ReEncryptRequest,
    ) -> Result<ReEncryptResponse, KmsError> {
        self.advance_time(env);
        check_ciphertext_size(&request.ciphertext_blob)?;
        check_algorithm(
            "sourceEncryptionAlgorithm",
            request.source_encryption_algorithm.as_deref(),
        )?;
        check_algorithm(
            "destinationEncryptionAlgorithm",
            request.destination_encryption_algorithm.as_deref(),
        )?;
        if request.destination_key_id.is_empty() {
            return Err(KmsError::validation(
                Shown::Text(""),
                "destinationKeyId",
                Constraint::MinLength(1),
            ));
        }
        let source_algorithm = request
            .source_encryption_algorithm
            .as_deref()
            .unwrap_or(SYMMETRIC_DEFAULT);
        let destination_algorithm = request
            .destination_encryption_algorithm
            .as_deref()
            .unwrap_or(SYMMETRIC_DEFAULT);
        let asymmetric_source =
            is_asymmetric_algorithm(request.source_encryption_algorithm.as_deref())
                && request.source_key_id.is_some();
        let blob_key = match &request.source_key_id {
            Some(id) if asymmetric_source => {
                let principal = self.calling_principal(caller)?;
                self.find_key(&principal, caller, id, true)?.0.arn.clone()
            }
            _ => self.blob_key_arn(
                caller,
                &request.ciphertext_blob,
                request.source_key_id.is_some(),
            )?,
        };
        let principal = self.calling_principal(caller)?;
        let (destination, _) =
            self.find_key(&principal, caller, &request.destination_key_id, true)?;
        // kms:ReEncryptOnSameKey (KMS Developer Guide, conditions-kms.html).
        let same_key = if destination.arn == blob_key {
            "true"
        } else {
            "false"
        };
        let mut source_params = algorithm_params(
            request.source_encryption_context.as_ref(),
            &request.grant_tokens,
            source_algorithm,
        );
        source_params
            .context
            .set("kms:ReEncryptOnSameKey", same_key);
        let source_ref = request.source_key_id.as_deref().unwrap_or(&blob_key);
        let (_, source) = self.key_operation(
            caller,
            env,
            source_ref,
            Action::ReEncryptFrom,
            true,
            source_params,
        )?;
        if source.arn != blob_key {
            return Err(incorrect_key());
        }
        let mut destination_params = algorithm_params(
            request.destination_encryption_context.as_ref(),
            &request.grant_tokens,
            destination_algorithm,
        );
        destination_params
            .context
            .set("kms:ReEncryptOnSameKey", same_key);
        let (_, destination) = self.key_operation(
            caller,
            env,
            &request.destination_key_id,
            Action::ReEncryptTo,
            true,
            destination_params,
        )?;
        key_algorithm(&destination, destination_algorithm)?;
        let (plaintext, source_encryption_algorithm) = open_with(
            &source,
            source_algorithm,
            request.source_encryption_context.as_ref(),
            &request.ciphertext_blob,
        )?;
        let plaintext = zeroize::Zeroizing::new(plaintext);
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        let (ciphertext_blob, destination_encryption_algorithm) = seal_with(
            &destination,
            destination_algorithm,
            request.destination_encryption_context.as_ref(),
            &plaintext,
            env,
        )?;
        // Recorded for both keys (API Reference, GetKeyLastUsage).
        self.record_use(&source, Action::ReEncryptFrom, env);
        self.record_use(&destination, Action::ReEncryptTo, env);
        Ok(ReEncryptResponse {
            ciphertext_blob,
            source_key_id: source.arn.clone(),
            key_id: destination.arn.clone(),
            source_encryption_algorithm,
            destination_encryption_algorithm,
        })
    }

    /// GenerateDataKey: a fresh data key, in plaintext and encrypted under the KMS key.
    pub fn generate_data_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, KmsError> {
        let (plaintext, ciphertext_blob, key_id) =
            self.data_key(caller, env, request, Action::GenerateDataKey)?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob,
            plaintext,
            key_id,
        })
    }

    /// GenerateDataKeyWithoutPlaintext: a fresh data key, encrypted only.
    pub fn generate_data_key_without_plaintext(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, KmsError> {
        let (_, ciphertext_blob, key_id) = self.data_key(
            caller,
            env,
            request,
            Action::GenerateDataKeyWithoutPlaintext,
        )?;
        Ok(GenerateDataKeyWithoutPlaintextResponse {
            ciphertext_blob,
            key_id,
        })
    }

    /// GenerateRandom: 1–1024 random bytes (IAM-only `kms:GenerateRandom`).
    pub fn generate_random(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse, KmsError> {
        self.advance_time(env);
        let count = random_length(request.number_of_bytes, "numberOfBytes")?
            .ok_or_else(|| KmsError::Validation("NumberOfBytes is required.".to_owned()))?;
        if request.custom_key_store_id.is_some() {
            return Err(KmsError::UnsupportedOperation(
                "Custom key stores are not modelled in KMS Playground.".to_owned(),
            ));
        }
        self.account_operation(caller, env, Action::GenerateRandom)?;
        let mut plaintext = vec![0; count];
        env.rng.fill_fresh(&mut plaintext)?;
        Ok(GenerateRandomResponse { plaintext })
    }

    /// The ARN of the key a blob names: `InvalidCiphertextException` for a blob that is not
    /// well formed, or (when the request names no key) that names no key of this world in the
    /// Region the request is sent to (keys are Regional: KMS Developer Guide, concepts.html#key-id).
    fn blob_key_arn(
        &self,
        caller: &Caller,
        blob: &[u8],
        key_named: bool,
    ) -> Result<String, KmsError> {
        let parsed = crypto::parse(blob).map_err(|_| invalid_ciphertext())?;
        let region = self.request_region(caller);
        // A multi-Region key's ciphertext is decrypted by the related key of the request's
        // Region (KMS Developer Guide, multi-region-keys-overview.html).
        let arn = local_arn(parsed.key_arn, region);
        if !key_named
            && self
                .keys
                .get_by_arn(&arn)
                .is_none_or(|k| k.region != region)
        {
            return Err(invalid_ciphertext());
        }
        Ok(arn)
    }

    fn data_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyRequest,
        action: Action,
    ) -> Result<(Vec<u8>, Vec<u8>, String), KmsError> {
        let from_spec = match request.key_spec.as_deref() {
            None => None,
            Some("AES_256") => Some(32),
            Some("AES_128") => Some(16),
            Some(other) => {
                return Err(KmsError::validation(
                    Shown::Text(other),
                    "keySpec",
                    Constraint::Enum(&["AES_256", "AES_128"]),
                ));
            }
        };
        let from_count = random_length(request.number_of_bytes, "numberOfBytes")?;
        let count = match (from_spec, from_count) {
            (Some(n), None) | (None, Some(n)) => n,
            _ => {
                return Err(KmsError::Validation(
                    "Please specify either number of bytes or key spec.".to_owned(),
                ));
            }
        };
        let params = crypto_params(request.encryption_context.as_ref(), &request.grant_tokens);
        let (_, key) = self.key_operation(caller, env, &request.key_id, action, true, params)?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        let mut plaintext = vec![0; count];
        env.rng.fill_fresh(&mut plaintext)?;
        let context = context_of(request.encryption_context.as_ref());
        let ciphertext_blob = seal(&key, &context, &plaintext, env)?;
        self.record_use(&key, action, env);
        Ok((plaintext, ciphertext_blob, key.arn.clone()))
    }
}

/// `NumberOfBytes`: 1–1024 when given.
fn random_length(count: Option<u32>, field: &str) -> Result<Option<usize>, KmsError> {
    match count {
        None => Ok(None),
        Some(n) => {
            KmsError::check_range(i64::from(n), field, 1, i64::from(MAX_RANDOM_BYTES))?;
            Ok(usize::try_from(n).ok())
        }
    }
}

/// The `KeyMaterialId` of the backing key version a blob was encrypted under.
pub(super) fn material_id(key: &Key, blob: &[u8]) -> Option<String> {
    let version = crypto::parse(blob).ok()?.key_version;
    let index = usize::try_from(version).ok()?.checked_sub(1)?;
    key.versions.get(index).map(|v| v.material_id.clone())
}
