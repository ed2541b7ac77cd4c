//! Where the engine's random bytes go, and what happens when there are none.
//!
//! Key ids, key material, grant ids and tokens come from `Randomness::fill`, which a saved
//! session reproduces from its seed; nonces, data keys and `GenerateRandom` come from
//! `Randomness::fill_fresh`, which must never repeat. A source that fails yields an error and
//! nothing is created.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use crate::kms_common;

use kms_common::*;
use kms_engine::crypto::parse;
use kms_engine::entropy::{Randomness, RandomnessUnavailable, SeededRandomness};
use kms_engine::kms::{
    CreateGrantRequest, CreateKeyRequest, EncryptRequest, Env, GenerateDataKeyRequest,
    GenerateRandomRequest,
};
use kms_engine::world::World;

/// A source that has no bytes to give.
struct Broken;

impl Randomness for Broken {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        Err(RandomnessUnavailable {
            message: "no secure random source: nothing was created".to_owned(),
        })
    }
}

/// A source whose reproducible bytes come from a seed and whose fresh bytes come from another.
struct Split {
    seeded: SeededRandomness,
    fresh: SeededRandomness,
}

impl Randomness for Split {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        self.seeded.fill(buf)
    }
    fn fill_fresh(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        self.fresh.fill(buf)
    }
}

/// Alice may do everything with one key through IAM.
fn setup() -> (World, PrincipalArn, String) {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    world.add_user(ACCOUNT, "Bob").unwrap();
    let key = add_key(&mut world, ACCOUNT, None, 1);
    let arn = world.keys.get_by_arn(&key).unwrap().arn.clone();
    world
        .put_identity_policy(&alice, "All", &allow_policy(&["kms:*"], &["*"]))
        .unwrap();
    (world, alice, arn)
}

#[test]
fn a_failing_random_source_yields_an_error_and_creates_nothing() {
    let (mut world, alice, key) = setup();
    let before = world.clone();
    let caller = caller(&alice);
    let mut broken = Broken;
    let mut env = Env::new(NOW, &mut broken);
    let internal = |e: kms_engine::error::KmsError| {
        assert_eq!(e.exception_name(), "KMSInternalException");
        assert_eq!(e.message(), "no secure random source: nothing was created");
    };
    internal(
        world
            .create_key(&caller, &mut env, CreateKeyRequest::default())
            .unwrap_err(),
    );
    internal(
        world
            .encrypt(
                &caller,
                &mut env,
                EncryptRequest {
                    key_id: key.clone(),
                    plaintext: b"secret".to_vec(),
                    ..EncryptRequest::default()
                },
            )
            .unwrap_err(),
    );
    internal(
        world
            .generate_data_key(
                &caller,
                &mut env,
                GenerateDataKeyRequest {
                    key_id: key.clone(),
                    key_spec: Some("AES_256".to_owned()),
                    ..GenerateDataKeyRequest::default()
                },
            )
            .unwrap_err(),
    );
    internal(
        world
            .generate_random(
                &caller,
                &mut env,
                GenerateRandomRequest {
                    number_of_bytes: Some(32),
                    ..GenerateRandomRequest::default()
                },
            )
            .unwrap_err(),
    );
    internal(
        world
            .create_grant(
                &caller,
                &mut env,
                CreateGrantRequest {
                    key_id: key.clone(),
                    grantee_principal: user(ACCOUNT, "Bob").to_string(),
                    operations: vec!["Encrypt".to_owned()],
                    ..CreateGrantRequest::default()
                },
            )
            .unwrap_err(),
    );
    assert_eq!(world.keys.keys().count(), before.keys.keys().count());
    assert_eq!(world.grants.on_key(&key).count(), 0);
}

/// Two runs that continue copies of one saved session replay the same seeded bytes; the nonce
/// of each encryption comes from the fresh source, so the copies never encrypt two plaintexts
/// under the same key and nonce.
#[test]
fn nonces_come_from_the_fresh_source_not_the_seeded_one() {
    let (world, alice, key) = setup();
    let mut nonces = Vec::new();
    for fresh in [11, 12] {
        let mut copy = world.clone();
        let mut source = Split {
            seeded: SeededRandomness::new(5),
            fresh: SeededRandomness::new(fresh),
        };
        let blob = copy
            .encrypt(
                &caller(&alice),
                &mut Env::new(NOW, &mut source),
                EncryptRequest {
                    key_id: key.clone(),
                    plaintext: b"same plaintext".to_vec(),
                    ..EncryptRequest::default()
                },
            )
            .unwrap()
            .ciphertext_blob;
        let mut expected = [0u8; 12];
        SeededRandomness::new(fresh).fill(&mut expected).unwrap();
        let nonce = parse(&blob).unwrap().nonce.to_vec();
        assert_eq!(nonce, expected);
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
}
