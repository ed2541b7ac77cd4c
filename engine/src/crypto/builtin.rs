//! The compiled-in [`AsymmetricBackend`] (feature `asymmetric`): each [`Primitive`] read from its
//! arguments and run with RustCrypto's `rsa` ([`super::rsa_keys`]) and elliptic-curve crates
//! ([`super::asymmetric`]).

use super::backend::{AsymmetricBackend, Primitive};
use super::{asymmetric, rsa_keys};
use crate::catalog::KeySpec;

/// The backend of a build with the `asymmetric` feature.
pub(super) struct Builtin;

fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn spec(bytes: &[u8]) -> Option<KeySpec> {
    KeySpec::from_name(text(bytes)?)
}

fn seed(bytes: &[u8]) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).ok()
}

/// The answer of a primitive that only says yes: no fields.
fn yes(valid: bool) -> Option<Vec<Vec<u8>>> {
    valid.then(Vec::new)
}

impl AsymmetricBackend for Builtin {
    fn run(&self, primitive: Primitive, args: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
        match (primitive, args) {
            (Primitive::RsaKeyPair, [bits, seed_bytes]) => {
                let bits = u32::from_be_bytes(<[u8; 4]>::try_from(*bits).ok()?);
                // The moduli of the RSA key specs and wrapping key specs, nothing else: a call
                // from a page's script with a huge size must not hang the module.
                if ![2048, 3072, 4096].contains(&bits) {
                    return None;
                }
                let pair = rsa_keys::key_pair(usize::try_from(bits).ok()?, seed(seed_bytes)?)?;
                Some(vec![pair.pkcs1.to_vec(), pair.pkcs8.to_vec(), pair.public])
            }
            (Primitive::RsaEncrypt, [key, algorithm, plaintext, seed_bytes]) => {
                Some(vec![rsa_keys::encrypt(
                    key,
                    text(algorithm)?,
                    plaintext,
                    seed(seed_bytes)?,
                )?])
            }
            (Primitive::RsaDecrypt, [key, algorithm, ciphertext]) => {
                Some(vec![rsa_keys::decrypt(key, text(algorithm)?, ciphertext)?])
            }
            (Primitive::RsaSign, [key, algorithm, digest, seed_bytes]) => {
                Some(vec![rsa_keys::sign(
                    key,
                    text(algorithm)?,
                    digest,
                    seed(seed_bytes)?,
                )?])
            }
            (Primitive::RsaVerify, [key, algorithm, digest, signature]) => {
                yes(rsa_keys::verify(key, text(algorithm)?, digest, signature))
            }
            (Primitive::RsaUnwrap, [key, algorithm, blob]) => Some(vec![
                rsa_keys::unwrap_key_material(key, text(algorithm)?, blob)?.to_vec(),
            ]),
            (Primitive::EcKeyPair, [spec_name, secret]) => {
                let (private, public) = asymmetric::key_pair_der(spec(spec_name)?, secret)?;
                Some(vec![private.to_vec(), public])
            }
            (Primitive::EcSign, [spec_name, secret, digest]) => {
                Some(vec![asymmetric::sign(spec(spec_name)?, secret, digest)?])
            }
            (Primitive::EcVerify, [spec_name, secret, digest, signature]) => yes(
                asymmetric::verify(spec(spec_name)?, secret, digest, signature),
            ),
            (Primitive::EcSharedSecret, [spec_name, secret, peer]) => Some(vec![
                asymmetric::shared_secret(spec(spec_name)?, secret, peer)?.to_vec(),
            ]),
            (Primitive::ImportPrivateKey, [spec_name, pkcs8]) => {
                let spec = spec(spec_name)?;
                let material = if super::is_rsa(spec) {
                    rsa_keys::from_pkcs8(pkcs8, super::modulus_bits(spec))?
                } else {
                    asymmetric::scalar_from_pkcs8(spec, pkcs8)?
                };
                Some(vec![material.to_vec()])
            }
            (Primitive::RsaPublicKey, [key]) => Some(vec![rsa_keys::public_key(key)?]),
            _ => None,
        }
    }
}
