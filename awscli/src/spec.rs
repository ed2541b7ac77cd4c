//! The `aws kms` operations the emulator knows, with their options as the AWS CLI names them.
//!
//! Shapes follow the KMS API model (botocore `data/kms/2014-11-01/service-2.json`); option names
//! are the AWS CLI's (`KeyId` → `--key-id`). The list commands page as the AWS CLI pages them
//! ([`result_key`]).

/// The type of an operation's parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A boolean: a flag `--name` / `--no-name`.
    Boolean,
    /// Bytes (base64 on the wire).
    Blob,
    /// A list of strings, written as several words.
    StringList,
    /// A string-to-string map (`k=v,k2=v2` or JSON).
    StringMap,
    /// A structure with the given members.
    Structure(&'static [(&'static str, Shape)]),
    /// A list of structures, each written as one word.
    StructureList(&'static [(&'static str, Shape)]),
}

impl Shape {
    /// Python's name for the JSON type this shape accepts, as botocore's messages print it.
    pub fn python_types(self) -> &'static str {
        match self {
            Shape::String | Shape::Blob => "<class 'str'>",
            Shape::Integer => "<class 'int'>",
            Shape::Boolean => "<class 'bool'>",
            Shape::StringList | Shape::StructureList(_) => "<class 'list'>, <class 'tuple'>",
            Shape::StringMap | Shape::Structure(_) => "<class 'dict'>",
        }
    }
}

/// `GrantConstraints`.
pub const GRANT_CONSTRAINTS: &[(&str, Shape)] = &[
    ("EncryptionContextSubset", Shape::StringMap),
    ("EncryptionContextEquals", Shape::StringMap),
];

/// `Tag`.
pub const TAG: &[(&str, Shape)] = &[("TagKey", Shape::String), ("TagValue", Shape::String)];

/// One parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// The API member name, such as `KeyId`.
    pub api: &'static str,
    /// The CLI option without dashes, such as `key-id`.
    pub cli: &'static str,
    /// Its type.
    pub shape: Shape,
    /// Whether the API requires it.
    pub required: bool,
}

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationSpec {
    /// The API name, such as `Encrypt` (the name error messages and table titles use).
    pub api: &'static str,
    /// The CLI command, such as `encrypt`.
    pub cli: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
}

impl OperationSpec {
    /// The parameter whose option is `--cli`.
    pub fn param(&self, cli: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.cli == cli)
    }
}

const fn req(api: &'static str, cli: &'static str, shape: Shape) -> Param {
    Param {
        api,
        cli,
        shape,
        required: true,
    }
}

const fn opt(api: &'static str, cli: &'static str, shape: Shape) -> Param {
    Param {
        api,
        cli,
        shape,
        required: false,
    }
}

const KEY_ID: Param = req("KeyId", "key-id", Shape::String);
const GRANT_TOKENS: Param = opt("GrantTokens", "grant-tokens", Shape::StringList);
const DRY_RUN: Param = opt("DryRun", "dry-run", Shape::Boolean);
const CONTEXT: Param = opt("EncryptionContext", "encryption-context", Shape::StringMap);
const ALGORITHM: Param = opt("EncryptionAlgorithm", "encryption-algorithm", Shape::String);
const LIMIT: Param = opt("Limit", "limit", Shape::Integer);
const MARKER: Param = opt("Marker", "marker", Shape::String);
const TAGS: Param = opt("Tags", "tags", Shape::StructureList(TAG));
/// `Recipient` (`RecipientInfo`: a Nitro enclave's attestation document), which the operations
/// refuse as not modelled.
const RECIPIENT: Param = opt(
    "Recipient",
    "recipient",
    Shape::Structure(&[
        ("KeyEncryptionAlgorithm", Shape::String),
        ("AttestationDocument", Shape::Blob),
    ]),
);
const BYPASS: Param = opt(
    "BypassPolicyLockoutSafetyCheck",
    "bypass-policy-lockout-safety-check",
    Shape::Boolean,
);

/// Every operation the emulator runs, in the AWS CLI's alphabetical order.
pub const OPERATIONS: &[OperationSpec] = &[
    OperationSpec {
        api: "CancelKeyDeletion",
        cli: "cancel-key-deletion",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "CreateAlias",
        cli: "create-alias",
        params: &[
            req("AliasName", "alias-name", Shape::String),
            req("TargetKeyId", "target-key-id", Shape::String),
        ],
    },
    OperationSpec {
        api: "CreateGrant",
        cli: "create-grant",
        params: &[
            KEY_ID,
            req("GranteePrincipal", "grantee-principal", Shape::String),
            opt("RetiringPrincipal", "retiring-principal", Shape::String),
            req("Operations", "operations", Shape::StringList),
            opt(
                "Constraints",
                "constraints",
                Shape::Structure(GRANT_CONSTRAINTS),
            ),
            GRANT_TOKENS,
            opt("Name", "name", Shape::String),
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "CreateKey",
        cli: "create-key",
        params: &[
            opt("Policy", "policy", Shape::String),
            opt("Description", "description", Shape::String),
            opt("KeyUsage", "key-usage", Shape::String),
            opt(
                "CustomerMasterKeySpec",
                "customer-master-key-spec",
                Shape::String,
            ),
            opt("KeySpec", "key-spec", Shape::String),
            opt("Origin", "origin", Shape::String),
            BYPASS,
            TAGS,
            opt("MultiRegion", "multi-region", Shape::Boolean),
        ],
    },
    OperationSpec {
        api: "Decrypt",
        cli: "decrypt",
        params: &[
            req("CiphertextBlob", "ciphertext-blob", Shape::Blob),
            CONTEXT,
            GRANT_TOKENS,
            opt("KeyId", "key-id", Shape::String),
            ALGORITHM,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "DeleteAlias",
        cli: "delete-alias",
        params: &[req("AliasName", "alias-name", Shape::String)],
    },
    OperationSpec {
        api: "DeleteImportedKeyMaterial",
        cli: "delete-imported-key-material",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "DeriveSharedSecret",
        cli: "derive-shared-secret",
        params: &[
            KEY_ID,
            req(
                "KeyAgreementAlgorithm",
                "key-agreement-algorithm",
                Shape::String,
            ),
            req("PublicKey", "public-key", Shape::Blob),
            GRANT_TOKENS,
            DRY_RUN,
            RECIPIENT,
        ],
    },
    OperationSpec {
        api: "DescribeKey",
        cli: "describe-key",
        params: &[KEY_ID, GRANT_TOKENS],
    },
    OperationSpec {
        api: "DisableKey",
        cli: "disable-key",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "DisableKeyRotation",
        cli: "disable-key-rotation",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "EnableKey",
        cli: "enable-key",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "EnableKeyRotation",
        cli: "enable-key-rotation",
        params: &[
            KEY_ID,
            opt(
                "RotationPeriodInDays",
                "rotation-period-in-days",
                Shape::Integer,
            ),
        ],
    },
    OperationSpec {
        api: "Encrypt",
        cli: "encrypt",
        params: &[
            KEY_ID,
            req("Plaintext", "plaintext", Shape::Blob),
            CONTEXT,
            GRANT_TOKENS,
            ALGORITHM,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateDataKey",
        cli: "generate-data-key",
        params: &[
            KEY_ID,
            CONTEXT,
            opt("NumberOfBytes", "number-of-bytes", Shape::Integer),
            opt("KeySpec", "key-spec", Shape::String),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateDataKeyPair",
        cli: "generate-data-key-pair",
        params: &[
            CONTEXT,
            KEY_ID,
            req("KeyPairSpec", "key-pair-spec", Shape::String),
            GRANT_TOKENS,
            RECIPIENT,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateDataKeyPairWithoutPlaintext",
        cli: "generate-data-key-pair-without-plaintext",
        params: &[
            CONTEXT,
            KEY_ID,
            req("KeyPairSpec", "key-pair-spec", Shape::String),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateDataKeyWithoutPlaintext",
        cli: "generate-data-key-without-plaintext",
        params: &[
            KEY_ID,
            CONTEXT,
            opt("KeySpec", "key-spec", Shape::String),
            opt("NumberOfBytes", "number-of-bytes", Shape::Integer),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateMac",
        cli: "generate-mac",
        params: &[
            req("Message", "message", Shape::Blob),
            KEY_ID,
            req("MacAlgorithm", "mac-algorithm", Shape::String),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "GenerateRandom",
        cli: "generate-random",
        params: &[opt("NumberOfBytes", "number-of-bytes", Shape::Integer)],
    },
    OperationSpec {
        api: "GetKeyLastUsage",
        cli: "get-key-last-usage",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "GetKeyPolicy",
        cli: "get-key-policy",
        params: &[KEY_ID, opt("PolicyName", "policy-name", Shape::String)],
    },
    OperationSpec {
        api: "GetKeyRotationStatus",
        cli: "get-key-rotation-status",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "GetParametersForImport",
        cli: "get-parameters-for-import",
        params: &[
            KEY_ID,
            req("WrappingAlgorithm", "wrapping-algorithm", Shape::String),
            req("WrappingKeySpec", "wrapping-key-spec", Shape::String),
        ],
    },
    OperationSpec {
        api: "GetPublicKey",
        cli: "get-public-key",
        params: &[KEY_ID, GRANT_TOKENS],
    },
    OperationSpec {
        api: "ImportKeyMaterial",
        cli: "import-key-material",
        params: &[
            KEY_ID,
            req("ImportToken", "import-token", Shape::Blob),
            req(
                "EncryptedKeyMaterial",
                "encrypted-key-material",
                Shape::Blob,
            ),
            opt("ValidTo", "valid-to", Shape::String),
            opt("ExpirationModel", "expiration-model", Shape::String),
        ],
    },
    OperationSpec {
        api: "ListAliases",
        cli: "list-aliases",
        params: &[opt("KeyId", "key-id", Shape::String), LIMIT, MARKER],
    },
    OperationSpec {
        api: "ListGrants",
        cli: "list-grants",
        params: &[
            KEY_ID,
            opt("GrantId", "grant-id", Shape::String),
            opt("GranteePrincipal", "grantee-principal", Shape::String),
            LIMIT,
            MARKER,
        ],
    },
    OperationSpec {
        api: "ListKeyPolicies",
        cli: "list-key-policies",
        params: &[KEY_ID, LIMIT, MARKER],
    },
    OperationSpec {
        api: "ListKeyRotations",
        cli: "list-key-rotations",
        params: &[KEY_ID, LIMIT, MARKER],
    },
    OperationSpec {
        api: "ListKeys",
        cli: "list-keys",
        params: &[LIMIT, MARKER],
    },
    OperationSpec {
        api: "ListResourceTags",
        cli: "list-resource-tags",
        params: &[KEY_ID, LIMIT, MARKER],
    },
    OperationSpec {
        api: "ListRetirableGrants",
        cli: "list-retirable-grants",
        params: &[
            req("RetiringPrincipal", "retiring-principal", Shape::String),
            LIMIT,
            MARKER,
        ],
    },
    OperationSpec {
        api: "PutKeyPolicy",
        cli: "put-key-policy",
        params: &[
            KEY_ID,
            opt("PolicyName", "policy-name", Shape::String),
            req("Policy", "policy", Shape::String),
            BYPASS,
        ],
    },
    OperationSpec {
        api: "ReEncrypt",
        cli: "re-encrypt",
        params: &[
            req("CiphertextBlob", "ciphertext-blob", Shape::Blob),
            opt(
                "SourceEncryptionContext",
                "source-encryption-context",
                Shape::StringMap,
            ),
            opt("SourceKeyId", "source-key-id", Shape::String),
            req("DestinationKeyId", "destination-key-id", Shape::String),
            opt(
                "DestinationEncryptionContext",
                "destination-encryption-context",
                Shape::StringMap,
            ),
            opt(
                "SourceEncryptionAlgorithm",
                "source-encryption-algorithm",
                Shape::String,
            ),
            opt(
                "DestinationEncryptionAlgorithm",
                "destination-encryption-algorithm",
                Shape::String,
            ),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "ReplicateKey",
        cli: "replicate-key",
        params: &[
            KEY_ID,
            req("ReplicaRegion", "replica-region", Shape::String),
            opt("Policy", "policy", Shape::String),
            BYPASS,
            opt("Description", "description", Shape::String),
            TAGS,
        ],
    },
    OperationSpec {
        api: "RetireGrant",
        cli: "retire-grant",
        params: &[
            opt("GrantToken", "grant-token", Shape::String),
            opt("KeyId", "key-id", Shape::String),
            opt("GrantId", "grant-id", Shape::String),
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "RevokeGrant",
        cli: "revoke-grant",
        params: &[KEY_ID, req("GrantId", "grant-id", Shape::String), DRY_RUN],
    },
    OperationSpec {
        api: "RotateKeyOnDemand",
        cli: "rotate-key-on-demand",
        params: &[KEY_ID],
    },
    OperationSpec {
        api: "ScheduleKeyDeletion",
        cli: "schedule-key-deletion",
        params: &[
            KEY_ID,
            opt(
                "PendingWindowInDays",
                "pending-window-in-days",
                Shape::Integer,
            ),
        ],
    },
    OperationSpec {
        api: "Sign",
        cli: "sign",
        params: &[
            KEY_ID,
            req("Message", "message", Shape::Blob),
            opt("MessageType", "message-type", Shape::String),
            GRANT_TOKENS,
            req("SigningAlgorithm", "signing-algorithm", Shape::String),
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "TagResource",
        cli: "tag-resource",
        params: &[KEY_ID, req("Tags", "tags", Shape::StructureList(TAG))],
    },
    OperationSpec {
        api: "UntagResource",
        cli: "untag-resource",
        params: &[KEY_ID, req("TagKeys", "tag-keys", Shape::StringList)],
    },
    OperationSpec {
        api: "UpdateAlias",
        cli: "update-alias",
        params: &[
            req("AliasName", "alias-name", Shape::String),
            req("TargetKeyId", "target-key-id", Shape::String),
        ],
    },
    OperationSpec {
        api: "UpdateKeyDescription",
        cli: "update-key-description",
        params: &[KEY_ID, req("Description", "description", Shape::String)],
    },
    OperationSpec {
        api: "UpdatePrimaryRegion",
        cli: "update-primary-region",
        params: &[
            KEY_ID,
            req("PrimaryRegion", "primary-region", Shape::String),
        ],
    },
    OperationSpec {
        api: "Verify",
        cli: "verify",
        params: &[
            KEY_ID,
            req("Message", "message", Shape::Blob),
            opt("MessageType", "message-type", Shape::String),
            req("Signature", "signature", Shape::Blob),
            req("SigningAlgorithm", "signing-algorithm", Shape::String),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
    OperationSpec {
        api: "VerifyMac",
        cli: "verify-mac",
        params: &[
            req("Message", "message", Shape::Blob),
            KEY_ID,
            req("MacAlgorithm", "mac-algorithm", Shape::String),
            req("Mac", "mac", Shape::Blob),
            GRANT_TOKENS,
            DRY_RUN,
        ],
    },
];

/// The operations the AWS CLI pages through, with the member that holds each page's results
/// (botocore `data/kms/2014-11-01/paginators-1.json`: every one takes `Marker`, returns
/// `NextMarker` and `Truncated`, and has the page size in `Limit`).
const PAGINATORS: &[(&str, &str)] = &[
    ("ListAliases", "Aliases"),
    ("ListGrants", "Grants"),
    ("ListKeyPolicies", "PolicyNames"),
    ("ListKeyRotations", "Rotations"),
    ("ListKeys", "Keys"),
    ("ListResourceTags", "Tags"),
    ("ListRetirableGrants", "Grants"),
];

/// For an operation the AWS CLI pages through, the member its results are in (`Keys` for
/// ListKeys); `None` for any other operation.
pub fn result_key(api: &str) -> Option<&'static str> {
    PAGINATORS
        .iter()
        .find(|(name, _)| *name == api)
        .map(|(_, key)| *key)
}

/// The paging options the AWS CLI adds to a paginated command (awscli `customizations/
/// paginate.py`), in the order its help lists them.
pub const PAGING_OPTIONS: [&str; 3] = ["starting-token", "page-size", "max-items"];

/// The operation run by `aws kms <cli>`.
pub fn operation(cli: &str) -> Option<&'static OperationSpec> {
    OPERATIONS.iter().find(|op| op.cli == cli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_sorted_and_option_names_are_the_kebab_case_of_members() {
        let names: Vec<&str> = OPERATIONS.iter().map(|o| o.cli).collect();
        let mut sorted = names.clone();
        kms_engine::sort::sort(&mut sorted);
        assert_eq!(names, sorted);
        for op in OPERATIONS {
            assert_eq!(kebab(op.api), op.cli);
            for p in op.params {
                assert_eq!(kebab(p.api), p.cli, "{}", op.api);
            }
        }
    }

    #[test]
    fn every_paginated_operation_takes_limit_and_marker() {
        for (api, _) in PAGINATORS {
            let op = OPERATIONS.iter().find(|o| o.api == *api).unwrap();
            assert!(
                op.param("limit").is_some() && op.param("marker").is_some(),
                "{api}"
            );
        }
        assert_eq!(result_key("ListKeys"), Some("Keys"));
        assert_eq!(result_key("Encrypt"), None);
    }

    fn kebab(api: &str) -> String {
        let mut out = String::new();
        for (i, c) in api.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}
