//! The key specs the playground models, one row each: the key usage a key of that spec has,
//! the operations it supports, the grant operations a grant on it may list and its encryption
//! algorithms. CreateKey, DescribeKey, the grant rules, the crypto operations, the matrix's
//! action sets and the app's wizard and panels all read this table, so a new kind of key is a
//! row here plus the behaviour of its operations.
//!
//! Sources: KMS Developer Guide, symm-asymm-choose-key-spec.html (key specs and usages),
//! symm-asymm-compare.html (operations per key type), grants.html ("Grant operations": which
//! operations a grant on each key type may allow); KMS API Reference, CreateKey and
//! EncryptionAlgorithmSpec.

use super::Action;
use serde::Serialize;

/// A key usage (API `KeyUsageType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum KeyUsage {
    /// `ENCRYPT_DECRYPT`.
    #[serde(rename = "ENCRYPT_DECRYPT")]
    EncryptDecrypt,
    /// `GENERATE_VERIFY_MAC`: HMAC keys.
    #[serde(rename = "GENERATE_VERIFY_MAC")]
    GenerateVerifyMac,
    /// `SIGN_VERIFY`: asymmetric signing keys.
    #[serde(rename = "SIGN_VERIFY")]
    SignVerify,
    /// `KEY_AGREEMENT`: asymmetric NIST elliptic-curve keys for DeriveSharedSecret (ECDH).
    #[serde(rename = "KEY_AGREEMENT")]
    KeyAgreement,
}

/// The API's `KeyAgreementAlgorithmSpec` enum: `ECDH`, the one algorithm of `KEY_AGREEMENT`
/// keys (API Reference, DeriveSharedSecret, KeyAgreementAlgorithm; DescribeKey's and
/// GetPublicKey's `KeyAgreementAlgorithms`).
pub const KEY_AGREEMENT_ALGORITHMS: &[&str] = &["ECDH"];

/// The API's `DataKeyPairSpec` enum, every value (GenerateDataKeyPair's `KeyPairSpec`, newest
/// API model); [`data_key_pair_spec`] says which of them this build generates.
pub const DATA_KEY_PAIR_SPECS: &[&str] = &[
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SM2",
    "ECC_NIST_EDWARDS25519",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
];

/// The key spec whose key pairs GenerateDataKeyPair makes for `KeyPairSpec` `name`: an
/// asymmetric key spec of the table with the same name (a data key pair of an ECC spec is a
/// pair on that curve), or `None` for a value of the API's enum the table has no row for.
pub fn data_key_pair_spec(name: &str) -> Option<KeySpec> {
    KeySpec::from_name(name)
        .filter(|spec| spec.row().asymmetric && DATA_KEY_PAIR_SPECS.contains(&name))
}

/// The API's `SigningAlgorithmSpec` enum; a row lists the ones its keys use.
pub const SIGNING_ALGORITHMS: &[&str] = &[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
    "SM2DSA",
    "ML_DSA_SHAKE_256",
    "ED25519_SHA_512",
    "ED25519_PH_SHA_512",
];

/// The API's `KeyUsageType` enum, every value (CreateKey's `KeyUsage`); a row names the one its
/// keys have.
pub const KEY_USAGES: &[&str] = &[
    "ENCRYPT_DECRYPT",
    "SIGN_VERIFY",
    "GENERATE_VERIFY_MAC",
    "KEY_AGREEMENT",
];

/// A MAC algorithm (API `MacAlgorithmSpec`): HMAC with a SHA-2 hash (RFC 2104).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// `HMAC_SHA_224`.
    HmacSha224,
    /// `HMAC_SHA_256`.
    HmacSha256,
    /// `HMAC_SHA_384`.
    HmacSha384,
    /// `HMAC_SHA_512`.
    HmacSha512,
}

impl MacAlgorithm {
    /// Every MAC algorithm, in the API enum's order.
    pub const ALL: [MacAlgorithm; 4] = [
        MacAlgorithm::HmacSha224,
        MacAlgorithm::HmacSha256,
        MacAlgorithm::HmacSha384,
        MacAlgorithm::HmacSha512,
    ];

    /// The API name, such as `HMAC_SHA_256`.
    pub fn as_str(self) -> &'static str {
        match self {
            MacAlgorithm::HmacSha224 => "HMAC_SHA_224",
            MacAlgorithm::HmacSha256 => "HMAC_SHA_256",
            MacAlgorithm::HmacSha384 => "HMAC_SHA_384",
            MacAlgorithm::HmacSha512 => "HMAC_SHA_512",
        }
    }

    /// The algorithm named `name` (API spelling, case-sensitive).
    pub fn from_name(name: &str) -> Option<MacAlgorithm> {
        MacAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl Serialize for MacAlgorithm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What KMS says about one key spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpecRow {
    /// The spec.
    pub spec: KeySpec,
    /// Its API name, such as `SYMMETRIC_DEFAULT`.
    pub name: &'static str,
    /// The key usage a key of this spec has (the only one CreateKey accepts with it here).
    pub usage: KeyUsage,
    /// The usage's API name, such as `ENCRYPT_DECRYPT`.
    pub usage_name: &'static str,
    /// How KMS's messages name such a key: "a symmetric encryption KMS key".
    pub described_as: &'static str,
    /// The operations that depend on the key type ([`KEY_TYPE_OPERATIONS`]) this spec supports;
    /// every other key operation (describe, tag, rotate, delete, ...) works on every key.
    pub operations: &'static [Action],
    /// The grant operations a grant on such a key may list, in the order a person reads them
    /// (use first, then grants, then metadata).
    pub grant_operations: &'static [Action],
    /// `EncryptionAlgorithms` in DescribeKey; the first is the default.
    pub encryption_algorithms: &'static [&'static str],
    /// `MacAlgorithms` in DescribeKey (HMAC keys only).
    pub mac_algorithms: &'static [MacAlgorithm],
    /// `SigningAlgorithms` in DescribeKey and GetPublicKey (signing keys only).
    pub signing_algorithms: &'static [&'static str],
    /// Whether the key is asymmetric: its cryptographic operations need an asymmetric backend
    /// (`crypto::backend`), and GetPublicKey reads its public key.
    pub asymmetric: bool,
    /// The length of the key material a key of this spec gets, in bytes.
    pub material_bytes: usize,
    /// How many bytes of key material ImportKeyMaterial installs in a key of this spec with
    /// origin `EXTERNAL`, or `None` when the playground does not model importing this spec's
    /// material, so CreateKey, worlds and scenario files refuse origin `EXTERNAL` for it. A
    /// symmetric encryption key imports a 256-bit key; an HMAC key imports a key as long as its
    /// spec says (KMS Developer Guide, importing-keys-encrypt-key-material.html, "Generate key
    /// material for testing", HMAC keys: the key's length must match the length the KMS key's
    /// key spec defines; importing-keys-conceptual.html, "Requirements for imported key
    /// material"). Every spec may be `EXTERNAL` ("symmetric encryption KMS keys, HMAC KMS keys,
    /// asymmetric encryption KMS keys, or asymmetric signing KMS keys": API Reference,
    /// ImportKeyMaterial); an asymmetric key, with `None` here, imports its private key, PKCS #8
    /// DER (importing-keys-conceptual.html, "Requirements for imported key material").
    pub import_material_bytes: Option<usize>,
}

/// The API's `EncryptionAlgorithmSpec` enum; a row lists the ones its keys use.
pub const ENCRYPTION_ALGORITHMS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
];

/// The operations whose availability depends on the key type: a key supports one of these only
/// if its row lists it (symm-asymm-compare.html).
pub const KEY_TYPE_OPERATIONS: &[Action] = &[
    Action::Decrypt,
    Action::DeriveSharedSecret,
    Action::Encrypt,
    Action::GenerateDataKey,
    Action::GenerateDataKeyPair,
    Action::GenerateDataKeyPairWithoutPlaintext,
    Action::GenerateDataKeyWithoutPlaintext,
    Action::GenerateMac,
    Action::GetPublicKey,
    Action::ReEncryptFrom,
    Action::ReEncryptTo,
    Action::Sign,
    Action::Verify,
    Action::VerifyMac,
    Action::EnableKeyRotation,
    Action::DisableKeyRotation,
    Action::GetKeyRotationStatus,
    Action::ListKeyRotations,
    Action::RotateKeyOnDemand,
];

/// The key-type operations that are about the key's material rather than a use of it: a key
/// whose row lacks one answers `UnsupportedOperationException`, not `InvalidKeyUsageException`
/// (API EnableKeyRotation: "Automatic key rotation is supported only on symmetric encryption
/// KMS keys"; GetPublicKey: UnsupportedOperationException for a key that has no public key).
pub const MATERIAL_OPERATIONS: &[Action] = &[
    Action::GetPublicKey,
    Action::EnableKeyRotation,
    Action::DisableKeyRotation,
    Action::GetKeyRotationStatus,
    Action::ListKeyRotations,
    Action::RotateKeyOnDemand,
];

/// Declares [`KeySpec`] and [`KEY_SPECS`] from the rows: a new key spec is a row here.
macro_rules! key_specs {
    ($( $(#[$doc:meta])* $variant:ident => $row:expr, )*) => {
        /// A key spec (API `KeySpec`); what KMS says about it is its row of [`KEY_SPECS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum KeySpec {
            $( $(#[$doc])* $variant, )*
        }

        /// Every key spec the playground models.
        pub const KEY_SPECS: &[KeySpecRow] = &[ $( $row, )* ];

        impl KeySpec {
            /// The spec's row.
            pub fn row(self) -> &'static KeySpecRow {
                match self {
                    $( KeySpec::$variant => const { &$row }, )*
                }
            }
        }
    };
}

key_specs! {
    /// `SYMMETRIC_DEFAULT`: a 256-bit AES-GCM key.
    SymmetricDefault => KeySpecRow {
        spec: KeySpec::SymmetricDefault,
        name: "SYMMETRIC_DEFAULT",
        usage: KeyUsage::EncryptDecrypt,
        usage_name: "ENCRYPT_DECRYPT",
        described_as: "a symmetric encryption KMS key",
        operations: &[
            Action::Decrypt,
            Action::Encrypt,
            Action::GenerateDataKey,
            Action::GenerateDataKeyPair,
            Action::GenerateDataKeyPairWithoutPlaintext,
            Action::GenerateDataKeyWithoutPlaintext,
            Action::ReEncryptFrom,
            Action::ReEncryptTo,
            Action::EnableKeyRotation,
            Action::DisableKeyRotation,
            Action::GetKeyRotationStatus,
            Action::ListKeyRotations,
            Action::RotateKeyOnDemand,
        ],
        grant_operations: &[
            Action::Decrypt,
            Action::Encrypt,
            Action::GenerateDataKey,
            Action::GenerateDataKeyWithoutPlaintext,
            Action::GenerateDataKeyPair,
            Action::GenerateDataKeyPairWithoutPlaintext,
            Action::ReEncryptFrom,
            Action::ReEncryptTo,
            Action::CreateGrant,
            Action::RetireGrant,
            Action::DescribeKey,
        ],
        encryption_algorithms: &["SYMMETRIC_DEFAULT"],
        mac_algorithms: &[],
        signing_algorithms: &[],
        asymmetric: false,
        material_bytes: 32,
        import_material_bytes: Some(32),
    },
    /// `HMAC_224`: a 224-bit HMAC key for `HMAC_SHA_224`.
    Hmac224 => hmac_row(KeySpec::Hmac224, "HMAC_224", MacAlgorithm::HmacSha224, 28),
    /// `HMAC_256`: a 256-bit HMAC key for `HMAC_SHA_256`.
    Hmac256 => hmac_row(KeySpec::Hmac256, "HMAC_256", MacAlgorithm::HmacSha256, 32),
    /// `HMAC_384`: a 384-bit HMAC key for `HMAC_SHA_384`.
    Hmac384 => hmac_row(KeySpec::Hmac384, "HMAC_384", MacAlgorithm::HmacSha384, 48),
    /// `HMAC_512`: a 512-bit HMAC key for `HMAC_SHA_512`.
    Hmac512 => hmac_row(KeySpec::Hmac512, "HMAC_512", MacAlgorithm::HmacSha512, 64),
    /// `ECC_NIST_P256`: an ECDSA key pair on NIST P-256 (secp256r1).
    EccNistP256 => ecc_row(KeySpec::EccNistP256, "ECC_NIST_P256", &["ECDSA_SHA_256"], 32),
    /// `ECC_NIST_P384`: an ECDSA key pair on NIST P-384 (secp384r1).
    EccNistP384 => ecc_row(KeySpec::EccNistP384, "ECC_NIST_P384", &["ECDSA_SHA_384"], 48),
    /// `ECC_NIST_P521`: an ECDSA key pair on NIST P-521 (secp521r1).
    EccNistP521 => ecc_row(KeySpec::EccNistP521, "ECC_NIST_P521", &["ECDSA_SHA_512"], 66),
    /// `ECC_SECG_P256K1`: an ECDSA key pair on secp256k1 (cryptocurrencies).
    EccSecgP256k1 => ecc_row(KeySpec::EccSecgP256k1, "ECC_SECG_P256K1", &["ECDSA_SHA_256"], 32),
    /// `ECC_NIST_P256` with key usage `KEY_AGREEMENT`: an ECDH key pair on NIST P-256.
    EccNistP256Agreement => agreement_row(KeySpec::EccNistP256Agreement, "ECC_NIST_P256", 32),
    /// `ECC_NIST_P384` with key usage `KEY_AGREEMENT`: an ECDH key pair on NIST P-384.
    EccNistP384Agreement => agreement_row(KeySpec::EccNistP384Agreement, "ECC_NIST_P384", 48),
    /// `ECC_NIST_P521` with key usage `KEY_AGREEMENT`: an ECDH key pair on NIST P-521.
    EccNistP521Agreement => agreement_row(KeySpec::EccNistP521Agreement, "ECC_NIST_P521", 66),
    /// `RSA_2048` with key usage `ENCRYPT_DECRYPT`: RSAES-OAEP with a 2048-bit modulus.
    Rsa2048Encrypt => rsa_row(KeySpec::Rsa2048Encrypt, "RSA_2048", KeyUsage::EncryptDecrypt, 256),
    /// `RSA_2048` with key usage `SIGN_VERIFY`: RSASSA-PSS and PKCS #1 v1.5 signatures.
    Rsa2048Sign => rsa_row(KeySpec::Rsa2048Sign, "RSA_2048", KeyUsage::SignVerify, 256),
    /// `RSA_3072` with key usage `ENCRYPT_DECRYPT`.
    Rsa3072Encrypt => rsa_row(KeySpec::Rsa3072Encrypt, "RSA_3072", KeyUsage::EncryptDecrypt, 384),
    /// `RSA_3072` with key usage `SIGN_VERIFY`.
    Rsa3072Sign => rsa_row(KeySpec::Rsa3072Sign, "RSA_3072", KeyUsage::SignVerify, 384),
    /// `RSA_4096` with key usage `ENCRYPT_DECRYPT`.
    Rsa4096Encrypt => rsa_row(KeySpec::Rsa4096Encrypt, "RSA_4096", KeyUsage::EncryptDecrypt, 512),
    /// `RSA_4096` with key usage `SIGN_VERIFY`.
    Rsa4096Sign => rsa_row(KeySpec::Rsa4096Sign, "RSA_4096", KeyUsage::SignVerify, 512),
}

/// A NIST elliptic-curve spec's `KEY_AGREEMENT` row: a NIST elliptic-curve key is for signing
/// (`SIGN_VERIFY`, its first row, so the usage a scenario's key gets by default) or for key
/// agreement, never both; a secp256k1 key signs only (KMS Developer Guide,
/// asymmetric-key-specs.html, "Elliptic curve key specs"; API Reference, CreateKey, KeyUsage,
/// and DeriveSharedSecret; grants.html, "Grant operations": a grant on a key agreement key may
/// allow DeriveSharedSecret, GetPublicKey, CreateGrant, RetireGrant and DescribeKey).
const fn agreement_row(spec: KeySpec, name: &'static str, material_bytes: usize) -> KeySpecRow {
    KeySpecRow {
        spec,
        name,
        usage: KeyUsage::KeyAgreement,
        usage_name: "KEY_AGREEMENT",
        described_as: "an asymmetric KMS key",
        operations: &[Action::DeriveSharedSecret, Action::GetPublicKey],
        grant_operations: &[
            Action::DeriveSharedSecret,
            Action::GetPublicKey,
            Action::CreateGrant,
            Action::RetireGrant,
            Action::DescribeKey,
        ],
        encryption_algorithms: &[],
        mac_algorithms: &[],
        signing_algorithms: &[],
        asymmetric: true,
        material_bytes,
        import_material_bytes: None,
    }
}

/// The RSA signing algorithms: PSS and PKCS #1 v1.5, each with SHA-256, SHA-384 or SHA-512
/// (KMS Developer Guide, asymmetric-key-specs.html, "RSA key specs for signing and
/// verification").
const RSA_SIGNING_ALGORITHMS: &[&str] = &[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
];

/// An RSA key spec's row for one of its two key usages. A key's usage is chosen at CreateKey
/// and never changes, and what the key can do follows from it, so each (spec, usage) pair is a
/// row; [`KeySpec::with_usage`] picks it (KMS Developer Guide, asymmetric-key-specs.html, "RSA
/// key specs": `ENCRYPT_DECRYPT` or `SIGN_VERIFY`; symm-asymm-compare.html: RSA encryption keys
/// do Encrypt, Decrypt, ReEncrypt and GetPublicKey, signing keys Sign, Verify and GetPublicKey;
/// grants.html: a grant on an `ENCRYPT_DECRYPT` asymmetric key cannot allow Sign or Verify, one
/// on a `SIGN_VERIFY` key cannot allow Encrypt or Decrypt, and neither allows data-key
/// operations). The material is the private key (PKCS #1 DER); `material_bytes` is the length
/// of the modulus.
const fn rsa_row(
    spec: KeySpec,
    name: &'static str,
    usage: KeyUsage,
    modulus_bytes: usize,
) -> KeySpecRow {
    let encrypts = matches!(usage, KeyUsage::EncryptDecrypt);
    KeySpecRow {
        spec,
        name,
        usage,
        usage_name: if encrypts {
            "ENCRYPT_DECRYPT"
        } else {
            "SIGN_VERIFY"
        },
        described_as: if encrypts {
            "an asymmetric KMS key with key usage ENCRYPT_DECRYPT"
        } else {
            "an asymmetric KMS key with key usage SIGN_VERIFY"
        },
        operations: if encrypts {
            &[
                Action::Decrypt,
                Action::Encrypt,
                Action::GetPublicKey,
                Action::ReEncryptFrom,
                Action::ReEncryptTo,
            ]
        } else {
            &[Action::GetPublicKey, Action::Sign, Action::Verify]
        },
        grant_operations: if encrypts {
            &[
                Action::Decrypt,
                Action::Encrypt,
                Action::ReEncryptFrom,
                Action::ReEncryptTo,
                Action::GetPublicKey,
                Action::CreateGrant,
                Action::RetireGrant,
                Action::DescribeKey,
            ]
        } else {
            &[
                Action::Sign,
                Action::Verify,
                Action::GetPublicKey,
                Action::CreateGrant,
                Action::RetireGrant,
                Action::DescribeKey,
            ]
        },
        encryption_algorithms: if encrypts {
            &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
        } else {
            &[]
        },
        mac_algorithms: &[],
        signing_algorithms: if encrypts {
            &[]
        } else {
            RSA_SIGNING_ALGORITHMS
        },
        asymmetric: true,
        material_bytes: modulus_bytes,
        import_material_bytes: None,
    }
}

/// The longest plaintext RSAES-OAEP encrypts under a modulus of `modulus_bytes` with a hash of
/// `hash_bytes`: k - 2hLen - 2 (RFC 8017, 7.1.1; KMS Developer Guide, asymmetric-key-specs.html,
/// "RSA key specs for encryption and decryption", lists these lengths per spec).
pub const fn oaep_max_plaintext(modulus_bytes: usize, hash_bytes: usize) -> usize {
    modulus_bytes.saturating_sub(2 * hash_bytes + 2)
}

/// An ECC signing key spec's row (KMS Developer Guide, asymmetric-key-specs.html, "Elliptic
/// curve key specs": each curve signs with one ECDSA algorithm; grants.html: a grant on an
/// asymmetric signing key may allow Sign, Verify, GetPublicKey, CreateGrant, RetireGrant and
/// DescribeKey). The material is the private scalar.
const fn ecc_row(
    spec: KeySpec,
    name: &'static str,
    algorithms: &'static [&'static str],
    material_bytes: usize,
) -> KeySpecRow {
    KeySpecRow {
        spec,
        name,
        usage: KeyUsage::SignVerify,
        usage_name: "SIGN_VERIFY",
        described_as: "an asymmetric KMS key",
        operations: &[Action::GetPublicKey, Action::Sign, Action::Verify],
        grant_operations: &[
            Action::Sign,
            Action::Verify,
            Action::GetPublicKey,
            Action::CreateGrant,
            Action::RetireGrant,
            Action::DescribeKey,
        ],
        encryption_algorithms: &[],
        mac_algorithms: &[],
        signing_algorithms: algorithms,
        asymmetric: true,
        material_bytes,
        import_material_bytes: None,
    }
}

/// An HMAC key spec's row: they differ only in the hash and the key length (KMS Developer
/// Guide, hmac.html, "Key specs for HMAC keys"; grants.html: a grant on an HMAC key may allow
/// GenerateMac, VerifyMac, CreateGrant, RetireGrant and DescribeKey).
const fn hmac_row(
    spec: KeySpec,
    name: &'static str,
    algorithm: MacAlgorithm,
    material_bytes: usize,
) -> KeySpecRow {
    KeySpecRow {
        spec,
        name,
        usage: KeyUsage::GenerateVerifyMac,
        usage_name: "GENERATE_VERIFY_MAC",
        described_as: "an HMAC KMS key",
        operations: &[Action::GenerateMac, Action::VerifyMac],
        grant_operations: &[
            Action::GenerateMac,
            Action::VerifyMac,
            Action::CreateGrant,
            Action::RetireGrant,
            Action::DescribeKey,
        ],
        encryption_algorithms: &[],
        signing_algorithms: &[],
        asymmetric: false,
        mac_algorithms: match algorithm {
            MacAlgorithm::HmacSha224 => &[MacAlgorithm::HmacSha224],
            MacAlgorithm::HmacSha256 => &[MacAlgorithm::HmacSha256],
            MacAlgorithm::HmacSha384 => &[MacAlgorithm::HmacSha384],
            MacAlgorithm::HmacSha512 => &[MacAlgorithm::HmacSha512],
        },
        material_bytes,
        import_material_bytes: Some(material_bytes),
    }
}

impl KeySpecRow {
    /// Whether a key of this spec can be used with `action`.
    pub fn supports(&self, action: Action) -> bool {
        !KEY_TYPE_OPERATIONS.contains(&action) || self.operations.contains(&action)
    }

    /// Whether a grant on such a key may list `action`.
    pub fn allows_grant_operation(&self, action: Action) -> bool {
        self.grant_operations.contains(&action)
    }

    /// `KeyAgreementAlgorithms` in DescribeKey and GetPublicKey (key agreement keys only).
    pub fn key_agreement_algorithms(&self) -> &'static [&'static str] {
        if self.usage == KeyUsage::KeyAgreement {
            KEY_AGREEMENT_ALGORITHMS
        } else {
            &[]
        }
    }
}

impl KeySpec {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        self.row().name
    }

    /// The spec named `name` (API spelling, case-sensitive), with the first key usage its rows
    /// list (for RSA, `ENCRYPT_DECRYPT`, CreateKey's default; for a NIST elliptic-curve spec,
    /// `SIGN_VERIFY`); [`KeySpec::with_usage`] picks
    /// another.
    pub fn from_name(name: &str) -> Option<KeySpec> {
        KEY_SPECS
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.spec)
    }

    /// The row of this spec's name whose key usage is `usage` (API name), if the spec allows
    /// that usage.
    pub fn with_usage(self, usage: &str) -> Option<KeySpec> {
        let name = self.row().name;
        KEY_SPECS
            .iter()
            .find(|row| row.name == name && row.usage_name == usage)
            .map(|row| row.spec)
    }

    /// The key usages (API names) a key of this spec's name may have, in the table's order.
    pub fn usage_names(self) -> Vec<&'static str> {
        let name = self.row().name;
        KEY_SPECS
            .iter()
            .filter(|row| row.name == name)
            .map(|row| row.usage_name)
            .collect()
    }

    /// The longest plaintext Encrypt takes with `algorithm` for a key of this spec, or `None`
    /// when the spec does not encrypt with it (`SYMMETRIC_DEFAULT` takes the API's 4096 bytes).
    pub fn max_plaintext(self, algorithm: &str) -> Option<usize> {
        let row = self.row();
        if !row.encryption_algorithms.contains(&algorithm) {
            return None;
        }
        Some(match algorithm {
            "RSAES_OAEP_SHA_1" => oaep_max_plaintext(row.material_bytes, 20),
            "RSAES_OAEP_SHA_256" => oaep_max_plaintext(row.material_bytes, 32),
            _ => 4096,
        })
    }
}

impl Serialize for KeySpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for KeySpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<KeySpec, D::Error> {
        let name = String::deserialize(deserializer)?;
        KeySpec::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown key spec `{name}`")))
    }
}

impl KeyUsage {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        KEY_SPECS
            .iter()
            .find(|row| row.usage == self)
            .map_or("", |row| row.usage_name)
    }
}

/// The key specs' API names, each once, in the table's order (a spec with several usages has
/// several rows).
pub fn key_spec_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for row in KEY_SPECS {
        if !names.contains(&row.name) {
            names.push(row.name);
        }
    }
    names
}

/// How KMS's messages name each kind of key the table models, each once, in the table's order.
pub fn kinds_of_key() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for row in KEY_SPECS {
        if !kinds.contains(&row.described_as) {
            kinds.push(row.described_as);
        }
    }
    kinds
}

/// Whether any modelled key can be used with `action`: the matrix offers only those actions.
pub fn some_key_supports(action: Action) -> bool {
    KEY_SPECS.iter().any(|row| row.supports(action))
}

/// The grant operations a grant on some modelled key may list, in the first row's order and
/// then the others'.
pub fn grant_operations_of_any_key() -> Vec<Action> {
    let mut all: Vec<Action> = Vec::new();
    for row in KEY_SPECS {
        for &action in row.grant_operations {
            if !all.contains(&action) {
                all.push(action);
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_spec_and_usage_has_one_row() {
        for row in KEY_SPECS {
            assert_eq!(row.spec.row(), row);
            let first = KeySpec::from_name(row.name).unwrap();
            assert_eq!(first.with_usage(row.usage_name), Some(row.spec));
            assert_eq!(
                KEY_SPECS
                    .iter()
                    .filter(|r| r.name == row.name && r.usage == row.usage)
                    .count(),
                1
            );
        }
    }

    #[test]
    fn rsa_keys_encrypt_or_sign_as_their_usage_says() {
        // KMS Developer Guide, asymmetric-key-specs.html ("RSA key specs": RSA_2048, RSA_3072
        // and RSA_4096 keys have key usage ENCRYPT_DECRYPT or SIGN_VERIFY; RSAES_OAEP_SHA_1 and
        // RSAES_OAEP_SHA_256 for encryption, RSASSA_PSS_* and RSASSA_PKCS1_V1_5_* for signing)
        // and symm-asymm-compare.html (operations per key type).
        for name in ["RSA_2048", "RSA_3072", "RSA_4096"] {
            let spec = KeySpec::from_name(name).unwrap();
            assert_eq!(spec.usage_names(), ["ENCRYPT_DECRYPT", "SIGN_VERIFY"]);
            assert_eq!(spec.with_usage("GENERATE_VERIFY_MAC"), None);
            assert_eq!(spec.with_usage("KEY_AGREEMENT"), None);
            let encrypt = spec.with_usage("ENCRYPT_DECRYPT").unwrap().row();
            let sign = spec.with_usage("SIGN_VERIFY").unwrap().row();
            let bits: usize = name.trim_start_matches("RSA_").parse().unwrap();
            assert_eq!(encrypt.material_bytes * 8, bits);
            assert_eq!(
                encrypt.encryption_algorithms,
                ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
            );
            assert!(encrypt.signing_algorithms.is_empty());
            assert_eq!(sign.signing_algorithms.len(), 6);
            assert!(sign.encryption_algorithms.is_empty());
            for action in KEY_TYPE_OPERATIONS {
                let encrypts = matches!(
                    action,
                    Action::Encrypt
                        | Action::Decrypt
                        | Action::ReEncryptFrom
                        | Action::ReEncryptTo
                        | Action::GetPublicKey
                );
                let signs = matches!(action, Action::Sign | Action::Verify | Action::GetPublicKey);
                assert_eq!(encrypt.supports(*action), encrypts, "{name} {action}");
                assert_eq!(sign.supports(*action), signs, "{name} {action}");
            }
        }
    }

    #[test]
    fn grants_on_rsa_keys_follow_the_key_usage() {
        // KMS Developer Guide, grants.html ("Grant operations"; API CreateGrant: grants for
        // asymmetric keys with key usage ENCRYPT_DECRYPT cannot allow Sign or Verify, with
        // SIGN_VERIFY cannot allow Encrypt or Decrypt; no data-key operations on asymmetric keys).
        let encrypt = KeySpec::Rsa3072Encrypt.row();
        assert_eq!(
            sorted_grant_operations(encrypt),
            [
                "CreateGrant",
                "Decrypt",
                "DescribeKey",
                "Encrypt",
                "GetPublicKey",
                "ReEncryptFrom",
                "ReEncryptTo",
                "RetireGrant",
            ]
        );
        assert_eq!(
            sorted_grant_operations(KeySpec::Rsa3072Sign.row()),
            [
                "CreateGrant",
                "DescribeKey",
                "GetPublicKey",
                "RetireGrant",
                "Sign",
                "Verify",
            ]
        );
    }

    #[test]
    fn oaep_plaintext_limits_are_the_developer_guides() {
        // KMS Developer Guide, asymmetric-key-specs.html, "RSA key specs for encryption and
        // decryption": the most plaintext each spec encrypts with each algorithm.
        for (name, sha1, sha256) in [
            ("RSA_2048", 214, 190),
            ("RSA_3072", 342, 318),
            ("RSA_4096", 470, 446),
        ] {
            let spec = KeySpec::from_name(name).unwrap();
            assert_eq!(spec.max_plaintext("RSAES_OAEP_SHA_1"), Some(sha1), "{name}");
            assert_eq!(
                spec.max_plaintext("RSAES_OAEP_SHA_256"),
                Some(sha256),
                "{name}"
            );
            assert_eq!(spec.max_plaintext("SYMMETRIC_DEFAULT"), None, "{name}");
        }
        assert_eq!(
            KeySpec::SymmetricDefault.max_plaintext("SYMMETRIC_DEFAULT"),
            Some(4096)
        );
        assert_eq!(KeySpec::Rsa2048Sign.max_plaintext("RSAES_OAEP_SHA_1"), None);
    }

    #[test]
    fn symmetric_keys_support_encryption_but_not_signing_mac_or_public_keys() {
        // KMS Developer Guide, symm-asymm-compare.html.
        let row = KeySpec::SymmetricDefault.row();
        for action in [
            Action::Encrypt,
            Action::Decrypt,
            Action::GenerateDataKeyPair,
        ] {
            assert!(row.supports(action), "{action}");
        }
        for action in [
            Action::Sign,
            Action::Verify,
            Action::GenerateMac,
            Action::VerifyMac,
            Action::DeriveSharedSecret,
            Action::GetPublicKey,
        ] {
            assert!(!row.supports(action), "{action}");
        }
        assert!(row.supports(Action::ScheduleKeyDeletion));
    }

    fn sorted_grant_operations(row: &KeySpecRow) -> Vec<&'static str> {
        let mut names: Vec<&str> = row
            .grant_operations
            .iter()
            .filter_map(|a| a.grant_operation_name())
            .collect();
        crate::sort::sort(&mut names);
        names
    }

    #[test]
    fn grants_on_symmetric_keys_list_the_documented_operations() {
        // KMS Developer Guide, grants.html, "Grant operations": a grant on a symmetric
        // encryption key may allow the encryption and data-key operations, CreateGrant,
        // RetireGrant and DescribeKey; signing, MAC, key agreement and GetPublicKey are for
        // other key types.
        assert_eq!(
            sorted_grant_operations(KeySpec::SymmetricDefault.row()),
            [
                "CreateGrant",
                "Decrypt",
                "DescribeKey",
                "Encrypt",
                "GenerateDataKey",
                "GenerateDataKeyPair",
                "GenerateDataKeyPairWithoutPlaintext",
                "GenerateDataKeyWithoutPlaintext",
                "ReEncryptFrom",
                "ReEncryptTo",
                "RetireGrant",
            ]
        );
    }

    #[test]
    fn hmac_keys_generate_and_verify_macs_only() {
        // KMS Developer Guide, hmac.html ("Key specs for HMAC keys": HMAC_224 to HMAC_512, each
        // with its own HMAC_SHA_* algorithm and key length) and symm-asymm-compare.html (HMAC
        // keys: GenerateMac and VerifyMac, no encryption, no automatic rotation); grants.html
        // ("Grant operations" for HMAC keys).
        let hmac: Vec<&KeySpecRow> = KEY_SPECS
            .iter()
            .filter(|r| r.usage == KeyUsage::GenerateVerifyMac)
            .collect();
        assert_eq!(hmac.len(), 4);
        for row in hmac {
            assert_eq!(row.usage.as_str(), "GENERATE_VERIFY_MAC");
            let bits = row.name.trim_start_matches("HMAC_");
            assert_eq!(row.material_bytes * 8, bits.parse::<usize>().unwrap());
            assert_eq!(row.mac_algorithms.len(), 1);
            assert!(row.mac_algorithms[0].as_str().ends_with(bits));
            assert!(row.encryption_algorithms.is_empty());
            for action in KEY_TYPE_OPERATIONS {
                assert_eq!(
                    row.supports(*action),
                    matches!(action, Action::GenerateMac | Action::VerifyMac),
                    "{action}"
                );
            }
            assert_eq!(
                sorted_grant_operations(row),
                [
                    "CreateGrant",
                    "DescribeKey",
                    "GenerateMac",
                    "RetireGrant",
                    "VerifyMac"
                ]
            );
        }
    }

    #[test]
    fn nist_curves_sign_or_agree_on_keys_and_secp256k1_only_signs() {
        // KMS Developer Guide, asymmetric-key-specs.html ("Elliptic curve key specs"); API
        // Reference, CreateKey (KeyUsage: "For NIST-recommended elliptic curve key pairs,
        // specify SIGN_VERIFY or KEY_AGREEMENT. For ECC_SECG_P256K1 key pairs, specify
        // SIGN_VERIFY"); grants.html ("Grant operations" for key agreement keys).
        for spec in [
            KeySpec::EccNistP256,
            KeySpec::EccNistP384,
            KeySpec::EccNistP521,
        ] {
            assert_eq!(spec.usage_names(), ["SIGN_VERIFY", "KEY_AGREEMENT"]);
            let agreement = spec.with_usage("KEY_AGREEMENT").unwrap().row();
            assert_eq!(agreement.key_agreement_algorithms(), ["ECDH"]);
            assert!(agreement.signing_algorithms.is_empty());
            for action in KEY_TYPE_OPERATIONS {
                assert_eq!(
                    agreement.supports(*action),
                    matches!(action, Action::DeriveSharedSecret | Action::GetPublicKey),
                    "{action}"
                );
            }
            assert_eq!(
                sorted_grant_operations(agreement),
                [
                    "CreateGrant",
                    "DeriveSharedSecret",
                    "DescribeKey",
                    "GetPublicKey",
                    "RetireGrant"
                ]
            );
            assert!(spec.row().key_agreement_algorithms().is_empty());
        }
        assert_eq!(KeySpec::EccSecgP256k1.usage_names(), ["SIGN_VERIFY"]);
        assert_eq!(KeySpec::SymmetricDefault.usage_names(), ["ENCRYPT_DECRYPT"]);
        assert_eq!(KeyUsage::KeyAgreement.as_str(), "KEY_AGREEMENT");
        assert!(some_key_supports(Action::DeriveSharedSecret));
        assert!(grant_operations_of_any_key().contains(&Action::DeriveSharedSecret));
    }

    #[test]
    fn data_key_pairs_are_made_for_the_ecc_and_rsa_specs_of_the_table() {
        // KMS API Reference, GenerateDataKeyPair, KeyPairSpec (DataKeyPairSpec): an ECC data
        // key pair is a pair on the curve of the key spec of the same name, an RSA one has
        // that spec's modulus length.
        let made: Vec<&str> = DATA_KEY_PAIR_SPECS
            .iter()
            .copied()
            .filter(|name| data_key_pair_spec(name).is_some())
            .collect();
        assert_eq!(
            made,
            [
                "RSA_2048",
                "RSA_3072",
                "RSA_4096",
                "ECC_NIST_P256",
                "ECC_NIST_P384",
                "ECC_NIST_P521",
                "ECC_SECG_P256K1"
            ]
        );
        assert_eq!(
            data_key_pair_spec("RSA_3072").map(|s| s.row().material_bytes),
            Some(384)
        );
        assert_eq!(data_key_pair_spec("SYMMETRIC_DEFAULT"), None);
        assert_eq!(data_key_pair_spec("HMAC_256"), None);
    }

    #[test]
    fn symmetric_and_hmac_keys_import_material_of_their_key_length() {
        // KMS Developer Guide, importing-keys-conceptual.html ("Requirements for imported key
        // material": a symmetric encryption key's material is 256 bits) and
        // importing-keys-encrypt-key-material.html ("Generate key material for testing", HMAC
        // keys: the key's length must match the length the KMS key's key spec defines).
        // Asymmetric keys import a PKCS #8 private key, whose length varies.
        assert_eq!(
            KeySpec::SymmetricDefault.row().import_material_bytes,
            Some(32)
        );
        for (name, bytes) in [
            ("HMAC_224", 28),
            ("HMAC_256", 32),
            ("HMAC_384", 48),
            ("HMAC_512", 64),
        ] {
            let row = KeySpec::from_name(name).unwrap().row();
            assert_eq!(row.import_material_bytes, Some(bytes), "{name}");
        }
        for row in KEY_SPECS.iter().filter(|row| row.asymmetric) {
            assert_eq!(row.import_material_bytes, None, "{}", row.name);
        }
    }

    #[test]
    fn a_rows_operations_and_grant_operations_fit_the_catalog() {
        for row in KEY_SPECS {
            for action in row.operations {
                assert!(KEY_TYPE_OPERATIONS.contains(action), "{action}");
            }
            for action in row.grant_operations {
                assert!(action.is_grant_operation(), "{action}");
                assert!(row.supports(*action), "{action}");
            }
        }
    }
}
