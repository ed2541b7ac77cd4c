//! GetKeyLastUsage, and the record it reads: each key's last successful cryptographic operation
//! (KMS API Reference, GetKeyLastUsage and KeyLastUsageData).
//!
//! Every key of the playground is created after tracking began, so `TrackingStartDate` is the
//! key's creation date ("the date from which KMS began recording cryptographic activity for
//! this key, or the date the KMS key was created, whichever is later").

use super::{Action, Caller, Env, GetKeyLastUsageResponse, KeyIdRequest, KeyLastUsageData};
use crate::error::KmsError;
use crate::format::uuid_v4;
use crate::store::{Key, KeyUse};
use crate::world::World;
use sha2::{Digest, Sha256};

impl World {
    /// Records that the operation of `action` (`Encrypt`; `ReEncrypt` for both re-encrypt
    /// actions) just succeeded with `key`. Called by every cryptographic operation once it has
    /// succeeded; `ReEncrypt` records on both of its keys.
    pub(super) fn record_use(&mut self, key: &Key, action: Action, env: &Env<'_>) {
        self.keys.record_use(&key.arn, action.operation(), env.now);
    }

    /// GetKeyLastUsage: the key's last successful cryptographic operation, its creation date and
    /// when tracking began. Its `KeyId` takes a key id or key ARN (no alias); it does not work
    /// across accounts, needs `kms:GetKeyLastUsage` from the key policy, and answers in every
    /// key state (the API lists no `KMSInvalidStateException`).
    pub fn get_key_last_usage(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<GetKeyLastUsageResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::GetKeyLastUsage)?;
        let key_last_usage = self
            .keys
            .last_use(&key.arn)
            .map(|u| KeyLastUsageData {
                operation: Some(u.operation),
                timestamp: Some(u.at),
                cloud_trail_event_id: Some(call_id("event", u, &key.arn)),
                kms_request_id: Some(call_id("request", u, &key.arn)),
            })
            .unwrap_or_default();
        Ok(GetKeyLastUsageResponse {
            key_id: key.id.to_string(),
            key_last_usage,
            tracking_start_date: key.created,
            key_creation_date: key.created,
        })
    }
}

/// The request id or CloudTrail event id (`label`) of a recorded call: a UUID made from a digest
/// of the call's number, its key, operation and time. The ids identify the call and are not
/// secret, so they take nothing from the randomness a seeded session replays.
fn call_id(label: &str, key_use: &KeyUse, key_arn: &str) -> String {
    let mut hash = Sha256::new();
    for part in [
        label,
        &key_use.call.to_string(),
        key_arn,
        key_use.operation,
        &key_use.at.0.to_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let full = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(full.get(..16).unwrap_or(&[0; 16]));
    uuid_v4(bytes)
}
