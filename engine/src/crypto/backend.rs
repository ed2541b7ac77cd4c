//! RSA and elliptic-curve cryptography as a service the engine calls, so that a build may have
//! it compiled in or receive it at run time.
//!
//! The key store, the authorizer and every KMS operation know asymmetric keys in every build:
//! a key's material is what the backend needs to make its key pair again (an RSA key's 32-byte
//! seed, an elliptic-curve key's private scalar), drawn from the engine's own randomness. Only
//! the operations that compute with a key pair (Sign, Verify, GetPublicKey, RSA Encrypt and
//! Decrypt, DeriveSharedSecret, GenerateDataKeyPair, GetParametersForImport and the unwrapping of
//! imported material) call a backend ([`backend`]):
//!
//! - with the engine's `asymmetric` feature (the CLI, the emulator), the one compiled in;
//! - without it, the one [`install`]ed, if any. The web app leaves the RSA and elliptic-curve
//!   crates out of its first download and loads them as a second WebAssembly module when a page
//!   first needs them; that module runs [`serve`] and the app installs a bridge to it.
//!
//! A call is a [`Primitive`] with byte-string arguments in the order its documentation gives, and
//! answers byte strings, or nothing when it cannot (a key or a public key that does not parse, a
//! signature that does not verify, a plaintext too long). Bytes are all that cross, which is what
//! lets a call go from one WebAssembly module to another: [`encode_call`], [`decode_reply`] and
//! [`serve`] are its wire form. Randomness never crosses: the engine draws a 32-byte seed with
//! its own [`Randomness`](crate::entropy::Randomness) and the backend expands it (ChaCha20).

use std::sync::OnceLock;

/// One asymmetric computation. Sizes are big-endian; names (an algorithm, a key spec) are the
/// API's, in UTF-8; RSA private keys are PKCS #1 DER, public keys DER `SubjectPublicKeyInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Primitive {
    /// `[bits (4 bytes), seed (32)]` → `[private key PKCS #1, private key PKCS #8, public key]`:
    /// the same seed always makes the same key pair.
    RsaKeyPair = 1,
    /// `[private key, algorithm (RSAES_OAEP_*), plaintext, seed (32)]` → `[ciphertext]`.
    RsaEncrypt = 2,
    /// `[private key, algorithm, ciphertext]` → `[plaintext]`.
    RsaDecrypt = 3,
    /// `[private key, algorithm (RSASSA_*), digest, seed (32)]` → `[signature]`.
    RsaSign = 4,
    /// `[private key, algorithm, digest, signature]` → `[]` when the signature is valid.
    RsaVerify = 5,
    /// `[private key, wrapping algorithm, wrapped key material]` → `[key material]`.
    RsaUnwrap = 6,
    /// `[key spec, private scalar]` → `[private key PKCS #8, public key]`.
    EcKeyPair = 7,
    /// `[key spec, private scalar, digest]` → `[DER ECDSA signature]`.
    EcSign = 8,
    /// `[key spec, private scalar, digest, signature]` → `[]` when the signature is valid.
    EcVerify = 9,
    /// `[key spec, private scalar, peer's public key]` → `[raw ECDH shared secret]`.
    EcSharedSecret = 10,
    /// `[key spec, private key PKCS #8]` → `[key material]`: an imported private key as a key
    /// of that spec keeps it (an RSA key's PKCS #1 DER, an elliptic-curve key's scalar), when
    /// it is a key of that spec (modulus length, curve).
    ImportPrivateKey = 11,
    /// `[private key PKCS #1]` → `[public key]`.
    RsaPublicKey = 12,
}

impl Primitive {
    /// Every primitive, in wire-code order.
    pub const ALL: [Primitive; 12] = [
        Primitive::RsaKeyPair,
        Primitive::RsaEncrypt,
        Primitive::RsaDecrypt,
        Primitive::RsaSign,
        Primitive::RsaVerify,
        Primitive::RsaUnwrap,
        Primitive::EcKeyPair,
        Primitive::EcSign,
        Primitive::EcVerify,
        Primitive::EcSharedSecret,
        Primitive::ImportPrivateKey,
        Primitive::RsaPublicKey,
    ];

    fn from_code(code: u8) -> Option<Primitive> {
        Primitive::ALL.into_iter().find(|p| *p as u8 == code)
    }
}

/// What computes the [`Primitive`]s.
pub trait AsymmetricBackend: Sync {
    /// Runs `primitive` on `args`; `None` when it cannot (see [`Primitive`]).
    fn run(&self, primitive: Primitive, args: &[&[u8]]) -> Option<Vec<Vec<u8>>>;
}

/// This build has no asymmetric backend: none is compiled in and none was installed yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackendMissing;

static INSTALLED: OnceLock<&'static dyn AsymmetricBackend> = OnceLock::new();

/// Makes `backend` the one this process uses, in a build without the `asymmetric` feature
/// (with it, the compiled-in backend always answers). `false` when one was installed already:
/// the first stays.
pub fn install(backend: &'static dyn AsymmetricBackend) -> bool {
    INSTALLED.set(backend).is_ok()
}

/// The backend asymmetric operations use now, if any.
pub fn backend() -> Option<&'static dyn AsymmetricBackend> {
    #[cfg(feature = "asymmetric")]
    {
        Some(&super::builtin::Builtin)
    }
    #[cfg(not(feature = "asymmetric"))]
    {
        INSTALLED.get().copied()
    }
}

/// Whether asymmetric operations can compute now ([`backend`]).
pub fn available() -> bool {
    backend().is_some()
}

/// Runs `primitive` with the current backend: `Ok(None)` when the backend could not,
/// `Err` when there is none.
pub(super) fn call(
    primitive: Primitive,
    args: &[&[u8]],
) -> Result<Option<Vec<Vec<u8>>>, BackendMissing> {
    Ok(backend().ok_or(BackendMissing)?.run(primitive, args))
}

/// The first byte of every call and reply: a module of another version answers nothing.
const WIRE_VERSION: u8 = 1;

fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    // A field longer than 4 GiB cannot be sent; it is cut to nothing rather than mis-framed.
    let len = u32::try_from(field.len()).unwrap_or(0);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field.get(..len as usize).unwrap_or_default());
}

fn read_fields(mut rest: &[u8]) -> Option<Vec<&[u8]>> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let (field, tail) = tail.split_at_checked(u32::from_be_bytes(*len) as usize)?;
        fields.push(field);
        rest = tail;
    }
    Some(fields)
}

/// A call's wire form: the version, the primitive's code, then each argument as a 4-byte length
/// and its bytes.
pub fn encode_call(primitive: Primitive, args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + args.iter().map(|a| 4 + a.len()).sum::<usize>());
    out.push(WIRE_VERSION);
    out.push(primitive as u8);
    for arg in args {
        push_field(&mut out, arg);
    }
    out
}

/// The primitive and arguments of a call's wire form; `None` for anything else.
pub fn decode_call(call: &[u8]) -> Option<(Primitive, Vec<&[u8]>)> {
    let [WIRE_VERSION, code, rest @ ..] = call else {
        return None;
    };
    Some((Primitive::from_code(*code)?, read_fields(rest)?))
}

/// A reply's wire form: the version, `1` and the fields, or `0` alone for no answer.
pub fn encode_reply(reply: Option<&[Vec<u8>]>) -> Vec<u8> {
    let mut out = vec![WIRE_VERSION, u8::from(reply.is_some())];
    for field in reply.unwrap_or_default() {
        push_field(&mut out, field);
    }
    out
}

/// The answer a reply's wire form holds; `None` for no answer or anything malformed.
pub fn decode_reply(reply: &[u8]) -> Option<Vec<Vec<u8>>> {
    let [WIRE_VERSION, 1, rest @ ..] = reply else {
        return None;
    };
    Some(read_fields(rest)?.into_iter().map(<[u8]>::to_vec).collect())
}

/// Answers one call's wire form with the compiled-in backend: what the web app's asymmetric
/// module runs for the page.
#[cfg(feature = "asymmetric")]
pub fn serve(call: &[u8]) -> Vec<u8> {
    let reply = decode_call(call)
        .and_then(|(primitive, args)| super::builtin::Builtin.run(primitive, &args));
    let wire = encode_reply(reply.as_deref());
    if let Some(fields) = reply {
        for mut field in fields {
            zeroize::Zeroize::zeroize(&mut field);
        }
    }
    wire
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_and_a_reply_survive_their_wire_form() {
        let wire = encode_call(Primitive::EcSign, &[b"ECC_NIST_P256", &[7; 32], b""]);
        let (primitive, args) = decode_call(&wire).expect("decodes");
        assert_eq!(primitive, Primitive::EcSign);
        assert_eq!(args, vec![&b"ECC_NIST_P256"[..], &[7; 32][..], &b""[..]]);
        let fields = vec![vec![1, 2, 3], Vec::new()];
        assert_eq!(decode_reply(&encode_reply(Some(&fields))), Some(fields));
        assert_eq!(decode_reply(&encode_reply(None)), None);
    }

    #[test]
    fn malformed_or_foreign_wire_forms_decode_to_nothing() {
        let wire = encode_call(Primitive::RsaSign, &[b"key", b"RSASSA_PSS_SHA_256"]);
        assert!(decode_call(wire.get(..wire.len() - 1).unwrap_or_default()).is_none());
        assert!(decode_call(&[WIRE_VERSION, 0]).is_none());
        assert!(decode_call(&[WIRE_VERSION + 1, Primitive::RsaSign as u8]).is_none());
        assert!(decode_call(&[]).is_none());
        assert_eq!(decode_reply(&[WIRE_VERSION, 1, 0, 0, 0, 9, 1]), None);
        assert_eq!(decode_reply(&[WIRE_VERSION + 1, 1]), None);
    }

    #[test]
    fn every_primitive_has_its_own_code() {
        for primitive in Primitive::ALL {
            assert_eq!(Primitive::from_code(primitive as u8), Some(primitive));
        }
        assert_eq!(Primitive::from_code(0), None);
    }
}
