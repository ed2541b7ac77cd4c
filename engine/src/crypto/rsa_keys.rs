//! RSA for the RSA key specs (feature `asymmetric`): the key material is the private key, PKCS #1
//! DER; Encrypt and Decrypt use RSAES-OAEP with SHA-1 or SHA-256 (the hash and MGF1 the same,
//! no label), Sign and Verify RSASSA-PSS (salt as long as the hash) or RSASSA-PKCS1-v1_5 over a
//! digest the caller computed; public keys are DER `SubjectPublicKeyInfo` (KMS Developer Guide,
//! asymmetric-key-specs.html, "RSA key specs"; API Reference, Encrypt, Sign, GetPublicKey).
//!
//! Randomness comes in as 32-byte seeds the engine drew from its own [`Randomness`]
//! (`Randomness::fill` for a key that a seeded session makes again, `fill_fresh` for padding and
//! data keys); each drives a ChaCha20 keystream, the infallible generator the `rsa` crate asks
//! for.
//!
//! [`Randomness`]: crate::entropy::Randomness

use std::convert::Infallible;

use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::sha2::{Sha256, Sha384, Sha512};
use rsa::{Oaep, Pkcs1v15Sign, Pss, RsaPrivateKey};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::entropy::{Randomness as _, SeededRandomness};

/// The ChaCha20 keystream of a seed.
struct Stream(SeededRandomness);

impl Stream {
    fn new(seed: [u8; 32]) -> Stream {
        Stream(SeededRandomness::from_key(seed))
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        // The keystream ends after 256 GiB, far beyond what one key generation or padding
        // draws; past it the bytes would stay zero rather than panic.
        let _ = self.0.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for Stream {}

/// An RSA key pair in the forms the backend hands out.
pub(super) struct RsaKeyPair {
    /// The private key as PKCS #1 DER: the form a KMS key keeps and a wrapping key unwraps with.
    pub(super) pkcs1: Zeroizing<Vec<u8>>,
    /// The private key as PKCS #8 DER: a data key pair's `PrivateKeyPlaintext`, "a DER-encoded
    /// PKCS8 PrivateKeyInfo" (API Reference, GenerateDataKeyPair).
    pub(super) pkcs8: Zeroizing<Vec<u8>>,
    /// The public key, DER `SubjectPublicKeyInfo`.
    pub(super) public: Vec<u8>,
}

/// The RSA key pair of `bits` bits that `seed` makes (always the same one); `None` when the
/// `rsa` crate could not make or encode one.
pub(super) fn key_pair(bits: usize, seed: [u8; 32]) -> Option<RsaKeyPair> {
    let key = RsaPrivateKey::new(&mut Stream::new(seed), bits).ok()?;
    Some(RsaKeyPair {
        pkcs1: Zeroizing::new(key.to_pkcs1_der().ok()?.as_bytes().to_vec()),
        pkcs8: Zeroizing::new(key.to_pkcs8_der().ok()?.as_bytes().to_vec()),
        public: key
            .to_public_key()
            .to_public_key_der()
            .ok()?
            .as_bytes()
            .to_vec(),
    })
}

/// The PKCS #1 DER of the RSA private key `pkcs8` (PKCS #8 DER, as `openssl genpkey` writes
/// it) when its modulus is `bits` long; `None` for anything else.
pub(super) fn from_pkcs8(pkcs8: &[u8], bits: usize) -> Option<Zeroizing<Vec<u8>>> {
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::traits::PublicKeyParts as _;
    let key = RsaPrivateKey::from_pkcs8_der(pkcs8).ok()?;
    key.validate().ok()?;
    if key.size() * 8 != bits {
        return None;
    }
    Some(Zeroizing::new(key.to_pkcs1_der().ok()?.as_bytes().to_vec()))
}

/// The public key of the private key `der` (PKCS #1), DER `SubjectPublicKeyInfo`.
pub(super) fn public_key(der: &[u8]) -> Option<Vec<u8>> {
    let public = private_key(der)?.to_public_key();
    Some(public.to_public_key_der().ok()?.as_bytes().to_vec())
}

fn private_key(der: &[u8]) -> Option<RsaPrivateKey> {
    RsaPrivateKey::from_pkcs1_der(der).ok()
}

/// RSAES-OAEP encryption of `plaintext` with `algorithm` under the public half of `der`, the
/// padding drawn from `seed`; `None` when the algorithm, the key or the length does not fit.
pub(super) fn encrypt(
    der: &[u8],
    algorithm: &str,
    plaintext: &[u8],
    seed: [u8; 32],
) -> Option<Vec<u8>> {
    let public = private_key(der)?.to_public_key();
    let mut stream = Stream::new(seed);
    match algorithm {
        "RSAES_OAEP_SHA_1" => public.encrypt(&mut stream, Oaep::<Sha1>::new(), plaintext),
        "RSAES_OAEP_SHA_256" => public.encrypt(&mut stream, Oaep::<Sha256>::new(), plaintext),
        _ => return None,
    }
    .ok()
}

/// RSAES-OAEP decryption of `ciphertext` with `algorithm`; `None` for any failure.
pub(super) fn decrypt(der: &[u8], algorithm: &str, ciphertext: &[u8]) -> Option<Vec<u8>> {
    let key = private_key(der)?;
    match algorithm {
        "RSAES_OAEP_SHA_1" => key.decrypt(Oaep::<Sha1>::new(), ciphertext).ok(),
        "RSAES_OAEP_SHA_256" => key.decrypt(Oaep::<Sha256>::new(), ciphertext).ok(),
        _ => None,
    }
}

/// The signature of `digest` (already the algorithm's hash) with `algorithm`; RSASSA-PSS salts
/// come from `seed`.
pub(super) fn sign(der: &[u8], algorithm: &str, digest: &[u8], seed: [u8; 32]) -> Option<Vec<u8>> {
    let key = private_key(der)?;
    let mut stream = Stream::new(seed);
    match algorithm {
        "RSASSA_PSS_SHA_256" => key.sign_with_rng(&mut stream, Pss::<Sha256>::new(), digest),
        "RSASSA_PSS_SHA_384" => key.sign_with_rng(&mut stream, Pss::<Sha384>::new(), digest),
        "RSASSA_PSS_SHA_512" => key.sign_with_rng(&mut stream, Pss::<Sha512>::new(), digest),
        "RSASSA_PKCS1_V1_5_SHA_256" => key.sign(Pkcs1v15Sign::new::<Sha256>(), digest),
        "RSASSA_PKCS1_V1_5_SHA_384" => key.sign(Pkcs1v15Sign::new::<Sha384>(), digest),
        "RSASSA_PKCS1_V1_5_SHA_512" => key.sign(Pkcs1v15Sign::new::<Sha512>(), digest),
        _ => return None,
    }
    .ok()
}

/// Whether `signature` signs `digest` with `algorithm` under the public half of `der`.
pub(super) fn verify(der: &[u8], algorithm: &str, digest: &[u8], signature: &[u8]) -> bool {
    let Some(key) = private_key(der) else {
        return false;
    };
    let public = key.to_public_key();
    match algorithm {
        "RSASSA_PSS_SHA_256" => public.verify(Pss::<Sha256>::new(), digest, signature),
        "RSASSA_PSS_SHA_384" => public.verify(Pss::<Sha384>::new(), digest, signature),
        "RSASSA_PSS_SHA_512" => public.verify(Pss::<Sha512>::new(), digest, signature),
        "RSASSA_PKCS1_V1_5_SHA_256" => {
            public.verify(Pkcs1v15Sign::new::<Sha256>(), digest, signature)
        }
        "RSASSA_PKCS1_V1_5_SHA_384" => {
            public.verify(Pkcs1v15Sign::new::<Sha384>(), digest, signature)
        }
        "RSASSA_PKCS1_V1_5_SHA_512" => {
            public.verify(Pkcs1v15Sign::new::<Sha512>(), digest, signature)
        }
        _ => return false,
    }
    .is_ok()
}

/// The key material in `blob`, wrapped under the public half of `der` with `algorithm` (KMS
/// Developer Guide, importing-keys-encrypt-key-material.html): `RSAES_OAEP_SHA_1` and
/// `RSAES_OAEP_SHA_256` are RSAES-OAEP of the material itself (hash and MGF1 the same, no
/// label); `RSA_AES_KEY_WRAP_SHA_1` and `RSA_AES_KEY_WRAP_SHA_256` are a 256-bit AES key under
/// RSAES-OAEP (as long as the modulus) followed by the material under that AES key with AES key
/// wrap with padding (RFC 5649), as `openssl pkeyutl` and `openssl enc -id-aes256-wrap-pad`
/// write them. `None` for anything that does not unwrap.
pub(super) fn unwrap_key_material(
    der: &[u8],
    algorithm: &str,
    blob: &[u8],
) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    use aes_kw::KwpAes256;
    use aes_kw::cipher::KeyInit as _;
    use rsa::traits::PublicKeyParts as _;

    let key = private_key(der)?;
    let oaep = |hash_is_sha256: bool, ciphertext: &[u8]| {
        let plain = if hash_is_sha256 {
            key.decrypt(Oaep::<Sha256>::new(), ciphertext)
        } else {
            key.decrypt(Oaep::<Sha1>::new(), ciphertext)
        };
        plain.ok().map(zeroize::Zeroizing::new)
    };
    match algorithm {
        "RSAES_OAEP_SHA_1" => oaep(false, blob),
        "RSAES_OAEP_SHA_256" => oaep(true, blob),
        "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256" => {
            let (wrapped_key, wrapped_material) = blob.split_at_checked(key.size())?;
            let aes_key = oaep(algorithm.ends_with("_256"), wrapped_key)?;
            let kwp = KwpAes256::new_from_slice(&aes_key).ok()?;
            let mut out =
                zeroize::Zeroizing::new(vec![0u8; wrapped_material.len().checked_sub(8)?]);
            let len = kwp.unwrap_key(wrapped_material, &mut out).ok()?.len();
            out.truncate(len);
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test fixtures")]
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use sha2::Digest as _;

    /// One 2048-bit key for the module's tests (generating keys is the slow part).
    fn key() -> &'static [u8] {
        static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        KEY.get_or_init(|| key_pair(2048, [3; 32]).unwrap().pkcs1.to_vec())
    }

    #[test]
    fn a_seed_makes_the_same_key_pair_and_the_public_key_is_spki() {
        let RsaKeyPair {
            pkcs1,
            pkcs8,
            public: spki,
        } = key_pair(2048, [3; 32]).unwrap();
        assert_eq!(&pkcs1[..], key());
        let from_pkcs8 = <RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(&pkcs8);
        assert_eq!(from_pkcs8.unwrap(), private_key(key()).unwrap());
        let public = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::size(&public), 256);
        assert_ne!(key_pair(2048, [4; 32]).unwrap().pkcs1, pkcs1);
    }

    #[test]
    fn oaep_round_trips_and_refuses_the_other_hash_and_long_plaintext() {
        let mut seeds = (0u8..).map(|n| [n; 32]);
        let mut seed = move || seeds.next().unwrap();
        for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
            let blob = encrypt(key(), algorithm, b"attack at dawn", seed()).unwrap();
            assert_eq!(blob.len(), 256);
            assert_eq!(decrypt(key(), algorithm, &blob).unwrap(), b"attack at dawn");
        }
        let blob = encrypt(key(), "RSAES_OAEP_SHA_1", b"x", seed()).unwrap();
        assert_eq!(decrypt(key(), "RSAES_OAEP_SHA_256", &blob), None);
        assert_eq!(decrypt(key(), "RSAES_OAEP_SHA_1", b"short"), None);
        // RFC 8017, 7.1.1: at most k - 2hLen - 2 bytes.
        assert!(encrypt(key(), "RSAES_OAEP_SHA_256", &[7; 190], seed()).is_some());
        assert!(encrypt(key(), "RSAES_OAEP_SHA_256", &[7; 191], seed()).is_none());
    }

    #[test]
    fn pss_and_pkcs1_signatures_verify_only_for_their_digest_and_scheme() {
        let mut seeds = (0u8..).map(|n| [n; 32]);
        let mut seed = move || seeds.next().unwrap();
        let digest = sha2::Sha256::digest(b"message").to_vec();
        let other = sha2::Sha256::digest(b"massage").to_vec();
        for algorithm in ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"] {
            let signature = sign(key(), algorithm, &digest, seed()).unwrap();
            assert_eq!(signature.len(), 256);
            assert!(verify(key(), algorithm, &digest, &signature));
            assert!(!verify(key(), algorithm, &other, &signature));
            assert!(!verify(key(), algorithm, &digest, b"junk"));
        }
        let pss = sign(key(), "RSASSA_PSS_SHA_256", &digest, seed()).unwrap();
        assert!(!verify(key(), "RSASSA_PKCS1_V1_5_SHA_256", &digest, &pss));
        // PKCS #1 v1.5 is deterministic (RFC 8017, 8.2.1), PSS is salted (8.1.1).
        let a = sign(key(), "RSASSA_PKCS1_V1_5_SHA_256", &digest, seed()).unwrap();
        let b = sign(key(), "RSASSA_PKCS1_V1_5_SHA_256", &digest, seed()).unwrap();
        assert_eq!(a, b);
        let c = sign(key(), "RSASSA_PSS_SHA_256", &digest, seed()).unwrap();
        assert_ne!(pss, c);
    }
}
