//! EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations (API Reference; KMS Developer Guide, rotate-keys.html). A rotation adds a
//! backing key version; the key id, ARN, policy, grants and aliases stay, and ciphertexts of
//! older versions keep decrypting.

use super::{
    Action, Caller, EnableKeyRotationRequest, Env, GetKeyRotationStatusResponse, KeyIdRequest,
    KeyIdResponse, ListKeyRotationsRequest, ListKeyRotationsResponse, RotationEntry, page,
};
use crate::authz::RequestParams;
use crate::error::KmsError;
use crate::store::{DAY_MILLIS, KeyVersion, RotationType};
use crate::world::World;

/// The most on-demand rotations of one key (API RotateKeyOnDemand, current text).
pub const MAX_ON_DEMAND_ROTATIONS: u32 = 25;

/// Rotation is a shared property of related multi-Region keys, set on the primary key and
/// synchronized to its replicas (KMS Developer Guide, multi-region-keys-overview.html, "shared
/// properties"): a replica refuses the rotation operations that change it
/// (`UnsupportedOperationException`, the playground's wording).
fn primary_only(key: &crate::store::Key) -> Result<(), KmsError> {
    if key.replica {
        return Err(KmsError::UnsupportedOperation(format!(
            "{} is a multi-Region replica key: its rotation follows its primary key's",
            key.arn
        )));
    }
    Ok(())
}

impl World {
    /// EnableKeyRotation: automatic rotation every `RotationPeriodInDays` (90–2560, default
    /// 365), first one that many days from now.
    pub fn enable_key_rotation(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: EnableKeyRotationRequest,
    ) -> Result<(), KmsError> {
        let days = request.rotation_period_in_days.unwrap_or(365);
        KmsError::check_range(i64::from(days), "rotationPeriodInDays", 90, 2560)?;
        let mut params = RequestParams::default();
        params
            .context
            .set("kms:RotationPeriodInDays", days.to_string());
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::EnableKeyRotation,
            false,
            params,
        )?;
        primary_only(&key)?;
        let next = env.now.plus_millis(i64::from(days) * DAY_MILLIS);
        let rotation = &mut self.key_mut(&key)?.rotation;
        rotation.enabled = true;
        rotation.period_days = days;
        rotation.next_rotation = Some(next);
        self.sync_replicas(&key.arn);
        Ok(())
    }

    /// DisableKeyRotation.
    pub fn disable_key_rotation(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<(), KmsError> {
        let (_, key) =
            self.managed_key(caller, env, &request.key_id, Action::DisableKeyRotation)?;
        primary_only(&key)?;
        let rotation = &mut self.key_mut(&key)?.rotation;
        rotation.enabled = false;
        rotation.next_rotation = None;
        self.sync_replicas(&key.arn);
        Ok(())
    }

    /// GetKeyRotationStatus (works across accounts with the key ARN).
    pub fn get_key_rotation_status(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<GetKeyRotationStatusResponse, KmsError> {
        let (_, key) =
            self.managed_key(caller, env, &request.key_id, Action::GetKeyRotationStatus)?;
        let enabled = key.rotation.enabled;
        Ok(GetKeyRotationStatusResponse {
            key_rotation_enabled: enabled,
            key_id: key.arn.clone(),
            rotation_period_in_days: enabled.then_some(key.rotation.period_days),
            next_rotation_date: key.rotation.next_rotation.filter(|_| enabled),
        })
    }

    /// RotateKeyOnDemand: a new backing key now, whatever the automatic schedule
    /// (`LimitExceededException` after [`MAX_ON_DEMAND_ROTATIONS`]).
    pub fn rotate_key_on_demand(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<KeyIdResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::RotateKeyOnDemand)?;
        primary_only(&key)?;
        if key.rotation.on_demand_count >= MAX_ON_DEMAND_ROTATIONS {
            return Err(KmsError::LimitExceeded(format!(
                "Key {} has reached the limit of {MAX_ON_DEMAND_ROTATIONS} on-demand rotations",
                key.arn
            )));
        }
        let now = env.now;
        let version = KeyVersion::new(&mut *env.rng, now, RotationType::OnDemand)?;
        let target = self.key_mut(&key)?;
        if target.ring.rotate(&mut *env.rng)?.is_none() {
            return Err(KmsError::UnsupportedOperation(format!(
                "{} has no key material to rotate.",
                key.arn
            )));
        }
        target.versions.push(version);
        target.rotation.on_demand_count += 1;
        self.sync_replicas(&key.arn);
        Ok(KeyIdResponse {
            key_id: key.arn.clone(),
        })
    }

    /// ListKeyRotations: completed rotations, oldest first (the initial material is not a
    /// rotation).
    pub fn list_key_rotations(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::ListKeyRotations)?;
        let entries: Vec<RotationEntry> = key
            .versions
            .iter()
            .filter_map(|v| {
                let rotation_type = match v.rotation_type {
                    RotationType::Initial => return None,
                    RotationType::Automatic => "AUTOMATIC",
                    RotationType::OnDemand => "ON_DEMAND",
                };
                Some(RotationEntry {
                    key_id: key.arn.clone(),
                    key_material_id: v.material_id.clone(),
                    rotation_date: v.created,
                    rotation_type,
                })
            })
            .collect();
        let page = page(
            &entries,
            request.limit,
            request.marker.as_deref(),
            100,
            1000,
        )?;
        Ok(ListKeyRotationsResponse {
            rotations: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }
}
