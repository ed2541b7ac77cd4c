//! KMS Playground's RSA and elliptic-curve cryptography as a WebAssembly module of its own.
//!
//! The web app leaves these crates out of its first download (they would add about 176 KB
//! gzipped to it) and loads this module when a page first needs them: a world with an RSA or
//! elliptic-curve key, the create-key wizard's asymmetric key type, the `aws` console. The app
//! then installs a bridge as the engine's asymmetric backend (`kms_engine::crypto::backend`),
//! and each call crosses as bytes: [`run`] answers one call's wire form with the engine's
//! compiled-in backend.

use wasm_bindgen::prelude::wasm_bindgen;

/// Answers one call of the engine's asymmetric backend, in its wire form
/// (`kms_engine::crypto::backend::encode_call`), with the reply's wire form.
#[wasm_bindgen]
pub fn run(call: &[u8]) -> Vec<u8> {
    kms_engine::crypto::backend::serve(call)
}

#[cfg(test)]
mod tests {
    use super::run;
    use kms_engine::crypto::backend::{Primitive, decode_reply, encode_call};

    fn call(primitive: Primitive, args: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
        decode_reply(&run(&encode_call(primitive, args)))
    }

    /// What the page's bridge does: a key pair made from a scalar, a signature with it, a
    /// verification of that signature and a refusal of another message's.
    #[test]
    fn a_signature_made_through_the_wire_form_verifies_through_it() {
        let spec = b"ECC_NIST_P256";
        let secret = [7u8; 32];
        let pair = call(Primitive::EcKeyPair, &[spec, &secret]).expect("a key pair");
        assert_eq!(pair.len(), 2);
        let digest = [1u8; 32];
        let signature = call(Primitive::EcSign, &[spec, &secret, &digest])
            .and_then(|fields| fields.into_iter().next())
            .expect("a signature");
        assert!(call(Primitive::EcVerify, &[spec, &secret, &digest, &signature]).is_some());
        assert!(
            call(
                Primitive::EcVerify,
                &[spec, &secret, &[2u8; 32], &signature]
            )
            .is_none()
        );
    }

    #[test]
    fn a_malformed_call_gets_no_answer() {
        assert_eq!(decode_reply(&run(b"")), None);
        assert_eq!(decode_reply(&run(&[1, 200])), None);
        assert!(call(Primitive::EcSign, &[b"NOT_A_SPEC", &[7u8; 32], &[1u8; 32]]).is_none());
    }
}
