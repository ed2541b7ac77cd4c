//! A KMS key and its properties.

use crate::catalog::{KeySpec, KeyUsage};
use crate::crypto::{KeyRing, WrappingKey};
use crate::entropy::{Randomness, RandomnessUnavailable, Timestamp};
use crate::format::hex;
use crate::policy::Policy;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Milliseconds in a day.
pub const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A key id: a UUID such as `1234abcd-12ab-34cd-56ef-1234567890ab`, or for a multi-Region key
/// `mrk-` and 32 hex digits (KMS Developer Guide, concepts.html#key-id-key-id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// A fresh random (version 4) UUID from `rng`.
    pub fn generate(rng: &mut dyn Randomness) -> Result<KeyId, RandomnessUnavailable> {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes)?;
        Ok(KeyId(crate::format::uuid_v4(bytes)))
    }

    /// `text` if it has the shape of a key id: a lowercase UUID, or `mrk-` and 32 hex digits
    /// (multi-Region keys).
    pub fn parse(text: &str) -> Option<KeyId> {
        let is_hex = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let uuid = {
            let groups: Vec<&str> = text.split('-').collect();
            groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| is_hex(g))
        };
        let mrk = text
            .strip_prefix("mrk-")
            .is_some_and(|rest| rest.len() == 32 && is_hex(rest));
        (uuid || mrk).then(|| KeyId(text.to_owned()))
    }

    /// A fresh multi-Region key id from `rng`: `mrk-` and 32 lowercase hex digits (KMS
    /// Developer Guide, mrk-how-it-works.html: multi-Region keys have a distinctive key id that
    /// begins with `mrk-`).
    pub fn generate_multi_region(rng: &mut dyn Randomness) -> Result<KeyId, RandomnessUnavailable> {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes)?;
        Ok(KeyId(format!("mrk-{}", hex(&bytes))))
    }

    /// Whether this is a multi-Region key's id (`mrk-`): every multi-Region key's id starts
    /// with `mrk-` and no single-Region key's does.
    pub fn is_multi_region(&self) -> bool {
        self.0.starts_with("mrk-")
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the key material comes from (API `OriginType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Origin {
    /// KMS generated the material.
    #[serde(rename = "AWS_KMS")]
    AwsKms,
    /// The material is imported (the key is created `PendingImport`).
    #[serde(rename = "EXTERNAL")]
    External,
}

impl Origin {
    /// The API name, `AWS_KMS` or `EXTERNAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::AwsKms => "AWS_KMS",
            Origin::External => "EXTERNAL",
        }
    }

    /// The origin named `name` (API spelling).
    pub fn from_name(name: &str) -> Option<Origin> {
        match name {
            "AWS_KMS" => Some(Origin::AwsKms),
            "EXTERNAL" => Some(Origin::External),
            _ => None,
        }
    }
}

/// A key's state (KMS Developer Guide, key-state.html). `Unavailable` belongs to custom key
/// stores, which the playground does not model.
///
/// `Creating` and `Updating` are transient: a key is never stored in them. A key holds its
/// settled state in [`Key::state`] and, for a few seconds after ReplicateKey or
/// UpdatePrimaryRegion, a [`Transient`] with the time it ends; [`Key::state_at`] gives the state
/// at a moment of the simulated clock, as a grant is pending until its window ends on that clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Not usable for cryptography until enabled again.
    Disabled,
    /// Scheduled for deletion; deleted at `deletion_date`.
    PendingDeletion {
        /// When the key will be deleted.
        deletion_date: Timestamp,
        /// The waiting period chosen, 7–30 days.
        window_days: u32,
    },
    /// An `EXTERNAL` key without key material.
    PendingImport,
    /// A multi-Region primary key scheduled for deletion while it still has replicas: its
    /// waiting period begins when the last replica is deleted (KMS API Reference,
    /// ScheduleKeyDeletion).
    PendingReplicaDeletion {
        /// The waiting period chosen, 7–30 days.
        window_days: u32,
    },
    /// A multi-Region replica key that ReplicateKey is still making: "When this operation
    /// completes, the new replica key has a transient key state of Creating. This key state
    /// changes to Enabled (or PendingImport) after a few seconds" (KMS API Reference,
    /// ReplicateKey; KMS Developer Guide, key-state.html).
    Creating,
    /// Both keys of an UpdatePrimaryRegion while the primary Region changes: "The old and new
    /// primary keys have a transient key state of Updating. The original key state is restored
    /// when the update is complete" (KMS API Reference, UpdatePrimaryRegion).
    Updating,
}

impl KeyState {
    /// The API name (`Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`,
    /// `PendingReplicaDeletion`, `Creating`, `Updating`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion { .. } => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::PendingReplicaDeletion { .. } => "PendingReplicaDeletion",
            KeyState::Creating => "Creating",
            KeyState::Updating => "Updating",
        }
    }

    /// Whether this is one of the transient multi-Region states (`Creating`, `Updating`).
    pub fn is_transient(self) -> bool {
        matches!(self, KeyState::Creating | KeyState::Updating)
    }
}

/// How long a transient key state lasts on the simulated clock: 5 seconds. AWS gives no
/// figure, only "after a few seconds" (KMS API Reference, ReplicateKey) and "for a few more
/// seconds" (UpdatePrimaryRegion; KMS Developer Guide, multi-region-update.html); a `sleep 5`
/// in the emulator crosses it.
pub const TRANSIENT_STATE_MILLIS: i64 = 5_000;

/// A transient key state (`Creating` or `Updating`) and the moment it ends. Until then the key
/// is in that state whatever its settled state; from then on its settled state shows again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Transient {
    state: KeyState,
    until: Timestamp,
}

impl Transient {
    /// `Creating` from `now` for [`TRANSIENT_STATE_MILLIS`] (a new replica key).
    pub fn creating(now: Timestamp) -> Transient {
        Transient {
            state: KeyState::Creating,
            until: now.plus_millis(TRANSIENT_STATE_MILLIS),
        }
    }

    /// `Updating` from `now` for [`TRANSIENT_STATE_MILLIS`] (both keys of an
    /// UpdatePrimaryRegion).
    pub fn updating(now: Timestamp) -> Transient {
        Transient {
            state: KeyState::Updating,
            until: now.plus_millis(TRANSIENT_STATE_MILLIS),
        }
    }

    /// `Creating` or `Updating`.
    pub fn state(self) -> KeyState {
        self.state
    }

    /// The first moment the key is no longer in the transient state.
    pub fn until(self) -> Timestamp {
        self.until
    }
}

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// `TagKey`.
    pub tag_key: String,
    /// `TagValue`.
    pub tag_value: String,
}

/// How a backing key version came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RotationType {
    /// The key's first material (generated, or imported).
    Initial,
    /// Automatic rotation.
    #[serde(rename = "AUTOMATIC")]
    Automatic,
    /// `RotateKeyOnDemand`.
    #[serde(rename = "ON_DEMAND")]
    OnDemand,
}

/// What the store records about one backing key version. The material itself lives in the key's
/// [`KeyRing`], which never hands it out; version `n` here is ring version `n` (1-based).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyVersion {
    /// `KeyMaterialId`: 64 hex digits.
    pub material_id: String,
    /// When this version was created.
    pub created: Timestamp,
    /// How it was created.
    pub rotation_type: RotationType,
}

impl KeyVersion {
    /// Metadata for a new version, with a fresh material id from `rng`.
    pub fn new(
        rng: &mut dyn Randomness,
        created: Timestamp,
        rotation_type: RotationType,
    ) -> Result<KeyVersion, RandomnessUnavailable> {
        let mut id = [0u8; 32];
        rng.fill(&mut id)?;
        Ok(KeyVersion {
            material_id: hex(&id),
            created,
            rotation_type,
        })
    }
}

/// Automatic rotation settings (API EnableKeyRotation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rotation {
    /// Whether automatic rotation is on (off by default for customer managed keys).
    pub enabled: bool,
    /// Days between automatic rotations, 90–2560 (default 365).
    pub period_days: u32,
    /// When the next automatic rotation happens, while enabled.
    pub next_rotation: Option<Timestamp>,
    /// How many on-demand rotations were done.
    pub on_demand_count: u32,
}

impl Default for Rotation {
    fn default() -> Rotation {
        Rotation {
            enabled: false,
            period_days: 365,
            next_rotation: None,
            on_demand_count: 0,
        }
    }
}

/// Parameters handed out by `GetParametersForImport`, valid 24 hours: the import token and the
/// RSA wrapping key pair whose public key went out with it (KMS Developer Guide,
/// importing-keys-get-public-key-and-token.html: "The public key and its import token are
/// permanently linked and must be used together"), and the wrapping algorithm the caller named.
/// The private key is wiped on drop and never printed.
#[derive(Clone)]
pub struct ImportParameters {
    /// The import token (opaque bytes).
    pub token: Vec<u8>,
    /// The wrapping key pair: its public key went out with `token`.
    pub wrapping_key: WrappingKey,
    /// The `WrappingAlgorithm` of the GetParametersForImport request.
    pub wrapping_algorithm: String,
    /// When the parameters stop being valid.
    pub valid_until: Timestamp,
}

impl fmt::Debug for ImportParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportParameters")
            .field("wrapping_algorithm", &self.wrapping_algorithm)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// Whether imported material expires (API `ExpirationModelType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum ExpirationModel {
    /// `KEY_MATERIAL_EXPIRES` at `ValidTo`.
    #[serde(rename = "KEY_MATERIAL_EXPIRES")]
    Expires,
    /// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    #[serde(rename = "KEY_MATERIAL_DOES_NOT_EXPIRE")]
    DoesNotExpire,
}

/// A key policy: its text (returned by GetKeyPolicy as written) and its parsed form.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyPolicy {
    /// The document as written.
    pub text: Arc<str>,
    /// The parsed document.
    pub policy: Arc<Policy>,
}

/// A KMS key.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key id.
    pub id: KeyId,
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// The key's Region.
    pub region: String,
    /// `Description` (≤ 8192 characters).
    pub description: String,
    /// `Origin`.
    pub origin: Origin,
    /// `KeySpec`.
    pub spec: KeySpec,
    /// `KeyUsage`.
    pub usage: KeyUsage,
    /// The settled `KeyState` (never `Creating` or `Updating`): what the key is once any
    /// transient state is over. Read the state at a moment with [`Key::state_at`].
    pub state: KeyState,
    /// The transient state the key is in until a moment of the simulated clock, if any
    /// (ReplicateKey, UpdatePrimaryRegion).
    pub transient: Option<Transient>,
    /// `CreationDate`.
    pub created: Timestamp,
    /// The key policy (every key has exactly one, named `default`).
    pub policy: KeyPolicy,
    /// Tags, in the order they were first added.
    pub tags: Vec<Tag>,
    /// Automatic rotation.
    pub rotation: Rotation,
    /// The key material, one backing key per version (held and used only by [`crate::crypto`]).
    pub ring: KeyRing,
    /// What is known about each backing key version, oldest first (the last one encrypts).
    /// Empty while the key has no material.
    pub versions: Vec<KeyVersion>,
    /// SHA-256 of imported material, so a re-import after `DeleteImportedKeyMaterial` can be
    /// checked to be the same material (`IncorrectKeyMaterialException` otherwise).
    pub imported_digest: Option<[u8; 32]>,
    /// Import parameters handed out and not yet used.
    pub import: Option<ImportParameters>,
    /// For imported material: when it expires.
    pub material_valid_to: Option<Timestamp>,
    /// For imported material: whether it expires.
    pub expiration_model: Option<ExpirationModel>,
    /// Whether this is a multi-Region replica key (made by ReplicateKey; the primary key and
    /// single-Region keys are not). Its primary is the key with the same id that is not a
    /// replica; UpdatePrimaryRegion swaps the two.
    pub replica: bool,
}

/// A key's ARN, `arn:aws:kms:REGION:ACCOUNT:key/ID`.
pub fn key_arn(region: &str, account: &str, id: &KeyId) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{id}")
}

impl Key {
    /// A symmetric encryption key (`SYMMETRIC_DEFAULT` for `ENCRYPT_DECRYPT`, the only kind the
    /// playground makes) with its ARN, and as yet no material, description, tags, rotation or
    /// import: callers fill those in with struct update syntax.
    pub fn new(
        id: KeyId,
        account: String,
        region: String,
        origin: Origin,
        state: KeyState,
        created: Timestamp,
        policy: KeyPolicy,
    ) -> Key {
        Key {
            arn: key_arn(&region, &account, &id),
            id,
            account,
            region,
            description: String::new(),
            origin,
            spec: KeySpec::SymmetricDefault,
            usage: KeyUsage::EncryptDecrypt,
            state,
            transient: None,
            created,
            policy,
            tags: Vec::new(),
            rotation: Rotation::default(),
            ring: KeyRing::without_material(KeySpec::SymmetricDefault),
            versions: Vec::new(),
            imported_digest: None,
            import: None,
            material_valid_to: None,
            expiration_model: None,
            replica: false,
        }
    }

    /// The current backing key version's metadata, if the key has material.
    pub fn current_version(&self) -> Option<&KeyVersion> {
        self.versions.last()
    }

    /// Whether the key is a multi-Region key (its id starts with `mrk-`).
    pub fn is_multi_region(&self) -> bool {
        self.id.is_multi_region()
    }

    /// `PRIMARY` or `REPLICA` for a multi-Region key (its `MultiRegionKeyType`), `None` for a
    /// single-Region key.
    pub fn multi_region_key_type(&self) -> Option<&'static str> {
        match (self.is_multi_region(), self.replica) {
            (false, _) => None,
            (true, false) => Some("PRIMARY"),
            (true, true) => Some("REPLICA"),
        }
    }

    /// The key's state at `now` (its `KeyState` as DescribeKey shows it then): its transient
    /// state (`Creating`, `Updating`) until that ends, else its settled state.
    pub fn state_at(&self, now: Timestamp) -> KeyState {
        match self.transient {
            Some(t) if now < t.until => t.state,
            _ => self.state,
        }
    }

    /// When the key's transient state ends, if it is in one at `now`.
    pub fn transient_until(&self, now: Timestamp) -> Option<Timestamp> {
        self.transient.map(Transient::until).filter(|&at| now < at)
    }

    /// Whether the key is `Enabled` at `now` (KeyMetadata's `Enabled`: "When KeyState is
    /// Enabled this value is true, otherwise it is false", KMS API Reference, KeyMetadata).
    pub fn is_enabled_at(&self, now: Timestamp) -> bool {
        self.state_at(now) == KeyState::Enabled
    }

    /// The value of tag `key`, if set.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.tag_key == key)
            .map(|t| t.tag_value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;

    #[test]
    fn generated_key_ids_are_version_4_uuids() {
        // KMS Developer Guide, concepts.html#key-id-key-id: a key id is a UUID.
        let mut rng = SeededRandomness::new(1);
        let id = KeyId::generate(&mut rng).unwrap();
        assert_eq!(KeyId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.as_str().len(), 36);
        assert_eq!(id.as_str().as_bytes()[14], b'4');
        assert_ne!(KeyId::generate(&mut rng).unwrap(), id);
    }

    #[test]
    fn key_id_shapes() {
        assert!(KeyId::parse("1234abcd-12ab-34cd-56ef-1234567890ab").is_some());
        assert!(KeyId::parse("mrk-1234abcd12ab34cd56ef1234567890ab").is_some());
        assert!(KeyId::parse("1234ABCD-12ab-34cd-56ef-1234567890ab").is_none());
        assert!(KeyId::parse("alias/foo").is_none());
        assert!(KeyId::parse("").is_none());
    }
}
