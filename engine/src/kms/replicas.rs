//! ReplicateKey and UpdatePrimaryRegion: multi-Region replica keys (KMS Developer Guide,
//! multi-region-keys-overview.html, multi-region-keys-replicate.html, multi-region-update.html).
//!
//! A replica has its primary's key id, key spec, key usage, origin, key material and rotation
//! (the shared properties, kept in step from the primary) and its own key policy, description,
//! tags, aliases, grants and key state.
//!
//! Both operations finish in the background, which the playground models on the world's
//! simulated clock, as it models a grant's eventual consistency: a new replica is `Creating`
//! until [`TRANSIENT_STATE_MILLIS`](crate::store::TRANSIENT_STATE_MILLIS) have passed ("When
//! this operation completes, the new replica key has a transient key state of Creating. This
//! key state changes to Enabled (or PendingImport) after a few seconds", API Reference,
//! ReplicateKey), and after UpdatePrimaryRegion both keys are `Updating` as long ("The old and
//! new primary keys have a transient key state of Updating. The original key state is restored
//! when the update is complete", API Reference, UpdatePrimaryRegion). The key keeps its settled state and the time
//! the transient one ends ([`Transient`]); [`Key::state_at`] reads the state at a moment, so
//! nothing has to run when the time comes. What each transient state allows is in the key-state
//! table ([`crate::store::check_key_state`]). The primary and replica roles change at once:
//! AWS notes DescribeKey "might display both the old and new primary keys as replicas" for a
//! while, which the playground does not show.

use std::sync::Arc;

use super::{
    Action, Caller, Env, KeyMetadata, ReplicateKeyRequest, ReplicateKeyResponse,
    UpdatePrimaryRegionRequest,
};
use crate::authz::{RequestParams, Target};
use crate::error::{Constraint, KmsError, Shown};
use crate::request::ContextValue;
use crate::store::{Key, KeyState, Origin, Transient, check_key};
use crate::world::World;

/// The pattern of a Region parameter (`ReplicaRegion`, `PrimaryRegion`: API Reference,
/// ReplicateKey and UpdatePrimaryRegion, "Pattern: ^([a-z]+-){2,3}\d+$", 1–32 characters).
const REGION_PATTERN: &str = "^([a-z]+-){2,3}\\d+$";

/// Checks a Region parameter against the API's length and pattern.
fn check_region(region: &str, field: &str) -> Result<(), KmsError> {
    KmsError::check_length(Shown::Text(region), region.chars().count(), field, 1, 32)?;
    let mut parts = region.split('-').peekable();
    let mut words = 0;
    let mut ok = false;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            ok = (2..=3).contains(&words)
                && !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit());
        } else if part.is_empty() || !part.bytes().all(|b| b.is_ascii_lowercase()) {
            break;
        } else {
            words += 1;
        }
    }
    if ok {
        Ok(())
    } else {
        Err(KmsError::validation(
            Shown::Text(region),
            field,
            Constraint::Pattern(REGION_PATTERN),
        ))
    }
}

/// `UnsupportedOperationException` for a key that is not a multi-Region primary key, where the
/// operation takes only one: "<key ARN> is not a multi-Region primary key" (no AWS page prints
/// it; AWS's answer ends so, as clients that read it, such as Terraform providers, match it).
fn not_a_primary(key: &Key) -> KmsError {
    KmsError::UnsupportedOperation(format!("{} is not a multi-Region primary key", key.arn))
}

impl World {
    /// The keys related to `key` (same account and key id, every Region), `key` included.
    fn related_keys(&self, key: &Key) -> Vec<Arc<Key>> {
        self.keys
            .with_id(&key.id)
            .filter(|k| k.account == key.account)
            .cloned()
            .collect()
    }

    /// ReplicateKey: a replica of a multi-Region primary key in another Region.
    ///
    /// The request is sent to the primary key's Region. It needs `kms:ReplicateKey` on the
    /// primary key (with `kms:ReplicaRegion`) and `kms:CreateKey` from an IAM policy in the
    /// replica Region (and `kms:TagResource` there for tags): KMS API Reference, ReplicateKey,
    /// "Required permissions"; KMS Developer Guide, multi-region-keys-auth.html. Refused for a
    /// single-Region key or a replica (`UnsupportedOperationException`), for the primary's own
    /// Region (`ValidationException`) and for a Region that already has a related key
    /// (`AlreadyExistsException`): "You can create multiple replicas of a primary key, but each
    /// must be in a different Region".
    pub fn replicate_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse, KmsError> {
        check_region(&request.replica_region, "replicaRegion")?;
        let description = request.description.unwrap_or_default();
        KmsError::check_length(
            Shown::Text(&description),
            description.chars().count(),
            "description",
            0,
            8192,
        )?;
        let tags = request.tags.unwrap_or_default();
        super::tags::validate_tags(&tags)?;
        let region = request.replica_region;
        let mut params = RequestParams::default();
        params.context.set("kms:ReplicaRegion", region.as_str());
        let (principal, primary) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::ReplicateKey,
            false,
            params,
        )?;
        if primary.multi_region_key_type() != Some("PRIMARY") {
            return Err(not_a_primary(&primary));
        }
        if region == primary.region {
            return Err(KmsError::Validation(format!(
                "The replica Region {region} is the Region of the primary key {}: a replica must be in another Region",
                primary.arn
            )));
        }
        if let Some(existing) = self
            .related_keys(&primary)
            .into_iter()
            .find(|k| k.region == region)
        {
            return Err(KmsError::AlreadyExists(format!(
                "Key '{}' already exists",
                existing.arn
            )));
        }

        // kms:CreateKey (and kms:TagResource) in the replica Region: an IAM policy decides, as
        // for CreateKey itself; aws:RequestedRegion is the replica Region.
        let in_replica_region = caller.clone().in_region(region.as_str());
        let mut create =
            super::key_policy::bypass_params(request.bypass_policy_lockout_safety_check);
        if !tags.is_empty() {
            create.context.insert(
                "aws:TagKeys",
                ContextValue::Multi(tags.iter().map(|t| t.tag_key.clone()).collect()),
            );
            for tag in &tags {
                create.context.set(
                    format!("aws:RequestTag/{}", tag.tag_key),
                    tag.tag_value.as_str(),
                );
            }
        }
        self.authorize(
            &principal,
            &in_replica_region,
            Action::CreateKey,
            Target::Account,
            create.clone(),
            env.now,
        )?;
        if !tags.is_empty() {
            self.authorize(
                &principal,
                &in_replica_region,
                Action::TagResource,
                Target::Account,
                create,
                env.now,
            )?;
        }

        // The replica's own policy: the one given, else the default key policy (KMS Developer
        // Guide, multi-region-keys-auth.html: "the default key policy is applied unless you
        // specify a key policy in the request").
        let check_lockout =
            request.policy.is_some() && request.bypass_policy_lockout_safety_check != Some(true);
        let text = request
            .policy
            .unwrap_or_else(|| crate::policy::default_key_policy(&primary.account));
        let policy = self.check_key_policy(&text)?;
        // Imported material is imported into each key of the set: a replica of an EXTERNAL
        // key starts PendingImport (KMS Developer Guide, multi-region-keys-replicate.html).
        let (ring, versions, state) = match primary.origin {
            Origin::AwsKms => (
                primary.ring.clone(),
                primary.versions.clone(),
                KeyState::Enabled,
            ),
            Origin::External => (
                crate::crypto::KeyRing::without_material(primary.spec),
                Vec::new(),
                KeyState::PendingImport,
            ),
        };
        let replica = Key {
            description,
            tags: tags.clone(),
            ring,
            versions,
            spec: primary.spec,
            usage: primary.usage,
            rotation: primary.rotation,
            imported_digest: primary.imported_digest,
            replica: true,
            // Creating for a few seconds, then Enabled or PendingImport (`state`).
            transient: Some(Transient::creating(env.now)),
            ..Key::new(
                primary.id.clone(),
                primary.account.clone(),
                region,
                primary.origin,
                state,
                env.now,
                policy,
            )
        };
        if check_lockout {
            self.lockout_check(
                &principal,
                &in_replica_region,
                &replica,
                &replica.policy.policy,
                env.now,
            )?;
        }
        let arn = replica.arn.clone();
        self.keys.insert(replica)?;
        let replica = self
            .keys
            .get_by_arn(&arn)
            .ok_or_else(|| KmsError::key_not_found(&arn))?;
        Ok(ReplicateKeyResponse {
            replica_key_metadata: KeyMetadata::of(replica, &self.keys, env.now),
            replica_policy: replica.policy.text.to_string(),
            replica_tags: tags,
        })
    }

    /// UpdatePrimaryRegion: the replica in `PrimaryRegion` becomes the primary key and the
    /// current primary a replica. `KeyId` names the current primary key (in the request's
    /// Region); the caller needs `kms:UpdatePrimaryRegion` on both keys (with
    /// `kms:PrimaryRegion`), both must be in a state the key-state table allows it in (`Enabled`,
    /// or `Updating`), and there must be a replica in `PrimaryRegion` (KMS API Reference,
    /// UpdatePrimaryRegion; KMS Developer Guide, multi-region-update.html, key-state.html). Both
    /// keys are then `Updating` for
    /// [`TRANSIENT_STATE_MILLIS`](crate::store::TRANSIENT_STATE_MILLIS) and return to their
    /// state before.
    pub fn update_primary_region(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<(), KmsError> {
        check_region(&request.primary_region, "primaryRegion")?;
        let region = request.primary_region;
        let params = || {
            let mut params = RequestParams::default();
            params.context.set("kms:PrimaryRegion", region.as_str());
            params
        };
        let (principal, primary) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::UpdatePrimaryRegion,
            false,
            params(),
        )?;
        if primary.multi_region_key_type() != Some("PRIMARY") {
            return Err(not_a_primary(&primary));
        }
        let replica = self
            .related_keys(&primary)
            .into_iter()
            .find(|k| k.region == region && k.replica)
            .ok_or_else(|| {
                KmsError::NotFound(format!(
                    "There is no replica key of {} in {region}",
                    primary.arn
                ))
            })?;
        let in_replica_region = caller.clone().in_region(region.as_str());
        self.authorize(
            &principal,
            &in_replica_region,
            Action::UpdatePrimaryRegion,
            Target::Key(&replica),
            params(),
            env.now,
        )?;
        check_key(&replica, Action::UpdatePrimaryRegion, env.now)?;
        let updating = Some(Transient::updating(env.now));
        let old_primary = self.key_mut(&primary)?;
        old_primary.replica = true;
        old_primary.transient = updating;
        let new_primary = self.key_mut(&replica)?;
        new_primary.replica = false;
        new_primary.transient = updating;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check_region;

    #[test]
    fn region_parameters_follow_the_api_pattern() {
        // KMS API Reference, ReplicateKey, ReplicaRegion: ^([a-z]+-){2,3}\d+$, 1–32 characters.
        for ok in ["us-east-1", "eu-west-2", "us-gov-west-1", "ap-southeast-2"] {
            assert!(check_region(ok, "replicaRegion").is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "a-b-c-d-1",
            "-east-1",
            "us--1",
        ] {
            let error = check_region(bad, "replicaRegion").unwrap_err();
            assert_eq!(error.exception_name(), "ValidationException", "{bad}");
        }
    }
}
