//! The KMS permissions (`kms:Encrypt`, ...) and what KMS says about each.
//!
//! An [`Action`] is what a policy allows or denies. It is the API operation of the same name,
//! except that the `ReEncrypt` operation needs two: `kms:ReEncryptFrom` on the source key and
//! `kms:ReEncryptTo` on the destination key. Facts per action: KMS API Reference ("Required
//! permissions" and "Cross-account use" of each operation) and KMS Developer Guide,
//! kms-api-permissions-reference.html.

use serde::Serialize;

/// Where the permission for an action must come from (semantics §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PermissionSource {
    /// The key policy, or IAM policies when the key policy delegates to the account, or a grant.
    KeyPolicy,
    /// IAM (identity) policies alone; no key is involved (`kms:CreateKey`, `kms:ListKeys`, ...).
    IamOnly,
    /// The grant being retired: its retiring principal, its grantee if the grant includes
    /// `RetireGrant`, or its issuing account (`kms:RetireGrant` in a key policy has no effect).
    Grant,
}

macro_rules! actions {
    ($( $variant:ident = $name:literal, $op:literal, $source:ident, cross: $cross:literal, grant: $grant:literal; )*) => {
        /// A KMS permission, such as `kms:Decrypt`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[allow(missing_docs, reason = "each variant is the KMS permission of the same name")]
        pub enum Action {
            $( $variant, )*
        }

        impl Action {
            /// Every KMS action the engine knows, in alphabetical order.
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            /// The permission as written in policies, such as `kms:Decrypt`.
            pub fn name(self) -> &'static str {
                match self { $( Action::$variant => $name, )* }
            }

            /// The API operation that needs this permission (`ReEncrypt` for both re-encrypt
            /// permissions).
            pub fn operation(self) -> &'static str {
                match self { $( Action::$variant => $op, )* }
            }

            /// Where the permission must come from.
            pub fn permission_source(self) -> PermissionSource {
                match self { $( Action::$variant => PermissionSource::$source, )* }
            }

            /// Whether a principal in another account can be given this permission on a key.
            /// For every other action, a cross-account permission "has no effect" (KMS
            /// Developer Guide, key-policy-modifying-external-accounts.html).
            pub fn cross_account(self) -> bool {
                match self { $( Action::$variant => $cross, )* }
            }

            /// Whether this is a grant operation (API `GrantOperation`), that is, whether a grant
            /// can allow it.
            pub fn is_grant_operation(self) -> bool {
                match self { $( Action::$variant => $grant, )* }
            }
        }
    };
}

actions! {
    CancelKeyDeletion = "kms:CancelKeyDeletion", "CancelKeyDeletion", KeyPolicy, cross: false, grant: false;
    CreateAlias = "kms:CreateAlias", "CreateAlias", KeyPolicy, cross: false, grant: false;
    CreateGrant = "kms:CreateGrant", "CreateGrant", KeyPolicy, cross: true, grant: true;
    CreateKey = "kms:CreateKey", "CreateKey", IamOnly, cross: false, grant: false;
    Decrypt = "kms:Decrypt", "Decrypt", KeyPolicy, cross: true, grant: true;
    DeleteAlias = "kms:DeleteAlias", "DeleteAlias", KeyPolicy, cross: false, grant: false;
    DeleteImportedKeyMaterial = "kms:DeleteImportedKeyMaterial", "DeleteImportedKeyMaterial", KeyPolicy, cross: false, grant: false;
    DeriveSharedSecret = "kms:DeriveSharedSecret", "DeriveSharedSecret", KeyPolicy, cross: true, grant: true;
    DescribeKey = "kms:DescribeKey", "DescribeKey", KeyPolicy, cross: true, grant: true;
    DisableKey = "kms:DisableKey", "DisableKey", KeyPolicy, cross: false, grant: false;
    DisableKeyRotation = "kms:DisableKeyRotation", "DisableKeyRotation", KeyPolicy, cross: false, grant: false;
    EnableKey = "kms:EnableKey", "EnableKey", KeyPolicy, cross: false, grant: false;
    EnableKeyRotation = "kms:EnableKeyRotation", "EnableKeyRotation", KeyPolicy, cross: false, grant: false;
    Encrypt = "kms:Encrypt", "Encrypt", KeyPolicy, cross: true, grant: true;
    GenerateDataKey = "kms:GenerateDataKey", "GenerateDataKey", KeyPolicy, cross: true, grant: true;
    GenerateDataKeyPair = "kms:GenerateDataKeyPair", "GenerateDataKeyPair", KeyPolicy, cross: true, grant: true;
    GenerateDataKeyPairWithoutPlaintext = "kms:GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyPairWithoutPlaintext", KeyPolicy, cross: true, grant: true;
    GenerateDataKeyWithoutPlaintext = "kms:GenerateDataKeyWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", KeyPolicy, cross: true, grant: true;
    GenerateMac = "kms:GenerateMac", "GenerateMac", KeyPolicy, cross: true, grant: true;
    GenerateRandom = "kms:GenerateRandom", "GenerateRandom", IamOnly, cross: false, grant: false;
    GetKeyPolicy = "kms:GetKeyPolicy", "GetKeyPolicy", KeyPolicy, cross: false, grant: false;
    GetKeyRotationStatus = "kms:GetKeyRotationStatus", "GetKeyRotationStatus", KeyPolicy, cross: true, grant: false;
    GetParametersForImport = "kms:GetParametersForImport", "GetParametersForImport", KeyPolicy, cross: false, grant: false;
    GetPublicKey = "kms:GetPublicKey", "GetPublicKey", KeyPolicy, cross: true, grant: true;
    ImportKeyMaterial = "kms:ImportKeyMaterial", "ImportKeyMaterial", KeyPolicy, cross: false, grant: false;
    ListAliases = "kms:ListAliases", "ListAliases", IamOnly, cross: false, grant: false;
    ListGrants = "kms:ListGrants", "ListGrants", KeyPolicy, cross: true, grant: false;
    ListKeyPolicies = "kms:ListKeyPolicies", "ListKeyPolicies", KeyPolicy, cross: false, grant: false;
    ListKeyRotations = "kms:ListKeyRotations", "ListKeyRotations", KeyPolicy, cross: false, grant: false;
    ListKeys = "kms:ListKeys", "ListKeys", IamOnly, cross: false, grant: false;
    ListResourceTags = "kms:ListResourceTags", "ListResourceTags", KeyPolicy, cross: false, grant: false;
    ListRetirableGrants = "kms:ListRetirableGrants", "ListRetirableGrants", IamOnly, cross: false, grant: false;
    PutKeyPolicy = "kms:PutKeyPolicy", "PutKeyPolicy", KeyPolicy, cross: false, grant: false;
    ReEncryptFrom = "kms:ReEncryptFrom", "ReEncrypt", KeyPolicy, cross: true, grant: true;
    ReEncryptTo = "kms:ReEncryptTo", "ReEncrypt", KeyPolicy, cross: true, grant: true;
    ReplicateKey = "kms:ReplicateKey", "ReplicateKey", KeyPolicy, cross: false, grant: false;
    RetireGrant = "kms:RetireGrant", "RetireGrant", Grant, cross: true, grant: true;
    RevokeGrant = "kms:RevokeGrant", "RevokeGrant", KeyPolicy, cross: true, grant: false;
    RotateKeyOnDemand = "kms:RotateKeyOnDemand", "RotateKeyOnDemand", KeyPolicy, cross: false, grant: false;
    ScheduleKeyDeletion = "kms:ScheduleKeyDeletion", "ScheduleKeyDeletion", KeyPolicy, cross: false, grant: false;
    Sign = "kms:Sign", "Sign", KeyPolicy, cross: true, grant: true;
    TagResource = "kms:TagResource", "TagResource", KeyPolicy, cross: false, grant: false;
    UntagResource = "kms:UntagResource", "UntagResource", KeyPolicy, cross: false, grant: false;
    UpdateAlias = "kms:UpdateAlias", "UpdateAlias", KeyPolicy, cross: false, grant: false;
    UpdateKeyDescription = "kms:UpdateKeyDescription", "UpdateKeyDescription", KeyPolicy, cross: false, grant: false;
    UpdatePrimaryRegion = "kms:UpdatePrimaryRegion", "UpdatePrimaryRegion", KeyPolicy, cross: false, grant: false;
    Verify = "kms:Verify", "Verify", KeyPolicy, cross: true, grant: true;
    VerifyMac = "kms:VerifyMac", "VerifyMac", KeyPolicy, cross: true, grant: true;
}

impl Action {
    /// The action named `name` (`kms:Decrypt`; the prefix and the name are case-insensitive, as in
    /// policies: IAM User Guide, reference_policies_elements_action.html).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL
            .iter()
            .copied()
            .find(|action| action.name().eq_ignore_ascii_case(name))
    }

    /// The grant operation's name as it appears in a grant's `Operations` (`Decrypt`), if a
    /// grant can allow this action.
    pub fn grant_operation_name(self) -> Option<&'static str> {
        self.is_grant_operation()
            .then(|| self.name().trim_start_matches("kms:"))
    }

    /// Whether the action works on a KMS key (as opposed to IAM-only actions).
    pub fn is_key_resource_action(self) -> bool {
        self.permission_source() != PermissionSource::IamOnly
    }

    /// The cryptographic operations (KMS Developer Guide, kms-cryptography.html#cryptographic-operations).
    pub fn is_cryptographic(self) -> bool {
        matches!(
            self,
            Action::Encrypt
                | Action::Decrypt
                | Action::ReEncryptFrom
                | Action::ReEncryptTo
                | Action::GenerateDataKey
                | Action::GenerateDataKeyPair
                | Action::GenerateDataKeyPairWithoutPlaintext
                | Action::GenerateDataKeyWithoutPlaintext
                | Action::GenerateMac
                | Action::VerifyMac
                | Action::Sign
                | Action::Verify
                | Action::DeriveSharedSecret
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for &action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert_eq!(
                Action::from_name(&action.name().to_ascii_uppercase()),
                Some(action)
            );
        }
        assert_eq!(Action::from_name("kms:Nope"), None);
    }

    #[test]
    fn actions_are_listed_in_alphabetical_order() {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn only_the_documented_operations_work_across_accounts() {
        // KMS Developer Guide, key-policy-modifying-external-accounts.html: cryptographic
        // operations, CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants,
        // RetireGrant, RevokeGrant (API model also: DeriveSharedSecret).
        let cross: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| a.cross_account())
            .collect();
        for action in &cross {
            assert!(
                action.is_cryptographic()
                    || matches!(
                        action,
                        Action::CreateGrant
                            | Action::DescribeKey
                            | Action::GetKeyRotationStatus
                            | Action::GetPublicKey
                            | Action::ListGrants
                            | Action::RetireGrant
                            | Action::RevokeGrant
                    ),
                "{action} must not work across accounts"
            );
        }
        assert!(!Action::PutKeyPolicy.cross_account());
        assert!(!Action::ScheduleKeyDeletion.cross_account());
        assert!(Action::Decrypt.cross_account());
    }

    #[test]
    fn grant_operations_are_the_api_enum() {
        // KMS API Reference, CreateGrant, `GrantOperation` enum (semantics §3.2).
        let mut ops: Vec<&str> = Action::ALL
            .iter()
            .filter_map(|a| a.grant_operation_name())
            .collect();
        ops.sort_unstable();
        let mut expected = vec![
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            "Sign",
            "Verify",
            "GetPublicKey",
            "CreateGrant",
            "RetireGrant",
            "DescribeKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateMac",
            "VerifyMac",
            "DeriveSharedSecret",
        ];
        expected.sort_unstable();
        assert_eq!(ops, expected);
    }
}
