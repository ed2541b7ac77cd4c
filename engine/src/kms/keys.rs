//! CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey,
//! ScheduleKeyDeletion, CancelKeyDeletion.

use super::{
    Action, Caller, CreateKeyRequest, DescribeKeyRequest, Env, KeyIdRequest, KeyIdResponse,
    KeyListEntry, KeyMetadata, KeyMetadataResponse, ListKeysResponse, ListRequest,
    ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse, UpdateKeyDescriptionRequest, page,
};
use crate::authz::{RequestParams, Target};
use crate::catalog::{KEY_USAGES, KeySpec};
use crate::crypto::KeyRing;
use crate::error::{Constraint, KmsError, Shown};
use crate::request::ContextValue;
use crate::store::{DAY_MILLIS, Key, KeyId, KeyState, KeyVersion, Origin, RotationType};
use crate::world::World;

/// The longest key description (API CreateKey, Description).
const MAX_DESCRIPTION: usize = 8192;

impl World {
    /// CreateKey: a new symmetric encryption key in the caller's account. Needs `kms:CreateKey`
    /// from an IAM policy (and `kms:TagResource` when tagging); a supplied policy must pass the
    /// lockout safety check unless bypassed, the default policy need not (API CreateKey).
    pub fn create_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: CreateKeyRequest,
    ) -> Result<KeyMetadataResponse, KmsError> {
        self.advance_time(env);
        let principal = self.calling_principal(caller)?;
        let origin = match request.origin.as_deref() {
            None => Origin::AwsKms,
            Some(name) => Origin::from_name(name).ok_or_else(|| {
                KmsError::UnsupportedOperation(format!(
                    "Origin {name} is not supported by KMS Playground: only AWS_KMS and EXTERNAL keys are modelled"
                ))
            })?,
        };
        let modelled = || crate::catalog::key_spec_names().join(", ");
        let mut spec = KeySpec::SymmetricDefault;
        for name in [&request.key_spec, &request.customer_master_key_spec]
            .into_iter()
            .flatten()
        {
            spec = KeySpec::from_name(name).ok_or_else(|| {
                KmsError::UnsupportedOperation(format!(
                    "KeySpec {name} is not supported by KMS Playground: only {} keys are modelled",
                    modelled()
                ))
            })?;
        }
        // KeyUsage defaults to ENCRYPT_DECRYPT whatever the spec (API CreateKey, KeyUsage), so
        // an HMAC key needs GENERATE_VERIFY_MAC spelled out.
        let usage = request.key_usage.as_deref().unwrap_or("ENCRYPT_DECRYPT");
        if !KEY_USAGES.contains(&usage) {
            return Err(KmsError::validation(
                Shown::Text(usage),
                "keyUsage",
                Constraint::Enum(KEY_USAGES),
            ));
        }
        // A spec with several usages (RSA: ENCRYPT_DECRYPT or SIGN_VERIFY) has a row per usage.
        let spec = spec.with_usage(usage).ok_or_else(|| {
            KmsError::Validation(format!(
                "KeyUsage {usage} is not compatible with KeySpec {}",
                spec.as_str()
            ))
        })?;
        let row = spec.row();
        // API Reference, ImportKeyMaterial: every key type may be created with origin EXTERNAL.
        // Any key spec, and imported key material, may be multi-Region; only custom key
        // stores may not, and the playground has none (API CreateKey, MultiRegion).
        let multi_region = request.multi_region == Some(true);
        let description = request.description.unwrap_or_default();
        KmsError::check_length(
            Shown::Text(&description),
            description.chars().count(),
            "description",
            0,
            MAX_DESCRIPTION,
        )?;
        let tags = request.tags.unwrap_or_default();
        super::tags::validate_tags(&tags)?;

        let bypass = request.bypass_policy_lockout_safety_check.unwrap_or(false);
        let mut params =
            super::key_policy::bypass_params(request.bypass_policy_lockout_safety_check);
        params.context.set("kms:KeyOrigin", origin.as_str());
        params.context.set("kms:KeySpec", row.name);
        params.context.set("kms:KeyUsage", row.usage_name);
        // KMS Developer Guide, conditions-kms.html#conditions-kms-multiregion and
        // #conditions-kms-multiregion-key-type: CreateKey carries whether it makes a multi-Region
        // key, and for one, that it is a PRIMARY key.
        params.context.set(
            "kms:MultiRegion",
            if multi_region { "true" } else { "false" },
        );
        if multi_region {
            params.context.set("kms:MultiRegionKeyType", "PRIMARY");
        }
        if !tags.is_empty() {
            params.context.insert(
                "aws:TagKeys",
                ContextValue::Multi(tags.iter().map(|t| t.tag_key.clone()).collect()),
            );
            for tag in &tags {
                params.context.set(
                    format!("aws:RequestTag/{}", tag.tag_key),
                    tag.tag_value.as_str(),
                );
            }
        }
        self.authorize(
            &principal,
            caller,
            Action::CreateKey,
            Target::Account,
            params.clone(),
            env.now,
        )?;
        if !tags.is_empty() {
            self.authorize(
                &principal,
                caller,
                Action::TagResource,
                Target::Account,
                params.clone(),
                env.now,
            )?;
        }

        let id = if multi_region {
            KeyId::generate_multi_region(&mut *env.rng)?
        } else {
            KeyId::generate(&mut *env.rng)?
        };
        let account = principal.account.clone();
        // Only a supplied policy must pass the lockout safety check: "If you provide a key
        // policy, it must meet the following criteria"; without one KMS attaches the default
        // policy (API CreateKey, Policy), which a caller with only kms:CreateKey may get.
        let check_lockout = request.policy.is_some() && !bypass;
        let text = request
            .policy
            .unwrap_or_else(|| crate::policy::default_key_policy(&account));
        let policy = self.check_key_policy(&text)?;
        let (ring, versions, state) = match origin {
            Origin::AwsKms => (
                KeyRing::generate_for(spec, &mut *env.rng)?,
                vec![KeyVersion::new(
                    &mut *env.rng,
                    env.now,
                    RotationType::Initial,
                )?],
                KeyState::Enabled,
            ),
            Origin::External => (
                KeyRing::without_material(spec),
                Vec::new(),
                KeyState::PendingImport,
            ),
        };
        let key = Key {
            description,
            tags,
            ring,
            versions,
            spec,
            usage: row.usage,
            ..Key::new(
                id,
                account,
                self.request_region(caller).to_owned(),
                origin,
                state,
                env.now,
                policy,
            )
        };
        if check_lockout {
            self.lockout_check(&principal, caller, &key, &key.policy.policy, env.now)?;
        }
        let arn = key.arn.clone();
        self.keys.insert(key)?;
        let key = self
            .keys
            .get_by_arn(&arn)
            .ok_or_else(|| KmsError::key_not_found(&arn))?;
        Ok(KeyMetadataResponse {
            key_metadata: KeyMetadata::of(key, &self.keys, env.now),
        })
    }

    /// DescribeKey: the key's metadata. Works in every key state, across accounts, and through
    /// aliases (API DescribeKey).
    pub fn describe_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: DescribeKeyRequest,
    ) -> Result<KeyMetadataResponse, KmsError> {
        let params = RequestParams {
            grant_tokens: request.grant_tokens,
            ..RequestParams::default()
        };
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::DescribeKey,
            true,
            params,
        )?;
        Ok(KeyMetadataResponse {
            key_metadata: KeyMetadata::of(&key, &self.keys, env.now),
        })
    }

    /// ListKeys: the keys of the caller's account in the Region (IAM-only `kms:ListKeys`).
    pub fn list_keys(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListRequest,
    ) -> Result<ListKeysResponse, KmsError> {
        let principal = self.account_operation(caller, env, Action::ListKeys)?;
        let region = self.request_region(caller);
        let entries: Vec<KeyListEntry> = self
            .keys
            .keys_of(&principal.account)
            .filter(|k| k.region == region)
            .map(|k| KeyListEntry {
                key_id: k.id.to_string(),
                key_arn: k.arn.clone(),
            })
            .collect();
        let page = page(
            &entries,
            request.limit,
            request.marker.as_deref(),
            1000,
            1000,
        )?;
        Ok(ListKeysResponse {
            keys: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }

    /// UpdateKeyDescription.
    pub fn update_key_description(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<(), KmsError> {
        KmsError::check_length(
            Shown::Text(&request.description),
            request.description.chars().count(),
            "description",
            0,
            MAX_DESCRIPTION,
        )?;
        let (_, key) =
            self.managed_key(caller, env, &request.key_id, Action::UpdateKeyDescription)?;
        self.key_mut(&key)?.description = request.description;
        Ok(())
    }

    /// EnableKey: `Disabled` → `Enabled` (enabling an enabled key changes nothing).
    pub fn enable_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<(), KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::EnableKey)?;
        self.key_mut(&key)?.state = KeyState::Enabled;
        Ok(())
    }

    /// DisableKey: `Enabled` → `Disabled`; cryptographic operations then fail with
    /// `DisabledException`.
    pub fn disable_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<(), KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::DisableKey)?;
        self.key_mut(&key)?.state = KeyState::Disabled;
        Ok(())
    }

    /// ScheduleKeyDeletion: `PendingDeletion` for 7–30 days (default 30), then the key, its
    /// material and its aliases are deleted (API ScheduleKeyDeletion; KMS Developer Guide,
    /// deleting-keys.html). A multi-Region primary key with replicas is not refused: it becomes
    /// `PendingReplicaDeletion`, and its waiting period begins when its last replica is deleted
    /// (API ScheduleKeyDeletion: "KMS will not delete a multi-Region primary key with existing
    /// replica keys").
    pub fn schedule_key_deletion(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse, KmsError> {
        let days = request.pending_window_in_days.unwrap_or(30);
        if !(7..=30).contains(&days) {
            return Err(KmsError::Validation(
                "PendingWindowInDays must be between 7 and 30".to_owned(),
            ));
        }
        let mut params = RequestParams::default();
        params.context.set(
            "kms:ScheduleKeyDeletionPendingWindowInDays",
            days.to_string(),
        );
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::ScheduleKeyDeletion,
            false,
            params,
        )?;
        let deletion_date = env.now.plus_millis(i64::from(days) * DAY_MILLIS);
        let has_replicas = !key.replica
            && key.is_multi_region()
            && self
                .keys
                .with_id(&key.id)
                .any(|k| k.replica && k.account == key.account);
        let key = self.key_mut(&key)?;
        key.state = if has_replicas {
            KeyState::PendingReplicaDeletion { window_days: days }
        } else {
            KeyState::PendingDeletion {
                deletion_date,
                window_days: days,
            }
        };
        Ok(ScheduleKeyDeletionResponse {
            key_id: key.arn.clone(),
            deletion_date: (!has_replicas).then_some(deletion_date),
            key_state: key.state_at(env.now).as_str(),
            pending_window_in_days: days,
        })
    }

    /// CancelKeyDeletion: `PendingDeletion` → `Disabled` (not `Enabled`: the key must be enabled
    /// again explicitly; KMS Developer Guide, deleting-keys-scheduling-key-deletion.html).
    pub fn cancel_key_deletion(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<KeyIdResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::CancelKeyDeletion)?;
        let key = self.key_mut(&key)?;
        key.state = if key.ring.has_material() {
            KeyState::Disabled
        } else {
            KeyState::PendingImport
        };
        Ok(KeyIdResponse {
            key_id: key.arn.clone(),
        })
    }
}
