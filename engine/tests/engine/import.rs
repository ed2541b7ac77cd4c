//! Importing key material (feature `asymmetric`) into symmetric encryption and HMAC keys:
//! GetParametersForImport hands out a real RSA
//! wrapping public key with its import token, and ImportKeyMaterial unwraps material wrapped
//! outside the engine with the `rsa` and `aes-kw` crates, as the Developer Guide's openssl
//! commands wrap it.
//!
//! Sources are named on each test: KMS Developer Guide importing-keys.html,
//! importing-keys-get-public-key-and-token.html, importing-keys-encrypt-key-material.html;
//! KMS API Reference GetParametersForImport, ImportKeyMaterial.

#![cfg(feature = "asymmetric")]
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

use aes_kw::KwpAes256;
use aes_kw::cipher::KeyInit as _;
use kms_common::*;
use kms_engine::entropy::{Randomness as _, SeededRandomness, Timestamp};
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::store::{DAY_MILLIS, ExpirationModel};
use kms_engine::world::World;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{Oaep, RsaPublicKey};

/// A world, a clock and a generator.
struct Harness {
    world: World,
    rng: SeededRandomness,
    now: Timestamp,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            world: world(),
            rng: SeededRandomness::new(17),
            now: NOW,
        }
    }

    fn call<T>(
        &mut self,
        op: impl FnOnce(&mut World, &Caller, &mut Env<'_>) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut env = Env::new(self.now, &mut self.rng);
        op(&mut self.world, &Caller::new(root(ACCOUNT)), &mut env)
    }

    /// [`Harness::call`] sent to `region`.
    fn call_in<T>(
        &mut self,
        region: &str,
        op: impl FnOnce(&mut World, &Caller, &mut Env<'_>) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut env = Env::new(self.now, &mut self.rng);
        op(
            &mut self.world,
            &Caller::new(root(ACCOUNT)).in_region(region),
            &mut env,
        )
    }

    /// An `EXTERNAL` symmetric encryption key (PendingImport); its id.
    fn external_key(&mut self) -> String {
        let request = CreateKeyRequest {
            origin: Some("EXTERNAL".into()),
            ..Default::default()
        };
        self.call(|w, c, e| w.create_key(c, e, request))
            .unwrap()
            .key_metadata
            .key_id
    }

    fn parameters(
        &mut self,
        key_id: &str,
        algorithm: &str,
        spec: &str,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        let request = GetParametersForImportRequest {
            key_id: key_id.to_owned(),
            wrapping_algorithm: algorithm.to_owned(),
            wrapping_key_spec: spec.to_owned(),
        };
        self.call(|w, c, e| w.get_parameters_for_import(c, e, request))
    }

    fn import(&mut self, key_id: &str, token: &[u8], wrapped: Vec<u8>) -> Result<(), KmsError> {
        let request = ImportKeyMaterialRequest {
            key_id: key_id.to_owned(),
            import_token: token.to_vec(),
            encrypted_key_material: wrapped,
            expiration_model: Some(ExpirationModel::DoesNotExpire),
            valid_to: None,
        };
        self.call(|w, c, e| w.import_key_material(c, e, request))
    }

    fn state(&mut self, key_id: &str) -> &'static str {
        let request = DescribeKeyRequest {
            key_id: key_id.to_owned(),
            ..Default::default()
        };
        self.call(|w, c, e| w.describe_key(c, e, request))
            .unwrap()
            .key_metadata
            .key_state
    }

    fn encrypt(&mut self, key_id: &str, plaintext: &[u8]) -> Vec<u8> {
        let request = EncryptRequest {
            key_id: key_id.to_owned(),
            plaintext: plaintext.to_vec(),
            ..Default::default()
        };
        self.call(|w, c, e| w.encrypt(c, e, request))
            .unwrap()
            .ciphertext_blob
    }
}

fn name(result: Result<impl Sized, KmsError>) -> &'static str {
    result.err().map_or("ok", |e| e.exception_name())
}

/// A `rand_core` generator over seeded bytes, for the `rsa` crate outside KMS.
fn rsa_rng(seeded: &mut SeededRandomness) -> impl rsa::rand_core::CryptoRng + '_ {
    struct Adapter<'a>(&'a mut SeededRandomness);
    impl rsa::rand_core::TryRng for Adapter<'_> {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            self.0.fill(dst).unwrap();
            Ok(())
        }
    }
    impl rsa::rand_core::TryCryptoRng for Adapter<'_> {}
    Adapter(seeded)
}

/// `material` wrapped under the DER `SubjectPublicKeyInfo` `public_key` with `algorithm`, as
/// the KMS Developer Guide's openssl commands do it (importing-keys-encrypt-key-material.html):
/// `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256
/// -pkeyopt rsa_mgf1_md:sha256` for RSAES_OAEP_SHA_256; for RSA_AES_KEY_WRAP_SHA_256 a fresh
/// 32-byte AES key wrapped that way, followed by `openssl enc -id-aes256-wrap-pad` of the
/// material under it (AES key wrap with padding, RFC 5649).
fn wrap(public_key: &[u8], algorithm: &str, material: &[u8], seed: u64) -> Vec<u8> {
    let public = RsaPublicKey::from_public_key_der(public_key).unwrap();
    let mut seeded = SeededRandomness::new(seed);
    let oaep = |rng: &mut SeededRandomness, sha256: bool, plain: &[u8]| {
        if sha256 {
            public
                .encrypt(&mut rsa_rng(rng), Oaep::<sha2::Sha256>::new(), plain)
                .unwrap()
        } else {
            public
                .encrypt(&mut rsa_rng(rng), Oaep::<sha1::Sha1>::new(), plain)
                .unwrap()
        }
    };
    let sha256 = algorithm.ends_with("SHA_256");
    if algorithm.starts_with("RSAES_OAEP") {
        return oaep(&mut seeded, sha256, material);
    }
    let mut aes_key = [0u8; 32];
    seeded.fill(&mut aes_key).unwrap();
    let mut blob = oaep(&mut seeded, sha256, &aes_key);
    let mut wrapped = vec![0u8; material.len().div_ceil(8) * 8 + 8];
    let len = KwpAes256::new_from_slice(&aes_key)
        .unwrap()
        .wrap_key(material, &mut wrapped)
        .unwrap()
        .len();
    blob.extend_from_slice(&wrapped[..len]);
    blob
}

const ALGORITHMS: [&str; 4] = [
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
];

/// KMS Developer Guide, importing-keys-encrypt-key-material.html: material wrapped with the
/// public key from GetParametersForImport and the wrapping algorithm named there (RSAES-OAEP
/// with SHA-1 or SHA-256, or RSA-OAEP of an AES key plus AES key wrap with padding) imports;
/// API Reference, ImportKeyMaterial: the key becomes Enabled. The material really is the one
/// wrapped: after DeleteImportedKeyMaterial, the same material wrapped with another algorithm
/// is accepted again and a ciphertext made before decrypts.
#[test]
fn material_wrapped_as_openssl_does_imports_with_each_wrapping_algorithm() {
    let mut h = Harness::new();
    let material = [0x5a; 32];
    for (i, algorithm) in ALGORITHMS.into_iter().enumerate() {
        let id = h.external_key();
        let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
        let wrapped = wrap(&params.public_key, algorithm, &material, i as u64);
        h.import(&id, &params.import_token, wrapped)
            .unwrap_or_else(|e| panic!("{algorithm}: {e:?}"));
        assert_eq!(h.state(&id), "Enabled", "{algorithm}");
        let blob = h.encrypt(&id, b"imported");
        h.call(|w, c, e| w.delete_imported_key_material(c, e, KeyIdRequest::new(&id)))
            .unwrap();
        assert_eq!(h.state(&id), "PendingImport");
        let other = ALGORITHMS[(i + 1) % ALGORITHMS.len()];
        let params = h.parameters(&id, other, "RSA_2048").unwrap();
        let wrapped = wrap(&params.public_key, other, &material, 100 + i as u64);
        h.import(&id, &params.import_token, wrapped).unwrap();
        let request = DecryptRequest {
            ciphertext_blob: blob,
            ..Default::default()
        };
        let decrypted = h.call(|w, c, e| w.decrypt(c, e, request)).unwrap();
        assert_eq!(decrypted.plaintext, b"imported", "{algorithm} then {other}");
    }
}

/// API Reference, GetParametersForImport: `PublicKey` is the RSA public key (a DER
/// SubjectPublicKeyInfo, as openssl reads it with `-inform DER`) of the `WrappingKeySpec`'s
/// length: RSA_2048, RSA_3072, RSA_4096; `ParametersValidTo` is 24 hours on.
#[test]
fn the_public_key_is_rsa_of_the_wrapping_key_spec() {
    let mut h = Harness::new();
    let id = h.external_key();
    for (spec, bytes) in [("RSA_2048", 256), ("RSA_3072", 384), ("RSA_4096", 512)] {
        let params = h.parameters(&id, "RSAES_OAEP_SHA_256", spec).unwrap();
        let public = RsaPublicKey::from_public_key_der(&params.public_key).unwrap();
        assert_eq!(public.size(), bytes, "{spec}");
        assert_eq!(params.parameters_valid_to, NOW.plus_millis(DAY_MILLIS));
    }
}

/// KMS Developer Guide, importing-keys-get-public-key-and-token.html: "The public key and its
/// import token are permanently linked and must be used together". Material wrapped under one
/// call's public key and sent with another call's token does not unwrap
/// (InvalidCiphertextException); a token that is not the key's latest one is
/// InvalidImportTokenException (API Reference, ImportKeyMaterial, Errors).
#[test]
fn an_import_token_works_only_with_its_own_public_key() {
    let mut h = Harness::new();
    let id = h.external_key();
    let material = [3u8; 32];
    let first = h.parameters(&id, "RSAES_OAEP_SHA_256", "RSA_2048").unwrap();
    let second = h.parameters(&id, "RSAES_OAEP_SHA_256", "RSA_2048").unwrap();
    assert_ne!(first.public_key, second.public_key);
    assert_ne!(first.import_token, second.import_token);
    let under_first = wrap(&first.public_key, "RSAES_OAEP_SHA_256", &material, 1);
    assert_eq!(
        name(h.import(&id, &second.import_token, under_first.clone())),
        "InvalidCiphertextException"
    );
    assert_eq!(
        name(h.import(&id, &first.import_token, under_first)),
        "InvalidImportTokenException"
    );
    assert_eq!(h.state(&id), "PendingImport");
    let under_second = wrap(&second.public_key, "RSAES_OAEP_SHA_256", &material, 2);
    h.import(&id, &second.import_token, under_second).unwrap();
    assert_eq!(h.state(&id), "Enabled");
}

/// API Reference, ImportKeyMaterial, Errors: InvalidCiphertextException "From the
/// ImportKeyMaterial operation, the request was rejected because KMS could not decrypt the
/// encrypted (wrapped) key material": garbage, a truncated blob, material wrapped with another
/// wrapping algorithm than the parameters named (RSA-OAEP's hash, or RSAES-OAEP instead of
/// RSA_AES_KEY_WRAP), a blob with its AES-KWP part tampered with.
#[test]
fn material_the_wrapping_key_cannot_unwrap_is_invalid_ciphertext() {
    let mut h = Harness::new();
    let id = h.external_key();
    let material = [9u8; 32];
    let oaep = h.parameters(&id, "RSAES_OAEP_SHA_256", "RSA_2048").unwrap();
    let good = wrap(&oaep.public_key, "RSAES_OAEP_SHA_256", &material, 1);
    let other_hash = wrap(&oaep.public_key, "RSAES_OAEP_SHA_1", &material, 2);
    for bad in [
        Vec::new(),
        vec![0u8; 256],
        good[..200].to_vec(),
        other_hash,
        material.to_vec(),
    ] {
        assert_eq!(
            name(h.import(&id, &oaep.import_token, bad)),
            "InvalidCiphertextException"
        );
    }
    let kwp = h
        .parameters(&id, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")
        .unwrap();
    let plain_oaep = wrap(&kwp.public_key, "RSAES_OAEP_SHA_256", &material, 3);
    let mut tampered = wrap(&kwp.public_key, "RSA_AES_KEY_WRAP_SHA_256", &material, 4);
    *tampered.last_mut().unwrap() ^= 1;
    let sha1 = wrap(&kwp.public_key, "RSA_AES_KEY_WRAP_SHA_1", &material, 5);
    for bad in [plain_oaep, tampered, sha1] {
        assert_eq!(
            name(h.import(&id, &kwp.import_token, bad)),
            "InvalidCiphertextException"
        );
    }
    assert_eq!(h.state(&id), "PendingImport");
    // The failures did not use the parameters up.
    let good = wrap(&kwp.public_key, "RSA_AES_KEY_WRAP_SHA_256", &material, 6);
    h.import(&id, &kwp.import_token, good).unwrap();
}

/// KMS Developer Guide, importing-keys-conceptual.html, "Requirements for imported key material": a symmetric encryption key's material
/// is a 256-bit (32-byte) key. Material that unwraps but is of another length is refused as
/// IncorrectKeyMaterialException (API Reference, ImportKeyMaterial, Errors: "the key material
/// in the request is, expired, invalid, or does not meet expectations").
#[test]
fn material_of_the_wrong_length_for_the_key_spec_is_incorrect_key_material() {
    let mut h = Harness::new();
    let id = h.external_key();
    for algorithm in ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256"] {
        let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
        for len in [1, 16, 31, 33, 64] {
            let wrapped = wrap(&params.public_key, algorithm, &vec![1u8; len], len as u64);
            assert_eq!(
                name(h.import(&id, &params.import_token, wrapped)),
                "IncorrectKeyMaterialException",
                "{algorithm}, {len} bytes"
            );
        }
    }
    assert_eq!(h.state(&id), "PendingImport");
}

/// API Reference, GetParametersForImport, WrappingAlgorithm: "As of October 10, 2023, KMS does
/// not support the RSAES_PKCS1_V1_5 wrapping algorithm"; the SM2 wrapping key spec and SM2PKE
/// are for the China Regions, which the playground does not model. Both are in the API's
/// enumerations (no ValidationException) and refused as UnsupportedOperationException; a value
/// outside the enumerations is a ValidationException.
#[test]
fn deprecated_and_china_region_wrapping_is_unsupported() {
    let mut h = Harness::new();
    let id = h.external_key();
    for (algorithm, spec, expected) in [
        (
            "RSAES_PKCS1_V1_5",
            "RSA_2048",
            "UnsupportedOperationException",
        ),
        ("SM2PKE", "SM2", "UnsupportedOperationException"),
        ("RSAES_OAEP_SHA_256", "SM2", "UnsupportedOperationException"),
        ("SM2PKE", "RSA_2048", "UnsupportedOperationException"),
        ("RSAES_OAEP_SHA_512", "RSA_2048", "ValidationException"),
        ("RSAES_OAEP_SHA_256", "RSA_1024", "ValidationException"),
    ] {
        assert_eq!(
            name(h.parameters(&id, algorithm, spec)),
            expected,
            "{algorithm} {spec}"
        );
    }
}

/// KMS Developer Guide, importing-keys.html: EXTERNAL keys start PendingImport; the import
/// token is valid 24 hours (ExpiredImportTokenException after); a token the key never handed
/// out is InvalidImportTokenException; re-imports must be the same material
/// (IncorrectKeyMaterialException); deleting or expiring the material returns the key to
/// PendingImport.
#[test]
fn imported_key_material_flow() {
    let mut h = Harness::new();
    let id = h.external_key();
    assert_eq!(h.state(&id), "PendingImport");
    let rotation = EnableKeyRotationRequest {
        key_id: id.clone(),
        rotation_period_in_days: None,
    };
    assert_eq!(
        name(h.call(|w, c, e| w.enable_key_rotation(c, e, rotation))),
        "UnsupportedOperationException"
    );
    let algorithm = "RSAES_OAEP_SHA_256";
    let material = [7u8; 32];
    let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
    let wrapped = wrap(&params.public_key, algorithm, &material, 1);
    assert_eq!(
        name(h.import(&id, &[1, 2, 3], wrapped.clone())),
        "InvalidImportTokenException"
    );
    let expiring = ImportKeyMaterialRequest {
        key_id: id.clone(),
        import_token: params.import_token.clone(),
        encrypted_key_material: wrapped,
        expiration_model: Some(ExpirationModel::Expires),
        valid_to: Some(NOW.plus_millis(10 * DAY_MILLIS)),
    };
    h.call(|w, c, e| w.import_key_material(c, e, expiring))
        .unwrap();
    assert_eq!(h.state(&id), "Enabled");
    // The parameters are used up.
    let again = wrap(&params.public_key, algorithm, &material, 2);
    assert_eq!(
        name(h.import(&id, &params.import_token, again)),
        "InvalidImportTokenException"
    );
    // Delete the material; different material is refused, the same accepted.
    h.call(|w, c, e| w.delete_imported_key_material(c, e, KeyIdRequest::new(&id)))
        .unwrap();
    assert_eq!(h.state(&id), "PendingImport");
    let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
    let different = wrap(&params.public_key, algorithm, &[8u8; 32], 3);
    assert_eq!(
        name(h.import(&id, &params.import_token, different)),
        "IncorrectKeyMaterialException"
    );
    let same = wrap(&params.public_key, algorithm, &material, 4);
    let expiring = ImportKeyMaterialRequest {
        key_id: id.clone(),
        import_token: params.import_token.clone(),
        encrypted_key_material: same,
        expiration_model: Some(ExpirationModel::Expires),
        valid_to: Some(NOW.plus_millis(10 * DAY_MILLIS)),
    };
    h.call(|w, c, e| w.import_key_material(c, e, expiring))
        .unwrap();
    // The material expires at ValidTo.
    h.now = h.now.plus_millis(10 * DAY_MILLIS);
    assert_eq!(h.state(&id), "PendingImport");
    // Parameters expire after 24 hours.
    let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
    h.now = h.now.plus_millis(2 * DAY_MILLIS);
    let late = wrap(&params.public_key, algorithm, &material, 5);
    assert_eq!(
        name(h.import(&id, &params.import_token, late)),
        "ExpiredImportTokenException"
    );
}

/// API Reference, GetParametersForImport: the same seed makes the same wrapping key and token
/// (a seeded session replays them, so a replayed ImportKeyMaterial still unwraps).
#[test]
fn a_seeded_session_hands_out_the_same_parameters_again() {
    let run = || {
        let mut h = Harness::new();
        let id = h.external_key();
        h.parameters(&id, "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(a.public_key, b.public_key);
    assert_eq!(a.import_token, b.import_token);
}

/// What OpenSSL 3.0 wrote, with the KMS Developer Guide's commands
/// (importing-keys-encrypt-key-material.html, RSA_AES_KEY_WRAP_SHA_256), for the wrapping
/// public key the first GetParametersForImport of [`Harness::new`]'s seeded session hands out
/// (RSA_2048): the AES key bytes 0x40..=0x5f and the key material bytes 0x00..=0x1f,
///
/// ```text
/// openssl pkeyutl -encrypt -in aes-key.bin -out aes-key-wrapped.bin -inkey PublicKey.der \
///     -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
///     -pkeyopt rsa_mgf1_md:sha256
/// openssl enc -id-aes256-wrap-pad -K "$(xxd -p < aes-key.bin | tr -d '\n')" -iv A65959A6 \
///     -in material.bin -out material-wrapped.bin
/// cat aes-key-wrapped.bin material-wrapped.bin | base64
/// ```
const OPENSSL_RSA_AES_KEY_WRAP_SHA_256: &str = concat!(
    "07GVlFXHr3laPYQWrWeihaH/UMZm5rWYF52gQckC91H+QGXXH3rFqXeULYQV6jxSAiV/oMptjvHPPngYGZo/H18l",
    "KBELz1X99aiUtqlDJjVCGC+TYpsqlkzyA/2aeatshSKJhsO6db6fGsoTu9liz8PKUR/M1biINjvMDu5FisjZKRJk",
    "gw1W/AWxvEHpY8zsGKaUzBXP3dRcdScV9On+T6nNI2gGjg4Mmrr4VLyXN6eBBrMTBfzhiNZnyhns9kzIqxtUHp4A",
    "kXvUZcKxwl3czJx9qsGsiTxMq52R1zA1bvEfHPra9qrK4gc755MOl9x1G5R38RiVS9YnemG+Hlznx2Vxik6Ep7t3",
    "dblEpE/bm8IXDAsuqCC6exO6MD1bOFfnlOAXb+UfIJY=",
);

/// KMS Developer Guide, importing-keys-encrypt-key-material.html: the blob openssl writes with
/// the Guide's RSA_AES_KEY_WRAP_SHA_256 commands imports (API Reference, ImportKeyMaterial), and
/// is the material it wrapped: re-imported after deletion, those 32 bytes are accepted and other
/// bytes are IncorrectKeyMaterialException.
#[test]
fn the_blob_openssl_writes_with_the_developer_guides_commands_imports() {
    use base64::Engine as _;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(OPENSSL_RSA_AES_KEY_WRAP_SHA_256)
        .unwrap();
    let mut h = Harness::new();
    let id = h.external_key();
    let params = h
        .parameters(&id, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")
        .unwrap();
    h.import(&id, &params.import_token, blob).unwrap();
    assert_eq!(h.state(&id), "Enabled");
    h.call(|w, c, e| w.delete_imported_key_material(c, e, KeyIdRequest::new(&id)))
        .unwrap();
    let material: Vec<u8> = (0..32).collect();
    let params = h.parameters(&id, "RSAES_OAEP_SHA_1", "RSA_4096").unwrap();
    let other = wrap(&params.public_key, "RSAES_OAEP_SHA_1", &[0; 32], 1);
    assert_eq!(
        name(h.import(&id, &params.import_token, other)),
        "IncorrectKeyMaterialException"
    );
    let same = wrap(&params.public_key, "RSAES_OAEP_SHA_1", &material, 2);
    h.import(&id, &params.import_token, same).unwrap();
    assert_eq!(h.state(&id), "Enabled");
}

/// KMS Developer Guide, multi-region-keys-import.html: "AWS KMS does not copy or synchronize
/// the key material from a primary key with imported key material to its replica keys. You
/// must import the same key material into related primary and replica keys." The replica
/// starts PendingImport; other material is IncorrectKeyMaterialException; with the same
/// material the replica decrypts the primary's ciphertext.
#[test]
fn a_replica_of_an_imported_key_imports_the_same_material() {
    let mut h = Harness::new();
    let request = CreateKeyRequest {
        origin: Some("EXTERNAL".into()),
        multi_region: Some(true),
        ..Default::default()
    };
    let id = h
        .call(|w, c, e| w.create_key(c, e, request))
        .unwrap()
        .key_metadata
        .key_id;
    let algorithm = "RSAES_OAEP_SHA_256";
    let material = [7u8; 32];
    let params = h.parameters(&id, algorithm, "RSA_2048").unwrap();
    let wrapped = wrap(&params.public_key, algorithm, &material, 11);
    h.import(&id, &params.import_token, wrapped).unwrap();
    let replicate = ReplicateKeyRequest {
        key_id: id.clone(),
        replica_region: "eu-west-2".into(),
        ..Default::default()
    };
    let replica = h.call(|w, c, e| w.replicate_key(c, e, replicate)).unwrap();
    // Creating for a few seconds, then PendingImport (KMS API Reference, ReplicateKey).
    assert_eq!(replica.replica_key_metadata.key_state, "Creating");
    h.now = h.now.plus_millis(kms_engine::store::TRANSIENT_STATE_MILLIS);
    let describe = DescribeKeyRequest {
        key_id: id.clone(),
        ..Default::default()
    };
    let settled = h
        .call_in("eu-west-2", |w, c, e| w.describe_key(c, e, describe))
        .unwrap();
    assert_eq!(settled.key_metadata.key_state, "PendingImport");
    let import_away = |h: &mut Harness, material: &[u8], seed: u64| {
        let request = GetParametersForImportRequest {
            key_id: id.clone(),
            wrapping_algorithm: algorithm.to_owned(),
            wrapping_key_spec: "RSA_2048".to_owned(),
        };
        let params = h
            .call_in("eu-west-2", |w, c, e| {
                w.get_parameters_for_import(c, e, request)
            })
            .unwrap();
        let request = ImportKeyMaterialRequest {
            key_id: id.clone(),
            import_token: params.import_token,
            encrypted_key_material: wrap(&params.public_key, algorithm, material, seed),
            expiration_model: Some(ExpirationModel::DoesNotExpire),
            valid_to: None,
        };
        h.call_in("eu-west-2", |w, c, e| w.import_key_material(c, e, request))
    };
    assert_eq!(
        name(import_away(&mut h, &[8u8; 32], 12)),
        "IncorrectKeyMaterialException"
    );
    import_away(&mut h, &material, 13).unwrap();
    let blob = h.encrypt(&id, b"imported");
    let request = DecryptRequest {
        ciphertext_blob: blob,
        ..Default::default()
    };
    let opened = h
        .call_in("eu-west-2", |w, c, e| w.decrypt(c, e, request))
        .unwrap();
    assert_eq!(opened.plaintext, b"imported");
}

/// HMAC keys with imported key material.
mod hmac_keys {
    use super::*;
    use hmac::Hmac;

    /// The HMAC key specs with their MAC algorithm and key length in bytes (KMS Developer
    /// Guide, hmac.html, "Key specs for HMAC keys").
    const SPECS: [(&str, &str, usize); 4] = [
        ("HMAC_224", "HMAC_SHA_224", 28),
        ("HMAC_256", "HMAC_SHA_256", 32),
        ("HMAC_384", "HMAC_SHA_384", 48),
        ("HMAC_512", "HMAC_SHA_512", 64),
    ];

    /// The HMAC of `message` under `key` with `algorithm`, computed by the `hmac` crate
    /// outside KMS (RFC 2104).
    fn independent_mac(algorithm: &str, key: &[u8], message: &[u8]) -> Vec<u8> {
        fn run<M: hmac::Mac + hmac::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::KeyInit>::new_from_slice(key).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        match algorithm {
            "HMAC_SHA_224" => run::<Hmac<sha2::Sha224>>(key, message),
            "HMAC_SHA_256" => run::<Hmac<sha2::Sha256>>(key, message),
            "HMAC_SHA_384" => run::<Hmac<sha2::Sha384>>(key, message),
            _ => run::<Hmac<sha2::Sha512>>(key, message),
        }
    }

    impl Harness {
        /// An `EXTERNAL` HMAC key of `spec` (PendingImport); its id.
        fn external_hmac_key(&mut self, spec: &str) -> String {
            let request = CreateKeyRequest {
                key_spec: Some(spec.into()),
                key_usage: Some("GENERATE_VERIFY_MAC".into()),
                origin: Some("EXTERNAL".into()),
                ..Default::default()
            };
            self.call(|w, c, e| w.create_key(c, e, request))
                .unwrap()
                .key_metadata
                .key_id
        }

        fn mac(
            &mut self,
            key_id: &str,
            algorithm: &str,
            message: &[u8],
        ) -> Result<Vec<u8>, KmsError> {
            let request = GenerateMacRequest {
                key_id: key_id.to_owned(),
                mac_algorithm: algorithm.to_owned(),
                message: message.to_vec(),
                ..Default::default()
            };
            self.call(|w, c, e| w.generate_mac(c, e, request))
                .map(|r| r.mac)
        }

        fn verify_mac(
            &mut self,
            key_id: &str,
            algorithm: &str,
            message: &[u8],
            mac: &[u8],
        ) -> bool {
            let request = VerifyMacRequest {
                key_id: key_id.to_owned(),
                mac_algorithm: algorithm.to_owned(),
                message: message.to_vec(),
                mac: mac.to_vec(),
                ..Default::default()
            };
            self.call(|w, c, e| w.verify_mac(c, e, request))
                .is_ok_and(|r| r.mac_valid)
        }

        /// `material` imported into `key_id` with fresh parameters for `algorithm`.
        fn import_with(
            &mut self,
            key_id: &str,
            algorithm: &str,
            material: &[u8],
            seed: u64,
        ) -> Result<(), KmsError> {
            let params = self.parameters(key_id, algorithm, "RSA_2048").unwrap();
            let wrapped = wrap(&params.public_key, algorithm, material, seed);
            self.import(key_id, &params.import_token, wrapped)
        }
    }

    /// KMS API Reference, CreateKey (an HMAC key with Origin EXTERNAL: "To create a KMS key
    /// with no key material (for imported key material), set this value to EXTERNAL"; HMAC keys
    /// are symmetric, hmac.html) and ImportKeyMaterial ("You can create a symmetric encryption
    /// KMS key, HMAC KMS key, ..."): the key starts PendingImport with no material, so
    /// GenerateMac is KMSInvalidStateException (KMS Developer Guide, key-state.html); material
    /// of the spec's length, wrapped with each wrapping algorithm (importing-keys-encrypt-key-
    /// material.html), imports, the key becomes Enabled, and GenerateMac is the HMAC of the
    /// message under exactly the imported bytes, as the `hmac` crate computes it; VerifyMac
    /// accepts it.
    #[test]
    fn hmac_keys_import_material_of_their_key_length_and_mac_with_exactly_those_bytes() {
        let mut h = Harness::new();
        for (i, (spec, algorithm, bytes)) in SPECS.into_iter().enumerate() {
            let id = h.external_hmac_key(spec);
            assert_eq!(h.state(&id), "PendingImport", "{spec}");
            let describe = DescribeKeyRequest {
                key_id: id.clone(),
                ..Default::default()
            };
            let metadata = h
                .call(|w, c, e| w.describe_key(c, e, describe))
                .unwrap()
                .key_metadata;
            assert_eq!(metadata.origin, "EXTERNAL");
            assert_eq!(metadata.key_spec, spec);
            assert_eq!(
                name(h.mac(&id, algorithm, b"message")),
                "KMSInvalidStateException",
                "{spec}"
            );
            let material: Vec<u8> = (0..bytes).map(|b| (b * 7 + i) as u8).collect();
            let wrapping = ALGORITHMS[i % ALGORITHMS.len()];
            h.import_with(&id, wrapping, &material, i as u64)
                .unwrap_or_else(|e| panic!("{spec} {wrapping}: {e:?}"));
            assert_eq!(h.state(&id), "Enabled", "{spec}");
            let mac = h.mac(&id, algorithm, b"message").unwrap();
            assert_eq!(
                mac,
                independent_mac(algorithm, &material, b"message"),
                "{spec}"
            );
            assert!(h.verify_mac(&id, algorithm, b"message", &mac), "{spec}");
            assert!(!h.verify_mac(&id, algorithm, b"massage", &mac), "{spec}");
        }
    }

    /// KMS Developer Guide, importing-keys-encrypt-key-material.html ("Generate key material
    /// for testing", HMAC keys: the key's length must match the length the KMS key's key spec
    /// defines); API Reference, ImportKeyMaterial, Errors:
    /// IncorrectKeyMaterialException ("the key material in the request is, expired, invalid, or
    /// does not meet expectations"). Material one byte short or long, or of another HMAC spec's
    /// length, is refused with every wrapping algorithm; the key stays PendingImport.
    #[test]
    fn hmac_material_of_another_length_is_incorrect_key_material() {
        let mut h = Harness::new();
        for (i, (spec, _, bytes)) in SPECS.into_iter().enumerate() {
            let id = h.external_hmac_key(spec);
            let mut lengths = vec![1, bytes - 1, bytes + 1, 2 * bytes];
            lengths.extend(SPECS.iter().map(|s| s.2).filter(|&n| n != bytes));
            for (j, len) in lengths.into_iter().enumerate() {
                let wrapping = ALGORITHMS[(i + j) % ALGORITHMS.len()];
                assert_eq!(
                    name(h.import_with(&id, wrapping, &vec![3u8; len], (10 * i + j) as u64)),
                    "IncorrectKeyMaterialException",
                    "{spec}, {len} bytes, {wrapping}"
                );
            }
            assert_eq!(h.state(&id), "PendingImport", "{spec}");
        }
    }

    /// API Reference, ImportKeyMaterial ("For asymmetric and HMAC keys, you cannot change the
    /// key material after the initial import") and DeleteImportedKeyMaterial ("To restore the
    /// usability of the KMS key, reimport the same key material"; the key becomes
    /// PendingImport): after deletion, GenerateMac is KMSInvalidStateException; other material
    /// is IncorrectKeyMaterialException; the same material (wrapped under a new wrapping key and
    /// another wrapping algorithm) imports again and gives the same MAC as before.
    #[test]
    fn a_deleted_hmac_material_comes_back_only_as_the_same_bytes() {
        let mut h = Harness::new();
        let id = h.external_hmac_key("HMAC_256");
        let material = [0x42u8; 32];
        h.import_with(&id, "RSAES_OAEP_SHA_256", &material, 1)
            .unwrap();
        let before = h.mac(&id, "HMAC_SHA_256", b"token").unwrap();
        h.call(|w, c, e| w.delete_imported_key_material(c, e, KeyIdRequest::new(&id)))
            .unwrap();
        assert_eq!(h.state(&id), "PendingImport");
        assert_eq!(
            name(h.mac(&id, "HMAC_SHA_256", b"token")),
            "KMSInvalidStateException"
        );
        assert_eq!(
            name(h.import_with(&id, "RSAES_OAEP_SHA_1", &[0x43u8; 32], 2)),
            "IncorrectKeyMaterialException"
        );
        h.import_with(&id, "RSA_AES_KEY_WRAP_SHA_1", &material, 3)
            .unwrap();
        assert_eq!(h.state(&id), "Enabled");
        assert_eq!(h.mac(&id, "HMAC_SHA_256", b"token").unwrap(), before);
    }

    /// API Reference, RotateKeyOnDemand ("You cannot perform on-demand rotation of asymmetric
    /// KMS keys, HMAC KMS keys, ...") and EnableKeyRotation ("Automatic key rotation is
    /// supported only on symmetric encryption KMS keys"): an HMAC key with imported material
    /// is not rotated, either way (UnsupportedOperationException), and keeps its material.
    #[test]
    fn an_imported_hmac_key_is_not_rotated() {
        let mut h = Harness::new();
        let id = h.external_hmac_key("HMAC_512");
        let material = [0x17u8; 64];
        h.import_with(&id, "RSAES_OAEP_SHA_256", &material, 1)
            .unwrap();
        assert_eq!(
            name(h.call(|w, c, e| w.rotate_key_on_demand(c, e, KeyIdRequest::new(&id)))),
            "UnsupportedOperationException"
        );
        let rotation = EnableKeyRotationRequest {
            key_id: id.clone(),
            rotation_period_in_days: None,
        };
        assert_eq!(
            name(h.call(|w, c, e| w.enable_key_rotation(c, e, rotation))),
            "UnsupportedOperationException"
        );
        assert_eq!(
            h.mac(&id, "HMAC_SHA_512", b"m").unwrap(),
            independent_mac("HMAC_SHA_512", &material, b"m")
        );
    }
}

/// Asymmetric keys with imported private keys (KMS API Reference, ImportKeyMaterial: "You can
/// create a symmetric encryption KMS key, HMAC KMS key, asymmetric encryption KMS key, or
/// asymmetric signing KMS key" with origin EXTERNAL; KMS Developer Guide,
/// importing-keys-conceptual.html, "Requirements for imported key material": an asymmetric key
/// imports its private key, PKCS #8 DER, and KMS derives the public key from it,
/// importing-keys-encrypt-key-material.html).
mod asymmetric_keys {
    use super::*;
    use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};

    impl Harness {
        /// An `EXTERNAL` key of `spec` and `usage` (PendingImport); its id.
        fn external_asymmetric_key(&mut self, spec: &str, usage: &str) -> String {
            let request = CreateKeyRequest {
                key_spec: Some(spec.into()),
                key_usage: Some(usage.into()),
                origin: Some("EXTERNAL".into()),
                ..Default::default()
            };
            self.call(|w, c, e| w.create_key(c, e, request))
                .unwrap()
                .key_metadata
                .key_id
        }

        /// `pkcs8` imported into `key_id` with fresh RSA_AES_KEY_WRAP_SHA_256 parameters, the
        /// wrapping algorithm an RSA private key needs ("To import an RSA private key, you must
        /// use an RSA_AES wrapping algorithm": API Reference, GetParametersForImport).
        fn import_private_key(&mut self, key_id: &str, pkcs8: &[u8]) -> Result<(), KmsError> {
            let algorithm = "RSA_AES_KEY_WRAP_SHA_256";
            let params = self.parameters(key_id, algorithm, "RSA_3072").unwrap();
            let wrapped = wrap(&params.public_key, algorithm, pkcs8, 11);
            self.import(key_id, &params.import_token, wrapped)
        }

        fn public_key(&mut self, key_id: &str) -> Result<Vec<u8>, KmsError> {
            let request = GetPublicKeyRequest {
                key_id: key_id.to_owned(),
                grant_tokens: Vec::new(),
            };
            self.call(|w, c, e| w.get_public_key(c, e, request))
                .map(|r| r.public_key)
        }
    }

    /// An imported P-256 key signs as itself: the key starts PendingImport (GetPublicKey is
    /// KMSInvalidStateException, key-state.html), imports, becomes Enabled; GetPublicKey is the
    /// imported key's own public key, and a signature KMS makes verifies with it outside KMS
    /// (API Reference, Sign: ECDSA_SHA_256, DER-encoded).
    #[test]
    fn an_imported_elliptic_curve_private_key_signs_as_itself() {
        use p256::ecdsa::signature::Verifier as _;
        let mut h = Harness::new();
        let id = h.external_asymmetric_key("ECC_NIST_P256", "SIGN_VERIFY");
        assert_eq!(h.state(&id), "PendingImport");
        assert_eq!(
            name(h.public_key(&id)),
            "KMSInvalidStateException",
            "no key pair before the import"
        );
        let secret = p256::SecretKey::from_slice(&[0x42; 32]).unwrap();
        let pkcs8 = secret.to_pkcs8_der().unwrap();
        h.import_private_key(&id, pkcs8.as_bytes()).unwrap();
        assert_eq!(h.state(&id), "Enabled");
        let expected = secret.public_key().to_public_key_der().unwrap();
        assert_eq!(h.public_key(&id).unwrap(), expected.as_bytes());
        let request = SignRequest {
            key_id: id.clone(),
            message: b"release 1.4.2".to_vec(),
            signing_algorithm: "ECDSA_SHA_256".into(),
            ..Default::default()
        };
        let signature = h.call(|w, c, e| w.sign(c, e, request)).unwrap().signature;
        let signature = p256::ecdsa::Signature::from_der(&signature).unwrap();
        let verifying = p256::ecdsa::VerifyingKey::from(&secret.public_key());
        assert!(verifying.verify(b"release 1.4.2", &signature).is_ok());
    }

    /// An imported RSA private key decrypts what its public key encrypted outside KMS
    /// (RSAES_OAEP_SHA_256, API Reference, Decrypt with KeyId and EncryptionAlgorithm).
    #[test]
    fn an_imported_rsa_private_key_decrypts_what_its_public_key_encrypted() {
        let mut h = Harness::new();
        let id = h.external_asymmetric_key("RSA_2048", "ENCRYPT_DECRYPT");
        let mut seeded = SeededRandomness::new(21);
        let private = rsa::RsaPrivateKey::new(&mut rsa_rng(&mut seeded), 2048).unwrap();
        let pkcs8 = private.to_pkcs8_der().unwrap();
        h.import_private_key(&id, pkcs8.as_bytes()).unwrap();
        let expected = private.to_public_key().to_public_key_der().unwrap();
        assert_eq!(h.public_key(&id).unwrap(), expected.as_bytes());
        let ciphertext = private
            .to_public_key()
            .encrypt(
                &mut rsa_rng(&mut seeded),
                Oaep::<sha2::Sha256>::new(),
                b"the launch code",
            )
            .unwrap();
        let request = DecryptRequest {
            ciphertext_blob: ciphertext,
            key_id: Some(id.clone()),
            encryption_algorithm: Some("RSAES_OAEP_SHA_256".into()),
            ..Default::default()
        };
        let plaintext = h
            .call(|w, c, e| w.decrypt(c, e, request))
            .unwrap()
            .plaintext;
        assert_eq!(plaintext, b"the launch code");
    }

    /// "The key material that you import must be compatible with the key spec of the
    /// associated AWS KMS key" (importing-keys-conceptual.html): a P-384 key into a P-256 key,
    /// a 3072-bit RSA key into an RSA_2048 key, or bytes that are no private key are
    /// IncorrectKeyMaterialException (API Reference, ImportKeyMaterial), and the key stays
    /// PendingImport.
    #[test]
    fn a_private_key_of_another_curve_or_length_is_incorrect_key_material() {
        let mut h = Harness::new();
        let ecc = h.external_asymmetric_key("ECC_NIST_P256", "SIGN_VERIFY");
        let p384 = p384::SecretKey::from_slice(&[0x42; 48]).unwrap();
        let wrong_curve = p384.to_pkcs8_der().unwrap();
        assert_eq!(
            name(h.import_private_key(&ecc, wrong_curve.as_bytes())),
            "IncorrectKeyMaterialException"
        );
        assert_eq!(
            name(h.import_private_key(&ecc, &[0x30; 40])),
            "IncorrectKeyMaterialException"
        );
        assert_eq!(h.state(&ecc), "PendingImport");
        let rsa_key = h.external_asymmetric_key("RSA_2048", "SIGN_VERIFY");
        let mut seeded = SeededRandomness::new(22);
        let longer = rsa::RsaPrivateKey::new(&mut rsa_rng(&mut seeded), 3072).unwrap();
        let refused = h
            .import_private_key(&rsa_key, longer.to_pkcs8_der().unwrap().as_bytes())
            .unwrap_err();
        assert_eq!(refused.exception_name(), "IncorrectKeyMaterialException");
        assert!(
            refused.message().contains("RSA_2048"),
            "{}",
            refused.message()
        );
        assert_eq!(h.state(&rsa_key), "PendingImport");
    }

    /// "For asymmetric and HMAC keys, you cannot change the key material after the initial
    /// import" (API Reference, ImportKeyMaterial): after DeleteImportedKeyMaterial the same
    /// private key imports again, another one is IncorrectKeyMaterialException.
    #[test]
    fn a_deleted_private_key_comes_back_only_as_the_same_key() {
        let mut h = Harness::new();
        let id = h.external_asymmetric_key("ECC_SECG_P256K1", "SIGN_VERIFY");
        let first = k256::SecretKey::from_slice(&[0x17; 32]).unwrap();
        let pkcs8 = first.to_pkcs8_der().unwrap();
        h.import_private_key(&id, pkcs8.as_bytes()).unwrap();
        let public = h.public_key(&id).unwrap();
        let request = KeyIdRequest { key_id: id.clone() };
        h.call(|w, c, e| w.delete_imported_key_material(c, e, request))
            .unwrap();
        assert_eq!(h.state(&id), "PendingImport");
        let other = k256::SecretKey::from_slice(&[0x18; 32]).unwrap();
        assert_eq!(
            name(h.import_private_key(&id, other.to_pkcs8_der().unwrap().as_bytes())),
            "IncorrectKeyMaterialException"
        );
        h.import_private_key(&id, pkcs8.as_bytes()).unwrap();
        assert_eq!(h.public_key(&id).unwrap(), public);
    }
}
