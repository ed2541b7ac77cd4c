//! The key-state table: which operation works in which key state, and which error it gets
//! otherwise (KMS Developer Guide, key-state.html, "Key states and KMS API operations").

use super::key::{Key, KeyState, Origin};
use crate::catalog::{Action, KeySpec, MATERIAL_OPERATIONS};
use crate::entropy::Timestamp;
use crate::error::KmsError;

/// Whether `action` may run on `key` at `now`: its state then ([`Key::state_at`], then
/// [`check_key_state`]), then its key spec ([`check_key_usage`]). Operations and the matrix both
/// ask this.
pub fn check_key(key: &Key, action: Action, now: Timestamp) -> Result<(), KmsError> {
    check_key_state(key.state_at(now), key.origin, action, &key.arn)?;
    check_key_usage(key.spec, action, &key.arn)
}

/// Whether a key of `spec` supports `action` (its row of the key-spec table), or the error KMS
/// returns: `InvalidKeyUsageException` for a use the key's usage does not allow, such as Encrypt
/// with an HMAC key ("ARN key usage is SIGN_VERIFY which is not valid for Encrypt.", as KMS
/// words it), and `UnsupportedOperationException` for rotation of a key that is not a
/// symmetric encryption key (API Reference, InvalidKeyUsageException in each operation's
/// Errors; EnableKeyRotation).
pub fn check_key_usage(spec: KeySpec, action: Action, arn: &str) -> Result<(), KmsError> {
    let row = spec.row();
    if row.supports(action) {
        return Ok(());
    }
    if MATERIAL_OPERATIONS.contains(&action) {
        return Err(KmsError::UnsupportedOperation(format!(
            "{arn} key spec is {} which is not valid for this operation.",
            row.name
        )));
    }
    Err(KmsError::InvalidKeyUsage(format!(
        "{arn} key usage is {} which is not valid for {}.",
        row.usage_name,
        action.operation()
    )))
}

/// Whether `action` may run on a key in `state` with `origin`, or the exact error KMS returns.
///
/// This is the one place the table lives; every operation calls it after authorization.
/// Where the table says "DisabledException or KMSInvalidStateException" for a key pending deletion
/// (footnotes 2/3), this returns `KMSInvalidStateException: ARN is pending deletion.`, the form
/// current KMS returns. The footnotes cited below are the page's.
///
/// The transient multi-Region states follow the table's `Creating` and `Updating` columns: a
/// replica being created can be managed but not used ("While the key state is Creating, you can
/// manage key, but you cannot yet use it in cryptographic operations", KMS API Reference,
/// ReplicateKey), refused with `KMSInvalidStateException: ARN is creating.` [14]; keys whose
/// primary Region is being updated can be used but not enabled, disabled, replicated or
/// scheduled for deletion, nor have their imported material changed (except ImportKeyMaterial),
/// refused with `KMSInvalidStateException: ARN is updating.` [15]. Where such a column names only
/// [14] or [15], that error comes before any origin rule; where it says "?[7]" (rotation while
/// `Updating`) the key is judged as an `Enabled` one. Operations the table does not list are
/// judged as their kin: DeriveSharedSecret as the other cryptographic operations,
/// RotateKeyOnDemand as EnableKeyRotation, ListKeyRotations as GetKeyRotationStatus.
pub fn check_key_state(
    state: KeyState,
    origin: Origin,
    action: Action,
    arn: &str,
) -> Result<(), KmsError> {
    use Action as A;
    let external = origin == Origin::External;
    // A multi-Region primary waiting for its replicas' deletion is treated as pending deletion
    // by every operation: it "cannot be replicated or used in cryptographic operations", and
    // CancelKeyDeletion cancels it (KMS API Reference, ScheduleKeyDeletion; key-state.html).
    let state = match state {
        KeyState::PendingReplicaDeletion { window_days } => KeyState::PendingDeletion {
            deletion_date: crate::entropy::Timestamp(i64::MAX),
            window_days,
        },
        other => other,
    };
    match action {
        // Never gated by state: they do not touch the key's material or its lifecycle.
        A::DescribeKey
        | A::GetKeyLastUsage
        | A::GetKeyPolicy
        | A::PutKeyPolicy
        | A::ListGrants
        | A::ListKeyPolicies
        | A::ListResourceTags
        | A::RetireGrant
        | A::RevokeGrant
        | A::DeleteAlias
        | A::CreateKey
        | A::ListKeys
        | A::ListAliases
        | A::GenerateRandom
        | A::ListRetirableGrants => Ok(()),

        // [4] in every other state, Creating and Updating included.
        A::CancelKeyDeletion => match state {
            KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => Ok(()),
            _ => Err(KmsError::not_pending_deletion(arn)), // [4]
        },

        // Using the key: needs Enabled, or Updating ("you can use the keys in cryptographic
        // operations"). [1], [2]/[3], [5], [14]
        A::Encrypt
        | A::Decrypt
        | A::ReEncryptFrom
        | A::ReEncryptTo
        | A::GenerateDataKey
        | A::GenerateDataKeyPair
        | A::GenerateDataKeyPairWithoutPlaintext
        | A::GenerateDataKeyWithoutPlaintext
        | A::GenerateMac
        | A::VerifyMac
        | A::Sign
        | A::Verify
        | A::GetPublicKey
        | A::DeriveSharedSecret
        | A::CreateGrant
        | A::UpdatePrimaryRegion => match state {
            KeyState::Enabled | KeyState::Updating => Ok(()),
            other => usable_or(other, arn),
        },
        // Replicating: not while the key is Updating either ("you cannot replicate the new
        // primary key", multi-region-update.html). [15]
        A::ReplicateKey => match state {
            KeyState::Enabled => Ok(()),
            other => usable_or(other, arn),
        },

        // Lifecycle and metadata changes: not while pending deletion. [3]; EnableKey and
        // DisableKey also not while pending import [5], creating [14] or updating [15].
        A::EnableKey | A::DisableKey => match state {
            KeyState::Enabled | KeyState::Disabled => Ok(()),
            other => usable_or(other, arn),
        },
        // Scheduling a deletion works while Creating, not while Updating. [3], [15]
        A::ScheduleKeyDeletion => match state {
            KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => {
                Err(KmsError::pending_deletion(arn))
            }
            KeyState::Updating => Err(KmsError::updating(arn)),
            _ => Ok(()),
        },
        A::CreateAlias | A::TagResource | A::UntagResource | A::UpdateKeyDescription => match state
        {
            KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => {
                Err(KmsError::pending_deletion(arn))
            }
            _ => Ok(()),
        },
        // For the alias's current key a pending deletion is fine; the new target key is checked
        // by UpdateAlias itself. [10]
        A::UpdateAlias => Ok(()),

        // Automatic and on-demand rotation: keys with KMS-generated material only. [6], [7];
        // not while Creating [14]; while Updating as when Enabled ("?[7]").
        A::EnableKeyRotation | A::DisableKeyRotation | A::RotateKeyOnDemand => {
            if state == KeyState::Creating {
                return Err(KmsError::creating(arn));
            }
            if external {
                return Err(KmsError::external_origin(arn));
            }
            match state {
                KeyState::Enabled | KeyState::Updating => Ok(()),
                other => usable_or(other, arn),
            }
        }
        // "?[7]" in every column, Creating and Updating included.
        A::GetKeyRotationStatus | A::ListKeyRotations => {
            if external {
                Err(KmsError::external_origin(arn))
            } else {
                Ok(())
            }
        }

        // Import: only keys with imported material. [8], [9]; not while Creating [14];
        // GetParametersForImport not while Updating [15].
        A::GetParametersForImport | A::ImportKeyMaterial => {
            match (state, action) {
                (KeyState::Creating, _) => return Err(KmsError::creating(arn)),
                (KeyState::Updating, A::GetParametersForImport) => {
                    return Err(KmsError::updating(arn));
                }
                _ => {}
            }
            if !external {
                return Err(KmsError::kms_origin(arn));
            }
            match state {
                KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => {
                    Err(KmsError::pending_deletion(arn))
                }
                _ => Ok(()),
            }
        }
        // [9]; not while Creating [14] or Updating [15].
        A::DeleteImportedKeyMaterial => match state {
            KeyState::Creating => Err(KmsError::creating(arn)),
            KeyState::Updating => Err(KmsError::updating(arn)),
            _ if external => Ok(()),
            _ => Err(KmsError::kms_origin(arn)),
        },
    }
}

/// For an operation that needs the key `Enabled` and accepts the states its caller matched
/// before: `Enabled` passes, any other state gets its error: [1], [3], [5], [14], [15].
fn usable_or(state: KeyState, arn: &str) -> Result<(), KmsError> {
    match state {
        KeyState::Enabled => Ok(()),
        KeyState::Disabled => Err(KmsError::disabled(arn)),
        KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => {
            Err(KmsError::pending_deletion(arn))
        }
        KeyState::PendingImport => Err(KmsError::pending_import(arn)),
        KeyState::Creating => Err(KmsError::creating(arn)),
        KeyState::Updating => Err(KmsError::updating(arn)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Timestamp;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// One row of the table: the expected outcome in Enabled, Disabled, PendingDeletion (for a key
    /// of the given origin) and PendingImport (always an EXTERNAL key: only those can be pending
    /// import). `""` = succeeds, else the exception name.
    type Row = (Action, Origin, [&'static str; 4]);

    const OK: &str = "";
    const DIS: &str = "DisabledException";
    const INV: &str = "KMSInvalidStateException";
    const UNS: &str = "UnsupportedOperationException";

    /// KMS Developer Guide, key-state.html, "Key states and KMS API operations": every operation
    /// the playground models, in every state it models.
    fn table() -> Vec<Row> {
        use Action as A;
        use Origin::{AwsKms as K, External as X};
        let mut rows: Vec<Row> = vec![
            (A::CancelKeyDeletion, K, [INV, INV, OK, INV]),
            (A::CreateAlias, K, [OK, OK, INV, OK]),
            (A::CreateGrant, K, [OK, DIS, INV, INV]),
            (A::Decrypt, K, [OK, DIS, INV, INV]),
            (A::DeleteAlias, K, [OK, OK, OK, OK]),
            (A::DeleteImportedKeyMaterial, X, [OK, OK, OK, OK]),
            (A::DeleteImportedKeyMaterial, K, [UNS, UNS, UNS, OK]),
            (A::DescribeKey, K, [OK, OK, OK, OK]),
            (A::DisableKey, K, [OK, OK, INV, INV]),
            (A::DisableKeyRotation, K, [OK, DIS, INV, UNS]),
            (A::DisableKeyRotation, X, [UNS, UNS, UNS, UNS]),
            (A::EnableKey, K, [OK, OK, INV, INV]),
            (A::EnableKeyRotation, K, [OK, DIS, INV, UNS]),
            (A::EnableKeyRotation, X, [UNS, UNS, UNS, UNS]),
            (A::Encrypt, K, [OK, DIS, INV, INV]),
            (A::GetKeyPolicy, K, [OK, OK, OK, OK]),
            (A::GetKeyRotationStatus, K, [OK, OK, OK, UNS]),
            (A::GetKeyRotationStatus, X, [UNS, UNS, UNS, UNS]),
            (A::GetParametersForImport, X, [OK, OK, INV, OK]),
            (A::GetParametersForImport, K, [UNS, UNS, UNS, OK]),
            (A::ImportKeyMaterial, X, [OK, OK, INV, OK]),
            (A::ImportKeyMaterial, K, [UNS, UNS, UNS, OK]),
            (A::ListGrants, K, [OK, OK, OK, OK]),
            (A::ListKeyPolicies, K, [OK, OK, OK, OK]),
            (A::ListResourceTags, K, [OK, OK, OK, OK]),
            (A::PutKeyPolicy, K, [OK, OK, OK, OK]),
            (A::ReEncryptFrom, K, [OK, DIS, INV, INV]),
            (A::ReEncryptTo, K, [OK, DIS, INV, INV]),
            (A::RetireGrant, K, [OK, OK, OK, OK]),
            (A::RevokeGrant, K, [OK, OK, OK, OK]),
            (A::ScheduleKeyDeletion, K, [OK, OK, INV, OK]),
            (A::TagResource, K, [OK, OK, INV, OK]),
            (A::UntagResource, K, [OK, OK, INV, OK]),
            (A::UpdateAlias, K, [OK, OK, OK, OK]),
            (A::UpdateKeyDescription, K, [OK, OK, INV, OK]),
        ];
        for action in [
            A::GenerateDataKey,
            A::GenerateDataKeyPair,
            A::GenerateDataKeyPairWithoutPlaintext,
            A::GenerateDataKeyWithoutPlaintext,
        ] {
            rows.push((action, K, [OK, DIS, INV, INV]));
        }
        rows
    }

    fn states() -> [KeyState; 4] {
        [
            KeyState::Enabled,
            KeyState::Disabled,
            KeyState::PendingDeletion {
                deletion_date: Timestamp(0),
                window_days: 7,
            },
            KeyState::PendingImport,
        ]
    }

    #[test]
    fn every_operation_in_every_state_matches_the_key_state_page() {
        for (action, origin, expected) in table() {
            for (state, want) in states().into_iter().zip(expected) {
                let origin = match state {
                    KeyState::PendingImport => Origin::External,
                    _ => origin,
                };
                let got = check_key_state(state, origin, action, ARN)
                    .err()
                    .map_or("", |e| e.exception_name());
                assert_eq!(
                    got,
                    want,
                    "{action} on a {} key in state {}",
                    origin.as_str(),
                    state.as_str()
                );
            }
        }
    }

    #[test]
    fn the_table_covers_every_key_resource_action_the_playground_runs() {
        let rows = table();
        for action in [
            Action::CancelKeyDeletion,
            Action::CreateAlias,
            Action::DeleteAlias,
            Action::DescribeKey,
            Action::DisableKey,
            Action::DisableKeyRotation,
            Action::EnableKey,
            Action::EnableKeyRotation,
            Action::GetKeyPolicy,
            Action::GetKeyRotationStatus,
            Action::GetParametersForImport,
            Action::ImportKeyMaterial,
            Action::ListKeyPolicies,
            Action::ListResourceTags,
            Action::PutKeyPolicy,
            Action::ScheduleKeyDeletion,
            Action::TagResource,
            Action::UntagResource,
            Action::UpdateAlias,
            Action::UpdateKeyDescription,
            Action::Encrypt,
            Action::Decrypt,
            Action::CreateGrant,
        ] {
            assert!(
                rows.iter().any(|(a, _, _)| *a == action),
                "{action} missing"
            );
        }
    }

    #[test]
    fn a_primary_waiting_for_its_replicas_is_treated_as_pending_deletion() {
        // KMS API Reference, ScheduleKeyDeletion: a primary key in PendingReplicaDeletion
        // "cannot be replicated or used in cryptographic operations"; CancelKeyDeletion
        // cancels it (key-state.html groups it with PendingDeletion).
        let waiting = KeyState::PendingReplicaDeletion { window_days: 7 };
        for (action, origin, expected) in table() {
            let got = check_key_state(waiting, origin, action, ARN)
                .err()
                .map_or("", |e| e.exception_name());
            assert_eq!(
                got, expected[2],
                "{action} on a key in PendingReplicaDeletion"
            );
        }
        let replicate = check_key_state(waiting, Origin::AwsKms, Action::ReplicateKey, ARN);
        assert_eq!(
            replicate.unwrap_err().exception_name(),
            "KMSInvalidStateException"
        );
    }

    /// KMS Developer Guide, key-state.html, the table's `Creating` and `Updating` columns:
    /// `[creating, updating]` for a key of the given origin. `INV` is footnote [14] ("ARN is
    /// creating.") or [15] ("ARN is updating."), except CancelKeyDeletion's [4].
    fn transient_table() -> Vec<(Action, Origin, [&'static str; 2])> {
        use Action as A;
        use Origin::{AwsKms as K, External as X};
        let mut rows = vec![
            (A::CancelKeyDeletion, K, [INV, INV]),
            (A::CreateAlias, K, [OK, OK]),
            (A::CreateGrant, K, [INV, OK]),
            (A::Decrypt, K, [INV, OK]),
            (A::DeleteAlias, K, [OK, OK]),
            (A::DeleteImportedKeyMaterial, X, [INV, INV]),
            (A::DescribeKey, K, [OK, OK]),
            (A::DisableKey, K, [INV, INV]),
            (A::DisableKeyRotation, K, [INV, OK]),
            (A::DisableKeyRotation, X, [INV, UNS]),
            (A::EnableKey, K, [INV, INV]),
            (A::EnableKeyRotation, K, [INV, OK]),
            (A::EnableKeyRotation, X, [INV, UNS]),
            (A::Encrypt, K, [INV, OK]),
            (A::GetKeyPolicy, K, [OK, OK]),
            (A::GetKeyRotationStatus, K, [OK, OK]),
            (A::GetKeyRotationStatus, X, [UNS, UNS]),
            (A::GetParametersForImport, X, [INV, INV]),
            (A::ImportKeyMaterial, X, [INV, OK]),
            (A::ListGrants, K, [OK, OK]),
            (A::ListKeyPolicies, K, [OK, OK]),
            (A::ListResourceTags, K, [OK, OK]),
            (A::PutKeyPolicy, K, [OK, OK]),
            (A::ReEncryptFrom, K, [INV, OK]),
            (A::ReEncryptTo, K, [INV, OK]),
            (A::ReplicateKey, K, [INV, INV]),
            (A::RetireGrant, K, [OK, OK]),
            (A::RevokeGrant, K, [OK, OK]),
            (A::ScheduleKeyDeletion, K, [OK, INV]),
            (A::TagResource, K, [OK, OK]),
            (A::UntagResource, K, [OK, OK]),
            (A::UpdateAlias, K, [OK, OK]),
            (A::UpdateKeyDescription, K, [OK, OK]),
            (A::UpdatePrimaryRegion, K, [INV, OK]),
        ];
        for action in [
            A::GenerateDataKey,
            A::GenerateDataKeyPair,
            A::GenerateDataKeyPairWithoutPlaintext,
            A::GenerateDataKeyWithoutPlaintext,
            A::GenerateMac,
            A::VerifyMac,
            A::Sign,
            A::Verify,
            A::GetPublicKey,
        ] {
            rows.push((action, K, [INV, OK]));
        }
        rows
    }

    #[test]
    fn creating_and_updating_keys_allow_what_the_key_state_page_says() {
        // KMS Developer Guide, key-state.html: a replica that is Creating can be managed but not
        // used; keys that are Updating can be used but not enabled, disabled, replicated or
        // scheduled for deletion. The refusals are KMSInvalidStateException "ARN is creating."
        // [14] and "ARN is updating." [15].
        for (action, origin, expected) in transient_table() {
            for (state, want) in [KeyState::Creating, KeyState::Updating]
                .into_iter()
                .zip(expected)
            {
                let result = check_key_state(state, origin, action, ARN);
                let got = result.as_ref().err().map_or("", |e| e.exception_name());
                assert_eq!(
                    got,
                    want,
                    "{action} on a {} key in state {}",
                    origin.as_str(),
                    state.as_str()
                );
                if want == INV && action != Action::CancelKeyDeletion {
                    let word = match state {
                        KeyState::Creating => "creating",
                        _ => "updating",
                    };
                    assert_eq!(
                        result.unwrap_err().message(),
                        format!("{ARN} is {word}."),
                        "{action} in {}",
                        state.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn a_key_is_in_its_transient_state_until_the_moment_it_ends() {
        // KMS API Reference, ReplicateKey: Creating "changes to Enabled (or PendingImport) after
        // a few seconds"; UpdatePrimaryRegion: "The original key state is restored when the
        // update is complete". The state is read from the clock, not stored.
        use crate::store::key::{TRANSIENT_STATE_MILLIS, Transient};
        let text = crate::policy::default_key_policy("111122223333");
        let parsed =
            crate::policy::parse::parse_policy(&text, crate::policy::parse::PolicyKind::KeyPolicy);
        let policy = crate::store::KeyPolicy {
            text: text.as_str().into(),
            policy: std::sync::Arc::new(parsed.policy.unwrap()),
        };
        let mut key = Key::new(
            crate::store::KeyId::parse("mrk-1234abcd12ab34cd56ef1234567890ab").unwrap(),
            "111122223333".to_owned(),
            "eu-west-2".to_owned(),
            Origin::External,
            KeyState::PendingImport,
            Timestamp(0),
            policy,
        );
        key.transient = Some(Transient::creating(Timestamp(1_000)));
        let end = Timestamp(1_000 + TRANSIENT_STATE_MILLIS);
        assert_eq!(key.state_at(Timestamp(1_000)), KeyState::Creating);
        assert_eq!(key.state_at(Timestamp(end.0 - 1)), KeyState::Creating);
        assert_eq!(key.transient_until(Timestamp(1_000)), Some(end));
        assert_eq!(key.state_at(end), KeyState::PendingImport);
        assert_eq!(key.transient_until(end), None);
        assert_eq!(
            check_key(&key, Action::Encrypt, Timestamp(1_000))
                .unwrap_err()
                .message(),
            format!("{} is creating.", key.arn)
        );
        assert_eq!(
            check_key(&key, Action::Encrypt, end).unwrap_err().message(),
            format!("{} is pending import.", key.arn)
        );
    }

    #[test]
    fn messages_name_the_key_arn() {
        // key-state.html footnotes 1, 3, 4, 5.
        let disabled = check_key_state(KeyState::Disabled, Origin::AwsKms, Action::Encrypt, ARN);
        assert_eq!(
            disabled.unwrap_err().message(),
            format!("{ARN} is disabled.")
        );
        let pending = check_key_state(states()[2], Origin::AwsKms, Action::Decrypt, ARN);
        assert_eq!(
            pending.unwrap_err().message(),
            format!("{ARN} is pending deletion.")
        );
        let not_pending = check_key_state(
            KeyState::Enabled,
            Origin::AwsKms,
            Action::CancelKeyDeletion,
            ARN,
        );
        assert_eq!(
            not_pending.unwrap_err().message(),
            format!("{ARN} is not pending deletion.")
        );
        let import = check_key_state(
            KeyState::PendingImport,
            Origin::External,
            Action::Encrypt,
            ARN,
        );
        assert_eq!(
            import.unwrap_err().message(),
            format!("{ARN} is pending import.")
        );
    }
}
