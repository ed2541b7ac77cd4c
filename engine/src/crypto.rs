//! AES-256-GCM encryption under a KMS key, and the playground's ciphertext blob.
//!
//! Each KMS key owns a [`KeyRing`]: one 256-bit backing key per rotation, the newest used to
//! encrypt, every older one kept so old ciphertexts still decrypt (KMS Developer Guide,
//! rotate-keys.html). Backing keys never leave this module: the ring encrypts and decrypts, it
//! never hands its bytes out, they are wiped when dropped, and `Debug` prints no key bytes.
//!
//! # Ciphertext blob layout
//!
//! **This is KMS Playground's own format, not AWS's.** Real KMS ciphertext blobs are opaque and
//! undocumented; this layout only records the same facts (which key, which backing key, nonce,
//! tag) so that the app's inspector can show them.
//!
//! | Offset | Length | Field |
//! |---|---|---|
//! | 0 | 3 | magic `KPG` (`4B 50 47`) |
//! | 3 | 1 | format version, `1` |
//! | 4 | 2 | length *N* of the key ARN, big-endian |
//! | 6 | *N* | key ARN, UTF-8 |
//! | 6+*N* | 4 | backing-key version (1 = the original key material, +1 per rotation), big-endian |
//! | 10+*N* | 12 | 96-bit GCM nonce, drawn from the injected randomness |
//! | 22+*N* | *L* | the encrypted plaintext (*L* = plaintext length) |
//! | 22+*N*+*L* | 16 | GCM authentication tag |
//!
//! The additional authenticated data is the header (bytes `0..10+N`) followed by the canonical
//! encoding of the encryption context ([`EncryptionContext::canonical_bytes`]), so changing the
//! key ARN, the version or any context pair makes decryption fail. The header is self-delimiting,
//! so the concatenation is unambiguous.
//!
//! RSA keys' ciphertext ([`KeyRing::encrypt_asymmetric`]) is not in this
//! format: it is the RSAES-OAEP output alone, as long as the modulus, as KMS returns it, so it
//! names no key and Decrypt must be told the key and the algorithm.
//!
//! Every decryption failure is the same [`InvalidCiphertext`] with no hint of which check failed,
//! as KMS's `InvalidCiphertextException` gives none (KMS API Reference, Decrypt). [`inspect`] is the
//! inspector's structural view and decrypts nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use aes_gcm::aead::AeadInOut;
use aes_gcm::aead::array::Array;
use aes_gcm::{Aes256Gcm, KeyInit};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use hmac::{EagerHash, Hmac, Mac};
use sha2::{Sha224, Sha256, Sha384, Sha512};

use crate::catalog::{KeySpec, MacAlgorithm};
use crate::entropy::{Randomness, RandomnessUnavailable};

#[cfg(feature = "asymmetric")]
mod asymmetric;
pub mod backend;
#[cfg(feature = "asymmetric")]
mod builtin;
#[cfg(feature = "asymmetric")]
mod rsa_keys;

use backend::{BackendMissing, Primitive};

/// Whether `spec` is an RSA key spec (either usage).
fn is_rsa(spec: KeySpec) -> bool {
    spec.row().name.starts_with("RSA_")
}

/// Whether `spec` is an elliptic-curve key spec (signing or key agreement).
fn is_elliptic_curve(spec: KeySpec) -> bool {
    spec.row().asymmetric && !is_rsa(spec)
}

/// Bytes of the seed an RSA key's material is: the key pair is made from it when first used.
const RSA_SEED_LEN: usize = 32;

/// Makes random bytes of a private scalar's length more likely to be one: a P-521 scalar is
/// below 2^521, so the top seven bits of its 66 bytes are cleared.
fn fit_secret(spec: KeySpec, secret: &mut [u8]) {
    if matches!(spec, KeySpec::EccNistP521 | KeySpec::EccNistP521Agreement) {
        if let Some(first) = secret.first_mut() {
            *first &= 0x01;
        }
    }
}

/// A 32-byte seed for the backend, with [`Randomness::fill_fresh`] when `fresh` (padding, data
/// keys: never replayed from a session's seed), else [`Randomness::fill`].
fn draw_seed(rng: &mut dyn Randomness, fresh: bool) -> Result<[u8; 32], RandomnessUnavailable> {
    let mut seed = [0u8; 32];
    if fresh {
        rng.fill_fresh(&mut seed)?;
    } else {
        rng.fill(&mut seed)?;
    }
    Ok(seed)
}

/// The modulus length of an RSA spec, in bits.
fn modulus_bits(spec: KeySpec) -> usize {
    spec.row().material_bytes * 8
}

/// A modulus length as the backend's 4-byte argument.
fn bits_arg(bits: usize) -> [u8; 4] {
    u32::try_from(bits).unwrap_or(0).to_be_bytes()
}

/// The modulus length of an RSA spec, as the backend's 4-byte argument.
fn rsa_bits(spec: KeySpec) -> [u8; 4] {
    bits_arg(modulus_bits(spec))
}

/// The one field of a backend's answer.
fn only_field(fields: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    fields.into_iter().next()
}

/// Sign's and Verify's `MessageType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// `RAW`: KMS hashes the message with the algorithm's hash.
    Raw,
    /// `DIGEST`: the message is already the digest, of the hash's length.
    Digest,
}

/// Why a ring made no signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignError {
    /// No randomness for the signature's padding (RSASSA-PSS salts).
    Randomness(RandomnessUnavailable),
    /// The key is not a signing key, or its spec does not use this algorithm.
    WrongAlgorithm,
    /// A `DIGEST` message is not as long as the algorithm's hash; the length it must have.
    DigestLength(usize),
    /// No asymmetric backend is available now ([`backend::available`]).
    Unavailable,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Randomness(e) => f.write_str(&e.message),
            SignError::WrongAlgorithm => {
                f.write_str("the key is not a signing key of this algorithm")
            }
            SignError::DigestLength(len) => write!(f, "the digest must be {len} bytes"),
            SignError::Unavailable => f.write_str("no asymmetric cryptography is loaded"),
        }
    }
}

impl std::error::Error for SignError {}

impl From<NoKeyPair> for SignError {
    fn from(e: NoKeyPair) -> SignError {
        match e {
            NoKeyPair::Unavailable => SignError::Unavailable,
            NoKeyPair::Failed => SignError::WrongAlgorithm,
        }
    }
}

/// The digest `algorithm` signs for `message`: the hash its name ends with (`_256`, `_384`,
/// `_512`: SHA-2) of a `RAW` message, or a `DIGEST` message as it is when its length fits.
fn signing_digest(
    algorithm: &str,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, SignError> {
    use sha2::Digest as _;
    type Hash = fn(&[u8]) -> Vec<u8>;
    let (len, hash): (usize, Hash) = if algorithm.ends_with("_256") {
        (32, |m| Sha256::digest(m).to_vec())
    } else if algorithm.ends_with("_384") {
        (48, |m| Sha384::digest(m).to_vec())
    } else if algorithm.ends_with("_512") {
        (64, |m| Sha512::digest(m).to_vec())
    } else {
        return Err(SignError::WrongAlgorithm);
    };
    match message_type {
        MessageType::Raw => Ok(hash(message)),
        MessageType::Digest if message.len() == len => Ok(message.to_vec()),
        MessageType::Digest => Err(SignError::DigestLength(len)),
    }
}

/// Why a ring derived no shared secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreementError {
    /// The key is not an elliptic-curve key (the key-spec table refuses this first).
    NotAnAgreementKey,
    /// The peer's public key is not a DER `SubjectPublicKeyInfo` of a point on the key's curve.
    InvalidPublicKey,
    /// No asymmetric backend is available now ([`backend::available`]).
    Unavailable,
}

impl fmt::Display for AgreementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgreementError::NotAnAgreementKey => "the key is not an elliptic-curve key",
            AgreementError::InvalidPublicKey => {
                "the public key is not a DER SubjectPublicKeyInfo on the key's curve"
            }
            AgreementError::Unavailable => "no asymmetric cryptography is loaded",
        })
    }
}

impl std::error::Error for AgreementError {}

/// A data key pair (API GenerateDataKeyPair): made to leave KMS, so unlike a KMS key's
/// material its private key is handed out, wiped when dropped.
pub struct DataKeyPair {
    /// The private key, PKCS#8 DER.
    pub private_key: zeroize::Zeroizing<Vec<u8>>,
    /// The public key, DER `SubjectPublicKeyInfo`.
    pub public_key: Vec<u8>,
}

impl fmt::Debug for DataKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKeyPair(<redacted>)")
    }
}

/// The RSA key pair GetParametersForImport makes for one import (KMS Developer Guide,
/// importing-keys-get-public-key-and-token.html): its public key is handed out to wrap key
/// material with, its private key stays here to unwrap it ([`WrappingKey::unwrap`]). The private
/// key is wiped when dropped and `Debug` prints no key bytes.
#[derive(Clone)]
pub struct WrappingKey {
    /// The private key, PKCS #1 DER.
    private_key: zeroize::Zeroizing<Vec<u8>>,
    /// The public key, DER `SubjectPublicKeyInfo`.
    public_key: Vec<u8>,
}

/// The wrapping key specs that make a wrapping key, with their modulus lengths in bits
/// (API Reference, GetParametersForImport, `WrappingKeySpec`).
pub const WRAPPING_KEY_BITS: [(&str, usize); 3] =
    [("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)];

/// The wrapping algorithms [`WrappingKey::unwrap`] undoes (API Reference, GetParametersForImport,
/// `WrappingAlgorithm`; `RSAES_PKCS1_V1_5` is no longer supported by KMS, `SM2PKE` is for the
/// China Regions' SM2 wrapping keys).
pub const UNWRAPPING_ALGORITHMS: [&str; 4] = [
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
];

/// Why no wrapping key was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WrappingKeyError {
    /// `spec` is not one of [`WRAPPING_KEY_BITS`].
    UnknownSpec,
    /// No asymmetric backend is available now ([`backend::available`]).
    Unavailable,
    /// The randomness source failed.
    Randomness(RandomnessUnavailable),
}

impl fmt::Display for WrappingKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WrappingKeyError::UnknownSpec => "no RSA wrapping key has that spec",
            WrappingKeyError::Unavailable => "no asymmetric cryptography is loaded",
            WrappingKeyError::Randomness(e) => &e.message,
        })
    }
}

impl std::error::Error for WrappingKeyError {}

impl WrappingKey {
    /// A fresh wrapping key pair of the wrapping key spec `spec` (`RSA_2048`, `RSA_3072`,
    /// `RSA_4096`). Its seed is drawn with [`Randomness::fill`]: a seeded session makes the
    /// same key again.
    pub fn generate(spec: &str, rng: &mut dyn Randomness) -> Result<WrappingKey, WrappingKeyError> {
        let Some(&(_, bits)) = WRAPPING_KEY_BITS.iter().find(|(name, _)| *name == spec) else {
            return Err(WrappingKeyError::UnknownSpec);
        };
        let seed = draw_seed(rng, false).map_err(WrappingKeyError::Randomness)?;
        let fields = backend::call(Primitive::RsaKeyPair, &[&bits_arg(bits), &seed])
            .map_err(|BackendMissing| WrappingKeyError::Unavailable)?;
        let no_key = || {
            WrappingKeyError::Randomness(RandomnessUnavailable {
                message: format!("no {spec} wrapping key could be generated"),
            })
        };
        let mut fields = fields.ok_or_else(no_key)?.into_iter();
        let (Some(private_key), Some(_), Some(public_key)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(no_key());
        };
        Ok(WrappingKey {
            private_key: zeroize::Zeroizing::new(private_key),
            public_key,
        })
    }

    /// The public key, DER `SubjectPublicKeyInfo` (GetParametersForImport's `PublicKey`).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The key material `blob` wraps with `algorithm` (one of [`UNWRAPPING_ALGORITHMS`]) under
    /// this key's public half; `None` when it does not unwrap (wrapped under another key or
    /// algorithm, truncated, tampered with).
    pub fn unwrap(&self, algorithm: &str, blob: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let fields = backend::call(
            Primitive::RsaUnwrap,
            &[&self.private_key, algorithm.as_bytes(), blob],
        )
        .ok()??;
        only_field(fields).map(zeroize::Zeroizing::new)
    }
}

impl fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WrappingKey(<redacted>)")
    }
}

/// Why no data key pair was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataKeyPairError {
    /// `spec` is not an elliptic-curve or RSA spec of the key-spec table.
    NotAKeyPairSpec,
    /// No asymmetric backend is available now ([`backend::available`]), or it made no key pair.
    Unavailable,
    /// The randomness source failed.
    Randomness(RandomnessUnavailable),
}

impl fmt::Display for DataKeyPairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataKeyPairError::NotAKeyPairSpec => "no data key pair has that spec",
            DataKeyPairError::Unavailable => "no asymmetric cryptography is loaded",
            DataKeyPairError::Randomness(e) => &e.message,
        })
    }
}

impl std::error::Error for DataKeyPairError {}

/// The key material an asymmetric key of `spec` keeps for the imported private key `pkcs8`
/// (PKCS #8 DER: KMS Developer Guide, importing-keys-conceptual.html, "Requirements for imported
/// key material"), normalized so that the same key imported in another encoding is the same
/// material; refused when it is not a private key of `spec` (modulus length, curve).
pub fn private_key_material(
    spec: KeySpec,
    pkcs8: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportMaterialError> {
    if !spec.row().asymmetric {
        return Err(ImportMaterialError::NotAPrivateKey);
    }
    backend::call(
        Primitive::ImportPrivateKey,
        &[spec.as_str().as_bytes(), pkcs8],
    )
    .map_err(|BackendMissing| ImportMaterialError::Unavailable)?
    .and_then(only_field)
    .map(zeroize::Zeroizing::new)
    .ok_or(ImportMaterialError::NotAPrivateKey)
}

/// Whether data key pairs of `spec` exist ([`generate_data_key_pair`]): the elliptic-curve and
/// RSA specs.
pub fn generates_data_key_pairs(spec: KeySpec) -> bool {
    spec.row().asymmetric
}

/// A fresh key pair of the elliptic-curve or RSA key spec `spec`, drawn from `rng`'s fresh
/// bytes ([`Randomness::fill_fresh`]: a data key, never replayed from a seed): the private key
/// as PKCS #8 DER, the public key as DER `SubjectPublicKeyInfo` (API Reference,
/// GenerateDataKeyPair).
pub fn generate_data_key_pair(
    spec: KeySpec,
    rng: &mut dyn Randomness,
) -> Result<DataKeyPair, DataKeyPairError> {
    if !generates_data_key_pairs(spec) {
        return Err(DataKeyPairError::NotAKeyPairSpec);
    }
    let fields = if is_rsa(spec) {
        let seed = draw_seed(rng, true).map_err(DataKeyPairError::Randomness)?;
        backend::call(Primitive::RsaKeyPair, &[&rsa_bits(spec), &seed])
            .map(|answer| answer.map(|fields| fields.into_iter().skip(1).collect::<Vec<_>>()))
    } else {
        let mut secret = zeroize::Zeroizing::new(vec![0u8; spec.row().material_bytes]);
        rng.fill_fresh(&mut secret)
            .map_err(DataKeyPairError::Randomness)?;
        fit_secret(spec, &mut secret);
        backend::call(Primitive::EcKeyPair, &[spec.as_str().as_bytes(), &secret])
    };
    let mut fields = fields
        .map_err(|BackendMissing| DataKeyPairError::Unavailable)?
        .ok_or(DataKeyPairError::Unavailable)?
        .into_iter();
    match (fields.next(), fields.next()) {
        (Some(private_key), Some(public_key)) => Ok(DataKeyPair {
            private_key: zeroize::Zeroizing::new(private_key),
            public_key,
        }),
        _ => Err(DataKeyPairError::Unavailable),
    }
}

/// What [`KeyMaterial::mac`] computed.
enum MacOutcome {
    Mac(Vec<u8>),
    Verified(bool),
}

/// Why a ring computed no MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacError {
    /// The ring's key is not an HMAC key, or its spec does not use this algorithm.
    WrongAlgorithm,
    /// The key has no key material.
    NoKeyMaterial,
}

impl fmt::Display for MacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MacError::WrongAlgorithm => "the key is not an HMAC key of this algorithm",
            MacError::NoKeyMaterial => "the key has no key material",
        })
    }
}

impl std::error::Error for MacError {}

/// The blob's magic bytes.
pub const MAGIC: [u8; 3] = *b"KPG";
/// The blob format version this module writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Length of a GCM nonce in bytes (96 bits).
pub const NONCE_LEN: usize = 12;
/// Length of a GCM authentication tag in bytes.
pub const TAG_LEN: usize = 16;
/// Length of a backing key in bytes (AES-256).
pub const KEY_LEN: usize = 32;

/// The encryption context of a cryptographic request: string pairs bound to the ciphertext as
/// additional authenticated data. Decryption needs the exact same pairs, case-sensitively; only the
/// order may differ (KMS Developer Guide, concepts.html#encrypt_context).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EncryptionContext(BTreeMap<String, String>);

impl EncryptionContext {
    /// An empty context.
    pub fn new() -> EncryptionContext {
        EncryptionContext::default()
    }

    /// Sets `key` to `value` (keys are case-sensitive here, as in the AAD).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    /// The value of `key`, matched exactly.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The unambiguous byte encoding used as additional authenticated data: the pair count, then
    /// each pair sorted by key as length-prefixed key and value (all lengths 4-byte big-endian).
    ///
    /// Plain concatenation would make `{"ab":"c"}` and `{"a":"bc"}` the same AAD; the length
    /// prefixes keep them apart.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let size = 4 + self
            .0
            .iter()
            .map(|(k, v)| 8 + k.len() + v.len())
            .sum::<usize>();
        let mut out = Vec::with_capacity(size);
        push_len(&mut out, self.0.len());
        for (key, value) in &self.0 {
            push_len(&mut out, key.len());
            out.extend_from_slice(key.as_bytes());
            push_len(&mut out, value.len());
            out.extend_from_slice(value.as_bytes());
        }
        out
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EncryptionContext {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EncryptionContext(crate::sort::map_from(
            iter.into_iter().map(|(k, v)| (k.into(), v.into())),
        ))
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    // Context pairs are bounded far below 4 GiB by request validation; saturating keeps the
    // encoding total without a panic path.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

/// One backing key: 256 bits for AES-GCM, the spec's length for HMAC. Wiped on drop; `Debug`
/// prints no key bytes. The bytes live on the heap and are written there directly, so moving a
/// `KeyMaterial` (a ring's `Vec` growing) moves a pointer and leaves no unwiped copy behind.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct KeyMaterial(Box<[u8]>);

impl KeyMaterial {
    fn generate(
        len: usize,
        rng: &mut dyn Randomness,
    ) -> Result<KeyMaterial, RandomnessUnavailable> {
        let mut material = KeyMaterial(vec![0; len].into_boxed_slice());
        rng.fill(&mut material.0)?;
        Ok(material)
    }

    /// Fresh material for a key of `spec`: the key itself for a symmetric or HMAC key, the
    /// private scalar for an elliptic-curve key (the backend derives a valid one from it in the
    /// rare case it is not one), the seed of its key pair for an RSA key.
    fn draw(spec: KeySpec, rng: &mut dyn Randomness) -> Result<KeyMaterial, RandomnessUnavailable> {
        if is_rsa(spec) {
            return KeyMaterial::generate(RSA_SEED_LEN, rng);
        }
        let mut material = KeyMaterial::generate(spec.row().material_bytes, rng)?;
        fit_secret(spec, &mut material.0);
        Ok(material)
    }

    fn from_slice(bytes: &[u8], len: usize) -> Option<KeyMaterial> {
        (bytes.len() == len).then(|| KeyMaterial(bytes.to_vec().into_boxed_slice()))
    }

    /// The AES-256-GCM cipher, for 32-byte material.
    fn cipher(&self) -> Option<Aes256Gcm> {
        // Borrowed, not copied: a copy on the stack would escape the wipe on drop.
        <&Array<u8, _>>::try_from(&*self.0).ok().map(Aes256Gcm::new)
    }

    /// HMAC of `message` with `algorithm` (RFC 2104); with `expected`, whether it equals that
    /// MAC, compared in constant time.
    fn mac(&self, algorithm: MacAlgorithm, message: &[u8], expected: Option<&[u8]>) -> MacOutcome {
        fn run<D: EagerHash>(key: &[u8], message: &[u8], expected: Option<&[u8]>) -> MacOutcome
        where
            Hmac<D>: KeyInit + Mac,
        {
            // HMAC takes a key of any length (RFC 2104, section 2): this never fails.
            let Ok(mut mac) = <Hmac<D> as KeyInit>::new_from_slice(key) else {
                return MacOutcome::Verified(false);
            };
            Mac::update(&mut mac, message);
            match expected {
                Some(tag) => MacOutcome::Verified(mac.verify_slice(tag).is_ok()),
                None => MacOutcome::Mac(mac.finalize().into_bytes().to_vec()),
            }
        }
        match algorithm {
            MacAlgorithm::HmacSha224 => run::<Sha224>(&self.0, message, expected),
            MacAlgorithm::HmacSha256 => run::<Sha256>(&self.0, message, expected),
            MacAlgorithm::HmacSha384 => run::<Sha384>(&self.0, message, expected),
            MacAlgorithm::HmacSha512 => run::<Sha512>(&self.0, message, expected),
        }
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(<redacted>)")
    }
}

/// The backing keys of one KMS key: version 1 is the original key material, each rotation adds
/// the next version. Encryption uses the newest; decryption uses the version the blob names.
/// A ring knows its key spec: a symmetric encryption key's ring encrypts, an HMAC key's ring
/// computes MACs, and neither does the other's work.
#[derive(Clone)]
pub struct KeyRing {
    spec: KeySpec,
    versions: Vec<KeyMaterial>,
    /// An asymmetric key's key pair, made from its material when first used and shared by the
    /// ring's clones (an RSA key pair takes long to make).
    pair: Arc<OnceLock<KeyPair>>,
}

/// An asymmetric key's key pair as the backend takes it: the private key (an RSA key's PKCS #1
/// DER, an elliptic-curve key's material) and the public key, DER `SubjectPublicKeyInfo`.
struct KeyPair {
    private: zeroize::Zeroizing<Vec<u8>>,
    public: Vec<u8>,
}

/// Why an asymmetric ring has no key pair to compute with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoKeyPair {
    /// No backend is available now.
    Unavailable,
    /// The ring has no material, or the backend made no key pair of it.
    Failed,
}

impl KeyRing {
    /// A symmetric encryption key's ring with freshly generated key material (a key created
    /// with origin `AWS_KMS`).
    pub fn generate(rng: &mut dyn Randomness) -> Result<KeyRing, RandomnessUnavailable> {
        KeyRing::generate_for(KeySpec::SymmetricDefault, rng)
    }

    /// A ring for a key of `spec` with freshly generated key material of the spec's length.
    pub fn generate_for(
        spec: KeySpec,
        rng: &mut dyn Randomness,
    ) -> Result<KeyRing, RandomnessUnavailable> {
        Ok(KeyRing {
            spec,
            versions: vec![KeyMaterial::draw(spec, rng)?],
            pair: Arc::default(),
        })
    }

    /// A ring for a key of `spec` without key material (a key created with origin `EXTERNAL`,
    /// pending import, or one whose imported material was deleted).
    pub fn without_material(spec: KeySpec) -> KeyRing {
        KeyRing {
            spec,
            versions: Vec::new(),
            pair: Arc::default(),
        }
    }

    /// The key spec the ring's material is for.
    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    /// Whether the ring holds any key material.
    pub fn has_material(&self) -> bool {
        !self.versions.is_empty()
    }

    /// The version new ciphertexts are encrypted under (0 when there is no material).
    pub fn current_version(&self) -> u32 {
        u32::try_from(self.versions.len()).unwrap_or(u32::MAX)
    }

    /// Adds a new backing key and makes it current, keeping the old ones for decryption
    /// (KMS Developer Guide, rotate-keys.html). Returns the new version, or `None` when the ring
    /// has no material to rotate.
    pub fn rotate(
        &mut self,
        rng: &mut dyn Randomness,
    ) -> Result<Option<u32>, RandomnessUnavailable> {
        if self.versions.is_empty() {
            return Ok(None);
        }
        self.versions.push(KeyMaterial::draw(self.spec, rng)?);
        self.pair = Arc::default();
        Ok(Some(self.current_version()))
    }

    /// Installs imported key material as version 1 of a ring that has none: as many bytes as
    /// the key-spec table's `import_material_bytes` says (32 for a symmetric encryption key,
    /// the key length for an HMAC key; a spec without one imports nothing).
    pub fn import_material(&mut self, bytes: &[u8]) -> Result<(), ImportMaterialError> {
        if self.has_material() {
            return Err(ImportMaterialError::AlreadyHasMaterial);
        }
        let material = match self.spec.row().import_material_bytes {
            Some(needed) => {
                KeyMaterial::from_slice(bytes, needed).ok_or(ImportMaterialError::WrongLength {
                    needed,
                    given: bytes.len(),
                })?
            }
            // An asymmetric key's: what `private_key_material` made of its private key.
            None if !bytes.is_empty() => KeyMaterial(bytes.to_vec().into_boxed_slice()),
            None => return Err(ImportMaterialError::NotAPrivateKey),
        };
        self.versions.push(material);
        self.pair = Arc::default();
        Ok(())
    }

    /// Encrypts `plaintext` for the key `key_arn` under the current backing key, binding
    /// `context` as additional authenticated data. The nonce is `rng`'s fresh bytes
    /// ([`Randomness::fill_fresh`]), never replayed from a seed.
    pub fn encrypt(
        &self,
        key_arn: &str,
        context: &EncryptionContext,
        plaintext: &[u8],
        rng: &mut dyn Randomness,
    ) -> Result<Vec<u8>, EncryptError> {
        if self.spec != KeySpec::SymmetricDefault {
            return Err(EncryptError::NotAnEncryptionKey);
        }
        let material = self.versions.last().ok_or(EncryptError::NoKeyMaterial)?;
        let arn_len = u16::try_from(key_arn.len()).map_err(|_| EncryptError::KeyArnTooLong)?;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_fresh(&mut nonce)
            .map_err(EncryptError::Randomness)?;

        let header_len = 10 + key_arn.len();
        let mut blob = Vec::with_capacity(header_len + NONCE_LEN + plaintext.len() + TAG_LEN);
        blob.extend_from_slice(&MAGIC);
        blob.push(FORMAT_VERSION);
        blob.extend_from_slice(&arn_len.to_be_bytes());
        blob.extend_from_slice(key_arn.as_bytes());
        blob.extend_from_slice(&self.current_version().to_be_bytes());
        let aad = associated_data(&blob, context);
        blob.extend_from_slice(&nonce);
        let body_start = blob.len();
        blob.extend_from_slice(plaintext);

        let body = blob
            .get_mut(body_start..)
            .ok_or(EncryptError::NoKeyMaterial)?;
        let tag = material
            .cipher()
            .ok_or(EncryptError::NotAnEncryptionKey)?
            .encrypt_inout_detached(&Array::from(nonce), &aad, body.into())
            // Only lengths beyond GCM's limits (2^36 bytes) can fail here.
            .map_err(|_| EncryptError::TooLong)?;
        blob.extend_from_slice(&tag);
        Ok(blob)
    }

    /// The HMAC of `message` under the current key material with `algorithm`, which must be
    /// the ring's spec's (API GenerateMac; RFC 2104).
    pub fn mac(&self, algorithm: MacAlgorithm, message: &[u8]) -> Result<Vec<u8>, MacError> {
        match self.mac_material(algorithm)?.mac(algorithm, message, None) {
            MacOutcome::Mac(mac) => Ok(mac),
            MacOutcome::Verified(_) => Err(MacError::WrongAlgorithm),
        }
    }

    /// Whether `mac` is the HMAC of `message` with `algorithm`, compared in constant time (API
    /// VerifyMac: "computes an HMAC ... and compares the computed HMAC to the HMAC that you
    /// specify").
    pub fn verify_mac(
        &self,
        algorithm: MacAlgorithm,
        message: &[u8],
        mac: &[u8],
    ) -> Result<bool, MacError> {
        match self
            .mac_material(algorithm)?
            .mac(algorithm, message, Some(mac))
        {
            MacOutcome::Verified(valid) => Ok(valid),
            MacOutcome::Mac(_) => Err(MacError::WrongAlgorithm),
        }
    }

    /// The key pair of an asymmetric ring, made by the backend from the current material the
    /// first time it is needed.
    fn key_pair(&self) -> Result<&KeyPair, NoKeyPair> {
        if let Some(pair) = self.pair.get() {
            return Ok(pair);
        }
        let material = self.versions.last().ok_or(NoKeyPair::Failed)?;
        let spec_name = self.spec.as_str().as_bytes();
        let pair = if is_rsa(self.spec) && material.0.len() != RSA_SEED_LEN {
            // Imported: the material is the private key itself, PKCS #1 DER.
            let public = backend::call(Primitive::RsaPublicKey, &[&material.0])
                .map_err(|BackendMissing| NoKeyPair::Unavailable)?
                .and_then(only_field)
                .ok_or(NoKeyPair::Failed)?;
            KeyPair {
                private: zeroize::Zeroizing::new(material.0.to_vec()),
                public,
            }
        } else if is_rsa(self.spec) {
            let answer = backend::call(Primitive::RsaKeyPair, &[&rsa_bits(self.spec), &material.0]);
            let mut fields = answer
                .map_err(|BackendMissing| NoKeyPair::Unavailable)?
                .ok_or(NoKeyPair::Failed)?
                .into_iter();
            match (fields.next(), fields.next(), fields.next()) {
                (Some(private), Some(_), Some(public)) => KeyPair {
                    private: zeroize::Zeroizing::new(private),
                    public,
                },
                _ => return Err(NoKeyPair::Failed),
            }
        } else if is_elliptic_curve(self.spec) {
            let answer = backend::call(Primitive::EcKeyPair, &[spec_name, &material.0]);
            let fields = answer
                .map_err(|BackendMissing| NoKeyPair::Unavailable)?
                .ok_or(NoKeyPair::Failed)?;
            // The PKCS #8 form is not kept: the backend takes the material itself.
            let public = fields.into_iter().nth(1).ok_or(NoKeyPair::Failed)?;
            KeyPair {
                private: zeroize::Zeroizing::new(material.0.to_vec()),
                public,
            }
        } else {
            return Err(NoKeyPair::Failed);
        };
        Ok(self.pair.get_or_init(|| pair))
    }

    /// The signature of `message` with the private key and `algorithm`, which must be the
    /// ring's spec's (API Sign): DER ECDSA, or RSA's (RSASSA-PSS salts come from `rng`'s fresh
    /// bytes).
    pub fn sign(
        &self,
        algorithm: &str,
        message_type: MessageType,
        message: &[u8],
        rng: &mut dyn Randomness,
    ) -> Result<Vec<u8>, SignError> {
        let digest = self.signing_digest(algorithm, message_type, message)?;
        let pair = self.key_pair().map_err(SignError::from)?;
        let answer = if is_rsa(self.spec) {
            let seed = draw_seed(rng, true).map_err(SignError::Randomness)?;
            backend::call(
                Primitive::RsaSign,
                &[&pair.private, algorithm.as_bytes(), &digest, &seed],
            )
        } else {
            backend::call(
                Primitive::EcSign,
                &[self.spec.as_str().as_bytes(), &pair.private, &digest],
            )
        };
        answer
            .map_err(|BackendMissing| SignError::Unavailable)?
            .and_then(only_field)
            .ok_or(SignError::WrongAlgorithm)
    }

    /// RSAES-OAEP encryption of `plaintext` with `algorithm`, which must be one of the ring's
    /// spec's (API Encrypt with an asymmetric key): the ciphertext is the RSA output, as long
    /// as the modulus, with no header (KMS cannot tell which key made it, so Decrypt needs the
    /// key and the algorithm).
    pub fn encrypt_asymmetric(
        &self,
        algorithm: &str,
        plaintext: &[u8],
        rng: &mut dyn Randomness,
    ) -> Result<Vec<u8>, EncryptError> {
        let limit = self
            .spec
            .max_plaintext(algorithm)
            .filter(|_| self.spec.row().asymmetric)
            .ok_or(EncryptError::NotAnEncryptionKey)?;
        if plaintext.len() > limit {
            return Err(EncryptError::TooLong);
        }
        let pair = self.key_pair().map_err(|e| match e {
            NoKeyPair::Unavailable => EncryptError::Unavailable,
            NoKeyPair::Failed => EncryptError::NoKeyMaterial,
        })?;
        let seed = draw_seed(rng, true).map_err(EncryptError::Randomness)?;
        backend::call(
            Primitive::RsaEncrypt,
            &[&pair.private, algorithm.as_bytes(), plaintext, &seed],
        )
        .map_err(|BackendMissing| EncryptError::Unavailable)?
        .and_then(only_field)
        .ok_or(EncryptError::NotAnEncryptionKey)
    }

    /// Decrypts RSAES-OAEP ciphertext made with `algorithm` under this key. Every failure of
    /// the ciphertext, the algorithm or the key is the same [`InvalidCiphertext`]; a missing
    /// backend is said apart.
    pub fn decrypt_asymmetric(
        &self,
        algorithm: &str,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, AsymmetricDecryptError> {
        let invalid = AsymmetricDecryptError::InvalidCiphertext(InvalidCiphertext);
        if !self.spec.row().asymmetric
            || !self.spec.row().encryption_algorithms.contains(&algorithm)
        {
            return Err(invalid);
        }
        let pair = self.key_pair().map_err(|e| match e {
            NoKeyPair::Unavailable => AsymmetricDecryptError::Unavailable,
            NoKeyPair::Failed => invalid,
        })?;
        backend::call(
            Primitive::RsaDecrypt,
            &[&pair.private, algorithm.as_bytes(), ciphertext],
        )
        .map_err(|BackendMissing| AsymmetricDecryptError::Unavailable)?
        .and_then(only_field)
        .ok_or(invalid)
    }

    /// Whether `signature` (DER) signs `message` with `algorithm` under this key (API Verify).
    pub fn verify(
        &self,
        algorithm: &str,
        message_type: MessageType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, SignError> {
        let digest = self.signing_digest(algorithm, message_type, message)?;
        let pair = self.key_pair().map_err(SignError::from)?;
        let answer = if is_rsa(self.spec) {
            backend::call(
                Primitive::RsaVerify,
                &[&pair.private, algorithm.as_bytes(), &digest, signature],
            )
        } else {
            backend::call(
                Primitive::EcVerify,
                &[
                    self.spec.as_str().as_bytes(),
                    &pair.private,
                    &digest,
                    signature,
                ],
            )
        };
        Ok(answer
            .map_err(|BackendMissing| SignError::Unavailable)?
            .is_some())
    }

    /// The public key as DER `SubjectPublicKeyInfo` (API GetPublicKey), for an asymmetric key
    /// while a backend is available.
    pub fn public_key(&self) -> Result<Vec<u8>, NoKeyPair> {
        self.key_pair().map(|pair| pair.public.clone())
    }

    /// The raw ECDH shared secret of this key agreement key's private key and the peer's public
    /// key, a DER `SubjectPublicKeyInfo` on the same curve (API DeriveSharedSecret).
    pub fn derive_shared_secret(
        &self,
        peer_public_key: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, AgreementError> {
        if !is_elliptic_curve(self.spec) {
            return Err(AgreementError::NotAnAgreementKey);
        }
        let pair = self.key_pair().map_err(|e| match e {
            NoKeyPair::Unavailable => AgreementError::Unavailable,
            NoKeyPair::Failed => AgreementError::NotAnAgreementKey,
        })?;
        backend::call(
            Primitive::EcSharedSecret,
            &[
                self.spec.as_str().as_bytes(),
                &pair.private,
                peer_public_key,
            ],
        )
        .map_err(|BackendMissing| AgreementError::Unavailable)?
        .and_then(only_field)
        .map(zeroize::Zeroizing::new)
        .ok_or(AgreementError::InvalidPublicKey)
    }

    /// The digest a signature of `message` with `algorithm` covers, for an algorithm of the
    /// ring's spec.
    fn signing_digest(
        &self,
        algorithm: &str,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, SignError> {
        if !self.spec.row().signing_algorithms.contains(&algorithm) {
            return Err(SignError::WrongAlgorithm);
        }
        signing_digest(algorithm, message_type, message)
    }

    fn mac_material(&self, algorithm: MacAlgorithm) -> Result<&KeyMaterial, MacError> {
        if !self.spec.row().mac_algorithms.contains(&algorithm) {
            return Err(MacError::WrongAlgorithm);
        }
        self.versions.last().ok_or(MacError::NoKeyMaterial)
    }

    /// Decrypts a blob made by [`KeyRing::encrypt`] for `key_arn` with the same `context`.
    ///
    /// Every failure (malformed or truncated blob, another key's blob, an unknown backing-key
    /// version, a changed byte, a different context) is the same [`InvalidCiphertext`].
    pub fn decrypt(
        &self,
        key_arn: &str,
        context: &EncryptionContext,
        blob: &[u8],
    ) -> Result<Vec<u8>, InvalidCiphertext> {
        let parsed = parse(blob)?;
        if parsed.key_arn != key_arn || self.spec != KeySpec::SymmetricDefault {
            return Err(InvalidCiphertext);
        }
        let index = usize::try_from(parsed.key_version)
            .ok()
            .and_then(|v| v.checked_sub(1))
            .ok_or(InvalidCiphertext)?;
        let material = self.versions.get(index).ok_or(InvalidCiphertext)?;
        let aad = associated_data(parsed.header, context);
        let nonce = Array::try_from(parsed.nonce).map_err(|_| InvalidCiphertext)?;
        let tag = Array::try_from(parsed.tag).map_err(|_| InvalidCiphertext)?;
        let mut plaintext = parsed.body.to_vec();
        material
            .cipher()
            .ok_or(InvalidCiphertext)?
            .decrypt_inout_detached(&nonce, &aad, plaintext.as_mut_slice().into(), &tag)
            .map_err(|_| InvalidCiphertext)?;
        Ok(plaintext)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("versions", &self.versions.len())
            .finish_non_exhaustive()
    }
}

fn associated_data(header: &[u8], context: &EncryptionContext) -> Vec<u8> {
    let mut aad = header.to_vec();
    aad.extend_from_slice(&context.canonical_bytes());
    aad
}

/// Why [`KeyRing::decrypt_asymmetric`] gave no plaintext.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsymmetricDecryptError {
    /// The ciphertext does not decrypt (no detail, as for symmetric keys).
    InvalidCiphertext(InvalidCiphertext),
    /// No asymmetric backend is available now ([`backend::available`]).
    Unavailable,
}

/// Decryption failed. Deliberately carries no detail (KMS `InvalidCiphertextException`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidCiphertext;

impl fmt::Display for InvalidCiphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the ciphertext, its encryption context, or the key is not valid for decryption",
        )
    }
}

impl std::error::Error for InvalidCiphertext {}

/// Why encryption could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncryptError {
    /// The key has no key material (origin `EXTERNAL`, pending import).
    NoKeyMaterial,
    /// The key ARN does not fit the blob's 16-bit length field.
    KeyArnTooLong,
    /// The plaintext exceeds the algorithm's length limit (AES-GCM's, or RSAES-OAEP's for the
    /// key's modulus).
    TooLong,
    /// No nonce could be drawn: nothing was encrypted.
    Randomness(RandomnessUnavailable),
    /// The ring's key is not a symmetric encryption key.
    NotAnEncryptionKey,
    /// An RSA key, and no asymmetric backend is available now ([`backend::available`]).
    Unavailable,
}

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EncryptError::NoKeyMaterial => "the key has no key material",
            EncryptError::KeyArnTooLong => "the key ARN is longer than 65535 bytes",
            EncryptError::TooLong => "the plaintext is too long for the encryption algorithm",
            EncryptError::Randomness(e) => &e.message,
            EncryptError::NotAnEncryptionKey => "the key is not a symmetric encryption key",
            EncryptError::Unavailable => "no asymmetric cryptography is loaded",
        })
    }
}

impl std::error::Error for EncryptError {}

/// Why imported key material was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMaterialError {
    /// The key spec's material is `needed` bytes long; `given` were given.
    WrongLength {
        /// The spec's length.
        needed: usize,
        /// The length given.
        given: usize,
    },
    /// The key already has key material.
    AlreadyHasMaterial,
    /// An asymmetric key's material is not a PKCS #8 private key of its key spec (another
    /// modulus length or curve, or not a private key at all).
    NotAPrivateKey,
    /// No asymmetric backend is available now ([`backend::available`]).
    Unavailable,
}

impl fmt::Display for ImportMaterialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportMaterialError::WrongLength { needed, given } => {
                write!(f, "key material must be {needed} bytes, got {given}")
            }
            ImportMaterialError::AlreadyHasMaterial => {
                f.write_str("the key already has key material")
            }
            ImportMaterialError::NotAPrivateKey => {
                f.write_str("the key material is not a PKCS #8 private key of the key's spec")
            }
            ImportMaterialError::Unavailable => f.write_str("no asymmetric cryptography is loaded"),
        }
    }
}

impl std::error::Error for ImportMaterialError {}

/// The fields of a well-formed blob, borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedBlob<'a> {
    /// The ARN of the key that encrypted the blob.
    pub key_arn: &'a str,
    /// The backing-key version that encrypted it.
    pub key_version: u32,
    /// Magic, format version, key ARN and backing-key version: the authenticated header.
    pub header: &'a [u8],
    /// The GCM nonce.
    pub nonce: &'a [u8],
    /// The encrypted plaintext.
    pub body: &'a [u8],
    /// The GCM tag.
    pub tag: &'a [u8],
}

/// Reads a blob's structure (nothing is authenticated yet: use [`KeyRing::decrypt`] for that).
/// Any structural problem is reported as the same opaque [`InvalidCiphertext`].
pub fn parse(blob: &[u8]) -> Result<ParsedBlob<'_>, InvalidCiphertext> {
    walk(blob, &mut |_, _| {}).map_err(|_| InvalidCiphertext)
}

/// A named part of a blob, for the inspector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BlobField {
    /// The magic bytes `KPG`.
    Magic,
    /// The format version byte.
    FormatVersion,
    /// The two-byte length of the key ARN.
    KeyArnLength,
    /// The key ARN.
    KeyArn,
    /// The backing-key version.
    KeyVersion,
    /// The GCM nonce.
    Nonce,
    /// The encrypted plaintext.
    Body,
    /// The GCM authentication tag.
    Tag,
}

impl BlobField {
    /// A short label for the inspector.
    pub fn label(self) -> &'static str {
        match self {
            BlobField::Magic => "magic",
            BlobField::FormatVersion => "format version",
            BlobField::KeyArnLength => "key ARN length",
            BlobField::KeyArn => "key ARN",
            BlobField::KeyVersion => "backing-key version",
            BlobField::Nonce => "nonce",
            BlobField::Body => "encrypted data",
            BlobField::Tag => "authentication tag",
        }
    }

    /// What the field is for, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            BlobField::Magic => {
                "marks a KMS Playground ciphertext blob (the playground's own format)"
            }
            BlobField::FormatVersion => "the layout version of this blob",
            BlobField::KeyArnLength => "how many bytes of key ARN follow",
            BlobField::KeyArn => "which KMS key encrypted this, so Decrypt needs no KeyId",
            BlobField::KeyVersion => {
                "which backing key of that KMS key was current (1 + the number of rotations)"
            }
            BlobField::Nonce => "96 random bits, unique per encryption",
            BlobField::Body => {
                "the plaintext encrypted with AES-256-GCM, same length as the plaintext"
            }
            BlobField::Tag => {
                "authenticates the header, the encryption context and the encrypted data"
            }
        }
    }
}

/// One part of an inspected blob: `start..end` are byte offsets into the blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BlobPart {
    /// Which field.
    pub field: BlobField,
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

/// What is structurally wrong with a blob, as the inspector reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BlobProblem {
    /// The blob ends before this field is complete.
    Truncated(BlobField),
    /// The first three bytes are not `KPG`: not a KMS Playground blob.
    BadMagic,
    /// A format version this playground does not know.
    UnknownFormatVersion(u8),
    /// The key ARN bytes are not UTF-8.
    KeyArnNotUtf8,
}

impl fmt::Display for BlobProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobProblem::Truncated(field) => {
                write!(f, "the blob ends inside the {}", field.label())
            }
            BlobProblem::BadMagic => f.write_str("not a KMS Playground ciphertext blob"),
            BlobProblem::UnknownFormatVersion(v) => write!(f, "unknown blob format version {v}"),
            BlobProblem::KeyArnNotUtf8 => f.write_str("the key ARN is not valid UTF-8"),
        }
    }
}

/// The inspector's view of a blob: the parts it could read, and the first problem if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlobInspection {
    /// Total length in bytes.
    pub length: usize,
    /// The parts read, in order.
    pub parts: Vec<BlobPart>,
    /// The key ARN, when it could be read.
    pub key_arn: Option<String>,
    /// The backing-key version, when it could be read.
    pub key_version: Option<u32>,
    /// The first structural problem; `None` for a well-formed blob (which may still fail to
    /// decrypt: only decryption checks the tag).
    pub problem: Option<BlobProblem>,
}

/// Splits a blob into its parts with their byte ranges. Never panics, whatever the input.
pub fn inspect(blob: &[u8]) -> BlobInspection {
    let mut parts = Vec::new();
    let result = walk(blob, &mut |field, range| {
        parts.push(BlobPart {
            field,
            start: range.start,
            end: range.end,
        });
    });
    let key_arn = parts
        .iter()
        .find(|p| p.field == BlobField::KeyArn)
        .and_then(|p| blob.get(p.start..p.end))
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::to_owned);
    let key_version = parts
        .iter()
        .find(|p| p.field == BlobField::KeyVersion)
        .and_then(|p| blob.get(p.start..p.end))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes);
    BlobInspection {
        length: blob.len(),
        parts,
        key_arn,
        key_version,
        problem: result.err(),
    }
}

/// Reads fields front to back, reporting each complete field's range to `seen`.
fn walk<'a>(
    blob: &'a [u8],
    seen: &mut dyn FnMut(BlobField, Range<usize>),
) -> Result<ParsedBlob<'a>, BlobProblem> {
    let mut cursor = Cursor { blob, at: 0, seen };
    let magic = cursor.take(BlobField::Magic, MAGIC.len())?;
    if magic != MAGIC {
        return Err(BlobProblem::BadMagic);
    }
    let format = cursor.take(BlobField::FormatVersion, 1)?;
    if format != [FORMAT_VERSION] {
        return Err(BlobProblem::UnknownFormatVersion(
            format.first().copied().unwrap_or_default(),
        ));
    }
    let arn_len = cursor.take(BlobField::KeyArnLength, 2)?;
    let arn_len = <[u8; 2]>::try_from(arn_len).map_or(0, u16::from_be_bytes);
    let arn = cursor.take(BlobField::KeyArn, usize::from(arn_len))?;
    let key_arn = std::str::from_utf8(arn).map_err(|_| BlobProblem::KeyArnNotUtf8)?;
    let version = cursor.take(BlobField::KeyVersion, 4)?;
    let key_version = <[u8; 4]>::try_from(version).map_or(0, u32::from_be_bytes);
    let header = blob.get(..cursor.at).unwrap_or_default();
    let nonce = cursor.take(BlobField::Nonce, NONCE_LEN)?;
    let body_len = blob
        .len()
        .checked_sub(cursor.at + TAG_LEN)
        .ok_or(BlobProblem::Truncated(BlobField::Tag))?;
    let body = cursor.take(BlobField::Body, body_len)?;
    let tag = cursor.take(BlobField::Tag, TAG_LEN)?;
    Ok(ParsedBlob {
        key_arn,
        key_version,
        header,
        nonce,
        body,
        tag,
    })
}

struct Cursor<'a, 'f> {
    blob: &'a [u8],
    at: usize,
    seen: &'f mut dyn FnMut(BlobField, Range<usize>),
}

impl<'a> Cursor<'a, '_> {
    fn take(&mut self, field: BlobField, len: usize) -> Result<&'a [u8], BlobProblem> {
        let range = self.at..self.at.saturating_add(len);
        let bytes = self
            .blob
            .get(range.clone())
            .ok_or(BlobProblem::Truncated(field))?;
        self.at = range.end;
        (self.seen)(field, range);
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reason the crypto layer gives is a `std::error::Error` whose message says what went
    /// wrong, so callers can report it or wrap it.
    #[test]
    fn crypto_errors_are_std_errors_that_say_what_went_wrong() {
        fn message<E: std::error::Error>(error: E) -> String {
            error.to_string()
        }
        assert_eq!(
            message(SignError::DigestLength(48)),
            "the digest must be 48 bytes"
        );
        assert_eq!(
            message(AgreementError::InvalidPublicKey),
            "the public key is not a DER SubjectPublicKeyInfo on the key's curve"
        );
        assert_eq!(
            message(MacError::NoKeyMaterial),
            "the key has no key material"
        );
        assert_eq!(
            message(DataKeyPairError::NotAKeyPairSpec),
            "no data key pair has that spec"
        );
        assert_eq!(
            message(WrappingKeyError::UnknownSpec),
            "no RSA wrapping key has that spec"
        );
        assert_eq!(
            message(EncryptError::Unavailable),
            "no asymmetric cryptography is loaded"
        );
    }
    use crate::entropy::SeededRandomness;
    use aes_gcm::aead::Aead;
    use aes_gcm::aead::Payload;
    use proptest::prelude::*;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const OTHER_ARN: &str =
        "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn context(pairs: &[(&str, &str)]) -> EncryptionContext {
        pairs.iter().copied().collect()
    }

    /// API Reference, GetParametersForImport, WrappingKeySpec: RSA_2048, RSA_3072, RSA_4096 make
    /// a wrapping key (when a backend is available); any other name none. Its private key is
    /// never printed.
    #[test]
    fn wrapping_keys_come_from_the_rsa_wrapping_key_specs_and_print_no_key() {
        let mut rng = SeededRandomness::new(4);
        assert_eq!(
            WrappingKey::generate("SM2", &mut rng).map(|_| ()),
            Err(WrappingKeyError::UnknownSpec)
        );
        assert_eq!(
            WrappingKey::generate("RSA_1024", &mut rng).map(|_| ()),
            Err(WrappingKeyError::UnknownSpec)
        );
        let made = WrappingKey::generate("RSA_2048", &mut rng);
        if backend::available() {
            let key = made.unwrap();
            assert_eq!(format!("{key:?}"), "WrappingKey(<redacted>)");
            assert!(key.public_key().len() > 256);
            assert_eq!(key.unwrap("RSAES_OAEP_SHA_256", &[0; 256]), None);
            assert_eq!(key.unwrap("RSAES_PKCS1_V1_5", &[0; 256]), None);
        } else {
            assert_eq!(made.map(|_| ()), Err(WrappingKeyError::Unavailable));
        }
    }

    /// NIST CAVP GCM test vectors, `gcmEncryptExtIV256.rsp` (AES-256, 96-bit IV, 128-bit tag):
    /// <https://csrc.nist.gov/Projects/cryptographic-algorithm-validation-program/CAVP-TESTING-BLOCK-CIPHER-MODES>
    /// (key, iv, plaintext, aad, ciphertext, tag).
    const NIST_AES256_GCM: &[[&str; 6]] = &[
        [
            "b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4",
            "516c33929df5a3284ff463d7",
            "",
            "",
            "",
            "bdc1ac884d332457a1d2664f168c76f0",
        ],
        [
            "92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b",
            "ac93a1a6145299bde902f21a",
            "2d71bcfa914e4ac045b2aa60955fad24",
            "1e0889016f67601c8ebea4943bc23ad6",
            "8995ae2e6df3dbf96fac7b7137bae67f",
            "eca5aa77d51d4a0a14d9c51e1da474ab",
        ],
        [
            "1afc68b32596198ae0f3a8612751c2413322e8054ff2ac6bede3d4a1ee20ee62",
            "356860e76e794492de6a68f3",
            "293041038f9e8edee23d2f18bce87b522380f1fa18b3021830a54ab891da8548095228ed9860176152e27945d66254f0db8590",
            "205e44009e0ef963838aff615b35c9f1271d487cf719677d956718bce8ab676cceb636ad381432c5c790c26b07051b661a2fec4e607f9644f84993c8335db21ae36b6008bab2883ad7541809bf5f49272295c1c1f1cf8c678553",
            "e06109680d5fefd345665ec9a5b2e7bf3ece3af1b62841a95c453e7753b5a1d6d8a10b3c6c42df1f23832b74e74871821f1c0b",
            "953d8d04f70e2af055ac902a455235b2",
        ],
    ];

    #[test]
    fn the_primitive_matches_nist_aes_256_gcm_vectors() {
        for [key, iv, pt, aad, ct, tag] in NIST_AES256_GCM {
            let material = KeyMaterial::from_slice(&hex(key), KEY_LEN).unwrap();
            let cipher = material.cipher().unwrap();
            let nonce = Array::try_from(hex(iv).as_slice()).unwrap();
            let sealed = cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: &hex(pt),
                        aad: &hex(aad),
                    },
                )
                .unwrap();
            let expected = [hex(ct), hex(tag)].concat();
            assert_eq!(sealed, expected, "vector with key {key}");
            let opened = cipher
                .decrypt(
                    &nonce,
                    Payload {
                        msg: &expected,
                        aad: &hex(aad),
                    },
                )
                .unwrap();
            assert_eq!(opened, hex(pt));
        }
    }

    #[test]
    fn round_trip_with_and_without_context() {
        let mut rng = SeededRandomness::new(1);
        let ring = KeyRing::generate(&mut rng).unwrap();
        for ctx in [
            EncryptionContext::new(),
            context(&[("dept", "eng"), ("app", "x")]),
        ] {
            let blob = ring.encrypt(ARN, &ctx, b"hello world", &mut rng).unwrap();
            assert_eq!(ring.decrypt(ARN, &ctx, &blob).unwrap(), b"hello world");
            assert_eq!(blob.len(), 10 + ARN.len() + NONCE_LEN + 11 + TAG_LEN);
        }
    }

    #[test]
    fn two_encryptions_of_the_same_plaintext_differ_by_nonce() {
        let mut rng = SeededRandomness::new(2);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let ctx = EncryptionContext::new();
        let a = ring.encrypt(ARN, &ctx, b"same", &mut rng).unwrap();
        let b = ring.encrypt(ARN, &ctx, b"same", &mut rng).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn every_single_byte_flip_is_rejected() {
        let mut rng = SeededRandomness::new(3);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let ctx = context(&[("purpose", "test")]);
        let blob = ring
            .encrypt(ARN, &ctx, b"attack at dawn", &mut rng)
            .unwrap();
        for i in 0..blob.len() {
            for bit in 0..8 {
                let mut tampered = blob.clone();
                tampered[i] ^= 1 << bit;
                assert_eq!(
                    ring.decrypt(ARN, &ctx, &tampered),
                    Err(InvalidCiphertext),
                    "byte {i} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn truncated_and_extended_blobs_are_rejected() {
        let mut rng = SeededRandomness::new(4);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let ctx = EncryptionContext::new();
        let blob = ring.encrypt(ARN, &ctx, b"abc", &mut rng).unwrap();
        for len in 0..blob.len() {
            assert_eq!(
                ring.decrypt(ARN, &ctx, &blob[..len]),
                Err(InvalidCiphertext)
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(ring.decrypt(ARN, &ctx, &longer), Err(InvalidCiphertext));
    }

    /// KMS Developer Guide, concepts.html#encrypt_context: decryption needs the exact,
    /// case-sensitive context; only pair order may differ.
    #[test]
    fn a_different_encryption_context_is_rejected() {
        let mut rng = SeededRandomness::new(5);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let ctx = context(&[("dept", "eng"), ("app", "payroll")]);
        let blob = ring.encrypt(ARN, &ctx, b"salary", &mut rng).unwrap();
        let reordered = context(&[("app", "payroll"), ("dept", "eng")]);
        assert_eq!(ring.decrypt(ARN, &reordered, &blob).unwrap(), b"salary");
        for wrong in [
            EncryptionContext::new(),
            context(&[("dept", "eng")]),
            context(&[("dept", "Eng"), ("app", "payroll")]),
            context(&[("Dept", "eng"), ("app", "payroll")]),
            context(&[("dept", "eng"), ("app", "payroll"), ("x", "y")]),
        ] {
            assert_eq!(ring.decrypt(ARN, &wrong, &blob), Err(InvalidCiphertext));
        }
    }

    #[test]
    fn context_encoding_is_unambiguous() {
        let a = context(&[("ab", "c")]);
        let b = context(&[("a", "bc")]);
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
        let c = context(&[("a", "b"), ("c", "d")]);
        let d = context(&[("a", "b\0\0\0\u{1}c\0\0\0\u{1}d")]);
        assert_ne!(c.canonical_bytes(), d.canonical_bytes());

        let mut rng = SeededRandomness::new(6);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let blob = ring.encrypt(ARN, &a, b"x", &mut rng).unwrap();
        assert_eq!(ring.decrypt(ARN, &b, &blob), Err(InvalidCiphertext));
    }

    #[test]
    fn another_keys_blob_is_rejected_with_the_same_error() {
        let mut rng = SeededRandomness::new(7);
        let ring = KeyRing::generate(&mut rng).unwrap();
        let other = KeyRing::generate(&mut rng).unwrap();
        let ctx = EncryptionContext::new();
        let blob = other.encrypt(OTHER_ARN, &ctx, b"x", &mut rng).unwrap();
        assert_eq!(ring.decrypt(ARN, &ctx, &blob), Err(InvalidCiphertext));
        // The right ARN claimed with the wrong material fails the tag instead: same error.
        assert_eq!(ring.decrypt(OTHER_ARN, &ctx, &blob), Err(InvalidCiphertext));
        // The wrong ARN with the right material fails the ARN check: same error.
        assert_eq!(other.decrypt(ARN, &ctx, &blob), Err(InvalidCiphertext));
    }

    /// KMS Developer Guide, rotate-keys.html: rotation keeps every earlier backing key, so old
    /// ciphertexts still decrypt; new ones use the new backing key.
    #[test]
    fn rotation_keeps_old_ciphertexts_decryptable() {
        let mut rng = SeededRandomness::new(8);
        let mut ring = KeyRing::generate(&mut rng).unwrap();
        let ctx = EncryptionContext::new();
        let old = ring.encrypt(ARN, &ctx, b"before", &mut rng).unwrap();
        assert_eq!(inspect(&old).key_version, Some(1));
        assert_eq!(ring.rotate(&mut rng).unwrap(), Some(2));
        let new = ring.encrypt(ARN, &ctx, b"after", &mut rng).unwrap();
        assert_eq!(inspect(&new).key_version, Some(2));
        assert_eq!(ring.decrypt(ARN, &ctx, &old).unwrap(), b"before");
        assert_eq!(ring.decrypt(ARN, &ctx, &new).unwrap(), b"after");

        // A blob naming a version the ring lacks (here: made after a rotation this copy missed).
        let mut newer = ring.clone();
        newer.rotate(&mut rng).unwrap();
        let from_the_future = newer.encrypt(ARN, &ctx, b"v3", &mut rng).unwrap();
        assert_eq!(
            ring.decrypt(ARN, &ctx, &from_the_future),
            Err(InvalidCiphertext)
        );
    }

    #[test]
    fn a_ring_without_material_cannot_encrypt_and_accepts_one_import() {
        let mut rng = SeededRandomness::new(9);
        let mut ring = KeyRing::without_material(KeySpec::SymmetricDefault);
        assert_eq!(ring.current_version(), 0);
        assert_eq!(
            ring.encrypt(ARN, &EncryptionContext::new(), b"x", &mut rng),
            Err(EncryptError::NoKeyMaterial)
        );
        assert_eq!(ring.rotate(&mut rng).unwrap(), None);
        assert_eq!(
            ring.import_material(&[7; 31]),
            Err(ImportMaterialError::WrongLength {
                needed: 32,
                given: 31
            })
        );
        ring.import_material(&[7; 32]).unwrap();
        assert_eq!(
            ring.import_material(&[7; 32]),
            Err(ImportMaterialError::AlreadyHasMaterial)
        );
        let blob = ring
            .encrypt(ARN, &EncryptionContext::new(), b"x", &mut rng)
            .unwrap();
        assert_eq!(
            ring.decrypt(ARN, &EncryptionContext::new(), &blob).unwrap(),
            b"x"
        );
    }

    #[test]
    fn an_hmac_ring_without_material_imports_its_key_length_and_macs_with_it() {
        // The imported bytes are the HMAC key (RFC 2104): the ring's MAC equals the `hmac`
        // crate's over the same key and message.
        let mut ring = KeyRing::without_material(KeySpec::Hmac384);
        assert_eq!(
            ring.mac(MacAlgorithm::HmacSha384, b"m"),
            Err(MacError::NoKeyMaterial)
        );
        assert_eq!(
            ring.import_material(&[1; 32]),
            Err(ImportMaterialError::WrongLength {
                needed: 48,
                given: 32
            })
        );
        let key = [0x0b; 48];
        ring.import_material(&key).unwrap();
        let mut expected = <Hmac<Sha384> as KeyInit>::new_from_slice(&key).unwrap();
        Mac::update(&mut expected, b"Hi There");
        assert_eq!(
            ring.mac(MacAlgorithm::HmacSha384, b"Hi There").unwrap(),
            expected.finalize().into_bytes().to_vec()
        );
        let mut asymmetric = KeyRing::without_material(KeySpec::EccNistP256);
        assert_eq!(
            asymmetric.import_material(&[]),
            Err(ImportMaterialError::NotAPrivateKey)
        );
        assert_eq!(
            private_key_material(KeySpec::Hmac256, &[1; 32]).map(|_| ()),
            Err(ImportMaterialError::NotAPrivateKey)
        );
    }

    #[test]
    fn debug_output_never_shows_key_bytes() {
        let mut ring = KeyRing::without_material(KeySpec::SymmetricDefault);
        ring.import_material(&[0xAB; 32]).unwrap();
        let shown = format!("{ring:?} {:?}", ring.versions);
        assert!(!shown.contains("171"), "{shown}");
        assert!(!shown.to_lowercase().contains("ab, "), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn inspect_names_every_part_with_its_byte_range() {
        let mut rng = SeededRandomness::new(10);
        let mut ring = KeyRing::generate(&mut rng).unwrap();
        ring.rotate(&mut rng).unwrap();
        let blob = ring
            .encrypt(ARN, &EncryptionContext::new(), b"12345", &mut rng)
            .unwrap();
        let seen = inspect(&blob);
        let n = ARN.len();
        let expected = [
            (BlobField::Magic, 0, 3),
            (BlobField::FormatVersion, 3, 4),
            (BlobField::KeyArnLength, 4, 6),
            (BlobField::KeyArn, 6, 6 + n),
            (BlobField::KeyVersion, 6 + n, 10 + n),
            (BlobField::Nonce, 10 + n, 22 + n),
            (BlobField::Body, 22 + n, 27 + n),
            (BlobField::Tag, 27 + n, 43 + n),
        ];
        let got: Vec<_> = seen
            .parts
            .iter()
            .map(|p| (p.field, p.start, p.end))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(seen.key_arn.as_deref(), Some(ARN));
        assert_eq!(seen.key_version, Some(2));
        assert_eq!(seen.problem, None);
        assert_eq!(seen.length, blob.len());
    }

    #[test]
    fn inspect_reports_the_first_structural_problem() {
        assert_eq!(
            inspect(b"").problem,
            Some(BlobProblem::Truncated(BlobField::Magic))
        );
        assert_eq!(inspect(b"AQIDBAUG").problem, Some(BlobProblem::BadMagic));
        assert_eq!(
            inspect(b"KPG\x02").problem,
            Some(BlobProblem::UnknownFormatVersion(2))
        );
        let short = inspect(b"KPG\x01\x00\x05arn");
        assert_eq!(
            short.problem,
            Some(BlobProblem::Truncated(BlobField::KeyArn))
        );
        assert_eq!(short.parts.len(), 3);
        assert_eq!(
            inspect(b"KPG\x01\x00\x02\xff\xfe\0\0\0\x01").problem,
            Some(BlobProblem::KeyArnNotUtf8)
        );
        let no_tag = [b"KPG\x01\x00\x01a\0\0\0\x01".as_slice(), &[0; 12 + 15]].concat();
        assert_eq!(
            inspect(&no_tag).problem,
            Some(BlobProblem::Truncated(BlobField::Tag))
        );
    }

    /// RFC 4231, test cases 1 and 2: HMAC-SHA-224/256/384/512 (key, data, MAC per hash).
    #[test]
    fn the_mac_primitive_matches_rfc_4231_vectors() {
        let case1 = KeyMaterial(vec![0x0b; 20].into_boxed_slice());
        let expected = [
            (
                MacAlgorithm::HmacSha224,
                "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            ),
            (
                MacAlgorithm::HmacSha256,
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                MacAlgorithm::HmacSha384,
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            ),
            (
                MacAlgorithm::HmacSha512,
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            ),
        ];
        for (algorithm, mac) in expected {
            let MacOutcome::Mac(got) = case1.mac(algorithm, b"Hi There", None) else {
                panic!("no MAC");
            };
            assert_eq!(got, hex(mac), "{algorithm:?}");
            assert!(matches!(
                case1.mac(algorithm, b"Hi There", Some(&hex(mac))),
                MacOutcome::Verified(true)
            ));
        }
        let case2 = KeyMaterial(b"Jefe".to_vec().into_boxed_slice());
        let MacOutcome::Mac(got) = case2.mac(
            MacAlgorithm::HmacSha256,
            b"what do ya want for nothing?",
            None,
        ) else {
            panic!("no MAC");
        };
        assert_eq!(
            got,
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }

    /// API GenerateMac and VerifyMac: an HMAC key computes with its spec's algorithm only, and
    /// a changed message or MAC does not verify; an HMAC key's ring does not encrypt.
    #[test]
    fn an_hmac_ring_macs_with_its_own_algorithm_only() {
        let mut rng = SeededRandomness::new(12);
        for row in crate::catalog::KEY_SPECS
            .iter()
            .filter(|r| !r.mac_algorithms.is_empty())
        {
            let ring = KeyRing::generate_for(row.spec, &mut rng).unwrap();
            let algorithm = row.mac_algorithms[0];
            let mac = ring.mac(algorithm, b"message").unwrap();
            assert!(ring.verify_mac(algorithm, b"message", &mac).unwrap());
            assert!(!ring.verify_mac(algorithm, b"messagf", &mac).unwrap());
            let mut flipped = mac.clone();
            flipped[0] ^= 1;
            assert!(!ring.verify_mac(algorithm, b"message", &flipped).unwrap());
            assert!(!ring.verify_mac(algorithm, b"message", &mac[1..]).unwrap());
            for other in MacAlgorithm::ALL.into_iter().filter(|a| *a != algorithm) {
                assert_eq!(ring.mac(other, b"message"), Err(MacError::WrongAlgorithm));
            }
            assert_eq!(
                ring.encrypt(ARN, &EncryptionContext::new(), b"x", &mut rng),
                Err(EncryptError::NotAnEncryptionKey)
            );
        }
        let symmetric = KeyRing::generate(&mut rng).unwrap();
        assert_eq!(
            symmetric.mac(MacAlgorithm::HmacSha256, b"m"),
            Err(MacError::WrongAlgorithm)
        );
    }

    proptest! {
        #[test]
        fn inspect_and_parse_never_panic_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let seen = inspect(&bytes);
            prop_assert_eq!(seen.problem.is_none(), parse(&bytes).is_ok());
            for part in &seen.parts {
                prop_assert!(part.start <= part.end && part.end <= bytes.len());
            }
        }

        #[test]
        fn garbage_with_a_valid_header_still_fails_to_decrypt(tail in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut rng = SeededRandomness::new(11);
            let ring = KeyRing::generate(&mut rng).unwrap();
            let mut blob = b"KPG\x01".to_vec();
            blob.extend_from_slice(&u16::try_from(ARN.len()).unwrap().to_be_bytes());
            blob.extend_from_slice(ARN.as_bytes());
            blob.extend_from_slice(&1u32.to_be_bytes());
            blob.extend_from_slice(&tail);
            prop_assert_eq!(ring.decrypt(ARN, &EncryptionContext::new(), &blob), Err(InvalidCiphertext));
        }

        #[test]
        fn round_trip_for_any_plaintext_and_context(
            plaintext in proptest::collection::vec(any::<u8>(), 1..300),
            pairs in proptest::collection::btree_map(".{0,8}", ".{0,8}", 0..4),
            seed in any::<u64>(),
        ) {
            let mut rng = SeededRandomness::new(seed);
            let ring = KeyRing::generate(&mut rng).unwrap();
            let ctx: EncryptionContext = pairs.into_iter().collect();
            let blob = ring.encrypt(ARN, &ctx, &plaintext, &mut rng).unwrap();
            prop_assert_eq!(ring.decrypt(ARN, &ctx, &blob).unwrap(), plaintext);
        }

        /// A two-letter alphabet makes distinct contexts whose keys and values run together
        /// (`{"ab": "b"}` and `{"a": "bb"}`) common, which any-character strings almost never are.
        #[test]
        fn distinct_contexts_have_distinct_encodings(
            a in proptest::collection::btree_map("[ab]{0,2}", "[ab]{0,2}", 0..3),
            b in proptest::collection::btree_map("[ab]{0,2}", "[ab]{0,2}", 0..3),
        ) {
            let (ca, cb): (EncryptionContext, EncryptionContext) =
                (a.clone().into_iter().collect(), b.clone().into_iter().collect());
            prop_assert_eq!(a == b, ca.canonical_bytes() == cb.canonical_bytes());
        }
    }
}
