//! The KMS permissions (`kms:Encrypt`, ...) and what KMS says about each.
//!
//! An [`Action`] is what a policy allows or denies. It is the API operation of the same name,
//! except that the `ReEncrypt` operation needs two: `kms:ReEncryptFrom` on the source key and
//! `kms:ReEncryptTo` on the destination key. The enum names the actions the engine performs;
//! what KMS says about each (operation, permission source, cross-account use, grant operation)
//! is read from the one table of them, [`crate::catalog::ACTIONS`].

use super::{ActionGroup, KmsAction, ResourceKind};
use serde::Serialize;

/// Where the permission for an action must come from (semantics §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PermissionSource {
    /// The key policy, or IAM policies when the key policy delegates to the account, or a grant.
    KeyPolicy,
    /// IAM (identity) policies alone; no key is involved (`kms:CreateKey`, `kms:ListKeys`, ...).
    IamOnly,
    /// The grant being retired: its retiring principal, its grantee if the grant includes
    /// `RetireGrant`, or its issuing account (`kms:RetireGrant` in a key policy or an RCP has no
    /// effect, `Allow` or `Deny`; a `Deny` in an IAM policy counts).
    Grant,
}

macro_rules! actions {
    ($( $variant:ident ),* $(,)?) => {
        /// A KMS permission, such as `kms:Decrypt`. Every fact about it comes from its row of the
        /// catalog ([`crate::catalog::ACTIONS`]), found when the crate is built.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[expect(missing_docs, reason = "each variant is the KMS permission of the same name")]
        pub enum Action {
            $( $variant, )*
        }

        impl Action {
            /// Every KMS action the engine knows, in alphabetical order.
            pub const ALL: &'static [Action] = &[ $( Action::$variant, )* ];

            /// The action's row of the catalog.
            pub fn entry(self) -> &'static KmsAction {
                match self {
                    $( Action::$variant => const { catalog_row(concat!("kms:", stringify!($variant))) }, )*
                }
            }
        }
    };
}

/// The catalog row of `name`, looked up while the crate is built.
#[expect(
    clippy::panic,
    reason = "only evaluated in const blocks: an action missing from the catalog fails the build"
)]
const fn catalog_row(name: &str) -> &'static KmsAction {
    let mut rest = super::ACTIONS;
    while let Some((row, tail)) = rest.split_first() {
        if same_bytes(row.action.as_bytes(), name.as_bytes()) {
            return row;
        }
        rest = tail;
    }
    panic!("an Action variant is missing from catalog::ACTIONS")
}

/// `a == b`, in a const fn.
const fn same_bytes(mut a: &[u8], mut b: &[u8]) -> bool {
    loop {
        match (a.split_first(), b.split_first()) {
            (None, None) => return true,
            (Some((x, a_tail)), Some((y, b_tail))) if *x == *y => {
                a = a_tail;
                b = b_tail;
            }
            _ => return false,
        }
    }
}

actions! {
    CancelKeyDeletion,
    CreateAlias,
    CreateGrant,
    CreateKey,
    Decrypt,
    DeleteAlias,
    DeleteImportedKeyMaterial,
    DeriveSharedSecret,
    DescribeKey,
    DisableKey,
    DisableKeyRotation,
    EnableKey,
    EnableKeyRotation,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateDataKeyWithoutPlaintext,
    GenerateMac,
    GenerateRandom,
    GetKeyLastUsage,
    GetKeyPolicy,
    GetKeyRotationStatus,
    GetParametersForImport,
    GetPublicKey,
    ImportKeyMaterial,
    ListAliases,
    ListGrants,
    ListKeyPolicies,
    ListKeyRotations,
    ListKeys,
    ListResourceTags,
    ListRetirableGrants,
    PutKeyPolicy,
    ReEncryptFrom,
    ReEncryptTo,
    ReplicateKey,
    RetireGrant,
    RevokeGrant,
    RotateKeyOnDemand,
    ScheduleKeyDeletion,
    Sign,
    TagResource,
    UntagResource,
    UpdateAlias,
    UpdateKeyDescription,
    UpdatePrimaryRegion,
    Verify,
    VerifyMac,
}

impl Action {
    /// The permission as written in policies, such as `kms:Decrypt`.
    pub fn name(self) -> &'static str {
        self.entry().action
    }

    /// The API operation that needs this permission (`ReEncrypt` for both re-encrypt
    /// permissions).
    pub fn operation(self) -> &'static str {
        self.entry().operation
    }

    /// Where the permission must come from.
    pub fn permission_source(self) -> PermissionSource {
        let entry = self.entry();
        if entry.decided_by_its_grant {
            PermissionSource::Grant
        } else if entry.resource == ResourceKind::IamOnly {
            PermissionSource::IamOnly
        } else {
            PermissionSource::KeyPolicy
        }
    }

    /// Whether a principal in another account can be given this permission on a key. For every
    /// other action, a cross-account permission "has no effect" (KMS Developer Guide,
    /// key-policy-modifying-external-accounts.html).
    pub fn cross_account(self) -> bool {
        self.entry().cross_account
    }

    /// Whether this is a grant operation (API `GrantOperation`), that is, whether a grant can
    /// allow it.
    pub fn is_grant_operation(self) -> bool {
        self.entry().grant_operation
    }
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

    /// The action a person named, with or without the `kms:` prefix (`Decrypt`, `kms:decrypt`);
    /// otherwise a message that says so, with the closest action's name when there is one.
    pub fn from_user_input(name: &str) -> Result<Action, String> {
        let full = if name.contains(':') {
            name.to_owned()
        } else {
            format!("kms:{name}")
        };
        Action::from_name(&full).ok_or_else(|| {
            let hint = super::suggest_action(&full)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            format!("`{name}` is not a KMS action{hint}")
        })
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

    /// The cryptographic operations on a key (KMS Developer Guide,
    /// kms-cryptography.html#cryptographic-operations), without `GenerateRandom`, which uses no
    /// key, and `GetPublicKey`, which reads one.
    pub fn is_cryptographic(self) -> bool {
        let entry = self.entry();
        entry.group == ActionGroup::Cryptographic && entry.resource == ResourceKind::Key
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
        crate::sort::sort(&mut sorted);
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
        crate::sort::sort(&mut ops);
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
        crate::sort::sort(&mut expected);
        assert_eq!(ops, expected);
    }
}
