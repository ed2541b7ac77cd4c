//! GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext and DeriveSharedSecret (API
//! Reference).
//!
//! A data key pair is made outside any KMS key: a fresh elliptic-curve key pair whose private
//! key (PKCS#8 DER) is encrypted under a symmetric encryption KMS key as ordinary ciphertext of
//! this playground's blob format, so Decrypt returns it. DeriveSharedSecret runs ECDH between a
//! `KEY_AGREEMENT` key's private key and a peer's public key (DER `SubjectPublicKeyInfo`) and
//! returns the raw shared secret. Each is authorized like any key operation (with
//! `kms:DataKeyPairSpec` or `kms:KeyAgreementAlgorithm` in the request context), then gated by
//! the key state and the key-spec table ([`crate::store::check_key`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::crypto_ops::{context_of, crypto_params, material_id, seal};
use super::grants::dry_run_error;
use super::{Action, Caller, Env};
use crate::authz::RequestParams;
use crate::catalog::{DATA_KEY_PAIR_SPECS, KEY_AGREEMENT_ALGORITHMS, data_key_pair_spec};
use crate::crypto::{AgreementError, DataKeyPair, DataKeyPairError};
use crate::error::{Constraint, KmsError, Shown};
use crate::kms::types::wire;
use crate::world::World;

/// The longest public key DeriveSharedSecret takes (API Reference, DeriveSharedSecret,
/// PublicKey: 1–8192 bytes).
pub const MAX_PUBLIC_KEY_BYTES: usize = 8192;

/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateDataKeyPairRequest {
    /// Key id, key ARN, alias name or alias ARN of a symmetric encryption key.
    pub key_id: String,
    /// The encryption context bound to the encrypted private key.
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// The kind of key pair, such as `ECC_NIST_P256` (API `DataKeyPairSpec`).
    pub key_pair_spec: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// A Nitro enclave's attestation document (`RecipientInfo`): not modelled, refused.
    pub recipient: Option<serde_json::Value>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// GenerateDataKeyPair's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairResponse {
    /// The private key encrypted under the KMS key (base64 on the wire): Decrypt returns it.
    #[serde(serialize_with = "wire::base64")]
    pub private_key_ciphertext_blob: Vec<u8>,
    /// The private key, PKCS#8 DER (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub private_key_plaintext: Vec<u8>,
    /// The public key, DER `SubjectPublicKeyInfo` (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub public_key: Vec<u8>,
    /// The ARN of the KMS key that encrypted the private key.
    pub key_id: String,
    /// The key pair spec generated.
    pub key_pair_spec: &'static str,
    /// The backing key version that encrypted the private key (`KeyMaterialId`, newest API
    /// model, as Decrypt's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// GenerateDataKeyPairWithoutPlaintext's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyPairWithoutPlaintextResponse {
    /// The private key encrypted under the KMS key (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub private_key_ciphertext_blob: Vec<u8>,
    /// The public key, DER `SubjectPublicKeyInfo` (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub public_key: Vec<u8>,
    /// The ARN of the KMS key that encrypted the private key.
    pub key_id: String,
    /// The key pair spec generated.
    pub key_pair_spec: &'static str,
    /// The backing key version that encrypted the private key (`KeyMaterialId`, newest API
    /// model, as Decrypt's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// DeriveSharedSecret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeriveSharedSecretRequest {
    /// Key id, key ARN, alias name or alias ARN of a `KEY_AGREEMENT` key.
    pub key_id: String,
    /// `ECDH`.
    pub key_agreement_algorithm: String,
    /// The peer's public key, DER `SubjectPublicKeyInfo` on the key's curve (base64 on the
    /// wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub public_key: Vec<u8>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
    /// A Nitro enclave's attestation document (`RecipientInfo`): not modelled, refused.
    pub recipient: Option<serde_json::Value>,
}

/// DeriveSharedSecret's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeriveSharedSecretResponse {
    /// The key ARN.
    pub key_id: String,
    /// The raw ECDH shared secret, the x-coordinate of the shared point (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub shared_secret: Vec<u8>,
    /// `ECDH`.
    pub key_agreement_algorithm: &'static str,
    /// The key's origin, `AWS_KMS`.
    pub key_origin: &'static str,
}

/// `Recipient` (attestation documents of AWS Nitro enclaves and NitroTPM) is not modelled: a
/// request with one is refused rather than answered as if there were none.
fn refuse_recipient(recipient: Option<&serde_json::Value>) -> Result<(), KmsError> {
    match recipient {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(_) => Err(KmsError::UnsupportedOperation(
            "Recipient is not supported by KMS Playground: attestation documents of Nitro enclaves are not modelled".to_owned(),
        )),
    }
}

/// What both data key pair operations make.
struct MadeKeyPair {
    pair: DataKeyPair,
    /// The private key encrypted under the KMS key.
    ciphertext: Vec<u8>,
    /// The KMS key's ARN.
    key_id: String,
    spec: &'static str,
    material_id: Option<String>,
}

/// Why KMS Playground refuses `KeyPairSpec` `name`, naming the key pair specs it generates.
fn unsupported_key_pair_spec(name: &str) -> KmsError {
    let names: Vec<&str> = DATA_KEY_PAIR_SPECS
        .iter()
        .copied()
        .filter(|name| {
            data_key_pair_spec(name).is_some_and(crate::crypto::generates_data_key_pairs)
        })
        .collect();
    KmsError::UnsupportedOperation(format!(
        "KeyPairSpec {name} is not supported by KMS Playground: it generates only {} data key pairs",
        names.join(", ")
    ))
}

impl World {
    /// GenerateDataKeyPair: a fresh key pair, its private key in plaintext and encrypted under a
    /// symmetric encryption KMS key.
    pub fn generate_data_key_pair(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, KmsError> {
        let made = self.data_key_pair(caller, env, request, Action::GenerateDataKeyPair)?;
        Ok(GenerateDataKeyPairResponse {
            private_key_ciphertext_blob: made.ciphertext,
            private_key_plaintext: made.pair.private_key.to_vec(),
            public_key: made.pair.public_key,
            key_id: made.key_id,
            key_pair_spec: made.spec,
            key_material_id: made.material_id,
        })
    }

    /// GenerateDataKeyPairWithoutPlaintext: a fresh key pair, its private key encrypted only.
    pub fn generate_data_key_pair_without_plaintext(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse, KmsError> {
        let made = self.data_key_pair(
            caller,
            env,
            request,
            Action::GenerateDataKeyPairWithoutPlaintext,
        )?;
        Ok(GenerateDataKeyPairWithoutPlaintextResponse {
            private_key_ciphertext_blob: made.ciphertext,
            public_key: made.pair.public_key,
            key_id: made.key_id,
            key_pair_spec: made.spec,
            key_material_id: made.material_id,
        })
    }

    /// DeriveSharedSecret: ECDH between a `KEY_AGREEMENT` key's private key and a peer's public
    /// key on the same curve.
    pub fn derive_shared_secret(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse, KmsError> {
        if !KEY_AGREEMENT_ALGORITHMS.contains(&request.key_agreement_algorithm.as_str()) {
            return Err(KmsError::validation(
                Shown::Text(&request.key_agreement_algorithm),
                "keyAgreementAlgorithm",
                Constraint::Enum(KEY_AGREEMENT_ALGORITHMS),
            ));
        }
        KmsError::check_length(
            Shown::Blob(request.public_key.len()),
            request.public_key.len(),
            "publicKey",
            1,
            MAX_PUBLIC_KEY_BYTES,
        )?;
        refuse_recipient(request.recipient.as_ref())?;
        let mut params = RequestParams {
            grant_tokens: request.grant_tokens,
            ..RequestParams::default()
        };
        params.context.set(
            "kms:KeyAgreementAlgorithm",
            request.key_agreement_algorithm.as_str(),
        );
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::DeriveSharedSecret,
            true,
            params,
        )?;
        let shared = key
            .ring
            .derive_shared_secret(&request.public_key)
            .map_err(|e| match e {
                // A public key KMS cannot read as a DER SubjectPublicKeyInfo on the key's curve
                // is a ValidationException (API Reference, DeriveSharedSecret, PublicKey).
                AgreementError::InvalidPublicKey => KmsError::Validation(format!(
                    "PublicKey is not a valid DER-encoded SubjectPublicKeyInfo of a {} public key",
                    key.spec.as_str()
                )),
                AgreementError::Unavailable => super::sign::unavailable(key.spec.as_str()),
                AgreementError::NotAnAgreementKey => {
                    crate::store::check_key_usage(key.spec, Action::DeriveSharedSecret, &key.arn)
                        .err()
                        .unwrap_or_else(|| KmsError::Internal("no key agreement key".to_owned()))
                }
            })?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::DeriveSharedSecret, env);
        Ok(DeriveSharedSecretResponse {
            key_id: key.arn.clone(),
            shared_secret: shared.to_vec(),
            key_agreement_algorithm: "ECDH",
            key_origin: key.origin.as_str(),
        })
    }

    /// The checks and work both data key pair operations share: the spec, authorization, the
    /// key (a symmetric encryption key), the pair and its encrypted private key.
    fn data_key_pair(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateDataKeyPairRequest,
        action: Action,
    ) -> Result<MadeKeyPair, KmsError> {
        let spec_name = DATA_KEY_PAIR_SPECS
            .iter()
            .copied()
            .find(|s| *s == request.key_pair_spec)
            .ok_or_else(|| {
                KmsError::validation(
                    Shown::Text(&request.key_pair_spec),
                    "keyPairSpec",
                    Constraint::Enum(DATA_KEY_PAIR_SPECS),
                )
            })?;
        refuse_recipient(request.recipient.as_ref())?;
        let mut params = crypto_params(request.encryption_context.as_ref(), &request.grant_tokens);
        params.context.set("kms:DataKeyPairSpec", spec_name);
        let (_, key) = self.key_operation(caller, env, &request.key_id, action, true, params)?;
        let unsupported = || unsupported_key_pair_spec(spec_name);
        let spec = data_key_pair_spec(spec_name)
            .filter(|spec| crate::crypto::generates_data_key_pairs(*spec))
            .ok_or_else(unsupported)?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        let pair =
            crate::crypto::generate_data_key_pair(spec, &mut *env.rng).map_err(|e| match e {
                DataKeyPairError::Randomness(e) => KmsError::from(e),
                DataKeyPairError::NotAKeyPairSpec => unsupported(),
                DataKeyPairError::Unavailable => super::sign::unavailable(key.spec.as_str()),
            })?;
        let context = context_of(request.encryption_context.as_ref());
        let ciphertext = seal(&key, &context, &pair.private_key, env)?;
        self.record_use(&key, action, env);
        Ok(MadeKeyPair {
            material_id: material_id(&key, &ciphertext),
            pair,
            ciphertext,
            key_id: key.arn.clone(),
            spec: spec_name,
        })
    }
}
