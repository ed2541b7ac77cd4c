//! Request and response shapes of the KMS operations, with AWS's field names (KMS API
//! Reference). Timestamps serialize as epoch seconds, as on the wire; binary fields (import
//! token, public key, encrypted key material) as base64.

use crate::catalog::MacAlgorithm;
use crate::entropy::Timestamp;
use crate::store::{ExpirationModel, Key, KeyStore, Tag};
use serde::{Deserialize, Serialize};

/// Serde helpers for wire formats.
pub mod wire {
    use crate::entropy::Timestamp;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    /// A timestamp as epoch seconds (a JSON number, fractional milliseconds kept).
    pub fn epoch_seconds<S: Serializer>(time: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        #[expect(
            clippy::cast_precision_loss,
            reason = "epoch milliseconds fit an f64 exactly"
        )]
        let seconds = time.0 as f64 / 1000.0;
        s.serialize_f64(seconds)
    }

    /// An optional timestamp as epoch seconds.
    pub fn opt_epoch_seconds<S: Serializer>(
        time: &Option<Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => epoch_seconds(time, s),
            None => s.serialize_none(),
        }
    }

    /// Reads epoch seconds (number) into a timestamp.
    pub fn opt_epoch_seconds_in<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        let seconds = Option::<f64>::deserialize(d)?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "dates within ±292 million years fit an i64 of milliseconds"
        )]
        Ok(seconds.map(|s| Timestamp((s * 1000.0).round() as i64)))
    }

    /// Bytes as base64.
    pub fn base64<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Base64 into bytes.
    pub fn base64_in<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// `KeyMetadata` (API DescribeKey). DescribeKey returns no aliases, rotation status, tags,
/// policy or grants.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// The owning account.
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// When the key was created.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub creation_date: Timestamp,
    /// Whether the key state is `Enabled`.
    pub enabled: bool,
    /// The description.
    pub description: String,
    /// `ENCRYPT_DECRYPT` or `GENERATE_VERIFY_MAC`.
    pub key_usage: &'static str,
    /// The key state.
    pub key_state: &'static str,
    /// When a key pending deletion will be deleted.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub deletion_date: Option<Timestamp>,
    /// When imported key material expires.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub valid_to: Option<Timestamp>,
    /// `AWS_KMS` or `EXTERNAL`.
    pub origin: &'static str,
    /// `CUSTOMER`: every key in the playground is a customer managed key.
    pub key_manager: &'static str,
    /// The legacy name of the key spec.
    pub customer_master_key_spec: &'static str,
    /// `SYMMETRIC_DEFAULT`.
    pub key_spec: &'static str,
    /// The key spec's encryption algorithms, such as `["SYMMETRIC_DEFAULT"]` (absent for HMAC
    /// keys).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<&'static str>,
    /// The key spec's MAC algorithms, such as `["HMAC_SHA_256"]` (HMAC keys only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mac_algorithms: Vec<MacAlgorithm>,
    /// The key spec's signing algorithms, such as `["ECDSA_SHA_256"]` (signing keys only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_algorithms: Vec<&'static str>,
    /// `["ECDH"]` for a key agreement key (API Reference, KeyMetadata, KeyAgreementAlgorithms).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_agreement_algorithms: Vec<&'static str>,
    /// Whether the key is a multi-Region key.
    pub multi_region: bool,
    /// A multi-Region key's primary and replicas (absent for a single-Region key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    /// The waiting period of a key pending deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
    /// For imported material: whether it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<ExpirationModel>,
}

impl KeyMetadata {
    /// The metadata of `key` at `now` (its state then: `Creating` and `Updating` last a few
    /// seconds); `store` holds its related multi-Region keys.
    pub fn of(key: &Key, store: &KeyStore, now: Timestamp) -> KeyMetadata {
        let (deletion_date, window) = match key.state {
            crate::store::KeyState::PendingDeletion {
                deletion_date,
                window_days,
            } => (Some(deletion_date), Some(window_days)),
            // A primary waiting for its replicas' deletion has a waiting period but no date
            // yet (API Reference, KeyMetadata, PendingDeletionWindowInDays).
            crate::store::KeyState::PendingReplicaDeletion { window_days } => {
                (None, Some(window_days))
            }
            _ => (None, None),
        };
        KeyMetadata {
            aws_account_id: key.account.clone(),
            key_id: key.id.to_string(),
            arn: key.arn.clone(),
            creation_date: key.created,
            enabled: key.is_enabled_at(now),
            description: key.description.clone(),
            key_usage: key.usage.as_str(),
            key_state: key.state_at(now).as_str(),
            deletion_date,
            valid_to: key.material_valid_to,
            origin: key.origin.as_str(),
            key_manager: "CUSTOMER",
            customer_master_key_spec: key.spec.as_str(),
            key_spec: key.spec.as_str(),
            encryption_algorithms: key.spec.row().encryption_algorithms.to_vec(),
            mac_algorithms: key.spec.row().mac_algorithms.to_vec(),
            signing_algorithms: key.spec.row().signing_algorithms.to_vec(),
            key_agreement_algorithms: key.spec.row().key_agreement_algorithms().to_vec(),
            multi_region: key.is_multi_region(),
            multi_region_configuration: MultiRegionConfiguration::of(key, store),
            pending_deletion_window_in_days: window,
            expiration_model: key.expiration_model,
        }
    }
}

/// `MultiRegionConfiguration` (API Reference, MultiRegionConfiguration): whether the key is the
/// `PRIMARY` or a `REPLICA`, the primary's ARN and Region, and every replica's (the same for
/// every key of the set, the key itself included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionConfiguration {
    /// `PRIMARY` or `REPLICA`.
    pub multi_region_key_type: &'static str,
    /// The primary key (this key, for the primary).
    pub primary_key: MultiRegionKey,
    /// The replica keys.
    pub replica_keys: Vec<MultiRegionKey>,
}

impl MultiRegionConfiguration {
    /// The configuration of a multi-Region `key`, from its related keys in `store` (`None` for
    /// a single-Region key).
    pub fn of(key: &Key, store: &KeyStore) -> Option<MultiRegionConfiguration> {
        let key_type = key.multi_region_key_type()?;
        let entry = |k: &Key| MultiRegionKey {
            arn: k.arn.clone(),
            region: k.region.clone(),
        };
        let related: Vec<&std::sync::Arc<Key>> = store
            .with_id(&key.id)
            .filter(|k| k.account == key.account)
            .collect();
        let primary = related
            .iter()
            .find(|k| !k.replica)
            .map_or_else(|| entry(key), |k| entry(k));
        Some(MultiRegionConfiguration {
            multi_region_key_type: key_type,
            primary_key: primary,
            replica_keys: related
                .iter()
                .filter(|k| k.replica)
                .map(|k| entry(k))
                .collect(),
        })
    }
}

/// One key of a multi-Region key (API Reference, MultiRegionKey).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionKey {
    /// Its key ARN.
    pub arn: String,
    /// Its Region.
    pub region: String,
}

/// A request that names one key and nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdRequest {
    /// Key id or key ARN (or, where the operation allows, alias name or alias ARN).
    pub key_id: String,
}

impl KeyIdRequest {
    /// A request for `key_id`.
    pub fn new(key_id: impl Into<String>) -> KeyIdRequest {
        KeyIdRequest {
            key_id: key_id.into(),
        }
    }
}

/// A response that names one key by ARN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdResponse {
    /// The key ARN.
    pub key_id: String,
}

/// CreateKey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateKeyRequest {
    /// The key policy; without it the key gets the default policy.
    pub policy: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// `ENCRYPT_DECRYPT` (the default) or `GENERATE_VERIFY_MAC`: the usage the key spec's
    /// row names.
    pub key_usage: Option<String>,
    /// `SYMMETRIC_DEFAULT` (the default) or a row of the key-spec table, such as `HMAC_256`.
    pub key_spec: Option<String>,
    /// The legacy name of `KeySpec`.
    pub customer_master_key_spec: Option<String>,
    /// `AWS_KMS` (default) or `EXTERNAL`.
    pub origin: Option<String>,
    /// Skip the lockout safety check for `Policy`.
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// Tags (needs `kms:TagResource` too).
    pub tags: Option<Vec<Tag>>,
    /// `true` makes a multi-Region primary key (an `mrk-` key id).
    pub multi_region: Option<bool>,
}

/// CreateKey and DescribeKey responses.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataResponse {
    /// The key's metadata.
    pub key_metadata: KeyMetadata,
}

/// DescribeKey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeKeyRequest {
    /// Key id, key ARN, alias name or alias ARN.
    pub key_id: String,
    /// Grant tokens.
    pub grant_tokens: Vec<String>,
}

/// Paging parameters of the list operations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListRequest {
    /// Page size.
    pub limit: Option<u32>,
    /// Where to continue.
    pub marker: Option<String>,
}

/// One entry of ListKeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
}

/// ListKeys response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysResponse {
    /// The keys.
    pub keys: Vec<KeyListEntry>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more.
    pub truncated: bool,
}

/// UpdateKeyDescription.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateKeyDescriptionRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// The new description.
    pub description: String,
}

/// ScheduleKeyDeletion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ScheduleKeyDeletionRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// 7–30 days, default 30.
    pub pending_window_in_days: Option<u32>,
}

/// ScheduleKeyDeletion response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionResponse {
    /// The key ARN.
    pub key_id: String,
    /// When the key will be deleted; absent for a multi-Region primary key with replicas,
    /// whose date is not known until its last replica is deleted (API Reference,
    /// ScheduleKeyDeletion, DeletionDate).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub deletion_date: Option<Timestamp>,
    /// `PendingDeletion`, or `PendingReplicaDeletion` for a primary key with replicas.
    pub key_state: &'static str,
    /// The waiting period.
    pub pending_window_in_days: u32,
}

/// GetKeyPolicy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetKeyPolicyRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// `default` (the only key policy name).
    pub policy_name: Option<String>,
}

/// GetKeyPolicy response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyResponse {
    /// The policy text, as written.
    pub policy: String,
    /// `default`.
    pub policy_name: String,
}

/// PutKeyPolicy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PutKeyPolicyRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// `default`.
    pub policy_name: Option<String>,
    /// The new policy text.
    pub policy: String,
    /// Skip the lockout safety check.
    pub bypass_policy_lockout_safety_check: Option<bool>,
}

/// ListKeyPolicies response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyPoliciesResponse {
    /// `["default"]`.
    pub policy_names: Vec<String>,
    /// Always false.
    pub truncated: bool,
}

/// CreateAlias and UpdateAlias.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AliasRequest {
    /// `alias/NAME`.
    pub alias_name: String,
    /// Key id or key ARN.
    pub target_key_id: String,
}

/// DeleteAlias.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteAliasRequest {
    /// `alias/NAME`.
    pub alias_name: String,
}

/// ListAliases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListAliasesRequest {
    /// Only the aliases of this key (key id or key ARN).
    pub key_id: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Where to continue.
    pub marker: Option<String>,
}

/// One entry of ListAliases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    /// `alias/NAME`.
    pub alias_name: String,
    /// The alias ARN.
    pub alias_arn: String,
    /// The key id it points to.
    pub target_key_id: String,
    /// When it was created.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub creation_date: Timestamp,
    /// When it last changed.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub last_updated_date: Timestamp,
}

/// ListAliases response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesResponse {
    /// The aliases.
    pub aliases: Vec<AliasListEntry>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more.
    pub truncated: bool,
}

/// TagResource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagResourceRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Tags to add or change.
    pub tags: Vec<Tag>,
}

/// UntagResource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UntagResourceRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Tag keys to remove.
    pub tag_keys: Vec<String>,
}

/// ListResourceTags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListResourceTagsRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Page size.
    pub limit: Option<u32>,
    /// Where to continue.
    pub marker: Option<String>,
}

/// ListKeyRotations (the same shape as ListResourceTags).
pub type ListKeyRotationsRequest = ListResourceTagsRequest;

/// ListResourceTags response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsResponse {
    /// The tags.
    pub tags: Vec<Tag>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more.
    pub truncated: bool,
}

/// EnableKeyRotation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EnableKeyRotationRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// 90–2560 days, default 365.
    pub rotation_period_in_days: Option<u32>,
}

/// GetKeyLastUsage response (KMS API Reference, GetKeyLastUsage).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyLastUsageResponse {
    /// The key id.
    pub key_id: String,
    /// The last successful cryptographic operation; empty when the key has not been used.
    pub key_last_usage: KeyLastUsageData,
    /// When KMS began recording the key's use: its creation, in the playground.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub tracking_start_date: Timestamp,
    /// When the key was created.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub key_creation_date: Timestamp,
}

/// `KeyLastUsageData`: each field is absent when the key has not been used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyLastUsageData {
    /// The API operation, such as `Encrypt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'static str>,
    /// When it ran.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub timestamp: Option<Timestamp>,
    /// Its CloudTrail `eventId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_trail_event_id: Option<String>,
    /// Its KMS request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_request_id: Option<String>,
}

/// GetKeyRotationStatus response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatusResponse {
    /// Whether automatic rotation is on.
    pub key_rotation_enabled: bool,
    /// The key ARN.
    pub key_id: String,
    /// The rotation period, when rotation is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    /// The next automatic rotation, when rotation is on.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub next_rotation_date: Option<Timestamp>,
}

/// One entry of ListKeyRotations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationEntry {
    /// The key ARN.
    pub key_id: String,
    /// The new material's id.
    pub key_material_id: String,
    /// When the rotation happened.
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub rotation_date: Timestamp,
    /// `AUTOMATIC` or `ON_DEMAND`.
    pub rotation_type: &'static str,
}

/// ListKeyRotations response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyRotationsResponse {
    /// Completed rotations, oldest first.
    pub rotations: Vec<RotationEntry>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there are more.
    pub truncated: bool,
}

/// GetParametersForImport.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetParametersForImportRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Such as `RSAES_OAEP_SHA_256` (recorded; the playground's wrapping is simplified).
    pub wrapping_algorithm: String,
    /// Such as `RSA_2048` (recorded; the playground's wrapping is simplified).
    pub wrapping_key_spec: String,
}

/// GetParametersForImport response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetParametersForImportResponse {
    /// The key ARN.
    pub key_id: String,
    /// The import token.
    #[serde(serialize_with = "wire::base64")]
    pub import_token: Vec<u8>,
    /// The RSA wrapping public key, DER `SubjectPublicKeyInfo`.
    #[serde(serialize_with = "wire::base64")]
    pub public_key: Vec<u8>,
    /// When the token and key stop being valid (24 hours).
    #[serde(serialize_with = "wire::epoch_seconds")]
    pub parameters_valid_to: Timestamp,
}

/// ImportKeyMaterial.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImportKeyMaterialRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// The token from GetParametersForImport.
    #[serde(deserialize_with = "wire::base64_in", serialize_with = "wire::base64")]
    pub import_token: Vec<u8>,
    /// The key material wrapped under the public key from GetParametersForImport with its
    /// wrapping algorithm.
    #[serde(deserialize_with = "wire::base64_in", serialize_with = "wire::base64")]
    pub encrypted_key_material: Vec<u8>,
    /// `KEY_MATERIAL_EXPIRES` (default) or `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    pub expiration_model: Option<ExpirationModel>,
    /// When the material expires (required with `KEY_MATERIAL_EXPIRES`).
    #[serde(
        deserialize_with = "wire::opt_epoch_seconds_in",
        serialize_with = "wire::opt_epoch_seconds"
    )]
    pub valid_to: Option<Timestamp>,
}

/// ReplicateKey (API Reference, ReplicateKey).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReplicateKeyRequest {
    /// Key id or key ARN of a multi-Region primary key.
    pub key_id: String,
    /// The Region of the new replica key.
    pub replica_region: String,
    /// The replica's key policy; the default key policy when absent.
    pub policy: Option<String>,
    /// Skips the lockout safety check of `policy`.
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// The replica's description.
    pub description: Option<String>,
    /// The replica's tags.
    pub tags: Option<Vec<Tag>>,
}

/// ReplicateKey's response.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateKeyResponse {
    /// The new replica key's metadata.
    pub replica_key_metadata: KeyMetadata,
    /// The replica's key policy.
    pub replica_policy: String,
    /// The replica's tags.
    pub replica_tags: Vec<Tag>,
}

/// UpdatePrimaryRegion (API Reference, UpdatePrimaryRegion).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdatePrimaryRegionRequest {
    /// Key id or key ARN of the current primary key.
    pub key_id: String,
    /// The Region of the replica key that becomes the primary key.
    pub primary_region: String,
}
