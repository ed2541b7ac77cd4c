//! ECDSA and ECDH for the ECC key specs (feature `asymmetric`): the private scalar is the key
//! material; signatures are DER-encoded (`ECDSA-Sig-Value`, as KMS returns them) and made with
//! RFC 6979 deterministic nonces over a digest the caller computed; public keys are DER
//! `SubjectPublicKeyInfo` (API Reference, Sign and GetPublicKey); a shared secret is the raw
//! ECDH x-coordinate (API Reference, DeriveSharedSecret); a data key pair's private key is
//! PKCS#8 DER (API Reference, GenerateDataKeyPair).

use crate::catalog::KeySpec;

/// Runs `$body` with `$curve` bound to the curve crate of `$spec`, or gives `$none` for a spec
/// that is not an ECC one.
macro_rules! with_curve {
    ($spec:expr, $none:expr, |$curve:ident| $body:block) => {
        match $spec {
            KeySpec::EccNistP256 | KeySpec::EccNistP256Agreement => {
                use p256 as $curve;
                $body
            }
            KeySpec::EccNistP384 | KeySpec::EccNistP384Agreement => {
                use p384 as $curve;
                $body
            }
            KeySpec::EccNistP521 | KeySpec::EccNistP521Agreement => {
                use p521 as $curve;
                $body
            }
            KeySpec::EccSecgP256k1 => {
                use k256 as $curve;
                $body
            }
            _ => $none,
        }
    };
}

/// The private scalar a key's material stands for: the material itself, which almost always
/// is one (non-zero and below the curve's order; a random 32-byte string fails that for P-256
/// about once in 2^32 draws), else the first of SHA-512(material, counter), cut to the
/// material's length, that is. The same material always gives the same scalar. `None` for a
/// spec without a curve.
fn scalar(spec: KeySpec, material: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    use sha2::Digest as _;
    let valid = |candidate: &[u8]| {
        with_curve!(spec, false, |curve| {
            curve::SecretKey::from_slice(candidate).is_ok()
        })
    };
    if valid(material) {
        return Some(zeroize::Zeroizing::new(material.to_vec()));
    }
    for counter in 0u32..64 {
        let mut candidate = zeroize::Zeroizing::new(Vec::with_capacity(material.len() + 64));
        let mut block = 0u32;
        while candidate.len() < material.len() {
            let digest = sha2::Sha512::new()
                .chain_update(material)
                .chain_update(counter.to_be_bytes())
                .chain_update(block.to_be_bytes())
                .finalize();
            candidate.extend_from_slice(&digest);
            block += 1;
        }
        candidate.truncate(material.len());
        super::fit_secret(spec, &mut candidate);
        if valid(&candidate) {
            return Some(candidate);
        }
    }
    None
}

/// The key pair whose private scalar is `secret`: its private key as PKCS#8 DER (RFC 5208,
/// with the RFC 5915 `ECPrivateKey` inside) and its public key as DER `SubjectPublicKeyInfo`.
pub(super) fn key_pair_der(
    spec: KeySpec,
    secret: &[u8],
) -> Option<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>)> {
    let secret = scalar(spec, secret)?;
    with_curve!(spec, None, |curve| {
        use curve::pkcs8::{EncodePrivateKey, EncodePublicKey};
        let key = curve::SecretKey::from_slice(&secret).ok()?;
        let private = key.to_pkcs8_der().ok()?;
        let public = key.public_key().to_public_key_der().ok()?;
        Some((
            zeroize::Zeroizing::new(private.as_bytes().to_vec()),
            public.as_bytes().to_vec(),
        ))
    })
}

/// The private scalar of the elliptic-curve private key `pkcs8` (PKCS #8 DER, as `openssl
/// genpkey` writes it) when it is a key on `spec`'s curve; `None` for anything else.
pub(super) fn scalar_from_pkcs8(
    spec: KeySpec,
    pkcs8: &[u8],
) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    with_curve!(spec, None, |curve| {
        use curve::pkcs8::DecodePrivateKey;
        let key = curve::SecretKey::from_pkcs8_der(pkcs8).ok()?;
        Some(zeroize::Zeroizing::new(key.to_bytes().to_vec()))
    })
}

/// The raw ECDH shared secret (the x-coordinate of the shared point) of the private scalar
/// `secret` and the peer's DER `SubjectPublicKeyInfo`, or `None` when `peer` is not a public
/// key on `spec`'s curve.
pub(super) fn shared_secret(
    spec: KeySpec,
    secret: &[u8],
    peer: &[u8],
) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let secret = scalar(spec, secret)?;
    with_curve!(spec, None, |curve| {
        use curve::pkcs8::DecodePublicKey;
        let key = curve::SecretKey::from_slice(&secret).ok()?;
        let peer = curve::PublicKey::from_public_key_der(peer).ok()?;
        let shared = key.diffie_hellman(&peer);
        Some(zeroize::Zeroizing::new(shared.raw_secret_bytes().to_vec()))
    })
}

/// The DER signature of `digest` with the private scalar `secret`.
pub(super) fn sign(spec: KeySpec, secret: &[u8], digest: &[u8]) -> Option<Vec<u8>> {
    let secret = scalar(spec, secret)?;
    with_curve!(spec, None, |curve| {
        use curve::ecdsa::signature::hazmat::PrehashSigner;
        let key = curve::ecdsa::SigningKey::from_slice(&secret).ok()?;
        let signature: curve::ecdsa::Signature = key.sign_prehash(digest).ok()?;
        Some(signature.to_der().as_bytes().to_vec())
    })
}

/// Whether `signature` (DER) is a signature of `digest` by the key whose private scalar is
/// `secret`.
pub(super) fn verify(spec: KeySpec, secret: &[u8], digest: &[u8], signature: &[u8]) -> bool {
    let Some(secret) = scalar(spec, secret) else {
        return false;
    };
    with_curve!(spec, false, |curve| {
        use curve::ecdsa::signature::hazmat::PrehashVerifier;
        let Ok(key) = curve::ecdsa::SigningKey::from_slice(&secret) else {
            return false;
        };
        let Ok(signature) = curve::ecdsa::Signature::from_der(signature) else {
            return false;
        };
        key.verifying_key()
            .verify_prehash(digest, &signature)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test fixtures")]
    use super::*;
    use sha2::Digest as _;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .filter_map(|i| s.get(i..i + 2))
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    /// RFC 6979, A.2.5: ECDSA on P-256 with SHA-256, message "sample": the deterministic
    /// signature (r, s) for the private key x.
    #[test]
    fn p256_signs_the_rfc_6979_vector() {
        let secret = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        let digest = sha2::Sha256::digest(b"sample");
        let der = sign(KeySpec::EccNistP256, &secret, &digest).unwrap();
        let signature = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert_eq!(
            signature.to_bytes().to_vec(),
            hex(concat!(
                "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
                "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
            ))
        );
        assert!(verify(KeySpec::EccNistP256, &secret, &digest, &der));
        let other = sha2::Sha256::digest(b"samplf");
        assert!(!verify(KeySpec::EccNistP256, &secret, &other, &der));
        assert!(!verify(KeySpec::EccNistP256, &secret, &digest, b"not DER"));
    }

    /// Material that is no private scalar (zero, or above the order) still makes a key, the
    /// same one each time, and material that is one is that scalar.
    #[test]
    fn material_that_is_no_scalar_stands_for_one_derived_from_it() {
        for (spec, material) in [
            (KeySpec::EccNistP256, vec![0; 32]),
            (KeySpec::EccNistP384, vec![0xff; 48]),
            (KeySpec::EccNistP521, vec![0xff; 66]),
        ] {
            let derived = scalar(spec, &material).unwrap();
            assert_ne!(&derived[..], &material[..]);
            assert_eq!(derived.len(), material.len());
            assert_eq!(scalar(spec, &material).unwrap(), derived);
            assert!(key_pair_der(spec, &material).is_some());
        }
        assert_eq!(
            &scalar(KeySpec::EccSecgP256k1, &[1; 32]).unwrap()[..],
            &[1; 32]
        );
        assert!(scalar(KeySpec::Hmac256, &[1; 32]).is_none());
        assert!(key_pair_der(KeySpec::SymmetricDefault, &[1; 32]).is_none());
    }
}
