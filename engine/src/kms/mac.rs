//! GenerateMac and VerifyMac: HMAC with an HMAC KMS key (API Reference, GenerateMac and
//! VerifyMac; KMS Developer Guide, hmac.html). Each is authorized like any key operation (key
//! policy, IAM, grants, `GrantTokens`, `kms:MacAlgorithm`), then gated by the key state and the
//! key-spec table (an encryption key answers `InvalidKeyUsageException`), then computed with
//! real HMAC (RFC 2104) by [`crate::crypto`].

use serde::{Deserialize, Serialize};

use super::grants::dry_run_error;
use super::{Action, Caller, Env};
use crate::authz::RequestParams;
use crate::catalog::MacAlgorithm;
use crate::crypto::MacError;
use crate::error::{Constraint, KmsError, Shown};
use crate::kms::types::wire;
use crate::store::Key;
use crate::world::World;

/// The longest message GenerateMac and VerifyMac take (API Reference: "up to 4,096 bytes").
pub const MAX_MAC_MESSAGE_BYTES: usize = 4096;
/// The longest `Mac` VerifyMac takes (API Reference, VerifyMac: 1–6144 bytes).
pub const MAX_MAC_BYTES: usize = 6144;

/// GenerateMac.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateMacRequest {
    /// The message, 1–4096 bytes (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub message: Vec<u8>,
    /// Key id, key ARN, alias name or alias ARN of an HMAC key.
    pub key_id: String,
    /// `HMAC_SHA_224`, `HMAC_SHA_256`, `HMAC_SHA_384` or `HMAC_SHA_512`: the key spec's.
    pub mac_algorithm: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// GenerateMac's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateMacResponse {
    /// The HMAC (base64 on the wire).
    #[serde(serialize_with = "wire::base64")]
    pub mac: Vec<u8>,
    /// The algorithm used.
    pub mac_algorithm: MacAlgorithm,
    /// The key ARN, however the request named the key.
    pub key_id: String,
}

/// VerifyMac.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VerifyMacRequest {
    /// The message, 1–4096 bytes (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub message: Vec<u8>,
    /// Key id, key ARN, alias name or alias ARN of an HMAC key.
    pub key_id: String,
    /// The algorithm the MAC was made with.
    pub mac_algorithm: String,
    /// The HMAC to verify (base64 on the wire).
    #[serde(serialize_with = "wire::base64", deserialize_with = "wire::base64_in")]
    pub mac: Vec<u8>,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// VerifyMac's response (a MAC that does not verify is `KMSInvalidMacException` instead).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyMacResponse {
    /// The key ARN.
    pub key_id: String,
    /// Always true: a mismatch is an error.
    pub mac_valid: bool,
    /// The algorithm used.
    pub mac_algorithm: MacAlgorithm,
}

/// `Message`: 1–4096 bytes.
fn check_message(message: &[u8]) -> Result<(), KmsError> {
    KmsError::check_length(
        Shown::Sensitive,
        message.len(),
        "message",
        1,
        MAX_MAC_MESSAGE_BYTES,
    )
}

/// `MacAlgorithm`: one of the API's `MacAlgorithmSpec` values.
fn parse_algorithm(name: &str) -> Result<MacAlgorithm, KmsError> {
    MacAlgorithm::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = MacAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
        KmsError::validation(Shown::Text(name), "macAlgorithm", Constraint::Enum(&names))
    })
}

/// The MAC error as KMS names it: an algorithm the key's spec does not use is
/// `InvalidKeyUsageException` (API Reference, GenerateMac, Errors: "The request was rejected
/// ... the signing algorithm specified for the operation is incompatible with the type of key
/// material in the KMS key").
fn mac_error(key: &Key, algorithm: MacAlgorithm, e: MacError) -> KmsError {
    match e {
        MacError::WrongAlgorithm => KmsError::InvalidKeyUsage(format!(
            "Algorithm {} is incompatible with key spec {}.",
            algorithm.as_str(),
            key.spec.as_str()
        )),
        MacError::NoKeyMaterial => KmsError::pending_import(&key.arn),
    }
}

impl World {
    /// GenerateMac: the HMAC of a message with an HMAC key and the algorithm its spec uses.
    pub fn generate_mac(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GenerateMacRequest,
    ) -> Result<GenerateMacResponse, KmsError> {
        check_message(&request.message)?;
        let algorithm = parse_algorithm(&request.mac_algorithm)?;
        let key = self.mac_key(
            caller,
            env,
            &request.key_id,
            Action::GenerateMac,
            algorithm,
            &request.grant_tokens,
        )?;
        let mac = key
            .ring
            .mac(algorithm, &request.message)
            .map_err(|e| mac_error(&key, algorithm, e))?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::GenerateMac, env);
        Ok(GenerateMacResponse {
            mac,
            mac_algorithm: algorithm,
            key_id: key.arn.clone(),
        })
    }

    /// VerifyMac: recomputes the HMAC and compares it in constant time; a mismatch is
    /// `KMSInvalidMacException` (API Reference, VerifyMac).
    pub fn verify_mac(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: VerifyMacRequest,
    ) -> Result<VerifyMacResponse, KmsError> {
        check_message(&request.message)?;
        KmsError::check_length(
            Shown::Blob(request.mac.len()),
            request.mac.len(),
            "mac",
            1,
            MAX_MAC_BYTES,
        )?;
        let algorithm = parse_algorithm(&request.mac_algorithm)?;
        let key = self.mac_key(
            caller,
            env,
            &request.key_id,
            Action::VerifyMac,
            algorithm,
            &request.grant_tokens,
        )?;
        let valid = key
            .ring
            .verify_mac(algorithm, &request.message, &request.mac)
            .map_err(|e| mac_error(&key, algorithm, e))?;
        if !valid {
            return Err(KmsError::InvalidMac(String::new()));
        }
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.record_use(&key, Action::VerifyMac, env);
        Ok(VerifyMacResponse {
            key_id: key.arn.clone(),
            mac_valid: true,
            mac_algorithm: algorithm,
        })
    }

    /// The HMAC key `key_id` names, with `action` authorized (`kms:MacAlgorithm` in the
    /// request context) and its state and key usage checked.
    fn mac_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        key_id: &str,
        action: Action,
        algorithm: MacAlgorithm,
        grant_tokens: &[String],
    ) -> Result<std::sync::Arc<Key>, KmsError> {
        let mut params = RequestParams {
            grant_tokens: grant_tokens.to_vec(),
            ..RequestParams::default()
        };
        params.context.set("kms:MacAlgorithm", algorithm.as_str());
        let (_, key) = self.key_operation(caller, env, key_id, action, true, params)?;
        Ok(key)
    }
}
