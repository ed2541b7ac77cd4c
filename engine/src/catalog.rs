//! What KMS offers to policies: its actions, its grant operations and its condition keys.
//!
//! Sources: KMS Developer Guide, kms-api-permissions-reference.html (the actions table: policy
//! type, cross-account use, resources, condition keys), conditions-kms.html (KMS condition keys,
//! their types and the operations that carry them), conditions-aws.html (the global keys KMS
//! supports), grants.html (grant operations); the Service Authorization Reference for KMS
//! (list_awskeymanagementservice.html); the KMS API model (which operations accept
//! `GrantTokens` and `DryRun`). `shared/kms-semantics.md` §2, §3.2, §7.2 and §8.2 condense them.
//!
//! Lookups are case-insensitive, as IAM matches action and condition key names.

mod action;
mod key_specs;

pub use action::{Action, PermissionSource};
pub use key_specs::{
    DATA_KEY_PAIR_SPECS, ENCRYPTION_ALGORITHMS, KEY_AGREEMENT_ALGORITHMS, KEY_SPECS,
    KEY_TYPE_OPERATIONS, KEY_USAGES, KeySpec, KeySpecRow, KeyUsage, MATERIAL_OPERATIONS,
    MacAlgorithm, SIGNING_ALGORITHMS, data_key_pair_spec, grant_operations_of_any_key,
    key_spec_names, kinds_of_key, some_key_supports,
};

use crate::diagnostics::did_you_mean;
use serde::Serialize;

/// What an action is authorized against (the "Resources" column of the actions table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ResourceKind {
    /// A KMS key: the key policy decides, and IAM policies if the key policy lets them.
    Key,
    /// No resource (`"Resource": "*"`): only IAM policies can allow it, never a key policy.
    IamOnly,
    /// An alias (IAM policy only) and the key it points to (key policy): both must allow it.
    AliasAndKey,
}

/// How the app's action picker groups actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ActionGroup {
    /// Using key material: encrypt, decrypt, sign, MAC, data keys, random bytes.
    Cryptographic,
    /// Managing keys, aliases, policies, tags, rotation, deletion, imports.
    Administrative,
    /// Creating, listing, retiring and revoking grants.
    Grants,
    /// Reading metadata without changing anything.
    Read,
}

impl ActionGroup {
    /// A short name for headings.
    pub fn label(self) -> &'static str {
        match self {
            ActionGroup::Cryptographic => "cryptographic",
            ActionGroup::Administrative => "administrative",
            ActionGroup::Grants => "grants",
            ActionGroup::Read => "read",
        }
    }
}

/// One KMS action (permission) as written in policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KmsAction {
    /// The action as written in policies, such as `kms:Encrypt`.
    pub action: &'static str,
    /// The API operation it authorizes (`ReEncrypt` for `kms:ReEncryptFrom` and
    /// `kms:ReEncryptTo`; the action's own name for permission-only actions).
    pub operation: &'static str,
    /// What it is authorized against.
    pub resource: ResourceKind,
    /// Whether a principal in another account can be allowed to use it on a key. Any other
    /// action allowed cross-account "has no effect" (key-policy-modifying-external-accounts.html).
    pub cross_account: bool,
    /// Whether a grant can allow it (the API's `GrantOperation` enum).
    pub grant_operation: bool,
    /// Whether the operation takes a `GrantTokens` list.
    pub grant_tokens: bool,
    /// Whether the operation takes `DryRun`.
    pub dry_run: bool,
    /// Where the app's picker shows it.
    pub group: ActionGroup,
    /// Whether the grant acted on, not a policy, says who may call it: RetireGrant (API
    /// RetireGrant; grant-delete.html). A policy's `Deny` still counts.
    pub decided_by_its_grant: bool,
    /// The operation-specific KMS condition keys (beyond the ones every key operation has).
    specific_keys: &'static [&'static str],
}

impl KmsAction {
    /// The action's name without the `kms:` prefix, such as `Encrypt`.
    pub fn name(&self) -> &'static str {
        self.action.strip_prefix("kms:").unwrap_or(self.action)
    }

    /// Whether key policies can allow it (otherwise only IAM policies can).
    pub fn in_key_policy(&self) -> bool {
        self.resource != ResourceKind::IamOnly
    }

    /// Every KMS condition key a request for this action can carry. For key operations this
    /// includes the key-property keys (`kms:KeySpec`, `kms:ResourceAliases`, ...) and
    /// `kms:CallerAccount` / `kms:ViaService` (conditions-kms.html, "Conditions for KMS keys used
    /// in API operations"). Prefix keys end in `:` (`kms:EncryptionContext:`).
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> {
        let common: &'static [&'static str] = if self.in_key_policy() {
            KEY_OPERATION_KEYS
        } else {
            &[]
        };
        common.iter().chain(self.specific_keys).copied()
    }

    /// Whether a request for this action can carry `key` (case-insensitive). Global `aws:` keys
    /// are not KMS's to decide and always count as carried.
    pub fn carries(&self, key: &str) -> bool {
        if !starts_with_ignore_case(key, "kms:") {
            return true;
        }
        self.condition_keys().any(|known| key_matches(known, key))
    }
}

/// The condition keys every operation on a KMS key carries.
const KEY_OPERATION_KEYS: &[&str] = &[
    "kms:CallerAccount",
    "kms:ViaService",
    "kms:KeyOrigin",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:MultiRegion",
    "kms:MultiRegionKeyType",
    "kms:ResourceAliases",
    "kms:CustomerMasterKeySpec",
    "kms:CustomerMasterKeyUsage",
];

const ENCRYPTION_CONTEXT: &[&str] = &[
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:RequestAlias",
];

const ENCRYPTION_CONTEXT_ATTESTED: &[&str] = &[
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:RequestAlias",
    "kms:RecipientAttestation:",
];

const RE_ENCRYPT: &[&str] = &[
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:RequestAlias",
    "kms:ReEncryptOnSameKey",
];

const DATA_KEY_PAIR: &[&str] = &[
    "kms:DataKeyPairSpec",
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:RequestAlias",
    "kms:RecipientAttestation:",
];

const DATA_KEY_PAIR_WITHOUT_PLAINTEXT: &[&str] = &[
    "kms:DataKeyPairSpec",
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:RequestAlias",
];

const SIGNING: &[&str] = &[
    "kms:MessageType",
    "kms:SigningAlgorithm",
    "kms:RequestAlias",
];
const MAC: &[&str] = &["kms:MacAlgorithm", "kms:RequestAlias"];
const REQUEST_ALIAS: &[&str] = &["kms:RequestAlias"];
const NONE: &[&str] = &[];

const CREATE_GRANT: &[&str] = &[
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:GrantConstraintType",
    "kms:GrantConstraintSourceArn",
    "kms:GranteePrincipal",
    "kms:GranteeServicePrincipal",
    "kms:GrantIsForAWSResource",
    "kms:GrantOperations",
    "kms:RetiringPrincipal",
];

const CREATE_KEY: &[&str] = &[
    "kms:BypassPolicyLockoutSafetyCheck",
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:MultiRegion",
    "kms:MultiRegionKeyType",
    "kms:ViaService",
    "kms:CustomerMasterKeySpec",
    "kms:CustomerMasterKeyUsage",
];

const CALLER_ACCOUNT: &[&str] = &["kms:CallerAccount"];

use ActionGroup::{Administrative, Cryptographic, Grants, Read};
use ResourceKind::{AliasAndKey, IamOnly, Key};

/// A row of [`ACTIONS`]: `kms:` action, operation, resource, cross-account, grant operation,
/// grant tokens, dry run, group, specific condition keys.
const fn row(
    action: &'static str,
    operation: &'static str,
    resource: ResourceKind,
    flags: (bool, bool, bool, bool),
    group: ActionGroup,
    specific_keys: &'static [&'static str],
) -> KmsAction {
    let (cross_account, grant_operation, grant_tokens, dry_run) = flags;
    KmsAction {
        action,
        operation,
        resource,
        cross_account,
        grant_operation,
        grant_tokens,
        dry_run,
        group,
        decided_by_its_grant: false,
        specific_keys,
    }
}

/// A row whose permission the grant acted on decides, not policies: its retiring principal, its
/// grantee when the grant lists the operation, and its issuing account may call it;
/// `kms:RetireGrant` in a key policy allows nothing (API RetireGrant).
const fn decided_by_its_grant(row: KmsAction) -> KmsAction {
    KmsAction {
        decided_by_its_grant: true,
        ..row
    }
}

// (cross-account, grant operation, grant tokens, dry run)
const LOCAL: (bool, bool, bool, bool) = (false, false, false, false);
const CROSS: (bool, bool, bool, bool) = (true, false, false, false);
const CRYPTO: (bool, bool, bool, bool) = (true, true, true, true);

/// Every KMS action, in alphabetical order (KMS Developer Guide,
/// kms-api-permissions-reference.html; `shared/kms-semantics.md` §7.2).
pub const ACTIONS: &[KmsAction] = &[
    row(
        "kms:CancelKeyDeletion",
        "CancelKeyDeletion",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:ConnectCustomKeyStore",
        "ConnectCustomKeyStore",
        IamOnly,
        LOCAL,
        Administrative,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:CreateAlias",
        "CreateAlias",
        AliasAndKey,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:CreateCustomKeyStore",
        "CreateCustomKeyStore",
        IamOnly,
        LOCAL,
        Administrative,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:CreateGrant",
        "CreateGrant",
        Key,
        CRYPTO,
        Grants,
        CREATE_GRANT,
    ),
    row(
        "kms:CreateKey",
        "CreateKey",
        IamOnly,
        LOCAL,
        Administrative,
        CREATE_KEY,
    ),
    row(
        "kms:Decrypt",
        "Decrypt",
        Key,
        CRYPTO,
        Cryptographic,
        ENCRYPTION_CONTEXT_ATTESTED,
    ),
    row(
        "kms:DeleteAlias",
        "DeleteAlias",
        AliasAndKey,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:DeleteCustomKeyStore",
        "DeleteCustomKeyStore",
        IamOnly,
        LOCAL,
        Administrative,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:DeleteImportedKeyMaterial",
        "DeleteImportedKeyMaterial",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:DeriveSharedSecret",
        "DeriveSharedSecret",
        Key,
        CRYPTO,
        Cryptographic,
        &[
            "kms:KeyAgreementAlgorithm",
            "kms:RequestAlias",
            "kms:RecipientAttestation:",
        ],
    ),
    row(
        "kms:DescribeCustomKeyStores",
        "DescribeCustomKeyStores",
        IamOnly,
        LOCAL,
        Read,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:DescribeKey",
        "DescribeKey",
        Key,
        (true, true, true, false),
        Read,
        REQUEST_ALIAS,
    ),
    row(
        "kms:DisableKey",
        "DisableKey",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:DisableKeyRotation",
        "DisableKeyRotation",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:DisconnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        IamOnly,
        LOCAL,
        Administrative,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:EnableKey",
        "EnableKey",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:EnableKeyRotation",
        "EnableKeyRotation",
        Key,
        LOCAL,
        Administrative,
        &["kms:RotationPeriodInDays"],
    ),
    row(
        "kms:Encrypt",
        "Encrypt",
        Key,
        CRYPTO,
        Cryptographic,
        ENCRYPTION_CONTEXT,
    ),
    row(
        "kms:GenerateDataKey",
        "GenerateDataKey",
        Key,
        CRYPTO,
        Cryptographic,
        ENCRYPTION_CONTEXT_ATTESTED,
    ),
    row(
        "kms:GenerateDataKeyPair",
        "GenerateDataKeyPair",
        Key,
        CRYPTO,
        Cryptographic,
        DATA_KEY_PAIR,
    ),
    row(
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyPairWithoutPlaintext",
        Key,
        CRYPTO,
        Cryptographic,
        DATA_KEY_PAIR_WITHOUT_PLAINTEXT,
    ),
    row(
        "kms:GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        Key,
        CRYPTO,
        Cryptographic,
        ENCRYPTION_CONTEXT,
    ),
    row(
        "kms:GenerateMac",
        "GenerateMac",
        Key,
        CRYPTO,
        Cryptographic,
        MAC,
    ),
    row(
        "kms:GenerateRandom",
        "GenerateRandom",
        IamOnly,
        LOCAL,
        Cryptographic,
        &["kms:RecipientAttestation:"],
    ),
    row(
        "kms:GetKeyLastUsage",
        "GetKeyLastUsage",
        Key,
        LOCAL,
        Read,
        NONE,
    ),
    row("kms:GetKeyPolicy", "GetKeyPolicy", Key, LOCAL, Read, NONE),
    row(
        "kms:GetKeyRotationStatus",
        "GetKeyRotationStatus",
        Key,
        CROSS,
        Read,
        NONE,
    ),
    row(
        "kms:GetParametersForImport",
        "GetParametersForImport",
        Key,
        LOCAL,
        Administrative,
        &["kms:WrappingAlgorithm", "kms:WrappingKeySpec"],
    ),
    row(
        "kms:GetPublicKey",
        "GetPublicKey",
        Key,
        (true, true, true, false),
        Read,
        REQUEST_ALIAS,
    ),
    row(
        "kms:ImportKeyMaterial",
        "ImportKeyMaterial",
        Key,
        LOCAL,
        Administrative,
        &["kms:ExpirationModel", "kms:ValidTo"],
    ),
    row("kms:ListAliases", "ListAliases", IamOnly, LOCAL, Read, NONE),
    row(
        "kms:ListGrants",
        "ListGrants",
        Key,
        CROSS,
        Grants,
        &["kms:GrantIsForAWSResource"],
    ),
    row(
        "kms:ListKeyPolicies",
        "ListKeyPolicies",
        Key,
        LOCAL,
        Read,
        NONE,
    ),
    row(
        "kms:ListKeyRotations",
        "ListKeyRotations",
        Key,
        LOCAL,
        Read,
        NONE,
    ),
    row("kms:ListKeys", "ListKeys", IamOnly, LOCAL, Read, NONE),
    row(
        "kms:ListResourceTags",
        "ListResourceTags",
        Key,
        LOCAL,
        Read,
        NONE,
    ),
    row(
        "kms:ListRetirableGrants",
        "ListRetirableGrants",
        IamOnly,
        LOCAL,
        Grants,
        NONE,
    ),
    row(
        "kms:PutKeyPolicy",
        "PutKeyPolicy",
        Key,
        LOCAL,
        Administrative,
        &["kms:BypassPolicyLockoutSafetyCheck"],
    ),
    row(
        "kms:ReEncryptFrom",
        "ReEncrypt",
        Key,
        CRYPTO,
        Cryptographic,
        RE_ENCRYPT,
    ),
    row(
        "kms:ReEncryptTo",
        "ReEncrypt",
        Key,
        CRYPTO,
        Cryptographic,
        RE_ENCRYPT,
    ),
    row(
        "kms:ReplicateKey",
        "ReplicateKey",
        Key,
        LOCAL,
        Administrative,
        &["kms:ReplicaRegion"],
    ),
    // RetireGrant takes a single `GrantToken`, not a `GrantTokens` list; the grant itself, not a
    // policy, says who may retire it (grant-delete.html).
    decided_by_its_grant(row(
        "kms:RetireGrant",
        "RetireGrant",
        Key,
        (true, true, false, true),
        Grants,
        &[
            "kms:EncryptionContext:",
            "kms:EncryptionContextKeys",
            "kms:GrantConstraintType",
        ],
    )),
    row(
        "kms:RevokeGrant",
        "RevokeGrant",
        Key,
        (true, false, false, true),
        Grants,
        &["kms:GrantIsForAWSResource"],
    ),
    row(
        "kms:RotateKeyOnDemand",
        "RotateKeyOnDemand",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:ScheduleKeyDeletion",
        "ScheduleKeyDeletion",
        Key,
        LOCAL,
        Administrative,
        &["kms:ScheduleKeyDeletionPendingWindowInDays"],
    ),
    row("kms:Sign", "Sign", Key, CRYPTO, Cryptographic, SIGNING),
    // Permission-only: KMS calls it itself to keep multi-Region keys in step.
    row(
        "kms:SynchronizeMultiRegionKey",
        "SynchronizeMultiRegionKey",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:TagResource",
        "TagResource",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:UntagResource",
        "UntagResource",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:UpdateAlias",
        "UpdateAlias",
        AliasAndKey,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:UpdateCustomKeyStore",
        "UpdateCustomKeyStore",
        IamOnly,
        LOCAL,
        Administrative,
        CALLER_ACCOUNT,
    ),
    row(
        "kms:UpdateKeyDescription",
        "UpdateKeyDescription",
        Key,
        LOCAL,
        Administrative,
        NONE,
    ),
    row(
        "kms:UpdatePrimaryRegion",
        "UpdatePrimaryRegion",
        Key,
        LOCAL,
        Administrative,
        &["kms:PrimaryRegion"],
    ),
    row("kms:Verify", "Verify", Key, CRYPTO, Cryptographic, SIGNING),
    row(
        "kms:VerifyMac",
        "VerifyMac",
        Key,
        CRYPTO,
        Cryptographic,
        MAC,
    ),
];

/// The action named `name`, with or without the `kms:` prefix, in any case.
pub fn action(name: &str) -> Option<&'static KmsAction> {
    let bare = strip_prefix_ignore_case(name, "kms:").unwrap_or(name);
    ACTIONS.iter().find(|a| a.name().eq_ignore_ascii_case(bare))
}

/// The closest real action to a misspelt `kms:` action, as `kms:Name`.
pub fn suggest_action(name: &str) -> Option<&'static str> {
    let bare = strip_prefix_ignore_case(name, "kms:").unwrap_or(name);
    did_you_mean(bare, ACTIONS.iter().map(KmsAction::name))
        .and_then(action)
        .map(|a| a.action)
}

// ---------------------------------------------------------------------------------------------
// Grant operations
// ---------------------------------------------------------------------------------------------

/// The operations a grant can allow (API `GrantOperation`), by their API names.
pub fn grant_operations() -> impl Iterator<Item = &'static str> {
    ACTIONS
        .iter()
        .filter(|a| a.grant_operation)
        .map(KmsAction::name)
}

// ---------------------------------------------------------------------------------------------
// Condition keys
// ---------------------------------------------------------------------------------------------

/// The type of a condition key's values, which decides the operators that make sense for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyType {
    /// Compared with `String*` operators.
    String,
    /// `true` / `false`, compared with `Bool`.
    Bool,
    /// Compared with `Numeric*` operators.
    Numeric,
    /// A time, compared with `Date*` operators.
    Date,
    /// An IP address, compared with `IpAddress` / `NotIpAddress`.
    IpAddress,
    /// An ARN, compared with `Arn*` (or `String*`) operators.
    Arn,
}

/// A condition key that KMS policies can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionKey {
    /// The key as documented. A name ending in `:` or `/` is a prefix that takes a suffix
    /// (`kms:EncryptionContext:Department`, `aws:PrincipalTag/team`).
    pub name: &'static str,
    /// The values' type.
    pub value_type: KeyType,
    /// Whether a request can carry several values (then `ForAnyValue` / `ForAllValues` apply).
    pub multi_valued: bool,
    /// One line on what it holds.
    pub summary: &'static str,
}

impl ConditionKey {
    /// Whether the name takes a suffix.
    pub fn is_prefix(&self) -> bool {
        self.name.ends_with(':') || self.name.ends_with('/')
    }
}

const fn key(
    name: &'static str,
    value_type: KeyType,
    multi_valued: bool,
    summary: &'static str,
) -> ConditionKey {
    ConditionKey {
        name,
        value_type,
        multi_valued,
        summary,
    }
}

/// The KMS condition keys (KMS Developer Guide, conditions-kms.html).
pub const KMS_CONDITION_KEYS: &[ConditionKey] = &[
    key(
        "kms:BypassPolicyLockoutSafetyCheck",
        KeyType::Bool,
        false,
        "the BypassPolicyLockoutSafetyCheck parameter of CreateKey and PutKeyPolicy",
    ),
    key(
        "kms:CallerAccount",
        KeyType::String,
        false,
        "the account of the caller",
    ),
    key(
        "kms:CustomerMasterKeySpec",
        KeyType::String,
        false,
        "deprecated: use kms:KeySpec",
    ),
    key(
        "kms:CustomerMasterKeyUsage",
        KeyType::String,
        false,
        "deprecated: use kms:KeyUsage",
    ),
    key(
        "kms:DataKeyPairSpec",
        KeyType::String,
        false,
        "the KeyPairSpec of GenerateDataKeyPair requests",
    ),
    key(
        "kms:EncryptionAlgorithm",
        KeyType::String,
        false,
        "the encryption algorithm of the request",
    ),
    key(
        "kms:EncryptionContext:",
        KeyType::String,
        false,
        "the value of one encryption context pair; the suffix is the pair's key",
    ),
    key(
        "kms:EncryptionContextKeys",
        KeyType::String,
        true,
        "the keys of the request's encryption context",
    ),
    key(
        "kms:ExpirationModel",
        KeyType::String,
        false,
        "the ExpirationModel of ImportKeyMaterial",
    ),
    key(
        "kms:GrantConstraintSourceArn",
        KeyType::Arn,
        false,
        "the SourceArn grant constraint of CreateGrant",
    ),
    key(
        "kms:GrantConstraintType",
        KeyType::String,
        false,
        "the type of grant constraint in CreateGrant",
    ),
    key(
        "kms:GrantIsForAWSResource",
        KeyType::Bool,
        false,
        "true when an integrated AWS service creates the grant for the caller",
    ),
    key(
        "kms:GrantOperations",
        KeyType::String,
        true,
        "the operations of the grant being created",
    ),
    key(
        "kms:GranteePrincipal",
        KeyType::String,
        false,
        "the grantee principal of the grant being created",
    ),
    key(
        "kms:GranteeServicePrincipal",
        KeyType::String,
        false,
        "the grantee service principal of the grant being created",
    ),
    key(
        "kms:KeyAgreementAlgorithm",
        KeyType::String,
        false,
        "the key agreement algorithm of DeriveSharedSecret",
    ),
    key(
        "kms:KeyOrigin",
        KeyType::String,
        false,
        "the origin of the key's material",
    ),
    key(
        "kms:KeySpec",
        KeyType::String,
        false,
        "the key spec of the key",
    ),
    key(
        "kms:KeyUsage",
        KeyType::String,
        false,
        "the key usage of the key",
    ),
    key(
        "kms:MacAlgorithm",
        KeyType::String,
        false,
        "the MAC algorithm of the request",
    ),
    key(
        "kms:MessageType",
        KeyType::String,
        false,
        "RAW or DIGEST in Sign and Verify",
    ),
    key(
        "kms:MultiRegion",
        KeyType::Bool,
        false,
        "whether the key is a multi-Region key",
    ),
    key(
        "kms:MultiRegionKeyType",
        KeyType::String,
        false,
        "PRIMARY or REPLICA",
    ),
    key(
        "kms:PrimaryRegion",
        KeyType::String,
        false,
        "the new primary Region of UpdatePrimaryRegion",
    ),
    key(
        "kms:ReEncryptOnSameKey",
        KeyType::Bool,
        false,
        "whether ReEncrypt uses the same key for both sides",
    ),
    key(
        "kms:RecipientAttestation:",
        KeyType::String,
        false,
        "a Nitro enclave attestation value (ImageSha384, PCR0...)",
    ),
    key(
        "kms:ReplicaRegion",
        KeyType::String,
        false,
        "the Region of the replica ReplicateKey creates",
    ),
    key(
        "kms:RequestAlias",
        KeyType::String,
        false,
        "the alias name the request used to name the key",
    ),
    key(
        "kms:ResourceAliases",
        KeyType::String,
        true,
        "the aliases attached to the key",
    ),
    key(
        "kms:RetiringPrincipal",
        KeyType::String,
        false,
        "the retiring principal of the grant being created",
    ),
    key(
        "kms:RotationPeriodInDays",
        KeyType::Numeric,
        false,
        "the RotationPeriodInDays of EnableKeyRotation",
    ),
    key(
        "kms:ScheduleKeyDeletionPendingWindowInDays",
        KeyType::Numeric,
        false,
        "the PendingWindowInDays of ScheduleKeyDeletion",
    ),
    key(
        "kms:SigningAlgorithm",
        KeyType::String,
        false,
        "the signing algorithm of Sign and Verify",
    ),
    key(
        "kms:ValidTo",
        KeyType::Date,
        false,
        "the ValidTo of ImportKeyMaterial",
    ),
    key(
        "kms:ViaService",
        KeyType::String,
        false,
        "SERVICE.REGION.amazonaws.com when an AWS service calls for the principal",
    ),
    key(
        "kms:WrappingAlgorithm",
        KeyType::String,
        false,
        "the wrapping algorithm of GetParametersForImport",
    ),
    key(
        "kms:WrappingKeySpec",
        KeyType::String,
        false,
        "the wrapping key spec of GetParametersForImport",
    ),
];

/// The global `aws:` condition keys a KMS request can carry (IAM User Guide,
/// reference_policies_condition-keys.html; KMS Developer Guide, conditions-aws.html).
pub const GLOBAL_CONDITION_KEYS: &[ConditionKey] = &[
    key(
        "aws:CalledVia",
        KeyType::String,
        true,
        "the services that made the request for the principal, in order",
    ),
    key(
        "aws:CalledViaFirst",
        KeyType::String,
        false,
        "the first service in aws:CalledVia",
    ),
    key(
        "aws:CalledViaLast",
        KeyType::String,
        false,
        "the last service in aws:CalledVia",
    ),
    key(
        "aws:CurrentTime",
        KeyType::Date,
        false,
        "the time of the request",
    ),
    key(
        "aws:EpochTime",
        KeyType::Date,
        false,
        "the time of the request in epoch seconds",
    ),
    key(
        "aws:FederatedProvider",
        KeyType::String,
        false,
        "the identity provider of a federated principal",
    ),
    key(
        "aws:MultiFactorAuthAge",
        KeyType::Numeric,
        false,
        "seconds since MFA authentication",
    ),
    key(
        "aws:MultiFactorAuthPresent",
        KeyType::Bool,
        false,
        "whether MFA was used",
    ),
    key(
        "aws:PrincipalAccount",
        KeyType::String,
        false,
        "the account of the principal",
    ),
    key(
        "aws:PrincipalArn",
        KeyType::Arn,
        false,
        "the ARN of the principal (the role's ARN for a session)",
    ),
    key(
        "aws:PrincipalIsAWSService",
        KeyType::Bool,
        false,
        "whether the principal is an AWS service principal",
    ),
    key(
        "aws:PrincipalOrgID",
        KeyType::String,
        false,
        "the organization of the principal's account",
    ),
    key(
        "aws:PrincipalOrgPaths",
        KeyType::String,
        true,
        "the organization paths of the principal's account",
    ),
    key(
        "aws:PrincipalServiceName",
        KeyType::String,
        false,
        "the service principal making the request",
    ),
    key(
        "aws:PrincipalServiceNamesList",
        KeyType::String,
        true,
        "every name of the service principal",
    ),
    key(
        "aws:PrincipalTag/",
        KeyType::String,
        false,
        "a tag on the principal; the suffix is the tag key",
    ),
    key(
        "aws:PrincipalType",
        KeyType::String,
        false,
        "Account, User, AssumedRole, FederatedUser or AWSService",
    ),
    key("aws:Referer", KeyType::String, false, "the HTTP referer"),
    key(
        "aws:RequestTag/",
        KeyType::String,
        false,
        "a tag in the request; the suffix is the tag key",
    ),
    key(
        "aws:RequestedRegion",
        KeyType::String,
        false,
        "the Region the request was sent to",
    ),
    key(
        "aws:ResourceAccount",
        KeyType::String,
        false,
        "the account that owns the resource",
    ),
    key(
        "aws:ResourceOrgID",
        KeyType::String,
        false,
        "the organization of the resource's account",
    ),
    key(
        "aws:ResourceOrgPaths",
        KeyType::String,
        true,
        "the organization paths of the resource's account",
    ),
    key(
        "aws:ResourceTag/",
        KeyType::String,
        false,
        "a tag on the key; the suffix is the tag key",
    ),
    key(
        "aws:SecureTransport",
        KeyType::Bool,
        false,
        "whether the request used TLS",
    ),
    key(
        "aws:SourceAccount",
        KeyType::String,
        false,
        "the account of the resource a service acts for",
    ),
    key(
        "aws:SourceArn",
        KeyType::Arn,
        false,
        "the ARN of the resource a service acts for",
    ),
    key(
        "aws:SourceIdentity",
        KeyType::String,
        false,
        "the source identity of a role session",
    ),
    key(
        "aws:SourceIp",
        KeyType::IpAddress,
        false,
        "the caller's IP address",
    ),
    key(
        "aws:SourceOrgID",
        KeyType::String,
        false,
        "the organization of the resource a service acts for",
    ),
    key(
        "aws:SourceOrgPaths",
        KeyType::String,
        true,
        "the organization paths of the resource a service acts for",
    ),
    key(
        "aws:SourceVpc",
        KeyType::String,
        false,
        "the VPC the request came through",
    ),
    key(
        "aws:SourceVpce",
        KeyType::String,
        false,
        "the VPC endpoint the request came through",
    ),
    key(
        "aws:TagKeys",
        KeyType::String,
        true,
        "the tag keys in the request",
    ),
    key(
        "aws:TokenIssueTime",
        KeyType::Date,
        false,
        "when the temporary credentials were issued",
    ),
    key(
        "aws:UserAgent",
        KeyType::String,
        false,
        "the caller's client application",
    ),
    key(
        "aws:ViaAWSService",
        KeyType::Bool,
        false,
        "whether an AWS service made the request for the principal",
    ),
    key(
        "aws:VpcSourceIp",
        KeyType::IpAddress,
        false,
        "the caller's IP address inside a VPC",
    ),
    key(
        "aws:userid",
        KeyType::String,
        false,
        "the principal's unique id",
    ),
    key(
        "aws:username",
        KeyType::String,
        false,
        "the IAM user's name",
    ),
];

/// The condition key `name` (KMS or global), in any case. A suffixed name such as
/// `kms:EncryptionContext:Dept` finds its prefix key.
pub fn condition_key(name: &str) -> Option<&'static ConditionKey> {
    KMS_CONDITION_KEYS
        .iter()
        .chain(GLOBAL_CONDITION_KEYS)
        .find(|k| key_matches(k.name, name))
}

/// The closest known key to a misspelt condition key. The suggestion keeps the suffix of a
/// prefix key (`kms:EncryptionContex:Dept` → `kms:EncryptionContext:Dept`).
pub fn suggest_condition_key(name: &str) -> Option<String> {
    let known = KMS_CONDITION_KEYS.iter().chain(GLOBAL_CONDITION_KEYS);
    // A prefix key's misspelling: compare the part up to the same separator.
    for k in known.clone().filter(|k| k.is_prefix()) {
        let separator = if k.name.ends_with('/') { '/' } else { ':' };
        let cut = name
            .char_indices()
            .filter(|&(_, c)| c == separator)
            .map(|(i, _)| i + 1)
            .find(|&end| {
                name.get(..end)
                    .is_some_and(|head| did_you_mean(head, [k.name]).is_some())
            });
        if let (Some(end), true) = (cut, name.len() > k.name.len() / 2) {
            if let Some(rest) = name.get(end..).filter(|rest| !rest.is_empty()) {
                return Some(format!("{}{rest}", k.name));
            }
        }
    }
    did_you_mean(name, known.filter(|k| !k.is_prefix()).map(|k| k.name)).map(str::to_owned)
}

/// Whether the documented key `known` (possibly a prefix) names `written`, ignoring case.
fn key_matches(known: &str, written: &str) -> bool {
    let prefix = known.ends_with(':') || known.ends_with('/');
    if prefix {
        written.len() > known.len() && starts_with_ignore_case(written, known)
    } else {
        known.eq_ignore_ascii_case(written)
    }
}

pub(crate) fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    strip_prefix_ignore_case(text, prefix).is_some()
}

/// `text` without `prefix`, compared ignoring ASCII case (action and key names are case-insensitive).
pub(crate) fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_sorted_unique_and_prefixed() {
        let names: Vec<&str> = ACTIONS.iter().map(|a| a.action).collect();
        let mut sorted = names.clone();
        crate::sort::sort(&mut sorted);
        sorted.dedup();
        assert_eq!(names, sorted);
        assert!(names.iter().all(|n| n.starts_with("kms:")));
    }

    #[test]
    fn lookup_ignores_case_and_the_prefix() {
        // IAM User Guide, reference_policies_elements_action.html: action names are case-insensitive.
        assert_eq!(action("kms:encrypt").map(|a| a.action), Some("kms:Encrypt"));
        assert_eq!(
            action("KMS:GenerateDataKey").map(|a| a.name()),
            Some("GenerateDataKey")
        );
        assert_eq!(
            action("ReEncryptFrom").map(|a| a.operation),
            Some("ReEncrypt")
        );
        assert!(action("kms:Encrypts").is_none());
        assert!(action("s3:GetObject").is_none());
    }

    #[test]
    fn misspelt_actions_get_a_suggestion() {
        assert_eq!(suggest_action("kms:Encrpyt"), Some("kms:Encrypt"));
        assert_eq!(suggest_action("kms:DescribeKeys"), Some("kms:DescribeKey"));
        assert_eq!(suggest_action("kms:Frobnicate"), None);
    }

    #[test]
    fn iam_only_actions_never_come_from_a_key_policy() {
        // KMS Developer Guide, kms-api-permissions-reference.html ("IAM policy" rows).
        for name in [
            "CreateKey",
            "ListKeys",
            "ListAliases",
            "GenerateRandom",
            "ListRetirableGrants",
        ] {
            assert!(!action(name).unwrap().in_key_policy(), "{name}");
        }
        assert_eq!(
            action("CreateAlias").unwrap().resource,
            ResourceKind::AliasAndKey
        );
        assert!(action("PutKeyPolicy").unwrap().in_key_policy());
    }

    #[test]
    fn only_the_documented_operations_work_cross_account() {
        // KMS Developer Guide, key-policy-modifying-external-accounts.html.
        let cross: Vec<&str> = ACTIONS
            .iter()
            .filter(|a| a.cross_account)
            .map(|a| a.name())
            .collect();
        assert_eq!(
            cross,
            [
                "CreateGrant",
                "Decrypt",
                "DeriveSharedSecret",
                "DescribeKey",
                "Encrypt",
                "GenerateDataKey",
                "GenerateDataKeyPair",
                "GenerateDataKeyPairWithoutPlaintext",
                "GenerateDataKeyWithoutPlaintext",
                "GenerateMac",
                "GetKeyRotationStatus",
                "GetPublicKey",
                "ListGrants",
                "ReEncryptFrom",
                "ReEncryptTo",
                "RetireGrant",
                "RevokeGrant",
                "Sign",
                "Verify",
                "VerifyMac",
            ]
        );
    }

    #[test]
    fn grant_operations_are_the_api_enum() {
        // KMS API Reference, CreateGrant `Operations` (GrantOperation).
        let mut operations: Vec<&str> = grant_operations().collect();
        crate::sort::sort(&mut operations);
        assert_eq!(
            operations,
            [
                "CreateGrant",
                "Decrypt",
                "DeriveSharedSecret",
                "DescribeKey",
                "Encrypt",
                "GenerateDataKey",
                "GenerateDataKeyPair",
                "GenerateDataKeyPairWithoutPlaintext",
                "GenerateDataKeyWithoutPlaintext",
                "GenerateMac",
                "GetPublicKey",
                "ReEncryptFrom",
                "ReEncryptTo",
                "RetireGrant",
                "Sign",
                "Verify",
                "VerifyMac",
            ]
        );
        for op in grant_operations_of_any_key() {
            assert!(operations.contains(&op.grant_operation_name().unwrap_or_default()));
        }
    }

    #[test]
    fn grant_tokens_go_with_the_operations_the_api_model_lists() {
        // `shared/kms-semantics.md` §3.6: RetireGrant takes one GrantToken, RevokeGrant none.
        let with_tokens: Vec<&str> = ACTIONS
            .iter()
            .filter(|a| a.grant_tokens)
            .map(|a| a.operation)
            .collect();
        assert!(with_tokens.contains(&"CreateGrant") && with_tokens.contains(&"ReEncrypt"));
        assert!(!with_tokens.contains(&"RetireGrant") && !with_tokens.contains(&"RevokeGrant"));
    }

    #[test]
    fn actions_carry_their_condition_keys() {
        // KMS Developer Guide, conditions-kms.html.
        let encrypt = action("Encrypt").unwrap();
        assert!(encrypt.carries("kms:EncryptionContext:Department"));
        assert!(encrypt.carries("KMS:encryptioncontextkeys"));
        assert!(encrypt.carries("kms:ViaService"));
        assert!(encrypt.carries("aws:PrincipalArn"));
        assert!(!encrypt.carries("kms:GrantIsForAWSResource"));
        assert!(!encrypt.carries("kms:EncryptionContext:"));
        let create_grant = action("CreateGrant").unwrap();
        assert!(create_grant.carries("kms:GrantIsForAWSResource"));
        assert!(create_grant.carries("kms:GrantOperations"));
        assert!(!action("ListKeys").unwrap().carries("kms:CallerAccount"));
        assert!(action("CreateKey").unwrap().carries("kms:KeySpec"));
    }

    #[test]
    fn every_key_an_action_names_is_in_the_key_list() {
        for a in ACTIONS {
            for k in a.condition_keys() {
                assert!(
                    KMS_CONDITION_KEYS.iter().any(|known| known.name == k),
                    "{} names {k}",
                    a.action
                );
            }
        }
    }

    #[test]
    fn condition_keys_are_found_by_prefix_and_case() {
        let key = condition_key("kms:encryptioncontext:Dept").unwrap();
        assert_eq!(key.name, "kms:EncryptionContext:");
        assert!(
            condition_key("kms:EncryptionContextKeys")
                .unwrap()
                .multi_valued
        );
        assert_eq!(
            condition_key("aws:PrincipalTag/team").unwrap().name,
            "aws:PrincipalTag/"
        );
        assert_eq!(
            condition_key("aws:SourceIp").unwrap().value_type,
            KeyType::IpAddress
        );
        assert!(condition_key("kms:Nope").is_none());
    }

    #[test]
    fn misspelt_condition_keys_get_a_suggestion() {
        assert_eq!(
            suggest_condition_key("kms:CallerAcount").as_deref(),
            Some("kms:CallerAccount")
        );
        assert_eq!(
            suggest_condition_key("kms:ViaServices").as_deref(),
            Some("kms:ViaService")
        );
        assert_eq!(
            suggest_condition_key("kms:EncryptionContex:Dept").as_deref(),
            Some("kms:EncryptionContext:Dept")
        );
        assert_eq!(
            suggest_condition_key("aws:PrincipleTag/team").as_deref(),
            Some("aws:PrincipalTag/team")
        );
        assert_eq!(suggest_condition_key("kms:Zzzzzzzz"), None);
    }
}
